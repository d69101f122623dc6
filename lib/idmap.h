/*
 * idmap.h - map from external 64-bit ids to dense indices 0..n-1, assigned
 * in first-seen order.  Dense indices are how matrices and models address
 * rows and columns; the map turns them back into external ids for output.
 */
#ifndef RS_IDMAP_H
#define RS_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct rs_idmap;

/*
 * The hash of the id map and of lib's other open-addressing tables: the
 * splitmix64 finalizer (Stafford's mix 13), a bijection on 64 bits, so
 * ids that differ only in high or only in low bits still spread over a
 * power-of-two table.
 */
static inline uint64_t
rs_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Creates an empty map sized for about expected ids (0 is fine). */
int rs_idmap_create(struct rs_idmap **out, size_t expected);

/*
 * Dense index of id, inserting it (as index size()) if new.  Returns the
 * index, or RS_ENOMEM (negative).  Maps hold at most 2^32 - 2 ids.
 */
int64_t rs_idmap_intern(struct rs_idmap *m, uint64_t id);

/* Dense index of id, or -1 if absent. */
int64_t rs_idmap_find(const struct rs_idmap *m, uint64_t id);

/*
 * Index of id in ids[0..n), sorted ascending, or -1 if absent (the first
 * of equal ids).  For modules that keep their ids as a sorted array
 * rather than a map (matrix rows and columns, models, availability):
 * one binary search for all of them.
 */
int64_t rs_ids_bsearch(const uint64_t *ids, size_t n, uint64_t id);

/*
 * How many of a[0..na) are not in b[0..nb), both sorted ascending: one
 * merge walk, O(na + nb), where a binary search per id would be
 * O(na log nb) (1.3 million matrix rows against a model's visitors).
 */
size_t rs_ids_count_missing(const uint64_t *a, size_t na,
	const uint64_t *b, size_t nb);

size_t rs_idmap_size(const struct rs_idmap *m);

/* Dense index -> external id, size() entries; borrowed, valid until the
 * next intern. */
const uint64_t *rs_idmap_ids(const struct rs_idmap *m);

/* Bytes of memory the map holds. */
size_t rs_idmap_bytes(const struct rs_idmap *m);

void rs_idmap_free(struct rs_idmap *m);

#endif
