/*
 * pbhash: the objecthash of a message's protobuf JSON form, computed by
 * walking the descriptors (value/schema.h) as the JSON encoder would,
 * without printing JSON or building a tree:
 *
 *  - a message is an object over its present fields, keyed by JSON name;
 *  - a scalar field is the JSON value cachet__json_scalar_of gives (the
 *    encoder's own rules: int64 as a string, enums by name, ...);
 *  - a repeated field is an array, a map an object (keys are strings);
 *  - the well-known types have their special JSON forms: Timestamp and
 *    Duration are strings, Struct an object, Value whichever JSON value it
 *    holds, ListValue an array.
 *
 * One walk uses two buffers, whatever the size of the value: the objecthash
 * container stack and the scratch text of the scalar being hashed. The
 * hashes of field names are remembered between walks. The tag's walk
 * (cachet__pbhash_tag) applies hashify as it goes instead of copying.
 *
 * Errors name the place: as a failure travels up, each level puts its field
 * name, map key or list index in front of a path, which is prefixed to the
 * message at the top: "literals.a.scalar.primitive.datetime: timestamp ...".
 */
#include "key/objecthash.h"

#include "cachet/key.h"
#include "codec/json.h"
#include "util/error.h"
#include "value/message.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* Paths longer than PATH_SHOWN keep PATH_HEAD bytes of their outer end and
 * PATH_TAIL of their inner end, around "...", as the JSON codec's do. */
#define PATH_SHOWN 400
#define PATH_HEAD 120
#define PATH_TAIL 240
#define SEGMENT_MAX_LEN 64 /* a longer map key is cut */

typedef struct walk {
	cachet_buf stack;   /* objecthash containers */
	cachet_buf scratch; /* text of the scalar being hashed */
	/* The path of a failure, built as it unwinds: head grows at its
	 * front; once cut, tail holds the innermost end. */
	char head[PATH_SHOWN];
	size_t head_len;
	char tail[PATH_TAIL];
	size_t tail_len;
	bool cut;
	bool starts_with_index;
} walk;

/*
 * An absent message read as the empty one (a NULL map value or list
 * element; a selected oneof member whose pointer is NULL). Large enough for
 * every value struct, and suitably aligned for them.
 */
static const union {
	unsigned char bytes[256];
	void *pointer;
	double number;
	int64_t integer;
} zero_message;

static const void *or_empty(const cachet__message_desc *d, const void *msg)
{
	(void)d;
	assert(d->size <= sizeof(zero_message));
	return msg ? msg : &zero_message;
}

/* ---- the error path ---- */

/* Whether text[at] starts a UTF-8 character (a cut there splits none). */
static bool char_starts_at(const char *text, size_t at)
{
	return ((unsigned char)text[at] & 0xC0) != 0x80;
}

/*
 * Put seg in front of the path, as the error unwinds past its level. Paths
 * read as the JSON codec writes them: "literals.xs.collection.literals[2]",
 * so an index joins its field without a dot.
 */
