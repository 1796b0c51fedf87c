/*
 * cachet/value.h - Flyte's typed values: Literal, LiteralType and
 * TypedInterface, as plain C structs.
 *
 * The structs mirror Flyte's protobuf messages (package flyteidl.core) field
 * for field, so that what Flyte writes can be read and written back
 * unchanged. They are transparent: read them directly. Build and change them
 * with the functions below, which keep the invariants the encoders rely on:
 *
 *  - A `oneof` is a `kind` member plus an anonymous union. The kind values are
 *    the protobuf field numbers; 0 means nothing is set. When the kind names
 *    a message member, that member's pointer is not NULL.
 *  - A singular message field is a pointer: NULL means absent, which is not
 *    the same as present and empty (Flyte's JSON, and so its cache keys,
 *    tell the two apart).
 *  - A string field is NULL or a *counted string*: UTF-8 bytes, always
 *    NUL-terminated, whose length the library keeps in front of them
 *    (cachet_str_len). NULL and "" both mean the empty string. A string may
 *    hold U+0000, as Flyte's may: such a string reads as a C string up to
 *    its first NUL, and cachet_str_len() says where it really ends. A
 *    string without NUL reads and prints as any C string.
 *  - A repeated field is an array `name` with its length `n_name`.
 *  - A map is an array of entries sorted by key (byte order), keys unique.
 *  - Enum fields are int32_t so that values unknown to this version survive
 *    a round trip; the named constants are the known values.
 *
 * Every object is owned by its parent: freeing a Literal frees everything
 * under it. All `_free` functions accept NULL. Strings enter a value only
 * through the library (the builders below, the decoders of codec.h, and
 * cachet_str_new() for a string put in a field by hand); a plain malloc'd
 * string must never be stored in a field, nor a field's string freed with
 * free().
 */
#ifndef CACHET_VALUE_H
#define CACHET_VALUE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * How deep values may nest (messages within messages). Deeper input is
 * refused with CACHET_ETOODEEP rather than risking the stack. Each level of
 * a collection of collections costs two: the Literal and the collection.
 */
#define CACHET_MAX_DEPTH 1000

/* ---------------------------------------------------------------------- */
/* Counted strings: the strings the value structs hold                    */

/*
 * A new counted string holding bytes[0..len) (any bytes, NUL included;
 * bytes may be NULL when len is 0), NUL-terminated. NULL when out of
 * memory. Free it with cachet_str_free(), or hand it to a value field,
 * whose _free function frees it.
 */
CACHET_EXTERN char *cachet_str_new(const char *bytes, size_t len);
/* A counted copy of the C string s (NULL is taken as ""); NULL when out of
 * memory. */
CACHET_EXTERN char *cachet_str_dup(const char *s);
/* The byte length of a counted string (0 for NULL). Only for strings of
 * the value model or of cachet_str_new()/cachet_str_dup(). */
CACHET_EXTERN size_t cachet_str_len(const char *s);
/* Free a counted string. NULL is a no-op. */
CACHET_EXTERN void cachet_str_free(char *s);

/* ---------------------------------------------------------------------- */
/* Well-known types (package google.protobuf)                             */

/* A point in time: seconds since the Unix epoch, UTC, plus nanoseconds in
 * [0, 999999999]. Valid years are 0001 to 9999. */
typedef struct cachet_timestamp {
	int64_t seconds;
	int32_t nanos;
} cachet_timestamp;

/* A signed span of time. |seconds| <= 315576000000, |nanos| <= 999999999,
 * and both have the same sign when both are non-zero. */
typedef struct cachet_duration {
	int64_t seconds;
	int32_t nanos;
} cachet_duration;

typedef struct cachet_bytes {
	uint8_t *data; /* NULL when len is 0 */
	size_t len;
} cachet_bytes;

typedef struct cachet_struct cachet_struct;
typedef struct cachet_list_value cachet_list_value;

/* google.protobuf.Value: one JSON value. */
typedef enum cachet_value_kind {
	CACHET_VALUE_NOT_SET = 0,
	CACHET_VALUE_NULL = 1,
	CACHET_VALUE_NUMBER = 2,
	CACHET_VALUE_STRING = 3,
	CACHET_VALUE_BOOL = 4,
	CACHET_VALUE_STRUCT = 5,
	CACHET_VALUE_LIST = 6
} cachet_value_kind;

