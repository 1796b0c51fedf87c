/*
 * The protobuf JSON codec (codec/json_*.c): every mapping rule both ways,
 * every error with its exact message, fixture round trips checked against
 * Google's protobuf (tests/fixtures/json, scripts/gen-fixtures-json.py),
 * depth limits, and allocation failures.
 */
#include "test_helpers.h"

#include "cachet/codec.h"
#include "cachet/value.h"
#include "codec/json.h"
#include "codec/wire.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "value/message.h"

#include <float.h>
#include <math.h>

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

/* A fixture file, with one trailing newline removed (the files end with
 * one; the encoder's output does not). */
static char *read_fixture(const char *rel, size_t *len)
{
	char *data = cachet_test_read(rel, len);
	if (*len > 0 && data[*len - 1] == '\n' && strstr(rel, ".json"))
		data[--*len] = '\0';
	return data;
}

static void *decode_ok(const cachet__message_desc *d, const char *json)
{
	void *out = NULL;
	int rc = cachet__json_decode(d, &out, json, strlen(json));
	if (rc != 0)
		fail_msg("decoding %s: %s", json, cachet_error_last()->message);
	assert_non_null(out);
	return out;
}

static void decode_fails(const cachet__message_desc *d, const char *json, int code,
			 const char *msg)
{
	void *out = (void *)1;
	int rc = cachet__json_decode(d, &out, json, strlen(json));
	if (rc != code)
		fail_msg("decoding %s: want %d, got %d (%s)", json, code, rc,
			 cachet_error_last()->message);
	assert_null(out);
	assert_int_equal(cachet_error_last()->code, code);
	if (msg)
		assert_string_equal(cachet_error_last()->message, msg);
}

/* The JSON text of msg (free it). */
static char *encode_ok(const cachet__message_desc *d, const void *msg, unsigned flags)
{
	cachet_buf b = CACHET_BUF_INIT;
	int rc = cachet__json_encode(d, msg, flags, &b);
	if (rc != 0)
		fail_msg("encoding: %s", cachet_error_last()->message);
	char *s = cachet__buf_detach(&b, NULL);
	assert_non_null(s);
	return s;
}

static void encode_fails(const cachet__message_desc *d, const void *msg, int code,
			 const char *message)
{
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_puts(&b, "keep"), 0);
	assert_cachet_error(cachet__json_encode(d, msg, 0, &b), code, message);
	assert_string_equal(b.ptr, "keep"); /* the buffer is left as it was */
	cachet__buf_dispose(&b);
}

/* decode(json) then encode == want (NULL: == json). */
static void round_trip(const cachet__message_desc *d, const char *json, const char *want)
{
	void *msg = decode_ok(d, json);
	char *text = encode_ok(d, msg, 0);
	assert_string_equal(text, want ? want : json);
	cachet_free(text);
	cachet__message_free(d, msg);
}

/* A Literal holding just the primitive given as `members`, decoded. */
static cachet_literal *primitive(const char *members)
{
	char json[512];
	snprintf(json, sizeof(json), "{\"scalar\":{\"primitive\":{%s}}}", members);
	return decode_ok(&cachet__literal_desc, json);
}

/* Decoding the primitive fails with `msg` (a path under literals.a). */
static void primitive_fails(const char *members, const char *msg)
{
	char json[512];
	snprintf(json, sizeof(json), "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{%s}}}}}",
		 members);
	decode_fails(&cachet__literal_map_desc, json, CACHET_EINVALID, msg);
}

/* ---------------------------------------------------------------------- */
/* Fixtures                                                               */

static void check_fixture(const cachet__message_desc *d, const char *name)
{
	char rel[256];
	size_t len, pb_len, pretty_len, snake_len;

	snprintf(rel, sizeof(rel), "tests/fixtures/json/%s.json", name);
	char *text = read_fixture(rel, &len);
	snprintf(rel, sizeof(rel), "tests/fixtures/json/%s.pb", name);
	char *pb = read_fixture(rel, &pb_len);
	snprintf(rel, sizeof(rel), "tests/fixtures/json/%s_pretty.json", name);
	char *pretty = read_fixture(rel, &pretty_len);
	snprintf(rel, sizeof(rel), "tests/fixtures/json/%s_snake.json", name);
	char *snake = read_fixture(rel, &snake_len);

	/* canonical text: encode(decode(text)) == text, compact and pretty */
	void *msg = decode_ok(d, text);
	char *again = encode_ok(d, msg, 0);
	assert_string_equal(again, text);
	cachet_free(again);
	again = encode_ok(d, msg, CACHET_JSON_PRETTY);
	assert_string_equal(again, pretty);
	cachet_free(again);

	/* the value decoded is the one Google's parser found: same wire
	 * bytes; and what Google encoded prints as the fixture */
	cachet_buf wb = CACHET_BUF_INIT;
	assert_int_equal(cachet__wire_encode(d, msg, &wb), 0);
	assert_int_equal(wb.len, pb_len);
	assert_memory_equal(wb.ptr, pb, pb_len);
	cachet__buf_dispose(&wb);
	void *from_pb = NULL;
	assert_int_equal(cachet__wire_decode(d, &from_pb, (const uint8_t *)pb, pb_len), 0);
	again = encode_ok(d, from_pb, 0);
	assert_string_equal(again, text);
	cachet_free(again);
	cachet__message_free(d, from_pb);

	/* snake_case names, another layout, another order: the same value */
	void *from_snake = decode_ok(d, snake);
	assert_true(cachet__message_equal(d, msg, from_snake));
	void *from_pretty = decode_ok(d, pretty);
	assert_true(cachet__message_equal(d, msg, from_pretty));

	cachet__message_free(d, from_snake);
	cachet__message_free(d, from_pretty);
	cachet__message_free(d, msg);
	free(text);
	free(pb);
	free(pretty);
	free(snake);
}

static void test_fixture_literal_map(void **state)
{
	(void)state;
	check_fixture(&cachet__literal_map_desc, "literal_map_all");
}

static void test_fixture_interface(void **state)
{
	(void)state;
	check_fixture(&cachet__interface_desc, "interface_all");
	check_fixture(&cachet__interface_desc, "interface_artifacts");
}

/* The decoded fixture holds the values the text says, read directly from
 * the structs (independently of the encoder). */
