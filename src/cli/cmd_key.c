/*
 * cachet key: print a task's cache key, computed as Flyte's backend does.
 */
#include "cli.h"
#include "task_args.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cachet key " TASK_ARGS_SYNOPSIS("                 ") " [--json]\n"
	"\n"
	"Prints the task's cache key: its dataset and its tag.\n"
	"\n" TASK_ARGS_HELP
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
	int c;

	opterr = 0;
	optind = 1;
	while ((c = task_args_next(&args->task, "key", argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: args->json = true; break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		case TASK_ARGS_FAILED: return CLI_FAIL;
		default:
			cli_error("key: unknown or incomplete option '%s'", argv[optind - 1]);
			return cli_usage(usage);
		}
	}
	return task_args_finish(&args->task, "key", usage, argc, argv, NULL, NULL);
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
