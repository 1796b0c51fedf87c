/*
 * Declared types in workflow files. The text form is the one
 * cachet_literal_type_describe() prints in messages, so that a type from a
 * message can be pasted into a file:
 *
 *   int | float | str | bool | datetime | duration | none
 *   file | file(FMT) | directory | directory(FMT) | dataset | dataset(FMT)
 *   list of TYPE | map of TYPE | union(TYPE|TYPE|...) | enum(A|B|...)
 *
 * Also accepted, so that no spelling surprises: integer, string, boolean;
 * square brackets for parentheses (file[csv], union[int|none]); list(TYPE)
 * and map(TYPE). The mapping form adds what has no text, a dataset's
 * columns, and nests such types:
 *
 *   {dataset: FMT, columns: {NAME: TYPE, ...}}   {enum: [a, b]}
 *   {list: TYPE}  {map: TYPE}  {union: [TYPE, ...]}  {file: FMT}  {directory: FMT}
 */
#include "workflow/types.h"

#include "util/alloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int32_t simple;
} simple_names[] = {
	{"int", CACHET_SIMPLE_INTEGER},      {"integer", CACHET_SIMPLE_INTEGER},
	{"float", CACHET_SIMPLE_FLOAT},      {"str", CACHET_SIMPLE_STRING},
	{"string", CACHET_SIMPLE_STRING},    {"bool", CACHET_SIMPLE_BOOLEAN},
	{"boolean", CACHET_SIMPLE_BOOLEAN},  {"datetime", CACHET_SIMPLE_DATETIME},
	{"duration", CACHET_SIMPLE_DURATION}, {"none", CACHET_SIMPLE_NONE},
};

/* Spellings people try, and what they mean here. */
static const struct {
	const char *wrong, *right;
} hints[] = {
	{"int64", "int"},    {"double", "float"},       {"timestamp", "datetime"},
	{"null", "none"},    {"dataframe", "dataset"},  {"dir", "directory"},
	{"blob", "file"},    {"bytes", "file"},         {"optional", "union(TYPE|none)"},
};

#define TYPE_NAMES                                                                  \
	"int, float, str, bool, datetime, duration, none, file(FMT), directory(FMT), "  \
	"dataset(FMT), list of TYPE, map of TYPE, union(TYPE|TYPE), enum(A|B)"

/* The text form: a cursor over the scalar, for messages the whole text and
 * its node. */
typedef struct text_ctx {
	const char *name;
	const cachet__yaml_node *node;
	const char *p, *end;
	int depth;
} text_ctx;

static void skip_space(text_ctx *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static bool is_format_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.';
}

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

static int fail(const text_ctx *c, const char *fmt, ...) CACHET__PRINTF(2, 3);

/* "<where>: <what> in type '<text>'" */
static int fail(const text_ctx *c, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return cachet__yaml_error(c->name, c->node, "%s in type '%s'", what, c->node->text);
}

static int unknown_word(const text_ctx *c, const char *w, size_t n)
{
	if (n == 0) {
		if (c->p >= c->end)
			return fail(c, "expected a type at the end");
		return fail(c, "expected a type before '%.*s'", (int)(c->end - c->p), c->p);
	}
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
		if (word_is(w, n, hints[i].wrong))
			return cachet__yaml_error(c->name, c->node,
						  "unknown type '%.*s' (did you mean '%s'?)", (int)n, w,
						  hints[i].right);
	return cachet__yaml_error(c->name, c->node, "unknown type '%.*s'; types are %s", (int)n, w,
				  TYPE_NAMES);
}

/* A blob or dataset type with an optional format. */
static cachet_literal_type *offloaded_type(const char *base, size_t n, const char *format)
{
	if (word_is(base, n, "file"))
		return cachet_literal_type_new_blob(format, CACHET_BLOB_SINGLE);
	if (word_is(base, n, "directory"))
		return cachet_literal_type_new_blob(format, CACHET_BLOB_MULTIPART);
	return cachet_literal_type_new_dataset(format);
}

