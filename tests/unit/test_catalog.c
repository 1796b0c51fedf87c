/*
 * The catalog's operations, one generic suite run against every backend
 * (SQLite, memory, and PostgreSQL when CACHET_TEST_PG names a server's
 * conninfo: ctest's test_catalog_pg starts one and runs this binary): lookup (hit, miss, expiry, interface check, missing
 * data), put (overwrite, missing objects, the interface), reservations,
 * cache serialization in one process, listing (inputs recorded or not),
 * filters by cache version, eviction (least recently used across a cache
 * version's dataset versions), statistics, explain (the hit's artifact),
 * GC (a deletion that fails), argument errors and allocation failures.
 * SQLite's own faults (corrupt files, newer schemas, read-only and full
 * catalogs) are in test_catalog_sqlite.c; many processes in
 * test_catalog_concurrency.c.
 *
 * Expected values come from the spec (Flyte's statuses and reservation
 * rules, worked by hand with a fake clock) or from independent calls
 * (component hashes against pbhash of the hashified literal).
 */
#include "test_helpers.h"
#include "test_catalog_helpers.h"
#include "test_pg_helpers.h"

#include "cachet/catalog.h"
#include "cachet/codec.h"
#include "cachet/store.h"
#include "cachet/sys/store_backend.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/error.h"

#include <time.h>
#include <unistd.h>

typedef struct fixture {
	const char *backend;
	cachet_catalog *cat;
	cachet_store *store;
	int64_t now;
} fixture;

static const char SQLITE[] = "sqlite";
static const char MEMORY[] = "memory";
static const char POSTGRES[] = "postgresql";

#define ROOT "mem://t"

static int64_t fake_clock(void *payload)
{
	return ((fixture *)payload)->now;
}

static int64_t real_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Open the fixture's backend with o into *cat. */
static void open_with(const fixture *f, cachet_catalog **cat, const cachet_catalog_options *o)
{
	if (f->backend == SQLITE)
		assert_int_equal(cachet_catalog_open_sqlite(cat, "catalog.db", o), 0);
	else if (f->backend == POSTGRES)
		assert_int_equal(cachet_catalog_open_postgres(cat, getenv("CACHET_TEST_PG"), o), 0);
	else
		assert_int_equal(cachet_catalog_open_memory(cat, o), 0);
}

static void open_catalog(fixture *f)
{
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	o.store = f->store;
	o.clock = fake_clock;
	o.clock_payload = f;
	open_with(f, &f->cat, &o);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	cachet_store_backend *sb;

	f->backend = *state;
	f->now = real_now_ms();
	unlink("catalog.db");
	unlink("catalog.db-wal");
	unlink("catalog.db-shm");
	if (f->backend == POSTGRES)
		pg_test_reset(getenv("CACHET_TEST_PG"));
	assert_int_equal(cachet_store_backend_memory_new(&sb, ROOT), 0);
	assert_int_equal(cachet_store_new(&f->store, sb), 0);
	open_catalog(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	cachet_catalog_free(f->cat);
	cachet_store_free(f->store);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static cachet_cache_key key3(const char *name, const char *version, const char *tag)
{
	cachet_cache_key k = {CACHET_CACHE_KEY_VERSION,
			      (char *)"proj", (char *)"dev", (char *)name, (char *)version,
			      (char *)tag};
	return k;
}

#define V1 "1.0-AAAAAAAA-BBBBBBBB"
#define V2 "2.0-AAAAAAAA-BBBBBBBB"

static cachet_literal_map *map_new(void)
{
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	return m;
}

static void set(cachet_literal_map *m, const char *name, cachet_literal *lit)
{
	assert_non_null(lit);
	assert_int_equal(cachet_literal_map_set(m, name, lit), 0);
}

/* {n: <n>} */
static cachet_literal_map *int_outputs(int64_t n)
{
	cachet_literal_map *m = map_new();
	set(m, "n", cachet_literal_new_integer(n));
	return m;
}

static void put_ok(fixture *f, const cachet_cache_key *k, const cachet_literal_map *outputs,
		   const cachet_put_options *opts)
{
	cachet_put_result r = CACHET_PUT_RESULT_INIT;
	int rc = cachet_catalog_put(&r, f->cat, k, outputs, opts);
	if (rc != 0)
		fail_msg("put failed: %s", cachet_error_last()->message);
	assert_int_equal(r.status, CACHET_CACHE_POPULATED);
	cachet_put_result_dispose(&r);
}

static void put_int(fixture *f, const cachet_cache_key *k, int64_t n)
{
	cachet_literal_map *m = int_outputs(n);
	put_ok(f, k, m, NULL);
	cachet_literal_map_free(m);
}

static void store_object(fixture *f, const char *uri, const char *content)
{
	assert_int_equal(cachet_store_put_bytes(f->store, uri, content, strlen(content)), 0);
}

/* Lookup; return the status, and the integer output n on a hit. */
static int lookup_n(fixture *f, const cachet_cache_key *k, int64_t *n)
{
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, k, NULL), 0);
	int status = r.status;
	if (status == CACHET_CACHE_HIT && n) {
		cachet_literal *lit = cachet_literal_map_get(r.outputs, "n");
		assert_non_null(lit);
		*n = lit->scalar->primitive->integer;
	}
	cachet_lookup_result_dispose(&r);
	return status;
}

static uint64_t total(fixture *f, int counter)
{
	return catalog_total(f->cat, counter);
}

static size_t count_entries(fixture *f)
{
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	assert_int_equal(cachet_catalog_list(&l, f->cat, NULL, 0), 0);
	size_t n = l.n;
	cachet_catalog_entries_dispose(&l);
	return n;
}

/* ---- lookup and put ---- */

static void test_put_then_hit(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_literal_map *out = map_new();
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;

	set(out, "n", cachet_literal_new_integer(42));
	set(out, "s", cachet_literal_new_string("hello"));
	put_ok(f, &k, out, NULL);
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, NULL), 0);
	assert_int_equal(r.status, CACHET_CACHE_HIT);
	assert_int_equal(r.reason, CACHET_MISS_NONE);
	assert_null(r.message);
	assert_true(cachet_literal_map_equal(r.outputs, out));
	assert_int_equal(strlen(r.artifact_id), 36);
	assert_int_equal(r.artifact_id[14], '4'); /* a version-4 uuid */
	assert_int_equal(r.created_at_ms, f->now);
	cachet_lookup_result_dispose(&r);
	cachet_literal_map_free(out);

	assert_int_equal(total(f, CACHET_COUNTER_HITS), 1);
	assert_int_equal(total(f, CACHET_COUNTER_POPULATED), 1);
	assert_int_equal(total(f, CACHET_COUNTER_MISSES), 0);
}

static void test_miss(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;

	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, NULL), 0);
	assert_int_equal(r.status, CACHET_CACHE_MISS);
	assert_int_equal(r.reason, CACHET_MISS_NOT_FOUND);
	assert_string_equal(r.message, "no entry for tag 'flyte_cached-a' of "
					"'proj/dev/flyte_task-t/1.0-AAAAAAAA-BBBBBBBB'");
	assert_null(r.outputs);
	assert_null(r.artifact_id);
	cachet_lookup_result_dispose(&r);
	/* a put under another tag, dataset or project does not hit */
	put_int(f, &k, 1);
	cachet_cache_key other = key3("flyte_task-t", V2, "flyte_cached-a");
	assert_int_equal(lookup_n(f, &other, NULL), CACHET_CACHE_MISS);
	other = key3("flyte_task-t", V1, "flyte_cached-b");
	assert_int_equal(lookup_n(f, &other, NULL), CACHET_CACHE_MISS);
	other = key3("flyte_task-u", V1, "flyte_cached-a");
	assert_int_equal(lookup_n(f, &other, NULL), CACHET_CACHE_MISS);
	assert_int_equal(total(f, CACHET_COUNTER_MISSES), 4);
}

static void test_put_keeps_existing(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_literal_map *one = int_outputs(1), *two = int_outputs(2);
	cachet_put_result a = CACHET_PUT_RESULT_INIT, b = CACHET_PUT_RESULT_INIT;
	int64_t n = 0;

	assert_int_equal(cachet_catalog_put(&a, f->cat, &k, one, NULL), 0);
	assert_true(a.created);
	assert_false(a.replaced);
	assert_int_equal(cachet_catalog_put(&b, f->cat, &k, two, NULL), 0);
	assert_int_equal(b.status, CACHET_CACHE_POPULATED);
	assert_false(b.created);
	assert_string_equal(b.artifact_id, a.artifact_id);
	assert_int_equal(lookup_n(f, &k, &n), CACHET_CACHE_HIT);
	assert_int_equal(n, 1);
	cachet_put_result_dispose(&a);
	cachet_put_result_dispose(&b);
	cachet_literal_map_free(one);
	cachet_literal_map_free(two);
}

static void test_overwrite(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_literal_map *one = int_outputs(1), *two = int_outputs(2);
	cachet_put_options o = CACHET_PUT_OPTIONS_INIT;
	cachet_put_result a = CACHET_PUT_RESULT_INIT, b = CACHET_PUT_RESULT_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	int64_t n = 0;

	assert_int_equal(cachet_catalog_put(&a, f->cat, &k, one, NULL), 0);
	o.overwrite = true;
	assert_int_equal(cachet_catalog_put(&b, f->cat, &k, two, &o), 0);
	assert_true(b.created);
	assert_true(b.replaced);
	assert_string_not_equal(b.artifact_id, a.artifact_id);
	assert_int_equal(lookup_n(f, &k, &n), CACHET_CACHE_HIT);
	assert_int_equal(n, 2);
	/* the replaced artifact is gone: one entry, the new one */
	assert_int_equal(cachet_catalog_list(&l, f->cat, NULL, 0), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.entries[0].artifact_id, b.artifact_id);
	cachet_catalog_entries_dispose(&l);
	/* overwrite where there is nothing: created, not replaced */
	cachet_put_result c = CACHET_PUT_RESULT_INIT;
	cachet_cache_key k2 = key3("flyte_task-t", V1, "flyte_cached-b");
	assert_int_equal(cachet_catalog_put(&c, f->cat, &k2, one, &o), 0);
	assert_true(c.created);
	assert_false(c.replaced);
	cachet_put_result_dispose(&a);
	cachet_put_result_dispose(&b);
	cachet_put_result_dispose(&c);
	cachet_literal_map_free(one);
	cachet_literal_map_free(two);
}

