/*
 * Tasks: a name, an interface, cache settings, hash methods and an
 * implementation (a C function or an argv template). Reference counted,
 * so that nodes share them.
 */
#include "engine/task.h"
#include "engine/util.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/version.h"

#include <string.h>

static int task_alloc(cachet_task **out, const char *name, const cachet_interface *iface)
{
	cachet_task *t;
	int rc;

	*out = NULL;
	if (!name || !*name)
		return cachet__error(CACHET_EINVALID, "a task needs a name");
	if (!(t = cachet__calloc(1, sizeof *t)))
		return CACHET_ENOMEM;
	atomic_init(&t->refs, 1);
	if (!(t->name = cachet__strdup(name))) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	rc = iface ? cachet_interface_copy(&t->iface, iface) : cachet_interface_new(&t->iface);
	if (rc < 0)
		goto fail;
	/* empty variable maps rather than NULL ones, so lookups need no check */
	if (!t->iface->inputs && !(t->iface->inputs = cachet__calloc(1, sizeof *t->iface->inputs))) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	if (!t->iface->outputs &&
	    !(t->iface->outputs = cachet__calloc(1, sizeof *t->iface->outputs))) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	*out = t;
	return 0;
fail:
	cachet_task_free(t);
	return rc;
}

int cachet_task_new_function(cachet_task **out, const char *name, const cachet_interface *iface,
			     cachet_task_fn fn, void *payload)
{
	int rc;

	if (!out)
		return cachet__error(CACHET_EINVALID, "cachet_task_new_function: out is NULL");
	*out = NULL;
	if (!fn)
		return cachet__error(CACHET_EINVALID, "task '%s': no function given",
				     name ? name : "");
	if ((rc = task_alloc(out, name, iface)) < 0)
		return rc;
	(*out)->fn = fn;
	(*out)->payload = payload;
	return 0;
}

typedef struct check_ctx {
	const cachet_task *task;
	size_t index;
	const char *arg;
} check_ctx;

static int check_placeholder(cachet_buf *out, tmpl_kind kind, const char *name, size_t len,
			     void *payload)
{
	const check_ctx *c = payload;
	const cachet_variable_map *vm;
	char nm[256];

	(void)out;
	if (kind != TMPL_INPUT && kind != TMPL_OUTPUT)
		return 0;
	if (len >= sizeof nm)
		len = sizeof nm - 1;
	memcpy(nm, name, len);
	nm[len] = '\0';
	vm = kind == TMPL_INPUT ? c->task->iface->inputs : c->task->iface->outputs;
	if (!cachet_variable_map_get(vm, nm))
		return cachet__error(CACHET_EINVALID, "argv[%zu]: unknown %s '%s' in \"%s\"",
				     c->index, kind == TMPL_INPUT ? "input" : "output", nm, c->arg);
	return 0;
}

int cachet_task_new_command(cachet_task **out, const char *name, const cachet_interface *iface,
			    const char *const *argv)
{
	cachet_task *t = NULL;
	size_t argc = 0;
	int rc;

	if (!out)
		return cachet__error(CACHET_EINVALID, "cachet_task_new_command: out is NULL");
	*out = NULL;
	while (argv && argv[argc])
		argc++;
	if (!argc || !*argv[0])
		return cachet__error(CACHET_EINVALID, "task '%s': the command is empty",
				     name ? name : "");
	if ((rc = task_alloc(&t, name, iface)) < 0)
		return rc;
	if ((rc = cachet__strv_copy(&t->argv, &t->argc, argv, argc)) < 0)
		goto fail;
	for (size_t i = 0; i < argc; i++) {
		check_ctx c = {t, i, argv[i]};
		if ((rc = cachet__template_expand(NULL, argv[i], check_placeholder, &c)) < 0) {
			if (!strstr(cachet_error_last()->message, "argv["))
				cachet__error_prefix("argv[%zu]", i);
			goto fail;
		}
	}
	*out = t;
	return 0;
fail:
	cachet_task_free(t);
	return rc;
}

