/*
 * itemknn.h - the item-kNN model: "similar items" learned from behaviour.
 * Two items are similar when visitors touch both within one session.
 *
 * Training (rs_itemknn_train), over the events with time < until:
 *  - sessions: a visitor's events in time order; a new session starts
 *    when the gap to the previous event exceeds session_gap (30 min).
 *  - a session is the vector s over items, s_i = the largest event-type
 *    weight among the session's events on i (view 1, addtocart 5,
 *    transaction 3 by default), times the decay d = 2^(-age/half_life)
 *    with age = (last event of all) - (session's last event), d = 1
 *    without a half-life.  Repeated views of an item do not add up.
 *  - co-occurrence: c_ij = sum over sessions of s_i s_j, n_i = sum of
 *    s_i^2.  Long sessions: the distinct items are taken in order of
 *    first appearance and only pairs at most `window' positions apart
 *    count (default 20), so a session of L items costs O(L window), not
 *    O(L^2).
 *  - similarity: cosine, sim(i, j) = c_ij / (sqrt(n_i n_j) + shrink);
 *    shrink (default 0) pulls down pairs seen in few sessions.
 *  - each item keeps its `neighbors' (default 50) most similar items
 *    (score descending, ties by lower item id); pairs with c_ij = 0 are
 *    never neighbours.
 *
 * Stream layout (kind RS_KIND_MODEL, metadata model=itemknn):
 *   table        column    type  size  meaning
 *   "items"      itemid    id    8     item of row r, ascending
 *   "neighbors"  item      u32   4     row of the item
 *                neighbor  u32   4     row of the neighbour
 *                score     f32   4     sim(item, neighbor), finite, > 0
 * Neighbours are sorted by item row, then score descending, then
 * neighbour row; an item has at most `neighbors' of them and never itself.
 * Metadata: session_gap, half_life, window, neighbors, shrink (ms and
 * plain numbers as text), weights, until, events, sessions, pairs.
 *
 * The same layout holds other "similar items" lists under another model
 * name: model=similar is the ALS similar-items table (engine.h,
 * rs_engine_set_neighbors), whose scores are cosines (any finite value,
 * ties by lower row as here) and whose items are the ALS model's.
 * rs_itemknn_read_as reads it; rs_itemknn_create and rs_itemknn_add
 * build one in memory for rs_itemknn_write.
 *
 * Without a half-life, c_ij and n_i are exact sums: each term s_i s_j
 * is rounded once to a multiple of 2^-20 (the default weights' terms
 * are integers, so nothing is rounded), and the weights must be 0 or
 * from 1/1024 to 1024.  So the counts do not depend on the order of
 * the sessions, and training can go on incrementally (rs_itemknn_inc)
 * with the same result as training from scratch.
 *
 * Memory in training: 40 bytes an event (copy and sort order), about
 * 40 bytes a distinct co-occurring pair (table, adjacency), and the
 * model.  Time: O(E log E + P log P) for E events and P pair updates.
 */
#ifndef RS_ITEMKNN_H
#define RS_ITEMKNN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "records.h"
#include "stream.h"

struct rs_itemknn_params {
	int64_t session_gap;	/* ms; default 30 min */
	int64_t half_life;	/* ms; 0 = no decay */
	int64_t until;		/* events with ts < until; INT64_MAX */
	unsigned neighbors;	/* M, default 50 */
	unsigned window;	/* W, default 20 */
	double shrink;		/* default 0 */
	double weights[RS_EV_NTYPES];	/* default 1, 5, 3 */
};

struct rs_itemknn_stats {
	uint64_t events;	/* used (ts < until) */
	uint64_t sessions;
	uint64_t pairs;		/* distinct co-occurring pairs */
	uint64_t neighbors;	/* rows of the "neighbors" table */
};

struct rs_itemknn;

void rs_itemknn_params_init(struct rs_itemknn_params *p);

/*
 * Trains a model from n events (borrowed, any order).  stats may be
 * NULL.  RS_EARG for bad parameters, RS_ENOMEM.
 */
int rs_itemknn_train(const struct rs_event *ev, size_t n,
	const struct rs_itemknn_params *p, struct rs_itemknn **out,
	struct rs_itemknn_stats *stats, struct rs_error *err);

/* Writes m to fd (borrowed) with meta (should hold model=itemknn). */
int rs_itemknn_write(const struct rs_itemknn *m, int fd, const char *name,
	const struct rs_meta *meta, unsigned nmeta,
	const struct rs_writer_opts *opts, struct rs_error *err);

