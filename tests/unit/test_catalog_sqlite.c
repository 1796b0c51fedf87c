/*
 * The SQLite catalog's own faults and guarantees: persistence across
 * handles, the schema version and migration, files that are not catalogs
 * (random bytes, damaged pages, another application's database, a newer
 * schema) refused and left byte for byte as they were, read-only catalogs
 * (by option, by file mode, by directory mode) where puts fail with
 * PUT_FAILURE and lookups work, a full disk, a writer holding the lock
 * past the busy timeout, the batching of hit bookkeeping, and damaged
 * entries (outputs, input hashes).
 *
 * The files are inspected with SQLite itself (user_version,
 * application_id), independently of the catalog code.
 */
/* setgroups() */
#define _DEFAULT_SOURCE

#include "test_unprivileged.h"
#include "test_catalog_helpers.h"

#include "cachet/catalog.h"
#include "catalog/internal.h"
#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DB "catalog.db"
#define V1 "1.0-AAAAAAAA-BBBBBBBB"

static void remove_db(const char *path)
{
	char p[256];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static int setup(void **state)
{
	(void)state;
	remove_db(DB);
	return 0;
}

static cachet_cache_key key_of(const char *tag)
{
	cachet_cache_key k = {CACHET_CACHE_KEY_VERSION,
			      (char *)"proj", (char *)"dev", (char *)"flyte_task-t", (char *)V1,
			      (char *)tag};
	return k;
}

static cachet_catalog *open_ok(const char *path, const cachet_catalog_options *o)
{
	cachet_catalog *cat = NULL;
	int rc = cachet_catalog_open_sqlite(&cat, path, o);
	if (rc != 0)
		fail_msg("open failed: %s", cachet_error_last()->message);
	return cat;
}

static void put_n(cachet_catalog *cat, const char *tag, int64_t n)
{
	cachet_cache_key k = key_of(tag);
	cachet_literal_map *m = NULL;
	cachet_put_result r = CACHET_PUT_RESULT_INIT;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "n", cachet_literal_new_integer(n)), 0);
	if (cachet_catalog_put(&r, cat, &k, m, NULL) != 0)
		fail_msg("put failed: %s", cachet_error_last()->message);
	cachet_put_result_dispose(&r);
	cachet_literal_map_free(m);
}

static int lookup(cachet_catalog *cat, const char *tag)
{
	cachet_cache_key k = key_of(tag);
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	int rc = cachet_catalog_lookup(&r, cat, &k, NULL);
	int status = r.status;
	cachet_lookup_result_dispose(&r);
	return rc < 0 ? rc : status;
}