static void test_fixture_values(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("tests/fixtures/json/literal_map_all.json", &len);
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_decode(&m, text, len, CACHET_FORMAT_AUTO), 0);
	free(text);
	assert_int_equal(m->n_literals, 25);

	cachet_literal *l = cachet_literal_map_get(m, "a_int");
	assert_int_equal(l->kind, CACHET_LITERAL_SCALAR);
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_PRIMITIVE);
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_INTEGER);
	assert_true(l->scalar->primitive->integer == -42);

	assert_true(cachet_literal_map_get(m, "b_float")->scalar->primitive->float_value == 1.5);
	assert_true(cachet_literal_map_get(m, "b_float_big")->scalar->primitive->float_value ==
		    1e300);
	assert_true(isinf(cachet_literal_map_get(m, "b_float_inf")->scalar->primitive->float_value));
	assert_true(cachet_literal_map_get(m, "b_float_inf")->scalar->primitive->float_value < 0);
	assert_true(isnan(cachet_literal_map_get(m, "b_float_nan")->scalar->primitive->float_value));
	assert_true(cachet_literal_map_get(m, "b_float_tenth")->scalar->primitive->float_value ==
		    0.1);
	l = cachet_literal_map_get(m, "b_float_zero");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_FLOAT);
	assert_true(l->scalar->primitive->float_value == 0.0);

	assert_string_equal(cachet_literal_map_get(m, "c_string")->scalar->primitive->string_value,
			    "h\xc3\xa9llo \"q\"\n\t\\ \x01/");
	l = cachet_literal_map_get(m, "d_bool");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_BOOLEAN);
	assert_false(l->scalar->primitive->boolean);

	cachet_timestamp *ts = cachet_literal_map_get(m, "e_datetime")->scalar->primitive->datetime;
	assert_true(ts->seconds == 1553860800);
	assert_int_equal(ts->nanos, 500000000);
	cachet_duration *du = cachet_literal_map_get(m, "f_duration")->scalar->primitive->duration;
	assert_true(du->seconds == 0);
	assert_int_equal(du->nanos, -500000000);

	l = cachet_literal_map_get(m, "g_none");
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_NONE);
	assert_non_null(l->scalar->none_type);

	cachet_blob *blob = cachet_literal_map_get(m, "h_blob")->scalar->blob;
	assert_string_equal(blob->uri, "s3://bucket/file.csv");
	assert_string_equal(blob->metadata->type->format, "csv");
	assert_int_equal(blob->metadata->type->dimensionality, CACHET_BLOB_SINGLE);
	blob = cachet_literal_map_get(m, "i_dir")->scalar->blob;
	assert_int_equal(blob->metadata->type->dimensionality, CACHET_BLOB_MULTIPART);

	cachet_binary *bin = cachet_literal_map_get(m, "j_binary")->scalar->binary;
	assert_int_equal(bin->value.len, 4);
	assert_memory_equal(bin->value.data, "\x00\x01\x02\xff", 4);
	assert_string_equal(bin->tag, "raw");

	cachet_schema *schema = cachet_literal_map_get(m, "k_schema")->scalar->schema;
	assert_int_equal(schema->type->n_columns, 3);
	assert_string_equal(schema->type->columns[0]->name, "a");
	assert_int_equal(schema->type->columns[0]->type, CACHET_COLUMN_INTEGER);
	assert_int_equal(schema->type->columns[1]->type, CACHET_COLUMN_FLOAT);
	assert_int_equal(schema->type->columns[2]->type, CACHET_COLUMN_DURATION);

	cachet_structured_dataset *sd =
		cachet_literal_map_get(m, "l_dataset")->scalar->structured_dataset;
	cachet_structured_dataset_type *sdt = sd->metadata->structured_dataset_type;
	assert_string_equal(sdt->format, "parquet");
	assert_int_equal(sdt->n_columns, 2);
	assert_int_equal(sdt->columns[1]->literal_type->kind, CACHET_TYPE_COLLECTION);
	assert_int_equal(sdt->columns[1]->literal_type->collection_type->simple,
			 CACHET_SIMPLE_STRING);
	assert_int_equal(sdt->external_schema_bytes.len, 6);
	assert_memory_equal(sdt->external_schema_bytes.data, "schema", 6);

	cachet_union *u = cachet_literal_map_get(m, "m_union")->scalar->union_;
	assert_true(u->value->scalar->primitive->integer == 7);
	assert_string_equal(u->type->structure->tag, "int");

	cachet_error_value *ev = cachet_literal_map_get(m, "n_error")->scalar->error;
	assert_string_equal(ev->failed_node_id, "n0");

	/* {"a":1,"b":[true,null,"s",2.5,{"c":{}}],"d":{"e":-3,"f":[]},"g":false,"h":null} */
	cachet_struct *g = cachet_literal_map_get(m, "o_generic")->scalar->generic;
	assert_int_equal(g->n_fields, 5);
	assert_string_equal(g->fields[0].key, "a");
	assert_int_equal(g->fields[0].value->kind, CACHET_VALUE_NUMBER);
	assert_true(g->fields[0].value->number_value == 1.0);
	cachet_list_value *lv = g->fields[1].value->list_value;
	assert_int_equal(lv->n_values, 5);
	assert_int_equal(lv->values[0]->kind, CACHET_VALUE_BOOL);
	assert_true(lv->values[0]->bool_value);
	assert_int_equal(lv->values[1]->kind, CACHET_VALUE_NULL);
	assert_string_equal(lv->values[2]->string_value, "s");
	assert_true(lv->values[3]->number_value == 2.5);
	assert_int_equal(lv->values[4]->kind, CACHET_VALUE_STRUCT);
	assert_int_equal(lv->values[4]->struct_value->fields[0].value->kind, CACHET_VALUE_STRUCT);
	assert_int_equal(g->fields[2].value->struct_value->fields[0].value->number_value, -3);
	assert_int_equal(g->fields[2].value->struct_value->fields[1].value->kind, CACHET_VALUE_LIST);
	assert_int_equal(g->fields[3].value->kind, CACHET_VALUE_BOOL);
	assert_int_equal(g->fields[4].value->kind, CACHET_VALUE_NULL);

	l = cachet_literal_map_get(m, "p_collection");
	assert_int_equal(l->collection->n_literals, 2);
	assert_string_equal(l->collection->literals[1]->hash, "h2");
	l = cachet_literal_map_get(m, "q_map");
	assert_int_equal(l->map->n_literals, 2);
	assert_int_equal(cachet_literal_map_get(l->map, "y")->kind, CACHET_LITERAL_COLLECTION);
	assert_int_equal(cachet_literal_map_get(l->map, "y")->collection->n_literals, 0);

	cachet_literal_offloaded_metadata *off =
		cachet_literal_map_get(m, "r_offloaded")->offloaded_metadata;
	assert_true(off->size_bytes == UINT64_MAX);
	assert_int_equal(off->inferred_type->map_value_type->simple, CACHET_SIMPLE_FLOAT);

	l = cachet_literal_map_get(m, "s_hashed");
	assert_string_equal(l->hash, "abc123");
	assert_int_equal(l->n_metadata, 2);
	assert_string_equal(l->metadata[0].key, "k1");
	assert_string_equal(l->metadata[1].value, "");
	assert_true(l->scalar->primitive->integer == 0);

	l = cachet_literal_map_get(m, "t_empty");
	assert_int_equal(l->kind, CACHET_LITERAL_NOT_SET);

	cachet_literal_map_free(m);
}

static void test_fixture_interface_values(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("tests/fixtures/json/interface_all.json", &len);
	cachet_interface *iface = NULL;
	assert_int_equal(cachet_interface_decode(&iface, text, len, CACHET_FORMAT_JSON), 0);
	free(text);

	cachet_variable_map *in = iface->inputs;
	assert_int_equal(in->n_variables, 12);
	assert_string_equal(cachet_variable_map_get(in, "a")->description, "an integer");
	cachet_literal_type *t = cachet_variable_map_get(in, "b")->type;
	assert_int_equal(t->kind, CACHET_TYPE_SIMPLE); /* NONE (0), but set */
	assert_int_equal(t->simple, CACHET_SIMPLE_NONE);
	t = cachet_variable_map_get(in, "e")->type;
	assert_int_equal(t->map_value_type->enum_type->n_values, 2);
	assert_string_equal(t->map_value_type->enum_type->values[1], "green");
	t = cachet_variable_map_get(in, "f")->type;
	assert_int_equal(t->kind, CACHET_TYPE_BLOB);
	t = cachet_variable_map_get(in, "h")->type;
	assert_int_equal(t->union_type->n_variants, 2);
	t = cachet_variable_map_get(in, "i")->type;
	assert_int_equal(t->structure->n_dataclass_type, 2);
	assert_string_equal(t->structure->dataclass_type[1].key, "y");
	assert_true(t->annotation->annotations->fields[0].value->bool_value);
	t = cachet_variable_map_get(in, "k")->type;
	assert_int_equal(t->simple, 42); /* unknown to us: kept as a number */
	assert_null(cachet_variable_map_get(in, "l")->type);
	assert_int_equal(iface->outputs->n_variables, 1);
	cachet_interface_free(iface);
}

/* ---------------------------------------------------------------------- */
/* Decoding rules                                                         */

static void test_decode_int64(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		int64_t want;
	} ok[] = {
		{"\"1\"", 1},
		{"1", 1},
		{"-1", -1},
		{"\"-17\"", -17},
		{"\"007\"", 7},
		{"1.0", 1},
		{"1e3", 1000},
		{"-2.5e1", -25},
		{"\"9223372036854775807\"", INT64_MAX},
		{"\"-9223372036854775808\"", INT64_MIN},
		{"9223372036854775807", INT64_MAX},
		{"-9223372036854775808", INT64_MIN},
		{"\"0\"", 0},
		{"-0", 0},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char members[128];
		snprintf(members, sizeof(members), "\"integer\":%s", ok[i].json);
		cachet_literal *l = primitive(members);
		assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_INTEGER);
		if (l->scalar->primitive->integer != ok[i].want)
			fail_msg("%s read as %lld", ok[i].json,
				 (long long)l->scalar->primitive->integer);
		cachet_literal_free(l);
	}

	primitive_fails("\"integer\":\"abc\"",
			"literals.a.scalar.primitive: \"integer\" must be an int64, got \"abc\"");
	primitive_fails("\"integer\":1.5",
			"literals.a.scalar.primitive: \"integer\" must be an int64, got 1.5");
	primitive_fails("\"integer\":\"9223372036854775808\"",
			"literals.a.scalar.primitive: \"integer\" must be an int64, "
			"got \"9223372036854775808\"");
	primitive_fails("\"integer\":\"-9223372036854775809\"", NULL);
	primitive_fails("\"integer\":9.3e18", NULL);
	primitive_fails("\"integer\":true",
			"literals.a.scalar.primitive: \"integer\" must be an int64, got true");
	primitive_fails("\"integer\":{\"a\":1}",
			"literals.a.scalar.primitive: \"integer\" must be an int64, got {...}");
	primitive_fails("\"integer\":[]",
			"literals.a.scalar.primitive: \"integer\" must be an int64, got []");
	static const char *const bad_strings[] = {
		"\"\"", "\"1.5\"", "\" 1\"", "\"1 \"", "\"+1\"", "\"0x10\"", "\"1e3\"", "\"-\"",
		"\"--1\"", "\"99999999999999999999999\"",
	};
	for (size_t i = 0; i < sizeof(bad_strings) / sizeof(bad_strings[0]); i++) {
		char members[128];
		snprintf(members, sizeof(members), "\"integer\":%s", bad_strings[i]);
		primitive_fails(members, NULL);
	}
	/* the shown text is cut after 40 bytes */
	primitive_fails("\"integer\":\"0123456789012345678901234567890123456789xyz\"",
			"literals.a.scalar.primitive: \"integer\" must be an int64, "
			"got \"0123456789012345678901234567890123456789...\"");
	primitive_fails("\"integer\":\"a\\nb\\\"c\"",
			"literals.a.scalar.primitive: \"integer\" must be an int64, "
			"got \"a\\u000ab\\\"c\"");
}

