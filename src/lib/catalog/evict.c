/*
 * Eviction: choose the entries (by filter, age, or least recently used
 * under a size limit), then delete them in one backend transaction that
 * also records, per tag, why and when (for explain).
 *
 * Choosing and deleting are two steps: an entry hit by another process in
 * between may still go (it was the least recently used a moment ago); one
 * replaced in between is not deleted twice (the backend reports which
 * were still there, and only those are reported and counted).
 */
#include "catalog/internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"

#include <string.h>

typedef struct pick_ctx {
	cachet_evict_result *res;
	size_t cap;
	int64_t *refs;
	bool size_limit;
	uint64_t to_free; /* with a size limit: bytes still to free */
} pick_ctx;

static int pick(void *ctx, const cachet_catalog_row *row)
{
	pick_ctx *pc = ctx;
	cachet_catalog_entries *l = &pc->res->evicted;

	if (pc->size_limit && pc->to_free == 0)
		return 1; /* enough */
	if (l->n == pc->cap) {
		size_t cap = pc->cap ? 2 * pc->cap : 16;
		cachet_catalog_entry *g = cachet__reallocarray(l->entries, cap, sizeof *g);
		if (g == NULL)
			return CACHET_ENOMEM;
		l->entries = g;
		int64_t *r = cachet__reallocarray(pc->refs, cap, sizeof *r);
		if (r == NULL)
			return CACHET_ENOMEM;
		pc->refs = r;
		pc->cap = cap;
	}
	int rc = cachet__entry_from_row(&l->entries[l->n], row);
	if (rc < 0)
		return rc;
	pc->refs[l->n++] = row->ref;
	if (pc->size_limit)
		pc->to_free = row->size_bytes >= pc->to_free ? 0 : pc->to_free - row->size_bytes;
	return 0;
}

static int sum_usage(void *ctx, const char *project, const char *domain, const char *name,
		     uint64_t n_entries, uint64_t bytes, int64_t last_hit_at_ms)
{
	(void)project, (void)domain, (void)name, (void)n_entries, (void)last_hit_at_ms;
	*(uint64_t *)ctx += bytes;
	return 0;
}

static bool filter_set(const cachet_catalog_filter *f)
{
	return f && (f->project || f->domain || f->task || f->dataset_version || f->tag ||
	       f->artifact_id || f->cache_version);
}

static int check_options(const cachet_evict_options *o)
{
	int rc;

	if (o == NULL)
		return cachet__error(CACHET_EINVALID, "evict: no options");
	if ((rc = cachet__check_version(o->version, CACHET_EVICT_OPTIONS_VERSION,
					"evict options")) < 0 ||
	    (o->filter && (rc = cachet__check_version(o->filter->version,
						      CACHET_CATALOG_FILTER_VERSION,
						      "catalog filter")) < 0))
		return rc;
	if (o->older_than_ms < 0 || o->unused_for_ms < 0)
		return cachet__error(CACHET_EINVALID, "evict: an age is negative");
	if (!o->all && !filter_set(o->filter) && o->older_than_ms == 0 && o->unused_for_ms == 0 &&
	    !o->size_limit)
		return cachet__error(CACHET_EINVALID,
				     "evict: nothing selected (give a tag, a task, an age, a size "
				     "limit, or all)");
	return 0;
}

