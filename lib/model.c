/*
 * model.c - model streams (layout in model.h), views over training
 * output, scoring and the validation metrics.
 *
 * In memory a model is a few flat arrays: user_ids[nusers],
 * item_ids[nitems], X (nusers x f, row-major, ld f), Y (nitems x f,
 * row-major, ld f) or scores[nitems].  A view borrows them.  A model
 * loaded from a 2.0 stream holds each as an extent (stream.h): on a
 * little-endian host the stored table is the array itself, mapped from
 * a raw file or read straight into place, so loading is one pass over
 * the bytes for the CRC and the checks (ids ascending, values finite)
 * and nothing else.  A model read block by block (1.0 streams) owns
 * heap arrays (owned = 1).  Both keep a copy of the metadata.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "crc32c.h"
#include "dense.h"
#include "hugemem.h"
#include "idmap.h"
#include "metrics.h"
#include "model.h"
#include "qdot.h"
#include "space.h"
#include "topk.h"
#include "banned.h"

#define SCORE_BATCH 64
#define WRITE_CHUNK (1u << 20)

/* The tables a model reader knows, by role. */
enum { T_USERS, T_ITEMS, T_UF, T_IF, T_SCORES, T_N };

static const char *const tnames[T_N] = {
	"users", "items", "user_factors", "item_factors", "scores"
};

/*
 * The tables of a stored scan space (space.h), each "KIND_NAME" with KIND
 * the space's (rs_space_kind_name): all eight or none.
 */
enum { S_ORDER, S_NORM, S_VECTORS, S_Q8, S_QSCALE, S_QNORM, S_QERROR,
	S_MEAN, S_N };

static const char *const snames[S_N] = {
	"order", "norm", "vectors", "q8", "qscale", "qnorm", "qerror", "mean"
};

/* The layout of the spaces a reader understands (metadata space_version). */
#define SPACE_VERSION "1"

struct rs_model {
	int kind;
	int owned;		/* the arrays are heap blocks of the model */
	uint32_t nusers, nitems, f;
	const uint64_t *user_ids, *item_ids;
	const float *X, *Y, *scores;
	struct rs_extent ext[T_N];	/* or they lie in these */
	/*
	 * The scan spaces it carries: built (rs_model_build_spaces, owned)
	 * or read (borrowed: the arrays lie in sext, but pos and mu are the
	 * model's own).
	 */
	struct rs_space space[RS_SPACE_N];
	int has_space[RS_SPACE_N];
	struct rs_extent sext[RS_SPACE_N][S_N];
	char **meta;		/* key, value pairs, owned */
	unsigned nmeta;
};

static int
ascending(const uint64_t *ids, uint32_t n)
{
	uint32_t i;

	for (i = 1; i < n; i++)
		if (ids[i - 1] >= ids[i])
			return 0;
	return 1;
}

static int
new_model(struct rs_model **out, int kind, struct rs_error *err)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	(*out)->kind = kind;
	return 0;
}

int
rs_model_als_view(struct rs_model **out, const uint64_t *user_ids,
    uint32_t nusers, const uint64_t *item_ids, uint32_t nitems, uint32_t f,
    const float *X, const float *Y, struct rs_error *err)
{
	int rc;

	*out = NULL;
	if (f == 0 || !ascending(user_ids, nusers) ||
	    !ascending(item_ids, nitems))
		return rs_error_set(err, RS_EARG, "model view: no factors or "
		    "ids not ascending");
	if ((rc = new_model(out, RS_MODEL_ALS, err)) < 0)
		return rc;
	(*out)->nusers = nusers;
	(*out)->nitems = nitems;
	(*out)->f = f;
	(*out)->user_ids = user_ids;
	(*out)->item_ids = item_ids;
	(*out)->X = X;
	(*out)->Y = Y;
	return 0;
}

int
rs_model_popular_view(struct rs_model **out, const uint64_t *item_ids,
    uint32_t nitems, const float *scores, struct rs_error *err)
{
	int rc;

	*out = NULL;
	if (!ascending(item_ids, nitems))
		return rs_error_set(err, RS_EARG, "model view: item ids not "
		    "ascending");
	if ((rc = new_model(out, RS_MODEL_POPULAR, err)) < 0)
		return rc;
	(*out)->nitems = nitems;
	(*out)->item_ids = item_ids;
	(*out)->scores = scores;
	return 0;
}

int
rs_model_popular_scores(const struct rs_csr *m, float *scores,
    struct rs_error *err)
{
	double *acc;
	uint64_t k;
	uint32_t c;

