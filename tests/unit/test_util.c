/* Unit tests for src/lib/util: errors, allocation, buffers, base64, sha256,
 * utf8. */
#include "test_helpers.h"

#include "util/alloc.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/utf8.h"

#include <pthread.h>

/* ------------------------------------------------------------------ */
/* error */

static void test_error_basic(void **state)
{
	(void)state;
	cachet_error_clear();
	assert_int_equal(cachet_error_last()->code, CACHET_OK);
	assert_string_equal(cachet_error_last()->message, "");

	int rc = cachet__error(CACHET_ENOTFOUND, "no tag '%s' in %d datasets", "v1", 3);
	assert_cachet_error(rc, CACHET_ENOTFOUND, "no tag 'v1' in 3 datasets");

	cachet_error_clear();
	assert_int_equal(cachet_error_last()->code, CACHET_OK);
	assert_string_equal(cachet_error_last()->message, "");
}

static void test_error_no_final_period_or_newline(void **state)
{
	(void)state;
	assert_cachet_error(cachet__error(CACHET_EIO, "cannot read 'x'.\n"), CACHET_EIO,
			    "cannot read 'x'");
	assert_cachet_error(cachet__error(CACHET_EIO, "done\r\n"), CACHET_EIO, "done");
	assert_cachet_error(cachet__error(CACHET_EIO, "%s", ""), CACHET_EIO, "");
}

static void test_error_truncates(void **state)
{
	(void)state;
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cachet__error(CACHET_EINVALID, "%s", big);
	size_t len = strlen(cachet_error_last()->message);
	assert_true(len > 900 && len < 1024);

	/* multi-byte characters are never cut in half */
	for (int shift = 0; shift < 4; shift++) {
		char text[3000];
		size_t n = 0;
		for (int i = 0; i < shift; i++)
			text[n++] = 'a';
		while (n + 4 < sizeof(text)) {
			memcpy(text + n, "\xF0\x9D\x84\x9E", 4); /* U+1D11E */
			n += 4;
		}
		text[n] = '\0';
		cachet__error(CACHET_EINVALID, "%s", text);
		const char *m = cachet_error_last()->message;
		assert_true(cachet__utf8_valid(m, strlen(m), NULL));
		assert_true(strlen(m) > 900);
	}

	/* same through the prefix path */
	cachet__error(CACHET_EINVALID, "%s", big);
	cachet__error_prefix("reading '%s'", "f");
	const char *m = cachet_error_last()->message;
	assert_true(strncmp(m, "reading 'f': xxx", 16) == 0);
	assert_true(strlen(m) < 1024);
}

static void test_error_prefix_stacks(void **state)
{
	(void)state;
	cachet__error(CACHET_EINVALID, "msg");
	assert_int_equal(cachet__error_prefix("b"), CACHET_EINVALID);
	assert_int_equal(cachet__error_prefix("%s", "a"), CACHET_EINVALID);
	assert_cachet_error(CACHET_EINVALID, CACHET_EINVALID, "a: b: msg");
}

static void test_error_prefix_overlap(void **state)
{
	(void)state;
	/* arguments that point into the message buffer itself */
	cachet__error(CACHET_EIO, "disk");
	cachet__error_prefix("%s", cachet_error_last()->message);
	assert_cachet_error(CACHET_EIO, CACHET_EIO, "disk: disk");

	cachet__error(CACHET_EIO, "[%s]", cachet_error_last()->message);
	assert_cachet_error(CACHET_EIO, CACHET_EIO, "[disk: disk]");

	cachet__error(CACHET_EIO, "%s", cachet_error_last()->message + 1);
	assert_cachet_error(CACHET_EIO, CACHET_EIO, "disk: disk]");
}

static void test_error_prefix_without_error(void **state)
{
	(void)state;
	cachet_error_clear();
	int rc = cachet__error_prefix("reading '%s'", "x");
	assert_cachet_error(rc, CACHET_ERROR, "reading 'x'");
}

static void test_error_oom(void **state)
{
	(void)state;
	assert_cachet_error(cachet__error_oom(), CACHET_ENOMEM, "out of memory");
}

static void *error_thread(void *arg)
{
	(void)arg;
	/* a new thread starts with no error */
	bool clean = cachet_error_last()->code == CACHET_OK &&
		     strcmp(cachet_error_last()->message, "") == 0;
	cachet__error(CACHET_ELOCKED, "held by thread");
	return clean ? arg : NULL;
}

