/*
 * Encoding value structs in the protobuf wire format, deterministically,
 * byte for byte as Flyte's Go backend does (golang/protobuf's table-driven
 * marshaller with deterministic output):
 *  - first the fields that are not in a oneof, by field number; then the
 *    members of oneofs, one oneof after the other in the order the message
 *    declares them (cachet__field_desc.oneof_index), by number within a
 *    oneof. So a Literal with a hash and a scalar is written hash (4),
 *    scalar (1). Unknown fields are never kept;
 *  - proto3 presence (cachet__field_present): zero scalars and empty
 *    strings, bytes, lists and maps left out, a set oneof member always
 *    written (even 0, "" or false), a NULL message left out and a present
 *    but empty one written as a zero-length field;
 *  - int32 and enum sign-extended to 64 bits (a negative one is 10 bytes),
 *    double as 8 little-endian bytes;
 *  - map entries sorted by key, and each entry written with both its key
 *    (field 1) and its value (field 2) even when they are empty or zero:
 *    Go's map coder (appendMapItem in internal/impl/codec_map.go) encodes
 *    the entry's key and value with the unconditional "value" coders rather
 *    than the proto3 field coders, so {"": ""} is 0a 00 12 00, and a nil
 *    message value is written as an empty one (12 00). Python's and C++'s
 *    deterministic serializers agree.
 *
 * Lengths: a message's length prefix must precede it, but is only known
 * once the message is written. Computing sizes with a separate recursive
 * pass costs O(depth) per byte unless every size is cached, and encoding
 * each child into a scratch buffer copies every byte once per level above
 * it; both are quadratic for a deep tree. Instead we write backwards, as
 * upb does: the buffer fills from its end towards its start, fields and
 * elements are visited last to first, and a message's length is simply
 * how much was written since it started, prepended as a varint followed by
 * the tag. One pass, each byte written once (plus the geometric growth and
 * one final copy into the caller's buffer): O(n) whatever the shape.
 *
 * Strings are checked to be UTF-8, as Go's marshaller does, so that we
 * never write what a protobuf decoder (ours included) refuses. Nesting
 * deeper than CACHET_MAX_DEPTH is refused (CACHET_ETOODEEP): it could not
 * be decoded again, and the stack stays bounded.
 */
#include "codec/wire.h"

#include "codec/wire_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/utf8.h"
#include "value/message.h"

#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define COLD __attribute__((cold, noinline))
#else
#define COLD
#endif

/* The output so far: the last `len` bytes of mem[0..cap). */
typedef struct encoder {
	uint8_t *mem;
	size_t cap;
	size_t len;
} encoder;

static int encode_message(encoder *e, const cachet__message_desc *d, const void *msg,
			  const cachet__wire_path *path, unsigned depth);

COLD static int fail_utf8(const cachet__wire_path *path, size_t bad)
{
	char where[256];

	cachet__wire_path_format(where, sizeof(where), path);
	return cachet__error(CACHET_EINVALID, "%s%sinvalid UTF-8 at byte %zu of the string", where,
			     where[0] ? ": " : "", bad);
}

COLD static int fail_depth(const cachet__wire_path *path)
{
	char where[256];

	cachet__wire_path_format(where, sizeof(where), path);
	return cachet__error(CACHET_ETOODEEP, "%s%svalue nested deeper than %d levels", where,
			     where[0] ? ": " : "", CACHET_MAX_DEPTH);
}

/* Make room for n more bytes in front of what is written. */
static int reserve(encoder *e, size_t n)
{
	size_t cap;
	uint8_t *mem;

	if (e->cap - e->len >= n)
		return 0;
	if (n > SIZE_MAX / 2 - e->len)
		return cachet__error_oom();
	cap = e->cap ? e->cap : 256;
	while (cap - e->len < n)
		cap *= 2;
	if ((mem = cachet__malloc(cap)) == NULL)
		return CACHET_ENOMEM;
	if (e->len)
		memcpy(mem + cap - e->len, e->mem + e->cap - e->len, e->len);
	cachet__free(e->mem);
	e->mem = mem;
	e->cap = cap;
	return 0;
}

static int put(encoder *e, const void *data, size_t n)
{
	int rc = reserve(e, n);

	if (rc == 0 && n > 0) {
		e->len += n;
		memcpy(e->mem + e->cap - e->len, data, n);
	}
	return rc;
}

static int put_varint(encoder *e, uint64_t v)
{
	uint8_t tmp[CACHET__VARINT_MAX];

	return put(e, tmp, cachet__varint_put(tmp, v));
}

