/*
 * cachet cache get / put: the catalog as any orchestrator's cache. get
 * prints a task's cached outputs and exits 0 on a hit, 1 on a miss; put
 * stores the outputs of a run under the task's key.
 */
#include "cmd_cache.h"
#include "task_args.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TASK_SYNOPSIS                                                                      \
	TASK_ARGS_SYNOPSIS("                        ") " [--home DIR] [--json]\n"

static const char get_usage[] =
	"usage: cachet cache get " TASK_SYNOPSIS
	"                        [--max-age DURATION] [--to json|pb] [-o FILE] [-q]\n"
	"\n"
	"Prints the task's cached outputs (a LiteralMap) and exits 0 on a hit; on a\n"
	"miss prints nothing, says why on stderr and exits 1. A lookup failure (an\n"
	"entry that does not fit --interface, or cannot be read) is a miss too:\n"
	"run the task. Exit 2: the lookup could not be made (options, files, home).\n"
	"\n" TASK_ARGS_HELP
	"  --max-age D       entries older than D miss (e.g. 90s, 12h, 7d, 1h30m)\n"
	"  --to F            print the outputs as protobuf JSON (default) or pb\n"
	"  -o FILE           write the outputs to FILE (atomically; untouched on a miss)\n"
	"  -q, --quiet       say nothing on stderr about a miss\n"
	"  --json            print {\"status\", \"reason\", \"message\", ..., \"outputs\"}\n"
	"                    (outputs left out with -o)\n" CACHE_HOME_HELP;

static const char put_usage[] =
	"usage: cachet cache put " TASK_SYNOPSIS
	"                        --outputs FILE [--overwrite] [--task-version V]\n"
	"\n"
	"Stores the outputs of a run under the task's key. An entry already there\n"
	"is kept (exit 0) unless --overwrite. With --interface, the outputs must\n"
	"fit its outputs. Offloaded outputs must be in the store of the home.\n"
	"Exit 2 when the outputs could not be stored.\n"
	"\n" TASK_ARGS_HELP
	"  --outputs FILE    the run's outputs, a LiteralMap (JSON or protobuf, '-' = stdin)\n"
	"  --overwrite       replace an existing entry\n"
	"  --task-version V  the task's code version, kept with the dataset\n"
	"  --json            print {\"status\", \"artifact_id\", \"created\", \"replaced\", ...}\n"
	CACHE_HOME_HELP;

struct lookup_args {
	struct task_args task;
	const char *home;
	bool json, quiet, overwrite;
	int64_t max_age_ms;
	cachet_format to;
	const char *output;       /* get -o */
	const char *outputs_path; /* put --outputs */
	const char *task_version;
};

enum {
	OPT_MAX_AGE = CACHE_OPT_FIRST_,
	OPT_TO,
	OPT_OUTPUTS,
	OPT_OVERWRITE,
	OPT_TASK_VERSION
};

