/*
 * qdot.c - 8-bit factor copies and exact integer dot products (qdot.h).
 *
 * The rounding of the bounds: s, t and the products s q_a, t p_a are
 * formed in double from floats and small integers, where they are exact
 * or off by one double rounding; the norms are summed in double and then
 * rounded up (nextafter), so e, n and r stay upper bounds of the real
 * values by a relative 1e-15 at worst, far inside the margin the caller
 * adds.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define QDOT_X86 1
#endif

#include "qdot.h"
#include "banned.h"

/*
 * x rounded to an integer near it (the nearest, ties to even, for |x| <
 * 2^51 in the default rounding mode): adding 1.5 * 2^52 leaves no
 * fraction bits.  Plain arithmetic the compiler inlines and, outside
 * -ffast-math (rs does not use it), may not fold.  Callers keep the
 * integer they store, not this value, so a platform that rounds
 * otherwise costs only a looser bound.
 */
static inline double
round_nearest(double x)
{
	const double big = 6755399441055744.0;	/* 1.5 * 2^52 */

	return (x + big) - big;
}

size_t
rs_qdot_stride(size_t f)
{
	return (f + 15) & ~(size_t)15;
}

/*
 * Element a of a row: q_a stored, and its share of |q|^2 and |y - s q|^2
 * added to *q2 and *e2.  Any integer q_a near y_a / s keeps the bounds,
 * since e is taken from the q_a stored: a multiply and an inlined
 * rounding do, where a libm nearbyint of a quotient per value was a
 * third of the load of a scale-1 model.
 */
static inline void
quantize_one(const float *y, size_t a, double sc, double inv, int8_t *q,
    double *q2, double *e2)
{
	double v = round_nearest(y[a] * inv), z;

	v = v > 127 ? 127 : v < -127 ? -127 : v;
	q[a] = (int8_t)v;
	v = q[a];
	*q2 += v * v;
	z = (double)y[a] - sc * v;
	*e2 += z * z;
}

void
rs_qdot_row(const float *y, size_t f, int8_t *q, float *s, float *n,
    float *e)
{
	const size_t st = rs_qdot_stride(f);
	double sc, inv, q0 = 0, q1 = 0, q2 = 0, q3 = 0, e0 = 0, e1 = 0,
	    e2 = 0, e3 = 0;
	float mx = 0;
	size_t a;

	for (a = 0; a < f; a++)
		mx = fabsf(y[a]) > mx ? fabsf(y[a]) : mx;
	memset(q, 0, st);
	if (mx == 0) {
		*s = 1;
		*n = *e = 0;
		return;
	}
	/* a float scale, so that s q_a is exact in double */
	*s = (float)((double)mx / 127);
	sc = *s;
	inv = 1 / sc;
	/* four partial sums, so that the adds do not wait on each other */
	for (a = 0; a + 4 <= f; a += 4) {
		quantize_one(y, a, sc, inv, q, &q0, &e0);
		quantize_one(y, a + 1, sc, inv, q, &q1, &e1);
		quantize_one(y, a + 2, sc, inv, q, &q2, &e2);
		quantize_one(y, a + 3, sc, inv, q, &q3, &e3);
	}
	for (; a < f; a++)
		quantize_one(y, a, sc, inv, q, &q0, &e0);
	q0 = (q0 + q1) + (q2 + q3);
	e0 = (e0 + e1) + (e2 + e3);
	*n = nextafterf((float)nextafter(sc * sqrt(q0), INFINITY), INFINITY);
	*e = nextafterf((float)nextafter(sqrt(e0), INFINITY), INFINITY);
}

