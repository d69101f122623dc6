/*
 * outfile.c - atomic output files.  See outfile.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "banned.h"

struct rs_outfile {
	int fd;
	char *path;		/* NULL for stdout */
	char *tmp;		/* NULL when writing in place */
	int direct;		/* a device or FIFO, written in place */
};

/*
 * The file a symbolic link names, even if it does not exist yet (a
 * dangling link): relative targets are taken from the link's directory.
 * Returns a malloc'd path, or NULL (then the link itself is replaced).
 */
static char *
link_target(const char *path)
{
	const char *slash;
	char target[4096], *p;
	ssize_t n;
	size_t dirlen;

	if ((p = realpath(path, NULL)) != NULL)
		return p;
	if ((n = readlink(path, target, sizeof(target) - 1)) <= 0)
		return NULL;
	target[n] = '\0';
	if (target[0] == '/')
		return strdup(target);
	slash = strrchr(path, '/');
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	if ((p = malloc(dirlen + (size_t)n + 1)) == NULL)
		return NULL;
	memcpy(p, path, dirlen);
	memcpy(p + dirlen, target, (size_t)n + 1);
	return p;
}

int
rs_outfile_open(struct rs_outfile **out, const char *path,
    struct rs_error *err)
{
	struct rs_outfile *o;
	struct stat st;
	char *real = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		*out = o;
		return 0;
	}
	/*
	 * Only a regular file (or a new one) is replaced by rename.  A device,
	 * FIFO or socket (/dev/null, /dev/stdout, a named pipe) is written in
	 * place: renaming over it would replace the device node itself.
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->fd = open(path, O_WRONLY | O_TRUNC)) < 0) {
			int e = errno;

			free(o);
			return rs_error_errno(err, RS_EIO, e, "%s: cannot open "
			    "output", path);
		}
		if ((o->path = strdup(path)) == NULL) {
			close(o->fd);
			free(o);
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		}
		o->direct = 1;
		*out = o;
		return 0;
	}
	/*
	 * Through a symbolic link, the file it names is what gets replaced
	 * (the temporary goes beside it), not the link.
	 */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (real = link_target(path)) != NULL)
		path = real;
	n = strlen(path) + 16;
	if ((o->path = strdup(path)) == NULL ||
	    (o->tmp = malloc(n)) == NULL) {
		free(real);
		rs_outfile_abort(o);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	/* A leading dot keeps half-written files out of globs. */
	{
		const char *slash = strrchr(path, '/');
		size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;

		snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path,
		    path + dirlen);
	}
	if ((o->fd = mkstemp(o->tmp)) < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		rs_outfile_abort(o);
		rc = rs_error_errno(err, RS_EIO, e, "%s: cannot create "
		    "output", path);
		free(real);
		return rc;
	}
	free(real);
	/* mkstemp makes 0600; outputs are ordinary files. */
	{
		mode_t mask = umask(0);

		umask(mask);
		fchmod(o->fd, 0666 & ~mask);
	}
	*out = o;
	return 0;
}

int
rs_outfile_fd(const struct rs_outfile *o)
{
	return o->fd;
}

const char *
rs_outfile_name(const struct rs_outfile *o)
{
	return o->path ? o->path : "<stdout>";
}

int
rs_outfile_is_stdout(const struct rs_outfile *o)
{
	return o->path == NULL;
}

static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/*
 * Phase one of a commit: makes the data durable (fsync, close) without
 * renaming; for standard output and devices, checks that the data could
 * be written.  Afterwards o->fd is -1 and only rename_tmp is left.
 */
static int
prepare(struct rs_outfile *o, struct rs_error *err)
{
	int rc = 0;

	if (o->path == NULL || o->direct) {
		if (fsync(o->fd) < 0 && errno != EINVAL && errno != ENOTSUP &&
		    errno != EROFS && errno != EBADF)
			rc = rs_error_errno(err, RS_EIO, errno, "%s",
			    rs_outfile_name(o));
		if (o->direct && close(o->fd) < 0 && rc == 0)
			rc = rs_error_errno(err, RS_EIO, errno, "%s: close",
			    o->path);
		o->fd = -1;
		return rc;
	}
	if (fsync(o->fd) < 0)
		rc = rs_error_errno(err, RS_EIO, errno, "%s: fsync", o->path);
	if (close(o->fd) < 0 && rc == 0)
		rc = rs_error_errno(err, RS_EIO, errno, "%s: close", o->path);
	o->fd = -1;
	return rc;
}

/* Phase two: the rename, for a prepared temporary file. */
static int
rename_tmp(struct rs_outfile *o, struct rs_error *err)
{
	if (o->tmp == NULL)
		return 0;
	if (rename(o->tmp, o->path) < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s: rename",
		    o->path);
	sync_dir(o->path);
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

int
rs_outfile_commit(struct rs_outfile *o, struct rs_error *err)
{
	return rs_outfile_commit_all(&o, 1, err);
}

int
rs_outfile_commit_all(struct rs_outfile *const *o, size_t n,
    struct rs_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		if (o[i] != NULL)
			rc = prepare(o[i], err);
	for (i = 0; i < n && rc == 0; i++)
		if (o[i] != NULL)
			rc = rename_tmp(o[i], err);
	/* After an error, the temporaries not yet renamed are removed. */
	for (i = 0; i < n; i++)
		rs_outfile_abort(o[i]);
	return rc;
}

void
rs_outfile_abort(struct rs_outfile *o)
{
	if (o == NULL)
		return;
	if (o->path != NULL && o->fd >= 0)
		close(o->fd);
	if (o->tmp != NULL)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	free(o);
}
