/* UTF-8 validation: protobuf strings must be valid UTF-8. */
#ifndef CACHET_UTIL_UTF8_H
#define CACHET_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). When it is not and bad_offset is not
 * NULL, *bad_offset is the offset of the first bad byte: the first byte of
 * the ill-formed or truncated sequence.
 */
bool cachet__utf8_valid(const char *s, size_t len, size_t *bad_offset);

#endif
