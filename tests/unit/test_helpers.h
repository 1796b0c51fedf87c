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
