/*
 * The input limit (cachet_max_input in cachet/common.h) for the layers
 * above: a check for inputs already in memory, and the readers of files.
 */
#ifndef CACHET_UTIL_INPUT_H
#define CACHET_UTIL_INPUT_H

#include "cachet/common.h"

/*
 * 0 when an input of len bytes is within the limit. Else CACHET_ETOOBIG
 * with "larger than the input limit of 256 MiB (set CACHET_MAX_INPUT to
 * raise it)", for the caller to prefix with what failed, or the error of a
 * malformed CACHET_MAX_INPUT.
 */
int cachet__input_check(size_t len);

/*
 * Read the file at path whole, within the limit, into *out (NUL-terminated;
 * free with cachet__free). CACHET_ENOTFOUND when it does not exist,
 * CACHET_EIO when it cannot be opened or read, CACHET_ETOOBIG beyond the
 * limit; messages name the path. For readers of workflow files and records.
 */
int cachet__read_input_path(char **out, size_t *len, const char *path);

#endif
