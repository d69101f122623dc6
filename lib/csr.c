/*
 * csr.c - compressed sparse row matrices: allocation, transpose, id
 * lookup, and the matrix stream (RS_KIND_MATRIX) codec.
 *
 * Memory: one struct rs_csr with five separately allocated arrays (see
 * csr.h); an array of length 0 is still a valid (1-element) allocation so
 * that pointers are never NULL in a live matrix.
 *
 * Stream records (all little-endian, see rs-stream(5)):
 *   table    offset size column  type
 *   rows     0      8    row_id  id    strictly ascending
 *            8      4    nnz     u32   nonzeros of this row
 *   cols     0      8    col_id  id    strictly ascending
 *   entries  0      4    col     u32   < number of columns, strictly
 *                                      ascending within a row
 *            4      4    value   f32   finite
 *
 * Invariants a read matrix satisfies (rs_csr_check states them once):
 * indptr[0] == 0, indptr non-decreasing, indptr[nrows] == nnz, indices
 * strictly ascending within each row and < ncols, values finite, row_ids
 * and col_ids strictly ascending.  rs_csr_read checks every one of them on
 * untrusted input and names the first violation; it grows its arrays as
 * records arrive (the header's counts are only a hint, capped), so a
 * lying header cannot make it allocate more than the data it carries.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "csr.h"
#include "error.h"
#include "hugemem.h"
#include "idmap.h"
#include "stream.h"
#include "banned.h"

#define ROW_WIDTH 12
#define COL_WIDTH 8
#define ENTRY_WIDTH 8

static const struct rs_column row_cols[] = {
	{ "row_id", RS_T_ID, 1, NULL, 0 },
	{ "nnz", RS_T_U32, 1, NULL, 0 }
};
static const struct rs_column col_cols[] = {
	{ "col_id", RS_T_ID, 1, NULL, 0 }
};
static const struct rs_column entry_cols[] = {
	{ "col", RS_T_U32, 1, NULL, 0 },
	{ "value", RS_T_F32, 1, NULL, 0 }
};

static void *
alloc_array(uint64_t n, size_t size)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / size)
		return NULL;
	/* huge pages: first touching 36 MB of a scale-1 matrix in 4 KiB
	 * pages was half of its read */
	return rs_huge_alloc((size_t)n * size);
}

int
rs_csr_alloc(struct rs_csr **out, uint32_t nrows, uint32_t ncols,
    uint64_t nnz, struct rs_error *err)
{
	struct rs_csr *m;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto nomem;
	m->nrows = nrows;
	m->ncols = ncols;
	m->nnz = nnz;
	m->indptr = alloc_array((uint64_t)nrows + 1, sizeof(*m->indptr));
	m->indices = alloc_array(nnz, sizeof(*m->indices));
	m->values = alloc_array(nnz, sizeof(*m->values));
	m->row_ids = alloc_array(nrows, sizeof(*m->row_ids));
	m->col_ids = alloc_array(ncols, sizeof(*m->col_ids));
	if (m->indptr == NULL || m->indices == NULL || m->values == NULL ||
	    m->row_ids == NULL || m->col_ids == NULL)
		goto nomem;
	memset(m->indptr, 0, ((size_t)nrows + 1) * sizeof(*m->indptr));
	*out = m;
	return 0;
nomem:
	rs_csr_free(m);
	return rs_error_set(err, RS_ENOMEM, "out of memory for a %lu x %lu "
	    "matrix with %llu nonzeros", (unsigned long)nrows,
	    (unsigned long)ncols, (unsigned long long)nnz);
}

void
rs_csr_free(struct rs_csr *m)
{
	if (m == NULL)
		return;
	free(m->indptr);
	free(m->indices);
	free(m->values);
	free(m->row_ids);
	free(m->col_ids);
	free(m);
}

/*
 * Counting sort by column: count each column's nonzeros, prefix-sum into
 * the new indptr, then walk the rows in order so each new row (old column)
 * receives its old rows in ascending order.  O(nnz + nrows + ncols).
 */
int
rs_csr_transpose(const struct rs_csr *m, struct rs_csr **out,
    struct rs_error *err)
{
	struct rs_csr *t;
	uint64_t *next, k;
	uint32_t r, c;
	int rc;