/*
 * Reads a model stream with model=itemknn from r (borrowed, read to its
 * end).  RS_EFORMAT for another model or kind, RS_ECORRUPT for rows out
 * of range or order, non-finite scores.
 */
int rs_itemknn_read(struct rs_reader *r, struct rs_itemknn **out,
	struct rs_error *err);

/*
 * As rs_itemknn_read, for a stream of this layout whose metadata key
 * model is the given name (e.g. "similar"): RS_EFORMAT "NAME: is a 'x'
 * model, expected 'similar'" otherwise.  Scores need only be finite.
 */
int rs_itemknn_read_as(struct rs_reader *r, const char *model,
	struct rs_itemknn **out, struct rs_error *err);

/*
 * An empty model over nitems item ids (ascending, copied; RS_EARG
 * otherwise), to fill with rs_itemknn_add.
 */
int rs_itemknn_create(struct rs_itemknn **out, const uint64_t *ids,
	uint32_t nitems, struct rs_error *err);

/*
 * Appends the list of item row: n neighbour rows nbr[] with their
 * scores, best first (copied).  Lists come in ascending row order, each
 * row at most once; a row skipped has no neighbours.  RS_EARG for a row
 * out of order, a neighbour out of range or the row itself, a score that
 * is not finite; RS_ENOMEM.
 */
int rs_itemknn_add(struct rs_itemknn *m, uint32_t row, const uint32_t *nbr,
	const float *score, uint32_t n, struct rs_error *err);

/*
 * Incremental training: the model at time T from the events added so
 * far with ts < T, the same model, byte for byte, as rs_itemknn_train
 * of those events with until = T, however the events were split over
 * rs_itemknn_inc_add calls and whatever times were trained before.  A
 * train costs the new events' sessions plus the lists of the items they
 * touch and of those items' partners; the other lists are kept.
 *
 *   rs_itemknn_inc_create(&t, &params, &err);     params.until unused
 *   rs_itemknn_inc_add(t, events, n, &err);       any number of times
 *   rs_itemknn_inc_train(t, T, &model, &stats, &err);   T ascending
 *
 * A visitor's session still open at T (last event >= T - session_gap)
 * counts as it is at T, and is extended by events after T.  Sessions
 * are cut where the events are sorted by (visitor, time, order of
 * adding).  half_life must be 0 (RS_EARG), weights as above.
 */
struct rs_itemknn_inc;

int rs_itemknn_inc_create(struct rs_itemknn_inc **out,
	const struct rs_itemknn_params *p, struct rs_error *err);
/*
 * Adds n events (copied, any order; types of weight 0 dropped).  RS_EARG
 * for an event before the last training time (already counted).
 */
int rs_itemknn_inc_add(struct rs_itemknn_inc *t, const struct rs_event *ev,
	size_t n, struct rs_error *err);
/*
 * Counts the events added with ts < until (>= the last until, RS_EARG
 * otherwise) and sets *out to the model, for the caller to free; stats
 * (may be NULL) as rs_itemknn_train's.  RS_EINPUT when a count
 * overflows, RS_ENOMEM.
 */
int rs_itemknn_inc_train(struct rs_itemknn_inc *t, int64_t until,
	struct rs_itemknn **out, struct rs_itemknn_stats *stats,
	struct rs_error *err);
void rs_itemknn_inc_free(struct rs_itemknn_inc *t);

/* A copy of m (without its metadata), or NULL when out of memory. */
struct rs_itemknn *rs_itemknn_copy(const struct rs_itemknn *m);

uint32_t rs_itemknn_nitems(const struct rs_itemknn *m);
/* Item ids by row, ascending; borrowed. */
const uint64_t *rs_itemknn_item_ids(const struct rs_itemknn *m);
/* Row of item id, or -1 (binary search). */
int64_t rs_itemknn_find(const struct rs_itemknn *m, uint64_t id);
/*
 * Neighbours of row (best first): returns their count and points *nbr
 * and *score (either may be NULL) into m.
 */
uint32_t rs_itemknn_neighbors(const struct rs_itemknn *m, uint32_t row,
	const uint32_t **nbr, const float **score);
/* Rows of the "neighbors" table. */
uint64_t rs_itemknn_nnz(const struct rs_itemknn *m);
/*
 * Metadata value of a model read from a stream, or NULL (always NULL
 * for a trained or created one); borrowed.
 */
const char *rs_itemknn_meta(const struct rs_itemknn *m, const char *key);

void rs_itemknn_free(struct rs_itemknn *m);

#endif
