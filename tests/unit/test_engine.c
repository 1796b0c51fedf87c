/*
 * The engine's API before anything runs: values from text, type names and
 * compatibility, tasks and their templates, building and validating
 * workflows (every problem, with the caller's location), and allocation
 * failures along the way.
 */
#include "test_engine_helpers.h"

#include "util/alloc.h"

/* ---------------------------------------------------------------------- */
/* Values from text                                                       */

static cachet_literal *parse_ok(const cachet_literal_type *t, const char *text)
{
	cachet_literal *lit = NULL;
	int rc = cachet_literal_from_text(&lit, t, text);
	if (rc < 0)
		fprintf(stderr, "%s\n", cachet_error_last()->message);
	assert_int_equal(rc, 0);
	assert_non_null(lit);
	return lit;
}

static void parse_fails(const cachet_literal_type *t, const char *text, int code, const char *msg)
{
	cachet_literal *lit = (cachet_literal *)1;
	assert_cachet_error(cachet_literal_from_text(&lit, t, text), code, msg);
	assert_null(lit);
}

static void text_primitives(void **state)
{
	cachet_literal_type *i = T_INT(), *fl = T_FLOAT(), *s = T_STR(),
			    *b = cachet_literal_type_new_simple(CACHET_SIMPLE_BOOLEAN),
			    *dt = cachet_literal_type_new_simple(CACHET_SIMPLE_DATETIME),
			    *du = cachet_literal_type_new_simple(CACHET_SIMPLE_DURATION),
			    *none = cachet_literal_type_new_simple(CACHET_SIMPLE_NONE),
			    *bin = cachet_literal_type_new_simple(CACHET_SIMPLE_BINARY);
	cachet_literal *lit;

	(void)state;
	lit = parse_ok(i, " -12\n");
	assert_int_equal(lit->scalar->primitive->integer, -12);
	cachet_literal_free(lit);
	lit = parse_ok(i, "9223372036854775807");
	assert_int_equal(lit->scalar->primitive->integer, INT64_MAX);
	cachet_literal_free(lit);
	parse_fails(i, "abc", CACHET_EINVALID, "\"abc\" is not an int");
	parse_fails(i, "", CACHET_EINVALID, "\"\" is not an int");
	parse_fails(i, "1.5", CACHET_EINVALID, "\"1.5\" is not an int");
	parse_fails(i, " 3 4", CACHET_EINVALID, "\"3 4\" is not an int");
	parse_fails(i, "9223372036854775808", CACHET_EINVALID,
		    "\"9223372036854775808\" is out of range for an int");

	lit = parse_ok(fl, "1.5");
	assert_true(lit->scalar->primitive->float_value == 1.5);
	cachet_literal_free(lit);
	lit = parse_ok(fl, "-2e3");
	assert_true(lit->scalar->primitive->float_value == -2000.0);
	cachet_literal_free(lit);
	lit = parse_ok(fl, "inf");
	assert_true(lit->scalar->primitive->float_value > 1e308);
	cachet_literal_free(lit);
	parse_fails(fl, "1.5x", CACHET_EINVALID, "\"1.5x\" is not a float");
	parse_fails(fl, "0x10", CACHET_EINVALID, "\"0x10\" is not a float");
	parse_fails(fl, "1e999", CACHET_EINVALID, "\"1e999\" is out of range for a float");

	lit = parse_ok(s, " two words ");
	assert_string_equal(lit->scalar->primitive->string_value, " two words ");
	cachet_literal_free(lit);
	parse_fails(s, "\xff", CACHET_EINVALID, NULL);

	for (int k = 0; k < 6; k++) {
		static const char *const texts[] = {"true", "True", "1", "false", "False", "0"};
		lit = parse_ok(b, texts[k]);
		assert_int_equal(lit->scalar->primitive->boolean, k < 3);
		cachet_literal_free(lit);
	}
	parse_fails(b, "maybe", CACHET_EINVALID, "\"maybe\" is not a bool (true or false)");

	/* 2024-01-02T03:04:05Z: 1704164645 by `date -u -d ... +%s` */
	lit = parse_ok(dt, "2024-01-02T03:04:05Z");
	assert_int_equal(lit->scalar->primitive->datetime->seconds, 1704164645);
	cachet_literal_free(lit);
	lit = parse_ok(dt, "2024-01-02T05:04:05+02:00");
	assert_int_equal(lit->scalar->primitive->datetime->seconds, 1704164645);
	cachet_literal_free(lit);
	parse_fails(dt, "yesterday", CACHET_EINVALID,
		    "\"yesterday\" is not a datetime (RFC 3339, e.g. 2024-01-02T03:04:05Z)");

	lit = parse_ok(du, "1.5s");
	assert_int_equal(lit->scalar->primitive->duration->seconds, 1);
	assert_int_equal(lit->scalar->primitive->duration->nanos, 500000000);
	cachet_literal_free(lit);
	lit = parse_ok(du, "1m30s");
	assert_int_equal(lit->scalar->primitive->duration->seconds, 90);
	cachet_literal_free(lit);
	lit = parse_ok(du, "250ms");
	assert_int_equal(lit->scalar->primitive->duration->seconds, 0);
	assert_int_equal(lit->scalar->primitive->duration->nanos, 250000000);
	cachet_literal_free(lit);
	lit = parse_ok(du, "2h");
	assert_int_equal(lit->scalar->primitive->duration->seconds, 7200);
	cachet_literal_free(lit);
	parse_fails(du, "soon", CACHET_EINVALID,
		    "\"soon\" is not a duration (e.g. 1.5s, 90s, 1m30s, 250ms)");
	parse_fails(du, "5", CACHET_EINVALID, NULL);

	lit = parse_ok(none, "");
	assert_int_equal(lit->scalar->kind, CACHET_SCALAR_NONE);
	cachet_literal_free(lit);
	lit = parse_ok(none, "null");
	cachet_literal_free(lit);
	parse_fails(none, "x", CACHET_EINVALID, "\"x\" is not none (\"\", none or null)");
	parse_fails(bin, "x", CACHET_EUNSUPPORTED, "values of type binary cannot be read from text");

	/* long texts are shortened in messages */
	{
		char longtext[200];
		memset(longtext, 'z', sizeof longtext - 1);
		longtext[sizeof longtext - 1] = '\0';
		parse_fails(i, longtext, CACHET_EINVALID,
			    "\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...\" is not "
			    "an int");
	}

	cachet_literal_type_free(i);
	cachet_literal_type_free(fl);
	cachet_literal_type_free(s);
	cachet_literal_type_free(b);
	cachet_literal_type_free(dt);
	cachet_literal_type_free(du);
	cachet_literal_type_free(none);
	cachet_literal_type_free(bin);
}

