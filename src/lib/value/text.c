#include "value/text.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/utf8.h"

#include <string.h>

int cachet__text_check(const char *s, const char *what)
{
	size_t bad;

	if (s != NULL && !cachet__utf8_valid(s, strlen(s), &bad))
		return cachet__error(CACHET_EINVALID, "%s is not valid UTF-8 (byte %zu)", what,
				     bad);
	return 0;
}

int cachet__text_dup(char **out, const char *s)
{
	*out = NULL;
	if (s == NULL || s[0] == '\0')
		return 0;
	*out = cachet__strdup(s);
	return *out ? 0 : CACHET_ENOMEM;
}
