/*
 * U+0000 in strings (issue 10 §1). Protobuf strings are UTF-8 and NUL is
 * UTF-8: Flyte accepts a NUL anywhere a string goes and hashes it like any
 * other character. Checked against Google's protobuf and an objecthash
 * written from its definition (tests/fixtures/nul,
 * scripts/gen-fixtures-nul.py): byte-exact round trips in both encodings,
 * the keys, the counted strings of the value model, and every place where
 * a NUL must not slip through (names, enum names, numbers, messages).
 */
#include "test_helpers.h"

#include "cachet/codec.h"
#include "cachet/key.h"
#include "cachet/value.h"
#include "codec/json.h"
#include "codec/wire.h"
#include "engine/text.h"
#include "engine/util.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/buf.h"
#include "value/message.h"

#include <string.h>

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

typedef struct text {
	char *data;
	size_t len;
} text;

/* A fixture of tests/fixtures/nul, without its one trailing newline (for
 * the text ones). */
static text fixture(const char *name)
{
	char rel[256];
	text t = {NULL, 0};

	snprintf(rel, sizeof rel, "tests/fixtures/nul/%s", name);
	t.data = cachet_test_read(rel, &t.len);
	if (strstr(name, ".json") && t.len > 0 && t.data[t.len - 1] == '\n')
		t.data[--t.len] = '\0';
	return t;
}

