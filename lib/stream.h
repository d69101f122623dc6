/*
 * stream.h - the rs binary stream: the typed, checksummed, self-describing
 * format that tools hand each other (the full byte-level specification is
 * man/rs-stream.5; keep the two in step).
 *
 * A stream is a payload, written either raw or as ordinary zstd frames with
 * the content checksum on (so `zstd -t` and `zstdcat | xxd` work).  A reader
 * sniffs the first four bytes: zstd magic = decompress, rs magic = raw,
 * anything else = "not an rs stream".  All integers are little-endian.
 *
 * Payload = header, then the tables in header order, each a run of blocks
 * closed by a trailer.  No seeking is ever needed, so pipes work.
 *
 * Header:
 *   offset size  meaning
 *   0      8     magic 89 52 53 54 0D 0A 1A 0A ("\x89RST\r\n\x1a\n")
 *   8      2     major version (RS_STREAM_MAJOR); a reader refuses newer
 *   10     2     minor version (additive changes only)
 *   12     2     kind (enum rs_kind)
 *   14     2     flags (none defined; readers ignore unknown bits)
 *   16     4     header length H in bytes, from offset 0 through the CRC
 *   20     4     number of tables T (1..RS_MAX_TABLES)
 *   24     4     number of metadata entries M
 *   28     ...   T table descriptions:
 *                  u16 name length, name bytes,
 *                  u64 row count (RS_NROWS_UNKNOWN if not known up front),
 *                  2.0 only: u16 layout (enum rs_layout),
 *                  u16 column count C, then C columns:
 *                    u8 type (enum rs_type), u32 array length (>= 1),
 *                    u16 name length, name bytes,
 *                    for RS_T_ENUM only: u16 label count, then each label
 *                    as u16 length + bytes (code i means label i)
 *          ...   M metadata entries: u16 key length, key, u32 value length,
 *                value (bytes; by convention UTF-8 text)
 *   H-4    4     CRC-32C of bytes 0 .. H-5
 *
 * Table body, layout "blocks" (every table of 1.0):
 *   blocks:   u32 record count n (> 0), u32 byte length L, L bytes holding
 *             n records back to back (fields in column order, each field as
 *             its type says; arrays store their elements in order)
 *   trailer:  u32 0, u32 0 (the end block), u64 total records of the table,
 *             u32 CRC-32C over every block header and body of the table
 *
 * Format 2.0 adds a u16 layout to each table description, right after
 * the row count: 0 blocks, 1 extent.  An extent table has a known row
 * count n and fixed-width records of W bytes (no str column, W <=
 * RS_BLOCK_MAX), and its body is
 *   padding:  zero bytes up to the next multiple of RS_EXTENT_ALIGN of the
 *             payload offset
 *   records:  n * W bytes, the n records back to back, in one piece
 *   trailer:  u32 0, u32 0, u64 n, u32 CRC-32C of the n * W record bytes
 * so that a table of one f32[f] or u64 column is, byte for byte, the
 * array a little-endian host holds in memory, at an aligned offset: a
 * reader takes it with one read into its final place, or maps it from a
 * raw file (rs_reader_extent).  A writer marks a stream 2.0 only when it
 * has an extent table (rs_writer_opts.extents); every other stream is
 * still written as 1.0, byte for byte, so older readers keep reading it.
 *
 * A stream that ends before the last table's trailer is truncated: a hard
 * error, never a shorter data set.  Bytes after it are an error too.
 */
#ifndef RS_STREAM_H
#define RS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define RS_STREAM_MAJOR 2	/* the newest this library reads and writes */
#define RS_STREAM_MINOR 0
#define RS_NROWS_UNKNOWN UINT64_MAX
#define RS_ID_NONE UINT64_MAX		/* an absent RS_T_ID value */
#define RS_MAX_TABLES 64
#define RS_MAX_COLUMNS 1024
#define RS_BLOCK_MAX (64u << 20)	/* largest block a reader accepts */
#define RS_BLOCK_HEAD 8		/* u32 record count, u32 byte length */
#define RS_HEADER_MAX (16u << 20)
#define RS_EXTENT_ALIGN 64	/* payload offset of an extent's records */