static void test_error_thread_local(void **state)
{
	(void)state;
	static int token;
	cachet__error(CACHET_EEXISTS, "main");
	pthread_t t;
	void *res = NULL;
	assert_int_equal(pthread_create(&t, NULL, error_thread, &token), 0);
	assert_int_equal(pthread_join(t, &res), 0);
	assert_ptr_equal(res, &token);
	assert_cachet_error(CACHET_EEXISTS, CACHET_EEXISTS, "main");
}

static void test_error_code_names(void **state)
{
	(void)state;
	assert_string_equal(cachet_error_code_name(CACHET_OK), "OK");
	assert_string_equal(cachet_error_code_name(CACHET_ERROR), "ERROR");
	assert_string_equal(cachet_error_code_name(CACHET_ENOMEM), "ENOMEM");
	assert_string_equal(cachet_error_code_name(CACHET_EINVALID), "EINVALID");
	assert_string_equal(cachet_error_code_name(CACHET_ENOTFOUND), "ENOTFOUND");
	assert_string_equal(cachet_error_code_name(CACHET_EEXISTS), "EEXISTS");
	assert_string_equal(cachet_error_code_name(CACHET_ELOCKED), "ELOCKED");
	assert_string_equal(cachet_error_code_name(CACHET_EIO), "EIO");
	assert_string_equal(cachet_error_code_name(CACHET_ETOODEEP), "ETOODEEP");
	assert_string_equal(cachet_error_code_name(CACHET_EUNSUPPORTED), "EUNSUPPORTED");
	assert_string_equal(cachet_error_code_name(-1000), "EUNKNOWN");
	assert_string_equal(cachet_error_code_name(1), "EUNKNOWN");
}

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(cachet_version(), CACHET_VERSION);
	char expect[32];
	snprintf(expect, sizeof(expect), "%d.%d.%d", CACHET_VERSION_MAJOR,
		 CACHET_VERSION_MINOR, CACHET_VERSION_PATCH);
	assert_string_equal(cachet_version(), expect);
}

/* ------------------------------------------------------------------ */
/* alloc */

static void test_alloc_basic(void **state)
{
	(void)state;
	void *a = cachet__malloc(0);
	void *b = cachet__malloc(0);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	cachet__free(a);
	cachet__free(b);

	unsigned char *z = cachet__calloc(16, 4);
	assert_non_null(z);
	for (int i = 0; i < 64; i++)
		assert_int_equal(z[i], 0);
	cachet__free(z);
	z = cachet__calloc(0, 0);
	assert_non_null(z);
	cachet__free(z);

	char *r = cachet__realloc(NULL, 4);
	assert_non_null(r);
	memcpy(r, "abc", 4);
	r = cachet__realloc(r, 100);
	assert_non_null(r);
	assert_string_equal(r, "abc");
	r = cachet__realloc(r, 0);
	assert_non_null(r);
	cachet__free(r);

	int *arr = cachet__reallocarray(NULL, 10, sizeof(int));
	assert_non_null(arr);
	arr[9] = 7;
	cachet__free(arr);

	cachet__free(NULL);
	cachet_free(NULL);
}

static void test_alloc_overflow(void **state)
{
	(void)state;
	cachet_error_clear();
	assert_null(cachet__calloc(SIZE_MAX / 2, 3));
	assert_cachet_error(CACHET_ENOMEM, CACHET_ENOMEM, "out of memory");

	cachet_error_clear();
	char *p = cachet__malloc(8);
	assert_non_null(p);
	memcpy(p, "keep", 5);
	assert_null(cachet__reallocarray(p, SIZE_MAX / 4, 8));
	assert_cachet_error(CACHET_ENOMEM, CACHET_ENOMEM, "out of memory");
	assert_string_equal(p, "keep"); /* untouched, still ours */
	cachet__free(p);
}

