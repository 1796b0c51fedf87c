/*
 * cachet/store.h - where offloaded bytes live.
 *
 * A store holds objects: byte sequences named by URIs under the store's
 * root URI, e.g.
 *
 *   file:///home/me/.cache/cachet/store/20240501-9f86d081884c7d65/df/data.csv
 *   \____________ root ______________/ \______________ key ______________/
 *
 * Keys are '/'-separated and there are no real directories: a "directory"
 * is a prefix that some objects' URIs share, as in S3. Every URI given to
 * a store is first put in its canonical spelling: for a file URI,
 * "file://localhost/p", "file:/p" and "FILE:///p" are "file:///p", and
 * empty and "." segments are dropped ("a//./b" is "a/b"); a ".." segment,
 * another host and the escapes "%2e" (in a segment that decodes to "." or
 * ".."), "%2f" and "%00" are refused. It must then be the root, '/', then
 * a key whose segments are non-empty, not "." or "..", and UTF-8; an
 * object's URI does not end in '/'. Any other URI is refused with
 * CACHET_EINVALID, naming it. Paths are otherwise taken literally: there
 * is no percent-decoding (docs/store.md, "URIs").
 *
 * Writes are atomic: an object appears whole at commit or not at all, and
 * replaces any object of the same name atomically. A reader never sees a
 * partial object. A write that fails or is interrupted leaves at most a
 * temporary leftover, which cachet_store_cleanup() removes.
 *
 * A store is one generic handle (cachet_store) over a backend: a versioned
 * table of operations (cachet_store_backend). cachet ships two backends:
 * the local filesystem (file:// URIs, the default) and an in-memory one
 * (for tests and embedding). Writing another (S3, say) is described in
 * cachet/sys/store_backend.h.
 */
#ifndef CACHET_STORE_H
#define CACHET_STORE_H

#include "value.h"
#include "digest.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Backends                                                               */

/*
 * A backend: the operations a store needs from wherever the bytes live.
 * Opaque here; cachet/sys/store_backend.h defines it for those who
 * implement one.
 */
typedef struct cachet_store_backend cachet_store_backend;

/* A write in progress (cachet_store_writer_open) and a read of one object
 * (cachet_store_reader_open). Each is used by one thread at a time. */
typedef struct cachet_store_writer cachet_store_writer;
typedef struct cachet_store_reader cachet_store_reader;

/* What a store knows about an object. */
typedef struct cachet_store_stat {
	uint64_t size;          /* bytes */
	cachet_timestamp mtime; /* when it was last written */
} cachet_store_stat;

/*
 * Called once per object by a listing, with the object's URI. Return 0 to
 * go on; any other value stops the listing, which then returns that value.
 */
typedef int (*cachet_store_list_fn)(const char *uri, const cachet_store_stat *st,
				    void *payload);

/*
 * The local filesystem backend, rooted at the directory root_dir (created
 * with its missing parents, mode 0700, when missing). Its root URI is
 * "file://" followed by root_dir's real path (symbolic links resolved).
 * An object is a file at the key's path under root_dir, written to
 * ".<name>.tmp-<16 hex>" in the same directory, fsynced, renamed into
 * place, and the directory fsynced. Names of that temporary form are
 * reserved: URIs whose last segment has it are refused. The backend
 * follows no symbolic link below root_dir: a write through one is refused
 * (CACHET_EIO), and a read, stat or delete through or of one finds no
 * object (CACHET_ENOTFOUND); listings pass links by. A root_dir whose real
 * path has no canonical file URI (a segment "%2e%2e") is refused.
 */
CACHET_EXTERN int cachet_store_backend_file_new(cachet_store_backend **out, const char *root_dir);

/*
 * A backend that keeps objects in memory, for tests and embedding. Its
 * root URI is root_uri: "<scheme>://<name>", e.g. "mem://test" (no
 * trailing '/'). The objects live as long as the backend.
 */
CACHET_EXTERN int cachet_store_backend_memory_new(cachet_store_backend **out,
						  const char *root_uri);

/* ---------------------------------------------------------------------- */
/* The store                                                              */

typedef struct cachet_store cachet_store;

/*
 * A store over backend, which it takes ownership of (also on failure,
 * when the backend is freed). The backend's version must be one this
 * library knows (1 to CACHET_STORE_BACKEND_VERSION, else CACHET_EINVALID,
 * see cachet/sys/store_backend.h) and it must have every required
 * operation.
 */
CACHET_EXTERN int cachet_store_new(cachet_store **out, cachet_store_backend *backend);

/* The local store of a cachet home (see home.h): creates the home's
 * directories when missing, then a file backend at <home>/store. */
CACHET_EXTERN int cachet_store_open_home(cachet_store **out, const char *home);

/* The store at url: "file:///path" or an absolute path (a directory on a
 * shared file system is a store many machines share). CACHET_EUNSUPPORTED
 * for another scheme, CACHET_EINVALID for a relative path. */
CACHET_EXTERN int cachet_store_open_url(cachet_store **out, const char *url);

/* The root URI, without a trailing '/'. Owned by the store. */
CACHET_EXTERN const char *cachet_store_root(const cachet_store *store);

CACHET_EXTERN void cachet_store_free(cachet_store *store);

/*
 * A fresh prefix for one execution's outputs, like Flyte's raw output
 * prefix: "<root>/<YYYYMMDD>-<16 hex>/" (the UTC date, 64 random bits),
 * as a new string. Two executions write to two places. Nothing is created.
 */
CACHET_EXTERN int cachet_store_new_prefix(char **out, cachet_store *store);

