/*
 * Generic free, copy, equality, oneof and map handling for every value
 * struct, driven by the descriptors of value/schema.c.
 */
#include "value/message.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/os.h"

#include <stdlib.h>
#include <string.h>

/*
 * Recursion here follows the nesting of the value. Values built by the
 * decoders are at most CACHET_MAX_DEPTH deep; values built by hand are the
 * caller's responsibility, as with any recursive structure.
 */

static int *kind_at(void *msg, const cachet__field_desc *f)
{
	return (int *)(void *)((char *)msg + f->oneof_offset);
}

int cachet__oneof_kind(const void *msg, const cachet__field_desc *f)
{
	return *(const int *)(const void *)((const char *)msg + f->oneof_offset);
}

static bool is_selected(const void *msg, const cachet__field_desc *f)
{
	return f->oneof_offset == CACHET__NOT_ONEOF ||
	       cachet__oneof_kind(msg, f) == (int)f->number;
}

static size_t *count_at(void *msg, const cachet__field_desc *f)
{
	return (size_t *)(void *)((char *)msg + f->count_offset);
}

static void **pointer_at(void *msg, const cachet__field_desc *f)
{
	return (void **)cachet__field_at(msg, f);
}

bool cachet__field_present(const void *msg, const cachet__field_desc *f)
{
	const void *p = cachet__field_at_const(msg, f);

	if (f->label != CACHET__SINGULAR)
		return cachet__field_count(msg, f) > 0;
	if (f->oneof_offset != CACHET__NOT_ONEOF)
		return cachet__oneof_kind(msg, f) == (int)f->number;
	switch (f->type) {
	case CACHET__INT64:
		return *(const int64_t *)p != 0;
	case CACHET__UINT64:
		return *(const uint64_t *)p != 0;
	case CACHET__INT32:
	case CACHET__ENUM:
		return *(const int32_t *)p != 0;
	case CACHET__DOUBLE: {
		/* Only +0.0 is the default: -0.0 has a bit set and is written. */
		uint64_t bits;
		memcpy(&bits, p, sizeof bits);
		return bits != 0;
	}
	case CACHET__BOOL:
		return *(const bool *)p;
	case CACHET__STRING:
		return cachet_str_len(*(char *const *)p) > 0;
	case CACHET__BYTES:
		return ((const cachet_bytes *)p)->len > 0;
	case CACHET__MESSAGE:
		return *(void *const *)p != NULL;
	}
	return false;
}

void *cachet__message_new(const cachet__message_desc *d)
{
	return cachet__calloc(1, d->size);
}

void cachet__element_free(const cachet__field_desc *f, void *element)
{
	if (f->type == CACHET__MESSAGE)
		cachet__message_free(f->message, element);
	else
		cachet_str_free(element);
}

/* Free what a selected field owns, without resetting it. */
static void field_release(void *msg, const cachet__field_desc *f)
{
	if (f->label == CACHET__REPEATED) {
		void **items = *pointer_at(msg, f);
		size_t n = *count_at(msg, f);
		for (size_t i = 0; i < n; i++)
			cachet__element_free(f, items[i]);
		cachet__free(items);
	} else if (f->label == CACHET__MAP) {
		struct cachet__map_entry *entries = *pointer_at(msg, f);
		size_t n = *count_at(msg, f);
		for (size_t i = 0; i < n; i++) {
			cachet_str_free(entries[i].key);
			cachet__element_free(f, entries[i].value);
		}
		cachet__free(entries);
	} else if (f->type == CACHET__MESSAGE) {
		cachet__message_free(f->message, *pointer_at(msg, f));
	} else if (f->type == CACHET__STRING) {
		cachet_str_free(*pointer_at(msg, f));
	} else if (f->type == CACHET__BYTES) {
		cachet__free(((cachet_bytes *)cachet__field_at(msg, f))->data);
	}
}

/* Zero a field's storage (its size depends on its type). */
static void field_zero(void *msg, const cachet__field_desc *f)
{
	void *p = cachet__field_at(msg, f);

	if (f->label != CACHET__SINGULAR) {
		*(void **)p = NULL;
		*count_at(msg, f) = 0;
		return;
	}
	switch (f->type) {
	case CACHET__INT64:
		*(int64_t *)p = 0;
		break;
	case CACHET__UINT64:
		*(uint64_t *)p = 0;
		break;
	case CACHET__INT32:
	case CACHET__ENUM:
		*(int32_t *)p = 0;
		break;
	case CACHET__DOUBLE:
		*(double *)p = 0.0;
		break;
	case CACHET__BOOL:
		*(bool *)p = false;
		break;
	case CACHET__BYTES:
		memset(p, 0, sizeof(cachet_bytes));
		break;
	case CACHET__STRING:
	case CACHET__MESSAGE:
		*(void **)p = NULL;
		break;
	}
}

