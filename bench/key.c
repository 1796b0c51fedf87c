/*
 * bench_key: how many tags per second cachet_tag computes, for a task with
 * 10 mixed inputs and for one with 1,000. Prints a table; it measures, it
 * does not judge.
 *
 *   bench_key [seconds per case]     (default 1)
 */
#include "cachet/key.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void die(const char *what)
{
	fprintf(stderr, "bench_key: %s: %s\n", what, cachet_error_last()->message);
	exit(1);
}

static cachet_literal *check(cachet_literal *lit)
{
	if (lit == NULL)
		die("building a literal");
	return lit;
}

static cachet_literal *hashed(cachet_literal *lit, const char *hash)
{
	if (cachet_literal_set_hash(check(lit), hash) < 0)
		die("setting a hash");
	return lit;
}

/* The i-th input: the kinds a real task passes, in turn. */
static cachet_literal *input(size_t i)
{
	char text[96];
	cachet_literal *lit;

	switch (i % 10) {
	case 0:
	case 1:
		return check(cachet_literal_new_integer((int64_t)i * 7919));
	case 2:
	case 3:
		return check(cachet_literal_new_float((double)i / 3.0));
	case 4:
		snprintf(text, sizeof(text), "a string input, number %zu", i);
		return check(cachet_literal_new_string(text));
	case 5:
		snprintf(text, sizeof(text), "s3://bucket/run/%zu/data.csv", i);
		lit = cachet_literal_new_blob(text, "csv", 0);
		snprintf(text, sizeof(text), "sha256:%060zu", i);
		return hashed(lit, text);
	case 6:
		snprintf(text, sizeof(text), "s3://bucket/run/%zu/df", i);
		lit = cachet_literal_new_dataset(text, "parquet");
		snprintf(text, sizeof(text), "sha256:%060zu", i + 1);
		return hashed(lit, text);
	case 7:
		lit = check(cachet_literal_new_collection());
		for (int k = 0; k < 5; k++)
			if (cachet_literal_collection_append(lit, check(cachet_literal_new_integer(k))) < 0)
				die("building a collection");
		return lit;
	case 8:
		lit = check(cachet_literal_new_map());
		for (int k = 0; k < 3; k++) {
			snprintf(text, sizeof(text), "key%d", k);
			if (cachet_literal_map_set(lit->map, text, check(cachet_literal_new_string(text))) < 0)
				die("building a map");
		}
		return lit;
	default:
		return check(cachet_literal_new_datetime(
			(cachet_timestamp){1553860800 + (int64_t)i, (int32_t)(i * 1000)}));
	}
}

static cachet_literal_map *inputs(size_t n)
{
	cachet_literal_map *m = NULL;
	char name[32];

	if (cachet_literal_map_new(&m) < 0)
		die("building the inputs");
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "input_%zu", i);
		if (cachet_literal_map_set(m, name, input(i)) < 0)
			die("building the inputs");
	}
	return m;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(size_t n, double seconds)
{
	cachet_literal_map *m = inputs(n);
	unsigned long count = 0;
	double start = now(), elapsed;

	/* check the clock every few tags only: one tag may take microseconds */
	do {
		for (int k = 0; k < 16; k++) {
			char *tag = NULL;
			if (cachet_tag(&tag, m, NULL) < 0)
				die("cachet_tag");
			cachet_free(tag);
		}
		count += 16;
		elapsed = now() - start;
	} while (elapsed < seconds);

	printf("%8zu  %12.0f  %12.2f\n", n, (double)count / elapsed, elapsed * 1e6 / (double)count);
	cachet_literal_map_free(m);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;

	if (seconds <= 0) {
		fprintf(stderr, "usage: bench_key [seconds per case]\n");
		return 2;
	}
	printf("cachet_tag, libcachet %s\n", cachet_version());
	printf("%8s  %12s  %12s\n", "inputs", "tags/s", "us/tag");
	run(10, seconds);
	run(1000, seconds);
	return 0;
}
