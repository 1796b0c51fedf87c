/*
 * The store: one generic suite run on both backends (the local filesystem
 * and memory), so that the interface is shown not to lean on a filesystem;
 * then what only the file backend does (atomic files, temporary files and
 * their cleanup, a full disk), URI checks, prefixes, threads and
 * allocation failures.
 */
#define _DEFAULT_SOURCE /* realpath, utimensat flags, setgroups */

#include "test_store_helpers.h"
#include "test_unprivileged.h"

#include "util/alloc.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#define BIG 16384 /* for messages built from paths */

/* ---------------------------------------------------------------------- */
/* The generic suite: every test here runs on both backends.              */

/* For the file store: no temporary file left anywhere. */
static void assert_store_empty_file(store_fx *f)
{
	if (f->is_file)
		assert_int_equal(count_temp_files(f->dir), 0);
}

static void put_get_stat(void **state)
{
	store_fx *f = *state;
	cachet_store_stat st;
	size_t len;
	time_t before = time(NULL);

	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "a/b.txt"), "hello", 5), 0);
	char *data = get_object(f, U(f, "a/b.txt"), &len);
	assert_int_equal(len, 5);
	assert_string_equal(data, "hello");
	cachet_free(data);

	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "a/b.txt")), 0);
	assert_int_equal(st.size, 5);
	/* mtime: when it was written (1 s of slack for the clock's tick) */
	assert_true(st.mtime.seconds >= before - 1 && st.mtime.seconds <= time(NULL) + 1);
	assert_true(st.mtime.nanos >= 0 && st.mtime.nanos < 1000000000);
}

static void empty_object(void **state)
{
	store_fx *f = *state;
	cachet_store_stat st;
	size_t len = 99;

	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "empty"), "", 0), 0);
	char *data = get_object(f, U(f, "empty"), &len);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	cachet_free(data);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "empty")), 0);
	assert_int_equal(st.size, 0);
	assert_listing(f, f->root, "empty\n");
}

static void replace(void **state)
{
	store_fx *f = *state;
	cachet_store_stat st;

	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "x"), "one", 3), 0);
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "x"), "two!", 4), 0);
	char *data = get_object(f, U(f, "x"), NULL);
	assert_string_equal(data, "two!");
	cachet_free(data);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "x")), 0);
	assert_int_equal(st.size, 4);
	assert_listing(f, f->root, "x\n");
}

static void not_found(void **state)
{
	store_fx *f = *state;
	cachet_store_stat st;
	cachet_store_reader *r = (cachet_store_reader *)1;
	char *data = (char *)1, expected[BIG];
	size_t len = 1;

	snprintf(expected, sizeof expected, "no object at '%s/nope'", f->root);
	assert_cachet_error(cachet_store_stat_object(&st, f->store, U(f, "nope")),
			    CACHET_ENOTFOUND, expected);
	assert_cachet_error(cachet_store_get_bytes(&data, &len, f->store, U(f, "nope")),
			    CACHET_ENOTFOUND, expected);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_cachet_error(cachet_store_reader_open(&r, f->store, U(f, "nope")),
			    CACHET_ENOTFOUND, expected);
	assert_null(r);
	assert_cachet_error(cachet_store_delete(f->store, U(f, "nope")), CACHET_ENOTFOUND,
			    expected);
	/* under an object, as if it were a directory */
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "file"), "x", 1), 0);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "file/below")),
			 CACHET_ENOTFOUND);
}

static void a_prefix_is_not_an_object(void **state)
{
	store_fx *f = *state;
	cachet_store_stat st;
	char *data = NULL;
	size_t len;

	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "d/x"), "1", 1), 0);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "d")), CACHET_ENOTFOUND);
	assert_int_equal(cachet_store_get_bytes(&data, &len, f->store, U(f, "d")),
			 CACHET_ENOTFOUND);
	assert_int_equal(cachet_store_delete(f->store, U(f, "d")), CACHET_ENOTFOUND);
	assert_listing(f, U(f, "d/"), "d/x\n");
}

static void listing(void **state)
{
	store_fx *f = *state;
	const char *keys[] = {"a/1", "a/2", "a/sub/3", "ab/4", "b/5", "a.txt"};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_int_equal(cachet_store_put_bytes(f->store, U(f, keys[i]), keys[i],
							strlen(keys[i])),
				 0);
	/* the root, with or without its '/' */
	assert_listing(f, f->root, "a.txt\na/1\na/2\na/sub/3\nab/4\nb/5\n");
	assert_listing(f, U(f, ""), "a.txt\na/1\na/2\na/sub/3\nab/4\nb/5\n");
	/* a "directory" */
	assert_listing(f, U(f, "a/"), "a/1\na/2\na/sub/3\n");
	assert_listing(f, U(f, "a/sub/"), "a/sub/3\n");
	/* a plain string prefix, as S3's */
	assert_listing(f, U(f, "a"), "a.txt\na/1\na/2\na/sub/3\nab/4\n");
	assert_listing(f, U(f, "a/s"), "a/sub/3\n");
	assert_listing(f, U(f, "a/1"), "a/1\n");
	/* nothing there: an empty listing, not an error */
	assert_listing(f, U(f, "zzz/"), "");
	assert_listing(f, U(f, "a/1/"), "");
	assert_listing(f, U(f, "c"), "");
}

