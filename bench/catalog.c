/*
 * bench_catalog: the catalog's latencies and size, as the issue asks.
 *
 *   - lookup of a hit, in process, local file store, the completeness
 *     check (a stat of each offloaded output) included: p50 / p99, with
 *     a small catalog (1,000 entries) and with a big one (1,000,000);
 *   - lookup of a miss, and a hit with write-through bookkeeping (every
 *     lookup writes), for comparison;
 *   - put: p50 / p99;
 *   - database bytes per artifact of 5 small outputs (an integer, a
 *     float, a string, a file and a dataframe in the store) with the
 *     component hashes of 5 inputs.
 *
 * The big catalog is generated in one SQLite transaction with the same
 * rows a put writes (same outputs, new ids and tags), since a million
 * puts one by one would measure the put, not the lookup.
 *
 *   bench_catalog [N]     (default 1000000 entries for the big case)
 *
 * It measures and prints; it does not judge.
 */
#include "cachet/catalog.h"
#include "cachet/codec.h"
#include "cachet/key.h"
#include "cachet/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SAMPLES 20000
#define PUTS 2000
#define DATASETS 1000 /* tasks × versions the entries spread over */

static void die(const char *what)
{
	fprintf(stderr, "bench_catalog: %s: %s\n", what, cachet_error_last()->message);
	exit(1);
}

#include "catalog_fixture.h"

/* The i-th key: dataset i % DATASETS, a tag as Flyte's (43 b64url chars). */
typedef struct key_buf {
	char name[64], version[64], tag[64];
	cachet_cache_key key;
} key_buf;

static void make_key(key_buf *k, size_t i)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64_t x = i * 0x9E3779B97F4A7C15ull + 1;
	snprintf(k->name, sizeof k->name, "flyte_task-task%zu", (i % DATASETS) / 10);
	snprintf(k->version, sizeof k->version, "%zu.0-Qmk8g-g-WdosOi3f", (i % DATASETS) % 10);
	memcpy(k->tag, "flyte_cached-", 13);
	for (int j = 0; j < 43; j++) {
		x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
		k->tag[13 + j] = b64[(x * 0x2545F4914F6CDD1Dull) >> 58];
	}
	k->tag[56] = '\0';
	k->key = (cachet_cache_key){CACHET_CACHE_KEY_VERSION,
				    (char *)"project", (char *)"development", k->name, k->version,
				    k->tag};
}

static cachet_literal_map *inputs(void)
{
	cachet_literal_map *m = NULL;
	if (cachet_literal_map_new(&m) < 0)
		die("map");
	cachet_literal_map_set(m, "a", cachet_literal_new_integer(3));
	cachet_literal_map_set(m, "b", cachet_literal_new_float(2.5));
	cachet_literal_map_set(m, "c", cachet_literal_new_string("abc"));
	cachet_literal *df = cachet_literal_new_dataset("file:///x/in.csv", "csv");
	cachet_literal_set_hash(df, "sha256:0b0f5d2c3c1b5a7c9e8d6f4a2b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a3b5c");
	cachet_literal_map_set(m, "df", df);
	cachet_literal_map_set(m, "flag", cachet_literal_new_boolean(true));
	return m;
}

static cachet_catalog *open_catalog(const char *path, cachet_store *store, bool write_through)
{
	cachet_catalog *cat;
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	o.store = store;
	o.write_through = write_through;
	if (cachet_catalog_open_sqlite(&cat, path, &o) < 0)
		die("opening the catalog");
	return cat;
}

