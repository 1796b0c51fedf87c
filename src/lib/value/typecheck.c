/*
 * The type algebra: what a type and a value are called in messages,
 * whether a value fits a type, whether one type may feed another, what
 * local data a value stands for and which URIs it carries. Every layer
 * asks these questions here, so that they get one answer.
 *
 * Types are named as workflow files spell them ("int", "file(csv)",
 * "list of str"), values by the same words with an article ("an int", "a
 * file"), so that a type in a message can be pasted into a file.
 *
 * Like Flyte's type checker, types compare by kind: simple types must be
 * equal, blobs and datasets agree on format (an empty format agrees with
 * any) and, for blobs, on dimensionality; containers compare their
 * elements; unions accept what one variant accepts. docs/design.md says
 * why a Binary tagged "msgpack" is a STRUCT.
 */
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/os.h"
#include "value/message.h"

#include "cachet/value.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Describing types and values                                            */

static const char *simple_type_word(int32_t simple)
{
	switch (simple) {
	case CACHET_SIMPLE_INTEGER: return "int";
	case CACHET_SIMPLE_FLOAT: return "float";
	case CACHET_SIMPLE_STRING: return "str";
	case CACHET_SIMPLE_BOOLEAN: return "bool";
	case CACHET_SIMPLE_DATETIME: return "datetime";
	case CACHET_SIMPLE_DURATION: return "duration";
	case CACHET_SIMPLE_NONE: return "none";
	case CACHET_SIMPLE_BINARY: return "binary";
	case CACHET_SIMPLE_ERROR: return "error";
	case CACHET_SIMPLE_STRUCT: return "struct";
	default: return NULL;
	}
}

/* A string of a value (counted, it may hold NUL) as messages show it:
 * control characters as \xNN. Returns out. */
static const char *show(char out[CACHET__SHOW_MAX], const char *s)
{
	return cachet__bytes_show(out, s, cachet_str_len(s));
}

static int describe_format(cachet_buf *out, const char *base, const char *format)
{
	char shown[CACHET__SHOW_MAX];

	if (cachet_str_len(format) > 0)
		return cachet__buf_printf(out, "%s(%s)", base, show(shown, format));
	return cachet__buf_puts(out, base);
}

static int describe_type(cachet_buf *out, const cachet_literal_type *type, int depth)
{
	const char *word;
	int rc;

	if (!type)
		return cachet__buf_puts(out, "(no type)");
	if (depth > CACHET_MAX_DEPTH)
		return cachet__buf_puts(out, "...");
	switch (type->kind) {
	case CACHET_TYPE_SIMPLE:
		if ((word = simple_type_word(type->simple)) != NULL)
			return cachet__buf_puts(out, word);
		return cachet__buf_printf(out, "simple(%d)", (int)type->simple);
	case CACHET_TYPE_BLOB:
		if (!type->blob)
			return cachet__buf_puts(out, "file");
		return describe_format(out,
				       type->blob->dimensionality == CACHET_BLOB_MULTIPART
					       ? "directory"
					       : "file",
				       type->blob->format);
	case CACHET_TYPE_STRUCTURED_DATASET:
		return describe_format(out, "dataset",
				       type->structured_dataset_type
					       ? type->structured_dataset_type->format
					       : NULL);
	case CACHET_TYPE_SCHEMA: return cachet__buf_puts(out, "schema");
	case CACHET_TYPE_COLLECTION:
		if ((rc = cachet__buf_puts(out, "list of ")) < 0)
			return rc;
		return describe_type(out, type->collection_type, depth + 1);
	case CACHET_TYPE_MAP:
		if ((rc = cachet__buf_puts(out, "map of ")) < 0)
			return rc;
		return describe_type(out, type->map_value_type, depth + 1);
	case CACHET_TYPE_ENUM:
		if ((rc = cachet__buf_puts(out, "enum(")) < 0)
			return rc;
		for (size_t i = 0; type->enum_type && i < type->enum_type->n_values; i++) {
			char shown[CACHET__SHOW_MAX];
			show(shown, type->enum_type->values[i]);
			if ((rc = cachet__buf_printf(out, "%s%s", i ? "|" : "", shown)) < 0)
				return rc;
		}
		return cachet__buf_putc(out, ')');
	case CACHET_TYPE_UNION:
		if ((rc = cachet__buf_puts(out, "union(")) < 0)
			return rc;
		for (size_t i = 0; type->union_type && i < type->union_type->n_variants; i++) {
			if ((i && (rc = cachet__buf_putc(out, '|')) < 0) ||
			    (rc = describe_type(out, type->union_type->variants[i], depth + 1)) < 0)
				return rc;
		}
		return cachet__buf_putc(out, ')');
	default: return cachet__buf_puts(out, "(unset type)");
	}
}

