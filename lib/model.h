/*
 * model.h - trained recommendation models (stream kind "model",
 * RS_KIND_MODEL): implicit ALS factors or the popular baseline, their
 * reading and writing, and the load-once scoring API rs-recommend,
 * rs-eval and training-time validation share.
 *
 * Stream layout (kind 6; general framing in stream.h / rs-stream.5).
 * model=als, four tables in this order:
 *   table          column    type      size     meaning
 *   "users"        visitorid id        8        visitor of row u, ascending
 *   "items"        itemid    id        8        item of row i, ascending
 *   "user_factors" factors   f32[f]    4 f      x_u, same order as "users"
 *   "item_factors" factors   f32[f]    4 f      y_i, same order as "items"
 * model=popular, two tables:
 *   "items"        itemid    id        8        item of row i, ascending
 *   "scores"       score     f32       4        weighted count of item i
 * An ALS model may carry its scan spaces (space.h) after these: for KIND
 * dot and cos, the tables KIND_order (row u32), KIND_norm (norm f32),
 * KIND_vectors (vector f32[f]), KIND_q8 (q u8[rs_qdot_stride(f)], int8
 * stored as is), KIND_qscale (scale f32), KIND_qnorm (bound f32),
 * KIND_qerror (error f32), one row each per item, and KIND_mean (one
 * row: mu f32[f], mu_norm_ymax f64[2]), with metadata space_version 1
 * (added by the writer).  rs_model_build_spaces makes them; a reader
 * takes them only as extents of a version it knows, else skips them.
 * rs_model_write stores every table as an extent (format 2.0): each is
 * the array above, n * size bytes at a 64-byte aligned offset, so that a
 * reader takes it whole, mapped from a raw file (the default) or read
 * into place, with no per-value work beyond the checks.  Format 1.0
 * models, the same tables in blocks, are still read.  Either way the
 * reader checks that ids ascend strictly, counts agree, and every value
 * is finite, and sizes nothing by a row count the input cannot hold.
 *
 * Metadata (text values; readers ignore unknown keys):
 *   model           "als" or "popular"
 *   factors         f (als)
 *   iterations, regularization, alpha, confidence, epsilon, solver,
 *   cg_steps, seed, threads       training parameters (als)
 *   loss            objective after the last iteration (als)
 *   input_digest    CRC-32C of the training matrix content, 8 hex digits
 *   input_nnz       nonzeros of the training matrix
 *   tool, version, argv           as every rs output
 *
 * Scores: ALS scores (u, i) as x_u . y_i; popular gives every visitor
 * the item's score.  Visitors are addressed by dense index (from
 * rs_model_find_user); a negative index (unknown visitor) scores 0 for
 * every item under ALS, and the caller falls back to the popular model.
 */
#ifndef RS_MODEL_H
#define RS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "error.h"
#include "space.h"
#include "stream.h"

enum rs_model_kind { RS_MODEL_ALS = 1, RS_MODEL_POPULAR = 2 };

struct rs_model;

/*
 * Reads a whole model from r (opened by the caller; the kind is checked
 * here).  On success *out owns its arrays, or the mappings of the file
 * holding them (rs_reader_extent: they outlive r and its descriptor),
 * and a copy of the metadata.  Errors: RS_EFORMAT (wrong kind, missing
 * table, bad schema or model key), RS_ECORRUPT (counts, order,
 * non-finite values), reader errors.
 */
int rs_model_read(struct rs_reader *r, struct rs_model **out,
	struct rs_error *err);

/* Opens fd (borrowed) as a stream and reads the model from it. */
int rs_model_load(struct rs_model **out, int fd, const char *name,
	struct rs_error *err);

/*
 * A model over caller-owned arrays (borrowed: they must outlive it and
 * stay unchanged while it is used).  Ids ascend strictly.  X is nusers x
 * f, Y nitems x f, both row-major with ld f.
 */
int rs_model_als_view(struct rs_model **out, const uint64_t *user_ids,
	uint32_t nusers, const uint64_t *item_ids, uint32_t nitems,
	uint32_t f, const float *X, const float *Y, struct rs_error *err);
int rs_model_popular_view(struct rs_model **out, const uint64_t *item_ids,
	uint32_t nitems, const float *scores, struct rs_error *err);

/*
 * Popular scores: scores[c] = sum of column c's weights (summed in
 * double), for the ncols columns of m.  RS_ENOMEM on failure.
 */
int rs_model_popular_scores(const struct rs_csr *m, float *scores,
	struct rs_error *err);