static void listing_stops_when_asked(void **state)
{
	store_fx *f = *state;
	struct listing l = {f->root, NULL, 0, 2};

	for (int i = 0; i < 5; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", i);
		assert_int_equal(cachet_store_put_bytes(f->store, U(f, key), "x", 1), 0);
	}
	assert_int_equal(cachet_store_list(f->store, f->root, collect, &l), 7);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < l.n; i++)
		free(l.keys[i]);
	free(l.keys);
}

static int delete_each(const char *uri, const cachet_store_stat *st, void *payload)
{
	(void)st;
	return cachet_store_delete(payload, uri);
}

static void delete(void **state)
{
	store_fx *f = *state;
	cachet_store_stat st;

	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "p/q/r"), "x", 1), 0);
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "p/s"), "y", 1), 0);
	assert_int_equal(cachet_store_delete(f->store, U(f, "p/q/r")), 0);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "p/q/r")), CACHET_ENOTFOUND);
	assert_listing(f, f->root, "p/s\n");
	assert_int_equal(cachet_store_delete(f->store, U(f, "p/q/r")), CACHET_ENOTFOUND);
	/* a listing's callback may delete what it is handed */
	assert_int_equal(cachet_store_list(f->store, f->root, delete_each, f->store), 0);
	assert_listing(f, f->root, "");
}

static void writer_in_chunks(void **state)
{
	store_fx *f = *state;
	cachet_store_writer *w = NULL;
	cachet_store_stat st;

	assert_int_equal(cachet_store_writer_open(&w, f->store, U(f, "chunks"), 9), 0);
	assert_int_equal(cachet_store_writer_write(w, "abc", 3), 0);
	assert_int_equal(cachet_store_writer_write(w, "", 0), 0);
	assert_int_equal(cachet_store_writer_write(w, "def", 3), 0);
	/* nothing is visible before the commit */
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "chunks")), CACHET_ENOTFOUND);
	assert_listing(f, f->root, "");
	assert_int_equal(cachet_store_writer_write(w, "ghi", 3), 0);
	assert_int_equal(cachet_store_writer_commit(w), 0);
	char *data = get_object(f, U(f, "chunks"), NULL);
	assert_string_equal(data, "abcdefghi");
	cachet_free(data);
}

static void abort_leaves_nothing(void **state)
{
	store_fx *f = *state;
	cachet_store_writer *w = NULL;
	cachet_store_stat st;

	/* a new object */
	assert_int_equal(cachet_store_writer_open(&w, f->store, U(f, "d/gone"), UINT64_MAX), 0);
	assert_int_equal(cachet_store_writer_write(w, "partial", 7), 0);
	cachet_store_writer_abort(w);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "d/gone")), CACHET_ENOTFOUND);
	assert_listing(f, f->root, "");
	/* over an existing one, which stays as it was */
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "kept"), "old", 3), 0);
	assert_int_equal(cachet_store_writer_open(&w, f->store, U(f, "kept"), UINT64_MAX), 0);
	assert_int_equal(cachet_store_writer_write(w, "new bytes", 9), 0);
	cachet_store_writer_abort(w);
	char *data = get_object(f, U(f, "kept"), NULL);
	assert_string_equal(data, "old");
	cachet_free(data);
	cachet_store_writer_abort(NULL);
	if (f->is_file)
		assert_int_equal(count_temp_files(f->dir), 0);
}

/* A reader opened before a replace goes on reading the old bytes. */
static void reader_sees_whole_objects(void **state)
{
	store_fx *f = *state;
	cachet_store_reader *r = NULL;
	char buf[64];
	size_t got, total = 0;

	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "v"), "version one", 11), 0);
	assert_int_equal(cachet_store_reader_open(&r, f->store, U(f, "v")), 0);
	assert_int_equal(cachet_store_reader_read(r, buf, 4, &got), 0);
	assert_int_equal(got, 4);
	total = got;
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "v"), "second version", 14), 0);
	do {
		assert_int_equal(cachet_store_reader_read(r, buf + total, sizeof buf - total, &got),
				 0);
		total += got;
	} while (got > 0);
	assert_int_equal(total, 11);
	assert_memory_equal(buf, "version one", 11);
	cachet_store_reader_close(r);
	cachet_store_reader_close(NULL);
}

