/*
 * Internal: the one check of a caller's struct version, and the rules for
 * filling a versioned result struct.
 *
 * Every options struct, every backend table and every result struct the
 * caller allocates starts with `unsigned int version`. The rule is
 * libgit2's: a version from 1 up to the one this library was built with is
 * accepted (an older caller's struct is a prefix of today's, and the
 * fields it lacks keep their defaults); 0 (a struct never initialised) and
 * newer versions are refused. The message is the same everywhere, so that
 * a caller can recognise it.
 */
#ifndef CACHET_UTIL_VERSION_H
#define CACHET_UTIL_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/*
 * 0 when 0 < version <= current; else CACHET_EINVALID, with the message
 * "unsupported <what> version <version> (this library knows 1 to
 * <current>)". what names the struct: "lookup options", "store backend".
 */
int cachet__check_version(unsigned int version, unsigned int current, const char *what);

/* The same rule, without an error: what a _dispose asks before it frees. */
bool cachet__version_known(unsigned int version, unsigned int current);

/*
 * Result structs (docs/design.md, "Result structs"). res points at one,
 * whose first member is its version; size is how many bytes the caller's
 * version lays out. While a struct has had one version that is its sizeof;
 * once it grows, a caller of an older version gets the older size
 * (offsetof the first newer field), so that nothing is written past the
 * end of the caller's struct.
 *
 * cachet__result_begin checks the version (as cachet__check_version) and,
 * when it is accepted, clears the rest: a call starts with it. A refused
 * result is not written at all: its version is not one whose size the
 * library knows.
 *
 * cachet__result_clear zeroes everything but the version: what a call does
 * to start over, and what a _dispose does last, so that the struct can be
 * used again without a new initialiser.
 */
int cachet__result_begin(void *res, size_t size, unsigned int current, const char *what);
void cachet__result_clear(void *res, size_t size);

/* The usual case: the caller's version lays out the whole struct. */
#define CACHET__RESULT_BEGIN(res, current, what)                                      \
	cachet__result_begin((res), sizeof *(res), (current), (what))
#define CACHET__RESULT_CLEAR(res) cachet__result_clear((res), sizeof *(res))

#endif
