/*
 * The generic store: canonicalises every URI and checks it against the
 * root before the backend sees it, and builds whole-object helpers (put and get of bytes, streams
 * and local files) and execution prefixes on the backend's few operations.
 */
#include "store/store.h"

#include "cachet/home.h"
#include "util/os.h"
#include "util/fs.h"
#include "store/uri.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/version.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)

int cachet_store_new(cachet_store **out, cachet_store_backend *backend)
{
	cachet_store *s;
	int rc;

	*out = NULL;
	if (backend == NULL)
		return cachet__error(CACHET_EINVALID, "no store backend given");
	if ((rc = cachet__check_version(backend->version, CACHET_STORE_BACKEND_VERSION,
					"store backend")) < 0) {
		if (backend->free)
			backend->free(backend);
		return rc;
	}
	if (!backend->root || !backend->open_writer || !backend->open_reader || !backend->stat ||
	    !backend->list || !backend->delete_object || !backend->free) {
		if (backend->free)
			backend->free(backend);
		return cachet__error(CACHET_EINVALID, "store backend lacks an operation");
	}
	if ((s = cachet__calloc(1, sizeof *s)) == NULL) {
		backend->free(backend);
		return CACHET_ENOMEM;
	}
	s->backend = backend;
	*out = s;
	return 0;
}

int cachet_store_open_home(cachet_store **out, const char *home)
{
	cachet_store_backend *b = NULL;
	char *dir = NULL;
	int rc;

	*out = NULL;
	if ((rc = cachet_home_ensure(home)) < 0 || (rc = cachet_home_store_dir(&dir, home)) < 0 ||
	    (rc = cachet_store_backend_file_new(&b, dir)) < 0)
		goto done;
	rc = cachet_store_new(out, b);
done:
	cachet__free(dir);
	return rc;
}

int cachet_store_open_url(cachet_store **out, const char *url)
{
	cachet_store_backend *b = NULL;
	int rc;

	*out = NULL;
	/* file:///path or a path; other schemes come with their backends */
	const char *dir = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
	if (strstr(url, "://") && dir == url)
		return cachet__error(CACHET_EUNSUPPORTED,
				     "store URL '%s': only file:// stores are supported", url);
	if (*dir != '/')
		return cachet__error(CACHET_EINVALID, "store URL '%s': not an absolute path", url);
	if ((rc = cachet_store_backend_file_new(&b, dir)) < 0)
		return rc;
	return cachet_store_new(out, b);
}

const char *cachet_store_root(const cachet_store *store)
{
	return store->backend->root;
}

void cachet_store_free(cachet_store *store)
{
	if (store == NULL)
		return;
	store->backend->free(store->backend);
	cachet__free(store);
}

int cachet_store_new_prefix(char **out, cachet_store *store)
{
	char hex[17], date[16];
	time_t t = time(NULL);
	struct tm tm;
	cachet_buf b = CACHET_BUF_INIT;
	int rc;

	*out = NULL;
	if (gmtime_r(&t, &tm) == NULL || strftime(date, sizeof date, "%Y%m%d", &tm) == 0)
		return cachet__error(CACHET_ERROR, "cannot format today's date");
	if ((rc = cachet__random_hex(hex, 8)) < 0)
		return rc;
	if ((rc = cachet__buf_printf(&b, "%s/%s-%s/", cachet_store_root(store), date, hex)) < 0) {
		cachet__buf_dispose(&b);
		return rc;
	}
	*out = cachet__buf_detach(&b, NULL);
	return *out ? 0 : CACHET_ENOMEM;
}

int cachet_store_join(char **out, const char *prefix, const char *key)
{
	size_t n = strlen(prefix);
	*out = cachet__path_join(prefix, n > 0 && prefix[n - 1] == '/' ? 0 : '/', key);
	return *out ? 0 : CACHET_ENOMEM;
}

/* ---- the operations ---- */

int cachet_store_writer_open(cachet_store_writer **out, cachet_store *store, const char *uri,
			     uint64_t size_hint)
{
	char *canon;
	int rc;

	*out = NULL;
	rc = cachet__uri_in_store(&canon, cachet_store_root(store), uri, CACHET__URI_OBJECT);
	if (rc < 0)
		return rc;
	rc = store->backend->open_writer(out, store->backend, canon ? canon : uri, size_hint);
	cachet__free(canon);
	if (rc == 0 && (rc = cachet__check_version((*out)->version, CACHET_STORE_BACKEND_VERSION,
						   "store writer")) < 0) {
		(*out)->abort(*out);
		*out = NULL;
	}
	return rc;
}

