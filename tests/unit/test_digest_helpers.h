/*
 * Helpers shared by the digest layer's unit tests (test_digest*.c,
 * test_stat_cache.c): making files and trees in the test's scratch
 * directory, and hashing them with assertions.
 */
#ifndef CACHET_TEST_DIGEST_HELPERS_H
#define CACHET_TEST_DIGEST_HELPERS_H

#include "test_helpers.h"

#include "cachet/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* mkdir -p */
static inline void t_mkdirs(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				fail_msg("mkdir %s: %s", buf, strerror(errno));
			*p = c;
			if (c == '\0')
				break;
		}
	}
}

/* Write len bytes to path (parents created), replacing it. */
static inline void t_put_bytes(const char *path, const void *data, size_t len)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		t_mkdirs(dir);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static inline void t_put(const char *path, const char *text)
{
	t_put_bytes(path, text, strlen(text));
}

/* Set a file's mtime (and atime) without following a symlink. */
static inline void t_set_mtime(const char *path, int64_t sec, long nsec)
{
	struct timespec ts[2] = {{(time_t)sec, nsec}, {(time_t)sec, nsec}};
	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static inline int64_t t_mtime_ns(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* The hash of path; fails the test on an error. Free with cachet_free. */
static inline char *t_hash(const char *path, const cachet_hash_options *o)
{
	char *h = NULL;
	int rc = cachet_hash_path(&h, path, o);
	if (rc != 0)
		fail_msg("cachet_hash_path(%s): %s", path, cachet_error_last()->message);
	assert_non_null(h);
	return h;
}

/* Assert that hashing path gives want. */
static inline void t_assert_hash(const char *path, const cachet_hash_options *o,
				 const char *want)
{
	char *h = t_hash(path, o);
	assert_string_equal(h, want);
	cachet_free(h);
}

/* Assert that hashing path fails with code and exactly msg (or, when msg
 * ends with '*', a message starting with what precedes the '*'). */
static inline void t_assert_hash_fails(const char *path, const cachet_hash_options *o, int code,
				       const char *msg)
{
	char *h = (char *)"untouched";
	int rc = cachet_hash_path(&h, path, o);
	if (rc != code)
		fail_msg("hashing %s: rc %d (%s), expected %d", path, rc,
			 cachet_error_last()->message, code);
	assert_null(h);
	size_t n = strlen(msg);
	if (n > 0 && msg[n - 1] == '*') {
		if (strncmp(cachet_error_last()->message, msg, n - 1) != 0)
			fail_msg("message '%s' does not start with '%.*s'",
				 cachet_error_last()->message, (int)(n - 1), msg);
	} else {
		assert_string_equal(cachet_error_last()->message, msg);
	}
}

#endif
