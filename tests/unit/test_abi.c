/*
 * The ABI rules (docs/design.md, "ABI"): every options struct, backend
 * table and result struct is checked by one rule with one message; a
 * result is written only when its version is known, and keeps the
 * caller's version; an older backend table without an optional operation
 * still works; and a backend written against the cachet/sys/ headers
 * alone works end to end.
 */
#include "test_helpers.h"

#include "cachet.h"
#include "cachet/sys/catalog_backend.h"
#include "cachet/sys/store_backend.h"
#include "store/copy.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* A tiny store backend: a few objects in memory, writers of a chosen
 * version.                                                               */

#define TS_MAX 4
#define TS_ROOT "test://bytes"

typedef struct ts_object {
	char *uri;
	char *data;
	size_t len;
} ts_object;

typedef struct tiny_store {
	cachet_store_backend base;
	ts_object objects[TS_MAX];
	size_t n;
	unsigned int writer_version; /* what open_writer hands out */
	unsigned int reader_version;
	bool with_splice;            /* version-2 writers: set splice */
	size_t splices;              /* calls of splice */
} tiny_store;

/*
 * The table of a writer built against version 1: no splice member. What
 * follows it in memory is a trap that fails the test if the library takes
 * it for splice.
 */
typedef struct v1_writer_table {
	unsigned int version;
	int (*write)(cachet_store_writer *w, const void *data, size_t len);
	int (*commit)(cachet_store_writer *w);
	void (*abort)(cachet_store_writer *w);
} v1_writer_table;

typedef struct ts_writer {
	union {
		cachet_store_writer table; /* version 2 */
		struct {
			v1_writer_table v1;
			int (*trap)(cachet_store_writer *w, int fd, size_t max, size_t *n);
		} old;
	} u;
	tiny_store *ts;
	char *uri;
	char *data;
	size_t len;
} ts_writer;

static int ts_write(cachet_store_writer *base, const void *data, size_t len)
{
	ts_writer *w = (ts_writer *)base;
	char *grown = realloc(w->data, w->len + len);

	assert_non_null(grown);
	memcpy(grown + w->len, data, len);
	w->data = grown;
	w->len += len;
	return 0;
}

static void ts_abort(cachet_store_writer *base)
{
	ts_writer *w = (ts_writer *)base;

	free(w->uri);
	free(w->data);
	free(w);
}

static int ts_commit(cachet_store_writer *base)
{
	ts_writer *w = (ts_writer *)base;
	tiny_store *ts = w->ts;

	assert_true(ts->n < TS_MAX);
	ts->objects[ts->n++] = (ts_object){w->uri, w->data, w->len};
	free(w);
	return 0;
}

/* Emulates a kernel copy: reads fd itself, so the test sees the call. */
static int ts_splice(cachet_store_writer *base, int fd, size_t max, size_t *n)
{
	ts_writer *w = (ts_writer *)base;
	char buf[256];
	ssize_t got = read(fd, buf, max < sizeof buf ? max : sizeof buf);

	w->ts->splices++;
	if (got < 0)
		return CACHET_STORE_SPLICE_DECLINED;
	*n = (size_t)got;
	return ts_write(base, buf, (size_t)got);
}

static int trap_splice(cachet_store_writer *w, int fd, size_t max, size_t *n)
{
	(void)w, (void)fd, (void)max, (void)n;
	fail_msg("the library read splice from a version-1 writer");
	return 0;
}

static int ts_open_writer(cachet_store_writer **out, cachet_store_backend *b, const char *uri,
			  uint64_t size_hint)
{
	tiny_store *ts = (tiny_store *)b;
	ts_writer *w = calloc(1, sizeof *w);

	(void)size_hint;
	assert_non_null(w);
	w->ts = ts;
	w->uri = strdup(uri);
	if (ts->writer_version == 1) {
		w->u.old.v1 = (v1_writer_table){1, ts_write, ts_commit, ts_abort};
		w->u.old.trap = trap_splice;
	} else {
		w->u.table = (cachet_store_writer){ts->writer_version, ts_write, ts_commit,
						   ts_abort, ts->with_splice ? ts_splice : NULL};
	}
	*out = &w->u.table;
	return 0;
}

typedef struct ts_reader {
	cachet_store_reader base;
	const ts_object *o;
	size_t at;
} ts_reader;

static int ts_read(cachet_store_reader *base, void *buf, size_t cap, size_t *got)
{
	ts_reader *r = (ts_reader *)base;
	size_t left = r->o->len - r->at;

	*got = left < cap ? left : cap;
	memcpy(buf, r->o->data + r->at, *got);
	r->at += *got;
	return 0;
}

static void ts_close(cachet_store_reader *r)
{
	free(r);
}

static const ts_object *ts_find(tiny_store *ts, const char *uri)
{
	for (size_t i = 0; i < ts->n; i++)
		if (strcmp(ts->objects[i].uri, uri) == 0)
			return &ts->objects[i];
	return NULL;
}

static int ts_open_reader(cachet_store_reader **out, cachet_store_backend *b, const char *uri)
{
	tiny_store *ts = (tiny_store *)b;
	const ts_object *o = ts_find(ts, uri);
	ts_reader *r;

	if (o == NULL)
		return CACHET_ENOTFOUND;
	r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->base = (cachet_store_reader){ts->reader_version, ts_read, ts_close};
	r->o = o;
	*out = &r->base;
	return 0;
}

static int ts_stat(cachet_store_stat *out, cachet_store_backend *b, const char *uri)
{
	const ts_object *o = ts_find((tiny_store *)b, uri);

	if (o == NULL)
		return CACHET_ENOTFOUND;
	*out = (cachet_store_stat){o->len, {0, 0}};
	return 0;
}