typedef struct cachet_value {
	cachet_value_kind kind;
	union {
		int32_t null_value; /* always 0 (NULL_VALUE) */
		double number_value;
		char *string_value;
		bool bool_value;
		cachet_struct *struct_value;
		cachet_list_value *list_value;
	};
} cachet_value;

typedef struct cachet_struct_field {
	char *key;
	cachet_value *value;
} cachet_struct_field;

/* google.protobuf.Struct: a JSON object. */
struct cachet_struct {
	cachet_struct_field *fields;
	size_t n_fields;
};

/* google.protobuf.ListValue: a JSON array. */
struct cachet_list_value {
	cachet_value **values;
	size_t n_values;
};

/* ---------------------------------------------------------------------- */
/* Types (flyteidl.core, types.proto)                                     */

typedef struct cachet_literal_type cachet_literal_type;

enum cachet_simple_type {
	CACHET_SIMPLE_NONE = 0,
	CACHET_SIMPLE_INTEGER = 1,
	CACHET_SIMPLE_FLOAT = 2,
	CACHET_SIMPLE_STRING = 3,
	CACHET_SIMPLE_BOOLEAN = 4,
	CACHET_SIMPLE_DATETIME = 5,
	CACHET_SIMPLE_DURATION = 6,
	CACHET_SIMPLE_BINARY = 7,
	CACHET_SIMPLE_ERROR = 8,
	CACHET_SIMPLE_STRUCT = 9
};

enum cachet_schema_column_type {
	CACHET_COLUMN_INTEGER = 0,
	CACHET_COLUMN_FLOAT = 1,
	CACHET_COLUMN_STRING = 2,
	CACHET_COLUMN_BOOLEAN = 3,
	CACHET_COLUMN_DATETIME = 4,
	CACHET_COLUMN_DURATION = 5
};

enum cachet_blob_dimensionality {
	CACHET_BLOB_SINGLE = 0,   /* one file */
	CACHET_BLOB_MULTIPART = 1 /* a directory */
};

typedef struct cachet_schema_column {
	char *name;
	int32_t type; /* enum cachet_schema_column_type */
} cachet_schema_column;

typedef struct cachet_schema_type {
	cachet_schema_column **columns;
	size_t n_columns;
} cachet_schema_type;

typedef struct cachet_dataset_column {
	char *name;
	cachet_literal_type *literal_type;
} cachet_dataset_column;

typedef struct cachet_structured_dataset_type {
	cachet_dataset_column **columns;
	size_t n_columns;
	char *format; /* "parquet", "csv", ... */
	char *external_schema_type;
	cachet_bytes external_schema_bytes;
} cachet_structured_dataset_type;

typedef struct cachet_blob_type {
	char *format;
	int32_t dimensionality; /* enum cachet_blob_dimensionality */
} cachet_blob_type;

typedef struct cachet_enum_type {
	char **values;
	size_t n_values;
} cachet_enum_type;

typedef struct cachet_union_type {
	cachet_literal_type **variants;
	size_t n_variants;
} cachet_union_type;

typedef struct cachet_type_structure_entry {
	char *key;
	cachet_literal_type *value;
} cachet_type_structure_entry;

typedef struct cachet_type_structure {
	char *tag;
	cachet_type_structure_entry *dataclass_type; /* map<string, LiteralType> */
	size_t n_dataclass_type;
} cachet_type_structure;

typedef struct cachet_type_annotation {
	cachet_struct *annotations;
} cachet_type_annotation;

typedef enum cachet_literal_type_kind {
	CACHET_TYPE_NOT_SET = 0,
	CACHET_TYPE_SIMPLE = 1,
	CACHET_TYPE_SCHEMA = 2,
	CACHET_TYPE_COLLECTION = 3,
	CACHET_TYPE_MAP = 4,
	CACHET_TYPE_BLOB = 5,
	CACHET_TYPE_ENUM = 7,
	CACHET_TYPE_STRUCTURED_DATASET = 8,
	CACHET_TYPE_UNION = 10
} cachet_literal_type_kind;

