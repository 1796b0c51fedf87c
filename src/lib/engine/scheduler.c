/*
 * Running a workflow: the scheduler and its workers.
 *
 * The thread that calls cachet_run_execute is the scheduler. It owns the
 * graph's bookkeeping and is the only one to call the event callback, so
 * a live view needs no locking. Workers (a pool of `jobs` threads) take
 * ready nodes from a queue and run them to the end (cachet__node_execute);
 * they report progress as messages (with a snapshot of the node's result)
 * and wake the scheduler through a pipe (queue.c). The same pipe is what
 * cachet_run_cancel writes to, which makes cancelling async-signal-safe.
 *
 * Timers live in the scheduler too: command timeouts and the SIGTERM ->
 * SIGKILL escalation (it signals the process groups the workers spawned)
 * and reservation heartbeats.
 */
#include "engine/context.h"
#include "engine/graph.h"
#include "engine/queue.h"
#include "engine/run.h"
#include "engine/util.h"

#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/os.h"
#include "util/warning.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The scheduler looks at its timers at least this often. */
#define MAX_SLEEP_MS 1000

/* ---------------------------------------------------------------------- */
/* Workers                                                                */

typedef struct worker_arg {
	cachet_run *run;
	size_t slot;
} worker_arg;

static void *worker_main(void *p)
{
	worker_arg *wa = p;
	cachet_run *run = wa->run;
	size_t slot = wa->slot;

	cachet__free(wa);
	pthread_mutex_lock(&run->lock);
	for (;;) {
		size_t idx;
		while (!run->stopping && run->ready_head == run->n_ready)
			pthread_cond_wait(&run->work_cond, &run->lock);
		if (run->stopping)
			break;
		idx = run->ready[run->ready_head++];
		run->nodes[idx].taken = true;
		run->current[slot] = idx;
		pthread_mutex_unlock(&run->lock);

		cachet__node_execute(run, &run->nodes[idx]);

		pthread_mutex_lock(&run->lock);
		run->current[slot] = SIZE_MAX;
		pthread_mutex_unlock(&run->lock);
		cachet__run_post(run, idx, CACHET_EVENT_NODE_FINISHED);
		pthread_mutex_lock(&run->lock);
	}
	pthread_mutex_unlock(&run->lock);
	return NULL;
}

static int start_workers(cachet_run *run)
{
	size_t want = run->jobs < run->n_nodes ? run->jobs : run->n_nodes;

	if (!want)
		return 0;
	if (!(run->threads = cachet__calloc(want, sizeof *run->threads)) ||
	    !(run->current = cachet__calloc(want, sizeof *run->current)))
		return CACHET_ENOMEM;
	for (size_t i = 0; i < want; i++)
		run->current[i] = SIZE_MAX;
	for (size_t i = 0; i < want; i++) {
		worker_arg *wa = cachet__malloc(sizeof *wa);
		int err;
		if (!wa)
			break;
		wa->run = run;
		wa->slot = i;
		if ((err = pthread_create(&run->threads[i], NULL, worker_main, wa)) != 0) {
			cachet__free(wa);
			if (!run->n_threads)
				return cachet__error(CACHET_ERROR, "cannot start a thread: %s",
						     cachet__strerror(err));
			break; /* run with fewer workers */
		}
		run->n_threads++;
	}
	return run->n_threads ? 0 : CACHET_ENOMEM;
}

static void stop_workers(cachet_run *run)
{
	pthread_mutex_lock(&run->lock);
	run->stopping = true;
	pthread_cond_broadcast(&run->work_cond);
	pthread_mutex_unlock(&run->lock);
	for (size_t i = 0; i < run->n_threads; i++)
		pthread_join(run->threads[i], NULL);
}

/* ---------------------------------------------------------------------- */
/* Events and bookkeeping (scheduler thread)                              */

static void fire(cachet_run *run, cachet_event_kind kind, const cachet_node_result *node)
{
	cachet_run_event ev;

	if (!run->opts.on_event)
		return;
	ev.kind = kind;
	ev.node = node;
	ev.counts = &run->counts;
	ev.now_ms = cachet__now_ms();
	run->opts.on_event(run, &ev, run->opts.event_payload);
}

