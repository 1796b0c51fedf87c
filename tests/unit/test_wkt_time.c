/*
 * google.protobuf.Timestamp and Duration as JSON text (codec/wkt_time.c).
 *
 * Expected values are worked out by hand: 2019-03-29 is day 17984 after
 * the epoch (49 years of which 12 leap to 2019-01-01 = day 17897, then
 * 31 + 28 + 28 days), so 12:00 that day is 17984 * 86400 + 43200 =
 * 1553860800 s; 2000-01-01 is 946684800 s (10957 days) and 2000-02-29 59
 * days later; the limits 0001-01-01 and 9999-12-31T23:59:59 are protobuf's
 * documented -62135596800 and 253402300799.
 */
#include "test_helpers.h"

#include "codec/json.h"
#include "util/buf.h"

static void check_ts_format(int64_t seconds, int32_t nanos, const char *want)
{
	cachet_buf b = CACHET_BUF_INIT;
	cachet_timestamp ts = {seconds, nanos};
	assert_int_equal(cachet__timestamp_format(&ts, &b), 0);
	assert_string_equal(b.ptr, want);
	cachet__buf_dispose(&b);

	/* and back */
	cachet_timestamp back = {-1, -1};
	assert_int_equal(cachet__timestamp_parse(want, &back), 0);
	assert_int_equal(back.seconds, seconds);
	assert_int_equal(back.nanos, nanos);
}

static void test_timestamp_format(void **state)
{
	(void)state;
	check_ts_format(0, 0, "1970-01-01T00:00:00Z");
	check_ts_format(1553860800, 0, "2019-03-29T12:00:00Z");
	check_ts_format(1553860800, 500000000, "2019-03-29T12:00:00.500Z");
	check_ts_format(1553860800, 1000000, "2019-03-29T12:00:00.001Z");
	check_ts_format(1553860800, 120000, "2019-03-29T12:00:00.000120Z");
	check_ts_format(1553860800, 1000, "2019-03-29T12:00:00.000001Z");
	check_ts_format(1553860800, 1, "2019-03-29T12:00:00.000000001Z");
	check_ts_format(1553860800, 123456789, "2019-03-29T12:00:00.123456789Z");
	check_ts_format(1553860800, 999999999, "2019-03-29T12:00:00.999999999Z");
	check_ts_format(-1, 0, "1969-12-31T23:59:59Z");
	check_ts_format(-86400, 0, "1969-12-31T00:00:00Z");
	check_ts_format(946684800, 0, "2000-01-01T00:00:00Z");
	check_ts_format(946684800 + 59 * 86400, 0, "2000-02-29T00:00:00Z");
	check_ts_format(946684800 + 60 * 86400 - 1, 0, "2000-02-29T23:59:59Z");
	check_ts_format(-62135596800, 0, "0001-01-01T00:00:00Z");
	check_ts_format(253402300799, 999999999, "9999-12-31T23:59:59.999999999Z");
}

static void check_ts_format_fails(int64_t seconds, int32_t nanos, const char *msg)
{
	cachet_buf b = CACHET_BUF_INIT;
	cachet_timestamp ts = {seconds, nanos};
	assert_cachet_error(cachet__timestamp_format(&ts, &b), CACHET_EINVALID, msg);
	cachet__buf_dispose(&b);
}

static void test_timestamp_format_range(void **state)
{
	(void)state;
	check_ts_format_fails(-62135596801, 0,
			      "timestamp out of range (seconds -62135596801, nanos 0)");
	check_ts_format_fails(253402300800, 0,
			      "timestamp out of range (seconds 253402300800, nanos 0)");
	check_ts_format_fails(0, -1, "timestamp out of range (seconds 0, nanos -1)");
	check_ts_format_fails(0, 1000000000, "timestamp out of range (seconds 0, nanos 1000000000)");
	check_ts_format_fails(INT64_MIN, 0, NULL);
	check_ts_format_fails(INT64_MAX, 0, NULL);
}

static void check_ts_parse(const char *text, int64_t seconds, int32_t nanos)
{
	cachet_timestamp ts = {-1, -1};
	int rc = cachet__timestamp_parse(text, &ts);
	if (rc != 0)
		fail_msg("\"%s\": %s", text, cachet_error_last()->message);
	assert_int_equal(ts.seconds, seconds);
	assert_int_equal(ts.nanos, nanos);
}

