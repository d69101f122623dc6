/*
 * test_items.c - the clean item table: as-of selection (latest record at
 * or before T, ties to the later record), no leakage from after T, ever
 * available, never-available items dropped or kept, roots through the
 * tree, top-N numeric properties per category, bad records, and the
 * stream codec round trip with its lookups.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"

#define NONE RS_ID_NONE
#define NUM RS_PROP_NUMBER
#define CAT RS_PROP_CATEGORYID
#define AV RS_PROP_AVAILABLE

struct rec {
	int64_t ts;
	uint64_t item;
	int kind;
	uint64_t prop;
	const char *value;
};

/* Tree: 1 <- 2 <- 3 <- 4 and 10 <- 11. */
static struct rs_tree *
mktree(void)
{
	const struct rs_tree_row rows[] = {
		{ 1, NONE }, { 2, 1 }, { 3, 2 }, { 4, 3 }, { 10, NONE },
		{ 11, 10 },
	};
	struct rs_tree *t = NULL;

	CHECK(rs_tree_build(&t, rows, 6, NULL, NULL) == 0);
	return t;
}

/* Builds a table from n records with the given parameters. */
static struct rs_items *
build(const struct rs_tree *tree, const struct rec *r, size_t n,
    int64_t as_of, unsigned top_n, int keep, struct rs_items_stats *st)
{
	struct rs_items_params par;
	struct rs_items_builder *b;
	struct rs_items *t = NULL;
	struct rs_error err;
	struct rs_prop p;
	size_t i;

	rs_items_params_init(&par);
	par.as_of = as_of;
	par.top_n = top_n;
	par.keep_never_available = keep;
	CHECK(rs_items_builder_create(&b, &par, tree, &err) == 0);
	for (i = 0; i < n; i++) {
		p.ts = r[i].ts;
		p.item = r[i].item;
		p.kind = (uint8_t)r[i].kind;
		p.property = r[i].kind == NUM ? r[i].prop : NONE;
		p.value = r[i].value;
		p.vlen = (uint32_t)strlen(r[i].value);
		(void)rs_items_builder_add(b, &p, &err);
	}
	CHECK(rs_items_builder_finish(b, &t, st, &err) == 0);
	rs_items_builder_free(b);
	return t;
}

static int
same_item(const struct rs_item *x, const struct rs_item *y)
{
	return x->item == y->item && x->category == y->category &&
	    x->root == y->root && x->available == y->available &&
	    x->ever_available == y->ever_available &&
	    x->first_seen == y->first_seen && x->last_seen == y->last_seen;
}

/* Item 100 moves from category 4 to 11 and flips availability. */
static const struct rec hist[] = {
	{ 3000, 100, CAT, 0, "11" },
	{ 1000, 100, CAT, 0, "4" },
	{ 1000, 100, AV, 0, "0" },
	{ 2000, 100, AV, 0, "1" },
	{ 3000, 100, AV, 0, "0" },
	{ 1000, 100, NUM, 5, "n10.000 77" },
	{ 3000, 100, NUM, 5, "n20.500" },
	{ 2000, 100, NUM, 6, "12345" },
	{ 2500, 100, NUM, 6, "999 n1.250" },
	{ 500, 200, AV, 0, "0" },
	{ 500, 200, CAT, 0, "2" },
};

