/*
 * test_session.c - the live event store (session.h) and the event log
 * (eventlog.h): visible events in (time, arrival) order, torn lines,
 * rotation, all-or-nothing appends.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"

static struct rs_event
ev(int64_t ts, uint64_t v, uint64_t item, uint8_t type)
{
	struct rs_event e = { ts, v, item, RS_ID_NONE, type };

	return e;
}

static void
test_session__time_then_arrival_order(void)
{
	struct rs_session *s;
	struct rs_session_event *buf = NULL;
	size_t cap = 0;
	struct rs_event in[] = {
		ev(100, 7, 1, RS_EV_VIEW), ev(300, 7, 2, RS_EV_VIEW),
		ev(200, 7, 3, RS_EV_ADDTOCART),	/* older: moved into place */
		ev(200, 7, 4, RS_EV_VIEW),	/* same ms: after item 3 */
		ev(150, 8, 9, RS_EV_VIEW), ev(100, 7, 5, RS_EV_VIEW),
	};
	uint64_t visitors, events;
	int64_t n;

	CHECK(rs_session_create(&s, NULL) == 0);
	CHECK(rs_session_add(s, in, 6, NULL) == 0);
	n = rs_session_visible(s, 7, INT64_MAX, &buf, &cap);
	CHECK(n == 5);
	if (n == 5) {
		CHECK_EQ_U64(buf[0].item, 1);
		CHECK_EQ_U64(buf[1].item, 5);	/* t 100, arrived later */
		CHECK_EQ_U64(buf[2].item, 3);
		CHECK_EQ_U64(buf[3].item, 4);
		CHECK_EQ_U64(buf[4].item, 2);
		CHECK(buf[2].type == RS_EV_ADDTOCART);
	}
	/* strictly before t: the events at t are not visible */
	CHECK(rs_session_visible(s, 7, 200, &buf, &cap) == 2);
	CHECK(rs_session_visible(s, 7, 100, &buf, &cap) == 0);
	CHECK(rs_session_visible(s, 99, INT64_MAX, &buf, &cap) == 0);
	rs_session_counts(s, &visitors, &events);
	CHECK_EQ_U64(visitors, 2);
	CHECK_EQ_U64(events, 6);
	free(buf);
	rs_session_free(s);
}

static void
test_session__many_visitors(void)
{
	struct rs_session *s;
	struct rs_session_event *buf = NULL;
	size_t cap = 0;
	struct rs_event e;
	uint64_t v, bad = 0;

	CHECK(rs_session_create(&s, NULL) == 0);
	for (v = 0; v < 20000; v++) {
		e = ev((int64_t)v, v * 7919, v, RS_EV_VIEW);
		CHECK(rs_session_add(s, &e, 1, NULL) == 0);
		e.ts += 1;
		CHECK(rs_session_add(s, &e, 1, NULL) == 0);
	}
	for (v = 0; v < 20000; v++)
		if (rs_session_visible(s, v * 7919, INT64_MAX, &buf, &cap) != 2 ||
		    buf[0].item != v)
			bad++;
	CHECK_EQ_U64(bad, 0);
	e = ev(1, 1, 1, RS_EV_NTYPES);
	CHECK(rs_session_add(s, &e, 1, NULL) == RS_EARG);
	free(buf);
	rs_session_free(s);
}

struct got {
	struct rs_event ev[64];
	size_t n;
	unsigned warnings;
	char last[RS_ERROR_MSG_MAX];
};

static int
collect(void *ctx, const struct rs_event *e, size_t n, struct rs_error *err)
{
	struct got *g = ctx;
	size_t i;

	(void)err;
	for (i = 0; i < n && g->n < 64; i++)
		g->ev[g->n++] = e[i];
	return 0;
}

static void
warn(void *ctx, const char *msg)
{
	struct got *g = ctx;

	g->warnings++;
	snprintf(g->last, sizeof(g->last), "%s", msg);
}

static void
test_eventlog__append_replay_torn(void)
{
	char dir[] = "/tmp/rs-test-eventlog.XXXXXX", path[256], cmd[300];
	struct rs_eventlog_params p;
	struct rs_eventlog *l;
	struct got g;
	struct rs_event in[3] = {
		ev(5, 1, 10, RS_EV_VIEW), ev(6, 1, 11, RS_EV_ADDTOCART),
		ev(7, 2, 12, RS_EV_TRANSACTION),
	};
	uint64_t n;
	FILE *f;
	struct stat st;
	off_t size;

	in[2].txn = 99;
	CHECK(mkdtemp(dir) != NULL);
	rs_eventlog_params_init(&p);
	p.sync = RS_SYNC_ALWAYS;
	p.rotate_bytes = 60;		/* past it after the first append */
	CHECK(rs_eventlog_open(&l, dir, &p, NULL) == 0);
	CHECK(rs_eventlog_append(l, in, 2, NULL) == 0);
	CHECK(rs_eventlog_append(l, in + 2, 1, NULL) == 0);
	CHECK(rs_eventlog_close(l, NULL) == 0);
	snprintf(path, sizeof(path), "%s/events-00000002.csv", dir);
	CHECK(stat(path, &st) == 0);	/* rotated past 60 bytes */

	memset(&g, 0, sizeof(g));
	CHECK(rs_eventlog_replay(dir, collect, warn, &g, &n, NULL) == 0);
	CHECK_EQ_U64(n, 3);
	CHECK(g.warnings == 0);
	if (g.n == 3) {
		CHECK(g.ev[0].ts == 5 && g.ev[0].item == 10);
		CHECK(g.ev[1].type == RS_EV_ADDTOCART);
		CHECK_EQ_U64(g.ev[2].txn, 99);
	}

	/* a torn last line: warned about, skipped, cut off the file */
	size = st.st_size;
	CHECK((f = fopen(path, "a")) != NULL);
	if (f != NULL) {
		fputs("8,3,vie", f);
		fclose(f);
	}
	memset(&g, 0, sizeof(g));
	CHECK(rs_eventlog_replay(dir, collect, warn, &g, &n, NULL) == 0);
	CHECK_EQ_U64(n, 3);
	CHECK(g.warnings == 1);
	CHECK(strstr(g.last, "torn last line") != NULL);
	CHECK(stat(path, &st) == 0 && st.st_size == size);

	/* a bad row in the middle: warned about with its line, skipped */
	CHECK((f = fopen(path, "a")) != NULL);
	if (f != NULL) {
		fputs("9,3,jump,4,\n10,3,view,4,\n", f);
		fclose(f);
	}
	memset(&g, 0, sizeof(g));
	CHECK(rs_eventlog_replay(dir, collect, warn, &g, &n, NULL) == 0);
	CHECK_EQ_U64(n, 4);
	CHECK(g.warnings == 1);
	CHECK(strstr(g.last, ":3:") != NULL);

	/* a missing directory is an empty log */
	memset(&g, 0, sizeof(g));
	CHECK(rs_eventlog_replay("/nonexistent/rs-log", collect, warn, &g, &n,
	    NULL) == 0);
	CHECK_EQ_U64(n, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

int
main(void)
{
	RUN(test_session__time_then_arrival_order);
	RUN(test_session__many_visitors);
	RUN(test_eventlog__append_replay_torn);
	return tap_done();
}
