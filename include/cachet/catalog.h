/*
 * cachet/catalog.h - the catalog: which outputs a task produced for which
 * inputs, in Flyte's data-catalog model.
 *
 * Records, as in Flyte's datacatalog:
 *   dataset      (project, domain, name, version) + a uuid; metadata
 *                "task-version". The name and version are those of a
 *                cachet_cache_key: "flyte_task-<task>", "<cache version>-<in8>-<out8>".
 *   artifact     a dataset's cached outputs (a LiteralMap, stored as its
 *                protobuf bytes) under a fresh uuid, where they came from
 *                (execution project/domain/name/node/attempt), when they were
 *                created and last hit, the bytes of offloaded data they
 *                reference, and the per-input component hashes of the run
 *                that produced them (for cachet_catalog_explain).
 *   tag          dataset + tag name ("flyte_cached-...") -> artifact.
 *   reservation  dataset + tag name -> owner, heartbeat, expiry (cache
 *                serialization: one of many identical runs computes).
 *   counters     per task (project, domain, dataset name) and in total.
 *
 * A catalog is opened on a backend: SQLite (the default, a file in the
 * cachet home, safe for many processes on one machine) or memory (one
 * process, for tests). Every backend answers the same calls the same way.
 * Writing another backend is described in cachet/sys/catalog_backend.h.
 *
 * Statuses are Flyte's CatalogCacheStatus values. The catalog never makes
 * a run fail: a lookup that cannot be answered is CACHE_LOOKUP_FAILURE (run
 * the task uncached), a put that cannot be stored is CACHE_PUT_FAILURE (the
 * run's result stands).
 *
 * Times are milliseconds since the Unix epoch (UTC). A handle may be used
 * by one thread at a time; open one handle per thread.
 */
#ifndef CACHET_CATALOG_H
#define CACHET_CATALOG_H

#include "key.h"
#include "store.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cachet_catalog cachet_catalog;

/* ---------------------------------------------------------------------- */
/* Statuses and reasons                                                   */

/* Flyte's CatalogCacheStatus, same numbers. */
typedef enum cachet_cache_status {
	CACHET_CACHE_DISABLED = 0,
	CACHET_CACHE_MISS = 1,
	CACHET_CACHE_HIT = 2,
	CACHET_CACHE_POPULATED = 3,
	CACHET_CACHE_LOOKUP_FAILURE = 4,
	CACHET_CACHE_PUT_FAILURE = 5,
	CACHET_CACHE_SKIPPED = 6,
	CACHET_CACHE_EVICTED = 7
} cachet_cache_status;

/* Flyte's name: "CACHE_HIT", "CACHE_MISS", ...; "CACHE_UNKNOWN" otherwise. */
CACHET_EXTERN const char *cachet_cache_status_name(int status);

/* Why a lookup did not hit. */
typedef enum cachet_miss_reason {
	CACHET_MISS_NONE = 0,               /* it hit */
	CACHET_MISS_NOT_FOUND = 1,          /* no entry under this dataset and tag */
	CACHET_MISS_EXPIRED = 2,            /* the entry is older than the maximum age */
	CACHET_MISS_MISSING_DATA = 3,       /* an offloaded output is gone: entry evicted */
	CACHET_MISS_INTERFACE_MISMATCH = 4, /* outputs do not fit the interface (LOOKUP_FAILURE) */
	CACHET_MISS_CORRUPT_ENTRY = 5,      /* stored outputs unreadable (LOOKUP_FAILURE) */
	CACHET_MISS_CATALOG_ERROR = 6,      /* the catalog or the store failed (LOOKUP_FAILURE) */
	CACHET_MISS_RESERVED = 7            /* get_or_reserve gave up waiting for another owner */
} cachet_miss_reason;

/* "not-found", "expired", "missing-data", ... ("none" for 0). */
CACHET_EXTERN const char *cachet_miss_reason_name(int reason);

/* Why an entry was evicted. */
typedef enum cachet_evict_reason {
	CACHET_EVICT_NONE = 0,
	CACHET_EVICT_TAG = 1,          /* asked for by tag (or artifact id) */
	CACHET_EVICT_TASK = 2,         /* asked for by task, version or project */
	CACHET_EVICT_AGE = 3,          /* older than asked / unused for longer than asked */
	CACHET_EVICT_SIZE = 4,         /* the size limit, least recently hit first */
	CACHET_EVICT_MISSING_DATA = 5, /* a lookup found an offloaded output gone */
	CACHET_EVICT_REASON_COUNT = 6
} cachet_evict_reason;

/* "tag", "task", "age", "size", "missing-data" ("none" for 0). */
CACHET_EXTERN const char *cachet_evict_reason_name(int reason);

/* ---------------------------------------------------------------------- */
/* Opening                                                                */

