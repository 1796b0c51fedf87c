/*
 * Internal: the catalog backend interface, a versioned table of
 * operations that a storage engine implements (SQLite in sqlite.c, memory
 * in memory.c).
 *
 * The split: a backend stores and finds rows and keeps each operation
 * atomic (one transaction); everything else is generic and lives in the
 * catalog handle: encoding outputs, checking them against the interface
 * and the store, reservation policy (clamping, expiry), eviction policy
 * (what to evict and why), GC, explain, and the batching of hit
 * bookkeeping. So a backend has no policy to get wrong, and every backend
 * answers the same calls the same way (the unit tests run one suite
 * against each).
 *
 * The interface is internal for now: it can change until a second real
 * backend has proved it. Strings handed to a backend's callbacks (rows,
 * found artifacts) are borrowed: valid until the backend's next call.
 */
#ifndef CACHET_CATALOG_BACKEND_H
#define CACHET_CATALOG_BACKEND_H

#include "cachet/catalog.h"

#define CACHET__CATALOG_BACKEND_VERSION 1

/* Pending counts of one task (project, domain, dataset name). */
typedef struct cachet__task_delta {
	char *project;
	char *domain;
	char *name;
	uint64_t d[CACHET_COUNTER_COUNT];
} cachet__task_delta;

/* Pending hits of one artifact. */
typedef struct cachet__hit_delta {
	int64_t ref;
	int64_t at_ms; /* the latest hit */
	uint64_t count;
} cachet__hit_delta;

/* Hit bookkeeping to write in the same transaction as an operation. */
typedef struct cachet__batch {
	const cachet__task_delta *tasks;
	size_t n_tasks;
	const cachet__hit_delta *hits;
	size_t n_hits;
} cachet__batch;

/* What a tag names, as find returns it (borrowed). */
typedef struct cachet__found {
	int64_t ref; /* the backend's id of the artifact */
	const char *artifact_id;
	int64_t created_at_ms;
	const void *outputs; /* LiteralMap, protobuf */
	size_t outputs_len;
} cachet__found;

/* A reservation to get or extend (see reserve below). */
typedef struct cachet__reserve_args {
	const char *owner;
	const char *holder;	 /* the asking process (holder.h); NULL: unknown */
	const char *gone_holder; /* take over a live row held by this gone process;
				  * NULL: none */
	int64_t heartbeat_ms;
	int64_t expires_at_ms;
	int64_t now_ms;
} cachet__reserve_args;

/* A new artifact. */
typedef struct cachet__put_row {
	const cachet_cache_key *key;
	const char *dataset_uuid; /* used when the dataset is created */
	const char *task_version; /* "" when unknown */
	const char *artifact_id;
	const cachet_artifact_source *source;
	const void *outputs;
	size_t outputs_len;
	const void *inputs; /* input hashes (see entry.c); NULL: none */
	size_t inputs_len;
	uint64_t size_bytes;
	int64_t now_ms;
} cachet__put_row;

typedef struct cachet__put_outcome {
	bool created;
	bool replaced;
	char artifact_id[64]; /* the artifact the tag names now */
} cachet__put_outcome;

/* Which rows list returns. */
typedef struct cachet__query {
	const cachet_catalog_filter *filter; /* NULL: all */
	int64_t created_before; /* > 0: created_at < this */
	int64_t used_before;    /* > 0: max(created, last hit) < this */
	bool lru;               /* order by last use, oldest first */
	bool with_outputs;
	bool with_inputs;
} cachet__query;

/* One entry (a tag and its artifact) as listed; strings borrowed. */
typedef struct cachet__row {
	int64_t ref;
	const char *project, *domain, *name, *version, *task_version, *tag, *artifact_id;
	const char *exec_project, *exec_domain, *execution_name, *exec_node;
	int32_t exec_attempt;
	int64_t created_at_ms, last_hit_at_ms, last_used_at_ms;
	uint64_t hit_count, size_bytes;
	const void *outputs; /* with_outputs */
	size_t outputs_len;
	const void *inputs; /* with_inputs; NULL when none were recorded */
	size_t inputs_len;
} cachet__row;

/* Return 0 to go on, 1 to stop (list then returns 0), < 0 to fail. */
typedef int (*cachet__row_fn)(void *ctx, const cachet__row *row);
typedef int (*cachet__counter_fn)(void *ctx, const char *project, const char *domain,
				  const char *name, int counter, uint64_t value);
typedef int (*cachet__usage_fn)(void *ctx, const char *project, const char *domain,
				const char *name, uint64_t n_entries, uint64_t bytes,
				int64_t last_hit_at_ms);
typedef int (*cachet__blob_fn)(void *ctx, const void *data, size_t len);

