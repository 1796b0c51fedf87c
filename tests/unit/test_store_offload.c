/*
 * Offloading local data into the store, hashing in the same pass: the
 * Literal each kind gives, hashes checked against values computed with
 * independent tools (sha256sum, xxhsum -H2, Python's hashlib following
 * docs/hashing.md), and every way it can fail leaving nothing visible.
 */
#define _DEFAULT_SOURCE /* realpath, setgroups */

#include "test_store_helpers.h"

#include "digest/internal.h"
#include "util/alloc.h"

#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#define BIG 16384

/* sha256sum of "abc" (FIPS 180-2's example) */
#define SHA256_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* xxhsum -H2 of "abc" */
#define XXH128_ABC "xxh128:06b05ab6733a618578af5f94892f3950"
/* sha256sum of the 5 MiB + 123 byte pattern below (Python's hashlib) */
#define SHA256_PATTERN "sha256:2f4b163f63db25875a20d99ee1840cbb7200293f0f5997e896cbb18c0ca4d954"
#define PATTERN_LEN ((5u << 20) + 123)
/*
 * The directory digest of docs/hashing.md over {".hidden": "", "a.txt":
 * "alpha\n", "sub/b.txt": "beta\n"}, computed with Python's hashlib:
 * sha256("cachet-dir-v1\n" + for each path in byte order:
 * u64be(len(path)) + path + sha256(content)).
 */
#define SHA256_DIR "sha256-dir:1d2e82f6ab7dc935b773fd489d063b85a780d0102789348ab3d6b830fda79cad"
/* ... and over no files at all */
#define SHA256_EMPTY_DIR \
	"sha256-dir:72d404b3d6a184b41702432e1ea1c8cb3200c7cc328fbdc276b562f11d9a4904"

static void fill_pattern(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + i / 251);
}

/* A directory of its own for each test's local files. */
static void make_local_dir(store_fx *f, char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s-%s", name, f->is_file ? "file" : "memory");
	assert_int_equal(mkdir(out, 0700), 0);
}

static void make_sample_dir(const char *dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/a.txt", dir);
	write_text(p, "alpha\n");
	snprintf(p, sizeof p, "%s/sub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/sub/b.txt", dir);
	write_text(p, "beta\n");
	snprintf(p, sizeof p, "%s/.hidden", dir);
	write_text(p, "");
	/* an empty directory leaves no trace (object stores have none) */
	snprintf(p, sizeof p, "%s/emptysub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
}

static char *fresh_prefix(store_fx *f)
{
	char *prefix = NULL;
	assert_int_equal(cachet_store_new_prefix(&prefix, f->store), 0);
	return prefix;
}

static const char *blob_format(const cachet_literal *lit)
{
	const char *fmt = lit->scalar->blob->metadata->type->format;
	return fmt ? fmt : "";
}

/* The listing under prefix is exactly these URIs (full, sorted, '\n'-ended). */
static void assert_objects(store_fx *f, const char *prefix, const char *const *uris, size_t n)
{
	char expected[BIG] = "";
	size_t rl = strlen(f->root) + 1;
	for (size_t i = 0; i < n; i++) {
		strcat(expected, uris[i] + rl);
		strcat(expected, "\n");
	}
	assert_listing(f, prefix, expected);
}

static void assert_store_empty(store_fx *f)
{
	assert_listing(f, f->root, "");
	if (f->is_file)
		assert_int_equal(count_temp_files(f->dir), 0);
}

/* ---------------------------------------------------------------------- */
/* What each kind gives                                                   */

static void file_gives_blob_single(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], uri[BIG];
	char *prefix = fresh_prefix(f);
	cachet_literal *lit = NULL;

	make_local_dir(f, dir, sizeof dir, "single");
	snprintf(path, sizeof path, "%s/data.csv", dir);
	write_text(path, "abc");
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, path, CACHET_OFFLOAD_AUTO,
					     "csv", NULL),
			 0);
	/* the prefix ends in '/': the object is right under it */
	snprintf(uri, sizeof uri, "%sdata.csv", prefix);
	assert_int_equal(lit->kind, CACHET_LITERAL_SCALAR);
	assert_int_equal(lit->scalar->kind, CACHET_SCALAR_BLOB);
	assert_string_equal(lit->scalar->blob->uri, uri);
	assert_int_equal(lit->scalar->blob->metadata->type->dimensionality, CACHET_BLOB_SINGLE);
	assert_string_equal(blob_format(lit), "csv");
	assert_string_equal(lit->hash, SHA256_ABC);
	char *data = get_object(f, uri, NULL);
	assert_string_equal(data, "abc");
	cachet_free(data);
	const char *uris[] = {uri};
	assert_objects(f, prefix, uris, 1);
	cachet_literal_free(lit);

	/* --as file says the same; no format leaves it empty */
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, path, CACHET_OFFLOAD_FILE,
					     NULL, NULL),
			 0);
	assert_string_equal(lit->scalar->blob->uri, uri);
	assert_string_equal(blob_format(lit), "");
	assert_string_equal(lit->hash, SHA256_ABC);
	cachet_literal_free(lit);
	cachet_free(prefix);
}

