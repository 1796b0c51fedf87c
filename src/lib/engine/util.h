/*
 * Helpers the engine's files share: file URIs and string arrays (util.c),
 * names that become paths (names.c).
 */
#ifndef CACHET_ENGINE_UTIL_H
#define CACHET_ENGINE_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* The local path a file:// URI of a value (a counted string) names (a
 * pointer into uri), or NULL; NULL too when the URI holds a NUL. */
const char *cachet__file_uri_path(const char *uri);

/*
 * Whether uri names something under root, the store's root, judged by the
 * store's one canonical spelling (store/uri.h), never as text: so
 * "file:///s//a" is in the store "file:///s", and "file:///s2/a" and
 * "file:///s/../a" are not. 1 when it is, with *canon its canonical
 * spelling (NULL when uri is canonical already); 0 when it is not;
 * CACHET_ENOMEM.
 */
int cachet__store_ref(char **canon, const char *root, const char *uri);

/*
 * Names that become path components (names.c): letters, digits, '_', '-'
 * and '.', not starting with '.', 1 to CACHET__PATH_NAME_MAX bytes. False
 * with *why ("it holds '/'") when name[0..len) breaks the rule. len is
 * that of the name (cachet_str_len for a map key of a value), so that a
 * NUL inside is refused, not taken for the end.
 */
#define CACHET__PATH_NAME_MAX 128
bool cachet__path_name_check(const char *name, size_t len, char *why, size_t size);
/* name[0..len) for a message: bytes outside printable ASCII as \xNN, cut
 * after 60 characters ("..."). size: at least 8. */
void cachet__name_show(char *out, size_t size, const char *name, size_t len);
/* Whether the map key (a counted string of a value, which may hold NUL)
 * is the C string name. */
bool cachet__key_is(const char *key, const char *name);
/* String array helpers. */
int cachet__strv_copy(char ***out, size_t *n, const char *const *src, size_t count);
void cachet__strv_free(char **v, size_t n);

#endif