static void test_alloc_grow(void **state)
{
	(void)state;
	size_t cap = 0;
	int *a = cachet__grow(NULL, 0, &cap, sizeof *a, 4);
	assert_non_null(a);
	assert_int_equal(cap, 4); /* first */
	a[0] = 11;
	a[3] = 44;
	/* room left: the same array, the same slots */
	assert_ptr_equal(cachet__grow(a, 3, &cap, sizeof *a, 4), a);
	assert_int_equal(cap, 4);
	/* full: twice the slots, the elements kept */
	a = cachet__grow(a, 4, &cap, sizeof *a, 4);
	assert_non_null(a);
	assert_int_equal(cap, 8);
	assert_int_equal(a[0], 11);
	assert_int_equal(a[3], 44);
	a[7] = 88;

	/* a failure leaves the array and the slots as they were */
	cachet__alloc_fail_after(0);
	cachet_error_clear();
	assert_null(cachet__grow(a, 8, &cap, sizeof *a, 4));
	cachet__alloc_fail_reset();
	assert_cachet_error(CACHET_ENOMEM, CACHET_ENOMEM, "out of memory");
	assert_int_equal(cap, 8);
	assert_int_equal(a[7], 88);

	/* slots that cannot double */
	size_t huge = SIZE_MAX / 2 + 1;
	cachet_error_clear();
	assert_null(cachet__grow(a, huge, &huge, sizeof *a, 4));
	assert_cachet_error(CACHET_ENOMEM, CACHET_ENOMEM, "out of memory");
	assert_int_equal(huge, SIZE_MAX / 2 + 1);
	cachet__free(a);
}

static void test_alloc_strdup(void **state)
{
	(void)state;
	char *s = cachet__strdup("hello");
	assert_string_equal(s, "hello");
	cachet__free(s);
	s = cachet__strdup("");
	assert_string_equal(s, "");
	cachet__free(s);

	s = cachet__strndup("a\0b", 3);
	assert_non_null(s);
	assert_memory_equal(s, "a\0b\0", 4);
	cachet__free(s);
	s = cachet__strndup("hello", 2);
	assert_string_equal(s, "he");
	cachet__free(s);
	s = cachet__strndup(NULL, 0);
	assert_string_equal(s, "");
	cachet_free(s);
}

static void test_alloc_fault_injection(void **state)
{
	(void)state;
	cachet_error_clear();
	cachet__alloc_fail_after(0);
	assert_false(cachet__alloc_failed());
	assert_null(cachet__strdup("x"));
	assert_cachet_error(CACHET_ENOMEM, CACHET_ENOMEM, "out of memory");
	assert_true(cachet__alloc_failed());
	/* keeps failing until reset */
	assert_null(cachet__malloc(1));
	assert_null(cachet__calloc(1, 1));
	assert_null(cachet__realloc(NULL, 1));
	cachet__alloc_fail_reset();
	assert_true(cachet__alloc_failed()); /* until the next arm */

	char *s = cachet__strdup("x");
	assert_non_null(s);
	cachet__free(s);

	cachet__alloc_fail_after(2);
	assert_false(cachet__alloc_failed());
	void *a = cachet__malloc(1);
	void *b = cachet__malloc(1);
	assert_non_null(a);
	assert_non_null(b);
	assert_false(cachet__alloc_failed());
	assert_null(cachet__malloc(1));
	assert_true(cachet__alloc_failed());
	cachet__free(a);
	cachet__free(b);

	cachet__alloc_fail_after(-1); /* disarmed */
	s = cachet__strdup("y");
	assert_non_null(s);
	assert_false(cachet__alloc_failed());
	cachet__free(s);
	cachet__alloc_fail_reset();
}

/* ------------------------------------------------------------------ */
/* buf */

static void test_buf_basic(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;
	assert_null(b.ptr);
	assert_int_equal(cachet__buf_puts(&b, "ab"), 0);
	assert_int_equal(cachet__buf_putc(&b, 'c'), 0);
	assert_int_equal(cachet__buf_put(&b, "d\0e", 3), 0);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.ptr, "abcd\0e\0", 7);
	assert_true(b.cap > b.len);

	char *keep = b.ptr;
	size_t cap = b.cap;
	cachet__buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	assert_ptr_equal(b.ptr, keep);
	assert_int_equal(b.cap, cap);

	assert_int_equal(cachet__buf_put(&b, NULL, 0), 0);
	assert_string_equal(b.ptr, "");
	cachet__buf_dispose(&b);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	cachet__buf_dispose(&b); /* twice is fine */

	/* an empty append still yields a usable string */
	assert_int_equal(cachet__buf_puts(&b, ""), 0);
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	cachet__buf_dispose(&b);
}

