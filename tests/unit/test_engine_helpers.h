/*
 * Helpers shared by the engine's unit tests: a cachet home in the test's
 * working directory with its store and an in-memory catalog, builders for
 * interfaces and tasks, and running a workflow.
 */
#ifndef CACHET_TEST_ENGINE_HELPERS_H
#define CACHET_TEST_ENGINE_HELPERS_H

#include "test_helpers.h"

#include "cachet.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct engine_fx {
	char home[PATH_MAX];
	cachet_store *store;
	cachet_catalog *cat;
} engine_fx;

/* A fresh home "<cwd>/home-N" with its store and a memory catalog. */
static inline int engine_setup(void **state)
{
	static int n;
	engine_fx *f = calloc(1, sizeof *f);
	cachet_catalog_options co = CACHET_CATALOG_OPTIONS_INIT;
	char cwd[PATH_MAX - 64];

	assert_non_null(f);
	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(f->home, sizeof f->home, "%s/home-%d", cwd, n++);
	assert_int_equal(cachet_store_open_home(&f->store, f->home), 0);
	co.store = f->store;
	assert_int_equal(cachet_catalog_open_memory(&f->cat, &co), 0);
	*state = f;
	return 0;
}

static inline int engine_teardown(void **state)
{
	engine_fx *f = *state;
	cachet_catalog_free(f->cat);
	cachet_store_free(f->store);
	free(f);
	return 0;
}

/* Run options over the fixture. */
static inline cachet_run_options engine_opts(engine_fx *f)
{
	cachet_run_options o = CACHET_RUN_OPTIONS_INIT;
	o.home = f->home;
	o.store = f->store;
	o.catalog = f->cat;
	return o;
}

/* Types, for short. */
static inline cachet_literal_type *T_INT(void)
{
	return cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER);
}
static inline cachet_literal_type *T_STR(void)
{
	return cachet_literal_type_new_simple(CACHET_SIMPLE_STRING);
}
static inline cachet_literal_type *T_FLOAT(void)
{
	return cachet_literal_type_new_simple(CACHET_SIMPLE_FLOAT);
}
static inline cachet_literal_type *T_CSV(void)
{
	return cachet_literal_type_new_dataset("csv");
}
static inline cachet_literal_type *T_FILE(void)
{
	return cachet_literal_type_new_blob("", CACHET_BLOB_SINGLE);
}
static inline cachet_literal_type *T_DIR(void)
{
	return cachet_literal_type_new_blob("", CACHET_BLOB_MULTIPART);
}

/* An interface from "in:name" / "out:name" pairs with types:
 * iface(2, "in", "a", T_INT(), "out", "n", T_INT()) */
static inline cachet_interface *iface_of(int count, ...)
{
	cachet_interface *i = NULL;
	va_list ap;

	assert_int_equal(cachet_interface_new(&i), 0);
	va_start(ap, count);
	for (int k = 0; k < count; k++) {
		const char *dir = va_arg(ap, const char *);
		const char *name = va_arg(ap, const char *);
		cachet_literal_type *t = va_arg(ap, cachet_literal_type *);
		assert_non_null(t);
		assert_int_equal(cachet_interface_add(i, !strcmp(dir, "out"), name, t, NULL), 0);
	}
	va_end(ap);
	return i;
}

/* A command task; the interface is taken (freed here). */
static inline cachet_task *command_task(const char *name, cachet_interface *iface,
					const char *const *argv)
{
	cachet_task *t = NULL;
	int rc = cachet_task_new_command(&t, name, iface, argv);
	if (rc < 0)
		fprintf(stderr, "%s\n", cachet_error_last()->message);
	assert_int_equal(rc, 0);
	cachet_interface_free(iface);
	return t;
}

/* How many entries the fixture's catalog holds. */
static inline size_t catalog_entries(engine_fx *f)
{
	cachet_catalog_entries list = CACHET_CATALOG_ENTRIES_INIT;
	size_t n;
	assert_int_equal(cachet_catalog_list(&list, f->cat, NULL, 0), 0);
	n = list.n;
	cachet_catalog_entries_dispose(&list);
	return n;
}

/* A command task running script with `sh -c`. */
static inline cachet_task *sh_task(const char *name, cachet_interface *iface, const char *script)
{
	const char *argv[] = {"sh", "-c", script, NULL};
	return command_task(name, iface, argv);
}

static inline cachet_task *function_task(const char *name, cachet_interface *iface,
					 cachet_task_fn fn, void *payload)
{
	cachet_task *t = NULL;
	assert_int_equal(cachet_task_new_function(&t, name, iface, fn, payload), 0);
	cachet_interface_free(iface);
	return t;
}

static inline void cache_task(cachet_task *t, const char *version, bool serializable)
{
	cachet_task_cache c = CACHET_TASK_CACHE_INIT;
	c.enabled = true;
	c.cache_version = version;
	c.serializable = serializable;
	assert_int_equal(cachet_task_set_cache(t, &c), 0);
}

