/*
 * engine.h - the answering engine: "K items for visitor v at time t",
 * from the models, the filters and what v did before t.  Every answer of
 * the toolkit comes from here: rs-replay and rs-recommend -r through
 * replay.h, which feeds it each request's visible events, and a live
 * server the same way from its session store.
 *
 * Use:
 *   rs_engine_params_init(&p);
 *   rs_engine_create(&e, &p, &err);
 *   rs_engine_intern(e, id) for every item the caller will name (the
 *       items of its events), then rs_engine_set_popular / _set_itemknn
 *       / _set_als / _set_items / _set_avail, and after _set_als
 *       _set_neighbors                                    (all optional)
 *   rs_engine_prepare(e, &err);                 e is then read-only
 *   per thread: rs_engine_work_create(&w, e, &err);
 *   per question: fill a struct rs_engine_query, then
 *       n = rs_engine_answer(e, w, &q, &blend, k, rows, &err);
 * After rs_engine_prepare, e is read-only: any number of threads may
 * answer at once, each with its own work area.  Models, item table and
 * availability are borrowed and must outlive e.
 *
 * Items are named inside by a dense index g (rs_engine_intern, _find);
 * rows carry external ids.
 *
 * Definitions (rs-replay(1) and rs(7) repeat them for users):
 *  - visible events: the query's events, the visitor's own, in time
 *    order, all strictly before t (the caller's promise).
 *  - filters, applied to every source: an item the visitor bought (a
 *    visible transaction) is never recommended unless keep_bought; with
 *    an item table, an item not available in it is never recommended;
 *    with an availability timeline (avail.h), an item not available at
 *    t (its latest `available` snapshot before t says 0) is never
 *    recommended.  Every source fills its list from enough candidates
 *    that the filters never shorten it while unfiltered items are left.
 *  - recent: the visitor's distinct visible items, most recently touched
 *    first (any event type of positive weight); score = the sum of the
 *    event-type weights of the item's visible events (shown, not used for
 *    the order).
 *  - itemknn: context = the last knn_context (5) distinct visible items,
 *    newest first, at positions p = 0, 1, ...; score(j) = sum over the
 *    context of knn_decay^p sim(i_p, j) (itemknn.h); best first, ties by
 *    lower item id.  No context or no model: no rows.
 *  - als: with visible events on model items and fold_in, the visitor's
 *    factors are recomputed from those events only (exact ALS user step:
 *    r_ui = sum of event weights, c_ui = 1 + alpha r_ui, or
 *    1 + alpha log(1 + r_ui / eps) for confidence=log,
 *    x = (Y^T Y + lambda I + sum_i (c_ui - 1) y_i y_i^T)^-1 sum_i c_ui y_i;
 *    alpha, lambda, eps from the model's metadata); otherwise the
 *    visitor's own trained factors when the model knows the visitor;
 *    otherwise no rows.  Scores x . y_i over every model item, best
 *    first, ties by lower model row; the score of a listed item is
 *    canonical: the sum of x_a y_a in double in index order, rounded
 *    once to float, whatever computed it.  The scan is exact but stops
 *    early: with mu the mean item factor, items are visited by
 *    descending d_i = ||y_i - mu||, and once x . mu + ||x|| d_i +
 *    2 f FLT_EPSILON ||x|| (||mu|| + d_i), an upper bound of every
 *    remaining computed score (x . y = x . mu + x . (y - mu), Cauchy-
 *    Schwarz on the second term, plus the float rounding of a length-f
 *    dot product), is below the worst score kept, no remaining item can
 *    enter the list.  A lone query (no prefetch) reads an 8-bit copy of
 *    the factors first and scores only the items whose bound from it
 *    (qdot.h) reaches the worst score kept: the same list.
 *    A training-matrix row given with the query (hist_item, hist_w)
 *    adds its weights to r_ui when there is a fold-in; with
 *    keep_trained, a visitor the model knows keeps its trained factors.
 *  - online (params.similar): the last recent_n distinct visible items
 *    the ALS model knows, newest first; an item's score is its largest
 *    cosine with one of them other than itself; best first, ties by
 *    lower item id.
 *  - popular: with a popular model, its items by score; otherwise the
 *    query's own list (e.g. replay's causal counts before t), already
 *    best first; neither: no rows.
 *  - category (needs rs_engine_set_categories): context = the last
 *    knn_context (5) distinct visible items of positive weight, newest
 *    first; their categories at t (catline.h: the latest categoryid
 *    snapshot before t, or the item table's), each once, are the groups
 *    c_1 .. c_m; then, with a tree, the back-off groups: the parents of
 *    c_1 .. c_m in that order, each once and not already a group (one
 *    level up, not to the root: a root's subtree is a large share of
 *    the shop).  An item is in group c at t when its category at t is c
 *    or a child of c.  The list takes group after group, each group's
 *    items by popularity (best first, ties by lower item id), each item
 *    once, until 2 kmax items: so a group with too few eligible items
 *    is followed by the next, and the parents are reached exactly when
 *    the context's own categories have fewer than 2 kmax eligible
 *    items.  Popularity: the query's list when it brings one (replay:
 *    rs_engine_category_list over the causal counts before t, the
 *    popular list's definition restricted to the group), else the
 *    popular model's score, over the items someone touched (score >
 *    0); then, the same walk over the groups again, their untouched
 *    catalogue items (every item of the category timeline is an engine
 *    item; score 0, or not in the popular model) by lower id: the list
 *    of touched items, then the rest of the shelf.  Without a list or
 *    a popular model there are no rows.  Never an item of the visible
 *    events (any type), and the filters as for every source.
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
 *  - slots that adapt: a source with fewer items than its quota (recent
 *    for a visitor with fewer distinct visible items than its quota, or
 *    none; itemknn or category without context) leaves its slots in
 *    the round to pass 2, which hands them to the sources in blend
 *    order from the first: each source that still has items takes as
 *    many of the round's empty rows as it can, then the next.  With
 *    recent first, its unused slots go to the sources after it in the
 *    order written.  So the order of the blend is the
 *    order of the discovery sources' claim on unused slots, e.g. in
 *    "recent:5,category:3,itemknn:2,popular:0" a visitor with 2 recent
 *    items gets 2 recent rows, category's 3, itemknn's 2, then 3 more
 *    category rows (itemknn's when category runs dry, popular's when
 *    both do); a visitor with no events gets popular rows only.  This
 *    is pass 2 itself, not a second mechanism: every row of a round is
 *    still taken source by source in blend order, so the answer stays
 *    prefix-consistent.  A source's list is made when the blend first
 *    reads it, so a back-fill source behind rows already full (the
 *    category and popular rows of a visitor whose recent and itemknn
 *    items fill K) costs nothing.
 *
 * Determinism: an answer depends only on the query, the blend, K and e,
 * never on threads, batches or the queries answered before.
 */
