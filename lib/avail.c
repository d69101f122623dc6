/*
 * avail.c - the availability timeline (definitions in avail.h).
 *
 * Building: every `available` snapshot is kept raw as { ts, idx, v }
 * (16 bytes), idx the item's dense index in an idmap, since the files
 * interleave in time and nothing can be decided before all are read.
 * At scale 1 that is a few million snapshots, a few tens of MB, freed
 * by rs_avail_finish.
 *
 * Finishing: the snapshots sorted by (idx, ts, v) are walked per item
 * with the effective value cur, which starts at 1 (unknown counts as
 * available).  A group of snapshots at one time takes the value of its
 * last member, the largest v, so "available wins" ties.  A group whose
 * value differs from cur is a change: its time is kept and cur flips.
 * Items whose value never leaves 1 keep nothing at all.
 *
 * The timeline:
 *   id[n]         the items with at least one change, ascending
 *   off[n + 1]    their runs in ct[]
 *   ct[nc]        change times, strictly increasing within a run
 * Since every change flips the value and the value before the first one
 * is 1, the values are implicit: the j-th change (0-based) makes the
 * item unavailable when j is even and available again when j is odd.
 * So available(i, t) = 1 iff the number of changes of i with time < t
 * is even.  Memory: 12 bytes per such item plus 8 per change.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avail.h"
#include "idmap.h"
#include "records.h"
#include "banned.h"

struct snap {
	int64_t ts;
	uint32_t idx;
	uint8_t v;
};

struct rs_avail {
	/* building */
	struct rs_idmap *map;
	struct snap *s;
	size_t ns, cap;
	uint64_t snapshots, nitems;
	int finished;
	/* finished */
	uint64_t *id;
	uint32_t *off;
	int64_t *ct;
	size_t n, nc;
};

static int
nomem(struct rs_error *err)
{
	return rs_error_set(err, RS_ENOMEM, "availability: out of memory");
}

int
rs_avail_create(struct rs_avail **out, struct rs_error *err)
{
	struct rs_avail *a;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return nomem(err);
	if (rs_idmap_create(&a->map, 1024) < 0) {
		free(a);
		return nomem(err);
	}
	*out = a;
	return 0;
}

int
rs_avail_add(struct rs_avail *a, uint64_t item, int64_t ts, int available,
    struct rs_error *err)
{
	int64_t idx;

	if (a->finished)
		return rs_error_set(err, RS_EARG, "availability: already "
		    "finished");
	if (a->ns == a->cap) {
		const size_t cap = a->cap ? 2 * a->cap : 4096;
		struct snap *s = realloc(a->s, cap * sizeof(*s));

		if (s == NULL)
			return nomem(err);
		a->s = s;
		a->cap = cap;
	}
	if ((idx = rs_idmap_intern(a->map, item)) < 0)
		return nomem(err);
	a->s[a->ns++] = (struct snap){ ts, (uint32_t)idx, available != 0 };
	a->snapshots++;
	return 0;
}

/* rs_avail_read's walk: the `available' rows of one block. */
struct read_ctx {
	struct rs_avail *a;
	const char *name;
	uint64_t recno;
};

static int
read_block(void *ctx, const struct rs_block *blk, struct rs_error *err)
{
	struct read_ctx *c = ctx;
	const unsigned char *q = blk->data, *end = blk->data + blk->len;
	struct rs_prop p;
	int rc;

	while (q < end) {
		q += rs_prop_decode(q, &p);
		c->recno++;
		if (p.kind != RS_PROP_AVAILABLE)
			continue;
		if (p.vlen != 1 || (p.value[0] != '0' && p.value[0] != '1'))
			return rs_error_set(err, RS_EINPUT, "%s: record %llu: "
			    "available value '%.*s' is not 0 or 1", c->name,
			    (unsigned long long)c->recno,
			    (int)(p.vlen > 40 ? 40 : p.vlen), p.value);
		if ((rc = rs_avail_add(c->a, p.item, p.ts, p.value[0] == '1',
		    err)) < 0)
			return rc;
	}
	return 0;
}

