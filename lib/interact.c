/*
 * interact.c - building interaction matrices from events (interact.h has
 * the definitions users see: window, filters, aggregation, min counts).
 *
 * Data layout: while events are fed, each kept event is one 16-byte
 * struct ev: the external visitor id, and a u32 holding the item's index
 * (idmap, first-seen order) in bits 31..2 and the event type in bits
 * 1..0, so at most 2^30 items.  Only when a window bound is relative to
 * the stream's end is each timestamp kept too, in a parallel int64 array.
 * Filters by type and catalogue (and absolute window bounds) apply as
 * events arrive, so dropped events cost nothing.  Item ids below
 * DIRECT_MAX are also cached in a direct-address array in front of the id
 * map (calloc'd, 16 MB of address space of which only the pages that ids
 * land on are touched: 2 MB for Retailrocket's ids), which is one cache
 * miss at most instead of the map's two.  Visitors get no id map:
 * there are about half as many visitors as events in Retailrocket data,
 * and hashing them (two cache misses each) costs more than sorting them.
 *
 * rs_interact_finish: (1) resolves relative bounds against the largest
 * timestamp seen and compacts; (2) ranks the items that remain by
 * external id (LSD radix sort of (id, index) pairs) and rewrites each
 * event's item index as that rank; (3) sorts the events stably by item
 * rank (one counting sort), then by visitor id (LSD radix sort, 16-bit
 * digits, digits equal in every id skipped), so a visitor's events are
 * contiguous, its items ascend, and a pair's events are adjacent in
 * stream order; (4) min-count filter on the sorted array: a visitor's
 * count is its run length, an item's comes from a counting pass; events
 * of a visitor or item below its minimum are dropped (compaction keeps
 * the order) and the pass repeats until it drops nothing; (5) columns
 * left empty are squeezed out (ranks stay in id order); (6) one pass
 * counts rows and distinct pairs, a second aggregates each run into the
 * CSR arrays.
 *
 * Memory: 16 bytes an event kept while reading (24 with a relative
 * bound), 16 more during the sort, the item id map, and the matrix.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "error.h"
#include "hugemem.h"
#include "idmap.h"
#include "interact.h"
#include "records.h"
#include "rstime.h"
#include "stream.h"
#include "banned.h"

#define ITEM_MAX ((uint64_t)1 << 30)
#define PRESIZE_MAX ((uint64_t)1 << 24)	/* events reserved: 256 MB */
#define DIRECT_MAX ((uint64_t)1 << 22)	/* item ids cached directly */
#define DIGITS (1u << 16)		/* radix of the sorts */

struct ev {
	uint64_t visitor;
	uint32_t it;		/* item index or rank << 2 | type */
};

#define EV_ITEM(e) ((e).it >> 2)
#define EV_TYPE(e) ((unsigned)((e).it & 3))

struct rs_interact {
	struct rs_interact_params p;
	struct rs_idmap *items;
	uint32_t *direct;	/* item id < DIRECT_MAX -> index + 1, or 0 */
	struct ev *ev;		/* kept events, see above */
	int64_t *ts;		/* NULL unless a bound is relative */
	size_t n, cap;
	int relative;
	struct rs_interact_stats st;
	int spent;
};

static const char *const agg_names[] = { "sum", "max", "count", "log" };

void
rs_interact_params_init(struct rs_interact_params *p)
{
	memset(p, 0, sizeof(*p));
	p->weights[RS_EV_VIEW] = 1;
	p->weights[RS_EV_ADDTOCART] = 5;
	p->weights[RS_EV_TRANSACTION] = 3;
	p->events = (1u << RS_EV_NTYPES) - 1;
	p->agg = RS_AGG_SUM;
}

const char *
rs_interact_agg_name(enum rs_agg agg)
{
	return (unsigned)agg < 4 ? agg_names[agg] : "unknown";
}

int
rs_interact_parse_agg(const char *s, enum rs_agg *agg, struct rs_error *err)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, agg_names[i]) == 0) {
			*agg = (enum rs_agg)i;
			return 0;
		}
	return rs_error_set(err, RS_EARG, "unknown aggregation '%s' (expected "
	    "sum, max, count or log)", s);
}

