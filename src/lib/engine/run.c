/*
 * Preparing a run: check the workflow and the inputs, open what the
 * options leave to the home, name the run, create its directory, write
 * the first record. Also the run's getters and freeing it.
 */
#include "engine/run.h"
#include "engine/context.h"
#include "engine/graph.h"
#include "engine/task.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/os.h"
#include "util/version.h"
#include "util/warning.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The workflow inputs of the run: given ones checked, defaults added. */
static int resolve_inputs(cachet_literal_map **out, const cachet_workflow *wf,
			  const cachet_literal_map *given)
{
	cachet_literal_map *m = NULL;
	int rc;

	*out = NULL;
	for (size_t i = 0; given && i < given->n_literals; i++) {
		const char *key = given->literals[i].key;
		size_t len = cachet_str_len(key);
		/* a name holding NUL is no name of a workflow file */
		if (strlen(key ? key : "") != len ||
		    cachet__workflow_find_input(wf, key ? key : "") == SIZE_MAX) {
			char shown[CACHET__SHOW_MAX];
			return cachet__error(CACHET_EINVALID, "workflow '%s' has no input '%s'",
					     wf->name, cachet__bytes_show(shown, key, len));
		}
	}
	if ((rc = cachet_literal_map_new(&m)) < 0)
		return rc;
	for (size_t i = 0; i < wf->n_inputs; i++) {
		const wf_input *in = wf->inputs[i];
		const cachet_literal *v = given ? cachet_literal_map_get(given, in->name) : NULL;
		cachet_literal *copy = NULL;
		char *why = NULL;

		if (!v)
			v = in->def;
		if (!v) {
			rc = cachet__error(CACHET_EINVALID,
					   "workflow input '%s' is required (it has no default)",
					   in->name);
			goto fail;
		}
		if (!cachet_literal_fits(v, in->type, &why)) {
			rc = cachet__error(CACHET_EINVALID, "workflow input '%s': %s", in->name,
					   why ? why : "wrong kind of value");
			cachet__free(why);
			goto fail;
		}
		if ((rc = cachet_literal_copy(&copy, v)) < 0 ||
		    (rc = cachet_literal_map_set(m, in->name, copy)) < 0)
			goto fail;
	}
	*out = m;
	return 0;
fail:
	cachet_literal_map_free(m);
	return rc;
}

/* "20240501-120304-9f86d0": sorts by the start time (UTC). */
static int new_run_id(char *out, size_t size)
{
	char hex[8], date[32];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	if ((rc = cachet__random_hex(hex, 3)) < 0)
		return rc;
	if (!gmtime_r(&t, &tm) || !strftime(date, sizeof date, "%Y%m%d-%H%M%S", &tm))
		return cachet__error(CACHET_ERROR, "cannot format the time");
	snprintf(out, size, "%s-%s", date, hex);
	return 0;
}

static int make_run_dir(cachet_run *run)
{
	cachet_buf b = CACHET_BUF_INIT;
	char *runs = NULL;
	char id[64];
	int rc;

	if ((rc = cachet_home_runs_dir(&runs, run->home)) < 0)
		return rc;
	for (int attempt = 0; attempt < 8; attempt++) {
		if ((rc = new_run_id(id, sizeof id)) < 0)
			goto done;
		if (cachet__mkdirs(runs, 0700, NULL) < 0) {
			rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", runs,
					   cachet__strerror(errno));
			goto done;
		}
		cachet__buf_clear(&b);
		if ((rc = cachet__buf_printf(&b, "%s/%s", runs, id)) < 0)
			goto done;
		if (mkdir(b.ptr, 0700) == 0) {
			if (!(run->id = cachet__strdup(id)) ||
			    !(run->dir = cachet__buf_detach(&b, NULL)))
				rc = CACHET_ENOMEM;
			goto done;
		}
		if (errno != EEXIST) {
			rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", b.ptr,
					   cachet__strerror(errno));
			goto done;
		}
	}
	rc = cachet__error(CACHET_EIO, "cannot find a free run id in '%s'", runs);
done:
	cachet__buf_dispose(&b);
	cachet__free(runs);
	return rc;
}

