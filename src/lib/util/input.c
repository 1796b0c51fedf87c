/*
 * The input limit and the bounded reader of whole inputs.
 *
 * The limit in force is read on every use (an atomic load and, unless set
 * by the program, one getenv), so that it never goes stale and needs no
 * initialisation.
 */
#include "util/input.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENV_NAME "CACHET_MAX_INPUT"

/* The first read of a stream of unknown size; it then doubles. */
#define FIRST_CHUNK ((size_t)64 << 10)

static _Atomic size_t set_limit; /* 0: not set by the program */

void cachet_set_max_input(size_t bytes)
{
	atomic_store(&set_limit, bytes);
}

/* "512M" and the like: bytes, or a number with K, M, G or T (powers of
 * 1024), optionally followed by "iB" or "B". At least one byte. */
static bool parse_size(const char *text, size_t *out)
{
	static const char units[] = "KMGT";
	size_t n = 0;
	const char *p = text;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');
		if (n > (SIZE_MAX - digit) / 10)
			return false;
		n = n * 10 + digit;
	}
	if (*p != '\0') {
		const char *unit = strchr(units, *p >= 'a' ? *p - 'a' + 'A' : *p);
		if (unit == NULL)
			return false;
		for (const char *u = units; u <= unit; u++) {
			if (n > SIZE_MAX / 1024)
				return false;
			n *= 1024;
		}
		p++;
		if (strcmp(p, "iB") == 0 || strcmp(p, "B") == 0)
			p += strlen(p);
	}
	if (*p != '\0' || n == 0)
		return false;
	*out = n;
	return true;
}

int cachet_max_input(size_t *out)
{
	size_t limit = atomic_load(&set_limit);
	const char *env;

	if (limit == 0 && (env = getenv(ENV_NAME)) != NULL && *env != '\0') {
		if (!parse_size(env, &limit))
			return cachet__error(CACHET_EINVALID,
					     "%s='%s' is not a size: give bytes, or a number "
					     "with K, M or G (like 512M)",
					     ENV_NAME, env);
	}
	*out = limit ? limit : CACHET_MAX_INPUT_DEFAULT;
	return 0;
}

/* The limit as people write it: "256 MiB", "1 GiB", "100 bytes". */
static void limit_text(char *dst, size_t size, size_t limit)
{
	static const char *const units[] = {"TiB", "GiB", "MiB", "KiB"};
	for (int i = 0; i < 4; i++) {
		size_t unit = (size_t)1 << (10 * (4 - i));
		if (limit % unit == 0) {
			snprintf(dst, size, "%zu %s", limit / unit, units[i]);
			return;
		}
	}
	snprintf(dst, size, "%zu byte%s", limit, limit == 1 ? "" : "s");
}

/* "<doing>: larger than the input limit of ...", doing NULL for none. */
static int too_big(const char *doing, size_t limit)
{
	char text[64];
	limit_text(text, sizeof text, limit);
	return cachet__error(CACHET_ETOOBIG,
			     "%s%slarger than the input limit of %s (set " ENV_NAME
			     " to raise it)",
			     doing ? doing : "", doing ? ": " : "", text);
}

int cachet__input_check(size_t len)
{
	size_t limit;
	int rc = cachet_max_input(&limit);

	if (rc < 0)
		return rc;
	return len > limit ? too_big(NULL, limit) : 0;
}

/* Read into buf[used..cap) until EOF or full; -1 with errno on failure. */
static ssize_t read_into(int fd, char *buf, size_t used, size_t cap)
{
	size_t start = used;

	while (used < cap) {
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		used += (size_t)n;
	}
	return (ssize_t)(used - start);
}

int cachet_read_input(char **out, size_t *len, int fd, const char *name)
{
	char doing[512];
	size_t limit, used = 0, cap;
	char *buf = NULL;
	struct stat st;
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = cachet_max_input(&limit)) < 0)
		return rc;
	if (limit > SIZE_MAX / 4)
		limit = SIZE_MAX / 4; /* no memory holds more; keeps cap + 2 in range */
	snprintf(doing, sizeof doing, "cannot read '%s'", name ? name : "input");
	/*
	 * A regular file says its size: refuse it at once, or read it into a
	 * buffer of its size plus one byte, which shows whether it grew.
	 * Anything else (and a file that says 0, as those of /proc do) grows
	 * by doubling, never past one byte beyond the limit, which is enough
	 * to know the limit was passed.
	 */
	cap = FIRST_CHUNK < limit ? FIRST_CHUNK : limit + 1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t here = lseek(fd, 0, SEEK_CUR);
		size_t left = here >= 0 && here < st.st_size ? (size_t)(st.st_size - here) : 0;
		if (left > limit)
			return too_big(doing, limit);
		if (left > 0)
			cap = left + 1;
	}
	for (;;) {
		if (used == cap) {
			if (cap > limit) {
				rc = too_big(doing, limit);
				goto done;
			}
			cap = cap <= limit / 2 ? cap * 2 : limit + 1;
		}
		char *grown = cachet__realloc(buf, cap + 1);
		if (grown == NULL) {
			rc = CACHET_ENOMEM;
			goto done;
		}
		buf = grown;
		ssize_t n = read_into(fd, buf, used, cap);
		if (n < 0) {
			rc = cachet__error(CACHET_EIO, "%s: %s", doing, cachet__strerror(errno));
			goto done;
		}
		used += (size_t)n;
		if (used < cap)
			break; /* end of input */
	}
	buf[used] = '\0';
	/* give back what doubling left unused, as the decoder's peak comes
	 * next (plain realloc: a shrink that fails is no failure) */
	if (cap - used > FIRST_CHUNK) {
		char *fitted = realloc(buf, used + 1);
		if (fitted != NULL)
			buf = fitted;
	}
	*out = buf;
	*len = used;
	buf = NULL;
done:
	cachet__free(buf);
	return rc;
}

int cachet__read_input_path(char **out, size_t *len, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return cachet__error(errno == ENOENT ? CACHET_ENOTFOUND : CACHET_EIO,
				     "cannot open '%s': %s", path, cachet__strerror(errno));
	int rc = cachet_read_input(out, len, fd, path);
	close(fd);
	return rc;
}
