/*
 * One node's life, on a worker thread:
 *
 *   inputs      resolved from the bindings (upstream outputs keep their
 *               URIs and hashes: the key costs no read of the data)
 *   key         cachet_cache_key_compute, when the task is cached
 *   lookup      cachet_catalog_lookup, or get_or_reserve when serializable
 *               (the catalog handle is single-threaded: run->catalog_lock)
 *   hit         the cached outputs; done
 *   run         the C function or the command, in <run>/nodes/<node>/work
 *   outputs     read back, offloaded while hashing (outputs.c)
 *   put         cachet_catalog_put; the reservation released
 *
 * A failure anywhere fails the node and nothing is put. A cancel seen at
 * any step aborts it (nothing put either).
 */
#include "engine/context.h"
#include "engine/graph.h"
#include "engine/queue.h"
#include "engine/run.h"
#include "engine/spawn.h"
#include "engine/task.h"
#include "engine/text.h"
#include "engine/util.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/os.h"
#include "util/warning.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void cachet__node_fail(run_node *n, int status, const char *fmt, ...)
{
	char buf[4096];

	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
	} else {
		snprintf(buf, sizeof buf, "%s", cachet_error_last()->message);
	}
	/* every message names the node */
	if (strncmp(buf, "node '", 6)) {
		char tmp[4096 + 256];
		snprintf(tmp, sizeof tmp, "node '%s': %s", n->res.name, buf);
		cachet__free(n->error);
		n->error = cachet__strdup(tmp);
	} else {
		cachet__free(n->error);
		n->error = cachet__strdup(buf);
	}
	n->res.error = n->error;
	n->res.status = status;
}

static int set_str(char **field, const char **pub, const char *value)
{
	cachet__free(*field);
	*field = value ? cachet__strdup(value) : NULL;
	*pub = *field;
	return value && !*field ? CACHET_ENOMEM : 0;
}

/* The node's inputs from its bindings. */
static int build_inputs(cachet_run *run, run_node *n)
{
	const wf_node *wn = n->wn;
	int rc;

	if ((rc = cachet_literal_map_new(&n->inputs)) < 0)
		return rc;
	for (size_t j = 0; j < wn->n_bindings; j++) {
		const wf_binding *b = wn->bindings[j];
		const cachet_literal *src = NULL;
		cachet_literal *copy = NULL;

		switch (b->info.src.kind) {
		case CACHET_SOURCE_INPUT: {
			size_t i = cachet__workflow_find_input(run->wf, b->src_name);
			if (run->input_errors[i])
				return cachet__error(CACHET_EINVALID, "node '%s': input '%s': %s",
						     n->res.name, b->input, run->input_errors[i]);
			src = cachet_literal_map_get(run->inputs, b->src_name);
			break;
		}
		case CACHET_SOURCE_OUTPUT: {
			size_t i = cachet__workflow_find_node(run->wf, b->src_node);
			/* the upstream node finished before this one was queued */
			src = cachet_literal_map_get(run->nodes[i].outputs, b->src_name);
			break;
		}
		case CACHET_SOURCE_CONSTANT: src = b->value; break;
		}
		if (!src)
			return cachet__error(CACHET_ERROR, "node '%s': input '%s' has no value",
					     n->res.name, b->input);
		if ((rc = cachet_literal_copy(&copy, src)) < 0 ||
		    (rc = cachet_literal_map_set(n->inputs, b->input, copy)) < 0)
			return rc;
	}
	return 0;
}

static int set_key(run_node *n)
{
	n->res.dataset_project = n->key.project;
	n->res.dataset_domain = n->key.domain;
	n->res.dataset_name = n->key.name;
	n->res.dataset_version = n->key.version;
	n->res.tag = n->key.tag;
	return 0;
}

/* The lookup. Returns the outputs of a hit in *hit. Sets the cache status
 * and *do_put. */
