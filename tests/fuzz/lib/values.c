/*
 * What every decoded value must satisfy (fuzz_check_encoded in fuzz.h),
 * for the four messages the codec reads. The value functions of each
 * message are reached through a table of wrappers, so that one check
 * serves all four.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

struct message_ops {
	const char *name;
	int (*decode)(void **out, const void *data, size_t len, cachet_format format);
	int (*encode)(char **out, size_t *len, const void *value, cachet_format format,
		      unsigned flags);
	int (*copy)(void **out, const void *value);
	bool (*equal)(const void *a, const void *b);
	void (*free)(void *value);
	/* compute the key parts that come from such a value */
	void (*key)(const void *value);
};

/* The wrappers of one message: <prefix>_decode, _encode, _copy, _equal,
 * _free of the public API, with void pointers. */
#define MESSAGE_WRAPPERS(prefix, type)                                                     \
	static int prefix##_decode_any(void **out, const void *data, size_t len,           \
				       cachet_format format)                               \
	{                                                                                  \
		type *value = NULL;                                                        \
		int rc = prefix##_decode(&value, data, len, format);                       \
		*out = value;                                                              \
		return rc;                                                                 \
	}                                                                                  \
	static int prefix##_encode_any(char **out, size_t *len, const void *value,         \
				       cachet_format format, unsigned flags)               \
	{                                                                                  \
		return prefix##_encode(out, len, value, format, flags);                    \
	}                                                                                  \
	static int prefix##_copy_any(void **out, const void *value)                        \
	{                                                                                  \
		type *copy = NULL;                                                         \
		int rc = prefix##_copy(&copy, value);                                      \
		*out = copy;                                                               \
		return rc;                                                                 \
	}                                                                                  \
	static bool prefix##_equal_any(const void *a, const void *b)                       \
	{                                                                                  \
		return prefix##_equal(a, b);                                               \
	}                                                                                  \
	static void prefix##_free_any(void *value)                                         \
	{                                                                                  \
		prefix##_free(value);                                                      \
	}

MESSAGE_WRAPPERS(cachet_literal_map, cachet_literal_map)
MESSAGE_WRAPPERS(cachet_literal, cachet_literal)
MESSAGE_WRAPPERS(cachet_literal_type, cachet_literal_type)
MESSAGE_WRAPPERS(cachet_interface, cachet_interface)

/* A hash computation either works or refuses with a message. */
static void check_hash_rc(int rc, const char *what)
{
	if (rc < 0)
		fuzz_check_refusal(rc, what);
}

static void literal_map_key(const void *value)
{
	const cachet_literal_map *map = value;
	uint8_t hash[CACHET_HASH_LEN];
	cachet_cache_key key = CACHET_CACHE_KEY_INIT;
	char *tag = NULL;
	int rc;

	check_hash_rc(cachet_pbhash_literal_map(hash, map), "pbhash of a literal map");
	rc = cachet_tag(&tag, map, NULL);
	check_hash_rc(rc, "tag");
	/* the key's tag is the tag alone */
	int key_rc = cachet_cache_key_compute(&key, "p", "d", "t", "1", NULL, map, NULL);
	FUZZ_CHECK((rc < 0) == (key_rc < 0), "the tag and the key disagree on the inputs");
	if (key_rc == 0) {
		FUZZ_CHECK(strcmp(key.tag, tag) == 0, "the key's tag '%s' is not the tag '%s'",
			   key.tag, tag);
		cachet_cache_key_dispose(&key);
	}
	cachet_free(tag);
}

static void literal_key(const void *value)
{
	const cachet_literal *lit = value;
	uint8_t hash[CACHET_HASH_LEN];
	cachet_literal *hashified = NULL;
	int rc;

	check_hash_rc(cachet_pbhash_literal(hash, lit), "pbhash of a literal");
	rc = cachet_hashify(&hashified, lit);
	check_hash_rc(rc, "hashify");
	if (rc == 0) {
		check_hash_rc(cachet_pbhash_literal(hash, hashified), "pbhash of a hashified literal");
		cachet_literal_free(hashified);
	}
}