typedef int64_t (*cachet_clock_fn)(void *payload); /* ms since the epoch */

typedef struct cachet_catalog_options {
	unsigned int version;
	/*
	 * The store that offloaded outputs live in (not owned; it must
	 * outlive the handle). Hits are checked against it for missing data,
	 * puts measure their outputs in it, GC cleans it. URIs outside its
	 * root are not judged. NULL: no checks, sizes 0, no GC.
	 */
	cachet_store *store;
	/* Open an existing catalog for reading only: puts, reservations and
	 * evictions fail. A catalog the process cannot write is opened this
	 * way on its own (and puts turn into PUT_FAILURE). */
	bool read_only;
	/*
	 * Hit bookkeeping (last hit time, hit counts, counters) is kept in
	 * the handle and written in one transaction at most every
	 * flush_interval_ms (0: 1000), by any write, and by flush/free, so a
	 * hit costs no write. write_through: write it with every lookup.
	 * Counters of a process that dies before a flush are lost; entries
	 * never are.
	 */
	unsigned int flush_interval_ms;
	bool write_through;
	/* How long to wait for another process's write (0: 5000 ms). */
	unsigned int busy_timeout_ms;
	/* Reservations: the longest heartbeat granted (0: 10000 ms) and the
	 * number of heartbeats a reservation outlives (0: 3). */
	int64_t max_heartbeat_ms;
	unsigned int grace_multiplier;
	/* The clock (ms since the epoch); NULL: the real time. For tests. */
	cachet_clock_fn clock;
	void *clock_payload;
} cachet_catalog_options;

#define CACHET_CATALOG_OPTIONS_VERSION 1
#define CACHET_CATALOG_OPTIONS_INIT                                                    \
	{CACHET_CATALOG_OPTIONS_VERSION, NULL, false, 0, false, 0, 0, 0, NULL, NULL}

/*
 * Open (creating if absent, unless read_only) the SQLite catalog at path,
 * conventionally the home's (cachet_home_catalog_path). The directory must exist. An older
 * schema is migrated forward; a file that is not a cachet catalog, is
 * damaged (CACHET_ECORRUPT) or has a newer schema than this cachet knows
 * (CACHET_EUNSUPPORTED) is refused and left untouched. opts may be NULL.
 *
 * A catalog decides what is a hit, so one another user could have written
 * is refused (CACHET_EUNSAFE), also read-only, and left untouched: the
 * catalog, its -wal, -shm and -journal files and the directory holding
 * them must belong to the user (or root) and be writable by neither group
 * nor others, and the catalog must not be a symbolic link. A new catalog
 * is created 0600 whatever the umask (SQLite gives its -wal and -shm the
 * same mode). See docs/security.md.
 */
CACHET_EXTERN int cachet_catalog_open_sqlite(cachet_catalog **out, const char *path,
					     const cachet_catalog_options *opts);

/* A catalog in this process's memory, empty, gone when freed. For tests
 * and for one-shot runs that want a cache within one process. */
CACHET_EXTERN int cachet_catalog_open_memory(cachet_catalog **out,
					     const cachet_catalog_options *opts);

/*
 * Open the PostgreSQL catalog conninfo names: a libpq URI
 * ("postgres://user@host:5432/db?sslmode=require") or key=value string
 * ("host=db.example dbname=cachet"), so that PGHOST, PGPASSFILE,
 * service files and the rest work as libpq users expect. One connection
 * for the handle, opened now and again by the next call after it broke.
 * An empty database gets the schema; an older one is migrated forward;
 * a newer one is refused (CACHET_EUNSUPPORTED). A server that cannot be
 * reached is CACHET_EIO. Messages show conninfo without its password.
 * See docs/catalog.md. opts may be NULL.
 */
CACHET_EXTERN int cachet_catalog_open_postgres(cachet_catalog **out, const char *conninfo,
					       const cachet_catalog_options *opts);

/*
 * Open the catalog url names: "sqlite:///path/catalog.db" or a plain
 * path (cachet_catalog_open_sqlite), "postgres://...",
 * "postgresql://..." or a libpq "key=value" string
 * (cachet_catalog_open_postgres). Another scheme is CACHET_EINVALID.
 */
CACHET_EXTERN int cachet_catalog_open_url(cachet_catalog **out, const char *url,
					  const cachet_catalog_options *opts);

/*
 * url as it may be shown: a password in the user info, in a "password="
 * parameter or a "password=" key replaced by "***"
 * ("postgres://u:secret@h/db" -> "postgres://u:***@h/db"). *out is a new
 * string (cachet_free).
 */
CACHET_EXTERN int cachet_catalog_url_redact(char **out, const char *url);

