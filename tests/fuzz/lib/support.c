/*
 * The fuzz targets' helpers for failing, for scratch files and for
 * argument vectors (fuzz.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "fuzz.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The sanitizers' report channel, which libFuzzer keeps open when it
 * silences stderr (-close_fd_mask=2); absent without sanitizers. */
__attribute__((weak)) void __sanitizer_report_error_summary(const char *summary);

void fuzz_fail(const char *fmt, ...)
{
	char what[1024], line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(line, sizeof line, "fuzz: %s (last error: %s: %s)", what,
		 cachet_error_code_name(cachet_error_last()->code), cachet_error_last()->message);
	fprintf(stderr, "%s\n", line);
	if (__sanitizer_report_error_summary)
		__sanitizer_report_error_summary(line);
	abort();
}

void fuzz_check_refusal(int rc, const char *what)
{
	FUZZ_CHECK(rc < 0, "%s: refused with %d, not a negative code", what, rc);
	FUZZ_CHECK(cachet_error_code_name(rc) != NULL, "%s: unknown error code %d", what, rc);
	FUZZ_CHECK(cachet_error_last()->message[0] != '\0', "%s: refused without a message",
		   what);
}

static char *scratch;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	/* the scratch directory itself stays unless we are at exit */
	if (ftw->level == 0 && scratch != NULL)
		return 0;
	return remove(path);
}

void fuzz_scratch_clear(void)
{
	if (scratch != NULL)
		nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void remove_scratch(void)
{
	char *dir = scratch;

	if (dir == NULL)
		return;
	fuzz_scratch_clear();
	scratch = NULL;
	rmdir(dir);
	free(dir);
}

const char *fuzz_scratch_dir(void)
{
	if (scratch != NULL)
		return scratch;
	const char *tmp = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/cachet-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmpl) == NULL) {
		fprintf(stderr, "fuzz: cannot make a directory '%s': %s\n", tmpl, strerror(errno));
		abort();
	}
	if ((scratch = strdup(tmpl)) == NULL)
		abort();
	atexit(remove_scratch);
	return scratch;
}

char *fuzz_scratch_path(const char *name)
{
	const char *dir = fuzz_scratch_dir();
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);

	if (path == NULL)
		abort();
	snprintf(path, n, "%s/%s", dir, name);
	return path;
}

bool fuzz_file_holds(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "rb");
	char *now = malloc(size + 1);
	bool same = f != NULL && now != NULL && fread(now, 1, size + 1, f) == size &&
		    (size == 0 || memcmp(now, data, size) == 0);

	if (f != NULL)
		fclose(f);
	free(now);
	return same;
}

char *fuzz_write_file(const char *name, const void *data, size_t len)
{
	char *path = fuzz_scratch_path(name);
	size_t base = strlen(fuzz_scratch_dir()) + 1;

	/* make the directories in name */
	for (char *p = path + base; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "fuzz: cannot make '%s': %s\n", path, strerror(errno));
			abort();
		}
		*p = '/';
	}
	FILE *f = fopen(path, "wb");
	if (f == NULL || (len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		fprintf(stderr, "fuzz: cannot write '%s': %s\n", path, strerror(errno));
		abort();
	}
	return path;
}

char **fuzz_argv_split(const uint8_t *data, size_t size, char sep, const char *argv0,
		       int *argc)
{
	size_t n = 2; /* argv0 and the first piece */

	for (size_t i = 0; i < size; i++)
		n += data[i] == (uint8_t)sep;
	/* argv0, the pieces, NULL, then the copy the pieces live in: getopt
	 * may reorder the pieces but leaves what follows NULL alone */
	char **argv = calloc(n + 2, sizeof *argv);
	char *copy = malloc(size + 1);
	if (argv == NULL || copy == NULL || (argv[0] = strdup(argv0)) == NULL)
		abort();
	if (size > 0)
		memcpy(copy, data, size);
	copy[size] = '\0';
	size_t k = 1;
	char *piece = copy;
	for (size_t i = 0; i <= size; i++) {
		if (i == size || copy[i] == sep) {
			copy[i] = '\0';
			argv[k++] = piece;
			piece = copy + i + 1;
		}
	}
	argv[k + 1] = copy;
	*argc = (int)k;
	return argv;
}

void fuzz_argv_free(char **argv)
{
	size_t k = 0;

	if (argv == NULL)
		return;
	while (argv[k] != NULL)
		k++;
	free(argv[0]);
	free(argv[k + 1]);
	free(argv);
}

void fuzz_getopt_reset(void)
{
	char arg0[] = "fuzz";
	char *argv[] = {arg0, NULL};

	optind = 0; /* glibc: initialise again */
	opterr = 0;
	while (getopt(1, argv, "") != -1)
		continue;
}
