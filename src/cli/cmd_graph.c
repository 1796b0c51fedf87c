/*
 * cachet graph: a workflow file as Graphviz dot, coloured by the cache
 * status of each node in the workflow's last run.
 *
 * Graph ids: a node by its own name (node names have no ':'), a workflow
 * input as "input:NAME", a workflow output as "output:NAME". So an edge
 * from node foo to node bar reads `"foo" -> "bar"`.
 */
#include "cli.h"
#include "options.h"
#include "run_report.h"

#include <string.h>

static const char usage[] =
	"usage: cachet graph WORKFLOW.yaml [--no-status] [--home DIR]\n"
	"\n"
	"Prints the workflow as a Graphviz graph (render it with `dot -Tsvg`).\n"
	"Nodes are coloured by their cache status in the workflow's last run:\n"
	"green HIT, yellow POPULATED (a miss, then stored), grey DISABLED, red\n"
	"FAILED, white not run.\n"
	"\n"
	"  --no-status  no colours: ignore past runs\n"
	"  --home DIR   the cachet home whose runs to read\n";

/* A dot string: quoted, with '"' and '\' escaped and newlines as \n. */
static void put_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static const char *fill_for(const cachet_node_result *n)
{
	if (n == NULL)
		return "white";
	if (n->status == CACHET_NODE_FAILED)
		return "#f4a7a7"; /* red */
	if (n->status != CACHET_NODE_SUCCEEDED)
		return "white"; /* skipped, aborted: not run */
	switch (n->cache_status) {
	case CACHET_CACHE_HIT: return "#b5e6a8";       /* green */
	case CACHET_CACHE_POPULATED:
	case CACHET_CACHE_MISS: return "#f7e3a1";      /* yellow */
	case CACHET_CACHE_LOOKUP_FAILURE:
	case CACHET_CACHE_PUT_FAILURE: return "#f7c59f"; /* orange */
	case CACHET_CACHE_DISABLED:
	default: return "#e3e3e3";                     /* grey */
	}
}

static void put_source(FILE *out, const cachet_source *src)
{
	if (src->kind == CACHET_SOURCE_INPUT) {
		char id[300];
		snprintf(id, sizeof id, "input:%s", src->name);
		put_quoted(out, id);
	} else {
		put_quoted(out, src->node);
	}
}

