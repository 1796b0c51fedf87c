/*
 * Offloading local data into the store, hashing in the same pass: the
 * Literal each kind gives, hashes checked against values computed with
 * independent tools (sha256sum, xxhsum -H2, Python's hashlib following
 * docs/hashing.md), every way it can fail leaving nothing visible, and the
 * stat cache: offloads record what they hash, and copy files whose digest
 * it knows without reading them (the digest layer's read counter), unless
 * they changed.
 */
#define _DEFAULT_SOURCE /* realpath, setgroups */

#include "test_store_helpers.h"
#include "test_unprivileged.h"

#include "digest/internal.h"
#include "util/alloc.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
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
/* ... with "sub/b.txt" holding "BETA\n" instead (Python's hashlib) */
#define SHA256_DIR_BETA \
	"sha256-dir:ddfd1cf914526452f0e3365403f6f71041cff21774e159ceb4054dad7275e11c"
/* ... with a.txt's digest replaced by sha256("abd") (Python's hashlib) */
#define SHA256_DIR_A_ABD \
	"sha256-dir:73f771271acc9c4cebb4a3f8828d4e0daa3b3dcd528dbf9fba644f9f24d37f43"
/* the directory digest over {"one": "abc"} (Python's hashlib) */
#define SHA256_DIR_ONE_ABC \
	"sha256-dir:359aee9ee4c44e301b392ff24130f3b4c15c38c271855561ab3de049dccf00ac"
/* printf 'several bytes' | sha256sum */
#define SHA256_SEVERAL "sha256:b988c5cc461daad9521439d03be1036f013c91cb97a246caa01cf4f53928890a"
/* printf abd | sha256sum */
#define SHA256_ABD "sha256:a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9"
#define RAW_SHA256_ABD "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9"
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

/* Offloading path fails with code and message, and the store stays empty. */
static void expect_offload_error_with(store_fx *f, const char *path, cachet_offload_kind kind,
				      const cachet_hash_options *opts, int code,
				      const char *message)
{
	cachet_literal *lit = (cachet_literal *)1;
	char *prefix = fresh_prefix(f);
	assert_cachet_error(cachet_offload_path(&lit, f->store, prefix, path, kind, NULL, opts),
			    code, message);
	assert_null(lit);
	cachet_free(prefix);
	assert_store_empty(f);
}

static void expect_offload_error(store_fx *f, const char *path, cachet_offload_kind kind,
				 int code, const char *message)
{
	expect_offload_error_with(f, path, kind, NULL, code, message);
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
	assert_cachet_error(
		cachet_offload_path(&lit, f->store, NULL, dir, CACHET_OFFLOAD_AUTO, NULL, &opts),
		CACHET_EINVALID, "unsupported hash options version 99 (this library knows 1 to 1)");
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
	snprintf(msg, sizeof msg, "cannot read '%s/sub/b.txt': it changed while it was read", path);
	expect_offload_error_with(f, path, CACHET_OFFLOAD_AUTO, &opts, CACHET_EIO, msg);

	truncate_target = NULL;
	cachet__digest_set_hooks(NULL);
}

/* With several threads, the error is the failing file's own, not the
 * "cancelled" of a file that was being copied when it failed and comes
 * before it in walk order. */