/*
 * Writes m as a model stream (2.0, every table an extent) to fd
 * (borrowed) with the given metadata, which should include "model" and
 * the keys listed above.  opts NULL writes raw, the mappable form; with
 * opts, opts->raw chooses (its extents are set here).  The caller
 * commits the output (outfile.h).
 */
int rs_model_write(const struct rs_model *m, int fd, const char *name,
	const struct rs_meta *meta, unsigned nmeta,
	const struct rs_writer_opts *opts, struct rs_error *err);

int rs_model_kind(const struct rs_model *m);
uint32_t rs_model_nusers(const struct rs_model *m);	/* 0 for popular */
uint32_t rs_model_nitems(const struct rs_model *m);
uint32_t rs_model_factors(const struct rs_model *m);	/* 0 for popular */
/* Borrowed arrays, valid as long as m (NULL where the kind has none). */
const uint64_t *rs_model_user_ids(const struct rs_model *m);
const uint64_t *rs_model_item_ids(const struct rs_model *m);
const float *rs_model_user_factors(const struct rs_model *m);
const float *rs_model_item_factors(const struct rs_model *m);
const float *rs_model_item_scores(const struct rs_model *m);
/*
 * The scan space of kind (space.h) the model carries: read from its
 * stream, or built by rs_model_build_spaces; NULL when it has none.
 * Borrowed, valid as long as m.
 */
const struct rs_space *rs_model_space(const struct rs_model *m, int kind);

/*
 * Builds the scan spaces an ALS model lacks (threads as rs_space_build),
 * so that rs_model_write stores them: a reader then maps them instead of
 * building them (engine.h).  RS_EARG for a popular model, RS_ENOMEM.
 */
int rs_model_build_spaces(struct rs_model *m, unsigned threads,
	struct rs_error *err);

/* Metadata value of a loaded model, or NULL (always NULL for views). */
const char *rs_model_meta(const struct rs_model *m, const char *key);

/*
 * Sets metadata key to value (both copied), replacing an earlier value:
 * for models built in memory (views), which have none.  RS_ENOMEM.
 */
int rs_model_set_meta(struct rs_model *m, const char *key,
	const char *value, struct rs_error *err);

/* The training parameters an ALS fold-in needs (rs_model_fold_params). */
struct rs_model_fold {
	double alpha;		/* 40 */
	double regularization;	/* lambda, 0.1 */
	double epsilon;		/* 1 */
	int log_confidence;	/* 0: linear, 1: log */
};

/*
 * Fills fp from the model's metadata (alpha, regularization, epsilon,
 * confidence), the defaults above where a key is absent.  RS_EFORMAT
 * naming the key whose value is not a number >= 0 (epsilon: > 0) or an
 * unknown confidence.
 */
int rs_model_fold_params(const struct rs_model *m, struct rs_model_fold *fp,
	struct rs_error *err);

/* Dense index of an external id, or -1 (binary search). */
int64_t rs_model_find_user(const struct rs_model *m, uint64_t id);
int64_t rs_model_find_item(const struct rs_model *m, uint64_t id);

/*
 * Scores n visitors (dense indices, -1 = unknown) against every item:
 * scores is n x nitems, row-major, ld nitems.  ALS does it as one sgemm
 * per call, so pass visitors in batches (64..256 is a good size).
 */
void rs_model_score(const struct rs_model *m, const int64_t *users,
	size_t n, float *scores);

/*
 * Offline check used by rs-als-train --validate (rs-eval has the full
 * set of metrics).  For each visitor with items in test who is a row of
 * train and known to the model: rank every model item except those in
 * the visitor's train row, take the top k (topk.h) and count the test
 * items among them (hits).
 *   recall@k = hits / |truth|, averaged over those visitors
 *   NDCG@k   = DCG / IDCG, DCG = sum over ranks j = 1..k of
 *              rel_j / log2(j + 1), rel_j = 1 if the item at rank j is in
 *              the visitor's test items; IDCG the same for the ideal
 *              list, over min(k, |truth|) ranks; averaged likewise.
 * |truth| counts every test item, even one the model does not know.
 */
struct rs_model_eval {
	double recall, ndcg;
	uint64_t visitors;	/* visitors averaged over */
};

int rs_model_validate(const struct rs_model *m, const struct rs_csr *train,
	const struct rs_csr *test, unsigned k, struct rs_model_eval *out,
	struct rs_error *err);

/*
 * CRC-32C of a matrix's content (shape, ids, row pointers, columns,
 * weights, each in its little-endian encoding): the input digest.
 */
uint32_t rs_model_digest(const struct rs_csr *m);

void rs_model_free(struct rs_model *m);

#endif