static void test_max_age(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_lookup_options lo = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;

	put_int(f, &k, 7);
	f->now += 4000;
	lo.max_age_ms = 3000;
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, &lo), 0);
	assert_int_equal(r.status, CACHET_CACHE_MISS);
	assert_int_equal(r.reason, CACHET_MISS_EXPIRED);
	assert_string_equal(r.message,
			    "the entry is 4000 ms old, older than the maximum age of 3000 ms");
	assert_non_null(r.artifact_id); /* the entry is there, only too old */
	cachet_lookup_result_dispose(&r);
	lo.max_age_ms = 4000; /* exactly the age: still good */
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, &lo), 0);
	assert_int_equal(r.status, CACHET_CACHE_HIT);
	cachet_lookup_result_dispose(&r);
	lo.max_age_ms = 0; /* no limit */
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, &lo), 0);
	assert_int_equal(r.status, CACHET_CACHE_HIT);
	cachet_lookup_result_dispose(&r);
	lo.max_age_ms = -1;
	assert_cachet_error(cachet_catalog_lookup(&r, f->cat, &k, &lo), CACHET_EINVALID,
			    "maximum cache age -1 ms is negative");
	assert_int_equal(r.status, CACHET_CACHE_LOOKUP_FAILURE);
	assert_string_equal(r.message, "maximum cache age -1 ms is negative");
	cachet_lookup_result_dispose(&r);
}

/* ---- the interface check ---- */

static cachet_interface *iface_of(const char *name, cachet_literal_type *t)
{
	cachet_interface *i = NULL;
	assert_int_equal(cachet_interface_new(&i), 0);
	if (name)
		assert_int_equal(cachet_interface_add(i, true, name, t, NULL), 0);
	return i;
}

/* Put outputs, look up with iface: the status and (on failure) message. */
static void check_fit(fixture *f, cachet_literal_map *outputs, cachet_interface *iface,
		      int want_status, const char *want_msg)
{
	static int serial;
	char tag[32];
	snprintf(tag, sizeof tag, "flyte_cached-fit%d", serial++);
	cachet_cache_key k = key3("flyte_task-t", V1, tag);
	cachet_lookup_options lo = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;

	put_ok(f, &k, outputs, NULL);
	lo.iface = iface;
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, &lo), 0);
	assert_int_equal(r.status, want_status);
	if (want_msg) {
		assert_int_equal(r.reason, CACHET_MISS_INTERFACE_MISMATCH);
		assert_string_equal(r.message, want_msg);
		assert_null(r.outputs);
	}
	cachet_lookup_result_dispose(&r);
	cachet_literal_map_free(outputs);
	cachet_interface_free(iface);
}

#define MISFIT "the cached outputs do not fit the interface: "

static void test_interface_check(void **state)
{
	fixture *f = *state;
	cachet_literal_map *m;

	/* same names, same kinds: a hit */
	check_fit(f, int_outputs(1), iface_of("n", cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER)),
		  CACHET_CACHE_HIT, NULL);
	/* a string where an integer is declared */
	m = map_new();
	set(m, "n", cachet_literal_new_string("1"));
	check_fit(f, m, iface_of("n", cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER)),
		  CACHET_CACHE_LOOKUP_FAILURE,
		  MISFIT "output 'n': a str is not of type int");
	/* an output the interface does not declare */
	check_fit(f, int_outputs(1), iface_of(NULL, NULL), CACHET_CACHE_LOOKUP_FAILURE,
		  MISFIT "output 'n' is not in the interface");
	/* an output the interface declares but the entry lacks */
	check_fit(f, map_new(), iface_of("y", cachet_literal_type_new_simple(CACHET_SIMPLE_FLOAT)),
		  CACHET_CACHE_LOOKUP_FAILURE, MISFIT "output 'y' is missing");
	/* a collection element of the wrong kind */
	m = map_new();
	cachet_literal *c = cachet_literal_new_collection();
	assert_int_equal(cachet_literal_collection_append(c, cachet_literal_new_integer(1)), 0);
	assert_int_equal(cachet_literal_collection_append(c, cachet_literal_new_boolean(true)), 0);
	set(m, "xs", c);
	check_fit(f, m,
		  iface_of("xs", cachet_literal_type_new_collection(
					 cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER))),
		  CACHET_CACHE_LOOKUP_FAILURE,
		  MISFIT "output 'xs': a bool is not of type int");
	/* a blob where a dataset is declared */
	m = map_new();
	set(m, "df", cachet_literal_new_blob("s3://b/x", "csv", CACHET_BLOB_SINGLE));
	check_fit(f, m, iface_of("df", cachet_literal_type_new_dataset("csv")),
		  CACHET_CACHE_LOOKUP_FAILURE,
		  MISFIT "output 'df': a file is not of type dataset(csv)");
	/* a dataset, a map of floats, a struct as msgpack bytes, none in an
	 * optional (union with none): all fit */
	m = map_new();
	set(m, "df", cachet_literal_new_dataset("s3://b/x", "parquet"));
	check_fit(f, m, iface_of("df", cachet_literal_type_new_dataset("parquet")),
		  CACHET_CACHE_HIT, NULL);
	m = map_new();
	cachet_literal *mm = cachet_literal_new_map();
	assert_int_equal(cachet_literal_map_set(mm->map, "a", cachet_literal_new_float(0.5)), 0);
	set(m, "m", mm);
	check_fit(f, m,
		  iface_of("m", cachet_literal_type_new_map(
					cachet_literal_type_new_simple(CACHET_SIMPLE_FLOAT))),
		  CACHET_CACHE_HIT, NULL);
	m = map_new();
	set(m, "s", cachet_literal_new_binary("\x81\xa1x\x01", 4, "msgpack"));
	check_fit(f, m, iface_of("s", cachet_literal_type_new_simple(CACHET_SIMPLE_STRUCT)),
		  CACHET_CACHE_HIT, NULL);
	m = map_new();
	set(m, "o", cachet_literal_new_none());
	static const char optional[] =
		"{\"unionType\":{\"variants\":[{\"simple\":\"INTEGER\"},{\"simple\":\"NONE\"}]}}";
	cachet_literal_type *opt = NULL;
	assert_int_equal(cachet_literal_type_decode(&opt, optional, strlen(optional),
						    CACHET_FORMAT_JSON),
			 0);
	check_fit(f, m, iface_of("o", opt), CACHET_CACHE_HIT, NULL);
	/* a failure is counted as one */
	assert_int_equal(total(f, CACHET_COUNTER_LOOKUP_FAILURES), 5);
}

/* Put with an interface: outputs that do not fit are a PUT_FAILURE with
 * the lookup's message, and nothing is stored. */
static void check_put_fit(fixture *f, cachet_literal_map *outputs, cachet_interface *iface,
			  const char *want_msg)
{
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-put");
	cachet_put_options o = CACHET_PUT_OPTIONS_INIT;
	cachet_put_result r = CACHET_PUT_RESULT_INIT;
	char want[512];

	snprintf(want, sizeof want, "the outputs do not fit the interface: %s", want_msg);
	o.iface = iface;
	assert_cachet_error(cachet_catalog_put(&r, f->cat, &k, outputs, &o), CACHET_EINVALID, want);
	assert_int_equal(r.status, CACHET_CACHE_PUT_FAILURE);
	assert_string_equal(r.message, want);
	assert_null(r.artifact_id);
	cachet_put_result_dispose(&r);
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_MISS);
	cachet_literal_map_free(outputs);
	cachet_interface_free(iface);
}

static void test_put_interface_check(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-put");
	cachet_put_options o = CACHET_PUT_OPTIONS_INIT;
	cachet_lookup_options lo = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_literal_map *m = map_new();

	set(m, "n", cachet_literal_new_string("1"));
	check_put_fit(f, m, iface_of("n", cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER)),
		      "output 'n': a str is not of type int");
	check_put_fit(f, int_outputs(1), iface_of(NULL, NULL), "output 'n' is not in the interface");
	check_put_fit(f, map_new(), iface_of("y", cachet_literal_type_new_simple(CACHET_SIMPLE_FLOAT)),
		      "output 'y' is missing");
	assert_int_equal(total(f, CACHET_COUNTER_PUT_FAILURES), 3);
	assert_int_equal(total(f, CACHET_COUNTER_POPULATED), 0);
	assert_int_equal(count_entries(f), 0);

	/* outputs that fit are stored, and a lookup with the same
	 * interface hits */
	cachet_interface *iface =
		iface_of("n", cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER));
	m = int_outputs(7);
	o.iface = iface;
	put_ok(f, &k, m, &o);
	lo.iface = iface;
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, &lo), 0);
	assert_int_equal(r.status, CACHET_CACHE_HIT);
	cachet_lookup_result_dispose(&r);
	assert_int_equal(total(f, CACHET_COUNTER_POPULATED), 1);
	cachet_interface_free(iface);
	cachet_literal_map_free(m);
}

/* ---- offloaded data and the store ---- */

static cachet_literal_map *blob_outputs(const char *uri, int32_t dim)
{
	cachet_literal_map *m = map_new();
	set(m, "df", cachet_literal_new_blob(uri, "csv", dim));
	return m;
}

static void test_missing_data_evicts(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_literal_map *m = blob_outputs(ROOT "/run1/df.csv", CACHET_BLOB_SINGLE);
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_eviction_record ev = CACHET_EVICTION_RECORD_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;

	store_object(f, ROOT "/run1/df.csv", "a,b\n1,2\n");
	put_ok(f, &k, m, NULL);
	assert_int_equal(cachet_catalog_list(&l, f->cat, NULL, 0), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.entries[0].size_bytes, 8);
	cachet_catalog_entries_dispose(&l);
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_HIT);

	assert_int_equal(cachet_store_delete(f->store, ROOT "/run1/df.csv"), 0);
	f->now += 5;
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, NULL), 0);
	assert_int_equal(r.status, CACHET_CACHE_MISS);
	assert_int_equal(r.reason, CACHET_MISS_MISSING_DATA);
	assert_string_equal(r.message, "output 'df' names 'mem://t/run1/df.csv', which is gone "
				       "from the store: entry evicted");
	cachet_lookup_result_dispose(&r);
	/* evicted: the next lookup is a plain miss, with the reason on record */
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, NULL), 0);
	assert_int_equal(r.reason, CACHET_MISS_NOT_FOUND);
	cachet_lookup_result_dispose(&r);
	assert_int_equal(cachet_catalog_last_eviction(&ev, f->cat, &k), 0);
	assert_true(ev.found);
	assert_int_equal(ev.reason, CACHET_EVICT_MISSING_DATA);
	assert_string_equal(ev.detail, ROOT "/run1/df.csv");
	assert_int_equal(ev.at_ms, f->now);
	cachet_eviction_record_dispose(&ev);
	assert_int_equal(total(f, CACHET_COUNTER_EVICTED_MISSING_DATA), 1);
	assert_int_equal(total(f, CACHET_COUNTER_MISSES), 2);
	assert_int_equal(total(f, CACHET_COUNTER_HITS), 1);
	/* a new put forgets the eviction */
	store_object(f, ROOT "/run1/df.csv", "a,b\n1,2\n");
	put_ok(f, &k, m, NULL);
	assert_int_equal(cachet_catalog_last_eviction(&ev, f->cat, &k), 0);
	assert_false(ev.found);
	cachet_eviction_record_dispose(&ev);
	cachet_literal_map_free(m);
}