struct cachet_literal_type {
	cachet_literal_type_kind kind;
	union {
		int32_t simple; /* enum cachet_simple_type */
		cachet_schema_type *schema;
		cachet_literal_type *collection_type;
		cachet_literal_type *map_value_type;
		cachet_blob_type *blob;
		cachet_enum_type *enum_type;
		cachet_structured_dataset_type *structured_dataset_type;
		cachet_union_type *union_type;
	};
	cachet_struct *metadata;
	cachet_type_annotation *annotation;
	cachet_type_structure *structure;
};

/* ---------------------------------------------------------------------- */
/* Literals (flyteidl.core, literals.proto)                               */

typedef struct cachet_literal cachet_literal;

typedef enum cachet_primitive_kind {
	CACHET_PRIMITIVE_NOT_SET = 0,
	CACHET_PRIMITIVE_INTEGER = 1,
	CACHET_PRIMITIVE_FLOAT = 2,
	CACHET_PRIMITIVE_STRING = 3,
	CACHET_PRIMITIVE_BOOLEAN = 4,
	CACHET_PRIMITIVE_DATETIME = 5,
	CACHET_PRIMITIVE_DURATION = 6
} cachet_primitive_kind;

typedef struct cachet_primitive {
	cachet_primitive_kind kind;
	union {
		int64_t integer;
		double float_value;
		char *string_value;
		bool boolean;
		cachet_timestamp *datetime;
		cachet_duration *duration;
	};
} cachet_primitive;

/* An empty message (flyteidl.core.Void). */
typedef struct cachet_void {
	char reserved_; /* C has no empty structs */
} cachet_void;

typedef struct cachet_blob_metadata {
	cachet_blob_type *type;
} cachet_blob_metadata;

typedef struct cachet_blob {
	cachet_blob_metadata *metadata;
	char *uri;
} cachet_blob;

typedef struct cachet_binary {
	cachet_bytes value;
	char *tag;
} cachet_binary;

typedef struct cachet_schema {
	char *uri;
	cachet_schema_type *type;
} cachet_schema;

typedef struct cachet_union {
	cachet_literal *value;
	cachet_literal_type *type;
} cachet_union;

typedef struct cachet_structured_dataset_metadata {
	cachet_structured_dataset_type *structured_dataset_type;
} cachet_structured_dataset_metadata;

typedef struct cachet_structured_dataset {
	char *uri;
	cachet_structured_dataset_metadata *metadata;
} cachet_structured_dataset;

typedef struct cachet_error_value {
	char *failed_node_id;
	char *message;
} cachet_error_value;

typedef enum cachet_scalar_kind {
	CACHET_SCALAR_NOT_SET = 0,
	CACHET_SCALAR_PRIMITIVE = 1,
	CACHET_SCALAR_BLOB = 2,
	CACHET_SCALAR_BINARY = 3,
	CACHET_SCALAR_SCHEMA = 4,
	CACHET_SCALAR_NONE = 5,
	CACHET_SCALAR_ERROR = 6,
	CACHET_SCALAR_GENERIC = 7,
	CACHET_SCALAR_STRUCTURED_DATASET = 8,
	CACHET_SCALAR_UNION = 9
} cachet_scalar_kind;

typedef struct cachet_scalar {
	cachet_scalar_kind kind;
	union {
		cachet_primitive *primitive;
		cachet_blob *blob;
		cachet_binary *binary;
		cachet_schema *schema;
		cachet_void *none_type;
		cachet_error_value *error;
		cachet_struct *generic;
		cachet_structured_dataset *structured_dataset;
		cachet_union *union_; /* "union" in Flyte */
	};
} cachet_scalar;

typedef struct cachet_literal_collection {
	cachet_literal **literals;
	size_t n_literals;
} cachet_literal_collection;

typedef struct cachet_literal_map_entry {
	char *key;
	cachet_literal *value;
} cachet_literal_map_entry;

typedef struct cachet_literal_map {
	cachet_literal_map_entry *literals;
	size_t n_literals;
} cachet_literal_map;

typedef struct cachet_literal_offloaded_metadata {
	char *uri;
	uint64_t size_bytes;
	cachet_literal_type *inferred_type;
} cachet_literal_offloaded_metadata;

typedef struct cachet_string_map_entry {
	char *key;
	char *value;
} cachet_string_map_entry;

