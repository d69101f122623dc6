/*
 * metrics.h - offline ranking metrics of recommendation lists against a
 * ground-truth matrix (rs-eval).
 *
 * Who counts: every row of the truth matrix with at least one nonzero is
 * a visitor in the truth (a row without nonzeros has nothing to find and
 * is treated as absent).  A visitor in the truth without recommendations
 * scores zero on every accuracy metric and is counted (without_recs); a
 * recommended visitor absent from the truth is ignored and counted
 * (ignored).  Relevance is binary: any stored entry is relevant,
 * whatever its value.
 *
 * Per visitor u with truth set T (|T| = t >= 1) and list r_1, r_2, ...
 * (rank order, no repeats; n items), at cut-off K, with rel_i = 1 if r_i
 * is in T, hits = sum_{i <= min(K, n)} rel_i:
 *   precision@K = hits / K            (also when n < K)
 *   recall@K    = hits / t
 *   NDCG@K      = DCG / IDCG, DCG = sum_{i <= K} rel_i / log2(i + 1),
 *                 IDCG = sum_{i <= min(K, t)} 1 / log2(i + 1)
 *   AP@K        = sum_{i <= K} rel_i * hits@i / i  /  min(K, t)
 *   hit@K       = 1 if hits > 0, else 0
 *   RR@K        = 1 / (rank of the first hit) if it is <= K, else 0
 * Each is averaged over all visitors in the truth: precision@K, recall@K,
 * NDCG@K, MAP@K, hit rate@K, MRR@K.
 *
 * Beyond accuracy, over the evaluated visitors (in the truth and with
 * recommendations) and their top-K items:
 *   coverage@K  = distinct recommended items of the catalogue /
 *                 catalogue size (items outside it do not count; NaN
 *                 when the catalogue is unknown or empty)
 *   novelty@K   = mean over (visitor, item) pairs of -log2 p(i), p(i) =
 *                 max(n_i, 1) / N, n_i = training nonzeros in item i's
 *                 column, N = all training nonzeros (an item absent from
 *                 training counts as one interaction)
 *   avg_pop@K   = mean over the same pairs of n_i
 * novelty and avg_pop are NaN without a training matrix or when no pair
 * exists.
 */
#ifndef RS_METRICS_H
#define RS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "error.h"
#include "recsin.h"

#define RS_METRICS_MAXK 16

/* One visitor's numbers at one cut-off. */
struct rs_user_at_k {
	uint32_t hits;
	double precision, recall, ndcg, ap, hit, rr;
};

/*
 * Scores one list: truth holds t ids in strictly ascending order (t >=
 * 1), recs n ids in rank order without repeats; k holds nk cut-offs
 * (each >= 1).  Fills out[0..nk).  Pure; never fails.
 */
void rs_metrics_user(const uint64_t *truth, size_t t, const uint64_t *recs,
	size_t n, const unsigned *k, unsigned nk, struct rs_user_at_k *out);

/* Aggregates at one cut-off. */
struct rs_eval_at_k {
	unsigned k;
	double precision, recall, ndcg, map, hit_rate, mrr;
	double coverage, novelty, avg_pop;	/* NaN when undefined */
	uint64_t distinct;	/* distinct items in the top-K lists */
	uint64_t distinct_cat;	/* of them in the catalogue */
};

struct rs_eval_result {
	uint64_t users;		/* visitors in the truth */
	uint64_t with_recs;	/* of them with recommendations */
	uint64_t without_recs;	/* of them without: scored zero */
	uint64_t ignored;	/* recommended visitors not in the truth */
	unsigned nk;
	struct rs_eval_at_k at[RS_METRICS_MAXK];
};

struct rs_eval;

/*
 * Prepares evaluation against truth (borrowed, must outlive e).  train
 * (may be NULL; only read here) gives item popularity.  catalogue: the
 * ncat item ids of the catalogue in strictly ascending order (borrowed,
 * must outlive e), or NULL when unknown (coverage is then NaN).  k: nk
 * cut-offs, 1 <= nk <= RS_METRICS_MAXK, each >= 1, strictly ascending
 * (RS_EARG otherwise).
 */
int rs_eval_create(struct rs_eval **out, const struct rs_csr *truth,
	const struct rs_csr *train, const uint64_t *catalogue, size_t ncat,
	const unsigned *k, unsigned nk, struct rs_error *err);

/*
 * Called once per visitor in the truth, in ascending id order: ntruth,
 * nrecs (0 when it has none) and its numbers at each cut-off.
 */
typedef int (*rs_eval_user_fn)(void *arg, uint64_t user, size_t ntruth,
	size_t nrecs, const struct rs_user_at_k *at);

/*
 * Scores one recommendation set.  fn may be NULL; a negative return from
 * fn stops the run and is returned.  Fills res.
 */
int rs_eval_run(struct rs_eval *e, const struct rs_recs *recs,
	rs_eval_user_fn fn, void *arg, struct rs_eval_result *res,
	struct rs_error *err);

void rs_eval_free(struct rs_eval *e);

/*
 * The NDCG discount of rank r (1-based): 1 / log2(r + 1).  Every NDCG in
 * rs (rs-eval, the replay, the training report) uses this one.
 */
double rs_metrics_discount(size_t rank);

#endif
