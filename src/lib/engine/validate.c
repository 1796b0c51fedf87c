/*
 * Validation of a workflow before anything runs: names (those that become
 * paths, by the rule of names.c), references, bindings, types and cycles.
 * Every problem is collected (not only the first), each with the caller's
 * location token, so that a workflow file's author sees them all at once.
 */
#include "engine/graph.h"
#include "engine/run.h"
#include "engine/task.h"
#include "engine/util.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/version.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct problems_ctx {
	cachet_problems *out; /* NULL: stop at the first problem */
	size_t n;
	int rc; /* ENOMEM when recording failed */
	char *first_where;
	char *first_message;
} problems_ctx;

static void add_problem(problems_ctx *pc, const char *where, const char *node, const char *fmt,
			...) CACHET__PRINTF(4, 5);

static void add_problem(problems_ctx *pc, const char *where, const char *node, const char *fmt,
			...)
{
	cachet_buf b = CACHET_BUF_INIT;
	cachet_problem *grown, *p;
	char *msg;
	va_list ap;

	if (pc->rc < 0)
		return;
	va_start(ap, fmt);
	{
		char tmp[2048];
		vsnprintf(tmp, sizeof tmp, fmt, ap);
		if (cachet__buf_puts(&b, tmp) < 0) {
			va_end(ap);
			pc->rc = CACHET_ENOMEM;
			return;
		}
	}
	va_end(ap);
	msg = cachet__buf_detach(&b, NULL);
	cachet__buf_dispose(&b);
	if (!msg) {
		pc->rc = CACHET_ENOMEM;
		return;
	}
	if (pc->n == 0) {
		pc->first_message = msg;
		if (where && !(pc->first_where = cachet__strdup(where)))
			pc->rc = CACHET_ENOMEM;
		pc->n++;
		if (!pc->out)
			return;
		if (!(msg = cachet__strdup(msg))) {
			pc->rc = CACHET_ENOMEM;
			return;
		}
	} else {
		pc->n++;
		if (!pc->out) {
			cachet__free(msg);
			return;
		}
	}
	grown = cachet__reallocarray(pc->out->items, pc->out->n + 1, sizeof *grown);
	if (!grown) {
		cachet__free(msg);
		pc->rc = CACHET_ENOMEM;
		return;
	}
	pc->out->items = grown;
	p = &grown[pc->out->n++];
	p->message = msg;
	p->where = where ? cachet__strdup(where) : NULL;
	p->node = node ? cachet__strdup(node) : NULL;
	if ((where && !p->where) || (node && !p->node))
		pc->rc = CACHET_ENOMEM;
}

static char *describe(const cachet_literal_type *t)
{
	char *s = NULL;
	(void)cachet_literal_type_describe(&s, t);
	return s;
}

/* Check one binding's source against the type it must fit. what: "node
 * 'bar': input 'df'" or "workflow output 'v'". to: the required type
 * (NULL: any, for workflow outputs). */
static void check_source(problems_ctx *pc, const cachet_workflow *wf, const wf_binding *b,
			 const char *node, const char *what, const cachet_literal_type *to)
{
	const cachet_source *src = &b->info.src;
	const cachet_literal_type *from = NULL;
	char source_desc[600];
	char *why = NULL;

	switch (src->kind) {
	case CACHET_SOURCE_INPUT: {
		size_t i = cachet__workflow_find_input(wf, src->name);
		if (i == SIZE_MAX) {
			add_problem(pc, b->where, node, "%s: no workflow input '%s'", what, src->name);
			return;
		}
		from = wf->inputs[i]->type;
		snprintf(source_desc, sizeof source_desc, "workflow input '%s'", src->name);
		break;
	}
	case CACHET_SOURCE_OUTPUT: {
		size_t i = cachet__workflow_find_node(wf, src->node);
		const cachet_variable *v;
		if (i == SIZE_MAX) {
			add_problem(pc, b->where, node, "%s: no node '%s'", what, src->node);
			return;
		}
		v = cachet_variable_map_get(wf->nodes[i]->task->iface->outputs, src->name);
		if (!v) {
			add_problem(pc, b->where, node, "%s: node '%s' has no output '%s'", what,
				    src->node, src->name);
			return;
		}
		from = v->type;
		snprintf(source_desc, sizeof source_desc, "output '%s' of node '%s'", src->name,
			 src->node);
		break;
	}
	case CACHET_SOURCE_CONSTANT:
		if (to && !cachet_literal_fits(src->value, to, &why)) {
			char *tn = describe(to);
			add_problem(pc, b->where, node, "%s: the constant does not fit %s: %s", what,
				    tn ? tn : "the type", why ? why : "wrong kind of value");
			cachet__free(tn);
			cachet__free(why);
		}
		return;
	}
	if (to && from && !cachet_literal_type_compatible(from, to, &why)) {
		char *tn = describe(to), *fn = describe(from);
		add_problem(pc, b->where, node, "%s is %s but %s is %s%s%s", what, tn ? tn : "?",
			    source_desc, fn ? fn : "?", why ? ": " : "", why ? why : "");
		cachet__free(tn);
		cachet__free(fn);
		cachet__free(why);
	}
}

