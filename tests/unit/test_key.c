/*
 * Cache keys: every vector of Flyte's (docs/flyte.md), hashify's rules,
 * the dataset version, the values Flyte refuses to hash (each with the path
 * in its message), depth limits, allocation failures, and a cross-check of
 * pbhash against the objecthash of the JSON encoder's text.
 */
#include "test_helpers.h"

#include "cachet/codec.h"
#include "cachet/key.h"
#include "codec/json.h"
#include "key/objecthash.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "value/message.h"

#include <math.h>

#define EMPTY_HASH "GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ"
#define ONE_TWO_HASH "GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8"

/* ---- helpers ---- */

static void assert_b64url(const uint8_t h[CACHET_HASH_LEN], const char *want)
{
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__base64url_encode(&b, h, CACHET_HASH_LEN), 0);
	assert_string_equal(b.ptr, want);
	cachet__buf_dispose(&b);
}

static void assert_b64(const uint8_t h[CACHET_HASH_LEN], const char *want)
{
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__base64_encode(&b, h, CACHET_HASH_LEN), 0);
	assert_string_equal(b.ptr, want);
	cachet__buf_dispose(&b);
}

static cachet_literal_map *map_new(void)
{
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	return m;
}

static void put(cachet_literal_map *m, const char *name, cachet_literal *lit)
{
	assert_non_null(lit);
	assert_int_equal(cachet_literal_map_set(m, name, lit), 0);
}

static cachet_literal *with_hash(cachet_literal *lit, const char *hash)
{
	assert_non_null(lit);
	assert_int_equal(cachet_literal_set_hash(lit, hash), 0);
	return lit;
}

static cachet_literal *with_metadata(cachet_literal *lit, const char *k, const char *v)
{
	assert_non_null(lit);
	assert_int_equal(cachet_literal_set_metadata(lit, k, v), 0);
	return lit;
}

static cachet_literal *collection_of(cachet_literal *a, cachet_literal *b)
{
	cachet_literal *c = cachet_literal_new_collection();
	assert_non_null(c);
	if (a)
		assert_int_equal(cachet_literal_collection_append(c, a), 0);
	if (b)
		assert_int_equal(cachet_literal_collection_append(c, b), 0);
	return c;
}

static cachet_literal *map_literal_of(const char *k1, cachet_literal *v1, const char *k2,
				      cachet_literal *v2)
{
	cachet_literal *m = cachet_literal_new_map();
	assert_non_null(m);
	if (k1)
		put(m->map, k1, v1);
	if (k2)
		put(m->map, k2, v2);
	return m;
}

/* A Literal holding only a hash, built field by field. */
static cachet_literal *hash_only(const char *hash)
{
	cachet_literal *lit = cachet__message_new(&cachet__literal_desc);
	assert_non_null(lit);
	lit->hash = cachet_str_dup(hash);
	assert_non_null(lit->hash);
	return lit;
}

static char *tag_of(const cachet_literal_map *m, const cachet_key_options *opts)
{
	char *tag = NULL;
	int rc = cachet_tag(&tag, m, opts);
	if (rc != 0)
		fail_msg("cachet_tag: %s", cachet_error_last()->message);
	assert_non_null(tag);
	return tag;
}

static void assert_tag(const cachet_literal_map *m, const cachet_key_options *opts,
		       const char *want)
{
	char *tag = tag_of(m, opts);
	assert_string_equal(tag, want);
	cachet_free(tag);
}

/* Assert rc is `code` and the message starts with prefix. */
static void assert_error_at(int rc, int code, const char *prefix)
{
	assert_int_equal(rc, code);
	assert_int_equal(cachet_error_last()->code, code);
	const char *msg = cachet_error_last()->message;
	if (strncmp(msg, prefix, strlen(prefix)) != 0)
		fail_msg("message '%s' does not start with '%s'", msg, prefix);
}

/* ---- the vectors of cache-key.md ---- */

static void test_empty_map(void **state)
{
	uint8_t h[CACHET_HASH_LEN];
	cachet_literal_map *m = map_new();

	(void)state;
	assert_int_equal(cachet_pbhash_literal_map(h, m), 0);
	assert_b64url(h, EMPTY_HASH);
	assert_int_equal(cachet_pbhash_literal_map(h, NULL), 0);
	assert_b64url(h, EMPTY_HASH);
	assert_tag(m, NULL, "flyte_cached-" EMPTY_HASH);
	assert_tag(NULL, NULL, "flyte_cached-" EMPTY_HASH);
	cachet_literal_map_free(m);
}

static void test_two_integers(void **state)
{
	uint8_t h[CACHET_HASH_LEN];
	cachet_literal_map *m = map_new();

	(void)state;
	put(m, "1", cachet_literal_new_integer(1));
	put(m, "2", cachet_literal_new_integer(2));
	assert_int_equal(cachet_pbhash_literal_map(h, m), 0);
	assert_b64url(h, ONE_TWO_HASH);
	assert_tag(m, NULL, "flyte_cached-" ONE_TWO_HASH);
	cachet_literal_map_free(m);
}

static void test_ignore(void **state)
{
	const char *ignore[] = {"3"};
	const char *ignore_all[] = {"1", "2", "3", "not-an-input"};
	const char *ignore_prefix[] = {"3x", ""};
	cachet_key_options opts = CACHET_KEY_OPTIONS_INIT;
	cachet_literal_map *m = map_new();

	(void)state;
	put(m, "1", cachet_literal_new_integer(1));
	put(m, "2", cachet_literal_new_integer(2));
	put(m, "3", cachet_literal_new_integer(3));
	opts.ignore = ignore;
	opts.n_ignore = 1;
	assert_tag(m, &opts, "flyte_cached-" ONE_TWO_HASH);

	/* names match exactly, not by prefix */
	char *all = tag_of(m, NULL);
	opts.ignore = ignore_prefix;
	opts.n_ignore = 2;
	assert_tag(m, &opts, all);
	cachet_free(all);

	opts.ignore = ignore_all;
	opts.n_ignore = 4;
	assert_tag(m, &opts, "flyte_cached-" EMPTY_HASH);
	cachet_literal_map_free(m);
}

