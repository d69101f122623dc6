/*
 * test_stream.c - the binary stream: round trips (raw and zstd, fixed and
 * variable-width records, several tables, metadata), and every way a
 * reader must refuse input: not a stream, newer major, header checksum,
 * truncation at every byte, flipped bytes, trailing data, wrong kind.
 * Extent tables (format 2.0) the same, read whole (mapped or copied) and
 * as blocks, plus the writer's and the header's rules for them.
 */
#include <sys/wait.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "crc32c.h"
#include "tap.h"

static const char *const labels[] = { "red", "green" };
static const struct rs_column cols_a[] = {
	{ "id", RS_T_ID, 1, NULL, 0 },
	{ "colour", RS_T_ENUM, 1, labels, 2 },
	{ "vec", RS_T_F32, 3, NULL, 0 },
};
static const struct rs_column cols_b[] = {
	{ "t", RS_T_TIME, 1, NULL, 0 },
	{ "text", RS_T_STR, 1, NULL, 0 },
};
static const struct rs_table_desc tables[] = {
	{ "a", RS_NROWS_UNKNOWN, 3, cols_a },
	{ "b", 3, 2, cols_b },
};
static const struct rs_meta meta[] = {
	{ "tool", "test_stream" }, { "seed", "42" }, { "seed", "43" },
};

/*
 * How make_stream writes table a: record by record (rs_writer_put), or,
 * after three such records, in blocks of FRAME_RECS records with
 * rs_writer_put_block or as frames compressed apart (rs_writer_put_frame).
 */
enum { BY_PUT, BY_BLOCK, BY_FRAME };
#define FRAME_RECS 7

/* Table a's records i0 .. i0 + n - 1 as one block, through frames or not. */
static void
put_a_block(struct rs_writer *w, struct rs_zframe *z, uint32_t i0, uint32_t n)
{
	unsigned char blk[RS_BLOCK_HEAD + 21 * FRAME_RECS], *rec, *fr = NULL;
	size_t cap = 0, flen = 0;
	struct rs_error err;
	uint32_t i;

	for (i = 0; i < n; i++) {
		rec = blk + RS_BLOCK_HEAD + 21 * i;
		rs_put_le64(rec, 1000 + i0 + i);
		rec[8] = (unsigned char)((i0 + i) % 2);
		rs_put_f32(rec + 9, (float)(i0 + i) * 0.5f);
		rs_put_f32(rec + 13, -1.0f / 3.0f);
		rs_put_f32(rec + 17, 1e30f);
	}
	if (z == NULL) {
		CHECK(rs_writer_put_block(w, blk + RS_BLOCK_HEAD, 21 * n, n,
		    &err) == 0);
		return;
	}
	CHECK(rs_zframe_block(z, blk, 21 * n, n, &fr, &cap, &flen, &err) == 0);
	CHECK(rs_writer_put_frame(w, blk + RS_BLOCK_HEAD, 21 * n, n, fr, flen,
	    &err) == 0);
	free(fr);
}

/* Writes the test stream into a memory buffer through a temp file. */
static unsigned char *
make_stream_by(int raw, size_t *len, uint32_t arows, size_t block_bytes,
    int how)
{
	struct rs_zframe *z = NULL;
	struct rs_stream_desc d = { 5, 2, tables, 3, meta };
	struct rs_writer_opts o;
	struct rs_writer *w;
	struct rs_error err;
	unsigned char rec[64], *buf;
	char path[] = "/tmp/rs-test-stream.XXXXXX";
	const char *texts[] = { "", "hello, world", "quote\"d\nline" };
	uint32_t i, n;
	int fd, rc;
	FILE *f;

	fd = mkstemp(path);
	rs_writer_opts_init(&o);
	o.raw = raw;
	if (block_bytes)
		o.block_bytes = block_bytes;
	rc = rs_writer_open(&w, fd, path, &d, &o, &err);
	CHECK(rc == 0);
	if (how == BY_FRAME)
		CHECK(rs_zframe_create(&z, 1, &err) == 0);
	for (i = 0; i < arows; i++) {
		if (how != BY_PUT && i >= 3) {
			n = arows - i < FRAME_RECS ? arows - i : FRAME_RECS;
			put_a_block(w, z, i, n);
			i += n - 1;
			continue;
		}
		rs_put_le64(rec, 1000 + i);
		rec[8] = (unsigned char)(i % 2);
		rs_put_f32(rec + 9, (float)i * 0.5f);
		rs_put_f32(rec + 13, -1.0f / 3.0f);
		rs_put_f32(rec + 17, 1e30f);
		CHECK(rs_writer_put(w, rec, 21, &err) == 0);
	}
	CHECK(rs_writer_end_table(w, &err) == 0);
	for (i = 0; i < 3; i++) {
		n = (uint32_t)strlen(texts[i]);
		rs_put_le64(rec, (uint64_t)-5 + i);
		rs_put_le32(rec + 8, n);
		memcpy(rec + 12, texts[i], n);
		CHECK(rs_writer_put(w, rec, 12 + n, &err) == 0);
	}
	CHECK(rs_writer_finish(w, &err) == 0);
	CHECK_EQ_U64(rs_writer_rows(w, 0), arows);
	rs_writer_free(w);
	rs_zframe_free(z);
	f = fdopen(fd, "rb");
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*len + 1);
	CHECK(fread(buf, 1, *len, f) == *len);
	fclose(f);
	unlink(path);
	return buf;
}

static unsigned char *
make_stream(int raw, size_t *len, uint32_t arows, size_t block_bytes)
{
	return make_stream_by(raw, len, arows, block_bytes, BY_PUT);
}

