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
 *            order), b = events of the visitor in bits 0-28 (saturating)
 *            and the mask of its event types in bits 29-31 (the funnel);
 *            natc[v] = its addtocart events (a plain array: rare events).
 *          items: tab, key item id, a = dense index i, b = the first
 *            visitor's v, or MULTI once another visitor is seen;
 *            iev[i] = the item's events (saturating u32).
 *          pairs: tab, key v << 32 | i; a holds the mask of event types
 *            seen on the pair (bits 0-2), so repeated (visitor, item,
 *            event) rows are counted exactly, plus, with b, a 61-bit
 *            fingerprint of the pair's first row.
 *          rows_seen: set of 64-bit hashes of every row that is not the
 *            first of its pair.  A row can only be an exact duplicate if
 *            its triple repeats; it is one if it matches the pair's first
 *            row's fingerprint or is in rows_seen (eda.h: collision odds).
 *          days: idmap of day numbers (floor(ts / 1 day), UTC) -> per_day
 *            counts by event type, with the last day cached (logs are
 *            mostly in time order); per_hour: counts by UTC hour of day
 *            and event type.
 *          So an event costs three probes (visitor, item, pair), a fourth
 *          (rows_seen) when it is not the first row of its pair, plus an
 *          increment in iev (4 bytes per item: in cache on the full data).
 *  props   items: tab, key item id, b = F_AVAIL (has an available row) |
 *            F_AVAIL1 (one of them was "1"); numeric properties and
 *            snapshots (distinct timestamps): idmaps whose sizes are the
 *            answers; the last timestamp is cached.
 *  tree    the rows themselves (the tree is small); the report builds the
 *          tree with tree.c.
 *
 * Percentiles of events per visitor are exact: the report counts visitors
 * per event count (a histogram up to the largest count) and walks it.
 * The TSV form (rs_eda_report_tsv) prints the same figures unformatted,
 * then the series behind them: that histogram, the one of events per
 * item, the visitor funnel, events per day and per hour of day.
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
#define VCOUNT 0x1fffffffu	/* visitors' b: events, saturating */
#define VTYPES 29		/* visitors' b: event type mask from this bit */
#define MS_PER_HOUR 3600000

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
	struct tab visitors;	/* key id; a dense index; b events, types */
	struct tab pairs;	/* key v << 32 | i; a, b: see pair_* */
	struct kset rows_seen;	/* rows not first of their pair */
	uint32_t *natc;		/* addtocart events by visitor index */
	size_t natc_cap;
	uint32_t *iev;		/* events by item index */
	size_t iev_cap;
	struct rs_idmap *days;
	uint64_t (*per_day)[RS_EV_NTYPES];
	size_t dcap;
	uint64_t per_hour[24][RS_EV_NTYPES];
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
	free(e->iev);
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