/* One integer from a pragma, read with SQLite directly. */
static int64_t raw_pragma(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void read_file(cachet_buf *b, const char *path)
{
	char tmp[4096];
	FILE *f = fopen(path, "rb");
	size_t n;
	assert_non_null(f);
	cachet__buf_clear(b);
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		assert_int_equal(cachet__buf_put(b, tmp, n), 0);
	fclose(f);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Opening path fails with code and message, and leaves its bytes as they were. */
static void assert_refused(const char *path, int code, const char *msg)
{
	cachet_buf before = CACHET_BUF_INIT, after = CACHET_BUF_INIT;
	cachet_catalog *cat = NULL;
	read_file(&before, path);
	assert_cachet_error(cachet_catalog_open_sqlite(&cat, path, NULL), code, msg);
	assert_null(cat);
	read_file(&after, path);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.ptr, after.ptr, before.len);
	cachet__buf_dispose(&before);
	cachet__buf_dispose(&after);
}

/* ---- tests ---- */

static void test_persists(void **state)
{
	(void)state;
	cachet_catalog *cat = open_ok(DB, NULL);
	put_n(cat, "flyte_cached-a", 1);
	assert_int_equal(lookup(cat, "flyte_cached-a"), CACHET_CACHE_HIT);
	assert_int_equal(lookup(cat, "flyte_cached-b"), CACHET_CACHE_MISS);
	cachet_catalog_free(cat); /* flushes the counts */

	assert_int_equal(raw_pragma(DB, "PRAGMA user_version"), 2);
	assert_int_equal(raw_pragma(DB, "PRAGMA application_id"), 0x63637467);
	assert_int_equal(raw_pragma(DB, "SELECT count(*) FROM artifacts"), 1);
	/* WAL mode is a property of the file */
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(DB, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);

	cat = open_ok(DB, NULL);
	assert_int_equal(lookup(cat, "flyte_cached-a"), CACHET_CACHE_HIT);
	assert_int_equal(catalog_total(cat, CACHET_COUNTER_HITS), 2);
	assert_int_equal(catalog_total(cat, CACHET_COUNTER_MISSES), 1);
	assert_int_equal(catalog_total(cat, CACHET_COUNTER_POPULATED), 1);
	cachet_catalog_free(cat);
}

static void test_empty_file_and_migration(void **state)
{
	(void)state;
	/* an empty file is a new database */
	write_file(DB, "", 0);
	cachet_catalog *cat = open_ok(DB, NULL);
	put_n(cat, "flyte_cached-a", 1);
	cachet_catalog_free(cat);
	remove_db(DB);

	/* read-only, neither can be set up */
	cachet_catalog_options ro = CACHET_CATALOG_OPTIONS_INIT;
	ro.read_only = true;
	write_file(DB, "", 0);
	assert_cachet_error(cachet_catalog_open_sqlite(&cat, DB, &ro), CACHET_EINVALID,
			    "catalog 'catalog.db' is empty and cannot be written");
	remove_db(DB);

	/* a catalog at schema version 0 (marked, no tables) is migrated forward */
	raw_exec(DB, "PRAGMA application_id = 1667462247");
	assert_int_equal(raw_pragma(DB, "PRAGMA user_version"), 0);
	assert_cachet_error(cachet_catalog_open_sqlite(&cat, DB, &ro), CACHET_EUNSUPPORTED,
			    "catalog 'catalog.db' has schema version 0 and cannot be written to "
			    "migrate it to 2");
	cat = open_ok(DB, NULL);
	put_n(cat, "flyte_cached-a", 1);
	assert_int_equal(lookup(cat, "flyte_cached-a"), CACHET_CACHE_HIT);
	cachet_catalog_free(cat);
	assert_int_equal(raw_pragma(DB, "PRAGMA user_version"), 2);
}

static void test_not_a_database(void **state)
{
	(void)state;
	char junk[8192];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7 + 3);
	write_file(DB, junk, sizeof junk);
	assert_string_equal(cachet_error_code_name(CACHET_ECORRUPT), "ECORRUPT");
	assert_refused(DB, CACHET_ECORRUPT,
		       "catalog 'catalog.db' is not a SQLite database (damaged, or another file)");
	/* shorter than a header */
	write_file(DB, "SQLite", 6);
	assert_refused(DB, CACHET_ECORRUPT,
		       "catalog 'catalog.db' is not a SQLite database (damaged, or another file)");
}

