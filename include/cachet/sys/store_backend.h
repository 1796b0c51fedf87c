/*
 * cachet/sys/store_backend.h - writing a store backend.
 *
 * This header is for those who implement a place for the store's bytes
 * (an S3 bucket, say); users of a store need only cachet/store.h. A
 * backend is a table of operations that the generic store
 * (cachet_store_new) calls after it has checked every URI against the
 * rules at the top of cachet/store.h, so a backend sees only canonical
 * URIs under its root.
 *
 * Implement one by embedding cachet_store_backend first in your own
 * struct, setting version to CACHET_STORE_BACKEND_VERSION and filling
 * every required member, and likewise for the writer and reader your
 * backend hands out. Operations may be called from several threads at
 * once (offloading a directory copies its files in parallel); one writer
 * or reader is used by one thread at a time.
 *
 * Versions. Each of the three tables carries the version of this header
 * it was written against. The library accepts any version from 1 to the
 * one it was built with and never reads a member that the table's
 * version does not have: a member marked "since version N" is optional,
 * and on an older table the library does without it. A table of a newer
 * version than the library knows is refused (CACHET_EINVALID, "unsupported
 * store backend version 3 (this library knows 1 to 2)"). So a backend
 * built against an older cachet keeps working with a newer one.
 *
 *   version 1  the operations below not marked otherwise
 *   version 2  cachet_store_writer.splice
 */
#ifndef CACHET_SYS_STORE_BACKEND_H
#define CACHET_SYS_STORE_BACKEND_H

#include "../store.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CACHET_STORE_BACKEND_VERSION 2

/* What a writer's splice answers when it cannot copy in the kernel. */
#define CACHET_STORE_SPLICE_DECLINED 1

/*
 * A write in progress: bytes go in with write(), and the object appears
 * only at commit(). After a failed write() the caller aborts.
 */
struct cachet_store_writer {
	unsigned int version; /* CACHET_STORE_BACKEND_VERSION */
	/* Append len bytes. A backend may buffer them (an S3 part). */
	int (*write)(cachet_store_writer *w, const void *data, size_t len);
	/*
	 * Make the object visible under its URI, whole and durable,
	 * replacing any object of that name. On failure nothing becomes
	 * visible. Either way w is freed.
	 */
	int (*commit)(cachet_store_writer *w);
	/* Discard what was written and free w. */
	void (*abort)(cachet_store_writer *w);

	/* ---- since version 2 ---- */

	/*
	 * Optional (NULL: never). Append up to max bytes read from the file
	 * descriptor fd, at its current offset, without the bytes passing
	 * through the process (copy_file_range into a local file); fd's
	 * offset advances by what was appended. Return 0 with *n the bytes
	 * appended (0 at the end of fd), or CACHET_STORE_SPLICE_DECLINED
	 * with nothing appended when the kernel will not or fails: the store
	 * then goes on with read() and write(), which report any real error
	 * naming its side. Record no error. Without splice, the store always
	 * reads and writes.
	 */
	int (*splice)(cachet_store_writer *w, int fd, size_t max, size_t *n);
};

/* A read of one object, front to back. */
struct cachet_store_reader {
	unsigned int version; /* CACHET_STORE_BACKEND_VERSION */
	/* Read up to cap bytes into buf; *got is 0 at the end of the object. */
	int (*read)(cachet_store_reader *r, void *buf, size_t cap, size_t *got);
	/* Free r. */
	void (*close)(cachet_store_reader *r);
};

struct cachet_store_backend {
	unsigned int version; /* CACHET_STORE_BACKEND_VERSION */
	/* The root URI, without a trailing '/'; owned by the backend. */
	const char *root;
	/*
	 * Start writing the object at uri. size_hint is the expected size
	 * in bytes, or UINT64_MAX when unknown (an S3 backend picks its part
	 * size from it). Nothing is visible until the writer commits.
	 */
	int (*open_writer)(cachet_store_writer **out, cachet_store_backend *b, const char *uri,
			   uint64_t size_hint);
	/* Start reading the object at uri; CACHET_ENOTFOUND when absent. */
	int (*open_reader)(cachet_store_reader **out, cachet_store_backend *b, const char *uri);
	/* The object's size and mtime; CACHET_ENOTFOUND when there is no
	 * object at uri (a prefix of other objects is not an object). */
	int (*stat)(cachet_store_stat *out, cachet_store_backend *b, const char *uri);
	/*
	 * Call fn for every object whose URI starts with prefix (a plain
	 * string prefix, as S3's: "…/a" lists "…/a", "…/a/x" and "…/ab"), in
	 * no particular order. Temporary leftovers of writes are not objects.
	 * A prefix with no objects lists nothing and succeeds.
	 */
	int (*list)(cachet_store_backend *b, const char *prefix, cachet_store_list_fn fn,
		    void *payload);
	/* Delete the object at uri; CACHET_ENOTFOUND when absent. */
	int (*delete_object)(cachet_store_backend *b, const char *uri);
	/*
	 * Optional. Remove the leftovers of failed or interrupted writes
	 * that are at least older_than seconds old; *removed counts them.
	 * NULL when the backend leaves none.
	 */
	int (*cleanup)(cachet_store_backend *b, int64_t older_than, size_t *removed);
	/* Free the backend. */
	void (*free)(cachet_store_backend *b);
};

#ifdef __cplusplus
}
#endif

#endif /* CACHET_SYS_STORE_BACKEND_H */
