/*
 * Writing protobuf JSON, generically over the descriptors of value/schema.h.
 *
 * The text is written straight into the caller's buffer, with no JSON tree
 * in between: fields in field-number order, only those protobuf would
 * write (cachet__field_present), map entries in key order (maps are kept
 * sorted), camelCase names. Scalars take their JSON value from
 * cachet__json_scalar_of, the same helper pbhash uses, so the text and the
 * cache key cannot disagree on a mapping rule.
 *
 * Layout: compact by default; CACHET_JSON_PRETTY gives the layout of Go's
 * protojson with Multiline and Indent "  ": one member or element per line,
 * ": " after keys, and "{}" / "[]" for empty containers.
 */
#include "codec/json.h"
#include "codec/json_internal.h"

#include "cachet/codec.h"
#include "util/error.h"
#include "value/message.h"

#include <string.h>

typedef struct encoder {
	cachet_buf *out;
	cachet_buf scratch; /* scalar text (numbers, base64, timestamps) */
	bool pretty;
} encoder;

static int encode_message(encoder *e, const cachet__message_desc *d, const void *msg,
			  const cachet__json_path *path, int level, int depth);

/* Put the path in front of the error just recorded: "<path>: <message>".
 * Out-of-memory stays as it is. */
static int at_path(int rc, const cachet__json_path *path)
{
	if (path == NULL || rc == CACHET_ENOMEM)
		return rc;
	cachet_buf b = CACHET_BUF_INIT;
	if (cachet__json_path_render(&b, path, NULL) < 0)
		return CACHET_ENOMEM;
	cachet__error_prefix("%s", b.ptr);
	cachet__buf_dispose(&b);
	return rc;
}

static int newline(encoder *e, int level)
{
	if (!e->pretty)
		return 0;
	int rc = cachet__buf_grow(e->out, 1 + 2 * (size_t)level);
	if (rc < 0)
		return rc;
	char *w = e->out->ptr + e->out->len;
	*w++ = '\n';
	memset(w, ' ', 2 * (size_t)level);
	e->out->len += 1 + 2 * (size_t)level;
	e->out->ptr[e->out->len] = '\0';
	return 0;
}

/* Start the next element of a container at `level`: a comma after the
 * first, and in pretty mode a new line indented one step deeper. */
static int next_item(encoder *e, bool *first, int level)
{
	int rc = 0;
	if (!*first)
		rc = cachet__buf_putc(e->out, ',');
	*first = false;
	if (rc == 0)
		rc = newline(e, level + 1);
	return rc;
}

static int put_key(encoder *e, bool *first, int level, const char *key, size_t key_len,
		   const cachet__json_path *path)
{
	int rc = next_item(e, first, level);
	if (rc == 0 && (rc = cachet__json_put_string(e->out, key, key_len)) < 0)
		return at_path(rc, path);
	if (rc == 0)
		rc = cachet__buf_puts(e->out, e->pretty ? ": " : ":");
	return rc;
}

static int close_container(encoder *e, bool empty, int level, char close)
{
	int rc = empty ? 0 : newline(e, level);
	if (rc == 0)
		rc = cachet__buf_putc(e->out, close);
	return rc;
}

static int put_number(encoder *e, double v)
{
	return cachet__double_format(v, e->out);
}

/* A non-message value of field f stored at `storage`. */
static int encode_scalar(encoder *e, const cachet__field_desc *f, const void *storage,
			 const cachet__json_path *path)
{
	cachet__json_scalar s;
	int rc = cachet__json_scalar_of(f, storage, &e->scratch, &s);
	if (rc < 0)
		return rc;
	switch (s.kind) {
	case CACHET__JSON_STRING:
		rc = cachet__json_put_string(e->out, s.str, s.len);
		return rc < 0 ? at_path(rc, path) : 0;
	case CACHET__JSON_NUMBER:
		return put_number(e, s.number);
	case CACHET__JSON_BOOL:
		return cachet__buf_puts(e->out, s.boolean ? "true" : "false");
	case CACHET__JSON_NULL:
	default:
		return cachet__buf_puts(e->out, "null");
	}
}

