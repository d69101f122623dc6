/*
 * qdot.h - 8-bit copies of factor vectors and exact integer dot products,
 * for pruning the exact scans of the engine (engine.c): a lone query reads
 * a quarter of the bytes of the float factors and proves, for nearly
 * every item, that it cannot enter the list without its float dot
 * product.
 *
 * A float vector y of length f is stored as s q, q int8 in [-127, 127]
 * (s = max |y_a| / 127), padded with zeros to the stride
 * rs_qdot_stride(f), with e >= |y - s q| and n >= s |q|.  A query x is
 * held as t p, p int16 in [-127, 127] (same stride), with
 * r >= |x - t p|.  Then, for every item (exact real arithmetic):
 *
 *   x . y = x . (s q) + x . (y - s q)
 *        <= s (t p . q + (x - t p) . q) + |x| e
 *        <= s t (p . q) + r n + |x| e
 *
 * and p . q is an exact integer (rs_qdot_rows).  The caller adds a
 * margin for the rounding of the bound's own few products.
 */
#ifndef RS_QDOT_H
#define RS_QDOT_H

#include <stddef.h>
#include <stdint.h>

/* f rounded up to a multiple of 16: the length of a stored row. */
size_t rs_qdot_stride(size_t f);

/*
 * y (f floats) into q (stride int8, zero padded) with its scale *s, and
 * the upper bounds *n >= s |q| and *e >= |y - s q|.  A zero vector gives
 * q = 0, s = 1, n = e = 0.
 */
void rs_qdot_row(const float *y, size_t f, int8_t *q, float *s, float *n,
	float *e);

/*
 * The query x (f floats) as p (stride int16, zero padded) with scale *t
 * and *r >= |x - t p|.
 */
void rs_qdot_query(const float *x, size_t f, int16_t *p, double *t,
	double *r);

/*
 * out[i] = p . q_i for the n rows q_i at q + i stride (stride from
 * rs_qdot_stride, rows and p as written above): exact, whatever kernel
 * the CPU gets (AVX2 when it has it, portable C otherwise).
 */
void rs_qdot_rows(const int8_t *q, size_t stride, size_t n,
	const int16_t *p, int32_t *out);

/*
 * The bounds of qdot.h for the n rows at q (as rs_qdot_rows) in float:
 *   ub[i] = (float)(p . q_i) s[i] t + r n[i] + x e[i] + margin
 * (t, r the query's scale and error, x its norm), each term rounded;
 * returns the largest.  The caller's margin covers these roundings.
 */
float rs_qdot_bounds(const int8_t *q, size_t stride, size_t n,
	const int16_t *p, const float *s, const float *nq, const float *e,
	float t, float r, float x, float margin, float *ub);

/*
 * 1 if rs_qdot_rows uses the AVX2 kernel.  rs_qdot_use_portable(1)
 * forces the portable one (for tests and benchmarks; not thread-safe:
 * call before any scan).
 */
int rs_qdot_vector_kernel(void);
void rs_qdot_use_portable(int on);

#endif
