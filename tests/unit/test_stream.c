/*
 * test_stream.c - the binary stream: round trips (raw and zstd, fixed and
 * variable-width records, several tables, metadata), and every way a
 * reader must refuse input: not a stream, newer major, header checksum,
 * truncation at every byte, flipped bytes, trailing data, wrong kind.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
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
		CHECK_EQ_U64(rs_reader_major(r), RS_STREAM_MAJOR);
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
	CHECK(strstr(err.msg, "version 2.0 is newer than this program's 1.0")
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
	return tap_done();
}
