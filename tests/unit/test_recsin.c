/*
 * test_recsin.c - unit tests for lib/recsin.c: the three formats and
 * their detection, grouping and rank order, quoting, CRLF, BOM, blank
 * lines, empty input, and every error (duplicates, rank ties, bad
 * numbers, missing columns, binary streams, bad JSON); answer files
 * grouped by request with their stricter rank rule.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

static struct rs_recs *
parse(const char *text, const char *name, struct rs_error *err)
{
	struct rs_recs *r = NULL;

	if (rs_recs_parse(&r, text, strlen(text), name, RS_RECS_AUTO,
	    err) < 0)
		return NULL;
	return r;
}

/* Checks user's list against want[0..n). */
static int
list_is(const struct rs_recs *r, uint64_t user, const uint64_t *want,
    size_t n)
{
	const uint64_t *items;
	int64_t u = rs_recs_find(r, user);

	if (u < 0 || rs_recs_items(r, (size_t)u, &items) != n)
		return 0;
	return n == 0 || memcmp(items, want, n * sizeof(*want)) == 0;
}

static const uint64_t l1[] = { 20, 30, 10 }, l2[] = { 10, 30 };

static void
check_fixture(const char *text, const char *name, enum rs_recs_format f)
{
	struct rs_error err;
	struct rs_recs *r = parse(text, name, &err);

	CHECK(r != NULL);
	if (r == NULL) {
		printf("#   %s\n", err.msg);
		return;
	}
	CHECK(rs_recs_format(r) == f);
	CHECK_EQ_U64(rs_recs_rows(r), 5);
	CHECK_EQ_U64(rs_recs_nusers(r), 2);
	CHECK_EQ_U64(rs_recs_user(r, 0), 1);
	CHECK(list_is(r, 1, l1, 3));
	CHECK(list_is(r, 2, l2, 2));
	CHECK(rs_recs_find(r, 3) == -1);
	rs_recs_free(r);
}

static void
test_recsin__formats(void)
{
	check_fixture("user,item,rank,score,source\n1,10,5,0.1,\"a,b\"\n"
	    "2,30,2,0.2,x\n1,20,1,,\n2,10,1,1,\"q\"\"q\"\n1,30,2,3,y\n",
	    "m.csv", RS_RECS_CSV);
	/* Columns in any order; content detection; CRLF; BOM; blanks. */
	check_fixture("\xef\xbb\xbfscore,rank,itemid,visitorid\r\n"
	    "0,5,10,1\r\n\r\n0,2,30,2\r\n0,1,20,1\r\n0,1,10,2\r\n0,2,30,1",
	    "-", RS_RECS_CSV);
	check_fixture("user\titem\trank\n1\t10\t5\n2\t30\t2\n\n1\t20\t1\n"
	    "2\t10\t1\n1\t30\t2\n", "<stdin>", RS_RECS_TSV);
	check_fixture("{\"user\": 1, \"item\": 10, \"rank\": 5, \"score\": "
	    "0.5, \"source\": \"als\"}\n{\"rank\":2,\"item\":30,\"user\":2}\n"
	    "\n{\"user\":\"1\",\"item\":\"20\",\"rank\":1,\"x\":null}\n"
	    "{\"user\":2,\"item\":10,\"rank\":1,\"s\":\"a\\\"}\"}\n"
	    "{\"user\":1,\"item\":30,\"rank\":2}", "r.jsonl", RS_RECS_JSONL);
	/* Extension wins over content. */
	check_fixture("{\"user\":1,\"item\":10,\"rank\":5}\n"
	    "{\"user\":2,\"item\":30,\"rank\":2}\n"
	    "{\"user\":1,\"item\":20,\"rank\":1}\n"
	    "{\"user\":2,\"item\":10,\"rank\":1}\n"
	    "{\"user\":1,\"item\":30,\"rank\":2}\n", "noext", RS_RECS_JSONL);
}

static void
test_recsin__empty(void)
{
	struct rs_error err;
	struct rs_recs *r;

	r = parse("", "e.csv", &err);
	CHECK(r != NULL && rs_recs_rows(r) == 0 && rs_recs_nusers(r) == 0);
	rs_recs_free(r);
	r = parse("user,item,rank\n", "h.csv", &err);
	CHECK(r != NULL && rs_recs_rows(r) == 0);
	rs_recs_free(r);
	r = parse("\n\n", "e.jsonl", &err);
	CHECK(r != NULL && rs_recs_rows(r) == 0);
	rs_recs_free(r);
}

