/*
 * The hash command: posix_spawnp (fork and exec, without a shell, with the
 * exec failure reported back), two pipes read with poll until the command
 * closes them, and a deadline after which its process group is killed.
 */
#include "digest/command.h"

#include "digest/internal.h"
#include "util/clock.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define STDOUT_MAX (64 * 1024)  /* a hash is short; more is a mistake */
#define STDERR_KEEP 4096        /* the tail of stderr that is kept */
#define TAIL_SHOWN 300          /* bytes of that tail put in a message */

/* What the command wrote, as it arrives. */
typedef struct capture {
	cachet_buf out;
	bool out_overflow; /* more than STDOUT_MAX */
	bool out_nomem;    /* no memory to keep it */
	char err[2 * STDERR_KEEP];
	size_t err_len;
} capture;

static void keep_stderr(capture *c, const char *data, size_t n)
{
	if (n >= STDERR_KEEP) {
		memcpy(c->err, data + n - STDERR_KEEP, STDERR_KEEP);
		c->err_len = STDERR_KEEP;
		return;
	}
	if (c->err_len + n > sizeof(c->err)) {
		/* keep the last STDERR_KEEP bytes, then append */
		memmove(c->err, c->err + c->err_len - STDERR_KEEP, STDERR_KEEP);
		c->err_len = STDERR_KEEP;
	}
	memcpy(c->err + c->err_len, data, n);
	c->err_len += n;
}

/*
 * ": <the last lines of stderr>" for a message: one line (control
 * characters become spaces), at most TAIL_SHOWN bytes, starting on a
 * UTF-8 character; "" when stderr was empty.
 */
static void stderr_tail(const capture *c, char *out, size_t size)
{
	size_t end = c->err_len, start;
	char *p = out;

	out[0] = '\0';
	while (end > 0 && (unsigned char)c->err[end - 1] <= ' ')
		end--;
	start = end > TAIL_SHOWN ? end - TAIL_SHOWN : 0;
	while (start < end && ((unsigned char)c->err[start] & 0xC0) == 0x80)
		start++;
	while (start < end && (unsigned char)c->err[start] <= ' ')
		start++;
	if (start == end || size < 4)
		return;
	*p++ = ':';
	*p++ = ' ';
	for (size_t i = start; i < end && (size_t)(p - out) + 1 < size; i++) {
		unsigned char ch = (unsigned char)c->err[i];
		*p++ = (ch < 0x20 || ch == 0x7F) ? ' ' : (char)ch;
	}
	*p = '\0';
}

static void set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);
	if (flags >= 0)
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* Take what is waiting on fds[i] (-1 it once closed). */
static void take(struct pollfd *fd, int i, capture *c)
{
	char chunk[4096];
	ssize_t got = read(fd->fd, chunk, sizeof(chunk));

	if (got < 0 && errno == EINTR)
		return;
	if (got <= 0) {
		fd->fd = -1; /* closed (or failing): stop watching */
		return;
	}
	if (i == 1)
		keep_stderr(c, chunk, (size_t)got);
	else if (c->out.len + (size_t)got > STDOUT_MAX)
		c->out_overflow = true;
	else if (cachet__buf_put(&c->out, chunk, (size_t)got) < 0)
		c->out_nomem = true;
}

/*
 * Read both pipes until the command has exited and what it wrote is
 * read, or the deadline passes. Once it has exited, only what is already
 * in the pipes is taken: a process it left in the background may keep
 * them open. 0 with *status (-1: cannot tell), or 1 on timeout.
 */
static int supervise(pid_t pid, int out_fd, int err_fd, capture *c, int64_t deadline,
		     int *status)
{
	struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
	bool exited = false;

	for (;;) {
		if (!exited) {
			pid_t r = waitpid(pid, status, WNOHANG);
			if (r == pid) {
				exited = true;
			} else if (r < 0 && errno != EINTR) {
				*status = -1;
				exited = true;
			}
		}
		bool open = fds[0].fd >= 0 || fds[1].fd >= 0;
		if (exited && !open)
			return 0;
		int64_t left = deadline - cachet__monotonic_ms();
		if (left <= 0)
			return 1;
		/* short waits: the exit is noticed by polling waitpid */
		int wait_ms = exited ? 0 : (int)(left < 10 ? left : 10);
		int n = poll(fds, 2, wait_ms); /* with both closed: a sleep */
		if (n < 0 && errno != EINTR)
			return 1;
		if (n <= 0) {
			if (exited)
				return 0; /* nothing more waiting */
			continue;
		}
		for (int i = 0; i < 2; i++)
			if (fds[i].fd >= 0 && fds[i].revents != 0)
				take(&fds[i], i, c);
	}
}

static void kill_group(pid_t pid)
{
	kill(-pid, SIGKILL); /* the command and what it started */
	kill(pid, SIGKILL);
}

