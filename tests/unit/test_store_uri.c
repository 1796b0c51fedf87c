/* Unit tests for src/lib/store/uri.c: the one canonical spelling of store
 * URIs, and checking URIs against a store's root. Every expected text is
 * written out by hand. */
#define _DEFAULT_SOURCE /* realpath */

#include "test_helpers.h"

#include "cachet/store.h"
#include "cachet/sys/store_backend.h"
#include "store/uri.h"
#include "util/alloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define O CACHET__URI_OBJECT
#define P CACHET__URI_PREFIX
#define R CACHET__URI_REFERENCE

typedef struct spelling {
	cachet__uri_kind kind;
	const char *uri, *canonical;
} spelling;

static void canonical_spellings(void **state)
{
	(void)state;
	static const spelling cases[] = {
		{R, "file:///s/a/b", "file:///s/a/b"},
		/* empty and "." segments */
		{R, "file:///s//a", "file:///s/a"},
		{R, "file:///s/./a", "file:///s/a"},
		{R, "file:////s/a", "file:///s/a"},
		{O, "file:///s/a/.//./b", "file:///s/a/b"},
		/* the final '/' by kind */
		{R, "file:///s/a/", "file:///s/a"},
		{R, "file:///s/a//", "file:///s/a"},
		{R, "file:///s/a/.", "file:///s/a"},
		{P, "file:///s/a/", "file:///s/a/"},
		{P, "file:///s/a//", "file:///s/a/"},
		{P, "file:///s/a/.", "file:///s/a/"},
		{P, "file:///s/ab", "file:///s/ab"},
		{R, "file:///", "file:///"},
		{R, "file:///.//", "file:///"},
		/* host, scheme's case, RFC 8089's short form */
		{R, "file://localhost/s/a", "file:///s/a"},
		{R, "file://LocalHost/s/a", "file:///s/a"},
		{R, "FILE:///s/a", "file:///s/a"},
		{R, "File:/s/a", "file:///s/a"},
		/* taken literally: escapes that lead nowhere else stay */
		{R, "file:///s/a%20b", "file:///s/a%20b"},
		{R, "file:///s/v%2e1", "file:///s/v%2e1"},
		{R, "file:///s/%2e%2e%2e", "file:///s/%2e%2e%2e"},
		{R, "file:///s/a%2", "file:///s/a%2"},
		{R, "file:///s/...", "file:///s/..."},
		{R, "file:///s/..a", "file:///s/..a"},
		/* other schemes are as they are */
		{R, "s3://b/a//x/../y", "s3://b/a//x/../y"},
		{O, "mem://t/a/./b/", "mem://t/a/./b/"},
		{R, "/etc/hostname", "/etc/hostname"},
		{R, "", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = NULL;
		int rc = cachet__uri_canonical(&out, cases[i].uri, cases[i].kind);
		if (rc != 0)
			fail_msg("'%s': %s", cases[i].uri, cachet_error_last()->message);
		assert_string_equal(out, cases[i].canonical);
		cachet__free(out);
	}
}

typedef struct refusal {
	cachet__uri_kind kind;
	const char *uri, *message;
} refusal;

static void refused_spellings(void **state)
{
	(void)state;
	static const refusal cases[] = {
		{R, "file:///s/../x", "store URI 'file:///s/../x' has a '..' segment"},
		{R, "file:///s/a/..", "store URI 'file:///s/a/..' has a '..' segment"},
		{R, "file:///s/%2e%2e/x", "store URI 'file:///s/%2e%2e/x' has an encoded '..' segment"},
		{R, "file:///s/.%2E/x", "store URI 'file:///s/.%2E/x' has an encoded '..' segment"},
		{R, "file:///s/%2E/x", "store URI 'file:///s/%2E/x' has an encoded '.' segment"},
		{R, "file:///s/a%2fb", "store URI 'file:///s/a%2fb' has an encoded '/' ('%2f')"},
		{R, "file:///s/%2F..%2Fetc", "store URI 'file:///s/%2F..%2Fetc' has an encoded '/' ('%2F')"},
		{R, "file:///s/a%00", "store URI 'file:///s/a%00' has an encoded NUL ('%00')"},
		{R, "file://host/s/a",
		 "store URI 'file://host/s/a' names the host 'host': a file URI must be local"},
		{R, "file://localhost.example/s",
		 "store URI 'file://localhost.example/s' names the host 'localhost.example': a file "
		 "URI must be local"},
		{R, "file:s/a", "store URI 'file:s/a' has no absolute path"},
		{R, "file://localhost", "store URI 'file://localhost' has no absolute path"},
		{R, "file:", "store URI 'file:' has no absolute path"},
		{O, "file:///s/a/", "store URI 'file:///s/a/' ends in '/': it names a prefix, not an object"},
		{O, "file:///s/a/.", "store URI 'file:///s/a/.' ends in '/': it names a prefix, not an object"},
		{R, "file:///s/\xff", "store URI 'file:///s/\xff' is not UTF-8"},
		{R, "s3://b/\xc3", "store URI 's3://b/\xc3' is not UTF-8"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = (char *)"untouched";
		assert_cachet_error(cachet__uri_canonical(&out, cases[i].uri, cases[i].kind),
				    CACHET_EINVALID, cases[i].message);
		assert_null(out);
	}
}

/* cachet__uri_in_store: NULL when canonical already, else the canonical
 * text; refusals name the URI as given. */
static void in_store(void **state)
{
	(void)state;
	static const spelling fine[] = {
		{O, "file:///s/a", NULL},
		{O, "file:///s/a/b%20c", NULL},
		{P, "file:///s", NULL},
		{P, "file:///s/", NULL},
		{P, "file:///s/a", NULL},
		{R, "file:///s/a", NULL},
		{O, "file://localhost/s/a", "file:///s/a"},
		{O, "file:///s//a/./b", "file:///s/a/b"},
		{P, "file:///s//", "file:///s/"},
		{R, "file:///s/dir/", "file:///s/dir"},
		{R, "FILE:/s/x", "file:///s/x"},
	};
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		char *out = (char *)"untouched";
		int rc = cachet__uri_in_store(&out, "file:///s", fine[i].uri, fine[i].kind);
		if (rc != 0)
			fail_msg("'%s': %s", fine[i].uri, cachet_error_last()->message);
		if (fine[i].canonical == NULL)
			assert_null(out);
		else
			assert_string_equal(out, fine[i].canonical);
		cachet__free(out);
	}

	static const refusal bad[] = {
		{O, "file:///etc/x", "store URI 'file:///etc/x' is outside the store 'file:///s'"},
		{O, "file:///sx/a", "store URI 'file:///sx/a' is outside the store 'file:///s'"},
		{R, "file:///etc/hostname",
		 "store URI 'file:///etc/hostname' is outside the store 'file:///s'"},
		{O, "file://localhost/etc/x",
		 "store URI 'file://localhost/etc/x' is outside the store 'file:///s'"},
		{O, "file:///s/../etc/x", "store URI 'file:///s/../etc/x' has a '..' segment"},
		{O, "file:///s/a/%2e%2e/x", "store URI 'file:///s/a/%2e%2e/x' has an encoded '..' segment"},
		{O, "file:///s/", "store URI 'file:///s/' names the store's root, not an object"},
		{O, "file:///s//", "store URI 'file:///s//' names the store's root, not an object"},
		{R, "file:///s/", "store URI 'file:///s/' names the store's root, not an object"},
		{O, "file:///s/a/", "store URI 'file:///s/a/' ends in '/': it names a prefix, not an object"},
		{O, "s3://b/k", "store URI 's3://b/k' is outside the store 'file:///s'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *out = (char *)"untouched";
		assert_cachet_error(cachet__uri_in_store(&out, "file:///s", bad[i].uri, bad[i].kind),
				    CACHET_EINVALID, bad[i].message);
		assert_null(out);
	}

	/* another scheme's root: its URIs are checked as they are */
	char *out = NULL;
	assert_int_equal(cachet__uri_in_store(&out, "mem://t", "mem://t/a/b", O), 0);
	assert_null(out);
	assert_cachet_error(cachet__uri_in_store(&out, "mem://t", "mem://t/a//b", O),
			    CACHET_EINVALID, "store URI 'mem://t/a//b' has an empty segment");
	assert_cachet_error(cachet__uri_in_store(&out, "mem://t", "mem://t/./b", O),
			    CACHET_EINVALID, "store URI 'mem://t/./b' has a '.' segment");
}

/* A canonical URI costs no allocation; another fails cleanly without
 * memory. */
static void out_of_memory(void **state)
{
	(void)state;
	char *out = NULL;

	cachet__alloc_fail_after(0);
	int rc = cachet__uri_in_store(&out, "file:///s", "file:///s/a/b", O);
	bool failed = cachet__alloc_failed();
	cachet__alloc_fail_reset();
	assert_int_equal(rc, 0);
	assert_false(failed);
	assert_null(out);

	for (long n = 0;; n++) {
		cachet__alloc_fail_after(n);
		rc = cachet__uri_in_store(&out, "file:///s", "file://localhost/s//a", O);
		failed = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		if (!failed) {
			assert_int_equal(rc, 0);
			assert_string_equal(out, "file:///s/a");
			cachet__free(out);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
		assert_null(out);
		assert_true(n < 100);
	}
}

/* A file store whose directory's own path has no canonical URI could
 * hold no object: refused when it is opened. */
static void a_root_without_a_canonical_uri(void **state)
{
	(void)state;
	cachet_store_backend *b = NULL;
	char real[PATH_MAX], expected[PATH_MAX + 128];

	assert_int_equal(mkdir("odd%2e%2e", 0700), 0);
	assert_int_equal(mkdir("odd%2e%2e/%2e%2e", 0700), 0);
	assert_non_null(realpath("odd%2e%2e/%2e%2e", real));
	snprintf(expected, sizeof expected,
		 "store directory '%s' cannot be a store: its path has no canonical file URI", real);
	assert_cachet_error(cachet_store_backend_file_new(&b, "odd%2e%2e/%2e%2e"), CACHET_EINVALID,
			    expected);
	assert_null(b);
	/* an escape that leads nowhere else is a name like any other */
	assert_int_equal(cachet_store_backend_file_new(&b, "odd%2e%2e"), 0);
	b->free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_spellings),
		cmocka_unit_test(refused_spellings),
		cmocka_unit_test(in_store),
		cmocka_unit_test(out_of_memory),
		cmocka_unit_test(a_root_without_a_canonical_uri),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