int cachet_catalog_evict(cachet_evict_result *out, cachet_catalog *cat,
			 const cachet_evict_options *opts)
{
	pick_ctx pc = {out, 0, NULL, false, 0};
	bool *deleted = NULL;
	uint64_t total = 0;
	int rc;

	if (out == NULL || cat == NULL)
		return cachet__error(CACHET_EINVALID, "evict: no %s", out ? "catalog" : "result pointer");
	rc = CACHET__RESULT_BEGIN(out, CACHET_EVICT_RESULT_VERSION, "evict result");
	if (rc < 0)
		return rc;
	out->evicted.version = CACHET_CATALOG_ENTRIES_VERSION;
	rc = check_options(opts);
	if (rc < 0)
		return rc;
	if (!opts->dry_run && cat->b->read_only(cat->b))
		return cachet__error(CACHET_EIO, "cannot evict: the catalog is read-only");

	const cachet_catalog_filter *f = opts->filter;
	int64_t now = cachet__catalog_now(cat);
	out->reason = opts->size_limit				     ? CACHET_EVICT_SIZE
		      : opts->older_than_ms || opts->unused_for_ms ? CACHET_EVICT_AGE
		      : f && (f->tag || f->artifact_id)		     ? CACHET_EVICT_TAG
								       : CACHET_EVICT_TASK;
	rc = cat->b->usage(cat->b, sum_usage, &total);
	if (rc < 0)
		goto fail;
	cachet_catalog_query q = {
		.filter = filter_set(f) || (f && f->limit) ? f : NULL,
		.created_before = opts->older_than_ms ? now - opts->older_than_ms : 0,
		.used_before = opts->unused_for_ms ? now - opts->unused_for_ms : 0,
		.lru = opts->size_limit,
	};
	pc.size_limit = opts->size_limit;
	pc.to_free = total > opts->max_bytes ? total - opts->max_bytes : 0;
	if (!opts->size_limit || pc.to_free > 0) {
		rc = cat->b->list(cat->b, &q, pick, &pc);
		if (rc < 0)
			goto fail;
	}

	cachet_catalog_entries *l = &out->evicted;
	if (!opts->dry_run && l->n > 0) {
		cachet_catalog_batch batch;
		deleted = cachet__calloc(l->n, sizeof *deleted);
		if (deleted == NULL) {
			rc = CACHET_ENOMEM;
			goto fail;
		}
		cachet__catalog_pending(cat, &batch);
		rc = cat->b->evict(cat->b, deleted, pc.refs, l->n, out->reason, NULL, now, &batch);
		if (rc < 0)
			goto fail;
		cachet__catalog_pending_clear(cat);
		/* Keep (and count) only what was still there to delete. */
		size_t kept = 0;
		for (size_t i = 0; i < l->n; i++) {
			if (!deleted[i]) {
				cachet__entry_dispose(&l->entries[i]);
				continue;
			}
			cachet_catalog_entry *e = &l->entries[i];
			cachet__catalog_count(cat, e->project, e->domain, e->name,
					      cachet_counter_for_eviction(out->reason), 1);
			l->entries[kept++] = *e;
		}
		l->n = kept;
	}
	for (size_t i = 0; i < l->n; i++)
		out->bytes += l->entries[i].size_bytes;
	out->bytes_remaining = total >= out->bytes ? total - out->bytes : 0;
	cachet__free(deleted);
	cachet__free(pc.refs);
	/* An explicit eviction is rare: write its counts now. */
	cachet__catalog_flush_due(cat, true);
	return 0;
fail:
	cachet__free(deleted);
	cachet__free(pc.refs);
	cachet_evict_result_dispose(out);
	return rc;
}

void cachet_evict_result_dispose(cachet_evict_result *res)
{
	if (res == NULL || !cachet__version_known(res->version, CACHET_EVICT_RESULT_VERSION))
		return;
	cachet_catalog_entries_dispose(&res->evicted);
	CACHET__RESULT_CLEAR(res);
	res->evicted.version = CACHET_CATALOG_ENTRIES_VERSION;
}

int cachet_catalog_last_eviction(cachet_eviction_record *out, cachet_catalog *cat,
				 const cachet_cache_key *key)
{
	if (out == NULL || cat == NULL)
		return cachet__error(CACHET_EINVALID, "last eviction: no %s",
				     out ? "catalog" : "result pointer");
	int rc = CACHET__RESULT_BEGIN(out, CACHET_EVICTION_RECORD_VERSION, "eviction record");
	if (rc < 0)
		return rc;
	rc = cachet__check_key(key);
	if (rc == 0)
		rc = cat->b->last_eviction(cat->b, out, key);
	if (rc < 0)
		cachet_eviction_record_dispose(out);
	return rc;
}

void cachet_eviction_record_dispose(cachet_eviction_record *rec)
{
	if (rec == NULL || !cachet__version_known(rec->version, CACHET_EVICTION_RECORD_VERSION))
		return;
	cachet__free(rec->artifact_id);
	cachet__free(rec->detail);
	CACHET__RESULT_CLEAR(rec);
}
