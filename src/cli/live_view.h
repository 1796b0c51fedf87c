/*
 * The live view of `cachet run` on a terminal: at the bottom of stderr, a
 * line of counts (done, hits, running, failed, time) and one line per
 * running node with what it is doing and for how long, redrawn in place
 * at most ten times a second. A node that fails leaves a line above the
 * view. Nothing is written when stderr is not a terminal, or when
 * CACHET_PROGRESS=never.
 */
#ifndef CACHET_CLI_LIVE_VIEW_H
#define CACHET_CLI_LIVE_VIEW_H

#include <cachet.h>

#include <stdio.h>

typedef struct live_view live_view;

/* A view for a run of the workflow named workflow, or NULL when there is
 * to be none (not a terminal, turned off, out of memory). */
live_view *live_view_new(const char *workflow);

/* The engine's event callback; payload is the live_view (may be NULL). */
void live_view_event(cachet_run *run, const cachet_run_event *ev, void *payload);

/* Erase the view and free it. NULL is a no-op. */
void live_view_free(live_view *v);

#endif
