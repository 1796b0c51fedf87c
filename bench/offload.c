/*
 * bench_offload: `cachet offload` of one 1 GiB file into the local store,
 * next to `cp` of the same file onto the same filesystem (page cache warm),
 * and the bound that hashing puts under a first offload.
 *
 * Rows, each timed for the whole command:
 *   cp                   coreutils cp: copy_file_range inside the kernel,
 *                        and it returns before the disk has the bytes;
 *   cp + fsync           the same, then an fsync of the copy: the
 *                        like-for-like durable copy;
 *   first offload        a fresh home: read once, hash (SHA-256, then
 *                        xxh128) on one core while writing on the other,
 *                        fsync, rename; the digest goes to the stat cache;
 *   digest known         the stat cache knows the file's digest (a
 *                        `cachet hash` of it ran before, untimed): copied
 *                        with copy_file_range as cp does, no hashing,
 *                        then fsync and rename;
 *   openssl dgst         `openssl dgst -sha256` of the file, no copy.
 *
 * The bound: SHA-256 is measured in this process over an in-memory buffer
 * (libcrypto through cachet's hasher, one core). A first offload with
 * SHA-256 must push every byte through it, so it cannot take less than
 * bytes / that speed, whatever it does with the copy.
 *
 * Every figure is the best and the median of a few interleaved runs of the
 * real binaries (posix_spawn + wait). Before each run the previous outputs
 * are removed and the disk is synced, so one run's writeback does not slow
 * the next. A first pass checks that the three ways to get the hash agree.
 * It measures and prints; it does not judge.
 *
 *   bench_offload [--small] [--runs N]
 *
 * --small uses 64 MiB, to check that the bench runs. Env: CACHET (the
 * binary; default: ../cachet next to this program's directory), TMPDIR
 * (where the data and the store go; it needs ~3 GiB of disk).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "digest/hasher.h"

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

/* Incompressible bytes from xorshift64*, one 1 MiB block at a time. */
static void fill_block(uint64_t *block, size_t words, uint64_t *x)
{
	for (size_t i = 0; i < words; i++) {
		*x ^= *x >> 12;
		*x ^= *x << 25;
		*x ^= *x >> 27;
		block[i] = *x * 0x2545F4914F6CDD1Dull;
	}
}

/* The input, with an mtime an hour back: a stat cache entry recorded
 * during the bench is never racily clean (docs/hashing.md). */