static void test_timestamp_parse(void **state)
{
	(void)state;
	check_ts_parse("2019-03-29T12:00:00Z", 1553860800, 0);
	check_ts_parse("2019-03-29T12:00:00.5Z", 1553860800, 500000000);
	check_ts_parse("2019-03-29T12:00:00.12Z", 1553860800, 120000000);
	check_ts_parse("2019-03-29T12:00:00.000000001Z", 1553860800, 1);
	/* offsets: local time minus the offset is UTC */
	check_ts_parse("2019-03-29T12:00:00.5+01:00", 1553860800 - 3600, 500000000);
	check_ts_parse("2019-03-29T12:00:00-00:30", 1553860800 + 1800, 0);
	check_ts_parse("2019-03-29T12:00:00+00:00", 1553860800, 0);
	check_ts_parse("2019-03-29T12:00:00-00:00", 1553860800, 0);
	check_ts_parse("2019-03-30T01:00:00+13:00", 1553860800, 0);
	check_ts_parse("2019-03-28T23:00:00-13:00", 1553860800, 0);
	check_ts_parse("2000-02-29T00:00:00Z", 946684800 + 59 * 86400, 0);
	check_ts_parse("0001-01-01T00:00:00Z", -62135596800, 0);
	check_ts_parse("0001-01-01T01:00:00+01:00", -62135596800, 0);
	check_ts_parse("9999-12-31T23:59:59.999999999Z", 253402300799, 999999999);
	check_ts_parse("9999-12-31T22:59:59-01:00", 253402300799, 0);
	check_ts_parse("1969-12-31T23:59:59.999Z", -1, 999000000);
}

static void test_timestamp_parse_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"2019-03-29",
		"2019-03-29T12:00:00",          /* no zone */
		"2019-03-29t12:00:00Z",         /* lower-case t */
		"2019-03-29T12:00:00z",         /* lower-case z */
		"2019-03-29 12:00:00Z",         /* space */
		"2019-03-29T12:00:00Z ",        /* trailing space */
		" 2019-03-29T12:00:00Z",
		"2019-3-29T12:00:00Z",
		"19-03-29T12:00:00Z",
		"+2019-03-29T12:00:00Z",
		"12019-03-29T12:00:00Z",
		"0000-12-31T23:59:59Z",         /* year 0 */
		"2019-00-01T00:00:00Z",
		"2019-13-01T00:00:00Z",
		"2019-01-00T00:00:00Z",
		"2019-01-32T00:00:00Z",
		"2019-04-31T00:00:00Z",
		"2019-02-29T00:00:00Z",         /* not a leap year */
		"1900-02-29T00:00:00Z",         /* nor is 1900 */
		"2019-03-29T24:00:00Z",
		"2019-03-29T12:60:00Z",
		"2019-03-29T12:00:60Z",         /* no leap seconds */
		"2019-03-29T12:00:00.Z",
		"2019-03-29T12:00:00.1234567890Z", /* 10 digits */
		"2019-03-29T12:00:00,5Z",
		"2019-03-29T12:00:00+01",
		"2019-03-29T12:00:00+0100",
		"2019-03-29T12:00:00+24:00",
		"2019-03-29T12:00:00+01:60",
		"2019-03-29T12:00:00ZZ",
		"0001-01-01T00:00:00+00:01",    /* before year 1 in UTC */
		"9999-12-31T23:59:59-00:01",    /* after year 9999 in UTC */
		"2019-03-29T1a:00:00Z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cachet_timestamp ts = {7, 7};
		int rc = cachet__timestamp_parse(bad[i], &ts);
		if (rc != CACHET_EINVALID)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_int_equal(cachet_error_last()->code, CACHET_EINVALID);
		assert_true(strncmp(cachet_error_last()->message, "invalid timestamp", 17) == 0);
		assert_int_equal(ts.seconds, 7); /* untouched on failure */
	}
}

static void check_dur_format(int64_t seconds, int32_t nanos, const char *want)
{
	cachet_buf b = CACHET_BUF_INIT;
	cachet_duration d = {seconds, nanos};
	assert_int_equal(cachet__duration_format(&d, &b), 0);
	assert_string_equal(b.ptr, want);
	cachet__buf_dispose(&b);

	cachet_duration back = {-1, -1};
	assert_int_equal(cachet__duration_parse(want, &back), 0);
	assert_int_equal(back.seconds, seconds);
	assert_int_equal(back.nanos, nanos);
}

static void test_duration_format(void **state)
{
	(void)state;
	check_dur_format(0, 0, "0s");
	check_dur_format(1, 0, "1s");
	check_dur_format(-3, 0, "-3s");
	check_dur_format(1, 500000000, "1.500s");
	check_dur_format(0, 1000000, "0.001s");     /* 1 ms */
	check_dur_format(0, -500000000, "-0.500s"); /* the sign lives in nanos */
	check_dur_format(-1, -500000000, "-1.500s");
	check_dur_format(0, 1000, "0.000001s");
	check_dur_format(0, 1, "0.000000001s");
	check_dur_format(0, 10, "0.000000010s");
	check_dur_format(2, 120000000, "2.120s");
	check_dur_format(2, 123400000, "2.123400s");
	check_dur_format(315576000000, 0, "315576000000s");
	check_dur_format(-315576000000, -999999999, "-315576000000.999999999s");
}