/* A pattern that shows a misplaced chunk. */
static void fill_pattern(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + i / 251);
}

static void streams_and_paths(void **state)
{
	store_fx *f = *state;
	const size_t n = (3u << 20) + 12345; /* crosses the 1 MiB chunks */
	unsigned char *data = malloc(n);
	size_t len;

	assert_non_null(data);
	fill_pattern(data, n);

	FILE *in = tmpfile();
	assert_non_null(in);
	assert_int_equal(fwrite(data, 1, n, in), n);
	rewind(in);
	assert_int_equal(cachet_store_put_stream(f->store, U(f, "s/stream.bin"), in), 0);
	fclose(in);
	char *got = get_object(f, U(f, "s/stream.bin"), &len);
	assert_int_equal(len, n);
	assert_memory_equal(got, data, n);
	cachet_free(got);

	FILE *out = tmpfile();
	assert_non_null(out);
	assert_int_equal(cachet_store_get_stream(f->store, U(f, "s/stream.bin"), out), 0);
	assert_int_equal((size_t)ftell(out), n);
	fclose(out);

	/* local files in a directory of this test's own */
	const char *dir = f->is_file ? "paths-file" : "paths-memory";
	char local[64], back_path[64], none_path[64];
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(local, sizeof local, "%s/local.bin", dir);
	snprintf(back_path, sizeof back_path, "%s/back.bin", dir);
	snprintf(none_path, sizeof none_path, "%s/none.bin", dir);
	write_file(local, data, n);
	assert_int_equal(cachet_store_put_path(f->store, U(f, "s/path.bin"), local), 0);
	assert_int_equal(cachet_store_get_path(f->store, U(f, "s/path.bin"), back_path), 0);
	char *back = read_file(back_path, &len);
	assert_int_equal(len, n);
	assert_memory_equal(back, data, n);
	free(back);

	/* get_path to a place that cannot be written names it */
	assert_cachet_error(cachet_store_get_path(f->store, U(f, "s/path.bin"), "no/such/dir/x"),
			    CACHET_EIO, "cannot write 'no/such/dir/x': No such file or directory");
	/* and a missing object leaves no file behind, not even a temporary */
	assert_int_equal(cachet_store_get_path(f->store, U(f, "s/none"), none_path),
			 CACHET_ENOTFOUND);
	assert_int_equal(access(none_path, F_OK), -1);
	assert_int_equal(count_temp_files(dir), 0);
	free(data);
}

/* A stream that cannot be read (or written) fails the put (or get), and
 * the put leaves nothing. */
static void stream_errors(void **state)
{
	store_fx *f = *state;
	char expected[BIG];
	cachet_store_stat st;

	FILE *wo = fopen("write-only.txt", "w");
	assert_non_null(wo);
	snprintf(expected, sizeof expected,
		 "cannot write '%s': cannot read the input: Bad file descriptor", U(f, "in"));
	assert_cachet_error(cachet_store_put_stream(f->store, U(f, "in"), wo), CACHET_EIO,
			    expected);
	fclose(wo);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "in")), CACHET_ENOTFOUND);
	assert_store_empty_file(f);

	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "out"), "bytes", 5), 0);
	FILE *ro = fopen("write-only.txt", "r");
	assert_non_null(ro);
	snprintf(expected, sizeof expected, "cannot copy '%s' out: Bad file descriptor",
		 U(f, "out"));
	assert_cachet_error(cachet_store_get_stream(f->store, U(f, "out"), ro), CACHET_EIO,
			    expected);
	fclose(ro);
}

static void put_path_errors(void **state)
{
	store_fx *f = *state;

	assert_cachet_error(cachet_store_put_path(f->store, U(f, "p"), "missing.bin"),
			    CACHET_ENOTFOUND, "cannot open 'missing.bin': No such file or directory");
	assert_int_equal(mkfifo("fifo", 0600), 0);
	assert_cachet_error(cachet_store_put_path(f->store, U(f, "p"), "fifo"),
			    CACHET_EUNSUPPORTED,
			    "cannot read 'fifo': it is a FIFO, not a regular file");
	unlink("fifo");
	assert_listing(f, f->root, "");
}

