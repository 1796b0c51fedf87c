/*
 * Internal error helpers: record the thread's last error and return its code,
 * so that a failing path reads `return cachet__error(CACHET_EINVALID, ...)`.
 */
#ifndef CACHET_UTIL_ERROR_H
#define CACHET_UTIL_ERROR_H

#include "cachet/common.h"

#include <stdarg.h>

#if defined(__GNUC__)
#define CACHET__PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CACHET__PRINTF(fmt, args)
#endif

/* Record `code` with a printf-style message; returns `code`. */
int cachet__error(int code, const char *fmt, ...) CACHET__PRINTF(2, 3);
int cachet__error_v(int code, const char *fmt, va_list ap) CACHET__PRINTF(2, 0);

/* Record CACHET_ENOMEM with the message "out of memory"; returns it. */
int cachet__error_oom(void);

/*
 * Put "<prefix>: " in front of the current message, keeping its code;
 * returns the code. Used to add context (a file name, a field path) as an
 * error travels up.
 */
int cachet__error_prefix(const char *fmt, ...) CACHET__PRINTF(1, 2);

/*
 * Whether a failure to decode stored data is this process's (out of memory,
 * or over the input limit) rather than the data's: such data is not
 * corrupt, and must not be treated as if it were.
 */
static inline int cachet__error_is_ours(int code)
{
	return code == CACHET_ENOMEM || code == CACHET_ETOOBIG;
}

#endif
