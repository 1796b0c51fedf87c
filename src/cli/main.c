/*
 * cachet: the command-line front end. Dispatches to one cmd_<name>.c per
 * command.
 */
#include "cli.h"
#include "dispatch.h"

#include <string.h>

static const struct cli_command commands[] = {
	{"cache", cmd_cache, "look up, store, list, evict and explain cached outputs"},
	{"catalog", cmd_catalog, "create, migrate or check a catalog by URL"},
	{"graph", cmd_graph, "print a workflow file as a Graphviz graph"},
	{"hash", cmd_hash, "print the content hash of files and directories"},
	{"key", cmd_key, "compute a task's cache key (dataset id and tag)"},
	{"literal", cmd_literal, "convert or show Flyte literal maps and interfaces"},
	{"metrics", cmd_metrics, "print the cache counters for Prometheus"},
	{"offload", cmd_offload, "copy a file or directory into the store, hashed; print its Literal"},
	{"run", cmd_run, "run a workflow file with the cache"},
	{"runs", cmd_runs, "list past runs, or show one"},
	{"store", cmd_store, "list the store, or clean up after interrupted writes"},
};

/* a malformed CACHET_MAX_INPUT is an error before any work, not a
 * surprise halfway through */
static int check_max_input(void)
{
	size_t max_input;

	if (cachet_max_input(&max_input) < 0)
		return cli_lib_error(NULL);
	return CLI_OK;
}

static const struct cli_command_table table = {
	.header = "usage: cachet <command> [options]\n\ncommands:\n",
	.footer = "\nThe commands that use a catalog or a store take --catalog URL (default:\n"
		  "$CACHET_CATALOG, else 'catalog = URL' in the home's config, else the\n"
		  "home's catalog.db) and --store URL (default: $CACHET_STORE, else\n"
		  "'store = URL' in the config, else the home's store/).\n"
		  "Run 'cachet <command> --help' for a command's options.\n",
	.name_width = 10,
	.commands = commands,
	.n_commands = sizeof commands / sizeof commands[0],
	.before = check_max_input,
};

int main(int argc, char **argv)
{
	cachet_set_warning_handler(cli_print_warning, NULL);
	if (cli_take_backend_options(&argc, argv) != CLI_OK)
		return CLI_FAIL;
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
		printf("cachet %s\n", cachet_version());
		return CLI_OK;
	}
	int rc = cli_dispatch(&table, argc, argv);
	if (rc == CLI_NOT_A_COMMAND)
		rc = cli_error("'%s' is not a cachet command; see 'cachet --help'", argv[1]);
	return rc;
}
