/*
 * cachet cache explain: why a task's lookup would hit or miss. The first
 * line is the verdict and the one reason that matters most; then the
 * nearest cached entries of the task, with the inputs that differ.
 *
 *   miss (inputs-changed): input 'b' differs from the nearest cached entry
 *   dataset  P/D/flyte_task-t/1.0-GKw-c0Pw-GKw-c0Pw
 *   tag      flyte_cached-...
 *   nearest entry 1: artifact ..., created ..., same dataset version
 *     b: changed (this run ..., entry ...)
 *     1 input the same
 */
#include "cmd_cache.h"
#include "task_args.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cachet cache explain " TASK_ARGS_SYNOPSIS("                            ") "\n"
	"                            [--max-age DURATION] [--home DIR] [--json]\n"
	"\n"
	"Says whether the task's lookup would hit, and if not why: the inputs that\n"
	"differ from the nearest cached entries of the task, a changed cache version\n"
	"or interface, an expired or evicted entry, or one whose data is gone.\n"
	"Changes nothing. Exit 0 on a hit, 1 otherwise.\n"
	"\n" TASK_ARGS_HELP
	"  --max-age D       entries older than D miss (as for 'cache get')\n"
	"  --json            print the explanation as one JSON object\n" CACHE_HOME_HELP;

enum { OPT_MAX_AGE = CACHE_OPT_FIRST_ };

struct explain_args {
	struct task_args task;
	const char *home;
	bool json;
	int64_t max_age_ms;
};

static int parse_args(struct explain_args *args, int argc, char **argv)
{
	static const struct option options[] = {
		TASK_ARGS_OPTIONS,
		CACHE_COMMON_OPTIONS,
		{"max-age", required_argument, NULL, OPT_MAX_AGE},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = task_args_next(&args->task, "cache explain", argc, argv, "h", options,
				   NULL)) != -1) {
		switch (c) {
		case CACHE_OPT_HOME: args->home = optarg; break;
		case CACHE_OPT_JSON: args->json = true; break;
		case OPT_MAX_AGE:
			if (cache_parse_duration(&args->max_age_ms, optarg) < 0)
				return cli_error("cache explain: --max-age must be a duration such "
						 "as 90s, 12h or 7d, not '%s'",
						 optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		case TASK_ARGS_FAILED: return CLI_FAIL;
		default:
			cli_error("cache explain: unknown or incomplete option '%s'",
				  argv[optind - 1]);
			return cli_usage(usage);
		}
	}
	return task_args_finish(&args->task, "cache explain", usage, argc, argv, NULL, NULL);
}

static const char *change_name(int change)
{
	switch (change) {
	case CACHET_INPUT_SAME: return "same";
	case CACHET_INPUT_CHANGED: return "changed";
	case CACHET_INPUT_ADDED: return "added";
	case CACHET_INPUT_REMOVED: return "removed";
	default: return "unknown";
	}
}

/* A growable string for the verdict line. */
struct text {
	char buf[1024];
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;

	if (t->len >= sizeof t->buf - 1)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < sizeof t->buf - t->len ? (size_t)n : sizeof t->buf - 1 - t->len;
}

/* The cache version of a dataset version, or the whole version. */
static void cache_version(char out[256], const char *dataset_version)
{
	if (!cache_version_of(out, 256, dataset_version))
		snprintf(out, 256, "%s", dataset_version ? dataset_version : "");
}

/*
 * The verdict: why (a short token) and the line that says it. The lookup's
 * own reason wins; a plain "not found" is explained by the key's last
 * eviction, else by the nearest entry: its inputs, or its dataset version.
 */
