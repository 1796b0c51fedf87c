/*
 * The context a task runs in (the SDK side of a C task, and the engine's
 * bookkeeping for a command): its inputs, the local paths of offloaded
 * inputs, and the slots its outputs go into.
 */
#include "engine/context.h"
#include "engine/run.h"
#include "engine/task.h"
#include "engine/util.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/os.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int cachet__context_init(cachet_task_context *ctx, cachet_run *run, run_node *n)
{
	const cachet_variable_map *outs = n->wn->task->iface->outputs;
	size_t n_in = n->inputs ? n->inputs->n_literals : 0;

	memset(ctx, 0, sizeof *ctx);
	ctx->run = run;
	ctx->node = n;
	if (outs->n_variables &&
	    !(ctx->outs = cachet__calloc(outs->n_variables, sizeof *ctx->outs)))
		return CACHET_ENOMEM;
	ctx->n_outs = outs->n_variables;
	for (size_t i = 0; i < ctx->n_outs; i++)
		ctx->outs[i].name = outs->variables[i].key;
	if (n_in && !(ctx->input_paths = cachet__calloc(n_in, sizeof *ctx->input_paths)))
		return CACHET_ENOMEM;
	return 0;
}

void cachet__context_dispose(cachet_task_context *ctx)
{
	size_t n_in = ctx->node && ctx->node->inputs ? ctx->node->inputs->n_literals : 0;

	for (size_t i = 0; i < ctx->n_outs; i++) {
		cachet_literal_free(ctx->outs[i].lit);
		cachet__free(ctx->outs[i].path);
	}
	cachet__free(ctx->outs);
	for (size_t i = 0; ctx->input_paths && i < n_in; i++)
		cachet__free(ctx->input_paths[i]);
	cachet__free(ctx->input_paths);
	cachet__free(ctx->fail_message);
	memset(ctx, 0, sizeof *ctx);
}

task_ctx_output *cachet__context_output(cachet_task_context *ctx, const char *name)
{
	for (size_t i = 0; name && i < ctx->n_outs; i++)
		if (!strcmp(ctx->outs[i].name, name))
			return &ctx->outs[i];
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Local paths of inputs                                                  */

typedef struct download_ctx {
	cachet_store *store;
	const char *prefix; /* "<uri>/" */
	const char *dest;
	size_t n;
	int rc;
} download_ctx;

static int download_one(const char *uri, const cachet_store_stat *st, void *payload)
{
	download_ctx *d = payload;
	char *path;
	const char *slash;
	int rc;

	(void)st;
	/* the store lets no URI have an empty, "." or ".." segment (uri.c),
	 * so the rest of the URI stays below dest */
	if (!(path = cachet__path_join(d->dest, '/', uri + strlen(d->prefix))))
		return d->rc = CACHET_ENOMEM;
	slash = strrchr(path, '/');
	if (slash) {
		char *parent = cachet__strndup(path, (size_t)(slash - path));
		if (!parent || cachet__mkdirs(parent, 0700, NULL) < 0) {
			rc = parent ? cachet__error(CACHET_EIO, "cannot create directory '%s': %s",
						    parent, cachet__strerror(errno))
				    : CACHET_ENOMEM;
			cachet__free(parent);
			cachet__free(path);
			return d->rc = rc;
		}
		cachet__free(parent);
	}
	rc = cachet_store_get_path(d->store, uri, path);
	cachet__free(path);
	d->n++;
	return rc < 0 ? (d->rc = rc) : 0;
}

/* Download the data at uri (a store object, or the objects under it)
 * to dest. */
static int download(cachet_store *store, const char *uri, const char *dest)
{
	cachet_store_stat st;
	download_ctx d = {store, NULL, dest, 0, 0};
	char *prefix;
	int rc;

	if (cachet_store_stat_object(&st, store, uri) == 0)
		return cachet_store_get_path(store, uri, dest);
	if (!(prefix = cachet__path_join(uri, 0, "/")))
		return CACHET_ENOMEM;
	d.prefix = prefix;
	if (cachet__mkdirs(dest, 0700, NULL) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", dest,
				   cachet__strerror(errno));
		goto done;
	}
	rc = cachet_store_list(store, prefix, download_one, &d);
	if (rc < 0 || d.rc < 0) {
		rc = d.rc < 0 ? d.rc : rc;
		goto done;
	}
	if (!d.n)
		rc = cachet__error(CACHET_ENOTFOUND, "'%s' is gone: the store has nothing there",
				   uri);
done:
	cachet__free(prefix);
	return rc;
}

