/*
 * The thread's last error: a code and a message in a fixed buffer.
 *
 * Messages longer than the buffer are cut at a UTF-8 character boundary.
 * Trailing newlines and periods are removed, so that "a: b: msg" chains
 * read well whatever the callers wrote.
 */
#include "util/error.h"

#include <stdio.h>
#include <string.h>

#define ERROR_MSG_MAX 1024

typedef struct error_state {
	cachet_error pub; /* what cachet_error_last() hands out */
	char msg[ERROR_MSG_MAX];
} error_state;

static _Thread_local error_state tls_error;

static error_state *state(void)
{
	error_state *st = &tls_error;
	if (st->pub.message == NULL)
		st->pub.message = st->msg; /* msg starts zeroed: "" */
	return st;
}

/* Cut a truncated message back to the start of its last, possibly partial,
 * UTF-8 sequence, and drop trailing newlines and periods. */
static void tidy(char *msg, size_t len, bool truncated)
{
	if (truncated) {
		size_t i = len;
		/* walk back over continuation bytes to a lead byte */
		while (i > 0 && ((unsigned char)msg[i - 1] & 0xC0) == 0x80)
			i--;
		if (i > 0 && ((unsigned char)msg[i - 1] & 0x80)) {
			unsigned char lead = (unsigned char)msg[i - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
			if (len - (i - 1) < need)
				len = i - 1;
		}
		msg[len] = '\0';
	}
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r' ||
			   msg[len - 1] == '.'))
		msg[--len] = '\0';
}

/* Format into dst (ERROR_MSG_MAX bytes). */
CACHET__PRINTF(2, 0)
static void format_into(char *dst, const char *fmt, va_list ap)
{
	int n = vsnprintf(dst, ERROR_MSG_MAX, fmt, ap);
	if (n < 0) {
		dst[0] = '\0';
		return;
	}
	bool truncated = (size_t)n >= ERROR_MSG_MAX;
	tidy(dst, truncated ? ERROR_MSG_MAX - 1 : (size_t)n, truncated);
}

int cachet__error_v(int code, const char *fmt, va_list ap)
{
	error_state *st = state();
	/* fmt's arguments may point into st->msg (a caller re-reporting the
	 * last message): format into a temporary first. */
	char tmp[ERROR_MSG_MAX];
	format_into(tmp, fmt, ap);
	memcpy(st->msg, tmp, strlen(tmp) + 1);
	st->pub.code = code;
	return code;
}

int cachet__error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = cachet__error_v(code, fmt, ap);
	va_end(ap);
	return rc;
}

int cachet__error_oom(void)
{
	error_state *st = state();
	static const char oom[] = "out of memory";
	memcpy(st->msg, oom, sizeof(oom));
	st->pub.code = CACHET_ENOMEM;
	return CACHET_ENOMEM;
}

/*
 * When no error is recorded (code CACHET_OK) the code becomes CACHET_ERROR,
 * so that `return cachet__error_prefix(...)` on a failure path never returns
 * success. An empty old message leaves just the prefix.
 */
int cachet__error_prefix(const char *fmt, ...)
{
	error_state *st = state();
	char prefix[ERROR_MSG_MAX];
	char joined[ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	format_into(prefix, fmt, ap);
	va_end(ap);

	int n;
	if (st->msg[0] != '\0')
		n = snprintf(joined, sizeof(joined), "%s: %s", prefix, st->msg);
	else
		n = snprintf(joined, sizeof(joined), "%s", prefix);
	if (n < 0) {
		joined[0] = '\0';
		n = 0;
	}
	bool truncated = (size_t)n >= sizeof(joined);
	tidy(joined, truncated ? sizeof(joined) - 1 : (size_t)n, truncated);

	memcpy(st->msg, joined, strlen(joined) + 1);
	if (st->pub.code == CACHET_OK)
		st->pub.code = CACHET_ERROR;
	return st->pub.code;
}

const cachet_error *cachet_error_last(void)
{
	return &state()->pub;
}

void cachet_error_clear(void)
{
	error_state *st = state();
	st->pub.code = CACHET_OK;
	st->msg[0] = '\0';
}

const char *cachet_error_code_name(int code)
{
	switch (code) {
	case CACHET_OK: return "OK";
	case CACHET_ERROR: return "ERROR";
	case CACHET_ENOMEM: return "ENOMEM";
	case CACHET_EINVALID: return "EINVALID";
	case CACHET_ENOTFOUND: return "ENOTFOUND";
	case CACHET_EEXISTS: return "EEXISTS";
	case CACHET_ELOCKED: return "ELOCKED";
	case CACHET_EIO: return "EIO";
	case CACHET_ETOODEEP: return "ETOODEEP";
	case CACHET_EUNSUPPORTED: return "EUNSUPPORTED";
	case CACHET_ECORRUPT: return "ECORRUPT";
	case CACHET_EUNSAFE: return "EUNSAFE";
	case CACHET_ETOOBIG: return "ETOOBIG";
	default: return "EUNKNOWN";
	}
}