/* Event type of the n bytes at s, or an error naming them. */
static int
event_type(const char *s, size_t n, const char *what, struct rs_error *err)
{
	int t = rs_event_parse(s, n);

	if (t < 0)
		return rs_error_set(err, RS_EARG, "unknown event '%.*s' in %s "
		    "(expected view, addtocart or transaction)", (int)n, s,
		    what);
	return t;
}

char *
rs_interact_format_weights(const double w[RS_EV_NTYPES], char *buf, size_t n)
{
	size_t len = 0;
	unsigned t;

	buf[0] = '\0';
	for (t = 0; t < RS_EV_NTYPES; t++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s=%.9g",
		    t ? "," : "", rs_event_name(t), w[t]);
	return buf;
}

int
rs_interact_parse_weights(const char *s, double w[RS_EV_NTYPES],
    struct rs_error *err)
{
	double out[RS_EV_NTYPES], v;
	const char *p = s, *eq, *end;
	char num[64];
	char *e;
	int t;

	memcpy(out, w, sizeof(out));
	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			return rs_error_set(err, RS_EARG, "weight '%.*s' is not "
			    "event=number", (int)(end - p), p);
		if ((t = event_type(p, (size_t)(eq - p), "weights", err)) < 0)
			return t;
		if ((size_t)(end - eq - 1) >= sizeof(num))
			return rs_error_set(err, RS_EARG, "weight of '%.*s' is "
			    "too long", (int)(eq - p), p);
		memcpy(num, eq + 1, (size_t)(end - eq - 1));
		num[end - eq - 1] = '\0';
		errno = 0;
		v = strtod(num, &e);
		if (num[0] == '\0' || *e != '\0' || errno != 0 || !isfinite(v) ||
		    v < 0 || v > 1e30)
			return rs_error_set(err, RS_EARG, "weight '%s' of '%.*s' "
			    "is not a number from 0 to 1e30", num,
			    (int)(eq - p), p);
		out[t] = v;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	memcpy(w, out, sizeof(out));
	return 0;
}

int
rs_interact_parse_events(const char *s, unsigned *mask, struct rs_error *err)
{
	const char *p = s, *end;
	unsigned m = 0;
	int t;

	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if ((t = event_type(p, (size_t)(end - p), "events", err)) < 0)
			return t;
		m |= 1u << t;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}

static int
window_error(int64_t since, int64_t until, int relative, struct rs_error *err)
{
	char a[32], b[32];

	if (relative)
		return rs_error_set(err, RS_EARG, "window start end%+lldms is "
		    "not before its end end%+lldms", (long long)since,
		    (long long)until);
	return rs_error_set(err, RS_EARG, "window start %s is not before its "
	    "end %s", rs_time_format(since, a, sizeof(a)),
	    rs_time_format(until, b, sizeof(b)));
}

int
rs_interact_check_window(const struct rs_interact_params *p,
    struct rs_error *err)
{
	if (p->since.set && p->until.set &&
	    p->since.relative == p->until.relative &&
	    p->since.ms >= p->until.ms)
		return window_error(p->since.ms, p->until.ms,
		    p->since.relative, err);
	return 0;
}

