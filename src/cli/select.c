/*
 * Which catalog and store a command uses: `--catalog URL` (any command,
 * before or after its name), else $CACHET_CATALOG, else the home's
 * config, else the home's SQLite file; `--store URL`, else $CACHET_STORE,
 * else the home's config, else the home's store/.
 * The options are taken out of argv before the command parses its own.
 */
#include "cli.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *catalog_option, *store_option;

/* If argv[*i] is --<name> URL or --<name>=URL, take it into *value. 1 when
 * taken, 0 when argv[*i] is something else, CLI_FAIL without a URL. */
static int take(const char *name, const char **value, int *i, int argc, char **argv)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
		return 0;
	if (a[2 + n] == '=')
		*value = a + 3 + n;
	else if (a[2 + n] != '\0')
		return 0;
	else if (*i + 1 < argc)
		*value = argv[++*i];
	else
		*value = "";
	if (**value == '\0')
		return cli_error("option '--%s' needs a URL", name);
	return 1;
}

int cli_take_backend_options(int *argc, char **argv)
{
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) { /* the rest is operands */
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		int t = take("catalog", &catalog_option, &i, *argc, argv);
		if (t == 0)
			t = take("store", &store_option, &i, *argc, argv);
		if (t == CLI_FAIL)
			return CLI_FAIL;
		if (t == 0)
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return CLI_OK;
}

/* The home's config, read once: a command uses one home. */
static cachet_home_config config;
static bool config_read;

/* option, else $env_name, else the config's (*from_config) for home. */
static int choose(const char **url, const char *option, const char *env_name, const char *home,
		  char *const *from_config)
{
	const char *env = getenv(env_name);
	*url = option ? option : env && *env ? env : NULL;
	if (*url != NULL)
		return CLI_OK;
	if (!config_read) {
		if (cachet_home_config_read(&config, home) < 0)
			return cli_lib_error(NULL); /* its messages quote no value */
		config_read = true;
	}
	*url = *from_config;
	return CLI_OK;
}

int cli_catalog_url(const char **url, const char *home)
{
	return choose(url, catalog_option, "CACHET_CATALOG", home, &config.catalog);
}

int cli_store_url(const char **url, const char *home)
{
	return choose(url, store_option, "CACHET_STORE", home, &config.store);
}

int cli_store_open(cachet_store **out, const char *home)
{
	const char *url;

	*out = NULL;
	if (cli_store_url(&url, home) != CLI_OK)
		return CLI_FAIL;
	int opened = url ? cachet_store_open_url(out, url) : cachet_store_open_home(out, home);
	return opened < 0 ? cli_lib_error(NULL) : CLI_OK;
}

int cli_catalog_open(cachet_catalog **out, const char *home, const cachet_catalog_options *opts)
{
	const char *url;
	char *path = NULL;
	int rc = CLI_OK;

	*out = NULL;
	if (cli_catalog_url(&url, home) != CLI_OK)
		return CLI_FAIL;
	if (url == NULL && cachet_home_catalog_path(&path, home) < 0)
		return cli_lib_error(NULL);
	int opened = url ? cachet_catalog_open_url(out, url, opts)
			 : cachet_catalog_open_sqlite(out, path, opts);
	if (opened < 0)
		rc = cli_lib_error(NULL); /* the library's messages show no password */
	cachet_free(path);
	return rc;
}
