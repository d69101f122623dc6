/*
 * test_load.c - CSV rows to records: header recognition, each field's
 * rules, bad rows and their lines, strict mode, and the parallel
 * pipeline giving the same records, blocks and messages whatever the
 * thread count and chunk size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "bytes.h"
#include "load.h"
#include "records.h"
#include "stream.h"
#include "tap.h"

/* What a run delivered: all record bytes, block sizes, bad rows as text. */
struct out {
	unsigned char *recs;
	size_t len;
	uint64_t nrec, nblocks;
	char blocks[4096];	/* "nrec," per block */
	size_t blen;
	char bad[8192];
	size_t badlen;
	uint64_t frames, frames_wrong;	/* with zframes: frames, mismatches */
	uint64_t odd;
};

static int zframes;		/* load() asks the parsers for frames */

static int
on_block(void *ctx, const struct rs_load_block *b, struct rs_error *err)
{
	struct out *o = ctx;
	const unsigned char *recs = b->recs;
	size_t len = b->len;
	uint32_t nrec = b->nrec;
	unsigned char *d;
	size_t dn;

	(void)err;
	if (b->frame) {
		/* The frame must hold the block header, then the records. */
		o->frames++;
		d = malloc(len + RS_BLOCK_HEAD);
		dn = ZSTD_decompress(d, len + RS_BLOCK_HEAD, b->frame, b->flen);
		if (dn != len + RS_BLOCK_HEAD || rs_get_le32(d) != nrec ||
		    rs_get_le32(d + 4) != len ||
		    memcmp(d + RS_BLOCK_HEAD, recs, len) != 0)
			o->frames_wrong++;
		free(d);
	}
	o->recs = realloc(o->recs, o->len + len);
	memcpy(o->recs + o->len, recs, len);
	o->len += len;
	o->nrec += nrec;
	o->nblocks++;
	if (o->blen < sizeof(o->blocks) - 16)
		o->blen += (size_t)snprintf(o->blocks + o->blen,
		    sizeof(o->blocks) - o->blen, "%u,", nrec);
	return 0;
}

static void
on_odd(void *ctx, const char *name, uint64_t line, const char *why)
{
	struct out *o = ctx;

	if (o->badlen < sizeof(o->bad) - 200)
		o->badlen += (size_t)snprintf(o->bad + o->badlen,
		    sizeof(o->bad) - o->badlen, "%s:%llu: odd: %s\n", name,
		    (unsigned long long)line, why);
}

static void
on_bad(void *ctx, const char *name, uint64_t line, const char *why)
{
	struct out *o = ctx;

	if (o->badlen < sizeof(o->bad) - 200)
		o->badlen += (size_t)snprintf(o->bad + o->badlen,
		    sizeof(o->bad) - o->badlen, "%s:%llu: %s\n", name,
		    (unsigned long long)line, why);
}

/* Loads s with the options; returns rs_load_run's result. */
static int
load(const char *s, size_t n, unsigned kind, unsigned threads, size_t chunk,
    int strict, struct out *o, struct rs_error *err, unsigned *gotkind)
{
	struct rs_load_opts lo;
	struct rs_load_sink sink = { on_block, on_bad, o, on_odd };
	struct rs_load *l;
	int rc;

	memset(o, 0, sizeof(*o));
	rs_load_opts_init(&lo);
	lo.kind = kind;
	lo.threads = threads;
	lo.chunk = chunk;
	lo.strict = strict;
	lo.zframes = zframes;
	lo.zlevel = -3;
	if ((rc = rs_load_open_mem(&l, s, n, "t.csv", &lo, err)) < 0)
		return rc;
	if (gotkind)
		*gotkind = rs_load_kind(l);
	rc = rs_load_run(l, &sink, err);
	o->odd = rs_load_odd(l);
	rs_load_free(l);
	return rc;
}

