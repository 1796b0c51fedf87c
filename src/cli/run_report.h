/*
 * How `cachet run` and `cachet runs` show a run: both read the run's
 * record (run.json, written by the engine), so a run looks the same at the
 * end of `cachet run` and in `cachet runs show` later.
 */
#ifndef CACHET_CLI_RUN_REPORT_H
#define CACHET_CLI_RUN_REPORT_H

#include <cachet.h>
#include <jansson.h>

#include <stdio.h>

/* "12 ms", "1.3 s", "2m05s", "1h02m" */
void report_format_duration(char *out, size_t size, int64_t ms);

/* A cache status without Flyte's "CACHE_" prefix: "HIT", "POPULATED". */
const char *report_cache_status(int status);

/*
 * The summary `cachet run` prints: a line naming the run, a table of the
 * nodes (node, task, status, cache, duration) and the workflow's outputs.
 */
int report_print_summary(FILE *out, const cachet_run_record *rec);

/* Everything `cachet runs show` prints: the summary's facts plus, per
 * node, its key, outputs, logs and error. */
int report_print_details(FILE *out, const cachet_run_record *rec);

/*
 * The run as one JSON object (docs in README: `cachet run --json`):
 * id, workflow, project, domain, status, times, dir, prefix, error,
 * inputs and outputs as LiteralMaps in protobuf JSON, and the nodes with
 * their statuses, keys, durations, logs, errors and output LiteralMaps.
 * NULL (after printing the error) on failure.
 */
json_t *report_json(const cachet_run_record *rec);


/* Print a JSON value on one line followed by a newline; CLI status. */
int report_dump_json(FILE *out, json_t *value);

#endif
