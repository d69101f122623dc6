/*
 * replay.c - the replay engine (definitions in replay.h).
 *
 * Data layout:
 *   gmap      idmap of every item the engine can name: history items
 *             first (g < nhist), then model items; g is the dense index
 *             used everywhere inside, gid[g] its external id.
 *   history   events sorted by (visitor, time, input order): vis[] the
 *             distinct visitors ascending, voff[nvis + 1] their runs in
 *             ts[] / item[] (g) / type[].
 *   requests  q[] with vb[i], ve[i] (visible range in the history) and
 *             disc[i]; causal popular lists cpop[i * cpl ...], cpn[i].
 *   models    g2knn[g] / knn2g[row], g2als[g] / als2g[row], pop_order[]
 *             (g by popular-model score), G = Y^T Y + lambda I (f x f,
 *             row-major, double) for fold-in; for the early-stopping
 *             ALS scan mu (f floats, the mean item factor), als_ord[]
 *             (model rows by descending |y - mu|, ties by row),
 *             als_norm[] (those distances rounded up to float, same
 *             order) and Ys (nals x f, row-major, ld f: row j is Y's
 *             row als_ord[j]).
 *   filters   blocked[g] (item table), g2av[g] (availability timeline
 *             index, -1: always available).
 * Invariant: after rs_replay_prepare nothing in r changes, so threads
 * share it; all per-request scratch lives in struct rs_replay_work,
 * whose marks use a tick that grows with every answer, so nothing is
 * cleared per request.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "idmap.h"
#include "replay.h"
#include "rstime.h"
#include "topk.h"
#include "banned.h"

struct rs_replay {
	struct rs_replay_params p;
	struct rs_idmap *gmap;
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

	const struct rs_model *pop;
	uint32_t *pop_order, npop;
	const struct rs_itemknn *knn;
	uint32_t *knn2g;
	int32_t *g2knn;
	const struct rs_model *als;
	uint32_t *als2g, nals, f;
	int32_t *g2als;
	double *G, alpha, lambda, eps;
	int logc;
	const struct rs_items *items;
	uint8_t *blocked;
	const struct rs_avail *avail;
	int32_t *g2av;
	uint32_t *als_ord;
	float *als_norm, *Ys, *mu;
	double mu_norm, ymax;	/* ||mu||; largest ||y_i|| */

	size_t nq;
	struct rs_request *q;
	size_t *vb, *ve;
	uint8_t *disc;
	uint32_t cpl, *cpop, *cpn;
	float *cpops;
	int prepared;
};

struct cand {
	uint32_t g;
	float s;
};

#define ALS_CHUNK 512		/* items per sgemm in the ALS scan */
#define ALS_SPARE 16		/* heap room beyond L for the rescoring */

struct rs_replay_work {
	uint32_t tick;
	int64_t t;		/* time of the request being answered */
	uint32_t *bought, *seen, *taken, *accmark, *pos;
	float *acc;
	uint32_t *touched;
	struct cand *list[RS_SRC_N];
	size_t nlist[RS_SRC_N];
	double *A, *b;
	struct cand *cbuf;	/* ng candidates (itemknn) */
	size_t pf_first, pf_n;	/* als lists prefetched for these */
	struct cand *pf_list;	/* RS_REPLAY_BATCH x 2 kmax */
	struct cand *pf_heap;	/* RS_REPLAY_BATCH x (2 kmax + ALS_SPARE) */
	uint32_t *pf_cnt;	/* per prefetched request */
	float *pf_x, *pf_xa, *pf_s;	/* batch x f (twice), batch x chunk */
	uint64_t als_scored;	/* (request, item) scores of the ALS scan */
	uint64_t als_full;	/* requests rescored by a full exact scan */
	size_t cached;		/* request whose lists are in list[] */
	unsigned have;		/* bit per source computed for it */
};

static const char *const src_names[RS_SRC_N] = {
	"popular", "recent", "itemknn", "als"
};

const char *
rs_replay_source_name(int src)
{
	return src >= 0 && src < RS_SRC_N ? src_names[src] : "unknown";
}

void
rs_replay_params_init(struct rs_replay_params *p)
{
	memset(p, 0, sizeof(*p));
	p->weights[RS_EV_VIEW] = 1;
	p->weights[RS_EV_ADDTOCART] = 5;
	p->weights[RS_EV_TRANSACTION] = 3;
	p->kmax = 20;
	p->knn_context = 5;
	p->knn_decay = 0.7;
	p->fold_in = 1;
}

static int
source_of(const char *s, size_t n)
{
	int i;

	for (i = 0; i < RS_SRC_N; i++)
		if (strlen(src_names[i]) == n && memcmp(s, src_names[i], n) == 0)
			return i;
	return -1;
}

void
rs_replay_blend_single(struct rs_replay_blend *b, int src)
{
	memset(b, 0, sizeof(*b));
	b->n = 1;
	b->src[0] = src;
	b->quota[0] = 1;
	b->sum = 1;
	snprintf(b->name, sizeof(b->name), "%s", rs_replay_source_name(src));
}

int
rs_replay_parse_blend(const char *s, struct rs_replay_blend *b,
    struct rs_error *err)
{
	const char *p = s, *end, *colon;
	unsigned i;
	int src;

