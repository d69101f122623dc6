/*
 * test_hugemem.c - big allocations: alignment, rounding, zeroing, and
 * realloc keeping the used prefix.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hugemem.h"
#include "tap.h"

static void
test_hugemem__small_and_big(void)
{
	unsigned char *p;
	size_t sizes[] = { 0, 1, 100, RS_HUGE_PAGE - 1, RS_HUGE_PAGE,
	    3 * RS_HUGE_PAGE + 5 };
	size_t i, j;
	int zero;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = rs_huge_alloc(sizes[i]);
		CHECK(p != NULL);
		CHECK((uintptr_t)p % 64 == 0);
		if (sizes[i] >= RS_HUGE_PAGE)
			CHECK((uintptr_t)p % RS_HUGE_PAGE == 0);
		memset(p, 0xa5, sizes[i]);	/* all of it is ours */
		free(p);
		p = rs_huge_zalloc(sizes[i]);
		CHECK(p != NULL);
		zero = 1;
		for (j = 0; j < sizes[i]; j++)
			zero &= p[j] == 0;
		CHECK(zero);
		free(p);
	}
	CHECK(rs_huge_alloc((size_t)-1) == NULL);
}

static void
test_hugemem__realloc(void)
{
	unsigned char *p = rs_huge_alloc(1000), *q;
	size_t i;
	int same = 1;

	for (i = 0; i < 1000; i++)
		p[i] = (unsigned char)i;
	q = rs_huge_realloc(p, 1000, 5 * RS_HUGE_PAGE);
	CHECK(q != NULL);
	for (i = 0; i < 1000; i++)
		same &= q[i] == (unsigned char)i;
	CHECK(same);
	CHECK((uintptr_t)q % RS_HUGE_PAGE == 0);
	p = rs_huge_realloc(q, 600, 600);
	CHECK(p != NULL);
	same = 1;
	for (i = 0; i < 600; i++)
		same &= p[i] == (unsigned char)i;
	CHECK(same);
	free(p);
	p = rs_huge_realloc(NULL, 0, 10);
	CHECK(p != NULL);
	free(p);
}

int
main(void)
{
	RUN(test_hugemem__small_and_big);
	RUN(test_hugemem__realloc);
	return tap_done();
}