int cachet_store_writer_write(cachet_store_writer *w, const void *data, size_t len)
{
	return len == 0 ? 0 : w->write(w, data, len);
}

int cachet_store_writer_commit(cachet_store_writer *w)
{
	return w->commit(w);
}

void cachet_store_writer_abort(cachet_store_writer *w)
{
	if (w != NULL)
		w->abort(w);
}

int cachet__store_writer_splice(cachet_store_writer *w, int in, size_t max, size_t *n)
{
	*n = 0;
	/* A writer older than version 2 has no splice member to read. */
	if (w == NULL || w->version < 2 || w->splice == NULL)
		return CACHET_STORE_SPLICE_DECLINED;
	if (w->splice(w, in, max, n) != 0) {
		*n = 0;
		return CACHET_STORE_SPLICE_DECLINED;
	}
	return 0;
}

int cachet_store_reader_open(cachet_store_reader **out, cachet_store *store, const char *uri)
{
	char *canon;
	int rc;

	*out = NULL;
	rc = cachet__uri_in_store(&canon, cachet_store_root(store), uri, CACHET__URI_OBJECT);
	if (rc < 0)
		return rc;
	rc = store->backend->open_reader(out, store->backend, canon ? canon : uri);
	cachet__free(canon);
	if (rc == 0 && (rc = cachet__check_version((*out)->version, CACHET_STORE_BACKEND_VERSION,
						   "store reader")) < 0) {
		(*out)->close(*out);
		*out = NULL;
	}
	return rc;
}

int cachet_store_reader_read(cachet_store_reader *r, void *buf, size_t cap, size_t *got)
{
	return r->read(r, buf, cap, got);
}

void cachet_store_reader_close(cachet_store_reader *r)
{
	if (r != NULL)
		r->close(r);
}

int cachet_store_stat_object(cachet_store_stat *out, cachet_store *store, const char *uri)
{
	char *canon;
	int rc;

	memset(out, 0, sizeof *out);
	rc = cachet__uri_in_store(&canon, cachet_store_root(store), uri, CACHET__URI_OBJECT);
	if (rc < 0)
		return rc;
	rc = store->backend->stat(out, store->backend, canon ? canon : uri);
	cachet__free(canon);
	return rc;
}

int cachet_store_list(cachet_store *store, const char *prefix, cachet_store_list_fn fn,
		      void *payload)
{
	char *canon;
	int rc;

	if ((rc = cachet__uri_in_store(&canon, cachet_store_root(store), prefix,
				       CACHET__URI_PREFIX)) < 0)
		return rc;
	rc = store->backend->list(store->backend, canon ? canon : prefix, fn, payload);
	cachet__free(canon);
	return rc;
}

int cachet_store_delete(cachet_store *store, const char *uri)
{
	char *canon;
	int rc;

	rc = cachet__uri_in_store(&canon, cachet_store_root(store), uri, CACHET__URI_OBJECT);
	if (rc < 0)
		return rc;
	rc = store->backend->delete_object(store->backend, canon ? canon : uri);
	cachet__free(canon);
	return rc;
}

int cachet_store_cleanup(cachet_store *store, int64_t older_than, size_t *removed)
{
	size_t n = 0;
	int rc = 0;

	if (store->backend->cleanup)
		rc = store->backend->cleanup(store->backend, older_than, &n);
	if (removed)
		*removed = n;
	return rc;
}

/* ---- whole objects ---- */

int cachet_store_put_bytes(cachet_store *store, const char *uri, const void *data, size_t len)
{
	cachet_store_writer *w;
	int rc;

	if ((rc = cachet_store_writer_open(&w, store, uri, len)) < 0)
		return rc;
	if ((rc = cachet_store_writer_write(w, data, len)) < 0) {
		cachet_store_writer_abort(w);
		return rc;
	}
	return cachet_store_writer_commit(w);
}

int cachet_store_put_stream(cachet_store *store, const char *uri, FILE *in)
{
	cachet_store_writer *w = NULL;
	char *buf = NULL;
	int rc;

	if ((rc = cachet_store_writer_open(&w, store, uri, UINT64_MAX)) < 0)
		return rc;
	if ((buf = cachet__malloc(CHUNK)) == NULL) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	for (;;) {
		size_t n = fread(buf, 1, CHUNK, in);
		if (n > 0 && (rc = cachet_store_writer_write(w, buf, n)) < 0)
			goto fail;
		if (n < CHUNK) {
			if (ferror(in)) {
				rc = cachet__error(CACHET_EIO,
						   "cannot write '%s': cannot read the input: %s",
						   uri, cachet__strerror(errno));
				goto fail;
			}
			if (feof(in))
				break;
		}
	}
	cachet__free(buf);
	return cachet_store_writer_commit(w);
fail:
	cachet__free(buf);
	cachet_store_writer_abort(w);
	return rc;
}

