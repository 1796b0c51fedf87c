/* Unit tests for the file backend and symbolic links: a link planted in
 * the store (by someone else: the store creates none) is never followed,
 * by a write, read, stat, listing, delete or cleanup. A canary directory
 * outside the store, which the links point at, must stay byte for byte as
 * it was. */
#define _DEFAULT_SOURCE /* realpath, scandir, utimensat flags */

#include "test_store_helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIG 16384 /* for messages built from paths */
#define WHY "is a symbolic link, which the store does not follow"

typedef struct links_fx {
	store_fx *s;
	char canary[PATH_MAX];
	char before[BIG];
} links_fx;

/* "name=content;" for each file of dir and of its directories, sorted,
 * with a '/' after each directory's name: what must not change. */
static void snapshot_dir(char *out, size_t size, const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX + 256];
		struct stat st;
		const char *name = names[i]->d_name;
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			snprintf(path, sizeof path, "%s/%s", dir, name);
			assert_int_equal(lstat(path, &st), 0);
			strncat(out, name, size - strlen(out) - 1);
			if (S_ISDIR(st.st_mode)) {
				strncat(out, "/", size - strlen(out) - 1);
				snapshot_dir(out, size, path);
			} else {
				char *text = read_file(path, NULL);
				strncat(out, "=", size - strlen(out) - 1);
				strncat(out, text, size - strlen(out) - 1);
				strncat(out, ";", size - strlen(out) - 1);
				free(text);
			}
		}
		free(names[i]);
	}
	free(names);
	strncat(out, "|", size - strlen(out) - 1);
}

static int setup(void **state)
{
	static int n;
	links_fx *f = calloc(1, sizeof *f);
	char rel[64], path[PATH_MAX + 32];

	assert_non_null(f);
	store_setup_file(state);
	f->s = *state;
	snprintf(rel, sizeof rel, "canary-%d", n++);
	assert_int_equal(mkdir(rel, 0700), 0);
	assert_non_null(realpath(rel, f->canary));
	snprintf(path, sizeof path, "%s/keep.txt", f->canary);
	write_text(path, "canary\n");
	snprintf(path, sizeof path, "%s/sub", f->canary);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/sub/deep.txt", f->canary);
	write_text(path, "deep\n");
	/* what cleanup would remove, were it led here */
	snprintf(path, sizeof path, "%s/.old.tmp-0123456789abcdef", f->canary);
	write_text(path, "half");
	struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
	assert_int_equal(utimensat(AT_FDCWD, path, old, AT_SYMLINK_NOFOLLOW), 0);
	snapshot_dir(f->before, sizeof f->before, f->canary);
	assert_string_equal(f->before,
			    ".old.tmp-0123456789abcdef=half;keep.txt=canary\n;sub/deep.txt=deep\n;||");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	links_fx *f = *state;
	char after[BIG] = "";

	/* the canary is as it was, whatever the test did */
	snapshot_dir(after, sizeof after, f->canary);
	assert_string_equal(after, f->before);
	*state = f->s;
	store_teardown(state);
	free(f);
	return 0;
}

/* Plant a link at key (a path below the store's directory) to target. */
static void plant(links_fx *f, const char *key, const char *target)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", f->s->dir, key);
	assert_int_equal(symlink(target, path), 0);
}

/* The message of a refusal at the link at key. */
static const char *at_link(char *out, size_t size, links_fx *f, const char *verb,
			   const char *uri, const char *key)
{
	snprintf(out, size, "%s '%s': '%s/%s' " WHY, verb, uri, f->s->dir, key);
	return out;
}

