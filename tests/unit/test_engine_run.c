/*
 * The engine running workflows: the seed scenario (as commands and as C
 * functions), cache statuses, outputs, run records.
 */
#include "test_engine_helpers.h"

#include <stdatomic.h>

/* ---------------------------------------------------------------------- */
/* The seed scenario with commands:                                       */
/*   foo(a: int, b: str) -> df: dataset(csv)   not cached                 */
/*   bar(df: dataset(csv)) -> n: int            cached, version "1.0"     */

static const char *const FOO_ARGV[] = {
	"sh", "-c",
	"printf 'row,label\\n' > \"$1\"; i=0; "
	"while [ \"$i\" -lt \"$2\" ]; do printf '%s,%s\\n' \"$i\" \"$3\" >> \"$1\"; i=$((i+1)); "
	"done",
	"foo", "{{outputs.df}}", "{{inputs.a}}", "{{inputs.b}}", NULL};

static const char *const BAR_ARGV[] = {"awk", "-v", "out={{outputs.n}}",
				       "END { print NR - 1 > out }", "{{inputs.df}}", NULL};

static cachet_workflow *seed_workflow(void)
{
	cachet_workflow *wf = NULL;
	cachet_task *foo, *bar;

	foo = command_task("foo",
			   iface_of(3, "in", "a", T_INT(), "in", "b", T_STR(), "out", "df", T_CSV()),
			   FOO_ARGV);
	bar = command_task("bar", iface_of(2, "in", "df", T_CSV(), "out", "n", T_INT()), BAR_ARGV);
	cache_task(bar, "1.0", false);
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	assert_int_equal(cachet_workflow_set_project(wf, "examples", "development"), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "a", T_INT(), NULL, NULL), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "b", T_STR(), NULL, NULL), 0);
	add_node(wf, "foo", foo);
	add_node(wf, "bar", bar);
	bind_input(wf, "foo", "a", "a");
	bind_input(wf, "foo", "b", "b");
	bind_output(wf, "bar", "df", "foo", "df");
	assert_int_equal(cachet_workflow_add_output(wf, "v", &CACHET_FROM_OUTPUT("bar", "n"), NULL),
			 0);
	return wf;
}

/* The rows foo writes, hashed by sha256sum. */
static void expected_df_hash(char out[80], int a, const char *b)
{
	FILE *fp = fopen("expected.csv", "w");
	assert_non_null(fp);
	fprintf(fp, "row,label\n");
	for (int i = 0; i < a; i++)
		fprintf(fp, "%d,%s\n", i, b);
	assert_int_equal(fclose(fp), 0);
	sha256sum_of(out, "expected.csv");
}

static const cachet_literal *df_of(const cachet_run *run)
{
	const cachet_node_result *foo = node_of(run, "foo");
	const cachet_literal *df;
	assert_non_null(foo->outputs);
	df = cachet_literal_map_get(foo->outputs, "df");
	assert_non_null(df);
	assert_int_equal(df->scalar->kind, CACHET_SCALAR_STRUCTURED_DATASET);
	return df;
}

static void seed_scenario(void **state, cachet_workflow *wf)
{
	engine_fx *f = *state;
	cachet_run_options o = engine_opts(f);
	cachet_run *r1 = NULL, *r2 = NULL, *r3 = NULL;
	cachet_literal_map *in12 = inputs_of(2, "a", cachet_literal_new_integer(3), "b",
					     cachet_literal_new_string("x"));
	cachet_literal_map *in3 = inputs_of(2, "a", cachet_literal_new_integer(3), "b",
					    cachet_literal_new_string("y"));
	char hash_x[80], hash_y[80], prefix[PATH_MAX];
	const cachet_literal *df1, *df2, *df3;

	expected_df_hash(hash_x, 3, "x");
	expected_df_hash(hash_y, 3, "y");

	/* run 1: bar misses, runs, populates */
	assert_int_equal(run_wf(&r1, wf, in12, &o), 0);
	assert_int_equal(cachet_run_get_status(r1), CACHET_RUN_SUCCEEDED);
	assert_int_equal(node_of(r1, "foo")->status, CACHET_NODE_SUCCEEDED);
	assert_int_equal(node_of(r1, "foo")->cache_status, CACHET_CACHE_DISABLED);
	assert_int_equal(node_of(r1, "bar")->status, CACHET_NODE_SUCCEEDED);
	assert_int_equal(node_of(r1, "bar")->cache_status, CACHET_CACHE_POPULATED);
	assert_int_equal(int_output(node_of(r1, "bar"), "n"), 3);
	df1 = df_of(r1);
	assert_string_equal(df1->hash, hash_x);
	snprintf(prefix, sizeof prefix, "%s/foo/df", cachet_run_prefix(r1));
	assert_string_equal(df1->scalar->structured_dataset->uri, prefix);
	assert_string_equal(
		df1->scalar->structured_dataset->metadata->structured_dataset_type->format, "csv");
	/* the workflow's output */
	assert_non_null(cachet_run_outputs(r1));
	assert_int_equal(
		cachet_literal_map_get(cachet_run_outputs(r1), "v")->scalar->primitive->integer, 3);

	/* run 2: same inputs; foo writes the same rows to a new URI; bar hits */
	assert_int_equal(run_wf(&r2, wf, in12, &o), 0);
	assert_int_equal(node_of(r2, "foo")->cache_status, CACHET_CACHE_DISABLED);
	assert_int_equal(node_of(r2, "bar")->cache_status, CACHET_CACHE_HIT);
	assert_int_equal(int_output(node_of(r2, "bar"), "n"), 3);
	df2 = df_of(r2);
	assert_string_not_equal(df1->scalar->structured_dataset->uri,
				df2->scalar->structured_dataset->uri);
	assert_string_equal(df1->hash, df2->hash);
	assert_string_equal(node_of(r1, "bar")->tag, node_of(r2, "bar")->tag);
	/* a hit does not run: no working directory, no logs */
	assert_null(node_of(r2, "bar")->work_dir);

	/* run 3: b changed: other rows, other hash, bar misses */
	assert_int_equal(run_wf(&r3, wf, in3, &o), 0);
	assert_int_equal(node_of(r3, "bar")->cache_status, CACHET_CACHE_POPULATED);
	df3 = df_of(r3);
	assert_string_equal(df3->hash, hash_y);
	assert_string_not_equal(node_of(r1, "bar")->tag, node_of(r3, "bar")->tag);

	cachet_run_free(r1);
	cachet_run_free(r2);
	cachet_run_free(r3);
	cachet_literal_map_free(in12);
	cachet_literal_map_free(in3);
}

