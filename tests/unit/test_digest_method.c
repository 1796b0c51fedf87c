/*
 * Hash methods: cachet_literal_fill_hash by content, none, command,
 * callback and value; every way a method can fail, each leaving the
 * literal as it was.
 */
#include "test_digest_helpers.h"

#include "cachet/codec.h"
#include "util/alloc.h"

#include <math.h>
#include <signal.h>

#define SHA_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* the tree of test_digest.c: a.txt, sub/b.txt, sub/deeper/c */
#define TREE_SHA "sha256-dir:570973336b79059bf3e8ff6993aaa92e8b9997fc1b291369a384c3b3917d3fa2"

static void make_data(void)
{
	t_put("data.csv", "abc");
	t_put("tree/a.txt", "alpha\n");
	t_put("tree/sub/b.txt", "beta\n");
	t_put("tree/sub/deeper/c", "");
}

/* Fill lit's hash by m; assert it worked and gave want. */
static void assert_filled(cachet_literal *lit, const char *path, const cachet_hash_method *m,
			  const char *want)
{
	int rc = cachet_literal_fill_hash(lit, path, m, NULL);
	if (rc != 0)
		fail_msg("fill_hash: %s", cachet_error_last()->message);
	assert_string_equal(lit->hash, want);
}

/* Assert fill_hash fails with code and message (prefix when it ends with
 * '*'), and leaves the hash "before". */
static void assert_refused(cachet_literal *lit, const char *path, const cachet_hash_method *m,
			   int code, const char *msg)
{
	assert_int_equal(cachet_literal_set_hash(lit, "before"), 0);
	int rc = cachet_literal_fill_hash(lit, path, m, NULL);
	if (rc != code)
		fail_msg("rc %d (%s), expected %d", rc, cachet_error_last()->message, code);
	size_t n = strlen(msg);
	if (msg[n - 1] == '*')
		assert_int_equal(strncmp(cachet_error_last()->message, msg, n - 1), 0);
	else
		assert_string_equal(cachet_error_last()->message, msg);
	assert_string_equal(lit->hash, "before");
}

static void content_hashes_blobs_datasets_and_schemas(void **state)
{
	(void)state;
	make_data();
	cachet_literal *file = cachet_literal_new_blob("s3://b/x.csv", "csv", CACHET_BLOB_SINGLE);
	cachet_literal *dir = cachet_literal_new_blob("s3://b/d", "", CACHET_BLOB_MULTIPART);
	cachet_literal *df = cachet_literal_new_dataset("s3://b/df", "parquet");
	cachet_literal *schema = NULL;
	const char schema_json[] = "{\"scalar\":{\"schema\":{\"uri\":\"s3://b/s\"}}}";
	assert_int_equal(cachet_literal_decode(&schema, schema_json, strlen(schema_json),
					       CACHET_FORMAT_JSON),
			 0);

	assert_filled(file, "data.csv", NULL, SHA_ABC); /* NULL: CONTENT */
	assert_filled(dir, "tree", NULL, TREE_SHA);
	assert_filled(df, "data.csv", NULL, SHA_ABC);
	assert_filled(df, "tree", NULL, TREE_SHA);
	assert_filled(schema, "tree", NULL, TREE_SHA);

	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	o.digest = CACHET_DIGEST_XXH128;
	assert_int_equal(cachet_literal_fill_hash(file, "data.csv", &m, &o), 0);
	assert_string_equal(file->hash, "xxh128:06b05ab6733a618578af5f94892f3950");

	/* the blob's dimensionality must fit the data */
	assert_refused(file, "tree", NULL, CACHET_EINVALID,
		       "'tree' is a directory, but the blob is a single file");
	assert_refused(dir, "data.csv", NULL, CACHET_EINVALID,
		       "'data.csv' is not a directory, but the blob is multipart");
	assert_refused(file, "missing.csv", NULL, CACHET_ENOTFOUND,
		       "cannot hash 'missing.csv': No such file or directory");
	assert_refused(file, NULL, NULL, CACHET_EINVALID,
		       "a content hash needs the local path of a file's data");
	assert_refused(df, "", NULL, CACHET_EINVALID,
		       "a content hash needs the local path of a dataset's data");

	cachet_literal *n = cachet_literal_new_integer(3);
	assert_refused(n, "data.csv", NULL, CACHET_EINVALID,
		       "a content hash needs a blob, dataset or schema, not an int");
	cachet_literal *coll = cachet_literal_new_collection();
	assert_refused(coll, "data.csv", NULL, CACHET_EINVALID,
		       "a content hash needs a blob, dataset or schema, not a list");

	/* NONE clears */
	m.kind = CACHET_HASH_NONE;
	assert_int_equal(cachet_literal_fill_hash(file, NULL, &m, NULL), 0);
	assert_null(file->hash);

	cachet_literal_free(file);
	cachet_literal_free(dir);
	cachet_literal_free(df);
	cachet_literal_free(schema);
	cachet_literal_free(n);
	cachet_literal_free(coll);
}