/* One element of a repeated field, or a map value: a message pointer or a
 * scalar stored at `storage`. */
static int encode_element(encoder *e, const cachet__field_desc *f, const void *storage,
			  const cachet__json_path *path, int level, int depth)
{
	if (f->type == CACHET__MESSAGE)
		return encode_message(e, f->message, *(void *const *)storage, path, level,
				      depth + 1);
	return encode_scalar(e, f, storage, path);
}

/* A repeated field as an array; `at` names the array in paths. */
static int encode_repeated(encoder *e, const cachet__field_desc *f, const void *msg,
			   const cachet__json_path *at, int level, int depth)
{
	size_t n = msg ? cachet__field_count(msg, f) : 0;
	const char *items = n ? *(const char *const *)cachet__field_at_const(msg, f) : NULL;
	size_t size = cachet__element_size(f);
	bool first = true;

	int rc = cachet__buf_putc(e->out, '[');
	for (size_t i = 0; rc == 0 && i < n; i++) {
		cachet__json_path item = {at, NULL, i, 0};
		rc = next_item(e, &first, level);
		if (rc == 0)
			rc = encode_element(e, f, items + i * size, &item, level + 1, depth);
	}
	if (rc == 0)
		rc = close_container(e, n == 0, level, ']');
	return rc;
}

/* A map field as an object, entries in key order; keys are path elements
 * under `at`. */
static int encode_map(encoder *e, const cachet__field_desc *f, const void *msg,
		      const cachet__json_path *at, int level, int depth)
{
	size_t n = msg ? cachet__field_count(msg, f) : 0;
	const struct cachet__map_entry *entries = n ? cachet__map_entries(msg, f) : NULL;
	bool first = true;

	int rc = cachet__buf_putc(e->out, '{');
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *key = entries[i].key ? entries[i].key : "";
		size_t key_len = cachet_str_len(entries[i].key);
		cachet__json_path item = {at, key, 0, key_len};
		rc = put_key(e, &first, level, key, key_len, &item);
		if (rc < 0)
			break;
		if (f->type == CACHET__MESSAGE) {
			rc = encode_message(e, f->message, entries[i].value, &item, level + 1,
					    depth + 1);
		} else {
			/* map<string, string>: read the value as the counted string
			 * it is */
			const char *value = entries[i].value;
			rc = encode_scalar(e, f, &value, &item);
		}
	}
	if (rc == 0)
		rc = close_container(e, n == 0, level, '}');
	return rc;
}

static int encode_fields(encoder *e, const cachet__message_desc *d, const void *msg,
			 const cachet__json_path *path, int level, int depth)
{
	bool first = true;
	int rc = cachet__buf_putc(e->out, '{');
	for (size_t i = 0; rc == 0 && msg != NULL && i < d->n_fields; i++) {
		const cachet__field_desc *f = &d->fields[i];
		if (!cachet__field_present(msg, f))
			continue;
		cachet__json_path at = {path, f->json_name, 0, 0};
		rc = put_key(e, &first, level, f->json_name, strlen(f->json_name), &at);
		if (rc < 0)
			break;
		const void *storage = cachet__field_at_const(msg, f);
		switch (f->label) {
		case CACHET__REPEATED:
			rc = encode_repeated(e, f, msg, &at, level + 1, depth);
			break;
		case CACHET__MAP:
			rc = encode_map(e, f, msg, &at, level + 1, depth);
			break;
		case CACHET__SINGULAR:
		default:
			rc = encode_element(e, f, storage, &at, level + 1, depth);
			break;
		}
	}
	if (rc == 0)
		rc = close_container(e, first, level, '}');
	return rc;
}

/* A google.protobuf.Value: plain JSON. There is no JSON for "no kind". A
 * NaN or infinite number is written as Go's jsonpb writes it, as the
 * string "NaN", "Infinity" or "-Infinity" (which reads back as a string
 * value, not as the number). */
