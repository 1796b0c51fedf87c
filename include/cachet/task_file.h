/*
 * cachet/task_file.h - a task as Flyte defines it, read from the files
 * Flyte's tools write, so that its cache key needs no other description.
 *
 * A Flyte task is a TaskTemplate (flyteidl.core); `pyflyte serialize` and
 * `pyflyte package` write it, or a TaskSpec (flyteidl.admin) whose field 1
 * is the template, in protobuf or protobuf JSON. What its cache key needs
 * is all in the template: the project, domain and name in `id`, the cache
 * version in `metadata.discovery_version`, the inputs left out of the key
 * in `metadata.cache_ignore_input_vars`, and the `interface`.
 *
 * Flyte adds fields to these messages often, so fields cachet does not
 * model are skipped in both encodings. That differs from the values
 * (codec.h), whose JSON refuses unknown names; the interface inside a task
 * file keeps that rule, since an unknown field there could change the key.
 */
#ifndef CACHET_TASK_FILE_H
#define CACHET_TASK_FILE_H

#include "codec.h"
#include "key.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which message a task file holds. */
typedef enum cachet_task_message {
	CACHET_TASK_DETECT = 0,   /* decoding only: tell from the bytes */
	CACHET_TASK_TEMPLATE = 1, /* flyteidl.core.TaskTemplate */
	CACHET_TASK_SPEC = 2      /* flyteidl.admin.TaskSpec (template = 1) */
} cachet_task_message;

/* What a task file says about the task's cache key. All owned; release
 * with cachet_task_file_dispose. Strings are counted strings (cachet_str_len
 * gives their length, NUL included) and never NULL ("" when unset). */
typedef struct cachet_task_file {
	cachet_task_message message; /* the message the file held */
	char *project;               /* id.project */
	char *domain;                /* id.domain */
	char *name;                  /* id.name */
	char *version;               /* id.version: the code version, not the cache's */
	char *cache_version;         /* metadata.discovery_version */
	char **ignore;               /* metadata.cache_ignore_input_vars */
	size_t n_ignore;
	cachet_interface *iface;     /* interface; NULL when the template has none */
	bool discoverable;           /* metadata.discoverable: is the task cached at all */
	bool serializable;           /* metadata.cache_serializable */
} cachet_task_file;

/*
 * Decode a task file. format may be CACHET_FORMAT_AUTO (JSON when the
 * first byte that is not white space is '{', as cachet_format_detect),
 * message CACHET_TASK_DETECT:
 *
 *   - JSON: an object with a member "template" is a TaskSpec, any other
 *     object a TaskTemplate (which has no field of that name).
 *   - protobuf: a message with a field a TaskTemplate has and a TaskSpec
 *     has not (3 to 9, 16 to 18) is a TaskTemplate; pyflyte always writes
 *     the metadata (3) and the interface (4). Else field 1 decides: a
 *     TaskTemplate's is an Identifier, which starts with its resource
 *     type (field 1, a varint); a TaskSpec's is a TaskTemplate, which
 *     starts with its id (field 1, a message) or holds a field an
 *     Identifier has not (7 to 9, 16 to 18). Fields of neither message
 *     do not count. Bytes where neither shows are refused with
 *     CACHET_EINVALID ("cannot tell a TaskTemplate from a TaskSpec ...")
 *     and must be decoded with the message given.
 *
 * The id must name a task (resource type TASK or unset) and give project,
 * domain and name; a template without metadata is not discoverable. A
 * task that is not discoverable decodes (its key can still be computed);
 * the caller decides what to make of it. CACHET_EINVALID with a message
 * naming the field ("template.id: the project is empty"),
 * CACHET_ETOODEEP, CACHET_ETOOBIG beyond the input limit, CACHET_ENOMEM.
 * out is zeroed on failure.
 */
CACHET_EXTERN int cachet_task_file_decode(cachet_task_file *out, const void *data, size_t len,
					  cachet_format format, cachet_task_message message);
CACHET_EXTERN void cachet_task_file_dispose(cachet_task_file *task);

/*
 * The cache key of the task with these inputs (NULL: none), as
 * cachet_cache_key_compute with the task's project, domain, name, cache
 * version and interface. The inputs left out are the task's ignore list
 * and opts->ignore, both. opts may be NULL. Does not look at
 * discoverable.
 */
CACHET_EXTERN int cachet_task_file_key(cachet_cache_key *out, const cachet_task_file *task,
				       const cachet_literal_map *inputs,
				       const cachet_key_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_TASK_FILE_H */
