// OpenBLAS' CBLAS interface (Debian: libopenblas-dev installs cblas.h in the multiarch include path).
#include <cblas.h>
// openblas_set_num_threads lets each worker pin BLAS to one thread (docs/PERFORMANCE.md).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
