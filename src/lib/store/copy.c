/*
 * Copying a local file into the store.
 *
 * While hashing it: each chunk read is handed to the hasher and to the
 * store's writer, so the bytes are read from the file once. One big file
 * is copied as a small pipeline: this thread reads a chunk and writes it
 * to the store while a second thread hashes the same chunk, because
 * SHA-256 (about 1.4-1.8 GB/s here) costs as much as reading and writing
 * together, and the two can overlap on two cores. A ring of buffers keeps
 * memory flat: a buffer is read into again only after it was both written
 * (this thread, in order) and hashed (the other thread).
 *
 * Without hashing (the digest is known, or none is wanted): copy_file_range
 * into the file store's temporary file, so the bytes go from page cache to
 * page cache inside the kernel, as coreutils cp copies; read and write
 * when the kernel declines or the store is not a local file.
 */
#include "store/copy.h"

#include "util/os.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1u << 20)         /* bytes per read and write */
#define RING 4                   /* buffers in flight when pipelined */
#define KERNEL_CHUNK (8u << 20)  /* bytes per copy_file_range: progress and
				  * cancellation are checked between calls */

/* ---- the hashing thread of a pipelined copy ---- */

typedef struct pipe {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	cachet__hasher *h;
	char *buf[RING];
	size_t len[RING];
	uint64_t produced, hashed; /* chunks so far */
	bool done;                 /* the reader posted its last chunk */
	bool stop;                 /* give up (either side failed) */
	int err;                   /* the hashing thread's failure */
	char msg[1024];
} pipe_state;

static void *hash_thread(void *arg)
{
	pipe_state *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->hashed == p->produced && !p->done && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stop || p->hashed == p->produced)
			break;
		size_t i = (size_t)(p->hashed % RING);
		pthread_mutex_unlock(&p->lock);
		int rc = cachet__hasher_update(p->h, p->buf[i], p->len[i]);
		pthread_mutex_lock(&p->lock);
		if (rc < 0) {
			/* Errors are per thread: carry this one over. */
			p->err = rc;
			snprintf(p->msg, sizeof p->msg, "%s", cachet_error_last()->message);
			p->stop = true;
			pthread_cond_broadcast(&p->cond);
			break;
		}
		p->hashed++;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* ---- one copy ---- */

typedef struct copy_ctx {
	const char *uri, *show, *path;
	int fd;
	cachet_store_writer *w;
	cachet__hasher *h;
	const cachet__copy_opts *o;
	uint64_t total;     /* bytes copied */
	uint64_t limit;     /* the size at the start: copying more is a change */
	bool counted;       /* counted as a read for the digest layer's tests */
} copy_ctx;

static int cancelled(const copy_ctx *c)
{
	if (c->o && c->o->cancel && atomic_load(c->o->cancel))
		return cachet__error(CACHET_ERROR, "cannot copy '%s': cancelled", c->show);
	return 0;
}

/* n more bytes copied: count them and tick. */
static void advance(copy_ctx *c, size_t n)
{
	c->total += n;
	if (c->o && c->o->bytes_done)
		atomic_fetch_add(c->o->bytes_done, n);
	if (c->o && c->o->tick)
		c->o->tick(c->o->tick_payload, c->total);
}

/* Read the next chunk into buf; *n is 0 at the end. */
static int read_chunk(copy_ctx *c, char *buf, size_t *n)
{
	char reason[128];

	*n = 0;
	if (!c->counted) {
		/* the bytes come into this process: a read, for the tests */
		cachet__digest_count_read(c->path);
		c->counted = true;
	}
	for (;;) {
		ssize_t got = read(c->fd, buf, CHUNK);
		if (got >= 0) {
			*n = (size_t)got;
			break;
		}
		if (errno != EINTR)
			return cachet__error(CACHET_EIO, "cannot read '%s': %s", c->show,
					     cachet__os_reason(errno, reason, sizeof reason));
	}
	advance(c, *n);
	return 0;
}

/* The file is not what it was: an error, or for a caller that knew the
 * file's digest, CACHET__COPY_STALE (it hashes the file then). */
static int changed(const copy_ctx *c)
{
	if (c->o && c->o->known)
		return CACHET__COPY_STALE;
	return cachet__error(CACHET_EIO, "cannot read '%s': it changed while it was read",
			     c->show);
}

/* Read, hash (when there is a hasher) and write, one chunk at a time, on
 * this thread. */
static int copy_plain(copy_ctx *c)
{
	char *buf = cachet__malloc(CHUNK);
	int rc = 0;

	if (buf == NULL)
		return CACHET_ENOMEM;
	for (;;) {
		size_t n;
		if ((rc = cancelled(c)) < 0 || (rc = read_chunk(c, buf, &n)) < 0 || n == 0)
			break;
		if (c->total > c->limit) {
			rc = changed(c);
			break;
		}
		if ((c->h && (rc = cachet__hasher_update(c->h, buf, n)) < 0) ||
		    (rc = cachet_store_writer_write(c->w, buf, n)) < 0)
			break;
	}
	cachet__free(buf);
	return rc;
}

/*
 * Copy in the kernel, without hashing. *fallback is set when the rest is
 * to be read and written instead: the store is not a local file, the
 * kernel declines (or fails, and read/write will say how), or the file
 * ended early by copy_file_range's account, which read() then confirms.
 */
