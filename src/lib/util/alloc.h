/*
 * Internal allocation. Every allocation in libcachet goes through these, so
 * that a failure records CACHET_ENOMEM, and so that tests can make the Nth
 * allocation fail (fault injection, as SQLite's test_malloc does).
 */
#ifndef CACHET_UTIL_ALLOC_H
#define CACHET_UTIL_ALLOC_H

#include <stddef.h>

/* On failure these return NULL and record CACHET_ENOMEM. */
void *cachet__malloc(size_t size);
void *cachet__calloc(size_t count, size_t size); /* checks count*size overflow */
void *cachet__realloc(void *ptr, size_t size);
/* realloc for arrays: checks count*size overflow. */
void *cachet__reallocarray(void *ptr, size_t count, size_t size);
/*
 * Room for one more element in an array of n elements in *cap slots of
 * size bytes: the array itself while n < *cap, else the array reallocated
 * to twice the slots (first when it has none) and *cap raised. NULL on
 * failure, the array and *cap as they were.
 */
void *cachet__grow(void *items, size_t n, size_t *cap, size_t size, size_t first);
char *cachet__strdup(const char *s);
char *cachet__strndup(const char *s, size_t n); /* copies n bytes, adds NUL */
void cachet__free(void *ptr);

/*
 * Fault injection for tests: after `n` more successful allocations, every
 * allocation fails until cachet__alloc_fail_reset(). n < 0 disables.
 * cachet__alloc_failed() tells whether an injected failure happened since
 * the last arm. Not thread-safe; for single-threaded tests only.
 */
void cachet__alloc_fail_after(long n);
void cachet__alloc_fail_reset(void);
int cachet__alloc_failed(void);

#endif
