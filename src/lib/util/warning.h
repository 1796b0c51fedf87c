/* Internal: hand a warning to the application's handler, if any. */
#ifndef CACHET_UTIL_WARNING_H
#define CACHET_UTIL_WARNING_H

#include "error.h"

void cachet__warn(const char *fmt, ...) CACHET__PRINTF(1, 2);

#endif
