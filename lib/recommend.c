/*
 * recommend.c - per-visitor recommendations (definitions in recommend.h).
 *
 * Data layout after rs_rec_prepare (all read-only afterwards):
 *   elig[c]   model item index of compact item c, c < ne, for the ne
 *             eligible items in decreasing norm |y_i| (ties: lower index
 *             first); cidx[i] the inverse (-1: ineligible)
 *   ynorm[c]  |y_elig[c]|, non-increasing
 *   Yc        ne x f, row-major, ld f: y_elig[c]
 *   Ycn       ne x f, row-major, ld f: Yc's rows divided by their norms
 *             (zero rows stay zero); built when params.cosine
 *   ex_cmap[e][col]   compact index of column col of exclusion matrix e
 *   hist_map[col]     model item index of column col of the history
 *   G         f x f, row-major, double: Y^T Y + lambda I over all model
 *             items (lower triangle used); built when params.fold_in
 *   pop_ids/pop_scores   the eligible popular items, best first
 *
 * Scoring kernel (one call per batch and kind of list): Q (m x f,
 * row-major, ld f) holds the query vectors; rows [rowptr[s], rowptr[s+1])
 * belong to slot s.  For each chunk of C compact items [c0, c0 + n):
 *   S (m x n, row-major, ld n) = Q (m x f) * Yt[c0 .. c0+n)^T
 * (one sgemm: A = Q not transposed, B = Yt + c0 f transposed, ld f).  A
 * slot's score of item c is the largest of its rows' S values (a row's own
 * item, self[row], excluded).  The slot's excluded items are set to
 * -INFINITY, then every score above the slot's threshold (the worst of
 * its K best so far, -INFINITY until K are held) enters a min-heap of K,
 * ordered by score, then by lower model index.  C is chosen so that S is
 * at most about 1 MB (64 KB for a single query) and stays in cache
 * between the sgemm and the selection.  Items come in decreasing norm, so
 * for the model's own scores the scan can stop early (see kernel()).
 *
 * Memory: besides the model, Yc (ne f floats), Ycn when cosine (as
 * much), G when fold-in (f^2 doubles), 4-byte maps per item and per
 * column of each matrix; a work area holds about batch x (recent_n x f +
 * 4 K) floats plus a 1 MB score chunk.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "recommend.h"
#include "banned.h"

#define S_FLOATS (1u << 18)	/* kernel chunk: m x C <= this */
#define MIN_CHUNK 256
#define MAX_CHUNK 16384		/* items per chunk for a few queries */
#define PRUNE_CHUNK 4096	/* items per chunk when the scan may stop */

struct rs_rec {
	const struct rs_model *m;
	struct rs_rec_params p;
	int kind;
	uint32_t nitems, f;
	const uint64_t *item_ids;
	const struct rs_model *fallback;
	const struct rs_csr *ex[RS_REC_MAX_EXCLUDE];
	int32_t *ex_map[RS_REC_MAX_EXCLUDE];	/* col -> model index */
	int32_t *ex_cmap[RS_REC_MAX_EXCLUDE];	/* col -> compact index */
	unsigned nex;
	const struct rs_csr *hist;
	int32_t *hist_map;
	const struct rs_items *items;
	uint64_t *only, *deny;
	size_t nonly, ndeny;
	int has_only, prepared;
	uint32_t ne;
	uint32_t *elig;
	int32_t *cidx;
	const float *Yc;
	float *Yc_owned, *Ycn, *ynorm;
	double *G;
	uint64_t *pop_ids;
	float *pop_scores;
	size_t npop;
	int has_pop;
};

struct pair {
	uint32_t item;
	double w;
};

struct rs_rec_work {
	size_t maxq, maxrows, scap, k;
	float *Q, *S, *tmp, *xn;
	uint32_t *rowptr, *sq;
	int32_t *self;
	float *hs;
	uint32_t *hi, *hn;
	uint32_t *exl;		/* excluded compact items, per query */
	size_t exl_cap, *exptr;
	struct rs_rec_row *off, *on;
	size_t *noff, *non;
	int *mode;
	uint32_t *recent;	/* model indices, per query recent_n */
	size_t *nrec;
	double *A, *b;
	struct pair *pairs;
	size_t pairs_cap;
};

enum { MODE_NONE, MODE_MODEL, MODE_POP };

static const char *const source_names[] = { "als", "popular", "online" };

const char *
rs_rec_source_name(int source)
{
	return source >= 0 && source < 3 ? source_names[source] : "unknown";
}

void
rs_rec_params_init(struct rs_rec_params *p)
{
	memset(p, 0, sizeof(*p));
	p->k = 10;
	p->batch = 256;
	p->recent_n = 5;
	p->weights[RS_EV_VIEW] = 1;
	p->weights[RS_EV_ADDTOCART] = 5;
	p->weights[RS_EV_TRANSACTION] = 3;
	p->alpha = 40;
	p->regularization = 0.1;
	p->epsilon = 1;
	p->log_confidence = 0;
}

int
rs_rec_params_from_model(struct rs_rec_params *p, const struct rs_model *m,
    struct rs_error *err)
{
	struct rs_model_fold fp;
	int rc;

	if ((rc = rs_model_fold_params(m, &fp, err)) < 0)
		return rc;
	p->alpha = fp.alpha;
	p->regularization = fp.regularization;
	p->epsilon = fp.epsilon;
	p->log_confidence = fp.log_confidence;
	return 0;
}

