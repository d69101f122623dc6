/*
 * test_replay.c - the replay engine on a hand-built log whose answers are
 * known: visibility (strictly before the request; the target event and
 * later events never visible), the bought filter, causal popular counts,
 * item-kNN answers, blend slot filling and deduplication, and metrics;
 * availability per request time; then on random data against brute
 * force: causal popular with and without a window, and the
 * early-stopping ALS scan against a full scan.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"
#include "rs.h"
#include "tap.h"
#include "banned.h"

#define V RS_EV_VIEW
#define A RS_EV_ADDTOCART
#define T RS_EV_TRANSACTION
#define NONE RS_ID_NONE

/*
 * Visitor 1: views 100, 101, buys 102, then adds 101 at t = 50 (the
 * target), views 103 at the same millisecond and 104 later: neither may
 * be visible.  Visitor 2 makes item 200 popular early; visitor 3 has no
 * events before its request.
 */
static const struct rs_event evs[] = {
	{ 10, 1, 100, NONE, V },
	{ 20, 1, 101, NONE, V },
	{ 30, 1, 102, NONE, V },
	{ 31, 1, 102, 9, T },
	{ 50, 1, 101, NONE, A },
	{ 50, 1, 103, NONE, V },
	{ 60, 1, 104, NONE, V },
	{ 1, 2, 200, NONE, V },
	{ 2, 2, 200, NONE, A },
	{ 3, 2, 201, NONE, V },
	{ 55, 2, 104, NONE, A },
	{ 70, 3, 300, NONE, A }
};
#define NEV (sizeof(evs) / sizeof(evs[0]))

static const struct rs_request reqs[] = {
	{ 1, 1, 50, 101 },
	{ 2, 3, 70, 300 },
	{ 3, 2, 55, 104 }
};
#define NQ 3

static struct rs_replay *
engine(const struct rs_replay_params *p, const struct rs_itemknn *knn)
{
	struct rs_replay *r;
	struct rs_error err;

	if (rs_replay_create(&r, evs, NEV, p, &err) < 0 ||
	    (knn != NULL && rs_replay_set_itemknn(r, knn, &err) < 0) ||
	    rs_replay_prepare(r, reqs, NQ, &err) < 0) {
		printf("# %s\n", err.msg);
		exit(1);
	}
	return r;
}

static int
answer(const struct rs_replay *r, struct rs_replay_work *w, size_t i,
    const char *spec, unsigned k, struct rs_row *rows)
{
	struct rs_blend b;
	struct rs_error err;

	if (rs_blend_parse(spec, &b, &err) < 0)
		return -1;
	return rs_replay_answer(r, w, i, &b, k, rows, &err);
}

static int
has(const struct rs_row *rows, int n, uint64_t item)
{
	int j;

	for (j = 0; j < n; j++)
		if (rows[j].item == item)
			return 1;
	return 0;
}

static void
test_replay__visibility(void)
{
	struct rs_replay_params p;
	struct rs_row rows[20];
	struct rs_replay_work *w;
	struct rs_replay *r;
	struct rs_error err;
	int n;

	rs_replay_params_init(&p);
	r = engine(&p, NULL);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	/* visible: 100, 101, 102 (bought, filtered); newest first */
	n = answer(r, w, 0, "recent", 10, rows);
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(rows[0].item, 101);
	CHECK_EQ_U64(rows[1].item, 100);
	CHECK(rows[0].source == RS_SRC_RECENT);
	CHECK(!has(rows, n, 103) && !has(rows, n, 104) && !has(rows, n, 102));
	CHECK_EQ_U64(rs_replay_visible(r, 0), 4);
	CHECK(!rs_replay_discovery(r, 0));
	CHECK_EQ_U64(rs_replay_rank(r, 0, rows, (size_t)n), 1);
	/* visitor 3: nothing visible, a discovery request */
	CHECK_EQ_U64(answer(r, w, 1, "recent", 10, rows), 0);
	CHECK(rs_replay_discovery(r, 1));
	rs_replay_work_free(w);
	rs_replay_free(r);
	/* --keep-bought brings 102 back, first (bought at t = 31) */
	p.keep_bought = 1;
	r = engine(&p, NULL);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	n = answer(r, w, 0, "recent", 10, rows);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(rows[0].item, 102);
	rs_replay_work_free(w);
	rs_replay_free(r);
}

