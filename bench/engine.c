/*
 * bench_engine: what the engine costs around the tasks it runs. In a
 * fresh cachet home (SQLite catalog, file store) under $TMPDIR:
 *
 *   1. warm runs: a generated 1,000-node workflow, every node a cache hit,
 *      as a chain (each node reads the one before) and as a fan-out (one
 *      root, 999 readers); the whole cachet_run_new + execute + free;
 *   2. overhead per node on a miss: 200 cached nodes running `true`
 *      (-j 1), against spawning `true` 200 times directly;
 *   3. a hit whose input is a 100 MiB dataset its upstream node has just
 *      written: the hit node's time, the key + lookup alone, and what
 *      re-hashing the dataset would cost (the read the hit avoids);
 *   4. building and validating a 10,000-node workflow through the API.
 *
 * It measures and prints; it does not judge. Each figure is the best of a
 * few repetitions.
 *
 *   bench_engine [--small]     (--small: 100 nodes, 10 MiB; checks it runs)
 *
 * With CACHET_BENCH_CATALOG set, the warm runs use the catalog that URL
 * names (cachet_run_options.catalog_url), e.g. an empty PostgreSQL
 * database: tests/lib/pg-server.sh run sh -c \
 *   'CACHET_BENCH_CATALOG=$CACHET_TEST_PG build/release/bench/bench_engine'
 */
#include "cachet.h"
#include "engine/util.h"
#include "util/fs.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char home[1024];
static bool small;

static void die(const char *what)
{
	fprintf(stderr, "bench_engine: %s: %s\n", what, cachet_error_last()->message);
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static cachet_literal_type *t_int(void)
{
	return cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER);
}

/* ---- tasks ---- */

static int add_one(cachet_task_context *ctx, void *payload)
{
	int64_t x;
	(void)payload;
	if (cachet_task_input_int(&x, ctx, "x") < 0)
		return -1;
	return cachet_task_set_output_int(ctx, "y", x + 1);
}

static cachet_task *int_task(const char *name)
{
	cachet_interface *i;
	cachet_task *t = NULL;
	cachet_task_cache c = CACHET_TASK_CACHE_INIT;

	if (cachet_interface_new(&i) < 0 || cachet_interface_add(i, false, "x", t_int(), NULL) < 0 ||
	    cachet_interface_add(i, true, "y", t_int(), NULL) < 0 ||
	    cachet_task_new_function(&t, name, i, add_one, NULL) < 0)
		die("task");
	cachet_interface_free(i);
	c.enabled = true;
	c.cache_version = "1";
	if (cachet_task_set_cache(t, &c) < 0)
		die("task cache");
	return t;
}

static void bind_const(cachet_workflow *wf, const char *node, int64_t v)
{
	cachet_literal *lit = cachet_literal_new_integer(v);
	if (cachet_workflow_bind(wf, node, "x", &CACHET_FROM_CONSTANT(lit), NULL) < 0)
		die("bind");
	cachet_literal_free(lit);
}

/* chain: n0 <- 0, n(i) <- n(i-1).y */
static cachet_workflow *chain(size_t n)
{
	cachet_workflow *wf;
	cachet_task *t = int_task("step");
	char name[32], prev[32] = "";

	if (cachet_workflow_new(&wf, "chain") < 0)
		die("workflow");
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "n%zu", i);
		if (cachet_workflow_add_node(wf, name, t, NULL) < 0)
			die("node");
		if (i == 0)
			bind_const(wf, name, 0);
		else if (cachet_workflow_bind(wf, name, "x", &CACHET_FROM_OUTPUT(prev, "y"), NULL) < 0)
			die("bind");
		memcpy(prev, name, sizeof name);
	}
	cachet_task_free(t);
	return wf;
}

/* fan-out: a root and n-1 nodes reading its output (and an index) */
static int add_two(cachet_task_context *ctx, void *payload)
{
	int64_t x, k;
	(void)payload;
	if (cachet_task_input_int(&x, ctx, "x") < 0 || cachet_task_input_int(&k, ctx, "k") < 0)
		return -1;
	return cachet_task_set_output_int(ctx, "y", x + k);
}

