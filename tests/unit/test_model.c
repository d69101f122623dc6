/*
 * test_model.c - model streams (ALS and popular round trips, metadata,
 * wrong kind, format 2.0 and 1.0, damaged files), scoring against
 * explicit dot products, the validation metrics on a hand-checked case,
 * the input digest, and the scan spaces a model carries.
 */
#include <fcntl.h>
#include <unistd.h>

#include "rs.h"
#include "crc32c.h"
#include "rng.h"
#include "tap.h"

static int
tmpfd(void)
{
	char path[] = "/tmp/test_model.XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

static void
test_model__als_round_trip(void)
{
	uint64_t uids[3] = { 5, 9, 1000000000000ull }, iids[2] = { 1, 2 };
	float X[3 * 2] = { 1, 2, 3, 4, -5, 0.25f }, Y[2 * 2] = { 1, 0, 0.5f, 1 };
	struct rs_meta meta[2] = { { "model", "als" }, { "factors", "2" } };
	struct rs_writer_opts o;
	struct rs_model *v, *m;
	struct rs_error err;
	int fd = tmpfd();

	CHECK(rs_model_als_view(&v, uids, 3, iids, 2, 2, X, Y, &err) == 0);
	rs_writer_opts_init(&o);
	o.raw = 1;
	CHECK(rs_model_write(v, fd, "t", meta, 2, &o, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_model_load(&m, fd, "t", &err) == 0);
	if (m == NULL) {
		printf("# %s\n", err.msg);
		return;
	}
	CHECK(rs_model_kind(m) == RS_MODEL_ALS);
	CHECK_EQ_U64(rs_model_nusers(m), 3);
	CHECK_EQ_U64(rs_model_nitems(m), 2);
	CHECK_EQ_U64(rs_model_factors(m), 2);
	CHECK_EQ_U64(rs_model_user_ids(m)[2], 1000000000000ull);
	CHECK(memcmp(rs_model_user_factors(m), X, sizeof(X)) == 0);
	CHECK(memcmp(rs_model_item_factors(m), Y, sizeof(Y)) == 0);
	CHECK_STR(rs_model_meta(m, "factors"), "2");
	CHECK(rs_model_meta(m, "nope") == NULL);
	CHECK(rs_model_find_user(m, 9) == 1);
	CHECK(rs_model_find_user(m, 10) == -1);
	CHECK(rs_model_find_item(m, 2) == 1);
	rs_model_free(m);
	rs_model_free(v);
	rs_model_free(NULL);
	close(fd);
}

static void
test_model__popular_round_trip_and_kind(void)
{
	uint64_t iids[3] = { 10, 20, 30 };
	float s[3] = { 3, 1, 2 };
	struct rs_meta meta[1] = { { "model", "popular" } };
	struct rs_model *v, *m;
	struct rs_error err;
	struct rs_csr *c;
	int fd = tmpfd(), fd2 = tmpfd();

	CHECK(rs_model_popular_view(&v, iids, 3, s, &err) == 0);
	CHECK(rs_model_write(v, fd, "t", meta, 1, NULL, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_model_load(&m, fd, "t", &err) == 0);
	CHECK(m != NULL && rs_model_kind(m) == RS_MODEL_POPULAR);
	CHECK(m != NULL && memcmp(rs_model_item_scores(m), s, sizeof(s)) == 0);
	rs_model_free(m);
	rs_model_free(v);
	/* A matrix stream is not a model. */
	CHECK(rs_csr_alloc(&c, 1, 1, 1, NULL) == 0);
	c->indptr[1] = 1;
	c->indices[0] = 0;
	c->values[0] = 1;
	c->row_ids[0] = c->col_ids[0] = 1;
	CHECK(rs_csr_write(c, fd2, "m", NULL, 0, NULL, &err) == 0);
	CHECK(lseek(fd2, 0, SEEK_SET) == 0);
	CHECK(rs_model_load(&m, fd2, "m", &err) == RS_EFORMAT);
	CHECK(strstr(err.msg, "model") != NULL);
	rs_csr_free(c);
	close(fd);
	close(fd2);
}

/* A pipe holding the (small) stream in file fd: no length to check. */
static int
pipe_of(int fd)
{
	static char buf[60000];
	ssize_t n;
	int p[2];

	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	n = read(fd, buf, sizeof(buf));
	CHECK(n > 0 && n < (ssize_t)sizeof(buf));
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], buf, (size_t)n) == n);
	close(p[1]);
	return p[0];
}

