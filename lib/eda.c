/*
 * eda.c - streaming summary statistics of the raw kinds (rs-load --stats).
 *
 * Records arrive encoded, block by block, and are folded into counters
 * whose size follows the distinct keys (visitors, items, pairs, days,
 * properties, snapshots, and rows that are not first of their pair),
 * never the rows alone.  The big tables are open-addressing hash tables
 * of 16-byte slots (struct tab: key, a, b), so a probe touches one cache
 * line; they live on huge pages (hugemem.h), which halves the kernel time
 * of faulting them in on the full data.
 *
 *  events  visitors: tab, key visitor id, a = dense index v (first-seen
 *            order), b = events of the visitor (saturating u32);
 *            natc[v] = its addtocart events (a plain array: rare events).
 *          items: tab, key item id, a = dense index i, b = the first
 *            visitor's v, or MULTI once another visitor is seen.
 *          pairs: tab, key v << 32 | i; a holds the mask of event types
 *            seen on the pair (bits 0-2), so repeated (visitor, item,
 *            event) rows are counted exactly, plus, with b, a 61-bit
 *            fingerprint of the pair's first row.
 *          rows_seen: set of 64-bit hashes of every row that is not the
 *            first of its pair.  A row can only be an exact duplicate if
 *            its triple repeats; it is one if it matches the pair's first
 *            row's fingerprint or is in rows_seen (eda.h: collision odds).
 *          days: idmap of day numbers (floor(ts / 1 day), UTC) -> per_day
 *            count, with the last day cached (logs are mostly in time
 *            order).
 *          So an event costs three probes (visitor, item, pair), a fourth
 *          (rows_seen) when it is not the first row of its pair.
 *  props   items: tab, key item id, b = F_AVAIL (has an available row) |
 *            F_AVAIL1 (one of them was "1"); numeric properties and
 *            snapshots (distinct timestamps): idmaps whose sizes are the
 *            answers; the last timestamp is cached.
 *  tree    the rows themselves (the tree is small); the report builds the
 *          tree with tree.c.
 *
 * Percentiles of events per visitor are exact: the report counts visitors
 * per event count (a histogram up to the largest count) and walks it.
 *
 * Invariants: dense indices stay <= MAXDENSE, so v << 32 | i is unique
 * and natc is indexed below natc_cap; a stored key is never EMPTY (the
 * key EMPTY itself lives in s[cap], and a hash equal to it is remapped);
 * every table is at most half full, so probes end.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "eda.h"
#include "error.h"
#include "hugemem.h"
#include "idmap.h"
#include "numtok.h"
#include "records.h"
#include "rstime.h"
#include "stream.h"
#include "tree.h"
#include "banned.h"

#define EMPTY 0			/* the empty slot's key */
#define MULTI UINT32_MAX	/* items: more than one visitor */
#define MAXDENSE (UINT32_MAX - 2)
#define LABEL_WIDTH 33

/* One slot of a keyed table: 16 bytes, so a probe touches one line. */
struct slot {
	uint64_t key;
	uint32_t a;
	uint32_t b;
};

/*
 * Open-addressing table of slots, linear probing, at most half full;
 * s[cap] is the slot of the key EMPTY itself (used when hasempty), so
 * every u64 key can be stored.
 */
struct tab {
	struct slot *s;
	size_t cap, n;
	int hasempty;
};

/* Open-addressing set of nonzero 64-bit hashes, at most half full. */
struct kset {
	uint64_t *k;
	size_t cap, n;
};

struct rs_eda {
	unsigned kind;
	uint64_t rows;
	int64_t tmin, tmax;

	/*
	 * items: key item id, a dense index, b = events: first visitor's
	 * dense index or MULTI; props: F_AVAIL* flags.
	 */
	struct tab items;

	/* events */
	uint64_t per_type[RS_EV_NTYPES];
	uint64_t txn_none;	/* transactions without a transactionid */
	uint64_t repeats, exact_dups;
	struct tab visitors;	/* key id; a dense index; b events */
	struct tab pairs;	/* key v << 32 | i; a, b: see pair_* */
	struct kset rows_seen;	/* rows not first of their pair */
	uint32_t *natc;		/* addtocart events by visitor index */
	size_t natc_cap;
	struct rs_idmap *days;
	uint64_t *per_day;
	size_t dcap;
	int64_t lastday, lastdix;

