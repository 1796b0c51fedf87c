/*
 * Internal structures of the engine: tasks, workflows, runs, and the
 * helpers the engine's files share.
 *
 *   task.c       tasks and their settings          template.c  argv templates
 *   context.c    the C task's context (the SDK)    text.c      values <-> text
 *   types.c      type compatibility, value fits    workflow.c  building a graph
 *   validate.c   checking a graph                  run.c       preparing a run
 *   scheduler.c  running nodes, events, cancel     node.c      one node's life
 *   spawn.c      running a command                 outputs.c   collecting outputs
 *   record.c     run.json                          util.c      time, files
 *   names.c      names that become paths           confine.c   outputs stay in the node
 */
#ifndef CACHET_ENGINE_INTERNAL_H
#define CACHET_ENGINE_INTERNAL_H

#include "cachet/codec.h"
#include "cachet/engine.h"
#include "cachet/home.h"

#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/types.h>

/* ---------------------------------------------------------------------- */
/* Tasks                                                                  */

typedef struct task_hash_method {
	char *output;
	cachet_hash_method m; /* m.argv points at argv below */
	char **argv;
} task_hash_method;

struct cachet_task {
	atomic_int refs;
	char *name;
	char *where; /* the caller's location token, or NULL */
	cachet_interface *iface;
	/* C function, or command */
	cachet_task_fn fn;
	void *payload;
	char **argv; /* NULL-terminated template; NULL for a C task */
	size_t argc;
	uint64_t timeout_ms;
	char **env; /* "NAME=value" */
	size_t n_env;
	/* cache */
	bool cache_enabled;
	char *cache_version;
	bool serializable;
	char **ignore;
	size_t n_ignore;
	int64_t max_age_ms;
	char *task_version;
	/* hash methods, by output */
	task_hash_method *hash;
	size_t n_hash;
};

/* The task's hash method for output (NULL: the default). */
const cachet_hash_method *cachet__task_hash_method(const cachet_task *task, const char *output);

/* ---------------------------------------------------------------------- */
/* Templates                                                              */

typedef enum tmpl_kind {
	TMPL_INPUT = 1,
	TMPL_OUTPUT = 2,
	TMPL_NODE_DIR = 3,
	TMPL_RUN_ID = 4
} tmpl_kind;

/*
 * Expand one argument: literal text goes to out as is; for each
 * placeholder fn(out, kind, name, payload) appends its value (name: the
 * input or output, not NUL-terminated: name_len bytes). fn may be NULL
 * (only check the syntax). Errors (unknown placeholder, unterminated "{{")
 * are CACHET_EINVALID naming the placeholder; fn's errors pass through.
 */
typedef int (*tmpl_fn)(cachet_buf *out, tmpl_kind kind, const char *name, size_t name_len,
		       void *payload);
int cachet__template_expand(cachet_buf *out, const char *arg, tmpl_fn fn, void *payload);

/* ---------------------------------------------------------------------- */
/* Values and types                                                       */

/*
 * Render a value as argument text (see cachet_task_new_command): paths of
 * data literals come from path_fn (its string is appended), lists and maps
 * become compact JSON.
 */
typedef int (*path_fn)(cachet_buf *out, const cachet_literal *lit, void *payload);
int cachet__literal_render(cachet_buf *out, const cachet_literal *lit, path_fn fn, void *payload);

/* A literal text quoted for a message, shortened when long. */
void cachet__quote_text(char *out, size_t size, const char *text);

/* ---------------------------------------------------------------------- */
/* Workflows                                                              */

typedef struct wf_binding {
	cachet_binding_info info; /* strings point at the fields below */
	char *input;
	char *node; /* the node it binds into (NULL for a workflow output) */
	char *src_node;
	char *src_name;
	cachet_literal *value;
	char *where;
} wf_binding;

typedef struct wf_node {
	char *name;
	cachet_task *task;
	char *where;
	wf_binding **bindings;
	size_t n_bindings;
} wf_node;

typedef struct wf_input {
	char *name;
	cachet_literal_type *type;
	cachet_literal *def;
	char *where;
} wf_input;

/* A string -> index map (open addressing), for names. */
typedef struct name_map {
	size_t *slots; /* index + 1; 0 empty */
	size_t cap;
	size_t n;
} name_map;