static void test_decode_uint64(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		uint64_t want;
	} ok[] = {
		{"\"18446744073709551615\"", UINT64_MAX},
		{"\"0\"", 0},
		{"9223372036854775807", INT64_MAX},
		{"1e3", 1000},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char json[256];
		snprintf(json, sizeof(json), "{\"offloadedMetadata\":{\"sizeBytes\":%s}}", ok[i].json);
		cachet_literal *l = decode_ok(&cachet__literal_desc, json);
		assert_true(l->offloaded_metadata->size_bytes == ok[i].want);
		cachet_literal_free(l);
	}

	decode_fails(&cachet__literal_desc, "{\"offloadedMetadata\":{\"sizeBytes\":\"-1\"}}",
		     CACHET_EINVALID,
		     "offloadedMetadata: \"sizeBytes\" must be a uint64, got \"-1\"");
	decode_fails(&cachet__literal_desc, "{\"offloadedMetadata\":{\"sizeBytes\":-1}}",
		     CACHET_EINVALID, "offloadedMetadata: \"sizeBytes\" must be a uint64, got -1");
	decode_fails(&cachet__literal_desc,
		     "{\"offloadedMetadata\":{\"sizeBytes\":\"18446744073709551616\"}}",
		     CACHET_EINVALID, NULL);

	/* Beyond int64 as a JSON number: jansson cannot hold it as an integer,
	 * and a double cannot hold it exactly. Refused, asking for a string. */
	decode_fails(&cachet__literal_desc,
		     "{\"offloadedMetadata\":{\"sizeBytes\":18446744073709551615}}", CACHET_EINVALID,
		     "offloadedMetadata: \"sizeBytes\": the number 1.84467440737096e+19 cannot be "
		     "read exactly, as the text holds integers beyond 64 bits; write it as a string");
	/* In such a text, other integer numbers below 2^53 still read exactly... */
	cachet_literal_map *m = decode_ok(
		&cachet__literal_map_desc,
		"{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":9007199254740991}}},"
		"\"b\":{\"scalar\":{\"generic\":{\"big\":100000000000000000000}}}}}");
	assert_true(cachet_literal_map_get(m, "a")->scalar->primitive->integer ==
		    INT64_C(9007199254740991));
	assert_true(cachet_literal_map_get(m, "b")->scalar->generic->fields[0].value->number_value ==
		    1e20);
	cachet_literal_map_free(m);
	/* ...and those at or above 2^53 are refused rather than rounded */
	decode_fails(&cachet__literal_map_desc,
		     "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":9007199254740993}}},"
		     "\"b\":{\"scalar\":{\"generic\":{\"big\":100000000000000000000}}}}}",
		     CACHET_EINVALID,
		     "literals.a.scalar.primitive: \"integer\": the number 9.00719925474099e+15 cannot "
		     "be read exactly, as the text holds integers beyond 64 bits; write it as a string");
}

static void test_decode_double(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		double want;
	} ok[] = {
		{"1", 1.0},
		{"1.5", 1.5},
		{"-0.1", -0.1},
		{"1e300", 1e300},
		{"\"1.5\"", 1.5},
		{"\"-2e3\"", -2000.0},
		{"\"7\"", 7.0},
		{"\"Infinity\"", INFINITY},
		{"\"-Infinity\"", -INFINITY},
		{"9007199254740993", 9007199254740992.0}, /* nearest double */
		{"\"123456789012345678901234567890\"", 1.2345678901234568e29},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char members[128];
		snprintf(members, sizeof(members), "\"floatValue\":%s", ok[i].json);
		cachet_literal *l = primitive(members);
		assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_FLOAT);
		if (l->scalar->primitive->float_value != ok[i].want)
			fail_msg("%s read as %.17g", ok[i].json, l->scalar->primitive->float_value);
		cachet_literal_free(l);
	}
	cachet_literal *l = primitive("\"floatValue\":\"NaN\"");
	assert_true(isnan(l->scalar->primitive->float_value));
	cachet_literal_free(l);
	l = primitive("\"floatValue\":\"-0\""); /* not the integer 0 */
	assert_true(l->scalar->primitive->float_value == 0 &&
		    signbit(l->scalar->primitive->float_value));
	cachet_literal_free(l);

	primitive_fails("\"floatValue\":\"abc\"",
			"literals.a.scalar.primitive: \"floatValue\" must be a number, got \"abc\"");
	primitive_fails("\"floatValue\":true",
			"literals.a.scalar.primitive: \"floatValue\" must be a number, got true");
	static const char *const bad[] = {
		"\"nan\"", "\"inf\"", "\"infinity\"", "\"-NaN\"", "\"+1\"", "\" 1\"", "\"1 \"",
		"\"1.5x\"", "\"\"", "\"0x10\"", "\"1e999\"", "\".5\"", "\"1.\"", "\"01\"",
		"\"[1]\"", "\"null\"", "{}", "[1]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char members[128];
		snprintf(members, sizeof(members), "\"floatValue\":%s", bad[i]);
		primitive_fails(members, NULL);
	}
}

static void test_decode_bool_string_null(void **state)
{
	(void)state;
	cachet_literal *l = primitive("\"boolean\":true");
	assert_true(l->scalar->primitive->boolean);
	cachet_literal_free(l);
	primitive_fails("\"boolean\":\"true\"",
			"literals.a.scalar.primitive: \"boolean\" must be true or false, got \"true\"");
	primitive_fails("\"boolean\":1",
			"literals.a.scalar.primitive: \"boolean\" must be true or false, got 1");

	l = primitive("\"stringValue\":\"\\u00e9\\ud83d\\ude00\"");
	assert_string_equal(l->scalar->primitive->string_value, "\xc3\xa9\xf0\x9f\x98\x80");
	cachet_literal_free(l);
	primitive_fails("\"stringValue\":3",
			"literals.a.scalar.primitive: \"stringValue\" must be a string, got 3");
	primitive_fails("\"stringValue\":null,\"stringValue\":\"x\"",
			"line 1, column 73: duplicate object key near '\"stringValue\"'");
	/* U+0000 is a character like any other (test_nul.c has the rest) */
	l = primitive("\"stringValue\":\"a\\u0000b\"");
	assert_int_equal(cachet_str_len(l->scalar->primitive->string_value), 3);
	assert_memory_equal(l->scalar->primitive->string_value, "a\0b", 4);
	cachet_literal_free(l);

	/* null: the field is not set */
	l = primitive("\"stringValue\":null");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_NOT_SET);
	cachet_literal_free(l);
	l = decode_ok(&cachet__literal_desc, "{\"scalar\":null,\"hash\":null,\"metadata\":null}");
	assert_int_equal(l->kind, CACHET_LITERAL_NOT_SET);
	assert_null(l->hash);
	cachet_literal_free(l);
	/* and a null member does not count for the oneof */
	l = decode_ok(&cachet__literal_desc, "{\"scalar\":null,\"collection\":{}}");
	assert_int_equal(l->kind, CACHET_LITERAL_COLLECTION);
	cachet_literal_free(l);
}

static void test_decode_enum(void **state)
{
	(void)state;
	cachet_literal_type *t = decode_ok(&cachet__literal_type_desc,
					   "{\"blob\":{\"dimensionality\":\"MULTIPART\"}}");
	assert_int_equal(t->blob->dimensionality, CACHET_BLOB_MULTIPART);
	cachet_literal_type_free(t);
	t = decode_ok(&cachet__literal_type_desc, "{\"blob\":{\"dimensionality\":1}}");
	assert_int_equal(t->blob->dimensionality, CACHET_BLOB_MULTIPART);
	cachet_literal_type_free(t);
	t = decode_ok(&cachet__literal_type_desc, "{\"simple\":\"STRUCT\"}");
	assert_int_equal(t->kind, CACHET_TYPE_SIMPLE);
	assert_int_equal(t->simple, CACHET_SIMPLE_STRUCT);
	cachet_literal_type_free(t);
	t = decode_ok(&cachet__literal_type_desc, "{\"simple\":-7}"); /* unknown: kept */
	assert_int_equal(t->simple, -7);
	cachet_literal_type_free(t);

	decode_fails(&cachet__literal_map_desc,
		     "{\"literals\":{\"a\":{\"scalar\":{\"blob\":{\"metadata\":{\"type\":"
		     "{\"dimensionality\":\"FOO\"}}}}}}}",
		     CACHET_EINVALID,
		     "literals.a.scalar.blob.metadata.type: \"dimensionality\": unknown "
		     "BlobDimensionality value \"FOO\"");
	decode_fails(&cachet__literal_type_desc, "{\"simple\":\"integer\"}", CACHET_EINVALID,
		     "\"simple\": unknown SimpleType value \"integer\"");
	decode_fails(&cachet__literal_type_desc, "{\"simple\":1.5}", CACHET_EINVALID,
		     "\"simple\" must be a SimpleType name or number, got 1.5");
	decode_fails(&cachet__literal_type_desc, "{\"simple\":2147483648}", CACHET_EINVALID,
		     "\"simple\" must be a SimpleType name or number, got 2147483648");
	decode_fails(&cachet__literal_type_desc, "{\"simple\":true}", CACHET_EINVALID,
		     "\"simple\" must be a SimpleType name or number, got true");
	t = decode_ok(&cachet__literal_type_desc, "{\"simple\":-2147483648}");
	assert_int_equal(t->simple, INT32_MIN);
	cachet_literal_type_free(t);
}

static void test_decode_bytes(void **state)
{
	(void)state;
	static const char *const forms[] = {"AAEC/w==", "AAEC/w", "AAEC_w==", "AAEC_w"};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char json[128];
		snprintf(json, sizeof(json), "{\"scalar\":{\"binary\":{\"value\":\"%s\"}}}", forms[i]);
		cachet_literal *l = decode_ok(&cachet__literal_desc, json);
		assert_int_equal(l->scalar->binary->value.len, 4);
		assert_memory_equal(l->scalar->binary->value.data, "\x00\x01\x02\xff", 4);
		cachet_literal_free(l);
	}
	cachet_literal *l = decode_ok(&cachet__literal_desc, "{\"scalar\":{\"binary\":{\"value\":\"\"}}}");
	assert_int_equal(l->scalar->binary->value.len, 0);
	assert_null(l->scalar->binary->value.data);
	cachet_literal_free(l);

	decode_fails(&cachet__literal_desc, "{\"scalar\":{\"binary\":{\"value\":\"AA*C\"}}}",
		     CACHET_EINVALID,
		     "scalar.binary: \"value\": invalid base64: invalid base64 character '*' at "
		     "offset 2");
	decode_fails(&cachet__literal_desc, "{\"scalar\":{\"binary\":{\"value\":\"A\"}}}",
		     CACHET_EINVALID, NULL);
	decode_fails(&cachet__literal_desc, "{\"scalar\":{\"binary\":{\"value\":[1]}}}",
		     CACHET_EINVALID,
		     "scalar.binary: \"value\" must be a base64 string, got [...]");
}