void
rs_qdot_query(const float *x, size_t f, int16_t *p, double *t, double *r)
{
	const size_t st = rs_qdot_stride(f);
	double mx = 0, r2 = 0;
	size_t a;

	for (a = 0; a < f; a++)
		if (fabs((double)x[a]) > mx)
			mx = fabs((double)x[a]);
	memset(p, 0, st * sizeof(*p));
	*t = mx > 0 ? mx / 127 : 1;
	for (a = 0; a < f; a++) {
		double v = nearbyint(x[a] / *t), z;

		v = v > 127 ? 127 : v < -127 ? -127 : v;
		p[a] = (int16_t)v;
		z = (double)x[a] - *t * v;
		r2 += z * z;
	}
	*r = nextafter(sqrt(r2), INFINITY);
}

static void
rows_portable(const int8_t *q, size_t stride, size_t n, const int16_t *p,
    int32_t *out)
{
	size_t i, a;

	for (i = 0; i < n; i++, q += stride) {
		int32_t s = 0;

		for (a = 0; a < stride; a++)
			s += (int32_t)q[a] * p[a];
		out[i] = s;
	}
}

#ifdef QDOT_X86
/*
 * Sixteen int8 of a row widened to int16, multiplied by the query's and
 * summed in pairs into eight int32 (vpmaddwd: exact, |p q| <= 127^2).
 * Four rows at a time, so that one horizontal reduction serves four; NB
 * blocks of sixteen a row, the query's blocks in pv.  Inlined into each
 * kernel, with NB a constant where the stride is the common 64.
 */
#define DOT4(q, stride, pv, NB, out) do {				\
	__m256i a0_ = _mm256_setzero_si256(), a1_ = a0_, a2_ = a0_;	\
	__m256i a3_ = a0_, h01_, h23_, h_;				\
	size_t b_;							\
									\
	for (b_ = 0; b_ < (NB); b_++) {					\
		const int8_t *r_ = (q) + 16 * b_;			\
									\
		a0_ = _mm256_add_epi32(a0_, _mm256_madd_epi16(		\
		    _mm256_cvtepi8_epi16(_mm_loadu_si128(		\
		    (const __m128i *)r_)), (pv)[b_]));			\
		a1_ = _mm256_add_epi32(a1_, _mm256_madd_epi16(		\
		    _mm256_cvtepi8_epi16(_mm_loadu_si128(		\
		    (const __m128i *)(r_ + (stride)))), (pv)[b_]));	\
		a2_ = _mm256_add_epi32(a2_, _mm256_madd_epi16(		\
		    _mm256_cvtepi8_epi16(_mm_loadu_si128(		\
		    (const __m128i *)(r_ + 2 * (stride)))), (pv)[b_]));	\
		a3_ = _mm256_add_epi32(a3_, _mm256_madd_epi16(		\
		    _mm256_cvtepi8_epi16(_mm_loadu_si128(		\
		    (const __m128i *)(r_ + 3 * (stride)))), (pv)[b_]));	\
	}								\
	/* [r0 r0 r1 r1 | ...] twice over: one sum per row */		\
	h01_ = _mm256_hadd_epi32(a0_, a1_);				\
	h23_ = _mm256_hadd_epi32(a2_, a3_);				\
	h_ = _mm256_hadd_epi32(h01_, h23_);				\
	(out) = _mm_add_epi32(_mm256_castsi256_si128(h_),		\
	    _mm256_extracti128_si256(h_, 1));				\
} while (0)

__attribute__((target("avx2")))
static void
rows_avx2(const int8_t *q, size_t stride, size_t n, const int16_t *p,
    int32_t *out)
{
	const size_t nb = stride / 16;
	__m256i pv[64];
	__m128i d;
	size_t i, b;

	if (nb > 64) {
		rows_portable(q, stride, n, p, out);
		return;
	}
	for (b = 0; b < nb; b++)
		pv[b] = _mm256_loadu_si256((const __m256i *)(p + 16 * b));
	for (i = 0; i + 4 <= n; i += 4, q += 4 * stride) {
		if (nb == 4)
			DOT4(q, 64, pv, 4, d);
		else
			DOT4(q, stride, pv, nb, d);
		_mm_storeu_si128((__m128i *)(out + i), d);
	}
	if (i < n)
		rows_portable(q, stride, n - i, p, out + i);
}

