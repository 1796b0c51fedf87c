/*
 * Run records: <home>/runs/<id>/run.json, written atomically (temporary
 * file, fsync, rename) when a run starts (status RUNNING, so that a crash
 * leaves a trace) and when it ends. Values (inputs, outputs) are embedded
 * in protobuf JSON, as `cachet literal convert` writes them. The format is
 * in docs/engine.md.
 */
#include "engine/run.h"

#include "cachet/codec.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/os.h"
#include "util/version.h"
#include "util/warning.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RECORD_VERSION 1
#define MAX_RECORD (256u << 20)

/* ---------------------------------------------------------------------- */
/* Writing                                                                */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int map_json(json_t **out, const cachet_literal_map *map)
{
	char *text = NULL;
	size_t len = 0;
	json_error_t jerr;
	int rc;

	*out = NULL;
	if (!map) {
		*out = json_null();
		return 0;
	}
	if ((rc = cachet_literal_map_encode(&text, &len, map, CACHET_FORMAT_JSON, 0)) < 0)
		return rc;
	*out = json_loadb(text, len, 0, &jerr);
	cachet_free(text);
	if (!*out)
		return cachet__error(CACHET_ERROR, "cannot embed a value in the record: %s",
				     jerr.text);
	return 0;
}

static int node_json(json_t **out, const cachet_node_result *r)
{
	json_t *o = json_object(), *outputs = NULL;
	int rc = 0;

	*out = NULL;
	if (!o)
		return cachet__error_oom();
	json_object_set_new(o, "name", str_or_null(r->name));
	json_object_set_new(o, "task", str_or_null(r->task));
	json_object_set_new(o, "status", json_string(cachet_node_status_name(r->status)));
	json_object_set_new(o, "cache_status",
			    json_string(cachet_cache_status_name(r->cache_status)));
	json_object_set_new(o, "cache_message", str_or_null(r->cache_message));
	if (r->dataset_name) {
		json_t *d = json_object();
		json_object_set_new(d, "project", str_or_null(r->dataset_project));
		json_object_set_new(d, "domain", str_or_null(r->dataset_domain));
		json_object_set_new(d, "name", str_or_null(r->dataset_name));
		json_object_set_new(d, "version", str_or_null(r->dataset_version));
		json_object_set_new(o, "dataset", d);
	} else {
		json_object_set_new(o, "dataset", json_null());
	}
	json_object_set_new(o, "tag", str_or_null(r->tag));
	json_object_set_new(o, "started_at_ms", json_integer(r->started_at_ms));
	json_object_set_new(o, "finished_at_ms", json_integer(r->finished_at_ms));
	json_object_set_new(o, "duration_ms", json_integer(r->duration_ms));
	json_object_set_new(o, "stdout", str_or_null(r->stdout_path));
	json_object_set_new(o, "stderr", str_or_null(r->stderr_path));
	json_object_set_new(o, "exit_status", r->exit_status == INT32_MIN
						      ? json_null()
						      : json_integer(r->exit_status));
	json_object_set_new(o, "work_dir", str_or_null(r->work_dir));
	json_object_set_new(o, "error", str_or_null(r->error));
	if ((rc = map_json(&outputs, r->outputs)) < 0) {
		json_decref(o);
		return rc;
	}
	json_object_set_new(o, "outputs", outputs);
	*out = o;
	return 0;
}

