/*
 * Garbage collection of the store: delete the objects that no cached
 * entry references and that are older than a grace period.
 *
 * Order matters: the store is listed first, the references read second,
 * so an object written and put between the two is seen as referenced. The
 * grace period protects what has been written but not put yet (a run
 * still computing, a put in flight): choose it longer than the longest
 * task. An artifact whose outputs cannot be read stops the collection:
 * not knowing what it references, nothing can be judged garbage.
 */
#include "catalog/internal.h"
#include "cachet/codec.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"
#include "util/warning.h"

#include <stdlib.h>
#include <string.h>

typedef struct object {
	char *uri;
	uint64_t size;
	int64_t mtime_ms;
} object;

typedef struct gc_state {
	cachet_catalog *cat;
	object *objs;
	size_t n_objs, cap_objs;
	char **refs;
	size_t n_refs, cap_refs;
} gc_state;

static int add_object(const char *uri, const cachet_store_stat *st, void *payload)
{
	gc_state *g = payload;
	object *objs = cachet__grow(g->objs, g->n_objs, &g->cap_objs, sizeof *objs, 64);
	if (objs == NULL)
		return CACHET_ENOMEM;
	g->objs = objs;
	object *o = &g->objs[g->n_objs];
	o->uri = cachet__strdup(uri);
	if (o->uri == NULL)
		return CACHET_ENOMEM;
	o->size = st->size;
	o->mtime_ms = st->mtime.seconds * 1000 + st->mtime.nanos / 1000000;
	g->n_objs++;
	return 0;
}

static int add_ref(void *ctx, const char *name, char **uri)
{
	gc_state *g = ctx;
	char *canon = NULL;
	(void)name;
	/* The hit check's judgement: what it would not find in the store
	 * (another scheme, a file elsewhere) references nothing here. */
	int rc = cachet__catalog_store_ref(&canon, g->cat, *uri);
	if (rc != 0)
		return rc == CACHET_ENOMEM ? rc : 0;
	if (canon == NULL && (canon = cachet__strdup(*uri)) == NULL)
		return CACHET_ENOMEM;
	char **refs = cachet__grow(g->refs, g->n_refs, &g->cap_refs, sizeof *refs, 64);
	if (refs == NULL) {
		cachet__free(canon);
		return CACHET_ENOMEM;
	}
	g->refs = refs;
	g->refs[g->n_refs++] = canon;
	return 0;
}