	/* props */
	struct rs_idmap *props, *snaps;
	uint64_t nnum, ncat, navail, multitok, numtok, badtok;
	int64_t lastts;

	/* tree */
	struct rs_tree_row *trows;
	size_t ntrows, tcap;
};

enum { F_AVAIL = 1, F_AVAIL1 = 2 };

static int
tab_init(struct tab *t, size_t cap)
{
	t->n = 0;
	t->hasempty = 0;
	t->cap = cap;
	if ((t->s = rs_huge_zalloc((cap + 1) * sizeof(*t->s))) == NULL)
		return RS_ENOMEM;
	return 0;
}

static void
tab_release(struct tab *t)
{
	free(t->s);
	t->s = NULL;
}

static int
tab_used(const struct tab *t, size_t k)
{
	return k < t->cap ? t->s[k].key != EMPTY : t->hasempty;
}

static int
tab_grow(struct tab *t)
{
	struct tab u;
	size_t i, j;

	if (tab_init(&u, t->cap * 2) < 0)
		return RS_ENOMEM;
	for (i = 0; i < t->cap; i++) {
		if (t->s[i].key == EMPTY)
			continue;
		j = rs_mix64(t->s[i].key) & (u.cap - 1);
		while (u.s[j].key != EMPTY)
			j = (j + 1) & (u.cap - 1);
		u.s[j] = t->s[i];
	}
	u.s[u.cap] = t->s[t->cap];
	u.hasempty = t->hasempty;
	u.n = t->n;
	tab_release(t);
	*t = u;
	return 0;
}

/*
 * The slot of key, inserted zeroed (and *isnew set) if absent; NULL when
 * out of memory.  The pointer lives until the next insertion.
 */
static struct slot *
tab_get(struct tab *t, uint64_t key, int *isnew)
{
	size_t j;

	*isnew = 0;
	if (key == EMPTY) {
		if (!t->hasempty) {
			t->hasempty = 1;
			t->n++;
			*isnew = 1;
		}
		return &t->s[t->cap];
	}
	j = rs_mix64(key) & (t->cap - 1);
	while (t->s[j].key != EMPTY) {
		if (t->s[j].key == key)
			return &t->s[j];
		j = (j + 1) & (t->cap - 1);
	}
	if (t->n + 1 > t->cap / 2) {
		if (tab_grow(t) < 0)
			return NULL;
		j = rs_mix64(key) & (t->cap - 1);
		while (t->s[j].key != EMPTY)
			j = (j + 1) & (t->cap - 1);
	}
	t->s[j].key = key;
	t->n++;
	*isnew = 1;
	return &t->s[j];
}

static int
kset_init(struct kset *h, size_t cap)
{
	h->n = 0;
	h->cap = cap;
	if ((h->k = rs_huge_zalloc(cap * sizeof(*h->k))) == NULL)
		return RS_ENOMEM;
	return 0;
}

static void
kset_release(struct kset *h)
{
	free(h->k);
	h->k = NULL;
}

/*
 * The slot of key (not EMPTY), or the empty slot where it goes; the set
 * grows first when an insertion would make it more than half full.  -1
 * when out of memory.
 */
static int64_t
kset_slot(struct kset *h, uint64_t key)
{
	struct kset g;
	size_t i, j;

	for (;;) {
		j = key & (h->cap - 1);
		while (h->k[j] != EMPTY) {
			if (h->k[j] == key)
				return (int64_t)j;
			j = (j + 1) & (h->cap - 1);
		}
		if (h->n + 1 <= h->cap / 2)
			return (int64_t)j;
		if (kset_init(&g, h->cap * 2) < 0)
			return -1;
		for (i = 0; i < h->cap; i++) {
			if (h->k[i] == EMPTY)
				continue;
			j = h->k[i] & (g.cap - 1);
			while (g.k[j] != EMPTY)
				j = (j + 1) & (g.cap - 1);
			g.k[j] = h->k[i];
		}
		g.n = h->n;
		kset_release(h);
		*h = g;
	}
}

