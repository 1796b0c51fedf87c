/*
 * The protobuf wire codec (codec/wire_*.c).
 *
 * Expected bytes come from two independent places: vectors derived by hand
 * below (and cross-checked against Google's Python protobuf while writing
 * them), and fixtures that Google's encoders wrote from our flyte.proto:
 * Python's (tests/fixtures/wire, scripts/gen-fixtures-wire.py), rewritten
 * in the bytes of Go's deterministic marshal, and Go's own cases
 * (tests/fixtures/wire-go, scripts/gen-fixtures-go). Beyond exact bytes:
 * unknown fields, merging, maps, every kind of malformed input, depth
 * bombs, and every allocation failure.
 */
#include "test_helpers.h"

#include "cachet/value.h"
#include "codec/wire.h"
#include "util/alloc.h"
#include "value/message.h"

#include <math.h>
#include <time.h>

/* ---------------------------------------------------------------------- */
/* Helpers */

typedef struct bytes {
	uint8_t *data;
	size_t len;
} bytes;

/* "0a 04 0a 02" -> bytes (spaces ignored). */
static bytes hex(const char *text)
{
	bytes b = {malloc(strlen(text) / 2 + 1), 0};
	assert_non_null(b.data);
	for (const char *p = text; *p;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		unsigned v;
		assert_int_equal(sscanf(p, "%2x", &v), 1);
		b.data[b.len++] = (uint8_t)v;
		p += 2;
	}
	return b;
}

static char *to_hex(const void *data, size_t len)
{
	const uint8_t *p = data;
	char *s = malloc(len * 3 + 1);
	assert_non_null(s);
	s[0] = '\0';
	for (size_t i = 0; i < len; i++)
		sprintf(s + 3 * i - (i ? 1 : 0), i ? " %02x" : "%02x", p[i]);
	return s;
}

/* What is being checked, for failure messages. */
static const char *context = "";

static void assert_bytes(const void *got, size_t got_len, const void *want, size_t want_len)
{
	if (got_len != want_len || (want_len && memcmp(got, want, want_len) != 0)) {
		char *g = to_hex(got, got_len), *w = to_hex(want, want_len);
		print_error("%s: bytes differ\n  got:  %s\n  want: %s\n", context, g, w);
		free(g);
		free(w);
		fail();
	}
}

/* A file under the source root. */
static bytes read_source_file(const char *rel)
{
	bytes b = {NULL, 0};
	b.data = (void *)cachet_test_read(rel, &b.len);
	return b;
}

static bytes read_fixture(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "tests/fixtures/wire/%s", name);
	return read_source_file(rel);
}

static void *decode_ok(const cachet__message_desc *d, const bytes *b)
{
	void *out = NULL;
	int rc = cachet__wire_decode(d, &out, b->data, b->len);
	if (rc != 0)
		fail_msg("%s: decode %s: %s", context, d->name, cachet_error_last()->message);
	assert_non_null(out);
	return out;
}

static void *decode_hex(const cachet__message_desc *d, const char *text)
{
	bytes b = hex(text);
	void *out = decode_ok(d, &b);
	free(b.data);
	return out;
}

/* Decode must fail with code and, when msg is not NULL, exactly msg. */
static void decode_fails(const cachet__message_desc *d, const char *text, int code, const char *msg)
{
	bytes b = hex(text);
	void *out = (void *)&b; /* must be reset to NULL */
	int rc = cachet__wire_decode(d, &out, b.data, b.len);
	assert_null(out);
	assert_cachet_error(rc, code, msg);
	free(b.data);
}

static void assert_encodes(const cachet__message_desc *d, const void *msg, const bytes *want)
{
	cachet_buf buf = CACHET_BUF_INIT;
	int rc = cachet__wire_encode(d, msg, &buf);
	if (rc != 0)
		fail_msg("%s: encode %s: %s", context, d->name, cachet_error_last()->message);
	assert_bytes(buf.ptr, buf.len, want->data, want->len);
	cachet__buf_dispose(&buf);
}

static void assert_encodes_hex(const cachet__message_desc *d, const void *msg, const char *text)
{
	bytes b = hex(text);
	assert_encodes(d, msg, &b);
	free(b.data);
}

/* decode -> encode gives the same bytes; returns the decoded message. */
static void *assert_round_trip(const cachet__message_desc *d, const bytes *b)
{
	void *msg = decode_ok(d, b);
	assert_encodes(d, msg, b);
	return msg;
}

/* Building values by hand. */
static void *xnew(const cachet__message_desc *d)
{
	void *p = cachet__message_new(d);
	assert_non_null(p);
	return p;
}

/* A counted string, as every string field holds. */
static char *xs(const char *s)
{
	char *p = cachet_str_dup(s);
	assert_non_null(p);
	return p;
}

static const cachet__field_desc *field(const cachet__message_desc *d, uint32_t number)
{
	const cachet__field_desc *f = cachet__field_by_number(d, number);
	assert_non_null(f);
	return f;
}

static void push(const cachet__message_desc *d, void *msg, uint32_t number, void *element)
{
	assert_int_equal(cachet__repeated_append(msg, field(d, number), element), 0);
}

static void map_put(const cachet__message_desc *d, void *msg, uint32_t number, const char *key,
		    void *value)
{
	assert_int_equal(cachet__map_set(msg, field(d, number), key, strlen(key), value), 0);
}

/* A Literal whose scalar holds member (a message of the scalar oneof). */
static cachet_literal *scalar_lit(cachet_scalar_kind kind, void *member)
{
	cachet_literal *l = xnew(&cachet__literal_desc);
	cachet_scalar *s = xnew(&cachet__scalar_desc);
	l->kind = CACHET_LITERAL_SCALAR;
	l->scalar = s;
	s->kind = kind;
	*(void **)cachet__field_at(s, field(&cachet__scalar_desc, (uint32_t)kind)) = member;
	return l;
}

static cachet_literal_type *simple_type(int32_t simple)
{
	cachet_literal_type *t = cachet_literal_type_new_simple(simple);
	assert_non_null(t);
	return t;
}

static cachet_value *json_value(cachet_value_kind kind)
{
	cachet_value *v = xnew(&cachet__value_desc);
	v->kind = kind;
	return v;
}

static cachet_literal *lit_of(cachet_literal *l)
{
	assert_non_null(l);
	return l;
}

static cachet_literal *map_value(const cachet__message_desc *d, const void *msg, uint32_t number,
				 const char *key)
{
	void *v = cachet__map_get(msg, field(d, number), key, strlen(key));
	if (v == NULL)
		fail_msg("no map entry '%s'", key);
	return v;
}

static uint64_t bits_of(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b;
}

static double double_of(uint64_t b)
{
	double v;
	memcpy(&v, &b, sizeof(v));
	return v;
}

/* ---------------------------------------------------------------------- */
/* Hand-derived vectors: every literal kind, every type kind, an interface.
 *
 * Derivation, innermost first, e.g. the LiteralMap {"a": integer 1}:
 *   Primitive{integer=1}    08 01                 (field 1 varint)
 *   Scalar{primitive}       0a 02 <2 bytes>       (field 1, length 2)
 *   Literal{scalar}         0a 04 <4 bytes>
 *   entry{key "a", value}   0a 01 61 12 06 <6>    (key 1, value 2: 11 bytes)
 *   LiteralMap{literals}    0a 0b <11 bytes>      -> 13 bytes in all.
 */

static void *v_int1(void) { return lit_of(cachet_literal_new_integer(1)); }
static void *v_int0(void) { return lit_of(cachet_literal_new_integer(0)); }
static void *v_int_neg(void) { return lit_of(cachet_literal_new_integer(-1)); }
static void *v_int_max(void) { return lit_of(cachet_literal_new_integer(INT64_MAX)); }
static void *v_int_min(void) { return lit_of(cachet_literal_new_integer(INT64_MIN)); }
static void *v_int_300(void) { return lit_of(cachet_literal_new_integer(300)); }
static void *v_float(void) { return lit_of(cachet_literal_new_float(1.5)); }
static void *v_float_zero(void) { return lit_of(cachet_literal_new_float(0.0)); }
static void *v_float_negzero(void) { return lit_of(cachet_literal_new_float(-0.0)); }
static void *v_string(void) { return lit_of(cachet_literal_new_string("hi")); }
static void *v_string_empty(void) { return lit_of(cachet_literal_new_string("")); }
static void *v_true(void) { return lit_of(cachet_literal_new_boolean(true)); }
static void *v_false(void) { return lit_of(cachet_literal_new_boolean(false)); }
static void *v_datetime(void)
{
	return lit_of(cachet_literal_new_datetime((cachet_timestamp){1, 2}));
}
static void *v_datetime_epoch(void)
{
	return lit_of(cachet_literal_new_datetime((cachet_timestamp){0, 0}));
}
static void *v_duration(void)
{
	return lit_of(cachet_literal_new_duration((cachet_duration){-1, -500}));
}
static void *v_none(void) { return lit_of(cachet_literal_new_none()); }
static void *v_blob(void)
{
	return lit_of(cachet_literal_new_blob("s3://b/k", "csv", CACHET_BLOB_MULTIPART));
}
static void *v_binary(void)
{
	static const uint8_t data[] = {0x00, 0xff};
	return lit_of(cachet_literal_new_binary(data, sizeof(data), "t"));
}
static void *v_schema(void)
{
	cachet_schema *s = xnew(&cachet__schema_desc);
	cachet_schema_column *c = xnew(&cachet__schema_column_desc);
	s->uri = xs("u");
	s->type = xnew(&cachet__schema_type_desc);
	c->name = xs("c");
	c->type = CACHET_COLUMN_STRING;
	push(&cachet__schema_type_desc, s->type, 3, c);
	return scalar_lit(CACHET_SCALAR_SCHEMA, s);
}
static void *v_error(void) { return lit_of(cachet_literal_new_error("n", "m")); }
static void *v_generic(void)
{
	cachet_struct *st = xnew(&cachet__struct_desc);
	cachet_value *b = json_value(CACHET_VALUE_BOOL);
	b->bool_value = true;
	map_put(&cachet__struct_desc, st, 1, "b", b);
	map_put(&cachet__struct_desc, st, 1, "a", json_value(CACHET_VALUE_NULL));
	return scalar_lit(CACHET_SCALAR_GENERIC, st);
}
static void *v_generic2(void)
{
	cachet_struct *st = xnew(&cachet__struct_desc);
	cachet_value *l = json_value(CACHET_VALUE_LIST), *x = json_value(CACHET_VALUE_STRING);
	cachet_value *n = json_value(CACHET_VALUE_NUMBER), *o = json_value(CACHET_VALUE_STRUCT);
	l->list_value = xnew(&cachet__list_value_desc);
	x->string_value = xs("x");
	push(&cachet__list_value_desc, l->list_value, 1, x);
	n->number_value = 2.0;
	o->struct_value = xnew(&cachet__struct_desc);
	map_put(&cachet__struct_desc, st, 1, "o", o);
	map_put(&cachet__struct_desc, st, 1, "n", n);
	map_put(&cachet__struct_desc, st, 1, "l", l);
	return scalar_lit(CACHET_SCALAR_GENERIC, st);
}
static void *v_dataset(void) { return lit_of(cachet_literal_new_dataset("u", "parquet")); }
static void *v_union(void)
{
	cachet_union *u = xnew(&cachet__union_desc);
	u->value = lit_of(cachet_literal_new_integer(1));
	u->type = simple_type(CACHET_SIMPLE_INTEGER);
	return scalar_lit(CACHET_SCALAR_UNION, u);
}
static void *v_collection(void)
{
	cachet_literal *c = lit_of(cachet_literal_new_collection());
	assert_int_equal(cachet_literal_collection_append(c, cachet_literal_new_integer(1)), 0);
	assert_int_equal(cachet_literal_collection_append(c, cachet_literal_new_integer(2)), 0);
	return c;
}
static void *v_collection_empty(void) { return lit_of(cachet_literal_new_collection()); }
static void *v_map(void)
{
	cachet_literal *m = lit_of(cachet_literal_new_map());
	assert_int_equal(cachet_literal_map_set(m->map, "a", cachet_literal_new_integer(1)), 0);
	return m;
}
static void *v_offloaded(void)
{
	cachet_literal *l = xnew(&cachet__literal_desc);
	l->kind = CACHET_LITERAL_OFFLOADED;
	l->offloaded_metadata = xnew(&cachet__literal_offloaded_metadata_desc);
	l->offloaded_metadata->uri = xs("u");
	l->offloaded_metadata->size_bytes = 300;
	l->offloaded_metadata->inferred_type = simple_type(CACHET_SIMPLE_STRING);
	return l;
}
static void *v_hash_metadata(void)
{
	cachet_literal *l = lit_of(cachet_literal_new_integer(1));
	assert_int_equal(cachet_literal_set_hash(l, "h"), 0);
	assert_int_equal(cachet_literal_set_metadata(l, "k", "v"), 0);
	return l;
}
static void *v_metadata_empty(void)
{
	cachet_literal *l = xnew(&cachet__literal_desc);
	map_put(&cachet__literal_desc, l, 5, "", xs(""));
	return l;
}
static void *v_literal_map(void)
{
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "a", cachet_literal_new_integer(1)), 0);
	return m;
}
static void *v_literal_map_empty_value(void)
{
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "a", xnew(&cachet__literal_desc)), 0);
	return m;
}
static void *v_empty_literal(void) { return xnew(&cachet__literal_desc); }

