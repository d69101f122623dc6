/*
 * tap.h - a tiny TAP-printing test harness for the C unit tests (the size
 * of redis's testhelp.h).  A test file defines test_<module>__<case>
 * functions and lists them in main with RUN(); checks report file:line and
 * the failing expression, and the run ends with a TAP plan and "N passed,
 * N failed" so the test runner can count.
 *
 *   static void test_idmap__intern(void) { CHECK(x == 1); }
 *   int main(void) { RUN(test_idmap__intern); return tap_done(); }
 */
#ifndef RS_TAP_H
#define RS_TAP_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed, tap_case_failed;

#define CHECK(expr) do { \
	if (!(expr)) { \
		printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, \
		    #expr); \
		tap_case_failed = 1; \
	} \
} while (0)

#define CHECK_EQ_U64(a, b) do { \
	unsigned long long tap_a = (unsigned long long)(a), \
	    tap_b = (unsigned long long)(b); \
	if (tap_a != tap_b) { \
		printf("#   %s:%d: %s == %s: %llu != %llu\n", __FILE__, \
		    __LINE__, #a, #b, tap_a, tap_b); \
		tap_case_failed = 1; \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *tap_a = (a), *tap_b = (b); \
	if (tap_a == NULL || tap_b == NULL || strcmp(tap_a, tap_b) != 0) { \
		printf("#   %s:%d: %s == %s: '%s' != '%s'\n", __FILE__, \
		    __LINE__, #a, #b, tap_a ? tap_a : "(null)", \
		    tap_b ? tap_b : "(null)"); \
		tap_case_failed = 1; \
	} \
} while (0)

#define CHECK_NEAR(a, b, tol) do { \
	double tap_a = (a), tap_b = (b); \
	if (!(fabs(tap_a - tap_b) <= (tol))) { \
		printf("#   %s:%d: %s ~ %s: %.9g vs %.9g (tol %g)\n", \
		    __FILE__, __LINE__, #a, #b, tap_a, tap_b, (double)(tol)); \
		tap_case_failed = 1; \
	} \
} while (0)

#define RUN(fn) do { \
	tap_case_failed = 0; \
	fn(); \
	tap_n++; \
	if (tap_case_failed) \
		tap_failed++; \
	printf("%s %d - %s\n", tap_case_failed ? "not ok" : "ok", tap_n, #fn); \
	fflush(stdout); \
} while (0)

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	printf("%d passed, %d failed\n", tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