int cachet_literal_type_describe(char **out, const cachet_literal_type *type)
{
	cachet_buf b = CACHET_BUF_INIT;
	int rc;

	if (!out)
		return cachet__error(CACHET_EINVALID, "cachet_literal_type_describe: out is NULL");
	*out = NULL;
	if ((rc = describe_type(&b, type, 0)) < 0 || !(*out = cachet__buf_detach(&b, NULL)))
		rc = rc < 0 ? rc : cachet__error_oom();
	cachet__buf_dispose(&b);
	return rc;
}

static const char *primitive_word(cachet_primitive_kind kind)
{
	switch (kind) {
	case CACHET_PRIMITIVE_INTEGER: return "an int";
	case CACHET_PRIMITIVE_FLOAT: return "a float";
	case CACHET_PRIMITIVE_STRING: return "a str";
	case CACHET_PRIMITIVE_BOOLEAN: return "a bool";
	case CACHET_PRIMITIVE_DATETIME: return "a datetime";
	case CACHET_PRIMITIVE_DURATION: return "a duration";
	default: return "an empty primitive";
	}
}

/* A Binary holding MessagePack, as Flyte's SDKs send a dataclass. */
static bool is_msgpack(const cachet_scalar *sc)
{
	return sc->kind == CACHET_SCALAR_BINARY &&
	       cachet_str_len(sc->binary->tag) == strlen(CACHET_BINARY_TAG_MSGPACK) &&
	       !strcmp(sc->binary->tag, CACHET_BINARY_TAG_MSGPACK);
}

static bool blob_is_directory(const cachet_blob *blob)
{
	return blob->metadata && blob->metadata->type &&
	       blob->metadata->type->dimensionality == CACHET_BLOB_MULTIPART;
}

const char *cachet_literal_describe(const cachet_literal *lit)
{
	if (!lit)
		return "nothing";
	switch (lit->kind) {
	case CACHET_LITERAL_COLLECTION: return "a list";
	case CACHET_LITERAL_MAP: return "a map";
	case CACHET_LITERAL_OFFLOADED: return "an offloaded value";
	case CACHET_LITERAL_SCALAR: break;
	default: return "an empty literal";
	}
	switch (lit->scalar->kind) {
	case CACHET_SCALAR_PRIMITIVE: return primitive_word(lit->scalar->primitive->kind);
	case CACHET_SCALAR_BLOB:
		return blob_is_directory(lit->scalar->blob) ? "a directory" : "a file";
	case CACHET_SCALAR_STRUCTURED_DATASET: return "a dataset";
	case CACHET_SCALAR_SCHEMA: return "a schema";
	case CACHET_SCALAR_NONE: return "none";
	case CACHET_SCALAR_BINARY: return is_msgpack(lit->scalar) ? "a struct" : "binary";
	case CACHET_SCALAR_ERROR: return "an error";
	case CACHET_SCALAR_GENERIC: return "a struct";
	case CACHET_SCALAR_UNION: return "a union value";
	default: return "an empty scalar";
	}
}

/* ---------------------------------------------------------------------- */
/* Reasons                                                                */

static void set_why(char **why, const char *fmt, ...) CACHET__PRINTF(2, 3);

/* The first reason wins: it is the innermost, the most precise. */
static void set_why(char **why, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	if (!why || *why)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	*why = cachet__strdup(tmp); /* out of memory: no reason, the answer stands */
}

/* "<what> is not of type <type>" */
static void set_why_not_of_type(char **why, const char *what, const cachet_literal_type *type)
{
	char *tn = NULL;

	if (!why || *why)
		return;
	(void)cachet_literal_type_describe(&tn, type);
	set_why(why, "%s is not of type %s", what, tn ? tn : "(unknown)");
	cachet__free(tn);
}

/* ---------------------------------------------------------------------- */
/* May a value of one type feed an input of another?                      */

static bool formats_agree(const char *a, const char *b)
{
	if (cachet_str_len(a) == 0 || cachet_str_len(b) == 0)
		return true;
	return cachet__str_equal(a, b);
}

