/*
 * test_category.c - the category timeline (catline.h) and the engine's
 * category source on a hand-made shop: a tree 1 -> {10, 11}, an item
 * that moves from category 10 to 11 at t = 500, the back-off to the
 * parent, the filters (touched, bought, exclusion list, availability),
 * ties by lower id, ranking by a popular model and, through a replay,
 * by the causal counts before t; and the blend's slots that a visitor
 * without enough recent items leaves to the discovery sources.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

/* item, time, category: 102 moves from 10 to 11 at t = 500 */
static const struct {
	uint64_t item;
	int64_t ts;
	uint64_t cat;
} snaps[] = {
	{ 100, 0, 10 }, { 101, 0, 10 }, { 102, 0, 10 }, { 102, 500, 11 },
	{ 103, 0, 11 }, { 104, 0, 11 }, { 105, 0, 10 },
	{ 102, 700, 11 },	/* a repeat: no change */
};
#define NSNAP (sizeof(snaps) / sizeof(snaps[0]))

static const struct rs_tree_row tree_rows[] = {
	{ 1, RS_ID_NONE }, { 10, 1 }, { 11, 1 },
};

/* 106 has no category; the popular model's scores */
static uint64_t pop_ids[] = { 100, 101, 102, 103, 104, 105, 106 };
static float pop_sc[] = { 5, 3, 9, 4, 1, 3, 10 };

static struct rs_catline *
make_catline(void)
{
	struct rs_catline *c;
	struct rs_error err;
	size_t i;

	if (rs_catline_create(&c, &err) < 0)
		return NULL;
	for (i = 0; i < NSNAP; i++)
		if (rs_catline_add(c, snaps[i].item, snaps[i].ts, snaps[i].cat,
		    &err) < 0)
			return NULL;
	return rs_catline_finish(c, &err) < 0 ? NULL : c;
}

static void
test_category__timeline(void)
{
	struct rs_catline *c = make_catline();
	struct rs_catline_stats st;
	struct rs_error err;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_EQ_U64(rs_catline_at(c, 102, 0), RS_ID_NONE);	/* not before */
	CHECK_EQ_U64(rs_catline_at(c, 102, 1), 10);
	CHECK_EQ_U64(rs_catline_at(c, 102, 500), 10);	/* strictly before t */
	CHECK_EQ_U64(rs_catline_at(c, 102, 501), 11);
	CHECK_EQ_U64(rs_catline_at(c, 102, 10000), 11);
	CHECK_EQ_U64(rs_catline_at(c, 106, 10000), RS_ID_NONE);
	rs_catline_stats(c, &st);
	CHECK_EQ_U64(st.items, 6);
	CHECK_EQ_U64(st.changes, 7);	/* the repeat at 700 is no change */
	CHECK_EQ_U64(st.moved, 1);
	CHECK(rs_catline_add(c, 1, 1, 1, &err) == RS_EARG);
	rs_catline_free(c);

	/* same-time snapshots: the smaller id, in either order */
	CHECK(rs_catline_create(&c, &err) == 0);
	CHECK(rs_catline_add(c, 7, 5, 30, &err) == 0);
	CHECK(rs_catline_add(c, 7, 5, 20, &err) == 0);
	CHECK(rs_catline_add(c, 8, 5, 20, &err) == 0);
	CHECK(rs_catline_add(c, 8, 5, 30, &err) == 0);
	CHECK(rs_catline_finish(c, &err) == 0);
	CHECK_EQ_U64(rs_catline_at(c, 7, 6), 20);
	CHECK_EQ_U64(rs_catline_at(c, 8, 6), 20);
	rs_catline_free(c);
}

struct shop {
	struct rs_catline *cl;
	struct rs_tree *tree;
	struct rs_model *pop;
	struct rs_avail *av;
	struct rs_engine *e;
	struct rs_engine_work *w;
};

