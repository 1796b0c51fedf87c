/*
 * How the operating system's answers read in messages: error text, file
 * kinds, and paths made printable. Every layer uses these, so they live at
 * the bottom.
 */
#ifndef CACHET_UTIL_OS_H
#define CACHET_UTIL_OS_H

#include <stddef.h>
#include <sys/types.h>

/* "a FIFO", "a socket", "a character device", ... for messages. */
const char *cachet__file_kind(mode_t mode);

/* strerror, thread-safe: the reason text for errnum in buf. */
const char *cachet__os_reason(int errnum, char *buf, size_t size);

/* Size of a buffer for cachet__path_show; longer paths are cut. */
#define CACHET__SHOW_MAX 512

/*
 * How messages name a path: root, and "/" rel when rel is not NULL. Bytes
 * that are not UTF-8, and control characters, show as \xNN, so a message
 * stays one printable line. Returns out.
 */
const char *cachet__path_show(char out[CACHET__SHOW_MAX], const char *root, const char *rel);

/* The same for any text s[0..len), which may hold NUL (shown as \x00):
 * names and strings of values, in messages. Returns out. */
const char *cachet__bytes_show(char out[CACHET__SHOW_MAX], const char *s, size_t len);

/*
 * strerror, safe in threads (plain strerror may share one buffer between
 * threads): the text for err in a per-thread buffer, valid until the next
 * call on this thread. scripts/check-source.sh refuses plain strerror.
 */
const char *cachet__strerror(int err);

#endif
