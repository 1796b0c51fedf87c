/*
 * The cachet home: which directory (--home, $CACHET_HOME, $XDG_CACHE_HOME,
 * $HOME, in that order), its layout, creating it, and reading its config.
 */
#define _DEFAULT_SOURCE /* setenv, realpath */

#include "test_helpers.h"

#include "cachet/home.h"
#include "util/alloc.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every test starts from the same environment: none of the variables. */
static int clear_env(void **state)
{
	(void)state;
	unsetenv("CACHET_HOME");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/tester", 1);
	return 0;
}

static void expect_home(const char *explicit_dir, const char *expected)
{
	char *home = NULL;
	assert_int_equal(cachet_home_resolve(&home, explicit_dir), 0);
	assert_string_equal(home, expected);
	cachet_free(home);
}

static void precedence(void **state)
{
	(void)state;
	/* $HOME alone */
	expect_home(NULL, "/home/tester/.cache/cachet");
	/* XDG_CACHE_HOME beats HOME */
	setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
	expect_home(NULL, "/xdg/cache/cachet");
	/* CACHET_HOME beats both */
	setenv("CACHET_HOME", "/var/cachet", 1);
	expect_home(NULL, "/var/cachet");
	/* the explicit directory beats everything */
	expect_home("/opt/h", "/opt/h");
	/* "" counts as not given, at every level */
	expect_home("", "/var/cachet");
	setenv("CACHET_HOME", "", 1);
	expect_home(NULL, "/xdg/cache/cachet");
	setenv("XDG_CACHE_HOME", "", 1);
	expect_home(NULL, "/home/tester/.cache/cachet");
}

static void relative_xdg_is_ignored(void **state)
{
	(void)state;
	/* The XDG spec: a relative path in XDG_CACHE_HOME is invalid and
	 * ignored. */
	setenv("XDG_CACHE_HOME", "relative/cache", 1);
	expect_home(NULL, "/home/tester/.cache/cachet");
}

static void relative_paths_become_absolute(void **state)
{
	(void)state;
	char cwd[PATH_MAX], expected[PATH_MAX + 64];
	assert_non_null(getcwd(cwd, sizeof cwd));

	snprintf(expected, sizeof expected, "%s/h", cwd);
	expect_home("h", expected);
	expect_home("./h/", expected);
	expect_home(".//h//.", expected);
	setenv("CACHET_HOME", "h", 1);
	expect_home(NULL, expected);
	/* ".." stays: resolving it by hand would be wrong across symlinks */
	snprintf(expected, sizeof expected, "%s/../h", cwd);
	expect_home("../h", expected);
	expect_home("/", "/");
	expect_home("//a///b/", "/a/b");
}

static void nothing_set(void **state)
{
	(void)state;
	char *home = (char *)"unchanged";
	unsetenv("HOME");
	assert_cachet_error(cachet_home_resolve(&home, NULL), CACHET_EINVALID,
			    "cannot find the cachet home: neither CACHET_HOME, XDG_CACHE_HOME "
			    "nor HOME is set (use --home)");
	assert_null(home);
	/* an explicit directory needs no environment */
	expect_home("/x", "/x");
}

static void layout(void **state)
{
	(void)state;
	char *p;
	assert_int_equal(cachet_home_store_dir(&p, "/h"), 0);
	assert_string_equal(p, "/h/store");
	cachet_free(p);
	assert_int_equal(cachet_home_stat_cache_path(&p, "/h"), 0);
	assert_string_equal(p, "/h/state/stat-cache.db");
	cachet_free(p);
	assert_int_equal(cachet_home_catalog_path(&p, "/h"), 0);
	assert_string_equal(p, "/h/catalog.db");
	cachet_free(p);
	assert_int_equal(cachet_home_runs_dir(&p, "/h"), 0);
	assert_string_equal(p, "/h/runs");
	cachet_free(p);
	assert_int_equal(cachet_home_config_path(&p, "/h"), 0);
	assert_string_equal(p, "/h/config");
	cachet_free(p);
	assert_int_equal(cachet_home_store_dir(&p, "/"), 0);
	assert_string_equal(p, "/store");
	cachet_free(p);
}

static void assert_dir_mode(const char *path, mode_t mode)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
}

static void ensure_creates_private_dirs(void **state)
{
	(void)state;
	mode_t old = umask(0);
	assert_int_equal(cachet_home_ensure("ens/deep/home"), 0);
	umask(old);
	assert_dir_mode("ens", 0700);
	assert_dir_mode("ens/deep", 0700);
	assert_dir_mode("ens/deep/home", 0700);
	assert_dir_mode("ens/deep/home/store", 0700);
	assert_dir_mode("ens/deep/home/state", 0700);

	/* existing directories are left as they are */
	assert_int_equal(chmod("ens/deep/home", 0750), 0);
	assert_int_equal(cachet_home_ensure("ens/deep/home"), 0);
	assert_dir_mode("ens/deep/home", 0750);
}

static void ensure_reports_what_is_in_the_way(void **state)
{
	(void)state;
	FILE *f = fopen("afile", "w");
	assert_non_null(f);
	fclose(f);
	assert_cachet_error(cachet_home_ensure("afile"), CACHET_EIO,
			    "cannot create directory 'afile': File exists");
	/* the parent in the way is the one named */
	assert_cachet_error(cachet_home_ensure("afile/home"), CACHET_EIO,
			    "cannot create directory 'afile': File exists");
	assert_int_equal(mkdir("h2", 0700), 0);
	f = fopen("h2/store", "w");
	assert_non_null(f);
	fclose(f);
	assert_cachet_error(cachet_home_ensure("h2"), CACHET_EIO,
			    "cannot create directory 'h2/store': File exists");
	assert_cachet_error(cachet_home_ensure(""), CACHET_EINVALID,
			    "no cachet home directory given");
}