static void check_inputs(problems_ctx *pc, const cachet_workflow *wf)
{
	for (size_t i = 0; i < wf->n_inputs; i++) {
		const wf_input *in = wf->inputs[i];
		char *why = NULL;
		if (cachet__workflow_find_input(wf, in->name) != i) {
			add_problem(pc, in->where, NULL, "workflow input '%s' is declared twice",
				    in->name);
			continue;
		}
		if (in->def && !cachet_literal_fits(in->def, in->type, &why)) {
			char *tn = describe(in->type);
			add_problem(pc, in->where, NULL,
				    "workflow input '%s': the default does not fit %s: %s", in->name,
				    tn ? tn : "the type", why ? why : "wrong kind of value");
			cachet__free(tn);
		}
		cachet__free(why);
	}
}

/* The rule of names.c, said in every message about it. */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define NAME_RULE                                                                         \
	"(it becomes a file name: use letters, digits, '_', '-' and '.', not '.' first, at " \
	"most " STRINGIFY(CACHET__PATH_NAME_MAX) " bytes)"

/* The names of task's inputs and outputs become paths (in/, out/). */
static void check_task_names(problems_ctx *pc, const cachet_task *task, const wf_node *first)
{
	const char *where = task->where ? task->where : first->where;
	char why[64], shown[256];

	for (int is_output = 0; is_output < 2; is_output++) {
		const cachet_variable_map *vars = is_output ? task->iface->outputs
							    : task->iface->inputs;
		for (size_t i = 0; vars && i < vars->n_variables; i++) {
			const char *key = vars->variables[i].key;
			size_t len = cachet_str_len(key);
			if (cachet__path_name_check(key, len, why, sizeof why))
				continue;
			cachet__name_show(shown, sizeof shown, key, len);
			add_problem(pc, where, first->name, "task '%s': %s '%s': invalid name: %s %s",
				    task->name, is_output ? "output" : "input", shown, why,
				    NAME_RULE);
		}
	}
}

static void check_node(problems_ctx *pc, const cachet_workflow *wf, size_t idx,
		       bool first_of_task)
{
	const wf_node *n = wf->nodes[idx];
	const cachet_variable_map *ins = n->task->iface->inputs;
	char what[600], why[64];

	if (!cachet__path_name_check(n->name, n->name ? strlen(n->name) : 0, why, sizeof why)) {
		char shown[256];
		cachet__name_show(shown, sizeof shown, n->name, n->name ? strlen(n->name) : 0);
		add_problem(pc, n->where, n->name, "node '%s': invalid name: %s %s", shown, why,
			    NAME_RULE);
	}
	if (first_of_task)
		check_task_names(pc, n->task, n);
	if (cachet__workflow_find_node(wf, n->name) != idx) {
		const wf_node *first = wf->nodes[cachet__workflow_find_node(wf, n->name)];
		if (first->where)
			add_problem(pc, n->where, n->name,
				    "node '%s' is defined twice (first at %s)", n->name,
				    first->where);
		else
			add_problem(pc, n->where, n->name, "node '%s' is defined twice", n->name);
		return;
	}
	for (size_t j = 0; j < n->n_bindings; j++) {
		const wf_binding *b = n->bindings[j];
		const cachet_variable *v = cachet_variable_map_get(ins, b->input);
		bool twice = false;

		for (size_t k = 0; k < j && !twice; k++)
			twice = !strcmp(n->bindings[k]->input, b->input);
		if (twice) {
			add_problem(pc, b->where, n->name, "node '%s': input '%s' is bound twice",
				    n->name, b->input);
			continue;
		}
		snprintf(what, sizeof what, "node '%s': input '%s'", n->name, b->input);
		if (!v) {
			add_problem(pc, b->where, n->name, "%s: task '%s' has no such input", what,
				    n->task->name);
			/* still report a source that does not exist */
			check_source(pc, wf, b, n->name, what, NULL);
			continue;
		}
		check_source(pc, wf, b, n->name, what, v->type);
	}
	for (size_t k = 0; ins && k < ins->n_variables; k++) {
		const char *name = ins->variables[k].key;
		bool bound = false;
		for (size_t j = 0; j < n->n_bindings && !bound; j++)
			bound = !strcmp(n->bindings[j]->input, name);
		if (!bound)
			add_problem(pc, n->where, n->name, "node '%s': input '%s' is not bound",
				    n->name, name);
	}
}

