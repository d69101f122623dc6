/*
 * test_requests.c - request streams: window, order and ids of
 * rs_requests_make, rs_requests_visitors, and a write/read round trip.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

#define V RS_EV_VIEW
#define A RS_EV_ADDTOCART

static const struct rs_event evs[] = {
	{ 500, 1, 10, RS_ID_NONE, A },
	{ 100, 2, 20, RS_ID_NONE, A },
	{ 300, 1, 11, RS_ID_NONE, V },
	{ 300, 3, 30, RS_ID_NONE, A },
	{ 300, 4, 40, RS_ID_NONE, A },
	{ 1000, 5, 50, RS_ID_NONE, V },
	{ 900, 6, 60, RS_ID_NONE, A }
};
#define NEV (sizeof(evs) / sizeof(evs[0]))

static void
test_requests__order_and_ids(void)
{
	struct rs_request *q;
	struct rs_error err;
	size_t n;

	CHECK(rs_requests_make(evs, NEV, A, NULL, NULL, &q, &n, NULL, NULL,
	    NULL, &err) == 0);
	CHECK_EQ_U64(n, 5);
	/* time order, equal times by input order */
	CHECK_EQ_U64(q[0].visitor, 2);
	CHECK_EQ_U64(q[1].visitor, 3);
	CHECK_EQ_U64(q[2].visitor, 4);
	CHECK_EQ_U64(q[3].visitor, 1);
	CHECK_EQ_U64(q[3].item, 10);
	CHECK_EQ_U64(q[4].visitor, 6);
	CHECK_EQ_U64(q[0].id, 1);
	CHECK_EQ_U64(q[4].id, 5);
	free(q);
}

static void
test_requests__window(void)
{
	struct rs_bound since = { 1, 1, -700 }, until = { 1, 0, 900 };
	struct rs_request *q;
	struct rs_error err;
	int64_t s, u;
	size_t n;

	/* end = 1000: since = 300 (inclusive), until = 900 (exclusive) */
	CHECK(rs_requests_make(evs, NEV, A, &since, &until, &q, &n, NULL, &s,
	    &u, &err) == 0);
	CHECK_EQ_U64(s, 300);
	CHECK_EQ_U64(u, 900);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(q[0].visitor, 3);
	CHECK_EQ_U64(q[2].visitor, 1);
	free(q);
}

/* One request per visitor with an event in the window, deduplicated. */
static void
test_requests__visitors(void)
{
	struct rs_bound since = { 1, 0, 300 }, at = { 1, 1, -100 };
	struct rs_request *q;
	struct rs_error err;
	int64_t s, u, t;
	size_t n;

	CHECK(rs_requests_visitors(evs, NEV, NULL, NULL, NULL, &q, &n, NULL,
	    NULL, &t, &err) == 0);
	CHECK_EQ_U64(n, 6);
	CHECK_EQ_U64(t, 1001);		/* 1 ms after the last event */
	CHECK_EQ_U64(q[0].visitor, 1);	/* visitor 1 has two events */
	CHECK_EQ_U64(q[1].visitor, 2);
	CHECK_EQ_U64(q[5].visitor, 6);
	CHECK_EQ_U64(q[5].id, 6);
	CHECK_EQ_U64(q[0].ts, 1001);
	CHECK(q[0].item == RS_ID_NONE);
	free(q);
	/* since 300 (inclusive), at end-100 */
	CHECK(rs_requests_visitors(evs, NEV, &since, NULL, &at, &q, &n, &s,
	    &u, &t, &err) == 0);
	CHECK_EQ_U64(n, 5);		/* visitor 2 (at 100) is out */
	CHECK_EQ_U64(q[1].visitor, 3);
	CHECK_EQ_U64(s, 300);
	CHECK(u == INT64_MAX);
	CHECK_EQ_U64(t, 900);
	free(q);
}

/*
 * An exact duplicate target (visitor, item, time) is one request, even
 * with another target of the same millisecond between the twins; the
 * same item at another time, or another item at the same time, is not a
 * duplicate, nor is a view twin of a cart.
 */
static void
test_requests__duplicates(void)
{
	static const struct rs_event dup[] = {
		{ 300, 1, 10, RS_ID_NONE, A },
		{ 300, 2, 20, RS_ID_NONE, A },
		{ 300, 1, 10, RS_ID_NONE, A },	/* twin of the first */
		{ 300, 1, 10, RS_ID_NONE, V },
		{ 300, 1, 11, RS_ID_NONE, A },
		{ 301, 1, 10, RS_ID_NONE, A },
		{ 100, 3, 30, RS_ID_NONE, A },
		{ 100, 3, 30, RS_ID_NONE, A },	/* twin */
		{ 100, 3, 30, RS_ID_NONE, A }	/* and another */
	};
	struct rs_request *q;
	struct rs_error err;
	size_t n, nd = 99;

	CHECK(rs_requests_make(dup, sizeof(dup) / sizeof(dup[0]), A, NULL,
	    NULL, &q, &n, &nd, NULL, NULL, &err) == 0);
	CHECK_EQ_U64(nd, 3);
	CHECK_EQ_U64(n, 5);
	CHECK_EQ_U64(q[0].visitor, 3);
	CHECK_EQ_U64(q[1].visitor, 1);
	CHECK_EQ_U64(q[1].item, 10);
	CHECK_EQ_U64(q[2].visitor, 2);
	CHECK_EQ_U64(q[3].item, 11);
	CHECK_EQ_U64(q[4].ts, 301);
	CHECK_EQ_U64(q[4].id, 5);
	free(q);
}

static void
test_requests__round_trip(void)
{
	struct rs_request *q, *back;
	struct rs_reader *r;
	struct rs_error err;
	char path[] = "/tmp/test_requests_XXXXXX";
	size_t n, nb, i;
	int fd;

	CHECK(rs_requests_make(evs, NEV, A, NULL, NULL, &q, &n, NULL, NULL,
	    NULL, &err) == 0);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(rs_requests_write(q, n, fd, path, NULL, 0, NULL, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_reader_open(&r, fd, path, &err) == 0);
	CHECK(rs_requests_read(r, &back, &nb, &err) == 0);
	CHECK_EQ_U64(nb, n);
	for (i = 0; i < n && i < nb; i++) {
		CHECK_EQ_U64(back[i].id, q[i].id);
		CHECK_EQ_U64(back[i].visitor, q[i].visitor);
		CHECK_EQ_U64(back[i].ts, q[i].ts);
		CHECK_EQ_U64(back[i].item, q[i].item);
	}
	rs_reader_free(r);
	close(fd);
	unlink(path);
	free(q);
	free(back);
}

int
main(void)
{
	RUN(test_requests__order_and_ids);
	RUN(test_requests__window);
	RUN(test_requests__visitors);
	RUN(test_requests__duplicates);
	RUN(test_requests__round_trip);
	return tap_done();
}