typedef struct cachet__catalog_backend cachet__catalog_backend;
struct cachet__catalog_backend {
	unsigned int version; /* CACHET__CATALOG_BACKEND_VERSION */
	const char *name;     /* "sqlite", "memory" */

	/* The artifact key's tag names; CACHET_ENOTFOUND when none. */
	int (*find)(cachet__catalog_backend *b, cachet__found *out, const cachet_cache_key *key);
	/*
	 * One transaction: create the dataset if absent (filling an empty
	 * task-version), then if the tag exists and !overwrite report its
	 * artifact (created false); else insert the artifact, point the tag
	 * at it, delete the artifact it replaced (replaced true), and forget
	 * the tag's eviction record. batch (may be NULL) is written too.
	 */
	int (*put)(cachet__catalog_backend *b, cachet__put_outcome *out, const cachet__put_row *row,
		   bool overwrite, const cachet__batch *batch);
	/* Write batch in a transaction of its own. */
	int (*record)(cachet__catalog_backend *b, const cachet__batch *batch);
	/*
	 * One transaction, Flyte's get-or-extend: no row: insert it; a row
	 * that expired (expires_at <= now), that owner holds, or whose
	 * holder is args->gone_holder: update it to these values; else
	 * leave it. Then read the row into out (owner_id a new string) and
	 * its holder into *holder (a new string, NULL when none is
	 * recorded). *taken: owner holds it now and did not before.
	 */
	int (*reserve)(cachet__catalog_backend *b, cachet_reservation *out, char **holder,
		       bool *taken, const cachet_cache_key *key, const cachet__reserve_args *args,
		       const cachet__batch *batch);
	/* Delete the reservation of key where the owner is owner. */
	int (*release)(cachet__catalog_backend *b, bool *released, const cachet_cache_key *key,
		       const char *owner, const cachet__batch *batch);
	/* Call fn for each entry q selects. */
	int (*list)(cachet__catalog_backend *b, const cachet__query *q, cachet__row_fn fn, void *ctx);
	/*
	 * One transaction: delete the artifacts refs[0..n) (and their tags),
	 * recording for each tag an eviction (reason, detail may be NULL,
	 * now). deleted[i] tells whether refs[i] was still there.
	 */
	int (*evict)(cachet__catalog_backend *b, bool *deleted, const int64_t *refs, size_t n,
		     int reason, const char *detail, int64_t now_ms, const cachet__batch *batch);
	/* The last eviction of key's tag; out->found false when none. */
	int (*last_eviction)(cachet__catalog_backend *b, cachet_eviction_record *out,
			     const cachet_cache_key *key);
	/* Every persisted counter that is not 0. */
	int (*counters)(cachet__catalog_backend *b, cachet__counter_fn fn, void *ctx);
	/* Entries, bytes and the last hit, per task with entries. */
	int (*usage)(cachet__catalog_backend *b, cachet__usage_fn fn, void *ctx);
	/* The outputs of every artifact (for GC). */
	int (*each_outputs)(cachet__catalog_backend *b, cachet__blob_fn fn, void *ctx);
	/* Whether writes are refused (opened or found read-only). */
	bool (*read_only)(cachet__catalog_backend *b);
	void (*free)(cachet__catalog_backend *b);
};

/* ---- dataset_version.c: the shape of a dataset version, for the
 * filter's cache_version (a backend matches it) and for explain ---- */

#define CACHET__SIG_LEN 8 /* characters of <in8> and <out8> */

/* A dataset version "<cache version>-<in8>-<out8>" in parts (pointers
 * into the version). */
typedef struct cachet__version_parts {
	const char *cache; /* the cache version: cache_len bytes */
	size_t cache_len;
	const char *in8, *out8; /* CACHET__SIG_LEN bytes each; NULL when not that shape */
} cachet__version_parts;

/* Split version; false (and out the whole version, in8/out8 NULL) when it
 * does not end in '-' + 8 base64url characters + '-' + 8 more. */
bool cachet__dataset_version_split(cachet__version_parts *out, const char *version);
/* Whether version is "<cache_version>-<in8>-<out8>" (the filter's
 * cache_version). */
bool cachet__dataset_version_has_cache_version(const char *version, const char *cache_version);

/* Backends. */
int cachet__catalog_sqlite_new(cachet__catalog_backend **out, const char *path, bool read_only,
			       unsigned int busy_timeout_ms);
int cachet__catalog_memory_new(cachet__catalog_backend **out);

/* For tests: let the SQLite database grow to at most `pages` pages, so
 * that the next write needing more fails as on a full disk. */
int cachet__catalog_sqlite_max_pages(cachet__catalog_backend *b, int64_t pages);

/* Open a handle over backend, which it owns from then on (freed on failure too). */
int cachet__catalog_open(cachet_catalog **out, cachet__catalog_backend *b,
			 const cachet_catalog_options *opts);

#endif
