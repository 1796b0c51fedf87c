/*
 * The trust rule for the cachet home and the databases in it: owned by
 * the effective user (or root), writable by nobody else.
 */
#include "util/os.h"
#include "util/private.h"

#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool trusted_owner(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

static int cannot_examine(const char *path, const char *what, int err)
{
	return cachet__error(CACHET_EIO, "cannot examine %s '%s': %s", what, path,
			     cachet__strerror(err));
}

static int not_yours(const char *path, const char *what, const char *noun, uid_t uid, bool dir)
{
	return cachet__error(CACHET_EUNSAFE,
			     "cannot use %s '%s': %s is owned by uid %u, not by you (uid %u); "
			     "use one of your own, or if you trust it, make it yours with: "
			     "chown %s%u '%s'",
			     what, path, noun, (unsigned)uid, (unsigned)geteuid(), dir ? "-R " : "",
			     (unsigned)geteuid(), path);
}

int cachet__private_check(const char *path, const char *what, cachet__private_kind kind)
{
	bool dir = kind == CACHET__PRIVATE_DIR;
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : cannot_examine(path, what, errno);
	if (S_ISLNK(st.st_mode)) {
		/* Whoever owns a link decides where it leads. */
		if (!dir)
			return cachet__error(CACHET_EUNSAFE,
					     "cannot use %s '%s': it is a symbolic link; "
					     "cachet does not follow links to its files",
					     what, path);
		if (!trusted_owner(st.st_uid))
			return not_yours(path, what, "the symbolic link", st.st_uid, false);
		if (stat(path, &st) < 0)
			return errno == ENOENT ? 0 : cannot_examine(path, what, errno);
	}
	if (dir && !S_ISDIR(st.st_mode))
		return cachet__error(CACHET_EIO, "cannot use %s '%s': it is not a directory",
				     what, path);
	if (!dir && !S_ISREG(st.st_mode))
		return cachet__error(CACHET_EIO, "cannot use %s '%s': it is not a regular file",
				     what, path);
	if (!trusted_owner(st.st_uid))
		return not_yours(path, what, "it", st.st_uid, dir);
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		const char *who = (st.st_mode & S_IWGRP) && (st.st_mode & S_IWOTH) ? "group and others"
				  : (st.st_mode & S_IWGRP)			      ? "its group"
										      : "others";
		return cachet__error(CACHET_EUNSAFE,
				     "cannot use %s '%s': it is writable by %s (mode %04o); "
				     "fix it with: chmod %s '%s'",
				     what, path, who, (unsigned)(st.st_mode & 07777),
				     dir ? "700" : "600", path);
	}
	return 1;
}

int cachet__private_check_parent(const char *path, const char *what)
{
	const char *slash = strrchr(path, '/');
	char *parent;
	int rc;

	if (slash == NULL)
		parent = cachet__strdup(".");
	else if (slash == path)
		parent = cachet__strdup("/");
	else
		parent = cachet__strndup(path, (size_t)(slash - path));
	if (parent == NULL)
		return CACHET_ENOMEM;
	rc = cachet__private_check(parent, what, CACHET__PRIVATE_DIR);
	cachet__free(parent);
	return rc;
}

int cachet__private_create(const char *path, const char *what)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return errno == EEXIST ? 0
				       : cachet__error(CACHET_EIO, "cannot open %s '%s': %s", what,
						       path, cachet__strerror(errno));
	/* The umask can only take bits away; 0600 is what the owner needs. */
	int rc = fchmod(fd, 0600) == 0 ? 0
				       : cachet__error(CACHET_EIO, "cannot open %s '%s': %s", what,
						       path, cachet__strerror(errno));
	close(fd);
	return rc;
}
