/*
 * What the wire decoder and encoder share: wire types, varints, tags, and
 * the field path that error messages name.
 */
#ifndef CACHET_CODEC_WIRE_INTERNAL_H
#define CACHET_CODEC_WIRE_INTERNAL_H

#include "value/schema.h"

#include <stddef.h>
#include <stdint.h>

/* The wire types of protobuf's encoding (the low 3 bits of a tag). */
enum cachet__wire_type {
	CACHET__WIRE_VARINT = 0,
	CACHET__WIRE_I64 = 1,
	CACHET__WIRE_LEN = 2,
	CACHET__WIRE_SGROUP = 3, /* deprecated groups: skipped, never produced */
	CACHET__WIRE_EGROUP = 4,
	CACHET__WIRE_I32 = 5
};

/* Field numbers are 1 .. 2^29 - 1. */
#define CACHET__WIRE_MAX_FIELD ((1u << 29) - 1)

/* A varint is at most 10 bytes (64 bits, 7 per byte). */
#define CACHET__VARINT_MAX 10

static inline uint64_t cachet__wire_tag(uint32_t number, enum cachet__wire_type type)
{
	return ((uint64_t)number << 3) | (uint64_t)type;
}

/* How many bytes the varint encoding of v takes. */
static inline size_t cachet__varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Write v as a varint into out (CACHET__VARINT_MAX bytes); returns the
 * number of bytes written. */
static inline size_t cachet__varint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

enum cachet__varint_status {
	CACHET__VARINT_OK = 0,
	CACHET__VARINT_TRUNCATED = -1, /* the input ends inside the varint */
	CACHET__VARINT_OVERLONG = -2   /* more than 10 bytes, or above 2^64 - 1 */
};

/*
 * Read a varint at *p (not beyond end), advancing *p past it on success.
 * Refuses what Go's protowire.ConsumeVarint refuses: more than 10 bytes,
 * and a 10th byte above 1 (bits beyond the 64th).
 */
static inline enum cachet__varint_status cachet__varint_get(const uint8_t **p, const uint8_t *end,
							     uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (q == end)
			return CACHET__VARINT_TRUNCATED;
		uint8_t b = *q++;
		if (shift == 63 && b > 1)
			return CACHET__VARINT_OVERLONG;
		v |= (uint64_t)(b & 0x7F) << shift;
		if (b < 0x80) {
			*p = q;
			*out = v;
			return CACHET__VARINT_OK;
		}
	}
	return CACHET__VARINT_OVERLONG;
}

/*
 * Where the codec is in the value, for error messages: a chain from the
 * innermost message up to the root, kept on the stack (one link per level,
 * no allocation). It reads as JSON names and map keys joined by dots, with
 * repeated elements indexed: "literals.a.collection.literals[2].scalar".
 */
typedef struct cachet__wire_path {
	const struct cachet__wire_path *up; /* NULL at the root */
	const cachet__field_desc *field;    /* the field this level is in */
	const char *key;                    /* a map entry's key, or NULL */
	size_t key_len;
	size_t index; /* a repeated element's index, or CACHET__NO_INDEX */
} cachet__wire_path;

#define CACHET__NO_INDEX ((size_t)-1)

/*
 * The path as text into out (size bytes, NUL-terminated; "" for the root).
 * Too long a path loses its beginning ("...a.b.c"), too long a key its end.
 */
void cachet__wire_path_format(char *out, size_t size, const cachet__wire_path *path);

#endif
