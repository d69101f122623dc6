/*
 * catline.c - the category timeline (definitions in catline.h), a
 * timeline (timeline.h) of the `categoryid` snapshots with the values
 * kept: per item, the snapshots whose value differs from the one before
 * (the first of a same-time group, the smallest id, decides it).
 *
 * category(i, t) = cv[j] for the last j of i's run with ct[j] < t, found
 * by binary search; RS_ID_NONE when there is none.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catline.h"
#include "items.h"
#include "records.h"
#include "timeline.h"
#include "banned.h"

struct rs_catline {
	struct rs_timeline tl;
};

int
rs_catline_create(struct rs_catline **out, struct rs_error *err)
{
	struct rs_catline *c;
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "categories: out of "
		    "memory");
	if ((rc = rs_timeline_init(&c->tl, "categories", err)) < 0) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int
rs_catline_add(struct rs_catline *c, uint64_t item, int64_t ts, uint64_t cat,
    struct rs_error *err)
{
	return rs_timeline_add(&c->tl, item, ts, cat, err);
}

int
rs_catline_add_items(struct rs_catline *c, const struct rs_items *t,
    struct rs_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < rs_items_count(t); i++) {
		const struct rs_item *it = rs_items_at(t, i);

		if (it->category != RS_ID_NONE && (rc = rs_catline_add(c,
		    it->item, INT64_MIN, it->category, err)) < 0)
			return rc;
	}
	return 0;
}

/* A decimal id of n bytes (what rs-load keeps of a categoryid value). */
static int
parse_cat(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19)	/* 19 digits never overflow */
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return x == RS_ID_NONE ? -1 : 0;
}

int
rs_catline_read(struct rs_catline *c, struct rs_reader *r,
    struct rs_error *err)
{
	static const struct rs_timeline_prop prop = {
		RS_PROP_CATEGORYID, "categoryid", "an integer", parse_cat
	};

	return rs_timeline_read(&c->tl, r, &prop, err);
}

int
rs_catline_finish(struct rs_catline *c, struct rs_error *err)
{
	static const struct rs_timeline_rule rule = { .keep_values = 1 };

	return rs_timeline_finish(&c->tl, &rule, err);
}

int64_t
rs_catline_find(const struct rs_catline *c, uint64_t item)
{
	return rs_timeline_find(&c->tl, item);
}

uint64_t
rs_catline_at_index(const struct rs_catline *c, size_t idx, int64_t t)
{
	const size_t n = rs_timeline_before(&c->tl, idx, t);

	return n > 0 ? c->tl.cv[c->tl.off[idx] + n - 1] : RS_ID_NONE;
}

uint64_t
rs_catline_at(const struct rs_catline *c, uint64_t item, int64_t t)
{
	const int64_t idx = rs_catline_find(c, item);

	return idx < 0 ? RS_ID_NONE : rs_catline_at_index(c, (size_t)idx, t);
}

size_t
rs_catline_history(const struct rs_catline *c, size_t idx,
    const uint64_t **cats)
{
	*cats = c->tl.cv + c->tl.off[idx];
	return c->tl.off[idx + 1] - c->tl.off[idx];
}

int64_t
rs_catline_first(const struct rs_catline *c, size_t idx)
{
	return c->tl.ct[c->tl.off[idx]];
}

void
rs_catline_stats(const struct rs_catline *c, struct rs_catline_stats *st)
{
	const struct rs_timeline *tl = &c->tl;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->snapshots = tl->snapshots;
	st->items = rs_timeline_items(tl);
	st->changes = tl->nc;
	for (i = 0; i < tl->n; i++)
		st->moved += tl->off[i + 1] - tl->off[i] > 1;
}

void
rs_catline_free(struct rs_catline *c)
{
	if (c == NULL)
		return;
	rs_timeline_release(&c->tl);
	free(c);
}

const uint64_t *
rs_catline_items(const struct rs_catline *c, size_t *n)
{
	*n = c->tl.n;
	return c->tl.id;
}
