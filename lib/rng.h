/*
 * rng.h - a small deterministic random number generator and samplers.
 *
 * xoshiro256** (Blackman and Vigna) seeded through splitmix64.  A stream
 * is named by (seed, stream number), so independent pieces of work (one
 * per visitor, one per chunk of items) draw from their own generators and
 * their results do not depend on how the work is split across threads.
 * Every sampler consumes a fixed, documented number of draws per call
 * except the bounded integer (rejection, rarely more than one) and the
 * ones built from it.
 */
#ifndef RS_RNG_H
#define RS_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct rs_rng {
	uint64_t s[4];
};

/* One step of splitmix64 on *state; also a good 64-bit mixer. */
uint64_t rs_splitmix64(uint64_t *state);

/* Seeds r from seed alone (equivalent to stream 0). */
void rs_rng_seed(struct rs_rng *r, uint64_t seed);
/* Seeds r for the independent stream number stream of seed. */
void rs_rng_seed2(struct rs_rng *r, uint64_t seed, uint64_t stream);

/* Uniform 64-bit integer. */
uint64_t rs_rng_u64(struct rs_rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double rs_rng_double(struct rs_rng *r);
/* Uniform integer in [0, n) without modulo bias; n == 0 gives 0. */
uint64_t rs_rng_below(struct rs_rng *r, uint64_t n);
/* 1 with probability p, else 0 (one draw). */
int rs_rng_bernoulli(struct rs_rng *r, double p);
/* Standard normal (Box-Muller, two draws, no cached second value). */
double rs_rng_normal(struct rs_rng *r);
/* exp(mu + sigma * normal). */
double rs_rng_lognormal(struct rs_rng *r, double mu, double sigma);
/* Failures before the first success of probability p in (0, 1]. */
uint64_t rs_rng_geometric(struct rs_rng *r, double p);
/* Fisher-Yates shuffle of n 32-bit values. */
void rs_rng_shuffle_u32(struct rs_rng *r, uint32_t *a, size_t n);

/*
 * Walker/Vose alias table: draws index i with probability w[i] / sum(w)
 * in constant time (one bounded integer and one double).
 */
struct rs_alias;

/*
 * Builds a table from n >= 1 non-negative weights with a positive sum;
 * RS_EARG otherwise, RS_ENOMEM.  The caller frees *out with rs_alias_free.
 */
int rs_alias_create(struct rs_alias **out, const double *w, size_t n,
	struct rs_error *err);
size_t rs_alias_sample(const struct rs_alias *a, struct rs_rng *r);
size_t rs_alias_size(const struct rs_alias *a);
void rs_alias_free(struct rs_alias *a);

#endif
