/*
 * The cachet home: which directory it is, and its layout.
 */
#include "cachet/home.h"

#include "util/os.h"
#include "util/fs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/private.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * path made absolute (from the current directory when relative), with
 * "//", "/./" and trailing '/' tidied away. ".." is kept: resolving it
 * lexically would be wrong across symbolic links.
 */
static int absolute(char **out, const char *path, const char *what)
{
	cachet_buf b = CACHET_BUF_INIT;
	char cwd[PATH_MAX];
	int rc;

	*out = NULL;
	if (path[0] != '/') {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return cachet__error(CACHET_EINVALID,
					     "cannot make %s '%s' absolute: %s", what, path,
					     cachet__strerror(errno));
		if ((rc = cachet__buf_puts(&b, cwd)) < 0)
			goto done;
	}
	for (const char *p = path; *p != '\0';) {
		size_t n = strcspn(p, "/");
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if ((rc = cachet__buf_putc(&b, '/')) < 0 ||
			    (rc = cachet__buf_put(&b, p, n)) < 0)
				goto done;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (b.len == 0 && (rc = cachet__buf_putc(&b, '/')) < 0)
		goto done;
	*out = cachet__buf_detach(&b, NULL);
	rc = *out ? 0 : CACHET_ENOMEM;
done:
	cachet__buf_dispose(&b);
	return rc;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int cachet_home_resolve(char **out, const char *explicit_dir)
{
	const char *v;
	char *base = NULL;
	int rc;

	*out = NULL;
	if (explicit_dir != NULL && *explicit_dir != '\0')
		return absolute(out, explicit_dir, "home directory");
	if ((v = env("CACHET_HOME")) != NULL)
		return absolute(out, v, "$CACHET_HOME");
	if ((v = env("XDG_CACHE_HOME")) != NULL && v[0] == '/') {
		base = cachet__path_join(v, '/', "cachet");
	} else if ((v = env("HOME")) != NULL) {
		base = cachet__path_join(v, '/', ".cache/cachet");
	} else {
		return cachet__error(CACHET_EINVALID,
				     "cannot find the cachet home: neither CACHET_HOME, "
				     "XDG_CACHE_HOME nor HOME is set (use --home)");
	}
	if (base == NULL)
		return CACHET_ENOMEM;
	rc = absolute(out, base, "home directory");
	cachet__free(base);
	return rc;
}

/* "<home>/<rel>", without doubling a '/' that ends home ("/" as home). */
static int home_path(char **out, const char *home, const char *rel)
{
	size_t n = strlen(home);
	*out = cachet__path_join(home, n > 0 && home[n - 1] == '/' ? 0 : '/', rel);
	return *out ? 0 : CACHET_ENOMEM;
}

static int ensure_dir(const char *path)
{
	size_t failed = 0;

	if (cachet__mkdirs(path, 0700, &failed) == 0)
		return 0;
	int err = errno;
	char *part = cachet__strndup(path, failed);
	if (part == NULL)
		return CACHET_ENOMEM;
	int rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", part,
			       cachet__strerror(err));
	cachet__free(part);
	return rc;
}

/*
 * Make sure the directory path exists and can be trusted: an existing one
 * (or a symbolic link to one) is judged as it is, a missing one is created
 * and judged then, so that a directory someone made in its place between
 * the two is caught too.
 */
static int ensure_private_dir(const char *path, const char *what)
{
	struct stat st;
	int rc;

	if (lstat(path, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))) {
		if ((rc = cachet__private_check(path, what, CACHET__PRIVATE_DIR)) != 0)
			return rc < 0 ? rc : 0;
	}
	if ((rc = ensure_dir(path)) < 0)
		return rc;
	rc = cachet__private_check(path, what, CACHET__PRIVATE_DIR);
	if (rc == 0) /* removed again at once */
		rc = cachet__error(CACHET_EIO, "cannot create directory '%s': %s", path,
				   cachet__strerror(ENOENT));
	return rc < 0 ? rc : 0;
}

int cachet_home_ensure(const char *home)
{
	static const struct {
		const char *name, *what;
		bool create;
	} subdirs[] = {
		{CACHET_HOME_STORE_DIR, "store directory", true},
		{CACHET_HOME_STATE_DIR, "state directory", true},
		{CACHET_HOME_RUNS_DIR, "runs directory", false}, /* made by the first run */
	};
	int rc;

	if (home == NULL || *home == '\0')
		return cachet__error(CACHET_EINVALID, "no cachet home directory given");
	if ((rc = ensure_private_dir(home, "cachet home")) < 0)
		return rc;
	for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		char *sub = NULL;
		if ((rc = home_path(&sub, home, subdirs[i].name)) < 0)
			return rc;
		if (subdirs[i].create)
			rc = ensure_private_dir(sub, subdirs[i].what);
		else
			rc = cachet__private_check(sub, subdirs[i].what, CACHET__PRIVATE_DIR);
		cachet__free(sub);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int cachet_home_store_dir(char **out, const char *home)
{
	return home_path(out, home, CACHET_HOME_STORE_DIR);
}

int cachet_home_stat_cache_path(char **out, const char *home)
{
	return home_path(out, home, CACHET_HOME_STAT_CACHE_FILE);
}

int cachet_home_catalog_path(char **out, const char *home)
{
	return home_path(out, home, CACHET_HOME_CATALOG_FILE);
}

int cachet_home_config_path(char **out, const char *home)
{
	return home_path(out, home, CACHET_HOME_CONFIG_FILE);
}

int cachet_home_runs_dir(char **out, const char *home)
{
	return home_path(out, home, CACHET_HOME_RUNS_DIR);
}
