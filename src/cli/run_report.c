/*
 * Showing a run record: the summary table of `cachet run`, the details of
 * `cachet runs show`, and the JSON form of both.
 */
#include "run_report.h"

#include "cli.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void report_format_duration(char *out, size_t size, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(out, size, "%d ms", (int)ms);
	else if (ms < 60 * 1000)
		snprintf(out, size, "%.1f s", (double)ms / 1000.0);
	else if (ms < 3600 * 1000)
		snprintf(out, size, "%dm%02ds", (int)(ms / 60000), (int)(ms / 1000 % 60));
	else
		snprintf(out, size, "%dh%02dm", (int)(ms / 3600000), (int)(ms / 60000 % 60));
}

const char *report_cache_status(int status)
{
	const char *name = cachet_cache_status_name(status);
	return strncmp(name, "CACHE_", 6) == 0 ? name + 6 : name;
}

static void format_time(char *out, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms <= 0 || gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "-");
}

static int64_t run_duration(const cachet_run_record *rec)
{
	return rec->finished_at_ms > 0 ? rec->finished_at_ms - rec->started_at_ms : 0;
}

/* Print a LiteralMap as `cachet literal show` does, each line indented. */
/* "<label><value>" on a line of its own; nothing for no value. */
static void print_field(FILE *out, const char *label, const char *value)
{
	if (value != NULL)
		fprintf(out, "%s%s\n", label, value);
}

/* "<indent><heading>:" and the lines of map below it, indented two more;
 * nothing when the map is missing or empty. */
static int print_map(FILE *out, const char *indent, const char *heading,
		     const cachet_literal_map *map)
{
	char *text = NULL;
	size_t len = 0;

	if (map == NULL || map->n_literals == 0)
		return CLI_OK;
	fprintf(out, "%s%s:\n", indent, heading);
	FILE *mem = open_memstream(&text, &len);
	if (mem == NULL)
		return cli_error("out of memory");
	int rc = cli_show_literal_map(mem, map);
	fclose(mem);
	if (rc == CLI_OK) {
		for (char *line = text, *nl; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			fprintf(out, "%s  %.*s\n", indent, nl ? (int)(nl - line) : (int)strlen(line),
				line);
		}
	}
	free(text);
	return rc;
}

static void count_nodes(const cachet_run_record *rec, size_t *hits, size_t *ran, size_t *failed,
			size_t *skipped)
{
	*hits = *ran = *failed = *skipped = 0;
	for (size_t i = 0; i < rec->n_nodes; i++) {
		const cachet_node_result *n = &rec->nodes[i];
		if (n->cache_status == CACHET_CACHE_HIT && n->status == CACHET_NODE_SUCCEEDED)
			(*hits)++;
		else if (n->status == CACHET_NODE_SUCCEEDED)
			(*ran)++;
		else if (n->status == CACHET_NODE_FAILED)
			(*failed)++;
		else
			(*skipped)++;
	}
}

static void print_headline(FILE *out, const cachet_run_record *rec)
{
	char dur[32];
	size_t hits, ran, failed, skipped;

	report_format_duration(dur, sizeof dur, run_duration(rec));
	count_nodes(rec, &hits, &ran, &failed, &skipped);
	fprintf(out, "run %s: %s %s in %s (%zu node%s: %zu hit, %zu ran", rec->id, rec->workflow,
		cachet_run_status_name(rec->status), dur, rec->n_nodes, rec->n_nodes == 1 ? "" : "s",
		hits, ran);
	if (failed)
		fprintf(out, ", %zu failed", failed);
	if (skipped)
		fprintf(out, ", %zu not run", skipped);
	fprintf(out, ")\n");
}

int report_print_summary(FILE *out, const cachet_run_record *rec)
{
	table t;
	int rc;

	print_headline(out, rec);
	table_init(&t, "llllr", "NODE", "TASK", "STATUS", "CACHE", "DURATION", NULL);
	for (size_t i = 0; i < rec->n_nodes; i++) {
		const cachet_node_result *n = &rec->nodes[i];
		char dur[32] = "-";
		if (n->started_at_ms > 0 && n->finished_at_ms > 0)
			report_format_duration(dur, sizeof dur, n->duration_ms);
		table_add(&t, "%s", n->name);
		table_add(&t, "%s", n->task ? n->task : "");
		table_add(&t, "%s", cachet_node_status_name(n->status));
		table_add(&t, "%s", report_cache_status(n->cache_status));
		table_add(&t, "%s", dur);
	}
	rc = table_print(&t, out);
	table_dispose(&t);
	if (rc == CLI_OK)
		rc = print_map(out, "", "outputs", rec->outputs);
	return rc;
}

