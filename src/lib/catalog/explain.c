/*
 * Explaining a lookup: what it would answer now, the key's last eviction,
 * and the nearest cached entries of the same task with, input by input,
 * whether the component hash differs.
 *
 * A tag is one hash over all inputs, so by itself it cannot say which
 * input changed; the per-input component hashes that put records can. The
 * dataset version "<cache version>-<in8>-<out8>" tells the rest: a
 * different cache version, input interface or output interface puts the
 * same inputs in another dataset.
 */
#include "catalog/internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"

#include <string.h>

#define DEFAULT_CANDIDATES 3

typedef struct explain_ctx {
	cachet_explanation *ex;
	const cachet_cache_key *key;
	size_t max;
} explain_ctx;

static int add_diff(cachet_explain_candidate *c, const char *name, int change, const char *run,
		    const char *entry)
{
	cachet_input_diff *d = &c->inputs[c->n_inputs];
	d->name = cachet__strdup(name);
	d->change = change;
	d->run_hash = run ? cachet__strdup(run) : NULL;
	d->entry_hash = entry ? cachet__strdup(entry) : NULL;
	c->n_inputs++;
	if (!d->name || (run && !d->run_hash) || (entry && !d->entry_hash))
		return CACHET_ENOMEM;
	if (change != CACHET_INPUT_SAME)
		c->n_changed++;
	return 0;
}

/* Both lists are sorted by name: merge them. */
static int diff_inputs(cachet_explain_candidate *c, const cachet_input_hash *run, size_t n_run)
{
	const cachet_input_hash *ent = c->entry.inputs;
	size_t n_ent = c->entry.n_inputs, i = 0, j = 0;
	int rc = 0;

	if (n_run + n_ent == 0)
		return 0;
	c->inputs = cachet__calloc(n_run + n_ent, sizeof *c->inputs);
	if (c->inputs == NULL)
		return CACHET_ENOMEM;
	while (rc == 0 && (i < n_run || j < n_ent)) {
		int cmp = i == n_run ? 1 : j == n_ent ? -1 : strcmp(run[i].name, ent[j].name);
		if (cmp < 0) {
			rc = add_diff(c, run[i].name, CACHET_INPUT_ADDED, run[i].hash, NULL);
			i++;
		} else if (cmp > 0) {
			rc = add_diff(c, ent[j].name, CACHET_INPUT_REMOVED, NULL, ent[j].hash);
			j++;
		} else {
			bool same = strcmp(run[i].hash, ent[j].hash) == 0;
			rc = add_diff(c, run[i].name, same ? CACHET_INPUT_SAME : CACHET_INPUT_CHANGED,
				      run[i].hash, ent[j].hash);
			i++;
			j++;
		}
	}
	return rc;
}

static void candidate_dispose(cachet_explain_candidate *c)
{
	for (size_t i = 0; i < c->n_inputs; i++) {
		cachet__free(c->inputs[i].name);
		cachet__free(c->inputs[i].run_hash);
		cachet__free(c->inputs[i].entry_hash);
	}
	cachet__free(c->inputs);
	cachet__entry_dispose(&c->entry);
	memset(c, 0, sizeof *c);
}

/* Negative when a is nearer than b. Without recorded inputs an entry
 * cannot be compared input by input: it ranks after those that can. */
static int nearer(const cachet_explain_candidate *a, const cachet_explain_candidate *b)
{
	if (a->same_dataset != b->same_dataset)
		return a->same_dataset ? -1 : 1;
	if (a->inputs_recorded != b->inputs_recorded)
		return a->inputs_recorded ? -1 : 1;
	if (a->n_changed != b->n_changed)
		return a->n_changed < b->n_changed ? -1 : 1;
	if (a->entry.created_at_ms != b->entry.created_at_ms)
		return a->entry.created_at_ms > b->entry.created_at_ms ? -1 : 1;
	return 0;
}

