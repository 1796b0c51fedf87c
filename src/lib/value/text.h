/*
 * Strings handed to the value builders: checked (UTF-8, as protobuf
 * requires) and copied. An empty string is stored as NULL.
 */
#ifndef CACHET_VALUE_TEXT_H
#define CACHET_VALUE_TEXT_H

/* 0 when s is NULL or valid UTF-8; else CACHET_EINVALID naming `what`. */
int cachet__text_check(const char *s, const char *what);
/* *out = a copy of s, or NULL when s is NULL or "". 0 or CACHET_ENOMEM. */
int cachet__text_dup(char **out, const char *s);

#endif