static void *t_simple(void) { return simple_type(CACHET_SIMPLE_INTEGER); }
static void *t_simple_none(void) { return simple_type(CACHET_SIMPLE_NONE); }
static void *t_simple_negative(void) { return simple_type(-1); }
static void *t_schema(void)
{
	cachet_literal_type *t = xnew(&cachet__literal_type_desc);
	cachet_schema_column *c = xnew(&cachet__schema_column_desc);
	t->kind = CACHET_TYPE_SCHEMA;
	t->schema = xnew(&cachet__schema_type_desc);
	c->name = xs("a"); /* type INTEGER is 0: left out */
	push(&cachet__schema_type_desc, t->schema, 3, c);
	return t;
}
static void *t_collection(void)
{
	cachet_literal_type *t = cachet_literal_type_new_collection(simple_type(CACHET_SIMPLE_STRING));
	assert_non_null(t);
	return t;
}
static void *t_map(void)
{
	cachet_literal_type *t = cachet_literal_type_new_map(simple_type(CACHET_SIMPLE_FLOAT));
	assert_non_null(t);
	return t;
}
static void *t_blob(void)
{
	cachet_literal_type *t = cachet_literal_type_new_blob("csv", CACHET_BLOB_SINGLE);
	assert_non_null(t);
	return t;
}
static void *t_enum(void)
{
	cachet_literal_type *t = xnew(&cachet__literal_type_desc);
	t->kind = CACHET_TYPE_ENUM;
	t->enum_type = xnew(&cachet__enum_type_desc);
	push(&cachet__enum_type_desc, t->enum_type, 1, xs("a"));
	push(&cachet__enum_type_desc, t->enum_type, 1, xs("b"));
	return t;
}
static void *t_dataset(void)
{
	cachet_literal_type *t = xnew(&cachet__literal_type_desc);
	cachet_structured_dataset_type *s = xnew(&cachet__structured_dataset_type_desc);
	cachet_dataset_column *c = xnew(&cachet__dataset_column_desc);
	t->kind = CACHET_TYPE_STRUCTURED_DATASET;
	t->structured_dataset_type = s;
	c->name = xs("c");
	c->literal_type = simple_type(CACHET_SIMPLE_INTEGER);
	push(&cachet__structured_dataset_type_desc, s, 1, c);
	s->format = xs("parquet");
	s->external_schema_type = xs("arrow");
	s->external_schema_bytes.data = cachet__malloc(2);
	assert_non_null(s->external_schema_bytes.data);
	s->external_schema_bytes.data[0] = 1;
	s->external_schema_bytes.data[1] = 2;
	s->external_schema_bytes.len = 2;
	return t;
}
static void *t_union(void)
{
	cachet_literal_type *t = xnew(&cachet__literal_type_desc);
	t->kind = CACHET_TYPE_UNION;
	t->union_type = xnew(&cachet__union_type_desc);
	push(&cachet__union_type_desc, t->union_type, 1, simple_type(CACHET_SIMPLE_INTEGER));
	push(&cachet__union_type_desc, t->union_type, 1, simple_type(CACHET_SIMPLE_STRING));
	return t;
}
static void *t_extras(void)
{
	cachet_literal_type *t = simple_type(CACHET_SIMPLE_INTEGER);
	cachet_value *v = json_value(CACHET_VALUE_STRING), *one = json_value(CACHET_VALUE_NUMBER);
	v->string_value = xs("v");
	one->number_value = 1.0;
	t->metadata = xnew(&cachet__struct_desc);
	map_put(&cachet__struct_desc, t->metadata, 1, "k", v);
	t->annotation = xnew(&cachet__type_annotation_desc);
	t->annotation->annotations = xnew(&cachet__struct_desc);
	map_put(&cachet__struct_desc, t->annotation->annotations, 1, "a", one);
	t->structure = xnew(&cachet__type_structure_desc);
	t->structure->tag = xs("t");
	map_put(&cachet__type_structure_desc, t->structure, 2, "x",
		simple_type(CACHET_SIMPLE_BOOLEAN));
	return t;
}
static void *i_interface(void)
{
	cachet_interface *i = NULL;
	assert_int_equal(cachet_interface_new(&i), 0);
	assert_int_equal(cachet_interface_add(i, false, "x", simple_type(CACHET_SIMPLE_INTEGER), "d"),
			 0);
	assert_int_equal(cachet_interface_add(i, true, "o", simple_type(CACHET_SIMPLE_STRING), NULL),
			 0);
	return i;
}

typedef struct vector {
	const char *name;
	const cachet__message_desc *desc;
	void *(*build)(void);
	const char *hex;
} vector;

