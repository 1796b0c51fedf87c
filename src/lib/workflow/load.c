/*
 * Loading a workflow file: walk the YAML tree, check every key and kind,
 * and build the engine's workflow through its public builders, handing
 * each piece's place ("wf.yaml:12:5") to the engine as its `where`, so that
 * the engine's validation names places in the file.
 *
 * Errors in the file's shape (a wrong key, a bad type, a value that does
 * not fit) stop the load at the first one; the engine's validation then
 * reports every problem of the graph at once.
 */
#include "cachet/workflow.h"

#include "util/alloc.h"
#include "util/version.h"
#include "util/buf.h"
#include "util/input.h"
#include "workflow/types.h"
#include "workflow/yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct task_entry {
	const char *name;
	cachet_task *task;
} task_entry;

typedef struct loader {
	const char *name;     /* the file, for messages */
	const char *base_dir; /* relative paths in values; NULL: cwd */
	cachet__yaml_tree *tree;
	cachet_workflow *wf;
	task_entry *tasks; /* sorted by name */
	size_t n_tasks;
	cachet_buf where; /* scratch for location tokens */
} loader;

/* ---- small helpers ---- */

/* "<file>:<line>:<col>" of n, in ld->where (valid until the next call). */
static const char *where(loader *ld, const cachet__yaml_node *n)
{
	cachet__buf_clear(&ld->where);
	if (cachet__buf_printf(&ld->where, "%s:%u:%u", ld->name, n->line, n->column) < 0)
		return NULL;
	return ld->where.ptr;
}

/* Put the place of n in front of the current error (an engine builder's). */
static int fail_at(loader *ld, const cachet__yaml_node *n, int rc)
{
	if (rc == CACHET_ENOMEM)
		return rc;
	return cachet__error_prefix("%s:%u:%u", ld->name, n->line, n->column);
}

/* Refuse keys of map that are not in allowed (NULL-terminated). */
static int check_keys(loader *ld, const cachet__yaml_node *map, const char *const *allowed,
		      const char *what)
{
	for (size_t i = 0; i < map->n_pairs; i++) {
		const cachet__yaml_node *k = map->pairs[i].key;
		bool ok = false;
		for (size_t j = 0; allowed[j] != NULL && !ok; j++)
			ok = cachet__yaml_is(k, allowed[j]);
		if (ok)
			continue;
		char list[256] = "";
		for (size_t j = 0; allowed[j] != NULL; j++) {
			strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
			strncat(list, allowed[j], sizeof list - strlen(list) - 1);
		}
		return cachet__yaml_error(ld->name, k, "unknown key '%s' in %s; expected one of: %s",
					  k->text, what, list);
	}
	return 0;
}

/* n must be a mapping, or null (taken as an empty mapping). */
static int expect_map(loader *ld, const cachet__yaml_node *n, const char *what)
{
	if (n->kind == CACHET__YAML_MAP || cachet__yaml_is_null(n))
		return 0;
	return cachet__yaml_error(ld->name, n, "%s must be a mapping, not %s", what,
				  cachet__yaml_kind_name(n));
}

static size_t pairs_of(const cachet__yaml_node *n)
{
	return n->kind == CACHET__YAML_MAP ? n->n_pairs : 0;
}

/* A non-empty string scalar. */
static int get_string(loader *ld, const cachet__yaml_node *n, const char *what,
		      const char **out)
{
	if (n->kind != CACHET__YAML_SCALAR || cachet__yaml_is_null(n) || n->len == 0)
		return cachet__yaml_error(ld->name, n, "%s must be a non-empty string, not %s", what,
					  n->kind == CACHET__YAML_SCALAR && n->len == 0
						  ? "an empty one"
						  : cachet__yaml_kind_name(n));
	if (memchr(n->text, '\0', n->len) != NULL)
		return cachet__yaml_error(ld->name, n, "%s cannot contain a NUL character", what);
	*out = n->text;
	return 0;
}

static int get_bool(loader *ld, const cachet__yaml_node *n, const char *what, bool *out)
{
	if (cachet__yaml_is(n, "true")) {
		*out = true;
		return 0;
	}
	if (cachet__yaml_is(n, "false")) {
		*out = false;
		return 0;
	}
	return cachet__yaml_error(ld->name, n, "%s must be true or false, not %s%s%s", what,
				  n->kind == CACHET__YAML_SCALAR ? "'" : "",
				  n->kind == CACHET__YAML_SCALAR ? n->text : cachet__yaml_kind_name(n),
				  n->kind == CACHET__YAML_SCALAR ? "'" : "");
}

