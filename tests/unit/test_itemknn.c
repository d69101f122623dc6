/*
 * test_itemknn.c - item-kNN similarities against a brute-force cosine
 * over session vectors, the session gap, the pair window, top-M, a
 * stream round trip, a model filled list by list under another model
 * name (the similar-items table), and incremental training against
 * training from scratch.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

#define V RS_EV_VIEW
#define A RS_EV_ADDTOCART
#define T RS_EV_TRANSACTION
#define MIN (60 * 1000)

/* items 1..5; visitor 7 has two sessions (gap of 2 hours) */
static const struct rs_event evs[] = {
	{ 0, 7, 1, RS_ID_NONE, V },
	{ 1 * MIN, 7, 2, RS_ID_NONE, V },
	{ 2 * MIN, 7, 1, RS_ID_NONE, A },
	{ 122 * MIN, 7, 3, RS_ID_NONE, V },
	{ 123 * MIN, 7, 4, RS_ID_NONE, V },
	{ 0, 8, 1, RS_ID_NONE, V },
	{ 5 * MIN, 8, 3, RS_ID_NONE, V },
	{ 6 * MIN, 8, 2, RS_ID_NONE, T },
	{ 10 * MIN, 9, 5, RS_ID_NONE, V },
	{ 11 * MIN, 9, 2, RS_ID_NONE, V },
	{ 12 * MIN, 9, 5, RS_ID_NONE, V }
};
#define NEV (sizeof(evs) / sizeof(evs[0]))
#define NI 6

/*
 * Brute force: session vectors s[session][item] (max weight), then
 * cosine over all pairs, with no window.
 */
static void
brute(double sim[NI][NI])
{
	static const double w[3] = { 1, 5, 3 };
	/* sessions by hand: (7: 1,2) (7: 3,4) (8: 1,3,2) (9: 5,2) */
	static const int sess[NEV] = { 0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 3 };
	double s[4][NI] = { { 0 } }, dot, na, nb;
	size_t e;
	int i, j, k;

	for (e = 0; e < NEV; e++)
		if (w[evs[e].type] > s[sess[e]][evs[e].item])
			s[sess[e]][evs[e].item] = w[evs[e].type];
	for (i = 0; i < NI; i++)
		for (j = 0; j < NI; j++) {
			dot = na = nb = 0;
			for (k = 0; k < 4; k++) {
				dot += s[k][i] * s[k][j];
				na += s[k][i] * s[k][i];
				nb += s[k][j] * s[k][j];
			}
			sim[i][j] = na > 0 && nb > 0 ? dot / sqrt(na * nb) : 0;
		}
}

static double
model_sim(const struct rs_itemknn *m, uint64_t a, uint64_t b)
{
	const uint64_t *ids = rs_itemknn_item_ids(m);
	const uint32_t *nb;
	const float *s;
	int64_t r = rs_itemknn_find(m, a);
	uint32_t n, k;

	if (r < 0)
		return -1;
	n = rs_itemknn_neighbors(m, (uint32_t)r, &nb, &s);
	for (k = 0; k < n; k++)
		if (ids[nb[k]] == b)
			return s[k];
	return 0;
}

static void
test_itemknn__brute_force(void)
{
	struct rs_itemknn_params p;
	struct rs_itemknn_stats st;
	struct rs_itemknn *m;
	struct rs_error err;
	double sim[NI][NI];
	uint64_t a, b;

	brute(sim);
	rs_itemknn_params_init(&p);
	CHECK(rs_itemknn_train(evs, NEV, &p, &m, &st, &err) == 0);
	CHECK_EQ_U64(st.sessions, 4);
	CHECK_EQ_U64(rs_itemknn_nitems(m), 5);
	for (a = 1; a < NI; a++)
		for (b = 1; b < NI; b++)
			if (a != b)
				CHECK_NEAR(model_sim(m, a, b), sim[a][b], 1e-6);
	/* 1 and 2: 5 * 1 in (7: 1,2), 1 * 3 in (8); n_1 = 26, n_2 = 11 */
	CHECK_NEAR(model_sim(m, 1, 2), 8 / sqrt(26.0 * 11.0), 1e-6);
	rs_itemknn_free(m);
}