#define LIT &cachet__literal_desc
#define TYPE &cachet__literal_type_desc
static const vector vectors[] = {
	{"integer 1", LIT, v_int1, "0a 04 0a 02 08 01"},
	/* a oneof member at its zero value is still written */
	{"integer 0", LIT, v_int0, "0a 04 0a 02 08 00"},
	/* 300 = 0b10_0101100: ac 02 */
	{"integer 300", LIT, v_int_300, "0a 05 0a 03 08 ac 02"},
	/* negative int64: two's complement, 10 bytes */
	{"integer -1", LIT, v_int_neg, "0a 0d 0a 0b 08 ff ff ff ff ff ff ff ff ff 01"},
	{"integer max", LIT, v_int_max, "0a 0c 0a 0a 08 ff ff ff ff ff ff ff ff 7f"},
	{"integer min", LIT, v_int_min, "0a 0d 0a 0b 08 80 80 80 80 80 80 80 80 80 01"},
	/* 1.5 = 0x3ff8000000000000, little-endian after tag 0x11 (field 2, I64) */
	{"float 1.5", LIT, v_float, "0a 0b 0a 09 11 00 00 00 00 00 00 f8 3f"},
	{"float +0", LIT, v_float_zero, "0a 0b 0a 09 11 00 00 00 00 00 00 00 00"},
	{"float -0", LIT, v_float_negzero, "0a 0b 0a 09 11 00 00 00 00 00 00 00 80"},
	{"string", LIT, v_string, "0a 06 0a 04 1a 02 68 69"},
	{"string empty", LIT, v_string_empty, "0a 04 0a 02 1a 00"},
	{"boolean true", LIT, v_true, "0a 04 0a 02 20 01"},
	{"boolean false", LIT, v_false, "0a 04 0a 02 20 00"},
	{"datetime", LIT, v_datetime, "0a 08 0a 06 2a 04 08 01 10 02"},
	/* a present, empty Timestamp: a zero-length field */
	{"datetime epoch", LIT, v_datetime_epoch, "0a 04 0a 02 2a 00"},
	/* nanos -500 is an int32: sign-extended to 64 bits, 10 bytes */
	{"duration", LIT, v_duration,
	 "0a 1a 0a 18 32 16 08 ff ff ff ff ff ff ff ff ff 01 10 8c fc ff ff ff ff ff ff ff 01"},
	{"none", LIT, v_none, "0a 02 2a 00"},
	{"blob", LIT, v_blob,
	 "0a 17 12 15 0a 09 0a 07 0a 03 63 73 76 10 01 1a 08 73 33 3a 2f 2f 62 2f 6b"},
	{"binary", LIT, v_binary, "0a 09 1a 07 0a 02 00 ff 12 01 74"},
	{"schema", LIT, v_schema, "0a 0e 22 0c 0a 01 75 1a 07 1a 05 0a 01 63 10 02"},
	{"error", LIT, v_error, "0a 08 32 06 0a 01 6e 12 01 6d"},
	{"generic", LIT, v_generic,
	 "0a 14 3a 12 0a 07 0a 01 61 12 02 08 00 0a 07 0a 01 62 12 02 20 01"},
	{"generic list/number/struct", LIT, v_generic2,
	 "0a 29 3a 27 0a 0c 0a 01 6c 12 07 32 05 0a 03 1a 01 78 0a 0e 0a 01 6e 12 09 11 00 00 00 "
	 "00 00 00 00 40 0a 07 0a 01 6f 12 02 2a 00"},
	{"structured dataset", LIT, v_dataset,
	 "0a 12 42 10 0a 01 75 12 0b 0a 09 12 07 70 61 72 71 75 65 74"},
	{"union", LIT, v_union, "0a 0e 4a 0c 0a 06 0a 04 0a 02 08 01 12 02 08 01"},
	{"collection", LIT, v_collection, "12 10 0a 06 0a 04 0a 02 08 01 0a 06 0a 04 0a 02 08 02"},
	{"collection empty", LIT, v_collection_empty, "12 00"},
	{"map", LIT, v_map, "1a 0d 0a 0b 0a 01 61 12 06 0a 04 0a 02 08 01"},
	{"offloaded", LIT, v_offloaded, "42 0a 0a 01 75 10 ac 02 1a 02 08 03"},
	/* Go writes the oneof (scalar, 1) after hash (4) and metadata (5) */
	{"hash and metadata", LIT, v_hash_metadata,
	 "22 01 68 2a 06 0a 01 6b 12 01 76 0a 04 0a 02 08 01"},
	/* map entries carry key and value even when both are empty */
	{"metadata empty entry", LIT, v_metadata_empty, "2a 04 0a 00 12 00"},
	{"empty literal", LIT, v_empty_literal, ""},
	{"literal map", &cachet__literal_map_desc, v_literal_map,
	 "0a 0b 0a 01 61 12 06 0a 04 0a 02 08 01"},
	{"literal map, empty value", &cachet__literal_map_desc, v_literal_map_empty_value,
	 "0a 05 0a 01 61 12 00"},
	{"type simple", TYPE, t_simple, "08 01"},
	{"type simple NONE", TYPE, t_simple_none, "08 00"},
	{"type simple -1", TYPE, t_simple_negative, "08 ff ff ff ff ff ff ff ff ff 01"},
	{"type schema", TYPE, t_schema, "12 05 1a 03 0a 01 61"},
	{"type collection", TYPE, t_collection, "1a 02 08 03"},
	{"type map", TYPE, t_map, "22 02 08 02"},
	{"type blob", TYPE, t_blob, "2a 05 0a 03 63 73 76"},
	{"type enum", TYPE, t_enum, "3a 06 0a 01 61 0a 01 62"},
	{"type structured dataset", TYPE, t_dataset,
	 "42 1d 0a 07 0a 01 63 12 02 08 01 12 07 70 61 72 71 75 65 74 1a 05 61 72 72 6f 77 22 02 "
	 "01 02"},
	{"type union", TYPE, t_union, "52 08 0a 02 08 01 0a 02 08 03"},
	/* fields 1, 6, 9, 11 in number order */
	/* the simple type (1, in the oneof) goes after the other fields */
	{"type metadata/annotation/structure", TYPE, t_extras,
	 "32 0a 0a 08 0a 01 6b 12 03 1a 01 76 4a 12 0a 10 0a 0e 0a 01 61 12 09 11 00 00 00 "
	 "00 00 00 f0 3f 5a 0c 0a 01 74 12 07 0a 01 78 12 02 08 04 08 01"},
	{"interface", &cachet__interface_desc, i_interface,
	 "0a 0e 0a 0c 0a 01 78 12 07 0a 02 08 01 12 01 64 12 0b 0a 09 0a 01 6f 12 04 0a 02 08 03"},
};
#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* encode(build) == bytes, decode(bytes) == build, decode -> encode == bytes */
static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		const vector *v = &vectors[i];
		bytes b = hex(v->hex);
		void *built = v->build();
		void *decoded;

		context = v->name;
		assert_encodes(v->desc, built, &b);
		decoded = assert_round_trip(v->desc, &b);
		if (!cachet__message_equal(v->desc, built, decoded))
			fail_msg("%s: decoded value differs from the built one", v->name);
		cachet__message_free(v->desc, built);
		cachet__message_free(v->desc, decoded);
		free(b.data);
	}
	context = "";
}

/* The LiteralMap {"a": integer 1}, and the value it decodes to. */
static void test_literal_map_example(void **state)
{
	(void)state;
	cachet_literal_map *m = decode_hex(&cachet__literal_map_desc,
					   "0a 0b 0a 01 61 12 06 0a 04 0a 02 08 01");
	assert_int_equal(m->n_literals, 1);
	assert_string_equal(m->literals[0].key, "a");
	cachet_literal *a = m->literals[0].value;
	assert_int_equal(a->kind, CACHET_LITERAL_SCALAR);
	assert_int_equal(a->scalar->kind, CACHET_SCALAR_PRIMITIVE);
	assert_int_equal(a->scalar->primitive->kind, CACHET_PRIMITIVE_INTEGER);
	assert_int_equal(a->scalar->primitive->integer, 1);
	cachet_literal_map_free(m);
}

/* ---------------------------------------------------------------------- */
/* Fixtures written by Google's encoder */

static void test_fixture_all_literals(void **state)
{
	(void)state;
	bytes b = read_fixture("literal_map_all_kinds.pb");
	cachet_literal_map *m = assert_round_trip(&cachet__literal_map_desc, &b);
	const cachet__message_desc *MD = &cachet__literal_map_desc;
	cachet_literal *l;

	assert_int_equal(m->n_literals, 20);
	for (size_t i = 1; i < m->n_literals; i++)
		assert_true(strcmp(m->literals[i - 1].key, m->literals[i].key) < 0);

	l = map_value(MD, m, 1, "integer");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_INTEGER);
	assert_int_equal(l->scalar->primitive->integer, -42);
	l = map_value(MD, m, 1, "integer_zero");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_INTEGER);
	assert_int_equal(l->scalar->primitive->integer, 0);
	l = map_value(MD, m, 1, "float");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_FLOAT);
	assert_true(bits_of(l->scalar->primitive->float_value) == bits_of(1.3));
	l = map_value(MD, m, 1, "string");
	assert_string_equal(l->scalar->primitive->string_value,
			    "h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80");
	l = map_value(MD, m, 1, "boolean");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_BOOLEAN);
	assert_true(l->scalar->primitive->boolean);
	l = map_value(MD, m, 1, "datetime");
	assert_int_equal(l->scalar->primitive->datetime->seconds, 1553860800);
	assert_int_equal(l->scalar->primitive->datetime->nanos, 5);
	l = map_value(MD, m, 1, "duration");
	assert_int_equal(l->scalar->primitive->duration->seconds, -3);
	assert_int_equal(l->scalar->primitive->duration->nanos, -500);
	l = map_value(MD, m, 1, "none");
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_NONE);
	assert_non_null(l->scalar->none_type);
	l = map_value(MD, m, 1, "blob");
	assert_string_equal(l->scalar->blob->uri, "s3://bucket/dir/");
	assert_string_equal(l->scalar->blob->metadata->type->format, "csv");
	assert_int_equal(l->scalar->blob->metadata->type->dimensionality, CACHET_BLOB_MULTIPART);
	l = map_value(MD, m, 1, "binary");
	assert_int_equal(l->scalar->binary->value.len, 256);
	for (size_t i = 0; i < 256; i++)
		assert_int_equal(l->scalar->binary->value.data[i], i);
	assert_string_equal(l->scalar->binary->tag, "raw");
	l = map_value(MD, m, 1, "schema");
	assert_string_equal(l->scalar->schema->uri, "s3://bucket/schema");
	assert_int_equal(l->scalar->schema->type->n_columns, 1);
	assert_string_equal(l->scalar->schema->type->columns[0]->name, "when");
	assert_int_equal(l->scalar->schema->type->columns[0]->type, CACHET_COLUMN_DATETIME);
	l = map_value(MD, m, 1, "error");
	assert_string_equal(l->scalar->error->failed_node_id, "n0");
	assert_string_equal(l->scalar->error->message, "boom");

	l = map_value(MD, m, 1, "generic");
	cachet_struct *g = l->scalar->generic;
	assert_int_equal(g->n_fields, 6);
	const char *keys[] = {"b", "l", "n", "o", "s", "z"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(g->fields[i].key, keys[i]);
	assert_int_equal(g->fields[0].value->kind, CACHET_VALUE_BOOL);
	assert_false(g->fields[0].value->bool_value);
	cachet_list_value *lv = g->fields[1].value->list_value;
	assert_int_equal(lv->n_values, 2);
	assert_true(lv->values[0]->number_value == 1.0);
	assert_string_equal(lv->values[1]->string_value, "two");
	assert_true(g->fields[2].value->number_value == 2.5);
	cachet_struct *o = g->fields[3].value->struct_value;
	assert_int_equal(o->n_fields, 1);
	assert_string_equal(o->fields[0].key, "k");
	assert_true(o->fields[0].value->bool_value);
	assert_string_equal(g->fields[4].value->string_value, "x");
	assert_int_equal(g->fields[5].value->kind, CACHET_VALUE_NULL);

	l = map_value(MD, m, 1, "dataset");
	assert_string_equal(l->scalar->structured_dataset->uri, "s3://bucket/df.parquet");
	cachet_structured_dataset_type *sdt =
		l->scalar->structured_dataset->metadata->structured_dataset_type;
	assert_string_equal(sdt->format, "parquet");
	assert_int_equal(sdt->n_columns, 1);
	assert_string_equal(sdt->columns[0]->name, "a");
	assert_int_equal(sdt->columns[0]->literal_type->simple, CACHET_SIMPLE_INTEGER);
	l = map_value(MD, m, 1, "union");
	assert_string_equal(l->scalar->union_->value->scalar->primitive->string_value, "u");
	assert_int_equal(l->scalar->union_->type->simple, CACHET_SIMPLE_STRING);
	l = map_value(MD, m, 1, "collection");
	assert_int_equal(l->collection->n_literals, 4);
	for (int i = 0; i < 3; i++)
		assert_int_equal(l->collection->literals[i]->scalar->primitive->integer, i + 1);
	assert_int_equal(l->collection->literals[3]->kind, CACHET_LITERAL_NOT_SET);
	l = map_value(MD, m, 1, "map");
	assert_int_equal(l->map->n_literals, 2);
	assert_true(bits_of(l->map->literals[0].value->scalar->primitive->float_value) ==
		    UINT64_C(0x8000000000000000));
	assert_string_equal(l->map->literals[1].value->hash, "abc");
	l = map_value(MD, m, 1, "offloaded");
	assert_string_equal(l->offloaded_metadata->uri, "s3://bucket/big");
	assert_true(l->offloaded_metadata->size_bytes == UINT64_C(1) << 40);
	assert_int_equal(l->offloaded_metadata->inferred_type->kind, CACHET_TYPE_COLLECTION);
	assert_int_equal(l->offloaded_metadata->inferred_type->collection_type->simple,
			 CACHET_SIMPLE_INTEGER);
	l = map_value(MD, m, 1, "hashed");
	assert_string_equal(l->hash, "sha256:feed");
	assert_int_equal(l->n_metadata, 3);
	assert_string_equal(l->metadata[0].key, "");
	assert_string_equal(l->metadata[0].value, "");
	assert_string_equal(l->metadata[1].key, "a");
	assert_string_equal(l->metadata[1].value, "1");
	assert_string_equal(l->metadata[2].key, "b");
	l = map_value(MD, m, 1, "empty");
	assert_int_equal(l->kind, CACHET_LITERAL_NOT_SET);
	assert_true(l->hash == NULL || l->hash[0] == '\0');

	/* encode -> decode gives an equal value */
	cachet_buf buf = CACHET_BUF_INIT;
	assert_int_equal(cachet__wire_encode(MD, m, &buf), 0);
	bytes again = {(uint8_t *)buf.ptr, buf.len};
	cachet_literal_map *m2 = decode_ok(MD, &again);
	assert_true(cachet__message_equal(MD, m, m2));
	cachet_literal_map_free(m2);
	cachet__buf_dispose(&buf);

	cachet_literal_map_free(m);
	free(b.data);
}

