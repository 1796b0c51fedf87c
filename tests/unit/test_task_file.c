/*
 * Flyte's task files (cachet/task_file.h): the fixtures of
 * tests/fixtures/task, written by Google's protobuf from
 * scripts/gen-fixtures-task.py, decode to what the generator put in them,
 * skipping the fields cachet does not model; the key of the task is
 * Flyte's own vector (docs/flyte.md); every refusal says what failed.
 */
#include "test_helpers.h"

#include "cachet/task_file.h"
#include "util/alloc.h"

/* The key of the task "ints" with inputs {1: 1, 2: 2, 3: 3}, from Flyte's
 * test vectors (docs/flyte.md): input 3 is in its ignore list. */
#define INTS_VERSION "1.0.0-UxVtPm0k-GKw-c0Pw"
#define INTS_TAG "flyte_cached-GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8"

typedef struct bytes {
	char *data;
	size_t len;
} bytes;

static bytes read_task_fixture(const char *name)
{
	char rel[256];
	bytes b = {NULL, 0};

	snprintf(rel, sizeof rel, "tests/fixtures/task/%s", name);
	b.data = cachet_test_read(rel, &b.len);
	assert_true(b.len > 0);
	return b;
}

static cachet_literal_map *inputs_1_2_3(void)
{
	cachet_literal_map *m = NULL;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	for (int i = 1; i <= 3; i++) {
		char name[2] = {(char)('0' + i), '\0'};
		assert_int_equal(cachet_literal_map_set(m, name, cachet_literal_new_integer(i)), 0);
	}
	return m;
}

/* What the generator wrote into every "ints" task. */
static void assert_ints_task(const cachet_task_file *t, cachet_task_message message,
			     bool discoverable)
{
	assert_int_equal(t->message, message);
	assert_string_equal(t->project, "P");
	assert_string_equal(t->domain, "D");
	assert_string_equal(t->name, "t");
	assert_string_equal(t->version, "v7");
	assert_string_equal(t->cache_version, "1.0.0");
	assert_int_equal(t->n_ignore, 1);
	assert_string_equal(t->ignore[0], "3");
	assert_int_equal(t->discoverable, discoverable);
	assert_true(t->serializable);
	assert_non_null(t->iface);
	assert_non_null(t->iface->inputs);
	assert_null(t->iface->outputs);
	assert_int_equal(t->iface->inputs->n_variables, 2);
	for (size_t i = 0; i < 2; i++) {
		const cachet_variable_map_entry *e = &t->iface->inputs->variables[i];
		assert_string_equal(e->key, i == 0 ? "1" : "2");
		assert_int_equal(e->value->type->kind, CACHET_TYPE_SIMPLE);
		assert_int_equal(e->value->type->simple, CACHET_SIMPLE_INTEGER);
	}
}

static void test_fixtures_decode(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		cachet_task_message message;
		bool discoverable;
	} cases[] = {
		{"template.pb", CACHET_TASK_TEMPLATE, true},
		{"template.json", CACHET_TASK_TEMPLATE, true},
		{"template_snake.json", CACHET_TASK_TEMPLATE, true},
		{"spec.pb", CACHET_TASK_SPEC, true},
		{"spec.json", CACHET_TASK_SPEC, true},
		{"not_discoverable.pb", CACHET_TASK_TEMPLATE, false},
		{"not_discoverable.json", CACHET_TASK_TEMPLATE, false},
	};
	cachet_literal_map *inputs = inputs_1_2_3();

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bytes b = read_task_fixture(cases[i].file);
		cachet_task_file t;
		cachet_cache_key key = CACHET_CACHE_KEY_INIT;

		/* detected, and told */
		assert_int_equal(cachet_task_file_decode(&t, b.data, b.len, CACHET_FORMAT_AUTO,
							 CACHET_TASK_DETECT),
				 0);
		assert_ints_task(&t, cases[i].message, cases[i].discoverable);
		cachet_task_file_dispose(&t);
		assert_int_equal(cachet_task_file_decode(&t, b.data, b.len, CACHET_FORMAT_AUTO,
							 cases[i].message),
				 0);
		assert_ints_task(&t, cases[i].message, cases[i].discoverable);

		/* Flyte's key, whether discoverable or not */
		assert_int_equal(cachet_task_file_key(&key, &t, inputs, NULL), 0);
		assert_string_equal(key.project, "P");
		assert_string_equal(key.domain, "D");
		assert_string_equal(key.name, "flyte_task-t");
		assert_string_equal(key.version, INTS_VERSION);
		assert_string_equal(key.tag, INTS_TAG);
		cachet_cache_key_dispose(&key);
		cachet_task_file_dispose(&t);
		assert_null(t.project);
		free(b.data);
	}
	cachet_literal_map_free(inputs);
}