int cachet__record_write(const cachet_run *run)
{
	json_t *o = json_object(), *nodes = json_array(), *v = NULL;
	char *text = NULL, *path = NULL;
	int rc = 0;

	if (!o || !nodes) {
		rc = cachet__error_oom();
		goto done;
	}
	json_object_set_new(o, "version", json_integer(RECORD_VERSION));
	json_object_set_new(o, "id", json_string(run->id));
	json_object_set_new(o, "workflow", json_string(run->wf->name));
	json_object_set_new(o, "project", json_string(run->wf->project));
	json_object_set_new(o, "domain", json_string(run->wf->domain));
	json_object_set_new(o, "status", json_string(cachet_run_status_name(run->status)));
	json_object_set_new(o, "started_at_ms", json_integer(run->started_at_ms));
	json_object_set_new(o, "finished_at_ms", json_integer(run->finished_at_ms));
	json_object_set_new(o, "dir", json_string(run->dir));
	json_object_set_new(o, "prefix", str_or_null(run->prefix));
	json_object_set_new(o, "error", str_or_null(run->error));
	if ((rc = map_json(&v, run->inputs)) < 0)
		goto done;
	json_object_set_new(o, "inputs", v);
	if ((rc = map_json(&v, run->outputs)) < 0)
		goto done;
	json_object_set_new(o, "outputs", v);
	for (size_t i = 0; i < run->n_nodes; i++) {
		if ((rc = node_json(&v, &run->nodes[i].pub)) < 0)
			goto done;
		json_array_append_new(nodes, v);
	}
	json_object_set_new(o, "nodes", nodes);
	nodes = NULL;
	if (!(text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		rc = cachet__error_oom();
		goto done;
	}
	if (!(path = cachet__malloc(strlen(run->dir) + 16))) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	sprintf(path, "%s/run.json", run->dir);
	{
		size_t len = strlen(text);
		text[len] = '\n'; /* json_dumps leaves room for its NUL: reuse it */
		rc = cachet__write_file_atomic(path, text, len + 1);
	}
done:
	json_decref(o);
	json_decref(nodes);
	free(text);
	cachet__free(path);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                */

static int get_str(char **out, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return cachet__error(CACHET_EINVALID, "\"%s\" is not a string", key);
	*out = cachet__strdup(json_string_value(v));
	return *out ? 0 : CACHET_ENOMEM;
}

static int64_t get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static int get_map(cachet_literal_map **out, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	char *text;
	int rc;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!(text = json_dumps(v, JSON_COMPACT)))
		return cachet__error_oom();
	rc = cachet_literal_map_decode(out, text, strlen(text), CACHET_FORMAT_JSON);
	free(text);
	if (rc < 0)
		cachet__error_prefix("\"%s\"", key);
	return rc;
}

static int status_of(const char *name, const char *(*name_fn)(int), int lo, int hi)
{
	for (int s = lo; name && s <= hi; s++)
		if (!strcmp(name_fn(s), name))
			return s;
	return -1;
}

static int read_node(cachet_node_result *r, json_t *o)
{
	char *s = NULL, *status = NULL, *cache = NULL;
	json_t *d = json_object_get(o, "dataset");
	cachet_literal_map *outputs = NULL;
	int rc;

	r->exit_status = INT32_MIN;
#define STR(field, key)                                                                     \
	do {                                                                               \
		if ((rc = get_str(&s, o, key)) < 0)                                        \
			goto done;                                                         \
		r->field = s;                                                              \
	} while (0)
	STR(name, "name");
	STR(task, "task");
	STR(cache_message, "cache_message");
	STR(tag, "tag");
	STR(stdout_path, "stdout");
	STR(stderr_path, "stderr");
	STR(work_dir, "work_dir");
	STR(error, "error");
	if (json_is_object(d)) {
		json_t *saved = o;
		o = d;
		STR(dataset_project, "project");
		STR(dataset_domain, "domain");
		STR(dataset_name, "name");
		STR(dataset_version, "version");
		o = saved;
	}
#undef STR
	if ((rc = get_str(&status, o, "status")) < 0 || (rc = get_str(&cache, o, "cache_status")) < 0)
		goto done;
	r->status = status_of(status, cachet_node_status_name, 0, CACHET_NODE_ABORTED);
	r->cache_status = status_of(cache, cachet_cache_status_name, 0, CACHET_CACHE_EVICTED);
	if (r->status < 0 || r->cache_status < 0) {
		rc = cachet__error(CACHET_EINVALID, "node '%s': unknown status",
				   r->name ? r->name : "?");
		goto done;
	}
	r->started_at_ms = get_int(o, "started_at_ms");
	r->finished_at_ms = get_int(o, "finished_at_ms");
	r->duration_ms = get_int(o, "duration_ms");
	if (json_is_integer(json_object_get(o, "exit_status")))
		r->exit_status = (int32_t)json_integer_value(json_object_get(o, "exit_status"));
	if ((rc = get_map(&outputs, o, "outputs")) < 0)
		goto done;
	r->outputs = outputs;
done:
	cachet__free(status);
	cachet__free(cache);
	return rc;
}

static void node_dispose(cachet_node_result *r)
{
	cachet__free((char *)r->name);
	cachet__free((char *)r->task);
	cachet__free((char *)r->cache_message);
	cachet__free((char *)r->tag);
	cachet__free((char *)r->stdout_path);
	cachet__free((char *)r->stderr_path);
	cachet__free((char *)r->work_dir);
	cachet__free((char *)r->error);
	cachet__free((char *)r->dataset_project);
	cachet__free((char *)r->dataset_domain);
	cachet__free((char *)r->dataset_name);
	cachet__free((char *)r->dataset_version);
	cachet_literal_map_free((cachet_literal_map *)r->outputs);
}

void cachet_run_record_dispose(cachet_run_record *rec)
{
	if (!rec || !cachet__version_known(rec->version, CACHET_RUN_RECORD_VERSION))
		return;
	cachet__free(rec->id);
	cachet__free(rec->workflow);
	cachet__free(rec->project);
	cachet__free(rec->domain);
	cachet__free(rec->dir);
	cachet__free(rec->prefix);
	cachet__free(rec->error);
	cachet_literal_map_free(rec->inputs);
	cachet_literal_map_free(rec->outputs);
	for (size_t i = 0; i < rec->n_nodes; i++)
		node_dispose(&rec->nodes[i]);
	cachet__free(rec->nodes);
	CACHET__RESULT_CLEAR(rec);
}

static int parse_record(cachet_run_record *out, const char *path)
{
	json_error_t jerr;
	json_t *o = NULL, *nodes;
	char *text = NULL, *status = NULL;
	size_t len = 0;
	int rc;

	CACHET__RESULT_CLEAR(out);
	if ((rc = cachet__read_file(&text, &len, path, MAX_RECORD)) < 0)
		return rc;
	if (!(o = json_loadb(text, len, 0, &jerr)) || !json_is_object(o)) {
		rc = cachet__error(CACHET_EINVALID, "'%s' is not a run record: %s", path,
				   o ? "not an object" : jerr.text);
		goto done;
	}
	if (get_int(o, "version") != RECORD_VERSION) {
		rc = cachet__error(CACHET_EUNSUPPORTED, "'%s': record version %lld is not %d", path,
				   (long long)get_int(o, "version"), RECORD_VERSION);
		goto done;
	}
	if ((rc = get_str(&out->id, o, "id")) < 0 || (rc = get_str(&out->workflow, o, "workflow")) < 0 ||
	    (rc = get_str(&out->project, o, "project")) < 0 ||
	    (rc = get_str(&out->domain, o, "domain")) < 0 || (rc = get_str(&out->dir, o, "dir")) < 0 ||
	    (rc = get_str(&out->prefix, o, "prefix")) < 0 ||
	    (rc = get_str(&out->error, o, "error")) < 0 ||
	    (rc = get_str(&status, o, "status")) < 0 ||
	    (rc = get_map(&out->inputs, o, "inputs")) < 0 ||
	    (rc = get_map(&out->outputs, o, "outputs")) < 0)
		goto bad;
	if (!out->id || !out->workflow) {
		rc = cachet__error(CACHET_EINVALID, "no id or workflow");
		goto bad;
	}
	out->status = status_of(status, cachet_run_status_name, 0, CACHET_RUN_ABORTED);
	if (out->status < 0) {
		rc = cachet__error(CACHET_EINVALID, "unknown status");
		goto bad;
	}
	if (!out->inputs && (rc = cachet_literal_map_new(&out->inputs)) < 0)
		goto bad;
	out->started_at_ms = get_int(o, "started_at_ms");
	out->finished_at_ms = get_int(o, "finished_at_ms");
	nodes = json_object_get(o, "nodes");
	if (json_is_array(nodes) && json_array_size(nodes)) {
		if (!(out->nodes = cachet__calloc(json_array_size(nodes), sizeof *out->nodes))) {
			rc = CACHET_ENOMEM;
			goto done;
		}
		for (size_t i = 0; i < json_array_size(nodes); i++) {
			out->n_nodes++;
			if ((rc = read_node(&out->nodes[i], json_array_get(nodes, i))) < 0)
				goto bad;
		}
	}
	goto done;
bad:
	if (rc != CACHET_ENOMEM)
		cachet__error_prefix("'%s'", path);
done:
	if (rc < 0)
		cachet_run_record_dispose(out);
	json_decref(o);
	cachet__free(text);
	cachet__free(status);
	return rc;
}

static int runs_dir(char **out, const char *home)
{
	char *resolved = NULL;
	int rc;

	*out = NULL;
	if ((rc = cachet_home_resolve(&resolved, home)) < 0)
		return rc;
	rc = cachet_home_runs_dir(out, resolved);
	cachet__free(resolved);
	return rc;
}

static int record_path(char **out, const char *dir, const char *id)
{
	*out = cachet__malloc(strlen(dir) + strlen(id) + 16);
	if (!*out)
		return CACHET_ENOMEM;
	sprintf(*out, "%s/%s/run.json", dir, id);
	return 0;
}

static bool valid_id(const char *id)
{
	if (!id || !*id || id[0] == '.')
		return false;
	for (; *id; id++)
		if (*id == '/')
			return false;
	return true;
}

int cachet_run_record_read(cachet_run_record *out, const char *home, const char *id)
{
	char *dir = NULL, *path = NULL, *match = NULL;
	size_t n_match = 0;
	struct stat st;
	DIR *d = NULL;
	struct dirent *e;
	int rc;

	if (!out)
		return cachet__error(CACHET_EINVALID, "cachet_run_record_read: out is NULL");
	if ((rc = CACHET__RESULT_BEGIN(out, CACHET_RUN_RECORD_VERSION, "run record")) < 0)
		return rc;
	if (!valid_id(id))
		return cachet__error(CACHET_EINVALID, "'%s' is not a run id", id ? id : "");
	if ((rc = runs_dir(&dir, home)) < 0)
		return rc;
	if ((rc = record_path(&path, dir, id)) < 0)
		goto done;
	if (stat(path, &st) == 0) {
		rc = parse_record(out, path);
		goto done;
	}
	/* a unique prefix of an id */
	if (!(d = opendir(dir))) {
		rc = cachet__error(CACHET_ENOTFOUND, "no run '%s'", id);
		goto done;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, id, strlen(id)))
			continue;
		if (++n_match == 1 && !(match = cachet__strdup(e->d_name))) {
			rc = CACHET_ENOMEM;
			goto done;
		}
	}
	if (n_match == 0) {
		rc = cachet__error(CACHET_ENOTFOUND, "no run '%s'", id);
		goto done;
	}
	if (n_match > 1) {
		rc = cachet__error(CACHET_EINVALID, "run id '%s' is ambiguous: %zu runs start with it",
				   id, n_match);
		goto done;
	}
	cachet__free(path);
	if ((rc = record_path(&path, dir, match)) < 0)
		goto done;
	rc = parse_record(out, path);
