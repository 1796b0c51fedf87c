/*
 * A growable byte buffer. The contents are always NUL-terminated (the NUL
 * is not counted in len) so that text built in it can be used as a string.
 */
#ifndef CACHET_UTIL_BUF_H
#define CACHET_UTIL_BUF_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cachet_buf {
	char *ptr;  /* NULL until the first append */
	size_t len; /* bytes used, excluding the trailing NUL */
	size_t cap; /* bytes allocated */
} cachet_buf;

#define CACHET_BUF_INIT {NULL, 0, 0}

/* Make room for `extra` more bytes (plus the NUL). 0 or CACHET_ENOMEM. */
int cachet__buf_grow(cachet_buf *b, size_t extra);
int cachet__buf_put(cachet_buf *b, const void *data, size_t len);
int cachet__buf_puts(cachet_buf *b, const char *s);
int cachet__buf_putc(cachet_buf *b, char c);
int cachet__buf_printf(cachet_buf *b, const char *fmt, ...) CACHET__PRINTF(2, 3);
/* Protobuf base-128 varint. */
int cachet__buf_put_varint(cachet_buf *b, uint64_t v);
void cachet__buf_clear(cachet_buf *b); /* len = 0, keeps the memory */
/* Hand the memory to the caller (NUL-terminated, never NULL on success:
 * an empty buffer yields ""), leaving b empty. NULL on ENOMEM. */
char *cachet__buf_detach(cachet_buf *b, size_t *len);
void cachet__buf_dispose(cachet_buf *b);

#endif
