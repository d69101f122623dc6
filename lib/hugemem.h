/*
 * hugemem.h - allocations of tens of megabytes that are touched at random
 * or all at once (hash tables, event arrays, factor matrices): rounded up
 * to whole 2 MiB pages, aligned to them and, where the system has it,
 * marked for transparent huge pages.  Under the hypervisors these tools
 * run on, a page fault costs about 10 us, and a random probe into a big
 * table is also a TLB miss: huge pages remove most of both (measured: a
 * fifth of rs-interactions' time, half of the event analysis' on the full
 * events file).  Smaller requests are plain malloc memory.  Everything is
 * freed with free().
 */
#ifndef RS_HUGEMEM_H
#define RS_HUGEMEM_H

#include <stddef.h>

#define RS_HUGE_PAGE ((size_t)2 << 20)

/* bytes of uninitialised memory (64-byte aligned at least), or NULL. */
void *rs_huge_alloc(size_t bytes);

/* The same, zeroed. */
void *rs_huge_zalloc(size_t bytes);

/*
 * As realloc for rs_huge_alloc memory whose first used bytes matter; old
 * is freed on success only.
 */
void *rs_huge_realloc(void *old, size_t used, size_t bytes);

#endif
