/*
 * Small helpers of the engine: file:// URIs, store references, string
 * vectors.
 */
#include "engine/util.h"

#include "cachet/common.h"
#include "store/uri.h"
#include "util/alloc.h"
#include "util/error.h"

#include "cachet/value.h"

#include <string.h>

const char *cachet__file_uri_path(const char *uri)
{
	/* a path would end at a NUL inside: such a URI names no local file */
	if (uri && strlen(uri) == cachet_str_len(uri) && !strncmp(uri, "file:///", 8))
		return uri + 7;
	return NULL;
}

bool cachet__key_is(const char *key, const char *name)
{
	return cachet_str_len(key) == strlen(name) && strcmp(key ? key : "", name) == 0;
}

int cachet__store_ref(char **canon, const char *root, const char *uri)
{
	int rc = cachet__uri_in_store(canon, root, uri, CACHET__URI_REFERENCE);

	if (rc == CACHET_ENOMEM)
		return rc;
	return rc == 0;
}

int cachet__strv_copy(char ***out, size_t *n, const char *const *src, size_t count)
{
	char **v;

	*out = NULL;
	*n = 0;
	if (!count)
		return 0;
	if (!(v = cachet__calloc(count + 1, sizeof *v)))
		return CACHET_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		if (!(v[i] = cachet__strdup(src[i] ? src[i] : ""))) {
			cachet__strv_free(v, i);
			return CACHET_ENOMEM;
		}
	}
	*out = v;
	*n = count;
	return 0;
}

void cachet__strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		cachet__free(v[i]);
	cachet__free(v);
}