/*
 * Join a prefix and a key: "<prefix>/<key>", without doubling a '/' that
 * ends prefix. A new string; nothing is checked here.
 */
CACHET_EXTERN int cachet_store_join(char **out, const char *prefix, const char *key);

/*
 * The backend operations, after checking the URIs against the rules at
 * the top of this file. cachet_store_list takes the root itself or any
 * prefix of a valid URI ("<root>/a/", "<root>/a/b", …).
 */
CACHET_EXTERN int cachet_store_writer_open(cachet_store_writer **out, cachet_store *store,
					   const char *uri, uint64_t size_hint);
CACHET_EXTERN int cachet_store_writer_write(cachet_store_writer *w, const void *data,
					    size_t len);
CACHET_EXTERN int cachet_store_writer_commit(cachet_store_writer *w);
/* NULL is a no-op. */
CACHET_EXTERN void cachet_store_writer_abort(cachet_store_writer *w);
CACHET_EXTERN int cachet_store_reader_open(cachet_store_reader **out, cachet_store *store,
					   const char *uri);
CACHET_EXTERN int cachet_store_reader_read(cachet_store_reader *r, void *buf, size_t cap,
					   size_t *got);
/* NULL is a no-op. */
CACHET_EXTERN void cachet_store_reader_close(cachet_store_reader *r);
CACHET_EXTERN int cachet_store_stat_object(cachet_store_stat *out, cachet_store *store,
					   const char *uri);
CACHET_EXTERN int cachet_store_list(cachet_store *store, const char *prefix,
				    cachet_store_list_fn fn, void *payload);
CACHET_EXTERN int cachet_store_delete(cachet_store *store, const char *uri);

/*
 * Remove temporary leftovers of failed or interrupted writes that are at
 * least older_than seconds old (0: all of them, which is only safe when no
 * write is in progress). removed may be NULL.
 */
CACHET_EXTERN int cachet_store_cleanup(cachet_store *store, int64_t older_than,
				       size_t *removed);

/* ---- Whole objects ---- */

/* Write len bytes as the object at uri. */
CACHET_EXTERN int cachet_store_put_bytes(cachet_store *store, const char *uri,
					 const void *data, size_t len);
/* Write everything that can be read from in (up to its end) as the object
 * at uri. A read error aborts the write. */
CACHET_EXTERN int cachet_store_put_stream(cachet_store *store, const char *uri, FILE *in);
/*
 * Copy the regular file at local_path to the object at uri. A file that
 * changes while it is copied (its size, mtime or ctime differ afterwards,
 * or it ends early) is an error and nothing is written.
 */
CACHET_EXTERN int cachet_store_put_path(cachet_store *store, const char *uri,
					const char *local_path);
/* The whole object at uri as a new buffer (free with cachet_free), NUL-
 * terminated for convenience, the NUL not counted in *len. */
CACHET_EXTERN int cachet_store_get_bytes(char **out, size_t *len, cachet_store *store,
					 const char *uri);
/* Write the object at uri to out (not flushed or closed). */
CACHET_EXTERN int cachet_store_get_stream(cachet_store *store, const char *uri, FILE *out);
/* Copy the object at uri to local_path, atomically: a temporary file in
 * the same directory renamed into place. */
CACHET_EXTERN int cachet_store_get_path(cachet_store *store, const char *uri,
					const char *local_path);

/* ---------------------------------------------------------------------- */
/* Offloading local data                                                  */

typedef enum cachet_offload_kind {
	CACHET_OFFLOAD_AUTO = 0,      /* a regular file: FILE; a directory: DIRECTORY */
	CACHET_OFFLOAD_FILE = 1,      /* Blob SINGLE */
	CACHET_OFFLOAD_DIRECTORY = 2, /* Blob MULTIPART */
	CACHET_OFFLOAD_DATASET = 3    /* StructuredDataset, a file or a directory */
} cachet_offload_kind;

/*
 * Copy a local file or directory into the store under prefix, hashing its
 * bytes in the same pass, and return the Literal that names it in *out:
 *
 *   FILE       Blob SINGLE at "<prefix>/<name>", hash "sha256:<hex>"
 *   DIRECTORY  Blob MULTIPART at "<prefix>/<name>", each file at
 *              "<prefix>/<name>/<relative path>", hash "sha256-dir:<hex>"
 *   DATASET    StructuredDataset at "<prefix>/<name>", the hash of its
 *              file or directory
 *
 * <name> is local_path's last component. format goes into the Literal's
 * type (NULL or "": none). The hash is the one `cachet hash` prints for
 * local_path (the digest from opts; SHA-256 when opts is NULL; see
 * docs/hashing.md). A directory's files are copied in parallel.
 *
 * With opts->stat_cache, the stat cache works as for cachet_hash_path:
 * every file hashed is recorded once the offload succeeded (racy-clean
 * rule and all), and a file whose digest it vouches for is copied without
 * being read into the process (copy_file_range when the store is local
 * files) and not hashed; if it turns out to have changed, before or after
 * that copy, it is copied again with hashing. See docs/store.md.
 *
 * Errors name the path or URI: a missing or unreadable source, a FIFO,
 * socket or device, a source that changes while it is read, a kind that
 * does not match (a directory as FILE), a full disk ("cannot write
 * 'file:///…': No space left on device"). On failure nothing is left
 * visible in the store: the files of a directory committed before the
 * failure are deleted again.
 */
CACHET_EXTERN int cachet_offload_path(cachet_literal **out, cachet_store *store,
				      const char *prefix, const char *local_path,
				      cachet_offload_kind kind, const char *format,
				      const cachet_hash_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_STORE_H */
