/*
 * cachet_hash_path: a file, read on the calling thread, or a directory,
 * whose files the directory pipeline (pipeline.c) reads and hashes on a
 * small pool of threads; both through the stat cache.
 */
/* realpath is XSI */
#define _XOPEN_SOURCE 700

#include "digest/pipeline.h"
#include "digest/stat_cache.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/version.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- one file ---- */

static int hash_file(char **out, const char *path, const char *show, const struct stat *st,
		     const cachet_hash_options *o)
{
	cachet__file_reader r;
	uint8_t digest[CACHET__DIGEST_MAX];
	cachet__fstat fs, seen;
	cachet__progress p;
	char *abs = NULL;
	int64_t t0;
	int rc;

	cachet__fstat_from(&fs, st);
	cachet__progress_init(&p, o, (uint64_t)st->st_size);
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
	r.on_read = cachet__progress_add;
	r.on_read_arg = &p;
	cachet__progress_report(&p);
	rc = cachet__file_hash(&r, path, show, digest, &seen, &t0);
	cachet__file_reader_dispose(&r);
	if (rc < 0)
		goto done;
	cachet__progress_report(&p);
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

/* ---- a directory: the pipeline, reading and hashing each file ---- */

static int reader_new(void **worker, void *payload)
{
	cachet_digest *algorithm = payload;
	cachet__file_reader *r = cachet__malloc(sizeof(*r));
	int rc;

	if (r == NULL)
		return CACHET_ENOMEM;
	if ((rc = cachet__file_reader_init(r, *algorithm)) < 0) {
		cachet__free(r);
		return rc;
	}
	*worker = r;
	return 0;
}

static void reader_free(void *worker)
{
	if (worker == NULL)
		return;
	cachet__file_reader_dispose(worker);
	cachet__free(worker);
}

static int read_one(void *worker, cachet__pipeline_file *f)
{
	cachet__file_reader *r = worker;

	r->on_read = cachet__progress_add;
	r->on_read_arg = f->progress;
	return cachet__file_hash(r, f->file->path, f->show, f->digest, f->seen, f->t0);
}

static int hash_dir(char **out, const char *path, const char *show,
		    const cachet_hash_options *o)
{
	cachet_digest algorithm = o->digest;
	cachet__pipeline_op op = {
		.every_file = false,
		.worker_new = reader_new,
		.worker_free = reader_free,
		.file = read_one,
		.payload = &algorithm,
	};

	return cachet__pipeline_dir(out, path, show, o, &op);
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