static void test_damaged_pages(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;
	cachet_catalog *cat = open_ok(DB, NULL);
	for (int i = 0; i < 50; i++) {
		char tag[32];
		snprintf(tag, sizeof tag, "flyte_cached-%d", i);
		put_n(cat, tag, i);
	}
	cachet_catalog_free(cat); /* the last close checkpoints: all in catalog.db */
	read_file(&b, DB);
	assert_true(b.len >= 4 * 4096);

	/* page 1 holds the schema: garbage after the 100-byte header */
	cachet_buf d = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_put(&d, b.ptr, b.len), 0);
	memset(d.ptr + 100, 0x5a, 4096 - 100);
	write_file(DB, d.ptr, d.len);
	assert_refused(DB, CACHET_ECORRUPT,
		       "cannot read catalog 'catalog.db': database disk image is malformed");

	/* every later page damaged: it opens, and a lookup is a failure that
	 * says why, without a crash and without writing */
	memcpy(d.ptr, b.ptr, b.len);
	memset(d.ptr + 4096, 0xa5, d.len - 4096);
	write_file(DB, d.ptr, d.len);
	cachet_buf before = CACHET_BUF_INIT, after = CACHET_BUF_INIT;
	read_file(&before, DB);
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	o.read_only = true; /* what `cachet cache get` on a damaged file would see */
	cat = NULL;
	int rc = cachet_catalog_open_sqlite(&cat, DB, &o);
	if (rc == 0) {
		cachet_cache_key k = key_of("flyte_cached-3");
		cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
		assert_cachet_error(cachet_catalog_lookup(&r, cat, &k, NULL), CACHET_ECORRUPT,
				    "cannot read catalog 'catalog.db': database disk image is malformed");
		assert_int_equal(r.status, CACHET_CACHE_LOOKUP_FAILURE);
		assert_int_equal(r.reason, CACHET_MISS_CATALOG_ERROR);
		cachet_lookup_result_dispose(&r);
		cachet_catalog_free(cat);
	} else {
		assert_int_equal(rc, CACHET_ECORRUPT);
	}
	read_file(&after, DB);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.ptr, after.ptr, before.len);
	cachet__buf_dispose(&before);
	cachet__buf_dispose(&after);
	cachet__buf_dispose(&b);
	cachet__buf_dispose(&d);
}

/* Schema 1 had no reservation holder: a version 1 file (made by dropping
 * the column again) is migrated, and its old reservations lapse as they
 * did, never judged by a holder they do not have. */
static void test_migration_from_1(void **state)
{
	(void)state;
	cachet_cache_key k = key_of("flyte_cached-a");
	cachet_reservation r = CACHET_RESERVATION_INIT;
	cachet_catalog *cat = open_ok(DB, NULL);
	assert_int_equal(cachet_catalog_reserve(&r, cat, &k, "old", 1000), 0);
	cachet_reservation_dispose(&r);
	cachet_catalog_free(cat);
	raw_exec(DB, "ALTER TABLE reservations DROP COLUMN holder; PRAGMA user_version = 1");

	cat = open_ok(DB, NULL);
	assert_int_equal(raw_pragma(DB, "PRAGMA user_version"), 2);
	assert_int_equal(raw_pragma(DB, "SELECT count(*) FROM reservations WHERE holder IS NULL"), 1);
	assert_int_equal(cachet_catalog_reserve(&r, cat, &k, "new", 1000), 0);
	assert_false(r.acquired);
	assert_string_equal(r.owner_id, "old");
	cachet_reservation_dispose(&r);
	/* its owner extends it, and now it names its holder */
	assert_int_equal(cachet_catalog_reserve(&r, cat, &k, "old", 1000), 0);
	assert_true(r.acquired);
	cachet_reservation_dispose(&r);
	assert_int_equal(raw_pragma(DB, "SELECT count(*) FROM reservations WHERE holder LIKE 'pid=%'"),
			 1);
	cachet_catalog_free(cat);
}

static void test_newer_schema(void **state)
{
	(void)state;
	cachet_catalog *cat = open_ok(DB, NULL);
	put_n(cat, "flyte_cached-a", 1);
	cachet_catalog_free(cat);
	raw_exec(DB, "PRAGMA user_version = 3");
	assert_refused(DB, CACHET_EUNSUPPORTED,
		       "catalog 'catalog.db' has schema version 3, newer than this cachet knows (2): "
		       "use a newer cachet");
	assert_int_equal(raw_pragma(DB, "PRAGMA user_version"), 3);
}

