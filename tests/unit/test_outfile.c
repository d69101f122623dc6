/*
 * test_outfile.c - atomic output: the target is untouched until commit,
 * abort leaves no temporary file, commit replaces the old content.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
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

/*
 * Regression: an existing path that is not a regular file (here a FIFO;
 * /dev/null in the bug) is written in place, never renamed over.
 */
static void
test_outfile__fifo_written_in_place(void)
{
	char dir[] = "/tmp/rs-test-out.XXXXXX", path[128], c = 0;
	struct rs_outfile *o;
	struct rs_error err;
	struct stat st;
	int keep;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	/* A reader end of our own, so opening for writing does not block. */
	keep = open(path, O_RDWR | O_NONBLOCK);
	CHECK(keep >= 0);
	CHECK(rs_outfile_open(&o, path, &err) == 0);
	CHECK(write(rs_outfile_fd(o), "x", 1) == 1);
	CHECK(rs_outfile_commit(o, &err) == 0);
	CHECK(stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(read(keep, &c, 1) == 1 && c == 'x');
	CHECK(count_entries(dir) == 1);
	close(keep);
	unlink(path);
	rmdir(dir);
}

static void
test_outfile__symlink_followed(void)
{
	char dir[] = "/tmp/rs-test-out.XXXXXX", path[128], link[128], buf[64];
	struct rs_outfile *o;
	struct rs_error err;
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	CHECK(symlink("real", link) == 0);
	CHECK(rs_outfile_open(&o, link, &err) == 0);
	CHECK(write(rs_outfile_fd(o), "via", 3) == 3);
	CHECK(rs_outfile_commit(o, &err) == 0);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "via");
	unlink(link);
	unlink(path);
	rmdir(dir);
}

/*
 * Regression: the outputs of one run are committed all or none.  When
 * one of them fails (here its descriptor was closed behind its back, so
 * its fsync fails), no target is replaced and no temporary is left.
 */
static void
test_outfile__commit_all_or_none(void)
{
	char dir[] = "/tmp/rs-test-out.XXXXXX", a[128], b[128], buf[64];
	struct rs_outfile *o[3];
	struct rs_error err;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	f = fopen(a, "w");
	fputs("old", f);
	fclose(f);

	CHECK(rs_outfile_open(&o[0], a, &err) == 0);
	CHECK(rs_outfile_open(&o[1], b, &err) == 0);
	o[2] = NULL;
	CHECK(write(rs_outfile_fd(o[0]), "new", 3) == 3);
	CHECK(write(rs_outfile_fd(o[1]), "new", 3) == 3);
	close(rs_outfile_fd(o[1]));
	CHECK(rs_outfile_commit_all(o, 3, &err) == RS_EIO);
	CHECK(strstr(err.msg, "/b: fsync") != NULL);
	slurp(a, buf, sizeof(buf));
	CHECK_STR(buf, "old");			/* a was fine, yet kept */
	CHECK(access(b, F_OK) != 0);		/* b never appeared */
	CHECK(count_entries(dir) == 1);		/* no temporary left */

	CHECK(rs_outfile_open(&o[0], a, &err) == 0);
	CHECK(rs_outfile_open(&o[2], b, &err) == 0);
	o[1] = NULL;
	CHECK(write(rs_outfile_fd(o[0]), "new", 3) == 3);
	CHECK(write(rs_outfile_fd(o[2]), "new", 3) == 3);
	CHECK(rs_outfile_commit_all(o, 3, &err) == 0);
	slurp(a, buf, sizeof(buf));
	CHECK_STR(buf, "new");
	slurp(b, buf, sizeof(buf));
	CHECK_STR(buf, "new");
	CHECK(count_entries(dir) == 2);
	unlink(a);
	unlink(b);
	rmdir(dir);
}

int
main(void)
{
	RUN(test_outfile__commit_and_abort);
	RUN(test_outfile__unwritable);
	RUN(test_outfile__fifo_written_in_place);
	RUN(test_outfile__symlink_followed);
	RUN(test_outfile__commit_all_or_none);
	return tap_done();
}
