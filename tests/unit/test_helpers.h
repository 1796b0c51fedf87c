/*
 * Shared helpers for the cmocka unit tests.
 *
 * Include this instead of <cmocka.h>: it includes what cmocka needs first.
 *
 * Environment (set by ctest, see cmake/CachetHelpers.cmake):
 *   CACHET_SRC    source root; fixtures are in $CACHET_SRC/tests/fixtures.
 *                 Falls back to CACHET_TEST_SRC_DIR, a macro the build
 *                 defines, so a test binary also runs outside ctest.
 *   CACHET_BUILD  build directory.
 *   CACHET        the built CLI, when there is one.
 * Every test starts in its own empty working directory
 * (<build>/test-work/<test name>), so it may create files in ".".
 */
#ifndef CACHET_TEST_HELPERS_H
#define CACHET_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cachet/common.h"

#ifndef CACHET_TEST_SRC_DIR
#define CACHET_TEST_SRC_DIR "."
#endif

/* The source root, without a trailing slash. */
static inline const char *cachet_test_src(void)
{
	const char *s = getenv("CACHET_SRC");
	return (s && *s) ? s : CACHET_TEST_SRC_DIR;
}

/* "<source root>/<rel>" into out; fails the test if it does not fit. */
static inline const char *cachet_test_path(char *out, size_t size, const char *rel)
{
	int n = snprintf(out, size, "%s/%s", cachet_test_src(), rel);
	assert_true(n > 0 && (size_t)n < size);
	return out;
}

/* The whole of the file at <source root>/<rel>, with a NUL after its
 * bytes (not counted in *len); fails the test if it cannot be read. Free
 * it with free(). */
static inline char *cachet_test_read(const char *rel, size_t *len)
{
	char path[4096];
	cachet_test_path(path, sizeof path, rel);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open '%s'", path);
	size_t cap = 4096, n = 0, got;
	char *data = malloc(cap);
	assert_non_null(data);
	while ((got = fread(data + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			cap *= 2;
			data = realloc(data, cap);
			assert_non_null(data);
		}
	}
	assert_int_equal(ferror(f), 0);
	fclose(f);
	data[n] = '\0';
	*len = n;
	return data;
}

/* Assert that a call failed with `code` and the thread's message is `msg`
 * (msg NULL: any message). */
#define assert_cachet_error(rc, expect_code, expect_msg)                            \
	do {                                                                       \
		int rc_ = (rc);                                                    \
		assert_int_equal(rc_, (expect_code));                              \
		assert_int_equal(cachet_error_last()->code, (expect_code));        \
		const char *msg_ = (expect_msg);                                   \
		if (msg_)                                                          \
			assert_string_equal(cachet_error_last()->message, msg_);   \
	} while (0)

#endif
