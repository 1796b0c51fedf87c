/*
 * A small YAML tree for workflow files: scalars, sequences and mappings,
 * each with the line and column where it starts, built from libyaml's
 * events.
 *
 * Only what a workflow file needs is accepted, so that every error can
 * name its place: one document; mapping keys that are scalars and unique;
 * no anchors, aliases or explicit tags (an alias can make a small file
 * expand exponentially, and tags would be a second type system beside the
 * declared types). Scalars are kept as text: their meaning comes from the
 * type they are read as, not from YAML's guesses ("no" stays "no").
 *
 * The whole tree lives in one arena, freed at once.
 */
#ifndef CACHET_WORKFLOW_YAML_H
#define CACHET_WORKFLOW_YAML_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

/* How deep sequences and mappings may nest. */
#define CACHET__YAML_MAX_DEPTH 64

typedef enum cachet__yaml_kind {
	CACHET__YAML_SCALAR,
	CACHET__YAML_SEQ,
	CACHET__YAML_MAP
} cachet__yaml_kind;

typedef struct cachet__yaml_node cachet__yaml_node;

typedef struct cachet__yaml_pair {
	cachet__yaml_node *key; /* always a scalar */
	cachet__yaml_node *value;
} cachet__yaml_pair;

struct cachet__yaml_node {
	cachet__yaml_kind kind;
	unsigned line, column; /* 1-based, where the node starts */
	union {
		struct { /* SCALAR */
			const char *text; /* NUL-terminated; may hold NULs (len counts) */
			size_t len;
			bool plain; /* unquoted: "", "~" and "null" then mean null */
		};
		struct { /* SEQ */
			cachet__yaml_node **items;
			size_t n_items;
		};
		struct { /* MAP, in document order */
			cachet__yaml_pair *pairs;
			size_t n_pairs;
		};
	};
};

typedef struct cachet__yaml_tree cachet__yaml_tree;

/*
 * Parse data as one YAML document. name is how messages call the source
 * ("wf.yaml"); every error is CACHET_EINVALID "<name>:<line>:<col>: <what>"
 * (or CACHET_ENOMEM). An empty document gives a tree whose root is NULL.
 */
int cachet__yaml_parse(cachet__yaml_tree **out, const char *data, size_t len,
		       const char *name);
void cachet__yaml_tree_free(cachet__yaml_tree *tree);

/* The root node (NULL for an empty document) and the source's name. */
const cachet__yaml_node *cachet__yaml_root(const cachet__yaml_tree *tree);
const char *cachet__yaml_name(const cachet__yaml_tree *tree);

/* Allocate size bytes (zeroed) that live as long as the tree. */
void *cachet__yaml_alloc(cachet__yaml_tree *tree, size_t size);

/* The value under key in a mapping, or NULL. Linear: mappings in workflow
 * files are small, and big ones are walked in order instead. */
const cachet__yaml_node *cachet__yaml_get(const cachet__yaml_node *map, const char *key);

/* True for a plain scalar that YAML reads as null: "", "~", "null",
 * "Null", "NULL". */
bool cachet__yaml_is_null(const cachet__yaml_node *n);

/* True when the scalar's text equals s. */
bool cachet__yaml_is(const cachet__yaml_node *n, const char *s);

/* "a mapping", "a sequence", "a string" (for a scalar), "nothing" (null). */
const char *cachet__yaml_kind_name(const cachet__yaml_node *n);

/*
 * Record CACHET_EINVALID with "<name>:<line>:<col>: <message>" at node n
 * (n NULL: "<name>: <message>"); returns CACHET_EINVALID.
 */
int cachet__yaml_error(const char *name, const cachet__yaml_node *n, const char *fmt, ...)
	CACHET__PRINTF(3, 4);

#endif