static void test_fixture_all_types(void **state)
{
	(void)state;
	bytes b = read_fixture("interface_all_types.pb");
	cachet_interface *iface = assert_round_trip(&cachet__interface_desc, &b);
	const cachet__message_desc *VM = &cachet__variable_map_desc;
	cachet_variable *v;

	assert_int_equal(iface->inputs->n_variables, 10);
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "simple");
	assert_int_equal(v->type->simple, CACHET_SIMPLE_STRUCT);
	assert_string_equal(v->description, "a struct");
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "none");
	assert_int_equal(v->type->kind, CACHET_TYPE_SIMPLE);
	assert_int_equal(v->type->simple, CACHET_SIMPLE_NONE);
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "schema");
	assert_int_equal(v->type->schema->columns[0]->type, CACHET_COLUMN_FLOAT);
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "collection");
	assert_int_equal(v->type->collection_type->simple, CACHET_SIMPLE_STRING);
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "map");
	assert_int_equal(v->type->map_value_type->collection_type->simple, CACHET_SIMPLE_FLOAT);
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "blob");
	assert_string_equal(v->type->blob->format, "csv");
	assert_int_equal(v->type->blob->dimensionality, CACHET_BLOB_SINGLE);
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "enum");
	assert_int_equal(v->type->enum_type->n_values, 2);
	assert_string_equal(v->type->enum_type->values[0], "red");
	assert_string_equal(v->type->enum_type->values[1], "green");
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "dataset");
	cachet_structured_dataset_type *s = v->type->structured_dataset_type;
	assert_string_equal(s->format, "parquet");
	assert_string_equal(s->external_schema_type, "arrow");
	assert_int_equal(s->external_schema_bytes.len, 3);
	assert_memory_equal(s->external_schema_bytes.data, "\x00\x01\xff", 3);
	assert_int_equal(s->columns[0]->literal_type->simple, CACHET_SIMPLE_DATETIME);
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "union");
	assert_int_equal(v->type->union_type->n_variants, 2);
	assert_int_equal(v->type->union_type->variants[1]->kind, CACHET_TYPE_SIMPLE);
	assert_int_equal(v->type->union_type->variants[1]->simple, CACHET_SIMPLE_NONE);
	v = (cachet_variable *)map_value(VM, iface->inputs, 1, "annotated");
	assert_string_equal(v->type->metadata->fields[0].key, "k");
	assert_true(v->type->annotation->annotations->fields[0].value->bool_value);
	assert_string_equal(v->type->structure->tag, "dataclass");
	assert_int_equal(v->type->structure->n_dataclass_type, 2);
	assert_string_equal(v->type->structure->dataclass_type[0].key, "e");
	assert_int_equal(v->type->structure->dataclass_type[1].value->simple, CACHET_SIMPLE_BOOLEAN);
	assert_int_equal(iface->outputs->n_variables, 2);
	v = (cachet_variable *)map_value(VM, iface->outputs, 1, "o1");
	assert_non_null(v->type);
	assert_int_equal(v->type->kind, CACHET_TYPE_NOT_SET);

	cachet_interface_free(iface);
	free(b.data);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_fixture_big_map(void **state)
{
	(void)state;
	bytes b = read_fixture("literal_map_1000.pb");
	cachet_literal_map *m = assert_round_trip(&cachet__literal_map_desc, &b);

	assert_int_equal(m->n_literals, 1000);
	for (size_t i = 0; i < 1000; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%05zu", i);
		assert_string_equal(m->literals[i].key, key);
		assert_int_equal(m->literals[i].value->scalar->primitive->integer, i);
	}
	cachet_literal_map_free(m);

	/* Informational only (sanitizers make it slower): the time per decode. */
	double t0 = now_seconds();
	for (int i = 0; i < 20; i++) {
		m = decode_ok(&cachet__literal_map_desc, &b);
		cachet_literal_map_free(m);
	}
	print_message("decode of 1000 entries: %.3f ms\n", (now_seconds() - t0) / 20 * 1e3);
	free(b.data);
}

/*
 * Fixtures that Go's deterministic marshal wrote (tests/fixtures/wire-go,
 * scripts/gen-fixtures-go): every message with a oneof beside other
 * fields, where Go writes the oneof last. Decoding and encoding again must
 * give Go's bytes exactly.
 */
static const struct go_fixture {
	const char *name;
	const cachet__message_desc *desc;
} go_fixtures[] = {
	{"lit-scalar-hash-metadata", LIT},
	{"lit-scalar-hash", LIT},
	{"lit-scalar-metadata", LIT},
	{"lit-collection-hash", LIT},
	{"lit-map-metadata", LIT},
	{"lit-offloaded-hash", LIT},
	{"lit-primitives", LIT},
	{"lit-union", LIT},
	{"lit-generic", LIT},
	{"lit-dataset", LIT},
	{"lit-blob-schema-binary-error-none", LIT},
	{"type-simple-decorated", TYPE},
	{"type-simple-structure", TYPE},
	{"type-collection", TYPE},
	{"type-map-value", TYPE},
	{"type-blob", TYPE},
	{"type-schema", TYPE},
	{"type-enum", TYPE},
	{"type-dataset", TYPE},
	{"type-union", TYPE},
	{"type-dataclass", TYPE},
	{"iface-artifacts", &cachet__interface_desc},
	{"map-struct-nonfinite", &cachet__literal_map_desc},
};

static bytes read_go_fixture(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "tests/fixtures/wire-go/%s.pb", name);
	return read_source_file(rel);
}

static void test_fixtures_go_order(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(go_fixtures) / sizeof(go_fixtures[0]); i++) {
		bytes b = read_go_fixture(go_fixtures[i].name);
		context = go_fixtures[i].name;
		cachet__message_free(go_fixtures[i].desc, assert_round_trip(go_fixtures[i].desc, &b));
		free(b.data);
	}
	context = "";

	/* the first one, by hand: hash (22), metadata (2a) a=1 and b=2, then
	 * the scalar (0a) integer 1 */
	bytes b = read_go_fixture("lit-scalar-hash-metadata");
	bytes want = hex("22 01 68 2a 06 0a 01 61 12 01 31 2a 06 0a 01 62 12 01 32 0a 04 0a 02 08 01");
	assert_bytes(b.data, b.len, want.data, want.len);
	free(b.data);
	free(want.data);
}

/* The order by hand, for a oneof beside a message field, and for two
 * oneofs (no Flyte message has two; a table made up for the test). */
struct two_oneofs {
	int first_kind;
	union {
		int64_t a; /* 5 */
		bool b;    /* 1 */
	};
	int second_kind;
	union {
		int64_t c; /* 2 */
		int64_t d; /* 6 */
	};
	int64_t plain; /* 9 */
};

static const cachet__field_desc two_oneofs_fields[] = {
	{1, "b", "b", CACHET__BOOL, CACHET__SINGULAR, offsetof(struct two_oneofs, b), 0,
	 offsetof(struct two_oneofs, first_kind), NULL, NULL, 0},
	{2, "c", "c", CACHET__INT64, CACHET__SINGULAR, offsetof(struct two_oneofs, c), 0,
	 offsetof(struct two_oneofs, second_kind), NULL, NULL, 1},
	{5, "a", "a", CACHET__INT64, CACHET__SINGULAR, offsetof(struct two_oneofs, a), 0,
	 offsetof(struct two_oneofs, first_kind), NULL, NULL, 0},
	{6, "d", "d", CACHET__INT64, CACHET__SINGULAR, offsetof(struct two_oneofs, d), 0,
	 offsetof(struct two_oneofs, second_kind), NULL, NULL, 1},
	{9, "plain", "plain", CACHET__INT64, CACHET__SINGULAR, offsetof(struct two_oneofs, plain), 0,
	 CACHET__NOT_ONEOF, NULL, NULL, 0},
};
static const cachet__message_desc two_oneofs_desc = {
	"test.TwoOneofs", sizeof(struct two_oneofs), two_oneofs_fields,
	sizeof(two_oneofs_fields) / sizeof(two_oneofs_fields[0]), CACHET__WKT_NONE};

static void test_go_order_by_hand(void **state)
{
	(void)state;
	/* ArtifactBindingData {partition_key "k", time_transform {transform
	 * "t"}}: time_transform (7) first, then the oneof's partition_key (5) */
	cachet_artifact_binding_data *abd = xnew(&cachet__artifact_binding_data_desc);
	abd->kind = CACHET_PARTITION_DATA_KEY;
	abd->partition_key = xs("k");
	abd->time_transform = xnew(&cachet__time_transform_desc);
	abd->time_transform->transform = xs("t");
	context = "artifact binding data";
	assert_encodes_hex(&cachet__artifact_binding_data_desc, abd, "3a 03 0a 01 74 2a 01 6b");
	cachet__message_free(&cachet__artifact_binding_data_desc, abd);

	/* plain (9) first; then the first oneof (a = 5); then the second
	 * (c = 2), though 2 < 5 */
	struct two_oneofs t = {.first_kind = 5, .a = 1, .second_kind = 2, .c = 3, .plain = 4};
	context = "two oneofs";
	assert_encodes_hex(&two_oneofs_desc, &t, "48 04 28 01 10 03");
	t.first_kind = 1;
	t.b = false; /* a set member is written even when false */
	t.second_kind = 6;
	t.d = 7;
	t.plain = 0;
	assert_encodes_hex(&two_oneofs_desc, &t, "08 00 30 07");
	context = "";
}