static void
expect_error(const char *text, const char *name, int code, const char *msg)
{
	struct rs_error err;
	struct rs_recs *r = NULL;

	memset(&err, 0, sizeof(err));
	CHECK(rs_recs_parse(&r, text, strlen(text), name, RS_RECS_AUTO,
	    &err) == code);
	CHECK(r == NULL);
	CHECK_STR(err.msg, msg);
}

static void
test_recsin__errors(void)
{
	expect_error("user,item,rank\n1,10,1\n1,20,2\n2,10,1\n1,10,3\n",
	    "d.csv", RS_EINPUT,
	    "d.csv:5: item '10' repeated for user '1' (also at line 2)");
	expect_error("rank,item,user\n1,10,1\n2,20,1\n1,30,2\n2,40,1\n",
	    "t.csv", RS_EINPUT,
	    "t.csv:5: rank 2 repeated for user '1' (also at line 3)");
	expect_error("user,item,rank\n1,10,1\n1,x2,2\n", "b.csv", RS_EINPUT,
	    "b.csv:3: item 'x2' is not an unsigned integer");
	expect_error("user,item,rank\n1,10,0\n", "z.csv", RS_EINPUT,
	    "z.csv:2: rank '0' is out of range (1 to 4294967295)");
	expect_error("user,item,rank\n-1,10,1\n", "n.csv", RS_EINPUT,
	    "n.csv:2: user '-1' is not an unsigned integer");
	expect_error("user,item,rank\n1,10\n", "s.csv", RS_EINPUT,
	    "s.csv:2: 2 field(s), expected at least 3");
	expect_error("1,10,1\n", "h.csv", RS_EINPUT,
	    "h.csv:1: no 'user' column in the header");
	expect_error("user,item,item,rank\n", "h2.csv", RS_EINPUT,
	    "h2.csv:1: header names 'item' twice");
	expect_error("user,item,rank,src\n1,2,3,\"abc\n", "q.csv", RS_EINPUT,
	    "q.csv:2: unterminated quoted field");
	expect_error("user,item,rank\n1,\"2\"x,3\n", "q2.csv", RS_EINPUT,
	    "q2.csv:2: text after a closing quote");
	expect_error("{\"user\":1,\"item\":2}\n", "j.jsonl", RS_EINPUT,
	    "j.jsonl:1: no member 'rank'");
	expect_error("{\"user\":1,\"item\":2,\"rank\":3}\n[1]\n",
	    "j.jsonl", RS_EINPUT,
	    "j.jsonl:2: bad JSON line: not an object");
	expect_error("{\"user\":1,\"item\":{},\"rank\":1}\n", "j.jsonl",
	    RS_EINPUT, "j.jsonl:1: bad JSON line: nested objects and arrays "
	    "are not supported");
	expect_error("{\"user\":1,\"item\":2,\"rank\":1.5}\n", "j.jsonl",
	    RS_EINPUT, "j.jsonl:1: rank '1.5' is not an unsigned integer");
	expect_error("{\"user\":1,\"user\":2}\n", "j.jsonl", RS_EINPUT,
	    "j.jsonl:1: member 'user' given twice");
	expect_error("\x89RST\r\n\x1a\n", "s.rsm", RS_EFORMAT,
	    "s.rsm: is a binary rs stream, expected recommendations as "
	    "CSV, TSV or JSON Lines");
}

/* Duplicates in a long list (the sorted path) and a quoted newline. */
static void
test_recsin__long_runs(void)
{
	const size_t cap = 64 * 40 + 64;
	char *text = malloc(cap), *p;
	struct rs_error err;
	struct rs_recs *r = NULL;
	const uint64_t *items;
	int i;

	if (text == NULL)
		return;
	p = text + snprintf(text, cap, "user,item,rank\n");
	for (i = 0; i < 50; i++)
		p += snprintf(p, cap - (size_t)(p - text), "7,%d,%d\n",
		    1000 - i, 50 - i);
	CHECK(rs_recs_parse(&r, text, strlen(text), "l.csv", RS_RECS_AUTO,
	    &err) == 0);
	if (r != NULL) {
		CHECK_EQ_U64(rs_recs_items(r, 0, &items), 50);
		CHECK_EQ_U64(items[0], 951);
		CHECK_EQ_U64(items[49], 1000);
	}
	rs_recs_free(r);
	/* Lines 2..51 hold the rows; repeat item 990 (line 12) and 960
	 * (line 42): the report names the earliest repeat. */
	snprintf(p, cap - (size_t)(p - text), "7,960,99\n7,990,98\n");
	CHECK(rs_recs_parse(&r, text, strlen(text), "l.csv", RS_RECS_AUTO,
	    &err) == RS_EINPUT);
	CHECK_STR(err.msg, "l.csv:52: item '960' repeated for user '7' "
	    "(also at line 42)");
	free(text);
	r = parse("user,note,item,rank\n1,\"two\nlines\",5,1\n1,x,5,2\n",
	    "nl.csv", &err);
	CHECK(r == NULL);
	CHECK_STR(err.msg, "nl.csv:4: item '5' repeated for user '1' "
	    "(also at line 2)");
}

