/*
 * replay.h - the replay protocol: index the history, find each
 * request's visible events and causal popular list, have the engine
 * (engine.h) answer "K items for visitor v at time t" from them, and
 * score the answers against the true item.
 *
 * Use:
 *   rs_replay_params_init(&p);
 *   rs_replay_create(&r, events, nevents, &p, &err);    history index
 *   rs_replay_set_popular / _set_itemknn / _set_als / _set_items /
 *       _set_avail                                      (all optional)
 *   rs_replay_prepare(r, requests, nrequests, &err);    r is then frozen
 *   per thread: rs_replay_work_create(&w, r, &err);
 *   per request and recommender:
 *       n = rs_replay_answer(r, w, i, &blend, k, rows, &err);
 *       rs_replay_acc_add(&acc, r, i, rows, n);         scoring
 * After rs_replay_prepare, r is read-only; threads each use a work area.
 * Borrowed: models, item table and availability (must outlive r).  Copied: events,
 * requests.
 *
 * Definitions (rs-replay(1) repeats them for users; the sources,
 * filters and blend are the engine's, engine.h):
 *  - history index: the events sorted by (visitor, time, input order),
 *    one contiguous run per visitor.  The visible events of request
 *    (v, t) are v's events with time < t, found by binary search in v's
 *    run: the target event itself, other events at the same millisecond
 *    and everything later are never visible.  They are the engine
 *    query's events.
 *  - popular: with a popular model, the engine's; without one, a causal
 *    count handed to the engine with each request: the items by the sum
 *    of event-type weights of all visitors' events with time < t, or
 *    with popular_window W > 0 of the events with time in [t - W, t)
 *    (ties by lower item id; items with no weight in the window are
 *    never listed), up to 2 kmax + 64 items available at t.
 *  - category: with a popular model, ranked by it (the engine's);
 *    without one, by the causal counts of the popular list (same
 *    window), restricted to the source's groups: the engine's
 *    rs_engine_category_list at the time of the request.
 *  - discovery request: the true item is not among the visible events.
 *  - metrics per request with rank r of the true item in the top K (no
 *    hit: r = 0): hit = [r > 0], RR = 1/r, NDCG = 1/log2(r + 1);
 *    averaged over requests.  coverage@K = distinct recommended items /
 *    distinct items of the history; novelty@K = mean over recommended
 *    rows of -log2(max(n_i, 1) / N), n_i = history events on item i,
 *    N = all history events.
 */
#ifndef RS_REPLAY_H
#define RS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "requests.h"

#define RS_REPLAY_MAX_K 1000	/* longest answer a replay asks for */

struct rs_replay_params {
	double weights[RS_EV_NTYPES];	/* 1, 5, 3 */
	unsigned kmax;			/* largest K asked; 20 */
	unsigned knn_context;		/* 5 */
	double knn_decay;		/* 0.7 */
	int keep_bought;		/* 0 */
	int fold_in;			/* 1 */
	int64_t popular_window;		/* ms; 0: no window (all before t) */
	int similar;			/* 1: the online source (engine.h) */
	unsigned threads;		/* 1: for the engine's preparation */
};

void rs_replay_params_init(struct rs_replay_params *p);

struct rs_replay;
struct rs_replay_work;

/*
 * Item-kNN trained every period (rs-replay --knn-every, rs-recommend -r
 * --knn-every; --knn-daily is a period of 1d): requests q[0..n), in
 * time order, fall into periods [k P, (k + 1) P) of P = period ms since
 * 1970-01-01 UTC (UTC-aligned: an hour starts on the hour, a day at
 * midnight UTC); returns the end of the group of the requests in the
 * period of q[i0] and sets *start to the period's first millisecond:
 * the group's model is trained on the events before it.
 */
size_t rs_replay_period_group(const struct rs_request *q, size_t n,
	size_t i0, int64_t period, int64_t *start);

/* The start of the UTC-aligned period (period ms > 0) that holds ts. */
int64_t rs_replay_period_start(int64_t ts, int64_t period);

/* Indexes n events (copied).  p is copied. */
int rs_replay_create(struct rs_replay **out, const struct rs_event *ev,
	size_t n, const struct rs_replay_params *p, struct rs_error *err);

/*
 * Models (borrowed); a popular model must have kind popular, als ALS.
 * rs_replay_set_itemknn may also come after rs_replay_prepare, to
 * answer the next requests with another model (trained on history
 * events only): work areas made before it must not be used after it.
 */