/* How a table's records are stored (format 2.0; all 1.0 tables are blocks). */
enum rs_layout {
	RS_LAYOUT_BLOCKS = 0,	/* runs of blocks of at most RS_BLOCK_MAX */
	RS_LAYOUT_EXTENT = 1	/* one aligned piece of n * W bytes */
};

/* Column types; the on-disk width follows each name. */
enum rs_type {
	RS_T_U8 = 1,	/* 1 */
	RS_T_U16 = 2,	/* 2 */
	RS_T_U32 = 3,	/* 4 */
	RS_T_U64 = 4,	/* 8 */
	RS_T_I32 = 5,	/* 4, two's complement */
	RS_T_I64 = 6,	/* 8, two's complement */
	RS_T_F32 = 7,	/* 4, IEEE-754 binary32 */
	RS_T_F64 = 8,	/* 8, IEEE-754 binary64 */
	RS_T_ENUM = 9,	/* 1, index into the column's labels */
	RS_T_STR = 10,	/* u32 length + bytes; array length must be 1 */
	RS_T_ID = 11,	/* 8, external id; RS_ID_NONE means absent */
	RS_T_TIME = 12	/* 8, signed milliseconds since 1970-01-01 UTC */
};

/* Record kinds: what a stream holds.  Numbers are part of the format. */
enum rs_kind {
	RS_KIND_EVENTS = 1,	/* events.csv rows */
	RS_KIND_PROPS = 2,	/* item_properties rows */
	RS_KIND_TREE = 3,	/* category_tree rows */
	RS_KIND_ITEMS = 4,	/* clean item table (rs-clean-items) */
	RS_KIND_MATRIX = 5,	/* sparse visitor x item matrix */
	RS_KIND_MODEL = 6,	/* trained model */
	RS_KIND_RECS = 7,	/* recommendations */
	RS_KIND_REQUESTS = 8	/* replay requests */
};

struct rs_column {
	const char *name;
	enum rs_type type;
	uint32_t count;			/* array length; 0 is read as 1 */
	const char *const *labels;	/* RS_T_ENUM only */
	uint16_t nlabels;
};

struct rs_table_desc {
	const char *name;
	uint64_t nrows;			/* or RS_NROWS_UNKNOWN */
	unsigned ncols;
	const struct rs_column *cols;
};

struct rs_meta {
	const char *key;
	const char *value;
};

struct rs_stream_desc {
	uint16_t kind;
	unsigned ntables;
	const struct rs_table_desc *tables;
	unsigned nmeta;
	const struct rs_meta *meta;
};

/* Name of a kind ("events"), or "unknown". */
const char *rs_kind_name(unsigned kind);

/* Name of a type ("u64"), or "unknown". */
const char *rs_type_name(unsigned type);

/* Width in bytes of one element of a fixed-width type, 0 for RS_T_STR. */
size_t rs_type_width(unsigned type);

/*
 * Width of one record of the table, or 0 if it has a RS_T_STR column
 * (records then vary; walk them with rs_record_size).
 */
size_t rs_table_record_width(const struct rs_table_desc *t);

/* Index of the column called name, or -1. */
int rs_table_column(const struct rs_table_desc *t, const char *name);

/*
 * Size of the record that starts at p, with avail bytes left in the block;
 * 0 if the record runs past avail (a corrupt block).
 */
size_t rs_record_size(const struct rs_table_desc *t, const unsigned char *p,
	size_t avail);

/* What the first bytes of some input are. */
enum rs_sniff { RS_SNIFF_OTHER = 0, RS_SNIFF_ZSTD, RS_SNIFF_RAW };
enum rs_sniff rs_stream_sniff(const unsigned char *p, size_t n);

/* ---- writing ---- */

struct rs_writer;

struct rs_writer_opts {
	int level;		/* zstd level; default 3 */
	int raw;		/* 1: no compression (models, tests) */
	size_t block_bytes;	/* rs_writer_put flushes at this size */
	uint64_t extents;	/* bit i: table i is an extent (2.0); 0 */
};

void rs_writer_opts_init(struct rs_writer_opts *o);

