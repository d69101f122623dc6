/*
 * numtok.c - number tokens of property values (grammar in numtok.h).
 *
 * Conversion: the digits of the token, integer part and fraction
 * together, are gathered into a u64 mantissa m with k fraction digits.
 * When m < 2^53 and k <= 22, both m and 10^k are exact doubles, so m / 10^k
 * is one IEEE division and therefore correctly rounded.  Longer tokens go
 * through strtod on a NUL-terminated copy (the C locale is assumed; the
 * tools never call setlocale).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numtok.h"
#include "banned.h"

static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

int
rs_numtok_parse(const char *s, size_t n, double *v)
{
	const char *p = s + 1, *end = s + n;
	uint64_t m = 0;
	size_t ndig = 0, nfrac = 0, i;
	int neg = 0, dot = 0;
	char buf[64];

	if (n < 2 || s[0] != 'n')
		return -1;
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (p == end || *p < '0' || *p > '9')
		return -1;
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			if (ndig < 19)
				m = m * 10 + (uint64_t)(*p - '0');
			ndig++;
			if (dot)
				nfrac++;
		} else if (*p == '.' && !dot) {
			dot = 1;
			if (p + 1 == end || p[1] < '0' || p[1] > '9')
				return -1;
		} else {
			return -1;
		}
	}
	if (ndig <= 19 && m < (UINT64_C(1) << 53) && nfrac <= 22) {
		*v = (double)m / pow10_exact[nfrac];
	} else {
		if (n - 1 >= sizeof(buf))
			return -1;
		for (i = 1; i < n; i++)
			buf[i - 1] = s[i];
		buf[n - 1] = '\0';
		*v = strtod(buf, NULL);
		return 0;
	}
	if (neg)
		*v = -*v;
	return 0;
}

int
rs_numtok_first(const char *s, size_t n, double *v, const char **bad,
    size_t *badlen)
{
	const char *p = s, *end = s + n, *tok;
	double x;
	int found = 0;

	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		tok = p;
		while (p < end && *p != ' ')
			p++;
		if (p == tok || *tok != 'n')
			continue;
		if (rs_numtok_parse(tok, (size_t)(p - tok), &x) < 0) {
			if (bad != NULL)
				*bad = tok;
			if (badlen != NULL)
				*badlen = (size_t)(p - tok);
			return -1;
		}
		if (!found) {
			*v = x;
			found = 1;
		}
	}
	return found;
}