static const cachet_literal_type *dataset_column_type(const cachet_structured_dataset_type *sd,
						      const char *name)
{
	for (size_t i = 0; i < sd->n_columns; i++)
		if (sd->columns[i] && cachet__str_equal(sd->columns[i]->name, name))
			return sd->columns[i]->literal_type;
	return NULL;
}

static bool compatible(const cachet_literal_type *from, const cachet_literal_type *to,
		       char **why, int depth);

static bool datasets_compatible(const cachet_structured_dataset_type *from,
				const cachet_structured_dataset_type *to, char **why, int depth)
{
	if (!from || !to)
		return true;
	if (!formats_agree(from->format, to->format)) {
		char a[CACHET__SHOW_MAX], b[CACHET__SHOW_MAX];
		set_why(why, "dataset format '%s' does not match '%s'", show(a, from->format),
			show(b, to->format));
		return false;
	}
	if (!from->n_columns || !to->n_columns)
		return true;
	/* the input's columns must all be there, of fitting types */
	for (size_t i = 0; i < to->n_columns; i++) {
		const char *name = to->columns[i] ? to->columns[i]->name : NULL;
		const cachet_literal_type *ft = dataset_column_type(from, name);
		if (!ft) {
			char shown[CACHET__SHOW_MAX];
			set_why(why, "the dataset has no column '%s'", show(shown, name));
			return false;
		}
		if (to->columns[i]->literal_type &&
		    !compatible(ft, to->columns[i]->literal_type, why, depth + 1))
			return false;
	}
	return true;
}

/* Every value `from` may take must be one `to` accepts. */
static bool enums_compatible(const cachet_enum_type *from, const cachet_enum_type *to,
			     char **why)
{
	size_t na = from ? from->n_values : 0, nb = to ? to->n_values : 0;

	for (size_t i = 0; i < na; i++) {
		const char *v = from->values[i];
		bool found = false;
		for (size_t k = 0; k < nb && !found; k++)
			found = cachet__str_equal(v, to->values[k]);
		if (!found) {
			char shown[CACHET__SHOW_MAX];
			set_why(why, "enum value '%s' is not accepted", show(shown, v));
			return false;
		}
	}
	return true;
}

static bool union_compatible(const cachet_literal_type *from, const cachet_literal_type *to,
			     char **why, int depth)
{
	const cachet_union_type *u = to->union_type;

	if (from->kind == CACHET_TYPE_UNION) {
		/* every value from may hold must fit */
		for (size_t i = 0; from->union_type && i < from->union_type->n_variants; i++)
			if (!compatible(from->union_type->variants[i], to, NULL, depth + 1)) {
				set_why(why, "a variant of the union fits no variant of the input");
				return false;
			}
		return true;
	}
	for (size_t i = 0; u && i < u->n_variants; i++)
		if (compatible(from, u->variants[i], NULL, depth + 1))
			return true;
	set_why(why, "it fits no variant of the union");
	return false;
}

static bool blobs_compatible(const cachet_blob_type *from, const cachet_blob_type *to, char **why)
{
	if (!from || !to)
		return true;
	if (from->dimensionality != to->dimensionality) {
		set_why(why, "%s", to->dimensionality == CACHET_BLOB_MULTIPART
					   ? "a file is not a directory"
					   : "a directory is not a file");
		return false;
	}
	if (!formats_agree(from->format, to->format)) {
		char a[CACHET__SHOW_MAX], b[CACHET__SHOW_MAX];
		set_why(why, "format '%s' does not match '%s'", show(a, from->format),
			show(b, to->format));
		return false;
	}
	return true;
}

static bool compatible(const cachet_literal_type *from, const cachet_literal_type *to,
		       char **why, int depth)
{
	if (!from || !to || depth > CACHET_MAX_DEPTH)
		return from == to;
	if (to->kind == CACHET_TYPE_UNION)
		return union_compatible(from, to, why, depth);
	if (from->kind != to->kind) {
		set_why(why, "different kinds of value");
		return false;
	}
	switch (to->kind) {
	case CACHET_TYPE_SIMPLE:
		if (from->simple != to->simple) {
			set_why(why, "different types");
			return false;
		}
		return true;
	case CACHET_TYPE_BLOB: return blobs_compatible(from->blob, to->blob, why);
	case CACHET_TYPE_STRUCTURED_DATASET:
		return datasets_compatible(from->structured_dataset_type,
					   to->structured_dataset_type, why, depth);
	case CACHET_TYPE_SCHEMA: return true;
	case CACHET_TYPE_COLLECTION:
		return compatible(from->collection_type, to->collection_type, why, depth + 1);
	case CACHET_TYPE_MAP:
		return compatible(from->map_value_type, to->map_value_type, why, depth + 1);
	case CACHET_TYPE_ENUM: return enums_compatible(from->enum_type, to->enum_type, why);
	default: return cachet_literal_type_equal(from, to);
	}
}

