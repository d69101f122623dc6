/*
 * rstime.h - times as the tools take and print them.  Internally a time is
 * signed milliseconds since 1970-01-01T00:00:00Z (the Retailrocket
 * timestamp unit).  Users may write an integer (milliseconds) or an ISO
 * 8601 UTC date or date-time: 2015-09-04, 2015-09-04T12:30,
 * 2015-09-04T12:30:05, 2015-09-04T12:30:05.250Z (a trailing Z is allowed,
 * other offsets are not: the data is UTC).  Durations always carry a
 * unit: 14d, 36h, 30m, 90s, 500ms; only 0 may be written bare.
 */
#ifndef RS_RSTIME_H
#define RS_RSTIME_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define RS_MS_PER_DAY 86400000LL

/* Parses s as a time; RS_EINPUT with a message naming s on failure. */
int rs_time_parse(const char *s, int64_t *ms, struct rs_error *err);

/*
 * Parses s as a duration in milliseconds (>= 0): digits, then the unit
 * d, h, m, s or ms.  RS_EINPUT naming s otherwise; a number without a
 * unit (other than 0) is "'14' has no unit (use e.g. 14d, ...)".
 */
int rs_duration_parse(const char *s, int64_t *ms, struct rs_error *err);

/*
 * Formats ms as "2015-09-04T12:30:05.250Z" (always 24 characters) into
 * buf of at least 32 bytes; returns buf.
 */
char *rs_time_format(int64_t ms, char *buf, size_t n);

/*
 * A time bound as every tool takes it: a time, "end" or "end-DURATION"
 * (e.g. end-14d), the end being the latest time of the data the bound
 * applies to (the input stream's last event, for example).
 */
struct rs_bound {
	int set;		/* 0: unbounded */
	int relative;		/* 1: ms is an offset from the data's end */
	int64_t ms;
};

/* Parses a bound; RS_EARG (or RS_EINPUT for a bad time) naming s. */
int rs_bound_parse(const char *s, struct rs_bound *b, struct rs_error *err);

/*
 * The one resolver: b in milliseconds given the data's end; open (the
 * caller's choice of "unbounded") when b is not set or NULL.
 */
int64_t rs_bound_resolve(const struct rs_bound *b, int64_t end, int64_t open);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t rs_days_from_civil(int64_t y, unsigned m, unsigned d);
void rs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
