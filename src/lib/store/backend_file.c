/*
 * The local filesystem backend: objects are files under a root directory,
 * addressed by file:// URIs. Since the root URI is "file://" + the root's
 * real path, an object's path is its URI without the "file://".
 *
 * Atomic writes (as git writes objects): the bytes go to
 * ".<name>.tmp-<16 hex>" in the object's directory; commit fsyncs the file,
 * renames it over the final name and fsyncs the directory. A reader opens
 * either the old file or the new one, never a partial one; a failed or
 * interrupted write leaves only the temporary file, which cleanup removes.
 */
#define _GNU_SOURCE /* sync_file_range, copy_file_range */

#include "cachet/store.h"

#include "digest/internal.h"
#include "store/fs.h"
#include "store/store.h"
#include "store/uri.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_SCHEME "file://"
#define FILE_SCHEME_LEN (sizeof FILE_SCHEME - 1)

/* Start writeback of what was written every this many bytes, so that the
 * fsync at commit has little left to wait for and a big object does not
 * pile up dirty pages. */
#define WRITEBACK_EVERY (8u << 20)

typedef struct file_backend {
	cachet_store_backend base;
	char *root_uri;
} file_backend;

typedef struct file_writer {
	cachet_store_writer base;
	int fd;
	char *uri;  /* for messages */
	char *tmp;  /* the temporary file's path */
	uint64_t written, flushed;
} file_writer;

typedef struct file_reader {
	cachet_store_reader base;
	int fd;
	char *uri;
} file_reader;

static const char *uri_path(const char *uri)
{
	return uri + FILE_SCHEME_LEN;
}

/* Refuse the URIs this backend cannot hold: not under its root, or whose
 * name is reserved for temporary files. */
static int check(const file_backend *fb, const char *uri, cachet__uri_kind kind)
{
	int rc = cachet__uri_check(NULL, fb->root_uri, uri, kind);
	if (rc < 0 || kind != CACHET__URI_OBJECT)
		return rc;
	const char *name = strrchr(uri, '/') + 1;
	if (cachet__is_temp_name(name, strlen(name)))
		return cachet__error(CACHET_EINVALID,
				     "store URI '%s' has the form of a temporary file's name, "
				     "which the file store reserves",
				     uri);
	return 0;
}

static int io_error(const char *verb, const char *uri, int err)
{
	char reason[128];
	return cachet__error(err == ENOMEM ? CACHET_ENOMEM : CACHET_EIO, "cannot %s '%s': %s",
			     verb, uri, cachet__os_reason(err, reason, sizeof reason));
}

/* ---- writing ---- */

static void writer_free(file_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp);
	}
	cachet__free(w->uri);
	cachet__free(w->tmp);
	cachet__free(w);
}

/* Count len more bytes written, and start their writeback every
 * WRITEBACK_EVERY bytes. */
static void written(file_writer *w, size_t len)
{
	w->written += len;
#ifdef SYNC_FILE_RANGE_WRITE
	if (w->written - w->flushed >= WRITEBACK_EVERY) {
		/* Only a hint: errors surface at fsync. */
		(void)sync_file_range(w->fd, (off_t)w->flushed, (off_t)(w->written - w->flushed),
				      SYNC_FILE_RANGE_WRITE);
		w->flushed = w->written;
	}
#endif
}

static int file_write(cachet_store_writer *base, const void *data, size_t len)
{
	file_writer *w = (file_writer *)base;

	if (cachet__write_all(w->fd, data, len) < 0)
		return io_error("write", w->uri, errno);
	written(w, len);
	return 0;
}