static void test_dataset_version(void **state)
{
	cachet_interface *iface = NULL;
	char *v = NULL;

	(void)state;
	assert_int_equal(cachet_dataset_version(&v, "1.0.0", NULL), 0);
	assert_string_equal(v, "1.0.0-GKw-c0Pw-GKw-c0Pw");
	cachet_free(v);

	assert_int_equal(cachet_interface_new(&iface), 0);
	assert_int_equal(cachet_dataset_version(&v, "1.0.0", iface), 0);
	assert_string_equal(v, "1.0.0-GKw-c0Pw-GKw-c0Pw");
	cachet_free(v);

	assert_int_equal(cachet_interface_add(iface, false, "1",
					      cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER),
					      NULL),
			 0);
	assert_int_equal(cachet_interface_add(iface, false, "2",
					      cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER),
					      NULL),
			 0);
	assert_int_equal(cachet_dataset_version(&v, "1.0.0", iface), 0);
	assert_string_equal(v, "1.0.0-UxVtPm0k-GKw-c0Pw");
	cachet_free(v);

	/* the whole Variable counts: a description changes the version */
	assert_int_equal(cachet_interface_add(iface, false, "2",
					      cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER),
					      "the second"),
			 0);
	assert_int_equal(cachet_dataset_version(&v, "1.0.0", iface), 0);
	assert_int_equal(strlen(v), strlen("1.0.0-UxVtPm0k-GKw-c0Pw"));
	assert_string_not_equal(v, "1.0.0-UxVtPm0k-GKw-c0Pw");
	assert_string_equal(v + 14, "-GKw-c0Pw");
	cachet_free(v);

	/* outputs go into the second part */
	cachet_interface *out_only = NULL;
	assert_int_equal(cachet_interface_new(&out_only), 0);
	assert_int_equal(cachet_interface_add(out_only, true, "1",
					      cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER),
					      NULL),
			 0);
	assert_int_equal(cachet_interface_add(out_only, true, "2",
					      cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER),
					      NULL),
			 0);
	assert_int_equal(cachet_dataset_version(&v, "1.0.0", out_only), 0);
	assert_string_equal(v, "1.0.0-GKw-c0Pw-UxVtPm0k");
	cachet_free(v);

	/* a type whose metadata protobuf JSON cannot express */
	cachet_literal_type *bad = cachet_literal_type_new_simple(CACHET_SIMPLE_FLOAT);
	assert_non_null(bad);
	bad->metadata = cachet__message_new(&cachet__struct_desc);
	assert_non_null(bad->metadata);
	assert_int_equal(cachet__map_set(bad->metadata, cachet__field_by_number(&cachet__struct_desc, 1),
					 "m", 1, cachet__message_new(&cachet__value_desc)),
			 0);
	assert_int_equal(cachet_interface_add(out_only, true, "x", bad, NULL), 0);
	v = (char *)1;
	assert_cachet_error(cachet_dataset_version(&v, "1", out_only), CACHET_EINVALID,
			    "outputs: variables.x.type.metadata.m: struct value has no kind set");
	assert_null(v);

	cachet_interface_free(out_only);
	cachet_interface_free(iface);
}

static void test_cache_version_trimming(void **state)
{
	char *v = NULL;

	(void)state;
	assert_int_equal(cachet_dataset_version(&v, "  1.0.0 ", NULL), 0);
	assert_string_equal(v, "1.0.0-GKw-c0Pw-GKw-c0Pw");
	cachet_free(v);

	/* only spaces are trimmed */
	assert_int_equal(cachet_dataset_version(&v, "\t1.0.0\n", NULL), 0);
	assert_string_equal(v, "\t1.0.0\n-GKw-c0Pw-GKw-c0Pw");
	cachet_free(v);
	assert_int_equal(cachet_dataset_version(&v, " a b ", NULL), 0);
	assert_string_equal(v, "a b-GKw-c0Pw-GKw-c0Pw");
	cachet_free(v);

	assert_cachet_error(cachet_dataset_version(&v, "   ", NULL), CACHET_EINVALID,
			    "task cannot have an empty cache version");
	assert_null(v);
	assert_cachet_error(cachet_dataset_version(&v, "", NULL), CACHET_EINVALID,
			    "task cannot have an empty cache version");
	assert_cachet_error(cachet_dataset_version(&v, NULL, NULL), CACHET_EINVALID,
			    "task cannot have an empty cache version");
	assert_cachet_error(cachet_dataset_version(NULL, "1", NULL), CACHET_EINVALID, NULL);
}

/* Flyte's pbhash test message, as JSON (its integers are int64: strings). */
static void test_flyte_test_messages(void **state)
{
	const char *full =
		"{\"integer\":\"18\",\"floatValue\":1.3,\"stringValue\":\"lets test this\","
		"\"boolean\":true,\"datetime\":\"2019-03-29T12:00:00Z\",\"duration\":\"0.001s\","
		"\"mapValue\":{\"a\":\"first\",\"z\":\"last\"},\"collections\":[\"1\",\"2\",\"3\"]}";
	const char *partial = "{\"integer\":\"18\",\"floatValue\":1.3,\"stringValue\":\"lets test "
			      "this\",\"boolean\":true}";
	uint8_t h[CACHET_HASH_LEN];

	(void)state;
	assert_int_equal(cachet_objecthash_json(h, full, strlen(full)), 0);
	assert_b64(h, "YpWyLCP1NW0DVk3Hj64tK70H/9t+5fQlj7yyDK2lSEQ=");
	assert_int_equal(cachet_objecthash_json(h, partial, strlen(partial)), 0);
	assert_b64(h, "GhPMTKvJfUPHK8U3vEmoi/wdVBx7IQSPqyjGXAZzquI=");
}

static void test_hash_only_literal(void **state)
{
	uint8_t h[CACHET_HASH_LEN];
	cachet_literal_map *m = map_new();
	cachet_literal_map *values = map_new();

	(void)state;
	put(m, "o0", hash_only("abcde"));
	assert_int_equal(cachet_pbhash_literal_map(h, m), 0);
	assert_b64url(h, "D_HyPwXQXbEmBpF4dFrqDWDNu7bnI3H-9gjmNOHH_-s");
	assert_tag(m, NULL, "flyte_cached-D_HyPwXQXbEmBpF4dFrqDWDNu7bnI3H-9gjmNOHH_-s");

	/* any value with that hash has that tag */
	put(values, "o0", with_metadata(with_hash(cachet_literal_new_integer(5), "abcde"), "k", "v"));
	assert_tag(values, NULL, "flyte_cached-D_HyPwXQXbEmBpF4dFrqDWDNu7bnI3H-9gjmNOHH_-s");
	put(values, "o0", with_hash(collection_of(cachet_literal_new_string("x"), NULL), "abcde"));
	assert_tag(values, NULL, "flyte_cached-D_HyPwXQXbEmBpF4dFrqDWDNu7bnI3H-9gjmNOHH_-s");
	put(values, "o0", with_hash(cachet_literal_new_dataset("s3://b/df", "parquet"), "abcde"));
	assert_tag(values, NULL, "flyte_cached-D_HyPwXQXbEmBpF4dFrqDWDNu7bnI3H-9gjmNOHH_-s");

	cachet_literal_map_free(values);
	cachet_literal_map_free(m);
}

