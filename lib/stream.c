/*
 * stream.c - reading and writing rs binary streams.  The format is laid out
 * in stream.h and man/rs-stream.5.
 *
 * Writer: the header is serialised into memory, then everything (header,
 * blocks, trailers) goes through one sink that either writes raw bytes or
 * feeds a zstd compression context (content checksum on) whose output is
 * written to the fd.  Each table keeps a running CRC-32C of its blocks.
 *
 * Reader: one buffer holds decompressed payload bytes [pos, end).  need(n)
 * makes n bytes contiguous at pos by compacting, growing and decompressing
 * more; a block is then handed out as a pointer into that buffer, so
 * reading costs one copy (zstd's output) and no per-record work.
 *
 * Extent tables (2.0) skip that buffer when read with rs_reader_extent:
 * the records are mapped from a raw file, or read or decompressed
 * straight into their final heap block.  Either way the CRC is taken in
 * 64 KiB pieces, each handed to the caller's check while it is still in
 * the cache, so a model's factors are touched once from memory on load.
 * rs_reader_next serves extents too, as blocks cut from the buffer, for
 * every consumer that walks a stream block by block.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "bytes.h"
#include "crc32c.h"
#include "hugemem.h"
#include "stream.h"
#include "banned.h"

static const unsigned char rs_magic[8] = {
	0x89, 'R', 'S', 'T', '\r', '\n', 0x1a, '\n'
};

#define FIXED_HEADER 28
#define CHECK_PIECE (64u << 10)		/* CRC and check, in cache */
#define EXTENT_PIECE (1u << 20)		/* a read, or a block of an extent */

/* Bit i of a table mask; tables number at most RS_MAX_TABLES = 64. */
#define TABLE_BIT(i) ((uint64_t)1 << (i))

/* ---- kinds, types, tables ---- */

const char *
rs_kind_name(unsigned kind)
{
	switch (kind) {
	case RS_KIND_EVENTS:	return "events";
	case RS_KIND_PROPS:	return "props";
	case RS_KIND_TREE:	return "tree";
	case RS_KIND_ITEMS:	return "items";
	case RS_KIND_MATRIX:	return "matrix";
	case RS_KIND_MODEL:	return "model";
	case RS_KIND_RECS:	return "recs";
	case RS_KIND_REQUESTS:	return "requests";
	default:		return "unknown";
	}
}

const char *
rs_type_name(unsigned type)
{
	static const char *const names[] = {
		"unknown", "u8", "u16", "u32", "u64", "i32", "i64", "f32",
		"f64", "enum", "str", "id", "time"
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] :
	    "unknown";
}

size_t
rs_type_width(unsigned type)
{
	switch (type) {
	case RS_T_U8: case RS_T_ENUM:			return 1;
	case RS_T_U16:					return 2;
	case RS_T_U32: case RS_T_I32: case RS_T_F32:	return 4;
	case RS_T_U64: case RS_T_I64: case RS_T_F64:
	case RS_T_ID: case RS_T_TIME:			return 8;
	default:					return 0;
	}
}

static uint32_t
col_count(const struct rs_column *c)
{
	return c->count == 0 ? 1 : c->count;
}

size_t
rs_table_record_width(const struct rs_table_desc *t)
{
	size_t w = 0;
	unsigned i;

	for (i = 0; i < t->ncols; i++) {
		if (t->cols[i].type == RS_T_STR)
			return 0;
		w += rs_type_width(t->cols[i].type) * col_count(&t->cols[i]);
	}
	return w;
}

int
rs_table_column(const struct rs_table_desc *t, const char *name)
{
	unsigned i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

size_t
rs_record_size(const struct rs_table_desc *t, const unsigned char *p,
    size_t avail)
{
	size_t off = 0, w;
	uint32_t len;
	unsigned i;

	for (i = 0; i < t->ncols; i++) {
		if (t->cols[i].type == RS_T_STR) {
			if (avail - off < 4)
				return 0;
			len = rs_get_le32(p + off);
			if (len > avail - off - 4)
				return 0;
			off += 4 + (size_t)len;
		} else {
			w = rs_type_width(t->cols[i].type) *
			    col_count(&t->cols[i]);
			if (w > avail - off)
				return 0;
			off += w;
		}
	}
	return off;
}

enum rs_sniff
rs_stream_sniff(const unsigned char *p, size_t n)
{
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f &&
	    p[3] == 0xfd)
		return RS_SNIFF_ZSTD;
	if (n >= 4 && memcmp(p, rs_magic, 4) == 0)
		return RS_SNIFF_RAW;
	return RS_SNIFF_OTHER;
}

/* ---- a growable byte buffer for header serialisation ---- */

struct buf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static unsigned char *
buf_grow(struct buf *b, size_t n)
{
	unsigned char *np;
	size_t cap;

	if (b->oom)
		return NULL;
	if (b->cap - b->len < n) {
		cap = b->cap ? b->cap * 2 : 256;
		while (cap - b->len < n)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return NULL;
		}
		b->p = np;
		b->cap = cap;
	}
	b->len += n;
	return b->p + b->len - n;
}

static void
buf_u8(struct buf *b, unsigned v)
{
	unsigned char *p = buf_grow(b, 1);

	if (p)
		*p = (unsigned char)v;
}

static void
buf_u16(struct buf *b, unsigned v)
{
	unsigned char *p = buf_grow(b, 2);

	if (p)
		rs_put_le16(p, (uint16_t)v);
}

static void
buf_u32(struct buf *b, uint32_t v)
{
	unsigned char *p = buf_grow(b, 4);

	if (p)
		rs_put_le32(p, v);
}

static void
buf_u64(struct buf *b, uint64_t v)
{
	unsigned char *p = buf_grow(b, 8);

	if (p)
		rs_put_le64(p, v);
}

static void
buf_bytes(struct buf *b, const void *s, size_t n)
{
	unsigned char *p = buf_grow(b, n);

	if (p && n)
		memcpy(p, s, n);
}

/* ---- writer ---- */

/*
 * A raw stream is written in whole pieces of this many bytes, each at an
 * offset that is a multiple of it.  Linux (6.x, ext4 and xfs) caches a
 * buffered write in folios no larger than the write: a model written a
 * megabyte at a time stays in 1 MiB folios, and mapping it right after
 * (a reload after rs-retrain) took a page fault per 64 KiB, 0.48-0.51 s
 * for a scale-1 model's load against 0.21-0.24 s when written in 2 MiB
 * pieces or more, which the kernel can map whole.
 */
#define RAW_WRITE ((size_t)4 << 20)

struct rs_writer {
	int fd;
	char *name;
	int raw;
	unsigned char *rbuf;		/* raw: bytes not yet written */
	size_t rlen;			/* of RAW_WRITE */
	ZSTD_CCtx *cctx;
	unsigned char *zout;
	size_t zout_cap;
	unsigned ntables, cur;
	uint64_t *rows;
	uint32_t crc;			/* of the current table's blocks */
	unsigned char *blk;		/* rs_writer_put's pending records */
	size_t blk_len, blk_cap;
	uint32_t blk_nrec;
	int open;			/* the current zstd frame has bytes */
	int failed;
	uint64_t extents;		/* bit i: table i is an extent */
	uint64_t *nrows;		/* each table's row count (extents) */
	size_t *width;			/* each table's record width */
	char **tname;			/* each table's name, for messages */
	uint64_t off;			/* payload bytes so far */
	uint64_t ext_bytes;		/* record bytes of the open extent */
	int ext_open;			/* its padding is written */
};

void
rs_writer_opts_init(struct rs_writer_opts *o)
{
	o->level = 3;
	o->raw = 0;
	o->block_bytes = 256u << 10;
	o->extents = 0;
}

