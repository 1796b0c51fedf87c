/*
 * Internal: the store handle, shared by the generic helpers (store.c),
 * copying with hashing (copy.c) and offloading (offload.c).
 */
#ifndef CACHET_STORE_STORE_H
#define CACHET_STORE_STORE_H

#include "cachet/sys/store_backend.h"

#include <stddef.h>

struct cachet_store {
	cachet_store_backend *backend;
};

/*
 * Append up to max bytes read from the file descriptor in (at its current
 * offset) to the writer w without the bytes passing through this process,
 * through the writer's splice operation (cachet/sys/store_backend.h):
 * copy_file_range, page cache to page cache, when w writes a local file.
 * *n is the number of bytes appended: 0 at the end of in. Both offsets
 * advance by *n.
 *
 * CACHET_STORE_SPLICE_DECLINED, with *n = 0 and nothing done, when w has
 * no splice (a writer older than version 2, or a backend without one) or
 * the kernel declines or fails (across filesystems, an old kernel, an I/O
 * error, a full disk): the caller goes on with read() and
 * cachet_store_writer_write() from where the offsets are, which then
 * reports any real error with its proper subject (the local path for
 * reading, the URI for writing). Never records an error.
 */
int cachet__store_writer_splice(cachet_store_writer *w, int in, size_t max, size_t *n);

#endif
