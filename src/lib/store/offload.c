/*
 * Offloading: copy a local file or directory into the store, hashing it in
 * the same pass, and return the Literal that names it (Blob or
 * StructuredDataset, uri + hash).
 *
 * A directory is listed by the digest layer's walk (so offloading refuses
 * exactly what `cachet hash` refuses), then its files are copied by the
 * digest layer's directory pipeline (digest/pipeline.h), with "copy while
 * hashing" as its per-file operation: each file is read once through a
 * hasher, and the directory digest is what `cachet hash` computes for the
 * same directory.
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
 * The pipeline looks files up on the calling thread in one read
 * transaction and records them in one write transaction; a single file
 * does the same here.
 */
#define _DEFAULT_SOURCE /* realpath */

#include "store/copy.h"

#include "digest/digest_internal_api.h"
#include "util/os.h"
#include "util/fs.h"
#include "store/uri.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"
#include "util/utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A copy's tick: report everything done so far, when this is the
 * calling thread and the last report is old enough. */
static void tick(void *payload, uint64_t done)
{
	(void)done;
	cachet__progress_tick(payload);
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
			cachet_stat_cache *sc, cachet_digest alg, cachet__progress *pr)
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
	cachet__progress_report(pr);
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

/* ---- a directory: the pipeline, copying while hashing each file ---- */

typedef struct dir_copy {
	cachet_store *store;
	const char *base_uri; /* "<prefix>/<name>" */
	cachet_digest alg;
	char **committed; /* the URI of each file committed so far, else NULL */
	size_t n;
} dir_copy;

static int dir_copy_start(void *payload, const cachet__walk *w)
{
	dir_copy *c = payload;

	if (w->n > 0 && (c->committed = cachet__calloc(w->n, sizeof *c->committed)) == NULL)
		return CACHET_ENOMEM;
	c->n = w->n;
	return 0;
}

static int hasher_new(void **worker, void *payload)
{
	dir_copy *c = payload;
	cachet__hasher *h = NULL;
	int rc = cachet__hasher_new(&h, c->alg);

	*worker = h;
	return rc;
}

static void hasher_free(void *worker)
{
	cachet__hasher_free(worker);
}

static int copy_one(void *worker, cachet__pipeline_file *f)
{
	dir_copy *c = f->payload;
	cachet__hasher *h = worker;
	cachet__copy_seen seen;
	char *uri = NULL;
	cachet__copy_opts o = {.bytes_done = &f->progress->done, .cancel = f->cancel,
			       .tick = tick, .tick_payload = f->progress};
	int rc;

	if ((rc = cachet_store_join(&uri, c->base_uri, f->file->rel)) < 0)
		return rc;
	if (*f->known) {
		/* The digest is known: copy in the kernel, as long as the file
		 * stays the version the walk saw and the cache vouched for. */
		cachet__copy_opts fast = o;
		fast.known = &f->file->st;
		if ((rc = cachet__copy_in(NULL, c->store, uri, f->file->path, f->show, &fast,
					  NULL)) < 0)
			goto done;
		if (rc == CACHET__COPY_STALE)
			*f->known = false; /* it changed since: hash it */
	}
	if (!*f->known) {
		if ((rc = cachet__copy_in(h, c->store, uri, f->file->path, f->show, &o, &seen)) < 0)
			goto done;
		*f->seen = seen.st;
		*f->t0 = seen.t0;
		rc = cachet__hasher_final(h, f->digest);
	}
	/* Committed: kept for the rollback, which then needs no allocation. */
	c->committed[f->index] = uri;
	uri = NULL;
done:
	cachet__free(uri);
	if (rc < 0 && atomic_load(f->cancel))
		return CACHET__PIPELINE_GAVE_UP; /* the copy was cancelled, or
						  * failed after another file did */
	return rc;
}

static int offload_dir(cachet_literal *lit, cachet_store *store, const char *uri,
		       const char *path, const char *show, const cachet_hash_options *o)
{
	dir_copy c = {.store = store, .base_uri = uri, .alg = o->digest};
	cachet__pipeline_op op = {
		.every_file = true, /* a file the stat cache knows is still copied */
		.start = dir_copy_start,
		.worker_new = hasher_new,
		.worker_free = hasher_free,
		.file = copy_one,
		.payload = &c,
	};
	char *hash = NULL;
	int rc;

	if ((rc = cachet__pipeline_dir(&hash, path, show, o, &op)) >= 0)
		rc = cachet_literal_set_hash(lit, hash);
	if (rc < 0 && c.committed) {
		/* Take back what was committed: a failed offload leaves
		 * nothing visible. The error stays the first one. */
		int saved = rc;
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", cachet_error_last()->message);
		for (size_t i = 0; i < c.n; i++)
			if (c.committed[i])
				(void)cachet_store_delete(store, c.committed[i]);
		rc = cachet__error(saved, "%s", msg);
	}
	for (size_t i = 0; c.committed && i < c.n; i++)
		cachet__free(c.committed[i]);
	cachet__free(c.committed);
	cachet__free(hash);
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
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	cachet__progress pr;
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
	if (opts)
		o = *opts;
	if (kind < CACHET_OFFLOAD_AUTO || kind > CACHET_OFFLOAD_DATASET)
		return cachet__error(CACHET_EINVALID, "unknown offload kind %d", (int)kind);
	if (cachet__digest_len(o.digest) == 0)
		return cachet__error(CACHET_EINVALID, "unknown digest algorithm %d", (int)o.digest);
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
		rc = offload_dir(lit, store, uri, local_path, show, &o);
	} else {
		cachet__progress_init(&pr, &o, (uint64_t)st.st_size);
		rc = offload_file(lit, store, uri, local_path, show, &st, o.stat_cache, o.digest,
				  &pr);
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