struct cachet_workflow {
	char *name;
	char *project;
	char *domain;
	wf_input **inputs;
	size_t n_inputs;
	wf_node **nodes;
	size_t n_nodes;
	wf_binding **outputs;
	size_t n_outputs;
	/* bindings into nodes that did not exist when bound */
	wf_binding **orphans;
	size_t n_orphans;
	name_map node_names;  /* first node of each name */
	name_map input_names; /* first input of each name */
};

/* Index of the first node / input named name, or SIZE_MAX. */
size_t cachet__workflow_find_node(const cachet_workflow *wf, const char *name);
size_t cachet__workflow_find_input(const cachet_workflow *wf, const char *name);

/* The type of a source (NULL when it cannot be known: an unknown name). */
const cachet_literal_type *cachet__source_type(const cachet_workflow *wf,
					       const cachet_source *src);

typedef const char *(*name_of_fn)(const void *item);
int cachet__name_map_add(name_map *m, void *const *items, size_t index, name_of_fn name_of);
size_t cachet__name_map_find(const name_map *m, void *const *items, const char *name,
			     name_of_fn name_of);
void cachet__name_map_dispose(name_map *m);

/* ---------------------------------------------------------------------- */
/* Runs                                                                   */

typedef struct run_node {
	/* The scheduler's view (what getters and events show), and the
	 * worker's own copy, which reaches pub through messages: so that an
	 * event callback never reads what a worker is writing. Strings point
	 * at the fields below, each set once. Worker code reads res only,
	 * the node's name and task included: the scheduler rewrites all of
	 * pub from each message. */
	cachet_node_result pub;
	cachet_node_result res;
	size_t index;
	const wf_node *wn;
	/* the graph: upstream nodes (unique), downstream nodes */
	size_t *ups;
	size_t n_ups;
	size_t *downs;
	size_t n_downs;
	size_t n_waiting; /* upstream nodes not finished yet (scheduler) */
	bool finished;    /* scheduler's view */
	bool taken;       /* a worker took it (under run->lock) */
	/* owned strings behind pub */
	char *error;
	char *cache_message;
	cachet_cache_key key;
	bool have_key;
	char *node_dir;
	char *work_dir;
	char *stdout_path;
	char *stderr_path;
	cachet_literal_map *inputs;
	cachet_literal_map *outputs;
	/* a running command, under run->lock */
	pid_t pid;
	int64_t deadline_ms;  /* monotonic; 0: none */
	int64_t kill_at_ms;   /* monotonic; 0: not signalled yet */
	bool timed_out;
	/* a held reservation, under run->lock */
	bool reserved;
	int64_t heartbeat_at_ms; /* monotonic, last extension */
} run_node;

/* A message from a worker to the scheduler. */
typedef struct run_msg {
	size_t node;
	cachet_event_kind kind;
	cachet_node_result snap; /* the worker's copy when it posted */
} run_msg;

struct cachet_run {
	cachet_workflow *wf;
	cachet_run_options opts;
	char *home;
	char *id;
	char *dir;
	char *prefix;
	char *owner; /* reservations: "cachet-run-<id>" */
	cachet_store *store;
	cachet_catalog *catalog;
	cachet_stat_cache *stat_cache;
	bool own_store, own_catalog, own_stat_cache;
	unsigned int jobs;

	cachet_literal_map *inputs;
	char **input_errors; /* per workflow input: why it cannot be used */
	cachet_literal_map *outputs;

	run_node *nodes;
	size_t n_nodes;

	int status;
	char *error;
	int64_t started_at_ms;
	int64_t finished_at_ms;
	bool executed;

	/* synchronisation */
	pthread_mutex_t lock;     /* ready queue, messages, pids, reservations */
	pthread_cond_t work_cond; /* workers wait for ready nodes */
	pthread_mutex_t catalog_lock; /* the catalog handle is single-threaded */
	int wake[2];              /* pipe: wakes the scheduler (workers, cancel) */
	/* Set by cachet_run_cancel (perhaps in a signal handler), read by the
	 * scheduler and the workers: an atomic, not a volatile, so that the
	 * threads' reads are not a data race. */
	atomic_bool cancelled;
	bool stopping; /* workers exit */
	size_t *ready; /* every node enters at most once: n_nodes slots */
	size_t n_ready, ready_head;
	size_t *current; /* per worker: the node it runs, or SIZE_MAX */
	pthread_t *threads;
	size_t n_threads;
	run_msg *msgs;
	size_t n_msgs, cap_msgs;
	cachet_run_counts counts;
};

