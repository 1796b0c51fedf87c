/*
 * Error printing, file reading and writing, and option values shared by
 * the commands.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_strerror(int err)
{
	static _Thread_local char buf[128];
	/* the XSI strerror_r (_POSIX_C_SOURCE, no _GNU_SOURCE) */
	if (strerror_r(err, buf, sizeof buf) != 0)
		snprintf(buf, sizeof buf, "error %d", err);
	return buf;
}

__attribute__((format(printf, 1, 0))) static void print_error(const char *fmt, va_list ap)
{
	fputs("cachet: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error(fmt, ap);
	va_end(ap);
	return CLI_FAIL;
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error(fmt, ap);
	va_end(ap);
	return cli_usage(usage);
}

int cli_lib_error(const char *prefix)
{
	const cachet_error *e = cachet_error_last();
	const char *msg = e->message[0] ? e->message : cachet_error_code_name(e->code);

	if (prefix != NULL)
		return cli_error("%s: %s", prefix, msg);
	return cli_error("%s", msg);
}

int cli_usage(const char *usage)
{
	fprintf(stderr, "%s", usage);
	return CLI_FAIL;
}

const char *cli_display_name(const char *path)
{
	if (path == NULL)
		return NULL;
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

int cli_read_file(const char *path, char **data, size_t *len)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int rc = CLI_OK;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return cli_error("cannot open '%s': %s", path, cli_strerror(errno));
	if (cachet_read_input(data, len, fd, cli_display_name(path)) < 0)
		rc = cli_lib_error(NULL);
	if (!is_stdin)
		close(fd);
	return rc;
}

static int write_all(FILE *f, const void *data, size_t len)
{
	return fwrite(data, 1, len, f) == len && fflush(f) == 0 ? 0 : -1;
}

int cli_write_file(const char *path, const void *data, size_t len)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (write_all(stdout, data, len) < 0)
			return cli_error("cannot write to standard output: %s", cli_strerror(errno));
		return CLI_OK;
	}
	tmp = malloc(strlen(path) + sizeof ".tmp.XXXXXX");
	if (tmp == NULL)
		return cli_error("cannot write '%s': out of memory", path);
	sprintf(tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0 || (f = fdopen(fd, "wb")) == NULL) {
		cli_error("cannot create '%s': %s", tmp, cli_strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return CLI_FAIL;
	}
	if (write_all(f, data, len) < 0 || fsync(fileno(f)) < 0) {
		cli_error("cannot write '%s': %s", path, cli_strerror(errno));
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		cli_error("cannot write '%s': %s", path, cli_strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		cli_error("cannot rename '%s' to '%s': %s", tmp, path, cli_strerror(errno));
		goto fail;
	}
	free(tmp);
	return CLI_OK;
fail:
	unlink(tmp);
	free(tmp);
	return CLI_FAIL;
}

int cli_parse_format(const char *text)
{
	if (strcmp(text, "json") == 0)
		return CACHET_FORMAT_JSON;
	if (strcmp(text, "pb") == 0 || strcmp(text, "protobuf") == 0)
		return CACHET_FORMAT_PB;
	if (strcmp(text, "auto") == 0)
		return CACHET_FORMAT_AUTO;
	return -1;
}

int cli_parse_message_type(const char *text)
{
	static const char *const names[] = {"map", "literal", "interface", "type"};

	for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
		if (strcmp(text, names[i]) == 0)
			return i;
	return -1;
}

int cli_load_literal_map(const char *path, cachet_format format, cachet_literal_map **out)
{
	char *data;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = cli_read_file(path, &data, &len)) != CLI_OK)
		return rc;
	if (cachet_literal_map_decode(out, data, len, format) < 0)
		rc = cli_lib_error(cli_display_name(path));
	cachet_free(data);
	return rc;
}

int cli_load_interface(const char *path, cachet_format format, cachet_interface **out)
{
	char *data;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = cli_read_file(path, &data, &len)) != CLI_OK)
		return rc;
	if (cachet_interface_decode(out, data, len, format) < 0)
		rc = cli_lib_error(cli_display_name(path));
	cachet_free(data);
	return rc;
}

void cli_print_warning(const char *message, void *payload)
{
	(void)payload;
	fprintf(stderr, "cachet: warning: %s\n", message);
}

int cli_parse_jobs(const char *command, const char *text, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(text, &end, 10);
	/* strtoul takes a sign and leading spaces: a number starts with a digit */
	if (errno || end == text || *end != '\0' || !isdigit((unsigned char)text[0]) || n < 1 ||
	    n > CLI_JOBS_MAX)
		return cli_error("%s: -j must be a number from 1 to %d, not '%s'", command,
				 CLI_JOBS_MAX, text);
	*out = (unsigned)n;
	return CLI_OK;
}

int cli_parse_digest(const char *command, const char *text, cachet_digest *out)
{
	if (cachet_digest_parse(out, text) < 0)
		return cli_error("%s: --digest must be sha256 or xxh128, not '%s'", command, text);
	return CLI_OK;
}

cachet_stat_cache *cli_open_stat_cache(const char *home_dir, const char *doing)
{
	char *home = NULL, *db = NULL;
	cachet_stat_cache *sc = NULL;

	if (cachet_home_resolve(&home, home_dir) < 0 ||
	    cachet_home_stat_cache_path(&db, home) < 0 || cachet_stat_cache_open(&sc, db) < 0) {
		fprintf(stderr, "cachet: warning: %s; %s without the stat cache\n",
			cachet_error_last()->message, doing);
		sc = NULL;
	}
	cachet_free(home);
	cachet_free(db);
	return sc;
}

int cli_load_workflow(cachet_workflow **wf, const char *path)
{
	cachet_problems problems = CACHET_PROBLEMS_INIT;
	cachet_workflow_load_options opts = CACHET_WORKFLOW_LOAD_OPTIONS_INIT;

	opts.problems = &problems;
	if (cachet_workflow_load(wf, path, &opts) == 0)
		return CLI_OK;
	if (problems.n == 0)
		cli_lib_error(NULL);
	for (size_t i = 0; i < problems.n; i++) {
		const cachet_problem *p = &problems.items[i];
		cli_error("%s: %s", p->where ? p->where : path, p->message);
	}
	cachet_problems_dispose(&problems);
	return CLI_FAIL;
}
