/*
 * cachet/workflow.h - workflow files: a workflow written in YAML (tasks
 * that are commands, nodes, bindings, inputs with defaults, outputs),
 * loaded into the engine's cachet_workflow (engine.h).
 *
 * docs/workflow-format.md is the reference of the format. In short:
 *
 *   workflow: wf
 *   project: examples
 *   inputs:  {a: int, b: {type: str, default: x}}
 *   outputs: {rows: "{{bar.outputs.rows}}"}
 *   tasks:
 *     bar:
 *       inputs:  {df: dataset(csv)}
 *       outputs: {rows: int}
 *       cache:   {version: "1.0"}
 *       command: [sh, -c, 'tail -n +2 "$0" | wc -l > "$1"',
 *                 "{{inputs.df}}", "{{outputs.rows}}"]
 *   nodes:
 *     bar: {inputs: {df: "{{foo.outputs.df}}"}}
 *
 * Every error names its place as "<file>:<line>:<column>: ...", the
 * engine's validation problems included (the loader hands each piece's
 * place to the engine as its `where`).
 */
#ifndef CACHET_WORKFLOW_H
#define CACHET_WORKFLOW_H

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cachet_workflow_load_options {
	unsigned int version;
	/* Skip cachet_workflow_validate (build the graph only). */
	bool no_validate;
	/*
	 * When not NULL, every validation problem is put here (it starts as
	 * CACHET_PROBLEMS_INIT; release it with cachet_problems_dispose),
	 * so that a caller can show them all; the
	 * return value and the thread's message are the first one's either
	 * way. Left empty when loading fails before validation.
	 */
	cachet_problems *problems;
} cachet_workflow_load_options;

#define CACHET_WORKFLOW_LOAD_OPTIONS_VERSION 1
#define CACHET_WORKFLOW_LOAD_OPTIONS_INIT {CACHET_WORKFLOW_LOAD_OPTIONS_VERSION, false, NULL}

/*
 * Load the workflow file at path into a new workflow (*out; free with
 * cachet_workflow_free), then validate it. Relative paths in the file
 * (defaults and constants of file, directory and dataset type) are taken
 * from the file's directory. Messages call the file by path as given.
 *
 * Errors, each CACHET_EINVALID with "<path>:<line>:<col>: <what>" unless
 * said otherwise:
 *   - the file cannot be read: CACHET_ENOTFOUND or CACHET_EIO,
 *     "cannot open 'wf.yaml': No such file or directory"
 *   - invalid YAML, a second document, anchors, aliases, tags, duplicate
 *     keys
 *   - an unknown key, a missing required key, a value of the wrong kind
 *     ("'inputs' must be a mapping, not a sequence")
 *   - an unknown or malformed type, a default or constant that does not
 *     fit its type, a malformed reference, a node's unknown task
 *   - a command the engine refuses (an unknown placeholder), bad cache
 *     settings or hash methods
 *   - validation problems: unknown references, missing or duplicate
 *     bindings, type mismatches, cycles (the first one is the message;
 *     opts->problems gets them all)
 * opts may be NULL.
 */
CACHET_EXTERN int cachet_workflow_load(cachet_workflow **out, const char *path,
				       const cachet_workflow_load_options *opts);

/*
 * The same from len bytes of YAML at data. name is how messages call the
 * source; base_dir is where relative paths are taken from (NULL: the
 * current directory).
 */
CACHET_EXTERN int cachet_workflow_load_buffer(cachet_workflow **out, const char *data,
					      size_t len, const char *name, const char *base_dir,
					      const cachet_workflow_load_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_WORKFLOW_H */