/* Write pending hit bookkeeping now. */
CACHET_EXTERN int cachet_catalog_flush(cachet_catalog *cat);

/* Flush (errors go to the warning handler) and close. NULL is a no-op. */
CACHET_EXTERN void cachet_catalog_free(cachet_catalog *cat);

/* "sqlite", "postgresql", "memory", or the name another backend gives
 * itself. */
CACHET_EXTERN const char *cachet_catalog_backend_name(const cachet_catalog *cat);

/* ---------------------------------------------------------------------- */
/* Lookup                                                                 */

typedef struct cachet_lookup_options {
	unsigned int version;
	/* Entries created longer ago than this are misses (EXPIRED); 0: no
	 * limit. */
	int64_t max_age_ms;
	/* The task's interface: a hit's outputs must have exactly its output
	 * names, each of a fitting kind, else LOOKUP_FAILURE. NULL: no check. */
	const cachet_interface *iface;
} cachet_lookup_options;

#define CACHET_LOOKUP_OPTIONS_VERSION 1
#define CACHET_LOOKUP_OPTIONS_INIT {CACHET_LOOKUP_OPTIONS_VERSION, 0, NULL}

/*
 * Results the caller allocates start with a version, set from the header
 * it was compiled against by the _INIT macro, as options do: the library
 * writes only the fields that version has (docs/design.md, "Result
 * structs"). A result whose version the library does not know is refused
 * with CACHET_EINVALID and left untouched; its _dispose does nothing.
 */
typedef struct cachet_lookup_result {
	unsigned int version;
	cachet_cache_status status; /* HIT, MISS or LOOKUP_FAILURE */
	cachet_miss_reason reason;  /* NONE on a hit */
	char *message; /* why not a hit, one line; NULL on a hit */
	/* On a hit: the outputs (owned by the result). */
	cachet_literal_map *outputs;
	/* When an entry was found (hit, expired, mismatched): its artifact. */
	char *artifact_id;
	int64_t created_at_ms;
	/* cachet_catalog_get_or_reserve only: */
	bool reserved; /* a miss, and the caller holds the reservation: compute,
			  put, then release */
	bool waited;   /* it waited for another owner first */
} cachet_lookup_result;

#define CACHET_LOOKUP_RESULT_VERSION 1
#define CACHET_LOOKUP_RESULT_INIT                                                      \
	{CACHET_LOOKUP_RESULT_VERSION, CACHET_CACHE_DISABLED, CACHET_MISS_NONE, NULL, NULL, \
	 NULL, 0, false, false}

/*
 * Look up key (dataset id + tag; the key's strings must be set).
 *
 * Returns 0 when the catalog answered: out->status is HIT (outputs set),
 * MISS (reason NOT_FOUND, EXPIRED or MISSING_DATA), or LOOKUP_FAILURE for
 * an entry that does not fit the interface or cannot be decoded. Before a
 * hit, every offloaded URI in the outputs (blobs, datasets, schemas,
 * offloaded literals, at any depth) is stat'ed in the store; one that is
 * gone evicts the entry (reason missing-data, recorded) and the lookup is a
 * miss. Returns a negative code when the catalog or the store failed; then
 * too out->status is LOOKUP_FAILURE (reason CATALOG_ERROR) and
 * out->message the error, so a caller may look at the status only.
 * Counts one hit, miss or lookup failure for the task. opts may be NULL.
 * out starts as CACHET_LOOKUP_RESULT_INIT (or a disposed result); a
 * version the library does not know is refused (CACHET_EINVALID) and out
 * left as it was. Release out with cachet_lookup_result_dispose, whatever
 * the return.
 */
CACHET_EXTERN int cachet_catalog_lookup(cachet_lookup_result *out, cachet_catalog *cat,
					const cachet_cache_key *key,
					const cachet_lookup_options *opts);

CACHET_EXTERN void cachet_lookup_result_dispose(cachet_lookup_result *res);

/* ---------------------------------------------------------------------- */
/* Put                                                                    */

/* Where an artifact came from (Flyte's artifact metadata). Any may be NULL. */
typedef struct cachet_artifact_source {
	const char *exec_project;
	const char *exec_domain;
	const char *execution_name;
	const char *exec_node;
	int32_t exec_attempt;
} cachet_artifact_source;

