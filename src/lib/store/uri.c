/*
 * Store URIs: "<root>/<key>", the key made of non-empty UTF-8 segments
 * that are not "." or "..". The check runs on every URI before a backend
 * sees it, so no backend can be led outside its root.
 */
#include "store/uri.h"

#include "util/error.h"
#include "util/utf8.h"

#include <string.h>

int cachet__uri_check(const char **key, const char *root, const char *uri,
		      cachet__uri_kind kind)
{
	size_t rlen = strlen(root);
	size_t ulen = strlen(uri);
	const char *k;

	if (key)
		*key = NULL;
	if (!cachet__utf8_valid(uri, ulen, NULL))
		return cachet__error(CACHET_EINVALID, "store URI '%s' is not UTF-8", uri);
	if (strncmp(uri, root, rlen) != 0 || (uri[rlen] != '/' && uri[rlen] != '\0'))
		return cachet__error(CACHET_EINVALID, "store URI '%s' is outside the store '%s'",
				     uri, root);
	k = uri + rlen + (uri[rlen] == '/');
	if (*k == '\0') {
		if (kind == CACHET__URI_PREFIX) {
			if (key)
				*key = k;
			return 0;
		}
		return cachet__error(CACHET_EINVALID,
				     "store URI '%s' names the store's root, not an object", uri);
	}
	for (const char *p = k;;) {
		size_t n = strcspn(p, "/");
		bool last = p[n] == '\0';
		/* A prefix may end in '/' (an empty last segment) and its
		 * last segment may be partial; ".." never passes. */
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return cachet__error(CACHET_EINVALID, "store URI '%s' has a '..' segment",
					     uri);
		if (n == 1 && p[0] == '.')
			return cachet__error(CACHET_EINVALID, "store URI '%s' has a '.' segment",
					     uri);
		if (n == 0) {
			if (!last)
				return cachet__error(CACHET_EINVALID,
						     "store URI '%s' has an empty segment", uri);
			if (kind == CACHET__URI_OBJECT)
				return cachet__error(CACHET_EINVALID,
						     "store URI '%s' ends in '/': it names a "
						     "prefix, not an object",
						     uri);
		}
		if (last)
			break;
		p += n + 1;
	}
	if (key)
		*key = k;
	return 0;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool cachet__is_temp_name(const char *name, size_t len)
{
	static const char mark[] = ".tmp-";
	const size_t tail = sizeof mark - 1 + CACHET__TEMP_HEX;

	/* "." + at least one character + ".tmp-" + hex */
	if (len < 2 + tail || name[0] != '.')
		return false;
	if (memcmp(name + len - tail, mark, sizeof mark - 1) != 0)
		return false;
	for (size_t i = len - CACHET__TEMP_HEX; i < len; i++)
		if (!is_lower_hex(name[i]))
			return false;
	return true;
}