static void test_duration_format_range(void **state)
{
	(void)state;
	static const cachet_duration bad[] = {
		{1, -1}, {-1, 1}, {315576000001, 0}, {-315576000001, 0},
		{0, 1000000000}, {0, -1000000000}, {INT64_MIN, 0}, {INT64_MAX, 0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cachet_buf b = CACHET_BUF_INIT;
		assert_int_equal(cachet__duration_format(&bad[i], &b), CACHET_EINVALID);
		cachet__buf_dispose(&b);
	}
	cachet_buf b = CACHET_BUF_INIT;
	cachet_duration d = {1, -1};
	assert_cachet_error(cachet__duration_format(&d, &b), CACHET_EINVALID,
			    "duration out of range (seconds 1, nanos -1)");
	cachet__buf_dispose(&b);
}

static void check_dur_parse(const char *text, int64_t seconds, int32_t nanos)
{
	cachet_duration d = {-7, -7};
	int rc = cachet__duration_parse(text, &d);
	if (rc != 0)
		fail_msg("\"%s\": %s", text, cachet_error_last()->message);
	assert_int_equal(d.seconds, seconds);
	assert_int_equal(d.nanos, nanos);
}

static void test_duration_parse(void **state)
{
	(void)state;
	check_dur_parse("1.5s", 1, 500000000);
	check_dur_parse("-1.5s", -1, -500000000);
	check_dur_parse("-0.5s", 0, -500000000);
	check_dur_parse("0.001s", 0, 1000000);
	check_dur_parse("3s", 3, 0);
	check_dur_parse("-3s", -3, 0);
	check_dur_parse("0s", 0, 0);
	check_dur_parse("-0s", 0, 0);
	check_dur_parse("007s", 7, 0);
	check_dur_parse("0.000000001s", 0, 1);
	check_dur_parse("1.123456789s", 1, 123456789);
	check_dur_parse("315576000000.999999999s", 315576000000, 999999999);
	check_dur_parse("-315576000000s", -315576000000, 0);
}

static void test_duration_parse_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "s", "-s", "1.5", "1", "1.s", ".5s", "-.5s", "1.1234567890s", "+1s",
		"1e3s", " 1s", "1s ", "1S", "1.5ss", "--1s", "1-s", "315576000001s",
		"-315576000001s", "99999999999999999999999s", "0x10s", "1,5s",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cachet_duration d = {7, 7};
		if (cachet__duration_parse(bad[i], &d) != CACHET_EINVALID)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_true(strncmp(cachet_error_last()->message, "invalid duration", 16) == 0);
		assert_int_equal(d.seconds, 7);
	}
}

/* Every day of every year agrees with a plain day-by-day count, and
 * formatting then parsing gives back the same instant. */
static void test_calendar_walk(void **state)
{
	(void)state;
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t day = -719162; /* 0001-01-01: 62135596800 / 86400 days before the epoch */
	cachet_buf b = CACHET_BUF_INIT;
	char want[64];
	for (int y = 1; y <= 9999; y++) {
		bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
		for (int m = 1; m <= 12; m++) {
			int n = mdays[m - 1] + (m == 2 && leap);
			for (int d = 1; d <= n; d++, day++) {
				/* one check per day is 3.6 million: sample the first of
				 * each month and every day of a few years */
				if (d != 1 && y != 1 && y != 1970 && y != 2000 && y != 2100 &&
				    y != 9999)
					continue;
				cachet_timestamp ts = {day * 86400 + 3723, 0};
				cachet__buf_clear(&b);
				assert_int_equal(cachet__timestamp_format(&ts, &b), 0);
				snprintf(want, sizeof(want), "%04d-%02d-%02dT01:02:03Z", y, m, d);
				assert_string_equal(b.ptr, want);
				cachet_timestamp back;
				assert_int_equal(cachet__timestamp_parse(want, &back), 0);
				assert_int_equal(back.seconds, ts.seconds);
			}
		}
	}
	assert_int_equal(day * 86400, 253402300800); /* 10000-01-01 */
	cachet__buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamp_format),
		cmocka_unit_test(test_timestamp_format_range),
		cmocka_unit_test(test_timestamp_parse),
		cmocka_unit_test(test_timestamp_parse_invalid),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_duration_format_range),
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_parse_invalid),
		cmocka_unit_test(test_calendar_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