int
rs_interact_create(struct rs_interact **out,
    const struct rs_interact_params *p, struct rs_error *err)
{
	struct rs_interact *b;
	unsigned t;

	*out = NULL;
	for (t = 0; t < RS_EV_NTYPES; t++)
		if (!(p->weights[t] >= 0) || !isfinite(p->weights[t]))
			return rs_error_set(err, RS_EARG, "weight of '%s' "
			    "must be finite and >= 0", rs_event_name(t));
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	b->p = *p;
	b->relative = (p->since.set && p->since.relative) ||
	    (p->until.set && p->until.relative);
	b->st.since = INT64_MIN;
	b->st.until = INT64_MAX;
	if (p->since.set && !p->since.relative)
		b->st.since = p->since.ms;
	if (p->until.set && !p->until.relative)
		b->st.until = p->until.ms;
	if (rs_idmap_create(&b->items, 1024) < 0 ||
	    (b->direct = calloc(DIRECT_MAX, sizeof(*b->direct))) == NULL) {
		rs_interact_free(b);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	*out = b;
	return 0;
}

void
rs_interact_free(struct rs_interact *b)
{
	if (b == NULL)
		return;
	rs_idmap_free(b->items);
	free(b->direct);
	free(b->ev);
	free(b->ts);
	free(b);
}

static int
grow(struct rs_interact *b, struct rs_error *err)
{
	size_t cap = b->cap ? 2 * b->cap : 1u << 16;
	struct ev *ev;
	int64_t *ts;

	if ((ev = rs_huge_realloc(b->ev, b->n * sizeof(*ev),
	    cap * sizeof(*ev))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	b->ev = ev;
	if (b->relative) {
		if ((ts = rs_huge_realloc(b->ts, b->n * sizeof(*ts),
		    cap * sizeof(*ts))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		b->ts = ts;
	}
	b->cap = cap;
	return 0;
}

int
rs_interact_add(struct rs_interact *b, const struct rs_event *e,
    struct rs_error *err)
{
	int64_t i;
	int rc;

	if (b->st.events_read == 0 || e->ts < b->st.first_ts)
		b->st.first_ts = e->ts;
	if (b->st.events_read == 0 || e->ts > b->st.last_ts)
		b->st.last_ts = e->ts;
	b->st.events_read++;
	if (e->type >= RS_EV_NTYPES)
		return rs_error_set(err, RS_EINPUT, "event type %u out of "
		    "range", (unsigned)e->type);
	if (!(b->p.events & (1u << e->type)) || b->p.weights[e->type] == 0) {
		b->st.dropped_type++;
		return 0;
	}
	if (b->p.keep_item != NULL && !b->p.keep_item(b->p.keep_ctx, e->item)) {
		b->st.dropped_catalogue++;
		return 0;
	}
	if (e->ts < b->st.since || e->ts >= b->st.until) {
		b->st.dropped_window++;
		return 0;
	}
	if (b->n == b->cap && (rc = grow(b, err)) < 0)
		return rc;
	if (e->item < DIRECT_MAX && b->direct[e->item] != 0)
		i = b->direct[e->item] - 1;
	else if ((i = rs_idmap_intern(b->items, e->item)) < 0)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	else if (e->item < DIRECT_MAX && (uint64_t)i < ITEM_MAX)
		b->direct[e->item] = (uint32_t)i + 1;
	if ((uint64_t)i >= ITEM_MAX)
		return rs_error_set(err, RS_EINPUT, "more than %llu items",
		    (unsigned long long)ITEM_MAX);
	b->ev[b->n].visitor = e->visitor;
	b->ev[b->n].it = (uint32_t)i << 2 | e->type;
	if (b->relative)
		b->ts[b->n] = e->ts;
	b->n++;
	return 0;
}

/*
 * Sizes the event array and (while still empty) the item map for a
 * stream announcing nrows events, so they need not grow: about one item
 * per eight events, as in Retailrocket-shaped data.  The header is
 * untrusted, so the sizes are capped.
 */
static int
presize(struct rs_interact *b, uint64_t nrows, struct rs_error *err)
{
	struct rs_idmap *i;
	size_t want;
	void *p;

	if (nrows == RS_NROWS_UNKNOWN || nrows == 0)
		return 0;
	if (nrows > PRESIZE_MAX)
		nrows = PRESIZE_MAX;
	want = b->n + (size_t)nrows;
	if (want > b->cap) {
		if ((p = rs_huge_realloc(b->ev, b->n * sizeof(*b->ev),
		    want * sizeof(*b->ev))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		b->ev = p;
		if (b->relative) {
			if ((p = rs_huge_realloc(b->ts, b->n * sizeof(*b->ts),
			    want * sizeof(*b->ts))) == NULL)
				return rs_error_set(err, RS_ENOMEM, "out of "
				    "memory");
			b->ts = p;
		}
		b->cap = want;
	}
	if (rs_idmap_size(b->items) == 0 &&
	    rs_idmap_create(&i, (size_t)nrows / 8) == 0) {
		rs_idmap_free(b->items);
		b->items = i;
	}
	return 0;
}

int
rs_interact_read(struct rs_interact *b, struct rs_reader *r,
    struct rs_error *err)
{
	const char *name = rs_reader_name(r);
	struct rs_error sub;
	struct rs_block blk;
	struct rs_event e;
	uint64_t n;
	uint32_t j;
	int rc;

	if ((rc = rs_reader_expect(r, RS_KIND_EVENTS, err)) < 0 ||
	    (rc = rs_records_check(rs_reader_table(r, 0), RS_KIND_EVENTS, name,
	    err)) < 0)
		return rc;
	/* The header's count is a claim: only what the stream can hold. */
	n = rs_reader_table(r, 0)->nrows;
	if ((n != RS_NROWS_UNKNOWN &&
	    (rc = rs_reader_prealloc(r, 0, &n, err)) < 0) ||
	    (rc = presize(b, n, err)) < 0)
		return rc;
	for (;;) {
		if ((rc = rs_reader_next(r, &blk, err)) < 0)
			return rc;
		if (rc == 0) {
			if (rs_reader_done(r))
				return 0;
			continue;
		}
		for (j = 0; j < blk.nrec; j++) {
			rs_event_decode(blk.data + (size_t)j * RS_EVENT_WIDTH,
			    &e);
			if ((rc = rs_interact_add(b, &e, &sub)) < 0)
				return rs_error_set(err, rc, "%s: record %llu: "
				    "%s", name, (unsigned long long)
				    (b->st.events_read - 1), sub.msg);
		}
	}
}

/* Step (1): the window with relative bounds resolved. */
static int
apply_window(struct rs_interact *b, struct rs_error *err)
{
	const struct rs_interact_params *p = &b->p;
	int64_t since = b->st.since, until = b->st.until, end = b->st.last_ts;
	size_t i, k = 0;

	since = rs_bound_resolve(&p->since, end, since);
	until = rs_bound_resolve(&p->until, end, until);
	b->st.since = since;
	b->st.until = until;
	if (p->since.set && p->until.set && since >= until)
		return window_error(since, until, 0, err);
	if (!b->relative)
		return 0;
	for (i = 0; i < b->n; i++)
		if (b->ts[i] >= since && b->ts[i] < until)
			b->ev[k++] = b->ev[i];
	b->st.dropped_window += b->n - k;
	b->n = k;
	free(b->ts);
	b->ts = NULL;
	return 0;
}

struct pair {
	uint64_t id;
	uint32_t idx;
};

/* LSD radix sort of a[0..n) by id (tmp: n more, count: DIGITS). */
static void
radix_pairs(struct pair *a, struct pair *tmp, size_t *count, size_t n)
{
	uint64_t or_all = 0, and_all = ~(uint64_t)0;
	struct pair *src = a, *dst = tmp, *sw;
	unsigned shift, d;
	size_t i, sum, c;

	for (i = 0; i < n; i++) {
		or_all |= a[i].id;
		and_all &= a[i].id;
	}
	for (shift = 0; shift < 64; shift += 16) {
		if ((((or_all ^ and_all) >> shift) & 0xffff) == 0)
			continue;	/* every id has the same digit */
		memset(count, 0, DIGITS * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(src[i].id >> shift) & 0xffff]++;
		for (d = 0, sum = 0; d < DIGITS; d++) {
			c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].id >> shift) & 0xffff]++] = src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

/*
 * Step (2): rank[idx] = position of ids[idx] among the indices with
 * cnt[idx] > 0 in ascending id order (UINT32_MAX for the others); the
 * sorted ids go to out_ids.  Returns how many, or -1 out of memory.
 */
static int64_t
rank_ids(const uint64_t *ids, const uint32_t *cnt, size_t n, uint32_t *rank,
    uint64_t *out_ids)
{
	struct pair *a, *tmp = NULL;
	size_t i, k = 0, *count = NULL;

	if ((a = malloc((n ? n : 1) * sizeof(*a))) == NULL ||
	    (tmp = malloc((n ? n : 1) * sizeof(*tmp))) == NULL ||
	    (count = malloc(DIGITS * sizeof(*count))) == NULL) {
		free(a);
		free(tmp);
		return -1;
	}
	for (i = 0; i < n; i++) {
		rank[i] = UINT32_MAX;
		if (cnt[i] > 0) {
			a[k].id = ids[i];
			a[k++].idx = (uint32_t)i;
		}
	}
	radix_pairs(a, tmp, count, k);
	for (i = 0; i < k; i++) {
		rank[a[i].idx] = (uint32_t)i;
		out_ids[i] = a[i].id;
	}
	free(a);
	free(tmp);
	free(count);
	return (int64_t)k;
}

/*
 * Step (3): sorts ev[0..n) by (visitor, item rank), stably; tmp has room
 * for n.  Returns the array holding the result (ev or tmp), NULL when out
 * of memory.
 */
static struct ev *
sort_events(struct ev *ev, struct ev *tmp, size_t n, size_t ncols)
{
	uint64_t or_all = 0, and_all = ~(uint64_t)0;
	struct ev *src = ev, *dst = tmp, *sw;
	size_t *count, i, sum, c, nk;
	unsigned shift;

	nk = ncols > DIGITS ? ncols : DIGITS;
	if ((count = malloc((nk + 1) * sizeof(*count))) == NULL)
		return NULL;
	memset(count, 0, (ncols + 1) * sizeof(*count));
	for (i = 0; i < n; i++) {
		count[EV_ITEM(src[i])]++;
		or_all |= src[i].visitor;
		and_all &= src[i].visitor;
	}
	for (i = 0, sum = 0; i <= ncols; i++) {
		c = count[i];
		count[i] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		dst[count[EV_ITEM(src[i])]++] = src[i];
	sw = src;
	src = dst;
	dst = sw;
	for (shift = 0; shift < 64; shift += 16) {
		if ((((or_all ^ and_all) >> shift) & 0xffff) == 0)
			continue;
		memset(count, 0, DIGITS * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(src[i].visitor >> shift) & 0xffff]++;
		for (i = 0, sum = 0; i < DIGITS; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].visitor >> shift) & 0xffff]++] =
			    src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	free(count);
	return src;
}

/* Events per item rank into ci[0..ncols). */
static void
count_items(const struct ev *ev, size_t n, uint32_t *ci, size_t ncols)
{
	size_t i;

	memset(ci, 0, ncols * sizeof(*ci));
	for (i = 0; i < n; i++)
		ci[EV_ITEM(ev[i])]++;
}

/*
 * Step (4): min counts to a fixed point on the sorted events (*n of
 * them); ci: item counts, left up to date.
 */
static void
apply_min_counts(struct rs_interact *b, struct ev *ev, size_t *n,
    uint32_t *ci, size_t ncols)
{
	uint64_t mu = b->p.min_user_events, mi = b->p.min_item_events;
	size_t i, j, k, l, before = *n;

	count_items(ev, *n, ci, ncols);
	if (mu <= 1 && mi <= 1)
		return;
	for (;;) {
		b->st.rounds++;
		for (i = k = 0; i < *n; i = j) {
			for (j = i + 1; j < *n &&
			    ev[j].visitor == ev[i].visitor; j++)
				;
			if (j - i < mu)
				continue;
			for (l = i; l < j; l++)
				if (ci[EV_ITEM(ev[l])] >= mi)
					ev[k++] = ev[l];
		}
		if (k == *n)
			break;
		*n = k;
		count_items(ev, *n, ci, ncols);
	}
	b->st.dropped_min_count = before - *n;
}

static float
aggregate(const struct rs_interact_params *p, const struct ev *ev, size_t n)
{
	double v = 0, w;
	size_t i;

	if (p->binary)
		return 1.0f;
	for (i = 0; i < n; i++) {
		w = p->weights[EV_TYPE(ev[i])];
		switch (p->agg) {
		case RS_AGG_MAX:
			if (w > v)
				v = w;
			break;
		case RS_AGG_COUNT:
			v += 1;
			break;
		default:
			v += w;
			break;
		}
	}
	if (p->agg == RS_AGG_LOG)
		v = log1p(v);
	if (v > 3.4e38)
		v = 3.4e38;	/* float32 range; weights are <= 1e30 */
	return (float)v;
}

#define SAME_PAIR(a, b) ((a).visitor == (b).visitor && \
	EV_ITEM(a) == EV_ITEM(b))

/*
 * Steps (5) and (6): sorted events ev[0..n) with item ranks < ncols
 * (counts ci, ids col_ids) into a new matrix.
 */
static int
build(const struct rs_interact_params *p, const struct ev *ev, size_t n,
    const uint32_t *ci, const uint64_t *col_ids, size_t ncols,
    struct rs_csr **out, struct rs_error *err)
{
	struct rs_csr *m;
	uint32_t *newcol, c, nc = 0, r;
	uint64_t nrows = 0, nnz = 0;
	size_t i, j;
	int rc;

	if ((newcol = malloc((ncols ? ncols : 1) * sizeof(*newcol))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	for (c = 0; c < ncols; c++)
		newcol[c] = ci[c] > 0 ? nc++ : UINT32_MAX;
	for (i = 0; i < n; i++) {
		if (i == 0 || ev[i].visitor != ev[i - 1].visitor)
			nrows++;
		if (i == 0 || !SAME_PAIR(ev[i], ev[i - 1]))
			nnz++;
	}
	if (nrows >= UINT32_MAX) {
		free(newcol);
		return rs_error_set(err, RS_EINPUT, "more than %lu visitors",
		    (unsigned long)UINT32_MAX - 1);
	}
	if ((rc = rs_csr_alloc(&m, (uint32_t)nrows, nc, nnz, err)) < 0) {
		free(newcol);
		return rc;
	}
	for (c = 0; c < ncols; c++)
		if (newcol[c] != UINT32_MAX)
			m->col_ids[newcol[c]] = col_ids[c];
	nnz = 0;
	r = 0;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && SAME_PAIR(ev[j], ev[i]); j++)
			;
		if (i > 0 && ev[i].visitor != ev[i - 1].visitor)
			m->indptr[++r] = nnz;
		m->row_ids[r] = ev[i].visitor;
		m->indices[nnz] = newcol[EV_ITEM(ev[i])];
		m->values[nnz++] = aggregate(p, ev + i, j - i);
	}
	if (nrows > 0)
		m->indptr[nrows] = nnz;
	free(newcol);
	*out = m;
	return 0;
}

int
rs_interact_finish(struct rs_interact *b, struct rs_csr **out,
    struct rs_interact_stats *stats, struct rs_error *err)
{
	size_t ni = rs_idmap_size(b->items), i, n;
	uint32_t *ci = NULL, *ir = NULL;
	uint64_t *col_ids = NULL;
	struct ev *tmp = NULL, *sorted;
	struct rs_csr *m = NULL;
	int64_t ncols;
	int rc = 0;

	*out = NULL;
	if (b->spent)
		return rs_error_set(err, RS_EARG, "interaction builder "
		    "already finished");
	b->spent = 1;
	if ((rc = apply_window(b, err)) < 0)
		goto out;
	if ((ci = calloc(ni + 1, sizeof(*ci))) == NULL ||
	    (ir = malloc((ni + 1) * sizeof(*ir))) == NULL ||
	    (col_ids = malloc((ni + 1) * sizeof(*col_ids))) == NULL ||
	    (tmp = rs_huge_alloc((b->n + 1) * sizeof(*tmp))) == NULL)
		goto nomem;
	for (i = 0; i < b->n; i++)
		ci[EV_ITEM(b->ev[i])]++;
	if ((ncols = rank_ids(rs_idmap_ids(b->items), ci, ni, ir,
	    col_ids)) < 0)
		goto nomem;
	for (i = 0; i < b->n; i++)
		b->ev[i].it = ir[EV_ITEM(b->ev[i])] << 2 | EV_TYPE(b->ev[i]);
	if ((sorted = sort_events(b->ev, tmp, b->n, (size_t)ncols)) == NULL)
		goto nomem;
	/* The other buffer is free again: give it back before the matrix. */
	if (sorted == tmp) {
		free(b->ev);
		b->ev = tmp;
	} else
		free(tmp);
	tmp = NULL;
	b->cap = b->n;
	n = b->n;
	apply_min_counts(b, sorted, &n, ci, (size_t)ncols);
	if ((rc = build(&b->p, sorted, n, ci, col_ids, (size_t)ncols, &m,
	    err)) < 0)
		goto out;
	b->st.kept = n;
	b->st.rows = m->nrows;
	b->st.cols = m->ncols;
	b->st.nnz = m->nnz;
	*out = m;
	goto out;
nomem:
	rc = rs_error_set(err, RS_ENOMEM, "out of memory");
out:
	if (stats != NULL)
		*stats = b->st;
	free(ci);
	free(ir);
	free(col_ids);
	free(tmp);
	return rc;
}