	memset(b, 0, sizeof(*b));
	if (strlen(s) >= sizeof(b->name))
		return rs_error_set(err, RS_EARG, "blend '%s' is too long", s);
	snprintf(b->name, sizeof(b->name), "%s", s);
	for (;;) {
		unsigned long q = 1;

		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		colon = memchr(p, ':', (size_t)(end - p));
		if ((src = source_of(p, (size_t)((colon ? colon : end) - p))) <
		    0)
			return rs_error_set(err, RS_EARG, "unknown source '%.*s' "
			    "(expected popular, recent, itemknn or als)",
			    (int)((colon ? colon : end) - p), p);
		if (colon != NULL) {
			const char *d;

			q = 0;
			for (d = colon + 1; d < end; d++) {
				if (*d < '0' || *d > '9' || q > 100000)
					break;
				q = q * 10 + (unsigned long)(*d - '0');
			}
			if (d == colon + 1 || d < end || q > 100000)
				return rs_error_set(err, RS_EARG, "bad quota "
				    "'%.*s' (expected a whole number 0..100000)",
				    (int)(end - colon - 1), colon + 1);
		}
		for (i = 0; i < b->n; i++)
			if (b->src[i] == src)
				return rs_error_set(err, RS_EARG, "source '%s' "
				    "appears twice", src_names[src]);
		if (b->n == RS_REPLAY_MAX_SOURCES)
			return rs_error_set(err, RS_EARG, "too many sources");
		b->src[b->n] = src;
		b->quota[b->n++] = (unsigned)q;
		b->sum += (unsigned)q;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	for (i = 0; i < b->n && b->quota[i] == 0; i++)
		;
	if (i == b->n)
		return rs_error_set(err, RS_EARG, "blend '%s' has no source "
		    "with a quota above 0", s);
	return 0;
}

int
rs_replay_blend_has(const struct rs_replay_blend *b, int src)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		if (b->src[i] == src)
			return 1;
	return 0;
}

static int64_t
day_of(int64_t ts)
{
	return ts >= 0 ? ts / RS_MS_PER_DAY : -((-ts + RS_MS_PER_DAY - 1) /
	    RS_MS_PER_DAY);
}

