/*
 * Picking a command or subcommand by name (dispatch.h).
 */
#include "dispatch.h"

#include <string.h>

static void print_help(FILE *out, const struct cli_command_table *table)
{
	fputs(table->header, out);
	for (size_t i = 0; i < table->n_commands; i++)
		fprintf(out, "  %-*s %s\n", table->name_width, table->commands[i].name,
			table->commands[i].summary);
	fputs(table->footer, out);
}

int cli_dispatch(const struct cli_command_table *table, int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		print_help(stderr, table);
		return CLI_FAIL;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_help(stdout, table);
		return CLI_OK;
	}
	if (table->before != NULL && (rc = table->before()) != CLI_OK)
		return rc;
	for (size_t i = 0; i < table->n_commands; i++)
		if (strcmp(argv[1], table->commands[i].name) == 0)
			return table->commands[i].run(argc - 1, argv + 1);
	return CLI_NOT_A_COMMAND;
}
