/*
 * Decoding the protobuf wire format into value structs, generically over
 * the descriptors of value/schema.h.
 *
 * The rules are those of Go's protobuf runtime (google.golang.org/protobuf),
 * which wrote the bytes Flyte stores:
 *  - unknown fields are skipped, and so is a known field that arrives with
 *    a wire type other than its own (Go keeps both as unknown fields);
 *  - groups (wire types 3 and 4) are skipped properly, nested groups
 *    included, and must close with the field number they opened with; a
 *    stray end-group tag is an error, and so are wire types 6 and 7 and
 *    field numbers 0 or above 2^29 - 1;
 *  - a scalar seen twice keeps the last value; a message seen twice is
 *    merged (decoded into the one already there); a oneof member replaces
 *    the member set before it, except that the same message member merges;
 *  - int32 and enum values are 64-bit varints truncated to 32 bits, bool is
 *    any non-zero varint;
 *  - a map entry's key is field 1 and its value field 2, either may be
 *    missing ("" and the empty message or ""), and a key seen again in a
 *    later entry replaces the earlier entry;
 *  - strings must be UTF-8; a NUL byte is valid UTF-8 and kept, as Go
 *    keeps it (value.h's strings are counted).
 *
 * Nesting: each message level costs one recursion, refused beyond
 * CACHET_MAX_DEPTH (CACHET_ETOODEEP) before anything is allocated for it;
 * skipped groups count as levels too. Map entries are not levels (they have
 * no JSON object of their own), their values are.
 *
 * Ownership: everything allocated is attached to the tree before it is
 * filled in, so on any failure freeing the root frees all of it.
 */
#include "codec/wire.h"

#include "codec/wire_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/os.h"
#include "util/utf8.h"
#include "value/message.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
#define COLD __attribute__((cold, noinline))
#else
#define COLD
#endif

/*
 * State shared by all levels of one decode.
 *
 * Arrays (repeated fields, maps) grow geometrically, but value.h stores only
 * their length, not their capacity. So each message being decoded owns a
 * slot per field in `caps`, a stack that grows with the nesting: the
 * capacity its array has reached during this decode call, 0 when it is not
 * known (the array was not grown by this call yet). For a map field, a
 * non-zero slot also says that entries were appended, so the map must be
 * sorted when the message is done.
 */
typedef struct decoder {
	const uint8_t *base; /* start of the input: offsets in messages */
	size_t *caps;
	size_t n_caps;
	size_t caps_alloc;
} decoder;

static int decode_message(decoder *dec, const cachet__message_desc *d, void *msg,
			  const uint8_t *p, const uint8_t *end, const cachet__wire_path *path,
			  unsigned depth);

/* ---- error messages ---- */

static void path_prepend(char *out, size_t *pos, const char *s, size_t len, bool *full)
{
	/* keep 3 bytes in front for "..." */
	if (*full || len + 3 > *pos) {
		*full = true;
		return;
	}
	*pos -= len;
	memcpy(out + *pos, s, len);
}

/* One level's text: "name", "name[3]" or "name.key" (key shortened to
 * KEY_MAX bytes at a character boundary). */
