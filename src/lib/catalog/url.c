/*
 * Catalog URLs: "sqlite:///path", a plain path, "postgres://..." or
 * "postgresql://..." (libpq's URI) and libpq's "key=value ..." string;
 * which backend each names, and the one spelling of a URL that may be
 * shown (the password as "***").
 */
#include "catalog/url.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <string.h>

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether s looks like libpq's "key=value" form: a word, then '='. */
static bool is_conninfo(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	const char *k = s;
	while (isalnum((unsigned char)*s) || *s == '_')
		s++;
	while (isspace((unsigned char)*s))
		s++;
	return s > k && *s == '=';
}

int cachet__catalog_url_parse(cachet__catalog_kind *kind, const char **target, const char *url)
{
	const char *sep = strstr(url, "://");

	if (has_prefix(url, "sqlite://")) {
		*kind = CACHET__CATALOG_SQLITE;
		*target = url + strlen("sqlite://");
	} else if (has_prefix(url, "postgres://") || has_prefix(url, "postgresql://") ||
		   (sep == NULL && is_conninfo(url))) {
		*kind = CACHET__CATALOG_POSTGRES;
		*target = url;
	} else if (sep) {
		char *shown = NULL;
		int rc = cachet__catalog_url_redact(&shown, url);
		if (rc < 0)
			return rc;
		rc = cachet__error(CACHET_EINVALID,
				   "catalog URL '%s': unknown scheme '%.*s' (sqlite, postgres, "
				   "postgresql)",
				   shown, (int)(sep - url), url);
		cachet__free(shown);
		return rc;
	} else {
		*kind = CACHET__CATALOG_SQLITE;
		*target = url;
	}
	if (**target == '\0')
		return cachet__error(CACHET_EINVALID, "catalog URL '%s' names no catalog", url);
	return 0;
}

/* Copy a URI, hiding the password of its user info and of a
 * "password=" parameter. */
static int redact_uri(cachet_buf *b, const char *url)
{
	const char *auth = strstr(url, "://") + 3;
	size_t auth_len = strcspn(auth, "/?#");
	const char *at = NULL;
	for (const char *p = auth; p < auth + auth_len; p++)
		if (*p == '@')
			at = p;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	int rc;
	if (colon) {
		rc = cachet__buf_put(b, url, (size_t)(colon + 1 - url));
		if (rc == 0)
			rc = cachet__buf_puts(b, "***");
		url = at;
	} else {
		rc = cachet__buf_put(b, url, (size_t)(auth + auth_len - url));
		url = auth + auth_len;
	}
	/* the rest: the path, then parameters "k=v" split by '&' */
	while (rc == 0 && *url) {
		size_t n = strcspn(url, "?&");
		rc = cachet__buf_put(b, url, n);
		url += n;
		if (rc < 0 || *url == '\0')
			break;
		rc = cachet__buf_putc(b, *url++);
		if (rc == 0 && has_prefix(url, "password=")) {
			rc = cachet__buf_puts(b, "password=***");
			url += strcspn(url, "&#");
		}
	}
	return rc;
}

/* Copy a "key=value ..." string, hiding the value of password. Values
 * may be quoted ('...', with \' and \\ inside), as libpq reads them. */
static int redact_conninfo(cachet_buf *b, const char *s)
{
	int rc = 0;
	while (rc == 0 && *s) {
		const char *start = s;
		while (isspace((unsigned char)*s))
			s++;
		const char *key = s;
		while (*s && *s != '=' && !isspace((unsigned char)*s))
			s++;
		bool password = (size_t)(s - key) == strlen("password") &&
				strncmp(key, "password", 8) == 0;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '=')
			s++;
		while (isspace((unsigned char)*s))
			s++;
		const char *value = s;
		if (*s == '\'') {
			for (s++; *s && *s != '\''; s++)
				if (*s == '\\' && s[1])
					s++;
			if (*s)
				s++;
		} else {
			while (*s && !isspace((unsigned char)*s))
				s++;
		}
		rc = cachet__buf_put(b, start, (size_t)(value - start));
		if (rc == 0)
			rc = password ? cachet__buf_puts(b, "***")
				      : cachet__buf_put(b, value, (size_t)(s - value));
	}
	return rc;
}

int cachet__catalog_url_redact(char **out, const char *url)
{
	cachet_buf b = CACHET_BUF_INIT;
	int rc;

	*out = NULL;
	if (strstr(url, "://"))
		rc = redact_uri(&b, url);
	else if (is_conninfo(url))
		rc = redact_conninfo(&b, url);
	else
		rc = cachet__buf_puts(&b, url);
	if (rc == 0)
		rc = cachet__buf_grow(&b, 0);
	if (rc < 0) {
		cachet__buf_dispose(&b);
		return rc;
	}
	*out = cachet__buf_detach(&b, NULL);
	return 0;
}

int cachet_catalog_url_redact(char **out, const char *url)
{
	if (out == NULL || url == NULL)
		return cachet__error(CACHET_EINVALID, "redact catalog URL: no %s",
				     out ? "URL" : "output pointer");
	return cachet__catalog_url_redact(out, url);
}
