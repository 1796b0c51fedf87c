/*
 * The shape of a dataset version, "<cache version>-<in8>-<out8>": the
 * cache version, then the first 8 characters of the base64url hashes of
 * the input and the output interface. Those signatures may themselves
 * hold '-', so a version is split by position from its end, never by
 * searching for '-'. Explain splits versions to say what changed; the
 * filter on a cache version matches them (the SQLite backend says the
 * same in SQL: cachet__sql_list_cache_version in sqlite_sql.c).
 */
#include "catalog/backend.h"

#include <string.h>

static bool is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static bool is_signature(const char *s)
{
	for (size_t i = 0; i < CACHET__SIG_LEN; i++)
		if (!is_b64url(s[i]))
			return false;
	return true;
}

bool cachet__dataset_version_split(cachet__version_parts *out, const char *version)
{
	size_t len = strlen(version);
	const size_t tail = 2 * CACHET__SIG_LEN + 2; /* "-" in8 "-" out8 */

	out->cache = version;
	out->cache_len = len;
	out->in8 = out->out8 = NULL;
	if (len < tail || version[len - tail] != '-' || version[len - CACHET__SIG_LEN - 1] != '-' ||
	    !is_signature(version + len - tail + 1) || !is_signature(version + len - CACHET__SIG_LEN))
		return false;
	out->cache_len = len - tail;
	out->in8 = version + len - tail + 1;
	out->out8 = version + len - CACHET__SIG_LEN;
	return true;
}

bool cachet__dataset_version_has_cache_version(const char *version, const char *cache_version)
{
	cachet__version_parts p;

	return cachet__dataset_version_split(&p, version) &&
	       p.cache_len == strlen(cache_version) &&
	       memcmp(p.cache, cache_version, p.cache_len) == 0;
}
