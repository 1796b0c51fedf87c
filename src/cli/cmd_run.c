/*
 * cachet run: load a workflow file, read the -i inputs by their declared
 * types, run the workflow with the cache, and show what happened.
 */
#include "cli.h"
#include "live_view.h"
#include "options.h"
#include "run_report.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cachet run WORKFLOW.yaml [-i NAME=VALUE]... [-j N] [--overwrite-cache]\n"
	"                  [--no-cache] [--json] [--home DIR]\n"
	"\n"
	"  -i, --input NAME=VALUE  a workflow input, read by its declared type (a path\n"
	"                          for a file, directory or dataset; JSON for a list or\n"
	"                          map); inputs with defaults may be left out\n"
	"  -j, --jobs N            run up to N nodes at once, 1 to 1024 (default: the\n"
	"                          cores)\n"
	"  --overwrite-cache       run cached nodes even on a hit, replacing the entry\n"
	"  --no-cache              neither look up nor store anything\n"
	"  --json                  print the run as one JSON object\n"
	"  --home DIR              the cachet home (default: $CACHET_HOME, else\n"
	"                          ~/.cache/cachet)\n"
	"\n"
	"Exit status: 0 when every node succeeded, 2 otherwise (a node failed, the\n"
	"run was interrupted, or the workflow or an input is invalid).\n";

struct run_args {
	const char *workflow;
	const char **inputs; /* "NAME=VALUE", in order */
	size_t n_inputs;
	unsigned jobs;
	bool overwrite, no_cache, json;
	const char *home;
};

enum { OPT_OVERWRITE = 256, OPT_NO_CACHE, OPT_JSON, OPT_HOME };

static int on_option(void *payload, int opt, char *arg)
{
	struct run_args *a = payload;

	switch (opt) {
	case 'i': {
		const char **grown = realloc(a->inputs, (a->n_inputs + 1) * sizeof *grown);
		if (grown == NULL)
			return cli_error("out of memory");
		a->inputs = grown;
		a->inputs[a->n_inputs++] = arg;
		break;
	}
	case 'j': return cli_parse_jobs("run", arg, &a->jobs);
	case OPT_OVERWRITE: a->overwrite = true; break;
	case OPT_NO_CACHE: a->no_cache = true; break;
	case OPT_JSON: a->json = true; break;
	case OPT_HOME: a->home = arg; break;
	default: return CLI_OPTION_REFUSED;
	}
	return CLI_OK;
}

