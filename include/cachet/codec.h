/*
 * cachet/codec.h - reading and writing values in Flyte's two encodings:
 * the protobuf wire format (what Flyte stores as inputs.pb / outputs.pb)
 * and protobuf's JSON mapping.
 *
 * The wire encoder writes what Flyte's Go backend writes with its
 * deterministic marshalling: the fields outside any oneof in number order,
 * then the set oneof member; map entries sorted by key. Decoding bytes
 * that Go wrote and encoding the result gives the same bytes.
 * Unknown fields are skipped. JSON output uses the camelCase names; JSON
 * input accepts camelCase and snake_case.
 *
 * Decoding failures return CACHET_EINVALID (or CACHET_ETOODEEP) with a
 * message that names the place, e.g.
 *   literals.a.scalar.primitive: "integer" must be an int64, got "abc"
 * Callers add the file name in front.
 */
#ifndef CACHET_CODEC_H
#define CACHET_CODEC_H

#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cachet_format {
	CACHET_FORMAT_AUTO = 0, /* decoding only: detect from the bytes */
	CACHET_FORMAT_PB = 1,   /* protobuf wire format */
	CACHET_FORMAT_JSON = 2  /* protobuf JSON */
} cachet_format;

/* Flags for encoding. */
#define CACHET_JSON_PRETTY 0x1u /* indent JSON output by two spaces */

/*
 * Guess the encoding of data: JSON when the first byte that is not JSON
 * whitespace is '{' (a protobuf message cannot start with that byte, which
 * would be a group start for field 15), else protobuf. Empty input is
 * protobuf (the empty message).
 */
CACHET_EXTERN cachet_format cachet_format_detect(const void *data, size_t len);

/*
 * Decoders: *out is a new value on success, NULL on failure. format may be
 * CACHET_FORMAT_AUTO.
 */
CACHET_EXTERN int cachet_literal_map_decode(cachet_literal_map **out, const void *data,
					    size_t len, cachet_format format);
CACHET_EXTERN int cachet_literal_decode(cachet_literal **out, const void *data, size_t len,
					cachet_format format);
CACHET_EXTERN int cachet_literal_type_decode(cachet_literal_type **out, const void *data,
					     size_t len, cachet_format format);
CACHET_EXTERN int cachet_interface_decode(cachet_interface **out, const void *data, size_t len,
					  cachet_format format);

/*
 * Encoders: *out is a new buffer (free with cachet_free) of *len bytes.
 * JSON output is NUL-terminated (the NUL not counted) and ends without a
 * newline. format must be CACHET_FORMAT_PB or CACHET_FORMAT_JSON. JSON
 * encoding fails (CACHET_EINVALID) for values protobuf JSON cannot express:
 * a timestamp or duration out of range, a Struct value with no kind. A
 * Struct number that is NaN or infinite is written as the string "NaN",
 * "Infinity" or "-Infinity", as Flyte's Go backend writes it; that JSON
 * reads back as a string value, not as the number.
 */
CACHET_EXTERN int cachet_literal_map_encode(char **out, size_t *len,
					    const cachet_literal_map *map, cachet_format format,
					    unsigned flags);
CACHET_EXTERN int cachet_literal_encode(char **out, size_t *len, const cachet_literal *lit,
					cachet_format format, unsigned flags);
CACHET_EXTERN int cachet_literal_type_encode(char **out, size_t *len,
					     const cachet_literal_type *type, cachet_format format,
					     unsigned flags);
CACHET_EXTERN int cachet_interface_encode(char **out, size_t *len, const cachet_interface *iface,
					  cachet_format format, unsigned flags);

/*
 * The JSON text of a timestamp ("2019-03-29T12:00:00Z") or a duration
 * ("1.500s"), as protobuf JSON writes them. *out is a new string (free with
 * cachet_free). CACHET_EINVALID for a value out of range.
 */
CACHET_EXTERN int cachet_timestamp_format(char **out, const cachet_timestamp *ts);
CACHET_EXTERN int cachet_duration_format(char **out, const cachet_duration *d);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_CODEC_H */
