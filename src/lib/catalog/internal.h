/*
 * Internal: the catalog handle, shared by the files of the catalog layer
 * (catalog.c: open, lookup, put, reservations; evict.c, gc.c, stats.c,
 * explain.c, entry.c; outputs.c: walking and checking output maps).
 */
#ifndef CACHET_CATALOG_INTERNAL_H
#define CACHET_CATALOG_INTERNAL_H

#include "catalog/backend.h"
#include "catalog/holder.h"

#include <sys/types.h>

#define CACHET__FLUSH_DEFAULT_MS 1000
#define CACHET__BUSY_DEFAULT_MS 5000
#define CACHET__HEARTBEAT_MAX_DEFAULT_MS 10000
#define CACHET__GRACE_DEFAULT 3
#define CACHET__PENDING_HITS_MAX 256 /* flush when this many artifacts were hit */

struct cachet_catalog {
	cachet_catalog_backend *b;
	cachet_store *store;
	const char *store_root; /* owned by the store */
	size_t store_root_len;
	bool write_through;
	int64_t flush_interval_ms;
	int64_t max_heartbeat_ms;
	int64_t grace_multiplier;
	cachet_clock_fn clock;
	void *clock_payload;
	bool flush_warned;

	/* Hit bookkeeping not yet written (see cachet_catalog_options). */
	cachet_catalog_task_delta *tasks;
	size_t n_tasks, cap_tasks;
	size_t last_task; /* where the last count went: the next one likely too */
	cachet_catalog_hit_delta *hits;
	size_t n_hits, cap_hits;
	int64_t pending_since_ms; /* 0: nothing pending */

	/* This process as a reservation holder (holder.h), "" if unknown;
	 * made for holder_pid, again after a fork. */
	char holder[CACHET__HOLDER_MAX];
	pid_t holder_pid;
};

int64_t cachet__catalog_now(cachet_catalog *cat);

/* Copy a task's names p, d, n to *project, *domain and *name: all three,
 * or none (NULL) and CACHET_ENOMEM. */
int cachet__catalog_task_names_dup(char **project, char **domain, char **name, const char *p,
				   const char *d, const char *n);
/* Add n to counter of the task (project, domain, dataset name). */
int cachet__catalog_count(cachet_catalog *cat, const char *project, const char *domain,
			  const char *name, int counter, uint64_t n);
/* The pending bookkeeping as a batch to write; clear it once written. */
void cachet__catalog_pending(cachet_catalog *cat, cachet_catalog_batch *out);
void cachet__catalog_pending_clear(cachet_catalog *cat);
/* Write pending bookkeeping if it is due (or always, with force). A
 * failure is warned about (once per handle) and returned. */
int cachet__catalog_flush_due(cachet_catalog *cat, bool force);

/* For explain: the answer a lookup would give, changing and counting
 * nothing (missing data is reported, not evicted). */
int cachet__catalog_peek(cachet_lookup_result *out, cachet_catalog *cat,
			 const cachet_cache_key *key, const cachet_lookup_options *opts);

/*
 * What the output URI uri names in the catalog's store, by the rule of
 * docs/catalog.md (the store check): 0 when it names an object or a
 * "directory" there, with *canon NULL when uri is canonical already, else
 * its canonical spelling (a new string); 1
 * with *canon NULL when the store does not judge it (no store, or another
 * scheme's URI outside the store), recorded as it is; CACHET_EINVALID,
 * with the store's message, when it is a file URI or starts with the
 * store's root but cannot name anything in the store (outside it, a ".."
 * segment, ...). The put, the hit check and GC all ask here, so they
 * agree on what an entry references.
 */
int cachet__catalog_store_ref(char **canon, const cachet_catalog *cat, const char *uri);
/*
 * Stat canon (a canonical URI in the store, from cachet__catalog_store_ref)
 * in the store: 0 and *size when it exists (a "directory", a prefix of
 * objects, counts: size is the sum of its objects when want_size, else
 * 0); CACHET_ENOTFOUND when not; another error on failure.
 */
int cachet__catalog_stat(cachet_catalog *cat, const char *canon, bool want_size, uint64_t *size);

/* ---- outputs.c ---- */

/* Called for each offloaded URI in a map (name: the top-level output),
 * with the address of the literal's URI, which fn may replace (a string
 * of cachet's allocator). fn returns 0 to go on, 1 to stop, < 0 on error. */
typedef int (*cachet__uri_fn)(void *ctx, const char *name, char **uri);
int cachet__outputs_each_uri(cachet_literal_map *map, cachet__uri_fn fn, void *ctx);
/* 0 when outputs fit the interface's outputs, else CACHET_EINVALID with
 * the first difference as message. */
int cachet__outputs_check(const cachet_literal_map *outputs, const cachet_variable_map *want);

/* ---- entry.c ---- */

/* Input hashes <-> their stored form (a LiteralMap of string Literals in
 * protobuf). */
int cachet__input_hashes_encode(char **out, size_t *len, const cachet_input_hash *h, size_t n);
int cachet__input_hashes_decode(cachet_input_hash **out, size_t *n, const void *data,
				size_t len);
/* A listed row as a public entry (all strings copied). */
int cachet__entry_from_row(cachet_catalog_entry *out, const cachet_catalog_row *row);
void cachet__entry_dispose(cachet_catalog_entry *e);
/* A new uuid4 string ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") into out. */
int cachet__uuid4(char out[37]);
/* Check a cache key's fields are set; CACHET_EINVALID naming the first missing. */
int cachet__check_key(const cachet_cache_key *key);

#endif
