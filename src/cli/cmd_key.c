/*
 * cachet key: print a task's cache key, computed as Flyte's backend does.
 */
#include "cli.h"
#include "task_args.h"

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
	struct task_args task;
	bool json;
};

static int parse_args(struct key_args *args, int argc, char **argv)
{
	enum { OPT_JSON = 256 };
	static const struct option options[] = {
		TASK_ARGS_OPTIONS,
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (task_args_is_option(c)) {
			if ((rc = task_args_set(&args->task, "key", c, optarg)) != CLI_OK)
				return rc;
			continue;
		}
		switch (c) {
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
	return task_args_check(&args->task, "key", usage, NULL, NULL);
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
	struct task_load tl = {0};
	int rc = parse_args(&args, argc, argv);

	if (rc != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
		goto done;
	}
	if ((rc = task_args_load(&tl, &args.task)) != CLI_OK)
		goto done;
	rc = print_key(&tl.key, args.json);
done:
	task_load_dispose(&tl);
	task_args_dispose(&args.task);
	return rc;
}