int cachet_store_get_bytes(char **out, size_t *len, cachet_store *store, const char *uri)
{
	cachet_store_reader *r = NULL;
	cachet_buf b = CACHET_BUF_INIT;
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = cachet_store_reader_open(&r, store, uri)) < 0)
		return rc;
	for (;;) {
		size_t got;
		if ((rc = cachet__buf_grow(&b, 65536)) < 0 ||
		    (rc = cachet_store_reader_read(r, b.ptr + b.len, b.cap - b.len - 1, &got)) < 0)
			goto done;
		if (got == 0)
			break;
		b.len += got;
		b.ptr[b.len] = '\0';
	}
	*out = cachet__buf_detach(&b, len);
	rc = *out ? 0 : CACHET_ENOMEM;
done:
	cachet__buf_dispose(&b);
	cachet_store_reader_close(r);
	return rc;
}

/* Read the object at uri chunk by chunk, handing each to sink. */
typedef int (*sink_fn)(const void *data, size_t len, void *payload);

static int read_object(cachet_store *store, const char *uri, sink_fn sink, void *payload)
{
	cachet_store_reader *r = NULL;
	char *buf = NULL;
	int rc;

	if ((rc = cachet_store_reader_open(&r, store, uri)) < 0)
		return rc;
	if ((buf = cachet__malloc(CHUNK)) == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	for (;;) {
		size_t got;
		if ((rc = cachet_store_reader_read(r, buf, CHUNK, &got)) < 0 || got == 0)
			break;
		if ((rc = sink(buf, got, payload)) < 0)
			break;
	}
done:
	cachet__free(buf);
	cachet_store_reader_close(r);
	return rc;
}

struct stream_sink {
	FILE *out;
	const char *uri;
};

static int to_stream(const void *data, size_t len, void *payload)
{
	struct stream_sink *s = payload;
	if (fwrite(data, 1, len, s->out) != len)
		return cachet__error(CACHET_EIO, "cannot copy '%s' out: %s", s->uri,
				     cachet__strerror(errno));
	return 0;
}

int cachet_store_get_stream(cachet_store *store, const char *uri, FILE *out)
{
	struct stream_sink s = {out, uri};
	return read_object(store, uri, to_stream, &s);
}

struct fd_sink {
	int fd;
	const char *path;
};

static int to_fd(const void *data, size_t len, void *payload)
{
	struct fd_sink *s = payload;
	if (cachet__write_all(s->fd, data, len) < 0)
		return cachet__error(CACHET_EIO, "cannot write '%s': %s", s->path,
				     cachet__strerror(errno));
	return 0;
}

int cachet_store_get_path(cachet_store *store, const char *uri, const char *local_path)
{
	char hex[17];
	char *tmp = NULL;
	int fd = -1, rc;

	if ((rc = cachet__random_hex(hex, 8)) < 0)
		return rc;
	/* A temporary name next to the target, renamed into place: a
	 * failure never leaves a partial file under local_path. */
	size_t dirlen = (size_t)(cachet__basename(local_path) - local_path);
	cachet_buf b = CACHET_BUF_INIT;
	if ((rc = cachet__buf_put(&b, local_path, dirlen)) < 0 ||
	    (rc = cachet__buf_printf(&b, ".%s.tmp-%s", cachet__basename(local_path), hex)) < 0) {
		cachet__buf_dispose(&b);
		return rc;
	}
	tmp = cachet__buf_detach(&b, NULL);
	if (tmp == NULL)
		return CACHET_ENOMEM;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666)) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot write '%s': %s", local_path,
				   cachet__strerror(errno));
		goto done;
	}
	struct fd_sink s = {fd, local_path};
	if ((rc = read_object(store, uri, to_fd, &s)) < 0)
		goto done;
	int synced = fsync(fd), err = errno;
	if (close(fd) < 0 && synced == 0) {
		synced = -1;
		err = errno;
	}
	fd = -1;
	if (synced < 0) {
		rc = cachet__error(CACHET_EIO, "cannot write '%s': %s", local_path, cachet__strerror(err));
		goto done;
	}
	if (rename(tmp, local_path) < 0)
		rc = cachet__error(CACHET_EIO, "cannot write '%s': %s", local_path,
				   cachet__strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	cachet__free(tmp);
	return rc;
}