static cachet_workflow *fanout(size_t n)
{
	cachet_workflow *wf = NULL;
	cachet_task *root = int_task("root"), *leaf = NULL;
	cachet_interface *i;
	cachet_task_cache c = CACHET_TASK_CACHE_INIT;
	char name[32];

	if (cachet_interface_new(&i) < 0 || cachet_interface_add(i, false, "x", t_int(), NULL) < 0 ||
	    cachet_interface_add(i, false, "k", t_int(), NULL) < 0 ||
	    cachet_interface_add(i, true, "y", t_int(), NULL) < 0 ||
	    cachet_task_new_function(&leaf, "leaf", i, add_two, NULL) < 0)
		die("task");
	cachet_interface_free(i);
	c.enabled = true;
	c.cache_version = "1";
	if (cachet_task_set_cache(leaf, &c) < 0 || cachet_workflow_new(&wf, "fanout") < 0 ||
	    cachet_workflow_add_node(wf, "root", root, NULL) < 0)
		die("workflow");
	bind_const(wf, "root", 0);
	for (size_t k = 1; k < n; k++) {
		cachet_literal *lit = cachet_literal_new_integer((int64_t)k);
		snprintf(name, sizeof name, "n%zu", k);
		if (cachet_workflow_add_node(wf, name, leaf, NULL) < 0 ||
		    cachet_workflow_bind(wf, name, "x", &CACHET_FROM_OUTPUT("root", "y"), NULL) < 0 ||
		    cachet_workflow_bind(wf, name, "k", &CACHET_FROM_CONSTANT(lit), NULL) < 0)
			die("node");
		cachet_literal_free(lit);
	}
	cachet_task_free(root);
	cachet_task_free(leaf);
	return wf;
}

/* One whole run; returns seconds; checks the cache statuses. */
static double timed_run(cachet_workflow *wf, const cachet_run_options *o, int want_status,
			size_t *hits)
{
	cachet_run *run;
	double t0 = now(), t;
	cachet_run_counts c = CACHET_RUN_COUNTS_INIT;

	if (cachet_run_new(&run, wf, NULL, o) < 0 || cachet_run_execute(run) < 0)
		die("run");
	cachet_run_counts_get(&c, run);
	if (hits)
		*hits = c.hits;
	for (size_t i = 0; want_status >= 0 && i < cachet_run_node_count(run); i++)
		if (cachet_run_node(run, i)->cache_status != (cachet_cache_status)want_status) {
			fprintf(stderr, "bench_engine: node %s: %s, expected %s\n",
				cachet_run_node(run, i)->name,
				cachet_cache_status_name(cachet_run_node(run, i)->cache_status),
				cachet_cache_status_name(want_status));
			exit(1);
		}
	cachet_run_free(run);
	t = now() - t0;
	return t;
}

static void warm(const char *shape, cachet_workflow *wf, size_t n)
{
	cachet_run_options o = CACHET_RUN_OPTIONS_INIT;
	double best = 1e9, cold;
	size_t hits = 0;

	o.home = home;
	o.catalog_url = getenv("CACHET_BENCH_CATALOG");
	cold = timed_run(wf, &o, CACHET_CACHE_POPULATED, NULL);
	for (int r = 0; r < 5; r++) {
		double t = timed_run(wf, &o, CACHET_CACHE_HIT, &hits);
		if (t < best)
			best = t;
	}
	printf("warm run, %-8s %5zu nodes, all hits    %8.1f ms   (%.1f us/node; cold run %.1f ms)\n",
	       shape, n, best * 1e3, best * 1e6 / (double)n, cold * 1e3);
	(void)hits;
}

/* ---- 2. overhead on a miss ---- */

static double spawn_true(size_t n)
{
	char *argv[] = {"true", NULL};
	double t0 = now();
	for (size_t i = 0; i < n; i++) {
		pid_t pid;
		int st;
		if (posix_spawnp(&pid, "true", NULL, NULL, argv, environ) != 0) {
			perror("posix_spawnp");
			exit(1);
		}
		waitpid(pid, &st, 0);
	}
	return now() - t0;
}

