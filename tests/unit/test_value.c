/*
 * The value layer: builders, maps, copy, equality and free, including
 * every allocation failure along the way.
 */
#include "test_helpers.h"

#include "cachet/value.h"
#include "util/alloc.h"
#include "value/message.h"

#include <math.h>

/* Put a freshly built value; a NULL value means its builder failed, and
 * that failure's code is returned. */
static int put(cachet_literal_map *m, const char *key, cachet_literal *value)
{
	if (value == NULL)
		return cachet_error_last()->code;
	return cachet_literal_map_set(m, key, value);
}

static int append(cachet_literal *coll, cachet_literal *item)
{
	if (item == NULL)
		return cachet_error_last()->code;
	return cachet_literal_collection_append(coll, item);
}

/* A literal map with one of every kind the builders make. */
static cachet_literal_map *rich_map(void)
{
	cachet_literal_map *m = NULL;
	cachet_literal *blob, *xs, *kv;
	const uint8_t bytes[] = {0, 1, 2, 255};

	if (cachet_literal_map_new(&m) < 0)
		return NULL;
	if (put(m, "int", cachet_literal_new_integer(-7)) < 0 ||
	    put(m, "float", cachet_literal_new_float(1.5)) < 0 ||
	    put(m, "str", cachet_literal_new_string("h\xc3\xa9llo")) < 0 ||
	    put(m, "bool", cachet_literal_new_boolean(true)) < 0 ||
	    put(m, "when", cachet_literal_new_datetime((cachet_timestamp){1553860800, 5})) < 0 ||
	    put(m, "took", cachet_literal_new_duration((cachet_duration){1, 500000000})) < 0 ||
	    put(m, "none", cachet_literal_new_none()) < 0 ||
	    put(m, "bin", cachet_literal_new_binary(bytes, sizeof bytes, "t")) < 0 ||
	    put(m, "df", cachet_literal_new_dataset("s3://b/df", "parquet")) < 0 ||
	    put(m, "err", cachet_literal_new_error("n1", "boom")) < 0)
		goto fail;

	/* Values are put into the map first, then filled in place, so that
	 * the map owns them whatever fails. */
	if (put(m, "blob", cachet_literal_new_blob("s3://b/dir", "csv", CACHET_BLOB_MULTIPART)) < 0)
		goto fail;
	blob = cachet_literal_map_get(m, "blob");
	if (cachet_literal_set_hash(blob, "sha256:00") < 0 ||
	    cachet_literal_set_metadata(blob, "origin", "test") < 0)
		goto fail;
	if (put(m, "xs", cachet_literal_new_collection()) < 0)
		goto fail;
	xs = cachet_literal_map_get(m, "xs");
	if (append(xs, cachet_literal_new_integer(1)) < 0 ||
	    append(xs, cachet_literal_new_string("")) < 0)
		goto fail;
	if (put(m, "kv", cachet_literal_new_map()) < 0)
		goto fail;
	kv = cachet_literal_map_get(m, "kv");
	if (put(kv->map, "k", cachet_literal_new_integer(2)) < 0)
		goto fail;
	return m;
fail:
	cachet_literal_map_free(m);
	return NULL;
}

