/*
 * Listing the files of a directory for its digest: every regular file
 * below it, with the checks that keep the listing meaningful and safe.
 * Shared with the store, which copies what it lists.
 */
#ifndef CACHET_DIGEST_WALK_H
#define CACHET_DIGEST_WALK_H

#include "digest/internal.h"

/* One file found below the root. */
typedef struct cachet__walk_file {
	char *rel;         /* relative to the root: '/' separators, UTF-8 */
	char *path;        /* where to read it: a path below the root's real
			    * path; for a symlink, its resolved target */
	cachet__fstat st;  /* what stat said while walking (for a symlink:
			    * of its target) */
} cachet__walk_file;

typedef struct cachet__walk {
	char *root;               /* the directory's real path */
	cachet__walk_file *files; /* in walk order: each directory's names
				   * sorted by bytes, depth first */
	size_t n, cap;
	uint64_t bytes;           /* the files' sizes added up */
} cachet__walk;

#define CACHET__WALK_INIT {NULL, NULL, 0, 0, 0}

/*
 * List the regular files below the directory dir (show: how messages name
 * it). Hidden files count. A symlink counts as what it points to when its
 * target, resolved, stays below the directory's real path; empty
 * directories leave no trace. Errors name the path below show:
 *   CACHET_EINVALID      a file name that is not UTF-8, a symlink that
 *                        leads out, a dangling symlink, a symlink loop
 *                        (ELOOP, or a link back to a directory above it)
 *   CACHET_EUNSUPPORTED  a FIFO, socket or device
 *   CACHET_EIO           a directory that cannot be read, a failing stat
 *   CACHET_ETOODEEP      directories nested deeper than CACHET_MAX_DEPTH
 * On failure w is left empty.
 */
int cachet__walk_dir(cachet__walk *w, const char *dir, const char *show);
void cachet__walk_dispose(cachet__walk *w);

#endif