static int
write_all(struct rs_writer *w, const void *p, size_t n, struct rs_error *err)
{
	const unsigned char *s = p;
	ssize_t k;

	while (n > 0) {
		k = write(w->fd, s, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->failed = 1;
			return rs_error_errno(err, RS_EIO, errno, "%s: write",
			    w->name);
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * A compressor for rs frames: level, and the content checksum that makes
 * `zstd -t` check a stream.  NULL when out of memory.
 */
static ZSTD_CCtx *
new_cctx(int level)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();

	if (c != NULL) {
		ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
		ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	}
	return c;
}

/* The 8-byte header of a block of nrec records, len bytes. */
static void
block_head(unsigned char *h, uint32_t nrec, size_t len)
{
	rs_put_le32(h, nrec);
	rs_put_le32(h + 4, (uint32_t)len);
}

/* Raw bytes through rbuf, RAW_WRITE at a time; all of them when last. */
static int
raw_sink(struct rs_writer *w, const void *p, size_t n, int last,
    struct rs_error *err)
{
	const unsigned char *s = p;
	size_t k;
	int rc;

	if (n > 0 && w->rbuf == NULL && (w->rbuf = malloc(RAW_WRITE)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "%s: out of memory",
		    w->name);
	while (n > 0) {
		k = RAW_WRITE - w->rlen < n ? RAW_WRITE - w->rlen : n;
		memcpy(w->rbuf + w->rlen, s, k);
		w->rlen += k;
		s += k;
		n -= k;
		if (w->rlen == RAW_WRITE) {
			w->rlen = 0;
			if ((rc = write_all(w, w->rbuf, RAW_WRITE, err)) < 0)
				return rc;
		}
	}
	if (last && w->rlen > 0) {
		k = w->rlen;
		w->rlen = 0;
		return write_all(w, w->rbuf, k, err);
	}
	return 0;
}

/* Pushes payload bytes through the compressor (or raw) to the fd. */
static int
sink(struct rs_writer *w, const void *p, size_t n, ZSTD_EndDirective end,
    struct rs_error *err)
{
	ZSTD_inBuffer in = { p, n, 0 };
	ZSTD_outBuffer out;
	size_t rem;
	int rc;

	if (w->failed)
		return rs_error_set(err, RS_EIO, "%s: earlier write failed",
		    w->name);
	w->off += n;
	if (w->raw)
		return raw_sink(w, p, n, end != ZSTD_e_continue, err);
	if (end != ZSTD_e_continue)
		w->open = 0;
	else if (n > 0)
		w->open = 1;
	for (;;) {
		out.dst = w->zout;
		out.size = w->zout_cap;
		out.pos = 0;
		rem = ZSTD_compressStream2(w->cctx, &out, &in, end);
		if (ZSTD_isError(rem)) {
			w->failed = 1;
			return rs_error_set(err, RS_EIO, "%s: zstd: %s",
			    w->name, ZSTD_getErrorName(rem));
		}
		if (out.pos && (rc = write_all(w, w->zout, out.pos, err)) < 0)
			return rc;
		if (end == ZSTD_e_continue ? in.pos == in.size : rem == 0)
			return 0;
	}
}

static int
table_bytes(struct rs_writer *w, const void *p, size_t n, struct rs_error *err)
{
	w->crc = rs_crc32c(w->crc, p, n);
	return sink(w, p, n, ZSTD_e_continue, err);
}

/* The checks every block passes, and its header into h. */
static int
block_header(struct rs_writer *w, size_t len, uint32_t nrec, unsigned char *h,
    struct rs_error *err)
{
	if (len > RS_BLOCK_MAX)
		return rs_error_set(err, RS_EARG, "%s: block of %zu bytes is "
		    "larger than %u", w->name, len, RS_BLOCK_MAX);
	if (w->cur >= w->ntables)
		return rs_error_set(err, RS_EARG, "%s: records after the last "
		    "table", w->name);
	if (w->extents & TABLE_BIT(w->cur))
		return rs_error_set(err, RS_EARG, "%s: table '%s' is an extent "
		    "(rs_writer_put_extent)", w->name, w->tname[w->cur]);
	block_head(h, nrec, len);
	return 0;
}

static int
put_block(struct rs_writer *w, const void *bytes, size_t len, uint32_t nrec,
    struct rs_error *err)
{
	unsigned char h[RS_BLOCK_HEAD];
	int rc;

	if (nrec == 0)
		return 0;
	if ((rc = block_header(w, len, nrec, h, err)) < 0 ||
	    (rc = table_bytes(w, h, sizeof(h), err)) < 0 ||
	    (rc = table_bytes(w, bytes, len, err)) < 0)
		return rc;
	w->rows[w->cur] += nrec;
	return 0;
}

static int
flush_pending(struct rs_writer *w, struct rs_error *err)
{
	int rc;

	rc = put_block(w, w->blk, w->blk_len, w->blk_nrec, err);
	w->blk_len = 0;
	w->blk_nrec = 0;
	return rc;
}

/*
 * The header of d, with the tables of the mask extents as extents.  The
 * version is the lowest that can say what the stream holds: 2.0 with an
 * extent, else 1.0, whose bytes older readers know.
 */
static int
serialise_header(struct buf *b, const struct rs_stream_desc *d,
    uint64_t extents)
{
	const struct rs_table_desc *t;
	const struct rs_column *c;
	unsigned i, j, k, major = extents ? 2 : 1;
	size_t n;

	buf_bytes(b, rs_magic, sizeof(rs_magic));
	buf_u16(b, major);
	buf_u16(b, major == RS_STREAM_MAJOR ? RS_STREAM_MINOR : 0);
	buf_u16(b, d->kind);
	buf_u16(b, 0);
	buf_u32(b, 0);			/* length, patched below */
	buf_u32(b, d->ntables);
	buf_u32(b, d->nmeta);
	for (i = 0; i < d->ntables; i++) {
		t = &d->tables[i];
		n = strlen(t->name);
		if (n > UINT16_MAX || t->ncols == 0 ||
		    t->ncols > RS_MAX_COLUMNS)
			return -1;
		buf_u16(b, (unsigned)n);
		buf_bytes(b, t->name, n);
		buf_u64(b, t->nrows);
		if (major >= 2)
			buf_u16(b, extents & TABLE_BIT(i) ? RS_LAYOUT_EXTENT :
			    RS_LAYOUT_BLOCKS);
		buf_u16(b, t->ncols);
		for (j = 0; j < t->ncols; j++) {
			c = &t->cols[j];
			n = strlen(c->name);
			if (n > UINT16_MAX || (rs_type_width(c->type) == 0 &&
			    c->type != RS_T_STR))
				return -1;
			if (c->type == RS_T_STR && col_count(c) != 1)
				return -1;
			buf_u8(b, c->type);
			buf_u32(b, col_count(c));
			buf_u16(b, (unsigned)n);
			buf_bytes(b, c->name, n);
			if (c->type != RS_T_ENUM)
				continue;
			buf_u16(b, c->nlabels);
			for (k = 0; k < c->nlabels; k++) {
				n = strlen(c->labels[k]);
				if (n > UINT16_MAX)
					return -1;
				buf_u16(b, (unsigned)n);
				buf_bytes(b, c->labels[k], n);
			}
		}
	}
	for (i = 0; i < d->nmeta; i++) {
		n = strlen(d->meta[i].key);
		if (n > UINT16_MAX)
			return -1;
		buf_u16(b, (unsigned)n);
		buf_bytes(b, d->meta[i].key, n);
		n = strlen(d->meta[i].value);
		if (n > UINT32_MAX)
			return -1;
		buf_u32(b, (uint32_t)n);
		buf_bytes(b, d->meta[i].value, n);
	}
	buf_u32(b, 0);			/* CRC, patched below */
	if (b->oom || b->len > RS_HEADER_MAX)
		return -1;
	rs_put_le32(b->p + 16, (uint32_t)b->len);
	rs_put_le32(b->p + b->len - 4, rs_crc32c(0, b->p, b->len - 4));
	return 0;
}

int
rs_writer_open(struct rs_writer **out, int fd, const char *name,
    const struct rs_stream_desc *desc, const struct rs_writer_opts *opts,
    struct rs_error *err)
{
	struct rs_writer_opts def;
	const struct rs_table_desc *t;
	struct rs_writer *w;
	struct buf hdr = { 0 };
	size_t width;
	unsigned i;
	int rc;

	*out = NULL;
	if (opts == NULL) {
		rs_writer_opts_init(&def);
		opts = &def;
	}
	if (desc->ntables == 0 || desc->ntables > RS_MAX_TABLES)
		return rs_error_set(err, RS_EARG, "%s: a stream needs 1 to %d "
		    "tables", name, RS_MAX_TABLES);
	if (desc->ntables < RS_MAX_TABLES &&
	    (opts->extents >> desc->ntables) != 0)
		return rs_error_set(err, RS_EARG, "%s: extent bits beyond the "
		    "last table", name);
	for (i = 0; i < desc->ntables; i++) {
		t = &desc->tables[i];
		width = rs_table_record_width(t);
		if ((opts->extents & TABLE_BIT(i)) && (width == 0 ||
		    width > RS_BLOCK_MAX || t->nrows == RS_NROWS_UNKNOWN ||
		    t->nrows > UINT64_MAX / width))
			return rs_error_set(err, RS_EARG, "%s: table '%s' "
			    "cannot be an extent (it needs a row count and "
			    "fixed-width records)", name, t->name);
	}
	if (serialise_header(&hdr, desc, opts->extents) < 0) {
		free(hdr.p);
		return rs_error_set(err, RS_EARG, "%s: stream header cannot "
		    "be encoded (bad schema or too large)", name);
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->name = strdup(name)) == NULL ||
	    (w->rows = calloc(desc->ntables, sizeof(*w->rows))) == NULL ||
	    (w->nrows = calloc(desc->ntables, sizeof(*w->nrows))) == NULL ||
	    (w->width = calloc(desc->ntables, sizeof(*w->width))) == NULL ||
	    (w->tname = calloc(desc->ntables, sizeof(*w->tname))) == NULL ||
	    (w->blk = malloc(opts->block_bytes ? opts->block_bytes : 1)) ==
	    NULL) {
		free(hdr.p);
		rs_writer_free(w);
		return rs_error_set(err, RS_ENOMEM, "%s: out of memory", name);
	}
	w->fd = fd;
	w->raw = opts->raw;
	w->ntables = desc->ntables;
	w->blk_cap = opts->block_bytes ? opts->block_bytes : 1;
	w->extents = opts->extents;
	for (i = 0; i < desc->ntables; i++) {
		w->nrows[i] = desc->tables[i].nrows;
		w->width[i] = rs_table_record_width(&desc->tables[i]);
		if ((w->tname[i] = strdup(desc->tables[i].name)) == NULL) {
			free(hdr.p);
			rs_writer_free(w);
			return rs_error_set(err, RS_ENOMEM, "%s: out of memory",
			    name);
		}
	}
	if (!w->raw) {
		w->zout_cap = ZSTD_CStreamOutSize();
		if ((w->cctx = new_cctx(opts->level)) == NULL ||
		    (w->zout = malloc(w->zout_cap)) == NULL) {
			free(hdr.p);
			rs_writer_free(w);
			return rs_error_set(err, RS_ENOMEM, "%s: out of memory",
			    name);
		}
	}
	rc = sink(w, hdr.p, hdr.len, ZSTD_e_continue, err);
	free(hdr.p);
	if (rc < 0) {
		rs_writer_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int
rs_writer_put(struct rs_writer *w, const void *rec, size_t len,
    struct rs_error *err)
{
	unsigned char *np;
	size_t cap;
	int rc;

	if (w->cur < w->ntables && (w->extents & TABLE_BIT(w->cur)))
		return rs_error_set(err, RS_EARG, "%s: table '%s' is an extent "
		    "(rs_writer_put_extent)", w->name, w->tname[w->cur]);
	if (w->blk_len + len > w->blk_cap && w->blk_nrec > 0 &&
	    (rc = flush_pending(w, err)) < 0)
		return rc;
	if (len > w->blk_cap) {		/* one record larger than a block */
		if (len > RS_BLOCK_MAX)
			return rs_error_set(err, RS_EARG, "%s: record of %zu "
			    "bytes is too large", w->name, len);
		cap = len;
		if ((np = realloc(w->blk, cap)) == NULL)
			return rs_error_set(err, RS_ENOMEM, "%s: out of memory",
			    w->name);
		w->blk = np;
		w->blk_cap = cap;
	}
	memcpy(w->blk + w->blk_len, rec, len);
	w->blk_len += len;
	w->blk_nrec++;
	return 0;
}

int
rs_writer_put_block(struct rs_writer *w, const void *bytes, size_t len,
    uint32_t nrec, struct rs_error *err)
{
	int rc;

	if (w->blk_nrec > 0 && (rc = flush_pending(w, err)) < 0)
		return rc;
	return put_block(w, bytes, len, nrec, err);
}

int
rs_writer_put_frame(struct rs_writer *w, const void *bytes, size_t len,
    uint32_t nrec, const void *frame, size_t flen, struct rs_error *err)
{
	unsigned char h[RS_BLOCK_HEAD];
	int rc;

	if (w->raw)
		return rs_writer_put_block(w, bytes, len, nrec, err);
	if (w->blk_nrec > 0 && (rc = flush_pending(w, err)) < 0)
		return rc;
	if (nrec == 0)
		return 0;
	if ((rc = block_header(w, len, nrec, h, err)) < 0)
		return rc;
	if (w->failed)
		return rs_error_set(err, RS_EIO, "%s: earlier write failed",
		    w->name);
	/* The frame stands alone: close the one in progress first. */
	if (w->open && (rc = sink(w, NULL, 0, ZSTD_e_end, err)) < 0)
		return rc;
	if ((rc = write_all(w, frame, flen, err)) < 0)
		return rc;
	w->off += sizeof(h) + len;
	w->crc = rs_crc32c(w->crc, h, sizeof(h));
	w->crc = rs_crc32c(w->crc, bytes, len);
	w->rows[w->cur] += nrec;
	return 0;
}

struct rs_zframe {
	ZSTD_CCtx *cctx;
};

int
rs_zframe_create(struct rs_zframe **out, int level, struct rs_error *err)
{
	struct rs_zframe *z;

	*out = NULL;
	if ((z = calloc(1, sizeof(*z))) == NULL ||
	    (z->cctx = new_cctx(level)) == NULL) {
		free(z);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	*out = z;
	return 0;
}

int
rs_zframe_block(struct rs_zframe *z, unsigned char *blk, size_t len,
    uint32_t nrec, unsigned char **buf, size_t *cap, size_t *flen,
    struct rs_error *err)
{
	size_t need = ZSTD_compressBound(RS_BLOCK_HEAD + len), r;
	unsigned char *p;

	if (*cap < need) {
		if ((p = realloc(*buf, need)) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		*buf = p;
		*cap = need;
	}
	block_head(blk, nrec, len);
	r = ZSTD_compress2(z->cctx, *buf, *cap, blk, RS_BLOCK_HEAD + len);
	if (ZSTD_isError(r))
		return rs_error_set(err, RS_EIO, "zstd: %s",
		    ZSTD_getErrorName(r));
	*flen = r;
	return 0;
}

void
rs_zframe_free(struct rs_zframe *z)
{
	if (z == NULL)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z);
}

/* The zero bytes before an extent's records: they start aligned. */
static int
extent_pad(struct rs_writer *w, struct rs_error *err)
{
	static const unsigned char zero[RS_EXTENT_ALIGN];
	size_t pad = (size_t)(-w->off & (RS_EXTENT_ALIGN - 1));
	int rc;

	if ((rc = sink(w, zero, pad, ZSTD_e_continue, err)) < 0)
		return rc;
	w->ext_open = 1;
	return 0;
}

int
rs_writer_put_extent(struct rs_writer *w, const void *bytes, size_t len,
    struct rs_error *err)
{
	uint64_t room;
	int rc;

	if (w->cur >= w->ntables || !(w->extents & TABLE_BIT(w->cur)))
		return rs_error_set(err, RS_EARG, "%s: the current table is "
		    "not an extent", w->name);
	room = w->nrows[w->cur] * w->width[w->cur] - w->ext_bytes;
	if (len % w->width[w->cur] != 0 || len > room)
		return rs_error_set(err, RS_EARG, "%s: table '%s': %zu bytes "
		    "are not whole records that fit its %llu rows", w->name,
		    w->tname[w->cur], len,
		    (unsigned long long)w->nrows[w->cur]);
	if (!w->ext_open && (rc = extent_pad(w, err)) < 0)
		return rc;
	if ((rc = table_bytes(w, bytes, len, err)) < 0)
		return rc;
	w->ext_bytes += len;
	return 0;
}

int
rs_writer_end_table(struct rs_writer *w, struct rs_error *err)
{
	unsigned char t[20];
	int rc;

	if (w->cur >= w->ntables)
		return rs_error_set(err, RS_EARG, "%s: no table left to end",
		    w->name);
	if (w->extents & TABLE_BIT(w->cur)) {
		if (!w->ext_open && (rc = extent_pad(w, err)) < 0)
			return rc;
		if (w->ext_bytes != w->nrows[w->cur] * w->width[w->cur])
			return rs_error_set(err, RS_EARG, "%s: table '%s': "
			    "%llu of %llu rows written", w->name,
			    w->tname[w->cur], (unsigned long long)(w->ext_bytes /
			    w->width[w->cur]),
			    (unsigned long long)w->nrows[w->cur]);
		w->rows[w->cur] = w->nrows[w->cur];
		w->ext_open = 0;
		w->ext_bytes = 0;
	} else if ((rc = flush_pending(w, err)) < 0)
		return rc;
	rs_put_le32(t, 0);
	rs_put_le32(t + 4, 0);
	rs_put_le64(t + 8, w->rows[w->cur]);
	rs_put_le32(t + 16, w->crc);
	if ((rc = sink(w, t, sizeof(t), ZSTD_e_continue, err)) < 0)
		return rc;
	w->cur++;
	w->crc = 0;
	return 0;
}

int
rs_writer_flush(struct rs_writer *w, struct rs_error *err)
{
	if (w->failed)
		return rs_error_set(err, RS_EIO, "%s: earlier write failed",
		    w->name);
	return w->raw ? raw_sink(w, NULL, 0, 1, err) : 0;
}

int
rs_writer_finish(struct rs_writer *w, struct rs_error *err)
{
	int rc;

	if (w->cur < w->ntables && (rc = rs_writer_end_table(w, err)) < 0)
		return rc;
	if (w->cur != w->ntables)
		return rs_error_set(err, RS_EARG, "%s: %u of %u tables written",
		    w->name, w->cur, w->ntables);
	return sink(w, NULL, 0, ZSTD_e_end, err);
}

uint64_t
rs_writer_rows(const struct rs_writer *w, unsigned i)
{
	return i < w->ntables ? w->rows[i] : 0;
}

void
rs_writer_free(struct rs_writer *w)
{
	unsigned i;

	if (w == NULL)
		return;
	ZSTD_freeCCtx(w->cctx);
	free(w->zout);
	free(w->rbuf);
	free(w->blk);
	free(w->rows);
	free(w->nrows);
	free(w->width);
	if (w->tname != NULL)
		for (i = 0; i < w->ntables; i++)
			free(w->tname[i]);
	free(w->tname);
	free(w->name);
	free(w);
}

/* ---- reader ---- */

struct rs_reader {
	int fd;
	char *name;
	int compressed;
	uint64_t filesize;		/* a regular file's size, else 0 */
	uint64_t prealloc;		/* rs_reader_prealloc's cap, bytes */
	ZSTD_DCtx *dctx;
	unsigned char *in;		/* compressed input */
	size_t in_pos, in_len, in_cap;
	int in_eof;
	size_t zret;			/* last ZSTD_decompressStream result */
	unsigned char *buf;		/* payload bytes [pos, end) */
	size_t pos, end, cap;
	unsigned kind, major, minor;
	unsigned ntables, cur;
	struct rs_table_desc *tables;
	unsigned nmeta;
	char **meta;			/* key, value pairs */
	char *strings;			/* backing for the header's names */
	uint64_t *rows;
	uint32_t crc;
	int done;
	struct rs_column *cols_all;
	const char **labels_all;
	uint64_t extents;		/* bit i: table i is an extent */
	int64_t base;			/* file offset of payload byte 0, or -1 */
	uint64_t bufoff;		/* payload offset of buf[0] */
	int nomap;			/* rs_reader_set_map(r, 0) */
	unsigned threads;		/* rs_reader_set_threads */
	int ext_open;			/* rs_reader_next is inside an extent */
	uint64_t ext_left;		/* records of it not yet handed out */
};

static int
fill_input(struct rs_reader *r, struct rs_error *err)
{
	ssize_t k;

	if (r->in_pos == r->in_len)
		r->in_pos = r->in_len = 0;
	for (;;) {
		k = read(r->fd, r->in + r->in_len, r->in_cap - r->in_len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return rs_error_errno(err, RS_EIO, errno, "%s: read",
			    r->name);
		if (k == 0)
			r->in_eof = 1;
		r->in_len += (size_t)k;
		return 0;
	}
}

/*
 * One ZSTD_decompressStream step from the buffered input into dst (size
 * bytes) at offset start: advances r->in_pos, sets r->zret (check it with
 * ZSTD_isError) and returns the end of the output in dst.
 */
static size_t
decompress_into(struct rs_reader *r, void *dst, size_t size, size_t start)
{
	ZSTD_inBuffer in = { .src = r->in, .size = r->in_len,
	    .pos = r->in_pos };
	ZSTD_outBuffer out = { .dst = dst, .size = size, .pos = start };

	r->zret = ZSTD_decompressStream(r->dctx, &out, &in);
	r->in_pos = in.pos;
	return out.pos;
}

/* The same into r->buf. */
static size_t
decompress(struct rs_reader *r, size_t start)
{
	return decompress_into(r, r->buf, r->cap, start);
}

/* Makes n payload bytes available at r->buf + r->pos. */
static int
need(struct rs_reader *r, size_t n, struct rs_error *err)
{
	unsigned char *nb;
	size_t cap, k;
	ssize_t got;
	int rc;

	while (r->end - r->pos < n) {
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->bufoff += r->pos;
			r->end -= r->pos;
			r->pos = 0;
		}
		if (r->cap < n || r->cap - r->end < (64u << 10)) {
			cap = r->cap ? r->cap : (1u << 20);
			while (cap < n || cap - r->end < (64u << 10))
				cap *= 2;
			if ((nb = realloc(r->buf, cap)) == NULL)
				return rs_error_set(err, RS_ENOMEM,
				    "%s: out of memory", r->name);
			r->buf = nb;
			r->cap = cap;
		}
		if (!r->compressed) {
			/* Raw: leftover sniffed bytes first, then the fd. */
			if (r->in_pos < r->in_len) {
				k = r->in_len - r->in_pos;
				if (k > r->cap - r->end)
					k = r->cap - r->end;
				memcpy(r->buf + r->end, r->in + r->in_pos, k);
				r->in_pos += k;
				r->end += k;
				continue;
			}
			got = read(r->fd, r->buf + r->end, r->cap - r->end);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return rs_error_errno(err, RS_EIO, errno,
				    "%s: read", r->name);
			if (got == 0)
				return rs_error_set(err, RS_ETRUNC, "%s: "
				    "truncated stream (input ends before the "
				    "end marker)", r->name);
			r->end += (size_t)got;
			continue;
		}
		if (r->in_pos == r->in_len) {
			if (r->in_eof)
				return rs_error_set(err, RS_ETRUNC, "%s: "
				    "truncated stream (input ends before the "
				    "end marker)", r->name);
			if ((rc = fill_input(r, err)) < 0)
				return rc;
			continue;
		}
		r->end = decompress(r, r->end);
		if (ZSTD_isError(r->zret))
			return rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
			    "stream (zstd: %s)", r->name,
			    ZSTD_getErrorName(r->zret));
	}
	return 0;
}

/*
 * After the last trailer: the input must end here.  For zstd input the
 * frame must also be complete; zstd verifies the content checksum as it
 * reaches the frame's end, which is when zret becomes 0.
 */
static int
check_end(struct rs_reader *r, struct rs_error *err)
{
	unsigned char c;
	size_t prev, got;
	ssize_t k;
	int rc;

	if (r->end > r->pos)
		goto trailing;
	if (!r->compressed) {
		if (r->in_pos < r->in_len)
			goto trailing;
		while ((k = read(r->fd, &c, 1)) < 0 && errno == EINTR)
			;
		if (k < 0)
			return rs_error_errno(err, RS_EIO, errno, "%s: read",
			    r->name);
		if (k > 0)
			goto trailing;
		return 0;
	}
	r->pos = r->end = 0;
	for (;;) {
		if (r->in_pos == r->in_len) {
			if (!r->in_eof && (rc = fill_input(r, err)) < 0)
				return rc;
			if (r->in_pos == r->in_len && r->in_eof) {
				if (r->zret == 0)
					return 0;
				return rs_error_set(err, RS_ETRUNC, "%s: "
				    "truncated stream (zstd frame incomplete)",
				    r->name);
			}
			continue;
		}
		prev = r->zret;
		got = decompress(r, 0);
		if (ZSTD_isError(r->zret) && prev == 0)
			goto trailing;	/* junk where a frame would start */
		if (ZSTD_isError(r->zret))
			return rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
			    "stream (zstd: %s)", r->name,
			    ZSTD_getErrorName(r->zret));
		if (got > 0)
			goto trailing;
	}
trailing:
	return rs_error_set(err, RS_ECORRUPT, "%s: unexpected data after the "
	    "end of the stream", r->name);
}

static int
bad_header(struct rs_reader *r, struct rs_error *err, const char *what)
{
	return rs_error_set(err, RS_ECORRUPT, "%s: corrupt stream header (%s)",
	    r->name, what);
}

/*
 * One string of the header, the n bytes at src.  Both passes of
 * parse_header count its size, NUL included, in *strbytes; pass 0 returns
 * NULL, pass 1 copies it NUL-terminated to r->strings + *soff, moves
 * *soff past it and returns the copy.
 */
static char *
header_string(struct rs_reader *r, const unsigned char *src, size_t n,
    int pass, size_t *soff, size_t *strbytes)
{
	char *s;

	*strbytes += n + 1;
	if (!pass)
		return NULL;
	s = r->strings + *soff;
	memcpy(s, src, n);
	s[n] = '\0';
	*soff += n + 1;
	return s;
}

/* Parses the header bytes h[0..len) (CRC already verified). */
static int
parse_header(struct rs_reader *r, const unsigned char *h, size_t len,
    struct rs_error *err)
{
	size_t off = FIXED_HEADER, strbytes = 0, ncols = 0, nlabels = 0, n;
	size_t end = len - 4, soff = 0, coff = 0, loff = 0, w;
	size_t lay = r->major >= 2 ? 2 : 0;	/* bytes of the layout */
	unsigned i, j, k, tc, nl, layout;
	int pass;
	char *s;

	r->ntables = rs_get_le32(h + 20);
	r->nmeta = rs_get_le32(h + 24);
	if (r->ntables == 0 || r->ntables > RS_MAX_TABLES)
		return bad_header(r, err, "table count");
	if (r->nmeta > len / 6)
		return bad_header(r, err, "metadata count");

#define NEED(x) do { if ((x) > end - off) \
		return bad_header(r, err, "lengths overrun the header"); \
	} while (0)
	/* Pass 0 measures and checks, pass 1 copies into one allocation. */
	for (pass = 0; pass < 2; pass++) {
		off = FIXED_HEADER;
		for (i = 0; i < r->ntables; i++) {
			NEED(2);
			n = rs_get_le16(h + off);
			off += 2;
			NEED(n + 10 + lay);
			s = header_string(r, h + off, n, pass, &soff,
			    &strbytes);
			if (pass) {
				r->tables[i].name = s;
				r->tables[i].nrows = rs_get_le64(h + off + n);
			}
			off += n + 8;
			if (lay) {
				layout = rs_get_le16(h + off);
				off += 2;
				if (layout > RS_LAYOUT_EXTENT)
					return bad_header(r, err,
					    "unknown table layout");
				if (layout == RS_LAYOUT_EXTENT)
					r->extents |= TABLE_BIT(i);
			}
			tc = rs_get_le16(h + off);
			off += 2;
			if (tc == 0 || tc > RS_MAX_COLUMNS)
				return bad_header(r, err, "column count");
			if (pass) {
				r->tables[i].ncols = tc;
				r->tables[i].cols = r->cols_all + coff;
			}
			for (j = 0; j < tc; j++, ncols++) {
				NEED(7);
				if (pass) {
					struct rs_column *c = r->cols_all + coff;

					c->type = h[off];
					c->count = rs_get_le32(h + off + 1);
				}
				if (h[off] < RS_T_U8 || h[off] > RS_T_TIME)
					return bad_header(r, err,
					    "unknown column type");
				if (rs_get_le32(h + off + 1) == 0 ||
				    (h[off] == RS_T_STR &&
				    rs_get_le32(h + off + 1) != 1) ||
				    rs_get_le32(h + off + 1) > (1u << 20))
					return bad_header(r, err,
					    "column array length");
				n = rs_get_le16(h + off + 5);
				off += 7;
				NEED(n);
				s = header_string(r, h + off, n, pass, &soff,
				    &strbytes);
				if (pass)
					r->cols_all[coff].name = s;
				off += n;
				if (h[off - n - 7] != RS_T_ENUM) {
					coff += pass;
					continue;
				}
				NEED(2);
				nl = rs_get_le16(h + off);
				off += 2;
				if (pass) {
					r->cols_all[coff].nlabels = (uint16_t)nl;
					r->cols_all[coff].labels =
					    r->labels_all + loff;
				}
				for (k = 0; k < nl; k++, nlabels++) {
					NEED(2);
					n = rs_get_le16(h + off);
					off += 2;
					NEED(n);
					s = header_string(r, h + off, n, pass,
					    &soff, &strbytes);
					if (pass)
						r->labels_all[loff++] = s;
					off += n;
				}
				coff += pass;
			}
		}
		for (i = 0; i < r->nmeta; i++) {
			NEED(2);
			n = rs_get_le16(h + off);
			off += 2;
			NEED(n);
			s = header_string(r, h + off, n, pass, &soff,
			    &strbytes);
			if (pass)
				r->meta[2 * i] = s;
			off += n;
			NEED(4);
			n = rs_get_le32(h + off);
			off += 4;
			NEED(n);
			s = header_string(r, h + off, n, pass, &soff,
			    &strbytes);
			if (pass)
				r->meta[2 * i + 1] = s;
			off += n;
		}
		if (off != end)
			return bad_header(r, err, "length mismatch");
		for (i = 0; pass && i < r->ntables; i++) {
			/* What rs_reader_extent relies on. */
			w = rs_table_record_width(&r->tables[i]);
			if ((r->extents & TABLE_BIT(i)) && (w == 0 ||
			    w > RS_BLOCK_MAX ||
			    r->tables[i].nrows == RS_NROWS_UNKNOWN ||
			    r->tables[i].nrows > UINT64_MAX / w))
				return rs_error_set(err, RS_ECORRUPT, "%s: "
				    "corrupt stream header (extent table '%s' "
				    "without a row count or fixed-width "
				    "records)", r->name, r->tables[i].name);
		}
		if (pass == 0) {
			r->strings = malloc(strbytes ? strbytes : 1);
			r->tables = calloc(r->ntables, sizeof(*r->tables));
			r->cols_all = calloc(ncols, sizeof(*r->cols_all));
			r->labels_all = calloc(nlabels ? nlabels : 1,
			    sizeof(*r->labels_all));
			r->meta = calloc(2 * (size_t)r->nmeta + 1,
			    sizeof(*r->meta));
			r->rows = calloc(r->ntables, sizeof(*r->rows));
			if (!r->strings || !r->tables || !r->cols_all ||
			    !r->labels_all || !r->meta || !r->rows)
				return rs_error_set(err, RS_ENOMEM,
				    "%s: out of memory", r->name);
		}
	}
#undef NEED
	return 0;
}

static int
read_header(struct rs_reader *r, struct rs_error *err)
{
	const unsigned char *h;
	uint32_t len;
	int rc;

	if ((rc = need(r, FIXED_HEADER, err)) < 0)
		return rc;
	h = r->buf + r->pos;
	if (memcmp(h, rs_magic, sizeof(rs_magic)) != 0)
		return rs_error_set(err, RS_EFORMAT, "%s: not an rs stream "
		    "(bad magic)", r->name);
	r->major = rs_get_le16(h + 8);
	r->minor = rs_get_le16(h + 10);
	r->kind = rs_get_le16(h + 12);
	if (r->major > RS_STREAM_MAJOR)
		return rs_error_set(err, RS_EVERSION, "%s: stream format "
		    "version %u.%u is newer than this program's %d.%d; "
		    "upgrade rs to read it", r->name, r->major, r->minor,
		    RS_STREAM_MAJOR, RS_STREAM_MINOR);
	if (r->major < 1)
		return rs_error_set(err, RS_EVERSION, "%s: stream format "
		    "version %u.%u is not supported", r->name, r->major,
		    r->minor);
	len = rs_get_le32(h + 16);
	if (len < FIXED_HEADER + 4 || len > RS_HEADER_MAX)
		return bad_header(r, err, "header length");
	if ((rc = need(r, len, err)) < 0)
		return rc;
	h = r->buf + r->pos;
	if (rs_crc32c(0, h, len - 4) != rs_get_le32(h + len - 4))
		return rs_error_set(err, RS_ECORRUPT, "%s: corrupt stream "
		    "(header checksum mismatch)", r->name);
	if ((rc = parse_header(r, h, len, err)) < 0)
		return rc;
	r->pos += len;
	return 0;
}

int
rs_reader_open_with(struct rs_reader **out, int fd, const char *name,
    const unsigned char *pre, size_t n, struct rs_error *err)
{
	struct rs_reader *r;
	struct stat st;
	off_t at;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = strdup(name)) == NULL) {
		free(r);
		return rs_error_set(err, RS_ENOMEM, "%s: out of memory", name);
	}
	r->fd = fd;
	r->base = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if (st.st_size > 0)
			r->filesize = (uint64_t)st.st_size;
		/* Where the payload starts in the file, for mapping. */
		if ((at = lseek(fd, 0, SEEK_CUR)) >= 0 && (uint64_t)at >= n)
			r->base = (int64_t)at - (int64_t)n;
	}
	r->in_cap = ZSTD_DStreamInSize();
	if (r->in_cap < n + 16)
		r->in_cap = n + 16;
	if ((r->in = malloc(r->in_cap)) == NULL) {
		rs_reader_free(r);
		return rs_error_set(err, RS_ENOMEM, "%s: out of memory", name);
	}
	if (n > 0)
		memcpy(r->in, pre, n);
	r->in_len = n;
	/* Sniff: at least four bytes, unless the input is shorter. */
	while (r->in_len < 4 && !r->in_eof)
		if ((rc = fill_input(r, err)) < 0)
			goto fail;
	switch (rs_stream_sniff(r->in, r->in_len)) {
	case RS_SNIFF_ZSTD:
		r->compressed = 1;
		if ((r->dctx = ZSTD_createDCtx()) == NULL) {
			rc = rs_error_set(err, RS_ENOMEM, "%s: out of memory",
			    name);
			goto fail;
		}
		break;
	case RS_SNIFF_RAW:
		break;
	default:
		rc = rs_error_set(err, RS_EFORMAT, r->in_len == 0 ?
		    "%s: not an rs stream (empty input)" :
		    "%s: not an rs stream (no rs or zstd magic; CSV goes "
		    "through rs-load first)", name);
		goto fail;
	}
	if ((rc = read_header(r, err)) < 0) {
		/* A zstd frame that is not an rs stream inside. */
		goto fail;
	}
	*out = r;
	return 0;
