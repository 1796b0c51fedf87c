/*
 * Offloading: copy a local file or directory into the store, hashing it in
 * the same pass, and return the Literal that names it (Blob or
 * StructuredDataset, uri + hash).
 *
 * A directory is listed by the digest layer's walk (so offloading refuses
 * exactly what `cachet hash` refuses), then its files are copied by a pool
 * of threads, each file read once through a hasher; the directory digest
 * is computed over the (relative path, file digest) list, which is what
 * `cachet hash` computes for the same directory.
 *
 * With a stat cache (opts->stat_cache), the same cache `cachet hash` uses,
 * under the same keys (a file's real path and the algorithm) and rules:
 *   - a file whose digest the cache vouches for is copied without being
 *     read into this process (copy_file_range) and its digest taken from
 *     the cache; if the file turns out to be another version than the
 *     cache's (before or after the copy), it is copied again with hashing;
 *   - a file that was hashed while copied is recorded, with the time taken
 *     before it was opened (git's racy-clean rule), once every file was
 *     copied and hashed: a failed offload records nothing, as a failed
 *     hash records nothing.
 * Lookups happen on the calling thread in one read transaction, records in
 * one write transaction, as in hash_path.c.
 */
#define _DEFAULT_SOURCE /* realpath */

#include "store/copy.h"

#include "digest/digest_internal_api.h"
#include "util/clock.h"
#include "util/os.h"
#include "util/fs.h"
#include "store/uri.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"
#include "util/utf8.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

/* ---- progress ---- */

#define REPORT_NS 100000000 /* at most one progress report per 100 ms */

typedef struct progress {
	const cachet_hash_options *opts;
	atomic_uint_fast64_t done; /* bytes read, by any thread */
	uint64_t total;
	int64_t last; /* when it was last reported (monotonic ns) */
} progress;

/* Report to the caller's callback, on the calling thread only: at most
 * every 100 ms, and once more at the end (final). */
static void report(progress *p, bool final)
{
	if (p->opts == NULL || p->opts->progress == NULL)
		return;
	int64_t now = cachet__monotonic_ns();
	if (!final && now - p->last < REPORT_NS)
		return;
	p->last = now;
	p->opts->progress(atomic_load(&p->done), p->total, p->opts->progress_payload);
}

/* A copy's tick, on the calling thread: report everything done so far. */
static void tick(void *payload, uint64_t done)
{
	(void)done;
	report(payload, false);
}

/* ---- one file ---- */

/* The key of path in the stat cache: its real path as a new string, or
 * NULL (and 0) when it cannot be resolved, which leaves it uncached, as
 * `cachet hash` does. */
static int cache_key(char **out, const char *path)
{
	char *real = realpath(path, NULL);

	*out = NULL;
	if (real == NULL)
		return errno == ENOMEM ? cachet__error_oom() : 0;
	*out = cachet__strdup(real);
	free(real); /* realpath's: libc's malloc */
	return *out ? 0 : CACHET_ENOMEM;
}

static int offload_file(cachet_literal *lit, cachet_store *store, const char *uri,
			const char *path, const char *show, const struct stat *st,
			cachet_stat_cache *sc, cachet_digest alg, progress *pr)
{
	cachet__hasher *h = NULL;
	uint8_t digest[CACHET__DIGEST_MAX];
	char *key = NULL, *hash = NULL;
	cachet__fstat fs;
	cachet__copy_seen seen;
	cachet__copy_opts o = {.pipelined = true, .bytes_done = &pr->done,
			       .tick = tick, .tick_payload = pr};
	bool known = false, committed = false;
	int rc;

	cachet__fstat_from(&fs, st);
	if (sc && (rc = cache_key(&key, path)) < 0)
		return rc;
	if (key) {
		cachet__stat_cache_begin(sc, false);
		known = cachet__stat_cache_lookup(sc, key, alg, &fs, digest);
		cachet__stat_cache_end(sc);
	}
	if (known) {
		/* The digest is known: copy in the kernel, as long as the file
		 * stays the version the stat cache vouched for. */
		cachet__copy_opts fast = o;
		fast.known = &fs;
		if ((rc = cachet__copy_in(NULL, store, uri, path, show, &fast, NULL)) < 0)
			goto done;
		known = committed = rc != CACHET__COPY_STALE; /* else it changed: hash it */
	}
	if (!known) {
		if ((rc = cachet__hasher_new(&h, alg)) < 0 ||
		    (rc = cachet__copy_in(h, store, uri, path, show, &o, &seen)) < 0)
			goto done;
		committed = true;
		if ((rc = cachet__hasher_final(h, digest)) < 0)
			goto done;
		if (key) {
			cachet__stat_cache_begin(sc, true);
			cachet__stat_cache_record(sc, key, alg, &seen.st, digest, seen.t0);
			cachet__stat_cache_end(sc);
		}
	}
	report(pr, true);
	if ((rc = cachet__digest_format(&hash, alg, false, digest)) < 0 ||
	    (rc = cachet_literal_set_hash(lit, hash)) < 0)
		goto done;
done:
	if (rc < 0 && committed) {
		/* Leave no object that no Literal names. */
		int saved = rc;
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", cachet_error_last()->message);
		(void)cachet_store_delete(store, uri);
		rc = cachet__error(saved, "%s", msg);
	}
	cachet__free(hash);
	cachet__free(key);
	cachet__hasher_free(h);
	return rc;
}