typedef struct cachet_put_options {
	unsigned int version;
	/* Point the tag at the new artifact even when it names one already
	 * (Flyte's overwrite-cache); the old artifact is deleted. Without it,
	 * an existing entry is kept and the put reports it (created false). */
	bool overwrite;
	/* The dataset's "task-version" metadata (the code version); NULL: "". */
	const char *task_version;
	const cachet_artifact_source *source; /* NULL: none recorded */
	/*
	 * The run's inputs, to record each input's component hash (b64url of
	 * pbhash(hashify(input))) for cachet_catalog_explain. Inputs in
	 * ignore are left out, as they are from the tag. NULL: none recorded
	 * (an empty map records "no inputs").
	 */
	const cachet_literal_map *inputs;
	const char *const *ignore;
	size_t n_ignore;
	/*
	 * The task's interface: the outputs must have exactly its output
	 * names, each of a fitting kind (the check a lookup with this
	 * interface makes), else the put is a PUT_FAILURE and nothing is
	 * stored, so that no entry can be put that a lookup would refuse.
	 * NULL: no check.
	 */
	const cachet_interface *iface;
} cachet_put_options;

/* 2: the source is held by pointer, so that it can grow on its own. */
#define CACHET_PUT_OPTIONS_VERSION 2
#define CACHET_PUT_OPTIONS_INIT {CACHET_PUT_OPTIONS_VERSION, false, NULL, NULL, NULL, NULL, 0, NULL}

typedef struct cachet_put_result {
	unsigned int version;
	cachet_cache_status status; /* POPULATED or PUT_FAILURE */
	char *message;     /* on PUT_FAILURE: why */
	char *artifact_id; /* the artifact the tag names now */
	bool created;      /* a new artifact was stored */
	bool replaced;     /* overwrite: an older artifact was replaced */
} cachet_put_result;

#define CACHET_PUT_RESULT_VERSION 1
#define CACHET_PUT_RESULT_INIT                                                         \
	{CACHET_PUT_RESULT_VERSION, CACHET_CACHE_DISABLED, NULL, NULL, false, false}

/*
 * Store outputs under key: dataset (created if absent), artifact and tag
 * in one transaction, so that a crash leaves the tag on a complete artifact
 * or on nothing. With opts->iface, the outputs must fit its outputs
 * (CACHET_EINVALID, "the outputs do not fit the interface: output 'n'
 * ..."). With a store, every offloaded URI in outputs must exist in it
 * (the store made it durable before this call); their sizes are summed
 * into the artifact's size. Returns 0 with status POPULATED, or a negative
 * code with status PUT_FAILURE and out->message (outputs that do not fit,
 * a read-only or full catalog, a missing offloaded object, ...); lookups
 * keep working either way. Counts populated or put_failures. opts may be
 * NULL. out starts as CACHET_PUT_RESULT_INIT. Release out with
 * cachet_put_result_dispose, whatever the return.
 */
CACHET_EXTERN int cachet_catalog_put(cachet_put_result *out, cachet_catalog *cat,
				     const cachet_cache_key *key,
				     const cachet_literal_map *outputs,
				     const cachet_put_options *opts);

CACHET_EXTERN void cachet_put_result_dispose(cachet_put_result *res);

/* ---------------------------------------------------------------------- */
/* Reservations (cache serialization), with Flyte's semantics             */

typedef struct cachet_reservation {
	unsigned int version;
	bool acquired;         /* the caller holds it (owner_id is the caller) */
	char *owner_id;        /* who holds it */
	int64_t heartbeat_ms;  /* the granted heartbeat interval */
	int64_t expires_at_ms; /* when it lapses unless extended */
} cachet_reservation;

#define CACHET_RESERVATION_VERSION 1
#define CACHET_RESERVATION_INIT {CACHET_RESERVATION_VERSION, false, NULL, 0, 0}

/*
 * Get or extend the reservation of key for owner (unique per execution
 * attempt). heartbeat_ms is clamped to (0, max_heartbeat_ms]; the
 * reservation expires heartbeat × grace_multiplier from now. No
 * reservation: the caller gets it. One that expired, or that the caller
 * holds: taken over / extended. Another owner's live one: returned
 * unchanged (acquired false): wait, poll for the artifact, ask again.
 * Correct across processes sharing the catalog. Counts acquired when the
 * caller newly holds it. out starts as CACHET_RESERVATION_INIT. Release
 * out with cachet_reservation_dispose.
 *
 * The reservation also records the process that holds it (its pid and
 * start time, the boot id, pid namespace and host name). Another owner's
 * live reservation whose process ran on this machine, in this boot and
 * pid namespace, and no longer exists (killed before it could release) is
 * taken over at once rather than when it lapses. A holder on another
 * machine, boot or container is never judged: its reservation lapses.
 */
CACHET_EXTERN int cachet_catalog_reserve(cachet_reservation *out, cachet_catalog *cat,
					 const cachet_cache_key *key, const char *owner,
					 int64_t heartbeat_ms);

/* Release owner's reservation of key. Releasing one that is not there (or
 * not owner's) succeeds and changes nothing. Counts released when one was. */
CACHET_EXTERN int cachet_catalog_release(cachet_catalog *cat, const cachet_cache_key *key,
					 const char *owner);

