/*
 * recsin.c - recommendation files (CSV, TSV, JSON Lines) into per-user
 * ranked item lists.
 *
 * Two passes over memory, no per-row allocation:
 *  1. parse: the whole input is in one buffer; a hand-written scanner
 *     walks it record by record (CSV with RFC 4180 quotes, which may span
 *     lines; TSV split on tabs; JSON Lines one flat object a line) and
 *     appends one struct row {item, line, user index, rank} per data row,
 *     users interned in first-seen order (idmap.h);
 *  2. group: a counting sort by user index (stable, so file order within
 *     a user), then each user's run is sorted by rank; equal neighbouring
 *     ranks are a tie, and a second look (pairwise for short runs, sorted
 *     copy for long ones) finds duplicate items.  Users are checked in
 *     first-seen order, so the error reported is always the same one.
 * Result: items[] of all users back to back in rank order, off[u] ..
 * off[u+1] the run of user index u, line[u] the line of its first row.
 * Answer files (grouped by request) take the same path; their runs,
 * still in file order after the stable counting sort, must hold the
 * ranks 1, 2, ..., n, which also makes them sorted already.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "idmap.h"
#include "recsin.h"
#include "stream.h"
#include "banned.h"

#define MAX_FIELDS 256
#define SHOW 40		/* bytes of a bad value quoted in messages */
#define PAIRWISE_MAX 32	/* runs this short: pairwise duplicate check */

struct row {
	uint64_t item;
	uint64_t line;
	uint32_t user;
	uint32_t rank;
};

struct rs_recs {
	enum rs_recs_format fmt;
	uint64_t nrows;
	struct rs_idmap *users;
	uint64_t *items;	/* nrows, grouped by user, rank order */
	uint64_t *off;		/* nusers + 1 */
	uint64_t *line;		/* nusers: line of the first row */
};

struct field {
	const char *p;
	size_t n;
};

struct parser {
	const char *name;
	const char *p, *end;
	uint64_t line;		/* physical line of p */
	struct row *rows;
	size_t nrows, cap;
	struct rs_idmap *users;
	enum rs_recs_key key;
	struct rs_error *err;
};

enum { COL_USER, COL_ITEM, COL_RANK, NCOLS };
static const char *const col_name[NCOLS] = { "user", "item", "rank" };

/* Column c's name: the key column is "request" in answer files. */
static const char *
cname(const struct parser *ps, int c)
{
	return c == COL_USER && ps->key == RS_RECS_BY_REQUEST ? "request" :
	    col_name[c];
}

const char *
rs_recs_format_name(enum rs_recs_format f)
{
	switch (f) {
	case RS_RECS_CSV:
		return "csv";
	case RS_RECS_TSV:
		return "tsv";
	case RS_RECS_JSONL:
		return "jsonl";
	default:
		return "auto";
	}
}

