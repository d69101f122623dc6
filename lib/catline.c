/*
 * catline.c - the category timeline (definitions in catline.h).
 *
 * Building: every `categoryid` snapshot is kept raw as { ts, cat, idx }
 * (24 bytes), idx the item's dense index in an idmap, since the files
 * interleave in time.  Finishing sorts them by (idx, ts, cat) and keeps,
 * per item, only the snapshots whose value differs from the one before
 * (the first of a same-time group, the smallest id, decides it).
 *
 * The timeline (as avail.c's, with the values explicit):
 *   id[n]         the items with at least one snapshot, ascending
 *   off[n + 1]    their runs in ct[] / cv[]
 *   ct[nc]        change times, strictly increasing within a run
 *   cv[nc]        the category from that time on
 * category(i, t) = cv[j] for the last j of i's run with ct[j] < t, found
 * by binary search; RS_ID_NONE when there is none.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catline.h"
#include "idmap.h"
#include "items.h"
#include "records.h"
#include "banned.h"

struct snap {
	int64_t ts;
	uint64_t cat;
	uint32_t idx;
};

struct rs_catline {
	struct rs_idmap *map;
	struct snap *s;
	size_t ns, cap;
	uint64_t snapshots, nitems, moved;
	int finished;
	uint64_t *id;
	uint32_t *off;
	int64_t *ct;
	uint64_t *cv;
	size_t n, nc;
};

static int
nomem(struct rs_error *err)
{
	return rs_error_set(err, RS_ENOMEM, "categories: out of memory");
}

int
rs_catline_create(struct rs_catline **out, struct rs_error *err)
{
	struct rs_catline *c;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return nomem(err);
	if (rs_idmap_create(&c->map, 1024) < 0) {
		free(c);
		return nomem(err);
	}
	*out = c;
	return 0;
}

int
rs_catline_add(struct rs_catline *c, uint64_t item, int64_t ts, uint64_t cat,
    struct rs_error *err)
{
	int64_t idx;

	if (c->finished)
		return rs_error_set(err, RS_EARG, "categories: already "
		    "finished");
	if (c->ns == c->cap) {
		const size_t cap = c->cap ? 2 * c->cap : 4096;
		struct snap *s = realloc(c->s, cap * sizeof(*s));

		if (s == NULL)
			return nomem(err);
		c->s = s;
		c->cap = cap;
	}
	if ((idx = rs_idmap_intern(c->map, item)) < 0)
		return nomem(err);
	c->s[c->ns++] = (struct snap){ ts, cat, (uint32_t)idx };
	c->snapshots++;
	return 0;
}

int
rs_catline_add_items(struct rs_catline *c, const struct rs_items *t,
    struct rs_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < rs_items_count(t); i++) {
		const struct rs_item *it = rs_items_at(t, i);

		if (it->category != RS_ID_NONE && (rc = rs_catline_add(c,
		    it->item, INT64_MIN, it->category, err)) < 0)
			return rc;
	}
	return 0;
}

/* A decimal id of n bytes (what rs-load keeps of a categoryid value). */
static int
parse_cat(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19)	/* 19 digits never overflow */
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return x == RS_ID_NONE ? -1 : 0;
}

struct read_ctx {
	struct rs_catline *c;
	const char *name;
	uint64_t recno;
};

static int
read_block(void *ctx, const struct rs_block *blk, struct rs_error *err)
{
	struct read_ctx *x = ctx;
	const unsigned char *q = blk->data, *end = blk->data + blk->len;
	struct rs_prop p;
	uint64_t cat;
	int rc;

	while (q < end) {
		q += rs_prop_decode(q, &p);
		x->recno++;
		if (p.kind != RS_PROP_CATEGORYID)
			continue;
		if (parse_cat(p.value, p.vlen, &cat) < 0)
			return rs_error_set(err, RS_EINPUT, "%s: record %llu: "
			    "categoryid value '%.*s' is not an integer",
			    x->name, (unsigned long long)x->recno,
			    (int)(p.vlen > 40 ? 40 : p.vlen), p.value);
		if ((rc = rs_catline_add(x->c, p.item, p.ts, cat, err)) < 0)
			return rc;
	}
	return 0;
}

int
rs_catline_read(struct rs_catline *c, struct rs_reader *r,
    struct rs_error *err)
{
	struct read_ctx x = { c, rs_reader_name(r), 0 };
	int rc;

	if ((rc = rs_reader_expect(r, RS_KIND_PROPS, err)) < 0)
		return rc;
	if (rs_reader_ntables(r) != 1)
		return rs_error_set(err, RS_EFORMAT, "%s: a props stream has "
		    "one table, not %u", x.name, rs_reader_ntables(r));
	if ((rc = rs_records_check(rs_reader_table(r, 0), RS_KIND_PROPS,
	    x.name, err)) < 0)
		return rc;
	return rs_reader_each(r, read_block, &x, err);
}

