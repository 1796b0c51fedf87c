/*
 * The memory catalog backend: the same records as the SQLite backend in
 * plain arrays, for one process. It exists to keep the backend interface
 * honest (the unit tests run one suite against both) and for one-shot
 * runs that want a cache within a process.
 *
 * Searches are linear: it is meant for thousands of entries, not
 * millions. A put or a reservation allocates what it needs before it
 * changes anything, so when memory runs out it leaves the records as they
 * were; an eviction or the counters written with an operation may be left
 * half done (there is no rollback here, unlike SQLite).
 */
#include "catalog/backend.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct m_dataset {
	int64_t id;
	char *project, *domain, *name, *version, *uuid, *task_version;
} m_dataset;

typedef struct m_artifact {
	int64_t id, dataset;
	char *uuid;
	void *outputs;
	size_t outputs_len;
	void *inputs; /* NULL: none recorded */
	size_t inputs_len;
	char *exec_project, *exec_domain, *execution_name, *exec_node;
	int32_t exec_attempt;
	int64_t created_at, last_hit_at, last_used_at;
	uint64_t hit_count, size_bytes;
} m_artifact;

typedef struct m_tag {
	int64_t dataset, artifact;
	char *name;
} m_tag;

typedef struct m_reservation {
	char *project, *domain, *name, *version, *tag, *owner;
	char *holder; /* NULL: not recorded */
	int64_t heartbeat_ms, expires_at;
} m_reservation;

typedef struct m_eviction {
	int64_t dataset;
	char *tag, *uuid, *detail;
	cachet_evict_reason reason;
	int64_t at;
} m_eviction;

typedef struct m_counter {
	char *project, *domain, *name;
	int counter;
	uint64_t value;
} m_counter;

/* A growable array of T: items, n, cap. */
#define ARRAY(T)                                                                       \
	struct {                                                                       \
		T *items;                                                              \
		size_t n, cap;                                                         \
	}

typedef struct memory_backend {
	cachet_catalog_backend base;
	ARRAY(m_dataset) datasets;
	ARRAY(m_artifact) artifacts;
	ARRAY(m_tag) tags;
	ARRAY(m_reservation) reservations;
	ARRAY(m_eviction) evictions;
	ARRAY(m_counter) counters;
	int64_t next_id;
} memory_backend;

static memory_backend *MB(cachet_catalog_backend *b)
{
	return (memory_backend *)b;
}

/* Make room for `more` items in an ARRAY. */
static int reserve_room(void **items, size_t *cap, size_t n, size_t more, size_t size)
{
	if (n + more <= *cap)
		return 0;
	size_t c = *cap ? *cap : 8;
	while (c < n + more)
		c *= 2;
	void *g = cachet__reallocarray(*items, c, size);
	if (g == NULL)
		return CACHET_ENOMEM;
	*items = g;
	*cap = c;
	return 0;
}
#define ROOM(a, more)                                                                  \
	reserve_room((void **)&(a).items, &(a).cap, (a).n, (more), sizeof *(a).items)

static char *dup(const char *s)
{
	return cachet__strdup(s ? s : "");
}

static void *dup_bytes(const void *p, size_t len)
{
	void *q = cachet__malloc(len ? len : 1);
	if (q && len)
		memcpy(q, p, len);
	return q;
}

static bool eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* ---------------------------------------------------------------------- */
/* Lookups within the arrays                                              */

static m_dataset *dataset_of(memory_backend *mb, const cachet_cache_key *k)
{
	for (size_t i = 0; i < mb->datasets.n; i++) {
		m_dataset *d = &mb->datasets.items[i];
		if (eq(d->name, k->name) && eq(d->version, k->version) &&
		    eq(d->project, k->project) && eq(d->domain, k->domain))
			return d;
	}
	return NULL;
}

static m_dataset *dataset_by_id(memory_backend *mb, int64_t id)
{
	for (size_t i = 0; i < mb->datasets.n; i++)
		if (mb->datasets.items[i].id == id)
			return &mb->datasets.items[i];
	return NULL;
}

static m_artifact *artifact_by_id(memory_backend *mb, int64_t id)
{
	for (size_t i = 0; i < mb->artifacts.n; i++)
		if (mb->artifacts.items[i].id == id)
			return &mb->artifacts.items[i];
	return NULL;
}

