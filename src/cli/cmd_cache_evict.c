/*
 * cachet cache evict / gc: forgetting entries, and deleting the stored
 * data that no entry references any more.
 */
#include "cmd_cache.h"
#include "options.h"
#include "table.h"

static const char evict_usage[] =
	"usage: cachet cache evict [--tag TAG] [--artifact ID] [--task NAME [--version V]]\n"
	"                          [--project P] [--domain D] [--older-than DURATION]\n"
	"                          [--unused-for DURATION] [--max-size SIZE] [--all]\n"
	"                          [--dry-run] [--home DIR] [--json]\n"
	"\n"
	"Removes the entries that match every option given (their offloaded data\n"
	"stays until 'cachet cache gc'). At least one option must say what.\n"
	"\n"
	"  --tag TAG         the entries under this tag\n"
	"  --artifact ID     the entry of this artifact\n"
	"  --task NAME       the entries of this task (\"bar\" or \"flyte_task-bar\")\n"
	"  --version V       with --task: only this cache version (\"1.0\") or dataset\n"
	"                    version (\"1.0-<in8>-<out8>\", as 'cache ls' prints it)\n"
	"  --project P, --domain D   only entries of this project / domain\n"
	"  --older-than D    entries created more than D ago (e.g. 7d, 12h, 90m)\n"
	"  --unused-for D    entries neither created nor hit within D\n"
	"  --max-size SIZE   evict the least recently hit entries until all entries\n"
	"                    reference at most SIZE of offloaded data (K, M, G, T:\n"
	"                    powers of 1024)\n"
	"  --all             every entry (with --max-size: any entry may go)\n"
	"  --dry-run         list what would go, change nothing\n"
	"  --json            print {\"reason\", \"evicted\": [...], \"bytes\", ...}\n"
	CACHE_HOME_HELP;

static const char gc_usage[] =
	"usage: cachet cache gc [--dry-run] [--grace DURATION] [--home DIR] [--json]\n"
	"\n"
	"Deletes the objects in the store that no cached entry references and that\n"
	"were last written longer ago than the grace period, so that a run still\n"
	"writing its outputs is never robbed; then the leftovers of interrupted\n"
	"writes older than it.\n"
	"\n"
	"  --dry-run         list what would be deleted, delete nothing\n"
	"  --grace D         keep objects written within D (default 24h; e.g. 1h, 0)\n"
	"  --json            print {\"deleted\": [{\"uri\", \"size\"}], \"bytes\", ...}\n"
	CACHE_HOME_HELP;

enum {
	OPT_TAG = CACHE_OPT_FIRST_,
	OPT_ARTIFACT,
	OPT_TASK,
	OPT_VERSION,
	OPT_PROJECT,
	OPT_DOMAIN,
	OPT_OLDER_THAN,
	OPT_UNUSED_FOR,
	OPT_MAX_SIZE,
	OPT_ALL,
	OPT_DRY_RUN,
	OPT_GRACE
};

struct evict_args {
	struct cache_common_args common;
	bool is_gc; /* gc's options, not evict's */
	cachet_evict_options ev;
	cachet_catalog_filter filter; /* ev.filter */
	const char *version;
	cachet_gc_options gc;
};

static const struct option options[] = {
	CACHE_COMMON_OPTIONS,
	{"tag", required_argument, NULL, OPT_TAG},
	{"artifact", required_argument, NULL, OPT_ARTIFACT},
	{"task", required_argument, NULL, OPT_TASK},
	{"version", required_argument, NULL, OPT_VERSION},
	{"project", required_argument, NULL, OPT_PROJECT},
	{"domain", required_argument, NULL, OPT_DOMAIN},
	{"older-than", required_argument, NULL, OPT_OLDER_THAN},
	{"unused-for", required_argument, NULL, OPT_UNUSED_FOR},
	{"max-size", required_argument, NULL, OPT_MAX_SIZE},
	{"all", no_argument, NULL, OPT_ALL},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"grace", required_argument, NULL, OPT_GRACE},
	{NULL, 0, NULL, 0},
};

static int parse_duration(int64_t *ms, const char *cmd, const char *option, const char *text)
{
	if (cache_parse_duration(ms, text) < 0)
		return cli_error("%s: %s must be a duration such as 90s, 12h or 7d, not '%s'", cmd,
				 option, text);
	return CLI_OK;
}

