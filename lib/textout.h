/*
 * textout.h - fast buffered text output for tools that print many rows
 * (rs-cat, rs-recommend): numbers formatted by hand (numfmt.h), floats
 * as %.9g so float32 values round-trip, CSV quoting per RFC 4180.
 * Writes go to a file descriptor in large chunks; a write error is
 * sticky and reported by rs_textout_flush.
 */
#ifndef RS_TEXTOUT_H
#define RS_TEXTOUT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct rs_textout {
	int fd;
	const char *name;	/* for messages; borrowed */
	unsigned char *buf;
	size_t len, cap;
	int err;		/* errno of the first failed write, or 0 */
};

/* Sets up t to write to fd; returns RS_ENOMEM on failure. */
int rs_textout_init(struct rs_textout *t, int fd, const char *name);
void rs_textout_release(struct rs_textout *t);

/* Writes out what is buffered; RS_EIO (with the file named) on failure. */
int rs_textout_flush(struct rs_textout *t, struct rs_error *err);

void rs_textout_bytes(struct rs_textout *t, const void *p, size_t n);
void rs_textout_str(struct rs_textout *t, const char *s);
void rs_textout_char(struct rs_textout *t, char c);
void rs_textout_u64(struct rs_textout *t, uint64_t v);
void rs_textout_i64(struct rs_textout *t, int64_t v);
/* %.9g: shortest text that reads back as the same float32. */
void rs_textout_f32(struct rs_textout *t, float v);
/* %.17g for doubles. */
void rs_textout_f64(struct rs_textout *t, double v);
/* A CSV field: quoted (with doubled quotes) only when it must be. */
void rs_textout_csv_field(struct rs_textout *t, const char *p, size_t n,
	char delim);

#endif
