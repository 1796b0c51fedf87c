/*
 * cachet cache ls / show: the cached entries, as a table or one by one.
 */
#include "cmd_cache.h"
#include "options.h"
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char ls_usage[] =
	"usage: cachet cache ls [--task NAME] [--project P] [--domain D] [--home DIR] [--json]\n"
	"\n"
	"Lists the cached entries: task, dataset version, tag, when created, hits,\n"
	"last hit and the size of the offloaded data each references.\n"
	"\n"
	"  --task NAME       only this task (\"bar\" or \"flyte_task-bar\")\n"
	"  --project P       only this project\n"
	"  --domain D        only this domain\n"
	"  --json            print {\"entries\": [...]}\n" CACHE_HOME_HELP;

static const char show_usage[] =
	"usage: cachet cache show [--home DIR] [--json] TAG|ARTIFACT-ID\n"
	"\n"
	"Shows the entries under a tag (one per task that has it) or the entry of\n"
	"an artifact: where it came from, its input hashes and its outputs. Exit 1\n"
	"when there is none.\n"
	"\n"
	"  --json            print {\"entries\": [...]} with inputs and outputs\n"
	CACHE_HOME_HELP;

enum { OPT_TASK = CACHE_OPT_FIRST_, OPT_PROJECT, OPT_DOMAIN };

struct ls_args {
	struct cache_common_args common; /* first: show's handler takes the whole */
	cachet_catalog_filter filter;
	const char *what; /* show */
};

static const struct option options[] = {
	CACHE_COMMON_OPTIONS,
	{"task", required_argument, NULL, OPT_TASK},
	{"project", required_argument, NULL, OPT_PROJECT},
	{"domain", required_argument, NULL, OPT_DOMAIN},
	{NULL, 0, NULL, 0},
};

static int on_ls_option(void *payload, int opt, char *arg)
{
	struct ls_args *args = payload;

	switch (opt) {
	case OPT_TASK: args->filter.task = arg; break;
	case OPT_PROJECT: args->filter.project = arg; break;
	case OPT_DOMAIN: args->filter.domain = arg; break;
	default: return cache_common_option(&args->common, opt, arg);
	}
	return CLI_OK;
}

static int parse_args(struct ls_args *args, bool show, int argc, char **argv)
{
	const struct cli_options spec = {show ? "cache show" : "cache ls",
					 show ? show_usage : ls_usage, "h", options};
	/* show takes the common options only */
	int rc = cli_parse_options(&spec, argc, argv, show ? cache_common_option : on_ls_option,
				   args);

	if (rc != CLI_OK)
		return rc;
	if (show) {
		if (optind >= argc)
			return cli_usage_error(spec.usage, "cache show: no TAG or ARTIFACT-ID given");
		args->what = argv[optind++];
	}
	return cli_no_more_operands(&spec, argc, argv);
}

static int print_entries_json(const cachet_catalog_entries *list, unsigned flags)
{
	json_t *entries = json_array();
	json_t *obj = entries ? json_pack("{s:o}", "entries", entries) : NULL;

	for (size_t i = 0; obj && i < list->n; i++) {
		if (json_array_append_new(entries, cache_entry_json(&list->entries[i], flags)) < 0) {
			json_decref(obj);
			obj = NULL;
		}
	}
	return cache_print_json(obj);
}

static int print_table(const cachet_catalog_entries *list)
{
	table t;
	int rc;

	table_init(&t, "lllllrr", "TASK", "VERSION", "TAG", "CREATED", "LAST HIT", "HITS", "SIZE",
		   NULL);
	for (size_t i = 0; i < list->n; i++) {
		const cachet_catalog_entry *e = &list->entries[i];
		char created[32], last[32], size[32];
		cache_format_time(created, e->created_at_ms);
		cache_format_time(last, e->last_hit_at_ms);
		cache_format_size(size, e->size_bytes);
		table_add(&t, "%s/%s/%s", e->project, e->domain, cache_task_name(e->name));
		table_add(&t, "%s", e->version);
		table_add(&t, "%s", e->tag);
		table_add(&t, "%s", created);
		table_add(&t, "%s", last);
		table_add(&t, "%llu", (unsigned long long)e->hit_count);
		table_add(&t, "%s", size);
	}
	rc = table_print(&t, stdout);
	table_dispose(&t);
	return rc;
}

int cache_ls(int argc, char **argv)
{
	struct ls_args args = {.filter = CACHET_CATALOG_FILTER_INIT};
	struct cache_ctx ctx = {0};
	cachet_catalog_entries list = CACHET_CATALOG_ENTRIES_INIT;
	int rc = parse_args(&args, false, argc, argv);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = cache_open(&ctx, args.common.home, CACHE_READ)) != CLI_OK)
		goto done;
	if (cachet_catalog_list(&list, ctx.cat, &args.filter, 0) < 0) {
		rc = cli_lib_error("cache ls");
		goto done;
	}
	rc = args.common.json ? print_entries_json(&list, 0) : print_table(&list);