static void miss_overhead(size_t n)
{
	cachet_workflow *wf;
	cachet_interface *i;
	cachet_task *t;
	cachet_task_cache c = CACHET_TASK_CACHE_INIT;
	cachet_run_options o = CACHET_RUN_OPTIONS_INIT;
	const char *argv[] = {"true", NULL};
	double best_run = 1e9, best_spawn = 1e9;
	char name[32];

	if (cachet_interface_new(&i) < 0 || cachet_interface_add(i, false, "k", t_int(), NULL) < 0 ||
	    cachet_task_new_command(&t, "true", i, argv) < 0)
		die("task");
	cachet_interface_free(i);
	c.enabled = true;
	for (int r = 0; r < 3; r++) {
		char version[16];
		double tr, ts;
		/* a new cache version each time: every node misses */
		snprintf(version, sizeof version, "v%d", r);
		c.cache_version = version;
		if (cachet_task_set_cache(t, &c) < 0 || cachet_workflow_new(&wf, "misses") < 0)
			die("workflow");
		for (size_t k = 0; k < n; k++) {
			cachet_literal *lit = cachet_literal_new_integer((int64_t)k);
			snprintf(name, sizeof name, "n%zu", k);
			if (cachet_workflow_add_node(wf, name, t, NULL) < 0 ||
			    cachet_workflow_bind(wf, name, "k", &CACHET_FROM_CONSTANT(lit), NULL) < 0)
				die("node");
			cachet_literal_free(lit);
		}
		o.home = home;
		o.jobs = 1;
		tr = timed_run(wf, &o, CACHET_CACHE_POPULATED, NULL);
		ts = spawn_true(n);
		if (tr < best_run)
			best_run = tr;
		if (ts < best_spawn)
			best_spawn = ts;
		cachet_workflow_free(wf);
	}
	cachet_task_free(t);
	printf("miss, %zu nodes running `true`, -j 1       %8.1f ms   (spawning `true` alone: %.1f ms)\n",
	       n, best_run * 1e3, best_spawn * 1e3);
	printf("  overhead per node on a miss                %8.3f ms   (key, lookup, dirs, logs, put, record)\n",
	       (best_run - best_spawn) * 1e3 / (double)n);
}

/* ---- 3. a hit on a big dataset just written ---- */

static size_t big_size;