static int add_refs_of(void *ctx, const void *data, size_t len)
{
	cachet_literal_map *m = NULL;
	int rc = cachet_literal_map_decode(&m, data, len, CACHET_FORMAT_PB);
	if (rc < 0)
		return cachet__error_is_ours(rc)
			       ? rc
			       : cachet__error(CACHET_ECORRUPT,
					       "cannot collect garbage: an artifact's outputs cannot be "
					       "read (%s)",
					       cachet_error_last()->message);
	rc = cachet__outputs_each_uri(m, add_ref, ctx);
	cachet_literal_map_free(m);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_ref(const gc_state *g, const char *s)
{
	return g->n_refs && bsearch(&s, g->refs, g->n_refs, sizeof *g->refs, cmp_str) != NULL;
}

/* Referenced: named itself, or a "directory" above it is. References
 * are canonical, so without a final '/'. */
static int referenced(const gc_state *g, const char *uri, bool *out)
{
	size_t len = strlen(uri), start = g->cat->store_root_len + 1;
	char *buf;

	*out = has_ref(g, uri);
	if (*out)
		return 0;
	buf = cachet__malloc(len + 1);
	if (buf == NULL)
		return CACHET_ENOMEM;
	for (size_t i = start; i < len && !*out; i++) {
		if (uri[i] != '/')
			continue;
		memcpy(buf, uri, i);
		buf[i] = '\0';
		*out = has_ref(g, buf); /* ".../dir" */
	}
	cachet__free(buf);
	return 0;
}

static int add_result(cachet_gc_result *res, size_t *cap, const object *o)
{
	if (res->n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		char **u = cachet__reallocarray(res->uris, c, sizeof *u);
		if (u == NULL)
			return CACHET_ENOMEM;
		res->uris = u;
		uint64_t *s = cachet__reallocarray(res->sizes, c, sizeof *s);
		if (s == NULL)
			return CACHET_ENOMEM;
		res->sizes = s;
		*cap = c;
	}
	res->uris[res->n] = cachet__strdup(o->uri);
	if (res->uris[res->n] == NULL)
		return CACHET_ENOMEM;
	res->sizes[res->n++] = o->size;
	res->bytes += o->size;
	return 0;
}

int cachet_catalog_gc(cachet_gc_result *out, cachet_catalog *cat, const cachet_gc_options *opts)
{
	gc_state g = {cat, NULL, 0, 0, NULL, 0, 0};
	size_t cap = 0;
	int rc;

	if (out == NULL || cat == NULL)
		return cachet__error(CACHET_EINVALID, "gc: no %s", out ? "catalog" : "result pointer");
	if ((rc = CACHET__RESULT_BEGIN(out, CACHET_GC_RESULT_VERSION, "gc result")) < 0)
		return rc;
	if (opts == NULL)
		return cachet__error(CACHET_EINVALID, "gc: no options");
	if ((rc = cachet__check_version(opts->version, CACHET_GC_OPTIONS_VERSION,
					"gc options")) < 0)
		return rc;
	if (opts->grace_ms < 0)
		return cachet__error(CACHET_EINVALID, "gc: the grace period is negative");
	if (cat->store == NULL)
		return cachet__error(CACHET_EINVALID, "gc: the catalog was opened without a store");

	int64_t cutoff = cachet__catalog_now(cat) - opts->grace_ms;
	rc = cachet_store_list(cat->store, cat->store_root, add_object, &g);
	if (rc == 0)
		rc = cat->b->each_outputs(cat->b, add_refs_of, &g);
	if (rc < 0)
		goto done;
	if (g.n_refs)
		qsort(g.refs, g.n_refs, sizeof *g.refs, cmp_str);

	for (size_t i = 0; i < g.n_objs; i++) {
		const object *o = &g.objs[i];
		bool ref = false;
		if (o->mtime_ms > cutoff) {
			out->n_kept++;
			continue;
		}
		rc = referenced(&g, o->uri, &ref);
		if (rc < 0)
			goto done;
		if (ref) {
			out->n_kept++;
			continue;
		}
		if (!opts->dry_run) {
			int d = cachet_store_delete(cat->store, o->uri);
			if (d == CACHET_ENOTFOUND)
				continue; /* someone else collected it */
			if (d < 0) {
				/* The store's message names the object and the
				 * reason already ("cannot delete '<uri>': ..."). */
				cachet__warn("%s", cachet_error_last()->message);
				out->n_failed++;
				continue;
			}
		}
		rc = add_result(out, &cap, o);
		if (rc < 0)
			goto done;
	}
	if (!opts->dry_run) {
		size_t removed = 0;
		rc = cachet_store_cleanup(cat->store, opts->grace_ms / 1000, &removed);
		if (rc < 0)
			goto done;
		out->n_temporaries = removed;
	}
done:
	for (size_t i = 0; i < g.n_objs; i++)
		cachet__free(g.objs[i].uri);
	cachet__free(g.objs);
	for (size_t i = 0; i < g.n_refs; i++)
		cachet__free(g.refs[i]);
	cachet__free(g.refs);
	if (rc < 0)
		cachet_gc_result_dispose(out);
	return rc;
}

void cachet_gc_result_dispose(cachet_gc_result *res)
{
	if (res == NULL || !cachet__version_known(res->version, CACHET_GC_RESULT_VERSION))
		return;
	for (size_t i = 0; i < res->n; i++)
		cachet__free(res->uris[i]);
	cachet__free(res->uris);
	cachet__free(res->sizes);
	CACHET__RESULT_CLEAR(res);
}