static int ts_list(cachet_store_backend *b, const char *prefix, cachet_store_list_fn fn,
		   void *payload)
{
	tiny_store *ts = (tiny_store *)b;

	for (size_t i = 0; i < ts->n; i++) {
		cachet_store_stat st = {ts->objects[i].len, {0, 0}};
		if (strncmp(ts->objects[i].uri, prefix, strlen(prefix)) == 0) {
			int rc = fn(ts->objects[i].uri, &st, payload);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int ts_delete(cachet_store_backend *b, const char *uri)
{
	(void)b, (void)uri;
	return CACHET_ENOTFOUND;
}

static void ts_free(cachet_store_backend *b)
{
	tiny_store *ts = (tiny_store *)b;

	for (size_t i = 0; i < ts->n; i++) {
		free(ts->objects[i].uri);
		free(ts->objects[i].data);
	}
	free(ts);
}

static tiny_store *tiny_store_new(unsigned int writer_version)
{
	tiny_store *ts = calloc(1, sizeof *ts);

	assert_non_null(ts);
	ts->base = (cachet_store_backend){
		.version = CACHET_STORE_BACKEND_VERSION,
		.root = TS_ROOT,
		.open_writer = ts_open_writer,
		.open_reader = ts_open_reader,
		.stat = ts_stat,
		.list = ts_list,
		.delete_object = ts_delete,
		.free = ts_free,
	};
	ts->writer_version = writer_version;
	ts->reader_version = CACHET_STORE_BACKEND_VERSION;
	return ts;
}

/* A local file of n bytes (0, 1, 2, ...) in a fresh directory. */
static char *local_file(char *dir, size_t n)
{
	static char path[256];
	unsigned char *data = malloc(n);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/data.bin", dir);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)i;
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	free(data);
	return path;
}

/* Copy a 1000-byte file into a tiny store through the kernel-copy path
 * (no hashing), and check the object's bytes; *splices: splice calls. */
static void copy_through(unsigned int writer_version, bool with_splice, size_t *splices)
{
	char dir[] = "/tmp/cachet-abi-XXXXXX";
	const char *path = local_file(dir, 1000);
	tiny_store *ts = tiny_store_new(writer_version);
	cachet_store *store;
	char *got = NULL;
	size_t len = 0;

	ts->with_splice = with_splice;
	assert_int_equal(cachet_store_new(&store, &ts->base), 0);
	assert_int_equal(
		cachet__copy_in(NULL, store, TS_ROOT "/a/data.bin", path, path, NULL, NULL), 0);
	assert_int_equal(cachet_store_get_bytes(&got, &len, store, TS_ROOT "/a/data.bin"), 0);
	assert_int_equal(len, 1000);
	for (size_t i = 0; i < len; i++)
		assert_int_equal((unsigned char)got[i], (unsigned char)i);
	*splices = ts->splices;
	cachet_free(got);
	cachet_store_free(store);
	unlink(path);
	rmdir(dir);
}

/* A version-1 writer has no splice: the store reads and writes instead,
 * without looking past the version-1 table (the trap would fail). */
static void test_version1_writer_without_splice(void **state)
{
	size_t splices = 99;

	(void)state;
	copy_through(1, false, &splices);
	assert_int_equal(splices, 0);
}

/* A version-2 writer that leaves splice NULL: read and write too. */
static void test_version2_writer_without_splice(void **state)
{
	size_t splices = 99;

	(void)state;
	copy_through(2, false, &splices);
	assert_int_equal(splices, 0);
}

/* A version-2 writer with splice: the store uses it (1000 bytes in at most
 * 256 a call, then the call that finds the end). */
static void test_version2_writer_splices(void **state)
{
	size_t splices = 0;

	(void)state;
	copy_through(2, true, &splices);
	assert_int_equal(splices, 5);
}

/* ---------------------------------------------------------------------- */
/* A tiny catalog backend: artifacts in an array, nothing else kept.      */

#define TC_MAX 4

typedef struct tc_artifact {
	cachet_cache_key key; /* strings owned */
	char artifact_id[64];
	char *outputs;
	size_t outputs_len;
	int64_t created_at_ms;
} tc_artifact;

typedef struct tiny_catalog {
	cachet_catalog_backend base;
	tc_artifact a[TC_MAX];
	size_t n;
	size_t records; /* calls of record (hit bookkeeping) */
	bool *freed;
} tiny_catalog;

static bool same_key(const cachet_cache_key *x, const cachet_cache_key *y)
{
	return strcmp(x->project, y->project) == 0 && strcmp(x->domain, y->domain) == 0 &&
	       strcmp(x->name, y->name) == 0 && strcmp(x->version, y->version) == 0 &&
	       strcmp(x->tag, y->tag) == 0;
}

static tc_artifact *tc_find_key(tiny_catalog *tc, const cachet_cache_key *key)
{
	for (size_t i = 0; i < tc->n; i++)
		if (same_key(&tc->a[i].key, key))
			return &tc->a[i];
	return NULL;
}

static int tc_find(cachet_catalog_backend *b, cachet_catalog_found *out,
		   const cachet_cache_key *key)
{
	tiny_catalog *tc = (tiny_catalog *)b;
	tc_artifact *a = tc_find_key(tc, key);

	if (a == NULL)
		return CACHET_ENOTFOUND;
	*out = (cachet_catalog_found){(int64_t)(a - tc->a) + 1, a->artifact_id, a->created_at_ms,
				      a->outputs, a->outputs_len};
	return 0;
}

static int tc_put(cachet_catalog_backend *b, cachet_catalog_put_outcome *out,
		  const cachet_catalog_put_row *row, bool overwrite,
		  const cachet_catalog_batch *batch)
{
	tiny_catalog *tc = (tiny_catalog *)b;
	tc_artifact *a = tc_find_key(tc, row->key);

	(void)batch;
	*out = (cachet_catalog_put_outcome){false, false, ""};
	if (a != NULL && !overwrite) {
		snprintf(out->artifact_id, sizeof out->artifact_id, "%s", a->artifact_id);
		return 0;
	}
	assert_null(a); /* the test never overwrites */
	assert_true(tc->n < TC_MAX);
	a = &tc->a[tc->n++];
	a->key = (cachet_cache_key){CACHET_CACHE_KEY_VERSION,
				    strdup(row->key->project), strdup(row->key->domain),
				    strdup(row->key->name), strdup(row->key->version),
				    strdup(row->key->tag)};
	snprintf(a->artifact_id, sizeof a->artifact_id, "%s", row->artifact_id);
	a->outputs = malloc(row->outputs_len ? row->outputs_len : 1);
	memcpy(a->outputs, row->outputs, row->outputs_len);
	a->outputs_len = row->outputs_len;
	a->created_at_ms = row->now_ms;
	out->created = true;
	snprintf(out->artifact_id, sizeof out->artifact_id, "%s", a->artifact_id);
	return 0;
}

static int tc_record(cachet_catalog_backend *b, const cachet_catalog_batch *batch)
{
	(void)batch;
	((tiny_catalog *)b)->records++;
	return 0;
}

static int tc_reserve(cachet_catalog_backend *b, cachet_reservation *out, char **holder,
		      bool *taken, const cachet_cache_key *key,
		      const cachet_catalog_reserve_args *args, const cachet_catalog_batch *batch)
{
	(void)b, (void)out, (void)holder, (void)taken, (void)key, (void)args, (void)batch;
	return CACHET_EUNSUPPORTED;
}

static int tc_release(cachet_catalog_backend *b, bool *released, const cachet_cache_key *key,
		      const char *owner, const cachet_catalog_batch *batch)
{
	(void)b, (void)key, (void)owner, (void)batch;
	*released = false;
	return 0;
}

static int tc_list(cachet_catalog_backend *b, const cachet_catalog_query *q,
		   cachet_catalog_row_fn fn, void *ctx)
{
	tiny_catalog *tc = (tiny_catalog *)b;

	(void)q; /* the test lists everything */
	for (size_t i = 0; i < tc->n; i++) {
		const tc_artifact *a = &tc->a[i];
		cachet_catalog_row row = {
			.ref = (int64_t)i + 1,
			.project = a->key.project,
			.domain = a->key.domain,
			.name = a->key.name,
			.version = a->key.version,
			.task_version = "",
			.tag = a->key.tag,
			.artifact_id = a->artifact_id,
			.created_at_ms = a->created_at_ms,
			.last_used_at_ms = a->created_at_ms,
			.outputs = a->outputs,
			.outputs_len = a->outputs_len,
		};
		int rc = fn(ctx, &row);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	return 0;
}

static int tc_evict(cachet_catalog_backend *b, bool *deleted, const int64_t *refs, size_t n,
		    cachet_evict_reason reason, const char *detail, int64_t now_ms,
		    const cachet_catalog_batch *batch)
{
	(void)b, (void)refs, (void)reason, (void)detail, (void)now_ms, (void)batch;
	memset(deleted, 0, n * sizeof *deleted);
	return 0;
}

static int tc_last_eviction(cachet_catalog_backend *b, cachet_eviction_record *out,
			    const cachet_cache_key *key)
{
	(void)b, (void)key, (void)out; /* never evicted: out stays as the library cleared it */
	return 0;
}

static int tc_counters(cachet_catalog_backend *b, cachet_catalog_counter_fn fn, void *ctx)
{
	(void)b, (void)fn, (void)ctx;
	return 0;
}

static int tc_usage(cachet_catalog_backend *b, cachet_catalog_usage_fn fn, void *ctx)
{
	(void)b, (void)fn, (void)ctx;
	return 0;
}

static int tc_each_outputs(cachet_catalog_backend *b, cachet_catalog_blob_fn fn, void *ctx)
{
	tiny_catalog *tc = (tiny_catalog *)b;

	for (size_t i = 0; i < tc->n; i++) {
		int rc = fn(ctx, tc->a[i].outputs, tc->a[i].outputs_len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool tc_read_only(cachet_catalog_backend *b)
{
	(void)b;
	return false;
}

static void tc_free(cachet_catalog_backend *b)
{
	tiny_catalog *tc = (tiny_catalog *)b;

	for (size_t i = 0; i < tc->n; i++) {
		cachet_cache_key *k = &tc->a[i].key;
		free(k->project), free(k->domain), free(k->name), free(k->version), free(k->tag);
		free(tc->a[i].outputs);
	}
	if (tc->freed)
		*tc->freed = true;
	free(tc);
}

static tiny_catalog *tiny_catalog_new(bool *freed)
{
	tiny_catalog *tc = calloc(1, sizeof *tc);

	assert_non_null(tc);
	tc->base = (cachet_catalog_backend){
		.version = CACHET_CATALOG_BACKEND_VERSION,
		.name = "tiny",
		.find = tc_find,
		.put = tc_put,
		.record = tc_record,
		.reserve = tc_reserve,
		.release = tc_release,
		.list = tc_list,
		.evict = tc_evict,
		.last_eviction = tc_last_eviction,
		.counters = tc_counters,
		.usage = tc_usage,
		.each_outputs = tc_each_outputs,
		.read_only = tc_read_only,
		.free = tc_free,
	};
	tc->freed = freed;
	return tc;
}

static cachet_cache_key test_key(void)
{
	return (cachet_cache_key){CACHET_CACHE_KEY_VERSION,
				  (char *)"proj", (char *)"dev", (char *)"flyte_task-t",
				  (char *)"1.0-AAAAAAAA-BBBBBBBB", (char *)"flyte_cached-x"};
}

/* Put, look up, list and flush through a backend the test wrote. */
static void test_catalog_backend_end_to_end(void **state)
{
	bool freed = false;
	tiny_catalog *tc = tiny_catalog_new(&freed);
	cachet_catalog *cat;
	cachet_cache_key key = test_key();
	cachet_literal_map *outputs;
	cachet_put_result put = CACHET_PUT_RESULT_INIT;
	cachet_lookup_result hit = CACHET_LOOKUP_RESULT_INIT;
	cachet_catalog_entries list = CACHET_CATALOG_ENTRIES_INIT;

	(void)state;
	assert_int_equal(cachet_catalog_open_backend(&cat, &tc->base, NULL), 0);
	assert_string_equal(cachet_catalog_backend_name(cat), "tiny");
	assert_int_equal(cachet_literal_map_new(&outputs), 0);
	assert_int_equal(cachet_literal_map_set(outputs, "o", cachet_literal_new_integer(42)), 0);

	assert_int_equal(cachet_catalog_put(&put, cat, &key, outputs, NULL), 0);
	assert_int_equal(put.status, CACHET_CACHE_POPULATED);
	assert_true(put.created);
	assert_int_equal(tc->n, 1);
	assert_string_equal(put.artifact_id, tc->a[0].artifact_id);

	assert_int_equal(cachet_catalog_lookup(&hit, cat, &key, NULL), 0);
	assert_int_equal(hit.status, CACHET_CACHE_HIT);
	assert_string_equal(hit.artifact_id, put.artifact_id);
	assert_int_equal(hit.outputs->n_literals, 1);
	assert_string_equal(hit.outputs->literals[0].key, "o");
	assert_int_equal(hit.outputs->literals[0].value->scalar->primitive->integer, 42);

	assert_int_equal(cachet_catalog_list(&list, cat, NULL, 0), 0);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.entries[0].tag, "flyte_cached-x");
	assert_string_equal(list.entries[0].artifact_id, put.artifact_id);

	/* the hit's bookkeeping reaches the backend at flush */
	size_t before = tc->records;
	assert_int_equal(cachet_catalog_flush(cat), 0);
	assert_int_equal(tc->records, before + 1);

	cachet_catalog_entries_dispose(&list);
	cachet_lookup_result_dispose(&hit);
	cachet_put_result_dispose(&put);
	cachet_literal_map_free(outputs);
	assert_false(freed);
	cachet_catalog_free(cat);
	assert_true(freed);
}

/* A backend missing an operation is refused, and freed. */
static void test_catalog_backend_incomplete(void **state)
{
	bool freed = false;
	tiny_catalog *tc = tiny_catalog_new(&freed);
	cachet_catalog *cat = (cachet_catalog *)1;

	(void)state;
	tc->base.usage = NULL;
	assert_cachet_error(cachet_catalog_open_backend(&cat, &tc->base, NULL), CACHET_EINVALID,
			    "catalog backend lacks an operation");
	assert_null(cat);
	assert_true(freed);
}

/* ---------------------------------------------------------------------- */
/* One version rule, one message                                          */

/* What every call below shares. */
static struct {
	cachet_catalog *cat;
	cachet_store *store;
	cachet_task *task;
	cachet_workflow *wf;
	char home[64];    /* a cachet home holding one run */
	char run_id[128]; /* that run */
} g;

static int no_fn(cachet_task_context *ctx, void *payload)
{
	(void)ctx, (void)payload;
	return 0;
}

static int call_catalog_options(unsigned int v)
{
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat = NULL;

	o.version = v;
	int rc = cachet_catalog_open_memory(&cat, &o);
	cachet_catalog_free(cat);
	return rc;
}

static int call_lookup_options(unsigned int v)
{
	cachet_lookup_options o = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_cache_key key = test_key();
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;

	o.version = v;
	int rc = cachet_catalog_lookup(&r, g.cat, &key, &o);
	cachet_lookup_result_dispose(&r);
	return rc;
}

static int call_put_options(unsigned int v)
{
	cachet_put_options o = CACHET_PUT_OPTIONS_INIT;
	cachet_cache_key key = test_key();
	cachet_put_result r = CACHET_PUT_RESULT_INIT;

	o.version = v;
	int rc = cachet_catalog_put(&r, g.cat, &key, NULL, &o);
	cachet_put_result_dispose(&r);
	return rc;
}

static int call_serialize_options(unsigned int v)
{
	cachet_serialize_options o = CACHET_SERIALIZE_OPTIONS_INIT;
	cachet_cache_key key = test_key();
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;

	o.version = v;
	o.owner = "me";
	int rc = cachet_catalog_get_or_reserve(&r, g.cat, &key, NULL, &o);
	cachet_lookup_result_dispose(&r);
	return rc;
}

static int call_catalog_filter(unsigned int v)
{
	cachet_catalog_filter f = CACHET_CATALOG_FILTER_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;

	f.version = v;
	int rc = cachet_catalog_list(&l, g.cat, &f, 0);
	if (rc == 0)
		cachet_catalog_entries_dispose(&l);
	return rc;
}

static int call_evict_filter(unsigned int v)
{
	cachet_catalog_filter f = CACHET_CATALOG_FILTER_INIT;
	cachet_evict_options o = CACHET_EVICT_OPTIONS_INIT;
	cachet_evict_result r = CACHET_EVICT_RESULT_INIT;

	f.version = v;
	f.tag = "flyte_cached-none";
	o.filter = &f;
	int rc = cachet_catalog_evict(&r, g.cat, &o);
	if (rc == 0)
		cachet_evict_result_dispose(&r);
	return rc;
}

static int call_evict_options(unsigned int v)
{
	cachet_evict_options o = CACHET_EVICT_OPTIONS_INIT;
	cachet_evict_result r = CACHET_EVICT_RESULT_INIT;

	o.version = v;
	o.dry_run = true;
	o.all = true;
	int rc = cachet_catalog_evict(&r, g.cat, &o);
	if (rc == 0)
		cachet_evict_result_dispose(&r);
	return rc;
}

static int call_gc_options(unsigned int v)
{
	cachet_gc_options o = CACHET_GC_OPTIONS_INIT;
	cachet_gc_result r = CACHET_GC_RESULT_INIT;

	o.version = v;
	int rc = cachet_catalog_gc(&r, g.cat, &o);
	if (rc == 0)
		cachet_gc_result_dispose(&r);
	return rc;
}

static int call_explain_options(unsigned int v)
{
	cachet_explain_options o = CACHET_EXPLAIN_OPTIONS_INIT;
	cachet_cache_key key = test_key();
	cachet_explanation ex = CACHET_EXPLANATION_INIT;

	o.version = v;
	int rc = cachet_catalog_explain(&ex, g.cat, &key, NULL, &o);
	cachet_explanation_dispose(&ex);
	return rc;
}

static int call_key_options(unsigned int v)
{
	cachet_key_options o = CACHET_KEY_OPTIONS_INIT;
	cachet_cache_key key = CACHET_CACHE_KEY_INIT;

	o.version = v;
	int rc = cachet_cache_key_compute(&key, "p", "d", "t", "1", NULL, NULL, &o);
	cachet_cache_key_dispose(&key);
	return rc;
}

static int call_task_file_key_options(unsigned int v)
{
	cachet_key_options o = CACHET_KEY_OPTIONS_INIT;
	cachet_task_file task = {0};
	cachet_cache_key key = {0};

	o.version = v;
	int rc = cachet_task_file_key(&key, &task, NULL, &o);
	cachet_cache_key_dispose(&key);
	return rc;
}

static int call_hash_options(unsigned int v)
{
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	char *hash = NULL;

	o.version = v;
	int rc = cachet_hash_path(&hash, "/nonexistent/x", &o);
	cachet_free(hash);
	return rc;
}

static int call_offload_hash_options(unsigned int v)
{
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = NULL;

	o.version = v;
	int rc = cachet_offload_path(&lit, g.store, NULL, "/nonexistent/x", CACHET_OFFLOAD_AUTO,
				     NULL, &o);
	cachet_literal_free(lit);
	return rc;
}

static int call_hash_method(unsigned int v)
{
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	cachet_literal *lit = cachet_literal_new_integer(1);

	m.version = v;
	int rc = cachet_literal_fill_hash(lit, "/nonexistent/x", &m, NULL);
	cachet_literal_free(lit);
	return rc;
}

static int call_task_hash_method(unsigned int v)
{
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;

	m.version = v;
	return cachet_task_set_hash_method(g.task, "o", &m);
}

static int call_task_cache(unsigned int v)
{
	cachet_task_cache c = CACHET_TASK_CACHE_INIT;

	c.version = v;
	return cachet_task_set_cache(g.task, &c);
}

static int call_run_options(unsigned int v)
{
	cachet_run_options o = CACHET_RUN_OPTIONS_INIT;
	cachet_run *run = NULL;

	o.version = v;
	int rc = cachet_run_new(&run, g.wf, NULL, &o);
	cachet_run_free(run);
	return rc;
}

static int call_workflow_load_options(unsigned int v)
{
	cachet_workflow_load_options o = CACHET_WORKFLOW_LOAD_OPTIONS_INIT;
	cachet_workflow *wf = NULL;

	o.version = v;
	int rc = cachet_workflow_load_buffer(&wf, "x", 1, "w", NULL, &o);
	cachet_workflow_free(wf);
	return rc;
}

/* A key handed to the catalog is checked as well (every call goes
 * through one check of its key). */
static int call_key_input(unsigned int v)
{
	cachet_cache_key key = test_key();
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;

	key.struct_version = v;
	int rc = cachet_catalog_lookup(&r, g.cat, &key, NULL);
	cachet_lookup_result_dispose(&r);
	return rc;
}

static int call_load_problems(unsigned int v)
{
	cachet_workflow_load_options o = CACHET_WORKFLOW_LOAD_OPTIONS_INIT;
	cachet_problems p = CACHET_PROBLEMS_INIT;
	cachet_workflow *wf = NULL;

	p.version = v;
	o.problems = &p;
	int rc = cachet_workflow_load_buffer(&wf, "x", 1, "w", NULL, &o);
	cachet_problems_dispose(&p);
	cachet_workflow_free(wf);
	return rc;
}

static int call_store_backend(unsigned int v)
{
	tiny_store *ts = tiny_store_new(CACHET_STORE_BACKEND_VERSION);
	cachet_store *s = NULL;

	ts->base.version = v;
	int rc = cachet_store_new(&s, &ts->base); /* frees ts on failure */
	cachet_store_free(s);
	return rc;
}

static int call_store_writer(unsigned int v)
{
	tiny_store *ts = tiny_store_new(v);
	cachet_store *s;
	cachet_store_writer *w = (cachet_store_writer *)1;

	assert_int_equal(cachet_store_new(&s, &ts->base), 0);
	int rc = cachet_store_writer_open(&w, s, TS_ROOT "/x", 0);
	if (rc == 0)
		cachet_store_writer_abort(w);
	else
		assert_null(w);
	cachet_store_free(s);
	return rc;
}

static int call_store_reader(unsigned int v)
{
	tiny_store *ts = tiny_store_new(CACHET_STORE_BACKEND_VERSION);
	cachet_store *s;
	cachet_store_reader *r = (cachet_store_reader *)1;

	ts->reader_version = v;
	assert_int_equal(cachet_store_new(&s, &ts->base), 0);
	assert_int_equal(cachet_store_put_bytes(s, TS_ROOT "/x", "abc", 3), 0);
	int rc = cachet_store_reader_open(&r, s, TS_ROOT "/x");
	if (rc == 0)
		cachet_store_reader_close(r);
	else
		assert_null(r);
	cachet_store_free(s);
	return rc;
}

static int call_catalog_backend(unsigned int v)
{
	tiny_catalog *tc = tiny_catalog_new(NULL);
	cachet_catalog *cat = NULL;

	tc->base.version = v;
	int rc = cachet_catalog_open_backend(&cat, &tc->base, NULL);
	cachet_catalog_free(cat);
	return rc;
}

typedef struct version_case {
	const char *what;     /* as the message names it */
	unsigned int current; /* the public constant */
	int (*call)(unsigned int version);
} version_case;

static const version_case cases[] = {
	{"catalog options", CACHET_CATALOG_OPTIONS_VERSION, call_catalog_options},
	{"lookup options", CACHET_LOOKUP_OPTIONS_VERSION, call_lookup_options},
	{"put options", CACHET_PUT_OPTIONS_VERSION, call_put_options},
	{"serialize options", CACHET_SERIALIZE_OPTIONS_VERSION, call_serialize_options},
	{"catalog filter", CACHET_CATALOG_FILTER_VERSION, call_catalog_filter},
	{"catalog filter", CACHET_CATALOG_FILTER_VERSION, call_evict_filter},
	{"evict options", CACHET_EVICT_OPTIONS_VERSION, call_evict_options},
	{"gc options", CACHET_GC_OPTIONS_VERSION, call_gc_options},
	{"explain options", CACHET_EXPLAIN_OPTIONS_VERSION, call_explain_options},
	{"key options", CACHET_KEY_OPTIONS_VERSION, call_key_options},
	{"key options", CACHET_KEY_OPTIONS_VERSION, call_task_file_key_options},
	{"hash options", CACHET_HASH_OPTIONS_VERSION, call_hash_options},
	{"hash options", CACHET_HASH_OPTIONS_VERSION, call_offload_hash_options},
	{"hash method", CACHET_HASH_METHOD_VERSION, call_hash_method},
	{"hash method", CACHET_HASH_METHOD_VERSION, call_task_hash_method},
	{"task cache settings", CACHET_TASK_CACHE_VERSION, call_task_cache},
	{"run options", CACHET_RUN_OPTIONS_VERSION, call_run_options},
	{"workflow load options", CACHET_WORKFLOW_LOAD_OPTIONS_VERSION,
	 call_workflow_load_options},
	{"problems", CACHET_PROBLEMS_VERSION, call_load_problems},
	{"cache key", CACHET_CACHE_KEY_VERSION, call_key_input},
	{"store backend", CACHET_STORE_BACKEND_VERSION, call_store_backend},
	{"store writer", CACHET_STORE_BACKEND_VERSION, call_store_writer},
	{"store reader", CACHET_STORE_BACKEND_VERSION, call_store_reader},
	{"catalog backend", CACHET_CATALOG_BACKEND_VERSION, call_catalog_backend},
};

/* Run a workflow of one node in a fresh home, so that the home has a run
 * record to read. */
static int make_home_with_run(void)
{
	cachet_workflow *wf = NULL;
	cachet_run *run = NULL;
	cachet_run_options o = CACHET_RUN_OPTIONS_INIT;
	int rc;

	snprintf(g.home, sizeof g.home, "/tmp/cachet-abi-home-XXXXXX");
	if (mkdtemp(g.home) == NULL)
		return -1;
	o.home = g.home;
	o.store = g.store;
	o.catalog = g.cat;
	o.no_cache = true;
	rc = cachet_workflow_new(&wf, "w1");
	if (rc == 0)
		rc = cachet_workflow_add_node(wf, "n", g.task, NULL);
	if (rc == 0)
		rc = cachet_run_new(&run, wf, NULL, &o);
	if (rc == 0)
		rc = cachet_run_execute(run);
	if (rc == 0)
		snprintf(g.run_id, sizeof g.run_id, "%s", cachet_run_id(run));
	cachet_run_free(run);
	cachet_workflow_free(wf);
	return rc;
}

static int rule_setup(void **state)
{
	cachet_store_backend *b;
	cachet_interface *iface = NULL;
	cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;

	(void)state;
	if (cachet_store_backend_memory_new(&b, "mem://abi") < 0 ||
	    cachet_store_new(&g.store, b) < 0)
		return -1;
	co.store = g.store;
	if (cachet_catalog_open_memory(&g.cat, &co) < 0 ||
	    cachet_task_new_function(&g.task, "t", iface, no_fn, NULL) < 0 ||
	    cachet_workflow_new(&g.wf, "w") < 0 || make_home_with_run() < 0)
		return -1;
	return 0;
}

static int rule_teardown(void **state)
{
	(void)state;
	cachet__remove_tree(g.home);
	cachet_workflow_free(g.wf);
	cachet_task_free(g.task);
	cachet_store_free(g.store);
	cachet_catalog_free(g.cat);
	return 0;
}

/*
 * Version 0 (a struct never initialised) and current + 1 (a caller newer
 * than the library) are refused with CACHET_EINVALID and the one message,
 * by every entry point that takes a versioned struct.
 */
static void test_one_version_rule(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const version_case *c = &cases[i];
		unsigned int bad[] = {0, c->current + 1};
		for (size_t j = 0; j < 2; j++) {
			char want[160];
			snprintf(want, sizeof want,
				 "unsupported %s version %u (this library knows 1 to %u)", c->what,
				 bad[j], c->current);
			print_message("%s, version %u\n", c->what, bad[j]);
			assert_cachet_error(c->call(bad[j]), CACHET_EINVALID, want);
		}
	}
}

/* The tables this library knows are accepted, the oldest included. */
static void test_known_backend_versions_accepted(void **state)
{
	(void)state;
	for (unsigned int v = 1; v <= CACHET_STORE_BACKEND_VERSION; v++) {
		assert_int_equal(call_store_backend(v), 0);
		assert_int_equal(call_store_writer(v), 0);
		assert_int_equal(call_store_reader(v), 0);
	}
	assert_int_equal(call_catalog_backend(1), 0);
}

/* ---------------------------------------------------------------------- */
/* Result structs: versioned, written only when known                     */

/* Room for any result struct. */
typedef union any_result {
	cachet_lookup_result lookup;
	cachet_put_result put;
	cachet_reservation reservation;
	cachet_catalog_entries entries;
	cachet_evict_result evict;
	cachet_eviction_record eviction;
	cachet_gc_result gc;
	cachet_catalog_stats stats;
	cachet_explanation explanation;
	cachet_cache_key key;
	cachet_run_record record;
	cachet_run_records records;
	cachet_problems problems;
	cachet_run_counts counts;
} any_result;

/* Every result struct starts with its version (the key's is struct_version). */
static unsigned int version_of(const any_result *r)
{
	unsigned int v;

	memcpy(&v, r, sizeof v);
	return v;
}

/* The outputs every put stores: {"o": 42}. */
static cachet_literal_map *outputs_42(void)
{
	cachet_literal_map *m = NULL;

	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "o", cachet_literal_new_integer(42)), 0);
	return m;
}

/*
 * For each result: its initialiser, a call that succeeds and what it
 * fills, a call that fails for another reason than the version, its
 * dispose. The catalog holds the entry put_42 stores under test_key().
 */
static void put_42(void)
{
	cachet_put_result r = CACHET_PUT_RESULT_INIT;
	cachet_cache_key key = test_key();
	cachet_literal_map *m = outputs_42();

	assert_int_equal(cachet_catalog_put(&r, g.cat, &key, m, NULL), 0);
	cachet_put_result_dispose(&r);
	cachet_literal_map_free(m);
}

static void lookup_init(any_result *r) { r->lookup = (cachet_lookup_result)CACHET_LOOKUP_RESULT_INIT; }
static int lookup_call(any_result *r)
{
	cachet_cache_key key = test_key();
	return cachet_catalog_lookup(&r->lookup, g.cat, &key, NULL);
}
static void lookup_check(const any_result *r)
{
	assert_int_equal(r->lookup.status, CACHET_CACHE_HIT);
	assert_int_equal(r->lookup.outputs->literals[0].value->scalar->primitive->integer, 42);
}
static int lookup_fail(any_result *r) { return cachet_catalog_lookup(&r->lookup, g.cat, NULL, NULL); }
static void lookup_dispose(any_result *r) { cachet_lookup_result_dispose(&r->lookup); }

static int serialize_call(any_result *r)
{
	cachet_cache_key key = test_key();
	cachet_serialize_options o = CACHET_SERIALIZE_OPTIONS_INIT;

	o.owner = "me";
	return cachet_catalog_get_or_reserve(&r->lookup, g.cat, &key, NULL, &o);
}
static int serialize_fail(any_result *r)
{
	cachet_cache_key key = test_key();
	return cachet_catalog_get_or_reserve(&r->lookup, g.cat, &key, NULL, NULL);
}

static void put_init(any_result *r) { r->put = (cachet_put_result)CACHET_PUT_RESULT_INIT; }
static int put_call(any_result *r)
{
	cachet_cache_key key = test_key();
	cachet_literal_map *m = outputs_42();
	int rc = cachet_catalog_put(&r->put, g.cat, &key, m, NULL);
	cachet_literal_map_free(m);
	return rc;
}
static void put_check(const any_result *r)
{
	assert_int_equal(r->put.status, CACHET_CACHE_POPULATED);
	assert_false(r->put.created); /* put_42 stored it first */
	assert_non_null(r->put.artifact_id);
}
static int put_fail(any_result *r) { return cachet_catalog_put(&r->put, g.cat, NULL, NULL, NULL); }
static void put_dispose(any_result *r) { cachet_put_result_dispose(&r->put); }

static void reservation_init(any_result *r)
{
	r->reservation = (cachet_reservation)CACHET_RESERVATION_INIT;
}
static int reservation_call(any_result *r)
{
	cachet_cache_key key = test_key();
	return cachet_catalog_reserve(&r->reservation, g.cat, &key, "me", 1000);
}
static void reservation_check(const any_result *r)
{
	assert_true(r->reservation.acquired);
	assert_string_equal(r->reservation.owner_id, "me");
}
static int reservation_fail(any_result *r)
{
	cachet_cache_key key = test_key();
	return cachet_catalog_reserve(&r->reservation, g.cat, &key, NULL, 1000);
}
static void reservation_dispose(any_result *r) { cachet_reservation_dispose(&r->reservation); }

static void entries_init(any_result *r) { r->entries = (cachet_catalog_entries)CACHET_CATALOG_ENTRIES_INIT; }
static int entries_call(any_result *r) { return cachet_catalog_list(&r->entries, g.cat, NULL, 0); }
static void entries_check(const any_result *r)
{
	assert_int_equal(r->entries.n, 1);
	assert_string_equal(r->entries.entries[0].tag, "flyte_cached-x");
}
static int entries_fail(any_result *r)
{
	cachet_catalog_filter f = CACHET_CATALOG_FILTER_INIT;
	f.version = 0;
	return cachet_catalog_list(&r->entries, g.cat, &f, 0);
}
static void entries_dispose(any_result *r) { cachet_catalog_entries_dispose(&r->entries); }

static void evict_init(any_result *r) { r->evict = (cachet_evict_result)CACHET_EVICT_RESULT_INIT; }
static int evict_call(any_result *r)
{
	cachet_evict_options o = CACHET_EVICT_OPTIONS_INIT;
	o.all = true;
	o.dry_run = true;
	return cachet_catalog_evict(&r->evict, g.cat, &o);
}
static void evict_check(const any_result *r)
{
	assert_int_equal(r->evict.reason, CACHET_EVICT_TASK);
	assert_int_equal(r->evict.evicted.version, CACHET_CATALOG_ENTRIES_VERSION);
	assert_int_equal(r->evict.evicted.n, 1);
}
static int evict_fail(any_result *r) { return cachet_catalog_evict(&r->evict, g.cat, NULL); }
static void evict_dispose(any_result *r) { cachet_evict_result_dispose(&r->evict); }

static void eviction_init(any_result *r)
{
	r->eviction = (cachet_eviction_record)CACHET_EVICTION_RECORD_INIT;
}
static int eviction_call(any_result *r)
{
	cachet_cache_key key = test_key();
	return cachet_catalog_last_eviction(&r->eviction, g.cat, &key);
}
static void eviction_check(const any_result *r)
{
	assert_false(r->eviction.found); /* never evicted */
	assert_null(r->eviction.artifact_id);
}
static int eviction_fail(any_result *r)
{
	return cachet_catalog_last_eviction(&r->eviction, g.cat, NULL);
}
static void eviction_dispose(any_result *r) { cachet_eviction_record_dispose(&r->eviction); }

static void gc_init(any_result *r) { r->gc = (cachet_gc_result)CACHET_GC_RESULT_INIT; }
static int gc_call(any_result *r)
{
	cachet_gc_options o = CACHET_GC_OPTIONS_INIT;
	o.dry_run = true;
	return cachet_catalog_gc(&r->gc, g.cat, &o);
}
static void gc_check(const any_result *r)
{
	assert_int_equal(r->gc.n, 0); /* the store is empty */
	assert_null(r->gc.uris);
}
static int gc_fail(any_result *r) { return cachet_catalog_gc(&r->gc, g.cat, NULL); }
static void gc_dispose(any_result *r) { cachet_gc_result_dispose(&r->gc); }

static void stats_init(any_result *r) { r->stats = (cachet_catalog_stats)CACHET_CATALOG_STATS_INIT; }
static int stats_call(any_result *r) { return cachet_catalog_stats_get(&r->stats, g.cat); }
static void stats_check(const any_result *r)
{
	assert_int_equal(r->stats.n_tasks, 1);
	assert_int_equal(r->stats.total.n_entries, 1);
}
static int stats_fail(any_result *r) { return cachet_catalog_stats_get(&r->stats, NULL); }
static void stats_dispose(any_result *r) { cachet_catalog_stats_dispose(&r->stats); }

static void explanation_init(any_result *r)
{
	r->explanation = (cachet_explanation)CACHET_EXPLANATION_INIT;
}
static int explanation_call(any_result *r)
{
	cachet_cache_key key = test_key();
	return cachet_catalog_explain(&r->explanation, g.cat, &key, NULL, NULL);
}
static void explanation_check(const any_result *r)
{
	assert_int_equal(r->explanation.status, CACHET_CACHE_HIT);
	assert_string_equal(r->explanation.tag, "flyte_cached-x");
	assert_int_equal(r->explanation.eviction.version, CACHET_EVICTION_RECORD_VERSION);
}
static int explanation_fail(any_result *r)
{
	cachet_cache_key key = test_key();
	cachet_explain_options o = CACHET_EXPLAIN_OPTIONS_INIT;
	o.version = 0;
	return cachet_catalog_explain(&r->explanation, g.cat, &key, NULL, &o);
}
static void explanation_dispose(any_result *r) { cachet_explanation_dispose(&r->explanation); }

static void key_init(any_result *r) { r->key = (cachet_cache_key)CACHET_CACHE_KEY_INIT; }
static int key_call(any_result *r)
{
	return cachet_cache_key_compute(&r->key, "p", "d", "t", "1", NULL, NULL, NULL);
}
static void key_check(const any_result *r)
{
	assert_string_equal(r->key.name, "flyte_task-t");
	assert_string_equal(r->key.version, "1-GKw-c0Pw-GKw-c0Pw");
}
static int key_fail(any_result *r)
{
	return cachet_cache_key_compute(&r->key, "p", "d", "t", " ", NULL, NULL, NULL);
}
static void key_dispose(any_result *r) { cachet_cache_key_dispose(&r->key); }

static void record_init(any_result *r) { r->record = (cachet_run_record)CACHET_RUN_RECORD_INIT; }
static int record_call(any_result *r) { return cachet_run_record_read(&r->record, g.home, g.run_id); }
static void record_check(const any_result *r)
{
	assert_string_equal(r->record.id, g.run_id);
	assert_int_equal(r->record.status, CACHET_RUN_SUCCEEDED);
	assert_int_equal(r->record.n_nodes, 1);
}
static int record_fail(any_result *r) { return cachet_run_record_read(&r->record, g.home, "nosuchrun"); }
static void record_dispose(any_result *r) { cachet_run_record_dispose(&r->record); }

static void records_init(any_result *r) { r->records = (cachet_run_records)CACHET_RUN_RECORDS_INIT; }
static int records_call(any_result *r) { return cachet_run_records_list(&r->records, g.home, NULL, 0); }
static void records_check(const any_result *r)
{
	assert_int_equal(r->records.n, 1);
	assert_int_equal(r->records.items[0].version, CACHET_RUN_RECORD_VERSION);
	assert_string_equal(r->records.items[0].id, g.run_id);
}
static int records_fail(any_result *r)
{
	return cachet_run_records_list(&r->records, "/dev/null", NULL, 0); /* not a directory */
}
static void records_dispose(any_result *r) { cachet_run_records_dispose(&r->records); }

static void problems_init(any_result *r) { r->problems = (cachet_problems)CACHET_PROBLEMS_INIT; }
static int problems_call(any_result *r) { return cachet_workflow_validate(&r->problems, g.wf); }
static void problems_check(const any_result *r)
{
	assert_int_equal(r->problems.n, 0); /* an empty workflow is a valid one */
	assert_null(r->problems.items);
}
static int problems_fail(any_result *r) { return cachet_workflow_validate(&r->problems, NULL); }
static void problems_dispose(any_result *r) { cachet_problems_dispose(&r->problems); }

static void counts_init(any_result *r) { r->counts = (cachet_run_counts)CACHET_RUN_COUNTS_INIT; }
static int counts_call(any_result *r)
{
	memset((char *)&r->counts + sizeof r->counts.version, 0xa5,
	       sizeof r->counts - sizeof r->counts.version);
	return cachet_run_counts_get(&r->counts, NULL);
}
static void counts_check(const any_result *r)
{
	assert_int_equal(r->counts.total, 0); /* no run: every count 0 */
	assert_int_equal(r->counts.aborted, 0);
}
static void counts_dispose(any_result *r) { (void)r; /* nothing to release */ }

typedef struct result_case {
	const char *what;     /* as the message names it */
	unsigned int current; /* the public constant */
	size_t size;          /* the struct's size */
	void (*init)(any_result *r);
	int (*call)(any_result *r); /* succeeds */
	void (*check)(const any_result *r);
	int (*fail_call)(any_result *r); /* fails for another reason (NULL: none can) */
	void (*dispose)(any_result *r);
} result_case;

#define RESULT_CASE(what, VERSION, type, name, call)                                   \
	{what, VERSION, sizeof(type), name##_init, call##_call, name##_check, call##_fail,   \
	 name##_dispose}

static const result_case results[] = {
	RESULT_CASE("lookup result", CACHET_LOOKUP_RESULT_VERSION, cachet_lookup_result, lookup,
		    lookup),
	RESULT_CASE("lookup result", CACHET_LOOKUP_RESULT_VERSION, cachet_lookup_result, lookup,
		    serialize),
	RESULT_CASE("put result", CACHET_PUT_RESULT_VERSION, cachet_put_result, put, put),
	RESULT_CASE("reservation", CACHET_RESERVATION_VERSION, cachet_reservation, reservation,
		    reservation),
	RESULT_CASE("catalog entries", CACHET_CATALOG_ENTRIES_VERSION, cachet_catalog_entries,
		    entries, entries),
	RESULT_CASE("evict result", CACHET_EVICT_RESULT_VERSION, cachet_evict_result, evict,
		    evict),
	RESULT_CASE("eviction record", CACHET_EVICTION_RECORD_VERSION, cachet_eviction_record,
		    eviction, eviction),
	RESULT_CASE("gc result", CACHET_GC_RESULT_VERSION, cachet_gc_result, gc, gc),
	RESULT_CASE("catalog stats", CACHET_CATALOG_STATS_VERSION, cachet_catalog_stats, stats,
		    stats),
	RESULT_CASE("explanation", CACHET_EXPLANATION_VERSION, cachet_explanation, explanation,
		    explanation),
	RESULT_CASE("cache key", CACHET_CACHE_KEY_VERSION, cachet_cache_key, key, key),
	RESULT_CASE("run record", CACHET_RUN_RECORD_VERSION, cachet_run_record, record, record),
	RESULT_CASE("run records", CACHET_RUN_RECORDS_VERSION, cachet_run_records, records,
		    records),
	RESULT_CASE("problems", CACHET_PROBLEMS_VERSION, cachet_problems, problems, problems),
	{"run counts", CACHET_RUN_COUNTS_VERSION, sizeof(cachet_run_counts), counts_init,
	 counts_call, counts_check, NULL, counts_dispose},
};

#define N_RESULTS (sizeof results / sizeof results[0])

/*
 * Version 0 and current + 1 are refused with the one message, and the
 * struct is not written at all: every byte after the version is left as
 * it was (here a pattern no call would write), and its dispose, which
 * cannot know its layout, leaves it alone too.
 */
static void test_result_unknown_version_refused(void **state)
{
	(void)state;
	put_42();
	for (size_t i = 0; i < N_RESULTS; i++) {
		const result_case *c = &results[i];
		unsigned int bad[] = {0, c->current + 1};
		for (size_t j = 0; j < 2; j++) {
			any_result r, before;
			char want[160];

			memset(&r, 0xa5, sizeof r);
			memcpy(&r, &bad[j], sizeof bad[j]);
			before = r;
			snprintf(want, sizeof want,
				 "unsupported %s version %u (this library knows 1 to %u)", c->what,
				 bad[j], c->current);
			print_message("%s, version %u\n", c->what, bad[j]);
			assert_cachet_error(c->call(&r), CACHET_EINVALID, want);
			assert_memory_equal(&r, &before, c->size);
			c->dispose(&r);
			assert_memory_equal(&r, &before, c->size);
		}
	}
}

/*
 * A result of the current version is filled, keeps its version, and after
 * its dispose can be passed to the next call as it is.
 */
static void test_result_current_version_round_trips(void **state)
{
	(void)state;
	put_42();
	for (size_t i = 0; i < N_RESULTS; i++) {
		const result_case *c = &results[i];
		any_result r;

		print_message("%s\n", c->what);
		c->init(&r);
		assert_int_equal(version_of(&r), c->current);
		for (int round = 0; round < 2; round++) {
			assert_int_equal(c->call(&r), 0);
			assert_int_equal(version_of(&r), c->current);
			c->check(&r);
			c->dispose(&r);
			assert_int_equal(version_of(&r), c->current);
		}
	}
}

/* A call that fails for another reason keeps the caller's version, and
 * what it left is released by the dispose (the leak checker watches). */
static void test_result_version_survives_failure(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_RESULTS; i++) {
		const result_case *c = &results[i];
		any_result r;

		if (c->fail_call == NULL)
			continue;
		print_message("%s\n", c->what);
		c->init(&r);
		assert_true(c->fail_call(&r) < 0);
		assert_int_equal(version_of(&r), c->current);
		c->dispose(&r);
		assert_int_equal(version_of(&r), c->current);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version1_writer_without_splice),
		cmocka_unit_test(test_version2_writer_without_splice),
		cmocka_unit_test(test_version2_writer_splices),
		cmocka_unit_test(test_catalog_backend_end_to_end),
		cmocka_unit_test(test_catalog_backend_incomplete),
		cmocka_unit_test_setup_teardown(test_one_version_rule, rule_setup, rule_teardown),
		cmocka_unit_test(test_known_backend_versions_accepted),
		cmocka_unit_test_setup_teardown(test_result_unknown_version_refused, rule_setup,
						rule_teardown),
		cmocka_unit_test_setup_teardown(test_result_current_version_round_trips,
						rule_setup, rule_teardown),
		cmocka_unit_test_setup_teardown(test_result_version_survives_failure, rule_setup,
						rule_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
