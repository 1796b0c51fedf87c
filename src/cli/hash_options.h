/*
 * The options of the commands that hash files (`cachet hash`, `cachet
 * offload`): --digest, --no-stat-cache, --home and -j, read and applied
 * alike by both.
 */
#ifndef CACHET_CLI_HASH_OPTIONS_H
#define CACHET_CLI_HASH_OPTIONS_H

#include "options.h"

/* getopt_long values of the hashing options. */
enum {
	HASH_OPT_DIGEST = 0x3000,
	HASH_OPT_NO_STAT_CACHE,
	HASH_OPT_HOME,
	HASH_OPT_FIRST_ /* a command's own options start here */
};

#define HASH_COMMON_OPTIONS                                                                \
	{"digest", required_argument, NULL, HASH_OPT_DIGEST},                              \
	{"no-stat-cache", no_argument, NULL, HASH_OPT_NO_STAT_CACHE},                      \
	{"home", required_argument, NULL, HASH_OPT_HOME},                                  \
	{"jobs", required_argument, NULL, 'j'},                                            \
	{"help", no_argument, NULL, 'h'}

/* What HASH_COMMON_OPTIONS set. Start from HASH_ARGS_INIT(command). */
struct hash_common_args {
	const char *command; /* names the command in messages */
	cachet_digest digest;
	bool no_stat_cache;
	const char *home; /* --home, NULL for the default home */
	unsigned threads; /* -j; 0: one per online core */
};

#define HASH_ARGS_INIT(command) {(command), CACHET_DIGEST_SHA256, false, NULL, 0}

/* The option handler (options.h) of HASH_COMMON_OPTIONS: args is a struct
 * hash_common_args; CLI_OPTION_REFUSED for any other option. */
int hash_common_option(void *args, int opt, char *arg);

/*
 * Set o's digest, threads and progress callback from args, and its stat
 * cache: the one of home (a directory, or NULL for the default) unless
 * --no-stat-cache, or none after a warning that it goes on "<doing>
 * without the stat cache". Returns the stat cache to free.
 */
cachet_stat_cache *hash_common_apply(cachet_hash_options *o, const struct hash_common_args *args,
				     const char *home, const char *doing);

#endif
