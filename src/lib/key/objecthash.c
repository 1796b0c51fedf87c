/*
 * objecthash of JSON values (see objecthash.h), and of JSON text through
 * jansson for cachet_objecthash_json.
 */
#include "key/objecthash.h"

#include "cachet/key.h"
#include "codec/json.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/input.h"
#include "util/sha256.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CACHET__OH_LEN == CACHET_SHA256_LEN, "objecthash is a SHA-256");
_Static_assert(CACHET__OH_LEN == CACHET_HASH_LEN, "key.h hashes are objecthashes");

int cachet__oh_leaf(uint8_t out[CACHET__OH_LEN], char tag, const void *data, size_t len)
{
	return cachet__sha256_2(&tag, 1, data, len, out);
}

int cachet__oh_string(uint8_t out[CACHET__OH_LEN], const char *s, size_t len)
{
	return cachet__oh_leaf(out, 'u', s, len);
}

int cachet__oh_bool(uint8_t out[CACHET__OH_LEN], bool b)
{
	return cachet__oh_leaf(out, 'b', b ? "1" : "0", 1);
}

int cachet__oh_null(uint8_t out[CACHET__OH_LEN])
{
	return cachet__oh_leaf(out, 'n', NULL, 0);
}

/*
 * norm(x), exactly as objecthash defines it: bring |x| into (0.5, 1] by
 * halving or doubling, counting the exponent, then write the binary digits.
 * Halving, doubling and subtracting 1 are exact on doubles in that range
 * (subnormals included), so both loops terminate: at most 1074 steps to
 * normalise, at most 54 digits.
 */
size_t cachet__oh_norm(char out[CACHET__OH_NORM_MAX], double x)
{
	if (x == 0) {
		memcpy(out, "+0:", 4);
		return 3;
	}

	double f = fabs(x);
	int e = 0;
	while (f > 1) {
		f /= 2;
		e++;
	}
	while (f <= 0.5) {
		f *= 2;
		e--;
	}

	int n = snprintf(out, CACHET__OH_NORM_MAX, "%c%d:", x < 0 ? '-' : '+', e);
	size_t len = (size_t)n; /* at most "-1074:", cannot fail or truncate */
	while (f != 0 && len < CACHET__OH_NORM_MAX - 1) {
		if (f >= 1) {
			out[len++] = '1';
			f -= 1;
		} else {
			out[len++] = '0';
		}
		f *= 2;
	}
	out[len] = '\0';
	return len;
}

int cachet__oh_number(uint8_t out[CACHET__OH_LEN], double x)
{
	char norm[CACHET__OH_NORM_MAX];

	if (isnan(x))
		return cachet__error(CACHET_EINVALID, "number 'NaN' cannot be hashed");
	if (isinf(x))
		return cachet__error(CACHET_EINVALID, "number '%sInfinity' cannot be hashed",
				     x < 0 ? "-" : "");
	size_t len = cachet__oh_norm(norm, x);
	return cachet__oh_leaf(out, 'f', norm, len);
}

/* ---- containers ---- */

int cachet__oh_push(cachet_buf *stack, const uint8_t h[CACHET__OH_LEN])
{
	return cachet__buf_put(stack, h, CACHET__OH_LEN);
}

int cachet__oh_push_entry(cachet_buf *stack, const uint8_t key[CACHET__OH_LEN],
			  const uint8_t value[CACHET__OH_LEN])
{
	int rc = cachet__buf_grow(stack, 2 * CACHET__OH_LEN);
	if (rc < 0)
		return rc;
	memcpy(stack->ptr + stack->len, key, CACHET__OH_LEN);
	memcpy(stack->ptr + stack->len + CACHET__OH_LEN, value, CACHET__OH_LEN);
	stack->len += 2 * CACHET__OH_LEN;
	stack->ptr[stack->len] = '\0';
	return 0;
}

int cachet__oh_close_list(cachet_buf *stack, size_t mark, uint8_t out[CACHET__OH_LEN])
{
	int rc = cachet__oh_leaf(out, 'l', stack->ptr ? stack->ptr + mark : NULL, stack->len - mark);
	cachet__oh_pop(stack, mark);
	return rc;
}

#define ENTRY_LEN (2 * CACHET__OH_LEN)

static int compare_entries(const void *a, const void *b)
{
	return memcmp(a, b, CACHET__OH_LEN);
}

/*
 * Entries sort by their key hash. Messages have a handful of fields, for
 * which an insertion sort beats qsort's calls through a pointer; maps may
 * be large.
 */