static void
test_replay__causal_popular(void)
{
	struct rs_replay_params p;
	struct rs_row rows[20];
	struct rs_replay_work *w;
	struct rs_replay *r;
	struct rs_error err;
	int n, j;

	rs_replay_params_init(&p);
	r = engine(&p, NULL);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	/* before t = 50: 200 has 1 + 5, 102 has 1 + 3 (bought by 1) */
	n = answer(r, w, 0, "popular", 10, rows);
	CHECK(n >= 1);
	CHECK_EQ_U64(rows[0].item, 200);
	CHECK_NEAR(rows[0].score, 6, 1e-6);
	CHECK(!has(rows, n, 102));
	for (j = 0; j < n; j++)
		CHECK(rows[j].item != 101 || rows[j].score == 1);
	CHECK(!has(rows, n, 103) && !has(rows, n, 104));
	/* at t = 70 the events at 50..60 count: 104 = 1 + 5 */
	n = answer(r, w, 1, "popular", 10, rows);
	CHECK(has(rows, n, 104) && has(rows, n, 103));
	CHECK(!has(rows, n, 300));
	rs_replay_work_free(w);
	rs_replay_free(r);
}

static void
test_replay__blend(void)
{
	struct rs_replay_params p;
	struct rs_row rows[20];
	struct rs_blend b;
	struct rs_replay_work *w;
	struct rs_replay *r;
	struct rs_error err;
	int n;

	CHECK(rs_blend_parse("recent:4,itemknn:4,als:2", &b,
	    &err) == 0);
	CHECK_EQ_U64(b.n, 3);
	CHECK_EQ_U64(b.sum, 10);
	CHECK(rs_blend_parse("recent:4,recent:2", &b, &err) < 0);
	CHECK(rs_blend_parse("recent:0", &b, &err) < 0);
	CHECK(rs_blend_parse("recent:0,popular:0", &b, &err) < 0);
	CHECK(rs_blend_parse("recent:3,itemknn:2,popular:0", &b,
	    &err) == 0);
	CHECK_EQ_U64(b.sum, 5);
	CHECK(rs_blend_parse("nosuch:1", &b, &err) < 0);

	rs_replay_params_init(&p);
	r = engine(&p, NULL);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	/*
	 * recent = [101, 100], popular = [200, 201?, 100, 101, ...]:
	 * recent:1,popular:1 builds rounds of 2 rows: 101, popular's best
	 * not taken, 100, popular's next; 100 and 101 never twice.
	 */
	n = answer(r, w, 0, "recent:1,popular:1", 4, rows);
	CHECK_EQ_U64(n, 4);
	CHECK_EQ_U64(rows[0].item, 101);
	CHECK_EQ_U64(rows[2].item, 100);
	CHECK(rows[1].source == RS_SRC_POPULAR && rows[3].source ==
	    RS_SRC_POPULAR);
	CHECK(rows[1].item != 100 && rows[1].item != 101);
	CHECK(rows[3].item != 100 && rows[3].item != 101);
	CHECK(rows[1].item != rows[3].item);
	/* back-fill: recent runs dry at 2, popular fills up to K = 6 */
	n = answer(r, w, 0, "recent:5,popular:1", 6, rows);
	CHECK_EQ_U64(rows[0].item, 101);
	CHECK_EQ_U64(rows[1].item, 100);
	CHECK(n >= 4);
	CHECK(rows[2].source == RS_SRC_POPULAR);
	/* popular:0 only back-fills: the same rows as recent:5,popular:1
	 * here, and none of its rows while recent has items left */
	n = answer(r, w, 0, "recent:1,popular:0", 6, rows);
	CHECK(n >= 4);
	CHECK_EQ_U64(rows[0].item, 101);
	CHECK_EQ_U64(rows[1].item, 100);
	CHECK(rows[2].source == RS_SRC_POPULAR);
	n = answer(r, w, 0, "recent:1,popular:0", 2, rows);
	CHECK_EQ_U64(n, 2);
	CHECK(rows[0].source == RS_SRC_RECENT && rows[1].source ==
	    RS_SRC_RECENT);
	rs_replay_work_free(w);
	rs_replay_free(r);
}

