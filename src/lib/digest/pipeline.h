/*
 * The directory pipeline: walk a directory, ask the stat cache which
 * files it vouches for, hand the files to a pool of threads that run one
 * per-file operation each, record what was read, and combine the digests.
 * `cachet hash` runs it with "read and hash"; offloading into the store
 * runs it with "copy while hashing" (an S3 upload would be a third).
 *
 * Progress lives here too, so that every operation reports alike: to the
 * caller's callback, on the calling thread only, at the start, at most
 * every CACHET__PROGRESS_PERIOD_MS meanwhile, and at the end.
 */
#ifndef CACHET_DIGEST_PIPELINE_H
#define CACHET_DIGEST_PIPELINE_H

#include "digest/internal.h"
#include "digest/walk.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define CACHET__PIPELINE_MAX_THREADS 64
#define CACHET__PROGRESS_PERIOD_MS 100
#define CACHET__PIPELINE_GAVE_UP 1

/* ---- progress ---- */

typedef struct cachet__progress {
	cachet_progress_fn fn; /* NULL: count only */
	void *payload;
	pthread_t caller;          /* the one thread that reports */
	uint64_t total;
	atomic_uint_fast64_t done; /* bytes done, by any thread */
	int64_t last_ns;           /* when it last reported (monotonic) */
} cachet__progress;

/* Start counting towards total, on the thread that will report. */
void cachet__progress_init(cachet__progress *p, const cachet_hash_options *o,
			   uint64_t total);
/* Report now: at the start and at the end. Calling thread only. */
void cachet__progress_report(cachet__progress *p);
/* Report if this is the calling thread and the last report is
 * CACHET__PROGRESS_PERIOD_MS old; from any thread. */
void cachet__progress_tick(cachet__progress *p);
/* Count bytes done, then tick: the shape of a file reader's on_read. */
void cachet__progress_add(void *progress, uint64_t bytes);

/* ---- the per-file operation ---- */

/* One file handed to the operation, on one of the pool's threads. */
typedef struct cachet__pipeline_file {
	size_t index;                  /* its place in the walk */
	const cachet__walk_file *file; /* where to read it, and its stat */
	const char *show;              /* how messages name it */
	/* In: true when *digest came from the stat cache (only with
	 * every_file). The operation sets it false when it read the file
	 * after all, and then fills *seen and *t0. */
	bool *known;
	uint8_t *digest;               /* out: the digest of its content */
	cachet__fstat *seen;           /* out: the stat the stat cache records */
	int64_t *t0;                   /* out: the clock before it was opened */
	cachet__progress *progress;    /* count the bytes read with it */
	atomic_bool *cancel;           /* set when another file failed */
	void *payload;                 /* the operation's */
} cachet__pipeline_file;

typedef struct cachet__pipeline_op {
	/* Also hand over the files the stat cache vouches for (a copy must
	 * still copy them); else they are skipped. */
	bool every_file;
	/* Called once on the calling thread after the walk, before any
	 * file; may be NULL. */
	int (*start)(void *payload, const cachet__walk *w);
	/* Each thread's state (a hasher, a buffer), made on that thread. */
	int (*worker_new)(void **worker, void *payload);
	void (*worker_free)(void *worker);
	/* The work on one file; < 0 with the error set stops the pipeline;
	 * CACHET__PIPELINE_GAVE_UP when it stopped because *f->cancel was
	 * set: another file's error is then the one to report. */
	int (*file)(void *worker, cachet__pipeline_file *f);
	void *payload;
} cachet__pipeline_op;

/*
 * Run op over the regular files below dir (show: how messages name it),
 * as cachet__walk_dir lists them, with o's stat cache, threads and
 * progress, and set *out to the directory's hash as text
 * ("sha256-dir:<hex>"; free with cachet__free). The stat cache is read in
 * one transaction before the pool starts and written in one after it
 * ends, only when every file succeeded. When files fail, the error is
 * the one of the first failing file in walk order, whatever the timing
 * (a file whose operation gave up because another failed does not count).
 */
int cachet__pipeline_dir(char **out, const char *dir, const char *show,
			 const cachet_hash_options *o, const cachet__pipeline_op *op);

#endif
