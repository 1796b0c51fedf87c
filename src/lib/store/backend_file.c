/*
 * The local filesystem backend: objects are files under a root directory,
 * addressed by file:// URIs. Since the root URI is "file://" + the root's
 * real path, an object's key is its path below the root.
 *
 * No path is handed to the kernel whole. Every operation walks the key
 * from a descriptor of the root, one segment at a time, with O_NOFOLLOW:
 * the store never follows a symbolic link it finds inside itself (it
 * creates none), so a link planted in the store cannot lead a write, read,
 * stat, listing or delete outside it.
 *
 * Atomic writes (as git writes objects): the bytes go to
 * ".<name>.tmp-<16 hex>" in the object's directory; commit fsyncs the file,
 * renames it over the final name and fsyncs the directory. A reader opens
 * either the old file or the new one, never a partial one; a failed or
 * interrupted write leaves only the temporary file, which cleanup removes.
 */
#define _GNU_SOURCE /* sync_file_range, copy_file_range */

#include "cachet/sys/store_backend.h"

#include "util/os.h"
#include "util/fs.h"
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

/* How often a write tries again when a concurrent delete removed the
 * directory it was creating its file in. */
#define RACING_DELETE_TRIES 10

typedef struct file_backend {
	cachet_store_backend base;
	char *root_uri;
	int root_fd; /* the root directory: every walk starts here */
} file_backend;

typedef struct file_writer {
	cachet_store_writer base;
	int fd;
	int dir_fd; /* the object's directory */
	char *uri;  /* for messages */
	char *name; /* the object's name in dir_fd */
	char *tmp;  /* the temporary file's name in dir_fd */
	uint64_t written, flushed;
} file_writer;

typedef struct file_reader {
	cachet_store_reader base;
	int fd;
	char *uri;
} file_reader;

static const char *root_path(const file_backend *fb)
{
	return fb->root_uri + FILE_SCHEME_LEN;
}

/* The key of a URI that passed check(): its path below the root. */
static const char *key_of(const file_backend *fb, const char *uri)
{
	return uri + strlen(fb->root_uri) + 1;
}

/* Refuse the URIs this backend cannot hold: not canonical, not under its
 * root, or whose name is reserved for temporary files. */
