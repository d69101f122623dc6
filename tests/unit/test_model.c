/*
 * test_model.c - model streams (ALS and popular round trips, metadata,
 * wrong kind), scoring against explicit dot products, the validation
 * metrics on a hand-checked case, and the input digest.
 */
#include <fcntl.h>
#include <unistd.h>

#include "rs.h"
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

int
main(void)
{
	RUN(test_model__als_round_trip);
	RUN(test_model__popular_round_trip_and_kind);
	RUN(test_model__grows_through_pipe);
	RUN(test_model__score);
	RUN(test_model__validate_by_hand);
	RUN(test_model__digest);
	return tap_done();
}
