/*
 * The engine when things go wrong: failures and what they skip, every
 * bad-input case of the spec at the API level (each message names the
 * node and the output, the node fails, nothing of it is cached),
 * timeouts, cancellation, and the -j limit.
 */
#include "test_engine_helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <time.h>

/* ---------------------------------------------------------------------- */
/* Failure propagation                                                    */

static void failure_skips_dependents_only(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_task *bad, *ok;

	/* a fails; b reads a, c reads b: both skipped; d is independent */
	bad = sh_task("bad", iface_of(1, "out", "n", T_INT()), "echo boom >&2; exit 3");
	cache_task(bad, "1", false);
	ok = sh_task("ok", iface_of(2, "in", "n", T_INT(), "out", "m", T_INT()),
		     "echo 1 > \"$CACHET_NODE_DIR/out/m\"");
	cache_task(ok, "1", false);
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "a", bad, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "b", ok, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "c", ok, NULL), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "d", ok, NULL), 0);
	cachet_task_free(bad);
	cachet_task_free(ok);
	bind_output(wf, "b", "n", "a", "n");
	bind_output(wf, "c", "n", "b", "m");
	bind_int(wf, "d", "n", 5);

	assert_int_equal(run_wf(&run, wf, NULL, &o), CACHET_ERROR);
	assert_string_equal(cachet_error_last()->message,
			    "node 'a': 'sh' exited with status 3: boom");
	assert_int_equal(cachet_run_get_status(run), CACHET_RUN_FAILED);
	assert_int_equal(node_of(run, "a")->status, CACHET_NODE_FAILED);
	assert_int_equal(node_of(run, "a")->exit_status, 3);
	assert_int_equal(node_of(run, "a")->cache_status, CACHET_CACHE_MISS);
	assert_int_equal(node_of(run, "b")->status, CACHET_NODE_SKIPPED);
	assert_int_equal(node_of(run, "b")->cache_status, CACHET_CACHE_SKIPPED);
	assert_string_equal(node_of(run, "b")->error,
			    "node 'b': skipped: upstream node 'a' failed");
	assert_int_equal(node_of(run, "c")->status, CACHET_NODE_SKIPPED);
	/* the root cause, not the skipped node in between */
	assert_string_equal(node_of(run, "c")->error,
			    "node 'c': skipped: upstream node 'a' failed");
	assert_int_equal(node_of(run, "d")->status, CACHET_NODE_SUCCEEDED);
	assert_int_equal(node_of(run, "d")->cache_status, CACHET_CACHE_POPULATED);
	/* only d's entry */
	assert_int_equal(catalog_entries(f), 1);
	{
		cachet_run_counts c = CACHET_RUN_COUNTS_INIT;
		cachet_run_counts_get(&c, run);
		assert_int_equal(c.total, 4);
		assert_int_equal(c.succeeded, 1);
		assert_int_equal(c.failed, 1);
		assert_int_equal(c.skipped, 2);
		assert_int_equal(c.pending + c.running + c.aborted, 0);
	}
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* Bad input                                                              */

static void command_not_found(void **state)
{
	const char *argv[] = {"cachet-no-such-command-x", "{{outputs.n}}", NULL};
	cachet_task *t = command_task("t", iface_of(1, "out", "n", T_INT()), argv);
	cache_task(t, "1", false);
	expect_node_error(*state, t,
			  "node 'x': command 'cachet-no-such-command-x' not found (looked in $PATH)",
			  CACHET_NODE_FAILED);
}

static void program_path_not_found(void **state)
{
	const char *argv[] = {"/nonexistent/prog", NULL};
	cachet_task *t = command_task("t", NULL, argv);
	expect_node_error(*state, t, "node 'x': cannot run '/nonexistent/prog': No such file or directory",
			  CACHET_NODE_FAILED);
}

static void program_not_executable(void **state)
{
	char cwd[1024], prog[1100];
	const char *argv[] = {prog, NULL};
	cachet_task *t;

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(prog, sizeof prog, "%s/noexec.sh", cwd);
	write_text(prog, "#!/bin/sh\ntrue\n");
	assert_int_equal(chmod(prog, 0644), 0);
	t = command_task("t", NULL, argv);
	expect_node_error(*state, t, ": Permission denied", CACHET_NODE_FAILED);
}

