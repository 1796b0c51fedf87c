/*
 * The catalog handle: opening, the hit bookkeeping, lookup, put and
 * reservations. The policy lives here, over any backend (backend.h).
 *
 * A lookup hit does no write: the hit (last hit time, hit count) and the
 * counters are added to the handle's pending bookkeeping, written with the
 * handle's next write transaction or when due (flush_interval_ms, or 256
 * artifacts hit). That is what keeps a hit at a few microseconds; the
 * price is that a process killed between flushes loses its last counts
 * (never an entry).
 */
#include "catalog/internal.h"
#include "catalog/holder.h"
#include "cachet/codec.h"
#include "store/uri.h"
#include "util/clock.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/version.h"
#include "util/warning.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Opening and closing                                                    */

static int check_options(const cachet_catalog_options *opts)
{
	if (opts == NULL)
		return 0;
	return cachet__check_version(opts->version, CACHET_CATALOG_OPTIONS_VERSION,
				     "catalog options");
}

/* Whether b has every operation of version 1. */
static bool backend_complete(const cachet_catalog_backend *b)
{
	return b->name && b->find && b->put && b->record && b->reserve && b->release && b->list &&
	       b->evict && b->last_eviction && b->counters && b->usage && b->each_outputs &&
	       b->read_only;
}

int cachet_catalog_open_backend(cachet_catalog **out, cachet_catalog_backend *b,
				const cachet_catalog_options *opts)
{
	cachet_catalog *cat;
	int rc;

	if (out == NULL || b == NULL) {
		if (b != NULL && b->free != NULL)
			b->free(b);
		return cachet__error(CACHET_EINVALID, "open catalog: no %s",
				     out ? "backend" : "output pointer");
	}
	*out = NULL;
	if ((rc = cachet__check_version(b->version, CACHET_CATALOG_BACKEND_VERSION,
					"catalog backend")) < 0 ||
	    (rc = check_options(opts)) < 0) {
		if (b->free)
			b->free(b);
		return rc;
	}
	if (!backend_complete(b) || b->free == NULL) {
		if (b->free)
			b->free(b);
		return cachet__error(CACHET_EINVALID, "catalog backend lacks an operation");
	}
	cat = cachet__calloc(1, sizeof *cat);
	if (cat == NULL) {
		b->free(b);
		return CACHET_ENOMEM;
	}
	cat->b = b;
	cat->flush_interval_ms = CACHET__FLUSH_DEFAULT_MS;
	cat->max_heartbeat_ms = CACHET__HEARTBEAT_MAX_DEFAULT_MS;
	cat->grace_multiplier = CACHET__GRACE_DEFAULT;
	if (opts) {
		cat->store = opts->store;
		cat->write_through = opts->write_through;
		if (opts->flush_interval_ms)
			cat->flush_interval_ms = opts->flush_interval_ms;
		if (opts->max_heartbeat_ms > 0)
			cat->max_heartbeat_ms = opts->max_heartbeat_ms;
		if (opts->grace_multiplier)
			cat->grace_multiplier = opts->grace_multiplier;
		cat->clock = opts->clock;
		cat->clock_payload = opts->clock_payload;
	}
	if (cat->store) {
		cat->store_root = cachet_store_root(cat->store);
		cat->store_root_len = strlen(cat->store_root);
	}
	*out = cat;
	return 0;
}

int cachet_catalog_open_sqlite(cachet_catalog **out, const char *path,
			       const cachet_catalog_options *opts)
{
	cachet_catalog_backend *b;
	int rc;

	if (out == NULL || path == NULL || *path == '\0')
		return cachet__error(CACHET_EINVALID, "open catalog: no %s",
				     out ? "path" : "output pointer");
	*out = NULL;
	rc = check_options(opts);
	if (rc == 0)
		rc = cachet__catalog_sqlite_new(&b, path, opts && opts->read_only,
						opts && opts->busy_timeout_ms
							? opts->busy_timeout_ms
							: CACHET__BUSY_DEFAULT_MS);
	if (rc == 0)
		rc = cachet_catalog_open_backend(out, b, opts);
	return rc;
}

int cachet_catalog_open_memory(cachet_catalog **out, const cachet_catalog_options *opts)
{
	cachet_catalog_backend *b;
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "open catalog: no output pointer");
	*out = NULL;
	rc = check_options(opts);
	if (rc == 0)
		rc = cachet__catalog_memory_new(&b);
	if (rc == 0)
		rc = cachet_catalog_open_backend(out, b, opts);
	return rc;
}

const char *cachet_catalog_backend_name(const cachet_catalog *cat)
{
	return cat ? cat->b->name : NULL;
}

int cachet_catalog_flush(cachet_catalog *cat)
{
	if (cat == NULL)
		return cachet__error(CACHET_EINVALID, "flush catalog: no catalog");
	return cachet__catalog_flush_due(cat, true);
}

