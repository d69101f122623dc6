/*
 * items.h - the clean item table: one row per item with its category,
 * root category, availability and first/last snapshot as of a time, plus
 * the latest values of the most frequent numeric properties of each
 * category.  rs-clean-items builds it from property records; rs-interactions
 * and rs-recommend read it back (rs_items_read) and look items up.
 *
 * Definitions (all "as of" the time T; a record with timestamp > T is
 * never used, so training at T sees the catalogue as it was at T):
 *  - an item is seen if it has at least one usable record at or before T;
 *  - category: the value of its latest categoryid record; root: the root
 *    of that category in the category tree (tree.h, after its repairs);
 *    RS_ID_NONE for both if the item has no categoryid record;
 *  - available: the value of its latest available record (0 if none);
 *  - ever available: some available record at or before T says 1;
 *  - first_seen, last_seen: the smallest and largest timestamp of its
 *    records at or before T (every property counts: a snapshot);
 *  - numeric value of (item, property): the first number token (numtok.h)
 *    of the latest record of that pair whose value holds a number token;
 *    records holding only hashed words are no numeric values;
 *  - frequency of a numeric property in a category: the number of items
 *    of the table in that category having a numeric value for it; each
 *    category keeps its top_n properties by frequency (ties: smaller
 *    property id first); items without a category form their own group;
 *  - "latest": greatest timestamp; on equal timestamps the record read
 *    later wins (input order: files in the order given, then record
 *    order), so the result does not depend on how the data is sorted
 *    except for exact-time duplicates;
 *  - T defaults to the end of the data: the largest timestamp read.
 * Bad records (categoryid not an integer or not in the tree, available
 * not 0 or 1, a bad number token) are skipped whole and counted.
 *
 * The item-table stream (kind RS_KIND_ITEMS), three tables in this order:
 *
 *   "items", 42 bytes a record, sorted by itemid, ids unique:
 *     offset size column          type  meaning
 *     0      8    itemid          id
 *     8      8    categoryid      id    RS_ID_NONE if none
 *     16     8    root            id    root category, RS_ID_NONE if none
 *     24     1    available       u8    0 or 1, as of T
 *     25     1    ever_available  u8    0 or 1, at or before T
 *     26     8    first_seen      time  first snapshot (ms)
 *     34     8    last_seen       time  last snapshot at or before T (ms)
 *
 *   "catprops", 21 bytes a record, sorted by categoryid then rank:
 *     0      8    categoryid      id    RS_ID_NONE: items without category
 *     8      1    rank            u8    1 = most frequent
 *     9      8    property        id
 *     17     4    nitems          u32   items of the category with a value
 *
 *   "values", 24 bytes a record, sorted by itemid then property; only the
 *   kept properties of the item's category; a missing value has no row:
 *     0      8    itemid          id    an itemid of "items"
 *     8      8    property        id
 *     16     8    value           f64
 *
 *   Metadata: "as_of" (T in ms, decimal text), "top_n" (decimal), plus
 *   whatever the writer adds (tool, version, argv).
 *
 * Memory while building grows with items and distinct (item, numeric
 * property) pairs, never with records: per item about 42 bytes of state
 * plus its id map entry, per pair a 24-byte hash slot.
 */
#ifndef RS_ITEMS_H
#define RS_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "records.h"
#include "stream.h"
#include "textout.h"

struct rs_tree;

#define RS_ITEMS_WIDTH 42
#define RS_CATPROP_WIDTH 21
#define RS_ITEMVAL_WIDTH 24
#define RS_ITEMS_AS_OF_END INT64_MAX	/* as_of: the end of the data */

struct rs_items_params {
	int64_t as_of;		/* T; RS_ITEMS_AS_OF_END by default */
	unsigned top_n;		/* numeric properties per category, 0..255;
				   default 10 */
	int keep_never_available; /* 1: keep them (ever_available = 0) */
};

void rs_items_params_init(struct rs_items_params *p);

struct rs_items_stats {
	uint64_t records;	/* property records read */
	uint64_t after;		/* of them later than T (not used) */
	uint64_t bad;		/* bad records skipped */
	uint64_t seen;		/* items seen at or before T */
	uint64_t kept;		/* rows of the table */
	uint64_t never;		/* seen items never available (dropped
				   unless keep_never_available) */
	uint64_t no_category;	/* kept items without a category */
	uint64_t pairs;		/* distinct (item, numeric property) pairs */
	uint64_t values;	/* rows of "values" */
	size_t peak_bytes;	/* builder state at its largest */
};

/* One row of "items". */
struct rs_item {
	uint64_t item;
	uint64_t category;	/* RS_ID_NONE if none */
	uint64_t root;		/* RS_ID_NONE if none */
	int64_t first_seen;
	int64_t last_seen;
	uint8_t available;
	uint8_t ever_available;
};

/* One row of "catprops". */
struct rs_catprop {
	uint64_t category;
	uint64_t property;
	uint32_t nitems;
	uint8_t rank;
};

/* One row of "values". */
struct rs_item_value {
	uint64_t item;
	uint64_t property;
	double value;
};

