/*
 * Reading protobuf JSON, generically over the descriptors of value/schema.h.
 *
 * jansson parses the text (it checks the syntax and UTF-8, refuses
 * duplicate keys and nesting beyond its own limit of 2048 levels, and
 * reports where); then one walk over the jansson tree, led by the
 * descriptors, builds the value structs. Errors name the place as a dotted
 * path of the keys as written, array indices in brackets:
 *   literals.xs.collection: "literals[2]" must be an object, got 3
 *
 * Integers that do not fit in 64 bits: jansson stores integers as
 * long long and refuses a larger integer literal ("too big integer"), which
 * would refuse valid input such as a Struct number 1e20 written as
 * 100000000000000000000. So when the first parse fails that way, the text
 * is parsed again with every integer read as a double. A double is exact
 * below 2^53 only, so in that second pass an int64 or uint64 field given as
 * a number of magnitude 2^53 or more is refused with a message asking for
 * a string, never rounded. Consequence: a uint64 above INT64_MAX must be a
 * JSON string, which is how protobuf JSON writes it anyway.
 *
 * Negative zero: jansson reads the bare integer -0 as the integer 0, so a
 * double written as -0 (which is how protobuf JSON writes -0.0) would come
 * back as +0. When the text holds such a -0, a copy is parsed in which each
 * reads -0.0 (see spell_negative_zeros); integer fields read either as 0.
 *
 * NUL: strings may hold U+0000 ("\u0000"), as protobuf's may. jansson
 * reads it in values (JSON_ALLOW_NUL) but not in object keys, which are
 * respelled first (json_nul_keys.c); map keys are read back through
 * cachet__json_key_new. A string where a name or a number is expected
 * (an enum name, "NaN", a timestamp) never matches when it holds NUL.
 */
#include "codec/json.h"
#include "codec/json_internal.h"

#include "util/alloc.h"
#include "util/base64.h"
#include "util/error.h"
#include "value/message.h"

#include <jansson.h>
#include <math.h> /* macros only: the library does not link libm */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct decoder {
	bool ints_as_reals; /* the second pass described above */
	cachet_buf scratch; /* decoded base64 */
	/* messages whose unknown field names are skipped (cachet__json_decode_open) */
	const cachet__message_desc *const *open;
	size_t n_open;
	cachet__json_nul_keys nul_keys;
} decoder;

/* A decoded field value before it is stored. Every member starts at
 * offset 0, so the first cachet__element_size(f) bytes are it. */
typedef union scalar {
	int64_t i64;
	uint64_t u64;
	int32_t i32;
	double d;
	bool b;
	char *s;
	cachet_bytes bytes;
	void *msg;
} scalar;

static int decode_message(decoder *c, const cachet__message_desc *d, json_t *j,
			  const cachet__json_path *at, int depth, void **out);

/* ---------------------------------------------------------------------- */
/* Messages                                                               */

/* Room for a value shown in a message: 40 source bytes, each escaped to at
 * most 6, quotes and "...". */
#define SHOWN_MAX 40
#define SHOWN_SIZE (SHOWN_MAX * 6 + 8)

/* s as a quoted JSON string, cut after about SHOWN_MAX bytes (never inside
 * a UTF-8 sequence). */
static void quote(char dst[SHOWN_SIZE], const char *s, size_t len)
{
	size_t n = len, w = 0;
	bool cut = false;
	if (n > SHOWN_MAX) {
		n = SHOWN_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		cut = true;
	}
	dst[w++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			dst[w++] = '\\';
			dst[w++] = (char)ch;
		} else if (ch < 0x20) {
			w += (size_t)snprintf(dst + w, 7, "\\u%04x", ch);
		} else {
			dst[w++] = (char)ch;
		}
	}
	if (cut) {
		memcpy(dst + w, "...", 3);
		w += 3;
	}
	dst[w++] = '"';
	dst[w] = '\0';
}