/*
 * The local path of the data of lit into *out (a new string). hint names
 * the download's directory entry. Errors say what is wrong without the
 * node (callers prefix it).
 */
static int local_path_of(char **out, cachet_task_context *ctx, const cachet_literal *lit,
			 const char *hint)
{
	const char *uri = cachet_literal_uri(lit), *path, *root;
	struct stat st;
	char *dest = NULL, *dir = NULL, *canon = NULL;
	int rc;

	*out = NULL;
	if (!uri || !*uri)
		return cachet__error(CACHET_EINVALID, "it has no data (no URI)");
	if ((path = cachet__file_uri_path(uri))) {
		if (stat(path, &st) < 0)
			return cachet__error(errno == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
					     "cannot read '%s': %s", path, cachet__strerror(errno));
		*out = cachet__strdup(path);
		return *out ? 0 : CACHET_ENOMEM;
	}
	root = cachet_store_root(ctx->run->store);
	if ((rc = cachet__store_ref(&canon, root, uri)) <= 0)
		return rc < 0 ? rc
			      : cachet__error(CACHET_EUNSUPPORTED,
					      "cannot read '%s' here: only file:// URIs and the "
					      "run's store '%s' are readable",
					      uri, root);
	if (!(dir = cachet__path_join(ctx->node->node_dir, '/', "in")))
		return CACHET_ENOMEM;
	if (cachet__mkdirs(dir, 0700, NULL) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", dir,
				   cachet__strerror(errno));
		goto done;
	}
	{
		/* a fresh name per download: a list may hold several inputs;
		 * hint is an input's name, checked by validation (names.c) */
		char suffix[CACHET__PATH_NAME_MAX + 32];
		snprintf(suffix, sizeof suffix, "%s-%zu", hint, ctx->n_downloads++);
		if (!(dest = cachet__path_join(dir, '/', suffix))) {
			rc = CACHET_ENOMEM;
			goto done;
		}
	}
	if ((rc = download(ctx->run->store, canon ? canon : uri, dest)) < 0)
		goto done;
	*out = dest;
	dest = NULL;
done:
	cachet__free(canon);
	cachet__free(dest);
	cachet__free(dir);
	return rc;
}

int cachet__context_local_path(char **out, cachet_task_context *ctx, const cachet_literal *lit,
			       const char *hint)
{
	return local_path_of(out, ctx, lit, hint);
}

int cachet__context_input_path(const char **out, cachet_task_context *ctx, size_t i)
{
	const cachet_literal_map_entry *e = &ctx->node->inputs->literals[i];
	int rc;

	*out = NULL;
	if (!ctx->input_paths[i]) {
		if ((rc = local_path_of(&ctx->input_paths[i], ctx, e->value, e->key)) < 0)
			return cachet__error_prefix("input '%s'", e->key);
	}
	*out = ctx->input_paths[i];
	return 0;
}

int cachet__context_output_path(const char **out, cachet_task_context *ctx, task_ctx_output *o)
{
	char *dir;

	*out = NULL;
	if (!o->path) {
		if (!(dir = cachet__path_join(ctx->node->node_dir, '/', "out")))
			return CACHET_ENOMEM;
		if (cachet__mkdirs(dir, 0700, NULL) < 0) {
			int rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", dir,
					       cachet__strerror(errno));
			cachet__free(dir);
			return rc;
		}
		o->path = cachet__path_join(dir, '/', o->name);
		cachet__free(dir);
		if (!o->path)
			return CACHET_ENOMEM;
	}
	*out = o->path;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The public side                                                        */

