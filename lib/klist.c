/*
 * klist.c - K lists (grammar and the set rule in klist.h).
 *
 * One pass over the text: each item's digits are accumulated in 64 bits
 * and stop counting once the value passes max_k, so 99999999999999999999
 * is "out of range" without any overflow, and the value goes into ks by
 * insertion, which keeps ks sorted and drops a repeat on the spot.  The
 * lists are a handful of values, so insertion is the simple choice.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "klist.h"
#include "banned.h"

/* Longest item quoted back in a message; longer ones end in "...". */
#define QUOTE_MAX 24

int
rs_klist_parse(const char *s, unsigned max_k, unsigned *ks, unsigned max_n,
    unsigned *n, struct rs_error *err)
{
	const char *p = s;
	unsigned nk = 0, item = 0, i;
	uint64_t v;
	size_t len, j;
	int ql;

	assert(max_k >= 1 && max_n >= 1);
	if (*s == '\0')
		return rs_error_set(err, RS_EARG, "empty list");
	for (;;) {
		item++;
		len = strcspn(p, ",");
		if (len == 0)
			return rs_error_set(err, RS_EARG, "item %u is empty",
			    item);
		ql = (int)(len > QUOTE_MAX ? QUOTE_MAX : len);
		/* v stops growing past max_k, so it cannot overflow */
		for (v = 0, j = 0; j < len; j++) {
			if (p[j] < '0' || p[j] > '9')
				return rs_error_set(err, RS_EARG, "'%.*s%s' is "
				    "not a whole number", ql, p,
				    len > QUOTE_MAX ? "..." : "");
			if (v <= max_k)
				v = v * 10 + (uint64_t)(p[j] - '0');
		}
		if (v < 1 || v > max_k)
			return rs_error_set(err, RS_EARG, "'%.*s%s' is out of "
			    "range: must be from 1 to %u", ql, p,
			    len > QUOTE_MAX ? "..." : "", max_k);
		for (i = 0; i < nk && ks[i] < v; i++)
			;
		if (i == nk || ks[i] != v) {
			if (nk == max_n)
				return rs_error_set(err, RS_EARG, "more than "
				    "%u different values", max_n);
			memmove(ks + i + 1, ks + i, (nk - i) * sizeof(*ks));
			ks[i] = (unsigned)v;
			nk++;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*n = nk;
	return 0;
}