/* The rules of store URIs, checked before any backend sees them. */
static void uri_rules(void **state)
{
	store_fx *f = *state;
	char expected[BIG], uri[2 * PATH_MAX];
	cachet_store_stat st;

	struct {
		const char *suffix, *problem;
	} bad[] = {
		{"/a/../b", "has a '..' segment"},
		{"/..", "has a '..' segment"},
		{"/a/b/", "ends in '/': it names a prefix, not an object"},
		{"", "names the store's root, not an object"},
		{"/", "names the store's root, not an object"},
		/* canonical for a file URI (below), refused for another */
		{"/a/./b", "has a '.' segment"},
		{"/a//b", "has an empty segment"},
	};
	size_t n_bad = sizeof bad / sizeof bad[0] - (f->is_file ? 2 : 0);
	for (size_t i = 0; i < n_bad; i++) {
		snprintf(uri, sizeof uri, "%s%s", f->root, bad[i].suffix);
		snprintf(expected, sizeof expected, "store URI '%s' %s", uri, bad[i].problem);
		assert_cachet_error(cachet_store_put_bytes(f->store, uri, "x", 1), CACHET_EINVALID,
				    expected);
		assert_cachet_error(cachet_store_stat_object(&st, f->store, uri), CACHET_EINVALID,
				    expected);
		assert_cachet_error(cachet_store_delete(f->store, uri), CACHET_EINVALID, expected);
	}
	/* outside the root */
	const char *outside[] = {"file:///etc/passwd", "mem://other/x", "s3://b/k"};
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		snprintf(expected, sizeof expected, "store URI '%s' is outside the store '%s'",
			 outside[i], f->root);
		assert_cachet_error(cachet_store_put_bytes(f->store, outside[i], "x", 1),
				    CACHET_EINVALID, expected);
		assert_cachet_error(cachet_store_list(f->store, outside[i], collect, NULL),
				    CACHET_EINVALID, expected);
	}
	/* a sibling whose name starts with the root's */
	snprintf(uri, sizeof uri, "%sx/y", f->root);
	snprintf(expected, sizeof expected, "store URI '%s' is outside the store '%s'", uri,
		 f->root);
	assert_cachet_error(cachet_store_put_bytes(f->store, uri, "x", 1), CACHET_EINVALID,
			    expected);
	/* not UTF-8 */
	snprintf(uri, sizeof uri, "%s/\xff", f->root);
	assert_int_equal(cachet_store_put_bytes(f->store, uri, "x", 1), CACHET_EINVALID);
	/* listing prefixes: '..' is refused there too */
	snprintf(uri, sizeof uri, "%s/a/..", f->root);
	snprintf(expected, sizeof expected, "store URI '%s' has a '..' segment", uri);
	assert_cachet_error(cachet_store_list(f->store, uri, collect, NULL), CACHET_EINVALID,
			    expected);
	assert_listing(f, f->root, "");
	if (!f->is_file)
		return;
	/* A file URI is taken by its canonical spelling: one object. */
	snprintf(uri, sizeof uri, "%s/a//./b", f->root);
	assert_int_equal(cachet_store_put_bytes(f->store, uri, "x", 1), 0);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "a/b")), 0);
	assert_int_equal(st.size, 1);
	assert_listing(f, f->root, "a/b\n");
	snprintf(uri, sizeof uri, "%s/./a//", f->root);
	assert_listing(f, uri, "a/b\n");
	snprintf(uri, sizeof uri, "%s/a/.//b", f->root);
	assert_int_equal(cachet_store_delete(f->store, uri), 0);
	assert_listing(f, f->root, "");
}

static void execution_prefixes(void **state)
{
	store_fx *f = *state;
	char *a = NULL, *b = NULL, date[16], expect_start[BIG];
	time_t t = time(NULL);
	struct tm tm;

	assert_int_equal(cachet_store_new_prefix(&a, f->store), 0);
	assert_int_equal(cachet_store_new_prefix(&b, f->store), 0);
	assert_string_not_equal(a, b);
	/* "<root>/<YYYYMMDD>-<16 hex>/", the UTC date */
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y%m%d", &tm);
	snprintf(expect_start, sizeof expect_start, "%s/%s-", f->root, date);
	for (char *p = a;; p = b) {
		size_t n = strlen(expect_start);
		assert_int_equal(strncmp(p, expect_start, n), 0);
		assert_int_equal(strlen(p), n + 16 + 1);
		for (size_t i = n; i < n + 16; i++)
			assert_non_null(strchr("0123456789abcdef", p[i]));
		assert_int_equal(p[n + 16], '/');
		if (p == b)
			break;
	}
	/* a prefix is a valid place to write */
	char *uri = NULL;
	assert_int_equal(cachet_store_join(&uri, a, "out.csv"), 0);
	assert_int_equal(cachet_store_put_bytes(f->store, uri, "1,2\n", 4), 0);
	char expected[BIG];
	snprintf(expected, sizeof expected, "%s\n", &uri[strlen(f->root) + 1]);
	assert_listing(f, a, expected);
	cachet_free(uri);
	cachet_free(a);
	cachet_free(b);
}

