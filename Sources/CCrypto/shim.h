// OpenSSL libcrypto (Debian libssl-dev) for S3 request signing: HMAC-SHA256 and SHA-256 (SigV4), MD5 (Content-MD5).
#include <openssl/evp.h>
#include <openssl/hmac.h>