fail:
	rs_reader_free(r);
	return rc;
}

int
rs_reader_open(struct rs_reader **out, int fd, const char *name,
    struct rs_error *err)
{
	return rs_reader_open_with(out, fd, name, NULL, 0, err);
}

int
rs_reader_expect(const struct rs_reader *r, unsigned kind,
    struct rs_error *err)
{
	if (r->kind == kind)
		return 0;
	return rs_error_set(err, RS_EFORMAT, "%s: is a '%s' stream, "
	    "expected '%s'", r->name, rs_kind_name(r->kind),
	    rs_kind_name(kind));
}

int
rs_table_matches(const struct rs_table_desc *t, const char *name,
    const struct rs_column *cols, unsigned n)
{
	unsigned i;

	if (strcmp(t->name, name) != 0 || t->ncols != n)
		return 0;
	for (i = 0; i < n; i++)
		if (t->cols[i].type != cols[i].type || t->cols[i].count > 1 ||
		    strcmp(t->cols[i].name, cols[i].name) != 0)
			return 0;
	return 1;
}

unsigned rs_reader_kind(const struct rs_reader *r) { return r->kind; }
unsigned rs_reader_major(const struct rs_reader *r) { return r->major; }
unsigned rs_reader_minor(const struct rs_reader *r) { return r->minor; }
const char *rs_reader_name(const struct rs_reader *r) { return r->name; }
unsigned rs_reader_ntables(const struct rs_reader *r) { return r->ntables; }
unsigned rs_reader_nmeta(const struct rs_reader *r) { return r->nmeta; }
int rs_reader_done(const struct rs_reader *r) { return r->done; }