/*
 * Regression (crafted row counts): the reader no longer sizes its arrays
 * by the header's claim, but by what the stream can hold, growing as rows
 * arrive.  Through a pipe with a 16-byte cap, every array grows from two
 * rows; the model must come out the same.
 */
static void
test_model__grows_through_pipe(void)
{
	enum { NU = 1000, NI = 500, F = 3 };
	static uint64_t uids[NU], iids[NI];
	static float X[NU * F], Y[NI * F];
	struct rs_meta meta[1] = { { "model", "als" } };
	struct rs_writer_opts o;
	struct rs_reader *r;
	struct rs_model *v, *m;
	struct rs_error err;
	int fd = tmpfd(), in, i;

	for (i = 0; i < NU * F; i++)
		X[i] = (float)i / 7;
	for (i = 0; i < NI * F; i++)
		Y[i] = -(float)i / 3;
	for (i = 0; i < NU; i++)
		uids[i] = 3 * (uint64_t)i + 1;
	for (i = 0; i < NI; i++)
		iids[i] = 5 * (uint64_t)i;
	CHECK(rs_model_als_view(&v, uids, NU, iids, NI, F, X, Y, &err) == 0);
	rs_writer_opts_init(&o);
	o.raw = 1;
	CHECK(rs_model_write(v, fd, "t", meta, 1, &o, &err) == 0);
	in = pipe_of(fd);
	CHECK(rs_reader_open(&r, in, "t", &err) == 0);
	rs_reader_set_prealloc(r, 16);
	CHECK(rs_model_read(r, &m, &err) == 0);
	if (m != NULL) {
		CHECK_EQ_U64(rs_model_nusers(m), NU);
		CHECK_EQ_U64(rs_model_nitems(m), NI);
		CHECK(memcmp(rs_model_user_ids(m), uids, sizeof(uids)) == 0);
		CHECK(memcmp(rs_model_item_ids(m), iids, sizeof(iids)) == 0);
		CHECK(memcmp(rs_model_user_factors(m), X, sizeof(X)) == 0);
		CHECK(memcmp(rs_model_item_factors(m), Y, sizeof(Y)) == 0);
	}
	rs_model_free(m);
	rs_reader_free(r);
	close(in);
	rs_model_free(v);
	close(fd);
}

static void
test_model__score(void)
{
	uint64_t uids[3] = { 1, 2, 3 }, iids[3] = { 1, 2, 3 };
	float X[3 * 2] = { 1, 2, 3, 4, 5, 6 };
	float Y[3 * 2] = { 1, 0, 0, 1, 1, -1 };
	int64_t users[4] = { 1, 2, -1, 0 };
	float sc[4 * 3];
	struct rs_model *v;
	int i, j;

	CHECK(rs_model_als_view(&v, uids, 3, iids, 3, 2, X, Y, NULL) == 0);
	rs_model_score(v, users, 4, sc);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 3; j++) {
			float want = users[i] < 0 ? 0 :
			    X[users[i] * 2] * Y[j * 2] +
			    X[users[i] * 2 + 1] * Y[j * 2 + 1];
			CHECK(sc[i * 3 + j] == want);
		}
	rs_model_free(v);
}

/*
 * Visitor 1 has train item 10 and test items {20, 40}; visitor 2 has
 * train item 20 and test item 10; visitor 3 is not in train.  Popular
 * scores 10 > 20 > 30 > 40.  k = 2:
 *   visitor 1: ranking (10 excluded) 20, 30 -> 1 hit of 2, recall 1/2,
 *              DCG 1, IDCG 1 + 1/log2(3), NDCG 1/(1 + 0.6309)
 *   visitor 2: ranking (20 excluded) 10, 30 -> recall 1, NDCG 1
 */
