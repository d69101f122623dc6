/*
 * test_recommend.c - unit tests of lib/recommend.c on hand-built models
 * with known answers and on random models against brute-force references.
 *
 * The binary doubles as the fixture writer of the rs-recommend CLI tests
 * (no extra tool needed):
 *   test_recommend mkmodel FILE  < spec   model stream from text:
 *       "als F" or "popular", then "meta KEY VALUE", "user ID X1..XF",
 *       "item ID Y1..YF" (popular: "item ID SCORE"), ids ascending
 *   test_recommend mkmatrix FILE < spec   matrix stream from "ROW COL VALUE"
 *       lines (any order, no duplicate pairs)
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "rs.h"
#include "dense.h"
#include "tap.h"

#include "banned.h"

/* ---- brute-force references ---- */

struct ref {
	float s;
	uint32_t i;
};

static int
cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static uint64_t rng_state = 88172645463325252ull;

static float
frand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (float)((rng_state >> 40) / 16777216.0 - 0.5);
}

/* A tiny model: 2 visitors, 6 items, f = 2. */
static const uint64_t tu[] = { 100, 200 };
static const uint64_t ti[] = { 1, 2, 3, 4, 5, 6 };
static const float tX[] = { 1, 0, 0, 1 };
static const float tY[] = {
	6, 0,	/* item 1: visitor 100 scores 6 */
	5, 1,	/* 2: 5 */
	4, 2,	/* 3: 4 */
	3, 3,	/* 4: 3 */
	2, 4,	/* 5: 2 */
	1, 5	/* 6: 1; visitor 200 scores the second column */
};
static const uint64_t pi[] = { 2, 4, 6, 7 };
static const float ps[] = { 10, 30, 20, 40 };

static struct rs_rec *
tiny_rec(struct rs_model **m, struct rs_model **pop, unsigned k, int cosine,
    const struct rs_csr *ex)
{
	struct rs_rec_params p;
	struct rs_rec *r;
	struct rs_error err;

	CHECK(rs_model_als_view(m, tu, 2, ti, 6, 2, tX, tY, &err) == 0);
	CHECK(rs_model_popular_view(pop, pi, 4, ps, &err) == 0);
	rs_rec_params_init(&p);
	p.k = k;
	p.cosine = cosine;
	CHECK(rs_rec_create(&r, *m, &p, &err) == 0);
	CHECK(rs_rec_set_fallback(r, *pop, &err) == 0);
	if (ex != NULL)
		CHECK(rs_rec_add_exclude(r, ex, NULL, &err) == 0);
	return r;
}

/* A 1 x ncols matrix for visitor v with the given item ids (ascending). */
static struct rs_csr *
row_matrix(uint64_t v, const uint64_t *items, uint32_t n)
{
	struct rs_csr *c;
	struct rs_error err;
	uint32_t i;

	CHECK(rs_csr_alloc(&c, 1, n, n, &err) == 0);
	c->row_ids[0] = v;
	c->indptr[0] = 0;
	c->indptr[1] = n;
	for (i = 0; i < n; i++) {
		c->col_ids[i] = items[i];
		c->indices[i] = i;
		c->values[i] = 1;
	}
	return c;
}

static void
test_recommend__offline_known_answer(void)
{
	struct rs_model *m, *pop;
	struct rs_rec *r = tiny_rec(&m, &pop, 3, 0, NULL);
	struct rs_rec_work *w;
	struct rs_rec_row rows[3];
	struct rs_error err;

	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	CHECK(rs_rec_visitor(r, w, 100, NULL, 0, rows, &err) == 3);
	CHECK_EQ_U64(rows[0].item, 1);
	CHECK_EQ_U64(rows[1].item, 2);
	CHECK_EQ_U64(rows[2].item, 3);
	CHECK(rows[0].score == 6 && rows[2].score == 4);
	CHECK(rows[0].source == RS_REC_ALS);
	CHECK(rs_rec_visitor(r, w, 200, NULL, 0, rows, &err) == 3);
	CHECK_EQ_U64(rows[0].item, 6);
	CHECK_EQ_U64(rows[1].item, 5);
	CHECK_EQ_U64(rows[2].item, 4);
	CHECK_STR(rs_rec_source_name(rows[0].source), "als");
	rs_rec_work_free(w);
	rs_rec_free(r);
	rs_model_free(m);
	rs_model_free(pop);
}