const struct rs_table_desc *
rs_reader_table(const struct rs_reader *r, unsigned i)
{
	return i < r->ntables ? &r->tables[i] : NULL;
}

const char *
rs_reader_meta(const struct rs_reader *r, const char *key)
{
	unsigned i;

	/* The last entry wins, so a tool may override an inherited key. */
	for (i = r->nmeta; i-- > 0;)
		if (strcmp(r->meta[2 * i], key) == 0)
			return r->meta[2 * i + 1];
	return NULL;
}

void
rs_reader_meta_at(const struct rs_reader *r, unsigned i, const char **key,
    const char **value)
{
	*key = i < r->nmeta ? r->meta[2 * i] : NULL;
	*value = i < r->nmeta ? r->meta[2 * i + 1] : NULL;
}

int
rs_reader_prealloc(const struct rs_reader *r, unsigned i, uint64_t *rows,
    struct rs_error *err)
{
	const struct rs_table_desc *t = &r->tables[i];
	uint64_t n = t->nrows, cap, bound;
	size_t width = 0;
	unsigned c;

	for (c = 0; c < t->ncols; c++)
		width += t->cols[c].type == RS_T_STR ? 4 :
		    rs_type_width(t->cols[c].type) * col_count(&t->cols[c]);
	if (width == 0)
		width = 1;
	cap = (r->prealloc ? r->prealloc : RS_PREALLOC_BYTES) / width;
	if (n == RS_NROWS_UNKNOWN) {
		*rows = cap;
		return 0;
	}
	if (r->filesize > 0) {
		/* Both bounds saturate rather than wrap. */
		bound = r->compressed ? (r->filesize > UINT64_MAX /
		    RS_ZSTD_MAX_RATIO ? UINT64_MAX : r->filesize *
		    RS_ZSTD_MAX_RATIO) : r->filesize;
		if (n > bound / width)
			return rs_error_set(err, RS_ECORRUPT, "%s: table '%s' "
			    "claims %llu rows of at least %zu bytes, more "
			    "than the stream's %llu bytes can hold", r->name,
			    t->name, (unsigned long long)n, width,
			    (unsigned long long)r->filesize);
		if (!r->compressed || n <= cap ||
		    n <= r->filesize * RS_PREALLOC_RATIO / width) {
			*rows = n;
			return 0;
		}
	}
	*rows = n < cap ? n : cap;
	return 0;
}