#ifndef RS_ENGINE_H
#define RS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "avail.h"
#include "catline.h"
#include "error.h"
#include "itemknn.h"
#include "items.h"
#include "model.h"
#include "records.h"

#define RS_ENGINE_MAX_K 10000
#define RS_ENGINE_MAX_SOURCES 8
#define RS_ENGINE_BATCH 512		/* most queries per prefetch */

enum rs_source {
	RS_SRC_POPULAR = 0,
	RS_SRC_RECENT = 1,
	RS_SRC_ITEMKNN = 2,
	RS_SRC_ALS = 3,
	RS_SRC_ONLINE = 4,
	RS_SRC_CATEGORY = 5,
	RS_SRC_N = 6
};

/*
 * "popular", "recent", "itemknn", "als", "online", "category"; "unknown"
 * out of range.
 */
const char *rs_source_name(int src);

struct rs_blend {
	unsigned n;
	int src[RS_ENGINE_MAX_SOURCES];
	unsigned quota[RS_ENGINE_MAX_SOURCES];
	unsigned sum;			/* of the quotas, > 0 */
	char name[128];			/* the spec as given, or the source */
};

/*
 * Parses "recent:4,itemknn:4,als:2" (a bare source name means quota 1).
 * RS_EARG naming the bad part.
 */