const cachet_literal_map *cachet_task_inputs(const cachet_task_context *ctx)
{
	return ctx ? ctx->node->inputs : NULL;
}

const cachet_literal *cachet_task_input(const cachet_task_context *ctx, const char *name)
{
	return ctx && name ? cachet_literal_map_get(ctx->node->inputs, name) : NULL;
}

/* The primitive of input name, unwrapping unions, or an error. */
static int primitive_of(const cachet_primitive **out, const cachet_task_context *ctx,
			const char *name, int kind, const char *word)
{
	const cachet_literal *lit = cachet_task_input(ctx, name);
	static const char *const words[] = {"empty", "an int", "a float", "a str",
					    "a bool", "a datetime", "a duration"};

	*out = NULL;
	if (!ctx || !name)
		return cachet__error(CACHET_EINVALID, "task input getter: NULL argument");
	if (!lit)
		return cachet__error(CACHET_ENOTFOUND, "node '%s': no input '%s'",
				     ctx->node->res.name, name);
	while (lit->kind == CACHET_LITERAL_SCALAR && lit->scalar->kind == CACHET_SCALAR_UNION &&
	       lit->scalar->union_->value)
		lit = lit->scalar->union_->value;
	if (lit->kind != CACHET_LITERAL_SCALAR || lit->scalar->kind != CACHET_SCALAR_PRIMITIVE)
		return cachet__error(CACHET_EINVALID, "node '%s': input '%s' is not %s",
				     ctx->node->res.name, name, word);
	if ((int)lit->scalar->primitive->kind != kind) {
		int k = (int)lit->scalar->primitive->kind;
		return cachet__error(CACHET_EINVALID, "node '%s': input '%s' is %s, not %s",
				     ctx->node->res.name, name,
				     k >= 0 && k <= 6 ? words[k] : "unknown", word);
	}
	*out = lit->scalar->primitive;
	return 0;
}

int cachet_task_input_int(int64_t *out, const cachet_task_context *ctx, const char *name)
{
	const cachet_primitive *p;
	int rc = primitive_of(&p, ctx, name, CACHET_PRIMITIVE_INTEGER, "an int");
	if (rc == 0 && out)
		*out = p->integer;
	return rc;
}

int cachet_task_input_float(double *out, const cachet_task_context *ctx, const char *name)
{
	const cachet_primitive *p;
	int rc = primitive_of(&p, ctx, name, CACHET_PRIMITIVE_FLOAT, "a float");
	if (rc == 0 && out)
		*out = p->float_value;
	return rc;
}

int cachet_task_input_bool(bool *out, const cachet_task_context *ctx, const char *name)
{
	const cachet_primitive *p;
	int rc = primitive_of(&p, ctx, name, CACHET_PRIMITIVE_BOOLEAN, "a bool");
	if (rc == 0 && out)
		*out = p->boolean;
	return rc;
}

int cachet_task_input_string(const char **out, const cachet_task_context *ctx, const char *name)
{
	const cachet_primitive *p;
	int rc = primitive_of(&p, ctx, name, CACHET_PRIMITIVE_STRING, "a str");
	if (rc == 0 && out)
		*out = p->string_value ? p->string_value : "";
	return rc;
}

int cachet_task_input_path(const char **out, cachet_task_context *ctx, const char *name)
{
	const cachet_literal_map *m;

	if (!out || !ctx || !name)
		return cachet__error(CACHET_EINVALID, "cachet_task_input_path: NULL argument");
	*out = NULL;
	m = ctx->node->inputs;
	for (size_t i = 0; m && i < m->n_literals; i++) {
		if (!cachet__key_is(m->literals[i].key, name))
			continue;
		if (cachet_literal_data_kind(m->literals[i].value) == CACHET_DATA_NONE)
			return cachet__error(CACHET_EINVALID,
					     "node '%s': input '%s' is not a file, directory or "
					     "dataset",
					     ctx->node->res.name, name);
		if (cachet__context_input_path(out, ctx, i) < 0)
			return cachet__error_prefix("node '%s'", ctx->node->res.name);
		return 0;
	}
	return cachet__error(CACHET_ENOTFOUND, "node '%s': no input '%s'", ctx->node->res.name,
			     name);
}