static void
test_recommend__exclusion_keeps_k(void)
{
	static const uint64_t bought[] = { 1, 3, 9 };	/* 9: not in model */
	struct rs_csr *ex = row_matrix(100, bought, 3);
	struct rs_model *m, *pop;
	struct rs_rec *r = tiny_rec(&m, &pop, 3, 0, ex);
	struct rs_rec_work *w;
	struct rs_rec_row rows[3];
	struct rs_error err;
	struct rs_rec_match mt;
	struct rs_rec *r2;
	struct rs_rec_params p;

	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	CHECK(rs_rec_visitor(r, w, 100, NULL, 0, rows, &err) == 3);
	CHECK_EQ_U64(rows[0].item, 2);
	CHECK_EQ_U64(rows[1].item, 4);
	CHECK_EQ_U64(rows[2].item, 5);
	/* Visitor 200 has no row: nothing excluded. */
	CHECK(rs_rec_visitor(r, w, 200, NULL, 0, rows, &err) == 3);
	CHECK_EQ_U64(rows[0].item, 6);
	rs_rec_work_free(w);
	rs_rec_free(r);
	/* The match counts: one of three columns unknown, the row known. */
	rs_rec_params_init(&p);
	CHECK(rs_rec_create(&r2, m, &p, &err) == 0);
	CHECK(rs_rec_add_exclude(r2, ex, &mt, &err) == 0);
	CHECK_EQ_U64(mt.cols, 3);
	CHECK_EQ_U64(mt.cols_unknown, 1);
	CHECK_EQ_U64(mt.rows_unknown, 0);
	rs_rec_free(r2);
	rs_csr_free(ex);
	rs_model_free(m);
	rs_model_free(pop);
}

static void
test_recommend__item_lists(void)
{
	static const uint64_t only[] = { 6, 2, 3, 2 }, deny[] = { 2 };
	struct rs_model *m, *pop;
	struct rs_rec *r = tiny_rec(&m, &pop, 3, 0, NULL);
	struct rs_rec_work *w;
	struct rs_rec_row rows[3];
	struct rs_error err;

	CHECK(rs_rec_set_item_list(r, 1, only, 4, &err) == 0);
	CHECK(rs_rec_set_item_list(r, 0, deny, 1, &err) == 0);
	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK_EQ_U64(rs_rec_eligible(r), 2);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	/* Only 3 and 6 remain: a shorter list, since nothing else is left. */
	CHECK(rs_rec_visitor(r, w, 100, NULL, 0, rows, &err) == 2);
	CHECK_EQ_U64(rows[0].item, 3);
	CHECK_EQ_U64(rows[1].item, 6);
	/* Cold start goes through the same filters: 6 is the only one. */
	CHECK(rs_rec_visitor(r, w, 999, NULL, 0, rows, &err) == 1);
	CHECK_EQ_U64(rows[0].item, 6);
	CHECK(rows[0].source == RS_REC_POPULAR);
	rs_rec_work_free(w);
	rs_rec_free(r);
	rs_model_free(m);
	rs_model_free(pop);
}

static void
test_recommend__cold_start(void)
{
	static const uint64_t bought[] = { 7 };
	struct rs_csr *ex = row_matrix(555, bought, 1);
	struct rs_model *m, *pop;
	struct rs_rec *r = tiny_rec(&m, &pop, 3, 0, ex);
	struct rs_rec_work *w;
	struct rs_rec_row rows[9];
	struct rs_rec_query q[3] = { { 555, NULL, 0 }, { 100, NULL, 0 },
	    { 556, NULL, 0 } };
	struct rs_rec_stats st;
	struct rs_error err;
	size_t counts[3];

	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	memset(&st, 0, sizeof(st));
	CHECK(rs_rec_batch(r, w, q, 3, rows, counts, &st, &err) == 0);
	/* 555 bought 7 (popular 40): 4 (30), 6 (20), 2 (10). */
	CHECK_EQ_U64(counts[0], 3);
	CHECK_EQ_U64(rows[0].item, 4);
	CHECK_EQ_U64(rows[1].item, 6);
	CHECK_EQ_U64(rows[2].item, 2);
	CHECK(rows[0].source == RS_REC_POPULAR && rows[0].score == 30);
	CHECK_EQ_U64(rows[3].item, 1);
	CHECK(rows[3].source == RS_REC_ALS);
	CHECK_EQ_U64(rows[6].item, 7);
	CHECK_EQ_U64(st.cold, 2);
	CHECK_EQ_U64(st.known, 1);
	rs_rec_work_free(w);
	rs_rec_free(r);
	rs_csr_free(ex);
	rs_model_free(m);
	rs_model_free(pop);
}