static void lookup(cachet_run *run, run_node *n, cachet_literal_map **hit, bool *do_put)
{
	const cachet_task *task = n->wn->task;
	cachet_lookup_options lo = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_lookup_result res = CACHET_LOOKUP_RESULT_INIT;
	bool waited = false;

	*hit = NULL;
	*do_put = false;
	lo.max_age_ms = task->max_age_ms;
	lo.iface = task->iface;
	for (;;) {
		char owner[512];
		cachet_serialize_options so = CACHET_SERIALIZE_OPTIONS_INIT;

		pthread_mutex_lock(&run->catalog_lock);
		if (task->serializable) {
			/* wait briefly inside the catalog, then outside its lock,
			 * so that the owner (maybe in this run) can put */
			snprintf(owner, sizeof owner, "%s/%s", run->owner, n->res.name);
			so.owner = owner;
			so.heartbeat_ms = cachet__heartbeat_ms(run);
			so.poll_ms = 5;
			so.wait_limit_ms = 10;
			(void)cachet_catalog_get_or_reserve(&res, run->catalog, &n->key, &lo, &so);
		} else {
			(void)cachet_catalog_lookup(&res, run->catalog, &n->key, &lo);
		}
		pthread_mutex_unlock(&run->catalog_lock);
		if (task->serializable && res.status == CACHET_CACHE_MISS &&
		    res.reason == CACHET_MISS_RESERVED && !res.reserved) {
			cachet_lookup_result_dispose(&res);
			if (!waited) {
				waited = true;
				cachet__run_post(run, n->index, CACHET_EVENT_NODE_WAITING);
			}
			if (run->cancelled)
				return;
			cachet__sleep_ms(100);
			if (run->cancelled)
				return;
			continue;
		}
		break;
	}
	n->res.cache_status = res.status;
	if (res.message)
		set_str(&n->cache_message, &n->res.cache_message, res.message);
	if (res.status == CACHET_CACHE_HIT) {
		*hit = res.outputs;
		res.outputs = NULL;
	} else if (res.status == CACHET_CACHE_MISS) {
		*do_put = true;
		if (res.reserved) {
			pthread_mutex_lock(&run->lock);
			n->reserved = true;
			n->heartbeat_at_ms = cachet__monotonic_ms();
			pthread_mutex_unlock(&run->lock);
		}
	}
	cachet_lookup_result_dispose(&res);
}

static void release(cachet_run *run, run_node *n)
{
	bool held;
	char owner[512];

	/* clear the flag first, under run->lock: the scheduler extends
	 * only while it is set (scheduler.c) */
	pthread_mutex_lock(&run->lock);
	held = n->reserved;
	n->reserved = false;
	pthread_mutex_unlock(&run->lock);
	if (!held)
		return;
	snprintf(owner, sizeof owner, "%s/%s", run->owner, n->res.name);
	pthread_mutex_lock(&run->catalog_lock);
	if (cachet_catalog_release(run->catalog, &n->key, owner) < 0)
		cachet__warn("node '%s': cannot release the reservation: %s", n->res.name,
			     cachet_error_last()->message);
	pthread_mutex_unlock(&run->catalog_lock);
}

static int make_dirs(run_node *n, const cachet_run *run)
{
	cachet_buf b = CACHET_BUF_INIT;
	int rc;

	if ((rc = cachet__buf_printf(&b, "%s/nodes/%s", run->dir, n->res.name)) < 0)
		goto done;
	if (!(n->node_dir = cachet__strdup(b.ptr)) ||
	    !(n->work_dir = cachet__path_join(b.ptr, '/', "work")) ||
	    !(n->stdout_path = cachet__path_join(b.ptr, '/', "stdout.log")) ||
	    !(n->stderr_path = cachet__path_join(b.ptr, '/', "stderr.log"))) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	if (cachet__mkdirs(n->work_dir, 0700, NULL) < 0)
		rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", n->work_dir,
				   cachet__strerror(errno));
	n->res.work_dir = n->work_dir;
done:
	cachet__buf_dispose(&b);
	return rc;
}

/* ---- C tasks ---- */

static int run_function(cachet_run *run, run_node *n, cachet_task_context *ctx)
{
	const cachet_task *task = n->wn->task;
	int ret;

	(void)run;
	cachet_error_clear();
	ret = task->fn(ctx, task->payload);
	if (ret == 0)
		return 0;
	if (ctx->fail_message)
		return cachet__error(CACHET_ERROR, "node '%s': %s", n->res.name, ctx->fail_message);
	if (*cachet_error_last()->message) {
		/* an SDK helper's error names the node already */
		const char *msg = cachet_error_last()->message;
		if (!strncmp(msg, "node '", 6))
			return cachet__error(CACHET_ERROR, "%s", msg);
		return cachet__error(CACHET_ERROR, "node '%s': %s", n->res.name, msg);
	}
	return cachet__error(CACHET_ERROR, "node '%s': task '%s' failed with status %d",
			     n->res.name, task->name, ret);
}