void cachet__field_clear(void *msg, const cachet__field_desc *f)
{
	if (!is_selected(msg, f))
		return;
	field_release(msg, f);
	field_zero(msg, f);
	if (f->oneof_offset != CACHET__NOT_ONEOF)
		*kind_at(msg, f) = 0;
}

void cachet__message_clear(const cachet__message_desc *d, void *msg)
{
	for (size_t i = 0; i < d->n_fields; i++)
		cachet__field_clear(msg, &d->fields[i]);
	memset(msg, 0, d->size);
}

void cachet__message_free(const cachet__message_desc *d, void *msg)
{
	if (msg == NULL)
		return;
	for (size_t i = 0; i < d->n_fields; i++)
		if (is_selected(msg, &d->fields[i]))
			field_release(msg, &d->fields[i]);
	cachet__free(msg);
}

void cachet__oneof_select(const cachet__message_desc *d, void *msg, const cachet__field_desc *f)
{
	int kind = cachet__oneof_kind(msg, f);

	if (kind != 0) {
		const cachet__field_desc *current = cachet__field_by_number(d, (uint32_t)kind);
		if (current != NULL)
			cachet__field_clear(msg, current);
	}
	field_zero(msg, f);
	*kind_at(msg, f) = (int)f->number;
}

/* ---- copy ---- */

static int element_copy(const cachet__field_desc *f, void **out, const void *src)
{
	if (f->type == CACHET__MESSAGE)
		return cachet__message_copy(f->message, out, src);
	return cachet__str_copy((char **)out, src);
}