/* ---- a directory, by a pool of threads ---- */

typedef struct pool {
	cachet_store *store;
	const char *base_uri; /* "<prefix>/<name>" */
	const char *show;     /* the directory as messages name it */
	cachet__walk *walk;
	cachet__dir_entry *entries; /* entries[i] for walk->files[i] */
	char **committed; /* the URI of each file committed so far, else NULL */
	/* With a stat cache: known[i] when entries[i].digest came from it
	 * (and the file was copied as that version); seen[i] for the files
	 * hashed instead. NULL without a stat cache. */
	bool *known;
	cachet__copy_seen *seen;
	cachet_digest alg;
	progress *pr;
	bool inline_run; /* the calling thread runs the only worker */
	atomic_size_t next;
	atomic_bool cancel;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int running;
	int err; /* the first failure, carried over from its thread */
	char msg[1024];
} pool;

static void fail(pool *p, int rc)
{
	pthread_mutex_lock(&p->lock);
	if (p->err == 0) {
		p->err = rc;
		snprintf(p->msg, sizeof p->msg, "%s", cachet_error_last()->message);
	}
	atomic_store(&p->cancel, true);
	pthread_mutex_unlock(&p->lock);
}

static int copy_one(pool *p, cachet__hasher *h, size_t i)
{
	const cachet__walk_file *f = &p->walk->files[i];
	char show[CACHET__SHOW_MAX];
	char *uri = NULL;
	cachet__copy_opts o = {.bytes_done = &p->pr->done, .cancel = &p->cancel};
	int rc;

	if (p->inline_run) {
		o.tick = tick;
		o.tick_payload = p->pr;
	}
	cachet__path_show(show, p->show, f->rel);
	if ((rc = cachet_store_join(&uri, p->base_uri, f->rel)) < 0)
		return rc;
	if (p->known && p->known[i]) {
		/* The digest is known: copy in the kernel, as long as the file
		 * stays the version the walk saw and the cache vouched for. */
		cachet__copy_opts fast = o;
		fast.known = &f->st;
		if ((rc = cachet__copy_in(NULL, p->store, uri, f->path, show, &fast, NULL)) < 0)
			goto done;
		if (rc == CACHET__COPY_STALE)
			p->known[i] = false; /* it changed since: hash it */
	}
	if (!(p->known && p->known[i])) {
		if ((rc = cachet__copy_in(h, p->store, uri, f->path, show, &o,
					  p->seen ? &p->seen[i] : NULL)) < 0)
			goto done;
		rc = cachet__hasher_final(h, p->entries[i].digest);
	}
	/* Committed: kept for the rollback, which then needs no allocation. */
	p->committed[i] = uri;
	uri = NULL;
done:
	cachet__free(uri);
	return rc;
}

static void *worker(void *arg)
{
	pool *p = arg;
	cachet__hasher *h = NULL;
	int rc = cachet__hasher_new(&h, p->alg);

	if (rc < 0)
		fail(p, rc);
	while (rc == 0 && !atomic_load(&p->cancel)) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->walk->n)
			break;
		if ((rc = copy_one(p, h, i)) < 0)
			fail(p, rc);
	}
	cachet__hasher_free(h);
	pthread_mutex_lock(&p->lock);
	p->running--;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static unsigned int thread_count(const cachet_hash_options *opts, size_t files)
{
	long n = opts && opts->threads ? (long)opts->threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if ((size_t)n > files)
		n = (long)(files ? files : 1);
	return (unsigned int)n;
}

/* Run the pool; the calling thread reports progress while it waits. */
static void run_pool(pool *p, unsigned int nthreads)
{
	pthread_t tids[MAX_THREADS];
	unsigned int started = 0;

	p->running = nthreads;
	if (nthreads > 1) {
		for (; started < nthreads; started++)
			if (pthread_create(&tids[started], NULL, worker, p) != 0)
				break;
		pthread_mutex_lock(&p->lock);
		p->running -= nthreads - started; /* those that did not start */
		pthread_mutex_unlock(&p->lock);
	}
	if (started == 0) {
		/* One worker (or no thread could start): this thread works,
		 * ticking the progress itself. */
		p->running = 1;
		p->inline_run = true;
		worker(p);
		return;
	}
	pthread_mutex_lock(&p->lock);
	while (p->running > 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->cond, &p->lock, &until);
		pthread_mutex_unlock(&p->lock);
		report(p->pr, false);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}