static const cachet_label_value *partition(const cachet_partitions *p, const char *key)
{
	for (size_t i = 0; i < p->n_value; i++)
		if (strcmp(p->value[i].key, key) == 0)
			return p->value[i].value;
	fail_msg("no partition '%s'", key);
	return NULL;
}

/* The artifact fields of the Go fixture decode to what the generator put
 * in them (scripts/gen-fixtures-go/main.go, interfaces()). */
static void test_fixture_go_artifacts(void **state)
{
	(void)state;
	bytes b = read_go_fixture("iface-artifacts");
	cachet_interface *iface = decode_ok(&cachet__interface_desc, &b);
	const cachet_variable *in_b = cachet_variable_map_get(iface->inputs, "b");
	const cachet_variable *out_o = cachet_variable_map_get(iface->outputs, "o");
	const cachet_variable *out_t = cachet_variable_map_get(iface->outputs, "t");
	const cachet_label_value *v;

	assert_non_null(in_b);
	assert_null(cachet_variable_map_get(iface->inputs, "a")->artifact_partial_id);
	const cachet_artifact_id *id = in_b->artifact_partial_id;
	assert_string_equal(id->artifact_key->project, "p");
	assert_string_equal(id->artifact_key->domain, "d");
	assert_string_equal(id->artifact_key->name, "in");
	assert_string_equal(id->artifact_key->org, "o");
	assert_string_equal(id->version, "v1");
	assert_int_equal(id->partitions->n_value, 7);
	v = partition(id->partitions, "static");
	assert_int_equal(v->kind, CACHET_LABEL_VALUE_STATIC);
	assert_string_equal(v->static_value, "s");
	v = partition(id->partitions, "time");
	assert_int_equal(v->kind, CACHET_LABEL_VALUE_TIME);
	assert_int_equal(v->time_value->seconds, 1700000000);
	v = partition(id->partitions, "key");
	assert_int_equal(v->kind, CACHET_LABEL_VALUE_TRIGGERED);
	assert_int_equal(v->triggered_binding->kind, CACHET_PARTITION_DATA_KEY);
	assert_string_equal(v->triggered_binding->partition_key, "region");
	assert_string_equal(v->triggered_binding->time_transform->transform, "P1D");
	assert_int_equal(v->triggered_binding->time_transform->op, CACHET_OPERATOR_MINUS);
	v = partition(id->partitions, "totime");
	assert_int_equal(v->triggered_binding->kind, CACHET_PARTITION_DATA_TIME);
	assert_true(v->triggered_binding->bind_to_time_partition);
	assert_int_equal(v->triggered_binding->time_transform->op, CACHET_OPERATOR_PLUS);
	v = partition(id->partitions, "nodata");
	assert_int_equal(v->triggered_binding->kind, CACHET_PARTITION_DATA_NOT_SET);
	v = partition(id->partitions, "input");
	assert_int_equal(v->kind, CACHET_LABEL_VALUE_INPUT);
	assert_string_equal(v->input_binding->var, "x");
	v = partition(id->partitions, "runtime");
	assert_int_equal(v->kind, CACHET_LABEL_VALUE_RUNTIME);
	assert_non_null(v->runtime_binding);
	assert_int_equal(id->time_partition->granularity, CACHET_GRANULARITY_DAY);
	assert_string_equal(id->time_partition->value->static_value, "2024-01-01");

	/* a oneof member set to false is still set */
	v = out_o->artifact_partial_id->time_partition->value;
	assert_int_equal(v->triggered_binding->kind, CACHET_PARTITION_DATA_TIME);
	assert_false(v->triggered_binding->bind_to_time_partition);
	assert_int_equal(out_o->artifact_partial_id->time_partition->granularity,
			 CACHET_GRANULARITY_MONTH);
	assert_string_equal(out_o->artifact_tag->value->static_value, "latest");
	assert_null(out_t->artifact_tag->artifact_key->name);
	assert_int_equal(out_t->artifact_tag->value->kind, CACHET_LABEL_VALUE_INPUT);

	/* copy and equality see them */
	cachet_interface *copy = NULL;
	assert_int_equal(cachet_interface_copy(&copy, iface), 0);
	assert_true(cachet_interface_equal(copy, iface));
	cachet_variable_map_get(copy->outputs, "o")->artifact_partial_id->time_partition->granularity =
		CACHET_GRANULARITY_DAY;
	assert_false(cachet_interface_equal(copy, iface));
	cachet_interface_free(copy);
	cachet_interface_free(iface);
	free(b.data);
}

/* Go writes NaN and infinite Struct numbers like any double. */
static void test_fixture_go_nonfinite(void **state)
{
	(void)state;
	bytes b = read_go_fixture("map-struct-nonfinite");
	cachet_literal_map *m = decode_ok(&cachet__literal_map_desc, &b);
	const cachet_struct *st = cachet_literal_map_get(m, "s")->scalar->generic;

	assert_int_equal(st->n_fields, 4);
	assert_string_equal(st->fields[0].key, "inf");
	assert_true(isinf(st->fields[0].value->number_value));
	assert_true(st->fields[0].value->number_value > 0);
	assert_string_equal(st->fields[1].key, "list");
	assert_true(isinf(st->fields[1].value->list_value->values[0]->number_value));
	assert_string_equal(st->fields[2].key, "nan");
	assert_true(isnan(st->fields[2].value->number_value));
	assert_string_equal(st->fields[3].key, "ninf");
	assert_true(isinf(st->fields[3].value->number_value));
	assert_true(st->fields[3].value->number_value < 0);
	cachet_literal_map_free(m);
	free(b.data);
}

/* ---------------------------------------------------------------------- */
/* Unknown fields, wire types, merging, maps */

static void test_unknown_fields(void **state)
{
	(void)state;
	cachet_literal *want = cachet_literal_new_integer(1);
	cachet_literal *l;

	/* integer 1 followed by unknown fields of every wire type:
	 * 30 05: field 6 varint; 39 +8: field 7 fixed64; 4a 02 aa bb: field
	 * 9 bytes; 55 +4: field 10 fixed32; 5b .. 5c: group 11 holding a
	 * varint and the nested group 12 (63 .. 64). */
	l = decode_hex(LIT, "0a 04 0a 02 08 01 30 05 39 01 02 03 04 05 06 07 08 4a 02 aa bb "
			    "55 01 02 03 04 5b 08 01 63 10 02 64 5c");
	assert_true(cachet_literal_equal(l, want));
	assert_encodes_hex(LIT, l, "0a 04 0a 02 08 01");
	cachet_literal_free(l);

	/* the same, inside the Primitive, and before the known field */
	l = decode_hex(LIT, "0a 0f 0a 0d 5b 63 64 5c 30 05 55 01 02 03 04 08 01");
	assert_true(cachet_literal_equal(l, want));
	cachet_literal_free(l);

	/* the largest field number, 2^29 - 1: tag f8 ff ff ff 0f */
	l = decode_hex(LIT, "f8 ff ff ff 0f 00 0a 04 0a 02 08 01");
	assert_true(cachet_literal_equal(l, want));
	cachet_literal_free(l);

	/* known fields with the wrong wire type are skipped like unknown ones:
	 * hash (4, string) as a varint; integer (1, varint) as bytes; scalar
	 * (1, message) as fixed32 and as a group */
	l = decode_hex(LIT, "20 07 0a 04 0a 02 08 01 0d 01 02 03 04 0b 0c");
	assert_true(cachet_literal_equal(l, want));
	cachet_literal_free(l);
	l = decode_hex(LIT, "0a 04 0a 02 0a 00");
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_PRIMITIVE);
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_NOT_SET);
	cachet_literal_free(l);

	/* Void has no fields: all skipped */
	l = decode_hex(LIT, "0a 06 2a 04 08 01 10 02");
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_NONE);
	assert_encodes_hex(LIT, l, "0a 02 2a 00");
	cachet_literal_free(l);

	/* A Variable's artifact fields 3 and 4 are known, its field 5 is not:
	 * 1a 05: artifact_partial_id {artifact_key {project "p"}}; 22 02:
	 * artifact_tag {artifact_key {}}; 2a 01 78: field 5, skipped */
	cachet_variable *v = decode_hex(&cachet__variable_desc,
					"0a 02 08 01 1a 05 0a 03 0a 01 70 22 02 0a 00 2a 01 78 12 01 64");
	assert_int_equal(v->type->simple, CACHET_SIMPLE_INTEGER);
	assert_string_equal(v->description, "d");
	assert_string_equal(v->artifact_partial_id->artifact_key->project, "p");
	assert_null(v->artifact_partial_id->artifact_key->name);
	assert_non_null(v->artifact_tag->artifact_key);
	assert_null(v->artifact_tag->value);
	assert_encodes_hex(&cachet__variable_desc, v,
			   "0a 02 08 01 12 01 64 1a 05 0a 03 0a 01 70 22 02 0a 00");
	cachet__message_free(&cachet__variable_desc, v);

	cachet_literal_free(want);
}