static void
test_model__validate_by_hand(void)
{
	uint64_t iids[4] = { 10, 20, 30, 40 };
	float s[4] = { 4, 3, 2, 1 };
	struct rs_csr *tr, *te;
	struct rs_model *v;
	struct rs_model_eval ev;

	CHECK(rs_csr_alloc(&tr, 2, 2, 2, NULL) == 0);
	tr->row_ids[0] = 1, tr->row_ids[1] = 2;
	tr->col_ids[0] = 10, tr->col_ids[1] = 20;
	tr->indptr[1] = 1, tr->indptr[2] = 2;
	tr->indices[0] = 0, tr->indices[1] = 1;
	tr->values[0] = tr->values[1] = 1;
	CHECK(rs_csr_alloc(&te, 3, 3, 4, NULL) == 0);
	te->row_ids[0] = 1, te->row_ids[1] = 2, te->row_ids[2] = 3;
	te->col_ids[0] = 10, te->col_ids[1] = 20, te->col_ids[2] = 40;
	te->indptr[1] = 2, te->indptr[2] = 3, te->indptr[3] = 4;
	te->indices[0] = 1, te->indices[1] = 2;
	te->indices[2] = 0, te->indices[3] = 0;
	te->values[0] = te->values[1] = te->values[2] = te->values[3] = 1;
	CHECK(rs_model_popular_view(&v, iids, 4, s, NULL) == 0);
	CHECK(rs_model_validate(v, tr, te, 2, &ev, NULL) == 0);
	CHECK_EQ_U64(ev.visitors, 2);
	CHECK_NEAR(ev.recall, (0.5 + 1) / 2, 1e-12);
	CHECK_NEAR(ev.ndcg, (1 / (1 + 1 / log2(3)) + 1) / 2, 1e-12);
	rs_model_free(v);
	rs_csr_free(tr);
	rs_csr_free(te);
}

static void
test_model__digest(void)
{
	struct rs_csr *c;
	uint32_t d1, d2;

	CHECK(rs_csr_alloc(&c, 2, 2, 2, NULL) == 0);
	c->row_ids[0] = 1, c->row_ids[1] = 2;
	c->col_ids[0] = 1, c->col_ids[1] = 2;
	c->indptr[1] = 1, c->indptr[2] = 2;
	c->indices[0] = 0, c->indices[1] = 1;
	c->values[0] = 1, c->values[1] = 2;
	d1 = rs_model_digest(c);
	CHECK(d1 == rs_model_digest(c));
	c->values[1] = 3;
	d2 = rs_model_digest(c);
	CHECK(d1 != d2);
	rs_csr_free(c);
}

/* ---- format 2.0 models, and 1.0 ones ---- */

/* A model big enough that its user factors are mapped from a raw file. */
enum { BU = 6000, BI = 700, BF = 64 };
static uint64_t big_uids[BU], big_iids[BI];
static float big_X[BU * BF], big_Y[BI * BF];

static struct rs_model *
big_view(void)
{
	struct rs_model *v;
	size_t i;

	for (i = 0; i < BU; i++)
		big_uids[i] = 11 * (uint64_t)i + 3;
	for (i = 0; i < BI; i++)
		big_iids[i] = 5 * (uint64_t)i + 1;
	for (i = 0; i < (size_t)BU * BF; i++)
		big_X[i] = (float)(i % 1013) / 17 - 30;
	for (i = 0; i < (size_t)BI * BF; i++)
		big_Y[i] = 1 / (float)(i + 1);
	CHECK(rs_model_als_view(&v, big_uids, BU, big_iids, BI, BF, big_X,
	    big_Y, NULL) == 0);
	return v;
}