static void
test_replay__itemknn(void)
{
	struct rs_itemknn_params kp;
	struct rs_replay_params p;
	struct rs_row rows[20];
	struct rs_replay_work *w;
	struct rs_itemknn *knn;
	struct rs_replay *r;
	struct rs_error err;
	int n;

	/* trained on everything: 104 co-occurs with 101 in visitor 1 */
	rs_itemknn_params_init(&kp);
	CHECK(rs_itemknn_train(evs, NEV, &kp, &knn, NULL, &err) == 0);
	rs_replay_params_init(&p);
	r = engine(&p, knn);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	n = answer(r, w, 0, "itemknn", 10, rows);
	CHECK(n > 0);
	CHECK(has(rows, n, 104));
	CHECK(!has(rows, n, 102));	/* bought */
	CHECK(rows[0].source == RS_SRC_ITEMKNN);
	/* no context, no rows */
	CHECK_EQ_U64(answer(r, w, 1, "itemknn", 10, rows), 0);
	rs_replay_work_free(w);
	rs_replay_free(r);
	rs_itemknn_free(knn);
}

/*
 * A prepared replay's item-kNN model swapped in place (--knn-every):
 * none, then a trained one (the same answers as a replay prepared with
 * it), then one naming an item the history lacks, refused, the model
 * before it still answering; then none again.
 */
static void
test_replay__itemknn_swap(void)
{
	static const uint64_t stranger[] = { 100, 999 };
	static const uint32_t nb = 1;
	static const float sc = 0.5f;
	struct rs_itemknn_params kp;
	struct rs_replay_params p;
	struct rs_row rows[20], want[20];
	struct rs_replay_work *w, *w2;
	struct rs_itemknn *knn, *bad;
	struct rs_replay *r, *r2;
	struct rs_error err;
	int n, n2, i;

	rs_itemknn_params_init(&kp);
	CHECK(rs_itemknn_train(evs, NEV, &kp, &knn, NULL, &err) == 0);
	rs_replay_params_init(&p);
	r = engine(&p, NULL);
	r2 = engine(&p, knn);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	CHECK(rs_replay_work_create(&w2, r2, &err) == 0);
	/* without a model: recent's 2 items (101, 100; 102 bought) */
	CHECK_EQ_U64(answer(r, w, 0, "recent:1,itemknn:9", 10, rows), 2);
	CHECK(rs_replay_set_itemknn(r, knn, &err) == 0);
	n = answer(r, w, 0, "recent:1,itemknn:9", 10, rows);
	n2 = answer(r2, w2, 0, "recent:1,itemknn:9", 10, want);
	CHECK(n > 2);
	CHECK_EQ_U64(n, n2);
	for (i = 0; i < n && i < n2; i++) {
		CHECK_EQ_U64(rows[i].item, want[i].item);
		CHECK(rows[i].score == want[i].score);
	}
	CHECK(rs_itemknn_create(&bad, stranger, 2, &err) == 0);
	CHECK(rs_itemknn_add(bad, 0, &nb, &sc, 1, &err) == 0);
	CHECK(rs_replay_set_itemknn(r, bad, &err) == RS_EARG);
	CHECK(strstr(err.msg, "999") != NULL);
	CHECK_EQ_U64(answer(r, w, 0, "recent:1,itemknn:9", 10, rows), n);
	CHECK(rs_replay_set_itemknn(r, NULL, &err) == 0);
	CHECK_EQ_U64(answer(r, w, 0, "recent:1,itemknn:9", 10, rows), 2);
	rs_itemknn_free(bad);
	rs_replay_work_free(w);
	rs_replay_work_free(w2);
	rs_replay_free(r);
	rs_replay_free(r2);
	rs_itemknn_free(knn);
}