static void test_decode_time(void **state)
{
	(void)state;
	cachet_literal *l = primitive("\"datetime\":\"2019-03-29T12:00:00.5+01:00\"");
	assert_true(l->scalar->primitive->datetime->seconds == 1553860800 - 3600);
	assert_int_equal(l->scalar->primitive->datetime->nanos, 500000000);
	cachet_literal_free(l);
	l = primitive("\"duration\":\"-1.5s\"");
	assert_true(l->scalar->primitive->duration->seconds == -1);
	assert_int_equal(l->scalar->primitive->duration->nanos, -500000000);
	cachet_literal_free(l);

	primitive_fails("\"datetime\":\"2019-13-01T00:00:00Z\"",
			"literals.a.scalar.primitive: \"datetime\": invalid timestamp "
			"\"2019-13-01T00:00:00Z\"");
	primitive_fails("\"datetime\":1553860800",
			"literals.a.scalar.primitive: \"datetime\" must be a timestamp string, "
			"got 1553860800");
	primitive_fails("\"duration\":\"1.5\"",
			"literals.a.scalar.primitive: \"duration\": invalid duration \"1.5\"");
	primitive_fails("\"duration\":1.5",
			"literals.a.scalar.primitive: \"duration\" must be a duration string, got 1.5");
	primitive_fails("\"duration\":{}",
			"literals.a.scalar.primitive: \"duration\" must be a duration string, got {}");
}

static void test_decode_struct(void **state)
{
	(void)state;
	/* keys out of order in the text come out sorted */
	cachet_literal *l = decode_ok(
		&cachet__literal_desc,
		"{\"scalar\":{\"generic\":{\"z\":[],\"a\":{\"y\":[[1],[null]]},\"m\":-1.5e-3}}}");
	cachet_struct *s = l->scalar->generic;
	assert_int_equal(s->n_fields, 3);
	assert_string_equal(s->fields[0].key, "a");
	assert_string_equal(s->fields[1].key, "m");
	assert_string_equal(s->fields[2].key, "z");
	assert_true(s->fields[1].value->number_value == -1.5e-3);
	cachet_list_value *outer = s->fields[0].value->struct_value->fields[0].value->list_value;
	assert_int_equal(outer->n_values, 2);
	assert_true(outer->values[0]->list_value->values[0]->number_value == 1.0);
	assert_int_equal(outer->values[1]->list_value->values[0]->kind, CACHET_VALUE_NULL);
	assert_int_equal(s->fields[2].value->kind, CACHET_VALUE_LIST);
	assert_int_equal(s->fields[2].value->list_value->n_values, 0);
	cachet_literal_free(l);

	/* an empty Struct is set (not NULL) */
	l = decode_ok(&cachet__literal_desc, "{\"scalar\":{\"generic\":{}}}");
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_GENERIC);
	assert_non_null(l->scalar->generic);
	cachet_literal_free(l);

	decode_fails(&cachet__literal_desc, "{\"scalar\":{\"generic\":[1]}}", CACHET_EINVALID,
		     "scalar: \"generic\" must be an object, got [...]");
	decode_fails(&cachet__literal_desc, "{\"scalar\":{\"generic\":{\"a\":1,\"a\":2}}}",
		     CACHET_EINVALID, "line 1, column 31: duplicate object key near '\"a\"'");

	/* the well-known types on their own, at the top level */
	cachet_value *v = decode_ok(&cachet__value_desc, "null");
	assert_int_equal(v->kind, CACHET_VALUE_NULL);
	cachet__message_free(&cachet__value_desc, v);
	v = decode_ok(&cachet__value_desc, "\"s\"");
	assert_string_equal(v->string_value, "s");
	cachet__message_free(&cachet__value_desc, v);
	cachet_list_value *list = decode_ok(&cachet__list_value_desc, "[1,\"a\",null]");
	assert_int_equal(list->n_values, 3);
	cachet__message_free(&cachet__list_value_desc, list);
	decode_fails(&cachet__list_value_desc, "{}", CACHET_EINVALID,
		     "top-level value must be an array, got {}");
	decode_fails(&cachet__struct_desc, "[]", CACHET_EINVALID,
		     "top-level value must be an object, got []");
}

static void test_decode_maps_and_repeated(void **state)
{
	(void)state;
	cachet_literal *l = decode_ok(&cachet__literal_desc,
				      "{\"metadata\":{\"b\":\"2\",\"a\":\"1\",\"\":\"empty\"}}");
	assert_int_equal(l->n_metadata, 3);
	assert_string_equal(l->metadata[0].key, "");
	assert_string_equal(l->metadata[1].key, "a");
	assert_string_equal(l->metadata[2].value, "2");
	cachet_literal_free(l);

	decode_fails(&cachet__literal_desc, "{\"metadata\":{\"k\":1}}", CACHET_EINVALID,
		     "metadata: \"k\" must be a string, got 1");
	decode_fails(&cachet__literal_desc, "{\"metadata\":[]}", CACHET_EINVALID,
		     "\"metadata\" must be an object, got []");
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{\"a\":null}}", CACHET_EINVALID,
		     "literals: \"a\" must be an object, got null");

	/* repeated: null is empty, elements must be of the element type */
	l = decode_ok(&cachet__literal_desc, "{\"collection\":{\"literals\":null}}");
	assert_int_equal(l->kind, CACHET_LITERAL_COLLECTION);
	assert_int_equal(l->collection->n_literals, 0);
	cachet_literal_free(l);
	l = decode_ok(&cachet__literal_desc, "{\"collection\":{\"literals\":[]}}");
	assert_int_equal(l->collection->n_literals, 0);
	cachet_literal_free(l);
	decode_fails(&cachet__literal_desc, "{\"collection\":{\"literals\":{}}}", CACHET_EINVALID,
		     "collection: \"literals\" must be an array, got {}");
	decode_fails(&cachet__literal_map_desc,
		     "{\"literals\":{\"xs\":{\"collection\":{\"literals\":[{},{},3]}}}}",
		     CACHET_EINVALID, "literals.xs.collection: \"literals[2]\" must be an object, got 3");
	decode_fails(&cachet__literal_map_desc,
		     "{\"literals\":{\"xs\":{\"collection\":{\"literals\":[{},{},null]}}}}",
		     CACHET_EINVALID,
		     "literals.xs.collection: \"literals[2]\" must be an object, got null");
	decode_fails(&cachet__literal_map_desc,
		     "{\"literals\":{\"xs\":{\"collection\":{\"literals\":[{},{},"
		     "{\"scalar\":{\"primitive\":{\"integer\":\"abc\"}}}]}}}}",
		     CACHET_EINVALID,
		     "literals.xs.collection.literals[2].scalar.primitive: \"integer\" must be an "
		     "int64, got \"abc\"");
	decode_fails(&cachet__literal_type_desc, "{\"enumType\":{\"values\":[\"a\",7]}}",
		     CACHET_EINVALID, "enumType: \"values[1]\" must be a string, got 7");
	/* inside a Struct, paths follow the JSON: keys and indices */
	decode_fails(&cachet__literal_map_desc,
		     "{\"literals\":{\"m\":{\"map\":{\"literals\":{\"k\":{\"scalar\":{\"foo\":1}}}}}}}",
		     CACHET_EINVALID, "literals.m.map.literals.k.scalar: unknown field \"foo\"");
}