static void
test_items__as_of_selection(void)
{
	struct rs_tree *tree = mktree();
	struct rs_items *t;
	const struct rs_item *it;
	double v = 0;

	/* Before anything: only item 200 (never available): empty table. */
	t = build(tree, hist, 11, 700, 10, 0, NULL);
	CHECK_EQ_U64(rs_items_count(t), 0);
	CHECK(rs_items_get(t, 100) == NULL);
	rs_items_free(t);

	/* At 1500: category 4 (root 1), not available yet. */
	t = build(tree, hist, 11, 1500, 10, 1, NULL);
	CHECK((it = rs_items_get(t, 100)) != NULL);
	if (it != NULL) {
		CHECK_EQ_U64(it->category, 4);
		CHECK_EQ_U64(it->root, 1);
		CHECK(it->available == 0 && it->ever_available == 0);
		CHECK(it->first_seen == 1000 && it->last_seen == 1000);
	}
	CHECK(rs_items_value(t, 100, 5, &v) == 1 && v == 10.0);
	CHECK(rs_items_value(t, 100, 6, &v) == 0);
	CHECK(rs_items_as_of(t) == 1500);
	rs_items_free(t);

	/* At 2000, inclusive: available now, ever available. */
	t = build(tree, hist, 11, 2000, 10, 0, NULL);
	CHECK(rs_items_available(t, 100) == 1);
	CHECK(rs_items_ever_available(t, 100) == 1);
	CHECK_EQ_U64(rs_items_category(t, 100), 4);
	/* A words-only value is no numeric value. */
	CHECK(rs_items_value(t, 100, 6, &v) == 0);
	rs_items_free(t);

	/* End of data: category 11 (root 10), unavailable, was available. */
	t = build(tree, hist, 11, RS_ITEMS_AS_OF_END, 10, 0, NULL);
	CHECK(rs_items_as_of(t) == 3000);
	CHECK_EQ_U64(rs_items_count(t), 1);
	CHECK_EQ_U64(rs_items_category(t, 100), 11);
	CHECK_EQ_U64(rs_items_root(t, 100), 10);
	CHECK(rs_items_available(t, 100) == 0);
	CHECK(rs_items_ever_available(t, 100) == 1);
	CHECK(rs_items_value(t, 100, 5, &v) == 1 && v == 20.5);
	CHECK(rs_items_value(t, 100, 6, &v) == 1 && v == 1.25);
	CHECK(rs_items_get(t, 200) == NULL);
	rs_items_free(t);
	rs_tree_free(tree);
}

static void
test_items__ties_later_record_wins(void)
{
	const struct rec r[] = {
		{ 1000, 1, CAT, 0, "3" },
		{ 1000, 1, CAT, 0, "11" },
		{ 1000, 1, AV, 0, "1" },
		{ 1000, 1, AV, 0, "0" },
		{ 1000, 1, NUM, 9, "n1.000" },
		{ 1000, 1, NUM, 9, "n2.000" },
	};
	struct rs_tree *tree = mktree();
	struct rs_items *t;
	double v = 0;

	t = build(tree, r, 6, RS_ITEMS_AS_OF_END, 10, 0, NULL);
	CHECK_EQ_U64(rs_items_category(t, 1), 11);
	CHECK(rs_items_available(t, 1) == 0);
	CHECK(rs_items_ever_available(t, 1) == 1);
	CHECK(rs_items_value(t, 1, 9, &v) == 1 && v == 2.0);
	rs_items_free(t);
	rs_tree_free(tree);
}

static void
test_items__no_leakage(void)
{
	/* hist at 2000 and hist plus later records at 2000 must agree. */
	struct rec more[20];
	const struct rec later[] = {
		{ 2001, 100, CAT, 0, "3" },
		{ 2001, 100, NUM, 5, "n99.000" },
		{ 2001, 100, NUM, 7, "n1.000" },
		{ 9000, 300, AV, 0, "1" },
		{ 9000, 200, AV, 0, "1" },
		{ 2001, 100, AV, 0, "0" },
	};
	struct rs_tree *tree = mktree();
	struct rs_items *a, *b;
	struct rs_items_stats sa, sb;
	const struct rs_item *x, *y;
	double va, vb;
	size_t i;

	memcpy(more, hist, sizeof(hist));
	memcpy(more + 11, later, sizeof(later));
	a = build(tree, hist, 11, 2000, 10, 1, &sa);
	b = build(tree, more, 17, 2000, 10, 1, &sb);
	CHECK_EQ_U64(rs_items_count(a), rs_items_count(b));
	CHECK_EQ_U64(sb.after, sa.after + 6);
	CHECK_EQ_U64(sa.seen, sb.seen);
	for (i = 0; i < rs_items_count(a) && i < rs_items_count(b); i++) {
		x = rs_items_at(a, i);
		y = rs_items_at(b, i);
		CHECK(same_item(x, y));
	}
	CHECK(rs_items_value(a, 100, 5, &va) == 1);
	CHECK(rs_items_value(b, 100, 5, &vb) == 1 && va == vb);
	CHECK(rs_items_value(b, 100, 7, &vb) == 0);
	CHECK(rs_items_get(b, 300) == NULL);
	rs_items_free(a);
	rs_items_free(b);
	rs_tree_free(tree);
}

