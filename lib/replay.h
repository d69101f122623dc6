/*
 * replay.h - the replay protocol's per-request engine: answer "K items
 * for visitor v at time t" from models plus v's own events strictly
 * before t, and score the answers against the true item.
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
 * Definitions (rs-replay(1) repeats them for users):
 *  - history index: the events sorted by (visitor, time, input order),
 *    one contiguous run per visitor.  The visible events of request
 *    (v, t) are v's events with time < t, found by binary search in v's
 *    run: the target event itself, other events at the same millisecond
 *    and everything later are never visible.
 *  - filters, applied to every source: an item the visitor bought
 *    (a visible transaction) is never recommended unless keep_bought;
 *    with an item table, an item not available in it is never
 *    recommended; with an availability timeline (avail.h), an item not
 *    available at the request time t (its latest `available` snapshot
 *    before t says 0) is never recommended.  Every source fills its
 *    list from enough candidates that the filters never shorten it
 *    while unfiltered items are left (causal popular: up to the list
 *    length of 2 kmax + 64 among the items with a positive count).
 *  - recent: the visitor's distinct visible items, most recently touched
 *    first (any event type of positive weight); score = the sum of the
 *    event-type weights of the item's visible events (shown, not used for
 *    the order).
 *  - itemknn: context = the last knn_context (5) distinct visible items,
 *    newest first, at positions p = 0, 1, ...; score(j) = sum over the
 *    context of knn_decay^p sim(i_p, j) (itemknn.h); best first, ties by
 *    lower item id.  No context or no model: no rows.
 *  - als: with visible events on model items and fold_in, the visitor's
 *    factors are recomputed from those events only (exact ALS user step,
 *    as recommend.h: r_ui = sum of event weights, c_ui = 1 + alpha r_ui,
 *    or 1 + alpha log(1 + r_ui / eps) for confidence=log,
 *    x = (Y^T Y + lambda I + sum_i (c_ui - 1) y_i y_i^T)^-1 sum_i c_ui y_i;
 *    alpha, lambda, eps from the model's metadata); otherwise the
 *    visitor's own trained factors when the model knows the visitor;
 *    otherwise no rows.  Scores x . y_i over every model item, best
 *    first, ties by lower model row; the score of a listed item is
 *    canonical: the sum of x_a y_a in double in index order, rounded
 *    once to float, whatever computed it.  The scan is exact but stops early:
 *    with mu the mean item factor, items are visited by descending
 *    d_i = ||y_i - mu||, and once x . mu + ||x|| d_i +
 *    2 f FLT_EPSILON ||x|| (||mu|| + d_i), an upper bound of every
 *    remaining computed score (x . y = x . mu + x . (y - mu), Cauchy-
 *    Schwarz on the second term, plus the float rounding of a length-f
 *    dot product), is below the worst score kept, no remaining item can
 *    enter the list.
 *  - popular: with a popular model, its items by score; without one, a
 *    causal count: the items by the sum of event-type weights of all
 *    visitors' events with time < t, or with popular_window W > 0 of
 *    the events with time in [t - W, t) (ties by lower item id; items
 *    with no weight in the window are never listed).
 *  - blend "src:q,src:q,...": sources in order with quotas q_s, Q =
 *    sum q_s.  The blend is one ranked list built in rounds of Q rows:
 *    in each round, pass 1 takes, source by source, up to its quota of
 *    its best items not taken yet; pass 2 fills the round's remaining
 *    rows from the sources in the same order (back-fill).  K only cuts
 *    the list, so the first K rows of a longer answer are the K answer
 *    (prefix consistency).  A quota of 0 makes a source back-fill only
 *    (e.g. popular:0 for visitors without history); at least one quota
 *    is above 0.  Each row keeps the score and the source it came from.
 *    A single source ("recent") is the blend "recent:1".
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

#include "avail.h"
#include "error.h"
#include "itemknn.h"
#include "items.h"
#include "model.h"
#include "records.h"
#include "requests.h"

#define RS_REPLAY_MAX_K 1000
#define RS_REPLAY_MAX_SOURCES 8
#define RS_REPLAY_BATCH 64		/* most requests per prefetch */