static void
test_itemknn__gap_window_topm(void)
{
	struct rs_itemknn_params p;
	struct rs_itemknn *m;
	struct rs_error err;
	const uint32_t *nb;
	const float *s;

	/* one session per visitor: 2 and 3 now meet in visitor 7 */
	rs_itemknn_params_init(&p);
	p.session_gap = 1000 * MIN;
	CHECK(rs_itemknn_train(evs, NEV, &p, &m, NULL, &err) == 0);
	CHECK(model_sim(m, 2, 3) > 0);
	rs_itemknn_free(m);
	/* window 1: in (8: 1,3,2) the pair 1-2 is two apart */
	rs_itemknn_params_init(&p);
	p.window = 1;
	CHECK(rs_itemknn_train(evs, NEV, &p, &m, NULL, &err) == 0);
	CHECK_NEAR(model_sim(m, 1, 2), 5 / sqrt(26.0 * 11.0), 1e-6);
	CHECK(model_sim(m, 1, 3) > 0);
	rs_itemknn_free(m);
	/* top-1: item 2 keeps only its best neighbour */
	rs_itemknn_params_init(&p);
	p.neighbors = 1;
	CHECK(rs_itemknn_train(evs, NEV, &p, &m, NULL, &err) == 0);
	CHECK_EQ_U64(rs_itemknn_neighbors(m, (uint32_t)rs_itemknn_find(m, 2),
	    &nb, &s), 1);
	rs_itemknn_free(m);
	/* until: nothing before 0 */
	rs_itemknn_params_init(&p);
	p.until = 0;
	CHECK(rs_itemknn_train(evs, NEV, &p, &m, NULL, &err) == 0);
	CHECK_EQ_U64(rs_itemknn_nitems(m), 0);
	rs_itemknn_free(m);
}

