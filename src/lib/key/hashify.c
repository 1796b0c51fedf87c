/*
 * hashify: the form in which an input literal enters the tag (Flyte's
 * cache-key step 3). A literal that carries a hash is replaced by a Literal
 * holding only that hash, so that moving its bytes to a new URI keeps the
 * key; collections and maps are rebuilt from their hashified elements,
 * dropping their own metadata; anything else is copied as it is.
 */
#include "cachet/key.h"
#include "util/alloc.h"
#include "util/error.h"
#include "value/message.h"

/*
 * Recursion follows collections and maps. depth counts messages as pbhash
 * does (a Literal and its collection are two levels), so whatever hashify
 * accepts, pbhash of the result accepts too.
 */
static int hashify(cachet_literal **out, const cachet_literal *lit, unsigned depth);

static int hashify_collection(cachet_literal *r, const cachet_literal_collection *src,
			      unsigned depth)
{
	size_t n = src ? src->n_literals : 0;
	cachet_literal_collection *c = cachet__message_new(&cachet__literal_collection_desc);

	if (c == NULL)
		return CACHET_ENOMEM;
	r->kind = CACHET_LITERAL_COLLECTION;
	r->collection = c; /* from here on, freed with r */
	if (n == 0)
		return 0;
	c->literals = cachet__calloc(n, sizeof(*c->literals));
	if (c->literals == NULL)
		return CACHET_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int rc = hashify(&c->literals[i], src->literals[i], depth + 1);
		if (rc < 0)
			return rc;
		c->n_literals = i + 1;
	}
	return 0;
}

static int hashify_map(cachet_literal *r, const cachet_literal_map *src, unsigned depth)
{
	size_t n = src ? src->n_literals : 0;
	cachet_literal_map *m = cachet__message_new(&cachet__literal_map_desc);

	if (m == NULL)
		return CACHET_ENOMEM;
	r->kind = CACHET_LITERAL_MAP;
	r->map = m;
	if (n == 0)
		return 0;
	/* The source is sorted by key, so the copy is too. */
	m->literals = cachet__calloc(n, sizeof(*m->literals));
	if (m->literals == NULL)
		return CACHET_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		cachet_literal_map_entry *e = &m->literals[i];
		/* count the entry first: a half-built one is still freed */
		m->n_literals = i + 1;
		const char *key = src->literals[i].key;
		e->key = cachet_str_new(key, cachet_str_len(key));
		if (e->key == NULL)
			return CACHET_ENOMEM;
		int rc = hashify(&e->value, src->literals[i].value, depth + 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int hashify(cachet_literal **out, const cachet_literal *lit, unsigned depth)
{
	cachet_literal *r = NULL;
	int rc = 0;

	*out = NULL;
	if (depth >= CACHET_MAX_DEPTH)
		return cachet__error(CACHET_ETOODEEP, "literal nested deeper than %d levels",
				     CACHET_MAX_DEPTH);

	bool has_hash = lit && cachet_str_len(lit->hash) > 0;
	bool rebuild = lit && (lit->kind == CACHET_LITERAL_COLLECTION ||
			       lit->kind == CACHET_LITERAL_MAP);
	if (lit && !has_hash && !rebuild)
		return cachet__message_copy(&cachet__literal_desc, (void **)out, lit);

	/* A missing element reads as the empty Literal, as pbhash reads it. */
	r = cachet__message_new(&cachet__literal_desc);
	if (r == NULL)
		return CACHET_ENOMEM;
	if (has_hash) {
		rc = cachet__str_copy(&r->hash, lit->hash);
	} else if (lit && lit->kind == CACHET_LITERAL_COLLECTION) {
		rc = hashify_collection(r, lit->collection, depth + 1);
	} else if (lit) {
		rc = hashify_map(r, lit->map, depth + 1);
	}
	if (rc < 0) {
		cachet__message_free(&cachet__literal_desc, r);
		return rc;
	}
	*out = r;
	return 0;
}

int cachet_hashify(cachet_literal **out, const cachet_literal *lit)
{
	if (out == NULL)
		return cachet__error(CACHET_EINVALID, "hashify: no output pointer");
	*out = NULL;
	if (lit == NULL)
		return cachet__error(CACHET_EINVALID, "hashify: no literal");
	return hashify(out, lit, 0);
}
