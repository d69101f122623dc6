/*
 * load.h - Retailrocket CSV (events, item properties, category tree) to
 * the typed records of records.h, in parallel, in constant memory.
 *
 * An input is opened with rs_load_open, which reads its header row and
 * recognises the kind (or takes the one given), then rs_load_run streams
 * the rows: whole blocks of encoded records and the bad rows, both
 * strictly in input order, go to the caller's sink.  Block boundaries
 * depend only on the input bytes, never on the thread count or timing, so
 * the same input gives the same blocks.
 *
 * Rows: ids are unsigned decimal integers below 2^64 - 1 (no sign, no
 * spaces); timestamps are integer milliseconds >= 0; the event is view,
 * addtocart or transaction; the property is an integer id, categoryid or
 * available; the value is kept as text, byte for byte.  An empty
 * transactionid or parentid is RS_ID_NONE; a transactionid on a row that
 * is not a transaction is kept.  A transaction row with an empty
 * transactionid is kept too, but is odd: it goes to sink->odd with the
 * reason RS_LOAD_NO_TXN and is counted (rs_load_odd); the Retailrocket
 * data has none.  Any other row is bad: wrong field count,
 * an id or timestamp that is not such an integer, an unknown event type
 * or property, an empty required field.
 */
#ifndef RS_LOAD_H
#define RS_LOAD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * Bytes of CSV per block: 512 KiB measured 5 % less CPU than 1 MiB on
 * events at scale 1 (chunk, block and frame stay in the caches), with
 * output within 0.3 %; 256 KiB gained nothing more.
 */
#define RS_LOAD_CHUNK (1u << 19)
#define RS_LOAD_RECORD_MAX (32u << 20)	/* longest record accepted */

struct rs_load_opts {
	unsigned kind;		/* RS_KIND_EVENTS/PROPS/TREE, or 0: by header */
	unsigned threads;	/* parser threads; 0 parses in the caller */
	int strict;		/* the first bad row is an error */
	size_t chunk;		/* bytes per chunk; 0 = RS_LOAD_CHUNK */
	int zframes;		/* parsers also compress each block */
	int zlevel;		/* at this zstd level, or RS_LOAD_ZLEVEL_AUTO */
};

#define RS_LOAD_ZLEVEL_AUTO INT_MIN	/* rs_load_zlevel of the kind */

void rs_load_opts_init(struct rs_load_opts *o);

/*
 * The zstd level that measured both faster and smaller than its
 * neighbours for a kind's records (generated data, scale 1): -2 for
 * events (fixed 33-byte records of small integers: 26.2 MB at level -2
 * against 28.3 MB at level 1, with 20 % less CPU), 1 for properties
 * (text values: 165 MB at level 1, 203 MB at -1) and the tree.
 */
int rs_load_zlevel(unsigned kind);

/* Where rs_load_run delivers, always from the calling thread, in order. */
/* One block of records, and its zstd frame when opts.zframes is set. */
struct rs_load_block {
	const unsigned char *recs;	/* nrec > 0 encoded records */
	size_t len;
	uint32_t nrec;
	const unsigned char *frame;	/* rs_zframe_block's frame, or NULL */
	size_t flen;
};

struct rs_load_sink {
	/* A block; nonzero return stops. */
	int (*block)(void *ctx, const struct rs_load_block *b,
	    struct rs_error *err);
	/* One bad row: the input's name, its physical line, the reason. */
	void (*bad)(void *ctx, const char *name, uint64_t line,
	    const char *reason);
	void *ctx;
	/* One odd row, kept (may be NULL); arguments as for bad. */
	void (*odd)(void *ctx, const char *name, uint64_t line,
	    const char *reason);
};

/* The reason given for a transaction row without a transactionid. */
#define RS_LOAD_NO_TXN "transaction without a transactionid (kept)"

struct rs_load;

/*
 * Kind whose header the n fields (NUL-terminated) are, or 0.  Headers:
 * events "timestamp,visitorid,event,itemid,transactionid", props
 * "timestamp,itemid,property,value", tree "categoryid,parentid".
 */
unsigned rs_load_kind_of_header(const char *const *fields, unsigned n);

/* Kind for a name ("events", "props", "tree"), or 0. */
unsigned rs_load_kind_parse(const char *name);

/*
 * Opens fd (borrowed, not closed; plain or zstd, see input.h) and reads
 * its header.  name is used in messages.  Without o->kind, the header
 * decides the kind: RS_EFORMAT "NAME: unrecognised header 'h'" if it is
 * none of the three.  With o->kind, a first row equal to that kind's
 * header is skipped, another kind's header is RS_EFORMAT, and any other
 * first row is read as data.  An input
 * with no header at all is RS_EINPUT ("NAME: empty input, no header"),
 * and so are gzip input ("NAME: gzip-compressed: decompress first or use
 * zstd") and an rs stream ("NAME: this is already an rs stream"), with
 * or without o->kind.  A UTF-8 byte order mark is skipped.
 */
int rs_load_open(struct rs_load **out, int fd, const char *name,
	const struct rs_load_opts *o, struct rs_error *err);

/* As rs_load_open over n bytes at p (borrowed, must outlive *out). */
int rs_load_open_mem(struct rs_load **out, const void *p, size_t n,
	const char *name, const struct rs_load_opts *o, struct rs_error *err);

/* The kind of the input (known once open). */
unsigned rs_load_kind(const struct rs_load *l);

/* 1 if the input is zstd-compressed. */
int rs_load_is_zstd(const struct rs_load *l);

/*
 * Reads the whole input.  Every bad row goes to sink->bad (unless strict:
 * then the first one is RS_EINPUT with "NAME:LINE: reason").  A reason
 * is one line: control bytes of a quoted field show as \n, \r, \t,
 * \xHH, and a NUL byte is "NUL byte at line N, column C".  Errors also:
 * RS_EIO, RS_ECORRUPT, RS_ETRUNC (input), RS_EINPUT (a quoted field longer
 * than RS_LOAD_RECORD_MAX), RS_ENOMEM, and whatever sink->block returns.
 * Call once.
 */
int rs_load_run(struct rs_load *l, const struct rs_load_sink *sink,
	struct rs_error *err);

/*
 * Data rows read (good and bad), bad rows skipped and odd rows kept, so
 * far.
 */
uint64_t rs_load_rows(const struct rs_load *l);
uint64_t rs_load_bad(const struct rs_load *l);
uint64_t rs_load_odd(const struct rs_load *l);

void rs_load_free(struct rs_load *l);

#endif