static void literal_type_key(const void *value)
{
	const cachet_literal_type *type = value;
	cachet_literal_type *copy = NULL;
	cachet_interface *iface = NULL;
	char *text = NULL, *version = NULL, *why = NULL;

	check_hash_rc(cachet_literal_type_describe(&text, type), "describing a type");
	cachet_free(text);
	cachet_literal_type_compatible(type, type, &why);
	cachet_free(why);
	/* the type as a task's input enters the dataset version */
	FUZZ_CHECK(cachet_literal_type_copy(&copy, type) == 0, "copying a type");
	FUZZ_CHECK(cachet_interface_new(&iface) == 0, "making an interface");
	FUZZ_CHECK(cachet_interface_add(iface, false, "x", copy, NULL) == 0,
		   "adding an input to an interface");
	check_hash_rc(cachet_dataset_version(&version, "1", iface), "dataset version");
	cachet_free(version);
	cachet_interface_free(iface);
}

static void interface_key(const void *value)
{
	const cachet_interface *iface = value;
	uint8_t hash[CACHET_HASH_LEN];
	char *version = NULL;

	check_hash_rc(cachet_dataset_version(&version, "1", iface), "dataset version");
	cachet_free(version);
	if (iface->inputs)
		check_hash_rc(cachet_pbhash_variable_map(hash, iface->inputs),
			      "pbhash of an interface's inputs");
}

#define MESSAGE_OPS(label, prefix, key)                                                    \
	{                                                                                  \
		label, prefix##_decode_any, prefix##_encode_any, prefix##_copy_any,        \
			prefix##_equal_any, prefix##_free_any, key                         \
	}

/* In the order of the first byte of an input. */
static const struct message_ops messages[] = {
	MESSAGE_OPS("LiteralMap", cachet_literal_map, literal_map_key),
	MESSAGE_OPS("Literal", cachet_literal, literal_key),
	MESSAGE_OPS("LiteralType", cachet_literal_type, literal_type_key),
	MESSAGE_OPS("TypedInterface", cachet_interface, interface_key),
};

/*
 * Encode value in format, decode that, encode the result again: the two
 * encodings must be the same bytes and, for protobuf, the decoded value
 * equal to value. (JSON cannot keep a NaN's payload bits, so there only the
 * text must survive.) A value may have no JSON form (see codec.h); that
 * must be a refusal with a message.
 */
static void round_trip(const struct message_ops *m, const void *value, cachet_format format,
		       unsigned flags)
{
	const char *fname = format == CACHET_FORMAT_PB ? "protobuf" : "JSON";
	char *first = NULL, *second = NULL;
	size_t len1, len2;
	void *again = NULL;
	int rc = m->encode(&first, &len1, value, format, flags);

	if (rc < 0) {
		FUZZ_CHECK(format == CACHET_FORMAT_JSON && rc == CACHET_EINVALID,
			   "%s: a decoded value cannot be encoded as %s", m->name, fname);
		fuzz_check_refusal(rc, "JSON encoding");
		return;
	}
	FUZZ_CHECK(m->decode(&again, first, len1, format) == 0,
		   "%s: its own %s encoding does not decode", m->name, fname);
	FUZZ_CHECK(format != CACHET_FORMAT_PB || m->equal(value, again),
		   "%s: the %s round trip changed the value", m->name, fname);
	FUZZ_CHECK(m->encode(&second, &len2, again, format, flags) == 0,
		   "%s: a decoded %s encoding does not encode", m->name, fname);
	FUZZ_CHECK(len1 == len2 && memcmp(first, second, len1) == 0,
		   "%s: encoding a decoded %s encoding changed it", m->name, fname);
	m->free(again);
	cachet_free(second);
	cachet_free(first);
}

void fuzz_check_encoded(const uint8_t *data, size_t size, cachet_format format)
{
	if (size == 0)
		return;
	const struct message_ops *m = &messages[data[0] % (sizeof messages / sizeof messages[0])];
	void *value = NULL, *copy = NULL;
	int rc = m->decode(&value, data + 1, size - 1, format);

	if (rc < 0) {
		FUZZ_CHECK(value == NULL, "%s: a failed decode left a value", m->name);
		fuzz_check_refusal(rc, "decoding");
		return;
	}

	FUZZ_CHECK(m->copy(&copy, value) == 0, "%s: copying failed", m->name);
	FUZZ_CHECK(m->equal(value, copy) && m->equal(copy, value), "%s: a copy is not equal",
		   m->name);
	m->free(copy);

	round_trip(m, value, CACHET_FORMAT_PB, 0);
	round_trip(m, value, CACHET_FORMAT_JSON, 0);
	round_trip(m, value, CACHET_FORMAT_JSON, CACHET_JSON_PRETTY);

	m->key(value);
	m->free(value);
}
