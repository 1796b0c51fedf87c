/*
 * bench_workflow_load: how long loading and validating a generated
 * 10,000-node workflow file takes (the goal: under 1 s), in three
 * shapes, and how that time splits between reading the YAML and building
 * plus validating the graph. It measures, it does not judge.
 *
 *   bench_workflow_load [nodes] [repeats]     (default 10000 and 5)
 *
 * Each case writes its file to a temporary directory, then loads it
 * `repeats` times and prints the fastest and the median time.
 */
#include "cachet/workflow.h"
#include "workflow/yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_workflow_load: %s: %s\n", what, cachet_error_last()->message);
	exit(1);
}

typedef enum shape { CHAIN, FAN_OUT, DIAMONDS } shape;

/*
 * A workflow of n nodes over two tasks:
 *   CHAIN     n_i reads n_{i-1}
 *   FAN_OUT   every node reads n_0
 *   DIAMONDS  n_i reads n_{i-1} and n_{i/2} (two bindings to upstream nodes)
 * Nodes are written in the file's order, typed, with cached tasks, as a
 * real generated pipeline would be.
 */
static char *generate(shape s, size_t n, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	if (f == NULL)
		die("open_memstream");
	fprintf(f, "workflow: bench\n"
		   "project: bench\n"
		   "inputs:\n"
		   "  seed: {type: int, default: 1}\n"
		   "  label: {type: str, default: run}\n"
		   "outputs:\n"
		   "  last: \"{{n%zu.outputs.y}}\"\n"
		   "tasks:\n"
		   "  one:\n"
		   "    inputs: {x: int, label: str}\n"
		   "    outputs: {y: int, df: dataset(csv)}\n"
		   "    cache: {version: \"1.0\"}\n"
		   "    command: [sh, -c, 'echo $(($0 + 1)) > \"$1\"; : > \"$2\"', "
		   "\"{{inputs.x}}\", \"{{outputs.y}}\", \"{{outputs.df}}\"]\n"
		   "  two:\n"
		   "    inputs: {x: int, z: int, df: dataset(csv)}\n"
		   "    outputs: {y: int, df: dataset(csv)}\n"
		   "    cache: {version: \"1.0\", serializable: true}\n"
		   "    timeout: 1m\n"
		   "    command: [sh, -c, 'echo $(($0 + $1)) > \"$2\"; cp \"$3\" \"$4\"', "
		   "\"{{inputs.x}}\", \"{{inputs.z}}\", \"{{outputs.y}}\", \"{{inputs.df}}\", "
		   "\"{{outputs.df}}\"]\n"
		   "nodes:\n",
		n - 1);
	fprintf(f, "  n0:\n    task: one\n    inputs:\n      x: \"{{inputs.seed}}\"\n"
		   "      label: \"{{inputs.label}}\"\n");
	for (size_t i = 1; i < n; i++) {
		size_t a = s == FAN_OUT ? 0 : i - 1;
		size_t b = s == DIAMONDS ? i / 2 : a;
		fprintf(f,
			"  n%zu:\n"
			"    task: two\n"
			"    inputs:\n"
			"      x: \"{{n%zu.outputs.y}}\"\n"
			"      z: %s\n"
			"      df: \"{{n%zu.outputs.df}}\"\n",
			i, a, s == DIAMONDS ? "\"{{n0.outputs.y}}\"" : "7", b);
	}
	if (fclose(f) != 0)
		die("generating");
	return text;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void run_case(const char *name, shape s, size_t nodes, int repeats)
{
	char dir[] = "/tmp/cachet-bench-XXXXXX", path[64];
	size_t len;
	char *text = generate(s, nodes, &len);
	double *parse = calloc((size_t)repeats, sizeof *parse);
	double *load = calloc((size_t)repeats, sizeof *load);

	if (parse == NULL || load == NULL || mkdtemp(dir) == NULL)
		die("setting up");
	snprintf(path, sizeof path, "%s/wf.yaml", dir);
	FILE *f = fopen(path, "w");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		die("writing the workflow file");

	for (int r = 0; r < repeats; r++) {
		cachet__yaml_tree *tree;
		double t0 = now_ms();
		if (cachet__yaml_parse(&tree, text, len, "wf.yaml") < 0)
			die("parsing");
		parse[r] = now_ms() - t0;
		cachet__yaml_tree_free(tree);

		cachet_workflow *wf;
		t0 = now_ms();
		if (cachet_workflow_load(&wf, path, NULL) < 0)
			die("loading");
		load[r] = now_ms() - t0;
		if (cachet_workflow_node_count(wf) != nodes)
			die("counting nodes");
		cachet_workflow_free(wf);
	}
	qsort(parse, (size_t)repeats, sizeof *parse, compare);
	qsort(load, (size_t)repeats, sizeof *load, compare);
	printf("%-9s %7zu %8.1f  %9.1f %9.1f  %12.1f\n", name, nodes, (double)len / (1 << 20),
	       load[0], load[repeats / 2], parse[repeats / 2]);
	unlink(path);
	rmdir(dir);
	free(parse);
	free(load);
	free(text);
}

int main(int argc, char **argv)
{
	size_t nodes = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 10000;
	int repeats = argc > 2 ? atoi(argv[2]) : 5;

	if (nodes < 2 || repeats < 1) {
		fprintf(stderr, "usage: bench_workflow_load [nodes >= 2] [repeats >= 1]\n");
		return 2;
	}
	printf("loading and validating a generated workflow file (cachet_workflow_load),\n"
	       "fastest and median of %d; the YAML tree alone for comparison\n\n",
	       repeats);
	printf("%-9s %7s %8s  %9s %9s  %12s\n", "shape", "nodes", "MiB", "min ms", "median ms",
	       "yaml tree ms");
	run_case("chain", CHAIN, nodes, repeats);
	run_case("fan-out", FAN_OUT, nodes, repeats);
	run_case("diamonds", DIAMONDS, nodes, repeats);
	return 0;
}