int report_print_details(FILE *out, const cachet_run_record *rec)
{
	char when[40], dur[32];
	int rc = CLI_OK;

	format_time(when, sizeof when, rec->started_at_ms);
	report_format_duration(dur, sizeof dur, run_duration(rec));
	fprintf(out, "run       %s\n", rec->id);
	fprintf(out, "workflow  %s (project %s, domain %s)\n", rec->workflow,
		rec->project ? rec->project : "", rec->domain ? rec->domain : "");
	fprintf(out, "status    %s\n", cachet_run_status_name(rec->status));
	fprintf(out, "started   %s\n", when);
	fprintf(out, "duration  %s\n", rec->finished_at_ms > 0 ? dur : "-");
	fprintf(out, "dir       %s\n", rec->dir ? rec->dir : "-");
	print_field(out, "prefix    ", rec->prefix);
	print_field(out, "error     ", rec->error);
	if ((rc = print_map(out, "", "inputs", rec->inputs)) != CLI_OK)
		return rc;
	fprintf(out, "nodes:\n");
	for (size_t i = 0; i < rec->n_nodes; i++) {
		const cachet_node_result *n = &rec->nodes[i];
		dur[0] = '\0';
		if (n->started_at_ms > 0 && n->finished_at_ms > 0)
			report_format_duration(dur, sizeof dur, n->duration_ms);
		fprintf(out, "  %s: %s, cache %s%s%s\n", n->name, cachet_node_status_name(n->status),
			report_cache_status(n->cache_status), dur[0] ? ", " : "", dur);
		print_field(out, "    task      ", n->task);
		if (n->tag)
			fprintf(out, "    dataset   %s/%s/%s/%s\n    tag       %s\n",
				n->dataset_project ? n->dataset_project : "",
				n->dataset_domain ? n->dataset_domain : "",
				n->dataset_name ? n->dataset_name : "",
				n->dataset_version ? n->dataset_version : "", n->tag);
		print_field(out, "    cache     ", n->cache_message);
		if (n->exit_status != INT32_MIN)
			fprintf(out, "    exit      %d\n", (int)n->exit_status);
		print_field(out, "    stdout    ", n->stdout_path);
		print_field(out, "    stderr    ", n->stderr_path);
		print_field(out, "    error     ", n->error);
		if ((rc = print_map(out, "    ", "outputs", n->outputs)) != CLI_OK)
			return rc;
	}
	return print_map(out, "", "outputs", rec->outputs);
}

/* ---- JSON ---- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A LiteralMap as a JSON value (protobuf JSON), or null for NULL. */
static json_t *map_json(const cachet_literal_map *map)
{
	char *text = NULL;
	size_t len = 0;
	json_error_t err;

	if (map == NULL)
		return json_null();
	if (cachet_literal_map_encode(&text, &len, map, CACHET_FORMAT_JSON, 0) < 0) {
		cli_lib_error("cannot encode outputs as JSON");
		return NULL;
	}
	json_t *v = json_loadb(text, len, 0, &err);
	cachet_free(text);
	if (v == NULL)
		cli_error("cannot read back encoded JSON: %s", err.text);
	return v;
}

/* json_object_set_new that remembers a failure (a NULL value). */
static void put(json_t *obj, const char *key, json_t *value, bool *ok)
{
	if (value == NULL || json_object_set_new(obj, key, value) < 0)
		*ok = false;
}

static json_t *node_json(const cachet_node_result *n)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	if (!ok)
		return NULL;
	put(o, "name", str_or_null(n->name), &ok);
	put(o, "task", str_or_null(n->task), &ok);
	put(o, "status", json_string(cachet_node_status_name(n->status)), &ok);
	put(o, "cacheStatus", json_string(cachet_cache_status_name(n->cache_status)), &ok);
	put(o, "cacheMessage", str_or_null(n->cache_message), &ok);
	if (n->tag)
		put(o, "key",
		    json_pack("{s:{s:s?, s:s?, s:s?, s:s?}, s:s}", "dataset", "project",
			      n->dataset_project, "domain", n->dataset_domain, "name",
			      n->dataset_name, "version", n->dataset_version, "tag", n->tag),
		    &ok);
	else
		put(o, "key", json_null(), &ok);
	put(o, "startedAtMs", json_integer(n->started_at_ms), &ok);
	put(o, "finishedAtMs", json_integer(n->finished_at_ms), &ok);
	put(o, "durationMs", json_integer(n->duration_ms), &ok);
	put(o, "exitStatus", n->exit_status == INT32_MIN ? json_null() : json_integer(n->exit_status),
	    &ok);
	put(o, "stdout", str_or_null(n->stdout_path), &ok);
	put(o, "stderr", str_or_null(n->stderr_path), &ok);
	put(o, "workDir", str_or_null(n->work_dir), &ok);
	put(o, "error", str_or_null(n->error), &ok);
	put(o, "outputs", map_json(n->outputs), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *report_json(const cachet_run_record *rec)
{
	json_t *o = json_object(), *nodes = json_array();
	bool ok = o != NULL && nodes != NULL;

	if (ok) {
		put(o, "id", str_or_null(rec->id), &ok);
		put(o, "workflow", str_or_null(rec->workflow), &ok);
		put(o, "project", str_or_null(rec->project), &ok);
		put(o, "domain", str_or_null(rec->domain), &ok);
		put(o, "status", json_string(cachet_run_status_name(rec->status)), &ok);
		put(o, "startedAtMs", json_integer(rec->started_at_ms), &ok);
		put(o, "finishedAtMs", json_integer(rec->finished_at_ms), &ok);
		put(o, "durationMs", json_integer(run_duration(rec)), &ok);
		put(o, "dir", str_or_null(rec->dir), &ok);
		put(o, "prefix", str_or_null(rec->prefix), &ok);
		put(o, "error", str_or_null(rec->error), &ok);
		put(o, "inputs", map_json(rec->inputs), &ok);
		put(o, "outputs", map_json(rec->outputs), &ok);
	}
	for (size_t i = 0; ok && i < rec->n_nodes; i++) {
		json_t *n = node_json(&rec->nodes[i]);
		if (n == NULL || json_array_append_new(nodes, n) < 0)
			ok = false;
	}
	if (ok) {
		ok = json_object_set_new(o, "nodes", nodes) == 0;
		nodes = NULL;
	}
	json_decref(nodes);
	if (!ok) {
		json_decref(o);
		cli_error("cannot build the run's JSON (out of memory)");
		return NULL;
	}
	return o;
}

int report_dump_json(FILE *out, json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL)
		return cli_error("cannot format JSON (out of memory)");
	fprintf(out, "%s\n", text);
	free(text);
	return CLI_OK;
}
