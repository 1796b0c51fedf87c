/*
 * Output maps as the catalog sees them: the offloaded URIs they name (to
 * check a hit's data is still there, to size a put, to find what GC may
 * delete) and whether they fit a task's output interface.
 *
 * The interface check compares kinds, as Flyte's lookup checks that the
 * cached outputs can be cast to the interface's types: a value of the
 * wrong kind must never come back as a hit. It is deliberately no finer
 * (blob formats, dataset columns) than what makes a cached value usable.
 */
#include "catalog/internal.h"
#include "util/error.h"
#include "value/describe.h"

#include <string.h>

/* ---------------------------------------------------------------------- */
/* URIs                                                                   */

/* fn on *uri when it is set. */
static int one_uri(char **uri, const char *name, cachet__uri_fn fn, void *ctx)
{
	return *uri && **uri ? fn(ctx, name, uri) : 0;
}

static int lit_uris(cachet_literal *lit, const char *name, cachet__uri_fn fn, void *ctx)
{
	int rc = 0;

	if (lit == NULL)
		return 0;
	switch (lit->kind) {
	case CACHET_LITERAL_SCALAR: {
		cachet_scalar *s = lit->scalar;
		switch (s->kind) {
		case CACHET_SCALAR_BLOB:
			rc = one_uri(&s->blob->uri, name, fn, ctx);
			break;
		case CACHET_SCALAR_SCHEMA:
			rc = one_uri(&s->schema->uri, name, fn, ctx);
			break;
		case CACHET_SCALAR_STRUCTURED_DATASET:
			rc = one_uri(&s->structured_dataset->uri, name, fn, ctx);
			break;
		case CACHET_SCALAR_UNION:
			rc = lit_uris(s->union_->value, name, fn, ctx);
			break;
		default:
			break;
		}
		break;
	}
	case CACHET_LITERAL_COLLECTION:
		for (size_t i = 0; rc == 0 && i < lit->collection->n_literals; i++)
			rc = lit_uris(lit->collection->literals[i], name, fn, ctx);
		break;
	case CACHET_LITERAL_MAP:
		for (size_t i = 0; rc == 0 && i < lit->map->n_literals; i++)
			rc = lit_uris(lit->map->literals[i].value, name, fn, ctx);
		break;
	case CACHET_LITERAL_OFFLOADED:
		rc = one_uri(&lit->offloaded_metadata->uri, name, fn, ctx);
		break;
	default:
		break;
	}
	return rc;
}

int cachet__outputs_each_uri(cachet_literal_map *map, cachet__uri_fn fn, void *ctx)
{
	int rc = 0;
	for (size_t i = 0; map && rc == 0 && i < map->n_literals; i++)
		rc = lit_uris(map->literals[i].value, map->literals[i].key, fn, ctx);
	return rc > 0 ? 0 : rc; /* fn returns 1 to stop early */
}

/* ---------------------------------------------------------------------- */
/* Fitting the interface                                                  */

static const char *describe_type(const cachet_literal_type *t)
{
	switch (t->kind) {
	case CACHET_TYPE_SIMPLE:
		switch (t->simple) {
		case CACHET_SIMPLE_NONE: return "none";
		case CACHET_SIMPLE_INTEGER: return "integer";
		case CACHET_SIMPLE_FLOAT: return "float";
		case CACHET_SIMPLE_STRING: return "string";
		case CACHET_SIMPLE_BOOLEAN: return "boolean";
		case CACHET_SIMPLE_DATETIME: return "datetime";
		case CACHET_SIMPLE_DURATION: return "duration";
		case CACHET_SIMPLE_BINARY: return "binary";
		case CACHET_SIMPLE_ERROR: return "error";
		case CACHET_SIMPLE_STRUCT: return "struct";
		default: return "an unknown simple type";
		}
	case CACHET_TYPE_SCHEMA: return "schema";
	case CACHET_TYPE_COLLECTION: return "collection";
	case CACHET_TYPE_MAP: return "map";
	case CACHET_TYPE_BLOB: return "blob";
	case CACHET_TYPE_ENUM: return "enum";
	case CACHET_TYPE_STRUCTURED_DATASET: return "structured dataset";
	case CACHET_TYPE_UNION: return "union";
	default: return "an unknown type";
	}
}

static int scalar_kind(const cachet_literal *lit)
{
	return lit && lit->kind == CACHET_LITERAL_SCALAR ? (int)lit->scalar->kind : -1;
}

static int primitive_kind(const cachet_literal *lit)
{
	return scalar_kind(lit) == CACHET_SCALAR_PRIMITIVE ? (int)lit->scalar->primitive->kind : -1;
}

