/*
 * The scheduler's message queue (queue.c): how a worker, or
 * cachet_run_cancel, reaches the scheduler thread without calling it.
 */
#ifndef CACHET_ENGINE_QUEUE_H
#define CACHET_ENGINE_QUEUE_H

#include "cachet/engine.h"

#include <stddef.h>

/* A message from a worker to the scheduler. */
typedef struct run_msg {
	size_t node;
	cachet_event_kind kind;
	cachet_node_result snap; /* the worker's copy when it posted */
} run_msg;

/* Post a message to the scheduler (takes run->lock): a snapshot of the
 * node's worker-side result. */
void cachet__run_post(cachet_run *run, size_t node, cachet_event_kind kind);
/* Wake the scheduler (async-signal-safe). */
void cachet__run_wake(cachet_run *run);

#endif
