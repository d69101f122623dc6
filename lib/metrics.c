/*
 * metrics.c - ranking metrics (definitions in metrics.h).
 *
 * One pass over the truth rows in ascending visitor id; each visitor's
 * list is found with one hash probe (recsin.h keeps an id map) and scored
 * position by position up to the largest K, membership in the truth row
 * by binary search (truth rows are short and sorted).  Values at each K
 * are snapshots of running sums taken when the position reaches K, so
 * all cut-offs cost one walk.
 *
 * Coverage keeps, per distinct recommended item, the best (smallest)
 * position at which any evaluated visitor got it: the item is in the
 * top-K lists iff that position is < K.  Popularity n_i comes from the
 * training matrix's column counts, looked up by binary search on its
 * sorted column ids.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "error.h"
#include "idmap.h"
#include "metrics.h"
#include "recsin.h"
#include "banned.h"

struct rs_eval {
	const struct rs_csr *truth;
	const struct rs_csr *train;	/* NULL: no popularity */
	uint64_t *colnnz;		/* train ncols: n_i */
	uint64_t train_nnz;
	const uint64_t *cat;		/* sorted catalogue ids, or NULL */
	size_t ncat;
	unsigned nk;
	unsigned k[RS_METRICS_MAXK];
	uint64_t *tbuf;			/* one truth row's ids */
};

static int
in_sorted(const uint64_t *a, size_t n, uint64_t x)
{
	return rs_ids_bsearch(a, n, x) >= 0;
}

void
rs_metrics_user(const uint64_t *truth, size_t t, const uint64_t *recs,
    size_t n, const unsigned *k, unsigned nk, struct rs_user_at_k *out)
{
	const unsigned maxk = nk ? k[nk - 1] : 0;
	double dcg = 0, idcg = 0, apsum = 0, g;
	size_t first = 0, pos;
	uint32_t hits = 0;
	unsigned j = 0;

	for (pos = 1; pos <= maxk && j < nk; pos++) {
		g = rs_metrics_discount(pos);
		if (pos <= t)
			idcg += g;
		if (pos <= n && in_sorted(truth, t, recs[pos - 1])) {
			hits++;
			dcg += g;
			apsum += (double)hits / (double)pos;
			if (first == 0)
				first = pos;
		}
		while (j < nk && k[j] == pos) {
			struct rs_user_at_k *o = &out[j];
			const size_t m = t < pos ? t : pos;

			o->hits = hits;
			o->precision = (double)hits / (double)pos;
			o->recall = (double)hits / (double)t;
			o->ndcg = idcg > 0 ? dcg / idcg : 0;
			o->ap = apsum / (double)m;
			o->hit = hits > 0;
			o->rr = first ? 1.0 / (double)first : 0;
			j++;
		}
	}
}

int
rs_eval_create(struct rs_eval **out, const struct rs_csr *truth,
    const struct rs_csr *train, const uint64_t *catalogue, size_t ncat,
    const unsigned *k, unsigned nk, struct rs_error *err)
{
	struct rs_eval *e;
	uint64_t maxrow = 1, p;
	uint32_t r;
	unsigned i;

	if (nk < 1 || nk > RS_METRICS_MAXK)
		return rs_error_set(err, RS_EARG, "between 1 and %d cut-offs "
		    "are needed, not %u", RS_METRICS_MAXK, nk);
	for (i = 0; i < nk; i++)
		if (k[i] < 1 || (i > 0 && k[i] <= k[i - 1]))
			return rs_error_set(err, RS_EARG, "cut-offs must be "
			    "at least 1 and strictly ascending");
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	e->truth = truth;
	e->train = train;
	e->cat = catalogue;
	e->ncat = catalogue ? ncat : 0;
	e->nk = nk;
	memcpy(e->k, k, nk * sizeof(*k));
	for (r = 0; r < truth->nrows; r++)
		if (truth->indptr[r + 1] - truth->indptr[r] > maxrow)
			maxrow = truth->indptr[r + 1] - truth->indptr[r];
	if ((e->tbuf = malloc((size_t)maxrow * sizeof(*e->tbuf))) == NULL)
		goto nomem;
	if (train != NULL) {
		e->colnnz = calloc(train->ncols ? train->ncols : 1,
		    sizeof(*e->colnnz));
		if (e->colnnz == NULL)
			goto nomem;
		for (p = 0; p < train->nnz; p++)
			e->colnnz[train->indices[p]]++;
		e->train_nnz = train->nnz;
	}
	*out = e;
	return 0;
nomem:
	rs_eval_free(e);
	return rs_error_set(err, RS_ENOMEM, "out of memory");
}

/* n_i of an external item id (0 if training never saw it). */
static uint64_t
popularity(const struct rs_eval *e, uint64_t item)
{
	int64_t c = rs_csr_find_col(e->train, item);

	return c < 0 ? 0 : e->colnnz[c];
}

struct acc {
	double precision, recall, ndcg, ap, hit, rr;
	double novelty, pop;
	uint64_t pairs;
};

