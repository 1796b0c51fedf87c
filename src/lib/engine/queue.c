/*
 * The scheduler's message queue: how workers (and cachet_run_cancel) reach
 * the scheduler thread. A worker appends a message with a snapshot of its
 * node's result under run->lock, then writes a byte to the wake pipe; the
 * scheduler (scheduler.c) polls the pipe and drains the queue. A file of
 * its own so that the workers' code (node.c) and the scheduler both use
 * it without using each other.
 */
#include "engine/queue.h"
#include "engine/run.h"

#include "util/alloc.h"
#include "util/clock.h"

#include <errno.h>
#include <unistd.h>

void cachet__run_wake(cachet_run *run)
{
	int saved = errno;
	char c = 'x';
	/* a full pipe already wakes the scheduler: a failed write is fine */
	ssize_t w = write(run->wake[1], &c, 1);
	(void)w;
	errno = saved;
}

/* cachet_run_cancel may run in a signal handler: only a lock-free atomic
 * is safe to store there. */
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "cancelling needs a lock-free atomic_bool");

void cachet_run_cancel(cachet_run *run)
{
	if (!run)
		return;
	atomic_store(&run->cancelled, true);
	cachet__run_wake(run);
}

void cachet__run_post(cachet_run *run, size_t node, cachet_event_kind kind)
{
	pthread_mutex_lock(&run->lock);
	if (run->n_msgs == run->cap_msgs) {
		size_t cap = run->cap_msgs ? run->cap_msgs * 2 : 64;
		run_msg *grown = cachet__reallocarray(run->msgs, cap, sizeof *grown);
		if (!grown) {
			/* Without memory the message cannot be queued. A FINISHED
			 * must arrive (the run would never end): wait for the
			 * scheduler to drain the queue and retry. */
			pthread_mutex_unlock(&run->lock);
			if (kind != CACHET_EVENT_NODE_FINISHED)
				return;
			for (;;) {
				cachet__run_wake(run);
				cachet__sleep_ms(10);
				pthread_mutex_lock(&run->lock);
				if (run->n_msgs < run->cap_msgs)
					break;
				pthread_mutex_unlock(&run->lock);
			}
		} else {
			run->msgs = grown;
			run->cap_msgs = cap;
		}
	}
	run->msgs[run->n_msgs].node = node;
	run->msgs[run->n_msgs].kind = kind;
	run->msgs[run->n_msgs].snap = run->nodes[node].res;
	run->n_msgs++;
	pthread_mutex_unlock(&run->lock);
	cachet__run_wake(run);
}