/*
 * A replay of requests q[0..nq) over ev[0..nev) with the ALS model m,
 * and two work areas: *w1 answers request by request, *w2 holds the
 * prefetched lists of them all (nq <= RS_ENGINE_BATCH).
 */
static struct rs_replay *
als_replay(const struct rs_event *ev, size_t nev, const struct rs_request *q,
    size_t nq, const struct rs_replay_params *p, const struct rs_model *m,
    struct rs_replay_work **w1, struct rs_replay_work **w2)
{
	struct rs_replay *r;
	struct rs_error err;

	CHECK(rs_replay_create(&r, ev, nev, p, &err) == 0);
	CHECK(rs_replay_set_als(r, m, &err) == 0);
	CHECK(rs_replay_prepare(r, q, nq, &err) == 0);
	CHECK(rs_replay_work_create(w1, r, &err) == 0);
	CHECK(rs_replay_work_create(w2, r, &err) == 0);
	CHECK(rs_replay_prefetch(r, *w2, 0, nq, &err) == 0);
	return r;
}

static void
test_replay__metrics(void)
{
	struct rs_replay_params p;
	struct rs_row rows[20];
	struct rs_replay_metrics m;
	struct rs_replay_work *w;
	struct rs_replay_acc acc;
	struct rs_replay *r;
	struct rs_error err;
	size_t i;
	int n;

	rs_replay_params_init(&p);
	r = engine(&p, NULL);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	CHECK(rs_replay_acc_init(&acc, r, 10, &err) == 0);
	for (i = 0; i < NQ; i++) {
		n = answer(r, w, i, "recent", 10, rows);
		rs_replay_acc_add(&acc, r, i, rows, (size_t)n);
	}
	rs_replay_acc_result(&acc, r, 0, &m);
	/* request 1 hits at rank 1; 2 has no rows; 3: 104 not visible */
	CHECK_EQ_U64(m.requests, 3);
	CHECK_NEAR(m.hit, 1.0 / 3, 1e-12);
	CHECK_NEAR(m.mrr, 1.0 / 3, 1e-12);
	CHECK_NEAR(m.ndcg, 1.0 / 3, 1e-12);
	rs_replay_acc_result(&acc, r, 1, &m);
	CHECK_EQ_U64(m.requests, 2);
	CHECK_NEAR(m.hit, 0, 1e-12);
	rs_replay_acc_free(&acc);
	rs_replay_work_free(w);
	rs_replay_free(r);
}

static void
test_replay__als_prefetch(void)
{
	static const uint64_t users[] = { 2 };
	static const uint64_t items[] = { 100, 101, 102, 103, 104, 200, 201,
	    300 };
	static const float X[] = { 0.5f, -0.25f };
	static const float Y[] = { 1, 0.5f, 0.2f, 0.9f, -0.3f, 0.4f,
	    0.7f, 0.7f, 0.1f, -1, 0.8f, 0.3f, -0.6f, 0.2f, 0.3f, 0.3f };
	struct rs_replay_params p;
	struct rs_row a[20], b[20];
	struct rs_replay_work *w1, *w2;
	struct rs_replay *r;
	struct rs_model *m;
	struct rs_error err;
	size_t i;
	int na, nb, j;

	CHECK(rs_model_als_view(&m, users, 1, items, 8, 2, X, Y, &err) == 0);
	rs_replay_params_init(&p);
	r = als_replay(evs, NEV, reqs, NQ, &p, m, &w1, &w2);
	for (i = 0; i < NQ; i++) {
		na = answer(r, w1, i, "als", 5, a);
		nb = answer(r, w2, i, "als", 5, b);
		CHECK(na == nb);
		for (j = 0; j < na && j < nb; j++) {
			CHECK_EQ_U64(a[j].item, b[j].item);
			CHECK_NEAR(a[j].score, b[j].score, 1e-5);
		}
		/* never a bought item (102 for visitor 1) */
		CHECK(i != 0 || !has(a, na, 102));
	}
	/* request 0 folds in; 1 (visitor 3, no context) gets nothing */
	CHECK(answer(r, w1, 0, "als", 5, a) == 5);
	CHECK_EQ_U64(answer(r, w1, 1, "als", 5, a), 0);
	rs_replay_work_free(w1);
	rs_replay_work_free(w2);
	rs_replay_free(r);
	rs_model_free(m);
}