void cachet_catalog_free(cachet_catalog *cat)
{
	if (cat == NULL)
		return;
	cachet__catalog_flush_due(cat, true); /* warns on failure */
	cachet__catalog_pending_clear(cat);
	for (size_t i = 0; i < cat->n_tasks; i++) {
		cachet__free(cat->tasks[i].project);
		cachet__free(cat->tasks[i].domain);
		cachet__free(cat->tasks[i].name);
	}
	cachet__free(cat->tasks);
	cachet__free(cat->hits);
	cat->b->free(cat->b);
	cachet__free(cat);
}

/* ---------------------------------------------------------------------- */
/* Time and pending bookkeeping                                           */

int64_t cachet__catalog_now(cachet_catalog *cat)
{
	if (cat->clock)
		return cat->clock(cat->clock_payload);
	return cachet__now_ms();
}

static void mark_pending(cachet_catalog *cat)
{
	if (cat->pending_since_ms == 0) {
		cat->pending_since_ms = cachet__catalog_now(cat);
		if (cat->pending_since_ms == 0)
			cat->pending_since_ms = 1;
	}
}

static bool task_is(const cachet_catalog_task_delta *t, const char *project, const char *domain,
		    const char *name)
{
	return strcmp(t->name, name) == 0 && strcmp(t->project, project) == 0 &&
	       strcmp(t->domain, domain) == 0;
}

int cachet__catalog_task_names_dup(char **project, char **domain, char **name, const char *p,
				   const char *d, const char *n)
{
	*project = cachet__strdup(p);
	*domain = cachet__strdup(d);
	*name = cachet__strdup(n);
	if (*project && *domain && *name)
		return 0;
	cachet__free(*project);
	cachet__free(*domain);
	cachet__free(*name);
	*project = *domain = *name = NULL;
	return CACHET_ENOMEM;
}

int cachet__catalog_count(cachet_catalog *cat, const char *project, const char *domain,
			  const char *name, int counter, uint64_t n)
{
	cachet_catalog_task_delta *t = NULL;

	project = project ? project : "";
	domain = domain ? domain : "";
	name = name ? name : "";
	if (cat->last_task < cat->n_tasks &&
	    task_is(&cat->tasks[cat->last_task], project, domain, name))
		t = &cat->tasks[cat->last_task];
	for (size_t i = 0; t == NULL && i < cat->n_tasks; i++) {
		if (task_is(&cat->tasks[i], project, domain, name)) {
			t = &cat->tasks[i];
			cat->last_task = i;
		}
	}
	if (t == NULL) {
		cachet_catalog_task_delta *g =
			cachet__grow(cat->tasks, cat->n_tasks, &cat->cap_tasks, sizeof *g, 4);
		if (g == NULL)
			return CACHET_ENOMEM;
		cat->tasks = g;
		t = &cat->tasks[cat->n_tasks];
		memset(t, 0, sizeof *t);
		if (cachet__catalog_task_names_dup(&t->project, &t->domain, &t->name, project, domain,
						   name) < 0)
			return CACHET_ENOMEM;
		cat->last_task = cat->n_tasks++;
	}
	t->d[counter] += n;
	mark_pending(cat);
	return 0;
}

static int count_key(cachet_catalog *cat, const cachet_cache_key *key, int counter)
{
	return cachet__catalog_count(cat, key->project, key->domain, key->name, counter, 1);
}

static int record_hit(cachet_catalog *cat, int64_t ref, int64_t at_ms)
{
	/* The same artifact hit again is the common case: look from the end. */
	for (size_t i = cat->n_hits; i-- > 0;) {
		if (cat->hits[i].ref == ref) {
			cat->hits[i].count++;
			if (cat->hits[i].at_ms < at_ms)
				cat->hits[i].at_ms = at_ms;
			return 0;
		}
	}
	cachet_catalog_hit_delta *g =
		cachet__grow(cat->hits, cat->n_hits, &cat->cap_hits, sizeof *g, 16);
	if (g == NULL)
		return CACHET_ENOMEM;
	cat->hits = g;
	cat->hits[cat->n_hits++] = (cachet_catalog_hit_delta){ref, at_ms, 1};
	mark_pending(cat);
	return 0;
}

void cachet__catalog_pending(cachet_catalog *cat, cachet_catalog_batch *out)
{
	out->tasks = cat->tasks;
	out->n_tasks = cat->n_tasks;
	out->hits = cat->hits;
	out->n_hits = cat->n_hits;
}

void cachet__catalog_pending_clear(cachet_catalog *cat)
{
	/* Keep the task slots (their names are likely needed again), zeroed. */
	for (size_t i = 0; i < cat->n_tasks; i++)
		memset(cat->tasks[i].d, 0, sizeof cat->tasks[i].d);
	cat->n_hits = 0;
	cat->pending_since_ms = 0;
}