	if ((rc = rs_csr_alloc(&t, m->ncols, m->nrows, m->nnz, err)) < 0)
		return rc;
	for (k = 0; k < m->nnz; k++)
		t->indptr[m->indices[k] + 1]++;
	for (c = 0; c < m->ncols; c++)
		t->indptr[c + 1] += t->indptr[c];
	if ((next = alloc_array((uint64_t)m->ncols, sizeof(*next))) == NULL) {
		rs_csr_free(t);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	memcpy(next, t->indptr, (size_t)m->ncols * sizeof(*next));
	for (r = 0; r < m->nrows; r++)
		for (k = m->indptr[r]; k < m->indptr[r + 1]; k++) {
			c = m->indices[k];
			t->indices[next[c]] = r;
			t->values[next[c]++] = m->values[k];
		}
	free(next);
	if (m->nrows > 0)
		memcpy(t->col_ids, m->row_ids, m->nrows * sizeof(*t->col_ids));
	if (m->ncols > 0)
		memcpy(t->row_ids, m->col_ids, m->ncols * sizeof(*t->row_ids));
	*out = t;
	return 0;
}

int64_t
rs_csr_find_row(const struct rs_csr *m, uint64_t id)
{
	return rs_ids_bsearch(m->row_ids, m->nrows, id);
}

int64_t
rs_csr_find_col(const struct rs_csr *m, uint64_t id)
{
	return rs_ids_bsearch(m->col_ids, m->ncols, id);
}

int
rs_csr_check(const struct rs_csr *m, const char *name, struct rs_error *err)
{
	uint64_t k;
	uint32_t r, c;

	if (m->indptr[0] != 0 || m->indptr[m->nrows] != m->nnz)
		return rs_error_set(err, RS_ECORRUPT, "%s: row lengths add up "
		    "to %llu, not %llu nonzeros", name,
		    (unsigned long long)(m->indptr[m->nrows] - m->indptr[0]),
		    (unsigned long long)m->nnz);
	for (r = 0; r < m->nrows; r++) {
		if (r > 0 && m->row_ids[r] <= m->row_ids[r - 1])
			return rs_error_set(err, RS_ECORRUPT, "%s: row %lu: "
			    "id '%llu' not above the previous row's", name,
			    (unsigned long)r,
			    (unsigned long long)m->row_ids[r]);
		if (m->indptr[r + 1] < m->indptr[r] ||
		    m->indptr[r + 1] > m->nnz)
			return rs_error_set(err, RS_ECORRUPT, "%s: row %lu: "
			    "bad row extent", name, (unsigned long)r);
		for (k = m->indptr[r]; k < m->indptr[r + 1]; k++) {
			c = m->indices[k];
			if (c >= m->ncols)
				return rs_error_set(err, RS_ECORRUPT, "%s: row "
				    "%lu: column %lu out of range (%lu "
				    "columns)", name, (unsigned long)r,
				    (unsigned long)c,
				    (unsigned long)m->ncols);
			if (k > m->indptr[r] && c <= m->indices[k - 1])
				return rs_error_set(err, RS_ECORRUPT, "%s: row "
				    "%lu: columns not strictly ascending",
				    name, (unsigned long)r);
			if (!isfinite(m->values[k]))
				return rs_error_set(err, RS_ECORRUPT, "%s: row "
				    "%lu: value not finite", name,
				    (unsigned long)r);
		}
	}
	for (c = 1; c < m->ncols; c++)
		if (m->col_ids[c] <= m->col_ids[c - 1])
			return rs_error_set(err, RS_ECORRUPT, "%s: column %lu: "
			    "id '%llu' not above the previous column's", name,
			    (unsigned long)c,
			    (unsigned long long)m->col_ids[c]);
	return 0;
}

void
rs_csr_desc(struct rs_table_desc tables[3], uint32_t nrows, uint32_t ncols,
    uint64_t nnz)
{
	tables[0].name = "rows";
	tables[0].nrows = nrows;
	tables[0].ncols = 2;
	tables[0].cols = row_cols;
	tables[1].name = "cols";
	tables[1].nrows = ncols;
	tables[1].ncols = 1;
	tables[1].cols = col_cols;
	tables[2].name = "entries";
	tables[2].nrows = nnz;
	tables[2].ncols = 2;
	tables[2].cols = entry_cols;
}

/* Records are encoded into a buffer of this size and written as blocks. */
#define WRITE_CHUNK ((size_t)256 << 10)

int
rs_csr_write(const struct rs_csr *m, int fd, const char *name,
    const struct rs_meta *meta, unsigned nmeta,
    const struct rs_writer_opts *opts, struct rs_error *err)
{
	struct rs_table_desc tables[3];
	struct rs_stream_desc desc;
	struct rs_writer *w;
	unsigned char *buf, *p;
	uint64_t k, i, n;
	unsigned t;
	size_t width;
	int rc;

	rs_csr_desc(tables, m->nrows, m->ncols, m->nnz);
	desc.kind = RS_KIND_MATRIX;
	desc.ntables = 3;
	desc.tables = tables;
	desc.nmeta = nmeta;
	desc.meta = meta;
	if ((buf = malloc(WRITE_CHUNK)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	if ((rc = rs_writer_open(&w, fd, name, &desc, opts, err)) < 0) {
		free(buf);
		return rc;
	}
	for (t = 0; t < 3; t++) {
		width = t == 0 ? ROW_WIDTH : t == 1 ? COL_WIDTH : ENTRY_WIDTH;
		n = t == 0 ? m->nrows : t == 1 ? m->ncols : m->nnz;
		for (i = 0; i < n; i = k) {
			p = buf;
			for (k = i; k < n && (size_t)(p - buf) + width <=
			    WRITE_CHUNK; k++, p += width)
				if (t == 0) {
					rs_put_le64(p, m->row_ids[k]);
					rs_put_le32(p + 8, (uint32_t)
					    (m->indptr[k + 1] - m->indptr[k]));
				} else if (t == 1)
					rs_put_le64(p, m->col_ids[k]);
				else {
					rs_put_le32(p, m->indices[k]);
					rs_put_f32(p + 4, m->values[k]);
				}
			if ((rc = rs_writer_put_block(w, buf, (size_t)(p - buf),
			    (uint32_t)(k - i), err)) < 0)
				goto out;
		}
		if (t < 2 && (rc = rs_writer_end_table(w, err)) < 0)
			goto out;
	}
	rc = rs_writer_finish(w, err);
out:
	rs_writer_free(w);
	free(buf);
	return rc;
}

/* Capacity for need elements, growing cap geometrically; 0 if too big. */
static uint64_t
grow_cap(uint64_t cap, uint64_t need, size_t size)
{
	uint64_t n = cap ? cap : 1024;

	while (n < need)
		n *= 2;
	return n > SIZE_MAX / size / 2 ? 0 : n;
}

/* A claim for rows or columns as a u32 count (more is corrupt later). */
static uint64_t
clamp32(uint64_t n)
{
	return n < UINT32_MAX ? n : UINT32_MAX - 1;
}

/* Appends a block of the rows table (ids checked as they come). */
static int
read_rows(struct rs_csr *m, uint64_t *cap, const struct rs_block *b,
    const char *name, struct rs_error *err)
{
	const unsigned char *p = b->data;
	uint64_t n = m->nrows, need = n + b->nrec, c, *q;
	uint32_t j;

	if (need >= UINT32_MAX)
		return rs_error_set(err, RS_ECORRUPT, "%s: too many rows",
		    name);
	if (need > *cap) {
		if ((c = grow_cap(*cap, need, sizeof(*q))) == 0)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		if ((q = rs_huge_realloc(m->row_ids, n * sizeof(*q),
		    c * sizeof(*q))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		m->row_ids = q;
		if ((q = rs_huge_realloc(m->indptr, (n + 1) * sizeof(*q),
		    (c + 1) * sizeof(*q))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		m->indptr = q;
		*cap = c;
	}
	for (j = 0; j < b->nrec; j++, p += ROW_WIDTH, n++) {
		m->row_ids[n] = rs_get_le64(p);
		if (n > 0 && m->row_ids[n] <= m->row_ids[n - 1])
			return rs_error_set(err, RS_ECORRUPT, "%s: row %llu: "
			    "id '%llu' not above the previous row's", name,
			    (unsigned long long)n,
			    (unsigned long long)m->row_ids[n]);
		m->indptr[n + 1] = m->indptr[n] + rs_get_le32(p + 8);
	}
	m->nrows = (uint32_t)n;
	return 0;
}

static int
read_cols(struct rs_csr *m, uint64_t *cap, const struct rs_block *b,
    const char *name, struct rs_error *err)
{
	const unsigned char *p = b->data;
	uint64_t n = m->ncols, need = n + b->nrec, c, *q;
	uint32_t j;

	if (need >= UINT32_MAX)
		return rs_error_set(err, RS_ECORRUPT, "%s: too many columns",
		    name);
	if (need > *cap) {
		if ((c = grow_cap(*cap, need, sizeof(*q))) == 0 ||
		    (q = rs_huge_realloc(m->col_ids, n * sizeof(*q),
		    c * sizeof(*q))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		m->col_ids = q;
		*cap = c;
	}
	for (j = 0; j < b->nrec; j++, p += COL_WIDTH, n++) {
		m->col_ids[n] = rs_get_le64(p);
		if (n > 0 && m->col_ids[n] <= m->col_ids[n - 1])
			return rs_error_set(err, RS_ECORRUPT, "%s: column "
			    "%llu: id '%llu' not above the previous column's",
			    name, (unsigned long long)n,
			    (unsigned long long)m->col_ids[n]);
	}
	m->ncols = (uint32_t)n;
	return 0;
}

static int
read_entries(struct rs_csr *m, uint64_t *cap, const struct rs_block *b,
    const char *name, struct rs_error *err)
{
	const unsigned char *p = b->data;
	uint64_t n = m->nnz, need = n + b->nrec, c;
	uint32_t j, *qi;
	float *qv;

	if (need > m->indptr[m->nrows])
		return rs_error_set(err, RS_ECORRUPT, "%s: more entries than "
		    "the rows' lengths add up to (%llu)", name,
		    (unsigned long long)m->indptr[m->nrows]);
	if (need > *cap) {
		if ((c = grow_cap(*cap, need, sizeof(*qi))) == 0)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		if ((qi = rs_huge_realloc(m->indices, n * sizeof(*qi),
		    c * sizeof(*qi))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		m->indices = qi;
		if ((qv = rs_huge_realloc(m->values, n * sizeof(*qv),
		    c * sizeof(*qv))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		m->values = qv;
		*cap = c;
	}
	for (j = 0; j < b->nrec; j++, p += ENTRY_WIDTH, n++) {
		m->indices[n] = rs_get_le32(p);
		m->values[n] = rs_get_f32(p + 4);
	}
	m->nnz = n;
	return 0;
}

/*
 * The arrays start at the header's counts as far as the stream can hold
 * them (rs_reader_prealloc: a claim is not trusted) and grow
 * geometrically; rows, then columns, then entries arrive in that order.
 * The entries are checked once all are in (rs_csr_check).
 */
int
rs_csr_read(struct rs_reader *r, struct rs_csr **out, struct rs_error *err)
{
	const char *name = rs_reader_name(r);
	struct rs_csr *m;
	struct rs_block b;
	uint64_t rowcap, colcap, nnzcap, nnz;
	int rc;

	*out = NULL;
	if ((rc = rs_reader_expect(r, RS_KIND_MATRIX, err)) < 0)
		return rc;
	if (rs_reader_ntables(r) != 3 ||
	    !rs_table_matches(rs_reader_table(r, 0), "rows", row_cols, 2) ||
	    !rs_table_matches(rs_reader_table(r, 1), "cols", col_cols, 1) ||
	    !rs_table_matches(rs_reader_table(r, 2), "entries", entry_cols,
	    2))
		return rs_error_set(err, RS_EFORMAT, "%s: matrix stream does "
		    "not have the schema of format 1.0", name);
	if ((rc = rs_reader_prealloc(r, 0, &rowcap, err)) < 0 ||
	    (rc = rs_reader_prealloc(r, 1, &colcap, err)) < 0 ||
	    (rc = rs_reader_prealloc(r, 2, &nnzcap, err)) < 0)
		return rc;
	rowcap = clamp32(rowcap);
	colcap = clamp32(colcap);
	if ((rc = rs_csr_alloc(&m, (uint32_t)rowcap, (uint32_t)colcap, nnzcap,
	    err)) < 0)
		return rc;
	m->nrows = m->ncols = 0;
	m->nnz = 0;
	for (;;) {
		if ((rc = rs_reader_next(r, &b, err)) < 0)
			goto fail;
		if (rc == 0) {
			if (rs_reader_done(r))
				break;
			continue;
		}
		if (b.table == 0)
			rc = read_rows(m, &rowcap, &b, name, err);
		else if (b.table == 1)
			rc = read_cols(m, &colcap, &b, name, err);
		else
			rc = read_entries(m, &nnzcap, &b, name, err);
		if (rc < 0)
			goto fail;
	}
	if ((nnz = m->indptr[m->nrows]) != m->nnz) {
		rc = rs_error_set(err, RS_ECORRUPT, "%s: rows' lengths add up "
		    "to %llu, but the stream has %llu entries", name,
		    (unsigned long long)nnz, (unsigned long long)m->nnz);
		goto fail;
	}
	if ((rc = rs_csr_check(m, name, err)) < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	rs_csr_free(m);
	return rc;
}
