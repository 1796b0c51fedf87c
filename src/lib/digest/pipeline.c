/*
 * The directory pipeline (pipeline.h), in four steps, so that the stat
 * cache is only ever touched by the calling thread and in two
 * transactions:
 *   1. walk the directory (walk.c): every file, with one stat each;
 *   2. look every file up in the stat cache, in one read transaction;
 *   3. run the operation on the files, on worker threads taking files in
 *      turn from a shared counter; the calling thread waits and reports
 *      progress (with one thread, it does the work itself);
 *   4. record what was read, in one write transaction (only when every
 *      file succeeded), and combine the digests (hasher.c).
 */
#include "digest/pipeline.h"
#include "digest/stat_cache.h"

#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- progress ---- */

void cachet__progress_init(cachet__progress *p, const cachet_hash_options *o, uint64_t total)
{
	p->fn = o ? o->progress : NULL;
	p->payload = o ? o->progress_payload : NULL;
	p->caller = pthread_self();
	p->total = total;
	atomic_init(&p->done, 0);
	p->last_ns = cachet__monotonic_ns();
}

void cachet__progress_report(cachet__progress *p)
{
	if (p->fn == NULL)
		return;
	p->last_ns = cachet__monotonic_ns();
	p->fn(atomic_load(&p->done), p->total, p->payload);
}

void cachet__progress_tick(cachet__progress *p)
{
	if (p->fn == NULL || !pthread_equal(pthread_self(), p->caller))
		return;
	if (cachet__monotonic_ns() - p->last_ns >= CACHET__PROGRESS_PERIOD_MS * 1000000LL)
		cachet__progress_report(p);
}

void cachet__progress_add(void *progress, uint64_t bytes)
{
	cachet__progress *p = progress;
	atomic_fetch_add(&p->done, bytes);
	cachet__progress_tick(p);
}

/* ---- the pool ---- */

typedef struct pipeline {
	const cachet__pipeline_op *op;
	const cachet__walk *w;
	const char *show;          /* the directory, as messages name it */
	cachet__dir_entry *entries; /* per file of w: the digest goes here */
	bool *known;               /* per file: the stat cache vouched */
	cachet__fstat *seen;       /* per file read: for the stat cache */
	int64_t *t0;
	const size_t *todo;        /* indices into w->files to hand over */
	size_t n_todo;
	cachet__progress progress;

	atomic_size_t next;        /* the next todo position to take */
	atomic_bool stop;          /* a file failed: take no more */

	pthread_mutex_t lock;      /* guards the fields below */
	pthread_cond_t idle;       /* signalled when a worker ends */
	unsigned running;
	size_t err_pos;            /* the failed position, SIZE_MAX: none */
	int err_code;
	char err_msg[1024];
} pipeline;

/* Keep the error of the lowest failing position: the one a single
 * thread would have met first, so messages do not depend on timing. */
static void fail(pipeline *pl, size_t pos, int code)
{
	pthread_mutex_lock(&pl->lock);
	if (pos < pl->err_pos) {
		pl->err_pos = pos;
		pl->err_code = code;
		snprintf(pl->err_msg, sizeof(pl->err_msg), "%s", cachet_error_last()->message);
	}
	pthread_mutex_unlock(&pl->lock);
	atomic_store(&pl->stop, true);
}

/* The one worker loop: take files until there are none left. */
static void work(pipeline *pl)
{
	char show[CACHET__SHOW_MAX];
	void *state = NULL;
	int rc;

	if ((rc = pl->op->worker_new(&state, pl->op->payload)) < 0) {
		fail(pl, 0, rc);
		return;
	}
	while (!atomic_load(&pl->stop)) {
		size_t pos = atomic_fetch_add(&pl->next, 1);
		if (pos >= pl->n_todo)
			break;
		size_t i = pl->todo[pos];
		cachet__pipeline_file f = {
			.index = i,
			.file = &pl->w->files[i],
			.show = show,
			.known = &pl->known[i],
			.digest = pl->entries[i].digest,
			.seen = &pl->seen[i],
			.t0 = &pl->t0[i],
			.progress = &pl->progress,
			.cancel = &pl->stop,
			.payload = pl->op->payload,
		};
		cachet__path_show(show, pl->show, f.file->rel);
		if ((rc = pl->op->file(state, &f)) != 0) {
			if (rc < 0)
				fail(pl, pos, rc);
			break; /* or gave up: another file failed */
		}
	}
	pl->op->worker_free(state);
}

static void *worker(void *arg)
{
	pipeline *pl = arg;

	work(pl);
	pthread_mutex_lock(&pl->lock);
	pl->running--;
	pthread_cond_signal(&pl->idle);
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

static unsigned thread_count(const cachet_hash_options *o, size_t n_todo)
{
	long n = o->threads;
	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n > CACHET__PIPELINE_MAX_THREADS)
		n = CACHET__PIPELINE_MAX_THREADS;
	if ((size_t)n > n_todo)
		n = (long)n_todo;
	return n < 1 ? 1 : (unsigned)n;
}

/* The calling thread's wait: report progress every period until the
 * workers are done. */