int cachet__catalog_flush_due(cachet_catalog *cat, bool force)
{
	cachet_catalog_batch batch;
	int rc;

	if (cat->pending_since_ms == 0)
		return 0;
	if (cat->b->read_only(cat->b)) {
		/* Nowhere to write them: a read-only catalog counts nothing. */
		cachet__catalog_pending_clear(cat);
		return 0;
	}
	if (!force && !cat->write_through && cat->n_hits < CACHET__PENDING_HITS_MAX &&
	    cachet__catalog_now(cat) - cat->pending_since_ms < cat->flush_interval_ms)
		return 0;
	cachet__catalog_pending(cat, &batch);
	rc = cat->b->record(cat->b, &batch);
	if (rc == 0) {
		cachet__catalog_pending_clear(cat);
		return 0;
	}
	if (!cat->flush_warned) {
		cat->flush_warned = true;
		cachet__warn("cannot record cache hits and counters: %s", cachet_error_last()->message);
	}
	/* Keep the counters for a later try; hits beyond the cap are dropped
	 * rather than grow without bound. */
	if (cat->n_hits >= CACHET__PENDING_HITS_MAX)
		cat->n_hits = 0;
	return rc;
}

/* ---------------------------------------------------------------------- */
/* The store                                                              */

int cachet__catalog_store_ref(char **canon, const cachet_catalog *cat, const char *uri)
{
	int rc;

	*canon = NULL;
	if (cat->store == NULL)
		return 1;
	rc = cachet__uri_in_store(canon, cat->store_root, uri, CACHET__URI_REFERENCE);
	if (rc == 0 || rc == CACHET_ENOMEM)
		return rc;
	/* A local file must be in the store: an entry naming one elsewhere
	 * would be a hit on bytes nothing checks. */
	bool local = strncasecmp(uri, "file:", 5) == 0 ||
		     (strncmp(uri, cat->store_root, cat->store_root_len) == 0 &&
		      (uri[cat->store_root_len] == '/' || uri[cat->store_root_len] == '\0'));
	return local ? rc : 1;
}

typedef struct prefix_sum {
	bool want_size;
	bool any;
	uint64_t size;
} prefix_sum;

static int prefix_visit(const char *uri, const cachet_store_stat *st, void *payload)
{
	prefix_sum *ps = payload;
	(void)uri;
	ps->any = true;
	ps->size += st->size;
	return ps->want_size ? 0 : 1; /* existence: the first object will do */
}

