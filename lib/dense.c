/*
 * dense.c - OpenBLAS wrappers, aligned allocation and a double Cholesky.
 *
 * Why our own Cholesky: the systems ALS factors are tiny (f x f with f
 * around 64, or n x n with n a handful of nonzeros) and accuracy matters
 * more than speed there: a factorisation in double of a matrix whose
 * entries were accumulated in double keeps the exact solver exact to
 * float32 output precision.  OpenBLAS' spotrf would work in float and add
 * call overhead for sizes this small.  For n >= CHOL_LAPACK_N the
 * factorisation goes to OpenBLAS' LAPACK dpotrf (double, blocked): that
 * is the f x f system of a long row in the exact ALS solver.
 *
 * Large buffers (factor matrices) are aligned to 2 MB and marked for
 * transparent huge pages where the system has them: under a hypervisor
 * every 4 KB page fault is expensive and a 300 MB factor matrix has
 * 80000 of them.
 */
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "hugemem.h"
#include "banned.h"

#define CHOL_LAPACK_N 24

/* LAPACK's Cholesky (Fortran interface of libopenblas). */
extern void dpotrf_(const char *uplo, const int *n, double *a,
    const int *lda, int *info);

static void
hold_to_one_thread(void)
{
	openblas_set_num_threads(1);
}

/*
 * Once per process: openblas_set_num_threads while another thread is in
 * a BLAS call is not safe (rs-serve died in a reload that created an
 * engine while its pool answered).
 */
void
rs_dense_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, hold_to_one_thread);
}

float *
rs_dense_alloc(size_t n)
{
	if (n == 0 || n > SIZE_MAX / sizeof(float))
		return NULL;
	return rs_huge_alloc(n * sizeof(float));
}

double *
rs_dense_alloc_f64(size_t n)
{
	if (n == 0 || n > SIZE_MAX / sizeof(double))
		return NULL;
	return rs_huge_alloc(n * sizeof(double));
}

void
rs_dense_free(void *p)
{
	free(p);
}

void
rs_dense_sgemm(int transa, int transb, size_t m, size_t n, size_t k,
    float alpha, const float *a, size_t lda, const float *b, size_t ldb,
    float beta, float *c, size_t ldc)
{
	if (m == 0 || n == 0)
		return;
	/*
	 * One row times B^T (a single query against a block of item
	 * factors) is a matrix-vector product: sgemm would pack the whole
	 * block first, which costs as much as the product (measured: 2/3 of
	 * a live request's time went to sgemm_incopy).
	 */
	if (m == 1 && !transa && transb) {
		cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)n, (blasint)k,
		    alpha, b, (blasint)ldb, a, 1, beta, c, 1);
		return;
	}
	/* Row-major: C[i * ldc + j] = sum_l op(A)[i][l] * op(B)[l][j]. */
	cblas_sgemm(CblasRowMajor, transa ? CblasTrans : CblasNoTrans,
	    transb ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n,
	    (blasint)k, alpha, a, (blasint)lda, b, (blasint)ldb, beta, c,
	    (blasint)ldc);
}

void
rs_dense_gram_acc(const float *a, size_t n, size_t f, size_t lda, double *g,
    float *tmp)
{
	size_t r0, rows, i, j;

	for (r0 = 0; r0 < n; r0 += RS_DENSE_GRAM_CHUNK) {
		rows = n - r0 < RS_DENSE_GRAM_CHUNK ? n - r0 :
		    RS_DENSE_GRAM_CHUNK;
		/*
		 * tmp (f x f, row-major, ld f, lower triangle) = A_c^T A_c
		 * where A_c is rows x f at a + r0 * lda with leading
		 * dimension lda: ssyrk with trans, k = rows.
		 */
		cblas_ssyrk(CblasRowMajor, CblasLower, CblasTrans, (blasint)f,
		    (blasint)rows, 1.0f, a + r0 * lda, (blasint)lda, 0.0f, tmp,
		    (blasint)f);
		for (i = 0; i < f; i++)
			for (j = 0; j <= i; j++)
				g[i * f + j] += tmp[i * f + j];
	}
	for (i = 0; i < f; i++)
		for (j = i + 1; j < f; j++)
			g[i * f + j] = g[j * f + i];
}

int
rs_dense_chol(double *a, size_t n)
{
	size_t i, j, k;
	double s;
	int nn = (int)n, info = 0;

	if (n >= CHOL_LAPACK_N) {
		/*
		 * The row-major lower triangle is the column-major upper one:
		 * dpotrf("U") computes A = U^T U there, and U^T is our L, so
		 * L[i][j] comes back at a[i * n + j] (lda = n).
		 */
		dpotrf_("U", &nn, a, &nn, &info);
		return info == 0 ? 0 : -1;
	}
	/* Cholesky-Crout, row by row: L[i][j] = (A[i][j] - sum_k<j
	 * L[i][k] L[j][k]) / L[j][j]; L[i][i] = sqrt(A[i][i] - sum L[i][k]^2). */
	for (i = 0; i < n; i++) {
		for (j = 0; j <= i; j++) {
			s = a[i * n + j];
			for (k = 0; k < j; k++)
				s -= a[i * n + k] * a[j * n + k];
			if (j < i) {
				a[i * n + j] = s / a[j * n + j];
			} else {
				if (!(s > 0))
					return -1;
				a[i * n + i] = sqrt(s);
			}
		}
	}
	return 0;
}

void
rs_dense_chol_solve(const double *l, size_t n, double *b)
{
	size_t i, k;
	double s;

	/* Forward: L y = b. */
	for (i = 0; i < n; i++) {
		s = b[i];
		for (k = 0; k < i; k++)
			s -= l[i * n + k] * b[k];
		b[i] = s / l[i * n + i];
	}
	/* Backward: L^T x = y, L^T[i][k] = L[k][i]. */
	for (i = n; i-- > 0; ) {
		s = b[i];
		for (k = i + 1; k < n; k++)
			s -= l[k * n + i] * b[k];
		b[i] = s / l[i * n + i];
	}
}

int
rs_dense_spd_inverse(const double *a, size_t f, double *inv, double *work)
{
	double *l = work, *col = work + f * f;
	size_t i, j;

	memcpy(l, a, f * f * sizeof(*l));
	if (rs_dense_chol(l, f) < 0)
		return -1;
	for (j = 0; j < f; j++) {
		for (i = 0; i < f; i++)
			col[i] = i == j;
		rs_dense_chol_solve(l, f, col);
		for (i = 0; i < f; i++)
			inv[i * f + j] = col[i];
	}
	/* Exactly symmetric: average the two triangles. */
	for (i = 0; i < f; i++)
		for (j = 0; j < i; j++)
			inv[i * f + j] = inv[j * f + i] =
			    0.5 * (inv[i * f + j] + inv[j * f + i]);
	return 0;
}

typedef double v2d __attribute__((vector_size(16)));

double
rs_dense_dot_f64(const float *x, const float *y, size_t n)
{
	v2d a = { 0 }, b = { 0 }, u, v;
	size_t i = 0;
	double s;

	for (; i + 4 <= n; i += 4) {
		u = (v2d){ x[i], x[i + 1] };
		v = (v2d){ y[i], y[i + 1] };
		a += u * v;
		u = (v2d){ x[i + 2], x[i + 3] };
		v = (v2d){ y[i + 2], y[i + 3] };
		b += u * v;
	}
	a += b;
	s = a[0] + a[1];
	for (; i < n; i++)
		s += (double)x[i] * y[i];
	return s;
}
