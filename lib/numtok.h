/*
 * numtok.h - the tokens of a Retailrocket property value.
 *
 * A value is text of tokens separated by spaces.  A bare token (e.g.
 * 1103801) is a hashed word and carries no number.  A token that starts
 * with 'n' is a number token:
 *
 *   numtok = "n" [ "-" | "+" ] digit+ [ "." digit+ ]
 *
 * The real data writes n<digits>.<3 digits> (n552.000, n64807.200); the
 * sign and other fraction lengths are accepted so generated or repaired
 * data parses too.  Anything else after an 'n' ("n", "n1.", "n1e5",
 * "nabc") is a bad token: the caller reports the record as bad.
 *
 * Numbers are converted with one correctly rounded step (all digits as
 * an integer, divided by an exact power of ten) when that is exact, and
 * with strtod otherwise, so the double stored is the nearest double to
 * the decimal, as any correct CSV reader (pandas) would produce.
 */
#ifndef RS_NUMTOK_H
#define RS_NUMTOK_H

#include <stddef.h>

/*
 * Parses one number token (including its leading 'n') of n bytes at s.
 * Returns 0 and sets *v, or -1 if the token is not a valid number token.
 */
int rs_numtok_parse(const char *s, size_t n, double *v);

/*
 * Scans a whole value of n bytes (not NUL-terminated) and checks every
 * number token in it.  Returns:
 *   1   the value holds at least one number token; *v is the FIRST one
 *       (later number tokens are checked but not stored);
 *   0   no number token (only hashed words, or empty);
 *  -1   a bad number token: *bad and *badlen (if not NULL) locate the
 *       first one, inside s.
 */
int rs_numtok_first(const char *s, size_t n, double *v, const char **bad,
	size_t *badlen);

#endif