static void
test_items__never_available(void)
{
	struct rs_tree *tree = mktree();
	struct rs_items_stats st;
	struct rs_items *t;

	t = build(tree, hist, 11, RS_ITEMS_AS_OF_END, 10, 0, &st);
	CHECK_EQ_U64(st.seen, 2);
	CHECK_EQ_U64(st.never, 1);
	CHECK_EQ_U64(st.kept, 1);
	rs_items_free(t);
	t = build(tree, hist, 11, RS_ITEMS_AS_OF_END, 10, 1, &st);
	CHECK_EQ_U64(st.kept, 2);
	CHECK(rs_items_get(t, 200) != NULL);
	CHECK(rs_items_ever_available(t, 200) == 0);
	CHECK_EQ_U64(rs_items_root(t, 200), 1);
	rs_items_free(t);
	rs_tree_free(tree);
}

static void
test_items__top_n_per_category(void)
{
	/*
	 * Category 4: items 1, 2, 3.  Property 50 on all three, 40 on two,
	 * 30 and 60 on one each (tie: 30 before 60).  Category 11: item 4
	 * with property 60 only.
	 */
	const struct rec r[] = {
		{ 1, 1, CAT, 0, "4" }, { 1, 2, CAT, 0, "4" },
		{ 1, 3, CAT, 0, "4" }, { 1, 4, CAT, 0, "11" },
		{ 1, 1, AV, 0, "1" }, { 1, 2, AV, 0, "1" },
		{ 1, 3, AV, 0, "1" }, { 1, 4, AV, 0, "1" },
		{ 1, 1, NUM, 50, "n1.000" }, { 1, 2, NUM, 50, "n2.000" },
		{ 1, 3, NUM, 50, "n3.000" }, { 1, 1, NUM, 40, "n4.000" },
		{ 1, 2, NUM, 40, "n5.000" }, { 1, 3, NUM, 60, "n6.000" },
		{ 1, 1, NUM, 30, "n7.000" }, { 1, 4, NUM, 60, "n8.000" },
	};
	struct rs_tree *tree = mktree();
	const struct rs_catprop *cp;
	struct rs_items *t;
	double v = 0;
	size_t n;

	t = build(tree, r, 16, RS_ITEMS_AS_OF_END, 3, 0, NULL);
	n = rs_items_catprops(t, &cp);
	CHECK_EQ_U64(n, 4);
	if (n == 4) {
		CHECK(cp[0].category == 4 && cp[0].rank == 1 &&
		    cp[0].property == 50 && cp[0].nitems == 3);
		CHECK(cp[1].category == 4 && cp[1].rank == 2 &&
		    cp[1].property == 40 && cp[1].nitems == 2);
		CHECK(cp[2].category == 4 && cp[2].rank == 3 &&
		    cp[2].property == 30 && cp[2].nitems == 1);
		CHECK(cp[3].category == 11 && cp[3].rank == 1 &&
		    cp[3].property == 60);
	}
	/* 60 is not kept for category 4, but it is for 11. */
	CHECK(rs_items_value(t, 3, 60, &v) == 0);
	CHECK(rs_items_value(t, 4, 60, &v) == 1 && v == 8.0);
	CHECK(rs_items_value(t, 3, 40, &v) == 0);
	rs_items_free(t);
	t = build(tree, r, 16, RS_ITEMS_AS_OF_END, 0, 0, NULL);
	CHECK_EQ_U64(rs_items_catprops(t, &cp), 0);
	CHECK(rs_items_value(t, 1, 50, &v) == 0);
	rs_items_free(t);
	rs_tree_free(tree);
}

