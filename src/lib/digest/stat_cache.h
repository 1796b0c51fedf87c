/*
 * The stat cache as the hashing code uses it. Lookups and records happen
 * between cachet__stat_cache_begin and _end, which hold the handle's lock
 * and one SQLite transaction, so 20,000 lookups cost one transaction.
 *
 * None of these fail: the stat cache is an optimisation, and a database
 * that stops working turns into "no entry" (a warning says why once).
 */
#ifndef CACHET_DIGEST_STAT_CACHE_H
#define CACHET_DIGEST_STAT_CACHE_H

#include "digest/internal.h"

void cachet__stat_cache_begin(cachet_stat_cache *sc, bool write);
void cachet__stat_cache_end(cachet_stat_cache *sc);

/*
 * True, with the digest in out, when an entry for (abspath, algorithm)
 * matches st exactly (device, inode, size, mtime, ctime) and st's mtime is
 * strictly older than the time the entry was recorded (git's racy-clean
 * rule).
 */
bool cachet__stat_cache_lookup(cachet_stat_cache *sc, const char *abspath,
			       cachet_digest algorithm, const cachet__fstat *st,
			       uint8_t out[CACHET__DIGEST_MAX]);

/* Remember digest for (abspath, algorithm) as of st, recorded at
 * recorded_ns: the clock read before the file was opened. */
void cachet__stat_cache_record(cachet_stat_cache *sc, const char *abspath,
			       cachet_digest algorithm, const cachet__fstat *st,
			       const uint8_t *digest, int64_t recorded_ns);

#endif
