/*
 * cachet cache: the catalog of cached task outputs. Dispatches to one
 * subcommand; opens the catalog (--catalog, $CACHET_CATALOG, the home's
 * config, else the home's catalog.db) for them.
 */
#include "cmd_cache.h"
#include "dispatch.h"
#include "options.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const struct cli_command subcommands[] = {
	{"get", cache_get, "print a task's cached outputs; exit 1 on a miss"},
	{"put", cache_put, "store a task's outputs under its key"},
	{"explain", cache_explain, "say why a task's lookup hits or misses"},
	{"ls", cache_ls, "list the cached entries"},
	{"show", cache_show, "show one entry by tag or artifact id"},
	{"evict", cache_evict, "remove entries by tag, task, age or total size"},
	{"gc", cache_gc, "delete stored data that no entry references"},
	{"stats", cache_stats, "hits, misses and sizes per task"},
};

static const struct cli_command_table table = {
	.header = "usage: cachet cache <subcommand> [options]\n\nsubcommands:\n",
	.footer = "\nEvery subcommand takes --home DIR and --json; run 'cachet cache "
		  "<subcommand> --help' for its options.\n",
	.name_width = 8,
	.commands = subcommands,
	.n_commands = sizeof subcommands / sizeof subcommands[0],
};

int cmd_cache(int argc, char **argv)
{
	int rc = cli_dispatch(&table, argc, argv);

	if (rc == CLI_NOT_A_COMMAND)
		rc = cli_error("cache: '%s' is not a subcommand; see 'cachet cache --help'", argv[1]);
	return rc;
}

int cache_common_option(void *payload, int opt, char *arg)
{
	struct cache_common_args *args = payload;

	switch (opt) {
	case CACHE_OPT_HOME: args->home = arg; return CLI_OK;
	case CACHE_OPT_JSON: args->json = true; return CLI_OK;
	default: return CLI_OPTION_REFUSED;
	}
}

int cache_bad_option(const char *cmd, const char *usage, const struct option *options, int idx,
		     char **argv)
{
	if (idx >= 0)
		cli_error("%s: unknown or incomplete option '--%s'", cmd, options[idx].name);
	else
		cli_error("%s: unknown or incomplete option '%s'", cmd, argv[optind - 1]);
	return cli_usage(usage);
}

int cache_open(struct cache_ctx *ctx, const char *home, enum cache_access access)
{
	cachet_catalog_options opts = CACHET_CATALOG_OPTIONS_INIT;
	char *path = NULL;
	const char *url;
	struct stat st;
	int rc = CLI_FAIL;

	memset(ctx, 0, sizeof *ctx);
	if (cachet_home_resolve(&ctx->home, home) < 0 ||
	    cachet_home_catalog_path(&path, ctx->home) < 0) {
		cli_lib_error(NULL);
		goto done;
	}
	if (cli_catalog_url(&url, ctx->home) != CLI_OK)
		goto done;
	if (url == NULL && access != CACHE_WRITE && stat(path, &st) < 0 &&
	    errno == ENOENT) {
		/* Nothing was ever cached here: answer as an empty catalog
		 * rather than create a home for a question. */
		if (cachet_catalog_open_memory(&ctx->cat, NULL) < 0)
			cli_lib_error(NULL);
		else
			rc = CLI_OK;
		goto done;
	}
	if (access != CACHE_READ && cli_store_open(&ctx->store, ctx->home) != CLI_OK)
		goto done;
	opts.store = ctx->store;
	opts.read_only = access != CACHE_WRITE;
	/* One command is one short process: write its counts when it ends
	 * (cachet_catalog_free flushes), not on a timer. */
	rc = cli_catalog_open(&ctx->cat, ctx->home, &opts);
done:
	cachet_free(path);
	return rc;
}

void cache_close(struct cache_ctx *ctx)
{
	/* The catalog first: it uses the store until it is freed. */
	cachet_catalog_free(ctx->cat);
	cachet_store_free(ctx->store);
	cachet_free(ctx->home);
	memset(ctx, 0, sizeof *ctx);
}