#define KEY_MAX 64
static size_t path_segment(char *seg, size_t size, const cachet__wire_path *at)
{
	const char *name = at->field ? at->field->json_name : "?";
	int n;

	if (at->key != NULL) {
		size_t len = at->key_len;
		const char *more = "";
		if (len > KEY_MAX) {
			len = KEY_MAX;
			while (len > 0 && ((unsigned char)at->key[len] & 0xC0) == 0x80)
				len--;
			more = "...";
		}
		char shown[CACHET__SHOW_MAX];
		cachet__bytes_show(shown, at->key, len);
		n = snprintf(seg, size, "%s.%s%s", name, shown, more);
	} else if (at->index != CACHET__NO_INDEX) {
		n = snprintf(seg, size, "%s[%zu]", name, at->index);
	} else {
		n = snprintf(seg, size, "%s", name);
	}
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

void cachet__wire_path_format(char *out, size_t size, const cachet__wire_path *path)
{
	size_t pos;
	bool full = false;

	if (size == 0)
		return;
	pos = size - 1;
	out[pos] = '\0';
	/* Walk from the innermost level out, writing right to left. */
	for (const cachet__wire_path *at = path; at != NULL; at = at->up) {
		char seg[KEY_MAX + 128];
		size_t len = path_segment(seg, sizeof(seg), at);
		if (at != path)
			path_prepend(out, &pos, ".", 1, &full);
		path_prepend(out, &pos, seg, len, &full);
		if (full)
			break;
	}
	if (full) {
		/* lost the beginning: say so, and drop a dangling dot */
		if (out[pos] == '.')
			pos++;
		pos -= 3;
		memcpy(out + pos, "...", 3);
	}
	memmove(out, out + pos, size - pos);
}

/* Record "<path>: <what> at byte <offset>" and return code. */
COLD CACHET__PRINTF(5, 6) static int fail(const decoder *dec, const cachet__wire_path *path,
					  int code, const uint8_t *at, const char *fmt, ...)
{
	char where[256];
	char what[512];
	va_list ap;

	cachet__wire_path_format(where, sizeof(where), path);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return cachet__error(code, "%s%s%s at byte %zu", where, where[0] ? ": " : "", what,
			     (size_t)(at - dec->base));
}

/* ---- reading the wire ---- */

/*
 * Read a tag at *p. start is where the field begins (for messages). An
 * end-group tag is returned to the caller, which decides whether it is
 * expected.
 */
static int read_tag(const decoder *dec, const cachet__wire_path *path, const uint8_t **p,
		    const uint8_t *end, uint32_t *number, unsigned *type)
{
	const uint8_t *start = *p;
	uint64_t v;

	switch (cachet__varint_get(p, end, &v)) {
	case CACHET__VARINT_OK:
		break;
	case CACHET__VARINT_TRUNCATED:
		return fail(dec, path, CACHET_EINVALID, start, "truncated tag");
	default:
		return fail(dec, path, CACHET_EINVALID, start, "malformed varint in tag");
	}
	if ((v >> 3) == 0 || (v >> 3) > CACHET__WIRE_MAX_FIELD)
		return fail(dec, path, CACHET_EINVALID, start, "invalid field number %" PRIu64,
			    v >> 3);
	*number = (uint32_t)(v >> 3);
	*type = (unsigned)(v & 7);
	if (*type > CACHET__WIRE_I32)
		return fail(dec, path, CACHET_EINVALID, start, "invalid wire type %u in field %" PRIu32,
			    *type, *number);
	return 0;
}

static int read_varint(const decoder *dec, const cachet__wire_path *path, const uint8_t **p,
		       const uint8_t *end, uint32_t number, const uint8_t *start, uint64_t *out)
{
	switch (cachet__varint_get(p, end, out)) {
	case CACHET__VARINT_OK:
		return 0;
	case CACHET__VARINT_TRUNCATED:
		return fail(dec, path, CACHET_EINVALID, start, "truncated varint in field %" PRIu32,
			    number);
	default:
		return fail(dec, path, CACHET_EINVALID, start, "malformed varint in field %" PRIu32,
			    number);
	}
}

/* Read a length prefix and check that that many bytes follow. */
static int read_length(const decoder *dec, const cachet__wire_path *path, const uint8_t **p,
		       const uint8_t *end, uint32_t number, const uint8_t *start, size_t *out)
{
	uint64_t len = 0;
	int rc = read_varint(dec, path, p, end, number, start, &len);

	if (rc < 0)
		return rc;
	if (len > (uint64_t)(end - *p))
		return fail(dec, path, CACHET_EINVALID, start,
			    "truncated field %" PRIu32 " (length %" PRIu64 ", %zu byte%s left)", number,
			    len, (size_t)(end - *p), end - *p == 1 ? "" : "s");
	*out = (size_t)len;
	return 0;
}

static int read_fixed(const decoder *dec, const cachet__wire_path *path, const uint8_t **p,
		      const uint8_t *end, uint32_t number, const uint8_t *start, size_t size,
		      uint64_t *out)
{
	uint64_t v = 0;

	if ((size_t)(end - *p) < size)
		return fail(dec, path, CACHET_EINVALID, start,
			    "truncated field %" PRIu32 " (%zu-byte value, %zu byte%s left)", number,
			    size, (size_t)(end - *p), end - *p == 1 ? "" : "s");
	for (size_t i = 0; i < size; i++)
		v |= (uint64_t)(*p)[i] << (8 * i); /* little-endian */
	*p += size;
	*out = v;
	return 0;
}

static int too_deep(const decoder *dec, const cachet__wire_path *path, const uint8_t *at)
{
	return fail(dec, path, CACHET_ETOODEEP, at, "nested deeper than %d levels",
		    CACHET_MAX_DEPTH);
}

/*
 * Skip the value of a field whose tag was just read. depth is that of the
 * enclosing message; a group is one level deeper.
 */
static int skip_field(const decoder *dec, const cachet__wire_path *path, const uint8_t **p,
		      const uint8_t *end, uint32_t number, unsigned type, const uint8_t *start,
		      unsigned depth)
{
	uint64_t v;
	size_t len = 0;

	switch (type) {
	case CACHET__WIRE_VARINT:
		return read_varint(dec, path, p, end, number, start, &v);
	case CACHET__WIRE_I64:
		return read_fixed(dec, path, p, end, number, start, 8, &v);
	case CACHET__WIRE_I32:
		return read_fixed(dec, path, p, end, number, start, 4, &v);
	case CACHET__WIRE_LEN: {
		int rc = read_length(dec, path, p, end, number, start, &len);
		if (rc == 0)
			*p += len;
		return rc;
	}
	case CACHET__WIRE_SGROUP:
		if (depth >= CACHET_MAX_DEPTH)
			return too_deep(dec, path, start);
		for (;;) {
			const uint8_t *inner = *p;
			uint32_t n2;
			unsigned t2;
			int rc;
			if (*p == end)
				return fail(dec, path, CACHET_EINVALID, start,
					    "unterminated group %" PRIu32, number);
			rc = read_tag(dec, path, p, end, &n2, &t2);
			if (rc < 0)
				return rc;
			if (t2 == CACHET__WIRE_EGROUP) {
				if (n2 != number)
					return fail(dec, path, CACHET_EINVALID, inner,
						    "group %" PRIu32 " closed as group %" PRIu32,
						    number, n2);
				return 0;
			}
			rc = skip_field(dec, path, p, end, n2, t2, inner, depth + 1);
			if (rc < 0)
				return rc;
		}
	default: /* CACHET__WIRE_EGROUP: not inside a group */
		return fail(dec, path, CACHET_EINVALID, start,
			    "end of group %" PRIu32 " without a start", number);
	}
}

/* The wire type a field's value arrives with. Repeated and map fields of
 * cachet's schema are all strings or messages, so all length-delimited. */
static unsigned wire_type_of(const cachet__field_desc *f)
{
	if (f->label != CACHET__SINGULAR)
		return CACHET__WIRE_LEN;
	switch (f->type) {
	case CACHET__DOUBLE:
		return CACHET__WIRE_I64;
	case CACHET__STRING:
	case CACHET__BYTES:
	case CACHET__MESSAGE:
		return CACHET__WIRE_LEN;
	default:
		return CACHET__WIRE_VARINT;
	}
}

/* ---- values ---- */

/* Two's-complement reinterpretations without implementation-defined
 * conversions. */
static int64_t as_int64(uint64_t v)
{
	return v <= INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

static int32_t as_int32(uint64_t v)
{
	uint32_t u = (uint32_t)v;
	return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/*
 * Check the string at s (len bytes, NUL allowed) and copy it into a
 * counted string. An empty string becomes NULL when empty_null, else an
 * allocated "". *out is NULL on failure.
 */
static int read_string(const decoder *dec, const cachet__wire_path *path, const uint8_t *s,
		       size_t len, bool empty_null, const char *what, char **out)
{
	const char *text = (const char *)s;
	size_t bad;

	*out = NULL;
	if (len == 0 && empty_null)
		return 0;
	if (!cachet__utf8_valid(text, len, &bad))
		return fail(dec, path, CACHET_EINVALID, s + bad, "invalid UTF-8 in %s", what);
	*out = cachet_str_new(text, len);
	return *out ? 0 : CACHET_ENOMEM;
}

/*
 * Make room for one more element in an array field (element size esize)
 * of msg, whose capacity slot is *cap.
 */
static int array_reserve(void *msg, const cachet__field_desc *f, size_t esize, size_t *cap)
{
	size_t n = cachet__field_count(msg, f);
	void **items = cachet__field_at(msg, f);
	void *grown;
	size_t want;

	if (*cap > n)
		return 0;
	want = n < 4 ? 4 : 2 * n; /* n <= SIZE_MAX / esize here, so 2 * n fits */
	grown = cachet__reallocarray(*items, want, esize);
	if (grown == NULL)
		return CACHET_ENOMEM;
	*items = grown;
	*cap = want;
	return 0;
}

static size_t *count_at(void *msg, const cachet__field_desc *f)
{
	return (size_t *)(void *)((char *)msg + f->count_offset);
}

/*
 * Decode a sub-message at p..end into *slot, allocating it when *slot is
 * NULL (and storing it there first, so the parent owns it), else merging.
 */
static int decode_child(decoder *dec, const cachet__field_desc *f, void **slot, const uint8_t *p,
			const uint8_t *end, const cachet__wire_path *path, const uint8_t *start,
			unsigned depth)
{
	if (depth >= CACHET_MAX_DEPTH)
		return too_deep(dec, path, start);
	if (*slot == NULL && (*slot = cachet__message_new(f->message)) == NULL)
		return CACHET_ENOMEM;
	return decode_message(dec, f->message, *slot, p, end, path, depth + 1);
}

/*
 * One map entry (the bytes p..end) of map field f. Find the key first,
 * whatever the order of the entry's fields, so that errors inside the
 * value can name it.
 */
static int decode_map_entry(decoder *dec, void *msg, const cachet__field_desc *f, size_t *cap,
			    const uint8_t *p, const uint8_t *end, const cachet__wire_path *path,
			    unsigned depth)
{
	cachet__wire_path field_path = {path, f, NULL, 0, CACHET__NO_INDEX};
	const uint8_t *key = NULL, *value = NULL, *value_start = NULL;
	size_t key_len = 0, value_len = 0, n_values = 0;
	struct cachet__map_entry *entry;
	char *key_copy;
	int rc;

	/* Pass 1: find the key (the last one wins) and check the framing. */
	for (const uint8_t *q = p; q < end;) {
		const uint8_t *start = q;
		uint32_t number;
		unsigned type;
		size_t len;
		if ((rc = read_tag(dec, &field_path, &q, end, &number, &type)) < 0)
			return rc;
		if ((number == 1 || number == 2) && type == CACHET__WIRE_LEN) {
			if ((rc = read_length(dec, &field_path, &q, end, number, start, &len)) < 0)
				return rc;
			if (number == 1) {
				key = q;
				key_len = len;
			} else {
				value = q;
				value_len = len;
				value_start = start;
				n_values++;
			}
			q += len;
		} else if ((rc = skip_field(dec, &field_path, &q, end, number, type, start,
					    depth)) < 0) {
			return rc;
		}
	}

	if ((rc = read_string(dec, &field_path, key, key_len, false, "map key", &key_copy)) < 0)
		return rc;
	if ((rc = array_reserve(msg, f, sizeof(*entry), cap)) < 0) {
		cachet_str_free(key_copy);
		return rc;
	}
	entry = &cachet__map_entries(msg, f)[cachet__field_count(msg, f)];
	entry->key = key_copy;
	entry->value = NULL;
	++*count_at(msg, f); /* from here on the entry belongs to msg */

	cachet__wire_path entry_path = {path, f, key_copy, key_len, CACHET__NO_INDEX};
	if (f->type == CACHET__STRING) {
		char *text;
		rc = read_string(dec, &entry_path, value, value_len, false, "string", &text);
		entry->value = text;
		return rc;
	}

	if (depth >= CACHET_MAX_DEPTH)
		return too_deep(dec, &entry_path, value_start ? value_start : p);
	if ((entry->value = cachet__message_new(f->message)) == NULL)
		return CACHET_ENOMEM;
	if (n_values == 0)
		return 0;
	if (n_values == 1) /* the usual case: no second pass */
		return decode_message(dec, f->message, entry->value, value, value + value_len,
				      &entry_path, depth + 1);

	/* Pass 2: the value appeared more than once; merge the occurrences. */
	for (const uint8_t *q = p; q < end;) {
		const uint8_t *start = q;
		uint32_t number;
		unsigned type;
		size_t len = 0;
		(void)read_tag(dec, &field_path, &q, end, &number, &type); /* checked in pass 1 */
		if (number == 2 && type == CACHET__WIRE_LEN) {
			(void)read_length(dec, &field_path, &q, end, number, start, &len);
			rc = decode_message(dec, f->message, entry->value, q, q + len, &entry_path,
					    depth + 1);
			if (rc < 0)
				return rc;
			q += len;
		} else if (type == CACHET__WIRE_LEN) {
			(void)read_length(dec, &field_path, &q, end, number, start, &len);
			q += len;
		} else {
			(void)skip_field(dec, &field_path, &q, end, number, type, start, depth);
		}
	}
	return 0;
}

/* A singular field whose tag (at start) and wire type were accepted. */
static int decode_singular(decoder *dec, const cachet__message_desc *d, void *msg,
			   const cachet__field_desc *f, const uint8_t **p, const uint8_t *end,
			   const cachet__wire_path *path, const uint8_t *start, unsigned depth)
{
	const bool oneof = f->oneof_offset != CACHET__NOT_ONEOF;
	void *at = cachet__field_at(msg, f);
	cachet__wire_path here = {path, f, NULL, 0, CACHET__NO_INDEX};
	uint64_t v = 0;
	size_t len = 0;
	int rc;

	switch (f->type) {
	case CACHET__DOUBLE:
		if ((rc = read_fixed(dec, path, p, end, f->number, start, 8, &v)) < 0)
			return rc;
		if (oneof)
			cachet__oneof_select(d, msg, f);
		memcpy(at, &v, sizeof(double));
		return 0;

	case CACHET__INT64:
	case CACHET__UINT64:
	case CACHET__INT32:
	case CACHET__ENUM:
	case CACHET__BOOL:
		if ((rc = read_varint(dec, path, p, end, f->number, start, &v)) < 0)
			return rc;
		if (oneof)
			cachet__oneof_select(d, msg, f);
		if (f->type == CACHET__INT64)
			*(int64_t *)at = as_int64(v);
		else if (f->type == CACHET__UINT64)
			*(uint64_t *)at = v;
		else if (f->type == CACHET__BOOL)
			*(bool *)at = v != 0;
		else
			*(int32_t *)at = as_int32(v);
		return 0;

	case CACHET__STRING: {
		char *s;
		if ((rc = read_length(dec, path, p, end, f->number, start, &len)) < 0)
			return rc;
		/* A oneof member keeps "" so that it stays visibly set. */
		if ((rc = read_string(dec, &here, *p, len, !oneof, "string", &s)) < 0)
			return rc;
		*p += len;
		if (oneof)
			cachet__oneof_select(d, msg, f);
		else
			cachet_str_free(*(char **)at);
		*(char **)at = s;
		return 0;
	}

	case CACHET__BYTES: {
		cachet_bytes b = {NULL, 0};
		if ((rc = read_length(dec, path, p, end, f->number, start, &len)) < 0)
			return rc;
		if (len > 0) {
			if ((b.data = cachet__malloc(len)) == NULL)
				return CACHET_ENOMEM;
			memcpy(b.data, *p, len);
			b.len = len;
		}
		*p += len;
		if (oneof)
			cachet__oneof_select(d, msg, f);
		else
			cachet__free(((cachet_bytes *)at)->data);
		*(cachet_bytes *)at = b;
		return 0;
	}

	case CACHET__MESSAGE: {
		const uint8_t *body;
		if ((rc = read_length(dec, path, p, end, f->number, start, &len)) < 0)
			return rc;
		body = *p;
		*p += len;
		if (oneof && cachet__oneof_kind(msg, f) != (int)f->number) {
			/* Another member (or none) was set: replace it. Allocate
			 * first, so a failure leaves the old member in place. */
			void *child;
			if (depth >= CACHET_MAX_DEPTH)
				return too_deep(dec, &here, start);
			if ((child = cachet__message_new(f->message)) == NULL)
				return CACHET_ENOMEM;
			cachet__oneof_select(d, msg, f);
			*(void **)at = child;
		}
		return decode_child(dec, f, (void **)at, body, body + len, &here, start, depth);
	}
	}
	return 0;
}

/* An element of a repeated field. */
static int decode_repeated(decoder *dec, void *msg, const cachet__field_desc *f, size_t *cap,
			   const uint8_t **p, const uint8_t *end, const cachet__wire_path *path,
			   const uint8_t *start, unsigned depth)
{
	size_t n = cachet__field_count(msg, f);
	cachet__wire_path here = {path, f, NULL, 0, n};
	void **items;
	size_t len;
	int rc;

	if ((rc = read_length(dec, path, p, end, f->number, start, &len)) < 0)
		return rc;
	const uint8_t *body = *p;
	*p += len;
	if ((rc = array_reserve(msg, f, sizeof(void *), cap)) < 0)
		return rc;
	items = *(void ***)cachet__field_at(msg, f);
	if (f->type == CACHET__STRING) {
		char *s;
		if ((rc = read_string(dec, &here, body, len, false, "string", &s)) < 0)
			return rc;
		items[n] = s;
		*count_at(msg, f) = n + 1;
		return 0;
	}
	if (depth >= CACHET_MAX_DEPTH)
		return too_deep(dec, &here, start);
	items[n] = NULL;
	if ((items[n] = cachet__message_new(f->message)) == NULL)
		return CACHET_ENOMEM;
	*count_at(msg, f) = n + 1;
	return decode_message(dec, f->message, items[n], body, body + len, &here, depth + 1);
}

/* Push a zeroed capacity slot for each of d's fields; returns the index of
 * the first. */
static int caps_push(decoder *dec, size_t n, size_t *base)
{
	*base = dec->n_caps;
	if (n > dec->caps_alloc - dec->n_caps) {
		size_t want = dec->caps_alloc ? dec->caps_alloc : 64;
		while (want - dec->n_caps < n)
			want *= 2;
		size_t *grown = cachet__reallocarray(dec->caps, want, sizeof(size_t));
		if (grown == NULL)
			return CACHET_ENOMEM;
		dec->caps = grown;
		dec->caps_alloc = want;
	}
	if (n)
		memset(dec->caps + dec->n_caps, 0, n * sizeof(size_t));
	dec->n_caps += n;
	return 0;
}

/*
 * Decode the fields in p..end into msg (which may already hold fields:
 * merging). depth is msg's own level, 1 for the root.
 */
static int decode_message(decoder *dec, const cachet__message_desc *d, void *msg,
			  const uint8_t *p, const uint8_t *end, const cachet__wire_path *path,
			  unsigned depth)
{
	size_t base;
	int rc = caps_push(dec, d->n_fields, &base);

	while (rc == 0 && p < end) {
		const uint8_t *start = p;
		const cachet__field_desc *f;
		uint32_t number;
		unsigned type;

		if ((rc = read_tag(dec, path, &p, end, &number, &type)) < 0)
			break;
		f = cachet__field_by_number(d, number);
		if (f == NULL || type != wire_type_of(f)) {
			rc = skip_field(dec, path, &p, end, number, type, start, depth);
			continue;
		}
		/* dec->caps may move when deeper levels push: index it anew. */
		size_t slot = base + (size_t)(f - d->fields);
		if (f->label == CACHET__SINGULAR) {
			rc = decode_singular(dec, d, msg, f, &p, end, path, start, depth);
		} else if (f->type != CACHET__MESSAGE && f->type != CACHET__STRING) {
			rc = cachet__error(CACHET_EUNSUPPORTED,
					   "%s.%s: repeated and map fields must hold strings or messages",
					   d->name, f->name);
		} else if (f->label == CACHET__REPEATED) {
			size_t cap = dec->caps[slot];
			rc = decode_repeated(dec, msg, f, &cap, &p, end, path, start, depth);
			dec->caps[slot] = cap;
		} else {
			size_t len = 0, cap = dec->caps[slot];
			rc = read_length(dec, path, &p, end, number, start, &len);
			if (rc < 0)
				break;
			rc = decode_map_entry(dec, msg, f, &cap, p, p + len, path, depth);
			dec->caps[slot] = cap;
			p += len;
		}
	}

	/* Maps appended to by this call get sorted, the last of equal keys
	 * winning (cachet__map_normalize), O(n log n) for the lot. */
	for (size_t i = 0; rc == 0 && i < d->n_fields; i++)
		if (d->fields[i].label == CACHET__MAP && dec->caps[base + i] != 0)
			rc = cachet__map_normalize(msg, &d->fields[i]);
	dec->n_caps = base;
	return rc;
}

int cachet__wire_decode(const cachet__message_desc *d, void **out, const uint8_t *data,
			size_t len)
{
	static const uint8_t empty[1];
	decoder dec = {0};
	void *msg;
	int rc;

	*out = NULL;
	if (data == NULL || len == 0)
		data = empty; /* no arithmetic on NULL */
	dec.base = data;
	if ((msg = cachet__message_new(d)) == NULL)
		return CACHET_ENOMEM;
	rc = decode_message(&dec, d, msg, data, data + len, NULL, 1);
	cachet__free(dec.caps);
	if (rc < 0) {
		cachet__message_free(d, msg);
		return rc;
	}
	*out = msg;
	return 0;
}
