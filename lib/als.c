/*
 * als.c - implicit ALS: confidences, the two half-steps (conjugate
 * gradient and exact), the loss.  The math and the determinism rules are
 * in als.h; this comment covers the data layout and the parallel shape.
 *
 * Data layout:
 *   X      nu x f floats, row-major, x_u at X[u * f]      (ld f)
 *   Y      ni x f floats, row-major, y_i at Y[i * f]      (ld f)
 *   uptr/uidx/ud   user-major nonzeros: for row u, k in [uptr[u], uptr[u+1])
 *                  item uidx[k] with d_ui = ud[k] > 0 (zero weights dropped)
 *   iptr/iidx/id   the same, item-major (the transpose, users ascending)
 *   G      f x f, Y^T Y + lambda I (or X^T X + lambda I), accumulated in
 *          double, kept in double (exact) and rounded to float (cg)
 *
 * Parallel shape: a half-step cuts the rows into batches by one sweep that
 * depends only on the row lengths (at most BATCH_ROWS rows and, unless a
 * single row is longer, BATCH_NNZ nonzeros; in exact mode a row longer than
 * f/2 is a batch by itself).  Worker threads take batches from an atomic
 * counter; each has its own scratch, allocated once per half-step, sized
 * for the largest batch.  A batch gathers the factor vectors of its
 * nonzeros once into a contiguous buffer (yg, one row per nonzero), and
 * the dense products of a batch are sgemm calls with OpenBLAS on one
 * thread.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "als.h"
#include "dense.h"
#include "banned.h"

#define BATCH_ROWS 256
#define BATCH_NNZ 2048
#define GRAM_JOB_ROWS 65536

struct rs_als {
	struct rs_als_params p;
	uint32_t nu, ni, f;
	uint64_t nnz;
	uint64_t *uptr, *iptr;
	uint32_t *uidx, *iidx;
	float *ud, *id;
	float *X, *Y;
	float *zbuf;		/* exact: Z of the smaller side, kept */
	double flops;
};

/* Scratch of one worker thread. */
struct ws {
	float *yg, *zg;		/* gathered rows: batch nnz x f */
	float *r, *pv, *ap;	/* cg: BATCH_ROWS x f */
	float *tmpf;		/* f x f */
	double *dm;		/* n x n or f x f */
	double *dv;		/* f, or n */
};

struct half {
	struct rs_als *a;
	uint32_t nrows, nother, f;
	const uint64_t *ptr;
	const uint32_t *idx;
	const float *d;
	float *out;
	const float *other;
	double *gd;		/* G in double, f x f */
	float *gf;		/* G in float (cg) */
	float *ginv;		/* G^-1 in float (exact) */
	float *zpre;		/* other x G^-1, nother x f, or NULL */
	uint32_t *bstart;	/* nbatch + 1 row starts */
	size_t nbatch;
	size_t maxnnz;		/* largest batch's nonzeros */
	size_t maxlight;	/* the same over batches of short rows */
	uint32_t heavy;		/* exact: rows longer than this go alone */
	struct ws *ws;
	atomic_size_t next;
	atomic_int failed;
	double *gram_parts;	/* Gram jobs: one f x f per job */
	const float *gram_src;
	size_t gram_n;
	float **gram_tmp;
};

void
rs_als_params_init(struct rs_als_params *p)
{
	memset(p, 0, sizeof(*p));
	p->factors = 64;
	p->iterations = 15;
	p->regularization = 0.1;
	p->alpha = 40;
	p->epsilon = 1;
	p->confidence = RS_ALS_LINEAR;
	p->solver = RS_ALS_CG;
	p->cg_steps = 3;
	p->seed = 1;
	p->threads = 1;
	p->max_memory = 0;
}

const char *
rs_als_solver_name(int solver)
{
	return solver == RS_ALS_CG ? "cg" : solver == RS_ALS_EXACT ? "exact" :
	    NULL;
}

const char *
rs_als_confidence_name(int confidence)
{
	return confidence == RS_ALS_LINEAR ? "linear" :
	    confidence == RS_ALS_LOG ? "log" : NULL;
}

/* a * b + c with overflow to SIZE_MAX. */
static size_t
mul_add(size_t a, size_t b, size_t c)
{
	if (a != 0 && b > (SIZE_MAX - c) / a)
		return SIZE_MAX;
	return a * b + c;
}

