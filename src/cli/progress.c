/*
 * The progress bar of progress.h. Rendering is a pure function (tested on
 * its own); the rest decides when to draw: on a terminal only, once the
 * work is big, at most ten times a second.
 */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define BIG_BYTES (1ull << 30) /* show at once for work this large ... */
#define BIG_SECONDS 1.0        /* ... or once it has run this long */
#define REDRAW_SECONDS 0.1

enum mode { MODE_AUTO, MODE_NEVER, MODE_ALWAYS };

struct cli_progress {
	char *label;
	bool tty;
	enum mode mode;
	bool shown;
	double start, last_draw;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_format_bytes(char *out, size_t size, double bytes)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
	if (bytes < 1024) {
		snprintf(out, size, "%.0f B", bytes);
		return;
	}
	size_t u = 0;
	bytes /= 1024;
	while (bytes >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, size, "%.1f %s", bytes, units[u]);
}

static void format_duration(char *out, size_t size, double seconds)
{
	unsigned long s = (unsigned long)(seconds + 0.5);
	if (s >= 3600)
		snprintf(out, size, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, size, "%lu:%02lu", s / 60, s % 60);
}

/* Columns of a UTF-8 string, counting one per character. */
static size_t columns(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The last `keep` characters of s (a pointer into s). */
static const char *last_columns(const char *s, size_t keep)
{
	size_t skip = columns(s) - keep;
	while (skip > 0 || ((unsigned char)*s & 0xC0) == 0x80) {
		if (((unsigned char)*s & 0xC0) != 0x80)
			skip--;
		s++;
	}
	/* s is on the first byte after the skipped characters */
	return s;
}

const char *cli_progress_render(char *out, size_t size, const char *label, uint64_t done,
				uint64_t total, double elapsed_s, unsigned width)
{
	char d[24], t[24], r[24], eta[24], stats[128], bar[64], name[512];
	double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0;
	size_t avail = (width < 20 ? 20 : width) - 1, fixed, rest, label_cols, bar_w = 0;

	cli_format_bytes(d, sizeof(d), (double)done);
	cli_format_bytes(r, sizeof(r), rate);
	if (total > 0) {
		cli_format_bytes(t, sizeof(t), (double)total);
		if (done >= total)
			snprintf(eta, sizeof(eta), "0:00");
		else if (rate > 0)
			format_duration(eta, sizeof(eta), (double)(total - done) / rate);
		else
			snprintf(eta, sizeof(eta), "--:--");
		snprintf(stats, sizeof(stats), "%s / %s  %s/s  ETA %s", d, t, r, eta);
		fixed = 2 + 4 + 2 + 2 + strlen(stats); /* "  " "42%" " [" "] " stats */
	} else {
		snprintf(stats, sizeof(stats), "%s  %s/s", d, r);
		fixed = 2 + strlen(stats);
	}
	rest = avail > fixed ? avail - fixed : 0;
	label_cols = columns(label);
	if (total > 0) {
		/* the bar takes what the label leaves, between 10 and 30 */
		bar_w = rest > label_cols ? rest - label_cols : 0;
		bar_w = bar_w < 10 ? 10 : bar_w > 30 ? 30 : bar_w;
		rest = rest > bar_w ? rest - bar_w : 0;
	}
	if (label_cols <= rest) {
		snprintf(name, sizeof(name), "%s", label);
	} else if (rest > 3) {
		snprintf(name, sizeof(name), "...%s", last_columns(label, rest - 3));
	} else {
		name[0] = '\0';
	}

	if (total == 0) {
		snprintf(out, size, "%s  %s", name, stats);
		return out;
	}
	uint64_t shown = done > total ? total : done;
	int pct = (int)((double)shown * 100.0 / (double)total);
	size_t filled = (size_t)((double)shown * (double)bar_w / (double)total);
	for (size_t i = 0; i < bar_w; i++)
		bar[i] = i < filled ? '=' : ' ';
	if (filled < bar_w && filled > 0)
		bar[filled - 1] = '>';
	bar[bar_w] = '\0';
	snprintf(out, size, "%s  %3d%% [%s] %s", name, pct, bar, stats);
	return out;
}

cli_progress *cli_progress_new(const char *label)
{
	cli_progress *p = calloc(1, sizeof(*p));
	const char *m = getenv("CACHET_PROGRESS");

	if (p == NULL || (p->label = strdup(label ? label : "")) == NULL) {
		free(p);
		return NULL;
	}
	p->tty = isatty(STDERR_FILENO) == 1;
	p->mode = m && strcmp(m, "never") == 0    ? MODE_NEVER
		  : m && strcmp(m, "always") == 0 ? MODE_ALWAYS
						  : MODE_AUTO;
	p->start = now_s();
	return p;
}

static unsigned terminal_width(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

void cli_progress_update(uint64_t done, uint64_t total, void *payload)
{
	cli_progress *p = payload;
	char line[1024];

	if (p == NULL || !p->tty || p->mode == MODE_NEVER)
		return;
	double now = now_s(), elapsed = now - p->start;
	if (!p->shown) {
		if (p->mode != MODE_ALWAYS && total < BIG_BYTES && elapsed < BIG_SECONDS)
			return;
		p->shown = true;
	} else if (now - p->last_draw < REDRAW_SECONDS && done < total) {
		return;
	}
	p->last_draw = now;
	cli_progress_render(line, sizeof(line), p->label, done, total, elapsed, terminal_width());
	/* back to the line's start, the line, erase what an older one left */
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
}

void cli_progress_free(cli_progress *p)
{
	if (p == NULL)
		return;
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	free(p->label);
	free(p);
}