static void builders_fill_the_structs(void **state)
{
	(void)state;
	cachet_literal_map *m = rich_map();
	assert_non_null(m);
	assert_int_equal(m->n_literals, 13);

	/* Entries are sorted by key. */
	for (size_t i = 1; i < m->n_literals; i++)
		assert_true(strcmp(m->literals[i - 1].key, m->literals[i].key) < 0);

	cachet_literal *l = cachet_literal_map_get(m, "int");
	assert_int_equal(l->kind, CACHET_LITERAL_SCALAR);
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_PRIMITIVE);
	assert_int_equal(l->scalar->primitive->kind, CACHET_PRIMITIVE_INTEGER);
	assert_int_equal(l->scalar->primitive->integer, -7);

	l = cachet_literal_map_get(m, "blob");
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_BLOB);
	assert_string_equal(l->scalar->blob->uri, "s3://b/dir");
	assert_string_equal(l->scalar->blob->metadata->type->format, "csv");
	assert_int_equal(l->scalar->blob->metadata->type->dimensionality, CACHET_BLOB_MULTIPART);
	assert_string_equal(l->hash, "sha256:00");
	assert_int_equal(l->n_metadata, 1);
	assert_string_equal(l->metadata[0].key, "origin");
	assert_string_equal(l->metadata[0].value, "test");

	l = cachet_literal_map_get(m, "df");
	assert_int_equal(l->scalar->kind, CACHET_SCALAR_STRUCTURED_DATASET);
	assert_string_equal(
		l->scalar->structured_dataset->metadata->structured_dataset_type->format, "parquet");

	l = cachet_literal_map_get(m, "bin");
	assert_int_equal(l->scalar->binary->value.len, 4);
	assert_int_equal(l->scalar->binary->value.data[3], 255);

	l = cachet_literal_map_get(m, "xs");
	assert_int_equal(l->kind, CACHET_LITERAL_COLLECTION);
	assert_int_equal(l->collection->n_literals, 2);
	/* The empty string is stored as NULL, which means "". */
	assert_null(l->collection->literals[1]->scalar->primitive->string_value);
	assert_int_equal(l->collection->literals[1]->scalar->primitive->kind,
			 CACHET_PRIMITIVE_STRING);

	l = cachet_literal_map_get(m, "when");
	assert_int_equal(l->scalar->primitive->datetime->seconds, 1553860800);
	assert_int_equal(l->scalar->primitive->datetime->nanos, 5);

	assert_null(cachet_literal_map_get(m, "missing"));
	cachet_literal_map_free(m);
}

static void map_set_replaces_and_remove_removes(void **state)
{
	(void)state;
	cachet_literal_map *m;
	assert_int_equal(cachet_literal_map_new(&m), 0);
	assert_int_equal(cachet_literal_map_set(m, "b", cachet_literal_new_integer(1)), 0);
	assert_int_equal(cachet_literal_map_set(m, "a", cachet_literal_new_integer(2)), 0);
	assert_int_equal(cachet_literal_map_set(m, "b", cachet_literal_new_integer(3)), 0);
	assert_int_equal(m->n_literals, 2);
	assert_string_equal(m->literals[0].key, "a");
	assert_int_equal(cachet_literal_map_get(m, "b")->scalar->primitive->integer, 3);

	assert_int_equal(cachet_literal_map_remove(m, "a"), 0);
	assert_cachet_error(cachet_literal_map_remove(m, "a"), CACHET_ENOTFOUND,
			    "no entry named 'a'");
	assert_int_equal(cachet_literal_map_remove(m, "b"), 0);
	assert_int_equal(m->n_literals, 0);
	assert_null(m->literals);
	cachet_literal_map_free(m);
}

static void bad_arguments_are_refused(void **state)
{
	(void)state;
	cachet_literal_map *m;
	assert_int_equal(cachet_literal_map_new(&m), 0);

	/* Not UTF-8: refused, and the value handed over is freed (ASan). */
	assert_null(cachet_literal_new_string("\xff"));
	assert_int_equal(cachet_error_last()->code, CACHET_EINVALID);
	assert_string_equal(cachet_error_last()->message,
			    "string value is not valid UTF-8 (byte 0)");
	assert_cachet_error(cachet_literal_map_set(m, "\xc3", cachet_literal_new_integer(1)),
			    CACHET_EINVALID, "literal name is not valid UTF-8 (byte 0)");
	assert_cachet_error(cachet_literal_map_set(m, NULL, cachet_literal_new_integer(1)),
			    CACHET_EINVALID, NULL);
	assert_cachet_error(cachet_literal_collection_append(cachet_literal_map_get(m, "x"),
							     cachet_literal_new_integer(1)),
			    CACHET_EINVALID, "literal is not a collection");

	cachet_literal *i = cachet_literal_new_integer(1);
	assert_cachet_error(cachet_literal_collection_append(i, cachet_literal_new_none()),
			    CACHET_EINVALID, "literal is not a collection");
	assert_cachet_error(cachet_literal_set_hash(i, "\x80"), CACHET_EINVALID,
			    "hash is not valid UTF-8 (byte 0)");
	assert_int_equal(cachet_literal_set_hash(i, "h"), 0);
	assert_int_equal(cachet_literal_set_hash(i, ""), 0);
	assert_null(i->hash);
	cachet_literal_free(i);
	assert_int_equal(m->n_literals, 0);
	cachet_literal_map_free(m);
}