static void
test_load__kind_of_header(void)
{
	const char *ev[] = { "timestamp", "visitorid", "event", "itemid",
	    "transactionid" };
	const char *pr[] = { "timestamp", "itemid", "property", "value" };
	const char *tr[] = { "categoryid", "parentid" };

	CHECK(rs_load_kind_of_header(ev, 5) == RS_KIND_EVENTS);
	CHECK(rs_load_kind_of_header(pr, 4) == RS_KIND_PROPS);
	CHECK(rs_load_kind_of_header(tr, 2) == RS_KIND_TREE);
	CHECK(rs_load_kind_of_header(ev, 4) == 0);
	CHECK(rs_load_kind_of_header(tr, 1) == 0);
	CHECK(rs_load_kind_parse("props") == RS_KIND_PROPS);
	CHECK(rs_load_kind_parse("items") == 0);
}

static void
test_load__events(void)
{
	static const char s[] =
	    "timestamp,visitorid,event,itemid,transactionid\n"
	    "1433221332117,257597,view,355908,\n"
	    "0,18446744073709551614,transaction,0,4000\n"
	    "5,1,addtocart,2,77\n";
	struct rs_error err;
	struct rs_event e;
	struct out o;
	unsigned kind;

	CHECK(load(s, sizeof(s) - 1, 0, 2, 0, 0, &o, &err, &kind) == 0);
	CHECK(kind == RS_KIND_EVENTS);
	CHECK_EQ_U64(o.nrec, 3);
	CHECK_EQ_U64(o.len, 3 * RS_EVENT_WIDTH);
	rs_event_decode(o.recs, &e);
	CHECK_EQ_U64(e.ts, 1433221332117LL);
	CHECK_EQ_U64(e.visitor, 257597);
	CHECK_EQ_U64(e.type, RS_EV_VIEW);
	CHECK_EQ_U64(e.item, 355908);
	CHECK(e.txn == RS_ID_NONE);
	rs_event_decode(o.recs + RS_EVENT_WIDTH, &e);
	CHECK_EQ_U64(e.visitor, UINT64_MAX - 1);
	CHECK_EQ_U64(e.type, RS_EV_TRANSACTION);
	CHECK_EQ_U64(e.txn, 4000);
	/* A transactionid on an addtocart row is kept. */
	rs_event_decode(o.recs + 2 * RS_EVENT_WIDTH, &e);
	CHECK_EQ_U64(e.type, RS_EV_ADDTOCART);
	CHECK_EQ_U64(e.txn, 77);
	CHECK_EQ_U64(o.badlen, 0);
	free(o.recs);
}

static void
test_load__props(void)
{
	static const char s[] = "\xef\xbb\xbftimestamp,itemid,property,value\r\n"
	    "1,2,categoryid,1338\r\n"
	    "3,4,available,0\r\n"
	    "5,6,888,\"n1.000, 2\"\r\n";
	struct rs_error err;
	struct rs_prop p;
	struct out o;
	size_t off;

	CHECK(load(s, sizeof(s) - 1, 0, 0, 0, 0, &o, &err, NULL) == 0);
	CHECK_EQ_U64(o.nrec, 3);
	off = rs_prop_decode(o.recs, &p);
	CHECK_EQ_U64(p.kind, RS_PROP_CATEGORYID);
	CHECK(p.property == RS_ID_NONE);
	CHECK(p.vlen == 4 && memcmp(p.value, "1338", 4) == 0);
	off += rs_prop_decode(o.recs + off, &p);
	CHECK_EQ_U64(p.kind, RS_PROP_AVAILABLE);
	CHECK(p.vlen == 1 && p.value[0] == '0');
	off += rs_prop_decode(o.recs + off, &p);
	CHECK_EQ_U64(p.kind, RS_PROP_NUMBER);
	CHECK_EQ_U64(p.property, 888);
	CHECK(p.vlen == 9 && memcmp(p.value, "n1.000, 2", 9) == 0);
	CHECK_EQ_U64(off, o.len);
	free(o.recs);
}

static void
test_load__tree(void)
{
	static const char s[] = "categoryid,parentid\n1016,213\n231,\n";
	struct rs_tree_row t;
	struct rs_error err;
	struct out o;

	CHECK(load(s, sizeof(s) - 1, 0, 1, 0, 0, &o, &err, NULL) == 0);
	CHECK_EQ_U64(o.nrec, 2);
	rs_tree_decode(o.recs, &t);
	CHECK(t.category == 1016 && t.parent == 213);
	rs_tree_decode(o.recs + RS_TREE_WIDTH, &t);
	CHECK(t.category == 231 && t.parent == RS_ID_NONE);
	free(o.recs);
}