bool cachet_literal_type_compatible(const cachet_literal_type *from,
				    const cachet_literal_type *to, char **why)
{
	if (why)
		*why = NULL;
	return compatible(from, to, why, 0);
}

/* ---------------------------------------------------------------------- */
/* Does a value fit a type?                                               */

static bool fits(const cachet_literal *lit, const cachet_literal_type *type, char **why,
		 int depth);

/* A simple type this version does not know is not judged: refusing it
 * would refuse every value a newer Flyte writes for it. */
static bool simple_fits(const cachet_scalar *sc, int32_t simple)
{
	cachet_primitive_kind primitive =
		sc->kind == CACHET_SCALAR_PRIMITIVE ? sc->primitive->kind : CACHET_PRIMITIVE_NOT_SET;

	switch (simple) {
	case CACHET_SIMPLE_INTEGER: return primitive == CACHET_PRIMITIVE_INTEGER;
	case CACHET_SIMPLE_FLOAT: return primitive == CACHET_PRIMITIVE_FLOAT;
	case CACHET_SIMPLE_STRING: return primitive == CACHET_PRIMITIVE_STRING;
	case CACHET_SIMPLE_BOOLEAN: return primitive == CACHET_PRIMITIVE_BOOLEAN;
	case CACHET_SIMPLE_DATETIME: return primitive == CACHET_PRIMITIVE_DATETIME;
	case CACHET_SIMPLE_DURATION: return primitive == CACHET_PRIMITIVE_DURATION;
	case CACHET_SIMPLE_NONE: return sc->kind == CACHET_SCALAR_NONE;
	case CACHET_SIMPLE_ERROR: return sc->kind == CACHET_SCALAR_ERROR;
	/* A struct travels as a protobuf Struct or as MessagePack bytes; any
	 * other bytes are binary (docs/design.md, "Types"). */
	case CACHET_SIMPLE_BINARY: return sc->kind == CACHET_SCALAR_BINARY && !is_msgpack(sc);
	case CACHET_SIMPLE_STRUCT: return sc->kind == CACHET_SCALAR_GENERIC || is_msgpack(sc);
	default: return simple_type_word(simple) == NULL;
	}
}

static bool enum_fits(const cachet_scalar *sc, const cachet_enum_type *e, bool *is_string)
{
	const char *v;

	*is_string = sc->kind == CACHET_SCALAR_PRIMITIVE &&
		     sc->primitive->kind == CACHET_PRIMITIVE_STRING;
	if (!*is_string)
		return false;
	v = sc->primitive->string_value;
	for (size_t i = 0; e && i < e->n_values; i++)
		if (cachet__str_equal(e->values[i], v))
			return true;
	return false;
}

static bool any_variant_fits(const cachet_literal *lit, const cachet_union_type *u, int depth)
{
	for (size_t i = 0; u && i < u->n_variants; i++)
		if (fits(lit, u->variants[i], NULL, depth + 1))
			return true;
	return false;
}

