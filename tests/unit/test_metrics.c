/*
 * test_metrics.c - unit tests for lib/metrics.c: every metric against
 * values computed by hand (see the comments), ties in truth order, fewer
 * recommendations than K, empty lists, visitors without recommendations,
 * ignored visitors, coverage, novelty and popularity.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

#define TOL 1e-9

static const unsigned k13[] = { 1, 3 };

/*
 * Truth {10, 20}, list 20 30 10.
 * K=1: hits 1, P 1, R 1/2, NDCG 1, AP 1/min(1,2) = 1, hit 1, RR 1.
 * K=3: rel 1 0 1, hits 2, P 2/3, R 1, DCG 1 + 1/log2(4) = 1.5,
 *      IDCG 1 + 1/log2(3), AP (1/1 + 2/3) / min(3,2) = 5/6, RR 1.
 */
static void
test_metrics__hand(void)
{
	const uint64_t truth[] = { 10, 20 }, recs[] = { 20, 30, 10 };
	struct rs_user_at_k at[2];

	rs_metrics_user(truth, 2, recs, 3, k13, 2, at);
	CHECK_EQ_U64(at[0].hits, 1);
	CHECK_NEAR(at[0].precision, 1, TOL);
	CHECK_NEAR(at[0].recall, 0.5, TOL);
	CHECK_NEAR(at[0].ndcg, 1, TOL);
	CHECK_NEAR(at[0].ap, 1, TOL);
	CHECK_NEAR(at[0].hit, 1, TOL);
	CHECK_NEAR(at[0].rr, 1, TOL);
	CHECK_EQ_U64(at[1].hits, 2);
	CHECK_NEAR(at[1].precision, 2.0 / 3, TOL);
	CHECK_NEAR(at[1].recall, 1, TOL);
	CHECK_NEAR(at[1].ndcg, 1.5 / (1 + 1 / log2(3)), TOL);
	CHECK_NEAR(at[1].ap, 5.0 / 6, TOL);
	CHECK_NEAR(at[1].hit, 1, TOL);
	CHECK_NEAR(at[1].rr, 1, TOL);
}

/*
 * Fewer items than K: truth {30}, list 10 30 (two items), K = 3.
 * P = 1/3 (divides by K, not by the list length), R 1, NDCG
 * (1/log2(3)) / 1, AP (1/2) / min(3,1) = 1/2, RR 1/2.  At K=1 all zero.
 */
static void
test_metrics__fewer_than_k(void)
{
	const uint64_t truth[] = { 30 }, recs[] = { 10, 30 };
	struct rs_user_at_k at[2];

	rs_metrics_user(truth, 1, recs, 2, k13, 2, at);
	CHECK_EQ_U64(at[0].hits, 0);
	CHECK_NEAR(at[0].precision, 0, TOL);
	CHECK_NEAR(at[0].ndcg, 0, TOL);
	CHECK_NEAR(at[0].ap, 0, TOL);
	CHECK_NEAR(at[0].rr, 0, TOL);
	CHECK_NEAR(at[1].precision, 1.0 / 3, TOL);
	CHECK_NEAR(at[1].recall, 1, TOL);
	CHECK_NEAR(at[1].ndcg, 1 / log2(3), TOL);
	CHECK_NEAR(at[1].ap, 0.5, TOL);
	CHECK_NEAR(at[1].hit, 1, TOL);
	CHECK_NEAR(at[1].rr, 0.5, TOL);
}

/*
 * More truth than K: truth {10, 40, 50}, list 40, K = 3: IDCG over
 * min(3, 3) = 3 positions, AP = 1 / 3, R = 1/3, P = 1/3.
 * An empty list scores zero everywhere.
 */
