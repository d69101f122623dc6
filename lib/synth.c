/*
 * synth.c - the generative model behind rs-synth.  See synth.h.
 *
 * Sizes.  Scale s gives round(1,407,580 s) visitors and round(417,053 s)
 * items with properties, plus 2 % more items that appear in events only;
 * the category tree is always 1,669 nodes with 25 roots (its shape does
 * not depend on the scale, only on the seed).  Events span the 139 days
 * 2015-05-03 .. 2015-09-18 UTC; property rows sit on 19 weekly snapshots,
 * Sundays 03:00 UTC from 2015-05-10.
 *
 * Catalogue.  Items get a category (a non-root node; leaves weighted
 * higher; category weights log-normal; below scale 0.07 only the n/20
 * heaviest categories are used, so that a category keeps about 20 items)
 * and, inside it, a cluster of about 11 related items ("similar
 * products").  Popularity is hierarchical: category weight x cluster
 * weight x item weight, all log-normal, which gives a Zipf-like long tail
 * (at scale 1, 247,000 items have events; 92 % of the items of a
 * 5,000-visitor sample are seen by one of them, as in the real data).
 * About 22 % of items are never available; half of the others flip
 * between available and not along a weekly Markov chain (P(1->0) = 0.10,
 * P(0->1) = 0.35); 2 % change category once.
 *
 * Taste.  Visitors belong to one of a few hundred segments (latent
 * factors); a segment prefers six categories; a visitor picks one to three
 * personal clusters from them.  A session has a focus cluster: usually
 * one of the visitor's own, sometimes another of the segment's, rarely a
 * globally popular one.  Inside a session the visitor views items of the
 * focus cluster (so within-session co-occurrence is informative), re-views
 * items (repeat views), sometimes moves to a sibling cluster or to a
 * popular item.  16 % of visitors come back (gaps log-normal, median about
 * a week, long tail); a returning session often starts with an
 * item viewed before.  Session lengths are mostly one event with a heavy
 * log-normal tail, so 70 % of visitors have a single event.
 *
 * Carts and purchases.  Per visitor a buying propensity; a session with
 * more views is likelier to end in a cart.  An add-to-cart is drawn, 66 %
 * of the time, on an item viewed in the session (usually the last one),
 * seconds to minutes after that view; otherwise on a new item
 * (discovery), sometimes before any view: of the focus cluster, or, a
 * third of the time, outside the focus category (a sibling category, one
 * of the segment's, or a popular item), so that about half of the
 * discovery carts of visitors with earlier events are in the category of
 * the last viewed item, as on real data (issue #14; it was 0.9 when all
 * were in the focus cluster).  An item unavailable at the cart's time, by
 * the snapshot rule of rs-replay -A (latest snapshot strictly before), is
 * never carted: a viewed one ends the cart (the visitor leaves), a new
 * one is redrawn, up to eight draws, then no cart; the buying
 * propensities make up for the carts given up.  A carted item is, mostly,
 * redrawn when already in the cart.  A third of carts end in a
 * transaction minutes to hours later that buys most carted items (each
 * once), sometimes with a viewed item never carted, all rows sharing the
 * timestamp and transactionid.
 *
 * Events file.  All events are sorted by time, transaction ids assigned
 * in that order, then a few rows are swapped with near neighbours (the
 * real file is only roughly time-ordered) and about 1 row in 6,000 is
 * written twice (the real file has ~460 exact duplicates).
 *
 * Properties.  Each category has a profile of 22-37 property ids, drawn
 * from a Zipf law over the 1,102 numeric property ids (so common ones are
 * everywhere and each category has its own set); each property has a type
 * (number "n123.000", hashed words, or a mix) and, for 15 %, is dynamic:
 * its value changes at some snapshots.  An item has about 87 % of its
 * category's profile plus a few random properties.  Rows: categoryid and
 * available at the first snapshot and at each change; dynamic properties
 * at the first snapshot and at each change; static ones once, at a random
 * snapshot.  Items are processed in chunks of 1,024 in order of external
 * id; each chunk's rows are shuffled and split at random between part 1
 * (54 %) and part 2, as in the real files.
 *
 * Data layout.  struct model holds the catalogue as arrays indexed by a
 * dense item index: items are grouped by category, then by cluster, so a
 * cluster is the index range cl_start[k] .. cl_start[k + 1] and a
 * category the cluster range cat_cl[c] .. cat_cl[c + 1]; it_cum (per
 * cluster) and cl_cum (per category) hold running weight sums for
 * binary-search draws.  External ids (itemid[], vid[]) are random
 * permutations of dense ranges and appear only in the output.  Events are
 * one array of struct ev (time, dense visitor, dense item, type,
 * transaction id), 24 bytes each.
 *
 * Invariants.  Every visitor has at least one event (the first session
 * starts inside the window with a view); rows of one transaction share
 * timestamp, visitor and transactionid, and an item appears once in it;
 * property timestamps are snapshot times; every item with properties has
 * categoryid and available rows at the first snapshot.
 *
 * Threads.  With more than one thread, the events are made on their own
 * thread while workers make the property chunks, a batch of 16 chunks
 * ahead of the batch being written (two sets of chunk buffers); the
 * caller's write function only ever runs on the calling thread.
 *
 * Determinism.  Random streams: tree, catalogue, each category (profile),
 * each visitor, each item chunk, and the output pass all have their own
 * rs_rng stream of the seed, so threads change nothing.  Floating point
 * goes through libm (exp, log, cos): the bytes are stable on a given
 * platform, not promised across libm implementations.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "synth.h"
#include "banned.h"

#define T0_MS		1430611200000LL	/* 2015-05-03 00:00 UTC */
#define DAY_MS		86400000LL
#define NDAYS		139
#define T_END_MS	(T0_MS + NDAYS * DAY_MS)
#define SNAP0_MS	1431226800000LL	/* 2015-05-10 03:00 UTC */
#define WEEK_MS		(7 * DAY_MS)
#define NSNAP		19

#define NCAT		1669
#define NROOT		25
#define NCATID		1699		/* category ids are < this */
#define NPROP		1102		/* numeric property ids */
#define NPROPID		1150
#define PROF_MAX	40
#define SEG_CATS	6
#define HIST_MAX	32
#define SESS_MAX	64
#define CHUNK_ITEMS	1024
#define BATCH_CHUNKS	16
#define FLUSH_AT	(1u << 20)

/* Random stream numbers (rs_rng_seed2); per-object streams add an index. */
#define S_TREE		1ULL
#define S_CATALOG	2ULL
#define S_OUTPUT	3ULL
#define S_CATEGORY	(1ULL << 32)
#define S_VISITOR	(2ULL << 32)
#define S_CHUNK		(3ULL << 32)