int rs_blend_parse(const char *s, struct rs_blend *b, struct rs_error *err);

/* The blend of one source. */
void rs_blend_single(struct rs_blend *b, int src);

/* 1 if blend b draws from source src. */
int rs_blend_has(const struct rs_blend *b, int src);

struct rs_engine_params {
	double weights[RS_EV_NTYPES];	/* 1, 5, 3 */
	unsigned kmax;			/* largest K asked; 20 */
	unsigned knn_context;		/* 5 */
	double knn_decay;		/* 0.7 */
	int keep_bought;		/* 0 */
	int fold_in;			/* 1 */
	int similar;			/* 0; 1: similar items and online;
					 * 2: similar items only (no als) */
	unsigned recent_n;		/* items the online source uses; 5 */
	int one_list;			/* 0; 1: every blend asked is one
					 * source, popular:0 back-fill
					 * aside (lists of kmax, not 2 kmax) */
	unsigned threads;		/* 1: threads rs_engine_prepare may
					 * use for the ALS spaces (at most
					 * 16); the engine is the same
					 * whatever the count */
};

void rs_engine_params_init(struct rs_engine_params *p);

struct rs_engine;
struct rs_engine_work;

/* p is copied.  RS_EARG for a parameter out of range. */
int rs_engine_create(struct rs_engine **out,
	const struct rs_engine_params *p, struct rs_error *err);

/*
 * The dense index of item id, adding it if new (before rs_engine_prepare
 * only); a negative code when out of memory or prepared.
 */
int64_t rs_engine_intern(struct rs_engine *e, uint64_t id);

/* The index of id, or -1 if the engine does not know it. */
int64_t rs_engine_find(const struct rs_engine *e, uint64_t id);

/* Items known (after prepare: also every model item) and their ids. */
uint32_t rs_engine_nitems(const struct rs_engine *e);
const uint64_t *rs_engine_item_ids(const struct rs_engine *e);

/*
 * Models (borrowed).  A popular model must have kind popular, an ALS
 * model kind ALS with valid fold-in metadata; RS_EARG naming the key
 * that does not parse.
 */
int rs_engine_set_popular(struct rs_engine *e, const struct rs_model *m,
	struct rs_error *err);
int rs_engine_set_itemknn(struct rs_engine *e, const struct rs_itemknn *m,
	struct rs_error *err);
int rs_engine_set_als(struct rs_engine *e, const struct rs_model *m,
	struct rs_error *err);
int rs_engine_set_items(struct rs_engine *e, const struct rs_items *t,
	struct rs_error *err);
/* A finished availability timeline (borrowed). */
int rs_engine_set_avail(struct rs_engine *e, const struct rs_avail *a,
	struct rs_error *err);
/*
 * The category source's data (borrowed): a finished category timeline,
 * and the category tree for the back-off to parents (may be NULL: no
 * back-off).
 */
struct rs_tree;
int rs_engine_set_categories(struct rs_engine *e, const struct rs_catline *c,
	const struct rs_tree *tree, struct rs_error *err);

/*
 * only = 1: recommend only the n items of ids; only = 0: never these.
 * ids is copied; any order, duplicates fine; repeatable.
 */
int rs_engine_set_item_list(struct rs_engine *e, int only,
	const uint64_t *ids, size_t n, struct rs_error *err);

/*
 * The one exception to "frozen": a prepared engine's item-kNN model
 * replaced by m (borrowed; NULL: none), whose items the engine must all
 * know already (RS_EARG naming the first it does not).  Costs O(items),
 * not a prepare.  Only while no answer is in flight on any thread: the
 * replay calls it between request periods (--knn-every).
 */
int rs_engine_replace_itemknn(struct rs_engine *e, const struct rs_itemknn *m,
	struct rs_error *err);

