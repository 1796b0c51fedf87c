/*
 * cachet hash: print the content hash of files and directories, the way
 * sha256sum prints digests, through the stat cache in the cachet home.
 */
#include "cli.h"
#include "hash_options.h"
#include "progress.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cachet hash [--json] [--no-stat-cache] [--digest sha256|xxh128]\n"
	"                   [--home DIR] [-j N] PATH...\n"
	"\n"
	"Prints '<hash>  <path>' for each PATH: 'sha256:<hex>' for a file (the\n"
	"digest sha256sum prints), 'sha256-dir:<hex>' for a directory (see\n"
	"docs/hashing.md).\n"
	"\n"
	"  --json            print one JSON array of {\"path\", \"hash\"} objects\n"
	"  --no-stat-cache   read every file, and remember nothing\n"
	"  --digest D        sha256 (the default) or xxh128 (fast, not\n"
	"                    collision-resistant: for a cache one trusted user fills)\n"
	"  --home DIR        the cachet home, which holds the stat cache\n"
	"                    (default: $CACHET_HOME, else ${XDG_CACHE_HOME:-~/.cache}/cachet)\n"
	"  -j N              threads for a directory's files, 1 to 1024 (default: one\n"
	"                    per core)\n";

struct hash_args {
	struct hash_common_args common;
	bool json;
	char **paths;
	int n_paths;
};

enum { OPT_JSON = HASH_OPT_FIRST_ };

static const struct option options[] = {
	{"json", no_argument, NULL, OPT_JSON},
	HASH_COMMON_OPTIONS,
	{NULL, 0, NULL, 0},
};

static const struct cli_options spec = {"hash", usage, "hj:", options};

static int on_option(void *payload, int opt, char *arg)
{
	struct hash_args *args = payload;

	if (opt != OPT_JSON)
		return hash_common_option(&args->common, opt, arg);
	args->json = true;
	return CLI_OK;
}

static int parse_args(struct hash_args *args, int argc, char **argv)
{
	int rc = cli_parse_options(&spec, argc, argv, on_option, args);

	if (rc != CLI_OK)
		return rc;
	if (optind >= argc)
		return cli_usage_error(usage, "hash: no PATH given");
	args->paths = argv + optind;
	args->n_paths = argc - optind;
	return CLI_OK;
}

/* One line as sha256sum prints it: a name with a backslash or a newline
 * is escaped, and the line starts with a backslash to say so. */
static void print_line(const char *hash, const char *path)
{
	if (strpbrk(path, "\\\n") == NULL) {
		printf("%s  %s\n", hash, path);
	} else {
		printf("\\%s  ", hash);
		for (const char *p = path; *p; p++) {
			if (*p == '\\')
				fputs("\\\\", stdout);
			else if (*p == '\n')
				fputs("\\n", stdout);
			else
				putchar(*p);
		}
		putchar('\n');
	}
	fflush(stdout);
}

int cmd_hash(int argc, char **argv)
{
	struct hash_args args = {.common = HASH_ARGS_INIT("hash")};
	cachet_hash_options opts = CACHET_HASH_OPTIONS_INIT;
	cachet_stat_cache *sc = NULL;
	json_t *results = NULL;
	int rc = parse_args(&args, argc, argv);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	sc = hash_common_apply(&opts, &args.common, args.common.home, "hashing");
	if (args.json && (results = json_array()) == NULL) {
		rc = cli_error("out of memory");
		goto done;
	}

	for (int i = 0; i < args.n_paths; i++) {
		const char *path = args.paths[i];
		cli_progress *bar = cli_progress_new(path);
		char *hash = NULL;

		opts.progress_payload = bar;
		int hrc = cachet_hash_path(&hash, path, &opts);
		cli_progress_free(bar);
		if (hrc < 0) {
			rc = cli_lib_error(NULL);
			continue;
		}
		if (!args.json) {
			print_line(hash, path);
		} else {
			/* JSON strings are UTF-8: a path that is not cannot be
			 * printed in JSON */
			json_t *p = json_string(path);
			if (p == NULL) {
				rc = cli_error("cannot print '%s' in JSON: the path is not UTF-8",
					       path);
			} else if (json_array_append_new(
					   results, json_pack("{s:o, s:s}", "path", p, "hash", hash)) <
				   0) {
				rc = cli_error("out of memory");
			}
		}
		cachet_free(hash);
	}
	if (results) {
		char *text = json_dumps(results, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text == NULL) {
			rc = cli_error("cannot format the hashes as JSON");
		} else {
			printf("%s\n", text);
			free(text);
		}
	}
done:
	json_decref(results);
	cachet_stat_cache_free(sc);
	return rc;
}