static m_tag *tag_of(memory_backend *mb, int64_t dataset, const char *name)
{
	for (size_t i = 0; i < mb->tags.n; i++)
		if (mb->tags.items[i].dataset == dataset && eq(mb->tags.items[i].name, name))
			return &mb->tags.items[i];
	return NULL;
}

static m_reservation *reservation_of(memory_backend *mb, const cachet_cache_key *k)
{
	for (size_t i = 0; i < mb->reservations.n; i++) {
		m_reservation *r = &mb->reservations.items[i];
		if (eq(r->tag, k->tag) && eq(r->name, k->name) && eq(r->version, k->version) &&
		    eq(r->project, k->project) && eq(r->domain, k->domain))
			return r;
	}
	return NULL;
}

static m_eviction *eviction_of(memory_backend *mb, int64_t dataset, const char *tag)
{
	for (size_t i = 0; i < mb->evictions.n; i++)
		if (mb->evictions.items[i].dataset == dataset && eq(mb->evictions.items[i].tag, tag))
			return &mb->evictions.items[i];
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Freeing records                                                        */

static void free_dataset(m_dataset *d)
{
	cachet__free(d->project);
	cachet__free(d->domain);
	cachet__free(d->name);
	cachet__free(d->version);
	cachet__free(d->uuid);
	cachet__free(d->task_version);
}

static void free_artifact(m_artifact *a)
{
	cachet__free(a->uuid);
	cachet__free(a->outputs);
	cachet__free(a->inputs);
	cachet__free(a->exec_project);
	cachet__free(a->exec_domain);
	cachet__free(a->execution_name);
	cachet__free(a->exec_node);
}

static void free_reservation(m_reservation *r)
{
	cachet__free(r->project);
	cachet__free(r->domain);
	cachet__free(r->name);
	cachet__free(r->version);
	cachet__free(r->tag);
	cachet__free(r->owner);
	cachet__free(r->holder);
}

static void free_eviction(m_eviction *e)
{
	cachet__free(e->tag);
	cachet__free(e->uuid);
	cachet__free(e->detail);
}

static void free_counter(m_counter *c)
{
	cachet__free(c->project);
	cachet__free(c->domain);
	cachet__free(c->name);
}

/* Remove item i of an ARRAY by moving the last one into its place. */
#define REMOVE_AT(a, i) ((a).items[i] = (a).items[--(a).n])

/* Delete an artifact and its tags (the cascade). */
static void delete_artifact(memory_backend *mb, int64_t id)
{
	for (size_t i = 0; i < mb->artifacts.n; i++) {
		if (mb->artifacts.items[i].id == id) {
			free_artifact(&mb->artifacts.items[i]);
			REMOVE_AT(mb->artifacts, i);
			break;
		}
	}
	for (size_t i = mb->tags.n; i-- > 0;) {
		if (mb->tags.items[i].artifact == id) {
			cachet__free(mb->tags.items[i].name);
			REMOVE_AT(mb->tags, i);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Bookkeeping                                                            */

static int apply_batch(memory_backend *mb, const cachet_catalog_batch *batch)
{
	if (batch == NULL)
		return 0;
	for (size_t i = 0; i < batch->n_tasks; i++) {
		const cachet_catalog_task_delta *t = &batch->tasks[i];
		for (int c = 0; c < CACHET_COUNTER_COUNT; c++) {
			if (t->d[c] == 0)
				continue;
			m_counter *found = NULL;
			for (size_t j = 0; j < mb->counters.n && !found; j++) {
				m_counter *m = &mb->counters.items[j];
				if (m->counter == c && eq(m->name, t->name) &&
				    eq(m->project, t->project) && eq(m->domain, t->domain))
					found = m;
			}
			if (found) {
				found->value += t->d[c];
				continue;
			}
			if (ROOM(mb->counters, 1) < 0)
				return CACHET_ENOMEM;
			m_counter m = {dup(t->project), dup(t->domain), dup(t->name), c, t->d[c]};
			if (!m.project || !m.domain || !m.name) {
				free_counter(&m);
				return CACHET_ENOMEM;
			}
			mb->counters.items[mb->counters.n++] = m;
		}
	}
	for (size_t i = 0; i < batch->n_hits; i++) {
		m_artifact *a = artifact_by_id(mb, batch->hits[i].ref);
		if (a == NULL)
			continue; /* evicted or replaced since */
		a->hit_count += batch->hits[i].count;
		if (a->last_hit_at < batch->hits[i].at_ms)
			a->last_hit_at = batch->hits[i].at_ms;
		if (a->last_used_at < batch->hits[i].at_ms)
			a->last_used_at = batch->hits[i].at_ms;
	}
	return 0;
}

static int m_record(cachet_catalog_backend *b, const cachet_catalog_batch *batch)
{
	return apply_batch(MB(b), batch);
}

/* ---------------------------------------------------------------------- */
/* Find and put                                                           */

static int m_find(cachet_catalog_backend *b, cachet_catalog_found *out, const cachet_cache_key *key)
{
	memory_backend *mb = MB(b);
	m_dataset *d = dataset_of(mb, key);
	m_tag *t = d ? tag_of(mb, d->id, key->tag) : NULL;
	m_artifact *a = t ? artifact_by_id(mb, t->artifact) : NULL;

	if (a == NULL)
		return CACHET_ENOTFOUND;
	out->ref = a->id;
	out->artifact_id = a->uuid;
	out->created_at_ms = a->created_at;
	out->outputs = a->outputs;
	out->outputs_len = a->outputs_len;
	return 0;
}

static int m_put(cachet_catalog_backend *b, cachet_catalog_put_outcome *out,
		 const cachet_catalog_put_row *row, bool overwrite,
		 const cachet_catalog_batch *batch)
{
	memory_backend *mb = MB(b);
	const cachet_cache_key *k = row->key;
	m_dataset *d;
	m_tag *t;

	/* Room first, so that nothing below can fail half-way (and before
	 * taking pointers into the arrays, which growing moves). */
	if (ROOM(mb->datasets, 1) < 0 || ROOM(mb->artifacts, 1) < 0 || ROOM(mb->tags, 1) < 0)
		return CACHET_ENOMEM;
	d = dataset_of(mb, k);
	if (d == NULL) {
		m_dataset nd = {++mb->next_id,	   dup(k->project),	  dup(k->domain), dup(k->name),
				dup(k->version), dup(row->dataset_uuid), dup(row->task_version)};
		if (!nd.project || !nd.domain || !nd.name || !nd.version || !nd.uuid ||
		    !nd.task_version) {
			free_dataset(&nd);
			return CACHET_ENOMEM;
		}
		mb->datasets.items[mb->datasets.n++] = nd;
		d = &mb->datasets.items[mb->datasets.n - 1];
	} else if (d->task_version[0] == '\0' && row->task_version && row->task_version[0]) {
		char *tv = dup(row->task_version);
		if (tv == NULL)
			return CACHET_ENOMEM;
		cachet__free(d->task_version);
		d->task_version = tv;
	}
	t = tag_of(mb, d->id, k->tag);
	if (t && !overwrite) {
		m_artifact *a = artifact_by_id(mb, t->artifact);
		snprintf(out->artifact_id, sizeof out->artifact_id, "%s", a ? a->uuid : "");
		return apply_batch(mb, batch);
	}

	const cachet_artifact_source *s = row->source;
	m_artifact a = {
		.id = ++mb->next_id,
		.dataset = d->id,
		.uuid = dup(row->artifact_id),
		.outputs = dup_bytes(row->outputs, row->outputs_len),
		.outputs_len = row->outputs_len,
		.inputs = row->inputs ? dup_bytes(row->inputs, row->inputs_len) : NULL,
		.inputs_len = row->inputs_len,
		.exec_project = dup(s->exec_project),
		.exec_domain = dup(s->exec_domain),
		.execution_name = dup(s->execution_name),
		.exec_node = dup(s->exec_node),
		.exec_attempt = s->exec_attempt,
		.created_at = row->now_ms,
		.last_used_at = row->now_ms,
		.size_bytes = row->size_bytes,
	};
	char *tag_name = t ? NULL : dup(k->tag);
	if (!a.uuid || !a.outputs || (row->inputs && !a.inputs) || !a.exec_project ||
	    !a.exec_domain || !a.execution_name || !a.exec_node || (!t && !tag_name)) {
		free_artifact(&a);
		cachet__free(tag_name);
		return CACHET_ENOMEM;
	}
	mb->artifacts.items[mb->artifacts.n++] = a;
	int64_t old = 0;
	if (t) {
		old = t->artifact;
		t->artifact = a.id;
		bool still_tagged = false;
		for (size_t i = 0; i < mb->tags.n; i++)
			still_tagged = still_tagged || mb->tags.items[i].artifact == old;
		if (!still_tagged)
			delete_artifact(mb, old);
	} else {
		mb->tags.items[mb->tags.n++] = (m_tag){d->id, a.id, tag_name};
	}
	m_eviction *e = eviction_of(mb, d->id, k->tag);
	if (e) {
		free_eviction(e);
		REMOVE_AT(mb->evictions, (size_t)(e - mb->evictions.items));
	}
	out->created = true;
	out->replaced = old != 0;
	snprintf(out->artifact_id, sizeof out->artifact_id, "%s", row->artifact_id);
	return apply_batch(mb, batch);
}

/* ---------------------------------------------------------------------- */
/* Reservations                                                           */

static int m_reserve(cachet_catalog_backend *b, cachet_reservation *out, char **holder,
		     bool *taken, const cachet_cache_key *key, const cachet_catalog_reserve_args *a,
		     const cachet_catalog_batch *batch)
{
	memory_backend *mb = MB(b);
	m_reservation *r;
	char *owner_copy = dup(a->owner);
	char *holder_copy = a->holder ? dup(a->holder) : NULL;

	*holder = NULL;
	*taken = false;
	if (owner_copy == NULL || (a->holder && holder_copy == NULL) ||
	    ROOM(mb->reservations, 1) < 0) {
		cachet__free(owner_copy);
		cachet__free(holder_copy);
		return CACHET_ENOMEM;
	}
	r = reservation_of(mb, key);
	if (r == NULL) {
		m_reservation nr = {dup(key->project), dup(key->domain), dup(key->name),
				    dup(key->version), dup(key->tag),	 owner_copy,
				    holder_copy,	   a->heartbeat_ms,	 a->expires_at_ms};
		if (!nr.project || !nr.domain || !nr.name || !nr.version || !nr.tag) {
			free_reservation(&nr);
			return CACHET_ENOMEM;
		}
		mb->reservations.items[mb->reservations.n++] = nr;
		r = &mb->reservations.items[mb->reservations.n - 1];
		*taken = true;
	} else if (r->expires_at <= a->now_ms || eq(r->owner, a->owner) ||
		   (a->gone_holder && r->holder && eq(r->holder, a->gone_holder))) {
		*taken = !eq(r->owner, a->owner);
		cachet__free(r->owner);
		cachet__free(r->holder);
		r->owner = owner_copy;
		r->holder = holder_copy;
		r->heartbeat_ms = a->heartbeat_ms;
		r->expires_at = a->expires_at_ms;
	} else {
		cachet__free(owner_copy);
		cachet__free(holder_copy);
	}
	out->owner_id = dup(r->owner);
	if (out->owner_id == NULL || (r->holder && (*holder = dup(r->holder)) == NULL)) {
		cachet__free(out->owner_id);
		out->owner_id = NULL;
		return CACHET_ENOMEM;
	}
	out->acquired = eq(r->owner, a->owner);
	out->heartbeat_ms = r->heartbeat_ms;
	out->expires_at_ms = r->expires_at;
	return apply_batch(mb, batch);
}

static int m_release(cachet_catalog_backend *b, bool *released, const cachet_cache_key *key,
		     const char *owner, const cachet_catalog_batch *batch)
{
	memory_backend *mb = MB(b);
	m_reservation *r = reservation_of(mb, key);

	*released = r && eq(r->owner, owner);
	if (*released) {
		free_reservation(r);
		REMOVE_AT(mb->reservations, (size_t)(r - mb->reservations.items));
	}
	return apply_batch(mb, batch);
}

/* ---------------------------------------------------------------------- */
/* Listing                                                                */

typedef struct m_row {
	const m_tag *tag;
	const m_artifact *a;
	const m_dataset *d;
} m_row;

static int cmp_default(const void *pa, const void *pb)
{
	const m_row *x = pa, *y = pb;
	int c = strcmp(x->d->project, y->d->project);
	if (c == 0)
		c = strcmp(x->d->domain, y->d->domain);
	if (c == 0)
		c = strcmp(x->d->name, y->d->name);
	if (c == 0)
		c = strcmp(x->d->version, y->d->version);
	if (c == 0 && x->a->created_at != y->a->created_at)
		c = x->a->created_at > y->a->created_at ? -1 : 1;
	if (c == 0 && x->a->id != y->a->id)
		c = x->a->id > y->a->id ? -1 : 1;
	return c;
}

static int cmp_lru(const void *pa, const void *pb)
{
	const m_row *x = pa, *y = pb;
	if (x->a->last_used_at != y->a->last_used_at)
		return x->a->last_used_at < y->a->last_used_at ? -1 : 1;
	return x->a->id < y->a->id ? -1 : x->a->id > y->a->id;
}

static bool matches(const cachet_catalog_query *q, const m_row *r)
{
	const cachet_catalog_filter *f = q->filter;
	if (f) {
		if (f->project && !eq(r->d->project, f->project))
			return false;
		if (f->domain && !eq(r->d->domain, f->domain))
			return false;
		if (f->task && !eq(r->d->name, f->task) &&
		    !(strncmp(r->d->name, "flyte_task-", 11) == 0 && eq(r->d->name + 11, f->task)))
			return false;
		if (f->dataset_version && !eq(r->d->version, f->dataset_version))
			return false;
		if (f->cache_version &&
		    !cachet__dataset_version_has_cache_version(r->d->version, f->cache_version))
			return false;
		if (f->tag && !eq(r->tag->name, f->tag))
			return false;
		if (f->artifact_id && !eq(r->a->uuid, f->artifact_id))
			return false;
	}
	if (q->created_before > 0 && r->a->created_at >= q->created_before)
		return false;
	if (q->used_before > 0 && r->a->last_used_at >= q->used_before)
		return false;
	return true;
}

static int m_list(cachet_catalog_backend *b, const cachet_catalog_query *q,
		  cachet_catalog_row_fn fn, void *ctx)
{
	memory_backend *mb = MB(b);
	m_row *rows = NULL;
	size_t n = 0;
	int rc = 0;

	if (mb->tags.n && (rows = cachet__calloc(mb->tags.n, sizeof *rows)) == NULL)
		return CACHET_ENOMEM;
	for (size_t i = 0; i < mb->tags.n; i++) {
		m_row r = {&mb->tags.items[i], artifact_by_id(mb, mb->tags.items[i].artifact),
			   dataset_by_id(mb, mb->tags.items[i].dataset)};
		if (r.a && r.d && matches(q, &r))
			rows[n++] = r;
	}
	if (n)
		qsort(rows, n, sizeof *rows, q->lru ? cmp_lru : cmp_default);
	if (q->filter && q->filter->limit > 0 && n > q->filter->limit)
		n = q->filter->limit;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const m_artifact *a = rows[i].a;
		const m_dataset *d = rows[i].d;
		cachet_catalog_row r = {
			.ref = a->id,
			.project = d->project,
			.domain = d->domain,
			.name = d->name,
			.version = d->version,
			.task_version = d->task_version,
			.tag = rows[i].tag->name,
			.artifact_id = a->uuid,
			.exec_project = a->exec_project,
			.exec_domain = a->exec_domain,
			.execution_name = a->execution_name,
			.exec_node = a->exec_node,
			.exec_attempt = a->exec_attempt,
			.created_at_ms = a->created_at,
			.last_hit_at_ms = a->last_hit_at,
			.last_used_at_ms = a->last_used_at,
			.hit_count = a->hit_count,
			.size_bytes = a->size_bytes,
			.outputs = q->with_outputs ? a->outputs : NULL,
			.outputs_len = q->with_outputs ? a->outputs_len : 0,
			.inputs = q->with_inputs ? a->inputs : NULL,
			.inputs_len = q->with_inputs && a->inputs ? a->inputs_len : 0,
		};
		rc = fn(ctx, &r);
	}
	cachet__free(rows);
	return rc > 0 ? 0 : rc;
}

/* ---------------------------------------------------------------------- */
/* Eviction                                                               */

static int m_evict(cachet_catalog_backend *b, bool *deleted, const int64_t *refs, size_t n,
		   cachet_evict_reason reason, const char *detail, int64_t now_ms,
		   const cachet_catalog_batch *batch)
{
	memory_backend *mb = MB(b);

	for (size_t i = 0; i < n; i++) {
		m_artifact *a = artifact_by_id(mb, refs[i]);
		deleted[i] = a != NULL;
		if (a == NULL)
			continue;
		/* Record an eviction per tag of the artifact. */
		for (size_t j = 0; j < mb->tags.n; j++) {
			m_tag *t = &mb->tags.items[j];
			if (t->artifact != a->id)
				continue;
			m_eviction ne = {t->dataset, dup(t->name), dup(a->uuid),
					 detail ? dup(detail) : NULL, reason, now_ms};
			if (!ne.tag || !ne.uuid || (detail && !ne.detail) ||
			    ROOM(mb->evictions, 1) < 0) {
				free_eviction(&ne);
				return CACHET_ENOMEM;
			}
			m_eviction *old = eviction_of(mb, t->dataset, t->name);
			if (old) {
				free_eviction(old);
				*old = ne;
			} else {
				mb->evictions.items[mb->evictions.n++] = ne;
			}
		}
		delete_artifact(mb, refs[i]);
	}
	return apply_batch(mb, batch);
}

static int m_last_eviction(cachet_catalog_backend *b, cachet_eviction_record *out,
			   const cachet_cache_key *key)
{
	memory_backend *mb = MB(b);
	m_dataset *d = dataset_of(mb, key);
	m_eviction *e = d ? eviction_of(mb, d->id, key->tag) : NULL;

	if (e == NULL)
		return 0;
	out->found = true;
	out->reason = e->reason;
	out->at_ms = e->at;
	out->artifact_id = dup(e->uuid);
	out->detail = e->detail ? dup(e->detail) : NULL;
	if (!out->artifact_id || (e->detail && !out->detail))
		return CACHET_ENOMEM;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Statistics and GC                                                      */

static int m_counters(cachet_catalog_backend *b, cachet_catalog_counter_fn fn, void *ctx)
{
	memory_backend *mb = MB(b);
	for (size_t i = 0; i < mb->counters.n; i++) {
		m_counter *c = &mb->counters.items[i];
		if (c->value == 0)
			continue;
		int rc = fn(ctx, c->project, c->domain, c->name, c->counter, c->value);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int m_usage(cachet_catalog_backend *b, cachet_catalog_usage_fn fn, void *ctx)
{
	memory_backend *mb = MB(b);
	/* One call per (tag, artifact); the caller merges rows of a task. */
	for (size_t i = 0; i < mb->tags.n; i++) {
		m_artifact *a = artifact_by_id(mb, mb->tags.items[i].artifact);
		m_dataset *d = dataset_by_id(mb, mb->tags.items[i].dataset);
		if (a == NULL || d == NULL)
			continue;
		int rc = fn(ctx, d->project, d->domain, d->name, 1, a->size_bytes, a->last_hit_at);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int m_each_outputs(cachet_catalog_backend *b, cachet_catalog_blob_fn fn, void *ctx)
{
	memory_backend *mb = MB(b);
	for (size_t i = 0; i < mb->artifacts.n; i++) {
		int rc = fn(ctx, mb->artifacts.items[i].outputs, mb->artifacts.items[i].outputs_len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool m_read_only(cachet_catalog_backend *b)
{
	(void)b;
	return false;
}

static void m_free(cachet_catalog_backend *b)
{
	memory_backend *mb = MB(b);
	if (mb == NULL)
		return;
	for (size_t i = 0; i < mb->datasets.n; i++)
		free_dataset(&mb->datasets.items[i]);
	for (size_t i = 0; i < mb->artifacts.n; i++)
		free_artifact(&mb->artifacts.items[i]);
	for (size_t i = 0; i < mb->tags.n; i++)
		cachet__free(mb->tags.items[i].name);
	for (size_t i = 0; i < mb->reservations.n; i++)
		free_reservation(&mb->reservations.items[i]);
	for (size_t i = 0; i < mb->evictions.n; i++)
		free_eviction(&mb->evictions.items[i]);
	for (size_t i = 0; i < mb->counters.n; i++)
		free_counter(&mb->counters.items[i]);
	cachet__free(mb->datasets.items);
	cachet__free(mb->artifacts.items);
	cachet__free(mb->tags.items);
	cachet__free(mb->reservations.items);
	cachet__free(mb->evictions.items);
	cachet__free(mb->counters.items);
	cachet__free(mb);
}

int cachet__catalog_memory_new(cachet_catalog_backend **out)
{
	memory_backend *mb = cachet__calloc(1, sizeof *mb);

	*out = NULL;
	if (mb == NULL)
		return CACHET_ENOMEM;
	mb->base = (cachet_catalog_backend){
		.version = CACHET_CATALOG_BACKEND_VERSION,
		.name = "memory",
		.find = m_find,
		.put = m_put,
		.record = m_record,
		.reserve = m_reserve,
		.release = m_release,
		.list = m_list,
		.evict = m_evict,
		.last_eviction = m_last_eviction,
		.counters = m_counters,
		.usage = m_usage,
		.each_outputs = m_each_outputs,
		.read_only = m_read_only,
		.free = m_free,
	};
	*out = &mb->base;
	return 0;
}