/*
 * Makes *p (an array of *cap elements of size sz) hold index i, zeroing
 * the new elements.
 */
static int
grow_array(void *p, size_t *cap, size_t i, size_t sz)
{
	void **pp = p;
	size_t nc = *cap ? *cap : 1024;
	void *np;

	if (i < *cap)
		return 0;
	while (nc <= i)
		nc *= 2;
	if ((np = realloc(*pp, nc * sz)) == NULL)
		return RS_ENOMEM;
	memset((char *)np + *cap * sz, 0, (nc - *cap) * sz);
	*pp = np;
	*cap = nc;
	return 0;
}

void
rs_eda_free(struct rs_eda *e)
{
	if (e == NULL)
		return;
	tab_release(&e->items);
	tab_release(&e->visitors);
	tab_release(&e->pairs);
	kset_release(&e->rows_seen);
	free(e->natc);
	rs_idmap_free(e->days);
	free(e->per_day);
	rs_idmap_free(e->props);
	rs_idmap_free(e->snaps);
	free(e->trows);
	free(e);
}

int
rs_eda_create(struct rs_eda **out, unsigned kind, struct rs_error *err)
{
	struct rs_eda *e;
	int bad = 0;

	*out = NULL;
	if (kind != RS_KIND_EVENTS && kind != RS_KIND_PROPS &&
	    kind != RS_KIND_TREE)
		return rs_error_set(err, RS_EARG, "no data analysis for "
		    "'%s' streams", rs_kind_name(kind));
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto nomem;
	e->kind = kind;
	e->tmin = INT64_MAX;
	e->tmax = INT64_MIN;
	e->lastdix = -1;
	e->lastts = INT64_MIN;
	if (kind == RS_KIND_EVENTS)
		bad = tab_init(&e->items, 1024) < 0 ||
		    tab_init(&e->visitors, 1024) < 0 ||
		    tab_init(&e->pairs, 1024) < 0 ||
		    kset_init(&e->rows_seen, 1024) < 0 ||
		    rs_idmap_create(&e->days, 0) < 0;
	else if (kind == RS_KIND_PROPS)
		bad = tab_init(&e->items, 1024) < 0 ||
		    rs_idmap_create(&e->props, 0) < 0 ||
		    rs_idmap_create(&e->snaps, 0) < 0;
	if (bad)
		goto nomem;
	*out = e;
	return 0;
nomem:
	rs_eda_free(e);
	return rs_error_set(err, RS_ENOMEM, "out of memory");
}

static void
span(struct rs_eda *e, int64_t ts)
{
	if (ts < e->tmin)
		e->tmin = ts;
	if (ts > e->tmax)
		e->tmax = ts;
}

static int64_t
day_of(int64_t ts)
{
	int64_t d = ts / RS_MS_PER_DAY;

	return (ts % RS_MS_PER_DAY < 0) ? d - 1 : d;
}

static uint64_t
row_hash(const struct rs_event *ev)
{
	uint64_t h;

	h = rs_mix64((uint64_t)ev->ts ^ 0x9e3779b97f4a7c15ULL);
	h = rs_mix64(h ^ ev->visitor);
	h = rs_mix64(h ^ ev->item ^ ((uint64_t)ev->type << 56));
	h = rs_mix64(h ^ ev->txn);
	return h == EMPTY ? 1 : h;
}

/*
 * Pair slots: a = event type mask (bits 0-2) | fingerprint bits 0-28 << 3,
 * b = fingerprint bits 29-60, the fingerprint being the top 61 bits of
 * the hash of the pair's first row.
 */
static void
pair_set_first(struct slot *s, uint64_t h)
{
	uint64_t f = h >> 3;

	s->a = (uint32_t)(f & 0x1fffffff) << 3;
	s->b = (uint32_t)(f >> 29);
}

static uint64_t
pair_first(const struct slot *s)
{
	return (uint64_t)s->b << 29 | s->a >> 3;
}

