/*
 * requests.c - request streams (layout in requests.h) and whole event
 * streams read into memory.
 *
 * rs_requests_make is one pass over the events to find the stream's end
 * (for relative bounds), one pass to collect the targets with their input
 * positions, and a sort by (time, position), so equal times keep input
 * order and ids are a pure function of the input.  Exact duplicates (same
 * visitor, item and time; the type is the target's) then fall in the
 * run of their millisecond, and all but the first in input order
 * are dropped: a row logged twice is one decision, and its twin at the
 * same instant would be invisible to the request, a certain discovery
 * miss.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "requests.h"
#include "banned.h"

static const struct rs_column req_cols[] = {
	{ "id", RS_T_U64, 1, NULL, 0 },
	{ "visitorid", RS_T_ID, 1, NULL, 0 },
	{ "timestamp", RS_T_TIME, 1, NULL, 0 },
	{ "itemid", RS_T_ID, 1, NULL, 0 }
};

/*
 * A growing array of decoded records, filled block by block through
 * rs_reader_each; check, when set, vets each record as it lands.
 */
struct collect {
	const char *name;
	size_t width, size;		/* encoded and decoded bytes */
	void (*decode)(const unsigned char *p, void *rec);
	int (*check)(struct collect *c, struct rs_error *err);
	unsigned char *a;
	size_t len, cap;
};

static int
collect_block(void *ctx, const struct rs_block *b, struct rs_error *err)
{
	struct collect *c = ctx;
	unsigned char *na;
	size_t ncap;
	uint32_t j;
	int rc;

	if (c->len + b->nrec > c->cap) {
		ncap = c->cap ? c->cap : 4096;
		while (ncap < c->len + b->nrec)
			ncap *= 2;
		if ((na = realloc(c->a, ncap * c->size)) == NULL)
			return rs_error_set(err, RS_ENOMEM, "%s: out of memory",
			    c->name);
		c->a = na;
		c->cap = ncap;
	}
	for (j = 0; j < b->nrec; j++, c->len++) {
		c->decode(b->data + (size_t)j * c->width,
		    c->a + c->len * c->size);
		if (c->check && (rc = c->check(c, err)) < 0)
			return rc;
	}
	return 0;
}

/* Reads the rest of r into c->a; on failure c->a is freed. */
static int
collect_all(struct rs_reader *r, struct collect *c, struct rs_error *err)
{
	int rc;

	if ((rc = rs_reader_each(r, collect_block, c, err)) < 0) {
		free(c->a);
		c->a = NULL;
		c->len = 0;
	}
	return rc;
}

static void
event_decode(const unsigned char *p, void *rec)
{
	rs_event_decode(p, rec);
}

int
rs_events_read_all(struct rs_reader *r, struct rs_event **out, size_t *n,
    struct rs_error *err)
{
	struct collect c = { rs_reader_name(r), RS_EVENT_WIDTH,
	    sizeof(struct rs_event), event_decode, NULL, NULL, 0, 0 };
	uint64_t rows;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = rs_reader_expect(r, RS_KIND_EVENTS, err)) < 0 ||
	    (rc = rs_records_check(rs_reader_table(r, 0), RS_KIND_EVENTS,
	    c.name, err)) < 0)
		return rc;
	/*
	 * The header's row count sizes the array at once, as far as the
	 * stream can hold it (rs_reader_prealloc): a claim is not proof.
	 */
	if ((rc = rs_reader_prealloc(r, 0, &rows, err)) < 0)
		return rc;
	if (rows > 0 && rows < (1ull << 32)) {
		c.cap = (size_t)rows;
		if ((c.a = malloc(c.cap * c.size)) == NULL)
			return rs_error_set(err, RS_ENOMEM, "%s: out of memory",
			    c.name);
	}
	if ((rc = collect_all(r, &c, err)) < 0)
		return rc;
	*out = (struct rs_event *)(void *)c.a;
	*n = c.len;
	return 0;
}