/* Reads a whole stream from memory; returns 0 or the reader's error. */
static int
read_all(const unsigned char *buf, size_t len, struct rs_error *err,
    uint64_t *rows_a, double *sum)
{
	struct rs_reader *r = NULL;
	struct rs_block b;
	char path[] = "/tmp/rs-test-stream.XXXXXX";
	int fd, rc;
	uint32_t i;

	fd = mkstemp(path);
	if (len && write(fd, buf, len) != (ssize_t)len)
		return -100;
	lseek(fd, 0, SEEK_SET);
	unlink(path);
	*rows_a = 0;
	*sum = 0;
	rc = rs_reader_open(&r, fd, "mem", err);
	while (rc == 0) {
		rc = rs_reader_next(r, &b, err);
		if (rc == 1 && b.table == 0)
			for (i = 0; i < b.nrec; i++)
				*sum += rs_get_f32(b.data + 21 * i + 9);
		if (rc == 0 && rs_reader_done(r))
			break;
		if (rc == 1)
			rc = 0;
		else if (rc == 0)
			rc = 0;
	}
	if (r != NULL)
		*rows_a = rs_reader_rows(r, 0);
	rs_reader_free(r);
	close(fd);
	return rc;
}

static void
test_stream__round_trip(void)
{
	struct rs_reader *r;
	struct rs_block b;
	struct rs_error err;
	unsigned char *buf;
	size_t len;
	int raw, fd, rc, ntext = 0;
	char path[] = "/tmp/rs-test-stream.XXXXXX";

	for (raw = 0; raw <= 1; raw++) {
		buf = make_stream(raw, &len, 1000, 100);
		fd = mkstemp(path);
		CHECK(write(fd, buf, len) == (ssize_t)len);
		lseek(fd, 0, SEEK_SET);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		CHECK(rs_reader_open(&r, fd, "mem", &err) == 0);
		CHECK_EQ_U64(rs_reader_kind(r), 5);
		/* No extent: still written as 1.0, for older readers. */
		CHECK_EQ_U64(rs_reader_major(r), 1);
		CHECK_EQ_U64(rs_reader_layout(r, 0), RS_LAYOUT_BLOCKS);
		CHECK_EQ_U64(rs_reader_ntables(r), 2);
		CHECK_STR(rs_reader_table(r, 0)->name, "a");
		CHECK_STR(rs_reader_table(r, 0)->cols[1].labels[1], "green");
		CHECK_EQ_U64(rs_reader_table(r, 0)->cols[2].count, 3);
		CHECK_EQ_U64(rs_table_record_width(rs_reader_table(r, 0)), 21);
		CHECK_EQ_U64(rs_table_record_width(rs_reader_table(r, 1)), 0);
		CHECK_STR(rs_reader_meta(r, "seed"), "43");
		CHECK(rs_reader_meta(r, "nope") == NULL);
		ntext = 0;
		while ((rc = rs_reader_next(r, &b, &err)) >= 0) {
			if (rc == 0 && rs_reader_done(r))
				break;
			if (rc == 1 && b.table == 1) {
				const unsigned char *p = b.data;
				uint32_t i;

				for (i = 0; i < b.nrec; i++, ntext++) {
					uint32_t n = rs_get_le32(p + 8);

					if (ntext == 2)
						CHECK(n == 12 && memcmp(p + 12,
						    "quote\"d\nline", 12) == 0);
					p += 12 + n;
				}
			}
		}
		CHECK(rc == 0);
		CHECK_EQ_U64(rs_reader_rows(r, 0), 1000);
		CHECK_EQ_U64(rs_reader_rows(r, 1), 3);
		CHECK(ntext == 3);
		rs_reader_free(r);
		close(fd);
		free(buf);
	}
}

static void
test_stream__deterministic(void)
{
	unsigned char *a, *b;
	size_t la, lb;

	a = make_stream(0, &la, 5000, 0);
	b = make_stream(0, &lb, 5000, 0);
	CHECK(la == lb && memcmp(a, b, la) == 0);
	free(a);
	free(b);
}

static void
test_stream__not_a_stream(void)
{
	struct rs_error err;
	uint64_t rows;
	double sum;
	const char csv[] = "timestamp,visitorid,event\n";

	CHECK(read_all((const unsigned char *)csv, sizeof(csv) - 1, &err,
	    &rows, &sum) == RS_EFORMAT);
	CHECK(strstr(err.msg, "mem: not an rs stream") != NULL);
	CHECK(read_all((const unsigned char *)"", 0, &err, &rows, &sum) ==
	    RS_EFORMAT);
	CHECK(strstr(err.msg, "empty input") != NULL);
}

static void
test_stream__newer_major(void)
{
	struct rs_error err;
	unsigned char *buf;
	uint64_t rows;
	double sum;
	size_t len;

	buf = make_stream(1, &len, 10, 0);
	rs_put_le16(buf + 8, RS_STREAM_MAJOR + 1);
	CHECK(read_all(buf, len, &err, &rows, &sum) == RS_EVERSION);
	CHECK(strstr(err.msg, "version 3.0 is newer than this program's 2.0")
	    != NULL);
	free(buf);
}

static void
test_stream__header_checksum(void)
{
	struct rs_error err;
	unsigned char *buf;
	uint64_t rows;
	double sum;
	size_t len;

	buf = make_stream(1, &len, 10, 0);
	buf[30] ^= 0x01;		/* inside the table description */
	CHECK(read_all(buf, len, &err, &rows, &sum) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "header checksum") != NULL);
	free(buf);
}

/* Every proper prefix of a stream must fail, never read as shorter data. */
static void
test_stream__truncated_everywhere(void)
{
	struct rs_error err;
	unsigned char *buf;
	uint64_t rows;
	double sum;
	size_t len, cut;
	int raw, bad = 0, rc;

	for (raw = 0; raw <= 1; raw++) {
		buf = make_stream(raw, &len, 200, 512);
		for (cut = 0; cut < len; cut++) {
			rc = read_all(buf, cut, &err, &rows, &sum);
			if (rc >= 0) {
				printf("#   raw=%d prefix %zu of %zu read as ok\n",
				    raw, cut, len);
				bad++;
			}
		}
		CHECK(read_all(buf, len, &err, &rows, &sum) == 0);
		CHECK_EQ_U64(rows, 200);
		free(buf);
	}
	CHECK(bad == 0);
}