static int on_option(void *payload, int opt, char *arg)
{
	struct evict_args *args = payload;
	const char *cmd = args->is_gc ? "cache gc" : "cache evict";
	cachet_catalog_filter *f = &args->filter;

	/* gc takes --grace and --dry-run; evict all but --grace. */
	if (opt >= CACHE_OPT_FIRST_ && opt != OPT_DRY_RUN && (opt == OPT_GRACE) != args->is_gc)
		return CLI_OPTION_REFUSED;
	switch (opt) {
	case OPT_TAG: f->tag = arg; break;
	case OPT_ARTIFACT: f->artifact_id = arg; break;
	case OPT_TASK: f->task = arg; break;
	case OPT_VERSION: args->version = arg; break;
	case OPT_PROJECT: f->project = arg; break;
	case OPT_DOMAIN: f->domain = arg; break;
	case OPT_OLDER_THAN:
		return parse_duration(&args->ev.older_than_ms, cmd, "--older-than", arg);
	case OPT_UNUSED_FOR:
		return parse_duration(&args->ev.unused_for_ms, cmd, "--unused-for", arg);
	case OPT_GRACE: return parse_duration(&args->gc.grace_ms, cmd, "--grace", arg);
	case OPT_MAX_SIZE:
		if (cache_parse_size(&args->ev.max_bytes, arg) < 0)
			return cli_error("%s: --max-size must be a size such as 500M, 2G or "
					 "1048576, not '%s'",
					 cmd, arg);
		args->ev.size_limit = true;
		break;
	case OPT_ALL: args->ev.all = true; break;
	case OPT_DRY_RUN: args->ev.dry_run = args->gc.dry_run = true; break;
	default: return cache_common_option(&args->common, opt, arg);
	}
	return CLI_OK;
}

static int parse_args(struct evict_args *args, bool gc, int argc, char **argv)
{
	const struct cli_options spec = {gc ? "cache gc" : "cache evict",
					 gc ? gc_usage : evict_usage, "h", options};
	cachet_catalog_filter *f = &args->filter;
	int rc;

	args->is_gc = gc;
	if ((rc = cli_parse_options(&spec, argc, argv, on_option, args)) != CLI_OK)
		return rc;
	if ((rc = cli_no_more_operands(&spec, argc, argv)) != CLI_OK || gc)
		return rc;
	if (args->version != NULL && f->task == NULL)
		return cli_error("%s: --version needs --task", spec.command);
	if (!f->tag && !f->artifact_id && !f->task && !f->project && !f->domain &&
	    !args->ev.older_than_ms && !args->ev.unused_for_ms && !args->ev.size_limit &&
	    !args->ev.all)
		return cli_usage_error(spec.usage,
				       "%s: say what to evict: --tag, --artifact, --task, "
				       "--older-than, --unused-for, --max-size or --all",
				       spec.command);
	return CLI_OK;
}

/*
 * --version V: a dataset version of the task ("1.0-<in8>-<out8>", as
 * `cache ls` prints it) when the task has one, else a cache version
 * ("1.0": every dataset version of it, whatever the interface). Asked of
 * the catalog rather than guessed from V's shape: a cache version such as
 * "r-20240501-0a1b2c3d" has that shape too.
 */
static int apply_version(cachet_catalog_filter *f, cachet_catalog *cat, const char *version)
{
	cachet_catalog_filter probe = CACHET_CATALOG_FILTER_INIT;
	cachet_catalog_entries list = CACHET_CATALOG_ENTRIES_INIT;

	probe.project = f->project;
	probe.domain = f->domain;
	probe.task = f->task;
	probe.dataset_version = version;
	probe.limit = 1;
	if (cachet_catalog_list(&list, cat, &probe, 0) < 0)
		return cli_lib_error("cache evict");
	if (list.n > 0)
		f->dataset_version = version;
	else
		f->cache_version = version;
	cachet_catalog_entries_dispose(&list);
	return CLI_OK;
}

static int print_evicted(const struct evict_args *args, const cachet_evict_result *ev)
{
	const cachet_catalog_entries *l = &ev->evicted;
	char bytes[32], remaining[32];
	int rc = CLI_OK;

	if (args->common.json) {
		json_t *list = json_array();
		json_t *obj = list ? json_pack("{s:b, s:s, s:o, s:I, s:I}", "dry_run",
					       args->ev.dry_run, "reason",
					       cachet_evict_reason_name(ev->reason), "evicted", list,
					       "bytes", (json_int_t)ev->bytes, "bytes_remaining",
					       (json_int_t)ev->bytes_remaining)
				   : NULL;
		for (size_t i = 0; obj && i < l->n; i++) {
			if (json_array_append_new(list, cache_entry_json(&l->entries[i], 0)) < 0) {
				json_decref(obj);
				obj = NULL;
			}
		}
		return cache_print_json(obj);
	}
	if (l->n > 0) {
		table t;
		table_init(&t, "lllr", "TASK", "VERSION", "TAG", "SIZE", NULL);
		for (size_t i = 0; i < l->n; i++) {
			const cachet_catalog_entry *e = &l->entries[i];
			char size[32];
			cache_format_size(size, e->size_bytes);
			table_add(&t, "%s/%s/%s", e->project, e->domain, cache_task_name(e->name));
			table_add(&t, "%s", e->version);
			table_add(&t, "%s", e->tag);
			table_add(&t, "%s", size);
		}
		rc = table_print(&t, stdout);
		table_dispose(&t);
	}
	cache_format_size(bytes, ev->bytes);
	cache_format_size(remaining, ev->bytes_remaining);
	printf("%s %zu %s (%s, reason %s); %s referenced by the entries %s\n",
	       args->ev.dry_run ? "would evict" : "evicted", l->n, l->n == 1 ? "entry" : "entries",
	       bytes, cachet_evict_reason_name(ev->reason), remaining,
	       args->ev.dry_run ? "that would be left" : "left");
	return rc;
}