static void text_data(void **state)
{
	cachet_literal_type *file = cachet_literal_type_new_blob("csv", CACHET_BLOB_SINGLE),
			    *dir = T_DIR(), *ds = T_CSV();
	cachet_literal *lit;
	char cwd[PATH_MAX - 64], expect[PATH_MAX + 32];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	lit = parse_ok(file, "./data.csv");
	snprintf(expect, sizeof expect, "file://%s/data.csv", cwd);
	assert_string_equal(lit->scalar->blob->uri, expect);
	assert_string_equal(lit->scalar->blob->metadata->type->format, "csv");
	assert_null(lit->hash);
	cachet_literal_free(lit);
	lit = parse_ok(dir, "/srv/data/");
	assert_string_equal(lit->scalar->blob->uri, "file:///srv/data");
	assert_int_equal(lit->scalar->blob->metadata->type->dimensionality, CACHET_BLOB_MULTIPART);
	cachet_literal_free(lit);
	lit = parse_ok(ds, "s3://bucket/df.csv");
	assert_string_equal(lit->scalar->structured_dataset->uri, "s3://bucket/df.csv");
	assert_string_equal(
		lit->scalar->structured_dataset->metadata->structured_dataset_type->format, "csv");
	cachet_literal_free(lit);
	parse_fails(file, "  ", CACHET_EINVALID, "an empty path is not a file");
	parse_fails(dir, "", CACHET_EINVALID, "an empty path is not a directory");
	parse_fails(ds, "", CACHET_EINVALID, "an empty path is not a dataset");

	/* declared columns stay with the value */
	{
		const char *json = "{\"structuredDatasetType\":{\"format\":\"csv\",\"columns\":["
				   "{\"name\":\"a\",\"literalType\":{\"simple\":\"INTEGER\"}}]}}";
		cachet_literal_type *t = NULL;
		const cachet_structured_dataset_type *got;
		assert_int_equal(cachet_literal_type_decode(&t, json, strlen(json), CACHET_FORMAT_JSON),
				 0);
		lit = parse_ok(t, "/x.csv");
		got = lit->scalar->structured_dataset->metadata->structured_dataset_type;
		assert_int_equal(got->n_columns, 1);
		assert_string_equal(got->columns[0]->name, "a");
		assert_string_equal(got->format, "csv");
		cachet_literal_free(lit);
		cachet_literal_type_free(t);
	}
	cachet_literal_type_free(file);
	cachet_literal_type_free(dir);
	cachet_literal_type_free(ds);
}

static cachet_literal_type *enum_of(const char *a, const char *b)
{
	/* an enum type, decoded from its JSON form */
	char json[128];
	cachet_literal_type *t = NULL;
	snprintf(json, sizeof json, "{\"enumType\":{\"values\":[\"%s\",\"%s\"]}}", a, b);
	assert_int_equal(cachet_literal_type_decode(&t, json, strlen(json), CACHET_FORMAT_JSON), 0);
	return t;
}

static cachet_literal_type *union_of(cachet_literal_type *x, cachet_literal_type *y)
{
	cachet_literal_type *t = NULL;
	char *jx = NULL, *jy = NULL, json[512];
	size_t lx, ly;
	assert_int_equal(cachet_literal_type_encode(&jx, &lx, x, CACHET_FORMAT_JSON, 0), 0);
	assert_int_equal(cachet_literal_type_encode(&jy, &ly, y, CACHET_FORMAT_JSON, 0), 0);
	snprintf(json, sizeof json, "{\"unionType\":{\"variants\":[%s,%s]}}", jx, jy);
	assert_int_equal(cachet_literal_type_decode(&t, json, strlen(json), CACHET_FORMAT_JSON), 0);
	cachet_free(jx);
	cachet_free(jy);
	cachet_literal_type_free(x);
	cachet_literal_type_free(y);
	return t;
}