static void
test_metrics__long_truth_and_empty(void)
{
	const uint64_t truth[] = { 10, 40, 50 }, recs[] = { 40 };
	struct rs_user_at_k at[2];

	rs_metrics_user(truth, 3, recs, 1, k13, 2, at);
	CHECK_NEAR(at[1].ndcg, 1 / (1 + 1 / log2(3) + 0.5), TOL);
	CHECK_NEAR(at[1].ap, 1.0 / 3, TOL);
	CHECK_NEAR(at[1].recall, 1.0 / 3, TOL);
	CHECK_NEAR(at[1].precision, 1.0 / 3, TOL);
	CHECK_NEAR(at[0].ap, 1, TOL);
	rs_metrics_user(truth, 3, recs, 0, k13, 2, at);
	CHECK_EQ_U64(at[1].hits, 0);
	CHECK_NEAR(at[1].ndcg + at[1].ap + at[1].rr + at[1].recall, 0, TOL);
}

/*
 * Ties in relevance: every item of the list relevant gives NDCG 1 and
 * AP 1 whatever the order; a perfect list of K = t.
 */
static void
test_metrics__perfect(void)
{
	const uint64_t truth[] = { 1, 2, 3 }, recs[] = { 3, 1, 2 };
	const unsigned k[] = { 3 };
	struct rs_user_at_k at[1];

	rs_metrics_user(truth, 3, recs, 3, k, 1, at);
	CHECK_NEAR(at[0].ndcg, 1, TOL);
	CHECK_NEAR(at[0].ap, 1, TOL);
	CHECK_NEAR(at[0].precision, 1, TOL);
	CHECK_NEAR(at[0].recall, 1, TOL);
}

/* A matrix from (row, col) pairs sorted by row then col; ids as given. */
static struct rs_csr *
matrix(const uint64_t (*e)[2], size_t n, const uint64_t *rows, uint32_t nr,
    const uint64_t *cols, uint32_t nc)
{
	struct rs_csr *m;
	size_t i;
	uint32_t r, c;

	if (rs_csr_alloc(&m, nr, nc, n, NULL) < 0)
		return NULL;
	memcpy(m->row_ids, rows, nr * sizeof(*rows));
	memcpy(m->col_ids, cols, nc * sizeof(*cols));
	for (i = 0; i < n; i++) {
		for (r = 0; rows[r] != e[i][0]; r++)
			;
		for (c = 0; cols[c] != e[i][1]; c++)
			;
		m->indptr[r + 1]++;
		m->indices[i] = c;
		m->values[i] = 1;
	}
	for (r = 0; r < nr; r++)
		m->indptr[r + 1] += m->indptr[r];
	return m;
}

/*
 * The fixture of tests/data/eval (truth.csv, train.csv, model.csv):
 * truth 1:{10,20} 2:{30} 3:{10,40,50} 4:{60} 5:{} (empty: not in the
 * truth); lists 1: 20 30 10, 2: 10 30, 3: 40 99, 5: 10, 9: 20.
 * Means over the 4 visitors (4 has no list and scores 0):
 *   P@1 = (1+0+1+0)/4, R@3 = (1+1+1/3)/4, MAP@3 = (5/6+1/2+1/3)/4,
 *   MRR@3 = (1+1/2+1)/4, HR@3 = 3/4.
 * Training: 9 nonzeros, n = 10:4 20:2 30:1 40:1 70:1, catalogue 5.
 *   coverage@1 = |{20,10,40}|/5, coverage@3 = |{10,20,30,40}|/5 (99
 *   is not in the catalogue);
 *   novelty@1 = mean(-log2(2/9), -log2(4/9), -log2(1/9));
 *   avg_pop@3 = (2+1+4 + 4+1 + 1+0)/7 (99 unseen: n 0, novelty as n 1).
 */