/* The value of line "<what> <kind> <value>" of keys.txt. */
static char *expected_key(const char *what, const char *kind)
{
	text t = fixture("keys.txt");
	char prefix[64], *line, *out = NULL;

	snprintf(prefix, sizeof prefix, "%s %s ", what, kind);
	for (line = strtok(t.data, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			out = strdup(line + strlen(prefix));
	free(t.data);
	if (out == NULL)
		fail_msg("keys.txt has no '%s'", prefix);
	return out;
}

static cachet_literal_map *map_from(const text *t, cachet_format format)
{
	cachet_literal_map *m = NULL;
	int rc = cachet_literal_map_decode(&m, t->data, t->len, format);
	if (rc != 0)
		fail_msg("decode: %s", cachet_error_last()->message);
	return m;
}

static cachet_interface *iface_from(const text *t, cachet_format format)
{
	cachet_interface *i = NULL;
	int rc = cachet_interface_decode(&i, t->data, t->len, format);
	if (rc != 0)
		fail_msg("decode: %s", cachet_error_last()->message);
	return i;
}

static void assert_bytes(const char *got, size_t got_len, const text *want)
{
	assert_int_equal(got_len, want->len);
	assert_memory_equal(got, want->data, want->len);
}

static void assert_str(const char *s, const char *bytes, size_t len)
{
	assert_non_null(s);
	assert_int_equal(cachet_str_len(s), len);
	assert_memory_equal(s, bytes, len);
	assert_int_equal(s[len], '\0');
}

static void assert_b64url(const uint8_t h[CACHET_HASH_LEN], const char *want)
{
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__base64url_encode(&b, h, CACHET_HASH_LEN), 0);
	assert_string_equal(b.ptr, want);
	cachet__buf_dispose(&b);
}

/* ---------------------------------------------------------------------- */
/* Both encodings, against Google's                                       */

/* The message in `text` (fmt: the encoding), decoded generically. */
static void *decode_as(const cachet__message_desc *d, const text *t, cachet_format fmt)
{
	void *msg = NULL;
	int rc = fmt == CACHET_FORMAT_PB
			 ? cachet__wire_decode(d, &msg, (const uint8_t *)t->data, t->len)
			 : cachet__json_decode(d, &msg, t->data, t->len);
	if (rc != 0)
		fail_msg("decode: %s", cachet_error_last()->message);
	return msg;
}

static void assert_encodes(const cachet__message_desc *d, const void *msg, cachet_format fmt,
			   const text *want)
{
	cachet_buf b = CACHET_BUF_INIT;
	int rc = fmt == CACHET_FORMAT_PB ? cachet__wire_encode(d, msg, &b)
					 : cachet__json_encode(d, msg, 0, &b);
	assert_int_equal(rc, 0);
	assert_bytes(b.ptr, b.len, want);
	cachet__buf_dispose(&b);
}

/*
 * <name>.pb decodes and encodes back byte for byte; it encodes to JSON as
 * <name>.canonical.json, which reads back as the same value; and Google's
 * own JSON (<name>.json: indented, its own order) is that value too.
 */
static void round_trips(const cachet__message_desc *d, const char *name)
{
	char file[128];
	snprintf(file, sizeof file, "%s.pb", name);
	text pb = fixture(file);
	snprintf(file, sizeof file, "%s.json", name);
	text json = fixture(file);
	snprintf(file, sizeof file, "%s.canonical.json", name);
	text canon = fixture(file);
	const text *inputs[] = {&canon, &json};

	void *msg = decode_as(d, &pb, CACHET_FORMAT_PB);
	assert_encodes(d, msg, CACHET_FORMAT_PB, &pb);
	assert_encodes(d, msg, CACHET_FORMAT_JSON, &canon);
	cachet__message_free(d, msg);
	for (size_t i = 0; i < 2; i++) {
		msg = decode_as(d, inputs[i], CACHET_FORMAT_JSON);
		assert_encodes(d, msg, CACHET_FORMAT_PB, &pb);
		cachet__message_free(d, msg);
	}
	free(pb.data);
	free(json.data);
	free(canon.data);
}

static void literal_map_round_trips(void **state)
{
	(void)state;
	round_trips(&cachet__literal_map_desc, "literal_map");
}

static void interface_round_trips(void **state)
{
	(void)state;
	round_trips(&cachet__interface_desc, "interface");
}

/* The decoded values hold every byte, in every kind of string field. */
static void decoded_strings_keep_their_bytes(void **state)
{
	text pb = fixture("literal_map.pb");
	cachet_literal_map *m = map_from(&pb, CACHET_FORMAT_PB);
	const cachet_literal *l;
	(void)state;

	/* keys in byte order, lengths included */
	assert_str(m->literals[0].key, "\0", 1);
	assert_str(m->literals[1].key, "a", 1);
	assert_str(m->literals[2].key, "a\0", 2);
	assert_str(m->literals[3].key, "a\0b", 3);
	assert_str(m->literals[4].key, "b", 1);
	/* a lookup by C string stops at the NUL; by length it does not */
	assert_ptr_equal(cachet_literal_map_get(m, "a"), m->literals[1].value);
	assert_ptr_equal(cachet_literal_map_get_n(m, "a\0", 2), m->literals[2].value);
	assert_ptr_equal(cachet_literal_map_get_n(m, "a\0b", 3), m->literals[3].value);
	assert_null(cachet_literal_map_get_n(m, "a\0c", 3));

	l = m->literals[0].value;
	assert_str(l->scalar->primitive->string_value, "\0", 1);
	assert_int_equal(l->n_metadata, 3);
	assert_str(l->metadata[0].key, "\0", 1);
	assert_str(l->metadata[0].value, "\0", 1);
	assert_str(l->metadata[1].key, "k", 1);
	assert_str(l->metadata[2].key, "k\0", 2);
	assert_str(l->metadata[2].value, "v\0w", 3);

	l = cachet_literal_map_get(m, "hashed");
	assert_str(l->hash, "sha\0" "256", 7);
	l = cachet_literal_map_get(m, "error");
	assert_str(l->scalar->error->failed_node_id, "n\0", 2);
	assert_str(l->scalar->error->message, "boom\0!", 6);
	l = cachet_literal_map_get(m, "blob");
	assert_str(l->scalar->blob->uri, "s3://b/\0x", 9);
	assert_str(l->scalar->blob->metadata->type->format, "c\0sv", 4);
	assert_str(cachet_literal_map_get(m, "binary")->scalar->binary->tag, "t\0g", 3);
	l = cachet_literal_map_get(m, "schema");
	assert_str(l->scalar->schema->type->columns[0]->name, "c\0ol", 4);
	l = cachet_literal_map_get(m, "generic");
	assert_str(l->scalar->generic->fields[1].key, "k\0", 2);
	assert_str(l->scalar->generic->fields[1].value->string_value, "v\0", 2);
	l = cachet_literal_map_get(m, "dataset");
	const cachet_structured_dataset_type *sdt =
		l->scalar->structured_dataset->metadata->structured_dataset_type;
	assert_str(sdt->format, "par\0quet", 8);
	assert_str(sdt->external_schema_type, "ext\0", 4);
	assert_str(sdt->columns[0]->name, "c\0", 2);
	l = cachet_literal_map_get(m, "union");
	const cachet_literal_type *ut = l->scalar->union_->type;
	assert_str(ut->enum_type->values[0], "a\0", 2);
	assert_str(ut->structure->tag, "t\0", 2);
	assert_str(ut->structure->dataclass_type[0].key, "f\0", 2);
	assert_str(ut->metadata->fields[0].key, "m\0", 2);
	l = cachet_literal_map_get(m, "offloaded");
	assert_str(l->offloaded_metadata->uri, "s3://o\0", 7);
	cachet_literal_map_free(m);
	free(pb.data);
}

/* ---------------------------------------------------------------------- */
/* Keys, against objecthash                                               */

static void keys_hash_every_byte(void **state)
{
	text pb = fixture("literal_map.pb"), ipb = fixture("interface.pb");
	cachet_literal_map *m = map_from(&pb, CACHET_FORMAT_PB);
	cachet_interface *i = iface_from(&ipb, CACHET_FORMAT_PB);
	uint8_t h[CACHET_HASH_LEN];
	char *want, *got = NULL;
	(void)state;

	want = expected_key("literal_map", "pbhash");
	assert_int_equal(cachet_pbhash_literal_map(h, m), 0);
	assert_b64url(h, want);
	/* the objecthash of the JSON text is the same, NULs in keys included */
	text canon = fixture("literal_map.canonical.json");
	assert_int_equal(cachet_objecthash_json(h, canon.data, canon.len), 0);
	assert_b64url(h, want);
	free(canon.data);
	free(want);

	want = expected_key("literal_map", "tag");
	assert_int_equal(cachet_tag(&got, m, NULL), 0);
	assert_string_equal(got, want);
	free(want);
	cachet_free(got);

	want = expected_key("interface", "dataset_version");
	assert_int_equal(cachet_dataset_version(&got, "1", i), 0);
	assert_string_equal(got, want);
	free(want);
	cachet_free(got);

	/* an ignored name matches exactly: "a" ignores "a", not "a\0" */
	const char *ignore[] = {"a"};
	cachet_key_options opts = CACHET_KEY_OPTIONS_INIT;
	char *all = NULL, *without_a = NULL;
	opts.ignore = ignore;
	opts.n_ignore = 1;
	assert_int_equal(cachet_tag(&all, m, NULL), 0);
	assert_int_equal(cachet_tag(&without_a, m, &opts), 0);
	assert_string_not_equal(all, without_a);
	assert_int_equal(cachet_literal_map_remove(m, "a"), 0);
	assert_int_equal(cachet_tag(&got, m, NULL), 0);
	assert_string_equal(got, without_a);
	cachet_free(got);
	cachet_free(all);
	cachet_free(without_a);

	cachet_literal_map_free(m);
	cachet_interface_free(i);
	free(pb.data);
	free(ipb.data);
}

/* ---------------------------------------------------------------------- */
/* Counted strings and the builders                                       */

static void counted_strings(void **state)
{
	(void)state;
	char *s = cachet_str_new("a\0b", 3);
	assert_str(s, "a\0b", 3);
	char *d = cachet_str_dup(s); /* a C string: up to the NUL */
	assert_str(d, "a", 1);
	cachet_str_free(d);
	cachet_str_free(s);
	s = cachet_str_new(NULL, 0);
	assert_str(s, "", 0);
	cachet_str_free(s);
	s = cachet_str_dup(NULL);
	assert_str(s, "", 0);
	cachet_str_free(s);
	assert_int_equal(cachet_str_len(NULL), 0);
	cachet_str_free(NULL);
}

static void builders_take_lengths(void **state)
{
	(void)state;
	cachet_literal *a = cachet_literal_new_string_n("x\0y", 3);
	cachet_literal *b = cachet_literal_new_string("x");
	cachet_literal *c = NULL;
	assert_str(a->scalar->primitive->string_value, "x\0y", 3);
	/* equality and copies look at every byte */
	assert_false(cachet_literal_equal(a, b));
	assert_int_equal(cachet_literal_copy(&c, a), 0);
	assert_true(cachet_literal_equal(a, c));
	assert_str(c->scalar->primitive->string_value, "x\0y", 3);

	assert_int_equal(cachet_literal_set_hash_n(a, "h\0", 2), 0);
	assert_str(a->hash, "h\0", 2);
	assert_int_equal(cachet_literal_set_metadata_n(a, "k\0", 2, "v\0", 2), 0);
	assert_int_equal(cachet_literal_set_metadata_n(a, "k", 1, "", 0), 0);
	assert_int_equal(a->n_metadata, 2);
	assert_str(a->metadata[0].key, "k", 1);
	assert_str(a->metadata[1].key, "k\0", 2);
	assert_str(a->metadata[1].value, "v\0", 2);
	assert_false(cachet_literal_equal(a, c));
	/* still UTF-8 */
	assert_cachet_error(cachet_literal_set_hash_n(a, "\0\xff", 2), CACHET_EINVALID,
			    "hash is not valid UTF-8 (byte 1)");
	assert_null(cachet_literal_new_string_n("\0\xc0\x80", 3));
	assert_cachet_error(cachet_error_last()->code, CACHET_EINVALID,
			    "string value is not valid UTF-8 (byte 1)");

	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set_n(m, "n\0", 2, a), 0);
	assert_int_equal(cachet_literal_map_set(m, "n", b), 0);
	assert_int_equal(m->n_literals, 2);
	assert_ptr_equal(cachet_literal_map_get_n(m, "n\0", 2), a);
	assert_ptr_equal(cachet_literal_map_get(m, "n"), b);
	cachet_literal_map_free(m);
	cachet_literal_free(c);
}

