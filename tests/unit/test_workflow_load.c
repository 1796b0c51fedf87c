/*
 * Loading workflow files into the engine's graph: what the loader builds
 * (inputs, defaults, tasks, nodes, bindings, outputs), values read by
 * their declared types, the places it hands to the engine, the options,
 * and allocation failures.
 */
#include "test_helpers.h"

#include "cachet/workflow.h"
#include "util/alloc.h"

static const char seed[] =
	"workflow: seed\n"                                   /* 1 */
	"project: examples\n"                                /* 2 */
	"domain: development\n"                              /* 3 */
	"inputs:\n"                                          /* 4 */
	"  a: int\n"                                         /* 5 */
	"  b: {type: str, default: x}\n"                     /* 6 */
	"outputs:\n"                                         /* 7 */
	"  rows: \"{{bar.outputs.rows}}\"\n"                 /* 8 */
	"tasks:\n"                                           /* 9 */
	"  foo:\n"                                           /* 10 */
	"    inputs: {a: int, b: str}\n"                     /* 11 */
	"    outputs: {df: dataset(csv)}\n"                  /* 12 */
	"    command: [make-df, \"{{inputs.a}}\", \"{{inputs.b}}\", \"{{outputs.df}}\"]\n"
	"  bar:\n"                                           /* 14 */
	"    inputs: {df: dataset(csv)}\n"                   /* 15 */
	"    outputs:\n"                                     /* 16 */
	"      rows: {type: int, description: row count, hash: value}\n"
	"    cache: {version: \"1.0\", serializable: true, ignore: [], max_age: 7d}\n"
	"    timeout: 1m30s\n"                               /* 19 */
	"    env: {LC_ALL: C}\n"                             /* 20 */
	"    command: [count, \"{{inputs.df}}\", \"{{outputs.rows}}\"]\n"
	"nodes:\n"                                           /* 22 */
	"  foo:\n"                                           /* 23 */
	"    inputs:\n"                                      /* 24 */
	"      a: \"{{ inputs.a }}\"\n"                      /* 25 */
	"      b: \"{{inputs.b}}\"\n"                        /* 26 */
	"  bar: {inputs: {df: \"{{foo.outputs.df}}\"}}\n";   /* 27 */

static cachet_workflow *load(const char *text)
{
	cachet_workflow *wf = NULL;
	int rc = cachet_workflow_load_buffer(&wf, text, strlen(text), "w.yaml", "/base", NULL);
	if (rc != 0)
		fail_msg("load failed: %s", cachet_error_last()->message);
	return wf;
}

static size_t node_index(const cachet_workflow *wf, const char *name)
{
	for (size_t i = 0; i < cachet_workflow_node_count(wf); i++)
		if (strcmp(cachet_workflow_node_name(wf, i), name) == 0)
			return i;
	fail_msg("no node '%s'", name);
	return 0;
}

/* The binding of node i's input, or fail. */
static const cachet_binding_info *binding(const cachet_workflow *wf, size_t i, const char *input)
{
	for (size_t j = 0; j < cachet_workflow_node_binding_count(wf, i); j++) {
		const cachet_binding_info *b = cachet_workflow_node_binding(wf, i, j);
		if (strcmp(b->input, input) == 0)
			return b;
	}
	fail_msg("no binding for '%s'", input);
	return NULL;
}

