/*
 * The stat cache: unchanged files are not read again (counted by the
 * digest layer's read counter), git's racy-clean rule (with the clock
 * replaced by a test hook), nothing recorded for a failed hash, and
 * databases that are corrupt, foreign, newer or unopenable.
 */
#include "test_digest_helpers.h"

#include "digest/internal.h"

#include <sqlite3.h>

#define SHA_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* printf 'abd' | sha256sum */
#define SHA_ABD "sha256:a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9"

#define OLD_TIME 1000000000 /* 2001-09-09: long before any entry */

static int64_t fixed_now;
static int64_t clock_fixed(void)
{
	return fixed_now;
}

static char *warnings;
static void collect_warning(const char *message, void *payload)
{
	(void)payload;
	size_t old = warnings ? strlen(warnings) : 0;
	warnings = realloc(warnings, old + strlen(message) + 2);
	memcpy(warnings + old, message, strlen(message) + 1);
	strcat(warnings, "\n");
}

static void clear_warnings(void)
{
	free(warnings);
	warnings = NULL;
}

/* Files read by cachet_hash_path(path) through cache sc. */
static uint64_t reads_to_hash(const char *path, cachet_stat_cache *sc, const char *want)
{
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	o.stat_cache = sc;
	uint64_t before = cachet__digest_files_read();
	t_assert_hash(path, &o, want);
	return cachet__digest_files_read() - before;
}

static int rows_in(const char *db_path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;
	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM files", -1, &s, NULL),
			 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void unchanged_files_are_not_read_again(void **state)
{
	(void)state;
	cachet_stat_cache *sc;

	/* opening creates the missing directories and the database */
	assert_int_equal(cachet_stat_cache_open(&sc, "home/state/stat-cache.db"), 0);
	struct stat st;
	assert_int_equal(stat("home/state", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat("home/state/stat-cache.db", &st), 0);

	t_put("f.txt", "abc");
	t_set_mtime("f.txt", OLD_TIME, 0);
	assert_int_equal(reads_to_hash("f.txt", sc, SHA_ABC), 1);
	assert_int_equal(reads_to_hash("f.txt", sc, SHA_ABC), 0);
	/* another name for the same file: keyed by the real path */
	assert_int_equal(symlink("f.txt", "f.link"), 0);
	assert_int_equal(reads_to_hash("f.link", sc, SHA_ABC), 0);

	/* each algorithm has its own entries */
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	o.stat_cache = sc;
	o.digest = CACHET_DIGEST_XXH128;
	uint64_t before = cachet__digest_files_read();
	t_assert_hash("f.txt", &o, "xxh128:06b05ab6733a618578af5f94892f3950");
	t_assert_hash("f.txt", &o, "xxh128:06b05ab6733a618578af5f94892f3950");
	assert_int_equal(cachet__digest_files_read() - before, 1);

	/* same size, same (old) mtime, other bytes: the ctime tells */
	t_put("f.txt", "abd");
	t_set_mtime("f.txt", OLD_TIME, 0);
	assert_int_equal(reads_to_hash("f.txt", sc, SHA_ABD), 1);
	assert_int_equal(reads_to_hash("f.txt", sc, SHA_ABD), 0);
	/* a chmod changes only the ctime: read again, to be safe */
	assert_int_equal(chmod("f.txt", 0600), 0);
	assert_int_equal(reads_to_hash("f.txt", sc, SHA_ABD), 1);
	/* a new file under the old name (another inode) */
	t_put("g.tmp", "abc");
	t_set_mtime("g.tmp", OLD_TIME, 0);
	assert_int_equal(rename("g.tmp", "f.txt"), 0);
	assert_int_equal(reads_to_hash("f.txt", sc, SHA_ABC), 1);

	/* a directory: every file once, then none, then only the changed one */
	char p[64];
	for (int i = 0; i < 30; i++) {
		snprintf(p, sizeof(p), "dir/s%d/f%02d", i % 3, i);
		t_put(p, p);
		t_set_mtime(p, OLD_TIME, i);
	}
	char *h = t_hash("dir", NULL);
	assert_int_equal(reads_to_hash("dir", sc, h), 30);
	assert_int_equal(reads_to_hash("dir", sc, h), 0);
	cachet_free(h);
	t_put("dir/s1/f07", "changed");
	t_set_mtime("dir/s1/f07", OLD_TIME, 7);
	h = t_hash("dir", NULL);
	assert_int_equal(reads_to_hash("dir", sc, h), 1);
	assert_int_equal(reads_to_hash("dir", sc, h), 0);
	cachet_free(h);
	cachet_stat_cache_free(sc);

	/* a second handle (another process, say) sees the entries */
	assert_int_equal(cachet_stat_cache_open(&sc, "home/state/stat-cache.db"), 0);
	assert_int_equal(reads_to_hash("f.txt", sc, SHA_ABC), 0);
	cachet_stat_cache_free(sc);
	cachet_stat_cache_free(NULL);
}

static void racily_clean_entries_are_read_again(void **state)
{
	(void)state;
	cachet__digest_hooks hooks = {.now_ns = clock_fixed};
	cachet_stat_cache *sc;

	assert_int_equal(cachet_stat_cache_open(&sc, "racy.db"), 0);
	t_put("r.txt", "abc");
	t_set_mtime("r.txt", OLD_TIME, 500);
	cachet__digest_set_hooks(&hooks);

	/* recorded at the very nanosecond of the mtime: not older, racy */
	fixed_now = (int64_t)OLD_TIME * 1000000000 + 500;
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 1);
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 1);
	/* recorded one nanosecond after: trusted */
	fixed_now++;
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 1);
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 0);
	/* an mtime in the future (after the recording) is never trusted */
	t_set_mtime("r.txt", OLD_TIME + 10, 0);
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 1);
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 1);

	/* whole-second mtimes may come from a file system that keeps only
	 * (even) seconds: the entry must be from a later 2-second slot */
	t_set_mtime("r.txt", OLD_TIME, 0);
	fixed_now = (int64_t)OLD_TIME * 1000000000 + 1999999999;
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 1);
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 1);
	fixed_now = (int64_t)(OLD_TIME + 2) * 1000000000;
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 1);
	assert_int_equal(reads_to_hash("r.txt", sc, SHA_ABC), 0);

	cachet__digest_set_hooks(NULL);
	cachet_stat_cache_free(sc);
}

