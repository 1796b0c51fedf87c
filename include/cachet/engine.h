/*
 * cachet/engine.h - tasks, workflows and running them with the cache.
 *
 * A task is a unit of work with a typed interface (cachet_interface), cache
 * settings and an implementation: a C function (the SDK) or a command (an
 * argv template, run without a shell). A workflow is a graph of nodes, each
 * a task whose inputs are bound to the workflow's inputs, to upstream
 * nodes' outputs or to constants. Running a workflow runs every node as
 * soon as its inputs are ready, up to N at once; a node whose task is
 * cached is looked up in the catalog first and, on a hit, takes the cached
 * outputs without running.
 *
 *   cachet_task *foo, *bar;        (cachet_task_new_function / _command)
 *   cachet_workflow *wf;           (cachet_workflow_new, _add_input,
 *                                   _add_node, _bind, _add_output)
 *   cachet_workflow_validate()     every problem at once, each with the
 *                                   caller's location token ("wf.yaml:3:7")
 *   cachet_run *run;               (cachet_run_new: validate, record, id)
 *   cachet_run_execute(run)        blocks; events on the calling thread
 *   cachet_run_cancel(run)         async-signal-safe: call it from SIGINT
 *
 * Outputs that are files, directories or datasets are written by the task
 * to a local path the engine hands out, then offloaded into the store under
 * a fresh prefix per run while their content hash is computed in the same
 * pass. The Literal a downstream node receives carries that hash, so the
 * downstream key costs no second read of the data.
 *
 * Each run has an id and a directory <home>/runs/<id>/ holding the nodes'
 * working directories and logs and run.json, the run's record (see
 * cachet_run_record_read). docs/engine.md describes the design.
 */
#ifndef CACHET_ENGINE_H
#define CACHET_ENGINE_H

#include "catalog.h"
#include "digest.h"
#include "store.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Values from text                                                       */

/*
 * Parse text as a value of type into a new Literal: how the CLI reads
 * `-i a=3`, how a workflow file's defaults and constants are read, and how
 * a command's scalar outputs are read back from the files it wrote.
 *
 *   integer      decimal int64, optional sign ("-12")
 *   float        a decimal or exponent number, "inf", "-inf", "nan"
 *   string       the text as it is (UTF-8)
 *   boolean      "true"/"false" (also "True"/"False", "1"/"0")
 *   datetime     RFC 3339 ("2024-01-02T03:04:05Z", any offset)
 *   duration     protobuf JSON's form ("1.5s"), or the units workflow
 *                files use, summed: "90s", "1m30s", "250ms", "2h", "7d"
 *   none         "" or "none" or "null"
 *   file, directory (Blob), dataset (StructuredDataset)
 *                a URI ("s3://b/x", "file:///abs") or a local path, made
 *                absolute from the current directory ("file://" + path);
 *                the Literal gets the type's format (and dimensionality);
 *                no hash yet: the engine hashes workflow inputs that are
 *                local files when the run starts
 *   enum         one of the enum's values (a string Literal)
 *   list, map    JSON text: an array / an object whose elements are JSON
 *                strings, numbers, booleans or null, or nested arrays and
 *                objects, each read as the element type (a number for a
 *                string element is refused)
 *   union        the first variant that parses
 *
 * Surrounding white space is ignored except for strings. CACHET_EINVALID
 * with a message that quotes the text and names the type:
 * `"abc" is not an int`. CACHET_EUNSUPPORTED for types that have no
 * text form (binary, struct, schema).
 */
CACHET_EXTERN int cachet_literal_from_text(cachet_literal **out, const cachet_literal_type *type,
					   const char *text);


/* ---------------------------------------------------------------------- */
/* Tasks                                                                  */

typedef struct cachet_task cachet_task;
typedef struct cachet_task_context cachet_task_context;

/*
 * A task implemented in C. Runs on one of the engine's worker threads
 * (several at once when the workflow allows), so it must be thread-safe
 * with respect to payload. Read inputs and write outputs through the ctx
 * helpers below. Return 0 on success; any other value fails the node, with
 * the message given to cachet_task_fail() (or, when it was not called,
 * the thread's cachet_error_last() message, or "failed with status N").
 * Every declared output must be set, or the node fails.
 */
typedef int (*cachet_task_fn)(cachet_task_context *ctx, void *payload);