static void copy_is_deep_and_equal(void **state)
{
	(void)state;
	cachet_literal_map *m = rich_map(), *c;
	assert_non_null(m);
	assert_int_equal(cachet_literal_map_copy(&c, m), 0);
	assert_true(cachet_literal_map_equal(m, c));
	assert_ptr_not_equal(m->literals, c->literals);
	assert_ptr_not_equal(cachet_literal_map_get(m, "blob")->scalar->blob->uri,
			     cachet_literal_map_get(c, "blob")->scalar->blob->uri);

	/* Any change makes them differ. */
	cachet_literal_map_get(c, "kv")->map->literals[0].value->scalar->primitive->integer = 3;
	assert_false(cachet_literal_map_equal(m, c));
	cachet_literal_map_free(c);

	assert_int_equal(cachet_literal_map_copy(&c, m), 0);
	assert_int_equal(cachet_literal_set_metadata(cachet_literal_map_get(c, "int"), "k", ""), 0);
	assert_false(cachet_literal_map_equal(m, c));
	cachet_literal_map_free(c);

	assert_int_equal(cachet_literal_map_copy(&c, NULL), 0);
	assert_null(c);
	cachet_literal_map_free(m);
}

static void equality_follows_the_encoding(void **state)
{
	(void)state;
	cachet_literal *a = cachet_literal_new_float(0.0), *b = cachet_literal_new_float(-0.0);
	cachet_literal *n1 = cachet_literal_new_float(NAN), *n2;

	/* -0.0 is encoded, +0.0 is not (outside a oneof); inside the oneof
	 * both are written, with different bits. */
	assert_false(cachet_literal_equal(a, b));
	assert_int_equal(cachet_literal_copy(&n2, n1), 0);
	assert_true(cachet_literal_equal(n1, n2));

	/* NULL string equals "" */
	cachet_literal *s1 = cachet_literal_new_string(""), *s2 = cachet_literal_new_string("");
	s2->scalar->primitive->string_value = cachet_str_dup("");
	assert_true(cachet_literal_equal(s1, s2));

	/* An absent message differs from a present empty one. */
	cachet_literal *e1 = cachet_literal_new_none(), *e2;
	assert_int_equal(cachet_literal_copy(&e2, e1), 0);
	assert_true(cachet_literal_equal(e1, e2));
	cachet__message_free(&cachet__void_desc, e2->scalar->none_type);
	e2->scalar->none_type = NULL;
	e2->scalar->kind = CACHET_SCALAR_NOT_SET;
	assert_false(cachet_literal_equal(e1, e2));

	assert_true(cachet_literal_equal(NULL, NULL));
	assert_false(cachet_literal_equal(a, NULL));
	cachet_literal_free(a);
	cachet_literal_free(b);
	cachet_literal_free(n1);
	cachet_literal_free(n2);
	cachet_literal_free(s1);
	cachet_literal_free(s2);
	cachet_literal_free(e1);
	cachet_literal_free(e2);
}

static void types_and_interfaces(void **state)
{
	(void)state;
	cachet_interface *iface, *copy;
	assert_int_equal(cachet_interface_new(&iface), 0);
	assert_int_equal(cachet_interface_add(iface, false, "n",
					      cachet_literal_type_new_simple(CACHET_SIMPLE_INTEGER),
					      "a number"),
			 0);
	assert_int_equal(cachet_interface_add(iface, false, "df",
					      cachet_literal_type_new_dataset("csv"), NULL),
			 0);
	assert_int_equal(
		cachet_interface_add(iface, true, "files",
				     cachet_literal_type_new_collection(cachet_literal_type_new_blob(
					     "txt", CACHET_BLOB_SINGLE)),
				     NULL),
		0);
	assert_int_equal(cachet_interface_add(iface, true, "m",
					      cachet_literal_type_new_map(cachet_literal_type_new_simple(
						      CACHET_SIMPLE_STRING)),
					      NULL),
			 0);
	assert_int_equal(iface->inputs->n_variables, 2);
	assert_string_equal(iface->inputs->variables[0].key, "df");
	cachet_variable *v = cachet_variable_map_get(iface->inputs, "n");
	assert_non_null(v);
	assert_string_equal(v->description, "a number");
	assert_int_equal(v->type->kind, CACHET_TYPE_SIMPLE);
	assert_string_equal(cachet_simple_type_name(v->type->simple), "INTEGER");
	assert_null(cachet_simple_type_name(42));

	v = cachet_variable_map_get(iface->outputs, "files");
	assert_int_equal(v->type->kind, CACHET_TYPE_COLLECTION);
	assert_int_equal(v->type->collection_type->kind, CACHET_TYPE_BLOB);
	assert_string_equal(v->type->collection_type->blob->format, "txt");

	assert_int_equal(cachet_interface_copy(&copy, iface), 0);
	assert_true(cachet_interface_equal(iface, copy));
	assert_int_equal(cachet_interface_add(copy, true, "m",
					      cachet_literal_type_new_simple(CACHET_SIMPLE_STRING),
					      NULL),
			 0);
	assert_false(cachet_interface_equal(iface, copy));

	assert_cachet_error(cachet_interface_add(copy, true, NULL,
						 cachet_literal_type_new_simple(1), NULL),
			    CACHET_EINVALID, "interface, name and type must not be NULL");
	cachet_interface_free(copy);
	cachet_interface_free(iface);
}

