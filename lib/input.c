/*
 * input.c - plain or zstd-compressed byte input from a descriptor or
 * memory (see input.h).
 *
 * Layout: the four sniffed bytes are kept in pre[] and handed out first
 * (plain input) or fed to the decompressor first (zstd).  For zstd, raw
 * compressed bytes go through src[] (ZSTD_DStreamInSize bytes) and are
 * decompressed straight into the caller's buffer.
 *
 * Invariants: npre - ipre bytes of pre[] are still unread; for zstd,
 * zin.pos <= zin.size and last_ret is the last ZSTD_decompressStream hint,
 * 0 exactly when the input so far ends on a frame boundary, so end of
 * input with last_ret != 0 is a truncated frame.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "input.h"
#include "banned.h"

struct rs_input {
	const char *name;
	int fd;				/* -1 for memory */
	const unsigned char *mem;	/* memory source */
	size_t memlen, mempos;
	unsigned char pre[4];
	size_t npre, ipre;
	int zstd;
	int eof;			/* the raw source is exhausted */
	ZSTD_DStream *ds;
	unsigned char *src;
	size_t srccap;
	ZSTD_inBuffer zin;
	size_t last_ret;
};

/* Raw bytes from the source, no decompression; 0 at its end. */
static long
raw_read(struct rs_input *in, void *buf, size_t cap, struct rs_error *err)
{
	ssize_t n;
	size_t k;

	if (in->ipre < in->npre) {
		k = in->npre - in->ipre;
		if (k > cap)
			k = cap;
		memcpy(buf, in->pre + in->ipre, k);
		in->ipre += k;
		return (long)k;
	}
	if (in->fd < 0) {
		k = in->memlen - in->mempos;
		if (k > cap)
			k = cap;
		memcpy(buf, in->mem + in->mempos, k);
		in->mempos += k;
		return (long)k;
	}
	for (;;) {
		n = read(in->fd, buf, cap);
		if (n >= 0)
			return (long)n;
		if (errno != EINTR)
			return rs_error_errno(err, RS_EIO, errno, "%s: read error",
			    in->name);
	}
}

static int
sniff(struct rs_input *in, struct rs_error *err)
{
	static const unsigned char zmagic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	long n;

	while (in->npre < 4) {
		n = raw_read(in, in->pre + in->npre, 4 - in->npre, err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		in->npre += (size_t)n;
	}
	if (in->npre == 4 && memcmp(in->pre, zmagic, 4) == 0) {
		in->zstd = 1;
		in->ds = ZSTD_createDStream();
		in->srccap = ZSTD_DStreamInSize();
		in->src = malloc(in->srccap);
		if (in->ds == NULL || in->src == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		ZSTD_initDStream(in->ds);
		memcpy(in->src, in->pre, 4);
		in->zin.src = in->src;
		in->zin.size = 4;
		in->zin.pos = 0;
		in->ipre = in->npre;
		in->last_ret = 1;
	}
	return 0;
}

static int
open_common(struct rs_input **out, struct rs_input *in, struct rs_error *err)
{
	int rc;

	if ((rc = sniff(in, err)) < 0) {
		rs_input_free(in);
		*out = NULL;
		return rc;
	}
	*out = in;
	return 0;
}

int
rs_input_open(struct rs_input **out, int fd, const char *name,
    struct rs_error *err)
{
	struct rs_input *in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	in->fd = fd;
	in->name = name;
	return open_common(out, in, err);
}

int
rs_input_open_mem(struct rs_input **out, const void *p, size_t n,
    const char *name, struct rs_error *err)
{
	struct rs_input *in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	in->fd = -1;
	in->mem = p;
	in->memlen = n;
	in->name = name;
	return open_common(out, in, err);
}

int
rs_input_is_zstd(const struct rs_input *in)
{
	return in->zstd;
}

const char *
rs_input_name(const struct rs_input *in)
{
	return in->name;
}

static long
zstd_read(struct rs_input *in, void *buf, size_t cap, struct rs_error *err)
{
	ZSTD_outBuffer zout = { buf, cap, 0 };
	size_t r;
	long n;

	while (zout.pos == 0) {
		if (in->zin.pos == in->zin.size) {
			if (in->eof)
				break;
			n = raw_read(in, in->src, in->srccap, err);
			if (n < 0)
				return n;
			if (n == 0) {
				in->eof = 1;
				if (in->last_ret != 0)
					return rs_error_set(err, RS_ETRUNC,
					    "%s: truncated zstd stream",
					    in->name);
				break;
			}
			in->zin.size = (size_t)n;
			in->zin.pos = 0;
		}
		r = ZSTD_decompressStream(in->ds, &zout, &in->zin);
		if (ZSTD_isError(r))
			return rs_error_set(err, RS_ECORRUPT,
			    "%s: corrupt zstd stream: %s", in->name,
			    ZSTD_getErrorName(r));
		in->last_ret = r;
	}
	return (long)zout.pos;
}

long
rs_input_read(struct rs_input *in, void *buf, size_t cap,
    struct rs_error *err)
{
	if (cap == 0)
		return 0;
	if (in->zstd)
		return zstd_read(in, buf, cap, err);
	return raw_read(in, buf, cap, err);
}

long
rs_input_fill(struct rs_input *in, void *buf, size_t cap,
    struct rs_error *err)
{
	unsigned char *p = buf;
	size_t got = 0;
	long n;

	while (got < cap) {
		n = rs_input_read(in, p + got, cap - got, err);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

void
rs_input_free(struct rs_input *in)
{
	if (in == NULL)
		return;
	ZSTD_freeDStream(in->ds);
	free(in->src);
	free(in);
}