/* ---- commands ---- */

typedef struct expand_ctx {
	cachet_run *run;
	run_node *n;
	cachet_task_context *ctx;
} expand_ctx;

static int path_for(cachet_buf *out, const cachet_literal *lit, void *payload)
{
	expand_ctx *e = payload;
	char *path = NULL;
	int rc;

	/* the hint is the input's name (set by expand_one) */
	if ((rc = cachet__context_local_path(&path, e->ctx, lit, "data")) < 0)
		return rc;
	rc = cachet__buf_puts(out, path);
	cachet__free(path);
	return rc;
}

static int expand_one(cachet_buf *out, tmpl_kind kind, const char *name, size_t len,
		      void *payload)
{
	expand_ctx *e = payload;
	char nm[256];

	if (len >= sizeof nm)
		return cachet__error(CACHET_EINVALID, "placeholder name too long");
	memcpy(nm, name, len);
	nm[len] = '\0';
	switch (kind) {
	case TMPL_NODE_DIR: return cachet__buf_puts(out, e->n->work_dir);
	case TMPL_RUN_ID: return cachet__buf_puts(out, e->run->id);
	case TMPL_OUTPUT: {
		task_ctx_output *o = cachet__context_output(e->ctx, nm);
		const char *path;
		int rc;
		if (!o)
			return cachet__error(CACHET_EINVALID, "unknown output '%s'", nm);
		if ((rc = cachet__context_output_path(&path, e->ctx, o)) < 0)
			return rc;
		return cachet__buf_puts(out, path);
	}
	case TMPL_INPUT: {
		const cachet_literal_map *m = e->n->inputs;
		for (size_t i = 0; i < m->n_literals; i++) {
			if (!cachet__key_is(m->literals[i].key, nm))
				continue;
			if (cachet_literal_data_kind(m->literals[i].value) != CACHET_DATA_NONE) {
				const char *path;
				int rc = cachet__context_input_path(&path, e->ctx, i);
				return rc < 0 ? rc : cachet__buf_puts(out, path);
			}
			if (cachet__literal_render(out, m->literals[i].value, path_for, e) < 0)
				return cachet__error_prefix("input '%s'", nm);
			return 0;
		}
		return cachet__error(CACHET_EINVALID, "unknown input '%s'", nm);
	}
	}
	return 0;
}

/* ---- the command's process, under the scheduler's timers ---- */

typedef struct spawned_node {
	cachet_run *run;
	run_node *n;
} spawned_node;

/* Hand the child to the scheduler's timers; a cancel that came while
 * spawning is acted on right here. */
static void node_command_started(pid_t pid, void *payload)
{
	spawned_node *sn = payload;
	cachet_run *run = sn->run;
	run_node *n = sn->n;
	const cachet_task *task = n->wn->task;
	bool cancelled;

	pthread_mutex_lock(&run->lock);
	n->pid = pid;
	n->deadline_ms = task->timeout_ms ? cachet__monotonic_ms() + (int64_t)task->timeout_ms : 0;
	cancelled = run->cancelled;
	if (cancelled && !n->kill_at_ms) {
		kill(-pid, SIGTERM);
		n->kill_at_ms = cachet__monotonic_ms() + cachet__kill_grace_ms(run);
	}
	pthread_mutex_unlock(&run->lock);
	if (n->deadline_ms || cancelled)
		cachet__run_wake(run); /* the scheduler recomputes its sleep */
}

/* The child exited: take it back from the timers, say whether they (or a
 * cancel) stopped it. */
static void node_command_exited(pid_t pid, bool *timed_out, bool *cancelled, void *payload)
{
	spawned_node *sn = payload;
	cachet_run *run = sn->run;
	run_node *n = sn->n;

	(void)pid;
	pthread_mutex_lock(&run->lock);
	*timed_out = n->timed_out;
	*cancelled = run->cancelled;
	n->pid = 0;
	n->deadline_ms = 0;
	n->kill_at_ms = 0;
	pthread_mutex_unlock(&run->lock);
}