int cachet__store_writer_splice(cachet_store_writer *base, int in, size_t max, size_t *n)
{
	*n = 0;
	/* Only this backend's writers have a file to copy into. */
	if (base == NULL || base->write != file_write)
		return CACHET__SPLICE_UNSUPPORTED;
	file_writer *w = (file_writer *)base;
	for (;;) {
		ssize_t got = copy_file_range(in, NULL, w->fd, NULL, max, 0);
		if (got >= 0) {
			*n = (size_t)got;
			break;
		}
		/* EXDEV, EINVAL, ENOSYS, EOPNOTSUPP: the kernel will not;
		 * EIO, ENOSPC, EFBIG: read() and write() will say which side
		 * failed, naming it. */
		if (errno != EINTR)
			return CACHET__SPLICE_UNSUPPORTED;
	}
	written(w, *n);
	return 0;
}

static int file_commit(cachet_store_writer *base)
{
	file_writer *w = (file_writer *)base;
	const char *path = uri_path(w->uri);
	int rc = 0, fd = w->fd;

	w->fd = -1; /* from here on, this function closes it */
	/* fsync reports what delayed writes could not store (ENOSPC, EIO);
	 * close may too, on some filesystems. */
	if (fsync(fd) < 0) {
		rc = io_error("write", w->uri, errno);
		close(fd);
		unlink(w->tmp);
		goto done;
	}
	if (close(fd) < 0) {
		rc = io_error("write", w->uri, errno);
		unlink(w->tmp);
		goto done;
	}
	if (rename(w->tmp, path) < 0) {
		rc = io_error("write", w->uri, errno);
		unlink(w->tmp);
		goto done;
	}
	/* The rename is durable once the directory is. */
	char *slash = strrchr(w->tmp, '/');
	*slash = '\0';
	/* ENOENT: someone deleted the object, and the directory it emptied,
	 * right after the rename; the write itself was done. */
	if (cachet__fsync_dir(w->tmp) < 0 && errno != ENOENT) {
		/* Not known to be durable: a failed commit leaves nothing. */
		rc = io_error("write", w->uri, errno);
		unlink(path);
	}
done:
	writer_free(w);
	return rc;
}

static void file_abort(cachet_store_writer *base)
{
	writer_free((file_writer *)base);
}

/* The temporary path for the object at path: ".<name>.tmp-<hex>" in the
 * same directory, the name shortened when it would not fit NAME_MAX. */
static char *temp_path(const char *path)
{
	const char *name = cachet__basename(path);
	size_t dirlen = (size_t)(name - path);
	size_t namelen = strlen(name);
	const size_t extra = 1 + 5 + CACHET__TEMP_HEX; /* "." ".tmp-" hex */
	char hex[CACHET__TEMP_HEX + 1];
	cachet_buf b = CACHET_BUF_INIT;

	if (namelen + extra > NAME_MAX)
		namelen = NAME_MAX - extra;
	if (cachet__random_hex(hex, CACHET__TEMP_HEX / 2) < 0)
		return NULL;
	if (cachet__buf_put(&b, path, dirlen) < 0 || cachet__buf_putc(&b, '.') < 0 ||
	    cachet__buf_put(&b, name, namelen) < 0 || cachet__buf_puts(&b, ".tmp-") < 0 ||
	    cachet__buf_puts(&b, hex) < 0) {
		cachet__buf_dispose(&b);
		return NULL;
	}
	return cachet__buf_detach(&b, NULL);
}