/* With a stat cache: which files it vouches for, in one read transaction.
 * Their digests go straight into p->entries. */
static void look_up(pool *p, cachet_stat_cache *sc)
{
	cachet__stat_cache_begin(sc, false);
	for (size_t i = 0; i < p->walk->n; i++) {
		const cachet__walk_file *f = &p->walk->files[i];
		p->known[i] = cachet__stat_cache_lookup(sc, f->path, p->alg, &f->st,
							 p->entries[i].digest);
	}
	cachet__stat_cache_end(sc);
}

/* Remember the digests of the files that were hashed, in one write
 * transaction. */
static void record(pool *p, cachet_stat_cache *sc)
{
	cachet__stat_cache_begin(sc, true);
	for (size_t i = 0; i < p->walk->n; i++)
		if (!p->known[i])
			cachet__stat_cache_record(sc, p->walk->files[i].path, p->alg, &p->seen[i].st,
						  p->entries[i].digest, p->seen[i].t0);
	cachet__stat_cache_end(sc);
}

static int offload_dir(cachet_literal *lit, cachet_store *store, const char *uri,
		       const char *path, const char *show, const cachet_hash_options *opts,
		       cachet_digest alg, progress *pr)
{
	cachet__walk walk = CACHET__WALK_INIT;
	cachet_stat_cache *sc = opts ? opts->stat_cache : NULL;
	char *hash = NULL;
	pool p = {.store = store, .base_uri = uri, .show = show, .walk = &walk, .alg = alg,
		  .pr = pr};
	uint8_t digest[CACHET__DIGEST_MAX];
	int rc;

	if ((rc = cachet__walk_dir(&walk, path, show)) < 0)
		return rc;
	pr->total = walk.bytes; /* every byte is copied, known or not */
	if (walk.n > 0 && ((p.entries = cachet__calloc(walk.n, sizeof *p.entries)) == NULL ||
			   (p.committed = cachet__calloc(walk.n, sizeof *p.committed)) == NULL)) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	if (walk.n > 0 && sc && ((p.known = cachet__calloc(walk.n, sizeof *p.known)) == NULL ||
				 (p.seen = cachet__calloc(walk.n, sizeof *p.seen)) == NULL)) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < walk.n; i++)
		p.entries[i].path = walk.files[i].rel; /* borrowed */
	if (p.known)
		look_up(&p, sc);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	run_pool(&p, thread_count(opts, walk.n));
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	if (p.err < 0) {
		rc = cachet__error(p.err, "%s", p.msg);
		goto done;
	}
	report(pr, true);
	if (p.known)
		record(&p, sc);
	if ((rc = cachet__dir_digest(digest, alg, p.entries, walk.n)) < 0 ||
	    (rc = cachet__digest_format(&hash, alg, true, digest)) < 0 ||
	    (rc = cachet_literal_set_hash(lit, hash)) < 0)
		goto done;
done:
	if (rc < 0 && p.committed) {
		/* Take back what was committed: a failed offload leaves
		 * nothing visible. The error stays the first one. */
		int saved = rc;
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", cachet_error_last()->message);
		for (size_t i = 0; i < walk.n; i++)
			if (p.committed[i])
				(void)cachet_store_delete(store, p.committed[i]);
		rc = cachet__error(saved, "%s", msg);
	}
	for (size_t i = 0; p.committed && i < walk.n; i++)
		cachet__free(p.committed[i]);
	cachet__free(hash);
	cachet__free(p.entries);
	cachet__free(p.committed);
	cachet__free(p.known);
	cachet__free(p.seen);
	cachet__walk_dispose(&walk);
	return rc;
}

/* ---- the entry point ---- */

/* The object's name: local_path's last component ("data.csv" for
 * "in/data.csv/"), or the real directory's for "." and "..". */
