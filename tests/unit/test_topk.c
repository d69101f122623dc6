/*
 * test_topk.c - partial top-K selection: order, ties by index, excluded
 * (-inf, NaN) entries, k larger than n, agreement with a full sort.
 */
#include "rs.h"
#include "topk.h"
#include "tap.h"

static void
test_topk__order_and_ties(void)
{
	float s[] = { 1, 5, 3, 5, -2, 4, 3 };
	uint32_t idx[7];
	float sc[7];
	size_t n;

	n = rs_topk(s, 7, 4, idx, sc);
	CHECK_EQ_U64(n, 4);
	CHECK_EQ_U64(idx[0], 1);	/* 5, lower index first */
	CHECK_EQ_U64(idx[1], 3);	/* 5 */
	CHECK_EQ_U64(idx[2], 5);	/* 4 */
	CHECK_EQ_U64(idx[3], 2);	/* 3, before index 6 */
	CHECK(sc[0] == 5 && sc[3] == 3);
	CHECK_EQ_U64(rs_topk(s, 7, 0, idx, NULL), 0);
}

static void
test_topk__excluded_and_short(void)
{
	float s[] = { -INFINITY, 2, NAN, 1, -INFINITY };
	uint32_t idx[5];
	size_t n;

	n = rs_topk(s, 5, 5, idx, NULL);
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(idx[0], 1);
	CHECK_EQ_U64(idx[1], 3);
	CHECK_EQ_U64(rs_topk(s, 0, 3, idx, NULL), 0);
}

static void
test_topk__matches_full_sort(void)
{
	enum { N = 5000, K = 37 };
	static float s[N];
	static uint32_t idx[K];
	uint32_t state = 12345, i, j, better;

	for (i = 0; i < N; i++) {
		state = state * 1664525u + 1013904223u;
		s[i] = (float)(state >> 20) / 64.0f;	/* many ties */
	}
	CHECK_EQ_U64(rs_topk(s, N, K, idx, NULL), K);
	/* Rank of each selected entry by counting strictly better ones. */
	for (j = 0; j < K; j++) {
		better = 0;
		for (i = 0; i < N; i++)
			if (s[i] > s[idx[j]] || (s[i] == s[idx[j]] &&
			    i < idx[j]))
				better++;
		CHECK_EQ_U64(better, j);
	}
}

int
main(void)
{
	RUN(test_topk__order_and_ties);
	RUN(test_topk__excluded_and_short);
	RUN(test_topk__matches_full_sort);
	return tap_done();
}
