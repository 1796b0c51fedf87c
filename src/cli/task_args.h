/*
 * The task and input options that `cachet key` and `cachet cache
 * get/put/explain` share: which task (--project --domain --name
 * --cache-version, or --task FILE, Flyte's own task file), its interface,
 * its inputs, the inputs left out of the key, and the encoding of the
 * files. A command puts TASK_ARGS_OPTIONS in its getopt_long table, reads
 * its options with task_args_next (which takes the shared ones), ends with
 * task_args_finish, then loads the files and computes the key with
 * task_args_load.
 */
#ifndef CACHET_CLI_TASK_ARGS_H
#define CACHET_CLI_TASK_ARGS_H

#include "cli.h"

#include <getopt.h>

struct task_args {
	const char *project, *domain, *name, *cache_version;
	const char *interface_path, *inputs_path;
	const char *task_path;            /* --task: a TaskTemplate or TaskSpec */
	cachet_task_message task_message; /* --task-format; DETECT by default */
	bool ignore_discoverable;         /* --ignore-discoverable */
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
	TASK_OPT_TASK,
	TASK_OPT_TASK_FORMAT,
	TASK_OPT_IGNORE_DISCOVERABLE,
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
	{"format", required_argument, NULL, TASK_OPT_FORMAT},                              \
	{"task", required_argument, NULL, TASK_OPT_TASK},                                  \
	{"task-format", required_argument, NULL, TASK_OPT_TASK_FORMAT},                    \
	{"ignore-discoverable", no_argument, NULL, TASK_OPT_IGNORE_DISCOVERABLE}

/* The synopsis of the shared options, to follow "usage: cachet <cmd> "
 * (indent: the width of that prefix). */
#define TASK_ARGS_SYNOPSIS(indent)                                                         \
	"--project P --domain D --name NAME --cache-version V\n"                           \
	indent "[--interface FILE] | --task FILE [--task-format template|spec]\n"          \
	indent "[--inputs FILE] [--ignore NAMES]... [--ignore-discoverable]\n"             \
	indent "[--format json|pb]"

/* The usage lines that describe the shared options (after the command's
 * synopsis), for a command's --help. */
#define TASK_ARGS_HELP                                                                     \
	"  --project P, --domain D, --name NAME, --cache-version V\n"                      \
	"                    the task (all four required, unless --task)\n"                \
	"  --interface FILE  the task's TypedInterface (JSON or protobuf, '-' = stdin);\n" \
	"                    left out: an empty interface\n"                               \
	"  --task FILE       the task as Flyte writes it, a TaskTemplate or a TaskSpec\n"  \
	"                    (JSON or protobuf): its id, metadata and interface give\n"    \
	"                    the four options, --interface and the ignore list\n"          \
	"  --task-format M   template or spec, when the bytes do not tell\n"               \
	"  --ignore-discoverable  use a --task whose metadata.discoverable is false\n"     \
	"                    (otherwise reported as not cached, exit 1)\n"                 \
	"  --inputs FILE     the task's inputs as a LiteralMap; left out: no inputs\n"     \
	"  --ignore NAMES    inputs left out of the key: a comma-separated list, every\n"  \
	"                    piece a name ('' is the input named ''); may be repeated\n"   \
	"  --format F        the encoding of the input files (default: detected)\n"

/* Whether c (a getopt_long value) is one of the shared options. */
bool task_args_is_option(int c);

/* Take the shared option c with its argument. Prints the error ("<cmd>:
 * --format must be json or pb, not 'x'") and returns CLI_FAIL for a bad
 * value. */
int task_args_set(struct task_args *ta, const char *cmd, int c, const char *arg);

/* task_args_next's answer when a shared option's value was bad (the error
 * is printed). */
#define TASK_ARGS_FAILED (-2)

/*
 * getopt_long(argc, argv, shortopts, options, idx) until an option that is
 * not a shared one: the shared ones go to task_args_set. Returns the
 * command's own option (getopt_long's value: '?' for an unknown one), -1
 * when the options end, or TASK_ARGS_FAILED.
 */
int task_args_next(struct task_args *ta, const char *cmd, int argc, char **argv,
		   const char *shortopts, const struct option *options, int *idx);

/*
 * After the options: no argument may be left, and task_args_check must
 * pass. Prints the error (and the usage) and returns CLI_FAIL.
 */
int task_args_finish(const struct task_args *ta, const char *cmd, const char *usage, int argc,
		     char **argv, const char *extra_option, const char *extra_path);

/*
 * After parsing: the four task options are required unless --task gives
 * them (and then none of them, nor --interface, may be given), and at most
 * one file may be standard input; extra_option/extra_path name one more
 * file option of the command (e.g. "--outputs", its path; NULL when
 * none). Prints the error (and the usage for a missing option) and returns
 * CLI_FAIL.
 */
int task_args_check(const struct task_args *ta, const char *cmd, const char *usage,
		    const char *extra_option, const char *extra_path);

/* Free what task_args_set allocated. */
void task_args_dispose(struct task_args *ta);

/* The loaded files and the key computed from them. */
struct task_load {
	cachet_interface *iface;     /* NULL when there is none */
	cachet_literal_map *inputs;  /* NULL when --inputs was not given */
	cachet_task_file task;       /* --task's file; zeroed without --task */
	const char **ignore;         /* --task's ignore list, then --ignore's */
	size_t n_ignore;
	cachet_cache_key key;
};

/*
 * Load the task file, the interface and the inputs and compute the cache
 * key. Prints the error naming the file and returns CLI_FAIL; a --task
 * that is not discoverable (without --ignore-discoverable) is reported as
 * not cached and returns CLI_NO. Dispose of out either way.
 */
int task_args_load(struct task_load *out, const struct task_args *ta);
void task_load_dispose(struct task_load *tl);

#endif
