/*
 * test_engine.c - the answering engine directly, as a live server would
 * use it: queries built by hand (visible events, exclusion lists), and
 * similar items against a brute-force cosine scan on random factors,
 * with the query item excluded, availability at t, and the popular list
 * for an item the model does not know; the neighbours table against the
 * scan, row for row, and the tables it refuses.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rng.h"
#include "qdot.h"
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

/*
 * Factors with exact ties: items 21 and 22 point the way item 20 does
 * (22 twice as long, so its unit vector is the same to the bit), and
 * item 7 is a zero vector.
 */
static void
make_tied_factors(void)
{
	size_t a;

	make_factors();
	for (a = 0; a < F; a++) {
		Y[21 * F + a] = Y[20 * F + a];
		Y[22 * F + a] = 2 * Y[20 * F + a];
	}
}

/*
 * Writes table t with the metadata of a neighbours table (neighbors n,
 * als_digest dg) to a stream and reads it back as model=similar.
 * Returns the read code; *out the table.
 */
static int
through_stream(const struct rs_itemknn *t, const char *model, unsigned n,
    uint32_t dg, struct rs_itemknn **out, struct rs_error *err)
{
	char path[] = "/tmp/test_engine_XXXXXX", nb[16], db[16];
	struct rs_meta meta[3];
	struct rs_reader *r;
	int fd, rc;

	snprintf(nb, sizeof(nb), "%u", n);
	snprintf(db, sizeof(db), "%08x", dg);
	meta[0] = (struct rs_meta){ "model", model };
	meta[1] = (struct rs_meta){ "neighbors", nb };
	meta[2] = (struct rs_meta){ "als_digest", db };
	*out = NULL;
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(rs_itemknn_write(t, fd, path, meta, 3, NULL, err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_reader_open(&r, fd, path, err) == 0);
	rc = rs_itemknn_read_as(r, "similar", out, err);
	rs_reader_free(r);
	close(fd);
	unlink(path);
	return rc;
}

/*
 * The neighbours table of model m with lists of n, made as rs-recommend
 * -f rsk makes it: an engine without any filter answers every model item
 * at the end of time, in prefetched batches, and the lists go through a
 * stream and back.
 */
static struct rs_itemknn *
build_table(const struct rs_model *m, unsigned n)
{
	const uint64_t *ids = rs_model_item_ids(m);
	const size_t ni = rs_model_nitems(m);
	struct rs_engine_params p;
	struct rs_engine_work *w;
	struct rs_engine *e;
	struct rs_itemknn *t, *back;
	struct rs_error err;
	struct rs_row rows[64];
	uint32_t nb[64];
	float sc[64];
	size_t s, j, c, bn;
	int got;

	rs_engine_params_init(&p);
	p.similar = 2;
	p.kmax = n;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, m, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	CHECK(rs_itemknn_create(&t, ids, (uint32_t)ni, &err) == 0);
	for (s = 0; s < ni; s += RS_ENGINE_BATCH) {
		bn = ni - s < RS_ENGINE_BATCH ? ni - s : RS_ENGINE_BATCH;
		CHECK(rs_engine_similar_prefetch(e, w, ids + s, bn, INT64_MAX,
		    &err) == 0);
		for (j = s; j < s + bn; j++) {
			got = rs_engine_similar(e, w, ids[j], INT64_MAX, n, rows,
			    &err);
			CHECK(got == (int)(n < ni - 1 ? n : ni - 1));
			for (c = 0; c < (size_t)got; c++) {
				nb[c] = (uint32_t)rs_model_find_item(m,
				    rows[c].item);
				sc[c] = rows[c].score;
			}
			CHECK(rs_itemknn_add(t, (uint32_t)j, nb, sc,
			    (uint32_t)got, &err) == 0);
		}
	}
	CHECK(through_stream(t, "similar", n, rs_engine_similar_digest(m),
	    &back, &err) == 0);
	rs_itemknn_free(t);
	rs_engine_work_free(w);
	rs_engine_free(e);
	return back;
}

/*
 * An engine for similar items of m with lists up to kmax, the popular
 * model pop, availability av, items 1000 + 10 j never recommended, and
 * the neighbours table t (NULL: none).
 */
static struct rs_engine *
query_engine(const struct rs_model *m, const struct rs_model *pop,
    const struct rs_avail *av, const struct rs_itemknn *t, unsigned kmax)
{
	struct rs_engine_params p;
	struct rs_engine *e;
	struct rs_error err;
	uint64_t deny[NI / 10];
	size_t j;

	rs_engine_params_init(&p);
	p.similar = 2;
	p.kmax = kmax;
	for (j = 0; j < NI / 10; j++)
		deny[j] = 1000 + 10 * j;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, m, &err) == 0);
	CHECK(rs_engine_set_popular(e, pop, &err) == 0);
	CHECK(rs_engine_set_avail(e, av, &err) == 0);
	CHECK(rs_engine_set_item_list(e, 0, deny, NI / 10, &err) == 0);
	if (t != NULL && rs_engine_set_neighbors(e, t, &err) < 0) {
		printf("# %s\n", err.msg);
		CHECK(!"rs_engine_set_neighbors");
	}
	CHECK(rs_engine_prepare(e, &err) == 0);
	return e;
}

