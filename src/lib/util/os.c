/*
 * How the operating system's answers read in messages: error text, file
 * kinds, and paths made printable.
 */
#include "util/os.h"

#include "util/utf8.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

/* Append s[0..len) to out at *at, escaping what is not printable UTF-8. */
static void show_append(char *out, size_t *at, const char *s, size_t len)
{
	size_t i = 0;

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
	show_append(out, &at, root, strlen(root));
	if (rel != NULL) {
		if (at == 0 || out[at - 1] != '/')
			show_append(out, &at, "/", 1);
		show_append(out, &at, rel, strlen(rel));
	}
	return out;
}

const char *cachet__bytes_show(char out[CACHET__SHOW_MAX], const char *s, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	show_append(out, &at, s ? s : "", s ? len : 0);
	return out;
}

const char *cachet__strerror(int err)
{
	static _Thread_local char buf[128];
	return cachet__os_reason(err, buf, sizeof buf);
}
