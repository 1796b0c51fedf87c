/*
 * Values to and from text: cachet_literal_from_text (the CLI's -i, a
 * workflow file's constants, a command's scalar outputs) and the
 * rendering of inputs into a command's arguments.
 */
#include "engine/text.h"

#include "codec/json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/os.h"
#include "value/message.h"
#include "value/schema.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cachet__quote_text(char *out, size_t size, const char *text)
{
	size_t len = strlen(text);

	if (len <= 60)
		snprintf(out, size, "\"%s\"", text);
	else
		snprintf(out, size, "\"%.57s...\"", text);
}

static int not_a(const char *text, const char *what)
{
	char q[80];
	cachet__quote_text(q, sizeof q, text);
	return cachet__error(CACHET_EINVALID, "%s is not %s", q, what);
}

/* text without surrounding white space, in a new string */
static char *trimmed(const char *text)
{
	const char *end = text + strlen(text);
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	while (end > text && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
			      end[-1] == '\r'))
		end--;
	return cachet__strndup(text, (size_t)(end - text));
}

static int parse_integer(cachet_literal **out, const char *t)
{
	char *end;
	long long v;

	if (!*t)
		return not_a(t, "an int");
	errno = 0;
	v = strtoll(t, &end, 10);
	if (*end || end == t || (t[0] != '-' && t[0] != '+' && (t[0] < '0' || t[0] > '9')))
		return not_a(t, "an int");
	if (errno == ERANGE) {
		char q[80];
		cachet__quote_text(q, sizeof q, t);
		return cachet__error(CACHET_EINVALID, "%s is out of range for an int", q);
	}
	*out = cachet_literal_new_integer((int64_t)v);
	return *out ? 0 : CACHET_ENOMEM;
}

static int parse_float(cachet_literal **out, const char *t)
{
	char *end;
	double v;

	/* strtod takes hex floats and leading spaces; refuse what a person
	 * would not call a number */
	if (!*t || strchr(t, 'x') || strchr(t, 'X'))
		return not_a(t, "a float");
	errno = 0;
	v = strtod(t, &end);
	if (*end || end == t)
		return not_a(t, "a float");
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)) {
		char q[80];
		cachet__quote_text(q, sizeof q, t);
		return cachet__error(CACHET_EINVALID, "%s is out of range for a float", q);
	}
	*out = cachet_literal_new_float(v);
	return *out ? 0 : CACHET_ENOMEM;
}

static int parse_boolean(cachet_literal **out, const char *t)
{
	bool v;

	if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "1"))
		v = true;
	else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "0"))
		v = false;
	else
		return not_a(t, "a bool (true or false)");
	*out = cachet_literal_new_boolean(v);
	return *out ? 0 : CACHET_ENOMEM;
}

/* "90s", "1m30s", "1.5s", "250ms", "7d", "-2h": the units workflow files
 * use, summed. 0 or -1. */
static int parse_duration_units(cachet_duration *out, const char *t)
{
	long double total = 0;
	bool neg = false, any = false;

	if (*t == '-' || *t == '+')
		neg = *t++ == '-';
	while (*t) {
		char *end;
		long double v, unit;

		if ((*t < '0' || *t > '9') && *t != '.')
			return -1;
		errno = 0;
		v = strtold(t, &end);
		if (end == t || errno)
			return -1;
		t = end;
		if (!strncmp(t, "ms", 2)) {
			unit = 0.001L;
			t += 2;
		} else if (*t == 's') {
			unit = 1;
			t++;
		} else if (*t == 'm') {
			unit = 60;
			t++;
		} else if (*t == 'h') {
			unit = 3600;
			t++;
		} else if (*t == 'd') {
			unit = 86400;
			t++;
		} else {
			return -1;
		}
		total += v * unit;
		any = true;
	}
	if (!any || total > 315576000000.0L)
		return -1;
	if (neg)
		total = -total;
	out->seconds = (int64_t)total;
	out->nanos = (int32_t)llroundl((total - (long double)out->seconds) * 1e9L);
	if (out->nanos >= 1000000000 || out->nanos <= -1000000000) {
		out->seconds += out->nanos / 1000000000;
		out->nanos %= 1000000000;
	}
	return 0;
}