static void text_containers(void **state)
{
	cachet_literal_type *li = cachet_literal_type_new_collection(T_INT()),
			    *ms = cachet_literal_type_new_map(T_STR()),
			    *lli = cachet_literal_type_new_collection(
				    cachet_literal_type_new_collection(T_INT())),
			    *e = enum_of("a", "b"), *u = union_of(T_INT(), T_STR());
	cachet_literal *lit;

	(void)state;
	lit = parse_ok(li, " [1, -2, \"3\"] ");
	assert_int_equal(lit->collection->n_literals, 3);
	assert_int_equal(lit->collection->literals[1]->scalar->primitive->integer, -2);
	assert_int_equal(lit->collection->literals[2]->scalar->primitive->integer, 3);
	cachet_literal_free(lit);
	parse_fails(li, "[1, \"x\"]", CACHET_EINVALID, "[1]: \"x\" is not an int");
	parse_fails(li, "[1.5]", CACHET_EINVALID, "[0]: the number 1.5 is not of this type");
	parse_fails(li, "1", CACHET_EINVALID, "\"1\" is not a JSON list");
	parse_fails(li, "[1,", CACHET_EINVALID, NULL);
	lit = parse_ok(lli, "[[1],[]]");
	assert_int_equal(lit->collection->literals[0]->collection->n_literals, 1);
	cachet_literal_free(lit);

	lit = parse_ok(ms, "{\"k\": \"v\", \"n\": \"1\"}");
	assert_int_equal(lit->map->n_literals, 2);
	assert_string_equal(cachet_literal_map_get(lit->map, "k")->scalar->primitive->string_value,
			    "v");
	cachet_literal_free(lit);
	parse_fails(ms, "{\"k\": 1}", CACHET_EINVALID, "[\"k\"]: the number 1 is not of this type");
	parse_fails(ms, "[]", CACHET_EINVALID, "\"[]\" is not a JSON object");

	lit = parse_ok(e, "b");
	assert_string_equal(lit->scalar->primitive->string_value, "b");
	cachet_literal_free(lit);
	parse_fails(e, "z", CACHET_EINVALID, "\"z\" is not one of a, b");

	lit = parse_ok(u, "3");
	assert_int_equal(lit->scalar->kind, CACHET_SCALAR_UNION);
	assert_int_equal(lit->scalar->union_->value->scalar->primitive->integer, 3);
	assert_int_equal(lit->scalar->union_->type->simple, CACHET_SIMPLE_INTEGER);
	cachet_literal_free(lit);
	lit = parse_ok(u, "x");
	assert_int_equal(lit->scalar->union_->type->simple, CACHET_SIMPLE_STRING);
	cachet_literal_free(lit);

	cachet_literal_type_free(li);
	cachet_literal_type_free(ms);
	cachet_literal_type_free(lli);
	cachet_literal_type_free(e);
	cachet_literal_type_free(u);
}

/* ---------------------------------------------------------------------- */
/* Types                                                                  */

static void describe_is(cachet_literal_type *t, const char *expect)
{
	char *s = NULL;
	assert_int_equal(cachet_literal_type_describe(&s, t), 0);
	assert_string_equal(s, expect);
	cachet_free(s);
	cachet_literal_type_free(t);
}

static void type_names(void **state)
{
	(void)state;
	describe_is(T_INT(), "int");
	describe_is(T_STR(), "str");
	describe_is(cachet_literal_type_new_simple(CACHET_SIMPLE_BOOLEAN), "bool");
	describe_is(cachet_literal_type_new_blob("csv", CACHET_BLOB_SINGLE), "file(csv)");
	describe_is(T_DIR(), "directory");
	describe_is(T_CSV(), "dataset(csv)");
	describe_is(cachet_literal_type_new_dataset(NULL), "dataset");
	describe_is(cachet_literal_type_new_collection(T_CSV()), "list of dataset(csv)");
	describe_is(cachet_literal_type_new_map(cachet_literal_type_new_collection(T_INT())),
		    "map of list of int");
	describe_is(enum_of("a", "b"), "enum(a|b)");
	describe_is(union_of(T_INT(), cachet_literal_type_new_simple(CACHET_SIMPLE_NONE)),
		    "union(int|none)");
}

static void compatible_is(cachet_literal_type *from, cachet_literal_type *to, const char *why)
{
	char *w = NULL;
	bool ok = cachet_literal_type_compatible(from, to, &w);
	if (why) {
		assert_false(ok);
		assert_string_equal(w, why);
	} else {
		assert_true(ok);
		assert_null(w);
	}
	cachet_free(w);
	cachet_literal_type_free(from);
	cachet_literal_type_free(to);
}

