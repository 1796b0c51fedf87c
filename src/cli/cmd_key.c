/*
 * cachet key: print a task's cache key, computed as Flyte's backend does.
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cachet key --project P --domain D --name NAME --cache-version V\n"
	"                  [--interface FILE] [--inputs FILE] [--ignore a,b]...\n"
	"                  [--format json|pb] [--json]\n"
	"\n"
	"  --interface FILE  the task's TypedInterface (JSON or protobuf, '-' = stdin);\n"
	"                    left out: an empty interface\n"
	"  --inputs FILE     the task's inputs as a LiteralMap; left out: no inputs\n"
	"  --ignore a,b      inputs left out of the key (may be repeated)\n"
	"  --format F        the encoding of both files (default: detected)\n"
	"  --json            print one JSON object instead of two lines\n";

struct key_args {
	const char *project, *domain, *name, *cache_version;
	const char *interface_path, *inputs_path;
	char **ignore; /* split from every --ignore, owned */
	size_t n_ignore;
	cachet_format format;
	bool json;
};

/* Add the comma-separated names in list to args->ignore. */
static int add_ignored(struct key_args *args, const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		if (n > 0) {
			char **grown = realloc(args->ignore, (args->n_ignore + 1) * sizeof(char *));
			if (grown == NULL)
				return cli_error("out of memory");
			args->ignore = grown;
			if ((grown[args->n_ignore] = strndup(p, n)) == NULL)
				return cli_error("out of memory");
			args->n_ignore++;
		}
		p += n + (p[n] == ',');
	}
	return CLI_OK;
}

static int parse_args(struct key_args *args, int argc, char **argv)
{
	enum { OPT_PROJECT = 256, OPT_DOMAIN, OPT_NAME, OPT_VERSION, OPT_INTERFACE, OPT_INPUTS,
	       OPT_IGNORE, OPT_FORMAT, OPT_JSON };
	static const struct option options[] = {
		{"project", required_argument, NULL, OPT_PROJECT},
		{"domain", required_argument, NULL, OPT_DOMAIN},
		{"name", required_argument, NULL, OPT_NAME},
		{"cache-version", required_argument, NULL, OPT_VERSION},
		{"interface", required_argument, NULL, OPT_INTERFACE},
		{"inputs", required_argument, NULL, OPT_INPUTS},
		{"ignore", required_argument, NULL, OPT_IGNORE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_PROJECT: args->project = optarg; break;
		case OPT_DOMAIN: args->domain = optarg; break;
		case OPT_NAME: args->name = optarg; break;
		case OPT_VERSION: args->cache_version = optarg; break;
		case OPT_INTERFACE: args->interface_path = optarg; break;
		case OPT_INPUTS: args->inputs_path = optarg; break;
		case OPT_IGNORE:
			if ((rc = add_ignored(args, optarg)) != CLI_OK)
				return rc;
			break;
		case OPT_FORMAT:
			if ((int)(args->format = cli_parse_format(optarg)) < 0)
				return cli_error("--format must be json or pb, not '%s'", optarg);
			break;
		case OPT_JSON: args->json = true; break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			cli_error("key: unknown or incomplete option '%s'", argv[optind - 1]);
			return cli_usage(usage);
		}
	}
	if (optind < argc) {
		cli_error("key: unexpected argument '%s'", argv[optind]);
		return cli_usage(usage);
	}
	const char *missing = !args->project ? "--project"
			      : !args->domain ? "--domain"
			      : !args->name ? "--name"
			      : !args->cache_version ? "--cache-version"
						     : NULL;
	if (missing != NULL) {
		cli_error("key: %s is required", missing);
		return cli_usage(usage);
	}
	if (args->interface_path && args->inputs_path && strcmp(args->interface_path, "-") == 0 &&
	    strcmp(args->inputs_path, "-") == 0)
		return cli_error("key: --interface and --inputs cannot both read stdin");
	return CLI_OK;
}

static int print_key(const cachet_cache_key *key, bool as_json)
{
	if (!as_json) {
		printf("dataset  %s/%s/%s/%s\n", key->project, key->domain, key->name, key->version);
		printf("tag      %s\n", key->tag);
		return CLI_OK;
	}
	json_t *obj = json_pack("{s:{s:s, s:s, s:s, s:s}, s:s}", "dataset", "project",
				key->project, "domain", key->domain, "name", key->name, "version",
				key->version, "tag", key->tag);
	char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(obj);
	if (text == NULL)
		return cli_error("cannot format the key as JSON");
	printf("%s\n", text);
	free(text);
	return CLI_OK;
}

int cmd_key(int argc, char **argv)
{
	struct key_args args = {0};
	cachet_interface *iface = NULL;
	cachet_literal_map *inputs = NULL;
	cachet_cache_key key = {0};
	cachet_key_options opts = CACHET_KEY_OPTIONS_INIT;
	int rc = parse_args(&args, argc, argv);

	if (rc != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
		goto done;
	}
	if (args.interface_path &&
	    (rc = cli_load_interface(args.interface_path, args.format, &iface)) != CLI_OK)
		goto done;
	if (args.inputs_path &&
	    (rc = cli_load_literal_map(args.inputs_path, args.format, &inputs)) != CLI_OK)
		goto done;
	opts.ignore = (const char *const *)args.ignore;
	opts.n_ignore = args.n_ignore;
	opts.inputs_label = cli_display_name(args.inputs_path);
	opts.interface_label = cli_display_name(args.interface_path);
	if (cachet_cache_key_compute(&key, args.project, args.domain, args.name,
				     args.cache_version, iface, inputs, &opts) < 0) {
		rc = cli_lib_error(NULL);
		goto done;
	}
	rc = print_key(&key, args.json);
done:
	cachet_cache_key_dispose(&key);
	cachet_literal_map_free(inputs);
	cachet_interface_free(iface);
	for (size_t i = 0; i < args.n_ignore; i++)
		free(args.ignore[i]);
	free(args.ignore);
	return rc;
}
