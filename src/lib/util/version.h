/*
 * Internal: the one check of a caller's struct version.
 *
 * Every options struct and every backend table the library is handed
 * starts with `unsigned int version`. The rule is libgit2's: a version
 * from 1 up to the one this library was built with is accepted (an older
 * caller's struct is a prefix of today's, and the fields it lacks keep
 * their defaults); 0 (a struct never initialised) and newer versions are
 * refused. The message is the same everywhere, so that a caller can
 * recognise it.
 */
#ifndef CACHET_UTIL_VERSION_H
#define CACHET_UTIL_VERSION_H

/*
 * 0 when 0 < version <= current; else CACHET_EINVALID, with the message
 * "unsupported <what> version <version> (this library knows 1 to
 * <current>)". what names the struct: "lookup options", "store backend".
 */
int cachet__check_version(unsigned int version, unsigned int current, const char *what);

#endif