/* Trim c->out and check it is a hash. */
static int take_output(char **out, capture *c, const char *name)
{
	size_t start = 0, end = c->out.len;
	const char *s = c->out.ptr ? c->out.ptr : "";
	size_t bad;

	if (c->out_nomem)
		return cachet__error_oom();
	if (c->out_overflow)
		return cachet__error(CACHET_EINVALID,
				     "hash command '%s' printed more than %d bytes; a hash is one "
				     "short line",
				     name, STDOUT_MAX);
	while (start < end && (s[start] == ' ' || s[start] == '\t' || s[start] == '\n' ||
			       s[start] == '\r' || s[start] == '\v' || s[start] == '\f'))
		start++;
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n' ||
			       s[end - 1] == '\r' || s[end - 1] == '\v' || s[end - 1] == '\f'))
		end--;
	if (start == end)
		return cachet__error(CACHET_EINVALID, "hash command '%s' printed no hash", name);
	if (memchr(s + start, '\0', end - start) != NULL)
		return cachet__error(CACHET_EINVALID, "hash command '%s' printed a NUL byte", name);
	if (memchr(s + start, '\n', end - start) != NULL ||
	    memchr(s + start, '\r', end - start) != NULL)
		return cachet__error(CACHET_EINVALID,
				     "hash command '%s' printed several lines; a hash is one line",
				     name);
	if (!cachet__utf8_valid(s + start, end - start, &bad))
		return cachet__error(CACHET_EINVALID,
				     "hash command '%s' printed text that is not UTF-8 (byte %zu)",
				     name, start + bad);
	if ((*out = cachet__strndup(s + start, end - start)) == NULL)
		return CACHET_ENOMEM;
	return 0;
}

int cachet__run_hash_command(char **out, const char *const *argv, const char *last_arg,
			     unsigned timeout_ms)
{
	char show[CACHET__SHOW_MAX], reason[128], tail[TAIL_SHOWN + 8];
	int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	bool fa_ok = false, attr_ok = false;
	capture *c = NULL;
	char **args = NULL;
	size_t argc = 0;
	pid_t pid = -1;
	sigset_t none, dfl;
	int64_t deadline;
	bool timed_out;
	int rc, e, status = 0;

	*out = NULL;
	while (argv[argc] != NULL)
		argc++;
	cachet__path_show(show, argv[0], NULL);
	if ((args = cachet__calloc(argc + 2, sizeof(*args))) == NULL ||
	    (c = cachet__calloc(1, sizeof(*c))) == NULL) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	/* posix_spawn's argv is char *const[] for history's sake; it does
	 * not write to the strings. */
	for (size_t i = 0; i < argc; i++)
		args[i] = (char *)argv[i];
	args[argc] = (char *)last_arg;

	if (pipe(out_pipe) < 0 || pipe(err_pipe) < 0) {
		rc = cachet__error(CACHET_ERROR, "cannot run hash command '%s': %s", show,
				   cachet__os_reason(errno, reason, sizeof(reason)));
		goto done;
	}
	for (int i = 0; i < 2; i++) {
		set_cloexec(out_pipe[i]);
		set_cloexec(err_pipe[i]);
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		rc = cachet__error_oom();
		goto done;
	}
	fa_ok = true;
	if (posix_spawnattr_init(&attr) != 0) {
		rc = cachet__error_oom();
		goto done;
	}
	attr_ok = true;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE); /* the host may ignore it; the command should not */
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2) != 0 ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						    POSIX_SPAWN_SETSIGDEF) != 0 ||
	    posix_spawnattr_setpgroup(&attr, 0) != 0 ||
	    posix_spawnattr_setsigmask(&attr, &none) != 0 ||
	    posix_spawnattr_setsigdefault(&attr, &dfl) != 0) {
		rc = cachet__error_oom();
		goto done;
	}
	e = posix_spawnp(&pid, argv[0], &fa, &attr, args, environ);
	if (e != 0) {
		pid = -1;
		rc = cachet__error(CACHET_ERROR, "cannot run hash command '%s': %s", show,
				   cachet__os_reason(e, reason, sizeof(reason)));
		goto done;
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	out_pipe[1] = err_pipe[1] = -1;

	deadline = cachet__monotonic_ms() + (timeout_ms ? timeout_ms : 60000);
	timed_out = supervise(pid, out_pipe[0], err_pipe[0], c, deadline, &status) != 0;
	if (timed_out) {
		kill_group(pid);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		pid = -1;
		stderr_tail(c, tail, sizeof(tail));
		rc = cachet__error(CACHET_ERROR, "hash command '%s' timed out after %u ms%s", show,
				   timeout_ms ? timeout_ms : 60000, tail);
		goto done;
	}
	pid = -1;
	stderr_tail(c, tail, sizeof(tail));
	if (status == -1) {
		rc = cachet__error(CACHET_ERROR, "cannot wait for hash command '%s'", show);
	} else if (WIFSIGNALED(status)) {
		rc = cachet__error(CACHET_ERROR, "hash command '%s' was killed by signal %d%s",
				   show, WTERMSIG(status), tail);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		rc = cachet__error(CACHET_ERROR, "hash command '%s' failed with exit status %d%s",
				   show, WEXITSTATUS(status), tail);
	} else {
		rc = take_output(out, c, show);
	}
done:
	if (pid > 0) {
		kill_group(pid);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i < 2; i++) {
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
	}
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	if (c)
		cachet__buf_dispose(&c->out);
	cachet__free(c);
	cachet__free(args);
	return rc;
}