size_t
rs_als_memory(uint64_t nrows, uint64_t ncols, uint64_t nnz, uint32_t f)
{
	size_t s = 0, small;

	if (nrows > SIZE_MAX / 8 || ncols > SIZE_MAX / 8 || nnz > SIZE_MAX / 16)
		return SIZE_MAX;
	small = nrows < ncols ? nrows : ncols;
	s = mul_add(nrows, (size_t)f * 4, s);		/* X */
	s = mul_add(ncols, (size_t)f * 4, s);		/* Y */
	s = mul_add(small, (size_t)f * 4, s);		/* exact: Z */
	s = mul_add(nrows + ncols + 2, 8, s);		/* row pointers */
	s = mul_add(nnz, 16, s);			/* indices, d, twice */
	s = mul_add((size_t)BATCH_NNZ * 2 + BATCH_ROWS * 3, (size_t)f * 4 * 2,
	    s);						/* scratch */
	return s;
}

static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Row r of side s starts from uniform values in [0, 0.1/sqrt(f)), drawn
 * from splitmix64 seeded by (seed, side, row) alone.
 */
static void
init_factors(float *v, uint32_t n, uint32_t f, uint64_t seed, int side)
{
	float scale = (float)(0.1 / sqrt((double)f));
	uint64_t st, z;
	uint32_t r, k;

	for (r = 0; r < n; r++) {
		st = seed ^ ((uint64_t)side << 62) ^
		    ((uint64_t)r * 0xd1342543de82ef95ull);
		(void)splitmix64(&st);
		for (k = 0; k < f; k += 2) {
			z = splitmix64(&st);
			v[(size_t)r * f + k] = (float)(z >> 40) *
			    (1.0f / 16777216.0f) * scale;
			if (k + 1 < f)
				v[(size_t)r * f + k + 1] = (float)(z & 0xffffff) *
				    (1.0f / 16777216.0f) * scale;
		}
	}
}

static size_t
phys_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), sz = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || sz <= 0)
		return SIZE_MAX;
	return (size_t)pages * (size_t)sz;
}

static int
check_params(const struct rs_als_params *p, struct rs_error *err)
{
	if (p->factors == 0 || p->factors > 4096)
		return rs_error_set(err, RS_EARG, "factors must be 1..4096, "
		    "not %u", p->factors);
	if (!isfinite(p->regularization) || p->regularization < 0)
		return rs_error_set(err, RS_EARG, "regularization must be a "
		    "finite number >= 0");
	if (!isfinite(p->alpha) || p->alpha <= 0)
		return rs_error_set(err, RS_EARG, "alpha must be a finite "
		    "number > 0");
	if (!isfinite(p->epsilon) || p->epsilon <= 0)
		return rs_error_set(err, RS_EARG, "epsilon must be a finite "
		    "number > 0");
	if (!rs_als_solver_name(p->solver) ||
	    !rs_als_confidence_name(p->confidence))
		return rs_error_set(err, RS_EARG, "unknown solver or "
		    "confidence");
	if (p->threads == 0 || p->threads > 1024)
		return rs_error_set(err, RS_EARG, "threads must be 1..1024");
	return 0;
}