/* Counts an event on its day; the last day is cached. */
static int
count_day(struct rs_eda *e, int64_t ts)
{
	if (day_of(ts) != e->lastday || e->lastdix < 0) {
		e->lastday = day_of(ts);
		if ((e->lastdix = rs_idmap_intern(e->days,
		    (uint64_t)e->lastday)) < 0 ||
		    grow_array(&e->per_day, &e->dcap, (size_t)e->lastdix,
		    sizeof(*e->per_day)) < 0)
			return RS_ENOMEM;
	}
	e->per_day[e->lastdix]++;
	return 0;
}

/* Folds one event in; RS_ENOMEM or RS_ECORRUPT (bad event type). */
static int
add_event(struct rs_eda *e, const struct rs_event *ev)
{
	struct slot *s;
	uint64_t key;
	uint32_t v, i;
	unsigned bit;
	int64_t j;
	int isnew, rep, dup;

	if (ev->type >= RS_EV_NTYPES)
		return RS_ECORRUPT;
	e->per_type[ev->type]++;
	e->txn_none += ev->type == RS_EV_TRANSACTION &&
	    ev->txn == RS_ID_NONE;
	span(e, ev->ts);

	if ((s = tab_get(&e->visitors, ev->visitor, &isnew)) == NULL)
		return RS_ENOMEM;
	if (isnew) {
		if (e->visitors.n > MAXDENSE)
			return RS_ENOMEM;
		s->a = (uint32_t)(e->visitors.n - 1);
	}
	v = s->a;
	if (s->b < UINT32_MAX)
		s->b++;
	if (ev->type == RS_EV_ADDTOCART) {
		if (grow_array(&e->natc, &e->natc_cap, v, sizeof(*e->natc)) <
		    0)
			return RS_ENOMEM;
		if (e->natc[v] < UINT32_MAX)
			e->natc[v]++;
	}

	if ((s = tab_get(&e->items, ev->item, &isnew)) == NULL)
		return RS_ENOMEM;
	if (isnew) {
		if (e->items.n > MAXDENSE)
			return RS_ENOMEM;
		s->a = (uint32_t)(e->items.n - 1);
		s->b = v;
	} else if (s->b != v)
		s->b = MULTI;
	i = s->a;

	/*
	 * Repeated (visitor, item, event): the type's bit already set in the
	 * pair's mask.  Only such a row can be an exact duplicate: of the
	 * pair's first row (whose fingerprint lives in the pair slot) or of
	 * one of the pair's later rows, all of which go to rows_seen.
	 */
	bit = 1u << ev->type;
	key = row_hash(ev);
	if ((s = tab_get(&e->pairs, (uint64_t)v << 32 | i, &isnew)) == NULL)
		return RS_ENOMEM;
	if (isnew) {
		pair_set_first(s, key);
		s->a |= bit;
		return count_day(e, ev->ts);
	}
	rep = (s->a & bit) != 0;
	s->a |= bit;
	dup = rep && pair_first(s) == key >> 3;
	e->repeats += rep;
	if (!dup) {
		if ((j = kset_slot(&e->rows_seen, key)) < 0)
			return RS_ENOMEM;
		if (e->rows_seen.k[j] == EMPTY) {
			e->rows_seen.k[j] = key;
			e->rows_seen.n++;
		} else
			dup = rep;
	}
	e->exact_dups += dup;
	return count_day(e, ev->ts);
}

/* Number of space-separated tokens in the n bytes at s. */
static unsigned
count_tokens(const char *s, size_t n)
{
	unsigned k = 0;
	int in = 0;
	size_t j;

	for (j = 0; j < n; j++) {
		if (s[j] == ' ')
			in = 0;
		else if (!in) {
			in = 1;
			k++;
		}
	}
	return k;
}

