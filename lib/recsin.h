/*
 * recsin.h - reading recommendation files (what rs-recommend prints, or
 * any table with user, item and rank) into per-user ranked lists, for
 * rs-eval.
 *
 * Formats:
 *   CSV   header line naming the columns, RFC 4180 quoting; at least the
 *         columns user (or visitorid), item (or itemid) and rank, in any
 *         order; other columns (score, source) are ignored
 *   TSV   the same with tabs, no quoting
 *   JSONL one JSON object per line with "user", "item" and "rank" (numbers,
 *         or strings of digits); other members are ignored, but must be
 *         scalars (no nested objects or arrays)
 * The format is taken from the name's extension (.csv; .tsv or .tab;
 * .jsonl, .ndjson or .json), else from the content: a first non-blank
 * byte '{' means JSON Lines, a tab in the first line TSV, else CSV.  A
 * UTF-8 byte order mark, CRLF line ends and blank lines are accepted.
 * Empty input holds no recommendations (no header needed).  A binary rs
 * stream is refused (RS_EFORMAT).
 *
 * Rules: ids are decimal unsigned 64-bit integers, rank an integer from 1
 * to 2^32 - 1; rows of one user may be anywhere in the file; the ranks of
 * a user order its items (gaps are fine).  Two rows of one user with the
 * same rank, or with the same item, are an error naming the later row's
 * line and the earlier one (RS_EINPUT).  Errors read "NAME:LINE: reason".
 *
 * Answer files (RS_RECS_BY_REQUEST; what rs-answer and
 * rs-replay -a print): the rows are grouped by the column (or member)
 * "request" instead of user, and are stricter, because a writer that
 * follows the replay protocol never leaves gaps: in file order the ranks
 * of one request are exactly 1, 2, ..., n, so a lost, reordered or
 * repeated row is caught, naming its line.  Other columns (visitor,
 * score, source) are ignored.
 *
 * Memory: the whole input is read into memory once (about 30 bytes a CSV
 * row), then 24 bytes a row while grouping, then 8 bytes a row plus the
 * user map for the result; the input buffer is freed before returning.
 */
#ifndef RS_RECSIN_H
#define RS_RECSIN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum rs_recs_format {
	RS_RECS_AUTO = 0,	/* by extension, then by content */
	RS_RECS_CSV,
	RS_RECS_TSV,
	RS_RECS_JSONL
};

/* What groups the rows into ranked lists. */
enum rs_recs_key {
	RS_RECS_BY_USER = 0,	/* column user or visitorid */
	RS_RECS_BY_REQUEST	/* column request; ranks 1..n in file order */
};

struct rs_recs;

/* "csv", "tsv", "jsonl" or "auto". */
const char *rs_recs_format_name(enum rs_recs_format f);

/*
 * Parses len bytes at buf (borrowed) as a recommendation file called name
 * (used for messages and, with RS_RECS_AUTO, for the extension).  On
 * success *out owns the result (free with rs_recs_free).
 */
int rs_recs_parse(struct rs_recs **out, const char *buf, size_t len,
	const char *name, enum rs_recs_format fmt, struct rs_error *err);

/* As rs_recs_parse, reading fd (borrowed, read to its end). */
int rs_recs_read(struct rs_recs **out, int fd, const char *name,
	enum rs_recs_format fmt, struct rs_error *err);

/* The format that was read (never RS_RECS_AUTO). */
enum rs_recs_format rs_recs_format(const struct rs_recs *r);

/*
 * As rs_recs_parse and rs_recs_read, grouping by key; the functions above
 * are these with RS_RECS_BY_USER.  With RS_RECS_BY_REQUEST the "users"
 * below are request ids and messages say "request".
 */
int rs_recs_parse_by(struct rs_recs **out, const char *buf, size_t len,
	const char *name, enum rs_recs_format fmt, enum rs_recs_key key,
	struct rs_error *err);
int rs_recs_read_by(struct rs_recs **out, int fd, const char *name,
	enum rs_recs_format fmt, enum rs_recs_key key, struct rs_error *err);

/* Data rows read. */
uint64_t rs_recs_rows(const struct rs_recs *r);

/* Distinct users, indexed 0..n-1 in first-seen order. */
size_t rs_recs_nusers(const struct rs_recs *r);

/* External id of user index i. */
uint64_t rs_recs_user(const struct rs_recs *r, size_t i);

/*
 * The line of user index i's first row in the file, so that a caller
 * that rejects a whole list (an unknown request id) can name a line.
 */
uint64_t rs_recs_line(const struct rs_recs *r, size_t i);

/* User index of external id user, or -1. */
int64_t rs_recs_find(const struct rs_recs *r, uint64_t user);

/*
 * The items of user index i in rank order (best first); *items is
 * borrowed from r.  Returns their number.
 */
size_t rs_recs_items(const struct rs_recs *r, size_t i,
	const uint64_t **items);

/* Frees r; NULL is fine. */
void rs_recs_free(struct rs_recs *r);

#endif