int
rs_als_create(struct rs_als **out, const struct rs_csr *m,
    const struct rs_als_params *p, struct rs_error *err)
{
	struct rs_als *a;
	size_t need, limit;
	uint64_t k, kept, *cnt;
	uint32_t u, i;
	double r, d;
	int rc;

	*out = NULL;
	if ((rc = check_params(p, err)) < 0)
		return rc;
	if (m->nrows == 0 || m->ncols == 0 || m->nnz == 0)
		return rs_error_set(err, RS_EINPUT, "the training matrix is "
		    "empty (%u x %u, %llu nonzeros)", m->nrows, m->ncols,
		    (unsigned long long)m->nnz);
	need = rs_als_memory(m->nrows, m->ncols, m->nnz, p->factors);
	limit = p->max_memory ? p->max_memory : phys_memory();
	if (need > limit)
		return rs_error_set(err, RS_ENOMEM, "training needs about %.1f "
		    "GB (%u x %u matrix, %llu nonzeros, %u factors), more than "
		    "the %.1f GB available", need / 1e9, m->nrows, m->ncols,
		    (unsigned long long)m->nnz, p->factors, limit / 1e9);
	/* Weights: finite and >= 0, else name the record. */
	for (u = 0; u < m->nrows; u++)
		for (k = m->indptr[u]; k < m->indptr[u + 1]; k++) {
			r = m->values[k];
			if (isfinite(r) && r >= 0)
				continue;
			return rs_error_set(err, RS_EINPUT, "visitor %llu, "
			    "item %llu: weight '%g' is %s",
			    (unsigned long long)(m->row_ids ? m->row_ids[u] : u),
			    (unsigned long long)(m->col_ids ?
			    m->col_ids[m->indices[k]] : m->indices[k]), r,
			    isnan(r) ? "not a number" : isinf(r) ?
			    "infinite" : "negative");
		}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	a->p = *p;
	a->nu = m->nrows;
	a->ni = m->ncols;
	a->f = p->factors;
	a->uptr = malloc(((size_t)a->nu + 1) * sizeof(*a->uptr));
	a->iptr = calloc((size_t)a->ni + 1, sizeof(*a->iptr));
	a->uidx = malloc(m->nnz * sizeof(*a->uidx));
	a->iidx = malloc(m->nnz * sizeof(*a->iidx));
	a->ud = malloc(m->nnz * sizeof(*a->ud));
	a->id = malloc(m->nnz * sizeof(*a->id));
	a->X = rs_dense_alloc((size_t)a->nu * a->f);
	a->Y = rs_dense_alloc((size_t)a->ni * a->f);
	if (!a->uptr || !a->iptr || !a->uidx || !a->iidx || !a->ud || !a->id ||
	    !a->X || !a->Y) {
		rs_als_free(a);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	/* Confidences d = c - 1, dropping zero weights (absent cells). */
	kept = 0;
	for (u = 0; u < a->nu; u++) {
		a->uptr[u] = kept;
		for (k = m->indptr[u]; k < m->indptr[u + 1]; k++) {
			r = m->values[k];
			if (r == 0)
				continue;
			d = p->confidence == RS_ALS_LOG ?
			    p->alpha * log1p(r / p->epsilon) : p->alpha * r;
			if (!(d >= 1e-30))
				d = 1e-30;	/* underflow: still observed */
			if (d > 3e38)
				d = 3e38;
			a->uidx[kept] = m->indices[k];
			a->ud[kept] = (float)d;
			a->iptr[m->indices[k] + 1]++;
			kept++;
		}
	}
	a->uptr[a->nu] = kept;
	a->nnz = kept;
	if (kept == 0) {
		rs_als_free(a);
		return rs_error_set(err, RS_EINPUT, "the training matrix has "
		    "no positive weights");
	}
	/* Transpose by counting sort: users stay ascending within an item. */
	for (i = 0; i < a->ni; i++)
		a->iptr[i + 1] += a->iptr[i];
	if ((cnt = malloc((size_t)a->ni * sizeof(*cnt))) == NULL) {
		rs_als_free(a);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	memcpy(cnt, a->iptr, (size_t)a->ni * sizeof(*cnt));
	for (u = 0; u < a->nu; u++)
		for (k = a->uptr[u]; k < a->uptr[u + 1]; k++) {
			i = a->uidx[k];
			a->iidx[cnt[i]] = u;
			a->id[cnt[i]++] = a->ud[k];
		}
	free(cnt);
	init_factors(a->X, a->nu, a->f, p->seed, 0);
	init_factors(a->Y, a->ni, a->f, p->seed, 1);
	rs_dense_init();
	*out = a;
	return 0;
}

/* ---- threads ---- */

struct pool_arg {
	struct half *h;
	unsigned tid;
	void (*fn)(struct half *, size_t, unsigned);
	size_t njobs;
};

static void *
pool_main(void *arg)
{
	struct pool_arg *pa = arg;
	size_t j;

	for (;;) {
		j = atomic_fetch_add(&pa->h->next, 1);
		if (j >= pa->njobs)
			break;
		pa->fn(pa->h, j, pa->tid);
	}
	return NULL;
}

/*
 * Runs fn(h, job, tid) for job 0..njobs-1 on up to nthreads threads (the
 * caller being thread 0).  Which thread runs a job never changes its
 * result: jobs write disjoint outputs and use only their thread's scratch.
 */
static void
run_jobs(struct half *h, unsigned nthreads, size_t njobs,
    void (*fn)(struct half *, size_t, unsigned))
{
	pthread_t th[64];
	struct pool_arg pa[64];
	unsigned t, started = 1;

	if (nthreads > 64)
		nthreads = 64;
	if (nthreads > njobs)
		nthreads = njobs ? (unsigned)njobs : 1;
	atomic_store(&h->next, 0);
	for (t = 0; t < nthreads; t++) {
		pa[t].h = h;
		pa[t].tid = t;
		pa[t].fn = fn;
		pa[t].njobs = njobs;
	}
	for (t = 1; t < nthreads; t++) {
		if (pthread_create(&th[t], NULL, pool_main, &pa[t]) != 0)
			break;
		started++;
	}
	pool_main(&pa[0]);
	for (t = 1; t < started; t++)
		pthread_join(th[t], NULL);
}

/* ---- Gram matrix, in fixed jobs of GRAM_JOB_ROWS rows ---- */

static void
gram_job(struct half *h, size_t job, unsigned tid)
{
	size_t r0 = job * GRAM_JOB_ROWS, n = h->gram_n - r0;
	double *g = h->gram_parts + job * h->f * h->f;

	if (n > GRAM_JOB_ROWS)
		n = GRAM_JOB_ROWS;
	memset(g, 0, (size_t)h->f * h->f * sizeof(*g));
	rs_dense_gram_acc(h->gram_src + r0 * h->f, n, h->f, h->f, g,
	    h->gram_tmp[tid]);
}

/* g = V^T V for V n x f (row-major, ld f); the job sums are added in job
 * order, so the result does not depend on the thread count. */
static int
gram(struct half *h, const float *v, size_t n, double *g, unsigned nthreads)
{
	size_t njobs = (n + GRAM_JOB_ROWS - 1) / GRAM_JOB_ROWS, j, e;
	size_t ff = (size_t)h->f * h->f;
	float *tmp[64];
	unsigned t, nt = nthreads > 64 ? 64 : nthreads;
	int rc = 0;

	memset(g, 0, ff * sizeof(*g));
	if (njobs == 0)
		return 0;
	memset(tmp, 0, sizeof(tmp));
	h->gram_parts = rs_dense_alloc_f64(njobs * ff);
	for (t = 0; t < nt; t++)
		if ((tmp[t] = rs_dense_alloc(ff)) == NULL)
			rc = -1;
	if (h->gram_parts == NULL || rc < 0) {
		rc = -1;
		goto out;
	}
	h->gram_src = v;
	h->gram_n = n;
	h->gram_tmp = tmp;
	run_jobs(h, nt, njobs, gram_job);
	for (j = 0; j < njobs; j++)
		for (e = 0; e < ff; e++)
			g[e] += h->gram_parts[j * ff + e];
out:
	for (t = 0; t < nt; t++)
		rs_dense_free(tmp[t]);
	rs_dense_free(h->gram_parts);
	h->gram_parts = NULL;
	return rc;
}

/* ---- conjugate gradient ---- */

/*
 * The factor rows a half-step reads are scattered over a matrix much
 * larger than the caches (one random row per nonzero), so the loops ask
 * for the row PREFETCH nonzeros ahead while working on the current one.
 */
#define PREFETCH 8

static inline void
prefetch_row(const float *row, size_t f)
{
	size_t b;

	for (b = 0; b < f * sizeof(float); b += 64)
		__builtin_prefetch((const char *)row + b);
}

static void
gather(const struct half *h, uint64_t k0, uint64_t k1, float *dst)
{
	size_t f = h->f;
	uint64_t k;

	for (k = k0; k < k1; k++) {
		if (k + PREFETCH < k1)
			prefetch_row(h->other + (size_t)h->idx[k + PREFETCH] * f,
			    f);
		memcpy(dst + (k - k0) * f, h->other + (size_t)h->idx[k] * f,
		    f * sizeof(float));
	}
}

/*
 * CG on (G + Y_u^T D_u Y_u) x = Y_u^T c_u for the rows of one batch,
 * warm-started from the current x (Hu et al.; Takacs, Pilaszy & Tikk 2011):
 *   r = b - A x,  p = r;  each step:  a = r.r / p.Ap,  x += a p,
 *   r -= a Ap,  p = r + (r'.r' / r.r) p.
 * A p = G p + sum_k d_k (y_k . p) y_k: the G p of the whole batch is one
 * sgemm, the sparse part touches only the row's gathered y_k.
 */
static void
cg_job(struct half *h, size_t job, unsigned tid)
{
	struct ws *w = &h->ws[tid];
	size_t f = h->f, B, i;
	uint32_t r0 = h->bstart[job], r1 = h->bstart[job + 1], u;
	uint64_t off0 = h->ptr[r0], k;
	float *xb = h->out + (size_t)r0 * f, *x, *r, *p, *ap, *y, s, alpha,
	    beta, pap, rsn, *rs = w->tmpf;
	const float *d = h->d;
	unsigned step;

	B = r1 - r0;
	gather(h, off0, h->ptr[r1], w->yg);
	/*
	 * AP (B x f, ld f) = Xb (B x f at X + r0 * f, ld f) * G (f x f,
	 * symmetric, ld f): row i of AP is (G x_{r0+i})^T.
	 */
	rs_dense_sgemm(0, 0, B, f, f, 1.0f, xb, f, h->gf, f, 0.0f, w->ap, f);
	for (i = 0; i < B; i++) {
		u = r0 + (uint32_t)i;
		x = xb + i * f;
		r = w->r + i * f;
		p = w->pv + i * f;
		ap = w->ap + i * f;
		if (h->ptr[u] == h->ptr[u + 1]) {
			memset(x, 0, f * sizeof(float));
			memset(p, 0, f * sizeof(float));
			rs[i] = 0;
			continue;
		}
		/* r = sum_k (c_k - d_k y_k.x) y_k - G x, with c_k = 1 + d_k. */
		memset(r, 0, f * sizeof(float));
		rs_dense_axpy(-1.0f, ap, r, f);
		for (k = h->ptr[u]; k < h->ptr[u + 1]; k++) {
			y = w->yg + (k - off0) * f;
			s = rs_dense_dot(y, x, f);
			rs_dense_axpy(1.0f + d[k] - d[k] * s, y, r, f);
		}
		memcpy(p, r, f * sizeof(float));
		rs[i] = rs_dense_dot(r, r, f);
		if (!(rs[i] > 1e-20f)) {
			rs[i] = 0;
			memset(p, 0, f * sizeof(float));
		}
	}
	for (step = 0; step < h->a->p.cg_steps; step++) {
		/* AP (B x f, ld f) = P (B x f, ld f) * G (f x f, ld f). */
		rs_dense_sgemm(0, 0, B, f, f, 1.0f, w->pv, f, h->gf, f, 0.0f,
		    w->ap, f);
		for (i = 0; i < B; i++) {
			if (rs[i] == 0)
				continue;
			u = r0 + (uint32_t)i;
			x = xb + i * f;
			r = w->r + i * f;
			p = w->pv + i * f;
			ap = w->ap + i * f;
			for (k = h->ptr[u]; k < h->ptr[u + 1]; k++) {
				y = w->yg + (k - off0) * f;
				rs_dense_axpy(d[k] * rs_dense_dot(y, p, f), y,
				    ap, f);
			}
			pap = rs_dense_dot(p, ap, f);
			if (!(pap > 0)) {
				rs[i] = 0;
				memset(p, 0, f * sizeof(float));
				continue;
			}
			alpha = rs[i] / pap;
			rs_dense_axpy(alpha, p, x, f);
			rs_dense_axpy(-alpha, ap, r, f);
			rsn = rs_dense_dot(r, r, f);
			if (!(rsn > 1e-20f)) {
				rs[i] = 0;
				memset(p, 0, f * sizeof(float));
				continue;
			}
			beta = rsn / rs[i];
			rs_dense_xpby(r, beta, p, f);
			rs[i] = rsn;
		}
	}
}

/* ---- exact ---- */

/*
 * One long row: A = G + sum_k d_k y_k y_k^T formed in double (the sum by
 * ssyrk on the gathered rows scaled by sqrt(d_k)), b = sum_k c_k y_k,
 * Cholesky, solve.
 */
static int
exact_dense_row(struct half *h, struct ws *w, uint32_t u)
{
	size_t f = h->f, j, n;
	uint64_t k0 = h->ptr[u], k1 = h->ptr[u + 1], k;
	float *x = h->out + (size_t)u * f;
	const float *y;
	float sq;

	n = k1 - k0;
	for (k = k0; k < k1; k++) {
		y = h->other + (size_t)h->idx[k] * f;
		sq = sqrtf(h->d[k]);
		for (j = 0; j < f; j++)
			w->yg[(k - k0) * f + j] = sq * y[j];
	}
	memcpy(w->dm, h->gd, f * f * sizeof(double));
	/* dm (f x f, ld f) += S^T S, S = yg (n x f, ld f). */
	rs_dense_gram_acc(w->yg, n, f, f, w->dm, w->tmpf);
	memset(w->dv, 0, f * sizeof(double));
	for (k = k0; k < k1; k++) {
		y = h->other + (size_t)h->idx[k] * f;
		for (j = 0; j < f; j++)
			w->dv[j] += (1.0 + h->d[k]) * y[j];
	}
	if (rs_dense_chol(w->dm, f) < 0)
		return -1;
	rs_dense_chol_solve(w->dm, f, w->dv);
	for (j = 0; j < f; j++)
		x[j] = (float)w->dv[j];
	return 0;
}

/*
 * Row k (a nonzero) of the batch's y and z: straight from the factor
 * matrices when Z is precomputed, else from the gathered buffers.
 */
#define ROW_Y(h, w, k, off0) ((h)->zpre ? \
	(h)->other + (size_t)(h)->idx[k] * (h)->f : (w)->yg + ((k) - (off0)) * (h)->f)
#define ROW_Z(h, w, k, off0) ((h)->zpre ? \
	(h)->zpre + (size_t)(h)->idx[k] * (h)->f : (w)->zg + ((k) - (off0)) * (h)->f)

