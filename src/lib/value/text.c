#include "value/text.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/utf8.h"
#include "value/message.h"

#include <string.h>

int cachet__text_check_n(const char *s, size_t len, const char *what)
{
	size_t bad;

	if (len > 0 && !cachet__utf8_valid(s, len, &bad))
		return cachet__error(CACHET_EINVALID, "%s is not valid UTF-8 (byte %zu)", what,
				     bad);
	return 0;
}

int cachet__text_check(const char *s, const char *what)
{
	return cachet__text_check_n(s, s ? strlen(s) : 0, what);
}

int cachet__text_dup_n(char **out, const char *s, size_t len)
{
	*out = NULL;
	if (len == 0)
		return 0;
	*out = cachet_str_new(s, len);
	return *out ? 0 : CACHET_ENOMEM;
}

int cachet__text_dup(char **out, const char *s)
{
	return cachet__text_dup_n(out, s, s ? strlen(s) : 0);
}
