/*
 * error.c - error records.  See error.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "banned.h"

const char *
rs_strerror(int code)
{
	switch (code) {
	case RS_OK:		return "success";
	case RS_EIO:		return "i/o error";
	case RS_ENOMEM:		return "out of memory";
	case RS_EFORMAT:	return "not an rs stream of the expected kind";
	case RS_EVERSION:	return "unsupported stream version";
	case RS_ECORRUPT:	return "corrupt stream";
	case RS_ETRUNC:		return "truncated stream";
	case RS_EINPUT:		return "bad input";
	case RS_EARG:		return "bad argument";
	case RS_ENUM:		return "numerical breakdown";
	default:		return "unknown error";
	}
}

static void
vset(struct rs_error *err, int code, const char *fmt, va_list ap)
{
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int
rs_error_set(struct rs_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int
rs_error_errno(struct rs_error *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	return code;
}

void
rs_error_clear(struct rs_error *err)
{
	if (err != NULL) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}
