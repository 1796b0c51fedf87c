/*
 * What the digest layer lends the layers above it: the one header of
 * digest/ that another layer may include (scripts/check-includes.sh keeps
 * it so). The store hashes the bytes it copies in, and offloads
 * directories, with the same machinery `cachet hash` uses, so that a
 * stored object and a hashed path agree on their digest:
 *
 *   hasher.h      streaming hashers, digest text, directory digests
 *   internal.h    the stat identity of a file, the racy-clean clock, the
 *                 counters and hooks of file reads
 *   stat_cache.h  looking up and recording digests by stat
 *   walk.h        listing a directory's files the way the digest sees them
 *   pipeline.h    walk, stat cache, a pool of threads running one per-file
 *                 operation, combine; and progress reporting
 *
 * Everything else in digest/ is private to it.
 */
#ifndef CACHET_DIGEST_INTERNAL_API_H
#define CACHET_DIGEST_INTERNAL_API_H

#include "digest/hasher.h"
#include "digest/internal.h"
#include "digest/pipeline.h"
#include "digest/stat_cache.h"
#include "digest/walk.h"

#endif