/* ---- hashify ---- */

static void assert_hashify(cachet_literal *in, cachet_literal *want)
{
	cachet_literal *got = NULL;
	int rc = cachet_hashify(&got, in);
	if (rc != 0)
		fail_msg("hashify: %s", cachet_error_last()->message);
	assert_true(cachet_literal_equal(got, want));
	cachet_literal_free(got);
	cachet_literal_free(in);
	cachet_literal_free(want);
}

static void test_hashify_with_hash(void **state)
{
	(void)state;
	/* scalar, collection and map: only the hash is left */
	assert_hashify(with_metadata(with_hash(cachet_literal_new_float(2.5), "h1"), "k", "v"),
		       hash_only("h1"));
	assert_hashify(with_metadata(with_hash(collection_of(cachet_literal_new_integer(1),
								 cachet_literal_new_integer(2)),
					       "h2"),
				     "k", "v"),
		       hash_only("h2"));
	assert_hashify(with_hash(map_literal_of("a", cachet_literal_new_integer(1), NULL, NULL), "h3"),
		       hash_only("h3"));
	assert_hashify(with_hash(cachet_literal_new_blob("s3://x", "csv", CACHET_BLOB_MULTIPART), "h4"),
		       hash_only("h4"));
}

static void test_hashify_without_hash(void **state)
{
	(void)state;
	/* a scalar is copied, metadata included */
	assert_hashify(with_metadata(cachet_literal_new_string("s"), "k", "v"),
		       with_metadata(cachet_literal_new_string("s"), "k", "v"));
	assert_hashify(cachet_literal_new_blob("s3://x", "csv", CACHET_BLOB_SINGLE),
		       cachet_literal_new_blob("s3://x", "csv", CACHET_BLOB_SINGLE));

	/* a collection is rebuilt: elements hashified, its own metadata dropped */
	assert_hashify(
		with_metadata(collection_of(with_hash(cachet_literal_new_blob("s3://a", "", 0), "hb"),
					    with_metadata(cachet_literal_new_integer(7), "ek", "ev")),
			      "outer", "dropped"),
		collection_of(hash_only("hb"), with_metadata(cachet_literal_new_integer(7), "ek", "ev")));

	/* the same for a map */
	assert_hashify(with_metadata(map_literal_of("a", with_hash(cachet_literal_new_string("x"), "ha"),
						    "b", cachet_literal_new_boolean(true)),
				     "outer", "dropped"),
		       map_literal_of("a", hash_only("ha"), "b", cachet_literal_new_boolean(true)));

	/* nested: a map of collections of hashed datasets */
	assert_hashify(
		map_literal_of(
			"dfs",
			with_metadata(
				collection_of(with_hash(cachet_literal_new_dataset("s3://1", "parquet"), "d1"),
					      with_hash(cachet_literal_new_dataset("s3://2", "parquet"), "d2")),
				"inner", "dropped"),
			"empty", cachet_literal_new_collection()),
		map_literal_of("dfs", collection_of(hash_only("d1"), hash_only("d2")), "empty",
			       cachet_literal_new_collection()));
}

static void test_hashify_offloaded(void **state)
{
	cachet_literal *off = cachet__message_new(&cachet__literal_desc);
	cachet_literal *copy = NULL;

	(void)state;
	assert_non_null(off);
	off->kind = CACHET_LITERAL_OFFLOADED;
	off->offloaded_metadata = cachet__message_new(&cachet__literal_offloaded_metadata_desc);
	assert_non_null(off->offloaded_metadata);
	off->offloaded_metadata->uri = cachet_str_dup("s3://big");
	off->offloaded_metadata->size_bytes = 1234;
	with_metadata(off, "k", "v");

	/* no hash: unchanged; with a hash: only the hash */
	cachet_literal *want = NULL;
	assert_int_equal(cachet_literal_copy(&copy, off), 0);
	assert_int_equal(cachet_literal_copy(&want, off), 0);
	assert_hashify(copy, want);

	cachet_literal *out = (cachet_literal *)1;
	assert_cachet_error(cachet_hashify(&out, NULL), CACHET_EINVALID, NULL);
	assert_null(out);
	assert_cachet_error(cachet_hashify(NULL, off), CACHET_EINVALID, NULL);

	assert_hashify(with_hash(off, "ho"), hash_only("ho"));
}

/* ---- what does and does not change the tag ---- */

static void test_uri_and_hash(void **state)
{
	cachet_literal_map *a = map_new(), *b = map_new();

	(void)state;
	/* same hash, different place: same tag */
	put(a, "df", with_hash(cachet_literal_new_dataset("s3://bucket/run1/df", "parquet"), "sha:1"));
	put(b, "df", with_hash(cachet_literal_new_dataset("file:///tmp/other/df", "parquet"), "sha:1"));
	char *ta = tag_of(a, NULL), *tb = tag_of(b, NULL);
	assert_string_equal(ta, tb);
	cachet_free(tb);

	/* a different hash: a different tag */
	put(b, "df", with_hash(cachet_literal_new_dataset("s3://bucket/run1/df", "parquet"), "sha:2"));
	tb = tag_of(b, NULL);
	assert_string_not_equal(ta, tb);
	cachet_free(ta);
	cachet_free(tb);

	/* no hash: the URI is the value, so it counts */
	put(a, "f", cachet_literal_new_blob("s3://bucket/a.csv", "csv", 0));
	put(b, "f", cachet_literal_new_blob("s3://bucket/b.csv", "csv", 0));
	cachet_literal_map_remove(b, "df");
	cachet_literal_map_remove(a, "df");
	ta = tag_of(a, NULL);
	tb = tag_of(b, NULL);
	assert_string_not_equal(ta, tb);
	assert_int_equal(strlen(ta), strlen("flyte_cached-") + 43);
	cachet_free(ta);
	cachet_free(tb);

	/* metadata of an unhashed scalar counts too (it is part of the value) */
	put(a, "f", with_metadata(cachet_literal_new_blob("s3://bucket/b.csv", "csv", 0), "k", "v"));
	ta = tag_of(a, NULL);
	tb = tag_of(b, NULL);
	assert_string_not_equal(ta, tb);
	cachet_free(ta);
	cachet_free(tb);

	cachet_literal_map_free(a);
	cachet_literal_map_free(b);
}

