/*
 * Streaming hashers (SHA-256 through libcrypto, XXH3-128 through
 * libxxhash), hash strings, and the directory digest of docs/hashing.md.
 */
#include "digest/hasher.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct cachet__hasher {
	cachet_digest algorithm;
	cachet_sha256 *sha;     /* SHA-256 */
	XXH3_state_t *xxh;      /* XXH128 */
};

/* The first bytes hashed for a directory: they tell a directory digest
 * from the digest of a file that happens to hold the same bytes, and let
 * the layout change in a later version. */
static const char dir_header[] = "cachet-dir-v1\n";

size_t cachet__digest_len(cachet_digest algorithm)
{
	switch (algorithm) {
	case CACHET_DIGEST_SHA256: return 32;
	case CACHET_DIGEST_XXH128: return 16;
	default: return 0;
	}
}

const char *cachet_digest_name(cachet_digest digest)
{
	switch (digest) {
	case CACHET_DIGEST_SHA256: return "sha256";
	case CACHET_DIGEST_XXH128: return "xxh128";
	default: return NULL;
	}
}

int cachet_digest_parse(cachet_digest *out, const char *name)
{
	if (name != NULL && strcmp(name, "sha256") == 0)
		*out = CACHET_DIGEST_SHA256;
	else if (name != NULL && strcmp(name, "xxh128") == 0)
		*out = CACHET_DIGEST_XXH128;
	else
		return cachet__error(CACHET_EINVALID, "unknown digest '%s' (sha256 or xxh128)",
				     name ? name : "");
	return 0;
}

static int xxh_reset(XXH3_state_t *s)
{
	if (XXH3_128bits_reset(s) != XXH_OK)
		return cachet__error(CACHET_ERROR, "xxh128: reset failed");
	return 0;
}

int cachet__hasher_new(cachet__hasher **out, cachet_digest algorithm)
{
	int rc;
	cachet__hasher *h;

	*out = NULL;
	if (cachet__digest_len(algorithm) == 0)
		return cachet__error(CACHET_EINVALID, "unknown digest algorithm %d", (int)algorithm);
	if ((h = cachet__calloc(1, sizeof(*h))) == NULL)
		return CACHET_ENOMEM;
	h->algorithm = algorithm;
	if (algorithm == CACHET_DIGEST_SHA256) {
		if ((rc = cachet__sha256_new(&h->sha)) < 0)
			goto fail;
	} else {
		/* XXH3 state wants 64-byte alignment, which XXH3_createState
		 * provides; it allocates with malloc, outside fault
		 * injection. */
		if ((h->xxh = XXH3_createState()) == NULL) {
			rc = cachet__error_oom();
			goto fail;
		}
		if ((rc = xxh_reset(h->xxh)) < 0)
			goto fail;
	}
	*out = h;
	return 0;
fail:
	cachet__hasher_free(h);
	return rc;
}

int cachet__hasher_update(cachet__hasher *h, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	if (h->algorithm == CACHET_DIGEST_SHA256)
		return cachet__sha256_update(h->sha, data, len);
	if (XXH3_128bits_update(h->xxh, data, len) != XXH_OK)
		return cachet__error(CACHET_ERROR, "xxh128: update failed");
	return 0;
}

int cachet__hasher_final(cachet__hasher *h, uint8_t out[CACHET__DIGEST_MAX])
{
	if (h->algorithm == CACHET_DIGEST_SHA256)
		return cachet__sha256_final(h->sha, out);
	/* The canonical form is big-endian, high half first: the bytes whose
	 * hex xxhsum -H2 prints. */
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(h->xxh));
	memcpy(out, c.digest, sizeof(c.digest));
	return xxh_reset(h->xxh);
}

void cachet__hasher_free(cachet__hasher *h)
{
	if (h == NULL)
		return;
	cachet__sha256_free(h->sha);
	if (h->xxh)
		XXH3_freeState(h->xxh);
	cachet__free(h);
}

int cachet__digest_format(char **out, cachet_digest algorithm, bool directory,
			  const uint8_t *digest)
{
	const char *name = cachet_digest_name(algorithm);
	size_t len = cachet__digest_len(algorithm);
	char hex[2 * CACHET__DIGEST_MAX + 1];

	*out = NULL;
	if (name == NULL)
		return cachet__error(CACHET_EINVALID, "unknown digest algorithm %d", (int)algorithm);
	cachet__hex(hex, digest, len);
	size_t n = strlen(name) + (directory ? 4 : 0) + 1 + 2 * len + 1;
	char *s = cachet__malloc(n);
	if (s == NULL)
		return CACHET_ENOMEM;
	snprintf(s, n, "%s%s:%s", name, directory ? "-dir" : "", hex);
	*out = s;
	return 0;
}

/* A relative path as the directory digest admits it: UTF-8, '/'
 * separators, no empty, "." or ".." component, no leading or trailing
 * '/'. What an object key under a prefix looks like. */
static int check_relative_path(const char *path)
{
	size_t len, bad;

	if (path == NULL || path[0] == '\0')
		return cachet__error(CACHET_EINVALID, "directory entry with an empty path");
	len = strlen(path);
	if (!cachet__utf8_valid(path, len, &bad))
		return cachet__error(CACHET_EINVALID,
				     "directory entry path is not UTF-8 (byte %zu)", bad);
	for (const char *c = path;;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return cachet__error(CACHET_EINVALID,
					     "directory entry path '%s' is not a plain relative "
					     "path",
					     path);
		if (c[n] == '\0')
			break;
		c += n + 1;
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: byte order */
	return strcmp(((const cachet__dir_entry *)a)->path, ((const cachet__dir_entry *)b)->path);
}

int cachet__dir_digest(uint8_t out[CACHET__DIGEST_MAX], cachet_digest algorithm,
		       cachet__dir_entry *entries, size_t n)
{
	cachet__hasher *h = NULL;
	size_t dlen = cachet__digest_len(algorithm);
	int rc;

	if (dlen == 0)
		return cachet__error(CACHET_EINVALID, "unknown digest algorithm %d", (int)algorithm);
	for (size_t i = 0; i < n; i++)
		if ((rc = check_relative_path(entries[i].path)) < 0)
			return rc;
	if (n > 1)
		qsort(entries, n, sizeof(*entries), entry_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(entries[i - 1].path, entries[i].path) == 0)
			return cachet__error(CACHET_EINVALID, "directory entry '%s' appears twice",
					     entries[i].path);

	if ((rc = cachet__hasher_new(&h, algorithm)) < 0)
		return rc;
	if ((rc = cachet__hasher_update(h, dir_header, sizeof(dir_header) - 1)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		uint64_t plen = strlen(entries[i].path);
		uint8_t frame[8];
		for (int b = 0; b < 8; b++) /* big-endian length */
			frame[b] = (uint8_t)(plen >> (56 - 8 * b));
		if ((rc = cachet__hasher_update(h, frame, sizeof(frame))) < 0 ||
		    (rc = cachet__hasher_update(h, entries[i].path, plen)) < 0 ||
		    (rc = cachet__hasher_update(h, entries[i].digest, dlen)) < 0)
			goto done;
	}
	rc = cachet__hasher_final(h, out);
done:
	cachet__hasher_free(h);
	return rc;
}