static void check_outputs(problems_ctx *pc, const cachet_workflow *wf)
{
	char what[600];

	for (size_t i = 0; i < wf->n_outputs; i++) {
		const wf_binding *b = wf->outputs[i];
		bool twice = false;
		for (size_t k = 0; k < i && !twice; k++)
			twice = !strcmp(wf->outputs[k]->input, b->input);
		if (twice) {
			add_problem(pc, b->where, NULL, "workflow output '%s' is declared twice",
				    b->input);
			continue;
		}
		snprintf(what, sizeof what, "workflow output '%s'", b->input);
		check_source(pc, wf, b, NULL, what, NULL);
	}
}

/*
 * Cycles: an iterative depth-first search along the data flow (from a
 * node to the nodes that read its outputs). A back edge closes a cycle,
 * reported once, from the node it returns to.
 */
typedef struct edge {
	size_t to;
	const wf_binding *b; /* the binding of `to` that reads the edge's source */
} edge;

/* The node whose output binding j of node i reads: SIZE_MAX when it
 * reads none, names no node, or node i is a duplicate (its name taken by
 * an earlier node, reported on its own) and has no edges. */
static size_t edge_source(const cachet_workflow *wf, size_t i, size_t j)
{
	const wf_binding *b = wf->nodes[i]->bindings[j];

	if (b->info.src.kind != CACHET_SOURCE_OUTPUT ||
	    cachet__workflow_find_node(wf, wf->nodes[i]->name) != i)
		return SIZE_MAX;
	return cachet__workflow_find_node(wf, b->src_node);
}

static void check_cycles(problems_ctx *pc, const cachet_workflow *wf)
{
	size_t n = wf->n_nodes, *start = NULL, *fill = NULL, *stack = NULL, *pos = NULL;
	edge *edges = NULL;
	unsigned char *color = NULL; /* 0 white, 1 on the stack, 2 done */
	size_t n_edges = 0;

	if (!n)
		return;
	start = cachet__calloc(n + 1, sizeof *start);
	fill = cachet__calloc(n + 1, sizeof *fill);
	stack = cachet__calloc(n, sizeof *stack);
	pos = cachet__calloc(n, sizeof *pos);
	color = cachet__calloc(n, 1);
	if (!start || !fill || !stack || !pos || !color)
		goto oom;
	/* count, then place the edges (CSR by source node) */
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < wf->nodes[i]->n_bindings; j++) {
			size_t from = edge_source(wf, i, j);
			if (from != SIZE_MAX) {
				start[from + 1]++;
				n_edges++;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	if (n_edges && !(edges = cachet__calloc(n_edges, sizeof *edges)))
		goto oom;
	memcpy(fill, start, (n + 1) * sizeof *start);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < wf->nodes[i]->n_bindings; j++) {
			size_t from = edge_source(wf, i, j);
			if (from != SIZE_MAX)
				edges[fill[from]++] = (edge){i, wf->nodes[i]->bindings[j]};
		}
	}
	for (size_t root = 0; root < n; root++) {
		size_t depth = 0;
		if (color[root])
			continue;
		stack[depth] = root;
		pos[depth++] = start[root];
		color[root] = 1;
		while (depth) {
			size_t v = stack[depth - 1];
			if (pos[depth - 1] == start[v + 1]) {
				color[v] = 2;
				depth--;
				continue;
			}
			{
				const edge *e = &edges[pos[depth - 1]++];
				if (color[e->to] == 0) {
					color[e->to] = 1;
					stack[depth] = e->to;
					pos[depth++] = start[e->to];
				} else if (color[e->to] == 1) {
					/* the cycle: from e->to on the stack up to v, back to e->to */
					cachet_buf b = CACHET_BUF_INIT;
					size_t k = depth;
					while (k > 0 && stack[k - 1] != e->to)
						k--;
					for (size_t m = k - 1; m < depth; m++)
						cachet__buf_printf(&b, "%s -> ",
								   wf->nodes[stack[m]]->name);
					cachet__buf_puts(&b, wf->nodes[e->to]->name);
					if (!b.ptr)
						goto oom;
					add_problem(pc, e->b->where, wf->nodes[e->to]->name,
						    "node '%s': input '%s': cycle: %s",
						    wf->nodes[e->to]->name, e->b->input, b.ptr);
					cachet__buf_dispose(&b);
				}
			}
		}
	}
	goto done;
