/*
 * Running part of a unit test as an unprivileged user.
 *
 * File modes do not bind root, so a test of a permission error that runs
 * as root forks a child that becomes nobody (uid and gid 65534). That user
 * may be unable to reach the test's working directory: the checkout and
 * the build can be under a private directory (/root is mode 0700), and
 * SQLite, realpath and getcwd walk the absolute path. So such a test first
 * moves into a fresh directory that nobody can reach and write:
 *
 *	cachet_test_public_dir d;
 *	cachet_test_public_dir_enter(&d);
 *	... fork; in the child: cachet_test_become_nobody(), then the test ...
 *	cachet_test_public_dir_leave(&d);
 *
 * setgroups() needs _DEFAULT_SOURCE, defined before the first include.
 */
#ifndef CACHET_TEST_UNPRIVILEGED_H
#define CACHET_TEST_UNPRIVILEGED_H

#include "test_helpers.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHET_TEST_NOBODY 65534

typedef struct {
	char dir[PATH_MAX];  /* the fresh directory */
	char back[PATH_MAX]; /* the working directory before it */
} cachet_test_public_dir;

/* Whether every directory on the way to the absolute path `dir`, and dir
 * itself, lets others through. */
static inline bool cachet_test_reachable_by_all(const char *dir)
{
	char prefix[PATH_MAX];
	size_t len = strlen(dir);
	struct stat st;

	if (dir[0] != '/' || len >= sizeof prefix)
		return false;
	for (size_t i = 1; i <= len; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		memcpy(prefix, dir, i);
		prefix[i] = '\0';
		if (stat(prefix, &st) != 0 || !S_ISDIR(st.st_mode) || !(st.st_mode & S_IXOTH))
			return false;
	}
	return true;
}

/* Make a fresh directory, in the first of $TMPDIR, /tmp and /var/tmp that
 * every user can reach, make it the working directory and, as root, give
 * it to nobody. Skips the test, saying why, when there is no such place. */
static inline void cachet_test_public_dir_enter(cachet_test_public_dir *d)
{
	const char *bases[] = {getenv("TMPDIR"), "/tmp", "/var/tmp"};

	assert_non_null(getcwd(d->back, sizeof d->back));
	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		if (bases[i] == NULL || !cachet_test_reachable_by_all(bases[i]))
			continue;
		int n = snprintf(d->dir, sizeof d->dir, "%s/cachet-test-XXXXXX", bases[i]);
		assert_true(n > 0 && (size_t)n < sizeof d->dir);
		assert_non_null(mkdtemp(d->dir));
		assert_int_equal(chmod(d->dir, 0755), 0);
		if (geteuid() == 0)
			assert_int_equal(chown(d->dir, CACHET_TEST_NOBODY, CACHET_TEST_NOBODY), 0);
		assert_int_equal(chdir(d->dir), 0);
		return;
	}
	print_message("no temporary directory every user can reach ($TMPDIR, /tmp, /var/tmp)\n");
	skip();
}

/* Go back to the old working directory and remove the fresh one. */
static inline void cachet_test_public_dir_leave(cachet_test_public_dir *d)
{
	char rm[PATH_MAX + 16];

	assert_int_equal(chdir(d->back), 0);
	/* mkdtemp's name has no quote to escape */
	int n = snprintf(rm, sizeof rm, "rm -rf -- '%s'", d->dir);
	assert_true(n > 0 && (size_t)n < sizeof rm);
	assert_int_equal(system(rm), 0);
}

/* In a child: as root, become nobody, with no supplementary group; as
 * anyone else, stay. 0, or -1 with errno set. */
static inline int cachet_test_become_nobody(void)
{
	if (geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) != 0 || setgid(CACHET_TEST_NOBODY) != 0 ||
	    setuid(CACHET_TEST_NOBODY) != 0)
		return -1;
	return 0;
}

#endif