typedef enum cachet_literal_kind {
	CACHET_LITERAL_NOT_SET = 0,
	CACHET_LITERAL_SCALAR = 1,
	CACHET_LITERAL_COLLECTION = 2,
	CACHET_LITERAL_MAP = 3,
	CACHET_LITERAL_OFFLOADED = 8
} cachet_literal_kind;

struct cachet_literal {
	cachet_literal_kind kind;
	union {
		cachet_scalar *scalar;
		cachet_literal_collection *collection;
		cachet_literal_map *map;
		cachet_literal_offloaded_metadata *offloaded_metadata;
	};
	/* The content hash. When set, cache keys use it in place of the value. */
	char *hash;
	cachet_string_map_entry *metadata; /* map<string, string> */
	size_t n_metadata;
};

/* ---------------------------------------------------------------------- */
/* Artifacts (flyteidl.core, artifact_id.proto)                           */
/*
 * What a Variable may say about the artifact it reads or produces. cachet
 * does not interpret them; they take part in the interface hash (and so
 * in the dataset version), as they do in Flyte. They come from Flyte's
 * files through the decoders of cachet/codec.h; there are no builders.
 */

enum cachet_granularity {
	CACHET_GRANULARITY_UNSET = 0,
	CACHET_GRANULARITY_MINUTE = 1,
	CACHET_GRANULARITY_HOUR = 2,
	CACHET_GRANULARITY_DAY = 3,
	CACHET_GRANULARITY_MONTH = 4
};

enum cachet_operator {
	CACHET_OPERATOR_MINUS = 0,
	CACHET_OPERATOR_PLUS = 1
};

typedef struct cachet_artifact_key {
	char *project;
	char *domain;
	char *name;
	char *org;
} cachet_artifact_key;

typedef struct cachet_time_transform {
	char *transform;
	int32_t op; /* enum cachet_operator */
} cachet_time_transform;

typedef enum cachet_partition_data_kind {
	CACHET_PARTITION_DATA_NOT_SET = 0,
	CACHET_PARTITION_DATA_KEY = 5,
	CACHET_PARTITION_DATA_TIME = 6
} cachet_partition_data_kind;

/* A partition bound to a triggering artifact. Fields 1 to 4 are reserved. */
typedef struct cachet_artifact_binding_data {
	cachet_partition_data_kind kind;
	union {
		char *partition_key;
		bool bind_to_time_partition;
	};
	cachet_time_transform *time_transform;
} cachet_artifact_binding_data;

typedef struct cachet_input_binding_data {
	char *var;
} cachet_input_binding_data;

/* An empty message (flyteidl.core.RuntimeBinding). */
typedef struct cachet_runtime_binding {
	char reserved_; /* C has no empty structs */
} cachet_runtime_binding;

typedef enum cachet_label_value_kind {
	CACHET_LABEL_VALUE_NOT_SET = 0,
	CACHET_LABEL_VALUE_STATIC = 1,
	CACHET_LABEL_VALUE_TIME = 2,
	CACHET_LABEL_VALUE_TRIGGERED = 3,
	CACHET_LABEL_VALUE_INPUT = 4,
	CACHET_LABEL_VALUE_RUNTIME = 5
} cachet_label_value_kind;

typedef struct cachet_label_value {
	cachet_label_value_kind kind;
	union {
		char *static_value;
		cachet_timestamp *time_value;
		cachet_artifact_binding_data *triggered_binding;
		cachet_input_binding_data *input_binding;
		cachet_runtime_binding *runtime_binding;
	};
} cachet_label_value;

typedef struct cachet_label_value_entry {
	char *key;
	cachet_label_value *value;
} cachet_label_value_entry;

typedef struct cachet_partitions {
	cachet_label_value_entry *value; /* map<string, LabelValue> */
	size_t n_value;
} cachet_partitions;

typedef struct cachet_time_partition {
	cachet_label_value *value;
	int32_t granularity; /* enum cachet_granularity */
} cachet_time_partition;

typedef struct cachet_artifact_id {
	cachet_artifact_key *artifact_key;
	char *version;
	cachet_partitions *partitions;
	cachet_time_partition *time_partition;
} cachet_artifact_id;

typedef struct cachet_artifact_tag {
	cachet_artifact_key *artifact_key;
	cachet_label_value *value;
} cachet_artifact_tag;

/* ---------------------------------------------------------------------- */
/* Interfaces (flyteidl.core, interface.proto)                            */

