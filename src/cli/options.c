/*
 * The one getopt_long loop of every command (options.h).
 */
#include "options.h"

static int refuse(const struct cli_options *spec, int opt, int longindex, char **argv)
{
	/* one getopt_long refused is named as written; one the command
	 * refused by its name alone, not its value */
	if (opt == '?' || opt == ':')
		return cli_usage_error(spec->usage, "%s: unknown or incomplete option '%s'",
				       spec->command, argv[optind - 1]);
	if (longindex >= 0)
		return cli_usage_error(spec->usage, "%s: unknown or incomplete option '--%s'",
				       spec->command, spec->long_options[longindex].name);
	return cli_usage_error(spec->usage, "%s: unknown or incomplete option '-%c'",
			       spec->command, opt);
}

int cli_parse_options(const struct cli_options *spec, int argc, char **argv,
		      cli_option_fn on_option, void *args)
{
	int c, longindex = -1;

	/* messages are ours, not getopt's; a command may be the second one
	 * read in a process (tests), so start from the first argument */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, spec->short_options, spec->long_options,
				&longindex)) != -1) {
		int rc = CLI_OPTION_REFUSED;

		if (c == 'h') {
			fputs(spec->usage, stdout);
			return CLI_HELP;
		}
		if (c != '?' && c != ':')
			rc = on_option(args, c, optarg);
		if (rc == CLI_OPTION_REFUSED)
			return refuse(spec, c, longindex, argv);
		if (rc != CLI_OK)
			return CLI_FAIL;
		longindex = -1;
	}
	return CLI_OK;
}

int cli_no_more_operands(const struct cli_options *spec, int argc, char **argv)
{
	if (optind >= argc)
		return CLI_OK;
	return cli_usage_error(spec->usage, "%s: unexpected argument '%s'", spec->command,
			       argv[optind]);
}