void
rs_reader_set_prealloc(struct rs_reader *r, uint64_t bytes)
{
	r->prealloc = bytes;
}

uint64_t
rs_reader_rows(const struct rs_reader *r, unsigned i)
{
	return i < r->ntables ? r->rows[i] : 0;
}

/* Checks that a block's records fit its byte length exactly. */
static int
check_records(struct rs_reader *r, const unsigned char *p, size_t len,
    uint32_t nrec, struct rs_error *err)
{
	const struct rs_table_desc *t = &r->tables[r->cur];
	size_t w = rs_table_record_width(t), off = 0, sz;
	uint32_t i;

	if (w != 0) {
		if ((uint64_t)w * nrec != len)
			return rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
			    "stream (table '%s': block of %u records has %zu "
			    "bytes, expected %zu)", r->name, t->name, nrec,
			    len, w * nrec);
		return 0;
	}
	for (i = 0; i < nrec; i++) {
		if ((sz = rs_record_size(t, p + off, len - off)) == 0)
			return rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
			    "stream (table '%s': record %llu overruns its "
			    "block)", r->name, t->name,
			    (unsigned long long)(r->rows[r->cur] + i + 1));
		off += sz;
	}
	if (off != len)
		return rs_error_set(err, RS_ECORRUPT, "%s: corrupt stream "
		    "(table '%s': block has %zu stray bytes)", r->name,
		    t->name, len - off);
	return 0;
}