static void test_foreign_database(void **state)
{
	(void)state;
	raw_exec(DB, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine')");
	assert_refused(DB, CACHET_EINVALID, "'catalog.db' is a SQLite database but not a cachet catalog");
	raw_exec(DB, "PRAGMA application_id = 42");
	assert_refused(DB, CACHET_EINVALID, "'catalog.db' is a SQLite database but not a cachet catalog");
}

static void test_cannot_open(void **state)
{
	(void)state;
	cachet_catalog *cat;
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	assert_cachet_error(cachet_catalog_open_sqlite(&cat, "no/such/dir/catalog.db", NULL), CACHET_EIO,
			    "cannot open catalog 'no/such/dir/catalog.db': No such file or directory");
	o.read_only = true;
	assert_cachet_error(cachet_catalog_open_sqlite(&cat, "absent.db", &o), CACHET_EIO,
			    "cannot open catalog 'absent.db': No such file or directory");
}

/* The checks of a catalog that cannot be written: lookups hit, puts and
 * reservations fail with a message, nothing crashes. Returns 0 when all
 * held (for use in a child process too). */
static int check_read_only(const char *path, bool by_option)
{
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat = NULL;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;
	cachet_reservation res = CACHET_RESERVATION_INIT;
	cachet_evict_options eo = CACHET_EVICT_OPTIONS_INIT;
	cachet_evict_result er = CACHET_EVICT_RESULT_INIT;
	cachet_cache_key k = key_of("flyte_cached-new");
	char want[512];

	o.read_only = by_option;
	if (cachet_catalog_open_sqlite(&cat, path, &o) != 0) {
		fprintf(stderr, "open: %s\n", cachet_error_last()->message);
		return 1;
	}
	if (lookup(cat, "flyte_cached-a") != CACHET_CACHE_HIT)
		return 2;
	if (lookup(cat, "flyte_cached-zz") != CACHET_CACHE_MISS)
		return 3;
	if (cachet_catalog_put(&p, cat, &k, NULL, NULL) != CACHET_EIO ||
	    p.status != CACHET_CACHE_PUT_FAILURE)
		return 4;
	snprintf(want, sizeof want, "cannot write catalog '%s': attempt to write a readonly database",
		 path);
	if (strcmp(p.message, want) != 0) {
		fprintf(stderr, "put: '%s'\n", p.message);
		return 5;
	}
	cachet_put_result_dispose(&p);
	if (cachet_catalog_reserve(&res, cat, &k, "me", 1000) != CACHET_EIO)
		return 6;
	eo.all = true;
	if (cachet_catalog_evict(&er, cat, &eo) != CACHET_EIO ||
	    strcmp(cachet_error_last()->message, "cannot evict: the catalog is read-only") != 0)
		return 7;
	/* and lookups still work after the failed writes */
	if (lookup(cat, "flyte_cached-a") != CACHET_CACHE_HIT)
		return 8;
	cachet_catalog_stats s = CACHET_CATALOG_STATS_INIT;
	if (cachet_catalog_stats_get(&s, cat) != 0)
		return 9;
	cachet_catalog_stats_dispose(&s);
	cachet_catalog_free(cat);
	return 0;
}

static void test_read_only_option(void **state)
{
	(void)state;
	cachet_catalog *cat = open_ok(DB, NULL);
	put_n(cat, "flyte_cached-a", 1);
	cachet_catalog_free(cat);
	assert_int_equal(check_read_only(DB, true), 0);
	/* a read-only handle counts nothing */
	cat = open_ok(DB, NULL);
	assert_int_equal(catalog_total(cat, CACHET_COUNTER_HITS), 0);
	cachet_catalog_free(cat);
}

/* Run check_read_only in a child that cannot write (root becomes nobody,
 * as file modes do not bind root). */
static int run_unprivileged(const char *path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (cachet_test_become_nobody() != 0) {
			fprintf(stderr, "cannot become nobody: %s\n", strerror(errno));
			_exit(100);
		}
		_exit(check_read_only(path, false));
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_read_only_files(void **state)
{
	(void)state;
	/* where nobody can reach the catalogs by their absolute path */
	cachet_test_public_dir d;
	cachet_test_public_dir_enter(&d);

	/* a read-only file in a directory the reader may write: the
	 * reader's own (a directory others may write is refused, see
	 * test_home_trust.c), the file root's */
	assert_int_equal(mkdir("ro1", 0755), 0);
	assert_int_equal(chmod("ro1", 0755), 0); /* whatever the umask */
	cachet_catalog *cat = open_ok("ro1/catalog.db", NULL);
	put_n(cat, "flyte_cached-a", 1);
	cachet_catalog_free(cat);
	if (geteuid() == 0)
		assert_int_equal(chown("ro1", 65534, 65534), 0);
	assert_int_equal(chmod("ro1/catalog.db", 0444), 0);
	assert_int_equal(run_unprivileged("ro1/catalog.db"), 0);

	/* a catalog in a read-only directory: not even the WAL index can be
	 * created there */
	assert_int_equal(mkdir("ro2", 0755), 0);
	cat = open_ok("ro2/catalog.db", NULL);
	put_n(cat, "flyte_cached-a", 1);
	cachet_catalog_free(cat);
	/* cachet makes it 0600: readable by root's choice only */
	assert_int_equal(chmod("ro2/catalog.db", 0644), 0);
	assert_int_equal(chmod("ro2", 0555), 0);
	assert_int_equal(run_unprivileged("ro2/catalog.db"), 0);
	assert_int_equal(chmod("ro2", 0755), 0); /* so that it can be removed */
	cachet_test_public_dir_leave(&d);
}

static void test_full_disk(void **state)
{
	(void)state;
	cachet_catalog *cat = open_ok(DB, NULL);
	cachet_literal_map *m = NULL;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;
	cachet_cache_key k = key_of("flyte_cached-big");
	static char big[64 * 1024];

	put_n(cat, "flyte_cached-a", 1);
	/* no room to grow, as on a full disk */
	assert_int_equal(cachet__catalog_sqlite_max_pages(cat->b, 1), 0);
	memset(big, 'x', sizeof big - 1);
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "s", cachet_literal_new_string(big)), 0);
	assert_cachet_error(cachet_catalog_put(&p, cat, &k, m, NULL), CACHET_EIO,
			    "cannot write catalog 'catalog.db': database or disk is full");
	assert_int_equal(p.status, CACHET_CACHE_PUT_FAILURE);
	assert_string_equal(p.message, "cannot write catalog 'catalog.db': database or disk is full");
	cachet_put_result_dispose(&p);
	/* the catalog goes on answering */
	assert_int_equal(lookup(cat, "flyte_cached-a"), CACHET_CACHE_HIT);
	assert_int_equal(lookup(cat, "flyte_cached-big"), CACHET_CACHE_MISS);
	cachet_literal_map_free(m);
	cachet_catalog_free(cat);
}

