/* Base64 (RFC 4648 sections 4 and 5). */
#include "util/base64.h"

#include "util/error.h"

#include <string.h>

static const char std_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int encode(cachet_buf *out, const void *data, size_t len,
		  const char *alphabet, bool pad)
{
	const unsigned char *in = data;
	if (len > (SIZE_MAX - 4) / 4 * 3)
		return cachet__error_oom();
	size_t olen = (len + 2) / 3 * 4;
	int rc = cachet__buf_grow(out, olen);
	if (rc < 0)
		return rc;

	char *o = out->ptr + out->len;
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		*o++ = alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		if (pad) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		if (pad)
			*o++ = '=';
	}
	out->len = (size_t)(o - out->ptr);
	out->ptr[out->len] = '\0';
	return 0;
}

int cachet__base64_encode(cachet_buf *out, const void *data, size_t len)
{
	return encode(out, data, len, std_alphabet, true);
}

int cachet__base64url_encode(cachet_buf *out, const void *data, size_t len)
{
	return encode(out, data, len, url_alphabet, false);
}

enum { STD_ONLY = 1, URL_ONLY = 2 };

/* The 6-bit value of c, or -1. *which tells '+' '/' (STD_ONLY) from
 * '-' '_' (URL_ONLY), 0 for characters common to both. */
static int sextet(unsigned char c, int *which)
{
	*which = 0;
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	switch (c) {
	case '+': *which = STD_ONLY; return 62;
	case '/': *which = STD_ONLY; return 63;
	case '-': *which = URL_ONLY; return 62;
	case '_': *which = URL_ONLY; return 63;
	default: return -1;
	}
}

static int bad_char(const char *text, size_t at)
{
	unsigned char c = (unsigned char)text[at];
	if (c >= 0x21 && c < 0x7F)
		return cachet__error(CACHET_EINVALID,
				     "invalid base64 character '%c' at offset %zu", c, at);
	return cachet__error(CACHET_EINVALID,
			     "invalid base64 character 0x%02x at offset %zu", c, at);
}

/*
 * Rules: the text is sextets, then optionally padding. With padding the
 * total length is a multiple of 4 and there are one or two '=' at the very
 * end; without it the length mod 4 is not 1. One text uses one alphabet.
 * Non-zero bits left over in the last sextet are accepted and ignored.
 */
int cachet__base64_decode(cachet_buf *out, const char *text, size_t len)
{
	size_t data_len = len;
	while (data_len > 0 && text[data_len - 1] == '=' && len - data_len < 2)
		data_len--;
	size_t npad = len - data_len;

	size_t start_len = out->len;
	int rc = cachet__buf_grow(out, len / 4 * 3 + 3);
	if (rc < 0)
		return rc;

	int alphabet = 0;
	uint32_t acc = 0;
	int bits = 0;
	char *o = out->ptr + out->len;
	for (size_t i = 0; i < data_len; i++) {
		int which;
		int v = sextet((unsigned char)text[i], &which);
		if (v < 0) {
			if (text[i] == '=')
				rc = cachet__error(CACHET_EINVALID,
						   "invalid base64 padding at offset %zu", i);
			else
				rc = bad_char(text, i);
			goto fail;
		}
		if (which) {
			if (alphabet && alphabet != which) {
				rc = cachet__error(CACHET_EINVALID,
						   "base64 mixes the standard and URL alphabets at offset %zu",
						   i);
				goto fail;
			}
			alphabet = which;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (char)(acc >> bits & 0xFF);
		}
	}

	if (data_len % 4 == 1) {
		rc = cachet__error(CACHET_EINVALID,
				   "invalid base64 length %zu: a final group of one character", len);
		goto fail;
	}
	if (npad > 0 && (len % 4 != 0 || (data_len % 4) + npad != 4)) {
		rc = cachet__error(CACHET_EINVALID, "invalid base64 padding at offset %zu",
				   data_len);
		goto fail;
	}

	out->len = (size_t)(o - out->ptr);
	out->ptr[out->len] = '\0';
	return 0;

fail:
	out->len = start_len;
	out->ptr[start_len] = '\0';
	return rc;
}
