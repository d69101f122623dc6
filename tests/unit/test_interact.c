/*
 * test_interact.c - unit tests for lib/interact.c: option parsers, the
 * hand-computed matrices of tests/data/interactions/tiny.csv under each
 * aggregation, window and min-count filter, input-order independence,
 * leakage (late events change nothing), and the real events sample when
 * $RS_DATA holds it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

/* tests/data/interactions/tiny.csv */
static const struct rs_event tiny[] = {
	{ 1000, 3, 20, RS_ID_NONE, RS_EV_VIEW },
	{ 1500, 1, 10, RS_ID_NONE, RS_EV_VIEW },
	{ 2000, 3, 20, RS_ID_NONE, RS_EV_VIEW },
	{ 2500, 2, 30, RS_ID_NONE, RS_EV_VIEW },
	{ 3000, 3, 20, RS_ID_NONE, RS_EV_ADDTOCART },
	{ 4000, 3, 10, RS_ID_NONE, RS_EV_VIEW },
	{ 5000, 1, 10, 7, RS_EV_TRANSACTION },
	{ 6000, 1, 30, RS_ID_NONE, RS_EV_ADDTOCART },
	{ 8500, 1, 20, RS_ID_NONE, RS_EV_VIEW },
	{ 9000, 5, 10, RS_ID_NONE, RS_EV_ADDTOCART }
};
#define NTINY (sizeof(tiny) / sizeof(tiny[0]))

static struct rs_csr *
build(const struct rs_interact_params *p, const struct rs_event *ev, size_t n,
    struct rs_interact_stats *st)
{
	struct rs_interact *b;
	struct rs_error err;
	struct rs_csr *m = NULL;
	size_t i;

