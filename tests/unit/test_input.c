/*
 * test_input.c - plain and zstd input from memory and from a pipe:
 * sniffing, several frames, truncated and corrupt frames, exact fills.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "input.h"
#include "tap.h"

static const char text[] = "timestamp,visitorid,event,itemid,transactionid\n"
    "1433221332117,257597,view,355908,\n";

/* Reads everything of in into buf (cap bytes); returns the count or <0. */
static long
slurp(struct rs_input *in, char *buf, size_t cap, size_t step,
    struct rs_error *err)
{
	size_t got = 0;
	long n;

	for (;;) {
		n = rs_input_read(in, buf + got,
		    cap - got < step ? cap - got : step, err);
		if (n < 0)
			return n;
		if (n == 0)
			return (long)got;
		got += (size_t)n;
	}
}

static size_t
compress(const void *src, size_t n, unsigned char *dst, size_t cap)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t r;

	/* As the zstd tool does: with the content checksum. */
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	r = ZSTD_compress2(cc, dst, cap, src, n);
	ZSTD_freeCCtx(cc);
	if (ZSTD_isError(r))
		abort();
	return r;
}

static void
test_input__plain_mem(void)
{
	struct rs_input *in;
	struct rs_error err;
	char buf[256];
	size_t step;

	for (step = 1; step < 6; step++) {
		CHECK(rs_input_open_mem(&in, text, strlen(text), "t", &err) ==
		    0);
		CHECK(!rs_input_is_zstd(in));
		CHECK_EQ_U64(slurp(in, buf, sizeof(buf), step, &err),
		    strlen(text));
		CHECK(memcmp(buf, text, strlen(text)) == 0);
		rs_input_free(in);
	}
}

static void
test_input__short_plain(void)
{
	struct rs_input *in;
	struct rs_error err;
	char buf[8];

	CHECK(rs_input_open_mem(&in, "ab", 2, "t", &err) == 0);
	CHECK_EQ_U64(rs_input_fill(in, buf, sizeof(buf), &err), 2);
	CHECK(memcmp(buf, "ab", 2) == 0);
	CHECK_EQ_U64(rs_input_fill(in, buf, sizeof(buf), &err), 0);
	rs_input_free(in);
	CHECK(rs_input_open_mem(&in, "", 0, "t", &err) == 0);
	CHECK_EQ_U64(rs_input_fill(in, buf, sizeof(buf), &err), 0);
	rs_input_free(in);
}

static void
test_input__zstd_frames(void)
{
	unsigned char z[1024];
	struct rs_input *in;
	struct rs_error err;
	char buf[512], want[512];
	size_t n, m, step;

	/* Two frames back to back read as the two texts joined. */
	n = compress(text, strlen(text), z, sizeof(z));
	m = compress(text, 10, z + n, sizeof(z) - n);
	memcpy(want, text, strlen(text));
	memcpy(want + strlen(text), text, 10);
	for (step = 1; step < 40; step += 7) {
		CHECK(rs_input_open_mem(&in, z, n + m, "t.zst", &err) == 0);
		CHECK(rs_input_is_zstd(in));
		CHECK_EQ_U64(slurp(in, buf, sizeof(buf), step, &err),
		    strlen(text) + 10);
		CHECK(memcmp(buf, want, strlen(text) + 10) == 0);
		rs_input_free(in);
	}
}

static void
test_input__zstd_truncated(void)
{
	unsigned char z[1024];
	struct rs_input *in;
	struct rs_error err;
	char buf[512];
	size_t n, cut;

	n = compress(text, strlen(text), z, sizeof(z));
	for (cut = 4; cut < n; cut += 3) {
		CHECK(rs_input_open_mem(&in, z, cut, "t.zst", &err) == 0);
		CHECK(slurp(in, buf, sizeof(buf), 512, &err) == RS_ETRUNC);
		CHECK_STR(err.msg, "t.zst: truncated zstd stream");
		rs_input_free(in);
	}
}

static void
test_input__zstd_corrupt(void)
{
	unsigned char z[1024];
	struct rs_input *in;
	struct rs_error err;
	char buf[512];
	size_t n;
	long r;

	n = compress(text, strlen(text), z, sizeof(z));
	z[n - 2] ^= 0x55;	/* inside the content checksum */
	CHECK(rs_input_open_mem(&in, z, n, "t.zst", &err) == 0);
	r = slurp(in, buf, sizeof(buf), 512, &err);
	CHECK(r == RS_ECORRUPT);
	CHECK(strncmp(err.msg, "t.zst: corrupt zstd stream: ", 28) == 0);
	rs_input_free(in);
}

static void
test_input__pipe(void)
{
	unsigned char z[1024];
	struct rs_input *in;
	struct rs_error err;
	char buf[512];
	size_t n;
	int fd[2];

	n = compress(text, strlen(text), z, sizeof(z));
	CHECK(pipe(fd) == 0);
	CHECK(write(fd[1], z, n) == (ssize_t)n);
	close(fd[1]);
	CHECK(rs_input_open(&in, fd[0], "<stdin>", &err) == 0);
	CHECK(rs_input_is_zstd(in));
	CHECK_STR(rs_input_name(in), "<stdin>");
	CHECK_EQ_U64(rs_input_fill(in, buf, sizeof(buf), &err),
	    strlen(text));
	CHECK(memcmp(buf, text, strlen(text)) == 0);
	rs_input_free(in);
	close(fd[0]);
}

static void
test_input__read_error(void)
{
	struct rs_input *in;
	struct rs_error err;

	/* A closed descriptor fails at the sniff. */
	CHECK(rs_input_open(&in, 1000, "bad", &err) == RS_EIO);
	CHECK(in == NULL);
	CHECK(strncmp(err.msg, "bad: read error: ", 17) == 0);
	rs_input_free(NULL);
}

int
main(void)
{
	RUN(test_input__plain_mem);
	RUN(test_input__short_plain);
	RUN(test_input__zstd_frames);
	RUN(test_input__zstd_truncated);
	RUN(test_input__zstd_corrupt);
	RUN(test_input__pipe);
	RUN(test_input__read_error);
	return tap_done();
}
