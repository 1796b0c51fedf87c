/*
 * The seed scenario with cachet's C SDK:
 *
 *   foo(a: int, b: str) -> df: dataset(csv)   not cached; writes its rows
 *                                             to a fresh place every run
 *   bar(df: dataset(csv)) -> n: int           cached, cache version "1.0"
 *   wf(a, b): df = foo(a, b); v = bar(df)
 *
 * It runs wf three times: (3, "x"), (3, "x") again, then (3, "y"). foo
 * runs every time and writes df to a new URI; bar misses the first time,
 * hits the second (df's content hash did not change, though its URI did)
 * and misses the third (other rows). The catalog is the SQLite one of the
 * cachet home, so a second invocation of this program hits from the
 * start.
 *
 *   usage: seed [HOME]      (default: a new directory under /tmp)
 *
 * Exits 0 when it saw MISS, HIT, MISS and the URI/hash story, 1 if not,
 * 2 on an error. Uses only the public API: #include <cachet.h>.
 */
#include <cachet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* foo: the C code writes the CSV itself, to the path the engine gives. */
static int foo(cachet_task_context *ctx, void *payload)
{
	int64_t a;
	const char *b, *path;
	FILE *fp;

	(void)payload;
	if (cachet_task_input_int(&a, ctx, "a") < 0 || cachet_task_input_string(&b, ctx, "b") < 0 ||
	    cachet_task_output_path(&path, ctx, "df") < 0)
		return -1; /* the engine reports the SDK's own message */
	if (!(fp = fopen(path, "w")))
		return cachet_task_fail(ctx, "cannot create '%s'", path);
	fprintf(fp, "row,label\n");
	for (int64_t i = 0; i < a; i++)
		fprintf(fp, "%lld,%s\n", (long long)i, b);
	if (fclose(fp) != 0)
		return cachet_task_fail(ctx, "cannot write '%s'", path);
	return 0; /* the engine offloads df into the store, hashing it on the way */
}

/* bar: count the rows (lines after the header). */
static int bar(cachet_task_context *ctx, void *payload)
{
	const char *path;
	FILE *fp;
	int c;
	int64_t lines = 0;

	(void)payload;
	if (cachet_task_input_path(&path, ctx, "df") < 0)
		return -1;
	if (!(fp = fopen(path, "r")))
		return cachet_task_fail(ctx, "cannot open '%s'", path);
	while ((c = fgetc(fp)) != EOF)
		lines += c == '\n';
	fclose(fp);
	return cachet_task_set_output_int(ctx, "n", lines - 1);
}

static int fail(const char *what)
{
	fprintf(stderr, "seed: %s: %s\n", what, cachet_error_last()->message);
	exit(2);
}

/* The workflow: two tasks, two nodes, the bindings. */
static cachet_workflow *build(void)
{
	cachet_interface *ifoo, *ibar;
	cachet_task *tfoo, *tbar = NULL;
	cachet_workflow *wf;
	cachet_task_cache cache = CACHET_TASK_CACHE_INIT;

	if (cachet_interface_new(&ifoo) < 0 ||
	    cachet_interface_add(ifoo, false, "a",
				 cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER), NULL) < 0 ||
	    cachet_interface_add(ifoo, false, "b",
				 cachet_literal_type_new_simple(CACHET_SIMPLE_STRING), NULL) < 0 ||
	    cachet_interface_add(ifoo, true, "df", cachet_literal_type_new_dataset("csv"), NULL) < 0)
		fail("foo's interface");
	if (cachet_interface_new(&ibar) < 0 ||
	    cachet_interface_add(ibar, false, "df", cachet_literal_type_new_dataset("csv"), NULL) < 0 ||
	    cachet_interface_add(ibar, true, "n",
				 cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER), NULL) < 0)
		fail("bar's interface");
	if (cachet_task_new_function(&tfoo, "foo", ifoo, foo, NULL) < 0 ||
	    cachet_task_new_function(&tbar, "bar", ibar, bar, NULL) < 0)
		fail("tasks");
	cachet_interface_free(ifoo);
	cachet_interface_free(ibar);
	cache.enabled = true;
	cache.cache_version = "1.0";
	if (cachet_task_set_cache(tbar, &cache) < 0)
		fail("bar's cache settings");

	if (cachet_workflow_new(&wf, "wf") < 0 ||
	    cachet_workflow_set_project(wf, "examples", "development") < 0 ||
	    cachet_workflow_add_input(wf, "a", cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER),
				      NULL, NULL) < 0 ||
	    cachet_workflow_add_input(wf, "b", cachet_literal_type_new_simple(CACHET_SIMPLE_STRING),
				      NULL, NULL) < 0 ||
	    cachet_workflow_add_node(wf, "foo", tfoo, NULL) < 0 ||
	    cachet_workflow_add_node(wf, "bar", tbar, NULL) < 0 ||
	    cachet_workflow_bind(wf, "foo", "a", &CACHET_FROM_INPUT("a"), NULL) < 0 ||
	    cachet_workflow_bind(wf, "foo", "b", &CACHET_FROM_INPUT("b"), NULL) < 0 ||
	    cachet_workflow_bind(wf, "bar", "df", &CACHET_FROM_OUTPUT("foo", "df"), NULL) < 0 ||
	    cachet_workflow_add_output(wf, "v", &CACHET_FROM_OUTPUT("bar", "n"), NULL) < 0)
		fail("the workflow");
	cachet_task_free(tfoo); /* the workflow holds its own references */
	cachet_task_free(tbar);
	if (cachet_workflow_validate(NULL, wf) < 0)
		fail("the workflow");
	return wf;
}