int
rs_avail_read(struct rs_avail *a, struct rs_reader *r, struct rs_error *err)
{
	struct read_ctx c = { a, rs_reader_name(r), 0 };
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
	const struct snap *a = x, *b = y;

	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (int)a->v - (int)b->v;
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
rs_avail_finish(struct rs_avail *a, struct rs_error *err)
{
	const uint64_t *ids = rs_idmap_ids(a->map);
	struct run *runs = NULL;
	int64_t *ct = NULL;
	size_t i, j, nr = 0, nc = 0;

	if (a->finished)
		return rs_error_set(err, RS_EARG, "availability: already "
		    "finished");
	if (a->ns > 0)		/* s is NULL when there is none */
		qsort(a->s, a->ns, sizeof(*a->s), cmp_snap);
	/* changes are at most the snapshots; shrunk below */
	runs = malloc((rs_idmap_size(a->map) + 1) * sizeof(*runs));
	ct = malloc((a->ns + 1) * sizeof(*ct));
	if (runs == NULL || ct == NULL)
		goto nomem;
	for (i = 0; i < a->ns; i = j) {
		const uint32_t idx = a->s[i].idx;
		const size_t start = nc;
		uint8_t cur = 1;

		for (j = i; j < a->ns && a->s[j].idx == idx; j++) {
			/* the last of a same-time group decides */
			if (j + 1 < a->ns && a->s[j + 1].idx == idx &&
			    a->s[j + 1].ts == a->s[j].ts)
				continue;
			if (a->s[j].v != cur) {
				ct[nc++] = a->s[j].ts;
				cur = a->s[j].v;
			}
		}
		if (nc > start)
			runs[nr++] = (struct run){ ids[idx], start, nc - start };
	}
	free(a->s);
	a->s = NULL;
	a->ns = a->cap = 0;
	qsort(runs, nr, sizeof(*runs), cmp_run);
	a->id = malloc((nr + 1) * sizeof(*a->id));
	a->off = malloc((nr + 1) * sizeof(*a->off));
	a->ct = malloc((nc + 1) * sizeof(*a->ct));
	if (a->id == NULL || a->off == NULL || a->ct == NULL)
		goto nomem;
	a->nc = 0;
	for (i = 0; i < nr; i++) {
		a->id[i] = runs[i].id;
		a->off[i] = (uint32_t)a->nc;
		memcpy(a->ct + a->nc, ct + runs[i].start,
		    runs[i].len * sizeof(*ct));
		a->nc += runs[i].len;
	}
	a->off[nr] = (uint32_t)a->nc;
	a->n = nr;
	free(runs);
	free(ct);
	a->nitems = rs_idmap_size(a->map);
	rs_idmap_free(a->map);
	a->map = NULL;
	a->finished = 1;
	return 0;
nomem:
	free(runs);
	free(ct);
	return nomem(err);
}

int64_t
rs_avail_find(const struct rs_avail *a, uint64_t item)
{
	return rs_ids_bsearch(a->id, a->n, item);
}

int
rs_avail_at_index(const struct rs_avail *a, size_t idx, int64_t t)
{
	size_t lo = a->off[idx], hi = a->off[idx + 1];
	const size_t b = lo;

	/* lo = the first change with time >= t: lo - b changes before t */
	while (lo < hi) {
		const size_t mid = lo + (hi - lo) / 2;

		if (a->ct[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo - b) % 2 == 0;
}

int
rs_avail_at(const struct rs_avail *a, uint64_t item, int64_t t)
{
	const int64_t idx = rs_avail_find(a, item);

	return idx < 0 ? 1 : rs_avail_at_index(a, (size_t)idx, t);
}

void
rs_avail_stats(const struct rs_avail *a, struct rs_avail_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->snapshots = a->snapshots;
	st->items = a->map != NULL ? rs_idmap_size(a->map) : a->nitems;
	st->changes = a->nc;
	st->unavailable = a->n;
	st->bytes = a->n * (sizeof(*a->id) + sizeof(*a->off)) +
	    a->nc * sizeof(*a->ct);
}

void
rs_avail_free(struct rs_avail *a)
{
	if (a == NULL)
		return;
	rs_idmap_free(a->map);
	free(a->s);
	free(a->id);
	free(a->off);
	free(a->ct);
	free(a);
}