/* Folds one property row in; RS_ENOMEM or RS_ECORRUPT (bad kind). */
static int
add_prop(struct rs_eda *e, const struct rs_prop *p)
{
	struct slot *s;
	double num;
	int isnew, rc;

	if (p->kind > RS_PROP_AVAILABLE)
		return RS_ECORRUPT;
	span(e, p->ts);
	if (p->ts != e->lastts || rs_idmap_size(e->snaps) == 0) {
		if (rs_idmap_intern(e->snaps, (uint64_t)p->ts) < 0)
			return RS_ENOMEM;
		e->lastts = p->ts;
	}
	if ((s = tab_get(&e->items, p->item, &isnew)) == NULL)
		return RS_ENOMEM;
	switch (p->kind) {
	case RS_PROP_NUMBER:
		e->nnum++;
		if (rs_idmap_intern(e->props, p->property) < 0)
			return RS_ENOMEM;
		if (count_tokens(p->value, p->vlen) > 1)
			e->multitok++;
		rc = rs_numtok_first(p->value, p->vlen, &num, NULL, NULL);
		if (rc > 0)
			e->numtok++;
		else if (rc < 0)
			e->badtok++;
		break;
	case RS_PROP_CATEGORYID:
		e->ncat++;
		break;
	default:
		e->navail++;
		s->b |= F_AVAIL;
		if (p->vlen == 1 && p->value[0] == '1')
			s->b |= F_AVAIL1;
		break;
	}
	return 0;
}

static int
add_tree(struct rs_eda *e, const unsigned char *recs, uint32_t nrec)
{
	uint32_t k;

	if (nrec > 0 && grow_array(&e->trows, &e->tcap,
	    e->ntrows + nrec - 1, sizeof(*e->trows)) < 0)
		return RS_ENOMEM;
	for (k = 0; k < nrec; k++)
		rs_tree_decode(recs + (size_t)k * RS_TREE_WIDTH,
		    &e->trows[e->ntrows++]);
	return 0;
}

int
rs_eda_add(struct rs_eda *e, const unsigned char *recs, size_t len,
    uint32_t nrec, struct rs_error *err)
{
	struct rs_event ev;
	struct rs_prop p;
	size_t off = 0, width = 0;
	uint32_t k;
	int rc = 0;

	if (e->kind == RS_KIND_EVENTS)
		width = RS_EVENT_WIDTH;
	else if (e->kind == RS_KIND_TREE)
		width = RS_TREE_WIDTH;
	if (width != 0 && len != (size_t)nrec * width)
		return rs_error_set(err, RS_ECORRUPT, "data analysis: block "
		    "of %zu bytes for %u '%s' records", len, nrec,
		    rs_kind_name(e->kind));
	switch (e->kind) {
	case RS_KIND_EVENTS:
		for (k = 0; k < nrec; k++) {
			rs_event_decode(recs + (size_t)k * RS_EVENT_WIDTH, &ev);
			if ((rc = add_event(e, &ev)) < 0)
				break;
			e->rows++;
		}
		break;
	case RS_KIND_PROPS:
		for (k = 0; k < nrec; k++) {
			if (len - off < RS_PROP_FIXED || len - off -
			    RS_PROP_FIXED < rs_get_le32(recs + off + 25))
				return rs_error_set(err, RS_ECORRUPT, "data "
				    "analysis: record %u runs past its block",
				    k + 1);
			off += rs_prop_decode(recs + off, &p);
			if ((rc = add_prop(e, &p)) < 0)
				break;
			e->rows++;
		}
		break;
	default:
		k = 0;
		if ((rc = add_tree(e, recs, nrec)) == 0)
			e->rows += nrec;
		break;
	}
	if (rc == RS_ENOMEM)
		return rs_error_set(err, rc, "data analysis: out of memory");
	if (rc < 0)
		return rs_error_set(err, rc, "data analysis: record %u: bad "
		    "'%s' record", k + 1, rs_kind_name(e->kind));
	if (e->kind == RS_KIND_PROPS && off != len)
		return rs_error_set(err, RS_ECORRUPT, "data analysis: %zu "
		    "bytes after the last record of a block", len - off);
	return 0;
}