/*
 * The entry's time is taken before the file is read: a clock that says
 * "the mtime" until the file is opened and
 * "ten seconds later" after it makes an entry recorded before reading
 * racy (read again), and one recorded after reading trusted (wrongly).
 */
static uint64_t reads_at_start;
static int64_t clock_by_reads(void)
{
	int64_t mtime = (int64_t)OLD_TIME * 1000000000;
	return cachet__digest_files_read() == reads_at_start ? mtime : mtime + 10 * 1000000000LL;
}

static void the_recorded_time_is_from_before_reading(void **state)
{
	(void)state;
	cachet__digest_hooks hooks = {.now_ns = clock_by_reads};
	cachet_stat_cache *sc;

	assert_int_equal(cachet_stat_cache_open(&sc, "before.db"), 0);
	t_put("b.txt", "abc");
	t_set_mtime("b.txt", OLD_TIME, 0);
	t_put("bdir/x", "abc");
	t_set_mtime("bdir/x", OLD_TIME, 0);
	cachet__digest_set_hooks(&hooks);
	const char *paths[] = {"b.txt", "bdir"};
	for (int i = 0; i < 2; i++) {
		char *h = t_hash(paths[i], NULL);
		reads_at_start = cachet__digest_files_read();
		assert_int_equal(reads_to_hash(paths[i], sc, h), 1);
		reads_at_start = cachet__digest_files_read();
		assert_int_equal(reads_to_hash(paths[i], sc, h), 1);
		cachet_free(h);
	}
	cachet__digest_set_hooks(NULL);
	cachet_stat_cache_free(sc);
}

static void grow(const char *path, void *arg)
{
	(void)arg;
	if (strstr(path, "moving") == NULL)
		return;
	int fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "+", 1), 1);
	close(fd);
}

static void failures_record_nothing(void **state)
{
	(void)state;
	cachet__digest_hooks hooks = {.after_read = grow};
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	cachet_stat_cache *sc;

	assert_int_equal(cachet_stat_cache_open(&sc, "fail.db"), 0);
	o.stat_cache = sc;
	t_put("moving.txt", "abc");
	t_put("mixed/good", "fine");
	t_put("mixed/moving", "abc");
	cachet__digest_set_hooks(&hooks);
	t_assert_hash_fails("moving.txt", &o, CACHET_EIO,
			    "cannot hash 'moving.txt': it changed while it was read");
	t_assert_hash_fails("mixed", &o, CACHET_EIO,
			    "cannot hash 'mixed/moving': it changed while it was read");
	cachet__digest_set_hooks(NULL);
	assert_int_equal(rows_in("fail.db"), 0);

	t_put("mixed2/good", "fine");
	assert_int_equal(mkfifo("mixed2/pipe", 0600), 0);
	t_assert_hash_fails("mixed2", &o, CACHET_EUNSUPPORTED,
			    "cannot hash 'mixed2/pipe': it is a FIFO, not a regular file");
	assert_int_equal(rows_in("fail.db"), 0);
	cachet_stat_cache_free(sc);
}

