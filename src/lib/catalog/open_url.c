/*
 * Opening a catalog by URL (url.c says which backend a URL names), and
 * the PostgreSQL backend's opener.
 */
#include "catalog/backend.h"
#include "catalog/url.h"
#include "util/error.h"
#include "util/version.h"

int cachet_catalog_open_postgres(cachet_catalog **out, const char *conninfo,
				 const cachet_catalog_options *opts)
{
	cachet_catalog_backend *b;

	if (out == NULL || conninfo == NULL)
		return cachet__error(CACHET_EINVALID, "open catalog: no %s",
				     out ? "connection string" : "output pointer");
	*out = NULL;
	int rc = opts ? cachet__check_version(opts->version, CACHET_CATALOG_OPTIONS_VERSION,
					      "catalog options")
		      : 0;
	if (rc == 0)
		rc = cachet__catalog_postgres_new(&b, conninfo, opts && opts->read_only);
	return rc < 0 ? rc : cachet_catalog_open_backend(out, b, opts);
}

int cachet_catalog_open_url(cachet_catalog **out, const char *url,
			    const cachet_catalog_options *opts)
{
	cachet__catalog_kind kind;
	const char *target;

	if (out == NULL || url == NULL)
		return cachet__error(CACHET_EINVALID, "open catalog: no %s",
				     out ? "URL" : "output pointer");
	*out = NULL;
	int rc = cachet__catalog_url_parse(&kind, &target, url);
	if (rc < 0)
		return rc;
	return kind == CACHET__CATALOG_POSTGRES ? cachet_catalog_open_postgres(out, target, opts)
						: cachet_catalog_open_sqlite(out, target, opts);
}