static const char *verdict(struct text *t, const cachet_explanation *ex,
			   const cachet_cache_key *key)
{
	char when[32];

	if (ex->status == CACHET_CACHE_HIT) {
		add(t, "the lookup hits");
		return "hit";
	}
	if (ex->reason != CACHET_MISS_NOT_FOUND) {
		add(t, "%s", ex->message ? ex->message : cachet_miss_reason_name(ex->reason));
		return cachet_miss_reason_name(ex->reason);
	}
	if (ex->eviction.found) {
		cache_format_time(when, ex->eviction.at_ms);
		add(t, "the entry was evicted at %s (reason %s%s%s)", when,
		    cachet_evict_reason_name(ex->eviction.reason),
		    ex->eviction.detail ? ": " : "", ex->eviction.detail ? ex->eviction.detail : "");
		return "evicted";
	}
	if (ex->n_nearest == 0) {
		add(t, "no entry of task %s/%s/%s is cached", key->project, key->domain,
		    cache_task_name(key->name));
		return "not-found";
	}
	const cachet_explain_candidate *c = &ex->nearest[0];
	if (c->same_dataset) {
		if (!c->inputs_recorded) {
			add(t, "the task has entries of this dataset version, but the nearest "
			       "recorded no input hashes to compare");
			return "not-found";
		}
		if (c->n_changed == 0) {
			add(t, "every input hashes as in the nearest cached entry; it was stored "
			       "with other inputs left out (--ignore)");
			return "not-found";
		}
		add(t, "%s ", c->n_changed == 1 ? "input" : "inputs");
		size_t shown = 0;
		for (size_t i = 0; i < c->n_inputs; i++) {
			if (c->inputs[i].change == CACHET_INPUT_SAME)
				continue;
			add(t, "%s'%s' (%s)", shown ? ", " : "", c->inputs[i].name,
			    change_name(c->inputs[i].change));
			shown++;
		}
		add(t, " %s from the nearest cached entry", c->n_changed == 1 ? "differs" : "differ");
		return "inputs-changed";
	}
	if (c->cache_version_changed) {
		char was[256], now[256];
		cache_version(was, c->entry.version);
		cache_version(now, key->version);
		add(t, "the cache version changed: cached entries have '%s', this run '%s'", was, now);
		if (c->inputs_interface_changed || c->outputs_interface_changed)
			add(t, "; the interface changed too");
		return "cache-version-changed";
	}
	add(t, "the task's interface changed (%s%s%s) since the nearest cached entry",
	    c->inputs_interface_changed ? "inputs" : "",
	    c->inputs_interface_changed && c->outputs_interface_changed ? " and " : "",
	    c->outputs_interface_changed ? "outputs" : "");
	return "interface-changed";
}

static void print_candidate(size_t n, const cachet_explain_candidate *c)
{
	char created[32];
	size_t same = 0;

	cache_format_time(created, c->entry.created_at_ms);
	printf("nearest entry %zu: artifact %s, created %s, ", n, c->entry.artifact_id, created);
	if (c->same_dataset) {
		printf("same dataset version\n");
	} else {
		printf("dataset version %s (", c->entry.version);
		const char *sep = "";
		if (c->cache_version_changed) {
			printf("cache version changed");
			sep = ", ";
		}
		if (c->inputs_interface_changed) {
			printf("%sinputs interface changed", sep);
			sep = ", ";
		}
		if (c->outputs_interface_changed)
			printf("%soutputs interface changed", sep);
		printf(")\n");
	}
	if (!c->inputs_recorded) {
		printf("  no input hashes recorded\n");
		return;
	}
	for (size_t i = 0; i < c->n_inputs; i++) {
		const cachet_input_diff *d = &c->inputs[i];
		switch (d->change) {
		case CACHET_INPUT_SAME: same++; break;
		case CACHET_INPUT_CHANGED:
			printf("  %s: changed (this run %s, entry %s)\n", d->name, d->run_hash,
			       d->entry_hash);
			break;
		case CACHET_INPUT_ADDED:
			printf("  %s: added (only this run has it: %s)\n", d->name, d->run_hash);
			break;
		default:
			printf("  %s: removed (only the entry has it: %s)\n", d->name, d->entry_hash);
			break;
		}
	}
	if (same > 0)
		printf("  %zu %s the same\n", same, same == 1 ? "input" : "inputs");
}

static json_t *candidate_json(const cachet_explain_candidate *c)
{
	char cv[256];
	json_t *inputs = json_array();

	cache_version(cv, c->entry.version);
	for (size_t i = 0; inputs && i < c->n_inputs; i++) {
		const cachet_input_diff *d = &c->inputs[i];
		if (json_array_append_new(inputs, json_pack("{s:s, s:s, s:s?, s:s?}", "name",
							    d->name, "change",
							    change_name(d->change), "run_hash",
							    d->run_hash, "entry_hash",
							    d->entry_hash)) < 0) {
			json_decref(inputs);
			inputs = NULL;
		}
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:b, s:b, s:I, s:o}",
			 "artifact_id", c->entry.artifact_id, "tag", c->entry.tag, "version",
			 c->entry.version, "cache_version", cv, "created_at",
			 cache_json_time(c->entry.created_at_ms), "same_dataset", c->same_dataset,
			 "cache_version_changed", c->cache_version_changed,
			 "inputs_interface_changed", c->inputs_interface_changed,
			 "outputs_interface_changed", c->outputs_interface_changed,
			 "inputs_recorded", c->inputs_recorded, "changed", (json_int_t)c->n_changed,
			 "inputs", inputs);
}

