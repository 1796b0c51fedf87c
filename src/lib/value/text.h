/*
 * Strings handed to the value builders: checked (UTF-8, as protobuf
 * requires) and copied into counted strings. An empty string is stored as
 * NULL.
 */
#ifndef CACHET_VALUE_TEXT_H
#define CACHET_VALUE_TEXT_H

#include <stddef.h>

/* 0 when s[0..len) is valid UTF-8 (NUL included; s may be NULL when len
 * is 0); else CACHET_EINVALID naming `what`. */
int cachet__text_check_n(const char *s, size_t len, const char *what);
/* The same for the C string s (NULL is fine). */
int cachet__text_check(const char *s, const char *what);
/* *out = a counted copy of s[0..len), or NULL when len is 0. 0 or
 * CACHET_ENOMEM. */
int cachet__text_dup_n(char **out, const char *s, size_t len);
/* The same for the C string s (NULL is ""). */
int cachet__text_dup(char **out, const char *s);

#endif