static void joining(void **state)
{
	(void)state;
	char *s;
	assert_int_equal(cachet_store_join(&s, "mem://x/p", "k"), 0);
	assert_string_equal(s, "mem://x/p/k");
	cachet_free(s);
	assert_int_equal(cachet_store_join(&s, "mem://x/p/", "k/l"), 0);
	assert_string_equal(s, "mem://x/p/k/l");
	cachet_free(s);
}

/* Several threads writing into one store at once. */
struct writer_arg {
	store_fx *f;
	int id;
	char uris[50][PATH_MAX + 64];
};

static void *write_many(void *p)
{
	struct writer_arg *a = p;
	for (int j = 0; j < 50; j++) {
		snprintf(a->uris[j], sizeof a->uris[j], "%s/c/t%d/%d", a->f->root, a->id, j);
		if (cachet_store_put_bytes(a->f->store, a->uris[j], a->uris[j],
					   strlen(a->uris[j])) < 0)
			return (void *)1;
		snprintf(a->uris[j], sizeof a->uris[j], "%s/c/shared/%d-%d", a->f->root, a->id, j);
		if (cachet_store_put_bytes(a->f->store, a->uris[j], "s", 1) < 0)
			return (void *)1;
	}
	return NULL;
}

static void threads(void **state)
{
	store_fx *f = *state;
	struct writer_arg args[4];
	pthread_t tids[4];

	for (int i = 0; i < 4; i++) {
		args[i].f = f;
		args[i].id = i;
		assert_int_equal(pthread_create(&tids[i], NULL, write_many, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		void *ret;
		assert_int_equal(pthread_join(tids[i], &ret), 0);
		assert_null(ret);
	}
	char *keys = list_keys(f, U(f, "c/"));
	size_t lines = 0;
	for (char *p = keys; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 400);
	free(keys);
	char *data = get_object(f, U(f, "c/t3/49"), NULL);
	assert_string_equal(data, U(f, "c/t3/49"));
	cachet_free(data);
}

/* Writes and deletes racing in one directory: a delete removes the
 * directory it emptied while another write is about to create a file in
 * it; that write must still succeed. */
struct churn_arg {
	store_fx *f;
	const char *key;
	int failures;
};

static void *churn(void *p)
{
	struct churn_arg *a = p;
	char uri[2 * PATH_MAX];
	snprintf(uri, sizeof uri, "%s/%s", a->f->root, a->key);
	for (int i = 0; i < 300; i++) {
		if (cachet_store_put_bytes(a->f->store, uri, "x", 1) < 0 ||
		    cachet_store_delete(a->f->store, uri) < 0) {
			a->failures++;
			fprintf(stderr, "%s\n", cachet_error_last()->message);
		}
	}
	return NULL;
}

static void writes_race_deletes(void **state)
{
	store_fx *f = *state;
	struct churn_arg a = {f, "r/d/e/a", 0}, b = {f, "r/d/e/b", 0};
	pthread_t ta, tb;

	assert_int_equal(pthread_create(&ta, NULL, churn, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, churn, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.failures, 0);
	assert_int_equal(b.failures, 0);
	assert_listing(f, f->root, "");
}

/* Every allocation failure along the generic operations: ENOMEM, nothing
 * half-written, no leak (ASan). */
static void out_of_memory(void **state)
{
	store_fx *f = *state;
	write_text("oom-local.txt", "local bytes");
	for (long n = 0;; n++) {
		char *data = NULL, *prefix = NULL;
		size_t len;
		cachet_store_stat st;
		cachet__alloc_fail_after(n);
		int rc = cachet_store_put_bytes(f->store, U(f, "oom/a"), "abc", 3);
		if (rc == 0)
			rc = cachet_store_get_bytes(&data, &len, f->store, U(f, "oom/a"));
		if (rc == 0)
			rc = cachet_store_put_path(f->store, U(f, "oom/b"), "oom-local.txt");
		if (rc == 0)
			rc = cachet_store_get_path(f->store, U(f, "oom/b"), "oom-back.txt");
		if (rc == 0) {
			char *keys = NULL;
			cachet__alloc_fail_reset(); /* list_keys asserts success */
			(void)keys;
			cachet__alloc_fail_after(n); /* re-arm from here */
			struct listing l = {f->root, NULL, 0, 0};
			rc = cachet_store_list(f->store, U(f, "oom/"), collect, &l);
			for (size_t i = 0; i < l.n; i++)
				free(l.keys[i]);
			free(l.keys);
		}
		if (rc == 0)
			rc = cachet_store_new_prefix(&prefix, f->store);
		bool failed = cachet__alloc_failed();
		cachet__alloc_fail_reset();
		cachet_free(data);
		cachet_free(prefix);
		if (!failed) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
		/* what exists is whole */
		if (cachet_store_stat_object(&st, f->store, U(f, "oom/a")) == 0)
			assert_int_equal(st.size, 3);
		if (cachet_store_stat_object(&st, f->store, U(f, "oom/b")) == 0)
			assert_int_equal(st.size, 11);
		(void)cachet_store_delete(f->store, U(f, "oom/a"));
		(void)cachet_store_delete(f->store, U(f, "oom/b"));
		assert_true(n < 1000);
	}
	if (f->is_file)
		assert_int_equal(count_temp_files(f->dir), 0);
	char *back = read_file("oom-back.txt", NULL);
	assert_string_equal(back, "local bytes");
	free(back);
}

/* ---------------------------------------------------------------------- */
/* The file backend                                                       */

static void file_layout(void **state)
{
	store_fx *f = *state;
	char path[PATH_MAX + 32], expected_root[PATH_MAX + 16];

	snprintf(expected_root, sizeof expected_root, "file://%s", f->dir);
	assert_string_equal(f->root, expected_root);
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "x/y.txt"), "data", 4), 0);
	snprintf(path, sizeof path, "%s/x/y.txt", f->dir);
	char *data = read_file(path, NULL);
	assert_string_equal(data, "data");
	free(data);

	/* a delete takes the directories it emptied with it, not the root */
	assert_int_equal(cachet_store_delete(f->store, U(f, "x/y.txt")), 0);
	snprintf(path, sizeof path, "%s/x", f->dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(f->dir, F_OK), 0);
}