/* int64 1 is the string "1"; a float 1 is the number 1 */
static void test_integer_is_a_string(void **state)
{
	uint8_t hi[CACHET_HASH_LEN], hf[CACHET_HASH_LEN], hj[CACHET_HASH_LEN];
	cachet_literal *i = cachet_literal_new_integer(1), *f = cachet_literal_new_float(1.0);
	const char *ij = "{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}";
	const char *fj = "{\"scalar\":{\"primitive\":{\"floatValue\":1}}}";

	(void)state;
	assert_int_equal(cachet_pbhash_literal(hi, i), 0);
	assert_int_equal(cachet_objecthash_json(hj, ij, strlen(ij)), 0);
	assert_memory_equal(hi, hj, CACHET_HASH_LEN);
	assert_int_equal(cachet_pbhash_literal(hf, f), 0);
	assert_int_equal(cachet_objecthash_json(hj, fj, strlen(fj)), 0);
	assert_memory_equal(hf, hj, CACHET_HASH_LEN);
	cachet_literal_free(i);
	cachet_literal_free(f);
}

/* ---- refusals ---- */

static void assert_refused(cachet_literal *lit, const char *path_in_literal, const char *what)
{
	uint8_t h[CACHET_HASH_LEN];
	char prefix[256];
	cachet_literal_map *m = map_new();
	char *tag = (char *)1;

	snprintf(prefix, sizeof(prefix), "%s: ", path_in_literal);
	assert_error_at(cachet_pbhash_literal(h, lit), CACHET_EINVALID, prefix);
	if (what)
		assert_non_null(strstr(cachet_error_last()->message, what));

	put(m, "a", lit);
	snprintf(prefix, sizeof(prefix), "literals.a.%s: ", path_in_literal);
	assert_error_at(cachet_tag(&tag, m, NULL), CACHET_EINVALID, prefix);
	assert_null(tag);
	cachet_literal_map_free(m);
}

static void test_refuse_times(void **state)
{
	(void)state;
	assert_refused(cachet_literal_new_datetime((cachet_timestamp){0, 1000000000}),
		       "scalar.primitive.datetime", "nanos 1000000000");
	assert_refused(cachet_literal_new_datetime((cachet_timestamp){0, -1}),
		       "scalar.primitive.datetime", "nanos -1");
	/* year 10000 */
	assert_refused(cachet_literal_new_datetime((cachet_timestamp){253402300800, 0}),
		       "scalar.primitive.datetime", NULL);
	assert_refused(cachet_literal_new_duration((cachet_duration){315576000001, 0}),
		       "scalar.primitive.duration", "315576000001");
	assert_refused(cachet_literal_new_duration((cachet_duration){0, 1000000000}),
		       "scalar.primitive.duration", "nanos 1000000000");
	assert_refused(cachet_literal_new_duration((cachet_duration){1, -1}),
		       "scalar.primitive.duration", NULL);
	assert_refused(cachet_literal_new_duration((cachet_duration){-1, 1}),
		       "scalar.primitive.duration", NULL);
}

static void test_accept_time_limits(void **state)
{
	uint8_t h[CACHET_HASH_LEN];
	cachet_literal *lits[] = {
		cachet_literal_new_datetime((cachet_timestamp){253402300799, 999999999}),
		cachet_literal_new_datetime((cachet_timestamp){-62135596800, 0}),
		cachet_literal_new_duration((cachet_duration){315576000000, 999999999}),
		cachet_literal_new_duration((cachet_duration){-315576000000, -999999999}),
		cachet_literal_new_duration((cachet_duration){0, -5}),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		assert_int_equal(cachet_pbhash_literal(h, lits[i]), 0);
		cachet_literal_free(lits[i]);
	}
}

/* ---- google.protobuf.Struct values ---- */

static cachet_value *value_new(cachet_value_kind kind)
{
	cachet_value *v = cachet__message_new(&cachet__value_desc);
	assert_non_null(v);
	v->kind = kind;
	return v;
}

static cachet_value *number_value(double x)
{
	cachet_value *v = value_new(CACHET_VALUE_NUMBER);
	v->number_value = x;
	return v;
}

static cachet_value *string_value(const char *s)
{
	cachet_value *v = value_new(CACHET_VALUE_STRING);
	v->string_value = cachet_str_dup(s);
	assert_non_null(v->string_value);
	return v;
}

static void struct_set(cachet_struct *s, const char *key, cachet_value *v)
{
	const cachet__field_desc *f = cachet__field_by_number(&cachet__struct_desc, 1);
	assert_int_equal(cachet__map_set(s, f, key, strlen(key), v), 0);
}

static cachet_struct *struct_new(void)
{
	cachet_struct *s = cachet__message_new(&cachet__struct_desc);
	assert_non_null(s);
	return s;
}

static cachet_value *list_value(cachet_value *a, cachet_value *b)
{
	cachet_value *v = value_new(CACHET_VALUE_LIST);
	const cachet__field_desc *f = cachet__field_by_number(&cachet__list_value_desc, 1);
	v->list_value = cachet__message_new(&cachet__list_value_desc);
	assert_non_null(v->list_value);
	assert_int_equal(cachet__repeated_append(v->list_value, f, a), 0);
	assert_int_equal(cachet__repeated_append(v->list_value, f, b), 0);
	return v;
}

static cachet_literal *generic_literal(cachet_struct *s)
{
	cachet_literal *lit = cachet__message_new(&cachet__literal_desc);
	assert_non_null(lit);
	lit->kind = CACHET_LITERAL_SCALAR;
	lit->scalar = cachet__message_new(&cachet__scalar_desc);
	assert_non_null(lit->scalar);
	lit->scalar->kind = CACHET_SCALAR_GENERIC;
	lit->scalar->generic = s;
	return lit;
}

