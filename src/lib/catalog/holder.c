/*
 * Which process holds a reservation, and whether it still runs (holder.h).
 */
#include "catalog/holder.h"

#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct holder {
	long pid;
	unsigned long long start;
	char boot[64];
	unsigned long long pidns;
	const char *host; /* points into the parsed text */
} holder;

/* Read a small file whole into buf (NUL-terminated); false on failure. */
static bool read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t len = 0;
	ssize_t n = 0;
	while (len + 1 < size && (n = cachet__read_some(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return n >= 0;
}

/*
 * The state (field 3) and start time (field 22) of /proc/<pid>/stat. The
 * command name (field 2) is in parentheses and may hold spaces and
 * parentheses itself: fields are counted from the last ')'.
 */
static bool proc_stat(long pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if (!read_small(path, buf, sizeof buf))
		return false;
	char *p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1, " %c", state) != 1)
		return false;
	p += 2; /* ") " */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return false;
		p++;
	}
	char *end;
	errno = 0;
	*start = strtoull(p, &end, 10);
	return errno == 0 && end != p;
}

bool cachet__holder_self(char *buf)
{
	char boot[64], ns[64], host[128];
	unsigned long long start, pidns;
	char state;
	long pid = (long)getpid();

	buf[0] = '\0';
	if (!read_small("/proc/sys/kernel/random/boot_id", boot, sizeof boot) ||
	    !proc_stat(pid, &state, &start))
		return false;
	boot[strcspn(boot, "\n")] = '\0';
	/* The pid namespace: containers share the boot id, not their pids. */
	ssize_t n = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
	if (n <= 0)
		return false;
	ns[n] = '\0';
	if (sscanf(ns, "pid:[%llu]", &pidns) != 1)
		return false;
	if (gethostname(host, sizeof host) != 0)
		return false;
	host[sizeof host - 1] = '\0';
	int len = snprintf(buf, CACHET__HOLDER_MAX, "pid=%ld start=%llu boot=%s pidns=%llu host=%s",
			   pid, start, boot, pidns, host);
	if (len < 0 || len >= CACHET__HOLDER_MAX || boot[0] == '\0') {
		buf[0] = '\0';
		return false;
	}
	return true;
}

static bool parse(holder *h, const char *text)
{
	int host_at = -1;
	if (text == NULL ||
	    sscanf(text, "pid=%ld start=%llu boot=%63s pidns=%llu host=%n", &h->pid, &h->start,
		   h->boot, &h->pidns, &host_at) != 4 ||
	    host_at < 0 || h->pid <= 0 || h->pid > INT32_MAX)
		return false;
	h->host = text + host_at;
	return true;
}

bool cachet__holder_gone(const char *holder_text, const char *self_text)
{
	holder h, self;
	char state;
	unsigned long long start;

	if (!parse(&h, holder_text) || !parse(&self, self_text))
		return false;
	if (strcmp(h.boot, self.boot) != 0 || h.pidns != self.pidns ||
	    strcmp(h.host, self.host) != 0)
		return false; /* another machine, boot or container: cannot tell */
	if (h.pid == self.pid)
		return h.start != self.start; /* ours, or our pid's earlier owner */
	/* kill(0) sees processes that /proc may hide (hidepid). */
	if (kill((pid_t)h.pid, 0) < 0 && errno == ESRCH)
		return true;
	if (!proc_stat(h.pid, &state, &start))
		return false; /* there, but hidden from us: alive as far as we know */
	return start != h.start || state == 'Z' || state == 'X';
}
