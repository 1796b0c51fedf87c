/*
 * The pieces of protobuf's JSON mapping that more than one writer shares:
 * the JSON value of a scalar field (JSON encoder and pbhash), number
 * formatting, string escaping and error paths (JSON encoder and decoder).
 */
#include "codec/json.h"
#include "codec/json_internal.h"

#include "util/base64.h"
#include "util/error.h"
#include "util/utf8.h"

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cachet__json_scalar_of(const cachet__field_desc *f, const void *storage, cachet_buf *scratch,
			   cachet__json_scalar *out)
{
	int rc = 0;
	cachet__buf_clear(scratch);
	*out = (cachet__json_scalar){.kind = CACHET__JSON_STRING, .str = ""};

	switch (f->type) {
	case CACHET__INT64: /* 64-bit integers are strings: doubles cannot hold them */
		rc = cachet__buf_printf(scratch, "%" PRId64, *(const int64_t *)storage);
		break;
	case CACHET__UINT64:
		rc = cachet__buf_printf(scratch, "%" PRIu64, *(const uint64_t *)storage);
		break;
	case CACHET__INT32:
		out->kind = CACHET__JSON_NUMBER;
		out->number = *(const int32_t *)storage;
		return 0;
	case CACHET__DOUBLE: {
		double v = *(const double *)storage;
		if ((out->str = cachet__json_nonfinite_text(v)) == NULL) {
			out->str = "";
			out->kind = CACHET__JSON_NUMBER;
			out->number = v;
		}
		out->len = strlen(out->str);
		return 0;
	}
	case CACHET__BOOL:
		out->kind = CACHET__JSON_BOOL;
		out->boolean = *(const bool *)storage;
		return 0;
	case CACHET__ENUM: {
		int32_t number = *(const int32_t *)storage;
		const char *name = cachet__enum_name(f->enumeration, number);
		if (name == NULL) { /* a value newer than our tables: keep it */
			out->kind = CACHET__JSON_NUMBER;
			out->number = number;
		} else {
			out->str = name;
			out->len = strlen(name);
		}
		return 0;
	}
	case CACHET__STRING: {
		const char *s = *(char *const *)storage;
		if (s != NULL)
			out->str = s;
		out->len = cachet_str_len(s);
		return 0;
	}
	case CACHET__BYTES: {
		const cachet_bytes *b = storage;
		rc = cachet__base64_encode(scratch, b->data, b->len);
		break;
	}
	case CACHET__MESSAGE:
	default:
		return cachet__error(CACHET_ERROR, "field \"%s\" is not a scalar", f->name);
	}
	if (rc < 0)
		return rc;
	if (scratch->ptr != NULL)
		out->str = scratch->ptr;
	out->len = scratch->len;
	return 0;
}

/* printf and strtod follow LC_NUMERIC, which the host program may have set
 * to a locale whose decimal point is ','. JSON wants '.'. */
static void decimal_point_to_c(char *text)
{
	const char *point = localeconv()->decimal_point;
	if (point == NULL || point[0] == '\0' || strcmp(point, ".") == 0)
		return;
	char *at = strstr(text, point);
	if (at == NULL)
		return;
	size_t n = strlen(point);
	*at = '.';
	memmove(at + 1, at + n, strlen(at + n) + 1);
}

const char *cachet__json_nonfinite_text(double v)
{
	if (isnan(v))
		return "NaN";
	if (isinf(v))
		return v > 0 ? "Infinity" : "-Infinity";
	return NULL;
}

/*
 * The shortest of %.15g, %.16g, %.17g that reads back as the same double:
 * 17 significant digits always do, fewer usually do and read better
 * ("1.3", not "1.3000000000000000444"). %g already prints 3.0 as "3".
 * The round-trip check runs on the locale's own spelling, before the
 * decimal point is changed to '.'.
 */
int cachet__double_format(double v, cachet_buf *out)
{
	if (!isfinite(v))
		return cachet__error(CACHET_EINVALID, "%s is not a JSON number",
				     cachet__json_nonfinite_text(v));
	char text[40];
	for (int precision = 15; precision <= 17; precision++) {
		snprintf(text, sizeof(text), "%.*g", precision, v);
		if (strtod(text, NULL) == v)
			break;
	}
	decimal_point_to_c(text);
	return cachet__buf_puts(out, text);
}