static void commands_print_the_hash(void **state)
{
	(void)state;
	make_data();
	cachet_literal *lit = cachet_literal_new_blob("s3://b/x.csv", "csv", CACHET_BLOB_SINGLE);
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	m.kind = CACHET_HASH_COMMAND;

	/* the path comes last; white space around the output is trimmed */
	const char *const echo_path[] = {"sh", "-c", "printf '  md5:%s\\n\\n' \"$1\"", "sh", NULL};
	m.argv = echo_path;
	assert_filled(lit, "data.csv", &m, "md5:data.csv");

	/* no shell between: the argument reaches the program as it is */
	const char *const printf_cmd[] = {"printf", "%s", NULL};
	m.argv = printf_cmd;
	assert_filled(lit, "a b;$(echo no)", &m, "a b;$(echo no)");

	const char *const sha[] = {"sha256sum", NULL};
	m.argv = sha;
	assert_filled(lit, "data.csv",
		      &m, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  data.csv");

	/* a command that leaves a process behind holding its output */
	const char *const bg[] = {"sh", "-c", "sleep 5 & echo bg-hash", "sh", NULL};
	m.argv = bg;
	m.timeout_ms = 3000;
	assert_filled(lit, "data.csv", &m, "bg-hash");
	m.timeout_ms = 0;

	const char *const failing[] = {
		"sh", "-c", "echo partial; echo first line >&2; echo 'no such thing' >&2; exit 3",
		"sh", NULL};
	m.argv = failing;
	assert_refused(lit, "data.csv", &m, CACHET_ERROR,
		       "hash command 'sh' failed with exit status 3: first line no such thing");

	const char *const silent[] = {"sh", "-c", "printf ' \\n\\t'", "sh", NULL};
	m.argv = silent;
	assert_refused(lit, "data.csv", &m, CACHET_EINVALID, "hash command 'sh' printed no hash");

	const char *const lines[] = {"sh", "-c", "printf 'a\\nb\\n'", "sh", NULL};
	m.argv = lines;
	assert_refused(lit, "data.csv", &m, CACHET_EINVALID,
		       "hash command 'sh' printed several lines; a hash is one line");

	const char *const binary[] = {"sh", "-c", "printf 'a\\377b'", "sh", NULL};
	m.argv = binary;
	assert_refused(lit, "data.csv", &m, CACHET_EINVALID,
		       "hash command 'sh' printed text that is not UTF-8 (byte 1)");

	const char *const huge[] = {"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x", "sh",
				    NULL};
	m.argv = huge;
	assert_refused(lit, "data.csv", &m, CACHET_EINVALID,
		       "hash command 'sh' printed more than 65536 bytes; a hash is one short line");

	const char *const slow[] = {"sh", "-c", "echo waiting >&2; sleep 10", "sh", NULL};
	m.argv = slow;
	m.timeout_ms = 300;
	assert_refused(lit, "data.csv", &m, CACHET_ERROR,
		       "hash command 'sh' timed out after 300 ms: waiting");
	m.timeout_ms = 0;

	const char *const killed[] = {"sh", "-c", "kill -9 $$", "sh", NULL};
	m.argv = killed;
	assert_refused(lit, "data.csv", &m, CACHET_ERROR, "hash command 'sh' was killed by signal 9");

	const char *const missing[] = {"cachet-no-such-command", NULL};
	m.argv = missing;
	assert_refused(lit, "data.csv", &m, CACHET_ERROR,
		       "cannot run hash command 'cachet-no-such-command': No such file or "
		       "directory");

	/* the stderr tail is the last bytes, on one line */
	const char *const noisy[] = {
		"sh", "-c", "i=0; while [ $i -lt 500 ]; do echo \"line $i\" >&2; i=$((i+1)); done; exit 1",
		"sh", NULL};
	m.argv = noisy;
	assert_refused(lit, "data.csv", &m, CACHET_ERROR,
		       "hash command 'sh' failed with exit status 1: *");
	const char *msg = cachet_error_last()->message;
	assert_non_null(strstr(msg, "line 498 line 499"));
	assert_null(strstr(msg, "line 1 "));
	assert_null(strchr(msg, '\n'));

	const char *const none[] = {NULL};
	m.argv = none;
	assert_refused(lit, "data.csv", &m, CACHET_EINVALID,
		       "hash method COMMAND without a command");
	m.argv = echo_path;
	assert_refused(lit, NULL, &m, CACHET_EINVALID,
		       "hash command 'sh' needs the local path of a file's data");
	cachet_literal_free(lit);
}

/* A callback that says what it was given. */
static int describe_cb(char **hash, const cachet_literal *lit, const char *path, void *context)
{
	int *calls = context;
	char buf[256];
	(*calls)++;
	snprintf(buf, sizeof(buf), "cb:%s:%s", lit->scalar->blob->uri, path ? path : "-");
	*hash = strdup(buf);
	return *hash ? 0 : -1;
}

static int failing_cb(char **hash, const cachet_literal *lit, const char *path, void *context)
{
	(void)lit;
	(void)path;
	(void)context;
	*hash = strdup("ignored"); /* freed by the library, not used */
	return 42;
}

static int null_cb(char **hash, const cachet_literal *lit, const char *path, void *context)
{
	(void)lit;
	(void)path;
	(void)context;
	*hash = NULL;
	return 0;
}

static int empty_cb(char **hash, const cachet_literal *lit, const char *path, void *context)
{
	(void)lit;
	(void)path;
	(void)context;
	*hash = strdup("");
	return 0;
}

static void callbacks_compute_the_hash(void **state)
{
	(void)state;
	cachet_literal *lit = cachet_literal_new_blob("s3://b/x", "", CACHET_BLOB_SINGLE);
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	int calls = 0;

	m.kind = CACHET_HASH_CALLBACK;
	m.callback = describe_cb;
	m.context = &calls;
	assert_filled(lit, "local/x", &m, "cb:s3://b/x:local/x");
	assert_filled(lit, NULL, &m, "cb:s3://b/x:-");
	assert_int_equal(calls, 2);

	m.callback = failing_cb;
	assert_refused(lit, "x", &m, CACHET_ERROR, "hash callback failed (it returned 42)");
	m.callback = null_cb;
	assert_refused(lit, "x", &m, CACHET_EINVALID, "hash callback gave no hash");
	m.callback = empty_cb;
	assert_refused(lit, "x", &m, CACHET_EINVALID, "hash callback gave an empty hash");
	m.callback = NULL;
	assert_refused(lit, "x", &m, CACHET_EINVALID, "hash method CALLBACK without a callback");
	cachet_literal_free(lit);
}

static void values_hash_as_their_own_text(void **state)
{
	(void)state;
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	m.kind = CACHET_HASH_VALUE;
	struct {
		cachet_literal *lit;
		const char *want;
	} cases[] = {
		{cachet_literal_new_integer(42), "42"},
		{cachet_literal_new_integer(-9007199254740993LL), "-9007199254740993"},
		{cachet_literal_new_float(1.5), "1.5"},
		{cachet_literal_new_float(0.1), "0.1"},
		{cachet_literal_new_float(1e300), "1e+300"},
		{cachet_literal_new_float(-0.0), "-0"},
		{cachet_literal_new_float(NAN), "NaN"},
		{cachet_literal_new_float(-INFINITY), "-Infinity"},
		{cachet_literal_new_string("h\xc3\xa9llo world"), "h\xc3\xa9llo world"},
		{cachet_literal_new_boolean(true), "true"},
		{cachet_literal_new_boolean(false), "false"},
		{cachet_literal_new_datetime((cachet_timestamp){1553860800, 5}),
		 "2019-03-29T12:00:00.000000005Z"},
		{cachet_literal_new_duration((cachet_duration){1, 500000000}), "1.500s"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(cases[i].lit);
		assert_filled(cases[i].lit, NULL, &m, cases[i].want);
		cachet_literal_free(cases[i].lit);
	}

	cachet_literal *empty = cachet_literal_new_string("");
	assert_refused(empty, NULL, &m, CACHET_EINVALID, "value hash gave an empty hash");
	cachet_literal *lines = cachet_literal_new_string("a\nb");
	assert_refused(lines, NULL, &m, CACHET_EINVALID, "value hash gave a hash of several lines");
	cachet_literal *blob = cachet_literal_new_blob("s3://b/x", "", CACHET_BLOB_SINGLE);
	assert_refused(blob, "x", &m, CACHET_EINVALID,
		       "a value hash needs a primitive value, not a file");
	cachet_literal *none = cachet_literal_new_none();
	assert_refused(none, NULL, &m, CACHET_EINVALID,
		       "a value hash needs a primitive value, not none");
	cachet_literal_free(empty);
	cachet_literal_free(lines);
	cachet_literal_free(blob);
	cachet_literal_free(none);
}

static void bad_methods_are_refused(void **state)
{
	(void)state;
	cachet_literal *lit = cachet_literal_new_integer(1);
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;

	m.version = 0;
	assert_refused(lit, NULL, &m, CACHET_EINVALID,
		       "unsupported hash method version 0 (this library knows 1 to 1)");
	m.version = CACHET_HASH_METHOD_VERSION;
	m.kind = (cachet_hash_method_kind)17;
	assert_refused(lit, NULL, &m, CACHET_EINVALID, "unknown hash method 17");
	assert_cachet_error(cachet_literal_fill_hash(NULL, NULL, NULL, NULL), CACHET_EINVALID,
			    "cachet_literal_fill_hash: lit is NULL");
	cachet_literal_free(lit);
}

static void allocation_failures_leave_the_literal_alone(void **state)
{
	(void)state;
	make_data();
	cachet_hash_method value = CACHET_HASH_METHOD_INIT, content = CACHET_HASH_METHOD_INIT,
			   command = CACHET_HASH_METHOD_INIT;
	const char *const echo[] = {"echo", "cmd-hash", NULL};
	cachet_hash_options o = CACHET_HASH_OPTIONS_INIT;
	value.kind = CACHET_HASH_VALUE;
	command.kind = CACHET_HASH_COMMAND;
	command.argv = echo;
	o.threads = 1;
	struct {
		cachet_literal *lit;
		const char *path;
		cachet_hash_method *m;
		const char *want;
	} cases[] = {
		{cachet_literal_new_float(2.25), NULL, &value, "2.25"},
		{cachet_literal_new_blob("s3://b/d", "", CACHET_BLOB_MULTIPART), "tree", &content,
		 TREE_SHA},
		{cachet_literal_new_blob("s3://b/f", "", CACHET_BLOB_SINGLE), "data.csv", &command,
		 "cmd-hash data.csv"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (long n = 0;; n++) {
			assert_int_equal(cachet_literal_set_hash(cases[i].lit, "before"), 0);
			cachet__alloc_fail_after(n);
			int rc = cachet_literal_fill_hash(cases[i].lit, cases[i].path, cases[i].m, &o);
			cachet__alloc_fail_reset();
			if (rc == 0) {
				assert_string_equal(cases[i].lit->hash, cases[i].want);
				break;
			}
			if (rc != CACHET_ENOMEM)
				fail_msg("case %zu, n %ld: %s", i, n, cachet_error_last()->message);
			assert_string_equal(cases[i].lit->hash, "before");
			assert_true(n < 10000);
		}
		cachet_literal_free(cases[i].lit);
	}
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(content_hashes_blobs_datasets_and_schemas),
		cmocka_unit_test(commands_print_the_hash),
		cmocka_unit_test(callbacks_compute_the_hash),
		cmocka_unit_test(values_hash_as_their_own_text),
		cmocka_unit_test(bad_methods_are_refused),
		cmocka_unit_test(allocation_failures_leave_the_literal_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
