/*
 * test_dense.c - the dense wrappers: sgemm layout (row-major, leading
 * dimensions, transposes), the chunked double Gram matrix, Cholesky solve
 * and SPD inverse against hand-checked and residual checks.
 */
#include "rs.h"
#include "dense.h"
#include "tap.h"

static float
frand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(*s >> 8) / 16777216.0f - 0.5f;
}

static void
test_dense__sgemm_layout(void)
{
	/* A 2x3 inside ld 4, B 3x2 stored transposed (2x3, ld 3). */
	float a[8] = { 1, 2, 3, 99, 4, 5, 6, 99 };
	float bt[6] = { 1, 0, 2, 0, 1, 1 };
	float c[4] = { 1, 1, 1, 1 };

	rs_dense_init();
	/* C = A * B + 1 * C, B[l][j] = bt[j][l]. */
	rs_dense_sgemm(0, 1, 2, 2, 3, 1.0f, a, 4, bt, 3, 1.0f, c, 2);
	CHECK(c[0] == 1 + 1 + 6);	/* 1*1 + 2*0 + 3*2 */
	CHECK(c[1] == 1 + 2 + 3);	/* 1*0 + 2*1 + 3*1 */
	CHECK(c[2] == 1 + 4 + 12);
	CHECK(c[3] == 1 + 5 + 6);
}

static void
test_dense__gram_matches_naive(void)
{
	enum { N = 9000, F = 7 };
	float *a = rs_dense_alloc(N * F), tmp[F * F];
	double g[F * F], want;
	uint32_t s = 1, i, j, k;

	CHECK(((uintptr_t)a & 63) == 0);
	for (i = 0; i < N * F; i++)
		a[i] = frand(&s);
	for (i = 0; i < F * F; i++)
		g[i] = 1;	/* accumulates onto what is there */
	rs_dense_gram_acc(a, N, F, F, g, tmp);
	for (i = 0; i < F; i++)
		for (j = 0; j < F; j++) {
			want = 1;
			for (k = 0; k < N; k++)
				want += (double)a[k * F + i] * a[k * F + j];
			CHECK_NEAR(g[i * F + j], want, 1e-3);
			CHECK(g[i * F + j] == g[j * F + i]);
		}
	rs_dense_free(a);
	rs_dense_free(NULL);
}

static void
test_dense__cholesky(void)
{
	double a[9] = { 4, 12, -16, 12, 37, -43, -16, -43, 98 };
	double l[9], b[3] = { 1, 2, 3 }, x[3], inv[9], work[12], r;
	int i, j;

	memcpy(l, a, sizeof(a));
	CHECK(rs_dense_chol(l, 3) == 0);
	/* The textbook factor: L = [2 0 0; 6 1 0; -8 5 3]. */
	CHECK_NEAR(l[0], 2, 1e-12);
	CHECK_NEAR(l[3], 6, 1e-12);
	CHECK_NEAR(l[4], 1, 1e-12);
	CHECK_NEAR(l[6], -8, 1e-12);
	CHECK_NEAR(l[7], 5, 1e-12);
	CHECK_NEAR(l[8], 3, 1e-12);
	memcpy(x, b, sizeof(b));
	rs_dense_chol_solve(l, 3, x);
	for (i = 0; i < 3; i++) {
		r = -b[i];
		for (j = 0; j < 3; j++)
			r += a[i * 3 + j] * x[j];
		CHECK_NEAR(r, 0, 1e-9);
	}
	CHECK(rs_dense_spd_inverse(a, 3, inv, work) == 0);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			r = 0;
			for (int k = 0; k < 3; k++)
				r += a[i * 3 + k] * inv[k * 3 + j];
			CHECK_NEAR(r, i == j, 1e-9);
		}
	/* Not positive definite. */
	a[0] = -1;
	memcpy(l, a, sizeof(a));
	CHECK(rs_dense_chol(l, 3) == -1);
}

static void
test_dense__dot_axpy(void)
{
	float x[19], y[19], want = 0;
	uint32_t s = 7;
	int i;

	for (i = 0; i < 19; i++) {
		x[i] = frand(&s);
		y[i] = frand(&s);
		want += x[i] * y[i];
	}
	CHECK_NEAR(rs_dense_dot(x, y, 19), want, 1e-5);
	CHECK_NEAR(rs_dense_dot_f64(x, y, 19), want, 1e-5);
	rs_dense_axpy(2.0f, x, y, 19);
	CHECK_NEAR(rs_dense_dot(x, y, 19), want + 2 * rs_dense_dot(x, x, 19),
	    1e-5);
}

int
main(void)
{
	RUN(test_dense__sgemm_layout);
	RUN(test_dense__gram_matches_naive);
	RUN(test_dense__cholesky);
	RUN(test_dense__dot_axpy);
	return tap_done();
}