/* ---------------------------------------------------------------------- */
/* Where a NUL must not slip through                                      */

static void decode_json_fails(const char *json, const char *msg)
{
	cachet_literal *l = NULL;
	assert_cachet_error(cachet_literal_decode(&l, json, strlen(json), CACHET_FORMAT_JSON),
			    CACHET_EINVALID, msg);
	assert_null(l);
}

static void names_and_numbers_hold_no_nul(void **state)
{
	(void)state;
	/* a field name, an enum name, "NaN" and a timestamp never match with
	 * a NUL inside (a C string comparison would stop at it) */
	decode_json_fails("{\"scalar\\u0000\":{}}", "unknown field \"scalar\\u0000\"");
	decode_json_fails("{\"scalar\":{\"blob\":{\"metadata\":{\"type\":{\"dimensionality\":"
			  "\"MULTIPART\\u0000\"}}}}}",
			  "scalar.blob.metadata.type: \"dimensionality\": unknown "
			  "BlobDimensionality value \"MULTIPART\\u0000\"");
	decode_json_fails("{\"scalar\":{\"primitive\":{\"floatValue\":\"NaN\\u0000\"}}}",
			  "scalar.primitive: \"floatValue\" must be a number, got \"NaN\\u0000\"");
	decode_json_fails("{\"scalar\":{\"primitive\":{\"datetime\":"
			  "\"2019-03-29T12:00:00Z\\u0000\"}}}",
			  "scalar.primitive: \"datetime\": invalid timestamp "
			  "\"2019-03-29T12:00:00Z\\u0000\"");
}

