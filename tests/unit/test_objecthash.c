/*
 * objecthash: norm(x) derived by hand from the definition in
 * docs/flyte.md, and whole-value hashes against the "common
 * JSON" vectors that objecthash implementations share (every number a
 * double). Large objects are checked against a reference computed here
 * with OpenSSL directly.
 */
#include "test_helpers.h"

#include "cachet/key.h"
#include "key/objecthash.h"
#include "util/alloc.h"

#include <float.h>
#include <math.h>
#include <openssl/sha.h>

static void hex_to_bytes(const char *hex, uint8_t out[CACHET_HASH_LEN])
{
	assert_int_equal(strlen(hex), 2 * CACHET_HASH_LEN);
	for (size_t i = 0; i < CACHET_HASH_LEN; i++) {
		unsigned int b;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

static void assert_json_hash(const char *json, const char *hex)
{
	uint8_t got[CACHET_HASH_LEN], want[CACHET_HASH_LEN];

	hex_to_bytes(hex, want);
	int rc = cachet_objecthash_json(got, json, strlen(json));
	if (rc != 0)
		fail_msg("objecthash of %s failed: %s", json, cachet_error_last()->message);
	if (memcmp(got, want, CACHET_HASH_LEN) != 0)
		fail_msg("objecthash of %s is not %s", json, hex);
}

static void assert_norm(double x, const char *want)
{
	char got[CACHET__OH_NORM_MAX];
	size_t len = cachet__oh_norm(got, x);

	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
}

/* ---- norm(x) ---- */

static void test_norm_by_hand(void **state)
{
	(void)state;
	/* the definition's own example: 1.5 = 0.75 * 2^1, 0.75 = 0.11b */
	assert_norm(1.5, "+1:011");
	/* zero of either sign */
	assert_norm(0.0, "+0:");
	assert_norm(-0.0, "+0:");
	/* 1 is already in (0.5, 1]: e = 0, digits of 1.0 */
	assert_norm(1.0, "+0:1");
	/* 0.5 doubles once into (0.5, 1]: e = -1, after the sign */
	assert_norm(0.5, "+-1:1");
	assert_norm(-0.5, "--1:1");
	/* 2 halves once to 1 */
	assert_norm(2.0, "+1:1");
	assert_norm(-2.0, "-1:1");
	/* 0.25: e = -2; the sign character comes before the exponent's own */
	assert_norm(0.25, "+-2:1");
	/* 3 = 0.75 * 2^2 */
	assert_norm(3.0, "+2:011");
	/* 18 = 0.5625 * 2^5, 0.5625 = 0.1001b */
	assert_norm(18.0, "+5:01001");
	assert_norm(-18.0, "-5:01001");
	/* 0.75: digits 0, 1, 1 */
	assert_norm(0.75, "+0:011");
}

static void test_norm_extremes(void **state)
{
	(void)state;
	/* the smallest subnormal is 2^-1074: it doubles to 1.0 at e = -1074 */
	assert_norm(ldexp(1.0, -1074), "+-1074:1");
	/*
	 * DBL_MAX = (2 - 2^-52) * 2^1023 halves 1024 times to 1 - 2^-53:
	 * a 0 digit, then 53 ones.
	 */
	char want[CACHET__OH_NORM_MAX];
	int n = snprintf(want, sizeof(want), "+1024:0");
	for (int i = 0; i < 53; i++)
		want[n++] = '1';
	want[n] = '\0';
	assert_norm(DBL_MAX, want);
	want[0] = '-';
	assert_norm(-DBL_MAX, want);
}

static void test_number_refuses_nan_and_infinity(void **state)
{
	uint8_t h[CACHET_HASH_LEN];

	(void)state;
	assert_cachet_error(cachet__oh_number(h, NAN), CACHET_EINVALID,
			    "number 'NaN' cannot be hashed");
	assert_cachet_error(cachet__oh_number(h, INFINITY), CACHET_EINVALID,
			    "number 'Infinity' cannot be hashed");
	assert_cachet_error(cachet__oh_number(h, -INFINITY), CACHET_EINVALID,
			    "number '-Infinity' cannot be hashed");
}

/* ---- common JSON vectors ---- */

static void test_scalars(void **state)
{
	(void)state;
	assert_json_hash("null", "1b16b1df538ba12dc3f97edbb85caa7050d46c148134290feba80f8236c83db9");
	assert_json_hash("true", "7dc96f776c8423e57a2785489a3f9c43fb6e756876d6ad9a9cac4aa4e72ec193");
	assert_json_hash("false", "c02c0b965e023abee808f2b548d8d5193a8b5229be6f3121a6f16e2d41a449b3");
	assert_json_hash("0", "60101d8c9cb988411468e38909571f357daa67bff5a7b0a3f9ae295cd4aba33d");
	assert_json_hash("-0.0", "60101d8c9cb988411468e38909571f357daa67bff5a7b0a3f9ae295cd4aba33d");
	assert_json_hash("-0.1", "55ab03db6fbb5e6de473a612d7e462ca8fd2387266080980e87f021a5c7bde9f");
	assert_json_hash("1.2345", "844e08b1195a93563db4e5d4faa59759ba0e0397caf065f3b6bc0825499754e0");
	assert_json_hash("-10.1234", "59b49ae24998519925833e3ff56727e5d4868aba4ecf4c53653638ebff53c366");
	assert_json_hash("\"\xd4\xb1\xd4\xb2\xd5\xa1\xd5\xa2\"", /* ԱԲաբ */
			 "2a2a4485a4e338d8df683971956b1090d2f5d33955a81ecaad1a75125f7a316c");
	/* no Unicode normalisation: escapes are just the code points */
	assert_json_hash("\"\\u03d3\"",
			 "f72826713a01881404f34975447bd6edcb8de40b191dc57097ebf4f5417a554d");
	assert_json_hash("\"\\u03d2\\u0301\"",
			 "42d5b13fb064849a988a86eb7650a22881c0a9ecf77057a1b07ab0dad385889c");
}

static void test_lists(void **state)
{
	(void)state;
	assert_json_hash("[]", "acac86c0e609ca906f632b0e2dacccb2b77d22b0621f20ebece1a4835b93f6f0");
	assert_json_hash("[\"foo\"]", "268bc27d4974d9d576222e4cdbb8f7c6bd6791894098645a19eeca9c102d0964");
	assert_json_hash("[\"foo\", \"bar\"]",
			 "32ae896c413cfdc79eec68be9139c86ded8b279238467c216cf2bec4d5f1e4a2");
	assert_json_hash("[null]", "5fb858ed3ef4275e64c2d5c44b77534181f7722b7765288e76924ce2f9f7f7db");
	/* integers are doubles */
	assert_json_hash("[123]", "2e72db006266ed9cdaa353aa22b9213e8a3c69c838349437c06896b1b34cee36");
	assert_json_hash("[1, 2, 3]", "925d474ac71f6e8cb35dd951d123944f7cabc5cda9a043cf38cd638cc0158db0");
	assert_json_hash("[123456789012345]",
			 "f446de5475e2f24c0a2b0cd87350927f0a2870d1bb9cbaa794e789806e4c0836");
	assert_json_hash("[123456789012345, 678901234567890]",
			 "d4cca471f1c68f62fbc815b88effa7e52e79d110419a7c64c1ebb107b07f7f56");
}

static void test_objects(void **state)
{
	(void)state;
	assert_json_hash("{}", "18ac3e7343f016890c510e93f935261169d9e3f565436429830faf0934f4f8e4");
	assert_json_hash("{\"foo\": \"bar\"}",
			 "7ef5237c3027d6c58100afadf37796b3d351025cf28038280147d42fdc53b960");
	assert_json_hash("{\"foo\": [\"bar\", \"baz\"], \"qux\": [\"norf\"]}",
			 "f1a9389f27558538a064f3cc250f8686a0cebb85f1cab7f4d4dcc416ceda3c92");
	/* key order does not matter */
	assert_json_hash("{\"k1\": \"v1\", \"k2\": \"v2\", \"k3\": \"v3\"}",
			 "ddd65f1f7568269a30df7cafc26044537dc2f02a1a0d830da61762fc3e687057");
	assert_json_hash("{\"k2\": \"v2\", \"k1\": \"v1\", \"k3\": \"v3\"}",
			 "ddd65f1f7568269a30df7cafc26044537dc2f02a1a0d830da61762fc3e687057");
}

static void test_mixed(void **state)
{
	(void)state;
	assert_json_hash(
		"[\"foo\", {\"bar\": [\"baz\", null, 1.0, 1.5, 0.0001, 1000.0, 2.0, -23.1234, 2.0]}]",
		"783a423b094307bcb28d005bc2f026ff44204442ef3513585e7e73b66e3c2213");
	/* the same numbers written as integers */
	assert_json_hash("[\"foo\", {\"bar\": [\"baz\", null, 1, 1.5, 0.0001, 1000, 2, -23.1234, 2]}]",
			 "783a423b094307bcb28d005bc2f026ff44204442ef3513585e7e73b66e3c2213");
	assert_json_hash("[\"foo\", {\"b4r\": [\"baz\", null, 1, 1.5, 0.0001, 1000, 2, -23.1234, 2]}]",
			 "7e01f8b45da35386e4f9531ff1678147a215b8d2b1d047e690fd9ade6151e431");
}

static void assert_same_hash(const char *a, const char *b)
{
	uint8_t ha[CACHET_HASH_LEN], hb[CACHET_HASH_LEN];

	assert_int_equal(cachet_objecthash_json(ha, a, strlen(a)), 0);
	assert_int_equal(cachet_objecthash_json(hb, b, strlen(b)), 0);
	if (memcmp(ha, hb, sizeof(ha)) != 0)
		fail_msg("%s and %s hash differently", a, b);
}

/* Integers beyond int64 are doubles too, as in Go's float64 decoding. */
static void test_big_integers(void **state)
{
	(void)state;
	assert_same_hash("[12345678901234567890]", "[1.2345678901234567890e19]");
	assert_same_hash("[-9223372036854775808]", "[-9.223372036854775808e18]");
	assert_same_hash("1e2", "100");
}

/* sha256(t || data), computed with OpenSSL directly. */
static void ref_leaf(uint8_t out[32], char t, const void *data, size_t len)
{
	unsigned char buf[1 + 64 * 64];
	assert_true(len < sizeof(buf));
	buf[0] = (unsigned char)t;
	memcpy(buf + 1, data, len);
	SHA256(buf, len + 1, out);
}

static int ref_compare(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* An object with more entries than the small-object sort handles. */
static void test_large_object(void **state)
{
	enum { N = 40 };
	uint8_t entries[N][64], want[32], got[32];
	char json[2048];
	size_t len = 0;

	(void)state;
	len += (size_t)snprintf(json + len, sizeof(json) - len, "{");
	for (int i = 0; i < N; i++) {
		char key[16], value[16];
		int k = (i * 7) % N; /* not in key order */
		int kn = snprintf(key, sizeof(key), "key%d", k);
		int vn = snprintf(value, sizeof(value), "v%d", k);
		ref_leaf(entries[i], 'u', key, (size_t)kn);
		ref_leaf(entries[i] + 32, 'u', value, (size_t)vn);
		len += (size_t)snprintf(json + len, sizeof(json) - len, "%s\"%s\": \"%s\"",
					i ? ", " : "", key, value);
	}
	len += (size_t)snprintf(json + len, sizeof(json) - len, "}");
	qsort(entries, N, 64, ref_compare);
	ref_leaf(want, 'd', entries, sizeof(entries));

	assert_int_equal(cachet_objecthash_json(got, json, len), 0);
	assert_memory_equal(got, want, 32);
}

/* ---- refusals ---- */

static void test_malformed_json(void **state)
{
	uint8_t h[CACHET_HASH_LEN];

	(void)state;
	assert_cachet_error(cachet_objecthash_json(h, "{\"a\": ", 6), CACHET_EINVALID, NULL);
	assert_non_null(strstr(cachet_error_last()->message, "cannot parse JSON"));
	assert_cachet_error(cachet_objecthash_json(h, "", 0), CACHET_EINVALID, NULL);
	/* objecthash of an object with a repeated key would depend on which
	 * one a parser keeps */
	const char *dup = "{\"a\": 1, \"a\": 2}";
	assert_cachet_error(cachet_objecthash_json(h, dup, strlen(dup)), CACHET_EINVALID, NULL);
	/* beyond any double */
	assert_cachet_error(cachet_objecthash_json(h, "[1e400]", 7), CACHET_EINVALID, NULL);
	assert_cachet_error(cachet_objecthash_json(NULL, "[]", 2), CACHET_EINVALID, NULL);
}

static char *nested_arrays(int depth, size_t *len)
{
	char *s = malloc((size_t)depth * 2 + 1);
	assert_non_null(s);
	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth + i] = ']';
	}
	s[2 * depth] = '\0';
	*len = (size_t)depth * 2;
	return s;
}

static void test_depth(void **state)
{
	uint8_t h[CACHET_HASH_LEN];
	size_t len;
	char *ok = nested_arrays(CACHET_MAX_DEPTH, &len);
	char *deep = nested_arrays(CACHET_MAX_DEPTH + 1, &len);

	(void)state;
	assert_int_equal(cachet_objecthash_json(h, ok, strlen(ok)), 0);
	assert_cachet_error(cachet_objecthash_json(h, deep, len), CACHET_ETOODEEP, NULL);
	free(ok);
	free(deep);
}

/* Every allocation failure is reported as ENOMEM, and nothing leaks. */
static void test_out_of_memory(void **state)
{
	const char *json = "{\"a\": [1, 2, {\"b\": [true, null, \"x\"]}], \"c\": {}}";
	uint8_t want[CACHET_HASH_LEN], got[CACHET_HASH_LEN];

	(void)state;
	assert_int_equal(cachet_objecthash_json(want, json, strlen(json)), 0);
	for (long n = 0;; n++) {
		cachet__alloc_fail_after(n);
		int rc = cachet_objecthash_json(got, json, strlen(json));
		int failed = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		if (!failed) {
			assert_int_equal(rc, 0);
			assert_memory_equal(got, want, sizeof(want));
			break;
		}
		assert_cachet_error(rc, CACHET_ENOMEM, "out of memory");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_norm_by_hand),
		cmocka_unit_test(test_norm_extremes),
		cmocka_unit_test(test_number_refuses_nan_and_infinity),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_big_integers),
		cmocka_unit_test(test_large_object),
		cmocka_unit_test(test_malformed_json),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