/*
 * A new C-function task named name (the name the cache key uses:
 * "flyte_task-<name>"). iface is copied (NULL: no inputs, no outputs).
 * Tasks are reference counted: a workflow that uses one keeps its own
 * reference, so the caller may free its task right after adding the node.
 * CACHET_EINVALID for an empty name.
 */
CACHET_EXTERN int cachet_task_new_function(cachet_task **out, const char *name,
					   const cachet_interface *iface, cachet_task_fn fn,
					   void *payload);

/*
 * A new command task. argv is the NULL-terminated template: argv[0] is the
 * program (looked up in $PATH when it has no '/'), run directly without a
 * shell (write "sh", "-c", "..." to get one). Placeholders anywhere in an
 * argument are replaced when the node runs:
 *
 *   {{inputs.NAME}}   an input: a primitive as text (integer "3", float
 *                     in shortest round-trip form, string as is, boolean
 *                     "true"/"false", datetime/duration as protobuf JSON
 *                     writes them, none ""); a file, directory or dataset
 *                     as its local path (for a file:// URI in the store,
 *                     the store's own path: no copy); a list or map as
 *                     compact JSON of those texts
 *   {{outputs.NAME}}  an output: the path the command must write it to
 *                     (<node dir>/out/NAME): the file, the directory, the
 *                     dataset (a file or a directory), or for a scalar a
 *                     file holding its text, read back and parsed as
 *                     cachet_literal_from_text does (one trailing newline
 *                     dropped); lists and maps as JSON text
 *   {{node.dir}}      the node's working directory (absolute)
 *   {{run.id}}        the run's id
 *   {{{{              a literal "{{"
 *
 * Spaces inside the braces are allowed ("{{ inputs.a }}"). Each node runs
 * in its own working directory, <run dir>/nodes/<node>/work, with the
 * environment inherited plus CACHET_RUN_ID, CACHET_NODE and
 * CACHET_NODE_DIR; standard input is /dev/null; standard output and error
 * go to <run dir>/nodes/<node>/stdout.log and stderr.log.
 *
 * CACHET_EINVALID, naming the argument, for an empty argv, an unknown
 * placeholder, an input or output the interface does not declare, or an
 * unterminated "{{": `argv[2]: unknown input 'c' in "{{inputs.c}}"`.
 */
CACHET_EXTERN int cachet_task_new_command(cachet_task **out, const char *name,
					  const cachet_interface *iface,
					  const char *const *argv);

/* Take one more reference / drop one (freeing at zero). NULL: no-op. */
CACHET_EXTERN cachet_task *cachet_task_ref(cachet_task *task);
CACHET_EXTERN void cachet_task_free(cachet_task *task);

/* Cache settings of a task (Flyte's cache, cache_version, cache_serialize,
 * cache_ignore_input_vars). */
typedef struct cachet_task_cache {
	unsigned int version;
	bool enabled;              /* false: every run executes (DISABLED) */
	const char *cache_version; /* required when enabled: "1.0" */
	bool serializable;         /* one of many identical runs computes */
	const char *const *ignore; /* inputs left out of the key */
	size_t n_ignore;
	int64_t max_age_ms;        /* entries older than this miss (0: none) */
	const char *task_version;  /* recorded with the entry (NULL: "") */
} cachet_task_cache;

#define CACHET_TASK_CACHE_VERSION 1
#define CACHET_TASK_CACHE_INIT {CACHET_TASK_CACHE_VERSION, false, NULL, false, NULL, 0, 0, NULL}

/*
 * Set the task's cache settings (copied). CACHET_EINVALID when enabled
 * with a cache version that is empty after trimming spaces, or an ignored
 * input the interface does not declare.
 */
CACHET_EXTERN int cachet_task_set_cache(cachet_task *task, const cachet_task_cache *cache);

/*
 * How the output named output gets its hash (see digest.h). m is copied
 * (its argv too; a callback's context pointer is kept as is). The default
 * is CONTENT for files, directories and datasets (computed while the
 * output is offloaded: no extra read) and none for everything else.
 * CACHET_EINVALID for an output the interface does not declare.
 */
CACHET_EXTERN int cachet_task_set_hash_method(cachet_task *task, const char *output,
					      const cachet_hash_method *m);

/*
 * Commands only: stop the command after timeout_ms (SIGTERM to its process
 * group, SIGKILL after the run's kill grace); the node fails with
 * "timed out after N ms". 0: no limit. CACHET_EINVALID for a C task.
 */
