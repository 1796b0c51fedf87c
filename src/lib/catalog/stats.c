/*
 * Statistics: the persisted counters and the entries' usage, per task and
 * in total. Both come from the backend as rows per (task, ...); they are
 * gathered, sorted by task and merged.
 */
#include "catalog/internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"

#include <stdlib.h>
#include <string.h>

typedef struct stats_ctx {
	cachet_task_stats *rows;
	size_t n, cap;
} stats_ctx;

static cachet_task_stats *add_row(stats_ctx *sc, const char *project, const char *domain,
				  const char *name)
{
	cachet_task_stats *g = cachet__grow(sc->rows, sc->n, &sc->cap, sizeof *g, 16);
	if (g == NULL)
		return NULL;
	sc->rows = g;
	cachet_task_stats *t = &sc->rows[sc->n];
	memset(t, 0, sizeof *t);
	if (cachet__catalog_task_names_dup(&t->project, &t->domain, &t->name, project, domain,
					   name) < 0)
		return NULL;
	sc->n++;
	return t;
}

static int on_counter(void *ctx, const char *project, const char *domain, const char *name,
		      cachet_counter counter, uint64_t value)
{
	cachet_task_stats *t = add_row(ctx, project, domain, name);
	if (t == NULL)
		return CACHET_ENOMEM;
	t->counters[counter] = value;
	return 0;
}

static int on_usage(void *ctx, const char *project, const char *domain, const char *name,
		    uint64_t n_entries, uint64_t bytes, int64_t last_hit_at_ms)
{
	cachet_task_stats *t = add_row(ctx, project, domain, name);
	if (t == NULL)
		return CACHET_ENOMEM;
	t->n_entries = n_entries;
	t->bytes = bytes;
	t->last_hit_at_ms = last_hit_at_ms;
	return 0;
}

static int cmp_task(const void *pa, const void *pb)
{
	const cachet_task_stats *a = pa, *b = pb;
	int c = strcmp(a->project, b->project);
	if (c == 0)
		c = strcmp(a->domain, b->domain);
	if (c == 0)
		c = strcmp(a->name, b->name);
	return c;
}

static void free_row(cachet_task_stats *t)
{
	cachet__free(t->project);
	cachet__free(t->domain);
	cachet__free(t->name);
}

/* Fold b into a. */
static void merge(cachet_task_stats *a, const cachet_task_stats *b)
{
	for (int c = 0; c < CACHET_COUNTER_COUNT; c++)
		a->counters[c] += b->counters[c];
	a->n_entries += b->n_entries;
	a->bytes += b->bytes;
	if (b->last_hit_at_ms > a->last_hit_at_ms)
		a->last_hit_at_ms = b->last_hit_at_ms;
}

int cachet_catalog_stats_get(cachet_catalog_stats *out, cachet_catalog *cat)
{
	stats_ctx sc = {NULL, 0, 0};
	int rc;

	if (out == NULL || cat == NULL)
		return cachet__error(CACHET_EINVALID, "stats: no %s", out ? "catalog" : "result pointer");
	if ((rc = CACHET__RESULT_BEGIN(out, CACHET_CATALOG_STATS_VERSION, "catalog stats")) < 0)
		return rc;
	cachet__catalog_flush_due(cat, true); /* a failure is warned about; go on */
	rc = cat->b->counters(cat->b, on_counter, &sc);
	if (rc == 0)
		rc = cat->b->usage(cat->b, on_usage, &sc);
	if (rc < 0) {
		for (size_t i = 0; i < sc.n; i++)
			free_row(&sc.rows[i]);
		cachet__free(sc.rows);
		return rc;
	}
	if (sc.n)
		qsort(sc.rows, sc.n, sizeof *sc.rows, cmp_task);
	size_t n = 0;
	for (size_t i = 0; i < sc.n; i++) {
		if (n > 0 && cmp_task(&sc.rows[n - 1], &sc.rows[i]) == 0) {
			merge(&sc.rows[n - 1], &sc.rows[i]);
			free_row(&sc.rows[i]);
		} else {
			sc.rows[n++] = sc.rows[i];
		}
	}
	for (size_t i = 0; i < n; i++)
		merge(&out->total, &sc.rows[i]);
	out->tasks = sc.rows;
	out->n_tasks = n;
	return 0;
}

void cachet_catalog_stats_dispose(cachet_catalog_stats *stats)
{
	if (stats == NULL || !cachet__version_known(stats->version, CACHET_CATALOG_STATS_VERSION))
		return;
	for (size_t i = 0; i < stats->n_tasks; i++)
		free_row(&stats->tasks[i]);
	cachet__free(stats->tasks);
	CACHET__RESULT_CLEAR(stats);
}
