#include "util/version.h"

#include "cachet/common.h"
#include "util/error.h"

#include <string.h>

const char *cachet_version(void)
{
	return CACHET_VERSION;
}

bool cachet__version_known(unsigned int version, unsigned int current)
{
	return version > 0 && version <= current;
}

int cachet__check_version(unsigned int version, unsigned int current, const char *what)
{
	if (cachet__version_known(version, current))
		return 0;
	return cachet__error(CACHET_EINVALID,
			     "unsupported %s version %u (this library knows 1 to %u)", what,
			     version, current);
}

/* A versioned struct starts with its version (C11 6.7.2.1: a pointer to a
 * struct points at its first member). */
static unsigned int version_of(const void *res)
{
	unsigned int v;

	memcpy(&v, res, sizeof v);
	return v;
}

void cachet__result_clear(void *res, size_t size)
{
	memset((char *)res + sizeof(unsigned int), 0, size - sizeof(unsigned int));
}

int cachet__result_begin(void *res, size_t size, unsigned int current, const char *what)
{
	int rc = cachet__check_version(version_of(res), current, what);

	if (rc == 0)
		cachet__result_clear(res, size);
	return rc;
}
