/*
 * Building, copying, comparing and freeing Literals and LiteralMaps: the
 * public face of value.h for literals, over the generic message functions.
 */
#include "value/message.h"
#include "value/text.h"
#include "value/types.h"

#include "util/alloc.h"
#include "util/error.h"

#include <string.h>

#define LITERAL_FIELD(n) cachet__field_by_number(&cachet__literal_desc, n)
#define LITERAL_METADATA 5

static cachet_literal *new_scalar_literal(cachet_scalar_kind kind, void *member,
					  const cachet__message_desc *member_desc)
{
	cachet_literal *lit = cachet__message_new(&cachet__literal_desc);
	cachet_scalar *scalar = cachet__message_new(&cachet__scalar_desc);

	if (lit == NULL || scalar == NULL || member == NULL) {
		cachet__free(lit);
		cachet__free(scalar);
		cachet__message_free(member_desc, member);
		return NULL;
	}
	/* Every member of the scalar oneof is a pointer in the same union. */
	scalar->kind = kind;
	scalar->primitive = member;
	lit->kind = CACHET_LITERAL_SCALAR;
	lit->scalar = scalar;
	return lit;
}

static cachet_literal *new_primitive(cachet_primitive *p)
{
	return new_scalar_literal(CACHET_SCALAR_PRIMITIVE, p, &cachet__primitive_desc);
}

static cachet_primitive *primitive_of(cachet_primitive_kind kind)
{
	cachet_primitive *p = cachet__message_new(&cachet__primitive_desc);

	if (p != NULL)
		p->kind = kind;
	return p;
}

cachet_literal *cachet_literal_new_integer(int64_t value)
{
	cachet_primitive *p = primitive_of(CACHET_PRIMITIVE_INTEGER);

	if (p != NULL)
		p->integer = value;
	return new_primitive(p);
}

cachet_literal *cachet_literal_new_float(double value)
{
	cachet_primitive *p = primitive_of(CACHET_PRIMITIVE_FLOAT);

	if (p != NULL)
		p->float_value = value;
	return new_primitive(p);
}

cachet_literal *cachet_literal_new_string(const char *value)
{
	return cachet_literal_new_string_n(value, value ? strlen(value) : 0);
}

cachet_literal *cachet_literal_new_string_n(const char *value, size_t len)
{
	cachet_primitive *p;

	if (cachet__text_check_n(value, len, "string value") < 0)
		return NULL;
	p = primitive_of(CACHET_PRIMITIVE_STRING);
	if (p != NULL && cachet__text_dup_n(&p->string_value, value, len) < 0) {
		cachet__message_free(&cachet__primitive_desc, p);
		p = NULL;
	}
	return new_primitive(p);
}

cachet_literal *cachet_literal_new_boolean(bool value)
{
	cachet_primitive *p = primitive_of(CACHET_PRIMITIVE_BOOLEAN);

	if (p != NULL)
		p->boolean = value;
	return new_primitive(p);
}

cachet_literal *cachet_literal_new_datetime(cachet_timestamp value)
{
	cachet_primitive *p = primitive_of(CACHET_PRIMITIVE_DATETIME);

	if (p != NULL) {
		p->datetime = cachet__message_new(&cachet__timestamp_desc);
		if (p->datetime == NULL) {
			cachet__message_free(&cachet__primitive_desc, p);
			return NULL;
		}
		*p->datetime = value;
	}
	return new_primitive(p);
}

cachet_literal *cachet_literal_new_duration(cachet_duration value)
{
	cachet_primitive *p = primitive_of(CACHET_PRIMITIVE_DURATION);

	if (p != NULL) {
		p->duration = cachet__message_new(&cachet__duration_desc);
		if (p->duration == NULL) {
			cachet__message_free(&cachet__primitive_desc, p);
			return NULL;
		}
		*p->duration = value;
	}
	return new_primitive(p);
}

cachet_literal *cachet_literal_new_none(void)
{
	return new_scalar_literal(CACHET_SCALAR_NONE, cachet__message_new(&cachet__void_desc),
				  &cachet__void_desc);
}

