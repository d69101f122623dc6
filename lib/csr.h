/*
 * csr.h - sparse visitor x item matrices in compressed sparse row form,
 * with the external ids of their rows and columns, and their stream form
 * (RS_KIND_MATRIX).
 *
 * In memory: row r's nonzeros are indices[indptr[r] .. indptr[r+1]) (column
 * numbers, strictly ascending within a row) with values[] alongside.
 * row_ids[r] and col_ids[c] are the external ids; both are strictly
 * ascending, so the same data always gives the same matrix whatever the
 * input order.
 *
 * Stream form (kind "matrix", three tables in this order):
 *   "rows"    row_id id, nnz u32          one record per row
 *   "cols"    col_id id                   one record per column
 *   "entries" col u32, value f32          nonzeros, row after row
 * Metadata "row_name"/"col_name" name the ids (visitorid, itemid).
 * Row and column counts are in the table headers (a writer always knows
 * them), so a reader can usually allocate once; it treats them as a hint
 * only.  A reader checks every column index and row length.
 *
 * Record layouts (little-endian):
 *   table    offset size column  type
 *   rows     0      8    row_id  id
 *            8      4    nnz     u32
 *   cols     0      8    col_id  id
 *   entries  0      4    col     u32
 *            4      4    value   f32
 */
#ifndef RS_CSR_H
#define RS_CSR_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stream.h"

struct rs_csr {
	uint32_t nrows, ncols;
	uint64_t nnz;
	uint64_t *indptr;	/* nrows + 1 */
	uint32_t *indices;	/* nnz */
	float *values;		/* nnz */
	uint64_t *row_ids;	/* nrows */
	uint64_t *col_ids;	/* ncols */
};

/*
 * An nrows x ncols matrix with room for nnz nonzeros: indptr is zeroed,
 * everything else is for the caller to fill (m->nnz is set to nnz).
 */
int rs_csr_alloc(struct rs_csr **out, uint32_t nrows, uint32_t ncols,
	uint64_t nnz, struct rs_error *err);

/* Frees m; NULL is fine. */
void rs_csr_free(struct rs_csr *m);

/* The transpose (items x visitors), ids swapped. */
int rs_csr_transpose(const struct rs_csr *m, struct rs_csr **out,
	struct rs_error *err);

/*
 * Checks every invariant of the header comment (indptr, column range and
 * order, finite values, ascending ids); RS_ECORRUPT naming the first
 * violation, with name (a file name) in front.
 */
int rs_csr_check(const struct rs_csr *m, const char *name,
	struct rs_error *err);

/* Row of external id, or -1 (binary search on row_ids). */
int64_t rs_csr_find_row(const struct rs_csr *m, uint64_t id);
/* Column of external id, or -1. */
int64_t rs_csr_find_col(const struct rs_csr *m, uint64_t id);

/*
 * Fills the three table descriptions of a matrix stream with the given
 * counts (the column arrays are static).
 */
void rs_csr_desc(struct rs_table_desc tables[3], uint32_t nrows,
	uint32_t ncols, uint64_t nnz);

/*
 * Writes m as a matrix stream to fd with the given metadata (which should
 * include row_name and col_name).  opts may be NULL.
 */
int rs_csr_write(const struct rs_csr *m, int fd, const char *name,
	const struct rs_meta *meta, unsigned nmeta,
	const struct rs_writer_opts *opts, struct rs_error *err);

/*
 * Reads the whole matrix from r (opened by the caller, who may inspect its
 * metadata; checked to be of kind matrix, RS_EFORMAT otherwise, and of the
 * schema above).  Every invariant is checked (rs_csr_check); a violation
 * is RS_ECORRUPT naming the row or column.  On success *out owns the
 * matrix (free with rs_csr_free).
 */
int rs_csr_read(struct rs_reader *r, struct rs_csr **out,
	struct rs_error *err);

#endif
