/*
 * cachet offload: copy a local file, directory or dataset into the store
 * of the cachet home, hashing it on the way, and print its Literal.
 */
#include "cli.h"
#include "hash_options.h"
#include "progress.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cachet offload [--as file|directory|dataset] [--format F] [--prefix URI]\n"
	"                      [--digest sha256|xxh128] [--no-stat-cache] [--home DIR]\n"
	"                      [-j N] PATH\n"
	"\n"
	"Copies PATH into the store (<home>/store), hashing it in the same pass, and\n"
	"prints its Literal as protobuf JSON: a Blob (a file, or a directory as a\n"
	"multipart blob) or a StructuredDataset, with its uri and content hash.\n"
	"Files whose digest the stat cache knows are copied without being read.\n"
	"\n"
	"  --as KIND         file, directory or dataset (default: what PATH is)\n"
	"  --format F        the Literal's format, e.g. csv or parquet (default: none)\n"
	"  --prefix URI      where to put it: a URI under the store's root (default:\n"
	"                    a fresh <root>/<YYYYMMDD>-<random>/ for every run)\n"
	"  --digest D        sha256 (the default) or xxh128 (fast, not\n"
	"                    collision-resistant: for a cache one trusted user fills)\n"
	"  --no-stat-cache   hash every file, and remember nothing\n"
	"  --home DIR        the cachet home, which holds the store and the stat\n"
	"                    cache (default: $CACHET_HOME, else\n"
	"                    ${XDG_CACHE_HOME:-~/.cache}/cachet)\n"
	"  -j N              threads for a directory's files, 1 to 1024 (default: one\n"
	"                    per core)\n";

struct offload_args {
	struct hash_common_args common;
	cachet_offload_kind kind;
	const char *format, *prefix, *path;
};

static int parse_kind(cachet_offload_kind *out, const char *text)
{
	if (strcmp(text, "file") == 0)
		*out = CACHET_OFFLOAD_FILE;
	else if (strcmp(text, "directory") == 0)
		*out = CACHET_OFFLOAD_DIRECTORY;
	else if (strcmp(text, "dataset") == 0)
		*out = CACHET_OFFLOAD_DATASET;
	else
		return -1;
	return 0;
}

enum { OPT_AS = HASH_OPT_FIRST_, OPT_FORMAT, OPT_PREFIX };

static const struct option options[] = {
	{"as", required_argument, NULL, OPT_AS},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"prefix", required_argument, NULL, OPT_PREFIX},
	HASH_COMMON_OPTIONS,
	{NULL, 0, NULL, 0},
};

static const struct cli_options spec = {"offload", usage, "hj:", options};

static int on_option(void *payload, int opt, char *arg)
{
	struct offload_args *args = payload;

	switch (opt) {
	case OPT_AS:
		if (parse_kind(&args->kind, arg) < 0)
			return cli_error("offload: --as must be file, directory or dataset, not '%s'",
					 arg);
		break;
	case OPT_FORMAT: args->format = arg; break;
	case OPT_PREFIX: args->prefix = arg; break;
	default: return hash_common_option(&args->common, opt, arg);
	}
	return CLI_OK;
}

static int parse_args(struct offload_args *args, int argc, char **argv)
{
	int rc = cli_parse_options(&spec, argc, argv, on_option, args);

	if (rc != CLI_OK)
		return rc;
	if (optind >= argc)
		return cli_usage_error(usage, "offload: no PATH given");
	if (argc - optind > 1)
		return cli_usage_error(usage, "offload: one PATH at a time, got also '%s'",
				       argv[optind + 1]);
	args->path = argv[optind];
	return CLI_OK;
}

int cmd_offload(int argc, char **argv)
{
	struct offload_args args = {.common = HASH_ARGS_INIT("offload"), .kind = CACHET_OFFLOAD_AUTO};
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_store *store = NULL;
	cachet_stat_cache *sc = NULL;
	cachet_literal *lit = NULL;
	cli_progress *bar = NULL;
	char *home = NULL, *json = NULL;
	size_t len;
	int rc = parse_args(&args, argc, argv);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (cachet_home_resolve(&home, args.common.home) < 0) {
		rc = cli_lib_error(NULL);
		goto done;
	}
	if ((rc = cli_store_open(&store, home)) != CLI_OK)
		goto done;
	sc = hash_common_apply(&opts, &args.common, home, "offloading");
	opts.progress_payload = bar = cli_progress_new(args.path);
	int orc = cachet_offload_path(&lit, store, args.prefix, args.path, args.kind, args.format,
				      &opts);
	cli_progress_free(bar);
	if (orc < 0) {
		rc = cli_lib_error(NULL);
		goto done;
	}
	if (cachet_literal_encode(&json, &len, lit, CACHET_FORMAT_JSON, CACHET_JSON_PRETTY) < 0) {
		rc = cli_lib_error("cannot print the literal");
		goto done;
	}
	printf("%s\n", json);
	if (fflush(stdout) != 0)
		rc = cli_error("cannot write to standard output: %s", cli_strerror(errno));
done:
	cachet_free(json);
	cachet_literal_free(lit);
	cachet_store_free(store);
	cachet_stat_cache_free(sc);
	cachet_free(home);
	return rc;
}
