/*
 * test_synth.c - unit tests for lib/synth.c at a small scale: exact header
 * lines, every row of every file valid for the Retailrocket schema,
 * value-token format, transaction ids only (and consistently) on
 * transactions, determinism across runs and thread counts, different
 * seeds differ, statistics agree with the bytes, errors propagate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "synth.h"

#define SNAP0 1431226800000LL
#define WEEK (7 * 86400000LL)

struct mem {
	char *p[RS_SYNTH_NFILES];
	size_t n[RS_SYNTH_NFILES], cap[RS_SYNTH_NFILES];
	int fail_after;		/* fail the call number fail_after (0: never) */
	int calls;
};

static int
mem_write(void *ctx, unsigned f, const void *p, size_t n,
    struct rs_error *err)
{
	struct mem *m = ctx;

	if (m->fail_after && ++m->calls == m->fail_after)
		return rs_error_set(err, RS_EIO, "test: write failed");
	if (m->n[f] + n + 1 > m->cap[f]) {
		m->cap[f] = (m->n[f] + n + 1) * 2;
		m->p[f] = realloc(m->p[f], m->cap[f]);
		if (m->p[f] == NULL)
			abort();
	}
	memcpy(m->p[f] + m->n[f], p, n);
	m->n[f] += n;
	m->p[f][m->n[f]] = '\0';
	return 0;
}

static void
mem_free(struct mem *m)
{
	unsigned f;

	for (f = 0; f < RS_SYNTH_NFILES; f++)
		free(m->p[f]);
	memset(m, 0, sizeof(*m));
}

static int
run(struct mem *m, double scale, uint64_t seed, unsigned threads,
    struct rs_synth_stats *st)
{
	struct rs_synth_params p;
	struct rs_error err;

	memset(m, 0, sizeof(*m));
	rs_synth_params_init(&p);
	p.scale = scale;
	p.seed = seed;
	p.threads = threads;
	return rs_synth_run(&p, mem_write, m, st, &err);
}

/* Splits line (modified in place) at commas; returns the field count. */
static int
split(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (; *line; line++)
		if (*line == ',') {
			*line = '\0';
			if (n == max)
				return max + 1;
			f[n++] = line + 1;
		}
	return n;
}