static int
cmp_snap(const void *x, const void *y)
{
	const struct snap *a = x, *b = y;

	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->cat < b->cat ? -1 : a->cat > b->cat;
}

struct run {
	uint64_t id;
	size_t start, len;
};

static int
cmp_run(const void *x, const void *y)
{
	const struct run *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

int
rs_catline_finish(struct rs_catline *c, struct rs_error *err)
{
	const uint64_t *ids = rs_idmap_ids(c->map);
	struct run *runs = NULL;
	int64_t *ct = NULL;
	uint64_t *cv = NULL;
	size_t i, j, nr = 0, nc = 0;

	if (c->finished)
		return rs_error_set(err, RS_EARG, "categories: already "
		    "finished");
	qsort(c->s, c->ns, sizeof(*c->s), cmp_snap);
	runs = malloc((rs_idmap_size(c->map) + 1) * sizeof(*runs));
	ct = malloc((c->ns + 1) * sizeof(*ct));
	cv = malloc((c->ns + 1) * sizeof(*cv));
	if (runs == NULL || ct == NULL || cv == NULL)
		goto nomem;
	for (i = 0; i < c->ns; i = j) {
		const uint32_t idx = c->s[i].idx;
		const size_t start = nc;

		for (j = i; j < c->ns && c->s[j].idx == idx; j++) {
			/* the first of a same-time group (smallest id) */
			if (j > i && c->s[j - 1].ts == c->s[j].ts)
				continue;
			if (nc == start || cv[nc - 1] != c->s[j].cat) {
				ct[nc] = c->s[j].ts;
				cv[nc++] = c->s[j].cat;
			}
		}
		runs[nr++] = (struct run){ ids[idx], start, nc - start };
		c->moved += nc - start > 1;
	}
	free(c->s);
	c->s = NULL;
	c->ns = c->cap = 0;
	qsort(runs, nr, sizeof(*runs), cmp_run);
	c->id = malloc((nr + 1) * sizeof(*c->id));
	c->off = malloc((nr + 1) * sizeof(*c->off));
	c->ct = malloc((nc + 1) * sizeof(*c->ct));
	c->cv = malloc((nc + 1) * sizeof(*c->cv));
	if (c->id == NULL || c->off == NULL || c->ct == NULL || c->cv == NULL)
		goto nomem;
	c->nc = 0;
	for (i = 0; i < nr; i++) {
		c->id[i] = runs[i].id;
		c->off[i] = (uint32_t)c->nc;
		memcpy(c->ct + c->nc, ct + runs[i].start,
		    runs[i].len * sizeof(*ct));
		memcpy(c->cv + c->nc, cv + runs[i].start,
		    runs[i].len * sizeof(*cv));
		c->nc += runs[i].len;
	}
	c->off[nr] = (uint32_t)c->nc;
	c->n = nr;
	free(runs);
	free(ct);
	free(cv);
	c->nitems = nr;
	rs_idmap_free(c->map);
	c->map = NULL;
	c->finished = 1;
	return 0;
nomem:
	free(runs);
	free(ct);
	free(cv);
	return nomem(err);
}

int64_t
rs_catline_find(const struct rs_catline *c, uint64_t item)
{
	return rs_ids_bsearch(c->id, c->n, item);
}

uint64_t
rs_catline_at_index(const struct rs_catline *c, size_t idx, int64_t t)
{
	size_t lo = c->off[idx], hi = c->off[idx + 1];
	const size_t b = lo;

	/* lo = the first change with time >= t */
	while (lo < hi) {
		const size_t mid = lo + (hi - lo) / 2;

		if (c->ct[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > b ? c->cv[lo - 1] : RS_ID_NONE;
}

uint64_t
rs_catline_at(const struct rs_catline *c, uint64_t item, int64_t t)
{
	const int64_t idx = rs_catline_find(c, item);

	return idx < 0 ? RS_ID_NONE : rs_catline_at_index(c, (size_t)idx, t);
}

size_t
rs_catline_history(const struct rs_catline *c, size_t idx,
    const uint64_t **cats)
{
	*cats = c->cv + c->off[idx];
	return c->off[idx + 1] - c->off[idx];
}

int64_t
rs_catline_first(const struct rs_catline *c, size_t idx)
{
	return c->ct[c->off[idx]];
}

void
rs_catline_stats(const struct rs_catline *c, struct rs_catline_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->snapshots = c->snapshots;
	st->items = c->map != NULL ? rs_idmap_size(c->map) : c->nitems;
	st->changes = c->nc;
	st->moved = c->moved;
}

void
rs_catline_free(struct rs_catline *c)
{
	if (c == NULL)
		return;
	rs_idmap_free(c->map);
	free(c->s);
	free(c->id);
	free(c->off);
	free(c->ct);
	free(c->cv);
	free(c);
}