static void test_decode_messages(void **state)
{
	(void)state;
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{\"a\":{\"scalar\":3}}}",
		     CACHET_EINVALID, "literals.a: \"scalar\" must be an object, got 3");
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{\"a\":{\"scalar\":\"x\"}}}",
		     CACHET_EINVALID, "literals.a: \"scalar\" must be an object, got \"x\"");
	decode_fails(&cachet__literal_map_desc, "{\"literals\":[]}", CACHET_EINVALID,
		     "\"literals\" must be an object, got []");
	decode_fails(&cachet__literal_map_desc, "[]", CACHET_EINVALID,
		     "top-level value must be an object, got []");
	decode_fails(&cachet__literal_map_desc, "3", CACHET_EINVALID,
		     "top-level value must be an object, got 3");

	/* unknown names */
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{\"a\":{\"scalar\":{\"foo\":1}}}}",
		     CACHET_EINVALID, "literals.a.scalar: unknown field \"foo\"");
	decode_fails(&cachet__literal_map_desc, "{\"foo\":1}", CACHET_EINVALID,
		     "unknown field \"foo\"");
	decode_fails(&cachet__literal_desc, "{\"Scalar\":{}}", CACHET_EINVALID,
		     "unknown field \"Scalar\"");
	decode_fails(&cachet__literal_desc, "{\"scalar\":{\"none_Type\":{}}}", CACHET_EINVALID,
		     "scalar: unknown field \"none_Type\"");

	/* the artifact fields of Variable, under both names */
	cachet_interface *iface = decode_ok(
		&cachet__interface_desc,
		"{\"inputs\":{\"variables\":{\"x\":{\"type\":{\"simple\":\"INTEGER\"},"
		"\"artifactPartialId\":{\"artifactKey\":{\"name\":\"n\"},\"version\":\"v\"},"
		"\"artifact_tag\":{\"value\":{\"static_value\":\"s\"}}},"
		"\"y\":{\"artifact_partial_id\":null,\"artifactTag\":{}}}}}");
	assert_int_equal(iface->inputs->n_variables, 2);
	cachet_variable *x = iface->inputs->variables[0].value;
	assert_int_equal(x->type->simple, CACHET_SIMPLE_INTEGER);
	assert_string_equal(x->artifact_partial_id->artifact_key->name, "n");
	assert_string_equal(x->artifact_partial_id->version, "v");
	assert_int_equal(x->artifact_tag->value->kind, CACHET_LABEL_VALUE_STATIC);
	assert_string_equal(x->artifact_tag->value->static_value, "s");
	assert_null(iface->inputs->variables[1].value->artifact_partial_id);
	assert_non_null(iface->inputs->variables[1].value->artifact_tag);
	cachet_interface_free(iface);
	decode_fails(&cachet__interface_desc,
		     "{\"inputs\":{\"variables\":{\"x\":{\"artifactId\":{}}}}}", CACHET_EINVALID,
		     "inputs.variables.x: unknown field \"artifactId\"");
	decode_fails(&cachet__interface_desc,
		     "{\"inputs\":{\"variables\":{\"x\":{\"artifactTag\":{\"value\":"
		     "{\"staticValue\":\"a\",\"inputBinding\":{}}}}}}}",
		     CACHET_EINVALID,
		     "inputs.variables.x.artifactTag.value: oneof members \"staticValue\" and "
		     "\"inputBinding\" are both set");
	decode_fails(&cachet__interface_desc,
		     "{\"inputs\":{\"variables\":{\"x\":{\"artifactPartialId\":{\"timePartition\":"
		     "{\"granularity\":\"WEEK\"}}}}}}",
		     CACHET_EINVALID,
		     "inputs.variables.x.artifactPartialId.timePartition: \"granularity\": unknown "
		     "Granularity value \"WEEK\"");
	decode_fails(&cachet__literal_desc, "{\"artifactTag\":{}}", CACHET_EINVALID,
		     "unknown field \"artifactTag\"");

	/* oneof: two members */
	decode_fails(&cachet__literal_map_desc,
		     "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{},\"blob\":{}}}}}",
		     CACHET_EINVALID,
		     "literals.a.scalar: oneof members \"primitive\" and \"blob\" are both set");
	decode_fails(&cachet__literal_desc, "{\"collection\":{},\"scalar\":{}}", CACHET_EINVALID,
		     "oneof members \"collection\" and \"scalar\" are both set");
	decode_fails(&cachet__literal_desc,
		     "{\"scalar\":{\"primitive\":{\"integer\":\"1\",\"string_value\":\"x\"}}}",
		     CACHET_EINVALID,
		     "scalar.primitive: oneof members \"integer\" and \"string_value\" are both set");
	decode_fails(&cachet__literal_type_desc, "{\"simple\":\"NONE\",\"enumType\":{}}",
		     CACHET_EINVALID, "oneof members \"simple\" and \"enumType\" are both set");
	/* not in a oneof: any combination */
	cachet_literal *l = decode_ok(&cachet__literal_desc,
				      "{\"map\":{},\"hash\":\"h\",\"metadata\":{\"k\":\"v\"}}");
	assert_int_equal(l->kind, CACHET_LITERAL_MAP);
	cachet_literal_free(l);

	/* one field under both of its names */
	decode_fails(&cachet__literal_desc,
		     "{\"scalar\":{\"primitive\":{\"floatValue\":1,\"float_value\":1}}}",
		     CACHET_EINVALID,
		     "scalar.primitive: field \"floatValue\" is given twice, also as \"float_value\"");
	decode_fails(&cachet__literal_desc, "{\"offloaded_metadata\":{},\"offloadedMetadata\":null}",
		     CACHET_EINVALID,
		     "field \"offloadedMetadata\" is given twice, also as \"offloaded_metadata\"");
}

static void test_decode_snake_case(void **state)
{
	(void)state;
	const char *camel =
		"{\"literals\":{\"a\":{\"scalar\":{\"structuredDataset\":{\"metadata\":"
		"{\"structuredDatasetType\":{\"columns\":[{\"name\":\"c\",\"literalType\":"
		"{\"mapValueType\":{\"simple\":\"FLOAT\"}}}],\"externalSchemaType\":\"t\","
		"\"externalSchemaBytes\":\"AQ==\"}}}}},"
		"\"b\":{\"offloadedMetadata\":{\"sizeBytes\":\"5\",\"inferredType\":"
		"{\"collectionType\":{\"enumType\":{}},\"structure\":{\"dataclassType\":{}}}}},"
		"\"c\":{\"scalar\":{\"noneType\":{},\"error\":null}},"
		"\"d\":{\"scalar\":{\"error\":{\"failedNodeId\":\"n\"}}}}}";
	const char *snake =
		"{\"literals\":{\"a\":{\"scalar\":{\"structured_dataset\":{\"metadata\":"
		"{\"structured_dataset_type\":{\"columns\":[{\"name\":\"c\",\"literal_type\":"
		"{\"map_value_type\":{\"simple\":\"FLOAT\"}}}],\"external_schema_type\":\"t\","
		"\"external_schema_bytes\":\"AQ==\"}}}}},"
		"\"b\":{\"offloaded_metadata\":{\"size_bytes\":\"5\",\"inferred_type\":"
		"{\"collection_type\":{\"enum_type\":{}},\"structure\":{\"dataclass_type\":{}}}}},"
		"\"c\":{\"scalar\":{\"none_type\":{},\"error\":null}},"
		"\"d\":{\"scalar\":{\"error\":{\"failed_node_id\":\"n\"}}}}}";
	const char *canonical =
		"{\"literals\":{\"a\":{\"scalar\":{\"structuredDataset\":{\"metadata\":"
		"{\"structuredDatasetType\":{\"columns\":[{\"name\":\"c\",\"literalType\":"
		"{\"mapValueType\":{\"simple\":\"FLOAT\"}}}],\"externalSchemaType\":\"t\","
		"\"externalSchemaBytes\":\"AQ==\"}}}}},"
		"\"b\":{\"offloadedMetadata\":{\"sizeBytes\":\"5\",\"inferredType\":"
		"{\"collectionType\":{\"enumType\":{}},\"structure\":{}}}},"
		"\"c\":{\"scalar\":{\"noneType\":{}}},"
		"\"d\":{\"scalar\":{\"error\":{\"failedNodeId\":\"n\"}}}}}";
	round_trip(&cachet__literal_map_desc, camel, canonical);
	round_trip(&cachet__literal_map_desc, snake, canonical);
}

static void test_decode_syntax(void **state)
{
	(void)state;
	decode_fails(&cachet__literal_map_desc, "", CACHET_EINVALID, NULL);
	assert_true(strncmp(cachet_error_last()->message, "line 1, column 0: ", 18) == 0);
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{}} x", CACHET_EINVALID,
		     "line 1, column 17: end of file expected near 'x'");
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{}}{}", CACHET_EINVALID, NULL);
	decode_fails(&cachet__literal_map_desc, "{\n  \"literals\": {\n    \"a\": tru\n}}",
		     CACHET_EINVALID, "line 3, column 12: invalid token near 'tru'");
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{\"a\":{},\"a\":{}}}",
		     CACHET_EINVALID, "line 1, column 23: duplicate object key near '\"a\"'");
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{\"\xff\":{}}}", CACHET_EINVALID,
		     NULL);
	decode_fails(&cachet__literal_map_desc, "{\"literals\":{\"a\":{},}}", CACHET_EINVALID,
		     NULL);
	decode_fails(&cachet__literal_map_desc, "{'literals':{}}", CACHET_EINVALID, NULL);

	/* an embedded NUL byte ends nothing: the length given is what is read */
	const char text[] = "{\"literals\":{}}\0{";
	void *out = NULL;
	assert_int_equal(cachet__json_decode(&cachet__literal_map_desc, &out, text, sizeof(text) - 1),
			 CACHET_EINVALID);
	assert_int_equal(cachet__json_decode(&cachet__literal_map_desc, &out, text, 15), 0);
	cachet__message_free(&cachet__literal_map_desc, out);

	/* white space around the value is fine */
	round_trip(&cachet__literal_map_desc, " \n\t{ \"literals\" : { } }\r\n ", "{}");
	round_trip(&cachet__literal_map_desc, "{}", "{}");
}

/* ---------------------------------------------------------------------- */
/* Depth                                                                  */

/* {"literals":{"a": then k times {"collection":{"literals":[ then
 * innermost and the closing brackets: nesting 2 + 2k messages and more. */
static char *nested(size_t k, const char *innermost)
{
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_puts(&b, "{\"literals\":{\"a\":"), 0);
	for (size_t i = 0; i < k; i++)
		assert_int_equal(cachet__buf_puts(&b, "{\"collection\":{\"literals\":["), 0);
	assert_int_equal(cachet__buf_puts(&b, innermost), 0);
	for (size_t i = 0; i < k; i++)
		assert_int_equal(cachet__buf_puts(&b, "]}}"), 0);
	assert_int_equal(cachet__buf_puts(&b, "}}"), 0);
	return cachet__buf_detach(&b, NULL);
}

static char *nested_collections(size_t k)
{
	return nested(k, "{}");
}