static void failing_file_among_threads(void **state)
{
	store_fx *f = *state;
	char dir[64], path[192], msg[512];
	cachet__digest_hooks hooks = {.after_read = truncate_after_read};
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	size_t len = 256 * 1024;
	unsigned char *bytes = calloc(1, len);

	assert_non_null(bytes);
	make_local_dir(f, dir, sizeof dir, "threads-fail");
	for (char c = 'a'; c <= 'p'; c++) {
		snprintf(path, sizeof path, "%s/%c.bin", dir, c);
		write_file(path, bytes, len);
	}
	cachet__digest_set_hooks(&hooks);
	truncate_target = "/p.bin";
	opts.threads = 4;
	snprintf(msg, sizeof msg, "cannot read '%s/p.bin': it changed while it was read", dir);
	for (int round = 0; round < 10; round++) {
		snprintf(path, sizeof path, "%s/p.bin", dir);
		write_file(path, bytes, len); /* whole again */
		expect_offload_error_with(f, dir, CACHET_OFFLOAD_AUTO, &opts, CACHET_EIO, msg);
	}
	truncate_target = NULL;
	cachet__digest_set_hooks(NULL);
	free(bytes);
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

/* As an unprivileged user (root reads anything), in the directory that
 * unreadable_file made for it; reports the offload of a file nobody may
 * read. */
static void offload_unreadable(store_fx *f, int out)
{
	cachet_store *s = NULL;
	cachet_literal *lit = NULL;
	int rc;

	(void)f;
	if (cachet_test_become_nobody() != 0) {
		dprintf(out, "cannot become nobody: %s", strerror(errno));
		return;
	}
	FILE *fp = fopen("secret.csv", "w");
	if (fp == NULL) {
		dprintf(out, "setup failed: %s", strerror(errno));
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
}

static void unreadable_file(void **state)
{
	store_fx *f = *state;
	char expected[256];
	cachet_test_public_dir d;

	cachet_test_public_dir_enter(&d);
	char *got = in_child(offload_unreadable, f);
	cachet_test_public_dir_leave(&d);
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

/* ---------------------------------------------------------------------- */
/* The stat cache                                                         */

#define OLD_TIME 1000000000 /* 2001-09-09: long before any entry */

/* An mtime long past, so that entries recorded now are not racy. */
static void age(const char *path)
{
	struct timespec ts[2] = {{OLD_TIME, 0}, {OLD_TIME, 0}};
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void age_sample_dir(const char *dir)
{
	static const char *const names[] = {"a.txt", "sub/b.txt", ".hidden"};
	char p[PATH_MAX];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		age(p);
	}
}

/* A stat cache of the test's own, per backend. */
static cachet_stat_cache *open_cache(store_fx *f, const char *name, char *path, size_t size)
{
	cachet_stat_cache *sc = NULL;
	snprintf(path, size, "%s-%s.db", name, f->is_file ? "file" : "memory");
	assert_int_equal(cachet_stat_cache_open(&sc, path), 0);
	return sc;
}

/* How many files an offload of path through sc read into the process,
 * checking its hash; the Literal goes to *lit (NULL: freed). */
static uint64_t reads_to_offload(store_fx *f, cachet_literal **lit, const char *prefix,
				 const char *path, cachet_stat_cache *sc, const char *want)
{
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *l = NULL;
	opts.stat_cache = sc;
	uint64_t before = cachet__digest_files_read();
	assert_int_equal(cachet_offload_path(&l, f->store, prefix, path, CACHET_OFFLOAD_AUTO, NULL,
					     &opts),
			 0);
	uint64_t reads = cachet__digest_files_read() - before;
	assert_string_equal(l->hash, want);
	if (lit)
		*lit = l;
	else
		cachet_literal_free(l);
	return reads;
}

/* How many files `cachet hash` of path through sc read. */
static uint64_t reads_to_hash(const char *path, cachet_stat_cache *sc, const char *want)
{
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	char *hash = NULL;
	opts.stat_cache = sc;
	uint64_t before = cachet__digest_files_read();
	assert_int_equal(cachet_hash_path(&hash, path, &opts), 0);
	uint64_t reads = cachet__digest_files_read() - before;
	assert_string_equal(hash, want);
	cachet_free(hash);
	return reads;
}

/*
 * Files a second offload reads into the process: none on the file store
 * (copy_file_range, in the kernel); each one on the memory store, whose
 * writer takes bytes, though it hashes none of them.
 */
static uint64_t unhashed_reads(store_fx *f, uint64_t files)
{
	return f->is_file ? 0 : files;
}

static void assert_object(store_fx *f, const cachet_literal *lit, const char *rel,
			  const char *want)
{
	char uri[BIG];
	if (rel)
		snprintf(uri, sizeof uri, "%s/%s", lit->scalar->blob->uri, rel);
	else
		snprintf(uri, sizeof uri, "%s", lit->scalar->blob->uri);
	char *data = get_object(f, uri, NULL);
	assert_string_equal(data, want);
	cachet_free(data);
}

static void known_files_are_not_read_again(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], tree[80], first[128], db[64];
	cachet_stat_cache *sc = open_cache(f, "known", db, sizeof db);
	cachet_literal *lit = NULL;
	char *prefix = fresh_prefix(f);

	make_local_dir(f, dir, sizeof dir, "known");
	snprintf(path, sizeof path, "%s/data.csv", dir);
	write_text(path, "abc");
	age(path);
	snprintf(tree, sizeof tree, "%s/tree", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	make_sample_dir(tree);
	age_sample_dir(tree);

	/* the first offload reads and hashes, and records what it hashed:
	 * `cachet hash` then reads nothing, a file inside a directory too */
	assert_int_equal(reads_to_offload(f, NULL, prefix, path, sc, SHA256_ABC), 1);
	assert_int_equal(reads_to_hash(path, sc, SHA256_ABC), 0);
	cachet_free(prefix);
	prefix = fresh_prefix(f);
	assert_int_equal(reads_to_offload(f, NULL, prefix, tree, sc, SHA256_DIR), 3);
	assert_int_equal(reads_to_hash(tree, sc, SHA256_DIR), 0);
	cachet_free(prefix);

	/* the second offload copies without reading: same hash, same bytes */
	prefix = fresh_prefix(f);
	assert_int_equal(reads_to_offload(f, &lit, prefix, path, sc, SHA256_ABC),
			 unhashed_reads(f, 1));
	assert_object(f, lit, NULL, "abc");
	cachet_literal_free(lit);
	cachet_free(prefix);
	prefix = fresh_prefix(f);
	assert_int_equal(reads_to_offload(f, &lit, prefix, tree, sc, SHA256_DIR),
			 unhashed_reads(f, 3));
	check_dir_literal(f, lit, prefix, "tree");
	cachet_literal_free(lit);
	cachet_free(prefix);

	/* what `cachet hash` recorded, an offload uses (the bench's case) */
	snprintf(first, sizeof first, "%s/hashed-first.csv", dir);
	write_text(first, "abc");
	age(first);
	assert_int_equal(reads_to_hash(first, sc, SHA256_ABC), 1);
	prefix = fresh_prefix(f);
	assert_int_equal(reads_to_offload(f, &lit, prefix, first, sc, SHA256_ABC),
			 unhashed_reads(f, 1));
	assert_object(f, lit, NULL, "abc");
	cachet_literal_free(lit);
	cachet_free(prefix);

	/* an entry of the other algorithm is no help */
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	opts.stat_cache = sc;
	opts.digest = CACHET_DIGEST_XXH128;
	uint64_t before = cachet__digest_files_read();
	assert_int_equal(cachet_offload_path(&lit, f->store, NULL, path, CACHET_OFFLOAD_AUTO, NULL,
					     &opts),
			 0);
	assert_string_equal(lit->hash, XXH128_ABC);
	assert_int_equal(cachet__digest_files_read() - before, 1);
	cachet_literal_free(lit);
	cachet_stat_cache_free(sc);
}

/* Replace the recorded digest of the file at path (its real path keys
 * the entry) with raw_hex, behind the stat cache's back. */
static void tamper(const char *db_path, const char *path, const char *raw_hex)
{
	char real[PATH_MAX], sql[PATH_MAX + 256];
	sqlite3 *db;
	assert_non_null(realpath(path, real));
	snprintf(sql, sizeof sql,
		 "UPDATE files SET digest = X'%s' WHERE path = CAST('%s' AS BLOB) "
		 "AND algorithm = 'sha256'",
		 raw_hex, real);
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_close(db);
}

/* A known file's digest is the stat cache's, not computed again: an entry
 * changed behind its back shows in the hash (which is why the stat cache
 * is the user's own, in the home). */
static void the_digest_comes_from_the_stat_cache(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], tree[80], a[128], db[64];
	cachet_stat_cache *sc = open_cache(f, "tamper", db, sizeof db);

	make_local_dir(f, dir, sizeof dir, "tamper");
	snprintf(path, sizeof path, "%s/data.csv", dir);
	write_text(path, "abc");
	age(path);
	snprintf(tree, sizeof tree, "%s/tree", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	make_sample_dir(tree);
	age_sample_dir(tree);
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABC), 1);
	assert_int_equal(reads_to_offload(f, NULL, NULL, tree, sc, SHA256_DIR), 3);

	tamper(db, path, RAW_SHA256_ABD);
	snprintf(a, sizeof a, "%s/a.txt", tree);
	tamper(db, a, RAW_SHA256_ABD);
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABD),
			 unhashed_reads(f, 1));
	assert_int_equal(reads_to_offload(f, NULL, NULL, tree, sc, SHA256_DIR_A_ABD),
			 unhashed_reads(f, 3));
	/* without the stat cache, the bytes speak */
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, NULL, SHA256_ABC), 1);
	cachet_stat_cache_free(sc);
}