static void path_prepend(walk *w, const char *seg, size_t len, bool is_index)
{
	char piece[SEGMENT_MAX_LEN + 1];
	size_t n, kept;

	if (len > SEGMENT_MAX_LEN) {
		len = SEGMENT_MAX_LEN;
		while (len > 0 && !char_starts_at(seg, len))
			len--;
	}
	for (size_t i = 0; i < len; i++) {
		/* a map key may hold anything: keep the message on one line */
		unsigned char c = (unsigned char)seg[i];
		piece[i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
	}
	n = len;
	if ((w->head_len > 0 || w->cut) && !w->starts_with_index)
		piece[n++] = '.';

	if (!w->cut && w->head_len + n > PATH_SHOWN) {
		/* from now on the innermost end stays as it is */
		size_t from = w->head_len - PATH_TAIL;
		while (from < w->head_len && !char_starts_at(w->head, from))
			from++;
		w->tail_len = w->head_len - from;
		memcpy(w->tail, w->head + from, w->tail_len);
		w->head_len = from;
		w->cut = true;
	}
	kept = w->head_len;
	if (kept > (w->cut ? PATH_HEAD : PATH_SHOWN) - n) {
		kept = (w->cut ? PATH_HEAD : PATH_SHOWN) - n;
		while (kept > 0 && !char_starts_at(w->head, kept))
			kept--;
	}
	memmove(w->head + n, w->head, kept);
	memcpy(w->head, piece, n);
	w->head_len = n + kept;
	w->starts_with_index = is_index;
}

static void path_prepend_str(walk *w, const char *s)
{
	path_prepend(w, s ? s : "", s ? strlen(s) : 0, false);
}

/* A map key: a counted string, which may hold NUL (shown as '?'). */
static void path_prepend_key(walk *w, const char *key)
{
	path_prepend(w, key ? key : "", cachet_str_len(key), false);
}

static void path_prepend_index(walk *w, size_t i)
{
	char seg[24];
	int n = snprintf(seg, sizeof(seg), "[%zu]", i);
	path_prepend(w, seg, (size_t)n, true);
}

static int too_deep(void)
{
	return cachet__error(CACHET_ETOODEEP, "value nested deeper than %d levels",
			     CACHET_MAX_DEPTH);
}

static int hash_cstring(uint8_t out[CACHET__OH_LEN], const char *s)
{
	return cachet__oh_string(out, s ? s : "", s ? strlen(s) : 0);
}

/* A string of the value: counted, all its bytes hashed (NUL included, as
 * Flyte hashes it). */
static int hash_str(uint8_t out[CACHET__OH_LEN], const char *s)
{
	return cachet__oh_string(out, s ? s : "", cachet_str_len(s));
}

/*
 * The hash of a field's JSON name, the same every time: remembered per
 * thread in a small direct-mapped table keyed by the field's descriptor
 * (descriptors are static, so their addresses are stable). It saves about
 * a third of the SHA-256 computations of a typical walk. A slot taken by
 * another field is simply recomputed and replaced.
 */
#define NAME_CACHE_SLOTS 128 /* a power of two, above the number of fields */

typedef struct name_cache_slot {
	const cachet__field_desc *field;
	uint8_t hash[CACHET__OH_LEN];
} name_cache_slot;

static _Thread_local name_cache_slot name_cache[NAME_CACHE_SLOTS];

static int hash_field_name(const cachet__field_desc *f, uint8_t out[CACHET__OH_LEN])
{
	/* Fibonacci hashing of the address: its low bits are alignment */
	uint64_t mix = (uint64_t)(uintptr_t)f * UINT64_C(0x9E3779B97F4A7C15);
	name_cache_slot *slot = &name_cache[mix >> 57]; /* top 7 bits: 128 slots */

	if (slot->field != f) {
		int rc = hash_cstring(slot->hash, f->json_name);
		if (rc < 0) {
			slot->field = NULL;
			return rc;
		}
		slot->field = f;
	}
	memcpy(out, slot->hash, CACHET__OH_LEN);
	return 0;
}
_Static_assert(NAME_CACHE_SLOTS == 1 << 7, "the slot index takes 7 bits");

/* ---- google.protobuf.Struct, Value, ListValue ---- */

static int hash_message(walk *w, const cachet__message_desc *d, const void *msg, unsigned depth,
			uint8_t out[CACHET__OH_LEN]);

static int hash_value(walk *w, const cachet_value *v, unsigned depth, uint8_t out[CACHET__OH_LEN])
{
	if (depth >= CACHET_MAX_DEPTH)
		return too_deep();
	switch (v ? v->kind : CACHET_VALUE_NOT_SET) {
	case CACHET_VALUE_NULL:
		return cachet__oh_null(out);
	case CACHET_VALUE_NUMBER: {
		/* Flyte hashes a Value as Go's jsonpb prints it: a NaN or
		 * infinite number as the string "NaN", "Infinity", "-Infinity" */
		const char *text = cachet__json_nonfinite_text(v->number_value);
		if (text != NULL)
			return cachet__oh_string(out, text, strlen(text));
		return cachet__oh_number(out, v->number_value);
	}
	case CACHET_VALUE_STRING:
		return hash_str(out, v->string_value);
	case CACHET_VALUE_BOOL:
		return cachet__oh_bool(out, v->bool_value);
	case CACHET_VALUE_STRUCT:
		return hash_message(w, &cachet__struct_desc, v->struct_value, depth + 1, out);
	case CACHET_VALUE_LIST:
		return hash_message(w, &cachet__list_value_desc, v->list_value, depth + 1, out);
	case CACHET_VALUE_NOT_SET:
		break;
	}
	return cachet__error(CACHET_EINVALID, "struct value has no kind set");
}

/* ---- messages ---- */

/* One non-message value, stored at `storage`, as the JSON encoder writes it. */
static int hash_scalar(walk *w, const cachet__field_desc *f, const void *storage,
		       uint8_t out[CACHET__OH_LEN])
{
	cachet__json_scalar js;
	int rc = cachet__json_scalar_of(f, storage, &w->scratch, &js);

	if (rc < 0)
		return rc;
	switch (js.kind) {
	case CACHET__JSON_STRING:
		return cachet__oh_string(out, js.str, js.len);
	case CACHET__JSON_NUMBER:
		return cachet__oh_number(out, js.number);
	case CACHET__JSON_BOOL:
		return cachet__oh_bool(out, js.boolean);
	case CACHET__JSON_NULL:
		break;
	}
	return cachet__oh_null(out);
}

/* A message-typed element or a scalar one, at `storage`. */
static int hash_element(walk *w, const cachet__field_desc *f, const void *storage, unsigned depth,
			uint8_t out[CACHET__OH_LEN])
{
	if (f->type == CACHET__MESSAGE)
		return hash_message(w, f->message, *(void *const *)storage, depth + 1, out);
	return hash_scalar(w, f, storage, out);
}

static int hash_repeated(walk *w, const cachet__field_desc *f, const void *msg, unsigned depth,
			 uint8_t out[CACHET__OH_LEN])
{
	const char *items = *(const char *const *)cachet__field_at_const(msg, f);
	size_t n = cachet__field_count(msg, f);
	size_t size = cachet__element_size(f);
	size_t mark = cachet__oh_mark(&w->stack);
	int rc;

	for (size_t i = 0; i < n; i++) {
		uint8_t v[CACHET__OH_LEN];
		rc = hash_element(w, f, items + i * size, depth, v);
		if (rc < 0) {
			path_prepend_index(w, i);
			goto fail;
		}
		rc = cachet__oh_push(&w->stack, v);
		if (rc < 0)
			goto fail;
	}
	return cachet__oh_close_list(&w->stack, mark, out);
fail:
	cachet__oh_pop(&w->stack, mark);
	return rc;
}

static int hash_map(walk *w, const cachet__field_desc *f, const void *msg, unsigned depth,
		    uint8_t out[CACHET__OH_LEN])
{
	const struct cachet__map_entry *entries = cachet__map_entries(msg, f);
	size_t n = cachet__field_count(msg, f);
	size_t mark = cachet__oh_mark(&w->stack);
	int rc;

	for (size_t i = 0; i < n; i++) {
		uint8_t k[CACHET__OH_LEN], v[CACHET__OH_LEN];
		rc = hash_str(k, entries[i].key);
		if (rc == 0) {
			rc = hash_element(w, f, &entries[i].value, depth, v);
			if (rc < 0)
				path_prepend_key(w, entries[i].key);
		}
		if (rc == 0)
			rc = cachet__oh_push_entry(&w->stack, k, v);
		if (rc < 0)
			goto fail;
	}
	return cachet__oh_close_dict(&w->stack, mark, out);
fail:
	cachet__oh_pop(&w->stack, mark);
	return rc;
}

static int hash_field(walk *w, const cachet__field_desc *f, const void *msg, unsigned depth,
		      uint8_t out[CACHET__OH_LEN])
{
	if (f->label == CACHET__REPEATED)
		return hash_repeated(w, f, msg, depth, out);
	if (f->label == CACHET__MAP)
		return hash_map(w, f, msg, depth, out);
	return hash_element(w, f, cachet__field_at_const(msg, f), depth, out);
}

/* Timestamp and Duration are JSON strings, which their formatters check. */
static int hash_time(walk *w, const cachet__message_desc *d, const void *msg,
		     uint8_t out[CACHET__OH_LEN])
{
	int rc;

	cachet__buf_clear(&w->scratch);
	if (d->wkt == CACHET__WKT_TIMESTAMP)
		rc = cachet__timestamp_format(msg, &w->scratch);
	else
		rc = cachet__duration_format(msg, &w->scratch);
	if (rc < 0)
		return rc;
	return cachet__oh_string(out, w->scratch.ptr, w->scratch.len);
}

static int hash_message(walk *w, const cachet__message_desc *d, const void *msg, unsigned depth,
			uint8_t out[CACHET__OH_LEN])
{
	size_t mark;
	int rc;

	if (depth >= CACHET_MAX_DEPTH)
		return too_deep();

	switch (d->wkt) {
	case CACHET__WKT_TIMESTAMP:
	case CACHET__WKT_DURATION:
		return hash_time(w, d, or_empty(d, msg), out);
	/* A Struct is the JSON object of its map, a ListValue the JSON array
	 * of its values: their one field, without the message around it. */
	case CACHET__WKT_STRUCT:
		return hash_map(w, &d->fields[0], or_empty(d, msg), depth, out);
	case CACHET__WKT_VALUE:
		return hash_value(w, msg, depth, out);
	case CACHET__WKT_LIST_VALUE:
		return hash_repeated(w, &d->fields[0], or_empty(d, msg), depth, out);
	case CACHET__WKT_NONE:
		break;
	}

	msg = or_empty(d, msg);
	mark = cachet__oh_mark(&w->stack);
	for (size_t i = 0; i < d->n_fields; i++) {
		const cachet__field_desc *f = &d->fields[i];
		uint8_t k[CACHET__OH_LEN], v[CACHET__OH_LEN];

		if (!cachet__field_present(msg, f))
			continue;
		rc = hash_field_name(f, k);
		if (rc == 0) {
			rc = hash_field(w, f, msg, depth, v);
			if (rc < 0)
				path_prepend_str(w, f->json_name);
		}
		if (rc == 0)
			rc = cachet__oh_push_entry(&w->stack, k, v);
		if (rc < 0)
			goto fail;
	}
	return cachet__oh_close_dict(&w->stack, mark, out);
fail:
	cachet__oh_pop(&w->stack, mark);
	return rc;
}

/* ---- the tag: hashify on the fly ---- */

/*
 * The tag hashes the inputs after hashify (key/hashify.c), whose rule is
 * applied here while walking, so that no copy of the inputs is made:
 *  - a literal with a hash is {"hash": h};
 *  - a collection or map without one is {"collection": {"literals":
 *    [...]}} or {"map": {"literals": {...}}} over its hashified elements
 *    (an empty one is {"collection": {}}), its own metadata left out;
 *  - anything else is the literal as it is.
 * test_key checks that this gives pbhash(hashify(...)) for every kind.
 */
static int hash_hashified(walk *w, const cachet_literal *lit, unsigned depth,
			  uint8_t out[CACHET__OH_LEN]);

static const cachet__field_desc *literal_field(uint32_t number)
{
	return cachet__field_by_number(&cachet__literal_desc, number);
}

/* {"literals": <hash of the elements>}, or {} when there are none. */
static int wrap_literals(walk *w, const cachet__field_desc *f, size_t n, size_t mark,
			 uint8_t out[CACHET__OH_LEN])
{
	uint8_t k[CACHET__OH_LEN], v[CACHET__OH_LEN];
	int rc;

	if (n == 0)
		return cachet__oh_leaf(out, 'd', NULL, 0);
	rc = f->label == CACHET__MAP ? cachet__oh_close_dict(&w->stack, mark, v)
				     : cachet__oh_close_list(&w->stack, mark, v);
	if (rc == 0)
		rc = hash_field_name(f, k);
	if (rc == 0)
		rc = cachet__oh_push_entry(&w->stack, k, v);
	if (rc < 0) {
		cachet__oh_pop(&w->stack, mark);
		return rc;
	}
	return cachet__oh_close_dict(&w->stack, mark, out);
}

static int hashified_collection(walk *w, const cachet_literal_collection *c, unsigned depth,
				uint8_t out[CACHET__OH_LEN])
{
	const cachet__field_desc *f = cachet__field_by_number(&cachet__literal_collection_desc, 1);
	size_t n = c ? c->n_literals : 0;
	size_t mark = cachet__oh_mark(&w->stack);
	int rc;

	if (depth >= CACHET_MAX_DEPTH)
		return too_deep();
	for (size_t i = 0; i < n; i++) {
		uint8_t v[CACHET__OH_LEN];
		rc = hash_hashified(w, c->literals[i], depth + 1, v);
		if (rc < 0) {
			path_prepend_index(w, i);
			path_prepend_str(w, f->json_name);
			goto fail;
		}
		rc = cachet__oh_push(&w->stack, v);
		if (rc < 0)
			goto fail;
	}
	return wrap_literals(w, f, n, mark, out);
fail:
	cachet__oh_pop(&w->stack, mark);
	return rc;
}

static int hashified_map(walk *w, const cachet_literal_map *m, unsigned depth,
			 uint8_t out[CACHET__OH_LEN])
{
	const cachet__field_desc *f = cachet__field_by_number(&cachet__literal_map_desc, 1);
	size_t n = m ? m->n_literals : 0;
	size_t mark = cachet__oh_mark(&w->stack);
	int rc;

	if (depth >= CACHET_MAX_DEPTH)
		return too_deep();
	for (size_t i = 0; i < n; i++) {
		uint8_t k[CACHET__OH_LEN], v[CACHET__OH_LEN];
		rc = hash_str(k, m->literals[i].key);
		if (rc == 0) {
			rc = hash_hashified(w, m->literals[i].value, depth + 1, v);
			if (rc < 0) {
				path_prepend_key(w, m->literals[i].key);
				path_prepend_str(w, f->json_name);
			}
		}
		if (rc == 0)
			rc = cachet__oh_push_entry(&w->stack, k, v);
		if (rc < 0)
			goto fail;
	}
	return wrap_literals(w, f, n, mark, out);
fail:
	cachet__oh_pop(&w->stack, mark);
	return rc;
}

static int hash_hashified(walk *w, const cachet_literal *lit, unsigned depth,
			  uint8_t out[CACHET__OH_LEN])
{
	const cachet__field_desc *f;
	uint8_t k[CACHET__OH_LEN], v[CACHET__OH_LEN];
	size_t mark = cachet__oh_mark(&w->stack);
	int rc;

	if (depth >= CACHET_MAX_DEPTH)
		return too_deep();
	if (lit != NULL && cachet_str_len(lit->hash) > 0) {
		f = literal_field(4);
		rc = hash_str(v, lit->hash);
	} else if (lit != NULL && lit->kind == CACHET_LITERAL_COLLECTION) {
		f = literal_field(CACHET_LITERAL_COLLECTION);
		rc = hashified_collection(w, lit->collection, depth + 1, v);
	} else if (lit != NULL && lit->kind == CACHET_LITERAL_MAP) {
		f = literal_field(CACHET_LITERAL_MAP);
		rc = hashified_map(w, lit->map, depth + 1, v);
	} else {
		return hash_message(w, &cachet__literal_desc, lit, depth, out);
	}
	if (rc < 0)
		path_prepend_str(w, f->json_name);
	if (rc == 0)
		rc = hash_field_name(f, k);
	if (rc == 0)
		rc = cachet__oh_push_entry(&w->stack, k, v);
	if (rc < 0) {
		cachet__oh_pop(&w->stack, mark);
		return rc;
	}
	return cachet__oh_close_dict(&w->stack, mark, out);
}

/* Whether the input named by the counted string name is in the list of
 * C strings: a name holding NUL matches none. */
static bool ignored(const char *name, const char *const *ignore, size_t n_ignore)
{
	size_t len = cachet_str_len(name);

	for (size_t i = 0; i < n_ignore; i++)
		if (ignore[i] != NULL && strlen(ignore[i]) == len && memcmp(ignore[i], name, len) == 0)
			return true;
	return false;
}

/* A LiteralMap of the inputs not ignored, each hashified. */
static int hash_tag_inputs(walk *w, const cachet_literal_map *inputs, const char *const *ignore,
			   size_t n_ignore, uint8_t out[CACHET__OH_LEN])
{
	const cachet__field_desc *f = cachet__field_by_number(&cachet__literal_map_desc, 1);
	size_t n = inputs ? inputs->n_literals : 0, kept = 0;
	size_t mark = cachet__oh_mark(&w->stack);
	int rc;

	for (size_t i = 0; i < n; i++) {
		const char *key = inputs->literals[i].key;
		uint8_t k[CACHET__OH_LEN], v[CACHET__OH_LEN];

		if (ignored(key, ignore, n_ignore))
			continue;
		rc = hash_str(k, key);
		if (rc == 0) {
			/* the map is depth 0, its values depth 1 */
			rc = hash_hashified(w, inputs->literals[i].value, 1, v);
			if (rc < 0) {
				path_prepend_key(w, key);
				path_prepend_str(w, f->json_name);
			}
		}
		if (rc == 0)
			rc = cachet__oh_push_entry(&w->stack, k, v);
		if (rc < 0) {
			cachet__oh_pop(&w->stack, mark);
			return rc;
		}
		kept++;
	}
	return wrap_literals(w, f, kept, mark, out);
}

/* ---- entry points ---- */

/* Put the path in front of the message of a failed walk, and free the walk. */
static int walk_end(walk *w, int rc)
{
	if (rc < 0 && w->head_len > 0)
		cachet__error_prefix("%.*s%s%.*s", (int)w->head_len, w->head, w->cut ? "..." : "",
				     (int)w->tail_len, w->tail);
	cachet__buf_dispose(&w->stack);
	cachet__buf_dispose(&w->scratch);
	return rc;
}

int cachet__pbhash(uint8_t out[CACHET__OH_LEN], const cachet__message_desc *d, const void *msg)
{
	walk w = {.stack = CACHET_BUF_INIT, .scratch = CACHET_BUF_INIT};
	return walk_end(&w, hash_message(&w, d, msg, 0, out));
}

int cachet__pbhash_tag(uint8_t out[CACHET__OH_LEN], const cachet_literal_map *inputs,
		       const char *const *ignore, size_t n_ignore)
{
	walk w = {.stack = CACHET_BUF_INIT, .scratch = CACHET_BUF_INIT};
	return walk_end(&w, hash_tag_inputs(&w, inputs, ignore, n_ignore, out));
}

/* ---- public ---- */

static int check_out(const uint8_t *out)
{
	return out ? 0 : cachet__error(CACHET_EINVALID, "pbhash: no output buffer");
}

int cachet_pbhash_literal_map(uint8_t out[CACHET_HASH_LEN], const cachet_literal_map *map)
{
	int rc = check_out(out);
	return rc < 0 ? rc : cachet__pbhash(out, &cachet__literal_map_desc, map);
}

int cachet_pbhash_literal(uint8_t out[CACHET_HASH_LEN], const cachet_literal *lit)
{
	int rc = check_out(out);
	return rc < 0 ? rc : cachet__pbhash(out, &cachet__literal_desc, lit);
}

int cachet_pbhash_variable_map(uint8_t out[CACHET_HASH_LEN], const cachet_variable_map *map)
{
	int rc = check_out(out);
	return rc < 0 ? rc : cachet__pbhash(out, &cachet__variable_map_desc, map);
}