static int parse_args(struct lookup_args *args, bool put, int argc, char **argv)
{
	static const struct option options[] = {
		TASK_ARGS_OPTIONS,
		CACHE_COMMON_OPTIONS,
		{"max-age", required_argument, NULL, OPT_MAX_AGE},
		{"to", required_argument, NULL, OPT_TO},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"outputs", required_argument, NULL, OPT_OUTPUTS},
		{"overwrite", no_argument, NULL, OPT_OVERWRITE},
		{"task-version", required_argument, NULL, OPT_TASK_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = put ? "cache put" : "cache get";
	const char *usage = put ? put_usage : get_usage;
	int c, rc, idx = -1;

	args->to = CACHET_FORMAT_JSON;
	opterr = 0;
	optind = 1;
	while ((c = task_args_next(&args->task, cmd, argc, argv, put ? "h" : "ho:q", options,
				   &idx)) != -1) {
		if (c == TASK_ARGS_FAILED)
			return CLI_FAIL;
		/* Each command takes only its own options of the shared table. */
		bool get_only = c == OPT_MAX_AGE || c == OPT_TO || c == 'o' || c == 'q';
		bool put_only = c == OPT_OUTPUTS || c == OPT_OVERWRITE || c == OPT_TASK_VERSION;
		if ((put && get_only) || (!put && put_only))
			return cache_bad_option(cmd, usage, options, idx, argv);
		idx = -1;
		switch (c) {
		case CACHE_OPT_HOME: args->home = optarg; break;
		case CACHE_OPT_JSON: args->json = true; break;
		case OPT_MAX_AGE:
			if (cache_parse_duration(&args->max_age_ms, optarg) < 0)
				return cli_error("%s: --max-age must be a duration such as 90s, 12h "
						 "or 7d, not '%s'",
						 cmd, optarg);
			break;
		case OPT_TO: {
			int f = cli_parse_format(optarg);
			if (f != CACHET_FORMAT_JSON && f != CACHET_FORMAT_PB)
				return cli_error("%s: --to must be json or pb, not '%s'", cmd, optarg);
			args->to = (cachet_format)f;
			break;
		}
		case 'o': args->output = optarg; break;
		case 'q': args->quiet = true; break;
		case OPT_OUTPUTS: args->outputs_path = optarg; break;
		case OPT_OVERWRITE: args->overwrite = true; break;
		case OPT_TASK_VERSION: args->task_version = optarg; break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default: return cache_bad_option(cmd, usage, options, -1, argv);
		}
	}
	if ((rc = task_args_finish(&args->task, cmd, usage, argc, argv, put ? "--outputs" : NULL,
				   args->outputs_path)) != CLI_OK)
		return rc;
	if (put && args->outputs_path == NULL) {
		cli_error("%s: --outputs is required", cmd);
		return cli_usage(usage);
	}
	if (!put && args->to == CACHET_FORMAT_PB && args->output == NULL) {
		if (args->json)
			return cli_error("%s: --json prints JSON; write protobuf outputs with "
					 "-o FILE",
					 cmd);
		if (isatty(STDOUT_FILENO))
			return cli_error("%s: refusing to write protobuf bytes to a terminal; "
					 "use -o FILE or a pipe",
					 cmd);
	}
	return CLI_OK;
}

/* {"project", "domain", "name", "version"} of a key. */
static json_t *dataset_json(const cachet_cache_key *key)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "project", key->project, "domain", key->domain,
			 "name", key->name, "version", key->version);
}

static int write_outputs(const struct lookup_args *args, const cachet_literal_map *outputs)
{
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (cachet_literal_map_encode(&data, &len, outputs, args->to, 0) < 0)
		return cli_lib_error("cannot encode the cached outputs");
	if (args->to == CACHET_FORMAT_JSON)
		data[len++] = '\n'; /* replaces the terminating NUL */
	rc = cli_write_file(args->output, data, len);
	cachet_free(data);
	return rc;
}

static int print_lookup_json(const struct lookup_args *args, const cachet_cache_key *key,
			     const cachet_lookup_result *res)
{
	json_t *obj = json_pack("{s:s, s:s, s:s?, s:o, s:s, s:s?, s:o}", "status",
				cachet_cache_status_name(res->status), "reason",
				cachet_miss_reason_name(res->reason), "message", res->message,
				"dataset", dataset_json(key), "tag", key->tag, "artifact_id",
				res->artifact_id, "created_at", cache_json_time(res->created_at_ms));

	if (obj != NULL && res->status == CACHET_CACHE_HIT && args->output == NULL &&
	    json_object_set_new(obj, "outputs", cache_literal_map_json(res->outputs)) < 0) {
		json_decref(obj);
		obj = NULL;
	}
	return cache_print_json(obj);
}