int cachet__catalog_stat(cachet_catalog *cat, const char *canon, bool want_size, uint64_t *size)
{
	cachet_store_stat st;
	cachet_buf prefix = CACHET_BUF_INIT;
	prefix_sum ps = {want_size, false, 0};
	int rc;

	*size = 0;
	rc = cachet_store_stat_object(&st, cat->store, canon);
	if (rc == 0) {
		*size = st.size;
		return 0;
	}
	/* EINVALID: a name the backend reserves, which no object has */
	if (rc != CACHET_ENOTFOUND && rc != CACHET_EINVALID)
		return rc;
	/* Not an object: a directory (multipart blob, dataset of files) is
	 * the prefix of its objects. */
	rc = cachet__buf_puts(&prefix, canon);
	if (rc == 0)
		rc = cachet__buf_putc(&prefix, '/');
	if (rc == 0)
		rc = cachet_store_list(cat->store, prefix.ptr, prefix_visit, &ps);
	cachet__buf_dispose(&prefix);
	if (rc == 1)
		rc = 0;
	if (rc < 0)
		return rc;
	if (!ps.any)
		return cachet__error(CACHET_ENOTFOUND, "'%s' is not in the store", canon);
	*size = ps.size;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Lookup                                                                 */

int cachet__check_key(const cachet_cache_key *key)
{
	if (key == NULL)
		return cachet__error(CACHET_EINVALID, "no cache key");
	int rc = cachet__check_version(key->struct_version, CACHET_CACHE_KEY_VERSION, "cache key");
	if (rc < 0)
		return rc;
	const char *missing = !key->project || !*key->project ? "project"
			      : !key->domain || !*key->domain ? "domain"
			      : !key->name || !*key->name	  ? "name"
			      : !key->version || !*key->version ? "version"
			      : !key->tag || !*key->tag	  ? "tag"
							  : NULL;
	if (missing)
		return cachet__error(CACHET_EINVALID, "cache key has no %s", missing);
	return 0;
}

static int check_lookup_options(const cachet_lookup_options *opts)
{
	int rc;

	if (opts == NULL)
		return 0;
	if ((rc = cachet__check_version(opts->version, CACHET_LOOKUP_OPTIONS_VERSION,
					"lookup options")) < 0)
		return rc;
	if (opts->max_age_ms < 0)
		return cachet__error(CACHET_EINVALID, "maximum cache age %lld ms is negative",
				     (long long)opts->max_age_ms);
	return 0;
}

/* out->message = the formatted text (best effort: NULL when out of memory). */
CACHET__PRINTF(2, 3)
static void set_message(char **msg, const char *fmt, ...)
{
	cachet_buf b = CACHET_BUF_INIT;
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	cachet__free(*msg);
	*msg = NULL;
	if (cachet__buf_puts(&b, tmp) == 0)
		*msg = cachet__buf_detach(&b, NULL);
	cachet__buf_dispose(&b);
}

/* Status LOOKUP_FAILURE for a failed call: the message is the error's. */
static int lookup_error(cachet_lookup_result *out, int rc)
{
	out->status = CACHET_CACHE_LOOKUP_FAILURE;
	out->reason = CACHET_MISS_CATALOG_ERROR;
	set_message(&out->message, "%s", cachet_error_last()->message);
	return rc;
}

typedef struct missing_ctx {
	cachet_catalog *cat;
	const char *name; /* the first output found missing */
	char *uri;
	char *refused; /* why the store cannot hold it, when it cannot */
} missing_ctx;

static int check_uri(void *ctx, const char *name, char **uri)
{
	missing_ctx *mc = ctx;
	char *canon = NULL;
	uint64_t size;
	int rc = cachet__catalog_store_ref(&canon, mc->cat, *uri);

	if (rc == 0)
		rc = cachet__catalog_stat(mc->cat, canon ? canon : *uri, false, &size);
	cachet__free(canon);
	if (rc == 0 || rc == 1)
		return 0;
	if (rc != CACHET_ENOTFOUND && rc != CACHET_EINVALID)
		return rc;
	/* An entry stored by an older cachet may name a file outside the
	 * store: it references nothing there (GC agrees), so it misses. */
	if (rc == CACHET_EINVALID) {
		mc->refused = cachet__strdup(cachet_error_last()->message);
		if (mc->refused == NULL)
			return CACHET_ENOMEM;
	}
	mc->name = name;
	mc->uri = cachet__strdup(*uri);
	return mc->uri ? 1 : CACHET_ENOMEM;
}

/* Whether other machines may use cat too: any backend but cachet's
 * machine-local ones. */
static bool catalog_shared(const cachet_catalog *cat)
{
	return strcmp(cat->b->name, "sqlite") != 0 && strcmp(cat->b->name, "memory") != 0;
}

/*
 * The lookup without counting: fills out (status, reason, message,
 * outputs). peek: change nothing (a missing output is reported, not
 * evicted). Returns 0 when the catalog answered, < 0 on failure (status
 * LOOKUP_FAILURE).
 */
static int lookup_core(cachet_lookup_result *out, cachet_catalog *cat,
		       const cachet_cache_key *key, const cachet_lookup_options *opts, bool peek,
		       int64_t *hit_ref)
{
	cachet_catalog_found f;
	cachet_literal_map *outputs = NULL;
	missing_ctx mc = {cat, NULL, NULL, NULL};
	int64_t now = cachet__catalog_now(cat);
	int rc;

	*hit_ref = 0;
	rc = cat->b->find(cat->b, &f, key);
	if (rc == CACHET_ENOTFOUND) {
		out->status = CACHET_CACHE_MISS;
		out->reason = CACHET_MISS_NOT_FOUND;
		set_message(&out->message, "no entry for tag '%s' of '%s/%s/%s/%s'", key->tag,
			    key->project, key->domain, key->name, key->version);
		return 0;
	}
	if (rc < 0)
		return lookup_error(out, rc);
	out->artifact_id = cachet__strdup(f.artifact_id);
	if (out->artifact_id == NULL)
		return lookup_error(out, CACHET_ENOMEM);
	out->created_at_ms = f.created_at_ms;

	if (opts && opts->max_age_ms > 0 && now - f.created_at_ms > opts->max_age_ms) {
		out->status = CACHET_CACHE_MISS;
		out->reason = CACHET_MISS_EXPIRED;
		set_message(&out->message,
			    "the entry is %lld ms old, older than the maximum age of %lld ms",
			    (long long)(now - f.created_at_ms), (long long)opts->max_age_ms);
		return 0;
	}

	int64_t ref = f.ref;
	rc = cachet_literal_map_decode(&outputs, f.outputs, f.outputs_len, CACHET_FORMAT_PB);
	if (cachet__error_is_ours(rc))
		return lookup_error(out, rc);
	if (rc < 0) {
		out->status = CACHET_CACHE_LOOKUP_FAILURE;
		out->reason = CACHET_MISS_CORRUPT_ENTRY;
		set_message(&out->message, "the outputs of artifact '%s' cannot be decoded: %s",
			    out->artifact_id, cachet_error_last()->message);
		return 0;
	}
	if (opts && opts->iface) {
		rc = cachet__outputs_check(outputs, opts->iface->outputs);
		if (rc == CACHET_ENOMEM) {
			cachet_literal_map_free(outputs);
			return lookup_error(out, rc);
		}
		if (rc < 0) {
			cachet_literal_map_free(outputs);
			out->status = CACHET_CACHE_LOOKUP_FAILURE;
			out->reason = CACHET_MISS_INTERFACE_MISMATCH;
			set_message(&out->message, "the cached outputs do not fit the interface: %s",
				    cachet_error_last()->message);
			return 0;
		}
	}
	if (cat->store) {
		rc = cachet__outputs_each_uri(outputs, check_uri, &mc);
		if (rc < 0) {
			cachet_literal_map_free(outputs);
			cachet__free(mc.uri);
			cachet__free(mc.refused);
			return lookup_error(out, rc);
		}
	}
	if (mc.uri) {
		/* mc.name points into outputs: free them at the end */
		char what[1024];
		if (mc.refused)
			snprintf(what, sizeof what, "output '%s': %s", mc.name, mc.refused);
		else
			snprintf(what, sizeof what, "output '%s' names '%s', which is gone from the store",
				 mc.name, mc.uri);
		out->status = CACHET_CACHE_MISS;
		out->reason = CACHET_MISS_MISSING_DATA;
		if (peek) {
			set_message(&out->message, "%s", what);
		} else if (mc.refused && catalog_shared(cat)) {
			/* Outside this handle's store, in a catalog machines
			 * share: maybe another machine's local store, whose
			 * entry is good there. A miss here, not an eviction
			 * (docs/catalog.md, "Sharing a catalog"). */
			set_message(&out->message, "%s: not reachable from this store, entry kept",
				    what);
		} else {
			cachet_catalog_batch batch;
			bool deleted = false;
			cachet__catalog_pending(cat, &batch);
			rc = cat->b->evict(cat->b, &deleted, &ref, 1, CACHET_EVICT_MISSING_DATA, mc.uri,
					   now, &batch);
			if (rc == 0) {
				cachet__catalog_pending_clear(cat);
				if (deleted)
					count_key(cat, key, CACHET_COUNTER_EVICTED_MISSING_DATA);
				set_message(&out->message, "%s: entry evicted", what);
			} else {
				set_message(&out->message, "%s (the entry could not be evicted: %s)",
					    what, cachet_error_last()->message);
			}
		}
		cachet__free(mc.uri);
		cachet__free(mc.refused);
		cachet_literal_map_free(outputs);
		return 0;
	}
	out->status = CACHET_CACHE_HIT;
	out->reason = CACHET_MISS_NONE;
	out->outputs = outputs;
	*hit_ref = ref;
	return 0;
}

static int counter_of_status(int status)
{
	switch (status) {
	case CACHET_CACHE_HIT: return CACHET_COUNTER_HITS;
	case CACHET_CACHE_MISS: return CACHET_COUNTER_MISSES;
	default: return CACHET_COUNTER_LOOKUP_FAILURES;
	}
}

/* Count the lookup's outcome and note the hit; then flush if due. */
static void account(cachet_catalog *cat, const cachet_cache_key *key,
		    const cachet_lookup_result *out, int64_t hit_ref)
{
	/* Bookkeeping must not turn an answer into an error: failures here
	 * (out of memory) lose a count, nothing else. */
	count_key(cat, key, counter_of_status(out->status));
	if (out->status == CACHET_CACHE_HIT)
		record_hit(cat, hit_ref, cachet__catalog_now(cat));
	cachet__catalog_flush_due(cat, false);
}

static int lookup_start(cachet_lookup_result *out, cachet_catalog *cat,
			const cachet_cache_key *key, const cachet_lookup_options *opts)
{
	int rc = CACHET__RESULT_BEGIN(out, CACHET_LOOKUP_RESULT_VERSION, "lookup result");
	if (rc < 0)
		return rc;
	out->status = CACHET_CACHE_LOOKUP_FAILURE;
	out->reason = CACHET_MISS_CATALOG_ERROR;
	rc = cat ? 0 : cachet__error(CACHET_EINVALID, "lookup: no catalog");
	if (rc == 0)
		rc = cachet__check_key(key);
	if (rc == 0)
		rc = check_lookup_options(opts);
	if (rc < 0)
		lookup_error(out, rc);
	return rc;
}

int cachet_catalog_lookup(cachet_lookup_result *out, cachet_catalog *cat,
			  const cachet_cache_key *key, const cachet_lookup_options *opts)
{
	int64_t ref;
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "lookup: no result pointer");
	rc = lookup_start(out, cat, key, opts);
	if (rc < 0)
		return rc;
	rc = lookup_core(out, cat, key, opts, false, &ref);
	account(cat, key, out, ref);
	if (rc < 0) /* the bookkeeping may have recorded another error */
		lookup_error(out, rc);
	return rc;
}