/* An engine over the shop; with_tree: back-off; avail: 103 out from 50. */
static int
shop_open(struct shop *s, int with_tree, int avail)
{
	struct rs_engine_params p;
	struct rs_error err;

	memset(s, 0, sizeof(*s));
	if ((s->cl = make_catline()) == NULL ||
	    rs_tree_build(&s->tree, tree_rows, 3, NULL, &err) < 0 ||
	    rs_model_popular_view(&s->pop, pop_ids, 7, pop_sc, &err) < 0 ||
	    rs_avail_create(&s->av, &err) < 0 ||
	    rs_avail_add(s->av, 103, 50, 0, &err) < 0 ||
	    rs_avail_finish(s->av, &err) < 0)
		return -1;
	rs_engine_params_init(&p);
	p.kmax = 10;
	if (rs_engine_create(&s->e, &p, &err) < 0 ||
	    rs_engine_set_popular(s->e, s->pop, &err) < 0 ||
	    rs_engine_set_categories(s->e, s->cl, with_tree ? s->tree : NULL,
	    &err) < 0 ||
	    (avail && rs_engine_set_avail(s->e, s->av, &err) < 0) ||
	    rs_engine_prepare(s->e, &err) < 0 ||
	    rs_engine_work_create(&s->w, s->e, &err) < 0) {
		printf("# %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void
shop_close(struct shop *s)
{
	rs_engine_work_free(s->w);
	rs_engine_free(s->e);
	rs_catline_free(s->cl);
	rs_tree_free(s->tree);
	rs_model_free(s->pop);
	rs_avail_free(s->av);
}

/*
 * Answers a visitor whose visible events are items it[0..n) (types ty)
 * at time t with blend spec, k rows; returns the items as "a b c".
 */
static const char *
ask(struct shop *s, const char *spec, const uint64_t *it,
    const uint8_t *ty, size_t n, int64_t t, const uint64_t *ex, size_t nex,
    unsigned k)
{
	static char out[256];
	struct rs_engine_query q;
	struct rs_blend b;
	struct rs_error err;
	struct rs_row rows[20];
	uint32_t g[8], xg[8];
	size_t i, o = 0;
	int r;

	for (i = 0; i < n; i++)
		g[i] = (uint32_t)rs_engine_find(s->e, it[i]);
	for (i = 0; i < nex; i++)
		xg[i] = (uint32_t)rs_engine_find(s->e, ex[i]);
	memset(&q, 0, sizeof(q));
	q.visitor = 1;
	q.t = t;
	q.item = g;
	q.type = ty;
	q.n = n;
	q.exclude = xg;
	q.nexclude = nex;
	if (rs_blend_parse(spec, &b, &err) < 0 ||
	    (r = rs_engine_answer(s->e, s->w, &q, &b, k, rows, &err)) < 0)
		return "error";
	out[0] = '\0';
	for (i = 0; i < (size_t)r; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%llu",
		    i ? " " : "", (unsigned long long)rows[i].item);
	return out;
}

static const uint8_t views[4] = { RS_EV_VIEW, RS_EV_VIEW, RS_EV_VIEW,
	RS_EV_VIEW };

static void
test_category__popular_model(void)
{
	const uint64_t v100[1] = { 100 }, v103_100[2] = { 103, 100 };
	const uint64_t bought[2] = { 100, 101 }, ex[1] = { 105 };
	const uint8_t vt[2] = { RS_EV_VIEW, RS_EV_TRANSACTION };
	struct shop s;

	if (shop_open(&s, 0, 0) < 0) {
		CHECK(0);
		return;
	}
	/* no tree: group 10 only; ranked 102 (9), then the tie 101 / 105 */
	CHECK_STR(ask(&s, "category", v100, views, 1, 100, NULL, 0, 10),
	    "102 101 105");
	/* after 102 moved to 11 */
	CHECK_STR(ask(&s, "category", v100, views, 1, 600, NULL, 0, 10),
	    "101 105");
	/* at t = 500 the move is not yet known */
	CHECK_STR(ask(&s, "category", v100, views, 1, 500, NULL, 0, 10),
	    "102 101 105");
	/* two context categories, newest item's first */
	CHECK_STR(ask(&s, "category", v103_100, views, 2, 100, NULL, 0, 10),
	    "102 101 105 104");
	CHECK_STR(ask(&s, "category", v103_100, views, 2, 600, NULL, 0, 10),
	    "101 105 102 104");
	/* bought and an exclusion list */
	CHECK_STR(ask(&s, "category", bought, vt, 2, 100, ex, 1, 10), "102");
	/* no context: no rows, and no category without one */
	CHECK_STR(ask(&s, "category", NULL, views, 0, 100, NULL, 0, 10), "");
	shop_close(&s);

	if (shop_open(&s, 1, 1) < 0) {
		CHECK(0);
		return;
	}
	/* back-off to the parent 1, after group 10; 103 out from t = 50 */
	CHECK_STR(ask(&s, "category", v100, views, 1, 40, NULL, 0, 10),
	    "102 101 105 103 104");
	CHECK_STR(ask(&s, "category", v100, views, 1, 100, NULL, 0, 10),
	    "102 101 105 104");
	CHECK_STR(ask(&s, "category", v100, views, 1, 600, NULL, 0, 10),
	    "101 105 102 104");
	/*
	 * The blend's slots: one recent item leaves two of recent's three
	 * to the next sources in blend order (category, then popular), and
	 * a shorter K is a prefix of the longer answer.
	 */
	CHECK_STR(ask(&s, "recent:3,category:2,popular:0", v100, views, 1,
	    40, NULL, 0, 7), "100 102 101 105 103 104 106");
	CHECK_STR(ask(&s, "recent:3,category:2,popular:0", v100, views, 1,
	    40, NULL, 0, 4), "100 102 101 105");
	/* no history: every slot goes to popular */
	CHECK_STR(ask(&s, "recent:3,category:2,popular:0", NULL, views, 0,
	    40, NULL, 0, 3), "106 102 100");
	shop_close(&s);
}

/*
 * Ranked by the engine's popular model, the category list walks each
 * group's items best first and stops at L (engine.c, cpop); ranked by any
 * other score array it keeps the best L in a heap.  The same scores give
 * the same lists both ways, at every L, time and context.
 */
static void
test_category__popular_walk_equals_heap(void)
{
	static const uint64_t ctx[3] = { 104, 103, 100 };
	struct rs_engine_query q;
	struct shop s;
	double sc[16];
	uint32_t g[3], b[10], bg[16];
	uint64_t a[20];
	float bs[10];
	size_t i, L, na, nb, bad = 0, runs = 0;
	int64_t t;
	int tree;

	for (tree = 0; tree < 2; tree++) {
		if (shop_open(&s, tree, tree) < 0) {
			CHECK(0);
			return;
		}
		memset(sc, 0, sizeof(sc));
		for (i = 0; i < 7; i++)
			sc[rs_engine_find(s.e, pop_ids[i])] = pop_sc[i];
		for (i = 0; i < 3; i++)
			g[i] = (uint32_t)rs_engine_find(s.e, ctx[i]);
		for (t = 0; t <= 700; t += 50)
			for (i = 1; i <= 3; i++)
				for (L = 1; L <= 10; L++) {
					struct rs_blend bl;
					struct rs_row rows[20];
					struct rs_error err;
					int r, k;

					memset(&q, 0, sizeof(q));
					q.visitor = 1;
					q.t = t;
					q.item = g + 3 - i;
					q.type = views;
					q.n = i;
					/* the heap, over a copy of the scores */
					nb = rs_engine_category_list(s.e, s.w, &q,
					    sc, b, bs, L);
					/* the walk, through the engine's source */
					CHECK(rs_blend_parse("category", &bl,
					    &err) == 0);
					r = rs_engine_answer(s.e, s.w, &q, &bl,
					    (unsigned)L, rows, &err);
					na = r < 0 ? 0 : (size_t)r;
					for (k = 0; k < r; k++)
						a[k] = rows[k].item;
					for (k = 0; k < (int)nb; k++)
						bg[k] = b[k];
					runs++;
					bad += na != nb;
					for (k = 0; k < (int)na && na == nb;
					    k++)
						bad += rs_engine_item_ids(s.e)
						    [bg[k]] != a[k];
				}
		shop_close(&s);
	}
	CHECK(runs == 2 * 15 * 3 * 10);
	CHECK_EQ_U64(bad, 0);
}

/* Through a replay: the causal counts before t rank the category. */
static void
test_category__replay_causal(void)
{
	static const struct rs_event ev[] = {
		{ 10, 1, 100, RS_ID_NONE, RS_EV_VIEW },
		{ 1, 9, 101, RS_ID_NONE, RS_EV_VIEW },
		{ 2, 9, 101, RS_ID_NONE, RS_EV_VIEW },
		{ 3, 9, 105, RS_ID_NONE, RS_EV_VIEW },
		{ 3, 9, 104, RS_ID_NONE, RS_EV_VIEW },
		{ 200, 9, 102, RS_ID_NONE, RS_EV_ADDTOCART },
		{ 650, 1, 101, RS_ID_NONE, RS_EV_ADDTOCART },
	};
	static const struct rs_request rq[] = {
		{ 1, 1, 100, 105 }, { 2, 1, 300, 102 }, { 3, 1, 650, 101 },
		{ 4, 2, 300, 102 },
	};
	struct rs_replay_params p;
	struct rs_replay *r;
	struct rs_replay_work *w;
	struct rs_catline *cl = make_catline();
	struct rs_tree *tree;
	struct rs_blend b;
	struct rs_error err;
	struct rs_row rows[10];
	int n;

	rs_replay_params_init(&p);
	p.kmax = 10;
	CHECK(cl != NULL);
	CHECK(rs_tree_build(&tree, tree_rows, 3, NULL, &err) == 0);
	CHECK(rs_replay_create(&r, ev, 7, &p, &err) == 0);
	CHECK(rs_replay_set_categories(r, cl, tree, &err) == 0);
	CHECK(rs_replay_prepare(r, rq, 4, &err) == 0);
	CHECK(rs_replay_work_create(&w, r, &err) == 0);
	CHECK(rs_blend_parse("category", &b, &err) == 0);
	/*
	 * t = 100: 101 (2 views), 105 (1), then parent: 104 (1); then the
	 * untouched before t (0), group after group: 102 (10), 103 (11)
	 */
	n = rs_replay_answer(r, w, 0, &b, 10, rows, &err);
	CHECK_EQ_U64(n, 5);
	if (n == 5) {
		CHECK_EQ_U64(rows[0].item, 101);
		CHECK_EQ_U64(rows[1].item, 105);
		CHECK_EQ_U64(rows[2].item, 104);
		CHECK_EQ_U64(rows[3].item, 102);
		CHECK_EQ_U64(rows[4].item, 103);
		CHECK_NEAR(rows[0].score, 2, 0);
		CHECK_NEAR(rows[3].score, 0, 0);
		CHECK_EQ_U64(rows[0].source, RS_SRC_CATEGORY);
	}
	/* t = 300: 102's add-to-cart (5) counts, 102 still in 10 */
	n = rs_replay_answer(r, w, 1, &b, 10, rows, &err);
	CHECK_EQ_U64(n, 5);
	if (n == 5) {
		CHECK_EQ_U64(rows[0].item, 102);
		CHECK_NEAR(rows[0].score, 5, 0);
		CHECK_EQ_U64(rows[1].item, 101);
		CHECK_EQ_U64(rows[4].item, 103);
	}
	/* t = 650: 102 is in 11 now, reached by the back-off after 10 */
	n = rs_replay_answer(r, w, 2, &b, 10, rows, &err);
	CHECK_EQ_U64(n, 5);
	if (n == 5) {
		CHECK_EQ_U64(rows[0].item, 101);
		CHECK_EQ_U64(rows[1].item, 105);
		CHECK_EQ_U64(rows[2].item, 102);
		CHECK_EQ_U64(rows[3].item, 104);
		CHECK_EQ_U64(rows[4].item, 103);
	}
	/* a visitor without events: no context, no rows */
	CHECK_EQ_U64(rs_replay_answer(r, w, 3, &b, 10, rows, &err), 0);
	rs_replay_work_free(w);
	rs_replay_free(r);
	rs_tree_free(tree);
	rs_catline_free(cl);
}

/* Without category data the engine has no category source. */
static void
test_category__no_data_no_source(void)
{
	struct rs_engine_params p;
	struct rs_engine *e;
	struct rs_error err;

	rs_engine_params_init(&p);
	CHECK(rs_engine_create(&e, &p, &err) == 0);
	CHECK(rs_engine_prepare(e, &err) == 0);
	CHECK(!rs_engine_has_source(e, RS_SRC_CATEGORY));
	rs_engine_free(e);
	CHECK_STR(rs_source_name(RS_SRC_CATEGORY), "category");
}

int
main(void)
{
	RUN(test_category__timeline);
	RUN(test_category__popular_model);
	RUN(test_category__popular_walk_equals_heap);
	RUN(test_category__replay_causal);
	RUN(test_category__no_data_no_source);
	return tap_done();
}
