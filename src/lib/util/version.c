#include "util/version.h"

#include "cachet/common.h"
#include "util/error.h"

const char *cachet_version(void)
{
	return CACHET_VERSION;
}

int cachet__check_version(unsigned int version, unsigned int current, const char *what)
{
	if (version > 0 && version <= current)
		return 0;
	return cachet__error(CACHET_EINVALID,
			     "unsupported %s version %u (this library knows 1 to %u)", what,
			     version, current);
}