static int
parse_uint(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int
add_row(struct parser *ps, uint64_t line, const struct field f[NCOLS])
{
	struct row *r;
	uint64_t v[NCOLS];
	int64_t u;
	int i;

	for (i = 0; i < NCOLS; i++)
		if (parse_uint(f[i].p, f[i].n, &v[i]) < 0)
			return rs_error_set(ps->err, RS_EINPUT,
			    "%s:%llu: %s '%.*s' is not an unsigned integer",
			    ps->name, (unsigned long long)line, cname(ps, i),
			    (int)(f[i].n > SHOW ? SHOW : f[i].n), f[i].p);
	if (v[COL_RANK] < 1 || v[COL_RANK] > UINT32_MAX)
		return rs_error_set(ps->err, RS_EINPUT,
		    "%s:%llu: rank '%llu' is out of range (1 to %lu)",
		    ps->name, (unsigned long long)line,
		    (unsigned long long)v[COL_RANK], (unsigned long)UINT32_MAX);
	if (ps->nrows == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 4096;

		if ((r = realloc(ps->rows, cap * sizeof(*r))) == NULL)
			return rs_error_set(ps->err, RS_ENOMEM,
			    "%s: out of memory", ps->name);
		ps->rows = r;
		ps->cap = cap;
	}
	if ((u = rs_idmap_intern(ps->users, v[COL_USER])) < 0)
		return rs_error_set(ps->err, RS_ENOMEM, "%s: out of memory",
		    ps->name);
	r = &ps->rows[ps->nrows++];
	r->item = v[COL_ITEM];
	r->line = line;
	r->user = (uint32_t)u;
	r->rank = (uint32_t)v[COL_RANK];
	return 0;
}

/*
 * Next CSV (quote = 1) or TSV record: 1 with the fields and the line it
 * starts on, 0 at the end, negative on error.  Blank lines are skipped.
 */
static int
next_record(struct parser *ps, char delim, int quote, struct field *f,
    unsigned *nf, uint64_t *line)
{
	const char *p = ps->p, *end = ps->end, *s, *q;
	unsigned n = 0;

	for (;;) {
		/* Blank lines. */
		if (p < end && *p == '\n') {
			p++;
			ps->line++;
			continue;
		}
		if (p + 1 < end && p[0] == '\r' && p[1] == '\n') {
			p += 2;
			ps->line++;
			continue;
		}
		break;
	}
	if (p >= end) {
		ps->p = p;
		return 0;
	}
	*line = ps->line;
	for (;;) {
		if (quote && p < end && *p == '"') {
			s = ++p;
			for (;;) {
				q = memchr(p, '"', (size_t)(end - p));
				if (q == NULL)
					return rs_error_set(ps->err,
					    RS_EINPUT, "%s:%llu: unterminated "
					    "quoted field", ps->name,
					    (unsigned long long)*line);
				if (q + 1 < end && q[1] == '"') {
					p = q + 2;
					continue;
				}
				break;
			}
			for (p = s; p < q; p++)
				if (*p == '\n')
					ps->line++;
			if (n < MAX_FIELDS) {
				f[n].p = s;
				f[n].n = (size_t)(q - s);
			}
			p = q + 1;
			if (p < end && *p == '\r' && (p + 1 == end ||
			    p[1] == '\n'))
				p++;
			if (p < end && *p != delim && *p != '\n')
				return rs_error_set(ps->err, RS_EINPUT,
				    "%s:%llu: text after a closing quote",
				    ps->name, (unsigned long long)ps->line);
		} else {
			s = p;
			while (p < end && *p != delim && *p != '\n')
				p++;
			q = p;
			if (q > s && q[-1] == '\r' && (q == end || *q == '\n'))
				q--;
			if (n < MAX_FIELDS) {
				f[n].p = s;
				f[n].n = (size_t)(q - s);
			}
		}
		n++;
		if (p < end && *p == delim) {
			p++;
			continue;
		}
		if (p < end) {	/* '\n' */
			p++;
			ps->line++;
		}
		break;
	}
	ps->p = p;
	*nf = n < MAX_FIELDS ? n : MAX_FIELDS;
	return 1;
}

static int
field_is(const struct field *f, const char *s)
{
	return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

static int
parse_delimited(struct parser *ps, char delim, int quote)
{
	struct field f[MAX_FIELDS], want[NCOLS];
	unsigned nf, i, need = 0;
	int col[NCOLS] = { -1, -1, -1 };
	uint64_t line;
	int rc, c;

	if ((rc = next_record(ps, delim, quote, f, &nf, &line)) <= 0)
		return rc;
	for (i = 0; i < nf; i++) {
		if (ps->key == RS_RECS_BY_REQUEST ?
		    field_is(&f[i], "request") :
		    (field_is(&f[i], "user") || field_is(&f[i], "visitorid")))
			c = COL_USER;
		else if (field_is(&f[i], "item") || field_is(&f[i], "itemid"))
			c = COL_ITEM;
		else if (field_is(&f[i], "rank"))
			c = COL_RANK;
		else
			continue;
		if (col[c] >= 0)
			return rs_error_set(ps->err, RS_EINPUT,
			    "%s:%llu: header names '%s' twice", ps->name,
			    (unsigned long long)line, cname(ps, c));
		col[c] = (int)i;
		if (i + 1 > need)
			need = i + 1;
	}
	for (c = 0; c < NCOLS; c++)
		if (col[c] < 0)
			return rs_error_set(ps->err, RS_EINPUT,
			    "%s:%llu: no '%s' column in the header", ps->name,
			    (unsigned long long)line, cname(ps, c));
	while ((rc = next_record(ps, delim, quote, f, &nf, &line)) > 0) {
		if (nf < need)
			return rs_error_set(ps->err, RS_EINPUT,
			    "%s:%llu: %u field(s), expected at least %u",
			    ps->name, (unsigned long long)line, nf, need);
		for (c = 0; c < NCOLS; c++)
			want[c] = f[col[c]];
		if ((rc = add_row(ps, line, want)) < 0)
			return rc;
	}
	return rc;
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* A JSON string at p (on the quote): its raw contents and the end. */
static const char *
json_string(const char *p, const char *end, struct field *f)
{
	const char *s = ++p;

	while (p < end && *p != '"') {
		if (*p == '\\' && ++p == end)
			return NULL;
		p++;
	}
	if (p >= end)
		return NULL;
	f->p = s;
	f->n = (size_t)(p - s);
	return p + 1;
}

static int
json_bad(struct parser *ps, uint64_t line, const char *why)
{
	return rs_error_set(ps->err, RS_EINPUT, "%s:%llu: bad JSON line: %s",
	    ps->name, (unsigned long long)line, why);
}

static int
parse_json_line(struct parser *ps, const char *p, const char *end,
    uint64_t line)
{
	struct field key, val, want[NCOLS];
	int seen[NCOLS] = { 0, 0, 0 };
	int c;

	p = skip_ws(p, end);
	if (p >= end)
		return 0;	/* blank line */
	if (*p != '{')
		return json_bad(ps, line, "not an object");
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
		goto done;
	}
	for (;;) {
		if (p >= end || *p != '"' ||
		    (p = json_string(p, end, &key)) == NULL)
			return json_bad(ps, line, "expected a member name");
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return json_bad(ps, line, "expected ':'");
		p = skip_ws(p + 1, end);
		if (p >= end)
			return json_bad(ps, line, "expected a value");
		if (*p == '"') {
			if ((p = json_string(p, end, &val)) == NULL)
				return json_bad(ps, line,
				    "unterminated string");
		} else if (*p == '{' || *p == '[') {
			return json_bad(ps, line,
			    "nested objects and arrays are not supported");
		} else {
			val.p = p;
			while (p < end && *p != ',' && *p != '}' &&
			    *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			val.n = (size_t)(p - val.p);
			if (val.n == 0)
				return json_bad(ps, line, "expected a value");
		}
		for (c = 0; c < NCOLS; c++)
			if (field_is(&key, cname(ps, c)))
				break;
		if (c < NCOLS) {
			if (seen[c])
				return rs_error_set(ps->err, RS_EINPUT,
				    "%s:%llu: member '%s' given twice",
				    ps->name, (unsigned long long)line,
				    cname(ps, c));
			seen[c] = 1;
			want[c] = val;
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}') {
			p++;
			break;
		}
		return json_bad(ps, line, "expected ',' or '}'");
	}
done:
	if (skip_ws(p, end) != end)
		return json_bad(ps, line, "text after the object");
	for (c = 0; c < NCOLS; c++)
		if (!seen[c])
			return rs_error_set(ps->err, RS_EINPUT,
			    "%s:%llu: no member '%s'", ps->name,
			    (unsigned long long)line, cname(ps, c));
	return add_row(ps, line, want);
}

static int
parse_jsonl(struct parser *ps)
{
	const char *p = ps->p, *nl;
	int rc;

	while (p < ps->end) {
		nl = memchr(p, '\n', (size_t)(ps->end - p));
		if (nl == NULL)
			nl = ps->end;
		if ((rc = parse_json_line(ps, p, nl, ps->line)) < 0)
			return rc;
		ps->line++;
		p = nl < ps->end ? nl + 1 : nl;
	}
	return 0;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && strcmp(s + n - m, suf) == 0;
}

static enum rs_recs_format
detect(const char *name, const char *p, const char *end)
{
	const char *nl;

	if (has_suffix(name, ".csv"))
		return RS_RECS_CSV;
	if (has_suffix(name, ".tsv") || has_suffix(name, ".tab"))
		return RS_RECS_TSV;
	if (has_suffix(name, ".jsonl") || has_suffix(name, ".ndjson") ||
	    has_suffix(name, ".json"))
		return RS_RECS_JSONL;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	if (p < end && *p == '{')
		return RS_RECS_JSONL;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (memchr(p, '\t', (size_t)((nl ? nl : end) - p)) != NULL)
		return RS_RECS_TSV;
	return RS_RECS_CSV;
}

/* Pass 1: the rows of buf into ps (users interned). */
static int
parse_rows(struct parser *ps, const char *buf, size_t len, const char *name,
    enum rs_recs_format *fmt, enum rs_recs_key key, struct rs_error *err)
{
	memset(ps, 0, sizeof(*ps));
	ps->name = name;
	ps->key = key;
	ps->err = err;
	ps->p = buf;
	ps->end = buf + len;
	ps->line = 1;
	if (rs_idmap_create(&ps->users, 0) < 0)
		return rs_error_set(err, RS_ENOMEM, "%s: out of memory", name);
	if (rs_stream_sniff((const unsigned char *)buf, len) != RS_SNIFF_OTHER)
		return rs_error_set(err, RS_EFORMAT, "%s: is a binary rs "
		    "stream, expected recommendations as CSV, TSV or JSON "
		    "Lines", name);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		ps->p += 3;
	if (*fmt == RS_RECS_AUTO)
		*fmt = detect(name, ps->p, ps->end);
	switch (*fmt) {
	case RS_RECS_TSV:
		return parse_delimited(ps, '\t', 0);
	case RS_RECS_JSONL:
		return parse_jsonl(ps);
	default:
		*fmt = RS_RECS_CSV;
		return parse_delimited(ps, ',', 1);
	}
}

static int
cmp_rank(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
dup_error(const struct parser *ps, uint64_t user, const struct row *a,
    const struct row *b)
{
	const struct row *first = a->line < b->line ? a : b;
	const struct row *later = a->line < b->line ? b : a;

	return rs_error_set(ps->err, RS_EINPUT, "%s:%llu: item '%llu' "
	    "repeated for %s '%llu' (also at line %llu)", ps->name,
	    (unsigned long long)later->line, (unsigned long long)later->item,
	    cname(ps, COL_USER), (unsigned long long)user,
	    (unsigned long long)first->line);
}

/* Checks one user's run (sorted by rank) for ties and duplicates. */
static int
check_run(const struct parser *ps, uint64_t user, struct row *run, size_t n,
    struct row *tmp)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		if (run[i].rank == run[i - 1].rank)
			return rs_error_set(ps->err, RS_EINPUT, "%s:%llu: "
			    "rank %lu repeated for %s '%llu' (also at line "
			    "%llu)", ps->name,
			    (unsigned long long)run[i].line,
			    (unsigned long)run[i].rank, cname(ps, COL_USER),
			    (unsigned long long)user,
			    (unsigned long long)run[i - 1].line);
	if (n <= PAIRWISE_MAX) {
		/* The duplicate whose later row comes first in the file. */
		const struct row *ba = NULL, *bb = NULL;

		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (run[i].item == run[j].item) {
					uint64_t l = run[i].line > run[j].line
					    ? run[i].line : run[j].line;

					if (ba == NULL || l < (ba->line >
					    bb->line ? ba->line : bb->line)) {
						ba = &run[i];
						bb = &run[j];
					}
				}
		return ba ? dup_error(ps, user, ba, bb) : 0;
	}
	memcpy(tmp, run, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), cmp_item);
	{
		const struct row *ba = NULL, *bb = NULL;

		/* Within equal items, rows are in line order: the second
		 * of a pair is its earliest repeat. */
		for (i = 1; i < n; i++)
			if (tmp[i].item == tmp[i - 1].item &&
			    (ba == NULL || tmp[i].line < bb->line) &&
			    (i < 2 || tmp[i - 2].item != tmp[i].item)) {
				ba = &tmp[i - 1];
				bb = &tmp[i];
			}
		return ba ? dup_error(ps, user, ba, bb) : 0;
	}
}

/* Pass 2: group, order and check; fills r. */
static int
group(struct parser *ps, struct rs_recs *r)
{
	const size_t nu = rs_idmap_size(r->users);
	const uint64_t *ids = rs_idmap_ids(r->users);
	struct row *sorted = NULL, *tmp = NULL;
	size_t i, u, n, maxrun = 0;
	uint64_t *pos = NULL;
	int rc = 0;

	r->off = calloc(nu + 1, sizeof(*r->off));
	r->line = malloc((nu ? nu : 1) * sizeof(*r->line));
	r->items = malloc((ps->nrows ? ps->nrows : 1) * sizeof(*r->items));
	sorted = malloc((ps->nrows ? ps->nrows : 1) * sizeof(*sorted));
	pos = malloc((nu + 1) * sizeof(*pos));
	if (r->off == NULL || r->line == NULL || r->items == NULL ||
	    sorted == NULL || pos == NULL) {
		rc = rs_error_set(ps->err, RS_ENOMEM, "%s: out of memory",
		    ps->name);
		goto out;
	}
	for (i = 0; i < ps->nrows; i++)
		r->off[ps->rows[i].user + 1]++;
	for (u = 0; u < nu; u++) {
		n = (size_t)r->off[u + 1];
		if (n > maxrun)
			maxrun = n;
		r->off[u + 1] += r->off[u];
	}
	memcpy(pos, r->off, (nu + 1) * sizeof(*pos));
	for (i = 0; i < ps->nrows; i++)
		sorted[pos[ps->rows[i].user]++] = ps->rows[i];
	free(ps->rows);
	ps->rows = NULL;
	if (maxrun > PAIRWISE_MAX &&
	    (tmp = malloc(maxrun * sizeof(*tmp))) == NULL) {
		rc = rs_error_set(ps->err, RS_ENOMEM, "%s: out of memory",
		    ps->name);
		goto out;
	}
	for (u = 0; u < nu; u++) {
		struct row *run = sorted + r->off[u];

		n = (size_t)(r->off[u + 1] - r->off[u]);
		r->line[u] = run[0].line;	/* n >= 1: u was interned */
		if (ps->key == RS_RECS_BY_REQUEST) {
			for (i = 0; i < n; i++)
				if (run[i].rank != i + 1) {
					rc = rs_error_set(ps->err, RS_EINPUT,
					    "%s:%llu: rank %lu of request "
					    "'%llu' is out of order (expected "
					    "%zu)", ps->name,
					    (unsigned long long)run[i].line,
					    (unsigned long)run[i].rank,
					    (unsigned long long)ids[u], i + 1);
					goto out;
				}
		} else if (n > 1) {
			qsort(run, n, sizeof(*run), cmp_rank);
		}
		if ((rc = check_run(ps, ids[u], run, n, tmp)) < 0)
			goto out;
		for (i = 0; i < n; i++)
			r->items[r->off[u] + i] = run[i].item;
	}
out:
	free(tmp);
	free(pos);
	free(sorted);
	return rc;
}

static int
finish(struct parser *ps, int rc, enum rs_recs_format fmt,
    struct rs_recs **out)
{
	struct rs_recs *r = NULL;

	if (rc >= 0 && (r = calloc(1, sizeof(*r))) == NULL)
		rc = rs_error_set(ps->err, RS_ENOMEM, "%s: out of memory",
		    ps->name);
	if (rc >= 0) {
		r->fmt = fmt;
		r->nrows = ps->nrows;
		r->users = ps->users;
		ps->users = NULL;
		rc = group(ps, r);
	}
	free(ps->rows);
	rs_idmap_free(ps->users);
	if (rc < 0) {
		rs_recs_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int
rs_recs_parse_by(struct rs_recs **out, const char *buf, size_t len,
    const char *name, enum rs_recs_format fmt, enum rs_recs_key key,
    struct rs_error *err)
{
	struct parser ps;
	int rc;

	rc = parse_rows(&ps, buf, len, name, &fmt, key, err);
	return finish(&ps, rc, fmt, out);
}

int
rs_recs_parse(struct rs_recs **out, const char *buf, size_t len,
    const char *name, enum rs_recs_format fmt, struct rs_error *err)
{
	return rs_recs_parse_by(out, buf, len, name, fmt, RS_RECS_BY_USER,
	    err);
}

int
rs_recs_read(struct rs_recs **out, int fd, const char *name,
    enum rs_recs_format fmt, struct rs_error *err)
{
	return rs_recs_read_by(out, fd, name, fmt, RS_RECS_BY_USER, err);
}

int
rs_recs_read_by(struct rs_recs **out, int fd, const char *name,
    enum rs_recs_format fmt, enum rs_recs_key key, struct rs_error *err)
{
	struct parser ps;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t got;
	int rc;

	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : (1u << 20);
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return rs_error_set(err, RS_ENOMEM,
				    "%s: out of memory", name);
			}
			buf = nb;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = errno;
			free(buf);
			return rs_error_errno(err, RS_EIO, rc, "%s: read",
			    name);
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	rc = parse_rows(&ps, buf, len, name, &fmt, key, err);
	free(buf);
	return finish(&ps, rc, fmt, out);
}

enum rs_recs_format
rs_recs_format(const struct rs_recs *r)
{
	return r->fmt;
}

uint64_t
rs_recs_rows(const struct rs_recs *r)
{
	return r->nrows;
}

size_t
rs_recs_nusers(const struct rs_recs *r)
{
	return rs_idmap_size(r->users);
}

uint64_t
rs_recs_user(const struct rs_recs *r, size_t i)
{
	return rs_idmap_ids(r->users)[i];
}

uint64_t
rs_recs_line(const struct rs_recs *r, size_t i)
{
	return r->line[i];
}

int64_t
rs_recs_find(const struct rs_recs *r, uint64_t user)
{
	return rs_idmap_find(r->users, user);
}

size_t
rs_recs_items(const struct rs_recs *r, size_t i, const uint64_t **items)
{
	*items = r->items + r->off[i];
	return (size_t)(r->off[i + 1] - r->off[i]);
}

void
rs_recs_free(struct rs_recs *r)
{
	if (r == NULL)
		return;
	rs_idmap_free(r->users);
	free(r->items);
	free(r->off);
	free(r->line);
	free(r);
}
