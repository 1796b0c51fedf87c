/*
 * Running one command (spawn.c): a request says what to run, where, with
 * which environment and logs; two callbacks let the caller keep the child
 * under its timers. Nothing here knows of runs or nodes.
 */
#ifndef CACHET_ENGINE_SPAWN_H
#define CACHET_ENGINE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct cachet_spawn_request {
	const char *name;   /* the node, named by every message */
	char *const *argv;  /* argv[0]: a program in $PATH, or a path */
	const char *cwd;    /* the working directory (relative argv[0] too) */
	/* "NAME=value" added to the inherited environment; own_env wins
	 * over env, both over what is inherited */
	char *const *env;
	size_t n_env;
	char *const *own_env;
	size_t n_own_env;
	const char *stdout_path; /* created 0600, truncated */
	const char *stderr_path; /* also: its last line ends a failure's message */
	uint64_t timeout_ms;     /* for the message of a timeout only */
	int *exit_status; /* set when the child ended: its status, or -signal */
	/* Called once the child runs (its pid is its process group's id);
	 * from then on the caller may signal the group. */
	void (*on_started)(pid_t pid, void *payload);
	/* Called once the child exited, before it is reaped: the caller stops
	 * signalling it and says whether it was stopped on a timeout or a
	 * cancel (then the rest of its group is killed). */
	void (*on_exited)(pid_t pid, bool *timed_out, bool *cancelled, void *payload);
	void *payload;
} cachet_spawn_request;

/*
 * Run the request's command to its end. 0 when it exited with status 0;
 * else a negative code and the error names the node: not found, cannot
 * run, cancelled, timed out, exited with a status or killed by a signal.
 */
int cachet__spawn(const cachet_spawn_request *req);

#endif
