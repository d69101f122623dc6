/*
 * test_csr.c - unit tests for lib/csr.c: allocation, transpose, lookups,
 * the matrix stream round trip, and rs_csr_read's checks on bad streams.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

/*
 * The 3 x 4 matrix
 *        c10 c20 c30 c40
 *   r5  [ 1   .   2   . ]
 *   r7  [ .   .   .   . ]
 *   r9  [ .   3   4   5 ]
 */
static struct rs_csr *
sample(void)
{
	static const uint64_t indptr[] = { 0, 2, 2, 5 };
	static const uint32_t indices[] = { 0, 2, 1, 2, 3 };
	static const float values[] = { 1, 2, 3, 4, 5 };
	static const uint64_t rows[] = { 5, 7, 9 }, cols[] = { 10, 20, 30, 40 };
	struct rs_csr *m;

	if (rs_csr_alloc(&m, 3, 4, 5, NULL) < 0)
		return NULL;
	memcpy(m->indptr, indptr, sizeof(indptr));
	memcpy(m->indices, indices, sizeof(indices));
	memcpy(m->values, values, sizeof(values));
	memcpy(m->row_ids, rows, sizeof(rows));
	memcpy(m->col_ids, cols, sizeof(cols));
	return m;
}

/* A temporary file holding what write() produced, rewound. */
static FILE *
written(const struct rs_csr *m, int raw)
{
	static const struct rs_meta meta[] = {
		{ "row_name", "visitorid" }, { "col_name", "itemid" }
	};
	struct rs_writer_opts o;
	FILE *f = tmpfile();

	rs_writer_opts_init(&o);
	o.raw = raw;
	if (f == NULL || rs_csr_write(m, fileno(f), "t", meta, 2, &o,
	    NULL) < 0)
		return NULL;
	rewind(f);
	return f;
}

static int
read_back(FILE *f, struct rs_csr **out, struct rs_error *err)
{
	struct rs_reader *r;
	int rc;

	*out = NULL;
	if ((rc = rs_reader_open(&r, fileno(f), "t", err)) < 0)
		return rc;
	rc = rs_csr_read(r, out, err);
	rs_reader_free(r);
	return rc;
}

static int
same(const struct rs_csr *a, const struct rs_csr *b)
{
	return a->nrows == b->nrows && a->ncols == b->ncols &&
	    a->nnz == b->nnz &&
	    memcmp(a->indptr, b->indptr, (a->nrows + 1) * 8) == 0 &&
	    memcmp(a->indices, b->indices, a->nnz * 4) == 0 &&
	    memcmp(a->values, b->values, a->nnz * 4) == 0 &&
	    memcmp(a->row_ids, b->row_ids, a->nrows * 8) == 0 &&
	    memcmp(a->col_ids, b->col_ids, a->ncols * 8) == 0;
}

static void
test_csr__round_trip(void)
{
	struct rs_csr *m = sample(), *back;
	struct rs_error err;
	struct rs_reader *r;
	FILE *f;
	int raw;

	CHECK(m != NULL);
	CHECK(rs_csr_check(m, "t", &err) == 0);
	for (raw = 0; raw <= 1; raw++) {
		f = written(m, raw);
		CHECK(f != NULL);
		CHECK(rs_reader_open(&r, fileno(f), "t", &err) == 0);
		CHECK_STR(rs_reader_meta(r, "row_name"), "visitorid");
		CHECK(rs_csr_read(r, &back, &err) == 0);
		CHECK(back != NULL && same(m, back));
		rs_reader_free(r);
		rs_csr_free(back);
		fclose(f);
	}
	rs_csr_free(m);
}

static void
test_csr__empty_round_trip(void)
{
	struct rs_csr *m, *back;
	struct rs_error err;
	FILE *f;

	CHECK(rs_csr_alloc(&m, 0, 0, 0, &err) == 0);
	f = written(m, 0);
	CHECK(f != NULL);
	CHECK(read_back(f, &back, &err) == 0);
	CHECK(back != NULL && back->nrows == 0 && back->ncols == 0 &&
	    back->nnz == 0);
	rs_csr_free(back);
	rs_csr_free(m);
	fclose(f);
}

