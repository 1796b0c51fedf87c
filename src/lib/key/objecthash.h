/*
 * objecthash: a hash of a JSON value that does not depend on how the value
 * was printed (key order, number spelling, whitespace). Flyte's cache keys
 * are the objecthash of a message's protobuf JSON form (key/pbhash.c).
 *
 * Every hash is H(t, b) = sha256(t || b), t one ASCII byte:
 *   string  H('u', utf-8 bytes)          number  H('f', norm(x))
 *   bool    H('b', "1" or "0")           null    H('n', "")
 *   array   H('l', element hashes in order)
 *   object  H('d', key hash || value hash per entry, entries sorted by the
 *           bytes of their key hash)
 *
 * Arrays and objects are hashed through a caller-owned stack (a cachet_buf):
 * remember its length as a mark, push each element's hash (or each entry's
 * key and value hashes), then close the mark, which hashes what was pushed
 * since and pops it. Nested containers push above their parent's mark, so
 * one buffer serves a whole walk whatever the depth, and a walk makes no
 * allocation per node once the buffer has grown.
 */
#ifndef CACHET_KEY_OBJECTHASH_H
#define CACHET_KEY_OBJECTHASH_H

#include "util/buf.h"
#include "value/schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CACHET__OH_LEN 32

/*
 * Longest norm(x) for a finite double, NUL included: a sign, an exponent in
 * [-1074, 1024], ':', and at most 54 mantissa digits (a leading 0 and 53
 * significant bits).
 */
#define CACHET__OH_NORM_MAX 64

/* H(tag, data). 0, or the error of cachet__sha256_2. */
int cachet__oh_leaf(uint8_t out[CACHET__OH_LEN], char tag, const void *data, size_t len);

int cachet__oh_string(uint8_t out[CACHET__OH_LEN], const char *s, size_t len);
int cachet__oh_bool(uint8_t out[CACHET__OH_LEN], bool b);
int cachet__oh_null(uint8_t out[CACHET__OH_LEN]);
/* H('f', norm(x)). A NaN or an infinity has no norm: CACHET_EINVALID
 * ("number 'NaN' cannot be hashed"). */
int cachet__oh_number(uint8_t out[CACHET__OH_LEN], double x);

/* Write norm(x) of a finite x into out, NUL-terminated; returns its length. */
size_t cachet__oh_norm(char out[CACHET__OH_NORM_MAX], double x);

/* Containers over a stack buffer (see above). */
static inline size_t cachet__oh_mark(const cachet_buf *stack)
{
	return stack->len;
}

/* Push an array element's hash. 0 or CACHET_ENOMEM. */
int cachet__oh_push(cachet_buf *stack, const uint8_t h[CACHET__OH_LEN]);
/* Push an object entry: its key's hash and its value's hash. */
int cachet__oh_push_entry(cachet_buf *stack, const uint8_t key[CACHET__OH_LEN],
			  const uint8_t value[CACHET__OH_LEN]);
/* Drop what was pushed since mark (on a failure part-way). */
static inline void cachet__oh_pop(cachet_buf *stack, size_t mark)
{
	stack->len = mark;
	if (stack->ptr)
		stack->ptr[mark] = '\0';
}

/* Hash what was pushed since mark as an array / an object, into out, and pop
 * it. Always pops, also on failure. */
int cachet__oh_close_list(cachet_buf *stack, size_t mark, uint8_t out[CACHET__OH_LEN]);
int cachet__oh_close_dict(cachet_buf *stack, size_t mark, uint8_t out[CACHET__OH_LEN]);

/*
 * pbhash (key/pbhash.c): the objecthash of the protobuf JSON form of msg, a
 * message of type d, walked from the descriptors without building the JSON.
 * NULL msg is the empty message. CACHET_EINVALID for values protobuf JSON
 * cannot express, with the message "<path>: <what>"; CACHET_ETOODEEP beyond
 * CACHET_MAX_DEPTH.
 */
int cachet__pbhash(uint8_t out[CACHET__OH_LEN], const cachet__message_desc *d, const void *msg);

/*
 * The hash the tag is made of: pbhash of the LiteralMap of the inputs whose
 * names are not in ignore[0..n_ignore), each hashified (cachet_hashify),
 * computed without copying the inputs. NULL inputs is the empty map.
 */
int cachet__pbhash_tag(uint8_t out[CACHET__OH_LEN], const cachet_literal_map *inputs,
		       const char *const *ignore, size_t n_ignore);

#endif
