/* fuzz: cli-include cmd_run.c */
/*
 * The CLI's argument parsers, without running any command: the first
 * byte picks the parser, the rest, cut at NUL bytes, are the arguments.
 *
 *   0  `cachet run`'s options (its parse_args)
 *   1  the task options of `cachet key` and `cachet cache get/put/explain`
 *      (task_args_set and task_args_check, through getopt_long as those
 *      commands call it)
 *   2  durations (--max-age, --older-than), 3 sizes (--max-size)
 *   4  -j thread counts, 5 --format and --type names
 *   6  the cache version inside a dataset version
 *
 * `cachet run`'s parser is static in src/cli/cmd_run.c, so this file
 * includes that file rather than linking it.
 */
#include "fuzz.h"

#include "cmd_cache.h"
#include "task_args.h"

#include "cmd_run.c"

static void parse_run(int argc, char **argv)
{
	struct run_args a = {0};
	int rc = parse_args(&a, argc, argv);

	FUZZ_CHECK(rc == CLI_OK || rc == CLI_FAIL || rc == -1, "run: parse_args returned %d", rc);
	if (rc == CLI_OK) {
		FUZZ_CHECK(a.workflow != NULL, "run: parsed without a workflow file");
		FUZZ_CHECK(!(a.overwrite && a.no_cache), "run: both --overwrite-cache and --no-cache");
		for (size_t i = 0; i < a.n_inputs; i++)
			FUZZ_CHECK(a.inputs[i] != NULL, "run: -i %zu is NULL", i);
	}
	free(a.inputs);
}

/* As `cachet key` parses: the shared task options, then the check. */
static void parse_task(int argc, char **argv)
{
	static const struct option options[] = {
		TASK_ARGS_OPTIONS,
		{"json", no_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct task_args ta = {0};
	int c, rc = CLI_OK;

	optind = 1;
	while (rc == CLI_OK && (c = getopt_long(argc, argv, "h", options, NULL)) != -1)
		if (task_args_is_option(c))
			rc = task_args_set(&ta, "key", c, optarg);
	if (rc == CLI_OK)
		rc = task_args_check(&ta, "key", "usage: key\n", "--outputs",
				     optind < argc ? argv[optind] : NULL);
	if (rc == CLI_OK)
		FUZZ_CHECK(ta.task_path != NULL ||
				   (ta.project && ta.domain && ta.name && ta.cache_version),
			   "task options checked without --task or all four");
	if (rc == CLI_OK && ta.task_path != NULL)
		FUZZ_CHECK(!ta.project && !ta.domain && !ta.name && !ta.cache_version &&
				   !ta.interface_path,
			   "task options checked with --task and what it stands for");
	for (size_t i = 0; i < ta.n_ignore; i++)
		FUZZ_CHECK(strchr(ta.ignore[i], ',') == NULL, "--ignore kept an unsplit name '%s'",
			   ta.ignore[i]);
	task_args_dispose(&ta);
}

static void parse_word(int parser, const char *text)
{
	int64_t ms;
	uint64_t bytes;
	unsigned threads;
	size_t cap = strlen(text) + 1;
	char *version = malloc(cap);

	if (version == NULL)
		abort();
	switch (parser) {
	case 2:
		if (cache_parse_duration(&ms, text) == 0)
			FUZZ_CHECK(ms >= 0, "duration '%s' read as %lld ms", text, (long long)ms);
		break;
	case 3: cache_parse_size(&bytes, text); break;
	case 4:
		if (cli_parse_jobs("fuzz", text, &threads) == CLI_OK)
			FUZZ_CHECK(threads >= 1 && threads <= CLI_JOBS_MAX, "-j '%s' read as %u",
				   text, threads);
		break;
	case 5:
		FUZZ_CHECK(cli_parse_format(text) >= -1 && cli_parse_format(text) <= CACHET_FORMAT_JSON,
			   "format '%s' read as %d", text, cli_parse_format(text));
		FUZZ_CHECK(cli_parse_message_type(text) >= -1 &&
				   cli_parse_message_type(text) <= CLI_TYPE_TYPE,
			   "message type '%s' read as %d", text, cli_parse_message_type(text));
		break;
	case 6:
		if (cache_version_of(version, cap, text))
			FUZZ_CHECK(strncmp(version, text, strlen(version)) == 0,
				   "cache version '%s' is not a prefix of '%s'", version, text);
		break;
	}
	free(version);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int parser = data[0] % 7, argc;
	char **argv = fuzz_argv_split(data + 1, size - 1, '\0',
				      parser == 0 ? "run" : "key", &argc);

	fuzz_getopt_reset();
	switch (parser) {
	case 0: parse_run(argc, argv); break;
	case 1: parse_task(argc, argv); break;
	default:
		for (int i = 1; i < argc; i++)
			parse_word(parser, argv[i]);
	}
	fuzz_argv_free(argv);
	return 0;
}