cachet_task *cachet_task_ref(cachet_task *task)
{
	if (task)
		atomic_fetch_add(&task->refs, 1);
	return task;
}

void cachet_task_free(cachet_task *task)
{
	if (!task || atomic_fetch_sub(&task->refs, 1) > 1)
		return;
	cachet__free(task->name);
	cachet__free(task->where);
	cachet_interface_free(task->iface);
	cachet__strv_free(task->argv, task->argc);
	cachet__strv_free(task->env, task->n_env);
	cachet__free(task->cache_version);
	cachet__strv_free(task->ignore, task->n_ignore);
	cachet__free(task->task_version);
	for (size_t i = 0; i < task->n_hash; i++) {
		size_t n = 0;
		while (task->hash[i].argv && task->hash[i].argv[n])
			n++;
		cachet__free(task->hash[i].output);
		cachet__strv_free(task->hash[i].argv, n);
	}
	cachet__free(task->hash);
	cachet__free(task);
}

static bool all_space(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

int cachet_task_set_cache(cachet_task *task, const cachet_task_cache *cache)
{
	char *version = NULL, *tv = NULL, **ignore = NULL;
	size_t n_ignore = 0;
	int rc;

	if (!task || !cache)
		return cachet__error(CACHET_EINVALID, "cachet_task_set_cache: NULL argument");
	if ((rc = cachet__check_version(cache->version, CACHET_TASK_CACHE_VERSION,
					"task cache settings")) < 0)
		return rc;
	if (cache->enabled && all_space(cache->cache_version))
		return cachet__error(CACHET_EINVALID,
				     "task '%s': a cached task needs a cache version", task->name);
	for (size_t i = 0; i < cache->n_ignore; i++)
		if (!cache->ignore[i] ||
		    !cachet_variable_map_get(task->iface->inputs, cache->ignore[i]))
			return cachet__error(CACHET_EINVALID,
					     "task '%s': ignored input '%s' is not an input",
					     task->name, cache->ignore[i] ? cache->ignore[i] : "");
	if ((cache->cache_version && !(version = cachet__strdup(cache->cache_version))) ||
	    (cache->task_version && !(tv = cachet__strdup(cache->task_version)))) {
		rc = CACHET_ENOMEM;
		goto fail;
	}
	if ((rc = cachet__strv_copy(&ignore, &n_ignore, cache->ignore, cache->n_ignore)) < 0)
		goto fail;
	cachet__free(task->cache_version);
	cachet__free(task->task_version);
	cachet__strv_free(task->ignore, task->n_ignore);
	task->cache_enabled = cache->enabled;
	task->cache_version = version;
	task->serializable = cache->serializable;
	task->ignore = ignore;
	task->n_ignore = n_ignore;
	task->max_age_ms = cache->max_age_ms;
	task->task_version = tv;
	return 0;
fail:
	cachet__free(version);
	cachet__free(tv);
	return rc;
}

int cachet_task_set_hash_method(cachet_task *task, const char *output, const cachet_hash_method *m)
{
	task_hash_method h = {0}, *slot = NULL, *grown;
	size_t argc = 0;
	int rc;

	if (!task || !output || !m)
		return cachet__error(CACHET_EINVALID, "cachet_task_set_hash_method: NULL argument");
	if ((rc = cachet__check_version(m->version, CACHET_HASH_METHOD_VERSION, "hash method")) < 0)
		return rc;
	if (!cachet_variable_map_get(task->iface->outputs, output))
		return cachet__error(CACHET_EINVALID, "task '%s': '%s' is not an output",
				     task->name, output);
	if (m->kind == CACHET_HASH_COMMAND && (!m->argv || !m->argv[0]))
		return cachet__error(CACHET_EINVALID,
				     "task '%s': output '%s': the hash command is empty", task->name,
				     output);
	if (m->kind == CACHET_HASH_CALLBACK && !m->callback)
		return cachet__error(CACHET_EINVALID,
				     "task '%s': output '%s': no hash callback given", task->name,
				     output);
	while (m->argv && m->argv[argc])
		argc++;
	h.m = *m;
	if (!(h.output = cachet__strdup(output)))
		return CACHET_ENOMEM;
	if (argc) {
		size_t n;
		if ((rc = cachet__strv_copy(&h.argv, &n, m->argv, argc)) < 0) {
			cachet__free(h.output);
			return rc;
		}
	}
	h.m.argv = (const char *const *)h.argv;
	for (size_t i = 0; i < task->n_hash; i++)
		if (!strcmp(task->hash[i].output, output))
			slot = &task->hash[i];
	if (slot) {
		size_t n = 0;
		while (slot->argv && slot->argv[n])
			n++;
		cachet__free(slot->output);
		cachet__strv_free(slot->argv, n);
		*slot = h;
		return 0;
	}
	if (!(grown = cachet__reallocarray(task->hash, task->n_hash + 1, sizeof *grown))) {
		cachet__free(h.output);
		cachet__strv_free(h.argv, argc);
		return CACHET_ENOMEM;
	}
	task->hash = grown;
	task->hash[task->n_hash++] = h;
	return 0;
}

const cachet_hash_method *cachet__task_hash_method(const cachet_task *task, const char *output)
{
	for (size_t i = 0; i < task->n_hash; i++)
		if (!strcmp(task->hash[i].output, output))
			return &task->hash[i].m;
	return NULL;
}

int cachet_task_set_timeout(cachet_task *task, uint64_t timeout_ms)
{
	if (!task)
		return cachet__error(CACHET_EINVALID, "cachet_task_set_timeout: task is NULL");
	if (!task->argv)
		return cachet__error(CACHET_EINVALID,
				     "task '%s': only a command can have a timeout", task->name);
	task->timeout_ms = timeout_ms;
	return 0;
}

int cachet_task_set_env(cachet_task *task, const char *name, const char *value)
{
	cachet_buf b = CACHET_BUF_INIT;
	char **grown;
	int rc;

	if (!task || !name || !value)
		return cachet__error(CACHET_EINVALID, "cachet_task_set_env: NULL argument");
	if (!task->argv)
		return cachet__error(CACHET_EINVALID,
				     "task '%s': only a command has an environment", task->name);
	if (!*name || strchr(name, '='))
		return cachet__error(CACHET_EINVALID, "task '%s': invalid variable name '%s'",
				     task->name, name);
	if ((rc = cachet__buf_printf(&b, "%s=%s", name, value)) < 0)
		goto done;
	if (!(grown = cachet__reallocarray(task->env, task->n_env + 1, sizeof *grown))) {
		rc = CACHET_ENOMEM;
		goto done;
	}
	task->env = grown;
	task->env[task->n_env++] = cachet__buf_detach(&b, NULL);
	rc = task->env[task->n_env - 1] ? 0 : CACHET_ENOMEM;
	if (rc < 0)
		task->n_env--;
done:
	cachet__buf_dispose(&b);
	return rc;
}

int cachet_task_set_where(cachet_task *task, const char *where)
{
	char *copy = NULL;

	if (!task)
		return cachet__error(CACHET_EINVALID, "cachet_task_set_where: task is NULL");
	if (where && !(copy = cachet__strdup(where)))
		return CACHET_ENOMEM;
	cachet__free(task->where);
	task->where = copy;
	return 0;
}

const char *cachet_task_name(const cachet_task *task)
{
	return task ? task->name : NULL;
}

const cachet_interface *cachet_task_interface(const cachet_task *task)
{
	return task ? task->iface : NULL;
}

bool cachet_task_is_cached(const cachet_task *task)
{
	return task && task->cache_enabled;
}

const char *const *cachet_task_argv(const cachet_task *task)
{
	return task ? (const char *const *)task->argv : NULL;
}
