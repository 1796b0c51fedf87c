/*
 * Small shared helpers of the digest layer: stat comparison, the clock of
 * the racy-clean rule, names of file kinds, OS error text, paths shown in
 * messages, and the test hooks.
 */
#include "digest/internal.h"

#include "util/utf8.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static cachet__digest_hooks hooks;
static atomic_uint_fast64_t files_read;

void cachet__digest_set_hooks(const cachet__digest_hooks *h)
{
	if (h)
		hooks = *h;
	else
		memset(&hooks, 0, sizeof(hooks));
}

uint64_t cachet__digest_files_read(void)
{
	return atomic_load(&files_read);
}

void cachet__digest_count_read(const char *path)
{
	(void)path;
	atomic_fetch_add(&files_read, 1);
}

void cachet__digest_after_read(const char *path)
{
	if (hooks.after_read)
		hooks.after_read(path, hooks.after_read_arg);
}

void cachet__fstat_from(cachet__fstat *out, const struct stat *st)
{
	out->dev = (uint64_t)st->st_dev;
	out->ino = (uint64_t)st->st_ino;
	out->size = (int64_t)st->st_size;
	out->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	out->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

bool cachet__fstat_same(const cachet__fstat *a, const cachet__fstat *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

int64_t cachet__digest_now_ns(void)
{
	struct timespec ts;

	if (hooks.now_ns)
		return hooks.now_ns();
#ifdef CLOCK_REALTIME_COARSE
	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) == 0)
		return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
#endif
	/* Without the coarse clock, one second back is a margin wider than
	 * any file system's timestamp tick. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec - 1) * 1000000000 + ts.tv_nsec;
}

const char *cachet__file_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISLNK(mode))
		return "a symlink";
	return "a special file";
}

const char *cachet__os_reason(int errnum, char *buf, size_t size)
{
	/* the XSI strerror_r (_POSIX_C_SOURCE, no _GNU_SOURCE) */
	if (strerror_r(errnum, buf, size) != 0)
		snprintf(buf, size, "error %d", errnum);
	return buf;
}

/* Append s to out at *at, escaping what is not printable UTF-8. */
static void show_append(char *out, size_t *at, const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len && *at + 1 < CACHET__SHOW_MAX) {
		unsigned char c = (unsigned char)s[i];
		size_t n = 1;
		if (c >= 0x80) {
			/* the length of a valid sequence starting here, or 0 */
			n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
			if (n == 0 || i + n > len || !cachet__utf8_valid(s + i, n, NULL))
				n = 0;
		}
		if (n == 0 || c < 0x20 || c == 0x7F) {
			if (*at + 5 > CACHET__SHOW_MAX)
				break;
			snprintf(out + *at, 5, "\\x%02x", c);
			*at += 4;
			i++;
			continue;
		}
		if (*at + n + 1 > CACHET__SHOW_MAX)
			break;
		memcpy(out + *at, s + i, n);
		*at += n;
		i += n;
	}
	out[*at] = '\0';
}

const char *cachet__path_show(char out[CACHET__SHOW_MAX], const char *root, const char *rel)
{
	size_t at = 0;

	out[0] = '\0';
	show_append(out, &at, root);
	if (rel != NULL) {
		if (at == 0 || out[at - 1] != '/')
			show_append(out, &at, "/");
		show_append(out, &at, rel);
	}
	return out;
}
