/*
 * The descriptor tables of Flyte's task messages (value/task_schema.h),
 * with the names and numbers of Flyte's public IDL (docs/flyte.md, "Task
 * files"). Fields are listed in number order.
 *
 * Written with designated initializers so that a member added to
 * cachet__field_desc later starts at zero here; none of these fields is
 * a oneof member, a map or an enum but the resource type.
 */
#include "value/task_schema.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define FIELD(T, num, proto, json, kind, m)                                                 \
	{.number = num, .name = proto, .json_name = json, .type = kind,                      \
	 .label = CACHET__SINGULAR, .offset = offsetof(T, m), .oneof_offset = CACHET__NOT_ONEOF}
#define MESSAGE_FIELD(T, num, proto, json, m, d)                                            \
	{.number = num, .name = proto, .json_name = json, .type = CACHET__MESSAGE,           \
	 .label = CACHET__SINGULAR, .offset = offsetof(T, m), .oneof_offset = CACHET__NOT_ONEOF, \
	 .message = &d}
#define DESCRIBE(var, full_name, T, table)                                                   \
	const cachet__message_desc var = {.name = full_name, .size = sizeof(T),              \
					  .fields = table, .n_fields = COUNT(table)}

static const cachet__enum_value resource_types[] = {
	{"UNSPECIFIED", CACHET__RESOURCE_UNSPECIFIED}, {"TASK", CACHET__RESOURCE_TASK},
	{"WORKFLOW", CACHET__RESOURCE_WORKFLOW},       {"LAUNCH_PLAN", CACHET__RESOURCE_LAUNCH_PLAN},
	{"DATASET", CACHET__RESOURCE_DATASET},
};
const cachet__enum_desc cachet__resource_type_enum = {"flyteidl.core.ResourceType", resource_types,
						      COUNT(resource_types)};

static const cachet__field_desc identifier_fields[] = {
	{.number = 1, .name = "resource_type", .json_name = "resourceType", .type = CACHET__ENUM,
	 .label = CACHET__SINGULAR, .offset = offsetof(cachet__identifier, resource_type),
	 .oneof_offset = CACHET__NOT_ONEOF, .enumeration = &cachet__resource_type_enum},
	FIELD(cachet__identifier, 2, "project", "project", CACHET__STRING, project),
	FIELD(cachet__identifier, 3, "domain", "domain", CACHET__STRING, domain),
	FIELD(cachet__identifier, 4, "name", "name", CACHET__STRING, name),
	FIELD(cachet__identifier, 5, "version", "version", CACHET__STRING, version),
	FIELD(cachet__identifier, 6, "org", "org", CACHET__STRING, org),
};
DESCRIBE(cachet__identifier_desc, "flyteidl.core.Identifier", cachet__identifier,
	 identifier_fields);

static const cachet__field_desc task_metadata_fields[] = {
	FIELD(cachet__task_metadata, 1, "discoverable", "discoverable", CACHET__BOOL, discoverable),
	FIELD(cachet__task_metadata, 6, "discovery_version", "discoveryVersion", CACHET__STRING,
	      discovery_version),
	FIELD(cachet__task_metadata, 9, "cache_serializable", "cacheSerializable", CACHET__BOOL,
	      cache_serializable),
	{.number = 13, .name = "cache_ignore_input_vars", .json_name = "cacheIgnoreInputVars",
	 .type = CACHET__STRING, .label = CACHET__REPEATED,
	 .offset = offsetof(cachet__task_metadata, cache_ignore_input_vars),
	 .count_offset = offsetof(cachet__task_metadata, n_cache_ignore_input_vars),
	 .oneof_offset = CACHET__NOT_ONEOF},
};
DESCRIBE(cachet__task_metadata_desc, "flyteidl.core.TaskMetadata", cachet__task_metadata,
	 task_metadata_fields);

static const cachet__field_desc task_template_fields[] = {
	MESSAGE_FIELD(cachet__task_template, 1, "id", "id", id, cachet__identifier_desc),
	FIELD(cachet__task_template, 2, "type", "type", CACHET__STRING, type),
	MESSAGE_FIELD(cachet__task_template, 3, "metadata", "metadata", metadata,
		      cachet__task_metadata_desc),
	MESSAGE_FIELD(cachet__task_template, 4, "interface", "interface", interface,
		      cachet__interface_desc),
};
DESCRIBE(cachet__task_template_desc, "flyteidl.core.TaskTemplate", cachet__task_template,
	 task_template_fields);

static const cachet__field_desc task_spec_fields[] = {
	MESSAGE_FIELD(cachet__task_spec, 1, "template", "template", template,
		      cachet__task_template_desc),
};
DESCRIBE(cachet__task_spec_desc, "flyteidl.admin.TaskSpec", cachet__task_spec, task_spec_fields);