/* "file://" + the absolute form of a local path, or the URI as it is */
static int to_uri(char **out, const char *t)
{
	cachet_buf b = CACHET_BUF_INIT;
	int rc;

	*out = NULL;
	if (strstr(t, "://")) {
		*out = cachet__strdup(t);
		return *out ? 0 : CACHET_ENOMEM;
	}
	if ((rc = cachet__buf_puts(&b, "file://")) < 0)
		goto done;
	if (t[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd)) {
			rc = cachet__error(CACHET_EINVALID, "cannot read the current directory: %s",
					   cachet__strerror(errno));
			goto done;
		}
		if ((rc = cachet__buf_puts(&b, cwd)) < 0 ||
		    (strcmp(cwd, "/") && (rc = cachet__buf_putc(&b, '/')) < 0))
			goto done;
		while (t[0] == '.' && t[1] == '/')
			t += 2;
		if (!strcmp(t, "."))
			t = "";
	}
	if ((rc = cachet__buf_puts(&b, t)) < 0)
		goto done;
	/* a directory named with a final '/' is the same directory */
	while (b.len > 8 && b.ptr[b.len - 1] == '/')
		b.ptr[--b.len] = '\0';
	if (!(*out = cachet__buf_detach(&b, NULL)))
		rc = CACHET_ENOMEM;
done:
	cachet__buf_dispose(&b);
	return rc;
}

static int parse_data(cachet_literal **out, const cachet_literal_type *type, const char *t)
{
	char *uri = NULL;
	int rc;

	if (!*t)
		return cachet__error(CACHET_EINVALID, "an empty path is not a %s",
				     type->kind == CACHET_TYPE_BLOB
					     ? (type->blob->dimensionality == CACHET_BLOB_MULTIPART
							? "directory"
							: "file")
					     : "dataset");
	if ((rc = to_uri(&uri, t)) < 0)
		return rc;
	if (type->kind == CACHET_TYPE_BLOB) {
		*out = cachet_literal_new_blob(uri, type->blob->format, type->blob->dimensionality);
	} else {
		const cachet_structured_dataset_type *sd = type->structured_dataset_type;
		*out = cachet_literal_new_dataset(uri, sd ? sd->format : NULL);
		/* keep the declared columns, as flytekit does */
		if (*out && sd) {
			cachet_structured_dataset_metadata *md =
				(*out)->scalar->structured_dataset->metadata;
			cachet__message_free(&cachet__structured_dataset_type_desc,
					     md->structured_dataset_type);
			md->structured_dataset_type = NULL;
			if (cachet__message_copy(&cachet__structured_dataset_type_desc,
						 (void **)&md->structured_dataset_type, sd) < 0) {
				cachet_literal_free(*out);
				*out = NULL;
			}
		}
	}
	cachet__free(uri);
	return *out ? 0 : cachet_error_last()->code;
}

static int from_json(cachet_literal **out, const cachet_literal_type *type, json_t *j);

static int union_wrap(cachet_literal **out, cachet_literal *value,
		      const cachet_literal_type *variant)
{
	cachet_literal *lit = cachet__message_new(&cachet__literal_desc);
	cachet_scalar *sc = cachet__message_new(&cachet__scalar_desc);
	cachet_union *u = cachet__message_new(&cachet__union_desc);

	if (!lit || !sc || !u || cachet_literal_type_copy(&u->type, variant) < 0) {
		cachet__free(lit);
		cachet__free(sc);
		cachet__message_free(&cachet__union_desc, u);
		cachet_literal_free(value);
		return CACHET_ENOMEM;
	}
	u->value = value;
	sc->kind = CACHET_SCALAR_UNION;
	sc->union_ = u;
	lit->kind = CACHET_LITERAL_SCALAR;
	lit->scalar = sc;
	*out = lit;
	return 0;
}

