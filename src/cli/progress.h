/*
 * A progress bar on stderr for long work (`cachet hash`, `cachet
 * offload`): bytes done, rate, time left.
 *
 * Shown only when stderr is a terminal, and only once the work is big:
 * at least 1 GiB to read, or still running after 1 second. Nothing at all
 * is written when stderr is not a terminal. The environment variable
 * CACHET_PROGRESS=never turns it off; CACHET_PROGRESS=always shows it from
 * the start whatever the size (still only on a terminal).
 */
#ifndef CACHET_CLI_PROGRESS_H
#define CACHET_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cli_progress cli_progress;

/* A bar for work named label (a path, say; copied). NULL when out of
 * memory, which callers may treat as "no bar": every function accepts
 * NULL. */
cli_progress *cli_progress_new(const char *label);

/* A cachet_progress_fn: payload is the cli_progress. */
void cli_progress_update(uint64_t done, uint64_t total, void *payload);

/* Erase the bar (if it was shown) and free p. */
void cli_progress_free(cli_progress *p);

/*
 * The bar's line for a terminal `width` columns wide, into out (size
 * bytes), without control characters:
 *   "data.bin  42% [========>           ] 1.3 GiB / 3.0 GiB  850.0 MiB/s  ETA 0:03"
 * The label is cut (keeping its end) and the bar narrowed to fit width-1
 * columns; with total 0 (unknown) there is no percentage, bar or ETA.
 * Returns out.
 */
const char *cli_progress_render(char *out, size_t size, const char *label, uint64_t done,
				uint64_t total, double elapsed_s, unsigned width);

/* "512 B", "1.5 KiB", "3.0 GiB". */
void cli_format_bytes(char *out, size_t size, double bytes);

#endif