static void seed_with_commands(void **state)
{
	cachet_workflow *wf = seed_workflow();
	seed_scenario(state, wf);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* The same scenario with C functions                                     */

static atomic_int foo_calls, bar_calls;

static int foo_fn(cachet_task_context *ctx, void *payload)
{
	int64_t a;
	const char *b, *path;
	FILE *fp;

	(void)payload;
	atomic_fetch_add(&foo_calls, 1);
	if (cachet_task_input_int(&a, ctx, "a") < 0 || cachet_task_input_string(&b, ctx, "b") < 0 ||
	    cachet_task_output_path(&path, ctx, "df") < 0)
		return -1;
	if (!(fp = fopen(path, "w")))
		return cachet_task_fail(ctx, "cannot write '%s'", path);
	fprintf(fp, "row,label\n");
	for (int64_t i = 0; i < a; i++)
		fprintf(fp, "%lld,%s\n", (long long)i, b);
	return fclose(fp) == 0 ? 0 : -1;
}

static int bar_fn(cachet_task_context *ctx, void *payload)
{
	const char *path;
	FILE *fp;
	int c, lines = 0;

	(void)payload;
	atomic_fetch_add(&bar_calls, 1);
	if (cachet_task_input_path(&path, ctx, "df") < 0)
		return -1;
	if (!(fp = fopen(path, "r")))
		return cachet_task_fail(ctx, "cannot read '%s'", path);
	while ((c = fgetc(fp)) != EOF)
		lines += c == '\n';
	fclose(fp);
	return cachet_task_set_output_int(ctx, "n", lines - 1);
}

static void seed_with_functions(void **state)
{
	cachet_workflow *wf = NULL;
	cachet_task *foo, *bar;

	foo = function_task("foo",
			    iface_of(3, "in", "a", T_INT(), "in", "b", T_STR(), "out", "df", T_CSV()),
			    foo_fn, NULL);
	bar = function_task("bar", iface_of(2, "in", "df", T_CSV(), "out", "n", T_INT()), bar_fn,
			    NULL);
	cache_task(bar, "1.0", false);
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "a", T_INT(), NULL, NULL), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "b", T_STR(), NULL, NULL), 0);
	add_node(wf, "foo", foo);
	add_node(wf, "bar", bar);
	bind_input(wf, "foo", "a", "a");
	bind_input(wf, "foo", "b", "b");
	bind_output(wf, "bar", "df", "foo", "df");
	assert_int_equal(cachet_workflow_add_output(wf, "v", &CACHET_FROM_OUTPUT("bar", "n"), NULL),
			 0);
	atomic_store(&foo_calls, 0);
	atomic_store(&bar_calls, 0);
	seed_scenario(state, wf);
	/* foo ran every time; bar on the two misses only */
	assert_int_equal(atomic_load(&foo_calls), 3);
	assert_int_equal(atomic_load(&bar_calls), 2);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* What a command sees                                                     */

static void command_environment_and_placeholders(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	const char *argv[] = {"sh", "-c",
			      "printf '%s|%s|%s|%s|%s|%s|%s' \"$CACHET_NODE\" \"$CACHET_RUN_ID\" "
			      "\"$MY_VAR\" \"$1\" \"$2\" \"$3\" \"$(pwd)\" > \"$4\"",
			      "sh", "{{run.id}}", "{{node.dir}}", "x{{{{y", "{{outputs.s}}", NULL};
	cachet_task *t = command_task("t", iface_of(1, "out", "s", T_STR()), argv);
	char expect[4096];
	const cachet_node_result *x;

	/* the task's variable wins over the inherited one */
	setenv("MY_VAR", "inherited", 1);
	assert_int_equal(cachet_task_set_env(t, "MY_VAR", "mine"), 0);
	assert_int_equal(cachet_workflow_new(&wf, "env"), 0);
	add_node(wf, "x", t);
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	x = node_of(run, "x");
	snprintf(expect, sizeof expect, "x|%s|mine|%s|%s|x{{y|%s", cachet_run_id(run),
		 cachet_run_id(run), x->work_dir, x->work_dir);
	assert_string_equal(
		cachet_literal_map_get(x->outputs, "s")->scalar->primitive->string_value, expect);
	/* the work directory is <run dir>/nodes/x/work, logs beside it */
	snprintf(expect, sizeof expect, "%s/nodes/x/work", cachet_run_dir(run));
	assert_string_equal(x->work_dir, expect);
	snprintf(expect, sizeof expect, "%s/nodes/x/stdout.log", cachet_run_dir(run));
	assert_string_equal(x->stdout_path, expect);
	assert_int_equal(x->exit_status, 0);
	unsetenv("MY_VAR");
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(seed_with_commands, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(seed_with_functions, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(command_environment_and_placeholders, engine_setup,
						engine_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