static bool accept(text_ctx *c, char ch)
{
	skip_space(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* After an opening '(' or '[': the closing one. */
static bool close_group(text_ctx *c, char open)
{
	return accept(c, open == '(' ? ')' : ']');
}

static int expected_close(text_ctx *c, char open, const char *what)
{
	return fail(c, "expected %s'%c' at '%.*s'", what, open == '(' ? ')' : ']',
		    (int)(c->end - c->p), c->p);
}

/* An empty union, to append variants to. */
static cachet_literal_type *new_union(void)
{
	cachet_literal_type *t = cachet__calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->kind = CACHET_TYPE_UNION;
	if ((t->union_type = cachet__calloc(1, sizeof *t->union_type)) == NULL) {
		cachet__free(t);
		return NULL;
	}
	return t;
}

/* Append v to union u, taking v (freed on failure). */
static int union_add(cachet_literal_type *u, cachet_literal_type *v)
{
	cachet_union_type *ut = u->union_type;
	cachet_literal_type **grown =
		cachet__reallocarray(ut->variants, ut->n_variants + 1, sizeof *grown);
	if (grown == NULL) {
		cachet_literal_type_free(v);
		return CACHET_ENOMEM;
	}
	ut->variants = grown;
	ut->variants[ut->n_variants++] = v;
	return 0;
}

/* An empty enum, to append values to. */
static cachet_literal_type *new_enum(void)
{
	cachet_literal_type *t = cachet__calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->kind = CACHET_TYPE_ENUM;
	if ((t->enum_type = cachet__calloc(1, sizeof *t->enum_type)) == NULL) {
		cachet__free(t);
		return NULL;
	}
	return t;
}

/* Append value (len bytes) to enum e; *dup set when it is there already. */
static int enum_add(cachet_literal_type *e, const char *value, size_t len, bool *dup)
{
	cachet_enum_type *et = e->enum_type;
	*dup = false;
	for (size_t i = 0; i < et->n_values; i++)
		if (cachet_str_len(et->values[i]) == len && memcmp(et->values[i], value, len) == 0) {
			*dup = true;
			return 0;
		}
	char **grown = cachet__reallocarray(et->values, et->n_values + 1, sizeof *grown);
	if (grown == NULL)
		return CACHET_ENOMEM;
	et->values = grown;
	if ((et->values[et->n_values] = cachet_str_new(value, len)) == NULL)
		return CACHET_ENOMEM;
	et->n_values++;
	return 0;
}

static int parse_text(cachet_literal_type **out, text_ctx *c);

/* After "union(": "TYPE|TYPE...)" */
static int parse_union(cachet_literal_type **out, text_ctx *c, char open)
{
	cachet_literal_type *u = new_union(), *v;
	int rc;

	if (u == NULL)
		return CACHET_ENOMEM;
	do {
		if ((rc = parse_text(&v, c)) < 0 || (rc = union_add(u, v)) < 0)
			goto fail;
	} while (accept(c, '|'));
	if (!close_group(c, open)) {
		rc = expected_close(c, open, "'|' or ");
		goto fail;
	}
	if (u->union_type->n_variants < 2) {
		rc = fail(c, "a union needs two types or more");
		goto fail;
	}
	*out = u;
	return 0;
fail:
	cachet_literal_type_free(u);
	return rc;
}

/* After "enum(": "A|B...)", each value trimmed. */
static int parse_enum(cachet_literal_type **out, text_ctx *c, char open)
{
	const char close = open == '(' ? ')' : ']';
	cachet_literal_type *e = new_enum();
	int rc;

	if (e == NULL)
		return CACHET_ENOMEM;
	for (;;) {
		skip_space(c);
		const char *v = c->p;
		while (c->p < c->end && *c->p != '|' && *c->p != close)
			c->p++;
		const char *ve = c->p;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve == v) {
			rc = fail(c, "an enum value is missing");
			goto fail;
		}
		bool dup;
		if ((rc = enum_add(e, v, (size_t)(ve - v), &dup)) < 0)
			goto fail;
		if (dup) {
			rc = fail(c, "enum value '%.*s' is listed twice", (int)(ve - v), v);
			goto fail;
		}
		if (!accept(c, '|'))
			break;
	}
	if (!close_group(c, open)) {
		rc = expected_close(c, open, "'|' or ");
		goto fail;
	}
	*out = e;
	return 0;
fail:
	cachet_literal_type_free(e);
	return rc;
}

static int parse_text(cachet_literal_type **out, text_ctx *c)
{
	int rc = 0;

	*out = NULL;
	if (++c->depth > CACHET__YAML_MAX_DEPTH)
		return fail(c, "nested too deeply");
	skip_space(c);
	const char *w = c->p;
	while (c->p < c->end && isalnum((unsigned char)*c->p))
		c->p++;
	size_t n = (size_t)(c->p - w);
	skip_space(c);
	char open = n > 0 && c->p < c->end && (*c->p == '(' || *c->p == '[') ? *c->p : 0;
	if (open)
		c->p++;

	if (word_is(w, n, "list") || word_is(w, n, "map")) {
		cachet_literal_type *inner;
		if (!open) {
			/* "list of TYPE": "of" then a space */
			if (c->end - c->p < 3 || memcmp(c->p, "of", 2) != 0 ||
			    (c->p[2] != ' ' && c->p[2] != '\t'))
				return cachet__yaml_error(c->name, c->node,
							  "'%.*s' needs its element type: write '%.*s of "
							  "TYPE' in type '%s'",
							  (int)n, w, (int)n, w, c->node->text);
			c->p += 2;
		}
		if ((rc = parse_text(&inner, c)) < 0)
			return rc;
		if (open && !close_group(c, open)) {
			cachet_literal_type_free(inner);
			return expected_close(c, open, "");
		}
		*out = word_is(w, n, "list") ? cachet_literal_type_new_collection(inner)
					     : cachet_literal_type_new_map(inner);
		rc = *out ? 0 : CACHET_ENOMEM;
	} else if (word_is(w, n, "union") || word_is(w, n, "enum")) {
		if (!open)
			return cachet__yaml_error(c->name, c->node,
						  "'%.*s' needs its %s: write '%.*s(%s)' in type '%s'",
						  (int)n, w, n == 5 ? "variants" : "values", (int)n, w,
						  n == 5 ? "TYPE|TYPE" : "A|B", c->node->text);
		rc = n == 5 ? parse_union(out, c, open) : parse_enum(out, c, open);
	} else if (word_is(w, n, "file") || word_is(w, n, "directory") || word_is(w, n, "dataset")) {
		char format[128] = "";
		if (open) {
			skip_space(c);
			const char *f = c->p;
			while (c->p < c->end && is_format_char(*c->p))
				c->p++;
			size_t flen = (size_t)(c->p - f);
			if (!close_group(c, open))
				return fail(c, "a format is a word such as csv or parquet, then '%c', "
					       "not '%.*s'",
					    open == '(' ? ')' : ']', (int)(c->end - f), f);
			if (flen >= sizeof format)
				return fail(c, "format '%.*s' is too long", (int)flen, f);
			memcpy(format, f, flen);
			format[flen] = '\0';
		}
		*out = offloaded_type(w, n, format);
		rc = *out ? 0 : cachet_error_last()->code;
	} else {
		for (size_t i = 0; i < sizeof simple_names / sizeof simple_names[0]; i++)
			if (word_is(w, n, simple_names[i].name)) {
				if (open)
					return fail(c, "'%.*s' takes no '%c'", (int)n, w, open);
				*out = cachet_literal_type_new_simple(simple_names[i].simple);
				rc = *out ? 0 : CACHET_ENOMEM;
				goto done;
			}
		return unknown_word(c, w, n);
	}
done:
	c->depth--;
	return rc;
}

static int parse_node(cachet_literal_type **out, const char *name, const cachet__yaml_node *n,
		      int depth);

static int enum_type(cachet_literal_type **out, const char *name, const cachet__yaml_node *n)
{
	if (n->kind != CACHET__YAML_SEQ || n->n_items == 0)
		return cachet__yaml_error(name, n, "an enum's values are a non-empty sequence of "
						   "strings, e.g. {enum: [red, green]}");
	cachet_literal_type *t = cachet__calloc(1, sizeof *t);
	if (t == NULL)
		return CACHET_ENOMEM;
	t->kind = CACHET_TYPE_ENUM;
	int rc = CACHET_ENOMEM;
	cachet_enum_type *et = t->enum_type = cachet__calloc(1, sizeof *et);
	if (et == NULL || (et->values = cachet__calloc(n->n_items, sizeof *et->values)) == NULL)
		goto fail;
	for (size_t i = 0; i < n->n_items; i++) {
		const cachet__yaml_node *v = n->items[i];
		if (v->kind != CACHET__YAML_SCALAR || cachet__yaml_is_null(v)) {
			rc = cachet__yaml_error(name, v, "an enum value must be a string, not %s",
						cachet__yaml_kind_name(v));
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (cachet_str_len(et->values[j]) == v->len &&
			    memcmp(et->values[j], v->text, v->len) == 0) {
				rc = cachet__yaml_error(name, v, "enum value '%s' is listed twice",
							v->text);
				goto fail;
			}
		if ((et->values[et->n_values] = cachet_str_new(v->text, v->len)) == NULL)
			goto fail;
		et->n_values++;
	}
	*out = t;
	return 0;
fail:
	cachet_literal_type_free(t);
	return rc;
}

static int dataset_columns(cachet_literal_type *t, const char *name,
			   const cachet__yaml_node *columns, int depth)
{
	cachet_structured_dataset_type *sdt = t->structured_dataset_type;
	int rc;

	if (cachet__yaml_is_null(columns))
		return 0;
	if (columns->kind != CACHET__YAML_MAP)
		return cachet__yaml_error(name, columns,
					  "columns must be a mapping of column name to type, not %s",
					  cachet__yaml_kind_name(columns));
	if (columns->n_pairs == 0)
		return 0;
	sdt->columns = cachet__calloc(columns->n_pairs, sizeof *sdt->columns);
	if (sdt->columns == NULL)
		return CACHET_ENOMEM;
	/* In document order: Flyte's columns are a list, and their order is
	 * part of the interface, so of the cache key. */
	for (size_t i = 0; i < columns->n_pairs; i++) {
		cachet_dataset_column *col = cachet__calloc(1, sizeof *col);
		if (col == NULL)
			return CACHET_ENOMEM;
		sdt->columns[sdt->n_columns++] = col;
		const cachet__yaml_node *key = columns->pairs[i].key;
		if ((col->name = cachet_str_new(key->text, key->len)) == NULL)
			return CACHET_ENOMEM;
		if ((rc = parse_node(&col->literal_type, name, columns->pairs[i].value, depth + 1)) < 0)
			return rc;
	}
	return 0;
}

static bool is_kind_key(const cachet__yaml_node *k)
{
	static const char *const kinds[] = {"list", "map", "union", "enum",
					    "file", "directory", "dataset"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (cachet__yaml_is(k, kinds[i]))
			return true;
	return false;
}

static int parse_mapping(cachet_literal_type **out, const char *name, const cachet__yaml_node *n,
			 int depth)
{
	const cachet__yaml_pair *kind = NULL;
	const cachet__yaml_node *columns = NULL;
	int rc;

	for (size_t i = 0; i < n->n_pairs; i++) {
		const cachet__yaml_pair *p = &n->pairs[i];
		if (cachet__yaml_is(p->key, "columns")) {
			columns = p->value;
		} else if (!is_kind_key(p->key)) {
			return cachet__yaml_error(name, p->key,
						  "unknown key '%s' in a type; a type mapping has "
						  "one of list, map, union, enum, file, directory, "
						  "dataset (and columns for a dataset)",
						  p->key->text);
		} else if (kind != NULL) {
			return cachet__yaml_error(name, p->key,
						  "a type mapping has one of list, map, union, enum, "
						  "file, directory or dataset, not both '%s' and '%s'",
						  kind->key->text, p->key->text);
		} else {
			kind = p;
		}
	}
	if (kind == NULL)
		return cachet__yaml_error(name, n,
					  "a type mapping needs one of list, map, union, enum, file, "
					  "directory or dataset");
	if (columns != NULL && !cachet__yaml_is(kind->key, "dataset"))
		return cachet__yaml_error(name, columns, "only a dataset has columns");

	const cachet__yaml_node *v = kind->value;
	if (cachet__yaml_is(kind->key, "enum"))
		return enum_type(out, name, v);
	if (cachet__yaml_is(kind->key, "union")) {
		if (v->kind != CACHET__YAML_SEQ || v->n_items < 2)
			return cachet__yaml_error(name, v, "a union's variants are a sequence of two "
							   "types or more");
		cachet_literal_type *u = new_union();
		if (u == NULL)
			return CACHET_ENOMEM;
		for (size_t i = 0; i < v->n_items; i++) {
			cachet_literal_type *inner;
			if ((rc = parse_node(&inner, name, v->items[i], depth + 1)) < 0 ||
			    (rc = union_add(u, inner)) < 0) {
				cachet_literal_type_free(u);
				return rc;
			}
		}
		*out = u;
		return 0;
	}
	if (cachet__yaml_is(kind->key, "list") || cachet__yaml_is(kind->key, "map")) {
		cachet_literal_type *inner;
		if ((rc = parse_node(&inner, name, v, depth + 1)) < 0)
			return rc;
		*out = cachet__yaml_is(kind->key, "list") ? cachet_literal_type_new_collection(inner)
							  : cachet_literal_type_new_map(inner);
		return *out ? 0 : CACHET_ENOMEM;
	}

	const char *format = "";
	if (!cachet__yaml_is_null(v)) {
		if (v->kind != CACHET__YAML_SCALAR)
			return cachet__yaml_error(name, v,
						  "the format of a %s must be a string such as csv, "
						  "not %s",
						  kind->key->text, cachet__yaml_kind_name(v));
		format = v->text;
	}
	cachet_literal_type *t = offloaded_type(kind->key->text, kind->key->len, format);
	if (t == NULL)
		return cachet_error_last()->code;
	if (columns != NULL && (rc = dataset_columns(t, name, columns, depth)) < 0) {
		cachet_literal_type_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static int parse_node(cachet_literal_type **out, const char *name, const cachet__yaml_node *n,
		      int depth)
{
	*out = NULL;
	if (depth > CACHET__YAML_MAX_DEPTH)
		return cachet__yaml_error(name, n, "type nested too deeply");
	if (n == NULL || cachet__yaml_is_null(n))
		return cachet__yaml_error(name, n, "missing type; types are %s", TYPE_NAMES);
	if (n->kind == CACHET__YAML_MAP)
		return parse_mapping(out, name, n, depth);
	if (n->kind != CACHET__YAML_SCALAR)
		return cachet__yaml_error(name, n, "a type is a string such as 'int' or a "
						   "mapping, not a sequence");
	text_ctx c = {name, n, n->text, n->text + n->len, depth};
	cachet_literal_type *t;
	int rc = parse_text(&t, &c);
	if (rc < 0)
		return rc;
	skip_space(&c);
	if (c.p != c.end) {
		cachet_literal_type_free(t);
		return fail(&c, "unexpected '%.*s'", (int)(c.end - c.p), c.p);
	}
	*out = t;
	return 0;
}

int cachet__wf_type_parse(cachet_literal_type **out, const char *name,
			  const cachet__yaml_node *n)
{
	return parse_node(out, name, n, 0);
}

bool cachet__wf_type_is_offloaded(const cachet_literal_type *t)
{
	return t != NULL && (t->kind == CACHET_TYPE_BLOB || t->kind == CACHET_TYPE_STRUCTURED_DATASET ||
			     t->kind == CACHET_TYPE_SCHEMA);
}

/* Durations of settings (timeouts, max_age): see types.h. */
int cachet__wf_duration_parse(cachet_duration *out, const char *text)
{
	const char *p = text;
	/* whole nanoseconds; the bound keeps every step far from overflow */
	const long double max_ns = 315576000000e9L;
	long double total = 0;

	if (*p == '\0')
		return CACHET_EINVALID;
	while (*p != '\0') {
		char *end;
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return CACHET_EINVALID;
		long double v = strtold(p, &end);
		if (end == p || v > max_ns)
			return CACHET_EINVALID;
		p = end;
		long double unit;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1e6L;
			p += 2;
		} else if (*p == 'd') {
			unit = 86400e9L;
			p++;
		} else if (*p == 'h') {
			unit = 3600e9L;
			p++;
		} else if (*p == 'm') {
			unit = 60e9L;
			p++;
		} else if (*p == 's') {
			unit = 1e9L;
			p++;
		} else {
			return CACHET_EINVALID; /* a unit is required: "30" is ambiguous */
		}
		total += v * unit;
		if (total > max_ns)
			return CACHET_EINVALID;
	}
	long double ns = total + 0.5L;
	int64_t seconds = (int64_t)(ns / 1e9L);
	out->seconds = seconds;
	out->nanos = (int32_t)(ns - (long double)seconds * 1e9L);
	return 0;
}