int rs_replay_set_popular(struct rs_replay *r, const struct rs_model *m,
	struct rs_error *err);
int rs_replay_set_itemknn(struct rs_replay *r, const struct rs_itemknn *m,
	struct rs_error *err);
int rs_replay_set_als(struct rs_replay *r, const struct rs_model *m,
	struct rs_error *err);
int rs_replay_set_items(struct rs_replay *r, const struct rs_items *t,
	struct rs_error *err);
/* A finished availability timeline (borrowed). */
int rs_replay_set_avail(struct rs_replay *r, const struct rs_avail *a,
	struct rs_error *err);
/* The category source's data (borrowed; rs_engine_set_categories). */
int rs_replay_set_categories(struct rs_replay *r, const struct rs_catline *c,
	const struct rs_tree *tree, struct rs_error *err);

/*
 * Freezes r for the n requests q (copied): resolves every request's
 * visible range and discovery flag, and the causal popular lists.
 */
int rs_replay_prepare(struct rs_replay *r, const struct rs_request *q,
	size_t n, struct rs_error *err);

/* 1 if source src can answer (its model is set; popular, recent: 1). */
int rs_replay_has_source(const struct rs_replay *r, int src);

size_t rs_replay_nrequests(const struct rs_replay *r);
const struct rs_request *rs_replay_request(const struct rs_replay *r,
	size_t i);
/* 1 if request i is a discovery request. */
int rs_replay_discovery(const struct rs_replay *r, size_t i);
/* Visible events of request i. */
size_t rs_replay_visible(const struct rs_replay *r, size_t i);

int rs_replay_work_create(struct rs_replay_work **out,
	const struct rs_replay *r, struct rs_error *err);
void rs_replay_work_free(struct rs_replay_work *w);

/*
 * Answers request i with blend b: up to k (<= params.kmax) rows into
 * rows.  Returns the row count or a negative code (RS_ENUM when a
 * fold-in system is not positive definite).
 */
int rs_replay_answer(const struct rs_replay *r, struct rs_replay_work *w,
	size_t i, const struct rs_blend *b, unsigned k,
	struct rs_row *rows, struct rs_error *err);

/*
 * Optional speed-up for the als source: computes its lists for requests
 * i0 .. i0 + n - 1 (n <= RS_ENGINE_BATCH) at once, scoring the items
 * with one sgemm per chunk of items (in descending norm order, until
 * every request of the batch has stopped) instead of one pass per
 * request, and keeps them in w for the following rs_replay_answer calls
 * on those requests (until the next prefetch).  The same items, order
 * and scores as without it (rs_engine_prefetch).
 */
int rs_replay_prefetch(const struct rs_replay *r, struct rs_replay_work *w,
	size_t i0, size_t n, struct rs_error *err);

/*
 * (request, model item) scores the als source computed with w so far; a
 * full scan would be the model's item count per request (for benchmarks
 * and tests of the early stop).
 */
uint64_t rs_replay_als_scored(const struct rs_replay_work *w);

/* Rank (1-based) of request i's true item among rows[0..n), 0 if none. */
unsigned rs_replay_rank(const struct rs_replay *r, size_t i,
	const struct rs_row *rows, size_t n);

/* Metric sums of one recommender at one K over a set of requests. */
struct rs_replay_acc {
	unsigned k;
	uint64_t requests, discovery;
	double hit[2], rr[2], ndcg[2];	/* [0] all, [1] discovery */
	double novelty[2];
	uint64_t rows[2];
	uint8_t *seen[2];		/* per history item: recommended */
	uint64_t distinct[2];
};

struct rs_replay_metrics {
	uint64_t requests;
	double hit, mrr, ndcg, coverage, novelty;	/* NaN if undefined */
};

int rs_replay_acc_init(struct rs_replay_acc *a, const struct rs_replay *r,
	unsigned k, struct rs_error *err);
/* Adds request i's answer (its first min(n, k) rows count). */
void rs_replay_acc_add(struct rs_replay_acc *a, const struct rs_replay *r,
	size_t i, const struct rs_row *rows, size_t n);
/* Averages: which 0 = all requests, 1 = discovery requests. */
void rs_replay_acc_result(const struct rs_replay_acc *a,
	const struct rs_replay *r, int which, struct rs_replay_metrics *out);
void rs_replay_acc_free(struct rs_replay_acc *a);

void rs_replay_free(struct rs_replay *r);

#endif
