/*
 * Shared helpers for the catalog's unit tests (after test_helpers.h).
 */
#ifndef CACHET_TEST_CATALOG_HELPERS_H
#define CACHET_TEST_CATALOG_HELPERS_H

#include "cachet/catalog.h"

/* The catalog's total of one counter (a cachet_counter), as its
 * statistics report it. */
static inline uint64_t catalog_total(cachet_catalog *cat, int counter)
{
	cachet_catalog_stats s = CACHET_CATALOG_STATS_INIT;
	assert_int_equal(cachet_catalog_stats_get(&s, cat), 0);
	uint64_t v = s.total.counters[counter];
	cachet_catalog_stats_dispose(&s);
	return v;
}

#endif