static void test_depth(void **state)
{
	(void)state;
	/* 2 + 2 * 499 = 1000 levels: the most there may be */
	char *text = nested_collections(499);
	round_trip(&cachet__literal_map_desc, text, NULL);
	cachet_free(text);

	/* 1002 levels: refused by the walk, which names where */
	text = nested_collections(500);
	void *out = NULL;
	assert_int_equal(cachet__json_decode(&cachet__literal_map_desc, &out, text, strlen(text)),
			 CACHET_ETOODEEP);
	assert_null(out);
	const char *msg = cachet_error_last()->message;
	assert_true(strncmp(msg, "literals.a.collection.literals[0].collection.literals[0]", 56) ==
		    0);
	const char *tail = "literals[0].collection: nested deeper than 1000 levels";
	assert_true(strlen(msg) > strlen(tail));
	assert_string_equal(msg + strlen(msg) - strlen(tail), tail);
	assert_non_null(strstr(msg, "..."));
	cachet_free(text);

	/* 100,000 levels: refused by jansson's own limit, without recursing */
	text = nested_collections(100000);
	assert_int_equal(cachet__json_decode(&cachet__literal_map_desc, &out, text, strlen(text)),
			 CACHET_ETOODEEP);
	assert_true(strncmp(cachet_error_last()->message, "line 1, column ", 15) == 0);
	assert_non_null(strstr(cachet_error_last()->message, ": nested too deeply"));
	cachet_free(text);

	size_t n = 100000;
	char *arrays = malloc(2 * n + 1);
	memset(arrays, '[', n);
	memset(arrays + n, ']', n);
	arrays[2 * n] = '\0';
	assert_int_equal(cachet__json_decode(&cachet__value_desc, &out, arrays, 2 * n),
			 CACHET_ETOODEEP);
	/* within jansson's limit but beyond ours: each array level is two
	 * messages (Value, ListValue) */
	memset(arrays + 600, ']', 600);
	assert_int_equal(cachet__json_decode(&cachet__value_desc, &out, arrays, 1200),
			 CACHET_ETOODEEP);
	assert_int_equal(cachet__json_decode(&cachet__value_desc, &out, arrays + 100, 1000), 0);
	cachet__message_free(&cachet__value_desc, out);
	free(arrays);

	/* a Struct nested in Structs */
	cachet_buf b = CACHET_BUF_INIT;
	for (int i = 0; i < 600; i++)
		assert_int_equal(cachet__buf_puts(&b, "{\"a\":"), 0);
	assert_int_equal(cachet__buf_puts(&b, "1"), 0);
	for (int i = 0; i < 600; i++)
		assert_int_equal(cachet__buf_putc(&b, '}'), 0);
	assert_int_equal(cachet__json_decode(&cachet__struct_desc, &out, b.ptr, b.len),
			 CACHET_ETOODEEP);
	assert_true(strncmp(cachet_error_last()->message, "a.a.a.a.a.a", 11) == 0);
	cachet__buf_dispose(&b);
}

static void test_encode_depth(void **state)
{
	(void)state;
	/* built through the API: 500 nested collections under "a" */
	cachet_literal *inner = cachet_literal_new_collection();
	assert_non_null(inner);
	for (int i = 1; i < 500; i++) {
		cachet_literal *outer = cachet_literal_new_collection();
		assert_non_null(outer);
		assert_int_equal(cachet_literal_collection_append(outer, inner), 0);
		inner = outer;
	}
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "a", inner), 0);
	/* LiteralMap 1, Literal 2, then collection k at 2k + 1: the 500th
	 * collection is level 1001 */
	cachet_buf out = CACHET_BUF_INIT;
	assert_int_equal(cachet__json_encode(&cachet__literal_map_desc, m, 0, &out),
			 CACHET_ETOODEEP);
	const char *msg = cachet_error_last()->message;
	const char *tail = "literals[0].collection: nested deeper than 1000 levels";
	assert_string_equal(msg + strlen(msg) - strlen(tail), tail);
	assert_true(strncmp(msg, "literals.a.collection.literals[0]", 33) == 0);
	cachet__buf_dispose(&out);

	/* one level less encodes */
	cachet_literal *a = cachet_literal_map_get(m, "a");
	cachet_literal *child = a->collection->literals[0];
	a->collection->literals[0] = NULL;
	a->collection->n_literals = 0;
	assert_int_equal(cachet_literal_map_set(m, "a", child), 0);
	char *text = encode_ok(&cachet__literal_map_desc, m, 0);
	char *want = nested(498, "{\"collection\":{}}"); /* the innermost is empty */
	assert_string_equal(text, want);
	cachet_free(want);
	cachet_free(text);
	cachet_literal_map_free(m);
}

/* ---------------------------------------------------------------------- */
/* Encoding                                                               */

static void test_encode_compact(void **state)
{
	(void)state;
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "a", cachet_literal_new_integer(1)), 0);
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(cachet_literal_map_encode(&out, &len, m, CACHET_FORMAT_JSON, 0), 0);
	assert_string_equal(out, "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}}}");
	assert_int_equal(len, strlen(out));
	cachet_free(out);

	assert_int_equal(
		cachet_literal_map_encode(&out, &len, m, CACHET_FORMAT_JSON, CACHET_JSON_PRETTY), 0);
	assert_string_equal(out, "{\n"
				 "  \"literals\": {\n"
				 "    \"a\": {\n"
				 "      \"scalar\": {\n"
				 "        \"primitive\": {\n"
				 "          \"integer\": \"1\"\n"
				 "        }\n"
				 "      }\n"
				 "    }\n"
				 "  }\n"
				 "}");
	cachet_free(out);
	cachet_literal_map_free(m);

	/* the empty message */
	assert_int_equal(cachet_literal_map_new(&m), 0);
	char *text = encode_ok(&cachet__literal_map_desc, m, 0);
	assert_string_equal(text, "{}");
	cachet_free(text);
	text = encode_ok(&cachet__literal_map_desc, m, CACHET_JSON_PRETTY);
	assert_string_equal(text, "{}");
	cachet_free(text);
	cachet_literal_map_free(m);

	/* zero values: non-oneof fields left out, oneof members written */
	round_trip(&cachet__literal_desc,
		   "{\"scalar\":{\"blob\":{\"metadata\":{\"type\":{\"format\":\"\",\"dimensionality\":"
		   "\"SINGLE\"}},\"uri\":\"\"}},\"hash\":\"\",\"metadata\":{}}",
		   "{\"scalar\":{\"blob\":{\"metadata\":{\"type\":{}}}}}");
	round_trip(&cachet__literal_desc,
		   "{\"scalar\":{\"primitive\":{\"integer\":\"0\"}}}", NULL);
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{\"stringValue\":\"\"}}}",
		   NULL);
	round_trip(&cachet__literal_type_desc, "{\"simple\":\"NONE\"}", NULL);
	round_trip(&cachet__literal_desc, "{\"offloadedMetadata\":{\"sizeBytes\":0}}",
		   "{\"offloadedMetadata\":{}}");
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{}}}", NULL);
	round_trip(&cachet__literal_desc, "{\"scalar\":{}}", NULL);
	/* a oneof Timestamp at zero is the epoch */
	round_trip(&cachet__literal_desc,
		   "{\"scalar\":{\"primitive\":{\"datetime\":\"1970-01-01T00:00:00Z\"}}}", NULL);
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{\"duration\":\"0s\"}}}",
		   NULL);
}

static void test_encode_doubles(void **state)
{
	(void)state;
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{1.3, "1.3"},
		{0.1, "0.1"},
		{3.0, "3"},
		{-3.0, "-3"},
		{0.0, "0"},
		{-0.0, "-0"},
		{1e30, "1e+30"},
		{1e-7, "1e-07"},
		{123456.789, "123456.789"},
		{1.0 / 3.0, "0.3333333333333333"},  /* needs 16 digits */
		{0.1 + 0.2, "0.30000000000000004"}, /* needs 17 */
		{9007199254740993.0, "9007199254740992"},
		{DBL_MAX, "1.7976931348623157e+308"},
		{5e-324, "4.94065645841247e-324"},
		{-2.5e-5, "-2.5e-05"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cachet_buf b = CACHET_BUF_INIT;
		assert_int_equal(cachet__double_format(cases[i].v, &b), 0);
		assert_string_equal(b.ptr, cases[i].want);
		cachet__buf_dispose(&b);
	}
	cachet_buf b = CACHET_BUF_INIT;
	assert_cachet_error(cachet__double_format(NAN, &b), CACHET_EINVALID, "NaN is not a JSON number");
	assert_cachet_error(cachet__double_format(-INFINITY, &b), CACHET_EINVALID,
			    "-Infinity is not a JSON number");
	cachet__buf_dispose(&b);

	/* Property, over many bit patterns: the text reads back to the same
	 * double, and is the shortest of %.15g/%.16g/%.17g that does. */
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double v;
		memcpy(&v, &x, sizeof(v));
		if (!isfinite(v))
			continue;
		cachet_buf t = CACHET_BUF_INIT;
		assert_int_equal(cachet__double_format(v, &t), 0);
		double back = strtod(t.ptr, NULL);
		assert_memory_equal(&back, &v, sizeof(v));
		char shorter[40];
		for (int p = 15; p <= 17; p++) {
			snprintf(shorter, sizeof(shorter), "%.*g", p, v);
			if (strtod(shorter, NULL) == v)
				break;
		}
		assert_string_equal(t.ptr, shorter);
		cachet__buf_dispose(&t);
	}

	/* in a message: number, or the special strings */
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{\"floatValue\":1e+30}}}",
		   NULL);
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{\"floatValue\":1E30}}}",
		   "{\"scalar\":{\"primitive\":{\"floatValue\":1e+30}}}");
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{\"floatValue\":\"Infinity\"}}}",
		   NULL);
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{\"floatValue\":-0.0}}}",
		   "{\"scalar\":{\"primitive\":{\"floatValue\":-0}}}");
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{\"floatValue\":\"2.50\"}}}",
		   "{\"scalar\":{\"primitive\":{\"floatValue\":2.5}}}");
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"generic\":{\"n\":1.0,\"m\":-7}}}",
		   "{\"scalar\":{\"generic\":{\"m\":-7,\"n\":1}}}");
}

