/*
 * NUL in JSON object keys.
 *
 * Protobuf strings may hold U+0000, map keys and Struct field names
 * included, and protobuf JSON writes it "\u0000". jansson reads "\u0000"
 * in a string value (JSON_ALLOW_NUL) but refuses it in an object key. So
 * before parsing, every "\u0000" inside a key is respelled as a marker: a
 * private-use character (U+E000 to U+F8FF) that the text holds nowhere
 * else, raw or escaped, written in the same six bytes ("\uE000") so that
 * the line and column jansson reports stay those of the text as written.
 * Reading a key turns each marker back into NUL; since the text holds the
 * marker nowhere else, no other character is changed.
 */
#include "codec/json.h"

#include "util/alloc.h"
#include "util/error.h"
#include "value/message.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_PRIVATE 0xE000u
#define LAST_PRIVATE 0xF8FFu
#define N_PRIVATE (LAST_PRIVATE - FIRST_PRIVATE + 1)

/* The code unit of the escape "\uXXXX" whose 'u' is at text[i], or -1. */
static long escape_at(const char *text, size_t len, size_t i)
{
	char hex[5] = {0};

	if (i + 5 > len || text[i] != 'u')
		return -1;
	memcpy(hex, text + i + 1, 4);
	for (size_t k = 0; k < 4; k++)
		if (!isxdigit((unsigned char)hex[k]))
			return -1;
	return strtol(hex, NULL, 16);
}

/* Whether the string token that closes at text[close] is an object key:
 * the next character after white space is ':'. */
static bool is_key(const char *text, size_t len, size_t close)
{
	size_t i = close + 1;

	while (i < len && strchr(" \t\r\n", text[i]) != NULL && text[i] != '\0')
		i++;
	return i < len && text[i] == ':';
}

static void mark_used(unsigned char *used, unsigned long cp)
{
	if (cp >= FIRST_PRIVATE && cp <= LAST_PRIVATE)
		used[(cp - FIRST_PRIVATE) / 8] |= (unsigned char)(1u << ((cp - FIRST_PRIVATE) % 8));
}

/*
 * One pass over the text: whether a key holds "\u0000", and which
 * private-use characters the text uses (raw or escaped). Syntax errors are
 * left for jansson.
 */
static bool scan(const char *text, size_t len, unsigned char *used)
{
	bool in_string = false, nul_in_string = false, nul_in_key = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == 0xEE || c == 0xEF) { /* a three-byte sequence from U+E000 */
			if (i + 2 < len)
				mark_used(used, ((unsigned long)(c & 0x0F) << 12) |
							((unsigned long)(text[i + 1] & 0x3F) << 6) |
							(unsigned long)(text[i + 2] & 0x3F));
			continue;
		}
		if (!in_string) {
			if (c == '"') {
				in_string = true;
				nul_in_string = false;
			}
			continue;
		}
		if (c == '\\' && i + 1 < len) {
			long cu = escape_at(text, len, i + 1);
			if (cu == 0)
				nul_in_string = true;
			else if (cu > 0)
				mark_used(used, (unsigned long)cu);
			i++;
		} else if (c == '"') {
			in_string = false;
			if (nul_in_string && is_key(text, len, i))
				nul_in_key = true;
		}
	}
	return nul_in_key;
}

/* In the copy, respell each "\u0000" of the string token text[open..close)
 * as the marker. */
static void respell_key(char *copy, const char *text, size_t open, size_t close, unsigned marker)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = open; i < close; i++) {
		if (text[i] != '\\')
			continue;
		if (escape_at(text, close, i + 1) == 0)
			for (int k = 0; k < 4; k++)
				copy[i + 2 + k] = digits[(marker >> (12 - 4 * k)) & 0xF];
		i++;
	}
}

int cachet__json_nul_keys_respell(const char *text, size_t len, char **out,
				  cachet__json_nul_keys *nk)
{
	unsigned char used[N_PRIVATE / 8] = {0};
	bool in_string = false;
	size_t open = 0;
	char *copy;

	*out = NULL;
	memset(nk, 0, sizeof(*nk));
	if (!scan(text, len, used))
		return 0;
	for (unsigned cp = FIRST_PRIVATE; cp <= LAST_PRIVATE && nk->marker == 0; cp++)
		if (!(used[(cp - FIRST_PRIVATE) / 8] & (1u << ((cp - FIRST_PRIVATE) % 8))))
			nk->marker = cp;
	if (nk->marker == 0)
		return cachet__error(CACHET_EUNSUPPORTED,
				     "an object key holds \\u0000, and the text uses every "
				     "private-use character (U+E000 to U+F8FF): cannot read it");
	nk->utf8[0] = (char)(0xE0 | (nk->marker >> 12));
	nk->utf8[1] = (char)(0x80 | ((nk->marker >> 6) & 0x3F));
	nk->utf8[2] = (char)(0x80 | (nk->marker & 0x3F));

	if ((copy = cachet__malloc(len ? len : 1)) == NULL)
		return CACHET_ENOMEM;
	memcpy(copy, text, len);
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (!in_string) {
			if (c == '"') {
				in_string = true;
				open = i;
			}
		} else if (c == '\\') {
			i++;
		} else if (c == '"') {
			in_string = false;
			if (is_key(text, len, i))
				respell_key(copy, text, open + 1, i, nk->marker);
		}
	}
	*out = copy;
	return 0;
}

char *cachet__json_key_new(const cachet__json_nul_keys *nk, const char *key)
{
	size_t len = strlen(key), w = 0;
	char *s;

	if (nk->marker == 0)
		return cachet_str_new(key, len);
	if ((s = cachet_str_new(key, len)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (i + 3 <= len && memcmp(key + i, nk->utf8, 3) == 0) {
			s[w++] = '\0';
			i += 2;
		} else {
			s[w++] = key[i];
		}
	}
	if (w == len)
		return s;
	/* shorter than jansson's key: make it a string of its own length */
	char *shorter = cachet_str_new(s, w);
	cachet_str_free(s);
	return shorter;
}

void cachet__json_nul_keys_error_text(const cachet__json_nul_keys *nk, char *text)
{
	static const char digits[] = "0123456789ABCDEF";
	char spelled[7] = {'\\', 'u', 0, 0, 0, 0, 0};

	if (nk->marker == 0)
		return;
	for (int k = 0; k < 4; k++)
		spelled[2 + k] = digits[(nk->marker >> (12 - 4 * k)) & 0xF];
	for (char *at = strstr(text, spelled); at != NULL; at = strstr(at + 6, spelled))
		memcpy(at + 2, "0000", 4);
}