static int object_name(char **out, const char *local_path, const char *show)
{
	size_t len = strlen(local_path);
	char *real = NULL;
	int rc = 0;

	*out = NULL;
	while (len > 1 && local_path[len - 1] == '/')
		len--;
	const char *start = local_path + len;
	while (start > local_path && start[-1] != '/')
		start--;
	size_t n = (size_t)(local_path + len - start);
	if (n == 0 || (n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.')) {
		if ((real = realpath(local_path, NULL)) == NULL)
			return cachet__error(CACHET_EIO, "cannot resolve '%s': %s", show,
					     cachet__strerror(errno));
		start = strrchr(real, '/') + 1;
		n = strlen(start);
	}
	if (n == 0)
		rc = cachet__error(CACHET_EINVALID, "cannot offload '%s': it has no name to store it under",
				   show);
	else if (!cachet__utf8_valid(start, n, NULL))
		rc = cachet__error(CACHET_EINVALID, "cannot offload '%s': the file name is not UTF-8",
				   show);
	else if ((*out = cachet__strndup(start, n)) == NULL)
		rc = CACHET_ENOMEM;
	free(real); /* realpath's: libc's malloc */
	return rc;
}

int cachet_offload_path(cachet_literal **out, cachet_store *store, const char *prefix,
			const char *local_path, cachet_offload_kind kind, const char *format,
			const cachet_hash_options *opts)
{
	char show[CACHET__SHOW_MAX], reason[128];
	char *base = NULL, *name = NULL, *joined = NULL, *uri = NULL;
	cachet_digest alg = opts ? opts->digest : CACHET_DIGEST_SHA256;
	progress pr = {.opts = opts, .last = cachet__monotonic_ns()};
	cachet_literal *lit = NULL;
	struct stat st;
	bool dir;
	int rc;

	*out = NULL;
	if (store == NULL || local_path == NULL || *local_path == '\0')
		return cachet__error(CACHET_EINVALID, "offload: no store or no path given");
	if (opts && (rc = cachet__check_version(opts->version, CACHET_HASH_OPTIONS_VERSION,
						"hash options")) < 0)
		return rc;
	if (kind < CACHET_OFFLOAD_AUTO || kind > CACHET_OFFLOAD_DATASET)
		return cachet__error(CACHET_EINVALID, "unknown offload kind %d", (int)kind);
	if (cachet__digest_len(alg) == 0)
		return cachet__error(CACHET_EINVALID, "unknown digest algorithm %d", (int)alg);
	cachet__path_show(show, local_path, NULL);

	if (stat(local_path, &st) < 0) {
		int e = errno;
		return cachet__error(e == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				     "cannot offload '%s': %s", show,
				     cachet__os_reason(e, reason, sizeof reason));
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return cachet__error(CACHET_EUNSUPPORTED,
				     "cannot offload '%s': it is %s, not a regular file or a "
				     "directory",
				     show, cachet__file_kind(st.st_mode));
	dir = S_ISDIR(st.st_mode);
	if (kind == CACHET_OFFLOAD_FILE && dir)
		return cachet__error(CACHET_EINVALID,
				     "cannot offload '%s' as a file: it is a directory", show);
	if (kind == CACHET_OFFLOAD_DIRECTORY && !dir)
		return cachet__error(CACHET_EINVALID,
				     "cannot offload '%s' as a directory: it is %s", show,
				     cachet__file_kind(st.st_mode));

	/* The Literal carries the canonical spelling of its URI: the one the
	 * catalog records and compares. */
	if (prefix == NULL)
		rc = cachet_store_new_prefix(&base, store);
	else
		rc = cachet__uri_in_store(&base, cachet_store_root(store), prefix,
					  CACHET__URI_PREFIX);
	if (rc < 0 || (rc = object_name(&name, local_path, show)) < 0 ||
	    (rc = cachet_store_join(&joined, base ? base : prefix, name)) < 0 ||
	    (rc = cachet__uri_in_store(&uri, cachet_store_root(store), joined,
				       CACHET__URI_OBJECT)) < 0)
		goto done;
	if (uri == NULL) { /* canonical as joined */
		uri = joined;
		joined = NULL;
	}

	/* The Literal first: it checks format, and what could fail after the
	 * copy is then only the hash, which the copy's rollback covers. */
	if (kind == CACHET_OFFLOAD_DATASET)
		lit = cachet_literal_new_dataset(uri, format);
	else
		lit = cachet_literal_new_blob(uri, format,
					      dir ? CACHET_BLOB_MULTIPART : CACHET_BLOB_SINGLE);
	if (lit == NULL) {
		rc = cachet_error_last()->code;
		goto done;
	}
	if (dir) {
		rc = offload_dir(lit, store, uri, local_path, show, opts, alg, &pr);
	} else {
		pr.total = (uint64_t)st.st_size;
		rc = offload_file(lit, store, uri, local_path, show, &st,
				  opts ? opts->stat_cache : NULL, alg, &pr);
	}
	if (rc < 0)
		goto done;
	*out = lit;
	lit = NULL;
done:
	cachet_literal_free(lit);
	cachet__free(uri);
	cachet__free(joined);
	cachet__free(name);
	cachet__free(base);
	return rc;
}