int cachet__catalog_peek(cachet_lookup_result *out, cachet_catalog *cat,
			 const cachet_cache_key *key, const cachet_lookup_options *opts)
{
	int64_t ref;
	int rc = lookup_start(out, cat, key, opts);
	return rc < 0 ? rc : lookup_core(out, cat, key, opts, true, &ref);
}

void cachet_lookup_result_dispose(cachet_lookup_result *res)
{
	if (res == NULL || !cachet__version_known(res->version, CACHET_LOOKUP_RESULT_VERSION))
		return;
	cachet__free(res->message);
	cachet_literal_map_free(res->outputs);
	cachet__free(res->artifact_id);
	CACHET__RESULT_CLEAR(res);
}

/* ---------------------------------------------------------------------- */
/* Put                                                                    */

typedef struct size_ctx {
	cachet_catalog *cat;
	uint64_t total;
} size_ctx;

/* Check an output's URI against the store, measure what it names, and
 * put its canonical spelling in its place. */
static int measure_uri(void *ctx, const char *name, char **uri)
{
	size_ctx *sc = ctx;
	char *canon = NULL;
	uint64_t size;
	int rc = cachet__catalog_store_ref(&canon, sc->cat, *uri);

	if (rc == 1)
		return 0;
	if (rc < 0)
		return rc == CACHET_ENOMEM ? rc : cachet__error_prefix("output '%s'", name);
	rc = cachet__catalog_stat(sc->cat, canon ? canon : *uri, true, &size);
	if (rc == CACHET_ENOTFOUND)
		rc = cachet__error(CACHET_ENOTFOUND, "output '%s' names '%s', which is not in the store",
				   name, *uri);
	if (rc < 0) {
		cachet__free(canon);
		return rc;
	}
	sc->total += size;
	if (canon) {
		/* a field of the value: a counted string */
		char *counted = cachet_str_dup(canon);
		cachet__free(canon);
		if (counted == NULL)
			return CACHET_ENOMEM;
		cachet_str_free(*uri);
		*uri = counted;
	}
	return 0;
}