/* Run the node's command with its expanded argv: in its working
 * directory, logs to its files, CACHET_RUN_ID, CACHET_NODE and
 * CACHET_NODE_DIR set over the task's environment. */
static int spawn_node_command(cachet_run *run, run_node *n, char *const *argv)
{
	const cachet_task *task = n->wn->task;
	char *own_env[3] = {NULL, NULL, NULL};
	spawned_node sn = {run, n};
	cachet_spawn_request req;
	int rc;

	if (!(own_env[0] = cachet__malloc(strlen(run->id) + 16)) ||
	    !(own_env[1] = cachet__malloc(strlen(n->res.name) + 16)) ||
	    !(own_env[2] = cachet__malloc(strlen(n->node_dir) + 32))) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	sprintf(own_env[0], "CACHET_RUN_ID=%s", run->id);
	sprintf(own_env[1], "CACHET_NODE=%s", n->res.name);
	sprintf(own_env[2], "CACHET_NODE_DIR=%s", n->node_dir);

	memset(&req, 0, sizeof req);
	req.name = n->res.name;
	req.argv = argv;
	req.cwd = n->work_dir;
	req.env = task->env;
	req.n_env = task->n_env;
	req.own_env = own_env;
	req.n_own_env = 3;
	req.stdout_path = n->stdout_path;
	req.stderr_path = n->stderr_path;
	req.timeout_ms = task->timeout_ms;
	req.exit_status = &n->res.exit_status;
	req.on_started = node_command_started;
	req.on_exited = node_command_exited;
	req.payload = &sn;
	rc = cachet__spawn(&req);
done:
	for (int i = 0; i < 3; i++)
		cachet__free(own_env[i]);
	return rc;
}

static int run_command(cachet_run *run, run_node *n, cachet_task_context *ctx)
{
	const cachet_task *task = n->wn->task;
	expand_ctx e = {run, n, ctx};
	char **argv = NULL;
	int rc = 0;

	if (run->cancelled) /* no point starting it */
		return cachet__error(CACHET_ERROR, "node '%s': cancelled", n->res.name);
	/* every output gets its path, referenced in argv or not */
	for (size_t i = 0; i < ctx->n_outs; i++) {
		const char *p;
		if ((rc = cachet__context_output_path(&p, ctx, &ctx->outs[i])) < 0)
			return rc;
	}
	if (!(argv = cachet__calloc(task->argc + 1, sizeof *argv)))
		return CACHET_ENOMEM;
	for (size_t i = 0; i < task->argc; i++) {
		cachet_buf b = CACHET_BUF_INIT;
		if ((rc = cachet__template_expand(&b, task->argv[i], expand_one, &e)) < 0 ||
		    !(argv[i] = cachet__buf_detach(&b, NULL))) {
			cachet__buf_dispose(&b);
			if (rc == 0)
				rc = CACHET_ENOMEM;
			cachet__error_prefix("node '%s'", n->res.name);
			goto done;
		}
		cachet__buf_dispose(&b);
	}
	n->res.stdout_path = n->stdout_path;
	n->res.stderr_path = n->stderr_path;
	rc = spawn_node_command(run, n, argv);
done:
	cachet__strv_free(argv, task->argc);
	return rc;
}

/* ---- the node ---- */

static void put(cachet_run *run, run_node *n, const cachet_literal_map *outputs)
{
	const cachet_task *task = n->wn->task;
	cachet_put_options po = CACHET_PUT_OPTIONS_INIT;
	cachet_put_result pr = CACHET_PUT_RESULT_INIT;

	po.overwrite = run->opts.overwrite_cache;
	po.task_version = task->task_version;
	cachet_artifact_source source = {
		.exec_project = run->wf->project,
		.exec_domain = run->wf->domain,
		.execution_name = run->id,
		.exec_node = n->res.name,
	};
	po.source = &source;
	po.inputs = n->inputs;
	po.ignore = (const char *const *)task->ignore;
	po.n_ignore = task->n_ignore;
	po.iface = task->iface; /* outputs that do not fit are never stored */
	pthread_mutex_lock(&run->catalog_lock);
	(void)cachet_catalog_put(&pr, run->catalog, &n->key, outputs, &po);
	pthread_mutex_unlock(&run->catalog_lock);
	n->res.cache_status = pr.status == CACHET_CACHE_POPULATED ? CACHET_CACHE_POPULATED
								  : CACHET_CACHE_PUT_FAILURE;
	if (pr.message)
		set_str(&n->cache_message, &n->res.cache_message, pr.message);
	cachet_put_result_dispose(&pr);
}

