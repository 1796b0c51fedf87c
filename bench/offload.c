/*
 * bench_offload: `cachet offload` of one 1 GiB file into the local store,
 * next to `cp` of the same file onto the same filesystem (page cache warm).
 *
 * cachet offload reads the file once, hashes it (SHA-256, or xxh128) and
 * writes it to a temporary file that it fsyncs and renames into place:
 * the copy is durable when the command returns. cp is timed bare and
 * followed by an fsync of its copy ("cp + fsync"), the like-for-like
 * durable copy. Coreutils cp copies with copy_file_range inside the
 * kernel, never touching the bytes in user space; an offload must, to
 * hash them.
 *
 * For reference it also times `openssl dgst -sha256` of the file: hashing
 * alone, the floor under an offload that hashes with SHA-256.
 *
 * Every figure is the best (and the median) of a few runs of the real
 * binaries (posix_spawn + wait). Before each run the previous outputs are
 * removed and the disk is synced, so one run's writeback does not slow the
 * next. It measures and prints; it does not judge.
 *
 *   bench_offload [--small] [--runs N]
 *
 * --small uses 64 MiB, to check that the bench runs. Env: CACHET (the
 * binary; default: ../cachet next to this program's directory), TMPDIR
 * (where the data and the store go; it needs ~3 GiB of disk).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MiB (1024.0 * 1024.0)
#define MAX_RUNS 15

static char cachet_bin[PATH_MAX + 16];
static char work[PATH_MAX];

static void die(const char *what)
{
	fprintf(stderr, "bench_offload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The input: incompressible bytes from xorshift64*. */
static void make_input(const char *path, uint64_t size)
{
	static uint64_t block[1 << 17]; /* 1 MiB */
	uint64_t x = 0x9E3779B97F4A7C15ull;
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		die(path);
	for (uint64_t done = 0; done < size; done += sizeof block) {
		for (size_t i = 0; i < sizeof block / sizeof block[0]; i++) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			block[i] = x * 0x2545F4914F6CDD1Dull;
		}
		size_t n = size - done < sizeof block ? (size_t)(size - done) : sizeof block;
		if (fwrite(block, 1, n, f) != n)
			die(path);
	}
	if (fclose(f) != 0)
		die(path);
}

/* Read the file once so that every run finds it in the page cache. */
static void warm(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	while (read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run argv (stdout to /dev/null); its wall time in seconds. */
static double run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	double t0 = now();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		die(argv[0]);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	double t = now() - t0;
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_offload: %s failed\n", argv[0]);
		exit(1);
	}
	return t;
}

static double fsync_path(const char *path)
{
	double t0 = now();
	int fd = open(path, O_RDONLY);
	if (fd < 0 || fsync(fd) < 0)
		die(path);
	close(fd);
	return now() - t0;
}

/* Start each run from a quiet disk: outputs gone, writeback done. */
static void settle(const char *copy, const char *home)
{
	rm_rf(copy);
	rm_rf(home);
	sync();
	struct timespec pause = {0, 300000000};
	nanosleep(&pause, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct result {
	const char *name;
	double t[MAX_RUNS];
	double best, median;
};

static void summarize(struct result *r, int runs)
{
	qsort(r->t, (size_t)runs, sizeof r->t[0], cmp_double);
	r->best = r->t[0];
	r->median = r->t[runs / 2];
}

static void locate_cachet(const char *argv0)
{
	const char *env = getenv("CACHET");
	if (env && *env) {
		snprintf(cachet_bin, sizeof cachet_bin, "%s", env);
		return;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		snprintf(self, sizeof self, "%s", argv0);
	else
		self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	/* <build>/bench/bench_offload -> <build>/cachet */
	snprintf(cachet_bin, sizeof cachet_bin, "%s/../cachet", self);
}

int main(int argc, char **argv)
{
	uint64_t size = 1ull << 30;
	int runs = 5;
	char input[PATH_MAX + 16], copy[PATH_MAX + 16], home[PATH_MAX + 16];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--small") == 0) {
			size = 64ull << 20;
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = atoi(argv[++i]);
			if (runs < 1 || runs > MAX_RUNS)
				runs = 5;
		} else {
			fprintf(stderr, "usage: bench_offload [--small] [--runs N]\n");
			return 2;
		}
	}
	locate_cachet(argv[0]);
	if (access(cachet_bin, X_OK) != 0)
		die(cachet_bin);
	const char *tmp = getenv("TMPDIR");
	snprintf(work, sizeof work, "%s/cachet-bench-offload-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(work) == NULL)
		die(work);
	snprintf(input, sizeof input, "%s/input.bin", work);
	snprintf(copy, sizeof copy, "%s/copy.bin", work);
	snprintf(home, sizeof home, "%s/home", work);

	printf("bench_offload: one %.0f MiB file, %d runs each, page cache warm\n",
	       (double)size / MiB, runs);
	printf("  data and store in %s\n", work);
	make_input(input, size);

	char *cp_argv[] = {"cp", input, copy, NULL};
	char *off_sha[] = {cachet_bin, "offload", "--home", home, input, NULL};
	char *off_xxh[] = {cachet_bin, "offload", "--home", home, "--digest", "xxh128", input,
			   NULL};
	char *ossl_argv[] = {"openssl", "dgst", "-sha256", input, NULL};
	struct result cp = {.name = "cp"}, cps = {.name = "cp + fsync"},
		      sha = {.name = "cachet offload (sha256)"},
		      xxh = {.name = "cachet offload --digest xxh128"},
		      ossl = {.name = "(openssl dgst -sha256, no copy)"};

	for (int r = 0; r < runs; r++) {
		/* interleaved, so that drifts in the machine hit all alike */
		warm(input);
		settle(copy, home);
		cp.t[r] = run(cp_argv);
		cps.t[r] = cp.t[r] + fsync_path(copy);
		warm(input);
		settle(copy, home);
		sha.t[r] = run(off_sha);
		warm(input);
		settle(copy, home);
		xxh.t[r] = run(off_xxh);
		warm(input);
		ossl.t[r] = run(ossl_argv);
	}
	settle(copy, home);
	struct result *all[] = {&cp, &cps, &sha, &xxh, &ossl};
	const size_t n_all = sizeof all / sizeof all[0];
	for (size_t i = 0; i < n_all; i++)
		summarize(all[i], runs);

	printf("\n  %-32s %9s %9s %11s %10s %14s\n", "", "best s", "median s", "MiB/s best",
	       "/ cp best", "/ cp+fsync best");
	for (size_t i = 0; i < n_all; i++) {
		struct result *r = all[i];
		printf("  %-32s %9.3f %9.3f %11.0f %9.2fx %13.2fx\n", r->name, r->best, r->median,
		       (double)size / MiB / r->best, r->best / cp.best, r->best / cps.best);
	}
	printf("\n  goal: cachet offload at most 1.2x the time of cp\n");
	rm_rf(work);
	return 0;
}