/* Add a node and drop the caller's task reference. */
static inline void add_node(cachet_workflow *wf, const char *name, cachet_task *t)
{
	assert_int_equal(cachet_workflow_add_node(wf, name, t, NULL), 0);
	cachet_task_free(t);
}

static inline void bind_input(cachet_workflow *wf, const char *node, const char *input,
			      const char *wf_input)
{
	assert_int_equal(
		cachet_workflow_bind(wf, node, input, &CACHET_FROM_INPUT(wf_input), NULL), 0);
}

static inline void bind_output(cachet_workflow *wf, const char *node, const char *input,
			       const char *from, const char *output)
{
	assert_int_equal(
		cachet_workflow_bind(wf, node, input, &CACHET_FROM_OUTPUT(from, output), NULL), 0);
}

static inline void bind_int(cachet_workflow *wf, const char *node, const char *input, int64_t v)
{
	cachet_literal *lit = cachet_literal_new_integer(v);
	assert_int_equal(cachet_workflow_bind(wf, node, input, &CACHET_FROM_CONSTANT(lit), NULL),
			 0);
	cachet_literal_free(lit);
}

/* A literal map {name: value, ...} of ints and strings:
 * inputs_of(2, "a", cachet_literal_new_integer(3), "b", ...) */
static inline cachet_literal_map *inputs_of(int count, ...)
{
	cachet_literal_map *m = NULL;
	va_list ap;

	assert_int_equal(cachet_literal_map_new(&m), 0);
	va_start(ap, count);
	for (int k = 0; k < count; k++) {
		const char *name = va_arg(ap, const char *);
		cachet_literal *v = va_arg(ap, cachet_literal *);
		assert_non_null(v);
		assert_int_equal(cachet_literal_map_set(m, name, v), 0);
	}
	va_end(ap);
	return m;
}

/* Run wf once; returns execute's code; *out the run (free it). */
static inline int run_wf(cachet_run **out, cachet_workflow *wf, const cachet_literal_map *inputs,
			 const cachet_run_options *o)
{
	int rc = cachet_run_new(out, wf, inputs, o);
	if (rc < 0) {
		fprintf(stderr, "run_new: %s\n", cachet_error_last()->message);
		assert_int_equal(rc, 0);
	}
	return cachet_run_execute(*out);
}

static inline const cachet_node_result *node_of(const cachet_run *run, const char *name)
{
	const cachet_node_result *r = cachet_run_node_by_name(run, name);
	assert_non_null(r);
	return r;
}

static inline int64_t int_output(const cachet_node_result *r, const char *name)
{
	const cachet_literal *lit;
	assert_non_null(r->outputs);
	lit = cachet_literal_map_get(r->outputs, name);
	assert_non_null(lit);
	assert_int_equal(lit->kind, CACHET_LITERAL_SCALAR);
	assert_int_equal(lit->scalar->kind, CACHET_SCALAR_PRIMITIVE);
	assert_int_equal(lit->scalar->primitive->kind, CACHET_PRIMITIVE_INTEGER);
	return lit->scalar->primitive->integer;
}

/* Assert that s contains sub. */
#define assert_contains(s, sub)                                                             \
	do {                                                                               \
		const char *s_ = (s), *sub_ = (sub);                                       \
		if (!s_ || !strstr(s_, sub_)) {                                            \
			fprintf(stderr, "expected \"%s\" in \"%s\"\n", sub_,              \
				s_ ? s_ : "(null)");                                       \
			fail();                                                            \
		}                                                                          \
	} while (0)

/* Run a one-node workflow and check the node's error. */
static inline void expect_node_error(engine_fx *f, cachet_task *t, const char *msg_part, int status)
{
	cachet_workflow *wf = NULL;
	cachet_run_options o = engine_opts(f);
	cachet_run *run = NULL;
	const cachet_node_result *x;

	assert_int_equal(cachet_workflow_new(&wf, "single"), 0);
	add_node(wf, "x", t);
	assert_int_equal(run_wf(&run, wf, NULL, &o), CACHET_ERROR);
	assert_int_equal(cachet_run_get_status(run), CACHET_RUN_FAILED);
	x = node_of(run, "x");
	assert_int_equal(x->status, status);
	assert_contains(x->error, "node 'x'");
	assert_contains(x->error, msg_part);
	/* the run's error is the node's */
	assert_contains(cachet_error_last()->message, msg_part);
	/* a cached task that failed looked up (miss) and stored nothing */
	if (cachet_task_is_cached(cachet_workflow_node_task(wf, 0)))
		assert_int_equal(x->cache_status, CACHET_CACHE_MISS);
	assert_int_equal(catalog_entries(f), 0);
	assert_null(cachet_run_outputs(run));
	cachet_run_free(run);
	cachet_workflow_free(wf);
}

/* Write text to path. */
static inline void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The SHA-256 of a file as sha256sum prints it, "sha256:<hex>". */
static inline void sha256sum_of(char out[80], const char *path)
{
	char cmd[PATH_MAX + 64], hex[72] = "";
	FILE *p;

	snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%64s", hex), 1);
	pclose(p);
	snprintf(out, 80, "sha256:%s", hex);
}

#endif