static void test_buf_growth(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;
	size_t reallocs = 0, last_cap = 0;
	for (size_t i = 0; i < (1u << 20); i++) {
		assert_int_equal(cachet__buf_putc(&b, (char)('a' + i % 26)), 0);
		if (b.cap != last_cap) {
			reallocs++;
			last_cap = b.cap;
		}
		assert_true(b.cap > b.len);
	}
	assert_int_equal(b.len, 1u << 20);
	assert_int_equal(b.ptr[b.len], '\0');
	assert_int_equal(b.ptr[27], 'b');
	assert_true(reallocs < 40); /* geometric, not linear */

	/* grow reserves without changing the content */
	cachet__buf_clear(&b);
	assert_int_equal(cachet__buf_grow(&b, 5u << 20), 0);
	assert_true(b.cap >= (5u << 20) + 1);
	assert_int_equal(b.len, 0);
	cachet__buf_dispose(&b);

	assert_cachet_error(cachet__buf_grow(&b, SIZE_MAX), CACHET_ENOMEM, "out of memory");
	assert_int_equal(cachet__buf_puts(&b, "x"), 0);
	assert_cachet_error(cachet__buf_grow(&b, SIZE_MAX - 1), CACHET_ENOMEM, NULL);
	assert_string_equal(b.ptr, "x");
	cachet__buf_dispose(&b);
}

static void test_buf_self_append(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_puts(&b, "abc"), 0);
	for (int i = 0; i < 12; i++)
		assert_int_equal(cachet__buf_put(&b, b.ptr, b.len), 0);
	assert_int_equal(b.len, 3u << 12);
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(b.ptr[i], "abc"[i % 3]);
	cachet__buf_dispose(&b);
}

static void test_buf_printf(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(b.ptr, "42-x");
	assert_int_equal(cachet__buf_printf(&b, "%s", ""), 0);
	assert_string_equal(b.ptr, "42-x");
	assert_int_equal(b.len, 4);

	/* longer than what is allocated */
	char big[5000];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cachet__buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 4 + 2 + 4999);
	assert_int_equal(b.ptr[5], 'y');
	assert_int_equal(b.ptr[b.len - 1], ']');
	assert_int_equal(b.ptr[b.len], '\0');

	/* exactly filling the remaining space */
	cachet__buf_dispose(&b);
	assert_int_equal(cachet__buf_grow(&b, 10), 0);
	size_t room = b.cap - 1;
	char fill[256];
	assert_true(room < sizeof(fill));
	memset(fill, 'z', room);
	fill[room] = '\0';
	assert_int_equal(cachet__buf_printf(&b, "%s", fill), 0);
	assert_int_equal(b.len, room);
	assert_int_equal(cachet__buf_printf(&b, "%c", 'q'), 0);
	assert_int_equal(b.len, room + 1);
	assert_int_equal(b.ptr[room], 'q');
	assert_int_equal(b.ptr[room + 1], '\0');
	cachet__buf_dispose(&b);
}

static void check_varint(uint64_t v, const char *bytes, size_t n)
{
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_put_varint(&b, v), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.ptr, bytes, n);
	cachet__buf_dispose(&b);
}