int cache_get(int argc, char **argv)
{
	struct lookup_args args = {0};
	struct task_load tl = {0};
	struct cache_ctx ctx = {0};
	cachet_lookup_options lo = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_lookup_result res = CACHET_LOOKUP_RESULT_INIT;
	int rc = parse_args(&args, false, argc, argv);

	if (rc != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
		goto done;
	}
	if ((rc = task_args_load(&tl, &args.task)) != CLI_OK ||
	    (rc = cache_open(&ctx, args.home, CACHE_WRITE)) != CLI_OK)
		goto done;
	lo.max_age_ms = args.max_age_ms;
	lo.iface = tl.iface;
	/*
	 * A failed lookup is still an answer: status LOOKUP_FAILURE with the
	 * reason in the message. Like Flyte, treat it as "run the task": exit
	 * 1, not 2, so that `get || compute` does the right thing.
	 */
	(void)cachet_catalog_lookup(&res, ctx.cat, &tl.key, &lo);
	if (res.status == CACHET_CACHE_HIT) {
		rc = CLI_OK;
		if (args.output != NULL || !args.json)
			rc = write_outputs(&args, res.outputs);
		if (rc == CLI_OK && args.json)
			rc = print_lookup_json(&args, &tl.key, &res);
		goto done;
	}
	rc = CLI_NO;
	if (args.json) {
		if (print_lookup_json(&args, &tl.key, &res) != CLI_OK)
			rc = CLI_FAIL;
	} else if (!args.quiet) {
		fprintf(stderr, "cachet: %s (%s): %s\n",
			res.status == CACHET_CACHE_MISS ? "miss" : "lookup failure",
			cachet_miss_reason_name(res.reason), res.message ? res.message : "");
	}
done:
	cachet_lookup_result_dispose(&res);
	cache_close(&ctx);
	task_load_dispose(&tl);
	task_args_dispose(&args.task);
	return rc;
}

static int print_put(const struct lookup_args *args, const cachet_cache_key *key,
		     const cachet_put_result *res)
{
	const char *what = res->status != CACHET_CACHE_POPULATED ? "failed"
			   : !res->created			  ? "exists"
			   : res->replaced			  ? "replaced"
								  : "populated";

	if (args->json) {
		json_t *obj = json_pack("{s:s, s:s?, s:s?, s:b, s:b, s:o, s:s}", "status",
					cachet_cache_status_name(res->status), "message",
					res->message, "artifact_id", res->artifact_id, "created",
					res->created, "replaced", res->replaced, "dataset",
					dataset_json(key), "tag", key->tag);
		if (cache_print_json(obj) != CLI_OK)
			return CLI_FAIL;
	} else if (res->status == CACHET_CACHE_POPULATED) {
		printf("%-9s  %s\n", what, res->artifact_id);
	}
	if (res->status != CACHET_CACHE_POPULATED)
		return cli_error("cannot put the outputs: %s",
				 res->message ? res->message : cachet_error_last()->message);
	if (!res->created)
		fprintf(stderr, "cachet: an entry exists already under this key; kept it "
				"(--overwrite replaces it)\n");
	return CLI_OK;
}

int cache_put(int argc, char **argv)
{
	struct lookup_args args = {0};
	struct task_load tl = {0};
	struct cache_ctx ctx = {0};
	cachet_literal_map *outputs = NULL, *empty = NULL;
	cachet_put_options po = CACHET_PUT_OPTIONS_INIT;
	cachet_put_result res = CACHET_PUT_RESULT_INIT;
	int rc = parse_args(&args, true, argc, argv);

	if (rc != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
		goto done;
	}
	if ((rc = task_args_load(&tl, &args.task)) != CLI_OK ||
	    (rc = cli_load_literal_map(args.outputs_path, args.task.format, &outputs)) != CLI_OK ||
	    (rc = cache_open(&ctx, args.home, CACHE_WRITE)) != CLI_OK)
		goto done;
	/* No --inputs is no inputs, as for the key: record that (an empty
	 * map) rather than nothing, so that explain can compare. */
	if (tl.inputs == NULL && cachet_literal_map_new(&empty) < 0) {
		rc = cli_lib_error(NULL);
		goto done;
	}
	po.overwrite = args.overwrite;
	po.task_version = args.task_version;
	/* The input hashes are recorded so that `cache explain` can say
	 * later which input made a lookup miss. */
	po.inputs = tl.inputs ? tl.inputs : empty;
	po.ignore = tl.ignore;
	po.n_ignore = tl.n_ignore;
	/* With --interface, outputs that do not fit it are refused now,
	 * rather than stored to fail every later lookup. Without it the
	 * interface is empty, and only the key says so: no check. */
	po.iface = tl.iface;
	(void)cachet_catalog_put(&res, ctx.cat, &tl.key, outputs, &po);
	rc = print_put(&args, &tl.key, &res);
done:
	cachet_put_result_dispose(&res);
	cache_close(&ctx);
	cachet_literal_map_free(outputs);
	cachet_literal_map_free(empty);
	task_load_dispose(&tl);
	task_args_dispose(&args.task);
	return rc;
}