/* The length prefix and tag of a length-delimited field whose body (of
 * e->len - mark bytes) was just written. */
static int put_len_header(encoder *e, uint32_t number, size_t mark)
{
	int rc = put_varint(e, e->len - mark);

	return rc < 0 ? rc : put_varint(e, cachet__wire_tag(number, CACHET__WIRE_LEN));
}

/* A length-delimited string field (a counted string; NULL is ""), checked
 * to be UTF-8. */
static int put_string(encoder *e, uint32_t number, const char *s,
		      const cachet__wire_path *path)
{
	size_t len = cachet_str_len(s), bad;
	size_t mark = e->len;
	int rc;

	if (!cachet__utf8_valid(s, len, &bad))
		return fail_utf8(path, bad);
	if ((rc = put(e, s, len)) < 0)
		return rc;
	return put_len_header(e, number, mark);
}

/* A message field: the body, then its length and tag. NULL is written as
 * the empty message (only reached where a field must be written). */
static int put_message(encoder *e, uint32_t number, const cachet__message_desc *d,
		       const void *msg, const cachet__wire_path *path, unsigned depth)
{
	size_t mark = e->len;
	int rc = 0;

	if (msg != NULL) {
		if (depth >= CACHET_MAX_DEPTH)
			return fail_depth(path);
		rc = encode_message(e, d, msg, path, depth + 1);
	}
	return rc < 0 ? rc : put_len_header(e, number, mark);
}

static int put_singular(encoder *e, const cachet__field_desc *f, const void *msg,
			const cachet__wire_path *path, unsigned depth)
{
	const void *at = cachet__field_at_const(msg, f);
	cachet__wire_path here = {path, f, NULL, 0, CACHET__NO_INDEX};
	uint64_t v;
	int rc;

	switch (f->type) {
	case CACHET__INT64:
	case CACHET__UINT64:
		memcpy(&v, at, sizeof(v)); /* same bits either way */
		break;
	case CACHET__INT32:
	case CACHET__ENUM:
		v = (uint64_t)(int64_t)(*(const int32_t *)at); /* sign-extended */
		break;
	case CACHET__BOOL:
		v = *(const bool *)at ? 1 : 0;
		break;
	case CACHET__DOUBLE: {
		uint8_t le[8];
		memcpy(&v, at, sizeof(v));
		for (size_t i = 0; i < 8; i++)
			le[i] = (uint8_t)(v >> (8 * i));
		if ((rc = put(e, le, sizeof(le))) < 0)
			return rc;
		return put_varint(e, cachet__wire_tag(f->number, CACHET__WIRE_I64));
	}
	case CACHET__STRING:
		return put_string(e, f->number, *(char *const *)at, &here);
	case CACHET__BYTES: {
		const cachet_bytes *b = at;
		size_t mark = e->len;
		if ((rc = put(e, b->data, b->len)) < 0)
			return rc;
		return put_len_header(e, f->number, mark);
	}
	case CACHET__MESSAGE:
		return put_message(e, f->number, f->message, *(void *const *)at, &here, depth);
	default:
		return cachet__error(CACHET_ERROR, "field '%s' has an unknown type", f->name);
	}
	if ((rc = put_varint(e, v)) < 0)
		return rc;
	return put_varint(e, cachet__wire_tag(f->number, CACHET__WIRE_VARINT));
}