done:
	cachet_catalog_entries_dispose(&list);
	cache_close(&ctx);
	return rc;
}

/* Print map as `literal show` does, each line indented by two spaces. */
static int print_indented_map(const cachet_literal_map *map)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int rc;

	if (mem == NULL)
		return cli_error("cannot show the outputs: %s", cli_strerror(errno));
	rc = cli_show_literal_map(mem, map);
	if (fclose(mem) != 0 && rc == CLI_OK)
		rc = cli_error("cannot show the outputs: %s", cli_strerror(errno));
	if (rc == CLI_OK) {
		for (char *line = text; *line;) {
			size_t n = strcspn(line, "\n");
			printf("  %.*s\n", (int)n, line);
			line += n + (line[n] == '\n');
		}
	}
	free(text);
	return rc;
}

static int print_entry(const cachet_catalog_entry *e)
{
	char created[32], last[32], size[32];

	cache_format_time(created, e->created_at_ms);
	cache_format_time(last, e->last_hit_at_ms);
	cache_format_size(size, e->size_bytes);
	printf("task          %s/%s/%s\n", e->project, e->domain, cache_task_name(e->name));
	printf("dataset       %s/%s/%s/%s\n", e->project, e->domain, e->name, e->version);
	if (e->task_version && *e->task_version)
		printf("task version  %s\n", e->task_version);
	printf("tag           %s\n", e->tag);
	printf("artifact      %s\n", e->artifact_id);
	printf("created       %s\n", created);
	printf("last hit      %s\n", last);
	printf("hits          %llu\n", (unsigned long long)e->hit_count);
	printf("size          %s (%llu bytes)\n", size, (unsigned long long)e->size_bytes);
	if ((e->execution_name && *e->execution_name) || (e->exec_node && *e->exec_node))
		printf("source        %s/%s/%s node %s attempt %d\n",
		       e->exec_project ? e->exec_project : "", e->exec_domain ? e->exec_domain : "",
		       e->execution_name ? e->execution_name : "", e->exec_node ? e->exec_node : "",
		       (int)e->exec_attempt);
	if (!e->inputs_recorded) {
		/* The put recorded no input hashes (a library caller may
		 * leave them out): say so rather than claim there were none. */
		printf("inputs        (none recorded)\n");
	} else if (e->n_inputs == 0) {
		printf("inputs        (none)\n");
	} else {
		printf("inputs\n");
		for (size_t i = 0; i < e->n_inputs; i++)
			printf("  %s  %s\n", e->inputs[i].name, e->inputs[i].hash);
	}
	if (e->outputs == NULL) {
		printf("outputs       (cannot be decoded)\n");
		return CLI_OK;
	}
	printf("outputs\n");
	return print_indented_map(e->outputs);
}

int cache_show(int argc, char **argv)
{
	struct ls_args args = {.filter = CACHET_CATALOG_FILTER_INIT};
	struct cache_ctx ctx = {0};
	cachet_catalog_entries list = CACHET_CATALOG_ENTRIES_INIT;
	const unsigned flags = CACHET_ENTRY_OUTPUTS | CACHET_ENTRY_INPUTS;
	int rc = parse_args(&args, true, argc, argv);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = cache_open(&ctx, args.common.home, CACHE_READ)) != CLI_OK)
		goto done;
	/* A tag first (tags all start "flyte_cached-"), then an artifact id. */
	args.filter.tag = args.what;
	rc = cachet_catalog_list(&list, ctx.cat, &args.filter, flags);
	if (rc == 0 && list.n == 0) {
		cachet_catalog_entries_dispose(&list);
		args.filter.tag = NULL;
		args.filter.artifact_id = args.what;
		rc = cachet_catalog_list(&list, ctx.cat, &args.filter, flags);
	}
	if (rc < 0) {
		rc = cli_lib_error("cache show");
		goto done;
	}
	if (args.common.json) {
		rc = print_entries_json(&list, flags);
		if (rc == CLI_OK && list.n == 0)
			rc = CLI_NO;
		goto done;
	}
	if (list.n == 0) {
		fprintf(stderr, "cachet: no entry has the tag or artifact id '%s'\n", args.what);
		rc = CLI_NO;
		goto done;
	}
	for (size_t i = 0; i < list.n && rc == CLI_OK; i++) {
		if (i > 0)
			putchar('\n');
		rc = print_entry(&list.entries[i]);
	}
done:
	cachet_catalog_entries_dispose(&list);
	cache_close(&ctx);
	return rc;
}