static void test_encode_strings(void **state)
{
	(void)state;
	/* escapes as RFC 8259 and Go's protojson: short forms where there
	 * are some, \u00XX in lower case for the other controls, the rest
	 * (DEL, non-ASCII, U+2028) as is */
	cachet_literal *l = cachet_literal_new_string(
		"\"\\/\b\f\n\r\t\x01\x1f\x7f \xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80");
	assert_non_null(l);
	char *text = encode_ok(&cachet__literal_desc, l, 0);
	assert_string_equal(text, "{\"scalar\":{\"primitive\":{\"stringValue\":"
				  "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9\xe2\x80\xa8"
				  "\xf0\x9f\x98\x80\"}}}");
	/* and back */
	cachet_literal *back = decode_ok(&cachet__literal_desc, text);
	assert_true(cachet_literal_equal(l, back));
	cachet_literal_free(back);
	cachet_free(text);

	/* map keys are escaped too */
	assert_int_equal(cachet_literal_set_metadata(l, "k\"\n", "v"), 0);
	text = encode_ok(&cachet__literal_desc, l, 0);
	assert_non_null(strstr(text, "\"metadata\":{\"k\\\"\\n\":\"v\"}"));
	cachet_free(text);

	/* a string that is not UTF-8 (set behind the builders' back) */
	cachet_str_free(l->scalar->primitive->string_value);
	l->scalar->primitive->string_value = cachet_str_dup("a\xc3(");
	encode_fails(&cachet__literal_desc, l, CACHET_EINVALID,
		     "scalar.primitive.stringValue: string is not valid UTF-8 (byte 1)");
	cachet_literal_free(l);
}

/* A NaN or infinite Struct number is written as Go's jsonpb writes it, as a
 * string, which reads back as a string value: the JSON is not the same
 * value as the protobuf it came from. */
static void test_encode_nonfinite_struct_numbers(void **state)
{
	(void)state;
	static const struct {
		double number;
		const char *json;
	} cases[] = {
		{NAN, "{\"scalar\":{\"generic\":{\"k\":[1,{\"x\":\"NaN\"}]}}}"},
		{INFINITY, "{\"scalar\":{\"generic\":{\"k\":[1,{\"x\":\"Infinity\"}]}}}"},
		{-INFINITY, "{\"scalar\":{\"generic\":{\"k\":[1,{\"x\":\"-Infinity\"}]}}}"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cachet_literal *l = decode_ok(&cachet__literal_desc,
					      "{\"scalar\":{\"generic\":{\"k\":[1,{\"x\":2}]}}}");
		cachet_value *x = l->scalar->generic->fields[0]
					  .value->list_value->values[1]
					  ->struct_value->fields[0]
					  .value;
		x->number_value = cases[i].number;
		char *text = encode_ok(&cachet__literal_desc, l, 0);
		assert_string_equal(text, cases[i].json);

		cachet_literal *back = decode_ok(&cachet__literal_desc, text);
		x = back->scalar->generic->fields[0]
			    .value->list_value->values[1]
			    ->struct_value->fields[0]
			    .value;
		assert_int_equal(x->kind, CACHET_VALUE_STRING);
		assert_false(cachet__message_equal(&cachet__literal_desc, l, back));
		cachet_literal_free(back);
		cachet_free(text);
		cachet_literal_free(l);
	}
}

static void test_encode_invalid_values(void **state)
{
	(void)state;
	cachet_literal_map *m =
		decode_ok(&cachet__literal_map_desc,
			  "{\"literals\":{\"a\":{\"scalar\":{\"generic\":{\"k\":[1,{\"x\":2}]}}},"
			  "\"t\":{\"scalar\":{\"primitive\":{\"datetime\":\"2019-03-29T12:00:00Z\"}}}}}");
	cachet_struct *g = cachet_literal_map_get(m, "a")->scalar->generic;
	cachet_value *x = g->fields[0].value->list_value->values[1]->struct_value->fields[0].value;

	x->kind = CACHET_VALUE_NOT_SET;
	encode_fails(&cachet__literal_map_desc, m, CACHET_EINVALID,
		     "literals.a.scalar.generic.k[1].x: struct value has no kind set");
	x->kind = CACHET_VALUE_NUMBER;
	x->number_value = 2;

	cachet_timestamp *ts = cachet_literal_map_get(m, "t")->scalar->primitive->datetime;
	ts->seconds = 253402300800;
	encode_fails(&cachet__literal_map_desc, m, CACHET_EINVALID,
		     "literals.t.scalar.primitive.datetime: timestamp out of range (seconds "
		     "253402300800, nanos 0)");
	ts->seconds = 0;
	ts->nanos = -1;
	encode_fails(&cachet__literal_map_desc, m, CACHET_EINVALID, NULL);
	ts->nanos = 0;

	char *text = encode_ok(&cachet__literal_map_desc, m, 0);
	assert_string_equal(text, "{\"literals\":{\"a\":{\"scalar\":{\"generic\":{\"k\":[1,{\"x\":2}]}}},"
				  "\"t\":{\"scalar\":{\"primitive\":{\"datetime\":"
				  "\"1970-01-01T00:00:00Z\"}}}}}");
	cachet_free(text);
	cachet_literal_map_free(m);

	/* a Duration out of range */
	cachet_literal *d = cachet_literal_new_duration((cachet_duration){1, -5});
	if (d != NULL) { /* the builder may refuse it already */
		encode_fails(&cachet__literal_desc, d, CACHET_EINVALID,
			     "scalar.primitive.duration: duration out of range (seconds 1, nanos -5)");
		cachet_literal_free(d);
	}
}

static void test_encode_appends(void **state)
{
	(void)state;
	cachet_literal *l = cachet_literal_new_boolean(true);
	cachet_buf b = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_puts(&b, "x="), 0);
	assert_int_equal(cachet__json_encode(&cachet__literal_desc, l, 0, &b), 0);
	assert_string_equal(b.ptr, "x={\"scalar\":{\"primitive\":{\"boolean\":true}}}");
	cachet__buf_dispose(&b);
	cachet_literal_free(l);
}

static void test_encode_pretty_arrays(void **state)
{
	(void)state;
	cachet_literal_type *t = decode_ok(
		&cachet__literal_type_desc,
		"{\"enumType\":{\"values\":[\"a\",\"b\"]},\"metadata\":{\"e\":[],\"l\":[1,[]],\"o\":{}}}");
	char *text = encode_ok(&cachet__literal_type_desc, t, CACHET_JSON_PRETTY);
	assert_string_equal(text, "{\n"
				  "  \"metadata\": {\n"
				  "    \"e\": [],\n"
				  "    \"l\": [\n"
				  "      1,\n"
				  "      []\n"
				  "    ],\n"
				  "    \"o\": {}\n"
				  "  },\n"
				  "  \"enumType\": {\n"
				  "    \"values\": [\n"
				  "      \"a\",\n"
				  "      \"b\"\n"
				  "    ]\n"
				  "  }\n"
				  "}");
	cachet_free(text);
	cachet_literal_type_free(t);
}

/* ---------------------------------------------------------------------- */
/* cachet__json_scalar_of                                                 */

