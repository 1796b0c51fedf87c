/*
 * The one rule for names that become parts of paths.
 *
 * A run lays its files out by the names the workflow's author chose:
 * <run dir>/nodes/<node>/, <node dir>/out/<output>, <node dir>/in/<input>-N,
 * and the store prefix <run prefix>/<node>/<output>. Validation
 * (validate.c) checks every such name against this rule before anything
 * runs, for workflows built through the API and read from files alike, so
 * that no name reaches the file system unchecked. Names that never become
 * paths (the workflow's, a task's, workflow inputs and outputs) are free:
 * the cache key accepts whatever Flyte accepts.
 */
#include "engine/util.h"

#include <stdio.h>
#include <string.h>

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

bool cachet__path_name_check(const char *name, size_t len, char *why, size_t size)
{
	if (!name || len == 0) {
		snprintf(why, size, "it is empty");
		return false;
	}
	if (name[0] == '.') {
		snprintf(why, size, "it starts with '.'");
		return false;
	}
	/* every byte, so that a NUL (which no file name holds) is refused too */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (name_char((char)c))
			continue;
		if (c >= ' ' && c < 0x7f)
			snprintf(why, size, "it holds '%c'", c);
		else
			snprintf(why, size, "it holds the byte 0x%02x", c);
		return false;
	}
	if (len > CACHET__PATH_NAME_MAX) {
		snprintf(why, size, "it is %zu bytes long", len);
		return false;
	}
	return true;
}

void cachet__name_show(char *out, size_t size, const char *name, size_t len)
{
	const char *s = name ? name : "";
	size_t w = 0;

	for (const char *p = s; p < s + (name ? len : 0); p++) {
		unsigned char c = (unsigned char)*p;
		/* room for "\xNN", "..." and the NUL */
		if (w + 8 > size || p - s >= 60) {
			memcpy(out + w, "...", 3);
			w += 3;
			break;
		}
		if (c < ' ' || c >= 0x7f || c == '\\')
			w += (size_t)snprintf(out + w, size - w, "\\x%02x", c);
		else
			out[w++] = (char)c;
	}
	out[w] = '\0';
}
