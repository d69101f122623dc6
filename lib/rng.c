/*
 * rng.c - xoshiro256** with splitmix64 seeding, and samplers.  See rng.h.
 *
 * State: four 64-bit words, never all zero (splitmix64 output of any seed
 * makes that astronomically unlikely; the seeder still checks).  Streams:
 * rs_rng_seed2 runs splitmix64 from seed ^ mix(stream), so stream k of
 * seed s and stream k' of s' share no simple relation.  The alias table
 * stores, per slot, a probability (double) and an alias index (size_t);
 * it is built with Vose's stable two-list method so that the same weights
 * always give the same table.
 */
#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "banned.h"

uint64_t
rs_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rs_rng_seed2(struct rs_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t st = stream, x;
	int i;

	x = seed ^ rs_splitmix64(&st);
	for (i = 0; i < 4; i++)
		r->s[i] = rs_splitmix64(&x);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

void
rs_rng_seed(struct rs_rng *r, uint64_t seed)
{
	rs_rng_seed2(r, seed, 0);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rs_rng_u64(struct rs_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double
rs_rng_double(struct rs_rng *r)
{
	return (double)(rs_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t
rs_rng_below(struct rs_rng *r, uint64_t n)
{
	uint64_t x, lim;

	if (n == 0)
		return 0;
	/* Reject the top (2^64 mod n) values so that x % n is uniform. */
	lim = (uint64_t)(-n) % n;
	do
		x = rs_rng_u64(r);
	while (x < lim);
	return x % n;
}

int
rs_rng_bernoulli(struct rs_rng *r, double p)
{
	return rs_rng_double(r) < p;
}

double
rs_rng_normal(struct rs_rng *r)
{
	double u1 = 1.0 - rs_rng_double(r), u2 = rs_rng_double(r);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double
rs_rng_lognormal(struct rs_rng *r, double mu, double sigma)
{
	return exp(mu + sigma * rs_rng_normal(r));
}

uint64_t
rs_rng_geometric(struct rs_rng *r, double p)
{
	double u, k;

	if (p >= 1.0)
		return 0;
	if (p <= 0.0)
		return UINT64_MAX;
	u = 1.0 - rs_rng_double(r);
	k = floor(log(u) / log1p(-p));
	return k >= 1e18 ? (uint64_t)1e18 : (uint64_t)k;
}

void
rs_rng_shuffle_u32(struct rs_rng *r, uint32_t *a, size_t n)
{
	size_t i, j;
	uint32_t t;

	for (i = n; i > 1; i--) {
		j = (size_t)rs_rng_below(r, i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

struct rs_alias {
	size_t n;
	double *prob;
	size_t *alias;
};

int
rs_alias_create(struct rs_alias **out, const double *w, size_t n,
    struct rs_error *err)
{
	struct rs_alias *a;
	size_t *small, *large, ns = 0, nl = 0, i, s, l;
	double sum = 0, *p;

	*out = NULL;
	if (n == 0)
		return rs_error_set(err, RS_EARG, "alias table: no weights");
	for (i = 0; i < n; i++) {
		if (!(w[i] >= 0) || isinf(w[i]))
			return rs_error_set(err, RS_EARG,
			    "alias table: weight %zu is not finite and >= 0",
			    i);
		sum += w[i];
	}
	if (!(sum > 0))
		return rs_error_set(err, RS_EARG, "alias table: zero total "
		    "weight");
	a = calloc(1, sizeof(*a));
	small = malloc(n * sizeof(*small));
	large = malloc(n * sizeof(*large));
	if (a != NULL) {
		a->prob = malloc(n * sizeof(*a->prob));
		a->alias = malloc(n * sizeof(*a->alias));
	}
	if (a == NULL || small == NULL || large == NULL || a->prob == NULL ||
	    a->alias == NULL) {
		free(small);
		free(large);
		rs_alias_free(a);
		return rs_error_set(err, RS_ENOMEM, "alias table: out of "
		    "memory");
	}
	a->n = n;
	p = a->prob;
	for (i = 0; i < n; i++) {
		p[i] = w[i] * (double)n / sum;
		a->alias[i] = i;
		if (p[i] < 1.0)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		s = small[--ns];
		l = large[nl - 1];
		a->alias[s] = l;
		p[l] = (p[l] + p[s]) - 1.0;
		if (p[l] < 1.0) {
			nl--;
			small[ns++] = l;
		}
	}
	/* Leftovers are 1 up to rounding. */
	while (nl > 0)
		p[large[--nl]] = 1.0;
	while (ns > 0)
		p[small[--ns]] = 1.0;
	free(small);
	free(large);
	*out = a;
	return 0;
}

size_t
rs_alias_sample(const struct rs_alias *a, struct rs_rng *r)
{
	size_t i = (size_t)rs_rng_below(r, a->n);

	return rs_rng_double(r) < a->prob[i] ? i : a->alias[i];
}

size_t
rs_alias_size(const struct rs_alias *a)
{
	return a->n;
}

void
rs_alias_free(struct rs_alias *a)
{
	if (a == NULL)
		return;
	free(a->prob);
	free(a->alias);
	free(a);
}