static uint64_t last_done, last_total;
static unsigned progress_calls;
static pthread_t progress_thread;
static bool progress_off_thread;

static void on_progress(uint64_t done, uint64_t total, void *payload)
{
	(void)payload;
	if (!pthread_equal(pthread_self(), progress_thread))
		progress_off_thread = true;
	last_done = done;
	last_total = total;
	progress_calls++;
}

static void reset_progress(void)
{
	last_done = last_total = 0;
	progress_calls = 0;
	progress_thread = pthread_self();
	progress_off_thread = false;
}

/* A file big enough for the pipelined copy (hashing on a second thread). */
static void big_file_pipelined(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], uri[BIG];
	char *prefix = fresh_prefix(f);
	unsigned char *bytes = malloc(PATTERN_LEN);
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = NULL;
	size_t len;

	assert_non_null(bytes);
	fill_pattern(bytes, PATTERN_LEN);
	make_local_dir(f, dir, sizeof dir, "big");
	snprintf(path, sizeof path, "%s/pattern.bin", dir);
	write_file(path, bytes, PATTERN_LEN);
	opts.progress = on_progress;
	reset_progress();
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, path, CACHET_OFFLOAD_AUTO,
					     NULL, &opts),
			 0);
	assert_string_equal(lit->hash, SHA256_PATTERN);
	snprintf(uri, sizeof uri, "%spattern.bin", prefix);
	char *data = get_object(f, uri, &len);
	assert_int_equal(len, PATTERN_LEN);
	assert_memory_equal(data, bytes, PATTERN_LEN);
	cachet_free(data);
	/* progress: on the calling thread only, ending at done == total */
	assert_true(progress_calls >= 1);
	assert_false(progress_off_thread);
	assert_int_equal(last_done, PATTERN_LEN);
	assert_int_equal(last_total, PATTERN_LEN);
	cachet_literal_free(lit);
	cachet_free(prefix);
	free(bytes);
}

static void xxh128_digest(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128];
	char *prefix = fresh_prefix(f);
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = NULL;

	make_local_dir(f, dir, sizeof dir, "xxh");
	snprintf(path, sizeof path, "%s/abc", dir);
	write_text(path, "abc");
	opts.digest = CACHET_DIGEST_XXH128;
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, path, CACHET_OFFLOAD_AUTO,
					     NULL, &opts),
			 0);
	assert_string_equal(lit->hash, XXH128_ABC);
	cachet_literal_free(lit);
	cachet_free(prefix);
}

