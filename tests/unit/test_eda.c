/*
 * test_eda.c - the data analysis report on tiny hand-made logs whose
 * answers are known: repeated triples and exact duplicates (of a pair's
 * first row and of a later one), single-event visitors, nearest-rank
 * percentiles, items seen by one visitor, days, never-available items,
 * multi-token and number-token values, a dirty tree; the exact report
 * text; and the refusals (wrong kind, short block, bad record).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"

#define NONE RS_ID_NONE
#define DAY RS_MS_PER_DAY

/* The report of e, or its TSV form, as a string (caller frees). */
static char *
report_as(struct rs_eda *e, int tsv)
{
	char path[] = "/tmp/rs-test-eda.XXXXXX";
	struct rs_textout t;
	struct rs_error err;
	static char buf[8192];
	ssize_t n;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	CHECK(rs_textout_init(&t, fd, path) == 0);
	CHECK((tsv ? rs_eda_report_tsv(e, &t, &err) :
	    rs_eda_report(e, &t, &err)) == 0);
	CHECK(rs_textout_flush(&t, &err) == 0);
	rs_textout_release(&t);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	CHECK(n >= 0);
	buf[n < 0 ? 0 : n] = '\0';
	return strdup(buf);
}

static char *
report(struct rs_eda *e)
{
	return report_as(e, 0);
}

/* Adds events as one block. */
static void
add_events(struct rs_eda *e, const struct rs_event *ev, size_t n)
{
	unsigned char *p = malloc(n * RS_EVENT_WIDTH + 1);
	struct rs_error err;
	size_t i;

	for (i = 0; i < n; i++)
		rs_event_encode(p + i * RS_EVENT_WIDTH, &ev[i]);
	CHECK(rs_eda_add(e, p, n * RS_EVENT_WIDTH, (uint32_t)n, &err) == 0);
	free(p);
}