static void the_seed_builds_its_graph(void **state)
{
	(void)state;
	cachet_workflow *wf = load(seed);

	assert_string_equal(cachet_workflow_name(wf), "seed");
	assert_string_equal(cachet_workflow_project(wf), "examples");
	assert_string_equal(cachet_workflow_domain(wf), "development");

	/* inputs in order: a required, b with its default */
	assert_int_equal(cachet_workflow_input_count(wf), 2);
	assert_string_equal(cachet_workflow_input_name(wf, 0), "a");
	assert_int_equal(cachet_workflow_input_type(wf, 0)->simple, CACHET_SIMPLE_INTEGER);
	assert_null(cachet_workflow_input_default(wf, 0));
	assert_string_equal(cachet_workflow_input_name(wf, 1), "b");
	const cachet_literal *b = cachet_workflow_input_default(wf, 1);
	assert_non_null(b);
	assert_string_equal(b->scalar->primitive->string_value, "x");

	/* nodes in the file's order, running their tasks */
	assert_int_equal(cachet_workflow_node_count(wf), 2);
	assert_string_equal(cachet_workflow_node_name(wf, 0), "foo");
	assert_string_equal(cachet_workflow_node_name(wf, 1), "bar");
	const cachet_task *foo = cachet_workflow_node_task(wf, 0);
	const cachet_task *bar = cachet_workflow_node_task(wf, 1);
	assert_string_equal(cachet_task_name(foo), "foo");
	assert_false(cachet_task_is_cached(foo));
	assert_true(cachet_task_is_cached(bar));
	const char *const *argv = cachet_task_argv(foo);
	assert_string_equal(argv[0], "make-df");
	assert_string_equal(argv[1], "{{inputs.a}}");
	assert_string_equal(argv[3], "{{outputs.df}}");
	assert_null(argv[4]);

	/* the interface: types, and the description that is part of it */
	const cachet_interface *iface = cachet_task_interface(bar);
	const cachet_variable *rows = cachet_variable_map_get(iface->outputs, "rows");
	assert_non_null(rows);
	assert_string_equal(rows->description, "row count");
	const cachet_variable *df = cachet_variable_map_get(iface->inputs, "df");
	assert_int_equal(df->type->kind, CACHET_TYPE_STRUCTURED_DATASET);
	assert_string_equal(df->type->structured_dataset_type->format, "csv");

	/* bindings, each with its place in the file */
	const cachet_binding_info *ba = binding(wf, 0, "a");
	assert_int_equal(ba->src.kind, CACHET_SOURCE_INPUT);
	assert_string_equal(ba->src.name, "a");
	assert_string_equal(ba->where, "w.yaml:25:10");
	const cachet_binding_info *bdf = binding(wf, 1, "df");
	assert_int_equal(bdf->src.kind, CACHET_SOURCE_OUTPUT);
	assert_string_equal(bdf->src.node, "foo");
	assert_string_equal(bdf->src.name, "df");
	assert_string_equal(bdf->where, "w.yaml:27:22");

	assert_int_equal(cachet_workflow_output_count(wf), 1);
	const cachet_binding_info *out = cachet_workflow_output(wf, 0);
	assert_string_equal(out->input, "rows");
	assert_string_equal(out->src.node, "bar");
	assert_string_equal(out->src.name, "rows");
	assert_string_equal(out->where, "w.yaml:8:9");
	cachet_workflow_free(wf);
}