static void check_dir_literal(store_fx *f, const cachet_literal *lit, const char *prefix,
			      const char *name)
{
	char base[PATH_MAX * 2], u1[BIG], u2[BIG], u3[BIG];

	snprintf(base, sizeof base, "%s%s", prefix, name);
	assert_int_equal(lit->scalar->kind, CACHET_SCALAR_BLOB);
	assert_string_equal(lit->scalar->blob->uri, base);
	assert_int_equal(lit->scalar->blob->metadata->type->dimensionality,
			 CACHET_BLOB_MULTIPART);
	assert_string_equal(lit->hash, SHA256_DIR);
	snprintf(u1, sizeof u1, "%s/.hidden", base);
	snprintf(u2, sizeof u2, "%s/a.txt", base);
	snprintf(u3, sizeof u3, "%s/sub/b.txt", base);
	const char *uris[] = {u1, u2, u3};
	assert_objects(f, prefix, uris, 3);
	char *data = get_object(f, u2, NULL);
	assert_string_equal(data, "alpha\n");
	cachet_free(data);
	data = get_object(f, u3, NULL);
	assert_string_equal(data, "beta\n");
	cachet_free(data);
	data = get_object(f, u1, NULL);
	assert_string_equal(data, "");
	cachet_free(data);
}

static void directory_gives_blob_multipart(void **state)
{
	store_fx *f = *state;
	char dir[64], with_dot[80];
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = NULL;

	make_local_dir(f, dir, sizeof dir, "tree");
	make_sample_dir(dir);
	/* one worker, then several: the same objects and the same hash */
	for (unsigned threads = 1; threads <= 4; threads += 3) {
		char *prefix = fresh_prefix(f);
		opts.threads = threads;
		opts.progress = on_progress;
		reset_progress();
		assert_int_equal(cachet_offload_path(&lit, f->store, prefix, dir,
						     CACHET_OFFLOAD_AUTO, NULL, &opts),
				 0);
		check_dir_literal(f, lit, prefix, dir);
		assert_false(progress_off_thread);
		assert_int_equal(last_done, 11);
		assert_int_equal(last_total, 11);
		cachet_literal_free(lit);
		cachet_free(prefix);
	}
	/* the same hash as `cachet hash` (the digest layer) gives */
	char *hash = NULL;
	assert_int_equal(cachet_hash_path(&hash, dir, NULL), 0);
	assert_string_equal(hash, SHA256_DIR);
	cachet_free(hash);

	/* "dir/." and "dir/" are named after the directory itself */
	char *prefix = fresh_prefix(f);
	snprintf(with_dot, sizeof with_dot, "%s/.", dir);
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, with_dot,
					     CACHET_OFFLOAD_DIRECTORY, NULL, NULL),
			 0);
	check_dir_literal(f, lit, prefix, dir);
	cachet_literal_free(lit);
	cachet_free(prefix);
}

static void empty_directory(void **state)
{
	store_fx *f = *state;
	char dir[64], uri[BIG];
	char *prefix = fresh_prefix(f);
	cachet_literal *lit = NULL;

	make_local_dir(f, dir, sizeof dir, "empty");
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, dir, CACHET_OFFLOAD_AUTO,
					     NULL, NULL),
			 0);
	snprintf(uri, sizeof uri, "%s%s", prefix, dir);
	assert_string_equal(lit->scalar->blob->uri, uri);
	assert_string_equal(lit->hash, SHA256_EMPTY_DIR);
	assert_listing(f, prefix, "");
	cachet_literal_free(lit);
	cachet_free(prefix);
}

static void dataset_of_a_file_or_a_directory(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], tree[80], uri[BIG];
	char *prefix = fresh_prefix(f);
	cachet_literal *lit = NULL;

	make_local_dir(f, dir, sizeof dir, "ds");
	snprintf(path, sizeof path, "%s/rows.csv", dir);
	write_text(path, "abc");
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, path,
					     CACHET_OFFLOAD_DATASET, "csv", NULL),
			 0);
	snprintf(uri, sizeof uri, "%srows.csv", prefix);
	assert_int_equal(lit->scalar->kind, CACHET_SCALAR_STRUCTURED_DATASET);
	assert_string_equal(lit->scalar->structured_dataset->uri, uri);
	assert_string_equal(
		lit->scalar->structured_dataset->metadata->structured_dataset_type->format, "csv");
	assert_string_equal(lit->hash, SHA256_ABC);
	cachet_literal_free(lit);

	snprintf(tree, sizeof tree, "%s/parts", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	make_sample_dir(tree);
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, tree,
					     CACHET_OFFLOAD_DATASET, "parquet", NULL),
			 0);
	snprintf(uri, sizeof uri, "%sparts", prefix);
	assert_int_equal(lit->scalar->kind, CACHET_SCALAR_STRUCTURED_DATASET);
	assert_string_equal(lit->scalar->structured_dataset->uri, uri);
	assert_string_equal(
		lit->scalar->structured_dataset->metadata->structured_dataset_type->format,
		"parquet");
	assert_string_equal(lit->hash, SHA256_DIR);
	cachet_literal_free(lit);
	cachet_free(prefix);
}