static void test_directory_and_foreign_uris(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-d");
	cachet_literal_map *m = map_new();
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;

	store_object(f, ROOT "/run2/dir/a", "12345");
	store_object(f, ROOT "/run2/dir/sub/b", "678");
	set(m, "dir", cachet_literal_new_blob(ROOT "/run2/dir", NULL, CACHET_BLOB_MULTIPART));
	set(m, "ext", cachet_literal_new_dataset("s3://elsewhere/x.parquet", "parquet"));
	put_ok(f, &k, m, NULL);
	assert_int_equal(cachet_catalog_list(&l, f->cat, NULL, 0), 0);
	assert_int_equal(l.entries[0].size_bytes, 8); /* 5 + 3; s3:// is not ours to measure */
	cachet_catalog_entries_dispose(&l);
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_HIT);
	/* one file of the directory left: still there */
	assert_int_equal(cachet_store_delete(f->store, ROOT "/run2/dir/a"), 0);
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_HIT);
	assert_int_equal(cachet_store_delete(f->store, ROOT "/run2/dir/sub/b"), 0);
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_MISS);
	cachet_literal_map_free(m);
}

static void test_put_missing_object(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_literal_map *m = blob_outputs(ROOT "/nope/df.csv", CACHET_BLOB_SINGLE);
	cachet_put_result r = CACHET_PUT_RESULT_INIT;

	assert_cachet_error(cachet_catalog_put(&r, f->cat, &k, m, NULL), CACHET_ENOTFOUND,
			    "output 'df' names 'mem://t/nope/df.csv', which is not in the store");
	assert_int_equal(r.status, CACHET_CACHE_PUT_FAILURE);
	assert_string_equal(r.message,
			    "output 'df' names 'mem://t/nope/df.csv', which is not in the store");
	assert_null(r.artifact_id);
	cachet_put_result_dispose(&r);
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_MISS);
	assert_int_equal(total(f, CACHET_COUNTER_PUT_FAILURES), 1);
	assert_int_equal(total(f, CACHET_COUNTER_POPULATED), 0);
	cachet_literal_map_free(m);
}

/* A URI is a path in the store: one holding a NUL is refused whole, not
 * cut at the NUL to name another object. */
static void test_put_nul_in_uri(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_literal_map *m = blob_outputs(ROOT "/run1/df.csv", CACHET_BLOB_SINGLE);
	cachet_blob *blob = cachet_literal_map_get(m, "df")->scalar->blob;
	static const char uri[] = ROOT "/run1/df.csv\0/../x";
	cachet_put_result r = CACHET_PUT_RESULT_INIT;

	cachet_str_free(blob->uri);
	blob->uri = cachet_str_new(uri, sizeof uri - 1);
	assert_non_null(blob->uri);
	assert_cachet_error(cachet_catalog_put(&r, f->cat, &k, m, NULL), CACHET_EINVALID,
			    "output 'df': URI 'mem://t/run1/df.csv\\x00/../x' holds a NUL byte");
	assert_int_equal(r.status, CACHET_CACHE_PUT_FAILURE);
	cachet_put_result_dispose(&r);
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_MISS);
	cachet_literal_map_free(m);
}

/* ---- reservations ---- */

static void test_reservations(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_reservation r = CACHET_RESERVATION_INIT;
	int64_t t0 = f->now;

	/* A asks for 60 s: granted the maximum, 10 s; expires 3 beats later */
	assert_int_equal(cachet_catalog_reserve(&r, f->cat, &k, "exec-A", 60000), 0);
	assert_true(r.acquired);
	assert_string_equal(r.owner_id, "exec-A");
	assert_int_equal(r.heartbeat_ms, 10000);
	assert_int_equal(r.expires_at_ms, t0 + 30000);
	cachet_reservation_dispose(&r);
	/* B sees A's, unchanged */
	f->now = t0 + 1000;
	assert_int_equal(cachet_catalog_reserve(&r, f->cat, &k, "exec-B", 2000), 0);
	assert_false(r.acquired);
	assert_string_equal(r.owner_id, "exec-A");
	assert_int_equal(r.expires_at_ms, t0 + 30000);
	cachet_reservation_dispose(&r);
	/* A extends with a 2 s heartbeat */
	f->now = t0 + 2000;
	assert_int_equal(cachet_catalog_reserve(&r, f->cat, &k, "exec-A", 2000), 0);
	assert_true(r.acquired);
	assert_int_equal(r.heartbeat_ms, 2000);
	assert_int_equal(r.expires_at_ms, t0 + 2000 + 6000);
	cachet_reservation_dispose(&r);
	/* at the expiry instant B takes it over (expires_at <= now) */
	f->now = t0 + 8000;
	assert_int_equal(cachet_catalog_reserve(&r, f->cat, &k, "exec-B", 1000), 0);
	assert_true(r.acquired);
	assert_string_equal(r.owner_id, "exec-B");
	assert_int_equal(r.expires_at_ms, t0 + 8000 + 3000);
	cachet_reservation_dispose(&r);
	/* A releasing what it no longer holds: success, nothing changes */
	assert_int_equal(cachet_catalog_release(f->cat, &k, "exec-A"), 0);
	assert_int_equal(cachet_catalog_reserve(&r, f->cat, &k, "exec-C", 1000), 0);
	assert_false(r.acquired);
	assert_string_equal(r.owner_id, "exec-B");
	cachet_reservation_dispose(&r);
	/* B releases; then C gets it at once; releasing twice is fine */
	assert_int_equal(cachet_catalog_release(f->cat, &k, "exec-B"), 0);
	assert_int_equal(cachet_catalog_release(f->cat, &k, "exec-B"), 0);
	assert_int_equal(cachet_catalog_reserve(&r, f->cat, &k, "exec-C", 0), 0);
	assert_true(r.acquired);
	assert_int_equal(r.heartbeat_ms, 10000); /* 0 asks for the maximum */
	cachet_reservation_dispose(&r);
	/* another tag is another reservation */
	cachet_cache_key k2 = key3("flyte_task-t", V1, "flyte_cached-b");
	assert_int_equal(cachet_catalog_reserve(&r, f->cat, &k2, "exec-A", 1000), 0);
	assert_true(r.acquired);
	cachet_reservation_dispose(&r);

	assert_int_equal(total(f, CACHET_COUNTER_RESERVATIONS_ACQUIRED), 4); /* A, B, C, A(k2) */
	assert_int_equal(total(f, CACHET_COUNTER_RESERVATIONS_RELEASED), 1);
	assert_cachet_error(cachet_catalog_reserve(&r, f->cat, &k, "", 1000), CACHET_EINVALID,
			    "reserve: no owner id");
	assert_cachet_error(cachet_catalog_release(f->cat, &k, NULL), CACHET_EINVALID,
			    "release: no owner id");
}

static void test_get_or_reserve(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_serialize_options so = CACHET_SERIALIZE_OPTIONS_INIT;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;

	so.owner = "exec-A";
	assert_int_equal(cachet_catalog_get_or_reserve(&r, f->cat, &k, NULL, &so), 0);
	assert_int_equal(r.status, CACHET_CACHE_MISS);
	assert_true(r.reserved);
	assert_false(r.waited);
	cachet_lookup_result_dispose(&r);

	/* B waits for A, which does not finish: B gives up after its limit */
	so.owner = "exec-B";
	so.poll_ms = 5;
	so.wait_limit_ms = 30;
	assert_int_equal(cachet_catalog_get_or_reserve(&r, f->cat, &k, NULL, &so), 0);
	assert_int_equal(r.status, CACHET_CACHE_MISS);
	assert_int_equal(r.reason, CACHET_MISS_RESERVED);
	assert_false(r.reserved);
	assert_true(r.waited);
	assert_string_equal(r.message, "another execution holds the reservation; gave up waiting "
				       "after 30 ms");
	cachet_lookup_result_dispose(&r);

	/* A puts and releases: B hits */
	put_int(f, &k, 5);
	assert_int_equal(cachet_catalog_release(f->cat, &k, "exec-A"), 0);
	assert_int_equal(cachet_catalog_get_or_reserve(&r, f->cat, &k, NULL, &so), 0);
	assert_int_equal(r.status, CACHET_CACHE_HIT);
	assert_false(r.reserved);
	cachet_lookup_result_dispose(&r);

	/* one hit or miss per call, however many polls */
	assert_int_equal(total(f, CACHET_COUNTER_MISSES), 2);
	assert_int_equal(total(f, CACHET_COUNTER_HITS), 1);
	assert_int_equal(total(f, CACHET_COUNTER_RESERVATIONS_WAITED), 1);
	assert_int_equal(total(f, CACHET_COUNTER_RESERVATIONS_ACQUIRED), 1);

	so.owner = NULL;
	assert_cachet_error(cachet_catalog_get_or_reserve(&r, f->cat, &k, NULL, &so),
			    CACHET_EINVALID, "serialize: no owner id");
	assert_int_equal(r.status, CACHET_CACHE_LOOKUP_FAILURE);
	cachet_lookup_result_dispose(&r);
}

/* ---- listing ---- */