static int
cmp_req(const void *a, const void *b)
{
	const struct rs_request *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* id holds the input position until ids are assigned */
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The stream's last event time, which relative bounds count from. */
static int64_t
last_time(const struct rs_event *ev, size_t n)
{
	int64_t end = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (i == 0 || ev[i].ts > end)
			end = ev[i].ts;
	return end;
}

/* 1 if q[i] repeats a request of its millisecond before it in q. */
static int
is_duplicate(const struct rs_request *q, size_t i)
{
	size_t j;

	for (j = i; j > 0 && q[j - 1].ts == q[i].ts; j--)
		if (q[j - 1].visitor == q[i].visitor &&
		    q[j - 1].item == q[i].item)
			return 1;
	return 0;
}

int
rs_requests_make(const struct rs_event *ev, size_t n, unsigned type,
    const struct rs_bound *since, const struct rs_bound *until,
    struct rs_request **out, size_t *nout, size_t *ndup, int64_t *since_ms,
    int64_t *until_ms, struct rs_error *err)
{
	struct rs_request *q;
	int64_t end, lo, hi;
	size_t i, m = 0, k;

	*out = NULL;
	*nout = 0;
	if (ndup != NULL)
		*ndup = 0;
	if (type >= RS_EV_NTYPES)
		return rs_error_set(err, RS_EARG, "bad event type %u", type);
	end = last_time(ev, n);
	lo = rs_bound_resolve(since, end, INT64_MIN);
	hi = rs_bound_resolve(until, end, INT64_MAX);
	if (since_ms != NULL)
		*since_ms = lo;
	if (until_ms != NULL)
		*until_ms = hi;
	for (i = 0; i < n; i++)
		if (ev[i].type == type && ev[i].ts >= lo && ev[i].ts < hi)
			m++;
	if ((q = malloc((m ? m : 1) * sizeof(*q))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "requests: out of memory");
	for (i = 0, m = 0; i < n; i++)
		if (ev[i].type == type && ev[i].ts >= lo && ev[i].ts < hi)
			q[m++] = (struct rs_request){ i, ev[i].visitor,
			    ev[i].ts, ev[i].item };
	qsort(q, m, sizeof(*q), cmp_req);
	/*
	 * Compacting in place: the kept ones before k are still sorted, so
	 * a later twin finds its first copy among them.
	 */
	for (i = 0, k = 0; i < m; i++) {
		q[k] = q[i];
		if (!is_duplicate(q, k)) {
			q[k].id = k + 1;
			k++;
		}
	}
	if (ndup != NULL)
		*ndup = m - k;
	*out = q;
	*nout = k;
	return 0;
}

static int
cmp_visitor(const void *a, const void *b)
{
	const struct rs_request *x = a, *y = b;

	return x->visitor < y->visitor ? -1 : x->visitor > y->visitor;
}

int
rs_requests_visitors(const struct rs_event *ev, size_t n,
    const struct rs_bound *since, const struct rs_bound *until,
    const struct rs_bound *at, struct rs_request **out, size_t *nout,
    int64_t *since_ms, int64_t *until_ms, int64_t *at_ms,
    struct rs_error *err)
{
	struct rs_request *q;
	int64_t end, lo, hi, t;
	size_t i, m = 0;

	*out = NULL;
	*nout = 0;
	end = last_time(ev, n);
	lo = rs_bound_resolve(since, end, INT64_MIN);
	hi = rs_bound_resolve(until, end, INT64_MAX);
	t = rs_bound_resolve(at, end, end < INT64_MAX ? end + 1 : end);
	if (since_ms != NULL)
		*since_ms = lo;
	if (until_ms != NULL)
		*until_ms = hi;
	if (at_ms != NULL)
		*at_ms = t;
	if ((q = malloc((n ? n : 1) * sizeof(*q))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "requests: out of memory");
	for (i = 0; i < n; i++)
		if (ev[i].ts >= lo && ev[i].ts < hi)
			q[m++] = (struct rs_request){ 0, ev[i].visitor, t,
			    RS_ID_NONE };
	qsort(q, m, sizeof(*q), cmp_visitor);
	for (i = 0, n = 0; i < m; i++)
		if (n == 0 || q[i].visitor != q[n - 1].visitor) {
			q[n] = q[i];
			q[n].id = n + 1;
			n++;
		}
	*out = q;
	*nout = n;
	return 0;
}

void
rs_requests_desc(const struct rs_meta *meta, unsigned nmeta, uint64_t nrows,
    struct rs_table_desc *table, struct rs_stream_desc *out)
{
	*table = (struct rs_table_desc){ "requests", nrows, 4, req_cols };
	*out = (struct rs_stream_desc){ RS_KIND_REQUESTS, 1, table, nmeta,
	    meta };
}

void
rs_request_encode(unsigned char *p, const struct rs_request *q)
{
	rs_put_le64(p, q->id);
	rs_put_le64(p + 8, q->visitor);
	rs_put_le64(p + 16, (uint64_t)q->ts);
	rs_put_le64(p + 24, q->item);
}

void
rs_request_decode(const unsigned char *p, struct rs_request *q)
{
	q->id = rs_get_le64(p);
	q->visitor = rs_get_le64(p + 8);
	q->ts = (int64_t)rs_get_le64(p + 16);
	q->item = rs_get_le64(p + 24);
}

int
rs_requests_write(const struct rs_request *q, size_t n, int fd,
    const char *name, const struct rs_meta *meta, unsigned nmeta,
    const struct rs_writer_opts *opts, struct rs_error *err)
{
	unsigned char rec[RS_REQUEST_WIDTH];
	struct rs_table_desc t;
	struct rs_stream_desc d;
	struct rs_writer *w;
	size_t i;
	int rc;

	rs_requests_desc(meta, nmeta, n, &t, &d);
	if ((rc = rs_writer_open(&w, fd, name, &d, opts, err)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		rs_request_encode(rec, &q[i]);
		if ((rc = rs_writer_put(w, rec, sizeof(rec), err)) < 0)
			goto out;
	}
	rc = rs_writer_finish(w, err);
out:
	rs_writer_free(w);
	return rc;
}

static int
check_schema(const struct rs_table_desc *t, const char *name,
    struct rs_error *err)
{
	if (rs_table_matches(t, "requests", req_cols, 4))
		return 0;
	return rs_error_set(err, RS_EFORMAT, "%s: '%s' table does not have "
	    "the schema of format 1.0", name, t->name);
}

static void
request_decode(const unsigned char *p, void *rec)
{
	rs_request_decode(p, rec);
}

static int
request_ascends(struct collect *c, struct rs_error *err)
{
	const struct rs_request *q = (const struct rs_request *)(void *)c->a;

	if (c->len > 0 && q[c->len].id <= q[c->len - 1].id)
		return rs_error_set(err, RS_ECORRUPT, "%s: record %zu: "
		    "request ids do not ascend", c->name, c->len);
	return 0;
}

int
rs_requests_read(struct rs_reader *r, struct rs_request **out, size_t *n,
    struct rs_error *err)
{
	struct collect c = { rs_reader_name(r), RS_REQUEST_WIDTH,
	    sizeof(struct rs_request), request_decode, request_ascends, NULL,
	    0, 0 };
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = rs_reader_expect(r, RS_KIND_REQUESTS, err)) < 0 ||
	    (rc = check_schema(rs_reader_table(r, 0), c.name, err)) < 0 ||
	    (rc = collect_all(r, &c, err)) < 0)
		return rc;
	*out = (struct rs_request *)(void *)c.a;
	*n = c.len;
	return 0;
}
