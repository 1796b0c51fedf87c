/*
 * cachet store: look after the store of the cachet home: list what it
 * holds, and remove what failed or interrupted writes left behind.
 */
#include "cli.h"
#include "options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cachet store ls [--home DIR] [PREFIX]\n"
	"       cachet store cleanup [--older-than AGE] [--home DIR]\n"
	"\n"
	"  ls        print '<size>  <uri>' for every object under PREFIX (a URI under\n"
	"            the store's root; default: the whole store), sorted by URI\n"
	"  cleanup   remove the temporary files of failed or interrupted writes that\n"
	"            are at least AGE old: N seconds, or N followed by s, m, h or d\n"
	"            (default: 1d; 0 removes all of them, which is safe only when\n"
	"            nothing is writing to the store)\n"
	"\n"
	"  --home DIR        the cachet home (default: $CACHET_HOME, else\n"
	"                    ${XDG_CACHE_HOME:-~/.cache}/cachet)\n";

/* "90", "90s", "15m", "2h", "1d" -> seconds; -1 when malformed. */
static int64_t parse_age(const char *text)
{
	char *end;
	errno = 0;
	if (text[0] < '0' || text[0] > '9')
		return -1;
	unsigned long long n = strtoull(text, &end, 10);
	int64_t unit = 1;
	if (*end != '\0') {
		switch (*end) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (errno || n > (unsigned long long)(INT64_MAX / unit))
		return -1;
	return (int64_t)n * unit;
}

struct entry {
	char *uri;
	uint64_t size;
};

struct entries {
	struct entry *items;
	size_t n, cap;
};

static int collect(const char *uri, const cachet_store_stat *st, void *payload)
{
	struct entries *e = payload;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct entry *grown = realloc(e->items, cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		e->items = grown;
		e->cap = cap;
	}
	if ((e->items[e->n].uri = strdup(uri)) == NULL)
		return -1;
	e->items[e->n++].size = st->size;
	return 0;
}

static int by_uri(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->uri, ((const struct entry *)b)->uri);
}

static int do_ls(cachet_store *store, const char *prefix)
{
	struct entries e = {0};
	int rc = CLI_OK;

	int lrc = cachet_store_list(store, prefix ? prefix : cachet_store_root(store), collect, &e);
	if (lrc == -1)
		rc = cli_error("store ls: out of memory");
	else if (lrc < 0)
		rc = cli_lib_error(NULL);
	if (rc == CLI_OK) {
		if (e.n > 1)
			qsort(e.items, e.n, sizeof *e.items, by_uri);
		for (size_t i = 0; i < e.n; i++)
			printf("%" PRIu64 "  %s\n", e.items[i].size, e.items[i].uri);
	}
	for (size_t i = 0; i < e.n; i++)
		free(e.items[i].uri);
	free(e.items);
	return rc;
}

enum { OPT_HOME = 256, OPT_OLDER };

static const struct option options[] = {
	{"home", required_argument, NULL, OPT_HOME},
	{"older-than", required_argument, NULL, OPT_OLDER},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct store_args {
	const char *sub; /* "ls" or "cleanup" */
	const char *home;
	int64_t older_than;
};

static int on_option(void *payload, int opt, char *arg)
{
	struct store_args *args = payload;

	switch (opt) {
	case OPT_HOME: args->home = arg; break;
	case OPT_OLDER:
		if (strcmp(args->sub, "cleanup") != 0)
			return cli_usage_error(usage, "store %s: unknown option '--older-than'",
					       args->sub);
		if ((args->older_than = parse_age(arg)) < 0)
			return cli_error("store cleanup: --older-than must be a number of seconds, "
					 "or a number followed by s, m, h or d, not '%s'",
					 arg);
		break;
	default: return CLI_OPTION_REFUSED;
	}
	return CLI_OK;
}

int cmd_store(int argc, char **argv)
{
	struct store_args args = {.older_than = 86400};
	cachet_store *store = NULL;
	char *home = NULL;
	int rc = CLI_OK;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc < 2)
			return cli_usage(usage);
		fputs(usage, stdout);
		return CLI_OK;
	}
	args.sub = argv[1];
	if (strcmp(args.sub, "ls") != 0 && strcmp(args.sub, "cleanup") != 0)
		return cli_usage_error(usage, "store: unknown subcommand '%s'", args.sub);
	/* from here on argv[0] is the subcommand */
	argc--;
	argv++;
	bool is_ls = strcmp(args.sub, "ls") == 0;
	const struct cli_options spec = {is_ls ? "store ls" : "store cleanup", usage, "h", options};
	if ((rc = cli_parse_options(&spec, argc, argv, on_option, &args)) != CLI_OK)
		return rc == CLI_HELP ? CLI_OK : rc;
	int max_args = is_ls ? 1 : 0;
	if (argc - optind > max_args)
		return cli_usage_error(usage, "store %s: unexpected argument '%s'", args.sub,
				       argv[optind + max_args]);
	if (cachet_home_resolve(&home, args.home) < 0) {
		rc = cli_lib_error(NULL);
		goto done;
	}
	if ((rc = cli_store_open(&store, home)) != CLI_OK)
		goto done;
	if (is_ls) {
		rc = do_ls(store, optind < argc ? argv[optind] : NULL);
	} else {
		size_t removed = 0;
		if (cachet_store_cleanup(store, args.older_than, &removed) < 0) {
			rc = cli_lib_error(NULL);
			goto done;
		}
		printf("removed %zu temporary file%s\n", removed, removed == 1 ? "" : "s");
	}
done:
	cachet_store_free(store);
	cachet_free(home);
	return rc;
}