/*
 * Starts a stream on fd (borrowed, not closed) and writes its header.  name
 * is used in messages only.  desc and everything it points to is copied.
 * opts may be NULL for the defaults.  On success *out is the writer.
 */
int rs_writer_open(struct rs_writer **out, int fd, const char *name,
	const struct rs_stream_desc *desc, const struct rs_writer_opts *opts,
	struct rs_error *err);

/* Appends one encoded record of len bytes to the current table. */
int rs_writer_put(struct rs_writer *w, const void *rec, size_t len,
	struct rs_error *err);

/*
 * Appends nrec encoded records (len bytes, len <= RS_BLOCK_MAX) to the
 * current table as one block, after whatever rs_writer_put buffered.
 */
int rs_writer_put_block(struct rs_writer *w, const void *bytes, size_t len,
	uint32_t nrec, struct rs_error *err);

/*
 * Parallel compression.  The payload may be cut into any number of
 * zstd frames, so threads can each compress whole blocks into frames of
 * their own: rs_zframe_block in a worker, then rs_writer_put_frame in
 * stream order, which ends the writer's open frame and copies the block's
 * frame through.  The payload is exactly what rs_writer_put_block would
 * give; only the framing differs.
 */
struct rs_zframe;

/* One thread's compressor at zstd level level. */
int rs_zframe_create(struct rs_zframe **out, int level, struct rs_error *err);

/*
 * Compresses a block of nrec records into one zstd frame with the content
 * checksum: blk is RS_BLOCK_HEAD bytes of room, where the block header is
 * written, then the len record bytes (len <= RS_BLOCK_MAX), so that the
 * whole block is compressed in one call, without a copy.  *buf (grown
 * with realloc, capacity *cap) gets the frame's *flen bytes.
 */
int rs_zframe_block(struct rs_zframe *z, unsigned char *blk, size_t len,
	uint32_t nrec, unsigned char **buf, size_t *cap, size_t *flen,
	struct rs_error *err);

void rs_zframe_free(struct rs_zframe *z);

/*
 * As rs_writer_put_block, for a block whose frame (flen bytes) came from
 * rs_zframe_block on the same records.  A raw writer ignores the frame.
 */
int rs_writer_put_frame(struct rs_writer *w, const void *bytes, size_t len,
	uint32_t nrec, const void *frame, size_t flen, struct rs_error *err);

/*
 * Appends len bytes (whole records) to the current table, which must be
 * an extent (rs_writer_opts.extents); the first call writes the padding.
 * Any number of calls, as long as they add up to the table's row count
 * by rs_writer_end_table.  The block functions refuse an extent table and
 * this one a table of blocks (RS_EARG).
 */
int rs_writer_put_extent(struct rs_writer *w, const void *bytes, size_t len,
	struct rs_error *err);

/* Closes the current table with its trailer; the next put starts the next. */
int rs_writer_end_table(struct rs_writer *w, struct rs_error *err);

/*
 * Writes to fd what an uncompressed stream holds back (it writes in
 * whole 4 MiB pieces, see stream.c), as finish does; a stream left
 * unfinished (a test of a reader's checks) can then be read as far as
 * it got.  A compressed stream is left as it is: what its open frame
 * holds is written by finish (or the next put_frame) only.
 */
int rs_writer_flush(struct rs_writer *w, struct rs_error *err);

/*
 * Ends the stream: closes the current table, checks that every table of
 * the header was written, and flushes everything to fd.  The caller then
 * fsyncs/renames (see outfile.h).  Records written so far: rs_writer_rows.
 */
int rs_writer_finish(struct rs_writer *w, struct rs_error *err);

/* Records written to table i so far. */
uint64_t rs_writer_rows(const struct rs_writer *w, unsigned i);

/* Frees w; NULL is fine.  A writer freed unfinished leaves a truncated
 * stream, which readers reject: that is the point. */
void rs_writer_free(struct rs_writer *w);

/* ---- reading ---- */

struct rs_reader;

struct rs_block {
	unsigned table;			/* index into the header's tables */
	uint32_t nrec;
	size_t len;
	const unsigned char *data;	/* valid until the next reader call */
};

