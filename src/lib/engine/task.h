/*
 * Tasks (task.c): what a task is made of, and the argv templates of a
 * command task (template.c).
 */
#ifndef CACHET_ENGINE_TASK_H
#define CACHET_ENGINE_TASK_H

#include "cachet/engine.h"

#include "util/buf.h"

#include <stdatomic.h>

typedef struct task_hash_method {
	char *output;
	cachet_hash_method m; /* m.argv points at argv below */
	char **argv;
} task_hash_method;

struct cachet_task {
	atomic_int refs;
	char *name;
	char *where; /* the caller's location token, or NULL */
	cachet_interface *iface;
	/* C function, or command */
	cachet_task_fn fn;
	void *payload;
	char **argv; /* NULL-terminated template; NULL for a C task */
	size_t argc;
	uint64_t timeout_ms;
	char **env; /* "NAME=value" */
	size_t n_env;
	/* cache */
	bool cache_enabled;
	char *cache_version;
	bool serializable;
	char **ignore;
	size_t n_ignore;
	int64_t max_age_ms;
	char *task_version;
	/* hash methods, by output */
	task_hash_method *hash;
	size_t n_hash;
};

/* The task's hash method for output (NULL: the default). */
const cachet_hash_method *cachet__task_hash_method(const cachet_task *task, const char *output);

/* ---- argv templates (template.c) ---- */

typedef enum tmpl_kind {
	TMPL_INPUT = 1,
	TMPL_OUTPUT = 2,
	TMPL_NODE_DIR = 3,
	TMPL_RUN_ID = 4
} tmpl_kind;

/*
 * Expand one argument: literal text goes to out as is; for each
 * placeholder fn(out, kind, name, payload) appends its value (name: the
 * input or output, not NUL-terminated: name_len bytes). fn may be NULL
 * (only check the syntax). Errors (unknown placeholder, unterminated "{{")
 * are CACHET_EINVALID naming the placeholder; fn's errors pass through.
 */
typedef int (*tmpl_fn)(cachet_buf *out, tmpl_kind kind, const char *name, size_t name_len,
		       void *payload);
int cachet__template_expand(cachet_buf *out, const char *arg, tmpl_fn fn, void *payload);

#endif