typedef struct cachet_variable {
	cachet_literal_type *type;
	char *description;
	cachet_artifact_id *artifact_partial_id; /* the artifact it reads, or NULL */
	cachet_artifact_tag *artifact_tag;       /* the tag it is known by, or NULL */
} cachet_variable;

typedef struct cachet_variable_map_entry {
	char *key;
	cachet_variable *value;
} cachet_variable_map_entry;

typedef struct cachet_variable_map {
	cachet_variable_map_entry *variables;
	size_t n_variables;
} cachet_variable_map;

typedef struct cachet_interface {
	cachet_variable_map *inputs;
	cachet_variable_map *outputs;
} cachet_interface;

/* ---------------------------------------------------------------------- */
/* Building literals. Each returns a new Literal, or NULL (CACHET_ENOMEM, or
 * CACHET_EINVALID for a string that is not UTF-8). Free with
 * cachet_literal_free(). */

CACHET_EXTERN cachet_literal *cachet_literal_new_integer(int64_t value);
CACHET_EXTERN cachet_literal *cachet_literal_new_float(double value);
CACHET_EXTERN cachet_literal *cachet_literal_new_string(const char *value);
/* A string of len bytes, which may hold NUL (U+0000). */
CACHET_EXTERN cachet_literal *cachet_literal_new_string_n(const char *value, size_t len);
CACHET_EXTERN cachet_literal *cachet_literal_new_boolean(bool value);
CACHET_EXTERN cachet_literal *cachet_literal_new_datetime(cachet_timestamp value);
CACHET_EXTERN cachet_literal *cachet_literal_new_duration(cachet_duration value);
/* The Void scalar (Flyte's None). */
CACHET_EXTERN cachet_literal *cachet_literal_new_none(void);
/* A Blob: a file (CACHET_BLOB_SINGLE) or a directory (CACHET_BLOB_MULTIPART)
 * at uri, with a format such as "csv" (may be NULL or ""). */
CACHET_EXTERN cachet_literal *cachet_literal_new_blob(const char *uri, const char *format,
						     int32_t dimensionality);
CACHET_EXTERN cachet_literal *cachet_literal_new_binary(const void *data, size_t len,
						       const char *tag);
/* A StructuredDataset (a dataframe) at uri in the given format. */
CACHET_EXTERN cachet_literal *cachet_literal_new_dataset(const char *uri, const char *format);
CACHET_EXTERN cachet_literal *cachet_literal_new_error(const char *failed_node_id,
						      const char *message);
/* An empty collection, to fill with cachet_literal_collection_append(). */
CACHET_EXTERN cachet_literal *cachet_literal_new_collection(void);
/* An empty map, to fill with cachet_literal_map_set(lit->map, ...). */
CACHET_EXTERN cachet_literal *cachet_literal_new_map(void);

/* Set (or, with NULL or "", clear) the literal's content hash. */
CACHET_EXTERN int cachet_literal_set_hash(cachet_literal *lit, const char *hash);
/* The same with a hash of len bytes, which may hold NUL. */
CACHET_EXTERN int cachet_literal_set_hash_n(cachet_literal *lit, const char *hash, size_t len);
/* Set one metadata entry, replacing any with the same key. */
CACHET_EXTERN int cachet_literal_set_metadata(cachet_literal *lit, const char *key,
					      const char *value);
/* The same with a key and a value given with their lengths (may hold NUL). */
CACHET_EXTERN int cachet_literal_set_metadata_n(cachet_literal *lit, const char *key,
						size_t key_len, const char *value,
						size_t value_len);
/* Append item to a collection literal, which takes ownership of item (also
 * on failure, when item is freed). CACHET_EINVALID if lit is not a
 * collection. */
CACHET_EXTERN int cachet_literal_collection_append(cachet_literal *lit, cachet_literal *item);

CACHET_EXTERN int cachet_literal_copy(cachet_literal **out, const cachet_literal *src);
/* Equal means: the same deterministic protobuf encoding. */
CACHET_EXTERN bool cachet_literal_equal(const cachet_literal *a, const cachet_literal *b);
CACHET_EXTERN void cachet_literal_free(cachet_literal *lit);

/* ---- LiteralMap ---- */