	if ((acc = calloc(m->ncols ? m->ncols : 1, sizeof(*acc))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	for (k = 0; k < m->nnz; k++)
		acc[m->indices[k]] += m->values[k];
	for (c = 0; c < m->ncols; c++)
		scores[c] = (float)acc[c];
	free(acc);
	return 0;
}

/* ---- writing ---- */

/*
 * Each table is an extent, encoded a chunk at a time through buf (on a
 * little-endian host the encoding is a copy, and writing is rare).
 */
static int
put_ids(struct rs_writer *w, const uint64_t *ids, uint32_t n,
    unsigned char *buf, struct rs_error *err)
{
	uint32_t i, j, per = WRITE_CHUNK / 8, nb;
	int rc;

	for (i = 0; i < n; i += nb) {
		nb = n - i < per ? n - i : per;
		for (j = 0; j < nb; j++)
			rs_put_le64(buf + (size_t)j * 8, ids[i + j]);
		if ((rc = rs_writer_put_extent(w, buf, (size_t)nb * 8,
		    err)) < 0)
			return rc;
	}
	return rs_writer_end_table(w, err);
}

/*
 * n rows of width 4-byte words at v, floats or u32s alike: each word's
 * bytes little-endian (IEEE-754 binary32 for a float).
 */
static int
put_words(struct rs_writer *w, const void *v, uint32_t n, uint32_t width,
    unsigned char *buf, struct rs_error *err)
{
	const unsigned char *p = v;
	uint32_t i, per = WRITE_CHUNK / (4 * width), nb, x;
	size_t j;
	int rc;

	if (per == 0)
		per = 1;
	for (i = 0; i < n; i += nb) {
		nb = n - i < per ? n - i : per;
		for (j = 0; j < (size_t)nb * width; j++) {
			memcpy(&x, p + ((size_t)i * width + j) * 4, 4);
			rs_put_le32(buf + j * 4, x);
		}
		if ((rc = rs_writer_put_extent(w, buf,
		    (size_t)nb * width * 4, err)) < 0)
			return rc;
	}
	return rs_writer_end_table(w, err);
}

/* The 8-bit copies: bytes as they are (two's complement int8). */
static int
put_bytes(struct rs_writer *w, const void *v, size_t len,
    struct rs_error *err)
{
	const unsigned char *p = v;
	size_t k;
	int rc;

	for (; len > 0; p += k, len -= k) {
		k = len < WRITE_CHUNK ? len : WRITE_CHUNK;
		if ((rc = rs_writer_put_extent(w, p, k, err)) < 0)
			return rc;
	}
	return rs_writer_end_table(w, err);
}

/* The one row of a space's "mean" table: mu, then mu_norm and ymax. */
static int
put_mean(struct rs_writer *w, const struct rs_space *sp, unsigned char *buf,
    struct rs_error *err)
{
	uint32_t a;
	int rc;

	for (a = 0; a < sp->f; a++)
		rs_put_f32(buf + (size_t)a * 4, sp->mu[a]);
	rs_put_f64(buf + (size_t)sp->f * 4, sp->mu_norm);
	rs_put_f64(buf + (size_t)sp->f * 4 + 8, sp->ymax);
	if ((rc = rs_writer_put_extent(w, buf, (size_t)sp->f * 4 + 16,
	    err)) < 0)
		return rc;
	return rs_writer_end_table(w, err);
}

static int
put_space(struct rs_writer *w, const struct rs_space *sp, unsigned char *buf,
    struct rs_error *err)
{
	int rc;

	if ((rc = put_words(w, sp->ord, sp->n, 1, buf, err)) < 0 ||
	    (rc = put_words(w, sp->norm, sp->n, 1, buf, err)) < 0 ||
	    (rc = put_words(w, sp->Ys, sp->n, sp->f, buf, err)) < 0 ||
	    (rc = put_bytes(w, sp->Q8, (size_t)sp->n * sp->qst, err)) < 0 ||
	    (rc = put_words(w, sp->qs, sp->n, 1, buf, err)) < 0 ||
	    (rc = put_words(w, sp->qn, sp->n, 1, buf, err)) < 0 ||
	    (rc = put_words(w, sp->qe, sp->n, 1, buf, err)) < 0)
		return rc;
	return put_mean(w, sp, buf, err);
}

int
rs_model_write(const struct rs_model *m, int fd, const char *name,
    const struct rs_meta *meta, unsigned nmeta,
    const struct rs_writer_opts *opts, struct rs_error *err)
{
	struct rs_column c_user = { "visitorid", RS_T_ID, 1, NULL, 0 };
	struct rs_column c_item = { "itemid", RS_T_ID, 1, NULL, 0 };
	struct rs_column c_fac = { "factors", RS_T_F32, m->f, NULL, 0 };
	struct rs_column c_score = { "score", RS_T_F32, 1, NULL, 0 };
	struct rs_column c_row = { "row", RS_T_U32, 1, NULL, 0 };
	struct rs_column c_norm = { "norm", RS_T_F32, 1, NULL, 0 };
	struct rs_column c_vec = { "vector", RS_T_F32, m->f, NULL, 0 };
	struct rs_column c_q8 = { "q", RS_T_U8,
	    (uint32_t)rs_qdot_stride(m->f), NULL, 0 };
	struct rs_column c_qs = { "scale", RS_T_F32, 1, NULL, 0 };
	struct rs_column c_qn = { "bound", RS_T_F32, 1, NULL, 0 };
	struct rs_column c_qe = { "error", RS_T_F32, 1, NULL, 0 };
	struct rs_column c_mean[2] = {
		{ "mu", RS_T_F32, m->f, NULL, 0 },
		{ "mu_norm_ymax", RS_T_F64, 2, NULL, 0 }
	};
	const struct rs_column *scols[S_N] = { &c_row, &c_norm, &c_vec,
	    &c_q8, &c_qs, &c_qn, &c_qe, c_mean };
	char tname[RS_SPACE_N][S_N][32];
	struct rs_table_desc t[4 + RS_SPACE_N * S_N];
	struct rs_meta *allmeta = NULL;
	struct rs_stream_desc d;
	struct rs_writer_opts o;
	struct rs_writer *w = NULL;
	unsigned char *buf;
	size_t bufsz = WRITE_CHUNK + (size_t)m->f * 4 + 16;
	int rc, k, nsp = 0, sk;

	/* Raw unless asked: only a raw file can be mapped on load. */
	if (opts != NULL)
		o = *opts;
	else {
		rs_writer_opts_init(&o);
		o.raw = 1;
	}
	if ((buf = malloc(bufsz)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	memset(&d, 0, sizeof(d));
	d.kind = RS_KIND_MODEL;
	d.tables = t;
	d.meta = meta;
	d.nmeta = nmeta;
	if (m->kind == RS_MODEL_ALS) {
		t[0] = (struct rs_table_desc){ "users", m->nusers, 1, &c_user };
		t[1] = (struct rs_table_desc){ "items", m->nitems, 1, &c_item };
		t[2] = (struct rs_table_desc){ "user_factors", m->nusers, 1,
		    &c_fac };
		t[3] = (struct rs_table_desc){ "item_factors", m->nitems, 1,
		    &c_fac };
		d.ntables = 4;
		for (k = 0; k < RS_SPACE_N; k++) {
			if (!m->has_space[k])
				continue;
			nsp++;
			for (sk = 0; sk < S_N; sk++) {
				snprintf(tname[k][sk], sizeof(tname[k][sk]),
				    "%s_%s", rs_space_kind_name(k), snames[sk]);
				t[d.ntables++] = (struct rs_table_desc){
				    tname[k][sk], sk == S_MEAN ? 1 : m->nitems,
				    sk == S_MEAN ? 2 : 1, scols[sk] };
			}
		}
	} else {
		t[0] = (struct rs_table_desc){ "items", m->nitems, 1, &c_item };
		t[1] = (struct rs_table_desc){ "scores", m->nitems, 1,
		    &c_score };
		d.ntables = 2;
	}
	/* The spaces' layout, for readers to know it (a reader of another
	 * version builds its own). */
	if (nsp > 0) {
		if ((allmeta = calloc((size_t)nmeta + 1,
		    sizeof(*allmeta))) == NULL) {
			rc = rs_error_set(err, RS_ENOMEM, "out of memory");
			goto out;
		}
		if (nmeta > 0)
			memcpy(allmeta, meta, nmeta * sizeof(*meta));
		allmeta[nmeta] = (struct rs_meta){ "space_version",
		    SPACE_VERSION };
		d.meta = allmeta;
		d.nmeta = nmeta + 1;
	}
	/* Every table an extent: the stored table is the array (2.0). */
	o.extents = d.ntables >= 64 ? ~(uint64_t)0 :
	    ((uint64_t)1 << d.ntables) - 1;
	if ((rc = rs_writer_open(&w, fd, name, &d, &o, err)) < 0)
		goto out;
	if (m->kind == RS_MODEL_ALS) {
		if ((rc = put_ids(w, m->user_ids, m->nusers, buf, err)) < 0 ||
		    (rc = put_ids(w, m->item_ids, m->nitems, buf, err)) < 0 ||
		    (rc = put_words(w, m->X, m->nusers, m->f, buf, err)) < 0 ||
		    (rc = put_words(w, m->Y, m->nitems, m->f, buf, err)) < 0)
			goto out;
		for (k = 0; k < RS_SPACE_N; k++)
			if (m->has_space[k] &&
			    (rc = put_space(w, &m->space[k], buf, err)) < 0)
				goto out;
	} else {
		if ((rc = put_ids(w, m->item_ids, m->nitems, buf, err)) < 0 ||
		    (rc = put_words(w, m->scores, m->nitems, 1, buf, err)) < 0)
			goto out;
	}
	rc = rs_writer_finish(w, err);
out:
	rs_writer_free(w);
	free(buf);
	free(allmeta);
	return rc;
}

/* ---- reading ---- */

/* Checks the schema of table i (role) and returns its row count. */
static int
check_table(const struct rs_reader *r, unsigned i, int role, uint32_t *f,
    uint32_t *nrows, struct rs_error *err)
{
	const struct rs_table_desc *t = rs_reader_table(r, i);
	const struct rs_column *c = &t->cols[0];
	enum rs_type want = role <= T_ITEMS ? RS_T_ID : RS_T_F32;
	uint32_t cnt = c->count ? c->count : 1;

	if (t->ncols != 1 || c->type != want ||
	    (role != T_UF && role != T_IF && cnt != 1))
		return rs_error_set(err, RS_EFORMAT, "%s: table '%s' has an "
		    "unexpected schema", rs_reader_name(r), t->name);
	if (t->nrows == RS_NROWS_UNKNOWN || t->nrows > UINT32_MAX - 1)
		return rs_error_set(err, RS_EFORMAT, "%s: table '%s' has no "
		    "usable row count", rs_reader_name(r), t->name);
	if (role == T_UF || role == T_IF) {
		if (cnt > 4096 || (*f != 0 && *f != cnt))
			return rs_error_set(err, RS_EFORMAT, "%s: factor "
			    "tables disagree on the number of factors",
			    rs_reader_name(r));
		*f = cnt;
	}
	*nrows = (uint32_t)t->nrows;
	return 0;
}

static int
copy_meta(struct rs_model *m, const struct rs_reader *r)
{
	const char *k, *v;
	unsigned i, n = rs_reader_nmeta(r);

	if ((m->meta = calloc(2 * (size_t)n + 1, sizeof(*m->meta))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		rs_reader_meta_at(r, i, &k, &v);
		if ((m->meta[2 * i] = strdup(k)) == NULL ||
		    (m->meta[2 * i + 1] = strdup(v)) == NULL)
			return -1;
		m->nmeta = i + 1;
	}
	return 0;
}

/*
 * Grows table j's array *dst, of *cap rows of w bytes with used rows in
 * use, to hold need rows: doubling, at most claim rows.  The model's own
 * pointer follows, so rs_model_free frees the new array.
 */
static int
grow_dst(struct rs_model *m, int j, void **dst, uint64_t *cap,
    uint64_t used, uint64_t need, uint64_t claim, size_t w)
{
	uint64_t c = *cap ? *cap : 1024;
	void *p;

	while (c < need)
		c *= 2;
	if (c > claim)
		c = claim;
	if (c + 1 > SIZE_MAX / w)
		return -1;
	if (j == T_USERS || j == T_ITEMS)
		p = realloc(*dst, (size_t)(c + 1) * w);
	else
		p = rs_huge_realloc(*dst, (size_t)used * w,
		    (size_t)(c + 1) * w);
	if (p == NULL)
		return -1;
	*dst = p;
	*cap = c;
	switch (j) {
	case T_USERS:
		m->user_ids = p;
		break;
	case T_ITEMS:
		m->item_ids = p;
		break;
	case T_UF:
		m->X = p;
		break;
	case T_IF:
		m->Y = p;
		break;
	default:
		m->scores = p;
		break;
	}
	return 0;
}

/*
 * The checks of an extent, run on its pieces as they go by (stream.h):
 * ids strictly ascending, factors and scores finite.  What they find
 * counts only once the CRC has vouched for the bytes, so that a damaged
 * file is reported as damaged.
 */
struct ids_check {
	uint64_t n, prev;
	int bad;
};

static void
check_ids(void *ctx, const unsigned char *p, size_t n)
{
	struct ids_check *c = ctx;
	uint64_t v;
	size_t i;

	for (i = 0; i < n; i += 8) {
		v = rs_get_le64(p + i);
		if (c->n++ > 0 && v <= c->prev)
			c->bad = 1;
		c->prev = v;
	}
}

struct finite_check {
	uint64_t n, first;	/* values seen; the first non-finite one */
	uint32_t mask;		/* the exponent bits, as loaded from the file */
	int bad;
};

static void
check_finite(void *ctx, const unsigned char *p, size_t n)
{
	struct finite_check *c = ctx;
	uint32_t acc[8] = { 0 }, any = 0, m = c->mask, x;
	size_t i, j;

	/*
	 * An exponent of all ones is an infinity or a NaN.  The values are
	 * loaded as they lie (the mask is in the file's byte order, so this
	 * holds on any host) and tested eight at a time into eight
	 * accumulators, without an exit, which compilers turn into vector
	 * code at -O2: the check must keep up with the CRC.  Finding which
	 * value is bad runs only on a bad piece.
	 */
	for (i = 0; i + 32 <= n; i += 32)
		for (j = 0; j < 8; j++) {
			memcpy(&x, p + i + 4 * j, 4);
			acc[j] |= (x & m) == m;
		}
	for (; i < n; i += 4) {
		memcpy(&x, p + i, 4);
		any |= (x & m) == m;
	}
	for (j = 0; j < 8; j++)
		any |= acc[j];
	if (any && !c->bad) {
		for (i = 0; (rs_get_le32(p + i) & 0x7f800000u) != 0x7f800000u;
		    i += 4)
			;
		c->first = c->n + i / 4;
		c->bad = 1;
	}
	c->n += n / 4;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
/* The little-endian elements of a private copy, in place, to host order. */
static void
to_host(struct rs_extent *e, size_t width)
{
	unsigned char *p = e->base;
	uint64_t v;
	uint32_t u;
	size_t i;

	for (i = 0; i < e->len; i += width) {
		if (width == 8) {
			v = rs_get_le64(p + i);
			memcpy(p + i, &v, 8);
		} else {
			u = rs_get_le32(p + i);
			memcpy(p + i, &u, 4);
		}
	}
}
#endif

/* Reads to the end of the current table, whatever its layout. */
static int
skip_table(struct rs_reader *r, struct rs_error *err)
{
	struct rs_block b;
	int rc;

	while ((rc = rs_reader_next(r, &b, err)) > 0)
		;
	return rc;
}

/*
 * The space table of name, as kind * S_N + table, or -1 (the tables of
 * no space, or of an unknown one, are skipped).
 */
static int
space_role(const char *name)
{
	char want[32];
	int k, t;

	for (k = 0; k < RS_SPACE_N; k++)
		for (t = 0; t < S_N; t++) {
			snprintf(want, sizeof(want), "%s_%s",
			    rs_space_kind_name(k), snames[t]);
			if (strcmp(name, want) == 0)
				return k * S_N + t;
		}
	return -1;
}

/* Reads space table t of kind k (the current table) into m->sext. */
static int
read_space_table(struct rs_reader *r, struct rs_model *m, int k, int t,
    int flags, struct rs_error *err)
{
	struct finite_check fc;
	unsigned char le[4];
	int rc, f32 = t != S_ORDER && t != S_Q8 && t != S_MEAN;

	memset(&fc, 0, sizeof(fc));
	rs_put_le32(le, 0x7f800000u);
	memcpy(&fc.mask, le, 4);
	if ((rc = rs_reader_extent(r, t == S_Q8 ? 0 : flags,
	    f32 ? check_finite : NULL, &fc, &m->sext[k][t], err)) < 0)
		return rc;
	if (fc.bad)
		return rs_error_set(err, RS_ECORRUPT, "%s: table '%s_%s' row "
		    "%llu: value is not finite", rs_reader_name(r),
		    rs_space_kind_name(k), snames[t], (unsigned long long)
		    (fc.first / (t == S_VECTORS ? m->f : 1)));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	if (t != S_Q8 && t != S_MEAN)
		to_host(&m->sext[k][t], 4);
#endif
	return 0;
}

/* A model whose every known table is an extent: each is the array. */
static int
read_extents(struct rs_reader *r, struct rs_model *m, const int *role,
    const int *srole, struct rs_error *err)
{
	const char *name = rs_reader_name(r);
	struct finite_check fc;
	struct ids_check ic;
	unsigned char le[4];
	unsigned i, nt = rs_reader_ntables(r);
	int j, rc, flags = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	flags = RS_EXTENT_COPY;		/* to be turned around in place */
#endif
	for (i = 0; i < nt; i++) {
		if (role[i] < 0 && srole[i] >= 0) {
			if ((rc = read_space_table(r, m, srole[i] / S_N,
			    srole[i] % S_N, flags, err)) < 0)
				return rc;
			continue;
		}
		if ((j = role[i]) < 0) {
			if ((rc = skip_table(r, err)) < 0)
				return rc;
			continue;
		}
		memset(&ic, 0, sizeof(ic));
		memset(&fc, 0, sizeof(fc));
		rs_put_le32(le, 0x7f800000u);
		memcpy(&fc.mask, le, 4);
		if (j == T_USERS || j == T_ITEMS)
			rc = rs_reader_extent(r, flags, check_ids, &ic,
			    &m->ext[j], err);
		else
			rc = rs_reader_extent(r, flags, check_finite, &fc,
			    &m->ext[j], err);
		if (rc < 0)
			return rc;
		if (ic.bad)
			return rs_error_set(err, RS_ECORRUPT, "%s: ids are "
			    "not strictly ascending", name);
		if (fc.bad)
			return rs_error_set(err, RS_ECORRUPT, "%s: table '%s' "
			    "row %llu: value is not finite", name, tnames[j],
			    (unsigned long long)(fc.first / (j == T_SCORES ?
			    1 : m->f)));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		to_host(&m->ext[j], j == T_USERS || j == T_ITEMS ? 8 : 4);
#endif
	}
	m->user_ids = m->ext[T_USERS].data;
	m->item_ids = m->ext[T_ITEMS].data;
	m->X = m->ext[T_UF].data;
	m->Y = m->ext[T_IF].data;
	m->scores = m->ext[T_SCORES].data;
	return 0;
}

/*
 * A model of blocks (1.0), or of blocks and extents mixed: the arrays
 * start at what the stream can hold (cap, rs_reader_prealloc) and grow
 * (grow_dst) as blocks arrive, every value decoded and checked.
 */
static int
read_blocks(struct rs_reader *r, struct rs_model *m, const int *role,
    const uint32_t *nrows, uint64_t *cap, struct rs_error *err)
{
	const char *name = rs_reader_name(r);
	uint32_t f = m->f, j;
	uint64_t got[T_N];
	void *dst[T_N];
	size_t w[T_N], e, base;
	struct rs_block b;
	uint64_t *uids = NULL, *iids = NULL;
	float *X = NULL, *Y = NULL, *S = NULL, v;
	int rc;

	memset(got, 0, sizeof(got));
	m->owned = 1;
	iids = malloc(((size_t)cap[T_ITEMS] + 1) * 8);
	if (m->kind == RS_MODEL_ALS) {
		uids = malloc(((size_t)cap[T_USERS] + 1) * 8);
		X = rs_dense_alloc((size_t)cap[T_UF] * f + 1);
		Y = rs_dense_alloc((size_t)cap[T_IF] * f + 1);
	} else {
		S = rs_dense_alloc((size_t)cap[T_SCORES] + 1);
	}
	m->user_ids = uids;
	m->item_ids = iids;
	m->X = X;
	m->Y = Y;
	m->scores = S;
	if (iids == NULL || (m->kind == RS_MODEL_ALS ? (!uids || !X || !Y) :
	    !S))
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	dst[T_USERS] = uids, w[T_USERS] = 8;
	dst[T_ITEMS] = iids, w[T_ITEMS] = 8;
	dst[T_UF] = X, w[T_UF] = (size_t)f * 4;
	dst[T_IF] = Y, w[T_IF] = (size_t)f * 4;
	dst[T_SCORES] = S, w[T_SCORES] = 4;
	for (;;) {
		rc = rs_reader_next(r, &b, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (rs_reader_done(r))
				break;
			continue;
		}
		if (role[b.table] < 0 || dst[role[b.table]] == NULL)
			continue;
		j = (uint32_t)role[b.table];
		if (got[j] + b.nrec > nrows[j] || b.len != b.nrec * w[j])
			return rs_error_set(err, RS_ECORRUPT, "%s: table '%s' "
			    "holds more rows than its header says", name,
			    tnames[j]);
		if (got[j] + b.nrec > cap[j]) {
			if (grow_dst(m, (int)j, &dst[j], &cap[j], got[j],
			    got[j] + b.nrec, nrows[j], w[j]) < 0)
				return rs_error_set(err, RS_ENOMEM, "%s: out of "
				    "memory", name);
		}
		base = got[j];
		if (w[j] == 8) {
			for (e = 0; e < b.nrec; e++)
				((uint64_t *)dst[j])[base + e] =
				    rs_get_le64(b.data + e * 8);
		} else {
			for (e = 0; e < b.len / 4; e++) {
				v = rs_get_f32(b.data + e * 4);
				if (!isfinite(v))
					return rs_error_set(err, RS_ECORRUPT,
					    "%s: table '%s' row %llu: value "
					    "is not finite", name, tnames[j],
					    (unsigned long long)(base +
					    e * 4 / w[j]));
				((float *)dst[j])[base * (w[j] / 4) + e] = v;
			}
		}
		got[j] += b.nrec;
	}
	for (j = 0; j < T_N; j++)
		if (dst[j] != NULL && got[j] != nrows[j])
			return rs_error_set(err, RS_ECORRUPT, "%s: table '%s' "
			    "has %llu rows, its header says %u", name,
			    tnames[j], (unsigned long long)got[j], nrows[j]);
	iids = dst[T_ITEMS];	/* grow_dst may have moved them */
	uids = dst[T_USERS];
	if (!ascending(iids, m->nitems) || (uids != NULL &&
	    !ascending(uids, m->nusers)))
		return rs_error_set(err, RS_ECORRUPT, "%s: ids are not "
		    "strictly ascending", name);
	return 0;
}

/*
 * The spaces whose tables were read: each kind has all eight or none,
 * with the model's row and factor counts; order is a permutation (its
 * inverse becomes pos), norm descends.  What a space's numbers mean is
 * the writer's word, as the factors are (the CRC vouches for the bytes):
 * the checks here keep a bad file from reading outside its arrays.
 */
static int
settle_spaces(struct rs_reader *r, struct rs_model *m, const int *srole,
    struct rs_error *err)
{
	const char *name = rs_reader_name(r);
	const uint32_t n = m->nitems, f = m->f;
	const size_t qst = rs_qdot_stride(f);
	int seen[RS_SPACE_N][S_N], k, t;
	unsigned i, nt = rs_reader_ntables(r);
	struct rs_space *sp;
	const unsigned char *mean;
	uint32_t j, o;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < nt; i++) {
		const struct rs_table_desc *d = rs_reader_table(r, i);
		const struct rs_column *c = d->cols;
		uint32_t w;

		if (srole[i] < 0)
			continue;
		k = srole[i] / S_N;
		t = srole[i] % S_N;
		w = c[0].count ? c[0].count : 1;
		if (seen[k][t]++ || d->nrows != (t == S_MEAN ? 1 : n) ||
		    d->ncols != (t == S_MEAN ? 2u : 1u) ||
		    c[0].type != (t == S_ORDER ? RS_T_U32 : t == S_Q8 ?
		    RS_T_U8 : RS_T_F32) ||
		    w != (t == S_VECTORS || t == S_MEAN ? f : t == S_Q8 ?
		    (uint32_t)qst : 1) ||
		    (t == S_MEAN && (c[1].type != RS_T_F64 || c[1].count != 2)))
			return rs_error_set(err, RS_EFORMAT, "%s: table '%s' "
			    "does not have the layout of space_version %s",
			    name, d->name, SPACE_VERSION);
	}
	for (k = 0; k < RS_SPACE_N; k++) {
		for (t = 0; t < S_N && seen[k][t]; t++)
			;
		if (t == 0)
			continue;
		if (t < S_N)
			return rs_error_set(err, RS_EFORMAT, "%s: space '%s' "
			    "has no '%s_%s' table", name, rs_space_kind_name(k),
			    rs_space_kind_name(k), snames[t]);
		sp = &m->space[k];
		sp->borrowed = 1;
		sp->n = n;
		sp->f = f;
		sp->qst = qst;
		sp->ord = (uint32_t *)(uintptr_t)m->sext[k][S_ORDER].data;
		sp->norm = (float *)(uintptr_t)m->sext[k][S_NORM].data;
		sp->Ys = (float *)(uintptr_t)m->sext[k][S_VECTORS].data;
		sp->Q8 = (int8_t *)(uintptr_t)m->sext[k][S_Q8].data;
		sp->qs = (float *)(uintptr_t)m->sext[k][S_QSCALE].data;
		sp->qn = (float *)(uintptr_t)m->sext[k][S_QNORM].data;
		sp->qe = (float *)(uintptr_t)m->sext[k][S_QERROR].data;
		m->has_space[k] = 1;	/* rs_model_free frees pos, mu */
		sp->pos = malloc(((size_t)n + 1) * sizeof(*sp->pos));
		sp->mu = malloc(((size_t)f + 1) * sizeof(*sp->mu));
		if (sp->pos == NULL || sp->mu == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		memset(sp->pos, 0xff, ((size_t)n + 1) * sizeof(*sp->pos));
		for (j = 0; j < n; j++) {
			o = sp->ord[j];
			if (o >= n || sp->pos[o] != UINT32_MAX ||
			    (j > 0 && !(sp->norm[j] <= sp->norm[j - 1])))
				return rs_error_set(err, RS_ECORRUPT, "%s: space "
				    "'%s' row %lu: order is not a permutation "
				    "by descending norm", name,
				    rs_space_kind_name(k), (unsigned long)j);
			sp->pos[o] = j;
		}
		mean = m->sext[k][S_MEAN].data;
		for (j = 0; j < f; j++)
			sp->mu[j] = rs_get_f32(mean + (size_t)j * 4);
		sp->mu_norm = rs_get_f64(mean + (size_t)f * 4);
		sp->ymax = rs_get_f64(mean + (size_t)f * 4 + 8);
		for (j = 0; j < f && isfinite(sp->mu[j]); j++)
			;
		if (j < f || !isfinite(sp->mu_norm) || !isfinite(sp->ymax) ||
		    sp->mu_norm < 0 || sp->ymax < 0)
			return rs_error_set(err, RS_ECORRUPT, "%s: space '%s': "
			    "mean not finite", name, rs_space_kind_name(k));
	}
	return 0;
}

int
rs_model_read(struct rs_reader *r, struct rs_model **out,
    struct rs_error *err)
{
	struct rs_model *m = NULL;
	const char *kind, *name = rs_reader_name(r);
	int role[RS_MAX_TABLES], srole[RS_MAX_TABLES], have[T_N], rc, kind_n;
	int extents = 1, spaces;
	uint32_t nrows[T_N], f = 0, j;
	uint64_t cap[T_N];
	unsigned i, nt = rs_reader_ntables(r);

	*out = NULL;
	if ((rc = rs_reader_expect(r, RS_KIND_MODEL, err)) < 0)
		return rc;
	kind = rs_reader_meta(r, "model");
	if (kind != NULL && strcmp(kind, "als") == 0)
		kind_n = RS_MODEL_ALS;
	else if (kind != NULL && strcmp(kind, "popular") == 0)
		kind_n = RS_MODEL_POPULAR;
	else
		return rs_error_set(err, RS_EFORMAT, "%s: unknown model '%s'",
		    name, kind ? kind : "");
	memset(have, 0, sizeof(have));
	memset(cap, 0, sizeof(cap));
	memset(nrows, 0, sizeof(nrows));
	/* the stored spaces of a layout this reader knows, else none */
	spaces = kind_n == RS_MODEL_ALS && rs_reader_meta(r, "space_version") &&
	    strcmp(rs_reader_meta(r, "space_version"), SPACE_VERSION) == 0;
	for (i = 0; i < nt; i++) {
		role[i] = srole[i] = -1;
		for (j = 0; j < T_N; j++)
			if (strcmp(rs_reader_table(r, i)->name, tnames[j]) == 0)
				role[i] = (int)j;
		if (role[i] < 0 && spaces)
			srole[i] = space_role(rs_reader_table(r, i)->name);
		if (role[i] < 0)
			continue;
		if (have[role[i]]++)
			return rs_error_set(err, RS_EFORMAT, "%s: table '%s' "
			    "appears twice", name, tnames[role[i]]);
		/* A claim beyond what the stream can hold stops us here. */
		if ((rc = check_table(r, i, role[i], &f, &nrows[role[i]],
		    err)) < 0 ||
		    (rc = rs_reader_prealloc(r, i, &cap[role[i]], err)) < 0)
			return rc;
		if (rs_reader_layout(r, i) != RS_LAYOUT_EXTENT)
			extents = 0;
	}
	for (j = 0; j < T_N; j++) {
		int need = j == T_ITEMS || (kind_n == RS_MODEL_ALS ?
		    (j != T_SCORES) : j == T_SCORES);
		if (need && !have[j])
			return rs_error_set(err, RS_EFORMAT, "%s: %s model "
			    "without a '%s' table", name, kind, tnames[j]);
		/* The tables the kind does not use are skipped. */
		if (!need)
			for (i = 0; i < nt; i++)
				if (role[i] == (int)j)
					role[i] = -1;
	}
	if (kind_n == RS_MODEL_ALS && (nrows[T_UF] != nrows[T_USERS] ||
	    nrows[T_IF] != nrows[T_ITEMS]))
		return rs_error_set(err, RS_ECORRUPT, "%s: factor and id "
		    "tables have different row counts", name);
	if (kind_n == RS_MODEL_POPULAR && nrows[T_SCORES] != nrows[T_ITEMS])
		return rs_error_set(err, RS_ECORRUPT, "%s: score and id "
		    "tables have different row counts", name);
	if ((rc = new_model(&m, kind_n, err)) < 0)
		return rc;
	m->nitems = nrows[T_ITEMS];
	if (kind_n == RS_MODEL_ALS) {
		m->nusers = nrows[T_USERS];
		m->f = f;
	}
	if (copy_meta(m, r) < 0) {
		rs_model_free(m);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	/* Spaces are read only where the model is: as extents. */
	for (i = 0; i < nt && spaces; i++)
		if (srole[i] >= 0 && (!extents ||
		    rs_reader_layout(r, i) != RS_LAYOUT_EXTENT))
			spaces = 0;
	for (i = 0; i < nt && !spaces; i++)
		srole[i] = -1;
	rc = extents ? read_extents(r, m, role, srole, err) :
	    read_blocks(r, m, role, nrows, cap, err);
	if (rc == 0 && spaces)
		rc = settle_spaces(r, m, srole, err);
	if (rc < 0) {
		rs_model_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int
rs_model_load(struct rs_model **out, int fd, const char *name,
    struct rs_error *err)
{
	struct rs_reader *r;
	int rc;

	*out = NULL;
	if ((rc = rs_reader_open(&r, fd, name, err)) < 0)
		return rc;
	rc = rs_model_read(r, out, err);
	rs_reader_free(r);
	return rc;
}

/* ---- access ---- */

const struct rs_space *
rs_model_space(const struct rs_model *m, int kind)
{
	return kind >= 0 && kind < RS_SPACE_N && m->has_space[kind] ?
	    &m->space[kind] : NULL;
}

int
rs_model_build_spaces(struct rs_model *m, unsigned threads,
    struct rs_error *err)
{
	int k, rc;

	if (m->kind != RS_MODEL_ALS)
		return rs_error_set(err, RS_EARG, "scan spaces: not an als "
		    "model");
	for (k = 0; k < RS_SPACE_N; k++) {
		if (m->has_space[k])
			continue;
		if ((rc = rs_space_build(&m->space[k], k, m->Y, m->nitems,
		    m->f, threads, err)) < 0)
			return rc;
		m->has_space[k] = 1;
	}
	return 0;
}

int
rs_model_kind(const struct rs_model *m)
{
	return m->kind;
}

uint32_t
rs_model_nusers(const struct rs_model *m)
{
	return m->nusers;
}

uint32_t
rs_model_nitems(const struct rs_model *m)
{
	return m->nitems;
}

uint32_t
rs_model_factors(const struct rs_model *m)
{
	return m->f;
}

const uint64_t *
rs_model_user_ids(const struct rs_model *m)
{
	return m->user_ids;
}

const uint64_t *
rs_model_item_ids(const struct rs_model *m)
{
	return m->item_ids;
}

const float *
rs_model_user_factors(const struct rs_model *m)
{
	return m->X;
}

const float *
rs_model_item_factors(const struct rs_model *m)
{
	return m->Y;
}

const float *
rs_model_item_scores(const struct rs_model *m)
{
	return m->scores;
}

const char *
rs_model_meta(const struct rs_model *m, const char *key)
{
	unsigned i;

	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->meta[2 * i], key) == 0)
			return m->meta[2 * i + 1];
	return NULL;
}

int64_t
rs_model_find_user(const struct rs_model *m, uint64_t id)
{
	return m->user_ids ? rs_ids_bsearch(m->user_ids, m->nusers, id) : -1;
}

int64_t
rs_model_find_item(const struct rs_model *m, uint64_t id)
{
	return rs_ids_bsearch(m->item_ids, m->nitems, id);
}

void
rs_model_score(const struct rs_model *m, const int64_t *users, size_t n,
    float *scores)
{
	size_t i, ni = m->nitems, f = m->f, s;
	float *row;

	if (m->kind == RS_MODEL_POPULAR) {
		for (i = 0; i < n; i++)
			memcpy(scores + i * ni, m->scores, ni * sizeof(float));
		return;
	}
	/*
	 * Known visitors in runs: a run of consecutive dense indices
	 * u0..u0+len-1 is the contiguous block X + u0 * f (ld f), scored as
	 * S (len x ni, ld ni) = X_run (len x f) * Y^T (Y ni x f, ld f).
	 * Otherwise one row at a time (the same sgemm with len = 1).
	 */
	for (i = 0; i < n; i += s) {
		row = scores + i * ni;
		if (users[i] < 0 || (uint64_t)users[i] >= m->nusers) {
			memset(row, 0, ni * sizeof(float));
			s = 1;
			continue;
		}
		for (s = 1; i + s < n && users[i + s] == users[i] + (int64_t)s;
		    s++)
			;
		rs_dense_sgemm(0, 1, s, ni, f, 1.0f,
		    m->X + (size_t)users[i] * f, f, m->Y, f, 0.0f, row, ni);
	}
}

/* ---- validation ---- */

static int64_t
csr_find_row(const struct rs_csr *c, uint64_t id)
{
	return c->row_ids ? rs_ids_bsearch(c->row_ids, c->nrows, id) :
	    (id < c->nrows ? (int64_t)id : -1);
}

static int64_t
csr_col_id(const struct rs_csr *c, uint32_t col)
{
	return c->col_ids ? (int64_t)c->col_ids[col] : (int64_t)col;
}

int
rs_model_validate(const struct rs_model *m, const struct rs_csr *train,
    const struct rs_csr *test, unsigned k, struct rs_model_eval *out,
    struct rs_error *err)
{
	int64_t *tmap = NULL, *rmap = NULL, users[SCORE_BATCH];
	uint32_t trow[SCORE_BATCH], rows[SCORE_BATCH], *top = NULL, c, t;
	float *sc = NULL;
	unsigned char *truth = NULL;
	size_t ni = m->nitems, nb = 0, i, got, j, ntruth;
	double sr = 0, sn = 0, dcg, idcg;
	uint64_t kk, nv = 0, hits;
	int64_t tr, mu;

	memset(out, 0, sizeof(*out));
	if (k == 0)
		return rs_error_set(err, RS_EARG, "validation needs k > 0");
	tmap = malloc(((size_t)test->ncols + 1) * sizeof(*tmap));
	rmap = malloc(((size_t)train->ncols + 1) * sizeof(*rmap));
	sc = rs_dense_alloc(SCORE_BATCH * (ni ? ni : 1));
	truth = calloc(ni + 1, 1);
	top = malloc((size_t)k * sizeof(*top));
	if (!tmap || !rmap || !sc || !truth || !top) {
		free(tmap), free(rmap), rs_dense_free(sc), free(truth);
		free(top);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	for (c = 0; c < test->ncols; c++)
		tmap[c] = rs_model_find_item(m, (uint64_t)csr_col_id(test, c));
	for (c = 0; c < train->ncols; c++)
		rmap[c] = rs_model_find_item(m, (uint64_t)csr_col_id(train,
		    c));
	for (t = 0; t <= test->nrows; t++) {
		if (t < test->nrows) {
			if (test->indptr[t] == test->indptr[t + 1])
				continue;
			tr = csr_find_row(train, test->row_ids ?
			    test->row_ids[t] : t);
			if (tr < 0)
				continue;
			mu = m->kind == RS_MODEL_ALS ? rs_model_find_user(m,
			    train->row_ids ? train->row_ids[tr] :
			    (uint64_t)tr) : 0;
			if (mu < 0)
				continue;
			users[nb] = mu;
			trow[nb] = (uint32_t)tr;
			rows[nb++] = t;
			if (nb < SCORE_BATCH)
				continue;
		}
		if (nb == 0)
			break;
		rs_model_score(m, users, nb, sc);
		for (i = 0; i < nb; i++) {
			float *s = sc + i * ni;

			for (kk = train->indptr[trow[i]];
			    kk < train->indptr[trow[i] + 1]; kk++)
				if (rmap[train->indices[kk]] >= 0)
					s[rmap[train->indices[kk]]] = -INFINITY;
			ntruth = 0;
			for (kk = test->indptr[rows[i]];
			    kk < test->indptr[rows[i] + 1]; kk++) {
				ntruth++;
				if (tmap[test->indices[kk]] >= 0)
					truth[tmap[test->indices[kk]]] = 1;
			}
			got = rs_topk(s, ni, k, top, NULL);
			hits = 0;
			dcg = idcg = 0;
			for (j = 0; j < got; j++)
				if (truth[top[j]]) {
					hits++;
					dcg += rs_metrics_discount(j + 1);
				}
			for (j = 0; j < k && j < ntruth; j++)
				idcg += rs_metrics_discount(j + 1);
			sr += (double)hits / (double)ntruth;
			sn += dcg / idcg;
			nv++;
			for (kk = test->indptr[rows[i]];
			    kk < test->indptr[rows[i] + 1]; kk++)
				if (tmap[test->indices[kk]] >= 0)
					truth[tmap[test->indices[kk]]] = 0;
		}
		nb = 0;
	}
	if (nv > 0) {
		out->recall = sr / (double)nv;
		out->ndcg = sn / (double)nv;
	}
	out->visitors = nv;
	free(tmap), free(rmap), rs_dense_free(sc), free(truth), free(top);
	return 0;
}

uint32_t
rs_model_digest(const struct rs_csr *m)
{
	unsigned char b[16];
	uint32_t crc = 0, i;
	uint64_t k;

	rs_put_le32(b, m->nrows);
	rs_put_le32(b + 4, m->ncols);
	rs_put_le64(b + 8, m->nnz);
	crc = rs_crc32c(crc, b, 16);
	for (i = 0; i < m->nrows && m->row_ids; i++) {
		rs_put_le64(b, m->row_ids[i]);
		crc = rs_crc32c(crc, b, 8);
	}
	for (i = 0; i < m->ncols && m->col_ids; i++) {
		rs_put_le64(b, m->col_ids[i]);
		crc = rs_crc32c(crc, b, 8);
	}
	for (i = 0; i <= m->nrows; i++) {
		rs_put_le64(b, m->indptr[i]);
		crc = rs_crc32c(crc, b, 8);
	}
	for (k = 0; k < m->nnz; k++) {
		rs_put_le32(b, m->indices[k]);
		rs_put_f32(b + 4, m->values[k]);
		crc = rs_crc32c(crc, b, 8);
	}
	return crc;
}

void
rs_model_free(struct rs_model *m)
{
	unsigned i;
	int k;

	if (m == NULL)
		return;
	if (m->owned) {
		free((void *)(uintptr_t)m->user_ids);
		free((void *)(uintptr_t)m->item_ids);
		rs_dense_free((void *)(uintptr_t)m->X);
		rs_dense_free((void *)(uintptr_t)m->Y);
		rs_dense_free((void *)(uintptr_t)m->scores);
	}
	for (i = 0; i < T_N; i++)
		rs_extent_release(&m->ext[i]);
	for (k = 0; k < RS_SPACE_N; k++) {
		if (m->has_space[k] && m->space[k].borrowed) {
			free(m->space[k].pos);
			free(m->space[k].mu);
		} else if (m->has_space[k]) {
			rs_space_free(&m->space[k]);
		}
		for (i = 0; i < S_N; i++)
			rs_extent_release(&m->sext[k][i]);
	}
	for (i = 0; i < m->nmeta; i++) {
		free(m->meta[2 * i]);
		free(m->meta[2 * i + 1]);
	}
	free(m->meta);
	free(m);
}

static int
meta_double(const struct rs_model *m, const char *key, double *v,
    struct rs_error *err)
{
	const char *s = rs_model_meta(m, key);
	char *end;
	double d;

	if (s == NULL)
		return 0;
	d = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(d) || d < 0)
		return rs_error_set(err, RS_EFORMAT, "model metadata '%s': "
		    "'%s' is not a number", key, s);
	*v = d;
	return 0;
}

int
rs_model_fold_params(const struct rs_model *m, struct rs_model_fold *fp,
    struct rs_error *err)
{
	const char *c;
	int rc;

	fp->alpha = 40;
	fp->regularization = 0.1;
	fp->epsilon = 1;
	fp->log_confidence = 0;
	if ((rc = meta_double(m, "alpha", &fp->alpha, err)) < 0 ||
	    (rc = meta_double(m, "regularization", &fp->regularization,
	    err)) < 0 ||
	    (rc = meta_double(m, "epsilon", &fp->epsilon, err)) < 0)
		return rc;
	if (!(fp->epsilon > 0))
		return rs_error_set(err, RS_EFORMAT, "model metadata "
		    "'epsilon': must be above 0");
	if ((c = rs_model_meta(m, "confidence")) != NULL) {
		if (strcmp(c, "linear") == 0)
			fp->log_confidence = 0;
		else if (strcmp(c, "log") == 0)
			fp->log_confidence = 1;
		else
			return rs_error_set(err, RS_EFORMAT, "model metadata "
			    "'confidence': unknown value '%s'", c);
	}
	return 0;
}

int
rs_model_set_meta(struct rs_model *m, const char *key, const char *value,
    struct rs_error *err)
{
	char **nm, *v;
	unsigned i;

	if ((v = strdup(value)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->meta[2 * i], key) == 0) {
			free(m->meta[2 * i + 1]);
			m->meta[2 * i + 1] = v;
			return 0;
		}
	if ((nm = realloc(m->meta, (2 * (size_t)m->nmeta + 2) *
	    sizeof(*nm))) == NULL) {
		free(v);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	m->meta = nm;
	if ((nm[2 * m->nmeta] = strdup(key)) == NULL) {
		free(v);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	nm[2 * m->nmeta++ + 1] = v;
	return 0;
}
