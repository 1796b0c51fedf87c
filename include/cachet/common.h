/*
 * cachet/common.h - version, error codes and the last-error message.
 *
 * Every libcachet function that can fail returns an int: 0 (CACHET_OK) on
 * success, one of the negative codes below on failure. The failing call also
 * records a message for the calling thread, read with cachet_error_last().
 * The library never prints and never exits the process.
 */
#ifndef CACHET_COMMON_H
#define CACHET_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CACHET_EXTERN __attribute__((visibility("default")))
#else
#define CACHET_EXTERN
#endif

#define CACHET_VERSION_MAJOR 0
#define CACHET_VERSION_MINOR 1
#define CACHET_VERSION_PATCH 0
#define CACHET_VERSION "0.1.0"

/*
 * Error codes. Never renumbered: callers may store them.
 */
typedef enum cachet_error_code {
	CACHET_OK = 0,
	CACHET_ERROR = -1,     /* a failure with no more specific code */
	CACHET_ENOMEM = -2,    /* out of memory */
	CACHET_EINVALID = -3,  /* malformed input or an invalid argument */
	CACHET_ENOTFOUND = -4, /* the thing asked for does not exist */
	CACHET_EEXISTS = -5,   /* the thing to create exists already */
	CACHET_ELOCKED = -6,   /* held by someone else */
	CACHET_EIO = -7,       /* an operating-system I/O call failed */
	CACHET_ETOODEEP = -8,  /* input nested deeper than CACHET_MAX_DEPTH */
	CACHET_EUNSUPPORTED = -9, /* valid, but not something cachet does */
	CACHET_ECORRUPT = -10, /* stored data is damaged (a corrupt database) */
	CACHET_EUNSAFE = -11,  /* not trusted: owned by another user, or writable
				* by others (docs/security.md) */
	CACHET_ETOOBIG = -12   /* input larger than the input limit (below) */
} cachet_error_code;

/* The last error recorded on this thread. */
typedef struct cachet_error {
	cachet_error_code code;
	const char *message; /* never NULL; "" when no error was recorded */
} cachet_error;

/*
 * The calling thread's last error. Valid until the next libcachet call on
 * this thread. After a success the previous error may still be there: only
 * look at it after a call returned a negative code.
 */
CACHET_EXTERN const cachet_error *cachet_error_last(void);

/* Forget the calling thread's last error. */
CACHET_EXTERN void cachet_error_clear(void);

/* A short constant name for an error code: "ENOMEM", "EINVALID", ... */
CACHET_EXTERN const char *cachet_error_code_name(int code);

/* Free memory that libcachet allocated and handed over (encoded buffers,
 * strings). NULL is a no-op. */
CACHET_EXTERN void cachet_free(void *ptr);

/*
 * Warnings: things the library recovered from but a user should hear about
 * (a corrupt state database rebuilt, say). The library never prints; it
 * hands each warning to this handler, process-wide. NULL (the default)
 * drops them. The handler may be called from any thread.
 */
typedef void (*cachet_warning_fn)(const char *message, void *payload);
CACHET_EXTERN void cachet_set_warning_handler(cachet_warning_fn fn, void *payload);

/*
 * The input limit: the most bytes libcachet reads into memory, or decodes,
 * as one input. Inputs read with cachet_read_input (the CLI reads every
 * file and standard input so), every value decoded (protobuf or JSON, from
 * a file or from the catalog) and every text given to
 * cachet_objecthash_json are refused beyond it with CACHET_ETOOBIG, so that
 * /dev/zero or a runaway pipe cannot exhaust memory. Decoding needs several times the input size in memory (see
 * docs/json-mapping.md), which is why the default is well below common RAM.
 *
 * The limit in force is the one set with cachet_set_max_input, else the
 * environment variable CACHET_MAX_INPUT (bytes, or a number with K, M, G or
 * T for KiB, MiB, GiB, TiB: "512M"), else CACHET_MAX_INPUT_DEFAULT.
 */
#define CACHET_MAX_INPUT_DEFAULT ((size_t)256 << 20) /* 256 MiB */

/* The limit in force, in bytes. CACHET_EINVALID when CACHET_MAX_INPUT is
 * set but is not a size of at least one byte. */
CACHET_EXTERN int cachet_max_input(size_t *out);

/* Set the limit for the whole process; 0 goes back to CACHET_MAX_INPUT or
 * the default. Safe to call from any thread. */
CACHET_EXTERN void cachet_set_max_input(size_t bytes);

/*
 * Read what is left of fd, up to the input limit, into *out (NUL-terminated,
 * the NUL not counted in *len; free with cachet_free). name is how messages
 * name the input:
 *   cannot read 'big.json': larger than the input limit of 256 MiB (set
 *   CACHET_MAX_INPUT to raise it)
 * A regular file beyond the limit is refused before anything is read; a
 * pipe or a device is read until the limit is passed. fd is not closed.
 */
CACHET_EXTERN int cachet_read_input(char **out, size_t *len, int fd, const char *name);

/* The library's version string, e.g. "0.1.0". */
CACHET_EXTERN const char *cachet_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_COMMON_H */