static int get_duration_ms(loader *ld, const cachet__yaml_node *n, const char *what,
			   int64_t *out)
{
	cachet_duration d;
	if (n->kind != CACHET__YAML_SCALAR || cachet__wf_duration_parse(&d, n->text) < 0)
		return cachet__yaml_error(ld->name, n,
					  "%s must be a duration such as 30s, 1m30s, 250ms, 2h or "
					  "7d, not %s%s%s",
					  what, n->kind == CACHET__YAML_SCALAR ? "'" : "",
					  n->kind == CACHET__YAML_SCALAR ? n->text
									 : cachet__yaml_kind_name(n),
					  n->kind == CACHET__YAML_SCALAR ? "'" : "");
	*out = d.seconds * 1000 + d.nanos / 1000000;
	if (*out == 0 && (d.seconds != 0 || d.nanos != 0))
		*out = 1; /* under a millisecond still means "a limit" */
	return 0;
}

/* A printf'd label in the tree's arena (lives as long as the load). */
static const char *label(loader *ld, const char *fmt, ...) CACHET__PRINTF(2, 3);

static const char *label(loader *ld, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n < 0 ? NULL : cachet__yaml_alloc(ld->tree, (size_t)n + 1);
	if (s != NULL) {
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return s;
}

/* ---- variables and types ---- */

/*
 * A variable: TYPE, or {type: TYPE, description: TEXT} (plus `hash` for a
 * task output, `default` for a workflow input, when allowed). Returns the
 * type and sets *spec to the mapping form (NULL for the short form).
 */
static int load_variable(loader *ld, const cachet__yaml_node *n, const char *const *keys,
			 const char *what, cachet_literal_type **type,
			 const cachet__yaml_node **spec)
{
	int rc;

	*spec = NULL;
	if (n->kind == CACHET__YAML_MAP && cachet__yaml_get(n, "type") != NULL) {
		if ((rc = check_keys(ld, n, keys, what)) < 0)
			return rc;
		*spec = n;
		n = cachet__yaml_get(n, "type");
	}
	return cachet__wf_type_parse(type, ld->name, n);
}

static const char *description_of(loader *ld, const cachet__yaml_node *spec, int *rc)
{
	const cachet__yaml_node *d = cachet__yaml_get(spec, "description");
	const char *text = NULL;
	*rc = 0;
	if (d != NULL && !cachet__yaml_is_null(d))
		*rc = get_string(ld, d, "description", &text);
	return text;
}

/* ---- references ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Whether scalar n is a reference: its whole text "{{inputs.NAME}}" or
 * "{{NODE.outputs.NAME}}" (spaces allowed inside the braces). 1 and *src
 * filled (strings in the arena) when it is, 0 when it is not, < 0 for a
 * malformed one.
 */
static int parse_reference(loader *ld, const cachet__yaml_node *n, cachet_source *src)
{
	const char *s = n->text, *e = n->text + n->len;

	if (n->kind != CACHET__YAML_SCALAR)
		return 0;
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	if (e - s < 4 || memcmp(s, "{{", 2) != 0 || memcmp(e - 2, "}}", 2) != 0 ||
	    (e - s >= 4 && memcmp(s, "{{{{", 4) == 0))
		return 0;
	s += 2;
	e -= 2;
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	size_t len = (size_t)(e - s);
	char *ref = cachet__yaml_alloc(ld->tree, len + 1);
	if (ref == NULL)
		return CACHET_ENOMEM;
	memcpy(ref, s, len);

	/* NODE.outputs.NAME: node names may hold dots, so read from the right */
	char *last = strrchr(ref, '.');
	if (last != NULL && last > ref + 8 && memcmp(last - 8, ".outputs", 8) == 0 &&
	    last[1] != '\0') {
		last[-8] = '\0';
		*src = (cachet_source){CACHET_SOURCE_OUTPUT, ref, last + 1, NULL};
		return 1;
	}
	if (strncmp(ref, "inputs.", 7) == 0 && ref[7] != '\0' && strchr(ref + 7, '.') == NULL) {
		*src = (cachet_source){CACHET_SOURCE_INPUT, NULL, ref + 7, NULL};
		return 1;
	}
	return cachet__yaml_error(ld->name, n,
				  "unknown reference '{{%s}}': write {{inputs.NAME}} for a "
				  "workflow input or {{NODE.outputs.NAME}} for a node's output",
				  ref);
}

/*
 * In a constant, "{{" starts a reference, which must be the whole value;
 * "{{{{" is a literal "{{". Check every scalar of n and unescape in place
 * (the tree is the loader's own).
 */
static int check_constant(loader *ld, const cachet__yaml_node *n, bool nested)
{
	if (n->kind == CACHET__YAML_SEQ) {
		for (size_t i = 0; i < n->n_items; i++) {
			int rc = check_constant(ld, n->items[i], true);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (n->kind == CACHET__YAML_MAP) {
		for (size_t i = 0; i < n->n_pairs; i++) {
			int rc = check_constant(ld, n->pairs[i].value, true);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (strstr(n->text, "{{") == NULL) /* NULs were refused earlier or are harmless */
		return 0;
	char *text = (char *)n->text; /* arena memory, ours */
	size_t r = 0, w = 0;
	while (r < n->len) {
		if (text[r] == '{' && r + 1 < n->len && text[r + 1] == '{') {
			if (r + 3 < n->len && text[r + 2] == '{' && text[r + 3] == '{') {
				text[w++] = '{';
				text[w++] = '{';
				r += 4;
				continue;
			}
			cachet_source src;
			int isref = parse_reference(ld, n, &src);
			if (isref < 0)
				return isref;
			if (isref && nested)
				return cachet__yaml_error(ld->name, n,
							  "a reference cannot be inside a list or "
							  "map; bind the whole input to it");
			return cachet__yaml_error(ld->name, n,
						  "'{{' starts a reference, which must be the whole "
						  "value (\"{{inputs.a}}\"); write '{{{{' for a "
						  "literal '{{'");
		}
		text[w++] = text[r++];
	}
	text[w] = '\0';
	((cachet__yaml_node *)n)->len = w;
	return 0;
}

/* ---- sections ---- */

static int load_inputs(loader *ld, const cachet__yaml_node *inputs)
{
	static const char *const keys[] = {"type", "default", "description", NULL};
	int rc;

	if ((rc = expect_map(ld, inputs, "inputs")) < 0)
		return rc;
	for (size_t i = 0; i < pairs_of(inputs); i++) {
		const cachet__yaml_pair *p = &inputs->pairs[i];
		const cachet__yaml_node *spec, *def;
		cachet_literal_type *type = NULL;
		cachet_literal *value = NULL;
		const char *what = label(ld, "input '%s'", p->key->text);

		if (what == NULL)
			return CACHET_ENOMEM;
		if ((rc = load_variable(ld, p->value, keys, what, &type, &spec)) < 0)
			return rc;
		description_of(ld, spec, &rc);
		if (rc == 0 && spec != NULL && (def = cachet__yaml_get(spec, "default")) != NULL) {
			cachet__wf_value_ctx ctx = {ld->name, what, ld->base_dir};
			rc = cachet__wf_value_from_node(&value, &ctx, type, def);
		}
		if (rc < 0) {
			cachet_literal_type_free(type);
			return rc;
		}
		const char *at = where(ld, p->key);
		if (at == NULL) {
			cachet_literal_type_free(type);
			cachet_literal_free(value);
			return CACHET_ENOMEM;
		}
		if ((rc = cachet_workflow_add_input(ld->wf, p->key->text, type, value, at)) < 0)
			return fail_at(ld, p->key, rc);
	}
	return 0;
}

static int load_hash(loader *ld, cachet_task *task, const char *output,
		     const cachet__yaml_node *n)
{
	static const char *const keys[] = {"command", "timeout", NULL};
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	const char **argv = NULL;
	int rc;

	if (cachet__yaml_is(n, "content")) {
		m.kind = CACHET_HASH_CONTENT;
	} else if (cachet__yaml_is(n, "none")) {
		m.kind = CACHET_HASH_NONE;
	} else if (cachet__yaml_is(n, "value")) {
		m.kind = CACHET_HASH_VALUE;
	} else if (n->kind == CACHET__YAML_MAP && cachet__yaml_get(n, "command") != NULL) {
		const char *what = label(ld, "the hash of output '%s'", output);
		if (what == NULL)
			return CACHET_ENOMEM;
		if ((rc = check_keys(ld, n, keys, what)) < 0)
			return rc;
		const cachet__yaml_node *cmd = cachet__yaml_get(n, "command");
		if (cmd->kind != CACHET__YAML_SEQ || cmd->n_items == 0)
			return cachet__yaml_error(ld->name, cmd,
						  "a hash command is a non-empty sequence of "
						  "arguments, not %s",
						  cachet__yaml_kind_name(cmd));
		if ((argv = cachet__calloc(cmd->n_items + 1, sizeof *argv)) == NULL)
			return CACHET_ENOMEM;
		for (size_t i = 0; i < cmd->n_items; i++)
			if ((rc = get_string(ld, cmd->items[i], "an argument", &argv[i])) < 0)
				goto done;
		const cachet__yaml_node *t = cachet__yaml_get(n, "timeout");
		int64_t ms = 0;
		if (t != NULL && (rc = get_duration_ms(ld, t, "a hash command's timeout", &ms)) < 0)
			goto done;
		m.kind = CACHET_HASH_COMMAND;
		m.argv = argv;
		m.timeout_ms = ms > (int64_t)UINT32_MAX ? UINT32_MAX : (unsigned int)ms;
	} else {
		return cachet__yaml_error(ld->name, n,
					  "hash must be content, none, value or {command: [...]}, "
					  "not %s%s%s",
					  n->kind == CACHET__YAML_SCALAR ? "'" : "",
					  n->kind == CACHET__YAML_SCALAR ? n->text
									 : cachet__yaml_kind_name(n),
					  n->kind == CACHET__YAML_SCALAR ? "'" : "");
	}
	rc = cachet_task_set_hash_method(task, output, &m);
	if (rc < 0)
		rc = fail_at(ld, n, rc);
done:
	cachet__free(argv);
	return rc;
}

static int load_cache(loader *ld, cachet_task *task, const cachet__yaml_node *n,
		      const char *task_name)
{
	static const char *const keys[] = {"enabled", "version", "serializable", "ignore",
					   "max_age", NULL};
	cachet_task_cache cache = CACHET_TASK_CACHE_INIT;
	const char **ignore = NULL;
	int rc;

	if (cachet__yaml_is_null(n) || cachet__yaml_is(n, "false"))
		return 0;
	if (cachet__yaml_is(n, "true"))
		return cachet__yaml_error(ld->name, n,
					  "a cache needs a version: write cache: {version: \"1.0\"}");
	if (n->kind != CACHET__YAML_MAP)
		return cachet__yaml_error(ld->name, n,
					  "cache must be false or a mapping such as {version: "
					  "\"1.0\"}, not %s",
					  cachet__yaml_kind_name(n));
	const char *what = label(ld, "the cache of task '%s'", task_name);
	if (what == NULL)
		return CACHET_ENOMEM;
	if ((rc = check_keys(ld, n, keys, what)) < 0)
		return rc;
	cache.enabled = true;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const cachet__yaml_node *k = n->pairs[i].key, *v = n->pairs[i].value;
		if (cachet__yaml_is(k, "enabled"))
			rc = get_bool(ld, v, "enabled", &cache.enabled);
		else if (cachet__yaml_is(k, "version"))
			rc = get_string(ld, v, "the cache version", &cache.cache_version);
		else if (cachet__yaml_is(k, "serializable"))
			rc = get_bool(ld, v, "serializable", &cache.serializable);
		else if (cachet__yaml_is(k, "max_age"))
			rc = get_duration_ms(ld, v, "max_age", &cache.max_age_ms);
		else if (v->kind != CACHET__YAML_SEQ && !cachet__yaml_is_null(v))
			rc = cachet__yaml_error(ld->name, v,
						"ignore must be a sequence of input names, not %s",
						cachet__yaml_kind_name(v));
		else if (v->kind == CACHET__YAML_SEQ && v->n_items > 0) {
			ignore = cachet__calloc(v->n_items, sizeof *ignore);
			if (ignore == NULL) {
				rc = CACHET_ENOMEM;
				goto done;
			}
			for (size_t j = 0; j < v->n_items && rc == 0; j++)
				rc = get_string(ld, v->items[j], "an ignored input", &ignore[j]);
			cache.ignore = ignore;
			cache.n_ignore = v->n_items;
		}
		if (rc < 0)
			goto done;
	}
	if (cache.enabled && cache.cache_version == NULL) {
		rc = cachet__yaml_error(ld->name, n,
					"a cache needs a version: add version: \"1.0\" (change it "
					"when the task's results change)");
		goto done;
	}
	if ((rc = cachet_task_set_cache(task, &cache)) < 0)
		rc = fail_at(ld, n, rc);
done:
	cachet__free(ignore);
	return rc;
}

static int load_interface(loader *ld, cachet_interface *iface, const cachet__yaml_node *vars,
			  bool is_output, const char *task_name)
{
	static const char *const in_keys[] = {"type", "description", NULL};
	static const char *const out_keys[] = {"type", "description", "hash", NULL};
	int rc;

	if ((rc = expect_map(ld, vars, is_output ? "outputs" : "inputs")) < 0)
		return rc;
	for (size_t i = 0; i < pairs_of(vars); i++) {
		const cachet__yaml_pair *p = &vars->pairs[i];
		const cachet__yaml_node *spec;
		cachet_literal_type *type;
		const char *what = label(ld, "%s '%s' of task '%s'", is_output ? "output" : "input",
					 p->key->text, task_name);
		if (what == NULL)
			return CACHET_ENOMEM;
		if ((rc = load_variable(ld, p->value, is_output ? out_keys : in_keys, what, &type,
					&spec)) < 0)
			return rc;
		const char *desc = description_of(ld, spec, &rc);
		if (rc < 0) {
			cachet_literal_type_free(type);
			return rc;
		}
		if ((rc = cachet_interface_add(iface, is_output, p->key->text, type, desc)) < 0)
			return fail_at(ld, p->key, rc);
	}
	return 0;
}

/* The engine names a bad argument "argv[N]: ..."; point at that item. */
static int command_error(loader *ld, const cachet__yaml_node *cmd, const char *task, int rc)
{
	size_t i;
	const cachet__yaml_node *at = cmd;

	if (rc == CACHET_ENOMEM)
		return rc;
	if (sscanf(cachet_error_last()->message, "argv[%zu]", &i) == 1 && i < cmd->n_items)
		at = cmd->items[i];
	return cachet__error_prefix("%s:%u:%u: task '%s'", ld->name, at->line, at->column, task);
}

static int load_task(loader *ld, const cachet__yaml_pair *p, cachet_task **out)
{
	static const char *const keys[] = {"inputs", "outputs", "command", "cache",
					   "timeout", "env", "description", NULL};
	const char *name = p->key->text;
	const cachet__yaml_node *t = p->value, *n;
	cachet_interface *iface = NULL;
	cachet_task *task = NULL;
	const char **argv = NULL;
	int rc;

	*out = NULL;
	const char *what = label(ld, "task '%s'", name);
	if (what == NULL)
		return CACHET_ENOMEM;
	if (t->kind != CACHET__YAML_MAP)
		return cachet__yaml_error(ld->name, t, "task '%s' must be a mapping, not %s", name,
					  cachet__yaml_kind_name(t));
	if ((rc = check_keys(ld, t, keys, what)) < 0)
		return rc;
	const cachet__yaml_node *cmd = cachet__yaml_get(t, "command");
	if (cmd == NULL)
		return cachet__yaml_error(ld->name, p->key,
					  "task '%s' has no command; write command: [program, "
					  "arguments...]",
					  name);
	if (cmd->kind != CACHET__YAML_SEQ || cmd->n_items == 0)
		return cachet__yaml_error(ld->name, cmd,
					  "a command is a non-empty sequence of arguments, not %s "
					  "(no shell: write [sh, -c, 'script'] for one)",
					  cachet__yaml_kind_name(cmd));

	if ((rc = cachet_interface_new(&iface)) < 0)
		return rc;
	if ((n = cachet__yaml_get(t, "inputs")) != NULL &&
	    (rc = load_interface(ld, iface, n, false, name)) < 0)
		goto done;
	if ((n = cachet__yaml_get(t, "outputs")) != NULL &&
	    (rc = load_interface(ld, iface, n, true, name)) < 0)
		goto done;
	if ((n = cachet__yaml_get(t, "description")) != NULL &&
	    (rc = get_string(ld, n, "description", &(const char *){NULL})) < 0)
		goto done;

	if ((argv = cachet__calloc(cmd->n_items + 1, sizeof *argv)) == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < cmd->n_items; i++) {
		const cachet__yaml_node *a = cmd->items[i];
		if (a->kind != CACHET__YAML_SCALAR || cachet__yaml_is_null(a) ||
		    memchr(a->text, '\0', a->len) != NULL) {
			rc = cachet__yaml_error(ld->name, a,
						"a command argument must be a string, not %s "
						"(write \"\" for an empty one)",
						cachet__yaml_kind_name(a));
			goto done;
		}
		argv[i] = a->text;
	}
	if ((rc = cachet_task_new_command(&task, name, iface, argv)) < 0) {
		rc = command_error(ld, cmd, name, rc);
		goto done;
	}
	/* validation names the task's own problems (its variables' names) here */
	const char *at = where(ld, p->key);
	if (at == NULL || (rc = cachet_task_set_where(task, at)) < 0) {
		rc = CACHET_ENOMEM;
		goto done;
	}

	/* settings that need the task */
	if ((n = cachet__yaml_get(t, "cache")) != NULL && (rc = load_cache(ld, task, n, name)) < 0)
		goto done;
	const cachet__yaml_node *outs = cachet__yaml_get(t, "outputs");
	for (size_t i = 0; outs != NULL && i < pairs_of(outs); i++) {
		const cachet__yaml_node *h = cachet__yaml_get(outs->pairs[i].value, "hash");
		if (h != NULL && outs->pairs[i].value->kind == CACHET__YAML_MAP &&
		    cachet__yaml_get(outs->pairs[i].value, "type") != NULL &&
		    (rc = load_hash(ld, task, outs->pairs[i].key->text, h)) < 0)
			goto done;
	}
	if ((n = cachet__yaml_get(t, "timeout")) != NULL) {
		int64_t ms;
		if ((rc = get_duration_ms(ld, n, "timeout", &ms)) < 0)
			goto done;
		if ((rc = cachet_task_set_timeout(task, (uint64_t)ms)) < 0) {
			rc = fail_at(ld, n, rc);
			goto done;
		}
	}
	if ((n = cachet__yaml_get(t, "env")) != NULL) {
		if ((rc = expect_map(ld, n, "env")) < 0)
			goto done;
		for (size_t i = 0; i < pairs_of(n); i++) {
			const cachet__yaml_node *v = n->pairs[i].value;
			if (v->kind != CACHET__YAML_SCALAR) {
				rc = cachet__yaml_error(ld->name, v,
							"an environment value must be a string, not %s",
							cachet__yaml_kind_name(v));
				goto done;
			}
			if ((rc = cachet_task_set_env(task, n->pairs[i].key->text, v->text)) < 0) {
				rc = fail_at(ld, n->pairs[i].key, rc);
				goto done;
			}
		}
	}
	*out = task;
	task = NULL;
done:
	cachet_task_free(task);
	cachet_interface_free(iface);
	cachet__free(argv);
	return rc;
}

static int compare_tasks(const void *a, const void *b)
{
	return strcmp(((const task_entry *)a)->name, ((const task_entry *)b)->name);
}

static int load_tasks(loader *ld, const cachet__yaml_node *tasks)
{
	int rc;

	if ((rc = expect_map(ld, tasks, "tasks")) < 0)
		return rc;
	if (pairs_of(tasks) == 0)
		return 0;
	ld->tasks = cachet__calloc(tasks->n_pairs, sizeof *ld->tasks);
	if (ld->tasks == NULL)
		return CACHET_ENOMEM;
	for (size_t i = 0; i < tasks->n_pairs; i++) {
		const cachet__yaml_pair *p = &tasks->pairs[i];
		if ((rc = load_task(ld, p, &ld->tasks[i].task)) < 0)
			return rc;
		ld->tasks[i].name = p->key->text;
		ld->n_tasks++;
	}
	qsort(ld->tasks, ld->n_tasks, sizeof *ld->tasks, compare_tasks);
	return 0;
}

static cachet_task *find_task(const loader *ld, const char *name)
{
	task_entry key = {name, NULL};
	task_entry *e = ld->n_tasks ? bsearch(&key, ld->tasks, ld->n_tasks, sizeof key,
					      compare_tasks)
				    : NULL;
	return e ? e->task : NULL;
}

/* A binding's value: a reference, or a constant read by the input's type. */
static int load_binding(loader *ld, const char *node, const cachet_task *task,
			const cachet__yaml_pair *p)
{
	cachet_source src;
	cachet_literal *value = NULL;
	int rc = parse_reference(ld, p->value, &src);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		if ((rc = check_constant(ld, p->value, false)) < 0)
			return rc;
		const cachet_variable *var =
			cachet_variable_map_get(cachet_task_interface(task)->inputs, p->key->text);
		if (var != NULL) {
			const char *what = label(ld, "node '%s': input '%s'", node, p->key->text);
			if (what == NULL)
				return CACHET_ENOMEM;
			cachet__wf_value_ctx ctx = {ld->name, what, ld->base_dir};
			if ((rc = cachet__wf_value_from_node(&value, &ctx, var->type, p->value)) < 0)
				return rc;
		} else if ((value = cachet_literal_new_none()) == NULL) {
			/* no such input: validation says so; any value will do */
			return CACHET_ENOMEM;
		}
		src = (cachet_source){CACHET_SOURCE_CONSTANT, NULL, NULL, value};
	}
	const char *at = where(ld, p->value);
	rc = at ? cachet_workflow_bind(ld->wf, node, p->key->text, &src, at) : CACHET_ENOMEM;
	cachet_literal_free(value);
	return rc < 0 ? fail_at(ld, p->value, rc) : 0;
}

static int load_nodes(loader *ld, const cachet__yaml_node *nodes)
{
	static const char *const keys[] = {"task", "inputs", NULL};
	int rc;

	if ((rc = expect_map(ld, nodes, "nodes")) < 0)
		return rc;
	for (size_t i = 0; i < pairs_of(nodes); i++) {
		const cachet__yaml_pair *p = &nodes->pairs[i];
		const char *name = p->key->text, *task_name = name;
		const cachet__yaml_node *tnode = p->key, *inputs = NULL;

		if (!cachet__yaml_is_null(p->value)) {
			if (p->value->kind != CACHET__YAML_MAP)
				return cachet__yaml_error(ld->name, p->value,
							  "node '%s' must be a mapping such as "
							  "{task: NAME, inputs: {...}}, not %s",
							  name, cachet__yaml_kind_name(p->value));
			const char *what = label(ld, "node '%s'", name);
			if (what == NULL)
				return CACHET_ENOMEM;
			if ((rc = check_keys(ld, p->value, keys, what)) < 0)
				return rc;
			const cachet__yaml_node *t = cachet__yaml_get(p->value, "task");
			if (t != NULL) {
				if ((rc = get_string(ld, t, "task", &task_name)) < 0)
					return rc;
				tnode = t;
			}
			inputs = cachet__yaml_get(p->value, "inputs");
		}
		cachet_task *task = find_task(ld, task_name);
		if (task == NULL)
			return cachet__yaml_error(ld->name, tnode, "node '%s': no task '%s'%s", name,
						  task_name,
						  tnode == p->key ? " (a node without 'task:' runs the "
								    "task of its own name)"
								  : "");
		const char *at = where(ld, p->key);
		if (at == NULL)
			return CACHET_ENOMEM;
		if ((rc = cachet_workflow_add_node(ld->wf, name, task, at)) < 0)
			return fail_at(ld, p->key, rc);
		if (inputs == NULL)
			continue;
		if ((rc = expect_map(ld, inputs, "a node's inputs")) < 0)
			return rc;
		for (size_t j = 0; j < pairs_of(inputs); j++)
			if ((rc = load_binding(ld, name, task, &inputs->pairs[j])) < 0)
				return rc;
	}
	return 0;
}

static int load_outputs(loader *ld, const cachet__yaml_node *outputs)
{
	int rc;

	if ((rc = expect_map(ld, outputs, "outputs")) < 0)
		return rc;
	for (size_t i = 0; i < pairs_of(outputs); i++) {
		const cachet__yaml_pair *p = &outputs->pairs[i];
		cachet_source src;
		if ((rc = parse_reference(ld, p->value, &src)) < 0)
			return rc;
		if (rc == 0)
			return cachet__yaml_error(ld->name, p->value,
						  "workflow output '%s' must be a reference such as "
						  "\"{{NODE.outputs.NAME}}\" (in quotes)",
						  p->key->text);
		const char *at = where(ld, p->value);
		if (at == NULL)
			return CACHET_ENOMEM;
		if ((rc = cachet_workflow_add_output(ld->wf, p->key->text, &src, at)) < 0)
			return fail_at(ld, p->value, rc);
	}
	return 0;
}

static int load_root(loader *ld, const cachet__yaml_node *root)
{
	static const char *const keys[] = {"workflow", "description", "project", "domain",
					   "inputs",   "outputs",     "tasks",   "nodes", NULL};
	const cachet__yaml_node *n;
	const char *wf_name, *project = NULL, *domain = NULL;
	int rc;

	if (root == NULL || cachet__yaml_is_null(root))
		return cachet__yaml_error(ld->name, NULL,
					  "the file is empty; a workflow file starts with "
					  "'workflow: NAME'");
	if (root->kind != CACHET__YAML_MAP)
		return cachet__yaml_error(ld->name, root,
					  "a workflow file is a mapping that starts with "
					  "'workflow: NAME', not %s",
					  cachet__yaml_kind_name(root));
	if ((rc = check_keys(ld, root, keys, "a workflow file")) < 0)
		return rc;
	if ((n = cachet__yaml_get(root, "workflow")) == NULL)
		return cachet__yaml_error(ld->name, root,
					  "missing 'workflow: NAME' (the workflow's name)");
	if ((rc = get_string(ld, n, "the workflow's name", &wf_name)) < 0)
		return rc;
	if ((n = cachet__yaml_get(root, "project")) != NULL &&
	    (rc = get_string(ld, n, "project", &project)) < 0)
		return rc;
	if ((n = cachet__yaml_get(root, "domain")) != NULL &&
	    (rc = get_string(ld, n, "domain", &domain)) < 0)
		return rc;
	if ((n = cachet__yaml_get(root, "description")) != NULL &&
	    (rc = get_string(ld, n, "description", &(const char *){NULL})) < 0)
		return rc;

	if ((rc = cachet_workflow_new(&ld->wf, wf_name)) < 0)
		return fail_at(ld, cachet__yaml_get(root, "workflow"), rc);
	if ((project || domain) && (rc = cachet_workflow_set_project(ld->wf, project, domain)) < 0)
		return fail_at(ld, cachet__yaml_get(root, project ? "project" : "domain"), rc);
	if ((n = cachet__yaml_get(root, "inputs")) != NULL && (rc = load_inputs(ld, n)) < 0)
		return rc;
	if ((n = cachet__yaml_get(root, "tasks")) != NULL && (rc = load_tasks(ld, n)) < 0)
		return rc;
	if ((n = cachet__yaml_get(root, "nodes")) != NULL && (rc = load_nodes(ld, n)) < 0)
		return rc;
	if ((n = cachet__yaml_get(root, "outputs")) != NULL && (rc = load_outputs(ld, n)) < 0)
		return rc;
	return 0;
}

int cachet_workflow_load_buffer(cachet_workflow **out, const char *data, size_t len,
				const char *name, const char *base_dir,
				const cachet_workflow_load_options *opts)
{
	loader ld = {.name = name ? name : "<workflow>", .base_dir = base_dir,
		     .where = CACHET_BUF_INIT};
	int rc;

	*out = NULL;
	if (opts != NULL && (rc = cachet__check_version(opts->version,
							CACHET_WORKFLOW_LOAD_OPTIONS_VERSION,
							"workflow load options")) < 0)
		return rc;
	if (opts != NULL && opts->problems != NULL &&
	    (rc = CACHET__RESULT_BEGIN(opts->problems, CACHET_PROBLEMS_VERSION, "problems")) < 0)
		return rc;
	if ((rc = cachet__yaml_parse(&ld.tree, data, len, ld.name)) < 0)
		goto done;
	if ((rc = load_root(&ld, cachet__yaml_root(ld.tree))) < 0)
		goto done;
	if (opts == NULL || !opts->no_validate)
		rc = cachet_workflow_validate(opts ? opts->problems : NULL, ld.wf);
done:
	for (size_t i = 0; i < ld.n_tasks; i++)
		cachet_task_free(ld.tasks[i].task);
	cachet__free(ld.tasks);
	cachet__buf_dispose(&ld.where);
	cachet__yaml_tree_free(ld.tree);
	if (rc < 0) {
		cachet_workflow_free(ld.wf);
		return rc;
	}
	*out = ld.wf;
	return 0;
}

int cachet_workflow_load(cachet_workflow **out, const char *path,
			 const cachet_workflow_load_options *opts)
{
	char *data = NULL, *dir = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = cachet__read_input_path(&data, &len, path)) < 0)
		return rc;
	const char *slash = strrchr(path, '/');
	if (slash != NULL &&
	    (dir = cachet__strndup(path, slash == path ? 1 : (size_t)(slash - path))) == NULL) {
		cachet__free(data);
		return CACHET_ENOMEM;
	}
	rc = cachet_workflow_load_buffer(out, data, len, path, dir, opts);
	cachet__free(dir);
	cachet__free(data);
	return rc;
}