static int check_put_options(const cachet_put_options *opts)
{
	int rc;

	if (opts == NULL)
		return 0;
	if ((rc = cachet__check_version(opts->version, CACHET_PUT_OPTIONS_VERSION,
					"put options")) < 0)
		return rc;
	if (opts->n_ignore > 0 && opts->ignore == NULL)
		return cachet__error(CACHET_EINVALID, "put options: %zu ignored inputs but no list",
				     opts->n_ignore);
	return 0;
}

static int put_core(cachet_put_result *out, cachet_catalog *cat, const cachet_cache_key *key,
		    const cachet_literal_map *outputs, const cachet_put_options *opts)
{
	static const cachet_literal_map empty_map = {NULL, 0};
	static const cachet_artifact_source no_source = {NULL, NULL, NULL, NULL, 0};
	cachet_literal_map *canonical = NULL;
	char *pb = NULL, *inputs_pb = NULL;
	size_t pb_len = 0, inputs_len = 0;
	cachet_input_hash *hashes = NULL;
	size_t n_hashes = 0;
	char artifact_id[37], dataset_uuid[37];
	size_ctx sc = {cat, 0};
	cachet_catalog_put_outcome oc;
	cachet_catalog_batch batch;
	int rc;

	memset(&oc, 0, sizeof oc);
	if (outputs == NULL)
		outputs = &empty_map;
	if (opts && opts->iface) {
		/* The lookup's own check: an entry it would refuse (a lookup
		 * failure on every later run) is never stored. */
		rc = cachet__outputs_check(outputs, opts->iface->outputs);
		if (rc < 0) {
			if (rc != CACHET_ENOMEM)
				rc = cachet__error_prefix("the outputs do not fit the interface");
			goto done;
		}
	}
	if (cat->store) {
		/* The store made each object durable before it returned; an
		 * output it does not hold would be a hit on nothing. What is
		 * recorded is each URI's canonical spelling, in a copy. */
		if ((rc = cachet_literal_map_copy(&canonical, outputs)) < 0 ||
		    (rc = cachet__outputs_each_uri(canonical, measure_uri, &sc)) < 0)
			goto done;
		outputs = canonical;
	}
	rc = cachet_literal_map_encode(&pb, &pb_len, outputs, CACHET_FORMAT_PB, 0);
	if (rc < 0)
		goto done;
	if (opts && opts->inputs) {
		rc = cachet_input_hashes(&hashes, &n_hashes, opts->inputs, opts->ignore,
					 opts->n_ignore);
		if (rc == 0)
			rc = cachet__input_hashes_encode(&inputs_pb, &inputs_len, hashes, n_hashes);
		if (rc < 0)
			goto done;
	}
	rc = cachet__uuid4(artifact_id);
	if (rc == 0)
		rc = cachet__uuid4(dataset_uuid);
	if (rc < 0)
		goto done;

	cachet_catalog_put_row row = {
		.key = key,
		.dataset_uuid = dataset_uuid,
		.task_version = opts && opts->task_version ? opts->task_version : "",
		.artifact_id = artifact_id,
		.source = opts && opts->source ? opts->source : &no_source,
		.outputs = pb ? pb : "",
		.outputs_len = pb_len,
		.inputs = inputs_pb,
		.inputs_len = inputs_len,
		.size_bytes = sc.total,
		.now_ms = cachet__catalog_now(cat),
	};
	cachet__catalog_pending(cat, &batch);
	rc = cat->b->put(cat->b, &oc, &row, opts && opts->overwrite, &batch);
	if (rc < 0)
		goto done;
	cachet__catalog_pending_clear(cat);
	out->artifact_id = cachet__strdup(oc.artifact_id);
	if (out->artifact_id == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	out->created = oc.created;
	out->replaced = oc.replaced;
done:
	cachet_literal_map_free(canonical);
	cachet_free(pb);
	cachet_free(inputs_pb);
	cachet_input_hashes_free(hashes, n_hashes);
	return rc;
}

int cachet_catalog_put(cachet_put_result *out, cachet_catalog *cat, const cachet_cache_key *key,
		       const cachet_literal_map *outputs, const cachet_put_options *opts)
{
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "put: no result pointer");
	rc = CACHET__RESULT_BEGIN(out, CACHET_PUT_RESULT_VERSION, "put result");
	if (rc < 0)
		return rc;
	out->status = CACHET_CACHE_PUT_FAILURE;
	rc = cat ? 0 : cachet__error(CACHET_EINVALID, "put: no catalog");
	if (rc == 0)
		rc = cachet__check_key(key);
	if (rc == 0)
		rc = check_put_options(opts);
	if (rc < 0) {
		set_message(&out->message, "%s", cachet_error_last()->message);
		return rc;
	}
	rc = put_core(out, cat, key, outputs, opts);
	if (rc < 0) {
		/* Keep the message before the bookkeeping can replace it. */
		set_message(&out->message, "%s", cachet_error_last()->message);
		cachet__free(out->artifact_id);
		out->artifact_id = NULL;
		count_key(cat, key, CACHET_COUNTER_PUT_FAILURES);
		cachet__catalog_flush_due(cat, false);
		cachet__error(rc, "%s", out->message ? out->message : "put failed");
		return rc;
	}
	out->status = CACHET_CACHE_POPULATED;
	count_key(cat, key, CACHET_COUNTER_POPULATED);
	cachet__catalog_flush_due(cat, false);
	return 0;
}

