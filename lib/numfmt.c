/*
 * numfmt.c - numbers to text without printf.  See numfmt.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "banned.h"

typedef unsigned __int128 u128;

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

size_t
rs_fmt_u64(char *dst, uint64_t v)
{
	char tmp[20];
	size_t n = sizeof(tmp);

	while (v >= 100) {
		const unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		tmp[--n] = digit_pairs[d + 1];
		tmp[--n] = digit_pairs[d];
	}
	if (v >= 10) {
		tmp[--n] = digit_pairs[v * 2 + 1];
		tmp[--n] = digit_pairs[v * 2];
	} else
		tmp[--n] = (char)('0' + v);
	memcpy(dst, tmp + n, sizeof(tmp) - n);
	return sizeof(tmp) - n;
}

size_t
rs_fmt_i64(char *dst, int64_t v)
{
	if (v >= 0)
		return rs_fmt_u64(dst, (uint64_t)v);
	*dst = '-';
	return 1 + rs_fmt_u64(dst + 1, (uint64_t)0 - (uint64_t)v);
}

static u128
pow10_u128(unsigned k)
{
	u128 p = 1;

	while (k-- > 0)
		p *= 10;
	return p;
}

/*
 * floor(m * 2^e * 10^s) and whether the rest is below, at or above one
 * half (-1, 0, 1), exactly.  The callers keep every product in 128 bits:
 * m < 2^24, |s| <= 31, -100 <= e <= 103.
 */
static uint64_t
scaled(uint32_t m, int e, int s, int *half)
{
	u128 n = m, d = 1, q, r;

	if (s >= 0)
		n *= pow10_u128((unsigned)s);
	else
		d = pow10_u128((unsigned)-s);
	if (e >= 0)
		n <<= e;
	else if (s < 0)		/* both divide: one divisor */
		d <<= -e;
	else {
		q = n >> -e;
		r = n - (q << -e);
		d = (u128)1 << -e;
		*half = (r * 2 > d) - (r * 2 < d);
		return (uint64_t)q;
	}
	q = n / d;
	r = n - q * d;
	*half = (r * 2 > d) - (r * 2 < d);
	return (uint64_t)q;
}

size_t
rs_fmt_f32(char *dst, float v)
{
	uint32_t bits, m;
	uint64_t q;
	char dig[9], *p = dst;
	int e, x, half, i, nd;

	memcpy(&bits, &v, sizeof(bits));
	m = bits & 0x7fffffu;
	e = (int)((bits >> 23) & 0xff);
	/* zero and subnormals (e == 0), inf and NaN (255), and the far
	 * ends, where the products below would not fit in 128 bits */
	if (e == 0 || e == 255 || !(fabsf(v) >= 1e-20f && fabsf(v) < 1e30f)) {
		char tmp[RS_FMT_MAX + 8];
		const int n = snprintf(tmp, sizeof(tmp), "%.9g", (double)v);

		memcpy(dst, tmp, (size_t)n);
		return (size_t)n;
	}
	if (bits >> 31)
		*p++ = '-';
	m |= 0x800000u;
	e -= 150;		/* |v| = m * 2^e */
	/* decimal exponent: log10(2) * binary exponent, then corrected */
	x = (int)floor((e + 23) * 0.30102999566398120);
	for (;;) {
		q = scaled(m, e, 8 - x, &half);
		if (q >= 1000000000u)
			x++;
		else if (q < 100000000u)
			x--;
		else
			break;
	}
	if (half > 0 || (half == 0 && (q & 1)))
		q++;
	if (q == 1000000000u) {
		q = 100000000u;
		x++;
	}
	for (i = 8; i >= 0; i--) {
		dig[i] = (char)('0' + q % 10);
		q /= 10;
	}
	for (nd = 9; nd > 1 && dig[nd - 1] == '0'; nd--)
		;
	if (x < -4 || x >= 9) {		/* d.ddde+XX */
		*p++ = dig[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, dig + 1, (size_t)nd - 1);
			p += nd - 1;
		}
		*p++ = 'e';
		*p++ = x < 0 ? '-' : '+';
		if (x < 0)
			x = -x;
		if (x < 10)
			*p++ = '0';
		p += rs_fmt_u64(p, (uint64_t)x);
	} else if (x < 0) {		/* 0.000ddd */
		*p++ = '0';
		*p++ = '.';
		for (i = -1; i > x; i--)
			*p++ = '0';
		memcpy(p, dig, (size_t)nd);
		p += nd;
	} else {			/* ddd.ddd */
		memcpy(p, dig, (size_t)x + 1 < (size_t)nd ? (size_t)x + 1 :
		    (size_t)nd);
		p += x + 1 < nd ? x + 1 : nd;
		for (i = nd; i < x + 1; i++)
			*p++ = '0';
		if (nd > x + 1) {
			*p++ = '.';
			memcpy(p, dig + x + 1, (size_t)(nd - x - 1));
			p += nd - x - 1;
		}
	}
	return (size_t)(p - dst);
}