static void file_root_is_real_path(void **state)
{
	(void)state;
	cachet_store_backend *b = NULL;
	char real[PATH_MAX], expected[BIG];

	assert_int_equal(mkdir("realdir", 0700), 0);
	assert_int_equal(symlink("realdir", "linkdir"), 0);
	assert_int_equal(cachet_store_backend_file_new(&b, "linkdir/./store/"), 0);
	assert_non_null(realpath("realdir/store", real));
	snprintf(expected, sizeof expected, "file://%s", real);
	assert_string_equal(b->root, expected);
	b->free(b);
	/* created with mode 0700 */
	struct stat st;
	assert_int_equal(stat("realdir/store", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	write_text("plainfile", "x");
	assert_cachet_error(cachet_store_backend_file_new(&b, "plainfile/store"), CACHET_EIO,
			    "cannot create store directory 'plainfile': File exists");
	assert_null(b);
	assert_cachet_error(cachet_store_backend_file_new(&b, "/"), CACHET_EINVALID,
			    "the store cannot be the filesystem's root");
	assert_cachet_error(cachet_store_backend_file_new(&b, ""), CACHET_EINVALID,
			    "no store directory given");
}

static void file_reserved_temp_names(void **state)
{
	store_fx *f = *state;
	char expected[BIG];
	const char *uri = U(f, "d/.data.csv.tmp-0123456789abcdef");

	snprintf(expected, sizeof expected,
		 "store URI '%s' has the form of a temporary file's name, which the file store "
		 "reserves",
		 uri);
	assert_cachet_error(cachet_store_put_bytes(f->store, uri, "x", 1), CACHET_EINVALID,
			    expected);
	/* near misses are ordinary names */
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "d/.tmp-0123456789abcdef"), "x", 1),
			 0);
	assert_int_equal(
		cachet_store_put_bytes(f->store, U(f, "d/.a.tmp-0123456789ABCDEF"), "x", 1), 0);
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "d/a.tmp-0123456789abcdef"), "x", 1),
			 0);
	assert_listing(f, f->root,
		       "d/.a.tmp-0123456789ABCDEF\nd/.tmp-0123456789abcdef\nd/a.tmp-0123456789abcdef\n");
}

static void file_long_names(void **state)
{
	store_fx *f = *state;
	char key[300];

	/* 250 bytes: the temporary name (name + 22) would pass NAME_MAX */
	memset(key, 'n', 250);
	key[250] = '\0';
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, key), "long", 4), 0);
	char *data = get_object(f, U(f, key), NULL);
	assert_string_equal(data, "long");
	cachet_free(data);
	/* 256 bytes: the name itself is too long, and says so */
	memset(key, 'n', 256);
	key[256] = '\0';
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, key), "x", 1), CACHET_EIO);
	assert_non_null(strstr(cachet_error_last()->message, "File name too long"));
	assert_int_equal(count_temp_files(f->dir), 0);
}

