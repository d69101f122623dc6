/*
 * test_avail.c - the availability timeline on hand-built property
 * streams: strictly-before lookup (a snapshot at t itself does not count
 * yet), unknown items and times before the first snapshot count as
 * available, two files whose snapshots interleave in time give the same
 * answers as one sorted file, same-time conflicts resolve to available,
 * only changes are kept, and bad input (a bad value, another stream
 * kind) is an error naming the file.  Every answer is checked against a
 * direct scan of the snapshots.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

#define NONE RS_ID_NONE

struct snap {
	int64_t ts;
	uint64_t item;
	const char *v;		/* the value text; NULL: a numeric property */
};

/*
 * Item 10: 1 at 100, 0 at 200, 0 at 300 (no change), 1 at 400.
 * Item 20: 0 at 100 and nothing else.  Item 30: only 1s.
 * Item 40: 0 and 1 at the same time 200 (available wins), 0 at 300.
 * Numeric and categoryid rows of item 10 and 50 are ignored.
 */
static const struct snap part1[] = {
	{ 400, 10, "1" },
	{ 100, 20, "0" },
	{ 200, 10, "0" },
	{ 100, 30, "1" },
	{ 200, 40, "0" },
	{ 150, 10, NULL },
	{ 150, 50, NULL },
};
static const struct snap part2[] = {
	{ 300, 10, "0" },
	{ 200, 30, "1" },
	{ 100, 10, "1" },
	{ 200, 40, "1" },
	{ 300, 40, "0" },
};
#define N1 (sizeof(part1) / sizeof(part1[0]))
#define N2 (sizeof(part2) / sizeof(part2[0]))

