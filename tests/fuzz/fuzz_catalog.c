/*
 * The SQLite catalog's readers, from the bytes of a catalog.db: open it
 * (a damaged, foreign or newer file must be refused with a message and
 * left alone), then list every entry with its outputs and input hashes,
 * look up, explain and ask for the last eviction of a key, and read the
 * counters, as `cachet cache ls/show/get/explain/stats` do. The seeds are
 * catalogs that hold an entry for that key.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static cachet_literal_map *inputs;
static cachet_cache_key key = CACHET_CACHE_KEY_INIT;

static int64_t fixed_clock(void *payload)
{
	(void)payload;
	return 1714564800000; /* 2024-05-01T12:00:00Z */
}

/* The key of the seeds' entry: task t of p/d at cache version 1, inputs
 * {x: 1}, no interface. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (cachet_literal_map_new(&inputs) < 0 ||
	    cachet_literal_map_set(inputs, "x", cachet_literal_new_integer(1)) < 0 ||
	    cachet_cache_key_compute(&key, "p", "d", "t", "1", NULL, inputs, NULL) < 0)
		fuzz_fail("making the key");
	return 0;
}

static void check_rc(int rc, const char *what)
{
	if (rc < 0)
		fuzz_check_refusal(rc, what);
}

static void read_everything(cachet_catalog *cat)
{
	cachet_catalog_entries list = CACHET_CATALOG_ENTRIES_INIT;
	cachet_lookup_result found = CACHET_LOOKUP_RESULT_INIT;
	cachet_explanation ex = CACHET_EXPLANATION_INIT;
	cachet_eviction_record ev = CACHET_EVICTION_RECORD_INIT;
	cachet_catalog_stats stats = CACHET_CATALOG_STATS_INIT;
	int rc;

	check_rc(cachet_catalog_list(&list, cat, NULL, CACHET_ENTRY_OUTPUTS | CACHET_ENTRY_INPUTS),
		 "listing");
	cachet_catalog_entries_dispose(&list);

	rc = cachet_catalog_lookup(&found, cat, &key, NULL);
	check_rc(rc, "lookup");
	FUZZ_CHECK(found.status != CACHET_CACHE_HIT || found.outputs != NULL,
		   "a hit without outputs");
	cachet_lookup_result_dispose(&found);

	check_rc(cachet_catalog_explain(&ex, cat, &key, inputs, NULL), "explaining");
	cachet_explanation_dispose(&ex);
	check_rc(cachet_catalog_last_eviction(&ev, cat, &key), "last eviction");
	cachet_eviction_record_dispose(&ev);
	check_rc(cachet_catalog_stats_get(&stats, cat), "stats");
	cachet_catalog_stats_dispose(&stats);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_catalog_options opts = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat = NULL;
	char *path = fuzz_write_file("catalog.db", data, size);

	opts.busy_timeout_ms = 10;
	opts.write_through = true;
	opts.clock = fixed_clock;
	int rc = cachet_catalog_open_sqlite(&cat, path, &opts);
	if (rc < 0) {
		fuzz_check_refusal(rc, "opening the catalog");
		FUZZ_CHECK(cat == NULL, "a refused catalog left a handle");
		/* not a catalog, damaged, or newer: left byte for byte as it was */
		if (rc == CACHET_EINVALID || rc == CACHET_ECORRUPT || rc == CACHET_EUNSUPPORTED)
			FUZZ_CHECK(fuzz_file_holds(path, data, size),
				   "a catalog refused as %s was changed", cachet_error_code_name(rc));
	} else {
		read_everything(cat);
		cachet_catalog_free(cat);
	}
	free(path);
	fuzz_scratch_clear();
	return 0;
}