/* Availability in the replay: per request time, strictly before it. */
static void
test_replay__availability(void)
{
	struct rs_replay_params p;
	struct rs_row rows[20];
	struct rs_replay_work *w;
	struct rs_replay *r;
	struct rs_avail *av;
	struct rs_error err;
	int n;

	CHECK(rs_avail_create(&av, &err) == 0);
	/* 100 gone from 15 on; 101's 0 at exactly 50 is not seen at 50 */
	CHECK(rs_avail_add(av, 100, 15, 0, &err) == 0);
	CHECK(rs_avail_add(av, 101, 50, 0, &err) == 0);
	/* 200 unavailable at 40, back at 60 */
	CHECK(rs_avail_add(av, 200, 40, 0, &err) == 0);
	CHECK(rs_avail_add(av, 200, 60, 1, &err) == 0);
	CHECK(rs_avail_finish(av, &err) == 0);
	rs_replay_params_init(&p);
	CHECK(rs_replay_create(&r, evs, NEV, &p, &err) == 0);
	CHECK(rs_replay_set_avail(r, av, &err) == 0);
	CHECK(rs_replay_prepare(r, reqs, NQ, &err) == 0);
	CHECK(rs_replay_set_avail(r, av, &err) == RS_EARG);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	n = answer(r, w, 0, "recent", 10, rows);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(rows[0].item, 101);
	n = answer(r, w, 0, "popular", 10, rows);
	CHECK(n > 0 && !has(rows, n, 200) && !has(rows, n, 100));
	CHECK(has(rows, n, 101) && has(rows, n, 201));
	/* at t = 55 both 200 and 101 are out; at t = 70 200 is back */
	n = answer(r, w, 2, "popular", 10, rows);
	CHECK(n > 0 && !has(rows, n, 200) && !has(rows, n, 101));
	n = answer(r, w, 1, "popular", 10, rows);
	CHECK(has(rows, n, 200) && !has(rows, n, 101) && has(rows, n, 104));
	rs_replay_work_free(w);
	rs_replay_free(r);
	rs_avail_free(av);
}

/*
 * Causal popular with and without a window against a direct count per
 * request over a random log (weights 1, 5, 3; ties by lower item id).
 */