void cachet_put_result_dispose(cachet_put_result *res)
{
	if (res == NULL || !cachet__version_known(res->version, CACHET_PUT_RESULT_VERSION))
		return;
	cachet__free(res->message);
	cachet__free(res->artifact_id);
	CACHET__RESULT_CLEAR(res);
}

/* ---------------------------------------------------------------------- */
/* Reservations                                                           */

/* This process as a reservation holder, or NULL when it cannot be told. */
static const char *self_holder(cachet_catalog *cat)
{
	pid_t pid = getpid();
	if (cat->holder_pid != pid) {
		cachet__holder_self(cat->holder);
		cat->holder_pid = pid;
	}
	return cat->holder[0] ? cat->holder : NULL;
}

static int reserve_core(cachet_reservation *out, cachet_catalog *cat, const cachet_cache_key *key,
			const char *owner, int64_t heartbeat_ms)
{
	cachet_catalog_batch batch;
	bool taken = false;
	char *holder = NULL;
	int64_t now = cachet__catalog_now(cat);
	int rc;

	CACHET__RESULT_CLEAR(out);
	rc = cachet__check_key(key);
	if (rc < 0)
		return rc;
	if (owner == NULL || *owner == '\0')
		return cachet__error(CACHET_EINVALID, "reserve: no owner id");
	if (heartbeat_ms <= 0 || heartbeat_ms > cat->max_heartbeat_ms)
		heartbeat_ms = cat->max_heartbeat_ms;
	cachet_catalog_reserve_args args = {owner, self_holder(cat), NULL, heartbeat_ms,
				     now + heartbeat_ms * cat->grace_multiplier, now};
	cachet__catalog_pending(cat, &batch);
	rc = cat->b->reserve(cat->b, out, &holder, &taken, key, &args, &batch);
	if (rc < 0) {
		cachet__free(holder);
		return rc;
	}
	cachet__catalog_pending_clear(cat);
	/*
	 * Another owner's live reservation, held by a process of this
	 * machine that is gone (killed before it could release): take it
	 * over now rather than when it lapses. The update is guarded by that
	 * holder, so if someone else took it over meanwhile, theirs stands.
	 */
	if (!out->acquired && args.holder && cachet__holder_gone(holder, args.holder)) {
		cachet_reservation_dispose(out);
		args.gone_holder = holder;
		char *now_holder = NULL;
		rc = cat->b->reserve(cat->b, out, &now_holder, &taken, key, &args, NULL);
		cachet__free(now_holder);
	}
	cachet__free(holder);
	if (rc < 0)
		return rc;
	if (taken)
		count_key(cat, key, CACHET_COUNTER_RESERVATIONS_ACQUIRED);
	return 0;
}