CACHET_EXTERN int cachet_task_set_timeout(cachet_task *task, uint64_t timeout_ms);

/* Commands only: add NAME=value to the command's environment (after the
 * inherited one, so it wins). */
CACHET_EXTERN int cachet_task_set_env(cachet_task *task, const char *name, const char *value);

/*
 * The caller's location token for the task's declaration ("wf.yaml:7:3",
 * copied; NULL: none). Validation hands it back with the problems of the
 * task itself, such as an input or output name that cannot be a file
 * name; without it, they carry the where of the first node that runs the
 * task.
 */
CACHET_EXTERN int cachet_task_set_where(cachet_task *task, const char *where);

/* The task's name, interface (never NULL) and whether it is cached. */
CACHET_EXTERN const char *cachet_task_name(const cachet_task *task);
CACHET_EXTERN const cachet_interface *cachet_task_interface(const cachet_task *task);
CACHET_EXTERN bool cachet_task_is_cached(const cachet_task *task);
/* The argv template of a command task, NULL-terminated; NULL for a C task. */
CACHET_EXTERN const char *const *cachet_task_argv(const cachet_task *task);

/* ---- Inside a C task: the context ---- */

/* All the node's inputs (owned by the context). */
CACHET_EXTERN const cachet_literal_map *cachet_task_inputs(const cachet_task_context *ctx);
/* One input, or NULL when there is none of that name. */
CACHET_EXTERN const cachet_literal *cachet_task_input(const cachet_task_context *ctx,
						      const char *name);
/*
 * Typed input getters. CACHET_ENOTFOUND for an input that is not there,
 * CACHET_EINVALID for one of another kind ("input 'a' is a string, not an
 * integer"). The string is owned by the context; it reads up to its first
 * NUL (a string value may hold U+0000): for all of its bytes, read the
 * value itself, cachet_task_input(), with cachet_str_len().
 */
CACHET_EXTERN int cachet_task_input_int(int64_t *out, const cachet_task_context *ctx,
					const char *name);
CACHET_EXTERN int cachet_task_input_float(double *out, const cachet_task_context *ctx,
					  const char *name);
CACHET_EXTERN int cachet_task_input_bool(bool *out, const cachet_task_context *ctx,
					 const char *name);
CACHET_EXTERN int cachet_task_input_string(const char **out, const cachet_task_context *ctx,
					   const char *name);
/*
 * The local path of a file, directory or dataset input (owned by the
 * context). A file:// URI is its own path, nothing copied; an object in
 * another store is first downloaded into the node's directory.
 * CACHET_EINVALID for an input that has no data behind it.
 */
CACHET_EXTERN int cachet_task_input_path(const char **out, cachet_task_context *ctx,
					 const char *name);

/*
 * Set the output named name to lit (taking ownership, also on failure).
 * A file, directory or dataset with a file:// URI outside the store is
 * offloaded into the run's store prefix and hashed, as a path from
 * cachet_task_output_path is (the original is left alone); one already in
 * the store without a hash is hashed where it is; other URIs are kept as
 * they are. CACHET_EINVALID for an undeclared output.
 */
CACHET_EXTERN int cachet_task_set_output(cachet_task_context *ctx, const char *name,
					 cachet_literal *lit);
CACHET_EXTERN int cachet_task_set_output_int(cachet_task_context *ctx, const char *name,
					     int64_t value);
CACHET_EXTERN int cachet_task_set_output_float(cachet_task_context *ctx, const char *name,
					       double value);
CACHET_EXTERN int cachet_task_set_output_bool(cachet_task_context *ctx, const char *name,
					      bool value);
CACHET_EXTERN int cachet_task_set_output_string(cachet_task_context *ctx, const char *name,
						const char *value);
/*
 * A fresh local path (owned by the context) to write the file, directory
 * or dataset output named name to: <node dir>/out/NAME, not existing yet,
 * its parent created. When the function returns, the engine offloads what
 * is there into the store, hashing it in the same pass, and the output is
 * set (a missing path or a wrong kind fails the node). CACHET_EINVALID for
 * an undeclared output or one of another type.
 */
CACHET_EXTERN int cachet_task_output_path(const char **out, cachet_task_context *ctx,
					  const char *name);
