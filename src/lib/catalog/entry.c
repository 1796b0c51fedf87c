/*
 * Entries as the public API hands them out, listing, input component
 * hashes, and artifact ids.
 *
 * The input hashes of an artifact are stored as a LiteralMap of string
 * Literals (input name -> b64url hash) in protobuf: a format cachet already
 * reads and writes, which `cachet literal convert` can show.
 */
#include "catalog/internal.h"
#include "cachet/codec.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/os.h"
#include "util/version.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* ---------------------------------------------------------------------- */
/* Artifact ids                                                           */

int cachet__uuid4(char out[37])
{
	uint8_t r[16];
	size_t got = 0;

	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cachet__error(CACHET_EIO, "cannot get random bytes: %s",
					     cachet__strerror(errno));
		}
		got += (size_t)n;
	}
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
		 r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
		 r[14], r[15]);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Input component hashes                                                 */

void cachet_input_hashes_free(cachet_input_hash *hashes, size_t n)
{
	for (size_t i = 0; hashes && i < n; i++) {
		cachet__free(hashes[i].name);
		cachet__free(hashes[i].hash);
	}
	cachet__free(hashes);
}

/* Whether the input named by the map key name (a counted string) is in
 * the list of C strings: a name holding NUL matches none, as in the key. */
static bool ignored(const char *name, const char *const *ignore, size_t n_ignore)
{
	size_t len = cachet_str_len(name);

	for (size_t i = 0; i < n_ignore; i++)
		if (ignore[i] && strlen(ignore[i]) == len && memcmp(ignore[i], name, len) == 0)
			return true;
	return false;
}

int cachet_input_hashes(cachet_input_hash **out, size_t *n, const cachet_literal_map *inputs,
			const char *const *ignore, size_t n_ignore)
{
	cachet_input_hash *h = NULL;
	size_t count = 0;
	int rc = 0;

	if (out == NULL || n == NULL)
		return cachet__error(CACHET_EINVALID, "input hashes: no output pointer");
	*out = NULL;
	*n = 0;
	if (n_ignore > 0 && ignore == NULL)
		return cachet__error(CACHET_EINVALID, "input hashes: %zu ignored inputs but no list",
				     n_ignore);
	if (inputs && inputs->n_literals > 0) {
		h = cachet__calloc(inputs->n_literals, sizeof *h);
		if (h == NULL)
			return CACHET_ENOMEM;
	}
	for (size_t i = 0; inputs && i < inputs->n_literals; i++) {
		const cachet_literal_map_entry *e = &inputs->literals[i];
		cachet_literal *hashed = NULL;
		uint8_t digest[CACHET_HASH_LEN];
		cachet_buf b = CACHET_BUF_INIT;

		if (ignored(e->key, ignore, n_ignore))
			continue;
		rc = cachet_hashify(&hashed, e->value);
		if (rc == 0)
			rc = cachet_pbhash_literal(digest, hashed);
		cachet_literal_free(hashed);
		if (rc == 0)
			rc = cachet__base64url_encode(&b, digest, sizeof digest);
		if (rc < 0) {
			cachet__buf_dispose(&b);
			if (rc != CACHET_ENOMEM) {
				char shown[CACHET__SHOW_MAX];
				cachet__error_prefix("input '%s'", cachet__bytes_show(shown, e->key,
										   cachet_str_len(e->key)));
			}
			break;
		}
		h[count].hash = cachet__buf_detach(&b, NULL);
		h[count].name = cachet__strdup(e->key);
		count++;
		if (h[count - 1].hash == NULL || h[count - 1].name == NULL) {
			rc = CACHET_ENOMEM;
			break;
		}
	}
	if (rc < 0) {
		cachet_input_hashes_free(h, count);
		return rc;
	}
	*out = h;
	*n = count;
	return 0;
}

int cachet__input_hashes_encode(char **out, size_t *len, const cachet_input_hash *h, size_t n)
{
	cachet_literal_map *m = NULL;
	int rc = cachet_literal_map_new(&m);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		cachet_literal *s = cachet_literal_new_string(h[i].hash);
		rc = s ? cachet_literal_map_set(m, h[i].name, s) : CACHET_ENOMEM;
	}
	if (rc == 0)
		rc = cachet_literal_map_encode(out, len, m, CACHET_FORMAT_PB, 0);
	cachet_literal_map_free(m);
	return rc;
}