static int open_store_and_catalog(cachet_run *run, const cachet_home_config *config)
{
	char *path = NULL;
	int rc;

	if (run->opts.store) {
		run->store = run->opts.store;
	} else {
		if ((rc = config->store ? cachet_store_open_url(&run->store, config->store)
					: cachet_store_open_home(&run->store, run->home)) < 0)
			return rc;
		run->own_store = true;
	}
	if (run->opts.stat_cache) {
		run->stat_cache = run->opts.stat_cache;
	} else {
		if ((rc = cachet_home_stat_cache_path(&path, run->home)) < 0)
			return rc;
		rc = cachet_stat_cache_open(&run->stat_cache, path);
		cachet__free(path);
		path = NULL;
		if (rc < 0)
			return rc;
		run->own_stat_cache = true;
	}
	if (run->opts.catalog) {
		run->catalog = run->opts.catalog;
	} else if (!run->opts.no_cache) {
		cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;
		const char *url = run->opts.catalog_url ? run->opts.catalog_url : config->catalog;
		co.store = run->store;
		if (url == NULL && (rc = cachet_home_catalog_path(&path, run->home)) < 0)
			return rc;
		rc = url ? cachet_catalog_open_url(&run->catalog, url, &co)
			 : cachet_catalog_open_sqlite(&run->catalog, path, &co);
		cachet__free(path);
		if (rc < 0)
			return rc;
		run->own_catalog = true;
	}
	return 0;
}

/* The store and catalog the run was not lent: the catalog_url option,
 * else the home's config, else the home's own. */
static int open_backends(cachet_run *run)
{
	cachet_home_config config = {NULL, NULL};
	bool lent = run->opts.store &&
		    (run->opts.catalog || run->opts.catalog_url || run->opts.no_cache);
	int rc;

	if ((rc = cachet_home_ensure(run->home)) < 0)
		return rc;
	/* The config is read only when it could choose something. */
	if (!lent && (rc = cachet_home_config_read(&config, run->home)) < 0)
		return rc;
	rc = open_store_and_catalog(run, &config);
	cachet_home_config_dispose(&config);
	return rc;
}

/* The graph: each node's upstream nodes (unique) and downstream nodes. */
static int build_graph(cachet_run *run)
{
	const cachet_workflow *wf = run->wf;
	size_t *n_downs = NULL;
	int rc = 0;

	for (size_t i = 0; i < run->n_nodes; i++) {
		run_node *n = &run->nodes[i];
		const wf_node *wn = wf->nodes[i];
		if (wn->n_bindings && !(n->ups = cachet__calloc(wn->n_bindings, sizeof *n->ups)))
			return CACHET_ENOMEM;
		for (size_t j = 0; j < wn->n_bindings; j++) {
			const wf_binding *b = wn->bindings[j];
			size_t up;
			bool seen = false;
			if (b->info.src.kind != CACHET_SOURCE_OUTPUT)
				continue;
			up = cachet__workflow_find_node(wf, b->src_node);
			for (size_t k = 0; k < n->n_ups && !seen; k++)
				seen = n->ups[k] == up;
			if (!seen)
				n->ups[n->n_ups++] = up;
		}
	}
	if (!(n_downs = cachet__calloc(run->n_nodes + 1, sizeof *n_downs)))
		return CACHET_ENOMEM;
	for (size_t i = 0; i < run->n_nodes; i++)
		for (size_t k = 0; k < run->nodes[i].n_ups; k++)
			n_downs[run->nodes[i].ups[k]]++;
	for (size_t i = 0; i < run->n_nodes; i++) {
		if (n_downs[i] &&
		    !(run->nodes[i].downs = cachet__calloc(n_downs[i], sizeof(size_t)))) {
			rc = CACHET_ENOMEM;
			goto done;
		}
	}
	for (size_t i = 0; i < run->n_nodes; i++)
		for (size_t k = 0; k < run->nodes[i].n_ups; k++) {
			run_node *up = &run->nodes[run->nodes[i].ups[k]];
			up->downs[up->n_downs++] = i;
		}
done:
	cachet__free(n_downs);
	return rc;
}

static void init_results(cachet_run *run)
{
	for (size_t i = 0; i < run->n_nodes; i++) {
		run_node *n = &run->nodes[i];
		n->index = i;
		n->wn = run->wf->nodes[i];
		n->pub.name = n->wn->name;
		n->pub.task = n->wn->task->name;
		n->pub.status = CACHET_NODE_PENDING;
		n->pub.cache_status = CACHET_CACHE_SKIPPED;
		n->pub.exit_status = INT32_MIN;
		n->key = (cachet_cache_key)CACHET_CACHE_KEY_INIT;
		n->res = n->pub;
	}
	run->counts.version = CACHET_RUN_COUNTS_VERSION;
	run->counts.total = run->n_nodes;
	run->counts.pending = run->n_nodes;
}