/* Parse t (a string) or j (JSON) as a union: the first variant that fits. */
static int parse_union(cachet_literal **out, const cachet_literal_type *type, const char *t,
		       json_t *j)
{
	const cachet_union_type *u = type->union_type;
	char *names = NULL;

	for (size_t i = 0; u && i < u->n_variants; i++) {
		cachet_literal *v = NULL;
		int rc = j ? from_json(&v, u->variants[i], j)
			   : cachet_literal_from_text(&v, u->variants[i], t);
		if (rc == CACHET_ENOMEM)
			return rc;
		if (rc == 0)
			return union_wrap(out, v, u->variants[i]);
	}
	if (cachet_literal_type_describe(&names, type) < 0)
		return CACHET_ENOMEM;
	if (j) {
		cachet__error(CACHET_EINVALID, "the value fits no variant of %s", names);
	} else {
		char q[80];
		cachet__quote_text(q, sizeof q, t);
		cachet__error(CACHET_EINVALID, "%s fits no variant of %s", q, names);
	}
	cachet__free(names);
	return CACHET_EINVALID;
}

/* A JSON element of a list or map, read as type. */
static int from_json(cachet_literal **out, const cachet_literal_type *type, json_t *j)
{
	int rc;

	*out = NULL;
	if (type->kind == CACHET_TYPE_UNION)
		return parse_union(out, type, NULL, j);
	if (json_is_string(j))
		return cachet_literal_from_text(out, type, json_string_value(j));
	if (json_is_null(j)) {
		if (type->kind == CACHET_TYPE_SIMPLE && type->simple == CACHET_SIMPLE_NONE) {
			*out = cachet_literal_new_none();
			return *out ? 0 : CACHET_ENOMEM;
		}
		return cachet__error(CACHET_EINVALID, "null is not a value of this type");
	}
	if (json_is_boolean(j)) {
		if (type->kind == CACHET_TYPE_SIMPLE && type->simple == CACHET_SIMPLE_BOOLEAN) {
			*out = cachet_literal_new_boolean(json_is_true(j));
			return *out ? 0 : CACHET_ENOMEM;
		}
		return cachet__error(CACHET_EINVALID, "%s is not a bool here",
				     json_is_true(j) ? "true" : "false");
	}
	if (json_is_number(j)) {
		if (type->kind == CACHET_TYPE_SIMPLE && type->simple == CACHET_SIMPLE_INTEGER &&
		    json_is_integer(j)) {
			*out = cachet_literal_new_integer(json_integer_value(j));
			return *out ? 0 : CACHET_ENOMEM;
		}
		if (type->kind == CACHET_TYPE_SIMPLE && type->simple == CACHET_SIMPLE_FLOAT) {
			*out = cachet_literal_new_float(json_number_value(j));
			return *out ? 0 : CACHET_ENOMEM;
		}
		return cachet__error(CACHET_EINVALID, "the number %g is not of this type",
				     json_number_value(j));
	}
	if (json_is_array(j)) {
		size_t i;
		json_t *e;
		if (type->kind != CACHET_TYPE_COLLECTION)
			return cachet__error(CACHET_EINVALID, "a list is not of this type");
		if (!(*out = cachet_literal_new_collection()))
			return CACHET_ENOMEM;
		json_array_foreach(j, i, e) {
			cachet_literal *item = NULL;
			if ((rc = from_json(&item, type->collection_type, e)) < 0) {
				cachet__error_prefix("[%zu]", i);
				goto fail;
			}
			if ((rc = cachet_literal_collection_append(*out, item)) < 0)
				goto fail;
		}
		return 0;
	}
	if (json_is_object(j)) {
		const char *k;
		json_t *e;
		if (type->kind != CACHET_TYPE_MAP)
			return cachet__error(CACHET_EINVALID, "a map is not of this type");
		if (!(*out = cachet_literal_new_map()))
			return CACHET_ENOMEM;
		json_object_foreach(j, k, e) {
			cachet_literal *item = NULL;
			if ((rc = from_json(&item, type->map_value_type, e)) < 0) {
				cachet__error_prefix("[\"%s\"]", k);
				goto fail;
			}
			if ((rc = cachet_literal_map_set((*out)->map, k, item)) < 0)
				goto fail;
		}
		return 0;
	}
	return cachet__error(CACHET_EINVALID, "unexpected JSON value");
fail:
	cachet_literal_free(*out);
	*out = NULL;
	return rc;
}