static void test_buf_varint(void **state)
{
	(void)state;
	check_varint(0, "\x00", 1);
	check_varint(1, "\x01", 1);
	check_varint(127, "\x7f", 1);
	check_varint(128, "\x80\x01", 2);
	check_varint(300, "\xac\x02", 2);
	check_varint(16384, "\x80\x80\x01", 3);
	check_varint(UINT32_MAX, "\xff\xff\xff\xff\x0f", 5);
	check_varint(UINT64_MAX, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
}

static void test_buf_detach(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;
	size_t len = 99;
	char *s = cachet__buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	cachet_free(s);

	assert_int_equal(cachet__buf_puts(&b, "text"), 0);
	s = cachet__buf_detach(&b, &len);
	assert_string_equal(s, "text");
	assert_int_equal(len, 4);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	cachet_free(s);

	assert_int_equal(cachet__buf_puts(&b, "t"), 0);
	s = cachet__buf_detach(&b, NULL);
	assert_string_equal(s, "t");
	cachet_free(s);
}

static void test_buf_oom(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;

	cachet__alloc_fail_after(0);
	assert_cachet_error(cachet__buf_puts(&b, "x"), CACHET_ENOMEM, "out of memory");
	assert_null(b.ptr);
	assert_null(cachet__buf_detach(&b, NULL));
	assert_cachet_error(cachet__buf_printf(&b, "%d", 5), CACHET_ENOMEM, NULL);
	cachet__alloc_fail_reset();

	assert_int_equal(cachet__buf_puts(&b, "keep"), 0);
	char big[1000];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cachet__alloc_fail_after(0);
	assert_cachet_error(cachet__buf_printf(&b, "%s", big), CACHET_ENOMEM, NULL);
	assert_cachet_error(cachet__buf_puts(&b, big), CACHET_ENOMEM, NULL);
	/* the buffer is intact after the failures */
	assert_int_equal(b.len, 4);
	assert_string_equal(b.ptr, "keep");
	/* what fits in the allocated space needs no allocation */
	assert_int_equal(cachet__buf_put_varint(&b, 1), 0);
	assert_int_equal(cachet__buf_printf(&b, "%d", 2), 0);
	cachet__alloc_fail_reset();
	assert_string_equal(b.ptr, "keep\x01" "2");
	cachet__buf_dispose(&b);
}

/* ------------------------------------------------------------------ */
/* base64 */

struct b64_vector {
	const char *plain, *std, *url;
};

static const struct b64_vector rfc4648[] = {
	{"", "", ""},
	{"f", "Zg==", "Zg"},
	{"fo", "Zm8=", "Zm8"},
	{"foo", "Zm9v", "Zm9v"},
	{"foob", "Zm9vYg==", "Zm9vYg"},
	{"fooba", "Zm9vYmE=", "Zm9vYmE"},
	{"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void check_decode(const char *text, const void *expect, size_t n)
{
	cachet_buf b = CACHET_BUF_INIT;
	int rc = cachet__base64_decode(&b, text, strlen(text));
	if (rc != 0)
		fail_msg("decoding '%s': %s", text, cachet_error_last()->message);
	assert_int_equal(b.len, n);
	if (n)
		assert_memory_equal(b.ptr, expect, n);
	assert_int_equal(b.ptr[b.len], '\0');
	cachet__buf_dispose(&b);
}

static void test_base64_rfc4648(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const struct b64_vector *v = &rfc4648[i];
		cachet_buf b = CACHET_BUF_INIT;
		assert_int_equal(cachet__base64_encode(&b, v->plain, strlen(v->plain)), 0);
		assert_string_equal(b.ptr, v->std);
		cachet__buf_clear(&b);
		assert_int_equal(cachet__base64url_encode(&b, v->plain, strlen(v->plain)), 0);
		assert_string_equal(b.ptr, v->url);
		cachet__buf_dispose(&b);

		check_decode(v->std, v->plain, strlen(v->plain));
		check_decode(v->url, v->plain, strlen(v->plain));
	}
}

static void test_base64_alphabets(void **state)
{
	(void)state;
	const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__base64_encode(&b, bytes, 2), 0);
	assert_string_equal(b.ptr, "+/8=");
	cachet__buf_clear(&b);
	assert_int_equal(cachet__base64url_encode(&b, bytes, 2), 0);
	assert_string_equal(b.ptr, "-_8");
	cachet__buf_clear(&b);
	assert_int_equal(cachet__base64_encode(&b, bytes, 3), 0);
	assert_string_equal(b.ptr, "+/+/");
	cachet__buf_dispose(&b);

	check_decode("+/8=", bytes, 2);
	check_decode("+/8", bytes, 2);
	check_decode("-_8", bytes, 2);
	check_decode("-_8=", bytes, 2);
	check_decode("+/+/", bytes, 3);
	check_decode("-_-_", bytes, 3);
	/* non-zero bits after the last byte are accepted */
	check_decode("Zh==", "f", 1);
	check_decode("Zm9=", "fo", 2);
}

static void test_base64_appends(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_puts(&b, "k:"), 0);
	assert_int_equal(cachet__base64url_encode(&b, "foo", 3), 0);
	assert_int_equal(cachet__buf_putc(&b, '/'), 0);
	assert_int_equal(cachet__base64_decode(&b, "Zm9v", 4), 0);
	assert_string_equal(b.ptr, "k:Zm9v/foo");
	cachet__buf_dispose(&b);
}

