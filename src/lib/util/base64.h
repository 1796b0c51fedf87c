/* Base64: the standard alphabet with padding, and the URL alphabet
 * without padding (what Flyte's cache keys use). */
#ifndef CACHET_UTIL_BASE64_H
#define CACHET_UTIL_BASE64_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

/* Append the standard, padded encoding of data to out. */
int cachet__base64_encode(cachet_buf *out, const void *data, size_t len);
/* Append the URL-alphabet encoding, no padding ('-', '_'). */
int cachet__base64url_encode(cachet_buf *out, const void *data, size_t len);
/*
 * Decode text into out. Accepts the standard and the URL alphabet, with or
 * without padding; rejects anything else (whitespace included) with
 * CACHET_EINVALID and a message saying which character at which offset.
 */
int cachet__base64_decode(cachet_buf *out, const char *text, size_t len);

#endif