static void test_list(void **state)
{
	fixture *f = *state;
	cachet_cache_key a = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_cache_key b = key3("flyte_task-t", V1, "flyte_cached-b");
	cachet_cache_key c = key3("flyte_task-u", V1, "flyte_cached-a");
	cachet_put_options o = CACHET_PUT_OPTIONS_INIT;
	cachet_catalog_filter flt = CACHET_CATALOG_FILTER_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	cachet_literal_map *in = map_new();

	set(in, "x", cachet_literal_new_integer(3));
	set(in, "seed", cachet_literal_new_integer(9));
	const char *ignore[] = {"seed"};
	o.inputs = in;
	o.ignore = ignore;
	o.n_ignore = 1;
	o.task_version = "abc123";
	cachet_artifact_source source = {"eproj", "edom", "exec-1", "n0", 2};
	o.source = &source;
	cachet_literal_map *out = int_outputs(1);
	put_ok(f, &a, out, &o);
	f->now += 10;
	put_int(f, &b, 2);
	f->now += 10;
	put_int(f, &c, 3);

	assert_int_equal(cachet_catalog_list(&l, f->cat, NULL, 0), 0);
	assert_int_equal(l.n, 3);
	/* by task name, newest first within a dataset */
	assert_string_equal(l.entries[0].name, "flyte_task-t");
	assert_string_equal(l.entries[0].tag, "flyte_cached-b");
	assert_string_equal(l.entries[1].tag, "flyte_cached-a");
	assert_string_equal(l.entries[2].name, "flyte_task-u");
	/* everything put is there */
	const cachet_catalog_entry *e = &l.entries[1];
	assert_string_equal(e->project, "proj");
	assert_string_equal(e->domain, "dev");
	assert_string_equal(e->version, V1);
	assert_string_equal(e->task_version, "abc123");
	assert_string_equal(e->exec_project, "eproj");
	assert_string_equal(e->exec_domain, "edom");
	assert_string_equal(e->execution_name, "exec-1");
	assert_string_equal(e->exec_node, "n0");
	assert_int_equal(e->exec_attempt, 2);
	assert_int_equal(e->last_hit_at_ms, 0);
	assert_int_equal(e->hit_count, 0);
	assert_null(e->outputs); /* not asked for */
	assert_null(e->inputs);
	assert_false(e->inputs_recorded); /* not asked for either */
	cachet_catalog_entries_dispose(&l);

	/* filters: task (short or dataset name), tag, artifact id, limit */
	flt.task = "t";
	assert_int_equal(cachet_catalog_list(&l, f->cat, &flt, CACHET_ENTRY_OUTPUTS | CACHET_ENTRY_INPUTS), 0);
	assert_int_equal(l.n, 2);
	e = &l.entries[1];
	assert_true(cachet_literal_map_equal(e->outputs, out));
	assert_int_equal(e->n_inputs, 1); /* "seed" was ignored */
	assert_true(e->inputs_recorded);
	assert_string_equal(e->inputs[0].name, "x");
	/* the component hash is b64url(pbhash(hashify(x))) */
	{
		uint8_t h[CACHET_HASH_LEN];
		cachet_literal *hx = NULL;
		cachet_buf bb = CACHET_BUF_INIT;
		assert_int_equal(cachet_hashify(&hx, cachet_literal_map_get(in, "x")), 0);
		assert_int_equal(cachet_pbhash_literal(h, hx), 0);
		assert_int_equal(cachet__base64url_encode(&bb, h, sizeof h), 0);
		assert_string_equal(e->inputs[0].hash, bb.ptr);
		cachet__buf_dispose(&bb);
		cachet_literal_free(hx);
	}
	assert_int_equal(l.entries[0].n_inputs, 0); /* put without inputs: */
	assert_false(l.entries[0].inputs_recorded); /* none recorded */
	char id[64];
	snprintf(id, sizeof id, "%s", e->artifact_id);
	cachet_catalog_entries_dispose(&l);
	flt.task = "flyte_task-t";
	flt.limit = 1;
	assert_int_equal(cachet_catalog_list(&l, f->cat, &flt, 0), 0);
	assert_int_equal(l.n, 1);
	cachet_catalog_entries_dispose(&l);
	flt = (cachet_catalog_filter)CACHET_CATALOG_FILTER_INIT;
	flt.tag = "flyte_cached-a";
	assert_int_equal(cachet_catalog_list(&l, f->cat, &flt, 0), 0);
	assert_int_equal(l.n, 2); /* the same tag in two tasks */
	cachet_catalog_entries_dispose(&l);
	flt = (cachet_catalog_filter)CACHET_CATALOG_FILTER_INIT;
	flt.artifact_id = id;
	assert_int_equal(cachet_catalog_list(&l, f->cat, &flt, 0), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.entries[0].tag, "flyte_cached-a");
	cachet_catalog_entries_dispose(&l);
	flt.artifact_id = "no-such-id";
	assert_int_equal(cachet_catalog_list(&l, f->cat, &flt, 0), 0);
	assert_int_equal(l.n, 0);
	cachet_catalog_entries_dispose(&l);

	/* a hit shows in the listing once flushed */
	f->now += 100;
	assert_int_equal(lookup_n(f, &a, NULL), CACHET_CACHE_HIT);
	assert_int_equal(lookup_n(f, &a, NULL), CACHET_CACHE_HIT);
	assert_int_equal(cachet_catalog_flush(f->cat), 0);
	flt = (cachet_catalog_filter)CACHET_CATALOG_FILTER_INIT;
	flt.artifact_id = id;
	assert_int_equal(cachet_catalog_list(&l, f->cat, &flt, 0), 0);
	assert_int_equal(l.entries[0].hit_count, 2);
	assert_int_equal(l.entries[0].last_hit_at_ms, f->now);
	cachet_catalog_entries_dispose(&l);
	cachet_literal_map_free(in);
	cachet_literal_map_free(out);
}

/* An empty input map records "no inputs": recorded, and none. */
static void test_list_no_inputs_recorded(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_put_options o = CACHET_PUT_OPTIONS_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	cachet_literal_map *none = map_new(), *out = int_outputs(1);

	o.inputs = none;
	put_ok(f, &k, out, &o);
	assert_int_equal(cachet_catalog_list(&l, f->cat, NULL, CACHET_ENTRY_INPUTS), 0);
	assert_int_equal(l.n, 1);
	assert_true(l.entries[0].inputs_recorded);
	assert_int_equal(l.entries[0].n_inputs, 0);
	assert_null(l.entries[0].inputs);
	cachet_catalog_entries_dispose(&l);
	cachet_literal_map_free(none);
	cachet_literal_map_free(out);
}

/* ---- eviction ---- */

/* Put an entry of task `name` whose outputs reference an object of size bytes. */
static void put_sized(fixture *f, const char *name, const char *version, const char *tag,
		      size_t size)
{
	char uri[128], content[256];
	cachet_cache_key k = key3(name, version, tag);
	snprintf(uri, sizeof uri, ROOT "/%s/%s/%s", name, version, tag);
	memset(content, 'x', size);
	content[size] = '\0';
	store_object(f, uri, content);
	cachet_literal_map *m = blob_outputs(uri, CACHET_BLOB_SINGLE);
	put_ok(f, &k, m, NULL);
	cachet_literal_map_free(m);
}

static void test_evict_by_tag_task_version(void **state)
{
	fixture *f = *state;
	cachet_catalog_filter ef = CACHET_CATALOG_FILTER_INIT;
	cachet_evict_options o = CACHET_EVICT_OPTIONS_INIT;
	o.filter = &ef;
	cachet_evict_result r = CACHET_EVICT_RESULT_INIT;
	cachet_eviction_record ev = CACHET_EVICTION_RECORD_INIT;

	put_sized(f, "flyte_task-t", V1, "flyte_cached-a", 10);
	put_sized(f, "flyte_task-t", V1, "flyte_cached-b", 20);
	put_sized(f, "flyte_task-t", V2, "flyte_cached-a", 30);
	put_sized(f, "flyte_task-u", V1, "flyte_cached-a", 40);

	/* nothing selected: refused */
	assert_cachet_error(cachet_catalog_evict(&r, f->cat, &o), CACHET_EINVALID,
			    "evict: nothing selected (give a tag, a task, an age, a size limit, "
			    "or all)");
	/* by tag within a task and version; a dry run first */
	ef.task = "t";
	ef.dataset_version = V1;
	ef.tag = "flyte_cached-a";
	o.dry_run = true;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.evicted.n, 1);
	assert_int_equal(r.bytes, 10);
	assert_int_equal(r.bytes_remaining, 90);
	cachet_evict_result_dispose(&r);
	assert_int_equal(count_entries(f), 4);
	o.dry_run = false;
	f->now += 7;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.reason, CACHET_EVICT_TAG);
	assert_int_equal(r.evicted.n, 1);
	assert_string_equal(r.evicted.entries[0].tag, "flyte_cached-a");
	assert_string_equal(r.evicted.entries[0].version, V1);
	assert_int_equal(r.bytes_remaining, 90);
	cachet_evict_result_dispose(&r);
	assert_int_equal(count_entries(f), 3);
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	assert_int_equal(cachet_catalog_last_eviction(&ev, f->cat, &k), 0);
	assert_true(ev.found);
	assert_int_equal(ev.reason, CACHET_EVICT_TAG);
	assert_int_equal(ev.at_ms, f->now);
	assert_null(ev.detail);
	cachet_eviction_record_dispose(&ev);
	/* by task, one version */
	o = (cachet_evict_options)CACHET_EVICT_OPTIONS_INIT;
	ef = (cachet_catalog_filter)CACHET_CATALOG_FILTER_INIT;
	o.filter = &ef;
	ef.task = "flyte_task-t";
	ef.dataset_version = V2;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.reason, CACHET_EVICT_TASK);
	assert_int_equal(r.evicted.n, 1);
	assert_int_equal(r.bytes, 30);
	cachet_evict_result_dispose(&r);
	/* by task, all versions */
	ef.dataset_version = NULL;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.evicted.n, 1);
	assert_string_equal(r.evicted.entries[0].tag, "flyte_cached-b");
	cachet_evict_result_dispose(&r);
	assert_int_equal(count_entries(f), 1);
	/* again: nothing left to evict, not an error */
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.evicted.n, 0);
	cachet_evict_result_dispose(&r);
	/* all */
	o = (cachet_evict_options)CACHET_EVICT_OPTIONS_INIT;
	ef = (cachet_catalog_filter)CACHET_CATALOG_FILTER_INIT;
	o.filter = &ef;
	o.all = true;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.evicted.n, 1);
	assert_int_equal(r.bytes_remaining, 0);
	cachet_evict_result_dispose(&r);
	assert_int_equal(count_entries(f), 0);

	assert_int_equal(total(f, CACHET_COUNTER_EVICTED_TAG), 1);
	assert_int_equal(total(f, CACHET_COUNTER_EVICTED_TASK), 3);
	/* per task */
	cachet_catalog_stats s = CACHET_CATALOG_STATS_INIT;
	assert_int_equal(cachet_catalog_stats_get(&s, f->cat), 0);
	assert_int_equal(s.n_tasks, 2);
	assert_string_equal(s.tasks[0].name, "flyte_task-t");
	assert_int_equal(s.tasks[0].counters[CACHET_COUNTER_EVICTED_TASK], 2);
	assert_int_equal(s.tasks[1].counters[CACHET_COUNTER_EVICTED_TASK], 1);
	cachet_catalog_stats_dispose(&s);
}

