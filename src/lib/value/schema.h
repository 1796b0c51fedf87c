/*
 * The schema of cachet's value structs: one descriptor per protobuf message,
 * one per field, saying where in the C struct each field lives.
 *
 * Everything generic works from these tables: free, copy and equality
 * (value/message.c), the protobuf wire codec (codec/wire_*.c), the protobuf
 * JSON codec (codec/json_*.c) and pbhash (key/pbhash.c). Adding a field to a
 * message means adding it to the struct in include/cachet/value.h and one
 * line to its table in value/schema.c; no codec changes.
 *
 * Layout conventions the generic code relies on (see value.h):
 *  - scalars are stored inline, messages as pointers (NULL = absent);
 *  - a oneof member shares its storage with the other members of its group
 *    (an anonymous union) and is selected by an int-sized kind field whose
 *    value is the member's field number;
 *  - repeated fields are `T *items; size_t n_items;` where T is a pointer
 *    for messages and strings;
 *  - maps are arrays of {char *key; V value;} entries sorted by key, where V
 *    is `char *` or a message pointer (struct cachet__map_entry).
 */
#ifndef CACHET_VALUE_SCHEMA_H
#define CACHET_VALUE_SCHEMA_H

#include "cachet/value.h"

#include <stddef.h>
#include <stdint.h>

typedef enum cachet__field_type {
	CACHET__INT64,
	CACHET__UINT64,
	CACHET__INT32,
	CACHET__DOUBLE,
	CACHET__BOOL,
	CACHET__ENUM, /* int32_t storage */
	CACHET__STRING,
	CACHET__BYTES, /* cachet_bytes storage */
	CACHET__MESSAGE
} cachet__field_type;

typedef enum cachet__field_label {
	CACHET__SINGULAR,
	CACHET__REPEATED,
	CACHET__MAP /* map<string, V>: V is given by type (STRING or MESSAGE) */
} cachet__field_label;

/* Messages whose protobuf JSON form is special (the well-known types). */
typedef enum cachet__wkt {
	CACHET__WKT_NONE = 0,
	CACHET__WKT_TIMESTAMP,
	CACHET__WKT_DURATION,
	CACHET__WKT_STRUCT,
	CACHET__WKT_VALUE,
	CACHET__WKT_LIST_VALUE
} cachet__wkt;

typedef struct cachet__enum_value {
	const char *name;
	int32_t number;
} cachet__enum_value;

typedef struct cachet__enum_desc {
	const char *name; /* "flyteidl.core.SimpleType" */
	const cachet__enum_value *values;
	size_t n_values;
} cachet__enum_desc;

typedef struct cachet__message_desc cachet__message_desc;

typedef struct cachet__field_desc {
	uint32_t number;
	const char *name;      /* proto name, snake_case */
	const char *json_name; /* lowerCamelCase */
	cachet__field_type type;
	cachet__field_label label;
	size_t offset;       /* of the value, or of the array for repeated/map */
	size_t count_offset; /* of the size_t count, repeated/map only */
	/* For oneof members: offset of the kind field (an int-sized enum),
	 * else (size_t)-1. The member is selected when kind == number. */
	size_t oneof_offset;
	const cachet__message_desc *message; /* MESSAGE fields and map values */
	const cachet__enum_desc *enumeration; /* ENUM fields */
	/* For oneof members: which of the message's oneofs holds the field,
	 * counting from 0 in the order the .proto declares them. Go's
	 * deterministic marshal writes the oneofs in that order, after the
	 * other fields (codec/wire_encode.c). */
	unsigned oneof_index;
} cachet__field_desc;

struct cachet__message_desc {
	const char *name; /* full protobuf name, "flyteidl.core.Literal" */
	size_t size;      /* sizeof the C struct */
	const cachet__field_desc *fields; /* sorted by number */
	size_t n_fields;
	cachet__wkt wkt;
};

#define CACHET__NOT_ONEOF ((size_t)-1)

/* The generic shape of a map entry; every typed entry struct matches it. */
struct cachet__map_entry {
	char *key;
	void *value;
};

/* Descriptors, one per message of value.h. */
extern const cachet__message_desc cachet__timestamp_desc;
extern const cachet__message_desc cachet__duration_desc;
extern const cachet__message_desc cachet__struct_desc;
extern const cachet__message_desc cachet__value_desc;
extern const cachet__message_desc cachet__list_value_desc;

extern const cachet__message_desc cachet__schema_column_desc;
extern const cachet__message_desc cachet__schema_type_desc;
extern const cachet__message_desc cachet__dataset_column_desc;
extern const cachet__message_desc cachet__structured_dataset_type_desc;
extern const cachet__message_desc cachet__blob_type_desc;
extern const cachet__message_desc cachet__enum_type_desc;
extern const cachet__message_desc cachet__union_type_desc;
extern const cachet__message_desc cachet__type_structure_desc;
extern const cachet__message_desc cachet__type_annotation_desc;
extern const cachet__message_desc cachet__literal_type_desc;

extern const cachet__message_desc cachet__primitive_desc;
extern const cachet__message_desc cachet__void_desc;
extern const cachet__message_desc cachet__blob_metadata_desc;
extern const cachet__message_desc cachet__blob_desc;
extern const cachet__message_desc cachet__binary_desc;
extern const cachet__message_desc cachet__schema_desc;
extern const cachet__message_desc cachet__union_desc;
extern const cachet__message_desc cachet__structured_dataset_metadata_desc;
extern const cachet__message_desc cachet__structured_dataset_desc;
extern const cachet__message_desc cachet__error_value_desc;
extern const cachet__message_desc cachet__scalar_desc;
extern const cachet__message_desc cachet__literal_collection_desc;
extern const cachet__message_desc cachet__literal_map_desc;
extern const cachet__message_desc cachet__literal_offloaded_metadata_desc;
extern const cachet__message_desc cachet__literal_desc;

extern const cachet__message_desc cachet__artifact_key_desc;
extern const cachet__message_desc cachet__time_transform_desc;
extern const cachet__message_desc cachet__artifact_binding_data_desc;
extern const cachet__message_desc cachet__input_binding_data_desc;
extern const cachet__message_desc cachet__runtime_binding_desc;
extern const cachet__message_desc cachet__label_value_desc;
extern const cachet__message_desc cachet__partitions_desc;
extern const cachet__message_desc cachet__time_partition_desc;
extern const cachet__message_desc cachet__artifact_id_desc;
extern const cachet__message_desc cachet__artifact_tag_desc;

extern const cachet__message_desc cachet__variable_desc;
extern const cachet__message_desc cachet__variable_map_desc;
extern const cachet__message_desc cachet__interface_desc;

extern const cachet__enum_desc cachet__null_value_enum;
extern const cachet__enum_desc cachet__simple_type_enum;
extern const cachet__enum_desc cachet__schema_column_type_enum;
extern const cachet__enum_desc cachet__blob_dimensionality_enum;
extern const cachet__enum_desc cachet__granularity_enum;
extern const cachet__enum_desc cachet__operator_enum;

/* The field with this number, or NULL. */
const cachet__field_desc *cachet__field_by_number(const cachet__message_desc *m, uint32_t number);
/* The field with this JSON name or proto name, or NULL. */
const cachet__field_desc *cachet__field_by_name(const cachet__message_desc *m, const char *name,
						size_t len);

/* The name of an enum value, or NULL when the number is not known. */
const char *cachet__enum_name(const cachet__enum_desc *e, int32_t number);
/* The number of a named enum value; CACHET_ENOTFOUND when unknown. */
int cachet__enum_number(const cachet__enum_desc *e, const char *name, int32_t *out);

#endif
