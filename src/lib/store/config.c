/*
 * The home's config file: which catalog and store the home uses when no
 * option or environment variable says. A few "key = value" lines, as
 * git and ccache users know them; see cachet/home.h for the format.
 */
#include "cachet/home.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* A config is a few lines; anything larger is not one. */
#define CONFIG_MAX_BYTES (64 * 1024)

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

static const char *trim_end(const char *start, const char *end)
{
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

/* One line [p, end): a comment, blank, or key = value into cfg. The value
 * is never quoted in a message: it may hold a password. */
static int parse_line(cachet_home_config *cfg, const char *p, const char *end,
		      const char *path, unsigned line)
{
	p = skip_blanks(p, end);
	if (p == end || *p == '#' || *p == ';')
		return 0;
	const char *eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL)
		return cachet__error(CACHET_EINVALID,
				     "config '%s' line %u: expected 'key = value'", path, line);
	const char *key_end = trim_end(p, eq);
	const char *value = skip_blanks(eq + 1, end);
	const char *value_end = trim_end(value, end);
	size_t key_len = (size_t)(key_end - p);
	char **slot = NULL;

	if (key_len == 7 && memcmp(p, "catalog", 7) == 0)
		slot = &cfg->catalog;
	else if (key_len == 5 && memcmp(p, "store", 5) == 0)
		slot = &cfg->store;
	if (slot == NULL)
		return cachet__error(CACHET_EINVALID,
				     "config '%s' line %u: unknown key '%.*s' (catalog, store)",
				     path, line, (int)key_len, p);
	if (value == value_end)
		return cachet__error(CACHET_EINVALID, "config '%s' line %u: '%.*s' has no value",
				     path, line, (int)key_len, p);
	if (memchr(value, '\0', (size_t)(value_end - value)))
		return cachet__error(CACHET_EINVALID, "config '%s' line %u: a NUL byte", path,
				     line);
	if (*slot != NULL)
		return cachet__error(CACHET_EINVALID, "config '%s' line %u: '%.*s' set twice",
				     path, line, (int)key_len, p);
	*slot = cachet__strndup(value, (size_t)(value_end - value));
	return *slot ? 0 : CACHET_ENOMEM;
}

int cachet_home_config_read(cachet_home_config *out, const char *home)
{
	char *path = NULL, *text = NULL;
	struct stat st;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof *out);
	/* No home yet, no config: the opener that makes the home says why
	 * it cannot when something is in the way. */
	if (stat(home, &st) < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if ((rc = cachet_home_config_path(&path, home)) < 0)
		return rc;
	/* Whoever can write the config, or replace it, chooses the catalog
	 * hits come from. */
	if ((rc = cachet__private_check(home, "cachet home", CACHET__PRIVATE_DIR)) <= 0 ||
	    (rc = cachet__private_check(path, "config", CACHET__PRIVATE_FILE)) <= 0)
		goto done;
	if ((rc = cachet__read_file(&text, &len, path, CONFIG_MAX_BYTES)) < 0)
		goto done;
	unsigned line = 1;
	for (const char *p = text, *end = text + len; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		if ((rc = parse_line(out, p, line_end, path, line)) < 0)
			goto done;
		p = nl ? nl + 1 : end;
	}
done:
	if (rc < 0)
		cachet_home_config_dispose(out);
	else
		rc = 0;
	cachet__free(text);
	cachet__free(path);
	return rc;
}

void cachet_home_config_dispose(cachet_home_config *cfg)
{
	if (cfg == NULL)
		return;
	cachet__free(cfg->catalog);
	cachet__free(cfg->store);
	cfg->catalog = cfg->store = NULL;
}