int cachet_task_set_output(cachet_task_context *ctx, const char *name, cachet_literal *lit)
{
	task_ctx_output *o;

	if (!ctx || !name || !lit) {
		cachet_literal_free(lit);
		return cachet__error(CACHET_EINVALID, "cachet_task_set_output: NULL argument");
	}
	if (!(o = cachet__context_output(ctx, name))) {
		cachet_literal_free(lit);
		return cachet__error(CACHET_EINVALID, "node '%s': task '%s' has no output '%s'",
				     ctx->node->res.name, ctx->node->res.task, name);
	}
	cachet_literal_free(o->lit);
	o->lit = lit;
	return 0;
}

static int set_new(cachet_task_context *ctx, const char *name, cachet_literal *lit)
{
	if (!lit)
		return cachet_error_last()->code ? cachet_error_last()->code : CACHET_ENOMEM;
	return cachet_task_set_output(ctx, name, lit);
}

int cachet_task_set_output_int(cachet_task_context *ctx, const char *name, int64_t value)
{
	return set_new(ctx, name, cachet_literal_new_integer(value));
}

int cachet_task_set_output_float(cachet_task_context *ctx, const char *name, double value)
{
	return set_new(ctx, name, cachet_literal_new_float(value));
}

int cachet_task_set_output_bool(cachet_task_context *ctx, const char *name, bool value)
{
	return set_new(ctx, name, cachet_literal_new_boolean(value));
}

int cachet_task_set_output_string(cachet_task_context *ctx, const char *name, const char *value)
{
	return set_new(ctx, name, cachet_literal_new_string(value ? value : ""));
}

int cachet_task_output_path(const char **out, cachet_task_context *ctx, const char *name)
{
	const cachet_variable *v;
	task_ctx_output *o;

	if (!out || !ctx || !name)
		return cachet__error(CACHET_EINVALID, "cachet_task_output_path: NULL argument");
	*out = NULL;
	if (!(o = cachet__context_output(ctx, name)))
		return cachet__error(CACHET_EINVALID, "node '%s': task '%s' has no output '%s'",
				     ctx->node->res.name, ctx->node->res.task, name);
	v = cachet_variable_map_get(ctx->node->wn->task->iface->outputs, name);
	if (cachet_literal_type_data_kind(v->type) == CACHET_DATA_NONE)
		return cachet__error(CACHET_EINVALID,
				     "node '%s': output '%s' is not a file, directory or dataset: "
				     "set it with cachet_task_set_output",
				     ctx->node->res.name, name);
	if (cachet__context_output_path(out, ctx, o) < 0)
		return cachet__error_prefix("node '%s': output '%s'", ctx->node->res.name, name);
	return 0;
}

const char *cachet_task_work_dir(const cachet_task_context *ctx)
{
	return ctx ? ctx->node->work_dir : NULL;
}

const char *cachet_task_node_name(const cachet_task_context *ctx)
{
	return ctx ? ctx->node->res.name : NULL;
}

const char *cachet_task_run_id(const cachet_task_context *ctx)
{
	return ctx ? ctx->run->id : NULL;
}

bool cachet_task_cancelled(const cachet_task_context *ctx)
{
	return ctx && ctx->run->cancelled;
}

int cachet_task_fail(cachet_task_context *ctx, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (!ctx || !fmt)
		return CACHET_ERROR;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	cachet__free(ctx->fail_message);
	ctx->fail_message = cachet__strdup(buf);
	return cachet__error(CACHET_ERROR, "%s", buf);
}
