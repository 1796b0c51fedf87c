/*
 * The task and input options shared by `cachet key` and `cachet cache
 * get/put/explain` (see task_args.h).
 */
#include "task_args.h"

#include <stdlib.h>
#include <string.h>

bool task_args_is_option(int c)
{
	return c >= TASK_OPT_PROJECT && c < TASK_OPT_END_;
}

/* Add the comma-separated names in list to ta->ignore. */
static int add_ignored(struct task_args *ta, const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		if (n > 0) {
			char **grown = realloc(ta->ignore, (ta->n_ignore + 1) * sizeof(char *));
			if (grown == NULL)
				return cli_error("out of memory");
			ta->ignore = grown;
			if ((grown[ta->n_ignore] = strndup(p, n)) == NULL)
				return cli_error("out of memory");
			ta->n_ignore++;
		}
		p += n + (p[n] == ',');
	}
	return CLI_OK;
}

int task_args_set(struct task_args *ta, const char *cmd, int c, const char *arg)
{
	int format;

	switch (c) {
	case TASK_OPT_PROJECT: ta->project = arg; break;
	case TASK_OPT_DOMAIN: ta->domain = arg; break;
	case TASK_OPT_NAME: ta->name = arg; break;
	case TASK_OPT_CACHE_VERSION: ta->cache_version = arg; break;
	case TASK_OPT_INTERFACE: ta->interface_path = arg; break;
	case TASK_OPT_INPUTS: ta->inputs_path = arg; break;
	case TASK_OPT_IGNORE: return add_ignored(ta, arg);
	case TASK_OPT_FORMAT:
		if ((format = cli_parse_format(arg)) < 0)
			return cli_error("%s: --format must be json or pb, not '%s'", cmd, arg);
		ta->format = (cachet_format)format;
		break;
	default: return cli_error("%s: option %d is not a task option", cmd, c);
	}
	return CLI_OK;
}

static bool is_stdin(const char *path)
{
	return path != NULL && strcmp(path, "-") == 0;
}

int task_args_check(const struct task_args *ta, const char *cmd, const char *usage,
		    const char *extra_option, const char *extra_path)
{
	const char *missing = !ta->project ? "--project"
			      : !ta->domain ? "--domain"
			      : !ta->name ? "--name"
			      : !ta->cache_version ? "--cache-version"
						   : NULL;
	if (missing != NULL) {
		cli_error("%s: %s is required", cmd, missing);
		return cli_usage(usage);
	}
	/* Name the first two options that both want standard input. */
	const char *names[] = {"--interface", "--inputs", extra_option};
	const char *paths[] = {ta->interface_path, ta->inputs_path, extra_path};
	const char *first = NULL;
	for (size_t i = 0; i < 3; i++) {
		if (names[i] == NULL || !is_stdin(paths[i]))
			continue;
		if (first != NULL)
			return cli_error("%s: %s and %s cannot both read stdin", cmd, first,
					 names[i]);
		first = names[i];
	}
	return CLI_OK;
}

void task_args_dispose(struct task_args *ta)
{
	for (size_t i = 0; i < ta->n_ignore; i++)
		free(ta->ignore[i]);
	free(ta->ignore);
	ta->ignore = NULL;
	ta->n_ignore = 0;
}

int task_args_load(struct task_load *out, const struct task_args *ta)
{
	cachet_key_options opts = CACHET_KEY_OPTIONS_INIT;
	int rc;

	memset(out, 0, sizeof *out);
	out->key = (cachet_cache_key)CACHET_CACHE_KEY_INIT;
	if (ta->interface_path &&
	    (rc = cli_load_interface(ta->interface_path, ta->format, &out->iface)) != CLI_OK)
		return rc;
	if (ta->inputs_path &&
	    (rc = cli_load_literal_map(ta->inputs_path, ta->format, &out->inputs)) != CLI_OK)
		return rc;
	opts.ignore = (const char *const *)ta->ignore;
	opts.n_ignore = ta->n_ignore;
	opts.inputs_label = cli_display_name(ta->inputs_path);
	opts.interface_label = cli_display_name(ta->interface_path);
	if (cachet_cache_key_compute(&out->key, ta->project, ta->domain, ta->name,
				     ta->cache_version, out->iface, out->inputs, &opts) < 0)
		return cli_lib_error(NULL);
	return CLI_OK;
}

void task_load_dispose(struct task_load *tl)
{
	cachet_cache_key_dispose(&tl->key);
	cachet_literal_map_free(tl->inputs);
	cachet_interface_free(tl->iface);
	memset(tl, 0, sizeof *tl);
}
