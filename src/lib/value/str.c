/*
 * Counted strings: every string the value model holds. The byte length is
 * kept in front of the characters, which stay NUL-terminated, so that a
 * string without NUL reads and prints as any C string while one with a
 * NUL (valid UTF-8, and legal in Flyte's values) keeps all its bytes.
 *
 *   [ size_t len ][ len bytes ][ '\0' ]
 *                 ^ the char * the model holds
 */
#include "value/message.h"

#include "util/alloc.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct counted {
	size_t len;
	char text[];
} counted;

static counted *header_of(const char *s)
{
	return (counted *)(void *)(s - offsetof(counted, text));
}

char *cachet_str_new(const char *bytes, size_t len)
{
	counted *c;

	if (len > SIZE_MAX - sizeof(counted) - 1) {
		cachet__error_oom();
		return NULL;
	}
	c = cachet__malloc(sizeof(counted) + len + 1);
	if (c == NULL)
		return NULL;
	c->len = len;
	if (len > 0)
		memcpy(c->text, bytes, len);
	c->text[len] = '\0';
	return c->text;
}

char *cachet_str_dup(const char *s)
{
	return s ? cachet_str_new(s, strlen(s)) : cachet_str_new("", 0);
}

size_t cachet_str_len(const char *s)
{
	return s ? header_of(s)->len : 0;
}

void cachet_str_free(char *s)
{
	if (s != NULL)
		cachet__free(header_of(s));
}

int cachet__str_copy(char **out, const char *s)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	*out = cachet_str_new(s, cachet_str_len(s));
	return *out ? 0 : CACHET_ENOMEM;
}

int cachet__str_compare(const char *a, size_t a_len, const char *b, size_t b_len)
{
	int c = memcmp(a ? a : "", b ? b : "", a_len < b_len ? a_len : b_len);

	if (c != 0)
		return c;
	return (a_len > b_len) - (a_len < b_len);
}

bool cachet__str_equal(const char *a, const char *b)
{
	size_t n = cachet_str_len(a);

	return n == cachet_str_len(b) && (n == 0 || memcmp(a, b, n) == 0);
}