static void fresh_prefix_when_none_given(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], start[BIG], date[16];
	cachet_literal *a = NULL, *b = NULL;
	time_t t = time(NULL);
	struct tm tm;

	make_local_dir(f, dir, sizeof dir, "noprefix");
	snprintf(path, sizeof path, "%s/x.bin", dir);
	write_text(path, "abc");
	assert_int_equal(cachet_offload_path(&a, f->store, NULL, path, CACHET_OFFLOAD_AUTO, NULL,
					     NULL),
			 0);
	assert_int_equal(cachet_offload_path(&b, f->store, NULL, path, CACHET_OFFLOAD_AUTO, NULL,
					     NULL),
			 0);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y%m%d", &tm);
	snprintf(start, sizeof start, "%s/%s-", f->root, date);
	/* two runs, two places, one hash */
	assert_int_equal(strncmp(a->scalar->blob->uri, start, strlen(start)), 0);
	assert_int_equal(strncmp(b->scalar->blob->uri, start, strlen(start)), 0);
	assert_string_not_equal(a->scalar->blob->uri, b->scalar->blob->uri);
	assert_string_equal(a->hash, b->hash);
	cachet_literal_free(a);
	cachet_literal_free(b);
}

/* ---------------------------------------------------------------------- */
/* Failures: a clear error, nothing visible                               */

static void expect_offload_error(store_fx *f, const char *path, cachet_offload_kind kind,
				 int code, const char *message)
{
	cachet_literal *lit = (cachet_literal *)1;
	char *prefix = fresh_prefix(f);
	assert_cachet_error(cachet_offload_path(&lit, f->store, prefix, path, kind, NULL, NULL),
			    code, message);
	assert_null(lit);
	cachet_free(prefix);
	assert_store_empty(f);
}