/* The caller's ignore list joins the task's: ignoring 1 and 2 as well
 * leaves no input, the key of the empty map (docs/flyte.md). */
static void test_key_joins_ignore_lists(void **state)
{
	(void)state;
	bytes b = read_task_fixture("spec.pb");
	cachet_literal_map *inputs = inputs_1_2_3();
	const char *more[] = {"1", "2"};
	cachet_key_options opts = CACHET_KEY_OPTIONS_INIT;
	cachet_task_file t;
	cachet_cache_key key = CACHET_CACHE_KEY_INIT;

	assert_int_equal(cachet_task_file_decode(&t, b.data, b.len, CACHET_FORMAT_PB,
						 CACHET_TASK_DETECT),
			 0);
	opts.ignore = more;
	opts.n_ignore = 2;
	assert_int_equal(cachet_task_file_key(&key, &t, inputs, &opts), 0);
	assert_string_equal(key.tag, "flyte_cached-GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ");
	cachet_cache_key_dispose(&key);

	opts.n_ignore = 1;
	opts.ignore = NULL;
	assert_cachet_error(cachet_task_file_key(&key, &t, inputs, &opts), CACHET_EINVALID,
			    "key options: 1 ignored inputs but no list");
	opts = (cachet_key_options)CACHET_KEY_OPTIONS_INIT;
	opts.version = CACHET_KEY_OPTIONS_VERSION + 1;
	assert_int_equal(cachet_task_file_key(&key, &t, inputs, &opts), CACHET_EINVALID);
	assert_cachet_error(cachet_task_file_key(&key, NULL, inputs, NULL), CACHET_EINVALID,
			    "no task file to compute the key of");

	cachet_task_file_dispose(&t);
	cachet_literal_map_free(inputs);
	free(b.data);
}

/* Messages Flyte may add fields to skip them; the interface does not. */
static void test_unknown_fields(void **state)
{
	(void)state;
	static const char skipped[] =
		"{\"id\": {\"project\": \"P\", \"domain\": \"D\", \"name\": \"t\", \"new\": 1},"
		" \"metadata\": {\"discoverable\": true, \"discoveryVersion\": \"1\","
		" \"someDay\": {\"a\": [1, 2]}}, \"shinyNewField\": \"x\"}";
	static const char strict[] =
		"{\"id\": {\"project\": \"P\", \"domain\": \"D\", \"name\": \"t\"},"
		" \"interface\": {\"inputs\": {\"variables\": {}, \"new\": 1}}}";
	cachet_task_file t;

	assert_int_equal(cachet_task_file_decode(&t, skipped, strlen(skipped), CACHET_FORMAT_AUTO,
						 CACHET_TASK_DETECT),
			 0);
	assert_int_equal(t.message, CACHET_TASK_TEMPLATE);
	assert_true(t.discoverable);
	assert_string_equal(t.cache_version, "1");
	assert_string_equal(t.version, "");
	assert_null(t.iface);
	assert_int_equal(t.n_ignore, 0);
	cachet_task_file_dispose(&t);

	assert_cachet_error(cachet_task_file_decode(&t, strict, strlen(strict), CACHET_FORMAT_JSON,
						    CACHET_TASK_DETECT),
			    CACHET_EINVALID, "interface.inputs: unknown field \"new\"");
	assert_null(t.project);
}

/* A string literal as data and length. */
#define TEXT(s) s, sizeof(s) - 1

