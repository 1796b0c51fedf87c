/*
 * The workflow graph (workflow.c): inputs, nodes, the bindings between
 * them and the name maps that find them; checked by validate.c.
 */
#ifndef CACHET_ENGINE_GRAPH_H
#define CACHET_ENGINE_GRAPH_H

#include "cachet/engine.h"

#include <stddef.h>

typedef struct wf_binding {
	cachet_binding_info info; /* strings point at the fields below */
	char *input;
	char *node; /* the node it binds into (NULL for a workflow output) */
	char *src_node;
	char *src_name;
	cachet_literal *value;
	char *where;
} wf_binding;

typedef struct wf_node {
	char *name;
	cachet_task *task;
	char *where;
	wf_binding **bindings;
	size_t n_bindings;
} wf_node;

typedef struct wf_input {
	char *name;
	cachet_literal_type *type;
	cachet_literal *def;
	char *where;
} wf_input;

/* A string -> index map (open addressing), for names. */
typedef struct name_map {
	size_t *slots; /* index + 1; 0 empty */
	size_t cap;
	size_t n;
} name_map;

struct cachet_workflow {
	char *name;
	char *project;
	char *domain;
	wf_input **inputs;
	size_t n_inputs;
	wf_node **nodes;
	size_t n_nodes;
	wf_binding **outputs;
	size_t n_outputs;
	/* bindings into nodes that did not exist when bound */
	wf_binding **orphans;
	size_t n_orphans;
	name_map node_names;  /* first node of each name */
	name_map input_names; /* first input of each name */
};

/* Index of the first node / input named name, or SIZE_MAX. */
size_t cachet__workflow_find_node(const cachet_workflow *wf, const char *name);
size_t cachet__workflow_find_input(const cachet_workflow *wf, const char *name);

/* The type of a source (NULL when it cannot be known: an unknown name). */
const cachet_literal_type *cachet__source_type(const cachet_workflow *wf,
					       const cachet_source *src);

typedef const char *(*name_of_fn)(const void *item);
int cachet__name_map_add(name_map *m, void *const *items, size_t index, name_of_fn name_of);
size_t cachet__name_map_find(const name_map *m, void *const *items, const char *name,
			     name_of_fn name_of);
void cachet__name_map_dispose(name_map *m);

#endif
