/*
 * Building a workflow: inputs, nodes, bindings, outputs. The builders
 * only record; cachet_workflow_validate (validate.c) judges. Names are
 * found through small hash maps so that a 10,000-node workflow builds in
 * linear time.
 */
#include "engine/graph.h"
#include "engine/run.h"
#include "engine/task.h"

#include "util/alloc.h"
#include "util/error.h"

#include <string.h>

/* ---------------------------------------------------------------------- */
/* Name maps                                                              */

static size_t hash_name(const char *s)
{
	/* FNV-1a */
	size_t h = (size_t)1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

static int name_map_grow(name_map *m, void *const *items, name_of_fn name_of)
{
	size_t cap = m->cap ? m->cap * 2 : 16, *slots = cachet__calloc(cap, sizeof *slots);

	if (!slots)
		return CACHET_ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		size_t idx = m->slots[i], h;
		if (!idx)
			continue;
		h = hash_name(name_of(items[idx - 1])) & (cap - 1);
		while (slots[h])
			h = (h + 1) & (cap - 1);
		slots[h] = idx;
	}
	cachet__free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

/* Record items[index] under its name unless the name is there already. */
int cachet__name_map_add(name_map *m, void *const *items, size_t index, name_of_fn name_of)
{
	const char *name = name_of(items[index]);
	size_t h;
	int rc;

	if ((m->n + 1) * 2 > m->cap && (rc = name_map_grow(m, items, name_of)) < 0)
		return rc;
	h = hash_name(name) & (m->cap - 1);
	while (m->slots[h]) {
		if (!strcmp(name_of(items[m->slots[h] - 1]), name))
			return 0; /* the first keeps the name */
		h = (h + 1) & (m->cap - 1);
	}
	m->slots[h] = index + 1;
	m->n++;
	return 0;
}

size_t cachet__name_map_find(const name_map *m, void *const *items, const char *name,
			     name_of_fn name_of)
{
	size_t h;

	if (!m->cap || !name)
		return SIZE_MAX;
	h = hash_name(name) & (m->cap - 1);
	while (m->slots[h]) {
		if (!strcmp(name_of(items[m->slots[h] - 1]), name))
			return m->slots[h] - 1;
		h = (h + 1) & (m->cap - 1);
	}
	return SIZE_MAX;
}

void cachet__name_map_dispose(name_map *m)
{
	cachet__free(m->slots);
	memset(m, 0, sizeof *m);
}

static const char *node_name_of(const void *item)
{
	return ((const wf_node *)item)->name;
}

static const char *input_name_of(const void *item)
{
	return ((const wf_input *)item)->name;
}

size_t cachet__workflow_find_node(const cachet_workflow *wf, const char *name)
{
	return cachet__name_map_find(&wf->node_names, (void *const *)wf->nodes, name, node_name_of);
}

size_t cachet__workflow_find_input(const cachet_workflow *wf, const char *name)
{
	return cachet__name_map_find(&wf->input_names, (void *const *)wf->inputs, name,
				     input_name_of);
}

/* ---------------------------------------------------------------------- */

int cachet_workflow_new(cachet_workflow **out, const char *name)
{
	cachet_workflow *wf;

	if (!out)
		return cachet__error(CACHET_EINVALID, "cachet_workflow_new: out is NULL");
	*out = NULL;
	if (!name || !*name)
		return cachet__error(CACHET_EINVALID, "a workflow needs a name");
	if (!(wf = cachet__calloc(1, sizeof *wf)))
		return CACHET_ENOMEM;
	if (!(wf->name = cachet__strdup(name)) || !(wf->project = cachet__strdup("default")) ||
	    !(wf->domain = cachet__strdup("development"))) {
		cachet_workflow_free(wf);
		return CACHET_ENOMEM;
	}
	*out = wf;
	return 0;
}

static void binding_free(wf_binding *b)
{
	if (!b)
		return;
	cachet__free(b->input);
	cachet__free(b->node);
	cachet__free(b->src_node);
	cachet__free(b->src_name);
	cachet_literal_free(b->value);
	cachet__free(b->where);
	cachet__free(b);
}

static void node_free(wf_node *n)
{
	if (!n)
		return;
	cachet__free(n->name);
	cachet_task_free(n->task);
	cachet__free(n->where);
	for (size_t i = 0; i < n->n_bindings; i++)
		binding_free(n->bindings[i]);
	cachet__free(n->bindings);
	cachet__free(n);
}

static void input_free(wf_input *in)
{
	if (!in)
		return;
	cachet__free(in->name);
	cachet_literal_type_free(in->type);
	cachet_literal_free(in->def);
	cachet__free(in->where);
	cachet__free(in);
}

void cachet_workflow_free(cachet_workflow *wf)
{
	if (!wf)
		return;
	cachet__free(wf->name);
	cachet__free(wf->project);
	cachet__free(wf->domain);
	for (size_t i = 0; i < wf->n_inputs; i++)
		input_free(wf->inputs[i]);
	cachet__free(wf->inputs);
	for (size_t i = 0; i < wf->n_nodes; i++)
		node_free(wf->nodes[i]);
	cachet__free(wf->nodes);
	for (size_t i = 0; i < wf->n_outputs; i++)
		binding_free(wf->outputs[i]);
	cachet__free(wf->outputs);
	for (size_t i = 0; i < wf->n_orphans; i++)
		binding_free(wf->orphans[i]);
	cachet__free(wf->orphans);
	cachet__name_map_dispose(&wf->node_names);
	cachet__name_map_dispose(&wf->input_names);
	cachet__free(wf);
}

int cachet_workflow_set_project(cachet_workflow *wf, const char *project, const char *domain)
{
	char *p = NULL, *d = NULL;

	if (!wf)
		return cachet__error(CACHET_EINVALID, "cachet_workflow_set_project: wf is NULL");
	if ((project && !*project) || (domain && !*domain))
		return cachet__error(CACHET_EINVALID, "the project and domain may not be empty");
	if ((project && !(p = cachet__strdup(project))) || (domain && !(d = cachet__strdup(domain)))) {
		cachet__free(p);
		return CACHET_ENOMEM;
	}
	if (p) {
		cachet__free(wf->project);
		wf->project = p;
	}
	if (d) {
		cachet__free(wf->domain);
		wf->domain = d;
	}
	return 0;
}

/* Append item to *arr (of *n), growing it. */
static int push(void ***arr, size_t *n, void *item)
{
	void **grown = cachet__reallocarray(*arr, *n + 1, sizeof *grown);

	if (!grown)
		return CACHET_ENOMEM;
	grown[(*n)++] = item;
	*arr = grown;
	return 0;
}

static int dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	return (*out = cachet__strdup(s)) ? 0 : CACHET_ENOMEM;
}

