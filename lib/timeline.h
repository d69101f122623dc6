/*
 * timeline.h - one value per item through time, built from timestamped
 * snapshots of item property streams: the mechanism under the
 * availability (avail.h) and category (catline.h) timelines, which differ
 * only in which property they read, how a same-time group is settled and
 * whether an item starts with a known value.
 *
 * Use (by avail.c and catline.c, which embed a struct rs_timeline):
 *   rs_timeline_init(tl, "availability");
 *   rs_timeline_read(tl, reader, &prop, &err)  once per props stream
 *   rs_timeline_add(tl, item, ts, v, &err)     single snapshots
 *   rs_timeline_finish(tl, &rule, &err)        tl is then frozen
 *   rs_timeline_find(tl, item), rs_timeline_before(tl, idx, t)
 *
 * The finished timeline:
 *   id[n]         the items with at least one change, ascending
 *   off[n + 1]    their runs in ct[] (and cv[])
 *   ct[nc]        change times, strictly increasing within a run
 *   cv[nc]        the value from that time on (rule.keep_values), else
 *                 NULL: the caller knows the values (avail.c's flips)
 * A change is a same-time group of snapshots, settled to one value by
 * the rule, that differs from the value before it (rule.initial before
 * the first, when rule.has_initial).  Memory: 12 bytes per item with a
 * change, 8 (16 with values) per change; while building, 24 bytes per
 * snapshot.
 */
#ifndef RS_TIMELINE_H
#define RS_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stream.h"

struct rs_idmap;
struct rs_timeline_snap;

struct rs_timeline {
	const char *what;		/* for errors: "availability: ..." */
	/* building */
	struct rs_idmap *map;
	struct rs_timeline_snap *s;
	size_t ns, cap;
	uint64_t snapshots, nitems;
	int finished;
	/* finished */
	uint64_t *id;
	uint32_t *off;
	int64_t *ct;
	uint64_t *cv;
	size_t n, nc;
};

/* Which property rs_timeline_read takes, and how its value reads. */
struct rs_timeline_prop {
	int kind;		/* enum rs_prop_kind */
	const char *name;	/* "available", in errors */
	const char *expect;	/* "0 or 1", in errors */
	int (*parse)(const char *s, size_t n, uint64_t *v);	/* 0 or -1 */
};

/* How rs_timeline_finish settles the snapshots of each item. */
struct rs_timeline_rule {
	int last_of_group;	/* a same-time group: its largest value, else
				   its smallest */
	int has_initial;	/* the value before any snapshot is initial */
	uint64_t initial;
	int keep_values;	/* fill cv[] */
};

int rs_timeline_init(struct rs_timeline *tl, const char *what,
	struct rs_error *err);

/*
 * Adds every record of property prop->kind of a props stream read from r
 * (borrowed; read to its end).  Errors: RS_EFORMAT for another kind,
 * RS_EINPUT for a value prop->parse refuses ("props.rse: record 12:
 * available value 'x' is not 0 or 1"), the reader's, RS_ENOMEM.
 */
int rs_timeline_read(struct rs_timeline *tl, struct rs_reader *r,
	const struct rs_timeline_prop *prop, struct rs_error *err);

int rs_timeline_add(struct rs_timeline *tl, uint64_t item, int64_t ts,
	uint64_t v, struct rs_error *err);

/* Builds the timeline and frees the raw snapshots; no adds after it. */
int rs_timeline_finish(struct rs_timeline *tl,
	const struct rs_timeline_rule *rule, struct rs_error *err);

/* The item's run index, or -1 when it has no change. */
int64_t rs_timeline_find(const struct rs_timeline *tl, uint64_t item);

/* The number of changes of run idx with time < t. */
size_t rs_timeline_before(const struct rs_timeline *tl, size_t idx,
	int64_t t);

/* Distinct items among the snapshots (before or after finishing). */
uint64_t rs_timeline_items(const struct rs_timeline *tl);

/* Frees what tl holds (not tl itself). */
void rs_timeline_release(struct rs_timeline *tl);

#endif
