/*
 * session.c - the live event store (session.h).
 *
 * Visitors are spread over NSHARD shards by a hash of their id; a shard
 * is an open-addressing table (linear probing, power-of-two size, at
 * most half full) of visitor slots, each slot a growable array of the
 * visitor's events in (time, arrival) order.  Events nearly always
 * arrive in time order, so an insertion is an append; an older event is
 * moved into place.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "banned.h"

#define NSHARD 64

struct slot {
	uint64_t visitor;
	struct rs_session_event *ev;
	uint32_t n, cap;
};

struct shard {
	pthread_mutex_t lock;
	struct slot *slot;	/* nslot used of capslot */
	uint32_t nslot, capslot;
	/*
	 * slot index + 1 in the low half (0: empty), the low 32 bits of the
	 * visitor's hash in the high half: a probe compares the tag and
	 * touches a slot (a cache miss of its own) only when it matches.
	 */
	uint64_t *table;
	uint32_t mask;		/* table size - 1 */
	uint64_t events;
};

struct rs_session {
	struct shard shard[NSHARD];
};

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int
rs_session_create(struct rs_session **out, struct rs_error *err)
{
	struct rs_session *s;
	unsigned i;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	for (i = 0; i < NSHARD; i++)
		pthread_mutex_init(&s->shard[i].lock, NULL);
	*out = s;
	return 0;
}

static struct shard *
shard_of(struct rs_session *s, uint64_t v, uint64_t *h)
{
	*h = mix(v);
	return &s->shard[*h % NSHARD];
}

/* The table entry of slot index slot, tagged with its visitor's hash h. */
static uint64_t
entry(uint32_t slot, uint64_t h)
{
	return (h << 32) | (slot + 1);
}

/* v's slot in sh, or NULL. */
static struct slot *
find(const struct shard *sh, uint64_t v, uint64_t h)
{
	const uint32_t tag = (uint32_t)h;
	uint64_t x;
	uint32_t i;

	if (sh->table == NULL)
		return NULL;
	for (i = (uint32_t)(h >> 32) & sh->mask;; i = (i + 1) & sh->mask) {
		if ((x = sh->table[i]) == 0)
			return NULL;
		if ((uint32_t)(x >> 32) == tag &&
		    sh->slot[(uint32_t)x - 1].visitor == v)
			return &sh->slot[(uint32_t)x - 1];
	}
}

static int
grow_table(struct shard *sh)
{
	uint32_t size = sh->table ? (sh->mask + 1) * 2 : 64, i, j;
	uint64_t *t = calloc(size, sizeof(*t)), h;

	if (t == NULL)
		return -1;
	for (i = 0; i < sh->nslot; i++) {
		h = mix(sh->slot[i].visitor);
		j = (uint32_t)(h >> 32) & (size - 1);
		while (t[j] != 0)
			j = (j + 1) & (size - 1);
		t[j] = entry(i, h);
	}
	free(sh->table);
	sh->table = t;
	sh->mask = size - 1;
	return 0;
}