static void wrong_kind_missing_and_special_files(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], msg[512];

	make_local_dir(f, dir, sizeof dir, "bad");
	snprintf(path, sizeof path, "%s/file.txt", dir);
	write_text(path, "x");
	snprintf(msg, sizeof msg, "cannot offload '%s' as a directory: it is a regular file", path);
	expect_offload_error(f, path, CACHET_OFFLOAD_DIRECTORY, CACHET_EINVALID, msg);
	snprintf(msg, sizeof msg, "cannot offload '%s' as a file: it is a directory", dir);
	expect_offload_error(f, dir, CACHET_OFFLOAD_FILE, CACHET_EINVALID, msg);

	snprintf(path, sizeof path, "%s/missing.csv", dir);
	snprintf(msg, sizeof msg, "cannot offload '%s': No such file or directory", path);
	expect_offload_error(f, path, CACHET_OFFLOAD_AUTO, CACHET_ENOTFOUND, msg);

	/* a FIFO is refused without being opened: no hang */
	snprintf(path, sizeof path, "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(msg, sizeof msg,
		 "cannot offload '%s': it is a FIFO, not a regular file or a directory", path);
	expect_offload_error(f, path, CACHET_OFFLOAD_AUTO, CACHET_EUNSUPPORTED, msg);
	unlink(path);

	/* a file name that cannot be an object's */
	snprintf(path, sizeof path, "%s/\xff.csv", dir);
	write_text(path, "x");
	snprintf(msg, sizeof msg, "cannot offload '%s/\\xff.csv': the file name is not UTF-8", dir);
	expect_offload_error(f, path, CACHET_OFFLOAD_AUTO, CACHET_EINVALID, msg);
	unlink(path);

	expect_offload_error(f, "", CACHET_OFFLOAD_AUTO, CACHET_EINVALID,
			     "offload: no store or no path given");
	expect_offload_error(f, "/", CACHET_OFFLOAD_AUTO, CACHET_EINVALID,
			     "cannot offload '/': it has no name to store it under");

	/* options this library does not know */
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = (cachet_literal *)1;
	opts.version = 99;
	assert_cachet_error(cachet_offload_path(&lit, f->store, NULL, dir, CACHET_OFFLOAD_AUTO,
						NULL, &opts),
			    CACHET_EUNSUPPORTED, "hash options version 99 is not supported");
	assert_null(lit);
	opts.version = CACHET_HASH_OPTIONS_VERSION;
	opts.digest = (cachet_digest)7;
	assert_cachet_error(cachet_offload_path(&lit, f->store, NULL, dir, CACHET_OFFLOAD_AUTO,
						NULL, &opts),
			    CACHET_EINVALID, "unknown digest algorithm 7");
	/* a format that is not UTF-8 is refused before anything is copied */
	assert_int_equal(cachet_offload_path(&lit, f->store, NULL, dir, CACHET_OFFLOAD_AUTO,
					     "\xff", NULL),
			 CACHET_EINVALID);
	assert_store_empty(f);
	expect_offload_error(f, dir, (cachet_offload_kind)9, CACHET_EINVALID,
			     "unknown offload kind 9");
}

/* Inside a directory, offloading refuses what hashing refuses (the
 * digest layer's walk): the message names the file. */
static void bad_things_inside_a_directory(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], msg[512];

	make_local_dir(f, dir, sizeof dir, "inside");
	make_sample_dir(dir);
	snprintf(path, sizeof path, "%s/zz-fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(msg, sizeof msg, "cannot hash '%s': it is a FIFO, not a regular file", path);
	expect_offload_error(f, dir, CACHET_OFFLOAD_AUTO, CACHET_EUNSUPPORTED, msg);
	unlink(path);

	snprintf(path, sizeof path, "%s/zz-out", dir);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	expect_offload_error(f, dir, CACHET_OFFLOAD_AUTO, CACHET_EINVALID, NULL);
	assert_non_null(strstr(cachet_error_last()->message, "symlink leads out of"));
	unlink(path);

	snprintf(path, sizeof path, "%s/zz-loop", dir);
	assert_int_equal(symlink("zz-loop", path), 0);
	expect_offload_error(f, dir, CACHET_OFFLOAD_AUTO, CACHET_EINVALID, NULL);
	assert_non_null(strstr(cachet_error_last()->message, "symlink loop"));
	unlink(path);

	/* a symlink that stays inside counts as what it points to */
	snprintf(path, sizeof path, "%s/sub/link", dir);
	assert_int_equal(symlink("b.txt", path), 0);
	cachet_literal *lit = NULL;
	char *prefix = fresh_prefix(f), uri[BIG];
	assert_int_equal(cachet_offload_path(&lit, f->store, prefix, dir, CACHET_OFFLOAD_AUTO,
					     NULL, NULL),
			 0);
	snprintf(uri, sizeof uri, "%s%s/sub/link", prefix, dir);
	char *data = get_object(f, uri, NULL);
	assert_string_equal(data, "beta\n");
	cachet_free(data);
	char *hash = NULL;
	assert_int_equal(cachet_hash_path(&hash, dir, NULL), 0);
	assert_string_equal(lit->hash, hash);
	cachet_free(hash);
	cachet_literal_free(lit);
	cachet_free(prefix);
}

/* The digest layer's hook runs after a file's bytes were read and before
 * the check that it did not change: the place to change it. */
static const char *truncate_target;

static void truncate_after_read(const char *path, void *arg)
{
	(void)arg;
	if (truncate_target && strstr(path, truncate_target) != NULL)
		assert_int_equal(truncate(path, 1), 0);
}