static void test_scalar_of(void **state)
{
	(void)state;
	cachet_buf scratch = CACHET_BUF_INIT;
	cachet__json_scalar s;

	const cachet__field_desc *integer = cachet__field_by_number(&cachet__primitive_desc, 1);
	int64_t i64 = INT64_MIN;
	assert_int_equal(cachet__json_scalar_of(integer, &i64, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_STRING);
	assert_int_equal(s.len, 20);
	assert_memory_equal(s.str, "-9223372036854775808", 20);

	const cachet__field_desc *size =
		cachet__field_by_number(&cachet__literal_offloaded_metadata_desc, 2);
	uint64_t u64 = UINT64_MAX;
	assert_int_equal(cachet__json_scalar_of(size, &u64, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_STRING);
	assert_int_equal(s.len, 20);
	assert_memory_equal(s.str, "18446744073709551615", 20);

	const cachet__field_desc *nanos = cachet__field_by_number(&cachet__timestamp_desc, 2);
	int32_t i32 = -5;
	assert_int_equal(cachet__json_scalar_of(nanos, &i32, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_NUMBER);
	assert_true(s.number == -5.0);

	const cachet__field_desc *fl = cachet__field_by_number(&cachet__primitive_desc, 2);
	double dv = 1.3;
	assert_int_equal(cachet__json_scalar_of(fl, &dv, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_NUMBER);
	assert_true(s.number == 1.3);
	static const struct {
		double v;
		const char *s;
	} special[] = {{NAN, "NaN"}, {INFINITY, "Infinity"}, {-INFINITY, "-Infinity"}};
	for (size_t i = 0; i < 3; i++) {
		dv = special[i].v;
		assert_int_equal(cachet__json_scalar_of(fl, &dv, &scratch, &s), 0);
		assert_int_equal(s.kind, CACHET__JSON_STRING);
		assert_int_equal(s.len, strlen(special[i].s));
		assert_memory_equal(s.str, special[i].s, s.len);
	}

	const cachet__field_desc *boolean = cachet__field_by_number(&cachet__primitive_desc, 4);
	bool bv = true;
	assert_int_equal(cachet__json_scalar_of(boolean, &bv, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_BOOL);
	assert_true(s.boolean);

	const cachet__field_desc *dim = cachet__field_by_number(&cachet__blob_type_desc, 2);
	int32_t ev = CACHET_BLOB_MULTIPART;
	assert_int_equal(cachet__json_scalar_of(dim, &ev, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_STRING);
	assert_int_equal(s.len, 9);
	assert_memory_equal(s.str, "MULTIPART", 9);
	ev = 9;
	assert_int_equal(cachet__json_scalar_of(dim, &ev, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_NUMBER);
	assert_true(s.number == 9.0);

	const cachet__field_desc *str = cachet__field_by_number(&cachet__primitive_desc, 3);
	char *sv = NULL;
	assert_int_equal(cachet__json_scalar_of(str, &sv, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_STRING);
	assert_int_equal(s.len, 0);
	assert_non_null(s.str);
	sv = cachet_str_new("a\0c", 3);
	assert_int_equal(cachet__json_scalar_of(str, &sv, &scratch, &s), 0);
	assert_ptr_equal(s.str, sv); /* no copy */
	assert_int_equal(s.len, 3);
	cachet_str_free(sv);

	const cachet__field_desc *bytes = cachet__field_by_number(&cachet__binary_desc, 1);
	uint8_t raw[] = {0xfb, 0xff, 0x00, 0x01};
	cachet_bytes bv2 = {raw, 4};
	assert_int_equal(cachet__json_scalar_of(bytes, &bv2, &scratch, &s), 0);
	assert_int_equal(s.kind, CACHET__JSON_STRING);
	assert_int_equal(s.len, 8);
	assert_memory_equal(s.str, "+/8AAQ==", 8); /* standard alphabet, padded */
	bv2 = (cachet_bytes){NULL, 0};
	assert_int_equal(cachet__json_scalar_of(bytes, &bv2, &scratch, &s), 0);
	assert_int_equal(s.len, 0);
	assert_non_null(s.str);

	cachet__buf_dispose(&scratch);
}

/* ---------------------------------------------------------------------- */
/* Allocation failures                                                    */

/* Fail the nth allocation, for n = 0, 1, ... until the call succeeds: each
 * failure must be a clean CACHET_ENOMEM (ASan reports any leak). */
/* ---------------------------------------------------------------------- */
/* Negative zero                                                          */

/* The Struct number of literal `l` under key "z", or its list's first element. */
static double generic_number(const cachet_literal *l, bool in_list)
{
	const cachet_struct *st = l->scalar->generic;
	assert_int_equal(st->n_fields, 1);
	assert_string_equal(st->fields[0].key, "z");
	const cachet_value *v = st->fields[0].value;
	if (in_list) {
		assert_int_equal(v->kind, CACHET_VALUE_LIST);
		assert_int_equal(v->list_value->n_values, 1);
		v = v->list_value->values[0];
	}
	assert_int_equal(v->kind, CACHET_VALUE_NUMBER);
	return v->number_value;
}

/*
 * -0.0 keeps its sign through JSON and the wire format, as a Struct number,
 * in a list, and as a float primitive: protobuf JSON writes it -0, which
 * must read back as -0.0, not the integer 0. Bytes written by hand.
 */
static void test_negative_zero(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		bool in_list;
		unsigned char pb[24];
		size_t pb_len;
	} cases[] = {
		/* Literal.scalar(1) > Scalar.generic(7) > Struct.fields(1) entry
		 * {key(1) "z", value(2)} > Value.number_value(2) fixed64 */
		{"{\"scalar\":{\"generic\":{\"z\":-0}}}", false,
		 {0x0a, 0x12, 0x3a, 0x10, 0x0a, 0x0e, 0x0a, 0x01, 'z', 0x12, 0x09, 0x11, 0, 0, 0, 0,
		  0, 0, 0, 0x80},
		 20},
		/* ... > Value.list_value(6) > ListValue.values(1) > Value */
		{"{\"scalar\":{\"generic\":{\"z\":[-0]}}}", true,
		 {0x0a, 0x16, 0x3a, 0x14, 0x0a, 0x12, 0x0a, 0x01, 'z', 0x12, 0x0d, 0x32, 0x0b, 0x0a,
		  0x09, 0x11, 0, 0, 0, 0, 0, 0, 0, 0x80},
		 24},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cachet_literal *l = NULL;
		assert_int_equal(cachet_literal_decode(&l, cases[i].json, strlen(cases[i].json),
						       CACHET_FORMAT_JSON),
				 0);
		double z = generic_number(l, cases[i].in_list);
		assert_true(z == 0 && signbit(z));

		char *out = NULL;
		size_t len = 0;
		assert_int_equal(cachet_literal_encode(&out, &len, l, CACHET_FORMAT_JSON, 0), 0);
		assert_string_equal(out, cases[i].json);
		cachet_free(out);
		assert_int_equal(cachet_literal_encode(&out, &len, l, CACHET_FORMAT_PB, 0), 0);
		assert_int_equal(len, cases[i].pb_len);
		assert_memory_equal(out, cases[i].pb, len);
		cachet_literal_free(l);

		/* and back from the wire bytes */
		assert_int_equal(cachet_literal_decode(&l, out, len, CACHET_FORMAT_PB), 0);
		cachet_free(out);
		z = generic_number(l, cases[i].in_list);
		assert_true(z == 0 && signbit(z));
		assert_int_equal(cachet_literal_encode(&out, &len, l, CACHET_FORMAT_JSON, 0), 0);
		assert_string_equal(out, cases[i].json);
		cachet_free(out);
		cachet_literal_free(l);
	}

	/* a float primitive: -0 is written and read back as -0.0 */
	round_trip(&cachet__literal_desc, "{\"scalar\":{\"primitive\":{\"floatValue\":-0}}}", NULL);
	cachet_literal *l = primitive("\"floatValue\":-0");
	assert_true(signbit(l->scalar->primitive->float_value));
	cachet_literal_free(l);

	/* +0 stays +0, and integer fields read -0 as 0 */
	l = decode_ok(&cachet__literal_desc, "{\"scalar\":{\"generic\":{\"z\":0}}}");
	assert_false(signbit(generic_number(l, false)));
	cachet_literal_free(l);
	l = primitive("\"integer\":-0");
	assert_int_equal(l->scalar->primitive->integer, 0);
	cachet_literal_free(l);

	/* "-0" inside strings is text; -0.5, -0e0 and -01 are not integer -0 */
	l = decode_ok(&cachet__literal_desc,
		      "{\"scalar\":{\"generic\":{\"z\":[\"a\\\"-0\", \"-0\", -0.5, -0e0]}}}");
	const cachet_list_value *lv = l->scalar->generic->fields[0].value->list_value;
	assert_int_equal(lv->n_values, 4);
	assert_string_equal(lv->values[0]->string_value, "a\"-0");
	assert_string_equal(lv->values[1]->string_value, "-0");
	assert_true(lv->values[2]->number_value == -0.5);
	assert_true(signbit(lv->values[3]->number_value));
	cachet_literal_free(l);

	/* a syntax error after a -0 is placed in the text as written */
	decode_fails(&cachet__literal_desc, "{\"scalar\":{\"generic\":{\"z\":[-0,\n -01]}}}",
		     CACHET_EINVALID, "line 2, column 3: invalid token near '-0'");
	decode_fails(&cachet__literal_desc, "{\"scalar\":{\"generic\":{\"z\":[-0, -0, x]}}}",
		     CACHET_EINVALID, "line 1, column 36: invalid token near 'x'");
}

static void test_fault_injection(void **state)
{
	(void)state;
	static const char *const fixtures[] = {"tests/fixtures/json/literal_map_all.json",
					       "tests/fixtures/json/interface_all.json",
					       "tests/fixtures/json/interface_artifacts.json"};
	static const cachet__message_desc *const descs[] = {
		&cachet__literal_map_desc, &cachet__interface_desc, &cachet__interface_desc};
	for (size_t k = 0; k < 3; k++) {
		size_t len;
		char *text = read_fixture(fixtures[k], &len);
		void *msg = NULL;
		long n;
		for (n = 0;; n++) {
			cachet__alloc_fail_after(n);
			int rc = cachet__json_decode(descs[k], &msg, text, len);
			bool injected = cachet__alloc_failed();
			cachet__alloc_fail_reset();
			if (rc == 0 && !injected)
				break;
			assert_int_equal(rc, CACHET_ENOMEM);
			assert_null(msg);
		}
		assert_true(n > 10);

		for (unsigned flags = 0; flags <= CACHET_JSON_PRETTY; flags++) {
			for (n = 0;; n++) {
				cachet_buf b = CACHET_BUF_INIT;
				cachet__alloc_fail_after(n);
				int rc = cachet__json_encode(descs[k], msg, flags, &b);
				bool injected = cachet__alloc_failed();
				cachet__alloc_fail_reset();
				if (rc == 0 && !injected) {
					if (flags == 0)
						assert_string_equal(b.ptr, text);
					cachet__buf_dispose(&b);
					break;
				}
				assert_int_equal(rc, CACHET_ENOMEM);
				assert_true(b.len == 0);
				cachet__buf_dispose(&b);
			}
		}
		cachet__message_free(descs[k], msg);
		free(text);
	}

	/* the error paths allocate too (the path in the message) */
	const char *bad = "{\"literals\":{\"xs\":{\"collection\":{\"literals\":[{},{},"
			  "{\"scalar\":{\"primitive\":{\"integer\":\"abc\"}}}]}}}}";
	for (long n = 0;; n++) {
		void *msg = NULL;
		cachet__alloc_fail_after(n);
		int rc = cachet__json_decode(&cachet__literal_map_desc, &msg, bad, strlen(bad));
		bool injected = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		assert_null(msg);
		if (!injected) {
			assert_int_equal(rc, CACHET_EINVALID);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_literal_map),
		cmocka_unit_test(test_fixture_interface),
		cmocka_unit_test(test_fixture_values),
		cmocka_unit_test(test_fixture_interface_values),
		cmocka_unit_test(test_decode_int64),
		cmocka_unit_test(test_decode_uint64),
		cmocka_unit_test(test_decode_double),
		cmocka_unit_test(test_decode_bool_string_null),
		cmocka_unit_test(test_decode_enum),
		cmocka_unit_test(test_decode_bytes),
		cmocka_unit_test(test_decode_time),
		cmocka_unit_test(test_decode_struct),
		cmocka_unit_test(test_decode_maps_and_repeated),
		cmocka_unit_test(test_decode_messages),
		cmocka_unit_test(test_decode_snake_case),
		cmocka_unit_test(test_decode_syntax),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_encode_depth),
		cmocka_unit_test(test_encode_compact),
		cmocka_unit_test(test_encode_doubles),
		cmocka_unit_test(test_encode_strings),
		cmocka_unit_test(test_encode_nonfinite_struct_numbers),
		cmocka_unit_test(test_encode_invalid_values),
		cmocka_unit_test(test_encode_appends),
		cmocka_unit_test(test_encode_pretty_arrays),
		cmocka_unit_test(test_scalar_of),
		cmocka_unit_test(test_negative_zero),
		cmocka_unit_test(test_fault_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
