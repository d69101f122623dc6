/*
 * outfile.h - atomic output.  An output path gets a temporary file beside
 * it (same directory, so rename(2) is atomic); rs_outfile_commit fsyncs it,
 * renames it over the target and fsyncs the directory.  Until then the old
 * target is untouched, so a crash or kill -9 mid-run never leaves half a
 * file.  Path NULL or "-" means standard output, which is written directly.
 */
#ifndef RS_OUTFILE_H
#define RS_OUTFILE_H

#include "error.h"

struct rs_outfile;

/* Opens the temporary file (mode 0644 less umask). */
int rs_outfile_open(struct rs_outfile **out, const char *path,
	struct rs_error *err);

/* The descriptor to write to; borrowed. */
int rs_outfile_fd(const struct rs_outfile *o);

/* Name for messages: the target path, or "<stdout>". */
const char *rs_outfile_name(const struct rs_outfile *o);

/* 1 when writing to standard output. */
int rs_outfile_is_stdout(const struct rs_outfile *o);

/*
 * Makes the output final: fsync, close, rename, fsync of the directory.
 * For standard output it only checks that the data could be written
 * (fsync errors other than EINVAL/ENOTSUP count).  Frees o either way.
 */
int rs_outfile_commit(struct rs_outfile *o, struct rs_error *err);

/*
 * Commits the outputs o[0..n) of one run together, all or none (NULL
 * entries are skipped): first every one is made durable and checked
 * (fsync and close, as rs_outfile_commit does), and only when all of
 * them succeeded is any temporary renamed over its target.  So a failure
 * of any output (a full disk, standard output on /dev/full) leaves every
 * target as it was.  Only a rename itself failing midway (the directory
 * changed under the run) can leave the targets before it renamed.  Data
 * written to standard output by stdio must be flushed first.  Frees every
 * o[i] either way, removing the temporaries not renamed.
 */
int rs_outfile_commit_all(struct rs_outfile *const *o, size_t n,
	struct rs_error *err);

/* Removes the temporary file and frees o; NULL is fine. */
void rs_outfile_abort(struct rs_outfile *o);

#endif