static void test_evict_by_age_and_size(void **state)
{
	fixture *f = *state;
	cachet_evict_options o = CACHET_EVICT_OPTIONS_INIT;
	cachet_evict_result r = CACHET_EVICT_RESULT_INIT;
	int64_t t0 = f->now;

	put_sized(f, "flyte_task-t", V1, "flyte_cached-a", 100); /* t0 */
	f->now = t0 + 1000;
	put_sized(f, "flyte_task-t", V1, "flyte_cached-b", 100); /* t0+1000 */
	f->now = t0 + 2000;
	put_sized(f, "flyte_task-t", V1, "flyte_cached-c", 100); /* t0+2000 */
	f->now = t0 + 3000;
	put_sized(f, "flyte_task-t", V1, "flyte_cached-d", 100); /* t0+3000 */
	/* a is hit at t0+4000: now the most recently used */
	f->now = t0 + 4000;
	cachet_cache_key a = key3("flyte_task-t", V1, "flyte_cached-a");
	assert_int_equal(lookup_n(f, &a, NULL), CACHET_CACHE_HIT);

	/* size limit 250 of 400: the two least recently used go (b, c) */
	o.size_limit = true;
	o.max_bytes = 250;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.reason, CACHET_EVICT_SIZE);
	assert_int_equal(r.evicted.n, 2);
	assert_string_equal(r.evicted.entries[0].tag, "flyte_cached-b");
	assert_string_equal(r.evicted.entries[1].tag, "flyte_cached-c");
	assert_int_equal(r.bytes, 200);
	assert_int_equal(r.bytes_remaining, 200);
	cachet_evict_result_dispose(&r);
	/* already under the limit: nothing */
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.evicted.n, 0);
	assert_int_equal(r.bytes_remaining, 200);
	cachet_evict_result_dispose(&r);

	/* by age: created more than 2500 ms ago at t0+4000 -> a (t0) only;
	 * unused for 2500 ms -> d (t0+3000) is not, a was hit at t0+4000 */
	o = (cachet_evict_options)CACHET_EVICT_OPTIONS_INIT;
	o.unused_for_ms = 500;
	f->now = t0 + 3600;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.reason, CACHET_EVICT_AGE);
	assert_int_equal(r.evicted.n, 1);
	assert_string_equal(r.evicted.entries[0].tag, "flyte_cached-d");
	cachet_evict_result_dispose(&r);
	o = (cachet_evict_options)CACHET_EVICT_OPTIONS_INIT;
	o.older_than_ms = 2500;
	f->now = t0 + 4000;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.evicted.n, 1);
	assert_string_equal(r.evicted.entries[0].tag, "flyte_cached-a");
	cachet_evict_result_dispose(&r);
	assert_int_equal(count_entries(f), 0);
	assert_int_equal(total(f, CACHET_COUNTER_EVICTED_SIZE), 2);
	assert_int_equal(total(f, CACHET_COUNTER_EVICTED_AGE), 2);

	o.older_than_ms = -5;
	assert_cachet_error(cachet_catalog_evict(&r, f->cat, &o), CACHET_EINVALID,
			    "evict: an age is negative");
}

/* The filter's cache version: "<cache version>-<in8>-<out8>" exactly,
 * signatures of base64url (which has '-' and '_'); both backends agree,
 * also on a version whose last 18 characters are not 18 bytes. */
#define VSIG "1.0-A-b_CCCC-DD-DDDDD" /* signatures holding '-' and '_' */

static size_t count_filtered(fixture *f, const char *task, const char *cache_version,
			     const char *dataset_version)
{
	cachet_catalog_filter flt = CACHET_CATALOG_FILTER_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	flt.task = task;
	flt.cache_version = cache_version;
	flt.dataset_version = dataset_version;
	assert_int_equal(cachet_catalog_list(&l, f->cat, &flt, 0), 0);
	size_t n = l.n;
	for (size_t i = 0; cache_version && i < n; i++) /* each one has it */
		assert_true(strncmp(l.entries[i].version, cache_version, strlen(cache_version)) == 0);
	cachet_catalog_entries_dispose(&l);
	return n;
}

static void test_filter_cache_version(void **state)
{
	fixture *f = *state;
	static const char *const versions[] = {
		V1,			  /* 1.0 */
		VSIG,			  /* 1.0 */
		"1.0.1-AAAAAAAA-BBBBBBBB", /* 1.0.1 */
		"1.0-x-AAAAAAAA-BBBBBBBB", /* 1.0-x */
		"1.0-AAAAAAAA-BBBBBBB",	  /* a signature short: no cache version */
		"1.0-AAAAAAA.-BBBBBBBB",  /* '.' is not base64url */
		"1.0-AAAAAAA\xc3\xa9-BBBBBBBB", /* 18 characters, 19 bytes: not the shape */
		V2,			  /* 2.0 */
	};
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		cachet_cache_key k = key3("flyte_task-t", versions[i], "flyte_cached-a");
		put_int(f, &k, (int64_t)i);
	}
	cachet_cache_key ku = key3("flyte_task-u", V1, "flyte_cached-a");
	put_int(f, &ku, 99);

	assert_int_equal(count_filtered(f, "t", "1.0", NULL), 2);
	assert_int_equal(count_filtered(f, NULL, "1.0", NULL), 3); /* u's too */
	assert_int_equal(count_filtered(f, "t", "1.0-x", NULL), 1);
	assert_int_equal(count_filtered(f, "t", "1.0.1", NULL), 1);
	assert_int_equal(count_filtered(f, "t", "2.0", NULL), 1);
	assert_int_equal(count_filtered(f, "t", "1", NULL), 0);
	assert_int_equal(count_filtered(f, "t", "", NULL), 0);
	/* with a dataset version: both must match */
	assert_int_equal(count_filtered(f, "t", "1.0", VSIG), 1);
	assert_int_equal(count_filtered(f, "t", "2.0", VSIG), 0);
	/* an eviction by cache version takes those, and only those */
	cachet_catalog_filter ef = CACHET_CATALOG_FILTER_INIT;
	cachet_evict_options o = CACHET_EVICT_OPTIONS_INIT;
	o.filter = &ef;
	cachet_evict_result r = CACHET_EVICT_RESULT_INIT;
	ef.task = "t";
	ef.cache_version = "1.0";
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.reason, CACHET_EVICT_TASK);
	assert_int_equal(r.evicted.n, 2);
	cachet_evict_result_dispose(&r);
	assert_int_equal(count_filtered(f, "t", "1.0", NULL), 0);
	assert_int_equal(count_entries(f), 7);
	/* a cache version alone is a selection */
	o = (cachet_evict_options)CACHET_EVICT_OPTIONS_INIT;
	ef = (cachet_catalog_filter)CACHET_CATALOG_FILTER_INIT;
	o.filter = &ef;
	ef.cache_version = "1.0";
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.evicted.n, 1);
	assert_string_equal(r.evicted.entries[0].name, "flyte_task-u");
	cachet_evict_result_dispose(&r);
}

/* Under a size limit, least recently used first across every dataset
 * version of the cache version, in one call. */
static void test_evict_cache_version_lru(void **state)
{
	fixture *f = *state;
	cachet_catalog_filter ef = CACHET_CATALOG_FILTER_INIT;
	cachet_evict_options o = CACHET_EVICT_OPTIONS_INIT;
	o.filter = &ef;
	cachet_evict_result r = CACHET_EVICT_RESULT_INIT;
	int64_t t0 = f->now;

	put_sized(f, "flyte_task-t", V1, "flyte_cached-a", 100); /* t0, hit at t0+3000 */
	f->now = t0 + 500;
	put_sized(f, "flyte_task-t", V2, "flyte_cached-d", 100); /* oldest, but 2.0 */
	f->now = t0 + 1000;
	put_sized(f, "flyte_task-t", VSIG, "flyte_cached-b", 100);
	f->now = t0 + 2000;
	put_sized(f, "flyte_task-t", V1, "flyte_cached-c", 100);
	f->now = t0 + 3000;
	cachet_cache_key a = key3("flyte_task-t", V1, "flyte_cached-a");
	assert_int_equal(lookup_n(f, &a, NULL), CACHET_CACHE_HIT);

	/* 400 B referenced, at most 250 wanted: of the 1.0 entries, b (used
	 * at t0+1000, the other dataset version) then c (t0+2000) */
	ef.task = "t";
	ef.cache_version = "1.0";
	o.size_limit = true;
	o.max_bytes = 250;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	assert_int_equal(r.reason, CACHET_EVICT_SIZE);
	assert_int_equal(r.evicted.n, 2);
	assert_string_equal(r.evicted.entries[0].tag, "flyte_cached-b");
	assert_string_equal(r.evicted.entries[0].version, VSIG);
	assert_string_equal(r.evicted.entries[1].tag, "flyte_cached-c");
	assert_string_equal(r.evicted.entries[1].version, V1);
	assert_int_equal(r.bytes, 200);
	assert_int_equal(r.bytes_remaining, 200);
	cachet_evict_result_dispose(&r);
	assert_int_equal(lookup_n(f, &a, NULL), CACHET_CACHE_HIT);
	cachet_cache_key d = key3("flyte_task-t", V2, "flyte_cached-d");
	assert_int_equal(lookup_n(f, &d, NULL), CACHET_CACHE_HIT);
}

/* ---- statistics ---- */

static void test_stats(void **state)
{
	fixture *f = *state;
	cachet_catalog_stats s = CACHET_CATALOG_STATS_INIT;
	cachet_cache_key a = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_cache_key b = key3("flyte_task-u", V1, "flyte_cached-a");
	cachet_cache_key c = key3("flyte_task-t", V2, "flyte_cached-z");

	assert_int_equal(cachet_catalog_stats_get(&s, f->cat), 0);
	assert_int_equal(s.n_tasks, 0);
	assert_int_equal(s.total.n_entries, 0);
	cachet_catalog_stats_dispose(&s);

	put_sized(f, "flyte_task-t", V1, "flyte_cached-a", 11);
	put_sized(f, "flyte_task-t", V2, "flyte_cached-b", 22);
	put_sized(f, "flyte_task-u", V1, "flyte_cached-a", 33);
	f->now += 50;
	assert_int_equal(lookup_n(f, &a, NULL), CACHET_CACHE_HIT);
	assert_int_equal(lookup_n(f, &c, NULL), CACHET_CACHE_MISS); /* counted for t too */
	f->now += 50;
	assert_int_equal(lookup_n(f, &b, NULL), CACHET_CACHE_HIT);
	assert_int_equal(lookup_n(f, &b, NULL), CACHET_CACHE_HIT);

	assert_int_equal(cachet_catalog_stats_get(&s, f->cat), 0);
	assert_int_equal(s.n_tasks, 2);
	cachet_task_stats *t = &s.tasks[0], *u = &s.tasks[1];
	assert_string_equal(t->project, "proj");
	assert_string_equal(t->domain, "dev");
	assert_string_equal(t->name, "flyte_task-t");
	assert_int_equal(t->counters[CACHET_COUNTER_HITS], 1);
	assert_int_equal(t->counters[CACHET_COUNTER_MISSES], 1);
	assert_int_equal(t->counters[CACHET_COUNTER_POPULATED], 2);
	assert_int_equal(t->n_entries, 2);
	assert_int_equal(t->bytes, 33);
	assert_int_equal(t->last_hit_at_ms, f->now - 50);
	assert_string_equal(u->name, "flyte_task-u");
	assert_int_equal(u->counters[CACHET_COUNTER_HITS], 2);
	assert_int_equal(u->n_entries, 1);
	assert_int_equal(u->bytes, 33);
	assert_int_equal(u->last_hit_at_ms, f->now);
	assert_null(s.total.name);
	assert_int_equal(s.total.counters[CACHET_COUNTER_HITS], 3);
	assert_int_equal(s.total.counters[CACHET_COUNTER_POPULATED], 3);
	assert_int_equal(s.total.n_entries, 3);
	assert_int_equal(s.total.bytes, 66);
	assert_int_equal(s.total.last_hit_at_ms, f->now);
	cachet_catalog_stats_dispose(&s);

	assert_string_equal(cachet_counter_name(CACHET_COUNTER_RESERVATIONS_WAITED),
			    "reservations_waited");
	assert_null(cachet_counter_name(CACHET_COUNTER_COUNT));
	assert_null(cachet_counter_name(-1));
	assert_int_equal(cachet_counter_for_eviction(CACHET_EVICT_SIZE), CACHET_COUNTER_EVICTED_SIZE);
	assert_int_equal(cachet_counter_for_eviction(CACHET_EVICT_NONE), -1);
	assert_string_equal(cachet_cache_status_name(CACHET_CACHE_PUT_FAILURE),
			    "CACHE_PUT_FAILURE");
	assert_string_equal(cachet_cache_status_name(99), "CACHE_UNKNOWN");
	assert_string_equal(cachet_miss_reason_name(CACHET_MISS_MISSING_DATA), "missing-data");
	assert_string_equal(cachet_evict_reason_name(CACHET_EVICT_AGE), "age");
}