int cachet_run_new(cachet_run **out, cachet_workflow *wf, const cachet_literal_map *inputs,
		   const cachet_run_options *opts)
{
	static const cachet_run_options defaults = CACHET_RUN_OPTIONS_INIT;
	cachet_run *run = NULL;
	char *prefix = NULL;
	long cores;
	int rc;

	if (!out || !wf)
		return cachet__error(CACHET_EINVALID, "cachet_run_new: NULL argument");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((rc = cachet__check_version(opts->version, CACHET_RUN_OPTIONS_VERSION,
					"run options")) < 0)
		return rc;
	if ((rc = cachet_workflow_validate(NULL, wf)) < 0)
		return rc;
	if (!(run = cachet__calloc(1, sizeof *run)))
		return CACHET_ENOMEM;
	run->wf = wf;
	/* A version-1 struct ends before catalog_url (calloc left it NULL). */
	if (opts->version >= 2)
		run->opts = *opts;
	else
		memcpy(&run->opts, opts, offsetof(cachet_run_options, catalog_url));
	run->wake[0] = run->wake[1] = -1;
	run->status = CACHET_RUN_CREATED;
	atomic_init(&run->cancelled, false);
	if ((rc = pthread_mutex_init(&run->lock, NULL)) != 0) {
		cachet__free(run);
		return cachet__error(CACHET_ERROR, "cannot create a mutex: %s", cachet__strerror(rc));
	}
	pthread_mutex_init(&run->catalog_lock, NULL);
	pthread_cond_init(&run->work_cond, NULL);
	run->opts.home = NULL; /* not kept: the caller's string */
	if ((rc = resolve_inputs(&run->inputs, wf, inputs)) < 0)
		goto fail;
	if ((rc = cachet_home_resolve(&run->home, opts->home)) < 0)
		goto fail;
	rc = open_backends(run);
	run->opts.catalog_url = NULL; /* not kept: the caller's string */
	if (rc < 0)
		goto fail;
	if ((rc = cachet_store_new_prefix(&prefix, run->store)) < 0)
		goto fail;
	{
		size_t len = strlen(prefix);
		while (len && prefix[len - 1] == '/')
			prefix[--len] = '\0';
		run->prefix = prefix;
		prefix = NULL;
	}
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	run->jobs = opts->jobs ? opts->jobs : (cores > 0 ? (unsigned int)cores : 1);
	if (pipe(run->wake) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot create a pipe: %s", cachet__strerror(errno));
		goto fail;
	}
	for (int k = 0; k < 2; k++) {
		fcntl(run->wake[k], F_SETFD, FD_CLOEXEC);
		fcntl(run->wake[k], F_SETFL, O_NONBLOCK);
	}
	run->n_nodes = wf->n_nodes;
	if (run->n_nodes && !(run->nodes = cachet__calloc(run->n_nodes, sizeof *run->nodes))) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	if (!(run->input_errors = cachet__calloc(wf->n_inputs + 1, sizeof *run->input_errors))) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	init_results(run);
	if ((rc = build_graph(run)) < 0)
		goto fail;
	if ((rc = make_run_dir(run)) < 0)
		goto fail;
	if (!(run->owner = cachet__malloc(strlen(run->id) + 16))) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	sprintf(run->owner, "cachet-run-%s", run->id);
	run->started_at_ms = cachet__now_ms();
	/* a first record, so that a crash leaves a trace */
	run->status = CACHET_RUN_RUNNING;
	rc = cachet__record_write(run);
	run->status = CACHET_RUN_CREATED;
	if (rc < 0)
		goto fail;
	*out = run;
	return 0;
fail:
	cachet__free(prefix);
	if (run->dir)
		(void)cachet__remove_tree(run->dir);
	run->executed = true; /* nothing to record */
	cachet_run_free(run);
	return rc;
}