/* A short rendering of a JSON value: "abc", 3, true, {...}. */
static void describe(char dst[SHOWN_SIZE], const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_STRING:
		quote(dst, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		snprintf(dst, SHOWN_SIZE, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		snprintf(dst, SHOWN_SIZE, "%.15g", json_real_value(j));
		break;
	case JSON_TRUE:
		strcpy(dst, "true");
		break;
	case JSON_FALSE:
		strcpy(dst, "false");
		break;
	case JSON_NULL:
		strcpy(dst, "null");
		break;
	case JSON_OBJECT:
		strcpy(dst, json_object_size(j) ? "{...}" : "{}");
		break;
	case JSON_ARRAY:
	default:
		strcpy(dst, json_array_size(j) ? "[...]" : "[]");
		break;
	}
}

/* "<path>: <message>", or just the message at the top level. */
CACHET__PRINTF(3, 4)
static int at_error(int code, const cachet__json_path *path, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	cachet_buf where = CACHET_BUF_INIT;
	if (cachet__json_path_render(&where, path, NULL) < 0)
		return CACHET_ENOMEM;
	int rc = where.len ? cachet__error(code, "%s: %s", where.ptr, what)
			   : cachet__error(code, "%s", what);
	cachet__buf_dispose(&where);
	return rc;
}

/*
 * An error about the value at `at` itself, named by its last path element
 * (with any array indices) after the path of its container:
 *   literals.a.scalar: "primitive" must be an object, got 3
 * fmt continues right after the quoted name (" must be ..." or ": ...").
 */
CACHET__PRINTF(2, 3)
static int subject_error(const cachet__json_path *at, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	if (at == NULL)
		return cachet__error(CACHET_EINVALID, "top-level value%s", what);

	/* the name that the array indices belong to */
	const cachet__json_path *head = at;
	while (head->name == NULL && head->up != NULL)
		head = head->up;

	cachet_buf parent = CACHET_BUF_INIT, label = CACHET_BUF_INIT;
	int rc = cachet__json_path_render(&parent, head->up, NULL);
	if (rc == 0)
		rc = cachet__json_path_render(&label, at, head->up);
	if (rc == 0)
		rc = parent.len ? cachet__error(CACHET_EINVALID, "%s: \"%s\"%s", parent.ptr,
						label.ptr, what)
				: cachet__error(CACHET_EINVALID, "\"%s\"%s", label.ptr, what);
	cachet__buf_dispose(&parent);
	cachet__buf_dispose(&label);
	return rc;
}

static int type_error(const cachet__json_path *at, const char *want, const json_t *j)
{
	char got[SHOWN_SIZE];
	describe(got, j);
	return subject_error(at, " must be %s, got %s", want, got);
}

/* jansson's syntax errors, with its position. */
static int syntax_error(const json_error_t *err)
{
	switch (json_error_code(err)) {
	case json_error_out_of_memory:
		return cachet__error_oom();
	case json_error_stack_overflow:
		return cachet__error(CACHET_ETOODEEP, "line %d, column %d: nested too deeply",
				     err->line, err->column);
	case json_error_null_byte_in_key: /* a "key" that no ':' follows */
		return cachet__error(CACHET_EINVALID, "line %d, column %d: invalid object key",
				     err->line, err->column);
	default:
		return cachet__error(CACHET_EINVALID, "line %d, column %d: %s", err->line,
				     err->column, err->text);
	}
}

/* ---------------------------------------------------------------------- */
/* Scalars                                                                */

/* Decimal digits with an optional '-': the text of a 64-bit integer. */
static bool parse_decimal(const char *s, size_t len, bool allow_minus, bool *neg, uint64_t *mag)
{
	size_t i = 0;
	*neg = false;
	*mag = 0;
	if (allow_minus && len > 0 && s[0] == '-') {
		*neg = true;
		i = 1;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned digit = (unsigned)(s[i] - '0');
		if (*mag > (UINT64_MAX - digit) / 10)
			return false;
		*mag = *mag * 10 + digit;
	}
	return true;
}

/*
 * An integer of field type `type` (INT64, UINT64, or INT32 for int32 and
 * enum numbers): a string of decimal digits (when strings_ok), a JSON
 * integer, or a JSON real with an integral value; range-checked.
 */
static int decode_integer(decoder *c, cachet__field_type type, const char *want, bool strings_ok,
			  const json_t *j, const cachet__json_path *at, scalar *out)
{
	uint64_t max_pos = type == CACHET__INT64    ? (uint64_t)INT64_MAX
			   : type == CACHET__UINT64 ? UINT64_MAX
						    : (uint64_t)INT32_MAX;
	uint64_t max_neg = type == CACHET__INT64    ? (uint64_t)INT64_MAX + 1
			   : type == CACHET__UINT64 ? 0
						    : (uint64_t)INT32_MAX + 1;
	bool neg = false, ok = false;
	uint64_t mag = 0;

	if (json_is_string(j) && strings_ok) {
		ok = parse_decimal(json_string_value(j), json_string_length(j), max_neg > 0, &neg,
				   &mag);
	} else if (json_is_integer(j)) {
		json_int_t v = json_integer_value(j);
		neg = v < 0;
		mag = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		ok = true;
	} else if (json_is_real(j)) {
		double v = json_real_value(j);
		double a = v < 0 ? -v : v;
		if (c->ints_as_reals && type != CACHET__INT32 && a >= 0x1p53) {
			char got[SHOWN_SIZE];
			describe(got, j);
			return subject_error(at,
					     ": the number %s cannot be read exactly, as the text "
					     "holds integers beyond 64 bits; write it as a string",
					     got);
		}
		/* from 2^52 up every double is an integer; below, the cast
		 * truncates exactly (jansson's reals are finite) */
		if (a < 0x1p64 && (a >= 0x1p52 || (double)(uint64_t)a == a)) {
			neg = v < 0;
			mag = (uint64_t)a;
			ok = true;
		}
	}
	if (!ok || mag > (neg ? max_neg : max_pos))
		return type_error(at, want, j);

	switch (type) {
	case CACHET__UINT64:
		out->u64 = mag;
		break;
	case CACHET__INT64:
		out->i64 = neg ? (mag > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
		break;
	default:
		out->i32 = neg ? (int32_t)-(int64_t)mag : (int32_t)mag;
		break;
	}
	return 0;
}

/* A double given as a string: "NaN", "Infinity", "-Infinity", or the text
 * of a JSON number (jansson reads it, so the grammar and the conversion
 * are the same as for a bare number). */
static int number_from_string(const json_t *j, bool *ok, double *out)
{
	const char *s = json_string_value(j);
	size_t len = json_string_length(j);
	*ok = false;
	if (strlen(s) != len) /* a NUL inside: no number */
		return 0;
	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
	} else if (strcmp(s, "Infinity") == 0) {
		*out = INFINITY;
	} else if (strcmp(s, "-Infinity") == 0) {
		*out = -INFINITY;
	} else {
		/* jansson skips white space around a value; protobuf does not */
		if (len == 0 || strchr(" \t\r\n", s[0]) || strchr(" \t\r\n", s[len - 1]))
			return 0;
		/* as a real, so that "-0" keeps its sign and 20 digits are
		 * no overflow */
		json_error_t err;
		json_t *n = json_loadb(s, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &err);
		if (n == NULL)
			return json_error_code(&err) == json_error_out_of_memory ? cachet__error_oom()
										  : 0;
		bool is_number = json_is_number(n);
		if (is_number)
			*out = json_number_value(n);
		json_decref(n);
		if (!is_number)
			return 0;
	}
	*ok = true;
	return 0;
}

/* The short name of an enum, "BlobDimensionality" for
 * "flyteidl.core.BlobDimensionality". */
static const char *enum_short_name(const cachet__enum_desc *e)
{
	const char *dot = strrchr(e->name, '.');
	return dot ? dot + 1 : e->name;
}

static int decode_scalar(decoder *c, const cachet__field_desc *f, const json_t *j,
			 const cachet__json_path *at, scalar *out)
{
	char shown[SHOWN_SIZE];

	switch (f->type) {
	case CACHET__INT64:
		return decode_integer(c, f->type, "an int64", true, j, at, out);
	case CACHET__UINT64:
		return decode_integer(c, f->type, "a uint64", true, j, at, out);
	case CACHET__INT32:
		return decode_integer(c, f->type, "an int32", true, j, at, out);

	case CACHET__DOUBLE: {
		if (json_is_number(j)) {
			out->d = json_number_value(j);
			return 0;
		}
		bool ok = false;
		if (json_is_string(j)) {
			int rc = number_from_string(j, &ok, &out->d);
			if (rc < 0)
				return rc;
		}
		return ok ? 0 : type_error(at, "a number", j);
	}

	case CACHET__BOOL:
		if (!json_is_boolean(j))
			return type_error(at, "true or false", j);
		out->b = json_is_true(j);
		return 0;

	case CACHET__ENUM: {
		char want[128];
		snprintf(want, sizeof(want), "a %s name or number",
			 enum_short_name(f->enumeration));
		if (!json_is_string(j))
			return decode_integer(c, CACHET__INT32, want, false, j, at, out);
		int rc = strlen(json_string_value(j)) != json_string_length(j)
				 ? CACHET_ENOTFOUND /* no name holds NUL */
				 : cachet__enum_number(f->enumeration, json_string_value(j), &out->i32);
		if (rc == CACHET_ENOTFOUND) {
			quote(shown, json_string_value(j), json_string_length(j));
			return subject_error(at, ": unknown %s value %s",
					     enum_short_name(f->enumeration), shown);
		}
		return rc;
	}

	case CACHET__STRING:
		if (!json_is_string(j))
			return type_error(at, "a string", j);
		out->s = cachet_str_new(json_string_value(j), json_string_length(j));
		return out->s ? 0 : CACHET_ENOMEM;

	case CACHET__BYTES: {
		if (!json_is_string(j))
			return type_error(at, "a base64 string", j);
		cachet__buf_clear(&c->scratch);
		int rc = cachet__base64_decode(&c->scratch, json_string_value(j),
					       json_string_length(j));
		if (rc == CACHET_EINVALID) {
			char why[256];
			snprintf(why, sizeof(why), "%s", cachet_error_last()->message);
			return subject_error(at, ": invalid base64: %s", why);
		}
		if (rc < 0)
			return rc;
		out->bytes = (cachet_bytes){NULL, c->scratch.len};
		if (c->scratch.len == 0)
			return 0;
		out->bytes.data = cachet__malloc(c->scratch.len);
		if (out->bytes.data == NULL)
			return CACHET_ENOMEM;
		memcpy(out->bytes.data, c->scratch.ptr, c->scratch.len);
		return 0;
	}

	case CACHET__MESSAGE:
	default:
		return cachet__error(CACHET_ERROR, "field \"%s\" is not a scalar", f->name);
	}
}

/* One value of field f: a message (nested one level deeper) or a scalar. */
static int decode_value(decoder *c, const cachet__field_desc *f, json_t *j,
			const cachet__json_path *at, int depth, scalar *out)
{
	memset(out, 0, sizeof(*out));
	if (f->type == CACHET__MESSAGE)
		return decode_message(c, f->message, j, at, depth + 1, &out->msg);
	return decode_scalar(c, f, j, at, out);
}

/* ---------------------------------------------------------------------- */
/* Repeated fields, maps, messages                                        */

/*
 * Free the jansson tree of a member (key) or an element (index) once it is
 * decoded, leaving null in its place, so that the values being built reuse
 * the tree's memory instead of adding to it: the peak of a decode is then
 * the tree, not the tree and the values. The keys stay, for the checks
 * that look them up.
 */
static void release(json_t *container, size_t index, const char *key)
{
	if (key != NULL)
		json_object_iter_set(container, json_object_key_to_iter(key), json_null());
	else
		json_array_set(container, index, json_null());
}

/* A JSON array into repeated field f of msg; elements hang under `at`. */
static int decode_repeated(decoder *c, void *msg, const cachet__field_desc *f, json_t *j,
			   const cachet__json_path *at, int depth)
{
	if (!json_is_array(j))
		return type_error(at, "an array", j);
	size_t n = json_array_size(j);
	if (n == 0)
		return 0;

	size_t size = cachet__element_size(f);
	char *items = cachet__calloc(n, size);
	if (items == NULL)
		return CACHET_ENOMEM;
	/* owned by msg from now on, the count growing with each element */
	memcpy(cachet__field_at(msg, f), &items, sizeof(items));
	size_t *count = (size_t *)(void *)((char *)msg + f->count_offset);

	for (size_t i = 0; i < n; i++) {
		cachet__json_path item = {at, NULL, i, 0};
		scalar v;
		int rc = decode_value(c, f, json_array_get(j, i), &item, depth, &v);
		if (rc < 0)
			return rc;
		memcpy(items + i * size, &v, size);
		(*count)++;
		release(j, i, NULL);
	}
	return 0;
}

/* A JSON object into map field f of msg; keys hang under `at`. jansson has
 * refused duplicate keys already. */
static int decode_map(decoder *c, void *msg, const cachet__field_desc *f, json_t *j,
		      const cachet__json_path *at, int depth)
{
	if (!json_is_object(j))
		return type_error(at, "an object", j);
	if (f->type != CACHET__MESSAGE && f->type != CACHET__STRING)
		return cachet__error(CACHET_ERROR, "map field \"%s\" has an unsupported value type",
				     f->name);
	size_t n = json_object_size(j);
	if (n == 0)
		return 0;

	struct cachet__map_entry *entries = cachet__calloc(n, sizeof(*entries));
	if (entries == NULL)
		return CACHET_ENOMEM;
	memcpy(cachet__field_at(msg, f), &entries, sizeof(entries));
	size_t *count = (size_t *)(void *)((char *)msg + f->count_offset);

	const char *key;
	json_t *value;
	json_object_foreach(j, key, value) {
		char *k = cachet__json_key_new(&c->nul_keys, key);
		if (k == NULL)
			return CACHET_ENOMEM;
		cachet__json_path item = {at, k, 0, cachet_str_len(k)};
		scalar v;
		int rc = decode_value(c, f, value, &item, depth, &v);
		if (rc < 0) {
			cachet_str_free(k);
			return rc;
		}
		entries[*count].key = k;
		entries[*count].value = f->type == CACHET__MESSAGE ? v.msg : v.s;
		(*count)++;
		release(j, 0, key);
	}
	/* jansson keeps the text's order; maps are kept sorted by key */
	return cachet__map_normalize(msg, f);
}

/* Whether unknown field names of d are skipped rather than refused. */
static bool is_open(const decoder *c, const cachet__message_desc *d)
{
	for (size_t i = 0; i < c->n_open; i++)
		if (c->open[i] == d)
			return true;
	return false;
}

/* null means "not set", except for a google.protobuf.Value, whose null is
 * a value. */
static bool takes_null(const cachet__field_desc *f)
{
	return f->label == CACHET__SINGULAR && f->type == CACHET__MESSAGE &&
	       f->message->wkt == CACHET__WKT_VALUE;
}

static int decode_field(decoder *c, const cachet__message_desc *d, void *msg,
			const cachet__field_desc *f, const char *key, json_t *j,
			const cachet__json_path *at, int depth)
{
	if (f->oneof_offset != CACHET__NOT_ONEOF) {
		int kind = cachet__oneof_kind(msg, f);
		if (kind != 0) {
			const cachet__field_desc *other = cachet__field_by_number(d, (uint32_t)kind);
			char a[SHOWN_SIZE], b[SHOWN_SIZE];
			quote(a, other->json_name, strlen(other->json_name));
			quote(b, key, strlen(key));
			return at_error(CACHET_EINVALID, at, "oneof members %s and %s are both set",
					a, b);
		}
	}

	cachet__json_path field = {at, key, 0, 0};
	switch (f->label) {
	case CACHET__REPEATED:
		return decode_repeated(c, msg, f, j, &field, depth);
	case CACHET__MAP:
		return decode_map(c, msg, f, j, &field, depth);
	case CACHET__SINGULAR:
	default:
		break;
	}

	scalar v;
	int rc = decode_value(c, f, j, &field, depth, &v);
	if (rc < 0)
		return rc;
	if (f->oneof_offset != CACHET__NOT_ONEOF)
		cachet__oneof_select(d, msg, f);
	memcpy(cachet__field_at(msg, f), &v, cachet__element_size(f));
	return 0;
}

/* The members of a JSON object into the fields of msg. */
static int decode_fields(decoder *c, const cachet__message_desc *d, json_t *j, void *msg,
			 const cachet__json_path *at, int depth)
{
	const char *key;
	json_t *value;
	json_object_foreach(j, key, value) {
		char a[SHOWN_SIZE], b[SHOWN_SIZE];
		const cachet__field_desc *f = cachet__field_by_name(d, key, strlen(key));
		if (f == NULL) {
			if (is_open(c, d))
				continue;
			char *written = cachet__json_key_new(&c->nul_keys, key);
			if (written == NULL)
				return CACHET_ENOMEM;
			quote(a, written, cachet_str_len(written));
			cachet_str_free(written);
			return at_error(CACHET_EINVALID, at, "unknown field %s", a);
		}
		/* the same field under its two names (jansson only sees two keys) */
		if (strcmp(key, f->json_name) != 0 && json_object_get(j, f->json_name) != NULL) {
			quote(a, f->json_name, strlen(f->json_name));
			quote(b, key, strlen(key));
			return at_error(CACHET_EINVALID, at, "field %s is given twice, also as %s",
					a, b);
		}
		if (json_is_null(value) && !takes_null(f))
			continue;
		int rc = decode_field(c, d, msg, f, key, value, at, depth);
		if (rc < 0)
			return rc;
		release(j, 0, key);
	}
	return 0;
}

/* google.protobuf.Value: any JSON value. */
static int decode_value_wkt(decoder *c, json_t *j, const cachet__json_path *at, int depth,
			    cachet_value *v)
{
	void *sub = NULL;
	int rc;
	switch (json_typeof(j)) {
	case JSON_NULL:
		v->kind = CACHET_VALUE_NULL;
		v->null_value = 0;
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		v->kind = CACHET_VALUE_BOOL;
		v->bool_value = json_is_true(j);
		return 0;
	case JSON_INTEGER:
	case JSON_REAL:
		v->kind = CACHET_VALUE_NUMBER;
		v->number_value = json_number_value(j);
		return 0;
	case JSON_STRING:
		v->string_value = cachet_str_new(json_string_value(j), json_string_length(j));
		if (v->string_value == NULL)
			return CACHET_ENOMEM;
		v->kind = CACHET_VALUE_STRING;
		return 0;
	case JSON_OBJECT:
		rc = decode_message(c, &cachet__struct_desc, j, at, depth + 1, &sub);
		if (rc == 0) {
			v->struct_value = sub;
			v->kind = CACHET_VALUE_STRUCT;
		}
		return rc;
	case JSON_ARRAY:
	default:
		rc = decode_message(c, &cachet__list_value_desc, j, at, depth + 1, &sub);
		if (rc == 0) {
			v->list_value = sub;
			v->kind = CACHET_VALUE_LIST;
		}
		return rc;
	}
}

/* Timestamp and Duration: strings. */
static int decode_time(const cachet__message_desc *d, const json_t *j,
		       const cachet__json_path *at, void *msg)
{
	bool is_ts = d->wkt == CACHET__WKT_TIMESTAMP;
	const char *text = json_string_value(j);
	int rc = strlen(text) != json_string_length(j) ? CACHET_EINVALID /* a NUL inside */
		 : is_ts ? cachet__timestamp_parse(text, msg)
			 : cachet__duration_parse(text, msg);
	if (rc == CACHET_EINVALID) {
		char shown[SHOWN_SIZE];
		quote(shown, text, json_string_length(j));
		return subject_error(at, ": invalid %s %s", is_ts ? "timestamp" : "duration",
				     shown);
	}
	return rc;
}

/*
 * The JSON value j at `at` as a new message of type d in *out. depth is
 * the nesting of this message, the top level being 1.
 */
static int decode_message(decoder *c, const cachet__message_desc *d, json_t *j,
			  const cachet__json_path *at, int depth, void **out)
{
	*out = NULL;
	if (depth > CACHET_MAX_DEPTH)
		return at_error(CACHET_ETOODEEP, at, "nested deeper than %d levels",
				CACHET_MAX_DEPTH);

	/* the JSON type first, so that nothing is allocated for a wrong one */
	switch (d->wkt) {
	case CACHET__WKT_TIMESTAMP:
		if (!json_is_string(j))
			return type_error(at, "a timestamp string", j);
		break;
	case CACHET__WKT_DURATION:
		if (!json_is_string(j))
			return type_error(at, "a duration string", j);
		break;
	case CACHET__WKT_LIST_VALUE:
		if (!json_is_array(j))
			return type_error(at, "an array", j);
		break;
	case CACHET__WKT_VALUE:
		break;
	case CACHET__WKT_STRUCT:
	case CACHET__WKT_NONE:
	default:
		if (!json_is_object(j))
			return type_error(at, "an object", j);
		break;
	}

	void *msg = cachet__message_new(d);
	if (msg == NULL)
		return CACHET_ENOMEM;
	int rc;
	switch (d->wkt) {
	case CACHET__WKT_TIMESTAMP:
	case CACHET__WKT_DURATION:
		rc = decode_time(d, j, at, msg);
		break;
	case CACHET__WKT_STRUCT: /* the map field, unwrapped */
		rc = decode_map(c, msg, cachet__field_by_number(d, 1), j, at, depth);
		break;
	case CACHET__WKT_LIST_VALUE: /* the repeated field, unwrapped */
		rc = decode_repeated(c, msg, cachet__field_by_number(d, 1), j, at, depth);
		break;
	case CACHET__WKT_VALUE:
		rc = decode_value_wkt(c, j, at, depth, msg);
		break;
	case CACHET__WKT_NONE:
	default:
		rc = decode_fields(c, d, j, msg, at, depth);
		break;
	}
	if (rc < 0) {
		cachet__message_free(d, msg);
		return rc;
	}
	*out = msg;
	return 0;
}

/* Whether text[i] starts an integer -0: '-', '0', then anything but a
 * digit, a fraction or an exponent. Only called outside strings. */
static bool is_negative_zero(const char *text, size_t len, size_t i)
{
	if (text[i] != '-' || i + 1 >= len || text[i + 1] != '0')
		return false;
	if (i + 2 == len)
		return true;
	char next = text[i + 2];
	return !(next >= '0' && next <= '9') && next != '.' && next != 'e' && next != 'E';
}

/*
 * The number of integer -0 in the text (outside strings), and, when spelled
 * is not NULL, the text with each written -0.0 into spelled (len + 2 * count
 * bytes). Syntax errors are left for jansson to find.
 */
static size_t spell_negative_zeros(const char *text, size_t len, char *spelled)
{
	size_t count = 0, w = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (spelled != NULL)
			spelled[w++] = ch;
		if (in_string) {
			if (ch == '\\' && i + 1 < len) {
				if (spelled != NULL)
					spelled[w++] = text[i + 1];
				i++;
			} else if (ch == '"') {
				in_string = false;
			}
		} else if (ch == '"') {
			in_string = true;
		} else if (is_negative_zero(text, len, i)) {
			if (spelled != NULL) {
				memcpy(spelled + w, "0.0", 3);
				w += 3;
			}
			count++;
			i++;
		}
	}
	return count;
}