/* Interns every model item and builds the tables; e is then frozen. */
int rs_engine_prepare(struct rs_engine *e, struct rs_error *err);

/* Items of the source's model (als or popular) that no filter blocks. */
uint32_t rs_engine_eligible(const struct rs_engine *e, int src);

/* 1 if source src can answer (its model is set; recent: 1). */
int rs_engine_has_source(const struct rs_engine *e, int src);

/* 1 if item g may not be recommended at time t (table, availability). */
int rs_engine_unavailable(const struct rs_engine *e, uint32_t g,
	int64_t t);

/* The event weight of type t (0 for an unknown type). */
double rs_engine_weight(const struct rs_engine *e, uint8_t t);

/*
 * One question.  item[] / type[] are the visitor's visible events (time
 * order, item as engine index), pop[] / pops[] a popular list for t
 * (best first, scores beside; may be NULL: then the popular model),
 * exclude[] items never to recommend to this visitor (every source).
 * key != 0 identifies the query for the work area's caches: the lists of
 * the sources are computed at most once per key and reused by every
 * blend and K asked next with that key (rs_engine_prefetch fills them
 * ahead); key 0 caches nothing.  Everything is borrowed for the call.
 */
struct rs_engine_query {
	uint64_t key;
	uint64_t visitor;
	int64_t t;
	const uint32_t *item;
	const uint8_t *type;
	size_t n;
	const uint32_t *pop;
	const float *pops;
	size_t npop;
	const uint32_t *exclude;	/* never recommend these (e.g. an */
	size_t nexclude;		/* exclusion matrix's row); or NULL */
	const uint32_t *hist_item;	/* fold-in: the visitor's history */
	const float *hist_w;		/* weights (a training matrix row), */
	size_t nhist;			/* added to the visible events' */
	int keep_trained;		/* 1: a visitor the model knows keeps
					 * its trained factors (no fold-in) */
	const uint32_t *cat;		/* the category list for t (best */
	const float *cats;		/* first, scores beside), made by */
	size_t ncat;			/* rs_engine_category_list; NULL:
					 * ranked by the popular model */
};

/* One answer row. */
struct rs_row {
	uint64_t item;
	float score;
	uint8_t source;		/* enum rs_source */
};

int rs_engine_work_create(struct rs_engine_work **out,
	const struct rs_engine *e, struct rs_error *err);
void rs_engine_work_free(struct rs_engine_work *w);
/*
 * For tests: sets the counter a work's per-query marks are stamped with,
 * so that its wrap after 2^32 queries can be reached.
 */
void rs_engine_work_set_tick(struct rs_engine_work *w, uint32_t tick);

/*
 * Answers q with blend b: up to k (<= params.kmax) rows into rows.
 * Returns the row count or a negative code (RS_ENUM when a fold-in
 * system is not positive definite).
 */
int rs_engine_answer(const struct rs_engine *e, struct rs_engine_work *w,
	const struct rs_engine_query *q, const struct rs_blend *b,
	unsigned k, struct rs_row *rows, struct rs_error *err);

/*
 * The category source's list for q (engine.h's definition) with the
 * popularity score[g] of every engine item g (e.g. causal counts before
 * q->t; 0: untouched, listed last; < 0: never): at most L (<= 2 kmax)
 * items into item[] (engine index) and sc[], for a later query's cat /
 * cats.  Uses w's scratch (and forgets its cached lists).  Returns the
 * count.
 */
size_t rs_engine_category_list(const struct rs_engine *e,
	struct rs_engine_work *w, const struct rs_engine_query *q,
	const double *score, uint32_t *item, float *sc, size_t L);

/*
 * Optional speed-up for the als source: computes its lists for the n
 * queries q[0..n) (n <= RS_ENGINE_BATCH, each with a key) at once,
 * scoring the items with one sgemm per chunk of items (in descending
 * norm order, until every query of the batch has stopped) instead of
 * one pass per query, and keeps them in w for the following
 * rs_engine_answer calls with those keys (until the next prefetch).  The
 * same items, order and scores as without it: the scan's float scores
 * only choose candidates, the scores kept are canonical.
 */
