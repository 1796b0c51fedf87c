/*
 * A task's cache key as Flyte's backend computes it: the dataset id
 * (project, domain, "flyte_task-" + name, version) and the tag.
 *
 *   version = trim(cache_version, " ") + "-" + in8 + "-" + out8
 *   tag     = "flyte_cached-" + b64url(pbhash(hashified inputs))
 *
 * where in8/out8 are the first 8 characters of b64url(pbhash(VariableMap))
 * of the inputs/outputs, and b64url is the URL alphabet without padding.
 */
#include "cachet/key.h"
#include "key/objecthash.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/version.h"
#include "value/schema.h"

#include <string.h>

#define TAG_PREFIX "flyte_cached-"
#define NAME_PREFIX "flyte_task-"

static int check_options(const cachet_key_options *opts)
{
	int rc;

	if (opts && (rc = cachet__check_version(opts->version, CACHET_KEY_OPTIONS_VERSION,
						"key options")) < 0)
		return rc;
	if (opts && opts->n_ignore > 0 && opts->ignore == NULL)
		return cachet__error(CACHET_EINVALID, "key options: %zu ignored inputs but no list",
				     opts->n_ignore);
	return 0;
}

/* Put "<label>: " in front of a failure's message (not of ENOMEM's). */
static int label_error(int rc, const char *label)
{
	if (rc < 0 && rc != CACHET_ENOMEM && label != NULL)
		return cachet__error_prefix("%s", label);
	return rc;
}

/* Append the first 8 characters of b64url(pbhash(map)). which names the
 * map in messages: "inputs" or "outputs". */
static int put_signature8(cachet_buf *b, const cachet_variable_map *map, const char *which)
{
	uint8_t h[CACHET_HASH_LEN];
	int rc = cachet__pbhash(h, &cachet__variable_map_desc, map);

	if (rc < 0 && rc != CACHET_ENOMEM)
		return cachet__error_prefix("%s", which);
	if (rc < 0)
		return rc;
	/* Base64 turns each 3 bytes into 4 characters: the first 8
	 * characters are exactly the encoding of the first 6 bytes. */
	return cachet__base64url_encode(b, h, 6);
}

/* cachet_dataset_version, naming the interface `label` in messages about
 * its contents. */
static int dataset_version(char **out, const char *cache_version, const cachet_interface *iface,
			   const char *label)
{
	cachet_buf b = CACHET_BUF_INIT;
	const char *v = cache_version ? cache_version : "";
	size_t len = strlen(v);
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "dataset version: no output pointer");
	*out = NULL;
	/* Flyte trims spaces only, not other white space. */
	while (len > 0 && v[0] == ' ') {
		v++;
		len--;
	}
	while (len > 0 && v[len - 1] == ' ')
		len--;
	if (len == 0)
		return cachet__error(CACHET_EINVALID, "task cannot have an empty cache version");

	rc = cachet__buf_put(&b, v, len);
	if (rc == 0)
		rc = cachet__buf_putc(&b, '-');
	if (rc == 0)
		rc = label_error(put_signature8(&b, iface ? iface->inputs : NULL, "inputs"), label);
	if (rc == 0)
		rc = cachet__buf_putc(&b, '-');
	if (rc == 0)
		rc = label_error(put_signature8(&b, iface ? iface->outputs : NULL, "outputs"),
				 label);
	if (rc == 0) {
		*out = cachet__buf_detach(&b, NULL);
		rc = *out ? 0 : CACHET_ENOMEM;
	}
	cachet__buf_dispose(&b);
	return rc;
}

int cachet_dataset_version(char **out, const char *cache_version, const cachet_interface *iface)
{
	return dataset_version(out, cache_version, iface, NULL);
}

int cachet_tag(char **out, const cachet_literal_map *inputs, const cachet_key_options *opts)
{
	cachet_buf b = CACHET_BUF_INIT;
	uint8_t h[CACHET_HASH_LEN];
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "tag: no output pointer");
	*out = NULL;
	rc = check_options(opts);
	if (rc == 0)
		rc = label_error(cachet__pbhash_tag(h, inputs, opts ? opts->ignore : NULL,
						    opts ? opts->n_ignore : 0),
				 opts ? opts->inputs_label : NULL);
	if (rc == 0)
		rc = cachet__buf_puts(&b, TAG_PREFIX);
	if (rc == 0)
		rc = cachet__base64url_encode(&b, h, sizeof(h));
	if (rc == 0) {
		*out = cachet__buf_detach(&b, NULL);
		rc = *out ? 0 : CACHET_ENOMEM;
	}
	cachet__buf_dispose(&b);
	return rc;
}

static char *concat(const char *prefix, const char *s)
{
	size_t a = strlen(prefix), n = strlen(s);
	char *r = cachet__malloc(a + n + 1);

	if (r) {
		memcpy(r, prefix, a);
		memcpy(r + a, s, n + 1);
	}
	return r;
}

int cachet_cache_key_compute(cachet_cache_key *out, const char *project, const char *domain,
			     const char *task_name, const char *cache_version,
			     const cachet_interface *iface, const cachet_literal_map *inputs,
			     const cachet_key_options *opts)
{
	cachet_cache_key k = CACHET_CACHE_KEY_INIT;
	int rc;

	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "cache key: no output");
	if ((rc = CACHET__RESULT_BEGIN(out, CACHET_CACHE_KEY_VERSION, "cache key")) < 0)
		return rc;
	if (project == NULL || domain == NULL || task_name == NULL)
		return cachet__error(CACHET_EINVALID, "cache key: no %s",
				     project == NULL  ? "project"
				     : domain == NULL ? "domain"
						      : "task name");
	rc = check_options(opts);
	if (rc < 0)
		return rc;

	k.project = cachet__strdup(project);
	k.domain = k.project ? cachet__strdup(domain) : NULL;
	k.name = k.domain ? concat(NAME_PREFIX, task_name) : NULL;
	rc = k.name ? 0 : CACHET_ENOMEM;
	if (rc == 0)
		rc = dataset_version(&k.version, cache_version, iface,
				     opts ? opts->interface_label : NULL);
	if (rc == 0)
		rc = cachet_tag(&k.tag, inputs, opts);
	if (rc < 0) {
		cachet_cache_key_dispose(&k);
		return rc;
	}
	k.struct_version = out->struct_version; /* the caller's, which has every field */
	*out = k;
	return 0;
}

void cachet_cache_key_dispose(cachet_cache_key *key)
{
	if (key == NULL || !cachet__version_known(key->struct_version, CACHET_CACHE_KEY_VERSION))
		return;
	cachet__free(key->project);
	cachet__free(key->domain);
	cachet__free(key->name);
	cachet__free(key->version);
	cachet__free(key->tag);
	CACHET__RESULT_CLEAR(key);
}