/* 1 if the rows are the same, byte for byte (scores by their bits). */
static int
same_rows(const struct rs_row *a, int na, const struct rs_row *b, int nb)
{
	int j;

	if (na != nb)
		return 0;
	for (j = 0; j < na; j++)
		if (a[j].item != b[j].item || a[j].source != b[j].source ||
		    memcmp(&a[j].score, &b[j].score, sizeof(float)) != 0)
			return 0;
	return 1;
}

/*
 * The table's answers are the scan's, row for row, with filters that
 * remove some of the listed items (availability at t, an item list), so
 * that some lists run short and the scan answers them; for k below N, at
 * N and above N; with and without a prefetch; for exact ties, a zero
 * vector, an item the model does not know and one the table has no list
 * for.
 */
static void
test_engine__neighbors_table(void)
{
	enum { N = 10 };
	static const unsigned ks[] = { 1, 4, N, N + 3 };
	struct rs_engine_work *ws, *wt;
	struct rs_engine *es, *et;
	struct rs_model *m, *pop;
	struct rs_itemknn *t, *part, *back;
	struct rs_avail *av;
	struct rs_error err;
	struct rs_row a[N + 5], b[N + 5];
	float ps[3] = { 1, 3, 2 };
	uint64_t pid[3] = { 5, 1001, 1003 }, q[64], table, scanned, sc2;
	size_t j, nq = 0, bad = 0, ti, ki, pf;
	int na, nb;

	make_tied_factors();
	CHECK(rs_model_als_view(&m, users, NU, items, NI, F, X, Y, &err) == 0);
	CHECK(rs_model_popular_view(&pop, pid, 3, ps, &err) == 0);
	CHECK(rs_avail_create(&av, &err) == 0);
	for (j = 0; j < NI; j += 3)
		CHECK(rs_avail_add(av, items[j], 100, 0, &err) == 0);
	CHECK(rs_avail_finish(av, &err) == 0);
	t = build_table(m, N);
	CHECK_EQ_U64(rs_itemknn_nnz(t), (uint64_t)NI * N);
	es = query_engine(m, pop, av, NULL, N + 5);
	et = query_engine(m, pop, av, t, N + 5);
	CHECK_EQ_U64(rs_engine_neighbors_n(et), N);
	CHECK(rs_engine_work_create(&ws, es, &err) == 0);
	CHECK(rs_engine_work_create(&wt, et, &err) == 0);
	q[nq++] = 1007;		/* the zero vector */
	q[nq++] = 1020;		/* ties with 1021 and 1022 */
	q[nq++] = 1021;
	q[nq++] = 99;		/* unknown: the popular list */
	for (j = 0; nq < 64; j++)
		q[nq++] = items[j * 47 % NI];
	for (pf = 0; pf < 2; pf++)
		for (ti = 0; ti < 2; ti++) {
			const int64_t tq = ti ? 200 : 50;

			if (pf) {
				CHECK(rs_engine_similar_prefetch(es, ws, q, nq,
				    tq, &err) == 0);
				CHECK(rs_engine_similar_prefetch(et, wt, q, nq,
				    tq, &err) == 0);
			}
			for (j = 0; j < nq; j++)
				for (ki = 0; ki < 4; ki++) {
					na = rs_engine_similar(es, ws, q[j], tq,
					    ks[ki], a, &err);
					nb = rs_engine_similar(et, wt, q[j], tq,
					    ks[ki], b, &err);
					if (na < 0 || !same_rows(a, na, b, nb)) {
						printf("# item %llu t %lld k %u "
						    "differs\n", (unsigned long long)
						    q[j], (long long)tq, ks[ki]);
						bad++;
					}
				}
		}
	CHECK_EQ_U64(bad, 0);
	/* both paths were taken, and the scan engine never used a table */
	rs_engine_similar_counts(wt, &table, &scanned);
	CHECK(table > 100 && scanned > 100);
	rs_engine_similar_counts(ws, &table, &sc2);
	CHECK_EQ_U64(table, 0);
	/* the tied items come in row order */
	nb = rs_engine_similar(et, wt, 1020, 50, 3, b, &err);
	CHECK(nb == 3 && b[0].item == 1021 && b[1].item == 1022);
	CHECK(memcmp(&b[0].score, &b[1].score, sizeof(float)) == 0);
	rs_engine_work_free(wt);
	rs_engine_free(et);

	/* an item without a list (1017) is scanned, the others are not */
	CHECK(rs_itemknn_create(&part, items, NI, &err) == 0);
	for (j = 0; j < NI; j++) {
		const uint32_t *pn;
		const float *psc;
		const uint32_t c = rs_itemknn_neighbors(t, (uint32_t)j, &pn,
		    &psc);

		if (j != 17)
			CHECK(rs_itemknn_add(part, (uint32_t)j, pn, psc, c,
			    &err) == 0);
	}
	CHECK(through_stream(part, "similar", N, rs_engine_similar_digest(m),
	    &back, &err) == 0);
	et = query_engine(m, pop, av, back, N + 5);
	CHECK(rs_engine_work_create(&wt, et, &err) == 0);
	for (j = 1015; j < 1020; j++) {
		na = rs_engine_similar(es, ws, j, 50, 4, a, &err);
		nb = rs_engine_similar(et, wt, j, 50, 4, b, &err);
		CHECK(na == 4 && same_rows(a, na, b, nb));
	}
	rs_engine_similar_counts(wt, &table, &scanned);
	CHECK(table == 4 && scanned == 1);
	rs_engine_work_free(ws);
	rs_engine_work_free(wt);
	rs_engine_free(es);
	rs_engine_free(et);
	rs_itemknn_free(part);
	rs_itemknn_free(back);
	rs_itemknn_free(t);
	rs_model_free(m);
	rs_model_free(pop);
	rs_avail_free(av);
}