static int
is_uint(const char *s)
{
	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A value token: a bare integer or n<digits>.<3 digits>. */
static int
is_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if (s[0] != 'n') {
		for (i = 0; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return 0;
		return 1;
	}
	if (n < 6 || s[n - 4] != '.')
		return 0;
	for (i = 1; i < n; i++)
		if (i != n - 4 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return n - 4 > 1;
}

static int
valid_value(const char *v)
{
	const char *sp;

	for (;;) {
		sp = strchr(v, ' ');
		if (!is_token(v, sp ? (size_t)(sp - v) : strlen(v)))
			return 0;
		if (sp == NULL)
			return 1;
		v = sp + 1;
	}
}

static char *
next_line(char **pos)
{
	char *s = *pos, *nl;

	if (*s == '\0')
		return NULL;
	nl = strchr(s, '\n');
	if (nl == NULL)
		return NULL;
	*nl = '\0';
	*pos = nl + 1;
	return s;
}

static int
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_synth__headers(void)
{
	struct mem m;

	CHECK(run(&m, 0.001, 1, 1, NULL) == 0);
	CHECK(starts(m.p[RS_SYNTH_EVENTS],
	    "timestamp,visitorid,event,itemid,transactionid\n"));
	CHECK(starts(m.p[RS_SYNTH_PROPS1],
	    "timestamp,itemid,property,value\n"));
	CHECK(starts(m.p[RS_SYNTH_PROPS2],
	    "timestamp,itemid,property,value\n"));
	CHECK(starts(m.p[RS_SYNTH_TREE], "categoryid,parentid\n"));
	CHECK_STR(rs_synth_file_name(RS_SYNTH_EVENTS), "events.csv");
	CHECK_STR(rs_synth_file_name(RS_SYNTH_PROPS2),
	    "item_properties_part2.csv");
	CHECK(rs_synth_file_name(RS_SYNTH_NFILES) == NULL);
	mem_free(&m);
}

static void
test_synth__events_valid(void)
{
	struct rs_synth_stats st;
	struct mem m;
	char *pos, *line, *f[6], prev_key[64] = "";
	uint64_t rows = 0, ntype[3] = { 0 }, bad = 0, badtx = 0, txmix = 0;
	long long ts, prev_tx = -1;

	CHECK(run(&m, 0.002, 3, 2, &st) == 0);
	pos = m.p[RS_SYNTH_EVENTS];
	next_line(&pos);
	while ((line = next_line(&pos)) != NULL) {
		int t;

		rows++;
		if (split(line, f, 5) != 5 || !is_uint(f[0]) ||
		    !is_uint(f[1]) || !is_uint(f[3])) {
			bad++;
			continue;
		}
		ts = strtoll(f[0], NULL, 10);
		/* 2015-05-03 00:00 to 2015-09-19 00:00 UTC. */
		bad += ts < 1430611200000LL || ts >= 1442620800000LL;
		t = strcmp(f[2], "view") == 0 ? 0 :
		    strcmp(f[2], "addtocart") == 0 ? 1 :
		    strcmp(f[2], "transaction") == 0 ? 2 : -1;
		if (t < 0) {
			bad++;
			continue;
		}
		ntype[t]++;
		if (t == 2) {
			char key[64];

			badtx += !is_uint(f[4]);
			/* Rows of one transaction share time and visitor. */
			snprintf(key, sizeof(key), "%s,%s", f[0], f[1]);
			if (strtoll(f[4], NULL, 10) == prev_tx)
				txmix += strcmp(key, prev_key) != 0;
			prev_tx = strtoll(f[4], NULL, 10);
			memcpy(prev_key, key, sizeof(key));
		} else {
			badtx += f[4][0] != '\0';
		}
	}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(badtx, 0);
	CHECK_EQ_U64(txmix, 0);
	CHECK_EQ_U64(rows, st.rows[RS_SYNTH_EVENTS]);
	CHECK_EQ_U64(ntype[0], st.events[0]);
	CHECK_EQ_U64(ntype[1], st.events[1]);
	CHECK_EQ_U64(ntype[2], st.events[2]);
	CHECK_EQ_U64(st.visitors, 2815);
	/* Roughly the real mix: 96.7 % views, 2.5 % carts, 0.8 % buys. */
	CHECK(ntype[0] > rows * 0.93 && ntype[1] > rows * 0.012 &&
	    ntype[2] > rows * 0.003);
	CHECK(rows > 4000 && rows < 7000);
	mem_free(&m);
}

static void
test_synth__props_valid(void)
{
	struct rs_synth_stats st;
	struct mem m;
	char *pos, *line, *f[5];
	uint64_t rows = 0, bad = 0, badval = 0, cats = 0, avail = 0;
	long long ts;
	unsigned part;

	CHECK(run(&m, 0.002, 3, 1, &st) == 0);
	for (part = RS_SYNTH_PROPS1; part <= RS_SYNTH_PROPS2; part++) {
		pos = m.p[part];
		next_line(&pos);
		while ((line = next_line(&pos)) != NULL) {
			rows++;
			if (split(line, f, 4) != 4 || !is_uint(f[0]) ||
			    !is_uint(f[1])) {
				bad++;
				continue;
			}
			ts = strtoll(f[0], NULL, 10);
			bad += ts < SNAP0 || (ts - SNAP0) % WEEK != 0 ||
			    (ts - SNAP0) / WEEK >= 19;
			if (strcmp(f[2], "available") == 0) {
				avail++;
				badval += strcmp(f[3], "0") != 0 &&
				    strcmp(f[3], "1") != 0;
			} else if (strcmp(f[2], "categoryid") == 0) {
				cats++;
				badval += !is_uint(f[3]);
			} else {
				bad += !is_uint(f[2]);
				badval += !valid_value(f[3]);
			}
		}
	}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(badval, 0);
	CHECK_EQ_U64(rows, st.rows[RS_SYNTH_PROPS1] + st.rows[RS_SYNTH_PROPS2]);
	/* One categoryid row per item with properties, a few more. */
	CHECK(cats >= st.prop_items && cats < st.prop_items * 1.1);
	CHECK(avail >= st.prop_items);
	/* About 48 rows per item, as in the real files. */
	CHECK(rows > st.prop_items * 40 && rows < st.prop_items * 56);
	CHECK(st.rows[RS_SYNTH_PROPS1] > st.rows[RS_SYNTH_PROPS2]);
	mem_free(&m);
}

static void
test_synth__tree_valid(void)
{
	struct mem m;
	char *pos, *line, *f[3];
	static unsigned char present[100000];
	unsigned rows = 0, roots = 0, bad = 0, orphans = 0;

	CHECK(run(&m, 0.001, 5, 1, NULL) == 0);
	pos = m.p[RS_SYNTH_TREE];
	next_line(&pos);
	memset(present, 0, sizeof(present));
	while ((line = next_line(&pos)) != NULL) {
		rows++;
		if (split(line, f, 2) != 2 || !is_uint(f[0])) {
			bad++;
			continue;
		}
		present[strtol(f[0], NULL, 10) % 100000] = 1;
		roots += f[1][0] == '\0';
	}
	CHECK_EQ_U64(rows, 1669);
	CHECK_EQ_U64(roots, 25);
	CHECK_EQ_U64(bad, 0);
	/* Every parent is a category of the tree. */
	pos = m.p[RS_SYNTH_TREE];
	next_line(&pos);
	while ((line = next_line(&pos)) != NULL)
		if (split(line, f, 2) == 2 && f[1][0] != '\0')
			orphans += !present[strtol(f[1], NULL, 10) % 100000];
	CHECK_EQ_U64(orphans, 0);
	mem_free(&m);
}

static void
test_synth__deterministic_and_thread_independent(void)
{
	struct mem a, b, c;
	unsigned f;

	CHECK(run(&a, 0.003, 11, 1, NULL) == 0);
	CHECK(run(&b, 0.003, 11, 4, NULL) == 0);
	CHECK(run(&c, 0.003, 11, 2, NULL) == 0);
	for (f = 0; f < RS_SYNTH_NFILES; f++) {
		CHECK(a.n[f] == b.n[f] && memcmp(a.p[f], b.p[f], a.n[f]) == 0);
		CHECK(a.n[f] == c.n[f] && memcmp(a.p[f], c.p[f], a.n[f]) == 0);
	}
	mem_free(&a);
	mem_free(&b);
	mem_free(&c);
}

static void
test_synth__seeds_differ(void)
{
	struct mem a, b;
	unsigned f;

	CHECK(run(&a, 0.001, 1, 1, NULL) == 0);
	CHECK(run(&b, 0.001, 2, 1, NULL) == 0);
	for (f = 0; f < RS_SYNTH_NFILES; f++)
		CHECK(a.n[f] != b.n[f] || memcmp(a.p[f], b.p[f], a.n[f]) != 0);
	mem_free(&a);
	mem_free(&b);
}

static void
test_synth__stats_bytes(void)
{
	struct rs_synth_stats st;
	struct mem m;
	unsigned f;

	CHECK(run(&m, 0.001, 1, 1, &st) == 0);
	for (f = 0; f < RS_SYNTH_NFILES; f++)
		CHECK_EQ_U64(st.bytes[f], m.n[f]);
	CHECK_EQ_U64(st.rows[RS_SYNTH_TREE], 1669);
	CHECK(st.items > st.prop_items && st.prop_items > 300);
	mem_free(&m);
}

static void
test_synth__errors(void)
{
	struct rs_synth_params p;
	struct rs_error err;
	struct mem m;

	rs_synth_params_init(&p);
	CHECK(p.scale == 0.01 && p.seed == 1);
	memset(&m, 0, sizeof(m));
	p.scale = 0;
	CHECK(rs_synth_run(&p, mem_write, &m, NULL, &err) == RS_EARG);
	CHECK(strstr(err.msg, "scale") != NULL);
	p.scale = 1000;
	CHECK(rs_synth_run(&p, mem_write, &m, NULL, &err) == RS_EARG);
	/* A failing writer stops the run with its code and message. */
	p.scale = 0.001;
	m.fail_after = 3;
	CHECK(rs_synth_run(&p, mem_write, &m, NULL, &err) == RS_EIO);
	CHECK_STR(err.msg, "test: write failed");
	mem_free(&m);
}

int
main(void)
{
	RUN(test_synth__headers);
	RUN(test_synth__events_valid);
	RUN(test_synth__props_valid);
	RUN(test_synth__tree_valid);
	RUN(test_synth__deterministic_and_thread_independent);
	RUN(test_synth__seeds_differ);
	RUN(test_synth__stats_bytes);
	RUN(test_synth__errors);
	return tap_done();
}
