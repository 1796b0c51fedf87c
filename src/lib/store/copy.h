/*
 * Internal: copying a local file into the store while hashing it, in one
 * pass over its bytes.
 */
#ifndef CACHET_STORE_COPY_H
#define CACHET_STORE_COPY_H

#include "digest/hasher.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cachet__copy_opts {
	/* Hash on a second thread while this one reads and writes: for one
	 * big file (a directory's files are copied in parallel already). */
	bool pipelined;
	/* Added to as bytes are read (any thread may be reading); NULL: none. */
	atomic_uint_fast64_t *bytes_done;
	/* Set by someone else to make the copy give up early; NULL: never. */
	atomic_bool *cancel;
	/* When not NULL, called on this thread after every chunk read, with
	 * the bytes read so far of this file (callers throttle). */
	void (*tick)(void *payload, uint64_t done);
	void *tick_payload;
} cachet__copy_opts;

/*
 * Copy the regular file at path (show: how messages name it) to the
 * object at uri, feeding every byte read to h as well when h is not NULL;
 * the caller finalizes h. The object is committed only when the file was
 * read whole and did not change meanwhile (same identity, size, mtime and
 * ctime before and after, as many bytes as its size); else CACHET_EIO
 * "cannot read '<show>': it changed while it was read" and nothing is
 * written. Errors name show for reading and uri for writing. o may be NULL.
 * The reading side refuses what the digest layer refuses: a FIFO, socket
 * or device is CACHET_EUNSUPPORTED (and never blocks), a missing file
 * CACHET_ENOTFOUND.
 */
int cachet__copy_in(cachet__hasher *h, cachet_store *store, const char *uri, const char *path,
		    const char *show, const cachet__copy_opts *o);

#endif
