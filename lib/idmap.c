/*
 * idmap.c - open-addressing hash from u64 id to dense u32 index.
 *
 * Layout: slots[cap] holds index + 1 (0 = empty) and ids[n] holds the
 * external id of each index, so a probe compares ids[slots[i] - 1].  cap is
 * a power of two kept at most 50 % full; linear probing.  The hash is the
 * splitmix64 finaliser, which spreads sequential ids (common: visitor ids
 * are counters) over the table.  Memory: 4 * cap + 8 * n bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "idmap.h"
#include "banned.h"

struct rs_idmap {
	uint32_t *slots;
	uint64_t *ids;
	size_t cap, n, ids_cap;
};

int
rs_idmap_create(struct rs_idmap **out, size_t expected)
{
	struct rs_idmap *m;
	size_t cap = 16;

	while (cap < 2 * expected)
		cap *= 2;
	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->slots = calloc(cap, sizeof(*m->slots))) == NULL ||
	    (m->ids = malloc((cap / 2) * sizeof(*m->ids))) == NULL) {
		rs_idmap_free(m);
		return RS_ENOMEM;
	}
	m->cap = cap;
	m->ids_cap = cap / 2;
	*out = m;
	return 0;
}

static int
grow(struct rs_idmap *m)
{
	size_t cap = m->cap * 2, i, j;
	uint32_t *slots;
	uint64_t *ids;

	if ((slots = calloc(cap, sizeof(*slots))) == NULL)
		return RS_ENOMEM;
	if ((ids = realloc(m->ids, (cap / 2) * sizeof(*ids))) == NULL) {
		free(slots);
		return RS_ENOMEM;
	}
	m->ids = ids;
	for (i = 0; i < m->n; i++) {
		j = rs_mix64(ids[i]) & (cap - 1);
		while (slots[j] != 0)
			j = (j + 1) & (cap - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	m->ids_cap = cap / 2;
	return 0;
}

/*
 * Linear probing from id's hash: its dense index, or -1 with *slot the
 * empty slot that ends the probe (where id would go).
 */
static inline int64_t
probe(const struct rs_idmap *m, uint64_t id, size_t *slot)
{
	size_t j = rs_mix64(id) & (m->cap - 1);
	uint32_t s;

	while ((s = m->slots[j]) != 0) {
		if (m->ids[s - 1] == id)
			return s - 1;
		j = (j + 1) & (m->cap - 1);
	}
	*slot = j;
	return -1;
}

int64_t
rs_idmap_intern(struct rs_idmap *m, uint64_t id)
{
	size_t j;
	int64_t i;

	if ((i = probe(m, id, &j)) >= 0)
		return i;
	if (m->n >= UINT32_MAX - 1)
		return RS_ENOMEM;
	if (m->n + 1 > m->cap / 2) {
		if (grow(m) < 0)
			return RS_ENOMEM;
		probe(m, id, &j);
	}
	m->ids[m->n] = id;
	m->slots[j] = (uint32_t)++m->n;
	return (int64_t)m->n - 1;
}

int64_t
rs_idmap_find(const struct rs_idmap *m, uint64_t id)
{
	size_t j;

	return probe(m, id, &j);
}

int64_t
rs_ids_bsearch(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? (int64_t)lo : -1;
}

size_t
rs_ids_count_missing(const uint64_t *a, size_t na, const uint64_t *b,
    size_t nb)
{
	size_t i, j = 0, missing = 0;

	for (i = 0; i < na; i++) {
		while (j < nb && b[j] < a[i])
			j++;
		missing += j == nb || b[j] != a[i];
	}
	return missing;
}

size_t
rs_idmap_size(const struct rs_idmap *m)
{
	return m->n;
}

const uint64_t *
rs_idmap_ids(const struct rs_idmap *m)
{
	return m->ids;
}

size_t
rs_idmap_bytes(const struct rs_idmap *m)
{
	return m->cap * sizeof(*m->slots) + m->ids_cap * sizeof(*m->ids);
}

void
rs_idmap_free(struct rs_idmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m->ids);
	free(m);
}