static void file_conflicts_with_directories(void **state)
{
	store_fx *f = *state;
	char expected[BIG];

	/* S3 holds both "a" and "a/b"; a filesystem cannot */
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "a/b"), "x", 1), 0);
	snprintf(expected, sizeof expected, "cannot write '%s': Is a directory", U(f, "a"));
	assert_cachet_error(cachet_store_put_bytes(f->store, U(f, "a"), "y", 1), CACHET_EIO,
			    expected);
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "c"), "x", 1), 0);
	snprintf(expected, sizeof expected, "cannot write '%s': Not a directory", U(f, "c/d"));
	assert_cachet_error(cachet_store_put_bytes(f->store, U(f, "c/d"), "y", 1), CACHET_EIO,
			    expected);
	assert_int_equal(count_temp_files(f->dir), 0);
	assert_listing(f, f->root, "a/b\nc\n");
}

static int collect_nothing(const char *uri, const cachet_store_stat *st, void *payload)
{
	(void)uri;
	(void)st;
	(void)payload;
	return 0;
}

static void write_big_with_small_fsize(store_fx *f, int out)
{
	const size_t n = 1u << 20;
	char *big = calloc(1, n);
	struct rlimit rl = {65536, 65536};

	/* Past RLIMIT_FSIZE a write fails with EFBIG instead of killing the
	 * process, when SIGXFSZ is ignored: a full disk, in miniature. */
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
	int rc = cachet_store_put_bytes(f->store, U(f, "big/file.bin"), big, n);
	dprintf(out, "%d %s", rc, cachet_error_last()->message);
	free(big);
}

static void file_too_large_leaves_nothing(void **state)
{
	store_fx *f = *state;
	char expected[BIG];
	cachet_store_stat st;

	char *got = in_child(write_big_with_small_fsize, f);
	snprintf(expected, sizeof expected, "%d cannot write '%s': File too large", CACHET_EIO,
		 U(f, "big/file.bin"));
	assert_string_equal(got, expected);
	free(got);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "big/file.bin")),
			 CACHET_ENOTFOUND);
	assert_listing(f, f->root, "");
	assert_int_equal(count_temp_files(f->dir), 0);
}

/* A writer that never finishes: the process ends mid-write. */
static void write_and_vanish(store_fx *f, int out)
{
	cachet_store_writer *w = NULL;
	(void)out;
	if (cachet_store_writer_open(&w, f->store, U(f, "half/obj"), UINT64_MAX) == 0)
		(void)cachet_store_writer_write(w, "half of it", 10);
	_exit(0);
}