/* ---- explain ---- */

static cachet_literal_map *inputs_abc(int64_t a, int64_t b, const char *c)
{
	cachet_literal_map *m = map_new();
	set(m, "a", cachet_literal_new_integer(a));
	set(m, "b", cachet_literal_new_integer(b));
	if (c)
		set(m, "c", cachet_literal_new_string(c));
	return m;
}

/* Put an entry keyed as Flyte would key it, recording its inputs. */
static void put_with_inputs(fixture *f, const char *cache_version, cachet_literal_map *in)
{
	cachet_cache_key k = CACHET_CACHE_KEY_INIT;
	cachet_put_options o = CACHET_PUT_OPTIONS_INIT;
	assert_int_equal(cachet_cache_key_compute(&k, "proj", "dev", "t", cache_version, NULL, in,
						  NULL),
			 0);
	o.inputs = in;
	cachet_literal_map *out = int_outputs(0);
	put_ok(f, &k, out, &o);
	cachet_literal_map_free(out);
	cachet_cache_key_dispose(&k);
}

static void test_explain(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = CACHET_CACHE_KEY_INIT;
	cachet_explanation ex = CACHET_EXPLANATION_INIT;
	cachet_literal_map *e1 = inputs_abc(1, 2, NULL), *e2 = inputs_abc(1, 5, NULL);
	cachet_literal_map *e3 = inputs_abc(1, 2, "x"), *run = inputs_abc(1, 3, "x");

	put_with_inputs(f, "1.0", e1); /* differs from run in b and c */
	f->now += 10;
	put_with_inputs(f, "1.0", e2); /* differs in b and c, newer */
	f->now += 10;
	put_with_inputs(f, "0.9", e3); /* differs in b only, but older cache version */

	assert_int_equal(cachet_cache_key_compute(&k, "proj", "dev", "t", "1.0", NULL, run, NULL), 0);
	assert_int_equal(cachet_catalog_explain(&ex, f->cat, &k, run, NULL), 0);
	assert_int_equal(ex.status, CACHET_CACHE_MISS);
	assert_int_equal(ex.reason, CACHET_MISS_NOT_FOUND);
	assert_null(ex.artifact_id); /* no entry under this key */
	assert_int_equal(ex.created_at_ms, 0);
	assert_string_equal(ex.tag, k.tag);
	assert_false(ex.eviction.found);
	assert_int_equal(ex.n_inputs, 3);
	assert_int_equal(ex.n_nearest, 3);
	/* same dataset first; within it, equally far: the newer first */
	const cachet_explain_candidate *c0 = &ex.nearest[0], *c2 = &ex.nearest[2];
	assert_true(c0->same_dataset);
	assert_true(c0->inputs_recorded);
	assert_int_equal(c0->n_changed, 2);
	assert_int_equal(c0->entry.created_at_ms, f->now - 10);
	assert_int_equal(c0->n_inputs, 3);
	assert_string_equal(c0->inputs[0].name, "a");
	assert_int_equal(c0->inputs[0].change, CACHET_INPUT_SAME);
	assert_string_equal(c0->inputs[0].run_hash, c0->inputs[0].entry_hash);
	assert_string_equal(c0->inputs[1].name, "b");
	assert_int_equal(c0->inputs[1].change, CACHET_INPUT_CHANGED);
	assert_string_equal(c0->inputs[2].name, "c");
	assert_int_equal(c0->inputs[2].change, CACHET_INPUT_ADDED);
	assert_null(c0->inputs[2].entry_hash);
	assert_true(ex.nearest[1].same_dataset);
	assert_int_equal(ex.nearest[1].entry.created_at_ms, f->now - 20);
	/* the other dataset: cache version changed, interfaces did not */
	assert_false(c2->same_dataset);
	assert_true(c2->cache_version_changed);
	assert_false(c2->inputs_interface_changed);
	assert_false(c2->outputs_interface_changed);
	assert_int_equal(c2->n_changed, 1);
	cachet_explanation_dispose(&ex);

	/* max_candidates, and an input removed since the entry */
	cachet_explain_options eo = CACHET_EXPLAIN_OPTIONS_INIT;
	cachet_literal_map *only_a = map_new();
	set(only_a, "a", cachet_literal_new_integer(1));
	cachet_cache_key_dispose(&k);
	assert_int_equal(cachet_cache_key_compute(&k, "proj", "dev", "t", "1.0", NULL, only_a, NULL),
			 0);
	eo.max_candidates = 1;
	assert_int_equal(cachet_catalog_explain(&ex, f->cat, &k, only_a, &eo), 0);
	assert_int_equal(ex.n_nearest, 1);
	assert_int_equal(ex.nearest[0].n_changed, 1);
	assert_int_equal(ex.nearest[0].inputs[1].change, CACHET_INPUT_REMOVED);
	assert_null(ex.nearest[0].inputs[1].run_hash);
	cachet_explanation_dispose(&ex);

	/* explain of a hit; and after an eviction it says so */
	cachet_cache_key_dispose(&k);
	assert_int_equal(cachet_cache_key_compute(&k, "proj", "dev", "t", "1.0", NULL, e1, NULL), 0);
	assert_int_equal(cachet_catalog_explain(&ex, f->cat, &k, e1, NULL), 0);
	assert_int_equal(ex.status, CACHET_CACHE_HIT);
	assert_int_equal(ex.nearest[0].n_changed, 0);
	/* the entry a lookup returns: e1's, put first */
	cachet_lookup_result lr = CACHET_LOOKUP_RESULT_INIT;
	assert_int_equal(cachet_catalog_lookup(&lr, f->cat, &k, NULL), 0);
	assert_string_equal(ex.artifact_id, lr.artifact_id);
	assert_int_equal(ex.created_at_ms, f->now - 20);
	cachet_lookup_result_dispose(&lr);
	cachet_explanation_dispose(&ex);
	cachet_catalog_filter ef = CACHET_CATALOG_FILTER_INIT;
	cachet_evict_options o = CACHET_EVICT_OPTIONS_INIT;
	o.filter = &ef;
	ef.tag = k.tag;
	cachet_evict_result r = CACHET_EVICT_RESULT_INIT;
	assert_int_equal(cachet_catalog_evict(&r, f->cat, &o), 0);
	cachet_evict_result_dispose(&r);
	assert_int_equal(cachet_catalog_explain(&ex, f->cat, &k, e1, NULL), 0);
	assert_int_equal(ex.status, CACHET_CACHE_MISS);
	assert_true(ex.eviction.found);
	assert_int_equal(ex.eviction.reason, CACHET_EVICT_TAG);
	cachet_explanation_dispose(&ex);
	/* explain counts nothing (the one lookup above aside) */
	assert_int_equal(total(f, CACHET_COUNTER_HITS), 1);
	assert_int_equal(total(f, CACHET_COUNTER_MISSES), 0);

	cachet_cache_key_dispose(&k);
	cachet_literal_map_free(e1);
	cachet_literal_map_free(e2);
	cachet_literal_map_free(e3);
	cachet_literal_map_free(run);
	cachet_literal_map_free(only_a);
}

/* A hit names its artifact even when that entry is not among the nearest
 * candidates (put without input hashes, it ranks after one with them), and
 * an expired entry names the entry that expired. */
static void test_explain_hit_artifact(void **state)
{
	fixture *f = *state;
	cachet_literal_map *in = inputs_abc(1, 2, NULL), *other = inputs_abc(1, 9, NULL);
	cachet_literal_map *out = int_outputs(0);
	cachet_explain_options eo = CACHET_EXPLAIN_OPTIONS_INIT;
	cachet_lookup_options lo = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_explanation ex = CACHET_EXPLANATION_INIT;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;
	cachet_cache_key k = CACHET_CACHE_KEY_INIT;
	int64_t t0 = f->now;

	assert_int_equal(cachet_cache_key_compute(&k, "proj", "dev", "t", "1.0", NULL, in, NULL), 0);
	assert_int_equal(cachet_catalog_put(&p, f->cat, &k, out, NULL), 0); /* no hashes */
	f->now += 10;
	put_with_inputs(f, "1.0", other);
	eo.max_candidates = 1;
	assert_int_equal(cachet_catalog_explain(&ex, f->cat, &k, in, &eo), 0);
	assert_int_equal(ex.status, CACHET_CACHE_HIT);
	assert_int_equal(ex.n_nearest, 1);
	assert_string_not_equal(ex.nearest[0].entry.artifact_id, p.artifact_id);
	assert_string_equal(ex.artifact_id, p.artifact_id);
	assert_int_equal(ex.created_at_ms, t0);
	cachet_explanation_dispose(&ex);

	f->now = t0 + 5000;
	lo.max_age_ms = 1000;
	eo.lookup = &lo;
	assert_int_equal(cachet_catalog_explain(&ex, f->cat, &k, in, &eo), 0);
	assert_int_equal(ex.status, CACHET_CACHE_MISS);
	assert_int_equal(ex.reason, CACHET_MISS_EXPIRED);
	assert_string_equal(ex.artifact_id, p.artifact_id);
	assert_int_equal(ex.created_at_ms, t0);
	cachet_explanation_dispose(&ex);

	cachet_put_result_dispose(&p);
	cachet_cache_key_dispose(&k);
	cachet_literal_map_free(in);
	cachet_literal_map_free(other);
	cachet_literal_map_free(out);
}

static void test_explain_missing_data_peeks(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_literal_map *m = blob_outputs(ROOT "/r/df.csv", CACHET_BLOB_SINGLE);
	cachet_explanation ex = CACHET_EXPLANATION_INIT;

	store_object(f, ROOT "/r/df.csv", "x");
	put_ok(f, &k, m, NULL);
	assert_int_equal(cachet_store_delete(f->store, ROOT "/r/df.csv"), 0);
	assert_int_equal(cachet_catalog_explain(&ex, f->cat, &k, NULL, NULL), 0);
	assert_int_equal(ex.status, CACHET_CACHE_MISS);
	assert_int_equal(ex.reason, CACHET_MISS_MISSING_DATA);
	assert_string_equal(ex.message, "output 'df' names 'mem://t/r/df.csv', which is gone from "
					"the store");
	assert_int_equal(ex.n_nearest, 1);
	assert_false(ex.nearest[0].inputs_recorded);
	cachet_explanation_dispose(&ex);
	assert_int_equal(count_entries(f), 1); /* not evicted by explain */
	cachet_literal_map_free(m);
}