static void type_compatibility(void **state)
{
	(void)state;
	compatible_is(T_INT(), T_INT(), NULL);
	compatible_is(T_INT(), T_STR(), "different types");
	compatible_is(T_INT(), T_CSV(), "different kinds of value");
	compatible_is(cachet_literal_type_new_dataset("parquet"), T_CSV(),
		      "dataset format 'parquet' does not match 'csv'");
	compatible_is(cachet_literal_type_new_dataset(""), T_CSV(), NULL);
	compatible_is(T_CSV(), cachet_literal_type_new_dataset(NULL), NULL);
	compatible_is(T_FILE(), T_DIR(), "a file is not a directory");
	compatible_is(T_DIR(), T_FILE(), "a directory is not a file");
	compatible_is(cachet_literal_type_new_blob("csv", CACHET_BLOB_SINGLE),
		      cachet_literal_type_new_blob("json", CACHET_BLOB_SINGLE),
		      "format 'csv' does not match 'json'");
	compatible_is(cachet_literal_type_new_collection(T_INT()),
		      cachet_literal_type_new_collection(T_INT()), NULL);
	compatible_is(cachet_literal_type_new_collection(T_INT()),
		      cachet_literal_type_new_collection(T_STR()), "different types");
	compatible_is(T_INT(), union_of(T_STR(), T_INT()), NULL);
	compatible_is(T_FLOAT(), union_of(T_STR(), T_INT()), "it fits no variant of the union");
	compatible_is(union_of(T_STR(), T_INT()), T_INT(), "different kinds of value");
	compatible_is(enum_of("a", "b"), enum_of("b", "a"), NULL);
	compatible_is(enum_of("a", "c"), enum_of("a", "b"), "enum value 'c' is not accepted");
	/* dataset columns: the input's must be among the output's */
	{
		const char *with = "{\"structuredDatasetType\":{\"format\":\"csv\",\"columns\":["
				   "{\"name\":\"a\",\"literalType\":{\"simple\":\"INTEGER\"}},"
				   "{\"name\":\"b\",\"literalType\":{\"simple\":\"STRING\"}}]}}";
		const char *want_b = "{\"structuredDatasetType\":{\"format\":\"csv\",\"columns\":["
				     "{\"name\":\"b\",\"literalType\":{\"simple\":\"STRING\"}}]}}";
		const char *want_c = "{\"structuredDatasetType\":{\"columns\":["
				     "{\"name\":\"c\",\"literalType\":{\"simple\":\"STRING\"}}]}}";
		cachet_literal_type *a = NULL, *b = NULL, *c = NULL, *a2 = NULL;
		assert_int_equal(cachet_literal_type_decode(&a, with, strlen(with), CACHET_FORMAT_JSON), 0);
		assert_int_equal(cachet_literal_type_decode(&a2, with, strlen(with), CACHET_FORMAT_JSON), 0);
		assert_int_equal(cachet_literal_type_decode(&b, want_b, strlen(want_b), CACHET_FORMAT_JSON), 0);
		assert_int_equal(cachet_literal_type_decode(&c, want_c, strlen(want_c), CACHET_FORMAT_JSON), 0);
		compatible_is(a, b, NULL);
		compatible_is(a2, c, "the dataset has no column 'c'");
	}
}

/* ---------------------------------------------------------------------- */
/* Tasks                                                                  */

static int nop_fn(cachet_task_context *ctx, void *payload)
{
	(void)ctx;
	(void)payload;
	return 0;
}

static void command_templates(void **state)
{
	cachet_task *t = NULL;
	cachet_interface *i = iface_of(2, "in", "a", T_INT(), "out", "n", T_INT());

	(void)state;
	{
		const char *argv[] = {"echo", "x{{ inputs.a }}y", "{{outputs.n}}", "{{node.dir}}",
				      "{{run.id}}", "{{{{literal}}", NULL};
		assert_int_equal(cachet_task_new_command(&t, "t", i, argv), 0);
		assert_string_equal(cachet_task_name(t), "t");
		assert_string_equal(cachet_task_argv(t)[1], "x{{ inputs.a }}y");
		assert_null(cachet_task_argv(t)[6]);
		assert_false(cachet_task_is_cached(t));
		assert_true(cachet_interface_equal(cachet_task_interface(t), i));
		/* a second reference outlives the first */
		assert_ptr_equal(cachet_task_ref(t), t);
		cachet_task_free(t);
		assert_string_equal(cachet_task_name(t), "t");
		cachet_task_free(t);
	}
	{
		const char *argv[] = {"echo", "{{inputs.c}}", NULL};
		assert_cachet_error(cachet_task_new_command(&t, "t", i, argv), CACHET_EINVALID,
				    "argv[1]: unknown input 'c' in \"{{inputs.c}}\"");
		assert_null(t);
	}
	{
		const char *argv[] = {"echo", "{{outputs.a}}", NULL};
		assert_cachet_error(cachet_task_new_command(&t, "t", i, argv), CACHET_EINVALID,
				    "argv[1]: unknown output 'a' in \"{{outputs.a}}\"");
	}
	{
		const char *argv[] = {"echo", "{{input.a}}", NULL};
		assert_cachet_error(cachet_task_new_command(&t, "t", i, argv), CACHET_EINVALID,
				    "argv[1]: unknown placeholder '{{input.a}}' in \"{{input.a}}\" "
				    "(known: inputs.NAME, outputs.NAME, node.dir, run.id)");
	}
	{
		const char *argv[] = {"x", "{{inputs.a", NULL};
		assert_cachet_error(cachet_task_new_command(&t, "t", i, argv), CACHET_EINVALID,
				    "argv[1]: unterminated '{{' in \"{{inputs.a\"");
	}
	{
		const char *argv[] = {NULL};
		assert_cachet_error(cachet_task_new_command(&t, "t", i, argv), CACHET_EINVALID,
				    "task 't': the command is empty");
		assert_cachet_error(cachet_task_new_command(&t, "t", i, NULL), CACHET_EINVALID,
				    "task 't': the command is empty");
	}
	{
		const char *argv[] = {"true", NULL};
		assert_cachet_error(cachet_task_new_command(&t, "", i, argv), CACHET_EINVALID,
				    "a task needs a name");
	}
	assert_cachet_error(cachet_task_new_function(&t, "f", i, NULL, NULL), CACHET_EINVALID,
			    "task 'f': no function given");
	cachet_interface_free(i);
}