/* v's slot, added if new; NULL when out of memory. */
static struct slot *
slot_for(struct shard *sh, uint64_t v, uint64_t h)
{
	struct slot *sl;
	uint32_t i;

	if ((sl = find(sh, v, h)) != NULL)
		return sl;
	if (sh->nslot == UINT32_MAX - 1)
		return NULL;
	if ((sh->table == NULL || (uint64_t)(sh->nslot + 1) * 2 >
	    (uint64_t)sh->mask + 1) && grow_table(sh) < 0)
		return NULL;
	if (sh->nslot == sh->capslot) {
		uint32_t cap = sh->capslot ? sh->capslot * 2 : 16;
		struct slot *p = realloc(sh->slot, (size_t)cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		sh->slot = p;
		sh->capslot = cap;
	}
	sl = &sh->slot[sh->nslot];
	memset(sl, 0, sizeof(*sl));
	sl->visitor = v;
	for (i = (uint32_t)(h >> 32) & sh->mask; sh->table[i] != 0;
	    i = (i + 1) & sh->mask)
		;
	sh->table[i] = entry(sh->nslot++, h);
	return sl;
}

static int
slot_insert(struct slot *sl, const struct rs_event *e)
{
	uint32_t at;

	if (sl->n == sl->cap) {
		uint32_t cap = sl->cap ? sl->cap * 2 : 4;
		struct rs_session_event *p;

		if (sl->cap >= UINT32_MAX / 2 ||
		    (p = realloc(sl->ev, (size_t)cap * sizeof(*p))) == NULL)
			return -1;
		sl->ev = p;
		sl->cap = cap;
	}
	/* After every event of time <= e's: arrival order within a time. */
	for (at = sl->n; at > 0 && sl->ev[at - 1].t > e->ts; at--)
		;
	memmove(sl->ev + at + 1, sl->ev + at,
	    (size_t)(sl->n - at) * sizeof(*sl->ev));
	sl->ev[at].t = e->ts;
	sl->ev[at].item = e->item;
	sl->ev[at].type = e->type;
	sl->n++;
	return 0;
}

int
rs_session_add(struct rs_session *s, const struct rs_event *ev, size_t n,
    struct rs_error *err)
{
	struct shard *sh;
	struct slot *sl;
	uint64_t h;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (ev[i].type >= RS_EV_NTYPES)
			return rs_error_set(err, RS_EARG, "event type %u out of "
			    "range", (unsigned)ev[i].type);
	for (i = 0; i < n && rc == 0; i++) {
		sh = shard_of(s, ev[i].visitor, &h);
		pthread_mutex_lock(&sh->lock);
		if ((sl = slot_for(sh, ev[i].visitor, h)) == NULL ||
		    slot_insert(sl, &ev[i]) < 0)
			rc = rs_error_set(err, RS_ENOMEM, "out of memory");
		else
			sh->events++;
		pthread_mutex_unlock(&sh->lock);
	}
	return rc;
}

int64_t
rs_session_visible(struct rs_session *s, uint64_t v, int64_t t,
    struct rs_session_event **buf, size_t *cap)
{
	struct shard *sh;
	struct slot *sl;
	uint64_t h;
	uint32_t lo, hi, mid;
	int64_t n = 0;

	sh = shard_of(s, v, &h);
	pthread_mutex_lock(&sh->lock);
	if ((sl = find(sh, v, h)) != NULL) {
		/* the first event with time >= t */
		for (lo = 0, hi = sl->n; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (sl->ev[mid].t < t)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > *cap) {
			struct rs_session_event *p = realloc(*buf,
			    (size_t)lo * sizeof(*p));

			if (p == NULL) {
				pthread_mutex_unlock(&sh->lock);
				return RS_ENOMEM;
			}
			*buf = p;
			*cap = lo;
		}
		memcpy(*buf, sl->ev, (size_t)lo * sizeof(**buf));
		n = lo;
	}
	pthread_mutex_unlock(&sh->lock);
	return n;
}

void
rs_session_counts(struct rs_session *s, uint64_t *visitors, uint64_t *events)
{
	unsigned i;

	*visitors = *events = 0;
	for (i = 0; i < NSHARD; i++) {
		pthread_mutex_lock(&s->shard[i].lock);
		*visitors += s->shard[i].nslot;
		*events += s->shard[i].events;
		pthread_mutex_unlock(&s->shard[i].lock);
	}
}

int
rs_session_each_item(struct rs_session *s, int (*fn)(void *, uint64_t),
    void *ctx)
{
	struct shard *sh;
	uint32_t i, j;
	unsigned k;
	int rc = 0;

	for (k = 0; k < NSHARD && rc == 0; k++) {
		sh = &s->shard[k];
		pthread_mutex_lock(&sh->lock);
		for (i = 0; i < sh->nslot && rc == 0; i++)
			for (j = 0; j < sh->slot[i].n && rc == 0; j++)
				rc = fn(ctx, sh->slot[i].ev[j].item);
		pthread_mutex_unlock(&sh->lock);
	}
	return rc;
}

void
rs_session_free(struct rs_session *s)
{
	uint32_t i;
	unsigned k;

	if (s == NULL)
		return;
	for (k = 0; k < NSHARD; k++) {
		for (i = 0; i < s->shard[k].nslot; i++)
			free(s->shard[k].slot[i].ev);
		free(s->shard[k].slot);
		free(s->shard[k].table);
		pthread_mutex_destroy(&s->shard[k].lock);
	}
	free(s);
}