static void test_refuse_struct_values(void **state)
{
	cachet_struct *s;

	(void)state;
	s = struct_new();
	struct_set(s, "x", value_new(CACHET_VALUE_NOT_SET));
	assert_refused(generic_literal(s), "scalar.generic.x", "struct value has no kind set");


	cachet_struct *inner = struct_new();
	struct_set(inner, "deep", value_new(CACHET_VALUE_NOT_SET));
	cachet_value *sv = value_new(CACHET_VALUE_STRUCT);
	sv->struct_value = inner;
	s = struct_new();
	struct_set(s, "outer", sv);
	assert_refused(generic_literal(s), "scalar.generic.outer.deep", "no kind");
}

/* Struct values are plain JSON: a Struct hashes as the same JSON would. */
static void test_struct_is_plain_json(void **state)
{
	uint8_t got[CACHET_HASH_LEN], want[CACHET_HASH_LEN];
	cachet_struct *s = struct_new();
	const char *json = "{\"scalar\":{\"generic\":{\"a\":1.5,\"b\":[\"x\",null,true],\"c\":{}}}}";

	(void)state;
	struct_set(s, "a", number_value(1.5));
	struct_set(s, "b", list_value(string_value("x"), value_new(CACHET_VALUE_NULL)));
	const cachet__field_desc *f = cachet__field_by_number(&cachet__list_value_desc, 1);
	cachet_value *t = value_new(CACHET_VALUE_BOOL);
	t->bool_value = true;
	cachet_value *b = cachet__map_get(s, cachet__field_by_number(&cachet__struct_desc, 1), "b", 1);
	assert_int_equal(cachet__repeated_append(b->list_value, f, t), 0);
	cachet_value *c = value_new(CACHET_VALUE_STRUCT);
	c->struct_value = struct_new();
	struct_set(s, "c", c);

	cachet_literal *lit = generic_literal(s);
	assert_int_equal(cachet_pbhash_literal(got, lit), 0);
	assert_int_equal(cachet_objecthash_json(want, json, strlen(json)), 0);
	assert_memory_equal(got, want, CACHET_HASH_LEN);
	cachet_literal_free(lit);
}

/* ---- depth ---- */

static cachet_literal *nested_collections(int levels)
{
	cachet_literal *lit = cachet_literal_new_integer(1);
	for (int i = 0; i < levels; i++)
		lit = collection_of(lit, NULL);
	return lit;
}

static void test_depth_bomb(void **state)
{
	uint8_t h[CACHET_HASH_LEN];
	char *tag = NULL;
	cachet_literal_map *m = map_new();
	cachet_literal *copy = NULL;

	(void)state;
	/* each level is a Literal and a LiteralCollection: two messages */
	put(m, "bomb", nested_collections(CACHET_MAX_DEPTH / 2 + 1));
	assert_int_equal(cachet_pbhash_literal(h, cachet_literal_map_get(m, "bomb")), CACHET_ETOODEEP);
	assert_int_equal(cachet_error_last()->code, CACHET_ETOODEEP);
	assert_int_equal(cachet_pbhash_literal_map(h, m), CACHET_ETOODEEP);
	/* a long path keeps both ends */
	const char *msg = cachet_error_last()->message;
	assert_memory_equal(msg, "literals.bomb.collection.literals[0].", 37);
	assert_non_null(strstr(msg, "..."));
	assert_non_null(strstr(msg, "literals[0].collection: value nested deeper than 1000 levels"));
	assert_int_equal(cachet_tag(&tag, m, NULL), CACHET_ETOODEEP);
	assert_null(tag);
	assert_int_equal(cachet_hashify(&copy, cachet_literal_map_get(m, "bomb")), CACHET_ETOODEEP);
	assert_null(copy);
	cachet_literal_map_free(m);

	/* a deep Struct: Value, Struct, Value, ... */
	cachet_struct *s = struct_new();
	struct_set(s, "leaf", number_value(1));
	for (int i = 0; i < CACHET_MAX_DEPTH; i++) {
		cachet_value *v = value_new(CACHET_VALUE_STRUCT);
		v->struct_value = s;
		s = struct_new();
		struct_set(s, "k", v);
	}
	cachet_literal *lit = generic_literal(s);
	assert_int_equal(cachet_pbhash_literal(h, lit), CACHET_ETOODEEP);
	assert_non_null(strstr(cachet_error_last()->message, "scalar.generic.k.k.k"));
	cachet_literal_free(lit);

	/* deep, but within the limit */
	lit = nested_collections(CACHET_MAX_DEPTH / 2 - 2);
	m = map_new();
	put(m, "deep", lit);
	assert_int_equal(cachet_pbhash_literal_map(h, m), 0);
	tag = tag_of(m, NULL);
	cachet_free(tag);
	cachet_literal_map_free(m);
}

/* ---- cachet_cache_key_compute ---- */

static void test_cache_key(void **state)
{
	cachet_cache_key key = CACHET_CACHE_KEY_INIT;
	cachet_literal_map *m = map_new();
	const char *ignore[] = {"3"};
	cachet_key_options opts = CACHET_KEY_OPTIONS_INIT;

	(void)state;
	put(m, "1", cachet_literal_new_integer(1));
	put(m, "2", cachet_literal_new_integer(2));
	put(m, "3", cachet_literal_new_integer(3));
	opts.ignore = ignore;
	opts.n_ignore = 1;
	assert_int_equal(cachet_cache_key_compute(&key, "flytesnacks", "development", "my.task",
						  " 1.0.0 ", NULL, m, &opts),
			 0);
	assert_string_equal(key.project, "flytesnacks");
	assert_string_equal(key.domain, "development");
	assert_string_equal(key.name, "flyte_task-my.task");
	assert_string_equal(key.version, "1.0.0-GKw-c0Pw-GKw-c0Pw");
	assert_string_equal(key.tag, "flyte_cached-" ONE_TWO_HASH);
	cachet_cache_key_dispose(&key);
	assert_null(key.tag);
	cachet_cache_key_dispose(&key);
	cachet_cache_key_dispose(NULL);

	/* failures leave the key empty, its version as it was */
	memset(&key, 0xff, sizeof(key));
	key.struct_version = CACHET_CACHE_KEY_VERSION;
	assert_cachet_error(cachet_cache_key_compute(&key, "p", "d", "t", " ", NULL, m, NULL),
			    CACHET_EINVALID, "task cannot have an empty cache version");
	assert_null(key.project);
	assert_null(key.tag);
	assert_int_equal(key.struct_version, CACHET_CACHE_KEY_VERSION);
	assert_cachet_error(cachet_cache_key_compute(&key, NULL, "d", "t", "1", NULL, m, NULL),
			    CACHET_EINVALID, NULL);
	assert_cachet_error(cachet_cache_key_compute(&key, "p", NULL, "t", "1", NULL, m, NULL),
			    CACHET_EINVALID, NULL);
	assert_cachet_error(cachet_cache_key_compute(&key, "p", "d", NULL, "1", NULL, m, NULL),
			    CACHET_EINVALID, NULL);
	assert_cachet_error(cachet_cache_key_compute(NULL, "p", "d", "t", "1", NULL, m, NULL),
			    CACHET_EINVALID, NULL);
	opts.version = 99;
	assert_cachet_error(cachet_cache_key_compute(&key, "p", "d", "t", "1", NULL, m, &opts),
			    CACHET_EINVALID,
			    "unsupported key options version 99 (this library knows 1 to 1)");
	char *tag = NULL;
	assert_cachet_error(cachet_tag(&tag, m, &opts), CACHET_EINVALID, NULL);
	assert_null(tag);
	cachet_literal_map_free(m);
}