static int parse_args(struct run_args *a, int argc, char **argv)
{
	static const struct option options[] = {
		{"input", required_argument, NULL, 'i'},
		{"jobs", required_argument, NULL, 'j'},
		{"overwrite-cache", no_argument, NULL, OPT_OVERWRITE},
		{"no-cache", no_argument, NULL, OPT_NO_CACHE},
		{"json", no_argument, NULL, OPT_JSON},
		{"home", required_argument, NULL, OPT_HOME},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct cli_options spec = {"run", usage, "i:j:h", options};
	int rc = cli_parse_options(&spec, argc, argv, on_option, a);

	if (rc != CLI_OK)
		return rc;
	if (optind >= argc)
		return cli_usage_error(usage, "run: which workflow file?");
	a->workflow = argv[optind++];
	if (optind < argc)
		return cli_usage_error(
			usage, "run: unexpected argument '%s' (inputs are given as -i NAME=VALUE)",
			argv[optind]);
	if (a->overwrite && a->no_cache)
		return cli_error("run: --overwrite-cache and --no-cache cannot go together");
	return CLI_OK;
}

/* Read every -i NAME=VALUE by the declared type of NAME, before anything runs. */
static int read_inputs(cachet_literal_map **out, const cachet_workflow *wf,
		       const struct run_args *a)
{
	cachet_literal_map *map = NULL;
	size_t n = cachet_workflow_input_count(wf);

	if (cachet_literal_map_new(&map) < 0)
		return cli_lib_error(NULL);
	for (size_t i = 0; i < a->n_inputs; i++) {
		const char *arg = a->inputs[i], *eq = strchr(arg, '=');
		if (eq == NULL || eq == arg) {
			cachet_literal_map_free(map);
			return cli_error("-i takes NAME=VALUE, not '%s'", arg);
		}
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
		const cachet_literal_type *type = NULL;
		for (size_t j = 0; j < n && type == NULL; j++)
			if (strcmp(cachet_workflow_input_name(wf, j), name) == 0)
				type = cachet_workflow_input_type(wf, j);
		if (type == NULL) {
			char list[512] = "";
			for (size_t j = 0; j < n; j++) {
				strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
				strncat(list, cachet_workflow_input_name(wf, j),
					sizeof list - strlen(list) - 1);
			}
			cachet_literal_map_free(map);
			if (n == 0)
				return cli_error("workflow '%s' has no input '%s' (it takes no inputs)",
						 cachet_workflow_name(wf), name);
			return cli_error("workflow '%s' has no input '%s' (its inputs: %s)",
					 cachet_workflow_name(wf), name, list);
		}
		if (cachet_literal_map_get(map, name) != NULL) {
			cachet_literal_map_free(map);
			return cli_error("input '%s' is given twice", name);
		}
		cachet_literal *value;
		if (cachet_literal_from_text(&value, type, eq + 1) < 0 ||
		    cachet_literal_map_set(map, name, value) < 0) {
			char prefix[300];
			snprintf(prefix, sizeof prefix, "input '%s'", name);
			cachet_literal_map_free(map);
			return cli_lib_error(prefix);
		}
	}
	*out = map;
	return CLI_OK;
}

/* The run being executed, for the signal handlers. */
static cachet_run *volatile running;

static void on_signal(int sig)
{
	(void)sig;
	cachet_run_cancel(running); /* async-signal-safe by contract */
}

static int show_run(const char *home, const char *id, const struct run_args *a)
{
	cachet_run_record rec = CACHET_RUN_RECORD_INIT;
	int rc;

	if (cachet_run_record_read(&rec, home, id) < 0)
		return cli_lib_error("cannot read the run's record");
	if (a->json) {
		json_t *j = report_json(&rec);
		rc = j ? report_dump_json(stdout, j) : CLI_FAIL;
		json_decref(j);
	} else {
		rc = report_print_summary(stdout, &rec);
	}
	/* why each node failed, one line each, after the table */
	fflush(stdout);
	for (size_t i = 0; i < rec.n_nodes; i++)
		if (rec.nodes[i].status == CACHET_NODE_FAILED)
			cli_error("%s", rec.nodes[i].error ? rec.nodes[i].error : "a node failed");
	cachet_run_record_dispose(&rec);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {0};
	cachet_workflow *wf = NULL;
	cachet_literal_map *inputs = NULL;
	cachet_run *run = NULL;
	cachet_store *store = NULL;
	cachet_catalog *cat = NULL;
	live_view *view = NULL;
	char *home = NULL, *id = NULL;
	struct sigaction act, old_int, old_term;
	bool handlers = false;
	int rc = parse_args(&a, argc, argv);

	if (rc != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
		goto done;
	}
	if ((rc = cli_load_workflow(&wf, a.workflow)) != CLI_OK)
		goto done;
	if ((rc = read_inputs(&inputs, wf, &a)) != CLI_OK)
		goto done;
	if (cachet_home_resolve(&home, a.home) < 0) {
		rc = cli_lib_error(NULL);
		goto done;
	}

	cachet_run_options opts = CACHET_RUN_OPTIONS_INIT;
	opts.home = home;
	opts.jobs = a.jobs;
	opts.overwrite_cache = a.overwrite;
	opts.no_cache = a.no_cache;
	/* A catalog or a store by URL is opened here and lent to the run;
	 * without one the run opens the home's. */
	const char *catalog_url, *store_url;
	if ((rc = cli_catalog_url(&catalog_url, home)) != CLI_OK ||
	    (rc = cli_store_url(&store_url, home)) != CLI_OK)
		goto done;
	if (catalog_url || store_url) {
		if ((rc = cli_store_open(&store, home)) != CLI_OK)
			goto done;
		opts.store = store;
	}
	if (catalog_url && !a.no_cache) {
		cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;
		co.store = store;
		if ((rc = cli_catalog_open(&cat, home, &co)) != CLI_OK)
			goto done;
		opts.catalog = cat;
	}
	if ((view = live_view_new(cachet_workflow_name(wf))) != NULL) {
		opts.on_event = live_view_event;
		opts.event_payload = view;
		opts.tick_ms = 100;
	}
	if (cachet_run_new(&run, wf, inputs, &opts) < 0) {
		rc = cli_lib_error(NULL);
		goto done;
	}

	/* Ctrl-C and SIGTERM cancel the run: children stopped, reservations
	 * released, nothing unfinished stored; then the summary is shown. */
	running = run;
	memset(&act, 0, sizeof act);
	act.sa_handler = on_signal;
	sigemptyset(&act.sa_mask);
	sigaction(SIGINT, &act, &old_int);
	sigaction(SIGTERM, &act, &old_term);
	handlers = true;

	int exec_rc = cachet_run_execute(run);
	char exec_msg[1024];
	snprintf(exec_msg, sizeof exec_msg, "%s", cachet_error_last()->message);
	int status = cachet_run_get_status(run);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	running = NULL;
	handlers = false;
	live_view_free(view);
	view = NULL;

	if ((id = strdup(cachet_run_id(run))) == NULL) {
		rc = cli_error("out of memory");
		goto done;
	}
	rc = show_run(home, id, &a);
	if (status == CACHET_RUN_ABORTED)
		cli_error("run %s cancelled", id);
	else if (exec_rc < 0 && status != CACHET_RUN_FAILED)
		cli_error("%s", exec_msg); /* no node to blame: an input could not be hashed... */
	if (exec_rc < 0 || status != CACHET_RUN_SUCCEEDED)
		rc = CLI_FAIL;
done:
	if (handlers) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		running = NULL;
	}
	live_view_free(view);
	cachet_run_free(run);
	cachet_catalog_free(cat); /* after the run, which used it */
	cachet_store_free(store);
	cachet_literal_map_free(inputs);
	cachet_workflow_free(wf);
	cachet_free(home);
	free(id);
	free(a.inputs);
	return rc;
}