static int consider(void *ctx, const cachet_catalog_row *row)
{
	explain_ctx *ec = ctx;
	cachet_explanation *ex = ec->ex;
	cachet_explain_candidate c;
	int rc;

	memset(&c, 0, sizeof c);
	rc = cachet__entry_from_row(&c.entry, row);
	if (rc < 0)
		return rc;
	/* Hashes that cannot be decoded compare as none recorded. */
	c.inputs_recorded = c.entry.inputs_recorded;
	c.same_dataset = strcmp(row->version, ec->key->version) == 0;
	if (!c.same_dataset) {
		cachet__version_parts a, b;
		cachet__dataset_version_split(&a, ec->key->version);
		cachet__dataset_version_split(&b, row->version);
		c.cache_version_changed =
			a.cache_len != b.cache_len || memcmp(a.cache, b.cache, a.cache_len) != 0;
		c.inputs_interface_changed =
			!a.in8 || !b.in8 || memcmp(a.in8, b.in8, CACHET__SIG_LEN) != 0;
		c.outputs_interface_changed =
			!a.out8 || !b.out8 || memcmp(a.out8, b.out8, CACHET__SIG_LEN) != 0;
	}
	rc = diff_inputs(&c, ex->inputs, ex->n_inputs);
	if (rc < 0) {
		candidate_dispose(&c);
		return rc;
	}
	/* Keep the `max` nearest, sorted: insert, dropping the farthest. */
	size_t pos = ex->n_nearest;
	while (pos > 0 && nearer(&c, &ex->nearest[pos - 1]) < 0)
		pos--;
	if (pos >= ec->max) {
		candidate_dispose(&c);
		return 0;
	}
	if (ex->n_nearest == ec->max)
		candidate_dispose(&ex->nearest[--ex->n_nearest]);
	memmove(&ex->nearest[pos + 1], &ex->nearest[pos],
		(ex->n_nearest - pos) * sizeof *ex->nearest);
	ex->nearest[pos] = c;
	ex->n_nearest++;
	return 0;
}

int cachet_catalog_explain(cachet_explanation *out, cachet_catalog *cat,
			   const cachet_cache_key *key, const cachet_literal_map *inputs,
			   const cachet_explain_options *opts)
{
	cachet_lookup_result peek = CACHET_LOOKUP_RESULT_INIT;
	int rc;

	if (out == NULL || cat == NULL)
		return cachet__error(CACHET_EINVALID, "explain: no %s",
				     out ? "catalog" : "result pointer");
	if ((rc = CACHET__RESULT_BEGIN(out, CACHET_EXPLANATION_VERSION, "explanation")) < 0)
		return rc;
	out->eviction.version = CACHET_EVICTION_RECORD_VERSION;
	if (opts && (rc = cachet__check_version(opts->version, CACHET_EXPLAIN_OPTIONS_VERSION,
						"explain options")) < 0)
		return rc;
	rc = cachet__check_key(key);
	if (rc < 0)
		return rc;
	size_t max = opts && opts->max_candidates ? opts->max_candidates : DEFAULT_CANDIDATES;

	rc = cachet_input_hashes(&out->inputs, &out->n_inputs, inputs, opts ? opts->ignore : NULL,
				 opts ? opts->n_ignore : 0);
	if (rc < 0)
		goto fail;
	out->tag = cachet__strdup(key->tag);
	if (out->tag == NULL) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	rc = cachet__catalog_peek(&peek, cat, key, opts ? opts->lookup : NULL);
	if (rc < 0)
		goto fail;
	out->status = peek.status;
	out->reason = peek.reason;
	out->message = peek.message; /* handed over */
	peek.message = NULL;
	out->artifact_id = peek.artifact_id; /* handed over */
	peek.artifact_id = NULL;
	out->created_at_ms = peek.created_at_ms;
	cachet_lookup_result_dispose(&peek);

	rc = cat->b->last_eviction(cat->b, &out->eviction, key);
	if (rc < 0)
		goto fail;

	out->nearest = cachet__calloc(max, sizeof *out->nearest);
	if (out->nearest == NULL) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	cachet_catalog_filter f = CACHET_CATALOG_FILTER_INIT;
	f.project = key->project;
	f.domain = key->domain;
	f.task = key->name;
	cachet_catalog_query q = {.filter = &f, .with_inputs = true};
	explain_ctx ec = {out, key, max};
	rc = cat->b->list(cat->b, &q, consider, &ec);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	cachet_lookup_result_dispose(&peek);
	cachet_explanation_dispose(out);
	return rc;
}

void cachet_explanation_dispose(cachet_explanation *ex)
{
	if (ex == NULL || !cachet__version_known(ex->version, CACHET_EXPLANATION_VERSION))
		return;
	cachet__free(ex->message);
	cachet__free(ex->tag);
	cachet__free(ex->artifact_id);
	cachet_input_hashes_free(ex->inputs, ex->n_inputs);
	cachet_eviction_record_dispose(&ex->eviction);
	for (size_t i = 0; i < ex->n_nearest; i++)
		candidate_dispose(&ex->nearest[i]);
	cachet__free(ex->nearest);
	CACHET__RESULT_CLEAR(ex);
	ex->eviction.version = CACHET_EVICTION_RECORD_VERSION;
}
