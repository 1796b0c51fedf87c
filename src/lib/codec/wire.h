/*
 * The protobuf wire format, generically over value/schema.h descriptors.
 */
#ifndef CACHET_CODEC_WIRE_H
#define CACHET_CODEC_WIRE_H

#include "util/buf.h"
#include "value/schema.h"

#include <stdint.h>

/*
 * Decode a message of type d from data. On success *out is a new message.
 * Follows protobuf's rules: unknown fields (and known fields with an
 * unexpected wire type) are skipped, a repeated singular field is merged
 * (last scalar wins, messages merge), a map key seen twice keeps the last
 * value, a missing map value is an empty message. Strings must be UTF-8
 * without NUL. Errors: CACHET_EINVALID with "<path>: <what> at byte <n>",
 * CACHET_ETOODEEP beyond CACHET_MAX_DEPTH, CACHET_ENOMEM.
 */
int cachet__wire_decode(const cachet__message_desc *d, void **out, const uint8_t *data,
			size_t len);

/* Append the deterministic encoding of msg to out. */
int cachet__wire_encode(const cachet__message_desc *d, const void *msg, cachet_buf *out);

#endif