/* p50/p99 of SAMPLES lookups of random keys among the first n. */
static void bench_lookups(const char *label, cachet_catalog *cat, size_t n, bool miss)
{
	double *t = malloc(SAMPLES * sizeof *t);
	key_buf k;
	unsigned seed = 12345;
	size_t hits = 0;

	for (size_t i = 0; i < SAMPLES; i++) {
		seed = seed * 1103515245u + 12345u;
		make_key(&k, miss ? n + (seed >> 4) % n : (seed >> 4) % n);
		cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
		double t0 = now_us();
		int rc = cachet_catalog_lookup(&r, cat, &k.key, NULL);
		t[i] = now_us() - t0;
		if (rc < 0)
			die("lookup");
		hits += r.status == CACHET_CACHE_HIT;
		cachet_lookup_result_dispose(&r);
	}
	printf("%-44s p50 %7.1f us   p99 %7.1f us   (%zu of %d hit)\n", label,
	       pct(t, SAMPLES, 0.50), pct(t, SAMPLES, 0.99), hits, SAMPLES);
	free(t);
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* Checkpoint the WAL into the file so that its size tells the truth. */
static void checkpoint(const char *path)
{
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(db);
}

/* Rows as a put writes them, n of them (after the first `from`), in one
 * transaction. */
static void bulk_insert(const char *path, size_t from, size_t n, const char *outputs_pb,
			size_t outputs_len, const char *inputs_pb, size_t inputs_len)
{
	sqlite3 *db;
	sqlite3_stmt *ds, *dsid, *art, *tag;
	int64_t now = (int64_t)time(NULL) * 1000;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		exit(1);
	/* a cache big enough that the transaction never spills to the WAL early */
	sqlite3_exec(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -2000000; BEGIN", NULL,
		     NULL, NULL);
	sqlite3_prepare_v2(db,
			   "INSERT INTO datasets (project, domain, name, version, uuid, task_version,"
			   " created_at) VALUES ('project', 'development', ?1, ?2, ?3, 'v1', ?4)"
			   " ON CONFLICT DO NOTHING",
			   -1, &ds, NULL);
	sqlite3_prepare_v2(db, "SELECT id FROM datasets WHERE project = 'project' AND domain ="
			       " 'development' AND name = ?1 AND version = ?2", -1, &dsid, NULL);
	sqlite3_prepare_v2(db,
			   "INSERT INTO artifacts (dataset_id, uuid, outputs, input_hashes, exec_project,"
			   " exec_domain, execution_name, exec_node, exec_attempt, created_at,"
			   " last_used_at, size_bytes) VALUES (?1, ?2, ?3, ?4, 'project', 'development',"
			   " ?5, 'n0', 0, ?6, ?6, 5120) RETURNING id",
			   -1, &art, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO tags (dataset_id, name, artifact_id) VALUES (?1, ?2, ?3)",
			   -1, &tag, NULL);
	for (size_t i = from; i < from + n; i++) {
		key_buf k;
		char uuid[64], exec[32];
		make_key(&k, i);
		snprintf(uuid, sizeof uuid, "%08zx-0000-4000-8000-%012llx", i,
			 (unsigned long long)(i * 2654435761u) & 0xffffffffffffull);
		snprintf(exec, sizeof exec, "a%zx", i);
		sqlite3_bind_text(ds, 1, k.name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ds, 2, k.version, -1, SQLITE_STATIC);
		sqlite3_bind_text(ds, 3, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ds, 4, now);
		sqlite3_step(ds);
		sqlite3_reset(ds);
		sqlite3_bind_text(dsid, 1, k.name, -1, SQLITE_STATIC);
		sqlite3_bind_text(dsid, 2, k.version, -1, SQLITE_STATIC);
		sqlite3_step(dsid);
		int64_t d = sqlite3_column_int64(dsid, 0);
		sqlite3_reset(dsid);
		sqlite3_bind_int64(art, 1, d);
		sqlite3_bind_text(art, 2, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_blob(art, 3, outputs_pb, (int)outputs_len, SQLITE_STATIC);
		sqlite3_bind_blob(art, 4, inputs_pb, (int)inputs_len, SQLITE_STATIC);
		sqlite3_bind_text(art, 5, exec, -1, SQLITE_STATIC);
		sqlite3_bind_int64(art, 6, now);
		if (sqlite3_step(art) != SQLITE_ROW) {
			fprintf(stderr, "bench_catalog: insert: %s\n", sqlite3_errmsg(db));
			exit(1);
		}
		int64_t a = sqlite3_column_int64(art, 0);
		sqlite3_reset(art);
		sqlite3_bind_int64(tag, 1, d);
		sqlite3_bind_text(tag, 2, k.tag, -1, SQLITE_STATIC);
		sqlite3_bind_int64(tag, 3, a);
		sqlite3_step(tag);
		sqlite3_reset(tag);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(ds);
	sqlite3_finalize(dsid);
	sqlite3_finalize(art);
	sqlite3_finalize(tag);
	sqlite3_close(db);
}

int main(int argc, char **argv)
{
	size_t big = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	char dir[] = "/tmp/bench_catalog.XXXXXX", path[256], storedir[256];
	cachet_store_backend *sb;
	cachet_store *store = NULL;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/catalog.db", dir);
	snprintf(storedir, sizeof storedir, "%s/store", dir);
	if (cachet_store_backend_file_new(&sb, storedir) < 0 || cachet_store_new(&store, sb) < 0)
		die("opening the store");
	const char *root = cachet_store_root(store);
	write_object(store, root, "model/model.bin", 4096);
	write_object(store, root, "df/data.csv", 1024);

	cachet_literal_map *out = outputs(root), *in = inputs();
	cachet_put_options po = CACHET_PUT_OPTIONS_INIT;
	po.inputs = in;
	po.task_version = "v1";
	cachet_artifact_source source = {"project", "development", "a8f2c", "n0", 0};
	po.source = &source;

	printf("bench_catalog: SQLite %s, catalog in %s\n", sqlite3_libversion(), dir);
	printf("outputs: 5 (integer, float, string, a file and a dataframe in the local store); "
	       "inputs: 5\n\n");

	/* ---- small catalog: puts, then lookups ---- */
	cachet_catalog *cat = open_catalog(path, store, false);
	double *t = malloc(PUTS * sizeof *t);
	for (size_t i = 0; i < PUTS; i++) {
		key_buf k;
		cachet_put_result r = CACHET_PUT_RESULT_INIT;
		make_key(&k, i);
		double t0 = now_us();
		if (cachet_catalog_put(&r, cat, &k.key, out, &po) < 0)
			die("put");
		t[i] = now_us() - t0;
		cachet_put_result_dispose(&r);
	}
	cachet_catalog_free(cat);
	checkpoint(path);
	off_t small_size = file_size(path);
	printf("%-44s p50 %7.1f us   p99 %7.1f us\n", "put (new entry, 2 objects stat'ed)",
	       pct(t, PUTS, 0.50), pct(t, PUTS, 0.99));
	free(t);
	printf("%-44s %7.0f bytes per artifact (%d entries, %lld bytes)\n", "database size",
	       (double)small_size / PUTS, PUTS, (long long)small_size);

	cat = open_catalog(path, store, false);
	bench_lookups("lookup hit, 2,000 entries", cat, PUTS, false);
	bench_lookups("lookup miss, 2,000 entries", cat, PUTS, true);
	cachet_catalog_free(cat);
	cat = open_catalog(path, store, true);
	bench_lookups("lookup hit, write-through bookkeeping", cat, PUTS, false);
	cachet_catalog_free(cat);
	cat = NULL;

	/* ---- big catalog ---- */
	if (big > PUTS) {
		char *opb, *ipb;
		size_t olen, ilen;
		cachet_input_hash *h;
		size_t nh = 0;
		if (cachet_literal_map_encode(&opb, &olen, out, CACHET_FORMAT_PB, 0) < 0 ||
		    cachet_input_hashes(&h, &nh, in, NULL, 0) < 0)
			die("encoding");
		/* the input hashes as put stores them: a LiteralMap of strings */
		cachet_literal_map *hm = NULL;
		cachet_literal_map_new(&hm);
		for (size_t i = 0; i < nh; i++)
			cachet_literal_map_set(hm, h[i].name, cachet_literal_new_string(h[i].hash));
		if (cachet_literal_map_encode(&ipb, &ilen, hm, CACHET_FORMAT_PB, 0) < 0)
			die("encoding");
		double t0 = now_us();
		bulk_insert(path, PUTS, big - PUTS, opb, olen, ipb, ilen);
		checkpoint(path);
		double secs = (now_us() - t0) / 1e6;
		off_t big_size = file_size(path);
		printf("\n%zu entries generated in %.1f s\n", big, secs);
		printf("%-44s %7.0f bytes per artifact (%zu entries, %lld bytes)\n", "database size",
		       (double)big_size / (double)big, big, (long long)big_size);
		char label[64];
		cat = open_catalog(path, store, false);
		snprintf(label, sizeof label, "lookup hit, %zu entries", big);
		bench_lookups(label, cat, big, false);
		snprintf(label, sizeof label, "lookup miss, %zu entries", big);
		bench_lookups(label, cat, big, true);
		cachet_catalog_free(cat);
		cachet_free(opb);
		cachet_free(ipb);
		cachet_input_hashes_free(h, nh);
		cachet_literal_map_free(hm);
	}
	cachet_literal_map_free(out);
	cachet_literal_map_free(in);
	cachet_store_free(store);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_catalog: could not remove %s\n", dir);
	return 0;
}
