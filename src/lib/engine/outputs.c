/*
 * Turning what a task left behind into its output Literals:
 *
 *   a path it wrote (a command's {{outputs.x}}, a C task's
 *   cachet_task_output_path), reached without following a link the task
 *   planted and taken only from inside the node's directory (confine.c)
 *       file / directory / dataset: checked for its kind, offloaded into
 *       the store under "<run prefix>/<node>/<output>" while hashing in
 *       the same pass (cachet_offload_path), then removed locally;
 *       a scalar: its text read back and parsed by the declared type;
 *   a Literal a C task set: taken as it is, except that a file:// URI
 *       outside the store is offloaded (and hashed) like a written path.
 *
 * Then the output's hash method (when not the default) and a check that
 * the value fits the declared type. Every message names the node and the
 * output.
 */
#include "engine/context.h"
#include "engine/run.h"
#include "engine/task.h"
#include "engine/util.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/os.h"
#include "value/message.h"
#include "value/schema.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SCALAR_FILE (64u << 20)

static const char *kind_word(cachet_data_kind k)
{
	switch (k) {
	case CACHET_DATA_FILE: return "a file";
	case CACHET_DATA_DIRECTORY: return "a directory";
	default: return "a file or a directory";
	}
}

static cachet_offload_kind offload_kind(cachet_data_kind k)
{
	switch (k) {
	case CACHET_DATA_FILE: return CACHET_OFFLOAD_FILE;
	case CACHET_DATA_DIRECTORY: return CACHET_OFFLOAD_DIRECTORY;
	default: return CACHET_OFFLOAD_DATASET;
	}
}

static const char *type_format(const cachet_literal_type *t)
{
	if (!t)
		return NULL;
	if (t->kind == CACHET_TYPE_BLOB && t->blob)
		return t->blob->format;
	if (t->kind == CACHET_TYPE_STRUCTURED_DATASET && t->structured_dataset_type)
		return t->structured_dataset_type->format;
	return NULL;
}

/* A dataset output carries its declared type (columns too), as flytekit
 * writes it. */
static int set_dataset_type(cachet_literal *lit, const cachet_literal_type *t)
{
	cachet_structured_dataset_metadata *md;

	if (!t || t->kind != CACHET_TYPE_STRUCTURED_DATASET || !t->structured_dataset_type ||
	    lit->kind != CACHET_LITERAL_SCALAR ||
	    lit->scalar->kind != CACHET_SCALAR_STRUCTURED_DATASET)
		return 0;
	md = lit->scalar->structured_dataset->metadata;
	if (!md) {
		if (!(md = cachet__message_new(&cachet__structured_dataset_metadata_desc)))
			return CACHET_ENOMEM;
		lit->scalar->structured_dataset->metadata = md;
	}
	cachet__message_free(&cachet__structured_dataset_type_desc, md->structured_dataset_type);
	md->structured_dataset_type = NULL;
	return cachet__message_copy(&cachet__structured_dataset_type_desc,
				    (void **)&md->structured_dataset_type, t->structured_dataset_type);
}

static void hash_options(cachet_hash_options *ho, const cachet_run *run)
{
	cachet_hash_options d = CACHET_HASH_OPTIONS_INIT;
	*ho = d;
	ho->digest = run->opts.digest;
}

/* Whether uri is in the run's store, by the store's spelling of it: 1, 0,
 * or CACHET_ENOMEM. */
static int in_store(const cachet_run *run, const char *uri)
{
	char *canon = NULL;
	int rc = cachet__store_ref(&canon, cachet_store_root(run->store), uri);

	cachet__free(canon);
	return rc;
}

/* Offload the data at path (of kind k) for output o into the store. */
static int offload(cachet_literal **out, cachet_task_context *ctx, const char *name,
		   const char *path, cachet_data_kind k, const cachet_literal_type *t,
		   const cachet_hash_method *m)
{
	cachet_run *run = ctx->run;
	cachet_hash_options ho;
	char *prefix = NULL;
	int rc;

	*out = NULL;
	hash_options(&ho, run);
	if ((rc = cachet_store_join(&prefix, run->prefix, ctx->node->res.name)) < 0)
		return rc;
	rc = cachet_offload_path(out, run->store, prefix, path, offload_kind(k), type_format(t),
				 &ho);
	cachet__free(prefix);
	if (rc < 0)
		return rc;
	(void)name;
	if ((rc = set_dataset_type(*out, t)) < 0)
		goto fail;
	/* the content hash came with the copy; another method replaces it */
	if (m && m->kind != CACHET_HASH_CONTENT &&
	    (rc = cachet_literal_fill_hash(*out, path, m, &ho)) < 0)
		goto fail;
	return 0;
fail:
	cachet_literal_free(*out);
	*out = NULL;
	return rc;
}

/* "was not written", saying what was expected where. */
static int not_written(cachet_data_kind k, const char *path)
{
	return cachet__error(CACHET_ENOTFOUND, "was not written (expected %s at '%s')",
			     k == CACHET_DATA_NONE ? "a file holding its value" : kind_word(k), path);
}

/* A scalar's text, read back from its file. */
static int read_scalar(cachet_literal **out, const char *path, const cachet_literal_type *t)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = cachet__read_file(&text, &len, path, MAX_SCALAR_FILE)) < 0)
		return rc;
	/* one final newline is the file's, not the value's */
	if (len && text[len - 1] == '\n') {
		text[--len] = '\0';
		if (len && text[len - 1] == '\r')
			text[--len] = '\0';
	}
	if (strlen(text) != len)
		rc = cachet__error(CACHET_EINVALID, "'%s' holds a NUL byte", path);
	else
		rc = cachet_literal_from_text(out, t, text);
	cachet__free(text);
	return rc;
}