CACHET_EXTERN void cachet_reservation_dispose(cachet_reservation *res);

typedef struct cachet_serialize_options {
	unsigned int version;
	const char *owner;     /* required: unique per execution attempt */
	int64_t heartbeat_ms;  /* requested heartbeat (0: max_heartbeat_ms) */
	int64_t poll_ms;       /* between looks while waiting (0: 100) */
	int64_t wait_limit_ms; /* give up waiting after this (0: never) */
} cachet_serialize_options;

#define CACHET_SERIALIZE_OPTIONS_VERSION 1
#define CACHET_SERIALIZE_OPTIONS_INIT {CACHET_SERIALIZE_OPTIONS_VERSION, NULL, 0, 0, 0}

/*
 * Cache serialization in one call: look up key; on a miss, reserve it; if
 * another owner holds it, wait (polling every poll_ms) until its artifact
 * hits or its reservation lapses, and ask again. Having got the
 * reservation it looks up once more (another owner may have put and
 * released in between); a hit then releases it. Returns like
 * cachet_catalog_lookup, with out->reserved set when the caller got the
 * reservation (status MISS): it then computes, puts, and releases. After
 * wait_limit_ms: status MISS, reason RESERVED, reserved false: run
 * uncached. Counts one hit/miss/failure however long it waited, plus one
 * reservation wait if it waited.
 */
CACHET_EXTERN int cachet_catalog_get_or_reserve(cachet_lookup_result *out, cachet_catalog *cat,
						const cachet_cache_key *key,
						const cachet_lookup_options *lookup,
						const cachet_serialize_options *opts);

/* ---------------------------------------------------------------------- */
/* Listing and reading entries                                            */

/* One input's component hash: b64url(pbhash(hashify(input))), 43 chars. */
typedef struct cachet_input_hash {
	char *name;
	char *hash;
} cachet_input_hash;

/* One cached entry: a tag and the artifact it names. All strings owned. */
typedef struct cachet_catalog_entry {
	char *project;
	char *domain;
	char *name;    /* dataset name: "flyte_task-<task>" */
	char *version; /* dataset version: "<cache version>-<in8>-<out8>" */
	char *task_version;
	char *tag;
	char *artifact_id;
	char *exec_project;
	char *exec_domain;
	char *execution_name;
	char *exec_node;
	int32_t exec_attempt;
	int64_t created_at_ms;
	int64_t last_hit_at_ms; /* 0: never hit */
	uint64_t hit_count;
	uint64_t size_bytes; /* offloaded data referenced */
	/* With CACHET_ENTRY_OUTPUTS: the outputs (NULL if they cannot be
	 * decoded); with CACHET_ENTRY_INPUTS: the input component hashes,
	 * sorted by name. */
	cachet_literal_map *outputs;
	cachet_input_hash *inputs;
	size_t n_inputs;
	/* With CACHET_ENTRY_INPUTS: whether the put recorded the inputs'
	 * hashes, so that n_inputs 0 can mean "no inputs" (true) or "none
	 * recorded" (false: a put without inputs, or hashes that cannot be
	 * decoded). False without CACHET_ENTRY_INPUTS. */
	bool inputs_recorded;
} cachet_catalog_entry;

#define CACHET_ENTRY_OUTPUTS 0x1u
#define CACHET_ENTRY_INPUTS 0x2u

/* Which entries. Every field set must match (NULL/0: any). */
typedef struct cachet_catalog_filter {
	unsigned int version;
	const char *project;
	const char *domain;
	/* A task name ("bar") or a dataset name ("flyte_task-bar"). */
	const char *task;
	const char *dataset_version;
	const char *tag;
	const char *artifact_id;
	size_t limit; /* at most this many (0: all) */
	/*
	 * A cache version ("1.0"): the datasets whose version is
	 * "<cache version>-<in8>-<out8>", that is the cache version, '-', and
	 * exactly two 8-character base64url signatures joined by '-' (every
	 * interface the task had under that cache version; "1.0" does not
	 * match "1.0.1-..." nor "1.0-x-..."). With dataset_version, both must
	 * match.
	 */
	const char *cache_version;
} cachet_catalog_filter;

#define CACHET_CATALOG_FILTER_VERSION 1
#define CACHET_CATALOG_FILTER_INIT                                                     \
	{CACHET_CATALOG_FILTER_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL}

/*
 * A list of entries. cachet_catalog_entry is laid out by the list's
 * version: an entry grows only with a new list version (the array's
 * stride is the caller's).
 */
typedef struct cachet_catalog_entries {
	unsigned int version;
	cachet_catalog_entry *entries;
	size_t n;
} cachet_catalog_entries;

#define CACHET_CATALOG_ENTRIES_VERSION 1
#define CACHET_CATALOG_ENTRIES_INIT {CACHET_CATALOG_ENTRIES_VERSION, NULL, 0}

