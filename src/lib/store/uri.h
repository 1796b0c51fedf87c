/*
 * Internal: the one canonical spelling of store URIs, and checking them
 * against a store's root (the rules are at the top of
 * include/cachet/store.h and in docs/store.md).
 */
#ifndef CACHET_STORE_URI_H
#define CACHET_STORE_URI_H

#include <stdbool.h>
#include <stddef.h>

typedef enum cachet__uri_kind {
	CACHET__URI_OBJECT,   /* names an object: "<root>/<key>", no final '/' */
	CACHET__URI_PREFIX,   /* a listing prefix: the root, or any prefix of an object URI */
	CACHET__URI_REFERENCE /* what an output names: an object or a "directory" */
} cachet__uri_kind;

/*
 * The canonical spelling of uri, in a new string *out. Every URI the
 * store is given, and every URI the catalog records or compares, goes
 * through here first, so that two spellings of one file are one text.
 *
 * A file URI ("file:" in any case) becomes "file://" + an absolute path:
 *   - "file:/p" and "file://localhost/p" are "file:///p" (RFC 8089);
 *   - empty and "." segments are dropped ("a//b", "a/./b" are "a/b");
 *   - a final '/' (or "/.") is kept once for a PREFIX, dropped for a
 *     REFERENCE and refused for an OBJECT;
 *   - refused: another host, a relative path, a ".." segment, and the
 *     percent-escapes "%2e" (a segment that decodes to "." or ".."),
 *     "%2f" and "%00": the path is taken literally, and these would
 *     lead a tool that decodes it elsewhere.
 * Another scheme's URI is copied as it is. Never succeeds on text that
 * is not UTF-8. Refusals are CACHET_EINVALID with a message naming uri:
 *   store URI 'file:///h/store/a/../b' has a '..' segment
 */
int cachet__uri_canonical(char **out, const char *uri, cachet__uri_kind kind);

/*
 * Canonicalise uri and check that it is under root. *out is NULL when uri
 * is canonical already (nothing is allocated then: a rollback's delete
 * works when memory has run out), else the canonical text, a new string.
 * CACHET_EINVALID naming uri otherwise, e.g.
 *   store URI 'file:///etc/passwd' is outside the store 'file:///h/store'
 */
int cachet__uri_in_store(char **out, const char *root, const char *uri, cachet__uri_kind kind);

/*
 * Check that uri, already canonical, is under root: on success *key (when
 * not NULL) points into uri at the key, after "<root>/" ("" for the root
 * itself as a prefix). CACHET_EINVALID naming uri otherwise. Backends use
 * it on the canonical URIs the store hands them.
 */
int cachet__uri_check(const char **key, const char *root, const char *uri,
		      cachet__uri_kind kind);

/* True when name has the form of a file backend's temporary file:
 * ".<something>.tmp-<16 lowercase hex>". */
bool cachet__is_temp_name(const char *name, size_t len);

#define CACHET__TEMP_HEX 16 /* hex digits of randomness in a temporary name */

#endif