static void
test_items__bad_records(void)
{
	const struct rec r[] = {
		{ 1, 1, CAT, 0, "99" },
		{ 1, 1, CAT, 0, "x" },
		{ 1, 1, CAT, 0, "" },
		{ 1, 1, AV, 0, "2" },
		{ 1, 1, AV, 0, "10" },
		{ 1, 1, NUM, 5, "n1.2.3" },
		{ 1, 1, NUM, 5, "n4.000 nx" },
		{ 2, 1, AV, 0, "1" },
	};
	struct rs_items_params par;
	struct rs_items_builder *b;
	struct rs_tree *tree = mktree();
	struct rs_items_stats st;
	struct rs_items *t;
	struct rs_error err;
	struct rs_prop p;
	double v = 0;

	t = build(tree, r, 8, RS_ITEMS_AS_OF_END, 10, 0, &st);
	CHECK_EQ_U64(st.bad, 7);
	CHECK_EQ_U64(st.records, 8);
	/* Bad records are skipped whole: no first_seen at 1, no category. */
	CHECK(rs_items_get(t, 1) != NULL && rs_items_get(t, 1)->first_seen == 2);
	CHECK_EQ_U64(rs_items_category(t, 1), NONE);
	CHECK(rs_items_value(t, 1, 5, &v) == 0);
	rs_items_free(t);

	rs_items_params_init(&par);
	CHECK(rs_items_builder_create(&b, &par, tree, &err) == 0);
	p.ts = 1;
	p.item = 7;
	p.kind = AV;
	p.property = NONE;
	p.value = "2";
	p.vlen = 1;
	CHECK(rs_items_builder_add(b, &p, &err) == RS_EINPUT);
	CHECK_STR(err.msg, "item '7': available value '2' is not 0 or 1");
	p.kind = CAT;
	p.value = "99";
	p.vlen = 2;
	CHECK(rs_items_builder_add(b, &p, &err) == RS_EINPUT);
	CHECK_STR(err.msg, "item '7': categoryid '99' is not in the category "
	    "tree");
	rs_items_builder_free(b);
	par.top_n = 256;
	CHECK(rs_items_builder_create(&b, &par, tree, &err) == RS_EARG);
	rs_tree_free(tree);
}

static void
test_items__stream_round_trip(void)
{
	char path[] = "/tmp/test_items.XXXXXX";
	const struct rs_meta meta[] = { { "tool", "test_items" } };
	struct rs_writer_opts o;
	struct rs_tree *tree = mktree();
	struct rs_items *t, *u = NULL;
	struct rs_reader *r;
	struct rs_error err;
	const struct rs_item_value *vals;
	double v = 0;
	size_t i;
	int fd;

	t = build(tree, hist, 11, RS_ITEMS_AS_OF_END, 10, 1, NULL);
	rs_writer_opts_init(&o);
	CHECK((fd = mkstemp(path)) >= 0);
	CHECK(rs_items_write(t, fd, path, meta, 1, &o, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_reader_open(&r, fd, path, &err) == 0);
	CHECK_STR(rs_reader_meta(r, "as_of"), "3000");
	CHECK(rs_items_read(r, &u, &err) == 0);
	rs_reader_free(r);
	if (u != NULL) {
		CHECK_EQ_U64(rs_items_count(u), rs_items_count(t));
		for (i = 0; i < rs_items_count(t); i++)
			CHECK(same_item(rs_items_at(t, i), rs_items_at(u, i)));
		CHECK(rs_items_as_of(u) == 3000);
		CHECK(rs_items_top_n(u) == 10);
		CHECK(rs_items_value(u, 100, 5, &v) == 1 && v == 20.5);
		CHECK_EQ_U64(rs_items_row_values(u, 0, &vals), 2);
		CHECK_EQ_U64(vals[0].property, 5);
		CHECK_EQ_U64(vals[1].property, 6);
		CHECK_EQ_U64(rs_items_find(u, 200), 1);
		CHECK(rs_items_find(u, 12345) == -1);
		CHECK(rs_items_available(u, 12345) == 0);
		CHECK_EQ_U64(rs_items_root(u, 12345), NONE);
	}
	rs_items_free(u);
	rs_items_free(t);

	/* A props stream is not an item table. */
	{
		struct rs_stream_desc d;
		struct rs_writer *w;

		CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
		CHECK(rs_records_desc(RS_KIND_TREE, NULL, 0, &d) == 0);
		CHECK(rs_writer_open(&w, fd, path, &d, &o, &err) == 0);
		CHECK(rs_writer_finish(w, &err) == 0);
		rs_writer_free(w);
		CHECK(lseek(fd, 0, SEEK_SET) == 0);
		CHECK(rs_reader_open(&r, fd, path, &err) == 0);
		u = NULL;
		CHECK(rs_items_read(r, &u, &err) == RS_EFORMAT);
		CHECK(u == NULL);
		rs_reader_free(r);
	}
	close(fd);
	unlink(path);
	rs_tree_free(tree);
}

int
main(void)
{
	RUN(test_items__as_of_selection);
	RUN(test_items__ties_later_record_wins);
	RUN(test_items__no_leakage);
	RUN(test_items__never_available);
	RUN(test_items__top_n_per_category);
	RUN(test_items__bad_records);
	RUN(test_items__stream_round_trip);
	return tap_done();
}