/*
 * The entries that match filter (NULL: all), ordered by project, domain,
 * name, version, then newest first. flags: CACHET_ENTRY_OUTPUTS,
 * CACHET_ENTRY_INPUTS. `cache ls` lists; `cache show TAG|ID` is a filter on
 * tag or artifact_id (a tag may name entries of several tasks). No
 * counters change. out starts as CACHET_CATALOG_ENTRIES_INIT. Release out
 * with cachet_catalog_entries_dispose.
 */
CACHET_EXTERN int cachet_catalog_list(cachet_catalog_entries *out, cachet_catalog *cat,
				      const cachet_catalog_filter *filter, unsigned int flags);

CACHET_EXTERN void cachet_catalog_entries_dispose(cachet_catalog_entries *list);

/* ---------------------------------------------------------------------- */
/* Eviction                                                               */

typedef struct cachet_evict_options {
	unsigned int version;
	/* Which entries may go: every field set must match (NULL: no
	 * filter). Nothing set (and all false) is refused, so that a slip
	 * does not empty the cache. */
	const cachet_catalog_filter *filter;
	bool all;
	/* Only entries created more than older_than_ms ago (0: any). */
	int64_t older_than_ms;
	/* Only entries neither created nor hit within unused_for_ms (0: any). */
	int64_t unused_for_ms;
	/* With a size limit: of the matching entries, evict the least
	 * recently hit (or created) until the offloaded bytes that all entries
	 * reference are at most max_bytes. */
	bool size_limit;
	uint64_t max_bytes;
	/* List what would go, change nothing. */
	bool dry_run;
} cachet_evict_options;

/* 3: the filter is held by pointer, so that it can grow on its own. */
#define CACHET_EVICT_OPTIONS_VERSION 3
#define CACHET_EVICT_OPTIONS_INIT                                                      \
	{CACHET_EVICT_OPTIONS_VERSION, NULL, false, 0, 0, false, 0, false}

typedef struct cachet_evict_result {
	unsigned int version;
	cachet_evict_reason reason;     /* the reason recorded */
	/* What went (or would go), no outputs. Part of this struct's layout:
	 * the library sets its version, the one this result's version holds. */
	cachet_catalog_entries evicted;
	uint64_t bytes;                 /* offloaded bytes they referenced */
	uint64_t bytes_remaining;       /* referenced by all entries afterwards */
} cachet_evict_result;

#define CACHET_EVICT_RESULT_VERSION 1
#define CACHET_EVICT_RESULT_INIT                                                       \
	{CACHET_EVICT_RESULT_VERSION, CACHET_EVICT_NONE, CACHET_CATALOG_ENTRIES_INIT, 0, 0}

/*
 * Evict the entries opts selects (tags and artifacts deleted; the
 * offloaded data stays for cachet_catalog_gc). The reason recorded is
 * SIZE with a size limit, else AGE with an age, else TAG with a tag or
 * artifact id, else TASK. Each evicted tag keeps a record (reason, time)
 * for cachet_catalog_last_eviction; counters count evictions per reason.
 * out starts as CACHET_EVICT_RESULT_INIT. Release out with
 * cachet_evict_result_dispose.
 */
CACHET_EXTERN int cachet_catalog_evict(cachet_evict_result *out, cachet_catalog *cat,
				       const cachet_evict_options *opts);

CACHET_EXTERN void cachet_evict_result_dispose(cachet_evict_result *res);

/* The last eviction of a tag of a dataset. */
typedef struct cachet_eviction_record {
	unsigned int version;
	bool found;  /* false: never evicted (or put again since) */
	cachet_evict_reason reason;
	int64_t at_ms;
	char *artifact_id;
	char *detail; /* e.g. the missing URI; may be NULL */
} cachet_eviction_record;

#define CACHET_EVICTION_RECORD_VERSION 1
#define CACHET_EVICTION_RECORD_INIT                                                    \
	{CACHET_EVICTION_RECORD_VERSION, false, CACHET_EVICT_NONE, 0, NULL, NULL}

/* out starts as CACHET_EVICTION_RECORD_INIT. Release it with
 * cachet_eviction_record_dispose. */
CACHET_EXTERN int cachet_catalog_last_eviction(cachet_eviction_record *out, cachet_catalog *cat,
					       const cachet_cache_key *key);
CACHET_EXTERN void cachet_eviction_record_dispose(cachet_eviction_record *rec);

/* ---------------------------------------------------------------------- */
/* Garbage collection of the store                                        */

#define CACHET_GC_DEFAULT_GRACE_MS (24 * 3600 * 1000LL)

