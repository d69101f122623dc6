/*
 * topk.c - K best of n by a bounded min-heap.
 *
 * Heap layout: idx_out[0..h) is a binary min-heap under "worse" (lower
 * score, or equal score and higher index), so idx_out[0] is the worst of
 * the K kept; a new entry replaces it when it is better.  At the end the
 * heap is sorted in place, best first, by repeated extraction.
 */
#include <math.h>

#include "topk.h"
#include "banned.h"

/* 1 if entry a ranks below entry b. */
static int
worse(const float *s, uint32_t a, uint32_t b)
{
	return s[a] < s[b] || (s[a] == s[b] && a > b);
}

static void
sift_down(const float *s, uint32_t *h, size_t n, size_t i)
{
	size_t c;
	uint32_t t;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && worse(s, h[c + 1], h[c]))
			c++;
		if (!worse(s, h[c], h[i]))
			break;
		t = h[c], h[c] = h[i], h[i] = t;
		i = c;
	}
}

static void
sift_up(const float *s, uint32_t *h, size_t i)
{
	size_t p;
	uint32_t t;

	while (i > 0) {
		p = (i - 1) / 2;
		if (!worse(s, h[i], h[p]))
			break;
		t = h[p], h[p] = h[i], h[i] = t;
		i = p;
	}
}

size_t
rs_topk(const float *scores, size_t n, size_t k, uint32_t *idx_out,
    float *score_out)
{
	size_t i, h = 0, m;
	uint32_t t;

	if (k == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (isnan(scores[i]) || scores[i] == -INFINITY)
			continue;
		if (h < k) {
			idx_out[h] = (uint32_t)i;
			sift_up(scores, idx_out, h++);
		} else if (worse(scores, idx_out[0], (uint32_t)i)) {
			idx_out[0] = (uint32_t)i;
			sift_down(scores, idx_out, h, 0);
		}
	}
	/* Heap sort: move the worst to the end each time -> best first. */
	for (m = h; m > 1; m--) {
		t = idx_out[0], idx_out[0] = idx_out[m - 1], idx_out[m - 1] = t;
		sift_down(scores, idx_out, m - 1, 0);
	}
	if (score_out != NULL)
		for (i = 0; i < h; i++)
			score_out[i] = scores[idx_out[i]];
	return h;
}
