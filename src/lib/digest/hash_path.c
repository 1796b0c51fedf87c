/*
 * cachet_hash_path: a file, or a directory whose files are hashed by a
 * small pool of threads, both through the stat cache.
 *
 * A directory is hashed in four steps, so that the database is only ever
 * touched by the calling thread and in two transactions:
 *   1. walk it (walk.c): every file, with one stat each;
 *   2. look every file up in the stat cache, in one read transaction;
 *   3. read the files the cache could not vouch for, on `threads` worker
 *      threads taking files in turn from a shared counter; the calling
 *      thread waits and reports progress;
 *   4. record what was read, in one write transaction (only when every
 *      file succeeded: a failed hash records nothing), and combine the
 *      digests (hasher.c).
 */
/* realpath is XSI */
#define _XOPEN_SOURCE 700

#include "digest/stat_cache.h"
#include "digest/walk.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_BYTES (1u << 20)   /* report at most every MiB ... */
#define PROGRESS_PERIOD_MS 100      /* ... or every 100 ms from the pool */
#define MAX_THREADS 64

/* Progress as the calling thread reports it. */
typedef struct progress {
	cachet_progress_fn fn;
	void *payload;
	uint64_t total;
	uint64_t reported; /* done at the last call */
	atomic_uint_fast64_t done;
} progress;

static void progress_call(progress *p)
{
	if (p->fn == NULL)
		return;
	p->reported = atomic_load(&p->done);
	p->fn(p->reported, p->total, p->payload);
}

/* on_read for work done on the calling thread: throttled by bytes. */
static void progress_inline(void *arg, uint64_t bytes)
{
	progress *p = arg;
	uint64_t done = atomic_fetch_add(&p->done, bytes) + bytes;
	if (p->fn && done - p->reported >= PROGRESS_BYTES)
		progress_call(p);
}

/* on_read for worker threads: only count, the calling thread reports. */
static void progress_count(void *arg, uint64_t bytes)
{
	progress *p = arg;
	atomic_fetch_add(&p->done, bytes);
}

/* ---- one file ---- */

static int hash_file(char **out, const char *path, const char *show, const struct stat *st,
		     const cachet_hash_options *o)
{
	cachet__file_reader r;
	uint8_t digest[CACHET__DIGEST_MAX];
	cachet__fstat fs, seen;
	progress p = {o->progress, o->progress_payload, (uint64_t)st->st_size, 0, 0};
	char *abs = NULL;
	int64_t t0;
	int rc;

	cachet__fstat_from(&fs, st);
	if (o->stat_cache) {
		char *real = realpath(path, NULL);
		if (real == NULL && errno == ENOMEM)
			return cachet__error_oom();
		/* a path that cannot be resolved is simply not cached */
		if (real != NULL) {
			abs = cachet__strdup(real);
			free(real);
			if (abs == NULL)
				return CACHET_ENOMEM;
		}
	}
	if (abs) {
		cachet__stat_cache_begin(o->stat_cache, false);
		bool hit = cachet__stat_cache_lookup(o->stat_cache, abs, o->digest, &fs, digest);
		cachet__stat_cache_end(o->stat_cache);
		if (hit) {
			rc = cachet__digest_format(out, o->digest, false, digest);
			goto done;
		}
	}
	if ((rc = cachet__file_reader_init(&r, o->digest)) < 0)
		goto done;
	r.on_read = progress_inline;
	r.on_read_arg = &p;
	progress_call(&p);
	rc = cachet__file_hash(&r, path, show, digest, &seen, &t0);
	cachet__file_reader_dispose(&r);
	if (rc < 0)
		goto done;
	progress_call(&p);
	if (abs) {
		cachet__stat_cache_begin(o->stat_cache, true);
		cachet__stat_cache_record(o->stat_cache, abs, o->digest, &seen, digest, t0);
		cachet__stat_cache_end(o->stat_cache);
	}
	rc = cachet__digest_format(out, o->digest, false, digest);
done:
	cachet__free(abs);
	return rc;
}

/* ---- the files of a directory, on a pool of threads ---- */

typedef struct job_set {
	const cachet__walk *w;
	const char *show;          /* the directory, as messages name it */
	cachet_digest algorithm;
	cachet__dir_entry *entries; /* per file of w: the digest goes here */
	const size_t *todo;        /* indices into w->files to read */
	size_t n_todo;
	cachet__fstat *seen;       /* per todo position: for the stat cache */
	int64_t *t0;
	progress *prog;

	atomic_size_t next;        /* the next todo position to take */
	atomic_bool stop;          /* an error happened: take no more */

	pthread_mutex_t lock;      /* guards the fields below */
	pthread_cond_t idle;       /* signalled when a worker ends */
	unsigned running;
	size_t err_pos;            /* the failed position, SIZE_MAX: none */
	int err_code;
	char err_msg[1024];
} job_set;

