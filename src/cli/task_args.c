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

/*
 * Add the names of one --ignore value to ta->ignore. The value is a
 * comma-separated list and every piece is a name, the empty one included:
 * "a,b" is a and b, "" (--ignore=) is the input named "", "a,,b" is a, ""
 * and b. Repeating --ignore adds to the list, so `--ignore a --ignore b`
 * is `--ignore a,b`.
 */
static int add_ignored(struct task_args *ta, const char *list)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		char **grown = realloc(ta->ignore, (ta->n_ignore + 1) * sizeof(char *));
		if (grown == NULL)
			return cli_error("out of memory");
		ta->ignore = grown;
		if ((grown[ta->n_ignore] = strndup(p, n)) == NULL)
			return cli_error("out of memory");
		ta->n_ignore++;
		if (p[n] == '\0')
			return CLI_OK;
		p += n + 1;
	}
}

/* --task-format: "template" or "spec"; -1 for anything else. */
static int parse_task_message(const char *text)
{
	if (strcmp(text, "template") == 0)
		return CACHET_TASK_TEMPLATE;
	if (strcmp(text, "spec") == 0)
		return CACHET_TASK_SPEC;
	return -1;
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
	case TASK_OPT_TASK: ta->task_path = arg; break;
	case TASK_OPT_TASK_FORMAT:
		if ((format = parse_task_message(arg)) < 0)
			return cli_error("%s: --task-format must be template or spec, not '%s'", cmd,
					 arg);
		ta->task_message = (cachet_task_message)format;
		break;
	case TASK_OPT_IGNORE_DISCOVERABLE: ta->ignore_discoverable = true; break;
	default: return cli_error("%s: option %d is not a task option", cmd, c);
	}
	return CLI_OK;
}

int task_args_next(struct task_args *ta, const char *cmd, int argc, char **argv,
		   const char *shortopts, const struct option *options, int *idx)
{
	int c;

	while ((c = getopt_long(argc, argv, shortopts, options, idx)) != -1) {
		if (!task_args_is_option(c))
			return c;
		if (task_args_set(ta, cmd, c, optarg) != CLI_OK)
			return TASK_ARGS_FAILED;
	}
	return -1;
}

int task_args_finish(const struct task_args *ta, const char *cmd, const char *usage, int argc,
		     char **argv, const char *extra_option, const char *extra_path)
{
	if (optind < argc) {
		cli_error("%s: unexpected argument '%s'", cmd, argv[optind]);
		return cli_usage(usage);
	}
	return task_args_check(ta, cmd, usage, extra_option, extra_path);
}

static bool is_stdin(const char *path)
{
	return path != NULL && strcmp(path, "-") == 0;
}

/* The options --task stands for, or NULL when none of them was given. */
static const char *task_given_twice(const struct task_args *ta)
{
	return ta->project	       ? "--project"
	       : ta->domain	       ? "--domain"
	       : ta->name	       ? "--name"
	       : ta->cache_version  ? "--cache-version"
	       : ta->interface_path ? "--interface"
				    : NULL;
}

