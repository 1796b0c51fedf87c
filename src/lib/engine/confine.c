/*
 * Keeping the engine inside a node's directory when it takes the node's
 * outputs. Validation keeps the names safe (names.c), but a task can still
 * plant symbolic links: turn out/ (or its node's directory) into a link to
 * somewhere else, or leave an output as a link. The engine reads, offloads
 * and removes an output only through out/ opened here, one component at a
 * time without following links, and follows an output that is a link only
 * when it leads inside the node's directory. So nothing outside the node's
 * directory is ever read as an output, stored, or removed.
 *
 * What a task's leftover background processes do while the engine works
 * is beyond this check: the store copies from a path.
 */
#define _DEFAULT_SOURCE /* realpath */

#include "engine/context.h"
#include "engine/run.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/os.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open directory name under dirfd, refusing a link; shown names it. */
static int open_dir_at(int *fd, int dirfd, const char *name, const char *shown)
{
	*fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT)
		return cachet__error(CACHET_ENOTFOUND, "'%s' is gone", shown);
	if (errno == ELOOP || errno == ENOTDIR)
		return cachet__error(CACHET_EINVALID,
				     "'%s' is no longer a directory (a symbolic link or a file "
				     "took its place): refused",
				     shown);
	return cachet__error(CACHET_EIO, "cannot open '%s': %s", shown, cachet__strerror(errno));
}

int cachet__out_dir_open(int *out_fd, const cachet_run *run, const run_node *n)
{
	/* from the run's directory (ours) down: nodes/<node>/out */
	const char *const parts[] = {"nodes", n->res.name, "out"};
	cachet_buf shown = CACHET_BUF_INIT;
	int fd, rc;

	*out_fd = -1;
	if ((rc = open_dir_at(&fd, AT_FDCWD, run->dir, run->dir)) < 0)
		return rc;
	if ((rc = cachet__buf_puts(&shown, run->dir)) < 0)
		goto done;
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		int next;
		if ((rc = cachet__buf_printf(&shown, "/%s", parts[i])) < 0)
			goto done;
		rc = open_dir_at(&next, fd, parts[i], shown.ptr);
		close(fd);
		fd = next;
		if (rc < 0)
			goto done;
	}
	*out_fd = fd;
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	cachet__buf_dispose(&shown);
	return rc;
}

/* Whether path lies strictly below dir (both resolved). */
static bool below(const char *path, const char *dir)
{
	size_t len = strlen(dir);
	return !strncmp(path, dir, len) && path[len] == '/' && path[len + 1];
}

int cachet__out_stat(struct stat *st, int out_fd, const run_node *n, const char *name,
		     const char *path)
{
	char *real = NULL, *dir = NULL;
	int rc = 0;

	if (fstatat(out_fd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return CACHET_ENOTFOUND; /* the caller says what was expected */
		return cachet__error(CACHET_EIO, "cannot read '%s': %s", path, cachet__strerror(errno));
	}
	if (!S_ISLNK(st->st_mode))
		return 0;
	/* out/ and the node's directory are not links (cachet__out_dir_open):
	 * resolving both compares like with like */
	if (!(real = realpath(path, NULL))) {
		rc = cachet__error(CACHET_EINVALID, "'%s' is a symbolic link that leads nowhere: %s",
				   path, cachet__strerror(errno));
		goto done;
	}
	if (!(dir = realpath(n->node_dir, NULL))) {
		rc = cachet__error(CACHET_EIO, "cannot resolve '%s': %s", n->node_dir,
				   cachet__strerror(errno));
		goto done;
	}
	if (!below(real, dir)) {
		rc = cachet__error(CACHET_EINVALID,
				   "'%s' is a symbolic link to '%s', outside the node's directory: "
				   "refused",
				   path, real);
		goto done;
	}
	if (stat(real, st) < 0)
		rc = cachet__error(CACHET_EIO, "cannot read '%s': %s", real, cachet__strerror(errno));
done:
	free(real); /* realpath's, not ours */
	free(dir);
	return rc;
}
