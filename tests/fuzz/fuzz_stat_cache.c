/*
 * The stat cache's reader, from the bytes of a stat-cache.db: open it (a
 * file that is not a usable stat cache is moved aside and started anew;
 * a newer one is refused), look up a file, record it, and look it up
 * again. The seeds are stat caches that hold an entry for that file.
 */
#include "fuzz.h"

#include "digest/stat_cache.h"

#include <stdlib.h>
#include <string.h>

/* The file the seeds know, as cachet__fstat_from would describe it. */
static const char file_path[] = "/fuzz/file";
static const cachet__fstat file_stat = {
	.dev = 1,
	.ino = 2,
	.size = 3,
	.mtime_ns = 1000000000000000000,
	.ctime_ns = 1000000000000000000,
};

static bool lookup(cachet_stat_cache *sc, uint8_t digest[CACHET__DIGEST_MAX])
{
	cachet__stat_cache_begin(sc, false);
	bool hit = cachet__stat_cache_lookup(sc, file_path, CACHET_DIGEST_SHA256, &file_stat, digest);
	cachet__stat_cache_end(sc);
	return hit;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t digest[CACHET__DIGEST_MAX], recorded[CACHET__DIGEST_MAX];
	cachet_stat_cache *sc = NULL;
	char *path = fuzz_write_file("stat-cache.db", data, size);

	int rc = cachet_stat_cache_open(&sc, path);
	if (rc < 0) {
		fuzz_check_refusal(rc, "opening the stat cache");
		FUZZ_CHECK(sc == NULL, "a refused stat cache left a handle");
	} else {
		lookup(sc, digest);
		memset(recorded, 0xab, sizeof recorded);
		cachet__stat_cache_begin(sc, true);
		cachet__stat_cache_record(sc, file_path, CACHET_DIGEST_SHA256, &file_stat, recorded,
					  file_stat.mtime_ns + 1);
		cachet__stat_cache_end(sc);
		/* what was just recorded is found, unless the database failed */
		if (lookup(sc, digest))
			FUZZ_CHECK(memcmp(digest, recorded, 32) == 0,
				   "the stat cache found another digest than the one recorded");
		cachet_stat_cache_free(sc);
	}
	free(path);
	fuzz_scratch_clear();
	return 0;
}
