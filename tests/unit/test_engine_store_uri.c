/*
 * Whether a task's file output or input is in the run's store is decided
 * by the store's canonical spelling of its URI (store/uri.h), not by
 * comparing text: an equivalent spelling of a store URI is in the store,
 * a lookalike prefix ("<store>2/...") or a ".." path out of it is not.
 */
#include "test_engine_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- outputs: in the store is hashed where it is, else offloaded ---- */

static int set_file_output(cachet_task_context *ctx, void *payload)
{
	return cachet_task_set_output(ctx, "f",
				      cachet_literal_new_blob(payload, "", CACHET_BLOB_SINGLE));
}

/*
 * Run a task whose file output is the URI given; *offloaded: the output
 * was copied under the run's prefix. Returns the output's URI (a new
 * string) and checks that it has a hash either way.
 */
static char *run_output(engine_fx *f, const char *given, bool *offloaded)
{
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	const cachet_literal *lit;
	char prefix[PATH_MAX];
	char *uri;

	assert_int_equal(cachet_workflow_new(&wf, "w"), 0);
	add_node(wf, "x", function_task("t", iface_of(1, "out", "f", T_FILE()), set_file_output,
					(void *)given));
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	lit = cachet_literal_map_get(node_of(run, "x")->outputs, "f");
	assert_non_null(lit);
	assert_non_null(lit->hash);
	assert_true(strncmp(lit->hash, "sha256:", 7) == 0);
	snprintf(prefix, sizeof prefix, "%s/", cachet_run_prefix(run));
	uri = strdup(cachet_literal_uri(lit));
	assert_non_null(uri);
	*offloaded = strncmp(uri, prefix, strlen(prefix)) == 0;
	cachet_run_free(run);
	cachet_workflow_free(wf);
	return uri;
}

/* "file://<home>/./store/given/data.csv" is the store's "given/data.csv":
 * hashed where it is, not copied again. */
static void test_output_equivalent_spelling_is_in_store(void **state)
{
	engine_fx *f = *state;
	char object[PATH_MAX + 64], given[PATH_MAX + 64];
	bool offloaded = true;

	snprintf(object, sizeof object, "%s/given/data.csv", cachet_store_root(f->store));
	assert_int_equal(cachet_store_put_bytes(f->store, object, "a,b\n", 4), 0);
	snprintf(given, sizeof given, "file://%s/./store/given/data.csv", f->home);
	char *uri = run_output(f, given, &offloaded);
	assert_false(offloaded);
	assert_string_equal(uri, given);
	free(uri);
}

/*
 * Write <home>/<dir>/data.csv and give it to the task as
 * "file://<home><spelled>", a spelling of that file outside the store: it
 * is offloaded into the run's prefix.
 */
static void expect_offloaded(engine_fx *f, const char *dir_name, const char *spelled)
{
	char dir[PATH_MAX + 64], path[PATH_MAX + 128], given[PATH_MAX + 128];
	bool offloaded = false;

	snprintf(dir, sizeof dir, "%s/%s", f->home, dir_name);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/data.csv", dir);
	write_text(path, "a,b\n");
	snprintf(given, sizeof given, "file://%s%s", f->home, spelled);
	char *uri = run_output(f, given, &offloaded);
	assert_true(offloaded);
	free(uri);
}

/* A file beside the store whose path starts with the store's: not in it. */
static void test_output_lookalike_prefix_is_not_in_store(void **state)
{
	expect_offloaded(*state, "store2", "/store2/data.csv");
}

/* A path that starts with the store's text but leaves it by "..": not in
 * the store either (as text it looked like it was). */
static void test_output_dotdot_out_of_store_is_not_in_store(void **state)
{
	expect_offloaded(*state, "elsewhere", "/store/../elsewhere/data.csv");
}

/* ---- inputs: a store object is downloaded, another URI refused ---- */

typedef struct read_input {
	char text[64]; /* what the task read */
} read_input;

static int read_file_input(cachet_task_context *ctx, void *payload)
{
	read_input *ri = payload;
	const char *path;
	int rc = cachet_task_input_path(&path, ctx, "f");
	if (rc < 0)
		return rc;
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return cachet_task_fail(ctx, "cannot open '%s'", path);
	size_t n = fread(ri->text, 1, sizeof ri->text - 1, fp);
	ri->text[n] = '\0';
	fclose(fp);
	return 0;
}

/* Run a task reading its file input, bound to a blob at uri, with the
 * memory store "mem://abi"; returns the node (of *run, to free). */
static const cachet_node_result *run_input(cachet_run **run, cachet_workflow **wf,
					   engine_fx *f, cachet_store *store, cachet_catalog *cat,
					   const char *uri, read_input *ri)
{
	cachet_run_options o = engine_opts(f);
	cachet_literal *lit = cachet_literal_new_blob(uri, "", CACHET_BLOB_SINGLE);

	o.store = store;
	o.catalog = cat;
	assert_int_equal(cachet_workflow_new(wf, "w"), 0);
	add_node(*wf, "x", function_task("t", iface_of(1, "in", "f", T_FILE()), read_file_input,
					 ri));
	assert_int_equal(cachet_workflow_bind(*wf, "x", "f", &CACHET_FROM_CONSTANT(lit), NULL), 0);
	cachet_literal_free(lit);
	(void)run_wf(run, *wf, NULL, &o);
	return node_of(*run, "x");
}

static void test_input_store_uri_and_lookalike(void **state)
{
	engine_fx *f = *state;
	cachet_store_backend *b;
	cachet_store *store;
	cachet_catalog *cat;
	cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;
	cachet_workflow *wf = NULL;
	cachet_run *run = NULL;
	read_input ri = {""};
	const cachet_node_result *x;

	assert_int_equal(cachet_store_backend_memory_new(&b, "mem://abi"), 0);
	assert_int_equal(cachet_store_new(&store, b), 0);
	co.store = store;
	assert_int_equal(cachet_catalog_open_memory(&cat, &co), 0);
	assert_int_equal(cachet_store_put_bytes(store, "mem://abi/given/data.csv", "hello", 5), 0);

	/* in the store: downloaded, and the task reads its bytes */
	x = run_input(&run, &wf, f, store, cat, "mem://abi/given/data.csv", &ri);
	assert_int_equal(x->status, CACHET_NODE_SUCCEEDED);
	assert_string_equal(ri.text, "hello");
	cachet_run_free(run);
	cachet_workflow_free(wf);

	/* a lookalike of the store's root: not the store, not readable */
	x = run_input(&run, &wf, f, store, cat, "mem://abi2/given/data.csv", &ri);
	assert_int_equal(x->status, CACHET_NODE_FAILED);
	assert_contains(x->error, "cannot read 'mem://abi2/given/data.csv' here: only file:// "
				  "URIs and the run's store 'mem://abi' are readable");
	cachet_run_free(run);
	cachet_workflow_free(wf);

	cachet_catalog_free(cat);
	cachet_store_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_output_equivalent_spelling_is_in_store,
						engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_output_lookalike_prefix_is_not_in_store,
						engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_output_dotdot_out_of_store_is_not_in_store,
						engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_input_store_uri_and_lookalike, engine_setup,
						engine_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