static void
test_metrics__eval_run(void)
{
	static const uint64_t te[][2] = { { 1, 10 }, { 1, 20 }, { 2, 30 },
	    { 3, 10 }, { 3, 40 }, { 3, 50 }, { 4, 60 } };
	static const uint64_t trows[] = { 1, 2, 3, 4, 5 };
	static const uint64_t tcols[] = { 10, 20, 30, 40, 50, 60 };
	static const uint64_t xe[][2] = { { 1, 10 }, { 1, 20 }, { 2, 10 },
	    { 2, 20 }, { 2, 30 }, { 3, 10 }, { 4, 10 }, { 5, 40 },
	    { 6, 70 } };
	static const uint64_t xrows[] = { 1, 2, 3, 4, 5, 6 };
	static const uint64_t xcols[] = { 10, 20, 30, 40, 70 };
	static const char text[] = "user,item,rank\n3,99,7\n1,10,5\n9,20,1\n"
	    "1,20,1\n2,30,2\n5,10,1\n1,30,2\n3,40,3\n2,10,1\n";
	struct rs_csr *truth = matrix(te, 7, trows, 5, tcols, 6);
	struct rs_csr *train = matrix(xe, 9, xrows, 6, xcols, 5);
	struct rs_eval_result res;
	struct rs_recs *recs = NULL;
	struct rs_eval *e = NULL;
	struct rs_error err;
	double nov1;

	CHECK(truth != NULL && train != NULL);
	CHECK(rs_csr_check(truth, "truth", &err) == 0);
	CHECK(rs_csr_check(train, "train", &err) == 0);
	CHECK(rs_recs_parse(&recs, text, strlen(text), "m.csv", RS_RECS_AUTO,
	    &err) == 0);
	CHECK(rs_eval_create(&e, truth, train, train->col_ids, train->ncols,
	    k13, 2, &err) == 0);
	if (e == NULL || recs == NULL)
		return;
	CHECK(rs_eval_run(e, recs, NULL, NULL, &res, &err) == 0);
	CHECK_EQ_U64(res.users, 4);
	CHECK_EQ_U64(res.with_recs, 3);
	CHECK_EQ_U64(res.without_recs, 1);
	CHECK_EQ_U64(res.ignored, 2);
	CHECK_NEAR(res.at[0].precision, 0.5, TOL);
	CHECK_NEAR(res.at[0].recall, (0.5 + 1.0 / 3) / 4, TOL);
	CHECK_NEAR(res.at[1].recall, (1 + 1 + 1.0 / 3) / 4, TOL);
	CHECK_NEAR(res.at[1].precision, (2.0 / 3 + 1.0 / 3 + 1.0 / 3) / 4,
	    TOL);
	CHECK_NEAR(res.at[1].ndcg, (1.5 / (1 + 1 / log2(3)) + 1 / log2(3) +
	    1 / (1.5 + 1 / log2(3))) / 4, TOL);
	CHECK_NEAR(res.at[1].map, (5.0 / 6 + 0.5 + 1.0 / 3) / 4, TOL);
	CHECK_NEAR(res.at[1].mrr, 2.5 / 4, TOL);
	CHECK_NEAR(res.at[1].hit_rate, 0.75, TOL);
	CHECK_NEAR(res.at[0].coverage, 3.0 / 5, TOL);
	/* 99 is recommended but not in the catalogue: 4 of 5 count. */
	CHECK_NEAR(res.at[1].coverage, 4.0 / 5, TOL);
	CHECK_EQ_U64(res.at[1].distinct, 5);
	CHECK_EQ_U64(res.at[1].distinct_cat, 4);
	nov1 = (-log2(2.0 / 9) - log2(4.0 / 9) - log2(1.0 / 9)) / 3;
	CHECK_NEAR(res.at[0].novelty, nov1, TOL);
	CHECK_NEAR(res.at[0].avg_pop, 7.0 / 3, TOL);
	CHECK_NEAR(res.at[1].avg_pop, 13.0 / 7, TOL);
	CHECK_NEAR(res.at[1].novelty, (-log2(2.0 / 9) - 3 * log2(1.0 / 9) -
	    2 * log2(4.0 / 9) - log2(1.0 / 9)) / 7, TOL);
	rs_eval_free(e);
	/* Without training data or catalogue: NaN, accuracy unchanged. */
	CHECK(rs_eval_create(&e, truth, NULL, NULL, 0, k13, 2, &err) == 0);
	CHECK(rs_eval_run(e, recs, NULL, NULL, &res, &err) == 0);
	CHECK(isnan(res.at[0].coverage) && isnan(res.at[0].novelty) &&
	    isnan(res.at[0].avg_pop));
	CHECK_NEAR(res.at[0].precision, 0.5, TOL);
	rs_eval_free(e);
	rs_recs_free(recs);
	rs_csr_free(truth);
	rs_csr_free(train);
}

