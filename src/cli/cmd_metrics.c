/*
 * cachet metrics: the catalog's counters in the Prometheus text exposition
 * format (version 0.0.4), e.g. for node_exporter's textfile collector:
 *
 *   # HELP cachet_cache_hits_total Catalog lookups that hit.
 *   # TYPE cachet_cache_hits_total counter
 *   cachet_cache_hits_total{project="P",domain="D",task="bar"} 2
 *
 * One family per counter, every task a sample (zeros included, so that a
 * series exists from the first scrape); evictions carry a reason label.
 */
#include "cmd_cache.h"
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cachet metrics [-o FILE] [--home DIR] [--json]\n"
	"\n"
	"Prints the catalog's counters per task in the Prometheus text format.\n"
	"\n"
	"  -o FILE           write them to FILE (atomically: a textfile collector\n"
	"                    never reads half a file)\n"
	"  --json            print {\"metrics\": [{\"name\", \"type\", \"help\", \"samples\"}]}\n"
	CACHE_HOME_HELP;

enum family_kind {
	COUNTER,  /* one cachet_counter */
	EVICTIONS, /* the eviction counters, by reason */
	ENTRIES,  /* gauge: entries cached now */
	BYTES     /* gauge: offloaded bytes referenced */
};

static const struct family {
	const char *name;
	const char *type;
	const char *help;
	enum family_kind kind;
	int counter;
} families[] = {
	{"cachet_cache_hits_total", "counter", "Catalog lookups that hit.", COUNTER,
	 CACHET_COUNTER_HITS},
	{"cachet_cache_misses_total", "counter",
	 "Catalog lookups that missed: no entry, an expired one, or one whose data was gone.",
	 COUNTER, CACHET_COUNTER_MISSES},
	{"cachet_cache_lookup_failures_total", "counter",
	 "Catalog lookups that failed: an entry that did not fit the interface or could not be "
	 "read, or a catalog error.",
	 COUNTER, CACHET_COUNTER_LOOKUP_FAILURES},
	{"cachet_cache_populated_total", "counter", "Outputs stored in the catalog.", COUNTER,
	 CACHET_COUNTER_POPULATED},
	{"cachet_cache_put_failures_total", "counter", "Outputs that could not be stored.",
	 COUNTER, CACHET_COUNTER_PUT_FAILURES},
	{"cachet_cache_evictions_total", "counter", "Entries evicted, by reason.", EVICTIONS, 0},
	{"cachet_reservations_acquired_total", "counter",
	 "Cache reservations acquired: this execution computes.", COUNTER,
	 CACHET_COUNTER_RESERVATIONS_ACQUIRED},
	{"cachet_reservations_waited_total", "counter",
	 "Lookups that waited for another execution's reservation.", COUNTER,
	 CACHET_COUNTER_RESERVATIONS_WAITED},
	{"cachet_reservations_released_total", "counter", "Cache reservations released.", COUNTER,
	 CACHET_COUNTER_RESERVATIONS_RELEASED},
	{"cachet_cache_entries", "gauge", "Entries cached now.", ENTRIES, 0},
	{"cachet_cache_bytes", "gauge", "Bytes of offloaded data the cached entries reference.",
	 BYTES, 0},
};

/* Evictions in the order of cachet_evict_reason. */
static const int eviction_reasons[] = {CACHET_EVICT_TAG, CACHET_EVICT_TASK, CACHET_EVICT_AGE,
				       CACHET_EVICT_SIZE, CACHET_EVICT_MISSING_DATA};
#define N_REASONS (sizeof eviction_reasons / sizeof eviction_reasons[0])

/* A label value as the format wants it: backslash, double quote and line
 * feed escaped. */