static int file_open_writer(cachet_store_writer **out, cachet_store_backend *b,
			    const char *uri, uint64_t size_hint)
{
	file_backend *fb = (file_backend *)b;
	file_writer *w = NULL;
	int rc;

	(void)size_hint;
	*out = NULL;
	if ((rc = check(fb, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	if ((w = cachet__calloc(1, sizeof *w)) == NULL)
		return CACHET_ENOMEM;
	w->fd = -1;
	w->base = (cachet_store_writer){CACHET_STORE_BACKEND_VERSION, file_write, file_commit,
					file_abort};
	if ((w->uri = cachet__strdup(uri)) == NULL || (w->tmp = temp_path(uri_path(uri))) == NULL) {
		rc = cachet_error_last()->code;
		goto fail;
	}
	/* Create the directories only when the open says they are missing
	 * (the common case finds them). A delete removes the directories it
	 * empties, and may do so between our mkdir and our open: try again a
	 * few times then. */
	for (int attempt = 0;; attempt++) {
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
		if (w->fd >= 0)
			break;
		int err = errno;
		if (err != ENOENT || attempt == 10) {
			rc = io_error("write", uri, err);
			goto fail;
		}
		char *slash = strrchr(w->tmp, '/');
		*slash = '\0';
		int made = cachet__mkdirs(w->tmp, 0700, NULL);
		err = errno;
		*slash = '/';
		if (made < 0 && err != ENOENT) {
			rc = io_error("write", uri, err);
			goto fail;
		}
	}
	*out = &w->base;
	return 0;
fail:
	writer_free(w);
	return rc;
}

/* ---- reading ---- */

static int file_read(cachet_store_reader *base, void *buf, size_t cap, size_t *got)
{
	file_reader *r = (file_reader *)base;
	ssize_t n = cachet__read_some(r->fd, buf, cap);

	*got = 0;
	if (n < 0)
		return io_error("read", r->uri, errno);
	*got = (size_t)n;
	return 0;
}

static void file_close(cachet_store_reader *base)
{
	file_reader *r = (file_reader *)base;
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	cachet__free(r->uri);
	cachet__free(r);
}

static int not_found(const char *uri)
{
	return cachet__error(CACHET_ENOTFOUND, "no object at '%s'", uri);
}

static int file_open_reader(cachet_store_reader **out, cachet_store_backend *b,
			    const char *uri)
{
	file_backend *fb = (file_backend *)b;
	file_reader *r;
	struct stat st;
	int rc;

	*out = NULL;
	if ((rc = check(fb, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	if ((r = cachet__calloc(1, sizeof *r)) == NULL)
		return CACHET_ENOMEM;
	r->base = (cachet_store_reader){CACHET_STORE_BACKEND_VERSION, file_read, file_close};
	if ((r->uri = cachet__strdup(uri)) == NULL) {
		file_close(&r->base);
		return CACHET_ENOMEM;
	}
	/* O_NONBLOCK: never hang on a FIFO someone put in the store. */
	r->fd = open(uri_path(uri), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (r->fd < 0) {
		rc = errno == ENOENT || errno == ENOTDIR ? not_found(uri)
							 : io_error("read", uri, errno);
	} else if (fstat(r->fd, &st) < 0) {
		rc = io_error("read", uri, errno);
	} else if (!S_ISREG(st.st_mode)) {
		rc = not_found(uri); /* a directory is a prefix, not an object */
	}
	if (rc < 0) {
		file_close(&r->base);
		return rc;
	}
	*out = &r->base;
	return 0;
}

static void stat_of(cachet_store_stat *out, const struct stat *st)
{
	out->size = (uint64_t)st->st_size;
	out->mtime.seconds = (int64_t)st->st_mtim.tv_sec;
	out->mtime.nanos = (int32_t)st->st_mtim.tv_nsec;
}

static int file_stat(cachet_store_stat *out, cachet_store_backend *b, const char *uri)
{
	file_backend *fb = (file_backend *)b;
	struct stat st;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = check(fb, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	if (stat(uri_path(uri), &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? not_found(uri)
							   : io_error("stat", uri, errno);
	if (!S_ISREG(st.st_mode))
		return not_found(uri);
	stat_of(out, &st);
	return 0;
}

/* ---- walking (list and cleanup) ---- */

/* What to do with each regular file found under a directory. path holds
 * the file's path; return non-zero to stop. */
typedef int (*visit_fn)(cachet_buf *path, const struct stat *st, const char *name,
			void *payload);

/*
 * Visit the regular files under path (a directory, in path->ptr) whose
 * names at this level start with first (NULL: any), depth first. Symbolic
 * links are not followed. A directory that vanished meanwhile is empty.
 */
static int walk(cachet_buf *path, const char *first, visit_fn fn, void *payload)
{
	DIR *d = opendir(path->ptr);
	size_t base = path->len;
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return io_error("list", path->ptr, errno);
	}
	for (;;) {
		errno = 0;
		if ((e = readdir(d)) == NULL) {
			if (errno != 0)
				rc = io_error("list", path->ptr, errno);
			break;
		}
		const char *name = e->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (first && strncmp(name, first, strlen(first)) != 0)
			continue;
		path->len = base;
		path->ptr[base] = '\0';
		if ((rc = cachet__buf_putc(path, '/')) < 0 || (rc = cachet__buf_puts(path, name)) < 0)
			break;
		struct stat st;
		if (lstat(path->ptr, &st) < 0) {
			if (errno == ENOENT)
				continue; /* removed since readdir */
			rc = io_error("list", path->ptr, errno);
			break;
		}
		if (S_ISDIR(st.st_mode))
			rc = walk(path, NULL, fn, payload);
		else if (S_ISREG(st.st_mode))
			rc = fn(path, &st, name, payload);
		if (rc != 0)
			break;
	}
	path->len = base;
	path->ptr[base] = '\0';
	closedir(d);
	return rc;
}

struct list_state {
	cachet_store_list_fn fn;
	void *payload;
	cachet_buf uri; /* scratch: "file://" + path */
};

static int list_visit(cachet_buf *path, const struct stat *st, const char *name,
		      void *payload)
{
	struct list_state *ls = payload;
	cachet_store_stat ss;
	int rc;

	if (cachet__is_temp_name(name, strlen(name)))
		return 0;
	cachet__buf_clear(&ls->uri);
	if ((rc = cachet__buf_puts(&ls->uri, FILE_SCHEME)) < 0 ||
	    (rc = cachet__buf_put(&ls->uri, path->ptr, path->len)) < 0)
		return rc;
	stat_of(&ss, st);
	return ls->fn(ls->uri.ptr, &ss, ls->payload);
}

static int file_list(cachet_store_backend *b, const char *prefix, cachet_store_list_fn fn,
		     void *payload)
{
	file_backend *fb = (file_backend *)b;
	struct list_state ls = {fn, payload, CACHET_BUF_INIT};
	cachet_buf path = CACHET_BUF_INIT;
	const char *key;
	int rc;

	if ((rc = cachet__uri_check(&key, fb->root_uri, prefix, CACHET__URI_PREFIX)) < 0)
		return rc;
	/* The key's complete segments name a directory to walk; its last,
	 * partial segment filters the names at that directory's level. */
	const char *slash = strrchr(key, '/');
	const char *partial = slash ? slash + 1 : key;
	if ((rc = cachet__buf_puts(&path, uri_path(fb->root_uri))) < 0)
		goto done;
	if (slash && ((rc = cachet__buf_putc(&path, '/')) < 0 ||
		      (rc = cachet__buf_put(&path, key, (size_t)(slash - key))) < 0))
		goto done;
	rc = walk(&path, *partial ? partial : NULL, list_visit, &ls);
done:
	cachet__buf_dispose(&path);
	cachet__buf_dispose(&ls.uri);
	return rc;
}

/* ---- deleting ---- */

static int file_delete(cachet_store_backend *b, const char *uri)
{
	file_backend *fb = (file_backend *)b;
	const char *path = uri_path(uri);
	const char *root = uri_path(fb->root_uri);
	struct stat st;
	int rc;

	if ((rc = check(fb, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	if (lstat(path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? not_found(uri)
							   : io_error("delete", uri, errno);
	if (S_ISDIR(st.st_mode))
		return not_found(uri);
	if (unlink(path) < 0)
		return errno == ENOENT ? not_found(uri) : io_error("delete", uri, errno);
	/* Remove the directories the delete left empty, up to the root, so
	 * that a prefix with no objects left has no directory either (as in
	 * S3). rmdir fails harmlessly on a directory that is not empty. */
	char *dir = cachet__strdup(path);
	if (dir == NULL)
		return 0; /* the delete itself succeeded */
	size_t rootlen = strlen(root);
	for (char *slash = strrchr(dir, '/'); slash && (size_t)(slash - dir) > rootlen;
	     slash = strrchr(dir, '/')) {
		*slash = '\0';
		if (rmdir(dir) < 0)
			break;
	}
	cachet__free(dir);
	return 0;
}

/* ---- cleanup ---- */

struct cleanup_state {
	time_t cutoff;
	size_t removed;
};

static int cleanup_visit(cachet_buf *path, const struct stat *st, const char *name,
			 void *payload)
{
	struct cleanup_state *cs = payload;

	if (!cachet__is_temp_name(name, strlen(name)) || st->st_mtim.tv_sec > cs->cutoff)
		return 0;
	if (unlink(path->ptr) < 0) {
		if (errno == ENOENT)
			return 0; /* its writer finished or gave up meanwhile */
		return cachet__error(CACHET_EIO, "cannot remove '%s': %s", path->ptr,
				     cachet__strerror(errno));
	}
	cs->removed++;
	return 0;
}

static int file_cleanup(cachet_store_backend *b, int64_t older_than, size_t *removed)
{
	file_backend *fb = (file_backend *)b;
	struct cleanup_state cs = {time(NULL) - (time_t)(older_than < 0 ? 0 : older_than), 0};
	cachet_buf path = CACHET_BUF_INIT;
	int rc;

	if ((rc = cachet__buf_puts(&path, uri_path(fb->root_uri))) == 0)
		rc = walk(&path, NULL, cleanup_visit, &cs);
	cachet__buf_dispose(&path);
	if (removed)
		*removed = cs.removed;
	return rc;
}

/* ---- the backend ---- */

static void file_free(cachet_store_backend *b)
{
	file_backend *fb = (file_backend *)b;
	if (fb == NULL)
		return;
	cachet__free(fb->root_uri);
	cachet__free(fb);
}

int cachet_store_backend_file_new(cachet_store_backend **out, const char *root_dir)
{
	file_backend *fb = NULL;
	char *real = NULL;
	size_t failed = 0;
	int rc;

	*out = NULL;
	if (root_dir == NULL || *root_dir == '\0')
		return cachet__error(CACHET_EINVALID, "no store directory given");
	if (cachet__mkdirs(root_dir, 0700, &failed) < 0) {
		int err = errno;
		return cachet__error(CACHET_EIO, "cannot create store directory '%.*s': %s",
				     (int)failed, root_dir, cachet__strerror(err));
	}
	if ((real = realpath(root_dir, NULL)) == NULL)
		return cachet__error(errno == ENOMEM ? CACHET_ENOMEM : CACHET_EIO,
				     "cannot resolve store directory '%s': %s", root_dir,
				     cachet__strerror(errno));
	if (strcmp(real, "/") == 0) {
		rc = cachet__error(CACHET_EINVALID, "the store cannot be the filesystem's root");
		goto done;
	}
	if ((fb = cachet__calloc(1, sizeof *fb)) == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	if ((fb->root_uri = cachet__path_join(FILE_SCHEME, 0, real)) == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	fb->base = (cachet_store_backend){
		.version = CACHET_STORE_BACKEND_VERSION,
		.root = fb->root_uri,
		.open_writer = file_open_writer,
		.open_reader = file_open_reader,
		.stat = file_stat,
		.list = file_list,
		.delete_object = file_delete,
		.cleanup = file_cleanup,
		.free = file_free,
	};
	*out = &fb->base;
	fb = NULL;
	rc = 0;
done:
	free(real); /* realpath's memory is libc's */
	file_free(fb ? &fb->base : NULL);
	return rc;
}
