/*
 * The task and input options that `cachet key` and `cachet cache
 * get/put/explain` share: which task (--project --domain --name
 * --cache-version), its interface, its inputs, the inputs left out of the
 * key, and the encoding of the files. A command puts TASK_ARGS_OPTIONS in
 * its getopt_long table, hands the options it does not know itself to
 * task_args_set, checks with task_args_check, then loads the files and
 * computes the key with task_args_load.
 */
#ifndef CACHET_CLI_TASK_ARGS_H
#define CACHET_CLI_TASK_ARGS_H

#include "cli.h"

#include <getopt.h>

struct task_args {
	const char *project, *domain, *name, *cache_version;
	const char *interface_path, *inputs_path;
	char **ignore; /* split from every --ignore, owned */
	size_t n_ignore;
	cachet_format format;
};

/* getopt_long values of the shared options, above any a command uses. */
enum {
	TASK_OPT_PROJECT = 0x1000,
	TASK_OPT_DOMAIN,
	TASK_OPT_NAME,
	TASK_OPT_CACHE_VERSION,
	TASK_OPT_INTERFACE,
	TASK_OPT_INPUTS,
	TASK_OPT_IGNORE,
	TASK_OPT_FORMAT,
	TASK_OPT_END_ /* one past the last */
};

#define TASK_ARGS_OPTIONS                                                                  \
	{"project", required_argument, NULL, TASK_OPT_PROJECT},                            \
	{"domain", required_argument, NULL, TASK_OPT_DOMAIN},                              \
	{"name", required_argument, NULL, TASK_OPT_NAME},                                  \
	{"cache-version", required_argument, NULL, TASK_OPT_CACHE_VERSION},                \
	{"interface", required_argument, NULL, TASK_OPT_INTERFACE},                        \
	{"inputs", required_argument, NULL, TASK_OPT_INPUTS},                              \
	{"ignore", required_argument, NULL, TASK_OPT_IGNORE},                              \
	{"format", required_argument, NULL, TASK_OPT_FORMAT}

/* The usage lines that describe the shared options (after the command's
 * synopsis), for a command's --help. */
#define TASK_ARGS_HELP                                                                     \
	"  --project P, --domain D, --name NAME, --cache-version V\n"                      \
	"                    the task (all four required)\n"                               \
	"  --interface FILE  the task's TypedInterface (JSON or protobuf, '-' = stdin);\n" \
	"                    left out: an empty interface\n"                               \
	"  --inputs FILE     the task's inputs as a LiteralMap; left out: no inputs\n"     \
	"  --ignore a,b      inputs left out of the key (may be repeated)\n"               \
	"  --format F        the encoding of the input files (default: detected)\n"

/* Whether c (a getopt_long value) is one of the shared options. */
bool task_args_is_option(int c);

/* Take the shared option c with its argument. Prints the error ("<cmd>:
 * --format must be json or pb, not 'x'") and returns CLI_FAIL for a bad
 * value. */
int task_args_set(struct task_args *ta, const char *cmd, int c, const char *arg);

/*
 * After parsing: the four task options are required, and at most one file
 * may be standard input; extra_option/extra_path name one more file option
 * of the command (e.g. "--outputs", its path; NULL when none). Prints the
 * error (and the usage for a missing option) and returns CLI_FAIL.
 */
int task_args_check(const struct task_args *ta, const char *cmd, const char *usage,
		    const char *extra_option, const char *extra_path);

/* Free what task_args_set allocated. */
void task_args_dispose(struct task_args *ta);

/* The loaded files and the key computed from them. */
struct task_load {
	cachet_interface *iface;     /* NULL when --interface was not given */
	cachet_literal_map *inputs;  /* NULL when --inputs was not given */
	cachet_cache_key key;
};

/* Load the interface and the inputs and compute the cache key. Prints the
 * error naming the file and returns CLI_FAIL. Dispose of out either way. */
int task_args_load(struct task_load *out, const struct task_args *ta);
void task_load_dispose(struct task_load *tl);

#endif