static int
same_as_big(const struct rs_model *m)
{
	return m != NULL && rs_model_kind(m) == RS_MODEL_ALS &&
	    rs_model_nusers(m) == BU && rs_model_nitems(m) == BI &&
	    rs_model_factors(m) == BF &&
	    memcmp(rs_model_user_ids(m), big_uids, sizeof(big_uids)) == 0 &&
	    memcmp(rs_model_item_ids(m), big_iids, sizeof(big_iids)) == 0 &&
	    memcmp(rs_model_user_factors(m), big_X, sizeof(big_X)) == 0 &&
	    memcmp(rs_model_item_factors(m), big_Y, sizeof(big_Y)) == 0;
}

/*
 * The model as the 1.0 writer wrote it (rs_model_write before 2.0): the
 * same tables in blocks of at most 1 MiB, zstd unless raw.  This is the
 * documented way the tests make old files; tests/data/streams/1.0 holds
 * ones the old writer made itself.
 */
static void
write_v1(const struct rs_model *m, int fd, int raw)
{
	struct rs_column c_user = { "visitorid", RS_T_ID, 1, NULL, 0 };
	struct rs_column c_item = { "itemid", RS_T_ID, 1, NULL, 0 };
	struct rs_column c_fac = { "factors", RS_T_F32, BF, NULL, 0 };
	struct rs_table_desc t[4] = {
		{ "users", BU, 1, &c_user }, { "items", BI, 1, &c_item },
		{ "user_factors", BU, 1, &c_fac },
		{ "item_factors", BI, 1, &c_fac },
	};
	struct rs_meta meta[1] = { { "model", "als" } };
	struct rs_stream_desc d = { RS_KIND_MODEL, 4, t, 1, meta };
	const uint64_t *ids[2] = { rs_model_user_ids(m), rs_model_item_ids(m) };
	const float *fac[2] = { rs_model_user_factors(m),
	    rs_model_item_factors(m) };
	uint32_t n[2] = { BU, BI }, i, k, j, per;
	struct rs_writer_opts o;
	struct rs_writer *w;
	struct rs_error err;
	unsigned char *buf = malloc(1u << 20);

	rs_writer_opts_init(&o);
	o.raw = raw;
	CHECK(rs_writer_open(&w, fd, "v1", &d, &o, &err) == 0);
	for (j = 0; j < 2; j++) {
		for (i = 0; i < n[j]; i += k) {
			k = n[j] - i < (1u << 17) ? n[j] - i : 1u << 17;
			for (per = 0; per < k; per++)
				rs_put_le64(buf + 8 * per, ids[j][i + per]);
			CHECK(rs_writer_put_block(w, buf, 8 * k, k, &err) == 0);
		}
		CHECK(rs_writer_end_table(w, &err) == 0);
	}
	for (j = 0; j < 2; j++) {
		for (i = 0; i < n[j]; i += k) {
			k = n[j] - i < 1024 ? n[j] - i : 1024;
			for (per = 0; per < k * BF; per++)
				rs_put_f32(buf + 4 * per,
				    fac[j][(size_t)i * BF + per]);
			CHECK(rs_writer_put_block(w, buf, 4 * BF * k, k,
			    &err) == 0);
		}
		CHECK(rs_writer_end_table(w, &err) == 0);
	}
	CHECK(rs_writer_finish(w, &err) == 0);
	rs_writer_free(w);
	free(buf);
}