struct rs_items;
struct rs_items_builder;

/* ---- building ---- */

/*
 * Starts a builder.  tree is borrowed and must outlive the builder (it
 * decides which categoryids are valid and gives the roots).
 */
int rs_items_builder_create(struct rs_items_builder **out,
	const struct rs_items_params *p, const struct rs_tree *tree,
	struct rs_error *err);

/*
 * Adds one property record.  Returns 0 when used or not needed (later
 * than T), RS_EINPUT when bad (err gets the reason only, e.g. "available
 * value '2' is not 0 or 1"; the record is skipped and counted), RS_ENOMEM.
 */
int rs_items_builder_add(struct rs_items_builder *b, const struct rs_prop *p,
	struct rs_error *err);

/*
 * Called for each bad record with the message "NAME: record N: reason"
 * (N counts from 1 within the stream).  Return 0 to skip it and go on,
 * nonzero to stop: rs_items_builder_read then returns RS_EINPUT with that
 * message in err.
 */
typedef int (*rs_items_bad_fn)(void *arg, const struct rs_error *bad);

/*
 * Reads a whole property stream from r (borrowed; read to its end) into
 * the builder; checks kind and schema (RS_EFORMAT).  bad may be NULL
 * (skip silently; still counted in the stats).
 */
int rs_items_builder_read(struct rs_items_builder *b, struct rs_reader *r,
	rs_items_bad_fn bad, void *arg, struct rs_error *err);

/*
 * Makes the table.  On success *out is a new table (free with
 * rs_items_free) and st (if not NULL) is filled.  The builder is spent:
 * only rs_items_builder_free may follow.
 */
int rs_items_builder_finish(struct rs_items_builder *b, struct rs_items **out,
	struct rs_items_stats *st, struct rs_error *err);

void rs_items_builder_free(struct rs_items_builder *b);

/*
 * The latest snapshot time of property stream r (read to its end and
 * verified), or INT64_MIN for an empty one: what an "end"-relative
 * --as-of counts from (rs-clean-items reads the streams twice for it).
 */
int rs_items_last_time(struct rs_reader *r, int64_t *last,
	struct rs_error *err);

/* ---- the stream codec ---- */

/*
 * Writes t as an item-table stream to fd (borrowed) named name, with the
 * given metadata (borrowed) followed by "as_of" and "top_n".
 */
int rs_items_write(const struct rs_items *t, int fd, const char *name,
	const struct rs_meta *meta, unsigned nmeta,
	const struct rs_writer_opts *opts, struct rs_error *err);

/*
 * Reads a whole item-table stream from r (borrowed; read to its end).
 * Checks kind, schema, metadata, order and uniqueness: RS_EFORMAT or
 * RS_ECORRUPT (naming the stream and record) otherwise.
 */
int rs_items_read(struct rs_reader *r, struct rs_items **out,
	struct rs_error *err);

/*
 * CSV for people: header "itemid,categoryid,root,available,ever_available,
 * first_seen,last_seen,properties", times in ms, empty ids for none, and
 * properties as space-separated property=value pairs (shortest text that
 * reads back as the same double).
 */
void rs_items_write_csv(const struct rs_items *t, struct rs_textout *o);

/* ---- lookups (all O(1) hash probes, values a short scan) ---- */

size_t rs_items_count(const struct rs_items *t);
int64_t rs_items_as_of(const struct rs_items *t);
unsigned rs_items_top_n(const struct rs_items *t);

/* Row i (0 <= i < count), rows sorted by itemid; borrowed from t. */
const struct rs_item *rs_items_at(const struct rs_items *t, size_t i);

/* Row of itemid, or -1 if the table does not hold it. */
int64_t rs_items_find(const struct rs_items *t, uint64_t itemid);

/* The row of itemid, or NULL if unknown; borrowed from t. */
const struct rs_item *rs_items_get(const struct rs_items *t, uint64_t itemid);

/* 1 if itemid is in the table and available as of T, else 0. */
int rs_items_available(const struct rs_items *t, uint64_t itemid);

/* 1 if itemid is in the table and was ever available, else 0. */
int rs_items_ever_available(const struct rs_items *t, uint64_t itemid);

/* Category / root of itemid; RS_ID_NONE if unknown or none. */
uint64_t rs_items_category(const struct rs_items *t, uint64_t itemid);
uint64_t rs_items_root(const struct rs_items *t, uint64_t itemid);

/*
 * Numeric value of property for itemid: 1 and *v set, or 0 when missing
 * (unknown item, property not kept for its category, or no value).
 */
int rs_items_value(const struct rs_items *t, uint64_t itemid,
	uint64_t property, double *v);

/* The values of row i, sorted by property; *vals borrowed from t. */
size_t rs_items_row_values(const struct rs_items *t, size_t i,
	const struct rs_item_value **vals);

/* The kept properties per category, sorted by categoryid then rank. */
size_t rs_items_catprops(const struct rs_items *t,
	const struct rs_catprop **cps);

void rs_items_free(struct rs_items *t);

#endif