/* Records the best position of each recommended item (coverage). */
static int
note_items(struct rs_idmap *seen, uint32_t **best, size_t *cap,
    const uint64_t *items, size_t n)
{
	size_t i, before;
	int64_t x;

	for (i = 0; i < n; i++) {
		before = rs_idmap_size(seen);
		if ((x = rs_idmap_intern(seen, items[i])) < 0)
			return RS_ENOMEM;
		if ((size_t)x >= *cap) {
			size_t nc = *cap ? *cap * 2 : 1024;
			uint32_t *nb = realloc(*best, nc * sizeof(*nb));

			if (nb == NULL)
				return RS_ENOMEM;
			*best = nb;
			*cap = nc;
		}
		if ((size_t)x == before || (*best)[x] > (uint32_t)i)
			(*best)[x] = (uint32_t)i;
	}
	return 0;
}

int
rs_eval_run(struct rs_eval *e, const struct rs_recs *recs,
    rs_eval_user_fn fn, void *arg, struct rs_eval_result *res,
    struct rs_error *err)
{
	const struct rs_csr *m = e->truth;
	const unsigned maxk = e->k[e->nk - 1];
	struct rs_user_at_k at[RS_METRICS_MAXK], zero[RS_METRICS_MAXK];
	struct acc acc[RS_METRICS_MAXK];
	struct rs_idmap *seen = NULL;
	uint32_t *best = NULL;
	size_t bestcap = 0, t, n, i, lim;
	const uint64_t *items;
	uint64_t p, users = 0, with = 0;
	double nov, pop;
	int64_t ui;
	uint32_t r;
	unsigned j;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(acc, 0, sizeof(acc));
	memset(zero, 0, sizeof(zero));
	if (rs_idmap_create(&seen, 0) < 0)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	for (r = 0; r < m->nrows; r++) {
		t = (size_t)(m->indptr[r + 1] - m->indptr[r]);
		if (t == 0)
			continue;
		users++;
		ui = rs_recs_find(recs, m->row_ids[r]);
		if (ui < 0) {
			if (fn && (rc = fn(arg, m->row_ids[r], t, 0, zero)) < 0)
				goto out;
			continue;
		}
		with++;
		for (i = 0; i < t; i++)
			e->tbuf[i] = m->col_ids[m->indices[m->indptr[r] + i]];
		n = rs_recs_items(recs, (size_t)ui, &items);
		rs_metrics_user(e->tbuf, t, items, n, e->k, e->nk, at);
		for (j = 0; j < e->nk; j++) {
			acc[j].precision += at[j].precision;
			acc[j].recall += at[j].recall;
			acc[j].ndcg += at[j].ndcg;
			acc[j].ap += at[j].ap;
			acc[j].hit += at[j].hit;
			acc[j].rr += at[j].rr;
		}
		lim = n < maxk ? n : maxk;
		if ((rc = note_items(seen, &best, &bestcap, items, lim)) < 0) {
			rc = rs_error_set(err, RS_ENOMEM, "out of memory");
			goto out;
		}
		if (e->train != NULL) {
			for (i = 0; i < lim; i++) {
				p = popularity(e, items[i]);
				pop = (double)p;
				nov = -log2((double)(p ? p : 1) /
				    (double)e->train_nnz);
				for (j = 0; j < e->nk; j++)
					if (i < e->k[j]) {
						acc[j].novelty += nov;
						acc[j].pop += pop;
						acc[j].pairs++;
					}
			}
		}
		if (fn && (rc = fn(arg, m->row_ids[r], t, n, at)) < 0)
			goto out;
	}
	res->users = users;
	res->with_recs = with;
	res->without_recs = users - with;
	res->ignored = rs_recs_nusers(recs) - with;
	res->nk = e->nk;
	for (j = 0; j < e->nk; j++) {
		struct rs_eval_at_k *o = &res->at[j];
		const double u = (double)users;

		o->k = e->k[j];
		o->precision = acc[j].precision / u;
		o->recall = acc[j].recall / u;
		o->ndcg = acc[j].ndcg / u;
		o->map = acc[j].ap / u;
		o->hit_rate = acc[j].hit / u;
		o->mrr = acc[j].rr / u;
		for (i = 0; i < rs_idmap_size(seen); i++)
			if (best[i] < e->k[j]) {
				o->distinct++;
				if (e->ncat && in_sorted(e->cat, e->ncat,
				    rs_idmap_ids(seen)[i]))
					o->distinct_cat++;
			}
		o->coverage = e->ncat ?
		    (double)o->distinct_cat / (double)e->ncat : NAN;
		o->novelty = e->train && acc[j].pairs ?
		    acc[j].novelty / (double)acc[j].pairs : NAN;
		o->avg_pop = e->train && acc[j].pairs ?
		    acc[j].pop / (double)acc[j].pairs : NAN;
	}
out:
	rs_idmap_free(seen);
	free(best);
	return rc;
}

void
rs_eval_free(struct rs_eval *e)
{
	if (e == NULL)
		return;
	free(e->colnnz);
	free(e->tbuf);
	free(e);
}

double
rs_metrics_discount(size_t rank)
{
	return 1.0 / log2((double)rank + 1.0);
}
