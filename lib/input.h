/*
 * input.h - one byte source for text input: a file descriptor (a file, a
 * pipe, standard input) or a memory buffer, plain or zstd-compressed.
 * The first four bytes decide: the zstd frame magic 28 B5 2F FD means the
 * bytes are decompressed as they stream in (any number of frames, one
 * after the other); anything else is passed through unchanged.  Nothing is
 * ever seeked, so pipes work, and memory stays constant (one input buffer
 * and one zstd context) whatever the input size.
 */
#ifndef RS_INPUT_H
#define RS_INPUT_H

#include <stddef.h>

#include "error.h"

struct rs_input;

/*
 * Opens fd (borrowed, never closed) for reading; name is used in messages
 * only.  Reads up to four bytes to sniff the compression.  RS_EIO on a
 * read error, RS_ENOMEM.
 */
int rs_input_open(struct rs_input **out, int fd, const char *name,
	struct rs_error *err);

/* As rs_input_open over the n bytes at p (borrowed; must outlive *out). */
int rs_input_open_mem(struct rs_input **out, const void *p, size_t n,
	const char *name, struct rs_error *err);

/* 1 if the input is zstd-compressed. */
int rs_input_is_zstd(const struct rs_input *in);

/* The name given at open; borrowed. */
const char *rs_input_name(const struct rs_input *in);

/*
 * Reads up to cap (decompressed) bytes into buf and returns how many, or
 * 0 at the end of the input.  Short reads happen (a pipe, a frame edge);
 * use rs_input_fill for exact counts.  Errors: RS_EIO (read failed),
 * RS_ECORRUPT (bad zstd data, checksum mismatch), RS_ETRUNC (the input
 * ends inside a zstd frame).
 */
long rs_input_read(struct rs_input *in, void *buf, size_t cap,
	struct rs_error *err);

/*
 * Reads until buf holds cap bytes or the input ends; returns the count
 * (less than cap only at the end of the input) or a negative error as
 * rs_input_read.
 */
long rs_input_fill(struct rs_input *in, void *buf, size_t cap,
	struct rs_error *err);

void rs_input_free(struct rs_input *in);

#endif