/* Let the file system's clock move on: a kernel that stamps files with a
 * coarse clock (one tick: 1 to 10 ms) could otherwise give a rewrite the
 * ctime of the previous write, and the tests below set the mtime back. */
static void next_tick(void)
{
	struct timespec pause = {0, 20000000};
	nanosleep(&pause, NULL);
}

static void changed_files_are_hashed_again(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], tree[80], b[128], db[64];
	cachet_stat_cache *sc = open_cache(f, "changed", db, sizeof db);
	cachet_literal *lit = NULL;

	make_local_dir(f, dir, sizeof dir, "changed");
	snprintf(path, sizeof path, "%s/data.csv", dir);
	write_text(path, "abc");
	age(path);
	snprintf(tree, sizeof tree, "%s/tree", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	make_sample_dir(tree);
	age_sample_dir(tree);
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABC), 1);
	assert_int_equal(reads_to_offload(f, NULL, NULL, tree, sc, SHA256_DIR), 3);

	/* same size, same mtime, same inode: only the ctime tells */
	next_tick();
	write_text(path, "abd");
	age(path);
	assert_int_equal(reads_to_offload(f, &lit, NULL, path, sc, SHA256_ABD), 1);
	assert_object(f, lit, NULL, "abd");
	cachet_literal_free(lit);
	/* and the new digest is recorded */
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABD),
			 unhashed_reads(f, 1));

	/* one file of a directory: only it is hashed */
	snprintf(b, sizeof b, "%s/sub/b.txt", tree);
	next_tick();
	write_text(b, "BETA\n");
	age(b);
	assert_int_equal(reads_to_offload(f, &lit, NULL, tree, sc, SHA256_DIR_BETA),
			 1 + unhashed_reads(f, 2));
	assert_object(f, lit, "sub/b.txt", "BETA\n");
	assert_object(f, lit, "a.txt", "alpha\n");
	cachet_literal_free(lit);
	assert_int_equal(reads_to_hash(tree, sc, SHA256_DIR_BETA), 0);
	cachet_stat_cache_free(sc);
}