struct seen {
	unsigned n;
	uint64_t users[8];
	size_t nrecs[8];
};

static int
collect(void *arg, uint64_t user, size_t ntruth, size_t nrecs,
    const struct rs_user_at_k *at)
{
	struct seen *s = arg;

	(void)ntruth;
	(void)at;
	if (s->n < 8) {
		s->users[s->n] = user;
		s->nrecs[s->n] = nrecs;
	}
	s->n++;
	return 0;
}

/* The callback sees every truth visitor in id order, 0 recs if none. */
static void
test_metrics__per_user_callback(void)
{
	static const uint64_t te[][2] = { { 2, 1 }, { 7, 1 }, { 9, 2 } };
	static const uint64_t rows[] = { 2, 7, 9 }, cols[] = { 1, 2 };
	static const char text[] = "user,item,rank\n9,2,1\n2,5,1\n";
	struct rs_csr *truth = matrix(te, 3, rows, 3, cols, 2);
	struct rs_eval_result res;
	struct rs_recs *recs = NULL;
	struct rs_eval *e = NULL;
	struct rs_error err;
	struct seen s;
	const unsigned k[] = { 1 };

	memset(&s, 0, sizeof(s));
	CHECK(rs_recs_parse(&recs, text, strlen(text), "x", RS_RECS_CSV,
	    &err) == 0);
	CHECK(rs_eval_create(&e, truth, NULL, NULL, 0, k, 1, &err) == 0);
	if (e == NULL || recs == NULL)
		return;
	CHECK(rs_eval_run(e, recs, collect, &s, &res, &err) == 0);
	CHECK_EQ_U64(s.n, 3);
	CHECK_EQ_U64(s.users[0], 2);
	CHECK_EQ_U64(s.users[1], 7);
	CHECK_EQ_U64(s.users[2], 9);
	CHECK_EQ_U64(s.nrecs[1], 0);
	CHECK_NEAR(res.at[0].precision, 1.0 / 3, TOL);
	rs_eval_free(e);
	rs_recs_free(recs);
	rs_csr_free(truth);
}

static void
test_metrics__bad_cutoffs(void)
{
	const unsigned desc[] = { 10, 5 }, zero[] = { 0 };
	struct rs_csr *m;
	struct rs_eval *e;
	struct rs_error err;

	CHECK(rs_csr_alloc(&m, 0, 0, 0, NULL) == 0);
	CHECK(rs_eval_create(&e, m, NULL, NULL, 0, desc, 2, &err) == RS_EARG);
	CHECK(rs_eval_create(&e, m, NULL, NULL, 0, zero, 1, &err) == RS_EARG);
	CHECK(rs_eval_create(&e, m, NULL, NULL, 0, zero, 0, &err) == RS_EARG);
	rs_csr_free(m);
}

int
main(void)
{
	RUN(test_metrics__hand);
	RUN(test_metrics__fewer_than_k);
	RUN(test_metrics__long_truth_and_empty);
	RUN(test_metrics__perfect);
	RUN(test_metrics__eval_run);
	RUN(test_metrics__per_user_callback);
	RUN(test_metrics__bad_cutoffs);
	return tap_done();
}
