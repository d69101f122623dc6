/*
 * recommend.h - top-K recommendations per visitor and similar items per
 * item, from a loaded model (model.h), with business filters, cold start,
 * online blending of recent events and fold-in.  rs-recommend is a thin
 * loop over this module; a replay driver or an HTTP server calls the same
 * per-visitor function with the visitor's recent events and pays no
 * set-up per call.
 *
 * Use:
 *   rs_rec_params_init(&p); rs_rec_params_from_model(&p, model, &err);
 *   rs_rec_create(&r, model, &p, &err);
 *   rs_rec_set_fallback / rs_rec_add_exclude / rs_rec_set_history /
 *       rs_rec_set_items / rs_rec_set_item_list   (all optional)
 *   rs_rec_prepare(r, &err);                      (once; r is then frozen)
 *   per thread: rs_rec_work_create(&w, r, &err);
 *   per batch:  rs_rec_batch(r, w, queries, n, rows, counts, &err);
 * After rs_rec_prepare, r is read-only: any number of threads may call
 * rs_rec_batch at once, each with its own work area.  Everything set on r
 * is borrowed (model, matrices, item table) and must outlive it, except
 * item lists, which are copied.
 *
 * Definitions (rs-recommend(1) repeats them for users):
 *  - eligible item: an item of the model that passes the global filters:
 *    with an item table, the item is in it and available as of its time
 *    (items never available are not in the table at all); with an "only"
 *    list, it is on that list; it is not on an "exclude" list.
 *  - a visitor's excluded items: the nonzeros of the visitor's row in each
 *    exclusion matrix (bought, seen).  A visitor without a row excludes
 *    nothing.  Items the visitor only viewed stay eligible unless a
 *    matrix holding views is given as an exclusion.
 *  - offline list (source als): the K eligible, not excluded items of
 *    highest x_u . y_i, ties by lower model index (= lower item id).
 *    Scores are one sgemm per batch of visitors against the eligible item
 *    factors, in chunks of items taken in decreasing norm |y_i|, with
 *    partial selection (never a sort of all items).  The scan stops as
 *    soon as x_u . y_i <= |x_u| |y_i| (Cauchy-Schwarz) shows that no later
 *    item can enter any visitor's list of the batch: exact, and on
 *    trained models (long-tailed norms) most of the products are skipped.
 *    A filter never shortens the list while eligible items remain:
 *    exclusions happen before selection.
 *  - cold start (source popular): a visitor unknown to the model (and
 *    not folded in) gets the eligible, not excluded items of highest
 *    popular score (the fallback model, or the model itself when it is a
 *    popular model), ties by lower item id.  Without a popular list such a
 *    visitor gets no rows (rs_rec_batch counts them).
 *  - similar items (rs_rec_similar_batch; source als): the K eligible
 *    items of highest cosine cos(y_q, y_i) = y_q . y_i / (|y_q| |y_i|)
 *    (0 when a vector is zero), the query item itself excluded.  An item
 *    unknown to the model gets the popular list.
 *  - online list (source online): from the visitor's recent events (time
 *    order, oldest first) take the last N distinct items known to the
 *    model (N = recent_n), most recent first; an item's online score is
 *    the largest cosine between it and one of those N items other than
 *    itself; the list is the K best eligible, not excluded items.
 *  - blend: with an online list, the visitor's rows alternate online,
 *    offline, online, ... starting with online; an item already taken is
 *    skipped; when one list runs dry the other fills the rest; at most K
 *    rows.  Each row keeps the score and source of the list it came from.
 *  - fold-in (params.fold_in): when the visitor has recent events on
 *    model items, x_u is recomputed by the exact ALS user step against
 *    the fixed item factors Y; for a visitor the model knows only when a
 *    history matrix is set (without one its trained vector, which holds
 *    its history, is kept):
 *      r_ui = history weight (the visitor's row of the history matrix)
 *             + the event weights of the recent events on i
 *      c_ui = 1 + alpha r_ui (linear) or 1 + alpha log(1 + r_ui / eps)
 *      x_u  = (Y^T Y + Y^T (C_u - I) Y + lambda I)^-1 Y^T C_u p(u)
 *    with p_ui = 1 on the visitor's items (C_u - I is zero elsewhere, so
 *    only those rows of Y are touched).  Y^T Y + lambda I is formed once,
 *    in double, by rs_rec_prepare; each solve is a Cholesky in double,
 *    O(n f^2 + f^3).  Such a visitor's offline rows have source als.
 *
 * Determinism: rows depend only on the inputs and the composition of the
 * batch (the caller cuts batches at fixed positions), never on threads.
 */
#ifndef RS_RECOMMEND_H
#define RS_RECOMMEND_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "error.h"
#include "items.h"
#include "model.h"
#include "records.h"

#define RS_REC_MAX_K 10000
#define RS_REC_MAX_BATCH 4096
#define RS_REC_MAX_EXCLUDE 4

enum rs_rec_source {
	RS_REC_ALS = 0,
	RS_REC_POPULAR = 1,
	RS_REC_ONLINE = 2
};

/* "als", "popular", "online"; "unknown" out of range. */
const char *rs_rec_source_name(int source);