void cachet__node_execute(cachet_run *run, run_node *n)
{
	const cachet_task *task = n->wn->task;
	cachet_task_context ctx;
	cachet_literal_map *outputs = NULL;
	bool cached = task->cache_enabled && !run->opts.no_cache && run->catalog;
	bool do_put = false, have_ctx = false;
	int rc;

	n->res.started_at_ms = cachet__now_ms();
	n->res.status = CACHET_NODE_RUNNING;
	n->res.cache_status = cached ? CACHET_CACHE_SKIPPED : CACHET_CACHE_DISABLED;
	cachet__run_post(run, n->index, CACHET_EVENT_NODE_STARTED);
	if (run->cancelled)
		goto aborted;
	if (build_inputs(run, n) < 0) {
		cachet__node_fail(n, CACHET_NODE_FAILED, NULL);
		goto finish;
	}
	if (cached) {
		cachet_key_options ko = CACHET_KEY_OPTIONS_INIT;
		ko.ignore = (const char *const *)task->ignore;
		ko.n_ignore = task->n_ignore;
		if (cachet_cache_key_compute(&n->key, run->wf->project, run->wf->domain,
					     task->name, task->cache_version, task->iface,
					     n->inputs, &ko) < 0) {
			/* without a key the task runs uncached */
			n->res.cache_status = CACHET_CACHE_LOOKUP_FAILURE;
			set_str(&n->cache_message, &n->res.cache_message,
				cachet_error_last()->message);
		} else {
			n->have_key = true;
			set_key(n);
			if (run->opts.overwrite_cache) {
				n->res.cache_status = CACHET_CACHE_MISS;
				do_put = true;
			} else {
				cachet_literal_map *hit = NULL;
				lookup(run, n, &hit, &do_put);
				if (run->cancelled && !hit)
					goto aborted;
				if (hit) {
					n->outputs = hit;
					n->res.outputs = hit;
					n->res.status = CACHET_NODE_SUCCEEDED;
					goto finish;
				}
			}
		}
	}

	cachet__run_post(run, n->index, CACHET_EVENT_NODE_EXECUTING);
	if (make_dirs(n, run) < 0 || cachet__context_init(&ctx, run, n) < 0) {
		cachet__node_fail(n, CACHET_NODE_FAILED, NULL);
		goto finish;
	}
	have_ctx = true;
	rc = task->argv ? run_command(run, n, &ctx) : run_function(run, n, &ctx);
	if (run->cancelled)
		goto aborted;
	if (rc < 0) {
		cachet__node_fail(n, CACHET_NODE_FAILED, NULL);
		goto finish;
	}
	if (cachet__collect_outputs(&outputs, &ctx, task->argv != NULL) < 0) {
		cachet__node_fail(n, CACHET_NODE_FAILED, NULL);
		goto finish;
	}
	if (run->cancelled)
		goto aborted;
	n->outputs = outputs;
	n->res.outputs = outputs;
	outputs = NULL;
	if (do_put)
		put(run, n, n->outputs);
	n->res.status = CACHET_NODE_SUCCEEDED;
	goto finish;

aborted:
	cachet__node_fail(n, CACHET_NODE_ABORTED, "node '%s': aborted: the run was cancelled",
			  n->res.name);
finish:
	if (n->res.status != CACHET_NODE_SUCCEEDED && n->res.cache_status == CACHET_CACHE_SKIPPED &&
	    !cached)
		n->res.cache_status = CACHET_CACHE_DISABLED;
	release(run, n);
	if (have_ctx)
		cachet__context_dispose(&ctx);
	cachet_literal_map_free(outputs);
	n->res.finished_at_ms = cachet__now_ms();
	n->res.duration_ms = n->res.finished_at_ms - n->res.started_at_ms;
}