static void task_settings(void **state)
{
	cachet_task *c = NULL, *f = NULL;
	cachet_interface *i = iface_of(2, "in", "a", T_INT(), "out", "n", T_INT());
	const char *argv[] = {"true", NULL};
	cachet_task_cache cache = CACHET_TASK_CACHE_INIT;
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	const char *ignore[] = {"b"};

	(void)state;
	assert_int_equal(cachet_task_new_command(&c, "c", i, argv), 0);
	assert_int_equal(cachet_task_new_function(&f, "f", i, nop_fn, NULL), 0);

	cache.enabled = true;
	cache.cache_version = "  ";
	assert_cachet_error(cachet_task_set_cache(c, &cache), CACHET_EINVALID,
			    "task 'c': a cached task needs a cache version");
	cache.cache_version = "1.0";
	cache.ignore = ignore;
	cache.n_ignore = 1;
	assert_cachet_error(cachet_task_set_cache(c, &cache), CACHET_EINVALID,
			    "task 'c': ignored input 'b' is not an input");
	assert_false(cachet_task_is_cached(c));
	ignore[0] = "a";
	assert_int_equal(cachet_task_set_cache(c, &cache), 0);
	assert_true(cachet_task_is_cached(c));
	cache.version = 99;
	assert_int_equal(cachet_task_set_cache(c, &cache), CACHET_EINVALID);

	assert_cachet_error(cachet_task_set_hash_method(c, "zz", &m), CACHET_EINVALID,
			    "task 'c': 'zz' is not an output");
	m.kind = CACHET_HASH_COMMAND;
	assert_cachet_error(cachet_task_set_hash_method(c, "n", &m), CACHET_EINVALID,
			    "task 'c': output 'n': the hash command is empty");
	{
		const char *hargv[] = {"md5sum", NULL};
		m.argv = hargv;
		assert_int_equal(cachet_task_set_hash_method(c, "n", &m), 0);
		/* replacing it */
		assert_int_equal(cachet_task_set_hash_method(c, "n", &m), 0);
	}
	m.kind = CACHET_HASH_CALLBACK;
	assert_cachet_error(cachet_task_set_hash_method(c, "n", &m), CACHET_EINVALID,
			    "task 'c': output 'n': no hash callback given");

	assert_int_equal(cachet_task_set_timeout(c, 100), 0);
	assert_cachet_error(cachet_task_set_timeout(f, 100), CACHET_EINVALID,
			    "task 'f': only a command can have a timeout");
	assert_int_equal(cachet_task_set_env(c, "K", "v"), 0);
	assert_cachet_error(cachet_task_set_env(c, "A=B", "v"), CACHET_EINVALID,
			    "task 'c': invalid variable name 'A=B'");
	assert_cachet_error(cachet_task_set_env(f, "K", "v"), CACHET_EINVALID,
			    "task 'f': only a command has an environment");
	assert_null(cachet_task_argv(f));

	cachet_task_free(c);
	cachet_task_free(f);
	cachet_task_free(NULL);
	cachet_interface_free(i);
}

/* ---------------------------------------------------------------------- */
/* Validation                                                             */

static cachet_task *csv_producer(void)
{
	const char *argv[] = {"true", NULL};
	return command_task("p", iface_of(2, "in", "a", T_INT(), "out", "df",
					  cachet_literal_type_new_dataset("parquet")),
			    argv);
}

static cachet_task *csv_consumer(void)
{
	const char *argv[] = {"true", NULL};
	return command_task("c", iface_of(3, "in", "df", T_CSV(), "in", "k", T_INT(), "out", "n",
					  T_INT()),
			    argv);
}