int cachet_catalog_reserve(cachet_reservation *out, cachet_catalog *cat,
			   const cachet_cache_key *key, const char *owner, int64_t heartbeat_ms)
{
	if (out == NULL || cat == NULL)
		return cachet__error(CACHET_EINVALID, "reserve: no %s", out ? "catalog" : "result pointer");
	int rc = CACHET__RESULT_BEGIN(out, CACHET_RESERVATION_VERSION, "reservation");
	if (rc == 0)
		rc = reserve_core(out, cat, key, owner, heartbeat_ms);
	if (rc == 0)
		cachet__catalog_flush_due(cat, false);
	return rc;
}

int cachet_catalog_release(cachet_catalog *cat, const cachet_cache_key *key, const char *owner)
{
	cachet_catalog_batch batch;
	bool released = false;
	int rc;

	if (cat == NULL)
		return cachet__error(CACHET_EINVALID, "release: no catalog");
	rc = cachet__check_key(key);
	if (rc < 0)
		return rc;
	if (owner == NULL || *owner == '\0')
		return cachet__error(CACHET_EINVALID, "release: no owner id");
	cachet__catalog_pending(cat, &batch);
	rc = cat->b->release(cat->b, &released, key, owner, &batch);
	if (rc < 0)
		return rc;
	cachet__catalog_pending_clear(cat);
	if (released)
		count_key(cat, key, CACHET_COUNTER_RESERVATIONS_RELEASED);
	cachet__catalog_flush_due(cat, false);
	return 0;
}

void cachet_reservation_dispose(cachet_reservation *res)
{
	if (res == NULL || !cachet__version_known(res->version, CACHET_RESERVATION_VERSION))
		return;
	cachet__free(res->owner_id);
	CACHET__RESULT_CLEAR(res);
}

int cachet_catalog_get_or_reserve(cachet_lookup_result *out, cachet_catalog *cat,
				  const cachet_cache_key *key, const cachet_lookup_options *lookup,
				  const cachet_serialize_options *opts)
{
	int64_t ref = 0, start = cachet__monotonic_ms();
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "lookup: no result pointer");
	rc = lookup_start(out, cat, key, lookup);
	if (rc == 0 && opts == NULL)
		rc = lookup_error(out, cachet__error(CACHET_EINVALID,
						     "serialize: no options (an owner is needed)"));
	if (rc == 0)
		rc = lookup_error(out, cachet__check_version(opts->version,
							     CACHET_SERIALIZE_OPTIONS_VERSION,
							     "serialize options"));
	if (rc == 0 && (opts->owner == NULL || *opts->owner == '\0'))
		rc = lookup_error(out, cachet__error(CACHET_EINVALID, "serialize: no owner id"));
	if (rc < 0)
		return rc;
	int64_t poll = opts->poll_ms > 0 ? opts->poll_ms : 100;

	for (;;) {
		cachet_reservation res = CACHET_RESERVATION_INIT;

		rc = lookup_core(out, cat, key, lookup, false, &ref);
		if (rc < 0 || out->status != CACHET_CACHE_MISS)
			break;
		rc = reserve_core(&res, cat, key, opts->owner, opts->heartbeat_ms);
		if (rc < 0) {
			lookup_error(out, rc);
			break;
		}
		bool acquired = res.acquired;
		cachet_reservation_dispose(&res);
		if (acquired) {
			/* Between our miss and our reservation another owner may
			 * have put and released: look again before computing. */
			bool waited = out->waited;
			cachet_lookup_result_dispose(out);
			out->waited = waited;
			rc = lookup_core(out, cat, key, lookup, false, &ref);
			if (rc == 0 && out->status == CACHET_CACHE_MISS) {
				out->reserved = true;
				break;
			}
			int rel = cachet_catalog_release(cat, key, opts->owner);
			if (rc == 0 && rel < 0) /* a hit all the same; it lapses */
				cachet__warn("cannot release the reservation: %s",
					     cachet_error_last()->message);
			break;
		}
		if (!out->waited) {
			out->waited = true;
			count_key(cat, key, CACHET_COUNTER_RESERVATIONS_WAITED);
		}
		if (opts->wait_limit_ms > 0 && cachet__monotonic_ms() - start >= opts->wait_limit_ms) {
			out->reason = CACHET_MISS_RESERVED;
			set_message(&out->message,
				    "another execution holds the reservation; gave up waiting after "
				    "%lld ms",
				    (long long)opts->wait_limit_ms);
			break;
		}
		/* A miss while waiting is not an answer yet: forget it. */
		cachet_lookup_result_dispose(out);
		out->waited = true;
		cachet__sleep_ms(poll);
	}
	account(cat, key, out, ref);
	if (rc < 0)
		lookup_error(out, rc);
	return rc;
}