/* ---- garbage collection ---- */

static void test_gc(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_gc_options o = CACHET_GC_OPTIONS_INIT;
	cachet_gc_result r = CACHET_GC_RESULT_INIT;
	cachet_literal_map *m = map_new();

	store_object(f, ROOT "/r1/kept.csv", "1");
	store_object(f, ROOT "/r1/dir/x", "22");
	store_object(f, ROOT "/r1/dir/y/z", "333");
	store_object(f, ROOT "/r1/dirty", "4444"); /* shares a prefix with dir, not a parent */
	store_object(f, ROOT "/r2/orphan", "55555");
	set(m, "a", cachet_literal_new_blob(ROOT "/r1/kept.csv", NULL, CACHET_BLOB_SINGLE));
	set(m, "d", cachet_literal_new_blob(ROOT "/r1/dir", NULL, CACHET_BLOB_MULTIPART));
	put_ok(f, &k, m, NULL);

	/* everything is younger than the grace period: nothing goes */
	o.grace_ms = 60000;
	assert_int_equal(cachet_catalog_gc(&r, f->cat, &o), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.n_kept, 5);
	cachet_gc_result_dispose(&r);

	/* later: the two unreferenced objects go; a dry run first */
	f->now += 120000;
	o.dry_run = true;
	assert_int_equal(cachet_catalog_gc(&r, f->cat, &o), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.bytes, 9);
	assert_int_equal(r.n_kept, 3);
	cachet_gc_result_dispose(&r);
	o.dry_run = false;
	assert_int_equal(cachet_catalog_gc(&r, f->cat, &o), 0);
	assert_int_equal(r.n, 2);
	bool dirty = false, orphan = false;
	for (size_t i = 0; i < r.n; i++) {
		dirty = dirty || strcmp(r.uris[i], ROOT "/r1/dirty") == 0;
		orphan = orphan || (strcmp(r.uris[i], ROOT "/r2/orphan") == 0 && r.sizes[i] == 5);
	}
	assert_true(dirty && orphan);
	cachet_gc_result_dispose(&r);
	cachet_store_stat st;
	assert_int_equal(cachet_store_stat_object(&st, f->store, ROOT "/r2/orphan"), CACHET_ENOTFOUND);
	assert_int_equal(cachet_store_stat_object(&st, f->store, ROOT "/r1/dir/y/z"), 0);
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_HIT); /* intact */

	/* after eviction, the entry's objects are garbage too */
	cachet_evict_options eo = CACHET_EVICT_OPTIONS_INIT;
	cachet_evict_result er = CACHET_EVICT_RESULT_INIT;
	eo.all = true;
	assert_int_equal(cachet_catalog_evict(&er, f->cat, &eo), 0);
	cachet_evict_result_dispose(&er);
	assert_int_equal(cachet_catalog_gc(&r, f->cat, &o), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.n_kept, 0);
	cachet_gc_result_dispose(&r);

	o.grace_ms = -1;
	assert_cachet_error(cachet_catalog_gc(&r, f->cat, &o), CACHET_EINVALID,
			    "gc: the grace period is negative");
	cachet_literal_map_free(m);
}

/* A store whose deletes of ".../stuck" fail as the file store's do. */
static int (*real_delete)(cachet_store_backend *b, const char *uri);

static int stuck_delete(cachet_store_backend *b, const char *uri)
{
	size_t len = strlen(uri);
	if (len >= 6 && strcmp(uri + len - 6, "/stuck") == 0)
		return cachet__error(CACHET_EIO, "cannot delete '%s': Operation not permitted", uri);
	return real_delete(b, uri);
}

typedef struct warnings {
	char text[8][256];
	size_t n;
} warnings;

static void record_warning(const char *message, void *payload)
{
	warnings *w = payload;
	if (w->n < 8)
		snprintf(w->text[w->n++], sizeof w->text[0], "%s", message);
}

/* A deletion that fails is warned about once, in the store's words (the
 * object named once), counted, and the others go on. */
static void test_gc_delete_fails(void **state)
{
	fixture *f = *state;
	cachet_store_backend *sb;
	cachet_store *store;
	cachet_catalog *cat;
	cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;
	cachet_gc_options o = CACHET_GC_OPTIONS_INIT;
	cachet_gc_result r = CACHET_GC_RESULT_INIT;
	warnings w = {.n = 0};

	assert_int_equal(cachet_store_backend_memory_new(&sb, ROOT), 0);
	real_delete = sb->delete_object;
	sb->delete_object = stuck_delete;
	assert_int_equal(cachet_store_new(&store, sb), 0);
	assert_int_equal(cachet_store_put_bytes(store, ROOT "/r/stuck", "abc", 3), 0);
	assert_int_equal(cachet_store_put_bytes(store, ROOT "/r/gone", "de", 2), 0);
	co.store = store;
	co.clock = fake_clock;
	co.clock_payload = f;
	assert_int_equal(cachet_catalog_open_memory(&cat, &co), 0);
	o.grace_ms = 0;
	f->now += 1000;
	cachet_set_warning_handler(record_warning, &w);
	int rc = cachet_catalog_gc(&r, cat, &o);
	cachet_set_warning_handler(NULL, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.text[0], "cannot delete 'mem://t/r/stuck': Operation not permitted");
	assert_int_equal(r.n_failed, 1);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.uris[0], ROOT "/r/gone");
	assert_int_equal(r.bytes, 2);
	cachet_gc_result_dispose(&r);
	cachet_catalog_free(cat);
	cachet_store_free(store);
}

static void test_gc_needs_store(void **state)
{
	fixture *f = *state;
	cachet_catalog *cat;
	cachet_gc_options o = CACHET_GC_OPTIONS_INIT;
	cachet_gc_result r = CACHET_GC_RESULT_INIT;

	(void)f;
	assert_int_equal(cachet_catalog_open_memory(&cat, NULL), 0);
	assert_cachet_error(cachet_catalog_gc(&r, cat, &o), CACHET_EINVALID,
			    "gc: the catalog was opened without a store");
	cachet_catalog_free(cat);
}

/* ---- arguments ---- */

static void test_bad_arguments(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, NULL);
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;
	cachet_lookup_options lo = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat;

	assert_cachet_error(cachet_catalog_lookup(&r, f->cat, &k, NULL), CACHET_EINVALID,
			    "cache key has no tag");
	assert_int_equal(r.status, CACHET_CACHE_LOOKUP_FAILURE);
	assert_int_equal(r.reason, CACHET_MISS_CATALOG_ERROR);
	assert_string_equal(r.message, "cache key has no tag");
	cachet_lookup_result_dispose(&r);
	k = key3("", V1, "flyte_cached-a");
	assert_cachet_error(cachet_catalog_put(&p, f->cat, &k, NULL, NULL), CACHET_EINVALID,
			    "cache key has no name");
	assert_int_equal(p.status, CACHET_CACHE_PUT_FAILURE);
	cachet_put_result_dispose(&p);
	assert_cachet_error(cachet_catalog_lookup(&r, NULL, &k, NULL), CACHET_EINVALID,
			    "lookup: no catalog");
	cachet_lookup_result_dispose(&r);
	k = key3("flyte_task-t", V1, "flyte_cached-a");
	lo.version = 99;
	assert_cachet_error(cachet_catalog_lookup(&r, f->cat, &k, &lo), CACHET_EINVALID,
			    "unsupported lookup options version 99 (this library knows 1 to 1)");
	cachet_lookup_result_dispose(&r);
	co.version = 7;
	assert_cachet_error(cachet_catalog_open_memory(&cat, &co), CACHET_EINVALID,
			    "unsupported catalog options version 7 (this library knows 1 to 1)");
	assert_cachet_error(cachet_catalog_open_sqlite(&cat, "", NULL), CACHET_EINVALID,
			    "open catalog: no path");
	/* an empty output map is a valid put, and NULL means empty */
	cachet_put_result q = CACHET_PUT_RESULT_INIT;
	assert_int_equal(cachet_catalog_put(&q, f->cat, &k, NULL, NULL), 0);
	cachet_put_result_dispose(&q);
	assert_int_equal(cachet_catalog_lookup(&r, f->cat, &k, NULL), 0);
	assert_int_equal(r.status, CACHET_CACHE_HIT);
	assert_int_equal(r.outputs->n_literals, 0);
	cachet_lookup_result_dispose(&r);
	assert_string_equal(cachet_catalog_backend_name(f->cat), f->backend);
	cachet_catalog_free(NULL);
	cachet_lookup_result_dispose(NULL);
}

/* ---- allocation failures ---- */

/* Fail the nth allocation of a put + lookup + list + explain sequence,
 * for every n until it runs through: each call fails cleanly or
 * succeeds, and nothing leaks (ASan checks). */
static void test_allocation_failures(void **state)
{
	fixture *f = *state;
	cachet_literal_map *in = inputs_abc(1, 2, "x");
	cachet_literal_map *out = blob_outputs(ROOT "/fi/df", CACHET_BLOB_MULTIPART);
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-fi");
	cachet_put_options po = CACHET_PUT_OPTIONS_INIT;

	store_object(f, ROOT "/fi/df/part0", "abc");
	po.inputs = in;
	po.overwrite = true;
	for (long n = 0;; n++) {
		cachet_put_result p = CACHET_PUT_RESULT_INIT;
		cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
		cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
		cachet_explanation ex = CACHET_EXPLANATION_INIT;
		cachet_catalog_stats s = CACHET_CATALOG_STATS_INIT;

		cachet__alloc_fail_after(n);
		int rc1 = cachet_catalog_put(&p, f->cat, &k, out, &po);
		int rc2 = cachet_catalog_lookup(&r, f->cat, &k, NULL);
		int rc3 = cachet_catalog_list(&l, f->cat, NULL, CACHET_ENTRY_OUTPUTS | CACHET_ENTRY_INPUTS);
		int rc4 = cachet_catalog_explain(&ex, f->cat, &k, in, NULL);
		int rc5 = cachet_catalog_stats_get(&s, f->cat);
		bool failed = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		assert_true(rc1 == 0 || rc1 == CACHET_ENOMEM);
		assert_true(rc1 == 0 || p.status == CACHET_CACHE_PUT_FAILURE);
		assert_true(rc2 == 0 || r.status == CACHET_CACHE_LOOKUP_FAILURE);
		cachet_put_result_dispose(&p);
		cachet_lookup_result_dispose(&r);
		if (rc3 == 0)
			cachet_catalog_entries_dispose(&l);
		if (rc4 == 0)
			cachet_explanation_dispose(&ex);
		if (rc5 == 0)
			cachet_catalog_stats_dispose(&s);
		if (!failed) {
			assert_int_equal(rc1 | rc2 | rc3 | rc4 | rc5, 0);
			break;
		}
		assert_true(n < 100000);
	}
	/* and the catalog still answers */
	assert_int_equal(lookup_n(f, &k, NULL), CACHET_CACHE_HIT);
	cachet_literal_map_free(in);
	cachet_literal_map_free(out);
}


