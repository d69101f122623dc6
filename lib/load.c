/*
 * load.c - Retailrocket CSV to typed records, in parallel (see load.h).
 *
 * Pipeline: the calling (main) thread reads the input (input.h: plain or
 * zstd) in chunks of exactly o.chunk bytes, cuts each after its last LF
 * that lies outside quotes, and hands the chunk to a ring of slots.
 * Parser threads take slots in input order, each with its own libcsv
 * reader (csvin.h), and turn the rows into encoded records in the slot's
 * block buffer, collecting bad rows (line relative to the chunk, reason).
 * The main thread takes finished slots strictly in input order, turns
 * relative lines into physical ones, and gives the block and the bad rows
 * to the sink.  A slot is refilled only after it was delivered, so memory
 * is bounded by the ring: nslots * (chunk + its block + its messages).
 * With opts.zframes the parser also compresses its block into a zstd
 * frame of its own (stream.h, rs_zframe_block), so compression runs on
 * every parser instead of one thread behind them all.
 *
 * Cutting: every chunk starts outside quotes, so the quote parity of a
 * chunk's prefix says whether an LF there is a record end (RFC 4180: a
 * quote opens or closes quoting, "" inside quotes toggles twice).  A
 * chunk without quotes is cut with one memrchr.  When no LF outside
 * quotes exists, the chunk grows (doubling) up to RS_LOAD_RECORD_MAX.
 * Chunks are always filled to exactly their size before cutting, so the
 * cuts, and thus the blocks, depend on the input bytes only.  On
 * malformed quoting (a quote inside an unquoted field) libcsv and the
 * parity may disagree; the result then still depends only on the input.
 *
 * Invariants: slot i holds chunk seq with seq % nslots == i; states move
 * FREE -> READY (main) -> BUSY (a parser) -> DONE (parser) -> FREE (main);
 * next_out <= next_parse <= next_fill, next_fill - next_out <= nslots.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "input.h"
#include "load.h"
#include "records.h"
#include "stream.h"
#include "banned.h"

#define VALUE_MAX (16u << 20)	/* longest property value */
#define SHOW_MAX 40		/* bytes of a field quoted in a message */
#define WHY_MAX 256

enum { S_FREE, S_READY, S_BUSY, S_DONE };

struct slot {
	uint64_t seq;
	int state;
	char *in;
	size_t inlen, incap;
	int open_quote;		/* the input ended inside quotes */
	unsigned char *out;	/* RS_BLOCK_HEAD bytes of room, records */
	size_t outlen, outcap;
	uint32_t nrec;
	unsigned char *frame;	/* the block compressed (zframes) */
	size_t flen, fcap;
	char *bad;		/* entries: u64 line, reason, NUL */
	size_t badlen, badcap;
	uint64_t nbad, nodd, rows, lines;
	int rc;
	struct rs_error err;
};

/* One parser: its libcsv reader and the row being built. */
struct conv {
	struct rs_csvin *csv;
	struct rs_zframe *zf;	/* with opts.zframes */
	unsigned kind;
	struct slot *s;
	struct rs_event ev;
	struct rs_prop pr;
	struct rs_tree_row tr;
	int staged;		/* props: the record sits at s->out + outlen */
	int bad;
	int at_end;		/* the record being ended is the last one */
	int nomem;
	char why[WHY_MAX];
	/*
	 * NUL bytes: nul is the next one in the chunk not yet met in a
	 * field (NULL: none left); scan, bol and scan_line track the
	 * chunk-relative line and line start up to it.  at is the line of
	 * a NUL being reported, + 1 (0: why needs no line of its own).
	 */
	const char *nul, *scan, *bol, *end;
	uint64_t scan_line, at;
};

struct rs_load {
	struct rs_input *in;
	const char *name;
	unsigned kind;
	struct rs_load_opts o;
	char *carry;		/* bytes after the last cut */
	size_t ncarry, carrycap;
	int eof;
	uint64_t line;		/* physical line of the next chunk */
	uint64_t rows, nbad, nodd;
	int ran;
	int toolong;		/* a record longer than RS_LOAD_RECORD_MAX */

	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	struct slot *slots;
	unsigned nslots;
	uint64_t next_fill, next_parse, next_out;
	int stop;
};

static const char *const hdr_events[] = { "timestamp", "visitorid", "event",
	"itemid", "transactionid" };
static const char *const hdr_props[] = { "timestamp", "itemid", "property",
	"value" };
static const char *const hdr_tree[] = { "categoryid", "parentid" };

static unsigned
kind_nfields(unsigned kind)
{
	switch (kind) {
	case RS_KIND_EVENTS:
		return 5;
	case RS_KIND_PROPS:
		return 4;
	default:
		return 2;
	}
}

static int
header_is(const char *const *f, unsigned n, const char *const *h,
    unsigned nh)
{
	unsigned i;

	if (n != nh)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(f[i], h[i]) != 0)
			return 0;
	return 1;
}