/*
 * The output written at o->path (<node dir>/out/<name>), reached through
 * out/ opened without following links, and taken only from inside the
 * node's directory (confine.c).
 */
static int from_path(cachet_literal **out, cachet_task_context *ctx, task_ctx_output *o,
		     const cachet_literal_type *t, const cachet_hash_method *m)
{
	cachet_data_kind k = cachet_literal_type_data_kind(t);
	struct stat st;
	int out_fd = -1, rc;

	*out = NULL;
	if ((rc = cachet__out_dir_open(&out_fd, ctx->run, ctx->node)) < 0 ||
	    (rc = cachet__out_stat(&st, out_fd, ctx->node, o->name, o->path)) < 0) {
		if (rc == CACHET_ENOTFOUND)
			rc = not_written(k, o->path);
		goto done;
	}
	if (k != CACHET_DATA_NONE) {
		bool ok = (k == CACHET_DATA_FILE && S_ISREG(st.st_mode)) ||
			  (k == CACHET_DATA_DIRECTORY && S_ISDIR(st.st_mode)) ||
			  (k == CACHET_DATA_DATASET && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)));
		if (!ok) {
			rc = cachet__error(CACHET_EINVALID,
					   "should be %s, but the task wrote %s at '%s'",
					   kind_word(k),
					   S_ISDIR(st.st_mode)   ? "a directory"
					   : S_ISREG(st.st_mode) ? "a file"
								 : "something else",
					   o->path);
			goto done;
		}
		if ((rc = offload(out, ctx, o->name, o->path, k, t, m)) < 0)
			goto done;
		/* a link is removed, not what it leads to */
		if (!ctx->run->opts.keep_local_outputs)
			(void)cachet__remove_tree_at(out_fd, o->name, o->path);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cachet__error(CACHET_EINVALID,
				   "should be a file holding its value, but the task wrote %s at '%s'",
				   S_ISDIR(st.st_mode) ? "a directory" : "something else", o->path);
		goto done;
	}
	if ((rc = read_scalar(out, o->path, t)) < 0)
		goto done;
	if (m) {
		cachet_hash_options ho;
		hash_options(&ho, ctx->run);
		if ((rc = cachet_literal_fill_hash(*out, NULL, m, &ho)) < 0) {
			cachet_literal_free(*out);
			*out = NULL;
		}
	}
done:
	if (out_fd >= 0)
		close(out_fd);
	return rc;
}

/* A Literal the C task set. */
static int from_literal(cachet_literal **lit, cachet_task_context *ctx, task_ctx_output *o,
			const cachet_literal_type *t, const cachet_hash_method *m)
{
	cachet_data_kind k = cachet_literal_data_kind(*lit);
	const char *uri = cachet_literal_uri(*lit), *path = cachet__file_uri_path(uri);
	cachet_hash_options ho;
	int rc;

	hash_options(&ho, ctx->run);
	if (k == CACHET_DATA_NONE || (*lit)->kind != CACHET_LITERAL_SCALAR) {
		if (m && (rc = cachet_literal_fill_hash(*lit, NULL, m, &ho)) < 0)
			return rc;
		return 0;
	}
	int stored = path ? in_store(ctx->run, uri) : 0;
	if (stored < 0)
		return stored;
	if (path && !stored) {
		cachet_literal *off = NULL;
		struct stat st;
		/* what the literal says it is decides the kind */
		if (stat(path, &st) < 0)
			return cachet__error(errno == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
					     "cannot read '%s': %s", path, cachet__strerror(errno));
		if ((rc = offload(&off, ctx, o->name, path, k, t, m)) < 0)
			return rc;
		cachet_literal_free(*lit);
		*lit = off;
		return 0;
	}
	if (path && (cachet_str_len((*lit)->hash) == 0 || (m && m->kind != CACHET_HASH_CONTENT))) {
		/* in the store already, without a hash: hash it where it is */
		ho.stat_cache = ctx->run->stat_cache;
		if ((rc = cachet_literal_fill_hash(*lit, path, m, &ho)) < 0)
			return rc;
	}
	return 0;
}

int cachet__collect_outputs(cachet_literal_map **out, cachet_task_context *ctx, bool command)
{
	run_node *n = ctx->node;
	const cachet_task *task = n->wn->task;
	const cachet_variable_map *vars = task->iface->outputs;
	cachet_literal_map *map = NULL;
	int rc;

	*out = NULL;
	if ((rc = cachet_literal_map_new(&map)) < 0)
		return rc;
	for (size_t i = 0; i < ctx->n_outs; i++) {
		task_ctx_output *o = &ctx->outs[i];
		const cachet_variable *v = cachet_variable_map_get(vars, o->name);
		const cachet_hash_method *m = cachet__task_hash_method(task, o->name);
		cachet_literal *lit = NULL;
		char *why = NULL;

		if (o->lit) {
			lit = o->lit;
			o->lit = NULL;
			rc = from_literal(&lit, ctx, o, v->type, m);
		} else if (o->path) {
			rc = from_path(&lit, ctx, o, v->type, m);
		} else {
			rc = cachet__error(CACHET_EINVALID, "was not %s",
					   command ? "written" : "set by the task");
		}
		if (rc == 0 && !cachet_literal_fits(lit, v->type, &why)) {
			rc = cachet__error(CACHET_EINVALID, "%s", why ? why : "wrong kind of value");
			cachet__free(why);
		}
		if (rc < 0) {
			cachet_literal_free(lit);
			cachet__error_prefix("node '%s': output '%s'", n->res.name, o->name);
			goto fail;
		}
		if ((rc = cachet_literal_map_set(map, o->name, lit)) < 0)
			goto fail;
	}
	*out = map;
	return 0;
fail:
	cachet_literal_map_free(map);
	return rc;
}
