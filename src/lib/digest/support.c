/*
 * Small shared helpers of the digest layer: stat comparison, the clock of
 * the racy-clean rule, and the test hooks.
 */
#include "digest/internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static cachet__digest_hooks hooks;
static atomic_uint_fast64_t files_read;

void cachet__digest_set_hooks(const cachet__digest_hooks *h)
{
	if (h)
		hooks = *h;
	else
		memset(&hooks, 0, sizeof(hooks));
}

uint64_t cachet__digest_files_read(void)
{
	return atomic_load(&files_read);
}

void cachet__digest_count_read(const char *path)
{
	(void)path;
	atomic_fetch_add(&files_read, 1);
}

void cachet__digest_after_read(const char *path)
{
	if (hooks.after_read)
		hooks.after_read(path, hooks.after_read_arg);
}

void cachet__fstat_from(cachet__fstat *out, const struct stat *st)
{
	out->dev = (uint64_t)st->st_dev;
	out->ino = (uint64_t)st->st_ino;
	out->size = (int64_t)st->st_size;
	out->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	out->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

bool cachet__fstat_same(const cachet__fstat *a, const cachet__fstat *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

int64_t cachet__digest_now_ns(void)
{
	struct timespec ts;

	if (hooks.now_ns)
		return hooks.now_ns();
#ifdef CLOCK_REALTIME_COARSE
	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) == 0)
		return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
#endif
	/* Without the coarse clock, one second back is a margin wider than
	 * any file system's timestamp tick. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec - 1) * 1000000000 + ts.tv_nsec;
}
