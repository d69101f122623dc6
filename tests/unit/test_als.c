/*
 * test_als.c - implicit ALS: a half-step against the normal equations
 * solved directly (Gaussian elimination in double, independent of the
 * library's Cholesky), CG converging to the exact answer as the step
 * count grows, the exact solver never raising the loss, identical factors
 * for 1 and 2 threads, bad input, and planted tastes where ALS must beat
 * the popular baseline on recall@10.
 */
#include "rs.h"
#include "tap.h"

static uint64_t rng_state;

static double
urand(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Random nr x nc matrix, each cell present with probability dens; a few
 * rows get many nonzeros so both exact paths run. */
static struct rs_csr *
random_csr(uint32_t nr, uint32_t nc, double dens, uint64_t seed)
{
	struct rs_csr *m;
	uint64_t k = 0, cap = (uint64_t)nr * nc;
	uint32_t r, c;
	double p;

	rng_state = seed;
	CHECK(rs_csr_alloc(&m, nr, nc, cap, NULL) == 0);
	for (r = 0; r < nr; r++) {
		m->row_ids[r] = 100 + 3 * (uint64_t)r;
		p = r % 7 == 0 ? 0.6 : dens;
		for (c = 0; c < nc; c++)
			if (urand() < p) {
				m->indices[k] = c;
				m->values[k++] = (float)(1 + (int)(urand() * 5));
			}
		m->indptr[r + 1] = k;
	}
	for (c = 0; c < nc; c++)
		m->col_ids[c] = 7 + 2 * (uint64_t)c;
	m->nnz = k;
	return m;
}

/* Solves a x = b (n x n, double) by Gaussian elimination with pivoting. */
static void
gauss(double *a, double *b, int n)
{
	int i, j, k, p;
	double t;

	for (i = 0; i < n; i++) {
		p = i;
		for (j = i + 1; j < n; j++)
			if (fabs(a[j * n + i]) > fabs(a[p * n + i]))
				p = j;
		for (k = 0; k < n; k++) {
			t = a[i * n + k], a[i * n + k] = a[p * n + k];
			a[p * n + k] = t;
		}
		t = b[i], b[i] = b[p], b[p] = t;
		for (j = i + 1; j < n; j++) {
			t = a[j * n + i] / a[i * n + i];
			for (k = i; k < n; k++)
				a[j * n + k] -= t * a[i * n + k];
			b[j] -= t * b[i];
		}
	}
	for (i = n - 1; i >= 0; i--) {
		for (k = i + 1; k < n; k++)
			b[i] -= a[i * n + k] * b[k];
		b[i] /= a[i * n + i];
	}
}

/* Largest |x_u - direct solution| over all users, relative to max |x|. */
static double
halfstep_error(struct rs_als *a, const struct rs_csr *m,
    const struct rs_als_params *p, const float *Y)
{
	uint32_t f = p->factors, u, i, j;
	double A[32 * 32], b[32], d, c, err = 0, scale = 0;
	const float *X = rs_als_user_factors(a), *y;
	uint64_t k;

	for (u = 0; u < m->nrows; u++) {
		for (i = 0; i < f; i++) {
			b[i] = 0;
			for (j = 0; j < f; j++) {
				A[i * f + j] = i == j ? p->regularization : 0;
				for (k = 0; k < m->ncols; k++)
					A[i * f + j] += (double)Y[k * f + i] *
					    Y[k * f + j];
			}
		}
		for (k = m->indptr[u]; k < m->indptr[u + 1]; k++) {
			y = Y + (size_t)m->indices[k] * f;
			d = p->alpha * m->values[k];
			c = 1 + d;
			for (i = 0; i < f; i++) {
				b[i] += c * y[i];
				for (j = 0; j < f; j++)
					A[i * f + j] += d * y[i] * y[j];
			}
		}
		gauss(A, b, (int)f);
		for (i = 0; i < f; i++) {
			if (fabs(b[i] - X[(size_t)u * f + i]) > err)
				err = fabs(b[i] - X[(size_t)u * f + i]);
			if (fabs(b[i]) > scale)
				scale = fabs(b[i]);
		}
	}
	return err / (scale > 0 ? scale : 1);
}

static void
test_als__exact_halfstep_is_direct_solution(void)
{
	struct rs_als_params p;
	struct rs_csr *m = random_csr(60, 40, 0.05, 1);
	struct rs_als *a;
	struct rs_error err;

	rs_als_params_init(&p);
	p.factors = 12;			/* rows longer than 3 go dense */
	p.solver = RS_ALS_EXACT;
	p.alpha = 5;
	CHECK(rs_als_create(&a, m, &p, &err) == 0);
	CHECK(rs_als_half_step(a, 0, &err) == 0);
	CHECK(halfstep_error(a, m, &p, rs_als_item_factors(a)) < 2e-4);
	rs_als_free(a);
	rs_csr_free(m);
}

static void
test_als__cg_converges_to_exact(void)
{
	struct rs_als_params p;
	struct rs_csr *m = random_csr(50, 30, 0.1, 2);
	struct rs_als *ex, *cg;
	unsigned steps[] = { 1, 3, 8, 24 };
	double e, prev = 1e30, d, scale;
	size_t n, i, s;

	rs_als_params_init(&p);
	p.factors = 8;
	p.alpha = 2;
	p.solver = RS_ALS_EXACT;
	CHECK(rs_als_create(&ex, m, &p, NULL) == 0);
	CHECK(rs_als_half_step(ex, 0, NULL) == 0);
	n = (size_t)m->nrows * p.factors;
	for (s = 0; s < 4; s++) {
		p.solver = RS_ALS_CG;
		p.cg_steps = steps[s];
		CHECK(rs_als_create(&cg, m, &p, NULL) == 0);
		CHECK(rs_als_half_step(cg, 0, NULL) == 0);
		e = scale = 0;
		for (i = 0; i < n; i++) {
			d = fabs(rs_als_user_factors(cg)[i] -
			    rs_als_user_factors(ex)[i]);
			e = d > e ? d : e;
			d = fabs(rs_als_user_factors(ex)[i]);
			scale = d > scale ? d : scale;
		}
		e /= scale;
		printf("# cg_steps %u: max relative error %.3g\n", steps[s], e);
		CHECK(e <= prev * 1.01);
		prev = e;
		rs_als_free(cg);
	}
	CHECK(prev < 1e-4);
	rs_als_free(ex);
	rs_csr_free(m);
}

static void
test_als__exact_loss_never_rises(void)
{
	struct rs_als_params p;
	struct rs_csr *m = random_csr(200, 80, 0.04, 3);
	struct rs_als *a;
	double l, prev;
	int it, side;

	rs_als_params_init(&p);
	p.factors = 16;
	p.solver = RS_ALS_EXACT;
	CHECK(rs_als_create(&a, m, &p, NULL) == 0);
	prev = rs_als_loss(a);
	for (it = 0; it < 10; it++)
		for (side = 0; side < 2; side++) {
			CHECK(rs_als_half_step(a, side, NULL) == 0);
			l = rs_als_loss(a);
			CHECK(l <= prev * (1 + 1e-6));
			prev = l;
		}
	printf("# final loss %.9g\n", prev);
	rs_als_free(a);
	rs_csr_free(m);
}

static void
test_als__threads_identical(void)
{
	struct rs_als_params p;
	struct rs_csr *m = random_csr(1500, 300, 0.01, 4);
	struct rs_als *a1, *a2;
	int solver, it;

	for (solver = 0; solver < 2; solver++) {
		rs_als_params_init(&p);
		p.factors = 16;
		p.solver = solver;
		p.threads = 1;
		CHECK(rs_als_create(&a1, m, &p, NULL) == 0);
		p.threads = 2;
		CHECK(rs_als_create(&a2, m, &p, NULL) == 0);
		for (it = 0; it < 3; it++) {
			CHECK(rs_als_iterate(a1, NULL) == 0);
			CHECK(rs_als_iterate(a2, NULL) == 0);
		}
		CHECK(memcmp(rs_als_user_factors(a1), rs_als_user_factors(a2),
		    (size_t)m->nrows * 16 * sizeof(float)) == 0);
		CHECK(memcmp(rs_als_item_factors(a1), rs_als_item_factors(a2),
		    (size_t)m->ncols * 16 * sizeof(float)) == 0);
		rs_als_free(a1);
		rs_als_free(a2);
	}
	rs_csr_free(m);
}

static void
test_als__bad_input(void)
{
	struct rs_als_params p;
	struct rs_csr *m = random_csr(10, 10, 0.3, 5);
	struct rs_als *a;
	struct rs_error err;
	float keep;

	rs_als_params_init(&p);
	p.factors = 0;
	CHECK(rs_als_create(&a, m, &p, &err) == RS_EARG);
	rs_als_params_init(&p);
	keep = m->values[3];
	m->values[3] = -1;
	CHECK(rs_als_create(&a, m, &p, &err) == RS_EINPUT);
	CHECK(strstr(err.msg, "negative") != NULL);
	CHECK(strstr(err.msg, "visitor ") != NULL);
	m->values[3] = NAN;
	CHECK(rs_als_create(&a, m, &p, &err) == RS_EINPUT);
	m->values[3] = keep;
	p.max_memory = 1000;
	CHECK(rs_als_create(&a, m, &p, &err) == RS_ENOMEM);
	CHECK(strstr(err.msg, "GB") != NULL);
	CHECK(a == NULL);
	/* Absurd shape: refused before any allocation. */
	CHECK(rs_als_memory(4000000000u, 4000000000u, 1, 4096) > (1ull << 40));
	rs_csr_free(m);
	CHECK(rs_csr_alloc(&m, 3, 3, 0, NULL) == 0);
	rs_als_params_init(&p);
	CHECK(rs_als_create(&a, m, &p, &err) == RS_EINPUT);
	rs_csr_free(m);
}

static void
test_als__empty_row_gets_zero_factors(void)
{
	struct rs_als_params p;
	struct rs_csr *m = random_csr(20, 10, 0.3, 6);
	struct rs_als *a;
	uint64_t k;
	int solver, i;

	/* Empty row 5. */
	k = m->indptr[6] - m->indptr[5];
	memmove(m->indices + m->indptr[5], m->indices + m->indptr[6],
	    (m->nnz - m->indptr[6]) * sizeof(*m->indices));
	memmove(m->values + m->indptr[5], m->values + m->indptr[6],
	    (m->nnz - m->indptr[6]) * sizeof(*m->values));
	for (i = 6; i <= 20; i++)
		m->indptr[i] -= k;
	m->nnz -= k;
	for (solver = 0; solver < 2; solver++) {
		rs_als_params_init(&p);
		p.factors = 4;
		p.solver = solver;
		CHECK(rs_als_create(&a, m, &p, NULL) == 0);
		CHECK(rs_als_iterate(a, NULL) == 0);
		for (i = 0; i < 4; i++)
			CHECK(rs_als_user_factors(a)[5 * 4 + i] == 0);
		rs_als_free(a);
	}
	rs_csr_free(m);
}

/*
 * Planted tastes: 8 segments; item i belongs to segment i % 8 and has a
 * heavy-tailed popularity; a visitor takes 5 items from its own segment
 * and 1 from anywhere (by popularity) for training, then 2 more from its
 * segment for the test.  ALS must find the segments; popularity cannot.
 */
static void
test_als__beats_popular_on_planted_tastes(void)
{
	enum { NU = 1500, NI = 400, S = 8 };
	struct rs_csr *tr, *te;
	struct rs_als_params p;
	struct rs_als *a;
	struct rs_model *ma, *mp;
	struct rs_model_eval ea, ep;
	static unsigned char seen[NU][NI];
	static float pop[NI];
	uint32_t u, i, n, want;
	uint64_t kt = 0, ke = 0;
	int it;

	rng_state = 99;
	CHECK(rs_csr_alloc(&tr, NU, NI, (uint64_t)NU * 8, NULL) == 0);
	CHECK(rs_csr_alloc(&te, NU, NI, (uint64_t)NU * 3, NULL) == 0);
	memset(seen, 0, sizeof(seen));
	for (u = 0; u < NU; u++) {
		tr->row_ids[u] = te->row_ids[u] = u;
		for (n = 0; n < 8; n++) {
			/* Zipf-like: small index within segment = popular. */
			i = (uint32_t)(pow(urand(), 2.5) * (NI / S)) * S;
			if (n == 5)
				i += (uint32_t)(urand() * S);
			else if (n < 5 || n >= 6)
				i += u % S;
			if (i >= NI)
				i = u % S;
			if (n < 6)
				seen[u][i] |= 1;
			else if (!(seen[u][i] & 1))
				seen[u][i] |= 2;
		}
		for (i = 0; i < NI; i++) {
			if (seen[u][i] & 1) {
				tr->indices[kt] = i;
				tr->values[kt++] = 1;
			} else if (seen[u][i] & 2) {
				te->indices[ke] = i;
				te->values[ke++] = 1;
			}
		}
		tr->indptr[u + 1] = kt;
		te->indptr[u + 1] = ke;
	}
	for (i = 0; i < NI; i++)
		tr->col_ids[i] = te->col_ids[i] = i;
	tr->nnz = kt;
	te->nnz = ke;
	rs_als_params_init(&p);
	p.factors = 16;
	p.alpha = 10;
	CHECK(rs_als_create(&a, tr, &p, NULL) == 0);
	for (it = 0; it < 8; it++)
		CHECK(rs_als_iterate(a, NULL) == 0);
	CHECK(rs_model_als_view(&ma, tr->row_ids, NU, tr->col_ids, NI, 16,
	    rs_als_user_factors(a), rs_als_item_factors(a), NULL) == 0);
	CHECK(rs_model_popular_scores(tr, pop, NULL) == 0);
	CHECK(rs_model_popular_view(&mp, tr->col_ids, NI, pop, NULL) == 0);
	CHECK(rs_model_validate(ma, tr, te, 10, &ea, NULL) == 0);
	CHECK(rs_model_validate(mp, tr, te, 10, &ep, NULL) == 0);
	printf("# recall@10 als %.4f popular %.4f; ndcg@10 als %.4f popular "
	    "%.4f (%llu visitors)\n", ea.recall, ep.recall, ea.ndcg, ep.ndcg,
	    (unsigned long long)ea.visitors);
	want = ea.visitors == ep.visitors && ea.visitors > NU / 2;
	CHECK(want);
	CHECK(ea.recall > 1.5 * ep.recall && ea.recall > ep.recall + 0.1);
	CHECK(ea.ndcg > ep.ndcg);
	rs_model_free(ma);
	rs_model_free(mp);
	rs_als_free(a);
	rs_csr_free(tr);
	rs_csr_free(te);
}

int
main(void)
{
	RUN(test_als__exact_halfstep_is_direct_solution);
	RUN(test_als__cg_converges_to_exact);
	RUN(test_als__exact_loss_never_rises);
	RUN(test_als__threads_identical);
	RUN(test_als__bad_input);
	RUN(test_als__empty_row_gets_zero_factors);
	RUN(test_als__beats_popular_on_planted_tastes);
	return tap_done();
}