static void expect_refusal(const void *data, size_t len, cachet_format format,
			   cachet_task_message message, const char *want)
{
	cachet_task_file t;
	assert_cachet_error(cachet_task_file_decode(&t, data, len, format, message),
			    CACHET_EINVALID, want);
	assert_null(t.project);
	assert_null(t.iface);
}

static void test_refusals(void **state)
{
	(void)state;
	bytes wf = read_task_fixture("workflow_id.pb");
	bytes bare = read_task_fixture("ambiguous.pb");
	bytes spec = read_task_fixture("spec.json");

	expect_refusal(wf.data, wf.len, CACHET_FORMAT_AUTO, CACHET_TASK_DETECT,
		       "id: names a WORKFLOW, not a task");
	expect_refusal(bare.data, bare.len, CACHET_FORMAT_PB, CACHET_TASK_DETECT,
		       "cannot tell a TaskTemplate from a TaskSpec (neither an id's resource "
		       "type nor a template's id shows); decode it");
	/* A TaskSpec read as a TaskTemplate has no id; read as what it is, its
	 * template's id is where the error points. */
	expect_refusal(spec.data, spec.len, CACHET_FORMAT_JSON, CACHET_TASK_TEMPLATE,
		       "id is missing: it names the task");
	expect_refusal(TEXT("{}"), CACHET_FORMAT_JSON, CACHET_TASK_SPEC,
		       "template is missing: a TaskSpec holds the task there");
	expect_refusal(TEXT("{\"template\": {\"id\": {\"project\": \"P\", \"name\": \"t\"}}}"),
		       CACHET_FORMAT_AUTO, CACHET_TASK_DETECT,
		       "template.id: the task's domain is empty");
	expect_refusal(TEXT("{\"id\": {\"resourceType\": 9, \"project\": \"P\"}}"),
		       CACHET_FORMAT_AUTO, CACHET_TASK_DETECT,
		       "id: names resource type 9, not a task");
	expect_refusal("", 0, CACHET_FORMAT_PB, CACHET_TASK_TEMPLATE,
		       "id is missing: it names the task");
	expect_refusal(TEXT("{"), CACHET_FORMAT_AUTO, CACHET_TASK_DETECT, NULL);
	expect_refusal(TEXT("x"), CACHET_FORMAT_AUTO, 7, "unknown task message 7");
	expect_refusal(TEXT("x"), (cachet_format)9, CACHET_TASK_DETECT, "unknown format 9");
	expect_refusal(NULL, 1, CACHET_FORMAT_PB, CACHET_TASK_DETECT, "no input data");
	assert_cachet_error(cachet_task_file_decode(NULL, "", 0, CACHET_FORMAT_PB,
						    CACHET_TASK_DETECT),
			    CACHET_EINVALID, "no task file to decode into");

	/* the input limit */
	cachet_task_file t;
	cachet_set_max_input(16);
	assert_int_equal(cachet_task_file_decode(&t, spec.data, spec.len, CACHET_FORMAT_AUTO,
						 CACHET_TASK_DETECT),
			 CACHET_ETOOBIG);
	cachet_set_max_input(0);
	cachet_task_file_dispose(NULL);

	free(wf.data);
	free(bare.data);
	free(spec.data);
}

/* Every allocation that fails is reported, and nothing leaks. */
static void test_alloc_failures(void **state)
{
	(void)state;
	const char *files[] = {"spec.pb", "spec.json"};

	for (size_t f = 0; f < 2; f++) {
		bytes b = read_task_fixture(files[f]);
		long n;
		for (n = 0; n < 100000; n++) {
			cachet_task_file t;
			cachet__alloc_fail_after(n);
			int rc = cachet_task_file_decode(&t, b.data, b.len, CACHET_FORMAT_AUTO,
							 CACHET_TASK_DETECT);
			int injected = cachet__alloc_failed();
			cachet__alloc_fail_reset();
			if (rc == 0) {
				assert_false(injected);
				assert_ints_task(&t, CACHET_TASK_SPEC, true);
				cachet_task_file_dispose(&t);
				break;
			}
			assert_true(injected);
			assert_int_equal(rc, CACHET_ENOMEM);
			assert_null(t.project);
		}
		assert_true(n > 10);
		free(b.data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_decode),
		cmocka_unit_test(test_key_joins_ignore_lists),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