static void test_busy(void **state)
{
	(void)state;
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;
	cachet_cache_key k = key_of("flyte_cached-b");
	sqlite3 *db;

	o.busy_timeout_ms = 100;
	cat = open_ok(DB, &o);
	put_n(cat, "flyte_cached-a", 1);
	/* another writer holds the lock */
	assert_int_equal(sqlite3_open(DB, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_cachet_error(cachet_catalog_put(&p, cat, &k, NULL, NULL), CACHET_ELOCKED,
			    "cannot write catalog 'catalog.db': busy for longer than 100 ms");
	assert_int_equal(p.status, CACHET_CACHE_PUT_FAILURE);
	cachet_put_result_dispose(&p);
	/* readers are not blocked by a writer (WAL) */
	assert_int_equal(lookup(cat, "flyte_cached-a"), CACHET_CACHE_HIT);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	put_n(cat, "flyte_cached-b", 2);
	cachet_catalog_free(cat);
}

static int64_t clock_of(void *p)
{
	return *(int64_t *)p;
}

static void test_batching(void **state)
{
	(void)state;
	int64_t now = 1700000000000;
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *writer, *reader;

	o.clock = clock_of;
	o.clock_payload = &now;
	o.flush_interval_ms = 500;
	writer = open_ok(DB, &o);
	reader = open_ok(DB, &o);
	put_n(writer, "flyte_cached-a", 1);
	assert_int_equal(catalog_total(reader, CACHET_COUNTER_POPULATED), 0); /* not yet written */
	assert_int_equal(lookup(writer, "flyte_cached-a"), CACHET_CACHE_HIT);
	assert_int_equal(catalog_total(reader, CACHET_COUNTER_HITS), 0);
	now += 500; /* due: the next operation writes it all */
	assert_int_equal(lookup(writer, "flyte_cached-a"), CACHET_CACHE_HIT);
	assert_int_equal(catalog_total(reader, CACHET_COUNTER_HITS), 2);
	assert_int_equal(catalog_total(reader, CACHET_COUNTER_POPULATED), 1);
	cachet_catalog_free(writer);
	cachet_catalog_free(reader);

	/* write-through: every lookup writes */
	remove_db(DB);
	o.write_through = true;
	writer = open_ok(DB, &o);
	reader = open_ok(DB, &o);
	assert_int_equal(lookup(writer, "flyte_cached-a"), CACHET_CACHE_MISS);
	assert_int_equal(catalog_total(reader, CACHET_COUNTER_MISSES), 1);
	cachet_catalog_free(writer);
	cachet_catalog_free(reader);
}


/* An entry whose stored outputs were damaged: a lookup failure that names
 * the artifact, never a hit; GC refuses to guess what it references. */
static void test_corrupt_entry(void **state)
{
	(void)state;
	cachet_store_backend *sb;
	cachet_store *store;
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_gc_options go = CACHET_GC_OPTIONS_INIT;
	cachet_gc_result gr = CACHET_GC_RESULT_INIT;
	char want[256];

	assert_int_equal(cachet_store_backend_memory_new(&sb, "mem://t"), 0);
	assert_int_equal(cachet_store_new(&store, sb), 0);
	o.store = store;
	cat = open_ok(DB, &o);
	put_n(cat, "flyte_cached-a", 1);
	/* field 1 (literals) as a length-delimited record running past the end */
	raw_exec(DB, "UPDATE artifacts SET outputs = X'0a05ff'");
	cachet_cache_key k = key_of("flyte_cached-a");
	assert_int_equal(cachet_catalog_lookup(&r, cat, &k, NULL), 0);
	assert_int_equal(r.status, CACHET_CACHE_LOOKUP_FAILURE);
	assert_int_equal(r.reason, CACHET_MISS_CORRUPT_ENTRY);
	snprintf(want, sizeof want, "the outputs of artifact '%s' cannot be decoded: ", r.artifact_id);
	assert_true(strncmp(r.message, want, strlen(want)) == 0);
	cachet_lookup_result_dispose(&r);
	go.grace_ms = 0;
	assert_int_equal(cachet_catalog_gc(&gr, cat, &go), CACHET_ECORRUPT);
	assert_true(strncmp(cachet_error_last()->message,
			    "cannot collect garbage: an artifact's outputs cannot be read (", 62) == 0);
	assert_int_equal(catalog_total(cat, CACHET_COUNTER_LOOKUP_FAILURES), 1);
	cachet_catalog_free(cat);
	cachet_store_free(store);
}

/* Input hashes that were damaged read as none recorded: `cache show`
 * does not claim "no inputs", and explain has nothing to compare. */
static void test_corrupt_input_hashes(void **state)
{
	(void)state;
	cachet_catalog *cat = open_ok(DB, NULL);
	cachet_literal_map *in = NULL, *out = NULL;
	cachet_put_options po = CACHET_PUT_OPTIONS_INIT;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;
	cachet_catalog_entries l = CACHET_CATALOG_ENTRIES_INIT;
	cachet_explanation ex = CACHET_EXPLANATION_INIT;
	cachet_cache_key k = key_of("flyte_cached-a");

	assert_int_equal(cachet_literal_map_new(&in), 0);
	assert_int_equal(cachet_literal_map_set(in, "x", cachet_literal_new_integer(1)), 0);
	assert_int_equal(cachet_literal_map_new(&out), 0);
	po.inputs = in;
	assert_int_equal(cachet_catalog_put(&p, cat, &k, out, &po), 0);
	cachet_put_result_dispose(&p);
	assert_int_equal(cachet_catalog_list(&l, cat, NULL, CACHET_ENTRY_INPUTS), 0);
	assert_true(l.entries[0].inputs_recorded);
	assert_int_equal(l.entries[0].n_inputs, 1);
	cachet_catalog_entries_dispose(&l);

	/* field 1 (literals) as a length-delimited record running past the end */
	raw_exec(DB, "UPDATE artifacts SET input_hashes = X'0a05ff'");
	assert_int_equal(cachet_catalog_list(&l, cat, NULL, CACHET_ENTRY_INPUTS), 0);
	assert_int_equal(l.n, 1);
	assert_false(l.entries[0].inputs_recorded);
	assert_int_equal(l.entries[0].n_inputs, 0);
	assert_null(l.entries[0].inputs);
	cachet_catalog_entries_dispose(&l);
	assert_int_equal(cachet_catalog_explain(&ex, cat, &k, in, NULL), 0);
	assert_int_equal(ex.n_nearest, 1);
	assert_false(ex.nearest[0].inputs_recorded);
	assert_false(ex.nearest[0].entry.inputs_recorded);
	cachet_explanation_dispose(&ex);
	cachet_catalog_free(cat);
	cachet_literal_map_free(in);
	cachet_literal_map_free(out);
}

/* Missing data found through a read-only catalog: a miss that says the
 * entry could not be evicted. */
static void test_missing_data_read_only(void **state)
{
	(void)state;
	cachet_store_backend *sb;
	cachet_store *store;
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat;
	cachet_lookup_result r = CACHET_LOOKUP_RESULT_INIT;
	cachet_put_result p = CACHET_PUT_RESULT_INIT;
	cachet_literal_map *m = NULL;
	cachet_cache_key k = key_of("flyte_cached-a");

	assert_int_equal(cachet_store_backend_memory_new(&sb, "mem://t"), 0);
	assert_int_equal(cachet_store_new(&store, sb), 0);
	assert_int_equal(cachet_store_put_bytes(store, "mem://t/r/df", "x", 1), 0);
	o.store = store;
	cat = open_ok(DB, &o);
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "df", cachet_literal_new_blob("mem://t/r/df", NULL, 0)),
			 0);
	assert_int_equal(cachet_catalog_put(&p, cat, &k, m, NULL), 0);
	cachet_put_result_dispose(&p);
	cachet_catalog_free(cat);
	assert_int_equal(cachet_store_delete(store, "mem://t/r/df"), 0);
	o.read_only = true;
	cat = open_ok(DB, &o);
	assert_int_equal(cachet_catalog_lookup(&r, cat, &k, NULL), 0);
	assert_int_equal(r.status, CACHET_CACHE_MISS);
	assert_int_equal(r.reason, CACHET_MISS_MISSING_DATA);
	assert_string_equal(r.message,
			    "output 'df' names 'mem://t/r/df', which is gone from the store (the entry "
			    "could not be evicted: cannot write catalog 'catalog.db': attempt to write a "
			    "readonly database)");
	cachet_lookup_result_dispose(&r);
	cachet_catalog_free(cat);
	cachet_literal_map_free(m);
	cachet_store_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_persists, setup),
		cmocka_unit_test_setup(test_empty_file_and_migration, setup),
		cmocka_unit_test_setup(test_not_a_database, setup),
		cmocka_unit_test_setup(test_damaged_pages, setup),
		cmocka_unit_test_setup(test_migration_from_1, setup),
		cmocka_unit_test_setup(test_newer_schema, setup),
		cmocka_unit_test_setup(test_foreign_database, setup),
		cmocka_unit_test_setup(test_cannot_open, setup),
		cmocka_unit_test_setup(test_read_only_option, setup),
		cmocka_unit_test_setup(test_read_only_files, setup),
		cmocka_unit_test_setup(test_full_disk, setup),
		cmocka_unit_test_setup(test_busy, setup),
		cmocka_unit_test_setup(test_batching, setup),
		cmocka_unit_test_setup(test_corrupt_entry, setup),
		cmocka_unit_test_setup(test_corrupt_input_hashes, setup),
		cmocka_unit_test_setup(test_missing_data_read_only, setup),
	};
	return cmocka_run_group_tests_name("catalog (sqlite faults)", tests, NULL, NULL);
}