/*
 * The trailer at pos, whose end block (8 zero bytes) the caller has seen:
 * the table's count and CRC, then on to the next table, or the end.
 */
static int
table_end(struct rs_reader *r, struct rs_block *b, struct rs_error *err)
{
	const unsigned char *h;
	uint64_t total;
	int rc;

	if ((rc = need(r, 20, err)) < 0)
		return rc;
	h = r->buf + r->pos;
	total = rs_get_le64(h + 8);
	if (rs_get_le32(h + 16) != r->crc)
		return rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
		    "stream (table '%s' checksum mismatch)", r->name,
		    r->tables[r->cur].name);
	if (total != r->rows[r->cur] ||
	    (r->tables[r->cur].nrows != RS_NROWS_UNKNOWN &&
	    r->tables[r->cur].nrows != total))
		return rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
		    "stream (table '%s' record count mismatch)",
		    r->name, r->tables[r->cur].name);
	r->pos += 20;
	r->crc = 0;
	if (++r->cur == r->ntables) {
		if ((rc = check_end(r, err)) < 0)
			return rc;
		r->done = 1;
	}
	if (b != NULL) {
		b->nrec = 0;
		b->len = 0;
		b->data = NULL;
	}
	return 0;
}

/*
 * The start of an extent: its claim against what the input can hold
 * (before anything is read or allocated for it), then the padding.
 */
