/* Names of the catalog's statuses, reasons and counters. The counter and
 * eviction names are stored in catalog files and make metric names: never
 * change one. */
#include "catalog/backend.h"

#include <string.h>

const char *cachet_cache_status_name(int status)
{
	switch (status) {
	case CACHET_CACHE_DISABLED: return "CACHE_DISABLED";
	case CACHET_CACHE_MISS: return "CACHE_MISS";
	case CACHET_CACHE_HIT: return "CACHE_HIT";
	case CACHET_CACHE_POPULATED: return "CACHE_POPULATED";
	case CACHET_CACHE_LOOKUP_FAILURE: return "CACHE_LOOKUP_FAILURE";
	case CACHET_CACHE_PUT_FAILURE: return "CACHE_PUT_FAILURE";
	case CACHET_CACHE_SKIPPED: return "CACHE_SKIPPED";
	case CACHET_CACHE_EVICTED: return "CACHE_EVICTED";
	default: return "CACHE_UNKNOWN";
	}
}

const char *cachet_miss_reason_name(int reason)
{
	switch (reason) {
	case CACHET_MISS_NONE: return "none";
	case CACHET_MISS_NOT_FOUND: return "not-found";
	case CACHET_MISS_EXPIRED: return "expired";
	case CACHET_MISS_MISSING_DATA: return "missing-data";
	case CACHET_MISS_INTERFACE_MISMATCH: return "interface-mismatch";
	case CACHET_MISS_CORRUPT_ENTRY: return "corrupt-entry";
	case CACHET_MISS_CATALOG_ERROR: return "catalog-error";
	case CACHET_MISS_RESERVED: return "reserved";
	default: return "unknown";
	}
}

const char *cachet_evict_reason_name(int reason)
{
	switch (reason) {
	case CACHET_EVICT_NONE: return "none";
	case CACHET_EVICT_TAG: return "tag";
	case CACHET_EVICT_TASK: return "task";
	case CACHET_EVICT_AGE: return "age";
	case CACHET_EVICT_SIZE: return "size";
	case CACHET_EVICT_MISSING_DATA: return "missing-data";
	default: return "unknown";
	}
}

static const char *const counter_names[CACHET_COUNTER_COUNT] = {
	[CACHET_COUNTER_HITS] = "hits",
	[CACHET_COUNTER_MISSES] = "misses",
	[CACHET_COUNTER_POPULATED] = "populated",
	[CACHET_COUNTER_LOOKUP_FAILURES] = "lookup_failures",
	[CACHET_COUNTER_PUT_FAILURES] = "put_failures",
	[CACHET_COUNTER_EVICTED_TAG] = "evicted_tag",
	[CACHET_COUNTER_EVICTED_TASK] = "evicted_task",
	[CACHET_COUNTER_EVICTED_AGE] = "evicted_age",
	[CACHET_COUNTER_EVICTED_SIZE] = "evicted_size",
	[CACHET_COUNTER_EVICTED_MISSING_DATA] = "evicted_missing_data",
	[CACHET_COUNTER_RESERVATIONS_ACQUIRED] = "reservations_acquired",
	[CACHET_COUNTER_RESERVATIONS_WAITED] = "reservations_waited",
	[CACHET_COUNTER_RESERVATIONS_RELEASED] = "reservations_released",
};

const char *cachet_counter_name(int counter)
{
	if (counter < 0 || counter >= CACHET_COUNTER_COUNT)
		return NULL;
	return counter_names[counter];
}

int cachet_counter_for_eviction(int reason)
{
	switch (reason) {
	case CACHET_EVICT_TAG: return CACHET_COUNTER_EVICTED_TAG;
	case CACHET_EVICT_TASK: return CACHET_COUNTER_EVICTED_TASK;
	case CACHET_EVICT_AGE: return CACHET_COUNTER_EVICTED_AGE;
	case CACHET_EVICT_SIZE: return CACHET_COUNTER_EVICTED_SIZE;
	case CACHET_EVICT_MISSING_DATA: return CACHET_COUNTER_EVICTED_MISSING_DATA;
	default: return -1;
	}
}

int cachet__counter_of(const char *name)
{
	for (int c = 0; c < CACHET_COUNTER_COUNT; c++)
		if (strcmp(name, cachet_counter_name(c)) == 0)
			return c;
	return -1;
}

int cachet__evict_reason_of(const char *name)
{
	for (int r = 1; r < CACHET_EVICT_REASON_COUNT; r++)
		if (strcmp(name, cachet_evict_reason_name(r)) == 0)
			return r;
	return CACHET_EVICT_NONE;
}
