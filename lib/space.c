/*
 * space.c - building the scan spaces of an ALS model (space.h).
 *
 * Three passes over the rows: the mean (one thread, in row order, so
 * that its sums never depend on the thread count), the distances from it
 * (slices of rows on threads), then, after a radix sort of the
 * distances, the rows in that order with their 8-bit copies (slices
 * again).  Every per-row result depends on that row alone.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hugemem.h"
#include "qdot.h"
#include "space.h"
#include "banned.h"

/* Slices of this many rows at least: a thread costs about 50 us. */
#define SLICE_MIN 16384

const char *
rs_space_kind_name(int kind)
{
	return kind == RS_SPACE_COS ? "cos" : "dot";
}

/*
 * ord[0..n) = 0..n-1 ordered by nrm[] descending, ties by index: a
 * stable LSD radix sort of the doubles' bits (non-negative doubles order
 * as their bit patterns do), one byte per pass, skipping the bytes every
 * key shares.  A comparison sort of the 239 k items of a scale-1 model
 * took 40 ms of a 0.3 s load; this takes about 3.  tmp holds n.
 */
static void
sort_by_norm(const double *nrm, uint32_t *ord, uint32_t *tmp, size_t n)
{
	size_t cnt[256], j, sum, c;
	uint32_t *src = ord, *dst = tmp, *t;
	uint64_t key, all_or = 0, all_and = ~(uint64_t)0;
	unsigned shift;

	for (j = 0; j < n; j++) {
		memcpy(&key, &nrm[j], sizeof(key));
		all_or |= ~key;
		all_and &= ~key;
		ord[j] = (uint32_t)j;
	}
	for (shift = 0; shift < 64; shift += 8) {
		if ((((all_or ^ all_and) >> shift) & 0xff) == 0)
			continue;	/* every key has this byte */
		memset(cnt, 0, sizeof(cnt));
		for (j = 0; j < n; j++) {
			memcpy(&key, &nrm[src[j]], sizeof(key));
			cnt[(~key >> shift) & 0xff]++;
		}
		for (c = 0, sum = 0; c < 256; c++) {
			size_t k = cnt[c];

			cnt[c] = sum;
			sum += k;
		}
		for (j = 0; j < n; j++) {
			memcpy(&key, &nrm[src[j]], sizeof(key));
			dst[cnt[(~key >> shift) & 0xff]++] = src[j];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != ord)
		memcpy(ord, src, n * sizeof(*ord));
}

/* 1 / |y| in double, 0 for a zero vector (f floats). */
static double
inverse_norm(const float *y, size_t f)
{
	double n2 = 0;
	size_t a;

	for (a = 0; a < f; a++)
		n2 += (double)y[a] * y[a];
	return n2 > 0 ? 1 / sqrt(n2) : 0;
}

/* What the passes read: the rows, made unit when inv is set. */
struct source {
	const float *Y;
	const double *inv;	/* 1 / |y_i| (RS_SPACE_COS), or NULL */
	size_t f;
};

/* Row i of the space's vectors into x (f floats). */
static void
source_row(const struct source *src, size_t i, float *x)
{
	const float *y = src->Y + i * src->f;
	size_t a;

	if (src->inv == NULL) {
		memcpy(x, y, src->f * sizeof(*x));
		return;
	}
	for (a = 0; a < src->f; a++)
		x[a] = (float)(y[a] * src->inv[i]);
}

/*
 * One slice, rows [lo, hi), of a per-row pass: pass 0 takes each row's
 * distance from mu (nrm[]) and the slice's largest |y| (and, for a unit
 * space before it, pass -1 the rows' 1 / |y|); pass 1 puts the rows in
 * norm order with their 8-bit copies.
 */
struct slice {
	const struct source *src;
	struct rs_space *s;
	double *nrm, *inv;
	float *y;		/* f floats of scratch */
	size_t lo, hi;
	int pass;
	double ymax;
};

static void *
slice_run(void *arg)
{
	struct slice *sl = arg;
	struct rs_space *s = sl->s;
	const size_t f = s->f;
	size_t j, a;

	for (j = sl->lo; j < sl->hi && sl->pass == -1; j++)
		sl->inv[j] = inverse_norm(sl->src->Y + j * f, f);
	for (j = sl->lo; j < sl->hi && sl->pass == 0; j++) {
		double d2 = 0, y2 = 0;

		source_row(sl->src, j, sl->y);
		for (a = 0; a < f; a++) {
			const double d = (double)sl->y[a] - s->mu[a];

			y2 += (double)sl->y[a] * sl->y[a];
			d2 += d * d;
		}
		if (sqrt(y2) > sl->ymax)
			sl->ymax = sqrt(y2);
		sl->nrm[j] = sqrt(d2);
	}
	for (j = sl->lo; j < sl->hi && sl->pass == 1; j++) {
		/* rounded up, so it stays an upper bound as a float */
		s->norm[j] = nextafterf((float)sl->nrm[s->ord[j]], INFINITY);
		s->pos[s->ord[j]] = (uint32_t)j;
		source_row(sl->src, s->ord[j], s->Ys + j * f);
		rs_qdot_row(s->Ys + j * f, f, s->Q8 + j * s->qst, &s->qs[j],
		    &s->qn[j], &s->qe[j]);
	}
	return NULL;
}

/*
 * One pass over the n slices, slice 0 on the calling thread; a slice
 * whose thread cannot start runs on the caller too.
 */
static void
run_pass(struct slice *sl, unsigned n, int pass)
{
	pthread_t tid[RS_SPACE_MAX_THREADS];
	int started[RS_SPACE_MAX_THREADS];
	unsigned t;

	for (t = 0; t < n; t++)
		sl[t].pass = pass;
	for (t = 1; t < n; t++)
		started[t] = pthread_create(&tid[t], NULL, slice_run,
		    &sl[t]) == 0;
	slice_run(&sl[0]);
	for (t = 1; t < n; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			slice_run(&sl[t]);
	}
}

int
rs_space_build(struct rs_space *s, int kind, const float *Y, uint32_t n,
    uint32_t f, unsigned threads, struct rs_error *err)
{
	struct slice sl[RS_SPACE_MAX_THREADS];
	struct source src = { Y, NULL, f };
	unsigned t, nt = threads ? threads : 1;
	double *nrm, *sum, *inv = NULL;
	float *y;
	size_t j, a;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->f = f;
	s->qst = rs_qdot_stride(f);
	if (nt > RS_SPACE_MAX_THREADS)
		nt = RS_SPACE_MAX_THREADS;
	if (nt > n / SLICE_MIN + 1)
		nt = n / SLICE_MIN + 1;
	memset(sl, 0, sizeof(sl));
	nrm = malloc(((size_t)n + 1) * sizeof(*nrm));
	sum = calloc((size_t)f + 1, sizeof(*sum));
	y = malloc((nt * (size_t)f + 1) * sizeof(*y));
	if (kind == RS_SPACE_COS)
		inv = malloc(((size_t)n + 1) * sizeof(*inv));
	s->mu = calloc((size_t)f + 1, sizeof(*s->mu));
	s->ord = malloc(((size_t)n + 1) * sizeof(*s->ord));
	s->pos = malloc(((size_t)n + 1) * sizeof(*s->pos));
	s->norm = malloc(((size_t)n + 1) * sizeof(*s->norm));
	s->Ys = rs_huge_alloc(((size_t)n * f + 1) * sizeof(*s->Ys));
	s->Q8 = rs_huge_alloc((size_t)n * s->qst + 1);
	s->qs = malloc(((size_t)n + 1) * sizeof(*s->qs));
	s->qn = malloc(((size_t)n + 1) * sizeof(*s->qn));
	s->qe = malloc(((size_t)n + 1) * sizeof(*s->qe));
	if (nrm == NULL || sum == NULL || y == NULL ||
	    (kind == RS_SPACE_COS && inv == NULL) || s->mu == NULL ||
	    s->ord == NULL || s->pos == NULL || s->norm == NULL ||
	    s->Ys == NULL || s->Q8 == NULL || s->qs == NULL ||
	    s->qn == NULL || s->qe == NULL) {
		rs_space_free(s);
		rc = rs_error_set(err, RS_ENOMEM, "out of memory");
		goto done;
	}
	for (t = 0; t < nt; t++) {
		sl[t].src = &src;
		sl[t].s = s;
		sl[t].nrm = nrm;
		sl[t].inv = inv;
		sl[t].y = y + t * (size_t)f;
		sl[t].lo = (size_t)n * t / nt;
		sl[t].hi = (size_t)n * (t + 1) / nt;
	}
	/* a unit space: each 1 / |y| once, not at each pass */
	if (kind == RS_SPACE_COS) {
		run_pass(sl, nt, -1);
		src.inv = inv;
	}
	/* mu on one thread, in row order: the same sums whatever nt is */
	for (j = 0; j < n; j++) {
		source_row(&src, j, y);
		for (a = 0; a < f; a++)
			sum[a] += y[a];
	}
	for (a = 0; a < f; a++)
		s->mu[a] = n > 0 ? (float)(sum[a] / n) : 0;
	for (a = 0; a < f; a++)
		s->mu_norm += (double)s->mu[a] * s->mu[a];
	s->mu_norm = sqrt(s->mu_norm);
	run_pass(sl, nt, 0);
	for (t = 0; t < nt; t++)
		if (sl[t].ymax > s->ymax)
			s->ymax = sl[t].ymax;
	sort_by_norm(nrm, s->ord, s->pos, n);
	run_pass(sl, nt, 1);
done:
	free(nrm);
	free(sum);
	free(inv);
	free(y);
	return rc;
}

void
rs_space_free(struct rs_space *s)
{
	if (!s->borrowed) {
		free(s->ord);
		free(s->pos);
		free(s->norm);
		free(s->Ys);
		free(s->mu);
		free(s->Q8);
		free(s->qs);
		free(s->qn);
		free(s->qe);
	}
	memset(s, 0, sizeof(*s));
}