static void print_graph(FILE *out, const cachet_workflow *wf, const cachet_run_record *last)
{
	fputs("digraph ", out);
	put_quoted(out, cachet_workflow_name(wf));
	fputs(" {\n", out);
	if (last != NULL)
		fprintf(out, "  // coloured by run %s (%s)\n", last->id,
			cachet_run_status_name(last->status));
	fputs("  rankdir=LR;\n"
	      "  node [fontname=\"Helvetica\", fontsize=11];\n"
	      "  edge [fontname=\"Helvetica\", fontsize=9];\n",
	      out);

	for (size_t i = 0; i < cachet_workflow_input_count(wf); i++) {
		const char *name = cachet_workflow_input_name(wf, i);
		char id[300], label[600], *tname = NULL;
		cachet_literal_type_describe(&tname, cachet_workflow_input_type(wf, i));
		snprintf(id, sizeof id, "input:%s", name);
		snprintf(label, sizeof label, "%s\n%s", name, tname ? tname : "");
		cachet_free(tname);
		fputs("  ", out);
		put_quoted(out, id);
		fputs(" [shape=ellipse, label=", out);
		put_quoted(out, label);
		fputs("];\n", out);
	}
	for (size_t i = 0; i < cachet_workflow_node_count(wf); i++) {
		const char *name = cachet_workflow_node_name(wf, i);
		const cachet_task *task = cachet_workflow_node_task(wf, i);
		const cachet_node_result *res = NULL;
		for (size_t j = 0; last != NULL && j < last->n_nodes && res == NULL; j++)
			if (strcmp(last->nodes[j].name, name) == 0)
				res = &last->nodes[j];
		char label[800];
		int n = snprintf(label, sizeof label, "%s", name);
		if (strcmp(cachet_task_name(task), name) != 0 && n > 0 && (size_t)n < sizeof label)
			n += snprintf(label + n, sizeof label - (size_t)n, "\ntask %s",
				      cachet_task_name(task));
		if (res != NULL && n > 0 && (size_t)n < sizeof label)
			snprintf(label + n, sizeof label - (size_t)n, "\n%s",
				 res->status == CACHET_NODE_SUCCEEDED
					 ? report_cache_status(res->cache_status)
					 : cachet_node_status_name(res->status));
		fputs("  ", out);
		put_quoted(out, name);
		fprintf(out, " [shape=box, style=\"rounded,filled%s\", fillcolor=\"%s\", label=",
			cachet_task_is_cached(task) ? "" : ",dashed", fill_for(res));
		put_quoted(out, label);
		fputs("];\n", out);
	}
	for (size_t i = 0; i < cachet_workflow_output_count(wf); i++) {
		char id[300];
		snprintf(id, sizeof id, "output:%s", cachet_workflow_output(wf, i)->input);
		fputs("  ", out);
		put_quoted(out, id);
		fputs(" [shape=ellipse, style=bold, label=", out);
		put_quoted(out, cachet_workflow_output(wf, i)->input);
		fputs("];\n", out);
	}

	/* edges: what each node reads, then what the outputs read */
	for (size_t i = 0; i < cachet_workflow_node_count(wf); i++) {
		for (size_t j = 0; j < cachet_workflow_node_binding_count(wf, i); j++) {
			const cachet_binding_info *b = cachet_workflow_node_binding(wf, i, j);
			if (b->src.kind == CACHET_SOURCE_CONSTANT)
				continue;
			char label[600];
			if (strcmp(b->src.name, b->input) == 0)
				snprintf(label, sizeof label, "%s", b->input);
			else
				snprintf(label, sizeof label, "%s -> %s", b->src.name, b->input);
			fputs("  ", out);
			put_source(out, &b->src);
			fputs(" -> ", out);
			put_quoted(out, cachet_workflow_node_name(wf, i));
			fputs(" [label=", out);
			put_quoted(out, label);
			fputs("];\n", out);
		}
	}
	for (size_t i = 0; i < cachet_workflow_output_count(wf); i++) {
		const cachet_binding_info *b = cachet_workflow_output(wf, i);
		if (b->src.kind == CACHET_SOURCE_CONSTANT)
			continue;
		char id[300];
		snprintf(id, sizeof id, "output:%s", b->input);
		fputs("  ", out);
		put_source(out, &b->src);
		fputs(" -> ", out);
		put_quoted(out, id);
		fputs(" [label=", out);
		put_quoted(out, b->src.name);
		fputs("];\n", out);
	}
	fputs("}\n", out);
}

enum { OPT_NO_STATUS = 256, OPT_HOME };

static const struct option options[] = {
	{"no-status", no_argument, NULL, OPT_NO_STATUS},
	{"home", required_argument, NULL, OPT_HOME},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const struct cli_options spec = {"graph", usage, "h", options};

struct graph_args {
	const char *home;
	bool no_status;
};

static int on_option(void *payload, int opt, char *arg)
{
	struct graph_args *args = payload;

	switch (opt) {
	case OPT_NO_STATUS: args->no_status = true; break;
	case OPT_HOME: args->home = arg; break;
	default: return CLI_OPTION_REFUSED;
	}
	return CLI_OK;
}

int cmd_graph(int argc, char **argv)
{
	struct graph_args args = {0};
	const char *path;
	int rc = cli_parse_options(&spec, argc, argv, on_option, &args);

	if (rc != CLI_OK)
		return rc == CLI_HELP ? CLI_OK : rc;
	if (optind >= argc)
		return cli_usage_error(usage, "graph: which workflow file?");
	path = argv[optind++];
	if ((rc = cli_no_more_operands(&spec, argc, argv)) != CLI_OK)
		return rc;

	cachet_workflow *wf = NULL;
	if (cli_load_workflow(&wf, path) != CLI_OK)
		return CLI_FAIL;

	cachet_run_records runs = CACHET_RUN_RECORDS_INIT;
	char *home = NULL;
	if (!args.no_status) {
		/* the colours are a courtesy: without a home or runs, none */
		if (cachet_home_resolve(&home, args.home) < 0 ||
		    cachet_run_records_list(&runs, home, cachet_workflow_name(wf), 1) < 0)
			runs = (cachet_run_records)CACHET_RUN_RECORDS_INIT;
	}
	print_graph(stdout, wf, runs.n > 0 ? &runs.items[0] : NULL);
	if (fflush(stdout) != 0)
		rc = cli_error("cannot write the graph");
	cachet_run_records_dispose(&runs);
	cachet_free(home);
	cachet_workflow_free(wf);
	return rc;
}
