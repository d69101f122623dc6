/*
 * rstime.c - time parsing and formatting.  The calendar arithmetic is
 * Howard Hinnant's days_from_civil / civil_from_days, which is exact for
 * the proleptic Gregorian calendar and needs no tables or time zone
 * database (timegm is not POSIX).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rstime.h"
#include "banned.h"

int64_t
rs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
rs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n digits at *p into *v. */
static int
digits(const char **p, int n, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		*v = *v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

static int
days_in_month(unsigned y, unsigned m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int
rs_time_parse(const char *s, int64_t *ms, struct rs_error *err)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
	const char *p = s;
	long long v;
	char *end;
	int n;

	/* All digits (optionally signed): milliseconds. */
	if (s[s[0] == '-'] != '\0' &&
	    strspn(s + (s[0] == '-'), "0123456789") == strlen(s + (s[0] == '-'))) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0') {
			*ms = v;
			return 0;
		}
	}
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || (int)d > days_in_month(y, mo))
		goto bad;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' ||
		    digits(&p, 2, &mi) < 0)
			goto bad;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				goto bad;
			if (*p == '.') {
				p++;
				for (n = 0; n < 3; n++) {
					if (!isdigit((unsigned char)*p))
						break;
					frac = frac * 10 +
					    (unsigned)(*p++ - '0');
				}
				if (n == 0)
					goto bad;
				for (; n < 3; n++)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			goto bad;
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0')
		goto bad;
	*ms = ((rs_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL +
	    sec * 1000LL + frac;
	return 0;
bad:
	return rs_error_set(err, RS_EINPUT, "'%s' is not a time (use "
	    "milliseconds or an ISO date like 2015-09-04 or "
	    "2015-09-04T12:30:00Z)", s);
}

int
rs_duration_parse(const char *s, int64_t *ms, struct rs_error *err)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", RS_MS_PER_DAY }
	};
	long long v;
	char *end;
	size_t i;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		goto bad;
	/*
	 * A bare number used to be milliseconds, silently: "--session-gap
	 * 14" meant 14 ms.  Only 0, the same in every unit, may go bare.
	 */
	if (*end == '\0') {
		if (v == 0) {
			*ms = 0;
			return 0;
		}
		return rs_error_set(err, RS_EINPUT, "'%s' has no unit (use "
		    "e.g. %sd, %sh, %sm, %ss or %sms)", s, s, s, s, s, s);
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > INT64_MAX / units[i].ms)
			goto bad;
		*ms = v * units[i].ms;
		return 0;
	}
bad:
	return rs_error_set(err, RS_EINPUT, "'%s' is not a duration (use "
	    "e.g. 14d, 36h, 30m, 90s, 500ms)", s);
}

char *
rs_time_format(int64_t ms, char *buf, size_t n)
{
	int64_t days = ms / RS_MS_PER_DAY, rem = ms % RS_MS_PER_DAY, y;
	unsigned m, d;

	if (rem < 0) {
		rem += RS_MS_PER_DAY;
		days--;
	}
	rs_civil_from_days(days, &y, &m, &d);
	snprintf(buf, n, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y,
	    m, d, (unsigned)(rem / 3600000), (unsigned)(rem / 60000 % 60),
	    (unsigned)(rem / 1000 % 60), (unsigned)(rem % 1000));
	return buf;
}

int
rs_bound_parse(const char *s, struct rs_bound *b,
    struct rs_error *err)
{
	struct rs_error derr;
	int64_t ms;
	int rc;

	if (strncmp(s, "end", 3) == 0) {
		if (s[3] == '\0')
			ms = 0;
		else if (s[3] == '-' && s[4] != '\0' &&
		    s[4 + strspn(s + 4, "0123456789")] == '\0' &&
		    rs_duration_parse(s + 4, &ms, &derr) < 0)
			return rs_error_set(err, RS_EARG, "invalid time '%s': "
			    "%s", s, derr.msg);	/* no unit */
		else if (s[3] != '-' || rs_duration_parse(s + 4, &ms,
		    NULL) < 0)
			return rs_error_set(err, RS_EARG, "invalid time '%s' "
			    "(expected a time, 'end' or 'end-DURATION' such as "
			    "end-14d)", s);
		else
			ms = -ms;
		b->set = 1;
		b->relative = 1;
		b->ms = ms;
		return 0;
	}
	if ((rc = rs_time_parse(s, &ms, err)) < 0)
		return rc;
	b->set = 1;
	b->relative = 0;
	b->ms = ms;
	return 0;
}

int64_t
rs_bound_resolve(const struct rs_bound *b, int64_t end, int64_t open)
{
	if (b == NULL || !b->set)
		return open;
	return b->relative ? end + b->ms : b->ms;
}