static void nonzero_exit(void **state)
{
	cachet_task *t = sh_task("t", iface_of(1, "out", "n", T_INT()),
				 "echo first >&2; echo 'no such table: rows' >&2; exit 7");
	cache_task(t, "1", false);
	expect_node_error(*state, t, "node 'x': 'sh' exited with status 7: no such table: rows",
			  CACHET_NODE_FAILED);
}

static void killed_by_signal(void **state)
{
	cachet_task *t = sh_task("t", NULL, "kill -9 $$");
	expect_node_error(*state, t, "node 'x': 'sh' was killed by SIGKILL (9)", CACHET_NODE_FAILED);
}

static void output_not_written(void **state)
{
	cachet_task *t = sh_task("t", iface_of(1, "out", "df", T_CSV()), "true");
	cache_task(t, "1", false);
	expect_node_error(*state, t, "node 'x': output 'df': was not written (expected a file or a directory at '",
			  CACHET_NODE_FAILED);
}

static void scalar_output_not_written(void **state)
{
	cachet_task *t = sh_task("t", iface_of(1, "out", "n", T_INT()), "true");
	expect_node_error(*state, t,
			  "node 'x': output 'n': was not written (expected a file holding its value at '",
			  CACHET_NODE_FAILED);
}

static void directory_for_a_file(void **state)
{
	const char *argv[] = {"mkdir", "{{outputs.f}}", NULL};
	cachet_task *t = command_task("t", iface_of(1, "out", "f", T_FILE()), argv);
	cache_task(t, "1", false);
	expect_node_error(*state, t, "node 'x': output 'f': should be a file, but the task wrote a directory at '",
			  CACHET_NODE_FAILED);
}

static void file_for_a_directory(void **state)
{
	const char *argv[] = {"touch", "{{outputs.d}}", NULL};
	cachet_task *t = command_task("t", iface_of(1, "out", "d", T_DIR()), argv);
	expect_node_error(*state, t,
			  "node 'x': output 'd': should be a directory, but the task wrote a file at '",
			  CACHET_NODE_FAILED);
}

static void scalar_output_does_not_parse(void **state)
{
	cachet_task *t = sh_task("t", iface_of(1, "out", "n", T_INT()),
				 "echo abc > \"$CACHET_NODE_DIR/out/n\"");
	cache_task(t, "1", false);
	expect_node_error(*state, t, "node 'x': output 'n': \"abc\" is not an int",
			  CACHET_NODE_FAILED);
}

static void workflow_input_file_vanished(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_literal_map *in;
	cachet_literal *df = NULL;
	cachet_literal_type *csv = T_CSV();
	const char *argv[] = {"cat", "{{inputs.df}}", NULL};
	cachet_task *t = command_task("t", iface_of(1, "in", "df", T_CSV()), argv);
	cachet_task *u = sh_task("u", NULL, "true");
	char cwd[PATH_MAX - 64], expect[PATH_MAX + 128];

	assert_non_null(getcwd(cwd, sizeof cwd));
	write_text("gone.csv", "a\n1\n");
	assert_int_equal(cachet_literal_from_text(&df, csv, "gone.csv"), 0);
	cachet_literal_type_free(csv);
	in = inputs_of(1, "df", df);
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "df", T_CSV(), NULL, NULL), 0);
	add_node(wf, "x", t);
	add_node(wf, "y", u);
	bind_input(wf, "x", "df", "df");
	assert_int_equal(cachet_run_new(&run, wf, in, &o), 0);
	assert_int_equal(unlink("gone.csv"), 0);
	assert_int_equal(cachet_run_execute(run), CACHET_ERROR);
	snprintf(expect, sizeof expect,
		 "node 'x': input 'df': cannot hash '%s/gone.csv': No such file or directory", cwd);
	assert_string_equal(node_of(run, "x")->error, expect);
	assert_int_equal(node_of(run, "x")->status, CACHET_NODE_FAILED);
	/* a node that does not read it runs */
	assert_int_equal(node_of(run, "y")->status, CACHET_NODE_SUCCEEDED);
	cachet_run_free(run);
	cachet_workflow_free(wf);
	cachet_literal_map_free(in);
}

