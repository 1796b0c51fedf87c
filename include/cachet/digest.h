/*
 * cachet/digest.h - content hashes of files and directories, the stat
 * cache that avoids reading unchanged files again, and hash methods: how a
 * task's output Literal gets its `hash`.
 *
 * A hash string names its algorithm and what was hashed:
 *
 *   a file        "sha256:<64 lowercase hex>"      the digest sha256sum prints
 *                 "xxh128:<32 lowercase hex>"      what `xxhsum -H2` prints
 *   a directory   "sha256-dir:<64 hex>"            a digest over the sorted
 *                 "xxh128-dir:<32 hex>"            (relative path, file digest)
 *                                                  list of its files
 *
 * The directory digest is defined in docs/hashing.md. It does not depend
 * on where the directory is, on timestamps or on listing order, and the
 * same files uploaded under an object-store prefix hash the same. Empty
 * directories do not count (object stores have none).
 *
 * SHA-256 is the default: a shared cache must resist collisions that
 * someone crafts on purpose. xxh128 is much faster but offers no such
 * resistance; use it only for a cache that one trusted user fills.
 */
#ifndef CACHET_DIGEST_H
#define CACHET_DIGEST_H

#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The content digest. */
typedef enum cachet_digest {
	CACHET_DIGEST_SHA256 = 0, /* the default */
	CACHET_DIGEST_XXH128 = 1  /* fast, not collision-resistant */
} cachet_digest;

/* "sha256" / "xxh128", or NULL for an unknown value. */
CACHET_EXTERN const char *cachet_digest_name(cachet_digest digest);
/* Parse "sha256" / "xxh128". CACHET_EINVALID for anything else. */
CACHET_EXTERN int cachet_digest_parse(cachet_digest *out, const char *name);

/*
 * Progress of long work: `done` bytes of `total` read so far (total counts
 * only the bytes that must be read: files the stat cache vouches for are
 * left out; done may pass total when a file changed and was read again).
 * Always called from the thread that called the hashing function, never
 * from its worker threads, at most every 1 MiB or every 100 ms.
 */
typedef void (*cachet_progress_fn)(uint64_t done, uint64_t total, void *payload);

/* ---------------------------------------------------------------------- */
/* The stat cache                                                         */

/*
 * Remembers (absolute path, device, inode, size, mtime and ctime to the
 * nanosecond, digest algorithm) -> digest in a small SQLite database, so
 * that an unchanged file, alone or inside a directory, is not read again.
 *
 * It follows git's racy-clean rule: an entry records the time just before
 * the file was read, and is trusted only while the file's mtime is strictly
 * older than that time; a file modified within the same clock tick as it
 * was read is read again next time. A file that changed while it was read
 * is never recorded.
 *
 * The cache is an optimisation: when it cannot be read or written (a
 * locked or failing database), hashing goes on without it. One handle may
 * be shared by several threads (calls on it are serialised), and several
 * processes may share one database file.
 */
typedef struct cachet_stat_cache cachet_stat_cache;

/*
 * Open the stat cache database at path, creating it (and its missing
 * parent directories, mode 0700) when needed. A file that is not a usable
 * database (corrupt, not SQLite, a foreign layout) is moved aside to
 * "<path>.corrupt" and a new one is started, with a warning (see
 * cachet_set_warning_handler); its contents are never trusted.
 *
 * The stat cache vouches for digests without reading files, so one that
 * another user could have written is refused (CACHET_EUNSAFE) and left
 * as it is: the file, its -wal, -shm and -journal and its directory must
 * belong to the user (or root) and be writable by neither group nor
 * others; a symbolic link as the file is refused. A new database is
 * created 0600 whatever the umask. See docs/security.md.
 *
 * CACHET_EUNSUPPORTED when the database was written by a newer cachet
 * (schema version above this one's); CACHET_EIO when it cannot be opened
 * or created ("cannot open stat cache '/x/stat-cache.db': ...").
 */
CACHET_EXTERN int cachet_stat_cache_open(cachet_stat_cache **out, const char *path);

/* Close the database. NULL is a no-op. */
CACHET_EXTERN void cachet_stat_cache_free(cachet_stat_cache *cache);

/* ---------------------------------------------------------------------- */
/* Hashing a path                                                         */

typedef struct cachet_hash_options {
	unsigned int version;
	cachet_digest digest;           /* CACHET_DIGEST_SHA256 by default */
	cachet_stat_cache *stat_cache;  /* NULL: read every file */
	unsigned int threads;           /* for directories; 0: one per online core */
	cachet_progress_fn progress;    /* NULL: none */
	void *progress_payload;
} cachet_hash_options;

