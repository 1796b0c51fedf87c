/*
 * The workflow-file loader and the engine's validator, from the bytes of
 * a YAML file; on success, the loaded graph is walked as `cachet graph`
 * and `cachet run` would walk it (names, types, defaults, bindings, each
 * task's interface and dataset version) and validated again.
 */
#include "fuzz.h"

#include <string.h>

/* Every loaded value must be one a cache key can be made of or refused
 * with a message, like any decoded value. */
static void check_loaded(const cachet_workflow *wf)
{
	cachet_problems problems = CACHET_PROBLEMS_INIT;
	char *text = NULL;

	FUZZ_CHECK(cachet_workflow_name(wf) != NULL, "a loaded workflow has no name");
	for (size_t i = 0; i < cachet_workflow_input_count(wf); i++) {
		const cachet_literal_type *type = cachet_workflow_input_type(wf, i);
		const cachet_literal *def = cachet_workflow_input_default(wf, i);
		FUZZ_CHECK(cachet_workflow_input_name(wf, i) != NULL && type != NULL,
			   "input %zu has no name or type", i);
		if (cachet_literal_type_describe(&text, type) == 0)
			cachet_free(text);
		if (def != NULL) {
			uint8_t hash[CACHET_HASH_LEN];
			int rc = cachet_pbhash_literal(hash, def);
			if (rc < 0)
				fuzz_check_refusal(rc, "pbhash of a default");
		}
	}
	for (size_t i = 0; i < cachet_workflow_node_count(wf); i++) {
		const cachet_task *task = cachet_workflow_node_task(wf, i);
		FUZZ_CHECK(cachet_workflow_node_name(wf, i) != NULL && task != NULL,
			   "node %zu has no name or task", i);
		for (size_t j = 0; j < cachet_workflow_node_binding_count(wf, i); j++)
			FUZZ_CHECK(cachet_workflow_node_binding(wf, i, j) != NULL,
				   "node %zu: binding %zu is missing", i, j);
		char *version = NULL;
		int rc = cachet_dataset_version(&version, "1", cachet_task_interface(task));
		if (rc < 0)
			fuzz_check_refusal(rc, "dataset version of a task");
		cachet_free(version);
	}
	for (size_t i = 0; i < cachet_workflow_output_count(wf); i++)
		FUZZ_CHECK(cachet_workflow_output(wf, i) != NULL, "output %zu is missing", i);
	/* a workflow that loaded (validated) validates again, without problems */
	FUZZ_CHECK(cachet_workflow_validate(&problems, wf) == 0 && problems.n == 0,
		   "a loaded workflow does not validate again");
	cachet_problems_dispose(&problems);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cachet_workflow_load_options opts = CACHET_WORKFLOW_LOAD_OPTIONS_INIT;
	cachet_problems problems = CACHET_PROBLEMS_INIT;
	cachet_workflow *wf = NULL;

	opts.problems = &problems;
	/* relative paths are joined to a directory that is never read */
	int rc = cachet_workflow_load_buffer(&wf, (const char *)data, size, "fuzz.yaml",
					     "/nonexistent/cachet-fuzz", &opts);
	if (rc < 0) {
		FUZZ_CHECK(wf == NULL, "a failed load left a workflow");
		fuzz_check_refusal(rc, "loading a workflow");
		for (size_t i = 0; i < problems.n; i++)
			FUZZ_CHECK(problems.items[i].message != NULL &&
					   problems.items[i].message[0] != '\0',
				   "problem %zu has no message", i);
	} else {
		FUZZ_CHECK(problems.n == 0, "a workflow loaded with %zu problems", problems.n);
		check_loaded(wf);
	}
	cachet_problems_dispose(&problems);
	cachet_workflow_free(wf);
	return 0;
}