/* Events per day, in % of the mean (real events.csv, 2015-05-03 on). */
static const unsigned char daily[NDAYS] = {
	28, 89, 106, 118, 118, 111, 88, 53, 73, 92, 115, 124, 116, 108, 102,
	116, 136, 128, 111, 106, 97, 84, 93, 127, 103, 111, 110, 94, 78, 92,
	122, 116, 120, 114, 96, 81, 87, 116, 118, 119, 96, 75, 56, 88, 120,
	127, 119, 113, 93, 76, 92, 119, 120, 104, 103, 91, 81, 97, 118, 105,
	106, 107, 96, 79, 88, 124, 120, 128, 127, 113, 109, 109, 131, 136,
	112, 106, 94, 80, 105, 125, 119, 107, 116, 121, 158, 163, 116, 113,
	114, 98, 91, 78, 81, 116, 100, 107, 98, 87, 65, 71, 97, 95, 102, 89,
	81, 67, 84, 109, 102, 101, 91, 87, 68, 77, 100, 97, 96, 101, 92, 74,
	89, 90, 89, 93, 92, 81, 73, 81, 105, 106, 111, 117, 92, 83, 91, 107,
	79, 54, 34
};

/* Events per UTC hour, in % of the mean (the real 5,000-visitor sample). */
static const unsigned char hourly[24] = {
	122, 127, 140, 134, 131, 104, 61, 42, 24, 15, 21, 25, 25, 47, 83, 116,
	138, 161, 152, 139, 154, 161, 150, 127
};

enum { EV_VIEW, EV_CART, EV_BUY };
static const char *const ev_name[3] = { "view", "addtocart", "transaction" };

enum { P_NUM, P_WORDS, P_MIXED };

#define F_NOPROPS	1
#define F_NEVER		2

/* A growable output buffer; oom is sticky. */
struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

struct ev {
	int64_t ts;
	uint32_t vis;
	uint32_t item;
	uint32_t txid;
	uint8_t type;
};

struct model {
	uint64_t seed;
	/* Category tree: node k has external id catid[k], parent index. */
	uint32_t catid[NCAT];
	int32_t parent[NCAT];
	uint32_t corder[NCAT];		/* output order */
	/* Items, grouped by category then cluster (index order). */
	uint32_t nitems, nprop_items;
	uint64_t *itemid;
	uint32_t *icat, *icat2, *icl;
	uint8_t *cwk;			/* week of the category change, 0 = none */
	uint32_t *avail;		/* bit w: available at snapshot w */
	uint8_t *iflags;
	double *it_cum;			/* cumulative weight within cluster */
	uint32_t *porder;		/* items in order of external id */
	/* Clusters, grouped by category. */
	uint32_t ncl;
	uint32_t *cl_start;		/* ncl + 1 item offsets */
	double *cl_cum;			/* cumulative weight within category */
	uint32_t cat_cl[NCAT + 1];	/* cluster offsets per category */
	struct rs_alias *catpick;	/* over NCAT; empty ones weigh 0 */
	struct rs_alias *pop;		/* items by global popularity */
	/* Children with items of each node: kids[kid_start[p] ..]. */
	uint32_t kid_start[NCAT + 2];
	uint32_t kids[NCAT];
	/* Segments. */
	uint32_t nseg;
	uint32_t *seg_cat;		/* nseg * SEG_CATS */
	/* Properties: id, type, dynamic flag, numeric scale, vocabulary. */
	uint32_t propid[NPROP];
	uint8_t ptype[NPROP], pdyn[NPROP];
	double pscale[NPROP], lvocab[NPROP];	/* scale, log(vocabulary) */
	char snap[NSNAP][16];		/* "<snapshot ms>," */
	struct rs_alias *proppick;
	uint16_t prof[NCAT][PROF_MAX];
	uint8_t nprof[NCAT];
	/* Time. */
	struct rs_alias *day, *hour;
	/* Visitors and events. */
	uint32_t nvis;
	uint32_t *vid;			/* external visitor id per index */
	struct ev *ev;
	size_t nev, evcap;
	int oom;
};

/* ---- small helpers ---- */