/* The value text of the report line whose label is l, or "". */
static const char *
value_of(const char *rep, const char *l)
{
	static char v[128];
	const char *p = rep, *q;
	size_t n = strlen(l), k;

	v[0] = '\0';
	while (p && *p) {
		if (strncmp(p, l, n) == 0 && p[n] == ' ') {
			p += n;
			while (*p == ' ')
				p++;
			q = strchr(p, '\n');
			k = q ? (size_t)(q - p) : strlen(p);
			if (k >= sizeof(v))
				k = sizeof(v) - 1;
			memcpy(v, p, k);
			v[k] = '\0';
			return v;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return v;
}

static void
test_eda__events(void)
{
	const struct rs_event ev[] = {
		{ 1000, 10, 1, NONE, RS_EV_VIEW },
		{ 2000, 10, 1, NONE, RS_EV_VIEW },	/* repeat */
		{ 2000, 10, 1, NONE, RS_EV_VIEW },	/* dup of a later */
		{ 1000, 10, 1, NONE, RS_EV_VIEW },	/* dup of the first */
		{ 3000, 10, 1, NONE, RS_EV_ADDTOCART },
		{ DAY + 5, 20, 2, NONE, RS_EV_VIEW },
		{ 3 * DAY, 30, 1, NONE, RS_EV_ADDTOCART },
		{ 3 * DAY + 1, 30, 3, NONE, RS_EV_ADDTOCART },
		{ 3 * DAY + 1, 30, 3, 77, RS_EV_TRANSACTION },
		{ 3 * DAY + 1, 30, 3, NONE, RS_EV_TRANSACTION }, /* repeat,
							 * no txn id */
	};
	const char *want =
	    "kind                             events\n"
	    "rows                             10\n"
	    "  view                           5\n"
	    "  addtocart                      3\n"
	    "  transaction                    2\n"
	    "    without transactionid        1\n"
	    "visitors                         3\n"
	    "items                            3\n"
	    "visitor-item pairs               4\n"
	    "repeated (visitor,item,event)    40.0 % (4 of 10)\n"
	    "exact duplicate rows             2\n"
	    "visitors with a single event     33.3 % (1 of 3)\n"
	    "events per visitor p50           4\n"
	    "events per visitor p90           5\n"
	    "events per visitor p99           5\n"
	    "events per visitor max           5\n"
	    "addtocart visitors               2\n"
	    "  with a single addtocart        50.0 % (1 of 2)\n"
	    "items seen by one visitor only   66.7 % (2 of 3)\n"
	    "first event                      1970-01-01T00:00:01.000Z\n"
	    "last event                       1970-01-04T00:00:00.001Z\n"
	    "days with events                 3 (of 4 in range)\n"
	    "events per day mean              3.3\n"
	    "events per day min               1\n"
	    "events per day max               5\n";
	struct rs_eda *e;
	char *got, *again;

	CHECK(rs_eda_create(&e, RS_KIND_EVENTS, NULL) == 0);
	add_events(e, ev, 4);
	add_events(e, ev + 4, 6);
	got = report(e);
	CHECK_STR(got, want);
	/* A report changes nothing: the same text twice. */
	again = report(e);
	CHECK_STR(again, got);
	free(got);
	free(again);
	rs_eda_free(e);
}

/*
 * The TSV form: every figure unformatted, then the funnel (nested: a
 * visitor with an addtocart but no view is not in it), the days with
 * events in order (an early day fed last), the hours of the day, and
 * the histograms of events per visitor and per item.
 */
static void
test_eda__tsv(void)
{
	const struct rs_event ev[] = {
		{ 2 * DAY + 3600000, 1, 5, NONE, RS_EV_VIEW },
		{ 2 * DAY + 3600001, 1, 5, NONE, RS_EV_ADDTOCART },
		{ 2 * DAY + 7200000, 1, 5, 9, RS_EV_TRANSACTION },
		{ 2 * DAY + 23 * 3600000 + 1, 2, 5, NONE, RS_EV_VIEW },
		{ 2 * DAY + 5, 2, 6, NONE, RS_EV_VIEW },
		{ 2 * DAY + 6, 3, 6, NONE, RS_EV_ADDTOCART },
		{ 1000, 3, 7, NONE, RS_EV_VIEW },	/* day 0, fed last */
	};
	const char *head =
	    "section\tkey\tseries\tvalue\n"
	    "summary\tkind\t-\tevents\n"
	    "summary\trows\t-\t7\n"
	    "summary\trows_view\t-\t4\n"
	    "summary\trows_addtocart\t-\t2\n"
	    "summary\trows_transaction\t-\t1\n"
	    "summary\ttransactions_without_id\t-\t0\n"
	    "summary\tvisitors\t-\t3\n"
	    "summary\titems\t-\t3\n"
	    "summary\tvisitor_item_pairs\t-\t5\n"
	    "summary\trepeated_rows\t-\t0\n"
	    "summary\texact_duplicate_rows\t-\t0\n"
	    "summary\tsingle_event_visitors\t-\t0\n"
	    "summary\tevents_per_visitor_p50\t-\t2\n"
	    "summary\tevents_per_visitor_p90\t-\t3\n"
	    "summary\tevents_per_visitor_p99\t-\t3\n"
	    "summary\tevents_per_visitor_max\t-\t3\n"
	    "summary\taddtocart_visitors\t-\t2\n"
	    "summary\tsingle_addtocart_visitors\t-\t2\n"
	    "summary\tsingle_visitor_items\t-\t1\n"
	    "summary\tfirst_event\t-\t1970-01-01T00:00:01.000Z\n"
	    "summary\tlast_event\t-\t1970-01-03T23:00:00.001Z\n"
	    "summary\tdays_with_events\t-\t2\n"
	    "summary\tdays_in_range\t-\t3\n"
	    "summary\tevents_per_day_min\t-\t1\n"
	    "summary\tevents_per_day_max\t-\t6\n"
	    "funnel\tall\tvisitors\t3\n"
	    "funnel\tview\tvisitors\t3\n"
	    "funnel\taddtocart\tvisitors\t2\n"
	    "funnel\ttransaction\tvisitors\t1\n"
	    "day\t1970-01-01\tview\t1\n"
	    "day\t1970-01-01\taddtocart\t0\n"
	    "day\t1970-01-01\ttransaction\t0\n"
	    "day\t1970-01-03\tview\t3\n"
	    "day\t1970-01-03\taddtocart\t2\n"
	    "day\t1970-01-03\ttransaction\t1\n"
	    "hour\t00\tview\t2\n"
	    "hour\t00\taddtocart\t1\n"
	    "hour\t00\ttransaction\t0\n"
	    "hour\t01\tview\t1\n"
	    "hour\t01\taddtocart\t1\n"
	    "hour\t01\ttransaction\t0\n"
	    "hour\t02\tview\t0\n"
	    "hour\t02\taddtocart\t0\n"
	    "hour\t02\ttransaction\t1\n";
	const char *tail =
	    "hour\t23\tview\t1\n"
	    "hour\t23\taddtocart\t0\n"
	    "hour\t23\ttransaction\t0\n"
	    "visitor_events\t2\tvisitors\t2\n"
	    "visitor_events\t3\tvisitors\t1\n"
	    "item_events\t1\titems\t1\n"
	    "item_events\t2\titems\t1\n"
	    "item_events\t4\titems\t1\n";
	struct rs_eda *e;
	char *got, *again;
	size_t n, lines = 0;

	CHECK(rs_eda_create(&e, RS_KIND_EVENTS, NULL) == 0);
	add_events(e, ev, 7);
	got = report_as(e, 1);
	CHECK(strncmp(got, head, strlen(head)) == 0);
	n = strlen(got);
	CHECK(n > strlen(tail) &&
	    strcmp(got + n - strlen(tail), tail) == 0);
	for (n = 0; got[n]; n++)
		lines += got[n] == '\n';
	/* header, 25 figures, 4 funnel, 2 x 3 days, 24 x 3 hours, 2 + 3 */
	CHECK(lines == 1 + 25 + 4 + 6 + 72 + 5);
	/* The table is unchanged by the TSV and the TSV by the table. */
	again = report(e);
	CHECK_STR(value_of(again, "days with events"), "2 (of 3 in range)");
	free(again);
	again = report_as(e, 1);
	CHECK_STR(again, got);
	free(again);
	free(got);
	rs_eda_free(e);
}

static void
test_eda__percentiles(void)
{
	struct rs_event *ev;
	struct rs_eda *e;
	size_t n = 0, v, k, na;
	char *got;

	/*
	 * Visitor v has v events (v = 1..100), all on item 7: addtocarts, one
	 * if v is a multiple of 10 and one more if of 25, then views.
	 */
	ev = calloc(5050, sizeof(*ev));
	for (v = 1; v <= 100; v++) {
		na = (v % 10 == 0) + (v % 25 == 0);
		for (k = 0; k < v; k++) {
			ev[n].ts = (int64_t)n;
			ev[n].visitor = 1000 + v;
			ev[n].item = 7;
			ev[n].txn = NONE;
			ev[n++].type = k < na ? RS_EV_ADDTOCART : RS_EV_VIEW;
		}
	}
	CHECK(rs_eda_create(&e, RS_KIND_EVENTS, NULL) == 0);
	add_events(e, ev, n);
	got = report(e);
	CHECK_STR(value_of(got, "events per visitor p50"), "50");
	CHECK_STR(value_of(got, "events per visitor p90"), "90");
	CHECK_STR(value_of(got, "events per visitor p99"), "99");
	CHECK_STR(value_of(got, "events per visitor max"), "100");
	CHECK_STR(value_of(got, "rows"), "5,050");
	CHECK_STR(value_of(got, "repeated (visitor,item,event)"),
	    "97.8 % (4,938 of 5,050)");
	CHECK_STR(value_of(got, "exact duplicate rows"), "0");
	CHECK_STR(value_of(got, "visitors with a single event"),
	    "1.0 % (1 of 100)");
	CHECK_STR(value_of(got, "items seen by one visitor only"),
	    "0.0 % (0 of 1)");
	CHECK_STR(value_of(got, "  addtocart"), "14");
	CHECK_STR(value_of(got, "addtocart visitors"), "12");
	CHECK_STR(value_of(got, "  with a single addtocart"),
	    "83.3 % (10 of 12)");
	free(got);
	rs_eda_free(e);
	free(ev);
}

static void
test_eda__growth(void)
{
	struct rs_event *ev;
	struct rs_eda *e;
	size_t i, n = 42000;
	char *got;

	/*
	 * Row i: visitor (i % 7000) * 2654435761 (so visitor 0 has id 0, the
	 * tables' special key), item i % 3000, time i % 1000.  Rows i and
	 * i + 21000 (the lcm) are the same row; no other two share a pair.
	 * Enough rows to make every table grow several times.
	 */
	ev = calloc(n, sizeof(*ev));
	for (i = 0; i < n; i++) {
		ev[i].ts = (int64_t)(i % 1000);
		ev[i].visitor = (uint64_t)(i % 7000) * 2654435761u;
		ev[i].item = i % 3000;
		ev[i].txn = NONE;
		ev[i].type = RS_EV_VIEW;
	}
	CHECK(rs_eda_create(&e, RS_KIND_EVENTS, NULL) == 0);
	add_events(e, ev, n / 2);
	add_events(e, ev + n / 2, n / 2);
	got = report(e);
	CHECK_STR(value_of(got, "visitors"), "7,000");
	CHECK_STR(value_of(got, "items"), "3,000");
	CHECK_STR(value_of(got, "visitor-item pairs"), "21,000");
	CHECK_STR(value_of(got, "repeated (visitor,item,event)"),
	    "50.0 % (21,000 of 42,000)");
	CHECK_STR(value_of(got, "exact duplicate rows"), "21,000");
	CHECK_STR(value_of(got, "events per visitor p50"), "6");
	CHECK_STR(value_of(got, "items seen by one visitor only"),
	    "0.0 % (0 of 3,000)");
	free(got);
	rs_eda_free(e);
	free(ev);
}

static void
test_eda__empty(void)
{
	struct rs_eda *e;
	char *got;

	CHECK(rs_eda_create(&e, RS_KIND_EVENTS, NULL) == 0);
	got = report(e);
	CHECK_STR(value_of(got, "rows"), "0");
	CHECK_STR(value_of(got, "first event"), "-");
	CHECK_STR(value_of(got, "visitors with a single event"),
	    "n/a (0 of 0)");
	CHECK_STR(value_of(got, "days with events"), "0 (of 0 in range)");
	CHECK_STR(value_of(got, "addtocart visitors"), "0");
	CHECK_STR(value_of(got, "  with a single addtocart"), "n/a (0 of 0)");
	CHECK_STR(value_of(got, "events per day mean"), "-");
	free(got);
	rs_eda_free(e);
}

static void
add_prop(struct rs_eda *e, int64_t ts, uint64_t item, unsigned kind,
    uint64_t property, const char *value)
{
	struct rs_prop p = { ts, item, property, value,
	    (uint32_t)strlen(value), (uint8_t)kind };
	unsigned char buf[256];
	size_t n = rs_prop_encode(buf, &p);

	CHECK(rs_eda_add(e, buf, n, 1, NULL) == 0);
}

static void
test_eda__props(void)
{
	const char *want =
	    "kind                             props\n"
	    "rows                             9\n"
	    "items                            4\n"
	    "numeric properties               2\n"
	    "numeric-property rows            4\n"
	    "categoryid rows                  1\n"
	    "available rows                   4\n"
	    "snapshots (distinct timestamps)  2\n"
	    "first snapshot                   1970-01-01T00:00:00.100Z\n"
	    "last snapshot                    1970-01-01T00:00:00.200Z\n"
	    "items with no available row      50.0 % (2 of 4)\n"
	    "items never available            50.0 % (1 of 2)\n"
	    "multi-token values               50.0 % (2 of 4)\n"
	    "values with a number token       50.0 % (2 of 4)\n"
	    "values with a bad number token   1\n";
	struct rs_eda *e;
	char *got;

	CHECK(rs_eda_create(&e, RS_KIND_PROPS, NULL) == 0);
	/* Item 1 never available; item 2 available once. */
	add_prop(e, 100, 1, RS_PROP_AVAILABLE, NONE, "0");
	add_prop(e, 200, 1, RS_PROP_AVAILABLE, NONE, "0");
	add_prop(e, 100, 2, RS_PROP_AVAILABLE, NONE, "0");
	add_prop(e, 200, 2, RS_PROP_AVAILABLE, NONE, "1");
	/* Items 3 and 4 have no available row. */
	add_prop(e, 100, 3, RS_PROP_CATEGORYID, NONE, "1016");
	add_prop(e, 100, 4, RS_PROP_NUMBER, 888, "1103801 n9420.000 969301");
	add_prop(e, 200, 4, RS_PROP_NUMBER, 888, "n552.000");
	add_prop(e, 200, 4, RS_PROP_NUMBER, 6, "424566");
	add_prop(e, 200, 3, RS_PROP_NUMBER, 6, "n1e5  77");
	got = report(e);
	CHECK_STR(got, want);
	free(got);
	/* TSV: the figures only, each share's whole a figure too. */
	got = report_as(e, 1);
	CHECK_STR(got,
	    "section\tkey\tseries\tvalue\n"
	    "summary\tkind\t-\tprops\n"
	    "summary\trows\t-\t9\n"
	    "summary\titems\t-\t4\n"
	    "summary\tnumeric_properties\t-\t2\n"
	    "summary\tnumeric_property_rows\t-\t4\n"
	    "summary\tcategoryid_rows\t-\t1\n"
	    "summary\tavailable_rows\t-\t4\n"
	    "summary\tsnapshots\t-\t2\n"
	    "summary\tfirst_snapshot\t-\t1970-01-01T00:00:00.100Z\n"
	    "summary\tlast_snapshot\t-\t1970-01-01T00:00:00.200Z\n"
	    "summary\titems_without_available\t-\t2\n"
	    "summary\titems_with_available\t-\t2\n"
	    "summary\titems_never_available\t-\t1\n"
	    "summary\tmulti_token_values\t-\t2\n"
	    "summary\tnumber_token_values\t-\t2\n"
	    "summary\tbad_number_token_values\t-\t1\n");
	free(got);
	rs_eda_free(e);
}

static void
test_eda__tree(void)
{
	const struct rs_tree_row rows[] = {
		{ 1, NONE }, { 2, 1 }, { 3, 2 }, { 4, 999 }, { 5, 6 },
		{ 6, 5 }, { 2, 4 }, { 7, 7 },
	};
	const char *want =
	    "kind                             tree\n"
	    "rows                             8\n"
	    "categories                       7\n"
	    "roots                            1\n"
	    "max depth (root = 0)             2\n"
	    "duplicate rows (first wins)      1\n"
	    "  with another parent            1\n"
	    "orphans (made roots)             1\n"
	    "cycles (cut, made roots)         2\n"
	    "  categories on cycles           3\n";
	unsigned char buf[8 * RS_TREE_WIDTH];
	struct rs_eda *e;
	size_t i;
	char *got;

	for (i = 0; i < 8; i++)
		rs_tree_encode(buf + i * RS_TREE_WIDTH, &rows[i]);
	CHECK(rs_eda_create(&e, RS_KIND_TREE, NULL) == 0);
	CHECK(rs_eda_add(e, buf, 3 * RS_TREE_WIDTH, 3, NULL) == 0);
	CHECK(rs_eda_add(e, buf + 3 * RS_TREE_WIDTH, 5 * RS_TREE_WIDTH, 5,
	    NULL) == 0);
	got = report(e);
	CHECK_STR(got, want);
	free(got);
	got = report_as(e, 1);
	CHECK_STR(got,
	    "section\tkey\tseries\tvalue\n"
	    "summary\tkind\t-\ttree\n"
	    "summary\trows\t-\t8\n"
	    "summary\tcategories\t-\t7\n"
	    "summary\troots\t-\t1\n"
	    "summary\tmax_depth\t-\t2\n"
	    "summary\tduplicate_rows\t-\t1\n"
	    "summary\tconflicting_rows\t-\t1\n"
	    "summary\torphans\t-\t1\n"
	    "summary\tcycles\t-\t2\n"
	    "summary\tcategories_on_cycles\t-\t3\n");
	free(got);
	rs_eda_free(e);
}

static void
test_eda__errors(void)
{
	const struct rs_event bad = { 0, 1, 2, NONE, 7 };
	unsigned char buf[64];
	struct rs_error err;
	struct rs_eda *e;
	struct rs_prop p = { 0, 1, NONE, "1", 1, RS_PROP_AVAILABLE };

	CHECK(rs_eda_create(&e, RS_KIND_MATRIX, &err) == RS_EARG);
	CHECK(e == NULL);
	CHECK_STR(err.msg, "no data analysis for 'matrix' streams");

	CHECK(rs_eda_create(&e, RS_KIND_EVENTS, &err) == 0);
	rs_event_encode(buf, &bad);
	CHECK(rs_eda_add(e, buf, RS_EVENT_WIDTH - 1, 1, &err) ==
	    RS_ECORRUPT);
	CHECK_STR(err.msg, "data analysis: block of 32 bytes for 1 'events' "
	    "records");
	CHECK(rs_eda_add(e, buf, RS_EVENT_WIDTH, 1, &err) == RS_ECORRUPT);
	CHECK_STR(err.msg, "data analysis: record 1: bad 'events' record");
	rs_eda_free(e);

	CHECK(rs_eda_create(&e, RS_KIND_PROPS, &err) == 0);
	CHECK(rs_prop_encode(buf, &p) == RS_PROP_FIXED + 1);
	CHECK(rs_eda_add(e, buf, RS_PROP_FIXED, 1, &err) == RS_ECORRUPT);
	CHECK_STR(err.msg, "data analysis: record 1 runs past its block");
	CHECK(rs_eda_add(e, buf, RS_PROP_FIXED + 2, 1, &err) == RS_ECORRUPT);
	rs_eda_free(e);
	rs_eda_free(NULL);
}

int
main(void)
{
	RUN(test_eda__events);
	RUN(test_eda__tsv);
	RUN(test_eda__percentiles);
	RUN(test_eda__growth);
	RUN(test_eda__empty);
	RUN(test_eda__props);
	RUN(test_eda__tree);
	RUN(test_eda__errors);
	return tap_done();
}