/*
 * Every single-bit flip must fail (checksums) or, where it hits a bit the
 * zstd format ignores (an unused header bit, the window size), decode to
 * exactly the original data: never to other data.
 */
static void
test_stream__flipped_bits(void)
{
	struct rs_error err;
	unsigned char *buf;
	uint64_t rows;
	double sum, want;
	size_t len, i;
	int raw, bad = 0, rc;

	for (raw = 0; raw <= 1; raw++) {
		buf = make_stream(raw, &len, 50, 256);
		CHECK(read_all(buf, len, &err, &rows, &want) == 0);
		for (i = 0; i < len; i++) {
			buf[i] ^= (unsigned char)(1u << (i % 8));
			rc = read_all(buf, len, &err, &rows, &sum);
			buf[i] ^= (unsigned char)(1u << (i % 8));
			if (rc >= 0 && (raw || rows != 50 || sum != want)) {
				printf("#   raw=%d flip at %zu read as other "
				    "data\n", raw, i);
				bad++;
			}
		}
		free(buf);
	}
	CHECK(bad == 0);
}

/*
 * Blocks compressed apart as frames: the same payload as the same blocks
 * written by rs_writer_put_block (byte for byte when raw), read back the
 * same, and still refused when truncated anywhere (also exactly between
 * two frames) or flipped anywhere.
 */
static void
test_stream__frames(void)
{
	struct rs_error err;
	unsigned char *a, *b;
	uint64_t rows;
	double sum, want;
	size_t alen, blen, i;
	int bad = 0, rc;

	a = make_stream_by(1, &alen, 100, 0, BY_BLOCK);
	b = make_stream_by(1, &blen, 100, 0, BY_FRAME);
	CHECK(alen == blen && memcmp(a, b, alen) == 0);
	CHECK(read_all(a, alen, &err, &rows, &want) == 0);
	free(a);
	free(b);
	b = make_stream_by(0, &blen, 100, 0, BY_FRAME);
	CHECK(read_all(b, blen, &err, &rows, &sum) == 0);
	CHECK_EQ_U64(rows, 100);
	CHECK(sum == want);
	for (i = 0; i < blen; i++)
		if (read_all(b, i, &err, &rows, &sum) >= 0) {
			printf("#   prefix %zu of %zu read as ok\n", i, blen);
			bad++;
		}
	for (i = 0; i < blen; i++) {
		b[i] ^= (unsigned char)(1u << (i % 8));
		rc = read_all(b, blen, &err, &rows, &sum);
		b[i] ^= (unsigned char)(1u << (i % 8));
		if (rc >= 0 && (rows != 100 || sum != want)) {
			printf("#   flip at %zu read as other data\n", i);
			bad++;
		}
	}
	CHECK(bad == 0);
	free(b);
}

static void
test_stream__trailing_data(void)
{
	struct rs_error err;
	unsigned char *buf;
	uint64_t rows;
	double sum;
	size_t len;
	int raw;

	for (raw = 0; raw <= 1; raw++) {
		buf = make_stream(raw, &len, 10, 0);
		buf = realloc(buf, len + 5);
		memcpy(buf + len, "junk!", 5);
		CHECK(read_all(buf, len + 5, &err, &rows, &sum) == RS_ECORRUPT);
		CHECK(strstr(err.msg, "after the end") != NULL);
		free(buf);
	}
}