static void count_finished(cachet_run *run, const run_node *n)
{
	switch (n->pub.status) {
	case CACHET_NODE_SUCCEEDED:
		run->counts.succeeded++;
		if (n->pub.cache_status == CACHET_CACHE_HIT)
			run->counts.hits++;
		break;
	case CACHET_NODE_FAILED: run->counts.failed++; break;
	case CACHET_NODE_SKIPPED: run->counts.skipped++; break;
	default: run->counts.aborted++; break;
	}
}

static void enqueue(cachet_run *run, size_t idx)
{
	pthread_mutex_lock(&run->lock);
	run->ready[run->n_ready++] = idx;
	pthread_cond_signal(&run->work_cond);
	pthread_mutex_unlock(&run->lock);
}

/* Finish a node that never ran: SKIPPED (an upstream failure) or ABORTED
 * (a cancel). cause: the node that failed first, or NULL. */
static void finish_unrun(cachet_run *run, run_node *n, int status, const char *cause)
{
	char msg[1024];

	n->pub.status = status;
	n->pub.cache_status = CACHET_CACHE_SKIPPED;
	if (status == CACHET_NODE_SKIPPED)
		snprintf(msg, sizeof msg, "node '%s': skipped: upstream node '%s' failed",
			 n->pub.name, cause ? cause : "?");
	else
		snprintf(msg, sizeof msg, "node '%s': aborted: the run was cancelled", n->pub.name);
	if ((n->error = cachet__strdup(msg)))
		n->pub.error = n->error;
	n->pub.finished_at_ms = cachet__now_ms();
	n->res = n->pub;
	n->finished = true;
	run->counts.pending--;
	count_finished(run, n);
	fire(run, CACHET_EVENT_NODE_FINISHED, &n->pub);
}

/* The node that failed first, behind a skipped node. */
static const char *root_cause(const cachet_run *run, const run_node *n)
{
	/* a skipped node's error names it: "...upstream node 'x' failed" */
	if (n->pub.status == CACHET_NODE_SKIPPED && n->error) {
		const char *p = strstr(n->error, "upstream node '");
		if (p) {
			for (size_t i = 0; i < n->n_ups; i++) {
				const run_node *u = &run->nodes[n->ups[i]];
				size_t len = strlen(u->pub.name);
				if (!strncmp(p + 15, u->pub.name, len) && p[15 + len] == '\'')
					return root_cause(run, u);
			}
		}
	}
	return n->pub.name;
}

/* A node finished: release or skip what depends on it, transitively. */
static void propagate(cachet_run *run, size_t start, size_t *stack, bool cancelling)
{
	size_t depth = 0;

	stack[depth++] = start;
	while (depth) {
		run_node *n = &run->nodes[stack[--depth]];
		for (size_t k = 0; k < n->n_downs; k++) {
			run_node *d = &run->nodes[n->downs[k]];
			if (d->finished)
				continue;
			if (n->pub.status == CACHET_NODE_SUCCEEDED) {
				if (--d->n_waiting)
					continue;
				if (cancelling) {
					finish_unrun(run, d, CACHET_NODE_ABORTED, NULL);
					stack[depth++] = d->index;
				} else {
					enqueue(run, d->index);
				}
				continue;
			}
			if (n->pub.status == CACHET_NODE_ABORTED || cancelling)
				finish_unrun(run, d, CACHET_NODE_ABORTED, NULL);
			else
				finish_unrun(run, d, CACHET_NODE_SKIPPED, root_cause(run, n));
			stack[depth++] = d->index;
		}
	}
}