/* Writes v with thousands separators ("1,234,567") into buf. */
static const char *
fmt_count(char *buf, size_t n, uint64_t v)
{
	char tmp[32];
	size_t len, i, o = 0;

	len = (size_t)snprintf(tmp, sizeof(tmp), "%llu",
	    (unsigned long long)v);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static void
label(struct rs_textout *out, const char *s)
{
	size_t n = strlen(s);

	rs_textout_str(out, s);
	do
		rs_textout_char(out, ' ');
	while (++n < LABEL_WIDTH);
}

static void
line_str(struct rs_textout *out, const char *l, const char *v)
{
	label(out, l);
	rs_textout_str(out, v);
	rs_textout_char(out, '\n');
}

static void
line_count(struct rs_textout *out, const char *l, uint64_t v)
{
	char buf[32];

	line_str(out, l, fmt_count(buf, sizeof(buf), v));
}

/* "69.9 % (3,495 of 5,000)"; "n/a (0 of 0)" for an empty whole. */
static void
line_share(struct rs_textout *out, const char *l, uint64_t a, uint64_t b)
{
	char buf[128], x[32], y[32];

	if (b == 0)
		snprintf(buf, sizeof(buf), "n/a (%s of 0)",
		    fmt_count(x, sizeof(x), a));
	else
		snprintf(buf, sizeof(buf), "%.1f %% (%s of %s)",
		    100.0 * (double)a / (double)b, fmt_count(x, sizeof(x), a),
		    fmt_count(y, sizeof(y), b));
	line_str(out, l, buf);
}

static void
line_time(struct rs_textout *out, const char *l, int64_t ms, int valid)
{
	char buf[32];

	line_str(out, l, valid ? rs_time_format(ms, buf, sizeof(buf)) : "-");
}

/*
 * Nearest-rank percentiles of events per visitor from a histogram:
 * the p-th is the smallest count c such that at least ceil(p * n / 100)
 * visitors have c events or fewer.
 */
static int
percentiles(const struct tab *vis, const unsigned *p, uint64_t *res,
    size_t np, uint64_t *max)
{
	uint64_t *hist, cum = 0, rank;
	uint32_t m = 0;
	size_t k, c, j = 0;

	for (k = 0; k <= vis->cap; k++)
		if (tab_used(vis, k) && vis->s[k].b > m)
			m = vis->s[k].b;
	*max = m;
	if ((hist = calloc((size_t)m + 1, sizeof(*hist))) == NULL)
		return RS_ENOMEM;
	for (k = 0; k <= vis->cap; k++)
		if (tab_used(vis, k))
			hist[vis->s[k].b]++;
	for (c = 0; c <= m && j < np; c++) {
		cum += hist[c];
		while (j < np) {
			rank = ((uint64_t)p[j] * vis->n + 99) / 100;
			if (rank < 1)
				rank = 1;
			if (cum < rank)
				break;
			res[j++] = c;
		}
	}
	while (j < np)
		res[j++] = m;
	free(hist);
	return 0;
}

static int
report_events(const struct rs_eda *e, struct rs_textout *out)
{
	static const unsigned pct[] = { 50, 90, 99 };
	uint64_t pv[3], max, single = 0, atcv = 0, atc1 = 0, one = 0;
	uint64_t dmin = UINT64_MAX, dmax = 0, range = 0;
	size_t nv = e->visitors.n, ni = e->items.n;
	size_t nd = rs_idmap_size(e->days), k;
	char buf[64];
	unsigned t;

	if (percentiles(&e->visitors, pct, pv, 3, &max) < 0)
		return RS_ENOMEM;
	for (k = 0; k <= e->visitors.cap; k++)
		single += tab_used(&e->visitors, k) &&
		    e->visitors.s[k].b == 1;
	for (k = 0; k < e->natc_cap; k++) {
		atcv += e->natc[k] > 0;
		atc1 += e->natc[k] == 1;
	}
	for (k = 0; k <= e->items.cap; k++)
		one += tab_used(&e->items, k) && e->items.s[k].b != MULTI;
	for (k = 0; k < nd; k++) {
		if (e->per_day[k] < dmin)
			dmin = e->per_day[k];
		if (e->per_day[k] > dmax)
			dmax = e->per_day[k];
	}
	if (e->rows > 0)
		range = (uint64_t)(day_of(e->tmax) - day_of(e->tmin)) + 1;
	line_str(out, "kind", "events");
	line_count(out, "rows", e->rows);
	for (t = 0; t < RS_EV_NTYPES; t++) {
		snprintf(buf, sizeof(buf), "  %s", rs_event_name(t));
		line_count(out, buf, e->per_type[t]);
	}
	line_count(out, "    without transactionid", e->txn_none);
	line_count(out, "visitors", nv);
	line_count(out, "items", ni);
	line_count(out, "visitor-item pairs", e->pairs.n);
	line_share(out, "repeated (visitor,item,event)", e->repeats, e->rows);
	line_count(out, "exact duplicate rows", e->exact_dups);
	line_share(out, "visitors with a single event", single, nv);
	line_count(out, "events per visitor p50", nv ? pv[0] : 0);
	line_count(out, "events per visitor p90", nv ? pv[1] : 0);
	line_count(out, "events per visitor p99", nv ? pv[2] : 0);
	line_count(out, "events per visitor max", max);
	line_count(out, "addtocart visitors", atcv);
	line_share(out, "  with a single addtocart", atc1, atcv);
	line_share(out, "items seen by one visitor only", one, ni);
	line_time(out, "first event", e->tmin, e->rows > 0);
	line_time(out, "last event", e->tmax, e->rows > 0);
	snprintf(buf, sizeof(buf), "%zu (of %llu in range)", nd,
	    (unsigned long long)range);
	line_str(out, "days with events", buf);
	if (nd > 0) {
		snprintf(buf, sizeof(buf), "%.1f", (double)e->rows /
		    (double)nd);
		line_str(out, "events per day mean", buf);
	} else
		line_str(out, "events per day mean", "-");
	line_count(out, "events per day min", nd ? dmin : 0);
	line_count(out, "events per day max", dmax);
	return 0;
}

static void
report_props(const struct rs_eda *e, struct rs_textout *out)
{
	uint64_t noavail = 0, never = 0, withavail = 0;
	size_t ni = e->items.n, k;

	for (k = 0; k <= e->items.cap; k++) {
		if (!tab_used(&e->items, k))
			continue;
		if (!(e->items.s[k].b & F_AVAIL))
			noavail++;
		else {
			withavail++;
			never += !(e->items.s[k].b & F_AVAIL1);
		}
	}
	line_str(out, "kind", "props");
	line_count(out, "rows", e->rows);
	line_count(out, "items", ni);
	line_count(out, "numeric properties",
	    rs_idmap_size(e->props));
	line_count(out, "numeric-property rows", e->nnum);
	line_count(out, "categoryid rows", e->ncat);
	line_count(out, "available rows", e->navail);
	line_count(out, "snapshots (distinct timestamps)",
	    rs_idmap_size(e->snaps));
	line_time(out, "first snapshot", e->tmin, e->rows > 0);
	line_time(out, "last snapshot", e->tmax, e->rows > 0);
	line_share(out, "items with no available row", noavail, ni);
	line_share(out, "items never available", never, withavail);
	line_share(out, "multi-token values", e->multitok, e->nnum);
	line_share(out, "values with a number token", e->numtok, e->nnum);
	line_count(out, "values with a bad number token", e->badtok);
}

static int
report_tree(const struct rs_eda *e, struct rs_textout *out,
    struct rs_error *err)
{
	struct rs_tree_report rep;
	struct rs_tree *t;
	int rc;

	if ((rc = rs_tree_build(&t, e->trows, e->ntrows, &rep, err)) < 0)
		return rc;
	rs_tree_free(t);
	line_str(out, "kind", "tree");
	line_count(out, "rows", rep.rows);
	line_count(out, "categories", rep.categories);
	line_count(out, "roots", rep.roots);
	line_count(out, "max depth (root = 0)", rep.max_depth);
	line_count(out, "duplicate rows (first wins)", rep.duplicates);
	line_count(out, "  with another parent", rep.conflicts);
	line_count(out, "orphans (made roots)", rep.orphans);
	line_count(out, "cycles (cut, made roots)", rep.cycles);
	line_count(out, "  categories on cycles", rep.on_cycles);
	return 0;
}

int
rs_eda_report(struct rs_eda *e, struct rs_textout *out,
    struct rs_error *err)
{
	int rc = 0;

	if (e->kind == RS_KIND_EVENTS)
		rc = report_events(e, out);
	else if (e->kind == RS_KIND_PROPS)
		report_props(e, out);
	else
		return report_tree(e, out, err);
	if (rc < 0)
		return rs_error_set(err, rc, "data analysis: out of memory");
	return 0;
}
