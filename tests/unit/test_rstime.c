/*
 * test_rstime.c - time and duration parsing and formatting.
 */
#include "rs.h"
#include "tap.h"

static void
test_rstime__parse(void)
{
	struct rs_error err;
	int64_t ms;

	CHECK(rs_time_parse("1433193132535", &ms, &err) == 0 &&
	    ms == 1433193132535LL);
	CHECK(rs_time_parse("0", &ms, &err) == 0 && ms == 0);
	CHECK(rs_time_parse("1000000000", &ms, &err) == 0 &&
	    ms == 1000000000LL);
	CHECK(rs_time_parse("-5", &ms, &err) == 0 && ms == -5);
	CHECK(rs_time_parse("1970-01-01", &ms, &err) == 0 && ms == 0);
	CHECK(rs_time_parse("2015-05-10T03:00:00Z", &ms, &err) == 0 &&
	    ms == 1431226800000LL);
	CHECK(rs_time_parse("2015-05-10T03:00", &ms, &err) == 0 &&
	    ms == 1431226800000LL);
	CHECK(rs_time_parse("2015-05-10 03:00:00.5", &ms, &err) == 0 &&
	    ms == 1431226800500LL);
	CHECK(rs_time_parse("2016-02-29", &ms, &err) == 0);
	CHECK(rs_time_parse("2015-02-29", &ms, &err) == RS_EINPUT);
	CHECK(strstr(err.msg, "'2015-02-29' is not a time") != NULL);
	CHECK(rs_time_parse("2015-13-01", &ms, &err) == RS_EINPUT);
	CHECK(rs_time_parse("2015-05-10T24:00", &ms, &err) == RS_EINPUT);
	CHECK(rs_time_parse("2015-05-10+02:00", &ms, &err) == RS_EINPUT);
	CHECK(rs_time_parse("", &ms, &err) == RS_EINPUT);
	CHECK(rs_time_parse("12x", &ms, &err) == RS_EINPUT);
	CHECK(rs_time_parse("-", &ms, &err) == RS_EINPUT);
}

static void
test_rstime__format_round_trip(void)
{
	static const int64_t t[] = { 0, 1431226800000LL, 1442545187788LL, -1,
		951782400000LL };
	struct rs_error err;
	char buf[32];
	int64_t back;
	size_t i;

	CHECK_STR(rs_time_format(1431226800000LL, buf, sizeof(buf)),
	    "2015-05-10T03:00:00.000Z");
	CHECK_STR(rs_time_format(-1, buf, sizeof(buf)),
	    "1969-12-31T23:59:59.999Z");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rs_time_format(t[i], buf, sizeof(buf));
		CHECK(rs_time_parse(buf, &back, &err) == 0 && back == t[i]);
	}
}

static void
test_rstime__duration(void)
{
	struct rs_error err;
	int64_t ms;

	CHECK(rs_duration_parse("14d", &ms, &err) == 0 &&
	    ms == 14 * RS_MS_PER_DAY);
	CHECK(rs_duration_parse("30m", &ms, &err) == 0 && ms == 1800000);
	CHECK(rs_duration_parse("500ms", &ms, &err) == 0 && ms == 500);
	/* Regression: a bare number was taken as milliseconds, silently. */
	CHECK(rs_duration_parse("250", &ms, &err) == RS_EINPUT);
	CHECK_STR(err.msg, "'250' has no unit (use e.g. 250d, 250h, 250m, "
	    "250s or 250ms)");
	CHECK(rs_duration_parse("0", &ms, &err) == 0 && ms == 0);
	CHECK(rs_duration_parse("0d", &ms, &err) == 0 && ms == 0);
	CHECK(rs_duration_parse("3w", &ms, &err) == RS_EINPUT);
	CHECK(rs_duration_parse("-1d", &ms, &err) == RS_EINPUT);
	CHECK(rs_duration_parse("d", &ms, &err) == RS_EINPUT);
}

/* Bounds (end, end-DURATION, a time) and the one resolver. */
static void
test_rstime__bound(void)
{
	struct rs_error err;
	struct rs_bound b, none = { 0, 0, 0 };

	CHECK(rs_bound_parse("end-14d", &b, &err) == 0);
	CHECK(b.set && b.relative && b.ms == -14 * RS_MS_PER_DAY);
	CHECK(rs_bound_parse("end", &b, &err) == 0);
	CHECK(b.relative && b.ms == 0);
	CHECK(rs_bound_parse("2015-09-04", &b, &err) == 0);
	CHECK(!b.relative && b.ms == 1441324800000LL);
	CHECK(rs_bound_parse("end+1d", &b, &err) == RS_EARG);
	/* Regression: end-14 was 14 ms before the end, silently. */
	CHECK(rs_bound_parse("end-14", &b, &err) == RS_EARG);
	CHECK_STR(err.msg, "invalid time 'end-14': '14' has no unit (use e.g. "
	    "14d, 14h, 14m, 14s or 14ms)");
	CHECK(rs_bound_parse("end-0", &b, &err) == 0 && b.ms == 0);
	CHECK(rs_bound_parse("yesterday", &b, &err) == RS_EINPUT);
	CHECK(rs_bound_parse("end-2h", &b, &err) == 0);
	CHECK(rs_bound_resolve(&b, 10 * 3600000LL, 0) == 8 * 3600000LL);
	CHECK(rs_bound_parse("1000", &b, &err) == 0);
	CHECK(rs_bound_resolve(&b, 5000, 0) == 1000);
	CHECK(rs_bound_resolve(&none, 5000, -7) == -7);
	CHECK(rs_bound_resolve(NULL, 5000, 42) == 42);
}

int
main(void)
{
	RUN(test_rstime__parse);
	RUN(test_rstime__format_round_trip);
	RUN(test_rstime__duration);
	RUN(test_rstime__bound);
	return tap_done();
}