static bool fits_scalar(const cachet_literal *lit, const cachet_literal_type *type, char **why,
			int depth)
{
	const cachet_scalar *sc = lit->scalar;
	bool is_string;

	/* A union value fits what its value fits; an empty one only a union. */
	if (sc->kind == CACHET_SCALAR_UNION && sc->union_->value)
		return fits(sc->union_->value, type, why, depth + 1);
	switch (type->kind) {
	case CACHET_TYPE_SIMPLE:
		if (simple_fits(sc, type->simple))
			return true;
		break;
	case CACHET_TYPE_BLOB:
		if (sc->kind != CACHET_SCALAR_BLOB)
			break;
		{
			const cachet_blob_type *bt =
				sc->blob->metadata ? sc->blob->metadata->type : NULL;
			if (!bt || !type->blob)
				return true;
			if (bt->dimensionality != type->blob->dimensionality)
				break;
			if (!formats_agree(bt->format, type->blob->format)) {
				char a[CACHET__SHOW_MAX], b[CACHET__SHOW_MAX];
				set_why(why, "%s of format '%s' is not of format '%s'",
					cachet_literal_describe(lit), show(a, bt->format),
					show(b, type->blob->format));
				return false;
			}
			return true;
		}
	case CACHET_TYPE_STRUCTURED_DATASET:
		if (sc->kind != CACHET_SCALAR_STRUCTURED_DATASET)
			break;
		{
			const cachet_structured_dataset *sd = sc->structured_dataset;
			const cachet_structured_dataset_type *st =
				sd->metadata ? sd->metadata->structured_dataset_type : NULL;
			const cachet_structured_dataset_type *tt = type->structured_dataset_type;
			if (st && tt && !formats_agree(st->format, tt->format)) {
				char a[CACHET__SHOW_MAX], b[CACHET__SHOW_MAX];
				set_why(why, "a dataset of format '%s' is not of format '%s'",
					show(a, st->format), show(b, tt->format));
				return false;
			}
			return true;
		}
	case CACHET_TYPE_SCHEMA:
		if (sc->kind == CACHET_SCALAR_SCHEMA)
			return true;
		break;
	case CACHET_TYPE_ENUM:
		if (enum_fits(sc, type->enum_type, &is_string))
			return true;
		if (is_string) {
			char shown[CACHET__SHOW_MAX];
			set_why(why, "'%s' is not one of the enum's values",
				show(shown, sc->primitive->string_value));
			return false;
		}
		break;
	case CACHET_TYPE_UNION:
		if (sc->kind == CACHET_SCALAR_UNION || any_variant_fits(lit, type->union_type, depth))
			return true;
		break;
	default: break;
	}
	set_why_not_of_type(why, cachet_literal_describe(lit), type);
	return false;
}

/* An offloaded value is elsewhere: judged by the type it declares, taken
 * on trust when it declares none. */
static bool fits_offloaded(const cachet_literal *lit, const cachet_literal_type *type,
			   char **why)
{
	const cachet_literal_type *it = lit->offloaded_metadata->inferred_type;
	char *tn = NULL, what[256];

	if (!it || it->kind == CACHET_TYPE_NOT_SET ||
	    cachet_literal_type_compatible(it, type, NULL))
		return true;
	if (why && !*why) {
		(void)cachet_literal_type_describe(&tn, it);
		snprintf(what, sizeof what, "an offloaded %s", tn ? tn : "value");
		set_why_not_of_type(why, what, type);
		cachet__free(tn);
	}
	return false;
}

static bool fits(const cachet_literal *lit, const cachet_literal_type *type, char **why,
		 int depth)
{
	const cachet_literal_collection *list;
	const cachet_literal_map *map;

	if (!type || type->kind == CACHET_TYPE_NOT_SET)
		return true; /* untyped: anything goes */
	if (depth > CACHET_MAX_DEPTH) {
		set_why(why, "value nested too deeply");
		return false;
	}
	switch (lit ? lit->kind : CACHET_LITERAL_NOT_SET) {
	case CACHET_LITERAL_OFFLOADED: return fits_offloaded(lit, type, why);
	case CACHET_LITERAL_SCALAR: return fits_scalar(lit, type, why, depth);
	case CACHET_LITERAL_COLLECTION:
		if (type->kind != CACHET_TYPE_COLLECTION)
			break;
		list = lit->collection;
		for (size_t i = 0; i < list->n_literals; i++)
			if (!fits(list->literals[i], type->collection_type, why, depth + 1))
				return false;
		return true;
	case CACHET_LITERAL_MAP:
		if (type->kind != CACHET_TYPE_MAP)
			break;
		map = lit->map;
		for (size_t i = 0; i < map->n_literals; i++)
			if (!fits(map->literals[i].value, type->map_value_type, why, depth + 1))
				return false;
		return true;
	default: break;
	}
	if (lit && type->kind == CACHET_TYPE_UNION) {
		/* a list or a map: one variant must take it */
		if (any_variant_fits(lit, type->union_type, depth))
			return true;
		set_why(why, "%s fits no variant of the union", cachet_literal_describe(lit));
		return false;
	}
	set_why_not_of_type(why, cachet_literal_describe(lit), type);
	return false;
}