/*
 * A batch of short rows by Woodbury on the shared G (als.h):
 *   M = D^-1 + Y_u Z_u^T (n x n, M[j][l] = y_j . z_l, double),
 *   M t = D^-1 c (entries 1 + 1/d_j),  x = Z_u^T t = sum_l t_l z_l.
 */
static void
exact_job(struct half *h, size_t job, unsigned tid)
{
	struct ws *w = &h->ws[tid];
	size_t f = h->f, n, j, l;
	uint32_t r0 = h->bstart[job], r1 = h->bstart[job + 1], u;
	uint64_t off0 = h->ptr[r0], nb = h->ptr[r1] - off0, k;
	const float *yj;
	double *m = w->dm, *t = w->dv;
	float *x;

	if (r1 - r0 == 1 && nb > h->heavy) {
		if (exact_dense_row(h, w, r0) < 0)
			atomic_store(&h->failed, 1);
		return;
	}
	if (h->zpre == NULL) {
		gather(h, off0, h->ptr[r1], w->yg);
		/* Zg (nb x f, ld f) = Yg (nb x f, ld f) * G^-1 (f x f). */
		rs_dense_sgemm(0, 0, nb, f, f, 1.0f, w->yg, f, h->ginv, f,
		    0.0f, w->zg, f);
	}
	for (u = r0; u < r1; u++) {
		x = h->out + (size_t)u * f;
		n = h->ptr[u + 1] - h->ptr[u];
		memset(x, 0, f * sizeof(float));
		if (n == 0)
			continue;
		k = h->ptr[u];
		if (h->zpre != NULL)
			for (j = k + PREFETCH; j < h->ptr[r1] &&
			    j < h->ptr[u + 1] + PREFETCH; j++) {
				prefetch_row(h->other + (size_t)h->idx[j] * f,
				    f);
				prefetch_row(h->zpre + (size_t)h->idx[j] * f, f);
			}
		for (j = 0; j < n; j++) {
			yj = ROW_Y(h, w, k + j, off0);
			for (l = 0; l <= j; l++)
				m[j * n + l] = rs_dense_dot(yj,
				    ROW_Z(h, w, k + l, off0), f);
			m[j * n + j] += 1.0 / h->d[k + j];
			t[j] = 1.0 + 1.0 / h->d[k + j];
		}
		if (rs_dense_chol(m, n) < 0) {
			atomic_store(&h->failed, 1);
			continue;
		}
		rs_dense_chol_solve(m, n, t);
		for (l = 0; l < n; l++)
			rs_dense_axpy((float)t[l], ROW_Z(h, w, k + l, off0), x,
			    f);
	}
}