static void
test_stream__expect_kind(void)
{
	struct rs_reader *r;
	struct rs_error err;
	unsigned char *buf;
	size_t len;
	char path[] = "/tmp/rs-test-stream.XXXXXX";
	int fd;

	buf = make_stream(0, &len, 1, 0);
	fd = mkstemp(path);
	CHECK(write(fd, buf, len) == (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	unlink(path);
	CHECK(rs_reader_open(&r, fd, "x.rse", &err) == 0);
	CHECK(rs_reader_expect(r, RS_KIND_MATRIX, &err) == 0);
	CHECK(rs_reader_expect(r, RS_KIND_EVENTS, &err) == RS_EFORMAT);
	CHECK_STR(err.msg, "x.rse: is a 'matrix' stream, expected 'events'");
	rs_reader_free(r);
	close(fd);
	free(buf);
}

static void
test_stream__bad_schema_refused(void)
{
	static const struct rs_column bad[] = {
		{ "s", RS_T_STR, 2, NULL, 0 },
	};
	static const struct rs_table_desc t = { "t", 0, 1, bad };
	struct rs_stream_desc d = { 1, 1, &t, 0, NULL };
	struct rs_writer *w;
	struct rs_error err;

	CHECK(rs_writer_open(&w, 1, "x", &d, NULL, &err) == RS_EARG);
	d.ntables = 0;
	CHECK(rs_writer_open(&w, 1, "x", &d, NULL, &err) == RS_EARG);
}

static void
test_stream__sniff(void)
{
	const unsigned char z[] = { 0x28, 0xb5, 0x2f, 0xfd };
	const unsigned char r[] = { 0x89, 'R', 'S', 'T' };

	CHECK(rs_stream_sniff(z, 4) == RS_SNIFF_ZSTD);
	CHECK(rs_stream_sniff(r, 4) == RS_SNIFF_RAW);
	CHECK(rs_stream_sniff(r, 3) == RS_SNIFF_OTHER);
	CHECK(rs_stream_sniff((const unsigned char *)"time", 4) ==
	    RS_SNIFF_OTHER);
}

static void
test_stream__raw_records(void)
{
	struct rs_stream_desc d;
	struct rs_event e = { 1433193132535LL, 1134473, 396045, RS_ID_NONE,
		RS_EV_ADDTOCART }, e2;
	struct rs_prop p = { 1431226800000LL, 270210, 888, "1103801 n9420.000",
		17, RS_PROP_NUMBER }, p2;
	unsigned char buf[64];
	struct rs_error err;

	rs_event_encode(buf, &e);
	rs_event_decode(buf, &e2);
	CHECK(e2.ts == e.ts && e2.visitor == e.visitor && e2.item == e.item &&
	    e2.txn == RS_ID_NONE && e2.type == RS_EV_ADDTOCART);
	CHECK_EQ_U64(rs_prop_encode(buf, &p), RS_PROP_FIXED + 17);
	CHECK_EQ_U64(rs_prop_decode(buf, &p2), RS_PROP_FIXED + 17);
	CHECK(p2.vlen == 17 && memcmp(p2.value, "1103801 n9420.000", 17) == 0);
	CHECK(rs_records_desc(RS_KIND_EVENTS, NULL, 0, &d) == 0);
	CHECK_EQ_U64(rs_table_record_width(&d.tables[0]), RS_EVENT_WIDTH);
	CHECK(rs_records_check(&d.tables[0], RS_KIND_EVENTS, "x", &err) == 0);
	CHECK(rs_records_check(&d.tables[0], RS_KIND_TREE, "x", &err) ==
	    RS_EFORMAT);
	CHECK(rs_records_desc(RS_KIND_TREE, NULL, 0, &d) == 0);
	CHECK_EQ_U64(rs_table_record_width(&d.tables[0]), RS_TREE_WIDTH);
	CHECK(rs_event_parse("addtocart", 9) == RS_EV_ADDTOCART);
	CHECK(rs_event_parse("add", 3) == -1);
}

/*
 * Writes a one-table stream (u64 "id", two records) whose header claims
 * nrows rows, raw or zstd, to a new temporary file; returns its fd at 0.
 */
static int
claim_file(uint64_t nrows, int raw, char *path)
{
	static const struct rs_column c[] = { { "id", RS_T_U64, 1, NULL, 0 } };
	struct rs_table_desc t = { "ids", 0, 1, c };
	struct rs_stream_desc d = { 5, 1, &t, 0, NULL };
	struct rs_writer_opts o;
	struct rs_writer *w;
	struct rs_error err;
	unsigned char rec[8];
	int fd = mkstemp(path), i;

	t.nrows = nrows;
	rs_writer_opts_init(&o);
	o.raw = raw;
	CHECK(rs_writer_open(&w, fd, path, &d, &o, &err) == 0);
	for (i = 0; i < 2; i++) {
		rs_put_le64(rec, (uint64_t)i);
		CHECK(rs_writer_put(w, rec, 8, &err) == 0);
	}
	CHECK(rs_writer_finish(w, &err) == 0);
	rs_writer_free(w);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/*
 * Regression: a header's row count sized readers' arrays before any row
 * arrived, so a crafted header (valid CRC) claiming 2^32 - 1 rows cost
 * gigabytes.  rs_reader_prealloc refuses a claim a file cannot hold, and
 * caps it when the length is unknown (a pipe).
 */
static void
test_stream__prealloc_claim(void)
{
	char path[] = "/tmp/rs-test-claim.XXXXXX";
	struct rs_reader *r;
	struct rs_error err;
	unsigned char buf[4096];
	uint64_t rows;
	ssize_t n;
	int fd, p[2], raw;

	for (raw = 0; raw < 2; raw++) {
		strcpy(path, "/tmp/rs-test-claim.XXXXXX");
		fd = claim_file(0xFFFFFFFFull, raw, path);
		CHECK(rs_reader_open(&r, fd, "c.rs", &err) == 0);
		rows = 1;
		CHECK(rs_reader_prealloc(r, 0, &rows, &err) == RS_ECORRUPT);
		CHECK(strstr(err.msg, "c.rs: table 'ids' claims 4294967295 "
		    "rows of at least 8 bytes, more than the stream's ") ==
		    err.msg);
		rs_reader_free(r);

		/* The same bytes through a pipe: capped, not refused. */
		lseek(fd, 0, SEEK_SET);
		n = read(fd, buf, sizeof(buf));
		CHECK(n > 0 && n < (ssize_t)sizeof(buf));
		CHECK(pipe(p) == 0);
		CHECK(write(p[1], buf, (size_t)n) == n);
		close(p[1]);
		CHECK(rs_reader_open(&r, p[0], "c.rs", &err) == 0);
		CHECK(rs_reader_prealloc(r, 0, &rows, &err) == 0);
		CHECK_EQ_U64(rows, RS_PREALLOC_BYTES / 8);
		rs_reader_free(r);
		close(p[0]);
		close(fd);
		unlink(path);

		/* A true claim is taken as it is. */
		strcpy(path, "/tmp/rs-test-claim.XXXXXX");
		fd = claim_file(2, raw, path);
		CHECK(rs_reader_open(&r, fd, "c.rs", &err) == 0);
		CHECK(rs_reader_prealloc(r, 0, &rows, &err) == 0);
		CHECK_EQ_U64(rows, 2);
		rs_reader_free(r);
		close(fd);
		unlink(path);
	}
}

/* ---- extents (format 2.0) ---- */

static const struct rs_column ext_id_cols[] = {
	{ "id", RS_T_ID, 1, NULL, 0 },
};
static const struct rs_column ext_vec_cols[] = {
	{ "vec", RS_T_F32, 3, NULL, 0 },
};
static const struct rs_column ext_str_cols[] = {
	{ "s", RS_T_STR, 1, NULL, 0 },
};

/*
 * What ext_read sums over an extent's or a block's records: the ids and
 * the floats' bit patterns, as integers, so any cut gives the same sum.
 */
static uint64_t
ext_sum(unsigned table, const unsigned char *p, size_t len)
{
	uint64_t s = 0;
	size_t i;

	if (table == 0)
		for (i = 0; i < len; i += 8)
			s += rs_get_le64(p + i);
	else if (table == 2)
		for (i = 0; i < len; i += 4)
			s += rs_get_le32(p + i);
	return s;
}

/*
 * A stream of an extent of n0 ids, a table of blocks (two strings) and an
 * extent of n2 f32[3] records, the extents written in uneven pieces; raw
 * or zstd, in memory.  *sum gets what ext_read sums.
 */
static unsigned char *
ext_stream(int raw, uint32_t n0, uint32_t n2, size_t *len, uint64_t *sum)
{
	struct rs_table_desc t[3] = {
		{ "ids", 0, 1, ext_id_cols },
		{ "notes", 2, 1, ext_str_cols },
		{ "vecs", 0, 1, ext_vec_cols },
	};
	struct rs_stream_desc d = { 5, 3, t, 1, meta };
	struct rs_writer_opts o;
	struct rs_writer *w;
	struct rs_error err;
	unsigned char *rec, *buf;
	char path[] = "/tmp/rs-test-ext.XXXXXX";
	uint32_t i, k;
	int fd;
	FILE *f;

	t[0].nrows = n0;
	t[2].nrows = n2;
	rec = malloc(12 * (size_t)(n0 > n2 ? n0 : n2) + 16);
	*sum = 0;
	fd = mkstemp(path);
	rs_writer_opts_init(&o);
	o.raw = raw;
	o.extents = 1 | 4;
	CHECK(rs_writer_open(&w, fd, path, &d, &o, &err) == 0);
	for (i = 0; i < n0; i++)
		rs_put_le64(rec + 8 * (size_t)i, 7 * (uint64_t)i + 1);
	*sum += ext_sum(0, rec, 8 * (size_t)n0);
	for (i = 0; i < n0; i += k) {
		k = n0 - i < 1 + i % 97 ? n0 - i : 1 + i % 97;
		CHECK(rs_writer_put_extent(w, rec + 8 * (size_t)i, 8 * k,
		    &err) == 0);
	}
	CHECK(rs_writer_end_table(w, &err) == 0);
	rs_put_le32(rec, 1);
	rec[4] = 'x';
	CHECK(rs_writer_put(w, rec, 5, &err) == 0);
	rs_put_le32(rec, 0);
	CHECK(rs_writer_put(w, rec, 4, &err) == 0);
	CHECK(rs_writer_end_table(w, &err) == 0);
	for (i = 0; i < n2; i++) {
		rs_put_f32(rec + 12 * (size_t)i, (float)i * 0.25f);
		rs_put_f32(rec + 12 * (size_t)i + 4, -(float)i);
		rs_put_f32(rec + 12 * (size_t)i + 8, 1.0f / (float)(i + 1));
	}
	*sum += ext_sum(2, rec, 12 * (size_t)n2);
	CHECK(rs_writer_put_extent(w, rec, 12 * (size_t)n2, &err) == 0);
	CHECK(rs_writer_finish(w, &err) == 0);
	CHECK_EQ_U64(rs_writer_rows(w, 2), n2);
	rs_writer_free(w);
	free(rec);
	f = fdopen(fd, "rb");
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*len + 1);
	CHECK(fread(buf, 1, *len, f) == *len);
	fclose(f);
	unlink(path);
	return buf;
}

struct ext_seen {
	size_t bytes;
};

static void
ext_count(void *ctx, const unsigned char *p, size_t n)
{
	struct ext_seen *s = ctx;

	(void)p;
	s->bytes += n;
}

/* How ext_read reads: extents whole from a file, from a pipe, or blocks. */
enum { EXT_WHOLE, EXT_PIPE, EXT_BLOCKS, EXT_COPY };

/* rs_reader_set_threads for ext_read's readers (0: not called). */
static unsigned ext_threads;

/*
 * Reads the first len bytes of buf as a stream, extents by
 * rs_reader_extent (or every table by rs_reader_next), summing the
 * values; *mapped counts the extents that came mapped.  0 or the error.
 */
static int
ext_read(const unsigned char *buf, size_t len, int how, struct rs_error *err,
    uint64_t *sum, int *mapped)
{
	struct rs_reader *r = NULL;
	struct rs_extent e;
	struct ext_seen seen;
	struct rs_block b;
	char path[] = "/tmp/rs-test-ext.XXXXXX";
	unsigned cur = 0;
	int fd, p[2], rc;
	pid_t pid = -1;

	*sum = 0;
	*mapped = 0;
	if (how == EXT_PIPE) {
		if (pipe(p) < 0)
			return -100;
		if ((pid = fork()) == 0) {
			close(p[0]);
			if (len && write(p[1], buf, len) != (ssize_t)len)
				_exit(1);
			_exit(0);
		}
		close(p[1]);
		fd = p[0];
	} else {
		fd = mkstemp(path);
		if (len && write(fd, buf, len) != (ssize_t)len)
			return -100;
		lseek(fd, 0, SEEK_SET);
		unlink(path);
	}
	rc = rs_reader_open(&r, fd, "ext.rs", err);
	if (rc == 0 && ext_threads > 0)
		rs_reader_set_threads(r, ext_threads);
	while (rc == 0 && !rs_reader_done(r)) {
		if (how != EXT_BLOCKS &&
		    rs_reader_layout(r, cur) == RS_LAYOUT_EXTENT) {
			seen.bytes = 0;
			rc = rs_reader_extent(r, how == EXT_COPY ?
			    RS_EXTENT_COPY : 0, ext_count, &seen, &e, err);
			if (rc < 0)
				break;
			CHECK_EQ_U64(seen.bytes, e.len);
			CHECK(((uintptr_t)e.data & (RS_EXTENT_ALIGN - 1)) == 0);
			*mapped += e.maplen > 0;
			*sum += ext_sum(cur++, e.data, e.len);
			rs_extent_release(&e);
			continue;
		}
		rc = rs_reader_next(r, &b, err);
		if (rc == 1)
			*sum += ext_sum(b.table, b.data, b.len);
		else if (rc == 0)
			cur++;
		if (rc > 0)
			rc = 0;
	}
	rs_reader_free(r);
	close(fd);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return rc;
}

/*
 * Extents in every way of reading: whole from a raw file (mapped when
 * not already in the reader's buffer, which holds the first MiB), from a
 * pipe or zstd (read or decompressed straight into place), copies asked
 * for, and as blocks; small and big streams.
 */
static void
test_stream__extent_round_trip(void)
{
	struct rs_error err;
	unsigned char *buf;
	uint64_t want, sum;
	size_t len;
	int raw, how, mapped, big;

	for (big = 0; big <= 1; big++)
		for (raw = 0; raw <= 1; raw++) {
			buf = ext_stream(raw, 1000, big ? 200000 : 50, &len,
			    &want);
			for (how = EXT_WHOLE; how <= EXT_COPY; how++) {
				mapped = -1;
				CHECK(ext_read(buf, len, how, &err, &sum,
				    &mapped) == 0);
				CHECK_EQ_U64(sum, want);
				/* Only the big raw file's vectors, read whole. */
				CHECK_EQ_U64(mapped, big && raw &&
				    how == EXT_WHOLE);
			}
			free(buf);
		}
}

/*
 * A mapped extent past 64 MiB checksummed by two threads: the same
 * records, check sees every byte, and a flipped byte in either half (or
 * at the cut) is caught as with one thread.
 */
static void
test_stream__extent_crc_threads(void)
{
	struct rs_error err;
	unsigned char *buf;
	uint64_t want, sum;
	size_t len, off, at[3], i;
	int mapped;
	unsigned t;

	buf = ext_stream(1, 10, 6000000, &len, &want);	/* 72 MB of vecs */
	off = len - 72000000 - 32;	/* about the big extent's start */
	at[0] = off + 1000;
	at[1] = off + 36000000;
	at[2] = off + 70000000;
	for (t = 1; t <= 2; t++) {
		ext_threads = t;
		CHECK(ext_read(buf, len, EXT_WHOLE, &err, &sum, &mapped) == 0);
		CHECK_EQ_U64(sum, want);
		CHECK_EQ_U64(mapped, 1);
		for (i = 0; i < 3; i++) {
			buf[at[i]] ^= 0x10;
			CHECK(ext_read(buf, len, EXT_WHOLE, &err, &sum,
			    &mapped) == RS_ECORRUPT);
			buf[at[i]] ^= 0x10;
		}
	}
	ext_threads = 0;
	free(buf);
}

/* The 2.0 header: version, layouts, and the records' aligned place. */
static void
test_stream__extent_header(void)
{
	struct rs_reader *r;
	struct rs_error err;
	unsigned char *buf;
	uint64_t want;
	size_t len, hlen, off, i;
	char path[] = "/tmp/rs-test-ext.XXXXXX";
	int fd;

	buf = ext_stream(1, 3, 2, &len, &want);
	CHECK_EQ_U64(rs_get_le16(buf + 8), 2);
	CHECK_EQ_U64(rs_get_le16(buf + 10), 0);
	hlen = rs_get_le32(buf + 16);
	off = (hlen + RS_EXTENT_ALIGN - 1) & ~(size_t)(RS_EXTENT_ALIGN - 1);
	for (i = hlen; i < off; i++)
		CHECK(buf[i] == 0);
	CHECK_EQ_U64(rs_get_le64(buf + off), 1);	/* the first id */
	CHECK_EQ_U64(rs_get_le64(buf + off + 16), 15);	/* the third */
	CHECK_EQ_U64(rs_get_le32(buf + off + 24), 0);	/* the trailer */
	CHECK_EQ_U64(rs_get_le64(buf + off + 32), 3);
	CHECK_EQ_U64(rs_get_le32(buf + off + 40), rs_crc32c(0, buf + off, 24));
	fd = mkstemp(path);
	CHECK(write(fd, buf, len) == (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	unlink(path);
	CHECK(rs_reader_open(&r, fd, "x", &err) == 0);
	CHECK_EQ_U64(rs_reader_major(r), 2);
	CHECK_EQ_U64(rs_reader_layout(r, 0), RS_LAYOUT_EXTENT);
	CHECK_EQ_U64(rs_reader_layout(r, 1), RS_LAYOUT_BLOCKS);
	CHECK_EQ_U64(rs_reader_layout(r, 2), RS_LAYOUT_EXTENT);
	CHECK_EQ_U64(rs_reader_layout(r, 3), RS_LAYOUT_BLOCKS);
	rs_reader_free(r);
	close(fd);
	free(buf);
}

/*
 * Every prefix of a small extent stream fails, read whole or as blocks;
 * every flipped bit fails (raw), or decodes to the same data (zstd).
 */
static void
test_stream__extent_truncated_and_flipped(void)
{
	struct rs_error err;
	unsigned char *buf;
	uint64_t want, sum;
	size_t len, i;
	int raw, how, mapped, bad = 0, rc;

	for (raw = 0; raw <= 1; raw++) {
		buf = ext_stream(raw, 20, 30, &len, &want);
		for (how = EXT_WHOLE; how <= EXT_BLOCKS; how += 2) {
			for (i = 0; i < len; i++)
				if (ext_read(buf, i, how, &err, &sum,
				    &mapped) >= 0) {
					printf("#   raw=%d how=%d prefix %zu of "
					    "%zu read as ok\n", raw, how, i,
					    len);
					bad++;
				}
			for (i = 0; i < len; i++) {
				buf[i] ^= (unsigned char)(1u << (i % 8));
				rc = ext_read(buf, len, how, &err, &sum,
				    &mapped);
				buf[i] ^= (unsigned char)(1u << (i % 8));
				if (rc >= 0 && (raw || sum != want)) {
					printf("#   raw=%d how=%d flip at %zu "
					    "read as other data\n", raw, how,
					    i);
					bad++;
				}
			}
		}
		free(buf);
	}
	CHECK(bad == 0);
}

/*
 * The mapped path refuses what the copying one does: a file cut anywhere
 * (at the ends of the vectors and within them), a flipped byte among the
 * mapped records, nonzero padding, and a file that shrinks after the
 * reader opened it, which must be an error and not SIGBUS.
 */
static void
test_stream__extent_mapped_damage(void)
{
	struct rs_reader *r;
	struct rs_extent e;
	struct rs_error err;
	struct rs_block b;
	unsigned char *buf;
	uint64_t want, sum;
	size_t len, cuts[8], i, hlen;
	char path[] = "/tmp/rs-test-ext.XXXXXX";
	int mapped, fd, rc;

	buf = ext_stream(1, 1000, 200000, &len, &want);
	/* Cut in the trailer, or among the records, still mapped. */
	cuts[0] = len - 1, cuts[1] = len - 20, cuts[2] = len - 21;
	cuts[3] = len - 4, cuts[4] = len - 24, cuts[5] = len - 4096;
	for (i = 0; i < 6; i++) {
		CHECK(ext_read(buf, cuts[i], EXT_WHOLE, &err, &sum,
		    &mapped) == RS_ETRUNC);
		CHECK(strstr(err.msg, "ext.rs: truncated stream") == err.msg);
	}
	/* Cut so short that the vectors' claim no longer fits the file. */
	cuts[6] = len / 2, cuts[7] = (1u << 20) + 1;
	for (i = 6; i < 8; i++) {
		CHECK(ext_read(buf, cuts[i], EXT_WHOLE, &err, &sum,
		    &mapped) == RS_ECORRUPT);
		CHECK(strstr(err.msg, "ext.rs: table 'vecs' claims 200000 rows")
		    == err.msg);
	}
	buf[len / 2] ^= 0x10;
	CHECK(ext_read(buf, len, EXT_WHOLE, &err, &sum, &mapped) ==
	    RS_ECORRUPT);
	CHECK_STR(err.msg, "ext.rs: corrupt stream (table 'vecs' checksum "
	    "mismatch)");
	buf[len / 2] ^= 0x10;
	hlen = rs_get_le32(buf + 16);
	if (hlen % RS_EXTENT_ALIGN != 0) {
		buf[hlen] = 1;		/* padding before the ids */
		CHECK(ext_read(buf, len, EXT_WHOLE, &err, &sum, &mapped) ==
		    RS_ECORRUPT);
		CHECK_STR(err.msg, "ext.rs: corrupt stream (table 'ids': "
		    "padding is not zero)");
		buf[hlen] = 0;
	}
	CHECK(ext_read(buf, len, EXT_WHOLE, &err, &sum, &mapped) == 0);
	CHECK_EQ_U64(sum, want);
	CHECK_EQ_U64(mapped, 1);
	/* Bytes after the end, past a mapped extent. */
	buf = realloc(buf, len + 5);
	memcpy(buf + len, "junk!", 5);
	CHECK(ext_read(buf, len + 5, EXT_WHOLE, &err, &sum, &mapped) ==
	    RS_ECORRUPT);
	CHECK_STR(err.msg, "ext.rs: unexpected data after the end of the "
	    "stream");
	/* The file shrinks between opening and mapping. */
	fd = mkstemp(path);
	CHECK(write(fd, buf, len) == (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	unlink(path);
	CHECK(rs_reader_open(&r, fd, "x.rs", &err) == 0);
	CHECK(rs_reader_extent(r, 0, NULL, NULL, &e, &err) == 0);
	rs_extent_release(&e);
	while ((rc = rs_reader_next(r, &b, &err)) > 0)
		;
	CHECK(rc == 0);
	CHECK(ftruncate(fd, (off_t)(len - 30)) == 0);
	CHECK(rs_reader_extent(r, 0, NULL, NULL, &e, &err) == RS_ETRUNC);
	CHECK_STR(err.msg, "x.rs: truncated stream (input ends before the end "
	    "marker)");
	CHECK(e.data == NULL && e.base == NULL);
	rs_reader_free(r);
	close(fd);
	free(buf);
}

/*
 * A header claiming more rows than the file holds: refused at once from
 * a file, without a big allocation; through a pipe the reader grows from
 * its cap and meets the end of the input.
 */
static void
test_stream__extent_claim(void)
{
	struct rs_table_desc t[3] = {
		{ "ids", 4, 1, ext_id_cols },
		{ "notes", 0, 1, ext_str_cols },
		{ "vecs", (uint64_t)1 << 40, 1, ext_vec_cols },
	};
	struct rs_stream_desc d = { 5, 3, t, 0, NULL };
	struct rs_writer_opts o;
	struct rs_writer *w;
	struct rs_error err;
	unsigned char rec[48];
	char path[] = "/tmp/rs-test-ext.XXXXXX";
	unsigned char *buf;
	uint64_t sum;
	ssize_t n;
	int fd, mapped;

	memset(rec, 0, sizeof(rec));
	fd = mkstemp(path);
	rs_writer_opts_init(&o);
	o.raw = 1;
	o.extents = 1 | 4;
	CHECK(rs_writer_open(&w, fd, path, &d, &o, &err) == 0);
	CHECK(rs_writer_put_extent(w, rec, 32, &err) == 0);
	CHECK(rs_writer_end_table(w, &err) == 0);
	CHECK(rs_writer_end_table(w, &err) == 0);
	CHECK(rs_writer_put_extent(w, rec, 48, &err) == 0);
	CHECK(rs_writer_end_table(w, &err) == RS_EARG);	/* 4 of 2^40 */
	CHECK(strstr(err.msg, "table 'vecs': 4 of 1099511627776 rows") !=
	    NULL);
	CHECK(rs_writer_flush(w, &err) == 0);	/* what got written */
	rs_writer_free(w);
	buf = malloc(4096);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, 4096);
	CHECK(n > 0 && n < 4096);
	close(fd);
	unlink(path);
	CHECK(ext_read(buf, (size_t)n, EXT_WHOLE, &err, &sum, &mapped) ==
	    RS_ECORRUPT);
	CHECK(strstr(err.msg, "ext.rs: table 'vecs' claims 1099511627776 rows "
	    "of at least 12 bytes, more than the stream's ") == err.msg);
	CHECK(ext_read(buf, (size_t)n, EXT_BLOCKS, &err, &sum, &mapped) ==
	    RS_ECORRUPT);
	CHECK(ext_read(buf, (size_t)n, EXT_PIPE, &err, &sum, &mapped) ==
	    RS_ETRUNC);
	free(buf);
}

/* What writers must refuse, and headers readers must. */
static void
test_stream__extent_rules(void)
{
	struct rs_table_desc t[3] = {
		{ "ids", 2, 1, ext_id_cols },
		{ "notes", 2, 1, ext_str_cols },
		{ "vecs", 1, 1, ext_vec_cols },
	};
	struct rs_stream_desc d = { 5, 3, t, 0, NULL };
	struct rs_writer_opts o;
	struct rs_writer *w;
	struct rs_error err;
	unsigned char rec[24], *buf;
	uint64_t want, sum;
	size_t len, hlen;
	int fd, mapped;

	memset(rec, 0, sizeof(rec));
	fd = open("/dev/null", O_WRONLY);
	rs_writer_opts_init(&o);
	o.raw = 1;
	o.extents = 2;			/* a str column */
	CHECK(rs_writer_open(&w, fd, "x", &d, &o, &err) == RS_EARG);
	CHECK_STR(err.msg, "x: table 'notes' cannot be an extent (it needs a "
	    "row count and fixed-width records)");
	o.extents = 8;			/* no table 3 */
	CHECK(rs_writer_open(&w, fd, "x", &d, &o, &err) == RS_EARG);
	t[0].nrows = RS_NROWS_UNKNOWN;
	o.extents = 1;
	CHECK(rs_writer_open(&w, fd, "x", &d, &o, &err) == RS_EARG);
	t[0].nrows = 2;
	o.extents = 1 | 4;
	CHECK(rs_writer_open(&w, fd, "x", &d, &o, &err) == 0);
	CHECK(rs_writer_put(w, rec, 8, &err) == RS_EARG);
	CHECK(rs_writer_put_block(w, rec, 8, 1, &err) == RS_EARG);
	CHECK(rs_writer_put_extent(w, rec, 12, &err) == RS_EARG);
	CHECK(rs_writer_put_extent(w, rec, 24, &err) == RS_EARG);
	CHECK(rs_writer_put_extent(w, rec, 8, &err) == 0);
	CHECK(rs_writer_end_table(w, &err) == RS_EARG);	/* 1 of 2 */
	CHECK(rs_writer_put_extent(w, rec, 8, &err) == 0);
	CHECK(rs_writer_end_table(w, &err) == 0);
	CHECK(rs_writer_put_extent(w, rec, 4, &err) == RS_EARG);
	rs_writer_free(w);
	close(fd);

	/* A layout other than 0 and 1, or an extent of strings. */
	buf = ext_stream(1, 2, 2, &len, &want);
	hlen = rs_get_le32(buf + 16);
	CHECK(memcmp(buf + 30, "ids", 3) == 0 && rs_get_le16(buf + 41) == 1);
	rs_put_le16(buf + 41, 2);
	rs_put_le32(buf + hlen - 4, rs_crc32c(0, buf, hlen - 4));
	CHECK(ext_read(buf, len, EXT_WHOLE, &err, &sum, &mapped) ==
	    RS_ECORRUPT);
	CHECK_STR(err.msg, "ext.rs: corrupt stream header (unknown table "
	    "layout)");
	rs_put_le16(buf + 41, 1);
	CHECK(memcmp(buf + 56, "notes", 5) == 0 && rs_get_le16(buf + 69) == 0);
	rs_put_le16(buf + 69, 1);
	rs_put_le32(buf + hlen - 4, rs_crc32c(0, buf, hlen - 4));
	CHECK(ext_read(buf, len, EXT_WHOLE, &err, &sum, &mapped) ==
	    RS_ECORRUPT);
	CHECK_STR(err.msg, "ext.rs: corrupt stream header (extent table "
	    "'notes' without a row count or fixed-width records)");
	free(buf);
}

int
main(void)
{
	RUN(test_stream__round_trip);
	RUN(test_stream__deterministic);
	RUN(test_stream__not_a_stream);
	RUN(test_stream__newer_major);
	RUN(test_stream__header_checksum);
	RUN(test_stream__truncated_everywhere);
	RUN(test_stream__flipped_bits);
	RUN(test_stream__frames);
	RUN(test_stream__trailing_data);
	RUN(test_stream__expect_kind);
	RUN(test_stream__bad_schema_refused);
	RUN(test_stream__sniff);
	RUN(test_stream__raw_records);
	RUN(test_stream__prealloc_claim);
	RUN(test_stream__extent_round_trip);
	RUN(test_stream__extent_crc_threads);
	RUN(test_stream__extent_header);
	RUN(test_stream__extent_truncated_and_flipped);
	RUN(test_stream__extent_mapped_damage);
	RUN(test_stream__extent_claim);
	RUN(test_stream__extent_rules);
	return tap_done();
}
