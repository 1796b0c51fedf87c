/*
 * google.protobuf.Timestamp and Duration in their protobuf JSON forms.
 *
 * Output follows Go's jsonpb, which Flyte's pbhash uses: the fraction has
 * 0, 3, 6 or 9 digits, timestamps are always in UTC ("Z"). Since cache keys
 * hash this text, the exact spelling matters, not just the value.
 *
 * Calendar arithmetic is the proleptic Gregorian calendar done on day
 * counts (the "days from civil" method), so no libc time functions are
 * involved: no time zones, no locale, no 32-bit time_t limits.
 */
#include "codec/json.h"

#include "util/error.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#define SECONDS_PER_DAY INT64_C(86400)
#define NANOS_PER_SECOND 1000000000
#define TIMESTAMP_MIN_SECONDS INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */
#define TIMESTAMP_MAX_SECONDS INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define DURATION_MAX_SECONDS INT64_C(315576000000)  /* 10000 years */
#define DURATION_MAX_NANOS 999999999

/*
 * Days since 1970-01-01. Years are counted in 400-year eras of 146097
 * days, each starting on March 1st so that the leap day is the last day of
 * its year. Valid for the years 1..9999 at least.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	if (m <= 2)
		y--;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                          /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* ".5" style fraction of non-negative nanos, with 0, 3, 6 or 9 digits. */
static int put_fraction(cachet_buf *out, int32_t nanos)
{
	if (nanos == 0)
		return 0;
	if (nanos % 1000000 == 0)
		return cachet__buf_printf(out, ".%03" PRId32, nanos / 1000000);
	if (nanos % 1000 == 0)
		return cachet__buf_printf(out, ".%06" PRId32, nanos / 1000);
	return cachet__buf_printf(out, ".%09" PRId32, nanos);
}