static void
zpre_job(struct half *h, size_t job, unsigned tid)
{
	size_t r0 = job * GRAM_JOB_ROWS, n = h->nother - r0, f = h->f;

	(void)tid;
	if (n > GRAM_JOB_ROWS)
		n = GRAM_JOB_ROWS;
	/* Z rows r0.. (n x f, ld f) = Y rows r0.. (n x f, ld f) * G^-1. */
	rs_dense_sgemm(0, 0, n, f, f, 1.0f, h->other + r0 * f, f, h->ginv, f,
	    0.0f, h->zpre + r0 * f, f);
}

/* Cuts rows into batches (see the top comment); returns -1 on ENOMEM. */
static int
plan_batches(struct half *h, int exact)
{
	uint32_t r, start;
	uint64_t n, bn;
	size_t nb = 0, cap = (size_t)h->nrows + 1;

	if ((h->bstart = malloc(cap * sizeof(*h->bstart))) == NULL)
		return -1;
	h->maxnnz = h->maxlight = 1;
	r = 0;
	while (r < h->nrows) {
		start = r;
		bn = 0;
		while (r < h->nrows && r - start < BATCH_ROWS) {
			n = h->ptr[r + 1] - h->ptr[r];
			if (exact && n > h->heavy) {
				if (r == start)
					bn = n, r++;
				break;
			}
			if (r > start && bn + n > BATCH_NNZ)
				break;
			bn += n;
			r++;
		}
		h->bstart[nb++] = start;
		if (bn > h->maxnnz)
			h->maxnnz = bn;
		if (bn > h->maxlight && !(exact && r - start == 1 &&
		    bn > h->heavy))
			h->maxlight = bn;
	}
	h->bstart[nb] = h->nrows;
	h->nbatch = nb;
	return 0;
}