/* A random model for the brute-force comparisons. */
struct rmodel {
	uint64_t *uids, *iids;
	float *X, *Y;
	uint32_t nu, ni, f;
	struct rs_model *m;
};

static void
rmodel_make(struct rmodel *rm, uint32_t nu, uint32_t ni, uint32_t f)
{
	struct rs_error err;
	uint32_t i;

	rm->nu = nu, rm->ni = ni, rm->f = f;
	rm->uids = malloc(nu * sizeof(uint64_t));
	rm->iids = malloc(ni * sizeof(uint64_t));
	rm->X = malloc((size_t)nu * f * sizeof(float));
	rm->Y = malloc((size_t)ni * f * sizeof(float));
	for (i = 0; i < nu; i++)
		rm->uids[i] = 10 + 3 * (uint64_t)i;
	for (i = 0; i < ni; i++)
		rm->iids[i] = 1000 + 7 * (uint64_t)i;
	for (i = 0; i < nu * f; i++)
		rm->X[i] = frand();
	for (i = 0; i < ni * f; i++)
		rm->Y[i] = frand();
	CHECK(rs_model_als_view(&rm->m, rm->uids, nu, rm->iids, ni, f, rm->X,
	    rm->Y, &err) == 0);
}

static void
rmodel_free(struct rmodel *rm)
{
	rs_model_free(rm->m);
	free(rm->uids);
	free(rm->iids);
	free(rm->X);
	free(rm->Y);
}

static void
test_recommend__batch_equals_brute_force(void)
{
	struct rmodel rm;
	struct rs_rec_params p;
	struct rs_rec *r;
	struct rs_rec_work *w;
	struct rs_rec_query q[64];
	struct rs_rec_row *rows;
	struct rs_rec_stats st;
	struct rs_csr *ex;
	struct ref *ref;
	struct rs_error err;
	size_t counts[64], n = 64, i, j, bad = 0;
	uint64_t e;
	uint32_t it, got;
	float *sc, tol;

	rmodel_make(&rm, 100, 30000, 8);
	/*
	 * Item norms spread over a factor 2 and K = 300, so the norm-bound
	 * early stop of the scan cuts, but only after several chunks.
	 */
	for (it = 0; it < rm.ni; it++)
		for (j = 0; j < rm.f; j++)
			rm.Y[(size_t)it * rm.f + j] *= (float)pow(10.0,
			    (double)((it * 7919u) % 1000) / 3000.0);
	/* Visitor u never gets item i when (i + u) % 5 == 0. */
	CHECK(rs_csr_alloc(&ex, rm.nu, rm.ni, (uint64_t)rm.nu * (rm.ni / 5),
	    &err) == 0);
	for (it = 0; it < rm.ni; it++)
		ex->col_ids[it] = rm.iids[it];
	for (i = 0, e = 0; i < rm.nu; i++) {
		ex->row_ids[i] = rm.uids[i];
		for (it = 0; it < rm.ni; it++)
			if ((it + i) % 5 == 0) {
				ex->indices[e] = it;
				ex->values[e++] = 1;
			}
		ex->indptr[i + 1] = e;
	}
	ex->nnz = e;
	rs_rec_params_init(&p);
	p.k = 300;
	p.batch = 64;
	CHECK(rs_rec_create(&r, rm.m, &p, &err) == 0);
	CHECK(rs_rec_add_exclude(r, ex, NULL, &err) == 0);
	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	rows = malloc(n * p.k * sizeof(*rows));
	ref = malloc(rm.ni * sizeof(*ref));
	sc = malloc(rm.ni * sizeof(*sc));
	for (i = 0; i < n; i++) {
		q[i].id = rm.uids[(i * 37) % rm.nu];	/* not consecutive */
		q[i].recent = NULL, q[i].nrecent = 0;
	}
	memset(&st, 0, sizeof(st));
	CHECK(rs_rec_batch(r, w, q, n, rows, counts, &st, &err) == 0);
	/* The early stop skipped part of the products. */
	CHECK(st.flops < 2.0 * (double)n * rm.ni * rm.f);
	for (i = 0; i < n; i++) {
		const float *x = rm.X + (size_t)((i * 37) % rm.nu) * rm.f;

		CHECK_EQ_U64(counts[i], p.k);
		for (it = 0; it < rm.ni; it++) {
			ref[it].s = (it + (i * 37) % rm.nu) % 5 == 0 ?
			    -INFINITY : (float)rs_dense_dot_f64(x,
			    rm.Y + (size_t)it * rm.f, rm.f);
			ref[it].i = it;
			sc[it] = ref[it].s;
		}
		qsort(ref, rm.ni, sizeof(*ref), cmp_ref);
		/*
		 * Rank j holds the reference's item, or one whose exact score
		 * is within float rounding of it (sgemm rounds differently
		 * from this double sum, which may swap near-ties).
		 */
		for (j = 0; j < p.k; j++) {
			got = (uint32_t)((rows[i * p.k + j].item - 1000) / 7);
			tol = 1e-5f * (1 + fabsf(ref[j].s));
			bad += rows[i * p.k + j].item != rm.iids[ref[j].i] &&
			    !(fabsf(sc[got] - ref[j].s) <= tol);
			bad += fabsf(rows[i * p.k + j].score - ref[j].s) > tol;
		}
	}
	CHECK_EQ_U64(bad, 0);
	free(rows);
	free(ref);
	free(sc);
	rs_rec_work_free(w);
	rs_rec_free(r);
	rs_csr_free(ex);
	rmodel_free(&rm);
}

