/*
 * tree.c - the category tree: repair of dirty rows and precomputed root and
 * depth per category.
 *
 * Layout: an idmap gives each category a dense index i (first-seen row
 * order); par[i], root[i] and depth[i] are arrays of n entries, par and
 * root holding dense indices and NIL (UINT32_MAX) for "none".
 *
 * Build, O(n) overall:
 *  1. intern every row's category; the first row of a category sets its
 *     parent id, later rows only count as duplicates;
 *  2. resolve parent ids to indices; a parent that is not a category makes
 *     the category an orphan (NIL parent, a root);
 *  3. for each category not yet resolved, walk up the parents, marking the
 *     path, until a resolved category, a root or a category already on the
 *     path (a cycle).  A cycle is cut at its member with the smallest
 *     external id and the walk is redone from the same start; then the
 *     path is resolved from its top down.  Every category is pushed at
 *     most twice, so no input loops forever.
 *
 * Invariants after build: following par from any i reaches a NIL parent
 * within depth[i] steps; root[i] is that last category; depth[root[i]] = 0.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "idmap.h"
#include "records.h"
#include "stream.h"
#include "tree.h"
#include "banned.h"

#define NIL UINT32_MAX

struct rs_tree {
	struct rs_idmap *map;
	uint32_t *par;
	uint32_t *root;
	uint32_t *depth;
	size_t n;
};

enum { ST_NEW = 0, ST_PATH = 1, ST_DONE = 2 };

void
rs_tree_free(struct rs_tree *t)
{
	if (t == NULL)
		return;
	rs_idmap_free(t->map);
	free(t->par);
	free(t->root);
	free(t->depth);
	free(t);
}

/* Walks up from start; returns the number of categories pushed on path. */
static size_t
walk(const struct rs_tree *t, unsigned char *state, uint32_t *path,
    uint32_t start, uint32_t *stop)
{
	size_t len = 0;
	uint32_t j = start;

	while (j != NIL && state[j] == ST_NEW) {
		state[j] = ST_PATH;
		path[len++] = j;
		j = t->par[j];
	}
	*stop = j;
	return len;
}

/* Cuts the cycle that starts at path[k] and runs to the path's end. */
static void
cut_cycle(struct rs_tree *t, const uint32_t *path, size_t k, size_t len,
    struct rs_tree_report *rep)
{
	const uint64_t *ids = rs_idmap_ids(t->map);
	uint32_t best = path[k];
	size_t i;

	for (i = k + 1; i < len; i++)
		if (ids[path[i]] < ids[best])
			best = path[i];
	t->par[best] = NIL;
	rep->cycles++;
	rep->on_cycles += len - k;
}

static void
resolve(struct rs_tree *t, unsigned char *state, uint32_t *path,
    struct rs_tree_report *rep)
{
	uint32_t i, j, stop, p;
	size_t len, k;

	for (i = 0; i < t->n; i++) {
		if (state[i] != ST_NEW)
			continue;
		len = walk(t, state, path, i, &stop);
		if (stop != NIL && state[stop] == ST_PATH) {
			for (k = len; path[k - 1] != stop; k--)
				;
			cut_cycle(t, path, k - 1, len, rep);
			for (k = 0; k < len; k++)
				state[path[k]] = ST_NEW;
			len = walk(t, state, path, i, &stop);
		}
		while (len > 0) {
			j = path[--len];
			p = t->par[j];
			if (p == NIL) {
				t->root[j] = j;
				t->depth[j] = 0;
			} else {
				t->root[j] = t->root[p];
				t->depth[j] = t->depth[p] + 1;
			}
			if (t->depth[j] > rep->max_depth)
				rep->max_depth = t->depth[j];
			state[j] = ST_DONE;
		}
	}
}

