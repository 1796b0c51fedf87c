/*
 * Internal content hashing primitives, shared by `cachet hash` (digest
 * layer) and by offloading into the store (store layer), which hashes the
 * bytes in the same pass that copies them.
 *
 * Hash strings name their algorithm and what was hashed:
 *   a file:       "sha256:<64 hex>"      (what sha256sum prints)
 *                 "xxh128:<32 hex>"
 *   a directory:  "sha256-dir:<64 hex>" / "xxh128-dir:<32 hex>"
 * The directory digest is defined in docs/hashing.md.
 */
#ifndef CACHET_DIGEST_HASHER_H
#define CACHET_DIGEST_HASHER_H

#include "cachet/digest.h"

#include <stddef.h>
#include <stdint.h>

#define CACHET__DIGEST_MAX 32 /* bytes of the longest digest (SHA-256) */

/* A streaming hasher of one byte sequence. */
typedef struct cachet__hasher cachet__hasher;

int cachet__hasher_new(cachet__hasher **out, cachet_digest algorithm);
int cachet__hasher_update(cachet__hasher *h, const void *data, size_t len);
/* Write the digest (cachet__digest_len(algorithm) bytes) and reset h. */
int cachet__hasher_final(cachet__hasher *h, uint8_t out[CACHET__DIGEST_MAX]);
void cachet__hasher_free(cachet__hasher *h);

size_t cachet__digest_len(cachet_digest algorithm);

/* "sha256:<hex>", "sha256-dir:<hex>", ... as a new string. */
int cachet__digest_format(char **out, cachet_digest algorithm, bool directory,
			  const uint8_t *digest);

/* One file of a directory: its path relative to the directory ('/'
 * separators, UTF-8) and the digest of its content. */
typedef struct cachet__dir_entry {
	char *path;
	uint8_t digest[CACHET__DIGEST_MAX];
} cachet__dir_entry;

/*
 * The directory digest over entries (any order; sorted here by path
 * bytes). The same files give the same digest wherever they are, whenever
 * they were written and in whatever order they were listed.
 */
int cachet__dir_digest(uint8_t out[CACHET__DIGEST_MAX], cachet_digest algorithm,
		       cachet__dir_entry *entries, size_t n);

#endif