static void
test_replay__popular_window_brute_force(void)
{
	enum { NE = 600, NR = 80, NI = 40 };
	static const int64_t windows[] = { 0, 1, 100, 500 };
	static const double wt[3] = { 1, 5, 3 };
	struct rs_event *ev = malloc(NE * sizeof(*ev));
	struct rs_request *q = malloc(NR * sizeof(*q));
	struct rs_replay_params p;
	struct rs_row rows[20];
	struct rs_replay_work *w;
	struct rs_replay *r;
	struct rs_error err;
	struct rs_rng g;
	size_t i, j, wi, bad = 0;
	int n;

	rs_rng_seed(&g, 7);
	for (i = 0; i < NE; i++)
		ev[i] = (struct rs_event){ (int64_t)rs_rng_below(&g, 2000),
		    1 + rs_rng_below(&g, 30), 500 + rs_rng_below(&g, NI), NONE,
		    (uint8_t)rs_rng_below(&g, 3) };
	for (i = 0; i < NR; i++)
		q[i] = (struct rs_request){ i + 1, 1 + rs_rng_below(&g, 30),
		    (int64_t)rs_rng_below(&g, 2100), 500 };
	for (wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		rs_replay_params_init(&p);
		p.keep_bought = 1;
		p.popular_window = windows[wi];
		CHECK(rs_replay_create(&r, ev, NE, &p, &err) == 0);
		CHECK(rs_replay_prepare(r, q, NR, &err) == 0);
		CHECK(rs_replay_work_create(&w, r, &err) == 0);
		for (i = 0; i < NR; i++) {
			double cnt[NI] = { 0 };
			uint32_t order[NI], m = 0, a, b;

			for (j = 0; j < NE; j++)
				if (ev[j].ts < q[i].ts && (windows[wi] == 0 ||
				    ev[j].ts >= q[i].ts - windows[wi]))
					cnt[ev[j].item - 500] += wt[ev[j].type];
			for (a = 0; a < NI; a++)
				if (cnt[a] > 0)
					order[m++] = a;
			/* insertion sort: count descending, then lower id */
			for (a = 1; a < m; a++)
				for (b = a; b > 0 && cnt[order[b]] >
				    cnt[order[b - 1]]; b--) {
					const uint32_t t = order[b];

					order[b] = order[b - 1];
					order[b - 1] = t;
				}
			n = answer(r, w, i, "popular", 20, rows);
			if (n != (int)(m < 20 ? m : 20)) {
				bad++;
				continue;
			}
			for (a = 0; a < (uint32_t)n; a++)
				if (rows[a].item != 500 + order[a] ||
				    rows[a].score != (float)cnt[order[a]])
					bad++;
		}
		CHECK_EQ_U64(bad, 0);
		rs_replay_work_free(w);
		rs_replay_free(r);
	}
	free(ev);
	free(q);
}

/*
 * The early-stopping ALS scan against a full scan on a random model
 * (below) with the visitors' trained factors (no fold-in), bought items
 * and items unavailable at the request time filtered.  The lists must be the
 * full scan's best 2 kmax, up to float-rounding ties: at every rank the
 * score equals the full scan's score at that rank within 1e-5, and no
 * filtered item appears.  Same through rs_replay_prefetch and alone.
 */
