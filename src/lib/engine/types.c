/*
 * Type compatibility (may this output feed that input?) and whether a
 * value is of a type. Like Flyte's type checker, by kind: simple types
 * must be equal, blobs and datasets agree on format (an empty format fits
 * any) and, for blobs, on dimensionality; containers compare their
 * elements; unions accept any value one variant accepts.
 */
#include "engine/internal.h"

#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_why(char **why, const char *fmt, ...) CACHET__PRINTF(2, 3);

static void set_why(char **why, const char *fmt, ...)
{
	cachet_buf b = CACHET_BUF_INIT;
	va_list ap;
	char tmp[512];

	if (!why || *why)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (cachet__buf_puts(&b, tmp) == 0)
		*why = cachet__buf_detach(&b, NULL);
	cachet__buf_dispose(&b);
}

static bool formats_agree(const char *a, const char *b)
{
	if (!a || !*a || !b || !*b)
		return true;
	return !strcmp(a, b);
}

static const cachet_literal_type *dataset_column_type(const cachet_structured_dataset_type *sd,
						      const char *name)
{
	for (size_t i = 0; i < sd->n_columns; i++)
		if (sd->columns[i] && !strcmp(sd->columns[i]->name ? sd->columns[i]->name : "", name))
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
		set_why(why, "dataset format '%s' does not match '%s'", from->format, to->format);
		return false;
	}
	if (!from->n_columns || !to->n_columns)
		return true;
	/* the input's columns must all be there, of fitting types */
	for (size_t i = 0; i < to->n_columns; i++) {
		const char *name = to->columns[i] && to->columns[i]->name ? to->columns[i]->name : "";
		const cachet_literal_type *ft = dataset_column_type(from, name);
		if (!ft) {
			set_why(why, "the dataset has no column '%s'", name);
			return false;
		}
		if (ft && to->columns[i]->literal_type &&
		    !compatible(ft, to->columns[i]->literal_type, why, depth + 1))
			return false;
	}
	return true;
}

static bool compatible(const cachet_literal_type *from, const cachet_literal_type *to,
		       char **why, int depth)
{
	if (!from || !to || depth > CACHET_MAX_DEPTH)
		return from == to;
	if (to->kind == CACHET_TYPE_UNION) {
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
	case CACHET_TYPE_BLOB:
		if (!from->blob || !to->blob)
			return true;
		if (from->blob->dimensionality != to->blob->dimensionality) {
			set_why(why, "%s", to->blob->dimensionality == CACHET_BLOB_MULTIPART
						   ? "a file is not a directory"
						   : "a directory is not a file");
			return false;
		}
		if (!formats_agree(from->blob->format, to->blob->format)) {
			set_why(why, "format '%s' does not match '%s'", from->blob->format,
				to->blob->format);
			return false;
		}
		return true;
	case CACHET_TYPE_STRUCTURED_DATASET:
		return datasets_compatible(from->structured_dataset_type,
					   to->structured_dataset_type, why, depth);
	case CACHET_TYPE_SCHEMA: return true;
	case CACHET_TYPE_COLLECTION:
		return compatible(from->collection_type, to->collection_type, why, depth + 1);
	case CACHET_TYPE_MAP:
		return compatible(from->map_value_type, to->map_value_type, why, depth + 1);
	case CACHET_TYPE_ENUM: {
		const cachet_enum_type *a = from->enum_type, *b = to->enum_type;
		size_t na = a ? a->n_values : 0, nb = b ? b->n_values : 0;
		/* every value from may take must be one to accepts */
		for (size_t i = 0; i < na; i++) {
			bool found = false;
			for (size_t k = 0; k < nb && !found; k++)
				found = !strcmp(a->values[i] ? a->values[i] : "",
						b->values[k] ? b->values[k] : "");
			if (!found) {
				set_why(why, "enum value '%s' is not accepted",
					a->values[i] ? a->values[i] : "");
				return false;
			}
		}
		return true;
	}
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

static const char *primitive_word(int kind)
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

/* What a literal is, in words, for messages. */
static const char *literal_word(const cachet_literal *lit)
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
		return lit->scalar->blob->metadata && lit->scalar->blob->metadata->type &&
				       lit->scalar->blob->metadata->type->dimensionality ==
					       CACHET_BLOB_MULTIPART
			       ? "a directory"
			       : "a file";
	case CACHET_SCALAR_STRUCTURED_DATASET: return "a dataset";
	case CACHET_SCALAR_SCHEMA: return "a schema";
	case CACHET_SCALAR_NONE: return "none";
	case CACHET_SCALAR_BINARY: return "binary";
	case CACHET_SCALAR_ERROR: return "an error";
	case CACHET_SCALAR_GENERIC: return "a struct";
	case CACHET_SCALAR_UNION: return "a union value";
	default: return "an empty scalar";
	}
}