static void sort_entries(unsigned char *e, size_t n)
{
	if (n > 16) {
		qsort(e, n, ENTRY_LEN, compare_entries);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		unsigned char tmp[ENTRY_LEN];
		size_t j = i;
		if (memcmp(e + (j - 1) * ENTRY_LEN, e + j * ENTRY_LEN, CACHET__OH_LEN) <= 0)
			continue;
		memcpy(tmp, e + i * ENTRY_LEN, ENTRY_LEN);
		while (j > 0 && memcmp(e + (j - 1) * ENTRY_LEN, tmp, CACHET__OH_LEN) > 0) {
			memcpy(e + j * ENTRY_LEN, e + (j - 1) * ENTRY_LEN, ENTRY_LEN);
			j--;
		}
		memcpy(e + j * ENTRY_LEN, tmp, ENTRY_LEN);
	}
}

int cachet__oh_close_dict(cachet_buf *stack, size_t mark, uint8_t out[CACHET__OH_LEN])
{
	unsigned char *entries = stack->ptr ? (unsigned char *)stack->ptr + mark : NULL;
	size_t len = stack->len - mark;

	if (entries)
		sort_entries(entries, len / ENTRY_LEN);
	int rc = cachet__oh_leaf(out, 'd', entries, len);
	cachet__oh_pop(stack, mark);
	return rc;
}

/* ---- JSON text ---- */

/* Recursion follows the nesting of the JSON, at most CACHET_MAX_DEPTH. */
static int hash_json(uint8_t out[CACHET__OH_LEN], const json_t *v,
		     const cachet__json_nul_keys *nul_keys, cachet_buf *stack, unsigned depth)
{
	size_t mark;
	int rc;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return cachet__oh_string(out, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return cachet__oh_number(out, (double)json_integer_value(v));
	case JSON_REAL:
		return cachet__oh_number(out, json_real_value(v));
	case JSON_TRUE:
		return cachet__oh_bool(out, true);
	case JSON_FALSE:
		return cachet__oh_bool(out, false);
	case JSON_NULL:
		return cachet__oh_null(out);
	case JSON_ARRAY:
	case JSON_OBJECT:
		break;
	}

	if (depth >= CACHET_MAX_DEPTH)
		return cachet__error(CACHET_ETOODEEP, "JSON nested deeper than %d levels",
				     CACHET_MAX_DEPTH);

	mark = cachet__oh_mark(stack);
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			uint8_t h[CACHET__OH_LEN];
			rc = hash_json(h, json_array_get(v, i), nul_keys, stack, depth + 1);
			if (rc == 0)
				rc = cachet__oh_push(stack, h);
			if (rc < 0)
				goto fail;
		}
		return cachet__oh_close_list(stack, mark, out);
	}

	for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
		uint8_t k[CACHET__OH_LEN], h[CACHET__OH_LEN];
		char *key = cachet__json_key_new(nul_keys, json_object_iter_key(it));
		rc = key ? cachet__oh_string(k, key, cachet_str_len(key)) : CACHET_ENOMEM;
		cachet_str_free(key);
		if (rc == 0)
			rc = hash_json(h, json_object_iter_value(it), nul_keys, stack, depth + 1);
		if (rc == 0)
			rc = cachet__oh_push_entry(stack, k, h);
		if (rc < 0)
			goto fail;
	}
	return cachet__oh_close_dict(stack, mark, out);

fail:
	cachet__oh_pop(stack, mark);
	return rc;
}

int cachet_objecthash_json(uint8_t out[CACHET_HASH_LEN], const char *json, size_t len)
{
	cachet_buf stack = CACHET_BUF_INIT;
	cachet__json_nul_keys nul_keys;
	char *respelled = NULL;
	json_error_t jerr;
	json_t *root;
	int rc;

	if (out == NULL || (json == NULL && len > 0))
		return cachet__error(CACHET_EINVALID, "objecthash: no output or no JSON text");
	if (cachet__input_check(len) < 0)
		return cachet__error_prefix("objecthash: cannot parse %zu bytes of JSON", len);
	/*
	 * Every number is a double to objecthash: parse integers as reals too,
	 * which also accepts integers beyond int64 as Go's float64 does.
	 */
	/* strings and keys may hold U+0000, as Go's JSON reader allows */
	rc = cachet__json_nul_keys_respell(json ? json : "", len, &respelled, &nul_keys);
	if (rc < 0)
		return rc;
	root = json_loadb(respelled ? respelled : json ? json : "", len,
			  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL |
				  JSON_ALLOW_NUL,
			  &jerr);
	cachet__free(respelled);
	if (root == NULL) {
		cachet__json_nul_keys_error_text(&nul_keys, jerr.text);
		return cachet__error(CACHET_EINVALID, "cannot parse JSON: line %d, column %d: %s",
				     jerr.line, jerr.column, jerr.text);
	}
	rc = hash_json(out, root, &nul_keys, &stack, 0);
	json_decref(root);
	cachet__buf_dispose(&stack);
	return rc;
}