int
rs_tree_build(struct rs_tree **out, const struct rs_tree_row *rows,
    size_t n, struct rs_tree_report *rep, struct rs_error *err)
{
	struct rs_tree_report dummy;
	struct rs_tree *t;
	uint64_t *pid = NULL;
	unsigned char *state = NULL;
	uint32_t *path = NULL;
	int64_t ix, px;
	size_t i;

	*out = NULL;
	if (rep == NULL)
		rep = &dummy;
	memset(rep, 0, sizeof(*rep));
	rep->rows = n;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    rs_idmap_create(&t->map, n) < 0 ||
	    (pid = malloc((n ? n : 1) * sizeof(*pid))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		if (rows[i].category == RS_ID_NONE) {
			free(pid);
			rs_tree_free(t);
			return rs_error_set(err, RS_EINPUT, "tree row %zu: "
			    "empty category id", i + 1);
		}
		if ((ix = rs_idmap_intern(t->map, rows[i].category)) < 0)
			goto nomem;
		if ((size_t)ix < t->n) {
			rep->duplicates++;
			if (pid[ix] != rows[i].parent)
				rep->conflicts++;
			continue;
		}
		pid[t->n++] = rows[i].parent;
	}
	rep->categories = t->n;
	if ((t->par = malloc((t->n ? t->n : 1) * sizeof(*t->par))) == NULL ||
	    (t->root = malloc((t->n ? t->n : 1) * sizeof(*t->root))) == NULL ||
	    (t->depth = malloc((t->n ? t->n : 1) * sizeof(*t->depth))) ==
	    NULL ||
	    (state = calloc(t->n ? t->n : 1, 1)) == NULL ||
	    (path = malloc((t->n ? t->n : 1) * sizeof(*path))) == NULL)
		goto nomem;
	for (i = 0; i < t->n; i++) {
		if (pid[i] == RS_ID_NONE) {
			rep->roots++;
			t->par[i] = NIL;
		} else if ((px = rs_idmap_find(t->map, pid[i])) < 0) {
			rep->orphans++;
			t->par[i] = NIL;
		} else
			t->par[i] = (uint32_t)px;
	}
	resolve(t, state, path, rep);
	free(pid);
	free(state);
	free(path);
	*out = t;
	return 0;
nomem:
	free(pid);
	free(state);
	free(path);
	rs_tree_free(t);
	return rs_error_set(err, RS_ENOMEM, "out of memory building the "
	    "category tree");
}

int
rs_tree_read(struct rs_reader *r, struct rs_tree **out,
    struct rs_tree_report *rep, struct rs_error *err)
{
	struct rs_tree_row *rows = NULL, *nr;
	struct rs_block b;
	size_t n = 0, cap = 0, need;
	uint32_t k;
	int rc;

	*out = NULL;
	if ((rc = rs_reader_expect(r, RS_KIND_TREE, err)) < 0 ||
	    (rc = rs_records_check(rs_reader_table(r, 0), RS_KIND_TREE,
	    rs_reader_name(r), err)) < 0)
		return rc;
	for (;;) {
		if ((rc = rs_reader_next(r, &b, err)) < 0)
			goto out;
		if (rc == 0) {
			if (rs_reader_done(r))
				break;
			continue;
		}
		if ((size_t)b.nrec * RS_TREE_WIDTH != b.len) {
			rc = rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
			    "stream (tree block of %zu bytes for %u records)",
			    rs_reader_name(r), b.len, b.nrec);
			goto out;
		}
		need = n + b.nrec;
		if (need > cap) {
			cap = cap ? cap : 1024;
			while (cap < need)
				cap *= 2;
			if ((nr = realloc(rows, cap * sizeof(*rows))) == NULL) {
				rc = rs_error_set(err, RS_ENOMEM, "%s: out of "
				    "memory", rs_reader_name(r));
				goto out;
			}
			rows = nr;
		}
		for (k = 0; k < b.nrec; k++)
			rs_tree_decode(b.data + (size_t)k * RS_TREE_WIDTH,
			    &rows[n++]);
	}
	rc = rs_tree_build(out, rows, n, rep, err);
out:
	free(rows);
	return rc;
}

static int64_t
index_of(const struct rs_tree *t, uint64_t category)
{
	if (t == NULL)
		return -1;
	return rs_idmap_find(t->map, category);
}

uint64_t
rs_tree_root(const struct rs_tree *t, uint64_t category)
{
	int64_t i = index_of(t, category);

	return i < 0 ? RS_ID_NONE : rs_idmap_ids(t->map)[t->root[i]];
}

uint64_t
rs_tree_parent(const struct rs_tree *t, uint64_t category)
{
	int64_t i = index_of(t, category);

	if (i < 0 || t->par[i] == NIL)
		return RS_ID_NONE;
	return rs_idmap_ids(t->map)[t->par[i]];
}

int64_t
rs_tree_depth(const struct rs_tree *t, uint64_t category)
{
	int64_t i = index_of(t, category);

	return i < 0 ? -1 : (int64_t)t->depth[i];
}

int
rs_tree_has(const struct rs_tree *t, uint64_t category)
{
	return index_of(t, category) >= 0;
}

size_t
rs_tree_size(const struct rs_tree *t)
{
	return t == NULL ? 0 : t->n;
}
