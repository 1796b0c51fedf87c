/*
 * Filesystem helpers for the store: directory chains, randomness, fsync of
 * directories, and read/write loops.
 */
#include "store/fs.h"

#include "digest/internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/sha256.h"

#include <errno.h>
#include <fcntl.h>
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