/* Writes m raw (2.0, the default) or zstd into a new file at 0. */
static int
model_file(const struct rs_model *m, int raw)
{
	struct rs_meta meta[1] = { { "model", "als" } };
	struct rs_writer_opts o;
	struct rs_error err;
	int fd = tmpfd();

	rs_writer_opts_init(&o);
	o.raw = raw;
	CHECK(rs_model_write(m, fd, "t", meta, 1, raw ? NULL : &o, &err) == 0);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/*
 * 2.0 models read the same raw (mapped) and zstd (copied), and 1.0
 * models, raw and zstd, still read: the arrays are the same bits.
 */
static void
test_model__versions_round_trip(void)
{
	struct rs_reader *r;
	struct rs_model *v = big_view(), *m;
	struct rs_error err;
	int raw, fd;

	for (raw = 0; raw <= 1; raw++) {
		fd = model_file(v, raw);
		CHECK(rs_reader_open(&r, fd, "t", &err) == 0);
		CHECK_EQ_U64(rs_reader_major(r), 2);
		CHECK_EQ_U64(rs_reader_layout(r, 3), RS_LAYOUT_EXTENT);
		CHECK(rs_model_read(r, &m, &err) == 0);
		CHECK(same_as_big(m));
		rs_model_free(m);
		rs_reader_free(r);
		close(fd);

		fd = tmpfd();
		write_v1(v, fd, raw);
		lseek(fd, 0, SEEK_SET);
		CHECK(rs_reader_open(&r, fd, "v1", &err) == 0);
		CHECK_EQ_U64(rs_reader_major(r), 1);
		CHECK(rs_model_read(r, &m, &err) == 0);
		CHECK(same_as_big(m));
		rs_model_free(m);
		rs_reader_free(r);
		close(fd);
	}
	rs_model_free(v);
}

/* A copy of the file behind fd, its length in *len. */
static unsigned char *
slurp(int fd, size_t *len)
{
	unsigned char *b;

	*len = (size_t)lseek(fd, 0, SEEK_END);
	b = malloc(*len);
	CHECK(pread(fd, b, *len, 0) == (ssize_t)*len);
	return b;
}

/* Loads the len bytes at b as file "t.rsa": 0, or the error. */
static int
load_bytes(const unsigned char *b, size_t len, struct rs_error *err)
{
	struct rs_model *m = NULL;
	int fd = tmpfd(), rc;

	CHECK(write(fd, b, len) == (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	rc = rs_model_load(&m, fd, "t.rsa", err);
	if (rc == 0)
		CHECK(same_as_big(m));
	rs_model_free(m);
	close(fd);
	return rc;
}

/*
 * The payload offset of table t's records in a raw 2.0 model, found by
 * walking the extents (ids, ids, factors, factors) after the header.
 */
static size_t
records_at(const unsigned char *b, unsigned t)
{
	const size_t w[4] = { 8, 8, 4 * BF, 4 * BF }, n[4] = { BU, BI, BU, BI };
	size_t off = rs_get_le32(b + 16);
	unsigned i;

	for (i = 0;; i++) {
		off = (off + RS_EXTENT_ALIGN - 1) &
		    ~(size_t)(RS_EXTENT_ALIGN - 1);
		if (i == t)
			return off;
		off += n[i] * w[i] + 20;
	}
}

/*
 * A damaged 2.0 model is refused with an error naming the file, never
 * read as another model or crashing: cut short (in the factors and in
 * the last trailer), a flipped byte among the factors, a header (with a
 * valid CRC) claiming more users than the file holds, and a NaN or
 * unordered ids whose CRC was made to fit.
 */
static void
test_model__damaged(void)
{
	struct rs_model *v = big_view();
	struct rs_error err;
	unsigned char *b;
	size_t len, uf, us, hlen, i;
	uint64_t a;
	int fd = model_file(v, 1);

	b = slurp(fd, &len);
	close(fd);
	CHECK(load_bytes(b, len, &err) == 0);
	uf = records_at(b, 2);
	us = records_at(b, 0);
	CHECK(rs_get_le64(b + us) == big_uids[0]);

	/* Cut where the user factors' claim still fits the file. */
	CHECK(load_bytes(b, uf + 4 * BF * (BU - 10), &err) == RS_ETRUNC);
	CHECK_STR(err.msg, "t.rsa: truncated stream (input ends before the "
	    "end marker)");
	CHECK(load_bytes(b, len - 3, &err) == RS_ETRUNC);
	/* Cut so short that it no longer does. */
	CHECK(load_bytes(b, uf + 1000, &err) == RS_ECORRUPT);
	CHECK_STR(err.msg, "t.rsa: table 'user_factors' claims 6000 rows of "
	    "at least 256 bytes, more than the stream's 54952 bytes can hold");

	b[uf + 4 * BF * 4000 + 5] ^= 0x40;
	CHECK(load_bytes(b, len, &err) == RS_ECORRUPT);
	CHECK_STR(err.msg, "t.rsa: corrupt stream (table 'user_factors' "
	    "checksum mismatch)");
	b[uf + 4 * BF * 4000 + 5] ^= 0x40;

	/* The users' and user factors' row counts, CRC fixed. */
	hlen = rs_get_le32(b + 16);
	CHECK(memcmp(b + 30, "users", 5) == 0);
	rs_put_le64(b + 35, (uint64_t)BU * 1000);
	for (i = 0; i + 12 < hlen; i++)
		if (memcmp(b + i, "user_factors", 12) == 0)
			rs_put_le64(b + i + 12, (uint64_t)BU * 1000);
	rs_put_le32(b + hlen - 4, rs_crc32c(0, b, hlen - 4));
	CHECK(load_bytes(b, len, &err) == RS_ECORRUPT);
	CHECK_STR(err.msg, "t.rsa: table 'users' claims 6000000 rows of at "
	    "least 8 bytes, more than the stream's 1769236 bytes can hold");
	free(b);

	/* A NaN, and two ids swapped, with the tables' CRCs made to fit. */
	fd = model_file(v, 1);
	b = slurp(fd, &len);
	close(fd);
	rs_put_le32(b + uf + 4 * (BF * 17 + 3), 0x7fc00000u);
	rs_put_le32(b + uf + 4 * BF * BU + 16,
	    rs_crc32c(0, b + uf, 4 * (size_t)BF * BU));
	CHECK(load_bytes(b, len, &err) == RS_ECORRUPT);
	CHECK_STR(err.msg, "t.rsa: table 'user_factors' row 17: value is not "
	    "finite");
	free(b);
	fd = model_file(v, 1);
	b = slurp(fd, &len);
	close(fd);
	a = rs_get_le64(b + us + 8 * 100);
	rs_put_le64(b + us + 8 * 100, rs_get_le64(b + us + 8 * 101));
	rs_put_le64(b + us + 8 * 101, a);
	rs_put_le32(b + us + 8 * BU + 16, rs_crc32c(0, b + us, 8 * BU));
	CHECK(load_bytes(b, len, &err) == RS_ECORRUPT);
	CHECK_STR(err.msg, "t.rsa: ids are not strictly ascending");
	free(b);
	rs_model_free(v);
}

/* ---- scan spaces (space.h), built and stored ---- */

/* More items than two build slices (space.c's SLICE_MIN is 16 384). */
enum { SN = 40000, SF = 12 };
static uint64_t sp_uids[1] = { 7 }, sp_iids[SN];
static float sp_X[SF], sp_Y[SN * SF];

/* 1 if spaces a and b hold the same bytes. */
static int
same_space(const struct rs_space *a, const struct rs_space *b)
{
	const size_t n = a->n, f = a->f;

	return a->n == b->n && a->f == b->f && a->qst == b->qst &&
	    memcmp(a->ord, b->ord, n * sizeof(*a->ord)) == 0 &&
	    memcmp(a->pos, b->pos, n * sizeof(*a->pos)) == 0 &&
	    memcmp(a->norm, b->norm, n * sizeof(*a->norm)) == 0 &&
	    memcmp(a->Ys, b->Ys, n * f * sizeof(*a->Ys)) == 0 &&
	    memcmp(a->Q8, b->Q8, n * a->qst) == 0 &&
	    memcmp(a->qs, b->qs, n * sizeof(*a->qs)) == 0 &&
	    memcmp(a->qn, b->qn, n * sizeof(*a->qn)) == 0 &&
	    memcmp(a->qe, b->qe, n * sizeof(*a->qe)) == 0 &&
	    memcmp(a->mu, b->mu, f * sizeof(*a->mu)) == 0 &&
	    a->mu_norm == b->mu_norm && a->ymax == b->ymax;
}

static struct rs_model *
space_view(void)
{
	struct rs_model *v;
	struct rs_rng g;
	size_t i, a;

	rs_rng_seed(&g, 42);
	for (i = 0; i < SN; i++) {
		sp_iids[i] = 3 * (uint64_t)i + 2;
		for (a = 0; a < SF; a++)
			sp_Y[i * SF + a] = (float)rs_rng_normal(&g);
	}
	/* a zero row, and rows tied with others (same norm, ties by row) */
	memset(sp_Y + 5 * SF, 0, SF * sizeof(float));
	memcpy(sp_Y + 17 * SF, sp_Y + 9 * SF, SF * sizeof(float));
	memcpy(sp_Y + (SN - 1) * SF, sp_Y + 9 * SF, SF * sizeof(float));
	CHECK(rs_model_als_view(&v, sp_uids, 1, sp_iids, SN, SF, sp_X, sp_Y,
	    NULL) == 0);
	return v;
}

static void
test_model__spaces(void)
{
	struct rs_meta meta[2] = { { "model", "als" }, { "factors", "12" } };
	struct rs_space b1, b3;
	struct rs_model *v, *m;
	struct rs_error err;
	uint32_t *ord;
	size_t j;
	int k, fd, sorted;

	v = space_view();
	for (k = 0; k < RS_SPACE_N; k++) {
		/* the same bytes in one slice or three */
		CHECK(rs_space_build(&b1, k, sp_Y, SN, SF, 1, &err) == 0);
		CHECK(rs_space_build(&b3, k, sp_Y, SN, SF, 3, &err) == 0);
		CHECK(same_space(&b1, &b3));
		for (j = 0, sorted = 1; j < SN; j++)
			sorted &= b1.pos[b1.ord[j]] == j &&
			    (j == 0 || b1.norm[j] <= b1.norm[j - 1]);
		CHECK(sorted);
		/* ties by lower row: rows 9, 17 and SN - 1 are equal */
		CHECK(b1.pos[9] + 1 == b1.pos[17] && b1.pos[17] + 1 ==
		    b1.pos[SN - 1]);
		rs_space_free(&b3);
		rs_space_free(&b1);
	}
	/* a model without them has none, stored or not */
	CHECK(rs_model_space(v, RS_SPACE_DOT) == NULL);
	CHECK((fd = tmpfd()) >= 0);
	CHECK(rs_model_write(v, fd, "t", meta, 2, NULL, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_model_load(&m, fd, "t", &err) == 0);
	CHECK(m != NULL && rs_model_space(m, RS_SPACE_DOT) == NULL &&
	    rs_model_meta(m, "space_version") == NULL);
	rs_model_free(m);
	close(fd);
	/* stored: the reader's spaces are the built ones */
	CHECK(rs_model_build_spaces(v, 2, &err) == 0);
	CHECK((fd = tmpfd()) >= 0);
	CHECK(rs_model_write(v, fd, "t", meta, 2, NULL, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_model_load(&m, fd, "t", &err) == 0);
	CHECK(m != NULL && rs_model_meta(m, "space_version") != NULL);
	for (k = 0; m != NULL && k < RS_SPACE_N; k++) {
		CHECK(rs_space_build(&b1, k, sp_Y, SN, SF, 1, &err) == 0);
		CHECK(rs_model_space(m, k) != NULL &&
		    same_space(rs_model_space(m, k), &b1));
		rs_space_free(&b1);
	}
	rs_model_free(m);
	close(fd);
	/* an order that is not a permutation is refused, naming the space */
	ord = (uint32_t *)(uintptr_t)rs_model_space(v, RS_SPACE_COS)->ord;
	ord[3] = ord[2];
	CHECK((fd = tmpfd()) >= 0);
	CHECK(rs_model_write(v, fd, "t", meta, 2, NULL, &err) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rs_model_load(&m, fd, "t", &err) == RS_ECORRUPT);
	CHECK(strstr(err.msg, "space 'cos' row 3: order is not a "
	    "permutation") != NULL);
	close(fd);
	rs_model_free(v);
}

int
main(void)
{
	RUN(test_model__als_round_trip);
	RUN(test_model__popular_round_trip_and_kind);
	RUN(test_model__grows_through_pipe);
	RUN(test_model__score);
	RUN(test_model__validate_by_hand);
	RUN(test_model__digest);
	RUN(test_model__versions_round_trip);
	RUN(test_model__damaged);
	RUN(test_model__spaces);
	return tap_done();
}
