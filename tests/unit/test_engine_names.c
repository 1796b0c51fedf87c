/*
 * Names and paths: no name an author chooses reaches the file system
 * unchecked, and the engine takes a node's outputs only from inside the
 * node's directory.
 *
 *   - hostile node, task input and task output names ("..", "../x", "a/b",
 *     absolute, empty, ".x", control bytes, non-ASCII, too long) are
 *     refused by validation, through the API and from a workflow file,
 *     with a message naming the task and the variable (file:line:col from
 *     a file), before anything runs;
 *   - a task that plants a symbolic link (its output, or out/ itself,
 *     leading outside) fails, and a canary directory outside is left
 *     exactly as it was.
 *
 * Expected messages are written out by hand from the rule in
 * docs/engine.md ("Names").
 */
#define _DEFAULT_SOURCE /* realpath */

#include "test_engine_helpers.h"

#include <dirent.h>
#include <fcntl.h>

#define RULE                                                                              \
	"(it becomes a file name: use letters, digits, '_', '-' and '.', not '.' first, at " \
	"most 128 bytes)"

/* ---------------------------------------------------------------------- */
/* A canary: a directory outside every node that nothing may touch        */

static void expect_text(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("canary '%s' is gone", path);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, text);
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* "<cwd>/canary" with x (a file) and sub/y; its absolute path into out. */
static void canary_make(char *out, size_t size)
{
	char cwd[PATH_MAX - 64], p[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(out, size, "%s/canary", cwd);
	(void)mkdir(out, 0700);
	snprintf(p, sizeof p, "%s/x", out);
	write_text(p, "42\n");
	snprintf(p, sizeof p, "%s/sub", out);
	(void)mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/sub/y", out);
	write_text(p, "keep me\n");
}

static void canary_untouched(const char *canary)
{
	char p[PATH_MAX];
	assert_int_equal(entries(canary), 2);
	snprintf(p, sizeof p, "%s/x", canary);
	expect_text(p, "42\n");
	snprintf(p, sizeof p, "%s/sub", canary);
	assert_int_equal(entries(p), 1);
	snprintf(p, sizeof p, "%s/sub/y", canary);
	expect_text(p, "keep me\n");
}

/* ---------------------------------------------------------------------- */
/* Hostile names through the API                                          */

typedef struct hostile {
	const char *name;
	const char *shown; /* as the message shows it */
	const char *why;
} hostile;

static const hostile hostile_names[] = {
	{"..", "..", "it starts with '.'"},
	{".", ".", "it starts with '.'"},
	{".hidden", ".hidden", "it starts with '.'"},
	{"../x", "../x", "it starts with '.'"},
	{"../../../../../../tmp/x", "../../../../../../tmp/x", "it starts with '.'"},
	{"a/b", "a/b", "it holds '/'"},
	{"a/../../b", "a/../../b", "it holds '/'"},
	{"/etc/passwd", "/etc/passwd", "it holds '/'"},
	{"", "", "it is empty"},
	{"a b", "a b", "it holds ' '"},
	{"a\nb", "a\\x0ab", "it holds the byte 0x0a"},
	{"caf\xc3\xa9", "caf\\xc3\\xa9", "it holds the byte 0xc3"},
};

/* A one-node workflow; the task (`true`) has one input and one output
 * named in and out, the node is named node. (The builders refuse to bind
 * an input named "": it stays unbound.) */
static cachet_workflow *one_node(const char *node, const char *in, const char *out)
{
	cachet_workflow *wf = NULL;
	const char *argv[] = {"true", NULL};
	cachet_task *t = command_task("t", iface_of(2, "in", in, T_INT(), "out", out, T_DIR()),
				      argv);

	assert_int_equal(cachet_workflow_new(&wf, "names"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, node, t, "api:1:1"), 0);
	cachet_task_free(t);
	if (*in)
		bind_int(wf, node, in, 1);
	return wf;
}

/* Validation and cachet_run_new both refuse wf, message first of n
 * problems. */
static void expect_refused_n(engine_fx *f, cachet_workflow *wf, const char *message, size_t n)
{
	cachet_problems pr = CACHET_PROBLEMS_INIT;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	char first[1024];

	assert_int_equal(cachet_workflow_validate(&pr, wf), CACHET_EINVALID);
	assert_int_equal(pr.n, n);
	assert_string_equal(pr.items[0].message, message);
	assert_string_equal(pr.items[0].where, "api:1:1");
	cachet_problems_dispose(&pr);
	snprintf(first, sizeof first, "api:1:1: %s", message);
	assert_cachet_error(cachet_run_new(&run, wf, NULL, &o), CACHET_EINVALID, first);
	assert_null(run);
}

static void expect_refused(engine_fx *f, cachet_workflow *wf, const char *message)
{
	expect_refused_n(f, wf, message, 1);
}

static void hostile_output_names(void **state)
{
	engine_fx *f = *state;
	char canary[PATH_MAX], msg[1024];

	canary_make(canary, sizeof canary);
	for (size_t i = 0; i < sizeof hostile_names / sizeof *hostile_names; i++) {
		const hostile *h = &hostile_names[i];
		cachet_workflow *wf = one_node("n", "a", h->name);
		snprintf(msg, sizeof msg, "task 't': output '%s': invalid name: %s " RULE, h->shown,
			 h->why);
		expect_refused(f, wf, msg);
		cachet_workflow_free(wf);
	}
	canary_untouched(canary);
}

static void hostile_input_names(void **state)
{
	engine_fx *f = *state;
	char msg[1024];

	for (size_t i = 0; i < sizeof hostile_names / sizeof *hostile_names; i++) {
		const hostile *h = &hostile_names[i];
		cachet_workflow *wf = one_node("n", h->name, "o");
		snprintf(msg, sizeof msg, "task 't': input '%s': invalid name: %s " RULE, h->shown,
			 h->why);
		/* and "node 'n': input '' is not bound" */
		expect_refused_n(f, wf, msg, *h->name ? 1 : 2);
		cachet_workflow_free(wf);
	}
}

static void hostile_node_names(void **state)
{
	engine_fx *f = *state;
	char msg[1024];

	for (size_t i = 0; i < sizeof hostile_names / sizeof *hostile_names; i++) {
		const hostile *h = &hostile_names[i];
		cachet_workflow *wf = one_node(h->name, "a", "o");
		snprintf(msg, sizeof msg, "node '%s': invalid name: %s " RULE, h->shown, h->why);
		expect_refused(f, wf, msg);
		cachet_workflow_free(wf);
	}
}

/* 128 bytes pass; 129 do not, and the message shows 60 of them. */
static void long_names(void **state)
{
	engine_fx *f = *state;
	char name[200], msg[1024];
	cachet_workflow *wf;
	cachet_problems pr = CACHET_PROBLEMS_INIT;

	memset(name, 'a', 128);
	name[128] = '\0';
	wf = one_node(name, name, "o");
	assert_int_equal(cachet_workflow_validate(&pr, wf), 0);
	assert_int_equal(pr.n, 0);
	cachet_workflow_free(wf);

	name[128] = 'a';
	name[129] = '\0';
	wf = one_node("n", "a", name);
	snprintf(msg, sizeof msg,
		 "task 't': output '%s...': invalid name: it is 129 bytes long " RULE,
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	expect_refused(f, wf, msg);
	cachet_workflow_free(wf);
}

/*
 * A C string ends at its first NUL: "ok\0/../../x" is the name "ok" to
 * every function of the API, so nothing after the NUL can reach a path.
 * (A workflow file is where a NUL could hide in a name; the YAML reader
 * refuses it in a key: test_workflow_yaml.c and the file test below.)
 */
static void nul_ends_an_api_name(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	static const char name[] = "ok\0/../../x";
	const char *argv[] = {"sh", "-c", "echo 7 > \"$0\"", "{{outputs.ok}}", NULL};
	cachet_task *t = command_task("t", iface_of(1, "out", name, T_INT()), argv);

	assert_int_equal(cachet_workflow_new(&wf, "nul"), 0);
	add_node(wf, "n", t);
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	assert_int_equal(int_output(node_of(run, "n"), "ok"), 7);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/*
 * A map key of a value may hold a NUL (Flyte's names may): an interface
 * decoded from protobuf JSON can name an output "ok\0/../x". That name
 * becomes a path, and no file name holds a NUL: it is refused whole, not
 * cut at the NUL.
 */
static void nul_in_a_decoded_name(void **state)
{
	engine_fx *f = *state;
	static const char json[] = "{\"outputs\":{\"variables\":{\"ok\\u0000/../x\":"
				   "{\"type\":{\"simple\":\"INTEGER\"}}}}}";
	const char *argv[] = {"true", NULL};
	cachet_interface *iface = NULL;
	cachet_workflow *wf = NULL;

	assert_int_equal(cachet_interface_decode(&iface, json, sizeof json - 1, CACHET_FORMAT_JSON),
			 0);
	assert_int_equal(cachet_str_len(iface->outputs->variables[0].key), 8);
	cachet_task *t = command_task("t", iface, argv);
	assert_int_equal(cachet_workflow_new(&wf, "nul"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "n", t, "api:1:1"), 0);
	cachet_task_free(t);
	expect_refused(f, wf,
		       "task 't': output 'ok\\x00/../x': invalid name: it holds the byte 0x00 " RULE);
	cachet_workflow_free(wf);
}

/* A task shared by many nodes is reported once, with the first node. */
static void shared_task_reported_once(void **state)
{
	cachet_workflow *wf = NULL;
	const char *argv[] = {"true", NULL};
	cachet_task *t = command_task("t", iface_of(1, "out", "a/b", T_INT()), argv);
	cachet_problems pr = CACHET_PROBLEMS_INIT;

	(void)state;
	assert_int_equal(cachet_workflow_new(&wf, "shared"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "n1", t, "f:1:1"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "n2", t, "f:2:1"), 0);
	assert_int_equal(cachet_workflow_add_node(wf, "n3", t, "f:3:1"), 0);
	assert_int_equal(cachet_workflow_validate(&pr, wf), CACHET_EINVALID);
	assert_int_equal(pr.n, 1);
	assert_string_equal(pr.items[0].where, "f:1:1");
	assert_string_equal(pr.items[0].node, "n1");
	assert_string_equal(pr.items[0].message,
			    "task 't': output 'a/b': invalid name: it holds '/' " RULE);
	cachet_problems_dispose(&pr);

	/* the task's own where, when it has one, wins */
	assert_int_equal(cachet_task_set_where(t, "f:9:3"), 0);
	assert_int_equal(cachet_workflow_validate(&pr, wf), CACHET_EINVALID);
	assert_int_equal(pr.n, 1);
	assert_string_equal(pr.items[0].where, "f:9:3");
	cachet_problems_dispose(&pr);
	assert_int_equal(cachet_task_set_where(t, NULL), 0);
	assert_int_equal(cachet_task_set_where(NULL, "x"), CACHET_EINVALID);
	cachet_task_free(t);
	cachet_workflow_free(wf);
}

/* ---------------------------------------------------------------------- */
/* Hostile names in a workflow file                                       */

static void expect_file_refused(const char *text, const char *message)
{
	cachet_workflow *wf = (cachet_workflow *)1;
	assert_cachet_error(cachet_workflow_load_buffer(&wf, text, strlen(text), "h.yaml", NULL,
							NULL),
			    CACHET_EINVALID, message);
	assert_null(wf);
}

static void hostile_names_in_a_file(void **state)
{
	(void)state;
	/* the example: an output that climbs out of the run */
	expect_file_refused("workflow: w\n"
			    "tasks:\n"
			    "  t:\n"
			    "    outputs:\n"
			    "      ../../../../../../tmp/x: directory\n"
			    "    command: [\"true\"]\n"
			    "nodes:\n"
			    "  t:\n",
			    "h.yaml:3:3: task 't': output '../../../../../../tmp/x': invalid name: "
			    "it starts with '.' " RULE);
	expect_file_refused("workflow: w\n"
			    "tasks:\n"
			    "  t:\n"
			    "    inputs: {/etc/x: int}\n"
			    "    command: [\"true\"]\n"
			    "nodes:\n"
			    "  t: {inputs: {/etc/x: 1}}\n",
			    "h.yaml:3:3: task 't': input '/etc/x': invalid name: it holds '/' " RULE);
	expect_file_refused("workflow: w\n"
			    "tasks:\n"
			    "  t: {command: [\"true\"]}\n"
			    "nodes:\n"
			    "  ..: {task: t}\n",
			    "h.yaml:5:3: node '..': invalid name: it starts with '.' " RULE);
	expect_file_refused("workflow: w\n"
			    "tasks:\n"
			    "  t:\n"
			    "    outputs: {\"\": int}\n"
			    "    command: [\"true\"]\n"
			    "nodes:\n"
			    "  t:\n",
			    "h.yaml:3:3: task 't': output '': invalid name: it is empty " RULE);
	/* a NUL would cut "x\0/../y" to "x": refused where it is */
	expect_file_refused("workflow: w\n"
			    "tasks:\n"
			    "  t:\n"
			    "    outputs: {\"x\\0/../y\": int}\n"
			    "    command: [\"true\"]\n",
			    "h.yaml:4:15: a mapping key cannot contain a NUL character");
}

/* ---------------------------------------------------------------------- */
/* Symbolic links a task leaves behind                                     */

static void output_link_outside_is_refused(void **state)
{
	engine_fx *f = *state;
	char canary[PATH_MAX], script[PATH_MAX + 64], msg[PATH_MAX + 128];
	char real[PATH_MAX];

	canary_make(canary, sizeof canary);
	assert_non_null(realpath(canary, real));

	/* a directory output that is a link to the canary */
	snprintf(script, sizeof script, "ln -s '%s' \"$0\"", canary);
	{
		const char *argv[] = {"sh", "-c", script, "{{outputs.d}}", NULL};
		cachet_task *t = command_task("t", iface_of(1, "out", "d", T_DIR()), argv);
		expect_node_error(f, t, "node 'x': output 'd': '", CACHET_NODE_FAILED);
	}
	snprintf(msg, sizeof msg,
		 "/out/d' is a symbolic link to '%s', outside the node's directory: refused", real);
	assert_contains(cachet_error_last()->message, msg);
	canary_untouched(canary);

	/* a file output that leads to a file outside */
	snprintf(script, sizeof script, "ln -s '%s/x' \"$0\"", canary);
	{
		const char *argv[] = {"sh", "-c", script, "{{outputs.f}}", NULL};
		cachet_task *t = command_task("t", iface_of(1, "out", "f", T_FILE()), argv);
		expect_node_error(f, t,
				  "outside the node's directory: refused", CACHET_NODE_FAILED);
	}
	canary_untouched(canary);

	/* a scalar read from outside would leak the file into the record */
	{
		const char *argv[] = {"sh", "-c", script, "{{outputs.n}}", NULL};
		cachet_task *t = command_task("t", iface_of(1, "out", "n", T_INT()), argv);
		expect_node_error(f, t,
				  "outside the node's directory: refused", CACHET_NODE_FAILED);
	}
	canary_untouched(canary);

	/* a link that leads nowhere */
	{
		const char *argv[] = {"sh", "-c", "ln -s /nonexistent/cachet \"$0\"",
				      "{{outputs.d}}", NULL};
		cachet_task *t = command_task("t", iface_of(1, "out", "d", T_DIR()), argv);
		expect_node_error(f, t,
				  "is a symbolic link that leads nowhere", CACHET_NODE_FAILED);
	}
}

static void out_dir_replaced_by_a_link(void **state)
{
	engine_fx *f = *state;
	char canary[PATH_MAX], script[PATH_MAX + 128];

	canary_make(canary, sizeof canary);
	/* out/ becomes the canary, which holds an "x" of the right kind */
	snprintf(script, sizeof script,
		 "rm -rf \"$CACHET_NODE_DIR/out\" && ln -s '%s' \"$CACHET_NODE_DIR/out\"", canary);
	{
		const char *argv[] = {"sh", "-c", script, NULL};
		cachet_task *t = command_task("t", iface_of(1, "out", "x", T_FILE()), argv);
		expect_node_error(f, t,
				  "/out' is no longer a directory (a symbolic link or a file took its "
				  "place): refused",
				  CACHET_NODE_FAILED);
	}
	canary_untouched(canary);
	{
		const char *argv[] = {"sh", "-c", script, NULL};
		cachet_task *t = command_task("t", iface_of(1, "out", "sub", T_DIR()), argv);
		expect_node_error(f, t, "refused", CACHET_NODE_FAILED);
	}
	canary_untouched(canary);
}

/* A link that stays inside the node's directory is stored as what it
 * leads to; the link goes, the target stays. */
static void output_link_inside_is_followed(void **state)
{
	engine_fx *f = *state;
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	const cachet_node_result *x;
	const char *argv[] = {"sh", "-c",
			      "mkdir -p d && echo hello > d/f && ln -s \"$PWD/d\" \"$0\"",
			      "{{outputs.d}}", NULL};
	char path[PATH_MAX + 32];
	struct stat st;

	assert_int_equal(cachet_workflow_new(&wf, "inside"), 0);
	add_node(wf, "x", command_task("t", iface_of(1, "out", "d", T_DIR()), argv));
	assert_int_equal(run_wf(&run, wf, NULL, &o), 0);
	x = node_of(run, "x");
	assert_int_equal(x->status, CACHET_NODE_SUCCEEDED);
	{
		const cachet_literal *d = cachet_literal_map_get(x->outputs, "d");
		assert_non_null(d);
		assert_non_null(d->hash);
		assert_contains(d->hash, "sha256-dir:");
	}
	snprintf(path, sizeof path, "%s/d/f", x->work_dir);
	expect_text(path, "hello\n");
	snprintf(path, sizeof path, "%s/../out/d", x->work_dir);
	assert_int_equal(lstat(path, &st), -1);
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, engine_setup, engine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(hostile_output_names),
		T(hostile_input_names),
		T(hostile_node_names),
		T(long_names),
		T(nul_ends_an_api_name),
		T(nul_in_a_decoded_name),
		T(shared_task_reported_once),
		T(hostile_names_in_a_file),
		T(output_link_outside_is_refused),
		T(out_dir_replaced_by_a_link),
		T(output_link_inside_is_followed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
