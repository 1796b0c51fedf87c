/*
 * bench_hash: how fast `cachet hash` is, next to `openssl dgst -sha256`
 * and coreutils `sha256sum`, on data it makes in a temporary directory:
 *
 *   - one 1 GiB file: throughput of the three (page cache warm);
 *   - a directory of 20,000 files of 1 KiB to 1 MiB (log-uniform sizes,
 *     about 3 GiB): one thread against all cores;
 *   - second runs through the stat cache: the 1 GiB file and the
 *     directory, unchanged, timed for the whole command;
 *   - a 10 GiB sparse file: peak RSS of the hashing process.
 *
 * It measures and prints; it does not judge. Every figure is the best of
 * a few runs of the real binary (posix_spawn + wait4, whose rusage gives
 * the child's peak RSS); commands compared with each other run in turn.
 *
 *   bench_hash [--small]
 *
 * --small uses 1/16 of the data, to check that the bench runs. Env:
 * CACHET (the binary; default: ../cachet next to this program's
 * directory), TMPDIR (where the data goes; it needs ~4.2 GiB of disk).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* wait4 is BSD, declared only with _DEFAULT_SOURCE; it is in glibc. */
pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage);

#define MiB (1024.0 * 1024.0)

static char cachet_bin[PATH_MAX];
static char work[1024];
static bool small;

static void die(const char *what)
{
	fprintf(stderr, "bench_hash: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- data ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
	/* xorshift64*: plenty for file contents and sizes */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1Dull;
}

static uint8_t block[1 << 20]; /* 1 MiB of noise, reused with a twist */

static void write_file(const char *path, uint64_t size, uint64_t salt)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < sizeof(block) ? (size_t)(size - off) : sizeof(block);
		/* make each MiB of each file differ */
		uint64_t tag = salt * 1000003 + off;
		memcpy(block, &tag, sizeof(tag));
		if (write(fd, block, n) != (ssize_t)n)
			die(path);
		off += n;
	}
	close(fd);
}

static void path_of(char *out, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", work, name);
}

static uint64_t make_dir(const char *dir, int files)
{
	char path[PATH_MAX + 64];
	uint64_t total = 0;

	if (mkdir(dir, 0755) < 0)
		die(dir);
	for (int i = 0; i < files; i++) {
		if (i % 200 == 0) {
			snprintf(path, sizeof(path), "%s/d%03d", dir, i / 200);
			if (mkdir(path, 0755) < 0)
				die(path);
		}
		/* log-uniform between 1 KiB and 1 MiB: many small files, a few
		 * big ones, as real datasets have */
		double u = (double)(next_rand() >> 11) / 9007199254740992.0;
		uint64_t size = (uint64_t)(1024.0 * pow(1024.0, u));
		snprintf(path, sizeof(path), "%s/d%03d/f%05d.bin", dir, i / 200, i);
		write_file(path, size, (uint64_t)i + 1);
		total += size;
	}
	return total;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* ---- running a command ---- */

typedef struct result {
	double seconds;  /* best wall time */
	long max_rss_kb; /* of that run */
} result;

/* Run argv once with stdout to out_path (or /dev/null), stderr kept. */
static result run_once(char *const argv[], const char *out_path)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	int status;
	pid_t pid;
	result r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	double t = now();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		fprintf(stderr, "bench_hash: cannot run %s\n", argv[0]);
		exit(1);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	r.seconds = now() - t;
	r.max_rss_kb = ru.ru_maxrss;
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_hash: %s %s failed (status %d)\n", argv[0], argv[1], status);
		exit(1);
	}
	return r;
}

static result run_best(char *const argv[], int times)
{
	result best = {1e30, 0};
	for (int i = 0; i < times; i++) {
		result r = run_once(argv, NULL);
		if (r.seconds < best.seconds)
			best = r;
	}
	return best;
}

/*
 * Run the commands in turn, `rounds` times over, keeping each one's best:
 * on a shared machine, load that comes and goes then hits all of them
 * alike instead of whichever ran during it.
 */