typedef struct cachet_gc_options {
	unsigned int version;
	/* Objects modified within this span are kept, referenced or not: a
	 * run still writing (or not yet put) must not be robbed. */
	int64_t grace_ms;
	bool dry_run; /* list, delete nothing */
} cachet_gc_options;

#define CACHET_GC_OPTIONS_VERSION 1
#define CACHET_GC_OPTIONS_INIT {CACHET_GC_OPTIONS_VERSION, CACHET_GC_DEFAULT_GRACE_MS, false}

typedef struct cachet_gc_result {
	unsigned int version;
	char **uris; /* deleted (or, dry run, to delete), in listing order */
	uint64_t *sizes;
	size_t n;
	uint64_t bytes;
	size_t n_kept;   /* objects referenced or within the grace period */
	size_t n_failed; /* deletions that failed (each warned about) */
	size_t n_temporaries; /* leftovers of interrupted writes removed */
} cachet_gc_result;

#define CACHET_GC_RESULT_VERSION 1
#define CACHET_GC_RESULT_INIT {CACHET_GC_RESULT_VERSION, NULL, NULL, 0, 0, 0, 0, 0}

/*
 * Delete the store's objects that no entry references (an object is
 * referenced when an output URI names it or a directory above it) and
 * that were last modified longer ago than the grace period, then the
 * store's leftovers of interrupted writes older than it. Needs the
 * catalog's store (CACHET_EINVALID without). A deletion that fails is
 * warned about and counted; the others go on. out starts as
 * CACHET_GC_RESULT_INIT. Release out with cachet_gc_result_dispose.
 */
CACHET_EXTERN int cachet_catalog_gc(cachet_gc_result *out, cachet_catalog *cat,
				    const cachet_gc_options *opts);

CACHET_EXTERN void cachet_gc_result_dispose(cachet_gc_result *res);

/* ---------------------------------------------------------------------- */
/* Counters and statistics                                                */

typedef enum cachet_counter {
	CACHET_COUNTER_HITS = 0,
	CACHET_COUNTER_MISSES = 1,
	CACHET_COUNTER_POPULATED = 2,
	CACHET_COUNTER_LOOKUP_FAILURES = 3,
	CACHET_COUNTER_PUT_FAILURES = 4,
	CACHET_COUNTER_EVICTED_TAG = 5, /* evictions, one per reason */
	CACHET_COUNTER_EVICTED_TASK = 6,
	CACHET_COUNTER_EVICTED_AGE = 7,
	CACHET_COUNTER_EVICTED_SIZE = 8,
	CACHET_COUNTER_EVICTED_MISSING_DATA = 9,
	CACHET_COUNTER_RESERVATIONS_ACQUIRED = 10,
	CACHET_COUNTER_RESERVATIONS_WAITED = 11,
	CACHET_COUNTER_RESERVATIONS_RELEASED = 12,
	CACHET_COUNTER_COUNT = 13
} cachet_counter;

/* "hits", "misses", "populated", "lookup_failures", "put_failures",
 * "evicted_tag", ..., "reservations_released"; NULL out of range. Stable:
 * metric names are built from them. */
CACHET_EXTERN const char *cachet_counter_name(int counter);

/* The counter of evictions for a cachet_evict_reason (-1 for NONE). */
CACHET_EXTERN int cachet_counter_for_eviction(int reason);

typedef struct cachet_task_stats {
	char *project; /* NULL in the total */
	char *domain;
	char *name; /* dataset name: "flyte_task-<task>" */
	uint64_t counters[CACHET_COUNTER_COUNT];
	uint64_t n_entries;     /* entries cached now */
	uint64_t bytes;         /* offloaded bytes they reference */
	int64_t last_hit_at_ms; /* 0: never */
} cachet_task_stats;

/* cachet_task_stats is laid out by this struct's version (it is held
 * inline and in an array): it grows only with a new stats version. */
typedef struct cachet_catalog_stats {
	unsigned int version;
	cachet_task_stats *tasks; /* sorted by project, domain, name */
	size_t n_tasks;
	cachet_task_stats total; /* sums (last_hit: the latest) */
} cachet_catalog_stats;

#define CACHET_CATALOG_STATS_VERSION 1
#define CACHET_CATALOG_STATS_INIT                                                      \
	{CACHET_CATALOG_STATS_VERSION, NULL, 0, {NULL, NULL, NULL, {0}, 0, 0, 0}}

/*
 * Counters and sizes per task (every task with entries or counts) and in
 * total, this handle's pending counts flushed first. Other processes'
 * unflushed counts are not seen. out starts as CACHET_CATALOG_STATS_INIT.
 * Release out with cachet_catalog_stats_dispose.
 */
CACHET_EXTERN int cachet_catalog_stats_get(cachet_catalog_stats *out, cachet_catalog *cat);
CACHET_EXTERN void cachet_catalog_stats_dispose(cachet_catalog_stats *stats);

