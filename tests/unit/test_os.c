/* Unit tests for the OS layer of src/lib/util: fs.c, os.c, clock.c. Each
 * runs in the test's own empty working directory. */
#include "test_helpers.h"

#include "util/alloc.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------------ */
/* fs.c */

static void test_write_then_read(void **state)
{
	char *text = NULL;
	size_t len = 0;
	struct stat st;

	(void)state;
	assert_int_equal(cachet__write_file_atomic("atomic.txt", "hello\n", 6), 0);
	assert_int_equal(stat("atomic.txt", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cachet__read_file(&text, &len, "atomic.txt", 100), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(text, "hello\n", 6);
	cachet__free(text);

	/* a second write replaces the first whole */
	assert_int_equal(cachet__write_file_atomic("atomic.txt", "x", 1), 0);
	assert_int_equal(cachet__read_file(&text, &len, "atomic.txt", 100), 0);
	assert_int_equal(len, 1);
	assert_memory_equal(text, "x", 1);
	cachet__free(text);
}

static void test_read_file_errors(void **state)
{
	char *text = (char *)"untouched";
	size_t len = 0;

	(void)state;
	assert_cachet_error(cachet__read_file(&text, &len, "absent.txt", 100), CACHET_ENOTFOUND,
			    "cannot open 'absent.txt': No such file or directory");
	assert_null(text);

	put("big.txt", "0123456789");
	assert_cachet_error(cachet__read_file(&text, &len, "big.txt", 9), CACHET_EINVALID,
			    "'big.txt' is larger than 9 bytes");
	assert_null(text);
}

static void test_remove_tree(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(cachet__mkdirs("tree/a/b", 0700, NULL), 0);
	put("tree/a/b/f", "f");
	put("outside", "kept");
	assert_int_equal(symlink("../../outside", "tree/a/link"), 0);

	assert_int_equal(cachet__remove_tree("tree"), 0);
	assert_int_equal(lstat("tree", &st), -1);
	assert_int_equal(errno, ENOENT);
	/* the link went, not what it points at */
	assert_int_equal(stat("outside", &st), 0);
	/* missing is fine */
	assert_int_equal(cachet__remove_tree("tree"), 0);
}

static void test_mkdirs_blocked(void **state)
{
	size_t failed = 0;

	(void)state;
	put("plain", "a file, not a directory");
	assert_int_equal(cachet__mkdirs("plain/sub", 0700, &failed), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(failed, strlen("plain"));
}

/* ------------------------------------------------------------------ */
/* os.c */

static void test_os_text(void **state)
{
	char show[CACHET__SHOW_MAX];

	(void)state;
	assert_string_equal(cachet__file_kind(S_IFIFO), "a FIFO");
	assert_string_equal(cachet__file_kind(S_IFDIR), "a directory");
	assert_string_equal(cachet__strerror(ENOENT), "No such file or directory");
	assert_string_equal(cachet__path_show(show, "dir", "a\nb"), "dir/a\\x0ab");
	assert_string_equal(cachet__path_show(show, "root/", "\xff"), "root/\\xff");
}

/* ------------------------------------------------------------------ */
/* clock.c */

static void test_clocks(void **state)
{
	(void)state;
	int64_t ms = cachet__monotonic_ms();
	int64_t ns = cachet__monotonic_ns();

	/* a sleep lasts at least as long as asked: no timing goal, a floor */
	cachet__sleep_ms(20);
	assert_true(cachet__monotonic_ms() - ms >= 20);
	assert_true(cachet__monotonic_ns() - ns >= 20 * 1000000LL);
	/* the wall clock is past 2020-01-01 */
	assert_true(cachet__now_ms() > 1577836800000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_then_read),
		cmocka_unit_test(test_read_file_errors),
		cmocka_unit_test(test_remove_tree),
		cmocka_unit_test(test_mkdirs_blocked),
		cmocka_unit_test(test_os_text),
		cmocka_unit_test(test_clocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