int cachet__json_put_string(cachet_buf *out, const char *s, size_t len)
{
	size_t bad;
	if (!cachet__utf8_valid(s, len, &bad))
		return cachet__error(CACHET_EINVALID, "string is not valid UTF-8 (byte %zu)", bad);

	/* worst case every byte becomes \u00XX: grow once for the common case
	 * of nothing to escape, and let the escapes grow as they come */
	int rc = cachet__buf_grow(out, len + 2);
	if (rc == 0)
		rc = cachet__buf_putc(out, '"');
	if (rc < 0)
		return rc;
	size_t run = 0; /* start of the bytes not yet copied */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if ((rc = cachet__buf_put(out, s + run, i - run)) < 0)
			return rc;
		run = i + 1;
		switch (c) {
		case '"': rc = cachet__buf_puts(out, "\\\""); break;
		case '\\': rc = cachet__buf_puts(out, "\\\\"); break;
		case '\b': rc = cachet__buf_puts(out, "\\b"); break;
		case '\f': rc = cachet__buf_puts(out, "\\f"); break;
		case '\n': rc = cachet__buf_puts(out, "\\n"); break;
		case '\r': rc = cachet__buf_puts(out, "\\r"); break;
		case '\t': rc = cachet__buf_puts(out, "\\t"); break;
		default: rc = cachet__buf_printf(out, "\\u%04x", c); break;
		}
		if (rc < 0)
			return rc;
	}
	if ((rc = cachet__buf_put(out, s + run, len - run)) < 0)
		return rc;
	return cachet__buf_putc(out, '"');
}

/* Digits of an array index in "[i]". */
static size_t index_len(size_t i)
{
	size_t n = 3; /* '[', one digit, ']' */
	while (i >= 10) {
		i /= 10;
		n++;
	}
	return n;
}

static size_t name_len(const cachet__json_path *q)
{
	return q->name_len ? q->name_len : strlen(q->name);
}

/* Cut points must not split a UTF-8 sequence. */
static size_t back_to_lead(const char *s, size_t at)
{
	while (at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80)
		at--;
	return at;
}

#define PATH_MAX_SHOWN 400
#define PATH_HEAD 120
#define PATH_TAIL 240

int cachet__json_path_render(cachet_buf *out, const cachet__json_path *p,
			     const cachet__json_path *stop)
{
	/* The frames link inner to outer: measure, then fill from the end. */
	size_t total = 0;
	for (const cachet__json_path *q = p; q != stop && q != NULL; q = q->up) {
		if (q->name == NULL)
			total += index_len(q->index);
		else
			total += name_len(q) + (q->up != stop && q->up != NULL);
	}
	int rc = cachet__buf_grow(out, total);
	if (rc < 0)
		return rc;

	char *base = out->ptr + out->len;
	char *w = base + total;
	for (const cachet__json_path *q = p; q != stop && q != NULL; q = q->up) {
		if (q->name == NULL) {
			*--w = ']';
			size_t i = q->index;
			do {
				*--w = (char)('0' + i % 10);
				i /= 10;
			} while (i > 0);
			*--w = '[';
		} else {
			size_t n = name_len(q);
			w -= n;
			for (size_t k = 0; k < n; k++) {
				unsigned char c = (unsigned char)q->name[k];
				w[k] = c < 0x20 || c == 0x7F ? '?' : (char)c;
			}
			if (q->up != stop && q->up != NULL)
				*--w = '.';
		}
	}

	if (total > PATH_MAX_SHOWN) {
		size_t head = back_to_lead(base, PATH_HEAD);
		size_t tail = back_to_lead(base, total - PATH_TAIL);
		memcpy(base + head, "...", 3);
		memmove(base + head + 3, base + tail, total - tail);
		total = head + 3 + (total - tail);
	}
	out->len += total;
	out->ptr[out->len] = '\0';
	return 0;
}
