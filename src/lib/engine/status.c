/*
 * The names of node and run statuses, as run.json and the CLI show them.
 * A file of their own: the run record (record.c) reads and writes them
 * and the run (run.c) has no reason to know it.
 */
#include "cachet/engine.h"

const char *cachet_node_status_name(int status)
{
	switch (status) {
	case CACHET_NODE_PENDING: return "PENDING";
	case CACHET_NODE_RUNNING: return "RUNNING";
	case CACHET_NODE_SUCCEEDED: return "SUCCEEDED";
	case CACHET_NODE_FAILED: return "FAILED";
	case CACHET_NODE_SKIPPED: return "SKIPPED";
	case CACHET_NODE_ABORTED: return "ABORTED";
	default: return "UNKNOWN";
	}
}

const char *cachet_run_status_name(int status)
{
	switch (status) {
	case CACHET_RUN_CREATED: return "CREATED";
	case CACHET_RUN_RUNNING: return "RUNNING";
	case CACHET_RUN_SUCCEEDED: return "SUCCEEDED";
	case CACHET_RUN_FAILED: return "FAILED";
	case CACHET_RUN_ABORTED: return "ABORTED";
	default: return "UNKNOWN";
	}
}
