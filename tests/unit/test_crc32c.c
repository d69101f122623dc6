/*
 * test_crc32c.c - CRC-32C against published check values (RFC 3720
 * appendix B.4 vectors and the "123456789" check), piecewise use, and
 * the hardware path against the tables.
 */
#include "rs.h"
#include "crc32c.h"
#include "tap.h"

static void
test_crc32c__check_value(void)
{
	CHECK_EQ_U64(rs_crc32c(0, "123456789", 9), 0xE3069283u);
	CHECK_EQ_U64(rs_crc32c(0, "", 0), 0);
}

static void
test_crc32c__rfc3720_vectors(void)
{
	unsigned char buf[32];
	int i;

	memset(buf, 0, sizeof(buf));
	CHECK_EQ_U64(rs_crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ_U64(rs_crc32c(0, buf, 32), 0x62A8AB43u);
	for (i = 0; i < 32; i++)
		buf[i] = (unsigned char)i;
	CHECK_EQ_U64(rs_crc32c(0, buf, 32), 0x46DD794Eu);
	for (i = 0; i < 32; i++)
		buf[i] = (unsigned char)(31 - i);
	CHECK_EQ_U64(rs_crc32c(0, buf, 32), 0x113FDB5Cu);
}

static void
test_crc32c__piecewise_and_unaligned(void)
{
	unsigned char buf[1000];
	uint32_t whole, c;
	size_t i, cut;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	whole = rs_crc32c(0, buf, sizeof(buf));
	for (cut = 0; cut < 20; cut++) {
		c = rs_crc32c(0, buf, cut);
		c = rs_crc32c(c, buf + cut, sizeof(buf) - cut);
		CHECK_EQ_U64(c, whole);
	}
	/* Unaligned starts must agree with a bytewise reference. */
	for (cut = 1; cut < 9; cut++) {
		uint32_t ref = 0;

		for (i = cut; i < 200; i++)
			ref = rs_crc32c(ref, buf + i, 1);
		CHECK_EQ_U64(rs_crc32c(0, buf + cut, 200 - cut), ref);
	}
}

/*
 * The three-chain hardware path against the table-driven one, on lengths
 * around its piece sizes (3 x 256 and 3 x 8192 bytes) and every start
 * alignment, piecewise too.
 */
static void
test_crc32c__hw_matches_portable(void)
{
	static const size_t lens[] = {
		0, 1, 7, 8, 767, 768, 769, 1000, 3 * 8192 - 1, 3 * 8192,
		3 * 8192 + 1, 3 * 8192 + 3 * 256 + 9, 2 * 3 * 8192 + 5,
		100000
	};
	unsigned char *buf = malloc(100000 + 16);
	uint32_t x = 12345, c;
	size_t i, a, bad = 0;

	for (i = 0; i < 100000 + 16; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (a = 0; a < 9; a++) {
			if (rs_crc32c(0, buf + a, lens[i]) !=
			    rs_crc32c_portable(0, buf + a, lens[i]) ||
			    rs_crc32c(0xdeadbeef, buf + a, lens[i]) !=
			    rs_crc32c_portable(0xdeadbeef, buf + a, lens[i]))
				bad++;
			c = rs_crc32c(0, buf + a, lens[i] / 3);
			c = rs_crc32c(c, buf + a + lens[i] / 3,
			    lens[i] - lens[i] / 3);
			if (c != rs_crc32c_portable(0, buf + a, lens[i]))
				bad++;
		}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(rs_crc32c_portable(0, "123456789", 9), 0xE3069283u);
	free(buf);
}

/* The CRC of A B from the CRCs of A and B, at every split of a buffer. */
static void
test_crc32c__combine(void)
{
	static unsigned char buf[4099];
	uint32_t whole, a;
	unsigned bad = 0;
	size_t i, cut;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + (i >> 5));
	whole = rs_crc32c(7, buf, sizeof(buf));
	for (cut = 0; cut <= sizeof(buf); cut++) {
		a = rs_crc32c(7, buf, cut);
		bad += rs_crc32c_combine(a, rs_crc32c(0, buf + cut,
		    sizeof(buf) - cut), sizeof(buf) - cut) != whole;
	}
	CHECK_EQ_U64(bad, 0);
	/* a length with many bits set: a byte, then 1 GiB + 12345 zeros */
	{
		static unsigned char z[1 << 16];
		const unsigned char one = 0x5a;
		const size_t len = ((size_t)1 << 30) + 12345;
		uint32_t zeros = 0, direct = rs_crc32c(0, &one, 1);
		size_t k, left;

		for (left = len; left > 0; left -= k) {
			k = left < sizeof(z) ? left : sizeof(z);
			zeros = rs_crc32c(zeros, z, k);
			direct = rs_crc32c(direct, z, k);
		}
		CHECK_EQ_U64(rs_crc32c_combine(rs_crc32c(0, &one, 1), zeros,
		    len), direct);
	}
}

int
main(void)
{
	RUN(test_crc32c__check_value);
	RUN(test_crc32c__rfc3720_vectors);
	RUN(test_crc32c__piecewise_and_unaligned);
	RUN(test_crc32c__hw_matches_portable);
	RUN(test_crc32c__combine);
	return tap_done();
}
