/*
 * cachet.h - the whole public API of libcachet.
 *
 *   common.h  version, error codes, the last error
 *   value.h   Flyte's typed values: Literal, LiteralType, TypedInterface
 *   codec.h   those values in protobuf wire format and protobuf JSON
 *   key.h     cache keys identical to Flyte's backend
 *   task_file.h Flyte's task files (TaskTemplate, TaskSpec) and their keys
 *   digest.h  content hashes, the stat cache, hash methods
 *   home.h    the cachet home directory and its layout
 *   store.h   the store of offloaded data; offloading with hashing
 *   catalog.h cached outputs: lookup, put, reservations, eviction, GC
 *   engine.h  tasks, workflows, running them with the cache; run records
 *   workflow.h workflow files (YAML) loaded into the engine's workflows
 */
#ifndef CACHET_H
#define CACHET_H

#include "cachet/common.h"
#include "cachet/value.h"
#include "cachet/codec.h"
#include "cachet/key.h"
#include "cachet/task_file.h"
#include "cachet/digest.h"
#include "cachet/home.h"
#include "cachet/store.h"
#include "cachet/catalog.h"
#include "cachet/engine.h"
#include "cachet/workflow.h"

#endif /* CACHET_H */