CACHET_EXTERN int cachet_literal_map_new(cachet_literal_map **out);
/* The literal named `name`, or NULL. Binary search: maps are sorted. */
CACHET_EXTERN cachet_literal *cachet_literal_map_get(const cachet_literal_map *map,
						    const char *name);
/* The same by a name of len bytes, which may hold NUL: to look up a key
 * taken from another map, pass cachet_str_len(key). */
CACHET_EXTERN cachet_literal *cachet_literal_map_get_n(const cachet_literal_map *map,
						      const char *name, size_t len);
/* Put value under name, replacing (and freeing) any previous value. The map
 * takes ownership of value, also on failure (when value is freed). */
CACHET_EXTERN int cachet_literal_map_set(cachet_literal_map *map, const char *name,
					 cachet_literal *value);
/* The same under a name of len bytes, which may hold NUL. */
CACHET_EXTERN int cachet_literal_map_set_n(cachet_literal_map *map, const char *name,
					   size_t len, cachet_literal *value);
/* Remove and free the entry named name; CACHET_ENOTFOUND if there is none. */
CACHET_EXTERN int cachet_literal_map_remove(cachet_literal_map *map, const char *name);
CACHET_EXTERN int cachet_literal_map_copy(cachet_literal_map **out, const cachet_literal_map *src);
CACHET_EXTERN bool cachet_literal_map_equal(const cachet_literal_map *a,
					    const cachet_literal_map *b);
CACHET_EXTERN void cachet_literal_map_free(cachet_literal_map *map);

/* ---------------------------------------------------------------------- */
/* Building types. Each returns a new LiteralType or NULL (CACHET_ENOMEM). */

CACHET_EXTERN cachet_literal_type *cachet_literal_type_new_simple(int32_t simple);
CACHET_EXTERN cachet_literal_type *cachet_literal_type_new_blob(const char *format,
							       int32_t dimensionality);
/* A dataframe type with the given format and no declared columns. */
CACHET_EXTERN cachet_literal_type *cachet_literal_type_new_dataset(const char *format);
/* A list of / a map to `element`; takes ownership of element (also on
 * failure, when it is freed). */
CACHET_EXTERN cachet_literal_type *cachet_literal_type_new_collection(cachet_literal_type *element);
CACHET_EXTERN cachet_literal_type *cachet_literal_type_new_map(cachet_literal_type *value);
CACHET_EXTERN int cachet_literal_type_copy(cachet_literal_type **out,
					   const cachet_literal_type *src);
CACHET_EXTERN bool cachet_literal_type_equal(const cachet_literal_type *a,
					     const cachet_literal_type *b);
CACHET_EXTERN void cachet_literal_type_free(cachet_literal_type *type);

/* ---- TypedInterface ---- */

CACHET_EXTERN int cachet_interface_new(cachet_interface **out);
/*
 * Declare an input (or, with is_output, an output) variable. Takes
 * ownership of type (also on failure). description may be NULL. Replaces a
 * variable of the same name.
 */
CACHET_EXTERN int cachet_interface_add(cachet_interface *iface, bool is_output,
				       const char *name, cachet_literal_type *type,
				       const char *description);
/* The variable named name among the inputs or outputs, or NULL. */
CACHET_EXTERN cachet_variable *cachet_variable_map_get(const cachet_variable_map *map,
						      const char *name);
/* The same by a name of len bytes, which may hold NUL. */
CACHET_EXTERN cachet_variable *cachet_variable_map_get_n(const cachet_variable_map *map,
							const char *name, size_t len);
CACHET_EXTERN int cachet_interface_copy(cachet_interface **out, const cachet_interface *src);
CACHET_EXTERN bool cachet_interface_equal(const cachet_interface *a, const cachet_interface *b);
CACHET_EXTERN void cachet_interface_free(cachet_interface *iface);

/* ---------------------------------------------------------------------- */
/* Types and values: names, fit, compatibility, data                      */

/* The tag of a Binary that holds a STRUCT as MessagePack bytes. */
#define CACHET_BINARY_TAG_MSGPACK "msgpack"

/*
 * A short human name of a type, for messages and tables, spelled as
 * workflow files spell types: "int", "float", "str", "bool", "datetime",
 * "duration", "none", "binary", "error", "struct", "file", "file(csv)",
 * "directory", "dataset(csv)", "schema", "list of int", "map of str",
 * "enum(a|b)", "union(int|none)" (new string, free with cachet_free).
 */
