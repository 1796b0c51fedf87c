/*
 * cachet runs: the records of past runs (<home>/runs/<id>/run.json).
 *   cachet runs ls [--workflow NAME] [-n N] [--json]
 *   cachet runs show ID [--json]
 */
#include "cli.h"
#include "options.h"
#include "run_report.h"
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
	"usage: cachet runs ls [--workflow NAME] [-n N] [--json] [--home DIR]\n"
	"       cachet runs show ID [--json] [--home DIR]\n"
	"\n"
	"  ls      the runs, newest first: id, workflow, status, start, duration,\n"
	"          nodes, cache hits, failures\n"
	"  show    one run: inputs, every node's status, cache status, key, logs,\n"
	"          outputs; ID may be a unique prefix of a run's id\n"
	"  --workflow NAME  only the runs of that workflow\n"
	"  -n N             at most N runs\n"
	"  --json           JSON instead of text (show: as `cachet run --json`)\n"
	"  --home DIR       the cachet home\n";

struct runs_args {
	const char *workflow, *home, *id;
	size_t limit;
	bool json;
};

enum { OPT_JSON = 256, OPT_HOME, OPT_WORKFLOW };

static const struct option options[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"home", required_argument, NULL, OPT_HOME},
	{"workflow", required_argument, NULL, OPT_WORKFLOW},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int on_ls_option(void *payload, int opt, char *arg)
{
	struct runs_args *a = payload;

	switch (opt) {
	case OPT_WORKFLOW: a->workflow = arg; break;
	case 'n': {
		char *end;
		errno = 0;
		long long n = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno != 0 || n < 1)
			return cli_error("runs ls: -n takes a positive number, not '%s'", arg);
		a->limit = (size_t)n;
		break;
	}
	case OPT_JSON: a->json = true; break;
	case OPT_HOME: a->home = arg; break;
	default: return CLI_OPTION_REFUSED;
	}
	return CLI_OK;
}

/* show takes only --json and --home */
static int on_show_option(void *payload, int opt, char *arg)
{
	if (opt == OPT_WORKFLOW || opt == 'n')
		return CLI_OPTION_REFUSED;
	return on_ls_option(payload, opt, arg);
}

static int parse_args(struct runs_args *a, int argc, char **argv, bool is_show)
{
	const struct cli_options spec = {is_show ? "runs show" : "runs ls", usage, "n:h", options};
	int rc = cli_parse_options(&spec, argc, argv, is_show ? on_show_option : on_ls_option, a);

	if (rc != CLI_OK)
		return rc;
	if (is_show) {
		if (optind >= argc)
			return cli_usage_error(usage, "runs show: which run? (see 'cachet runs ls')");
		a->id = argv[optind++];
	}
	return cli_no_more_operands(&spec, argc, argv);
}

static void node_counts(const cachet_run_record *r, size_t *hits, size_t *failed)
{
	*hits = *failed = 0;
	for (size_t i = 0; i < r->n_nodes; i++) {
		if (r->nodes[i].cache_status == CACHET_CACHE_HIT &&
		    r->nodes[i].status == CACHET_NODE_SUCCEEDED)
			(*hits)++;
		if (r->nodes[i].status == CACHET_NODE_FAILED)
			(*failed)++;
	}
}

static int list_json(const cachet_run_records *list)
{
	json_t *arr = json_array();
	bool ok = arr != NULL;

	for (size_t i = 0; ok && i < list->n; i++) {
		const cachet_run_record *r = &list->items[i];
		size_t hits, failed;
		node_counts(r, &hits, &failed);
		json_t *o = json_pack("{s:s, s:s?, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "id", r->id,
				      "workflow", r->workflow, "status",
				      cachet_run_status_name(r->status), "startedAtMs",
				      (json_int_t)r->started_at_ms, "finishedAtMs",
				      (json_int_t)r->finished_at_ms, "durationMs",
				      (json_int_t)(r->finished_at_ms > 0
							   ? r->finished_at_ms - r->started_at_ms
							   : 0),
				      "nodes", (json_int_t)r->n_nodes, "hits", (json_int_t)hits,
				      "failed", (json_int_t)failed);
		ok = o != NULL && json_array_append_new(arr, o) == 0;
	}
	int rc = ok ? report_dump_json(stdout, arr) : cli_error("out of memory");
	json_decref(arr);
	return rc;
}

static int list_text(const cachet_run_records *list)
{
	table t;
	table_init(&t, "lllllrrr", "ID", "WORKFLOW", "STATUS", "STARTED", "DURATION", "NODES",
		   "HITS", "FAILED", NULL);
	for (size_t i = 0; i < list->n; i++) {
		const cachet_run_record *r = &list->items[i];
		char when[40] = "-", dur[32] = "-";
		time_t secs = (time_t)(r->started_at_ms / 1000);
		struct tm tm;
		size_t hits, failed;
		if (r->started_at_ms > 0 && localtime_r(&secs, &tm) != NULL)
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		if (r->finished_at_ms > 0)
			report_format_duration(dur, sizeof dur, r->finished_at_ms - r->started_at_ms);
		node_counts(r, &hits, &failed);
		table_add(&t, "%s", r->id);
		table_add(&t, "%s", r->workflow ? r->workflow : "");
		table_add(&t, "%s", cachet_run_status_name(r->status));
		table_add(&t, "%s", when);
		table_add(&t, "%s", dur);
		table_add(&t, "%zu", r->n_nodes);
		table_add(&t, "%zu", hits);
		table_add(&t, "%zu", failed);
	}
	int rc = table_print(&t, stdout);
	table_dispose(&t);
	return rc;
}

int cmd_runs(int argc, char **argv)
{
	struct runs_args a = {0};
	char *home = NULL;
	int rc;

	if (argc < 2)
		return cli_usage_error(usage, "runs: ls or show?");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	bool is_show = strcmp(argv[1], "show") == 0;
	if (!is_show && strcmp(argv[1], "ls") != 0)
		return cli_usage_error(usage, "runs: unknown subcommand '%s' (ls or show)", argv[1]);
	if ((rc = parse_args(&a, argc - 1, argv + 1, is_show)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (cachet_home_resolve(&home, a.home) < 0)
		return cli_lib_error(NULL);

	if (is_show) {
		cachet_run_record rec = CACHET_RUN_RECORD_INIT;
		if (cachet_run_record_read(&rec, home, a.id) < 0) {
			rc = cli_lib_error(NULL);
		} else {
			if (a.json) {
				json_t *j = report_json(&rec);
				rc = j ? report_dump_json(stdout, j) : CLI_FAIL;
				json_decref(j);
			} else {
				rc = report_print_details(stdout, &rec);
			}
			cachet_run_record_dispose(&rec);
		}
	} else {
		cachet_run_records list = CACHET_RUN_RECORDS_INIT;
		if (cachet_run_records_list(&list, home, a.workflow, a.limit) < 0) {
			rc = cli_lib_error(NULL);
		} else {
			rc = a.json ? list_json(&list) : list_text(&list);
			cachet_run_records_dispose(&list);
		}
	}
	cachet_free(home);
	return rc;
}
