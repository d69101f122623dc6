/*
 * test_engine.c - the answering engine directly, as a live server would
 * use it: queries built by hand (visible events, exclusion lists), and
 * similar items against a brute-force cosine scan on random factors,
 * with the query item excluded, availability at t, and the popular list
 * for an item the model does not know.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"
#include "rs.h"
#include "tap.h"
#include "banned.h"

enum { NU = 5, NI = 3000, F = 12 };

static uint64_t users[NU], items[NI];
static float X[NU * F], Y[NI * F];

static void
make_factors(void)
{
	struct rs_rng g;
	size_t i, a;

	rs_rng_seed(&g, 7);
	for (i = 0; i < NU; i++) {
		users[i] = 1 + i;
		for (a = 0; a < F; a++)
			X[i * F + a] = (float)rs_rng_normal(&g);
	}
	for (i = 0; i < NI; i++) {
		const double rho = 0.2 + 3 * rs_rng_double(&g);

		items[i] = 1000 + i;
		for (a = 0; a < F; a++)
			Y[i * F + a] = (float)(rho * rs_rng_normal(&g));
	}
	for (a = 0; a < F; a++)		/* a zero vector: cosine 0 */
		Y[7 * F + a] = 0;
}

static double
cosine(size_t i, size_t j)
{
	double d = 0, ni = 0, nj = 0;
	size_t a;

	for (a = 0; a < F; a++) {
		d += (double)Y[i * F + a] * Y[j * F + a];
		ni += (double)Y[i * F + a] * Y[i * F + a];
		nj += (double)Y[j * F + a] * Y[j * F + a];
	}
	return ni > 0 && nj > 0 ? d / sqrt(ni * nj) : 0;
}

static void
test_engine__similar_brute_force(void)
{
	struct rs_engine_params p;
	struct rs_engine_work *w;
	struct rs_engine *e;
	struct rs_model *m, *pop;
	struct rs_avail *av;
	struct rs_error err;
	struct rs_row rows[20];
	float ps[3] = { 1, 3, 2 };
	uint64_t pid[3] = { 5, 1001, 1003 };
	size_t q, j, k, bad = 0;
	int n;

	make_factors();
	CHECK(rs_model_als_view(&m, users, NU, items, NI, F, X, Y, &err) == 0);
	CHECK(rs_model_popular_view(&pop, pid, 3, ps, &err) == 0);
	/* items 1000 + 3j unavailable from t = 100 */
	CHECK(rs_avail_create(&av, &err) == 0);
	for (j = 0; j < NI; j += 3)
		CHECK(rs_avail_add(av, items[j], 100, 0, &err) == 0);
	CHECK(rs_avail_finish(av, &err) == 0);
	rs_engine_params_init(&p);
	p.similar = 1;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, m, &err) == 0);
	CHECK(rs_engine_set_popular(e, pop, &err) == 0);
	CHECK(rs_engine_set_avail(e, av, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	for (q = 0; q < 40; q++) {
		const size_t qi = q * 73 % NI;
		const int64_t t = q % 2 ? 200 : 50;
		double best[20];

		n = rs_engine_similar(e, w, items[qi], t, 20, rows, &err);
		CHECK_EQ_U64(n, 20);
		/* brute force: the 20 best cosines among eligible items */
		for (k = 0; k < 20; k++)
			best[k] = -INFINITY;
		for (j = 0; j < NI; j++) {
			double c;

			if (j == qi || (t >= 100 && j % 3 == 0))
				continue;
			c = cosine(qi, j);
			for (k = 20; k > 0 && c > best[k - 1]; k--)
				if (k < 20)
					best[k] = best[k - 1];
			if (k < 20)
				best[k] = c;
		}
		for (k = 0; k < (size_t)n; k++) {
			const size_t it = rows[k].item - 1000;

			if (it == qi || (t >= 100 && it % 3 == 0) ||
			    rows[k].source != RS_SRC_ALS ||
			    fabs(cosine(qi, it) - best[k]) > 1e-5 ||
			    fabs(rows[k].score - best[k]) > 1e-5)
				bad++;
		}
	}
	CHECK_EQ_U64(bad, 0);
	/* unknown item: the popular list, available at t; 5 is unknown */
	n = rs_engine_similar(e, w, 99, 50, 5, rows, &err);
	CHECK_EQ_U64(n, 3);
	CHECK(rows[0].item == 1001 && rows[0].source == RS_SRC_POPULAR);
	CHECK(rows[1].item == 1003 && rows[2].item == 5);
	n = rs_engine_similar(e, w, 99, 150, 5, rows, &err);
	CHECK_EQ_U64(n, 2);	/* 1003 = 1000 + 3 * 1 is unavailable */
	CHECK(rows[0].item == 1001 && rows[1].item == 5);
	rs_engine_work_free(w);
	rs_engine_free(e);
	rs_model_free(m);
	rs_model_free(pop);
	rs_avail_free(av);
}

/* A query's exclusion list holds for every source, and nothing else. */
static void
test_engine__exclude(void)
{
	struct rs_engine_params p;
	struct rs_engine_work *w;
	struct rs_engine *e;
	struct rs_model *m;
	struct rs_error err;
	struct rs_engine_query q;
	struct rs_blend b;
	struct rs_row rows[20], base[20];
	uint32_t ev[3], ex[2];
	uint8_t ty[3] = { RS_EV_VIEW, RS_EV_VIEW, RS_EV_VIEW };
	int n, nb, j;

	make_factors();
	CHECK(rs_model_als_view(&m, users, NU, items, NI, F, X, Y, &err) == 0);
	rs_engine_params_init(&p);
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	ev[0] = (uint32_t)rs_engine_intern(e, 1010);
	ev[1] = (uint32_t)rs_engine_intern(e, 1020);
	ev[2] = (uint32_t)rs_engine_intern(e, 1030);
	CHECK(rs_engine_set_als(e, m, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	CHECK(rs_blend_parse("recent:1,als:1", &b, &err) == 0);
	memset(&q, 0, sizeof(q));
	q.visitor = 1;
	q.t = 1000;
	q.item = ev;
	q.type = ty;
	q.n = 3;
	nb = rs_engine_answer(e, w, &q, &b, 20, base, &err);
	CHECK_EQ_U64(nb, 20);
	/* exclude the newest recent item and the best als item */
	ex[0] = ev[2];
	for (j = 0; j < nb && base[j].source != RS_SRC_ALS; j++)
		;
	ex[1] = (uint32_t)rs_engine_find(e, base[j].item);
	q.exclude = ex;
	q.nexclude = 2;
	n = rs_engine_answer(e, w, &q, &b, 20, rows, &err);
	CHECK_EQ_U64(n, 20);
	for (j = 0; j < n; j++)
		CHECK(rows[j].item != 1030 && rows[j].item != base[1].item);
	CHECK(rows[0].item == 1020 && rows[0].source == RS_SRC_RECENT);
	rs_engine_work_free(w);
	rs_engine_free(e);
	rs_model_free(m);
}

int
main(void)
{
	RUN(test_engine__similar_brute_force);
	RUN(test_engine__exclude);
	return tap_done();
}
