/*
 * error.h - error codes and the caller-owned error record.
 *
 * Every fallible library function returns 0 on success or a negative RS_E*
 * code, and, when given a non-NULL struct rs_error, fills it with a message
 * that names the place (file, line or record) and the problem.  The library
 * never prints and never exits; the tool prints err->msg.  Messages follow
 * the project's style: lowercase, no final full stop, quoted subjects.
 */
#ifndef RS_ERROR_H
#define RS_ERROR_H

#include <stddef.h>

enum {
	RS_OK = 0,
	RS_EIO = -1,      /* read or write failed (errno text in message) */
	RS_ENOMEM = -2,   /* allocation failed */
	RS_EFORMAT = -3,  /* not an rs stream, or wrong kind */
	RS_EVERSION = -4, /* stream of a newer major version */
	RS_ECORRUPT = -5, /* checksum mismatch, bad length, bad record */
	RS_ETRUNC = -6,   /* input ended early: no end marker */
	RS_EINPUT = -7,   /* bad input data (CSV row, value out of range) */
	RS_EARG = -8,     /* bad argument from the caller */
	RS_ENUM = -9      /* numerical breakdown */
};

#define RS_ERROR_MSG_MAX 512

struct rs_error {
	int code;
	char msg[RS_ERROR_MSG_MAX];
};

/* Short, static text for a code ("corrupt stream"); never NULL. */
const char *rs_strerror(int code);

/*
 * Sets err (if not NULL) to code and the printf-style message; returns code
 * so callers can write "return rs_error_set(err, RS_EINPUT, ...)".
 */
int rs_error_set(struct rs_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As rs_error_set, appending ": strerror(errnum)". */
int rs_error_errno(struct rs_error *err, int code, int errnum,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Clears err (if not NULL). */
void rs_error_clear(struct rs_error *err);

#endif