static bool fits(const cachet_literal *lit, const cachet_literal_type *type, char **why,
		 int depth);

static bool fits_scalar(const cachet_literal *lit, const cachet_literal_type *type, char **why,
			int depth)
{
	const cachet_scalar *sc = lit->scalar;

	switch (type->kind) {
	case CACHET_TYPE_SIMPLE: {
		int want = -1;
		switch (type->simple) {
		case CACHET_SIMPLE_INTEGER: want = CACHET_PRIMITIVE_INTEGER; break;
		case CACHET_SIMPLE_FLOAT: want = CACHET_PRIMITIVE_FLOAT; break;
		case CACHET_SIMPLE_STRING: want = CACHET_PRIMITIVE_STRING; break;
		case CACHET_SIMPLE_BOOLEAN: want = CACHET_PRIMITIVE_BOOLEAN; break;
		case CACHET_SIMPLE_DATETIME: want = CACHET_PRIMITIVE_DATETIME; break;
		case CACHET_SIMPLE_DURATION: want = CACHET_PRIMITIVE_DURATION; break;
		case CACHET_SIMPLE_NONE:
			if (sc->kind == CACHET_SCALAR_NONE)
				return true;
			break;
		case CACHET_SIMPLE_BINARY:
			if (sc->kind == CACHET_SCALAR_BINARY)
				return true;
			break;
		case CACHET_SIMPLE_ERROR:
			if (sc->kind == CACHET_SCALAR_ERROR)
				return true;
			break;
		case CACHET_SIMPLE_STRUCT:
			if (sc->kind == CACHET_SCALAR_GENERIC)
				return true;
			break;
		default: break;
		}
		if (want >= 0 && sc->kind == CACHET_SCALAR_PRIMITIVE && (int)sc->primitive->kind == want)
			return true;
		break;
	}
	case CACHET_TYPE_BLOB:
		if (sc->kind == CACHET_SCALAR_BLOB) {
			const cachet_blob_type *bt =
				sc->blob->metadata ? sc->blob->metadata->type : NULL;
			if (!bt || !type->blob)
				return true;
			if (bt->dimensionality != type->blob->dimensionality)
				break;
			if (!formats_agree(bt->format, type->blob->format)) {
				set_why(why, "a file of format '%s' is not of format '%s'", bt->format,
					type->blob->format);
				return false;
			}
			return true;
		}
		break;
	case CACHET_TYPE_STRUCTURED_DATASET:
		if (sc->kind == CACHET_SCALAR_STRUCTURED_DATASET) {
			const cachet_structured_dataset *sd = sc->structured_dataset;
			const cachet_structured_dataset_type *st =
				sd->metadata ? sd->metadata->structured_dataset_type : NULL;
			const cachet_structured_dataset_type *tt = type->structured_dataset_type;
			if (st && tt && !formats_agree(st->format, tt->format)) {
				set_why(why, "a dataset of format '%s' is not of format '%s'",
					st->format, tt->format);
				return false;
			}
			return true;
		}
		break;
	case CACHET_TYPE_SCHEMA:
		if (sc->kind == CACHET_SCALAR_SCHEMA)
			return true;
		break;
	case CACHET_TYPE_ENUM:
		if (sc->kind == CACHET_SCALAR_PRIMITIVE &&
		    sc->primitive->kind == CACHET_PRIMITIVE_STRING) {
			const char *v = sc->primitive->string_value ? sc->primitive->string_value : "";
			for (size_t i = 0; type->enum_type && i < type->enum_type->n_values; i++)
				if (!strcmp(type->enum_type->values[i] ? type->enum_type->values[i] : "",
					    v))
					return true;
			set_why(why, "'%s' is not one of the enum's values", v);
			return false;
		}
		break;
	case CACHET_TYPE_UNION:
		if (sc->kind == CACHET_SCALAR_UNION)
			return sc->union_->value == NULL ||
			       fits(sc->union_->value, type, why, depth + 1);
		for (size_t i = 0; type->union_type && i < type->union_type->n_variants; i++)
			if (fits(lit, type->union_type->variants[i], NULL, depth + 1))
				return true;
		break;
	default: break;
	}
	if (sc->kind == CACHET_SCALAR_UNION && sc->union_->value)
		return fits(sc->union_->value, type, why, depth + 1);
	{
		char *tn = NULL;
		(void)cachet_literal_type_describe(&tn, type);
		set_why(why, "%s is not of type %s", literal_word(lit), tn ? tn : "(unknown)");
		cachet__free(tn);
	}
	return false;
}