typedef struct seen {
	int bar_status;
	char uri[4096];
	char hash[128];
	int64_t v;
} seen;

static void run_once(seen *out, cachet_workflow *wf, const char *home, int number, int64_t a,
		     const char *b)
{
	cachet_run_options opts = CACHET_RUN_OPTIONS_INIT;
	cachet_literal_map *inputs;
	cachet_run *run;
	const cachet_node_result *nfoo, *nbar;
	const cachet_literal *df, *v;

	if (cachet_literal_map_new(&inputs) < 0 ||
	    cachet_literal_map_set(inputs, "a", cachet_literal_new_integer(a)) < 0 ||
	    cachet_literal_map_set(inputs, "b", cachet_literal_new_string(b)) < 0)
		fail("inputs");
	opts.home = home;
	if (cachet_run_new(&run, wf, inputs, &opts) < 0)
		fail("run");
	if (cachet_run_execute(run) < 0)
		fail("run");
	nfoo = cachet_run_node_by_name(run, "foo");
	nbar = cachet_run_node_by_name(run, "bar");
	df = cachet_literal_map_get(nfoo->outputs, "df");
	v = cachet_literal_map_get(cachet_run_outputs(run), "v");

	printf("== run %d: a=%lld b=%s (run %s)\n", number, (long long)a, b, cachet_run_id(run));
	printf("foo  %-9s  %-15s  df = %s\n", cachet_node_status_name(nfoo->status),
	       cachet_cache_status_name(nfoo->cache_status), df->scalar->structured_dataset->uri);
	printf("                                  hash %s\n", df->hash);
	printf("bar  %-9s  %-15s  n = %lld\n", cachet_node_status_name(nbar->status),
	       cachet_cache_status_name(nbar->cache_status),
	       (long long)v->scalar->primitive->integer);

	out->bar_status = nbar->cache_status;
	snprintf(out->uri, sizeof out->uri, "%s", df->scalar->structured_dataset->uri);
	snprintf(out->hash, sizeof out->hash, "%s", df->hash);
	out->v = v->scalar->primitive->integer;
	cachet_run_free(run);
	cachet_literal_map_free(inputs);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/cachet-sdk-XXXXXX";
	const char *home = argc > 1 ? argv[1] : NULL;
	cachet_workflow *wf;
	seen r[3];
	bool ok;

	if (argc > 2 || (home && !strcmp(home, "--help"))) {
		fprintf(stderr, "usage: seed [HOME]\n");
		return 2;
	}
	if (!home && !(home = mkdtemp(tmpl))) {
		perror("seed: mkdtemp");
		return 2;
	}
	printf("cachet home: %s\n\n", home);
	wf = build();
	run_once(&r[0], wf, home, 1, 3, "x");
	run_once(&r[1], wf, home, 2, 3, "x");
	run_once(&r[2], wf, home, 3, 3, "y");
	cachet_workflow_free(wf);

	printf("\n");
	printf("run 1: first run: %s\n",
	       r[0].bar_status == CACHET_CACHE_POPULATED ? "MISS (bar ran, POPULATED)"
							 : cachet_cache_status_name(r[0].bar_status));
	printf("run 2: df at a new URI, same hash: %s\n",
	       r[1].bar_status == CACHET_CACHE_HIT ? "HIT" : cachet_cache_status_name(r[1].bar_status));
	printf("run 3: b changed, other rows, other hash: %s\n",
	       r[2].bar_status == CACHET_CACHE_POPULATED ? "MISS (bar ran, POPULATED)"
							 : cachet_cache_status_name(r[2].bar_status));
	ok = r[0].bar_status == CACHET_CACHE_POPULATED && r[1].bar_status == CACHET_CACHE_HIT &&
	     r[2].bar_status == CACHET_CACHE_POPULATED && strcmp(r[0].uri, r[1].uri) != 0 &&
	     strcmp(r[0].hash, r[1].hash) == 0 && strcmp(r[1].hash, r[2].hash) != 0 &&
	     r[0].v == 3 && r[1].v == 3 && r[2].v == 3;
	if (!ok)
		fprintf(stderr, "seed: expected MISS, HIT, MISS (is the home's catalog fresh?)\n");
	return ok ? 0 : 1;
}
