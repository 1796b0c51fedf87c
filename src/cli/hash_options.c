/*
 * The options of the commands that hash files (hash_options.h).
 */
#include "hash_options.h"
#include "progress.h"

int hash_common_option(void *payload, int opt, char *arg)
{
	struct hash_common_args *args = payload;

	switch (opt) {
	case HASH_OPT_DIGEST: return cli_parse_digest(args->command, arg, &args->digest);
	case HASH_OPT_NO_STAT_CACHE: args->no_stat_cache = true; return CLI_OK;
	case HASH_OPT_HOME: args->home = arg; return CLI_OK;
	case 'j': return cli_parse_jobs(args->command, arg, &args->threads);
	default: return CLI_OPTION_REFUSED;
	}
}

cachet_stat_cache *hash_common_apply(cachet_hash_options *o, const struct hash_common_args *args,
				     const char *home, const char *doing)
{
	o->digest = args->digest;
	o->threads = args->threads;
	o->progress = cli_progress_update;
	o->stat_cache = args->no_stat_cache ? NULL : cli_open_stat_cache(home, doing);
	return o->stat_cache;
}
