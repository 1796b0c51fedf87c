/*
 * cachet literal convert|show: move literal maps (and literals, interfaces,
 * types) between Flyte's two encodings, or print them for people.
 */
#include "cli.h"
#include "options.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: cachet literal convert --to json|pb [--from json|pb] [--type T]\n"
	"                              [--pretty] [-o FILE] [FILE|-]\n"
	"       cachet literal show [--from json|pb] [--type map|literal] [FILE|-]\n"
	"\n"
	"  --type T   what the file holds: map (a LiteralMap, the default), literal,\n"
	"             interface (a TypedInterface) or type (a LiteralType)\n"
	"  --from F   the input encoding (default: detected)\n"
	"  --to F     the output encoding\n"
	"  --pretty   indent JSON output\n"
	"  -o FILE    write to FILE (atomically) instead of stdout\n";

struct literal_args {
	int to;                /* cachet_format, or -1 when not given */
	cachet_format from;
	cli_message_type type;
	bool pretty;
	const char *output;
	const char *input;
};

enum { OPT_TO = 256, OPT_FROM, OPT_TYPE, OPT_PRETTY };

static const struct option options[] = {
	{"to", required_argument, NULL, OPT_TO},
	{"from", required_argument, NULL, OPT_FROM},
	{"format", required_argument, NULL, OPT_FROM},
	{"type", required_argument, NULL, OPT_TYPE},
	{"pretty", no_argument, NULL, OPT_PRETTY},
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const struct cli_options spec = {"literal", usage, "ho:", options};

static int on_option(void *payload, int opt, char *arg)
{
	struct literal_args *args = payload;
	int v;

	switch (opt) {
	case OPT_TO:
		if ((args->to = cli_parse_format(arg)) <= 0)
			return cli_error("--to must be json or pb, not '%s'", arg);
		break;
	case OPT_FROM:
		if ((v = cli_parse_format(arg)) < 0)
			return cli_error("--from must be json or pb, not '%s'", arg);
		args->from = (cachet_format)v;
		break;
	case OPT_TYPE:
		if ((v = cli_parse_message_type(arg)) < 0)
			return cli_error("--type must be map, literal, interface or type, not '%s'",
					 arg);
		args->type = (cli_message_type)v;
		break;
	case OPT_PRETTY: args->pretty = true; break;
	case 'o': args->output = arg; break;
	default: return CLI_OPTION_REFUSED;
	}
	return CLI_OK;
}

static int parse_args(struct literal_args *args, int argc, char **argv, bool is_convert)
{
	int rc;

	args->to = -1;
	args->input = "-";
	if ((rc = cli_parse_options(&spec, argc, argv, on_option, args)) != CLI_OK)
		return rc;
	if (argc - optind > 1)
		return cli_usage_error(usage, "literal: more than one input file");
	if (optind < argc)
		args->input = argv[optind];
	if (is_convert && args->to < 0)
		return cli_usage_error(usage, "literal convert: --to json|pb is required");
	if (!is_convert && args->type != CLI_TYPE_MAP && args->type != CLI_TYPE_LITERAL)
		return cli_error("literal show: --type must be map or literal");
	return CLI_OK;
}

/* Decode data as the message type chosen, then encode it again. */
static int transcode(const struct literal_args *args, const char *data, size_t len,
		     char **out, size_t *out_len)
{
	unsigned flags = args->pretty ? CACHET_JSON_PRETTY : 0;
	cachet_format to = (cachet_format)args->to;
	int rc = -1;

	switch (args->type) {
	case CLI_TYPE_MAP: {
		cachet_literal_map *m;
		if (cachet_literal_map_decode(&m, data, len, args->from) == 0) {
			rc = cachet_literal_map_encode(out, out_len, m, to, flags);
			cachet_literal_map_free(m);
		}
		break;
	}
	case CLI_TYPE_LITERAL: {
		cachet_literal *l;
		if (cachet_literal_decode(&l, data, len, args->from) == 0) {
			rc = cachet_literal_encode(out, out_len, l, to, flags);
			cachet_literal_free(l);
		}
		break;
	}
	case CLI_TYPE_INTERFACE: {
		cachet_interface *i;
		if (cachet_interface_decode(&i, data, len, args->from) == 0) {
			rc = cachet_interface_encode(out, out_len, i, to, flags);
			cachet_interface_free(i);
		}
		break;
	}
	case CLI_TYPE_TYPE: {
		cachet_literal_type *t;
		if (cachet_literal_type_decode(&t, data, len, args->from) == 0) {
			rc = cachet_literal_type_encode(out, out_len, t, to, flags);
			cachet_literal_type_free(t);
		}
		break;
	}
	}
	return rc;
}

static int convert(const struct literal_args *args)
{
	char *data = NULL, *out = NULL;
	size_t len, out_len;
	int rc;

	if (args->to == CACHET_FORMAT_PB && args->output == NULL && isatty(STDOUT_FILENO))
		return cli_error("literal convert: refusing to write protobuf bytes to a "
				 "terminal; use -o FILE or a pipe");
	if ((rc = cli_read_file(args->input, &data, &len)) != CLI_OK)
		return rc;
	if (transcode(args, data, len, &out, &out_len) < 0) {
		rc = cli_lib_error(cli_display_name(args->input));
		goto done;
	}
	if (args->to == CACHET_FORMAT_JSON)
		out[out_len++] = '\n'; /* replaces the terminating NUL */
	rc = cli_write_file(args->output, out, out_len);
done:
	cachet_free(out);
	cachet_free(data);
	return rc;
}

static int show(const struct literal_args *args)
{
	char *data = NULL;
	size_t len;
	int rc;

	if ((rc = cli_read_file(args->input, &data, &len)) != CLI_OK)
		return rc;
	if (args->type == CLI_TYPE_LITERAL) {
		cachet_literal *lit;
		if (cachet_literal_decode(&lit, data, len, args->from) < 0) {
			rc = cli_lib_error(cli_display_name(args->input));
		} else {
			rc = cli_show_literal(stdout, lit);
			cachet_literal_free(lit);
		}
	} else {
		cachet_literal_map *map;
		if (cachet_literal_map_decode(&map, data, len, args->from) < 0) {
			rc = cli_lib_error(cli_display_name(args->input));
		} else {
			rc = cli_show_literal_map(stdout, map);
			cachet_literal_map_free(map);
		}
	}
	cachet_free(data);
	return rc;
}

int cmd_literal(int argc, char **argv)
{
	struct literal_args args = {0};
	bool is_convert;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_FAIL : CLI_OK;
	}
	if (strcmp(argv[1], "convert") != 0 && strcmp(argv[1], "show") != 0)
		return cli_usage_error(usage, "literal: unknown subcommand '%s'", argv[1]);
	is_convert = strcmp(argv[1], "convert") == 0;
	rc = parse_args(&args, argc - 1, argv + 1, is_convert);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	return is_convert ? convert(&args) : show(&args);
}