static void
test_load__bad_rows(void)
{
	static const char s[] = "categoryid,parentid\n"
	    "1,\n"
	    "\"x\n1\",2\n"		/* starts on line 3, spans 2 lines */
	    "-3,1\n"
	    "18446744073709551616,1\n"
	    "4,5,6\n"
	    "7\n";
	struct rs_error err;
	struct out o;

	CHECK(load(s, sizeof(s) - 1, 0, 2, 0, 0, &o, &err, NULL) == 0);
	CHECK_EQ_U64(o.nrec, 1);
	CHECK_STR(o.bad,
	    "t.csv:3: categoryid 'x\\n1' is not an integer\n"
	    "t.csv:5: categoryid '-3' is not an integer\n"
	    "t.csv:6: categoryid '18446744073709551616' is out of range\n"
	    "t.csv:7: expected 2 fields, found 3\n"
	    "t.csv:8: expected 2 fields, found 1\n");
	free(o.recs);
}

/*
 * Regression: a NUL byte cut the message short ("event type 'vi'"); now
 * the reason names its line and column, and stays right across chunks
 * (64-byte chunks here) and inside quoted fields that span lines.
 */
static void
test_load__nul_byte(void)
{
	static const char s[] = "categoryid,parentid\n"
	    "1,\n"
	    "2,1\0\n"				/* line 3, column 4 */
	    "\"3\n\0\",1\n"			/* starts on 4, NUL on 5 */
	    "4,1\n5,1\n6,1\n7,1\n8,1\n9,1\n10,1\n11,1\n12,1\n13,1\n"
	    "14,\"\0\0\"\n"			/* line 16, two NULs */
	    "15,\0\n";				/* line 17, column 4 */
	static const unsigned threads[] = { 0, 2 };
	struct rs_error err;
	struct out o;
	unsigned i;

	for (i = 0; i < 2; i++) {
		CHECK(load(s, sizeof(s) - 1, 0, threads[i], 64, 0, &o, &err,
		    NULL) == 0);
		CHECK_EQ_U64(o.nrec, 11);
		CHECK_STR(o.bad,
		    "t.csv:3: NUL byte at line 3, column 4\n"
		    "t.csv:4: NUL byte at line 5, column 1\n"
		    "t.csv:16: NUL byte at line 16, column 5\n"
		    "t.csv:17: NUL byte at line 17, column 4\n");
		free(o.recs);
	}
	CHECK(load(s, sizeof(s) - 1, 0, 0, 0, 1, &o, &err, NULL) ==
	    RS_EINPUT);
	CHECK_STR(err.msg, "t.csv:3: NUL byte at line 3, column 4");
	free(o.recs);
}

/*
 * Regression: a quoted newline split the message over two lines; control
 * bytes in a quoted field are now escaped.
 */
static void
test_load__message_one_line(void)
{
	static const char s[] = "timestamp,visitorid,event,itemid,"
	    "transactionid\n1,2,\"vi\r\new\t\x01\",3,\n";
	struct rs_error err;
	struct out o;

	CHECK(load(s, sizeof(s) - 1, 0, 0, 0, 0, &o, &err, NULL) == 0);
	CHECK_STR(o.bad, "t.csv:2: event type 'vi\\r\\new\\t\\x01' is not "
	    "view, addtocart or transaction\n");
	free(o.recs);
}

/*
 * Regression: a transaction without a transactionid was loaded silently;
 * it is still kept, but reported as odd and counted (even with --strict).
 */
static void
test_load__txn_empty(void)
{
	static const char s[] = "timestamp,visitorid,event,itemid,"
	    "transactionid\n1,2,transaction,3,\n4,5,view,6,\n"
	    "7,8,transaction,9,10\n11,12,transaction,13,\n";
	struct rs_error err;
	struct out o;
	int strict;

	for (strict = 0; strict < 2; strict++) {
		CHECK(load(s, sizeof(s) - 1, 0, 2, 0, strict, &o, &err,
		    NULL) == 0);
		CHECK_EQ_U64(o.nrec, 4);
		CHECK_EQ_U64(o.odd, 2);
		CHECK_STR(o.bad, "t.csv:2: odd: " RS_LOAD_NO_TXN "\n"
		    "t.csv:5: odd: " RS_LOAD_NO_TXN "\n");
		free(o.recs);
	}
}

