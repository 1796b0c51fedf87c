/*
 * cachet/home.h - the cachet home: the directory that holds the store of
 * offloaded data, the state (the stat cache), the catalog and the runs,
 * laid out as the CACHET_HOME_* names below say.
 *
 * Which directory: an explicit choice (the CLI's --home DIR), else
 * $CACHET_HOME, else ${XDG_CACHE_HOME:-$HOME/.cache}/cachet.
 *
 * The home is private to its user, and trusted only when it is: cachet
 * uses a home, and the directories and databases in it, only when they
 * belong to the effective user (or root) and neither group nor others may
 * write them; what it creates there is 0700 (directories) or 0600 (files),
 * whatever the umask. See docs/security.md.
 */
#ifndef CACHET_HOME_H
#define CACHET_HOME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The home's layout: the one definition of where things are, relative to
 * the home. Use the cachet_home_*_dir and _path functions below for the
 * full paths.
 */
#define CACHET_HOME_STORE_DIR "store"        /* the local store (file:// URIs) */
#define CACHET_HOME_STATE_DIR "state"        /* cachet's own state */
#define CACHET_HOME_STAT_CACHE_FILE "state/stat-cache.db" /* the stat cache */
#define CACHET_HOME_CATALOG_FILE "catalog.db" /* the embedded catalog */
#define CACHET_HOME_RUNS_DIR "runs"          /* run records and logs: runs/<id>/ */
#define CACHET_HOME_CONFIG_FILE "config"     /* the catalog and store to use */

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
 * home's missing parents), each created directory with mode 0700, and
 * check that home, store/, state/ and runs/ (when it exists) can be
 * trusted. Existing directories are judged, never changed.
 *
 * A symbolic link as home is followed when the link belongs to the user
 * (or root); the directory it leads to is judged.
 *
 * CACHET_EUNSAFE, before anything is created in it, when one belongs to
 * another user or its group or others may write it; the message says how
 * to fix it:
 *
 *   cannot use cachet home '/x/cachet': it is writable by group and
 *   others (mode 0777); fix it with: chmod 700 '/x/cachet'
 *   cannot use cachet home '/x/cachet': it is owned by uid 1001, not by
 *   you (uid 1000); use one of your own, or if you trust it, make it
 *   yours with: chown -R 1000 '/x/cachet'
 *
 * CACHET_EIO naming the directory that could not be created ("cannot
 * create directory '/x/cachet': Permission denied", or "...: File exists"
 * when a file is in the way).
 */
CACHET_EXTERN int cachet_home_ensure(const char *home);

/* "<home>/store": the local store's root directory (new string). */
CACHET_EXTERN int cachet_home_store_dir(char **out, const char *home);

/* "<home>/state/stat-cache.db": the stat cache's database (new string). */
CACHET_EXTERN int cachet_home_stat_cache_path(char **out, const char *home);

/* "<home>/catalog.db": the embedded catalog's database (new string). */
CACHET_EXTERN int cachet_home_catalog_path(char **out, const char *home);

/* "<home>/runs": the directory of run records (new string). */
CACHET_EXTERN int cachet_home_runs_dir(char **out, const char *home);

/* "<home>/config": the home's config file (new string). */
CACHET_EXTERN int cachet_home_config_path(char **out, const char *home);

/*
 * The home's config: which catalog and store the home uses when neither
 * an option (--catalog, --store) nor the environment ($CACHET_CATALOG,
 * $CACHET_STORE) chooses one. Each is a URL as cachet_catalog_open_url
 * and cachet_store_open_url take, or NULL when the config does not set it.
 */
typedef struct cachet_home_config {
	char *catalog;
	char *store;
} cachet_home_config;

/*
 * Read <home>/config into *out (free with cachet_home_config_dispose).
 * No config (or no home yet) is no error: both fields NULL. The format is git's and
 * ccache's, one setting a line:
 *
 *   # the team's catalog and the shared store
 *   catalog = postgres://ci@db.example/cachet?sslmode=require
 *   store = file:///nfs/cachet/store
 *
 * Blanks around key and value are ignored; lines starting with '#' or ';'
 * are comments. The value is the rest of the line, as is (no quoting).
 *
 * CACHET_EUNSAFE when the home or the file is not the user's or group or
 * others may write it (the rule of cachet_home_ensure; the message says
 * how to fix it), or the file is a symbolic link. CACHET_EINVALID naming the file and the
 * line for a line without '=', an unknown key, a key set twice or without
 * a value; a value is never quoted, as it may hold a password.
 */
CACHET_EXTERN int cachet_home_config_read(cachet_home_config *out, const char *home);

/* Free what the config holds (not cfg itself); NULL is fine. */
CACHET_EXTERN void cachet_home_config_dispose(cachet_home_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* CACHET_HOME_H */
