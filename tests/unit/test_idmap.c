/*
 * test_idmap.c - the id map: first-seen dense indices, lookups, growth
 * past many resizes, extreme ids; the binary search over sorted id arrays.
 */
#include "rs.h"
#include "tap.h"

static void
test_idmap__intern_and_find(void)
{
	struct rs_idmap *m;

	CHECK(rs_idmap_create(&m, 0) == 0);
	CHECK(rs_idmap_intern(m, 42) == 0);
	CHECK(rs_idmap_intern(m, 7) == 1);
	CHECK(rs_idmap_intern(m, 42) == 0);
	CHECK(rs_idmap_intern(m, 0) == 2);
	CHECK(rs_idmap_intern(m, UINT64_MAX) == 3);
	CHECK(rs_idmap_find(m, 7) == 1);
	CHECK(rs_idmap_find(m, 8) == -1);
	CHECK(rs_idmap_find(m, UINT64_MAX) == 3);
	CHECK_EQ_U64(rs_idmap_size(m), 4);
	CHECK_EQ_U64(rs_idmap_ids(m)[0], 42);
	CHECK_EQ_U64(rs_idmap_ids(m)[3], UINT64_MAX);
	rs_idmap_free(m);
	rs_idmap_free(NULL);
}

static void
test_idmap__many(void)
{
	struct rs_idmap *m;
	uint64_t i, n = 300000;
	int bad = 0;

	CHECK(rs_idmap_create(&m, 10) == 0);
	for (i = 0; i < n; i++)
		if (rs_idmap_intern(m, i * 1000003u) != (int64_t)i)
			bad++;
	for (i = 0; i < n; i++)
		if (rs_idmap_find(m, i * 1000003u) != (int64_t)i ||
		    rs_idmap_ids(m)[i] != i * 1000003u)
			bad++;
	CHECK(rs_idmap_find(m, 1) == -1);
	CHECK(bad == 0);
	CHECK_EQ_U64(rs_idmap_size(m), n);
	rs_idmap_free(m);
}

static void
test_idmap__bsearch(void)
{
	static const uint64_t ids[] = { 0, 3, 3, 9, UINT64_MAX };

	CHECK(rs_ids_bsearch(ids, 5, 0) == 0);
	CHECK(rs_ids_bsearch(ids, 5, 3) == 1);
	CHECK(rs_ids_bsearch(ids, 5, 9) == 3);
	CHECK(rs_ids_bsearch(ids, 5, UINT64_MAX) == 4);
	CHECK(rs_ids_bsearch(ids, 5, 4) == -1);
	CHECK(rs_ids_bsearch(ids, 4, UINT64_MAX) == -1);
	CHECK(rs_ids_bsearch(ids, 0, 0) == -1);
	CHECK(rs_ids_bsearch(NULL, 0, 1) == -1);
}

int
main(void)
{
	RUN(test_idmap__intern_and_find);
	RUN(test_idmap__many);
	RUN(test_idmap__bsearch);
	return tap_done();
}