static void
free_ws(struct half *h, unsigned nt)
{
	unsigned t;

	if (h->ws == NULL)
		return;
	for (t = 0; t < nt; t++) {
		rs_dense_free(h->ws[t].yg);
		rs_dense_free(h->ws[t].zg);
		rs_dense_free(h->ws[t].r);
		rs_dense_free(h->ws[t].pv);
		rs_dense_free(h->ws[t].ap);
		rs_dense_free(h->ws[t].tmpf);
		rs_dense_free(h->ws[t].dm);
		rs_dense_free(h->ws[t].dv);
	}
	free(h->ws);
	h->ws = NULL;
}

static int
alloc_ws(struct half *h, unsigned nt, int exact)
{
	size_t f = h->f, nh = exact ? (size_t)h->heavy + 1 : 1;
	size_t dm = nh * nh + f > f * f ? nh * nh + f : f * f;
	unsigned t;
	struct ws *w;

	if ((h->ws = calloc(nt, sizeof(*h->ws))) == NULL)
		return -1;
	for (t = 0; t < nt; t++) {
		w = &h->ws[t];
		w->yg = rs_dense_alloc(h->maxnnz * f);
		w->tmpf = rs_dense_alloc(f * f > BATCH_ROWS ? f * f :
		    BATCH_ROWS);
		w->dm = rs_dense_alloc_f64(dm + f);
		w->dv = rs_dense_alloc_f64(nh > f ? nh : f);
		if (!w->yg || !w->tmpf || !w->dm || !w->dv)
			return -1;
		if (exact) {
			if ((w->zg = rs_dense_alloc(h->maxlight * f)) == NULL)
				return -1;
		} else {
			w->r = rs_dense_alloc(BATCH_ROWS * f);
			w->pv = rs_dense_alloc(BATCH_ROWS * f);
			w->ap = rs_dense_alloc(BATCH_ROWS * f);
			if (!w->r || !w->pv || !w->ap)
				return -1;
		}
	}
	return 0;
}