bool cachet_literal_fits(const cachet_literal *lit, const cachet_literal_type *type, char **why)
{
	if (why)
		*why = NULL;
	return fits(lit, type, why, 0);
}

/* ---------------------------------------------------------------------- */
/* Data behind values                                                     */

cachet_data_kind cachet_literal_type_data_kind(const cachet_literal_type *type)
{
	if (!type)
		return CACHET_DATA_NONE;
	switch (type->kind) {
	case CACHET_TYPE_BLOB:
		return type->blob && type->blob->dimensionality == CACHET_BLOB_MULTIPART
			       ? CACHET_DATA_DIRECTORY
			       : CACHET_DATA_FILE;
	case CACHET_TYPE_STRUCTURED_DATASET:
	case CACHET_TYPE_SCHEMA: return CACHET_DATA_DATASET;
	default: return CACHET_DATA_NONE;
	}
}

/* The scalar a value stands for, through union wrappers, or NULL. */
static const cachet_scalar *data_scalar(const cachet_literal *lit)
{
	for (int depth = 0; depth <= CACHET_MAX_DEPTH; depth++) {
		if (!lit || lit->kind != CACHET_LITERAL_SCALAR)
			return NULL;
		if (lit->scalar->kind != CACHET_SCALAR_UNION)
			return lit->scalar;
		lit = lit->scalar->union_->value;
	}
	return NULL;
}

cachet_data_kind cachet_literal_data_kind(const cachet_literal *lit)
{
	const cachet_scalar *sc = data_scalar(lit);

	switch (sc ? sc->kind : CACHET_SCALAR_NOT_SET) {
	case CACHET_SCALAR_BLOB:
		return blob_is_directory(sc->blob) ? CACHET_DATA_DIRECTORY : CACHET_DATA_FILE;
	case CACHET_SCALAR_STRUCTURED_DATASET:
	case CACHET_SCALAR_SCHEMA: return CACHET_DATA_DATASET;
	default: return CACHET_DATA_NONE;
	}
}

/* Where a scalar keeps its URI, or NULL when it has none. */
static char **scalar_uri(cachet_scalar *sc)
{
	switch (sc->kind) {
	case CACHET_SCALAR_BLOB: return &sc->blob->uri;
	case CACHET_SCALAR_STRUCTURED_DATASET: return &sc->structured_dataset->uri;
	case CACHET_SCALAR_SCHEMA: return &sc->schema->uri;
	default: return NULL;
	}
}

const char *cachet_literal_uri(const cachet_literal *lit)
{
	const cachet_scalar *sc = data_scalar(lit);
	char **uri = sc ? scalar_uri((cachet_scalar *)sc) : NULL;

	return uri ? *uri : NULL;
}

/* fn on *uri when it is set. */
static int one_uri(char **uri, cachet_uri_fn fn, void *payload)
{
	return uri && cachet_str_len(*uri) > 0 ? fn(uri, payload) : 0;
}

static int each_uri(cachet_literal *lit, cachet_uri_fn fn, void *payload, int depth)
{
	int rc = 0;

	if (!lit)
		return 0;
	if (depth > CACHET_MAX_DEPTH)
		return cachet__error(CACHET_ETOODEEP, "value nested too deeply");
	switch (lit->kind) {
	case CACHET_LITERAL_SCALAR:
		if (lit->scalar->kind == CACHET_SCALAR_UNION)
			return each_uri(lit->scalar->union_->value, fn, payload, depth + 1);
		return one_uri(scalar_uri(lit->scalar), fn, payload);
	case CACHET_LITERAL_COLLECTION:
		for (size_t i = 0; rc == 0 && i < lit->collection->n_literals; i++)
			rc = each_uri(lit->collection->literals[i], fn, payload, depth + 1);
		return rc;
	case CACHET_LITERAL_MAP:
		for (size_t i = 0; rc == 0 && i < lit->map->n_literals; i++)
			rc = each_uri(lit->map->literals[i].value, fn, payload, depth + 1);
		return rc;
	case CACHET_LITERAL_OFFLOADED:
		return one_uri(&lit->offloaded_metadata->uri, fn, payload);
	default: return 0;
	}
}

int cachet_literal_each_uri(cachet_literal *lit, cachet_uri_fn fn, void *payload)
{
	if (!fn)
		return cachet__error(CACHET_EINVALID, "cachet_literal_each_uri: fn is NULL");
	return each_uri(lit, fn, payload, 0);
}
