/*
 * catline.h - item categories through time, from the `categoryid`
 * snapshots of item property streams (rs-load item_properties*.csv), or
 * from an item table, so that the category source of the engine
 * (engine.h) can ask "which category was item i in at time t?" for
 * every request instead of trusting one catalogue cut-off.
 *
 * Use:
 *   rs_catline_create(&c, &err);
 *   rs_catline_read(c, reader, &err);     once per props stream (any order)
 *   rs_catline_add_items(c, table, &err)  or: the categories of an item
 *                                         table, valid at every time
 *   rs_catline_add(c, item, ts, cat, &err) single snapshots (tests)
 *   rs_catline_finish(c, &err);           c is then frozen
 *   rs_catline_at(c, item, t)             from any number of threads
 *
 * Definitions (rs-replay(1) repeats them for users):
 *  - category(i, t) is the value of item i's latest `categoryid`
 *    snapshot with time < t (strictly before t, as availability:
 *    avail.h); RS_ID_NONE when i has none before t.
 *  - an item table's row counts as a snapshot older than any time: its
 *    category (as of the table's as_of) holds at every t.
 *  - snapshots of one item at the same millisecond with different values
 *    resolve to the smallest category id, whatever the file or record
 *    order, so the timeline never depends on how the files were split.
 *  - property records other than `categoryid` are ignored; a value that
 *    is not a decimal integer is an error naming the file and record.
 */
#ifndef RS_CATLINE_H
#define RS_CATLINE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stream.h"

struct rs_catline;
struct rs_items;

struct rs_catline_stats {
	uint64_t snapshots;	/* `categoryid` records (or table rows) */
	uint64_t items;		/* items with a timeline */
	uint64_t changes;	/* timeline entries kept */
	uint64_t moved;		/* items with more than one category */
};

int rs_catline_create(struct rs_catline **out, struct rs_error *err);

/*
 * Adds every `categoryid` record of a props stream (RS_KIND_PROPS) read
 * from r (borrowed; read to its end).  Errors: RS_EFORMAT for another
 * kind, RS_EINPUT for a bad value ("props.rse: record 12: categoryid
 * value 'x' is not an integer"), the reader's errors, RS_ENOMEM.
 */
int rs_catline_read(struct rs_catline *c, struct rs_reader *r,
	struct rs_error *err);

/* Adds every row of t that has a category, at time INT64_MIN. */
int rs_catline_add_items(struct rs_catline *c, const struct rs_items *t,
	struct rs_error *err);

/* Adds one snapshot: item was in category cat from time ts on. */
int rs_catline_add(struct rs_catline *c, uint64_t item, int64_t ts,
	uint64_t cat, struct rs_error *err);

/* Builds the timeline and frees the raw snapshots; no adds after it. */
int rs_catline_finish(struct rs_catline *c, struct rs_error *err);

/* category(item, t) (definitions above). */
uint64_t rs_catline_at(const struct rs_catline *c, uint64_t item, int64_t t);

/*
 * For callers that ask about the same item often: its timeline index
 * (-1: no snapshot at all), the category at t by index, and every
 * category the item ever had (*cats borrowed; in time order, repeats
 * possible when it moved back).
 */
int64_t rs_catline_find(const struct rs_catline *c, uint64_t item);
uint64_t rs_catline_at_index(const struct rs_catline *c, size_t idx,
	int64_t t);
size_t rs_catline_history(const struct rs_catline *c, size_t idx,
	const uint64_t **cats);
/* The items with a category at some time: *n ids, ascending (borrowed). */
const uint64_t *rs_catline_items(const struct rs_catline *c, size_t *n);
/* The time of the item's first snapshot (INT64_MIN: an item table's). */
int64_t rs_catline_first(const struct rs_catline *c, size_t idx);

void rs_catline_stats(const struct rs_catline *c,
	struct rs_catline_stats *st);
void rs_catline_free(struct rs_catline *c);

#endif
