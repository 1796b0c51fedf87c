/*
 * Internal: the trust rule for what cachet keeps on disk (docs/security.md).
 *
 * A directory or file that cachet reads its cache from is trusted only when
 * it belongs to the effective user (or to root, who can change anything
 * anyway) and neither its group nor others can write it, as ssh and git
 * judge their own directories. Anything else could have been planted or
 * replaced by another local user, and a planted catalog poisons hits.
 */
#ifndef CACHET_UTIL_PRIVATE_H
#define CACHET_UTIL_PRIVATE_H

#include <stdbool.h>

typedef enum cachet__private_kind {
	/* A directory. A symbolic link to one is followed when the link
	 * itself is trusted (a home on another disk); the target is judged. */
	CACHET__PRIVATE_DIR,
	/* A regular file. A symbolic link is refused. */
	CACHET__PRIVATE_FILE
} cachet__private_kind;

/*
 * Judge path, named `what` in messages ("cachet home", "catalog"):
 * 1 when it exists and is trusted, 0 when it does not exist, else
 * CACHET_EUNSAFE with a message that says how to fix it:
 *
 *   cannot use cachet home '/h': it is writable by others (mode 0777);
 *   fix it with: chmod 700 '/h'
 *
 * or CACHET_EIO when it cannot be examined or is not a directory / not a
 * regular file as kind asks.
 */
int cachet__private_check(const char *path, const char *what, cachet__private_kind kind);

/*
 * Judge the directory that holds the file path (its parent, "." for a bare
 * name): whoever can write there can replace the file.
 */
int cachet__private_check_parent(const char *path, const char *what);

/*
 * Create the regular file path with mode 0600, whatever the umask, unless
 * it exists (a symbolic link in its place is not followed). 0, or
 * CACHET_EIO: "cannot open <what> '<path>': <reason>".
 */
int cachet__private_create(const char *path, const char *what);

#endif
