// zlib: inflate for MAT miCOMPRESSED / NPZ deflate / gzip request bodies; deflate for gzip responses.
#include <zlib.h>
