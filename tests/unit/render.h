/*
 * render.h - for the unit tests of text writers (textout, replayout):
 * what fn writes through an rs_textout, captured as a string.
 */
#ifndef RS_RENDER_H
#define RS_RENDER_H

#include <stdio.h>

#include "rs.h"
#include "tap.h"

/* fn's output in out[0..n), NUL-terminated (cut at n - 1 bytes). */
static void
render(void (*fn)(struct rs_textout *), char *out, size_t n)
{
	struct rs_textout t;
	struct rs_error err;
	FILE *f = tmpfile();
	size_t k;

	out[0] = '\0';
	if (f == NULL)
		return;
	CHECK(rs_textout_init(&t, fileno(f), "tmp") == 0);
	fn(&t);
	CHECK(rs_textout_flush(&t, &err) == 0);
	rs_textout_release(&t);
	rewind(f);
	k = fread(out, 1, n - 1, f);
	out[k] = '\0';
	fclose(f);
}

#endif