/* The racy-clean rule, with the clock replaced: an entry recorded at the
 * file's own mtime is not trusted; the time recorded is the one from
 * before the file was read. */
static int64_t fixed_now;
static int64_t clock_fixed(void)
{
	return fixed_now;
}

static uint64_t reads_at_start;
static int64_t clock_by_reads(void)
{
	int64_t mtime = (int64_t)OLD_TIME * 1000000000;
	return cachet__digest_files_read() == reads_at_start ? mtime : mtime + 10 * 1000000000LL;
}

static void racily_clean_entries_are_read_again(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], tree[80], one[128], db[64];
	cachet_stat_cache *sc = open_cache(f, "racy", db, sizeof db);
	cachet__digest_hooks fixed = {.now_ns = clock_fixed};
	cachet__digest_hooks by_reads = {.now_ns = clock_by_reads};

	make_local_dir(f, dir, sizeof dir, "racy");
	snprintf(path, sizeof path, "%s/data.csv", dir);
	write_text(path, "abc");
	age(path);
	cachet__digest_set_hooks(&fixed);
	/* recorded at the very nanosecond of the mtime: racy, read again */
	fixed_now = (int64_t)OLD_TIME * 1000000000 + 500;
	struct timespec ts[2] = {{OLD_TIME, 500}, {OLD_TIME, 500}};
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABC), 1);
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABC), 1);
	/* one nanosecond later: trusted */
	fixed_now++;
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABC), 1);
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABC),
			 unhashed_reads(f, 1));

	/* a clock that moves on once the file is read: an entry timed
	 * after reading would be trusted; the one from before is not (a
	 * directory of one file, which the clock follows) */
	age(path);
	snprintf(tree, sizeof tree, "%s/tree", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	snprintf(one, sizeof one, "%s/tree/one", dir);
	write_text(one, "abc");
	age(one);
	cachet__digest_set_hooks(&by_reads);
	const char *paths[] = {path, tree};
	const char *want[] = {SHA256_ABC, SHA256_DIR_ONE_ABC};
	for (int i = 0; i < 2; i++) {
		cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
		cachet_literal *lit = NULL;
		opts.stat_cache = sc;
		opts.threads = 1; /* one file at a time: the clock follows */
		for (int round = 0; round < 2; round++) {
			reads_at_start = cachet__digest_files_read();
			assert_int_equal(cachet_offload_path(&lit, f->store, NULL, paths[i],
							     CACHET_OFFLOAD_AUTO, NULL, &opts),
					 0);
			assert_string_equal(lit->hash, want[i]);
			cachet_literal_free(lit);
			assert_int_equal(cachet__digest_files_read() - reads_at_start, 1);
		}
	}
	cachet__digest_set_hooks(NULL);
	cachet_stat_cache_free(sc);
}

