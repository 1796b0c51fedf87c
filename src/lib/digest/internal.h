/*
 * Pieces shared by the digest layer's files: what the stat cache compares
 * of a file, the clock of the racy-clean rule, how paths and OS errors
 * read in messages, reading one file through a hasher, and the hooks the
 * tests use to watch and disturb all that.
 */
#ifndef CACHET_DIGEST_INTERNAL_H
#define CACHET_DIGEST_INTERNAL_H

#include "digest/hasher.h"
#include "util/os.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* What identifies one version of a file's content, as far as stat can
 * tell: the stat cache's key besides the path. */
typedef struct cachet__fstat {
	uint64_t dev, ino;
	int64_t size;
	int64_t mtime_ns, ctime_ns; /* since the epoch */
} cachet__fstat;

void cachet__fstat_from(cachet__fstat *out, const struct stat *st);
bool cachet__fstat_same(const cachet__fstat *a, const cachet__fstat *b);

/*
 * Now, in nanoseconds since the epoch, for the racy-clean rule: the coarse
 * real-time clock, which is the one Linux stamps files with. A file
 * written after this call gets an mtime >= its result; the fine clock could
 * be ahead of the stamp a later write gets, and would make such a file look
 * older than its entry.
 */
int64_t cachet__digest_now_ns(void);

/* ---- reading a file through a hasher ---- */

typedef struct cachet__file_reader {
	cachet__hasher *hasher;
	uint8_t *buf;
	size_t buf_size;
	/* called after every chunk read, with its size; may be NULL */
	void (*on_read)(void *arg, uint64_t bytes);
	void *on_read_arg;
} cachet__file_reader;

int cachet__file_reader_init(cachet__file_reader *r, cachet_digest algorithm);
void cachet__file_reader_dispose(cachet__file_reader *r);

/*
 * Hash the regular file at path (show: its name in messages) into out.
 * Opens with O_NONBLOCK and refuses anything fstat does not call a regular
 * file, so a FIFO put in its place never blocks. A file whose size, mtime,
 * ctime or identity differ after reading, or that gave fewer or more bytes
 * than its size, is read once more; if it changes again: CACHET_EIO
 * "cannot hash '<show>': it changed while it was read".
 * On success *seen is the file's stat (the same before and after reading)
 * and *t0 the clock before it was opened: what the stat cache records.
 */
int cachet__file_hash(cachet__file_reader *r, const char *path, const char *show,
		      uint8_t out[CACHET__DIGEST_MAX], cachet__fstat *seen, int64_t *t0);

/* ---- test hooks ---- */

typedef struct cachet__digest_hooks {
	/* replaces cachet__digest_now_ns when not NULL */
	int64_t (*now_ns)(void);
	/* called after a file's bytes were read, before the check that it
	 * did not change; from the thread that read it */
	void (*after_read)(const char *path, void *arg);
	void *after_read_arg;
} cachet__digest_hooks;

/* Install hooks (copied); NULL removes them. Not thread-safe: tests only. */
void cachet__digest_set_hooks(const cachet__digest_hooks *hooks);
/* How many times a file was opened to read its content, process-wide. */
uint64_t cachet__digest_files_read(void);

/* For file.c: count one opening of a file to read it; run the after_read
 * hook. */
void cachet__digest_count_read(const char *path);
void cachet__digest_after_read(const char *path);

#endif
