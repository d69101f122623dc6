/*
 * timeline.c - per-item values through time (definitions in timeline.h).
 *
 * Building: every snapshot is kept raw as { ts, v, idx }, idx the item's
 * dense index in an idmap, since the files interleave in time and nothing
 * can be decided before all are read.  Finishing sorts them by (idx, ts,
 * v), walks each item's snapshots, settles every same-time group to its
 * first or last member (the smallest or largest value, whatever the file
 * or record order), keeps the groups whose value differs from the one
 * before, and packs the runs by ascending item id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "records.h"
#include "timeline.h"
#include "banned.h"

struct rs_timeline_snap {
	int64_t ts;
	uint64_t v;
	uint32_t idx;
};

static int
nomem(const struct rs_timeline *tl, struct rs_error *err)
{
	return rs_error_set(err, RS_ENOMEM, "%s: out of memory", tl->what);
}

int
rs_timeline_init(struct rs_timeline *tl, const char *what,
    struct rs_error *err)
{
	memset(tl, 0, sizeof(*tl));
	tl->what = what;
	if (rs_idmap_create(&tl->map, 1024) < 0)
		return nomem(tl, err);
	return 0;
}

int
rs_timeline_add(struct rs_timeline *tl, uint64_t item, int64_t ts,
    uint64_t v, struct rs_error *err)
{
	int64_t idx;

	if (tl->finished)
		return rs_error_set(err, RS_EARG, "%s: already finished",
		    tl->what);
	if (tl->ns == tl->cap) {
		const size_t cap = tl->cap ? 2 * tl->cap : 4096;
		struct rs_timeline_snap *s = realloc(tl->s, cap * sizeof(*s));

		if (s == NULL)
			return nomem(tl, err);
		tl->s = s;
		tl->cap = cap;
	}
	if ((idx = rs_idmap_intern(tl->map, item)) < 0)
		return nomem(tl, err);
	tl->s[tl->ns++] = (struct rs_timeline_snap){ ts, v, (uint32_t)idx };
	tl->snapshots++;
	return 0;
}

/* rs_timeline_read's walk: the records of one property in one block. */
struct read_ctx {
	struct rs_timeline *tl;
	const struct rs_timeline_prop *prop;
	const char *name;
	uint64_t recno;
};

static int
read_block(void *ctx, const struct rs_block *blk, struct rs_error *err)
{
	struct read_ctx *c = ctx;
	const unsigned char *q = blk->data, *end = blk->data + blk->len;
	struct rs_prop p;
	uint64_t v;
	int rc;

	while (q < end) {
		q += rs_prop_decode(q, &p);
		c->recno++;
		if (p.kind != c->prop->kind)
			continue;
		if (c->prop->parse(p.value, p.vlen, &v) < 0)
			return rs_error_set(err, RS_EINPUT, "%s: record %llu: "
			    "%s value '%.*s' is not %s", c->name,
			    (unsigned long long)c->recno, c->prop->name,
			    (int)(p.vlen > 40 ? 40 : p.vlen), p.value,
			    c->prop->expect);
		if ((rc = rs_timeline_add(c->tl, p.item, p.ts, v, err)) < 0)
			return rc;
	}
	return 0;
}

int
rs_timeline_read(struct rs_timeline *tl, struct rs_reader *r,
    const struct rs_timeline_prop *prop, struct rs_error *err)
{
	struct read_ctx c = { tl, prop, rs_reader_name(r), 0 };
	int rc;

	if ((rc = rs_reader_expect(r, RS_KIND_PROPS, err)) < 0)
		return rc;
	if (rs_reader_ntables(r) != 1)
		return rs_error_set(err, RS_EFORMAT, "%s: a props stream has "
		    "one table, not %u", c.name, rs_reader_ntables(r));
	if ((rc = rs_records_check(rs_reader_table(r, 0), RS_KIND_PROPS,
	    c.name, err)) < 0)
		return rc;
	return rs_reader_each(r, read_block, &c, err);
}

static int
cmp_snap(const void *x, const void *y)
{
	const struct rs_timeline_snap *a = x, *b = y;

	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->v < b->v ? -1 : a->v > b->v;
}

