/*
 * The short human form of literals used by `cachet literal show`:
 *
 *   a: 3 (integer)
 *   df: s3://bucket/x csv dataset, hash sha256:...
 *   xs: collection of 2
 *     [0]: 1 (integer)
 *     [1]: 2 (integer)
 */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


/* The shortest decimal text that reads back as v, as JSON would print it. */
static void print_double(FILE *out, double v)
{
	char text[32];

	if (isnan(v)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(v)) {
		fputs(v < 0 ? "-Infinity" : "Infinity", out);
		return;
	}
	for (int precision = 15; precision <= 17; precision++) {
		snprintf(text, sizeof text, "%.*g", precision, v);
		if (strtod(text, NULL) == v)
			break;
	}
	fputs(text, out);
}

/*
 * A string of a value (a counted string: all cachet_str_len bytes, NUL
 * included) with control characters escaped, so that one value stays on
 * one line: \n, \t, the others as \xNN (a NUL is \x00). quoted: in double
 * quotes, with quotes and backslashes escaped too.
 */
static void print_str(FILE *out, const char *s, bool quoted)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = cachet_str_len(s);

	if (quoted)
		fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		if (quoted && (p[i] == '"' || p[i] == '\\'))
			fprintf(out, "\\%c", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", out);
		else if (p[i] == '\t')
			fputs("\\t", out);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			fprintf(out, "\\x%02x", p[i]);
		else
			fputc(p[i], out);
	}
	if (quoted)
		fputc('"', out);
}

static void show_struct_summary(FILE *out, const cachet_struct *st)
{
	fprintf(out, "struct with %zu field%s", st->n_fields, st->n_fields == 1 ? "" : "s");
}

static int show_primitive(FILE *out, const cachet_primitive *p)
{
	char *s = NULL;
	int rc = 0;

	switch (p->kind) {
	case CACHET_PRIMITIVE_INTEGER:
		fprintf(out, "%" PRId64 " (integer)", p->integer);
		break;
	case CACHET_PRIMITIVE_FLOAT:
		print_double(out, p->float_value);
		fputs(" (float)", out);
		break;
	case CACHET_PRIMITIVE_STRING:
		print_str(out, p->string_value, true);
		fputs(" (string)", out);
		break;
	case CACHET_PRIMITIVE_BOOLEAN:
		fprintf(out, "%s (boolean)", p->boolean ? "true" : "false");
		break;
	case CACHET_PRIMITIVE_DATETIME:
		if ((rc = cachet_timestamp_format(&s, p->datetime)) == 0)
			fprintf(out, "%s (datetime)", s);
		break;
	case CACHET_PRIMITIVE_DURATION:
		if ((rc = cachet_duration_format(&s, p->duration)) == 0)
			fprintf(out, "%s (duration)", s);
		break;
	default:
		fputs("empty primitive", out);
	}
	cachet_free(s);
	return rc;
}

static const char *blob_format(const cachet_blob *b)
{
	if (b->metadata && b->metadata->type)
		return b->metadata->type->format;
	return NULL;
}

static bool blob_is_directory(const cachet_blob *b)
{
	return b->metadata && b->metadata->type &&
	       b->metadata->type->dimensionality == CACHET_BLOB_MULTIPART;
}

static const char *dataset_format(const cachet_structured_dataset *sd)
{
	if (sd->metadata && sd->metadata->structured_dataset_type)
		return sd->metadata->structured_dataset_type->format;
	return NULL;
}

/* " <format> " when there is one, else " ". */
static void print_format(FILE *out, const char *format)
{
	fputc(' ', out);
	if (cachet_str_len(format) > 0) {
		print_str(out, format, false);
		fputc(' ', out);
	}
}

static int describe(FILE *out, const cachet_literal *lit);