/* jansson's parse, again with integers as reals when one overflows. */
static json_t *parse(decoder *c, const char *text, size_t len, json_error_t *err)
{
	const size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_t *root = json_loadb(text, len, flags, err);
	if (root == NULL && json_error_code(err) == json_error_numeric_overflow) {
		/* an integer beyond 64 bits somewhere: see the top of the file */
		c->ints_as_reals = true;
		root = json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, err);
	}
	return root;
}

int cachet__json_decode(const cachet__message_desc *d, void **out, const char *text,
			size_t len)
{
	return cachet__json_decode_open(d, out, text, len, NULL, 0);
}

int cachet__json_decode_open(const cachet__message_desc *d, void **out, const char *text,
			     size_t len, const cachet__message_desc *const *open, size_t n_open)
{
	*out = NULL;
	if (text == NULL)
		text = "";

	decoder c = {.scratch = CACHET_BUF_INIT, .open = open, .n_open = n_open};
	json_error_t err;
	json_t *root;
	char *respelled;
	int rc = cachet__json_nul_keys_respell(text, len, &respelled, &c.nul_keys);
	if (rc < 0)
		return rc;
	if (respelled != NULL)
		text = respelled; /* the same length, the same positions */
	size_t zeros = spell_negative_zeros(text, len, NULL);
	if (zeros == 0) {
		root = parse(&c, text, len, &err);
	} else {
		char *spelled = cachet__malloc(len + 2 * zeros);
		if (spelled == NULL) {
			cachet__free(respelled);
			return CACHET_ENOMEM;
		}
		spell_negative_zeros(text, len, spelled);
		root = parse(&c, spelled, len + 2 * zeros, &err);
		cachet__free(spelled);
		/* a syntax error is reported where it is in the text as written */
		if (root == NULL && json_error_code(&err) != json_error_out_of_memory)
			json_decref(parse(&c, text, len, &err));
	}
	cachet__free(respelled);
	if (root == NULL) {
		cachet__json_nul_keys_error_text(&c.nul_keys, err.text);
		return syntax_error(&err);
	}

	rc = decode_message(&c, d, root, NULL, 1, out);
	json_decref(root);
	cachet__buf_dispose(&c.scratch);
	return rc;
}