/* The bounds of rs_qdot_bounds from DOT4's sums, four rows at a time. */
__attribute__((target("avx2")))
static float
bounds_avx2(const int8_t *q, size_t stride, size_t n, const int16_t *p,
    const float *s, const float *nq, const float *e, float t, float r,
    float x, float margin, float *ub)
{
	const size_t nb = stride / 16;
	const __m128 vt = _mm_set1_ps(t), vr = _mm_set1_ps(r);
	const __m128 vx = _mm_set1_ps(x), vm = _mm_set1_ps(margin);
	__m128 mx = _mm_set1_ps(-INFINITY);
	__m256i pv[64];
	__m128i d;
	int32_t d1;
	float m4[4], best;
	size_t i = 0, k;

	if (nb <= 64) {
		for (k = 0; k < nb; k++)
			pv[k] = _mm256_loadu_si256((const __m256i *)
			    (p + 16 * k));
		for (; i + 4 <= n; i += 4) {
			__m128 u;

			if (nb == 4)
				DOT4(q + i * 64, 64, pv, 4, d);
			else
				DOT4(q + i * stride, stride, pv, nb, d);
			u = _mm_mul_ps(_mm_mul_ps(_mm_cvtepi32_ps(d),
			    _mm_loadu_ps(s + i)), vt);
			u = _mm_add_ps(u, _mm_mul_ps(vr, _mm_loadu_ps(nq + i)));
			u = _mm_add_ps(u, _mm_mul_ps(vx, _mm_loadu_ps(e + i)));
			u = _mm_add_ps(u, vm);
			_mm_storeu_ps(ub + i, u);
			mx = _mm_max_ps(mx, u);
		}
	}
	_mm_storeu_ps(m4, mx);
	best = m4[0];
	for (k = 1; k < 4; k++)
		best = m4[k] > best ? m4[k] : best;
	for (; i < n; i++) {
		rows_portable(q + i * stride, stride, 1, p, &d1);
		ub[i] = (float)d1 * s[i] * t + r * nq[i] + x * e[i] + margin;
		best = ub[i] > best ? ub[i] : best;
	}
	return best;
}

static int have_avx2;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void
cpu_init(void)
{
	__builtin_cpu_init();
	have_avx2 = __builtin_cpu_supports("avx2");
}
#endif

static int portable_forced;

void
rs_qdot_use_portable(int on)
{
	portable_forced = on;
}

int
rs_qdot_vector_kernel(void)
{
#ifdef QDOT_X86
	pthread_once(&cpu_once, cpu_init);
	return have_avx2 && !portable_forced;
#else
	return 0;
#endif
}

void
rs_qdot_rows(const int8_t *q, size_t stride, size_t n, const int16_t *p,
    int32_t *out)
{
#ifdef QDOT_X86
	if (rs_qdot_vector_kernel()) {
		rows_avx2(q, stride, n, p, out);
		return;
	}
#endif
	rows_portable(q, stride, n, p, out);
}

float
rs_qdot_bounds(const int8_t *q, size_t stride, size_t n, const int16_t *p,
    const float *s, const float *nq, const float *e, float t, float r,
    float x, float margin, float *ub)
{
	int32_t d;
	float best = -INFINITY;
	size_t i;

#ifdef QDOT_X86
	if (rs_qdot_vector_kernel())
		return bounds_avx2(q, stride, n, p, s, nq, e, t, r, x, margin,
		    ub);
#endif
	for (i = 0; i < n; i++) {
		rows_portable(q + i * stride, stride, 1, p, &d);
		ub[i] = (float)d * s[i] * t + r * nq[i] + x * e[i] + margin;
		best = ub[i] > best ? ub[i] : best;
	}
	return best;
}
