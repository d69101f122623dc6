/*
 * replay.c - the replay protocol over the answering engine (definitions
 * in replay.h; the sources, filters and blend are engine.c's).
 *
 * Data layout:
 *   engine    e: every item gets its dense index g there; the history's
 *             items are interned first, so g < nhist are history items.
 *   history   events sorted by (visitor, time, input order): vis[] the
 *             distinct visitors ascending, voff[nvis + 1] their runs in
 *             ts[] / item[] (g) / type[].
 *   requests  q[] with vb[i], ve[i] (visible range in the history) and
 *             disc[i]; causal popular lists cpop[i * cpl ...], cpn[i],
 *             and with categories the category source's lists made from
 *             the same counts, ccat[i * ccl ...], ccn[i].
 * A request is answered by handing the engine its visitor, time, visible
 * events (a slice of item[] / type[]) and causal popular list.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "metrics.h"
#include "replay.h"
#include "rstime.h"
#include "banned.h"

struct rs_replay {
	struct rs_replay_params p;
	struct rs_engine *e;
	const uint64_t *gid;
	uint32_t ng, nhist;
	uint32_t *gcount;
	uint64_t nev;
	uint64_t *vis;
	size_t nvis, *voff;
	int64_t *ts;
	uint32_t *item;
	uint8_t *type;
	uint64_t *evpos;	/* input position, for the time sweep */
	int has_pop;		/* a popular model: no causal lists */

	size_t nq;
	struct rs_request *q;
	size_t *vb, *ve;
	uint8_t *disc;
	uint32_t cpl, *cpop, *cpn;
	float *cpops;
	int has_cat;		/* categories: causal category lists */
	uint32_t ccl, *ccat, *ccn;	/* ccat[i * ccl ...], ccn[i] */
	float *ccats;
	int prepared;
};

struct rs_replay_work {
	struct rs_engine_work *w;
};

void
rs_replay_params_init(struct rs_replay_params *p)
{
	struct rs_engine_params ep;

	rs_engine_params_init(&ep);
	memset(p, 0, sizeof(*p));
	memcpy(p->weights, ep.weights, sizeof(p->weights));
	p->kmax = ep.kmax;
	p->knn_context = ep.knn_context;
	p->knn_decay = ep.knn_decay;
	p->fold_in = ep.fold_in;
	p->threads = ep.threads;
}

/* The period of ts: floor(ts / period), also for times before 1970. */
static int64_t
period_of(int64_t ts, int64_t period)
{
	return ts >= 0 ? ts / period : -((-(ts + 1)) / period) - 1;
}

int64_t
rs_replay_period_start(int64_t ts, int64_t period)
{
	return period_of(ts, period) * period;
}

size_t
rs_replay_period_group(const struct rs_request *q, size_t n, size_t i0,
    int64_t period, int64_t *start)
{
	const int64_t k = period_of(q[i0].ts, period);
	size_t i1;

	for (i1 = i0 + 1; i1 < n && period_of(q[i1].ts, period) == k; i1++)
		;
	*start = k * period;
	return i1;
}

/* ---- construction ---- */

struct sev {
	uint64_t visitor;
	int64_t ts;
	uint64_t pos;
	uint32_t item;
	uint8_t type;
};

