/*
 * space.h - the scan spaces of an ALS model's items: what the engine's
 * early-stopping scans walk (engine.c), built here from the item factors,
 * or kept in the model stream (model.h) so that a load maps them instead
 * of building them (a third of a scale-1 model's load, and of its fresh
 * memory).
 *
 * A space holds the n item vectors y_i (f floats each) of one kind:
 *   RS_SPACE_DOT  the item factors, for x . y_i (recommendations);
 *   RS_SPACE_COS  the item factors made unit (a zero vector stays zero),
 *                 so that x . y_i with a unit x is the cosine (similar
 *                 items).
 * mu is their mean (a float each, summed in double in row order), mu_norm
 * = |mu|, ymax the largest |y|; ord[] the rows by descending d = |y - mu|
 * (ties by lower row), pos[] its inverse, norm[j] = d of ord[j] rounded
 * up to a float; Ys (n x f, ld f) row j = y_ord[j], the only float copy.
 * Q8 (n x qst int8, row j at Q8 + j qst, qst = rs_qdot_stride(f)) is the
 * 8-bit copy of Ys (qdot.h) with qs[j] its scale, qn[j] >= qs |q| and
 * qe[j] >= |y - qs q|.
 *
 * A space depends on the vectors alone: the same bytes for any thread
 * count, so a stored one equals the one a load would build.
 */
#ifndef RS_SPACE_H
#define RS_SPACE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum { RS_SPACE_DOT = 0, RS_SPACE_COS = 1, RS_SPACE_N = 2 };

/* Threads rs_space_build uses at most. */
#define RS_SPACE_MAX_THREADS 16

struct rs_space {
	uint32_t n, f;
	uint32_t *ord, *pos;	/* pos[ord[j]] = j */
	float *norm, *Ys, *mu;
	int8_t *Q8;
	float *qs, *qn, *qe;
	size_t qst;
	double mu_norm, ymax;
	int borrowed;		/* the arrays belong to someone else (a
				 * model's mapping): rs_space_free keeps
				 * them */
};

/*
 * Builds the space of kind (RS_SPACE_DOT or RS_SPACE_COS) over the n
 * rows of Y (n x f, row-major), with up to threads threads for the
 * per-row passes.  On failure s holds nothing (RS_ENOMEM).
 */
int rs_space_build(struct rs_space *s, int kind, const float *Y,
	uint32_t n, uint32_t f, unsigned threads, struct rs_error *err);

/* Frees what s owns and clears it. */
void rs_space_free(struct rs_space *s);

/* "dot" or "cos": the prefix of the kind's tables in a model stream. */
const char *rs_space_kind_name(int kind);

#endif