static void constants_are_read_by_the_input_type(void **state)
{
	(void)state;
	cachet_workflow *wf = load(
		"workflow: c\n"
		"inputs:\n"
		"  f: {type: file(csv), default: data/in.csv}\n"
		"  g: {type: directory, default: /abs/dir}\n"
		"  h: {type: dataset, default: 's3://bucket/df'}\n"
		"tasks:\n"
		"  t:\n"
		"    inputs: {xs: list of int, m: map of bool, n: none, s: str, s2: str,\n"
		"             u: union(int|none), q: str}\n"
		"    command: [echo]\n"
		"nodes:\n"
		"  n:\n"
		"    task: t\n"
		"    inputs:\n"
		"      xs: [1, -2, 3]\n"
		"      m: {yes: true, no: false}\n"
		"      n:\n"
		"      s: null\n"
		"      s2: 'a {{{{b}} c'\n"
		"      u: ~\n"
		"      q: '012'\n");
	/* relative paths from the file's directory; URIs as they are */
	const cachet_literal *f = cachet_workflow_input_default(wf, 0);
	assert_string_equal(f->scalar->blob->uri, "file:///base/data/in.csv");
	assert_string_equal(f->scalar->blob->metadata->type->format, "csv");
	const cachet_literal *g = cachet_workflow_input_default(wf, 1);
	assert_string_equal(g->scalar->blob->uri, "file:///abs/dir");
	assert_int_equal(g->scalar->blob->metadata->type->dimensionality, CACHET_BLOB_MULTIPART);
	const cachet_literal *h = cachet_workflow_input_default(wf, 2);
	assert_string_equal(h->scalar->structured_dataset->uri, "s3://bucket/df");

	size_t n = node_index(wf, "n");
	const cachet_literal *xs = binding(wf, n, "xs")->src.value;
	assert_int_equal(xs->collection->n_literals, 3);
	assert_int_equal(xs->collection->literals[1]->scalar->primitive->integer, -2);
	const cachet_literal *m = binding(wf, n, "m")->src.value;
	/* "yes" and "no" are keys, true/false the values: no YAML 1.1 guessing */
	assert_true(cachet_literal_map_get(m->map, "yes")->scalar->primitive->boolean);
	assert_false(cachet_literal_map_get(m->map, "no")->scalar->primitive->boolean);
	assert_int_equal(binding(wf, n, "n")->src.value->scalar->kind, CACHET_SCALAR_NONE);
	assert_string_equal(binding(wf, n, "s")->src.value->scalar->primitive->string_value,
			    "null");
	assert_string_equal(binding(wf, n, "s2")->src.value->scalar->primitive->string_value,
			    "a {{b}} c");
	assert_string_equal(binding(wf, n, "q")->src.value->scalar->primitive->string_value,
			    "012");
	assert_int_equal(binding(wf, n, "u")->src.kind, CACHET_SOURCE_CONSTANT);
	assert_string_equal(binding(wf, n, "u")->where, "w.yaml:20:10");
	cachet_workflow_free(wf);
}

static void every_validation_problem_is_collected(void **state)
{
	(void)state;
	const char *text = "workflow: v\n"
			   "tasks:\n"
			   "  t:\n"
			   "    inputs: {x: int}\n"
			   "    outputs: {y: int}\n"
			   "    command: [echo]\n"
			   "nodes:\n"
			   "  a: {task: t, inputs: {x: '{{b.outputs.y}}'}}\n"
			   "  b: {task: t, inputs: {x: '{{a.outputs.y}}'}}\n"
			   "  c: {task: t}\n";
	cachet_workflow *wf = (cachet_workflow *)1;
	cachet_problems problems = CACHET_PROBLEMS_INIT;
	cachet_workflow_load_options opts = CACHET_WORKFLOW_LOAD_OPTIONS_INIT;
	opts.problems = &problems;

	assert_int_equal(cachet_workflow_load_buffer(&wf, text, strlen(text), "v.yaml", NULL, &opts),
			 CACHET_EINVALID);
	assert_null(wf);
	assert_int_equal(problems.n, 2);
	assert_string_equal(problems.items[0].where, "v.yaml:10:3");
	assert_string_equal(problems.items[0].message, "node 'c': input 'x' is not bound");
	assert_string_equal(problems.items[1].where, "v.yaml:8:28");
	assert_string_equal(problems.items[1].message, "node 'a': input 'x': cycle: a -> b -> a");
	/* the thread's message is the first problem with its place */
	assert_string_equal(cachet_error_last()->message,
			    "v.yaml:10:3: node 'c': input 'x' is not bound");
	cachet_problems_dispose(&problems);

	/* without validation the same file loads */
	opts.no_validate = true;
	opts.problems = NULL;
	assert_int_equal(cachet_workflow_load_buffer(&wf, text, strlen(text), "v.yaml", NULL, &opts),
			 0);
	assert_int_equal(cachet_workflow_node_count(wf), 3);
	cachet_workflow_free(wf);

	/* problems is emptied even when loading fails before validation */
	problems.n = 7;
	opts = (cachet_workflow_load_options)CACHET_WORKFLOW_LOAD_OPTIONS_INIT;
	opts.problems = &problems;
	assert_int_equal(cachet_workflow_load_buffer(&wf, "x: [", 4, "v.yaml", NULL, &opts),
			 CACHET_EINVALID);
	assert_int_equal(problems.n, 0);
	cachet_problems_dispose(&problems);
}

