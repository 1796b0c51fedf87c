/*
 * Output maps as the catalog sees them: the offloaded URIs they name (to
 * check a hit's data is still there, to size a put, to find what GC may
 * delete) and whether they fit a task's output interface.
 *
 * The interface check is the value layer's cachet_literal_fits, the one
 * the engine uses, as Flyte's lookup checks that the cached outputs can be
 * cast to the interface's types: a value that does not fit must never be
 * stored, nor come back as a hit.
 */
#include "catalog/internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/os.h"

#include <string.h>

/* ---------------------------------------------------------------------- */
/* URIs                                                                   */

typedef struct named_uri_fn {
	cachet__uri_fn fn;
	void *ctx;
	const char *name; /* the output being walked */
} named_uri_fn;

static int call_named(char **uri, void *payload)
{
	named_uri_fn *n = payload;
	size_t len = cachet_str_len(*uri);

	/* a URI is a path in the store: one would end at a NUL inside */
	if (memchr(*uri, '\0', len) != NULL) {
		char name[CACHET__SHOW_MAX], shown[CACHET__SHOW_MAX];
		return cachet__error(CACHET_EINVALID, "output '%s': URI '%s' holds a NUL byte",
				     cachet__bytes_show(name, n->name, cachet_str_len(n->name)),
				     cachet__bytes_show(shown, *uri, len));
	}
	return n->fn(n->ctx, n->name, uri);
}

int cachet__outputs_each_uri(cachet_literal_map *map, cachet__uri_fn fn, void *ctx)
{
	named_uri_fn n = {fn, ctx, NULL};
	int rc = 0;

	for (size_t i = 0; map && rc == 0 && i < map->n_literals; i++) {
		n.name = map->literals[i].key;
		rc = cachet_literal_each_uri(map->literals[i].value, call_named, &n);
	}
	return rc > 0 ? 0 : rc; /* fn returns 1 to stop early */
}

/* ---------------------------------------------------------------------- */
/* Fitting the interface                                                  */

int cachet__outputs_check(const cachet_literal_map *outputs, const cachet_variable_map *want)
{
	size_t n_out = outputs ? outputs->n_literals : 0;
	size_t n_want = want ? want->n_variables : 0;

	char shown[CACHET__SHOW_MAX];

	/* names are map keys: they may hold NUL, so they are looked up and
	 * shown with their length */
	for (size_t i = 0; i < n_want; i++) {
		const char *name = want->variables[i].key;
		size_t len = cachet_str_len(name);
		const cachet_literal *lit = cachet_literal_map_get_n(outputs, name ? name : "", len);
		const cachet_variable *v = want->variables[i].value;
		char *why = NULL;

		if (lit == NULL)
			return cachet__error(CACHET_EINVALID, "output '%s' is missing",
					     cachet__bytes_show(shown, name, len));
		if (!cachet_literal_fits(lit, v ? v->type : NULL, &why)) {
			cachet__error(CACHET_EINVALID, "output '%s': %s",
				      cachet__bytes_show(shown, name, len),
				      why ? why : "it does not fit its type");
			cachet__free(why);
			return CACHET_EINVALID;
		}
	}
	for (size_t i = 0; i < n_out; i++) {
		const char *name = outputs->literals[i].key;
		size_t len = cachet_str_len(name);
		if (cachet_variable_map_get_n(want, name ? name : "", len) == NULL)
			return cachet__error(CACHET_EINVALID, "output '%s' is not in the interface",
					     cachet__bytes_show(shown, name, len));
	}
	return 0;
}
