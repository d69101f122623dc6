/*
 * csvin.c - the libcsv wrapper (see csvin.h); the only file that includes
 * csv.h.
 *
 * Line counting: libcsv does not say where a record starts, so the reader
 * counts physical lines itself.  The parser runs with CSV_REPALL_NL, so
 * the end-of-record callback fires for every CR and LF outside quotes
 * (with no fields for a blank line, or for the LF of a CRLF); only LF
 * counts as a new line.  Every LF inside a quoted field shows up in the
 * field's bytes, which are searched only once the text since the last
 * reset has shown a quote at all.  So `line` is exact at every record
 * end, and the next record starts on it.  libcsv's own terminator and
 * space tests are kept (no callbacks): they are inline, and a callback
 * per byte cost 13 % of the load time.
 *
 * State: nfields counts the fields of the record being read; start is the
 * physical line on which it began; line is the line of the next byte.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "csvin.h"
#include "banned.h"

struct rs_csvin {
	struct csv_parser p;
	const struct rs_csvin_ops *ops;
	void *ctx;
	uint64_t line;		/* physical line of the next byte */
	uint64_t start;		/* line where the current record began */
	unsigned nfields;
	int quotes;		/* the current text has a quote somewhere */
};

int
rs_csvin_create(struct rs_csvin **out, struct rs_error *err)
{
	struct rs_csvin *c;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	if (csv_init(&c->p, CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
		free(c);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	csv_set_blk_size(&c->p, 4096);
	c->line = c->start = 1;
	*out = c;
	return 0;
}

static void
cb_field(void *data, size_t len, void *arg)
{
	struct rs_csvin *c = arg;
	const char *s = data ? data : "";
	const char *q, *end;

	if (c->quotes && len > 0) {
		end = s + len;
		for (q = s; (q = memchr(q, '\n', (size_t)(end - q))) != NULL;
		    q++)
			c->line++;
	}
	c->ops->field(c->ctx, c->nfields, s, len);
	if (c->nfields < UINT32_MAX)
		c->nfields++;
}

static void
cb_record(int term, void *arg)
{
	struct rs_csvin *c = arg;

	if (c->nfields > 0)
		c->ops->record(c->ctx, c->nfields, c->start);
	if (term == '\n')
		c->line++;	/* a CR ends a record but not a line */
	c->nfields = 0;
	c->start = c->line;
}

void
rs_csvin_reset(struct rs_csvin *c, uint64_t line)
{
	/* csv_fini with no callbacks drops a half-read record. */
	csv_fini(&c->p, NULL, NULL, NULL);
	c->line = c->start = line;
	c->nfields = 0;
	c->quotes = 0;
}

int
rs_csvin_parse(struct rs_csvin *c, const char *p, size_t len,
    const struct rs_csvin_ops *ops, void *ctx, struct rs_error *err)
{
	c->ops = ops;
	c->ctx = ctx;
	if (!c->quotes)
		c->quotes = memchr(p, '"', len) != NULL;
	if (csv_parse(&c->p, p, len, cb_field, cb_record, c) != len)
		return rs_error_set(err, RS_ENOMEM, "csv: %s",
		    csv_strerror(csv_error(&c->p)));
	return 0;
}

int
rs_csvin_finish(struct rs_csvin *c, const struct rs_csvin_ops *ops,
    void *ctx, struct rs_error *err)
{
	c->ops = ops;
	c->ctx = ctx;
	c->quotes = 1;
	if (csv_fini(&c->p, cb_field, cb_record, c) != 0)
		return rs_error_set(err, RS_ENOMEM, "csv: %s",
		    csv_strerror(csv_error(&c->p)));
	return 0;
}

uint64_t
rs_csvin_line(const struct rs_csvin *c)
{
	return c->line;
}

void
rs_csvin_free(struct rs_csvin *c)
{
	if (c == NULL)
		return;
	csv_free(&c->p);
	free(c);
}