static int write_big(cachet_task_context *ctx, void *payload)
{
	const char *path;
	FILE *fp;
	static char block[1 << 20];
	int64_t run;
	(void)payload;
	if (cachet_task_input_int(&run, ctx, "run") < 0 || cachet_task_output_path(&path, ctx, "df") < 0)
		return -1;
	if (!(fp = fopen(path, "w")))
		return cachet_task_fail(ctx, "cannot create '%s'", path);
	/* the same bytes every run: a deterministic pattern */
	for (size_t i = 0; i < sizeof block; i++)
		block[i] = (char)('a' + (i * 7 + i / 4093) % 26);
	for (size_t done = 0; done < big_size; done += sizeof block)
		fwrite(block, 1, sizeof block, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

static int read_nothing(cachet_task_context *ctx, void *payload)
{
	(void)payload;
	return cachet_task_set_output_int(ctx, "n", 1);
}

static void big_hit(void)
{
	cachet_workflow *wf;
	cachet_interface *iw, *ir;
	cachet_task *tw, *tr = NULL;
	cachet_task_cache c = CACHET_TASK_CACHE_INIT;
	cachet_run_options o = CACHET_RUN_OPTIONS_INIT;
	double best_node = 1e9, best_lookup = 1e9, best_hash = 1e9, best_write = 1e9;
	char *catpath = NULL;

	if (cachet_interface_new(&iw) < 0 || cachet_interface_add(iw, false, "run", t_int(), NULL) < 0 ||
	    cachet_interface_add(iw, true, "df", cachet_literal_type_new_dataset("bin"), NULL) < 0 ||
	    cachet_task_new_function(&tw, "write", iw, write_big, NULL) < 0 ||
	    cachet_interface_new(&ir) < 0 ||
	    cachet_interface_add(ir, false, "df", cachet_literal_type_new_dataset("bin"), NULL) < 0 ||
	    cachet_interface_add(ir, true, "n", t_int(), NULL) < 0 ||
	    cachet_task_new_function(&tr, "read", ir, read_nothing, NULL) < 0)
		die("tasks");
	c.enabled = true;
	c.cache_version = "1";
	if (cachet_task_set_cache(tr, &c) < 0 || cachet_workflow_new(&wf, "big") < 0 ||
	    cachet_workflow_add_input(wf, "run", t_int(), NULL, NULL) < 0 ||
	    cachet_workflow_add_node(wf, "write", tw, NULL) < 0 ||
	    cachet_workflow_add_node(wf, "read", tr, NULL) < 0 ||
	    cachet_workflow_bind(wf, "write", "run", &CACHET_FROM_INPUT("run"), NULL) < 0 ||
	    cachet_workflow_bind(wf, "read", "df", &CACHET_FROM_OUTPUT("write", "df"), NULL) < 0)
		die("workflow");
	o.home = home;
	for (int r = 0; r < 4; r++) {
		cachet_literal_map *in;
		cachet_run *run;
		const cachet_node_result *w, *rd;
		if (cachet_literal_map_new(&in) < 0 ||
		    cachet_literal_map_set(in, "run", cachet_literal_new_integer(r)) < 0 ||
		    cachet_run_new(&run, wf, in, &o) < 0 || cachet_run_execute(run) < 0)
			die("run");
		w = cachet_run_node_by_name(run, "write");
		rd = cachet_run_node_by_name(run, "read");
		if (r > 0) {
			const cachet_literal *df = cachet_literal_map_get(w->outputs, "df");
			cachet_catalog *cat = NULL;
			cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;
			cachet_lookup_result res = CACHET_LOOKUP_RESULT_INIT;
			cachet_cache_key key = CACHET_CACHE_KEY_INIT;
			cachet_literal_map *inputs = NULL;
			cachet_literal *copy;
			char *h;
			double t0, t1;

			if (rd->cache_status != CACHET_CACHE_HIT) {
				fprintf(stderr, "bench_engine: read: %s\n",
					cachet_cache_status_name(rd->cache_status));
				exit(1);
			}
			if ((double)rd->duration_ms < best_node)
				best_node = (double)rd->duration_ms;
			if ((double)w->duration_ms < best_write)
				best_write = (double)w->duration_ms;
			/* the key and the lookup alone, as the node does them */
			if (cachet_home_catalog_path(&catpath, home) < 0 ||
			    cachet_catalog_open_sqlite(&cat, catpath, &co) < 0 ||
			    cachet_literal_map_new(&inputs) < 0 || cachet_literal_copy(&copy, df) < 0 ||
			    cachet_literal_map_set(inputs, "df", copy) < 0)
				die("lookup setup");
			cachet_free(catpath);
			t0 = now();
			if (cachet_cache_key_compute(&key, "default", "development", "read", "1",
						     cachet_task_interface(tr), inputs, NULL) < 0)
				die("key");
			cachet_catalog_lookup(&res, cat, &key, NULL);
			t1 = now();
			if (res.status != CACHET_CACHE_HIT)
				die("lookup");
			if (t1 - t0 < best_lookup)
				best_lookup = t1 - t0;
			cachet_lookup_result_dispose(&res);
			cachet_cache_key_dispose(&key);
			cachet_literal_map_free(inputs);
			cachet_catalog_free(cat);
			/* what the hit does not do: read the data again */
			t0 = now();
			if (cachet_hash_path(&h, cachet__file_uri_path(df->scalar->structured_dataset->uri),
					     NULL) < 0)
				die("hash");
			t1 = now();
			if (strcmp(h, df->hash))
				die("hash mismatch");
			cachet_free(h);
			if (t1 - t0 < best_hash)
				best_hash = t1 - t0;
		}
		cachet_run_free(run);
		cachet_literal_map_free(in);
	}
	printf("hit on a %zu MiB dataset just written upstream:\n", big_size >> 20);
	printf("  the hit node, start to finish (ms clock)   %8.0f ms   (< 1 ms: no read of the data)\n",
	       best_node);
	printf("  key + lookup alone                         %8.3f ms\n", best_lookup * 1e3);
	printf("  re-hashing the dataset (what is avoided)   %8.1f ms\n", best_hash * 1e3);
	printf("  the upstream write + offload + hash        %8.0f ms\n", best_write);
	cachet_workflow_free(wf);
	cachet_task_free(tw);
	cachet_task_free(tr);
	cachet_interface_free(iw);
	cachet_interface_free(ir);
}

/* ---- 4. building and validating a big graph ---- */

static void build_validate(size_t n)
{
	double best = 1e9;
	for (int r = 0; r < 3; r++) {
		double t0 = now(), t;
		cachet_workflow *wf = chain(n);
		if (cachet_workflow_validate(NULL, wf) < 0)
			die("validate");
		t = now() - t0;
		cachet_workflow_free(wf);
		if (t < best)
			best = t;
	}
	printf("build + validate a %zu-node chain (API)    %8.1f ms\n", n, best * 1e3);
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	size_t n;
	cachet_workflow *wf;

	small = argc > 1 && !strcmp(argv[1], "--small");
	n = small ? 100 : 1000;
	big_size = (small ? 10u : 100u) << 20;
	snprintf(home, sizeof home, "%s/cachet-bench-engine-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(home)) {
		perror("bench_engine: mkdtemp");
		return 1;
	}
	printf("bench_engine: home %s%s\n", home, small ? " (--small)" : "");

	wf = chain(n);
	warm("chain", wf, n);
	cachet_workflow_free(wf);
	wf = fanout(n);
	warm("fan-out", wf, n);
	cachet_workflow_free(wf);

	miss_overhead(small ? 20 : 200);
	big_hit();
	build_validate(small ? 1000 : 10000);

	if (cachet__remove_tree(home) < 0)
		fprintf(stderr, "bench_engine: %s\n", cachet_error_last()->message);
	return 0;
}