static int
buf_reserve(struct buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= n)
		return 0;
	cap = b->cap ? b->cap : 1 << 16;
	while (cap - b->len < n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

/* Callers reserve room first; these only write. */
static inline void
put_u64(struct buf *b, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[19 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(b->p + b->len, tmp + 20 - n, (size_t)n);
	b->len += (size_t)n;
}

static inline void
put_str(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void
put_char(struct buf *b, char c)
{
	b->p[b->len++] = c;
}

static uint64_t
mix64(uint64_t x)
{
	return rs_splitmix64(&x);
}

static int
emit(rs_synth_write_fn wr, void *ctx, unsigned file, struct buf *b,
    struct rs_synth_stats *st, struct rs_error *err)
{
	int rc;

	if (b->len == 0)
		return 0;
	st->bytes[file] += b->len;
	rc = wr(ctx, file, b->p, b->len, err);
	b->len = 0;
	return rc;
}

static int
week_of(int64_t ts)
{
	int64_t w;

	if (ts < SNAP0_MS)
		return 0;
	w = (ts - SNAP0_MS) / WEEK_MS;
	return w >= NSNAP ? NSNAP - 1 : (int)w;
}

/*
 * Whether item is available at ts by the rule of rs-replay -A: the
 * latest snapshot strictly before ts (a cart at a snapshot's own
 * millisecond is judged by the week before).  Before the first snapshot
 * nothing is known to the tools; the generator uses the first week's
 * state, the stricter choice.
 */
static int
is_avail(const struct model *m, uint32_t item, int64_t ts)
{
	if (m->iflags[item] & F_NOPROPS)
		return 1;
	return (m->avail[item] >> week_of(ts - 1)) & 1;
}

/* Index of the first cum[lo..hi) above x (cum increasing). */
static uint32_t
search_cum(const double *cum, uint32_t lo, uint32_t hi, double x)
{
	while (lo + 1 < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (cum[mid - 1] > x)
			hi = mid;
		else
			lo = mid;
	}
	return lo;
}

static uint32_t
item_in(const struct model *m, struct rs_rng *r, uint32_t cl)
{
	uint32_t lo = m->cl_start[cl], hi = m->cl_start[cl + 1];

	return search_cum(m->it_cum, lo, hi,
	    rs_rng_double(r) * m->it_cum[hi - 1]);
}

static uint32_t
cluster_in(const struct model *m, struct rs_rng *r, uint32_t cat)
{
	uint32_t lo = m->cat_cl[cat], hi = m->cat_cl[cat + 1];

	return search_cum(m->cl_cum, lo, hi,
	    rs_rng_double(r) * m->cl_cum[hi - 1]);
}

/* ---- tree, catalogue, properties, segments ---- */

static void
build_tree(struct model *m)
{
	struct rs_rng r;
	uint32_t ids[NCATID], k;

	rs_rng_seed2(&r, m->seed, S_TREE);
	for (k = 0; k < NCATID; k++)
		ids[k] = k;
	rs_rng_shuffle_u32(&r, ids, NCATID);
	for (k = 0; k < NCAT; k++) {
		m->catid[k] = ids[k];
		/* A random recursive tree below 25 roots: depth about 4-6. */
		m->parent[k] = k < NROOT ? -1 : (int32_t)rs_rng_below(&r, k);
		m->corder[k] = k;
	}
	rs_rng_shuffle_u32(&r, m->corder, NCAT);
}

static int
cmp_double_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x > y ? -1 : x < y;
}

static int
build_catalog(struct model *m, double scale, struct rs_error *err)
{
	struct rs_rng r;
	double catw[NCAT], *iw = NULL, *clw = NULL, *popw = NULL, x;
	uint32_t cnt[NCAT + 1], *tmpcat = NULL, i, c, k, n, start, ncl;
	uint8_t haschild[NCAT];
	uint64_t span, id, *sid = NULL;
	int rc;

	rs_rng_seed2(&r, m->seed, S_CATALOG);
	m->nprop_items = (uint32_t)fmax(20.0, llround(417053.0 * scale));
	m->nitems = m->nprop_items + (uint32_t)llround(0.02 * m->nprop_items);
	n = m->nitems;
	m->itemid = malloc(n * sizeof(*m->itemid));
	m->icat = malloc(n * sizeof(*m->icat));
	m->icat2 = malloc(n * sizeof(*m->icat2));
	m->icl = malloc(n * sizeof(*m->icl));
	m->cwk = calloc(n, 1);
	m->avail = malloc(n * sizeof(*m->avail));
	m->iflags = calloc(n, 1);
	m->it_cum = malloc(n * sizeof(*m->it_cum));
	m->porder = malloc(n * sizeof(*m->porder));
	m->cl_start = malloc((n + 1) * sizeof(*m->cl_start));
	m->cl_cum = malloc(n * sizeof(*m->cl_cum));
	tmpcat = malloc(n * sizeof(*tmpcat));
	iw = malloc(n * sizeof(*iw));
	clw = malloc(n * sizeof(*clw));
	popw = malloc(n * sizeof(*popw));
	sid = malloc(n * sizeof(*sid));
	if (!m->itemid || !m->icat || !m->icat2 || !m->icl || !m->cwk ||
	    !m->avail || !m->iflags || !m->it_cum || !m->porder ||
	    !m->cl_start || !m->cl_cum || !tmpcat || !iw || !clw || !popw ||
	    !sid) {
		rc = rs_error_set(err, RS_ENOMEM, "synth: out of memory");
		goto out;
	}

	/* Category weights: non-roots only, leaves three times as likely. */
	memset(haschild, 0, sizeof(haschild));
	for (k = 0; k < NCAT; k++)
		if (m->parent[k] >= 0)
			haschild[m->parent[k]] = 1;
	for (k = 0; k < NCAT; k++)
		catw[k] = m->parent[k] < 0 ? 0.0 :
		    rs_rng_lognormal(&r, 0.0, 1.3) * (haschild[k] ? 1.0 : 3.0);
	/*
	 * Small catalogues use only the heaviest categories, about 20 items
	 * each at least on average, so that clusters keep their size.
	 */
	if (n / 20 < NCAT) {
		double sorted[NCAT], cut;

		memcpy(sorted, catw, sizeof(sorted));
		qsort(sorted, NCAT, sizeof(double), cmp_double_desc);
		cut = sorted[n / 20 > 0 ? n / 20 - 1 : 0];
		for (k = 0; k < NCAT; k++)
			if (catw[k] < cut)
				catw[k] = 0;
	}
	if ((rc = rs_alias_create(&m->catpick, catw, NCAT, err)) < 0)
		goto out;

	/* Each item's category; counting sort groups items by category. */
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++) {
		tmpcat[i] = (uint32_t)rs_alias_sample(m->catpick, &r);
		cnt[tmpcat[i] + 1]++;
	}
	for (k = 0; k < NCAT; k++)
		cnt[k + 1] += cnt[k];
	for (i = 0; i < n; i++)
		m->icat[cnt[tmpcat[i]]++] = tmpcat[i];
	/* cnt[k] is now the end of category k; items are grouped. */

	/* Clusters of 3 + Geometric(1/9) items, cut inside each category. */
	ncl = 0;
	for (c = 0, i = 0; c < NCAT; c++) {
		m->cat_cl[c] = ncl;
		while (i < cnt[c]) {
			k = 3 + (uint32_t)rs_rng_geometric(&r, 1.0 / 9);
			m->cl_start[ncl] = i;
			clw[ncl] = rs_rng_lognormal(&r, 0.0, 1.4);
			for (start = i; i < cnt[c] && i - start < k; i++)
				m->icl[i] = ncl;
			ncl++;
		}
	}
	m->cat_cl[NCAT] = ncl;
	m->cl_start[ncl] = n;
	m->ncl = ncl;

	/* Cumulative weights; popularity = P(cat) P(cluster|cat) P(item|cl). */
	for (c = 0; c < NCAT; c++) {
		x = 0;
		for (k = m->cat_cl[c]; k < m->cat_cl[c + 1]; k++)
			m->cl_cum[k] = (x += clw[k]);
		/* Empty categories are never drawn. */
		if (m->cat_cl[c] == m->cat_cl[c + 1])
			catw[c] = 0;
	}
	for (k = 0; k < ncl; k++) {
		x = 0;
		for (i = m->cl_start[k]; i < m->cl_start[k + 1]; i++) {
			iw[i] = rs_rng_lognormal(&r, 0.0, 1.0);
			m->it_cum[i] = (x += iw[i]);
		}
	}
	rs_alias_free(m->catpick);
	m->catpick = NULL;
	if ((rc = rs_alias_create(&m->catpick, catw, NCAT, err)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		c = m->icat[i];
		k = m->icl[i];
		popw[i] = catw[c] * clw[k] / m->cl_cum[m->cat_cl[c + 1] - 1] *
		    iw[i] / m->it_cum[m->cl_start[k + 1] - 1];
	}
	if ((rc = rs_alias_create(&m->pop, popw, n, err)) < 0)
		goto out;

	/*
	 * External ids: n distinct values below ~1.09 n (selection sampling
	 * gives them sorted), handed out in random order; porder lists the
	 * items by ascending external id.
	 */
	span = (uint64_t)n + n / 11 + 7;
	for (id = 0, k = 0; id < span && k < n; id++)
		if (rs_rng_below(&r, span - id) < n - k)
			sid[k++] = id;
	for (i = 0; i < n; i++)
		m->porder[i] = i;
	rs_rng_shuffle_u32(&r, m->porder, n);
	for (i = 0; i < n; i++)
		m->itemid[m->porder[i]] = sid[i];

	/* Flags, availability chains, category changes. */
	for (i = 0; i < n; i++) {
		uint32_t bits = 0, w, on;

		if (rs_rng_double(&r) < 0.02)
			m->iflags[i] |= F_NOPROPS;
		x = rs_rng_double(&r);
		if (x < 0.22) {
			m->iflags[i] |= F_NEVER;
		} else if (x < 0.61) {
			bits = (1u << NSNAP) - 1;
		} else {
			on = rs_rng_double(&r) < 0.75;
			for (w = 0; w < NSNAP; w++) {
				bits |= on << w;
				x = rs_rng_double(&r);
				on = on ? x >= 0.10 : x < 0.35;
			}
			if (bits == 0)
				bits = 1;
		}
		m->avail[i] = bits;
		m->icat2[i] = m->icat[i];
		if (rs_rng_double(&r) < 0.02) {
			m->cwk[i] = (uint8_t)(1 + rs_rng_below(&r, NSNAP - 1));
			m->icat2[i] = (uint32_t)rs_alias_sample(m->catpick, &r);
		}
	}
	/* The property-less items must not count as items with properties. */
	for (i = 0, k = 0; i < n; i++)
		k += !(m->iflags[i] & F_NOPROPS);
	m->nprop_items = k;
	rc = 0;
out:
	free(tmpcat);
	free(iw);
	free(clw);
	free(popw);
	free(sid);
	return rc;
}

static int
build_props(struct model *m, struct rs_error *err)
{
	struct rs_rng r;
	double w[NPROP];
	uint32_t ids[NPROPID], k, c, j, n;
	uint16_t p;
	int rc;

	rs_rng_seed2(&r, m->seed, S_CATALOG + 100);
	for (k = 0; k < NPROPID; k++)
		ids[k] = k;
	rs_rng_shuffle_u32(&r, ids, NPROPID);
	for (k = 0; k < NPROP; k++) {
		double x = rs_rng_double(&r);

		m->propid[k] = ids[k];
		m->ptype[k] = x < 0.30 ? P_NUM : x < 0.75 ? P_WORDS : P_MIXED;
		m->pdyn[k] = rs_rng_double(&r) < 0.15;
		m->pscale[k] = rs_rng_lognormal(&r, 4.0, 2.0);
		m->lvocab[k] = log(rs_rng_lognormal(&r, 5.0, 2.0) + 2);
		w[k] = 1.0 / (k + 3.0);
	}
	for (k = 0; k < NSNAP; k++) {
		struct buf b = { m->snap[k], 0, sizeof(m->snap[k]), 0 };

		put_u64(&b, (uint64_t)(SNAP0_MS + k * WEEK_MS));
		put_char(&b, ',');
	}
	/* The two most common ones: a dynamic price and a static word. */
	m->ptype[0] = P_NUM;
	m->pdyn[0] = 1;
	m->ptype[1] = P_WORDS;
	if ((rc = rs_alias_create(&m->proppick, w, NPROP, err)) < 0)
		return rc;
	for (c = 0; c < NCAT; c++) {
		rs_rng_seed2(&r, m->seed, S_CATEGORY + c);
		n = 22 + (uint32_t)rs_rng_below(&r, 16);
		m->nprof[c] = 0;
		for (k = 0; k < 6; k++)
			m->prof[c][m->nprof[c]++] = (uint16_t)k;
		while (m->nprof[c] < n) {
			p = (uint16_t)rs_alias_sample(m->proppick, &r);
			for (j = 0; j < m->nprof[c] && m->prof[c][j] != p; j++)
				;
			if (j == m->nprof[c])
				m->prof[c][m->nprof[c]++] = p;
		}
	}
	return 0;
}

/*
 * The children of every node that hold items, grouped by parent (roots
 * under the virtual parent NCAT), for drawing a sibling category.
 */
static void
build_kids(struct model *m)
{
	uint32_t k, p, pos[NCAT + 1];

	memset(m->kid_start, 0, sizeof(m->kid_start));
	for (k = 0; k < NCAT; k++)
		if (m->cat_cl[k] < m->cat_cl[k + 1]) {
			p = m->parent[k] < 0 ? NCAT : (uint32_t)m->parent[k];
			m->kid_start[p + 1]++;
		}
	for (p = 0; p <= NCAT; p++) {
		m->kid_start[p + 1] += m->kid_start[p];
		pos[p] = m->kid_start[p];
	}
	for (k = 0; k < NCAT; k++)
		if (m->cat_cl[k] < m->cat_cl[k + 1]) {
			p = m->parent[k] < 0 ? NCAT : (uint32_t)m->parent[k];
			m->kids[pos[p]++] = k;
		}
}

static int
build_segments(struct model *m, struct rs_error *err)
{
	struct rs_rng r;
	double w[NDAYS > 24 ? NDAYS : 24];
	uint32_t s, k;
	int rc;

	rs_rng_seed2(&r, m->seed, S_CATALOG + 200);
	m->nseg = m->nvis / 3000;
	if (m->nseg < 8)
		m->nseg = 8;
	if (m->nseg > 480)
		m->nseg = 480;
	if ((m->seg_cat = malloc(m->nseg * SEG_CATS * sizeof(uint32_t))) ==
	    NULL)
		return rs_error_set(err, RS_ENOMEM, "synth: out of memory");
	for (s = 0; s < m->nseg; s++)
		for (k = 0; k < SEG_CATS; k++)
			m->seg_cat[s * SEG_CATS + k] =
			    (uint32_t)rs_alias_sample(m->catpick, &r);
	for (k = 0; k < NDAYS; k++)
		w[k] = daily[k];
	if ((rc = rs_alias_create(&m->day, w, NDAYS, err)) < 0)
		return rc;
	for (k = 0; k < 24; k++)
		w[k] = hourly[k];
	return rs_alias_create(&m->hour, w, 24, err);
}

/* ---- visitors and events ---- */

struct vstate {
	uint32_t seg;
	uint32_t pcl[3];
	uint32_t npcl;
	uint32_t hist[HIST_MAX];	/* ring of items viewed earlier */
	uint32_t nhist;
	double bp;			/* buying propensity */
};

static void
add_ev(struct model *m, int64_t ts, uint32_t v, uint32_t item, int type)
{
	struct ev *e;

	if (ts < T0_MS || ts >= T_END_MS || m->oom)
		return;
	if (m->nev == m->evcap) {
		size_t cap = m->evcap ? m->evcap * 2 : 1 << 16;

		if ((e = realloc(m->ev, cap * sizeof(*e))) == NULL) {
			m->oom = 1;
			return;
		}
		m->ev = e;
		m->evcap = cap;
	}
	e = &m->ev[m->nev++];
	e->ts = ts;
	e->vis = v;
	e->item = item;
	e->txid = 0;
	e->type = (uint8_t)type;
}

static uint32_t
pick_focus(const struct model *m, struct rs_rng *r, const struct vstate *vs)
{
	double x = rs_rng_double(r);
	uint32_t c;

	if (x < 0.72)
		return vs->pcl[rs_rng_below(r, vs->npcl)];
	if (x < 0.90) {
		c = vs->seg * SEG_CATS + (uint32_t)rs_rng_below(r, SEG_CATS);
		return cluster_in(m, r, m->seg_cat[c]);
	}
	return m->icl[rs_alias_sample(m->pop, r)];
}

/*
 * The item of an add-to-cart on something not viewed in the session.
 * Mostly a new item of the focus cluster; with P_OFFCAT, one outside the
 * focus category, because on real data only about half of the discovery
 * add-to-carts are in the category of the visitor's last viewed item
 * (issue #14): an item of another of the segment's categories (the
 * visitor's wider taste), of a sibling category (same parent in the
 * tree: a related shelf), or a globally popular one.
 */
#define P_OFFCAT	0.33
static uint32_t
discovery_item(const struct model *m, struct rs_rng *r,
    const struct vstate *vs, uint32_t fc)
{
	uint32_t c, p, lo, hi, k;
	double x;

	if (rs_rng_double(r) >= P_OFFCAT)
		return item_in(m, r, fc);
	x = rs_rng_double(r);
	if (x < 0.35) {
		c = m->icat[m->cl_start[fc]];
		p = m->parent[c] < 0 ? NCAT : (uint32_t)m->parent[c];
		lo = m->kid_start[p];
		hi = m->kid_start[p + 1];
		if (hi - lo > 1) {
			/* A sibling other than c itself. */
			k = m->kids[lo + rs_rng_below(r, hi - lo - 1)];
			if (k == c)
				k = m->kids[hi - 1];
			return item_in(m, r, cluster_in(m, r, k));
		}
	}
	if (x < 0.80) {
		c = m->seg_cat[vs->seg * SEG_CATS +
		    rs_rng_below(r, SEG_CATS)];
		return item_in(m, r, cluster_in(m, r, c));
	}
	return (uint32_t)rs_alias_sample(m->pop, r);
}

static int64_t
event_gap(struct rs_rng *r)
{
	/* Median 50 seconds, long tail; at least a second. */
	return 1000 + (int64_t)rs_rng_lognormal(r, 10.8, 1.1);
}

static uint32_t
session_len(struct rs_rng *r)
{
	double x;

	if (rs_rng_double(r) < 0.83)
		return 1;
	x = 2 + floor(rs_rng_lognormal(r, -0.25, 1.45));
	return x > SESS_MAX ? SESS_MAX : (uint32_t)x;
}

/*
 * Draws per add-to-cart; an item unavailable at the cart's time (by the
 * snapshots) is never carted, so after this many draws without one that
 * is, the cart is not made.
 */
#define CART_TRIES	8
/*
 * Buying propensities of the 10 % keen and the other visitors; they
 * make up for the carts given up on out-of-stock items.
 */
#define BP_HIGH		0.71
#define BP_LOW		0.0315
/* Share of draws on an item viewed in the session. */
#define P_CART_VIEWED	0.66
/* Share of the other draws made before the session's first view. */
#define P_CART_BEFORE	0.28

static int64_t
session(struct model *m, struct rs_rng *r, struct vstate *vs, uint32_t v,
    int64_t t, int first)
{
	uint32_t sv[SESS_MAX], cart[8], L, j, k, ncart = 0, fc, item, bought;
	int64_t st[SESS_MAX], ts, tlast, t0 = t;
	double x;

	if (!first && vs->nhist > 0 && rs_rng_double(r) < 0.35) {
		k = vs->nhist < HIST_MAX ? vs->nhist : HIST_MAX;
		item = vs->hist[(vs->nhist - 1 - rs_rng_below(r,
		    k < 8 ? k : 8)) % HIST_MAX];
		fc = m->icl[item];
	} else {
		fc = pick_focus(m, r, vs);
		item = item_in(m, r, fc);
	}
	L = session_len(r);
	for (j = 0; j < L; j++) {
		if (j > 0) {
			x = rs_rng_double(r);
			if (x < 0.11) {
				k = j < 3 ? j : 3;
				item = sv[j - 1 - rs_rng_below(r, k)];
			} else if (x < 0.82) {
				item = item_in(m, r, fc);
			} else if (x < 0.93) {
				fc = cluster_in(m, r, m->icat[item]);
				item = item_in(m, r, fc);
			} else {
				if (vs->npcl > 1 && rs_rng_double(r) < 0.5) {
					fc = vs->pcl[rs_rng_below(r,
					    vs->npcl)];
					item = item_in(m, r, fc);
				} else {
					item = (uint32_t)rs_alias_sample(
					    m->pop, r);
					fc = m->icl[item];
				}
			}
			t += event_gap(r);
		}
		sv[j] = item;
		st[j] = t;
		add_ev(m, t, v, item, EV_VIEW);
	}
	tlast = t;

	/* Carts: likelier in longer sessions and for buying visitors. */
	if (rs_rng_double(r) < vs->bp * (1.0 - exp(-(double)L / 2.5))) {
		x = rs_rng_double(r);
		k = x < 0.78 ? 1 : x < 0.92 ? 2 : 3 + (uint32_t)rs_rng_below(r,
		    3);
		for (; k > 0; k--) {
			unsigned tries;
			int viewed = 0;

			for (tries = 0; tries < CART_TRIES; tries++) {
				viewed = rs_rng_double(r) < P_CART_VIEWED;
				if (viewed) {
					j = rs_rng_double(r) < 0.65 ? L - 1 :
					    (uint32_t)rs_rng_below(r, L);
					item = sv[j];
					ts = st[j] + 2000 + (int64_t)
					    rs_rng_lognormal(r, 10.3, 1.0);
				} else {
					item = discovery_item(m, r, vs, fc);
					if (rs_rng_double(r) < P_CART_BEFORE)
						ts = t0 - 1000 - (int64_t)
						    rs_rng_lognormal(r, 10.0,
						    0.8);
					else
						ts = st[rs_rng_below(r, L)] +
						    event_gap(r);
				}
				/* Mostly another item than those carted. */
				for (j = 0; j < ncart && cart[j] != item; j++)
					;
				if (!is_avail(m, item, ts)) {
					/* Out of stock: the visitor leaves. */
					if (viewed)
						break;
					continue;
				}
				if (j == ncart || rs_rng_double(r) < 0.2)
					break;
			}
			/* Never a cart the catalogue says cannot be made. */
			if (tries == CART_TRIES || !is_avail(m, item, ts))
				continue;
			add_ev(m, ts, v, item, EV_CART);
			if (ts > tlast)
				tlast = ts;
			if (ncart < 8)
				cart[ncart++] = item;
		}
		if (ncart > 0 && rs_rng_double(r) < 0.32) {
			ts = tlast + 30000 + (int64_t)rs_rng_lognormal(r, 14.0,
			    1.3);
			bought = 0;
			for (j = 0; j < ncart; j++) {
				/* An item carted twice is bought once. */
				for (k = 0; k < j && cart[k] != cart[j]; k++)
					;
				if (k < j)
					continue;
				if (rs_rng_double(r) < 0.85 ||
				    (j + 1 == ncart && bought == 0)) {
					add_ev(m, ts, v, cart[j], EV_BUY);
					bought++;
				}
			}
			/* A direct purchase of an item never carted. */
			if (rs_rng_double(r) < 0.22) {
				item = sv[rs_rng_below(r, L)];
				for (j = 0; j < ncart && cart[j] != item; j++)
					;
				if (j < ncart)
					item = item_in(m, r, fc);
				for (j = 0; j < ncart && cart[j] != item; j++)
					;
				if (j == ncart)
					add_ev(m, ts, v, item, EV_BUY);
			}
		}
	}
	for (j = 0; j < L; j++)
		vs->hist[vs->nhist++ % HIST_MAX] = sv[j];
	return tlast;
}

static void
visitor(struct model *m, uint32_t v)
{
	struct rs_rng r;
	struct vstate vs;
	uint32_t k, ns;
	int64_t t;

	rs_rng_seed2(&r, m->seed, S_VISITOR + v);
	memset(&vs, 0, sizeof(vs));
	vs.seg = (uint32_t)rs_rng_below(&r, m->nseg);
	vs.npcl = 1 + (uint32_t)rs_rng_below(&r, 3);
	for (k = 0; k < vs.npcl; k++)
		vs.pcl[k] = cluster_in(m, &r, m->seg_cat[vs.seg * SEG_CATS +
		    rs_rng_below(&r, SEG_CATS)]);
	vs.bp = rs_rng_double(&r) < 0.10 ? BP_HIGH : BP_LOW;
	ns = 1;
	if (rs_rng_double(&r) < 0.16)
		ns += 1 + (uint32_t)rs_rng_geometric(&r, 0.45);
	t = T0_MS + (int64_t)rs_alias_sample(m->day, &r) * DAY_MS +
	    (int64_t)rs_alias_sample(m->hour, &r) * 3600000 +
	    (int64_t)rs_rng_below(&r, 3600000);
	for (k = 0; k < ns && t < T_END_MS; k++) {
		t = session(m, &r, &vs, v, t, k == 0);
		t += 1800000 + (int64_t)rs_rng_lognormal(&r, 20.0, 1.7);
	}
}

static int
cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->vis != y->vis)
		return x->vis < y->vis ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

static int
build_visitors(struct model *m, double scale, struct rs_error *err)
{
	struct rs_rng r;
	uint32_t v;

	m->nvis = (uint32_t)fmax(10.0, llround(1407580.0 * scale));
	if ((m->vid = malloc(m->nvis * sizeof(*m->vid))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "synth: out of memory");
	rs_rng_seed2(&r, m->seed, S_OUTPUT);
	for (v = 0; v < m->nvis; v++)
		m->vid[v] = v;
	rs_rng_shuffle_u32(&r, m->vid, m->nvis);
	return 0;
}

static int
finish_events(struct model *m, struct rs_error *err)
{
	struct rs_rng r;
	uint32_t txid = 0;
	int64_t gts = -1;
	uint32_t gvis = 0;
	size_t i, j, lim;
	struct ev tmp;

	if (m->oom)
		return rs_error_set(err, RS_ENOMEM, "synth: out of memory");
	qsort(m->ev, m->nev, sizeof(*m->ev), cmp_ev);
	for (i = 0; i < m->nev; i++) {
		if (m->ev[i].type != EV_BUY)
			continue;
		if (m->ev[i].ts != gts || m->ev[i].vis != gvis) {
			gts = m->ev[i].ts;
			gvis = m->ev[i].vis;
			txid++;
		}
		m->ev[i].txid = txid - 1;
	}
	/* Roughly, not strictly, time-ordered. */
	rs_rng_seed2(&r, m->seed, S_OUTPUT + 1);
	for (i = 0; i < m->nev; i++) {
		if (rs_rng_double(&r) >= 0.03)
			continue;
		lim = m->nev - i < 256 ? m->nev - i : 256;
		j = i + (size_t)rs_rng_below(&r, lim);
		tmp = m->ev[i];
		m->ev[i] = m->ev[j];
		m->ev[j] = tmp;
	}
	return 0;
}

static int
write_events(const struct model *m, rs_synth_write_fn wr, void *ctx,
    struct rs_synth_stats *st, struct rs_error *err)
{
	struct buf b = { NULL, 0, 0, 0 };
	struct rs_rng r;
	const struct ev *e;
	size_t i;
	int rc = 0, copies;

	rs_rng_seed2(&r, m->seed, S_OUTPUT + 2);
	if (buf_reserve(&b, FLUSH_AT + 256) < 0)
		return rs_error_set(err, RS_ENOMEM, "synth: out of memory");
	put_str(&b, "timestamp,visitorid,event,itemid,transactionid\n");
	for (i = 0; i < m->nev && rc == 0; i++) {
		e = &m->ev[i];
		copies = 1 + (rs_rng_double(&r) < 1.7e-4);
		for (; copies > 0; copies--) {
			put_u64(&b, (uint64_t)e->ts);
			put_char(&b, ',');
			put_u64(&b, m->vid[e->vis]);
			put_char(&b, ',');
			put_str(&b, ev_name[e->type]);
			put_char(&b, ',');
			put_u64(&b, m->itemid[e->item]);
			put_char(&b, ',');
			if (e->type == EV_BUY)
				put_u64(&b, e->txid);
			put_char(&b, '\n');
			st->rows[RS_SYNTH_EVENTS]++;
			st->events[e->type]++;
		}
		if (b.len >= FLUSH_AT)
			rc = emit(wr, ctx, RS_SYNTH_EVENTS, &b, st, err);
	}
	if (rc == 0)
		rc = emit(wr, ctx, RS_SYNTH_EVENTS, &b, st, err);
	free(b.p);
	return rc;
}

/* ---- properties ---- */

/* A number token: "n" digits "." three digits. */
static void
put_num(struct buf *b, struct rs_rng *r, double scale)
{
	double x = scale * rs_rng_lognormal(r, 0.0, 0.8);
	uint64_t milli;

	if (x > 1e9)
		x = 1e9;
	if (rs_rng_double(r) < 0.75)
		milli = (uint64_t)llround(x) * 1000;
	else if (rs_rng_double(r) < 0.6)
		milli = (uint64_t)llround(x * 10) * 100;
	else
		milli = (uint64_t)llround(x * 1000);
	put_char(b, 'n');
	put_u64(b, milli / 1000);
	put_char(b, '.');
	put_char(b, (char)('0' + milli / 100 % 10));
	put_char(b, (char)('0' + milli / 10 % 10));
	put_char(b, (char)('0' + milli % 10));
}

/* A hashed word: Zipf-like rank within the property's vocabulary. */
static void
put_word(struct buf *b, struct rs_rng *r, const struct model *m, uint32_t p)
{
	uint64_t rank = (uint64_t)floor(exp(rs_rng_double(r) * m->lvocab[p]));

	put_u64(b, 1 + mix64(m->seed ^ ((uint64_t)p << 32 | rank)) %
	    1318000);
}

static void
put_value(struct buf *b, struct rs_rng *r, const struct model *m,
    uint32_t p)
{
	uint32_t k, n;

	switch (m->ptype[p]) {
	case P_NUM:
		put_num(b, r, m->pscale[p]);
		break;
	case P_WORDS:
		n = 1 + (uint32_t)rs_rng_geometric(r, 0.5);
		n = n > 6 ? 6 : n;
		for (k = 0; k < n; k++) {
			if (k)
				put_char(b, ' ');
			put_word(b, r, m, p);
		}
		break;
	default:
		n = 1 + (uint32_t)rs_rng_below(r, 3);
		for (k = 0; k < n; k++) {
			if (k)
				put_char(b, ' ');
			put_word(b, r, m, p);
			put_char(b, ' ');
			put_num(b, r, m->pscale[p]);
		}
		break;
	}
}

struct chunk {
	struct buf text, out[2];
	uint64_t *lines;		/* start << 16 | length, per line */
	size_t nlines, lcap;
	uint64_t rows[2];
	int oom;
	char id[24];			/* "<item id>," of the current item */
	size_t idlen;
};

static void
row_start(struct chunk *ck, const struct model *m, int w)
{
	uint64_t *p;

	if (buf_reserve(&ck->text, 512) < 0) {
		ck->oom = 1;
		return;
	}
	if (ck->nlines == ck->lcap) {
		size_t cap = ck->lcap ? ck->lcap * 2 : 4096;

		if ((p = realloc(ck->lines, cap * sizeof(*p))) == NULL) {
			ck->oom = 1;
			return;
		}
		ck->lines = p;
		ck->lcap = cap;
	}
	ck->lines[ck->nlines++] = (uint64_t)ck->text.len << 16;
	memcpy(ck->text.p + ck->text.len, m->snap[w], 14);
	memcpy(ck->text.p + ck->text.len + 14, ck->id, ck->idlen);
	ck->text.len += 14 + ck->idlen;
}

/* A row of property p in snapshot week w; ck->oom set on failure. */
static void
prop_row(struct chunk *ck, const struct model *m, struct rs_rng *r,
    uint32_t p, int w)
{
	struct buf *t = &ck->text;

	row_start(ck, m, w);
	if (ck->oom)
		return;
	put_u64(t, m->propid[p]);
	put_char(t, ',');
	put_value(t, r, m, p);
	put_char(t, '\n');
}

static void
item_props(const struct model *m, struct chunk *ck, struct rs_rng *r,
    uint32_t i)
{
	const uint32_t c = m->icat[i];
	uint16_t have[PROF_MAX + 8];
	uint32_t nh = 0, k, j, w, p, extra;
	struct buf *t = &ck->text, idb = { ck->id, 0, sizeof(ck->id), 0 };

	put_u64(&idb, m->itemid[i]);
	put_char(&idb, ',');
	ck->idlen = idb.len;
	row_start(ck, m, 0);
	if (ck->oom)
		return;
	put_str(t, "categoryid,");
	put_u64(t, m->catid[c]);
	put_char(t, '\n');
	if (m->cwk[i]) {
		row_start(ck, m, m->cwk[i]);
		if (ck->oom)
			return;
		put_str(t, "categoryid,");
		put_u64(t, m->catid[m->icat2[i]]);
		put_char(t, '\n');
	}
	for (w = 0; w < NSNAP; w++) {
		if (w > 0 && ((m->avail[i] >> w) & 1) ==
		    ((m->avail[i] >> (w - 1)) & 1))
			continue;
		row_start(ck, m, (int)w);
		if (ck->oom)
			return;
		put_str(t, (m->avail[i] >> w) & 1 ? "available,1\n" :
		    "available,0\n");
	}
	for (k = 0; k < m->nprof[c]; k++)
		if (rs_rng_double(r) < 0.87)
			have[nh++] = m->prof[c][k];
	extra = 1 + (uint32_t)rs_rng_below(r, 4);
	for (; extra > 0; extra--) {
		p = (uint32_t)rs_alias_sample(m->proppick, r);
		for (j = 0; j < nh && have[j] != p; j++)
			;
		if (j == nh)
			have[nh++] = (uint16_t)p;
	}
	for (k = 0; k < nh; k++) {
		p = have[k];
		if (!m->pdyn[p]) {
			prop_row(ck, m, r, p, (int)rs_rng_below(r, NSNAP));
			if (ck->oom)
				return;
			continue;
		}
		for (w = 0; w < NSNAP; w++) {
			if (w > 0 && rs_rng_double(r) >= 0.25)
				continue;
			prop_row(ck, m, r, p, (int)w);
			if (ck->oom)
				return;
		}
	}
}

/*
 * Generates chunk number ci into ck: rows shuffled, split in two parts.
 * Lines are recorded as start << 16 | length (a line is < 512 bytes).
 */
static void
gen_chunk(const struct model *m, struct chunk *ck, uint32_t ci)
{
	struct rs_rng r;
	uint32_t k, i, lo = ci * CHUNK_ITEMS, hi;
	uint64_t tmp;
	size_t a, start, len, next;
	int part;

	hi = lo + CHUNK_ITEMS < m->nitems ? lo + CHUNK_ITEMS : m->nitems;
	ck->text.len = ck->out[0].len = ck->out[1].len = 0;
	ck->nlines = 0;
	ck->rows[0] = ck->rows[1] = 0;
	rs_rng_seed2(&r, m->seed, S_CHUNK + ci);
	for (k = lo; k < hi && !ck->oom; k++) {
		i = m->porder[k];
		if (!(m->iflags[i] & F_NOPROPS))
			item_props(m, ck, &r, i);
	}
	if (ck->oom)
		return;
	for (a = 0; a < ck->nlines; a++) {
		next = a + 1 < ck->nlines ? ck->lines[a + 1] >> 16 :
		    ck->text.len;
		ck->lines[a] |= next - (ck->lines[a] >> 16);
	}
	for (a = ck->nlines; a > 1; a--) {
		i = (uint32_t)rs_rng_below(&r, a);
		tmp = ck->lines[a - 1];
		ck->lines[a - 1] = ck->lines[i];
		ck->lines[i] = tmp;
	}
	if (buf_reserve(&ck->out[0], ck->text.len) < 0 ||
	    buf_reserve(&ck->out[1], ck->text.len) < 0) {
		ck->oom = 1;
		return;
	}
	for (a = 0; a < ck->nlines; a++) {
		start = ck->lines[a] >> 16;
		len = ck->lines[a] & 0xffff;
		part = rs_rng_double(&r) >= 0.54;
		memcpy(ck->out[part].p + ck->out[part].len, ck->text.p + start,
		    len);
		ck->out[part].len += len;
		ck->rows[part]++;
	}
}

struct worker {
	const struct model *m;
	struct chunk *slots;
	uint32_t first, nchunks, self, nthreads;
	pthread_t tid;
	int started;
};

static void *
work(void *arg)
{
	const struct worker *w = arg;
	uint32_t k;

	for (k = w->self; k < w->nchunks; k += w->nthreads)
		gen_chunk(w->m, &w->slots[k], w->first + k);
	return NULL;
}

/*
 * Starts nt workers on chunks [first, first + n) into slots; a worker
 * whose thread cannot start runs in this thread when joined.
 */
static void
batch_start(struct worker *wk, unsigned nt, const struct model *m,
    struct chunk *slots, uint32_t first, uint32_t n, int use_threads)
{
	unsigned k;

	for (k = 0; k < nt; k++) {
		wk[k].m = m;
		wk[k].slots = slots;
		wk[k].first = first;
		wk[k].nchunks = n;
		wk[k].self = k;
		wk[k].nthreads = nt;
		wk[k].started = use_threads &&
		    pthread_create(&wk[k].tid, NULL, work, &wk[k]) == 0;
	}
}

static void
batch_join(struct worker *wk, unsigned nt)
{
	unsigned k;

	for (k = 0; k < nt; k++)
		if (wk[k].started)
			pthread_join(wk[k].tid, NULL);
		else
			work(&wk[k]);
}

/*
 * The property files, in batches of BATCH_CHUNKS chunks.  With threads,
 * the workers make batch b + 1 while this thread writes batch b (two
 * sets of slots); chunks are written in chunk order either way.
 */
static int
write_props(const struct model *m, unsigned threads, rs_synth_write_fn wr,
    void *ctx, struct rs_synth_stats *st, struct rs_error *err)
{
	static const char hdr[] = "timestamp,itemid,property,value\n";
	struct chunk (*slots)[BATCH_CHUNKS];
	struct worker wk[2][BATCH_CHUNKS];
	uint32_t nchunks, first, n, next, k, cur = 0;
	struct buf h = { NULL, 0, 0, 0 };
	unsigned nt;
	int rc = 0, part, thr = threads > 1;

	nt = threads <= 1 ? 1 : threads > BATCH_CHUNKS ? BATCH_CHUNKS :
	    threads;
	if ((slots = calloc(2, sizeof(*slots))) == NULL ||
	    buf_reserve(&h, sizeof(hdr)) < 0) {
		free(slots);
		return rs_error_set(err, RS_ENOMEM, "synth: out of memory");
	}
	for (part = 0; part < 2 && rc == 0; part++) {
		put_str(&h, hdr);
		rc = emit(wr, ctx, RS_SYNTH_PROPS1 + (unsigned)part, &h, st,
		    err);
	}
	free(h.p);
	nchunks = (m->nitems + CHUNK_ITEMS - 1) / CHUNK_ITEMS;
	n = nchunks < BATCH_CHUNKS ? nchunks : BATCH_CHUNKS;
	batch_start(wk[0], nt, m, slots[0], 0, n, thr);
	for (first = 0; first < nchunks; first = next) {
		batch_join(wk[cur], nt);
		next = first + n;
		if (next < nchunks && rc == 0) {
			n = nchunks - next < BATCH_CHUNKS ? nchunks - next :
			    BATCH_CHUNKS;
			batch_start(wk[!cur], nt, m, slots[!cur], next, n, thr);
		} else {
			next = nchunks;
		}
		for (k = 0; k < wk[cur][0].nchunks && rc == 0; k++) {
			const struct chunk *ck = &slots[cur][k];

			if (ck->oom) {
				rc = rs_error_set(err, RS_ENOMEM,
				    "synth: out of memory");
				break;
			}
			for (part = 0; part < 2 && rc == 0; part++) {
				st->rows[RS_SYNTH_PROPS1 + part] +=
				    ck->rows[part];
				rc = emit(wr, ctx, RS_SYNTH_PROPS1 +
				    (unsigned)part, &slots[cur][k].out[part],
				    st, err);
			}
		}
		cur = !cur;
	}
	for (cur = 0; cur < 2; cur++)
		for (k = 0; k < BATCH_CHUNKS; k++) {
			free(slots[cur][k].text.p);
			free(slots[cur][k].out[0].p);
			free(slots[cur][k].out[1].p);
			free(slots[cur][k].lines);
		}
	free(slots);
	return rc;
}

static int
write_tree(const struct model *m, rs_synth_write_fn wr, void *ctx,
    struct rs_synth_stats *st, struct rs_error *err)
{
	struct buf b = { NULL, 0, 0, 0 };
	uint32_t k, c;
	int rc;

	if (buf_reserve(&b, 64 + NCAT * 24) < 0)
		return rs_error_set(err, RS_ENOMEM, "synth: out of memory");
	put_str(&b, "categoryid,parentid\n");
	for (k = 0; k < NCAT; k++) {
		c = m->corder[k];
		put_u64(&b, m->catid[c]);
		put_char(&b, ',');
		if (m->parent[c] >= 0)
			put_u64(&b, m->catid[m->parent[c]]);
		put_char(&b, '\n');
	}
	st->rows[RS_SYNTH_TREE] = NCAT;
	rc = emit(wr, ctx, RS_SYNTH_TREE, &b, st, err);
	free(b.p);
	return rc;
}

/* ---- public ---- */

void
rs_synth_params_init(struct rs_synth_params *p)
{
	p->scale = 0.01;
	p->seed = 1;
	p->threads = 1;
}

const char *
rs_synth_file_name(unsigned file)
{
	static const char *const names[RS_SYNTH_NFILES] = {
		"events.csv", "item_properties_part1.csv",
		"item_properties_part2.csv", "category_tree.csv"
	};

	return file < RS_SYNTH_NFILES ? names[file] : NULL;
}

static void
model_free(struct model *m)
{
	free(m->itemid);
	free(m->icat);
	free(m->icat2);
	free(m->icl);
	free(m->cwk);
	free(m->avail);
	free(m->iflags);
	free(m->it_cum);
	free(m->porder);
	free(m->cl_start);
	free(m->cl_cum);
	free(m->seg_cat);
	free(m->vid);
	free(m->ev);
	rs_alias_free(m->catpick);
	rs_alias_free(m->pop);
	rs_alias_free(m->proppick);
	rs_alias_free(m->day);
	rs_alias_free(m->hour);
	free(m);
}

struct evjob {
	struct model *m;
	struct rs_error err;
	int rc;
};

/* Every visitor's events, then sorting; reads only the catalogue. */
static void *
events_job(void *arg)
{
	struct evjob *j = arg;
	uint32_t v;

	for (v = 0; v < j->m->nvis && !j->m->oom; v++)
		visitor(j->m, v);
	j->rc = finish_events(j->m, &j->err);
	return NULL;
}

/*
 * With threads, the events are made on their own thread while the
 * property files are written; the events file is written after them.
 */
int
rs_synth_run(const struct rs_synth_params *p, rs_synth_write_fn wr,
    void *ctx, struct rs_synth_stats *stats, struct rs_error *err)
{
	struct rs_synth_stats st;
	struct evjob job;
	struct model *m;
	pthread_t tid;
	int rc, started = 0;

	if (!(p->scale >= RS_SYNTH_SCALE_MIN && p->scale <= RS_SYNTH_SCALE_MAX))
		return rs_error_set(err, RS_EARG, "scale %g out of range "
		    "[%g, %g]", p->scale, RS_SYNTH_SCALE_MIN,
		    RS_SYNTH_SCALE_MAX);
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "synth: out of memory");
	memset(&st, 0, sizeof(st));
	m->seed = p->seed;
	build_tree(m);
	if ((rc = build_catalog(m, p->scale, err)) < 0)
		goto out;
	build_kids(m);
	if ((rc = build_props(m, err)) < 0 ||
	    (rc = build_visitors(m, p->scale, err)) < 0 ||
	    (rc = build_segments(m, err)) < 0)
		goto out;
	job.m = m;
	job.rc = 0;
	rs_error_clear(&job.err);
	if (p->threads > 1)
		started = pthread_create(&tid, NULL, events_job, &job) == 0;
	if (!started)
		events_job(&job);
	rc = write_tree(m, wr, ctx, &st, err);
	if (rc == 0)
		rc = write_props(m, p->threads, wr, ctx, &st, err);
	if (started)
		pthread_join(tid, NULL);
	if (rc < 0)
		goto out;
	if ((rc = job.rc) < 0) {
		if (err != NULL)
			*err = job.err;
		goto out;
	}
	if ((rc = write_events(m, wr, ctx, &st, err)) < 0)
		goto out;
	st.visitors = m->nvis;
	st.items = m->nitems;
	st.prop_items = m->nprop_items;
	if (stats != NULL)
		*stats = st;
	rc = 0;
out:
	model_free(m);
	return rc;
}
