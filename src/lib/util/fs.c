/*
 * Filesystem helpers: directory chains, randomness, fsync of
 * directories, and read/write loops.
 */
#include "util/fs.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/input.h"
#include "util/os.h"
#include "util/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

int cachet__mkdirs(const char *path, mode_t mode, size_t *failed)
{
	char buf[4096];
	size_t len = strlen(path);
	struct stat st;

	if (len == 0 || len >= sizeof buf) {
		errno = len ? ENAMETOOLONG : ENOENT;
		if (failed)
			*failed = len;
		return -1;
	}
	memcpy(buf, path, len + 1);
	/* Walk forward, creating each component; most calls find everything
	 * there, so try the whole path first. */
	if (stat(buf, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = EEXIST;
		if (failed)
			*failed = len;
		return -1;
	}
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i - 1] == '/')
			continue; /* "a//b" */
		char saved = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, mode) < 0) {
			int err = errno;
			/* EEXIST is fine when it is a directory (made by us
			 * earlier, or by someone racing us). One that is gone
			 * again by the time we look was removed by a racing
			 * delete: ENOENT, which callers may retry. */
			if (err == EEXIST && stat(buf, &st) < 0)
				err = errno;
			else if (err == EEXIST && S_ISDIR(st.st_mode))
				err = 0;
			if (err != 0) {
				errno = err;
				if (failed)
					*failed = i;
				return -1;
			}
		}
		buf[i] = saved;
	}
	return 0;
}

int cachet__random_hex(char *out, size_t n)
{
	unsigned char bytes[64];

	if (n > sizeof bytes)
		return cachet__error(CACHET_EINVALID, "too many random bytes asked for");
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(bytes + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return cachet__error(CACHET_EIO, "cannot get random bytes: %s",
					     cachet__strerror(errno));
		}
		got += (size_t)r;
	}
	cachet__hex(out, bytes, n);
	return 0;
}

int cachet__fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int err = errno;
	close(fd);
	/* Some filesystems cannot fsync a directory (EINVAL); there is
	 * nothing more to do there. */
	if (rc < 0 && err != EINVAL) {
		errno = err;
		return -1;
	}
	return 0;
}

ssize_t cachet__read_some(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0 || errno != EINTR)
			return n;
	}
}

int cachet__write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) { /* cannot happen for regular files; do not spin */
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

char *cachet__path_join(const char *a, char sep, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = cachet__malloc(la + lb + 2);

	if (s == NULL)
		return NULL;
	memcpy(s, a, la);
	if (sep)
		s[la++] = sep;
	memcpy(s + la, b, lb + 1);
	return s;
}

const char *cachet__basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int cachet__write_file_atomic(const char *path, const void *data, size_t len)
{
	char hex[17];
	char *tmp = NULL, *dir = NULL, *slash;
	int fd = -1, rc;

	if ((rc = cachet__random_hex(hex, 8)) < 0)
		return rc;
	tmp = cachet__malloc(strlen(path) + 32);
	if (!tmp)
		return CACHET_ENOMEM;
	sprintf(tmp, "%s.tmp-%s", path, hex);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = cachet__error(CACHET_EIO, "cannot create '%s': %s", tmp, cachet__strerror(errno));
		goto done;
	}
	if (cachet__write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot write '%s': %s", tmp, cachet__strerror(errno));
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = cachet__error(CACHET_EIO, "cannot write '%s': %s", tmp, cachet__strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
				   cachet__strerror(errno));
		goto done;
	}
	/* the rename is durable once the directory is */
	if ((dir = cachet__strdup(path)) && (slash = strrchr(dir, '/'))) {
		*slash = '\0';
		(void)cachet__fsync_dir(*dir ? dir : "/");
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	cachet__free(dir);
	cachet__free(tmp);
	return rc;
}

int cachet__read_file(char **out, size_t *len, const char *path, size_t max)
{
	cachet_buf b = CACHET_BUF_INIT;
	char chunk[65536];
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cachet__error(errno == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				     "cannot open '%s': %s", path, cachet__strerror(errno));
	for (;;) {
		ssize_t got = cachet__read_some(fd, chunk, sizeof chunk);
		if (got < 0) {
			rc = cachet__error(CACHET_EIO, "cannot read '%s': %s", path,
					   cachet__strerror(errno));
			goto done;
		}
		if (got == 0)
			break;
		if ((rc = cachet__input_check(b.len + (size_t)got)) < 0) {
			cachet__error_prefix("cannot read '%s'", path);
			goto done;
		}
		if (b.len + (size_t)got > max) {
			rc = cachet__error(CACHET_EINVALID, "'%s' is larger than %zu bytes", path,
					   max);
			goto done;
		}
		if ((rc = cachet__buf_put(&b, chunk, (size_t)got)) < 0)
			goto done;
	}
	if (!(*out = cachet__buf_detach(&b, len)))
		rc = CACHET_ENOMEM;
done:
	close(fd);
	cachet__buf_dispose(&b);
	return rc;
}

static int remove_at(int parent, const char *name)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int fd, rc = 0;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (remove_at(dirfd(d), e->d_name) < 0)
			rc = -1;
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

int cachet__remove_tree_at(int dirfd, const char *name, const char *path)
{
	if (remove_at(dirfd, name) < 0)
		return cachet__error(CACHET_EIO, "cannot remove '%s': %s", path,
				     cachet__strerror(errno));
	return 0;
}

int cachet__remove_tree(const char *path)
{
	return cachet__remove_tree_at(AT_FDCWD, path, path);
}