static void
test_itemknn__round_trip(void)
{
	struct rs_itemknn_params p;
	struct rs_itemknn *m, *back;
	struct rs_reader *r;
	struct rs_error err;
	struct rs_meta meta = { "model", "itemknn" };
	char path[] = "/tmp/test_itemknn_XXXXXX";
	uint64_t a, b;
	int fd;

	rs_itemknn_params_init(&p);
	CHECK(rs_itemknn_train(evs, NEV, &p, &m, NULL, &err) == 0);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(rs_itemknn_write(m, fd, path, &meta, 1, NULL, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_reader_open(&r, fd, path, &err) == 0);
	CHECK(rs_itemknn_read(r, &back, &err) == 0);
	CHECK_EQ_U64(rs_itemknn_nnz(back), rs_itemknn_nnz(m));
	for (a = 1; a < NI; a++)
		for (b = 1; b < NI; b++)
			CHECK(model_sim(m, a, b) == model_sim(back, a, b));
	rs_reader_free(r);
	close(fd);
	unlink(path);
	rs_itemknn_free(m);
	rs_itemknn_free(back);
}

/*
 * Regression (crafted row counts): through a pipe, with a 16-byte cap on
 * what the reader allocates before rows arrive, the arrays grow and the
 * model reads back the same.
 */
static void
test_itemknn__grows_through_pipe(void)
{
	struct rs_itemknn_params p;
	struct rs_itemknn *m, *back = NULL;
	struct rs_reader *r;
	struct rs_error err;
	struct rs_meta meta = { "model", "itemknn" };
	char path[] = "/tmp/test_itemknn_XXXXXX", buf[16384];
	uint64_t a, b;
	ssize_t n;
	int fd, pp[2];

	rs_itemknn_params_init(&p);
	CHECK(rs_itemknn_train(evs, NEV, &p, &m, NULL, &err) == 0);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(rs_itemknn_write(m, fd, path, &meta, 1, NULL, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	n = read(fd, buf, sizeof(buf));
	CHECK(n > 0 && n < (ssize_t)sizeof(buf));
	CHECK(pipe(pp) == 0);
	CHECK(write(pp[1], buf, (size_t)n) == n);
	close(pp[1]);
	CHECK(rs_reader_open(&r, pp[0], path, &err) == 0);
	rs_reader_set_prealloc(r, 16);
	CHECK(rs_itemknn_read(r, &back, &err) == 0);
	CHECK_EQ_U64(rs_itemknn_nnz(back), rs_itemknn_nnz(m));
	for (a = 1; a < NI; a++)
		for (b = 1; b < NI; b++)
			CHECK(model_sim(m, a, b) == model_sim(back, a, b));
	rs_reader_free(r);
	close(pp[0]);
	close(fd);
	unlink(path);
	rs_itemknn_free(m);
	rs_itemknn_free(back);
}

/*
 * A model filled list by list (rows skipped have no neighbours), written
 * with model=similar and read back as such, scores of any sign, its
 * metadata kept; rs_itemknn_read refuses it, and _add refuses lists out
 * of order, the item itself, a neighbour out of range, a NaN.
 */
static void
test_itemknn__create_add(void)
{
	static const uint64_t ids[4] = { 3, 8, 9, 20 }, down[3] = { 5, 4, 6 };
	static const uint32_t n0[2] = { 2, 1 }, n2[3] = { 0, 3, 1 };
	static const uint32_t far[2] = { 0, 4 };
	static const float s0[2] = { 0.5f, -0.25f }, s2[3] = { 1, 0, -1 };
	struct rs_itemknn *m, *back;
	struct rs_reader *r;
	struct rs_error err;
	struct rs_meta meta[2] = { { "model", "similar" },
	    { "neighbors", "3" } };
	char path[] = "/tmp/test_itemknn_XXXXXX";
	const uint32_t *nb;
	const float *sc;
	float nan = NAN;
	int fd, pass;

	CHECK(rs_itemknn_create(&m, ids, 4, &err) == 0);
	CHECK(rs_itemknn_add(m, 0, n0, s0, 2, &err) == 0);
	CHECK(rs_itemknn_add(m, 0, n0, s0, 2, &err) == RS_EARG);
	CHECK(rs_itemknn_add(m, 2, n2, s2, 2, &err) == 0);
	CHECK(rs_itemknn_neighbors(m, 2, NULL, NULL) == 2);
	CHECK(rs_itemknn_neighbors(m, 3, NULL, NULL) == 0);
	CHECK(rs_itemknn_add(m, 3, n0, s0, 1, &err) == 0);
	CHECK(rs_itemknn_add(m, 3, n0, s0, 1, &err) == RS_EARG);
	CHECK_EQ_U64(rs_itemknn_nnz(m), 5);
	rs_itemknn_free(m);
	CHECK(rs_itemknn_create(&m, ids, 4, &err) == 0);
	CHECK(rs_itemknn_add(m, 1, n0 + 1, s0, 1, &err) == RS_EARG);
	CHECK(rs_itemknn_add(m, 1, n0, &nan, 1, &err) == RS_EARG);
	CHECK(rs_itemknn_add(m, 0, n0, s0, 2, &err) == 0);
	CHECK(rs_itemknn_add(m, 2, far, s2, 2, &err) == RS_EARG);
	CHECK(rs_itemknn_add(m, 2, n2, s2, 2, &err) == 0);
	CHECK(rs_itemknn_meta(m, "model") == NULL);
	CHECK(rs_itemknn_create(&back, down, 3, &err) == RS_EARG);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(rs_itemknn_write(m, fd, path, meta, 2, NULL, &err) == 0);
	for (pass = 0; pass < 2; pass++) {
		CHECK(lseek(fd, 0, SEEK_SET) == 0);
		CHECK(rs_reader_open(&r, fd, path, &err) == 0);
		if (pass == 0) {
			CHECK(rs_itemknn_read(r, &back, &err) == RS_EFORMAT);
			CHECK(strstr(err.msg, "is a 'similar' model, expected "
			    "'itemknn'") != NULL);
			rs_reader_free(r);
			continue;
		}
		CHECK(rs_itemknn_read_as(r, "similar", &back, &err) == 0);
		rs_reader_free(r);
	}
	CHECK_EQ_U64(rs_itemknn_nnz(back), 4);
	CHECK_STR(rs_itemknn_meta(back, "neighbors"), "3");
	CHECK(rs_itemknn_meta(back, "shrink") == NULL);
	CHECK(rs_itemknn_neighbors(back, 0, &nb, &sc) == 2);
	CHECK(nb[0] == 2 && nb[1] == 1 && sc[0] == 0.5f && sc[1] == -0.25f);
	CHECK(rs_itemknn_neighbors(back, 1, &nb, &sc) == 0);
	CHECK(rs_itemknn_neighbors(back, 2, &nb, &sc) == 2);
	CHECK(nb[0] == 0 && nb[1] == 3 && sc[0] == 1 && sc[1] == 0);
	CHECK(rs_itemknn_neighbors(back, 3, &nb, &sc) == 0);
	close(fd);
	unlink(path);
	rs_itemknn_free(m);
	rs_itemknn_free(back);
}

/* 1 if a and b have the same items and lists, scores bit for bit. */
static int
same_model(const struct rs_itemknn *a, const struct rs_itemknn *b)
{
	const uint32_t *na, *nb;
	const float *sa, *sb;
	uint32_t i, n;

	if (rs_itemknn_nitems(a) != rs_itemknn_nitems(b) ||
	    rs_itemknn_nnz(a) != rs_itemknn_nnz(b))
		return 0;
	for (i = 0; i < rs_itemknn_nitems(a); i++) {
		if (rs_itemknn_item_ids(a)[i] != rs_itemknn_item_ids(b)[i])
			return 0;
		n = rs_itemknn_neighbors(a, i, &na, &sa);
		if (rs_itemknn_neighbors(b, i, &nb, &sb) != n ||
		    (n > 0 && (memcmp(na, nb, n * sizeof(*na)) != 0 ||
		    memcmp(sa, sb, n * sizeof(*sa)) != 0)))
			return 0;
	}
	return 1;
}

static uint64_t lcg = 12345;

static int
cmp_ts(const void *a, const void *b)
{
	const struct rs_event *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->visitor < y->visitor ? -1 : x->visitor > y->visitor;
}

static uint32_t
rnd(uint32_t n)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(lcg >> 33) % n;
}

/*
 * Random sessions over 40 items, with sessions open across the training
 * times (gaps of minutes, a 30-minute session gap, trains every 7
 * minutes and then hourly), events added all at once, or period by
 * period in time order: the model at every time equals training from
 * scratch on the events before it in the order they were added (which
 * orders a visitor's events of one millisecond).  A small window and M make the cuts
 * matter; a non-integer weight makes the rounding of terms matter.
 */
static void
test_itemknn__incremental(void)
{
	enum { N = 3000 };
	struct rs_event *ev = malloc(N * sizeof(*ev)), *ev2;
	struct rs_itemknn_params p;
	struct rs_itemknn_inc *t1, *t2;
	struct rs_itemknn *a, *b, *c, *c2;
	struct rs_itemknn_stats sa, sb;
	struct rs_error err;
	int64_t at, prev = INT64_MIN, last = 0;
	size_t i, j = 0, ok = 0, steps = 0;

	for (i = 0; i < N; i++) {
		ev[i].visitor = rnd(25);
		ev[i].item = 100 + rnd(40) * 7;
		ev[i].type = (uint8_t)(rnd(10) < 7 ? V : rnd(2) ? A : T);
		ev[i].ts = (int64_t)rnd(3000) * MIN / 4;
		ev[i].txn = RS_ID_NONE;
		if (ev[i].ts > last)
			last = ev[i].ts;
	}
	ev2 = malloc(N * sizeof(*ev2));
	memcpy(ev2, ev, N * sizeof(*ev));
	qsort(ev2, N, sizeof(*ev2), cmp_ts);
	rs_itemknn_params_init(&p);
	p.window = 3;
	p.neighbors = 4;
	p.weights[RS_EV_TRANSACTION] = 2.3;
	CHECK(rs_itemknn_inc_create(&t1, &p, &err) == 0);
	CHECK(rs_itemknn_inc_create(&t2, &p, &err) == 0);
	CHECK(rs_itemknn_inc_add(t1, ev, N, &err) == 0);
	for (at = 0; at <= last + 60 * MIN; at += at < 200 * MIN ? 7 * MIN :
	    60 * MIN) {
		/* t2 gets each period's events only, just before it */
		for (i = j; j < N && ev2[j].ts < at; j++)
			;
		CHECK(i == j || ev2[i].ts >= prev);
		CHECK(rs_itemknn_inc_add(t2, ev2 + i, j - i, &err) == 0);
		p.until = at;
		CHECK(rs_itemknn_train(ev, N, &p, &c, &sb, &err) == 0);
		CHECK(rs_itemknn_train(ev2, N, &p, &c2, NULL, &err) == 0);
		CHECK(rs_itemknn_inc_train(t1, at, &a, &sa, &err) == 0);
		CHECK(rs_itemknn_inc_train(t2, at, &b, NULL, &err) == 0);
		ok += (size_t)(same_model(a, c) && same_model(b, c2));
		CHECK(sa.events == sb.events && sa.sessions == sb.sessions &&
		    sa.pairs == sb.pairs && sa.neighbors == sb.neighbors);
		steps++;
		prev = at;
		rs_itemknn_free(a);
		rs_itemknn_free(b);
		rs_itemknn_free(c);
		rs_itemknn_free(c2);
	}
	CHECK_EQ_U64(ok, steps);
	CHECK(steps > 30);
	CHECK_EQ_U64(sb.events, N);
	/* the last full model has lists cut at M */
	CHECK(sb.neighbors > 0 && sb.neighbors < 2 * sb.pairs);
	/* counted times are closed: no event before them, no going back */
	CHECK(rs_itemknn_inc_add(t1, ev, 1, &err) == RS_EARG);
	CHECK(rs_itemknn_inc_train(t1, 0, &a, NULL, &err) == RS_EARG);
	rs_itemknn_inc_free(t1);
	rs_itemknn_inc_free(t2);
	/* weights that terms cannot hold exactly are refused */
	p.weights[RS_EV_VIEW] = 5000;
	p.until = INT64_MAX;
	CHECK(rs_itemknn_train(ev, N, &p, &c, NULL, &err) == RS_EARG);
	free(ev);
	free(ev2);
}

int
main(void)
{
	RUN(test_itemknn__brute_force);
	RUN(test_itemknn__gap_window_topm);
	RUN(test_itemknn__round_trip);
	RUN(test_itemknn__grows_through_pipe);
	RUN(test_itemknn__create_add);
	RUN(test_itemknn__incremental);
	return tap_done();
}