static int
extent_begin(struct rs_reader *r, struct rs_error *err)
{
	const unsigned char *h;
	uint64_t rows;
	size_t pad, i;
	int rc;

	if ((rc = rs_reader_prealloc(r, r->cur, &rows, err)) < 0)
		return rc;
	pad = (size_t)(-(r->bufoff + r->pos) & (RS_EXTENT_ALIGN - 1));
	if ((rc = need(r, pad, err)) < 0)
		return rc;
	h = r->buf + r->pos;
	for (i = 0; i < pad; i++)
		if (h[i] != 0)
			return rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
			    "stream (table '%s': padding is not zero)",
			    r->name, r->tables[r->cur].name);
	r->pos += pad;
	return 0;
}

/* After an extent's records: its trailer. */
static int
extent_end(struct rs_reader *r, struct rs_block *b, struct rs_error *err)
{
	const unsigned char *h;
	int rc;

	if ((rc = need(r, 8, err)) < 0)
		return rc;
	h = r->buf + r->pos;
	if (rs_get_le32(h) != 0 || rs_get_le32(h + 4) != 0)
		return rs_error_set(err, RS_ECORRUPT, "%s: corrupt stream "
		    "(table '%s': no trailer after its %llu records)",
		    r->name, r->tables[r->cur].name,
		    (unsigned long long)r->tables[r->cur].nrows);
	return table_end(r, b, err);
}

/* rs_reader_next in an extent: a block of whole records from the buffer. */
static int
next_extent(struct rs_reader *r, struct rs_block *b, struct rs_error *err)
{
	size_t w = rs_table_record_width(&r->tables[r->cur]), k;
	int rc;

	if (!r->ext_open) {
		if ((rc = extent_begin(r, err)) < 0)
			return rc;
		r->ext_open = 1;
		r->ext_left = r->tables[r->cur].nrows;
	}
	if (r->ext_left == 0) {
		r->ext_open = 0;
		return extent_end(r, b, err);
	}
	k = w < EXTENT_PIECE ? EXTENT_PIECE / w : 1;
	if (k > r->ext_left)
		k = (size_t)r->ext_left;
	if ((rc = need(r, k * w, err)) < 0)
		return rc;
	b->data = r->buf + r->pos;
	b->nrec = (uint32_t)k;
	b->len = k * w;
	r->crc = rs_crc32c(r->crc, b->data, b->len);
	r->pos += b->len;
	r->ext_left -= k;
	r->rows[r->cur] += k;
	return 1;
}

int
rs_reader_next(struct rs_reader *r, struct rs_block *b,
    struct rs_error *err)
{
	const unsigned char *h;
	uint32_t nrec, len;
	int rc;

	if (r->done)
		return 0;
	if (r->cur >= r->ntables)	/* after a failed end check */
		return rs_error_set(err, RS_EARG, "%s: read past the last "
		    "table", r->name);
	b->table = r->cur;
	if (r->extents & TABLE_BIT(r->cur))
		return next_extent(r, b, err);
	if ((rc = need(r, 8, err)) < 0)
		return rc;
	h = r->buf + r->pos;
	nrec = rs_get_le32(h);
	len = rs_get_le32(h + 4);
	if (nrec == 0) {
		if (len != 0)
			return rs_error_set(err, RS_ECORRUPT, "%s: corrupt "
			    "stream (end block with a length)", r->name);
		return table_end(r, b, err);
	}
	if (len > RS_BLOCK_MAX)
		return rs_error_set(err, RS_ECORRUPT, "%s: corrupt stream "
		    "(block length %u exceeds %u)", r->name, len,
		    RS_BLOCK_MAX);
	r->crc = rs_crc32c(r->crc, h, 8);
	r->pos += 8;
	if ((rc = need(r, len, err)) < 0)
		return rc;
	h = r->buf + r->pos;
	r->crc = rs_crc32c(r->crc, h, len);
	if ((rc = check_records(r, h, len, nrec, err)) < 0)
		return rc;
	r->pos += len;
	r->rows[r->cur] += nrec;
	b->nrec = nrec;
	b->len = len;
	b->data = h;
	return 1;
}

unsigned
rs_reader_layout(const struct rs_reader *r, unsigned i)
{
	return i < r->ntables && (r->extents & TABLE_BIT(i)) ?
	    RS_LAYOUT_EXTENT : RS_LAYOUT_BLOCKS;
}

void
rs_reader_set_map(struct rs_reader *r, int on)
{
	r->nomap = !on;
}

void
rs_reader_set_threads(struct rs_reader *r, unsigned n)
{
	r->threads = n;
}

/*
 * The CRC of len record bytes at p (records of w bytes) from crc, in
 * pieces small enough that check then finds each one in the cache.
 */
static uint32_t
crc_check(uint32_t crc, const unsigned char *p, size_t len, size_t w,
    rs_extent_check_fn *check, void *ctx)
{
	size_t piece = w < CHECK_PIECE ? CHECK_PIECE / w * w : w, k;

	for (; len > 0; p += k, len -= k) {
		k = len < piece ? len : piece;
		crc = rs_crc32c(crc, p, k);
		if (check != NULL)
			check(ctx, p, k);
	}
	return crc;
}

#define PAR_CRC_MIN ((size_t)64 << 20)	/* a second thread pays off */

struct crc_half {
	const unsigned char *p;
	size_t len;
	uint32_t crc;
};

static void *
crc_half_run(void *arg)
{
	struct crc_half *h = arg;

	h->crc = rs_crc32c(0, h->p, h->len);
	return NULL;
}

/*
 * crc_check of a mapped extent, its second half's CRC on a thread of its
 * own when the reader may use one and the extent is large: a freshly
 * written file sits in small page-cache pages, and walking them is
 * slower than the CRC unit (0.28 s for a scale-1 model's 565 MB, against
 * 0.11 s read back from disk).  check still sees the bytes in order, on
 * the caller's thread; on no thread, the plain crc_check.
 */
static uint32_t
crc_check_mapped(const struct rs_reader *r, uint32_t crc,
    const unsigned char *p, size_t len, size_t w, rs_extent_check_fn *check,
    void *ctx)
{
	struct crc_half h;
	pthread_t tid;
	size_t mid, piece, k, i;

	if (r->threads < 2 || len < PAR_CRC_MIN)
		return crc_check(crc, p, len, w, check, ctx);
	mid = len / 2 / w * w;	/* a record boundary */
	h = (struct crc_half){ p + mid, len - mid, 0 };
	if (pthread_create(&tid, NULL, crc_half_run, &h) != 0)
		return crc_check(crc, p, len, w, check, ctx);
	crc = crc_check(crc, p, mid, w, check, ctx);
	piece = w < CHECK_PIECE ? CHECK_PIECE / w * w : w;
	for (i = mid; check != NULL && i < len; i += k) {
		k = len - i < piece ? len - i : piece;
		check(ctx, p + i, k);
	}
	pthread_join(tid, NULL);
	return rs_crc32c_combine(crc, h.crc, len - mid);
}

