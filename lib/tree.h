/*
 * tree.h - the shop's category tree, built from category_tree rows
 * (struct rs_tree_row: category, parent or RS_ID_NONE on a root), with the
 * root and depth of every category computed once at build time, so a
 * lookup is one hash probe.
 *
 * Dirty input is repaired, never refused, and every repair is counted in
 * struct rs_tree_report:
 *  - duplicate rows: a category listed again; the FIRST row wins, later
 *    ones are counted (and counted again as conflicts when their parent
 *    differs from the winner's);
 *  - orphans: a parent id that is not itself a category of the tree; the
 *    category is treated as a root;
 *  - cycles: categories whose parent chain loops (a self-loop is a cycle of
 *    one).  Each cycle is cut at its member with the smallest external id,
 *    which becomes a root, so the result does not depend on row order and
 *    no walk can loop forever.
 * Depth counts edges: a root has depth 0, its children 1, and so on.
 */
#ifndef RS_TREE_H
#define RS_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "records.h"

struct rs_tree;
struct rs_reader;

struct rs_tree_report {
	uint64_t rows;		/* rows given */
	uint64_t categories;	/* distinct categories */
	uint64_t roots;		/* (winning) parent empty */
	uint64_t duplicates;	/* rows repeating a category already seen */
	uint64_t conflicts;	/* duplicates whose parent differs */
	uint64_t orphans;	/* parent not a category: made roots */
	uint64_t cycles;	/* cycles cut (each adds one root) */
	uint64_t on_cycles;	/* categories on those cycles */
	uint64_t max_depth;	/* after repairs; root = 0 */
};

/*
 * Builds a tree from n rows (borrowed; not kept).  rep may be NULL.  On
 * success *out is the tree (free with rs_tree_free).  RS_ENOMEM, or
 * RS_EINPUT when a row's category is RS_ID_NONE.
 */
int rs_tree_build(struct rs_tree **out, const struct rs_tree_row *rows,
	size_t n, struct rs_tree_report *rep, struct rs_error *err);

/*
 * Reads a whole tree stream from r (kind and schema are checked: RS_EFORMAT
 * otherwise; stream errors pass through) and builds the tree as
 * rs_tree_build does.  r is borrowed and read to its end.
 */
int rs_tree_read(struct rs_reader *r, struct rs_tree **out,
	struct rs_tree_report *rep, struct rs_error *err);

/* External id of category's root after repairs, or RS_ID_NONE if unknown. */
uint64_t rs_tree_root(const struct rs_tree *t, uint64_t category);

/*
 * Parent of category after repairs (RS_ID_NONE for roots, orphans and the
 * categories where a cycle was cut), or RS_ID_NONE if unknown.
 */
uint64_t rs_tree_parent(const struct rs_tree *t, uint64_t category);

/* Depth of category (root = 0), or -1 if unknown. */
int64_t rs_tree_depth(const struct rs_tree *t, uint64_t category);

/* 1 if category is in the tree. */
int rs_tree_has(const struct rs_tree *t, uint64_t category);

/* Number of distinct categories. */
size_t rs_tree_size(const struct rs_tree *t);

void rs_tree_free(struct rs_tree *t);

#endif