static void test_malformed(void **state)
{
	(void)state;
	/* wire structure */
	decode_fails(LIT, "80", CACHET_EINVALID, "truncated tag at byte 0");
	decode_fails(LIT, "00 00", CACHET_EINVALID, "invalid field number 0 at byte 0");
	decode_fails(LIT, "80 80 80 80 10 00", CACHET_EINVALID,
		     "invalid field number 536870912 at byte 0");
	decode_fails(LIT, "0e", CACHET_EINVALID, "invalid wire type 6 in field 1 at byte 0");
	decode_fails(LIT, "0f", CACHET_EINVALID, "invalid wire type 7 in field 1 at byte 0");
	decode_fails(LIT, "0c", CACHET_EINVALID, "end of group 1 without a start at byte 0");
	decode_fails(LIT, "0b 14", CACHET_EINVALID, "group 1 closed as group 2 at byte 1");
	decode_fails(LIT, "0b 08 01", CACHET_EINVALID, "unterminated group 1 at byte 0");
	decode_fails(LIT, "0a 05 0a 02", CACHET_EINVALID,
		     "truncated field 1 (length 5, 2 bytes left) at byte 0");
	decode_fails(LIT, "0a", CACHET_EINVALID, "truncated varint in field 1 at byte 0");
	decode_fails(LIT, "0a 04 0a 02 11 00", CACHET_EINVALID,
		     "scalar.primitive: truncated field 2 (8-byte value, 1 byte left) at byte 4");
	decode_fails(LIT, "0a 04 0a 02 08 80", CACHET_EINVALID,
		     "scalar.primitive: truncated varint in field 1 at byte 4");
	decode_fails(LIT, "25 00 00", CACHET_EINVALID,
		     "truncated field 4 (4-byte value, 2 bytes left) at byte 0");

	/* varints: at most 10 bytes, nothing beyond bit 63 */
	decode_fails(LIT, "0a 0d 0a 0b 08 ff ff ff ff ff ff ff ff ff 02", CACHET_EINVALID,
		     "scalar.primitive: malformed varint in field 1 at byte 4");
	decode_fails(LIT, "0a 0e 0a 0c 08 ff ff ff ff ff ff ff ff ff ff 01", CACHET_EINVALID,
		     "scalar.primitive: malformed varint in field 1 at byte 4");
	decode_fails(LIT, "0a 0e 0a 0c 08 80 80 80 80 80 80 80 80 80 80 00", CACHET_EINVALID,
		     "scalar.primitive: malformed varint in field 1 at byte 4");
	decode_fails(LIT, "ff ff ff ff ff ff ff ff ff ff 01", CACHET_EINVALID,
		     "malformed varint in tag at byte 0");
	/* a padded but in-range varint is accepted (Go does too) */
	cachet_literal *l = decode_hex(LIT, "0a 05 0a 03 08 81 00");
	assert_int_equal(l->scalar->primitive->integer, 1);
	cachet_literal_free(l);

	/* The example of wire.h: path, field, length, what is left, offset */
	decode_fails(&cachet__literal_map_desc,
		     "0a 10 0a 01 61 12 0b 0a 09 1a 14 00 00 00 00 00 00 00", CACHET_EINVALID,
		     "literals.a.scalar: truncated field 3 (length 20, 7 bytes left) at byte 9");
	/* an entry's framing error, before its key is known */
	decode_fails(&cachet__literal_map_desc, "0a 03 0a 05 61", CACHET_EINVALID,
		     "literals: truncated field 1 (length 5, 1 byte left) at byte 2");
	/* the key is found even when it comes after the value */
	decode_fails(&cachet__literal_map_desc, "0a 09 12 04 0a 02 22 05 0a 01 62", CACHET_EINVALID,
		     "literals.b.scalar: truncated field 4 (length 5, 0 bytes left) at byte 6");
	/* a long key is shortened in the path (to 64 bytes) */
	{
		char text[512] = "0a 6a 0a 64";
		for (int i = 0; i < 100; i++)
			strcat(text, " 78");
		strcat(text, " 12 02 22 05");
		char want[256];
		snprintf(want, sizeof(want),
			 "literals.%.64s...: truncated field 4 (length 5, 0 bytes left) at byte 106",
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		decode_fails(&cachet__literal_map_desc, text, CACHET_EINVALID, want);
	}
	/* repeated elements are indexed */
	decode_fails(LIT, "12 10 0a 06 0a 04 0a 02 08 01 0a 06 0a 04 0a 02 08 80", CACHET_EINVALID,
		     "collection.literals[1].scalar.primitive: truncated varint in field 1 at byte 16");
}

static void test_strings(void **state)
{
	(void)state;
	/* invalid UTF-8: a stray continuation byte, an overlong NUL, a
	 * surrogate, a truncated sequence */
	decode_fails(LIT, "0a 06 0a 04 1a 02 61 ff", CACHET_EINVALID,
		     "scalar.primitive.stringValue: invalid UTF-8 in string at byte 7");
	decode_fails(LIT, "0a 06 0a 04 1a 02 c0 80", CACHET_EINVALID,
		     "scalar.primitive.stringValue: invalid UTF-8 in string at byte 6");
	decode_fails(LIT, "0a 07 0a 05 1a 03 ed a0 80", CACHET_EINVALID,
		     "scalar.primitive.stringValue: invalid UTF-8 in string at byte 6");
	decode_fails(LIT, "0a 06 0a 04 1a 02 61 e2", CACHET_EINVALID,
		     "scalar.primitive.stringValue: invalid UTF-8 in string at byte 7");
	decode_fails(LIT, "22 02 61 80", CACHET_EINVALID, "hash: invalid UTF-8 in string at byte 3");
	decode_fails(&cachet__literal_map_desc, "0a 05 0a 01 ff 12 00", CACHET_EINVALID,
		     "literals: invalid UTF-8 in map key at byte 4");
	decode_fails(LIT, "2a 07 0a 01 6b 12 02 76 ff", CACHET_EINVALID,
		     "metadata.k: invalid UTF-8 in string at byte 8");
	decode_fails(&cachet__enum_type_desc, "0a 01 61 0a 01 fe", CACHET_EINVALID,
		     "values[1]: invalid UTF-8 in string at byte 5");
	/* embedded NUL: valid UTF-8, kept with its length (test_nul.c has
	 * every kind of string) */
	cachet_literal *l = decode_hex(LIT, "0a 07 0a 05 1a 03 61 00 62");
	assert_int_equal(cachet_str_len(l->scalar->primitive->string_value), 3);
	assert_memory_equal(l->scalar->primitive->string_value, "a\0b", 4);
	assert_encodes_hex(LIT, l, "0a 07 0a 05 1a 03 61 00 62");
	cachet_literal_free(l);
	/* bytes may hold anything */
	l = decode_hex(LIT, "0a 08 1a 06 0a 04 00 ff c0 80");
	assert_int_equal(l->scalar->binary->value.len, 4);
	assert_memory_equal(l->scalar->binary->value.data, "\x00\xff\xc0\x80", 4);
	cachet_literal_free(l);

	/* the encoder refuses invalid UTF-8 it is handed, rather than write
	 * what decoders refuse */
	cachet_literal *bad = cachet_literal_new_string("ok");
	assert_non_null(bad);
	bad->scalar->primitive->string_value[1] = (char)0xff;
	cachet_buf buf = CACHET_BUF_INIT;
	assert_cachet_error(cachet__wire_encode(LIT, bad, &buf), CACHET_EINVALID,
			    "scalar.primitive.stringValue: invalid UTF-8 at byte 1 of the string");
	cachet__buf_dispose(&buf);
	cachet_literal_free(bad);
}

static void test_merge(void **state)
{
	(void)state;
	cachet_literal *l;

	/* A message field seen twice merges. Concatenating two encodings is
	 * merging them: blob{metadata{type{format "csv"}}} then
	 * blob{metadata{type{dimensionality MULTIPART}}, uri "u"} */
	l = decode_hex(LIT, "0a 0b 12 09 0a 07 0a 05 0a 03 63 73 76"
			    "0a 0b 12 09 0a 04 0a 02 10 01 1a 01 75");
	cachet_literal *want = lit_of(cachet_literal_new_blob("u", "csv", CACHET_BLOB_MULTIPART));
	assert_true(cachet_literal_equal(l, want));
	cachet_literal_free(l);
	cachet_literal_free(want);

	/* the same from our own encoder: encode A and B, decode A || B */
	cachet_literal *a = lit_of(cachet_literal_new_blob("", "csv", CACHET_BLOB_SINGLE));
	cachet_literal *b = lit_of(cachet_literal_new_blob("u", "", CACHET_BLOB_MULTIPART));
	cachet_buf buf = CACHET_BUF_INIT;
	assert_int_equal(cachet__wire_encode(LIT, a, &buf), 0);
	assert_int_equal(cachet__wire_encode(LIT, b, &buf), 0);
	bytes ab = {(uint8_t *)buf.ptr, buf.len};
	bytes want_ab = hex("0a 0b 12 09 0a 07 0a 05 0a 03 63 73 76"
			    "0a 0b 12 09 0a 04 0a 02 10 01 1a 01 75");
	assert_bytes(ab.data, ab.len, want_ab.data, want_ab.len);
	free(want_ab.data);
	cachet_literal_free(a);
	cachet_literal_free(b);
	cachet__buf_dispose(&buf);

	/* scalars: the last wins; hash "a" then hash "b" */
	l = decode_hex(LIT, "22 01 61 22 01 62");
	assert_string_equal(l->hash, "b");
	cachet_literal_free(l);
	/* a string set and then set to "" is empty again */
	l = decode_hex(LIT, "22 01 61 22 00");
	assert_true(l->hash == NULL || l->hash[0] == '\0');
	assert_encodes_hex(LIT, l, "");
	cachet_literal_free(l);

	/* oneof: a new member replaces the old one (integer, then string) */
	l = decode_hex(LIT, "0a 04 0a 02 08 05 0a 05 0a 03 1a 01 78");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_STRING);
	assert_string_equal(l->scalar->primitive->string_value, "x");
	cachet_literal_free(l);
	/* ... a message member replaced by a scalar one and back */
	l = decode_hex(LIT, "0a 06 0a 04 2a 02 08 07 0a 04 0a 02 20 01 0a 06 0a 04 2a 02 10 03");
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_DATETIME);
	/* the datetime was replaced, not merged: seconds 7 is gone */
	assert_int_equal(l->scalar->primitive->datetime->seconds, 0);
	assert_int_equal(l->scalar->primitive->datetime->nanos, 3);
	cachet_literal_free(l);
	/* ... while the same message member twice merges */
	l = decode_hex(LIT, "0a 06 0a 04 2a 02 08 07 0a 06 0a 04 2a 02 10 03");
	assert_int_equal(l->scalar->primitive->datetime->seconds, 7);
	assert_int_equal(l->scalar->primitive->datetime->nanos, 3);
	cachet_literal_free(l);
	/* ... a Literal switching from scalar to collection and back */
	l = decode_hex(LIT, "0a 04 0a 02 08 01 12 00 0a 02 2a 00");
	assert_int_equal(l->kind, CACHET_LITERAL_SCALAR);
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_NONE);
	cachet_literal_free(l);

	/* repeated fields append across occurrences */
	l = decode_hex(LIT, "12 08 0a 06 0a 04 0a 02 08 01 12 08 0a 06 0a 04 0a 02 08 02");
	assert_int_equal(l->collection->n_literals, 2);
	assert_int_equal(l->collection->literals[1]->scalar->primitive->integer, 2);
	cachet_literal_free(l);

	/* bool: any non-zero varint is true, and is written back as 01 */
	l = decode_hex(LIT, "0a 05 0a 03 20 80 01");
	assert_true(l->scalar->primitive->boolean);
	assert_encodes_hex(LIT, l, "0a 04 0a 02 20 01");
	cachet_literal_free(l);
	l = decode_hex(LIT, "0a 0c 0a 0a 20 80 80 80 80 80 80 80 80 01");
	assert_true(l->scalar->primitive->boolean);
	cachet_literal_free(l);
}

