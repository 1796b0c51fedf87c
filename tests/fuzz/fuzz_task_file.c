/*
 * Flyte's task files (cachet_task_file_decode): the first byte picks the
 * encoding (its value modulo 3: detected, protobuf, JSON) and, divided by
 * 3, the message (modulo 3: detected, TaskTemplate, TaskSpec); the rest is
 * the file. A task that decodes names its task, and its key computes or is
 * refused with a message.
 */
#include "fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const cachet_format formats[] = {CACHET_FORMAT_AUTO, CACHET_FORMAT_PB,
						CACHET_FORMAT_JSON};
	static const cachet_task_message messages[] = {CACHET_TASK_DETECT, CACHET_TASK_TEMPLATE,
						       CACHET_TASK_SPEC};
	cachet_task_file task;
	cachet_cache_key key = {0};
	int rc;

	if (size == 0)
		return 0;
	rc = cachet_task_file_decode(&task, data + 1, size - 1, formats[data[0] % 3],
				     messages[data[0] / 3 % 3]);
	if (rc < 0) {
		fuzz_check_refusal(rc, "task file");
		FUZZ_CHECK(task.project == NULL && task.iface == NULL,
			   "a refused task file left a task behind");
		return 0;
	}
	FUZZ_CHECK(task.message == CACHET_TASK_TEMPLATE || task.message == CACHET_TASK_SPEC,
		   "decoded as message %d", (int)task.message);
	FUZZ_CHECK(task.project && task.domain && task.name && task.version && task.cache_version,
		   "a decoded task with a NULL string");
	FUZZ_CHECK(*task.project && *task.domain && *task.name,
		   "a decoded task without project, domain or name");
	FUZZ_CHECK(task.n_ignore == 0 || task.ignore != NULL, "%zu ignored inputs, no list",
		   task.n_ignore);
	for (size_t i = 0; i < task.n_ignore; i++)
		FUZZ_CHECK(task.ignore[i] != NULL, "ignored input %zu is NULL", i);
	rc = cachet_task_file_key(&key, &task, NULL, NULL);
	if (rc < 0)
		fuzz_check_refusal(rc, "task file key");
	else
		FUZZ_CHECK(strncmp(key.name, "flyte_task-", 11) == 0, "key name '%s'", key.name);
	cachet_cache_key_dispose(&key);
	cachet_task_file_dispose(&task);
	return 0;
}
