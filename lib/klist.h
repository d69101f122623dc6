/*
 * klist.h - the K list of -k/--k: list lengths or cut-offs, e.g. 5,10,20.
 *
 * One parser for every tool that takes a K list (rs-eval, rs-replay), so
 * the same text means the same set everywhere.  Grammar:
 *
 *   klist = k { "," k }
 *   k     = digit { digit }        (decimal, value 1..max_k)
 *
 * No signs, spaces or empty items.  The result is a set: sorted
 * ascending with duplicates dropped, so 20,10,10 is 10,20.  Callers may
 * therefore take ks[n - 1] as the largest K.
 */
#ifndef RS_KLIST_H
#define RS_KLIST_H

#include "error.h"

/*
 * Parses the NUL-terminated list s into ks[0..*n), ascending and without
 * duplicates; at most max_n distinct values, each from 1 to max_k (both
 * at least 1).  Returns 0, or RS_EARG with err naming the bad part
 * ("'x' is not a whole number", "item 2 is empty", ...), for the caller
 * to prefix with the option and the whole list.  On error *n is left
 * unchanged and ks[0..max_n) may have been overwritten.
 */
int rs_klist_parse(const char *s, unsigned max_k, unsigned *ks,
	unsigned max_n, unsigned *n, struct rs_error *err);

#endif