#define CACHET_HASH_OPTIONS_VERSION 1
#define CACHET_HASH_OPTIONS_INIT                                                    \
	{CACHET_HASH_OPTIONS_VERSION, CACHET_DIGEST_SHA256, NULL, 0, NULL, NULL}

/*
 * Hash the file or directory at path into *out ("sha256:<hex>" for a
 * file, "sha256-dir:<hex>" for a directory; free with cachet_free). A
 * symlink given as path is followed. opts may be NULL (the defaults).
 *
 * Inside a directory, every regular file counts, hidden ones included;
 * a symlink counts as what it points to when that stays inside the
 * directory. Refused, each with a message naming the path:
 *   CACHET_ENOTFOUND     path does not exist ("cannot hash 'x': No such
 *                        file or directory")
 *   CACHET_EIO           a file or directory cannot be opened or read
 *                        (permission), or a file changed while it was read
 *                        twice in a row ("... changed while it was read")
 *   CACHET_EUNSUPPORTED  a FIFO, socket or device (never opened, so a FIFO
 *                        cannot block)
 *   CACHET_EINVALID      inside a directory: a symlink that leads out of
 *                        it, a symlink loop, a dangling symlink, a file
 *                        name that is not UTF-8
 * Nothing is recorded in the stat cache when hashing fails.
 */
CACHET_EXTERN int cachet_hash_path(char **out, const char *path, const cachet_hash_options *opts);

/* ---------------------------------------------------------------------- */
/* Hash methods: how a task's output Literal gets its hash                */

typedef enum cachet_hash_method_kind {
	/* The content hash above, of the data at the local path: for Blobs
	 * (a file or a directory, as the Blob's dimensionality says),
	 * StructuredDatasets and Schemas (a file or a directory). The
	 * default. */
	CACHET_HASH_CONTENT = 0,
	/* No hash: the cache key follows the value and its URI, as Flyte
	 * did before offloaded-object caching. */
	CACHET_HASH_NONE = 1,
	/* An external command prints the hash: argv is run directly (no
	 * shell) with the local path appended as its last argument; its
	 * standard output, trimmed of surrounding white space, is the hash. */
	CACHET_HASH_COMMAND = 2,
	/* A C function computes the hash. */
	CACHET_HASH_CALLBACK = 3,
	/* For primitive scalars: the hash is the value's own text ("42",
	 * "1.5", "true", the string itself, "2024-01-02T03:04:05Z", "1.500s"). */
	CACHET_HASH_VALUE = 4
} cachet_hash_method_kind;

/*
 * A hash callback: set *hash to a new string allocated with malloc() (the
 * library frees it with free()) and return 0; any other return value is a
 * failure. lit is the literal being hashed, local_path its data (may be
 * NULL for values that have none).
 */
typedef int (*cachet_hash_callback)(char **hash, const cachet_literal *lit,
				    const char *local_path, void *context);

typedef struct cachet_hash_method {
	unsigned int version;
	cachet_hash_method_kind kind;
	/* COMMAND: the program and its first arguments, NULL-terminated. The
	 * program is looked up in $PATH when it has no '/'. */
	const char *const *argv;
	/* COMMAND: how long it may run, in milliseconds; 0: 60,000. */
	unsigned int timeout_ms;
	/* CALLBACK: the function and the context handed to it. */
	cachet_hash_callback callback;
	void *context;
} cachet_hash_method;

#define CACHET_HASH_METHOD_VERSION 1
#define CACHET_HASH_METHOD_INIT                                                     \
	{CACHET_HASH_METHOD_VERSION, CACHET_HASH_CONTENT, NULL, 0, NULL, NULL}

/*
 * Fill lit->hash by the method m (NULL: CONTENT) from the data at
 * local_path (the file or directory the literal's URI stands for, on this
 * machine). opts tunes content hashing and may be NULL.
 *
 * A hash given by a command, a callback or a value is stored as given:
 * it is the user's own, and may name its algorithm as content hashes do
 * ("md5:...") so that it cannot be mistaken for one of cachet's.
 *
 * Never a silent "no hash": every failure is an error and leaves lit as it
 * was. CACHET_EINVALID for a method that does not fit the literal (CONTENT
 * on an integer, VALUE on a blob, a single-file Blob whose local path is a
 * directory, no local path where one is needed), for an empty hash, a
 * hash that is not UTF-8 or spans several lines; CACHET_ERROR for a
 * command that cannot be started, exits with a non-zero status, is killed
 * or times out (the message ends with the tail of its standard error) and
 * for a callback that fails; the errors of cachet_hash_path for CONTENT.
 * NONE clears the hash.
 */
CACHET_EXTERN int cachet_literal_fill_hash(cachet_literal *lit, const char *local_path,
					   const cachet_hash_method *m,
					   const cachet_hash_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_DIGEST_H */
