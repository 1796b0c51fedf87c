/* Strict UTF-8 validation, following the well-formed byte sequences table
 * of the Unicode standard (chapter 3, table 3-7). */
#include "util/utf8.h"

bool cachet__utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}

		size_t n;              /* bytes in the sequence */
		unsigned char lo = 0x80, hi = 0xBF; /* range of the 2nd byte */
		if (c >= 0xC2 && c <= 0xDF) {
			n = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			if (c == 0xE0)
				lo = 0xA0; /* overlong */
			else if (c == 0xED)
				hi = 0x9F; /* surrogates U+D800..U+DFFF */
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			if (c == 0xF0)
				lo = 0x90; /* overlong */
			else if (c == 0xF4)
				hi = 0x8F; /* above U+10FFFF */
		} else {
			goto bad; /* 0x80..0xC1 (continuation, overlong), 0xF5.. */
		}

		if (len - i < n || p[i + 1] < lo || p[i + 1] > hi)
			goto bad;
		for (size_t k = 2; k < n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				goto bad;
		i += n;
	}
	return true;

bad:
	if (bad_offset)
		*bad_offset = i;
	return false;
}