static void check_reject(const char *text, size_t len, const char *msg)
{
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_puts(&b, "keep"), 0);
	cachet_error_clear();
	int rc = cachet__base64_decode(&b, text, len);
	if (rc == 0)
		fail_msg("'%.*s' was accepted", (int)len, text);
	assert_cachet_error(rc, CACHET_EINVALID, msg);
	/* nothing half-written */
	assert_int_equal(b.len, 4);
	assert_string_equal(b.ptr, "keep");
	cachet__buf_dispose(&b);
}

#define REJECT(lit, msg) check_reject(lit, sizeof(lit) - 1, msg)

static void test_base64_rejects(void **state)
{
	(void)state;
	REJECT("Z", "invalid base64 length 1: a final group of one character");
	REJECT("Zm9vY", "invalid base64 length 5: a final group of one character");
	REJECT("Zm9vY===", "invalid base64 padding at offset 5");
	REJECT("Zg=", "invalid base64 padding at offset 2");
	REJECT("Zm8==", "invalid base64 padding at offset 3");
	REJECT("Z===", "invalid base64 padding at offset 1");
	REJECT("====", "invalid base64 padding at offset 0");
	REJECT("=", "invalid base64 padding at offset 0");
	REJECT("Zg==Zg==", "invalid base64 padding at offset 2");
	REJECT("Zm=v", "invalid base64 padding at offset 2");
	REJECT("Zm*v", "invalid base64 character '*' at offset 2");
	REJECT("Zm 9v", "invalid base64 character 0x20 at offset 2");
	REJECT("Zm9v\n", "invalid base64 character 0x0a at offset 4");
	REJECT("Zm\09v", "invalid base64 character 0x00 at offset 2");
	REJECT("Zm9v\xc3\xa9", "invalid base64 character 0xc3 at offset 4");
	REJECT("+-AA", "base64 mixes the standard and URL alphabets at offset 1");
	REJECT("AA_/", "base64 mixes the standard and URL alphabets at offset 3");
}

static void test_base64_roundtrip(void **state)
{
	(void)state;
	unsigned char data[300];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(data); i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)(x >> 16);
	}
	for (size_t n = 0; n < sizeof(data); n++) {
		cachet_buf enc = CACHET_BUF_INIT, dec = CACHET_BUF_INIT;
		assert_int_equal(cachet__base64_encode(&enc, data, n), 0);
		assert_int_equal(enc.len, (n + 2) / 3 * 4);
		assert_int_equal(cachet__base64_decode(&dec, enc.ptr, enc.len), 0);
		assert_int_equal(dec.len, n);
		if (n)
			assert_memory_equal(dec.ptr, data, n);
		cachet__buf_clear(&enc);
		cachet__buf_clear(&dec);
		assert_int_equal(cachet__base64url_encode(&enc, data, n), 0);
		assert_null(memchr(enc.ptr, '=', enc.len));
		assert_int_equal(cachet__base64_decode(&dec, enc.ptr, enc.len), 0);
		assert_int_equal(dec.len, n);
		if (n)
			assert_memory_equal(dec.ptr, data, n);
		cachet__buf_dispose(&enc);
		cachet__buf_dispose(&dec);
	}
}

static void test_base64_oom(void **state)
{
	(void)state;
	cachet_buf b = CACHET_BUF_INIT;
	cachet__alloc_fail_after(0);
	assert_cachet_error(cachet__base64_encode(&b, "foo", 3), CACHET_ENOMEM, NULL);
	assert_cachet_error(cachet__base64url_encode(&b, "foo", 3), CACHET_ENOMEM, NULL);
	assert_cachet_error(cachet__base64_decode(&b, "Zm9v", 4), CACHET_ENOMEM, NULL);
	cachet__alloc_fail_reset();
	assert_null(b.ptr);
}

/* ------------------------------------------------------------------ */
/* sha256 */

static void check_digest(const uint8_t d[CACHET_SHA256_LEN], const char *hex)
{
	char got[2 * CACHET_SHA256_LEN + 1];
	cachet__hex(got, d, CACHET_SHA256_LEN);
	assert_string_equal(got, hex);
}

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define MSG_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

