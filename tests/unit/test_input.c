/*
 * The input limit (cachet_max_input, cachet_read_input in cachet/common.h;
 * util/input.c): how the limit in force is chosen, reading regular files,
 * pipes and devices at the limit and one byte over, decoders and objecthash
 * refusing oversize input, and allocation failures.
 */
#include "test_helpers.h"

#include "cachet/codec.h"
#include "cachet/key.h"
#include "util/alloc.h"
#include "util/input.h"

#include <fcntl.h>
#include <unistd.h>

#define HINT "(set CACHET_MAX_INPUT to raise it)"

static int reset(void **state)
{
	(void)state;
	unsetenv("CACHET_MAX_INPUT");
	cachet_set_max_input(0);
	return 0;
}

static size_t limit_now(void)
{
	size_t n = 0;
	assert_int_equal(cachet_max_input(&n), 0);
	return n;
}

/* A file named path holding n bytes of c. */
static void write_file(const char *path, size_t n, char c)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(fputc(c, f), c);
	assert_int_equal(fclose(f), 0);
}

/* A pipe whose read end holds n bytes of c, the write end closed (n fits
 * in the pipe's buffer). */
static int pipe_of(size_t n, char c)
{
	int fds[2];
	char buf[4096];
	assert_int_equal(pipe(fds), 0);
	assert_true(n <= sizeof buf);
	memset(buf, c, n);
	assert_int_equal(write(fds[1], buf, n), (ssize_t)n);
	close(fds[1]);
	return fds[0];
}

static void test_limit_in_force(void **state)
{
	(void)state;
	assert_int_equal(limit_now(), (size_t)256 << 20);
	assert_int_equal(CACHET_MAX_INPUT_DEFAULT, 268435456);

	static const struct {
		const char *text;
		size_t bytes;
	} good[] = {
		{"1", 1},           {"100", 100},         {"1K", 1024},      {"1k", 1024},
		{"2KiB", 2048},     {"3KB", 3072},        {"512M", 536870912}, {"1G", 1073741824},
		{"1g", 1073741824}, {"2T", (size_t)2 << 40},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		setenv("CACHET_MAX_INPUT", good[i].text, 1);
		assert_int_equal(limit_now(), good[i].bytes);
	}
	static const char *const bad[] = {"abc", "0", "0K", "-5", "1.5M", "12X", "1Ki", "1 K",
					  " 1", "1KiBs", "99999999999999999999999", "17179869184G"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char msg[200];
		size_t n = 7;
		setenv("CACHET_MAX_INPUT", bad[i], 1);
		snprintf(msg, sizeof msg,
			 "CACHET_MAX_INPUT='%s' is not a size: give bytes, or a number with K, M "
			 "or G (like 512M)",
			 bad[i]);
		assert_cachet_error(cachet_max_input(&n), CACHET_EINVALID, msg);
		assert_int_equal(n, 7); /* untouched */
	}
	/* empty is unset */
	setenv("CACHET_MAX_INPUT", "", 1);
	assert_int_equal(limit_now(), CACHET_MAX_INPUT_DEFAULT);

	/* the program's setting wins over the environment; 0 gives it back */
	setenv("CACHET_MAX_INPUT", "1K", 1);
	cachet_set_max_input(100);
	assert_int_equal(limit_now(), 100);
	cachet_set_max_input(0);
	assert_int_equal(limit_now(), 1024);
}

static void test_read_regular_file(void **state)
{
	(void)state;
	char *data = NULL;
	size_t len = 99;
	cachet_set_max_input(100);

	write_file("at", 100, 'a');
	assert_int_equal(cachet__read_input_path(&data, &len, "at"), 0);
	assert_int_equal(len, 100);
	assert_int_equal(data[0], 'a');
	assert_int_equal(data[99], 'a');
	assert_int_equal(data[100], '\0');
	cachet_free(data);

	write_file("over", 101, 'a');
	assert_cachet_error(cachet__read_input_path(&data, &len, "over"), CACHET_ETOOBIG,
			    "cannot read 'over': larger than the input limit of 100 bytes " HINT);
	assert_null(data);
	assert_int_equal(len, 0);

	/* what is left from the file offset counts */
	int fd = open("over", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 1, SEEK_SET), 1);
	assert_int_equal(cachet_read_input(&data, &len, fd, "over"), 0);
	assert_int_equal(len, 100);
	cachet_free(data);
	close(fd);

	/* no limit to speak of */
	cachet_set_max_input(SIZE_MAX);
	assert_int_equal(cachet__read_input_path(&data, &len, "over"), 0);
	assert_int_equal(len, 101);
	cachet_free(data);
	fd = open("/proc/self/status", O_RDONLY); /* a regular file of size 0 */
	assert_true(fd >= 0);
	assert_int_equal(cachet_read_input(&data, &len, fd, "status"), 0);
	close(fd);
	assert_true(len > 0 && strncmp(data, "Name:", 5) == 0);
	cachet_free(data);
	cachet_set_max_input(100);

	/* empty */
	write_file("empty", 0, 'a');
	assert_int_equal(cachet__read_input_path(&data, &len, "empty"), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	cachet_free(data);

	/* limits shown in the largest unit that divides them */
	cachet_set_max_input(1);
	assert_cachet_error(cachet__read_input_path(&data, &len, "at"), CACHET_ETOOBIG,
			    "cannot read 'at': larger than the input limit of 1 byte " HINT);
	cachet_set_max_input(3 << 10);
	write_file("big", 3 * 1024 + 1, 'b');
	assert_cachet_error(cachet__read_input_path(&data, &len, "big"), CACHET_ETOOBIG,
			    "cannot read 'big': larger than the input limit of 3 KiB " HINT);

	assert_cachet_error(cachet__read_input_path(&data, &len, "missing"), CACHET_ENOTFOUND,
			    "cannot open 'missing': No such file or directory");
	/* a directory cannot be read */
	assert_cachet_error(cachet__read_input_path(&data, &len, "."), CACHET_EIO,
			    "cannot read '.': Is a directory");
	assert_null(data);
}