static int
cmp_sev(const void *a, const void *b)
{
	const struct sev *x = a, *y = b;

	if (x->visitor != y->visitor)
		return x->visitor < y->visitor ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
nomem(struct rs_error *err)
{
	return rs_error_set(err, RS_ENOMEM, "replay: out of memory");
}

/* An engine with the parameters of p. */
static int
engine_create(struct rs_engine **e, const struct rs_replay_params *p,
    struct rs_error *err)
{
	struct rs_engine_params ep;

	rs_engine_params_init(&ep);
	memcpy(ep.weights, p->weights, sizeof(ep.weights));
	ep.kmax = p->kmax;
	ep.knn_context = p->knn_context;
	ep.knn_decay = p->knn_decay;
	ep.keep_bought = p->keep_bought;
	ep.fold_in = p->fold_in;
	ep.similar = p->similar;
	ep.threads = p->threads;
	return rs_engine_create(e, &ep, err);
}

int
rs_replay_create(struct rs_replay **out, const struct rs_event *ev,
    size_t n, const struct rs_replay_params *p, struct rs_error *err)
{
	struct rs_replay *r;
	struct sev *s = NULL;
	size_t i;
	int64_t g;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return nomem(err);
	r->p = *p;
	if ((rc = engine_create(&r->e, p, err)) < 0) {
		free(r);
		return rc;
	}
	if ((s = malloc((n + 1) * sizeof(*s))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((g = rs_engine_intern(r->e, ev[i].item)) < 0)
			goto fail;
		s[i] = (struct sev){ ev[i].visitor, ev[i].ts, i, (uint32_t)g,
		    ev[i].type };
	}
	r->nhist = rs_engine_nitems(r->e);
	qsort(s, n, sizeof(*s), cmp_sev);
	r->nev = n;
	r->ts = malloc((n + 1) * sizeof(*r->ts));
	r->item = malloc((n + 1) * sizeof(*r->item));
	r->type = malloc(n + 1);
	r->evpos = malloc((n + 1) * sizeof(*r->evpos));
	r->vis = malloc((n + 1) * sizeof(*r->vis));
	r->voff = malloc((n + 2) * sizeof(*r->voff));
	r->gcount = calloc((size_t)r->nhist + 1, sizeof(*r->gcount));
	if (r->ts == NULL || r->item == NULL || r->type == NULL ||
	    r->evpos == NULL || r->vis == NULL || r->voff == NULL ||
	    r->gcount == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if (i == 0 || s[i].visitor != s[i - 1].visitor) {
			r->vis[r->nvis] = s[i].visitor;
			r->voff[r->nvis++] = i;
		}
		r->ts[i] = s[i].ts;
		r->item[i] = s[i].item;
		r->type[i] = s[i].type;
		r->evpos[i] = s[i].pos;
		r->gcount[s[i].item]++;
	}
	r->voff[r->nvis] = n;
	free(s);
	*out = r;
	return 0;
fail:
	free(s);
	rs_replay_free(r);
	return nomem(err);
}

int
rs_replay_set_popular(struct rs_replay *r, const struct rs_model *m,
    struct rs_error *err)
{
	if (r->prepared)
		return rs_error_set(err, RS_EARG, "replay: already prepared");
	r->has_pop = 1;
	return rs_engine_set_popular(r->e, m, err);
}

int
rs_replay_set_itemknn(struct rs_replay *r, const struct rs_itemknn *m,
    struct rs_error *err)
{
	if (r->prepared)	/* between periods: no answer in flight */
		return rs_engine_replace_itemknn(r->e, m, err);
	return rs_engine_set_itemknn(r->e, m, err);
}

int
rs_replay_set_als(struct rs_replay *r, const struct rs_model *m,
    struct rs_error *err)
{
	return rs_engine_set_als(r->e, m, err);
}

int
rs_replay_set_items(struct rs_replay *r, const struct rs_items *t,
    struct rs_error *err)
{
	return rs_engine_set_items(r->e, t, err);
}

int
rs_replay_set_avail(struct rs_replay *r, const struct rs_avail *a,
    struct rs_error *err)
{
	return rs_engine_set_avail(r->e, a, err);
}

int
rs_replay_set_categories(struct rs_replay *r, const struct rs_catline *c,
    const struct rs_tree *tree, struct rs_error *err)
{
	if (r->prepared)
		return rs_error_set(err, RS_EARG, "replay: already prepared");
	r->has_cat = 1;
	return rs_engine_set_categories(r->e, c, tree, err);
}

static double
evw(const struct rs_replay *r, uint8_t t)
{
	return rs_engine_weight(r->e, t);
}

static int
unavailable(const struct rs_replay *r, uint32_t g, int64_t t)
{
	return rs_engine_unavailable(r->e, g, t);
}

static void query_of(const struct rs_replay *r, size_t i,
    struct rs_engine_query *q);

/* Causal popular order: better(a, b) by count, then lower id. */
static int
better(const double *cnt, const uint64_t *gid, uint32_t a, uint32_t b)
{
	return cnt[a] > cnt[b] || (cnt[a] == cnt[b] && gid[a] < gid[b]);
}

struct tsidx {
	int64_t ts;
	uint64_t pos;
	size_t i;
};

static int
cmp_tsidx(const void *a, const void *b)
{
	const struct tsidx *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

#define NOLEAF UINT32_MAX

/*
 * Tournament tree over the items for the causal popular lists: P leaves
 * (a power of two >= ng), node k's children 2k and 2k + 1, leaf g at
 * P + g; best[k] is the best item of k's subtree by better(), or NOLEAF
 * when none of its items has a positive count.
 */
struct tourn {
	uint32_t *best;
	size_t P;
	const double *cnt;
	const uint64_t *gid;
};

static uint32_t
tourn_pick(const struct tourn *tr, uint32_t a, uint32_t b)
{
	if (a == NOLEAF)
		return b;
	if (b == NOLEAF)
		return a;
	return better(tr->cnt, tr->gid, b, a) ? b : a;
}

/* cnt[g] changed: replay the matches on g's path to the root. */
static void
tourn_update(struct tourn *tr, uint32_t g)
{
	size_t k = tr->P + g;

	tr->best[k] = tr->cnt[g] > 0 ? g : NOLEAF;
	for (k /= 2; k >= 1; k /= 2)
		tr->best[k] = tourn_pick(tr, tr->best[2 * k],
		    tr->best[2 * k + 1]);
}

/* Max-heap of tree nodes by their best leaf. */
static void
node_push(const struct tourn *tr, uint32_t *h, size_t *n, uint32_t node)
{
	size_t k = (*n)++, p;

	while (k > 0 && better(tr->cnt, tr->gid, tr->best[node],
	    tr->best[h[p = (k - 1) / 2]])) {
		h[k] = h[p];
		k = p;
	}
	h[k] = node;
}

static uint32_t
node_pop(const struct tourn *tr, uint32_t *h, size_t *n)
{
	const uint32_t top = h[0], last = h[--*n];
	size_t k = 0, c;

	for (;;) {
		c = 2 * k + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && better(tr->cnt, tr->gid, tr->best[h[c + 1]],
		    tr->best[h[c]]))
			c++;
		if (!better(tr->cnt, tr->gid, tr->best[h[c]], tr->best[last]))
			break;
		h[k] = h[c];
		k = c;
	}
	if (*n > 0)
		h[k] = last;
	return top;
}

/*
 * Causal popular lists.  Events and requests are swept together in time
 * order with two cursors over the events: before request q (time t),
 * every event with time < t has been added to cnt[] and, with a window
 * W, every event with time < t - W taken out again, so cnt[g] is the
 * weight of g's events in the request's range (nin[g] counts them, so
 * that an item whose last event left the window is exactly 0, whatever
 * the float rounding of the sums).  Every change replays g's matches in
 * the tournament tree, O(log ng).  A request's list is read best first
 * from the tree with a heap of nodes: pop the node with the best item,
 * list that item unless it is unavailable at t, and push the siblings
 * along the path from the node down to that item's leaf; so a list
 * costs O(cpl log ng) node visits plus the unavailable items skipped,
 * never a pass over all items.
 */
static int
causal_popular(struct rs_replay *r, struct rs_error *err)
{
	struct tsidx *e = NULL, *qi = NULL;
	struct tourn tr = { NULL, 1, NULL, r->gid };
	struct rs_engine_work *cw = NULL;
	struct rs_engine_query cq;
	double *cnt = NULL;
	uint32_t *nin = NULL, *h = NULL;
	size_t i, j = 0, k = 0, t, hn, hcap = 0;
	const int64_t W = r->p.popular_window;
	int rc = 0;

	r->cpl = 2 * r->p.kmax + 64;
	while (tr.P < r->ng)
		tr.P *= 2;
	e = malloc((r->nev + 1) * sizeof(*e));
	qi = malloc((r->nq + 1) * sizeof(*qi));
	cnt = calloc((size_t)r->ng + 1, sizeof(*cnt));
	nin = calloc((size_t)r->ng + 1, sizeof(*nin));
	tr.best = malloc(2 * tr.P * sizeof(*tr.best));
	h = malloc((hcap = 64) * sizeof(*h));
	r->cpop = malloc((r->nq * r->cpl + 1) * sizeof(*r->cpop));
	r->cpops = malloc((r->nq * r->cpl + 1) * sizeof(*r->cpops));
	r->cpn = calloc(r->nq + 1, sizeof(*r->cpn));
	if (r->has_cat) {
		r->ccl = 2 * r->p.kmax;
		r->ccat = malloc((r->nq * r->ccl + 1) * sizeof(*r->ccat));
		r->ccats = malloc((r->nq * r->ccl + 1) * sizeof(*r->ccats));
		r->ccn = calloc(r->nq + 1, sizeof(*r->ccn));
		if (r->ccat == NULL || r->ccats == NULL || r->ccn == NULL)
			goto nomem;
		if ((rc = rs_engine_work_create(&cw, r->e, err)) < 0)
			goto out;
	}
	if (e == NULL || qi == NULL || cnt == NULL || nin == NULL ||
	    tr.best == NULL || h == NULL || r->cpop == NULL ||
	    r->cpops == NULL || r->cpn == NULL)
		goto nomem;
	tr.cnt = cnt;
	for (i = 0; i < 2 * tr.P; i++)
		tr.best[i] = NOLEAF;
	for (i = 0; i < r->nev; i++)
		e[i] = (struct tsidx){ r->ts[i], r->evpos[i], i };
	for (i = 0; i < r->nq; i++)
		qi[i] = (struct tsidx){ r->q[i].ts, i, i };
	qsort(e, r->nev, sizeof(*e), cmp_tsidx);
	qsort(qi, r->nq, sizeof(*qi), cmp_tsidx);
	for (t = 0; t < r->nq; t++) {
		const size_t qn = qi[t].i;
		const int64_t tq = qi[t].ts;
		uint32_t n = 0;

		for (; j < r->nev && e[j].ts < tq; j++) {
			const uint32_t g = r->item[e[j].i];
			const double w = evw(r, r->type[e[j].i]);

			if (!(w > 0))
				continue;
			cnt[g] += w;
			nin[g]++;
			tourn_update(&tr, g);
		}
		for (; W > 0 && k < j && e[k].ts < tq - W; k++) {
			const uint32_t g = r->item[e[k].i];
			const double w = evw(r, r->type[e[k].i]);

			if (!(w > 0))
				continue;
			cnt[g] = --nin[g] == 0 ? 0 : cnt[g] - w;
			tourn_update(&tr, g);
		}
		hn = 0;
		if (tr.best[1] != NOLEAF)
			h[hn++] = 1;
		while (hn > 0 && n < r->cpl) {
			uint32_t node = node_pop(&tr, h, &hn);
			const uint32_t g = tr.best[node];

			if (!unavailable(r, g, tq)) {
				r->cpop[qn * r->cpl + n] = g;
				r->cpops[qn * r->cpl + n++] = (float)cnt[g];
			}
			/* at most log2(P) <= 32 siblings go in */
			if (hn + 64 > hcap) {
				uint32_t *nh = realloc(h, 2 * hcap *
				    sizeof(*h));

				if (nh == NULL)
					goto nomem;
				h = nh;
				hcap *= 2;
			}
			while (node < tr.P) {
				const uint32_t l = 2 * node, rt = l + 1;
				const uint32_t down = tr.best[l] == g ? l : rt;
				const uint32_t side = down == l ? rt : l;

				if (tr.best[side] != NOLEAF)
					node_push(&tr, h, &hn, side);
				node = down;
			}
		}
		r->cpn[qn] = n;
		if (cw != NULL) {
			/* the category source ranks by the same counts */
			query_of(r, qn, &cq);
			cq.pop = NULL;
			r->ccn[qn] = (uint32_t)rs_engine_category_list(r->e, cw,
			    &cq, cnt, r->ccat + qn * r->ccl,
			    r->ccats + qn * r->ccl, r->ccl);
		}
	}
	goto out;
nomem:
	rc = nomem(err);
out:
	free(e);
	free(qi);
	free(cnt);
	free(nin);
	free(tr.best);
	free(h);
	rs_engine_work_free(cw);
	return rc;
}

int
rs_replay_prepare(struct rs_replay *r, const struct rs_request *q,
    size_t n, struct rs_error *err)
{
	size_t k;
	int rc;

	if (r->prepared)
		return rs_error_set(err, RS_EARG, "replay: already prepared");
	for (k = 0; k < n; k++)
		if (rs_engine_intern(r->e, q[k].item) < 0)
			return nomem(err);
	if ((rc = rs_engine_prepare(r->e, err)) < 0)
		return rc;
	r->ng = rs_engine_nitems(r->e);
	r->gid = rs_engine_item_ids(r->e);
	r->nq = n;
	r->q = malloc((n + 1) * sizeof(*r->q));
	r->vb = malloc((n + 1) * sizeof(*r->vb));
	r->ve = malloc((n + 1) * sizeof(*r->ve));
	r->disc = malloc(n + 1);
	if (r->q == NULL || r->vb == NULL || r->ve == NULL || r->disc == NULL)
		return nomem(err);
	if (n > 0)
		memcpy(r->q, q, n * sizeof(*q));
	for (k = 0; k < n; k++) {
		const int64_t v = rs_ids_bsearch(r->vis, r->nvis, q[k].visitor);
		const int64_t tg = rs_engine_find(r->e, q[k].item);
		size_t lo, hi, e;

		if (v < 0) {
			r->vb[k] = r->ve[k] = 0;
			r->disc[k] = 1;
			continue;
		}
		lo = r->voff[v];
		hi = r->voff[v + 1];
		r->vb[k] = lo;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (r->ts[mid] < q[k].ts)
				lo = mid + 1;
			else
				hi = mid;
		}
		r->ve[k] = lo;
		r->disc[k] = 1;
		for (e = r->vb[k]; e < r->ve[k]; e++)
			if ((int64_t)r->item[e] == tg)
				r->disc[k] = 0;
	}
	if (!r->has_pop && (rc = causal_popular(r, err)) < 0)
		return rc;
	r->prepared = 1;
	return 0;
}

int
rs_replay_has_source(const struct rs_replay *r, int src)
{
	return rs_engine_has_source(r->e, src);
}

size_t
rs_replay_nrequests(const struct rs_replay *r)
{
	return r->nq;
}

const struct rs_request *
rs_replay_request(const struct rs_replay *r, size_t i)
{
	return &r->q[i];
}

int
rs_replay_discovery(const struct rs_replay *r, size_t i)
{
	return r->disc[i];
}

size_t
rs_replay_visible(const struct rs_replay *r, size_t i)
{
	return r->ve[i] - r->vb[i];
}

/* ---- answering ---- */

void
rs_replay_work_free(struct rs_replay_work *w)
{
	if (w == NULL)
		return;
	rs_engine_work_free(w->w);
	free(w);
}

int
rs_replay_work_create(struct rs_replay_work **out, const struct rs_replay *r,
    struct rs_error *err)
{
	struct rs_replay_work *w;
	int rc;

	*out = NULL;
	if (!r->prepared)
		return rs_error_set(err, RS_EARG, "replay: not prepared");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return nomem(err);
	if ((rc = rs_engine_work_create(&w->w, r->e, err)) < 0) {
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

/* Request i as the engine's query: its visible events, causal list. */
static void
query_of(const struct rs_replay *r, size_t i, struct rs_engine_query *q)
{
	memset(q, 0, sizeof(*q));
	q->key = (uint64_t)i + 1;
	q->visitor = r->q[i].visitor;
	q->t = r->q[i].ts;
	q->item = r->item + r->vb[i];
	q->type = r->type + r->vb[i];
	q->n = r->ve[i] - r->vb[i];
	if (!r->has_pop) {
		q->pop = r->cpop + i * r->cpl;
		q->pops = r->cpops + i * r->cpl;
		q->npop = r->cpn[i];
	}
	if (r->ccat != NULL) {
		q->cat = r->ccat + i * r->ccl;
		q->cats = r->ccats + i * r->ccl;
		q->ncat = r->ccn[i];
	}
}

int
rs_replay_answer(const struct rs_replay *r, struct rs_replay_work *w,
    size_t i, const struct rs_blend *b, unsigned k, struct rs_row *rows,
    struct rs_error *err)
{
	struct rs_engine_query q;

	if (i >= r->nq)
		return rs_error_set(err, RS_EARG, "replay: bad request");
	query_of(r, i, &q);
	return rs_engine_answer(r->e, w->w, &q, b, k, rows, err);
}

int
rs_replay_prefetch(const struct rs_replay *r, struct rs_replay_work *w,
    size_t i0, size_t n, struct rs_error *err)
{
	struct rs_engine_query q[RS_ENGINE_BATCH];
	size_t j;

	if (n > RS_ENGINE_BATCH || i0 + n > r->nq)
		return rs_error_set(err, RS_EARG, "replay: bad prefetch");
	for (j = 0; j < n; j++)
		query_of(r, i0 + j, &q[j]);
	return rs_engine_prefetch(r->e, w->w, q, n, err);
}

uint64_t
rs_replay_als_scored(const struct rs_replay_work *w)
{
	return rs_engine_als_scored(w->w);
}

unsigned
rs_replay_rank(const struct rs_replay *r, size_t i,
    const struct rs_row *rows, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (rows[j].item == r->q[i].item)
			return (unsigned)j + 1;
	return 0;
}

/* ---- scoring ---- */

int
rs_replay_acc_init(struct rs_replay_acc *a, const struct rs_replay *r,
    unsigned k, struct rs_error *err)
{
	memset(a, 0, sizeof(*a));
	a->k = k;
	a->seen[0] = calloc((size_t)r->ng + 1, 1);
	a->seen[1] = calloc((size_t)r->ng + 1, 1);
	if (a->seen[0] == NULL || a->seen[1] == NULL) {
		rs_replay_acc_free(a);
		return nomem(err);
	}
	return 0;
}

void
rs_replay_acc_add(struct rs_replay_acc *a, const struct rs_replay *r,
    size_t i, const struct rs_row *rows, size_t n)
{
	const int d = r->disc[i];
	unsigned rank, s;
	size_t j;

	if (n > a->k)
		n = a->k;
	rank = rs_replay_rank(r, i, rows, n);
	a->requests++;
	a->discovery += (uint64_t)d;
	for (s = 0; s < 2; s++) {
		if (s == 1 && !d)
			break;
		if (rank > 0) {
			a->hit[s] += 1;
			a->rr[s] += 1.0 / rank;
			a->ndcg[s] += rs_metrics_discount(rank);
		}
		for (j = 0; j < n; j++) {
			const int64_t g = rs_engine_find(r->e, rows[j].item);
			const double c = g >= 0 && (uint64_t)g < r->nhist &&
			    r->gcount[g] > 0 ? r->gcount[g] : 1;

			a->novelty[s] += -log2(c / (double)(r->nev ? r->nev :
			    1));
			a->rows[s]++;
			if (g >= 0 && (uint64_t)g < r->nhist && !a->seen[s][g]) {
				a->seen[s][g] = 1;
				a->distinct[s]++;
			}
		}
	}
}

void
rs_replay_acc_result(const struct rs_replay_acc *a,
    const struct rs_replay *r, int which, struct rs_replay_metrics *out)
{
	const int s = which ? 1 : 0;
	const uint64_t n = s ? a->discovery : a->requests;

	out->requests = n;
	out->hit = n ? a->hit[s] / (double)n : NAN;
	out->mrr = n ? a->rr[s] / (double)n : NAN;
	out->ndcg = n ? a->ndcg[s] / (double)n : NAN;
	out->coverage = r->nhist ? (double)a->distinct[s] / r->nhist : NAN;
	out->novelty = a->rows[s] ? a->novelty[s] / (double)a->rows[s] : NAN;
}

void
rs_replay_acc_free(struct rs_replay_acc *a)
{
	free(a->seen[0]);
	free(a->seen[1]);
	a->seen[0] = a->seen[1] = NULL;
}

void
rs_replay_free(struct rs_replay *r)
{
	if (r == NULL)
		return;
	rs_engine_free(r->e);
	free(r->gcount);
	free(r->vis);
	free(r->voff);
	free(r->ts);
	free(r->item);
	free(r->type);
	free(r->evpos);
	free(r->q);
	free(r->vb);
	free(r->ve);
	free(r->disc);
	free(r->cpop);
	free(r->cpops);
	free(r->ccat);
	free(r->ccats);
	free(r->ccn);
	free(r->cpn);
	free(r);
}
