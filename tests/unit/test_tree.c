/*
 * test_tree.c - the category tree: exact roots and depths on hand-built
 * trees (a chain, several roots, an orphan, a 2-cycle, a self-loop,
 * duplicate rows), independence of row order for cycle cuts, and reading
 * a tree stream (and refusing a stream of another kind).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"

#define NONE RS_ID_NONE

static void
test_tree__chain(void)
{
	/* 1 <- 2 <- 3 <- 4, listed leaf first. */
	const struct rs_tree_row rows[] = {
		{ 4, 3 }, { 3, 2 }, { 2, 1 }, { 1, NONE },
	};
	struct rs_tree_report rep;
	struct rs_tree *t;

	CHECK(rs_tree_build(&t, rows, 4, &rep, NULL) == 0);
	CHECK_EQ_U64(rs_tree_size(t), 4);
	CHECK_EQ_U64(rs_tree_root(t, 4), 1);
	CHECK_EQ_U64(rs_tree_root(t, 1), 1);
	CHECK(rs_tree_depth(t, 4) == 3);
	CHECK(rs_tree_depth(t, 2) == 1);
	CHECK(rs_tree_depth(t, 1) == 0);
	CHECK_EQ_U64(rs_tree_parent(t, 4), 3);
	CHECK_EQ_U64(rs_tree_parent(t, 1), NONE);
	CHECK_EQ_U64(rep.rows, 4);
	CHECK_EQ_U64(rep.categories, 4);
	CHECK_EQ_U64(rep.roots, 1);
	CHECK_EQ_U64(rep.max_depth, 3);
	CHECK_EQ_U64(rep.orphans + rep.cycles + rep.duplicates, 0);
	CHECK_EQ_U64(rs_tree_root(t, 99), NONE);
	CHECK(rs_tree_depth(t, 99) == -1);
	CHECK(!rs_tree_has(t, 99));
	CHECK(rs_tree_has(t, 3));
	rs_tree_free(t);
}

static void
test_tree__dirty(void)
{
	/*
	 * Roots 10 and 20; 11 -> 10; 12 -> 11; 21 -> 20; 30 -> 999 (orphan);
	 * 31 -> 30; 40 <-> 41 (a 2-cycle) with 42 -> 41 hanging off it;
	 * 50 -> 50 (self-loop); 11 again with parent 20 (a conflicting
	 * duplicate, ignored: first wins) and 21 again unchanged.
	 */
	const struct rs_tree_row rows[] = {
		{ 12, 11 }, { 10, NONE }, { 11, 10 }, { 20, NONE }, { 21, 20 },
		{ 30, 999 }, { 31, 30 }, { 42, 41 }, { 41, 40 }, { 40, 41 },
		{ 50, 50 }, { 11, 20 }, { 21, 20 },
	};
	struct rs_tree_report rep;
	struct rs_tree *t;

	CHECK(rs_tree_build(&t, rows, sizeof(rows) / sizeof(rows[0]), &rep,
	    NULL) == 0);
	CHECK_EQ_U64(rep.rows, 13);
	CHECK_EQ_U64(rep.categories, 11);
	CHECK_EQ_U64(rep.roots, 2);
	CHECK_EQ_U64(rep.duplicates, 2);
	CHECK_EQ_U64(rep.conflicts, 1);
	CHECK_EQ_U64(rep.orphans, 1);
	CHECK_EQ_U64(rep.cycles, 2);
	CHECK_EQ_U64(rep.on_cycles, 3);
	CHECK_EQ_U64(rep.max_depth, 2);
	CHECK_EQ_U64(rs_tree_root(t, 12), 10);
	CHECK(rs_tree_depth(t, 12) == 2);
	CHECK_EQ_U64(rs_tree_root(t, 11), 10);
	CHECK_EQ_U64(rs_tree_root(t, 21), 20);
	CHECK_EQ_U64(rs_tree_root(t, 30), 30);
	CHECK_EQ_U64(rs_tree_parent(t, 30), NONE);
	CHECK_EQ_U64(rs_tree_root(t, 31), 30);
	CHECK(rs_tree_depth(t, 31) == 1);
	/* The cycle is cut at its smallest id, 40. */
	CHECK_EQ_U64(rs_tree_root(t, 40), 40);
	CHECK(rs_tree_depth(t, 40) == 0);
	CHECK_EQ_U64(rs_tree_root(t, 41), 40);
	CHECK(rs_tree_depth(t, 41) == 1);
	CHECK_EQ_U64(rs_tree_root(t, 42), 40);
	CHECK(rs_tree_depth(t, 42) == 2);
	CHECK_EQ_U64(rs_tree_root(t, 50), 50);
	CHECK(rs_tree_depth(t, 50) == 0);
	CHECK_EQ_U64(rs_tree_parent(t, 50), NONE);
	CHECK(!rs_tree_has(t, 999));
	rs_tree_free(t);
}

