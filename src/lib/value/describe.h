/* What a value is, in words, for error messages. */
#ifndef CACHET_VALUE_DESCRIBE_H
#define CACHET_VALUE_DESCRIBE_H

#include "cachet/value.h"

/* "an integer", "a blob", "a dataset", "a collection", ..., "nothing" for
 * NULL. A constant string. */
const char *cachet__literal_describe(const cachet_literal *lit);

#endif