static void test_sha256_vectors(void **state)
{
	(void)state;
	uint8_t d[CACHET_SHA256_LEN];
	assert_int_equal(cachet__sha256_2(NULL, 0, NULL, 0, d), 0);
	check_digest(d, SHA_EMPTY);
	assert_int_equal(cachet__sha256_2("abc", 3, NULL, 0, d), 0);
	check_digest(d, SHA_ABC);
	assert_int_equal(cachet__sha256_2(MSG_448, strlen(MSG_448), NULL, 0, d), 0);
	check_digest(d, SHA_448);

	/* split anywhere equals one-shot */
	for (size_t k = 0; k <= strlen(MSG_448); k++) {
		assert_int_equal(cachet__sha256_2(MSG_448, k, &MSG_448[k],
						  strlen(MSG_448) - k, d), 0);
		check_digest(d, SHA_448);
	}
	assert_int_equal(cachet__sha256_2("ab", 2, "c", 1, d), 0);
	check_digest(d, SHA_ABC);
	assert_int_equal(cachet__sha256_2(NULL, 0, "abc", 3, d), 0);
	check_digest(d, SHA_ABC);
}

static void test_sha256_streaming(void **state)
{
	(void)state;
	size_t n = 1u << 20;
	unsigned char *data = malloc(n);
	assert_non_null(data);
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[i] = (unsigned char)x;
	}

	uint8_t one[CACHET_SHA256_LEN], streamed[CACHET_SHA256_LEN];
	assert_int_equal(cachet__sha256_2(data, n, NULL, 0, one), 0);

	cachet_sha256 *h = NULL;
	assert_int_equal(cachet__sha256_new(&h), 0);
	assert_non_null(h);
	for (int round = 0; round < 2; round++) { /* final resets for reuse */
		size_t off = 0, step = 1;
		while (off < n) {
			size_t k = step < n - off ? step : n - off;
			assert_int_equal(cachet__sha256_update(h, data + off, k), 0);
			assert_int_equal(cachet__sha256_update(h, NULL, 0), 0);
			off += k;
			step = step * 3 + 1; /* 1, 4, 13, ... irregular chunks */
			if (step > 100000)
				step = 7;
		}
		assert_int_equal(cachet__sha256_final(h, streamed), 0);
		assert_memory_equal(one, streamed, CACHET_SHA256_LEN);
	}

	assert_int_equal(cachet__sha256_final(h, streamed), 0);
	check_digest(streamed, SHA_EMPTY);
	assert_int_equal(cachet__sha256_update(h, "abc", 3), 0);
	assert_int_equal(cachet__sha256_final(h, streamed), 0);
	check_digest(streamed, SHA_ABC);

	cachet__sha256_free(h);
	cachet__sha256_free(NULL);
	free(data);
}

static void test_sha256_oom(void **state)
{
	(void)state;
	cachet_sha256 *h = (cachet_sha256 *)&h; /* poison: must become NULL */
	cachet__alloc_fail_after(0);
	assert_cachet_error(cachet__sha256_new(&h), CACHET_ENOMEM, "out of memory");
	cachet__alloc_fail_reset();
	assert_null(h);
}

static void *sha_thread(void *arg)
{
	uint8_t d[CACHET_SHA256_LEN];
	char hex[2 * CACHET_SHA256_LEN + 1];
	for (int i = 0; i < 2000; i++) {
		if (cachet__sha256_2("a", 1, "bc", 2, d) != 0)
			return NULL;
		cachet__hex(hex, d, sizeof(d));
		if (strcmp(hex, SHA_ABC) != 0)
			return NULL;
	}
	return arg;
}

static void test_sha256_threads(void **state)
{
	(void)state;
	/* each thread gets its own context, freed when it exits (ASan and
	 * valgrind would report it otherwise) */
	pthread_t t[4];
	int token;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, sha_thread, &token), 0);
	for (int i = 0; i < 4; i++) {
		void *res = NULL;
		assert_int_equal(pthread_join(t[i], &res), 0);
		assert_ptr_equal(res, &token);
	}
}

static void test_hex(void **state)
{
	(void)state;
	char out[9];
	const uint8_t d[] = {0x00, 0x0f, 0xa0, 0xff};
	cachet__hex(out, d, 4);
	assert_string_equal(out, "000fa0ff");
	cachet__hex(out, d, 0);
	assert_string_equal(out, "");
}