int
rs_rec_create(struct rs_rec **out, const struct rs_model *m,
    const struct rs_rec_params *p, struct rs_error *err)
{
	struct rs_rec *r;
	int als = rs_model_kind(m) == RS_MODEL_ALS;

	*out = NULL;
	if (p->k < 1 || p->k > RS_REC_MAX_K || p->batch < 1 ||
	    p->batch > RS_REC_MAX_BATCH || p->recent_n > 1000)
		return rs_error_set(err, RS_EARG, "recommender: k, batch or "
		    "recent_n out of range");
	if (!als && (p->cosine || p->fold_in))
		return rs_error_set(err, RS_EARG, "%s needs an als model, "
		    "not a popular one", p->fold_in ? "fold-in" :
		    "similar items");
	if (p->fold_in && (!(p->alpha >= 0) || !(p->regularization >= 0) ||
	    (p->log_confidence && !(p->epsilon > 0))))
		return rs_error_set(err, RS_EARG, "fold-in: bad alpha or "
		    "regularization");
	rs_dense_init();
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	r->m = m;
	r->p = *p;
	r->kind = rs_model_kind(m);
	r->nitems = rs_model_nitems(m);
	r->f = rs_model_factors(m);
	r->item_ids = rs_model_item_ids(m);
	*out = r;
	return 0;
}

int
rs_rec_set_fallback(struct rs_rec *r, const struct rs_model *popular,
    struct rs_error *err)
{
	if (rs_model_kind(popular) != RS_MODEL_POPULAR)
		return rs_error_set(err, RS_EARG, "fallback: not a popular "
		    "model");
	r->fallback = popular;
	return 0;
}

/*
 * Maps the columns of c to model item indices and counts the rows and
 * columns unknown to the model (both id lists ascend: one merge each).
 */
static int32_t *
map_columns(const struct rs_rec *r, const struct rs_csr *c,
    struct rs_rec_match *match)
{
	const uint64_t *uids = rs_model_user_ids(r->m);
	uint32_t nu = rs_model_nusers(r->m), i, j;
	int32_t *map;

	if ((map = malloc(((size_t)c->ncols + 1) * sizeof(*map))) == NULL)
		return NULL;
	for (i = 0, j = 0; i < c->ncols; i++) {
		while (j < r->nitems && r->item_ids[j] < c->col_ids[i])
			j++;
		map[i] = j < r->nitems && r->item_ids[j] == c->col_ids[i] ?
		    (int32_t)j : -1;
	}
	if (match != NULL) {
		memset(match, 0, sizeof(*match));
		match->rows = c->nrows;
		match->cols = c->ncols;
		for (i = 0; i < c->ncols; i++)
			match->cols_unknown += map[i] < 0;
		if (r->kind == RS_MODEL_ALS)
			for (i = 0, j = 0; i < c->nrows; i++) {
				while (j < nu && uids[j] < c->row_ids[i])
					j++;
				match->rows_unknown += !(j < nu &&
				    uids[j] == c->row_ids[i]);
			}
	}
	return map;
}

