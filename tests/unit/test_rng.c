/*
 * test_rng.c - unit tests for lib/rng.c: known outputs (computed by an
 * independent Python transcription of splitmix64 and xoshiro256**), seed
 * and stream determinism, ranges and rough distributions of the samplers,
 * and the alias table.
 */
#include <stdint.h>

#include "tap.h"
#include "rng.h"

static void
test_rng__splitmix_reference(void)
{
	uint64_t st = 0;

	/* The published first output of splitmix64 from state 0. */
	CHECK_EQ_U64(rs_splitmix64(&st), 0xe220a8397b1dcdafULL);
	CHECK_EQ_U64(st, 0x9e3779b97f4a7c15ULL);
}

static void
test_rng__known_outputs(void)
{
	struct rs_rng r;

	rs_rng_seed(&r, 1);
	CHECK_EQ_U64(rs_rng_u64(&r), 0xef75d62a19ba94edULL);
	CHECK_EQ_U64(rs_rng_u64(&r), 0x8e9490536375f270ULL);
	CHECK_EQ_U64(rs_rng_u64(&r), 0xc05630b1c614195dULL);
	rs_rng_seed2(&r, 42, 7);
	CHECK_EQ_U64(rs_rng_u64(&r), 0x24bfb39aeb008c15ULL);
	CHECK_EQ_U64(rs_rng_u64(&r), 0xd858489e7fc02496ULL);
}

static void
test_rng__determinism_and_streams(void)
{
	struct rs_rng a, b, c;
	int i, same_ab = 1, diff_ac = 0;

	rs_rng_seed2(&a, 5, 3);
	rs_rng_seed2(&b, 5, 3);
	rs_rng_seed2(&c, 5, 4);
	for (i = 0; i < 1000; i++) {
		uint64_t x = rs_rng_u64(&a), y = rs_rng_u64(&b),
		    z = rs_rng_u64(&c);

		same_ab &= x == y;
		diff_ac += x != z;
	}
	CHECK(same_ab);
	CHECK(diff_ac > 990);
}

static void
test_rng__double_range_and_mean(void)
{
	struct rs_rng r;
	double x, sum = 0, lo = 1, hi = 0;
	int i, n = 200000;

	rs_rng_seed(&r, 9);
	for (i = 0; i < n; i++) {
		x = rs_rng_double(&r);
		CHECK(x >= 0.0 && x < 1.0);
		sum += x;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
	}
	CHECK_NEAR(sum / n, 0.5, 0.005);
	CHECK(lo < 0.001 && hi > 0.999);
}

static void
test_rng__below_unbiased_range(void)
{
	struct rs_rng r;
	unsigned cnt[7] = { 0 };
	uint64_t x, big = (UINT64_C(1) << 63) + 12345;
	int i, ok = 1;

	rs_rng_seed(&r, 11);
	for (i = 0; i < 70000; i++) {
		x = rs_rng_below(&r, 7);
		ok &= x < 7;
		if (x < 7)
			cnt[x]++;
	}
	CHECK(ok);
	for (i = 0; i < 7; i++)
		CHECK_NEAR(cnt[i], 10000, 500);
	CHECK_EQ_U64(rs_rng_below(&r, 1), 0);
	CHECK_EQ_U64(rs_rng_below(&r, 0), 0);
	for (i = 0; i < 1000; i++)
		ok &= rs_rng_below(&r, big) < big;
	CHECK(ok);
}

static void
test_rng__normal_moments(void)
{
	struct rs_rng r;
	double x, s = 0, s2 = 0;
	int i, n = 200000;

	rs_rng_seed(&r, 13);
	for (i = 0; i < n; i++) {
		x = rs_rng_normal(&r);
		s += x;
		s2 += x * x;
	}
	CHECK_NEAR(s / n, 0.0, 0.01);
	CHECK_NEAR(s2 / n, 1.0, 0.02);
}

static void
test_rng__geometric_and_lognormal(void)
{
	struct rs_rng r;
	double s = 0, med[1001];
	int i, n = 100000;

	rs_rng_seed(&r, 17);
	for (i = 0; i < n; i++)
		s += (double)rs_rng_geometric(&r, 0.25);
	/* Failures before a success: mean (1 - p) / p = 3. */
	CHECK_NEAR(s / n, 3.0, 0.06);
	CHECK_EQ_U64(rs_rng_geometric(&r, 1.0), 0);
	for (i = 0; i < 1001; i++)
		med[i] = rs_rng_lognormal(&r, 2.0, 1.0);
	/* Median exp(mu): count below it. */
	for (i = 0, n = 0; i < 1001; i++)
		n += med[i] < exp(2.0);
	CHECK(n > 430 && n < 570);
}

static void
test_rng__shuffle_is_permutation(void)
{
	struct rs_rng r;
	uint32_t a[100], seen[100] = { 0 };
	int i, moved = 0;

	rs_rng_seed(&r, 19);
	for (i = 0; i < 100; i++)
		a[i] = (uint32_t)i;
	rs_rng_shuffle_u32(&r, a, 100);
	for (i = 0; i < 100; i++) {
		CHECK(a[i] < 100);
		if (a[i] < 100)
			seen[a[i]]++;
		moved += a[i] != (uint32_t)i;
	}
	for (i = 0; i < 100; i++)
		CHECK_EQ_U64(seen[i], 1);
	CHECK(moved > 80);
}

static void
test_rng__alias_frequencies(void)
{
	static const double w[5] = { 1, 0, 2, 3, 4 };
	struct rs_alias *a;
	struct rs_error err;
	struct rs_rng r;
	unsigned cnt[5] = { 0 };
	int i, n = 100000;

	CHECK(rs_alias_create(&a, w, 5, &err) == 0);
	if (a == NULL)
		return;
	CHECK_EQ_U64(rs_alias_size(a), 5);
	rs_rng_seed(&r, 23);
	for (i = 0; i < n; i++)
		cnt[rs_alias_sample(a, &r)]++;
	CHECK_EQ_U64(cnt[1], 0);
	for (i = 0; i < 5; i++)
		CHECK_NEAR(cnt[i] / (double)n, w[i] / 10.0, 0.006);
	rs_alias_free(a);
	rs_alias_free(NULL);
}

static void
test_rng__alias_bad_weights(void)
{
	static const double zero[3] = { 0, 0, 0 }, neg[2] = { 1, -1 };
	struct rs_alias *a;
	struct rs_error err;

	CHECK(rs_alias_create(&a, zero, 3, &err) == RS_EARG);
	CHECK(a == NULL);
	CHECK(rs_alias_create(&a, neg, 2, &err) == RS_EARG);
	CHECK(rs_alias_create(&a, zero, 0, &err) == RS_EARG);
	CHECK(strstr(err.msg, "alias") != NULL);
}

int
main(void)
{
	RUN(test_rng__splitmix_reference);
	RUN(test_rng__known_outputs);
	RUN(test_rng__determinism_and_streams);
	RUN(test_rng__double_range_and_mean);
	RUN(test_rng__below_unbiased_range);
	RUN(test_rng__normal_moments);
	RUN(test_rng__geometric_and_lognormal);
	RUN(test_rng__shuffle_is_permutation);
	RUN(test_rng__alias_frequencies);
	RUN(test_rng__alias_bad_weights);
	return tap_done();
}
