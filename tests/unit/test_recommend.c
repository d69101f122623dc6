/*
 * test_recommend.c - the visitor mode of rs-recommend through the engine
 * (lib/engine.c): hand-built models with known answers (offline lists,
 * exclusion rows, item lists, cold start, a popular model) and random
 * models against brute-force references (batches with exclusions, the
 * fold-in normal equations with a history row).
 *
 * The binary doubles as the fixture writer of the rs-recommend CLI tests
 * (no extra tool needed):
 *   test_recommend mkmodel FILE  < spec   model stream from text:
 *       "als F" or "popular", then "meta KEY VALUE", "user ID X1..XF",
 *       "item ID Y1..YF" (popular: "item ID SCORE"), ids ascending
 *   test_recommend mkmatrix FILE < spec   matrix stream from "ROW COL VALUE"
 *       lines (any order, no duplicate pairs)
 * and as bench/recommend.sh's sgemm-rate and latency helpers.
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

/*
 * The engine rs-recommend builds for -m m --fallback pop, with the item
 * lists given (only / deny may be NULL), prepared.
 */
static struct rs_engine *
tiny_engine(struct rs_model **m, struct rs_model **pop, unsigned k,
    const uint64_t *only, size_t nonly, const uint64_t *deny, size_t ndeny)
{
	struct rs_engine_params p;
	struct rs_engine *e;
	struct rs_error err;

	CHECK(rs_model_als_view(m, tu, 2, ti, 6, 2, tX, tY, &err) == 0);
	CHECK(rs_model_popular_view(pop, pi, 4, ps, &err) == 0);
	rs_engine_params_init(&p);
	p.kmax = k;
	p.keep_bought = 1;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, *m, &err) == 0);
	CHECK(rs_engine_set_popular(e, *pop, &err) == 0);
	if (only != NULL)
		CHECK(rs_engine_set_item_list(e, 1, only, nonly, &err) == 0);
	if (deny != NULL)
		CHECK(rs_engine_set_item_list(e, 0, deny, ndeny, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	return e;
}

/*
 * Visitor v's answer as rs-recommend gives it: blend als:1,popular:0,
 * exclusions = the ids of ex (engine indices; unknown ids dropped).
 */
static int
visitor(const struct rs_engine *e, struct rs_engine_work *w, uint64_t v,
    const uint64_t *ex, size_t nex, unsigned k, struct rs_row *rows)
{
	struct rs_engine_query q;
	struct rs_blend b;
	struct rs_error err;
	uint32_t x[16];
	size_t i;
	int64_t g;

	memset(&q, 0, sizeof(q));
	q.visitor = v;
	q.t = INT64_MAX;
	q.keep_trained = 1;
	for (i = 0; i < nex && q.nexclude < 16; i++)
		if ((g = rs_engine_find(e, ex[i])) >= 0)
			x[q.nexclude++] = (uint32_t)g;
	q.exclude = x;
	CHECK(rs_blend_parse("als:1,popular:0", &b, &err) == 0);
	return rs_engine_answer(e, w, &q, &b, k, rows, &err);
}

static void
test_recommend__offline_known_answer(void)
{
	struct rs_model *m, *pop;
	struct rs_engine *e = tiny_engine(&m, &pop, 3, NULL, 0, NULL, 0);
	struct rs_engine_work *w;
	struct rs_row rows[3];
	struct rs_error err;

	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	CHECK(visitor(e, w, 100, NULL, 0, 3, rows) == 3);
	CHECK_EQ_U64(rows[0].item, 1);
	CHECK_EQ_U64(rows[1].item, 2);
	CHECK_EQ_U64(rows[2].item, 3);
	CHECK(rows[0].score == 6 && rows[2].score == 4);
	CHECK(rows[0].source == RS_SRC_ALS);
	CHECK(visitor(e, w, 200, NULL, 0, 3, rows) == 3);
	CHECK_EQ_U64(rows[0].item, 6);
	CHECK_EQ_U64(rows[1].item, 5);
	CHECK_EQ_U64(rows[2].item, 4);
	CHECK_STR(rs_source_name(rows[0].source), "als");
	rs_engine_work_free(w);
	rs_engine_free(e);
	rs_model_free(m);
	rs_model_free(pop);
}

static void
test_recommend__exclusion_keeps_k(void)
{
	static const uint64_t bought[] = { 1, 3, 9 };	/* 9: not in model */
	struct rs_model *m, *pop;
	struct rs_engine *e = tiny_engine(&m, &pop, 3, NULL, 0, NULL, 0);
	struct rs_engine_work *w;
	struct rs_row rows[3];
	struct rs_error err;

	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	CHECK(visitor(e, w, 100, bought, 3, 3, rows) == 3);
	CHECK_EQ_U64(rows[0].item, 2);
	CHECK_EQ_U64(rows[1].item, 4);
	CHECK_EQ_U64(rows[2].item, 5);
	/* Another visitor without exclusions: nothing excluded. */
	CHECK(visitor(e, w, 200, NULL, 0, 3, rows) == 3);
	CHECK_EQ_U64(rows[0].item, 6);
	rs_engine_work_free(w);
	rs_engine_free(e);
	rs_model_free(m);
	rs_model_free(pop);
}

static void
test_recommend__item_lists(void)
{
	static const uint64_t only[] = { 6, 2, 3, 2 }, deny[] = { 2 };
	struct rs_model *m, *pop;
	struct rs_engine *e = tiny_engine(&m, &pop, 3, only, 4, deny, 1);
	struct rs_engine_work *w;
	struct rs_row rows[3];
	struct rs_error err;

	CHECK_EQ_U64(rs_engine_eligible(e, RS_SRC_ALS), 2);
	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	/* Only 3 and 6 remain: a shorter list, since nothing else is left. */
	CHECK(visitor(e, w, 100, NULL, 0, 3, rows) == 2);
	CHECK_EQ_U64(rows[0].item, 3);
	CHECK_EQ_U64(rows[1].item, 6);
	/* Cold start goes through the same filters: 6 is the only one. */
	CHECK(visitor(e, w, 999, NULL, 0, 3, rows) == 1);
	CHECK_EQ_U64(rows[0].item, 6);
	CHECK(rows[0].source == RS_SRC_POPULAR);
	rs_engine_work_free(w);
	rs_engine_free(e);
	rs_model_free(m);
	rs_model_free(pop);
}

static void
test_recommend__cold_start(void)
{
	static const uint64_t bought[] = { 7 };
	struct rs_model *m, *pop;
	struct rs_engine *e = tiny_engine(&m, &pop, 3, NULL, 0, NULL, 0);
	struct rs_engine_work *w;
	struct rs_row rows[3];
	struct rs_error err;

	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	/* 555 bought 7 (popular 40): 4 (30), 6 (20), 2 (10). */
	CHECK(visitor(e, w, 555, bought, 1, 3, rows) == 3);
	CHECK_EQ_U64(rows[0].item, 4);
	CHECK_EQ_U64(rows[1].item, 6);
	CHECK_EQ_U64(rows[2].item, 2);
	CHECK(rows[0].source == RS_SRC_POPULAR && rows[0].score == 30);
	CHECK(visitor(e, w, 100, NULL, 0, 3, rows) == 3);
	CHECK_EQ_U64(rows[0].item, 1);
	CHECK(rows[0].source == RS_SRC_ALS);
	CHECK(visitor(e, w, 556, NULL, 0, 3, rows) == 3);
	CHECK_EQ_U64(rows[0].item, 7);
	rs_engine_work_free(w);
	rs_engine_free(e);
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

/*
 * 64 visitors answered as one prefetched batch, K = 300, each with an
 * exclusion row of a fifth of the items, against a full scan in double:
 * the same items and the canonical scores, and the early stop skipped
 * part of the products.
 */
static void
test_recommend__batch_equals_brute_force(void)
{
	enum { N = 64, K = 300 };
	struct rmodel rm;
	struct rs_engine_params p;
	struct rs_engine *e;
	struct rs_engine_work *w;
	struct rs_engine_query q[N];
	struct rs_blend b;
	struct rs_row *rows;
	struct ref *ref;
	struct rs_error err;
	uint32_t *ex, it, j;
	size_t i, bad = 0, nx;
	int n;

	rmodel_make(&rm, 100, 30000, 8);
	/*
	 * Item norms spread over a factor 2 and K = 300, so the norm-bound
	 * early stop of the scan cuts, but only after several chunks.
	 */
	for (it = 0; it < rm.ni; it++)
		for (j = 0; j < rm.f; j++)
			rm.Y[(size_t)it * rm.f + j] *= (float)pow(10.0,
			    (double)((it * 7919u) % 1000) / 3000.0);
	rs_engine_params_init(&p);
	p.kmax = K;
	p.keep_bought = 1;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, rm.m, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	rs_blend_single(&b, RS_SRC_ALS);
	/* Visitor u never gets item i when (i + u) % 5 == 0. */
	nx = rm.ni / 5 + 1;
	ex = malloc(N * nx * sizeof(*ex));
	rows = malloc((size_t)N * K * sizeof(*rows));
	ref = malloc(rm.ni * sizeof(*ref));
	for (i = 0; i < N; i++) {
		const size_t u = (i * 37) % rm.nu;	/* not consecutive */

		memset(&q[i], 0, sizeof(q[i]));
		q[i].key = i + 1;
		q[i].visitor = rm.uids[u];
		q[i].t = INT64_MAX;
		q[i].exclude = ex + i * nx;
		for (it = 0; it < rm.ni; it++)
			if ((it + u) % 5 == 0)
				ex[i * nx + q[i].nexclude++] = (uint32_t)
				    rs_engine_find(e, rm.iids[it]);
	}
	CHECK(rs_engine_prefetch(e, w, q, N, &err) == 0);
	for (i = 0; i < N; i++) {
		const size_t u = (i * 37) % rm.nu;
		const float *x = rm.X + u * rm.f;

		n = rs_engine_answer(e, w, &q[i], &b, K, rows + i * K, &err);
		CHECK_EQ_U64(n, K);
		for (it = 0; it < rm.ni; it++) {
			ref[it].s = (it + u) % 5 == 0 ? -INFINITY :
			    (float)rs_dense_dot_f64(x, rm.Y + (size_t)it *
			    rm.f, rm.f);
			ref[it].i = it;
		}
		qsort(ref, rm.ni, sizeof(*ref), cmp_ref);
		for (j = 0; j < K; j++) {
			bad += rows[i * K + j].item != rm.iids[ref[j].i];
			bad += rows[i * K + j].score != ref[j].s;
		}
	}
	CHECK_EQ_U64(bad, 0);
	/* The early stop skipped part of the products. */
	CHECK(rs_engine_als_scored(w) < (uint64_t)N * rm.ni);
	free(rows);
	free(ref);
	free(ex);
	rs_engine_work_free(w);
	rs_engine_free(e);
	rmodel_free(&rm);
}

/*
 * Fold-in with a history row (--train): an unknown visitor with recent
 * events; r = the history weights plus the event weights, and the first
 * row is the best item under the directly solved normal equations.
 */
static void
test_recommend__fold_in_solves_normal_equations(void)
{
	struct rmodel rm;
	struct rs_engine_params p;
	struct rs_engine *e;
	struct rs_engine_work *w;
	struct rs_engine_query q;
	struct rs_model *m2;
	struct rs_blend b;
	struct rs_row rows[5];
	struct rs_error err;
	double A[8 * 8], bv[8], rw[40], c, res = 0, s;
	float x[8], best = -INFINITY, hw[2] = { 2, 1 };
	uint32_t i, a, bb, ev[3], hi[2];
	uint8_t ty[3] = { RS_EV_ADDTOCART, RS_EV_VIEW, RS_EV_VIEW };
	uint64_t bi = 0;

	rmodel_make(&rm, 2, 40, 8);
	/* the model's training parameters: alpha 10, lambda 0.5 */
	CHECK(rs_model_als_view(&m2, rm.uids, 2, rm.iids, 40, 8, rm.X, rm.Y,
	    &err) == 0);
	CHECK(rs_model_set_meta(m2, "alpha", "10", &err) == 0);
	CHECK(rs_model_set_meta(m2, "regularization", "0.5", &err) == 0);
	rs_engine_params_init(&p);
	p.kmax = 5;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, m2, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	ev[0] = (uint32_t)rs_engine_find(e, 1014);
	ev[1] = ev[2] = (uint32_t)rs_engine_find(e, 1021);
	hi[0] = (uint32_t)rs_engine_find(e, 1000);
	hi[1] = (uint32_t)rs_engine_find(e, 1014);
	memset(&q, 0, sizeof(q));
	q.visitor = 777;	/* unknown to the model */
	q.t = INT64_MAX;
	q.item = ev;
	q.type = ty;
	q.n = 3;
	q.hist_item = hi;
	q.hist_w = hw;
	q.nhist = 2;
	rs_blend_single(&b, RS_SRC_ALS);
	CHECK(rs_engine_answer(e, w, &q, &b, 5, rows, &err) == 5);
	CHECK(rows[0].source == RS_SRC_ALS);
	/* r: item 0 -> 2, item 2 -> 1 + 5, item 3 -> 1 + 1. */
	memset(rw, 0, sizeof(rw));
	rw[0] = 2, rw[2] = 6, rw[3] = 2;
	/* The reference system, formed naively over every item. */
	for (a = 0; a < 8; a++) {
		bv[a] = 0;
		for (bb = 0; bb < 8; bb++)
			A[a * 8 + bb] = a == bb ? 0.5 : 0;
	}
	for (i = 0; i < 40; i++) {
		c = 1 + 10 * rw[i];
		for (a = 0; a < 8; a++) {
			if (rw[i] > 0)
				bv[a] += c * rm.Y[i * 8 + a];
			for (bb = 0; bb < 8; bb++)
				A[a * 8 + bb] += c * rm.Y[i * 8 + a] *
				    rm.Y[i * 8 + bb];
		}
	}
	CHECK(rs_dense_chol(A, 8) == 0);
	rs_dense_chol_solve(A, 8, bv);
	for (a = 0; a < 8; a++)
		x[a] = (float)bv[a];
	/* The best item under the reference x must be the first row. */
	for (i = 0; i < 40; i++) {
		s = rs_dense_dot_f64(x, rm.Y + i * 8, 8);
		if (s > best)
			best = (float)s, bi = rm.iids[i];
	}
	CHECK_EQ_U64(rows[0].item, bi);
	res = fabs(rows[0].score - best);
	CHECK_NEAR(res, 0, 1e-4);
	/* A known visitor with keep_trained keeps its trained factors. */
	q.visitor = rm.uids[0];
	q.keep_trained = 1;
	CHECK(rs_engine_answer(e, w, &q, &b, 5, rows, &err) == 5);
	best = -INFINITY;
	for (i = 0; i < 40; i++) {
		s = rs_dense_dot_f64(rm.X, rm.Y + i * 8, 8);
		if (s > best)
			best = (float)s, bi = rm.iids[i];
	}
	CHECK_EQ_U64(rows[0].item, bi);
	rs_engine_work_free(w);
	rs_engine_free(e);
	rs_model_free(m2);
	rmodel_free(&rm);
}

static void
test_recommend__popular_model_and_errors(void)
{
	struct rs_model *pop, *m;
	struct rs_engine_params p;
	struct rs_engine *e;
	struct rs_engine_work *w;
	struct rs_engine_query q;
	struct rs_row rows[2];
	struct rs_blend b;
	struct rs_error err;

	CHECK(rs_model_popular_view(&pop, pi, 4, ps, &err) == 0);
	rs_engine_params_init(&p);
	p.kmax = 0;
	CHECK(rs_engine_create(&e, &p, &err) == RS_EARG);
	p.kmax = 2;
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, pop, &err) == RS_EARG);
	CHECK(rs_engine_set_popular(e, pop, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(rs_engine_work_create(&w, e, &err) == 0);
	rs_blend_single(&b, RS_SRC_POPULAR);
	memset(&q, 0, sizeof(q));
	q.visitor = 5;
	q.t = INT64_MAX;
	CHECK(rs_engine_answer(e, w, &q, &b, 2, rows, &err) == 2);
	CHECK_EQ_U64(rows[0].item, 7);
	CHECK_EQ_U64(rows[1].item, 4);
	CHECK(rows[1].source == RS_SRC_POPULAR);
	/* similar items need params.similar and an ALS model */
	CHECK(rs_engine_similar(e, w, 7, 0, 2, rows, &err) == RS_EARG);
	rs_engine_work_free(w);
	rs_engine_free(e);
	/* bad fold-in metadata is an error naming the key */
	CHECK(rs_model_als_view(&m, tu, 2, ti, 6, 2, tX, tY, &err) == 0);
	CHECK(rs_model_set_meta(m, "alpha", "abc", &err) == 0);
	rs_engine_params_init(&p);
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_set_als(e, m, &err) == RS_EFORMAT);
	CHECK(strstr(err.msg, "'alpha'") != NULL);
	rs_engine_free(e);
	rs_model_free(m);
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
 * Per-request latency for bench/recommend.sh: loads MODEL, prepares an
 * engine (K = 10, similar items on), warms up, then times single answers
 * of the als source (and of similar items) over the first visitors and
 * items.  Prints milliseconds per call (CPU and wall).  With TABLE (a
 * neighbours table of MODEL, rs-recommend -f rsk), the similar items
 * again with it.
 */
static int
latency(const char *path, const char *tpath)
{
	struct rs_itemknn *t = NULL;
	struct rs_reader *r;
	struct rs_model *m;
	struct rs_engine_params p;
	struct rs_engine *e;
	struct rs_engine_work *w;
	struct rs_engine_query q;
	struct rs_row rows[10];
	struct rs_blend b;
	struct rs_error err;
	struct timespec c0, c1, w0, w1;
	size_t i, n = 200, cnt = 0;
	int fd, kind;

	if ((fd = open(path, O_RDONLY)) < 0 ||
	    rs_model_load(&m, fd, path, &err) < 0)
		return 1;
	close(fd);
	if (tpath != NULL) {
		if ((fd = open(tpath, O_RDONLY)) < 0 ||
		    rs_reader_open(&r, fd, tpath, &err) < 0 ||
		    rs_itemknn_read_as(r, "similar", &t, &err) < 0)
			return 1;
		rs_reader_free(r);
		close(fd);
	}
	rs_engine_params_init(&p);
	p.kmax = 10;
	p.similar = 1;
	if (rs_engine_create(&e, &p, &err) < 0 ||
	    rs_engine_set_als(e, m, &err) < 0 ||
	    rs_engine_prepare(e, &err) < 0 ||
	    rs_engine_work_create(&w, e, &err) < 0)
		return 1;
	rs_blend_single(&b, RS_SRC_ALS);
	memset(&q, 0, sizeof(q));
	q.t = INT64_MAX;
	for (kind = 0; kind < (t != NULL ? 3 : 2); kind++) {
		if (kind == 2) {	/* the same engine, with the table */
			rs_engine_work_free(w);
			rs_engine_free(e);
			if (rs_engine_create(&e, &p, &err) < 0 ||
			    rs_engine_set_als(e, m, &err) < 0 ||
			    rs_engine_set_neighbors(e, t, &err) < 0 ||
			    rs_engine_prepare(e, &err) < 0 ||
			    rs_engine_work_create(&w, e, &err) < 0) {
				fprintf(stderr, "latency: %s: %s\n", tpath,
				    err.msg);
				return 1;
			}
		}
		for (i = 0; i <= n; i++) {
			if (i == 1) {	/* the first call warms up */
				clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
				clock_gettime(CLOCK_MONOTONIC, &w0);
			}
			if (kind)
				cnt = (size_t)rs_engine_similar(e, w,
				    rs_model_item_ids(m)[(i * 97) %
				    rs_model_nitems(m)], INT64_MAX, 10, rows,
				    &err);
			else {
				q.visitor = rs_model_user_ids(m)[(i * 97) %
				    rs_model_nusers(m)];
				rs_engine_answer(e, w, &q, &b, 10, rows, &err);
			}
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		clock_gettime(CLOCK_MONOTONIC, &w1);
		printf("%s: %.3f ms cpu, %.3f ms wall per call\n",
		    kind == 2 ? "similar (table)" : kind ? "similar" : "visitor",
		    ((double)(c1.tv_sec - c0.tv_sec) * 1e3 +
		    (double)(c1.tv_nsec - c0.tv_nsec) / 1e6) / (double)n,
		    ((double)(w1.tv_sec - w0.tv_sec) * 1e3 +
		    (double)(w1.tv_nsec - w0.tv_nsec) / 1e6) / (double)n);
	}
	rs_engine_work_free(w);
	rs_engine_free(e);
	rs_itemknn_free(t);
	rs_model_free(m);
	return cnt > 10;
}

int
main(int argc, char **argv)
{
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "latency") == 0)
		return latency(argv[2], argc == 4 ? argv[3] : NULL);
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
	RUN(test_recommend__fold_in_solves_normal_equations);
	RUN(test_recommend__popular_model_and_errors);
	return tap_done();
}
