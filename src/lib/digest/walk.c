/*
 * The directory walk: depth first, each directory's names sorted, one
 * lstat per name (fstatat against the open directory), symlinks resolved
 * with realpath and kept only when they stay inside.
 *
 * Loops: realpath reports a chain of links that never ends (ELOOP); a link
 * to a directory above it resolves fine, and is caught by comparing each
 * directory's (device, inode) with those of the directories above it.
 */
/* realpath is XSI */
#define _XOPEN_SOURCE 700

#include "digest/walk.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A directory being walked, and those above it. */
typedef struct ancestor {
	uint64_t dev, ino;
	const struct ancestor *up;
} ancestor;

typedef struct walk_ctx {
	cachet__walk *w;
	const char *show; /* the root as messages name it */
	size_t root_len;
} walk_ctx;

/* A name in a directory and what lstat said of it. */
typedef struct dir_name {
	char *name;
	struct stat st;
	int stat_errno; /* 0, or why fstatat failed */
} dir_name;

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const dir_name *)a)->name, ((const dir_name *)b)->name);
}

static void free_names(dir_name *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cachet__free(names[i].name);
	cachet__free(names);
}

/* "a/b" from "a" and "b" ("b" when dir is "", "/b" when it is "/"). */
static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *s;

	if (dl == 0)
		return cachet__strdup(name);
	if (dir[dl - 1] == '/') /* the root directory, "/" */
		dl--;
	if ((s = cachet__malloc(dl + 1 + nl + 1)) == NULL)
		return NULL;
	memcpy(s, dir, dl);
	s[dl] = '/';
	memcpy(s + dl + 1, name, nl + 1);
	return s;
}

/* Read the names of the directory at path, sorted, each lstat'ed. */
static int read_names(const char *path, const char *show, dir_name **out, size_t *count)
{
	char reason[128];
	dir_name *names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if ((d = opendir(path)) == NULL) {
		int e = errno;
		return cachet__error(e == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				     "cannot open directory '%s': %s", show,
				     cachet__os_reason(e, reason, sizeof(reason)));
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				rc = cachet__error(CACHET_EIO, "cannot read directory '%s': %s",
						   show,
						   cachet__os_reason(errno, reason, sizeof(reason)));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		dir_name *grown = cachet__grow(names, n, &cap, sizeof(*names), 16);
		if (grown == NULL) {
			rc = CACHET_ENOMEM;
			break;
		}
		names = grown;
		names[n].stat_errno = 0;
		if ((names[n].name = cachet__strdup(de->d_name)) == NULL) {
			rc = CACHET_ENOMEM;
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &names[n].st, AT_SYMLINK_NOFOLLOW) < 0)
			names[n].stat_errno = errno;
		n++;
	}
	closedir(d);
	if (rc < 0) {
		free_names(names, n);
		return rc;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	*out = names;
	*count = n;
	return 0;
}

static int add_file(cachet__walk *w, const char *rel, const char *path, const struct stat *st)
{
	cachet__walk_file *f;

	cachet__walk_file *grown = cachet__grow(w->files, w->n, &w->cap, sizeof(*grown), 64);
	if (grown == NULL)
		return CACHET_ENOMEM;
	w->files = grown;
	f = &w->files[w->n];
	f->rel = cachet__strdup(rel);
	f->path = cachet__strdup(path);
	if (f->rel == NULL || f->path == NULL) {
		cachet__free(f->rel);
		cachet__free(f->path);
		return CACHET_ENOMEM;
	}
	cachet__fstat_from(&f->st, st);
	w->n++;
	w->bytes += (uint64_t)st->st_size;
	return 0;
}

/* True when the real path p is the root or below it. */
static bool inside_root(const walk_ctx *c, const char *p)
{
	const char *root = c->w->root;

	if (c->root_len == 1) /* the root is "/" */
		return p[0] == '/';
	return strncmp(p, root, c->root_len) == 0 && (p[c->root_len] == '/' || p[c->root_len] == '\0');
}

/*
 * Follow the symlink at path (rel below the root): on success *target is
 * its real path (new string) and *st the target's stat.
 */
static int follow_link(const walk_ctx *c, const char *path, const char *rel, char **target,
		       struct stat *st)
{
	char show[CACHET__SHOW_MAX], reason[128];
	char *real;
	int rc = 0;

	*target = NULL;
	cachet__path_show(show, c->show, rel);
	if ((real = realpath(path, NULL)) == NULL) {
		int e = errno;
		if (e == ELOOP)
			return cachet__error(CACHET_EINVALID, "cannot hash '%s': symlink loop", show);
		if (e == ENOENT)
			return cachet__error(CACHET_EINVALID, "cannot hash '%s': dangling symlink",
					     show);
		if (e == ENOMEM)
			return cachet__error_oom();
		return cachet__error(CACHET_EIO, "cannot resolve symlink '%s': %s", show,
				     cachet__os_reason(e, reason, sizeof(reason)));
	}
	if (!inside_root(c, real)) {
		char to[CACHET__SHOW_MAX];
		rc = cachet__error(CACHET_EINVALID,
				   "cannot hash '%s': symlink leads out of '%s' (to '%s')", show,
				   c->show, cachet__path_show(to, real, NULL));
		goto done;
	}
	if (stat(real, st) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot stat '%s': %s", show,
				   cachet__os_reason(errno, reason, sizeof(reason)));
		goto done;
	}
	if ((*target = cachet__strdup(real)) == NULL)
		rc = CACHET_ENOMEM;
