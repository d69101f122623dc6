/*
 * hugemem.c - big allocations on transparent huge pages (see hugemem.h).
 *
 * The hinted range must be memory of this allocation only, so big sizes
 * are rounded up to whole huge pages before posix_memalign.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hugemem.h"
#include "banned.h"

void *
rs_huge_alloc(size_t bytes)
{
	void *p;

	if (bytes < RS_HUGE_PAGE) {
		if (posix_memalign(&p, 64, bytes ? bytes : 1) != 0)
			return NULL;
		return p;
	}
	if (bytes > (size_t)-1 - RS_HUGE_PAGE)
		return NULL;
	bytes = (bytes + RS_HUGE_PAGE - 1) & ~(RS_HUGE_PAGE - 1);
	if (posix_memalign(&p, RS_HUGE_PAGE, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

void *
rs_huge_zalloc(size_t bytes)
{
	void *p = rs_huge_alloc(bytes);

	if (p != NULL)
		memset(p, 0, bytes);
	return p;
}

void *
rs_huge_realloc(void *old, size_t used, size_t bytes)
{
	void *p = rs_huge_alloc(bytes);

	if (p == NULL)
		return NULL;
	if (old != NULL && used > 0)
		memcpy(p, old, used < bytes ? used : bytes);
	free(old);
	return p;
}
