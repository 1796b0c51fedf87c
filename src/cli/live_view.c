/*
 * The live view: a block of lines at the bottom of the terminal, erased
 * and redrawn in place with two ANSI sequences (cursor up N lines to
 * column 1, clear to the end of the screen). The engine calls us on its
 * calling thread, one event at a time, so no locking is needed.
 */
#include "live_view.h"

#include "run_report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define REDRAW_MS 100

typedef struct running_node {
	const char *name; /* owned by the run, valid while it runs */
	const char *state;
	int64_t since_ms;
} running_node;

struct live_view {
	char *workflow;
	running_node *running;
	size_t n_running, cap_running;
	cachet_run_counts counts;
	int64_t started_ms;
	int64_t drawn_at_ms;
	int drawn_lines; /* lines of the view now on the screen */
};

live_view *live_view_new(const char *workflow)
{
	const char *mode = getenv("CACHET_PROGRESS");
	if (!isatty(STDERR_FILENO) || (mode != NULL && strcmp(mode, "never") == 0))
		return NULL;
	live_view *v = calloc(1, sizeof *v);
	if (v != NULL && (v->workflow = strdup(workflow ? workflow : "")) == NULL) {
		free(v);
		v = NULL;
	}
	return v;
}

static void terminal_size(int *cols, int *rows)
{
	struct winsize ws;
	*cols = 80;
	*rows = 24;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

static void erase(live_view *v)
{
	if (v->drawn_lines > 0)
		fprintf(stderr, "\033[%dF\033[J", v->drawn_lines);
	v->drawn_lines = 0;
}

/* One line, cut to the terminal's width (bytes: names are mostly ASCII,
 * and a cut multi-byte name only costs a wrong glyph at the edge). */
static void line(int cols, const char *text)
{
	int len = (int)strlen(text);
	if (len > cols - 1)
		len = cols - 1;
	fprintf(stderr, "%.*s\n", len, text);
}

static void draw(live_view *v, int64_t now_ms)
{
	const cachet_run_counts *c = &v->counts;
	char buf[512], dur[32];
	int cols, rows;

	terminal_size(&cols, &rows);
	erase(v);
	report_format_duration(dur, sizeof dur, now_ms - v->started_ms);
	size_t done = c->succeeded + c->failed + c->skipped + c->aborted;
	int n = snprintf(buf, sizeof buf, "%s: %zu/%zu done (%zu hit), %zu running, %zu failed",
			 v->workflow, done, c->total, c->hits, c->running, c->failed);
	if (c->skipped && n > 0 && (size_t)n < sizeof buf)
		n += snprintf(buf + n, sizeof buf - (size_t)n, ", %zu skipped", c->skipped);
	if (n > 0 && (size_t)n < sizeof buf)
		snprintf(buf + n, sizeof buf - (size_t)n, "  %s", dur);
	line(cols, buf);
	v->drawn_lines = 1;

	/* the running nodes, as many as fit below the counts */
	size_t room = rows > 4 ? (size_t)rows - 3 : 1;
	for (size_t i = 0; i < v->n_running; i++) {
		if (i == room && v->n_running > room) {
			snprintf(buf, sizeof buf, "  ... and %zu more", v->n_running - room);
			line(cols, buf);
			v->drawn_lines++;
			break;
		}
		report_format_duration(dur, sizeof dur, now_ms - v->running[i].since_ms);
		snprintf(buf, sizeof buf, "  %-20s %-10s %s", v->running[i].name, v->running[i].state,
			 dur);
		line(cols, buf);
		v->drawn_lines++;
	}
	fflush(stderr);
	v->drawn_at_ms = now_ms;
}

static running_node *find(live_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_running; i++)
		if (strcmp(v->running[i].name, name) == 0)
			return &v->running[i];
	return NULL;
}

static void set_state(live_view *v, const cachet_node_result *n, const char *state,
		      int64_t now_ms)
{
	running_node *r = find(v, n->name);
	if (r == NULL) {
		if (v->n_running == v->cap_running) {
			size_t cap = v->cap_running ? v->cap_running * 2 : 16;
			running_node *grown = realloc(v->running, cap * sizeof *grown);
			if (grown == NULL)
				return; /* the view is a courtesy: skip the line */
			v->running = grown;
			v->cap_running = cap;
		}
		r = &v->running[v->n_running++];
		r->name = n->name;
		r->since_ms = now_ms;
	}
	r->state = state;
}

static void finish(live_view *v, const cachet_node_result *n)
{
	running_node *r = find(v, n->name);
	if (r != NULL) {
		size_t i = (size_t)(r - v->running);
		memmove(r, r + 1, (v->n_running - i - 1) * sizeof *r);
		v->n_running--;
	}
	if (n->status == CACHET_NODE_FAILED) {
		/* a line that stays, above the view */
		erase(v);
		if (n->error)
			fprintf(stderr, "FAILED %s\n", n->error); /* the error names the node */
		else
			fprintf(stderr, "FAILED node '%s'\n", n->name);
	}
}

void live_view_event(cachet_run *run, const cachet_run_event *ev, void *payload)
{
	live_view *v = payload;
	(void)run;

	if (v == NULL)
		return;
	if (ev->counts != NULL)
		v->counts = *ev->counts;
	switch (ev->kind) {
	case CACHET_EVENT_RUN_STARTED:
		v->started_ms = ev->now_ms;
		break;
	case CACHET_EVENT_NODE_STARTED:
		set_state(v, ev->node, "looking up", ev->now_ms);
		break;
	case CACHET_EVENT_NODE_WAITING:
		set_state(v, ev->node, "waiting", ev->now_ms);
		break;
	case CACHET_EVENT_NODE_EXECUTING:
		set_state(v, ev->node, "running", ev->now_ms);
		break;
	case CACHET_EVENT_NODE_FINISHED:
		finish(v, ev->node);
		break;
	case CACHET_EVENT_RUN_FINISHED:
		erase(v);
		fflush(stderr);
		return;
	case CACHET_EVENT_TICK:
	default:
		break;
	}
	if (v->drawn_lines == 0 || ev->now_ms - v->drawn_at_ms >= REDRAW_MS)
		draw(v, ev->now_ms);
}

void live_view_free(live_view *v)
{
	if (v == NULL)
		return;
	erase(v);
	fflush(stderr);
	free(v->running);
	free(v->workflow);
	free(v);
}