struct rs_rec_params {
	unsigned k;		/* rows per visitor, 1..RS_REC_MAX_K; 10 */
	unsigned batch;		/* queries per rs_rec_batch call; 256 */
	unsigned recent_n;	/* distinct recent items blended; 5 */
	int cosine;		/* 1: prepare for similar items / online */
	int fold_in;		/* 1: fold in visitors with recent events */
	double weights[RS_EV_NTYPES];	/* event weights: 1, 5, 3 */
	/* Fold-in: the model's training parameters (rs_rec_params_from_model). */
	double alpha;		/* 40 */
	double regularization;	/* lambda, 0.1 */
	double epsilon;		/* 1 */
	int log_confidence;	/* 0: linear, 1: log */
};

void rs_rec_params_init(struct rs_rec_params *p);

/*
 * Takes alpha, regularization, epsilon and confidence from the model's
 * metadata where present.  RS_EFORMAT naming the key for a value that
 * does not parse.
 */
int rs_rec_params_from_model(struct rs_rec_params *p,
	const struct rs_model *m, struct rs_error *err);

/* How well a matrix's ids match the model (for warnings). */
struct rs_rec_match {
	uint64_t rows, rows_unknown;	/* visitors; not in the model */
	uint64_t cols, cols_unknown;	/* items; not in the model */
};

struct rs_rec;
struct rs_rec_work;

/*
 * A recommender over model m (borrowed).  RS_EARG for a bad parameter
 * or a kind that cannot do what p asks (cosine or fold-in need ALS).
 */
int rs_rec_create(struct rs_rec **out, const struct rs_model *m,
	const struct rs_rec_params *p, struct rs_error *err);

/* The popular list for cold start (a popular model, borrowed). */
int rs_rec_set_fallback(struct rs_rec *r, const struct rs_model *popular,
	struct rs_error *err);

/*
 * Adds an exclusion matrix (borrowed; up to RS_REC_MAX_EXCLUDE): each
 * visitor's row lists items never to recommend it.  match may be NULL.
 */
int rs_rec_add_exclude(struct rs_rec *r, const struct rs_csr *m,
	struct rs_rec_match *match, struct rs_error *err);

/* The history matrix for fold-in (borrowed); match may be NULL. */
int rs_rec_set_history(struct rs_rec *r, const struct rs_csr *m,
	struct rs_rec_match *match, struct rs_error *err);

/*
 * Keeps only items of t (borrowed) available as of its time.
 * *missing (if not NULL) gets the number of model items not in t.
 */
int rs_rec_set_items(struct rs_rec *r, const struct rs_items *t,
	uint64_t *missing);

/*
 * only = 1: recommend only the n items of ids; only = 0: never these.
 * ids is copied; any order, duplicates fine.
 */
int rs_rec_set_item_list(struct rs_rec *r, int only, const uint64_t *ids,
	size_t n, struct rs_error *err);

/* Builds the eligible item set and the tables; r is frozen afterwards. */
int rs_rec_prepare(struct rs_rec *r, struct rs_error *err);

/* Items eligible after the global filters (after rs_rec_prepare). */
uint32_t rs_rec_eligible(const struct rs_rec *r);

/* A per-thread work area for r (prepared); free with rs_rec_work_free. */
int rs_rec_work_create(struct rs_rec_work **out, const struct rs_rec *r,
	struct rs_error *err);
void rs_rec_work_free(struct rs_rec_work *w);

/* One question: a visitor (or a query item) and its recent events. */
struct rs_rec_query {
	uint64_t id;
	const struct rs_event *recent;	/* time order, oldest first; or NULL */
	size_t nrecent;
};

/* One answer row. */
struct rs_rec_row {
	uint64_t item;
	float score;
	int source;		/* enum rs_rec_source */
};

/* Counters a batch adds to (the caller zeroes them). */
struct rs_rec_stats {
	uint64_t known;		/* visitors scored by the model */
	uint64_t folded;	/* of them folded in */
	uint64_t cold;		/* answered from the popular list */
	uint64_t blended;	/* with an online list */
	uint64_t empty;		/* no rows (no popular list, nothing eligible) */
	double flops;		/* of the score products computed */
	double flops_full;	/* that a scan of every item would take */
};

/*
 * Answers n <= params.batch visitors: rows[q * k ..] gets query q's rows,
 * counts[q] how many (<= k).  w belongs to the calling thread.  stats may
 * be NULL.  RS_ENUM if a fold-in system is not positive definite.
 */
int rs_rec_batch(const struct rs_rec *r, struct rs_rec_work *w,
	const struct rs_rec_query *q, size_t n, struct rs_rec_row *rows,
	size_t *counts, struct rs_rec_stats *stats, struct rs_error *err);

/*
 * The same for query items (q[i].id an item id; recent events ignored):
 * similar items, needs params.cosine.
 */
int rs_rec_similar_batch(const struct rs_rec *r, struct rs_rec_work *w,
	const struct rs_rec_query *q, size_t n, struct rs_rec_row *rows,
	size_t *counts, struct rs_rec_stats *stats, struct rs_error *err);

/*
 * The per-request call: one visitor with its recent events, rows has room
 * for k rows.  Returns the number of rows or a negative RS_E* code.
 */
int rs_rec_visitor(const struct rs_rec *r, struct rs_rec_work *w,
	uint64_t visitor, const struct rs_event *recent, size_t nrecent,
	struct rs_rec_row *rows, struct rs_error *err);

/* The same for one query item (similar items). */
int rs_rec_similar(const struct rs_rec *r, struct rs_rec_work *w,
	uint64_t item, struct rs_rec_row *rows, struct rs_error *err);

void rs_rec_free(struct rs_rec *r);

#endif