void cachet_run_free(cachet_run *run)
{
	if (!run)
		return;
	if (!run->executed && run->dir) {
		run->status = CACHET_RUN_ABORTED;
		run->finished_at_ms = cachet__now_ms();
		for (size_t i = 0; i < run->n_nodes; i++) {
			run->nodes[i].pub.status = CACHET_NODE_ABORTED;
		}
		if (cachet__record_write(run) < 0)
			cachet__warn("run %s: %s", run->id, cachet_error_last()->message);
	}
	for (size_t i = 0; i < run->n_nodes; i++) {
		run_node *n = &run->nodes[i];
		cachet__free(n->ups);
		cachet__free(n->downs);
		cachet__free(n->error);
		cachet__free(n->cache_message);
		cachet_cache_key_dispose(&n->key);
		cachet__free(n->node_dir);
		cachet__free(n->work_dir);
		cachet__free(n->stdout_path);
		cachet__free(n->stderr_path);
		cachet_literal_map_free(n->inputs);
		cachet_literal_map_free(n->outputs);
	}
	cachet__free(run->nodes);
	if (run->input_errors)
		for (size_t i = 0; i < run->wf->n_inputs; i++)
			cachet__free(run->input_errors[i]);
	cachet__free(run->input_errors);
	cachet_literal_map_free(run->inputs);
	cachet_literal_map_free(run->outputs);
	if (run->own_catalog)
		cachet_catalog_free(run->catalog);
	if (run->own_stat_cache)
		cachet_stat_cache_free(run->stat_cache);
	if (run->own_store)
		cachet_store_free(run->store);
	for (int k = 0; k < 2; k++)
		if (run->wake[k] >= 0)
			close(run->wake[k]);
	pthread_mutex_destroy(&run->lock);
	pthread_mutex_destroy(&run->catalog_lock);
	pthread_cond_destroy(&run->work_cond);
	cachet__free(run->ready);
	cachet__free(run->current);
	cachet__free(run->threads);
	cachet__free(run->msgs);
	cachet__free(run->home);
	cachet__free(run->id);
	cachet__free(run->dir);
	cachet__free(run->prefix);
	cachet__free(run->owner);
	cachet__free(run->error);
	cachet__free(run);
}

const char *cachet_run_id(const cachet_run *run)
{
	return run ? run->id : NULL;
}

const char *cachet_run_dir(const cachet_run *run)
{
	return run ? run->dir : NULL;
}

int cachet_run_get_status(const cachet_run *run)
{
	return run ? run->status : CACHET_RUN_CREATED;
}

const char *cachet_run_prefix(const cachet_run *run)
{
	return run ? run->prefix : NULL;
}

const cachet_literal_map *cachet_run_inputs(const cachet_run *run)
{
	return run ? run->inputs : NULL;
}

const cachet_literal_map *cachet_run_outputs(const cachet_run *run)
{
	return run ? run->outputs : NULL;
}

size_t cachet_run_node_count(const cachet_run *run)
{
	return run ? run->n_nodes : 0;
}

const cachet_node_result *cachet_run_node(const cachet_run *run, size_t i)
{
	return run && i < run->n_nodes ? &run->nodes[i].pub : NULL;
}

const cachet_node_result *cachet_run_node_by_name(const cachet_run *run, const char *name)
{
	size_t i;

	if (!run || !name)
		return NULL;
	i = cachet__workflow_find_node(run->wf, name);
	return i == SIZE_MAX ? NULL : &run->nodes[i].pub;
}

int cachet_run_counts_get(cachet_run_counts *out, const cachet_run *run)
{
	int rc;

	if (!out)
		return cachet__error(CACHET_EINVALID, "cachet_run_counts_get: out is NULL");
	if ((rc = CACHET__RESULT_BEGIN(out, CACHET_RUN_COUNTS_VERSION, "run counts")) < 0)
		return rc;
	if (run) {
		unsigned int version = out->version; /* the caller's, which has every field */
		*out = run->counts;
		out->version = version;
	}
	return 0;
}

/* The defaults of the run's timers. */
#define DEFAULT_HEARTBEAT_MS 10000
#define DEFAULT_KILL_GRACE_MS 2000

int64_t cachet__heartbeat_ms(const cachet_run *run)
{
	return run->opts.heartbeat_ms > 0 ? run->opts.heartbeat_ms : DEFAULT_HEARTBEAT_MS;
}

int64_t cachet__kill_grace_ms(const cachet_run *run)
{
	return run->opts.kill_grace_ms ? run->opts.kill_grace_ms : DEFAULT_KILL_GRACE_MS;
}