/* Post a message to the scheduler (takes run->lock). */
void cachet__run_post(cachet_run *run, size_t node, cachet_event_kind kind);
/* The reservations' heartbeat of the run. */
int64_t cachet__heartbeat_ms(const cachet_run *run);
/* Wake the scheduler (async-signal-safe). */
void cachet__run_wake(cachet_run *run);

/* Run one node to its end (a worker thread). Fills the node's result. */
void cachet__node_execute(cachet_run *run, run_node *n);

/* Set a node's result to failed with a message "node 'x': ..." (the
 * thread's last error when fmt is NULL). */
void cachet__node_fail(run_node *n, int status, const char *fmt, ...) CACHET__PRINTF(3, 4);

/* Run the command of node n with its expanded argv; 0 when it exited 0,
 * else the node's error is set and a negative code returned. */
int cachet__spawn_command(cachet_run *run, run_node *n, char *const *argv);

/* C and command tasks: the node's outputs after the task ran. */
typedef struct task_ctx_output {
	const char *name; /* the interface's */
	cachet_literal *lit; /* set directly, or NULL */
	char *path;          /* handed out by cachet_task_output_path */
} task_ctx_output;

struct cachet_task_context {
	cachet_run *run;
	run_node *node;
	task_ctx_output *outs; /* one per declared output, in interface order */
	size_t n_outs;
	char **input_paths; /* per input, downloaded or resolved local paths */
	size_t n_downloads;
	char *fail_message;
};

int cachet__context_init(cachet_task_context *ctx, cachet_run *run, run_node *n);
void cachet__context_dispose(cachet_task_context *ctx);
/* The local path of the data of input i (resolving, downloading). */
int cachet__context_input_path(const char **out, cachet_task_context *ctx, size_t i);
/* The local path of any data literal (a new string); hint names a
 * download. Errors do not name the node. */
int cachet__context_local_path(char **out, cachet_task_context *ctx, const cachet_literal *lit,
			       const char *hint);
/* The output slot named name, or NULL. */
task_ctx_output *cachet__context_output(cachet_task_context *ctx, const char *name);
/* The output path of slot o (created parent, not the file). */
int cachet__context_output_path(const char **out, cachet_task_context *ctx, task_ctx_output *o);

/*
 * Turn what the task left (set literals, written paths) into the node's
 * outputs: read scalars back, offload data while hashing, apply hash
 * methods, check the types. On failure the node's error is set.
 */
int cachet__collect_outputs(cachet_literal_map **out, cachet_task_context *ctx, bool command);

/*
 * Confining outputs to the node's directory (confine.c). Open <node
 * dir>/out, following no link from the run's directory down
 * (CACHET_ENOTFOUND when it is gone). Then what output name in it is, at
 * path (shown in messages): a symbolic link is followed only when it leads
 * inside the node's directory, else CACHET_EINVALID; CACHET_ENOTFOUND,
 * without a message, when there is nothing.
 */
int cachet__out_dir_open(int *fd, const cachet_run *run, const run_node *n);
int cachet__out_stat(struct stat *st, int out_fd, const run_node *n, const char *name,
		     const char *path);

/* run.json: write the run's record atomically. */
int cachet__record_write(const cachet_run *run);

/* ---------------------------------------------------------------------- */
/* Utilities                                                              */

/* The local path a file:// URI names (a pointer into uri), or NULL. */
const char *cachet__file_uri_path(const char *uri);

/*
 * Names that become path components (names.c): letters, digits, '_', '-'
 * and '.', not starting with '.', 1 to CACHET__PATH_NAME_MAX bytes. False
 * with *why ("it holds '/'") when name breaks the rule.
 */
#define CACHET__PATH_NAME_MAX 128
bool cachet__path_name_check(const char *name, char *why, size_t size);
/* name for a message: bytes outside printable ASCII as \xNN, cut after 60
 * characters ("..."). size: at least 8. */
void cachet__name_show(char *out, size_t size, const char *name);
/* String array helpers. */
int cachet__strv_copy(char ***out, size_t *n, const char *const *src, size_t count);
void cachet__strv_free(char **v, size_t n);

#endif
