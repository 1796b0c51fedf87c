/*
 * Small helpers of the engine: clocks, whole-file reads and atomic
 * writes, removing trees, names.
 */
#include "engine/internal.h"

#include "store/fs.h"
#include "util/alloc.h"
#include "util/input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t cachet__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cachet__monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

const char *cachet__file_uri_path(const char *uri)
{
	if (uri && !strncmp(uri, "file:///", 8))
		return uri + 7;
	return NULL;
}

int cachet__strv_copy(char ***out, size_t *n, const char *const *src, size_t count)
{
	char **v;

	*out = NULL;
	*n = 0;
	if (!count)
		return 0;
	if (!(v = cachet__calloc(count + 1, sizeof *v)))
		return CACHET_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		if (!(v[i] = cachet__strdup(src[i] ? src[i] : ""))) {
			cachet__strv_free(v, i);
			return CACHET_ENOMEM;
		}
	}
	*out = v;
	*n = count;
	return 0;
}

void cachet__strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		cachet__free(v[i]);
	cachet__free(v);
}
