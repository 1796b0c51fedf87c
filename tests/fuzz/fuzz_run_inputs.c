/* fuzz: cli-include cmd_run.c */
/*
 * The `cachet run -i NAME=VALUE` parser: each line of the input is one
 * -i argument, parsed by `cachet run`'s own option parser and read by the
 * declared type of NAME in a workflow that has an input of every type
 * (cachet_literal_from_text behind it).
 *
 * The parser is static in src/cli/cmd_run.c, so this file includes that
 * file rather than linking it (cmake/CachetFuzz.cmake leaves it out of the
 * CLI sources it links).
 */
#include "fuzz.h"

#include "cmd_run.c"

static const char workflow_yaml[] =
	"workflow: every_type\n"
	"inputs:\n"
	"  i: int\n"
	"  f: float\n"
	"  s: str\n"
	"  b: bool\n"
	"  t: datetime\n"
	"  d: duration\n"
	"  n: none\n"
	"  file: file(csv)\n"
	"  dir: directory\n"
	"  ds: dataset(parquet)\n"
	"  li: list of int\n"
	"  lm: list of map of float\n"
	"  ms: map of str\n"
	"  lt: list of datetime\n"
	"  u: union(int|none|str)\n"
	"  e: enum(red|green)\n"
	"  ul: union(list of bool|map of duration)\n";

static cachet_workflow *workflow;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (cachet_workflow_load_buffer(&workflow, workflow_yaml, sizeof workflow_yaml - 1,
					"every_type.yaml", NULL, NULL) < 0)
		fuzz_fail("loading the workflow of every type");
	return 0;
}

/* A value read by its declared type has that type's kind. */
static void check_value(const char *name, const cachet_literal *lit)
{
	uint8_t hash[CACHET_HASH_LEN];

	FUZZ_CHECK(lit != NULL && lit->kind != CACHET_LITERAL_NOT_SET, "input '%s' has no value",
		   name);
	if (strcmp(name, "i") == 0)
		FUZZ_CHECK(lit->kind == CACHET_LITERAL_SCALAR &&
				   lit->scalar->kind == CACHET_SCALAR_PRIMITIVE &&
				   lit->scalar->primitive->kind == CACHET_PRIMITIVE_INTEGER,
			   "an int input read as something else");
	if (strcmp(name, "li") == 0 || strcmp(name, "lm") == 0 || strcmp(name, "lt") == 0)
		FUZZ_CHECK(lit->kind == CACHET_LITERAL_COLLECTION,
			   "a list input read as something else");
	if (strcmp(name, "ms") == 0)
		FUZZ_CHECK(lit->kind == CACHET_LITERAL_MAP, "a map input read as something else");
	int rc = cachet_pbhash_literal(hash, lit);
	if (rc < 0)
		fuzz_check_refusal(rc, "pbhash of an input");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* lines end with '\n'; an empty input is no -i at all */
	if (size > 0 && data[size - 1] == '\n')
		size--;
	int split_argc;
	char **split = fuzz_argv_split(data, size, '\n', "", &split_argc);
	size_t n_lines = size == 0 ? 0 : (size_t)split_argc - 1; /* split[1..] */
	/* run -i LINE ... every_type.yaml */
	char **argv = calloc(2 * n_lines + 3, sizeof *argv);
	char arg0[] = "run", opt[] = "-i", file[] = "every_type.yaml";
	struct run_args a = {0};
	cachet_literal_map *map = NULL;
	int argc = 0;

	if (argv == NULL)
		abort();
	argv[argc++] = arg0;
	for (size_t i = 0; i < n_lines; i++) {
		argv[argc++] = opt;
		argv[argc++] = split[i + 1];
	}
	argv[argc++] = file;

	fuzz_getopt_reset();
	int rc = parse_args(&a, argc, argv);
	FUZZ_CHECK(rc == CLI_OK, "-i arguments were refused by the option parser");
	FUZZ_CHECK(a.n_inputs == n_lines, "%zu -i options read as %zu", n_lines, a.n_inputs);
	if (read_inputs(&map, workflow, &a) == CLI_OK) {
		FUZZ_CHECK(map->n_literals == a.n_inputs, "%zu inputs read as %zu", a.n_inputs,
			   map->n_literals);
		for (size_t i = 0; i < map->n_literals; i++)
			check_value(map->literals[i].key, map->literals[i].value);
		cachet_literal_map_free(map);
	}
	free(a.inputs);
	free(argv);
	fuzz_argv_free(split);
	return 0;
}
