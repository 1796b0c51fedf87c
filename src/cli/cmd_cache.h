/*
 * Shared by `cachet cache <subcommand>` (cmd_cache*.c) and `cachet
 * metrics`: opening the catalog of the cachet home, the options every
 * subcommand takes, and the units (durations, sizes, times) they read and
 * print.
 */
#ifndef CACHET_CLI_CMD_CACHE_H
#define CACHET_CLI_CMD_CACHE_H

#include "cli.h"

#include <getopt.h>
#include <jansson.h>

/* getopt_long values of the options every subcommand takes. */
enum {
	CACHE_OPT_HOME = 0x2000,
	CACHE_OPT_JSON,
	CACHE_OPT_FIRST_ /* a subcommand's own options start here */
};

#define CACHE_COMMON_OPTIONS                                                               \
	{"home", required_argument, NULL, CACHE_OPT_HOME},                                 \
	{"json", no_argument, NULL, CACHE_OPT_JSON},                                       \
	{"help", no_argument, NULL, 'h'}

/* What CACHE_COMMON_OPTIONS set. */
struct cache_common_args {
	const char *home; /* --home, NULL for the default home */
	bool json;        /* --json */
};

/* The option handler (options.h) of CACHE_COMMON_OPTIONS: args is a
 * struct cache_common_args; CLI_OPTION_REFUSED for any other option. A
 * subcommand's own handler ends in it. */
int cache_common_option(void *args, int opt, char *arg);

#define CACHE_HOME_HELP                                                                    \
	"  --home DIR        the cachet home, which holds catalog.db and the store\n"      \
	"                    (default: $CACHET_HOME, else ${XDG_CACHE_HOME:-~/.cache}/cachet)\n"

/* The subcommands (cmd_cache_<group>.c). argv[0] is the subcommand. */
int cache_get(int argc, char **argv);
int cache_put(int argc, char **argv);
int cache_explain(int argc, char **argv);
int cache_ls(int argc, char **argv);
int cache_show(int argc, char **argv);
int cache_evict(int argc, char **argv);
int cache_gc(int argc, char **argv);
int cache_stats(int argc, char **argv);

/* How a subcommand uses the catalog. */
enum cache_access {
	/* Read only, no store. A home without a catalog reads as an empty
	 * catalog, and nothing is created. */
	CACHE_READ,
	/* Read only, with the store to check outputs against (explain). */
	CACHE_READ_STORE,
	/* Read and write, with the store; creates the home and the catalog
	 * when missing. */
	CACHE_WRITE
};

struct cache_ctx {
	char *home; /* the resolved home */
	cachet_store *store;
	cachet_catalog *cat;
};

/* Open the catalog (and the store) of the home (NULL: the default home).
 * Prints the error and returns CLI_FAIL; close ctx either way. */
int cache_open(struct cache_ctx *ctx, const char *home, enum cache_access access);
void cache_close(struct cache_ctx *ctx);

/*
 * A duration: one or more <number><unit> ("90s", "1h30m", "7d", "250ms");
 * units ms, s, m, h, d, w; a bare number is seconds. 0 on success, -1 for
 * anything else (negative, overflowing, unknown unit).
 */
int cache_parse_duration(int64_t *ms, const char *text);
/* A size: a number of bytes with an optional suffix K, M, G, T (powers of
 * 1024, as du and ls -h), optionally followed by "B" or "iB"; "B" alone
 * is bytes. 0 on success, -1 otherwise. */
int cache_parse_size(uint64_t *bytes, const char *text);

/* "2024-05-01T12:00:00Z" (UTC, seconds); "-" for 0. */
void cache_format_time(char out[32], int64_t ms);
/* "2024-05-01T12:00:00.123Z" as a JSON string; null for 0. */
json_t *cache_json_time(int64_t ms);
/* "512 B", "1.5 KiB", "3.0 MiB", ... */
void cache_format_size(char out[32], uint64_t bytes);
/* The task name of a dataset name: "bar" for "flyte_task-bar" (the name
 * itself when it lacks the prefix). */
const char *cache_task_name(const char *dataset_name);
/*
 * The cache version of a dataset version "<cache version>-<in8>-<out8>"
 * into out (a prefix of version, so at most its length + 1 bytes); false
 * when version does not have that shape.
 */
bool cache_version_of(char *out, size_t cap, const char *dataset_version);

/* Print obj as one line of compact JSON on stdout and release it. */
int cache_print_json(json_t *obj);

/* An entry as a JSON object; flags: the CACHET_ENTRY_* it was listed
 * with. With CACHET_ENTRY_INPUTS, "inputs" is an object of input hashes
 * ({} for no inputs) or null when the put recorded none; outputs when
 * loaded and readable. NULL when out of memory. */
json_t *cache_entry_json(const cachet_catalog_entry *e, unsigned flags);
/* A LiteralMap as a JSON value (its protobuf JSON); NULL on failure. */
json_t *cache_literal_map_json(const cachet_literal_map *map);

/*
 * Refuse an option: "<cmd>: unknown or incomplete option '<opt>'" and the
 * usage; returns CLI_FAIL. idx: getopt_long's index of an option it
 * recognised but this subcommand does not take (the name is printed, not
 * its argument); -1 for one getopt_long refused itself.
 */
int cache_bad_option(const char *cmd, const char *usage, const struct option *options, int idx,
		     char **argv);


#endif
