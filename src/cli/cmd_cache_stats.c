/*
 * cachet cache stats: hits, misses, hit ratio and sizes per task.
 */
#include "cmd_cache.h"
#include "options.h"
#include "table.h"

static const char usage[] =
	"usage: cachet cache stats [--home DIR] [--json]\n"
	"\n"
	"A table per task: entries cached, hits, misses, hit ratio (hits over all\n"
	"lookups, lookup failures included), bytes of offloaded data the entries\n"
	"reference, and the last hit; then the total.\n"
	"\n"
	"  --json            print {\"tasks\": [...], \"total\": {...}} with every counter\n"
	CACHE_HOME_HELP;

static uint64_t lookups(const cachet_task_stats *s)
{
	return s->counters[CACHET_COUNTER_HITS] + s->counters[CACHET_COUNTER_MISSES] +
	       s->counters[CACHET_COUNTER_LOOKUP_FAILURES];
}

/* One row; s->project NULL: the total. */
static void add_row(table *t, const cachet_task_stats *s)
{
	char size[32], last[32];
	uint64_t n = lookups(s);

	cache_format_size(size, s->bytes);
	cache_format_time(last, s->last_hit_at_ms);
	if (s->project == NULL)
		table_add(t, "TOTAL");
	else /* project/domain/task, as `cache ls` names tasks */
		table_add(t, "%s/%s/%s", s->project, s->domain ? s->domain : "",
			  cache_task_name(s->name));
	table_add(t, "%llu", (unsigned long long)s->n_entries);
	table_add(t, "%llu", (unsigned long long)s->counters[CACHET_COUNTER_HITS]);
	table_add(t, "%llu", (unsigned long long)s->counters[CACHET_COUNTER_MISSES]);
	if (n == 0)
		table_add(t, "-");
	else
		table_add(t, "%.1f%%", 100.0 * (double)s->counters[CACHET_COUNTER_HITS] / (double)n);
	table_add(t, "%s", size);
	table_add(t, "%s", last);
}

static int print_table(const cachet_catalog_stats *stats)
{
	table t;
	int rc;

	table_init(&t, "lrrrrrl", "TASK", "ENTRIES", "HITS", "MISSES", "HIT RATIO", "SIZE",
		   "LAST HIT", NULL);
	for (size_t i = 0; i < stats->n_tasks; i++)
		add_row(&t, &stats->tasks[i]);
	add_row(&t, &stats->total);
	rc = table_print(&t, stdout);
	table_dispose(&t);
	return rc;
}

static json_t *task_json(const cachet_task_stats *s)
{
	uint64_t n = lookups(s);
	json_t *obj = json_object();
	bool ok = obj != NULL;

	if (s->project != NULL)
		ok = ok && json_object_set_new(obj, "project", json_string(s->project)) == 0 &&
		     json_object_set_new(obj, "domain", json_string(s->domain ? s->domain : "")) == 0 &&
		     json_object_set_new(obj, "task", json_string(cache_task_name(s->name))) == 0 &&
		     json_object_set_new(obj, "name", json_string(s->name ? s->name : "")) == 0;
	ok = ok && json_object_set_new(obj, "entries", json_integer((json_int_t)s->n_entries)) == 0 &&
	     json_object_set_new(obj, "bytes", json_integer((json_int_t)s->bytes)) == 0 &&
	     json_object_set_new(obj, "last_hit_at", cache_json_time(s->last_hit_at_ms)) == 0 &&
	     json_object_set_new(obj, "hit_ratio",
				 n ? json_real((double)s->counters[CACHET_COUNTER_HITS] / (double)n)
				   : json_null()) == 0;
	for (int c = 0; ok && c < CACHET_COUNTER_COUNT; c++)
		ok = json_object_set_new(obj, cachet_counter_name(c),
					 json_integer((json_int_t)s->counters[c])) == 0;
	if (!ok) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int print_json(const cachet_catalog_stats *stats)
{
	json_t *tasks = json_array();
	json_t *obj = tasks ? json_pack("{s:o, s:o}", "tasks", tasks, "total",
					task_json(&stats->total))
			    : NULL;

	for (size_t i = 0; obj && i < stats->n_tasks; i++) {
		if (json_array_append_new(tasks, task_json(&stats->tasks[i])) < 0) {
			json_decref(obj);
			obj = NULL;
		}
	}
	return cache_print_json(obj);
}

static const struct option options[] = {CACHE_COMMON_OPTIONS, {NULL, 0, NULL, 0}};

static const struct cli_options spec = {"cache stats", usage, "h", options};

int cache_stats(int argc, char **argv)
{
	struct cache_common_args args = {0};
	struct cache_ctx ctx = {0};
	cachet_catalog_stats stats = CACHET_CATALOG_STATS_INIT;
	int rc = cli_parse_options(&spec, argc, argv, cache_common_option, &args);

	if (rc != CLI_OK)
		return rc == CLI_HELP ? CLI_OK : rc;
	if ((rc = cli_no_more_operands(&spec, argc, argv)) != CLI_OK)
		return rc;
	if ((rc = cache_open(&ctx, args.home, CACHE_READ)) != CLI_OK)
		goto done;
	if (cachet_catalog_stats_get(&stats, ctx.cat) < 0)
		rc = cli_lib_error("cache stats");
	else
		rc = args.json ? print_json(&stats) : print_table(&stats);
done:
	cachet_catalog_stats_dispose(&stats);
	cache_close(&ctx);
	return rc;
}