/*
 * A table is refused when it is from another model (one factor
 * differs), lacks the metadata, has a list longer than its N or out of
 * order, or comes after rs_engine_prepare.
 */
static void
test_engine__neighbors_refused(void)
{
	static float Y2[NI * F];
	struct rs_engine_params p;
	struct rs_engine *e;
	struct rs_model *m, *m2;
	struct rs_itemknn *t, *bad, *back;
	struct rs_error err;
	const uint32_t *nb;
	const float *sc;
	uint32_t rnb[16], i, c, j;
	float rsc[16];

	make_factors();
	memcpy(Y2, Y, sizeof(Y));
	Y2[5 * F + 3] += 1e-6f;
	CHECK(rs_model_als_view(&m, users, NU, items, NI, F, X, Y, &err) == 0);
	CHECK(rs_model_als_view(&m2, users, NU, items, NI, F, X, Y2,
	    &err) == 0);
	CHECK(rs_engine_similar_digest(m) != rs_engine_similar_digest(m2));
	t = build_table(m, 6);
	rs_engine_params_init(&p);
	p.similar = 2;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_neighbors(e, t, &err) == RS_EARG);
	CHECK(rs_engine_set_als(e, m2, &err) == 0);
	CHECK(rs_engine_set_neighbors(e, t, &err) == RS_EFORMAT);
	CHECK(strstr(err.msg, "built from another ALS model") != NULL);
	rs_engine_free(e);

	/* no metadata; the N of the metadata below the lists' */
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, m, &err) == 0);
	CHECK(rs_itemknn_create(&bad, items, NI, &err) == 0);
	CHECK(rs_engine_set_neighbors(e, bad, &err) == RS_EFORMAT);
	CHECK(strstr(err.msg, "not a similar-items table") != NULL);
	rs_itemknn_free(bad);
	CHECK(through_stream(t, "similar", 5, rs_engine_similar_digest(m),
	    &back, &err) == 0);
	CHECK(rs_engine_set_neighbors(e, back, &err) == RS_EFORMAT);
	CHECK(strstr(err.msg, "more than 5 neighbours") != NULL);
	rs_itemknn_free(back);
	CHECK(through_stream(t, "itemknn", 6, rs_engine_similar_digest(m),
	    &back, &err) == RS_EFORMAT);
	CHECK(strstr(err.msg, "is a 'itemknn' model, expected 'similar'") !=
	    NULL);

	/* item 1010's list with its first two swapped */
	CHECK(rs_itemknn_create(&bad, items, NI, &err) == 0);
	for (i = 0; i < NI; i++) {
		c = rs_itemknn_neighbors(t, i, &nb, &sc);
		for (j = 0; j < c; j++) {
			rnb[j] = nb[j];
			rsc[j] = sc[j];
		}
		if (i == 10) {
			rnb[0] = nb[1], rnb[1] = nb[0];
			rsc[0] = sc[1], rsc[1] = sc[0];
		}
		CHECK(rs_itemknn_add(bad, i, rnb, rsc, c, &err) == 0);
	}
	CHECK(through_stream(bad, "similar", 6, rs_engine_similar_digest(m),
	    &back, &err) == 0);
	CHECK(rs_engine_set_neighbors(e, back, &err) == RS_EFORMAT);
	CHECK(strstr(err.msg, "item 1010: more than 6 neighbours, or not "
	    "best first") != NULL);
	rs_itemknn_free(back);
	rs_itemknn_free(bad);

	/* the right table is taken, but not once prepared */
	CHECK(rs_engine_set_neighbors(e, t, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_set_neighbors(e, t, &err) == RS_EARG);
	rs_engine_free(e);
	rs_itemknn_free(t);
	rs_model_free(m);
	rs_model_free(m2);
}