static int check(const file_backend *fb, const char *uri, cachet__uri_kind kind)
{
	char *canon = NULL;
	int rc = cachet__uri_in_store(&canon, fb->root_uri, uri, kind);
	if (rc == 0 && canon != NULL)
		rc = cachet__error(CACHET_EINVALID, "store URI '%s' is not canonical ('%s' is)", uri,
				   canon);
	cachet__free(canon);
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

/* ---- walking a key without following links ---- */

/* Whether name in dir is a symbolic link (after an open refused it). */
static bool is_link_at(int dir, const char *name)
{
	struct stat st;
	return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/*
 * Open the directory at the first len bytes of key (a path below the root,
 * "" for the root itself), one segment at a time, never following a
 * symbolic link; with create, make the directories that are missing.
 * Returns a descriptor, or -1 with errno set: ELOOP when a segment is a
 * symbolic link, and *bad (when not NULL) the length of key's prefix that
 * names the segment that failed.
 */
static int open_dir(const file_backend *fb, const char *key, size_t len, bool create,
		    size_t *bad)
{
	char seg[NAME_MAX + 1];
	/* A fresh open, not a dup: a listing reads the directory from its
	 * own offset. */
	int fd = openat(fb->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (size_t at = 0; fd >= 0 && at < len;) {
		size_t n = strcspn(key + at, "/");
		if (n > len - at)
			n = len - at;
		if (bad)
			*bad = at + n;
		if (n > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(seg, key + at, n);
		seg[n] = '\0';
		int next = openat(fd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			/* EEXIST: made by a racing writer meanwhile */
			if (mkdirat(fd, seg, 0700) == 0 || errno == EEXIST)
				next = openat(fd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int err = errno;
			/* O_NOFOLLOW with O_DIRECTORY may say either */
			if ((err == ELOOP || err == ENOTDIR) && is_link_at(fd, seg))
				err = ELOOP;
			close(fd);
			errno = err;
			return -1;
		}
		close(fd);
		fd = next;
		at += n + 1;
	}
	return fd;
}

/* The directory part of the first len bytes of key: the length before
 * their last '/' (0: none). */
static size_t dir_len_n(const char *key, size_t len)
{
	while (len > 0 && key[len - 1] != '/')
		len--;
	return len > 0 ? len - 1 : 0;
}

static size_t dir_len(const char *key)
{
	return dir_len_n(key, strlen(key));
}

/* Record why the walk to the key of uri failed (errno err, at the first
 * bad bytes of key). When finding an object (read, stat, delete), one
 * that is absent or behind a link is CACHET_ENOTFOUND. */
static int walk_error(const file_backend *fb, const char *verb, const char *uri, const char *key,
		      size_t bad, int err, bool finding)
{
	const char *why = "is a symbolic link, which the store does not follow";

	if (err == ELOOP && finding)
		return cachet__error(CACHET_ENOTFOUND, "no object at '%s': '%s/%.*s' %s", uri,
				     root_path(fb), (int)bad, key, why);
	if (err == ELOOP)
		return cachet__error(CACHET_EIO, "cannot %s '%s': '%s/%.*s' %s", verb, uri,
				     root_path(fb), (int)bad, key, why);
	if (finding && (err == ENOENT || err == ENOTDIR))
		return cachet__error(CACHET_ENOTFOUND, "no object at '%s'", uri);
	return io_error(verb, uri, err);
}

/* ---- writing ---- */

static void writer_free(file_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0) {
		close(w->fd);
		unlinkat(w->dir_fd, w->tmp, 0);
	}
	if (w->dir_fd >= 0)
		close(w->dir_fd);
	cachet__free(w->uri);
	cachet__free(w->name);
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

static int file_splice(cachet_store_writer *base, int in, size_t max, size_t *n)
{
	file_writer *w = (file_writer *)base;

	*n = 0;
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
			return CACHET_STORE_SPLICE_DECLINED;
	}
	written(w, *n);
	return 0;
}

static int file_commit(cachet_store_writer *base)
{
	file_writer *w = (file_writer *)base;
	int rc = 0, fd = w->fd;

	w->fd = -1; /* from here on, this function closes it */
	/* fsync reports what delayed writes could not store (ENOSPC, EIO);
	 * close may too, on some filesystems. */
	if (fsync(fd) < 0) {
		rc = io_error("write", w->uri, errno);
		close(fd);
		unlinkat(w->dir_fd, w->tmp, 0);
		goto done;
	}
	if (close(fd) < 0) {
		rc = io_error("write", w->uri, errno);
		unlinkat(w->dir_fd, w->tmp, 0);
		goto done;
	}
	/* renameat replaces whatever has the name, a link included, without
	 * following it. */
	if (renameat(w->dir_fd, w->tmp, w->dir_fd, w->name) < 0) {
		rc = io_error("write", w->uri, errno);
		unlinkat(w->dir_fd, w->tmp, 0);
		goto done;
	}
	/* The rename is durable once the directory is. Some filesystems
	 * cannot fsync a directory (EINVAL); there is nothing more to do. */
	if (fsync(w->dir_fd) < 0 && errno != EINVAL) {
		/* Not known to be durable: a failed commit leaves nothing. */
		rc = io_error("write", w->uri, errno);
		unlinkat(w->dir_fd, w->name, 0);
	}
done:
	writer_free(w);
	return rc;
}

static void file_abort(cachet_store_writer *base)
{
	writer_free((file_writer *)base);
}

/* The temporary name for the object called name: ".<name>.tmp-<hex>",
 * the name shortened when it would not fit NAME_MAX. */
static char *temp_name(const char *name)
{
	size_t namelen = strlen(name);
	const size_t extra = 1 + 5 + CACHET__TEMP_HEX; /* "." ".tmp-" hex */
	char hex[CACHET__TEMP_HEX + 1];
	cachet_buf b = CACHET_BUF_INIT;

	if (namelen + extra > NAME_MAX)
		namelen = NAME_MAX - extra;
	if (cachet__random_hex(hex, CACHET__TEMP_HEX / 2) < 0)
		return NULL;
	if (cachet__buf_putc(&b, '.') < 0 || cachet__buf_put(&b, name, namelen) < 0 ||
	    cachet__buf_puts(&b, ".tmp-") < 0 || cachet__buf_puts(&b, hex) < 0) {
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
	const char *key;
	size_t dlen, bad = 0;
	int rc;

	(void)size_hint;
	*out = NULL;
	if ((rc = check(fb, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	key = key_of(fb, uri);
	dlen = dir_len(key);
	if ((w = cachet__calloc(1, sizeof *w)) == NULL)
		return CACHET_ENOMEM;
	w->fd = -1;
	w->dir_fd = -1;
	w->base = (cachet_store_writer){CACHET_STORE_BACKEND_VERSION, file_write, file_commit,
					file_abort, file_splice};
	if ((w->uri = cachet__strdup(uri)) == NULL ||
	    (w->name = cachet__strdup(cachet__basename(key))) == NULL ||
	    (w->tmp = temp_name(w->name)) == NULL) {
		rc = cachet_error_last()->code;
		goto fail;
	}
	/* A delete removes the directories it empties, and may do so between
	 * our mkdir and our create: try again a few times then. */
	for (int attempt = 0;; attempt++) {
		int err;
		w->dir_fd = open_dir(fb, key, dlen, true, &bad);
		if (w->dir_fd >= 0) {
			w->fd = openat(w->dir_fd, w->tmp,
				       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
				       0600);
			if (w->fd >= 0)
				break;
			err = errno;
			close(w->dir_fd);
			w->dir_fd = -1;
		} else {
			err = errno;
		}
		if (err != ENOENT || attempt == RACING_DELETE_TRIES) {
			rc = walk_error(fb, "write", uri, key, bad, err, false);
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

/* Open the directory of the object at uri (checked) to find the object in
 * it: its descriptor, or a recorded error (CACHET_ENOTFOUND when it is
 * absent or behind a link). */
static int open_dir_of(int *dir, const file_backend *fb, const char *verb, const char *uri)
{
	const char *key = key_of(fb, uri);
	size_t bad = 0;

	*dir = open_dir(fb, key, dir_len(key), false, &bad);
	return *dir >= 0 ? 0 : walk_error(fb, verb, uri, key, bad, errno, true);
}

static int file_open_reader(cachet_store_reader **out, cachet_store_backend *b,
			    const char *uri)
{
	file_backend *fb = (file_backend *)b;
	file_reader *r;
	struct stat st;
	int rc, dir;

	*out = NULL;
	if ((rc = check(fb, uri, CACHET__URI_OBJECT)) < 0)
		return rc;
	if ((r = cachet__calloc(1, sizeof *r)) == NULL)
		return CACHET_ENOMEM;
	r->fd = -1;
	r->base = (cachet_store_reader){CACHET_STORE_BACKEND_VERSION, file_read, file_close};
	if ((r->uri = cachet__strdup(uri)) == NULL) {
		file_close(&r->base);
		return CACHET_ENOMEM;
	}
	if ((rc = open_dir_of(&dir, fb, "read", uri)) < 0) {
		file_close(&r->base);
		return rc;
	}
	/* O_NONBLOCK: never hang on a FIFO someone put in the store. */
	r->fd = openat(dir, cachet__basename(uri),
		       O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (r->fd < 0) {
		int err = errno;
		rc = err == ELOOP ? walk_error(fb, "read", uri, key_of(fb, uri),
					       strlen(key_of(fb, uri)), err, true)
		     : err == ENOENT || err == ENOTDIR ? not_found(uri)
						       : io_error("read", uri, err);
	} else if (fstat(r->fd, &st) < 0) {
		rc = io_error("read", uri, errno);
	} else if (!S_ISREG(st.st_mode)) {
		rc = not_found(uri); /* a directory is a prefix, not an object */
	}
	close(dir);
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
	int rc, dir, err;

	memset(out, 0, sizeof *out);
	if ((rc = check(fb, uri, CACHET__URI_OBJECT)) < 0 ||
	    (rc = open_dir_of(&dir, fb, "stat", uri)) < 0)
		return rc;
	rc = fstatat(dir, cachet__basename(uri), &st, AT_SYMLINK_NOFOLLOW);
	err = errno;
	close(dir);
	if (rc < 0)
		return err == ENOENT || err == ENOTDIR ? not_found(uri) : io_error("stat", uri, err);
	if (S_ISLNK(st.st_mode))
		return walk_error(fb, "stat", uri, key_of(fb, uri), strlen(key_of(fb, uri)), ELOOP,
				  true);
	if (!S_ISREG(st.st_mode))
		return not_found(uri);
	stat_of(out, &st);
	return 0;
}

/* ---- walking (list and cleanup) ---- */

/* What to do with each regular file found under a directory: dir is the
 * directory's descriptor, path holds the file's path (for URIs and
 * messages). Return non-zero to stop. */
typedef int (*visit_fn)(int dir, cachet_buf *path, const struct stat *st, const char *name,
			void *payload);

/*
 * Visit the regular files under the directory dir (whose path is in path)
 * whose names at this level start with first (NULL: any), depth first.
 * Takes dir over and closes it. Symbolic links are neither followed nor
 * visited. A directory that vanished meanwhile is empty.
 */
static int walk(int dir, cachet_buf *path, const char *first, visit_fn fn, void *payload)
{
	DIR *d = fdopendir(dir);
	size_t base = path->len;
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		int err = errno;
		close(dir);
		return io_error("list", path->ptr, err);
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
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed since readdir */
			rc = io_error("list", path->ptr, errno);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			/* O_NOFOLLOW: it may have been swapped for a link since */
			int sub = openat(dirfd(d), name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rc = walk(sub, path, NULL, fn, payload);
			else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
				rc = io_error("list", path->ptr, errno);
		} else if (S_ISREG(st.st_mode)) {
			rc = fn(dirfd(d), path, &st, name, payload);
		}
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

static int list_visit(int dir, cachet_buf *path, const struct stat *st, const char *name,
		      void *payload)
{
	struct list_state *ls = payload;
	cachet_store_stat ss;
	int rc;

	(void)dir;
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
	int rc, dir;

	if ((rc = check(fb, prefix, CACHET__URI_PREFIX)) < 0)
		return rc;
	/* The key's complete segments name a directory to walk; its last,
	 * partial segment filters the names at that directory's level. */
	const char *key = prefix + strlen(fb->root_uri) + (prefix[strlen(fb->root_uri)] == '/');
	size_t dlen = dir_len(key);
	const char *partial = key + dlen + (key[dlen] == '/');
	if ((dir = open_dir(fb, key, dlen, false, NULL)) < 0) {
		/* Nothing there, or a link the store does not follow: an
		 * empty listing, as a prefix with nothing under it. */
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
			       ? 0
			       : io_error("list", prefix, errno);
	}
	if ((rc = cachet__buf_puts(&path, root_path(fb))) < 0 ||
	    (dlen && ((rc = cachet__buf_putc(&path, '/')) < 0 ||
		      (rc = cachet__buf_put(&path, key, dlen)) < 0))) {
		close(dir);
		goto done;
	}
	rc = walk(dir, &path, *partial ? partial : NULL, list_visit, &ls);
done:
	cachet__buf_dispose(&path);
	cachet__buf_dispose(&ls.uri);
	return rc;
}

/* ---- deleting ---- */

static int file_delete(cachet_store_backend *b, const char *uri)
{
	file_backend *fb = (file_backend *)b;
	const char *key = key_of(fb, uri);
	struct stat st;
	int rc, dir;

	if ((rc = check(fb, uri, CACHET__URI_OBJECT)) < 0 ||
	    (rc = open_dir_of(&dir, fb, "delete", uri)) < 0)
		return rc;
	const char *name = cachet__basename(key);
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int err = errno;
		close(dir);
		return err == ENOENT || err == ENOTDIR ? not_found(uri) : io_error("delete", uri, err);
	}
	/* Only objects: a directory is a prefix, and a link is not the
	 * store's (it creates none). */
	if (!S_ISREG(st.st_mode)) {
		close(dir);
		return not_found(uri);
	}
	rc = unlinkat(dir, name, 0);
	int err = errno;
	close(dir);
	if (rc < 0)
		return err == ENOENT ? not_found(uri) : io_error("delete", uri, err);
	/* Remove the directories the delete left empty, deepest first, so
	 * that a prefix with no objects left has no directory either (as in
	 * S3). The removal fails harmlessly on a directory that is not
	 * empty, and stops there. */
	for (size_t len = dir_len(key); len > 0; len = dir_len_n(key, len)) {
		size_t parent = dir_len_n(key, len);
		char seg[NAME_MAX + 1];
		size_t start = parent ? parent + 1 : 0;
		if (len - start > NAME_MAX)
			break;
		memcpy(seg, key + start, len - start);
		seg[len - start] = '\0';
		if ((dir = open_dir(fb, key, parent, false, NULL)) < 0)
			break;
		rc = unlinkat(dir, seg, AT_REMOVEDIR);
		close(dir);
		if (rc < 0)
			break;
	}
	return 0;
}

/* ---- cleanup ---- */

struct cleanup_state {
	time_t cutoff;
	size_t removed;
};

static int cleanup_visit(int dir, cachet_buf *path, const struct stat *st, const char *name,
			 void *payload)
{
	struct cleanup_state *cs = payload;

	if (!cachet__is_temp_name(name, strlen(name)) || st->st_mtim.tv_sec > cs->cutoff)
		return 0;
	if (unlinkat(dir, name, 0) < 0) {
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
	int rc, dir;

	if (removed)
		*removed = 0;
	if ((dir = open_dir(fb, "", 0, false, NULL)) < 0)
		return io_error("clean up", fb->root_uri, errno);
	if ((rc = cachet__buf_puts(&path, root_path(fb))) == 0)
		rc = walk(dir, &path, NULL, cleanup_visit, &cs);
	else
		close(dir);
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
	if (fb->root_fd >= 0)
		close(fb->root_fd);
	cachet__free(fb->root_uri);
	cachet__free(fb);
}

int cachet_store_backend_file_new(cachet_store_backend **out, const char *root_dir)
{
	file_backend *fb = NULL;
	char *real = NULL, *canon = NULL;
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
	fb->root_fd = -1;
	if ((fb->root_uri = cachet__path_join(FILE_SCHEME, 0, real)) == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	/* Every URI is checked against the root's text: a root whose own
	 * spelling is not canonical could hold no object. */
	rc = cachet__uri_canonical(&canon, fb->root_uri, CACHET__URI_PREFIX);
	if (rc == CACHET_ENOMEM)
		goto done;
	if (rc < 0 || strcmp(canon, fb->root_uri) != 0) {
		rc = cachet__error(CACHET_EINVALID,
				   "store directory '%s' cannot be a store: its path has no "
				   "canonical file URI",
				   real);
		goto done;
	}
	if ((fb->root_fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = cachet__error(errno == ENOMEM ? CACHET_ENOMEM : CACHET_EIO,
				   "cannot open store directory '%s': %s", real,
				   cachet__strerror(errno));
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
	cachet__free(canon);
	file_free(fb ? &fb->base : NULL);
	return rc;
}
