/*
 * numfmt.h - numbers to text without printf, for the hot output paths
 * (rs-serve's JSON answers, textout's CSV rows).
 *
 * rs_fmt_f32 writes exactly what printf("%.9g", (double)v) writes, byte
 * for byte, so every output of rs shows a score the same way whichever
 * path wrote it, and the text reads back as the same float32.  Values of
 * ordinary size (1e-20 <= |v| < 1e30) are converted exactly in 128-bit
 * integers, rounding half to even like glibc in the default rounding
 * mode; zero, subnormal, huge, infinite and NaN values go to snprintf.
 * Profiling rs-serve showed printf's float path at a tenth of a request.
 */
#ifndef RS_NUMFMT_H
#define RS_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Longest text either function writes (no terminating NUL is written). */
#define RS_FMT_MAX 32

/* Decimal digits of v at dst; returns their count (1..20). */
size_t rs_fmt_u64(char *dst, uint64_t v);
/* A leading '-' for negative v, then its digits. */
size_t rs_fmt_i64(char *dst, int64_t v);
/* printf("%.9g", (double)v) at dst; returns its length. */
size_t rs_fmt_f32(char *dst, float v);

#endif
