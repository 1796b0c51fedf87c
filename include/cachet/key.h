/*
 * cachet/key.h - cache keys, byte for byte as Flyte's backend computes them.
 *
 * A cached output is found by two names: the dataset (which task, at which
 * cache version, with which interface) and the tag (which inputs). An input
 * Literal that carries a `hash` enters the tag by its hash alone, so an
 * offloaded value keeps its key when its bytes move to a new URI.
 */
#ifndef CACHET_KEY_H
#define CACHET_KEY_H

#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CACHET_HASH_LEN 32 /* bytes of a SHA-256 */

/*
 * pbhash: the objecthash of the value's protobuf JSON form (camelCase
 * names, int64 as strings, enums by name, zero fields left out), computed
 * without printing the JSON. CACHET_EINVALID for values that protobuf JSON
 * cannot express (see codec.h).
 */
CACHET_EXTERN int cachet_pbhash_literal_map(uint8_t out[CACHET_HASH_LEN],
					    const cachet_literal_map *map);
CACHET_EXTERN int cachet_pbhash_literal(uint8_t out[CACHET_HASH_LEN], const cachet_literal *lit);
CACHET_EXTERN int cachet_pbhash_variable_map(uint8_t out[CACHET_HASH_LEN],
					     const cachet_variable_map *map);

/* objecthash of a JSON text (every number hashed as a double).
 * CACHET_EINVALID for malformed JSON. */
CACHET_EXTERN int cachet_objecthash_json(uint8_t out[CACHET_HASH_LEN], const char *json,
					 size_t len);

/*
 * hashify: the form in which a literal enters the tag. A literal with a
 * hash becomes a Literal holding only that hash; a collection or map
 * without one is rebuilt from the hashified elements (its own metadata
 * dropped); anything else is copied unchanged.
 */
CACHET_EXTERN int cachet_hashify(cachet_literal **out, const cachet_literal *lit);

/* Options for cachet_cache_key_compute. */
typedef struct cachet_key_options {
	unsigned int version;
	/* Inputs left out of the tag (Flyte's cache_ignore_input_vars). */
	const char *const *ignore;
	size_t n_ignore;
	/*
	 * What to call the inputs and the interface in error messages, e.g.
	 * their file names: "inputs.json: literals.a.scalar...: ...".
	 * NULL: "inputs" and "interface".
	 */
	const char *inputs_label;
	const char *interface_label;
} cachet_key_options;

#define CACHET_KEY_OPTIONS_VERSION 1
#define CACHET_KEY_OPTIONS_INIT {CACHET_KEY_OPTIONS_VERSION, NULL, 0, NULL, NULL}

/*
 * A task's cache key. cachet_cache_key_compute fills one (all strings
 * owned; release with cachet_cache_key_dispose); the catalog reads one.
 * It starts with its struct version, set by CACHET_CACHE_KEY_INIT or by
 * hand (CACHET_CACHE_KEY_VERSION), which both check: a key the library
 * does not know is refused with CACHET_EINVALID (docs/design.md, "Result
 * structs"). It is called struct_version because `version` is the
 * dataset version, Flyte's name for it.
 */
typedef struct cachet_cache_key {
	unsigned int struct_version;
	char *project;
	char *domain;
	char *name;    /* "flyte_task-" + task name */
	char *version; /* cache version + "-" + in8 + "-" + out8 */
	char *tag;     /* "flyte_cached-" + b64url(pbhash(hashified inputs)) */
} cachet_cache_key;

#define CACHET_CACHE_KEY_VERSION 1
#define CACHET_CACHE_KEY_INIT {CACHET_CACHE_KEY_VERSION, NULL, NULL, NULL, NULL, NULL}

/*
 * Compute the dataset id and tag of a task. iface and inputs may be NULL
 * (empty). CACHET_EINVALID when the cache version is empty after trimming
 * spaces ("task cannot have an empty cache version") or a value cannot be
 * hashed. opts may be NULL. out starts as CACHET_CACHE_KEY_INIT (or a
 * disposed key); a version the library does not know is refused and out
 * left as it was.
 */
CACHET_EXTERN int cachet_cache_key_compute(cachet_cache_key *out, const char *project,
					   const char *domain, const char *task_name,
					   const char *cache_version, const cachet_interface *iface,
					   const cachet_literal_map *inputs,
					   const cachet_key_options *opts);
CACHET_EXTERN void cachet_cache_key_dispose(cachet_cache_key *key);

/* The dataset version alone: trim(cache_version) + "-" + in8 + "-" + out8. */
CACHET_EXTERN int cachet_dataset_version(char **out, const char *cache_version,
					 const cachet_interface *iface);
/* The tag alone. */
CACHET_EXTERN int cachet_tag(char **out, const cachet_literal_map *inputs,
			     const cachet_key_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_KEY_H */
