/*
 * Internal: copying a local file into the store, either while hashing it
 * in one pass over its bytes, or, when its digest is known already,
 * without the bytes passing through this process.
 */
#ifndef CACHET_STORE_COPY_H
#define CACHET_STORE_COPY_H

#include "digest/digest_internal_api.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cachet__copy_opts {
	/* Hash on a second thread while this one reads and writes: for one
	 * big file (a directory's files are copied in parallel already). */
	bool pipelined;
	/* Added to as bytes are copied (any thread may be copying); NULL:
	 * none. */
	atomic_uint_fast64_t *bytes_done;
	/* Set by someone else to make the copy give up early; NULL: never. */
	atomic_bool *cancel;
	/* When not NULL, called on this thread after every chunk copied,
	 * with the bytes copied so far of this file (callers throttle). */
	void (*tick)(void *payload, uint64_t done);
	void *tick_payload;
	/*
	 * The caller knows the file's digest as of this stat (the stat cache
	 * vouched for it): copy it only if it still is that file. When the
	 * open file's identity, size, mtime or ctime differ from *known,
	 * before or after the copy, or it gives other than its size in
	 * bytes, nothing is committed and cachet__copy_in returns
	 * CACHET__COPY_STALE. NULL: the file may be anything. Only with
	 * h == NULL.
	 */
	const cachet__fstat *known;
} cachet__copy_opts;

/* cachet__copy_in's answer when the file is not the one o->known says. */
#define CACHET__COPY_STALE 1

/* What a copy saw of the file: what the stat cache records. */
typedef struct cachet__copy_seen {
	cachet__fstat st; /* fstat, the same before and after the copy */
	int64_t t0;       /* cachet__digest_now_ns() before the file was opened */
} cachet__copy_seen;

/*
 * Copy the regular file at path (show: how messages name it) to the
 * object at uri.
 *
 * With a hasher h, every byte read is fed to h as well (the caller
 * finalizes h): the bytes are read into this process once, and hashed and
 * written from there. Without one (h == NULL), the bytes are copied in
 * the kernel (copy_file_range) when the store's writer is a local file,
 * else read and written.
 *
 * The object is committed only when the file was copied whole and did not
 * change meanwhile (same identity, size, mtime and ctime before and after,
 * as many bytes as its size); else CACHET_EIO "cannot read '<show>': it
 * changed while it was read" (CACHET__COPY_STALE with o->known) and
 * nothing is written. Errors name show for reading and uri for writing.
 * o may be NULL; seen, when not NULL, receives what the stat cache needs
 * on success. The reading side refuses what the digest layer refuses: a
 * FIFO, socket or device is CACHET_EUNSUPPORTED (and never blocks), a
 * missing file CACHET_ENOTFOUND.
 *
 * A copy that brings the bytes into this process counts as reading the
 * file for the digest layer's test counter (cachet__digest_files_read);
 * a copy in the kernel does not.
 */
int cachet__copy_in(cachet__hasher *h, cachet_store *store, const char *uri, const char *path,
		    const char *show, const cachet__copy_opts *o, cachet__copy_seen *seen);

#endif