oom:
	pc->rc = CACHET_ENOMEM;
done:
	cachet__free(start);
	cachet__free(fill);
	cachet__free(stack);
	cachet__free(pos);
	cachet__free(color);
	cachet__free(edges);
}

/* A task shared by many nodes is checked once, with the first node that
 * runs it: sort (task, node) pairs, so that 10,000 nodes stay cheap. */
typedef struct task_use {
	const cachet_task *task;
	size_t node;
} task_use;

static int compare_uses(const void *pa, const void *pb)
{
	const task_use *a = pa, *b = pb;
	if (a->task != b->task)
		return (uintptr_t)a->task < (uintptr_t)b->task ? -1 : 1;
	return a->node < b->node ? -1 : a->node > b->node;
}

/* Per node: whether it is the first to run its task (NULL: ENOMEM). */
static bool *first_users(const cachet_workflow *wf)
{
	task_use *uses = cachet__calloc(wf->n_nodes ? wf->n_nodes : 1, sizeof *uses);
	bool *first = cachet__calloc(wf->n_nodes ? wf->n_nodes : 1, sizeof *first);

	if (!uses || !first) {
		cachet__free(uses);
		cachet__free(first);
		return NULL;
	}
	for (size_t i = 0; i < wf->n_nodes; i++)
		uses[i] = (task_use){wf->nodes[i]->task, i};
	qsort(uses, wf->n_nodes, sizeof *uses, compare_uses);
	for (size_t i = 0; i < wf->n_nodes; i++)
		if (i == 0 || uses[i].task != uses[i - 1].task)
			first[uses[i].node] = true;
	cachet__free(uses);
	return first;
}

int cachet_workflow_validate(cachet_problems *out, const cachet_workflow *wf)
{
	problems_ctx pc = {0};
	bool *first_of_task;
	int rc;

	if (out && (rc = CACHET__RESULT_BEGIN(out, CACHET_PROBLEMS_VERSION, "problems")) < 0)
		return rc;
	if (!wf)
		return cachet__error(CACHET_EINVALID, "cachet_workflow_validate: wf is NULL");
	pc.out = out;
	if (!(first_of_task = first_users(wf)))
		return cachet__error_oom();
	check_inputs(&pc, wf);
	for (size_t i = 0; i < wf->n_nodes; i++)
		check_node(&pc, wf, i, first_of_task[i]);
	cachet__free(first_of_task);
	for (size_t i = 0; i < wf->n_orphans; i++) {
		const wf_binding *b = wf->orphans[i];
		add_problem(&pc, b->where, NULL, "binding of input '%s': no node '%s'", b->input,
			    b->node);
	}
	check_outputs(&pc, wf);
	check_cycles(&pc, wf);
	if (pc.rc < 0) {
		rc = cachet__error_oom();
		cachet_problems_dispose(out);
	} else if (pc.n) {
		if (pc.first_where)
			rc = cachet__error(CACHET_EINVALID, "%s: %s", pc.first_where,
					   pc.first_message);
		else
			rc = cachet__error(CACHET_EINVALID, "%s", pc.first_message);
	} else {
		rc = 0;
	}
	cachet__free(pc.first_where);
	cachet__free(pc.first_message);
	return rc;
}

void cachet_problems_dispose(cachet_problems *problems)
{
	if (!problems || !cachet__version_known(problems->version, CACHET_PROBLEMS_VERSION))
		return;
	for (size_t i = 0; i < problems->n; i++) {
		cachet__free(problems->items[i].where);
		cachet__free(problems->items[i].node);
		cachet__free(problems->items[i].message);
	}
	cachet__free(problems->items);
	CACHET__RESULT_CLEAR(problems);
}