static void
test_replay__als_early_stop_brute_force(void)
{
	enum { NU = 70, NI = 20000, F = 16, NB = 6, NPU = 4 };
	uint64_t *users = malloc(NU * sizeof(*users));
	uint64_t *items = malloc(NI * sizeof(*items));
	float *X = malloc(NU * F * sizeof(*X)), *Y = malloc(NI * F *
	    sizeof(*Y));
	struct rs_event *ev = malloc(NU * NB * sizeof(*ev));
	struct rs_request *q = malloc(NU * sizeof(*q));
	double *sc = malloc(NI * sizeof(*sc));
	uint32_t *ord = malloc(NI * sizeof(*ord));
	struct rs_replay_params p;
	struct rs_row a[40], b[40];
	struct rs_replay_work *w1, *w2;
	struct rs_replay *r;
	struct rs_model *m;
	struct rs_avail *av;
	struct rs_error err;
	struct rs_rng g;
	size_t u, j, k, bad = 0, diff = 0, stop = 0;
	int na, nb;

	rs_rng_seed(&g, 11);
	CHECK(rs_avail_create(&av, &err) == 0);
	for (u = 0; u < NU; u++) {
		users[u] = u + 1;
		for (k = 0; k < F; k++)
			X[u * F + k] = (float)rs_rng_normal(&g);
		if (u < NPU)	/* planted visitors: x in dims 2u, 2u + 1 */
			for (k = 0; k < F; k++)
				X[u * F + k] = k / 2 == u ?
				    fabsf(X[u * F + k]) + 0.5f : 0;
		for (k = 0; k < NB; k++)	/* background items only */
			ev[u * NB + k] = (struct rs_event){ (int64_t)(10 + k),
			    u + 1, 10000 + rs_rng_below(&g, NI - NPU * 70), 5,
			    RS_EV_TRANSACTION };
		q[u] = (struct rs_request){ u + 1, u + 1, 1000, 10000 };
	}
	/*
	 * Background items: mean 1 plus a random direction in dims 8..15
	 * (orthogonal to every planted x) of norm 25 U(0, 1), so chunks of
	 * the norm order are narrow.  Then per planted visitor u, 60 items
	 * "A" of norm 20 at cosine 0.6 to x (score x.mu + 12 ||x||), met
	 * early, and 10 items "B" of norm 12.5 along x (x.mu + 12.5 ||x||),
	 * met much later: B beats A only if the scan goes on until the norm
	 * falls below 12.5, which a bound tighter than the true one (a
	 * factor 0.9, or no x.mu term) does not; once the heap holds 56 A
	 * items (2 K + 16 spare), the true bound stops the scan soon after B.
	 */
	for (j = 0; j < NI; j++) {
		double dir[F], nd = 0;
		const double rho = 25 * rs_rng_double(&g);

		items[j] = 10000 + j;
		for (k = 0; k < F; k++) {
			dir[k] = k < F / 2 ? 0 : rs_rng_normal(&g);
			nd += dir[k] * dir[k];
		}
		for (k = 0; k < F; k++)
			Y[j * F + k] = (float)(1 + rho * dir[k] / sqrt(nd));
		if (j >= NI - NPU * 70) {
			const size_t pu = (j - (NI - NPU * 70)) / 70;
			const int isb = (j - (NI - NPU * 70)) % 70 >= 60;
			double nx = 0;

			for (k = 0; k < F; k++)
				nx += (double)X[pu * F + k] * X[pu * F + k];
			for (k = 0; k < F; k++)
				Y[j * F + k] = (float)(1 + (isb ?
				    12.5 * X[pu * F + k] / sqrt(nx) :
				    20 * (0.6 * X[pu * F + k] / sqrt(nx) +
				    0.8 * (k == F - 1 - pu))));
			continue;
		}
		/* every 5th item unavailable from 0, every 7th from 2000 */
		if (j % 5 == 0)
			CHECK(rs_avail_add(av, items[j], 0, 0, &err) == 0);
		if (j % 7 == 0)
			CHECK(rs_avail_add(av, items[j], 2000, 0, &err) == 0);
	}
	CHECK(rs_avail_finish(av, &err) == 0);
	CHECK(rs_model_als_view(&m, users, NU, items, NI, F, X, Y, &err) == 0);
	rs_replay_params_init(&p);
	p.fold_in = 0;
	CHECK(rs_replay_create(&r, ev, NU * NB, &p, &err) == 0);
	CHECK(rs_replay_set_als(r, m, &err) == 0);
	CHECK(rs_replay_set_avail(r, av, &err) == 0);
	CHECK(rs_replay_prepare(r, q, NU, &err) == 0);
	CHECK(rs_replay_work_create(&w1, r, &err) == 0);
	CHECK(rs_replay_work_create(&w2, r, &err) == 0);
	CHECK(rs_replay_prefetch(r, w2, 0, 64, &err) == 0);
	for (u = 0; u < NU; u++) {
		size_t n = 0;

		if (u == 64)
			CHECK(rs_replay_prefetch(r, w2, 64, NU - 64, &err) == 0);
		/* the full scan, in double */
		for (j = 0; j < NI; j++) {
			int bought = 0;

			for (k = 0; k < NB; k++)
				bought |= ev[u * NB + k].item == items[j];
			if (bought || (j % 5 == 0 && j < NI - NPU * 70))
				continue;
			sc[j] = 0;
			for (k = 0; k < F; k++)
				sc[j] += (double)X[u * F + k] * Y[j * F + k];
			ord[n++] = (uint32_t)j;
		}
		for (j = 0; j < 40; j++)	/* partial selection sort */
			for (k = j + 1; k < n; k++)
				if (sc[ord[k]] > sc[ord[j]] ||
				    (sc[ord[k]] == sc[ord[j]] && ord[k] < ord[j])) {
					const uint32_t t = ord[j];

					ord[j] = ord[k];
					ord[k] = t;
				}
		stop = rs_replay_als_scored(w1);
		na = answer(r, w1, u, "als", 20, a);
		/* planted: the scan stopped early, after the B items */
		stop = rs_replay_als_scored(w1) - stop;
		CHECK(u >= NPU || (stop > NI / 3 && stop < NI * 2 / 3));
		nb = answer(r, w2, u, "als", 20, b);
		CHECK(na == 20 && nb == 20);
		for (j = 0; j < 20 && (int)j < na && (int)j < nb; j++) {
			const double want = sc[ord[j]];
			const double tol = 1e-5 * (fabs(want) + 1);
			const size_t ja = a[j].item - 10000, jb = b[j].item -
			    10000;

			if ((ja % 5 == 0 && ja < NI - NPU * 70) ||
			    (jb % 5 == 0 && jb < NI - NPU * 70) ||
			    fabs(sc[ja] - want) > tol ||
			    fabs(sc[jb] - want) > tol ||
			    fabs(a[j].score - want) > tol)
				bad++;
			/*
			 * Canonical: alone or in a batch, the same item and
			 * the same float, the double sum in index order.
			 */
			if (a[j].item != b[j].item || a[j].score != b[j].score ||
			    a[j].score != (float)sc[ja])
				diff++;
		}
	}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(diff, 0);
	rs_replay_work_free(w1);
	rs_replay_work_free(w2);
	rs_replay_free(r);
	rs_model_free(m);
	rs_avail_free(av);
	free(users);
	free(items);
	free(X);
	free(Y);
	free(ev);
	free(q);
	free(sc);
	free(ord);
}

