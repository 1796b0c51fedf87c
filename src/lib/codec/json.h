/*
 * Protobuf's JSON mapping, generically over value/schema.h descriptors.
 */
#ifndef CACHET_CODEC_JSON_H
#define CACHET_CODEC_JSON_H

#include "util/buf.h"
#include "value/schema.h"

/*
 * Parse JSON text into a new message of type d. Accepts camelCase and
 * snake_case field names, int64 as strings or numbers, enums by name or
 * number, base64 bytes, RFC 3339 timestamps, "1.5s" durations, "NaN" and
 * "Infinity" for doubles; null for a field means "not set". Refuses unknown
 * field names, two members of one oneof, duplicate object keys, and
 * anything of the wrong JSON type, with CACHET_EINVALID and a message
 * "<path>: <what>", e.g.
 *   literals.a.scalar.primitive: "integer" must be an int64, got "abc"
 * Syntax errors say "line L, column C: <what>".
 */
int cachet__json_decode(const cachet__message_desc *d, void **out, const char *text,
			size_t len);

/*
 * As cachet__json_decode, except that unknown field names of the n_open
 * messages in open are skipped, as the wire decoder skips unknown fields,
 * instead of refused. For messages that Flyte extends often (the task
 * messages of value/task_schema.h); every other message, an interface
 * inside a task included, keeps the strict rule.
 */
int cachet__json_decode_open(const cachet__message_desc *d, void **out, const char *text,
			     size_t len, const cachet__message_desc *const *open, size_t n_open);

/*
 * NUL in object keys (json_nul_keys.c), for every reader of JSON with
 * jansson: jansson refuses "\u0000" in a key,
 * so it is respelled, in the same six bytes, as a marker the text holds
 * nowhere else, and turned back into NUL as each key is read.
 */
typedef struct cachet__json_nul_keys {
	unsigned marker; /* 0: no key of the text holds NUL */
	char utf8[3];    /* the marker in UTF-8, as jansson's keys hold it */
} cachet__json_nul_keys;

/* When a key of text[0..len) holds "\u0000": *out = the respelled copy
 * (len bytes, free with cachet__free) and nk says the marker; else *out is
 * NULL and nk->marker 0. 0, CACHET_ENOMEM, or CACHET_EUNSUPPORTED when the
 * text uses every private-use character. */
int cachet__json_nul_keys_respell(const char *text, size_t len, char **out,
				  cachet__json_nul_keys *nk);
/* The key as written: a new counted string of jansson's key with each
 * marker turned back into NUL; NULL when out of memory. */
char *cachet__json_key_new(const cachet__json_nul_keys *nk, const char *key);
/* Spell the marker back as "\u0000" in jansson's error text, in place. */
void cachet__json_nul_keys_error_text(const cachet__json_nul_keys *nk, char *text);

/* Append the JSON form of msg (flags: CACHET_JSON_PRETTY from cachet/codec.h). */
int cachet__json_encode(const cachet__message_desc *d, const void *msg, unsigned flags,
			cachet_buf *out);

/*
 * The JSON form of one field's non-message value, shared by the JSON
 * encoder and pbhash so that both follow the same mapping rules.
 */
typedef enum cachet__json_kind {
	CACHET__JSON_STRING,
	CACHET__JSON_NUMBER,
	CACHET__JSON_BOOL,
	CACHET__JSON_NULL
} cachet__json_kind;

typedef struct cachet__json_scalar {
	cachet__json_kind kind;
	const char *str; /* STRING: not NUL-terminated necessarily */
	size_t len;
	double number; /* NUMBER */
	bool boolean;  /* BOOL */
} cachet__json_scalar;

/*
 * The JSON value of a scalar stored at `storage` with field type f->type
 * (INT64, UINT64, INT32, DOUBLE, BOOL, ENUM, STRING, BYTES): int64 and
 * uint64 as decimal strings, int32 as a number, a finite double as a
 * number and NaN/Infinity/-Infinity as strings, an enum by name (or its
 * number when unknown), bytes as padded standard base64. Text that needs
 * formatting is written into scratch (cleared first), which out->str may
 * point into. 0 or CACHET_ENOMEM.
 */
int cachet__json_scalar_of(const cachet__field_desc *f, const void *storage, cachet_buf *scratch,
			   cachet__json_scalar *out);

/*
 * Well-known types in JSON. Formatting validates: CACHET_EINVALID with
 * a message for a timestamp outside 0001-01-01..9999-12-31 or nanos outside
 * [0, 1e9), a duration beyond +-315576000000 s, nanos beyond +-999999999,
 * or seconds and nanos of opposite signs.
 * Timestamps print as "2019-03-29T12:00:00Z" with 0, 3, 6 or 9 fraction
 * digits; durations as "1s", "1.500s", "-0.001s" (0, 3, 6 or 9 digits).
 */
int cachet__timestamp_format(const cachet_timestamp *ts, cachet_buf *out);
int cachet__timestamp_parse(const char *text, cachet_timestamp *out); /* RFC 3339, any offset */
int cachet__duration_format(const cachet_duration *d, cachet_buf *out);
int cachet__duration_parse(const char *text, cachet_duration *out);
/*
 * How protobuf JSON spells a double JSON numbers cannot hold: "NaN",
 * "Infinity" or "-Infinity"; NULL for a finite one. Go's jsonpb writes a
 * google.protobuf.Value number this way too, so Flyte hashes such a Struct
 * number as that string.
 */
const char *cachet__json_nonfinite_text(double v);

/* Shortest text that reads back as the same double ("1.3", "1e+30").
 * Finite values only. */
int cachet__double_format(double v, cachet_buf *out);

#endif
