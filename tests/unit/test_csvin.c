/*
 * test_csvin.c - the libcsv wrapper: fields, quoting, CRLF, blank lines,
 * huge fields, and the physical line of every record.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "tap.h"

/* Records as text: "line:f1|f2|...\n" per record. */
struct got {
	char buf[8192];
	size_t len;
	size_t maxfield;
};

static void
on_field(void *ctx, unsigned i, const char *p, size_t n)
{
	struct got *g = ctx;

	if (n > g->maxfield)
		g->maxfield = n;
	if (n > 64)
		n = 64;
	g->len += (size_t)snprintf(g->buf + g->len, sizeof(g->buf) - g->len,
	    "%s%.*s", i ? "|" : "", (int)n, p);
}

static void
on_record(void *ctx, unsigned nfields, uint64_t line)
{
	struct got *g = ctx;

	g->len += (size_t)snprintf(g->buf + g->len, sizeof(g->buf) - g->len,
	    " @%llu/%u\n", (unsigned long long)line, nfields);
}

static const struct rs_csvin_ops ops = { on_field, on_record };

/* Parses s in pieces of step bytes (0: all at once). */
static void
parse(const char *s, size_t len, size_t step, struct got *g)
{
	struct rs_csvin *c;
	struct rs_error err;
	size_t i, k;

	memset(g, 0, sizeof(*g));
	if (rs_csvin_create(&c, &err) < 0)
		abort();
	rs_csvin_reset(c, 1);
	if (step == 0)
		step = len ? len : 1;
	for (i = 0; i < len; i += k) {
		k = len - i < step ? len - i : step;
		if (rs_csvin_parse(c, s + i, k, &ops, g, &err) < 0)
			abort();
	}
	if (rs_csvin_finish(c, &ops, g, &err) < 0)
		abort();
	rs_csvin_free(c);
}

static void
check_all_steps(const char *s, const char *want)
{
	struct got g;
	size_t step;

	for (step = 0; step < 8; step++) {
		parse(s, strlen(s), step, &g);
		CHECK_STR(g.buf, want);
	}
}

static void
test_csvin__plain(void)
{
	check_all_steps("a,b,c\n1,2,3\n", "a|b|c @1/3\n1|2|3 @2/3\n");
}

static void
test_csvin__no_final_newline(void)
{
	check_all_steps("a,b\n1,2", "a|b @1/2\n1|2 @2/2\n");
}

static void
test_csvin__empty_fields(void)
{
	check_all_steps("1,,3,\n,\n", "1||3| @1/4\n| @2/2\n");
}

static void
test_csvin__crlf(void)
{
	check_all_steps("a,b\r\n1,2\r\n\r\n3,4\r\n", "a|b @1/2\n1|2 @2/2\n3|4 @4/2\n");
}

static void
test_csvin__blank_lines_counted(void)
{
	check_all_steps("\n\na\n\n\nb\n", "a @3/1\nb @6/1\n");
}

static void
test_csvin__quotes(void)
{
	check_all_steps("\"a,b\",\"say \"\"hi\"\"\",\"\"\n",
	    "a,b|say \"hi\"| @1/3\n");
}

static void
test_csvin__quoted_newlines(void)
{
	/* The record after a two-line field starts on line 3, not 2. */
	check_all_steps("x,\"one\ntwo\",y\nz\n\"a\r\nb\r\nc\"\nw\n",
	    "x|one\ntwo|y @1/3\nz @3/1\na\r\nb\r\nc @4/1\nw @7/1\n");
}

static void
test_csvin__spaces_trimmed_unless_quoted(void)
{
	check_all_steps(" a , b b ,\" c \"\n", "a|b b| c  @1/3\n");
}

static void
test_csvin__huge_field(void)
{
	size_t n = 200000, i;
	char *s = malloc(n + 16);
	struct got g;

	memcpy(s, "1,", 2);
	for (i = 0; i < n; i++)
		s[2 + i] = (char)('a' + i % 26);
	memcpy(s + 2 + n, "\n2,3\n", 6);
	parse(s, strlen(s), 0, &g);
	CHECK_EQ_U64(g.maxfield, n);
	CHECK(strstr(g.buf, "2|3 @2/2\n") != NULL);
	free(s);
}

static void
test_csvin__reset(void)
{
	struct rs_csvin *c;
	struct rs_error err;
	struct got g;

	memset(&g, 0, sizeof(g));
	CHECK(rs_csvin_create(&c, &err) == 0);
	rs_csvin_reset(c, 1);
	CHECK(rs_csvin_parse(c, "a,\"half", 7, &ops, &g, &err) == 0);
	/* The half record is forgotten; lines restart at 10. */
	rs_csvin_reset(c, 10);
	memset(&g, 0, sizeof(g));
	CHECK(rs_csvin_parse(c, "b,c\nd\n", 6, &ops, &g, &err) == 0);
	CHECK(rs_csvin_finish(c, &ops, &g, &err) == 0);
	CHECK_STR(g.buf, "b|c @10/2\nd @11/1\n");
	CHECK_EQ_U64(rs_csvin_line(c), 12);
	rs_csvin_free(c);
	rs_csvin_free(NULL);
}

int
main(void)
{
	RUN(test_csvin__plain);
	RUN(test_csvin__no_final_newline);
	RUN(test_csvin__empty_fields);
	RUN(test_csvin__crlf);
	RUN(test_csvin__blank_lines_counted);
	RUN(test_csvin__quotes);
	RUN(test_csvin__quoted_newlines);
	RUN(test_csvin__spaces_trimmed_unless_quoted);
	RUN(test_csvin__huge_field);
	RUN(test_csvin__reset);
	return tap_done();
}