/*
 * Exact ties at the cut: 300 items share one vector, more than the scan's
 * spare room, so the list must come from the full canonical scan: the
 * lowest rows first, the same alone and in a batch.
 */
static void
test_replay__als_ties(void)
{
	enum { NU = 3, NI = 300, F = 4 };
	uint64_t users[NU], items[NI];
	float X[NU * F], Y[NI * F];
	struct rs_event ev[NU];
	struct rs_request q[NU];
	struct rs_replay_params p;
	struct rs_row a[20], b[20];
	struct rs_replay_work *w1, *w2;
	struct rs_replay *r;
	struct rs_model *m;
	struct rs_error err;
	size_t u, j;
	int na, nb;

	for (u = 0; u < NU; u++) {
		users[u] = u + 1;
		for (j = 0; j < F; j++)
			X[u * F + j] = (float)(0.3 + 0.1 * (double)(u + j));
		ev[u] = (struct rs_event){ 1, u + 1, 1000 + NI - 1, 5,
		    RS_EV_VIEW };
		q[u] = (struct rs_request){ u + 1, u + 1, 100, 1000 };
	}
	for (j = 0; j < NI; j++) {
		items[j] = 1000 + j;
		for (u = 0; u < F; u++)
			Y[j * F + u] = 0.25f;
	}
	CHECK(rs_model_als_view(&m, users, NU, items, NI, F, X, Y, &err) == 0);
	rs_replay_params_init(&p);
	p.fold_in = 0;
	r = als_replay(ev, NU, q, NU, &p, m, &w1, &w2);
	for (u = 0; u < NU; u++) {
		na = answer(r, w1, u, "als", 20, a);
		nb = answer(r, w2, u, "als", 20, b);
		CHECK(na == 20 && nb == 20);
		for (j = 0; j < 20; j++) {
			CHECK_EQ_U64(a[j].item, 1000 + j);
			CHECK(b[j].item == a[j].item && b[j].score == a[j].score);
		}
	}
	rs_replay_work_free(w1);
	rs_replay_work_free(w2);
	rs_replay_free(r);
	rs_model_free(m);
}

int
main(void)
{
	RUN(test_replay__visibility);
	RUN(test_replay__causal_popular);
	RUN(test_replay__blend);
	RUN(test_replay__als_ties);
	RUN(test_replay__itemknn);
	RUN(test_replay__itemknn_swap);
	RUN(test_replay__metrics);
	RUN(test_replay__als_prefetch);
	RUN(test_replay__availability);
	RUN(test_replay__popular_window_brute_force);
	RUN(test_replay__als_early_stop_brute_force);
	return tap_done();
}