/* A file that changes while it is copied as a known version: copied
 * again with hashing; changing again fails as the hashing copy does. */
static const char *rewrite_target;
static const char *rewrite_text;
static int rewrites_left; /* < 0: every time */

static void rewrite_after_read(const char *path, void *arg)
{
	(void)arg;
	if (rewrite_target == NULL || strstr(path, rewrite_target) == NULL || rewrites_left == 0)
		return;
	if (rewrites_left > 0) {
		rewrites_left--;
		write_text(path, rewrite_text);
	} else {
		FILE *fp = fopen(path, "ab"); /* grows every time */
		assert_non_null(fp);
		fputc('x', fp);
		fclose(fp);
	}
}

static int rows_in(const char *db_path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;
	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM files", -1, &s, NULL),
			 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void known_file_changing_during_the_copy(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], tree[80], msg[512], db[64];
	cachet_stat_cache *sc = open_cache(f, "moving", db, sizeof db);
	cachet__digest_hooks hooks = {.after_read = rewrite_after_read};
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = NULL;

	make_local_dir(f, dir, sizeof dir, "moving");
	snprintf(path, sizeof path, "%s/data.csv", dir);
	write_text(path, "several bytes");
	age(path);
	snprintf(tree, sizeof tree, "%s/tree", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	make_sample_dir(tree);
	age_sample_dir(tree);
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_SEVERAL), 1);
	assert_int_equal(reads_to_offload(f, NULL, NULL, tree, sc, SHA256_DIR), 3);
	cachet__digest_set_hooks(&hooks);

	/* rewritten once, during the copy without hashing: the hashing
	 * copy that follows gives the new bytes and their hash */
	rewrite_target = "data.csv";
	rewrite_text = "abc";
	rewrites_left = 1;
	assert_int_equal(reads_to_offload(f, &lit, NULL, path, sc, SHA256_ABC),
			 1 + unhashed_reads(f, 1));
	assert_object(f, lit, NULL, "abc");
	cachet_literal_free(lit);
	rewrite_target = "sub/b.txt";
	rewrite_text = "BETA\n";
	rewrites_left = 1;
	assert_int_equal(reads_to_offload(f, &lit, NULL, tree, sc, SHA256_DIR_BETA),
			 1 + unhashed_reads(f, 3));
	assert_object(f, lit, "sub/b.txt", "BETA\n");
	cachet_literal_free(lit);

	/* changing on every read: fails, nothing visible, nothing recorded */
	rewrite_target = NULL;
	age(path);
	assert_int_equal(reads_to_offload(f, NULL, NULL, path, sc, SHA256_ABC), 1);
	int rows = rows_in(db);
	rewrite_target = "data.csv";
	rewrites_left = -1;
	char *prefix = fresh_prefix(f);
	opts.stat_cache = sc;
	lit = (cachet_literal *)1;
	snprintf(msg, sizeof msg, "cannot read '%s': it changed while it was read", path);
	assert_listing(f, prefix, "");
	assert_cachet_error(cachet_offload_path(&lit, f->store, prefix, path, CACHET_OFFLOAD_AUTO,
						NULL, &opts),
			    CACHET_EIO, msg);
	assert_null(lit);
	assert_listing(f, prefix, "");
	assert_int_equal(rows_in(db), rows);
	cachet_free(prefix);

	rewrite_target = NULL;
	cachet__digest_set_hooks(NULL);
	cachet_stat_cache_free(sc);
}

/* A directory whose offload fails records nothing, not even the files
 * copied and hashed before the failure. */
