/*
 * Reading one regular file through a hasher: large reads, the kernel told
 * the access is sequential, and a check that the file did not change
 * while it was read.
 */
#include "digest/internal.h"

#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The read size: large, so that system calls cost nothing next to the
 * hashing. On this machine's SHA-NI, 64 KiB to 4 MiB all hash a warm 1 GiB
 * file at the same speed (openssl's); 1 MiB per reading thread keeps
 * memory small and flat whatever the file's size.
 */
#define READ_CHUNK (1024 * 1024)

int cachet__file_reader_init(cachet__file_reader *r, cachet_digest algorithm)
{
	int rc;

	*r = (cachet__file_reader){0};
	if ((rc = cachet__hasher_new(&r->hasher, algorithm)) < 0)
		return rc;
	if ((r->buf = cachet__malloc(READ_CHUNK)) == NULL) {
		cachet__file_reader_dispose(r);
		return CACHET_ENOMEM;
	}
	r->buf_size = READ_CHUNK;
	return 0;
}

void cachet__file_reader_dispose(cachet__file_reader *r)
{
	cachet__hasher_free(r->hasher);
	cachet__free(r->buf);
	*r = (cachet__file_reader){0};
}

/* One reading of the file. 1: read, and unchanged; 0: it changed (the
 * hasher is reset); < 0: an error. */
static int read_once(cachet__file_reader *r, const char *path, const char *show,
		     uint8_t out[CACHET__DIGEST_MAX], cachet__fstat *seen, int64_t *t0)
{
	char reason[128];
	struct stat st;
	cachet__fstat before, after;
	uint64_t total = 0;
	int fd, rc;

	*t0 = cachet__digest_now_ns();
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it changes
	 * nothing for a regular file. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		return cachet__error(e == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				     "cannot open '%s': %s", show,
				     cachet__os_reason(e, reason, sizeof(reason)));
	}
	cachet__digest_count_read(path);
	if (fstat(fd, &st) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot stat '%s': %s", show,
				   cachet__os_reason(errno, reason, sizeof(reason)));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cachet__error(CACHET_EUNSUPPORTED,
				   "cannot hash '%s': it is %s, not a regular file", show,
				   cachet__file_kind(st.st_mode));
		goto done;
	}
	cachet__fstat_from(&before, &st);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		ssize_t n = read(fd, r->buf, r->buf_size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = cachet__error(CACHET_EIO, "cannot read '%s': %s", show,
					   cachet__os_reason(errno, reason, sizeof(reason)));
			goto done;
		}
		if (n == 0)
			break;
		if ((rc = cachet__hasher_update(r->hasher, r->buf, (size_t)n)) < 0)
			goto done;
		total += (uint64_t)n;
		if (r->on_read)
			r->on_read(r->on_read_arg, (uint64_t)n);
	}
	cachet__digest_after_read(path);
	if (fstat(fd, &st) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot stat '%s': %s", show,
				   cachet__os_reason(errno, reason, sizeof(reason)));
		goto done;
	}
	cachet__fstat_from(&after, &st);
	if ((rc = cachet__hasher_final(r->hasher, out)) < 0)
		goto done;
	if (!cachet__fstat_same(&before, &after) || total != (uint64_t)after.size) {
		rc = 0;
		goto done;
	}
	*seen = after;
	rc = 1;
done:
	close(fd);
	return rc;
}

int cachet__file_hash(cachet__file_reader *r, const char *path, const char *show,
		      uint8_t out[CACHET__DIGEST_MAX], cachet__fstat *seen, int64_t *t0)
{
	/* A file caught changing is read once more: an editor saving it, a
	 * download finishing. Twice in a row means it is still being
	 * written, and no digest of it would mean anything. */
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = read_once(r, path, show, out, seen, t0);
		if (rc != 0) {
			if (rc < 0) {
				/* leave the hasher clean for the next file */
				uint8_t scratch[CACHET__DIGEST_MAX];
				int saved = rc;
				char msg[1024];
				snprintf(msg, sizeof(msg), "%s", cachet_error_last()->message);
				(void)cachet__hasher_final(r->hasher, scratch);
				return cachet__error(saved, "%s", msg);
			}
			return 0;
		}
	}
	return cachet__error(CACHET_EIO, "cannot hash '%s': it changed while it was read", show);
}
