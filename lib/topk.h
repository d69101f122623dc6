/*
 * topk.h - partial selection of the K best-scored entries of a score
 * vector, for rs-recommend, rs-eval and training-time validation.
 *
 * Order: higher score first; equal scores by lower index first, so the
 * result is a pure function of the scores.  Entries whose score is
 * -INFINITY or NaN are never selected: a caller excludes an item (already
 * bought, unavailable) by setting its score to -INFINITY.
 *
 * Method: a min-heap of the K best so far over one pass (O(n log K),
 * O(K) memory, no allocation), then a sort of the K survivors.
 */
#ifndef RS_TOPK_H
#define RS_TOPK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes up to k indices (and their scores, if score_out is not NULL) of
 * the best entries of scores[0..n) to idx_out, best first.  Returns the
 * number written: min(k, selectable entries).
 */
size_t rs_topk(const float *scores, size_t n, size_t k, uint32_t *idx_out,
	float *score_out);

#endif
