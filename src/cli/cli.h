/*
 * Shared pieces of the cachet command-line tool. Every command lives in its
 * own cmd_<name>.c and uses only the public libcachet API.
 */
#ifndef CACHET_CLI_H
#define CACHET_CLI_H

#include <cachet.h>

#include <stdio.h>

/* Exit statuses, like grep's: 0 yes, 1 no (a cache miss), 2 trouble. */
enum {
	CLI_OK = 0,
	CLI_NO = 1,
	CLI_FAIL = 2,
	/* not an exit status: a command answered --help; it exits CLI_OK */
	CLI_HELP = -1
};

/* A command: argv[0] is the command's name. Returns an exit status. */
typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_cache(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_literal(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_offload(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_store(int argc, char **argv);

int cmd_catalog(int argc, char **argv);

/* ---- select.c: which catalog and store a command uses ---- */

/* Take `--catalog URL` and `--store URL` (or --x=URL) out of argv (up to
 * a "--"), for every command. Prints the error and returns CLI_FAIL when
 * one has no URL. */
int cli_take_backend_options(int *argc, char **argv);
/* Into *url, the catalog URL: --catalog, else $CACHET_CATALOG, else the
 * config of home (a resolved home); NULL: the home's SQLite catalog.
 * Prints the error and returns CLI_FAIL when the config cannot be read. */
int cli_catalog_url(const char **url, const char *home);
/* The store URL the same way: --store, else $CACHET_STORE, else the
 * config; NULL: the home's store/. */
int cli_store_url(const char **url, const char *home);
/* Open that store: file:///path or an absolute path, else the home's
 * (home: a resolved home). Prints the error and returns CLI_FAIL. */
int cli_store_open(cachet_store **out, const char *home);
/* Open that catalog (for home, a resolved home). Prints the error and
 * returns CLI_FAIL. */
int cli_catalog_open(cachet_catalog **out, const char *home, const cachet_catalog_options *opts);

/* strerror, safe in threads: the text for err in a per-thread buffer,
 * valid until the next call on this thread. */
const char *cli_strerror(int err);

/* Print "cachet: <message>" on stderr; returns CLI_FAIL. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "cachet: <prefix>: <libcachet's last error>"; returns CLI_FAIL. */
int cli_lib_error(const char *prefix);
/* Print a usage message on stderr; returns CLI_FAIL. */
int cli_usage(const char *usage);
/* Print "cachet: <message>", then the usage, on stderr; returns CLI_FAIL. */
int cli_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* How to name a path in messages: "<stdin>" for "-". NULL stays NULL. */
const char *cli_display_name(const char *path);

/* Read a whole file ("-" = stdin) into *data (free with cachet_free()),
 * within the input limit (cachet_max_input). On failure prints the error
 * naming the path and returns CLI_FAIL. */
int cli_read_file(const char *path, char **data, size_t *len);
/*
 * Write data to path ("-" or NULL = stdout). A file is written to a
 * temporary name and renamed into place, so a failure leaves no partial
 * file. Prints the error and returns CLI_FAIL on failure.
 */
int cli_write_file(const char *path, const void *data, size_t len);

/* Load a workflow file, printing every problem on its own line as
 * "cachet: <where>: <what>" (where: the path when the problem has no
 * place of its own); CLI_FAIL then. */
int cli_load_workflow(cachet_workflow **wf, const char *path);

/* The warning handler of the whole tool: "cachet: warning: <message>". */
void cli_print_warning(const char *message, void *payload);

/* The largest -j any command takes. */
#define CLI_JOBS_MAX 1024

/*
 * Parse -j's value, the one rule of every command that takes -j: a whole
 * number from 1 to CLI_JOBS_MAX (without -j, a command uses one per
 * online core). Prints the error naming command and returns CLI_FAIL when
 * text is not such a number.
 */
int cli_parse_jobs(const char *command, const char *text, unsigned *out);

/* Parse --digest's value, "sha256" or "xxh128", for every command that
 * takes it; prints the error naming command and returns CLI_FAIL. */
int cli_parse_digest(const char *command, const char *text, cachet_digest *out);

/*
 * The stat cache of the cachet home (home_dir, else $CACHET_HOME, ...), or
 * NULL after a warning "...; <doing> without the stat cache" when there is
 * none to be had: the work goes on, only without skipping unchanged files.
 */
cachet_stat_cache *cli_open_stat_cache(const char *home_dir, const char *doing);

/* Parse "json" / "pb" (or "auto"); -1 for anything else. */
int cli_parse_format(const char *text);

/* The kinds of message `cachet literal` handles. */
typedef enum cli_message_type {
	CLI_TYPE_MAP,       /* LiteralMap (the default) */
	CLI_TYPE_LITERAL,   /* Literal */
	CLI_TYPE_INTERFACE, /* TypedInterface */
	CLI_TYPE_TYPE       /* LiteralType */
} cli_message_type;

/* Parse "map" / "literal" / "interface" / "type"; -1 for anything else. */
int cli_parse_message_type(const char *text);

/* Load a file ("-" = stdin) as a LiteralMap or a TypedInterface. Errors are
 * printed as "cachet: <path>: <where>: <what>". */
int cli_load_literal_map(const char *path, cachet_format format, cachet_literal_map **out);
int cli_load_interface(const char *path, cachet_format format, cachet_interface **out);

/* Print a LiteralMap in the short human form of `cachet literal show`. */
int cli_show_literal_map(FILE *out, const cachet_literal_map *map);
int cli_show_literal(FILE *out, const cachet_literal *lit);

#endif