int cachet__input_hashes_decode(cachet_input_hash **out, size_t *n, const void *data,
				size_t len)
{
	cachet_literal_map *m = NULL;
	cachet_input_hash *h = NULL;
	size_t count = 0;
	int rc = cachet_literal_map_decode(&m, data, len, CACHET_FORMAT_PB);

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	if (m->n_literals > 0 && (h = cachet__calloc(m->n_literals, sizeof *h)) == NULL)
		rc = CACHET_ENOMEM;
	for (size_t i = 0; rc == 0 && i < m->n_literals; i++) {
		const cachet_literal *v = m->literals[i].value;
		if (v == NULL || v->kind != CACHET_LITERAL_SCALAR ||
		    v->scalar->kind != CACHET_SCALAR_PRIMITIVE ||
		    v->scalar->primitive->kind != CACHET_PRIMITIVE_STRING) {
			rc = cachet__error(CACHET_ECORRUPT, "input hash of '%s' is not a string",
					   m->literals[i].key);
			break;
		}
		const char *s = v->scalar->primitive->string_value;
		h[count].name = cachet__strdup(m->literals[i].key);
		h[count].hash = cachet__strdup(s ? s : "");
		count++;
		if (!h[count - 1].name || !h[count - 1].hash)
			rc = CACHET_ENOMEM;
	}
	cachet_literal_map_free(m);
	if (rc < 0) {
		cachet_input_hashes_free(h, count);
		return rc;
	}
	*out = h;
	*n = count;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Entries                                                                */

void cachet__entry_dispose(cachet_catalog_entry *e)
{
	if (e == NULL)
		return;
	cachet__free(e->project);
	cachet__free(e->domain);
	cachet__free(e->name);
	cachet__free(e->version);
	cachet__free(e->task_version);
	cachet__free(e->tag);
	cachet__free(e->artifact_id);
	cachet__free(e->exec_project);
	cachet__free(e->exec_domain);
	cachet__free(e->execution_name);
	cachet__free(e->exec_node);
	cachet_literal_map_free(e->outputs);
	cachet_input_hashes_free(e->inputs, e->n_inputs);
	memset(e, 0, sizeof *e);
}

int cachet__entry_from_row(cachet_catalog_entry *e, const cachet_catalog_row *r)
{
	int rc = 0;

	memset(e, 0, sizeof *e);
	char **dst[] = {&e->project,	 &e->domain,	  &e->name,	    &e->version,
			&e->task_version, &e->tag,	  &e->artifact_id,  &e->exec_project,
			&e->exec_domain,	 &e->execution_name, &e->exec_node};
	const char *src[] = {r->project,	 r->domain,	  r->name,	   r->version,
			     r->task_version, r->tag,	  r->artifact_id,  r->exec_project,
			     r->exec_domain,  r->execution_name, r->exec_node};
	for (size_t i = 0; i < sizeof dst / sizeof dst[0]; i++) {
		*dst[i] = cachet__strdup(src[i] ? src[i] : "");
		if (*dst[i] == NULL) {
			rc = CACHET_ENOMEM;
			goto fail;
		}
	}
	e->exec_attempt = r->exec_attempt;
	e->created_at_ms = r->created_at_ms;
	e->last_hit_at_ms = r->last_hit_at_ms;
	e->hit_count = r->hit_count;
	e->size_bytes = r->size_bytes;
	if (r->outputs) {
		rc = cachet_literal_map_decode(&e->outputs, r->outputs, r->outputs_len,
					       CACHET_FORMAT_PB);
		if (cachet__error_is_ours(rc))
			goto fail;
		rc = 0; /* undecodable outputs: NULL, as documented */
	}
	if (r->inputs) {
		rc = cachet__input_hashes_decode(&e->inputs, &e->n_inputs, r->inputs, r->inputs_len);
		if (cachet__error_is_ours(rc))
			goto fail;
		/* Undecodable hashes: none recorded, as documented. */
		e->inputs_recorded = rc == 0;
		rc = 0;
	}
	return 0;
fail:
	cachet__entry_dispose(e);
	return rc;
}

void cachet_catalog_entries_dispose(cachet_catalog_entries *list)
{
	if (list == NULL || !cachet__version_known(list->version, CACHET_CATALOG_ENTRIES_VERSION))
		return;
	for (size_t i = 0; i < list->n; i++)
		cachet__entry_dispose(&list->entries[i]);
	cachet__free(list->entries);
	CACHET__RESULT_CLEAR(list);
}

typedef struct collect_ctx {
	cachet_catalog_entries *list;
	size_t cap;
} collect_ctx;

static int collect(void *ctx, const cachet_catalog_row *row)
{
	collect_ctx *cc = ctx;
	cachet_catalog_entries *l = cc->list;

	if (l->n == cc->cap) {
		size_t cap = cc->cap ? 2 * cc->cap : 16;
		cachet_catalog_entry *g = cachet__reallocarray(l->entries, cap, sizeof *g);
		if (g == NULL)
			return CACHET_ENOMEM;
		l->entries = g;
		cc->cap = cap;
	}
	int rc = cachet__entry_from_row(&l->entries[l->n], row);
	if (rc == 0)
		l->n++;
	return rc;
}

int cachet_catalog_list(cachet_catalog_entries *out, cachet_catalog *cat,
			const cachet_catalog_filter *filter, unsigned int flags)
{
	collect_ctx cc = {out, 0};
	int rc;

	if (out == NULL || cat == NULL)
		return cachet__error(CACHET_EINVALID, "list: no %s", out ? "catalog" : "result pointer");
	if ((rc = CACHET__RESULT_BEGIN(out, CACHET_CATALOG_ENTRIES_VERSION, "catalog entries")) < 0)
		return rc;
	if (filter && (rc = cachet__check_version(filter->version, CACHET_CATALOG_FILTER_VERSION,
						  "catalog filter")) < 0)
		return rc;
	cachet_catalog_query q = {
		.filter = filter,
		.with_outputs = (flags & CACHET_ENTRY_OUTPUTS) != 0,
		.with_inputs = (flags & CACHET_ENTRY_INPUTS) != 0,
	};
	rc = cat->b->list(cat->b, &q, collect, &cc);
	if (rc < 0)
		cachet_catalog_entries_dispose(out);
	return rc;
}
