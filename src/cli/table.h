/*
 * A small text table for people: the first row is the header, columns
 * are separated by two spaces and padded to their widest cell (counted in
 * UTF-8 characters), the last column is not padded.
 */
#ifndef CACHET_CLI_TABLE_H
#define CACHET_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct table {
	size_t n_cols;
	const char *align; /* per column: 'l' left, 'r' right */
	char **cells;      /* row-major */
	size_t n_cells, cap;
	bool failed;       /* a cell could not be added (out of memory) */
} table;

/* align: one letter per column ("llrr"), which gives the column count;
 * then the header row, one name per column, and NULL. */
void table_init(table *t, const char *align, ...) __attribute__((sentinel));
/* Append one cell (printf-style); rows fill left to right. */
void table_add(table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the table; CLI_FAIL (after printing the error) when a cell could
 * not be added. */
int table_print(const table *t, FILE *out);
void table_dispose(table *t);

#endif
