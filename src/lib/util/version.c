#include "cachet/common.h"

const char *cachet_version(void)
{
	return CACHET_VERSION;
}