int
rs_als_half_step(struct rs_als *a, int side, struct rs_error *err)
{
	struct half h;
	size_t f = a->f, e, j;
	unsigned nt = a->p.threads > 64 ? 64 : a->p.threads;
	int exact = a->p.solver == RS_ALS_EXACT, rc = 0;
	double *work = NULL, *inv = NULL;
	uint64_t nnzrows;

	memset(&h, 0, sizeof(h));
	h.a = a;
	h.f = a->f;
	if (side == 0) {
		h.nrows = a->nu, h.nother = a->ni;
		h.ptr = a->uptr, h.idx = a->uidx, h.d = a->ud;
		h.out = a->X, h.other = a->Y;
	} else {
		h.nrows = a->ni, h.nother = a->nu;
		h.ptr = a->iptr, h.idx = a->iidx, h.d = a->id;
		h.out = a->Y, h.other = a->X;
	}
	h.heavy = exact ? (a->f / 2 > 1 ? a->f / 2 : 1) : UINT32_MAX;
	h.gd = rs_dense_alloc_f64(f * f);
	h.gf = rs_dense_alloc(f * f);
	if (h.gd == NULL || h.gf == NULL || plan_batches(&h, exact) < 0 ||
	    gram(&h, h.other, h.nother, h.gd, nt) < 0) {
		rc = rs_error_set(err, RS_ENOMEM, "out of memory");
		goto out;
	}
	/* G = other^T other + lambda I. */
	for (j = 0; j < f; j++)
		h.gd[j * f + j] += a->p.regularization;
	for (e = 0; e < f * f; e++)
		h.gf[e] = (float)h.gd[e];
	a->flops += (double)h.nother * f * f;
	nnzrows = h.ptr[h.nrows];
	if (exact) {
		inv = rs_dense_alloc_f64(f * f);
		work = rs_dense_alloc_f64(f * f + f);
		h.ginv = rs_dense_alloc(f * f);
		if (!inv || !work || !h.ginv) {
			rc = rs_error_set(err, RS_ENOMEM, "out of memory");
			goto out;
		}
		if (rs_dense_spd_inverse(h.gd, f, inv, work) < 0) {
			rc = rs_error_set(err, RS_ENUM, "the Gram matrix is "
			    "not positive definite (use --regularization > 0)");
			goto out;
		}
		for (e = 0; e < f * f; e++)
			h.ginv[e] = (float)inv[e];
		/* Precompute Z when the fixed side is the smaller one. */
		if (h.nother <= h.nrows && a->zbuf == NULL)
			a->zbuf = rs_dense_alloc((size_t)h.nother * f);
		if (h.nother <= h.nrows && a->zbuf != NULL) {
			h.zpre = a->zbuf;
			run_jobs(&h, nt, (h.nother + GRAM_JOB_ROWS - 1) /
			    GRAM_JOB_ROWS, zpre_job);
			a->flops += 2.0 * h.nother * f * f;
		} else {
			a->flops += 2.0 * nnzrows * f * f;
		}
		a->flops += 4.0 * nnzrows * f;
	} else {
		a->flops += (double)(a->p.cg_steps + 1) *
		    (2.0 * h.nrows * f * f + 4.0 * nnzrows * f);
	}
	if (alloc_ws(&h, nt, exact) < 0) {
		rc = rs_error_set(err, RS_ENOMEM, "out of memory");
		goto out;
	}
	atomic_store(&h.failed, 0);
	run_jobs(&h, nt, h.nbatch, exact ? exact_job : cg_job);
	if (atomic_load(&h.failed))
		rc = rs_error_set(err, RS_ENUM, "a %s system is not positive "
		    "definite (use --regularization > 0)",
		    side == 0 ? "visitor" : "item");
out:
	free_ws(&h, nt);
	rs_dense_free(h.gd);
	rs_dense_free(h.gf);
	rs_dense_free(h.ginv);
	rs_dense_free(inv);
	rs_dense_free(work);
	free(h.bstart);
	return rc;
}