static int parse_json_container(cachet_literal **out, const cachet_literal_type *type,
				const char *t)
{
	bool list = type->kind == CACHET_TYPE_COLLECTION;
	json_error_t jerr;
	json_t *j = json_loads(t, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (!j || (list ? !json_is_array(j) : !json_is_object(j))) {
		char q[80];
		cachet__quote_text(q, sizeof q, t);
		rc = cachet__error(CACHET_EINVALID, "%s is not a JSON %s%s%s", q,
				   list ? "list" : "object", j ? "" : ": ", j ? "" : jerr.text);
		json_decref(j);
		return rc;
	}
	rc = from_json(out, type, j);
	json_decref(j);
	return rc;
}

static int parse_simple(cachet_literal **out, int32_t simple, const char *text)
{
	char *t = NULL;
	int rc = 0;

	if (simple == CACHET_SIMPLE_STRING) {
		*out = cachet_literal_new_string(text);
		return *out ? 0 : cachet_error_last()->code;
	}
	if (!(t = trimmed(text)))
		return CACHET_ENOMEM;
	switch (simple) {
	case CACHET_SIMPLE_INTEGER: rc = parse_integer(out, t); break;
	case CACHET_SIMPLE_FLOAT: rc = parse_float(out, t); break;
	case CACHET_SIMPLE_BOOLEAN: rc = parse_boolean(out, t); break;
	case CACHET_SIMPLE_NONE:
		if (*t && strcmp(t, "none") && strcmp(t, "None") && strcmp(t, "null"))
			rc = not_a(t, "none (\"\", none or null)");
		else if (!(*out = cachet_literal_new_none()))
			rc = CACHET_ENOMEM;
		break;
	case CACHET_SIMPLE_DATETIME: {
		cachet_timestamp ts;
		if (cachet__timestamp_parse(t, &ts) < 0)
			rc = not_a(t, "a datetime (RFC 3339, e.g. 2024-01-02T03:04:05Z)");
		else if (!(*out = cachet_literal_new_datetime(ts)))
			rc = CACHET_ENOMEM;
		break;
	}
	case CACHET_SIMPLE_DURATION: {
		cachet_duration d;
		if (cachet__duration_parse(t, &d) < 0 && parse_duration_units(&d, t) < 0)
			rc = not_a(t, "a duration (e.g. 1.5s, 90s, 1m30s, 250ms)");
		else if (!(*out = cachet_literal_new_duration(d)))
			rc = CACHET_ENOMEM;
		break;
	}
	default: {
		const char *name = cachet_simple_type_name(simple);
		char lower[32] = "";
		for (size_t i = 0; name && name[i] && i + 1 < sizeof lower; i++)
			lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
		rc = cachet__error(CACHET_EUNSUPPORTED, "values of type %s cannot be read from text",
				   name ? lower : "unknown");
	}
	}
	cachet__free(t);
	return rc;
}

int cachet_literal_from_text(cachet_literal **out, const cachet_literal_type *type,
			     const char *text)
{
	char *t = NULL;
	int rc;

	if (!out)
		return cachet__error(CACHET_EINVALID, "cachet_literal_from_text: out is NULL");
	*out = NULL;
	if (!type || !text)
		return cachet__error(CACHET_EINVALID,
				     "cachet_literal_from_text: type or text is NULL");
	switch (type->kind) {
	case CACHET_TYPE_SIMPLE:
		return parse_simple(out, type->simple, text);
	case CACHET_TYPE_BLOB:
		if (!type->blob)
			return cachet__error(CACHET_EINVALID, "blob type without its details");
		/* fall through */
	case CACHET_TYPE_STRUCTURED_DATASET:
		if (!(t = trimmed(text)))
			return CACHET_ENOMEM;
		rc = parse_data(out, type, t);
		cachet__free(t);
		return rc;
	case CACHET_TYPE_ENUM: {
		const cachet_enum_type *e = type->enum_type;
		if (!(t = trimmed(text)))
			return CACHET_ENOMEM;
		for (size_t i = 0; e && i < e->n_values; i++) {
			if (cachet_str_len(e->values[i]) == strlen(t) &&
			    !strcmp(e->values[i] ? e->values[i] : "", t)) {
				*out = cachet_literal_new_string(t);
				cachet__free(t);
				return *out ? 0 : CACHET_ENOMEM;
			}
		}
		{
			cachet_buf b = CACHET_BUF_INIT;
			char q[80];
			for (size_t i = 0; e && i < e->n_values; i++)
				cachet__buf_printf(&b, "%s%s", i ? ", " : "",
						   e->values[i] ? e->values[i] : "");
			cachet__quote_text(q, sizeof q, t);
			rc = cachet__error(CACHET_EINVALID, "%s is not one of %s", q,
					   b.ptr ? b.ptr : "the enum's values (none)");
			cachet__buf_dispose(&b);
		}
		cachet__free(t);
		return rc;
	}
	case CACHET_TYPE_COLLECTION:
	case CACHET_TYPE_MAP:
		return parse_json_container(out, type, text);
	case CACHET_TYPE_UNION:
		return parse_union(out, type, text, NULL);
	default:
		return cachet__error(CACHET_EUNSUPPORTED,
				     "values of this type (kind %d) cannot be read from text",
				     (int)type->kind);
	}
}

/* ---------------------------------------------------------------------- */
/* Rendering values into arguments                                        */

static int render(cachet_buf *out, const cachet_literal *lit, path_fn fn, void *payload,
		  bool json, int depth);

static int render_json_string(cachet_buf *out, const char *s, size_t len)
{
	json_t *j = json_stringn(s ? s : "", s ? len : 0);
	char *text;
	int rc;

	if (!j)
		return cachet__error(CACHET_EINVALID, "a string is not valid UTF-8");
	text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(j);
	if (!text)
		return cachet__error_oom();
	rc = cachet__buf_puts(out, text);
	free(text);
	return rc;
}

/* Append text, as a JSON string when inside a list or map. */
static int put_text(cachet_buf *out, const char *s, bool json)
{
	return json ? render_json_string(out, s, s ? strlen(s) : 0)
		    : cachet__buf_puts(out, s ? s : "");
}

/* The same for a string of the value (counted): all its bytes. A NUL
 * inside can be written in JSON (\u0000), not as plain text: an argument
 * or a file name would end there. */
static int put_str(cachet_buf *out, const char *s, bool json)
{
	size_t len = cachet_str_len(s);

	if (json)
		return render_json_string(out, s, len);
	if (len > 0 && memchr(s, '\0', len) != NULL)
		return cachet__error(CACHET_EINVALID,
				     "a string holding a NUL character cannot be written as text");
	return cachet__buf_puts(out, s ? s : "");
}

static int render_scalar(cachet_buf *out, const cachet_literal *lit, path_fn fn,
			 void *payload, bool json, int depth)
{
	const cachet_scalar *sc = lit->scalar;
	cachet_buf tmp = CACHET_BUF_INIT;
	int rc = 0;

	switch (sc->kind) {
	case CACHET_SCALAR_PRIMITIVE: {
		const cachet_primitive *p = sc->primitive;
		switch (p->kind) {
		case CACHET_PRIMITIVE_INTEGER:
			return cachet__buf_printf(out, "%lld", (long long)p->integer);
		case CACHET_PRIMITIVE_FLOAT:
			if (isnan(p->float_value))
				return put_text(out, "nan", json);
			if (isinf(p->float_value))
				return put_text(out, p->float_value > 0 ? "inf" : "-inf", json);
			return cachet__double_format(p->float_value, out);
		case CACHET_PRIMITIVE_STRING: return put_str(out, p->string_value, json);
		case CACHET_PRIMITIVE_BOOLEAN: return cachet__buf_puts(out, p->boolean ? "true" : "false");
		case CACHET_PRIMITIVE_DATETIME:
			if ((rc = cachet__timestamp_format(p->datetime, &tmp)) == 0)
				rc = put_text(out, tmp.ptr, json);
			break;
		case CACHET_PRIMITIVE_DURATION:
			if ((rc = cachet__duration_format(p->duration, &tmp)) == 0)
				rc = put_text(out, tmp.ptr, json);
			break;
		default: return put_text(out, "", json);
		}
		break;
	}
	case CACHET_SCALAR_NONE: return json ? cachet__buf_puts(out, "null") : 0;
	case CACHET_SCALAR_BLOB:
	case CACHET_SCALAR_STRUCTURED_DATASET:
	case CACHET_SCALAR_SCHEMA:
		if (!fn)
			return put_str(out, cachet_literal_uri(lit), json);
		if ((rc = fn(&tmp, lit, payload)) == 0)
			rc = put_text(out, tmp.ptr, json);
		break;
	case CACHET_SCALAR_UNION:
		if (!sc->union_->value)
			return put_text(out, "", json);
		return render(out, sc->union_->value, fn, payload, json, depth + 1);
	default:
		return cachet__error(CACHET_EUNSUPPORTED, "this kind of value (scalar %d) has no text form",
				     (int)sc->kind);
	}
	cachet__buf_dispose(&tmp);
	return rc;
}

static int render(cachet_buf *out, const cachet_literal *lit, path_fn fn, void *payload,
		  bool json, int depth)
{
	int rc;

	if (depth > CACHET_MAX_DEPTH)
		return cachet__error(CACHET_ETOODEEP, "value nested too deeply");
	switch (lit->kind) {
	case CACHET_LITERAL_SCALAR: return render_scalar(out, lit, fn, payload, json, depth);
	case CACHET_LITERAL_COLLECTION:
		if ((rc = cachet__buf_putc(out, '[')) < 0)
			return rc;
		for (size_t i = 0; i < lit->collection->n_literals; i++) {
			if ((i && (rc = cachet__buf_putc(out, ',')) < 0) ||
			    (rc = render(out, lit->collection->literals[i], fn, payload, true,
					 depth + 1)) < 0)
				return rc;
		}
		return cachet__buf_putc(out, ']');
	case CACHET_LITERAL_MAP:
		if ((rc = cachet__buf_putc(out, '{')) < 0)
			return rc;
		for (size_t i = 0; i < lit->map->n_literals; i++) {
			if ((i && (rc = cachet__buf_putc(out, ',')) < 0) ||
			    (rc = render_json_string(out, lit->map->literals[i].key,
						     cachet_str_len(lit->map->literals[i].key))) < 0 ||
			    (rc = cachet__buf_putc(out, ':')) < 0 ||
			    (rc = render(out, lit->map->literals[i].value, fn, payload, true,
					 depth + 1)) < 0)
				return rc;
		}
		return cachet__buf_putc(out, '}');
	default:
		return cachet__error(CACHET_EUNSUPPORTED,
				     "an offloaded literal cannot be written as text");
	}
}

int cachet__literal_render(cachet_buf *out, const cachet_literal *lit, path_fn fn, void *payload)
{
	return render(out, lit, fn, payload, false, 0);
}