unsigned
rs_load_kind_of_header(const char *const *f, unsigned n)
{
	if (header_is(f, n, hdr_events, 5))
		return RS_KIND_EVENTS;
	if (header_is(f, n, hdr_props, 4))
		return RS_KIND_PROPS;
	if (header_is(f, n, hdr_tree, 2))
		return RS_KIND_TREE;
	return 0;
}

unsigned
rs_load_kind_parse(const char *name)
{
	if (strcmp(name, "events") == 0)
		return RS_KIND_EVENTS;
	if (strcmp(name, "props") == 0)
		return RS_KIND_PROPS;
	if (strcmp(name, "tree") == 0)
		return RS_KIND_TREE;
	return 0;
}

void
rs_load_opts_init(struct rs_load_opts *o)
{
	o->kind = 0;
	o->threads = 2;
	o->strict = 0;
	o->chunk = RS_LOAD_CHUNK;
	o->zframes = 0;
	o->zlevel = RS_LOAD_ZLEVEL_AUTO;
}

int
rs_load_zlevel(unsigned kind)
{
	return kind == RS_KIND_EVENTS ? -2 : 1;
}

/* ---- row conversion (parser threads) ---- */

/*
 * Decimal digits only, below 2^64 - 1 (which is RS_ID_NONE): 0 ok,
 * 1 empty, 2 not an integer, 3 out of range.
 */
static int
parse_u64(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	unsigned d;
	size_t i;

	if (n == 0)
		return 1;
	if (n < 20) {
		/* Fewer than 20 digits cannot overflow. */
		for (i = 0; i < n; i++) {
			d = (unsigned)(unsigned char)p[i] - '0';
			if (d > 9)
				return 2;
			v = v * 10 + d;
		}
		*out = v;
		return 0;
	}
	for (i = 0; i < n; i++) {
		d = (unsigned)(unsigned char)p[i] - '0';
		if (d > 9)
			return 2;
		if (v > (UINT64_MAX - d) / 10)
			goto range;
		v = v * 10 + d;
	}
	if (v == UINT64_MAX)
		goto range;
	*out = v;
	return 0;
range:
	/* Still "not an integer" if garbage follows. */
	for (; i < n; i++)
		if ((unsigned)(unsigned char)p[i] - '0' > 9)
			return 2;
	return 3;
}

/*
 * The first SHOW_MAX bytes of a field for a message, on one line: a
 * quoted field may hold newlines and other control bytes, shown as \n,
 * \r, \t and \xHH (a backslash stays as is).
 */
