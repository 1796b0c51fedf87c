/*
 * Building, copying, comparing and freeing LiteralTypes.
 */
#include "value/message.h"
#include "value/text.h"
#include "value/types.h"

#include "util/alloc.h"
#include "util/error.h"

int cachet__blob_type_new(cachet_blob_type **out, const char *format, int32_t dimensionality)
{
	int rc = cachet__text_check(format, "blob format");

	*out = NULL;
	if (rc < 0)
		return rc;
	cachet_blob_type *bt = cachet__message_new(&cachet__blob_type_desc);
	if (bt == NULL)
		return CACHET_ENOMEM;
	if (cachet__text_dup(&bt->format, format) < 0) {
		cachet__free(bt);
		return CACHET_ENOMEM;
	}
	bt->dimensionality = dimensionality;
	*out = bt;
	return 0;
}

/* A LiteralType whose oneof holds `member` (a pointer of the kind's type),
 * taking ownership of it. */
static cachet_literal_type *type_with(cachet_literal_type_kind kind, void *member,
				      const cachet__message_desc *member_desc)
{
	cachet_literal_type *t;

	if (member == NULL)
		return NULL;
	t = cachet__message_new(&cachet__literal_type_desc);
	if (t == NULL) {
		cachet__message_free(member_desc, member);
		return NULL;
	}
	t->kind = kind;
	/* All message members of the oneof share the union's storage. */
	t->schema = member;
	return t;
}

cachet_literal_type *cachet_literal_type_new_simple(int32_t simple)
{
	cachet_literal_type *t = cachet__message_new(&cachet__literal_type_desc);

	if (t != NULL) {
		t->kind = CACHET_TYPE_SIMPLE;
		t->simple = simple;
	}
	return t;
}

cachet_literal_type *cachet_literal_type_new_blob(const char *format, int32_t dimensionality)
{
	cachet_blob_type *bt;

	if (cachet__blob_type_new(&bt, format, dimensionality) < 0)
		return NULL;
	return type_with(CACHET_TYPE_BLOB, bt, &cachet__blob_type_desc);
}

cachet_literal_type *cachet_literal_type_new_dataset(const char *format)
{
	cachet_structured_dataset_type *sdt;

	if (cachet__text_check(format, "dataset format") < 0)
		return NULL;
	sdt = cachet__message_new(&cachet__structured_dataset_type_desc);
	if (sdt != NULL && cachet__text_dup(&sdt->format, format) < 0) {
		cachet__free(sdt);
		sdt = NULL;
	}
	return type_with(CACHET_TYPE_STRUCTURED_DATASET, sdt,
			 &cachet__structured_dataset_type_desc);
}

cachet_literal_type *cachet_literal_type_new_collection(cachet_literal_type *element)
{
	return type_with(CACHET_TYPE_COLLECTION, element, &cachet__literal_type_desc);
}

cachet_literal_type *cachet_literal_type_new_map(cachet_literal_type *value)
{
	return type_with(CACHET_TYPE_MAP, value, &cachet__literal_type_desc);
}

int cachet_literal_type_copy(cachet_literal_type **out, const cachet_literal_type *src)
{
	return cachet__message_copy(&cachet__literal_type_desc, (void **)out, src);
}

bool cachet_literal_type_equal(const cachet_literal_type *a, const cachet_literal_type *b)
{
	return cachet__message_equal(&cachet__literal_type_desc, a, b);
}

void cachet_literal_type_free(cachet_literal_type *type)
{
	cachet__message_free(&cachet__literal_type_desc, type);
}

const char *cachet_simple_type_name(int32_t simple)
{
	return cachet__enum_name(&cachet__simple_type_enum, simple);
}