static bool fits(const cachet_literal *lit, const cachet_literal_type *type, char **why,
		 int depth)
{
	if (!lit || !type)
		return false;
	if (depth > CACHET_MAX_DEPTH) {
		set_why(why, "value nested too deeply");
		return false;
	}
	if (lit->kind == CACHET_LITERAL_OFFLOADED)
		return true;
	if (type->kind == CACHET_TYPE_UNION && lit->kind != CACHET_LITERAL_SCALAR) {
		for (size_t i = 0; type->union_type && i < type->union_type->n_variants; i++)
			if (fits(lit, type->union_type->variants[i], NULL, depth + 1))
				return true;
		set_why(why, "%s fits no variant of the union", literal_word(lit));
		return false;
	}
	switch (lit->kind) {
	case CACHET_LITERAL_SCALAR: return fits_scalar(lit, type, why, depth);
	case CACHET_LITERAL_COLLECTION:
		if (type->kind != CACHET_TYPE_COLLECTION)
			break;
		for (size_t i = 0; i < lit->collection->n_literals; i++)
			if (!fits(lit->collection->literals[i], type->collection_type, why,
				  depth + 1))
				return false;
		return true;
	case CACHET_LITERAL_MAP:
		if (type->kind != CACHET_TYPE_MAP)
			break;
		for (size_t i = 0; i < lit->map->n_literals; i++)
			if (!fits(lit->map->literals[i].value, type->map_value_type, why, depth + 1))
				return false;
		return true;
	default: break;
	}
	{
		char *tn = NULL;
		(void)cachet_literal_type_describe(&tn, type);
		set_why(why, "%s is not of type %s", literal_word(lit), tn ? tn : "(unknown)");
		cachet__free(tn);
	}
	return false;
}

bool cachet__literal_fits(const cachet_literal *lit, const cachet_literal_type *type, char **why)
{
	if (why)
		*why = NULL;
	return fits(lit, type, why, 0);
}

/* ---------------------------------------------------------------------- */

data_kind cachet__type_data_kind(const cachet_literal_type *type)
{
	if (!type)
		return DATA_NONE;
	switch (type->kind) {
	case CACHET_TYPE_BLOB:
		return type->blob && type->blob->dimensionality == CACHET_BLOB_MULTIPART ? DATA_DIR
										      : DATA_FILE;
	case CACHET_TYPE_STRUCTURED_DATASET:
	case CACHET_TYPE_SCHEMA: return DATA_DATASET;
	default: return DATA_NONE;
	}
}

data_kind cachet__literal_data_kind(const cachet_literal *lit)
{
	if (!lit || lit->kind != CACHET_LITERAL_SCALAR)
		return DATA_NONE;
	switch (lit->scalar->kind) {
	case CACHET_SCALAR_BLOB: {
		const cachet_blob *b = lit->scalar->blob;
		return b->metadata && b->metadata->type &&
				       b->metadata->type->dimensionality == CACHET_BLOB_MULTIPART
			       ? DATA_DIR
			       : DATA_FILE;
	}
	case CACHET_SCALAR_STRUCTURED_DATASET:
	case CACHET_SCALAR_SCHEMA: return DATA_DATASET;
	case CACHET_SCALAR_UNION:
		return cachet__literal_data_kind(lit->scalar->union_->value);
	default: return DATA_NONE;
	}
}

const char *cachet__literal_uri(const cachet_literal *lit)
{
	if (!lit || lit->kind != CACHET_LITERAL_SCALAR)
		return NULL;
	switch (lit->scalar->kind) {
	case CACHET_SCALAR_BLOB: return lit->scalar->blob->uri;
	case CACHET_SCALAR_STRUCTURED_DATASET: return lit->scalar->structured_dataset->uri;
	case CACHET_SCALAR_SCHEMA: return lit->scalar->schema->uri;
	case CACHET_SCALAR_UNION: return cachet__literal_uri(lit->scalar->union_->value);
	default: return NULL;
	}
}
