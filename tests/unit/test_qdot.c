/*
 * test_qdot.c - the 8-bit copies and their bounds: the integer dot
 * products are exact with either kernel, and the bound of qdot.h is at or
 * above the exact x . y for random vectors of many lengths (strides with
 * padding), scales (tiny to huge), signs, and a zero vector; the bound is
 * also close (it prunes only if it is).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "qdot.h"
#include "rng.h"
#include "tap.h"
#include "banned.h"

enum { NR = 101, FMAX = 80 };

static void
random_vector(struct rs_rng *g, float *v, size_t f, double scale)
{
	size_t a;

	for (a = 0; a < f; a++)
		v[a] = (float)(scale * rs_rng_normal(g));
}

/* Dot products exact and equal for both kernels; n not a multiple of 4. */
static void
test_qdot__rows_exact(void)
{
	static const size_t fs[] = { 1, 12, 16, 17, 64, 80 };
	static int8_t q[NR * FMAX];
	static float y[FMAX], s[NR], nq[NR], e[NR], ub[NR], ub2[NR];
	int16_t p[FMAX];
	int32_t d1[NR], d2[NR];
	struct rs_rng g;
	double t, r;
	size_t fi, i, a, bad = 0;

	rs_rng_seed(&g, 3);
	for (fi = 0; fi < sizeof(fs) / sizeof(fs[0]); fi++) {
		const size_t f = fs[fi], st = rs_qdot_stride(f);

		CHECK(st % 16 == 0 && st >= f && st < f + 16);
		for (i = 0; i < NR; i++) {
			random_vector(&g, y, f, 1 + i);
			rs_qdot_row(y, f, q + i * st, &s[i], &nq[i], &e[i]);
		}
		random_vector(&g, y, f, 0.5);
		rs_qdot_query(y, f, p, &t, &r);
		rs_qdot_use_portable(1);
		rs_qdot_rows(q, st, NR, p, d1);
		(void)rs_qdot_bounds(q, st, NR, p, s, nq, e, (float)t,
		    (float)r, 1, 0, ub);
		rs_qdot_use_portable(0);
		rs_qdot_rows(q, st, NR, p, d2);
		(void)rs_qdot_bounds(q, st, NR, p, s, nq, e, (float)t,
		    (float)r, 1, 0, ub2);
		for (i = 0; i < NR; i++) {
			int64_t want = 0;

			for (a = 0; a < st; a++)
				want += (int64_t)q[i * st + a] * p[a];
			if (d1[i] != want || d2[i] != want ||
			    fabsf(ub[i] - ub2[i]) > 1e-5f * fabsf(ub[i]) + 1e-6f)
				bad++;
		}
	}
	CHECK_EQ_U64(bad, 0);
	printf("# vector kernel: %s\n", rs_qdot_vector_kernel() ? "avx2" :
	    "none (portable only)");
}

/*
 * For many pairs: exact x . y (long double) <= the bound, and the bound
 * minus x . y is below 5 % of |x| |y| (the quantisation error, not
 * more).
 */
static void
test_qdot__bound(void)
{
	static const size_t fs[] = { 3, 16, 33, 64 };
	static const double scales[] = { 1e-6, 0.01, 1, 300 };
	int8_t q[FMAX];
	int16_t p[FMAX];
	float x[FMAX], y[FMAX], s, nq, e, ub, xn;
	struct rs_rng g;
	double t, r;
	size_t fi, si, k, a, below = 0, loose = 0;

	rs_rng_seed(&g, 11);
	for (fi = 0; fi < 4; fi++)
		for (si = 0; si < 4; si++)
			for (k = 0; k < 500; k++) {
				const size_t f = fs[fi];
				long double dot = 0, x2 = 0, y2 = 0;

				random_vector(&g, x, f, scales[si]);
				random_vector(&g, y, f, scales[(si + k) % 4]);
				if (k == 0)
					for (a = 0; a < f; a++)
						y[a] = 0;
				if (k == 1)	/* one dominant component */
					y[0] = 1e3f * scales[si];
				for (a = 0; a < f; a++) {
					dot += (long double)x[a] * y[a];
					x2 += (long double)x[a] * x[a];
					y2 += (long double)y[a] * y[a];
				}
				rs_qdot_row(y, f, q, &s, &nq, &e);
				rs_qdot_query(x, f, p, &t, &r);
				xn = (float)sqrtl(x2);
				/* the engine's margin: 4e-6 |x| ymax */
				(void)rs_qdot_bounds(q, rs_qdot_stride(f), 1, p,
				    &s, &nq, &e, (float)t, (float)r, xn,
				    (float)(4e-6 * xn * sqrtl(y2)), &ub);
				if ((long double)ub < dot)
					below++;
				if ((long double)ub - dot > 0.05L * xn *
				    sqrtl(y2) + 1e-30L)
					loose++;
			}
	CHECK_EQ_U64(below, 0);
	CHECK_EQ_U64(loose, 0);
}

int
main(void)
{
	RUN(test_qdot__rows_exact);
	RUN(test_qdot__bound);
	return tap_done();
}