int cachet__timestamp_format(const cachet_timestamp *ts, cachet_buf *out)
{
	if (ts->seconds < TIMESTAMP_MIN_SECONDS || ts->seconds > TIMESTAMP_MAX_SECONDS ||
	    ts->nanos < 0 || ts->nanos >= NANOS_PER_SECOND)
		return cachet__error(CACHET_EINVALID,
				     "timestamp out of range (seconds %" PRId64 ", nanos %" PRId32 ")",
				     ts->seconds, ts->nanos);

	/* floor division: the seconds before the epoch belong to earlier days */
	int64_t days = ts->seconds / SECONDS_PER_DAY;
	int64_t rem = ts->seconds % SECONDS_PER_DAY;
	if (rem < 0) {
		rem += SECONDS_PER_DAY;
		days--;
	}
	int64_t year;
	int month, day;
	civil_from_days(days, &year, &month, &day);

	int rc = cachet__buf_printf(out, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d", year, month,
				    day, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (rc == 0)
		rc = put_fraction(out, ts->nanos);
	if (rc == 0)
		rc = cachet__buf_putc(out, 'Z');
	return rc;
}

int cachet__duration_format(const cachet_duration *d, cachet_buf *out)
{
	if (d->seconds < -DURATION_MAX_SECONDS || d->seconds > DURATION_MAX_SECONDS ||
	    d->nanos < -DURATION_MAX_NANOS || d->nanos > DURATION_MAX_NANOS ||
	    (d->seconds > 0 && d->nanos < 0) || (d->seconds < 0 && d->nanos > 0))
		return cachet__error(CACHET_EINVALID,
				     "duration out of range (seconds %" PRId64 ", nanos %" PRId32 ")",
				     d->seconds, d->nanos);

	/* the sign is written once, for -1.5s and also for -0.5s (seconds 0) */
	bool negative = d->seconds < 0 || d->nanos < 0;
	int64_t seconds = negative ? -d->seconds : d->seconds;
	int32_t nanos = negative ? -d->nanos : d->nanos;

	int rc = cachet__buf_printf(out, "%s%" PRId64, negative ? "-" : "", seconds);
	if (rc == 0)
		rc = put_fraction(out, nanos);
	if (rc == 0)
		rc = cachet__buf_putc(out, 's');
	return rc;
}

/* Read exactly n decimal digits at *p, advancing it. */
static bool read_digits(const char **p, int n, int64_t *out)
{
	int64_t v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* Read ".ddd" (1 to 9 digits) if present, as nanoseconds. */
static bool read_fraction(const char **p, int32_t *nanos)
{
	*nanos = 0;
	if (**p != '.')
		return true;
	(*p)++;
	int n = 0;
	int32_t v = 0;
	while ((*p)[n] >= '0' && (*p)[n] <= '9') {
		if (n == 9)
			return false;
		v = v * 10 + ((*p)[n] - '0');
		n++;
	}
	if (n == 0)
		return false;
	for (int i = n; i < 9; i++)
		v *= 10;
	*p += n;
	*nanos = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/*
 * RFC 3339 as protobuf uses it: "YYYY-MM-DDTHH:MM:SS[.f]" then "Z" or an
 * offset "+HH:MM" / "-HH:MM". 'T' and 'Z' must be upper case, the year has
 * four digits, seconds stop at 59 (no leap seconds), and the instant, once
 * moved to UTC, must lie in the years 0001..9999.
 */
static bool parse_timestamp(const char *p, cachet_timestamp *out)
{
	int64_t year, month, day, hour, minute, second;
	if (!read_digits(&p, 4, &year) || !expect(&p, '-') || !read_digits(&p, 2, &month) ||
	    !expect(&p, '-') || !read_digits(&p, 2, &day) || !expect(&p, 'T') ||
	    !read_digits(&p, 2, &hour) || !expect(&p, ':') || !read_digits(&p, 2, &minute) ||
	    !expect(&p, ':') || !read_digits(&p, 2, &second))
		return false;
	int32_t nanos;
	if (!read_fraction(&p, &nanos))
		return false;

	int64_t offset = 0; /* seconds east of UTC */
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int64_t oh, om;
		p++;
		if (!read_digits(&p, 2, &oh) || !expect(&p, ':') || !read_digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return false;
		offset = sign * (oh * 3600 + om * 60);
	} else {
		return false;
	}
	if (*p != '\0')
		return false;

	if (year < 1 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, (int)month) || hour > 23 || minute > 59 || second > 59)
		return false;

	int64_t seconds = days_from_civil(year, (int)month, (int)day) * SECONDS_PER_DAY +
			  hour * 3600 + minute * 60 + second - offset;
	if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS)
		return false;
	out->seconds = seconds;
	out->nanos = nanos;
	return true;
}

int cachet__timestamp_parse(const char *text, cachet_timestamp *out)
{
	cachet_timestamp ts;
	if (!parse_timestamp(text, &ts))
		return cachet__error(CACHET_EINVALID,
				     "invalid timestamp: want RFC 3339 such as "
				     "\"2019-03-29T12:00:00Z\", years 0001 to 9999");
	*out = ts;
	return 0;
}

/*
 * "[-]<seconds>[.<1 to 9 digits>]s". The sign applies to both parts, so
 * "-0.5s" is seconds 0, nanos -500000000.
 */
static bool parse_duration(const char *p, cachet_duration *out)
{
	bool negative = *p == '-';
	if (negative)
		p++;
	if (*p < '0' || *p > '9')
		return false;
	int64_t seconds = 0;
	while (*p >= '0' && *p <= '9') {
		seconds = seconds * 10 + (*p - '0');
		if (seconds > DURATION_MAX_SECONDS)
			return false;
		p++;
	}
	int32_t nanos;
	if (!read_fraction(&p, &nanos) || !expect(&p, 's') || *p != '\0')
		return false;
	out->seconds = negative ? -seconds : seconds;
	out->nanos = negative ? -nanos : nanos;
	return true;
}

int cachet__duration_parse(const char *text, cachet_duration *out)
{
	cachet_duration d;
	if (!parse_duration(text, &d))
		return cachet__error(CACHET_EINVALID,
				     "invalid duration: want seconds with up to 9 fraction digits "
				     "and an 's', such as \"-1.5s\", at most 315576000000s");
	*out = d;
	return 0;
}