/* Regression: gzip and rs streams were "unrecognised header '\x1f...'". */
static void
test_load__not_csv(void)
{
	static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00";
	static const char rs[] = "\x89RST\r\n\x1a\n\x01\x00";
	struct rs_error err;
	struct out o;

	CHECK(load(gz, sizeof(gz) - 1, 0, 0, 0, 0, &o, &err, NULL) ==
	    RS_EINPUT);
	CHECK_STR(err.msg, "t.csv: gzip-compressed: decompress first or use "
	    "zstd");
	CHECK(load(rs, sizeof(rs) - 1, RS_KIND_EVENTS, 0, 0, 0, &o, &err,
	    NULL) == RS_EINPUT);
	CHECK_STR(err.msg, "t.csv: this is already an rs stream");
}

static void
test_load__strict(void)
{
	static const char s[] = "categoryid,parentid\n1,\n2,1\n\nx,1\n3,4\n";
	struct rs_error err;
	struct out o;

	CHECK(load(s, sizeof(s) - 1, 0, 2, 0, 1, &o, &err, NULL) ==
	    RS_EINPUT);
	CHECK_STR(err.msg, "t.csv:5: categoryid 'x' is not an integer");
	free(o.recs);
}

static void
test_load__headers(void)
{
	struct rs_error err;
	struct out o;
	unsigned kind;

	CHECK(load("", 0, 0, 0, 0, 0, &o, &err, NULL) == RS_EINPUT);
	CHECK_STR(err.msg, "t.csv: empty input, no header");
	CHECK(load("\n\r\n", 3, 0, 0, 0, 0, &o, &err, NULL) == RS_EINPUT);
	CHECK(load("a,b\n1,2\n", 8, 0, 0, 0, 0, &o, &err, NULL) ==
	    RS_EFORMAT);
	CHECK_STR(err.msg, "t.csv:1: unrecognised header 'a,b'");
	/* Header only, even without its newline: an empty result. */
	CHECK(load("categoryid,parentid", 19, 0, 2, 0, 0, &o, &err, &kind) ==
	    0);
	CHECK(kind == RS_KIND_TREE && o.nrec == 0 && o.nblocks == 0);
	/* A forced kind reads a headerless file from its first row. */
	CHECK(load("1,2\n3,\n", 7, RS_KIND_TREE, 0, 0, 0, &o, &err, NULL) ==
	    0);
	CHECK_EQ_U64(o.nrec, 2);
	free(o.recs);
	/* ...but refuses another kind's header. */
	CHECK(load("categoryid,parentid\n", 20, RS_KIND_EVENTS, 0, 0, 0, &o,
	    &err, NULL) == RS_EFORMAT);
}

/* A props text of n rows with quoted newlines and bad rows sprinkled. */
static char *
make_props(unsigned n, size_t *len)
{
	size_t cap = (size_t)n * 64 + 64, l = 0;
	char *s = malloc(cap);
	unsigned i;

	l += (size_t)snprintf(s, cap, "timestamp,itemid,property,value\n");
	for (i = 0; i < n; i++) {
		if (i % 37 == 5)
			l += (size_t)snprintf(s + l, cap - l,
			    "%u,%u,888,\"a\nb \"\"%u\"\"\"\n", i, i, i);
		else if (i % 101 == 7)
			l += (size_t)snprintf(s + l, cap - l, "%u,x,1,2\n", i);
		else if (i % 53 == 0)
			l += (size_t)snprintf(s + l, cap - l, "\r\n");
		else
			l += (size_t)snprintf(s + l, cap - l,
			    "%u,%u,available,%u\n", 1431226800u + i, i * 3,
			    i & 1);
	}
	*len = l;
	return s;
}