int task_args_check(const struct task_args *ta, const char *cmd, const char *usage,
		    const char *extra_option, const char *extra_path)
{
	if (ta->task_path != NULL) {
		const char *also = task_given_twice(ta);
		if (also != NULL)
			return cli_error("%s: --task gives the task and its interface; %s cannot "
					 "be given with it",
					 cmd, also);
	} else {
		const char *missing = !ta->project	  ? "--project"
				      : !ta->domain	  ? "--domain"
				      : !ta->name	  ? "--name"
				      : !ta->cache_version ? "--cache-version"
							   : NULL;
		if (missing != NULL) {
			cli_error("%s: %s is required (or --task)", cmd, missing);
			return cli_usage(usage);
		}
		if (ta->task_message != CACHET_TASK_DETECT || ta->ignore_discoverable)
			return cli_error("%s: %s is for --task", cmd,
					 ta->ignore_discoverable ? "--ignore-discoverable"
								 : "--task-format");
	}
	/* Name the first two options that both want standard input. */
	const char *names[] = {"--task", "--interface", "--inputs", extra_option};
	const char *paths[] = {ta->task_path, ta->interface_path, ta->inputs_path, extra_path};
	const char *first = NULL;
	for (size_t i = 0; i < 4; i++) {
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

/* Read and decode --task. A task that is not discoverable is not cached:
 * said so, CLI_NO, unless --ignore-discoverable. */
static int load_task(cachet_task_file *task, const struct task_args *ta)
{
	const char *shown = cli_display_name(ta->task_path);
	char *data;
	size_t len;
	int rc;

	if ((rc = cli_read_file(ta->task_path, &data, &len)) != CLI_OK)
		return rc;
	if (cachet_task_file_decode(task, data, len, ta->format, ta->task_message) < 0) {
		const cachet_error *e = cachet_error_last();
		bool undecided = strncmp(e->message, "cannot tell", 11) == 0;
		rc = undecided ? cli_error("%s: %s with --task-format template or spec", shown,
					   e->message)
			       : cli_lib_error(shown);
	} else if (!task->discoverable && !ta->ignore_discoverable) {
		cli_error("%s: task '%s/%s/%s' is not cached (metadata.discoverable is false); "
			  "--ignore-discoverable computes its key anyway",
			  shown, task->project, task->domain, task->name);
		rc = CLI_NO;
	}
	cachet_free(data);
	return rc;
}

/* The inputs left out of the key: the task's list, then --ignore's. */
static int join_ignored(struct task_load *out, const struct task_args *ta)
{
	size_t n = out->task.n_ignore + ta->n_ignore;

	if ((out->ignore = calloc(n > 0 ? n : 1, sizeof(char *))) == NULL)
		return cli_error("out of memory");
	for (size_t i = 0; i < out->task.n_ignore; i++)
		out->ignore[out->n_ignore++] = out->task.ignore[i];
	for (size_t i = 0; i < ta->n_ignore; i++)
		out->ignore[out->n_ignore++] = ta->ignore[i];
	return CLI_OK;
}

int task_args_load(struct task_load *out, const struct task_args *ta)
{
	cachet_key_options opts = CACHET_KEY_OPTIONS_INIT;
	int rc;

	memset(out, 0, sizeof *out);
	out->key = (cachet_cache_key)CACHET_CACHE_KEY_INIT;
	if (ta->task_path && (rc = load_task(&out->task, ta)) != CLI_OK)
		return rc;
	if (ta->interface_path &&
	    (rc = cli_load_interface(ta->interface_path, ta->format, &out->iface)) != CLI_OK)
		return rc;
	if (ta->inputs_path &&
	    (rc = cli_load_literal_map(ta->inputs_path, ta->format, &out->inputs)) != CLI_OK)
		return rc;
	if ((rc = join_ignored(out, ta)) != CLI_OK)
		return rc;
	opts.inputs_label = cli_display_name(ta->inputs_path);
	if (ta->task_path != NULL) {
		/* the task's own list is the task file's to add */
		opts.ignore = (const char *const *)ta->ignore;
		opts.n_ignore = ta->n_ignore;
		opts.interface_label = cli_display_name(ta->task_path);
		rc = cachet_task_file_key(&out->key, &out->task, out->inputs, &opts);
		out->iface = out->task.iface;
		out->task.iface = NULL;
	} else {
		opts.ignore = out->ignore;
		opts.n_ignore = out->n_ignore;
		opts.interface_label = cli_display_name(ta->interface_path);
		rc = cachet_cache_key_compute(&out->key, ta->project, ta->domain, ta->name,
					      ta->cache_version, out->iface, out->inputs, &opts);
	}
	return rc < 0 ? cli_lib_error(NULL) : CLI_OK;
}

void task_load_dispose(struct task_load *tl)
{
	cachet_cache_key_dispose(&tl->key);
	cachet_literal_map_free(tl->inputs);
	cachet_interface_free(tl->iface);
	cachet_task_file_dispose(&tl->task);
	free(tl->ignore);
	memset(tl, 0, sizeof *tl);
}
