/*
 * The engine and the cache: --overwrite-cache, --no-cache, cache
 * serialization, hash methods, workflow inputs that are local files (the
 * stat cache), directories and lists, a store that is not on local disk;
 * run records and events.
 */
#include "test_engine_helpers.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>

static atomic_int calls;

static int count_fn(cachet_task_context *ctx, void *payload)
{
	int64_t a;
	(void)payload;
	atomic_fetch_add(&calls, 1);
	if (cachet_task_input_int(&a, ctx, "a") < 0)
		return -1;
	return cachet_task_set_output_int(ctx, "n", a * 2);
}

/* One cached C node "x" = count(a) with a constant a. */
static cachet_workflow *one_cached(int64_t a)
{
	cachet_workflow *wf = NULL;
	cachet_task *t = function_task("count", iface_of(2, "in", "a", T_INT(), "out", "n", T_INT()),
				       count_fn, NULL);
	cache_task(t, "1.0", false);
	assert_int_equal(cachet_workflow_new(&wf, "one"), 0);
	add_node(wf, "x", t);
	bind_int(wf, "x", "a", a);
	return wf;
}

static void overwrite_and_no_cache(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = one_cached(21);
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;

	atomic_store(&calls, 0);
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_int_equal(node_of(run, "x")->cache_status, CACHET_CACHE_POPULATED);
	assert_int_equal(int_output(node_of(run, "x"), "n"), 42);
	cachet_run_free(run);

	/* --overwrite-cache: runs despite the entry, and replaces it */
	o.overwrite_cache = true;
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_int_equal(node_of(run, "x")->cache_status, CACHET_CACHE_POPULATED);
	assert_int_equal(atomic_load(&calls), 2);
	assert_int_equal(catalog_entries(f), 1);
	cachet_run_free(run);

	/* --no-cache: neither looked up nor stored */
	o.overwrite_cache = false;
	o.no_cache = true;
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_int_equal(node_of(run, "x")->cache_status, CACHET_CACHE_DISABLED);
	assert_null(node_of(run, "x")->tag);
	assert_int_equal(atomic_load(&calls), 3);
	cachet_run_free(run);

	/* and a plain run hits */
	o.no_cache = false;
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_int_equal(node_of(run, "x")->cache_status, CACHET_CACHE_HIT);
	assert_int_equal(int_output(node_of(run, "x"), "n"), 42);
	assert_int_equal(atomic_load(&calls), 3);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/* Run wf with o and expect node x's cache status. */
static void expect_x(cachet_workflow *wf, const cachet_run_options *o, cachet_cache_status want)
{
	cachet_run *run = NULL;
	assert_int_equal(run_wf(&run, wf, NULL, o), 0);
	assert_int_equal(node_of(run, "x")->cache_status, want);
	cachet_run_free(run);
}

/* Whether the fixture's home holds name. */
static bool in_home(engine_fx *f, const char *name)
{
	char path[PATH_MAX + 32];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", f->home, name);
	return stat(path, &st) == 0;
}

/* catalog_url: the run opens that catalog, not the home's; a bad one
 * stops the run before it starts, and a version-1 struct still runs. */
static void catalog_by_url(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = one_cached(5);
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	char url[PATH_MAX + 32];

	o.catalog = NULL;
	snprintf(url, sizeof url, "sqlite://%s/elsewhere.db", f->home);
	o.catalog_url = url;
	expect_x(wf, &o, CACHET_CACHE_POPULATED);
	expect_x(wf, &o, CACHET_CACHE_HIT);
	assert_true(in_home(f, "elsewhere.db"));
	assert_false(in_home(f, "catalog.db")); /* not the home's */

	o.catalog_url = "s3://bucket/catalog";
	assert_cachet_error(cachet_run_new(&run, wf, NULL, &o), CACHET_EINVALID,
			    "catalog URL 's3://bucket/catalog': unknown scheme 's3' (sqlite, "
			    "postgres, postgresql)");
	assert_null(run);

	/* a version-1 caller's struct ends before catalog_url: the home's */
	o.catalog_url = (const char *)1; /* would crash if it were read */
	o.version = 1;
	expect_x(wf, &o, CACHET_CACHE_POPULATED);
	assert_true(in_home(f, "catalog.db"));
	cachet_workflow_free(wf);
}

/* The home's config names the catalog when the options do not; the
 * option wins; an unsafe config stops the run, unless the run is lent
 * everything and has nothing to choose. */
static void catalog_by_config(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = one_cached(5);
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	char config[PATH_MAX + 32], text[PATH_MAX + 64], url[PATH_MAX + 32];

	snprintf(config, sizeof config, "%s/config", f->home);
	snprintf(text, sizeof text, "# test\ncatalog = sqlite://%s/from-config.db\n", f->home);
	write_text(config, text);
	assert_int_equal(chmod(config, 0600), 0);
	o.catalog = NULL;
	expect_x(wf, &o, CACHET_CACHE_POPULATED);
	assert_true(in_home(f, "from-config.db"));
	assert_false(in_home(f, "catalog.db")); /* not the home's */

	snprintf(url, sizeof url, "sqlite://%s/option.db", f->home);
	o.catalog_url = url;
	expect_x(wf, &o, CACHET_CACHE_POPULATED);
	assert_true(in_home(f, "option.db"));

	o.catalog_url = NULL;
	assert_int_equal(chmod(config, 0622), 0);
	assert_int_equal(cachet_run_new(&run, wf, NULL, &o), CACHET_EUNSAFE);
	assert_null(run);
	o.catalog = f->cat; /* lent the store and the catalog: nothing to read */
	expect_x(wf, &o, CACHET_CACHE_POPULATED);
	cachet_workflow_free(wf);
}

static void key_matches_flyte_key(void **state)
{
	/* the node's key is cachet_cache_key_compute over its inputs */
	engine_fx *f = *state;
	cachet_workflow *wf = one_cached(5);
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_cache_key k = CACHET_CACHE_KEY_INIT;
	cachet_literal_map *in = inputs_of(1, "a", cachet_literal_new_integer(5));

	assert_int_equal(cachet_workflow_set_project(wf, "P", "D"), 0);
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_int_equal(cachet_cache_key_compute(&k, "P", "D", "count", "1.0",
						  cachet_task_interface(
							  cachet_workflow_node_task(wf, 0)),
						  in, NULL),
			 0);
	assert_string_equal(node_of(run, "x")->dataset_project, "P");
	assert_string_equal(node_of(run, "x")->dataset_domain, "D");
	assert_string_equal(node_of(run, "x")->dataset_name, "flyte_task-count");
	assert_string_equal(node_of(run, "x")->dataset_version, k.version);
	assert_string_equal(node_of(run, "x")->tag, k.tag);
	cachet_cache_key_dispose(&k);
	cachet_literal_map_free(in);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

static void serializable_twins_compute_once(void **state)
{
	/* two nodes with the same key in one run: one computes, the other
	 * waits for its reservation and then hits */
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_task *t = sh_task("slow", iface_of(2, "in", "a", T_INT(), "out", "n", T_INT()),
				 "sleep 0.5; echo 7 > \"$CACHET_NODE_DIR/out/n\"");
	const cachet_node_result *a, *b;

	cache_task(t, "1", true);
	assert_int_equal(cachet_workflow_new(&wf, "twins"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "a", t, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "b", t, NULL), 0);
	cachet_task_free(t);
	bind_int(wf, "a", "a", 1);
	bind_int(wf, "b", "a", 1);
	o.jobs = 2;
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	a = node_of(run, "a");
	b = node_of(run, "b");
	assert_true((a->cache_status == CACHET_CACHE_POPULATED &&
		     b->cache_status == CACHET_CACHE_HIT) ||
		    (b->cache_status == CACHET_CACHE_POPULATED &&
		     a->cache_status == CACHET_CACHE_HIT));
	assert_int_equal(int_output(a, "n"), 7);
	assert_int_equal(int_output(b, "n"), 7);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* Hash methods                                                           */

static cachet_workflow *file_pipeline(cachet_task **producer_out)
{
	cachet_workflow *wf = NULL;
	cachet_task *p = sh_task("produce", iface_of(1, "out", "f", T_FILE()),
				 "echo same > \"$CACHET_NODE_DIR/out/f\"");
	const char *argv[] = {"sh", "-c", "wc -l < \"$1\" > \"$2\"", "sh", "{{inputs.f}}",
			      "{{outputs.n}}", NULL};
	cachet_task *c = command_task("consume", iface_of(2, "in", "f", T_FILE(), "out", "n", T_INT()),
				      argv);
	cache_task(c, "1", false);
	assert_int_equal(cachet_workflow_new(&wf, "files"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "p", p, NULL), 0);
	add_node(wf, "c", c);
	bind_output(wf, "c", "f", "p", "f");
	*producer_out = p;
	return wf;
}

static void hash_method_none_keys_by_uri(void **state)
{
	/* without a content hash the key follows the (fresh) URI: no hit */
	engine_fx *f = *state;
	cachet_task *p;
	cachet_workflow *wf = file_pipeline(&p);
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	cachet_run_options o = engine_opts(f);
	cachet_run *r1 = NULL, *r2 = NULL;

	m.kind = CACHET_HASH_NONE;
	assert_int_equal(cachet_task_set_hash_method(p, "f", &m), 0);
	cachet_task_free(p);
	assert_int_equal(run_wf(&r1, wf, NULL, &o), 0);
	assert_int_equal(run_wf(&r2, wf, NULL, &o), 0);
	assert_null(cachet_literal_map_get(node_of(r2, "p")->outputs, "f")->hash);
	assert_int_equal(node_of(r1, "c")->cache_status, CACHET_CACHE_POPULATED);
	assert_int_equal(node_of(r2, "c")->cache_status, CACHET_CACHE_POPULATED);
	assert_int_equal(int_output(node_of(r2, "c"), "n"), 1);
	cachet_run_free(r1);
	cachet_run_free(r2);
	cachet_workflow_free(wf);
}

static int fixed_hash(char **hash, const cachet_literal *lit, const char *path, void *context)
{
	(void)lit;
	(void)context;
	assert_non_null(path);
	*hash = strdup("custom:v1");
	return 0;
}

static void hash_method_callback(void **state)
{
	engine_fx *f = *state;
	cachet_task *p;
	cachet_workflow *wf = file_pipeline(&p);
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	cachet_run_options o = engine_opts(f);
	cachet_run *r1 = NULL, *r2 = NULL;

	m.kind = CACHET_HASH_CALLBACK;
	m.callback = fixed_hash;
	assert_int_equal(cachet_task_set_hash_method(p, "f", &m), 0);
	cachet_task_free(p);
	assert_int_equal(run_wf(&r1, wf, NULL, &o), 0);
	assert_int_equal(run_wf(&r2, wf, NULL, &o), 0);
	assert_string_equal(cachet_literal_map_get(node_of(r1, "p")->outputs, "f")->hash,
			    "custom:v1");
	assert_int_equal(node_of(r2, "c")->cache_status, CACHET_CACHE_HIT);
	cachet_run_free(r1);
	cachet_run_free(r2);
	cachet_workflow_free(wf);
}

static void hash_method_value_on_a_scalar(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = one_cached(4);
	cachet_hash_method m = CACHET_HASH_METHOD_INIT;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;

	m.kind = CACHET_HASH_VALUE;
	assert_int_equal(cachet_task_set_hash_method((cachet_task *)cachet_workflow_node_task(wf, 0),
						     "n", &m),
			 0);
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_string_equal(cachet_literal_map_get(node_of(run, "x")->outputs, "n")->hash, "8");
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* A workflow input that is a local file                                  */

static void local_file_input_hashed_once(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *r1 = NULL, *r2 = NULL, *r3 = NULL;
	cachet_literal_type *csv = T_CSV();
	cachet_literal *df = NULL;
	cachet_literal_map *in;
	const char *argv[] = {"sh", "-c", "wc -l < \"$1\" > \"$2\"", "sh", "{{inputs.df}}",
			      "{{outputs.n}}", NULL};
	cachet_task *t = command_task("rows", iface_of(2, "in", "df", T_CSV(), "out", "n", T_INT()),
				      argv);
	char expect[80];
	struct timespec old = {1000000000, 0};

	cache_task(t, "1", false);
	write_text("data.csv", "a\n1\n2\n");
	/* an mtime in the past: the stat cache may trust the entry */
	{
		struct timespec times[2] = {old, old};
		assert_int_equal(utimensat(AT_FDCWD, "data.csv", times, 0), 0);
	}
	sha256sum_of(expect, "data.csv");
	assert_int_equal(cachet_literal_from_text(&df, csv, "data.csv"), 0);
	cachet_literal_type_free(csv);
	in = inputs_of(1, "df", df);
	assert_int_equal(cachet_workflow_new(&wf, "rows"), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "df", T_CSV(), NULL, NULL), 0);
	add_node(wf, "x", t);
	bind_input(wf, "x", "df", "df");

	assert_int_equal(run_wf(&r1, wf, in, &o), 0);
	assert_string_equal(cachet_literal_map_get(cachet_run_inputs(r1), "df")->hash, expect);
	assert_int_equal(node_of(r1, "x")->cache_status, CACHET_CACHE_POPULATED);
	assert_int_equal(int_output(node_of(r1, "x"), "n"), 3);

	/* unchanged: a hit */
	assert_int_equal(run_wf(&r2, wf, in, &o), 0);
	assert_int_equal(node_of(r2, "x")->cache_status, CACHET_CACHE_HIT);

	/* changed: a miss */
	write_text("data.csv", "a\n1\n2\n3\n");
	assert_int_equal(run_wf(&r3, wf, in, &o), 0);
	assert_int_equal(node_of(r3, "x")->cache_status, CACHET_CACHE_POPULATED);
	assert_int_equal(int_output(node_of(r3, "x"), "n"), 4);
	cachet_run_free(r1);
	cachet_run_free(r2);
	cachet_run_free(r3);
	cachet_literal_map_free(in);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* Directories, lists, a store in memory                                  */

static void directory_outputs_and_lists(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_task *mk, *ls;
	const cachet_literal *d, *names;

	{
		/* the list arrives as JSON */
		const char *argv[] = {"sh", "-c",
				      "d=\"$2\"; mkdir -p \"$d/sub\"; echo \"$1\" > \"$d/a\"; "
				      "echo 2 > \"$d/sub/b\"",
				      "sh", "{{inputs.xs}}", "{{outputs.d}}", NULL};
		mk = command_task("mk",
				  iface_of(2, "in", "xs", cachet_literal_type_new_collection(T_INT()),
					   "out", "d", T_DIR()),
				  argv);
	}
	{
		const char *argv[] = {"sh", "-c", "cd \"$1\" && printf '[\"%s\",\"%s\"]' $(find . -type f | sort) > \"$2\"",
				      "sh", "{{inputs.d}}", "{{outputs.names}}", NULL};
		ls = command_task("ls",
				  iface_of(2, "in", "d", T_DIR(), "out", "names",
					   cachet_literal_type_new_collection(T_STR())),
				  argv);
	}
	assert_int_equal(cachet_workflow_new(&wf, "dirs"), 0);
	add_node(wf, "mk", mk);
	add_node(wf, "ls", ls);
	bind_output(wf, "ls", "d", "mk", "d");
	{
		cachet_literal *xs = cachet_literal_new_collection();
		assert_int_equal(cachet_literal_collection_append(xs, cachet_literal_new_integer(1)), 0);
		assert_int_equal(cachet_literal_collection_append(xs, cachet_literal_new_integer(-2)), 0);
		assert_int_equal(cachet_workflow_bind(wf, "mk", "xs", &CACHET_FROM_CONSTANT(xs), NULL),
				 0);
		cachet_literal_free(xs);
	}
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	d = cachet_literal_map_get(node_of(run, "mk")->outputs, "d");
	assert_int_equal(d->scalar->kind, CACHET_SCALAR_BLOB);
	assert_int_equal(d->scalar->blob->metadata->type->dimensionality, CACHET_BLOB_MULTIPART);
	assert_true(!strncmp(d->hash, "sha256-dir:", 11));
	{
		/* the file "a" holds the list as JSON */
		char *data = NULL, *uri = NULL;
		size_t len = 0;
		assert_int_equal(cachet_store_join(&uri, d->scalar->blob->uri, "a"), 0);
		assert_int_equal(cachet_store_get_bytes(&data, &len, f->store, uri), 0);
		assert_string_equal(data, "[1,-2]\n");
		cachet_free(data);
		cachet_free(uri);
	}
	names = cachet_literal_map_get(node_of(run, "ls")->outputs, "names");
	assert_int_equal(names->kind, CACHET_LITERAL_COLLECTION);
	assert_int_equal(names->collection->n_literals, 2);
	assert_string_equal(names->collection->literals[0]->scalar->primitive->string_value, "./a");
	assert_string_equal(names->collection->literals[1]->scalar->primitive->string_value,
			    "./sub/b");
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

static int write_dir_fn(cachet_task_context *ctx, void *payload)
{
	const char *path;
	char file[PATH_MAX];
	(void)payload;
	if (cachet_task_output_path(&path, ctx, "d") < 0)
		return -1;
	if (mkdir(path, 0700) < 0)
		return cachet_task_fail(ctx, "mkdir: %s", strerror(errno));
	snprintf(file, sizeof file, "%s/x.txt", path);
	write_text(file, "hello\n");
	return 0;
}

static int read_dir_fn(cachet_task_context *ctx, void *payload)
{
	const char *path;
	char file[PATH_MAX], buf[32] = "";
	FILE *fp;
	(void)payload;
	if (cachet_task_input_path(&path, ctx, "d") < 0)
		return -1;
	snprintf(file, sizeof file, "%s/x.txt", path);
	if (!(fp = fopen(file, "r")))
		return cachet_task_fail(ctx, "cannot open '%s'", file);
	if (!fgets(buf, sizeof buf, fp))
		buf[0] = '\0';
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	return cachet_task_set_output_string(ctx, "s", buf);
}

static void memory_store_downloads_inputs(void **state)
{
	/* a store that is not a local directory: inputs are downloaded into
	 * the node's directory */
	engine_fx *f = *state;
	cachet_store_backend *b = NULL;
	cachet_store *mem = NULL;
	cachet_catalog *cat = NULL;
	cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	const cachet_literal *d;
	const cachet_literal *s;

	assert_int_equal(cachet_store_backend_memory_new(&b, "mem://t"), 0);
	assert_int_equal(cachet_store_new(&mem, b), 0);
	co.store = mem;
	assert_int_equal(cachet_catalog_open_memory(&cat, &co), 0);
	o.store = mem;
	o.catalog = cat;
	assert_int_equal(cachet_workflow_new(&wf, "mem"), 0);
	add_node(wf, "w", function_task("w", iface_of(1, "out", "d", T_DIR()), write_dir_fn, NULL));
	add_node(wf, "r", function_task("r", iface_of(2, "in", "d", T_DIR(), "out", "s", T_STR()),
					read_dir_fn, NULL));
	bind_output(wf, "r", "d", "w", "d");
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	d = cachet_literal_map_get(node_of(run, "w")->outputs, "d");
	assert_true(!strncmp(d->scalar->blob->uri, "mem://t/", 8));
	s = cachet_literal_map_get(node_of(run, "r")->outputs, "s");
	assert_string_equal(s->scalar->primitive->string_value, "hello");
	cachet_run_free(run);
	cachet_workflow_free(wf);
	cachet_catalog_free(cat);
	cachet_store_free(mem);
}

static char outside_path[PATH_MAX];

static int set_outside_fn(cachet_task_context *ctx, void *payload)
{
	char uri[PATH_MAX + 16];
	(void)payload;
	snprintf(uri, sizeof uri, "file://%s", outside_path);
	return cachet_task_set_output(ctx, "f",
				      cachet_literal_new_blob(uri, "", CACHET_BLOB_SINGLE));
}

static void function_output_outside_the_store(void **state)
{
	/* a C task names a file of its own: it is copied into the run's
	 * store prefix with its hash, and the original stays */
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	const cachet_literal *lit;
	char cwd[PATH_MAX - 64], expect[80], uri[PATH_MAX + 64];

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(outside_path, sizeof outside_path, "%s/mine.txt", cwd);
	write_text(outside_path, "kept\n");
	sha256sum_of(expect, outside_path);
	assert_int_equal(cachet_workflow_new(&wf, "outside"), 0);
	add_node(wf, "x", function_task("t", iface_of(1, "out", "f", T_FILE()), set_outside_fn, NULL));
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	lit = cachet_literal_map_get(node_of(run, "x")->outputs, "f");
	snprintf(uri, sizeof uri, "%s/x/mine.txt", cachet_run_prefix(run));
	assert_string_equal(lit->scalar->blob->uri, uri);
	assert_string_equal(lit->hash, expect);
	assert_int_equal(access(outside_path, F_OK), 0);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* Records and events                                                     */

typedef struct event_log {
	char lines[64][96];
	int n;
	bool saw_tick;
} event_log;

static void on_event(cachet_run *run, const cachet_run_event *ev, void *payload)
{
	event_log *log = payload;
	static const char *const names[] = {"?", "run-started", "started", "waiting",
					    "executing", "finished", "tick", "run-finished"};
	(void)run;
	if (ev->kind == CACHET_EVENT_TICK) {
		log->saw_tick = true;
		return;
	}
	if (log->n < 64)
		snprintf(log->lines[log->n++], sizeof log->lines[0], "%s %s %s", names[ev->kind],
			 ev->node ? ev->node->name : "-",
			 ev->kind == CACHET_EVENT_NODE_FINISHED
				 ? cachet_cache_status_name(ev->node->cache_status)
				 : "");
}

static int find_line(const event_log *log, const char *line)
{
	for (int i = 0; i < log->n; i++)
		if (!strcmp(log->lines[i], line))
			return i;
	return -1;
}

static void events_in_order(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = one_cached(1);
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	event_log log;

	/* a second node that reads x */
	add_node(wf, "y", function_task("count", iface_of(2, "in", "a", T_INT(), "out", "n", T_INT()),
					count_fn, NULL));
	bind_output(wf, "y", "a", "x", "n");
	memset(&log, 0, sizeof log);
	o.on_event = on_event;
	o.event_payload = &log;
	o.tick_ms = 1;
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_int_equal(log.n, 8);
	assert_string_equal(log.lines[0], "run-started - ");
	assert_string_equal(log.lines[1], "started x ");
	assert_string_equal(log.lines[2], "executing x ");
	assert_string_equal(log.lines[3], "finished x CACHE_POPULATED");
	assert_string_equal(log.lines[4], "started y ");
	assert_string_equal(log.lines[5], "executing y ");
	assert_string_equal(log.lines[6], "finished y CACHE_DISABLED");
	assert_string_equal(log.lines[7], "run-finished - ");
	cachet_run_free(run);

	/* a hit does not execute */
	memset(&log, 0, sizeof log);
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_true(find_line(&log, "finished x CACHE_HIT") > 0);
	assert_int_equal(find_line(&log, "executing x "), -1);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

static void records_written_and_listed(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = one_cached(3), *other = one_cached(4);
	cachet_run_options o = engine_opts(f);
	cachet_run *r1 = NULL, *r2 = NULL, *r3 = NULL;
	cachet_run_record rec = CACHET_RUN_RECORD_INIT;
	cachet_run_records list = CACHET_RUN_RECORDS_INIT;
	char id1[64], id2[64], prefix[16];

	/* before execute, the record says RUNNING */
	assert_int_equal(cachet_run_new(&r1, wf, NULL, &o), 0);
	snprintf(id1, sizeof id1, "%s", cachet_run_id(r1));
	assert_int_equal(cachet_run_record_read(&rec, f->home, id1), 0);
	assert_int_equal(rec.status, CACHET_RUN_RUNNING);
	assert_int_equal(rec.n_nodes, 1);
	assert_int_equal(rec.nodes[0].status, CACHET_NODE_PENDING);
	cachet_run_record_dispose(&rec);
	assert_int_equal(cachet_run_execute(r1), 0);

	assert_int_equal(cachet_run_record_read(&rec, f->home, id1), 0);
	assert_string_equal(rec.id, id1);
	assert_string_equal(rec.workflow, "one");
	assert_string_equal(rec.project, "default");
	assert_string_equal(rec.domain, "development");
	assert_int_equal(rec.status, CACHET_RUN_SUCCEEDED);
	assert_string_equal(rec.dir, cachet_run_dir(r1));
	assert_string_equal(rec.prefix, cachet_run_prefix(r1));
	assert_true(rec.finished_at_ms >= rec.started_at_ms);
	assert_string_equal(rec.nodes[0].name, "x");
	assert_string_equal(rec.nodes[0].task, "count");
	assert_int_equal(rec.nodes[0].status, CACHET_NODE_SUCCEEDED);
	assert_int_equal(rec.nodes[0].cache_status, CACHET_CACHE_POPULATED);
	assert_string_equal(rec.nodes[0].tag, node_of(r1, "x")->tag);
	assert_string_equal(rec.nodes[0].dataset_version, node_of(r1, "x")->dataset_version);
	assert_true(cachet_literal_map_equal(rec.nodes[0].outputs, node_of(r1, "x")->outputs));
	assert_int_equal(rec.nodes[0].exit_status, INT32_MIN);
	cachet_run_record_dispose(&rec);

	/* a failed run and one never executed (ABORTED) */
	{
		cachet_workflow *bad = NULL;
		assert_int_equal(cachet_workflow_new(&bad, "bad"), 0);
		add_node(bad, "b", sh_task("b", NULL, "exit 1"));
		assert_int_equal(run_wf(&r2, bad, NULL, &o), CACHET_ERROR);
		snprintf(id2, sizeof id2, "%s", cachet_run_id(r2));
		cachet_run_free(r2);
		assert_int_equal(cachet_run_record_read(&rec, f->home, id2), 0);
		assert_int_equal(rec.status, CACHET_RUN_FAILED);
		assert_string_equal(rec.error, "node 'b': 'sh' exited with status 1");
		assert_string_equal(rec.nodes[0].error, "node 'b': 'sh' exited with status 1");
		assert_int_equal(rec.nodes[0].exit_status, 1);
		assert_non_null(rec.nodes[0].stderr_path);
		assert_null(rec.outputs);
		cachet_run_record_dispose(&rec);
		cachet_workflow_free(bad);
	}
	assert_int_equal(cachet_run_new(&r3, other, NULL, &o), 0);
	{
		char id3[64];
		snprintf(id3, sizeof id3, "%s", cachet_run_id(r3));
		cachet_run_free(r3);
		assert_int_equal(cachet_run_record_read(&rec, f->home, id3), 0);
		assert_int_equal(rec.status, CACHET_RUN_ABORTED);
		cachet_run_record_dispose(&rec);
	}

	/* listing: newest first, filtered, limited */
	assert_int_equal(cachet_run_records_list(&list, f->home, NULL, 0), 0);
	assert_int_equal(list.n, 3);
	for (size_t i = 1; i < list.n; i++)
		assert_true(list.items[i - 1].started_at_ms >= list.items[i].started_at_ms);
	cachet_run_records_dispose(&list);
	assert_int_equal(cachet_run_records_list(&list, f->home, "bad", 0), 0);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.items[0].id, id2);
	cachet_run_records_dispose(&list);
	assert_int_equal(cachet_run_records_list(&list, f->home, NULL, 2), 0);
	assert_int_equal(list.n, 2);
	cachet_run_records_dispose(&list);

	/* ids start with the year: "20" is shared by all three */
	snprintf(prefix, sizeof prefix, "%.2s", id1);
	assert_int_equal(cachet_run_record_read(&rec, f->home, prefix), CACHET_EINVALID);
	assert_contains(cachet_error_last()->message, "is ambiguous");
	/* a unique prefix: the id without its last hex digit (another run
	 * would have to share the other five random ones) */
	{
		char unique[64];
		snprintf(unique, sizeof unique, "%.*s", (int)strlen(id2) - 1, id2);
		assert_int_equal(cachet_run_record_read(&rec, f->home, unique), 0);
		assert_string_equal(rec.id, id2);
		cachet_run_record_dispose(&rec);
	}
	assert_cachet_error(cachet_run_record_read(&rec, f->home, "nosuchrun"), CACHET_ENOTFOUND,
			    "no run 'nosuchrun'");
	assert_cachet_error(cachet_run_record_read(&rec, f->home, "../x"), CACHET_EINVALID,
			    "'../x' is not a run id");
	/* a damaged record is reported and skipped in listings */
	{
		char path[2 * PATH_MAX];
		snprintf(path, sizeof path, "%s/runs/%s/run.json", f->home, id1);
		write_text(path, "{not json");
		assert_int_equal(cachet_run_record_read(&rec, f->home, id1), CACHET_EINVALID);
		assert_contains(cachet_error_last()->message, "is not a run record");
		assert_int_equal(cachet_run_records_list(&list, f->home, NULL, 0), 0);
		assert_int_equal(list.n, 2);
		cachet_run_records_dispose(&list);
	}
	cachet_run_free(r1);
	cachet_workflow_free(wf);
	cachet_workflow_free(other);
}

static void no_runs_yet(void **state)
{
	engine_fx *f = *state;
	cachet_run_records list = CACHET_RUN_RECORDS_INIT;
	assert_int_equal(cachet_run_records_list(&list, f->home, NULL, 0), 0);
	assert_int_equal(list.n, 0);
	cachet_run_records_dispose(&list);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, engine_setup, engine_teardown)
	const struct CMUnitTest tests[] = {
		T(overwrite_and_no_cache),
		T(catalog_by_url),
		T(catalog_by_config),
		T(key_matches_flyte_key),
		T(serializable_twins_compute_once),
		T(hash_method_none_keys_by_uri),
		T(hash_method_callback),
		T(hash_method_value_on_a_scalar),
		T(local_file_input_hashed_once),
		T(directory_outputs_and_lists),
		T(memory_store_downloads_inputs),
		T(function_output_outside_the_store),
		T(events_in_order),
		T(records_written_and_listed),
		T(no_runs_yet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
