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
 *             row-major, double) for fold-in.
 * Invariant: after rs_replay_prepare nothing in r changes, so threads
 * share it; all per-request scratch lives in struct rs_replay_work,
 * whose marks use a tick that grows with every answer, so nothing is
 * cleared per request.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "idmap.h"
#include "replay.h"
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

#define ALS_CHUNK 4096		/* items per sgemm in rs_replay_prefetch */

struct rs_replay_work {
	uint32_t tick;
	uint32_t *bought, *seen, *taken, *accmark, *pos;
	float *acc;
	uint32_t *touched;
	struct cand *list[RS_SRC_N];
	size_t nlist[RS_SRC_N];
	double *A, *b;
	float *x, *sc, *tsc;
	uint32_t *tidx;
	struct cand *cbuf;	/* ng candidates (itemknn) */
	size_t pf_first, pf_n;	/* als lists prefetched for these */
	struct cand *pf_list;	/* RS_REPLAY_BATCH x 2 kmax */
	uint32_t *pf_cnt;	/* per prefetched request; UINT32_MAX none */
	float *pf_x, *pf_s;	/* batch x f, batch x chunk */
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
			if (d == colon + 1 || d < end || q == 0 || q > 100000)
				return rs_error_set(err, RS_EARG, "bad quota "
				    "'%.*s' (expected a whole number 1..100000)",
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
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return 0;
}

void
rs_replay_blend_quotas(const struct rs_replay_blend *b, unsigned k,
    unsigned *q)
{
	uint64_t sum = 0, rem[RS_REPLAY_MAX_SOURCES];
	unsigned i, used = 0;

	for (i = 0; i < b->n; i++)
		sum += b->quota[i];
	for (i = 0; i < b->n; i++) {
		q[i] = (unsigned)((uint64_t)b->quota[i] * k / sum);
		rem[i] = (uint64_t)b->quota[i] * k % sum;
		used += q[i];
	}
	while (used < k) {
		unsigned best = 0;

		for (i = 1; i < b->n; i++)
			if (rem[i] > rem[best])
				best = i;
		q[best]++;
		rem[best] = 0;
		used++;
	}
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

/* Causal popular top list: better(a, b) by count, then lower id. */
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

/*
 * Causal popular lists: events and requests are swept together in time
 * order; before request i, every event with time < t_i has been counted.
 * The best cpl items are kept in top[] in order (counts only grow, so an
 * item enters the list exactly when it beats the last one), and copied
 * for each request.
 */
static int
causal_popular(struct rs_replay *r, struct rs_error *err)
{
	struct tsidx *e = NULL, *qi = NULL;
	double *cnt = NULL;
	uint32_t *top = NULL, ntop = 0;
	uint8_t *in = NULL;
	size_t i, j = 0, t;
	int rc = 0;

	r->cpl = 2 * r->p.kmax + 64;
	e = malloc((r->nev + 1) * sizeof(*e));
	qi = malloc((r->nq + 1) * sizeof(*qi));
	cnt = calloc((size_t)r->ng + 1, sizeof(*cnt));
	top = malloc(((size_t)r->cpl + 1) * sizeof(*top));
	in = calloc((size_t)r->ng + 1, 1);
	r->cpop = malloc((r->nq * r->cpl + 1) * sizeof(*r->cpop));
	r->cpops = malloc((r->nq * r->cpl + 1) * sizeof(*r->cpops));
	r->cpn = calloc(r->nq + 1, sizeof(*r->cpn));
	if (e == NULL || qi == NULL || cnt == NULL || top == NULL ||
	    in == NULL || r->cpop == NULL || r->cpops == NULL ||
	    r->cpn == NULL) {
		rc = nomem(err);
		goto out;
	}
	for (i = 0; i < r->nev; i++)
		e[i] = (struct tsidx){ r->ts[i], r->evpos[i], i };
	for (i = 0; i < r->nq; i++)
		qi[i] = (struct tsidx){ r->q[i].ts, i, i };
	qsort(e, r->nev, sizeof(*e), cmp_tsidx);
	qsort(qi, r->nq, sizeof(*qi), cmp_tsidx);
	for (t = 0; t < r->nq; t++) {
		const size_t qn = qi[t].i;

		for (; j < r->nev && e[j].ts < qi[t].ts; j++) {
			const uint32_t g = r->item[e[j].i];
			const double w = r->type[e[j].i] < RS_EV_NTYPES ?
			    r->p.weights[r->type[e[j].i]] : 0;
			size_t k;

			if (!(w > 0))
				continue;
			cnt[g] += w;
			if (!in[g]) {
				if (ntop == r->cpl) {
					if (!better(cnt, r->gid, g,
					    top[ntop - 1]))
						continue;
					in[top[--ntop]] = 0;
				}
				in[g] = 1;
				top[ntop++] = g;
				k = ntop - 1;
			} else {
				for (k = 0; top[k] != g; k++)
					;
			}
			for (; k > 0 && better(cnt, r->gid, top[k],
			    top[k - 1]); k--) {
				const uint32_t tmp = top[k];

				top[k] = top[k - 1];
				top[k - 1] = tmp;
			}
		}
		r->cpn[qn] = ntop;
		for (i = 0; i < ntop; i++) {
			r->cpop[qn * r->cpl + i] = top[i];
			r->cpops[qn * r->cpl + i] = (float)cnt[top[i]];
		}
	}
out:
	free(e);
	free(qi);
	free(cnt);
	free(top);
	free(in);
	return rc;
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
	if (r->blocked == NULL || r->g2knn == NULL || r->g2als == NULL)
		return nomem(err);
	for (i = 0; i < r->ng; i++) {
		r->g2knn[i] = r->g2als[i] = -1;
		if (r->items != NULL && !rs_items_available(r->items, r->gid[i]))
			r->blocked[i] = 1;
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
	free(w->x);
	free(w->sc);
	free(w->tsc);
	free(w->tidx);
	free(w->cbuf);
	free(w->pf_list);
	free(w->pf_cnt);
	free(w->pf_x);
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
	w->x = malloc(((size_t)r->f + 1) * sizeof(*w->x));
	w->sc = malloc(((size_t)r->nals + 1) * sizeof(*w->sc));
	w->tsc = malloc(L * sizeof(*w->tsc));
	w->tidx = malloc(L * sizeof(*w->tidx));
	w->cbuf = malloc(ng * sizeof(*w->cbuf));
	w->pf_list = malloc(RS_REPLAY_BATCH * L * sizeof(*w->pf_list));
	w->pf_cnt = malloc(RS_REPLAY_BATCH * sizeof(*w->pf_cnt));
	w->pf_x = malloc((RS_REPLAY_BATCH * (size_t)r->f + 1) *
	    sizeof(*w->pf_x));
	w->pf_s = malloc((RS_REPLAY_BATCH * (size_t)ALS_CHUNK + 1) *
	    sizeof(*w->pf_s));
	if (w->bought == NULL || w->seen == NULL || w->taken == NULL ||
	    w->accmark == NULL || w->pos == NULL || w->acc == NULL ||
	    w->touched == NULL || w->A == NULL || w->b == NULL ||
	    w->x == NULL || w->sc == NULL || w->tsc == NULL || w->tidx == NULL ||
	    w->cbuf == NULL || w->pf_list == NULL || w->pf_cnt == NULL ||
	    w->pf_x == NULL || w->pf_s == NULL)
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
	return r->blocked[g] || w->bought[g] == w->tick;
}

static double
evw(const struct rs_replay *r, uint8_t t)
{
	return t < RS_EV_NTYPES ? r->p.weights[t] : 0;
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

static int
src_als(const struct rs_replay *r, struct rs_replay_work *w, size_t i,
    struct cand *out, size_t L, struct rs_error *err)
{
	const float *Y;
	const size_t f = r->f;
	size_t n, j;
	int rc;

	if (r->als == NULL)
		return 0;
	if (i >= w->pf_first && i < w->pf_first + w->pf_n) {
		n = w->pf_cnt[i - w->pf_first];
		memcpy(out, w->pf_list + (i - w->pf_first) * L,
		    n * sizeof(*out));
		return (int)n;
	}
	Y = rs_model_item_factors(r->als);
	if ((rc = als_vector(r, w, i, w->x, err)) <= 0)
		return rc;
	for (j = 0; j < r->nals; j++)
		w->sc[j] = filtered(r, w, r->als2g[j]) ? -INFINITY :
		    rs_dense_dot(w->x, Y + j * f, f);
	n = rs_topk(w->sc, r->nals, L, w->tidx, w->tsc);
	for (j = 0; j < n; j++)
		out[j] = (struct cand){ r->als2g[w->tidx[j]], w->tsc[j] };
	return (int)n;
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

static int
cmp_row_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return worse(x, y) - worse(y, x);
}

int
rs_replay_prefetch(const struct rs_replay *r, struct rs_replay_work *w,
    size_t i0, size_t n, struct rs_error *err)
{
	const size_t f = r->f, L = 2 * (size_t)r->p.kmax;
	const float *Y;
	uint32_t m = 0, jj;
	uint32_t idx[RS_REPLAY_BATCH];
	size_t hn[RS_REPLAY_BATCH], j, c0, t;
	int rc;

	w->pf_n = 0;
	if (r->als == NULL || n == 0)
		return 0;
	if (n > RS_REPLAY_BATCH || i0 + n > r->nq)
		return rs_error_set(err, RS_EARG, "replay: bad prefetch");
	Y = rs_model_item_factors(r->als);
	for (j = 0; j < n; j++) {
		w->tick++;
		if ((rc = als_vector(r, w, i0 + j, w->pf_x + (size_t)m * f,
		    err)) < 0)
			return rc;
		w->pf_cnt[j] = 0;
		hn[j] = 0;
		if (rc > 0)
			idx[m++] = (uint32_t)j;
	}
	/*
	 * S (m x cn, ld cn) = X (m x f, ld f) * Y_c^T, Y_c the rows c0 ..
	 * c0 + cn - 1 of Y (row-major, ld f): one sgemm per chunk, then
	 * each request's heap (entries hold the model row in g) takes the
	 * chunk's scores.  The filters are checked only for a score that
	 * would enter the heap.
	 */
	for (c0 = 0; c0 < r->nals && m > 0; c0 += ALS_CHUNK) {
		const size_t cn = r->nals - c0 < ALS_CHUNK ? r->nals - c0 :
		    ALS_CHUNK;

		rs_dense_sgemm(0, 1, m, cn, f, 1, w->pf_x, f, Y + c0 * f, f, 0,
		    w->pf_s, cn);
		for (jj = 0; jj < m; jj++) {
			const size_t q = idx[jj];
			struct cand *h = w->pf_list + q * L;
			const float *sc = w->pf_s + (size_t)jj * cn;

			for (t = 0; t < cn; t++) {
				const uint32_t row = (uint32_t)(c0 + t);
				const struct cand c = { row, sc[t] };

				if (hn[q] == L && !worse(&h[0], &c))
					continue;
				if (r->blocked[r->als2g[row]] ||
				    bought_before(r, i0 + q, r->als2g[row]))
					continue;
				heap_push(h, &hn[q], L, c);
			}
		}
	}
	/* heaps -> best first, rows -> items */
	for (j = 0; j < n; j++) {
		struct cand *h = w->pf_list + j * L;

		qsort(h, hn[j], sizeof(*h), cmp_row_cand);
		for (t = 0; t < hn[j]; t++)
			h[t].g = r->als2g[h[t].g];
		w->pf_cnt[j] = (uint32_t)hn[j];
	}
	w->pf_first = i0;
	w->pf_n = n;
	w->cached = 0;
	return 0;
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
	unsigned q[RS_REPLAY_MAX_SOURCES], s, pass, n = 0;
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
	rs_replay_blend_quotas(b, k, q);
	for (s = 0; s < b->n; s++)
		at[s] = 0;
	for (pass = 0; pass < 2; pass++)
		for (s = 0; s < b->n && n < k; s++) {
			const int src = b->src[s];
			unsigned took = 0;

			while (at[s] < w->nlist[src] && n < k &&
			    (pass == 1 || took < q[s])) {
				const struct cand *c = &w->list[src][at[s]++];

				if (w->taken[c->g] == w->tick)
					continue;
				w->taken[c->g] = w->tick;
				rows[n++] = (struct rs_replay_row){ r->gid[c->g],
				    c->s, (uint8_t)src };
				took++;
			}
		}
	return (int)n;
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
	free(r->q);
	free(r->vb);
	free(r->ve);
	free(r->disc);
	free(r->cpop);
	free(r->cpops);
	free(r->cpn);
	free(r);
}
