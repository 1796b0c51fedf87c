/*
 * cachet/sys/catalog_backend.h - writing a catalog backend.
 *
 * This header is for those who implement a place for the catalog's rows
 * (PostgreSQL, say); users of a catalog need only cachet/catalog.h. cachet
 * ships two backends behind cachet_catalog_open_sqlite and
 * cachet_catalog_open_memory; cachet_catalog_open_backend opens a handle
 * over any other.
 *
 * The split: a backend stores and finds rows and keeps each operation
 * atomic (one transaction); everything else is generic and lives in the
 * catalog handle: encoding outputs, checking them against the interface
 * and the store, reservation policy (clamping, expiry), eviction policy
 * (what to evict and why), GC, explain, and the batching of hit
 * bookkeeping. So a backend has no policy to get wrong, and every backend
 * answers the same calls the same way (cachet's unit tests run one suite
 * against each of its own).
 *
 * Implement one by embedding cachet_catalog_backend first in your own
 * struct, setting version to CACHET_CATALOG_BACKEND_VERSION and filling
 * every member. Strings handed to a backend's callbacks (rows, found
 * artifacts) are borrowed: valid until the backend's next call. A handle
 * calls its backend from one thread at a time.
 *
 * Versions follow the rule of cachet/sys/store_backend.h: the library
 * accepts a table of any version from 1 to CACHET_CATALOG_BACKEND_VERSION,
 * reads only the members that version has (later members are optional
 * and marked "since version N"), and refuses newer ones. The structs the
 * library hands a backend (rows to put, queries, batches) only grow at
 * their end, so an older backend reads the part it knows; the structs a
 * backend fills (found, put outcome, listed rows) stay as they are for
 * a given table version.
 *
 *   version 1  every operation below
 */
#ifndef CACHET_SYS_CATALOG_BACKEND_H
#define CACHET_SYS_CATALOG_BACKEND_H

#include "../catalog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CACHET_CATALOG_BACKEND_VERSION 1

/* Pending counts of one task (project, domain, dataset name). */
typedef struct cachet_catalog_task_delta {
	char *project;
	char *domain;
	char *name;
	uint64_t d[CACHET_COUNTER_COUNT];
} cachet_catalog_task_delta;

/* Pending hits of one artifact. */
typedef struct cachet_catalog_hit_delta {
	int64_t ref;
	int64_t at_ms; /* the latest hit */
	uint64_t count;
} cachet_catalog_hit_delta;

/* Hit bookkeeping to write in the same transaction as an operation. */
typedef struct cachet_catalog_batch {
	const cachet_catalog_task_delta *tasks;
	size_t n_tasks;
	const cachet_catalog_hit_delta *hits;
	size_t n_hits;
} cachet_catalog_batch;

/* What a tag names, as find returns it (borrowed). */
typedef struct cachet_catalog_found {
	int64_t ref; /* the backend's id of the artifact */
	const char *artifact_id;
	int64_t created_at_ms;
	const void *outputs; /* LiteralMap, protobuf */
	size_t outputs_len;
} cachet_catalog_found;

/* A reservation to get or extend (see reserve below). */
typedef struct cachet_catalog_reserve_args {
	const char *owner;
	const char *holder;	 /* the asking process, a string to store with the
				  * row and give back (reserve's *holder); NULL:
				  * unknown */
	const char *gone_holder; /* take over a live row held by this gone process;
				  * NULL: none */
	int64_t heartbeat_ms;
	int64_t expires_at_ms;
	int64_t now_ms;
} cachet_catalog_reserve_args;

/* A new artifact. */
typedef struct cachet_catalog_put_row {
	const cachet_cache_key *key;
	const char *dataset_uuid; /* used when the dataset is created */
	const char *task_version; /* "" when unknown */
	const char *artifact_id;
	const cachet_artifact_source *source;
	const void *outputs;
	size_t outputs_len;
	const void *inputs; /* the inputs' hashes, a blob to store and give back
			     * in listed rows; NULL: none */
	size_t inputs_len;
	uint64_t size_bytes;
	int64_t now_ms;
} cachet_catalog_put_row;

typedef struct cachet_catalog_put_outcome {
	bool created;
	bool replaced;
	char artifact_id[64]; /* the artifact the tag names now */
} cachet_catalog_put_outcome;

/*
 * Which rows list returns. Every field of the filter that is set must
 * match, as cachet/catalog.h describes (task: a task or a dataset name;
 * cache_version: the dataset version's shape); limit counts rows.
 */
typedef struct cachet_catalog_query {
	const cachet_catalog_filter *filter; /* NULL: all */
	int64_t created_before; /* > 0: created_at < this */
	int64_t used_before;    /* > 0: max(created, last hit) < this */
	bool lru;               /* order by last use, oldest first */
	bool with_outputs;
	bool with_inputs;
} cachet_catalog_query;