static void validation_reports_every_problem(void **state)
{
	cachet_workflow *wf = NULL;
	cachet_problems pr = CACHET_PROBLEMS_INIT;
	cachet_literal *s = cachet_literal_new_string("x");
	cachet_task *p = csv_producer(), *c = csv_consumer();

	(void)state;
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "a", T_INT(), cachet_literal_new_string("3"),
						   "wf.yaml:2:3"),
			 0);
	assert_int_equal(cachet_workflow_add_input(wf, "a", T_INT(), NULL, "wf.yaml:3:3"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "p", p, "wf.yaml:5:3"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "c", c, "wf.yaml:9:3"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "c", c, "wf.yaml:12:3"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "bad name", c, "wf.yaml:14:3"), 0);
	cachet_task_free(p);
	cachet_task_free(c);
	/* p: a bound to an unknown workflow input */
	assert_int_equal(cachet_workflow_bind(wf, "p", "a", &CACHET_FROM_INPUT("aa"), "wf.yaml:6:10"),
			 0);
	/* c: df from p: parquet into csv; k twice; zz not an input */
	assert_int_equal(cachet_workflow_bind(wf, "c", "df", &CACHET_FROM_OUTPUT("p", "df"),
					      "wf.yaml:10:10"),
			 0);
	assert_int_equal(cachet_workflow_bind(wf, "c", "k", &CACHET_FROM_CONSTANT(s), "wf.yaml:11:10"),
			 0);
	assert_int_equal(cachet_workflow_bind(wf, "c", "k", &CACHET_FROM_INPUT("a"), "wf.yaml:11:20"),
			 0);
	assert_int_equal(cachet_workflow_bind(wf, "c", "zz", &CACHET_FROM_OUTPUT("q", "x"),
					      "wf.yaml:11:30"),
			 0);
	/* bad name: df from p's unknown output; k unbound */
	assert_int_equal(cachet_workflow_bind(wf, "bad name", "df", &CACHET_FROM_OUTPUT("p", "dff"),
					      "wf.yaml:15:10"),
			 0);
	/* a binding into a node that never comes */
	assert_int_equal(cachet_workflow_bind(wf, "ghost", "x", &CACHET_FROM_INPUT("a"), "wf.yaml:20:1"),
			 0);
	assert_int_equal(cachet_workflow_add_output(wf, "v", &CACHET_FROM_OUTPUT("c", "m"),
						    "wf.yaml:30:3"),
			 0);
	assert_int_equal(cachet_workflow_add_output(wf, "v", &CACHET_FROM_INPUT("a"), "wf.yaml:31:3"),
			 0);
	cachet_literal_free(s);

	assert_int_equal(cachet_workflow_validate(&pr, wf), CACHET_EINVALID);
	assert_string_equal(cachet_error_last()->message,
			    "wf.yaml:2:3: workflow input 'a': the default does not fit int: a str "
			    "is not of type int");
	{
		static const char *const expect[][3] = {
			{"wf.yaml:2:3", NULL,
			 "workflow input 'a': the default does not fit int: a str is not of type int"},
			{"wf.yaml:3:3", NULL, "workflow input 'a' is declared twice"},
			{"wf.yaml:6:10", "p", "node 'p': input 'a': no workflow input 'aa'"},
			{"wf.yaml:10:10", "c",
			 "node 'c': input 'df' is dataset(csv) but output 'df' of node 'p' is "
			 "dataset(parquet): dataset format 'parquet' does not match 'csv'"},
			{"wf.yaml:11:10", "c",
			 "node 'c': input 'k': the constant does not fit int: a str is not of type int"},
			{"wf.yaml:11:20", "c", "node 'c': input 'k' is bound twice"},
			{"wf.yaml:11:30", "c", "node 'c': input 'zz': task 'c' has no such input"},
			{"wf.yaml:11:30", "c", "node 'c': input 'zz': no node 'q'"},
			{"wf.yaml:12:3", "c", "node 'c' is defined twice (first at wf.yaml:9:3)"},
			{"wf.yaml:14:3", "bad name",
			 "node 'bad name': invalid name: it holds ' ' (it becomes a file name: use "
			 "letters, digits, '_', '-' and '.', not '.' first, at most 128 bytes)"},
			{"wf.yaml:15:10", "bad name",
			 "node 'bad name': input 'df': node 'p' has no output 'dff'"},
			{"wf.yaml:14:3", "bad name", "node 'bad name': input 'k' is not bound"},
			{"wf.yaml:20:1", NULL, "binding of input 'x': no node 'ghost'"},
			{"wf.yaml:30:3", NULL, "workflow output 'v': node 'c' has no output 'm'"},
			{"wf.yaml:31:3", NULL, "workflow output 'v' is declared twice"},
		};
		size_t n = sizeof expect / sizeof expect[0];
		for (size_t k = 0; k < pr.n && k < n; k++) {
			assert_string_equal(pr.items[k].where, expect[k][0]);
			if (expect[k][1])
				assert_string_equal(pr.items[k].node, expect[k][1]);
			else
				assert_null(pr.items[k].node);
			assert_string_equal(pr.items[k].message, expect[k][2]);
		}
		assert_int_equal(pr.n, n);
	}
	cachet_problems_dispose(&pr);
	assert_int_equal(pr.n, 0);
	/* without a list: the first problem only */
	assert_int_equal(cachet_workflow_validate(NULL, wf), CACHET_EINVALID);
	cachet_workflow_free(wf);
}

static void validation_finds_cycles(void **state)
{
	cachet_workflow *wf = NULL;
	cachet_problems pr = CACHET_PROBLEMS_INIT;
	const char *argv[] = {"true", NULL};
	cachet_task *t = command_task("t", iface_of(2, "in", "x", T_INT(), "out", "y", T_INT()), argv);

	(void)state;
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	/* a -> b -> c -> a, and d -> d */
	assert_int_equal(cachet_workflow_add_node(wf, "a", t, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "b", t, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "c", t, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "d", t, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "e", t, NULL), 0);
	cachet_task_free(t);
	assert_int_equal(cachet_workflow_bind(wf, "b", "x", &CACHET_FROM_OUTPUT("a", "y"), "b.x"), 0);
	assert_int_equal(cachet_workflow_bind(wf, "c", "x", &CACHET_FROM_OUTPUT("b", "y"), "c.x"), 0);
	assert_int_equal(cachet_workflow_bind(wf, "a", "x", &CACHET_FROM_OUTPUT("c", "y"), "a.x"), 0);
	assert_int_equal(cachet_workflow_bind(wf, "d", "x", &CACHET_FROM_OUTPUT("d", "y"), "d.x"), 0);
	assert_int_equal(cachet_workflow_bind(wf, "e", "x", &CACHET_FROM_OUTPUT("a", "y"), "e.x"), 0);
	assert_int_equal(cachet_workflow_validate(&pr, wf), CACHET_EINVALID);
	assert_int_equal(pr.n, 2);
	assert_string_equal(pr.items[0].message, "node 'a': input 'x': cycle: a -> b -> c -> a");
	assert_string_equal(pr.items[0].where, "a.x");
	assert_string_equal(pr.items[1].message, "node 'd': input 'x': cycle: d -> d");
	cachet_problems_dispose(&pr);
	cachet_workflow_free(wf);
}