int rs_engine_prefetch(const struct rs_engine *e, struct rs_engine_work *w,
	const struct rs_engine_query *q, size_t n, struct rs_error *err);

/*
 * Similar items (needs params.similar and an ALS model): the k items of
 * highest cosine cos(y_q, y_i) (0 when a vector is zero) with the query
 * item, never the query item itself, each available at t; the score is
 * the canonical dot product of the unit vectors; source als.  Ties go to
 * the lower model row (the lower item id).  An item the model does not
 * know gets the popular model's list (source popular), or no rows
 * without one.  Returns the row count or a negative code.
 *
 * With a neighbours table (rs_engine_set_neighbors) and k <= its N, the
 * query item's list there, without the items unavailable at t, gives the
 * first k rows when k of them are left (or when the list holds every
 * other model item); otherwise the scan answers as without a table.
 * The rows are the same either way, byte for byte.
 */
int rs_engine_similar(const struct rs_engine *e, struct rs_engine_work *w,
	uint64_t item, int64_t t, unsigned k, struct rs_row *rows,
	struct rs_error *err);

/*
 * Optional speed-up for similar items: the lists of the n <=
 * RS_ENGINE_BATCH items at time t at once (one sgemm per chunk), kept
 * in w for the following rs_engine_similar calls on them with the same
 * t (until the next prefetch of either kind).  Items the neighbours
 * table answers for kmax rows are left to it.  The same rows as without
 * it.
 */
int rs_engine_similar_prefetch(const struct rs_engine *e,
	struct rs_engine_work *w, const uint64_t *items, size_t n, int64_t t,
	struct rs_error *err);

/*
 * The neighbours table (borrowed, must outlive e): for every item of the
 * ALS model, its N most similar items as rs_engine_similar's scan gives
 * them with no filter at all (no item table, availability or item
 * lists): same items, order and canonical scores.  It is an item-kNN
 * stream (itemknn.h) with metadata model=similar, its items the ALS
 * model's items (rows are model rows), and the metadata
 *   neighbors    N, 1 .. RS_ENGINE_MAX_K
 *   als_digest   rs_engine_similar_digest of the model, 8 hex digits
 * An item may have no list (the scan answers it).  Call after
 * rs_engine_set_als and before rs_engine_prepare.  RS_EFORMAT when the
 * metadata lack these keys, the digest is not this model's ("built from
 * another ALS model (its als_digest X, the model's Y)") or a list is
 * longer than N or not best first; RS_EARG when called out of order.
 */
int rs_engine_set_neighbors(struct rs_engine *e, const struct rs_itemknn *t,
	struct rs_error *err);

/* N of the neighbours table, 0 without one. */
unsigned rs_engine_neighbors_n(const struct rs_engine *e);

/*
 * CRC-32C of an ALS model's item count, factor count, item ids and item
 * factors (little-endian u32, u32, u64s, f32s): what similar items
 * depend on, and a neighbours table's als_digest.
 */
uint32_t rs_engine_similar_digest(const struct rs_model *m);

/*
 * Similar-items lists w answered from the neighbours table, and those it
 * scanned (with or without a prefetch), so far.
 */
void rs_engine_similar_counts(const struct rs_engine_work *w,
	uint64_t *table, uint64_t *scanned);

/*
 * (query, model item) scores the als source computed with w so far; a
 * full scan would be the model's item count per query (for benchmarks
 * and tests of the early stop).
 */
uint64_t rs_engine_als_scored(const struct rs_engine_work *w);

/*
 * ALS vectors w made by fold-in and taken as trained so far, and the
 * scans that ended in a full exact rescoring (near-ties at the cut).
 */
void rs_engine_counts(const struct rs_engine_work *w, uint64_t *folded,
	uint64_t *trained, uint64_t *full);

void rs_engine_free(struct rs_engine *e);

#endif
