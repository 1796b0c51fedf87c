/*
 * Generic operations on any value struct, driven by its descriptor
 * (value/schema.h): create, free, copy, compare, and the field accessors the
 * codecs share.
 */
#ifndef CACHET_VALUE_MESSAGE_H
#define CACHET_VALUE_MESSAGE_H

#include "value/schema.h"

#include <stdbool.h>

/* Where a field's storage is inside msg. */
static inline void *cachet__field_at(void *msg, const cachet__field_desc *f)
{
	return (char *)msg + f->offset;
}

static inline const void *cachet__field_at_const(const void *msg, const cachet__field_desc *f)
{
	return (const char *)msg + f->offset;
}

/*
 * Bytes one value of the field's type occupies: scalars are stored inline,
 * strings and messages as pointers. The stride of a repeated field's array.
 */
static inline size_t cachet__element_size(const cachet__field_desc *f)
{
	switch (f->type) {
	case CACHET__INT64: return sizeof(int64_t);
	case CACHET__UINT64: return sizeof(uint64_t);
	case CACHET__INT32:
	case CACHET__ENUM: return sizeof(int32_t);
	case CACHET__DOUBLE: return sizeof(double);
	case CACHET__BOOL: return sizeof(bool);
	case CACHET__BYTES: return sizeof(cachet_bytes);
	case CACHET__STRING:
	case CACHET__MESSAGE: break;
	}
	return sizeof(void *);
}

/* The element count of a repeated or map field. */
static inline size_t cachet__field_count(const void *msg, const cachet__field_desc *f)
{
	return *(const size_t *)(const void *)((const char *)msg + f->count_offset);
}

/* For a oneof member: the group's kind (the number of the member set, or 0). */
int cachet__oneof_kind(const void *msg, const cachet__field_desc *f);

/*
 * Whether protobuf's encoders would write the field: a oneof member when it
 * is the one selected (even at its zero value), a message when the pointer
 * is set, a repeated or map field with elements, a scalar that is not zero
 * (for a double: not +0.0; -0.0 is written), a string that is not empty.
 */
bool cachet__field_present(const void *msg, const cachet__field_desc *f);

/* A zeroed message of this type, or NULL (CACHET_ENOMEM). */
void *cachet__message_new(const cachet__message_desc *d);
/* Free msg and everything it owns. NULL is a no-op. */
void cachet__message_free(const cachet__message_desc *d, void *msg);
/* Free what msg owns and zero it, keeping msg itself. */
void cachet__message_clear(const cachet__message_desc *d, void *msg);
/* Free what one field owns and reset it to zero (for a oneof member: only
 * if it is the one selected; the kind is reset to 0). */
void cachet__field_clear(void *msg, const cachet__field_desc *f);

/*
 * Select oneof member f: clear whichever member of its group is set now and
 * set the kind to f->number. The member's storage is left zeroed; for a
 * message member the caller stores the pointer.
 */
void cachet__oneof_select(const cachet__message_desc *d, void *msg, const cachet__field_desc *f);

/* Deep copy. 0 or CACHET_ENOMEM (nothing allocated is left behind). */
int cachet__message_copy(const cachet__message_desc *d, void **out, const void *src);
/* Deep equality: true when the deterministic encodings would be equal
 * (doubles compared bit for bit, NULL string == ""). NULL == NULL. */
bool cachet__message_equal(const cachet__message_desc *d, const void *a, const void *b);

/*
 * Append an owned element (a message pointer or a counted string) to a
 * repeated field. On failure the element is freed. 0 or CACHET_ENOMEM.
 */
int cachet__repeated_append(void *msg, const cachet__field_desc *f, void *element);

/*
 * Maps. Entries are kept sorted by key (byte order, lengths included:
 * cachet__str_compare), keys unique. A key is key[0..key_len), which may
 * hold NUL. cachet__map_find returns the index of key, or the index where
 * it would be inserted with *found false.
 */
size_t cachet__map_find(const void *msg, const cachet__field_desc *f, const char *key,
			size_t key_len, bool *found);
/* The value stored under key, or NULL. */
void *cachet__map_get(const void *msg, const cachet__field_desc *f, const char *key,
		      size_t key_len);
/*
 * Store an owned value (message pointer or counted string) under a counted
 * copy of key, replacing and freeing a previous value. On failure value is
 * freed. 0 or CACHET_ENOMEM.
 */
int cachet__map_set(void *msg, const cachet__field_desc *f, const char *key, size_t key_len,
		    void *value);
/* Remove key; CACHET_ENOTFOUND when absent. */
int cachet__map_remove(void *msg, const cachet__field_desc *f, const char *key, size_t key_len);
/* True when the entries are sorted with unique keys (the invariant). */
bool cachet__map_is_sorted(const void *msg, const cachet__field_desc *f);
/* Restore the invariant on a map whose entries were appended unsorted:
 * sort, and for duplicate keys keep the last appended. 0 or CACHET_ENOMEM
 * (the map is left as it was). */
int cachet__map_normalize(void *msg, const cachet__field_desc *f);

/* The entry array of a map field, for iteration. */
static inline struct cachet__map_entry *cachet__map_entries(const void *msg,
							    const cachet__field_desc *f)
{
	return *(struct cachet__map_entry *const *)cachet__field_at_const(msg, f);
}

/* Free a field's element: a message (per f->message) or a counted string. */
void cachet__element_free(const cachet__field_desc *f, void *element);

/*
 * Counted strings (value/str.c; public: cachet_str_new and friends in
 * value.h). Every comparison of model strings goes through these, so that
 * bytes after a NUL count.
 */
/* *out = a counted copy of the counted string s (NULL stays NULL). 0 or
 * CACHET_ENOMEM. */
int cachet__str_copy(char **out, const char *s);
/* Byte order of a[0..a_len) and b[0..b_len) (memcmp, then the shorter
 * first); NULL is "". */
int cachet__str_compare(const char *a, size_t a_len, const char *b, size_t b_len);
/* Whether two counted strings hold the same bytes (NULL equals ""). */
bool cachet__str_equal(const char *a, const char *b);

#endif