static void
expect_answer_error(const char *text, const char *name, const char *msg)
{
	struct rs_error err;
	struct rs_recs *r = NULL;

	memset(&err, 0, sizeof(err));
	CHECK(rs_recs_parse_by(&r, text, strlen(text), name, RS_RECS_AUTO,
	    RS_RECS_BY_REQUEST, &err) == RS_EINPUT);
	CHECK(r == NULL);
	CHECK_STR(err.msg, msg);
}

/* Answer files: keyed by request, ranks 1..n in file order, lines kept. */
static void
test_recsin__answers(void)
{
	static const char csv[] = "request,visitor,item,rank,score,source\n"
	    "3,7,30,1,0.5,als\n5,8,50,1,1,recent\n3,7,10,2,0.25,als\n"
	    "3,7,20,3,0.125,popular\n";
	static const char jsonl[] = "{\"request\":3,\"item\":30,\"rank\":1}"
	    "\n\n{\"request\":5,\"item\":50,\"rank\":1}\n"
	    "{\"request\":3,\"item\":10,\"rank\":2}\n"
	    "{\"request\":3,\"item\":20,\"rank\":3}\n";
	const uint64_t w3[] = { 30, 10, 20 }, w5[] = { 50 };
	const char *const text[2] = { csv, jsonl };
	struct rs_error err;
	struct rs_recs *r;
	int i;

	for (i = 0; i < 2; i++) {
		r = NULL;
		CHECK(rs_recs_parse_by(&r, text[i], strlen(text[i]),
		    i ? "a.jsonl" : "a.csv", RS_RECS_AUTO, RS_RECS_BY_REQUEST,
		    &err) == 0);
		if (r == NULL)
			continue;
		CHECK_EQ_U64(rs_recs_nusers(r), 2);
		CHECK(list_is(r, 3, w3, 3));
		CHECK(list_is(r, 5, w5, 1));
		/* JSON Lines has no header line. */
		CHECK_EQ_U64(rs_recs_line(r, 0), (i ? 1 : 2));
		CHECK_EQ_U64(rs_recs_line(r, 1), 3);
		rs_recs_free(r);
	}
	/* The same text read by user has no user column. */
	CHECK(rs_recs_parse(&r, csv, strlen(csv), "a.csv", RS_RECS_AUTO,
	    &err) == RS_EINPUT);
	CHECK_STR(err.msg, "a.csv:1: no 'user' column in the header");
	expect_answer_error("user,item,rank\n1,2,1\n", "u.csv",
	    "u.csv:1: no 'request' column in the header");
	expect_answer_error("request,item,rank\n1,2,2\n", "g.csv",
	    "g.csv:2: rank 2 of request '1' is out of order (expected 1)");
	expect_answer_error("request,item,rank\n1,2,1\n1,3,1\n", "t.csv",
	    "t.csv:3: rank 1 of request '1' is out of order (expected 2)");
	expect_answer_error("request\titem\trank\n1\t2\t1\n1\t2\t2\n",
	    "d.tsv", "d.tsv:3: item '2' repeated for request '1' (also at "
	    "line 2)");
	expect_answer_error("{\"request\":1,\"item\":2}\n", "m.jsonl",
	    "m.jsonl:1: no member 'rank'");
	expect_answer_error("request,item,rank\nx,2,1\n", "x.csv",
	    "x.csv:2: request 'x' is not an unsigned integer");
}

static void
test_recsin__read_fd(void)
{
	static const char text[] = "user,item,rank\n4,8,1\n4,9,2\n";
	struct rs_error err;
	struct rs_recs *r = NULL;
	int fds[2];
	const uint64_t want[] = { 8, 9 };

	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], text, strlen(text)) == (ssize_t)strlen(text));
	close(fds[1]);
	CHECK(rs_recs_read(&r, fds[0], "<stdin>", RS_RECS_AUTO, &err) == 0);
	close(fds[0]);
	CHECK(r != NULL && list_is(r, 4, want, 2));
	rs_recs_free(r);
}

int
main(void)
{
	RUN(test_recsin__formats);
	RUN(test_recsin__empty);
	RUN(test_recsin__errors);
	RUN(test_recsin__long_runs);
	RUN(test_recsin__answers);
	RUN(test_recsin__read_fd);
	return tap_done();
}