static void run_rounds(char *const *const cmds[], result best[], int n, int rounds)
{
	for (int i = 0; i < n; i++)
		best[i] = (result){1e30, 0};
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < n; i++) {
			result x = run_once(cmds[i], NULL);
			if (x.seconds < best[i].seconds)
				best[i] = x;
		}
	}
}

/* The first word of a file (a digest), for the sanity check. */
static void first_word(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	out[0] = '\0';
	if (f == NULL)
		return;
	if (fscanf(f, "%127s", out) != 1)
		out[0] = '\0';
	(void)size;
	fclose(f);
}

static void find_cachet(const char *argv0)
{
	const char *env = getenv("CACHET");
	char self[PATH_MAX];
	ssize_t n;

	(void)argv0;
	if (env && *env) {
		snprintf(cachet_bin, sizeof(cachet_bin), "%s", env);
		return;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		die("/proc/self/exe");
	self[n] = '\0';
	*strrchr(self, '/') = '\0'; /* <build>/bench */
	*strrchr(self, '/') = '\0'; /* <build> */
	snprintf(cachet_bin, sizeof(cachet_bin), "%.4000s/cachet", self);
	if (access(cachet_bin, X_OK) != 0) {
		fprintf(stderr, "bench_hash: no cachet at %s (set CACHET)\n", cachet_bin);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	char big[PATH_MAX], dir[PATH_MAX], sparse[PATH_MAX], home[PATH_MAX], out[PATH_MAX];
	char want[160], got[160];
	const char *tmp = getenv("TMPDIR");
	uint64_t big_size, dir_bytes;
	int dir_files;

	small = argc > 1 && strcmp(argv[1], "--small") == 0;
	find_cachet(argv[0]);
	big_size = small ? (64ull << 20) : (1ull << 30);
	dir_files = small ? 1250 : 20000;
	uint64_t sparse_size = small ? (640ull << 20) : (10ull << 30);

	snprintf(work, sizeof(work), "%.900s/cachet-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(work) == NULL)
		die("mkdtemp");
	path_of(big, "big.bin");
	path_of(dir, "dir");
	path_of(sparse, "sparse.bin");
	path_of(home, "home");
	path_of(out, "out.txt");

	for (size_t i = 0; i < sizeof(block); i += 8) {
		uint64_t v = next_rand();
		memcpy(block + i, &v, 8);
	}
	fprintf(stderr, "bench_hash: making data in %s ...\n", work);
	write_file(big, big_size, 0);
	dir_bytes = make_dir(dir, dir_files);
	int fd = open(sparse, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)sparse_size) < 0)
		die(sparse);
	close(fd);

	int nproc = (int)sysconf(_SC_NPROCESSORS_ONLN);
	printf("cachet hash benchmark (%s data; %d cores; cachet: %s)\n",
	       small ? "small" : "full", nproc, cachet_bin);
	if (system("grep -q sha_ni /proc/cpuinfo") == 0)
		printf("CPU has SHA-NI (libcrypto uses it; coreutils sha256sum does not)\n");

	/* ---- one big file ---- */
	char *c_file[] = {cachet_bin, "hash", "--no-stat-cache", big, NULL};
	char *c_xxh[] = {cachet_bin, "hash", "--no-stat-cache", "--digest", "xxh128", big, NULL};
	char *o_file[] = {"openssl", "dgst", "-sha256", big, NULL};
	char *s_file[] = {"sha256sum", big, NULL};

	run_once(s_file, out); /* warms the page cache, and is the reference */
	first_word(out, want, sizeof(want));
	run_once(c_file, out);
	first_word(out, got, sizeof(got));
	if (strncmp(got, "sha256:", 7) != 0 || strcmp(got + 7, want) != 0) {
		fprintf(stderr, "bench_hash: cachet says %s, sha256sum %s\n", got, want);
		return 1;
	}
	char *const *const file_cmds[] = {c_file, o_file, s_file, c_xxh};
	result fr[4];
	run_rounds(file_cmds, fr, 4, 5);
	result rc_ = fr[0], ro = fr[1], rs = fr[2], rx = fr[3];
	double gib = (double)big_size / MiB / 1024.0;
	printf("\n1. one %.2f GiB file, page cache warm (best of 5 runs, taken in turn)\n", gib);
	printf("   %-34s %8s %10s\n", "", "seconds", "MiB/s");
	printf("   %-34s %8.3f %10.0f\n", "cachet hash (sha256)", rc_.seconds,
	       (double)big_size / MiB / rc_.seconds);
	printf("   %-34s %8.3f %10.0f\n", "openssl dgst -sha256", ro.seconds,
	       (double)big_size / MiB / ro.seconds);
	printf("   %-34s %8.3f %10.0f\n", "sha256sum (coreutils)", rs.seconds,
	       (double)big_size / MiB / rs.seconds);
	printf("   %-34s %8.3f %10.0f\n", "cachet hash --digest xxh128", rx.seconds,
	       (double)big_size / MiB / rx.seconds);
	printf("   cachet / openssl throughput: %.2fx (goal >= 0.9x)\n", ro.seconds / rc_.seconds);
	printf("   cachet / sha256sum throughput: %.2fx (goal >= 3x)\n", rs.seconds / rc_.seconds);

	/* ---- the directory ---- */
	char *d1[] = {cachet_bin, "hash", "--no-stat-cache", "-j", "1", dir, NULL};
	char *dn[] = {cachet_bin, "hash", "--no-stat-cache", dir, NULL}; /* all cores */
	run_once(d1, NULL); /* warm */
	char *const *const dir_cmds[] = {d1, dn};
	result dr[2];
	run_rounds(dir_cmds, dr, 2, 3);
	result r1 = dr[0], rn = dr[1];
	printf("\n2. a directory of %d files, 1 KiB to 1 MiB (%.2f GiB)\n", dir_files,
	       (double)dir_bytes / MiB / 1024.0);
	printf("   %-34s %8.3f %10.0f\n", "cachet hash -j 1", r1.seconds,
	       (double)dir_bytes / MiB / r1.seconds);
	printf("   %-34s %8.3f %10.0f\n", "cachet hash (all cores)", rn.seconds,
	       (double)dir_bytes / MiB / rn.seconds);
	printf("   all cores / one thread: %.2fx (goal >= 1.7x)\n", r1.seconds / rn.seconds);

	/* ---- second runs through the stat cache ---- */
	char home_opt[PATH_MAX + 8];
	snprintf(home_opt, sizeof(home_opt), "--home=%s", home);
	char *sc_file[] = {cachet_bin, "hash", home_opt, big, NULL};
	char *sc_dir[] = {cachet_bin, "hash", home_opt, dir, NULL};
	char *version[] = {cachet_bin, "--version", NULL};
	result f1 = run_once(sc_file, NULL), dfirst = run_once(sc_dir, NULL);
	result f2 = run_best(sc_file, 10), d2 = run_best(sc_dir, 5), v = run_best(version, 10);
	printf("\n3. the stat cache: the whole command, unchanged input\n");
	printf("   %-34s %8.1f ms (first run, recording: %.1f ms)\n", "the big file, second run",
	       f2.seconds * 1e3, f1.seconds * 1e3);
	printf("   %-34s %8.1f ms (first run, recording: %.1f ms)\n",
	       "the directory, second run", d2.seconds * 1e3, dfirst.seconds * 1e3);
	printf("   %-34s %8.1f ms\n", "(cachet --version, for scale)", v.seconds * 1e3);
	printf("   goals: file < 5 ms, directory < 500 ms\n");

	/* ---- memory on a sparse file ---- */
	char *sp[] = {cachet_bin, "hash", "--no-stat-cache", sparse, NULL};
	result rsp = run_once(sp, NULL);
	printf("\n4. a %.2f GiB sparse file\n", (double)sparse_size / MiB / 1024.0);
	printf("   %-34s %8.3f s, peak RSS %.1f MiB (goal < 64 MiB)\n", "cachet hash",
	       rsp.seconds, (double)rsp.max_rss_kb / 1024.0);

	fflush(stdout);
	if (nftw(work, rm_one, 64, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "bench_hash: could not remove all of %s\n", work);
	return 0;
}