int
rs_als_iterate(struct rs_als *a, struct rs_error *err)
{
	int rc;

	if ((rc = rs_als_half_step(a, 0, err)) < 0)
		return rc;
	return rs_als_half_step(a, 1, err);
}

double
rs_als_loss(const struct rs_als *a)
{
	struct half h;
	size_t f = a->f, e;
	double *gx, *gy, loss = 0, reg = 0, s, c;
	uint32_t u;
	uint64_t k;

	memset(&h, 0, sizeof(h));
	h.f = a->f;
	gx = rs_dense_alloc_f64(f * f);
	gy = rs_dense_alloc_f64(f * f);
	if (gx == NULL || gy == NULL || gram(&h, a->X, a->nu, gx, 1) < 0 ||
	    gram(&h, a->Y, a->ni, gy, 1) < 0) {
		rs_dense_free(gx);
		rs_dense_free(gy);
		return NAN;
	}
	/* sum over all cells of (x.y)^2 = <X^T X, Y^T Y>. */
	for (e = 0; e < f * f; e++)
		loss += gx[e] * gy[e];
	for (e = 0; e < f; e++)
		reg += gx[e * f + e] + gy[e * f + e];
	for (u = 0; u < a->nu; u++)
		for (k = a->uptr[u]; k < a->uptr[u + 1]; k++) {
			if (k + PREFETCH < a->nnz)
				prefetch_row(a->Y + (size_t)a->uidx[k +
				    PREFETCH] * f, f);
			s = rs_dense_dot_f64(a->X + (size_t)u * f,
			    a->Y + (size_t)a->uidx[k] * f, f);
			c = 1.0 + a->ud[k];
			loss += c * (1 - s) * (1 - s) - s * s;
		}
	rs_dense_free(gx);
	rs_dense_free(gy);
	return loss + a->p.regularization * reg;
}

uint32_t
rs_als_nusers(const struct rs_als *a)
{
	return a->nu;
}

uint32_t
rs_als_nitems(const struct rs_als *a)
{
	return a->ni;
}

uint32_t
rs_als_factors(const struct rs_als *a)
{
	return a->f;
}

float *
rs_als_user_factors(struct rs_als *a)
{
	return a->X;
}

float *
rs_als_item_factors(struct rs_als *a)
{
	return a->Y;
}

double
rs_als_flops(const struct rs_als *a)
{
	return a->flops;
}

void
rs_als_free(struct rs_als *a)
{
	if (a == NULL)
		return;
	free(a->uptr);
	free(a->iptr);
	free(a->uidx);
	free(a->iidx);
	free(a->ud);
	free(a->id);
	rs_dense_free(a->X);
	rs_dense_free(a->Y);
	rs_dense_free(a->zbuf);
	free(a);
}