static int show_scalar(FILE *out, const cachet_scalar *s)
{
	switch (s->kind) {
	case CACHET_SCALAR_PRIMITIVE:
		return show_primitive(out, s->primitive);
	case CACHET_SCALAR_BLOB:
		print_str(out, s->blob->uri, false);
		print_format(out, blob_format(s->blob));
		fputs(blob_is_directory(s->blob) ? "directory" : "file", out);
		return 0;
	case CACHET_SCALAR_BINARY:
		fprintf(out, "%zu bytes (binary%s", s->binary->value.len,
			s->binary->tag ? ", tag " : "");
		print_str(out, s->binary->tag, false);
		fputc(')', out);
		return 0;
	case CACHET_SCALAR_SCHEMA:
		print_str(out, s->schema->uri, false);
		fputs(" schema", out);
		return 0;
	case CACHET_SCALAR_NONE:
		fputs("none", out);
		return 0;
	case CACHET_SCALAR_ERROR:
		fputs("error from node '", out);
		print_str(out, s->error->failed_node_id, false);
		fputs("': ", out);
		print_str(out, s->error->message, false);
		return 0;
	case CACHET_SCALAR_GENERIC:
		show_struct_summary(out, s->generic);
		return 0;
	case CACHET_SCALAR_STRUCTURED_DATASET:
		print_str(out, s->structured_dataset->uri, false);
		print_format(out, dataset_format(s->structured_dataset));
		fputs("dataset", out);
		return 0;
	case CACHET_SCALAR_UNION:
		if (s->union_->value == NULL) {
			fputs("empty union", out);
			return 0;
		}
		fputs("union of ", out);
		return describe(out, s->union_->value);
	default:
		fputs("empty scalar", out);
		return 0;
	}
}

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

static int show_entry(FILE *out, const char *name, size_t index, const cachet_literal *lit,
		      int depth);

/* One line's worth: the value, its hash and its metadata, no newline. */
static int describe(FILE *out, const cachet_literal *lit)
{
	int rc = 0;

	switch (lit->kind) {
	case CACHET_LITERAL_SCALAR:
		rc = show_scalar(out, lit->scalar);
		break;
	case CACHET_LITERAL_COLLECTION:
		fprintf(out, "collection of %zu", lit->collection->n_literals);
		break;
	case CACHET_LITERAL_MAP:
		fprintf(out, "map of %zu", lit->map->n_literals);
		break;
	case CACHET_LITERAL_OFFLOADED:
		fputs("offloaded to ", out);
		print_str(out, lit->offloaded_metadata->uri, false);
		fprintf(out, " (%" PRIu64 " bytes)", lit->offloaded_metadata->size_bytes);
		break;
	default:
		fputs("empty literal", out);
	}
	if (cachet_str_len(lit->hash) > 0) {
		fputs(", hash ", out);
		print_str(out, lit->hash, false);
	}
	for (size_t i = 0; i < lit->n_metadata; i++) {
		fputs(i == 0 ? ", metadata " : " ", out);
		print_str(out, lit->metadata[i].key, false);
		fputc('=', out);
		print_str(out, lit->metadata[i].value, false);
	}
	return rc;
}

/* The line for lit, then one indented line per element it contains. */
static int show_value(FILE *out, const cachet_literal *lit, int depth)
{
	int rc = describe(out, lit);

	fputc('\n', out);
	if (rc < 0)
		return rc;
	if (lit->kind == CACHET_LITERAL_COLLECTION)
		for (size_t i = 0; i < lit->collection->n_literals && rc == 0; i++)
			rc = show_entry(out, NULL, i, lit->collection->literals[i], depth + 1);
	if (lit->kind == CACHET_LITERAL_MAP)
		for (size_t i = 0; i < lit->map->n_literals && rc == 0; i++)
			rc = show_entry(out, lit->map->literals[i].key, 0,
					lit->map->literals[i].value, depth + 1);
	return rc;
}

static int show_entry(FILE *out, const char *name, size_t index, const cachet_literal *lit,
		      int depth)
{
	indent(out, depth);
	if (name != NULL) {
		print_str(out, name, false);
		fputs(": ", out);
	} else
		fprintf(out, "[%zu]: ", index);
	return show_value(out, lit, depth);
}

int cli_show_literal_map(FILE *out, const cachet_literal_map *map)
{
	for (size_t i = 0; i < map->n_literals; i++)
		if (show_entry(out, map->literals[i].key, 0, map->literals[i].value, 0) < 0)
			return cli_lib_error(map->literals[i].key);
	return CLI_OK;
}

int cli_show_literal(FILE *out, const cachet_literal *lit)
{
	return show_value(out, lit, 0) < 0 ? cli_lib_error(NULL) : CLI_OK;
}