/*
 * n payload bytes into dst: those already in the buffer, then (raw) the
 * sniffed leftovers and the descriptor, or (zstd) decompressed there
 * directly, so that the bytes are copied once.
 */
static int
take(struct rs_reader *r, unsigned char *dst, size_t n, struct rs_error *err)
{
	size_t k;
	ssize_t got;
	int rc;

	k = r->end - r->pos < n ? r->end - r->pos : n;
	if (k > 0)
		memcpy(dst, r->buf + r->pos, k);
	r->pos += k;
	dst += k;
	n -= k;
	if (n == 0)
		return 0;
	/* The buffer is empty: bytes now bypass it. */
	r->bufoff += r->pos;
	r->pos = r->end = 0;
	while (n > 0) {
		if (!r->compressed && r->in_pos < r->in_len) {
			k = r->in_len - r->in_pos < n ? r->in_len - r->in_pos :
			    n;
			memcpy(dst, r->in + r->in_pos, k);
			r->in_pos += k;
		} else if (!r->compressed) {
			got = read(r->fd, dst, n);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return rs_error_errno(err, RS_EIO, errno,
				    "%s: read", r->name);
			if (got == 0)
				return rs_error_set(err, RS_ETRUNC, "%s: "
				    "truncated stream (input ends before the "
				    "end marker)", r->name);
			k = (size_t)got;
		} else if (r->in_pos == r->in_len) {
			if (r->in_eof)
				return rs_error_set(err, RS_ETRUNC, "%s: "
				    "truncated stream (input ends before the "
				    "end marker)", r->name);
			if ((rc = fill_input(r, err)) < 0)
				return rc;
			continue;
		} else {
			k = decompress_into(r, dst, n, 0);
			if (ZSTD_isError(r->zret))
				return rs_error_set(err, RS_ECORRUPT, "%s: "
				    "corrupt stream (zstd: %s)", r->name,
				    ZSTD_getErrorName(r->zret));
		}
		dst += k;
		n -= k;
		r->bufoff += k;
	}
	return 0;
}

/*
 * An extent of len bytes (records of w) into a heap block that starts at
 * what the stream can hold and doubles as the records arrive.
 */
static int
extent_copy(struct rs_reader *r, size_t len, size_t w,
    rs_extent_check_fn *check, void *ctx, struct rs_extent *out,
    struct rs_error *err)
{
	size_t cap, got, k, piece = w < EXTENT_PIECE ? EXTENT_PIECE / w * w : w;
	unsigned char *dst, *nd;
	uint64_t rows;
	int rc;

	if ((rc = rs_reader_prealloc(r, r->cur, &rows, err)) < 0)
		return rc;
	cap = (size_t)rows * w;
	if ((dst = rs_huge_alloc(cap ? cap : 1)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "%s: out of memory",
		    r->name);
	out->base = dst;
	for (got = 0; got < len; got += k) {
		k = len - got < piece ? len - got : piece;
		if (cap - got < k) {
			cap = cap > len / 2 ? len : cap * 2;
			if (cap < got + k)
				cap = got + k;
			if ((nd = rs_huge_realloc(dst, got, cap)) == NULL)
				return rs_error_set(err, RS_ENOMEM, "%s: out of "
				    "memory", r->name);
			out->base = dst = nd;
		}
		if ((rc = take(r, dst + got, k, err)) < 0)
			return rc;
		r->crc = crc_check(r->crc, dst + got, k, w, check, ctx);
	}
	out->data = dst;
	out->len = len;
	return 0;
}

/*
 * An extent of len bytes mapped from the file: 1 when mapped, 0 when the
 * input cannot be (the caller then copies), negative on error.
 */
static int
extent_map(struct rs_reader *r, size_t len, size_t w,
    rs_extent_check_fn *check, void *ctx, struct rs_extent *out,
    struct rs_error *err)
{
	struct stat st;
	uint64_t off;
	size_t lead;
	long page;
	void *p;
	int flags = MAP_PRIVATE;

	if (r->compressed || r->base < 0 ||
	    r->base % RS_EXTENT_ALIGN != 0 || len == 0 ||
	    (page = sysconf(_SC_PAGESIZE)) <= 0 ||
	    fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	off = (uint64_t)r->base + r->bufoff + r->pos;
	/*
	 * The size now, not at open: a page past the end of the file
	 * would raise SIGBUS instead of an error.
	 */
	if ((uint64_t)st.st_size < off ||
	    (uint64_t)st.st_size - off < (uint64_t)len + 20)
		return rs_error_set(err, RS_ETRUNC, "%s: truncated stream "
		    "(input ends before the end marker)", r->name);
	lead = (size_t)(off % (uint64_t)page);
	/* Offsets a 32-bit off_t cannot name are read, not mapped. */
	if (len > SIZE_MAX - lead ||
	    (sizeof(off_t) < 8 && off + len > INT32_MAX))
		return 0;
#ifdef MAP_POPULATE
	/* One call maps every page the page cache holds, not a fault each. */
	flags |= MAP_POPULATE;
#endif
	p = mmap(NULL, lead + len, PROT_READ, flags, r->fd,
	    (off_t)(off - lead));
	if (p == MAP_FAILED)
		return 0;
	out->base = p;
	out->maplen = lead + len;
	out->data = (unsigned char *)p + lead;
	out->len = len;
	r->crc = crc_check_mapped(r, r->crc, out->data, len, w, check, ctx);
	/* Past the records, dropping whatever was buffered of them. */
	if (lseek(r->fd, (off_t)(off + len), SEEK_SET) < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s: seek", r->name);
	r->bufoff += r->pos + len;
	r->pos = r->end = 0;
	r->in_pos = r->in_len;
	return 1;
}

int
rs_reader_extent(struct rs_reader *r, int flags, rs_extent_check_fn *check,
    void *ctx, struct rs_extent *out, struct rs_error *err)
{
	const struct rs_table_desc *t;
	uint64_t bytes;
	size_t w;
	int rc;

	memset(out, 0, sizeof(*out));
	if (r->done || r->cur >= r->ntables ||
	    !(r->extents & TABLE_BIT(r->cur)) || r->ext_open)
		return rs_error_set(err, RS_EARG, "%s: no extent to read "
		    "here", r->name);
	t = &r->tables[r->cur];
	w = rs_table_record_width(t);
	bytes = t->nrows * w;		/* the header checked the product */
	if (bytes > SIZE_MAX)
		return rs_error_set(err, RS_ENOMEM, "%s: table '%s' is too "
		    "large for this host", r->name, t->name);
	if ((rc = extent_begin(r, err)) < 0)
		return rc;
	rc = 0;
	/* Mapping pays only for what is not in the buffer already. */
	if (!(flags & RS_EXTENT_COPY) && !r->nomap &&
	    r->end - r->pos < bytes)
		rc = extent_map(r, (size_t)bytes, w, check, ctx, out, err);
	if (rc == 0)
		rc = extent_copy(r, (size_t)bytes, w, check, ctx, out, err);
	if (rc >= 0) {
		r->rows[r->cur] = t->nrows;
		rc = extent_end(r, NULL, err);
	}
	if (rc < 0) {
		rs_extent_release(out);
		return rc;
	}
	return 0;
}

void
rs_extent_release(struct rs_extent *e)
{
	if (e->maplen > 0)
		munmap(e->base, e->maplen);
	else
		free(e->base);
	memset(e, 0, sizeof(*e));
}

int
rs_reader_each(struct rs_reader *r,
    int (*fn)(void *ctx, const struct rs_block *b, struct rs_error *err),
    void *ctx, struct rs_error *err)
{
	struct rs_block b;
	int rc;

	for (;;) {
		if ((rc = rs_reader_next(r, &b, err)) < 0)
			return rc;
		if (rc == 0) {
			if (rs_reader_done(r))
				return 0;
			continue;
		}
		if ((rc = fn(ctx, &b, err)) < 0)
			return rc;
	}
}

void
rs_reader_free(struct rs_reader *r)
{
	if (r == NULL)
		return;
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->buf);
	free(r->tables);
	free(r->cols_all);
	free(r->labels_all);
	free(r->meta);
	free(r->strings);
	free(r->rows);
	free(r->name);
	free(r);
}