static void
test_csr__transpose(void)
{
	struct rs_csr *m = sample(), *t, *tt;
	struct rs_error err;

	CHECK(rs_csr_transpose(m, &t, &err) == 0);
	CHECK_EQ_U64(t->nrows, 4);
	CHECK_EQ_U64(t->ncols, 3);
	CHECK_EQ_U64(t->nnz, 5);
	/* c10: r5=1; c20: r9=3; c30: r5=2, r9=4; c40: r9=5 */
	CHECK_EQ_U64(t->indptr[1], 1);
	CHECK_EQ_U64(t->indptr[2], 2);
	CHECK_EQ_U64(t->indptr[3], 4);
	CHECK_EQ_U64(t->indptr[4], 5);
	CHECK_EQ_U64(t->indices[2], 0);
	CHECK_EQ_U64(t->indices[3], 2);
	CHECK(t->values[2] == 2.0f && t->values[3] == 4.0f);
	CHECK_EQ_U64(t->row_ids[3], 40);
	CHECK_EQ_U64(t->col_ids[1], 7);
	CHECK(rs_csr_check(t, "t", &err) == 0);
	CHECK(rs_csr_transpose(t, &tt, &err) == 0);
	CHECK(same(m, tt));
	rs_csr_free(tt);
	rs_csr_free(t);
	rs_csr_free(m);
}

static void
test_csr__find(void)
{
	struct rs_csr *m = sample();

	CHECK(rs_csr_find_row(m, 5) == 0);
	CHECK(rs_csr_find_row(m, 9) == 2);
	CHECK(rs_csr_find_row(m, 6) == -1);
	CHECK(rs_csr_find_row(m, 100) == -1);
	CHECK(rs_csr_find_col(m, 10) == 0);
	CHECK(rs_csr_find_col(m, 40) == 3);
	CHECK(rs_csr_find_col(m, 1) == -1);
	rs_csr_free(m);
}

/* Writes m unchecked (rs_csr_write does not validate) and reads it. */
static int
corrupt_read(struct rs_csr *m, struct rs_error *err)
{
	struct rs_csr *back = NULL;
	FILE *f = written(m, 1);
	int rc;

	if (f == NULL)
		return 1;
	rc = read_back(f, &back, err);
	rs_csr_free(back);
	fclose(f);
	return rc;
}

static void
test_csr__read_rejects(void)
{
	struct rs_csr *m;
	struct rs_error err;

	m = sample();
	m->indices[1] = 4;	/* column out of range */
	CHECK(corrupt_read(m, &err) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "column 4 out of range") != NULL);
	rs_csr_free(m);

	m = sample();
	m->indices[3] = 1;	/* row 2 columns 1, 1, 3 */
	CHECK(corrupt_read(m, &err) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "not strictly ascending") != NULL);
	rs_csr_free(m);

	m = sample();
	m->row_ids[2] = 7;	/* duplicate row id */
	CHECK(corrupt_read(m, &err) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "id '7' not above") != NULL);
	rs_csr_free(m);

	m = sample();
	m->col_ids[0] = 20;	/* duplicate column id */
	CHECK(corrupt_read(m, &err) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "column 1: id '20'") != NULL);
	rs_csr_free(m);

	m = sample();
	m->values[4] = NAN;
	CHECK(corrupt_read(m, &err) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "not finite") != NULL);
	rs_csr_free(m);

	m = sample();
	m->indptr[3] = 4;	/* rows claim 4 entries, 5 follow */
	m->nnz = 5;
	CHECK(corrupt_read(m, &err) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "more entries than") != NULL);
	rs_csr_free(m);

	m = sample();
	m->nnz = 4;		/* rows claim 5 entries, 4 follow */
	CHECK(corrupt_read(m, &err) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "add up to 5, but the stream has 4") != NULL);
	rs_csr_free(m);
}

static void
test_csr__read_wrong_kind(void)
{
	struct rs_stream_desc d;
	struct rs_csr *m = NULL;
	struct rs_error err;
	struct rs_reader *r;
	struct rs_writer *w;
	FILE *f = tmpfile();

	CHECK(rs_records_desc(RS_KIND_EVENTS, NULL, 0, &d) == 0);
	CHECK(rs_writer_open(&w, fileno(f), "ev", &d, NULL, &err) == 0);
	CHECK(rs_writer_finish(w, &err) == 0);
	rs_writer_free(w);
	rewind(f);
	CHECK(rs_reader_open(&r, fileno(f), "ev", &err) == 0);
	CHECK(rs_csr_read(r, &m, &err) == RS_EFORMAT);
	CHECK(m == NULL);
	CHECK(strstr(err.msg, "events") != NULL);
	rs_reader_free(r);
	fclose(f);
}

int
main(void)
{
	RUN(test_csr__round_trip);
	RUN(test_csr__empty_round_trip);
	RUN(test_csr__transpose);
	RUN(test_csr__find);
	RUN(test_csr__read_rejects);
	RUN(test_csr__read_wrong_kind);
	return tap_done();
}