static void
show_field(char *buf, size_t cap, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k = 0, m = n > SHOW_MAX ? SHOW_MAX : n;
	unsigned char c;

	for (i = 0; i < m && k + 5 < cap; i++) {
		c = (unsigned char)p[i];
		if (c >= 0x20 && c != 0x7f) {
			buf[k++] = (char)c;
			continue;
		}
		buf[k++] = '\\';
		if (c == '\n' || c == '\r' || c == '\t') {
			buf[k++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else {
			buf[k++] = 'x';
			buf[k++] = hex[c >> 4];
			buf[k++] = hex[c & 15];
		}
	}
	if (m < n && k + 4 <= cap) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
}

static void
set_why(struct conv *v, const char *what, const char *p, size_t n,
    const char *problem)
{
	char shown[4 * SHOW_MAX + 4];

	if (v->bad)
		return;
	v->bad = 1;
	show_field(shown, sizeof(shown), p, n);
	snprintf(v->why, sizeof(v->why), "%s '%s' %s", what, shown, problem);
}

static void
set_empty(struct conv *v, const char *what)
{
	if (v->bad)
		return;
	v->bad = 1;
	snprintf(v->why, sizeof(v->why), "%s is empty", what);
}

static void
id_field(struct conv *v, const char *what, const char *p, size_t n,
    uint64_t *out, int optional)
{
	switch (parse_u64(p, n, out)) {
	case 0:
		break;
	case 1:
		if (optional)
			*out = RS_ID_NONE;
		else
			set_empty(v, what);
		break;
	case 2:
		set_why(v, what, p, n, "is not an integer");
		break;
	default:
		set_why(v, what, p, n, "is out of range");
		break;
	}
}

static void
ts_field(struct conv *v, const char *p, size_t n, int64_t *out)
{
	uint64_t u;

	switch (parse_u64(p, n, &u)) {
	case 0:
		if (u > INT64_MAX) {
			set_why(v, "timestamp", p, n, "is out of range");
			return;
		}
		*out = (int64_t)u;
		break;
	case 1:
		set_empty(v, "timestamp");
		break;
	case 2:
		set_why(v, "timestamp", p, n,
		    "is not a non-negative integer (milliseconds)");
		break;
	default:
		set_why(v, "timestamp", p, n, "is out of range");
		break;
	}
}

static int
event_type(const char *p, size_t n)
{
	switch (n) {
	case 4:
		return memcmp(p, "view", 4) == 0 ? RS_EV_VIEW : -1;
	case 9:
		return memcmp(p, "addtocart", 9) == 0 ? RS_EV_ADDTOCART : -1;
	case 11:
		return memcmp(p, "transaction", 11) == 0 ?
		    RS_EV_TRANSACTION : -1;
	default:
		return -1;
	}
}

/* Room for need more bytes in the slot's block; 0 or -1 (no memory). */
static int
out_reserve(struct conv *v, size_t need)
{
	struct slot *s = v->s;
	unsigned char *p;
	size_t cap;

	if (s->outcap - s->outlen >= need)
		return 0;
	cap = s->outcap ? s->outcap : 4096;
	while (cap - s->outlen < need)
		cap *= 2;
	if ((p = realloc(s->out, cap)) == NULL) {
		v->nomem = 1;
		return -1;
	}
	s->out = p;
	s->outcap = cap;
	return 0;
}

static void
prop_value(struct conv *v, const char *p, size_t n)
{
	if (v->bad)
		return;
	if (n == 0) {
		set_empty(v, "value");
		return;
	}
	if (n > VALUE_MAX) {
		v->bad = 1;
		snprintf(v->why, sizeof(v->why),
		    "value of %zu bytes is longer than %u MiB", n,
		    VALUE_MAX >> 20);
		return;
	}
	v->pr.value = p;
	v->pr.vlen = (uint32_t)n;
	if (out_reserve(v, rs_prop_size(&v->pr)) < 0)
		return;
	rs_prop_encode(v->s->out + v->s->outlen, &v->pr);
	v->staged = 1;
}

static void
prop_name(struct conv *v, const char *p, size_t n)
{
	if (n == 10 && memcmp(p, "categoryid", 10) == 0) {
		v->pr.kind = RS_PROP_CATEGORYID;
		v->pr.property = RS_ID_NONE;
		return;
	}
	if (n == 9 && memcmp(p, "available", 9) == 0) {
		v->pr.kind = RS_PROP_AVAILABLE;
		v->pr.property = RS_ID_NONE;
		return;
	}
	v->pr.kind = RS_PROP_NUMBER;
	switch (parse_u64(p, n, &v->pr.property)) {
	case 0:
		break;
	case 1:
		set_empty(v, "property");
		break;
	case 3:
		set_why(v, "property", p, n, "is out of range");
		break;
	default:
		set_why(v, "property", p, n, "is neither an integer nor "
		    "'categoryid' or 'available'");
		break;
	}
}

/*
 * A field holds NUL bytes: report the first (libcsv's field is a copy, so
 * the chunk's NULs are met in order, and the field's count of them moves
 * the cursor on).  A NUL would cut the message short, so the reason says
 * where it is instead of quoting the field.
 */
static void
nul_field(struct conv *v, const char *p, size_t n)
{
	const char *q, *lf;
	size_t k = 0;

	for (q = p; (q = memchr(q, '\0', (size_t)(p + n - q))) != NULL; q++)
		k++;
	while ((lf = memchr(v->scan, '\n', (size_t)(v->nul - v->scan))) !=
	    NULL) {
		v->scan_line++;
		v->scan = v->bol = lf + 1;
	}
	v->scan = v->nul;
	if (!v->bad) {
		v->bad = 1;
		v->at = v->scan_line + 1;
		snprintf(v->why, sizeof(v->why), "column %zu",
		    (size_t)(v->nul - v->bol) + 1);
	}
	while (k-- > 0 && v->nul != NULL)
		v->nul = v->nul + 1 < v->end ? memchr(v->nul + 1, '\0',
		    (size_t)(v->end - v->nul - 1)) : NULL;
}

static void
conv_field(void *ctx, unsigned i, const char *p, size_t n)
{
	struct conv *v = ctx;
	int t;

	if (v->nul != NULL && n > 0 && memchr(p, '\0', n) != NULL)
		nul_field(v, p, n);
	if (v->bad)
		return;
	switch (v->kind) {
	case RS_KIND_EVENTS:
		switch (i) {
		case 0:
			ts_field(v, p, n, &v->ev.ts);
			break;
		case 1:
			id_field(v, "visitorid", p, n, &v->ev.visitor, 0);
			break;
		case 2:
			if ((t = event_type(p, n)) < 0) {
				if (n == 0)
					set_empty(v, "event");
				else
					set_why(v, "event type", p, n,
					    "is not view, addtocart or "
					    "transaction");
			} else
				v->ev.type = (uint8_t)t;
			break;
		case 3:
			id_field(v, "itemid", p, n, &v->ev.item, 0);
			break;
		case 4:
			id_field(v, "transactionid", p, n, &v->ev.txn, 1);
			break;
		}
		break;
	case RS_KIND_PROPS:
		switch (i) {
		case 0:
			ts_field(v, p, n, &v->pr.ts);
			break;
		case 1:
			id_field(v, "itemid", p, n, &v->pr.item, 0);
			break;
		case 2:
			prop_name(v, p, n);
			break;
		case 3:
			prop_value(v, p, n);
			break;
		}
		break;
	default:
		switch (i) {
		case 0:
			id_field(v, "categoryid", p, n, &v->tr.category, 0);
			break;
		case 1:
			id_field(v, "parentid", p, n, &v->tr.parent, 1);
			break;
		}
		break;
	}
}

/*
 * Entries: u64 line, u64 at, reason, NUL.  at is a NUL byte's line + 1
 * (v->at), 0 for none, or ODD: a row that is kept but odd (load.h).
 */
#define ODD UINT64_MAX

static void
add_msg(struct conv *v, uint64_t line, uint64_t at, const char *why)
{
	struct slot *s = v->s;
	size_t n = strlen(why) + 1, cap;
	char *p;

	if (s->badcap - s->badlen < 16 + n) {
		cap = s->badcap ? s->badcap : 1024;
		while (cap - s->badlen < 16 + n)
			cap *= 2;
		if ((p = realloc(s->bad, cap)) == NULL) {
			v->nomem = 1;
			return;
		}
		s->bad = p;
		s->badcap = cap;
	}
	memcpy(s->bad + s->badlen, &line, 8);
	memcpy(s->bad + s->badlen + 8, &at, 8);
	memcpy(s->bad + s->badlen + 16, why, n);
	s->badlen += 16 + n;
}

static void
add_bad(struct conv *v, uint64_t line, const char *why)
{
	v->s->nbad++;
	add_msg(v, line, v->at, why);
}

static void
conv_record(void *ctx, unsigned nfields, uint64_t line)
{
	struct conv *v = ctx;
	struct slot *s = v->s;
	unsigned want = kind_nfields(v->kind);

	s->rows++;
	if (v->at_end && s->open_quote) {
		v->bad = 1;
		v->at = 0;
		snprintf(v->why, sizeof(v->why), "unterminated quoted field");
	} else if (nfields != want) {
		v->bad = 1;
		v->at = 0;
		snprintf(v->why, sizeof(v->why), "expected %u fields, found %u",
		    want, nfields);
	}
	if (v->bad) {
		add_bad(v, line, v->why);
	} else if (v->kind == RS_KIND_EVENTS) {
		if (out_reserve(v, RS_EVENT_WIDTH) == 0) {
			rs_event_encode(s->out + s->outlen, &v->ev);
			s->outlen += RS_EVENT_WIDTH;
			s->nrec++;
		}
		if (v->ev.type == RS_EV_TRANSACTION &&
		    v->ev.txn == RS_ID_NONE) {
			s->nodd++;
			add_msg(v, line, ODD, RS_LOAD_NO_TXN);
		}
	} else if (v->kind == RS_KIND_PROPS) {
		if (v->staged) {
			s->outlen += rs_prop_size(&v->pr);
			s->nrec++;
		}
	} else {
		if (out_reserve(v, RS_TREE_WIDTH) == 0) {
			rs_tree_encode(s->out + s->outlen, &v->tr);
			s->outlen += RS_TREE_WIDTH;
			s->nrec++;
		}
	}
	v->bad = 0;
	v->at = 0;
	v->staged = 0;
}

static const struct rs_csvin_ops conv_ops = { conv_field, conv_record };

/* Parses one chunk into its slot; lines are relative to the chunk (0). */
static void
convert_chunk(struct conv *v, struct slot *s)
{
	int rc;

	/* The room lets rs_zframe_block compress the block in one piece. */
	v->s = s;
	s->outlen = 0;
	if (out_reserve(v, RS_BLOCK_HEAD) < 0) {
		s->rc = rs_error_set(&s->err, RS_ENOMEM, "out of memory");
		return;
	}
	s->outlen = RS_BLOCK_HEAD;
	s->nrec = 0;
	s->badlen = 0;
	s->nbad = s->nodd = s->rows = s->lines = 0;
	s->rc = 0;
	v->bad = v->staged = v->at_end = v->nomem = 0;
	v->at = 0;
	/* One pass finds whether the chunk has NUL bytes at all. */
	v->scan = v->bol = s->in;
	v->end = s->in + s->inlen;
	v->scan_line = 0;
	v->nul = s->inlen ? memchr(s->in, '\0', s->inlen) : NULL;
	rs_csvin_reset(v->csv, 0);
	rc = rs_csvin_parse(v->csv, s->in, s->inlen, &conv_ops, v, &s->err);
	if (rc == 0) {
		v->at_end = 1;
		rc = rs_csvin_finish(v->csv, &conv_ops, v, &s->err);
	}
	s->lines = rs_csvin_line(v->csv);
	if (rc == 0 && v->nomem)
		rc = rs_error_set(&s->err, RS_ENOMEM, "out of memory");
	s->flen = 0;
	if (rc == 0 && v->zf && s->nrec > 0)
		rc = rs_zframe_block(v->zf, s->out, s->outlen - RS_BLOCK_HEAD,
		    s->nrec, &s->frame, &s->fcap, &s->flen, &s->err);
	s->rc = rc;
}

/* ---- chunking (main thread) ---- */

/*
 * Offset just past the last LF outside quotes in p[0..n), or 0; the text
 * starts outside quotes.
 */
static size_t
find_cut(const char *p, size_t n)
{
	size_t i, cut = 0;
	int inq = 0;

	if (memchr(p, '"', n) == NULL) {
		/* Lines are short: a backward scan finds the LF at once. */
		for (i = n; i > 0; i--)
			if (p[i - 1] == '\n')
				return i;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			inq = !inq;
		else if (p[i] == '\n' && !inq)
			cut = i + 1;
	}
	return cut;
}

/* Offset just past the first LF outside quotes, or 0. */
static size_t
find_first(const char *p, size_t n)
{
	size_t i;
	int inq = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			inq = !inq;
		else if (p[i] == '\n' && !inq)
			return i + 1;
	}
	return 0;
}

static int
odd_quotes(const char *p, size_t n)
{
	const char *q, *end = p + n;
	int odd = 0;

	for (q = p; (q = memchr(q, '"', (size_t)(end - q))) != NULL; q++)
		odd = !odd;
	return odd;
}

static int
grow(char **p, size_t *cap, size_t need)
{
	char *np;

	if (*cap >= need)
		return 0;
	if ((np = realloc(*p, need)) == NULL)
		return -1;
	*p = np;
	*cap = need;
	return 0;
}

/*
 * Moves the carry plus fresh input into s->in and cuts it.  Returns 1 for
 * a chunk, 0 at the end of the input, or a negative error.
 */
static int
fill(struct rs_load *l, struct slot *s, struct rs_error *err)
{
	size_t target = l->o.chunk, len, cut;
	long n;

	if (target < l->ncarry)
		target = l->ncarry;
	if (grow(&s->in, &s->incap, target) < 0)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	memcpy(s->in, l->carry, l->ncarry);
	len = l->ncarry;
	for (;;) {
		if (!l->eof && len < target) {
			n = rs_input_fill(l->in, s->in + len, target - len,
			    err);
			if (n < 0)
				return (int)n;
			len += (size_t)n;
			if (len < target)
				l->eof = 1;
		}
		if (len == 0)
			return 0;
		if (l->eof) {
			cut = len;
			break;
		}
		if ((cut = find_cut(s->in, len)) > 0)
			break;
		if (target >= RS_LOAD_RECORD_MAX) {
			/* Reported once the chunks before are delivered. */
			l->toolong = 1;
			return 0;
		}
		target *= 2;
		if (grow(&s->in, &s->incap, target) < 0)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	s->inlen = cut;
	s->open_quote = l->eof ? odd_quotes(s->in, cut) : 0;
	l->ncarry = len - cut;
	if (grow(&l->carry, &l->carrycap, l->ncarry) < 0)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	memcpy(l->carry, s->in + cut, l->ncarry);
	return 1;
}

/* ---- header ---- */

#define HDR_FIELDS 8
#define HDR_NAME 32

struct hdr {
	char f[HDR_FIELDS][HDR_NAME];
	const char *fp[HDR_FIELDS];
	unsigned n;
	int got;
	uint64_t line;
};

static void
hdr_field(void *ctx, unsigned i, const char *p, size_t n)
{
	struct hdr *h = ctx;

	if (h->got || i >= HDR_FIELDS)
		return;
	if (n >= HDR_NAME)
		n = HDR_NAME - 1;
	memcpy(h->f[i], p, n);
	h->f[i][n] = '\0';
}

static void
hdr_record(void *ctx, unsigned nfields, uint64_t line)
{
	struct hdr *h = ctx;

	if (h->got)
		return;
	h->got = 1;
	h->n = nfields;
	h->line = line;
}

static const struct rs_csvin_ops hdr_ops = { hdr_field, hdr_record };

/* The header row as text for messages: its fields, comma-joined. */
static void
hdr_text(const struct hdr *h, char *buf, size_t cap)
{
	size_t len = 0;
	unsigned i;
	int k;

	buf[0] = '\0';
	for (i = 0; i < h->n && i < HDR_FIELDS; i++) {
		k = snprintf(buf + len, cap - len, "%s%s", i ? "," : "",
		    h->f[i]);
		if (k < 0 || (size_t)k >= cap - len)
			return;
		len += (size_t)k;
	}
	if (h->n > HDR_FIELDS)
		snprintf(buf + len, cap - len, ",...");
}

/*
 * Binary inputs that are common mistakes get a message that says what
 * they are (the first chunk, decompressed if zstd, is at p): gzip (magic
 * 1F 8B), which input.h does not decompress, and an rs stream, which is
 * rs-load's own output.  Without this they were an "unrecognised header"
 * of binary garbage, or with --kind a run of bad rows.
 */
static int
not_csv(const struct rs_load *l, const char *p, size_t n,
    struct rs_error *err)
{
	if (n >= 2 && (unsigned char)p[0] == 0x1f &&
	    (unsigned char)p[1] == 0x8b)
		return rs_error_set(err, RS_EINPUT, "%s: gzip-compressed: "
		    "decompress first or use zstd", l->name);
	if (rs_stream_sniff((const unsigned char *)p, n) == RS_SNIFF_RAW)
		return rs_error_set(err, RS_EINPUT, "%s: this is already an "
		    "rs stream", l->name);
	return 0;
}

static int
read_header(struct rs_load *l, struct rs_error *err)
{
	struct rs_csvin *csv;
	struct hdr h;
	size_t target = l->o.chunk, len = 0, pos = 0, end;
	unsigned kind;
	char text[200];
	long n;
	int rc, bom = 0;

	memset(&h, 0, sizeof(h));
	if ((rc = rs_csvin_create(&csv, err)) < 0)
		return rc;
	for (;;) {
		if (grow(&l->carry, &l->carrycap, target) < 0) {
			rc = rs_error_set(err, RS_ENOMEM, "out of memory");
			goto out;
		}
		if (!l->eof && len < target) {
			n = rs_input_fill(l->in, l->carry + len, target - len,
			    err);
			if (n < 0) {
				rc = (int)n;
				goto out;
			}
			if ((size_t)n < target - len)
				l->eof = 1;
			len += (size_t)n;
			if (!bom && (rc = not_csv(l, l->carry, len, err)) < 0)
				goto out;
			if (!bom && len >= 3 &&
			    memcmp(l->carry, "\xef\xbb\xbf", 3) == 0) {
				len -= 3;
				memmove(l->carry, l->carry + 3, len);
			}
			bom = 1;
		}
		/* Blank lines before the header are skipped. */
		while (!h.got && pos < len) {
			end = find_first(l->carry + pos, len - pos);
			if (end == 0 && !l->eof)
				break;
			end = end ? pos + end : len;
			rc = rs_csvin_parse(csv, l->carry + pos, end - pos,
			    &hdr_ops, &h, err);
			if (rc == 0 && end == len && l->eof)
				rc = rs_csvin_finish(csv, &hdr_ops, &h, err);
			if (rc < 0)
				goto out;
			pos = end;
		}
		if (h.got || l->eof)
			break;
		if (target >= RS_LOAD_RECORD_MAX) {
			rc = rs_error_set(err, RS_EINPUT, "%s:1: header longer "
			    "than %u MiB", l->name, RS_LOAD_RECORD_MAX >> 20);
			goto out;
		}
		target *= 2;
	}
	if (!h.got) {
		rc = rs_error_set(err, RS_EINPUT, "%s: empty input, no header",
		    l->name);
		goto out;
	}
	for (kind = 0; kind < HDR_FIELDS; kind++)
		h.fp[kind] = h.f[kind];
	kind = rs_load_kind_of_header(h.fp, h.n);
	if (l->o.kind == 0) {
		if (kind == 0) {
			hdr_text(&h, text, sizeof(text));
			rc = rs_error_set(err, RS_EFORMAT,
			    "%s:%llu: unrecognised header '%s'", l->name,
			    (unsigned long long)h.line, text);
			goto out;
		}
		l->kind = kind;
	} else {
		l->kind = l->o.kind;
		if (kind != 0 && kind != l->kind) {
			rc = rs_error_set(err, RS_EFORMAT, "%s:%llu: header of "
			    "a '%s' file, not '%s'", l->name,
			    (unsigned long long)h.line, rs_kind_name(kind),
			    rs_kind_name(l->kind));
			goto out;
		}
		if (kind == 0) {
			/* Not a header: the first row is data. */
			pos = 0;
		}
	}
	if (pos > 0)
		l->line = rs_csvin_line(csv);
	l->ncarry = len - pos;
	memmove(l->carry, l->carry + pos, l->ncarry);
	rc = 0;
out:
	rs_csvin_free(csv);
	return rc;
}

/* ---- the pipeline ---- */

static int
load_init(struct rs_load *l, const char *name, const struct rs_load_opts *o,
    struct rs_error *err)
{
	int rc;

	l->name = name;
	if (o)
		l->o = *o;
	else
		rs_load_opts_init(&l->o);
	if (l->o.chunk == 0)
		l->o.chunk = RS_LOAD_CHUNK;
	if (l->o.chunk > RS_LOAD_RECORD_MAX)
		l->o.chunk = RS_LOAD_RECORD_MAX;
	if (l->o.kind != 0 && l->o.kind != RS_KIND_EVENTS &&
	    l->o.kind != RS_KIND_PROPS && l->o.kind != RS_KIND_TREE)
		return rs_error_set(err, RS_EARG, "%s: bad kind %u", name,
		    l->o.kind);
	l->line = 1;
	if ((rc = read_header(l, err)) < 0)
		return rc;
	return 0;
}

int
rs_load_open(struct rs_load **out, int fd, const char *name,
    const struct rs_load_opts *o, struct rs_error *err)
{
	struct rs_load *l;
	int rc;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	if ((rc = rs_input_open(&l->in, fd, name, err)) < 0 ||
	    (rc = load_init(l, name, o, err)) < 0) {
		rs_load_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

int
rs_load_open_mem(struct rs_load **out, const void *p, size_t n,
    const char *name, const struct rs_load_opts *o, struct rs_error *err)
{
	struct rs_load *l;
	int rc;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	if ((rc = rs_input_open_mem(&l->in, p, n, name, err)) < 0 ||
	    (rc = load_init(l, name, o, err)) < 0) {
		rs_load_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

unsigned
rs_load_kind(const struct rs_load *l)
{
	return l->kind;
}

int
rs_load_is_zstd(const struct rs_load *l)
{
	return rs_input_is_zstd(l->in);
}

uint64_t
rs_load_rows(const struct rs_load *l)
{
	return l->rows;
}

uint64_t
rs_load_bad(const struct rs_load *l)
{
	return l->nbad;
}

uint64_t
rs_load_odd(const struct rs_load *l)
{
	return l->nodd;
}

struct worker {
	struct rs_load *l;
	struct conv conv;
	pthread_t tid;
	int started;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct rs_load *l = w->l;
	struct slot *s;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		s = &l->slots[l->next_parse % l->nslots];
		while (!l->stop && !(s->state == S_READY &&
		    s->seq == l->next_parse)) {
			pthread_cond_wait(&l->cv_work, &l->mu);
			s = &l->slots[l->next_parse % l->nslots];
		}
		if (l->stop)
			break;
		s->state = S_BUSY;
		l->next_parse++;
		pthread_mutex_unlock(&l->mu);
		convert_chunk(&w->conv, s);
		pthread_mutex_lock(&l->mu);
		s->state = S_DONE;
		pthread_cond_broadcast(&l->cv_done);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* Hands a finished slot's rows and messages to the sink, in order. */
static int
deliver(struct rs_load *l, struct slot *s, const struct rs_load_sink *sink,
    struct rs_error *err)
{
	const char *p = s->bad, *end = s->badlen ? s->bad + s->badlen : p;
	const char *why;
	struct rs_load_block b;
	uint64_t rel, at;
	char text[WHY_MAX + 48];
	int rc;

	if (s->rc < 0) {
		if (err)
			*err = s->err;
		return s->rc;
	}
	while (p < end) {
		memcpy(&rel, p, 8);
		memcpy(&at, p + 8, 8);
		why = p + 16;
		p += 16 + strlen(why) + 1;
		if (at == ODD) {
			if (sink->odd)
				sink->odd(sink->ctx, l->name, l->line + rel,
				    why);
			continue;
		}
		if (at != 0) {
			/* A NUL byte: its own line, which chunks make absolute. */
			snprintf(text, sizeof(text), "NUL byte at line %llu, %s",
			    (unsigned long long)(l->line + at - 1), why);
			why = text;
		}
		if (l->o.strict)
			return rs_error_set(err, RS_EINPUT, "%s:%llu: %s",
			    l->name, (unsigned long long)(l->line + rel), why);
		if (sink->bad)
			sink->bad(sink->ctx, l->name, l->line + rel, why);
	}
	l->line += s->lines;
	l->rows += s->rows;
	l->nbad += s->nbad;
	l->nodd += s->nodd;
	if (s->nrec == 0 || sink->block == NULL)
		return 0;
	b.recs = s->out + RS_BLOCK_HEAD;
	b.len = s->outlen - RS_BLOCK_HEAD;
	b.nrec = s->nrec;
	b.frame = s->flen ? s->frame : NULL;
	b.flen = s->flen;
	if ((rc = sink->block(sink->ctx, &b, err)) != 0)
		return rc < 0 ? rc : RS_EARG;
	return 0;
}

/*
 * After a long record, give the memory back so that the ring stays near
 * nslots * (chunk + block) and a few huge records cannot pile up.
 */
static void
shrink_slot(const struct rs_load *l, struct slot *s)
{
	size_t most = 4 * l->o.chunk;

	if (s->incap > most) {
		free(s->in);
		s->in = NULL;
		s->incap = 0;
	}
	if (s->outcap > 2 * most) {
		free(s->out);
		s->out = NULL;
		s->outcap = 0;
	}
	if (s->fcap > 2 * most) {
		free(s->frame);
		s->frame = NULL;
		s->fcap = 0;
	}
	if (s->badcap > most) {
		free(s->bad);
		s->bad = NULL;
		s->badcap = 0;
	}
}

static void
free_slots(struct rs_load *l)
{
	unsigned i;

	for (i = 0; l->slots && i < l->nslots; i++) {
		free(l->slots[i].in);
		free(l->slots[i].out);
		free(l->slots[i].frame);
		free(l->slots[i].bad);
	}
	free(l->slots);
	l->slots = NULL;
}

int
rs_load_run(struct rs_load *l, const struct rs_load_sink *sink,
    struct rs_error *err)
{
	struct worker *w;
	struct slot *s;
	unsigned i, nw = l->o.threads;
	int rc = 0, end = 0;

	if (l->ran)
		return rs_error_set(err, RS_EARG, "%s: already read", l->name);
	l->ran = 1;
	/* Two chunks in hand per parser, at most six spare. */
	l->nslots = nw == 0 ? 1 : nw < 4 ? 2 * nw + 2 : nw + 6;
	l->slots = calloc(l->nslots, sizeof(*l->slots));
	w = calloc(nw ? nw : 1, sizeof(*w));
	if (l->slots == NULL || w == NULL) {
		free(w);
		free_slots(l);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	for (i = 0; i < (nw ? nw : 1); i++) {
		w[i].l = l;
		w[i].conv.kind = l->kind;
		if ((rc = rs_csvin_create(&w[i].conv.csv, err)) < 0 ||
		    (l->o.zframes && (rc = rs_zframe_create(&w[i].conv.zf,
		    l->o.zlevel == RS_LOAD_ZLEVEL_AUTO ?
		    rs_load_zlevel(l->kind) : l->o.zlevel, err)) < 0))
			goto out;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv_work, NULL);
	pthread_cond_init(&l->cv_done, NULL);
	for (i = 0; i < nw; i++) {
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			rc = rs_error_set(err, RS_ENOMEM,
			    "cannot start a parser thread");
			goto stop;
		}
		w[i].started = 1;
	}
	for (;;) {
		while (!end && l->next_fill - l->next_out < l->nslots) {
			s = &l->slots[l->next_fill % l->nslots];
			if ((rc = fill(l, s, err)) < 0)
				goto stop;
			if (rc == 0) {
				end = 1;
				break;
			}
			if (nw == 0) {
				s->seq = l->next_fill++;
				convert_chunk(&w[0].conv, s);
				s->state = S_DONE;
			} else {
				/* Parsers read seq and state under the lock. */
				pthread_mutex_lock(&l->mu);
				s->seq = l->next_fill++;
				s->state = S_READY;
				pthread_cond_broadcast(&l->cv_work);
				pthread_mutex_unlock(&l->mu);
			}
		}
		rc = 0;
		if (l->next_out == l->next_fill) {
			if (l->toolong)
				rc = rs_error_set(err, RS_EINPUT, "%s:%llu: "
				    "record longer than %u MiB (unterminated "
				    "quote?)", l->name,
				    (unsigned long long)l->line,
				    RS_LOAD_RECORD_MAX >> 20);
			break;
		}
		s = &l->slots[l->next_out % l->nslots];
		if (nw > 0) {
			pthread_mutex_lock(&l->mu);
			while (s->state != S_DONE)
				pthread_cond_wait(&l->cv_done, &l->mu);
			pthread_mutex_unlock(&l->mu);
		}
		if ((rc = deliver(l, s, sink, err)) < 0)
			goto stop;
		shrink_slot(l, s);
		if (nw > 0)
			pthread_mutex_lock(&l->mu);
		s->state = S_FREE;
		if (nw > 0)
			pthread_mutex_unlock(&l->mu);
		l->next_out++;
	}
stop:
	if (nw > 0) {
		pthread_mutex_lock(&l->mu);
		l->stop = 1;
		pthread_cond_broadcast(&l->cv_work);
		pthread_mutex_unlock(&l->mu);
		for (i = 0; i < nw; i++)
			if (w[i].started)
				pthread_join(w[i].tid, NULL);
	}
	pthread_cond_destroy(&l->cv_done);
	pthread_cond_destroy(&l->cv_work);
	pthread_mutex_destroy(&l->mu);
out:
	for (i = 0; i < (nw ? nw : 1); i++) {
		rs_csvin_free(w[i].conv.csv);
		rs_zframe_free(w[i].conv.zf);
	}
	free(w);
	free_slots(l);
	return rc;
}

void
rs_load_free(struct rs_load *l)
{
	if (l == NULL)
		return;
	rs_input_free(l->in);
	free(l->carry);
	free(l);
}