static int copy_kernel(copy_ctx *c, bool *fallback)
{
	int rc;

	*fallback = false;
	for (;;) {
		size_t n;
		if ((rc = cancelled(c)) < 0)
			return rc;
		if (cachet__store_writer_splice(c->w, c->fd, KERNEL_CHUNK, &n) != 0) {
			*fallback = true;
			return 0;
		}
		if (n == 0) {
			*fallback = c->total < c->limit;
			return 0;
		}
		advance(c, n);
		if (c->total > c->limit)
			return changed(c);
	}
}

/* Read and write on this thread, hash on another. */
static int copy_pipelined(copy_ctx *c)
{
	pipe_state p = {.h = c->h};
	pthread_t tid;
	int rc = 0;

	for (size_t i = 0; i < RING; i++)
		if ((p.buf[i] = cachet__malloc(CHUNK)) == NULL) {
			rc = CACHET_ENOMEM;
			goto free_bufs;
		}
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	if (pthread_create(&tid, NULL, hash_thread, &p) != 0) {
		pthread_cond_destroy(&p.cond);
		pthread_mutex_destroy(&p.lock);
		rc = copy_plain(c);
		goto free_bufs;
	}
	for (uint64_t k = 0;; k++) {
		size_t i = (size_t)(k % RING), n;
		/* Wait until the buffer's previous chunk was hashed. */
		pthread_mutex_lock(&p.lock);
		while (p.produced - p.hashed >= RING && !p.stop)
			pthread_cond_wait(&p.cond, &p.lock);
		bool stop = p.stop;
		pthread_mutex_unlock(&p.lock);
		if (stop)
			break; /* the hashing thread failed: its error follows */
		if ((rc = cancelled(c)) < 0 || (rc = read_chunk(c, p.buf[i], &n)) < 0 || n == 0)
			break;
		if (c->total > c->limit) {
			rc = changed(c);
			break;
		}
		pthread_mutex_lock(&p.lock);
		p.len[i] = n;
		p.produced++;
		pthread_cond_broadcast(&p.cond);
		pthread_mutex_unlock(&p.lock);
		/* The hashing thread reads this buffer meanwhile; both only
		 * read it. */
		if ((rc = cachet_store_writer_write(c->w, p.buf[i], n)) < 0)
			break;
	}
	pthread_mutex_lock(&p.lock);
	if (rc != 0)
		p.stop = true;
	p.done = true;
	pthread_cond_broadcast(&p.cond);
	pthread_mutex_unlock(&p.lock);
	pthread_join(tid, NULL);
	if (rc == 0 && p.err < 0)
		rc = cachet__error(p.err, "%s", p.msg);
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
free_bufs:
	for (size_t i = 0; i < RING; i++)
		cachet__free(p.buf[i]);
	return rc;
}

int cachet__copy_in(cachet__hasher *h, cachet_store *store, const char *uri, const char *path,
		    const char *show, const cachet__copy_opts *o, cachet__copy_seen *seen)
{
	char reason[128];
	copy_ctx c = {.uri = uri, .show = show, .path = path, .fd = -1, .h = h, .o = o};
	cachet__fstat before, after;
	struct stat st;
	/* the stat cache's time: taken before the file is opened */
	int64_t t0 = cachet__digest_now_ns();
	int rc;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	c.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (c.fd < 0) {
		int e = errno;
		return cachet__error(e == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				     "cannot open '%s': %s", show,
				     cachet__os_reason(e, reason, sizeof reason));
	}
	if (fstat(c.fd, &st) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot stat '%s': %s", show,
				   cachet__os_reason(errno, reason, sizeof reason));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cachet__error(CACHET_EUNSUPPORTED, "cannot read '%s': it is %s, not a regular file",
				   show, cachet__file_kind(st.st_mode));
		goto done;
	}
	cachet__fstat_from(&before, &st);
	if (o && o->known && !cachet__fstat_same(o->known, &before)) {
		/* not the file whose digest the caller knows: nothing copied */
		rc = CACHET__COPY_STALE;
		goto done;
	}
	c.limit = (uint64_t)st.st_size;
	(void)posix_fadvise(c.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((rc = cachet_store_writer_open(&c.w, store, uri, (uint64_t)st.st_size)) < 0)
		goto done;
	if (h == NULL) {
		bool fallback;
		if ((rc = copy_kernel(&c, &fallback)) == 0 && fallback)
			rc = copy_plain(&c);
	} else if (o && o->pipelined && st.st_size > (off_t)(2 * CHUNK)) {
		rc = copy_pipelined(&c);
	} else {
		rc = copy_plain(&c);
	}
	if (rc != 0)
		goto done;
	cachet__digest_after_read(path);
	if (fstat(c.fd, &st) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot stat '%s': %s", show,
				   cachet__os_reason(errno, reason, sizeof reason));
		goto done;
	}
	cachet__fstat_from(&after, &st);
	if (!cachet__fstat_same(&before, &after) || c.total != (uint64_t)after.size) {
		rc = changed(&c);
		goto done;
	}
	rc = cachet_store_writer_commit(c.w);
	c.w = NULL; /* commit frees it, also on failure */
	if (rc == 0 && seen) {
		seen->st = after;
		seen->t0 = t0;
	}
done:
	cachet_store_writer_abort(c.w);
	close(c.fd);
	return rc;
}

/* The public put of a local file: a copy with no hashing. */
int cachet_store_put_path(cachet_store *store, const char *uri, const char *local_path)
{
	char show[CACHET__SHOW_MAX];
	return cachet__copy_in(NULL, store, uri, local_path,
			       cachet__path_show(show, local_path, NULL), NULL, NULL);
}
