/*
 * A small text table for people (see table.h).
 */
#include "table.h"
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void table_init(table *t, const char *align, ...)
{
	va_list ap;
	const char *name;

	memset(t, 0, sizeof *t);
	t->align = align;
	t->n_cols = strlen(align);
	va_start(ap, align);
	while ((name = va_arg(ap, const char *)) != NULL)
		table_add(t, "%s", name);
	va_end(ap);
}

void table_add(table *t, const char *fmt, ...)
{
	va_list ap;
	char *cell = NULL;

	if (t->failed)
		return;
	if (t->n_cells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **grown = realloc(t->cells, cap * sizeof *grown);
		if (grown == NULL) {
			t->failed = true;
			return;
		}
		t->cells = grown;
		t->cap = cap;
	}
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (cell = malloc((size_t)n + 1)) == NULL) {
		t->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(cell, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->cells[t->n_cells++] = cell;
}

/* Characters, not bytes: UTF-8 continuation bytes do not count. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

int table_print(const table *t, FILE *out)
{
	size_t *widths;

	if (t->failed)
		return cli_error("out of memory");
	if (t->n_cols == 0)
		return CLI_OK;
	widths = calloc(t->n_cols, sizeof *widths);
	if (widths == NULL)
		return cli_error("out of memory");
	for (size_t i = 0; i < t->n_cells; i++) {
		size_t w = width(t->cells[i]);
		if (w > widths[i % t->n_cols])
			widths[i % t->n_cols] = w;
	}
	for (size_t i = 0; i < t->n_cells; i++) {
		size_t col = i % t->n_cols;
		bool last = col + 1 == t->n_cols || i + 1 == t->n_cells;
		size_t pad = widths[col] - width(t->cells[i]);
		if (t->align[col] == 'r')
			fprintf(out, "%*s", (int)pad, "");
		fputs(t->cells[i], out);
		if (last)
			fputc('\n', out);
		else
			fprintf(out, "%*s", (int)(t->align[col] == 'r' ? 2 : pad + 2), "");
	}
	free(widths);
	return CLI_OK;
}

void table_dispose(table *t)
{
	for (size_t i = 0; i < t->n_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}
