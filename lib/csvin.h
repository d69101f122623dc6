/*
 * csvin.h - the CSV reader: a thin wrapper over libcsv that adds what
 * libcsv's callbacks lack, the physical line of every record, and keeps
 * csv.h out of every other file.
 *
 * Dialect: RFC 4180 as libcsv reads it: comma, double quote, "" inside
 * quotes; records end at LF, CRLF or a lone CR outside quotes (CR and LF
 * inside quotes are kept); blank lines are skipped but counted.  As
 * libcsv does, spaces and tabs around an unquoted field are dropped;
 * quote the field to keep them.  Lines are counted by LF only.
 *
 * Use: create a reader, rs_csvin_reset(c, line) before each independent
 * piece of text, rs_csvin_parse() as many times as needed, then
 * rs_csvin_finish() to get a last record that has no final newline.  The
 * callbacks get each field (NUL-terminated, borrowed until the callback
 * returns) and then the end of each record.
 */
#ifndef RS_CSVIN_H
#define RS_CSVIN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct rs_csvin;

struct rs_csvin_ops {
	/* Field number index (0-based) of the current record. */
	void (*field)(void *ctx, unsigned index, const char *p, size_t len);
	/*
	 * End of a record of nfields fields (>= 1) that started on the
	 * given physical line.
	 */
	void (*record)(void *ctx, unsigned nfields, uint64_t line);
};

/* RS_ENOMEM on failure. */
int rs_csvin_create(struct rs_csvin **out, struct rs_error *err);

/*
 * Forgets any half-read record; the next byte given is at the start of
 * physical line `line`.
 */
void rs_csvin_reset(struct rs_csvin *c, uint64_t line);

/* Parses len bytes, calling ops with ctx.  RS_ENOMEM on failure. */
int rs_csvin_parse(struct rs_csvin *c, const char *p, size_t len,
	const struct rs_csvin_ops *ops, void *ctx, struct rs_error *err);

/* Ends the text: reports a last record that lacks its newline. */
int rs_csvin_finish(struct rs_csvin *c, const struct rs_csvin_ops *ops,
	void *ctx, struct rs_error *err);

/* The physical line of the next byte (lines consumed so far + first). */
uint64_t rs_csvin_line(const struct rs_csvin *c);

void rs_csvin_free(struct rs_csvin *c);

#endif