static void make_input(const char *path, uint64_t size)
{
	static uint64_t block[1 << 17]; /* 1 MiB */
	uint64_t x = 0x9E3779B97F4A7C15ull;
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		die(path);
	for (uint64_t done = 0; done < size; done += sizeof block) {
		fill_block(block, sizeof block / sizeof block[0], &x);
		size_t n = size - done < sizeof block ? (size_t)(size - done) : sizeof block;
		if (fwrite(block, 1, n, f) != n)
			die(path);
	}
	if (fclose(f) != 0)
		die(path);
	struct timespec ts[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
	if (utimensat(AT_FDCWD, path, ts, 0) < 0)
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

/*
 * Run argv; its wall time in seconds. Its stdout goes to /dev/null, or,
 * with out, into out (up to size - 1 bytes, NUL-terminated).
 */
static double run_to(char *const argv[], char *out, size_t size)
{
	posix_spawn_file_actions_t fa;
	int fds[2] = {-1, -1};
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	if (out) {
		if (pipe(fds) < 0)
			die("pipe");
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		posix_spawn_file_actions_addclose(&fa, fds[0]);
		posix_spawn_file_actions_addclose(&fa, fds[1]);
	} else {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	}
	double t0 = now();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		die(argv[0]);
	if (out) {
		size_t n = 0;
		ssize_t got;
		close(fds[1]);
		while ((got = read(fds[0], out + n, size - 1 - n)) > 0)
			n += (size_t)got;
		out[n] = '\0';
		close(fds[0]);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	double t = now() - t0;
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_offload: %s %s failed\n", argv[0], argv[1]);
		exit(1);
	}
	return t;
}

static double run(char *const argv[])
{
	return run_to(argv, NULL, 0);
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
static void settle(const char *copy, const char *gone)
{
	rm_rf(copy);
	rm_rf(gone);
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

/* SHA-256 in this process, over 64 MiB in memory, best of 10: bytes/s.
 * Measured before and after the runs, and the faster kept: a busy moment
 * of the machine would make the bound look lower than it is. */
static double sha256_speed(void)
{
	const size_t len = 64u << 20, chunk = 1u << 20;
	uint64_t *buf = malloc(len), x = 1;
	uint8_t digest[CACHET__DIGEST_MAX];
	cachet__hasher *h = NULL;
	double best = 1e9;

	if (buf == NULL || cachet__hasher_new(&h, CACHET_DIGEST_SHA256) < 0)
		die("sha256");
	fill_block(buf, len / sizeof *buf, &x);
	for (int r = 0; r < 10; r++) {
		double t0 = now();
		for (size_t off = 0; off < len; off += chunk)
			(void)cachet__hasher_update(h, (const char *)buf + off, chunk);
		(void)cachet__hasher_final(h, digest);
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	cachet__hasher_free(h);
	free(buf);
	return (double)len / best;
}

/* The "hash" line of an offload's Literal, or the first word of `cachet
 * hash`'s line, into out. */
static void hash_in(char *out, size_t size, const char *text, bool literal)
{
	const char *p = literal ? strstr(text, "\"hash\": \"") : text;
	if (p == NULL) {
		fprintf(stderr, "bench_offload: no hash in: %s\n", text);
		exit(1);
	}
	if (literal)
		p += strlen("\"hash\": \"");
	size_t n = strcspn(p, literal ? "\"" : " ");
	snprintf(out, size, "%.*s", (int)n, p);
}

/* Before timing: the first offload, `cachet hash` and the offload through
 * the stat cache give the same hash, and the second offload's digest came
 * from the entry `cachet hash` left. */
static void check_hashes(char **first, char **hash, char **known, const char *home)
{
	static char text[65536];
	char a[128], b[128], c[128];

	rm_rf(home);
	run_to(first, text, sizeof text);
	hash_in(a, sizeof a, text, true);
	rm_rf(home);
	run_to(hash, text, sizeof text);
	hash_in(b, sizeof b, text, false);
	run_to(known, text, sizeof text);
	hash_in(c, sizeof c, text, true);
	if (strcmp(a, b) != 0 || strcmp(a, c) != 0) {
		fprintf(stderr, "bench_offload: hashes differ: %s, %s, %s\n", a, b, c);
		exit(1);
	}
	printf("  hash: %s (first offload = cachet hash = offload through the stat cache)\n", a);
}

static void ratio(char *out, size_t size, double a_best, double a_med, double b_best,
		  double b_med)
{
	snprintf(out, size, "%.2fx / %.2fx", a_best / b_best, a_med / b_med);
}

int main(int argc, char **argv)
{
	uint64_t size = 1ull << 30;
	int runs = 5;
	char input[PATH_MAX + 16], copy[PATH_MAX + 16], home[PATH_MAX + 16];
	char store[PATH_MAX + 32];

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
	snprintf(store, sizeof store, "%s/store", home);

	printf("bench_offload: one %.0f MiB file, %d runs each, page cache warm\n",
	       (double)size / MiB, runs);
	printf("  data and store in %s\n", work);
	make_input(input, size);

	char *cp_argv[] = {"cp", input, copy, NULL};
	char *off_sha[] = {cachet_bin, "offload", "--home", home, input, NULL};
	char *off_xxh[] = {cachet_bin, "offload", "--home", home, "--digest", "xxh128", input,
			   NULL};
	char *hash_argv[] = {cachet_bin, "hash", "--home", home, input, NULL};
	char *ossl_argv[] = {"openssl", "dgst", "-sha256", input, NULL};
	struct result cp = {.name = "cp"}, cps = {.name = "cp + fsync"},
		      sha = {.name = "first offload (sha256)"},
		      xxh = {.name = "first offload (xxh128)"},
		      known = {.name = "offload, digest in the stat cache"},
		      ossl = {.name = "openssl dgst -sha256 (no copy)"};

	double speed = sha256_speed();
	warm(input);
	check_hashes(off_sha, hash_argv, off_sha, home);
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
		/* a fresh home whose stat cache learns the digest from
		 * `cachet hash` (untimed); its store starts empty */
		settle(copy, home);
		run(hash_argv);
		warm(input);
		settle(copy, store);
		known.t[r] = run(off_sha);
		warm(input);
		ossl.t[r] = run(ossl_argv);
	}
	settle(copy, home);
	struct result *all[] = {&cp, &cps, &sha, &xxh, &known, &ossl};
	const size_t n_all = sizeof all / sizeof all[0];
	for (size_t i = 0; i < n_all; i++)
		summarize(all[i], runs);

	printf("\n  %-34s %7s %8s %8s %17s %17s\n", "", "best s", "median s", "MiB/s",
	       "/ cp (best/med)", "/ cp+fsync (b/m)");
	for (size_t i = 0; i < n_all; i++) {
		struct result *r = all[i];
		char to_cp[32], to_cps[32];
		ratio(to_cp, sizeof to_cp, r->best, r->median, cp.best, cp.median);
		ratio(to_cps, sizeof to_cps, r->best, r->median, cps.best, cps.median);
		printf("  %-34s %7.3f %8.3f %8.0f %17s %17s\n", r->name, r->best, r->median,
		       (double)size / MiB / r->best, to_cp, to_cps);
	}

	double again = sha256_speed();
	if (again > speed)
		speed = again;
	double bound = (double)size / speed;
	printf("\n  hashing bound: SHA-256 runs at %.0f MiB/s in memory here (one core), so\n"
	       "  hashing %.0f MiB takes at least %.3f s = %.2fx cp, %.2fx cp + fsync (best):\n"
	       "  no first offload with SHA-256 can be faster than that.\n",
	       speed / MiB, (double)size / MiB, bound, bound / cp.best, bound / cps.best);
	printf("\n  goal (issue 3): an offload at most 1.2x the time of cp\n");
	rm_rf(work);
	return 0;
}