static int encode_value(encoder *e, const cachet_value *v, const cachet__json_path *path,
			int level, int depth)
{
	switch (v ? v->kind : CACHET_VALUE_NOT_SET) {
	case CACHET_VALUE_NULL:
		return cachet__buf_puts(e->out, "null");
	case CACHET_VALUE_NUMBER: {
		const char *text = cachet__json_nonfinite_text(v->number_value);
		if (text != NULL)
			return cachet__json_put_string(e->out, text, strlen(text));
		return put_number(e, v->number_value);
	}
	case CACHET_VALUE_STRING: {
		const char *s = v->string_value ? v->string_value : "";
		int rc = cachet__json_put_string(e->out, s, cachet_str_len(v->string_value));
		return rc < 0 ? at_path(rc, path) : 0;
	}
	case CACHET_VALUE_BOOL:
		return cachet__buf_puts(e->out, v->bool_value ? "true" : "false");
	case CACHET_VALUE_STRUCT:
		return encode_message(e, &cachet__struct_desc, v->struct_value, path, level,
				      depth + 1);
	case CACHET_VALUE_LIST:
		return encode_message(e, &cachet__list_value_desc, v->list_value, path, level,
				      depth + 1);
	case CACHET_VALUE_NOT_SET:
	default:
		return at_path(cachet__error(CACHET_EINVALID, "struct value has no kind set"),
			       path);
	}
}

/* Timestamp and Duration: a string. A NULL message is the zero value. */
static int encode_time(encoder *e, const cachet__message_desc *d, const void *msg,
		       const cachet__json_path *path)
{
	static const cachet_timestamp zero_ts;
	static const cachet_duration zero_d;
	int rc;
	cachet__buf_clear(&e->scratch);
	if (d->wkt == CACHET__WKT_TIMESTAMP)
		rc = cachet__timestamp_format(msg ? msg : &zero_ts, &e->scratch);
	else
		rc = cachet__duration_format(msg ? msg : &zero_d, &e->scratch);
	if (rc < 0)
		return at_path(rc, path);
	return cachet__json_put_string(e->out, e->scratch.ptr, e->scratch.len);
}

/*
 * A message at `path`, written at indentation `level`, nested `depth`
 * messages deep. msg may be NULL (a oneof member selected without its
 * message): that writes the empty message.
 */
static int encode_message(encoder *e, const cachet__message_desc *d, const void *msg,
			  const cachet__json_path *path, int level, int depth)
{
	if (depth > CACHET_MAX_DEPTH)
		return at_path(cachet__error(CACHET_ETOODEEP, "nested deeper than %d levels",
					     CACHET_MAX_DEPTH),
			       path);
	switch (d->wkt) {
	case CACHET__WKT_TIMESTAMP:
	case CACHET__WKT_DURATION:
		return encode_time(e, d, msg, path);
	case CACHET__WKT_STRUCT: /* {"key": Value, ...}: the map field, unwrapped */
		return encode_map(e, cachet__field_by_number(d, 1), msg, path, level, depth);
	case CACHET__WKT_LIST_VALUE: /* [Value, ...] */
		return encode_repeated(e, cachet__field_by_number(d, 1), msg, path, level, depth);
	case CACHET__WKT_VALUE:
		return encode_value(e, msg, path, level, depth);
	case CACHET__WKT_NONE:
	default:
		return encode_fields(e, d, msg, path, level, depth);
	}
}

int cachet__json_encode(const cachet__message_desc *d, const void *msg, unsigned flags,
			cachet_buf *out)
{
	encoder e = {out, CACHET_BUF_INIT, (flags & CACHET_JSON_PRETTY) != 0};
	size_t start = out->len;
	int rc = encode_message(&e, d, msg, NULL, 0, 1);
	cachet__buf_dispose(&e.scratch);
	if (rc < 0 && out->ptr != NULL) { /* leave the buffer as it was */
		out->len = start;
		out->ptr[start] = '\0';
	}
	return rc;
}