static void
test_tree__cycle_order(void)
{
	/* A 3-cycle 7 -> 5 -> 9 -> 7 in every rotation cuts at 5. */
	const struct rs_tree_row rows[] = { { 7, 5 }, { 5, 9 }, { 9, 7 } };
	struct rs_tree_row r[3];
	struct rs_tree_report rep;
	struct rs_tree *t;
	int s, i;

	for (s = 0; s < 3; s++) {
		for (i = 0; i < 3; i++)
			r[i] = rows[(i + s) % 3];
		CHECK(rs_tree_build(&t, r, 3, &rep, NULL) == 0);
		CHECK_EQ_U64(rep.cycles, 1);
		CHECK_EQ_U64(rep.on_cycles, 3);
		CHECK_EQ_U64(rs_tree_root(t, 7), 5);
		CHECK_EQ_U64(rs_tree_root(t, 9), 5);
		CHECK(rs_tree_depth(t, 7) == 1);
		CHECK(rs_tree_depth(t, 9) == 2);
		rs_tree_free(t);
	}
}

static void
test_tree__empty(void)
{
	const struct rs_tree_row bad[] = { { 1, NONE }, { NONE, 1 } };
	struct rs_tree_report rep;
	struct rs_error err;
	struct rs_tree *t;

	CHECK(rs_tree_build(&t, NULL, 0, &rep, NULL) == 0);
	CHECK_EQ_U64(rs_tree_size(t), 0);
	CHECK_EQ_U64(rep.max_depth, 0);
	rs_tree_free(t);
	rs_tree_free(NULL);
	CHECK(rs_tree_build(&t, bad, 2, NULL, &err) == RS_EINPUT);
	CHECK(t == NULL);
	CHECK_STR(err.msg, "tree row 2: empty category id");
}

/* Writes rows as a raw stream of kind to a temp file; returns its fd. */
static int
write_stream(unsigned kind, const struct rs_tree_row *rows, size_t n)
{
	struct rs_stream_desc d;
	struct rs_writer_opts o;
	struct rs_writer *w;
	struct rs_error err;
	struct rs_event ev = { 0, 1, 2, NONE, 0 };
	unsigned char rec[64];
	char path[] = "/tmp/rs-test-tree.XXXXXX";
	size_t i;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	CHECK(rs_records_desc(kind, NULL, 0, &d) == 0);
	rs_writer_opts_init(&o);
	o.raw = 1;
	CHECK(rs_writer_open(&w, fd, path, &d, &o, &err) == 0);
	for (i = 0; i < n; i++) {
		if (kind == RS_KIND_TREE) {
			rs_tree_encode(rec, &rows[i]);
			CHECK(rs_writer_put(w, rec, RS_TREE_WIDTH, &err) == 0);
		} else {
			rs_event_encode(rec, &ev);
			CHECK(rs_writer_put(w, rec, RS_EVENT_WIDTH, &err) ==
			    0);
		}
	}
	CHECK(rs_writer_finish(w, &err) == 0);
	rs_writer_free(w);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

static void
test_tree__read(void)
{
	const struct rs_tree_row rows[] = {
		{ 2, 1 }, { 1, NONE }, { 3, 2 }, { 4, 77 },
	};
	struct rs_tree_report rep;
	struct rs_reader *r;
	struct rs_error err;
	struct rs_tree *t;
	int fd;

	fd = write_stream(RS_KIND_TREE, rows, 4);
	CHECK(rs_reader_open(&r, fd, "tree.rse", &err) == 0);
	CHECK(rs_tree_read(r, &t, &rep, &err) == 0);
	CHECK_EQ_U64(rep.categories, 4);
	CHECK_EQ_U64(rep.roots, 1);
	CHECK_EQ_U64(rep.orphans, 1);
	CHECK_EQ_U64(rep.max_depth, 2);
	CHECK_EQ_U64(rs_tree_root(t, 3), 1);
	CHECK_EQ_U64(rs_tree_root(t, 4), 4);
	rs_tree_free(t);
	rs_reader_free(r);
	close(fd);

	fd = write_stream(RS_KIND_EVENTS, NULL, 2);
	CHECK(rs_reader_open(&r, fd, "events.rse", &err) == 0);
	CHECK(rs_tree_read(r, &t, &rep, &err) == RS_EFORMAT);
	CHECK(t == NULL);
	CHECK(strstr(err.msg, "events.rse") != NULL);
	rs_reader_free(r);
	close(fd);
}

int
main(void)
{
	RUN(test_tree__chain);
	RUN(test_tree__dirty);
	RUN(test_tree__cycle_order);
	RUN(test_tree__empty);
	RUN(test_tree__read);
	return tap_done();
}