static void shape_errors(void **state)
{
	(void)state;
	struct {
		const char *text, *message;
	} cases[] = {
		{"", "w.yaml: the file is empty; a workflow file starts with 'workflow: NAME'"},
		{"- a\n", "w.yaml:1:1: a workflow file is a mapping that starts with 'workflow: "
			  "NAME', not a sequence"},
		{"workflow: [x]\n", "w.yaml:1:11: the workflow's name must be a non-empty string, "
				    "not a sequence"},
		{"workflow: ''\n", "w.yaml:1:11: the workflow's name must be a non-empty string, "
				   "not an empty one"},
		{"workflow: w\nnodes: {n: [1]}\n",
		 "w.yaml:2:12: node 'n' must be a mapping such as {task: NAME, inputs: {...}}, not "
		 "a sequence"},
		{"workflow: w\ntasks: {t: {command: [x]}}\nnodes: {t: {inputs: [1]}}\n",
		 "w.yaml:3:21: a node's inputs must be a mapping, not a sequence"},
		{"workflow: w\ntasks: {t: x}\n", "w.yaml:2:12: task 't' must be a mapping, not a string"},
		{"workflow: w\ntasks: {t: {command: [x], cache: {version: '1', enabled: yes}}}\n",
		 "w.yaml:2:58: enabled must be true or false, not 'yes'"},
		{"workflow: w\ntasks: {t: {command: [x], cache: {version: '1', ignore: a}}}\n",
		 "w.yaml:2:57: ignore must be a sequence of input names, not a string"},
		{"workflow: w\ntasks: {t: {command: [x], cache: {version: '1', ignore: [a]}}}\n",
		 "w.yaml:2:34: task 't': ignored input 'a' is not an input"},
		{"workflow: w\ntasks: {t: {command: [x], env: {A: [1]}}}\n",
		 "w.yaml:2:36: an environment value must be a string, not a sequence"},
		{"workflow: w\ninputs: {a: {type: int, dflt: 1}}\n",
		 "w.yaml:2:25: unknown key 'dflt' in input 'a'; expected one of: type, default, "
		 "description"},
		{"workflow: w\ntasks: {t: {command: [x], outputs: {o: {type: int, hash: {cmd: x}}}}}\n",
		 "w.yaml:2:58: hash must be content, none, value or {command: [...]}, not a mapping"},
		{"workflow: w\ntasks: {t: {command: [x], outputs: {o: {type: file, hash: {command: "
		 "[md5sum], timeout: x}}}}}\n",
		 "w.yaml:2:88: a hash command's timeout must be a duration such as 30s, 1m30s, "
		 "250ms, 2h or 7d, not 'x'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cachet_workflow *wf = NULL;
		int rc = cachet_workflow_load_buffer(&wf, cases[i].text, strlen(cases[i].text),
						     "w.yaml", NULL, NULL);
		if (rc != CACHET_EINVALID)
			fail_msg("case %zu loaded (rc %d)", i, rc);
		if (strcmp(cachet_error_last()->message, cases[i].message) != 0)
			fail_msg("case %zu: got '%s', expected '%s'", i, cachet_error_last()->message,
				 cases[i].message);
		assert_null(wf);
	}
}

static void files_and_options(void **state)
{
	(void)state;
	cachet_workflow *wf = (cachet_workflow *)1;
	assert_cachet_error(cachet_workflow_load(&wf, "no/such/wf.yaml", NULL), CACHET_ENOTFOUND,
			    "cannot open 'no/such/wf.yaml': No such file or directory");
	assert_null(wf);

	/* the seed example loads from disk; relative paths from its directory */
	char path[4096];
	cachet_test_path(path, sizeof path, "examples/seed.yaml");
	assert_int_equal(cachet_workflow_load(&wf, path, NULL), 0);
	assert_string_equal(cachet_workflow_name(wf), "seed");
	cachet_workflow_free(wf);

	/* a workflow file is read within the input limit */
	wf = (cachet_workflow *)1;
	cachet_set_max_input(100);
	char expected[4200];
	snprintf(expected, sizeof expected,
		 "cannot read '%s': larger than the input limit of 100 bytes "
		 "(set CACHET_MAX_INPUT to raise it)", path);
	assert_cachet_error(cachet_workflow_load(&wf, path, NULL), CACHET_ETOOBIG, expected);
	assert_null(wf);
	cachet_set_max_input(0);

	cachet_workflow_load_options opts = CACHET_WORKFLOW_LOAD_OPTIONS_INIT;
	opts.version = 99;
	assert_cachet_error(
		cachet_workflow_load_buffer(&wf, seed, strlen(seed), "w", NULL, &opts),
		CACHET_EINVALID,
		"unsupported workflow load options version 99 (this library knows 1 to 1)");
}

static void a_big_generated_workflow(void **state)
{
	(void)state;
	/* 2,000 nodes in a chain, written last to first: order does not matter */
	enum { N = 2000 };
	size_t cap = 200 + N * 100, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len,
				"workflow: big\n"
				"tasks:\n"
				"  inc:\n"
				"    inputs: {x: int}\n"
				"    outputs: {y: int}\n"
				"    command: [sh, -c, 'echo $(($0 + 1)) > \"$1\"', '{{inputs.x}}', "
				"'{{outputs.y}}']\n"
				"nodes:\n");
	for (int i = N - 1; i >= 0; i--) {
		if (i == 0)
			len += (size_t)snprintf(text + len, cap - len,
						"  n0: {task: inc, inputs: {x: 0}}\n");
		else
			len += (size_t)snprintf(text + len, cap - len,
						"  n%d: {task: inc, inputs: {x: '{{n%d.outputs.y}}'}}\n",
						i, i - 1);
	}
	cachet_workflow *wf = load(text);
	assert_int_equal(cachet_workflow_node_count(wf), N);
	assert_string_equal(cachet_workflow_node_name(wf, 0), "n1999");
	cachet_workflow_free(wf);
	free(text);
}

