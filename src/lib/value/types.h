/* Internal constructors shared by the literal and type builders. */
#ifndef CACHET_VALUE_TYPES_H
#define CACHET_VALUE_TYPES_H

#include "cachet/value.h"

/* A new BlobType. 0, CACHET_EINVALID (format not UTF-8) or CACHET_ENOMEM. */
int cachet__blob_type_new(cachet_blob_type **out, const char *format, int32_t dimensionality);

#endif
