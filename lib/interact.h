/*
 * interact.h - visitor x item interaction matrices from event streams:
 * event filtering (type, time window, catalogue), weighting, aggregation
 * of repeated events, min-count filters, and the CSR build (csr.h).
 *
 * Use: fill a struct rs_interact_params (rs_interact_params_init gives
 * the defaults of the original project), create a builder, feed it one or
 * more event streams (rs_interact_read) or single events
 * (rs_interact_add), then rs_interact_finish for the matrix and counts.
 *
 * Definitions (rs-interactions(1) repeats them for users):
 *  - window: an event at time t is kept when since <= t < until.  A bound
 *    may be relative to the stream's end E, the largest timestamp of all
 *    events read (before any filter): "end-14d" means E - 14 days.  A
 *    relative bound makes the builder keep every event's time until
 *    rs_interact_finish (8 more bytes an event).
 *  - event filter: only the types in params.events are kept; a type of
 *    weight 0 is dropped too.
 *  - catalogue: when params.keep_item is set, events on items for which it
 *    returns 0 are dropped (counted as dropped_catalogue).
 *  - aggregation of the events of one (visitor, item) pair with weights
 *    w_1..w_n: sum = w_1 + ... + w_n; max = max w_i; count = n;
 *    log = log1p(w_1 + ... + w_n).  Sums are taken in double, in stream
 *    order, and stored as float32.  binary replaces every stored value
 *    by 1.
 *  - min counts: a visitor is kept when it has at least min_user_events
 *    kept events, an item when it has at least min_item_events; dropping
 *    one side changes the counts of the other, so both filters are
 *    applied again until nothing changes (a fixed point: every remaining
 *    visitor and item meets its minimum).  Events count, not distinct
 *    pairs.
 *  - output order: rows by visitor id, columns by item id (csr.h), so
 *    the same events and parameters give byte-identical output whatever
 *    the input order, except that sums of float weights are taken in
 *    stream order.
 */
#ifndef RS_INTERACT_H
#define RS_INTERACT_H

#include <stdint.h>

#include "csr.h"
#include "error.h"
#include "records.h"
#include "rstime.h"
#include "stream.h"

enum rs_agg {
	RS_AGG_SUM = 0,
	RS_AGG_MAX = 1,
	RS_AGG_COUNT = 2,
	RS_AGG_LOG = 3
};

struct rs_interact_params {
	double weights[RS_EV_NTYPES];	/* >= 0; default 1, 5, 3 */
	unsigned events;		/* bit (1 << type) per kept type */
	enum rs_agg agg;
	int binary;			/* store 1 for every pair */
	struct rs_bound since, until;	/* half-open window */
	uint64_t min_user_events;	/* 0 or 1: no filter */
	uint64_t min_item_events;
	/* Catalogue filter: 1 keeps events on item, 0 drops them. */
	int (*keep_item)(void *ctx, uint64_t item);
	void *keep_ctx;
};

struct rs_interact_stats {
	uint64_t events_read;
	uint64_t dropped_type;		/* by the event filter */
	uint64_t dropped_window;
	uint64_t dropped_catalogue;
	uint64_t dropped_min_count;
	uint64_t kept;			/* events in the matrix */
	uint64_t rounds;		/* min-count passes until fixed */
	uint32_t rows, cols;
	uint64_t nnz;
	int64_t first_ts, last_ts;	/* of all events read; 0 if none */
	int64_t since, until;		/* resolved; INT64_MIN/MAX if open */
};

/* Defaults: view=1, addtocart=5, transaction=3, all types, sum. */
void rs_interact_params_init(struct rs_interact_params *p);

/*
 * Parses "view=1,addtocart=5" into w (types not named keep their value).
 * RS_EARG naming the unknown event or bad number.
 */
int rs_interact_parse_weights(const char *s, double w[RS_EV_NTYPES],
	struct rs_error *err);

/*
 * The weights w as "view=1,addtocart=5,transaction=10", every type in
 * order, numbers as %.9g: the text the parser reads back, as outputs
 * record it in their metadata.  Written to buf (n bytes, 128 is ample),
 * which is returned.
 */
char *rs_interact_format_weights(const double w[RS_EV_NTYPES], char *buf,
	size_t n);

/* Parses "addtocart,transaction" into a type bit set.  RS_EARG. */
int rs_interact_parse_events(const char *s, unsigned *mask,
	struct rs_error *err);

/* Parses "sum", "max", "count" or "log".  RS_EARG. */
int rs_interact_parse_agg(const char *s, enum rs_agg *agg,
	struct rs_error *err);

/* Name of an aggregation ("sum"). */
const char *rs_interact_agg_name(enum rs_agg agg);

/*
 * RS_EARG when both bounds are set, of the same kind, and since is not
 * before until (mixed bounds are checked by rs_interact_finish).
 */
int rs_interact_check_window(const struct rs_interact_params *p,
	struct rs_error *err);

struct rs_interact;

/* A builder; p is copied. */
int rs_interact_create(struct rs_interact **out,
	const struct rs_interact_params *p, struct rs_error *err);

/* Feeds one event. */
int rs_interact_add(struct rs_interact *b, const struct rs_event *e,
	struct rs_error *err);

/*
 * Feeds every event of r (opened by the caller); RS_EFORMAT naming the
 * kind when r is not an events stream of the 1.0 schema; the reader's
 * errors otherwise.
 */
int rs_interact_read(struct rs_interact *b, struct rs_reader *r,
	struct rs_error *err);

/*
 * Applies the window, min counts and aggregation and builds the matrix
 * (*out, owned by the caller; possibly 0 x 0).  stats may be NULL.  The
 * builder is spent afterwards: only rs_interact_free may follow.
 */
int rs_interact_finish(struct rs_interact *b, struct rs_csr **out,
	struct rs_interact_stats *stats, struct rs_error *err);

void rs_interact_free(struct rs_interact *b);

#endif
