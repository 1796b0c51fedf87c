/*
 * bench_json_decode: the memory and time of decoding a large LiteralMap in
 * protobuf JSON, for three shapes of map. Each case runs in its own child
 * process, so that its peak resident size is its own. Prints a table; it
 * measures, it does not judge.
 *
 *   bench_json_decode [MiB of JSON per case]     (default 30)
 *   bench_json_decode --write SHAPE MIB >FILE    the text of one case, to
 *                                                measure the CLI on it
 *
 * Shapes:
 *   ints     one collection of integer literals
 *   mixed    a collection of mixed primitives, a map of strings and a
 *            Struct of records, in equal parts
 *   generic  one Struct holding a list of records {id, name, score, tags, ok}
 *
 * "peak - text" is the peak resident size less the size before decoding
 * (the program and the JSON text): what decoding itself costs. The same
 * figure for the whole CLI is `/usr/bin/time -v cachet literal show FILE`,
 * "Maximum resident set size" (docs/json-mapping.md).
 */
#include "cachet/codec.h"

#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "bench_json_decode: %s: %s\n", what, cachet_error_last()->message);
	exit(1);
}

static void put(cachet_buf *b, const char *text)
{
	if (cachet__buf_puts(b, text) < 0)
		die("building the text");
}

/* The text with "%zu" replaced by i. */
static void put_n(cachet_buf *b, const char *before, size_t i, const char *after)
{
	put(b, before);
	if (cachet__buf_printf(b, "%zu", i) < 0)
		die("building the text");
	put(b, after);
}

static void primitive(cachet_buf *b, size_t i)
{
	switch (i % 4) {
	case 0: put_n(b, "{\"scalar\":{\"primitive\":{\"integer\":\"", i, "\"}}}"); break;
	case 1: put_n(b, "{\"scalar\":{\"primitive\":{\"floatValue\":", i, ".25}}}"); break;
	case 2: put_n(b, "{\"scalar\":{\"primitive\":{\"stringValue\":\"sample-", i, "\"}}}"); break;
	default: put(b, "{\"scalar\":{\"primitive\":{\"boolean\":true}}}"); break;
	}
}

static void record(cachet_buf *b, size_t i)
{
	put_n(b, "{\"id\":", i, ",");
	put_n(b, "\"name\":\"row-", i, "\",");
	put_n(b, "\"score\":", i, ".5,\"tags\":[\"a\",\"b\"],\"ok\":true}");
}

/* A JSON array or object of elements made by `one`, up to `bytes` long. */
static void items(cachet_buf *b, size_t bytes, bool keyed, void (*one)(cachet_buf *, size_t))
{
	size_t start = b->len;
	put(b, keyed ? "{" : "[");
	for (size_t i = 0; b->len - start < bytes; i++) {
		if (i > 0)
			put(b, ",");
		if (keyed)
			put_n(b, "\"key", i, "\":");
		one(b, i);
	}
	put(b, keyed ? "}" : "]");
}

static void string_literal(cachet_buf *b, size_t i)
{
	put_n(b, "{\"scalar\":{\"primitive\":{\"stringValue\":\"v", i, "\"}}}");
}

static void build(cachet_buf *b, const char *shape, size_t bytes)
{
	put(b, "{\"literals\":{");
	if (strcmp(shape, "ints") == 0) {
		put(b, "\"xs\":{\"collection\":{\"literals\":[");
		for (size_t i = 0; b->len < bytes; i++) {
			if (i > 0)
				put(b, ",");
			put_n(b, "{\"scalar\":{\"primitive\":{\"integer\":\"", i, "\"}}}");
		}
		put(b, "]}}");
	} else if (strcmp(shape, "mixed") == 0) {
		put(b, "\"xs\":{\"collection\":{\"literals\":");
		items(b, bytes / 3, false, primitive);
		put(b, "}},\"names\":{\"map\":{\"literals\":");
		items(b, bytes / 3, true, string_literal);
		put(b, "}},\"rows\":{\"scalar\":{\"generic\":{\"rows\":");
		items(b, bytes / 3, false, record);
		put(b, "}}}");
	} else {
		put(b, "\"rows\":{\"scalar\":{\"generic\":{\"rows\":");
		items(b, bytes, false, record);
		put(b, "}}}");
	}
	put(b, "}}");
}

static double peak_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

static void run_case(const char *shape, size_t bytes)
{
	cachet_buf text = CACHET_BUF_INIT;
	cachet_literal_map *map = NULL;
	struct timespec t0, t1;

	build(&text, shape, bytes);
	double before = peak_mb();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cachet_literal_map_decode(&map, text.ptr, text.len, CACHET_FORMAT_JSON) < 0)
		die(shape);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double cost = peak_mb() - before;
	double mb = (double)text.len / (1 << 20);
	printf("%-8s  %8.1f  %12.0f  %10.1f  %8.2f\n", shape, mb, cost, cost / mb,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
	cachet_literal_map_free(map);
	cachet__buf_dispose(&text);
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_json_decode [MiB of JSON per case]\n"
			"       bench_json_decode --write ints|mixed|generic MIB >FILE\n");
	return 2;
}

static int write_case(const char *shape, double mb)
{
	cachet_buf text = CACHET_BUF_INIT;

	if (mb <= 0 || (strcmp(shape, "ints") && strcmp(shape, "mixed") && strcmp(shape, "generic")))
		return usage();
	build(&text, shape, (size_t)(mb * (1 << 20)));
	int ok = fwrite(text.ptr, 1, text.len, stdout) == text.len && fflush(stdout) == 0;
	cachet__buf_dispose(&text);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const char *const shapes[] = {"ints", "mixed", "generic"};

	if (argc == 4 && strcmp(argv[1], "--write") == 0)
		return write_case(argv[2], atof(argv[3]));
	double mb = argc > 1 ? atof(argv[1]) : 30;
	if (argc > 2 || mb <= 0)
		return usage();
	cachet_set_max_input(0x7fffffff);
	printf("%-8s  %8s  %12s  %10s  %8s\n", "shape", "MiB", "peak - text", "per MiB", "seconds");
	fflush(stdout);
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("bench_json_decode: fork");
			return 1;
		}
		if (pid == 0) {
			run_case(shapes[i], (size_t)(mb * (1 << 20)));
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return 1;
	}
	return 0;
}
