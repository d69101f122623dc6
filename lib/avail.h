/*
 * avail.h - item availability through time, from the `available`
 * snapshots of item property streams (rs-load item_properties*.csv), so
 * that a replay can ask "could item i be sold at time t?" for every
 * request instead of trusting one catalogue cut-off (items.h).
 *
 * Use:
 *   rs_avail_create(&a, &err);
 *   rs_avail_read(a, reader, &err);      once per props stream (part1,
 *                                        part2, ...: any order)
 *   rs_avail_add(a, item, ts, 0/1, &err) single snapshots (tests)
 *   rs_avail_finish(a, &err);            a is then frozen
 *   rs_avail_at(a, item, t)              from any number of threads
 *
 * Definitions (rs-replay(1) repeats them for users):
 *  - available(i, t) is the value of item i's latest `available` snapshot
 *    with time < t, strictly before t as in the replay's visibility
 *    rule: a snapshot taken at the very millisecond of a request does
 *    not count for it yet.
 *  - an item with no `available` snapshot before t counts as available:
 *    not knowing is no reason to filter (new items appear in the events
 *    before their first weekly snapshot, and an unknown item is what a
 *    shop without property data would show too).
 *  - snapshots of one item at the same millisecond with different values
 *    resolve to available, whatever the file or record order, so the
 *    timeline never depends on how the files were split or sorted.
 *  - the files may interleave in time (part1 and part2 of Retailrocket
 *    each hold snapshots of every week); only the times matter.
 *  - property records other than `available` are ignored; an `available`
 *    value other than "0" or "1" is an error naming the file and record.
 */
#ifndef RS_AVAIL_H
#define RS_AVAIL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stream.h"

struct rs_avail;

struct rs_avail_stats {
	uint64_t snapshots;	/* `available` records read */
	uint64_t items;		/* distinct items among them */
	uint64_t changes;	/* timeline entries kept (see avail.c) */
	uint64_t unavailable;	/* items with some unavailable period */
	size_t bytes;		/* memory of the finished timeline */
};

int rs_avail_create(struct rs_avail **out, struct rs_error *err);

/*
 * Adds every `available` record of a props stream (RS_KIND_PROPS) read
 * from r (borrowed; read to its end).  Errors: RS_EFORMAT for another
 * kind, RS_EINPUT for a bad value ("props.rse: record 12: available
 * value 'x' is not 0 or 1"), the reader's errors, RS_ENOMEM.
 */
int rs_avail_read(struct rs_avail *a, struct rs_reader *r,
	struct rs_error *err);

/* Adds one snapshot: item was (available != 0) at time ts. */
int rs_avail_add(struct rs_avail *a, uint64_t item, int64_t ts,
	int available, struct rs_error *err);

/* Builds the timeline and frees the raw snapshots; no adds after it. */
int rs_avail_finish(struct rs_avail *a, struct rs_error *err);

/* 1 if item is available at time t (definitions above), else 0. */
int rs_avail_at(const struct rs_avail *a, uint64_t item, int64_t t);

/*
 * For callers that ask about the same item often: its timeline index,
 * or -1 when the item is available at every time (then rs_avail_at is
 * 1 for any t and nothing needs checking).
 */
int64_t rs_avail_find(const struct rs_avail *a, uint64_t item);
int rs_avail_at_index(const struct rs_avail *a, size_t idx, int64_t t);

void rs_avail_stats(const struct rs_avail *a, struct rs_avail_stats *st);

void rs_avail_free(struct rs_avail *a);

#endif