static void test_read_pipe_and_device(void **state)
{
	(void)state;
	char *data = NULL;
	size_t len = 0;
	cachet_set_max_input(100);

	int fd = pipe_of(100, 'p');
	assert_int_equal(cachet_read_input(&data, &len, fd, "<stdin>"), 0);
	close(fd);
	assert_int_equal(len, 100);
	assert_int_equal(data[99], 'p');
	assert_int_equal(data[100], '\0');
	cachet_free(data);

	fd = pipe_of(101, 'p');
	assert_cachet_error(cachet_read_input(&data, &len, fd, "<stdin>"), CACHET_ETOOBIG,
			    "cannot read '<stdin>': larger than the input limit of 100 bytes " HINT);
	close(fd);
	assert_null(data);

	/* a device without end stops at the limit: beyond the first chunk */
	cachet_set_max_input((size_t)1 << 20);
	fd = open("/dev/zero", O_RDONLY);
	assert_true(fd >= 0);
	assert_cachet_error(cachet_read_input(&data, &len, fd, "/dev/zero"), CACHET_ETOOBIG,
			    "cannot read '/dev/zero': larger than the input limit of 1 MiB " HINT);
	close(fd);
	assert_null(data);
	assert_int_equal(len, 0);

	/* a stream of several chunks within the limit is read whole */
	char chunk[4096];
	memset(chunk, 'q', sizeof chunk);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (int i = 0; i < 100; i++)
			if (write(fds[1], chunk, sizeof chunk) != (ssize_t)sizeof chunk)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(cachet_read_input(&data, &len, fds[0], "pipe"), 0);
	close(fds[0]);
	assert_int_equal(len, 100 * sizeof chunk);
	assert_int_equal(data[len - 1], 'q');
	cachet_free(data);
}

static void test_decoders_refuse_oversize(void **state)
{
	(void)state;
	static const char map[] = "{\"literals\":{\"x\":{\"hash\":\"h\"}}}";
	size_t n = sizeof map - 1;
	cachet_literal_map *m = NULL;
	char msg[200];

	cachet_set_max_input(n);
	assert_int_equal(cachet_literal_map_decode(&m, map, n, CACHET_FORMAT_AUTO), 0);
	cachet_literal_map_free(m);
	uint8_t hash[CACHET_HASH_LEN];
	assert_int_equal(cachet_objecthash_json(hash, map, n), 0);

	cachet_set_max_input(n - 1);
	snprintf(msg, sizeof msg,
		 "cannot decode %zu bytes: larger than the input limit of %zu bytes " HINT, n,
		 n - 1);
	for (int format = CACHET_FORMAT_AUTO; format <= CACHET_FORMAT_JSON; format++) {
		m = (void *)1;
		assert_cachet_error(cachet_literal_map_decode(&m, map, n, (cachet_format)format),
				    CACHET_ETOOBIG, msg);
		assert_null(m);
	}
	cachet_literal *l = (void *)1;
	assert_cachet_error(cachet_literal_decode(&l, map, n, CACHET_FORMAT_PB), CACHET_ETOOBIG,
			    msg);
	assert_null(l);
	snprintf(msg, sizeof msg,
		 "objecthash: cannot parse %zu bytes of JSON: larger than the input limit of "
		 "%zu bytes " HINT,
		 n, n - 1);
	assert_cachet_error(cachet_objecthash_json(hash, map, n), CACHET_ETOOBIG, msg);

	/* a malformed environment is reported by the decoder too */
	cachet_set_max_input(0);
	setenv("CACHET_MAX_INPUT", "lots", 1);
	assert_cachet_error(cachet_literal_map_decode(&m, map, n, CACHET_FORMAT_JSON),
			    CACHET_EINVALID,
			    "cannot decode 31 bytes: CACHET_MAX_INPUT='lots' is not a size: give "
			    "bytes, or a number with K, M or G (like 512M)");
	assert_string_equal(cachet_error_code_name(CACHET_ETOOBIG), "ETOOBIG");
}

static void test_read_fault_injection(void **state)
{
	(void)state;
	write_file("f", 10, 'f');
	for (long n = 0;; n++) {
		char *data = NULL;
		size_t len = 0;
		cachet__alloc_fail_after(n);
		int rc = cachet__read_input_path(&data, &len, "f");
		bool injected = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		if (rc == 0 && !injected) {
			assert_int_equal(len, 10);
			cachet_free(data);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
		assert_null(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_limit_in_force, reset, reset),
		cmocka_unit_test_setup_teardown(test_read_regular_file, reset, reset),
		cmocka_unit_test_setup_teardown(test_read_pipe_and_device, reset, reset),
		cmocka_unit_test_setup_teardown(test_decoders_refuse_oversize, reset, reset),
		cmocka_unit_test_setup_teardown(test_read_fault_injection, reset, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