/* Keep the error of the lowest failing position: the one a single
 * thread would have met first, so messages do not depend on timing. */
static void job_error(job_set *js, size_t pos, int code)
{
	pthread_mutex_lock(&js->lock);
	if (pos < js->err_pos) {
		js->err_pos = pos;
		js->err_code = code;
		snprintf(js->err_msg, sizeof(js->err_msg), "%s", cachet_error_last()->message);
	}
	pthread_mutex_unlock(&js->lock);
	atomic_store(&js->stop, true);
}

/* Read files until there are none left. */
static void run_jobs(job_set *js, cachet__file_reader *r)
{
	char show[CACHET__SHOW_MAX];

	for (;;) {
		if (atomic_load(&js->stop))
			return;
		size_t pos = atomic_fetch_add(&js->next, 1);
		if (pos >= js->n_todo)
			return;
		const cachet__walk_file *f = &js->w->files[js->todo[pos]];
		cachet__path_show(show, js->show, f->rel);
		int rc = cachet__file_hash(r, f->path, show, js->entries[js->todo[pos]].digest,
					   &js->seen[pos], &js->t0[pos]);
		if (rc < 0) {
			job_error(js, pos, rc);
			return;
		}
	}
}

static void *worker(void *arg)
{
	job_set *js = arg;
	cachet__file_reader r;
	int rc = cachet__file_reader_init(&r, js->algorithm);

	if (rc < 0) {
		job_error(js, 0, rc);
	} else {
		r.on_read = progress_count;
		r.on_read_arg = js->prog;
		run_jobs(js, &r);
		cachet__file_reader_dispose(&r);
	}
	pthread_mutex_lock(&js->lock);
	js->running--;
	pthread_cond_signal(&js->idle);
	pthread_mutex_unlock(&js->lock);
	return NULL;
}

static unsigned thread_count(const cachet_hash_options *o, size_t n_todo)
{
	long n = o->threads;
	if (n == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		if (n < 1)
			n = 1;
	}
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if ((size_t)n > n_todo)
		n = (long)n_todo;
	return n < 1 ? 1 : (unsigned)n;
}

/* The calling thread's wait: report progress every PROGRESS_PERIOD_MS
 * until the workers are done. */
static void wait_for_workers(job_set *js)
{
	pthread_mutex_lock(&js->lock);
	while (js->running > 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PROGRESS_PERIOD_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&js->idle, &js->lock, &until);
		if (js->running > 0 && js->prog->fn) {
			pthread_mutex_unlock(&js->lock);
			progress_call(js->prog);
			pthread_mutex_lock(&js->lock);
		}
	}
	pthread_mutex_unlock(&js->lock);
}

static int run_pool(job_set *js, unsigned threads)
{
	pthread_t tids[MAX_THREADS];
	unsigned started = 0;
	int rc = 0;

	js->err_pos = SIZE_MAX;
	if (pthread_mutex_init(&js->lock, NULL) != 0)
		return cachet__error_oom();
	if (pthread_cond_init(&js->idle, NULL) != 0) {
		pthread_mutex_destroy(&js->lock);
		return cachet__error_oom();
	}
	if (threads > 1) {
		pthread_mutex_lock(&js->lock);
		for (; started < threads; started++) {
			if (pthread_create(&tids[started], NULL, worker, js) != 0)
				break; /* go on with the threads there are */
			js->running++;
		}
		pthread_mutex_unlock(&js->lock);
	}
	if (started == 0) {
		/* one thread, or none could be started: read here */
		cachet__file_reader r;
		if ((rc = cachet__file_reader_init(&r, js->algorithm)) == 0) {
			r.on_read = progress_inline;
			r.on_read_arg = js->prog;
			run_jobs(js, &r);
			cachet__file_reader_dispose(&r);
		}
	} else {
		wait_for_workers(js);
		for (unsigned i = 0; i < started; i++)
			pthread_join(tids[i], NULL);
	}
	if (rc == 0 && js->err_pos != SIZE_MAX)
		rc = cachet__error(js->err_code, "%s", js->err_msg);
	pthread_cond_destroy(&js->idle);
	pthread_mutex_destroy(&js->lock);
	return rc;
}