static void valid_workflow_and_getters(void **state)
{
	cachet_workflow *wf = NULL;
	cachet_problems pr = CACHET_PROBLEMS_INIT;
	cachet_task *p = csv_producer(), *c = csv_consumer();
	const cachet_binding_info *bi;

	(void)state;
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	assert_string_equal(cachet_workflow_project(wf), "default");
	assert_string_equal(cachet_workflow_domain(wf), "development");
	assert_int_equal(cachet_workflow_set_project(wf, "proj", NULL), 0);
	assert_string_equal(cachet_workflow_project(wf), "proj");
	assert_string_equal(cachet_workflow_domain(wf), "development");
	assert_int_equal(cachet_workflow_set_project(wf, "", NULL), CACHET_EINVALID);
	/* bindings before their node exists are fine */
	assert_int_equal(cachet_workflow_bind(wf, "c", "k", &CACHET_FROM_INPUT("a"), "early"), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "a", T_INT(), cachet_literal_new_integer(3),
						   NULL),
			 0);
	assert_int_equal(cachet_workflow_add_node(wf, "p", p, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "c", c, NULL), 0);
	cachet_task_free(p);
	cachet_task_free(c);
	assert_int_equal(cachet_workflow_bind(wf, "p", "a", &CACHET_FROM_INPUT("a"), NULL), 0);
	/* an untyped-format dataset feeds a csv one */
	assert_int_equal(cachet_workflow_bind(wf, "c", "df", &CACHET_FROM_OUTPUT("p", "df"), NULL),
			 0);
	assert_int_equal(cachet_workflow_add_output(wf, "n", &CACHET_FROM_OUTPUT("c", "n"), NULL), 0);
	/* p's output is parquet: mismatch */
	assert_int_equal(cachet_workflow_validate(&pr, wf), CACHET_EINVALID);
	assert_int_equal(pr.n, 1);
	cachet_problems_dispose(&pr);
	cachet_workflow_free(wf);

	/* now a valid one */
	{
		const char *argv[] = {"true", NULL};
		p = command_task("p", iface_of(2, "in", "a", T_INT(), "out", "df", T_CSV()), argv);
		c = csv_consumer();
	}
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "a", T_INT(), cachet_literal_new_integer(3),
						   "in.a"),
			 0);
	assert_int_equal(cachet_workflow_add_node(wf, "c", c, "node.c"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "p", p, "node.p"), 0);
	cachet_task_free(p);
	cachet_task_free(c);
	assert_int_equal(cachet_workflow_bind(wf, "c", "df", &CACHET_FROM_OUTPUT("p", "df"), "c.df"),
			 0);
	assert_int_equal(cachet_workflow_bind(wf, "c", "k", &CACHET_FROM_INPUT("a"), "c.k"), 0);
	assert_int_equal(cachet_workflow_bind(wf, "p", "a", &CACHET_FROM_INPUT("a"), "p.a"), 0);
	assert_int_equal(cachet_workflow_add_output(wf, "n", &CACHET_FROM_OUTPUT("c", "n"), "out.n"),
			 0);
	assert_int_equal(cachet_workflow_validate(&pr, wf), 0);
	assert_int_equal(pr.n, 0);
	cachet_problems_dispose(&pr);

	assert_string_equal(cachet_workflow_name(wf), "wf");
	assert_int_equal(cachet_workflow_node_count(wf), 2);
	assert_string_equal(cachet_workflow_node_name(wf, 0), "c");
	assert_string_equal(cachet_task_name(cachet_workflow_node_task(wf, 1)), "p");
	assert_int_equal(cachet_workflow_node_binding_count(wf, 0), 2);
	bi = cachet_workflow_node_binding(wf, 0, 0);
	assert_string_equal(bi->input, "df");
	assert_int_equal(bi->src.kind, CACHET_SOURCE_OUTPUT);
	assert_string_equal(bi->src.node, "p");
	assert_string_equal(bi->src.name, "df");
	assert_string_equal(bi->where, "c.df");
	assert_null(cachet_workflow_node_binding(wf, 0, 2));
	assert_null(cachet_workflow_node_name(wf, 2));
	assert_int_equal(cachet_workflow_input_count(wf), 1);
	assert_string_equal(cachet_workflow_input_name(wf, 0), "a");
	assert_int_equal(cachet_workflow_input_type(wf, 0)->simple, CACHET_SIMPLE_INTEGER);
	assert_int_equal(cachet_workflow_input_default(wf, 0)->scalar->primitive->integer, 3);
	assert_int_equal(cachet_workflow_output_count(wf), 1);
	assert_string_equal(cachet_workflow_output(wf, 0)->input, "n");
	assert_string_equal(cachet_workflow_output(wf, 0)->where, "out.n");
	cachet_workflow_free(wf);
	cachet_workflow_free(NULL);
}

