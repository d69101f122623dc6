/*
 * textout.c - buffered text output.  See textout.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "numfmt.h"
#include "textout.h"
#include "banned.h"

#define TEXTOUT_CAP (256u << 10)

int
rs_textout_init(struct rs_textout *t, int fd, const char *name)
{
	t->fd = fd;
	t->name = name;
	t->len = 0;
	t->cap = TEXTOUT_CAP;
	t->err = 0;
	if ((t->buf = malloc(t->cap)) == NULL)
		return RS_ENOMEM;
	return 0;
}

void
rs_textout_release(struct rs_textout *t)
{
	free(t->buf);
	t->buf = NULL;
}

static void
drain(struct rs_textout *t)
{
	size_t off = 0;
	ssize_t k;

	while (off < t->len && t->err == 0) {
		k = write(t->fd, t->buf + off, t->len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			t->err = errno;
		else
			off += (size_t)k;
	}
	t->len = 0;
}

int
rs_textout_flush(struct rs_textout *t, struct rs_error *err)
{
	drain(t);
	if (t->err)
		return rs_error_errno(err, RS_EIO, t->err, "%s: write",
		    t->name);
	return 0;
}

/* Room for n more bytes (n <= cap). */
static unsigned char *
room(struct rs_textout *t, size_t n)
{
	if (t->cap - t->len < n)
		drain(t);
	return t->buf + t->len;
}

void
rs_textout_bytes(struct rs_textout *t, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	while (n > 0) {
		if (t->len == t->cap)
			drain(t);
		k = t->cap - t->len < n ? t->cap - t->len : n;
		memcpy(t->buf + t->len, s, k);
		t->len += k;
		s += k;
		n -= k;
	}
}

void
rs_textout_str(struct rs_textout *t, const char *s)
{
	rs_textout_bytes(t, s, strlen(s));
}

void
rs_textout_char(struct rs_textout *t, char c)
{
	*room(t, 1) = (unsigned char)c;
	t->len++;
}

void
rs_textout_u64(struct rs_textout *t, uint64_t v)
{
	t->len += rs_fmt_u64((char *)room(t, RS_FMT_MAX), v);
}

void
rs_textout_i64(struct rs_textout *t, int64_t v)
{
	t->len += rs_fmt_i64((char *)room(t, RS_FMT_MAX), v);
}

void
rs_textout_f32(struct rs_textout *t, float v)
{
	t->len += rs_fmt_f32((char *)room(t, RS_FMT_MAX), v);
}

void
rs_textout_f64(struct rs_textout *t, double v)
{
	char tmp[40];
	int n = snprintf(tmp, sizeof(tmp), "%.17g", v);

	rs_textout_bytes(t, tmp, (size_t)n);
}

void
rs_textout_csv_field(struct rs_textout *t, const char *p, size_t n,
    char delim)
{
	const char *q;
	size_t i;

	if (memchr(p, '"', n) == NULL && memchr(p, delim, n) == NULL &&
	    memchr(p, '\n', n) == NULL && memchr(p, '\r', n) == NULL) {
		rs_textout_bytes(t, p, n);
		return;
	}
	rs_textout_char(t, '"');
	for (i = 0; i < n; i = (size_t)(q - p) + 1) {
		q = memchr(p + i, '"', n - i);
		if (q == NULL) {
			rs_textout_bytes(t, p + i, n - i);
			break;
		}
		rs_textout_bytes(t, p + i, (size_t)(q - p) - i + 1);
		rs_textout_char(t, '"');
	}
	rs_textout_char(t, '"');
}
