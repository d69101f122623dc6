/*
 * test_numfmt.c - the printf-free number formatting against printf
 * itself: every float32 of a stride through all bit patterns, the ties
 * and the powers of two and ten, and the integers' edges.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "tap.h"

/* Compares one float; prints the first few differences. */
static int
same_as_printf(float v)
{
	static int shown;
	char want[64], got[RS_FMT_MAX + 1];
	size_t n;

	snprintf(want, sizeof(want), "%.9g", (double)v);
	n = rs_fmt_f32(got, v);
	got[n] = '\0';
	if (strcmp(want, got) == 0)
		return 1;
	if (shown++ < 10)
		printf("#   %a: printf %s, rs_fmt_f32 %s\n", (double)v, want,
		    got);
	return 0;
}

static float
from_bits(uint32_t b)
{
	float v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

static void
test_numfmt__f32_every_stride(void)
{
	uint64_t b;
	unsigned bad = 0, n = 0;

	/* a prime stride visits every exponent and many mantissas, both
	 * signs, zero, subnormals, inf and NaN */
	for (b = 0; b <= UINT32_MAX; b += 1009, n++)
		bad += !same_as_printf(from_bits((uint32_t)b));
	printf("# %u floats compared\n", n);
	CHECK(n > 4000000);
	CHECK_EQ_U64(bad, 0);
}

static void
test_numfmt__f32_edges(void)
{
	static const float fixed[] = {
		0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 0.5f, 1e-5f, 1e-4f, 9.99999e-5f,
		1e9f, 999999999.0f, 999999940.0f, 1e8f, 123456789.0f,
		0.000122070312f, 1.5f, 2.5f, 1e-20f, 1e30f, 9.9999e29f,
		3.4028235e38f, 1.17549435e-38f, 1e-45f, 0.30000001f,
		16777216.0f, 16777215.0f, 4294967296.0f,
	};
	unsigned bad = 0, i;
	int k;
	float p;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		bad += !same_as_printf(fixed[i]);
	/* powers of two: the exact ties (2^-13 ends in ...3125) */
	for (k = -149; k < 128; k++) {
		p = ldexpf(1.0f, k);
		bad += !same_as_printf(p) + !same_as_printf(-p);
		bad += !same_as_printf(nextafterf(p, 0.0f));
		bad += !same_as_printf(nextafterf(p, INFINITY));
	}
	/* powers of ten and their neighbours: where the exponent and the
	 * switch between fixed and exponent notation change */
	for (k = -40; k <= 38; k++) {
		p = (float)pow(10.0, k);
		bad += !same_as_printf(p);
		bad += !same_as_printf(nextafterf(p, 0.0f));
		bad += !same_as_printf(nextafterf(p, INFINITY));
	}
	/* every float of [0.5, 1) near 0.75, where scores live */
	for (p = 0.75f, i = 0; i < 200000; i++, p = nextafterf(p, 1.0f))
		bad += !same_as_printf(p);
	bad += !same_as_printf(INFINITY) + !same_as_printf(-INFINITY) +
	    !same_as_printf(NAN);
	CHECK_EQ_U64(bad, 0);
}

static void
test_numfmt__integers(void)
{
	static const uint64_t u[] = {
		0, 1, 9, 10, 99, 100, 101, 999, 1000, 65535, 4294967295u,
		10000000000000000000u, UINT64_MAX,
	};
	static const int64_t s[] = { 0, -1, 1, -10, INT64_MIN, INT64_MAX };
	char want[32], got[RS_FMT_MAX + 1];
	unsigned i;
	size_t n;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		snprintf(want, sizeof(want), "%llu", (unsigned long long)u[i]);
		n = rs_fmt_u64(got, u[i]);
		got[n] = '\0';
		CHECK_STR(got, want);
	}
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		snprintf(want, sizeof(want), "%lld", (long long)s[i]);
		n = rs_fmt_i64(got, s[i]);
		got[n] = '\0';
		CHECK_STR(got, want);
	}
}

int
main(void)
{
	RUN(test_numfmt__f32_every_stride);
	RUN(test_numfmt__f32_edges);
	RUN(test_numfmt__integers);
	return tap_done();
}