static void test_maps(void **state)
{
	(void)state;
	const cachet__message_desc *MD = &cachet__literal_map_desc;
	cachet_literal_map *m;

	/* "b" = 1, "a" = 2, "b" = 3: sorted, the last "b" wins (not merged) */
	m = decode_hex(MD, "0a 0b 0a 01 62 12 06 0a 04 0a 02 08 01"
			   "0a 0b 0a 01 61 12 06 0a 04 0a 02 08 02"
			   "0a 09 0a 01 62 12 04 22 02 68 68");
	assert_int_equal(m->n_literals, 2);
	assert_string_equal(m->literals[0].key, "a");
	assert_int_equal(m->literals[0].value->scalar->primitive->integer, 2);
	assert_string_equal(m->literals[1].key, "b");
	assert_int_equal(m->literals[1].value->kind, CACHET_LITERAL_NOT_SET);
	assert_string_equal(m->literals[1].value->hash, "hh");
	assert_encodes_hex(MD, m, "0a 0b 0a 01 61 12 06 0a 04 0a 02 08 02"
				  "0a 09 0a 01 62 12 04 22 02 68 68");
	cachet_literal_map_free(m);

	/* value before key; key missing (""); value missing (empty Literal) */
	m = decode_hex(MD, "0a 05 12 00 0a 01 7a 0a 02 12 00 0a 03 0a 01 79");
	assert_int_equal(m->n_literals, 3);
	assert_string_equal(m->literals[0].key, "");
	assert_string_equal(m->literals[1].key, "y");
	assert_non_null(m->literals[1].value);
	assert_int_equal(m->literals[1].value->kind, CACHET_LITERAL_NOT_SET);
	assert_string_equal(m->literals[2].key, "z");
	assert_encodes_hex(MD, m, "0a 04 0a 00 12 00 0a 05 0a 01 79 12 00 0a 05 0a 01 7a 12 00");
	cachet_literal_map_free(m);

	/* the value field twice in one entry merges; the key twice: last wins;
	 * unknown fields in the entry are skipped */
	m = decode_hex(MD, "0a 15 0a 01 71 12 03 22 01 68 18 05 12 06 0a 04 0a 02 08 01 0a 01 6b");
	assert_int_equal(m->n_literals, 1);
	assert_string_equal(m->literals[0].key, "k");
	assert_string_equal(m->literals[0].value->hash, "h");
	assert_int_equal(m->literals[0].value->scalar->primitive->integer, 1);
	cachet_literal_map_free(m);

	/* string maps: a missing value is "" */
	cachet_literal *l = decode_hex(LIT, "2a 03 0a 01 6b 2a 03 12 01 76");
	assert_int_equal(l->n_metadata, 2);
	assert_string_equal(l->metadata[0].key, "");
	assert_string_equal(l->metadata[0].value, "v");
	assert_string_equal(l->metadata[1].key, "k");
	assert_non_null(l->metadata[1].value);
	assert_string_equal(l->metadata[1].value, "");
	cachet_literal_free(l);

	/* a map merged across two occurrences of its message stays sorted */
	l = decode_hex(LIT, "1a 07 0a 05 0a 01 62 12 00 1a 07 0a 05 0a 01 61 12 00");
	assert_int_equal(l->map->n_literals, 2);
	assert_string_equal(l->map->literals[0].key, "a");
	assert_string_equal(l->map->literals[1].key, "b");
	cachet_literal_free(l);
}

/* Entries appended out of order by hand: encoded sorted, map untouched. */
static void test_encode_unsorted_map(void **state)
{
	(void)state;
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	m->literals = cachet__calloc(3, sizeof(*m->literals));
	assert_non_null(m->literals);
	m->n_literals = 3;
	m->literals[0] = (cachet_literal_map_entry){xs("b"), cachet_literal_new_integer(1)};
	m->literals[1] = (cachet_literal_map_entry){xs("a"), cachet_literal_new_integer(2)};
	m->literals[2] = (cachet_literal_map_entry){xs("b"), cachet_literal_new_integer(3)};

	assert_encodes_hex(&cachet__literal_map_desc, m,
			   "0a 0b 0a 01 61 12 06 0a 04 0a 02 08 02"
			   "0a 0b 0a 01 62 12 06 0a 04 0a 02 08 03");
	assert_string_equal(m->literals[0].key, "b");
	assert_string_equal(m->literals[1].key, "a");
	assert_int_equal(m->n_literals, 3);
	cachet_literal_map_free(m);
}

static void test_encode_presence(void **state)
{
	(void)state;
	/* zero non-oneof scalars and empty strings are left out, NULL
	 * messages too; a present empty message is a zero-length field */
	cachet_literal *l = lit_of(cachet_literal_new_blob("", "", CACHET_BLOB_SINGLE));
	assert_encodes_hex(LIT, l, "0a 06 12 04 0a 02 0a 00");
	cachet__message_free(&cachet__blob_metadata_desc, l->scalar->blob->metadata);
	l->scalar->blob->metadata = NULL;
	assert_encodes_hex(LIT, l, "0a 02 12 00");
	cachet_literal_free(l);

	cachet_literal *o = v_offloaded();
	o->offloaded_metadata->size_bytes = 0;
	cachet_str_free(o->offloaded_metadata->uri);
	o->offloaded_metadata->uri = xs("");
	assert_encodes_hex(LIT, o, "42 04 1a 02 08 03");
	cachet_literal_free(o);

	/* a NULL map value is written as the empty message, as Go does */
	cachet_literal_map *m = v_literal_map();
	cachet_literal_free(m->literals[0].value);
	m->literals[0].value = NULL;
	assert_encodes_hex(&cachet__literal_map_desc, m, "0a 05 0a 01 61 12 00");
	cachet_literal_map_free(m);

	/* the encoder appends to what the buffer holds */
	cachet_buf buf = CACHET_BUF_INIT;
	assert_int_equal(cachet__buf_puts(&buf, "xy"), 0);
	cachet_literal *one = v_int1();
	assert_int_equal(cachet__wire_encode(LIT, one, &buf), 0);
	bytes want = hex("78 79 0a 04 0a 02 08 01");
	assert_bytes(buf.ptr, buf.len, want.data, want.len);
	free(want.data);
	cachet_literal_free(one);
	cachet__buf_dispose(&buf);
}

/* int32 and enums: sign-extended on the wire, truncated when read. */
static void test_int32_and_enums(void **state)
{
	(void)state;
	cachet_literal_type *t;

	t = decode_hex(TYPE, "08 ff ff ff ff ff ff ff ff ff 01");
	assert_int_equal(t->kind, CACHET_TYPE_SIMPLE);
	assert_int_equal(t->simple, -1);
	cachet_literal_type_free(t);

	/* an unknown enum value survives */
	t = decode_hex(TYPE, "08 e7 07");
	assert_int_equal(t->simple, 999);
	assert_encodes_hex(TYPE, t, "08 e7 07");
	cachet_literal_type_free(t);

	/* INT32_MIN: 0xffffffff80000000 */
	t = decode_hex(TYPE, "08 80 80 80 80 f8 ff ff ff ff 01");
	assert_int_equal(t->simple, INT32_MIN);
	assert_encodes_hex(TYPE, t, "08 80 80 80 80 f8 ff ff ff ff 01");
	cachet_literal_type_free(t);

	/* 2^32 + 5 truncates to 5; 2^32 - 1 written as 5 bytes is -1 */
	t = decode_hex(TYPE, "08 85 80 80 80 10");
	assert_int_equal(t->simple, 5);
	assert_encodes_hex(TYPE, t, "08 05");
	cachet_literal_type_free(t);
	t = decode_hex(TYPE, "08 ff ff ff ff 0f");
	assert_int_equal(t->simple, -1);
	assert_encodes_hex(TYPE, t, "08 ff ff ff ff ff ff ff ff ff 01");
	cachet_literal_type_free(t);

	/* a non-oneof enum: BlobType.dimensionality = -2 */
	cachet_blob_type *bt = decode_hex(&cachet__blob_type_desc,
					  "10 fe ff ff ff ff ff ff ff ff 01");
	assert_int_equal(bt->dimensionality, -2);
	assert_encodes_hex(&cachet__blob_type_desc, bt, "10 fe ff ff ff ff ff ff ff ff 01");
	cachet__message_free(&cachet__blob_type_desc, bt);

	/* uint64 above INT64_MAX */
	cachet_literal_offloaded_metadata *om = decode_hex(
		&cachet__literal_offloaded_metadata_desc, "10 ff ff ff ff ff ff ff ff ff 01");
	assert_true(om->size_bytes == UINT64_MAX);
	cachet__message_free(&cachet__literal_offloaded_metadata_desc, om);
}