static int put_repeated(encoder *e, const cachet__field_desc *f, const void *msg,
			const cachet__wire_path *path, unsigned depth)
{
	void *const *items = *(void *const *)cachet__field_at_const(msg, f);
	size_t n = cachet__field_count(msg, f);

	for (size_t i = n; i-- > 0;) {
		cachet__wire_path here = {path, f, NULL, 0, i};
		int rc;
		if (f->type == CACHET__STRING)
			rc = put_string(e, f->number, items[i], &here);
		else if (f->type == CACHET__MESSAGE)
			rc = put_message(e, f->number, f->message, items[i], &here, depth);
		else
			rc = cachet__error(CACHET_EUNSUPPORTED,
					   "repeated field '%s' must hold strings or messages",
					   f->name);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* One entry: key (1) and value (2), always both, then its own header. */
static int put_map_entry(encoder *e, const cachet__field_desc *f,
			 const struct cachet__map_entry *entry, const cachet__wire_path *path,
			 unsigned depth)
{
	const char *key = entry->key;
	cachet__wire_path here = {path, f, key ? key : "", cachet_str_len(key), CACHET__NO_INDEX};
	cachet__wire_path field = {path, f, NULL, 0, CACHET__NO_INDEX};
	size_t mark = e->len;
	int rc;

	if (f->type == CACHET__STRING)
		rc = put_string(e, 2, entry->value, &here);
	else
		rc = put_message(e, 2, f->message, entry->value, &here, depth);
	if (rc == 0)
		rc = put_string(e, 1, key, &field);
	if (rc == 0)
		rc = put_len_header(e, f->number, mark);
	return rc;
}

/* Byte order of two entries' keys, lengths included. */
static int compare_keys(const struct cachet__map_entry *x, const struct cachet__map_entry *y)
{
	return cachet__str_compare(x->key, cachet_str_len(x->key), y->key, cachet_str_len(y->key));
}

/* Sorting entry pointers: by key, then by position, so that among equal
 * keys (a broken invariant) the last one can be picked. */
static int compare_entries(const void *a, const void *b)
{
	const struct cachet__map_entry *x = *(const struct cachet__map_entry *const *)a;
	const struct cachet__map_entry *y = *(const struct cachet__map_entry *const *)b;
	int c = compare_keys(x, y);

	return c != 0 ? c : (x > y) - (x < y);
}

static int put_map(encoder *e, const cachet__field_desc *f, const void *msg,
		   const cachet__wire_path *path, unsigned depth)
{
	const struct cachet__map_entry *entries = cachet__map_entries(msg, f);
	size_t n = cachet__field_count(msg, f);
	const struct cachet__map_entry **order;
	int rc = 0;

	if (cachet__map_is_sorted(msg, f)) {
		for (size_t i = n; rc == 0 && i-- > 0;)
			rc = put_map_entry(e, f, &entries[i], path, depth);
		return rc;
	}

	/* Someone filled the map by hand. Encode it sorted without touching
	 * it: sort pointers instead, and keep the last of equal keys, as the
	 * decoder would. */
	if ((order = cachet__calloc(n, sizeof(*order))) == NULL)
		return CACHET_ENOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = &entries[i];
	qsort(order, n, sizeof(*order), compare_entries);
	for (size_t i = n; rc == 0 && i-- > 0;)
		if (i + 1 == n || compare_keys(order[i], order[i + 1]) != 0)
			rc = put_map_entry(e, f, order[i], path, depth);
	cachet__free(order);
	return rc;
}

/* Where Go writes a field: group 0 holds the fields outside any oneof,
 * group k + 1 the members of the message's oneof k; groups go in order,
 * and by field number within a group (the tables are in number order). */
static unsigned write_group(const cachet__field_desc *f)
{
	return f->oneof_offset == CACHET__NOT_ONEOF ? 0 : f->oneof_index + 1;
}

static int put_field(encoder *e, const cachet__field_desc *f, const void *msg,
		     const cachet__wire_path *path, unsigned depth)
{
	if (f->label == CACHET__REPEATED)
		return put_repeated(e, f, msg, path, depth);
	if (f->label == CACHET__MAP)
		return put_map(e, f, msg, path, depth);
	return put_singular(e, f, msg, path, depth);
}

/* Write msg's fields in Go's order, backwards: the last group first, and
 * each group last field to first. depth is msg's own level. */
static int encode_message(encoder *e, const cachet__message_desc *d, const void *msg,
			  const cachet__wire_path *path, unsigned depth)
{
	unsigned last_group = 0;

	for (size_t i = 0; i < d->n_fields; i++)
		if (write_group(&d->fields[i]) > last_group)
			last_group = write_group(&d->fields[i]);
	for (unsigned group = last_group + 1; group-- > 0;) {
		for (size_t i = d->n_fields; i-- > 0;) {
			const cachet__field_desc *f = &d->fields[i];
			int rc;
			if (write_group(f) != group || !cachet__field_present(msg, f))
				continue;
			if ((rc = put_field(e, f, msg, path, depth)) < 0)
				return rc;
		}
	}
	return 0;
}

int cachet__wire_encode(const cachet__message_desc *d, const void *msg, cachet_buf *out)
{
	encoder e = {NULL, 0, 0};
	int rc = msg ? encode_message(&e, d, msg, NULL, 1) : 0; /* NULL: the empty message */

	if (rc == 0 && e.len > 0)
		rc = cachet__buf_put(out, e.mem + e.cap - e.len, e.len);
	cachet__free(e.mem);
	return rc;
}
