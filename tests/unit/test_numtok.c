/*
 * test_numtok.c - number tokens of property values.
 */
#include <string.h>

#include "rs.h"
#include "numtok.h"
#include "tap.h"

static int
parse(const char *s, double *v)
{
	return rs_numtok_parse(s, strlen(s), v);
}

static int
first(const char *s, double *v)
{
	return rs_numtok_first(s, strlen(s), v, NULL, NULL);
}

static void
test_numtok__real_shapes(void)
{
	double v = 0;

	CHECK(parse("n552.000", &v) == 0);
	CHECK(v == 552.0);
	CHECK(parse("n64807.200", &v) == 0);
	CHECK(v == 64807.2);
	CHECK(parse("n0.000", &v) == 0);
	CHECK(v == 0.0);
	CHECK(parse("n99999999999999999.999", &v) == 0);
	CHECK(v == 99999999999999999.999);
	CHECK(parse("n12345678901234.567", &v) == 0);
	CHECK(v == 12345678901234.567);
}

static void
test_numtok__signs_and_fractions(void)
{
	double v = 0;

	CHECK(parse("n-3.250", &v) == 0);
	CHECK(v == -3.25);
	CHECK(parse("n+7", &v) == 0);
	CHECK(v == 7.0);
	CHECK(parse("n1.5", &v) == 0);
	CHECK(v == 1.5);
	CHECK(parse("n0.1", &v) == 0);
	CHECK(v == 0.1);
	CHECK(parse("n123456789012345678901234.5", &v) == 0);
	CHECK(v == 123456789012345678901234.5);
}

static void
test_numtok__bad_tokens(void)
{
	double v = 0;

	CHECK(parse("n", &v) < 0);
	CHECK(parse("n-", &v) < 0);
	CHECK(parse("n1.", &v) < 0);
	CHECK(parse("n.5", &v) < 0);
	CHECK(parse("n1.2.3", &v) < 0);
	CHECK(parse("n1e5", &v) < 0);
	CHECK(parse("nabc", &v) < 0);
	CHECK(parse("12", &v) < 0);
	CHECK(parse("n1,5", &v) < 0);
}

static void
test_numtok__first_of_value(void)
{
	const char *bad = NULL;
	size_t badlen = 0;
	const char *s;
	double v = -1;

	CHECK(first("1103801 n9420.000 969301", &v) == 1);
	CHECK(v == 9420.0);
	CHECK(first("505421 945042 n30.000 530721 1184232 n64807.200",
	    &v) == 1);
	CHECK(v == 30.0);
	v = -1;
	CHECK(first("1103801 969301", &v) == 0);
	CHECK(v == -1);
	CHECK(first("", &v) == 0);
	CHECK(first("  n5.000  ", &v) == 1);
	CHECK(v == 5.0);
	s = "n1.000 123 nope 7";
	CHECK(rs_numtok_first(s, strlen(s), &v, &bad, &badlen) == -1);
	CHECK(bad == s + 11);
	CHECK_EQ_U64(badlen, 4);
	/* A bad token after a good one still makes the value bad. */
	s = "n2.000 n3..0";
	CHECK(rs_numtok_first(s, strlen(s), &v, &bad, &badlen) == -1);
	CHECK(bad == s + 7);
	/* Not NUL-terminated: only n bytes count. */
	CHECK(rs_numtok_first("n4.000xyz", 6, &v, NULL, NULL) == 1);
	CHECK(v == 4.0);
}

int
main(void)
{
	RUN(test_numtok__real_shapes);
	RUN(test_numtok__signs_and_fractions);
	RUN(test_numtok__bad_tokens);
	RUN(test_numtok__first_of_value);
	return tap_done();
}
