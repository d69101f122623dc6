/*
 * avail.c - the availability timeline (definitions in avail.h), a
 * timeline (timeline.h) of the `available` snapshots.
 *
 * Each item starts at 1 (unknown counts as available); a group of
 * snapshots at one time takes the value of its last member, the largest,
 * so "available wins" ties; a group whose value differs from the one
 * before is a change.  Items whose value never leaves 1 keep nothing.
 *
 * Since every change flips the value and the value before the first one
 * is 1, the values are implicit (the timeline keeps no cv[]): the j-th
 * change (0-based) makes the item unavailable when j is even and
 * available again when j is odd.  So available(i, t) = 1 iff the number
 * of changes of i with time < t is even.  Memory: 12 bytes per such item
 * plus 8 per change.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avail.h"
#include "records.h"
#include "timeline.h"
#include "banned.h"

struct rs_avail {
	struct rs_timeline tl;
};

int
rs_avail_create(struct rs_avail **out, struct rs_error *err)
{
	struct rs_avail *a;
	int rc;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "availability: out of "
		    "memory");
	if ((rc = rs_timeline_init(&a->tl, "availability", err)) < 0) {
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int
rs_avail_add(struct rs_avail *a, uint64_t item, int64_t ts, int available,
    struct rs_error *err)
{
	return rs_timeline_add(&a->tl, item, ts, available != 0, err);
}

/* An `available' value: "0" or "1". */
static int
parse_01(const char *s, size_t n, uint64_t *v)
{
	if (n != 1 || (s[0] != '0' && s[0] != '1'))
		return -1;
	*v = s[0] == '1';
	return 0;
}

int
rs_avail_read(struct rs_avail *a, struct rs_reader *r, struct rs_error *err)
{
	static const struct rs_timeline_prop prop = {
		RS_PROP_AVAILABLE, "available", "0 or 1", parse_01
	};

	return rs_timeline_read(&a->tl, r, &prop, err);
}

int
rs_avail_finish(struct rs_avail *a, struct rs_error *err)
{
	static const struct rs_timeline_rule rule = {
		.last_of_group = 1, .has_initial = 1, .initial = 1
	};

	return rs_timeline_finish(&a->tl, &rule, err);
}

int64_t
rs_avail_find(const struct rs_avail *a, uint64_t item)
{
	return rs_timeline_find(&a->tl, item);
}

int
rs_avail_at_index(const struct rs_avail *a, size_t idx, int64_t t)
{
	return rs_timeline_before(&a->tl, idx, t) % 2 == 0;
}

int
rs_avail_at(const struct rs_avail *a, uint64_t item, int64_t t)
{
	const int64_t idx = rs_avail_find(a, item);

	return idx < 0 ? 1 : rs_avail_at_index(a, (size_t)idx, t);
}

void
rs_avail_stats(const struct rs_avail *a, struct rs_avail_stats *st)
{
	const struct rs_timeline *tl = &a->tl;

	memset(st, 0, sizeof(*st));
	st->snapshots = tl->snapshots;
	st->items = rs_timeline_items(tl);
	st->changes = tl->nc;
	st->unavailable = tl->n;
	st->bytes = tl->n * (sizeof(*tl->id) + sizeof(*tl->off)) +
	    tl->nc * sizeof(*tl->ct);
}

void
rs_avail_free(struct rs_avail *a)
{
	if (a == NULL)
		return;
	rs_timeline_release(&a->tl);
	free(a);
}