static void put_label_value(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

/* HELP text: backslash and line feed escaped. */
static void put_help(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void put_sample(FILE *out, const char *name, const cachet_task_stats *s,
		       const char *reason, uint64_t value)
{
	fprintf(out, "%s{project=\"", name);
	put_label_value(out, s->project);
	fputs("\",domain=\"", out);
	put_label_value(out, s->domain);
	fputs("\",task=\"", out);
	put_label_value(out, cache_task_name(s->name));
	if (reason != NULL) {
		fputs("\",reason=\"", out);
		put_label_value(out, reason);
	}
	fprintf(out, "\"} %llu\n", (unsigned long long)value);
}

/* The value of family f for task s (eviction reason index r). */
static uint64_t value_of(const struct family *f, const cachet_task_stats *s, size_t r)
{
	switch (f->kind) {
	case COUNTER: return s->counters[f->counter];
	case EVICTIONS: return s->counters[cachet_counter_for_eviction(eviction_reasons[r])];
	case ENTRIES: return s->n_entries;
	case BYTES: return s->bytes;
	}
	return 0;
}

static void write_text(FILE *out, const cachet_catalog_stats *stats)
{
	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
		const struct family *f = &families[i];
		size_t n_reasons = f->kind == EVICTIONS ? N_REASONS : 1;
		fprintf(out, "# HELP %s ", f->name);
		put_help(out, f->help);
		fprintf(out, "\n# TYPE %s %s\n", f->name, f->type);
		for (size_t t = 0; t < stats->n_tasks; t++)
			for (size_t r = 0; r < n_reasons; r++)
				put_sample(out, f->name, &stats->tasks[t],
					   f->kind == EVICTIONS
						   ? cachet_evict_reason_name(eviction_reasons[r])
						   : NULL,
					   value_of(f, &stats->tasks[t], r));
	}
}

static json_t *to_json(const cachet_catalog_stats *stats)
{
	json_t *metrics = json_array();
	json_t *obj = metrics ? json_pack("{s:o}", "metrics", metrics) : NULL;

	for (size_t i = 0; obj && i < sizeof families / sizeof families[0]; i++) {
		const struct family *f = &families[i];
		size_t n_reasons = f->kind == EVICTIONS ? N_REASONS : 1;
		json_t *samples = json_array();
		bool ok = samples &&
			  json_array_append_new(metrics, json_pack("{s:s, s:s, s:s, s:o}", "name",
								   f->name, "type", f->type,
								   "help", f->help, "samples",
								   samples)) == 0;
		for (size_t t = 0; ok && t < stats->n_tasks; t++) {
			const cachet_task_stats *s = &stats->tasks[t];
			for (size_t r = 0; ok && r < n_reasons; r++) {
				json_t *labels = json_pack("{s:s, s:s, s:s}", "project",
							   s->project ? s->project : "", "domain",
							   s->domain ? s->domain : "", "task",
							   cache_task_name(s->name));
				if (labels && f->kind == EVICTIONS &&
				    json_object_set_new(labels, "reason",
							json_string(cachet_evict_reason_name(
								eviction_reasons[r]))) < 0) {
					json_decref(labels);
					labels = NULL;
				}
				ok = labels && json_array_append_new(
						       samples,
						       json_pack("{s:o, s:I}", "labels", labels, "value",
								 (json_int_t)value_of(f, s, r))) == 0;
			}
		}
		if (!ok) {
			json_decref(obj);
			obj = NULL;
		}
	}
	return obj;
}

static const struct option options[] = {
	CACHE_COMMON_OPTIONS,
	{"output", required_argument, NULL, 'o'},
	{NULL, 0, NULL, 0},
};

static const struct cli_options spec = {"metrics", usage, "ho:", options};

struct metrics_args {
	struct cache_common_args common;
	const char *output;
};

static int on_option(void *payload, int opt, char *arg)
{
	struct metrics_args *args = payload;

	if (opt != 'o')
		return cache_common_option(&args->common, opt, arg);
	args->output = arg;
	return CLI_OK;
}

int cmd_metrics(int argc, char **argv)
{
	struct metrics_args args = {0};
	struct cache_ctx ctx = {0};
	cachet_catalog_stats stats = CACHET_CATALOG_STATS_INIT;
	char *text = NULL;
	size_t len = 0;
	int rc = cli_parse_options(&spec, argc, argv, on_option, &args);

	if (rc != CLI_OK)
		return rc == CLI_HELP ? CLI_OK : rc;
	if ((rc = cli_no_more_operands(&spec, argc, argv)) != CLI_OK)
		return rc;
	if ((rc = cache_open(&ctx, args.common.home, CACHE_READ)) != CLI_OK)
		goto done;
	if (cachet_catalog_stats_get(&stats, ctx.cat) < 0) {
		rc = cli_lib_error("metrics");
		goto done;
	}
	if (args.common.json) {
		json_t *obj = to_json(&stats);
		text = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(obj);
		if (text == NULL) {
			rc = cli_error("cannot format the metrics as JSON");
			goto done;
		}
		len = strlen(text);
		text[len++] = '\n'; /* replaces the NUL; the length says where it ends */
	} else {
		FILE *mem = open_memstream(&text, &len);
		if (mem == NULL) {
			rc = cli_error("cannot format the metrics: %s", cli_strerror(errno));
			goto done;
		}
		write_text(mem, &stats);
		if (fclose(mem) != 0) {
			rc = cli_error("cannot format the metrics: %s", cli_strerror(errno));
			goto done;
		}
	}
	rc = cli_write_file(args.output, text, len);
done:
	free(text);
	cachet_catalog_stats_dispose(&stats);
	cache_close(&ctx);
	return rc;
}