int cache_evict(int argc, char **argv)
{
	struct evict_args args = {.ev = CACHET_EVICT_OPTIONS_INIT,
				  .filter = CACHET_CATALOG_FILTER_INIT};
	struct cache_ctx ctx = {0};
	cachet_evict_result ev = CACHET_EVICT_RESULT_INIT;
	int rc;

	args.ev.filter = &args.filter;
	rc = parse_args(&args, false, argc, argv);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = cache_open(&ctx, args.common.home,
			     args.ev.dry_run ? CACHE_READ : CACHE_WRITE)) != CLI_OK)
		goto done;
	if (args.version != NULL &&
	    (rc = apply_version(&args.filter, ctx.cat, args.version)) != CLI_OK)
		goto done;
	/* One call, whatever was selected: under --max-size the least
	 * recently used go first across all of it. */
	if (cachet_catalog_evict(&ev, ctx.cat, &args.ev) < 0)
		rc = cli_lib_error("cache evict");
	else
		rc = print_evicted(&args, &ev);
done:
	cachet_evict_result_dispose(&ev);
	cache_close(&ctx);
	return rc;
}

static int print_gc(const struct evict_args *args, const cachet_gc_result *res)
{
	char bytes[32];
	int rc = CLI_OK;

	if (args->common.json) {
		json_t *deleted = json_array();
		json_t *obj = deleted ? json_pack("{s:b, s:o, s:I, s:I, s:I, s:I}", "dry_run",
						  args->gc.dry_run, "deleted", deleted, "bytes",
						  (json_int_t)res->bytes, "kept", (json_int_t)res->n_kept,
						  "failed", (json_int_t)res->n_failed, "temporaries",
						  (json_int_t)res->n_temporaries)
				      : NULL;
		for (size_t i = 0; obj && i < res->n; i++) {
			if (json_array_append_new(deleted,
						  json_pack("{s:s, s:I}", "uri", res->uris[i], "size",
							    (json_int_t)res->sizes[i])) < 0) {
				json_decref(obj);
				obj = NULL;
			}
		}
		rc = cache_print_json(obj);
	} else {
		for (size_t i = 0; i < res->n; i++) {
			char size[32];
			cache_format_size(size, res->sizes[i]);
			printf("%s  %s\n", res->uris[i], size);
		}
		cache_format_size(bytes, res->bytes);
		printf("%s %zu %s (%s); kept %zu; %s %zu %s of interrupted writes\n",
		       args->gc.dry_run ? "would delete" : "deleted", res->n,
		       res->n == 1 ? "object" : "objects", bytes, res->n_kept,
		       args->gc.dry_run ? "would remove" : "removed", res->n_temporaries,
		       res->n_temporaries == 1 ? "leftover" : "leftovers");
	}
	if (rc == CLI_OK && res->n_failed > 0)
		rc = cli_error("cache gc: %zu %s could not be deleted", res->n_failed,
			       res->n_failed == 1 ? "object" : "objects");
	return rc;
}

int cache_gc(int argc, char **argv)
{
	struct evict_args args = {.gc = CACHET_GC_OPTIONS_INIT};
	struct cache_ctx ctx = {0};
	cachet_gc_result res = CACHET_GC_RESULT_INIT;
	int rc = parse_args(&args, true, argc, argv);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = cache_open(&ctx, args.common.home, CACHE_WRITE)) != CLI_OK)
		goto done;
	if (cachet_catalog_gc(&res, ctx.cat, &args.gc) < 0)
		rc = cli_lib_error("cache gc");
	else
		rc = print_gc(&args, &res);
done:
	cachet_gc_result_dispose(&res);
	cache_close(&ctx);
	return rc;
}
