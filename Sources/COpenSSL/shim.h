// OpenSSL 3: libcrypto for SHA-256 digests, libssl for optional TLS in the server.
#include <openssl/sha.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