/* Every options struct checks its version; every call its pointers. */
static void test_option_versions(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_put_options po = CACHET_PUT_OPTIONS_INIT;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;
	cachet_evict_options eo = CACHET_EVICT_OPTIONS_INIT;
	cachet_evict_result er = CACHET_EVICT_RESULT_INIT;
	cachet_gc_options go = CACHET_GC_OPTIONS_INIT;
	cachet_gc_result gr = CACHET_GC_RESULT_INIT;
	cachet_catalog_filter flt = CACHET_CATALOG_FILTER_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	cachet_explain_options xo = CACHET_EXPLAIN_OPTIONS_INIT;
	cachet_explanation ex = CACHET_EXPLANATION_INIT;
	cachet_serialize_options so = CACHET_SERIALIZE_OPTIONS_INIT;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_reservation res = CACHET_RESERVATION_INIT;
	cachet_eviction_record ev = CACHET_EVICTION_RECORD_INIT;
	cachet_catalog_stats st = CACHET_CATALOG_STATS_INIT;

	po.version = 0;
	assert_cachet_error(cachet_catalog_put(&p, f->cat, &k, NULL, &po), CACHET_EINVALID,
			    "unsupported put options version 0 (this library knows 1 to 2)");
	assert_string_equal(p.message,
			    "unsupported put options version 0 (this library knows 1 to 2)");
	cachet_put_result_dispose(&p);
	po = (cachet_put_options)CACHET_PUT_OPTIONS_INIT;
	po.n_ignore = 2;
	assert_cachet_error(cachet_catalog_put(&p, f->cat, &k, NULL, &po), CACHET_EINVALID,
			    "put options: 2 ignored inputs but no list");
	cachet_put_result_dispose(&p);
	eo.version = 4;
	assert_cachet_error(cachet_catalog_evict(&er, f->cat, &eo), CACHET_EINVALID,
			    "unsupported evict options version 4 (this library knows 1 to 3)");
	eo.version = 0;
	eo.all = true;
	assert_cachet_error(cachet_catalog_evict(&er, f->cat, &eo), CACHET_EINVALID,
			    "unsupported evict options version 0 (this library knows 1 to 3)");
	eo = (cachet_evict_options)CACHET_EVICT_OPTIONS_INIT;
	cachet_catalog_filter ef = CACHET_CATALOG_FILTER_INIT;
	ef.version = 4;
	eo.filter = &ef;
	assert_cachet_error(cachet_catalog_evict(&er, f->cat, &eo), CACHET_EINVALID,
			    "unsupported catalog filter version 4 (this library knows 1 to 1)");
	assert_cachet_error(cachet_catalog_evict(&er, f->cat, NULL), CACHET_EINVALID,
			    "evict: no options");
	go.version = 5;
	assert_cachet_error(cachet_catalog_gc(&gr, f->cat, &go), CACHET_EINVALID,
			    "unsupported gc options version 5 (this library knows 1 to 1)");
	assert_cachet_error(cachet_catalog_gc(&gr, f->cat, NULL), CACHET_EINVALID, "gc: no options");
	flt.version = 6;
	assert_cachet_error(cachet_catalog_list(&l, f->cat, &flt, 0), CACHET_EINVALID,
			    "unsupported catalog filter version 6 (this library knows 1 to 1)");
	xo.version = 7;
	assert_cachet_error(cachet_catalog_explain(&ex, f->cat, &k, NULL, &xo), CACHET_EINVALID,
			    "unsupported explain options version 7 (this library knows 1 to 1)");
	so.version = 8;
	assert_cachet_error(cachet_catalog_get_or_reserve(&r, f->cat, &k, NULL, &so),
			    CACHET_EINVALID,
			    "unsupported serialize options version 8 (this library knows 1 to 1)");
	cachet_lookup_result_dispose(&r);
	assert_cachet_error(cachet_catalog_get_or_reserve(&r, f->cat, &k, NULL, NULL),
			    CACHET_EINVALID, "serialize: no options (an owner is needed)");
	cachet_lookup_result_dispose(&r);
	/* missing pointers */
	assert_cachet_error(cachet_catalog_lookup(NULL, f->cat, &k, NULL), CACHET_EINVALID,
			    "lookup: no result pointer");
	assert_cachet_error(cachet_catalog_put(NULL, f->cat, &k, NULL, NULL), CACHET_EINVALID,
			    "put: no result pointer");
	assert_cachet_error(cachet_catalog_put(&p, NULL, &k, NULL, NULL), CACHET_EINVALID,
			    "put: no catalog");
	cachet_put_result_dispose(&p);
	assert_cachet_error(cachet_catalog_reserve(&res, NULL, &k, "me", 0), CACHET_EINVALID,
			    "reserve: no catalog");
	assert_cachet_error(cachet_catalog_release(NULL, &k, "me"), CACHET_EINVALID,
			    "release: no catalog");
	assert_cachet_error(cachet_catalog_list(NULL, f->cat, NULL, 0), CACHET_EINVALID,
			    "list: no result pointer");
	assert_cachet_error(cachet_catalog_evict(&er, NULL, &eo), CACHET_EINVALID,
			    "evict: no catalog");
	assert_cachet_error(cachet_catalog_gc(&gr, NULL, &go), CACHET_EINVALID, "gc: no catalog");
	assert_cachet_error(cachet_catalog_explain(&ex, NULL, &k, NULL, NULL), CACHET_EINVALID,
			    "explain: no catalog");
	assert_cachet_error(cachet_catalog_stats_get(NULL, f->cat), CACHET_EINVALID,
			    "stats: no result pointer");
	assert_cachet_error(cachet_catalog_last_eviction(&ev, NULL, &k), CACHET_EINVALID,
			    "last eviction: no catalog");
	assert_cachet_error(cachet_catalog_flush(NULL), CACHET_EINVALID, "flush catalog: no catalog");
	assert_cachet_error(cachet_catalog_open_memory(NULL, NULL), CACHET_EINVALID,
			    "open catalog: no output pointer");
	cachet_input_hash *h;
	size_t nh;
	assert_cachet_error(cachet_input_hashes(&h, &nh, NULL, NULL, 1), CACHET_EINVALID,
			    "input hashes: 1 ignored inputs but no list");
	assert_null(cachet_catalog_backend_name(NULL));
	(void)st;
}

/* A store whose stat fails: lookups and puts fail, saying why. */
static int failing_stat(cachet_store_stat *out, cachet_store_backend *b, const char *uri)
{
	(void)out, (void)b;
	return cachet__error(CACHET_EIO, "cannot stat '%s': Input/output error", uri);
}

static int unused_list(cachet_store_backend *b, const char *prefix, cachet_store_list_fn fn,
		       void *payload)
{
	(void)b, (void)prefix, (void)fn, (void)payload;
	return 0;
}

static void test_store_failure(void **state)
{
	fixture *f = *state;
	cachet_cache_key k = key3("flyte_task-t", V1, "flyte_cached-a");
	cachet_literal_map *m = blob_outputs(ROOT "/x/df.csv", CACHET_BLOB_SINGLE);
	cachet_store_backend *mem, *broken;
	cachet_store *bad;
	cachet_catalog *cat;
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;

	store_object(f, ROOT "/x/df.csv", "1");
	put_ok(f, &k, m, NULL);
	cachet_catalog_free(f->cat);
	f->cat = NULL;
	/* the same memory store's operations, with stat broken */
	assert_int_equal(cachet_store_backend_memory_new(&mem, ROOT), 0);
	broken = mem;
	broken->stat = failing_stat;
	broken->list = unused_list;
	assert_int_equal(cachet_store_new(&bad, broken), 0);
	o.store = bad;
	open_with(f, &cat, &o);
	if (f->backend != MEMORY) {
		assert_cachet_error(cachet_catalog_lookup(&r, cat, &k, NULL), CACHET_EIO,
				    "cannot stat 'mem://t/x/df.csv': Input/output error");
		assert_int_equal(r.status, CACHET_CACHE_LOOKUP_FAILURE);
		assert_int_equal(r.reason, CACHET_MISS_CATALOG_ERROR);
		assert_string_equal(r.message, "cannot stat 'mem://t/x/df.csv': Input/output error");
		cachet_lookup_result_dispose(&r);
	}
	assert_cachet_error(cachet_catalog_put(&p, cat, &k, m, NULL), CACHET_EIO,
			    "cannot stat 'mem://t/x/df.csv': Input/output error");
	assert_int_equal(p.status, CACHET_CACHE_PUT_FAILURE);
	cachet_put_result_dispose(&p);
	cachet_catalog_free(cat);
	cachet_store_free(bad);
	open_catalog(f);
	cachet_literal_map_free(m);
}

#define TESTS(B)                                                                        \
	cmocka_unit_test_prestate_setup_teardown(test_put_then_hit, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_miss, setup, teardown, (void *)B),   \
	cmocka_unit_test_prestate_setup_teardown(test_put_keeps_existing, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_overwrite, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_max_age, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_interface_check, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_missing_data_evicts, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_directory_and_foreign_uris, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_put_missing_object, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_put_nul_in_uri, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_reservations, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_get_or_reserve, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_list, setup, teardown, (void *)B),   \
	cmocka_unit_test_prestate_setup_teardown(test_list_no_inputs_recorded, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_put_interface_check, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_filter_cache_version, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_evict_cache_version_lru, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_explain_hit_artifact, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_gc_delete_fails, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_evict_by_tag_task_version, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_evict_by_age_and_size, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_stats, setup, teardown, (void *)B),  \
	cmocka_unit_test_prestate_setup_teardown(test_explain, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_explain_missing_data_peeks, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_gc, setup, teardown, (void *)B),     \
	cmocka_unit_test_prestate_setup_teardown(test_gc_needs_store, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_bad_arguments, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_option_versions, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_store_failure, setup, teardown, (void *)B), \
	cmocka_unit_test_prestate_setup_teardown(test_allocation_failures, setup, teardown, (void *)B)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {TESTS(SQLITE)};
	const struct CMUnitTest memory_tests[] = {TESTS(MEMORY)};
	const struct CMUnitTest postgres_tests[] = {TESTS(POSTGRES)};
	int failed = cmocka_run_group_tests_name("catalog (sqlite)", sqlite_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("catalog (memory)", memory_tests, NULL, NULL);
	if (getenv("CACHET_TEST_PG"))
		failed += cmocka_run_group_tests_name("catalog (postgresql)", postgres_tests, NULL,
						      NULL);
	return failed;
}