CACHET_EXTERN int cachet_literal_type_describe(char **out, const cachet_literal_type *type);

/*
 * What a value is, in the words of cachet_literal_type_describe with an
 * article, for messages: "an int", "a str", "a bool", "a file", "a
 * directory", "a dataset", "a list", "a map", "none", "binary", "a struct"
 * (a Struct, or a Binary tagged "msgpack"), "an offloaded value", ...,
 * "nothing" for NULL. A constant string.
 */
CACHET_EXTERN const char *cachet_literal_describe(const cachet_literal *lit);

/*
 * Whether lit is a value of type: a primitive of the simple type; none
 * and an error for NONE and ERROR; for STRUCT a protobuf Struct or a
 * Binary tagged CACHET_BINARY_TAG_MSGPACK (as Flyte's SDKs send a
 * dataclass), for BINARY any other Binary, as Flyte decides; a
 * blob of the type's dimensionality whose format agrees (an empty format
 * agrees with any); a dataset whose format agrees; a schema; a string
 * among the enum's values; a list or map whose elements all fit; for a
 * union, a value one variant accepts. A Union value fits what its value
 * fits. Taken as fitting: anything for a NULL or unset type and for a
 * simple type this version does not know; an offloaded literal whose
 * inferred type is unset, or compatible with type. On false, *why (when
 * not NULL) gets a new one-line reason ("a str is not of type int"; free
 * with cachet_free; it stays NULL when memory ran out).
 */
CACHET_EXTERN bool cachet_literal_fits(const cachet_literal *lit, const cachet_literal_type *type,
				       char **why);

/*
 * Whether a value of type `from` may be bound to an input of type `to`:
 * the same simple type; a blob of the same dimensionality whose formats
 * agree (an empty format agrees with any); a dataset whose formats agree
 * and whose declared columns (when both declare some) include the input's
 * with the same types; lists and maps of compatible elements; an enum
 * with the same values; a union that accepts `from` in one variant (and
 * union to union when every variant of `from` fits). On false, *why (when
 * not NULL) gets a new one-line reason ("dataset format 'parquet' does not
 * match 'csv'"; free with cachet_free).
 */
CACHET_EXTERN bool cachet_literal_type_compatible(const cachet_literal_type *from,
						  const cachet_literal_type *to, char **why);

/* What local data a type or a value stands for. */
typedef enum cachet_data_kind {
	CACHET_DATA_NONE = 0,      /* no data behind it: the value is its own */
	CACHET_DATA_FILE = 1,      /* a single-file Blob */
	CACHET_DATA_DIRECTORY = 2, /* a multipart Blob */
	CACHET_DATA_DATASET = 3    /* a StructuredDataset or Schema: a file or a directory */
} cachet_data_kind;

CACHET_EXTERN cachet_data_kind cachet_literal_type_data_kind(const cachet_literal_type *type);
/* By the literal's scalar, through Union wrappers; NONE for lists and maps. */
CACHET_EXTERN cachet_data_kind cachet_literal_data_kind(const cachet_literal *lit);
/* The URI of a blob, dataset or schema literal (through Union wrappers),
 * or NULL. */
CACHET_EXTERN const char *cachet_literal_uri(const cachet_literal *lit);

/*
 * Called with each URI a value carries. It may replace *uri: free the old
 * string with cachet_str_free and put a new counted one (cachet_str_new,
 * cachet_str_dup) in its place. Return 0 to
 * go on, a positive number to stop (returned as is), a negative error to
 * fail.
 */
typedef int (*cachet_uri_fn)(char **uri, void *payload);

/*
 * Call fn on every non-empty URI in lit, in order: the URI of each blob,
 * dataset and schema, through lists, maps and Union wrappers, and the URI
 * of each offloaded literal (not what it points to). Returns 0, fn's first
 * non-zero result, or CACHET_ETOODEEP / CACHET_EINVALID (fn NULL).
 */
CACHET_EXTERN int cachet_literal_each_uri(cachet_literal *lit, cachet_uri_fn fn, void *payload);

/* ---------------------------------------------------------------------- */
/* Names, for messages and display. */

/* "INTEGER", "FLOAT", ... or NULL for an unknown value. */
CACHET_EXTERN const char *cachet_simple_type_name(int32_t simple);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_VALUE_H */
