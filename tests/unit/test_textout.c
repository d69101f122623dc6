/*
 * test_textout.c - number formatting and CSV quoting of the text writer.
 */
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"
#include "render.h"

static void
numbers(struct rs_textout *t)
{
	rs_textout_u64(t, 0);
	rs_textout_char(t, ' ');
	rs_textout_u64(t, UINT64_MAX);
	rs_textout_char(t, ' ');
	rs_textout_i64(t, INT64_MIN);
	rs_textout_char(t, ' ');
	rs_textout_f32(t, 0.1f);
	rs_textout_char(t, ' ');
	rs_textout_f64(t, 0.1);
}

static void
fields(struct rs_textout *t)
{
	rs_textout_csv_field(t, "plain", 5, ',');
	rs_textout_char(t, ',');
	rs_textout_csv_field(t, "a,b", 3, ',');
	rs_textout_char(t, ',');
	rs_textout_csv_field(t, "say \"hi\"", 8, ',');
	rs_textout_char(t, ',');
	rs_textout_csv_field(t, "two\nlines", 9, ',');
	rs_textout_char(t, ',');
	rs_textout_csv_field(t, "a,b", 3, '\t');
}

static void
big(struct rs_textout *t)
{
	int i;

	for (i = 0; i < 100000; i++)
		rs_textout_str(t, "0123456789");
}

static void
test_textout__numbers(void)
{
	char out[256];

	render(numbers, out, sizeof(out));
	CHECK_STR(out, "0 18446744073709551615 -9223372036854775808 "
	    "0.100000001 0.10000000000000001");
}

static void
test_textout__csv_quoting(void)
{
	char out[256];

	render(fields, out, sizeof(out));
	CHECK_STR(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",a,b");
}

static void
test_textout__large_output(void)
{
	static char out[1000010];

	render(big, out, sizeof(out));
	CHECK_EQ_U64(strlen(out), 1000000);
	CHECK(memcmp(out + 999990, "0123456789", 10) == 0);
}

static void
test_textout__write_error(void)
{
	struct rs_textout t;
	struct rs_error err;
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0)
		return;
	rs_textout_init(&t, fd, "/dev/full");
	rs_textout_str(&t, "x");
	CHECK(rs_textout_flush(&t, &err) == RS_EIO);
	CHECK(strstr(err.msg, "/dev/full: write: No space left") != NULL);
	rs_textout_release(&t);
	close(fd);
}

int
main(void)
{
	RUN(test_textout__numbers);
	RUN(test_textout__csv_quoting);
	RUN(test_textout__large_output);
	RUN(test_textout__write_error);
	return tap_done();
}
