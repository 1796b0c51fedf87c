/*
 * The descriptor tables: Flyte's messages (flyteidl.core) and the
 * google.protobuf well-known types they use, field by field, with the
 * names and numbers of Flyte's public IDL (docs/flyte.md). Fields are
 * listed in number order.
 */
#include "value/schema.h"

#include "util/error.h"

#include <string.h>

/* Every map entry struct must have the generic {key, value} layout. */
#define ASSERT_ENTRY_LAYOUT(T)                                                               \
	_Static_assert(sizeof(T) == sizeof(struct cachet__map_entry) &&                       \
			       offsetof(T, key) == offsetof(struct cachet__map_entry, key) && \
			       offsetof(T, value) == offsetof(struct cachet__map_entry, value), \
		       #T " must match struct cachet__map_entry")
ASSERT_ENTRY_LAYOUT(cachet_struct_field);
ASSERT_ENTRY_LAYOUT(cachet_type_structure_entry);
ASSERT_ENTRY_LAYOUT(cachet_literal_map_entry);
ASSERT_ENTRY_LAYOUT(cachet_string_map_entry);
ASSERT_ENTRY_LAYOUT(cachet_variable_map_entry);
ASSERT_ENTRY_LAYOUT(cachet_label_value_entry);

/* Oneof kinds are enums read and written as int. */
_Static_assert(sizeof(cachet_literal_kind) == sizeof(int), "kind enums must be int-sized");

/* Field table entries. T is the C struct, m the member. */
#define SCALAR(T, num, name, json, type, m) \
	{num, name, json, type, CACHET__SINGULAR, offsetof(T, m), 0, CACHET__NOT_ONEOF, NULL, NULL, 0}
#define ENUM(T, num, name, json, m, e) \
	{num, name, json, CACHET__ENUM, CACHET__SINGULAR, offsetof(T, m), 0, CACHET__NOT_ONEOF, NULL, &e, 0}
#define MESSAGE(T, num, name, json, m, d) \
	{num, name, json, CACHET__MESSAGE, CACHET__SINGULAR, offsetof(T, m), 0, CACHET__NOT_ONEOF, &d, NULL, 0}
/* Every message here declares at most one oneof, so ONEOF_ members all
 * belong to the first (oneof_index 0). */
#define ONEOF_SCALAR(T, k, num, name, json, type, m) \
	{num, name, json, type, CACHET__SINGULAR, offsetof(T, m), 0, offsetof(T, k), NULL, NULL, 0}
#define ONEOF_ENUM(T, k, num, name, json, m, e) \
	{num, name, json, CACHET__ENUM, CACHET__SINGULAR, offsetof(T, m), 0, offsetof(T, k), NULL, &e, 0}
#define ONEOF_MESSAGE(T, k, num, name, json, m, d) \
	{num, name, json, CACHET__MESSAGE, CACHET__SINGULAR, offsetof(T, m), 0, offsetof(T, k), &d, NULL, 0}
#define REPEATED_MESSAGE(T, num, name, json, m, d)                                        \
	{num, name, json, CACHET__MESSAGE, CACHET__REPEATED, offsetof(T, m), offsetof(T, n_##m), \
	 CACHET__NOT_ONEOF, &d, NULL, 0}
#define REPEATED_STRING(T, num, name, json, m)                                            \
	{num, name, json, CACHET__STRING, CACHET__REPEATED, offsetof(T, m), offsetof(T, n_##m), \
	 CACHET__NOT_ONEOF, NULL, NULL, 0}
#define MAP_MESSAGE(T, num, name, json, m, d)                                        \
	{num, name, json, CACHET__MESSAGE, CACHET__MAP, offsetof(T, m), offsetof(T, n_##m), \
	 CACHET__NOT_ONEOF, &d, NULL, 0}
#define MAP_STRING(T, num, name, json, m)                                            \
	{num, name, json, CACHET__STRING, CACHET__MAP, offsetof(T, m), offsetof(T, n_##m), \
	 CACHET__NOT_ONEOF, NULL, NULL, 0}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DESCRIBE(var, full_name, T, fields, wkt_kind) \
	const cachet__message_desc var = {full_name, sizeof(T), fields, COUNT(fields), wkt_kind}
/* For messages without fields (an empty table is not valid C). */
#define DESCRIBE_EMPTY(var, full_name, T) \
	const cachet__message_desc var = {full_name, sizeof(T), NULL, 0, CACHET__WKT_NONE}

/* ---- enums ---- */

static const cachet__enum_value null_values[] = {{"NULL_VALUE", 0}};
const cachet__enum_desc cachet__null_value_enum = {"google.protobuf.NullValue", null_values,
						   COUNT(null_values)};

static const cachet__enum_value simple_types[] = {
	{"NONE", 0},     {"INTEGER", 1},  {"FLOAT", 2},  {"STRING", 3}, {"BOOLEAN", 4},
	{"DATETIME", 5}, {"DURATION", 6}, {"BINARY", 7}, {"ERROR", 8},  {"STRUCT", 9},
};
const cachet__enum_desc cachet__simple_type_enum = {"flyteidl.core.SimpleType", simple_types,
						    COUNT(simple_types)};

static const cachet__enum_value column_types[] = {
	{"INTEGER", 0}, {"FLOAT", 1}, {"STRING", 2}, {"BOOLEAN", 3}, {"DATETIME", 4}, {"DURATION", 5},
};
const cachet__enum_desc cachet__schema_column_type_enum = {
	"flyteidl.core.SchemaType.SchemaColumn.SchemaColumnType", column_types, COUNT(column_types)};

static const cachet__enum_value dimensionalities[] = {{"SINGLE", 0}, {"MULTIPART", 1}};
const cachet__enum_desc cachet__blob_dimensionality_enum = {
	"flyteidl.core.BlobType.BlobDimensionality", dimensionalities, COUNT(dimensionalities)};

static const cachet__enum_value granularities[] = {
	{"UNSET", 0}, {"MINUTE", 1}, {"HOUR", 2}, {"DAY", 3}, {"MONTH", 4},
};
const cachet__enum_desc cachet__granularity_enum = {"flyteidl.core.Granularity", granularities,
						    COUNT(granularities)};

static const cachet__enum_value operators[] = {{"MINUS", 0}, {"PLUS", 1}};
const cachet__enum_desc cachet__operator_enum = {"flyteidl.core.Operator", operators,
						 COUNT(operators)};

/* ---- google.protobuf ---- */

static const cachet__field_desc timestamp_fields[] = {
	SCALAR(cachet_timestamp, 1, "seconds", "seconds", CACHET__INT64, seconds),
	SCALAR(cachet_timestamp, 2, "nanos", "nanos", CACHET__INT32, nanos),
};
DESCRIBE(cachet__timestamp_desc, "google.protobuf.Timestamp", cachet_timestamp, timestamp_fields,
	 CACHET__WKT_TIMESTAMP);

static const cachet__field_desc duration_fields[] = {
	SCALAR(cachet_duration, 1, "seconds", "seconds", CACHET__INT64, seconds),
	SCALAR(cachet_duration, 2, "nanos", "nanos", CACHET__INT32, nanos),
};
DESCRIBE(cachet__duration_desc, "google.protobuf.Duration", cachet_duration, duration_fields,
	 CACHET__WKT_DURATION);

static const cachet__field_desc struct_fields[] = {
	MAP_MESSAGE(cachet_struct, 1, "fields", "fields", fields, cachet__value_desc),
};
DESCRIBE(cachet__struct_desc, "google.protobuf.Struct", cachet_struct, struct_fields,
	 CACHET__WKT_STRUCT);

static const cachet__field_desc value_fields[] = {
	ONEOF_ENUM(cachet_value, kind, 1, "null_value", "nullValue", null_value,
		   cachet__null_value_enum),
	ONEOF_SCALAR(cachet_value, kind, 2, "number_value", "numberValue", CACHET__DOUBLE,
		     number_value),
	ONEOF_SCALAR(cachet_value, kind, 3, "string_value", "stringValue", CACHET__STRING,
		     string_value),
	ONEOF_SCALAR(cachet_value, kind, 4, "bool_value", "boolValue", CACHET__BOOL, bool_value),
	ONEOF_MESSAGE(cachet_value, kind, 5, "struct_value", "structValue", struct_value,
		      cachet__struct_desc),
	ONEOF_MESSAGE(cachet_value, kind, 6, "list_value", "listValue", list_value,
		      cachet__list_value_desc),
};
DESCRIBE(cachet__value_desc, "google.protobuf.Value", cachet_value, value_fields,
	 CACHET__WKT_VALUE);

static const cachet__field_desc list_value_fields[] = {
	REPEATED_MESSAGE(cachet_list_value, 1, "values", "values", values, cachet__value_desc),
};
DESCRIBE(cachet__list_value_desc, "google.protobuf.ListValue", cachet_list_value,
	 list_value_fields, CACHET__WKT_LIST_VALUE);

/* ---- flyteidl.core, types.proto ---- */

static const cachet__field_desc schema_column_fields[] = {
	SCALAR(cachet_schema_column, 1, "name", "name", CACHET__STRING, name),
	ENUM(cachet_schema_column, 2, "type", "type", type, cachet__schema_column_type_enum),
};
DESCRIBE(cachet__schema_column_desc, "flyteidl.core.SchemaType.SchemaColumn", cachet_schema_column,
	 schema_column_fields, CACHET__WKT_NONE);

static const cachet__field_desc schema_type_fields[] = {
	REPEATED_MESSAGE(cachet_schema_type, 3, "columns", "columns", columns,
			 cachet__schema_column_desc),
};
DESCRIBE(cachet__schema_type_desc, "flyteidl.core.SchemaType", cachet_schema_type,
	 schema_type_fields, CACHET__WKT_NONE);

static const cachet__field_desc dataset_column_fields[] = {
	SCALAR(cachet_dataset_column, 1, "name", "name", CACHET__STRING, name),
	MESSAGE(cachet_dataset_column, 2, "literal_type", "literalType", literal_type,
		cachet__literal_type_desc),
};
DESCRIBE(cachet__dataset_column_desc, "flyteidl.core.StructuredDatasetType.DatasetColumn",
	 cachet_dataset_column, dataset_column_fields, CACHET__WKT_NONE);

static const cachet__field_desc structured_dataset_type_fields[] = {
	REPEATED_MESSAGE(cachet_structured_dataset_type, 1, "columns", "columns", columns,
			 cachet__dataset_column_desc),
	SCALAR(cachet_structured_dataset_type, 2, "format", "format", CACHET__STRING, format),
	SCALAR(cachet_structured_dataset_type, 3, "external_schema_type", "externalSchemaType",
	       CACHET__STRING, external_schema_type),
	SCALAR(cachet_structured_dataset_type, 4, "external_schema_bytes", "externalSchemaBytes",
	       CACHET__BYTES, external_schema_bytes),
};
DESCRIBE(cachet__structured_dataset_type_desc, "flyteidl.core.StructuredDatasetType",
	 cachet_structured_dataset_type, structured_dataset_type_fields, CACHET__WKT_NONE);

static const cachet__field_desc blob_type_fields[] = {
	SCALAR(cachet_blob_type, 1, "format", "format", CACHET__STRING, format),
	ENUM(cachet_blob_type, 2, "dimensionality", "dimensionality", dimensionality,
	     cachet__blob_dimensionality_enum),
};
DESCRIBE(cachet__blob_type_desc, "flyteidl.core.BlobType", cachet_blob_type, blob_type_fields,
	 CACHET__WKT_NONE);

static const cachet__field_desc enum_type_fields[] = {
	REPEATED_STRING(cachet_enum_type, 1, "values", "values", values),
};
DESCRIBE(cachet__enum_type_desc, "flyteidl.core.EnumType", cachet_enum_type, enum_type_fields,
	 CACHET__WKT_NONE);

static const cachet__field_desc union_type_fields[] = {
	REPEATED_MESSAGE(cachet_union_type, 1, "variants", "variants", variants,
			 cachet__literal_type_desc),
};
DESCRIBE(cachet__union_type_desc, "flyteidl.core.UnionType", cachet_union_type, union_type_fields,
	 CACHET__WKT_NONE);

static const cachet__field_desc type_structure_fields[] = {
	SCALAR(cachet_type_structure, 1, "tag", "tag", CACHET__STRING, tag),
	MAP_MESSAGE(cachet_type_structure, 2, "dataclass_type", "dataclassType", dataclass_type,
		    cachet__literal_type_desc),
};
DESCRIBE(cachet__type_structure_desc, "flyteidl.core.TypeStructure", cachet_type_structure,
	 type_structure_fields, CACHET__WKT_NONE);

static const cachet__field_desc type_annotation_fields[] = {
	MESSAGE(cachet_type_annotation, 1, "annotations", "annotations", annotations,
		cachet__struct_desc),
};
DESCRIBE(cachet__type_annotation_desc, "flyteidl.core.TypeAnnotation", cachet_type_annotation,
	 type_annotation_fields, CACHET__WKT_NONE);

static const cachet__field_desc literal_type_fields[] = {
	ONEOF_ENUM(cachet_literal_type, kind, 1, "simple", "simple", simple,
		   cachet__simple_type_enum),
	ONEOF_MESSAGE(cachet_literal_type, kind, 2, "schema", "schema", schema,
		      cachet__schema_type_desc),
	ONEOF_MESSAGE(cachet_literal_type, kind, 3, "collection_type", "collectionType",
		      collection_type, cachet__literal_type_desc),
	ONEOF_MESSAGE(cachet_literal_type, kind, 4, "map_value_type", "mapValueType",
		      map_value_type, cachet__literal_type_desc),
	ONEOF_MESSAGE(cachet_literal_type, kind, 5, "blob", "blob", blob, cachet__blob_type_desc),
	MESSAGE(cachet_literal_type, 6, "metadata", "metadata", metadata, cachet__struct_desc),
	ONEOF_MESSAGE(cachet_literal_type, kind, 7, "enum_type", "enumType", enum_type,
		      cachet__enum_type_desc),
	ONEOF_MESSAGE(cachet_literal_type, kind, 8, "structured_dataset_type",
		      "structuredDatasetType", structured_dataset_type,
		      cachet__structured_dataset_type_desc),
	MESSAGE(cachet_literal_type, 9, "annotation", "annotation", annotation,
		cachet__type_annotation_desc),
	ONEOF_MESSAGE(cachet_literal_type, kind, 10, "union_type", "unionType", union_type,
		      cachet__union_type_desc),
	MESSAGE(cachet_literal_type, 11, "structure", "structure", structure,
		cachet__type_structure_desc),
};
DESCRIBE(cachet__literal_type_desc, "flyteidl.core.LiteralType", cachet_literal_type,
	 literal_type_fields, CACHET__WKT_NONE);

/* ---- flyteidl.core, literals.proto ---- */

static const cachet__field_desc primitive_fields[] = {
	ONEOF_SCALAR(cachet_primitive, kind, 1, "integer", "integer", CACHET__INT64, integer),
	ONEOF_SCALAR(cachet_primitive, kind, 2, "float_value", "floatValue", CACHET__DOUBLE,
		     float_value),
	ONEOF_SCALAR(cachet_primitive, kind, 3, "string_value", "stringValue", CACHET__STRING,
		     string_value),
	ONEOF_SCALAR(cachet_primitive, kind, 4, "boolean", "boolean", CACHET__BOOL, boolean),
	ONEOF_MESSAGE(cachet_primitive, kind, 5, "datetime", "datetime", datetime,
		      cachet__timestamp_desc),
	ONEOF_MESSAGE(cachet_primitive, kind, 6, "duration", "duration", duration,
		      cachet__duration_desc),
};
DESCRIBE(cachet__primitive_desc, "flyteidl.core.Primitive", cachet_primitive, primitive_fields,
	 CACHET__WKT_NONE);

DESCRIBE_EMPTY(cachet__void_desc, "flyteidl.core.Void", cachet_void);

static const cachet__field_desc blob_metadata_fields[] = {
	MESSAGE(cachet_blob_metadata, 1, "type", "type", type, cachet__blob_type_desc),
};
DESCRIBE(cachet__blob_metadata_desc, "flyteidl.core.BlobMetadata", cachet_blob_metadata,
	 blob_metadata_fields, CACHET__WKT_NONE);

static const cachet__field_desc blob_fields[] = {
	MESSAGE(cachet_blob, 1, "metadata", "metadata", metadata, cachet__blob_metadata_desc),
	SCALAR(cachet_blob, 3, "uri", "uri", CACHET__STRING, uri),
};
DESCRIBE(cachet__blob_desc, "flyteidl.core.Blob", cachet_blob, blob_fields, CACHET__WKT_NONE);

static const cachet__field_desc binary_fields[] = {
	SCALAR(cachet_binary, 1, "value", "value", CACHET__BYTES, value),
	SCALAR(cachet_binary, 2, "tag", "tag", CACHET__STRING, tag),
};
DESCRIBE(cachet__binary_desc, "flyteidl.core.Binary", cachet_binary, binary_fields,
	 CACHET__WKT_NONE);

static const cachet__field_desc schema_fields[] = {
	SCALAR(cachet_schema, 1, "uri", "uri", CACHET__STRING, uri),
	MESSAGE(cachet_schema, 3, "type", "type", type, cachet__schema_type_desc),
};
DESCRIBE(cachet__schema_desc, "flyteidl.core.Schema", cachet_schema, schema_fields,
	 CACHET__WKT_NONE);

static const cachet__field_desc union_fields[] = {
	MESSAGE(cachet_union, 1, "value", "value", value, cachet__literal_desc),
	MESSAGE(cachet_union, 2, "type", "type", type, cachet__literal_type_desc),
};
DESCRIBE(cachet__union_desc, "flyteidl.core.Union", cachet_union, union_fields, CACHET__WKT_NONE);

static const cachet__field_desc structured_dataset_metadata_fields[] = {
	MESSAGE(cachet_structured_dataset_metadata, 1, "structured_dataset_type",
		"structuredDatasetType", structured_dataset_type,
		cachet__structured_dataset_type_desc),
};
DESCRIBE(cachet__structured_dataset_metadata_desc, "flyteidl.core.StructuredDatasetMetadata",
	 cachet_structured_dataset_metadata, structured_dataset_metadata_fields, CACHET__WKT_NONE);

static const cachet__field_desc structured_dataset_fields[] = {
	SCALAR(cachet_structured_dataset, 1, "uri", "uri", CACHET__STRING, uri),
	MESSAGE(cachet_structured_dataset, 2, "metadata", "metadata", metadata,
		cachet__structured_dataset_metadata_desc),
};
DESCRIBE(cachet__structured_dataset_desc, "flyteidl.core.StructuredDataset",
	 cachet_structured_dataset, structured_dataset_fields, CACHET__WKT_NONE);

static const cachet__field_desc error_value_fields[] = {
	SCALAR(cachet_error_value, 1, "failed_node_id", "failedNodeId", CACHET__STRING,
	       failed_node_id),
	SCALAR(cachet_error_value, 2, "message", "message", CACHET__STRING, message),
};
DESCRIBE(cachet__error_value_desc, "flyteidl.core.Error", cachet_error_value, error_value_fields,
	 CACHET__WKT_NONE);

static const cachet__field_desc scalar_fields[] = {
	ONEOF_MESSAGE(cachet_scalar, kind, 1, "primitive", "primitive", primitive,
		      cachet__primitive_desc),
	ONEOF_MESSAGE(cachet_scalar, kind, 2, "blob", "blob", blob, cachet__blob_desc),
	ONEOF_MESSAGE(cachet_scalar, kind, 3, "binary", "binary", binary, cachet__binary_desc),
	ONEOF_MESSAGE(cachet_scalar, kind, 4, "schema", "schema", schema, cachet__schema_desc),
	ONEOF_MESSAGE(cachet_scalar, kind, 5, "none_type", "noneType", none_type,
		      cachet__void_desc),
	ONEOF_MESSAGE(cachet_scalar, kind, 6, "error", "error", error, cachet__error_value_desc),
	ONEOF_MESSAGE(cachet_scalar, kind, 7, "generic", "generic", generic, cachet__struct_desc),
	ONEOF_MESSAGE(cachet_scalar, kind, 8, "structured_dataset", "structuredDataset",
		      structured_dataset, cachet__structured_dataset_desc),
	ONEOF_MESSAGE(cachet_scalar, kind, 9, "union", "union", union_, cachet__union_desc),
};
DESCRIBE(cachet__scalar_desc, "flyteidl.core.Scalar", cachet_scalar, scalar_fields,
	 CACHET__WKT_NONE);

static const cachet__field_desc literal_collection_fields[] = {
	REPEATED_MESSAGE(cachet_literal_collection, 1, "literals", "literals", literals,
			 cachet__literal_desc),
};
DESCRIBE(cachet__literal_collection_desc, "flyteidl.core.LiteralCollection",
	 cachet_literal_collection, literal_collection_fields, CACHET__WKT_NONE);

static const cachet__field_desc literal_map_fields[] = {
	MAP_MESSAGE(cachet_literal_map, 1, "literals", "literals", literals, cachet__literal_desc),
};
DESCRIBE(cachet__literal_map_desc, "flyteidl.core.LiteralMap", cachet_literal_map,
	 literal_map_fields, CACHET__WKT_NONE);

static const cachet__field_desc literal_offloaded_metadata_fields[] = {
	SCALAR(cachet_literal_offloaded_metadata, 1, "uri", "uri", CACHET__STRING, uri),
	SCALAR(cachet_literal_offloaded_metadata, 2, "size_bytes", "sizeBytes", CACHET__UINT64,
	       size_bytes),
	MESSAGE(cachet_literal_offloaded_metadata, 3, "inferred_type", "inferredType",
		inferred_type, cachet__literal_type_desc),
};
DESCRIBE(cachet__literal_offloaded_metadata_desc, "flyteidl.core.LiteralOffloadedMetadata",
	 cachet_literal_offloaded_metadata, literal_offloaded_metadata_fields, CACHET__WKT_NONE);

static const cachet__field_desc literal_fields[] = {
	ONEOF_MESSAGE(cachet_literal, kind, 1, "scalar", "scalar", scalar, cachet__scalar_desc),
	ONEOF_MESSAGE(cachet_literal, kind, 2, "collection", "collection", collection,
		      cachet__literal_collection_desc),
	ONEOF_MESSAGE(cachet_literal, kind, 3, "map", "map", map, cachet__literal_map_desc),
	SCALAR(cachet_literal, 4, "hash", "hash", CACHET__STRING, hash),
	MAP_STRING(cachet_literal, 5, "metadata", "metadata", metadata),
	ONEOF_MESSAGE(cachet_literal, kind, 8, "offloaded_metadata", "offloadedMetadata",
		      offloaded_metadata, cachet__literal_offloaded_metadata_desc),
};
DESCRIBE(cachet__literal_desc, "flyteidl.core.Literal", cachet_literal, literal_fields,
	 CACHET__WKT_NONE);

/* ---- flyteidl.core, artifact_id.proto ---- */

static const cachet__field_desc artifact_key_fields[] = {
	SCALAR(cachet_artifact_key, 1, "project", "project", CACHET__STRING, project),
	SCALAR(cachet_artifact_key, 2, "domain", "domain", CACHET__STRING, domain),
	SCALAR(cachet_artifact_key, 3, "name", "name", CACHET__STRING, name),
	SCALAR(cachet_artifact_key, 4, "org", "org", CACHET__STRING, org),
};
DESCRIBE(cachet__artifact_key_desc, "flyteidl.core.ArtifactKey", cachet_artifact_key,
	 artifact_key_fields, CACHET__WKT_NONE);

static const cachet__field_desc time_transform_fields[] = {
	SCALAR(cachet_time_transform, 1, "transform", "transform", CACHET__STRING, transform),
	ENUM(cachet_time_transform, 2, "op", "op", op, cachet__operator_enum),
};
DESCRIBE(cachet__time_transform_desc, "flyteidl.core.TimeTransform", cachet_time_transform,
	 time_transform_fields, CACHET__WKT_NONE);

static const cachet__field_desc artifact_binding_data_fields[] = {
	ONEOF_SCALAR(cachet_artifact_binding_data, kind, 5, "partition_key", "partitionKey",
		     CACHET__STRING, partition_key),
	ONEOF_SCALAR(cachet_artifact_binding_data, kind, 6, "bind_to_time_partition",
		     "bindToTimePartition", CACHET__BOOL, bind_to_time_partition),
	MESSAGE(cachet_artifact_binding_data, 7, "time_transform", "timeTransform", time_transform,
		cachet__time_transform_desc),
};
DESCRIBE(cachet__artifact_binding_data_desc, "flyteidl.core.ArtifactBindingData",
	 cachet_artifact_binding_data, artifact_binding_data_fields, CACHET__WKT_NONE);

static const cachet__field_desc input_binding_data_fields[] = {
	SCALAR(cachet_input_binding_data, 1, "var", "var", CACHET__STRING, var),
};
DESCRIBE(cachet__input_binding_data_desc, "flyteidl.core.InputBindingData",
	 cachet_input_binding_data, input_binding_data_fields, CACHET__WKT_NONE);

DESCRIBE_EMPTY(cachet__runtime_binding_desc, "flyteidl.core.RuntimeBinding",
	       cachet_runtime_binding);

static const cachet__field_desc label_value_fields[] = {
	ONEOF_SCALAR(cachet_label_value, kind, 1, "static_value", "staticValue", CACHET__STRING,
		     static_value),
	ONEOF_MESSAGE(cachet_label_value, kind, 2, "time_value", "timeValue", time_value,
		      cachet__timestamp_desc),
	ONEOF_MESSAGE(cachet_label_value, kind, 3, "triggered_binding", "triggeredBinding",
		      triggered_binding, cachet__artifact_binding_data_desc),
	ONEOF_MESSAGE(cachet_label_value, kind, 4, "input_binding", "inputBinding", input_binding,
		      cachet__input_binding_data_desc),
	ONEOF_MESSAGE(cachet_label_value, kind, 5, "runtime_binding", "runtimeBinding",
		      runtime_binding, cachet__runtime_binding_desc),
};
DESCRIBE(cachet__label_value_desc, "flyteidl.core.LabelValue", cachet_label_value,
	 label_value_fields, CACHET__WKT_NONE);

static const cachet__field_desc partitions_fields[] = {
	MAP_MESSAGE(cachet_partitions, 1, "value", "value", value, cachet__label_value_desc),
};
DESCRIBE(cachet__partitions_desc, "flyteidl.core.Partitions", cachet_partitions,
	 partitions_fields, CACHET__WKT_NONE);

static const cachet__field_desc time_partition_fields[] = {
	MESSAGE(cachet_time_partition, 1, "value", "value", value, cachet__label_value_desc),
	ENUM(cachet_time_partition, 2, "granularity", "granularity", granularity,
	     cachet__granularity_enum),
};
DESCRIBE(cachet__time_partition_desc, "flyteidl.core.TimePartition", cachet_time_partition,
	 time_partition_fields, CACHET__WKT_NONE);

static const cachet__field_desc artifact_id_fields[] = {
	MESSAGE(cachet_artifact_id, 1, "artifact_key", "artifactKey", artifact_key,
		cachet__artifact_key_desc),
	SCALAR(cachet_artifact_id, 2, "version", "version", CACHET__STRING, version),
	MESSAGE(cachet_artifact_id, 3, "partitions", "partitions", partitions,
		cachet__partitions_desc),
	MESSAGE(cachet_artifact_id, 4, "time_partition", "timePartition", time_partition,
		cachet__time_partition_desc),
};
DESCRIBE(cachet__artifact_id_desc, "flyteidl.core.ArtifactID", cachet_artifact_id,
	 artifact_id_fields, CACHET__WKT_NONE);

static const cachet__field_desc artifact_tag_fields[] = {
	MESSAGE(cachet_artifact_tag, 1, "artifact_key", "artifactKey", artifact_key,
		cachet__artifact_key_desc),
	MESSAGE(cachet_artifact_tag, 2, "value", "value", value, cachet__label_value_desc),
};
DESCRIBE(cachet__artifact_tag_desc, "flyteidl.core.ArtifactTag", cachet_artifact_tag,
	 artifact_tag_fields, CACHET__WKT_NONE);

/* ---- flyteidl.core, interface.proto ---- */

static const cachet__field_desc variable_fields[] = {
	MESSAGE(cachet_variable, 1, "type", "type", type, cachet__literal_type_desc),
	SCALAR(cachet_variable, 2, "description", "description", CACHET__STRING, description),
	MESSAGE(cachet_variable, 3, "artifact_partial_id", "artifactPartialId", artifact_partial_id,
		cachet__artifact_id_desc),
	MESSAGE(cachet_variable, 4, "artifact_tag", "artifactTag", artifact_tag,
		cachet__artifact_tag_desc),
};
DESCRIBE(cachet__variable_desc, "flyteidl.core.Variable", cachet_variable, variable_fields,
	 CACHET__WKT_NONE);

static const cachet__field_desc variable_map_fields[] = {
	MAP_MESSAGE(cachet_variable_map, 1, "variables", "variables", variables,
		    cachet__variable_desc),
};
DESCRIBE(cachet__variable_map_desc, "flyteidl.core.VariableMap", cachet_variable_map,
	 variable_map_fields, CACHET__WKT_NONE);

static const cachet__field_desc interface_fields[] = {
	MESSAGE(cachet_interface, 1, "inputs", "inputs", inputs, cachet__variable_map_desc),
	MESSAGE(cachet_interface, 2, "outputs", "outputs", outputs, cachet__variable_map_desc),
};
DESCRIBE(cachet__interface_desc, "flyteidl.core.TypedInterface", cachet_interface,
	 interface_fields, CACHET__WKT_NONE);

/* ---- lookups ---- */

const cachet__field_desc *cachet__field_by_number(const cachet__message_desc *m, uint32_t number)
{
	/* Tables are short (at most 11 fields): a linear scan beats a search. */
	for (size_t i = 0; i < m->n_fields; i++)
		if (m->fields[i].number == number)
			return &m->fields[i];
	return NULL;
}

static bool name_is(const char *name, const char *s, size_t len)
{
	return strncmp(name, s, len) == 0 && name[len] == '\0';
}

const cachet__field_desc *cachet__field_by_name(const cachet__message_desc *m, const char *name,
						size_t len)
{
	for (size_t i = 0; i < m->n_fields; i++)
		if (name_is(m->fields[i].json_name, name, len) ||
		    name_is(m->fields[i].name, name, len))
			return &m->fields[i];
	return NULL;
}

const char *cachet__enum_name(const cachet__enum_desc *e, int32_t number)
{
	for (size_t i = 0; i < e->n_values; i++)
		if (e->values[i].number == number)
			return e->values[i].name;
	return NULL;
}

int cachet__enum_number(const cachet__enum_desc *e, const char *name, int32_t *out)
{
	for (size_t i = 0; i < e->n_values; i++) {
		if (strcmp(e->values[i].name, name) == 0) {
			*out = e->values[i].number;
			return 0;
		}
	}
	return CACHET_ENOTFOUND;
}