/* Counts an event on its day and hour; the last day is cached. */
static int
count_day(struct rs_eda *e, int64_t ts, unsigned type)
{
	e->per_hour[(ts - day_of(ts) * RS_MS_PER_DAY) / MS_PER_HOUR][type]++;
	if (day_of(ts) != e->lastday || e->lastdix < 0) {
		e->lastday = day_of(ts);
		if ((e->lastdix = rs_idmap_intern(e->days,
		    (uint64_t)e->lastday)) < 0 ||
		    grow_array(&e->per_day, &e->dcap, (size_t)e->lastdix,
		    sizeof(*e->per_day)) < 0)
			return RS_ENOMEM;
	}
	e->per_day[e->lastdix][type]++;
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
	if ((s->b & VCOUNT) < VCOUNT)
		s->b++;
	s->b |= 1u << (VTYPES + ev->type);
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
	if (grow_array(&e->iev, &e->iev_cap, i, sizeof(*e->iev)) < 0)
		return RS_ENOMEM;
	if (e->iev[i] < UINT32_MAX)
		e->iev[i]++;

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
		return count_day(e, ev->ts, ev->type);
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
	return count_day(e, ev->ts, ev->type);
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

/*
 * Where the figures go: the aligned table (rs_eda_report), or the
 * "summary" rows of the TSV (rs_eda_report_tsv: section, key, series,
 * value, the series "-"), whose keys name the figures for programs.
 */
struct em {
	struct rs_textout *out;
	int tsv;
};

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
tsv_row(struct rs_textout *out, const char *section, const char *key,
    const char *series, const char *value)
{
	rs_textout_str(out, section);
	rs_textout_char(out, '\t');
	rs_textout_str(out, key);
	rs_textout_char(out, '\t');
	rs_textout_str(out, series);
	rs_textout_char(out, '\t');
	rs_textout_str(out, value);
	rs_textout_char(out, '\n');
}

static void
tsv_u64(struct rs_textout *out, const char *section, const char *key,
    const char *series, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	tsv_row(out, section, key, series, buf);
}

/* One figure: "label  v" in the table, "summary key - v" in the TSV. */
static void
put_str(const struct em *m, const char *l, const char *key, const char *v)
{
	if (m->tsv) {
		tsv_row(m->out, "summary", key, "-", v);
		return;
	}
	label(m->out, l);
	rs_textout_str(m->out, v);
	rs_textout_char(m->out, '\n');
}

static void
put_count(const struct em *m, const char *l, const char *key, uint64_t v)
{
	char buf[32];

	if (m->tsv)
		tsv_u64(m->out, "summary", key, "-", v);
	else
		put_str(m, l, key, fmt_count(buf, sizeof(buf), v));
}

/*
 * A part a of a whole b: "69.9 % (3,495 of 5,000)" in the table, "n/a
 * (0 of 0)" for an empty whole; a alone in the TSV, where the whole is a
 * figure of its own.
 */
static void
put_share(const struct em *m, const char *l, const char *key, uint64_t a,
    uint64_t b)
{
	char buf[128], x[32], y[32];

	if (m->tsv) {
		tsv_u64(m->out, "summary", key, "-", a);
		return;
	}
	if (b == 0)
		snprintf(buf, sizeof(buf), "n/a (%s of 0)",
		    fmt_count(x, sizeof(x), a));
	else
		snprintf(buf, sizeof(buf), "%.1f %% (%s of %s)",
		    100.0 * (double)a / (double)b, fmt_count(x, sizeof(x), a),
		    fmt_count(y, sizeof(y), b));
	put_str(m, l, key, buf);
}

static void
put_time(const struct em *m, const char *l, const char *key, int64_t ms,
    int valid)
{
	char buf[32];

	put_str(m, l, key, valid ? rs_time_format(ms, buf, sizeof(buf)) : "-");
}

/*
 * Visitors per event count: hist[c] for c = 0..*max, *max the largest
 * count (caller frees); NULL when out of memory.
 */
static uint64_t *
visitor_hist(const struct tab *vis, uint32_t *max)
{
	uint64_t *hist;
	uint32_t m = 0;
	size_t k;

	for (k = 0; k <= vis->cap; k++)
		if (tab_used(vis, k) && (vis->s[k].b & VCOUNT) > m)
			m = vis->s[k].b & VCOUNT;
	*max = m;
	if ((hist = calloc((size_t)m + 1, sizeof(*hist))) == NULL)
		return NULL;
	for (k = 0; k <= vis->cap; k++)
		if (tab_used(vis, k))
			hist[vis->s[k].b & VCOUNT]++;
	return hist;
}

/*
 * Nearest-rank percentiles of n visitors from their histogram (up to
 * m): the p-th is the smallest count c such that at least
 * ceil(p * n / 100) visitors have c events or fewer.
 */
static void
percentiles(const uint64_t *hist, uint32_t m, uint64_t n, const unsigned *p,
    uint64_t *res, size_t np)
{
	uint64_t cum = 0, rank;
	size_t c, j = 0;

	for (c = 0; c <= m && j < np; c++) {
		cum += hist[c];
		while (j < np) {
			rank = ((uint64_t)p[j] * n + 99) / 100;
			if (rank < 1)
				rank = 1;
			if (cum < rank)
				break;
			res[j++] = c;
		}
	}
	while (j < np)
		res[j++] = m;
}

static uint64_t
day_total(const uint64_t *t)
{
	uint64_t s = 0;
	unsigned k;

	for (k = 0; k < RS_EV_NTYPES; k++)
		s += t[k];
	return s;
}

struct dayix {
	int64_t day;
	size_t ix;
};

static int
cmp_day(const void *a, const void *b)
{
	const struct dayix *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

/*
 * The series of the TSV after the summary, each row "section key series
 * value": the funnel (all visitors; those with a view; of them those
 * with an addtocart; of these those with a transaction), events per day
 * (days with events, in order, one row per event type) and per UTC hour
 * of day, and how many visitors, and how many items, have each number
 * of events (counts that occur only).
 */
static int
series_events(const struct rs_eda *e, struct rs_textout *out,
    const uint64_t *vhist, uint32_t vmax)
{
	const uint64_t *ids = rs_idmap_ids(e->days);
	size_t nd = rs_idmap_size(e->days), ni = e->items.n, k;
	uint64_t f[4] = { 0, 0, 0, 0 }, *ihist;
	struct dayix *dx = NULL;
	uint32_t imax = 0, mask, c;
	char key[32], *tp;
	unsigned t;

	for (k = 0; k <= e->visitors.cap; k++) {
		if (!tab_used(&e->visitors, k))
			continue;
		mask = e->visitors.s[k].b >> VTYPES;
		f[0]++;
		if (!(mask & 1u << RS_EV_VIEW))
			continue;
		f[1]++;
		if (!(mask & 1u << RS_EV_ADDTOCART))
			continue;
		f[2]++;
		f[3] += mask >> RS_EV_TRANSACTION & 1;
	}
	tsv_u64(out, "funnel", "all", "visitors", f[0]);
	tsv_u64(out, "funnel", "view", "visitors", f[1]);
	tsv_u64(out, "funnel", "addtocart", "visitors", f[2]);
	tsv_u64(out, "funnel", "transaction", "visitors", f[3]);

	if (nd > 0 && (dx = malloc(nd * sizeof(*dx))) == NULL)
		return RS_ENOMEM;
	for (k = 0; k < nd; k++) {
		dx[k].day = (int64_t)ids[k];
		dx[k].ix = k;
	}
	if (nd > 0)
		qsort(dx, nd, sizeof(*dx), cmp_day);
	for (k = 0; k < nd; k++) {
		rs_time_format(dx[k].day * RS_MS_PER_DAY, key, sizeof(key));
		if ((tp = strchr(key, 'T')) != NULL)
			*tp = '\0';
		for (t = 0; t < RS_EV_NTYPES; t++)
			tsv_u64(out, "day", key, rs_event_name(t),
			    e->per_day[dx[k].ix][t]);
	}
	free(dx);
	for (c = 0; c < 24; c++) {
		snprintf(key, sizeof(key), "%02u", c);
		for (t = 0; t < RS_EV_NTYPES; t++)
			tsv_u64(out, "hour", key, rs_event_name(t),
			    e->per_hour[c][t]);
	}

	for (c = 0; c <= vmax; c++) {
		if (vhist[c] == 0)
			continue;
		snprintf(key, sizeof(key), "%u", c);
		tsv_u64(out, "visitor_events", key, "visitors", vhist[c]);
	}
	for (k = 0; k < ni; k++)
		if (e->iev[k] > imax)
			imax = e->iev[k];
	if ((ihist = calloc((size_t)imax + 1, sizeof(*ihist))) == NULL)
		return RS_ENOMEM;
	for (k = 0; k < ni; k++)
		ihist[e->iev[k]]++;
	for (c = 0; c <= imax; c++) {
		if (ihist[c] == 0)
			continue;
		snprintf(key, sizeof(key), "%u", c);
		tsv_u64(out, "item_events", key, "items", ihist[c]);
	}
	free(ihist);
	return 0;
}

static int
report_events(const struct rs_eda *e, const struct em *m)
{
	static const unsigned pct[] = { 50, 90, 99 };
	uint64_t pv[3], single, atcv = 0, atc1 = 0, one = 0;
	uint64_t dmin = UINT64_MAX, dmax = 0, range = 0, dsum, *hist;
	size_t nv = e->visitors.n, ni = e->items.n;
	size_t nd = rs_idmap_size(e->days), k;
	uint32_t max;
	char buf[64], key[64];
	unsigned t;
	int rc = 0;

	if ((hist = visitor_hist(&e->visitors, &max)) == NULL)
		return RS_ENOMEM;
	percentiles(hist, max, nv, pct, pv, 3);
	single = max >= 1 ? hist[1] : 0;
	for (k = 0; k < e->natc_cap; k++) {
		atcv += e->natc[k] > 0;
		atc1 += e->natc[k] == 1;
	}
	for (k = 0; k <= e->items.cap; k++)
		one += tab_used(&e->items, k) && e->items.s[k].b != MULTI;
	for (k = 0; k < nd; k++) {
		dsum = day_total(e->per_day[k]);
		if (dsum < dmin)
			dmin = dsum;
		if (dsum > dmax)
			dmax = dsum;
	}
	if (e->rows > 0)
		range = (uint64_t)(day_of(e->tmax) - day_of(e->tmin)) + 1;
	put_str(m, "kind", "kind", "events");
	put_count(m, "rows", "rows", e->rows);
	for (t = 0; t < RS_EV_NTYPES; t++) {
		snprintf(buf, sizeof(buf), "  %s", rs_event_name(t));
		snprintf(key, sizeof(key), "rows_%s", rs_event_name(t));
		put_count(m, buf, key, e->per_type[t]);
	}
	put_count(m, "    without transactionid", "transactions_without_id",
	    e->txn_none);
	put_count(m, "visitors", "visitors", nv);
	put_count(m, "items", "items", ni);
	put_count(m, "visitor-item pairs", "visitor_item_pairs", e->pairs.n);
	put_share(m, "repeated (visitor,item,event)", "repeated_rows",
	    e->repeats, e->rows);
	put_count(m, "exact duplicate rows", "exact_duplicate_rows",
	    e->exact_dups);
	put_share(m, "visitors with a single event", "single_event_visitors",
	    single, nv);
	put_count(m, "events per visitor p50", "events_per_visitor_p50",
	    nv ? pv[0] : 0);
	put_count(m, "events per visitor p90", "events_per_visitor_p90",
	    nv ? pv[1] : 0);
	put_count(m, "events per visitor p99", "events_per_visitor_p99",
	    nv ? pv[2] : 0);
	put_count(m, "events per visitor max", "events_per_visitor_max", max);
	put_count(m, "addtocart visitors", "addtocart_visitors", atcv);
	put_share(m, "  with a single addtocart", "single_addtocart_visitors",
	    atc1, atcv);
	put_share(m, "items seen by one visitor only", "single_visitor_items",
	    one, ni);
	put_time(m, "first event", "first_event", e->tmin, e->rows > 0);
	put_time(m, "last event", "last_event", e->tmax, e->rows > 0);
	if (m->tsv) {
		put_count(m, NULL, "days_with_events", nd);
		put_count(m, NULL, "days_in_range", range);
	} else {
		snprintf(buf, sizeof(buf), "%zu (of %llu in range)", nd,
		    (unsigned long long)range);
		put_str(m, "days with events", NULL, buf);
		if (nd > 0)
			snprintf(buf, sizeof(buf), "%.1f", (double)e->rows /
			    (double)nd);
		put_str(m, "events per day mean", NULL, nd > 0 ? buf : "-");
	}
	put_count(m, "events per day min", "events_per_day_min",
	    nd ? dmin : 0);
	put_count(m, "events per day max", "events_per_day_max", dmax);
	if (m->tsv)
		rc = series_events(e, m->out, hist, max);
	free(hist);
	return rc;
}

static void
report_props(const struct rs_eda *e, const struct em *m)
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
	put_str(m, "kind", "kind", "props");
	put_count(m, "rows", "rows", e->rows);
	put_count(m, "items", "items", ni);
	put_count(m, "numeric properties", "numeric_properties",
	    rs_idmap_size(e->props));
	put_count(m, "numeric-property rows", "numeric_property_rows",
	    e->nnum);
	put_count(m, "categoryid rows", "categoryid_rows", e->ncat);
	put_count(m, "available rows", "available_rows", e->navail);
	put_count(m, "snapshots (distinct timestamps)", "snapshots",
	    rs_idmap_size(e->snaps));
	put_time(m, "first snapshot", "first_snapshot", e->tmin, e->rows > 0);
	put_time(m, "last snapshot", "last_snapshot", e->tmax, e->rows > 0);
	put_share(m, "items with no available row", "items_without_available",
	    noavail, ni);
	if (m->tsv)
		put_count(m, NULL, "items_with_available", withavail);
	put_share(m, "items never available", "items_never_available", never,
	    withavail);
	put_share(m, "multi-token values", "multi_token_values", e->multitok,
	    e->nnum);
	put_share(m, "values with a number token", "number_token_values",
	    e->numtok, e->nnum);
	put_count(m, "values with a bad number token",
	    "bad_number_token_values", e->badtok);
}

static int
report_tree(const struct rs_eda *e, const struct em *m,
    struct rs_error *err)
{
	struct rs_tree_report rep;
	struct rs_tree *t;
	int rc;

	if ((rc = rs_tree_build(&t, e->trows, e->ntrows, &rep, err)) < 0)
		return rc;
	rs_tree_free(t);
	put_str(m, "kind", "kind", "tree");
	put_count(m, "rows", "rows", rep.rows);
	put_count(m, "categories", "categories", rep.categories);
	put_count(m, "roots", "roots", rep.roots);
	put_count(m, "max depth (root = 0)", "max_depth", rep.max_depth);
	put_count(m, "duplicate rows (first wins)", "duplicate_rows",
	    rep.duplicates);
	put_count(m, "  with another parent", "conflicting_rows",
	    rep.conflicts);
	put_count(m, "orphans (made roots)", "orphans", rep.orphans);
	put_count(m, "cycles (cut, made roots)", "cycles", rep.cycles);
	put_count(m, "  categories on cycles", "categories_on_cycles",
	    rep.on_cycles);
	return 0;
}

static int
report(struct rs_eda *e, struct rs_textout *out, int tsv,
    struct rs_error *err)
{
	struct em m;
	int rc = 0;

	m.out = out;
	m.tsv = tsv;
	if (tsv)
		tsv_row(out, "section", "key", "series", "value");
	if (e->kind == RS_KIND_EVENTS)
		rc = report_events(e, &m);
	else if (e->kind == RS_KIND_PROPS)
		report_props(e, &m);
	else
		return report_tree(e, &m, err);
	if (rc < 0)
		return rs_error_set(err, rc, "data analysis: out of memory");
	return 0;
}

int
rs_eda_report(struct rs_eda *e, struct rs_textout *out,
    struct rs_error *err)
{
	return report(e, out, 0, err);
}

int
rs_eda_report_tsv(struct rs_eda *e, struct rs_textout *out,
    struct rs_error *err)
{
	return report(e, out, 1, err);
}
