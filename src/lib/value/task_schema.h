/*
 * Flyte's task messages, as far as a cache key needs them: the
 * TaskTemplate (flyteidl.core) a task is defined by, the TaskSpec
 * (flyteidl.admin) that `pyflyte serialize` and `package` wrap it in, the
 * template's Identifier and TaskMetadata.
 *
 * Only the fields the key reads are modelled (docs/flyte.md, "Task
 * files"); the decoders skip the others, in protobuf as always and in JSON
 * because these messages are read with cachet__json_decode_open. The
 * structs are private: the public shape is cachet_task_file
 * (cachet/task_file.h).
 */
#ifndef CACHET_VALUE_TASK_SCHEMA_H
#define CACHET_VALUE_TASK_SCHEMA_H

#include "value/schema.h"

/* flyteidl.core.ResourceType, the kind of thing an Identifier names. */
enum {
	CACHET__RESOURCE_UNSPECIFIED = 0,
	CACHET__RESOURCE_TASK = 1,
	CACHET__RESOURCE_WORKFLOW = 2,
	CACHET__RESOURCE_LAUNCH_PLAN = 3,
	CACHET__RESOURCE_DATASET = 4
};

/* flyteidl.core.Identifier: every field (1 to 6). */
typedef struct cachet__identifier {
	int32_t resource_type;
	char *project;
	char *domain;
	char *name;
	char *version;
	char *org;
} cachet__identifier;

/* flyteidl.core.TaskMetadata: discoverable (1), discovery_version (6),
 * cache_serializable (9), cache_ignore_input_vars (13). */
typedef struct cachet__task_metadata {
	bool discoverable;
	char *discovery_version;
	bool cache_serializable;
	char **cache_ignore_input_vars;
	size_t n_cache_ignore_input_vars;
} cachet__task_metadata;

/* flyteidl.core.TaskTemplate: id (1), type (2), metadata (3), interface (4). */
typedef struct cachet__task_template {
	cachet__identifier *id;
	char *type;
	cachet__task_metadata *metadata;
	cachet_interface *interface;
} cachet__task_template;

/* flyteidl.admin.TaskSpec: template (1); the description (2) is skipped. */
typedef struct cachet__task_spec {
	cachet__task_template *template;
} cachet__task_spec;

extern const cachet__enum_desc cachet__resource_type_enum;
extern const cachet__message_desc cachet__identifier_desc;
extern const cachet__message_desc cachet__task_metadata_desc;
extern const cachet__message_desc cachet__task_template_desc;
extern const cachet__message_desc cachet__task_spec_desc;

#endif
