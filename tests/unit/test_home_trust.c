/*
 * The home and its databases are trusted only when they are the user's
 * own and writable by nobody else (issue 8 §3, docs/security.md):
 *
 * - a home writable by its group or others is refused, the message saying
 *   how to fix it, and the fix works; so are store/, state/ and runs/;
 * - a home, catalog or stat cache owned by another user (uid 65534: the
 *   tests run as root, who owns what it creates, so "another user" is any
 *   uid but the effective one and root) is refused;
 * - a symbolic link as the home is followed only when the link is the
 *   user's and leads to a home that passes; a link as the catalog is
 *   refused;
 * - a catalog (or its -wal) or stat cache writable by group or others, or
 *   in a directory others may write, is refused, and left as it was;
 * - whatever the umask, everything cachet creates in the home is 0600
 *   (files) or 0700 (directories), SQLite's -wal and -shm files included.
 *
 * Expected messages are written out by hand.
 */
/* nftw(), lchown() */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700

#include "test_helpers.h"

#include "cachet/catalog.h"
#include "cachet/digest.h"
#include "cachet/home.h"
#include "cachet/store.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#define OTHER 65534

static void make_dir(const char *path, mode_t mode)
{
	assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
	assert_int_equal(chmod(path, mode), 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* As root, hand path to another user; false (the test is skipped) when
 * not root. */
static bool give_away(const char *path)
{
	if (geteuid() != 0)
		return false;
	assert_int_equal(lchown(path, OTHER, OTHER), 0);
	return true;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void expect_unsafe(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect_unsafe(int rc, const char *fmt, ...)
{
	char want[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	assert_cachet_error(rc, CACHET_EUNSAFE, want);
}

/* ---- the home ---- */

static void a_home_others_may_write_is_refused(void **state)
{
	(void)state;
	make_dir("h777", 0777);
	expect_unsafe(cachet_home_ensure("h777"),
		      "cannot use cachet home 'h777': it is writable by group and others (mode "
		      "0777); fix it with: chmod 700 'h777'");
	make_dir("h770", 0770);
	expect_unsafe(cachet_home_ensure("h770"),
		      "cannot use cachet home 'h770': it is writable by its group (mode 0770); fix "
		      "it with: chmod 700 'h770'");
	make_dir("h1777", 01777); /* sticky does not help: others may still plant files */
	expect_unsafe(cachet_home_ensure("h1777"),
		      "cannot use cachet home 'h1777': it is writable by group and others (mode "
		      "1777); fix it with: chmod 700 'h1777'");
	/* refused before anything was made in it */
	assert_int_equal(access("h777/store", F_OK), -1);
	assert_int_equal(errno, ENOENT);

	/* the fix the message gives works */
	assert_int_equal(chmod("h777", 0700), 0);
	assert_int_equal(cachet_home_ensure("h777"), 0);
	/* readable by others is the user's choice, not a risk to cachet */
	make_dir("h755", 0755);
	assert_int_equal(cachet_home_ensure("h755"), 0);
}

static void directories_in_the_home_are_judged_too(void **state)
{
	(void)state;
	make_dir("hs", 0700);
	make_dir("hs/store", 0707);
	expect_unsafe(cachet_home_ensure("hs"),
		      "cannot use store directory 'hs/store': it is writable by others (mode 0707); "
		      "fix it with: chmod 700 'hs/store'");
	assert_int_equal(chmod("hs/store", 0700), 0);
	make_dir("hs/state", 0720);
	expect_unsafe(cachet_home_ensure("hs"),
		      "cannot use state directory 'hs/state': it is writable by its group (mode "
		      "0720); fix it with: chmod 700 'hs/state'");
	assert_int_equal(chmod("hs/state", 0700), 0);
	make_dir("hs/runs", 0777);
	expect_unsafe(cachet_home_ensure("hs"),
		      "cannot use runs directory 'hs/runs': it is writable by group and others "
		      "(mode 0777); fix it with: chmod 700 'hs/runs'");
	assert_int_equal(chmod("hs/runs", 0700), 0);
	assert_int_equal(cachet_home_ensure("hs"), 0);
}

static void a_home_of_another_user_is_refused(void **state)
{
	(void)state;
	make_dir("ho", 0700);
	if (!give_away("ho"))
		skip();
	expect_unsafe(cachet_home_ensure("ho"),
		      "cannot use cachet home 'ho': it is owned by uid %u, not by you (uid %u); use "
		      "one of your own, or if you trust it, make it yours with: chown -R %u 'ho'",
		      OTHER, (unsigned)geteuid(), (unsigned)geteuid());
	/* and its store, though the home is the user's */
	make_dir("ho2", 0700);
	make_dir("ho2/store", 0700);
	assert_true(give_away("ho2/store"));
	expect_unsafe(cachet_home_ensure("ho2"),
		      "cannot use store directory 'ho2/store': it is owned by uid %u, not by you (uid "
		      "%u); use one of your own, or if you trust it, make it yours with: chown -R %u "
		      "'ho2/store'",
		      OTHER, (unsigned)geteuid(), (unsigned)geteuid());
}

static void a_symlinked_home_is_judged_by_link_and_target(void **state)
{
	(void)state;
	/* the user's link to the user's home: fine (a home on another disk) */
	make_dir("real", 0700);
	assert_int_equal(symlink("real", "link"), 0);
	assert_int_equal(cachet_home_ensure("link"), 0);
	assert_int_equal(mode_of("real/store"), 0700);

	/* the user's link to a home others may write */
	make_dir("open", 0777);
	assert_int_equal(symlink("open", "link-open"), 0);
	expect_unsafe(cachet_home_ensure("link-open"),
		      "cannot use cachet home 'link-open': it is writable by group and others (mode "
		      "0777); fix it with: chmod 700 'link-open'");

	if (geteuid() != 0)
		skip();
	/* the user's link to another user's home */
	make_dir("theirs", 0700);
	assert_true(give_away("theirs"));
	assert_int_equal(symlink("theirs", "link-theirs"), 0);
	expect_unsafe(cachet_home_ensure("link-theirs"),
		      "cannot use cachet home 'link-theirs': it is owned by uid %u, not by you (uid "
		      "%u); use one of your own, or if you trust it, make it yours with: chown -R %u "
		      "'link-theirs'",
		      OTHER, (unsigned)geteuid(), (unsigned)geteuid());
	/* another user's link, even to the user's own home: they choose where
	 * it leads, and may change it */
	assert_int_equal(symlink("real", "planted"), 0);
	assert_true(give_away("planted"));
	expect_unsafe(cachet_home_ensure("planted"),
		      "cannot use cachet home 'planted': the symbolic link is owned by uid %u, not "
		      "by you (uid %u); use one of your own, or if you trust it, make it yours with: "
		      "chown %u 'planted'",
		      OTHER, (unsigned)geteuid(), (unsigned)geteuid());
}

/* ---- the catalog ---- */

static bool same_bytes(const char *path, const char *text)
{
	char buf[256];
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static int open_catalog(const char *path, bool read_only)
{
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	cachet_catalog *cat = NULL;
	o.read_only = read_only;
	int rc = cachet_catalog_open_sqlite(&cat, path, &o);
	if (rc == 0)
		cachet_catalog_free(cat);
	else
		assert_null(cat);
	return rc;
}

static void an_untrusted_catalog_is_refused_and_kept(void **state)
{
	(void)state;
	make_dir("c", 0700);
	write_file("c/catalog.db", "planted", 0664);
	expect_unsafe(open_catalog("c/catalog.db", false),
		      "cannot use catalog 'c/catalog.db': it is writable by its group (mode 0664); "
		      "fix it with: chmod 600 'c/catalog.db'");
	/* read-only too: a planted catalog is no safer to read */
	expect_unsafe(open_catalog("c/catalog.db", true),
		      "cannot use catalog 'c/catalog.db': it is writable by its group (mode 0664); "
		      "fix it with: chmod 600 'c/catalog.db'");
	assert_true(same_bytes("c/catalog.db", "planted"));
	assert_int_equal(mode_of("c/catalog.db"), 0664);
	unlink("c/catalog.db");

	/* a -wal beside it that others may write would be replayed into it */
	assert_int_equal(open_catalog("c/catalog.db", false), 0);
	write_file("c/catalog.db-wal", "", 0666);
	expect_unsafe(open_catalog("c/catalog.db", false),
		      "cannot use catalog 'c/catalog.db-wal': it is writable by group and others "
		      "(mode 0666); fix it with: chmod 600 'c/catalog.db-wal'");
	unlink("c/catalog.db-wal");
	assert_int_equal(open_catalog("c/catalog.db", false), 0);

	/* a link is not followed, whoever made it */
	assert_int_equal(symlink("catalog.db", "c/linked.db"), 0);
	expect_unsafe(open_catalog("c/linked.db", false),
		      "cannot use catalog 'c/linked.db': it is a symbolic link; cachet does not "
		      "follow links to its files");

	/* in a directory others may write, anyone can swap the file */
	make_dir("shared", 0777);
	expect_unsafe(open_catalog("shared/catalog.db", false),
		      "cannot use catalog directory 'shared': it is writable by group and others "
		      "(mode 0777); fix it with: chmod 700 'shared'");
	assert_int_equal(access("shared/catalog.db", F_OK), -1); /* nothing created */

	if (!give_away("c/catalog.db"))
		skip();
	expect_unsafe(open_catalog("c/catalog.db", false),
		      "cannot use catalog 'c/catalog.db': it is owned by uid %u, not by you (uid "
		      "%u); use one of your own, or if you trust it, make it yours with: chown %u "
		      "'c/catalog.db'",
		      OTHER, (unsigned)geteuid(), (unsigned)geteuid());
}

static void an_untrusted_stat_cache_is_refused(void **state)
{
	(void)state;
	cachet_stat_cache *sc = NULL;
	make_dir("s", 0700);
	write_file("s/stat-cache.db", "planted", 0646);
	expect_unsafe(cachet_stat_cache_open(&sc, "s/stat-cache.db"),
		      "cannot use stat cache 's/stat-cache.db': it is writable by others (mode "
		      "0646); fix it with: chmod 600 's/stat-cache.db'");
	assert_null(sc);
	/* not moved aside as a corrupt one would be: it is not ours to touch */
	assert_true(same_bytes("s/stat-cache.db", "planted"));
	assert_int_equal(access("s/stat-cache.db.corrupt", F_OK), -1);

	make_dir("s2", 0770);
	expect_unsafe(cachet_stat_cache_open(&sc, "s2/stat-cache.db"),
		      "cannot use stat cache directory 's2': it is writable by its group (mode "
		      "0770); fix it with: chmod 700 's2'");

	if (!give_away("s/stat-cache.db"))
		skip();
	assert_int_equal(chmod("s/stat-cache.db", 0600), 0);
	expect_unsafe(cachet_stat_cache_open(&sc, "s/stat-cache.db"),
		      "cannot use stat cache 's/stat-cache.db': it is owned by uid %u, not by you "
		      "(uid %u); use one of your own, or if you trust it, make it yours with: chown "
		      "%u 's/stat-cache.db'",
		      OTHER, (unsigned)geteuid(), (unsigned)geteuid());
}

/* ---- what cachet creates ---- */

static int n_checked;

static int check_private(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	mode_t want = flag == FTW_D ? 0700 : 0600;
	if (flag != FTW_D && flag != FTW_F)
		fail_msg("'%s' is neither a file nor a directory", path);
	if ((st->st_mode & 07777) != want)
		fail_msg("'%s' has mode %04o, expected %04o", path, (unsigned)(st->st_mode & 07777),
			 (unsigned)want);
	n_checked++;
	return 0;
}

/* Create a home and use every part of it, the catalog left open so that
 * its -wal and -shm exist when the modes are checked. */
static void everything_created_is_private(mode_t umask_value, const char *home)
{
	char path[PATH_MAX];
	cachet_store *store = NULL;
	cachet_catalog *cat = NULL;
	cachet_stat_cache *sc = NULL;
	cachet_catalog_options o = CACHET_CATALOG_OPTIONS_INIT;
	mode_t old = umask(umask_value);

	assert_int_equal(cachet_home_ensure(home), 0);
	assert_int_equal(cachet_store_open_home(&store, home), 0);
	char *root = NULL, *uri = NULL;
	assert_int_equal(cachet_store_new_prefix(&root, store), 0);
	assert_int_equal(cachet_store_join(&uri, root, "a/b.txt"), 0);
	assert_int_equal(cachet_store_put_bytes(store, uri, "x", 1), 0);

	snprintf(path, sizeof path, "%s/catalog.db", home);
	o.store = store;
	assert_int_equal(cachet_catalog_open_sqlite(&cat, path, &o), 0);
	cachet_cache_key k = {CACHET_CACHE_KEY_VERSION,
			      (char *)"p", (char *)"d", (char *)"flyte_task-t",
			      (char *)"1.0-AAAAAAAA-BBBBBBBB", (char *)"flyte_cached-x"};
	cachet_reservation r = CACHET_RESERVATION_INIT;
	assert_int_equal(cachet_catalog_reserve(&r, cat, &k, "me", 0), 0);
	cachet_reservation_dispose(&r);

	snprintf(path, sizeof path, "%s/state/stat-cache.db", home);
	assert_int_equal(cachet_stat_cache_open(&sc, path), 0);
	write_file("hashed.txt", "hash me", 0644);
	cachet_hash_options ho = CACHET_HASH_OPTIONS_INIT;
	char *digest = NULL;
	ho.stat_cache = sc;
	assert_int_equal(cachet_hash_path(&digest, "hashed.txt", &ho), 0);
	umask(old);

	snprintf(path, sizeof path, "%s/catalog.db-wal", home);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof path, "%s/catalog.db-shm", home);
	assert_int_equal(access(path, F_OK), 0);
	n_checked = 0;
	assert_int_equal(nftw(home, check_private, 16, FTW_PHYS), 0);
	/* home, store, state, prefix, a, b.txt, catalog.db(-wal, -shm),
	 * stat-cache.db: at least these */
	assert_true(n_checked >= 10);

	cachet_free(digest);
	cachet_stat_cache_free(sc);
	cachet_catalog_free(cat);
	cachet_free(uri);
	cachet_free(root);
	cachet_store_free(store);
}

static void created_files_are_0600_whatever_the_umask(void **state)
{
	(void)state;
	everything_created_is_private(022, "umask022/home");
	everything_created_is_private(0, "umask000/home");
	assert_int_equal(mode_of("umask000"), 0700); /* a missing parent too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_home_others_may_write_is_refused),
		cmocka_unit_test(directories_in_the_home_are_judged_too),
		cmocka_unit_test(a_home_of_another_user_is_refused),
		cmocka_unit_test(a_symlinked_home_is_judged_by_link_and_target),
		cmocka_unit_test(an_untrusted_catalog_is_refused_and_kept),
		cmocka_unit_test(an_untrusted_stat_cache_is_refused),
		cmocka_unit_test(created_files_are_0600_whatever_the_umask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
