/*
 * A run (run.c): its nodes, what the scheduler (scheduler.c) and the
 * workers share under its locks, a node's life (node.c) and its record
 * (record.c).
 */
#ifndef CACHET_ENGINE_RUN_H
#define CACHET_ENGINE_RUN_H

#include "cachet/engine.h"
#include "cachet/home.h"

#include "engine/graph.h"
#include "engine/queue.h"

#include "util/error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

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

/* The run's timers (run.c): the reservations' heartbeat, and the time
 * between SIGTERM and SIGKILL for a command stopped on timeout or cancel. */
int64_t cachet__heartbeat_ms(const cachet_run *run);
int64_t cachet__kill_grace_ms(const cachet_run *run);

/* ---- one node's life, on a worker thread (node.c) ---- */

/* Run one node to its end. Fills the node's result. */
void cachet__node_execute(cachet_run *run, run_node *n);

/* Set a node's result to failed with a message "node 'x': ..." (the
 * thread's last error when fmt is NULL). */
void cachet__node_fail(run_node *n, int status, const char *fmt, ...) CACHET__PRINTF(3, 4);

/* run.json: write the run's record atomically. */
int cachet__record_write(const cachet_run *run);

#endif