static bool simple_fits(const cachet_literal *lit, int32_t simple)
{
	switch (simple) {
	case CACHET_SIMPLE_NONE: return scalar_kind(lit) == CACHET_SCALAR_NONE;
	case CACHET_SIMPLE_INTEGER: return primitive_kind(lit) == CACHET_PRIMITIVE_INTEGER;
	case CACHET_SIMPLE_FLOAT: return primitive_kind(lit) == CACHET_PRIMITIVE_FLOAT;
	case CACHET_SIMPLE_STRING: return primitive_kind(lit) == CACHET_PRIMITIVE_STRING;
	case CACHET_SIMPLE_BOOLEAN: return primitive_kind(lit) == CACHET_PRIMITIVE_BOOLEAN;
	case CACHET_SIMPLE_DATETIME: return primitive_kind(lit) == CACHET_PRIMITIVE_DATETIME;
	case CACHET_SIMPLE_DURATION: return primitive_kind(lit) == CACHET_PRIMITIVE_DURATION;
	case CACHET_SIMPLE_BINARY: return scalar_kind(lit) == CACHET_SCALAR_BINARY;
	case CACHET_SIMPLE_ERROR: return scalar_kind(lit) == CACHET_SCALAR_ERROR;
	/* A struct travels as a protobuf Struct or, in newer SDKs, as
	 * msgpack bytes (Binary). */
	case CACHET_SIMPLE_STRUCT:
		return scalar_kind(lit) == CACHET_SCALAR_GENERIC ||
		       scalar_kind(lit) == CACHET_SCALAR_BINARY;
	default: return true; /* a type this version does not know: not judged */
	}
}

/* 0 when lit fits t; else CACHET_EINVALID with "<path>: ..." */
static int fits(const cachet_literal *lit, const cachet_literal_type *t, const char *path,
		int depth)
{
	bool ok;

	if (t == NULL || t->kind == CACHET_TYPE_NOT_SET)
		return 0; /* untyped: anything goes */
	if (depth > CACHET_MAX_DEPTH)
		return cachet__error(CACHET_ETOODEEP, "output '%s' is nested too deeply", path);
	if (lit && lit->kind == CACHET_LITERAL_OFFLOADED) {
		/* Its value is elsewhere; judge by the type it declares. */
		const cachet_literal_type *it = lit->offloaded_metadata->inferred_type;
		ok = it == NULL || it->kind == CACHET_TYPE_NOT_SET || it->kind == t->kind;
		goto out;
	}
	switch (t->kind) {
	case CACHET_TYPE_SIMPLE:
		ok = simple_fits(lit, t->simple);
		break;
	case CACHET_TYPE_SCHEMA:
		ok = scalar_kind(lit) == CACHET_SCALAR_SCHEMA;
		break;
	case CACHET_TYPE_BLOB:
		ok = scalar_kind(lit) == CACHET_SCALAR_BLOB;
		break;
	case CACHET_TYPE_STRUCTURED_DATASET:
		ok = scalar_kind(lit) == CACHET_SCALAR_STRUCTURED_DATASET;
		break;
	case CACHET_TYPE_ENUM:
		ok = primitive_kind(lit) == CACHET_PRIMITIVE_STRING;
		break;
	case CACHET_TYPE_UNION:
		ok = scalar_kind(lit) == CACHET_SCALAR_UNION;
		for (size_t i = 0; !ok && t->union_type && i < t->union_type->n_variants; i++) {
			int rc = fits(lit, t->union_type->variants[i], path, depth + 1);
			if (rc == CACHET_ENOMEM || rc == CACHET_ETOODEEP)
				return rc;
			ok = rc == 0;
		}
		break;
	case CACHET_TYPE_COLLECTION:
		if (lit == NULL || lit->kind != CACHET_LITERAL_COLLECTION) {
			ok = false;
			break;
		}
		for (size_t i = 0; i < lit->collection->n_literals; i++) {
			int rc = fits(lit->collection->literals[i], t->collection_type, path,
				      depth + 1);
			if (rc < 0)
				return rc;
		}
		return 0;
	case CACHET_TYPE_MAP:
		if (lit == NULL || lit->kind != CACHET_LITERAL_MAP) {
			ok = false;
			break;
		}
		for (size_t i = 0; i < lit->map->n_literals; i++) {
			int rc = fits(lit->map->literals[i].value, t->map_value_type, path,
				      depth + 1);
			if (rc < 0)
				return rc;
		}
		return 0;
	default:
		ok = true;
		break;
	}
out:
	if (ok)
		return 0;
	return cachet__error(CACHET_EINVALID, "output '%s' holds %s where the interface says %s",
			     path, cachet__literal_describe(lit), describe_type(t));
}

int cachet__outputs_check(const cachet_literal_map *outputs, const cachet_variable_map *want)
{
	size_t n_out = outputs ? outputs->n_literals : 0;
	size_t n_want = want ? want->n_variables : 0;

	for (size_t i = 0; i < n_want; i++) {
		const char *name = want->variables[i].key;
		const cachet_literal *lit = cachet_literal_map_get(outputs, name);
		if (lit == NULL)
			return cachet__error(CACHET_EINVALID, "output '%s' is missing", name);
		const cachet_variable *v = want->variables[i].value;
		int rc = fits(lit, v ? v->type : NULL, name, 0);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < n_out; i++) {
		const char *name = outputs->literals[i].key;
		if (cachet_variable_map_get(want, name) == NULL)
			return cachet__error(CACHET_EINVALID, "output '%s' is not in the interface",
					     name);
	}
	return 0;
}