static int hash_dir(char **out, const char *path, const char *show,
		    const cachet_hash_options *o)
{
	cachet__walk w;
	cachet__dir_entry *entries = NULL;
	size_t *todo = NULL, n_todo = 0;
	cachet__fstat *seen = NULL;
	int64_t *t0 = NULL;
	uint8_t digest[CACHET__DIGEST_MAX];
	progress p = {o->progress, o->progress_payload, 0, 0, 0};
	int rc;

	if ((rc = cachet__walk_dir(&w, path, show)) < 0)
		return rc;
	if ((entries = cachet__calloc(w.n, sizeof(*entries))) == NULL ||
	    (todo = cachet__calloc(w.n, sizeof(*todo))) == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < w.n; i++)
		entries[i].path = w.files[i].rel; /* borrowed */

	/* 2. what the stat cache vouches for */
	if (o->stat_cache && w.n > 0)
		cachet__stat_cache_begin(o->stat_cache, false);
	for (size_t i = 0; i < w.n; i++) {
		if (o->stat_cache && cachet__stat_cache_lookup(o->stat_cache, w.files[i].path,
							       o->digest, &w.files[i].st,
							       entries[i].digest))
			continue;
		todo[n_todo++] = i;
		p.total += (uint64_t)w.files[i].st.size;
	}
	if (o->stat_cache && w.n > 0)
		cachet__stat_cache_end(o->stat_cache);

	/* 3. read the rest */
	if (n_todo > 0) {
		if ((seen = cachet__calloc(n_todo, sizeof(*seen))) == NULL ||
		    (t0 = cachet__calloc(n_todo, sizeof(*t0))) == NULL) {
			rc = CACHET_ENOMEM;
			goto done;
		}
		job_set js = {
			.w = &w,
			.show = show,
			.algorithm = o->digest,
			.entries = entries,
			.todo = todo,
			.n_todo = n_todo,
			.seen = seen,
			.t0 = t0,
			.prog = &p,
		};
		atomic_init(&js.next, 0);
		atomic_init(&js.stop, false);
		progress_call(&p);
		if ((rc = run_pool(&js, thread_count(o, n_todo))) < 0)
			goto done;
		progress_call(&p);
	}

	/* 4. remember, and combine */
	if (o->stat_cache && n_todo > 0) {
		cachet__stat_cache_begin(o->stat_cache, true);
		for (size_t k = 0; k < n_todo; k++) {
			size_t i = todo[k];
			cachet__stat_cache_record(o->stat_cache, w.files[i].path, o->digest, &seen[k],
						  entries[i].digest, t0[k]);
		}
		cachet__stat_cache_end(o->stat_cache);
	}
	if ((rc = cachet__dir_digest(digest, o->digest, entries, w.n)) < 0)
		goto done;
	rc = cachet__digest_format(out, o->digest, true, digest);
done:
	cachet__free(entries);
	cachet__free(todo);
	cachet__free(seen);
	cachet__free(t0);
	cachet__walk_dispose(&w);
	return rc;
}

/* ---- the entry point ---- */

int cachet_hash_path(char **out, const char *path, const cachet_hash_options *opts)
{
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	char show[CACHET__SHOW_MAX], reason[128];
	struct stat st;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "cachet_hash_path: out is NULL");
	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return cachet__error(CACHET_EINVALID, "cannot hash '': empty path");
	if (opts != NULL) {
		int rc = cachet__check_version(opts->version, CACHET_HASH_OPTIONS_VERSION,
					       "hash options");
		if (rc < 0)
			return rc;
		o = *opts;
	}
	if (cachet_digest_name(o.digest) == NULL)
		return cachet__error(CACHET_EINVALID, "unknown digest algorithm %d", (int)o.digest);

	cachet__path_show(show, path, NULL);
	if (stat(path, &st) < 0) {
		int e = errno;
		if (e == ELOOP)
			return cachet__error(CACHET_EINVALID, "cannot hash '%s': symlink loop", show);
		return cachet__error(e == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				     "cannot hash '%s': %s", show,
				     cachet__os_reason(e, reason, sizeof(reason)));
	}
	if (S_ISREG(st.st_mode))
		return hash_file(out, path, show, &st, &o);
	if (S_ISDIR(st.st_mode)) {
		/* "dir/" is named "dir" in messages about the files inside */
		size_t len = strlen(show);
		while (len > 1 && show[len - 1] == '/')
			show[--len] = '\0';
		return hash_dir(out, path, show, &o);
	}
	return cachet__error(CACHET_EUNSUPPORTED,
			     "cannot hash '%s': it is %s, not a regular file or directory", show,
			     cachet__file_kind(st.st_mode));
}