/* One entry (a tag and its artifact) as listed; strings borrowed. */
typedef struct cachet_catalog_row {
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
} cachet_catalog_row;

/* Return 0 to go on, 1 to stop (list then returns 0), < 0 to fail. */
typedef int (*cachet_catalog_row_fn)(void *ctx, const cachet_catalog_row *row);
typedef int (*cachet_catalog_counter_fn)(void *ctx, const char *project, const char *domain,
					 const char *name, cachet_counter counter, uint64_t value);
typedef int (*cachet_catalog_usage_fn)(void *ctx, const char *project, const char *domain,
				       const char *name, uint64_t n_entries, uint64_t bytes,
				       int64_t last_hit_at_ms);
typedef int (*cachet_catalog_blob_fn)(void *ctx, const void *data, size_t len);

typedef struct cachet_catalog_backend cachet_catalog_backend;
struct cachet_catalog_backend {
	unsigned int version; /* CACHET_CATALOG_BACKEND_VERSION */
	const char *name;     /* "sqlite", "memory", "postgresql": for messages */

	/* The artifact key's tag names; CACHET_ENOTFOUND when none. */
	int (*find)(cachet_catalog_backend *b, cachet_catalog_found *out,
		    const cachet_cache_key *key);
	/*
	 * One transaction: create the dataset if absent (filling an empty
	 * task-version), then if the tag exists and !overwrite report its
	 * artifact (created false); else insert the artifact, point the tag
	 * at it, delete the artifact it replaced (replaced true), and forget
	 * the tag's eviction record. batch (may be NULL) is written too.
	 */
	int (*put)(cachet_catalog_backend *b, cachet_catalog_put_outcome *out,
		   const cachet_catalog_put_row *row, bool overwrite,
		   const cachet_catalog_batch *batch);
	/* Write batch in a transaction of its own. */
	int (*record)(cachet_catalog_backend *b, const cachet_catalog_batch *batch);
	/*
	 * One transaction, Flyte's get-or-extend: no row: insert it; a row
	 * that expired (expires_at <= now), that owner holds, or whose
	 * holder is args->gone_holder: update it to these values; else
	 * leave it. Then read the row into out (owner_id a new string) and
	 * its holder into *holder (a new string, NULL when none is
	 * recorded). *taken: owner holds it now and did not before. out
	 * arrives cleared, its version set: set its fields, never the
	 * version, and never clear the whole struct (it is the caller's, of
	 * the caller's version; see docs/design.md, "Result structs").
	 */
	int (*reserve)(cachet_catalog_backend *b, cachet_reservation *out, char **holder,
		       bool *taken, const cachet_cache_key *key,
		       const cachet_catalog_reserve_args *args, const cachet_catalog_batch *batch);
	/* Delete the reservation of key where the owner is owner. */
	int (*release)(cachet_catalog_backend *b, bool *released, const cachet_cache_key *key,
		       const char *owner, const cachet_catalog_batch *batch);
	/* Call fn for each entry q selects. */
	int (*list)(cachet_catalog_backend *b, const cachet_catalog_query *q,
		    cachet_catalog_row_fn fn, void *ctx);
	/*
	 * One transaction: delete the artifacts refs[0..n) (and their tags),
	 * recording for each tag an eviction (reason, detail may be NULL,
	 * now). deleted[i] tells whether refs[i] was still there.
	 */
	int (*evict)(cachet_catalog_backend *b, bool *deleted, const int64_t *refs, size_t n,
		     cachet_evict_reason reason, const char *detail, int64_t now_ms,
		     const cachet_catalog_batch *batch);
	/* The last eviction of key's tag; out->found false when none. out
	 * arrives cleared, its version set: set its fields only, as for
	 * reserve. */
	int (*last_eviction)(cachet_catalog_backend *b, cachet_eviction_record *out,
			     const cachet_cache_key *key);
	/* Every persisted counter that is not 0. */
	int (*counters)(cachet_catalog_backend *b, cachet_catalog_counter_fn fn, void *ctx);
	/* Entries, bytes and the last hit, per task with entries. */
	int (*usage)(cachet_catalog_backend *b, cachet_catalog_usage_fn fn, void *ctx);
	/* The outputs of every artifact (for GC). */
	int (*each_outputs)(cachet_catalog_backend *b, cachet_catalog_blob_fn fn, void *ctx);
	/* Whether writes are refused (opened or found read-only). */
	bool (*read_only)(cachet_catalog_backend *b);
	void (*free)(cachet_catalog_backend *b);
};

/*
 * Open a catalog handle over backend, which the handle owns from then on
 * (freed on failure too). opts as for cachet_catalog_open_sqlite (may be
 * NULL). A backend of a version this library does not know, or missing
 * an operation, is refused (CACHET_EINVALID).
 */
CACHET_EXTERN int cachet_catalog_open_backend(cachet_catalog **out, cachet_catalog_backend *backend,
					      const cachet_catalog_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_SYS_CATALOG_BACKEND_H */
