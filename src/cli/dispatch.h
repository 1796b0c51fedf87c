/*
 * Commands with subcommands: `cachet <command>` and `cachet cache
 * <subcommand>` pick what to run from one table, which also writes their
 * help.
 */
#ifndef CACHET_CLI_DISPATCH_H
#define CACHET_CLI_DISPATCH_H

#include "cli.h"

/* A command, and its line in the help. */
struct cli_command {
	const char *name;
	cli_command_fn run;
	const char *summary;
};

struct cli_command_table {
	const char *header; /* the help down to the list of commands */
	const char *footer; /* the help after it */
	int name_width;     /* the column of the names in the list */
	const struct cli_command *commands;
	size_t n_commands;
	/* what must hold before any command runs (not for the help);
	 * CLI_OK, else the exit status after its error. NULL: nothing. */
	int (*before)(void);
};

/* What cli_dispatch answers when argv[1] names no command of the table;
 * the caller says so, in its own words. */
enum { CLI_NOT_A_COMMAND = -3 };

/*
 * Run the command argv[1] names, with argv + 1 for its argv. Without a
 * name, the help on stderr and CLI_FAIL; for -h, --help or help, the help
 * on stdout and CLI_OK.
 */
int cli_dispatch(const struct cli_command_table *table, int argc, char **argv);

#endif