int cachet_workflow_add_input(cachet_workflow *wf, const char *name, cachet_literal_type *type,
			      cachet_literal *default_value, const char *where)
{
	wf_input *in = NULL;
	int rc;

	if (!wf || !name || !*name || !type) {
		rc = cachet__error(CACHET_EINVALID, "a workflow input needs a name and a type");
		goto fail;
	}
	if (!(in = cachet__calloc(1, sizeof *in))) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	in->type = type;
	in->def = default_value;
	type = NULL;
	default_value = NULL;
	if (!(in->name = cachet__strdup(name)) || (rc = dup_opt(&in->where, where)) < 0) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	if ((rc = push((void ***)&wf->inputs, &wf->n_inputs, in)) < 0)
		goto fail;
	in = NULL;
	return cachet__name_map_add(&wf->input_names, (void *const *)wf->inputs,
				    wf->n_inputs - 1, input_name_of);
fail:
	input_free(in);
	cachet_literal_type_free(type);
	cachet_literal_free(default_value);
	return rc;
}

int cachet_workflow_add_node(cachet_workflow *wf, const char *name, cachet_task *task,
			     const char *where)
{
	wf_node *n;
	int rc;

	if (!wf || !name || !task)
		return cachet__error(CACHET_EINVALID, "a node needs a name and a task");
	if (!(n = cachet__calloc(1, sizeof *n)))
		return CACHET_ENOMEM;
	n->task = cachet_task_ref(task);
	if (!(n->name = cachet__strdup(name)) || dup_opt(&n->where, where) < 0) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	if ((rc = push((void ***)&wf->nodes, &wf->n_nodes, n)) < 0)
		goto fail;
	if ((rc = cachet__name_map_add(&wf->node_names, (void *const *)wf->nodes, wf->n_nodes - 1,
				       node_name_of)) < 0) {
		wf->n_nodes--;
		goto fail;
	}
	/* bindings made before the node existed */
	for (size_t i = 0; i < wf->n_orphans;) {
		wf_binding *b = wf->orphans[i];
		if (!strcmp(b->node, name) && cachet__workflow_find_node(wf, name) == wf->n_nodes - 1) {
			if ((rc = push((void ***)&n->bindings, &n->n_bindings, b)) < 0)
				return rc; /* n is in the workflow now */
			wf->orphans[i] = wf->orphans[--wf->n_orphans];
		} else {
			i++;
		}
	}
	return 0;
fail:
	node_free(n);
	return rc;
}

static int binding_new(wf_binding **out, const char *input, const char *node,
		       const cachet_source *src, const char *where)
{
	wf_binding *b;
	int rc;

	*out = NULL;
	if (!src || src->kind < CACHET_SOURCE_INPUT || src->kind > CACHET_SOURCE_CONSTANT)
		return cachet__error(CACHET_EINVALID, "a binding needs a source");
	if ((src->kind == CACHET_SOURCE_INPUT && !src->name) ||
	    (src->kind == CACHET_SOURCE_OUTPUT && (!src->node || !src->name)) ||
	    (src->kind == CACHET_SOURCE_CONSTANT && !src->value))
		return cachet__error(CACHET_EINVALID, "a binding's source is incomplete");
	if (!(b = cachet__calloc(1, sizeof *b)))
		return CACHET_ENOMEM;
	if (!(b->input = cachet__strdup(input)) || dup_opt(&b->node, node) < 0 ||
	    dup_opt(&b->src_node, src->node) < 0 || dup_opt(&b->src_name, src->name) < 0 ||
	    dup_opt(&b->where, where) < 0) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	if (src->kind == CACHET_SOURCE_CONSTANT &&
	    (rc = cachet_literal_copy(&b->value, src->value)) < 0)
		goto fail;
	b->info.input = b->input;
	b->info.src.kind = src->kind;
	b->info.src.node = src->kind == CACHET_SOURCE_OUTPUT ? b->src_node : NULL;
	b->info.src.name = src->kind != CACHET_SOURCE_CONSTANT ? b->src_name : NULL;
	b->info.src.value = b->value;
	b->info.where = b->where;
	*out = b;
	return 0;
fail:
	binding_free(b);
	return rc;
}

