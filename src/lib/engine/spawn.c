/*
 * Running a node's command: posix_spawnp (no shell, no fork of a large
 * process), in the node's working directory, in its own process group (so
 * that a timeout or a cancel stops everything it started), standard
 * output and error to the node's log files, signals reset to their
 * defaults. The caller owns the clock: through the request's callbacks it
 * learns the child's pid (to signal its group on timeout or cancel) and
 * says, once the child exited, whether it stopped it; this thread only
 * waits. spawn.c knows nothing of runs or nodes.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include "engine/spawn.h"

#include "util/error.h"

#include "util/alloc.h"
#include "util/os.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The environment: the inherited one without the names we set, then ours
 * (so that ours win whatever getenv an OS uses). */
static int build_env(char ***out, char *const *extra, size_t n_extra, char *const *mine,
		     size_t n_mine)
{
	size_t n_env = 0, k = 0;
	char **env;

	while (environ && environ[n_env])
		n_env++;
	if (!(env = cachet__calloc(n_env + n_extra + n_mine + 1, sizeof *env)))
		return CACHET_ENOMEM;
	for (size_t i = 0; i < n_env; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		bool overridden = false;
		for (size_t j = 0; j < n_extra && !overridden; j++)
			overridden = !strncmp(extra[j], environ[i], len) && extra[j][len] == '=';
		for (size_t j = 0; j < n_mine && !overridden; j++)
			overridden = !strncmp(mine[j], environ[i], len) && mine[j][len] == '=';
		if (!overridden)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < n_extra; j++)
		env[k++] = extra[j];
	for (size_t j = 0; j < n_mine; j++)
		env[k++] = mine[j];
	env[k] = NULL;
	*out = env;
	return 0;
}

/* The last non-empty line of the file's last 4 KiB, for a message. */
static void tail_line(char *out, size_t size, const char *path)
{
	char buf[4097];
	ssize_t got;
	off_t end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *line, *p;

	out[0] = '\0';
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	if (end > 4096)
		lseek(fd, end - 4096, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	got = read(fd, buf, 4096);
	close(fd);
	if (got <= 0)
		return;
	buf[got] = '\0';
	for (p = buf + got; p > buf && (p[-1] == '\n' || p[-1] == '\r' || p[-1] == ' ');)
		*--p = '\0';
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	/* keep it one printable line */
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			*p = ' ';
	if (strlen(line) > 200)
		snprintf(out, size, "%.197s...", line);
	else
		snprintf(out, size, "%s", line);
}

/*
 * Whether name (without a '/') is an executable file in $PATH. posix_spawnp
 * reports a missing program itself, but not everywhere (under valgrind,
 * and in C libraries that fork, the child just exits 127), so the engine
 * looks first and says "not found" the same way on every system.
 */
static bool in_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[4096];
	struct stat st;

	if (!path)
		path = "/bin:/usr/bin";
	for (p = path;; p = end + 1) {
		size_t len;
		end = strchr(p, ':');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len + strlen(name) + 2 < sizeof buf) {
			/* an empty entry is the current directory */
			if (len)
				snprintf(buf, sizeof buf, "%.*s/%s", (int)len, p, name);
			else
				snprintf(buf, sizeof buf, "%s", name);
			if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
				return true;
		}
		if (!end)
			return false;
	}
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGILL: return "SIGILL";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGPIPE: return "SIGPIPE";
	case SIGALRM: return "SIGALRM";
	case SIGTERM: return "SIGTERM";
	default: return "a signal";
	}
}