static void oneof_select_clears_the_previous_member(void **state)
{
	(void)state;
	cachet_literal *lit = cachet_literal_new_string("text");
	cachet_primitive *p = lit->scalar->primitive;
	const cachet__field_desc *integer = cachet__field_by_number(&cachet__primitive_desc, 1);

	/* Selecting the integer frees the string (ASan would see a leak). */
	cachet__oneof_select(&cachet__primitive_desc, p, integer);
	assert_int_equal(p->kind, CACHET_PRIMITIVE_INTEGER);
	assert_int_equal(p->integer, 0);
	assert_true(cachet__field_present(p, integer));
	cachet_literal_free(lit);
}

static void map_normalize_sorts_and_keeps_the_last(void **state)
{
	(void)state;
	cachet_literal_map *m;
	const cachet__field_desc *f = &cachet__literal_map_desc.fields[0];
	const char *keys[] = {"b", "a", "b", "c", "a"};

	assert_int_equal(cachet_literal_map_new(&m), 0);
	m->literals = cachet__calloc(5, sizeof(*m->literals));
	for (int i = 0; i < 5; i++) {
		m->literals[i].key = cachet_str_dup(keys[i]);
		m->literals[i].value = cachet_literal_new_integer(i);
	}
	m->n_literals = 5;
	assert_false(cachet__map_is_sorted(m, f));
	assert_int_equal(cachet__map_normalize(m, f), 0);
	assert_true(cachet__map_is_sorted(m, f));
	assert_int_equal(m->n_literals, 3);
	assert_int_equal(cachet_literal_map_get(m, "a")->scalar->primitive->integer, 4);
	assert_int_equal(cachet_literal_map_get(m, "b")->scalar->primitive->integer, 2);
	assert_int_equal(cachet_literal_map_get(m, "c")->scalar->primitive->integer, 3);
	cachet_literal_map_free(m);
}

/* Fail every allocation in turn: each failure must report ENOMEM and leak
 * nothing (ASan checks the leaks), until the operation succeeds. */
static void allocation_failures_leak_nothing(void **state)
{
	(void)state;
	cachet_literal_map *m = rich_map();
	assert_non_null(m);

	for (long n = 0;; n++) {
		cachet_literal_map *c = NULL;
		cachet__alloc_fail_after(n);
		int rc = cachet_literal_map_copy(&c, m);
		cachet__alloc_fail_reset();
		if (rc == 0) {
			assert_true(cachet_literal_map_equal(m, c));
			cachet_literal_map_free(c);
			assert_true(n > 10);
			break;
		}
		assert_int_equal(rc, CACHET_ENOMEM);
		assert_null(c);
	}
	for (long n = 0;; n++) {
		cachet__alloc_fail_after(n);
		cachet_literal_map *built = rich_map();
		cachet__alloc_fail_reset();
		if (built != NULL) {
			assert_true(cachet_literal_map_equal(m, built));
			cachet_literal_map_free(built);
			break;
		}
		assert_int_equal(cachet_error_last()->code, CACHET_ENOMEM);
	}
	cachet_literal_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builders_fill_the_structs),
		cmocka_unit_test(map_set_replaces_and_remove_removes),
		cmocka_unit_test(bad_arguments_are_refused),
		cmocka_unit_test(copy_is_deep_and_equal),
		cmocka_unit_test(equality_follows_the_encoding),
		cmocka_unit_test(types_and_interfaces),
		cmocka_unit_test(oneof_select_clears_the_previous_member),
		cmocka_unit_test(map_normalize_sorts_and_keeps_the_last),
		cmocka_unit_test(allocation_failures_leak_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