/* jansson refuses "\u0000" in a key: such keys are respelled before the
 * parse, with positions kept (json_nul_keys.c). */
static void json_keys_with_nul(void **state)
{
	cachet_literal_map *m = NULL;
	(void)state;

	/* the marker is a private-use character the text does not use: this
	 * one uses U+E000 raw and escaped, and still reads back exactly */
	const char *json = "{\"literals\":{\"\\u0000\\ue000\":{\"scalar\":{\"primitive\":"
			   "{\"stringValue\":\"\xee\x80\x80\"}}}}}";
	assert_int_equal(cachet_literal_map_decode(&m, json, strlen(json), CACHET_FORMAT_JSON),
			 0);
	assert_int_equal(m->n_literals, 1);
	assert_str(m->literals[0].key, "\0\xee\x80\x80", 4);
	assert_str(m->literals[0].value->scalar->primitive->string_value, "\xee\x80\x80", 3);
	cachet_literal_map_free(m);

	/* errors keep the place and the spelling of the text as written */
	json = "{\"literals\":{\"a\\u0000\":{},\"a\\u0000\":{}}}";
	assert_cachet_error(cachet_literal_map_decode(&m, json, strlen(json), CACHET_FORMAT_JSON),
			    CACHET_EINVALID,
			    "line 1, column 35: duplicate object key near '\"a\\u0000\"'");
	json = "{\"literals\":{\"a\\u0000\":{}} x";
	assert_cachet_error(cachet_literal_map_decode(&m, json, strlen(json), CACHET_FORMAT_JSON),
			    CACHET_EINVALID,
			    "line 1, column 28: '}' expected near 'x'");
	/* a text that uses every private-use character leaves no marker */
	cachet_buf all = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_puts(&all, "{\"literals\":{\"\\u0000\":{\"hash\":\""), 0);
	for (unsigned cp = 0xE000; cp <= 0xF8FF; cp++) {
		char u[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
			     (char)(0x80 | (cp & 0x3F))};
		assert_int_equal(cachet__buf_put(&all, u, 3), 0);
	}
	assert_int_equal(cachet__buf_puts(&all, "\"}}}"), 0);
	assert_cachet_error(cachet_literal_map_decode(&m, all.ptr, all.len, CACHET_FORMAT_JSON),
			    CACHET_EUNSUPPORTED,
			    "an object key holds \\u0000, and the text uses every private-use "
			    "character (U+E000 to U+F8FF): cannot read it");
	cachet__buf_dispose(&all);

	/* a key's NUL in a path shows as '?', on one line */
	json = "{\"literals\":{\"a\\u0000\":{\"scalar\":3}}}";
	assert_cachet_error(cachet_literal_map_decode(&m, json, strlen(json), CACHET_FORMAT_JSON),
			    CACHET_EINVALID, "literals.a?: \"scalar\" must be an object, got 3");
	assert_null(m);
}

