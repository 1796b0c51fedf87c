/*
 * cachet catalog init|migrate|check [URL]: set up a catalog by URL before
 * machines share it, upgrade its schema, or verify it. URL defaults as
 * for every command (--catalog, $CACHET_CATALOG, the home's catalog.db).
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char usage[] =
	"usage: cachet catalog init|migrate|check [URL] [--home DIR]\n"
	"\n"
	"  init      create the catalog's schema (an empty database gets it on\n"
	"            first use too)\n"
	"  migrate   upgrade an older schema to this cachet's, one transaction\n"
	"            per step\n"
	"  check     verify the schema is this cachet's and the tables read;\n"
	"            changes nothing\n"
	"\n"
	"URL: sqlite:///path/catalog.db, a path, postgres://user@host:port/db?...,\n"
	"or a libpq key=value string (default: --catalog, $CACHET_CATALOG, the\n"
	"home's config, else the home's catalog.db). A password is never printed.\n"
	"  --home DIR   the cachet home (default: $CACHET_HOME, else\n"
	"               ${XDG_CACHE_HOME:-~/.cache}/cachet)\n";

/* What check reads: every table the statistics touch. */
static int read_all(cachet_catalog *cat)
{
	cachet_catalog_stats s = CACHET_CATALOG_STATS_INIT;
	if (cachet_catalog_stats_get(&s, cat) < 0)
		return -1;
	cachet_catalog_stats_dispose(&s);
	return 0;
}

int cmd_catalog(int argc, char **argv)
{
	static const struct option options[] = {
		{"home", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *home_arg = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case 'H': home_arg = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage(usage);
		}
	}
	if (optind >= argc || argc - optind > 2)
		return cli_usage(usage);
	const char *action = argv[optind];
	bool check = strcmp(action, "check") == 0;
	if (!check && strcmp(action, "init") != 0 && strcmp(action, "migrate") != 0)
		return cli_error("catalog: '%s' is not a subcommand (init, migrate, check)", action);
	const char *url = optind + 1 < argc ? argv[optind + 1] : NULL;

	char *home = NULL, *path = NULL, *shown = NULL;
	cachet_catalog *cat = NULL;
	cachet_catalog_options opts = CACHET_CATALOG_OPTIONS_INIT;
	int rc = CLI_FAIL;
	if (url == NULL && cachet_home_resolve(&home, home_arg) < 0) {
		cli_lib_error(NULL);
		goto done;
	}
	if (url == NULL && cli_catalog_url(&url, home) != CLI_OK)
		goto done;
	if (url == NULL && cachet_home_catalog_path(&path, home) < 0) {
		cli_lib_error(NULL);
		goto done;
	}
	if (url == NULL)
		url = path;
	if (cachet_catalog_url_redact(&shown, url) < 0) {
		cli_lib_error(NULL);
		goto done;
	}
	/* Opening read-write creates or migrates; read-only refuses a schema
	 * that is missing or not this cachet's, and changes nothing. */
	opts.read_only = check;
	int opened = path ? cachet_catalog_open_sqlite(&cat, path, &opts)
			  : cachet_catalog_open_url(&cat, url, &opts);
	if (opened < 0 || (check && read_all(cat) < 0)) {
		cli_lib_error(NULL);
		goto done;
	}
	printf("catalog '%s' (%s): %s\n", shown, cachet_catalog_backend_name(cat),
	       check ? "schema current, tables readable" : "schema current");
	rc = CLI_OK;
done:
	cachet_catalog_free(cat);
	cachet_free(shown);
	cachet_free(path);
	cachet_free(home);
	return rc;
}
