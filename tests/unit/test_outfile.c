/*
 * test_outfile.c - atomic output: the target is untouched until commit,
 * abort leaves no temporary file, commit replaces the old content.
 */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"

static int
count_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0))
			n++;
	closedir(d);
	return n;
}

static void
slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t k = f ? fread(buf, 1, n - 1, f) : 0;

	buf[k] = '\0';
	if (f)
		fclose(f);
}

static void
test_outfile__commit_and_abort(void)
{
	char dir[] = "/tmp/rs-test-out.XXXXXX", path[128], buf[64];
	struct rs_outfile *o;
	struct rs_error err;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/target", dir);
	f = fopen(path, "w");
	fputs("old", f);
	fclose(f);

	CHECK(rs_outfile_open(&o, path, &err) == 0);
	CHECK(write(rs_outfile_fd(o), "new", 3) == 3);
	slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "old");			/* not yet visible */
	CHECK(count_entries(dir) == 2);		/* target + temporary */
	rs_outfile_abort(o);
	slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "old");
	CHECK(count_entries(dir) == 1);		/* temporary removed */

	CHECK(rs_outfile_open(&o, path, &err) == 0);
	CHECK(write(rs_outfile_fd(o), "new", 3) == 3);
	CHECK(rs_outfile_commit(o, &err) == 0);
	slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "new");
	CHECK(count_entries(dir) == 1);
	unlink(path);
	rmdir(dir);
}

static void
test_outfile__unwritable(void)
{
	struct rs_outfile *o;
	struct rs_error err;

	CHECK(rs_outfile_open(&o, "/nonexistent-dir/x", &err) == RS_EIO);
	CHECK(strstr(err.msg, "/nonexistent-dir/x: cannot create output") !=
	    NULL);
}

int
main(void)
{
	RUN(test_outfile__commit_and_abort);
	RUN(test_outfile__unwritable);
	return tap_done();
}