/* The node's working directory (absolute; created) and names. */
CACHET_EXTERN const char *cachet_task_work_dir(const cachet_task_context *ctx);
CACHET_EXTERN const char *cachet_task_node_name(const cachet_task_context *ctx);
CACHET_EXTERN const char *cachet_task_run_id(const cachet_task_context *ctx);
/* True once the run was cancelled: a long task should return soon. */
CACHET_EXTERN bool cachet_task_cancelled(const cachet_task_context *ctx);
/* Record why the task fails (printf-style); returns CACHET_ERROR, so
 * `return cachet_task_fail(ctx, "no rows in '%s'", path);`. */
CACHET_EXTERN int cachet_task_fail(cachet_task_context *ctx, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* ---------------------------------------------------------------------- */
/* Workflows                                                              */

typedef struct cachet_workflow cachet_workflow;

/*
 * A new, empty workflow named name. Its cache keys use project "default"
 * and domain "development" until cachet_workflow_set_project.
 */
CACHET_EXTERN int cachet_workflow_new(cachet_workflow **out, const char *name);
CACHET_EXTERN void cachet_workflow_free(cachet_workflow *wf);

/* The project and domain of the cache keys (copied; NULL keeps one). */
CACHET_EXTERN int cachet_workflow_set_project(cachet_workflow *wf, const char *project,
					      const char *domain);

/*
 * Every builder below takes `where`: the caller's location token for this
 * piece ("wf.yaml:12:5", or NULL), copied and handed back with any
 * problem cachet_workflow_validate finds in it. The builders check only
 * their arguments; references, names, types and cycles are checked by
 * validation, so pieces may be added in any order.
 */

/*
 * Declare a workflow input of type (taken, also on failure) with an
 * optional default (taken; NULL: required).
 */
CACHET_EXTERN int cachet_workflow_add_input(cachet_workflow *wf, const char *name,
					    cachet_literal_type *type,
					    cachet_literal *default_value, const char *where);

/*
 * Add a node named name running task (the workflow takes its own
 * reference). Node names, and the names of the task's inputs and outputs,
 * become file names (<run dir>/nodes/<node>/out/<output>), so validation
 * holds them to one rule: letters, digits, '_', '-' and '.', not starting
 * with '.', 1 to 128 bytes (docs/engine.md, "Names that become paths").
 */
CACHET_EXTERN int cachet_workflow_add_node(cachet_workflow *wf, const char *name,
					   cachet_task *task, const char *where);

/* Where a bound value comes from. */
typedef enum cachet_source_kind {
	CACHET_SOURCE_INPUT = 1,    /* a workflow input: name */
	CACHET_SOURCE_OUTPUT = 2,   /* an upstream node's output: node, name */
	CACHET_SOURCE_CONSTANT = 3  /* a constant: value */
} cachet_source_kind;

typedef struct cachet_source {
	cachet_source_kind kind;
	const char *node;             /* OUTPUT: the upstream node */
	const char *name;             /* INPUT: the workflow input; OUTPUT: the output */
	const cachet_literal *value;  /* CONSTANT (copied) */
} cachet_source;

/* Convenience: &CACHET_FROM_INPUT("a"), &CACHET_FROM_OUTPUT("foo", "df"),
 * &CACHET_FROM_CONSTANT(lit). */
#define CACHET_FROM_INPUT(name_) ((cachet_source){CACHET_SOURCE_INPUT, NULL, (name_), NULL})
#define CACHET_FROM_OUTPUT(node_, name_)                                            \
	((cachet_source){CACHET_SOURCE_OUTPUT, (node_), (name_), NULL})
#define CACHET_FROM_CONSTANT(lit_) ((cachet_source){CACHET_SOURCE_CONSTANT, NULL, NULL, (lit_)})

/* Bind input `input` of node `node` to src. */
CACHET_EXTERN int cachet_workflow_bind(cachet_workflow *wf, const char *node, const char *input,
				       const cachet_source *src, const char *where);

/* Declare a workflow output named name, taken from src. */
CACHET_EXTERN int cachet_workflow_add_output(cachet_workflow *wf, const char *name,
					     const cachet_source *src, const char *where);

/* The workflow's name, project and domain. */
CACHET_EXTERN const char *cachet_workflow_name(const cachet_workflow *wf);
CACHET_EXTERN const char *cachet_workflow_project(const cachet_workflow *wf);
CACHET_EXTERN const char *cachet_workflow_domain(const cachet_workflow *wf);

/* ---- Reading the graph back (for `cachet graph`) ---- */

typedef struct cachet_binding_info {
	const char *input;  /* the node's input, or the workflow output's name */
	cachet_source src;
	const char *where;
} cachet_binding_info;

/* Nodes in the order they were added. Pointers owned by the workflow. */
CACHET_EXTERN size_t cachet_workflow_node_count(const cachet_workflow *wf);
CACHET_EXTERN const char *cachet_workflow_node_name(const cachet_workflow *wf, size_t i);
CACHET_EXTERN const cachet_task *cachet_workflow_node_task(const cachet_workflow *wf, size_t i);
CACHET_EXTERN size_t cachet_workflow_node_binding_count(const cachet_workflow *wf, size_t i);
CACHET_EXTERN const cachet_binding_info *cachet_workflow_node_binding(const cachet_workflow *wf,
								     size_t i, size_t j);
/* Workflow inputs (name, type, default or NULL) and outputs. */
CACHET_EXTERN size_t cachet_workflow_input_count(const cachet_workflow *wf);
CACHET_EXTERN const char *cachet_workflow_input_name(const cachet_workflow *wf, size_t i);
CACHET_EXTERN const cachet_literal_type *cachet_workflow_input_type(const cachet_workflow *wf,
								   size_t i);
CACHET_EXTERN const cachet_literal *cachet_workflow_input_default(const cachet_workflow *wf,
								 size_t i);
CACHET_EXTERN size_t cachet_workflow_output_count(const cachet_workflow *wf);
CACHET_EXTERN const cachet_binding_info *cachet_workflow_output(const cachet_workflow *wf,
							       size_t i);

/* ---- Validation ---- */

/* One problem: where (the caller's token, or NULL), what. */
typedef struct cachet_problem {
	char *where;   /* as given to the builder; NULL when none was */
	char *node;    /* the node concerned, or NULL */
	char *message; /* one line, naming the node and binding:
			  "node 'bar': input 'df': no such output 'dff' of node 'foo'" */
} cachet_problem;

/* Versioned as every result (docs/design.md, "Result structs"): start
 * from CACHET_PROBLEMS_INIT. cachet_problem is laid out by it. */
typedef struct cachet_problems {
	unsigned int version;
	cachet_problem *items;
	size_t n;
} cachet_problems;

#define CACHET_PROBLEMS_VERSION 1
#define CACHET_PROBLEMS_INIT {CACHET_PROBLEMS_VERSION, NULL, 0}

/*
 * Check the whole workflow before anything runs, collecting every problem
 * in the order of the pieces: duplicate names (node, workflow input and
 * output), names that cannot be file names (nodes, and each task's inputs
 * and outputs, checked once per task), a binding to an input the task
 * does not declare or bound twice, a task input left unbound, a reference
 * to an unknown workflow input, node or output, a constant or default that
 * does not fit its type, a type mismatch between a bound value and the
 * input (cachet_literal_type_compatible; the message says both types), and
 * cycles (one problem per cycle: "cycle: a -> b -> a"). Returns 0 with
 * out->n == 0 when the workflow is valid, CACHET_EINVALID when not (the
 * thread's message is the first problem, prefixed by its where); other
 * codes for failures to check (ENOMEM). out may be NULL (only the first
 * problem, through the error). out starts as CACHET_PROBLEMS_INIT; a
 * version the library does not know is refused (CACHET_EINVALID) and out
 * left as it was. Release out with cachet_problems_dispose.
 */
CACHET_EXTERN int cachet_workflow_validate(cachet_problems *out, const cachet_workflow *wf);
CACHET_EXTERN void cachet_problems_dispose(cachet_problems *problems);

/* ---------------------------------------------------------------------- */
/* Running                                                                */

/* A node's run status. */
typedef enum cachet_node_status {
	CACHET_NODE_PENDING = 0,   /* waiting for its inputs or a slot */
	CACHET_NODE_RUNNING = 1,   /* looking up, running, offloading, putting */
	CACHET_NODE_SUCCEEDED = 2, /* outputs available (ran, or a cache hit) */
	CACHET_NODE_FAILED = 3,    /* error says why; nothing cached */
	CACHET_NODE_SKIPPED = 4,   /* an upstream node failed or was aborted */
	CACHET_NODE_ABORTED = 5    /* the run was cancelled before it finished */
} cachet_node_status;

/* "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "SKIPPED", "ABORTED". */
CACHET_EXTERN const char *cachet_node_status_name(int status);

/* A run's status. */
typedef enum cachet_run_status {
	CACHET_RUN_CREATED = 0,   /* cachet_run_new done, not executed */
	CACHET_RUN_RUNNING = 1,
	CACHET_RUN_SUCCEEDED = 2, /* every node succeeded */
	CACHET_RUN_FAILED = 3,    /* a node failed (others may have finished) */
	CACHET_RUN_ABORTED = 4    /* cancelled */
} cachet_run_status;

/* "CREATED", "RUNNING", "SUCCEEDED", "FAILED", "ABORTED". */
CACHET_EXTERN const char *cachet_run_status_name(int status);

/*
 * What happened to one node. In a live run the engine updates it; read it
 * from the event callback or after cachet_run_execute returns. All strings
 * are owned by the run (or the record) and may be NULL when not relevant.
 */
typedef struct cachet_node_result {
	const char *name;  /* the node */
	const char *task;  /* its task */
	cachet_node_status status;
	/* Flyte's CatalogCacheStatus (catalog.h): DISABLED (not cached, or
	 * --no-cache), HIT, POPULATED (missed, ran, stored), MISS (missed
	 * and not stored: the node failed, or was cancelled), LOOKUP_FAILURE
	 * (ran uncached), PUT_FAILURE (ran; storing failed), SKIPPED (never
	 * looked up: an upstream failure or a cancel). */
	cachet_cache_status cache_status;
	const char *cache_message; /* why a lookup or put failed, or a miss's reason */
	/* The cache key (NULL when not cached). */
	const char *dataset_project;
	const char *dataset_domain;
	const char *dataset_name;
	const char *dataset_version;
	const char *tag;
	int64_t started_at_ms;  /* when it left PENDING (0: never) */
	int64_t finished_at_ms; /* when it finished (0: not yet) */
	int64_t duration_ms;    /* finished - started */
	/* Commands: their logs (kept with the run) and how they ended: an
	 * exit status >= 0, or -signal; INT32_MIN when not run. */
	const char *stdout_path;
	const char *stderr_path;
	int32_t exit_status;
	const char *work_dir; /* the node's working directory, when it ran */
	const char *error;    /* FAILED/SKIPPED/ABORTED: one line, naming the
				 node (and the output concerned) */
	const cachet_literal_map *outputs; /* SUCCEEDED: its outputs */
} cachet_node_result;

/* How many nodes are in each state, for a live view. Versioned as every
 * result (docs/design.md, "Result structs"); the counts of an event are
 * the library's own, of its version. */
typedef struct cachet_run_counts {
	unsigned int version;
	size_t total;
	size_t pending;
	size_t running;
	size_t succeeded; /* hits included */
	size_t hits;
	size_t failed;
	size_t skipped;
	size_t aborted;
} cachet_run_counts;

#define CACHET_RUN_COUNTS_VERSION 1
#define CACHET_RUN_COUNTS_INIT {CACHET_RUN_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0}

typedef enum cachet_event_kind {
	CACHET_EVENT_RUN_STARTED = 1,
	CACHET_EVENT_NODE_STARTED = 2,  /* left PENDING: key, lookup */
	CACHET_EVENT_NODE_WAITING = 3,  /* waits for another owner's reservation */
	CACHET_EVENT_NODE_EXECUTING = 4, /* a miss (or uncached): the task runs now */
	CACHET_EVENT_NODE_FINISHED = 5, /* SUCCEEDED, FAILED, SKIPPED or ABORTED */
	CACHET_EVENT_TICK = 6,          /* every tick_ms while running */
	CACHET_EVENT_RUN_FINISHED = 7
} cachet_event_kind;

typedef struct cachet_run_event {
	cachet_event_kind kind;
	const cachet_node_result *node; /* NODE_* events; NULL otherwise */
	const cachet_run_counts *counts;
	int64_t now_ms;
} cachet_run_event;

typedef struct cachet_run cachet_run;

/*
 * Called on the thread that called cachet_run_execute, one event at a
 * time, never concurrently: a live view may print from it. It should
 * return quickly (the run waits meanwhile).
 */
typedef void (*cachet_run_event_fn)(cachet_run *run, const cachet_run_event *ev,
				    void *payload);

typedef struct cachet_run_options {
	unsigned int version;
	/* The cachet home: runs go to <home>/runs/<id>/. NULL: resolved as
	 * cachet_home_resolve(NULL) does. */
	const char *home;
	/* Not owned; each must outlive the run. NULL: the store and catalog
	 * the home's config names (cachet_home_config_read), else the home's
	 * local store, its SQLite catalog (opened with this store); the
	 * home's stat cache. The catalog is only used under the run's own lock. */
	cachet_store *store;
	cachet_catalog *catalog;
	cachet_stat_cache *stat_cache;
	/* Nodes in progress at once (0: the number of online cores). */
	unsigned int jobs;
	bool overwrite_cache; /* run cached nodes even on a hit; replace the entry */
	bool no_cache;        /* neither look up nor store: DISABLED everywhere */
	cachet_digest digest; /* content hashes (SHA-256 by default) */
	/* Live status: see cachet_run_event_fn. NULL: none. */
	cachet_run_event_fn on_event;
	void *event_payload;
	unsigned int tick_ms;        /* TICK events this often (0: none) */
	unsigned int kill_grace_ms;  /* SIGTERM to SIGKILL (0: 2000) */
	int64_t heartbeat_ms;        /* reservations' heartbeat (0: the catalog's max) */
	/* Keep the local copy of offloaded outputs in the node directory
	 * (they are deleted once the store holds them, by default). */
	bool keep_local_outputs;
	/* Since version 2: when catalog is NULL, the catalog to open by URL
	 * (as cachet_catalog_open_url: "sqlite:///path", a path,
	 * "postgres://...", libpq's "key=value"), with the run's store; NULL:
	 * the home's config's catalog (cachet_home_config_read), else the
	 * home's SQLite catalog. Read by cachet_run_new, not kept. */
	const char *catalog_url;
} cachet_run_options;

#define CACHET_RUN_OPTIONS_VERSION 2
#define CACHET_RUN_OPTIONS_INIT                                                       \
	{CACHET_RUN_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, false, false,          \
	 CACHET_DIGEST_SHA256, NULL, NULL, 0, 0, 0, false, NULL}

/*
 * Prepare a run of wf with inputs (copied; NULL: none): validate the
 * workflow (CACHET_EINVALID, the first problem as the message), check the
 * inputs (an unknown input, a required input missing, a value that does
 * not fit its type: CACHET_EINVALID naming the input), fill defaults,
 * open what opts leaves to the home, give the run an id, create its
 * directory and write a first run.json (status RUNNING), so that a crash
 * leaves a trace. Nothing runs yet. The workflow must outlive the run and
 * stay unchanged. opts may be NULL.
 */
CACHET_EXTERN int cachet_run_new(cachet_run **out, cachet_workflow *wf,
				 const cachet_literal_map *inputs,
				 const cachet_run_options *opts);

/*
 * Run it, blocking until every node has finished or the run was
 * cancelled, then write run.json. Workflow inputs that are local files
 * or directories without a hash are hashed first (through the stat cache,
 * so an unchanged file is not read again); one that cannot be hashed (it
 * vanished) fails the nodes that read it ("node 'bar': input 'df': cannot
 * hash '/x/data.csv': No such file or directory") while the others run.
 * Returns 0 when every node succeeded; CACHET_ERROR when a node failed
 * (the message: the first failed node's error, in workflow order, which
 * names it); another negative code when the run could not proceed (its
 * record cannot be written: CACHET_EIO; ENOMEM). After a cancel:
 * CACHET_ERROR with "run cancelled", status ABORTED. Called once; a second
 * call is CACHET_EINVALID.
 */
CACHET_EXTERN int cachet_run_execute(cachet_run *run);

/*
 * Ask the run to stop: no new node starts, running commands get SIGTERM
 * (their process groups), then SIGKILL after kill_grace_ms, C tasks see
 * cachet_task_cancelled(); reservations are released and no unfinished
 * node's outputs are stored. Async-signal-safe (it sets a flag and writes
 * one byte to a pipe) and callable from any thread; a no-op after the run
 * finished. A NULL run is a no-op.
 */
CACHET_EXTERN void cachet_run_cancel(cachet_run *run);

/* The run's id ("20240501-120304-9f86d0"), directory, status. */
CACHET_EXTERN const char *cachet_run_id(const cachet_run *run);
CACHET_EXTERN const char *cachet_run_dir(const cachet_run *run);
CACHET_EXTERN int cachet_run_get_status(const cachet_run *run);
/* The store prefix the run's outputs go under ("<root>/<date>-<hex>"). */
CACHET_EXTERN const char *cachet_run_prefix(const cachet_run *run);
/* The resolved workflow inputs (given ones, defaults, hashes filled). */
CACHET_EXTERN const cachet_literal_map *cachet_run_inputs(const cachet_run *run);
/* The workflow's outputs, once the run succeeded (NULL before). */
CACHET_EXTERN const cachet_literal_map *cachet_run_outputs(const cachet_run *run);
/* Nodes, in the workflow's order. */
CACHET_EXTERN size_t cachet_run_node_count(const cachet_run *run);
CACHET_EXTERN const cachet_node_result *cachet_run_node(const cachet_run *run, size_t i);
/* The node named name, or NULL. */
CACHET_EXTERN const cachet_node_result *cachet_run_node_by_name(const cachet_run *run,
								const char *name);
/* The counts now (all 0 for a NULL run). out starts as
 * CACHET_RUN_COUNTS_INIT; a version the library does not know is refused
 * (CACHET_EINVALID) and out left as it was. */
CACHET_EXTERN int cachet_run_counts_get(cachet_run_counts *out, const cachet_run *run);

/* Free the run (after execute returned, or instead of executing: then the
 * record says ABORTED). NULL is a no-op. */
CACHET_EXTERN void cachet_run_free(cachet_run *run);

/* ---------------------------------------------------------------------- */
/* Run records: <home>/runs/<id>/run.json                                 */

/*
 * A finished (or crashed, or still running) run as its record says. The
 * version is the caller's (CACHET_RUN_RECORD_INIT), as in every result
 * (docs/design.md, "Result structs"); cachet_node_result is laid out by
 * it: a node result grows only with a new record version.
 */
typedef struct cachet_run_record {
	unsigned int version;
	char *id;
	char *workflow;
	char *project;
	char *domain;
	cachet_run_status status; /* RUNNING in a crashed run's record */
	int64_t started_at_ms;
	int64_t finished_at_ms; /* 0: not finished */
	char *dir;             /* the run's directory */
	char *prefix;          /* the store prefix of its outputs */
	char *error;           /* the run's error, or NULL */
	cachet_literal_map *inputs;  /* never NULL */
	cachet_literal_map *outputs; /* NULL when it has none (failed) */
	cachet_node_result *nodes;   /* their strings and outputs owned by the record */
	size_t n_nodes;
} cachet_run_record;

#define CACHET_RUN_RECORD_VERSION 1
#define CACHET_RUN_RECORD_INIT                                                         \
	{CACHET_RUN_RECORD_VERSION, NULL, NULL, NULL, NULL, CACHET_RUN_CREATED, 0, 0, NULL, \
	 NULL, NULL, NULL, NULL, NULL, 0}

/*
 * Read the record of the run id from <home>/runs/<id>/run.json. id may be
 * a unique prefix of an id. CACHET_ENOTFOUND ("no run 'x'"),
 * CACHET_EINVALID for an ambiguous prefix or a record that cannot be read
 * ("run.json of run 'x': ..."). out starts as CACHET_RUN_RECORD_INIT.
 * Release with cachet_run_record_dispose.
 */
CACHET_EXTERN int cachet_run_record_read(cachet_run_record *out, const char *home,
					 const char *id);
CACHET_EXTERN void cachet_run_record_dispose(cachet_run_record *rec);

/* The records in a list are laid out by the list's version (the array's
 * stride is the caller's), and each carries the record version it holds. */
typedef struct cachet_run_records {
	unsigned int version;
	cachet_run_record *items;
	size_t n;
} cachet_run_records;

#define CACHET_RUN_RECORDS_VERSION 1
#define CACHET_RUN_RECORDS_INIT {CACHET_RUN_RECORDS_VERSION, NULL, 0}

/*
 * The records in <home>/runs, newest first (by id, which sorts by start
 * time), those of workflow only when it is not NULL, at most limit (0:
 * all). Directories whose run.json cannot be read are skipped with a
 * warning. No runs directory: an empty list. out starts as
 * CACHET_RUN_RECORDS_INIT. Release with cachet_run_records_dispose.
 */
CACHET_EXTERN int cachet_run_records_list(cachet_run_records *out, const char *home,
					  const char *workflow, size_t limit);
CACHET_EXTERN void cachet_run_records_dispose(cachet_run_records *list);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_ENGINE_H */