static void wait_for_workers(pipeline *pl)
{
	pthread_mutex_lock(&pl->lock);
	while (pl->running > 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += CACHET__PROGRESS_PERIOD_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pl->idle, &pl->lock, &until);
		if (pl->running > 0) {
			pthread_mutex_unlock(&pl->lock);
			cachet__progress_tick(&pl->progress);
			pthread_mutex_lock(&pl->lock);
		}
	}
	pthread_mutex_unlock(&pl->lock);
}

static int run_pool(pipeline *pl, unsigned threads)
{
	pthread_t tids[CACHET__PIPELINE_MAX_THREADS];
	unsigned started = 0;
	int rc = 0;

	pl->err_pos = SIZE_MAX;
	atomic_init(&pl->next, 0);
	atomic_init(&pl->stop, false);
	if (pthread_mutex_init(&pl->lock, NULL) != 0)
		return cachet__error_oom();
	if (pthread_cond_init(&pl->idle, NULL) != 0) {
		pthread_mutex_destroy(&pl->lock);
		return cachet__error_oom();
	}
	if (threads > 1) {
		pthread_mutex_lock(&pl->lock);
		for (; started < threads; started++) {
			if (pthread_create(&tids[started], NULL, worker, pl) != 0)
				break; /* go on with the threads there are */
			pl->running++;
		}
		pthread_mutex_unlock(&pl->lock);
	}
	if (started == 0) {
		work(pl); /* one thread, or none could be started: work here */
	} else {
		wait_for_workers(pl);
		for (unsigned i = 0; i < started; i++)
			pthread_join(tids[i], NULL);
	}
	if (pl->err_pos != SIZE_MAX)
		rc = cachet__error(pl->err_code, "%s", pl->err_msg);
	pthread_cond_destroy(&pl->idle);
	pthread_mutex_destroy(&pl->lock);
	return rc;
}

/* ---- the steps ---- */

/* 2. What the stat cache vouches for, and what to hand over. */
static uint64_t look_up(pipeline *pl, size_t *todo, const cachet_hash_options *o)
{
	const cachet__walk *w = pl->w;
	uint64_t total = 0;

	if (o->stat_cache && w->n > 0)
		cachet__stat_cache_begin(o->stat_cache, false);
	for (size_t i = 0; i < w->n; i++) {
		pl->known[i] = o->stat_cache &&
			       cachet__stat_cache_lookup(o->stat_cache, w->files[i].path, o->digest,
							 &w->files[i].st, pl->entries[i].digest);
		if (pl->known[i] && !pl->op->every_file)
			continue;
		todo[pl->n_todo++] = i;
		total += (uint64_t)w->files[i].st.size;
	}
	if (o->stat_cache && w->n > 0)
		cachet__stat_cache_end(o->stat_cache);
	return total;
}

/* 4. Remember the digests of the files that were read. */
static void record(pipeline *pl, const cachet_hash_options *o)
{
	if (o->stat_cache == NULL || pl->n_todo == 0)
		return;
	cachet__stat_cache_begin(o->stat_cache, true);
	for (size_t k = 0; k < pl->n_todo; k++) {
		size_t i = pl->todo[k];
		if (!pl->known[i])
			cachet__stat_cache_record(o->stat_cache, pl->w->files[i].path, o->digest,
						  &pl->seen[i], pl->entries[i].digest, pl->t0[i]);
	}
	cachet__stat_cache_end(o->stat_cache);
}

int cachet__pipeline_dir(char **out, const char *dir, const char *show,
			 const cachet_hash_options *o, const cachet__pipeline_op *op)
{
	uint8_t digest[CACHET__DIGEST_MAX];
	cachet__walk w = CACHET__WALK_INIT;
	pipeline pl = {.op = op, .w = &w, .show = show};
	size_t *todo = NULL;
	int rc;

	if ((rc = cachet__walk_dir(&w, dir, show)) < 0)
		return rc;
	if (w.n > 0 && ((pl.entries = cachet__calloc(w.n, sizeof(*pl.entries))) == NULL ||
			(pl.known = cachet__calloc(w.n, sizeof(*pl.known))) == NULL ||
			(pl.seen = cachet__calloc(w.n, sizeof(*pl.seen))) == NULL ||
			(pl.t0 = cachet__calloc(w.n, sizeof(*pl.t0))) == NULL ||
			(todo = cachet__calloc(w.n, sizeof(*todo))) == NULL)) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < w.n; i++)
		pl.entries[i].path = w.files[i].rel; /* borrowed */
	pl.todo = todo;
	cachet__progress_init(&pl.progress, o, look_up(&pl, todo, o));
	if (op->start && (rc = op->start(op->payload, &w)) < 0)
		goto done;

	/* 3. the per-file work */
	if (pl.n_todo > 0) {
		cachet__progress_report(&pl.progress);
		if ((rc = run_pool(&pl, thread_count(o, pl.n_todo))) < 0)
			goto done;
		cachet__progress_report(&pl.progress);
	}

	record(&pl, o);
	if ((rc = cachet__dir_digest(digest, o->digest, pl.entries, w.n)) >= 0)
		rc = cachet__digest_format(out, o->digest, true, digest);
done:
	cachet__free(pl.entries);
	cachet__free(pl.known);
	cachet__free(pl.seen);
	cachet__free(pl.t0);
	cachet__free(todo);
	cachet__walk_dispose(&w);
	return rc;
}
