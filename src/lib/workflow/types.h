/*
 * The types and values of workflow files: a declared type (text such as
 * "list[dataset[csv]]" or a mapping) into a Flyte LiteralType, and a value
 * written in YAML into a Literal of a given type.
 */
#ifndef CACHET_WORKFLOW_TYPES_H
#define CACHET_WORKFLOW_TYPES_H

#include "cachet/value.h"
#include "workflow/yaml.h"

/*
 * Read the type declared at node n of file `name` into *out.
 * CACHET_EINVALID "<name>:<line>:<col>: <what>" for an unknown or
 * malformed type.
 */
int cachet__wf_type_parse(cachet_literal_type **out, const char *name,
			  const cachet__yaml_node *n);

/* True when t is a file, a directory or a dataset: a value that is a path
 * (or a URI) in a workflow file and on the command line. */
bool cachet__wf_type_is_offloaded(const cachet_literal_type *t);

/* Where a value is written, for reading it and for its messages. */
typedef struct cachet__wf_value_ctx {
	const char *name;     /* the file, for messages ("wf.yaml") */
	const char *what;     /* what the value is for ("node 'foo': input 'a'") */
	const char *base_dir; /* relative paths are taken from here (NULL: cwd) */
} cachet__wf_value_ctx;

/*
 * Read the YAML node n as a value of type t into *out: each scalar by
 * cachet_literal_from_text (so a value reads the same in a file and after
 * -i), a list from a sequence, a map from a mapping. A relative path for a
 * file, directory or dataset is taken from ctx->base_dir. An unquoted empty
 * value (or ~, null) is none for none, and missing for any other type.
 * CACHET_EINVALID "<name>:<line>:<col>: <what>: <problem>" when the value
 * does not fit, e.g.
 *   wf.yaml:12:10: node 'foo': input 'a': "abc" is not an int
 */
int cachet__wf_value_from_node(cachet_literal **out, const cachet__wf_value_ctx *ctx,
			       const cachet_literal_type *t, const cachet__yaml_node *n);

/*
 * Parse a duration as workflow files write them: one or more
 * <number><unit> with units d, h, m, s, ms ("90s", "1m30s", "1.5s",
 * "250ms", "7d"). CACHET_EINVALID without a message (the caller words it).
 */
int cachet__wf_duration_parse(cachet_duration *out, const char *text);

#endif