static void apply(cachet_run *run, const run_msg *m, size_t *stack, bool cancelling)
{
	run_node *n = &run->nodes[m->node];

	n->pub = m->snap;
	switch (m->kind) {
	case CACHET_EVENT_NODE_STARTED:
		run->counts.pending--;
		run->counts.running++;
		fire(run, m->kind, &n->pub);
		break;
	case CACHET_EVENT_NODE_FINISHED:
		run->counts.running--;
		n->finished = true;
		count_finished(run, n);
		fire(run, m->kind, &n->pub);
		propagate(run, m->node, stack, cancelling);
		break;
	default: fire(run, m->kind, &n->pub); break;
	}
}

/* Cancel: abort what has not started, signal what runs. */
static void handle_cancel(cachet_run *run, size_t *stack)
{
	size_t n_abort = 0;
	int64_t now = cachet__monotonic_ms();

	pthread_mutex_lock(&run->lock);
	run->ready_head = run->n_ready; /* nobody takes those now */
	for (size_t i = 0; i < run->n_nodes; i++)
		if (!run->nodes[i].finished && !run->nodes[i].taken)
			stack[n_abort++] = i;
	for (size_t w = 0; w < run->n_threads; w++) {
		run_node *n;
		if (run->current[w] == SIZE_MAX)
			continue;
		n = &run->nodes[run->current[w]];
		if (n->pid > 0 && !n->kill_at_ms) {
			kill(-n->pid, SIGTERM);
			n->kill_at_ms = now + cachet__kill_grace_ms(run);
		}
	}
	pthread_mutex_unlock(&run->lock);
	/* stack doubles as the list; abort from the end so that the
	 * propagation below (which reuses stack) finds them finished */
	for (size_t k = n_abort; k-- > 0;) {
		run_node *n = &run->nodes[stack[k]];
		if (!n->finished)
			finish_unrun(run, n, CACHET_NODE_ABORTED, NULL);
	}
}

/* Timeouts, kills and heartbeats; returns ms until the next one is due
 * (or MAX_SLEEP_MS). */
static int64_t run_timers(cachet_run *run)
{
	int64_t now = cachet__monotonic_ms(), next = now + MAX_SLEEP_MS;
	int64_t hb = cachet__heartbeat_ms(run);

	pthread_mutex_lock(&run->lock);
	for (size_t w = 0; w < run->n_threads; w++) {
		run_node *n;
		if (run->current[w] == SIZE_MAX)
			continue;
		n = &run->nodes[run->current[w]];
		if (n->pid > 0) {
			if (n->deadline_ms && !n->kill_at_ms) {
				if (now >= n->deadline_ms) {
					n->timed_out = true;
					kill(-n->pid, SIGTERM);
					n->kill_at_ms = now + cachet__kill_grace_ms(run);
				} else if (n->deadline_ms < next) {
					next = n->deadline_ms;
				}
			}
			if (n->kill_at_ms && n->kill_at_ms != INT64_MAX) {
				if (now >= n->kill_at_ms) {
					kill(-n->pid, SIGKILL);
					n->kill_at_ms = INT64_MAX;
				} else if (n->kill_at_ms < next) {
					next = n->kill_at_ms;
				}
			}
		}
		if (n->reserved && run->catalog) {
			/* extend at half the heartbeat; under both locks so
			 * that a release cannot slip between (see node.c) */
			if (now - n->heartbeat_at_ms >= hb / 2) {
				cachet_reservation r = CACHET_RESERVATION_INIT;
				pthread_mutex_lock(&run->catalog_lock);
				if (cachet_catalog_reserve(&r, run->catalog, &n->key, run->owner,
							   hb) < 0 ||
				    !r.acquired)
					cachet__warn("node '%s': cannot extend the reservation: %s",
						     n->pub.name,
						     r.owner_id ? "another owner holds it"
								: cachet_error_last()->message);
				pthread_mutex_unlock(&run->catalog_lock);
				cachet_reservation_dispose(&r);
				n->heartbeat_at_ms = now;
			}
			if (n->heartbeat_at_ms + hb / 2 < next)
				next = n->heartbeat_at_ms + hb / 2;
		}
	}
	pthread_mutex_unlock(&run->lock);
	return next - now;
}

/* ---------------------------------------------------------------------- */
/* Workflow inputs that are local data get their hash before any node
 * runs, through the stat cache: an unchanged file is not read again. */

