/*
 * test_klist.c - the K list parser of -k/--k (rs-eval, rs-replay).
 */
#include "rs.h"
#include "tap.h"

#define MAXN 8

static unsigned ks[MAXN], nk;
static struct rs_error err;

/* Parses s with K up to 1000 and at most MAXN values. */
static int
parse(const char *s)
{
	rs_error_clear(&err);
	return rs_klist_parse(s, 1000, ks, MAXN, &nk, &err);
}

/* Whether the last parse gave exactly the n values of want. */
static int
got(const unsigned *want, unsigned n)
{
	unsigned i;

	if (nk != n)
		return 0;
	for (i = 0; i < n; i++)
		if (ks[i] != want[i])
			return 0;
	return 1;
}

static void
test_klist__normal_lists(void)
{
	static const unsigned one[] = { 10 }, three[] = { 5, 10, 20 };

	CHECK(parse("10") == 0);
	CHECK(got(one, 1));
	CHECK(parse("5,10,20") == 0);
	CHECK(got(three, 3));
	CHECK(parse("005,010,20") == 0);
	CHECK(got(three, 3));
}

static void
test_klist__order_and_duplicates(void)
{
	static const unsigned two[] = { 10, 20 }, three[] = { 1, 5, 20 },
	    five[] = { 5 };

	CHECK(parse("20,10,10") == 0);
	CHECK(got(two, 2));
	CHECK(parse("10,20") == 0);
	CHECK(got(two, 2));
	CHECK(parse("20,5,1,5,20") == 0);
	CHECK(got(three, 3));
	CHECK(parse("5,5") == 0);
	CHECK(got(five, 1));
}

static void
test_klist__bounds(void)
{
	static const unsigned lo[] = { 1 }, hi[] = { 1000 };

	CHECK(parse("1") == 0);
	CHECK(got(lo, 1));
	CHECK(parse("1000") == 0);
	CHECK(got(hi, 1));
	nk = 77;
	CHECK(parse("0") == RS_EARG);
	CHECK_STR(err.msg, "'0' is out of range: must be from 1 to 1000");
	CHECK_EQ_U64(nk, 77);
	CHECK(parse("10,1001") == RS_EARG);
	CHECK_STR(err.msg, "'1001' is out of range: must be from 1 to 1000");
	CHECK(rs_klist_parse("3,1", 3, ks, MAXN, &nk, &err) == 0);
	CHECK(rs_klist_parse("4", 3, ks, MAXN, &nk, &err) == RS_EARG);
}

static void
test_klist__empty_items(void)
{
	CHECK(parse("") == RS_EARG);
	CHECK_STR(err.msg, "empty list");
	CHECK(parse("10,,20") == RS_EARG);
	CHECK_STR(err.msg, "item 2 is empty");
	CHECK(parse(",10") == RS_EARG);
	CHECK_STR(err.msg, "item 1 is empty");
	CHECK(parse("10,") == RS_EARG);
	CHECK_STR(err.msg, "item 2 is empty");
	CHECK(parse(",") == RS_EARG);
	CHECK_STR(err.msg, "item 1 is empty");
}

static void
test_klist__not_numbers(void)
{
	CHECK(parse("5,x") == RS_EARG);
	CHECK_STR(err.msg, "'x' is not a whole number");
	CHECK(parse("10x") == RS_EARG);
	CHECK_STR(err.msg, "'10x' is not a whole number");
	CHECK(parse("-5") == RS_EARG);
	CHECK_STR(err.msg, "'-5' is not a whole number");
	CHECK(parse("+5") == RS_EARG);
	CHECK(parse(" 5") == RS_EARG);
	CHECK(parse("5 ") == RS_EARG);
	CHECK(parse("1.5") == RS_EARG);
	CHECK(parse("1e3") == RS_EARG);
	CHECK(parse("0x10") == RS_EARG);
	CHECK(parse("5;10") == RS_EARG);
	CHECK_STR(err.msg, "'5;10' is not a whole number");
	CHECK(parse("abcdefghijklmnopqrstuvwxyz0123456789") == RS_EARG);
	CHECK_STR(err.msg, "'abcdefghijklmnopqrstuvwx...' is not a whole "
	    "number");
}

static void
test_klist__overflow(void)
{
	static const unsigned big[] = { 4294967295u };

	CHECK(parse("99999999999999999999") == RS_EARG);
	CHECK_STR(err.msg, "'99999999999999999999' is out of range: must be "
	    "from 1 to 1000");
	/* 2^32 + 10 must not wrap around to 10 */
	CHECK(parse("4294967306") == RS_EARG);
	CHECK(parse("18446744073709551626") == RS_EARG);
	/* the whole unsigned range when the caller allows it */
	CHECK(rs_klist_parse("4294967295", 4294967295u, ks, MAXN, &nk,
	    &err) == 0);
	CHECK(got(big, 1));
	CHECK(rs_klist_parse("4294967296", 4294967295u, ks, MAXN, &nk,
	    &err) == RS_EARG);
}

static void
test_klist__too_many(void)
{
	static const unsigned eight[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	CHECK(parse("8,7,6,5,4,3,2,1") == 0);
	CHECK(got(eight, 8));
	/* repeats do not count against the limit */
	CHECK(parse("1,2,3,4,5,6,7,8,8,1") == 0);
	CHECK(got(eight, 8));
	CHECK(parse("1,2,3,4,5,6,7,8,9") == RS_EARG);
	CHECK_STR(err.msg, "more than 8 different values");
	CHECK(rs_klist_parse("1,2", 1000, ks, 1, &nk, &err) == RS_EARG);
	CHECK(rs_klist_parse("2,2", 1000, ks, 1, &nk, &err) == 0);
}

static void
test_klist__no_error_record(void)
{
	CHECK(rs_klist_parse("x", 10, ks, MAXN, &nk, NULL) == RS_EARG);
}

int
main(void)
{
	RUN(test_klist__normal_lists);
	RUN(test_klist__order_and_duplicates);
	RUN(test_klist__bounds);
	RUN(test_klist__empty_items);
	RUN(test_klist__not_numbers);
	RUN(test_klist__overflow);
	RUN(test_klist__too_many);
	RUN(test_klist__no_error_record);
	return tap_done();
}
