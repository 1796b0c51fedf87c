/*
 * Internal: checking store URIs against a store's root (the rules are at
 * the top of include/cachet/store.h).
 */
#ifndef CACHET_STORE_URI_H
#define CACHET_STORE_URI_H

#include <stdbool.h>
#include <stddef.h>

typedef enum cachet__uri_kind {
	CACHET__URI_OBJECT, /* names an object: "<root>/<key>", no final '/' */
	CACHET__URI_PREFIX  /* a listing prefix: the root, or any prefix of an object URI */
} cachet__uri_kind;

/*
 * Check uri against root. On success *key (when not NULL) points into uri
 * at the key, after "<root>/" ("" for the root itself as a prefix).
 * CACHET_EINVALID naming uri otherwise, e.g.
 *   store URI 'file:///etc/passwd' is outside the store 'file:///h/store'
 *   store URI 'file:///h/store/a/../b' has a '..' segment
 */
int cachet__uri_check(const char **key, const char *root, const char *uri,
		      cachet__uri_kind kind);

/* True when name has the form of a file backend's temporary file:
 * ".<something>.tmp-<16 lowercase hex>". */
bool cachet__is_temp_name(const char *name, size_t len);

#define CACHET__TEMP_HEX 16 /* hex digits of randomness in a temporary name */

#endif