static void
test_load__threads_and_chunks_agree(void)
{
	static const struct { unsigned threads; size_t chunk; } runs[] = {
		{ 0, 0 }, { 0, 64 }, { 1, 64 }, { 2, 64 }, { 3, 100 },
		{ 2, 1000 }, { 4, 7 }
	};
	struct rs_error err;
	struct out ref, o, ref64;
	size_t len, i;
	char *s = make_props(3000, &len);

	CHECK(load(s, len, 0, 0, 0, 0, &ref, &err, NULL) == 0);
	CHECK(ref.nrec > 2900);
	CHECK(ref.badlen > 0);
	CHECK(load(s, len, 0, 0, 64, 0, &ref64, &err, NULL) == 0);
	CHECK(ref64.nblocks > 100);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		CHECK(load(s, len, 0, runs[i].threads, runs[i].chunk, 0, &o,
		    &err, NULL) == 0);
		CHECK_EQ_U64(o.len, ref.len);
		CHECK(o.len == ref.len && memcmp(o.recs, ref.recs, o.len) ==
		    0);
		CHECK_STR(o.bad, ref.bad);
		/* Same chunk size, any thread count: the same blocks. */
		if (runs[i].chunk == 64)
			CHECK_STR(o.blocks, ref64.blocks);
		free(o.recs);
	}
	free(ref.recs);
	free(ref64.recs);
	free(s);
}

/* Parsers that also compress: every block's frame holds exactly it. */
static void
test_load__frames(void)
{
	struct rs_error err;
	struct out ref, o;
	size_t len;
	unsigned threads;
	char *s = make_props(3000, &len);

	CHECK(load(s, len, 0, 0, 64, 0, &ref, &err, NULL) == 0);
	CHECK_EQ_U64(ref.frames, 0);
	zframes = 1;
	for (threads = 0; threads <= 2; threads += 2) {
		CHECK(load(s, len, 0, threads, 64, 0, &o, &err, NULL) == 0);
		CHECK_EQ_U64(o.frames, o.nblocks);
		CHECK(o.frames > 100);
		CHECK_EQ_U64(o.frames_wrong, 0);
		CHECK(o.len == ref.len && memcmp(o.recs, ref.recs, o.len) ==
		    0);
		CHECK_STR(o.blocks, ref.blocks);
		free(o.recs);
	}
	zframes = 0;
	free(ref.recs);
	free(s);
}

static void
test_load__zstd_mem(void)
{
	/* printf 'categoryid,parentid\n1,\n' | zstd -19 (checksum on) */
	static const unsigned char z[] = {
		0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x68, 0xb9, 0x00, 0x00, 0x63,
		0x61, 0x74, 0x65, 0x67, 0x6f, 0x72, 0x79, 0x69, 0x64, 0x2c,
		0x70, 0x61, 0x72, 0x65, 0x6e, 0x74, 0x69, 0x64, 0x0a, 0x31,
		0x2c, 0x0a, 0xd2, 0xdf, 0x39, 0x30
	};
	struct rs_tree_row t;
	struct rs_error err;
	struct out o;
	unsigned kind;

	CHECK(load((const char *)z, sizeof(z), 0, 2, 0, 0, &o, &err, &kind) ==
	    0);
	CHECK(kind == RS_KIND_TREE);
	CHECK_EQ_U64(o.nrec, 1);
	rs_tree_decode(o.recs, &t);
	CHECK(t.category == 1 && t.parent == RS_ID_NONE);
	free(o.recs);
	/* Without the checksum bytes the frame is truncated. */
	CHECK(load((const char *)z, sizeof(z) - 4, 0, 2, 0, 0, &o, &err,
	    NULL) == RS_ETRUNC);
	CHECK_STR(err.msg, "t.csv: truncated zstd stream");
	free(o.recs);
}

int
main(void)
{
	RUN(test_load__kind_of_header);
	RUN(test_load__events);
	RUN(test_load__props);
	RUN(test_load__tree);
	RUN(test_load__bad_rows);
	RUN(test_load__strict);
	RUN(test_load__headers);
	RUN(test_load__nul_byte);
	RUN(test_load__message_one_line);
	RUN(test_load__not_csv);
	RUN(test_load__txn_empty);
	RUN(test_load__threads_and_chunks_agree);
	RUN(test_load__frames);
	RUN(test_load__zstd_mem);
	return tap_done();
}
