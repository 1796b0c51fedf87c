/*
 * Reading a command's options: the one getopt_long loop of every command,
 * so that -h, an unknown option, a missing value and a stray argument are
 * answered alike everywhere. A command keeps only what is its own: the
 * table of its options and what each one sets.
 */
#ifndef CACHET_CLI_OPTIONS_H
#define CACHET_CLI_OPTIONS_H

#include "cli.h"

#include <getopt.h>

/* A command's options, as getopt_long takes them. */
struct cli_options {
	const char *command;               /* names it in messages: "hash", "cache ls" */
	const char *usage;                 /* printed for -h, and after a usage error */
	const char *short_options;         /* getopt_long's; 'h' is help */
	const struct option *long_options; /* ended by an entry of NULLs */
};

/* An option handler's answer besides CLI_OK and CLI_FAIL (after printing
 * its own error): this command does not take that option. */
enum { CLI_OPTION_REFUSED = -2 };

/* A command's option handler: opt is getopt_long's value for the option,
 * arg its value (NULL when it takes none). */
typedef int (*cli_option_fn)(void *args, int opt, char *arg);

/*
 * Read the options of argv (argv[0] is the command), calling on_option for
 * each but 'h', which prints the usage on stdout. Returns CLI_OK with
 * optind at the first operand; CLI_HELP after the help; CLI_FAIL after an
 * error it printed: on_option's own, or "<command>: unknown or incomplete
 * option '<option>'" and the usage for an option getopt_long refused or
 * on_option answered CLI_OPTION_REFUSED.
 */
int cli_parse_options(const struct cli_options *spec, int argc, char **argv,
		      cli_option_fn on_option, void *args);

/* CLI_OK when argv has no operand left at optind; else "<command>:
 * unexpected argument '<operand>'" and the usage, and CLI_FAIL. */
int cli_no_more_operands(const struct cli_options *spec, int argc, char **argv);

#endif
