/*
 * A task's context (context.c): the inputs it reads and the outputs it
 * leaves, collected afterwards (outputs.c) and confined to the node's
 * directory (confine.c).
 */
#ifndef CACHET_ENGINE_CONTEXT_H
#define CACHET_ENGINE_CONTEXT_H

#include "engine/run.h"

#include <sys/stat.h>

/* C and command tasks: the node's outputs after the task ran. */
typedef struct task_ctx_output {
	const char *name; /* the interface's */
	cachet_literal *lit; /* set directly, or NULL */
	char *path;          /* handed out by cachet_task_output_path */
} task_ctx_output;

struct cachet_task_context {
	cachet_run *run;
	run_node *node;
	task_ctx_output *outs; /* one per declared output, in interface order */
	size_t n_outs;
	char **input_paths; /* per input, downloaded or resolved local paths */
	size_t n_downloads;
	char *fail_message;
};

int cachet__context_init(cachet_task_context *ctx, cachet_run *run, run_node *n);
void cachet__context_dispose(cachet_task_context *ctx);
/* The local path of the data of input i (resolving, downloading). */
int cachet__context_input_path(const char **out, cachet_task_context *ctx, size_t i);
/* The local path of any data literal (a new string); hint names a
 * download. Errors do not name the node. */
int cachet__context_local_path(char **out, cachet_task_context *ctx, const cachet_literal *lit,
			       const char *hint);
/* The output slot named name, or NULL. */
task_ctx_output *cachet__context_output(cachet_task_context *ctx, const char *name);
/* The output path of slot o (created parent, not the file). */
int cachet__context_output_path(const char **out, cachet_task_context *ctx, task_ctx_output *o);

/*
 * Turn what the task left (set literals, written paths) into the node's
 * outputs: read scalars back, offload data while hashing, apply hash
 * methods, check the types. On failure the node's error is set.
 */
int cachet__collect_outputs(cachet_literal_map **out, cachet_task_context *ctx, bool command);

/*
 * Confining outputs to the node's directory (confine.c). Open <node
 * dir>/out, following no link from the run's directory down
 * (CACHET_ENOTFOUND when it is gone). Then what output name in it is, at
 * path (shown in messages): a symbolic link is followed only when it leads
 * inside the node's directory, else CACHET_EINVALID; CACHET_ENOTFOUND,
 * without a message, when there is nothing.
 */
int cachet__out_dir_open(int *fd, const cachet_run *run, const run_node *n);
int cachet__out_stat(struct stat *st, int out_fd, const run_node *n, const char *name,
		     const char *path);

#endif