/* ---- pbhash against the JSON encoder ---- */

static cachet_literal_type *typed(cachet_literal_type *t)
{
	assert_non_null(t);
	return t;
}

/* A map with one literal of every kind, metadata and hashes included. */
static cachet_literal_map *rich_map(void)
{
	cachet_literal_map *m = map_new();

	put(m, "int", cachet_literal_new_integer(-9007199254740993));
	put(m, "int0", cachet_literal_new_integer(0));
	put(m, "float", cachet_literal_new_float(3.141592653589793));
	put(m, "float_neg0", cachet_literal_new_float(-0.0));
	put(m, "float_tiny", cachet_literal_new_float(5e-324));
	put(m, "float_nan", cachet_literal_new_float(NAN));
	put(m, "float_inf", cachet_literal_new_float(-INFINITY));
	put(m, "str", cachet_literal_new_string("h\xc3\xa9llo \"q\" \\ \n\t\x01"));
	put(m, "str_empty", cachet_literal_new_string(""));
	put(m, "bool", cachet_literal_new_boolean(false));
	put(m, "dt", cachet_literal_new_datetime((cachet_timestamp){1553860800, 500000}));
	put(m, "dur", cachet_literal_new_duration((cachet_duration){-3, -1000}));
	put(m, "none", cachet_literal_new_none());
	put(m, "blob", with_hash(cachet_literal_new_blob("s3://b/dir", "csv", CACHET_BLOB_MULTIPART),
				 "blobhash"));
	put(m, "bin", cachet_literal_new_binary("\x00\x01\xff", 3, "tag"));
	put(m, "df", with_metadata(cachet_literal_new_dataset("s3://b/df", "parquet"), "k", "v"));
	put(m, "err", cachet_literal_new_error("n0", "boom"));
	put(m, "coll", collection_of(cachet_literal_new_integer(1),
				     collection_of(cachet_literal_new_string("x"), NULL)));
	put(m, "map", map_literal_of("a", cachet_literal_new_float(1.5), "b",
				     map_literal_of(NULL, NULL, NULL, NULL)));
	put(m, "hash", hash_only("abc"));
	/* what hashify changes: hashed containers, container metadata */
	put(m, "coll_hashed", with_metadata(with_hash(collection_of(cachet_literal_new_integer(1), NULL),
						      "ch"),
					    "k", "v"));
	put(m, "coll_meta", with_metadata(collection_of(with_hash(cachet_literal_new_none(), "nh"),
							collection_of(NULL, NULL)),
					  "k", "v"));
	put(m, "map_hashed", with_hash(map_literal_of("a", cachet_literal_new_integer(1), NULL, NULL),
				       "mh"));
	put(m, "map_meta", with_metadata(map_literal_of("a", with_metadata(cachet_literal_new_integer(1),
									  "ik", "iv"),
							"b", map_literal_of(NULL, NULL, NULL, NULL)),
					 "k", "v"));

	cachet_struct *s = struct_new();
	struct_set(s, "n", number_value(-2.5e300));
	struct_set(s, "l", list_value(string_value("x"), value_new(CACHET_VALUE_NULL)));
	put(m, "generic", generic_literal(s));

	/* a union whose type has metadata, annotation and structure */
	cachet_literal *u = cachet__message_new(&cachet__literal_desc);
	assert_non_null(u);
	u->kind = CACHET_LITERAL_SCALAR;
	u->scalar = cachet__message_new(&cachet__scalar_desc);
	u->scalar->kind = CACHET_SCALAR_UNION;
	u->scalar->union_ = cachet__message_new(&cachet__union_desc);
	u->scalar->union_->value = cachet_literal_new_integer(4);
	cachet_literal_type *t = typed(cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER));
	t->metadata = struct_new();
	struct_set(t->metadata, "m", string_value("v"));
	t->structure = cachet__message_new(&cachet__type_structure_desc);
	t->structure->tag = cachet_str_dup("int");
	u->scalar->union_->type = t;
	put(m, "union", u);

	/* offloaded, with an inferred type that is a map of enums */
	cachet_literal *off = cachet__message_new(&cachet__literal_desc);
	off->kind = CACHET_LITERAL_OFFLOADED;
	off->offloaded_metadata = cachet__message_new(&cachet__literal_offloaded_metadata_desc);
	off->offloaded_metadata->uri = cachet_str_dup("s3://off");
	off->offloaded_metadata->size_bytes = UINT64_MAX;
	cachet_literal_type *e = cachet__message_new(&cachet__literal_type_desc);
	e->kind = CACHET_TYPE_ENUM;
	e->enum_type = cachet__message_new(&cachet__enum_type_desc);
	const cachet__field_desc *values = cachet__field_by_number(&cachet__enum_type_desc, 1);
	assert_int_equal(cachet__repeated_append(e->enum_type, values, cachet_str_dup("RED")), 0);
	assert_int_equal(cachet__repeated_append(e->enum_type, values, cachet_str_dup("")), 0);
	off->offloaded_metadata->inferred_type = typed(cachet_literal_type_new_map(e));
	put(m, "offloaded", with_metadata(off, "k", "v"));
	assert_int_equal(cachet_literal_copy(&off, off), 0);
	put(m, "offloaded_hashed", with_hash(off, "oh"));
	return m;
}

