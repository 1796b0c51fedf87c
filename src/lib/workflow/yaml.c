/*
 * The YAML tree: libyaml's event parser, folded into nodes with marks.
 *
 * Containers are built on a stack: while a sequence or mapping is open its
 * children collect in one shared growable array; when it closes they are
 * copied into the arena as the container's own array. So every node,
 * string and array of a tree is in the arena, and freeing the tree is
 * freeing its chunks.
 */
#include "workflow/yaml.h"

#include "util/alloc.h"
#include "util/buf.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- the arena ---- */

#define CHUNK_SIZE (64 * 1024)

typedef struct chunk {
	struct chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
} chunk;

struct cachet__yaml_tree {
	chunk *chunks;
	cachet__yaml_node *root;
	char *name;
};

void *cachet__yaml_alloc(cachet__yaml_tree *tree, size_t size)
{
	const size_t align = alignof(max_align_t);
	size = (size + align - 1) & ~(align - 1);
	chunk *c = tree->chunks;
	if (c == NULL || c->cap - c->used < size) {
		size_t cap = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;
		chunk *fresh = cachet__malloc(sizeof(chunk) + cap);
		if (fresh == NULL)
			return NULL;
		fresh->used = 0;
		fresh->cap = cap;
		if (c != NULL && cap != CHUNK_SIZE) {
			/* a big block: keep filling the current chunk after it */
			fresh->next = c->next;
			c->next = fresh;
		} else {
			fresh->next = c;
			tree->chunks = fresh;
		}
		c = fresh;
	}
	void *p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

void cachet__yaml_tree_free(cachet__yaml_tree *tree)
{
	if (tree == NULL)
		return;
	for (chunk *c = tree->chunks, *next; c != NULL; c = next) {
		next = c->next;
		cachet__free(c);
	}
	cachet__free(tree->name);
	cachet__free(tree);
}

const cachet__yaml_node *cachet__yaml_root(const cachet__yaml_tree *tree)
{
	return tree->root;
}

const char *cachet__yaml_name(const cachet__yaml_tree *tree)
{
	return tree->name;
}

/* ---- messages ---- */

int cachet__yaml_error(const char *name, const cachet__yaml_node *n, const char *fmt, ...)
{
	char what[2048];
	va_list ap;

	/* the message first, then the place: the file's name is never part of
	 * a format ("wf%s.yaml") */
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (n != NULL)
		return cachet__error(CACHET_EINVALID, "%s:%u:%u: %s", name, n->line, n->column,
				     what);
	return cachet__error(CACHET_EINVALID, "%s: %s", name, what);
}

static int error_at(const char *name, size_t line0, size_t col0, const char *fmt, ...)
	CACHET__PRINTF(4, 5);

static int error_at(const char *name, size_t line0, size_t col0, const char *fmt, ...)
{
	cachet__yaml_node where = {.line = (unsigned)line0 + 1, .column = (unsigned)col0 + 1};
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cachet__yaml_error(name, &where, "%s", msg);
}

/* ---- queries ---- */

const cachet__yaml_node *cachet__yaml_get(const cachet__yaml_node *map, const char *key)
{
	if (map == NULL || map->kind != CACHET__YAML_MAP)
		return NULL;
	for (size_t i = 0; i < map->n_pairs; i++)
		if (cachet__yaml_is(map->pairs[i].key, key))
			return map->pairs[i].value;
	return NULL;
}

bool cachet__yaml_is(const cachet__yaml_node *n, const char *s)
{
	return n != NULL && n->kind == CACHET__YAML_SCALAR && strlen(s) == n->len &&
	       memcmp(n->text, s, n->len) == 0;
}

bool cachet__yaml_is_null(const cachet__yaml_node *n)
{
	return n != NULL && n->kind == CACHET__YAML_SCALAR && n->plain &&
	       (n->len == 0 || cachet__yaml_is(n, "~") || cachet__yaml_is(n, "null") ||
		cachet__yaml_is(n, "Null") || cachet__yaml_is(n, "NULL"));
}

const char *cachet__yaml_kind_name(const cachet__yaml_node *n)
{
	if (n == NULL || cachet__yaml_is_null(n))
		return "nothing";
	switch (n->kind) {
	case CACHET__YAML_SEQ: return "a sequence";
	case CACHET__YAML_MAP: return "a mapping";
	case CACHET__YAML_SCALAR:
	default: return "a string";
	}
}

/* ---- building ---- */

/* An open container and where its children start on the pending stack. */
typedef struct frame {
	cachet__yaml_node *node;
	size_t first;
} frame;

typedef struct builder {
	cachet__yaml_tree *tree;
	const char *data;
	size_t len;
	frame stack[CACHET__YAML_MAX_DEPTH];
	size_t depth;
	cachet__yaml_node **pending; /* children of the open containers */
	size_t n_pending, cap_pending;
	int documents;
} builder;

static int push_pending(builder *b, cachet__yaml_node *n)
{
	if (b->n_pending == b->cap_pending) {
		size_t cap = b->cap_pending ? b->cap_pending * 2 : 64;
		cachet__yaml_node **grown = cachet__reallocarray(b->pending, cap, sizeof *grown);
		if (grown == NULL)
			return CACHET_ENOMEM;
		b->pending = grown;
		b->cap_pending = cap;
	}
	b->pending[b->n_pending++] = n;
	return 0;
}

static cachet__yaml_node *new_node(builder *b, cachet__yaml_kind kind, const yaml_mark_t *m)
{
	cachet__yaml_node *n = cachet__yaml_alloc(b->tree, sizeof *n);
	if (n != NULL) {
		n->kind = kind;
		n->line = (unsigned)m->line + 1;
		n->column = (unsigned)m->column + 1;
	}
	return n;
}

/* Attach a finished node to the open container, or make it the root. */
static int attach(builder *b, cachet__yaml_node *n)
{
	if (b->depth == 0) {
		b->tree->root = n;
		return 0;
	}
	frame *f = &b->stack[b->depth - 1];
	if (f->node->kind == CACHET__YAML_MAP && (b->n_pending - f->first) % 2 == 0 &&
	    n->kind != CACHET__YAML_SCALAR)
		return cachet__yaml_error(b->tree->name, n,
					  "a mapping key must be a string, not %s%s",
					  cachet__yaml_kind_name(n),
					  n->kind == CACHET__YAML_MAP
						  ? " (YAML reads an unquoted {{...}} as a mapping: "
						    "put it in quotes, \"{{inputs.a}}\")"
						  : "");
	/* keys are read as C strings: "a\0b" would silently become "a" */
	if (f->node->kind == CACHET__YAML_MAP && (b->n_pending - f->first) % 2 == 0 &&
	    memchr(n->text, '\0', n->len) != NULL)
		return cachet__yaml_error(b->tree->name, n,
					  "a mapping key cannot contain a NUL character");
	return push_pending(b, n);
}

static int compare_keys(const void *pa, const void *pb)
{
	const cachet__yaml_pair *a = *(cachet__yaml_pair *const *)pa;
	const cachet__yaml_pair *b = *(cachet__yaml_pair *const *)pb;
	size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
	int c = memcmp(a->key->text, b->key->text, n);
	if (c != 0)
		return c;
	if (a->key->len != b->key->len)
		return a->key->len < b->key->len ? -1 : 1;
	/* equal keys: document order, so the later one is reported */
	return a < b ? -1 : a > b;
}

static bool same_key(const cachet__yaml_node *a, const cachet__yaml_node *b)
{
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* Duplicate keys: a quadratic scan for small mappings, a sort for big
 * ones (a 10,000-node workflow has a 10,000-key `nodes` mapping). */
static int check_duplicates(builder *b, const cachet__yaml_node *map)
{
	const cachet__yaml_pair *dup = NULL, *first = NULL;
	int rc = 0;

	if (map->n_pairs <= 16) {
		for (size_t i = 1; i < map->n_pairs && dup == NULL; i++)
			for (size_t j = 0; j < i; j++)
				if (same_key(map->pairs[i].key, map->pairs[j].key)) {
					dup = &map->pairs[i];
					first = &map->pairs[j];
					break;
				}
	} else {
		const cachet__yaml_pair **sorted =
			cachet__reallocarray(NULL, map->n_pairs, sizeof *sorted);
		if (sorted == NULL)
			return CACHET_ENOMEM;
		for (size_t i = 0; i < map->n_pairs; i++)
			sorted[i] = &map->pairs[i];
		qsort(sorted, map->n_pairs, sizeof *sorted, compare_keys);
		/* report the duplicate that comes first in the document */
		for (size_t i = 1; i < map->n_pairs; i++)
			if (same_key(sorted[i]->key, sorted[i - 1]->key) &&
			    (dup == NULL || sorted[i] < dup) &&
			    (i < 2 || !same_key(sorted[i - 2]->key, sorted[i]->key))) {
				dup = sorted[i];
				first = sorted[i - 1];
			}
		cachet__free(sorted);
	}
	if (dup != NULL)
		rc = cachet__yaml_error(b->tree->name, dup->key,
					"duplicate key '%s' (first at line %u, column %u)",
					dup->key->text, first->key->line, first->key->column);
	return rc;
}

/* Close the innermost container: move its children into the arena. */
static int close_container(builder *b)
{
	frame *f = &b->stack[--b->depth];
	cachet__yaml_node *n = f->node;
	size_t count = b->n_pending - f->first;
	/* pending is NULL until a first child is kept: no arithmetic on NULL */
	cachet__yaml_node **kids = count > 0 ? b->pending + f->first : NULL;

	if (n->kind == CACHET__YAML_SEQ) {
		n->n_items = count;
		if (count > 0) {
			n->items = cachet__yaml_alloc(b->tree, count * sizeof *n->items);
			if (n->items == NULL)
				return CACHET_ENOMEM;
			memcpy(n->items, kids, count * sizeof *kids);
		}
	} else {
		n->n_pairs = count / 2;
		if (count > 0) {
			n->pairs = cachet__yaml_alloc(b->tree, n->n_pairs * sizeof *n->pairs);
			if (n->pairs == NULL)
				return CACHET_ENOMEM;
			for (size_t i = 0; i < n->n_pairs; i++) {
				n->pairs[i].key = kids[2 * i];
				n->pairs[i].value = kids[2 * i + 1];
			}
			int rc = check_duplicates(b, n);
			if (rc < 0)
				return rc;
		}
	}
	b->n_pending = f->first;
	return attach(b, n);
}

static int open_container(builder *b, cachet__yaml_kind kind, const yaml_mark_t *m)
{
	if (b->depth == CACHET__YAML_MAX_DEPTH)
		return error_at(b->tree->name, m->line, m->column,
				"nested deeper than %d levels", CACHET__YAML_MAX_DEPTH);
	cachet__yaml_node *n = new_node(b, kind, m);
	if (n == NULL)
		return CACHET_ENOMEM;
	b->stack[b->depth].node = n;
	b->stack[b->depth].first = b->n_pending;
	b->depth++;
	return 0;
}

static int add_scalar(builder *b, const yaml_event_t *ev)
{
	cachet__yaml_node *n = new_node(b, CACHET__YAML_SCALAR, &ev->start_mark);
	if (n == NULL)
		return CACHET_ENOMEM;
	size_t len = ev->data.scalar.length;
	char *text = cachet__yaml_alloc(b->tree, len + 1);
	if (text == NULL)
		return CACHET_ENOMEM;
	memcpy(text, ev->data.scalar.value, len);
	n->text = text;
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, n);
}

/* Line and column (0-based) of a byte offset: for reader errors, which
 * libyaml reports by offset only. */
static void locate(const char *data, size_t len, size_t offset, size_t *line, size_t *col)
{
	*line = 0;
	*col = 0;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 0;
		} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static int syntax_error(builder *b, const yaml_parser_t *p)
{
	const char *name = b->tree->name;
	const char *problem = p->problem ? p->problem : "cannot be parsed";

	if (p->error == YAML_MEMORY_ERROR)
		return cachet__error_oom();
	if (p->error == YAML_READER_ERROR) {
		size_t line, col;
		locate(b->data, b->len, p->problem_offset, &line, &col);
		return error_at(name, line, col, "invalid YAML: %s", problem);
	}
	if (p->context != NULL)
		return error_at(name, p->problem_mark.line, p->problem_mark.column,
				"invalid YAML: %s (%s at line %zu, column %zu)", problem,
				p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	return error_at(name, p->problem_mark.line, p->problem_mark.column, "invalid YAML: %s",
			problem);
}

static int handle_event(builder *b, const yaml_event_t *ev)
{
	const char *name = b->tree->name;
	const yaml_mark_t *m = &ev->start_mark;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1)
			return error_at(name, m->line, m->column,
					"a workflow file holds one YAML document, this is a second");
		return 0;
	case YAML_ALIAS_EVENT:
		return error_at(name, m->line, m->column,
				"aliases (*%s) are not supported: write the value out",
				(const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		const yaml_char_t *anchor = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.anchor
					    : ev->type == YAML_SEQUENCE_START_EVENT
						    ? ev->data.sequence_start.anchor
						    : ev->data.mapping_start.anchor;
		const yaml_char_t *tag = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.tag
					 : ev->type == YAML_SEQUENCE_START_EVENT
						 ? ev->data.sequence_start.tag
						 : ev->data.mapping_start.tag;
		if (anchor != NULL)
			return error_at(name, m->line, m->column,
					"anchors (&%s) are not supported", (const char *)anchor);
		if (tag != NULL)
			return error_at(name, m->line, m->column,
					"tags (%s) are not supported: types come from the "
					"declarations",
					(const char *)tag);
		if (ev->type == YAML_SCALAR_EVENT)
			return add_scalar(b, ev);
		return open_container(b,
				      ev->type == YAML_SEQUENCE_START_EVENT ? CACHET__YAML_SEQ
									    : CACHET__YAML_MAP,
				      m);
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return close_container(b);
	default:
		return 0;
	}
}

int cachet__yaml_parse(cachet__yaml_tree **out, const char *data, size_t len,
		       const char *name)
{
	yaml_parser_t parser;
	yaml_event_t event;
	builder b = {0};
	int rc = 0;
	bool done = false;

	*out = NULL;
	if ((b.tree = cachet__calloc(1, sizeof *b.tree)) == NULL)
		return CACHET_ENOMEM;
	if ((b.tree->name = cachet__strdup(name ? name : "<workflow>")) == NULL) {
		cachet__yaml_tree_free(b.tree);
		return CACHET_ENOMEM;
	}
	b.data = data;
	b.len = len;
	if (!yaml_parser_initialize(&parser)) {
		cachet__yaml_tree_free(b.tree);
		return cachet__error_oom();
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			rc = syntax_error(&b, &parser);
			break;
		}
		rc = handle_event(&b, &event);
		done = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&parser);
	cachet__free(b.pending);
	if (rc < 0) {
		cachet__yaml_tree_free(b.tree);
		return rc;
	}
	*out = b.tree;
	return 0;
}
