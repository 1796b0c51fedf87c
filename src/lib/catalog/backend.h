/*
 * Internal: what the catalog's own backends (sqlite.c, memory.c) share
 * beyond the implementer interface of cachet/sys/catalog_backend.h.
 */
#ifndef CACHET_CATALOG_BACKEND_H
#define CACHET_CATALOG_BACKEND_H

#include "cachet/sys/catalog_backend.h"

/* ---- dataset_version.c: the shape of a dataset version, for the
 * filter's cache_version (a backend matches it) and for explain ---- */

#define CACHET__SIG_LEN 8 /* characters of <in8> and <out8> */

/* A dataset version "<cache version>-<in8>-<out8>" in parts (pointers
 * into the version). */
typedef struct cachet__version_parts {
	const char *cache; /* the cache version: cache_len bytes */
	size_t cache_len;
	const char *in8, *out8; /* CACHET__SIG_LEN bytes each; NULL when not that shape */
} cachet__version_parts;

/* Split version; false (and out the whole version, in8/out8 NULL) when it
 * does not end in '-' + 8 base64url characters + '-' + 8 more. */
bool cachet__dataset_version_split(cachet__version_parts *out, const char *version);
/* Whether version is "<cache_version>-<in8>-<out8>" (the filter's
 * cache_version). */
bool cachet__dataset_version_has_cache_version(const char *version, const char *cache_version);

/* ---- names.c: stored names back to their numbers ---- */

/* The counter a stored name names; -1 for one this cachet does not know
 * (a newer cachet's). */
int cachet__counter_of(const char *name);
/* The eviction reason a stored name names; CACHET_EVICT_NONE if unknown. */
int cachet__evict_reason_of(const char *name);

/* cachet's own backends. */
int cachet__catalog_sqlite_new(cachet_catalog_backend **out, const char *path, bool read_only,
			       unsigned int busy_timeout_ms);
int cachet__catalog_memory_new(cachet_catalog_backend **out);
/* conninfo: a libpq URI or key=value string. */
int cachet__catalog_postgres_new(cachet_catalog_backend **out, const char *conninfo,
				 bool read_only);

/* For tests: let the SQLite database grow to at most `pages` pages, so
 * that the next write needing more fails as on a full disk. */
int cachet__catalog_sqlite_max_pages(cachet_catalog_backend *b, int64_t pages);

#endif