static void file_changed_while_read(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], msg[512];
	cachet__digest_hooks hooks = {.after_read = truncate_after_read};
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;

	make_local_dir(f, dir, sizeof dir, "changing");
	cachet__digest_set_hooks(&hooks);

	/* a file */
	snprintf(path, sizeof path, "%s/shrinks.bin", dir);
	write_text(path, "several bytes");
	truncate_target = "shrinks.bin";
	snprintf(msg, sizeof msg, "cannot read '%s': it changed while it was read", path);
	expect_offload_error(f, path, CACHET_OFFLOAD_AUTO, CACHET_EIO, msg);

	/* the second file of a directory: the first, committed already, is
	 * taken back */
	snprintf(path, sizeof path, "%s/tree", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	make_sample_dir(path);
	truncate_target = "sub/b.txt";
	opts.threads = 1;
	cachet_literal *lit = (cachet_literal *)1;
	char *prefix = fresh_prefix(f);
	snprintf(msg, sizeof msg, "cannot read '%s/sub/b.txt': it changed while it was read", path);
	assert_cachet_error(cachet_offload_path(&lit, f->store, prefix, path, CACHET_OFFLOAD_AUTO,
						NULL, &opts),
			    CACHET_EIO, msg);
	assert_null(lit);
	assert_store_empty(f);
	cachet_free(prefix);

	truncate_target = NULL;
	cachet__digest_set_hooks(NULL);
}

/* Run fn in a child process; returns what it wrote to its pipe. */
static char *in_child(void (*fn)(store_fx *f, int out), store_fx *f)
{
	int fds[2];
	char *buf = calloc(1, 4096);
	size_t n = 0;
	int status;

	assert_non_null(buf);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		fn(f, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		ssize_t got = read(fds[0], buf + n, 4095 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return buf;
}

static void report(int out, int rc)
{
	dprintf(out, "%d %s", rc, rc < 0 ? cachet_error_last()->message : "");
}

static void offload_under_small_fsize(store_fx *f, int out)
{
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = NULL;
	struct rlimit rl = {1u << 20, 1u << 20};

	/* Past RLIMIT_FSIZE a write fails with EFBIG when SIGXFSZ is
	 * ignored: a disk that fills up, for one process. */
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
	opts.threads = 1;
	int rc = cachet_offload_path(&lit, f->store, f->root, "fsize-in", CACHET_OFFLOAD_AUTO,
				     NULL, &opts);
	report(out, rc);
	cachet_literal_free(lit);
}

static void disk_full(void **state)
{
	store_fx *f = *state;
	char expected[BIG];
	unsigned char *bytes = malloc(3u << 20);

	assert_non_null(bytes);
	fill_pattern(bytes, 3u << 20);
	/* a directory whose last file (in walk order) is too big: the small
	 * ones, written first, are taken back */
	assert_int_equal(mkdir("fsize-in", 0700), 0);
	write_text("fsize-in/a-small", "small");
	write_text("fsize-in/b-small", "small too");
	write_file("fsize-in/c-big", bytes, 3u << 20);
	char *got = in_child(offload_under_small_fsize, f);
	snprintf(expected, sizeof expected, "%d cannot write '%s/fsize-in/c-big': File too large",
		 CACHET_EIO, f->root);
	assert_string_equal(got, expected);
	free(got);
	assert_store_empty(f);
	/* a single file (the pipelined copy) */
	assert_int_equal(unlink("fsize-in/a-small"), 0);
	assert_int_equal(unlink("fsize-in/b-small"), 0);
	assert_int_equal(rename("fsize-in/c-big", "fsize-big"), 0);
	assert_int_equal(rmdir("fsize-in"), 0);
	assert_int_equal(rename("fsize-big", "fsize-in"), 0);
	got = in_child(offload_under_small_fsize, f);
	snprintf(expected, sizeof expected, "%d cannot write '%s/fsize-in': File too large",
		 CACHET_EIO, f->root);
	assert_string_equal(got, expected);
	free(got);
	assert_store_empty(f);
	unlink("fsize-in");
	free(bytes);
}

/* As an unprivileged user (root reads anything), in a directory of its
 * own; reports the offload of a file nobody may read. */
static void offload_unreadable(store_fx *f, int out)
{
	char tmpl[] = "/tmp/cachet-eacces-XXXXXX";
	cachet_store *s = NULL;
	cachet_literal *lit = NULL;
	int rc;

	(void)f;
	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)) {
		dprintf(out, "cannot drop privileges");
		return;
	}
	if (mkdtemp(tmpl) == NULL || chdir(tmpl) < 0) {
		dprintf(out, "setup failed");
		return;
	}
	FILE *fp = fopen("secret.csv", "w");
	if (fp == NULL) {
		dprintf(out, "setup failed");
		return;
	}
	fputs("abc", fp);
	fclose(fp);
	chmod("secret.csv", 0);
	if ((rc = cachet_store_open_home(&s, "home")) == 0) {
		rc = cachet_offload_path(&lit, s, cachet_store_root(s), "secret.csv",
					 CACHET_OFFLOAD_AUTO, NULL, NULL);
		report(out, rc);
		struct listing l = {cachet_store_root(s), NULL, 0, 0};
		(void)cachet_store_list(s, cachet_store_root(s), collect, &l);
		dprintf(out, " / %zu objects", l.n);
	} else {
		report(out, rc);
	}
	cachet_literal_free(lit);
	cachet_store_free(s);
	char rm[128];
	snprintf(rm, sizeof rm, "rm -rf '%s'", tmpl);
	(void)system(rm);
}