static void test_doubles(void **state)
{
	(void)state;
	const uint64_t cases[] = {
		UINT64_C(0x7ff8000000000001), /* quiet NaN with a payload */
		UINT64_C(0xfff0000000000001), /* signalling NaN, negative */
		UINT64_C(0x8000000000000000), /* -0.0 */
		UINT64_C(0x7ff0000000000000), /* +inf */
		UINT64_C(0xfff0000000000000), /* -inf */
		UINT64_C(0x0000000000000001), /* smallest denormal */
		UINT64_C(0x3ff199999999999a), /* 1.1 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cachet_literal *l = lit_of(cachet_literal_new_float(double_of(cases[i])));
		uint8_t want[13] = {0x0a, 0x0b, 0x0a, 0x09, 0x11};
		for (int k = 0; k < 8; k++)
			want[5 + k] = (uint8_t)(cases[i] >> (8 * k));
		bytes b = {want, sizeof(want)};
		assert_encodes(LIT, l, &b);
		cachet_literal *d = assert_round_trip(LIT, &b);
		assert_true(bits_of(d->scalar->primitive->float_value) == cases[i]);
		cachet_literal_free(d);
		cachet_literal_free(l);
	}
}

/* ---------------------------------------------------------------------- */
/* Depth */

/*
 * `levels` nested length-delimited fields: level i uses tags[i % n_tags];
 * the innermost message is empty. Built from the inside out, backwards.
 */
static bytes nest(size_t levels, const uint8_t *tags, size_t n_tags)
{
	size_t cap = levels * 12 + 16, pos = cap;
	uint8_t *buf = malloc(cap);
	assert_non_null(buf);
	for (size_t i = levels; i-- > 0;) {
		size_t inner = cap - pos;
		uint8_t v[10];
		size_t n = 0;
		for (uint64_t x = inner; ; x >>= 7) {
			v[n++] = (uint8_t)((x & 0x7f) | (x >= 0x80 ? 0x80 : 0));
			if (x < 0x80)
				break;
		}
		pos -= n;
		memcpy(buf + pos, v, n);
		buf[--pos] = tags[i % n_tags];
	}
	bytes b = {malloc(cap - pos + 1), cap - pos};
	assert_non_null(b.data);
	memcpy(b.data, buf + pos, b.len);
	free(buf);
	return b;
}

static void test_depth(void **state)
{
	(void)state;
	const uint8_t collection_type = 0x1a; /* LiteralType.collection_type */
	const uint8_t lit_coll[] = {0x12, 0x0a}; /* Literal.collection, Collection.literals */
	void *out;
	bytes b;
	int rc;

	/* CACHET_MAX_DEPTH LiteralTypes, one inside the other: fine */
	b = nest(CACHET_MAX_DEPTH - 1, &collection_type, 1);
	cachet_literal_type *t = assert_round_trip(TYPE, &b);
	/* and the encoder refuses one more level */
	cachet_literal_type *deeper = cachet_literal_type_new_collection(t);
	assert_non_null(deeper);
	cachet_buf buf = CACHET_BUF_INIT;
	rc = cachet__wire_encode(TYPE, deeper, &buf);
	assert_int_equal(rc, CACHET_ETOODEEP);
	assert_non_null(strstr(cachet_error_last()->message, "nested deeper than 1000 levels"));
	cachet__buf_dispose(&buf);
	cachet_literal_type_free(deeper);
	free(b.data);

	/* one more: refused */
	b = nest(CACHET_MAX_DEPTH, &collection_type, 1);
	out = &b;
	rc = cachet__wire_decode(TYPE, &out, b.data, b.len);
	assert_int_equal(rc, CACHET_ETOODEEP);
	assert_null(out);
	assert_non_null(strstr(cachet_error_last()->message, "nested deeper than 1000 levels"));
	free(b.data);

	/* the bomb: 100,000 levels of Literal / LiteralCollection */
	b = nest(100000, lit_coll, 2);
	double t0 = now_seconds();
	out = &b;
	rc = cachet__wire_decode(LIT, &out, b.data, b.len);
	assert_int_equal(rc, CACHET_ETOODEEP);
	assert_null(out);
	/* the path is long: its beginning is dropped, the end kept */
	const char *msg = cachet_error_last()->message;
	assert_true(strncmp(msg, "...", 3) == 0);
	assert_non_null(strstr(msg, "collection.literals[0]: nested deeper than 1000 levels"));
	assert_true(now_seconds() - t0 < 5.0); /* O(depth limit), not O(input) */
	free(b.data);

	/* as an unknown field: 100,000 nested groups inside a Literal */
	size_t n = 100000;
	uint8_t *groups = malloc(n);
	assert_non_null(groups);
	memset(groups, 0x7b, n); /* field 15, start group */
	out = groups;
	rc = cachet__wire_decode(LIT, &out, groups, n);
	assert_int_equal(rc, CACHET_ETOODEEP);
	assert_null(out);
	free(groups);

	/* ... and a long map value chain: Literal.map -> entry -> Literal */
	const uint8_t map_chain[] = {0x1a, 0x0a, 0x12}; /* map, literals entry, value */
	b = nest(3 * 2000, map_chain, 3);
	out = &b;
	rc = cachet__wire_decode(LIT, &out, b.data, b.len);
	assert_int_equal(rc, CACHET_ETOODEEP);
	assert_null(out);
	free(b.data);
}

/* ---------------------------------------------------------------------- */
/* Robustness: every prefix, corrupted bytes, allocation failures */

/* Decode; on success the value must re-encode and decode to an equal one. */
static void decode_anything(const cachet__message_desc *d, const uint8_t *data, size_t len)
{
	void *out = (void *)data;
	int rc = cachet__wire_decode(d, &out, data, len);

	if (rc != 0) {
		assert_null(out);
		assert_true(rc == CACHET_EINVALID || rc == CACHET_ETOODEEP);
		assert_int_equal(cachet_error_last()->code, rc);
		return;
	}
	assert_non_null(out);
	cachet_buf buf = CACHET_BUF_INIT;
	rc = cachet__wire_encode(d, out, &buf);
	if (rc != 0)
		fail_msg("re-encode failed: %s", cachet_error_last()->message);
	void *again = NULL;
	rc = cachet__wire_decode(d, &again, (const uint8_t *)buf.ptr, buf.len);
	assert_int_equal(rc, 0);
	assert_true(cachet__message_equal(d, out, again));
	cachet__message_free(d, again);
	cachet__message_free(d, out);
	cachet__buf_dispose(&buf);
}

/* Every vector and fixture, cut at every length. */
static void test_truncated(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		bytes b = hex(vectors[i].hex);
		for (size_t n = 0; n < b.len; n++) {
			/* a copy of exactly n bytes, so ASan sees any overread */
			uint8_t *cut = malloc(n + 1);
			assert_non_null(cut);
			memcpy(cut, b.data, n);
			decode_anything(vectors[i].desc, cut, n);
			free(cut);
		}
		free(b.data);
	}
	const char *files[] = {"literal_map_all_kinds.pb", "interface_all_types.pb"};
	const cachet__message_desc *descs[] = {&cachet__literal_map_desc, &cachet__interface_desc};
	for (size_t f = 0; f < 2; f++) {
		bytes b = read_fixture(files[f]);
		for (size_t n = 0; n < b.len; n++) {
			uint8_t *cut = malloc(n + 1);
			assert_non_null(cut);
			memcpy(cut, b.data, n);
			decode_anything(descs[f], cut, n);
			free(cut);
		}
		free(b.data);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)
{
	/* xorshift64 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_corrupted(void **state)
{
	(void)state;
	static const uint8_t flips[] = {0x01, 0x02, 0x08, 0x40, 0x80, 0xff};

	/* every byte of every vector, flipped a few ways */
	for (size_t i = 0; i < N_VECTORS; i++) {
		bytes b = hex(vectors[i].hex);
		for (size_t pos = 0; pos < b.len; pos++) {
			for (size_t k = 0; k < sizeof(flips); k++) {
				b.data[pos] ^= flips[k];
				decode_anything(vectors[i].desc, b.data, b.len);
				b.data[pos] ^= flips[k];
			}
		}
		free(b.data);
	}

	/* random damage to the big fixtures: 1 to 4 random bytes each time */
	const char *files[] = {"literal_map_all_kinds.pb", "interface_all_types.pb"};
	const cachet__message_desc *descs[] = {&cachet__literal_map_desc, &cachet__interface_desc};
	for (size_t f = 0; f < 2; f++) {
		bytes b = read_fixture(files[f]);
		uint8_t *copy = malloc(b.len);
		assert_non_null(copy);
		for (int round = 0; round < 3000; round++) {
			memcpy(copy, b.data, b.len);
			int hits = 1 + (int)(rng() % 4);
			for (int h = 0; h < hits; h++)
				copy[rng() % b.len] = (uint8_t)rng();
			decode_anything(descs[f], copy, b.len);
		}
		free(copy);
		free(b.data);
	}
}

/* Fail the n-th allocation, n = 0, 1, ... until the call succeeds. */
static void test_alloc_failures(void **state)
{
	(void)state;
	const char *files[] = {"tests/fixtures/wire/literal_map_all_kinds.pb",
			       "tests/fixtures/wire/interface_all_types.pb",
			       "tests/fixtures/wire-go/iface-artifacts.pb"};
	const cachet__message_desc *descs[] = {&cachet__literal_map_desc, &cachet__interface_desc,
					       &cachet__interface_desc};

	for (size_t f = 0; f < 3; f++) {
		bytes b = read_source_file(files[f]);
		void *value = NULL;
		long n;

		/* decoding */
		for (n = 0; n < 1000000; n++) {
			void *out = &n;
			cachet__alloc_fail_after(n);
			int rc = cachet__wire_decode(descs[f], &out, b.data, b.len);
			int injected = cachet__alloc_failed();
			cachet__alloc_fail_reset();
			if (rc == 0) {
				assert_false(injected);
				value = out;
				break;
			}
			assert_true(injected);
			assert_null(out);
			assert_cachet_error(rc, CACHET_ENOMEM, "out of memory");
		}
		assert_non_null(value);
		assert_true(n > 10);

		/* encoding */
		for (n = 0; n < 1000000; n++) {
			cachet_buf buf = CACHET_BUF_INIT;
			cachet__alloc_fail_after(n);
			int rc = cachet__wire_encode(descs[f], value, &buf);
			int injected = cachet__alloc_failed();
			cachet__alloc_fail_reset();
			if (rc == 0) {
				assert_false(injected);
				assert_bytes(buf.ptr, buf.len, b.data, b.len);
				cachet__buf_dispose(&buf);
				break;
			}
			assert_true(injected);
			assert_cachet_error(rc, CACHET_ENOMEM, "out of memory");
			cachet__buf_dispose(&buf);
		}
		assert_true(n > 0);
		cachet__message_free(descs[f], value);
		free(b.data);
	}

	/* an unsorted map takes the encoder's other path */
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	m->literals = cachet__calloc(2, sizeof(*m->literals));
	assert_non_null(m->literals);
	m->n_literals = 2;
	m->literals[0] = (cachet_literal_map_entry){xs("b"), cachet_literal_new_integer(1)};
	m->literals[1] = (cachet_literal_map_entry){xs("a"), cachet_literal_new_integer(2)};
	for (long n = 0;; n++) {
		cachet_buf buf = CACHET_BUF_INIT;
		cachet__alloc_fail_after(n);
		int rc = cachet__wire_encode(&cachet__literal_map_desc, m, &buf);
		cachet__alloc_fail_reset();
		cachet__buf_dispose(&buf);
		if (rc == 0)
			break;
		assert_int_equal(rc, CACHET_ENOMEM);
	}
	cachet_literal_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_literal_map_example),
		cmocka_unit_test(test_fixture_all_literals),
		cmocka_unit_test(test_fixture_all_types),
		cmocka_unit_test(test_fixture_big_map),
		cmocka_unit_test(test_fixtures_go_order),
		cmocka_unit_test(test_go_order_by_hand),
		cmocka_unit_test(test_fixture_go_artifacts),
		cmocka_unit_test(test_fixture_go_nonfinite),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_maps),
		cmocka_unit_test(test_encode_unsorted_map),
		cmocka_unit_test(test_encode_presence),
		cmocka_unit_test(test_int32_and_enums),
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