cachet_literal *cachet_literal_new_blob(const char *uri, const char *format, int32_t dimensionality)
{
	cachet_blob *blob;

	if (cachet__text_check(uri, "blob uri") < 0 || cachet__text_check(format, "blob format") < 0)
		return NULL;
	blob = cachet__message_new(&cachet__blob_desc);
	if (blob == NULL || cachet__text_dup(&blob->uri, uri) < 0)
		goto fail;
	blob->metadata = cachet__message_new(&cachet__blob_metadata_desc);
	if (blob->metadata == NULL ||
	    cachet__blob_type_new(&blob->metadata->type, format, dimensionality) < 0)
		goto fail;
	return new_scalar_literal(CACHET_SCALAR_BLOB, blob, &cachet__blob_desc);
fail:
	cachet__message_free(&cachet__blob_desc, blob);
	return NULL;
}

cachet_literal *cachet_literal_new_binary(const void *data, size_t len, const char *tag)
{
	cachet_binary *bin;

	if (cachet__text_check(tag, "binary tag") < 0)
		return NULL;
	bin = cachet__message_new(&cachet__binary_desc);
	if (bin == NULL || cachet__text_dup(&bin->tag, tag) < 0)
		goto fail;
	if (len > 0) {
		bin->value.data = cachet__malloc(len);
		if (bin->value.data == NULL)
			goto fail;
		memcpy(bin->value.data, data, len);
		bin->value.len = len;
	}
	return new_scalar_literal(CACHET_SCALAR_BINARY, bin, &cachet__binary_desc);
fail:
	cachet__message_free(&cachet__binary_desc, bin);
	return NULL;
}

cachet_literal *cachet_literal_new_dataset(const char *uri, const char *format)
{
	cachet_structured_dataset *sd;

	if (cachet__text_check(uri, "dataset uri") < 0 ||
	    cachet__text_check(format, "dataset format") < 0)
		return NULL;
	sd = cachet__message_new(&cachet__structured_dataset_desc);
	if (sd == NULL || cachet__text_dup(&sd->uri, uri) < 0)
		goto fail;
	sd->metadata = cachet__message_new(&cachet__structured_dataset_metadata_desc);
	if (sd->metadata == NULL)
		goto fail;
	sd->metadata->structured_dataset_type =
		cachet__message_new(&cachet__structured_dataset_type_desc);
	if (sd->metadata->structured_dataset_type == NULL ||
	    cachet__text_dup(&sd->metadata->structured_dataset_type->format, format) < 0)
		goto fail;
	return new_scalar_literal(CACHET_SCALAR_STRUCTURED_DATASET, sd,
				  &cachet__structured_dataset_desc);
fail:
	cachet__message_free(&cachet__structured_dataset_desc, sd);
	return NULL;
}

cachet_literal *cachet_literal_new_error(const char *failed_node_id, const char *message)
{
	cachet_error_value *err;

	if (cachet__text_check(failed_node_id, "error node id") < 0 ||
	    cachet__text_check(message, "error message") < 0)
		return NULL;
	err = cachet__message_new(&cachet__error_value_desc);
	if (err == NULL || cachet__text_dup(&err->failed_node_id, failed_node_id) < 0 ||
	    cachet__text_dup(&err->message, message) < 0) {
		cachet__message_free(&cachet__error_value_desc, err);
		return NULL;
	}
	return new_scalar_literal(CACHET_SCALAR_ERROR, err, &cachet__error_value_desc);
}

cachet_literal *cachet_literal_new_collection(void)
{
	cachet_literal *lit = cachet__message_new(&cachet__literal_desc);

	if (lit == NULL)
		return NULL;
	lit->collection = cachet__message_new(&cachet__literal_collection_desc);
	if (lit->collection == NULL) {
		cachet__free(lit);
		return NULL;
	}
	lit->kind = CACHET_LITERAL_COLLECTION;
	return lit;
}

cachet_literal *cachet_literal_new_map(void)
{
	cachet_literal *lit = cachet__message_new(&cachet__literal_desc);

	if (lit == NULL)
		return NULL;
	lit->map = cachet__message_new(&cachet__literal_map_desc);
	if (lit->map == NULL) {
		cachet__free(lit);
		return NULL;
	}
	lit->kind = CACHET_LITERAL_MAP;
	return lit;
}

int cachet_literal_set_hash(cachet_literal *lit, const char *hash)
{
	return cachet_literal_set_hash_n(lit, hash, hash ? strlen(hash) : 0);
}