/* ------------------------------------------------------------------ */
/* utf8 */

static void check_utf8(const char *s, size_t len, bool valid, size_t bad_at)
{
	size_t off = 12345;
	bool ok = cachet__utf8_valid(s, len, &off);
	if (ok != valid)
		fail_msg("utf8 case at %zu bytes: expected %s", len, valid ? "valid" : "invalid");
	if (!valid)
		assert_int_equal(off, bad_at);
	else
		assert_int_equal(off, 12345); /* untouched */
	assert_true(cachet__utf8_valid(s, len, NULL) == valid);
}

#define VALID(lit) check_utf8(lit, sizeof(lit) - 1, true, 0)
#define INVALID(lit, at) check_utf8(lit, sizeof(lit) - 1, false, at)

static void test_utf8(void **state)
{
	(void)state;
	VALID("");
	VALID("plain ascii");
	VALID("a\0b");               /* NUL is a valid code point */
	VALID("\xc2\x80");           /* U+0080 */
	VALID("caf\xc3\xa9");        /* é */
	VALID("\xe0\xa0\x80");       /* U+0800 */
	VALID("\xe2\x82\xac");       /* € */
	VALID("\xed\x9f\xbf");       /* U+D7FF */
	VALID("\xee\x80\x80");       /* U+E000 */
	VALID("\xef\xbf\xbf");       /* U+FFFF */
	VALID("\xf0\x90\x80\x80");   /* U+10000 */
	VALID("\xf0\x9d\x84\x9e");   /* U+1D11E */
	VALID("\xf4\x8f\xbf\xbf");   /* U+10FFFF */

	/* overlong */
	INVALID("\xc0\x80", 0);
	INVALID("ab\xc1\xbf", 2);
	INVALID("\xe0\x80\x80", 0);
	INVALID("\xe0\x9f\xbf", 0);
	INVALID("\xf0\x80\x80\x80", 0);
	INVALID("\xf0\x8f\xbf\xbf", 0);
	/* surrogates */
	INVALID("\xed\xa0\x80", 0);
	INVALID("x\xed\xbf\xbf", 1);
	/* above U+10FFFF */
	INVALID("\xf4\x90\x80\x80", 0);
	INVALID("\xf5\x80\x80\x80", 0);
	INVALID("\xf8\x88\x80\x80\x80", 0);
	INVALID("\xff", 0);
	INVALID("\xfe", 0);
	/* stray continuation */
	INVALID("\x80", 0);
	INVALID("\xc3\xa9\xa9", 2);
	/* truncated */
	INVALID("a\xe2\x82", 1);
	INVALID("\xc3", 0);
	INVALID("\xf0\x9d\x84", 0);
	/* bad continuation */
	INVALID("\xe2\x28\xa1", 0);
	INVALID("\xe2\x82\x28", 0);
	INVALID("\xf0\x9d\x84\x41", 0);
	INVALID("\xc3\x41", 0);

	/* length bounds the scan: a valid prefix of an invalid string */
	assert_true(cachet__utf8_valid("ok\xff", 2, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_basic),
		cmocka_unit_test(test_error_no_final_period_or_newline),
		cmocka_unit_test(test_error_truncates),
		cmocka_unit_test(test_error_prefix_stacks),
		cmocka_unit_test(test_error_prefix_overlap),
		cmocka_unit_test(test_error_prefix_without_error),
		cmocka_unit_test(test_error_oom),
		cmocka_unit_test(test_error_thread_local),
		cmocka_unit_test(test_error_code_names),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_alloc_basic),
		cmocka_unit_test(test_alloc_overflow),
		cmocka_unit_test(test_alloc_grow),
		cmocka_unit_test(test_alloc_strdup),
		cmocka_unit_test(test_alloc_fault_injection),
		cmocka_unit_test(test_buf_basic),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_buf_self_append),
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_buf_varint),
		cmocka_unit_test(test_buf_detach),
		cmocka_unit_test(test_buf_oom),
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_base64_alphabets),
		cmocka_unit_test(test_base64_appends),
		cmocka_unit_test(test_base64_rejects),
		cmocka_unit_test(test_base64_roundtrip),
		cmocka_unit_test(test_base64_oom),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_streaming),
		cmocka_unit_test(test_sha256_oom),
		cmocka_unit_test(test_sha256_threads),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
