/* Growable, always NUL-terminated byte buffer. */
#include "util/buf.h"

#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define BUF_MIN_CAP 64

int cachet__buf_grow(cachet_buf *b, size_t extra)
{
	/* need = len + extra + 1 (the NUL), checking overflow */
	if (extra > SIZE_MAX - 1 - b->len)
		return cachet__error_oom();
	size_t need = b->len + extra + 1;
	if (b->ptr != NULL && need <= b->cap)
		return 0;

	/* geometric growth (x1.5) so that n appends cost O(n) */
	size_t cap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
	while (cap < need) {
		if (cap > SIZE_MAX - cap / 2) {
			cap = need;
			break;
		}
		cap += cap / 2;
	}
	char *p = cachet__realloc(b->ptr, cap);
	if (p == NULL)
		return CACHET_ENOMEM;
	if (b->ptr == NULL)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int cachet__buf_put(cachet_buf *b, const void *data, size_t len)
{
	/* data may point into b itself: remember it as an offset, since
	 * growing may move the memory */
	const char *d = data;
	bool inside = len && b->ptr && d >= b->ptr && d < b->ptr + b->cap;
	size_t off = inside ? (size_t)(d - b->ptr) : 0;

	int rc = cachet__buf_grow(b, len);
	if (rc < 0)
		return rc;
	if (inside)
		d = b->ptr + off;
	if (len)
		memmove(b->ptr + b->len, d, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int cachet__buf_puts(cachet_buf *b, const char *s)
{
	return cachet__buf_put(b, s, strlen(s));
}

int cachet__buf_putc(cachet_buf *b, char c)
{
	return cachet__buf_put(b, &c, 1);
}

int cachet__buf_printf(cachet_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int rc = 0;

	size_t avail = b->ptr ? b->cap - b->len : 0;
	int n = vsnprintf(avail ? b->ptr + b->len : NULL, avail, fmt, ap);
	if (n < 0) {
		if (b->ptr)
			b->ptr[b->len] = '\0';
		rc = cachet__error(CACHET_EINVALID, "cannot format '%s'", fmt);
		goto done;
	}
	if ((size_t)n >= avail) {
		rc = cachet__buf_grow(b, (size_t)n);
		if (rc < 0) {
			if (b->ptr)
				b->ptr[b->len] = '\0';
			goto done;
		}
		if (vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap2) != n) {
			b->ptr[b->len] = '\0';
			rc = cachet__error(CACHET_ERROR, "cannot format '%s'", fmt);
			goto done;
		}
	}
	b->len += (size_t)n;

done:
	va_end(ap2);
	va_end(ap);
	return rc;
}

int cachet__buf_put_varint(cachet_buf *b, uint64_t v)
{
	char tmp[10];
	size_t n = 0;
	while (v >= 0x80) {
		tmp[n++] = (char)((v & 0x7F) | 0x80);
		v >>= 7;
	}
	tmp[n++] = (char)v;
	return cachet__buf_put(b, tmp, n);
}

void cachet__buf_clear(cachet_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *cachet__buf_detach(cachet_buf *b, size_t *len)
{
	char *p = b->ptr;
	if (p == NULL) {
		p = cachet__malloc(1);
		if (p == NULL)
			return NULL;
		p[0] = '\0';
	}
	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void cachet__buf_dispose(cachet_buf *b)
{
	cachet__free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}