static void write_config(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void config_read(void **state)
{
	(void)state;
	cachet_home_config cfg;

	/* no home, and a home without a config: nothing set */
	assert_int_equal(cachet_home_config_read(&cfg, "cfg"), 0);
	assert_null(cfg.catalog);
	assert_null(cfg.store);
	assert_int_equal(mkdir("cfg", 0700), 0);
	assert_int_equal(cachet_home_config_read(&cfg, "cfg"), 0);
	assert_null(cfg.catalog);

	/* comments, blank lines, blanks around key and value, CRLF, no
	 * final newline; '=' inside the value is the value's */
	write_config("cfg/config",
		     "# a comment\n\n; another\r\n  catalog\t=  host=db port=5433 \r\n"
		     "store=file:///nfs/store",
		     0600);
	assert_int_equal(cachet_home_config_read(&cfg, "cfg"), 0);
	assert_string_equal(cfg.catalog, "host=db port=5433");
	assert_string_equal(cfg.store, "file:///nfs/store");
	cachet_home_config_dispose(&cfg);
	assert_null(cfg.catalog);
	cachet_home_config_dispose(NULL);

	/* errors name the file and the line, never the value */
	write_config("cfg/config", "store = /s\ncatalg = postgres://u:secret@h/db\n", 0600);
	assert_cachet_error(cachet_home_config_read(&cfg, "cfg"), CACHET_EINVALID,
			    "config 'cfg/config' line 2: unknown key 'catalg' (catalog, store)");
	assert_null(cfg.store);
	write_config("cfg/config", "postgres://u:secret@h/db\n", 0600);
	assert_cachet_error(cachet_home_config_read(&cfg, "cfg"), CACHET_EINVALID,
			    "config 'cfg/config' line 1: expected 'key = value'");
	write_config("cfg/config", "catalog = a\ncatalog = b\n", 0600);
	assert_cachet_error(cachet_home_config_read(&cfg, "cfg"), CACHET_EINVALID,
			    "config 'cfg/config' line 2: 'catalog' set twice");
	write_config("cfg/config", "\n\nstore =  \n", 0600);
	assert_cachet_error(cachet_home_config_read(&cfg, "cfg"), CACHET_EINVALID,
			    "config 'cfg/config' line 3: 'store' has no value");

	/* trusted as the home is */
	write_config("cfg/config", "store = /s\n", 0620);
	assert_cachet_error(cachet_home_config_read(&cfg, "cfg"), CACHET_EUNSAFE,
			    "cannot use config 'cfg/config': it is writable by its group "
			    "(mode 0620); fix it with: chmod 600 'cfg/config'");
	assert_int_equal(chmod("cfg/config", 0600), 0);
	assert_int_equal(chmod("cfg", 0707), 0);
	assert_cachet_error(cachet_home_config_read(&cfg, "cfg"), CACHET_EUNSAFE,
			    "cannot use cachet home 'cfg': it is writable by others "
			    "(mode 0707); fix it with: chmod 700 'cfg'");
	assert_int_equal(chmod("cfg", 0700), 0);
}

static void config_out_of_memory(void **state)
{
	(void)state;
	cachet_home_config cfg;
	assert_int_equal(mkdir("cfg-oom", 0700), 0);
	write_config("cfg-oom/config", "catalog = sqlite:///c.db\nstore = /s\n", 0600);
	for (long n = 0;; n++) {
		cachet__alloc_fail_after(n);
		int rc = cachet_home_config_read(&cfg, "cfg-oom");
		bool failed = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		if (!failed) {
			assert_int_equal(rc, 0);
			assert_string_equal(cfg.catalog, "sqlite:///c.db");
			cachet_home_config_dispose(&cfg);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
		assert_null(cfg.catalog);
		assert_null(cfg.store);
	}
}

static void out_of_memory(void **state)
{
	(void)state;
	setenv("CACHET_HOME", "rel/home", 1);
	for (long n = 0;; n++) {
		char *home = NULL, *p = NULL;
		cachet__alloc_fail_after(n);
		int rc = cachet_home_resolve(&home, NULL);
		if (rc == 0)
			rc = cachet_home_stat_cache_path(&p, home);
		if (rc == 0)
			rc = cachet_home_ensure("oom/home");
		bool failed = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		cachet_free(home);
		cachet_free(p);
		if (!failed) {
			assert_int_equal(rc, 0);
			assert_true(n > 2);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(precedence, clear_env),
		cmocka_unit_test_setup(relative_xdg_is_ignored, clear_env),
		cmocka_unit_test_setup(relative_paths_become_absolute, clear_env),
		cmocka_unit_test_setup(nothing_set, clear_env),
		cmocka_unit_test_setup(layout, clear_env),
		cmocka_unit_test_setup(ensure_creates_private_dirs, clear_env),
		cmocka_unit_test_setup(ensure_reports_what_is_in_the_way, clear_env),
		cmocka_unit_test_setup(out_of_memory, clear_env),
		cmocka_unit_test_setup(config_read, clear_env),
		cmocka_unit_test_setup(config_out_of_memory, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