static void failed_offload_records_nothing(void **state)
{
	store_fx *f = *state;
	char dir[64], tree[80], msg[512], db[64];
	cachet_stat_cache *sc = open_cache(f, "failed", db, sizeof db);
	cachet__digest_hooks hooks = {.after_read = truncate_after_read};
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = (cachet_literal *)1;

	make_local_dir(f, dir, sizeof dir, "failed");
	snprintf(tree, sizeof tree, "%s/tree", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	make_sample_dir(tree);
	age_sample_dir(tree);
	cachet__digest_set_hooks(&hooks);
	truncate_target = "sub/b.txt";
	opts.threads = 1;
	opts.stat_cache = sc;
	snprintf(msg, sizeof msg, "cannot read '%s/sub/b.txt': it changed while it was read", tree);
	assert_cachet_error(cachet_offload_path(&lit, f->store, NULL, tree, CACHET_OFFLOAD_AUTO,
						NULL, &opts),
			    CACHET_EIO, msg);
	assert_null(lit);
	assert_store_empty(f);
	assert_int_equal(rows_in(db), 0);
	truncate_target = NULL;
	cachet__digest_set_hooks(NULL);
	cachet_stat_cache_free(sc);
}

/* The copy in the kernel meets a full disk: read/write take over and say
 * which side failed. */
static void offload_known_under_small_fsize(store_fx *f, int out)
{
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_literal *lit = NULL;
	cachet_stat_cache *sc = NULL;
	char *hash = NULL;
	struct rlimit rl = {1u << 20, 1u << 20};
	uint64_t before;
	int rc;

	if (cachet_stat_cache_open(&sc, "fsize.db") < 0) {
		dprintf(out, "cannot open the stat cache");
		return;
	}
	opts.stat_cache = sc;
	(void)cachet_hash_path(&hash, "fsize-known", &opts);
	cachet_free(hash);
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
	before = cachet__digest_files_read();
	rc = cachet_offload_path(&lit, f->store, f->root, "fsize-known", CACHET_OFFLOAD_AUTO, NULL,
				 &opts);
	report(out, rc);
	/* read() took over from copy_file_range, and nothing was hashed */
	dprintf(out, " / %d read", (int)(cachet__digest_files_read() - before));
	cachet_literal_free(lit);
	cachet_stat_cache_free(sc);
}

static void disk_full_in_the_kernel_copy(void **state)
{
	store_fx *f = *state;
	char expected[BIG];
	unsigned char *bytes = malloc(3u << 20);

	assert_non_null(bytes);
	fill_pattern(bytes, 3u << 20);
	write_file("fsize-known", bytes, 3u << 20);
	age("fsize-known");
	char *got = in_child(offload_known_under_small_fsize, f);
	snprintf(expected, sizeof expected,
		 "%d cannot write '%s/fsize-known': File too large / 1 read", CACHET_EIO, f->root);
	assert_string_equal(got, expected);
	free(got);
	assert_store_empty(f);
	unlink("fsize-known");
	free(bytes);
}

/* Allocation failures with a stat cache that knows every file: the copy
 * without hashing fails as cleanly as the other. */
static void out_of_memory_with_the_stat_cache(void **state)
{
	store_fx *f = *state;
	char dir[64], path[128], tree[80], db[64];
	cachet_stat_cache *sc = open_cache(f, "oom", db, sizeof db);
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;

	make_local_dir(f, dir, sizeof dir, "oom-sc");
	snprintf(path, sizeof path, "%s/small.csv", dir);
	write_text(path, "abc");
	age(path);
	snprintf(tree, sizeof tree, "%s/tree", dir);
	assert_int_equal(mkdir(tree, 0700), 0);
	make_sample_dir(tree);
	age_sample_dir(tree);
	assert_int_equal(reads_to_hash(path, sc, SHA256_ABC), 1);
	assert_int_equal(reads_to_hash(tree, sc, SHA256_DIR), 3);
	opts.threads = 1;
	opts.stat_cache = sc;

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
	cachet_stat_cache_free(sc);
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
		BOTH(failing_file_among_threads),
		BOTH(out_of_memory),
		BOTH(known_files_are_not_read_again),
		BOTH(the_digest_comes_from_the_stat_cache),
		BOTH(changed_files_are_hashed_again),
		BOTH(racily_clean_entries_are_read_again),
		BOTH(known_file_changing_during_the_copy),
		BOTH(failed_offload_records_nothing),
		FILE_ONLY(disk_full_in_the_kernel_copy),
		BOTH(out_of_memory_with_the_stat_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