done:
	if (d)
		closedir(d);
	cachet__free(dir);
	cachet__free(path);
	cachet__free(match);
	return rc;
}

static int by_newest(const void *a, const void *b)
{
	const cachet_run_record *x = a, *y = b;
	if (x->started_at_ms != y->started_at_ms)
		return x->started_at_ms > y->started_at_ms ? -1 : 1;
	return strcmp(y->id, x->id);
}

int cachet_run_records_list(cachet_run_records *out, const char *home, const char *workflow,
			    size_t limit)
{
	char *dir = NULL, *path = NULL;
	DIR *d = NULL;
	struct dirent *e;
	int rc = 0;

	if (!out)
		return cachet__error(CACHET_EINVALID, "cachet_run_records_list: out is NULL");
	if ((rc = CACHET__RESULT_BEGIN(out, CACHET_RUN_RECORDS_VERSION, "run records")) < 0)
		return rc;
	if ((rc = runs_dir(&dir, home)) < 0)
		return rc;
	if (!(d = opendir(dir))) {
		if (errno != ENOENT)
			rc = cachet__error(CACHET_EIO, "cannot read directory '%s': %s", dir,
					   cachet__strerror(errno));
		goto done;
	}
	while ((e = readdir(d))) {
		cachet_run_record rec = CACHET_RUN_RECORD_INIT, *grown;
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		cachet__free(path);
		if ((rc = record_path(&path, dir, e->d_name)) < 0)
			goto done;
		if (stat(path, &st) < 0)
			continue; /* not a run directory */
		if ((rc = parse_record(&rec, path)) < 0) {
			if (rc == CACHET_ENOMEM)
				goto done;
			cachet__warn("skipping run '%s': %s", e->d_name,
				     cachet_error_last()->message);
			rc = 0;
			continue;
		}
		if (workflow && strcmp(rec.workflow, workflow)) {
			cachet_run_record_dispose(&rec);
			continue;
		}
		if (!(grown = cachet__reallocarray(out->items, out->n + 1, sizeof *grown))) {
			cachet_run_record_dispose(&rec);
			rc = CACHET_ENOMEM;
			goto done;
		}
		out->items = grown;
		out->items[out->n++] = rec;
	}
	if (out->n)
		qsort(out->items, out->n, sizeof *out->items, by_newest);
	while (limit && out->n > limit)
		cachet_run_record_dispose(&out->items[--out->n]);
done:
	if (rc < 0)
		cachet_run_records_dispose(out);
	if (d)
		closedir(d);
	cachet__free(dir);
	cachet__free(path);
	return rc;
}

void cachet_run_records_dispose(cachet_run_records *list)
{
	if (!list || !cachet__version_known(list->version, CACHET_RUN_RECORDS_VERSION))
		return;
	for (size_t i = 0; i < list->n; i++)
		cachet_run_record_dispose(&list->items[i]);
	cachet__free(list->items);
	CACHET__RESULT_CLEAR(list);
}