/*
 * Reads and checks the header from fd (borrowed).  name is used in
 * messages ("events.rse: truncated stream ...").  Errors: RS_EFORMAT for
 * input that is not an rs stream, RS_EVERSION for a newer major version,
 * RS_ECORRUPT for a bad header checksum, RS_ETRUNC, RS_EIO.
 */
int rs_reader_open(struct rs_reader **out, int fd, const char *name,
	struct rs_error *err);

/* As rs_reader_open, starting with n bytes already read from fd. */
int rs_reader_open_with(struct rs_reader **out, int fd, const char *name,
	const unsigned char *pre, size_t n, struct rs_error *err);

/* RS_EFORMAT with "NAME: is a 'x' stream, expected 'y'" unless kind fits. */
int rs_reader_expect(const struct rs_reader *r, unsigned kind,
	struct rs_error *err);

/*
 * 1 if table t is named name and has exactly the columns cols[0..n), in
 * order, by name and type, each a scalar (count 0 or 1); else 0.  The
 * schema check of a reader that knows its tables' layout.
 */
int rs_table_matches(const struct rs_table_desc *t, const char *name,
	const struct rs_column *cols, unsigned n);

unsigned rs_reader_kind(const struct rs_reader *r);
unsigned rs_reader_major(const struct rs_reader *r);
unsigned rs_reader_minor(const struct rs_reader *r);
const char *rs_reader_name(const struct rs_reader *r);
unsigned rs_reader_ntables(const struct rs_reader *r);
const struct rs_table_desc *rs_reader_table(const struct rs_reader *r,
	unsigned i);

/* Value of metadata key, or NULL.  Borrowed; lives as long as r. */
const char *rs_reader_meta(const struct rs_reader *r, const char *key);
unsigned rs_reader_nmeta(const struct rs_reader *r);
void rs_reader_meta_at(const struct rs_reader *r, unsigned i,
	const char **key, const char **value);

/*
 * Next block.  Returns 1 and fills *b; returns 0 at the end of a table
 * after checking its trailer (b->table says which ended), after which the
 * next call reads the next table; returns 0 with rs_reader_done(r) true
 * once the last table has ended and the input is checked to end there.
 * An extent table comes the same way, cut into blocks of whole records
 * of about 1 MiB (or one record), so every consumer reads both layouts.
 * Negative on error: RS_ETRUNC, RS_ECORRUPT, RS_EIO.
 */
int rs_reader_next(struct rs_reader *r, struct rs_block *b,
	struct rs_error *err);

/* Layout of table i (enum rs_layout). */
unsigned rs_reader_layout(const struct rs_reader *r, unsigned i);

/*
 * An extent table in memory: len bytes at data, RS_EXTENT_ALIGN-aligned,
 * either in a heap block (maplen 0) or in a read-only mapping of the
 * input file; rs_extent_release frees either.  A zeroed struct is empty.
 */
struct rs_extent {
	const void *data;
	size_t len;
	void *base;		/* what to free or unmap */
	size_t maplen;		/* length of the mapping; 0: heap */
};

/*
 * Judges a piece of an extent, n bytes (whole records) at p, the pieces
 * coming in order and at most 64 KiB or one record long.  It runs while
 * the piece is still in the cache, before the extent's CRC is known, so
 * it may only record what it finds (the caller acts on that once
 * rs_reader_extent succeeds); it must not keep p.
 */
typedef void rs_extent_check_fn(void *ctx, const unsigned char *p, size_t n);

#define RS_EXTENT_COPY 1	/* flag: always a private, writable heap copy */

