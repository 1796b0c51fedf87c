/*
 * The cache key of a task read from Flyte's task file (cachet/task_file.h):
 * cachet_cache_key_compute with what the template says, the task's ignore
 * list joined to the caller's.
 */
#include "cachet/task_file.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"

int cachet_task_file_key(cachet_cache_key *out, const cachet_task_file *task,
			 const cachet_literal_map *inputs, const cachet_key_options *opts)
{
	cachet_key_options joined = CACHET_KEY_OPTIONS_INIT;
	const char **ignore;
	int rc;

	if (task == NULL)
		return cachet__error(CACHET_EINVALID, "no task file to compute the key of");
	if (opts != NULL) {
		if ((rc = cachet__check_version(opts->version, CACHET_KEY_OPTIONS_VERSION,
						"key options")) < 0)
			return rc;
		if (opts->n_ignore > 0 && opts->ignore == NULL)
			return cachet__error(CACHET_EINVALID,
					     "key options: %zu ignored inputs but no list",
					     opts->n_ignore);
		joined.inputs_label = opts->inputs_label;
		joined.interface_label = opts->interface_label;
	}
	size_t n_extra = opts != NULL ? opts->n_ignore : 0;
	size_t n = task->n_ignore + n_extra;
	if ((ignore = cachet__calloc(n > 0 ? n : 1, sizeof *ignore)) == NULL)
		return CACHET_ENOMEM;
	for (size_t i = 0; i < task->n_ignore; i++)
		ignore[i] = task->ignore[i];
	for (size_t i = 0; i < n_extra; i++)
		ignore[task->n_ignore + i] = opts->ignore[i];
	joined.ignore = ignore;
	joined.n_ignore = n;
	rc = cachet_cache_key_compute(out, task->project, task->domain, task->name,
				      task->cache_version, task->iface, inputs, &joined);
	cachet__free(ignore);
	return rc;
}