/* An item's run in the timeline while it is being built. */
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
rs_timeline_finish(struct rs_timeline *tl,
    const struct rs_timeline_rule *rule, struct rs_error *err)
{
	const uint64_t *ids = rs_idmap_ids(tl->map);
	const struct rs_timeline_snap *s = tl->s;
	struct run *runs = NULL;
	int64_t *ct = NULL;
	uint64_t *cv = NULL, cur;
	size_t i, j, nr = 0, nc = 0;
	int have;

	if (tl->finished)
		return rs_error_set(err, RS_EARG, "%s: already finished",
		    tl->what);
	if (tl->ns > 0)		/* s is NULL when there is none */
		qsort(tl->s, tl->ns, sizeof(*tl->s), cmp_snap);
	/* changes are at most the snapshots; packed below */
	runs = malloc((rs_idmap_size(tl->map) + 1) * sizeof(*runs));
	ct = malloc((tl->ns + 1) * sizeof(*ct));
	if (rule->keep_values)
		cv = malloc((tl->ns + 1) * sizeof(*cv));
	if (runs == NULL || ct == NULL || (rule->keep_values && cv == NULL))
		goto nomem;
	for (i = 0; i < tl->ns; i = j) {
		const uint32_t idx = s[i].idx;
		const size_t start = nc;

		have = rule->has_initial;
		cur = rule->initial;
		for (j = i; j < tl->ns && s[j].idx == idx; j++) {
			/* one member of a same-time group speaks for it */
			if (rule->last_of_group ? j + 1 < tl->ns &&
			    s[j + 1].idx == idx && s[j + 1].ts == s[j].ts :
			    j > i && s[j - 1].ts == s[j].ts)
				continue;
			if (!have || s[j].v != cur) {
				ct[nc] = s[j].ts;
				if (cv != NULL)
					cv[nc] = s[j].v;
				nc++;
				cur = s[j].v;
				have = 1;
			}
		}
		if (nc > start)
			runs[nr++] = (struct run){ ids[idx], start,
			    nc - start };
	}
	free(tl->s);
	tl->s = NULL;
	tl->ns = tl->cap = 0;
	if (nr > 0)
		qsort(runs, nr, sizeof(*runs), cmp_run);
	tl->id = malloc((nr + 1) * sizeof(*tl->id));
	tl->off = malloc((nr + 1) * sizeof(*tl->off));
	tl->ct = malloc((nc + 1) * sizeof(*tl->ct));
	if (cv != NULL)
		tl->cv = malloc((nc + 1) * sizeof(*tl->cv));
	if (tl->id == NULL || tl->off == NULL || tl->ct == NULL ||
	    (cv != NULL && tl->cv == NULL))
		goto nomem;
	tl->nc = 0;
	for (i = 0; i < nr; i++) {
		tl->id[i] = runs[i].id;
		tl->off[i] = (uint32_t)tl->nc;
		memcpy(tl->ct + tl->nc, ct + runs[i].start,
		    runs[i].len * sizeof(*ct));
		if (cv != NULL)
			memcpy(tl->cv + tl->nc, cv + runs[i].start,
			    runs[i].len * sizeof(*cv));
		tl->nc += runs[i].len;
	}
	tl->off[nr] = (uint32_t)tl->nc;
	tl->n = nr;
	free(runs);
	free(ct);
	free(cv);
	tl->nitems = rs_idmap_size(tl->map);
	rs_idmap_free(tl->map);
	tl->map = NULL;
	tl->finished = 1;
	return 0;
nomem:
	free(runs);
	free(ct);
	free(cv);
	return nomem(tl, err);
}

int64_t
rs_timeline_find(const struct rs_timeline *tl, uint64_t item)
{
	return rs_ids_bsearch(tl->id, tl->n, item);
}

size_t
rs_timeline_before(const struct rs_timeline *tl, size_t idx, int64_t t)
{
	size_t lo = tl->off[idx], hi = tl->off[idx + 1];
	const size_t b = lo;

	/* lo = the first change with time >= t */
	while (lo < hi) {
		const size_t mid = lo + (hi - lo) / 2;

		if (tl->ct[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - b;
}

uint64_t
rs_timeline_items(const struct rs_timeline *tl)
{
	return tl->map != NULL ? rs_idmap_size(tl->map) : tl->nitems;
}

void
rs_timeline_release(struct rs_timeline *tl)
{
	rs_idmap_free(tl->map);
	free(tl->s);
	free(tl->id);
	free(tl->off);
	free(tl->ct);
	free(tl->cv);
	memset(tl, 0, sizeof(*tl));
}