/*
 * The als source of a lone query (the 8-bit pruned scan, with the AVX2
 * kernel and the portable one) gives the lists of a prefetched batch (the
 * sgemm scan), row for row: fold-in visitors of one to six events, a
 * trained visitor, tied items (21 and 22 point the way 20 does), items
 * unavailable at t and an item list that removes some.
 */
static void
test_engine__als_lone_equals_batch(void)
{
	enum { NQ = 120, K = 20 };
	static uint32_t ev[NQ][6];
	static uint8_t ty[NQ][6];
	struct rs_engine_params p;
	struct rs_engine_work *w;
	struct rs_engine *e;
	struct rs_model *m;
	struct rs_avail *av;
	struct rs_error err;
	struct rs_engine_query q[NQ];
	struct rs_blend b;
	struct rs_row a[K], c[K];
	struct rs_rng g;
	uint64_t deny[NI / 10];
	size_t j, i, kern, bad = 0;
	int na, nc;

	make_tied_factors();
	CHECK(rs_model_als_view(&m, users, NU, items, NI, F, X, Y, &err) == 0);
	CHECK(rs_avail_create(&av, &err) == 0);
	for (j = 0; j < NI; j += 3)
		CHECK(rs_avail_add(av, items[j], 100, 0, &err) == 0);
	CHECK(rs_avail_finish(av, &err) == 0);
	for (j = 0; j < NI / 10; j++)
		deny[j] = 1005 + 10 * j;
	rs_engine_params_init(&p);
	p.kmax = K;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, m, &err) == 0);
	CHECK(rs_engine_set_avail(e, av, &err) == 0);
	CHECK(rs_engine_set_item_list(e, 0, deny, NI / 10, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	CHECK(rs_blend_parse("als:1", &b, &err) == 0);
	rs_rng_seed(&g, 5);
	memset(q, 0, sizeof(q));
	for (j = 0; j < NQ; j++) {
		q[j].key = j + 1;
		q[j].visitor = j == 0 ? users[2] : 100 + j;
		q[j].t = j % 2 ? 50 : 200;
		q[j].n = j == 0 ? 0 : 1 + j % 6;
		for (i = 0; i < q[j].n; i++) {
			ev[j][i] = (uint32_t)rs_engine_find(e, items[j % 5 == 0 ?
			    20 + i % 3 : rs_rng_below(&g, NI)]);
			ty[j][i] = (uint8_t)(i % 3 == 2 ? RS_EV_ADDTOCART :
			    RS_EV_VIEW);
		}
		q[j].item = ev[j];
		q[j].type = ty[j];
	}
	for (kern = 0; kern < 2; kern++) {
		rs_qdot_use_portable((int)kern);
		CHECK(rs_engine_prefetch(e, w, q, NQ, &err) == 0);
		for (j = 0; j < NQ; j++) {
			struct rs_engine_query lone = q[j];

			na = rs_engine_answer(e, w, &q[j], &b, K, a, &err);
			lone.key = 0;
			nc = rs_engine_answer(e, w, &lone, &b, K, c, &err);
			if (na != K || !same_rows(a, na, c, nc))
				bad++;
		}
	}
	rs_qdot_use_portable(0);
	CHECK_EQ_U64(bad, 0);
	rs_engine_work_free(w);
	rs_engine_free(e);
	rs_model_free(m);
	rs_avail_free(av);
}

/*
 * A work's marks are stamped with a counter that wraps after 2^32
 * queries (a day or two of a busy server): answers across the wrap
 * must equal a fresh work's.  Without the clearing in tick_room, the
 * counter's 0 meets the zeroed marks and every item reads as bought.
 */
static void
test_engine__tick_wrap(void)
{
	enum { NQ = 40, K = 10 };
	static uint32_t ev[NQ][4];
	static uint8_t ty[NQ][4];
	struct rs_engine_params p;
	struct rs_engine_work *fresh, *old;
	struct rs_engine *e;
	struct rs_model *m;
	struct rs_error err;
	struct rs_engine_query q[NQ];
	struct rs_blend b;
	struct rs_row a[K], c[K];
	size_t j, i, bad = 0, rows = 0;
	int na, nc;

	make_tied_factors();
	CHECK(rs_model_als_view(&m, users, NU, items, NI, F, X, Y, &err) == 0);
	rs_engine_params_init(&p);
	p.kmax = K;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, m, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_work_create(&fresh, e, &err) == 0);
	CHECK(rs_engine_work_create(&old, e, &err) == 0);
	rs_engine_work_set_tick(old, UINT32_MAX - 7);
	CHECK(rs_blend_parse("recent:3,als:7", &b, &err) == 0);
	memset(q, 0, sizeof(q));
	for (j = 0; j < NQ; j++) {
		q[j].visitor = 100 + j;
		q[j].t = 200;
		q[j].n = 4;
		for (i = 0; i < 4; i++) {
			ev[j][i] = (uint32_t)rs_engine_find(e,
			    items[(7 * j + 3 * i) % NI]);
			ty[j][i] = (uint8_t)(i == 3 ? RS_EV_TRANSACTION :
			    RS_EV_VIEW);
		}
		q[j].item = ev[j];
		q[j].type = ty[j];
	}
	for (j = 0; j < NQ; j++) {
		na = rs_engine_answer(e, fresh, &q[j], &b, K, a, &err);
		nc = rs_engine_answer(e, old, &q[j], &b, K, c, &err);
		if (na != K || !same_rows(a, na, c, nc))
			bad++;
		rows += nc > 0 ? (size_t)nc : 0;
	}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(rows, NQ * K);
	rs_engine_work_free(fresh);
	rs_engine_work_free(old);
	rs_engine_free(e);
	rs_model_free(m);
}

int
main(void)
{
	RUN(test_engine__similar_brute_force);
	RUN(test_engine__exclude);
	RUN(test_engine__neighbors_table);
	RUN(test_engine__neighbors_refused);
	RUN(test_engine__als_lone_equals_batch);
	RUN(test_engine__tick_wrap);
	return tap_done();
}