static void wire_paths_show_nul(void **state)
{
	cachet_literal *l = NULL;
	/* metadata {"k\0": "\xff"}: the key shows as k\x00 */
	static const char wire[] = "\x2a\x08\x0a\x02k\x00\x12\x02v\xff";
	(void)state;
	assert_cachet_error(cachet_literal_decode(&l, wire, sizeof wire - 1, CACHET_FORMAT_PB),
			    CACHET_EINVALID,
			    "metadata.k\\x00: invalid UTF-8 in string at byte 9");
	assert_null(l);
}

/* Types and values are described, and compared, with every byte. */
static void types_compare_and_show_every_byte(void **state)
{
	static const char json[] = "{\"enumType\":{\"values\":[\"a\\u0000\",\"b\"]}}";
	cachet_literal_type *e = NULL;
	cachet_literal_type *csv = cachet_literal_type_new_blob("csv", CACHET_BLOB_SINGLE);
	cachet_literal_type *c0sv = NULL;
	cachet_literal *a = cachet_literal_new_string("a");
	char *out = NULL, *why = NULL;
	(void)state;

	assert_int_equal(cachet_literal_type_decode(&e, json, sizeof json - 1, CACHET_FORMAT_JSON),
			 0);
	assert_int_equal(cachet_literal_type_describe(&out, e), 0);
	assert_string_equal(out, "enum(a\\x00|b)");
	cachet_free(out);
	/* "a" is not the enum value "a\0" */
	assert_false(cachet_literal_fits(a, e, &why));
	assert_string_equal(why, "'a' is not one of the enum's values");
	cachet_free(why);

	assert_int_equal(cachet_literal_type_copy(&c0sv, csv), 0);
	cachet_str_free(c0sv->blob->format);
	c0sv->blob->format = cachet_str_new("c\0sv", 4);
	assert_false(cachet_literal_type_compatible(csv, c0sv, &why));
	assert_string_equal(why, "format 'csv' does not match 'c\\x00sv'");
	cachet_free(why);

	cachet_literal_free(a);
	cachet_literal_type_free(e);
	cachet_literal_type_free(csv);
	cachet_literal_type_free(c0sv);
}