static void unreadable_file(void **state)
{
	store_fx *f = *state;
	char expected[256];
	char *got = in_child(offload_unreadable, f);
	snprintf(expected, sizeof expected,
		 "%d cannot open 'secret.csv': Permission denied / 0 objects", CACHET_EIO);
	assert_string_equal(got, expected);
	free(got);
}

/* Every allocation failure: ENOMEM, no Literal, nothing in the store, no
 * leak. One worker thread: fault injection counts on one thread. */
static int delete_all_cb(const char *uri, const cachet_store_stat *st, void *payload)
{
	(void)st;
	return cachet_store_delete(payload, uri);
}

static void out_of_memory(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], tree[80];
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;

	make_local_dir(f, dir, sizeof dir, "oom");
	snprintf(path, sizeof path, "%s/small.csv", dir);
	write_text(path, "abc");
	snprintf(tree, sizeof tree, "%s/tree", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	make_sample_dir(tree);
	opts.threads = 1;

	const char *paths[] = {path, tree};
	for (size_t k = 0; k < 2; k++) {
		for (long n = 0;; n++) {
			cachet_literal *lit = NULL;
			cachet__alloc_fail_after(n);
			int rc = cachet_offload_path(&lit, f->store, f->root, paths[k],
						     CACHET_OFFLOAD_AUTO, "csv", &opts);
			bool failed = cachet__alloc_failed();
			cachet__alloc_fail_reset();
			if (!failed) {
				assert_int_equal(rc, 0);
				assert_string_equal(lit->hash, k == 0 ? SHA256_ABC : SHA256_DIR);
				cachet_literal_free(lit);
				break;
			}
			assert_int_equal(rc, CACHET_ENOMEM);
			assert_null(lit);
			assert_store_empty(f);
			assert_true(n < 10000);
		}
		assert_int_equal(cachet_store_list(f->store, f->root, delete_all_cb, f->store), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(file_gives_blob_single),
		BOTH(big_file_pipelined),
		BOTH(xxh128_digest),
		BOTH(directory_gives_blob_multipart),
		BOTH(empty_directory),
		BOTH(dataset_of_a_file_or_a_directory),
		BOTH(fresh_prefix_when_none_given),
		BOTH(wrong_kind_missing_and_special_files),
		BOTH(bad_things_inside_a_directory),
		BOTH(file_changed_while_read),
		FILE_ONLY(disk_full),
		cmocka_unit_test(unreadable_file),
		BOTH(out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