done:
	free(real); /* from realpath: libc's malloc */
	return rc;
}

static int walk(const walk_ctx *c, const char *dir_path, const char *rel_dir,
		const ancestor *up, int depth);

/* One name found in a directory. */
static int visit(const walk_ctx *c, const char *dir_path, const char *rel_dir,
		 const ancestor *up, int depth, dir_name *e)
{
	char show[CACHET__SHOW_MAX], reason[128];
	char *rel = NULL, *path = NULL, *target = NULL;
	struct stat st = e->st;
	int rc;

	if ((rel = join(rel_dir, e->name)) == NULL || (path = join(dir_path, e->name)) == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	cachet__path_show(show, c->show, rel);
	/* The relative path names an object in a store and enters the
	 * digest: it must be text. */
	if (!cachet__utf8_valid(e->name, strlen(e->name), NULL)) {
		rc = cachet__error(CACHET_EINVALID, "cannot hash '%s': the file name is not UTF-8",
				   show);
		goto done;
	}
	if (e->stat_errno != 0) {
		rc = cachet__error(e->stat_errno == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				   "cannot stat '%s': %s", show,
				   cachet__os_reason(e->stat_errno, reason, sizeof(reason)));
		goto done;
	}
	if (S_ISLNK(st.st_mode)) {
		if ((rc = follow_link(c, path, rel, &target, &st)) < 0)
			goto done;
	}
	const char *real = target ? target : path;
	if (S_ISREG(st.st_mode)) {
		rc = add_file(c->w, rel, real, &st);
	} else if (S_ISDIR(st.st_mode)) {
		for (const ancestor *a = up; a; a = a->up) {
			if (a->dev == (uint64_t)st.st_dev && a->ino == (uint64_t)st.st_ino) {
				rc = cachet__error(CACHET_EINVALID,
						   "cannot hash '%s': symlink loop (it leads back "
						   "to a directory above it)",
						   show);
				goto done;
			}
		}
		if (depth >= CACHET_MAX_DEPTH) {
			rc = cachet__error(CACHET_ETOODEEP,
					   "cannot hash '%s': directories nested deeper than %d",
					   show, CACHET_MAX_DEPTH);
			goto done;
		}
		ancestor me = {(uint64_t)st.st_dev, (uint64_t)st.st_ino, up};
		rc = walk(c, real, rel, &me, depth + 1);
	} else {
		rc = cachet__error(CACHET_EUNSUPPORTED, "cannot hash '%s': it is %s, not a regular file",
				   show, cachet__file_kind(st.st_mode));
	}
done:
	cachet__free(rel);
	cachet__free(path);
	cachet__free(target);
	return rc;
}

static int walk(const walk_ctx *c, const char *dir_path, const char *rel_dir,
		const ancestor *up, int depth)
{
	char show[CACHET__SHOW_MAX];
	dir_name *names;
	size_t n;
	int rc;

	cachet__path_show(show, c->show, rel_dir[0] ? rel_dir : NULL);
	if ((rc = read_names(dir_path, show, &names, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = visit(c, dir_path, rel_dir, up, depth, &names[i]);
	free_names(names, n);
	return rc;
}

int cachet__walk_dir(cachet__walk *w, const char *dir, const char *show)
{
	char shown[CACHET__SHOW_MAX], reason[128];
	struct stat st;
	char *real;
	int rc;

	*w = (cachet__walk)CACHET__WALK_INIT;
	cachet__path_show(shown, show, NULL);
	if ((real = realpath(dir, NULL)) == NULL) {
		int e = errno;
		if (e == ENOMEM)
			return cachet__error_oom();
		return cachet__error(e == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				     "cannot hash '%s': %s", shown,
				     cachet__os_reason(e, reason, sizeof(reason)));
	}
	w->root = cachet__strdup(real);
	free(real);
	if (w->root == NULL)
		return CACHET_ENOMEM;
	if (stat(w->root, &st) < 0) {
		rc = cachet__error(CACHET_EIO, "cannot stat '%s': %s", shown,
				   cachet__os_reason(errno, reason, sizeof(reason)));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = cachet__error(CACHET_EINVALID, "cannot hash '%s': not a directory", shown);
		goto fail;
	}
	walk_ctx c = {w, shown, strlen(w->root)};
	ancestor top = {(uint64_t)st.st_dev, (uint64_t)st.st_ino, NULL};
	if ((rc = walk(&c, w->root, "", &top, 0)) < 0)
		goto fail;
	return 0;
fail:
	cachet__walk_dispose(w);
	return rc;
}

void cachet__walk_dispose(cachet__walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		cachet__free(w->files[i].rel);
		cachet__free(w->files[i].path);
	}
	cachet__free(w->files);
	cachet__free(w->root);
	*w = (cachet__walk)CACHET__WALK_INIT;
}
