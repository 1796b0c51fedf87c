/*
 * Allocation wrappers: record CACHET_ENOMEM on failure, and let tests fail
 * the Nth allocation.
 *
 * The fault-injection state is a plain static counter, not atomic and not
 * per-thread: arm it only in single-threaded tests. When disarmed (the
 * default) it is only read, so concurrent use of the allocator is fine.
 */
#include "util/alloc.h"

#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long fail_countdown = -1; /* < 0: disarmed */
static int fail_happened;

void cachet__alloc_fail_after(long n)
{
	fail_countdown = n < 0 ? -1 : n;
	fail_happened = 0;
}

void cachet__alloc_fail_reset(void)
{
	fail_countdown = -1;
}

int cachet__alloc_failed(void)
{
	return fail_happened;
}

/* True when this allocation must fail (injected). */
static bool inject_failure(void)
{
	if (fail_countdown < 0)
		return false;
	if (fail_countdown == 0) {
		fail_happened = 1;
		return true;
	}
	fail_countdown--;
	return false;
}

void *cachet__malloc(size_t size)
{
	if (inject_failure()) {
		cachet__error_oom();
		return NULL;
	}
	/* malloc(0) may return NULL: always hand out a unique, freeable
	 * pointer instead. */
	void *p = malloc(size ? size : 1);
	if (p == NULL)
		cachet__error_oom();
	return p;
}

void *cachet__calloc(size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size) {
		cachet__error_oom();
		return NULL;
	}
	if (inject_failure()) {
		cachet__error_oom();
		return NULL;
	}
	if (count == 0 || size == 0)
		count = size = 1;
	void *p = calloc(count, size);
	if (p == NULL)
		cachet__error_oom();
	return p;
}

/* On failure the old block is left untouched (and still owned by the
 * caller), as with realloc. Size 0 keeps a 1-byte block rather than
 * freeing. */
void *cachet__realloc(void *ptr, size_t size)
{
	if (inject_failure()) {
		cachet__error_oom();
		return NULL;
	}
	void *p = realloc(ptr, size ? size : 1);
	if (p == NULL)
		cachet__error_oom();
	return p;
}

void *cachet__reallocarray(void *ptr, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size) {
		cachet__error_oom();
		return NULL;
	}
	return cachet__realloc(ptr, count * size);
}

void *cachet__grow(void *items, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t grown_cap = *cap ? 2 * *cap : first;
	void *grown;

	if (n < *cap)
		return items;
	if (*cap > SIZE_MAX / 2) {
		cachet__error_oom();
		return NULL;
	}
	if ((grown = cachet__reallocarray(items, grown_cap, size)) != NULL)
		*cap = grown_cap;
	return grown;
}

char *cachet__strdup(const char *s)
{
	return cachet__strndup(s, strlen(s));
}

char *cachet__strndup(const char *s, size_t n)
{
	if (n == SIZE_MAX) {
		cachet__error_oom();
		return NULL;
	}
	char *p = cachet__malloc(n + 1);
	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void cachet__free(void *ptr)
{
	free(ptr);
}

void cachet_free(void *ptr)
{
	free(ptr);
}