int cachet_literal_set_hash_n(cachet_literal *lit, const char *hash, size_t len)
{
	char *copy;
	int rc = cachet__text_check_n(hash, len, "hash");

	if (rc < 0 || (rc = cachet__text_dup_n(&copy, hash, len)) < 0)
		return rc;
	cachet_str_free(lit->hash);
	lit->hash = copy;
	return 0;
}

int cachet_literal_set_metadata(cachet_literal *lit, const char *key, const char *value)
{
	if (key == NULL)
		return cachet__error(CACHET_EINVALID, "metadata key is NULL");
	return cachet_literal_set_metadata_n(lit, key, strlen(key), value,
					     value ? strlen(value) : 0);
}

int cachet_literal_set_metadata_n(cachet_literal *lit, const char *key, size_t key_len,
				  const char *value, size_t value_len)
{
	char *copy;
	int rc;

	if (key == NULL && key_len > 0)
		return cachet__error(CACHET_EINVALID, "metadata key is NULL");
	if ((rc = cachet__text_check_n(key, key_len, "metadata key")) < 0 ||
	    (rc = cachet__text_check_n(value, value_len, "metadata value")) < 0)
		return rc;
	/* Map values are stored even when empty: "" is a real value there. */
	copy = cachet_str_new(value, value_len);
	if (copy == NULL)
		return CACHET_ENOMEM;
	return cachet__map_set(lit, LITERAL_FIELD(LITERAL_METADATA), key, key_len, copy);
}

int cachet_literal_collection_append(cachet_literal *lit, cachet_literal *item)
{
	if (lit == NULL || lit->kind != CACHET_LITERAL_COLLECTION || item == NULL) {
		cachet_literal_free(item);
		return cachet__error(CACHET_EINVALID, "literal is not a collection");
	}
	return cachet__repeated_append(lit->collection, &cachet__literal_collection_desc.fields[0],
				       item);
}

int cachet_literal_copy(cachet_literal **out, const cachet_literal *src)
{
	return cachet__message_copy(&cachet__literal_desc, (void **)out, src);
}

bool cachet_literal_equal(const cachet_literal *a, const cachet_literal *b)
{
	return cachet__message_equal(&cachet__literal_desc, a, b);
}

void cachet_literal_free(cachet_literal *lit)
{
	cachet__message_free(&cachet__literal_desc, lit);
}

/* ---- LiteralMap ---- */

static const cachet__field_desc *literals_field(void)
{
	return &cachet__literal_map_desc.fields[0];
}

int cachet_literal_map_new(cachet_literal_map **out)
{
	*out = cachet__message_new(&cachet__literal_map_desc);
	return *out ? 0 : CACHET_ENOMEM;
}

cachet_literal *cachet_literal_map_get(const cachet_literal_map *map, const char *name)
{
	if (map == NULL || name == NULL)
		return NULL;
	return cachet__map_get(map, literals_field(), name, strlen(name));
}

cachet_literal *cachet_literal_map_get_n(const cachet_literal_map *map, const char *name,
					 size_t len)
{
	if (map == NULL || (name == NULL && len > 0))
		return NULL;
	return cachet__map_get(map, literals_field(), name, len);
}

int cachet_literal_map_set(cachet_literal_map *map, const char *name, cachet_literal *value)
{
	return cachet_literal_map_set_n(map, name, name ? strlen(name) : 0, value);
}

int cachet_literal_map_set_n(cachet_literal_map *map, const char *name, size_t len,
			     cachet_literal *value)
{
	int rc;

	if (map == NULL || name == NULL || value == NULL) {
		cachet_literal_free(value);
		return cachet__error(CACHET_EINVALID, "literal map, name and value must not be NULL");
	}
	if ((rc = cachet__text_check_n(name, len, "literal name")) < 0) {
		cachet_literal_free(value);
		return rc;
	}
	return cachet__map_set(map, literals_field(), name, len, value);
}

int cachet_literal_map_remove(cachet_literal_map *map, const char *name)
{
	return cachet__map_remove(map, literals_field(), name, strlen(name));
}

int cachet_literal_map_copy(cachet_literal_map **out, const cachet_literal_map *src)
{
	return cachet__message_copy(&cachet__literal_map_desc, (void **)out, src);
}

bool cachet_literal_map_equal(const cachet_literal_map *a, const cachet_literal_map *b)
{
	return cachet__message_equal(&cachet__literal_map_desc, a, b);
}

void cachet_literal_map_free(cachet_literal_map *map)
{
	cachet__message_free(&cachet__literal_map_desc, map);
}