static int hash_literal(cachet_run *run, cachet_literal *lit, int depth)
{
	cachet_hash_options ho = CACHET_HASH_OPTIONS_INIT;
	const char *path;
	int rc;

	if (depth > CACHET_MAX_DEPTH)
		return 0;
	if (lit->kind == CACHET_LITERAL_COLLECTION) {
		for (size_t i = 0; i < lit->collection->n_literals; i++)
			if ((rc = hash_literal(run, lit->collection->literals[i], depth + 1)) < 0)
				return rc;
		return 0;
	}
	if (lit->kind == CACHET_LITERAL_MAP) {
		for (size_t i = 0; i < lit->map->n_literals; i++)
			if ((rc = hash_literal(run, lit->map->literals[i].value, depth + 1)) < 0)
				return rc;
		return 0;
	}
	if (cachet_str_len(lit->hash) > 0 || cachet_literal_data_kind(lit) == CACHET_DATA_NONE)
		return 0;
	if (lit->scalar->kind == CACHET_SCALAR_UNION)
		return hash_literal(run, lit->scalar->union_->value, depth + 1);
	if (!(path = cachet__file_uri_path(cachet_literal_uri(lit))))
		return 0; /* not local: the key follows the URI */
	ho.digest = run->opts.digest;
	ho.stat_cache = run->stat_cache;
	return cachet_literal_fill_hash(lit, path, NULL, &ho);
}