static void assert_pbhash_matches_json(const cachet__message_desc *d, const void *msg)
{
	uint8_t direct[CACHET_HASH_LEN], via_json[CACHET_HASH_LEN];
	cachet_buf json = CACHET_BUF_INIT;

	int rc = cachet__json_encode(d, msg, 0, &json);
	if (rc != 0)
		fail_msg("json encode: %s", cachet_error_last()->message);
	assert_int_equal(cachet__pbhash(direct, d, msg), 0);
	assert_int_equal(cachet_objecthash_json(via_json, json.ptr, json.len), 0);
	if (memcmp(direct, via_json, CACHET_HASH_LEN) != 0)
		fail_msg("pbhash differs from the objecthash of %s", json.ptr);
	cachet__buf_dispose(&json);
}

static void test_pbhash_matches_json(void **state)
{
	cachet_literal_map *m = rich_map();
	cachet_interface *iface = NULL;

	(void)state;
	assert_pbhash_matches_json(&cachet__literal_map_desc, m);

	/* and the hashified form that the tag hashes */
	cachet_literal_map *hm = map_new();
	for (size_t i = 0; i < m->n_literals; i++) {
		cachet_literal *h = NULL;
		assert_int_equal(cachet_hashify(&h, m->literals[i].value), 0);
		put(hm, m->literals[i].key, h);
	}
	assert_pbhash_matches_json(&cachet__literal_map_desc, hm);
	uint8_t h[CACHET_HASH_LEN];
	char want[64] = "flyte_cached-";
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet_pbhash_literal_map(h, hm), 0);
	assert_int_equal(cachet__base64url_encode(&b, h, sizeof(h)), 0);
	strcat(want, b.ptr);
	assert_tag(m, NULL, want);
	cachet__buf_dispose(&b);
	cachet_literal_map_free(hm);

	/* interfaces: every type kind */
	assert_int_equal(cachet_interface_new(&iface), 0);
	assert_int_equal(cachet_interface_add(iface, false, "a",
					      typed(cachet_literal_type_new_collection(typed(
						      cachet_literal_type_new_simple(CACHET_SIMPLE_STRUCT)))),
					      "a list of structs"),
			 0);
	assert_int_equal(cachet_interface_add(iface, false, "b",
					      typed(cachet_literal_type_new_blob("csv", CACHET_BLOB_MULTIPART)),
					      NULL),
			 0);
	assert_int_equal(cachet_interface_add(iface, false, "c",
					      typed(cachet_literal_type_new_dataset("parquet")), ""),
			 0);
	assert_int_equal(cachet_interface_add(iface, true, "o",
					      typed(cachet_literal_type_new_simple(CACHET_SIMPLE_NONE)),
					      NULL),
			 0);
	assert_pbhash_matches_json(&cachet__variable_map_desc, iface->inputs);
	assert_pbhash_matches_json(&cachet__variable_map_desc, iface->outputs);
	assert_pbhash_matches_json(&cachet__interface_desc, iface);
	cachet_interface_free(iface);
	cachet_literal_map_free(m);
}

/*
 * An independent oracle: the JSON fixtures were checked against Google's
 * protobuf JSON printer and the .pb beside them written by Google's encoder
 * (scripts/gen-fixtures-json.py). pbhash of the decoded .pb must be the
 * objecthash of the JSON text.
 */