enum rs_replay_source {
	RS_SRC_POPULAR = 0,
	RS_SRC_RECENT = 1,
	RS_SRC_ITEMKNN = 2,
	RS_SRC_ALS = 3,
	RS_SRC_N = 4
};

/* "popular", "recent", "itemknn", "als"; "unknown" out of range. */
const char *rs_replay_source_name(int src);

struct rs_replay_params {
	double weights[RS_EV_NTYPES];	/* 1, 5, 3 */
	unsigned kmax;			/* largest K asked; 20 */
	unsigned knn_context;		/* 5 */
	double knn_decay;		/* 0.7 */
	int keep_bought;		/* 0 */
	int fold_in;			/* 1 */
	int64_t popular_window;		/* ms; 0: no window (all before t) */
};

void rs_replay_params_init(struct rs_replay_params *p);

struct rs_replay_blend {
	unsigned n;
	int src[RS_REPLAY_MAX_SOURCES];
	unsigned quota[RS_REPLAY_MAX_SOURCES];
	unsigned sum;			/* of the quotas, > 0 */
	char name[128];			/* the spec as given, or the source */
};

/*
 * Parses "recent:4,itemknn:4,als:2" (a bare source name means quota 1).
 * RS_EARG naming the bad part.
 */
int rs_replay_parse_blend(const char *s, struct rs_replay_blend *b,
	struct rs_error *err);

/* The blend of one source. */
void rs_replay_blend_single(struct rs_replay_blend *b, int src);

/* 1 if blend b draws from source src (rs_replay_prefetch pays off). */
int rs_replay_blend_has(const struct rs_replay_blend *b, int src);

struct rs_replay;
struct rs_replay_work;

/*
 * Daily item-kNN (rs-replay --knn-daily, rs-recommend -r --knn-daily):
 * requests q[0..n), in time order, fall into UTC days; returns the end
 * of the day group that starts at i0 and sets *day_start to the first
 * millisecond of its day: the group's model is trained on the events
 * before it.
 */
size_t rs_replay_day_group(const struct rs_request *q, size_t n, size_t i0,
	int64_t *day_start);

/* Indexes n events (copied).  p is copied. */
int rs_replay_create(struct rs_replay **out, const struct rs_event *ev,
	size_t n, const struct rs_replay_params *p, struct rs_error *err);

/* Models (borrowed); a popular model must have kind popular, als ALS. */
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

struct rs_replay_row {
	uint64_t item;
	float score;
	uint8_t source;		/* enum rs_replay_source */
};

/*
 * Answers request i with blend b: up to k (<= params.kmax) rows into
 * rows.  Returns the row count or a negative code (RS_ENUM when a
 * fold-in system is not positive definite).
 */
int rs_replay_answer(const struct rs_replay *r, struct rs_replay_work *w,
	size_t i, const struct rs_replay_blend *b, unsigned k,
	struct rs_replay_row *rows, struct rs_error *err);

/*
 * Optional speed-up for the als source: computes its lists for requests
 * i0 .. i0 + n - 1 (n <= RS_REPLAY_BATCH) at once, scoring the items
 * with one sgemm per chunk of items (in descending norm order, until
 * every request of the batch has stopped) instead of one pass per
 * request, and keeps them in w for the following rs_replay_answer calls
 * on those requests (until the next prefetch).  The same items, order
 * and scores as without it: the scan's float scores only choose
 * candidates, the scores kept are canonical (below), so an answer never
 * depends on the batch, the thread count or the requests around it.
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
	const struct rs_replay_row *rows, size_t n);

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
	size_t i, const struct rs_replay_row *rows, size_t n);
/* Averages: which 0 = all requests, 1 = discovery requests. */
void rs_replay_acc_result(const struct rs_replay_acc *a,
	const struct rs_replay *r, int which, struct rs_replay_metrics *out);
void rs_replay_acc_free(struct rs_replay_acc *a);

void rs_replay_free(struct rs_replay *r);

#endif