static void a_link_on_the_way(void **state)
{
	links_fx *f = *state;
	store_fx *s = f->s;
	cachet_store_stat st;
	char expected[BIG], *data = NULL;
	size_t len;

	plant(f, "evil", f->canary);
	assert_cachet_error(cachet_store_put_bytes(s->store, U(s, "evil/x"), "x", 1), CACHET_EIO,
			    at_link(expected, sizeof expected, f, "cannot write", U(s, "evil/x"),
				    "evil"));
	assert_cachet_error(cachet_store_put_bytes(s->store, U(s, "evil/sub/new"), "x", 1),
			    CACHET_EIO,
			    at_link(expected, sizeof expected, f, "cannot write",
				    U(s, "evil/sub/new"), "evil"));
	/* the canary's files are not objects of the store */
	at_link(expected, sizeof expected, f, "no object at", U(s, "evil/keep.txt"), "evil");
	assert_cachet_error(cachet_store_stat_object(&st, s->store, U(s, "evil/keep.txt")),
			    CACHET_ENOTFOUND, expected);
	assert_cachet_error(cachet_store_get_bytes(&data, &len, s->store, U(s, "evil/keep.txt")),
			    CACHET_ENOTFOUND, expected);
	assert_null(data);
	assert_cachet_error(cachet_store_delete(s->store, U(s, "evil/keep.txt")), CACHET_ENOTFOUND,
			    expected);
	at_link(expected, sizeof expected, f, "no object at", U(s, "evil/sub/deep.txt"), "evil");
	assert_cachet_error(cachet_store_delete(s->store, U(s, "evil/sub/deep.txt")),
			    CACHET_ENOTFOUND, expected);
	/* listings see nothing there */
	assert_listing(s, U(s, "evil/"), "");
	assert_listing(s, U(s, "evil/sub/"), "");
	assert_listing(s, U(s, "ev"), "");
	assert_listing(s, s->root, "");
	/* nor does cleanup go there (the canary's old leftover stays) */
	size_t removed = 99;
	assert_int_equal(cachet_store_cleanup(s->store, 0, &removed), 0);
	assert_int_equal(removed, 0);
}

static void a_link_deeper_down(void **state)
{
	links_fx *f = *state;
	store_fx *s = f->s;
	char expected[BIG];
	cachet_store_stat st;

	assert_int_equal(cachet_store_put_bytes(s->store, U(s, "a/b/real"), "r", 1), 0);
	plant(f, "a/b/evil", f->canary);
	assert_cachet_error(cachet_store_put_bytes(s->store, U(s, "a/b/evil/sub/x"), "x", 1),
			    CACHET_EIO,
			    at_link(expected, sizeof expected, f, "cannot write",
				    U(s, "a/b/evil/sub/x"), "a/b/evil"));
	assert_cachet_error(cachet_store_stat_object(&st, s->store, U(s, "a/b/evil/keep.txt")),
			    CACHET_ENOTFOUND,
			    at_link(expected, sizeof expected, f, "no object at",
				    U(s, "a/b/evil/keep.txt"), "a/b/evil"));
	/* the real objects next to it are listed, the link is not */
	assert_listing(s, s->root, "a/b/real\n");
	assert_listing(s, U(s, "a/b/"), "a/b/real\n");
	/* deleting the last real object removes the emptied directories up to
	 * the one that still holds the link */
	assert_int_equal(cachet_store_delete(s->store, U(s, "a/b/real")), 0);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/a/b", s->dir);
	assert_int_equal(access(path, F_OK), 0);
}

static void a_link_as_the_object(void **state)
{
	links_fx *f = *state;
	store_fx *s = f->s;
	char expected[BIG], target[PATH_MAX + 16], path[PATH_MAX + 16], *data = NULL;
	cachet_store_stat st;
	size_t len;

	snprintf(target, sizeof target, "%s/keep.txt", f->canary);
	plant(f, "obj", target);
	at_link(expected, sizeof expected, f, "no object at", U(s, "obj"), "obj");
	assert_cachet_error(cachet_store_stat_object(&st, s->store, U(s, "obj")), CACHET_ENOTFOUND,
			    expected);
	assert_cachet_error(cachet_store_get_bytes(&data, &len, s->store, U(s, "obj")),
			    CACHET_ENOTFOUND, expected);
	snprintf(expected, sizeof expected, "no object at '%s'", U(s, "obj"));
	assert_cachet_error(cachet_store_delete(s->store, U(s, "obj")), CACHET_ENOTFOUND, expected);
	assert_listing(s, s->root, "");
	/* a write replaces the link itself, as rename does */
	assert_int_equal(cachet_store_put_bytes(s->store, U(s, "obj"), "new", 3), 0);
	snprintf(path, sizeof path, "%s/obj", s->dir);
	struct stat lst;
	assert_int_equal(lstat(path, &lst), 0);
	assert_true(S_ISREG(lst.st_mode));
	assert_int_equal(cachet_store_stat_object(&st, s->store, U(s, "obj")), 0);
	assert_int_equal(st.size, 3);
	assert_listing(s, s->root, "obj\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_link_on_the_way, setup, teardown),
		cmocka_unit_test_setup_teardown(a_link_deeper_down, setup, teardown),
		cmocka_unit_test_setup_teardown(a_link_as_the_object, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