static int hash_inputs(cachet_run *run)
{
	for (size_t i = 0; i < run->wf->n_inputs; i++) {
		cachet_literal *lit = cachet_literal_map_get(run->inputs, run->wf->inputs[i]->name);
		int rc;
		if (!lit || hash_literal(run, lit, 0) == 0)
			continue;
		rc = cachet_error_last()->code;
		if (rc == CACHET_ENOMEM)
			return rc;
		/* the nodes that read this input fail; the others run */
		if (!(run->input_errors[i] = cachet__strdup(cachet_error_last()->message)))
			return CACHET_ENOMEM;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */

static int collect_outputs(cachet_run *run)
{
	cachet_literal_map *m = NULL;
	int rc;

	if ((rc = cachet_literal_map_new(&m)) < 0)
		return rc;
	for (size_t i = 0; i < run->wf->n_outputs; i++) {
		const wf_binding *b = run->wf->outputs[i];
		const cachet_literal *src = NULL;
		cachet_literal *copy = NULL;
		switch (b->info.src.kind) {
		case CACHET_SOURCE_INPUT: src = cachet_literal_map_get(run->inputs, b->src_name); break;
		case CACHET_SOURCE_OUTPUT: {
			size_t k = cachet__workflow_find_node(run->wf, b->src_node);
			src = run->nodes[k].outputs
				      ? cachet_literal_map_get(run->nodes[k].outputs, b->src_name)
				      : NULL;
			break;
		}
		case CACHET_SOURCE_CONSTANT: src = b->value; break;
		}
		if (!src)
			continue;
		if ((rc = cachet_literal_copy(&copy, src)) < 0 ||
		    (rc = cachet_literal_map_set(m, b->input, copy)) < 0) {
			cachet_literal_map_free(m);
			return rc;
		}
	}
	run->outputs = m;
	return 0;
}

static void drain_pipe(cachet_run *run)
{
	char buf[256];
	while (read(run->wake[0], buf, sizeof buf) > 0)
		;
}

int cachet_run_execute(cachet_run *run)
{
	size_t *stack = NULL, n_done = 0, n_batch = 0, batch_cap = 0;
	run_msg *batch = NULL;
	bool cancel_seen = false;
	int64_t next_tick = 0;
	int rc = 0;

	if (!run)
		return cachet__error(CACHET_EINVALID, "cachet_run_execute: run is NULL");
	if (run->executed)
		return cachet__error(CACHET_EINVALID, "run %s was executed already", run->id);
	run->executed = true;
	run->status = CACHET_RUN_RUNNING;
	if (run->n_nodes && (!(run->ready = cachet__calloc(run->n_nodes, sizeof *run->ready)) ||
			     !(stack = cachet__calloc(run->n_nodes, sizeof *stack)))) {
		rc = CACHET_ENOMEM;
		goto finish;
	}
	if ((rc = hash_inputs(run)) < 0)
		goto finish;
	fire(run, CACHET_EVENT_RUN_STARTED, NULL);
	if ((rc = start_workers(run)) < 0)
		goto finish;
	for (size_t i = 0; i < run->n_nodes; i++) {
		run->nodes[i].n_waiting = run->nodes[i].n_ups;
		if (!run->nodes[i].n_ups)
			enqueue(run, i);
	}
	if (run->opts.tick_ms)
		next_tick = cachet__monotonic_ms() + run->opts.tick_ms;

	while (n_done < run->n_nodes) {
		int64_t wait = run_timers(run);
		struct pollfd pfd = {run->wake[0], POLLIN, 0};

		if (run->opts.tick_ms) {
			int64_t until_tick = next_tick - cachet__monotonic_ms();
			if (until_tick < wait)
				wait = until_tick;
		}
		if (wait < 0)
			wait = 0;
		if (!run->cancelled || cancel_seen)
			(void)poll(&pfd, 1, (int)wait);
		drain_pipe(run);
		if (run->cancelled && !cancel_seen) {
			cancel_seen = true;
			handle_cancel(run, stack);
		}
		/* take the messages in one go (swapping buffers); apply them
		 * without the lock */
		pthread_mutex_lock(&run->lock);
		{
			run_msg *tmp = batch;
			size_t tmp_cap = batch_cap;
			batch = run->msgs;
			n_batch = run->n_msgs;
			batch_cap = run->cap_msgs;
			run->msgs = tmp;
			run->cap_msgs = tmp_cap;
			run->n_msgs = 0;
		}
		pthread_mutex_unlock(&run->lock);
		for (size_t k = 0; k < n_batch; k++)
			apply(run, &batch[k], stack, cancel_seen);
		n_done = run->counts.succeeded + run->counts.failed + run->counts.skipped +
			 run->counts.aborted;
		if (run->opts.tick_ms && cachet__monotonic_ms() >= next_tick) {
			fire(run, CACHET_EVENT_TICK, NULL);
			next_tick = cachet__monotonic_ms() + run->opts.tick_ms;
		}
	}
	stop_workers(run);

finish:
	if (run->n_threads && !run->stopping)
		stop_workers(run);
	cachet__free(stack);
	cachet__free(batch);
	run->finished_at_ms = cachet__now_ms();
	if (rc == 0) {
		const run_node *failed = NULL;
		for (size_t i = 0; i < run->n_nodes && !failed; i++)
			if (run->nodes[i].pub.status == CACHET_NODE_FAILED)
				failed = &run->nodes[i];
		if (run->cancelled) {
			run->status = CACHET_RUN_ABORTED;
			rc = cachet__error(CACHET_ERROR, "run cancelled");
		} else if (failed) {
			run->status = CACHET_RUN_FAILED;
			rc = cachet__error(CACHET_ERROR, "%s",
					   failed->pub.error ? failed->pub.error : "a node failed");
		} else if ((rc = collect_outputs(run)) == 0) {
			run->status = CACHET_RUN_SUCCEEDED;
		} else {
			run->status = CACHET_RUN_FAILED;
		}
	} else {
		run->status = CACHET_RUN_FAILED;
	}
	if (rc < 0 && !run->error)
		run->error = cachet__strdup(cachet_error_last()->message);
	{
		/* keep the run's error as the thread's error after writing */
		int code = cachet_error_last()->code;
		int wrc = cachet__record_write(run);
		if (wrc < 0 && rc == 0)
			rc = wrc;
		else if (rc < 0 && run->error)
			cachet__error(code, "%s", run->error);
	}
	fire(run, CACHET_EVENT_RUN_FINISHED, NULL);
	return rc;
}