/* What becomes a path or a command argument cannot hold a NUL. */
static void paths_and_commands_refuse_nul(void **state)
{
	char *uri = cachet_str_new("file:///tmp/a\0/../b", 19);
	char *plain = cachet_str_dup("file:///tmp/a");
	cachet_buf b = CACHET_BUF_INIT;
	cachet_literal *s = cachet_literal_new_string_n("a\0b", 3);
	cachet_literal *list = cachet_literal_new_collection();
	(void)state;

	assert_null(cachet__file_uri_path(uri));
	assert_string_equal(cachet__file_uri_path(plain), "/tmp/a");
	assert_true(cachet__key_is(plain, "file:///tmp/a"));
	assert_false(cachet__key_is(uri, "file:///tmp/a"));

	/* as an argument it is refused; inside a list it is JSON */
	assert_cachet_error(cachet__literal_render(&b, s, NULL, NULL), CACHET_EINVALID,
			    "a string holding a NUL character cannot be written as text");
	assert_int_equal(cachet_literal_collection_append(list, s), 0);
	cachet__buf_clear(&b);
	assert_int_equal(cachet__literal_render(&b, list, NULL, NULL), 0);
	assert_string_equal(b.ptr, "[\"a\\u0000b\"]");

	cachet__buf_dispose(&b);
	cachet_literal_free(list);
	cachet_str_free(uri);
	cachet_str_free(plain);
}

/* Out of memory at each allocation of a decode with NUL keys (the
 * respelled copy, the restored keys): CACHET_ENOMEM, nothing leaked. */
static void decoding_nul_keys_runs_out_of_memory_cleanly(void **state)
{
	text canon = fixture("literal_map.canonical.json");
	long n;
	(void)state;

	for (n = 0;; n++) {
		void *msg = NULL;
		uint8_t h[CACHET_HASH_LEN];
		cachet__alloc_fail_after(n);
		int rc = cachet__json_decode(&cachet__literal_map_desc, &msg, canon.data, canon.len);
		int rh = cachet_objecthash_json(h, canon.data, canon.len);
		bool injected = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		cachet__message_free(&cachet__literal_map_desc, msg);
		if (rc == 0 && rh == 0 && !injected)
			break;
		assert_true(rc == 0 || rc == CACHET_ENOMEM);
		assert_true(rh == 0 || rh == CACHET_ENOMEM);
		assert_true(rc < 0 || rh < 0);
	}
	assert_true(n > 10);
	free(canon.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_map_round_trips),
		cmocka_unit_test(interface_round_trips),
		cmocka_unit_test(decoded_strings_keep_their_bytes),
		cmocka_unit_test(keys_hash_every_byte),
		cmocka_unit_test(counted_strings),
		cmocka_unit_test(builders_take_lengths),
		cmocka_unit_test(names_and_numbers_hold_no_nul),
		cmocka_unit_test(json_keys_with_nul),
		cmocka_unit_test(wire_paths_show_nul),
		cmocka_unit_test(types_compare_and_show_every_byte),
		cmocka_unit_test(paths_and_commands_refuse_nul),
		cmocka_unit_test(decoding_nul_keys_runs_out_of_memory_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
