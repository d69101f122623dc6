/*
 * dense.h - small dense linear algebra for the factor models: aligned
 * allocation, the OpenBLAS calls (sgemm, ssyrk), and a double-precision
 * Cholesky for the small f x f and n x n systems of ALS.  This is the only
 * module that includes cblas.h; everything else calls these wrappers.
 *
 * Layout: every matrix is row-major, element (i, j) of a matrix with
 * leading dimension ld at a[i * ld + j].  Symmetric matrices are stored
 * full (both triangles), f x f with ld = f, unless a function says that
 * only the lower triangle is used.
 *
 * Threads: rs_dense_init() holds OpenBLAS to one thread.  ALS runs its own
 * threads over rows; a multi-threaded BLAS inside each of them would
 * oversubscribe the cores (the classic 10x slowdown) and would make the
 * result of a call depend on the thread count.
 */
#ifndef RS_DENSE_H
#define RS_DENSE_H

#include <stddef.h>
#include <string.h>

/* Holds OpenBLAS to one thread; idempotent, call before any other. */
void rs_dense_init(void);

/* n floats (or doubles) aligned to 64 bytes, or NULL; n == 0 gives NULL. */
float *rs_dense_alloc(size_t n);
double *rs_dense_alloc_f64(size_t n);
/* Frees memory from rs_dense_alloc*; NULL is fine. */
void rs_dense_free(void *p);

/*
 * C = alpha * op(A) * op(B) + beta * C, row-major (cblas_sgemm).  op(A) is
 * m x k (A itself k x m when transa), op(B) is k x n, C is m x n.
 */
void rs_dense_sgemm(int transa, int transb, size_t m, size_t n, size_t k,
	float alpha, const float *a, size_t lda, const float *b, size_t ldb,
	float beta, float *c, size_t ldc);

/*
 * g += A^T A, A n x f row-major with leading dimension lda, g f x f full,
 * in double.  The product is taken with ssyrk over fixed chunks of
 * RS_DENSE_GRAM_CHUNK rows (float accumulation over at most that many
 * terms) and each chunk is added into g in double, so the rounding is
 * bounded by the chunk length, not by n, and is the same on every run.
 * tmp holds f * f floats.
 */
#define RS_DENSE_GRAM_CHUNK 4096
void rs_dense_gram_acc(const float *a, size_t n, size_t f, size_t lda,
	double *g, float *tmp);

/*
 * In-place Cholesky a = L L^T of a symmetric positive-definite n x n
 * matrix (row-major, only the lower triangle read; L written there).
 * Returns 0, or -1 if a pivot is not positive (not positive definite).
 */
int rs_dense_chol(double *a, size_t n);

/* Solves L L^T x = b in place (b becomes x), L from rs_dense_chol. */
void rs_dense_chol_solve(const double *l, size_t n, double *b);

/*
 * inv = a^-1 for a symmetric positive-definite f x f matrix, through its
 * Cholesky factor (work holds f * f + f doubles).  Returns 0 or -1.
 */
int rs_dense_spd_inverse(const double *a, size_t f, double *inv,
	double *work);

/*
 * x . y over n floats and y += alpha x: the per-nonzero kernels of ALS,
 * inline so the compiler sees f.  GCC vector extensions of four lanes
 * (SSE2, the x86-64 baseline); the summation order is fixed (lane-wise
 * partial sums, then a fixed tree), so results depend only on the inputs.
 */
typedef float rs_v4f __attribute__((vector_size(16)));

static inline float
rs_dense_dot(const float *x, const float *y, size_t n)
{
	rs_v4f a = { 0 }, b = { 0 }, u, v, w, z;
	size_t i = 0;
	float s;

	for (; i + 8 <= n; i += 8) {
		memcpy(&u, x + i, sizeof(u));
		memcpy(&v, y + i, sizeof(v));
		memcpy(&w, x + i + 4, sizeof(w));
		memcpy(&z, y + i + 4, sizeof(z));
		a += u * v;
		b += w * z;
	}
	a += b;
	s = (a[0] + a[2]) + (a[1] + a[3]);
	for (; i < n; i++)
		s += x[i] * y[i];
	return s;
}

static inline void
rs_dense_axpy(float alpha, const float *x, float *y, size_t n)
{
	rs_v4f u, v;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&u, x + i, sizeof(u));
		memcpy(&v, y + i, sizeof(v));
		v += alpha * u;
		memcpy(y + i, &v, sizeof(v));
	}
	for (; i < n; i++)
		y[i] += alpha * x[i];
}

/* y = x + beta y. */
static inline void
rs_dense_xpby(const float *x, float beta, float *y, size_t n)
{
	rs_v4f u, v;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&u, x + i, sizeof(u));
		memcpy(&v, y + i, sizeof(v));
		v = u + beta * v;
		memcpy(y + i, &v, sizeof(v));
	}
	for (; i < n; i++)
		y[i] = x[i] + beta * y[i];
}

/* x . y accumulated in double. */
double rs_dense_dot_f64(const float *x, const float *y, size_t n);

#endif
