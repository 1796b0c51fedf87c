/*
 * Internal: catalog URLs (url.c): which backend a URL names, and its
 * spelling with the password hidden, the only one ever shown.
 */
#ifndef CACHET_CATALOG_URL_H
#define CACHET_CATALOG_URL_H

#include "cachet/catalog.h"

typedef enum cachet__catalog_kind {
	CACHET__CATALOG_SQLITE,
	CACHET__CATALOG_POSTGRES
} cachet__catalog_kind;

/* What url names: the backend, and in *target the path (SQLite) or the
 * libpq connection string (PostgreSQL), a pointer into url.
 * CACHET_EINVALID (with the URL redacted) for an unknown scheme or an
 * empty target. */
int cachet__catalog_url_parse(cachet__catalog_kind *kind, const char **target, const char *url);

/* url with any password replaced by "***" (a new string). */
int cachet__catalog_url_redact(char **out, const char *url);

#endif