size_t
rs_replay_day_group(const struct rs_request *q, size_t n, size_t i0,
    int64_t *day_start)
{
	const int64_t day = day_of(q[i0].ts);
	size_t i1;

	for (i1 = i0 + 1; i1 < n && day_of(q[i1].ts) == day; i1++)
		;
	*day_start = day * RS_MS_PER_DAY;
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

int
rs_replay_create(struct rs_replay **out, const struct rs_event *ev,
    size_t n, const struct rs_replay_params *p, struct rs_error *err)
{
	struct rs_replay *r;
	struct sev *s = NULL;
	size_t i;
	int64_t g;

	*out = NULL;
	if (p->kmax == 0 || p->kmax > RS_REPLAY_MAX_K ||
	    p->knn_context == 0 || !(p->knn_decay > 0))
		return rs_error_set(err, RS_EARG, "replay: bad parameters");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return nomem(err);
	r->p = *p;
	if (rs_idmap_create(&r->gmap, n / 8) < 0 ||
	    (s = malloc((n + 1) * sizeof(*s))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((g = rs_idmap_intern(r->gmap, ev[i].item)) < 0)
			goto fail;
		s[i] = (struct sev){ ev[i].visitor, ev[i].ts, i, (uint32_t)g,
		    ev[i].type };
	}
	r->nhist = (uint32_t)rs_idmap_size(r->gmap);
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

static int
intern_all(struct rs_replay *r, const uint64_t *ids, uint32_t n,
    uint32_t **to_g, struct rs_error *err)
{
	uint32_t i;
	int64_t g;

	if ((*to_g = malloc(((size_t)n + 1) * sizeof(**to_g))) == NULL)
		return nomem(err);
	for (i = 0; i < n; i++) {
		if ((g = rs_idmap_intern(r->gmap, ids[i])) < 0)
			return nomem(err);
		(*to_g)[i] = (uint32_t)g;
	}
	return 0;
}

int
rs_replay_set_popular(struct rs_replay *r, const struct rs_model *m,
    struct rs_error *err)
{
	if (r->prepared || rs_model_kind(m) != RS_MODEL_POPULAR)
		return rs_error_set(err, RS_EARG, "replay: not a popular model");
	r->pop = m;
	return 0;
}

int
rs_replay_set_itemknn(struct rs_replay *r, const struct rs_itemknn *m,
    struct rs_error *err)
{
	if (r->prepared)
		return rs_error_set(err, RS_EARG, "replay: already prepared");
	r->knn = m;
	return 0;
}

static double
meta_num(const struct rs_model *m, const char *key, double dflt)
{
	const char *s = rs_model_meta(m, key);
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return dflt;
	v = strtod(s, &end);
	return *end == '\0' && isfinite(v) ? v : dflt;
}

int
rs_replay_set_als(struct rs_replay *r, const struct rs_model *m,
    struct rs_error *err)
{
	const char *c;

	if (r->prepared || rs_model_kind(m) != RS_MODEL_ALS)
		return rs_error_set(err, RS_EARG, "replay: not an ALS model");
	r->als = m;
	r->alpha = meta_num(m, "alpha", 40);
	r->lambda = meta_num(m, "regularization", 0.1);
	r->eps = meta_num(m, "epsilon", 1);
	c = rs_model_meta(m, "confidence");
	r->logc = c != NULL && strcmp(c, "log") == 0;
	if (r->alpha < 0 || r->lambda < 0 || r->eps <= 0)
		return rs_error_set(err, RS_EARG, "replay: bad fold-in "
		    "parameters in the ALS model");
	return 0;
}

int
rs_replay_set_items(struct rs_replay *r, const struct rs_items *t,
    struct rs_error *err)
{
	if (r->prepared)
		return rs_error_set(err, RS_EARG, "replay: already prepared");
	r->items = t;
	return 0;
}

int
rs_replay_set_avail(struct rs_replay *r, const struct rs_avail *a,
    struct rs_error *err)
{
	if (r->prepared)
		return rs_error_set(err, RS_EARG, "replay: already prepared");
	r->avail = a;
	return 0;
}

static int
cmp_pop(const void *a, const void *b, const float *sc, const uint64_t *id)
{
	const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (sc[x] != sc[y])
		return sc[x] > sc[y] ? -1 : 1;
	return id[x] < id[y] ? -1 : id[x] > id[y];
}

/* qsort has no context argument: the popular sort uses these. */
static _Thread_local const float *sort_sc;
static _Thread_local const uint64_t *sort_id;

static int
cmp_pop_q(const void *a, const void *b)
{
	return cmp_pop(a, b, sort_sc, sort_id);
}

/* 1 if g may not be recommended at time t (item table, availability). */
static int
unavailable(const struct rs_replay *r, uint32_t g, int64_t t)
{
	return r->blocked[g] || (r->g2av != NULL && r->g2av[g] >= 0 &&
	    !rs_avail_at_index(r->avail, (size_t)r->g2av[g], t));
}

static double
evw(const struct rs_replay *r, uint8_t t)
{
	return t < RS_EV_NTYPES ? r->p.weights[t] : 0;
}

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
	return rc;
}

/* als_ord, als_norm and Ys (layout at the top) for the ALS scan. */
static _Thread_local const double *sort_norm;

static int
cmp_norm(const void *a, const void *b)
{
	const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (sort_norm[x] != sort_norm[y])
		return sort_norm[x] > sort_norm[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int
als_order(struct rs_replay *r, struct rs_error *err)
{
	const float *Y = rs_model_item_factors(r->als);
	const size_t f = r->f;
	double *nrm, *sum;
	size_t j, a;

	nrm = malloc(((size_t)r->nals + 1) * sizeof(*nrm));
	sum = calloc(f + 1, sizeof(*sum));
	r->mu = calloc(f + 1, sizeof(*r->mu));
	r->als_ord = malloc(((size_t)r->nals + 1) * sizeof(*r->als_ord));
	r->als_norm = malloc(((size_t)r->nals + 1) * sizeof(*r->als_norm));
	r->Ys = malloc(((size_t)r->nals * f + 1) * sizeof(*r->Ys));
	if (nrm == NULL || sum == NULL || r->als_ord == NULL ||
	    r->als_norm == NULL || r->Ys == NULL || r->mu == NULL) {
		free(nrm);
		free(sum);
		return nomem(err);
	}
	for (j = 0; j < r->nals; j++)
		for (a = 0; a < f; a++)
			sum[a] += Y[j * f + a];
	for (a = 0; a < f; a++)
		r->mu[a] = r->nals > 0 ? (float)(sum[a] / r->nals) : 0;
	free(sum);
	r->mu_norm = 0;
	for (a = 0; a < f; a++)
		r->mu_norm += (double)r->mu[a] * r->mu[a];
	r->mu_norm = sqrt(r->mu_norm);
	r->ymax = 0;
	for (j = 0; j < r->nals; j++) {
		double s2 = 0, y2 = 0;

		for (a = 0; a < f; a++)
			y2 += (double)Y[j * f + a] * Y[j * f + a];
		if (sqrt(y2) > r->ymax)
			r->ymax = sqrt(y2);
		for (a = 0; a < f; a++)
			s2 += ((double)Y[j * f + a] - r->mu[a]) *
			    ((double)Y[j * f + a] - r->mu[a]);
		nrm[j] = sqrt(s2);
		r->als_ord[j] = (uint32_t)j;
	}
	sort_norm = nrm;
	qsort(r->als_ord, r->nals, sizeof(*r->als_ord), cmp_norm);
	for (j = 0; j < r->nals; j++) {
		/* rounded up, so it stays an upper bound as a float */
		r->als_norm[j] = nextafterf((float)nrm[r->als_ord[j]],
		    INFINITY);
		memcpy(r->Ys + j * f, Y + (size_t)r->als_ord[j] * f,
		    f * sizeof(*Y));
	}
	free(nrm);
	return 0;
}

static int64_t
find_visitor(const struct rs_replay *r, uint64_t v)
{
	size_t lo = 0, hi = r->nvis;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->vis[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nvis && r->vis[lo] == v ? (int64_t)lo : -1;
}

int
rs_replay_prepare(struct rs_replay *r, const struct rs_request *q,
    size_t n, struct rs_error *err)
{
	uint32_t i;
	size_t k;
	int rc;

	if (r->prepared)
		return rs_error_set(err, RS_EARG, "replay: already prepared");
	if (r->knn != NULL && intern_all(r, rs_itemknn_item_ids(r->knn),
	    rs_itemknn_nitems(r->knn), &r->knn2g, err) < 0)
		return RS_ENOMEM;
	if (r->als != NULL) {
		r->nals = rs_model_nitems(r->als);
		r->f = rs_model_factors(r->als);
		if (intern_all(r, rs_model_item_ids(r->als), r->nals,
		    &r->als2g, err) < 0)
			return RS_ENOMEM;
	}
	if (r->pop != NULL) {
		r->npop = rs_model_nitems(r->pop);
		if (intern_all(r, rs_model_item_ids(r->pop), r->npop,
		    &r->pop_order, err) < 0)
			return RS_ENOMEM;
	}
	for (k = 0; k < n; k++)
		if (rs_idmap_intern(r->gmap, q[k].item) < 0)
			return nomem(err);
	r->ng = (uint32_t)rs_idmap_size(r->gmap);
	r->gid = rs_idmap_ids(r->gmap);
	if (r->pop != NULL) {
		/* pop_order holds g by model row; sort rows by score */
		uint32_t *rows = malloc(((size_t)r->npop + 1) * sizeof(*rows));

		if (rows == NULL)
			return nomem(err);
		for (i = 0; i < r->npop; i++)
			rows[i] = i;
		sort_sc = rs_model_item_scores(r->pop);
		sort_id = rs_model_item_ids(r->pop);
		qsort(rows, r->npop, sizeof(*rows), cmp_pop_q);
		for (i = 0; i < r->npop; i++)
			rows[i] = r->pop_order[rows[i]];
		free(r->pop_order);
		r->pop_order = rows;
	}
	r->blocked = calloc((size_t)r->ng + 1, 1);
	r->g2knn = malloc(((size_t)r->ng + 1) * sizeof(*r->g2knn));
	r->g2als = malloc(((size_t)r->ng + 1) * sizeof(*r->g2als));
	if (r->avail != NULL && (r->g2av = malloc(((size_t)r->ng + 1) *
	    sizeof(*r->g2av))) == NULL)
		return nomem(err);
	if (r->blocked == NULL || r->g2knn == NULL || r->g2als == NULL)
		return nomem(err);
	for (i = 0; i < r->ng; i++) {
		r->g2knn[i] = r->g2als[i] = -1;
		if (r->items != NULL && !rs_items_available(r->items, r->gid[i]))
			r->blocked[i] = 1;
		if (r->avail != NULL)
			r->g2av[i] = (int32_t)rs_avail_find(r->avail, r->gid[i]);
	}
	if (r->knn != NULL)
		for (i = 0; i < rs_itemknn_nitems(r->knn); i++)
			r->g2knn[r->knn2g[i]] = (int32_t)i;
	if (r->als != NULL) {
		float *tmp;
		size_t f = r->f;

		for (i = 0; i < r->nals; i++)
			r->g2als[r->als2g[i]] = (int32_t)i;
		r->G = calloc(f * f + 1, sizeof(*r->G));
		tmp = malloc((f * f + 1) * sizeof(*tmp));
		if (r->G == NULL || tmp == NULL) {
			free(tmp);
			return nomem(err);
		}
		/* G = Y^T Y + lambda I; Y nals x f row-major, ld f */
		rs_dense_gram_acc(rs_model_item_factors(r->als), r->nals, f,
		    f, r->G, tmp);
		free(tmp);
		for (k = 0; k < f; k++)
			r->G[k * f + k] += r->lambda;
		if ((rc = als_order(r, err)) < 0)
			return rc;
	}
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
		const int64_t v = find_visitor(r, q[k].visitor);
		const int64_t tg = rs_idmap_find(r->gmap, q[k].item);
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
	if (r->pop == NULL && (rc = causal_popular(r, err)) < 0)
		return rc;
	r->prepared = 1;
	return 0;
}

int
rs_replay_has_source(const struct rs_replay *r, int src)
{
	return src == RS_SRC_POPULAR || src == RS_SRC_RECENT ||
	    (src == RS_SRC_ITEMKNN && r->knn != NULL) ||
	    (src == RS_SRC_ALS && r->als != NULL);
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
	int s;

	if (w == NULL)
		return;
	free(w->bought);
	free(w->seen);
	free(w->taken);
	free(w->accmark);
	free(w->pos);
	free(w->acc);
	free(w->touched);
	for (s = 0; s < RS_SRC_N; s++)
		free(w->list[s]);
	free(w->A);
	free(w->b);
	free(w->cbuf);
	free(w->pf_list);
	free(w->pf_heap);
	free(w->pf_cnt);
	free(w->pf_x);
	free(w->pf_xa);
	free(w->pf_s);
	free(w);
}

int
rs_replay_work_create(struct rs_replay_work **out, const struct rs_replay *r,
    struct rs_error *err)
{
	struct rs_replay_work *w;
	const size_t ng = (size_t)r->ng + 1, L = 2 * (size_t)r->p.kmax + 1;
	int s;

	*out = NULL;
	if (!r->prepared)
		return rs_error_set(err, RS_EARG, "replay: not prepared");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return nomem(err);
	w->bought = calloc(ng, sizeof(*w->bought));
	w->seen = calloc(ng, sizeof(*w->seen));
	w->taken = calloc(ng, sizeof(*w->taken));
	w->accmark = calloc(ng, sizeof(*w->accmark));
	w->pos = calloc(ng, sizeof(*w->pos));
	w->acc = calloc(ng, sizeof(*w->acc));
	w->touched = malloc(ng * sizeof(*w->touched));
	for (s = 0; s < RS_SRC_N; s++)
		if ((w->list[s] = malloc(L * sizeof(*w->list[s]))) == NULL)
			goto fail;
	w->A = malloc(((size_t)r->f * r->f + 1) * sizeof(*w->A));
	w->b = malloc(((size_t)r->f + 1) * sizeof(*w->b));
	w->cbuf = malloc(ng * sizeof(*w->cbuf));
	w->pf_list = malloc(RS_REPLAY_BATCH * L * sizeof(*w->pf_list));
	w->pf_heap = malloc(RS_REPLAY_BATCH * (L + ALS_SPARE) *
	    sizeof(*w->pf_heap));
	w->pf_cnt = malloc(RS_REPLAY_BATCH * sizeof(*w->pf_cnt));
	w->pf_x = malloc((RS_REPLAY_BATCH * (size_t)r->f + 1) *
	    sizeof(*w->pf_x));
	w->pf_xa = malloc((RS_REPLAY_BATCH * (size_t)r->f + 1) *
	    sizeof(*w->pf_xa));
	w->pf_s = malloc((RS_REPLAY_BATCH * (size_t)ALS_CHUNK + 1) *
	    sizeof(*w->pf_s));
	if (w->bought == NULL || w->seen == NULL || w->taken == NULL ||
	    w->accmark == NULL || w->pos == NULL || w->acc == NULL ||
	    w->touched == NULL || w->A == NULL || w->b == NULL ||
	    w->cbuf == NULL || w->pf_list == NULL || w->pf_heap == NULL ||
	    w->pf_cnt == NULL ||
	    w->pf_x == NULL || w->pf_xa == NULL || w->pf_s == NULL)
		goto fail;
	*out = w;
	return 0;
fail:
	rs_replay_work_free(w);
	return nomem(err);
}

static int
filtered(const struct rs_replay *r, const struct rs_replay_work *w,
    uint32_t g)
{
	return w->bought[g] == w->tick || unavailable(r, g, w->t);
}

static size_t
src_recent(const struct rs_replay *r, struct rs_replay_work *w, size_t i,
    struct cand *out, size_t L)
{
	size_t e, n = 0;

	for (e = r->ve[i]; e > r->vb[i]; e--) {
		const uint32_t g = r->item[e - 1];
		const double wt = evw(r, r->type[e - 1]);

		if (!(wt > 0))
			continue;
		if (w->seen[g] != w->tick) {
			w->seen[g] = w->tick;
			if (filtered(r, w, g) || n == L) {
				w->pos[g] = UINT32_MAX;
				continue;
			}
			w->pos[g] = (uint32_t)n;
			out[n++] = (struct cand){ g, 0 };
		}
		if (w->pos[g] != UINT32_MAX)
			out[w->pos[g]].s += (float)wt;
	}
	return n;
}

static _Thread_local const uint64_t *cand_gid;

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return cand_gid[x->g] < cand_gid[y->g] ? -1 :
	    cand_gid[x->g] > cand_gid[y->g];
}

static size_t
src_itemknn(const struct rs_replay *r, struct rs_replay_work *w, size_t i,
    struct cand *out, size_t L)
{
	struct cand *all = w->cbuf;
	size_t e, nt = 0, nc = 0, j;
	double wp = 1;

	if (r->knn == NULL)
		return 0;
	/* context: distinct items newest first, marked in pos[] via seen */
	for (e = r->ve[i]; e > r->vb[i] && nc < r->p.knn_context; e--) {
		const uint32_t g = r->item[e - 1];
		const uint32_t *nb;
		const float *s;
		uint32_t cnt, k;

		if (!(evw(r, r->type[e - 1]) > 0) || r->g2knn[g] < 0 ||
		    w->taken[g] == w->tick)
			continue;
		w->taken[g] = w->tick;	/* "in context"; the blend re-ticks */
		cnt = rs_itemknn_neighbors(r->knn, (uint32_t)r->g2knn[g], &nb,
		    &s);
		for (k = 0; k < cnt; k++) {
			const uint32_t h = r->knn2g[nb[k]];

			if (w->accmark[h] != w->tick) {
				w->accmark[h] = w->tick;
				w->acc[h] = 0;
				w->touched[nt++] = h;
			}
			w->acc[h] += (float)(wp * s[k]);
		}
		wp *= r->p.knn_decay;
		nc++;
	}
	if (nt == 0)
		return 0;
	for (j = 0, e = 0; j < nt; j++)
		if (!filtered(r, w, w->touched[j]))
			all[e++] = (struct cand){ w->touched[j],
			    w->acc[w->touched[j]] };
	cand_gid = r->gid;
	qsort(all, e, sizeof(*all), cmp_cand);
	if (e > L)
		e = L;
	memcpy(out, all, e * sizeof(*all));
	return e;
}

/*
 * The visitor factors for request i into x (f floats): fold-in on the
 * visible events, else the trained factors, else none.  Returns 1 when
 * x is set, 0 when there is none, or a negative code.
 */
static int
als_vector(const struct rs_replay *r, struct rs_replay_work *w, size_t i,
    float *x, struct rs_error *err)
{
	const float *Y = rs_model_item_factors(r->als);
	const size_t f = r->f;
	size_t e, a, bb, n = 0, j;
	int64_t u;

	if (r->p.fold_in) {
		/* aggregate r_ui into acc[] over distinct model items */
		for (e = r->vb[i]; e < r->ve[i]; e++) {
			const uint32_t g = r->item[e];
			const double wt = evw(r, r->type[e]);

			if (!(wt > 0) || r->g2als[g] < 0)
				continue;
			if (w->accmark[g] != w->tick) {
				w->accmark[g] = w->tick;
				w->acc[g] = 0;
				w->touched[n++] = g;
			}
			w->acc[g] += (float)wt;
		}
	}
	if (n > 0) {
		double *A = w->A, *b = w->b;

		memcpy(A, r->G, f * f * sizeof(*A));
		memset(b, 0, f * sizeof(*b));
		for (j = 0; j < n; j++) {
			const float *y = Y + (size_t)r->g2als[w->touched[j]] * f;
			const double rv = w->acc[w->touched[j]];
			const double c = r->logc ?
			    1 + r->alpha * log(1 + rv / r->eps) :
			    1 + r->alpha * rv;

			for (a = 0; a < f; a++) {
				b[a] += c * y[a];
				for (bb = 0; bb <= a; bb++)
					A[a * f + bb] += (c - 1) * y[a] * y[bb];
			}
		}
		if (rs_dense_chol(A, f) < 0)
			return rs_error_set(err, RS_ENUM, "request %llu: "
			    "fold-in system is not positive definite",
			    (unsigned long long)r->q[i].id);
		rs_dense_chol_solve(A, f, b);
		for (a = 0; a < f; a++)
			x[a] = (float)b[a];
		return 1;
	}
	if ((u = rs_model_find_user(r->als, r->q[i].visitor)) >= 0) {
		memcpy(x, rs_model_user_factors(r->als) + (size_t)u * f,
		    f * sizeof(*x));
		return 1;
	}
	return 0;
}

/* 1 if request i's visitor bought g before the request (filter). */
static int
bought_before(const struct rs_replay *r, size_t i, uint32_t g)
{
	size_t e;

	if (r->p.keep_bought)
		return 0;
	for (e = r->vb[i]; e < r->ve[i]; e++)
		if (r->item[e] == g && r->type[e] == RS_EV_TRANSACTION)
			return 1;
	return 0;
}

/*
 * Heap order for the prefetch heaps, whose entries hold the model row in
 * g: a is worse than b when its score is lower, or equal and its row
 * later (rs_topk breaks ties by lower index too).
 */
static int
worse(const struct cand *a, const struct cand *b)
{
	return a->s < b->s || (a->s == b->s && a->g > b->g);
}

/* Min-heap of the best L entries: h[0] is the worst kept. */
static void
heap_push(struct cand *h, size_t *n, size_t L, struct cand c)
{
	size_t k, p, ch;

	if (*n < L) {
		k = (*n)++;
		while (k > 0 && worse(&c, &h[p = (k - 1) / 2])) {
			h[k] = h[p];
			k = p;
		}
		h[k] = c;
		return;
	}
	if (!worse(&h[0], &c))
		return;
	k = 0;
	for (;;) {
		ch = 2 * k + 1;
		if (ch >= *n)
			break;
		if (ch + 1 < *n && worse(&h[ch + 1], &h[ch]))
			ch++;
		if (!worse(&h[ch], &c))
			break;
		h[k] = h[ch];
		k = ch;
	}
	h[k] = c;
}

/*
 * The canonical score of an item: x . y summed in double in index order,
 * rounded once to float.  It depends on x and y alone, never on how a
 * BLAS kernel split the work, so a request's answer is the same whether
 * it was scored alone, in a batch of 64 or in a batch of another day.
 */
static float
canon_score(const float *x, const float *y, size_t f)
{
	double s = 0;
	size_t a;

	for (a = 0; a < f; a++)
		s += (double)x[a] * y[a];
	return (float)s;
}

static int
cmp_cand_desc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return worse(x, y) - worse(y, x);
}

/*
 * Every unfiltered model item of request i scored canonically, the best
 * L into out: the rare case where the scan's candidates cannot prove
 * their order (more than ALS_SPARE near-ties at the cut).
 */
static uint32_t
als_full_scan(const struct rs_replay *r, size_t i, const float *x,
    struct cand *out, size_t L)
{
	const size_t f = r->f;
	size_t j, hn = 0;

	for (j = 0; j < r->nals; j++) {
		const uint32_t g = r->als2g[r->als_ord[j]];

		if (unavailable(r, g, r->q[i].ts) || bought_before(r, i, g))
			continue;
		heap_push(out, &hn, L, (struct cand){ r->als_ord[j],
		    canon_score(x, r->Ys + j * f, f) });
	}
	qsort(out, hn, sizeof(*out), cmp_cand_desc);
	return (uint32_t)hn;
}

/*
 * The als lists of requests i0 .. i0 + n - 1 into lists (entry j's list
 * at lists + j L, L = 2 kmax) and cnt[n]: the best L unfiltered model
 * items by the canonical score (canon_score), found by the
 * early-stopping scan of replay.h on float scores and then rescored.
 *
 * Layout: X = w->pf_x (m x f, row-major, ld f) holds the factors of the
 * m requests that have any, idx[] their positions in the batch, nx[]
 * their norms, xmu[] = x . mu.  Items are visited in chunks of
 * ALS_CHUNK rows of Ys (descending d = ||y - mu||).  Before each chunk
 * starting at c0, with dmax = d of row c0, a request whose heap is full
 * and whose bound xmu + nx dmax + 2 f FLT_EPSILON nx (||mu|| + dmax) is
 * below its worst kept score h[0] stops: every later item has
 * d <= dmax, so its exact score x . mu + x . (y - mu) is at most
 * xmu + nx dmax (Cauchy-Schwarz), and the rounding of a length-f float
 * dot product adds less than f FLT_EPSILON / 2 times
 * sum |x_a y_a| <= nx ||y|| <= nx (||mu|| + dmax); a computed score
 * below h[0] cannot enter the heap, so stopping changes nothing.  The
 * rows of the requests still going are gathered into Xa = w->pf_xa
 * (na x f, ld f), and S (na x cn, ld cn) = Xa * Ys_c^T, Ys_c the rows
 * c0 .. c0 + cn - 1 of Ys (row-major, ld f), is one sgemm; the first
 * test against thr = h[0] skips most scores with one compare.  Each
 * request's min-heap (H = L + ALS_SPARE entries holding the model row in
 * g, so ties go to the lower row as in a full scan) takes the chunk's
 * scores; the filters are checked only for a score that would enter it,
 * so a filtered item never takes a place.
 *
 * The sgemm scores s~ depend on the batch (kernel blocking), so they only
 * choose candidates.  With D = (2 eps + 2 FLT_EPSILON) nx ymax bounding
 * twice the error of s~ plus that of the canonical score, and tau the
 * L-th best s~: the L items at or above tau have canonical scores of at
 * least tau - D / 2, so every item of the canonical top L has
 * s~ >= tau - D.  The heap holds every such item when its worst entry is
 * below tau - D (or it is not full: then the scan saw every item); the
 * candidates at or above tau - D are rescored canonically and the best L
 * kept.  Otherwise the request is rescored by a full exact scan
 * (w->als_full counts them).  So the list depends on the request alone.
 */
static int
als_lists(const struct rs_replay *r, struct rs_replay_work *w, size_t i0,
    size_t n, struct cand *lists, uint32_t *cnt, struct rs_error *err)
{
	const size_t f = r->f, L = 2 * (size_t)r->p.kmax, H = L + ALS_SPARE;
	const double eps = 2.0 * (double)f * FLT_EPSILON;
	uint32_t idx[RS_REPLAY_BATCH], act[RS_REPLAY_BATCH], m = 0, na, jj;
	int32_t row_of[RS_REPLAY_BATCH];
	double nx[RS_REPLAY_BATCH], xmu[RS_REPLAY_BATCH];
	size_t hn[RS_REPLAY_BATCH], j, c0, t, a;
	int rc;

	for (j = 0; j < n; j++) {
		float *x = w->pf_x + (size_t)m * f;
		double s2 = 0, sm = 0;

		w->tick++;
		hn[j] = 0;
		row_of[j] = -1;
		if ((rc = als_vector(r, w, i0 + j, x, err)) < 0)
			return rc;
		if (rc == 0)
			continue;
		for (a = 0; a < f; a++) {
			s2 += (double)x[a] * x[a];
			sm += (double)x[a] * r->mu[a];
		}
		nx[m] = sqrt(s2);
		xmu[m] = sm;
		row_of[j] = (int32_t)m;
		idx[m++] = (uint32_t)j;
	}
	for (c0 = 0; c0 < r->nals && m > 0; c0 += ALS_CHUNK) {
		const size_t cn = r->nals - c0 < ALS_CHUNK ? r->nals - c0 :
		    ALS_CHUNK;
		const double dmax = r->als_norm[c0];
		const float *X = w->pf_x;

		for (jj = 0, na = 0; jj < m; jj++) {
			const size_t q = idx[jj];

			if (hn[q] == H && xmu[jj] + nx[jj] * dmax +
			    eps * nx[jj] * (r->mu_norm + dmax) <
			    w->pf_heap[q * H].s)
				continue;
			act[na++] = jj;
		}
		if (na == 0)
			break;
		if (na < m) {
			for (jj = 0; jj < na; jj++)
				memcpy(w->pf_xa + (size_t)jj * f,
				    w->pf_x + (size_t)act[jj] * f,
				    f * sizeof(*X));
			X = w->pf_xa;
		}
		rs_dense_sgemm(0, 1, na, cn, f, 1, X, f, r->Ys + c0 * f, f, 0,
		    w->pf_s, cn);
		w->als_scored += (uint64_t)na * cn;
		for (jj = 0; jj < na; jj++) {
			const size_t q = idx[act[jj]];
			const int64_t tq = r->q[i0 + q].ts;
			struct cand *h = w->pf_heap + q * H;
			const float *sc = w->pf_s + (size_t)jj * cn;

			/* below thr nothing can enter: a cheap first test */
			float thr = hn[q] == H ? h[0].s : -INFINITY;

			for (t = 0; t < cn; t++) {
				struct cand c;
				uint32_t g;

				if (sc[t] < thr)
					continue;
				c = (struct cand){ r->als_ord[c0 + t], sc[t] };
				if (hn[q] == H && !worse(&h[0], &c))
					continue;
				g = r->als2g[c.g];
				if (unavailable(r, g, tq) ||
				    bought_before(r, i0 + q, g))
					continue;
				heap_push(h, &hn[q], H, c);
				if (hn[q] == H)
					thr = h[0].s;
			}
		}
	}
	for (j = 0; j < n; j++) {
		struct cand *h = w->pf_heap + j * H, *out = lists + j * L;
		const float *x;
		size_t nc;

		cnt[j] = 0;
		if (row_of[j] < 0)
			continue;
		x = w->pf_x + (size_t)row_of[j] * f;
		qsort(h, hn[j], sizeof(*h), cmp_cand_desc);
		nc = hn[j];
		if (hn[j] > L) {
			const double D = (2 * eps + 2 * FLT_EPSILON) *
			    nx[row_of[j]] * r->ymax;
			const double cut = (double)h[L - 1].s - D;

			if (hn[j] == H && (double)h[H - 1].s >= cut) {
				w->als_full++;
				cnt[j] = als_full_scan(r, i0 + j, x, out, L);
				goto rows;
			}
			while (nc > L && (double)h[nc - 1].s < cut)
				nc--;
		}
		/* the model rows of Ys order: rescore from the model's Y */
		for (t = 0; t < nc; t++)
			h[t].s = canon_score(x, rs_model_item_factors(r->als) +
			    (size_t)h[t].g * f, f);
		qsort(h, nc, sizeof(*h), cmp_cand_desc);
		cnt[j] = (uint32_t)(nc < L ? nc : L);
		memcpy(out, h, cnt[j] * sizeof(*out));
rows:
		for (t = 0; t < cnt[j]; t++)
			out[t].g = r->als2g[out[t].g];
	}
	return 0;
}

int
rs_replay_prefetch(const struct rs_replay *r, struct rs_replay_work *w,
    size_t i0, size_t n, struct rs_error *err)
{
	int rc;

	w->pf_n = 0;
	if (r->als == NULL || n == 0)
		return 0;
	if (n > RS_REPLAY_BATCH || i0 + n > r->nq)
		return rs_error_set(err, RS_EARG, "replay: bad prefetch");
	if ((rc = als_lists(r, w, i0, n, w->pf_list, w->pf_cnt, err)) < 0)
		return rc;
	w->pf_first = i0;
	w->pf_n = n;
	w->cached = 0;
	return 0;
}

static int
src_als(const struct rs_replay *r, struct rs_replay_work *w, size_t i,
    struct cand *out, size_t L, struct rs_error *err)
{
	uint32_t n;
	int rc;

	if (r->als == NULL)
		return 0;
	if (i >= w->pf_first && i < w->pf_first + w->pf_n) {
		n = w->pf_cnt[i - w->pf_first];
		memcpy(out, w->pf_list + (i - w->pf_first) * L,
		    n * sizeof(*out));
		return (int)n;
	}
	if ((rc = als_lists(r, w, i, 1, out, &n, err)) < 0)
		return rc;
	return (int)n;
}
static size_t
src_popular(const struct rs_replay *r, struct rs_replay_work *w, size_t i,
    struct cand *out, size_t L)
{
	size_t j, n = 0;

	if (r->pop != NULL) {
		const float *sc = rs_model_item_scores(r->pop);

		for (j = 0; j < r->npop && n < L; j++) {
			const uint32_t g = r->pop_order[j];

			if (!filtered(r, w, g))
				out[n++] = (struct cand){ g, 0 };
		}
		/* scores by model row: look the row up again */
		for (j = 0; j < n; j++) {
			const int64_t row = rs_model_find_item(r->pop,
			    r->gid[out[j].g]);

			out[j].s = row >= 0 ? sc[row] : 0;
		}
		return n;
	}
	for (j = 0; j < r->cpn[i] && n < L; j++) {
		const uint32_t g = r->cpop[i * r->cpl + j];

		if (!filtered(r, w, g))
			out[n++] = (struct cand){ g,
			    r->cpops[i * r->cpl + j] };
	}
	return n;
}

/* Starts a new tick and marks request i's bought items with it. */
static void
next_tick(const struct rs_replay *r, struct rs_replay_work *w, size_t i)
{
	size_t e;

	w->tick++;
	w->t = r->q[i].ts;
	if (!r->p.keep_bought)
		for (e = r->vb[i]; e < r->ve[i]; e++)
			if (r->type[e] == RS_EV_TRANSACTION)
				w->bought[r->item[e]] = w->tick;
}

int
rs_replay_answer(const struct rs_replay *r, struct rs_replay_work *w,
    size_t i, const struct rs_replay_blend *b, unsigned k,
    struct rs_replay_row *rows, struct rs_error *err)
{
	unsigned s, pass, n = 0;
	const size_t L = 2 * (size_t)r->p.kmax;
	size_t at[RS_REPLAY_MAX_SOURCES];
	int rc;

	if (k == 0 || k > r->p.kmax || i >= r->nq)
		return rs_error_set(err, RS_EARG, "replay: bad k or request");
	/*
	 * Each source's list is computed once per request at length
	 * 2 kmax and reused by every blend and K (a shorter list would be
	 * its prefix).
	 */
	if (w->cached != i + 1) {
		w->cached = i + 1;
		w->have = 0;
	}
	for (s = 0; s < b->n; s++) {
		const int src = b->src[s];
		struct cand *l = w->list[src];

		if (w->have & (1u << src))
			continue;
		w->have |= 1u << src;
		/* a fresh tick per source: marks of another are stale */
		next_tick(r, w, i);
		switch (src) {
		case RS_SRC_RECENT:
			w->nlist[src] = src_recent(r, w, i, l, L);
			break;
		case RS_SRC_ITEMKNN:
			w->nlist[src] = src_itemknn(r, w, i, l, L);
			break;
		case RS_SRC_ALS:
			if ((rc = src_als(r, w, i, l, L, err)) < 0)
				return rc;
			w->nlist[src] = (size_t)rc;
			break;
		default:
			w->nlist[src] = src_popular(r, w, i, l, L);
			break;
		}
	}
	next_tick(r, w, i);
	for (s = 0; s < b->n; s++)
		at[s] = 0;
	/*
	 * One ranked order, built in rounds of Q = sum of quotas slots, and
	 * cut at k: so the first k rows never depend on k (a list is
	 * prefix-consistent).  Each round: pass 0 takes, source by source,
	 * up to its quota of its best items not taken yet; pass 1 fills the
	 * round's slots left over from the sources in the same order (the
	 * back-fill, where a quota of 0 takes part).
	 */
	for (;;) {
		unsigned round = 0, before = n;

		for (pass = 0; pass < 2; pass++)
			for (s = 0; s < b->n && n < k && round < b->sum; s++) {
				const int src = b->src[s];
				unsigned took = 0;

				while (at[s] < w->nlist[src] && n < k &&
				    round < b->sum &&
				    (pass == 1 || took < b->quota[s])) {
					const struct cand *c =
					    &w->list[src][at[s]++];

					if (w->taken[c->g] == w->tick)
						continue;
					w->taken[c->g] = w->tick;
					rows[n++] = (struct rs_replay_row){
					    r->gid[c->g], c->s, (uint8_t)src };
					took++;
					round++;
				}
			}
		if (n == k || n == before)
			break;
	}
	return (int)n;
}

uint64_t
rs_replay_als_scored(const struct rs_replay_work *w)
{
	return w->als_scored;
}

unsigned
rs_replay_rank(const struct rs_replay *r, size_t i,
    const struct rs_replay_row *rows, size_t n)
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
    size_t i, const struct rs_replay_row *rows, size_t n)
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
			a->ndcg[s] += 1.0 / log2(rank + 1.0);
		}
		for (j = 0; j < n; j++) {
			const int64_t g = rs_idmap_find(r->gmap, rows[j].item);
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
	rs_idmap_free(r->gmap);
	free(r->gcount);
	free(r->vis);
	free(r->voff);
	free(r->ts);
	free(r->item);
	free(r->type);
	free(r->evpos);
	free(r->pop_order);
	free(r->knn2g);
	free(r->g2knn);
	free(r->als2g);
	free(r->g2als);
	free(r->G);
	free(r->blocked);
	free(r->g2av);
	free(r->als_ord);
	free(r->als_norm);
	free(r->mu);
	free(r->Ys);
	free(r->q);
	free(r->vb);
	free(r->ve);
	free(r->disc);
	free(r->cpop);
	free(r->cpops);
	free(r->cpn);
	free(r);
}