static void interrupted_write_and_cleanup(void **state)
{
	store_fx *f = *state;
	cachet_store_stat st;
	size_t removed = 99;

	free(in_child(write_and_vanish, f));
	/* the temporary file is there, but no object */
	assert_int_equal(count_temp_files(f->dir), 1);
	assert_int_equal(cachet_store_stat_object(&st, f->store, U(f, "half/obj")), CACHET_ENOTFOUND);
	assert_listing(f, f->root, "");
	/* too young for an hour's cut-off */
	assert_int_equal(cachet_store_cleanup(f->store, 3600, &removed), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(count_temp_files(f->dir), 1);

	/* two hours old: removed by the hour's cut-off */
	char dir[PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/half", f->dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".tmp-") == NULL)
			continue;
		struct timespec ts[2];
		clock_gettime(CLOCK_REALTIME, &ts[0]);
		ts[0].tv_sec -= 7200;
		ts[1] = ts[0];
		assert_int_equal(utimensat(dirfd(d), e->d_name, ts, 0), 0);
	}
	closedir(d);
	/* an object next to it is not touched */
	assert_int_equal(cachet_store_put_bytes(f->store, U(f, "half/other"), "o", 1), 0);
	assert_int_equal(cachet_store_cleanup(f->store, 3600, &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(count_temp_files(f->dir), 0);
	assert_listing(f, f->root, "half/other\n");

	/* 0: everything, whatever its age */
	free(in_child(write_and_vanish, f));
	assert_int_equal(cachet_store_cleanup(f->store, 0, NULL), 0);
	assert_int_equal(count_temp_files(f->dir), 0);
}

/* As an unprivileged user (root reads anything), in the directory that
 * file_list_unreadable made for it: a directory of the store that cannot
 * be read fails a listing, naming it. */
static void list_unreadable(store_fx *f, int out)
{
	cachet_store_backend *b = NULL;
	cachet_store *s = NULL;
	char here[PATH_MAX];

	(void)f;
	if (cachet_test_become_nobody() != 0) {
		dprintf(out, "cannot become nobody: %s", strerror(errno));
		return;
	}
	if (getcwd(here, sizeof here) == NULL || cachet_store_backend_file_new(&b, "st") < 0 ||
	    cachet_store_new(&s, b) < 0) {
		dprintf(out, "setup failed: %s", cachet_error_last()->message);
		return;
	}
	char uri[2 * PATH_MAX];
	snprintf(uri, sizeof uri, "%s/locked/x", cachet_store_root(s));
	(void)cachet_store_put_bytes(s, uri, "x", 1);
	chmod("st/locked", 0);
	int rc = cachet_store_list(s, cachet_store_root(s), collect_nothing, NULL);
	/* the message names the directory: strip the temporary part */
	const char *msg = cachet_error_last()->message;
	const char *at = strstr(msg, here);
	dprintf(out, "%d %.*s%s", rc, (int)(at ? at - msg : (ptrdiff_t)strlen(msg)), msg,
		at ? at + strlen(here) : "");
	chmod("st/locked", 0700);
	cachet_store_free(s);
}

static void file_list_unreadable(void **state)
{
	store_fx *f = *state;
	char expected[256];
	cachet_test_public_dir d;

	cachet_test_public_dir_enter(&d);
	char *got = in_child(list_unreadable, f);
	cachet_test_public_dir_leave(&d);
	snprintf(expected, sizeof expected,
		 "%d cannot list '/st/locked': Permission denied", CACHET_EIO);
	assert_string_equal(got, expected);
	free(got);
}

/* ---------------------------------------------------------------------- */
/* The memory backend and the store handle                                */

static void memory_roots(void **state)
{
	(void)state;
	cachet_store_backend *b = (cachet_store_backend *)1;
	const char *bad[] = {"mem", "mem://", "://x", "mem://x/", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char expected[128];
		snprintf(expected, sizeof expected,
			 "memory store root '%s' is not of the form '<scheme>://<name>'", bad[i]);
		assert_cachet_error(cachet_store_backend_memory_new(&b, bad[i]), CACHET_EINVALID,
				    expected);
		assert_null(b);
	}
	assert_int_equal(cachet_store_backend_memory_new(&b, "s3://bucket/prefix"), 0);
	assert_string_equal(b->root, "s3://bucket/prefix");
	b->free(b);
}

static void memory_has_no_cleanup(void **state)
{
	store_fx *f = *state;
	size_t removed = 99;
	assert_int_equal(cachet_store_cleanup(f->store, 0, &removed), 0);
	assert_int_equal(removed, 0);
}

static void backend_versions(void **state)
{
	(void)state;
	cachet_store_backend *b = NULL;
	cachet_store *s = (cachet_store *)1;

	/* A backend from a future interface is refused, and freed. */
	assert_int_equal(cachet_store_backend_memory_new(&b, "mem://v"), 0);
	b->version = 99;
	assert_cachet_error(cachet_store_new(&s, b), CACHET_EINVALID,
			    "unsupported store backend version 99 (this library knows 1 to 2)");
	assert_null(s);
	/* A backend missing an operation, likewise. */
	assert_int_equal(cachet_store_backend_memory_new(&b, "mem://v"), 0);
	b->list = NULL;
	assert_cachet_error(cachet_store_new(&s, b), CACHET_EINVALID,
			    "store backend lacks an operation");
	assert_cachet_error(cachet_store_new(&s, NULL), CACHET_EINVALID, "no store backend given");
	cachet_store_free(NULL);
}

static void open_home(void **state)
{
	(void)state;
	cachet_store *s = NULL;
	char real[PATH_MAX], expected[BIG];

	assert_int_equal(cachet_store_open_home(&s, "myhome"), 0);
	assert_non_null(realpath("myhome/store", real));
	snprintf(expected, sizeof expected, "file://%s", real);
	assert_string_equal(cachet_store_root(s), expected);
	assert_int_equal(access("myhome/state", F_OK), 0);
	cachet_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(put_get_stat),
		BOTH(empty_object),
		BOTH(replace),
		BOTH(not_found),
		BOTH(a_prefix_is_not_an_object),
		BOTH(listing),
		BOTH(listing_stops_when_asked),
		BOTH(delete),
		BOTH(writer_in_chunks),
		BOTH(abort_leaves_nothing),
		BOTH(reader_sees_whole_objects),
		BOTH(streams_and_paths),
		BOTH(stream_errors),
		BOTH(put_path_errors),
		BOTH(uri_rules),
		BOTH(execution_prefixes),
		BOTH(threads),
		BOTH(writes_race_deletes),
		BOTH(out_of_memory),
		cmocka_unit_test(joining),
		FILE_ONLY(file_layout),
		cmocka_unit_test(file_root_is_real_path),
		FILE_ONLY(file_reserved_temp_names),
		FILE_ONLY(file_long_names),
		FILE_ONLY(file_conflicts_with_directories),
		FILE_ONLY(file_too_large_leaves_nothing),
		FILE_ONLY(interrupted_write_and_cleanup),
		FILE_ONLY(file_list_unreadable),
		cmocka_unit_test(memory_roots),
		MEMORY_ONLY(memory_has_no_cleanup),
		cmocka_unit_test(backend_versions),
		cmocka_unit_test(open_home),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