static void builder_arguments(void **state)
{
	cachet_workflow *wf = NULL;
	const char *argv[] = {"true", NULL};
	cachet_task *t = command_task("t", NULL, argv);
	cachet_source empty = {CACHET_SOURCE_OUTPUT, NULL, "x", NULL};

	(void)state;
	assert_cachet_error(cachet_workflow_new(&wf, ""), CACHET_EINVALID, "a workflow needs a name");
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	/* the type is taken even when refused */
	assert_cachet_error(cachet_workflow_add_input(wf, "", T_INT(), NULL, NULL), CACHET_EINVALID,
			    "a workflow input needs a name and a type");
	assert_cachet_error(cachet_workflow_add_node(wf, "n", NULL, NULL), CACHET_EINVALID,
			    "a node needs a name and a task");
	assert_int_equal(cachet_workflow_add_node(wf, "n", t, NULL), 0);
	assert_cachet_error(cachet_workflow_bind(wf, "n", "x", NULL, NULL), CACHET_EINVALID,
			    "a binding needs a source");
	assert_cachet_error(cachet_workflow_bind(wf, "n", "x", &empty, NULL), CACHET_EINVALID,
			    "a binding's source is incomplete");
	assert_cachet_error(cachet_workflow_add_output(wf, "", &CACHET_FROM_INPUT("a"), NULL),
			    CACHET_EINVALID, "a workflow output needs a name");
	cachet_task_free(t);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* Allocation failures: fail the Nth allocation until the whole sequence
 * succeeds; nothing may leak (ASan checks at exit) and every failure must
 * be ENOMEM. */

static int build_and_validate(void)
{
	cachet_workflow *wf = NULL;
	cachet_task *p = NULL, *c = NULL;
	cachet_interface *ip = NULL, *ic = NULL;
	cachet_problems pr = CACHET_PROBLEMS_INIT;
	cachet_literal_type *lt = NULL;
	cachet_literal *lit = NULL;
	const char *argv[] = {"tool", "{{inputs.a}}", "{{outputs.df}}", NULL};
	int rc;

#define TRY(x)                                                                              \
	do {                                                                               \
		if ((rc = (x)) < 0)                                                        \
			goto done;                                                         \
	} while (0)
	TRY(cachet_interface_new(&ip));
	TRY(cachet_interface_add(ip, false, "a", T_INT(), NULL));
	TRY(cachet_interface_add(ip, true, "df", T_CSV(), NULL));
	TRY(cachet_interface_new(&ic));
	TRY(cachet_interface_add(ic, false, "df", T_CSV(), NULL));
	TRY(cachet_task_new_command(&p, "p", ip, argv));
	TRY(cachet_task_new_function(&c, "c", ic, nop_fn, NULL));
	TRY(cachet_workflow_new(&wf, "wf"));
	TRY(cachet_workflow_add_input(wf, "a", T_INT(), NULL, "x"));
	TRY(cachet_workflow_add_node(wf, "p", p, "y"));
	TRY(cachet_workflow_add_node(wf, "c", c, "z"));
	TRY(cachet_workflow_bind(wf, "p", "a", &CACHET_FROM_INPUT("a"), "w"));
	TRY(cachet_workflow_bind(wf, "c", "df", &CACHET_FROM_OUTPUT("p", "df"), "v"));
	TRY(cachet_workflow_bind(wf, "c", "zz", &CACHET_FROM_OUTPUT("p", "q"), "u"));
	rc = cachet_workflow_validate(&pr, wf);
	if (rc == CACHET_EINVALID) {
		/* the expected answer: zz is not an input, q not an output */
		assert_int_equal(pr.n, 2);
		rc = 0;
	}
	if (rc < 0)
		goto done;
	if (!(lt = cachet_literal_type_new_collection(T_INT()))) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	TRY(cachet_literal_from_text(&lit, lt, "[1, 2, 3]"));
done:
#undef TRY
	cachet_literal_free(lit);
	cachet_literal_type_free(lt);
	cachet_problems_dispose(&pr);
	cachet_workflow_free(wf);
	cachet_task_free(p);
	cachet_task_free(c);
	cachet_interface_free(ip);
	cachet_interface_free(ic);
	return rc;
}

static void out_of_memory(void **state)
{
	int rc;

	(void)state;
	for (long n = 0;; n++) {
		cachet__alloc_fail_after(n);
		rc = build_and_validate();
		if (!cachet__alloc_failed()) {
			cachet__alloc_fail_reset();
			assert_int_equal(rc, 0);
			break;
		}
		cachet__alloc_fail_reset();
		/* T_INT() and friends return NULL on failure, which the
		 * builders refuse as EINVALID; anything else is ENOMEM */
		assert_true(rc == CACHET_ENOMEM || rc == CACHET_EINVALID);
		assert_true(n < 100000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_primitives),
		cmocka_unit_test(text_data),
		cmocka_unit_test(text_containers),
		cmocka_unit_test(type_names),
		cmocka_unit_test(type_compatibility),
		cmocka_unit_test(command_templates),
		cmocka_unit_test(task_settings),
		cmocka_unit_test(validation_reports_every_problem),
		cmocka_unit_test(validation_finds_cycles),
		cmocka_unit_test(valid_workflow_and_getters),
		cmocka_unit_test(builder_arguments),
		cmocka_unit_test(out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
