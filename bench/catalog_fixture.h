/*
 * What the catalog benches share: a clock, percentiles, and the outputs
 * they put (5 small outputs: an integer, a float, a string, a file and a
 * dataframe, whose two objects bench_write_objects puts in the store).
 * Each bench defines die(what) before including this.
 */
#ifndef CACHET_BENCH_CATALOG_FIXTURE_H
#define CACHET_BENCH_CATALOG_FIXTURE_H

#include "cachet/codec.h"
#include "cachet/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void die(const char *what);

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[(size_t)(p * (double)(n - 1))];
}

static cachet_literal_map *outputs(const char *root)
{
	cachet_literal_map *m = NULL;
	char uri[512];
	if (cachet_literal_map_new(&m) < 0)
		die("map");
	cachet_literal_map_set(m, "count", cachet_literal_new_integer(123456));
	cachet_literal_map_set(m, "score", cachet_literal_new_float(0.875));
	cachet_literal_map_set(m, "label", cachet_literal_new_string("a small string output"));
	snprintf(uri, sizeof uri, "%s/20240501-9f86d081884c7d65/model/model.bin", root);
	cachet_literal *blob = cachet_literal_new_blob(uri, "bin", CACHET_BLOB_SINGLE);
	cachet_literal_set_hash(blob, "sha256:2d65080eb45d3ad1a1b5b7c9bd8a6ff50d1e3b6cf2d6c0b9f1f0b16c7b3e4a59");
	cachet_literal_map_set(m, "model", blob);
	snprintf(uri, sizeof uri, "%s/20240501-9f86d081884c7d65/df/data.csv", root);
	cachet_literal *df = cachet_literal_new_dataset(uri, "csv");
	cachet_literal_set_hash(df, "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	cachet_literal_map_set(m, "df", df);
	return m;
}

static void write_object(cachet_store *store, const char *root, const char *key, size_t size)
{
	char uri[512];
	char *data = calloc(1, size);
	snprintf(uri, sizeof uri, "%s/20240501-9f86d081884c7d65/%s", root, key);
	if (cachet_store_put_bytes(store, uri, data, size) < 0)
		die("writing an object");
	free(data);
}

#endif