static void allocation_failures_leak_nothing(void **state)
{
	(void)state;
	/* the seed, and a file with the settings the seed leaves out */
	const char *rich = "workflow: r\n"
			   "inputs: {f: {type: file, default: in.txt}, xs: {type: list of int, "
			   "default: [1, 2]}}\n"
			   "tasks:\n"
			   "  t:\n"
			   "    inputs: {f: file, xs: list of int, m: map of str, s: str}\n"
			   "    outputs: {o: {type: file, hash: {command: [md5sum], timeout: 5s}}}\n"
			   "    cache: {version: '2', ignore: [s, m]}\n"
			   "    env: {A: b}\n"
			   "    command: [cp, '{{inputs.f}}', '{{outputs.o}}']\n"
			   "nodes:\n"
			   "  t: {inputs: {f: '{{inputs.f}}', xs: '{{inputs.xs}}', m: {k: v}, s: 'a{{{{'}}\n"
			   "outputs: {o: '{{t.outputs.o}}'}\n";
	const char *texts[] = {seed, rich};
	for (size_t i = 0; i < 2; i++) {
		for (long n = 0;; n++) {
			cachet_workflow *wf = NULL;
			cachet__alloc_fail_after(n);
			int rc = cachet_workflow_load_buffer(&wf, texts[i], strlen(texts[i]), "w.yaml",
							     "/base", NULL);
			cachet__alloc_fail_reset();
			if (rc == 0) {
				assert_true(cachet_workflow_node_count(wf) > 0);
				cachet_workflow_free(wf);
				assert_true(n > 50);
				break;
			}
			if (rc != CACHET_ENOMEM)
				fail_msg("text %zu, allocation %ld: %s", i, n,
					 cachet_error_last()->message);
			assert_null(wf);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_seed_builds_its_graph),
		cmocka_unit_test(constants_are_read_by_the_input_type),
		cmocka_unit_test(every_validation_problem_is_collected),
		cmocka_unit_test(shape_errors),
		cmocka_unit_test(files_and_options),
		cmocka_unit_test(a_big_generated_workflow),
		cmocka_unit_test(allocation_failures_leak_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