	if (rs_interact_create(&b, p, &err) < 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (rs_interact_add(b, &ev[i], &err) < 0)
			goto out;
	if (rs_interact_finish(b, &m, st, &err) < 0)
		printf("# finish: %s\n", err.msg);
out:
	rs_interact_free(b);
	return m;
}

/* The matrix as "row,col,value;..." text for compact comparisons. */
static const char *
text(const struct rs_csr *m)
{
	static char buf[1024];
	size_t len = 0;
	uint64_t k;
	uint32_t r;

	buf[0] = '\0';
	if (m == NULL)
		return "(null)";
	for (r = 0; r < m->nrows; r++)
		for (k = m->indptr[r]; k < m->indptr[r + 1]; k++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%llu,%llu,%.9g;",
			    (unsigned long long)m->row_ids[r],
			    (unsigned long long)m->col_ids[m->indices[k]],
			    (double)m->values[k]);
	return buf;
}

static void
check(const struct rs_interact_params *p, const char *want)
{
	struct rs_csr *m = build(p, tiny, NTINY, NULL);

	CHECK_STR(text(m), want);
	CHECK(m != NULL && rs_csr_check(m, "t", NULL) == 0);
	rs_csr_free(m);
}

static void
test_interact__parse(void)
{
	struct rs_interact_params p;
	struct rs_error err;
	enum rs_agg a;
	unsigned mask;

	rs_interact_params_init(&p);
	CHECK(rs_interact_parse_weights("view=0.5,transaction=10", p.weights,
	    &err) == 0);
	CHECK(p.weights[0] == 0.5 && p.weights[1] == 5 && p.weights[2] == 10);
	CHECK(rs_interact_parse_weights("click=1", p.weights, &err) ==
	    RS_EARG);
	CHECK_STR(err.msg, "unknown event 'click' in weights (expected view, "
	    "addtocart or transaction)");
	CHECK(rs_interact_parse_weights("view=-1", p.weights, &err) == RS_EARG);
	CHECK(rs_interact_parse_weights("view=1x", p.weights, &err) == RS_EARG);
	CHECK(rs_interact_parse_weights("view", p.weights, &err) == RS_EARG);
	CHECK(rs_interact_parse_weights("view=", p.weights, &err) == RS_EARG);
	CHECK(p.weights[0] == 0.5);	/* unchanged by failures */
	CHECK(rs_interact_parse_events("addtocart,transaction", &mask,
	    &err) == 0);
	CHECK_EQ_U64(mask, 6);
	CHECK(rs_interact_parse_events("addtocart,", &mask, &err) == RS_EARG);
	CHECK(rs_interact_parse_agg("log", &a, &err) == 0 && a == RS_AGG_LOG);
	CHECK(rs_interact_parse_agg("mean", &a, &err) == RS_EARG);
}

static void
test_interact__format_weights(void)
{
	double w[RS_EV_NTYPES] = { 0.1, 5, 1e30 }, back[RS_EV_NTYPES];
	struct rs_error err;
	char buf[128];

	CHECK_STR(rs_interact_format_weights(w, buf, sizeof(buf)),
	    "view=0.1,addtocart=5,transaction=1e+30");
	memset(back, 0, sizeof(back));
	CHECK(rs_interact_parse_weights(buf, back, &err) == 0);
	CHECK(memcmp(back, w, sizeof(w)) == 0);
}

static void
test_interact__aggregations(void)
{
	struct rs_interact_params p;

	rs_interact_params_init(&p);
	check(&p, "1,10,4;1,20,1;1,30,5;2,30,1;3,10,1;3,20,7;5,10,5;");
	p.agg = RS_AGG_MAX;
	check(&p, "1,10,3;1,20,1;1,30,5;2,30,1;3,10,1;3,20,5;5,10,5;");
	p.agg = RS_AGG_COUNT;
	check(&p, "1,10,2;1,20,1;1,30,1;2,30,1;3,10,1;3,20,3;5,10,1;");
	p.agg = RS_AGG_LOG;
	check(&p, "1,10,1.60943794;1,20,0.693147182;1,30,1.79175949;"
	    "2,30,0.693147182;3,10,0.693147182;3,20,2.07944155;"
	    "5,10,1.79175949;");
	p.agg = RS_AGG_SUM;
	p.binary = 1;
	check(&p, "1,10,1;1,20,1;1,30,1;2,30,1;3,10,1;3,20,1;5,10,1;");
	p.binary = 0;
	p.weights[RS_EV_VIEW] = 0;	/* weight 0 drops the type */
	check(&p, "1,10,3;1,30,5;3,20,5;5,10,5;");
}

static void
test_interact__window_and_events(void)
{
	struct rs_interact_params p;
	struct rs_interact_stats st;
	struct rs_csr *m;

	rs_interact_params_init(&p);
	p.until.set = 1;
	p.until.ms = 8000;
	check(&p, "1,10,4;1,30,5;2,30,1;3,10,1;3,20,7;");
	/* the test side: addtocart at or after T */
	rs_interact_params_init(&p);
	p.since.set = 1;
	p.since.ms = 8000;
	p.events = 1u << RS_EV_ADDTOCART;
	check(&p, "5,10,5;");
	/* already bought: transactions before T, binary */
	rs_interact_params_init(&p);
	p.until.set = 1;
	p.until.ms = 8000;
	p.events = 1u << RS_EV_TRANSACTION;
	p.binary = 1;
	check(&p, "1,10,1;");
	/* relative: end is 9000, so end-1000 is 8000; the bound is exact */
	rs_interact_params_init(&p);
	p.until.set = p.until.relative = 1;
	p.until.ms = -1000;
	m = build(&p, tiny, NTINY, &st);
	CHECK_STR(text(m), "1,10,4;1,30,5;2,30,1;3,10,1;3,20,7;");
	CHECK(st.until == 8000 && st.since == INT64_MIN);
	CHECK_EQ_U64(st.dropped_window, 2);
	CHECK_EQ_U64(st.events_read, 10);
	CHECK_EQ_U64(st.kept, 8);
	rs_csr_free(m);
	/* half-open: an event exactly at since is in, at until is out */
	rs_interact_params_init(&p);
	p.since.set = p.until.set = 1;
	p.since.ms = 3000;
	p.until.ms = 5000;
	check(&p, "3,10,1;3,20,5;");
}

static void
test_interact__window_errors(void)
{
	struct rs_interact_params p;
	struct rs_interact *b;
	struct rs_error err;
	struct rs_csr *m;
	size_t i;

	rs_interact_params_init(&p);
	p.since.set = p.until.set = 1;
	p.since.ms = 5000;
	p.until.ms = 5000;
	CHECK(rs_interact_check_window(&p, &err) == RS_EARG);
	CHECK(strstr(err.msg, "is not before its end") != NULL);
	/* mixed: checked once the end is known (9000 - 5000 < 6000) */
	p.since.ms = 6000;
	p.until.relative = 1;
	p.until.ms = -5000;
	CHECK(rs_interact_check_window(&p, &err) == 0);
	CHECK(rs_interact_create(&b, &p, &err) == 0);
	for (i = 0; i < NTINY; i++)
		CHECK(rs_interact_add(b, &tiny[i], &err) == 0);
	CHECK(rs_interact_finish(b, &m, NULL, &err) == RS_EARG);
	CHECK_STR(err.msg, "window start 1970-01-01T00:00:06.000Z is not "
	    "before its end 1970-01-01T00:00:04.000Z");
	rs_interact_free(b);
}

static void
test_interact__min_counts(void)
{
	struct rs_interact_params p;
	struct rs_interact_stats st;
	struct rs_csr *m;

	rs_interact_params_init(&p);
	p.min_user_events = 2;
	check(&p, "1,10,4;1,20,1;1,30,5;3,10,1;3,20,7;");
	p.min_item_events = 2;
	/*
	 * Pass 1 drops visitors 2 and 5 (one event each); that leaves item
	 * 30 with one event, dropped in pass 2; pass 3 changes nothing.
	 */
	m = build(&p, tiny, NTINY, &st);
	CHECK_STR(text(m), "1,10,4;1,20,1;3,10,1;3,20,7;");
	CHECK_EQ_U64(st.rounds, 3);
	CHECK_EQ_U64(st.dropped_min_count, 3);
	CHECK_EQ_U64(st.kept, 7);
	rs_csr_free(m);
	rs_interact_params_init(&p);
	p.min_user_events = 100;
	m = build(&p, tiny, NTINY, &st);
	CHECK(m != NULL && m->nrows == 0 && m->ncols == 0 && m->nnz == 0);
	CHECK_EQ_U64(st.dropped_min_count, 10);
	rs_csr_free(m);
}

static int
same(const struct rs_csr *a, const struct rs_csr *b)
{
	return a != NULL && b != NULL && a->nrows == b->nrows &&
	    a->ncols == b->ncols && a->nnz == b->nnz &&
	    memcmp(a->indptr, b->indptr, (a->nrows + 1) * 8) == 0 &&
	    memcmp(a->indices, b->indices, a->nnz * 4) == 0 &&
	    memcmp(a->values, b->values, a->nnz * 4) == 0 &&
	    memcmp(a->row_ids, b->row_ids, a->nrows * 8) == 0 &&
	    memcmp(a->col_ids, b->col_ids, a->ncols * 8) == 0;
}

static void
test_interact__order_and_leakage(void)
{
	struct rs_event rev[NTINY], late[NTINY + 3];
	struct rs_interact_params p;
	struct rs_csr *a, *b;
	size_t i;

	for (i = 0; i < NTINY; i++)
		rev[i] = tiny[NTINY - 1 - i];
	rs_interact_params_init(&p);
	a = build(&p, tiny, NTINY, NULL);
	b = build(&p, rev, NTINY, NULL);
	CHECK(same(a, b));
	rs_csr_free(a);
	rs_csr_free(b);

	/* late events, new visitor and item among them, change nothing */
	memcpy(late, tiny, sizeof(tiny));
	late[NTINY] = (struct rs_event){ 8000, 9, 99, RS_ID_NONE, 0 };
	late[NTINY + 1] = (struct rs_event){ 9500, 3, 20, RS_ID_NONE, 0 };
	late[NTINY + 2] = (struct rs_event){ 8001, 0, 5, 8, 2 };
	p.until.set = 1;
	p.until.ms = 8000;
	a = build(&p, tiny, NTINY, NULL);
	b = build(&p, late, NTINY + 3, NULL);
	CHECK(same(a, b));
	rs_csr_free(a);
	rs_csr_free(b);
}

static int
drop_item_20(void *ctx, uint64_t item)
{
	(void)ctx;
	return item != 20;
}

static void
test_interact__catalogue(void)
{
	struct rs_interact_params p;
	struct rs_interact_stats st;
	struct rs_csr *m;

	rs_interact_params_init(&p);
	p.keep_item = drop_item_20;
	m = build(&p, tiny, NTINY, &st);
	CHECK_STR(text(m), "1,10,4;1,30,5;2,30,1;3,10,1;5,10,5;");
	CHECK_EQ_U64(st.dropped_catalogue, 4);
	rs_csr_free(m);
}

/* Ids beyond the direct item cache and in every digit of the sorts. */
static void
test_interact__large_ids(void)
{
	static const struct rs_event ev[] = {
		{ 1, (1ULL << 63) + 7, 1ULL << 40, RS_ID_NONE, 0 },
		{ 2, 3, 4194304, RS_ID_NONE, 1 },
		{ 3, (1ULL << 63) + 7, 5, RS_ID_NONE, 0 },
		{ 4, 1ULL << 33, 4194303, RS_ID_NONE, 2 },
		{ 5, 3, 1ULL << 40, RS_ID_NONE, 0 },
		{ 6, (1ULL << 63) + 7, 1ULL << 40, RS_ID_NONE, 1 },
		{ 7, 3, 4194304, RS_ID_NONE, 0 }
	};
	struct rs_interact_params p;
	struct rs_csr *m;

	rs_interact_params_init(&p);
	m = build(&p, ev, sizeof(ev) / sizeof(ev[0]), NULL);
	CHECK_STR(text(m), "3,4194304,6;3,1099511627776,1;"
	    "8589934592,4194303,3;"
	    "9223372036854775815,5,1;9223372036854775815,1099511627776,6;");
	CHECK(m != NULL && m->ncols == 4 && m->col_ids[0] == 5);
	rs_csr_free(m);
}

static void
test_interact__empty(void)
{
	struct rs_interact_params p;
	struct rs_interact_stats st;
	struct rs_csr *m;

	rs_interact_params_init(&p);
	m = build(&p, tiny, 0, &st);
	CHECK(m != NULL && m->nrows == 0 && m->nnz == 0);
	CHECK_EQ_U64(st.events_read, 0);
	rs_csr_free(m);
}

/*
 * The real sample: 9,385 events (9,076 view, 263 addtocart, 46
 * transaction) of 5,000 visitors.  Every event is kept; with count
 * aggregation the values add up to the events, with sum to the weights.
 */
static void
test_interact__real_sample(void)
{
	struct rs_interact_params p;
	struct rs_interact_stats st;
	struct rs_interact *b[2];
	struct rs_csr *m[2];
	struct rs_error err;
	struct rs_event e;
	char path[4096], line[256], ev[32];
	unsigned long long ts, v, it;
	const char *dir = getenv("RS_DATA");
	double total[2] = { 0, 0 };
	uint64_t k;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/events_sample_5000_visitors.csv",
	    dir ? dir : "");
	if (dir == NULL || (f = fopen(path, "r")) == NULL) {
		printf("# skip: %s not found\n", path);
		return;
	}
	for (i = 0; i < 2; i++) {
		rs_interact_params_init(&p);
		p.agg = i ? RS_AGG_SUM : RS_AGG_COUNT;
		CHECK(rs_interact_create(&b[i], &p, &err) == 0);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%llu,%llu,%31[a-z],%llu", &ts, &v, ev,
		    &it) != 4)
			continue;	/* the header */
		e.ts = (int64_t)ts;
		e.visitor = v;
		e.item = it;
		e.txn = RS_ID_NONE;
		e.type = (uint8_t)rs_event_parse(ev, strlen(ev));
		for (i = 0; i < 2; i++)
			CHECK(rs_interact_add(b[i], &e, &err) == 0);
	}
	fclose(f);
	for (i = 0; i < 2; i++) {
		CHECK(rs_interact_finish(b[i], &m[i], &st, &err) == 0);
		CHECK_EQ_U64(st.events_read, 9385);
		CHECK_EQ_U64(st.kept, 9385);
		CHECK_EQ_U64(st.rows, 5000);
		CHECK_EQ_U64(st.cols, 6610);
		CHECK(rs_csr_check(m[i], "sample", &err) == 0);
		for (k = 0; k < m[i]->nnz; k++)
			total[i] += m[i]->values[k];
		rs_interact_free(b[i]);
	}
	CHECK_NEAR(total[0], 9385, 0);
	CHECK_NEAR(total[1], 9076 + 263 * 5 + 46 * 3, 0);
	CHECK(m[0]->nnz == m[1]->nnz && m[0]->nnz < 9385);
	rs_csr_free(m[0]);
	rs_csr_free(m[1]);
}

int
main(void)
{
	RUN(test_interact__parse);
	RUN(test_interact__format_weights);
	RUN(test_interact__aggregations);
	RUN(test_interact__window_and_events);
	RUN(test_interact__window_errors);
	RUN(test_interact__min_counts);
	RUN(test_interact__order_and_leakage);
	RUN(test_interact__catalogue);
	RUN(test_interact__large_ids);
	RUN(test_interact__empty);
	RUN(test_interact__real_sample);
	return tap_done();
}