int cachet__spawn(const cachet_spawn_request *req)
{
	char *const *argv = req->argv;
	const char *name = req->name;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char **env = NULL;
	siginfo_t si;
	pid_t pid = -1;
	bool timed_out = false, cancelled = false;
	int err, status = 0, rc = 0;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return cachet__error_oom();
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return cachet__error_oom();
	}
	if ((rc = build_env(&env, req->env, req->n_env, req->own_env, req->n_own_env)) < 0)
		goto done;

	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
	    posix_spawn_file_actions_addopen(&fa, 1, req->stdout_path,
					     O_WRONLY | O_CREAT | O_TRUNC, 0600) ||
	    posix_spawn_file_actions_addopen(&fa, 2, req->stderr_path,
					     O_WRONLY | O_CREAT | O_TRUNC, 0600) ||
	    posix_spawn_file_actions_addchdir_np(&fa, req->cwd) ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						    POSIX_SPAWN_SETSIGDEF) ||
	    posix_spawnattr_setpgroup(&attr, 0) || posix_spawnattr_setsigmask(&attr, &none) ||
	    posix_spawnattr_setsigdefault(&attr, &all)) {
		rc = cachet__error_oom();
		goto done;
	}
	if (!strchr(argv[0], '/') && !in_path(argv[0])) {
		rc = cachet__error(CACHET_ENOTFOUND,
				   "node '%s': command '%s' not found (looked in $PATH)", name,
				   argv[0]);
		goto done;
	}
	if (strchr(argv[0], '/')) {
		/* a path: relative ones start from the working directory */
		char buf[8192];
		struct stat st;
		int e = 0;
		if (argv[0][0] == '/')
			snprintf(buf, sizeof buf, "%s", argv[0]);
		else
			snprintf(buf, sizeof buf, "%s/%s", req->cwd, argv[0]);
		if (stat(buf, &st) < 0)
			e = errno;
		else if (S_ISDIR(st.st_mode))
			e = EISDIR;
		else if (access(buf, X_OK) < 0)
			e = errno;
		if (e) {
			rc = cachet__error(e == ENOENT ? CACHET_ENOTFOUND : CACHET_ERROR,
					   "node '%s': cannot run '%s': %s", name, argv[0],
					   cachet__strerror(e));
			goto done;
		}
	}
	err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, env);
	if (err) {
		if (err == ENOENT && !strchr(argv[0], '/'))
			rc = cachet__error(CACHET_ENOTFOUND,
					   "node '%s': command '%s' not found (looked in $PATH)",
					   name, argv[0]);
		else
			rc = cachet__error(err == ENOENT ? CACHET_ENOTFOUND : CACHET_ERROR,
					   "node '%s': cannot run '%s': %s", name, argv[0],
					   cachet__strerror(err));
		pid = -1;
		goto done;
	}

	/* the caller's timers may signal the child's group from now on */
	req->on_started(pid, req->payload);
	/* wait without reaping, so that the pid (and its group) stays ours
	 * while the caller may still signal it */
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	req->on_exited(pid, &timed_out, &cancelled, req->payload);
	if (timed_out || cancelled)
		kill(-pid, SIGKILL); /* whatever else it started */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (WIFEXITED(status))
		*req->exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		*req->exit_status = -WTERMSIG(status);
	if (cancelled) {
		rc = cachet__error(CACHET_ERROR, "node '%s': cancelled", name);
	} else if (timed_out) {
		rc = cachet__error(CACHET_ERROR, "node '%s': timed out after %llu ms", name,
				   (unsigned long long)req->timeout_ms);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		char tail[256];
		tail_line(tail, sizeof tail, req->stderr_path);
		rc = cachet__error(CACHET_ERROR, "node '%s': '%s' exited with status %d%s%s",
				   name, argv[0], WEXITSTATUS(status), *tail ? ": " : "",
				   tail);
	} else if (WIFSIGNALED(status)) {
		char tail[256];
		tail_line(tail, sizeof tail, req->stderr_path);
		rc = cachet__error(CACHET_ERROR, "node '%s': '%s' was killed by %s (%d)%s%s",
				   name, argv[0], signal_name(WTERMSIG(status)),
				   WTERMSIG(status), *tail ? ": " : "", tail);
	}
done:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	cachet__free(env);
	return rc;
}