static void upstream_output_vanished(void **state)
{
	/* foo's output is deleted from the store before bar reads it */
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_task *foo = sh_task("foo", iface_of(1, "out", "f", T_FILE()),
				   "echo hi > \"$CACHET_NODE_DIR/out/f\"");
	/* removes foo's object, then runs cat on it */
	const char *argv[] = {"sh", "-c", "rm -f \"$1\"; cat \"$1\"", "sh", "{{inputs.f}}", NULL};
	cachet_task *bar = command_task("bar", iface_of(1, "in", "f", T_FILE()), argv);

	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	add_node(wf, "foo", foo);
	add_node(wf, "bar", bar);
	bind_output(wf, "bar", "f", "foo", "f");
	assert_int_equal(run_wf(&run, wf, NULL, &o), CACHET_ERROR);
	assert_contains(node_of(run, "bar")->error, "node 'bar': 'sh' exited with status 1: cat: ");
	assert_contains(node_of(run, "bar")->error, "No such file or directory");
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

static int read_missing_fn(cachet_task_context *ctx, void *payload)
{
	const char *path;
	(void)payload;
	return cachet_task_input_path(&path, ctx, "f");
}

static void function_input_vanished(void **state)
{
	/* a C task asks for the local path of data that is gone */
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_literal *lit = cachet_literal_new_blob("file:///nonexistent/data.bin", "",
						      CACHET_BLOB_SINGLE);
	cachet_task *t = function_task("t", iface_of(1, "in", "f", T_FILE()), read_missing_fn, NULL);

	assert_int_equal(cachet_literal_set_hash(lit, "sha256:00"), 0);
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	add_node(wf, "x", t);
	assert_int_equal(cachet_workflow_bind(wf, "x", "f", &CACHET_FROM_CONSTANT(lit), NULL), 0);
	cachet_literal_free(lit);
	assert_int_equal(run_wf(&run, wf, NULL, &o), CACHET_ERROR);
	assert_string_equal(node_of(run, "x")->error,
			    "node 'x': input 'f': cannot read '/nonexistent/data.bin': No such file "
			    "or directory");
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

static void bad_run_inputs(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_literal_map *in;
	cachet_task *t = sh_task("t", iface_of(1, "in", "a", T_INT()), "true");

	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	assert_int_equal(cachet_workflow_add_input(wf, "a", T_INT(), NULL, NULL), 0);
	add_node(wf, "x", t);
	bind_input(wf, "x", "a", "a");

	assert_cachet_error(cachet_run_new(&run, wf, NULL, &o), CACHET_EINVALID,
			    "workflow input 'a' is required (it has no default)");
	in = inputs_of(1, "a", cachet_literal_new_string("3"));
	assert_cachet_error(cachet_run_new(&run, wf, in, &o), CACHET_EINVALID,
			    "workflow input 'a': a str is not of type int");
	cachet_literal_map_free(in);
	in = inputs_of(2, "a", cachet_literal_new_integer(3), "zz", cachet_literal_new_integer(1));
	assert_cachet_error(cachet_run_new(&run, wf, in, &o), CACHET_EINVALID,
			    "workflow 'wf' has no input 'zz'");
	cachet_literal_map_free(in);
	assert_null(run);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* C tasks that fail                                                      */

static int fail_fn(cachet_task_context *ctx, void *payload)
{
	(void)payload;
	return cachet_task_fail(ctx, "no rows in '%s'", "t.csv");
}

static int silent_fail_fn(cachet_task_context *ctx, void *payload)
{
	(void)ctx;
	(void)payload;
	return 42;
}

static int no_output_fn(cachet_task_context *ctx, void *payload)
{
	(void)ctx;
	(void)payload;
	return 0;
}

static int wrong_type_fn(cachet_task_context *ctx, void *payload)
{
	(void)payload;
	return cachet_task_set_output_string(ctx, "n", "3");
}

static int undeclared_fn(cachet_task_context *ctx, void *payload)
{
	const char *p;
	int64_t v;
	(void)payload;
	assert_cachet_error(cachet_task_set_output_int(ctx, "zz", 1), CACHET_EINVALID,
			    "node 'x': task 't' has no output 'zz'");
	assert_cachet_error(cachet_task_output_path(&p, ctx, "n"), CACHET_EINVALID,
			    "node 'x': output 'n' is not a file, directory or dataset: set it with "
			    "cachet_task_set_output");
	assert_cachet_error(cachet_task_input_int(&v, ctx, "q"), CACHET_ENOTFOUND,
			    "node 'x': no input 'q'");
	assert_cachet_error(cachet_task_input_int(&v, ctx, "s"), CACHET_EINVALID,
			    "node 'x': input 's' is a str, not an int");
	assert_cachet_error(cachet_task_input_path(&p, ctx, "s"), CACHET_EINVALID,
			    "node 'x': input 's' is not a file, directory or dataset");
	return cachet_task_set_output_int(ctx, "n", 1);
}

static void function_failures(void **state)
{
	cachet_task *t;

	t = function_task("t", iface_of(1, "out", "n", T_INT()), fail_fn, NULL);
	cache_task(t, "1", false);
	expect_node_error(*state, t, "node 'x': no rows in 't.csv'", CACHET_NODE_FAILED);
	t = function_task("t", iface_of(1, "out", "n", T_INT()), silent_fail_fn, NULL);
	expect_node_error(*state, t, "node 'x': task 't' failed with status 42", CACHET_NODE_FAILED);
	t = function_task("t", iface_of(1, "out", "n", T_INT()), no_output_fn, NULL);
	cache_task(t, "1", false);
	expect_node_error(*state, t, "node 'x': output 'n': was not set by the task",
			  CACHET_NODE_FAILED);
	t = function_task("t", iface_of(1, "out", "n", T_INT()), wrong_type_fn, NULL);
	cache_task(t, "1", false);
	expect_node_error(*state, t, "node 'x': output 'n': a str is not of type int",
			  CACHET_NODE_FAILED);
}

static void function_misuse_is_reported(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_task *t = function_task("t", iface_of(2, "in", "s", T_STR(), "out", "n", T_INT()),
				       undeclared_fn, NULL);
	cachet_literal *s = cachet_literal_new_string("hello");

	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	add_node(wf, "x", t);
	assert_int_equal(cachet_workflow_bind(wf, "x", "s", &CACHET_FROM_CONSTANT(s), NULL), 0);
	cachet_literal_free(s);
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* Timeouts and cancellation                                              */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void timeout_kills_the_group(void **state)
{
	/* the shell's child sleep is killed too (its process group) */
	cachet_task *t = sh_task("t", NULL, "sleep 30; true");
	int64_t t0 = mono_ms();

	assert_int_equal(cachet_task_set_timeout(t, 300), 0);
	expect_node_error(*state, t, "node 'x': timed out after 300 ms", CACHET_NODE_FAILED);
	assert_true(mono_ms() - t0 < 10000);
}

typedef struct cancel_arg {
	cachet_run *run;
	const char *wait_for; /* a file the command creates once it runs */
} cancel_arg;

static void *cancel_later(void *p)
{
	cancel_arg *a = p;
	struct timespec ts = {0, 10 * 1000 * 1000};
	for (int i = 0; i < 3000 && access(a->wait_for, F_OK) < 0; i++)
		nanosleep(&ts, NULL);
	nanosleep(&ts, NULL);
	cachet_run_cancel(a->run);
	return NULL;
}

static void cancel_stops_children_and_caches_nothing(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	cachet_task *slow, *after = sh_task("after", iface_of(1, "in", "n", T_INT()), "true");
	pthread_t th;
	cancel_arg a;
	int64_t t0;
	char cwd[1024], script[1200], started[1100];

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(started, sizeof started, "%s/started", cwd);
	unlink(started);
	snprintf(script, sizeof script,
		 "touch '%s'; sleep 30; echo 1 > \"$CACHET_NODE_DIR/out/n\"", started);
	slow = sh_task("slow", iface_of(1, "out", "n", T_INT()), script);

	cache_task(slow, "1", true); /* serializable: holds a reservation */
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	add_node(wf, "a", slow);
	add_node(wf, "b", after);
	bind_output(wf, "b", "n", "a", "n");
	o.jobs = 2;
	assert_int_equal(cachet_run_new(&run, wf, NULL, &o), 0);
	a.run = run;
	a.wait_for = started;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &a), 0);
	t0 = mono_ms();
	assert_cachet_error(cachet_run_execute(run), CACHET_ERROR, "run cancelled");
	pthread_join(th, NULL);
	assert_true(mono_ms() - t0 < 10000);
	assert_int_equal(cachet_run_get_status(run), CACHET_RUN_ABORTED);
	assert_int_equal(node_of(run, "a")->status, CACHET_NODE_ABORTED);
	assert_int_equal(node_of(run, "a")->exit_status, -SIGTERM);
	assert_int_equal(node_of(run, "b")->status, CACHET_NODE_ABORTED);
	assert_int_equal(node_of(run, "b")->cache_status, CACHET_CACHE_SKIPPED);
	assert_int_equal(catalog_entries(f), 0);
	/* the reservation was released: another owner gets it at once */
	{
		cachet_reservation r = CACHET_RESERVATION_INIT;
		const cachet_node_result *na = node_of(run, "a");
		cachet_cache_key key = {CACHET_CACHE_KEY_VERSION,
					(char *)na->dataset_project, (char *)na->dataset_domain,
					(char *)na->dataset_name, (char *)na->dataset_version,
					(char *)na->tag};
		assert_int_equal(cachet_catalog_reserve(&r, f->cat, &key, "someone-else", 1000), 0);
		assert_true(r.acquired);
		cachet_reservation_dispose(&r);
	}
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

static cachet_run *signal_run;

static void on_signal(int sig)
{
	(void)sig;
	cachet_run_cancel(signal_run);
}

/* What a terminal's Ctrl-C does, from another thread after a while. */
static void *signal_later(void *p)
{
	struct timespec ts = {0, 200 * 1000 * 1000};
	(void)p;
	nanosleep(&ts, NULL);
	kill(getpid(), SIGUSR1);
	return NULL;
}

static void cancel_from_a_signal_handler(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_task *slow = sh_task("slow", NULL, "sleep 30");
	struct sigaction sa, old;
	pthread_t th;

	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	add_node(wf, "a", slow);
	assert_int_equal(cachet_run_new(&signal_run, wf, NULL, &o), 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	assert_int_equal(pthread_create(&th, NULL, signal_later, NULL), 0);
	assert_cachet_error(cachet_run_execute(signal_run), CACHET_ERROR, "run cancelled");
	pthread_join(th, NULL);
	sigaction(SIGUSR1, &old, NULL);
	assert_int_equal(node_of(signal_run, "a")->status, CACHET_NODE_ABORTED);
	cachet_run_free(signal_run);
	cachet_workflow_free(wf);
}

typedef struct cancel_watch {
	const char *started;    /* the task creates this file when it runs */
	atomic_bool saw_cancel; /* the task saw cachet_task_cancelled() */
} cancel_watch;

/* A C task that waits, on its worker thread, until the run is cancelled. */
static int wait_for_cancel_fn(cachet_task_context *ctx, void *payload)
{
	cancel_watch *w = payload;
	struct timespec ts = {0, 5 * 1000 * 1000};
	FILE *fp = fopen(w->started, "w");
	if (fp)
		fclose(fp);
	for (int i = 0; i < 6000 && !cachet_task_cancelled(ctx); i++)
		nanosleep(&ts, NULL);
	atomic_store(&w->saw_cancel, cachet_task_cancelled(ctx));
	return 0;
}

/* The flag a cancel sets is read by the worker threads (here a C task
 * polling cachet_task_cancelled) while another thread sets it: under
 * ThreadSanitizer (scripts/tsan.sh) a non-atomic flag shows as a data
 * race here. */
static void c_task_sees_cancel_from_another_thread(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	char cwd[1024], started[1100];
	cancel_watch w;
	cancel_arg a;
	pthread_t th;

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(started, sizeof started, "%s/started", cwd);
	unlink(started);
	w.started = started;
	atomic_init(&w.saw_cancel, false);
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	add_node(wf, "a", function_task("waits", NULL, wait_for_cancel_fn, &w));
	o.jobs = 2;
	assert_int_equal(cachet_run_new(&run, wf, NULL, &o), 0);
	a.run = run;
	a.wait_for = started;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &a), 0);
	assert_cachet_error(cachet_run_execute(run), CACHET_ERROR, "run cancelled");
	pthread_join(th, NULL);
	assert_int_equal(access(started, F_OK), 0);
	assert_true(atomic_load(&w.saw_cancel));
	assert_int_equal(node_of(run, "a")->status, CACHET_NODE_ABORTED);
	assert_string_equal(node_of(run, "a")->error, "node 'a': aborted: the run was cancelled");
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

static void cancel_before_execute(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;

	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	add_node(wf, "a", sh_task("t", NULL, "true"));
	assert_int_equal(cachet_run_new(&run, wf, NULL, &o), 0);
	cachet_run_cancel(run);
	assert_cachet_error(cachet_run_execute(run), CACHET_ERROR, "run cancelled");
	assert_int_equal(node_of(run, "a")->status, CACHET_NODE_ABORTED);
	assert_null(node_of(run, "a")->work_dir);
	/* a second execute is refused */
	assert_int_equal(cachet_run_execute(run), CACHET_EINVALID);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* -j: never more commands at once than asked                              */

static void jobs_limit_is_respected(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	char cwd[1024], script[2560];
	cachet_task *t;
	FILE *fp;
	long long ts[32];
	int kind[32], n = 0, cur = 0, max = 0;

	/* each command logs its start and end (ns) to one file */
	assert_non_null(getcwd(cwd, sizeof cwd));
	unlink("jobs.log");
	snprintf(script, sizeof script,
		 "echo \"S $(date +%%s%%N)\" >> '%s/jobs.log'; sleep 0.2; "
		 "echo \"E $(date +%%s%%N)\" >> '%s/jobs.log'",
		 cwd, cwd);
	t = sh_task("t", iface_of(1, "in", "i", T_INT()), script);
	assert_int_equal(cachet_workflow_new(&wf, "wf"), 0);
	for (int i = 0; i < 6; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%d", i);
		assert_int_equal(cachet_workflow_add_node(wf, name, t, NULL), 0);
		bind_int(wf, name, "i", i);
	}
	cachet_task_free(t);
	o.jobs = 2;
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_non_null(fp = fopen("jobs.log", "r"));
	{
		char k;
		long long v;
		while (n < 32 && fscanf(fp, " %c %lld", &k, &v) == 2) {
			kind[n] = k == 'S' ? 1 : -1;
			ts[n++] = v;
		}
	}
	fclose(fp);
	assert_int_equal(n, 12);
	/* sort events by time (ends first on ties) and sweep */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && (ts[j] < ts[j - 1] ||
					  (ts[j] == ts[j - 1] && kind[j] < kind[j - 1]));
		     j--) {
			long long tt = ts[j];
			int kk = kind[j];
			ts[j] = ts[j - 1];
			kind[j] = kind[j - 1];
			ts[j - 1] = tt;
			kind[j - 1] = kk;
		}
	for (int i = 0; i < n; i++) {
		cur += kind[i];
		if (cur > max)
			max = cur;
	}
	assert_int_equal(max, 2);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, engine_setup, engine_teardown)
	const struct CMUnitTest tests[] = {
		T(failure_skips_dependents_only),
		T(command_not_found),
		T(program_path_not_found),
		T(program_not_executable),
		T(nonzero_exit),
		T(killed_by_signal),
		T(output_not_written),
		T(scalar_output_not_written),
		T(directory_for_a_file),
		T(file_for_a_directory),
		T(scalar_output_does_not_parse),
		T(workflow_input_file_vanished),
		T(upstream_output_vanished),
		T(function_input_vanished),
		T(bad_run_inputs),
		T(function_failures),
		T(function_misuse_is_reported),
		T(timeout_kills_the_group),
		T(cancel_stops_children_and_caches_nothing),
		T(cancel_from_a_signal_handler),
		T(c_task_sees_cancel_from_another_thread),
		T(cancel_before_execute),
		T(jobs_limit_is_respected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