/* ---------------------------------------------------------------------- */
/* Explaining a miss                                                      */

/* How one input compares with a cached entry's. */
typedef enum cachet_input_change {
	CACHET_INPUT_SAME = 0,
	CACHET_INPUT_CHANGED = 1, /* both have it, different hashes */
	CACHET_INPUT_ADDED = 2,   /* only this run has it */
	CACHET_INPUT_REMOVED = 3  /* only the entry has it */
} cachet_input_change;

typedef struct cachet_input_diff {
	char *name;
	cachet_input_change change;
	char *run_hash;   /* NULL when REMOVED */
	char *entry_hash; /* NULL when ADDED */
} cachet_input_diff;

/* A cached entry of the same task, and how it differs from this run. */
typedef struct cachet_explain_candidate {
	cachet_catalog_entry entry; /* with its input hashes */
	bool same_dataset;          /* same dataset version as this run */
	/* Parts of the dataset version that differ (when !same_dataset). */
	bool cache_version_changed;
	bool inputs_interface_changed;
	bool outputs_interface_changed;
	bool inputs_recorded;  /* = entry.inputs_recorded (false: nothing to compare) */
	cachet_input_diff *inputs; /* every input of either side, by name */
	size_t n_inputs;
	size_t n_changed; /* inputs not SAME */
} cachet_explain_candidate;

/* The candidates, their entries and diffs are laid out by the
 * explanation's version: they grow only with a new explanation version. */
typedef struct cachet_explanation {
	unsigned int version;
	/* What a lookup of this key would answer now (counting nothing,
	 * evicting nothing; missing data is reported, not evicted). */
	cachet_cache_status status;
	cachet_miss_reason reason;
	char *message;
	char *tag;                         /* this run's tag */
	cachet_input_hash *inputs;         /* this run's component hashes */
	size_t n_inputs;
	/* This key's last eviction, if any. Part of this struct's layout: the
	 * library sets its version, the one this result's version holds. */
	cachet_eviction_record eviction;
	/* The nearest entries of the same task (project, domain, name), any
	 * version: same dataset first, then fewest changed inputs, then
	 * newest. At most max_candidates. */
	cachet_explain_candidate *nearest;
	size_t n_nearest;
	/* The entry the lookup found under this key, as in
	 * cachet_lookup_result: always on a hit (the artifact a lookup would
	 * return), and for an entry that expired, does not fit, cannot be
	 * decoded or names missing data; NULL and 0 when there is none. */
	char *artifact_id;
	int64_t created_at_ms;
} cachet_explanation;

#define CACHET_EXPLANATION_VERSION 1
#define CACHET_EXPLANATION_INIT                                                        \
	{CACHET_EXPLANATION_VERSION, CACHET_CACHE_DISABLED, CACHET_MISS_NONE, NULL, NULL,   \
	 NULL, 0, CACHET_EVICTION_RECORD_INIT, NULL, 0, NULL, 0}

typedef struct cachet_explain_options {
	unsigned int version;
	const cachet_lookup_options *lookup; /* max age, interface (may be NULL) */
	const char *const *ignore;           /* inputs left out of the tag */
	size_t n_ignore;
	size_t max_candidates; /* 0: 3 */
} cachet_explain_options;

#define CACHET_EXPLAIN_OPTIONS_VERSION 1
#define CACHET_EXPLAIN_OPTIONS_INIT {CACHET_EXPLAIN_OPTIONS_VERSION, NULL, NULL, 0, 0}

/*
 * Why would key (computed from inputs) hit or miss? Reports the lookup's
 * answer, the key's last eviction, and the nearest cached entries of the
 * task with, per input name, whether its component hash differs. Changes
 * nothing. inputs may be NULL (no inputs). out starts as
 * CACHET_EXPLANATION_INIT. Release out with cachet_explanation_dispose.
 */
CACHET_EXTERN int cachet_catalog_explain(cachet_explanation *out, cachet_catalog *cat,
					 const cachet_cache_key *key,
					 const cachet_literal_map *inputs,
					 const cachet_explain_options *opts);

CACHET_EXTERN void cachet_explanation_dispose(cachet_explanation *ex);

/*
 * The component hash of each input (sorted by name, those in ignore left
 * out): b64url(pbhash(hashify(input))). What put records and explain
 * compares. Release with cachet_input_hashes_free(hashes, n).
 */
CACHET_EXTERN int cachet_input_hashes(cachet_input_hash **out, size_t *n,
				      const cachet_literal_map *inputs,
				      const char *const *ignore, size_t n_ignore);
CACHET_EXTERN void cachet_input_hashes_free(cachet_input_hash *hashes, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_CATALOG_H */