static double
cosine(const float *a, const float *b, size_t f)
{
	double ab = 0, aa = 0, bb = 0;
	size_t i;

	for (i = 0; i < f; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

static void
test_recommend__similar_equals_brute_force(void)
{
	static const uint64_t deny[] = { 1000 + 7 * 5 };
	struct rmodel rm;
	struct rs_rec_params p;
	struct rs_rec *r;
	struct rs_rec_work *w;
	struct rs_rec_query q[33];
	struct rs_rec_row rows[33 * 8];
	struct ref ref[700];
	struct rs_error err;
	size_t counts[33], i, j, n, bad = 0;
	uint32_t it, qi;

	rmodel_make(&rm, 3, 700, 12);
	rs_rec_params_init(&p);
	p.k = 8;
	p.batch = 33;
	p.cosine = 1;
	CHECK(rs_rec_create(&r, rm.m, &p, &err) == 0);
	CHECK(rs_rec_set_item_list(r, 0, deny, 1, &err) == 0);
	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	for (i = 0; i < 33; i++) {
		q[i].id = rm.iids[i * 21];
		q[i].recent = NULL, q[i].nrecent = 0;
	}
	CHECK(rs_rec_similar_batch(r, w, q, 33, rows, counts, NULL, &err) ==
	    0);
	for (i = 0; i < 33; i++) {
		qi = (uint32_t)(i * 21);
		for (it = 0, n = 0; it < rm.ni; it++) {
			if (it == qi || it == 5)
				continue;
			ref[n].s = (float)cosine(rm.Y + (size_t)qi * rm.f,
			    rm.Y + (size_t)it * rm.f, rm.f);
			ref[n++].i = it;
		}
		qsort(ref, n, sizeof(*ref), cmp_ref);
		CHECK_EQ_U64(counts[i], 8);
		for (j = 0; j < 8; j++) {
			bad += rows[i * 8 + j].item != rm.iids[ref[j].i];
			bad += fabsf(rows[i * 8 + j].score - ref[j].s) > 1e-5f;
		}
	}
	CHECK_EQ_U64(bad, 0);
	rs_rec_work_free(w);
	rs_rec_free(r);
	rmodel_free(&rm);
}

static void
test_recommend__blend_rule(void)
{
	/*
	 * Items on a circle: y_i at angle 30 i degrees, so cosine falls with
	 * the angle.  Visitor 100 (x = (1, 0)) ranks 1 (0 deg), 2 (30), 6
	 * (150: cos -0.87 is lowest)...; its recent item 4 (90 deg) has
	 * neighbours 3 and 5 (cos 0.87), then 2 and 6 (0.5).
	 */
	static const uint64_t ids[] = { 1, 2, 3, 4, 5, 6 };
	static const uint64_t uid[] = { 100 };
	static const float X[] = { 1, 0 };
	float Y[12];
	struct rs_model *m;
	struct rs_rec_params p;
	struct rs_rec *r;
	struct rs_rec_work *w;
	struct rs_rec_row rows[5];
	struct rs_event ev[3];
	struct rs_error err;
	int i;

	for (i = 0; i < 6; i++) {
		Y[2 * i] = (float)cos(M_PI / 6 * i);
		Y[2 * i + 1] = (float)sin(M_PI / 6 * i);
	}
	CHECK(rs_model_als_view(&m, uid, 1, ids, 6, 2, X, Y, &err) == 0);
	rs_rec_params_init(&p);
	p.k = 5;
	p.cosine = 1;
	p.recent_n = 1;
	CHECK(rs_rec_create(&r, m, &p, &err) == 0);
	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	memset(ev, 0, sizeof(ev));
	ev[0].item = 6, ev[1].item = 4, ev[2].item = 99;	/* 99 unknown */
	CHECK(rs_rec_visitor(r, w, 100, ev, 3, rows, &err) == 5);
	/*
	 * online (from 4): 3 (cos 30 deg, lower index than 5), 5, 2, 6, 1
	 * offline: 1, 2, 3, 4, 5.  Alternate: on 3, off 1, on 5, off 2,
	 * on 2 (taken: skipped), off 3 (skipped), on 6.
	 */
	CHECK_EQ_U64(rows[0].item, 3);
	CHECK(rows[0].source == RS_REC_ONLINE);
	CHECK_EQ_U64(rows[1].item, 1);
	CHECK(rows[1].source == RS_REC_ALS);
	CHECK_EQ_U64(rows[2].item, 5);
	CHECK_EQ_U64(rows[3].item, 2);
	CHECK(rows[3].source == RS_REC_ALS);
	CHECK_EQ_U64(rows[4].item, 6);
	CHECK(rows[4].source == RS_REC_ONLINE);
	CHECK_NEAR(rows[0].score, cos(M_PI / 6), 1e-6);
	rs_rec_work_free(w);
	rs_rec_free(r);
	rs_model_free(m);
}

static void
test_recommend__fold_in_solves_normal_equations(void)
{
	static const uint64_t hist_items[] = { 1000, 1014 };
	struct rmodel rm;
	struct rs_rec_params p;
	struct rs_rec *r;
	struct rs_rec_work *w;
	struct rs_rec_row rows[5];
	struct rs_csr *h;
	struct rs_event ev[3];
	struct rs_error err;
	double A[8 * 8], b[8], rw[40], c, res = 0, s;
	float x[8], best = -INFINITY;
	uint32_t i, a, bb;
	uint64_t bi = 0;

	rmodel_make(&rm, 2, 40, 8);
	h = row_matrix(777, hist_items, 2);	/* an unknown visitor */
	h->values[0] = 2;
	rs_rec_params_init(&p);
	p.k = 5;
	p.fold_in = 1;
	p.alpha = 10;
	p.regularization = 0.5;
	CHECK(rs_rec_create(&r, rm.m, &p, &err) == 0);
	CHECK(rs_rec_set_history(r, h, NULL, &err) == 0);
	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	memset(ev, 0, sizeof(ev));
	ev[0].item = 1014, ev[0].type = RS_EV_ADDTOCART;
	ev[1].item = 1021, ev[1].type = RS_EV_VIEW;
	ev[2].item = 1021, ev[2].type = RS_EV_VIEW;
	CHECK(rs_rec_visitor(r, w, 777, ev, 3, rows, &err) == 5);
	CHECK(rows[0].source == RS_REC_ALS);
	/* r: item 0 -> 2, item 2 -> 1 + 5, item 3 -> 1 + 1. */
	memset(rw, 0, sizeof(rw));
	rw[0] = 2, rw[2] = 6, rw[3] = 2;
	/* The reference system, formed naively over every item. */
	for (a = 0; a < 8; a++) {
		b[a] = 0;
		for (bb = 0; bb < 8; bb++)
			A[a * 8 + bb] = a == bb ? 0.5 : 0;
	}
	for (i = 0; i < 40; i++) {
		c = 1 + 10 * rw[i];
		for (a = 0; a < 8; a++) {
			if (rw[i] > 0)
				b[a] += c * rm.Y[i * 8 + a];
			for (bb = 0; bb < 8; bb++)
				A[a * 8 + bb] += c * rm.Y[i * 8 + a] *
				    rm.Y[i * 8 + bb];
		}
	}
	CHECK(rs_dense_chol(A, 8) == 0);
	rs_dense_chol_solve(A, 8, b);
	for (a = 0; a < 8; a++)
		x[a] = (float)b[a];
	/* The best item under the reference x must be the first row. */
	for (i = 0; i < 40; i++) {
		s = rs_dense_dot_f64(x, rm.Y + i * 8, 8);
		if (s > best)
			best = (float)s, bi = rm.iids[i];
	}
	CHECK_EQ_U64(rows[0].item, bi);
	res = fabs(rows[0].score - best);
	CHECK_NEAR(res, 0, 1e-4);
	rs_rec_work_free(w);
	rs_rec_free(r);
	rs_csr_free(h);
	rmodel_free(&rm);
}

static void
test_recommend__popular_model_and_errors(void)
{
	struct rs_model *pop;
	struct rs_rec_params p;
	struct rs_rec *r;
	struct rs_rec_work *w;
	struct rs_rec_row rows[2];
	struct rs_error err;

	CHECK(rs_model_popular_view(&pop, pi, 4, ps, &err) == 0);
	rs_rec_params_init(&p);
	p.k = 2;
	p.cosine = 1;
	CHECK(rs_rec_create(&r, pop, &p, &err) == RS_EARG);
	CHECK(strstr(err.msg, "als") != NULL);
	p.cosine = 0;
	p.k = 0;
	CHECK(rs_rec_create(&r, pop, &p, &err) == RS_EARG);
	p.k = 2;
	CHECK(rs_rec_create(&r, pop, &p, &err) == 0);
	CHECK(rs_rec_prepare(r, &err) == 0);
	CHECK(rs_rec_work_create(&w, r, &err) == 0);
	CHECK(rs_rec_visitor(r, w, 5, NULL, 0, rows, &err) == 2);
	CHECK_EQ_U64(rows[0].item, 7);
	CHECK_EQ_U64(rows[1].item, 4);
	CHECK(rows[1].source == RS_REC_POPULAR);
	rs_rec_work_free(w);
	rs_rec_free(r);
	rs_model_free(pop);
}

/* ---- fixture writers for the CLI tests ---- */

static int
mkmodel(const char *path)
{
	char kind[16], line[4096], key[256], val[1024], *p, *e;
	uint64_t *u = NULL, *it = NULL;
	float *X = NULL, *Y = NULL;
	uint32_t nu = 0, ni = 0, f = 0, j;
	struct rs_meta meta[32];
	char *keys[32], *vals[32];
	unsigned nmeta = 0, i;
	struct rs_model *m;
	struct rs_error err;
	int fd, rc;

	if (fgets(line, sizeof(line), stdin) == NULL ||
	    sscanf(line, "%15s %u", kind, &f) < 1)
		return 2;
	keys[nmeta] = strdup("model"), vals[nmeta++] = strdup(kind);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (sscanf(line, "meta %255s %1023s", key, val) == 2) {
			keys[nmeta] = strdup(key), vals[nmeta++] = strdup(val);
			continue;
		}
		p = line;
		if (strncmp(p, "user ", 5) == 0) {
			u = realloc(u, (nu + 1) * 8);
			X = realloc(X, ((size_t)nu + 1) * f * 4);
			u[nu] = strtoull(p + 5, &e, 10);
			for (j = 0; j < f; j++)
				X[(size_t)nu * f + j] = strtof(e, &e);
			nu++;
		} else if (strncmp(p, "item ", 5) == 0) {
			it = realloc(it, (ni + 1) * 8);
			Y = realloc(Y, ((size_t)ni + 1) * (f ? f : 1) * 4);
			it[ni] = strtoull(p + 5, &e, 10);
			for (j = 0; j < (f ? f : 1); j++)
				Y[(size_t)ni * (f ? f : 1) + j] = strtof(e, &e);
			ni++;
		}
	}
	for (i = 0; i < nmeta; i++)
		meta[i].key = keys[i], meta[i].value = vals[i];
	if (strcmp(kind, "als") == 0)
		rc = rs_model_als_view(&m, u, nu, it, ni, f, X, Y, &err);
	else
		rc = rs_model_popular_view(&m, it, ni, Y, &err);
	if (rc < 0 || (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    rs_model_write(m, fd, path, meta, nmeta, NULL, &err) < 0 ||
	    close(fd) < 0) {
		fprintf(stderr, "mkmodel: %s\n", err.msg);
		return 1;
	}
	rs_model_free(m);
	for (i = 0; i < nmeta; i++)
		free(keys[i]), free(vals[i]);
	free(u), free(it), free(X), free(Y);
	return 0;
}

struct trip {
	uint64_t r, c;
	float v;
};

static int
cmp_trip(const void *a, const void *b)
{
	const struct trip *x = a, *y = b;

	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return x->c < y->c ? -1 : x->c > y->c;
}

static int
cmp_u64_t(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
mkmatrix(const char *path)
{
	static const struct rs_meta meta[] = { { "row_name", "visitorid" },
	    { "col_name", "itemid" } };
	struct trip *t = NULL;
	uint64_t *cols = NULL, rr, cc;
	size_t n = 0, i, nc = 0, nr = 0, j;
	struct rs_csr *m;
	struct rs_error err;
	float v;
	int fd;

	while (scanf("%" SCNu64 " %" SCNu64 " %f", &rr, &cc, &v) == 3) {
		t = realloc(t, (n + 1) * sizeof(*t));
		cols = realloc(cols, (n + 1) * 8);
		t[n].r = rr, t[n].c = cc, t[n].v = v;
		cols[n++] = cc;
	}
	qsort(t, n, sizeof(*t), cmp_trip);
	qsort(cols, n, 8, cmp_u64_t);
	for (i = 0; i < n; i++)
		if (i == 0 || cols[i] != cols[nc - 1])
			cols[nc++] = cols[i];
	for (i = 0; i < n; i++)
		nr += i == 0 || t[i].r != t[i - 1].r;
	if (rs_csr_alloc(&m, (uint32_t)nr, (uint32_t)nc, n, &err) < 0)
		return 1;
	memcpy(m->col_ids, cols, nc * 8);
	for (i = 0, nr = 0; i < n; i++) {
		if (i == 0 || t[i].r != t[i - 1].r) {
			m->row_ids[nr++] = t[i].r;
			m->indptr[nr] = m->indptr[nr - 1];
		}
		for (j = 0; cols[j] != t[i].c; j++)
			;
		m->indices[i] = (uint32_t)j;
		m->values[i] = t[i].v;
		m->indptr[nr]++;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    rs_csr_write(m, fd, path, meta, 2, NULL, &err) < 0 ||
	    close(fd) < 0) {
		fprintf(stderr, "mkmatrix: %s\n", err.msg);
		return 1;
	}
	rs_csr_free(m);
	free(t), free(cols);
	return 0;
}

/*
 * The reference rate for bench/recommend.sh: GFLOP/s of one
 * m x n x k sgemm (row-major, B transposed, the kernel's call), per CPU
 * second of this process.
 */
static int
sgemm_rate(int argc, char **argv)
{
	size_t m = strtoul(argv[2], NULL, 10), n = strtoul(argv[3], NULL, 10);
	size_t k = strtoul(argv[4], NULL, 10), i, reps = 0;
	float *a, *b, *c;
	struct timespec t0, t1;
	double s;

	(void)argc;
	rs_dense_init();
	a = rs_dense_alloc(m * k);
	b = rs_dense_alloc(n * k);
	c = rs_dense_alloc(m * n);
	for (i = 0; i < m * k; i++)
		a[i] = frand();
	for (i = 0; i < n * k; i++)
		b[i] = frand();
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		rs_dense_sgemm(0, 1, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
		reps++;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
		s = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	} while (s < 1.0);
	printf("%.1f\n", 2.0 * (double)m * (double)n * (double)k *
	    (double)reps / s / 1e9);
	rs_dense_free(a);
	rs_dense_free(b);
	rs_dense_free(c);
	return 0;
}

/*
 * Per-request latency for bench/recommend.sh: loads MODEL, prepares a
 * recommender (K = 10, cosine on), warms up, then times single calls of
 * rs_rec_visitor (and of similar items) over the first visitors and
 * items.  Prints milliseconds per call (CPU and wall).
 */
static int
latency(const char *path)
{
	struct rs_model *m;
	struct rs_rec_params p;
	struct rs_rec *r;
	struct rs_rec_work *w;
	struct rs_rec_row rows[10];
	struct rs_rec_query q;
	struct rs_error err;
	struct timespec c0, c1, w0, w1;
	size_t i, n = 200, cnt = 0;
	int fd, kind;

	if ((fd = open(path, O_RDONLY)) < 0 ||
	    rs_model_load(&m, fd, path, &err) < 0)
		return 1;
	close(fd);
	rs_rec_params_init(&p);
	p.cosine = 1;
	if (rs_rec_create(&r, m, &p, &err) < 0 || rs_rec_prepare(r, &err) < 0 ||
	    rs_rec_work_create(&w, r, &err) < 0)
		return 1;
	for (kind = 0; kind < 2; kind++) {
		q.recent = NULL, q.nrecent = 0;
		q.id = kind ? rs_model_item_ids(m)[0] : rs_model_user_ids(m)[0];
		if (kind)
			cnt = (size_t)rs_rec_similar(r, w, q.id, rows, &err);
		else
			rs_rec_visitor(r, w, q.id, NULL, 0, rows, &err);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		clock_gettime(CLOCK_MONOTONIC, &w0);
		for (i = 0; i < n; i++) {
			if (kind) {
				q.id = rs_model_item_ids(m)[(i * 97) %
				    rs_model_nitems(m)];
				cnt = (size_t)rs_rec_similar(r, w, q.id, rows,
				    &err);
			} else {
				rs_rec_visitor(r, w, rs_model_user_ids(m)[
				    (i * 97) % rs_model_nusers(m)], NULL, 0,
				    rows, &err);
			}
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		clock_gettime(CLOCK_MONOTONIC, &w1);
		printf("%s: %.3f ms cpu, %.3f ms wall per call\n",
		    kind ? "similar" : "visitor",
		    ((double)(c1.tv_sec - c0.tv_sec) * 1e3 +
		    (double)(c1.tv_nsec - c0.tv_nsec) / 1e6) / (double)n,
		    ((double)(w1.tv_sec - w0.tv_sec) * 1e3 +
		    (double)(w1.tv_nsec - w0.tv_nsec) / 1e6) / (double)n);
	}
	rs_rec_work_free(w);
	rs_rec_free(r);
	rs_model_free(m);
	return cnt > 10;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "latency") == 0)
		return latency(argv[2]);
	if (argc == 5 && strcmp(argv[1], "sgemm-rate") == 0)
		return sgemm_rate(argc, argv);
	if (argc == 3 && strcmp(argv[1], "mkmodel") == 0)
		return mkmodel(argv[2]);
	if (argc == 3 && strcmp(argv[1], "mkmatrix") == 0)
		return mkmatrix(argv[2]);
	RUN(test_recommend__offline_known_answer);
	RUN(test_recommend__exclusion_keeps_k);
	RUN(test_recommend__item_lists);
	RUN(test_recommend__cold_start);
	RUN(test_recommend__batch_equals_brute_force);
	RUN(test_recommend__similar_equals_brute_force);
	RUN(test_recommend__blend_rule);
	RUN(test_recommend__fold_in_solves_normal_equations);
	RUN(test_recommend__popular_model_and_errors);
	return tap_done();
}
