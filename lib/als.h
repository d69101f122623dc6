/*
 * als.h - implicit-feedback matrix factorisation by alternating least
 * squares (Hu, Koren & Volinsky, "Collaborative Filtering for Implicit
 * Feedback Datasets", ICDM 2008).
 *
 * Model: visitor u and item i get factor vectors x_u, y_i in R^f; the
 * score of (u, i) is x_u . y_i.  From the training weight r_ui (a CSR
 * visitor x item matrix):
 *   preference  p_ui = 1 if r_ui > 0, else 0 (cells absent from the matrix)
 *   confidence  c_ui = 1 + d_ui,  d_ui = alpha r_ui            (linear)
 *                                 d_ui = alpha log(1 + r_ui/eps) (log)
 *               and c_ui = 1 (d_ui = 0) for absent cells.
 * Objective (the loss rs_als_loss reports):
 *   L = sum_{u,i} c_ui (p_ui - x_u.y_i)^2 + lambda (sum |x_u|^2 + sum |y_i|^2)
 * computed without touching the absent cells, by the Gram trick:
 *   sum_{all u,i} (x_u.y_i)^2 = <X^T X, Y^T Y>  (elementwise product, summed)
 *   L = <X^T X, Y^T Y> + sum_{(u,i) observed} [c_ui (1 - s)^2 - s^2]
 *       + lambda (|X|_F^2 + |Y|_F^2),   s = x_u.y_i.
 *
 * Half-step (users; items are the same with X and Y swapped, on the
 * transposed matrix): with Y fixed, each x_u solves
 *   (Y^T Y + lambda I + Y_u^T D_u Y_u) x_u = Y_u^T c_u
 * where Y_u stacks the y_i of u's n_u nonzeros, D_u = diag(d_ui) and c_u
 * the vector of their c_ui.  G = Y^T Y + lambda I is computed once per
 * half-step; only the row's nonzeros touch the per-row part.
 *
 * Solvers:
 *   cg     conjugate gradient on that system, warm-started from the
 *          current x_u, cg_steps steps.  Rows are processed in batches so
 *          that the products G p of a batch are one sgemm.
 *   exact  the exact solution.  For a row with n_u <= f/2 nonzeros through
 *          the Woodbury identity on the shared G: with Z_u = Y_u G^-1
 *          (rows z_i = G^-1 y_i) and M = D_u^-1 + Y_u G^-1 Y_u^T (n x n),
 *            x_u = Z_u^T t,   M t = D_u^-1 c_u,
 *          which costs O(n^2 f + n^3) after z_i: O(f) for a one-item
 *          visitor.  Longer rows form the f x f matrix in double and
 *          factor it by Cholesky.  Small systems are in double.
 *
 * Determinism: a row's result depends only on the input, the parameters
 * and the fixed batch it falls in (batches are cut by a sweep that does
 * not look at the thread count); Gram matrices are summed in a fixed
 * order; initial factors come from splitmix64 of (seed, side, row).  So the
 * same input and parameters give bit-identical factors for any --threads.
 *
 * Rows without nonzeros get zero factors (their exact solution).
 */
#ifndef RS_ALS_H
#define RS_ALS_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "error.h"

enum rs_als_solver { RS_ALS_CG = 0, RS_ALS_EXACT = 1 };
enum rs_als_confidence { RS_ALS_LINEAR = 0, RS_ALS_LOG = 1 };

struct rs_als_params {
	uint32_t factors;	/* f, default 64 */
	uint32_t iterations;	/* default 15 (used by the caller's loop) */
	double regularization;	/* lambda, default 0.1 */
	double alpha;		/* default 40 */
	double epsilon;		/* eps of the log confidence, default 1 */
	int confidence;		/* enum rs_als_confidence, default linear */
	int solver;		/* enum rs_als_solver, default cg */
	uint32_t cg_steps;	/* default 3 */
	uint64_t seed;		/* default 1 */
	unsigned threads;	/* worker threads, default 1 */
	size_t max_memory;	/* bytes; 0 = physical memory */
};

void rs_als_params_init(struct rs_als_params *p);

/* Names of the enums ("cg", "log"); NULL if out of range. */
const char *rs_als_solver_name(int solver);
const char *rs_als_confidence_name(int confidence);

struct rs_als;

/*
 * Bytes training needs for a nrows x ncols matrix with nnz nonzeros and
 * f factors, besides the matrix itself: both factor matrices, the exact
 * solver's Z of the smaller side, both sparse structures with their
 * confidences, one thread's batch scratch (a row longer than BATCH_NNZ
 * adds 4 f bytes per nonzero while it is solved).  SIZE_MAX on overflow.
 */
size_t rs_als_memory(uint64_t nrows, uint64_t ncols, uint64_t nnz,
	uint32_t f);

/*
 * Checks the matrix (borrowed: it must outlive the context; its indptr
 * and indices are used in place) and the parameters, computes the
 * confidences, builds the item-major structure and the initial factors.
 * Errors: RS_EARG (factors 0, bad parameter), RS_EINPUT (empty matrix, a
 * NaN, infinite or negative weight: the message names the visitor and
 * item ids), RS_ENOMEM (also when rs_als_memory exceeds max_memory, said
 * before allocating).  Zero weights are treated as absent cells.
 */
int rs_als_create(struct rs_als **out, const struct rs_csr *m,
	const struct rs_als_params *p, struct rs_error *err);

/*
 * One half-step: side 0 solves every x_u with Y fixed, side 1 every y_i
 * with X fixed.  RS_ENUM if a system is not positive definite (only with
 * lambda = 0 and degenerate factors).
 */
int rs_als_half_step(struct rs_als *a, int side, struct rs_error *err);

/* One iteration: the user half-step, then the item half-step. */
int rs_als_iterate(struct rs_als *a, struct rs_error *err);

/* The objective L above, in double, at the current factors. */
double rs_als_loss(const struct rs_als *a);

uint32_t rs_als_nusers(const struct rs_als *a);
uint32_t rs_als_nitems(const struct rs_als *a);
uint32_t rs_als_factors(const struct rs_als *a);
/*
 * The factors, row-major: x_u at X[u * f], y_i at Y[i * f] (u, i dense
 * indices of the matrix's rows and columns).  Borrowed; writable so tests
 * can set a starting point; valid until rs_als_free.
 */
float *rs_als_user_factors(struct rs_als *a);
float *rs_als_item_factors(struct rs_als *a);

/* Floating-point operations of the last half-steps since creation. */
double rs_als_flops(const struct rs_als *a);

void rs_als_free(struct rs_als *a);

#endif