int
rs_rec_add_exclude(struct rs_rec *r, const struct rs_csr *m,
    struct rs_rec_match *match, struct rs_error *err)
{
	if (r->prepared || r->nex == RS_REC_MAX_EXCLUDE)
		return rs_error_set(err, RS_EARG, "too many exclusion "
		    "matrices");
	if ((r->ex_map[r->nex] = map_columns(r, m, match)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	r->ex[r->nex++] = m;
	return 0;
}

int
rs_rec_set_history(struct rs_rec *r, const struct rs_csr *m,
    struct rs_rec_match *match, struct rs_error *err)
{
	if (r->prepared)
		return rs_error_set(err, RS_EARG, "recommender is prepared");
	free(r->hist_map);
	if ((r->hist_map = map_columns(r, m, match)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	r->hist = m;
	return 0;
}

int
rs_rec_set_items(struct rs_rec *r, const struct rs_items *t,
    uint64_t *missing)
{
	uint32_t i;

	r->items = t;
	if (missing != NULL) {
		*missing = 0;
		for (i = 0; i < r->nitems; i++)
			*missing += rs_items_find(t, r->item_ids[i]) < 0;
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
has_id(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id;
}

int
rs_rec_set_item_list(struct rs_rec *r, int only, const uint64_t *ids,
    size_t n, struct rs_error *err)
{
	uint64_t *c;

	if (r->prepared)
		return rs_error_set(err, RS_EARG, "recommender is prepared");
	if ((c = malloc((n + 1) * sizeof(*c))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	if (n > 0)
		memcpy(c, ids, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_u64);
	if (only) {
		free(r->only);
		r->only = c, r->nonly = n, r->has_only = 1;
	} else {
		free(r->deny);
		r->deny = c, r->ndeny = n;
	}
	return 0;
}

/* 1 if item id passes the global filters. */
static int
eligible_id(const struct rs_rec *r, uint64_t id)
{
	if (r->items != NULL && !rs_items_available(r->items, id))
		return 0;
	if (r->has_only && !has_id(r->only, r->nonly, id))
		return 0;
	return !has_id(r->deny, r->ndeny, id);
}

struct popent {
	uint64_t id;
	float s;
};

static int
cmp_pop(const void *a, const void *b)
{
	const struct popent *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
prepare_popular(struct rs_rec *r, struct rs_error *err)
{
	const struct rs_model *pm = r->fallback ? r->fallback :
	    (r->kind == RS_MODEL_POPULAR ? r->m : NULL);
	const uint64_t *ids;
	const float *sc;
	struct popent *e;
	uint32_t n, i;
	size_t j = 0;

	if (pm == NULL)
		return 0;
	n = rs_model_nitems(pm);
	ids = rs_model_item_ids(pm);
	sc = rs_model_item_scores(pm);
	if ((e = malloc(((size_t)n + 1) * sizeof(*e))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (eligible_id(r, ids[i]))
			e[j].id = ids[i], e[j++].s = sc[i];
	qsort(e, j, sizeof(*e), cmp_pop);
	r->pop_ids = malloc((j + 1) * sizeof(*r->pop_ids));
	r->pop_scores = malloc((j + 1) * sizeof(*r->pop_scores));
	if (r->pop_ids == NULL || r->pop_scores == NULL) {
		free(e);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	for (i = 0; i < j; i++)
		r->pop_ids[i] = e[i].id, r->pop_scores[i] = e[i].s;
	r->npop = j;
	r->has_pop = 1;
	free(e);
	return 0;
}

struct normkey {
	float nrm;
	uint32_t i;
};

static int
cmp_norm(const void *a, const void *b)
{
	const struct normkey *x = a, *y = b;

	if (x->nrm != y->nrm)
		return x->nrm > y->nrm ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sorts elig[0..ne) by decreasing |y_i| and fills ynorm alongside. */
static int
norm_order(struct rs_rec *r, const float *Y, struct rs_error *err)
{
	struct normkey *key;
	size_t c, f = r->f;

	key = malloc(((size_t)r->ne + 1) * sizeof(*key));
	r->ynorm = malloc(((size_t)r->ne + 1) * sizeof(*r->ynorm));
	if (key == NULL || r->ynorm == NULL) {
		free(key);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	for (c = 0; c < r->ne; c++) {
		key[c].i = r->elig[c];
		key[c].nrm = (float)sqrt(rs_dense_dot_f64(Y +
		    (size_t)r->elig[c] * f, Y + (size_t)r->elig[c] * f, f));
	}
	qsort(key, r->ne, sizeof(*key), cmp_norm);
	for (c = 0; c < r->ne; c++) {
		r->elig[c] = key[c].i;
		r->ynorm[c] = key[c].nrm;
	}
	free(key);
	return 0;
}

int
rs_rec_prepare(struct rs_rec *r, struct rs_error *err)
{
	const float *Y = rs_model_item_factors(r->m);
	size_t f = r->f, c, i, e;
	uint32_t col;
	float *tmp;
	double nrm;
	int rc;

	if (r->prepared)
		return 0;
	r->elig = malloc(((size_t)r->nitems + 1) * sizeof(*r->elig));
	r->cidx = malloc(((size_t)r->nitems + 1) * sizeof(*r->cidx));
	if (r->elig == NULL || r->cidx == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	for (i = 0; i < r->nitems; i++)
		if (eligible_id(r, r->item_ids[i]))
			r->elig[r->ne++] = (uint32_t)i;
	if (r->kind == RS_MODEL_ALS && (rc = norm_order(r, Y, err)) < 0)
		return rc;
	for (i = 0; i < r->nitems; i++)
		r->cidx[i] = -1;
	for (c = 0; c < r->ne; c++)
		r->cidx[r->elig[c]] = (int32_t)c;
	for (e = 0; e < r->nex; e++) {
		r->ex_cmap[e] = malloc(((size_t)r->ex[e]->ncols + 1) *
		    sizeof(int32_t));
		if (r->ex_cmap[e] == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		for (col = 0; col < r->ex[e]->ncols; col++)
			r->ex_cmap[e][col] = r->ex_map[e][col] < 0 ? -1 :
			    r->cidx[r->ex_map[e][col]];
	}
	if ((rc = prepare_popular(r, err)) < 0)
		return rc;
	if (r->kind != RS_MODEL_ALS) {
		r->prepared = 1;
		return 0;
	}
	if ((r->Yc_owned = rs_dense_alloc((size_t)r->ne * f + 1)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	for (c = 0; c < r->ne; c++)
		memcpy(r->Yc_owned + c * f, Y + (size_t)r->elig[c] * f,
		    f * sizeof(float));
	r->Yc = r->Yc_owned;
	if (r->p.cosine) {
		if ((r->Ycn = rs_dense_alloc((size_t)r->ne * f + 1)) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		for (c = 0; c < r->ne; c++) {
			nrm = rs_dense_dot_f64(r->Yc + c * f, r->Yc + c * f, f);
			nrm = nrm > 0 ? 1 / sqrt(nrm) : 0;
			for (i = 0; i < f; i++)
				r->Ycn[c * f + i] = (float)(r->Yc[c * f + i] *
				    nrm);
		}
	}
	if (r->p.fold_in) {
		/* G = Y^T Y (all nitems rows of Y, ld f) + lambda I. */
		r->G = rs_dense_alloc_f64(f * f);
		tmp = rs_dense_alloc(f * f);
		if (r->G == NULL || tmp == NULL) {
			rs_dense_free(tmp);
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		}
		memset(r->G, 0, f * f * sizeof(double));
		rs_dense_gram_acc(Y, r->nitems, f, f, r->G, tmp);
		rs_dense_free(tmp);
		for (i = 0; i < f; i++)
			r->G[i * f + i] += r->p.regularization;
	}
	r->prepared = 1;
	return 0;
}

uint32_t
rs_rec_eligible(const struct rs_rec *r)
{
	return r->kind == RS_MODEL_ALS ? r->ne : (uint32_t)r->npop;
}

void
rs_rec_free(struct rs_rec *r)
{
	unsigned e;

	if (r == NULL)
		return;
	for (e = 0; e < RS_REC_MAX_EXCLUDE; e++) {
		free(r->ex_map[e]);
		free(r->ex_cmap[e]);
	}
	free(r->hist_map);
	free(r->only);
	free(r->deny);
	free(r->elig);
	free(r->cidx);
	rs_dense_free(r->Yc_owned);
	rs_dense_free(r->Ycn);
	free(r->ynorm);
	rs_dense_free(r->G);
	free(r->pop_ids);
	free(r->pop_scores);
	free(r);
}

/* ---- work areas ---- */

int
rs_rec_work_create(struct rs_rec_work **out, const struct rs_rec *r,
    struct rs_error *err)
{
	struct rs_rec_work *w;
	size_t b = r->p.batch, k = r->p.k, f = r->f ? r->f : 1;
	size_t n = r->p.recent_n ? r->p.recent_n : 1;

	*out = NULL;
	if (!r->prepared)
		return rs_error_set(err, RS_EARG, "recommender not prepared");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	w->maxq = b;
	w->maxrows = b * n;
	w->k = k;
	w->scap = w->maxrows * MIN_CHUNK > S_FLOATS ? w->maxrows * MIN_CHUNK :
	    S_FLOATS;
	w->Q = rs_dense_alloc(w->maxrows * f);
	w->S = rs_dense_alloc(w->scap);
	w->tmp = rs_dense_alloc(MAX_CHUNK);	/* one slot's chunk, C <= it */
	w->rowptr = malloc((b + 1) * sizeof(*w->rowptr));
	w->sq = malloc(b * sizeof(*w->sq));
	w->xn = malloc(b * sizeof(*w->xn));
	w->self = malloc(w->maxrows * sizeof(*w->self));
	w->hs = malloc(b * k * sizeof(*w->hs));
	w->hi = malloc(b * k * sizeof(*w->hi));
	w->hn = malloc(b * sizeof(*w->hn));
	w->exptr = malloc((b + 1) * sizeof(*w->exptr));
	w->off = malloc(b * k * sizeof(*w->off));
	w->on = malloc(b * k * sizeof(*w->on));
	w->noff = malloc(b * sizeof(*w->noff));
	w->non = malloc(b * sizeof(*w->non));
	w->mode = malloc(b * sizeof(*w->mode));
	w->recent = malloc(b * n * sizeof(*w->recent));
	w->nrec = malloc(b * sizeof(*w->nrec));
	w->A = rs_dense_alloc_f64(f * f);
	w->b = rs_dense_alloc_f64(f);
	if (!w->Q || !w->S || !w->tmp || !w->rowptr || !w->sq || !w->xn ||
	    !w->self || !w->hs || !w->hi || !w->hn || !w->exptr || !w->off ||
	    !w->on || !w->noff || !w->non || !w->mode || !w->recent ||
	    !w->nrec || !w->A || !w->b) {
		rs_rec_work_free(w);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	*out = w;
	return 0;
}

void
rs_rec_work_free(struct rs_rec_work *w)
{
	if (w == NULL)
		return;
	rs_dense_free(w->Q);
	rs_dense_free(w->S);
	rs_dense_free(w->tmp);
	free(w->rowptr);
	free(w->sq);
	free(w->xn);
	free(w->self);
	free(w->hs);
	free(w->hi);
	free(w->hn);
	free(w->exl);
	free(w->exptr);
	free(w->off);
	free(w->on);
	free(w->noff);
	free(w->non);
	free(w->mode);
	free(w->recent);
	free(w->nrec);
	rs_dense_free(w->A);
	rs_dense_free(w->b);
	free(w->pairs);
	free(w);
}

/* ---- selection ---- */

/* 1 if (sa, ia) ranks below (sb, ib). */
static inline int
worse(float sa, uint32_t ia, float sb, uint32_t ib)
{
	return sa < sb || (sa == sb && ia > ib);
}

static void
heap_down(float *hs, uint32_t *hi, size_t n, size_t i)
{
	size_t c;
	float ts;
	uint32_t ti;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && worse(hs[c + 1], hi[c + 1], hs[c], hi[c]))
			c++;
		if (!worse(hs[c], hi[c], hs[i], hi[i]))
			break;
		ts = hs[c], hs[c] = hs[i], hs[i] = ts;
		ti = hi[c], hi[c] = hi[i], hi[i] = ti;
		i = c;
	}
}

static void
heap_up(float *hs, uint32_t *hi, size_t i)
{
	size_t p;
	float ts;
	uint32_t ti;

	while (i > 0) {
		p = (i - 1) / 2;
		if (!worse(hs[i], hi[i], hs[p], hi[p]))
			break;
		ts = hs[p], hs[p] = hs[i], hs[i] = ts;
		ti = hi[p], hi[p] = hi[i], hi[i] = ti;
		i = p;
	}
}

/*
 * Offers row[0..n) (compact items c0 + t, model items mi[t]) to the heap
 * of k, which holds model indices.  Once the heap is full only scores of
 * at least its worst are looked at (an equal score enters when its model
 * index is lower: chunks are in norm order, not index order).  Blocks of
 * 64 are first tested through their maximum, taken as eight lanes of
 * eight (a fixed-length elementwise loop the compiler turns into vector
 * max instructions at -O2), so a block below the threshold costs about
 * ten instructions.  -INFINITY (excluded) never enters.
 */
static void
select_row(const float *row, size_t n, const uint32_t *mi, float *hs,
    uint32_t *hi, uint32_t *hn, size_t k)
{
	float thr = *hn < k ? -INFINITY : hs[0], mx, v, m8[8];
	size_t j, t, u;

	for (j = 0; j < n; j += 64) {
		if (j + 64 <= n) {
			for (t = 0; t < 8; t++)
				m8[t] = row[j + t];
			for (u = 8; u < 64; u += 8)
				for (t = 0; t < 8; t++)
					m8[t] = row[j + u + t] > m8[t] ?
					    row[j + u + t] : m8[t];
			mx = m8[0];
			for (t = 1; t < 8; t++)
				mx = m8[t] > mx ? m8[t] : mx;
			if (*hn < k ? !(mx > -INFINITY) : !(mx >= thr))
				continue;
		}
		for (t = j; t < j + 64 && t < n; t++) {
			v = row[t];
			if (*hn < k) {
				if (!(v > -INFINITY))
					continue;
				hs[*hn] = v, hi[*hn] = mi[t];
				heap_up(hs, hi, (*hn)++);
				if (*hn == k)
					thr = hs[0];
			} else {
				if (!(v >= thr) || (v == thr && mi[t] > hi[0]))
					continue;
				hs[0] = v, hi[0] = mi[t];
				heap_down(hs, hi, k, 0);
				thr = hs[0];
			}
		}
	}
}

/* Sorts a heap of n best first (repeatedly moving the worst last). */
static void
heap_sort(float *hs, uint32_t *hi, size_t n)
{
	float ts;
	uint32_t ti;
	size_t m;

	for (m = n; m > 1; m--) {
		ts = hs[0], hs[0] = hs[m - 1], hs[m - 1] = ts;
		ti = hi[0], hi[0] = hi[m - 1], hi[m - 1] = ti;
		heap_down(hs, hi, m - 1, 0);
	}
}

/*
 * The kernel of the header comment over nslots slots: Q rows, w->rowptr,
 * w->self, w->sq (slot -> query, whose exclusions are w->exl[w->exptr[q]
 * .. w->exptr[q+1]), or no exclusions when use_ex is 0).  Results in
 * w->hs/hi (model indices, k per slot, best first) and w->hn.
 *
 * With prune (single-row slots, w->xn[s] = |x_s|): compact items are in
 * decreasing norm, and by Cauchy-Schwarz x_s . y_c <= |x_s| |y_c|, so once
 * every slot holds k items whose worst beats |x_s| |y_c0| (times 1 + 1e-4
 * for the rounding of the float products) no later item can enter: the
 * scan stops there, exactly.  Returns the flops.
 */
static double
kernel(const struct rs_rec *r, struct rs_rec_work *w, const float *Yt,
    size_t nslots, int use_ex, int prune)
{
	size_t f = r->f, k = w->k, m = w->rowptr[nslots], C, n, s, q, row, j;
	size_t ne = r->ne, live;
	uint32_t c0, *hi, c;
	float *S = w->S, *hs, *line;
	size_t expos[RS_REC_MAX_BATCH];
	double flops = 0;
	int32_t sf;

	for (s = 0; s < nslots; s++) {
		w->hn[s] = 0;
		expos[s] = use_ex ? w->exptr[w->sq[s]] : 0;
	}
	if (m == 0 || ne == 0)
		return 0;
	C = w->scap / m;
	if (C > MAX_CHUNK)
		C = MAX_CHUNK;
	if (prune && C > PRUNE_CHUNK)
		C = PRUNE_CHUNK;
	if (C > ne)
		C = ne;
	if (C > 64)
		C &= ~(size_t)63;
	for (c0 = 0; c0 < ne; c0 += (uint32_t)n) {
		n = ne - c0 < C ? ne - c0 : C;
		if (prune) {
			for (s = 0, live = 0; s < nslots; s++)
				live += w->hn[s] < k || w->hs[s * k] <=
				    w->xn[s] * r->ynorm[c0] * (1 + 1e-4f);
			if (live == 0)
				break;
		}
		/* S (m x n, ld n) = Q (m x f, ld f) * Yt[c0..c0+n)^T. */
		rs_dense_sgemm(0, 1, m, n, f, 1.0f, w->Q, f,
		    Yt + (size_t)c0 * f, f, 0.0f, S, n);
		flops += 2.0 * (double)m * (double)n * (double)f;
		for (row = 0; row < m; row++) {
			sf = w->self[row];
			if (sf >= (int32_t)c0 && (size_t)sf < c0 + n)
				S[row * n + (size_t)sf - c0] = -INFINITY;
		}
		for (s = 0; s < nslots; s++) {
			line = S + (size_t)w->rowptr[s] * n;
			if (w->rowptr[s + 1] - w->rowptr[s] > 1) {
				memcpy(w->tmp, line, n * sizeof(float));
				for (row = w->rowptr[s] + 1;
				    row < w->rowptr[s + 1]; row++)
					for (j = 0; j < n; j++)
						w->tmp[j] = S[row * n + j] >
						    w->tmp[j] ? S[row * n + j] :
						    w->tmp[j];
				line = w->tmp;
			} else if (w->rowptr[s + 1] == w->rowptr[s]) {
				continue;
			}
			if (use_ex) {
				q = w->sq[s];
				while (expos[s] < w->exptr[q + 1] &&
				    (c = w->exl[expos[s]]) < c0 + n) {
					line[c - c0] = -INFINITY;
					expos[s]++;
				}
			}
			hs = w->hs + s * k;
			hi = w->hi + s * k;
			select_row(line, n, r->elig + c0, hs, hi, &w->hn[s], k);
		}
	}
	for (s = 0; s < nslots; s++)
		heap_sort(w->hs + s * k, w->hi + s * k, w->hn[s]);
	return flops;
}

/* ---- per-query preparation ---- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Builds query qi's sorted list of excluded compact items in w->exl. */
static int
build_excl(const struct rs_rec *r, struct rs_rec_work *w, size_t qi,
    uint64_t visitor, struct rs_error *err)
{
	const struct rs_csr *m;
	size_t start = w->exptr[qi], n = start, need;
	uint64_t p;
	int64_t row;
	unsigned e;
	uint32_t *nx;

	for (e = 0; e < r->nex; e++) {
		m = r->ex[e];
		if ((row = rs_csr_find_row(m, visitor)) < 0)
			continue;
		need = n + (size_t)(m->indptr[row + 1] - m->indptr[row]);
		if (need > w->exl_cap) {
			need = need * 2 + 64;
			if ((nx = realloc(w->exl, need * sizeof(*nx))) == NULL)
				return rs_error_set(err, RS_ENOMEM,
				    "out of memory");
			w->exl = nx, w->exl_cap = need;
		}
		for (p = m->indptr[row]; p < m->indptr[row + 1]; p++)
			if (r->ex_cmap[e][m->indices[p]] >= 0)
				w->exl[n++] =
				    (uint32_t)r->ex_cmap[e][m->indices[p]];
	}
	/* Compact items are in norm order: sort for the chunk walk. */
	if (n > start + 1)
		qsort(w->exl + start, n - start, sizeof(uint32_t), cmp_u32);
	w->exptr[qi + 1] = n;
	return 0;
}

/* 1 if the visitor's exclusion rows hold item id. */
static int
excluded_id(const struct rs_rec *r, uint64_t visitor, uint64_t id)
{
	const struct rs_csr *m;
	uint64_t lo, hi, mid;
	int64_t row;
	unsigned e;

	for (e = 0; e < r->nex; e++) {
		m = r->ex[e];
		if ((row = rs_csr_find_row(m, visitor)) < 0)
			continue;
		lo = m->indptr[row], hi = m->indptr[row + 1];
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (m->col_ids[m->indices[mid]] < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < m->indptr[row + 1] &&
		    m->col_ids[m->indices[lo]] == id)
			return 1;
	}
	return 0;
}

/* The popular list for a visitor (use_ex) or for anyone. */
static size_t
popular_rows(const struct rs_rec *r, uint64_t visitor, int use_ex,
    struct rs_rec_row *out, size_t k)
{
	size_t i, n = 0;

	for (i = 0; i < r->npop && n < k; i++) {
		if (use_ex && excluded_id(r, visitor, r->pop_ids[i]))
			continue;
		out[n].item = r->pop_ids[i];
		out[n].score = r->pop_scores[i];
		out[n++].source = RS_REC_POPULAR;
	}
	return n;
}

/* The last recent_n distinct model items of q's events, newest first. */
static size_t
recent_items(const struct rs_rec *r, const struct rs_rec_query *q,
    uint32_t *out)
{
	size_t i, j, n = 0;
	int64_t it;

	for (i = q->nrecent; i > 0 && n < r->p.recent_n; i--) {
		if ((it = rs_model_find_item(r->m, q->recent[i - 1].item)) < 0)
			continue;
		for (j = 0; j < n && out[j] != (uint32_t)it; j++)
			;
		if (j == n)
			out[n++] = (uint32_t)it;
	}
	return n;
}

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	return x->item < y->item ? -1 : x->item > y->item;
}

/*
 * Fold-in (header comment): x (f floats) from the visitor's history row
 * and recent events.  Returns 1 when folded, 0 when the visitor has no
 * recent event on a model item, negative on error.
 */
static int
fold_in(const struct rs_rec *r, struct rs_rec_work *w,
    const struct rs_rec_query *q, float *x, struct rs_error *err)
{
	const float *Y = rs_model_item_factors(r->m), *y;
	size_t f = r->f, n = 0, i, a, bb, cap;
	double c, d, *A = w->A, *b = w->b;
	struct pair *np;
	int64_t it, row;
	uint64_t p;
	int hits = 0;

	cap = q->nrecent + 1;
	if (r->hist != NULL && (row = rs_csr_find_row(r->hist, q->id)) >= 0)
		cap += (size_t)(r->hist->indptr[row + 1] -
		    r->hist->indptr[row]);
	else
		row = -1;
	if (cap > w->pairs_cap) {
		if ((np = realloc(w->pairs, cap * 2 * sizeof(*np))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		w->pairs = np, w->pairs_cap = cap * 2;
	}
	for (i = 0; i < q->nrecent; i++) {
		if (q->recent[i].type >= RS_EV_NTYPES ||
		    (it = rs_model_find_item(r->m, q->recent[i].item)) < 0)
			continue;
		hits = 1;
		w->pairs[n].item = (uint32_t)it;
		w->pairs[n++].w = r->p.weights[q->recent[i].type];
	}
	if (!hits)
		return 0;
	if (row >= 0)
		for (p = r->hist->indptr[row]; p < r->hist->indptr[row + 1];
		    p++)
			if (r->hist_map[r->hist->indices[p]] >= 0) {
				w->pairs[n].item = (uint32_t)
				    r->hist_map[r->hist->indices[p]];
				w->pairs[n++].w = r->hist->values[p];
			}
	qsort(w->pairs, n, sizeof(*w->pairs), cmp_pair);
	/*
	 * A (f x f, row-major, lower triangle) = G + sum_i (c_i - 1) y_i y_i^T,
	 * b = sum_i c_i y_i, over the distinct items i with r_i > 0
	 * (p_i = 1); y_i = Y[i * f ..].
	 */
	memcpy(A, r->G, f * f * sizeof(double));
	memset(b, 0, f * sizeof(double));
	for (i = 0; i < n; ) {
		d = 0;
		for (a = i; a < n && w->pairs[a].item == w->pairs[i].item; a++)
			d += w->pairs[a].w;
		y = Y + (size_t)w->pairs[i].item * f;
		i = a;
		if (!(d > 0))
			continue;
		c = r->p.log_confidence ?
		    1 + r->p.alpha * log(1 + d / r->p.epsilon) :
		    1 + r->p.alpha * d;
		for (a = 0; a < f; a++) {
			b[a] += c * y[a];
			for (bb = 0; bb <= a; bb++)
				A[a * f + bb] += (c - 1) * (double)y[a] *
				    (double)y[bb];
		}
	}
	if (rs_dense_chol(A, f) < 0)
		return rs_error_set(err, RS_ENUM, "visitor %llu: fold-in "
		    "system is not positive definite",
		    (unsigned long long)q->id);
	rs_dense_chol_solve(A, f, b);
	for (a = 0; a < f; a++)
		x[a] = (float)b[a];
	return 1;
}

/* Copies slot s's kernel result to out as rows of the given source. */
static size_t
slot_rows(const struct rs_rec *r, const struct rs_rec_work *w, size_t s,
    int source, struct rs_rec_row *out)
{
	size_t i, n = w->hn[s];

	for (i = 0; i < n; i++) {
		out[i].item = r->item_ids[w->hi[s * w->k + i]];
		out[i].score = w->hs[s * w->k + i];
		out[i].source = source;
	}
	return n;
}

/* Interleaves online and offline rows (header comment) into out. */
static size_t
blend(const struct rs_rec_row *on, size_t non, const struct rs_rec_row *off,
    size_t noff, size_t k, struct rs_rec_row *out)
{
	size_t i = 0, j = 0, n = 0, t;
	const struct rs_rec_row *c;
	int turn = 0;

	while (n < k && (i < non || j < noff)) {
		if ((turn == 0 && i < non) || j >= noff)
			c = &on[i++];
		else
			c = &off[j++];
		turn = !turn;
		for (t = 0; t < n && out[t].item != c->item; t++)
			;
		if (t == n)
			out[n++] = *c;
	}
	return n;
}

/* Normalised y_i into x (zeros for a zero vector). */
static void
unit_row(const struct rs_rec *r, uint32_t i, float *x)
{
	const float *y = rs_model_item_factors(r->m) + (size_t)i * r->f;
	double nrm = rs_dense_dot_f64(y, y, r->f);
	size_t a;

	nrm = nrm > 0 ? 1 / sqrt(nrm) : 0;
	for (a = 0; a < r->f; a++)
		x[a] = (float)(y[a] * nrm);
}

int
rs_rec_batch(const struct rs_rec *r, struct rs_rec_work *w,
    const struct rs_rec_query *q, size_t n, struct rs_rec_row *rows,
    size_t *counts, struct rs_rec_stats *stats, struct rs_error *err)
{
	const float *X = rs_model_user_factors(r->m);
	size_t f = r->f, k = w->k, i, s, nr, j, rn = r->p.recent_n;
	struct rs_rec_stats st;
	int64_t u;
	int rc, online = 0;

	if (n > w->maxq)
		return rs_error_set(err, RS_EARG, "batch of %zu, at most %zu",
		    n, w->maxq);
	memset(&st, 0, sizeof(st));
	w->exptr[0] = 0;
	for (i = 0; i < n; i++) {
		if ((rc = build_excl(r, w, i, q[i].id, err)) < 0)
			return rc;
		w->nrec[i] = 0;
		if (r->p.cosine && q[i].nrecent > 0)
			online |= (w->nrec[i] = recent_items(r, &q[i],
			    w->recent + i * rn)) > 0;
	}
	/* Offline: gather the query vectors of the visitors the model scores. */
	s = 0;
	w->rowptr[0] = 0;
	for (i = 0; i < n; i++) {
		w->noff[i] = w->non[i] = 0;
		w->mode[i] = MODE_NONE;
		if (r->kind != RS_MODEL_ALS) {
			w->mode[i] = MODE_POP;
			continue;
		}
		rc = 0;
		u = rs_model_find_user(r->m, q[i].id);
		if (r->p.fold_in && q[i].nrecent > 0 &&
		    (u < 0 || r->hist != NULL) &&
		    (rc = fold_in(r, w, &q[i], w->Q + s * f, err)) < 0)
			return rc;
		if (rc == 0 && u >= 0)
			memcpy(w->Q + s * f, X + (size_t)u * f,
			    f * sizeof(float));
		else if (rc == 0) {
			w->mode[i] = MODE_POP;
			continue;
		}
		st.folded += rc;
		w->mode[i] = MODE_MODEL;
		w->xn[s] = (float)sqrt(rs_dense_dot_f64(w->Q + s * f,
		    w->Q + s * f, f));
		w->self[s] = -1;
		w->sq[s++] = (uint32_t)i;
		w->rowptr[s] = (uint32_t)s;
	}
	if (s > 0)
		st.flops += kernel(r, w, r->Yc, s, 1, 1);
	st.flops_full += 2.0 * (double)s * r->ne * f;
	for (j = 0; j < s; j++)
		w->noff[w->sq[j]] = slot_rows(r, w, j, RS_REC_ALS,
		    w->off + w->sq[j] * k);
	for (i = 0; i < n; i++)
		if (w->mode[i] == MODE_POP)
			w->noff[i] = popular_rows(r, q[i].id, 1, w->off + i * k,
			    k);
	/* Online: one slot per visitor with recent items, N rows each. */
	if (online) {
		s = 0;
		nr = 0;
		w->rowptr[0] = 0;
		for (i = 0; i < n; i++) {
			if (w->nrec[i] == 0)
				continue;
			for (j = 0; j < w->nrec[i]; j++) {
				unit_row(r, w->recent[i * rn + j],
				    w->Q + nr * f);
				w->self[nr++] = r->cidx[w->recent[i * rn + j]];
			}
			w->sq[s++] = (uint32_t)i;
			w->rowptr[s] = (uint32_t)nr;
		}
		st.flops += kernel(r, w, r->Ycn, s, 1, 0);
		st.flops_full += 2.0 * (double)nr * r->ne * f;
		for (j = 0; j < s; j++)
			w->non[w->sq[j]] = slot_rows(r, w, j, RS_REC_ONLINE,
			    w->on + w->sq[j] * k);
	}
	for (i = 0; i < n; i++) {
		if (w->nrec[i] > 0) {
			counts[i] = blend(w->on + i * k, w->non[i],
			    w->off + i * k, w->noff[i], k, rows + i * k);
			st.blended++;
		} else {
			counts[i] = w->noff[i];
			memcpy(rows + i * k, w->off + i * k,
			    w->noff[i] * sizeof(*rows));
		}
		st.known += w->mode[i] == MODE_MODEL;
		st.cold += w->mode[i] == MODE_POP;
		st.empty += counts[i] == 0;
	}
	if (stats != NULL) {
		stats->known += st.known;
		stats->folded += st.folded;
		stats->cold += st.cold;
		stats->blended += st.blended;
		stats->empty += st.empty;
		stats->flops += st.flops;
		stats->flops_full += st.flops_full;
	}
	return 0;
}

int
rs_rec_similar_batch(const struct rs_rec *r, struct rs_rec_work *w,
    const struct rs_rec_query *q, size_t n, struct rs_rec_row *rows,
    size_t *counts, struct rs_rec_stats *stats, struct rs_error *err)
{
	size_t f = r->f, k = w->k, i, s = 0;
	int64_t it;
	double flops;

	if (!r->p.cosine)
		return rs_error_set(err, RS_EARG, "similar items: recommender "
		    "not prepared for cosine");
	if (n > w->maxq)
		return rs_error_set(err, RS_EARG, "batch of %zu, at most %zu",
		    n, w->maxq);
	w->rowptr[0] = 0;
	for (i = 0; i < n; i++) {
		w->mode[i] = MODE_POP;
		if ((it = rs_model_find_item(r->m, q[i].id)) < 0)
			continue;
		w->mode[i] = MODE_MODEL;
		unit_row(r, (uint32_t)it, w->Q + s * f);
		w->self[s] = r->cidx[it];
		w->sq[s++] = (uint32_t)i;
		w->rowptr[s] = (uint32_t)s;
	}
	flops = kernel(r, w, r->Ycn, s, 0, 0);
	for (i = 0; i < s; i++)
		counts[w->sq[i]] = slot_rows(r, w, i, RS_REC_ALS,
		    rows + w->sq[i] * k);
	for (i = 0; i < n; i++)
		if (w->mode[i] == MODE_POP)
			counts[i] = popular_rows(r, 0, 0, rows + i * k, k);
	if (stats != NULL) {
		for (i = 0; i < n; i++) {
			stats->known += w->mode[i] == MODE_MODEL;
			stats->cold += w->mode[i] == MODE_POP;
			stats->empty += counts[i] == 0;
		}
		stats->flops += flops;
		stats->flops_full += 2.0 * (double)s * r->ne * f;
	}
	return 0;
}

int
rs_rec_visitor(const struct rs_rec *r, struct rs_rec_work *w,
    uint64_t visitor, const struct rs_event *recent, size_t nrecent,
    struct rs_rec_row *rows, struct rs_error *err)
{
	struct rs_rec_query q;
	size_t count = 0;
	int rc;

	q.id = visitor;
	q.recent = recent;
	q.nrecent = nrecent;
	if ((rc = rs_rec_batch(r, w, &q, 1, rows, &count, NULL, err)) < 0)
		return rc;
	return (int)count;
}

int
rs_rec_similar(const struct rs_rec *r, struct rs_rec_work *w, uint64_t item,
    struct rs_rec_row *rows, struct rs_error *err)
{
	struct rs_rec_query q;
	size_t count = 0;
	int rc;

	q.id = item;
	q.recent = NULL;
	q.nrecent = 0;
	if ((rc = rs_rec_similar_batch(r, w, &q, 1, rows, &count, NULL,
	    err)) < 0)
		return rc;
	return (int)count;
}
