/* SHA-256 through OpenSSL's libcrypto (which uses the CPU's SHA
 * instructions where there are any). */
#ifndef CACHET_UTIL_SHA256_H
#define CACHET_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CACHET_SHA256_LEN 32

/*
 * sha256(a || b) into out. Either part may be empty (NULL with length 0).
 * Reuses a per-thread digest context, so it is cheap to call for the many
 * small hashes objecthash makes. 0, or CACHET_ENOMEM / CACHET_ERROR.
 */
int cachet__sha256_2(const void *a, size_t alen, const void *b, size_t blen,
		     uint8_t out[CACHET_SHA256_LEN]);

/* Streaming use, for large inputs. */
typedef struct cachet_sha256 cachet_sha256;
int cachet__sha256_new(cachet_sha256 **out);
int cachet__sha256_update(cachet_sha256 *h, const void *data, size_t len);
/* Writes the digest and resets h for reuse. */
int cachet__sha256_final(cachet_sha256 *h, uint8_t out[CACHET_SHA256_LEN]);
void cachet__sha256_free(cachet_sha256 *h);

/* Lowercase hex of a digest into out (2*len+1 bytes, NUL-terminated). */
void cachet__hex(char *out, const uint8_t *data, size_t len);

#endif