static void corrupt_databases_are_rebuilt_with_a_warning(void **state)
{
	(void)state;
	cachet_stat_cache *sc;
	struct stat st;

	cachet_set_warning_handler(collect_warning, NULL);

	/* not a database at all */
	t_put("garbage.db", "this is not an SQLite database, not even close, but long enough "
			    "to have a header: 0123456789012345678901234567890123456789\n");
	assert_int_equal(cachet_stat_cache_open(&sc, "garbage.db"), 0);
	assert_non_null(warnings);
	assert_string_equal(warnings, "stat cache 'garbage.db' is not a usable database (file is "
				      "not a database); moved it to 'garbage.db.corrupt' and "
				      "started a new one\n");
	assert_int_equal(stat("garbage.db.corrupt", &st), 0);
	t_put("c.txt", "abc");
	t_set_mtime("c.txt", OLD_TIME, 0);
	assert_int_equal(reads_to_hash("c.txt", sc, SHA_ABC), 1);
	assert_int_equal(reads_to_hash("c.txt", sc, SHA_ABC), 0);
	cachet_stat_cache_free(sc);
	clear_warnings();

	/* an SQLite database of someone else's layout: not trusted */
	sqlite3 *db;
	assert_int_equal(sqlite3_open("foreign.db", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE schema_version(version INTEGER);"
				      "INSERT INTO schema_version VALUES (1);"
				      "CREATE TABLE files(path TEXT, digest TEXT);"
				      "INSERT INTO files VALUES ('/c.txt', 'sha256:00');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(cachet_stat_cache_open(&sc, "foreign.db"), 0);
	assert_string_equal(warnings, "stat cache 'foreign.db' is not a usable database (no such "
				      "column: dev); moved it to 'foreign.db.corrupt' and started "
				      "a new one\n");
	assert_int_equal(reads_to_hash("c.txt", sc, SHA_ABC), 1);
	cachet_stat_cache_free(sc);
	clear_warnings();

	/* a real cache cut short */
	assert_int_equal(cachet_stat_cache_open(&sc, "cut.db"), 0);
	assert_int_equal(reads_to_hash("c.txt", sc, SHA_ABC), 1);
	cachet_stat_cache_free(sc);
	assert_int_equal(truncate("cut.db", 100), 0);
	assert_int_equal(cachet_stat_cache_open(&sc, "cut.db"), 0);
	assert_non_null(warnings);
	assert_non_null(strstr(warnings, "stat cache 'cut.db' is not a usable database ("));
	assert_int_equal(reads_to_hash("c.txt", sc, SHA_ABC), 1);
	assert_int_equal(reads_to_hash("c.txt", sc, SHA_ABC), 0);
	cachet_stat_cache_free(sc);
	clear_warnings();

	/* an empty file is an empty database: no warning */
	t_put("empty.db", "");
	assert_int_equal(cachet_stat_cache_open(&sc, "empty.db"), 0);
	assert_null(warnings);
	cachet_stat_cache_free(sc);

	cachet_set_warning_handler(NULL, NULL);
}

static void newer_and_unopenable_databases_are_errors(void **state)
{
	(void)state;
	cachet_stat_cache *sc = (cachet_stat_cache *)&sc;
	sqlite3 *db;

	assert_int_equal(sqlite3_open("newer.db", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE schema_version(version INTEGER);"
				      "INSERT INTO schema_version VALUES (2);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_cachet_error(cachet_stat_cache_open(&sc, "newer.db"), CACHET_EUNSUPPORTED,
			    "stat cache 'newer.db' was written by a newer cachet (schema version "
			    "2; this one knows 1)");
	assert_null(sc);
	struct stat st;
	assert_int_equal(stat("newer.db", &st), 0); /* left alone */
	assert_int_not_equal(stat("newer.db.corrupt", &st), 0);

	t_mkdirs("adir.db");
	assert_cachet_error(cachet_stat_cache_open(&sc, "adir.db"), CACHET_EIO,
			    "cannot use stat cache 'adir.db': it is not a regular file");
	t_put("afile", "");
	assert_cachet_error(cachet_stat_cache_open(&sc, "afile/state/x.db"), CACHET_EIO,
			    "cannot create directory 'afile/state': Not a directory");
	assert_cachet_error(cachet_stat_cache_open(&sc, ""), CACHET_EINVALID,
			    "stat cache: empty path");
	assert_cachet_error(cachet_stat_cache_open(NULL, "x.db"), CACHET_EINVALID,
			    "cachet_stat_cache_open: out is NULL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unchanged_files_are_not_read_again),
		cmocka_unit_test(racily_clean_entries_are_read_again),
		cmocka_unit_test(the_recorded_time_is_from_before_reading),
		cmocka_unit_test(failures_record_nothing),
		cmocka_unit_test(corrupt_databases_are_rebuilt_with_a_warning),
		cmocka_unit_test(newer_and_unopenable_databases_are_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