int cachet_workflow_bind(cachet_workflow *wf, const char *node, const char *input,
			 const cachet_source *src, const char *where)
{
	wf_binding *b = NULL;
	size_t i;
	int rc;

	if (!wf || !node || !input || !*input)
		return cachet__error(CACHET_EINVALID, "a binding needs a node and an input");
	if ((rc = binding_new(&b, input, node, src, where)) < 0)
		return rc;
	i = cachet__workflow_find_node(wf, node);
	if (i == SIZE_MAX)
		rc = push((void ***)&wf->orphans, &wf->n_orphans, b);
	else
		rc = push((void ***)&wf->nodes[i]->bindings, &wf->nodes[i]->n_bindings, b);
	if (rc < 0)
		binding_free(b);
	return rc;
}

int cachet_workflow_add_output(cachet_workflow *wf, const char *name, const cachet_source *src,
			       const char *where)
{
	wf_binding *b = NULL;
	int rc;

	if (!wf || !name || !*name)
		return cachet__error(CACHET_EINVALID, "a workflow output needs a name");
	if ((rc = binding_new(&b, name, NULL, src, where)) < 0)
		return rc;
	if ((rc = push((void ***)&wf->outputs, &wf->n_outputs, b)) < 0)
		binding_free(b);
	return rc;
}

const cachet_literal_type *cachet__source_type(const cachet_workflow *wf,
					       const cachet_source *src)
{
	size_t i;
	const cachet_variable *v;

	switch (src->kind) {
	case CACHET_SOURCE_INPUT:
		i = cachet__workflow_find_input(wf, src->name);
		return i == SIZE_MAX ? NULL : wf->inputs[i]->type;
	case CACHET_SOURCE_OUTPUT:
		i = cachet__workflow_find_node(wf, src->node);
		if (i == SIZE_MAX)
			return NULL;
		v = cachet_variable_map_get(wf->nodes[i]->task->iface->outputs, src->name);
		return v ? v->type : NULL;
	default: return NULL;
	}
}

/* ---------------------------------------------------------------------- */
/* Getters                                                                */

const char *cachet_workflow_name(const cachet_workflow *wf)
{
	return wf ? wf->name : NULL;
}

const char *cachet_workflow_project(const cachet_workflow *wf)
{
	return wf ? wf->project : NULL;
}

const char *cachet_workflow_domain(const cachet_workflow *wf)
{
	return wf ? wf->domain : NULL;
}

size_t cachet_workflow_node_count(const cachet_workflow *wf)
{
	return wf ? wf->n_nodes : 0;
}

const char *cachet_workflow_node_name(const cachet_workflow *wf, size_t i)
{
	return wf && i < wf->n_nodes ? wf->nodes[i]->name : NULL;
}

const cachet_task *cachet_workflow_node_task(const cachet_workflow *wf, size_t i)
{
	return wf && i < wf->n_nodes ? wf->nodes[i]->task : NULL;
}

size_t cachet_workflow_node_binding_count(const cachet_workflow *wf, size_t i)
{
	return wf && i < wf->n_nodes ? wf->nodes[i]->n_bindings : 0;
}

const cachet_binding_info *cachet_workflow_node_binding(const cachet_workflow *wf, size_t i,
							size_t j)
{
	if (!wf || i >= wf->n_nodes || j >= wf->nodes[i]->n_bindings)
		return NULL;
	return &wf->nodes[i]->bindings[j]->info;
}

size_t cachet_workflow_input_count(const cachet_workflow *wf)
{
	return wf ? wf->n_inputs : 0;
}

const char *cachet_workflow_input_name(const cachet_workflow *wf, size_t i)
{
	return wf && i < wf->n_inputs ? wf->inputs[i]->name : NULL;
}

const cachet_literal_type *cachet_workflow_input_type(const cachet_workflow *wf, size_t i)
{
	return wf && i < wf->n_inputs ? wf->inputs[i]->type : NULL;
}

const cachet_literal *cachet_workflow_input_default(const cachet_workflow *wf, size_t i)
{
	return wf && i < wf->n_inputs ? wf->inputs[i]->def : NULL;
}

size_t cachet_workflow_output_count(const cachet_workflow *wf)
{
	return wf ? wf->n_outputs : 0;
}

const cachet_binding_info *cachet_workflow_output(const cachet_workflow *wf, size_t i)
{
	return wf && i < wf->n_outputs ? &wf->outputs[i]->info : NULL;
}
