/*
 * Store URIs: one canonical spelling, and "<root>/<key>" with a key made
 * of non-empty UTF-8 segments that are not "." or "..". Every URI is
 * canonicalised and checked before a backend sees it, so no backend can be
 * led outside its root, and the catalog compares canonical texts only.
 */
#include "store/uri.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/utf8.h"

#include <string.h>
#include <strings.h>

/* ---- canonical spelling ---- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte a "%XY" escape at s stands for, or -1 when s is not one. */
static int escaped_byte(const char *s)
{
	if (s[0] != '%' || hex_value(s[1]) < 0 || hex_value(s[2]) < 0)
		return -1;
	return hex_value(s[1]) * 16 + hex_value(s[2]);
}

/* The length of the scheme at the start of uri (RFC 3986: a letter, then
 * letters, digits, '+', '-', '.'), followed by ':'; 0 when it has none. */
static size_t scheme_len(const char *uri)
{
	static const char more[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.";
	size_t n;

	if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
		return 0;
	n = 1 + strspn(uri + 1, more);
	return uri[n] == ':' ? n : 0;
}

/*
 * Check one path segment (seg, n bytes) of a file URI: 0 when it may be
 * kept as it is, 1 when it is "." (dropped), CACHET_EINVALID otherwise.
 */
static int file_segment(const char *uri, const char *seg, size_t n)
{
	size_t decoded = 0, dots = 0;
	bool escaped = false;

	for (size_t i = 0; i < n; decoded++) {
		int b = i + 2 < n ? escaped_byte(seg + i) : -1;
		if (b == '/' || b == 0)
			return cachet__error(CACHET_EINVALID,
					     "store URI '%s' has an encoded %s ('%.3s')", uri,
					     b == '/' ? "'/'" : "NUL", seg + i);
		if (b >= 0) {
			escaped = true;
			i += 3;
		} else {
			b = (unsigned char)seg[i++];
		}
		if (b == '.')
			dots++;
	}
	if (decoded > 2 || dots != decoded)
		return 0;
	if (!escaped && decoded == 1)
		return 1;
	if (!escaped)
		return cachet__error(CACHET_EINVALID, "store URI '%s' has a '..' segment", uri);
	return cachet__error(CACHET_EINVALID, "store URI '%s' has an encoded '%s' segment", uri,
			     decoded == 1 ? "." : "..");
}

static int file_canonical(cachet_buf *b, const char *uri, const char *rest,
			  cachet__uri_kind kind)
{
	const char *path = rest;
	bool dir_end = false;
	int rc;

	/* rest follows "file:": "//<host>/<path>" or "/<path>" */
	if (rest[0] == '/' && rest[1] == '/') {
		const char *host = rest + 2;
		size_t hlen = strcspn(host, "/");
		if (hlen != 0 && !(hlen == 9 && strncasecmp(host, "localhost", 9) == 0))
			return cachet__error(CACHET_EINVALID,
					     "store URI '%s' names the host '%.*s': a file URI must "
					     "be local",
					     uri, (int)hlen, host);
		path = host + hlen;
	}
	if (path[0] != '/')
		return cachet__error(CACHET_EINVALID, "store URI '%s' has no absolute path", uri);
	if ((rc = cachet__buf_puts(b, "file://")) < 0)
		return rc;
	for (const char *p = path + 1;;) {
		size_t n = strcspn(p, "/");
		bool last = p[n] == '\0';
		if (n == 0) {
			dir_end = true;
		} else if ((rc = file_segment(uri, p, n)) == 1) {
			dir_end = true;
		} else if (rc < 0) {
			return rc;
		} else {
			dir_end = false;
			if ((rc = cachet__buf_putc(b, '/')) < 0 || (rc = cachet__buf_put(b, p, n)) < 0)
				return rc;
		}
		if (last)
			break;
		p += n + 1;
	}
	if (b->len == strlen("file://")) /* the filesystem's root */
		return cachet__buf_putc(b, '/');
	if (!dir_end)
		return 0;
	if (kind == CACHET__URI_OBJECT)
		return cachet__error(CACHET_EINVALID,
				     "store URI '%s' ends in '/': it names a prefix, not an object",
				     uri);
	return kind == CACHET__URI_PREFIX ? cachet__buf_putc(b, '/') : 0;
}

int cachet__uri_canonical(char **out, const char *uri, cachet__uri_kind kind)
{
	cachet_buf b = CACHET_BUF_INIT;
	size_t slen = scheme_len(uri);
	int rc;

	*out = NULL;
	if (!cachet__utf8_valid(uri, strlen(uri), NULL))
		return cachet__error(CACHET_EINVALID, "store URI '%s' is not UTF-8", uri);
	if (slen == 4 && strncasecmp(uri, "file", 4) == 0)
		rc = file_canonical(&b, uri, uri + 5, kind);
	else
		rc = cachet__buf_puts(&b, uri);
	if (rc == 0 && (*out = cachet__buf_detach(&b, NULL)) == NULL)
		rc = CACHET_ENOMEM;
	cachet__buf_dispose(&b);
	return rc;
}

/* ---- checking against the root ---- */

static int check(const char **key, const char *root, const char *uri, const char *shown,
		 cachet__uri_kind kind)
{
	size_t rlen = strlen(root);
	const char *k;

	if (key)
		*key = NULL;
	if (!cachet__utf8_valid(uri, strlen(uri), NULL))
		return cachet__error(CACHET_EINVALID, "store URI '%s' is not UTF-8", shown);
	if (strncmp(uri, root, rlen) != 0 || (uri[rlen] != '/' && uri[rlen] != '\0'))
		return cachet__error(CACHET_EINVALID, "store URI '%s' is outside the store '%s'",
				     shown, root);
	k = uri + rlen + (uri[rlen] == '/');
	if (*k == '\0') {
		if (kind == CACHET__URI_PREFIX) {
			if (key)
				*key = k;
			return 0;
		}
		return cachet__error(CACHET_EINVALID,
				     "store URI '%s' names the store's root, not an object", shown);
	}
	for (const char *p = k;;) {
		size_t n = strcspn(p, "/");
		bool last = p[n] == '\0';
		/* A prefix may end in '/' (an empty last segment) and its
		 * last segment may be partial; ".." never passes. */
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return cachet__error(CACHET_EINVALID, "store URI '%s' has a '..' segment",
					     shown);
		if (n == 1 && p[0] == '.')
			return cachet__error(CACHET_EINVALID, "store URI '%s' has a '.' segment",
					     shown);
		if (n == 0) {
			if (!last)
				return cachet__error(CACHET_EINVALID,
						     "store URI '%s' has an empty segment", shown);
			if (kind != CACHET__URI_PREFIX)
				return cachet__error(CACHET_EINVALID,
						     "store URI '%s' ends in '/': it names a "
						     "prefix, not an object",
						     shown);
		}
		if (last)
			break;
		p += n + 1;
	}
	if (key)
		*key = k;
	return 0;
}

int cachet__uri_check(const char **key, const char *root, const char *uri,
		      cachet__uri_kind kind)
{
	return check(key, root, uri, uri, kind);
}

/* Whether a file URI that passed check() is canonical: no escape that
 * the canonical spelling refuses. */
static bool escapes_fine(const char *uri)
{
	if (strchr(uri, '%') == NULL)
		return true;
	for (const char *p = strchr(uri + strlen("file://"), '/') + 1;;) {
		size_t n = strcspn(p, "/");
		if (n > 0 && file_segment(uri, p, n) != 0)
			return false;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

int cachet__uri_in_store(char **out, const char *root, const char *uri, cachet__uri_kind kind)
{
	bool file = scheme_len(uri) == 4 && strncasecmp(uri, "file", 4) == 0;
	int rc;

	*out = NULL;
	/* The common case, which allocates nothing: canonical already. */
	if (check(NULL, root, uri, uri, kind) == 0 && (!file || escapes_fine(uri)))
		return 0;
	/* The canonical spelling of an object is checked as a prefix, so that
	 * check() can tell the root from a prefix by their final '/'. */
	rc = cachet__uri_canonical(out, uri, kind == CACHET__URI_OBJECT ? CACHET__URI_PREFIX : kind);
	if (rc == 0)
		rc = check(NULL, root, *out, uri, kind);
	if (rc < 0) {
		cachet__free(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- temporary names ---- */

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