static int print_json(const cachet_explanation *ex, const cachet_cache_key *key,
		      const char *why, const char *line)
{
	json_t *inputs = json_object();
	json_t *nearest = json_array();
	json_t *eviction = json_null();

	for (size_t i = 0; inputs && i < ex->n_inputs; i++)
		if (json_object_set_new(inputs, ex->inputs[i].name,
					json_string(ex->inputs[i].hash)) < 0) {
			json_decref(inputs);
			inputs = NULL;
		}
	for (size_t i = 0; nearest && i < ex->n_nearest; i++)
		if (json_array_append_new(nearest, candidate_json(&ex->nearest[i])) < 0) {
			json_decref(nearest);
			nearest = NULL;
		}
	if (ex->eviction.found) {
		json_decref(eviction);
		eviction = json_pack("{s:s, s:o, s:s?, s:s?}", "reason",
				     cachet_evict_reason_name(ex->eviction.reason), "at",
				     cache_json_time(ex->eviction.at_ms), "artifact_id",
				     ex->eviction.artifact_id, "detail", ex->eviction.detail);
	}
	json_t *obj = json_pack(
		"{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:s?, s:o, s:o, s:o, s:o}",
		"status", cachet_cache_status_name(ex->status), "reason",
		cachet_miss_reason_name(ex->reason), "why", why, "message", line, "dataset",
		"project", key->project, "domain", key->domain, "name", key->name, "version",
		key->version, "tag", key->tag, "artifact_id", ex->artifact_id, "created_at",
		cache_json_time(ex->created_at_ms), "inputs", inputs, "eviction", eviction,
		"nearest", nearest);
	return cache_print_json(obj);
}

int cache_explain(int argc, char **argv)
{
	struct explain_args args = {0};
	struct task_load tl = {0};
	struct cache_ctx ctx = {0};
	cachet_lookup_options lo = CACHET_LOOKUP_OPTIONS_INIT;
	cachet_explain_options eo = CACHET_EXPLAIN_OPTIONS_INIT;
	cachet_explanation ex = CACHET_EXPLANATION_INIT;
	struct text line = {{0}, 0};
	int rc = parse_args(&args, argc, argv);

	if (rc != CLI_OK) {
		rc = rc < 0 ? CLI_OK : rc;
		goto done;
	}
	if ((rc = task_args_load(&tl, &args.task)) != CLI_OK ||
	    (rc = cache_open(&ctx, args.home, CACHE_READ_STORE)) != CLI_OK)
		goto done;
	lo.max_age_ms = args.max_age_ms;
	lo.iface = tl.iface;
	eo.lookup = &lo;
	eo.ignore = tl.ignore;
	eo.n_ignore = tl.n_ignore;
	if (cachet_catalog_explain(&ex, ctx.cat, &tl.key, tl.inputs, &eo) < 0) {
		rc = cli_lib_error("cache explain");
		goto done;
	}
	const char *why = verdict(&line, &ex, &tl.key);
	const char *head = ex.status == CACHET_CACHE_HIT	 ? "hit"
			   : ex.status == CACHET_CACHE_MISS ? "miss"
							    : "lookup failure";
	if (args.json) {
		rc = print_json(&ex, &tl.key, why, line.buf);
	} else {
		if (ex.status == CACHET_CACHE_HIT) {
			char created[32];
			cache_format_time(created, ex.created_at_ms);
			printf("hit: artifact %s, created %s\n", ex.artifact_id, created);
		} else {
			printf("%s (%s): %s\n", head, why, line.buf);
		}
		printf("dataset  %s/%s/%s/%s\n", tl.key.project, tl.key.domain, tl.key.name,
		       tl.key.version);
		printf("tag      %s\n", tl.key.tag);
		for (size_t i = 0; ex.status != CACHET_CACHE_HIT && i < ex.n_nearest; i++)
			print_candidate(i + 1, &ex.nearest[i]);
	}
	if (rc == CLI_OK && ex.status != CACHET_CACHE_HIT)
		rc = CLI_NO;
done:
	cachet_explanation_dispose(&ex);
	cache_close(&ctx);
	task_load_dispose(&tl);
	task_args_dispose(&args.task);
	return rc;
}
