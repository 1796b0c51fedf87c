/*
 * cachet/home.h - the cachet home: the directory that holds the store of
 * offloaded data, the state (the stat cache) and, later, the catalog.
 *
 *   <home>/store/                  the local store (file:// URIs)
 *   <home>/state/stat-cache.db     what the stat cache remembers
 *   <home>/catalog.db              the embedded catalog (a later issue)
 *
 * Which directory: an explicit choice (the CLI's --home DIR), else
 * $CACHET_HOME, else ${XDG_CACHE_HOME:-$HOME/.cache}/cachet. The home is
 * private to its user: the directories cachet creates in it are mode 0700.
 */
#ifndef CACHET_HOME_H
#define CACHET_HOME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Resolve the home directory into *out (a new absolute path without a
 * trailing '/', free with cachet_free). explicit_dir wins when it is not
 * NULL or ""; then $CACHET_HOME when set and not empty; then
 * $XDG_CACHE_HOME/cachet when $XDG_CACHE_HOME is an absolute path (the XDG
 * spec says to ignore a relative one); then $HOME/.cache/cachet. A
 * relative explicit_dir or $CACHET_HOME is taken from the current
 * directory. Nothing is created.
 *
 * CACHET_EINVALID when no candidate is set ("cannot find the cachet
 * home: ..."), or the current directory cannot be read for a relative one.
 */
CACHET_EXTERN int cachet_home_resolve(char **out, const char *explicit_dir);

/*
 * Create home, <home>/store and <home>/state when they are missing (and
 * home's missing parents), each created directory with mode 0700. Existing
 * directories are left as they are. CACHET_EIO naming the directory that
 * could not be created ("cannot create directory '/x/cachet': Permission
 * denied", or "...: File exists" when a file is in the way).
 */
CACHET_EXTERN int cachet_home_ensure(const char *home);

/* "<home>/store": the local store's root directory (new string). */
CACHET_EXTERN int cachet_home_store_dir(char **out, const char *home);

/* "<home>/state/stat-cache.db": the stat cache's database (new string). */
CACHET_EXTERN int cachet_home_stat_cache_path(char **out, const char *home);

/* "<home>/catalog.db": the embedded catalog's database (new string). */
CACHET_EXTERN int cachet_home_catalog_path(char **out, const char *home);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_HOME_H */