static char *read_fixture(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f = fopen(cachet_test_path(path, sizeof(path), rel), "rb");
	char *data;
	long size;

	if (f == NULL)
		fail_msg("cannot open '%s'", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	data = malloc((size_t)size + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	data[size] = '\0';
	*len = (size_t)size;
	return data;
}

static void assert_fixture_hash(const char *name, bool is_interface)
{
	char rel[256];
	size_t json_len, pb_len;
	uint8_t direct[CACHET_HASH_LEN], via_json[CACHET_HASH_LEN];

	snprintf(rel, sizeof(rel), "tests/fixtures/json/%s.json", name);
	char *json = read_fixture(rel, &json_len);
	snprintf(rel, sizeof(rel), "tests/fixtures/json/%s.pb", name);
	char *pb = read_fixture(rel, &pb_len);

	assert_int_equal(cachet_objecthash_json(via_json, json, json_len), 0);
	if (is_interface) {
		cachet_interface *iface = NULL;
		assert_int_equal(cachet_interface_decode(&iface, pb, pb_len, CACHET_FORMAT_PB), 0);
		assert_int_equal(cachet__pbhash(direct, &cachet__interface_desc, iface), 0);
		cachet_interface_free(iface);
	} else {
		cachet_literal_map *m = NULL;
		assert_int_equal(cachet_literal_map_decode(&m, pb, pb_len, CACHET_FORMAT_PB), 0);
		assert_int_equal(cachet_pbhash_literal_map(direct, m), 0);
		cachet_literal_map_free(m);
	}
	if (memcmp(direct, via_json, CACHET_HASH_LEN) != 0)
		fail_msg("pbhash of %s.pb is not the objecthash of %s.json", name, name);
	free(json);
	free(pb);
}

static void test_pbhash_matches_google_json(void **state)
{
	(void)state;
	assert_fixture_hash("literal_map_all", false);
	assert_fixture_hash("interface_all", true);
	assert_fixture_hash("interface_artifacts", true);
}

/*
 * Dataset versions from an oracle that shares no code with cachet:
 * scripts/gen-fixtures-json.py hashes Google's JSON of each interface with
 * its own objecthash (checked there against versions Flyte computed) into
 * <name>.version. interface_artifacts holds Variable's artifact fields,
 * which Flyte's interface hash includes.
 */
static void assert_fixture_version(const char *name)
{
	char rel[256];
	size_t pb_len, want_len;
	cachet_interface *iface = NULL;
	char *got = NULL;

	snprintf(rel, sizeof(rel), "tests/fixtures/json/%s.pb", name);
	char *pb = read_fixture(rel, &pb_len);
	snprintf(rel, sizeof(rel), "tests/fixtures/json/%s.version", name);
	char *want = read_fixture(rel, &want_len);
	if (want_len > 0 && want[want_len - 1] == '\n')
		want[want_len - 1] = '\0';

	assert_int_equal(cachet_interface_decode(&iface, pb, pb_len, CACHET_FORMAT_PB), 0);
	assert_int_equal(cachet_dataset_version(&got, "1.0.0", iface), 0);
	assert_string_equal(got, want);
	cachet_free(got);
	cachet_interface_free(iface);
	free(pb);
	free(want);
}

static void test_dataset_version_oracle(void **state)
{
	(void)state;
	assert_fixture_version("interface_all");
	assert_fixture_version("interface_artifacts");

	/* without an input's artifact id, the inputs' part changes and the
	 * outputs' part stays */
	size_t pb_len, want_len;
	cachet_interface *iface = NULL;
	char *v = NULL;
	char *pb = read_fixture("tests/fixtures/json/interface_artifacts.pb", &pb_len);
	char *want = read_fixture("tests/fixtures/json/interface_artifacts.version", &want_len);
	assert_int_equal(cachet_interface_decode(&iface, pb, pb_len, CACHET_FORMAT_PB), 0);
	cachet_variable *b = cachet_variable_map_get(iface->inputs, "b");
	cachet__message_free(&cachet__artifact_id_desc, b->artifact_partial_id);
	b->artifact_partial_id = NULL;
	assert_int_equal(cachet_dataset_version(&v, "1.0.0", iface), 0);
	assert_int_equal(strlen(v), strlen("1.0.0-12345678-12345678"));
	assert_memory_not_equal(v, want, 14);
	assert_memory_equal(v + 14, want + 14, 9);
	cachet_free(v);
	cachet_interface_free(iface);
	free(pb);
	free(want);
}

/*
 * A NaN or infinite Struct number hashes as the string Go's jsonpb prints
 * for it, as in Flyte. The expected tag is the objecthash oracle's (not
 * cachet's) for the same map with those strings:
 *   scripts/gen-fixtures-json.py --tag '<the JSON below>'
 * The NaN map comes from Go (tests/fixtures/wire-go), and built by hand.
 */
#define NONFINITE_AS_TEXT                                                                   \
	"{\"literals\":{\"s\":{\"scalar\":{\"generic\":{\"inf\":\"Infinity\","                \
	"\"list\":[\"Infinity\",2],\"nan\":\"NaN\",\"ninf\":\"-Infinity\"}}}}}"
#define NONFINITE_TAG "flyte_cached-oweSE_r4ObmqAAI585f1fu6X83LwpOmJpalTaCOsytg"

static void test_nonfinite_struct_numbers(void **state)
{
	size_t len;
	cachet_literal_map *m = NULL;

	(void)state;
	assert_int_equal(cachet_literal_map_decode(&m, NONFINITE_AS_TEXT, strlen(NONFINITE_AS_TEXT),
						   CACHET_FORMAT_JSON),
			 0);
	assert_tag(m, NULL, NONFINITE_TAG);
	cachet_literal_map_free(m);

	char *pb = read_fixture("tests/fixtures/wire-go/map-struct-nonfinite.pb", &len);
	assert_int_equal(cachet_literal_map_decode(&m, pb, len, CACHET_FORMAT_PB), 0);
	assert_true(isnan(cachet_literal_map_get(m, "s")->scalar->generic->fields[2].value->number_value));
	assert_tag(m, NULL, NONFINITE_TAG);
	cachet_literal_map_free(m);
	free(pb);

	cachet_struct *s = struct_new();
	struct_set(s, "nan", number_value(NAN));
	struct_set(s, "ninf", number_value(-INFINITY));
	struct_set(s, "inf", number_value(INFINITY));
	struct_set(s, "list", list_value(number_value(INFINITY), number_value(2)));
	m = map_new();
	put(m, "s", generic_literal(s));
	assert_tag(m, NULL, NONFINITE_TAG);
	cachet_literal_map_free(m);
}

/* ---- allocation failures ---- */

static void test_out_of_memory(void **state)
{
	cachet_literal_map *m = rich_map();
	cachet_cache_key want = CACHET_CACHE_KEY_INIT, got = CACHET_CACHE_KEY_INIT;

	(void)state;
	assert_int_equal(cachet_cache_key_compute(&want, "p", "d", "t", "v1", NULL, m, NULL), 0);
	for (long n = 0;; n++) {
		cachet__alloc_fail_after(n);
		int rc = cachet_cache_key_compute(&got, "p", "d", "t", "v1", NULL, m, NULL);
		int failed = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		if (!failed) {
			assert_int_equal(rc, 0);
			assert_string_equal(got.tag, want.tag);
			assert_string_equal(got.version, want.version);
			cachet_cache_key_dispose(&got);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
		assert_int_equal(cachet_error_last()->code, CACHET_ENOMEM);
		assert_null(got.tag);
		assert_null(got.project);
	}
	for (long n = 0;; n++) {
		cachet_literal *h = NULL;
		cachet__alloc_fail_after(n);
		int rc = cachet_hashify(&h, cachet_literal_map_get(m, "coll"));
		int failed = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		cachet_literal_free(h);
		if (!failed) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
		assert_null(h);
	}
	cachet_cache_key_dispose(&want);
	cachet_literal_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_two_integers),
		cmocka_unit_test(test_ignore),
		cmocka_unit_test(test_dataset_version),
		cmocka_unit_test(test_dataset_version_oracle),
		cmocka_unit_test(test_cache_version_trimming),
		cmocka_unit_test(test_flyte_test_messages),
		cmocka_unit_test(test_hash_only_literal),
		cmocka_unit_test(test_hashify_with_hash),
		cmocka_unit_test(test_hashify_without_hash),
		cmocka_unit_test(test_hashify_offloaded),
		cmocka_unit_test(test_uri_and_hash),
		cmocka_unit_test(test_integer_is_a_string),
		cmocka_unit_test(test_refuse_times),
		cmocka_unit_test(test_accept_time_limits),
		cmocka_unit_test(test_refuse_struct_values),
		cmocka_unit_test(test_nonfinite_struct_numbers),
		cmocka_unit_test(test_struct_is_plain_json),
		cmocka_unit_test(test_depth_bomb),
		cmocka_unit_test(test_cache_key),
		cmocka_unit_test(test_pbhash_matches_json),
		cmocka_unit_test(test_pbhash_matches_google_json),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