/* Writes the snapshots as a props stream into a temporary file. */
static int
props_file(char *path, const struct snap *s, size_t n)
{
	struct rs_stream_desc d;
	struct rs_writer *w;
	struct rs_error err;
	unsigned char buf[256];
	size_t i;
	int fd;

	CHECK((fd = mkstemp(path)) >= 0);
	CHECK(rs_records_desc(RS_KIND_PROPS, NULL, 0, &d) == 0);
	CHECK(rs_writer_open(&w, fd, path, &d, NULL, &err) == 0);
	for (i = 0; i < n; i++) {
		struct rs_prop p = { s[i].ts, s[i].item, s[i].v ? NONE : 7,
		    s[i].v ? s[i].v : "n5.000", 0, s[i].v ? RS_PROP_AVAILABLE :
		    RS_PROP_NUMBER };

		p.vlen = (uint32_t)strlen(p.value);
		CHECK(rs_writer_put(w, buf, rs_prop_encode(buf, &p),
		    &err) == 0);
	}
	CHECK(rs_writer_finish(w, &err) == 0);
	rs_writer_free(w);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

static int
read_into(struct rs_avail *a, int fd, const char *path, struct rs_error *err)
{
	struct rs_reader *r;
	int rc;

	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	if ((rc = rs_reader_open(&r, fd, path, err)) < 0)
		return rc;
	rc = rs_avail_read(a, r, err);
	rs_reader_free(r);
	return rc;
}

/*
 * The definition, directly: the latest snapshot of item before t over
 * both lists decides; at one time a "1" beats a "0"; none: available.
 */
static int
brute(uint64_t item, int64_t t)
{
	const struct snap *lists[2] = { part1, part2 };
	const size_t ns[2] = { N1, N2 };
	int64_t best = INT64_MIN;
	int v = 1;
	size_t l, i;

	for (l = 0; l < 2; l++)
		for (i = 0; i < ns[l]; i++) {
			const struct snap *s = &lists[l][i];

			if (s->item != item || s->v == NULL || s->ts >= t)
				continue;
			if (s->ts > best) {
				best = s->ts;
				v = s->v[0] == '1';
			} else if (s->ts == best && s->v[0] == '1') {
				v = 1;
			}
		}
	return v;
}

static struct rs_avail *
two_files(void)
{
	char p1[] = "/tmp/test_avail1.XXXXXX", p2[] = "/tmp/test_avail2.XXXXXX";
	struct rs_avail *a;
	struct rs_error err;
	int f1 = props_file(p1, part1, N1), f2 = props_file(p2, part2, N2);

	CHECK(rs_avail_create(&a, &err) == 0);
	CHECK(read_into(a, f1, p1, &err) == 0);
	CHECK(read_into(a, f2, p2, &err) == 0);
	CHECK(rs_avail_finish(a, &err) == 0);
	close(f1);
	close(f2);
	unlink(p1);
	unlink(p2);
	return a;
}

static void
test_avail__strictly_before(void)
{
	struct rs_avail *a = two_files();

	/* item 10: the 0 at 200 counts from 201 on, the 1 at 400 from 401 */
	CHECK(rs_avail_at(a, 10, 50) == 1);
	CHECK(rs_avail_at(a, 10, 200) == 1);
	CHECK(rs_avail_at(a, 10, 201) == 0);
	CHECK(rs_avail_at(a, 10, 300) == 0);
	CHECK(rs_avail_at(a, 10, 400) == 0);
	CHECK(rs_avail_at(a, 10, 401) == 1);
	/* item 20 unavailable after its only snapshot, not at it */
	CHECK(rs_avail_at(a, 20, 100) == 1);
	CHECK(rs_avail_at(a, 20, 101) == 0);
	CHECK(rs_avail_at(a, 20, INT64_MAX) == 0);
	rs_avail_free(a);
}

static void
test_avail__unknown_and_ties(void)
{
	struct rs_avail *a = two_files();
	struct rs_avail_stats st;

	/* never a snapshot, or only numeric rows: available */
	CHECK(rs_avail_at(a, 999, 250) == 1);
	CHECK(rs_avail_at(a, 50, 250) == 1);
	CHECK(rs_avail_find(a, 30) == -1);
	CHECK(rs_avail_find(a, 50) == -1);
	/* item 40: 0 and 1 at 200 resolve to 1, then 0 at 300 */
	CHECK(rs_avail_at(a, 40, 250) == 1);
	CHECK(rs_avail_at(a, 40, 301) == 0);
	rs_avail_stats(a, &st);
	CHECK_EQ_U64(st.snapshots, 10);
	CHECK_EQ_U64(st.items, 4);
	/* changes only: 10 at 200 and 400, 20 at 100, 40 at 300 */
	CHECK_EQ_U64(st.changes, 4);
	CHECK_EQ_U64(st.unavailable, 3);
	rs_avail_free(a);
}

static void
test_avail__interleaved_files_match_brute_force(void)
{
	static const uint64_t items[] = { 10, 20, 30, 40, 50, 999 };
	struct rs_avail *a = two_files(), *b;
	struct rs_error err;
	size_t i, k, bad = 0;
	int64_t t;

	/* the same snapshots added one by one, part2 first */
	CHECK(rs_avail_create(&b, &err) == 0);
	for (i = 0; i < N2; i++)
		CHECK(rs_avail_add(b, part2[i].item, part2[i].ts,
		    part2[i].v[0] == '1', &err) == 0);
	for (i = 0; i < N1; i++)
		if (part1[i].v != NULL)
			CHECK(rs_avail_add(b, part1[i].item, part1[i].ts,
			    part1[i].v[0] == '1', &err) == 0);
	CHECK(rs_avail_finish(b, &err) == 0);
	for (k = 0; k < sizeof(items) / sizeof(items[0]); k++)
		for (t = 0; t <= 500; t++)
			if (rs_avail_at(a, items[k], t) != brute(items[k], t) ||
			    rs_avail_at(b, items[k], t) != brute(items[k], t))
				bad++;
	CHECK_EQ_U64(bad, 0);
	CHECK(rs_avail_add(b, 1, 1, 1, &err) == RS_EARG);
	rs_avail_free(a);
	rs_avail_free(b);
}

static void
test_avail__bad_input(void)
{
	static const struct snap badv[] = { { 1, 10, "1" }, { 2, 10, "yes" } };
	char path[] = "/tmp/test_avail3.XXXXXX";
	struct rs_stream_desc d;
	struct rs_writer *w;
	struct rs_avail *a;
	struct rs_error err;
	int fd = props_file(path, badv, 2);

	CHECK(rs_avail_create(&a, &err) == 0);
	CHECK(read_into(a, fd, path, &err) == RS_EINPUT);
	CHECK(strstr(err.msg, path) != NULL);
	CHECK(strstr(err.msg, "record 2: available value 'yes' is not 0 or "
	    "1") != NULL);
	rs_avail_free(a);

	/* an events stream is not a props stream */
	CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_records_desc(RS_KIND_EVENTS, NULL, 0, &d) == 0);
	CHECK(rs_writer_open(&w, fd, path, &d, NULL, &err) == 0);
	CHECK(rs_writer_finish(w, &err) == 0);
	rs_writer_free(w);
	CHECK(rs_avail_create(&a, &err) == 0);
	CHECK(read_into(a, fd, path, &err) == RS_EFORMAT);
	rs_avail_free(a);
	rs_avail_free(NULL);
	close(fd);
	unlink(path);
}

int
main(void)
{
	RUN(test_avail__strictly_before);
	RUN(test_avail__unknown_and_ties);
	RUN(test_avail__interleaved_files_match_brute_force);
	RUN(test_avail__bad_input);
	return tap_done();
}
