#ifndef PAINPATH_LIBCRYPTO_SHIM_H
#define PAINPATH_LIBCRYPTO_SHIM_H
// OpenSSL's libcrypto (Debian: libssl-dev): its SHA-256 uses the CPU's SHA extensions.
#include <openssl/evp.h>
#endif