static int repeated_copy(void *dst, const void *src, const cachet__field_desc *f)
{
	size_t n = cachet__field_count(src, f);
	void *const *from = *(void *const *)cachet__field_at_const(src, f);
	void **to;

	if (n == 0)
		return 0;
	to = cachet__calloc(n, sizeof(void *));
	if (to == NULL)
		return CACHET_ENOMEM;
	/* Store first, so that a failure part-way is freed with dst. */
	*pointer_at(dst, f) = to;
	for (size_t i = 0; i < n; i++) {
		int rc = element_copy(f, &to[i], from[i]);
		*count_at(dst, f) = i + (rc == 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int map_copy(void *dst, const void *src, const cachet__field_desc *f)
{
	size_t n = cachet__field_count(src, f);
	const struct cachet__map_entry *from = cachet__map_entries(src, f);
	struct cachet__map_entry *to;

	if (n == 0)
		return 0;
	to = cachet__calloc(n, sizeof(*to));
	if (to == NULL)
		return CACHET_ENOMEM;
	*pointer_at(dst, f) = to;
	for (size_t i = 0; i < n; i++) {
		/* Count the entry before filling it: a half-copied entry (key
		 * without value) is still freed correctly with dst. */
		*count_at(dst, f) = i + 1;
		to[i].key = cachet_str_new(from[i].key, cachet_str_len(from[i].key));
		if (to[i].key == NULL)
			return CACHET_ENOMEM;
		int rc = element_copy(f, &to[i].value, from[i].value);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int singular_copy(void *dst, const void *src, const cachet__field_desc *f)
{
	const void *from = cachet__field_at_const(src, f);
	void *to = cachet__field_at(dst, f);

	switch (f->type) {
	case CACHET__STRING:
	case CACHET__MESSAGE:
		return element_copy(f, (void **)to, *(void *const *)from);
	case CACHET__BYTES: {
		const cachet_bytes *b = from;
		cachet_bytes *c = to;
		if (b->len == 0)
			return 0;
		c->data = cachet__malloc(b->len);
		if (c->data == NULL)
			return CACHET_ENOMEM;
		memcpy(c->data, b->data, b->len);
		c->len = b->len;
		return 0;
	}
	default:
		/* Plain scalars were copied with the struct. */
		return 0;
	}
}

int cachet__message_copy(const cachet__message_desc *d, void **out, const void *src)
{
	void *dst;
	int rc = 0;

	*out = NULL;
	if (src == NULL)
		return 0;
	dst = cachet__malloc(d->size);
	if (dst == NULL)
		return CACHET_ENOMEM;
	/*
	 * Start from a bitwise copy (kinds, plain scalars), then zero every
	 * owning field so that dst is always safe to free, then deep-copy them
	 * one by one.
	 */
	memcpy(dst, src, d->size);
	for (size_t i = 0; i < d->n_fields; i++) {
		const cachet__field_desc *f = &d->fields[i];
		if (is_selected(src, f) && (f->label != CACHET__SINGULAR || f->type >= CACHET__STRING))
			field_zero(dst, f);
	}
	for (size_t i = 0; i < d->n_fields && rc == 0; i++) {
		const cachet__field_desc *f = &d->fields[i];
		if (!is_selected(src, f))
			continue;
		if (f->label == CACHET__REPEATED)
			rc = repeated_copy(dst, src, f);
		else if (f->label == CACHET__MAP)
			rc = map_copy(dst, src, f);
		else
			rc = singular_copy(dst, src, f);
	}
	if (rc < 0) {
		cachet__message_free(d, dst);
		return rc;
	}
	*out = dst;
	return 0;
}

/* ---- equality ---- */

static bool elements_equal(const cachet__field_desc *f, const void *a, const void *b)
{
	if (f->type == CACHET__MESSAGE)
		return cachet__message_equal(f->message, a, b);
	return cachet__str_equal(a, b);
}

static bool singular_equal(const cachet__field_desc *f, const void *a, const void *b)
{
	const void *pa = cachet__field_at_const(a, f);
	const void *pb = cachet__field_at_const(b, f);

	switch (f->type) {
	case CACHET__INT64:
	case CACHET__UINT64:
	case CACHET__DOUBLE: /* bit for bit: NaN equals itself, -0 differs from +0 */
		return memcmp(pa, pb, 8) == 0;
	case CACHET__INT32:
	case CACHET__ENUM:
		return *(const int32_t *)pa == *(const int32_t *)pb;
	case CACHET__BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	case CACHET__STRING:
	case CACHET__MESSAGE:
		return elements_equal(f, *(void *const *)pa, *(void *const *)pb);
	case CACHET__BYTES: {
		const cachet_bytes *x = pa, *y = pb;
		return x->len == y->len && (x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
	}
	}
	return false;
}

static bool field_equal(const cachet__field_desc *f, const void *a, const void *b)
{
	size_t n;

	if (f->oneof_offset != CACHET__NOT_ONEOF) {
		bool sa = is_selected(a, f), sb = is_selected(b, f);
		if (sa != sb)
			return false;
		if (!sa)
			return true;
	}
	if (f->label == CACHET__SINGULAR)
		return singular_equal(f, a, b);
	n = cachet__field_count(a, f);
	if (n != cachet__field_count(b, f))
		return false;
	if (f->label == CACHET__REPEATED) {
		void *const *x = *(void *const *)cachet__field_at_const(a, f);
		void *const *y = *(void *const *)cachet__field_at_const(b, f);
		for (size_t i = 0; i < n; i++)
			if (!elements_equal(f, x[i], y[i]))
				return false;
		return true;
	}
	const struct cachet__map_entry *x = cachet__map_entries(a, f);
	const struct cachet__map_entry *y = cachet__map_entries(b, f);
	for (size_t i = 0; i < n; i++)
		if (!cachet__str_equal(x[i].key, y[i].key) ||
		    !elements_equal(f, x[i].value, y[i].value))
			return false;
	return true;
}

bool cachet__message_equal(const cachet__message_desc *d, const void *a, const void *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (size_t i = 0; i < d->n_fields; i++)
		if (!field_equal(&d->fields[i], a, b))
			return false;
	return true;
}

/* ---- repeated fields and maps ---- */

int cachet__repeated_append(void *msg, const cachet__field_desc *f, void *element)
{
	size_t n = *count_at(msg, f);
	void **items = cachet__reallocarray(*pointer_at(msg, f), n + 1, sizeof(void *));

	if (items == NULL) {
		cachet__element_free(f, element);
		return CACHET_ENOMEM;
	}
	items[n] = element;
	*pointer_at(msg, f) = items;
	*count_at(msg, f) = n + 1;
	return 0;
}

/* Map keys in byte order, lengths included: "a" < "a\0" < "a\0b" < "b". */
static int key_compare(const struct cachet__map_entry *x, const struct cachet__map_entry *y)
{
	return cachet__str_compare(x->key, cachet_str_len(x->key), y->key, cachet_str_len(y->key));
}

size_t cachet__map_find(const void *msg, const cachet__field_desc *f, const char *key,
			size_t key_len, bool *found)
{
	const struct cachet__map_entry *entries = cachet__map_entries(msg, f);
	size_t lo = 0, hi = cachet__field_count(msg, f);

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = entries[mid].key;
		int c = cachet__str_compare(k, cachet_str_len(k), key, key_len);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void *cachet__map_get(const void *msg, const cachet__field_desc *f, const char *key,
		      size_t key_len)
{
	bool found;
	size_t i = cachet__map_find(msg, f, key, key_len, &found);

	return found ? cachet__map_entries(msg, f)[i].value : NULL;
}

int cachet__map_set(void *msg, const cachet__field_desc *f, const char *key, size_t key_len,
		    void *value)
{
	bool found;
	size_t i = cachet__map_find(msg, f, key, key_len, &found);
	size_t n = *count_at(msg, f);
	struct cachet__map_entry *entries;
	char *key_copy;

	if (found) {
		entries = *pointer_at(msg, f);
		cachet__element_free(f, entries[i].value);
		entries[i].value = value;
		return 0;
	}
	key_copy = cachet_str_new(key, key_len);
	entries = key_copy ? cachet__reallocarray(*pointer_at(msg, f), n + 1, sizeof(*entries)) : NULL;
	if (entries == NULL) {
		cachet_str_free(key_copy);
		cachet__element_free(f, value);
		return CACHET_ENOMEM;
	}
	memmove(&entries[i + 1], &entries[i], (n - i) * sizeof(*entries));
	entries[i].key = key_copy;
	entries[i].value = value;
	*pointer_at(msg, f) = entries;
	*count_at(msg, f) = n + 1;
	return 0;
}

int cachet__map_remove(void *msg, const cachet__field_desc *f, const char *key, size_t key_len)
{
	bool found;
	size_t i = cachet__map_find(msg, f, key, key_len, &found);
	size_t n = *count_at(msg, f);
	struct cachet__map_entry *entries = *pointer_at(msg, f);
	char shown[CACHET__SHOW_MAX];

	if (!found)
		return cachet__error(CACHET_ENOTFOUND, "no entry named '%s'",
				     cachet__bytes_show(shown, key, key_len));
	cachet_str_free(entries[i].key);
	cachet__element_free(f, entries[i].value);
	memmove(&entries[i], &entries[i + 1], (n - i - 1) * sizeof(*entries));
	*count_at(msg, f) = n - 1;
	if (n == 1) {
		cachet__free(entries);
		*pointer_at(msg, f) = NULL;
	}
	return 0;
}

bool cachet__map_is_sorted(const void *msg, const cachet__field_desc *f)
{
	const struct cachet__map_entry *entries = cachet__map_entries(msg, f);
	size_t n = cachet__field_count(msg, f);

	for (size_t i = 1; i < n; i++)
		if (key_compare(&entries[i - 1], &entries[i]) >= 0)
			return false;
	return true;
}

/* qsort is not stable: ties are broken by position so the last one wins. */
struct positioned_entry {
	struct cachet__map_entry entry;
	size_t position;
};

static int compare_positioned(const void *a, const void *b)
{
	const struct positioned_entry *x = a, *y = b;
	int c = key_compare(&x->entry, &y->entry);

	if (c != 0)
		return c;
	return (x->position > y->position) - (x->position < y->position);
}

int cachet__map_normalize(void *msg, const cachet__field_desc *f)
{
	struct cachet__map_entry *entries = *pointer_at(msg, f);
	size_t n = *count_at(msg, f), kept = 0;
	struct positioned_entry *tmp;

	if (cachet__map_is_sorted(msg, f))
		return 0;
	tmp = cachet__calloc(n, sizeof(*tmp));
	if (tmp == NULL)
		return CACHET_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		tmp[i].entry = entries[i];
		tmp[i].position = i;
	}
	qsort(tmp, n, sizeof(*tmp), compare_positioned);
	for (size_t i = 0; i < n; i++) {
		bool superseded = i + 1 < n && key_compare(&tmp[i].entry, &tmp[i + 1].entry) == 0;
		if (superseded) {
			cachet_str_free(tmp[i].entry.key);
			cachet__element_free(f, tmp[i].entry.value);
		} else {
			entries[kept++] = tmp[i].entry;
		}
	}
	cachet__free(tmp);
	*count_at(msg, f) = kept;
	return 0;
}