/*
 * Reads the current table, which must be an extent not yet started with
 * rs_reader_next, and its trailer; the reader then stands at the next
 * table (or, after the last, has checked the end: rs_reader_done).
 *
 * When the input is a raw stream in a regular file, at an offset that is
 * a multiple of RS_EXTENT_ALIGN, the records are mapped read-only in
 * place of being copied, unless flags has RS_EXTENT_COPY or
 * rs_reader_set_map turned mapping off: no page is allocated or zeroed,
 * and the pages are the page cache's, shared with every process mapping
 * the file.  The CRC is verified in both cases.  A mapping stays valid
 * when the file is renamed over or removed (as rs replaces its outputs),
 * but not when the file is truncated or rewritten in place while mapped:
 * touching a page past a truncation raises SIGBUS, and a rewrite shows
 * through.  Otherwise the records are read (raw) or decompressed (zstd)
 * straight into a heap block, which starts at what the stream can hold
 * (rs_reader_prealloc) and grows as they arrive.
 *
 * check, if not NULL, sees every byte of the records exactly once.  On
 * success *out holds the records; on error it is empty.  Errors: RS_EARG
 * (not an extent, or already started), RS_ETRUNC, RS_ECORRUPT (claim,
 * padding, trailer, CRC), RS_ENOMEM, RS_EIO.
 */
int rs_reader_extent(struct rs_reader *r, int flags,
	rs_extent_check_fn *check, void *ctx, struct rs_extent *out,
	struct rs_error *err);

/* Frees or unmaps e's memory and empties it; an empty e is fine. */
void rs_extent_release(struct rs_extent *e);

/*
 * on = 0: rs_reader_extent always copies, for a caller that cannot rule
 * out the file being rewritten in place.  Mapping is on by default.
 */
void rs_reader_set_map(struct rs_reader *r, int on);

/*
 * Threads (default 1) that verify the CRC of a mapped extent of at least
 * 64 MiB: with n >= 2, a second thread checksums its second half while
 * the caller does the first (and runs check over all of it, in order),
 * and the two CRCs are combined (crc32c.h).  Same result, same errors.
 */
void rs_reader_set_threads(struct rs_reader *r, unsigned n);

/* 1 once every table has been read and verified. */
int rs_reader_done(const struct rs_reader *r);

/*
 * Reads the rest of the stream, calling fn for every block; a negative
 * return of fn stops with that code.  0 once the stream is read and
 * verified to its end, or the first error.
 */
int rs_reader_each(struct rs_reader *r,
	int (*fn)(void *ctx, const struct rs_block *b, struct rs_error *err),
	void *ctx, struct rs_error *err);

/* Records of table i verified so far. */
uint64_t rs_reader_rows(const struct rs_reader *r, unsigned i);

/*
 * How many rows of table i a reader may allocate room for before they
 * arrive.  Each row takes at least W bytes of the stream, W being the
 * table's record width with a string column counted as its 4-byte
 * length.  A
 * header's row count is a claim, covered by the header's CRC but not
 * proven until the table's trailer: a corrupt or hostile header claiming
 * billions of rows must not cost gigabytes before the stream runs out.
 *
 * When the input is a regular file, its size bounds the payload (raw:
 * the size; zstd: RS_ZSTD_MAX_RATIO times it), and a claim beyond that
 * bound is RS_ECORRUPT "NAME: table 'T' claims N rows of at least W
 * bytes, more than the stream's S bytes can hold" (S: the file's size).  Within it, *rows is
 * the claim, so a real file is allocated exactly once, except that a
 * zstd file whose claim exceeds the cap below and RS_PREALLOC_RATIO
 * times the file's size gets the cap below.  For any other input (a
 * pipe), or an unknown count, *rows is the claim capped at
 * RS_PREALLOC_BYTES / W (the cap is rs_reader_set_prealloc's, if set).  A reader given less than the claim grows
 * its arrays as blocks arrive; the trailer check still rejects a table
 * whose count differs from the claim.
 */
#define RS_PREALLOC_BYTES ((uint64_t)64 << 20)
#define RS_PREALLOC_RATIO 16	/* real rs streams compress far less */
#define RS_ZSTD_MAX_RATIO 32768	/* a 4-byte RLE block gives 128 KiB */
int rs_reader_prealloc(const struct rs_reader *r, unsigned i,
	uint64_t *rows, struct rs_error *err);

/*
 * Sets the cap of rs_reader_prealloc, in bytes (0: RS_PREALLOC_BYTES):
 * lower for little memory, or in tests, to make readers grow.
 */
void rs_reader_set_prealloc(struct rs_reader *r, uint64_t bytes);

void rs_reader_free(struct rs_reader *r);

#endif
