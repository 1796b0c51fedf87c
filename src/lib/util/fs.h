/*
 * Filesystem helpers every layer uses: creating directory
 * chains, random names, durable renames.
 */
#ifndef CACHET_UTIL_FS_H
#define CACHET_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Create the directory path and its missing parents with mode (existing
 * ones are left alone). Returns 0, or -1 with errno set (EEXIST when a
 * component exists and is not a directory); records no error, so that
 * callers name the subject they care about. *failed, when not NULL, is set
 * to the length of the prefix of path that could not be created.
 */
int cachet__mkdirs(const char *path, mode_t mode, size_t *failed);

/* 2*n lowercase hex digits of fresh randomness and a NUL into out.
 * CACHET_EIO when the system has no randomness to give. */
int cachet__random_hex(char *out, size_t n);

/* fsync the directory dir (so a rename or create in it is durable).
 * Returns 0 or -1 with errno set. */
int cachet__fsync_dir(const char *dir);

/* read/write that restart after EINTR and, for write, after a short
 * count: returns len on success, -1 with errno set (a short final write
 * reports the error of the write that failed). */
ssize_t cachet__read_some(int fd, void *buf, size_t len);
int cachet__write_all(int fd, const void *buf, size_t len);

/* A new string "<a><sep><b>" (sep 0: none). NULL on ENOMEM (recorded). */
char *cachet__path_join(const char *a, char sep, const char *b);

/* The part of path after its last '/' (path itself when it has none). */
const char *cachet__basename(const char *path);

/* Write data to path atomically (temporary + fsync + rename). */
int cachet__write_file_atomic(const char *path, const void *data, size_t len);
/* Read a whole (small) file; CACHET_ENOTFOUND when absent. */
int cachet__read_file(char **out, size_t *len, const char *path, size_t max);
/* Remove a file or a directory tree; missing is fine. A link is removed,
 * never followed. _at: name under the open directory dirfd, path names it
 * in messages. */
int cachet__remove_tree(const char *path);
int cachet__remove_tree_at(int dirfd, const char *name, const char *path);

#endif
