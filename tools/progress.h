/*
 * progress.h - one progress line on standard error for the long steps of
 * a tool ("rs-x: reading events.rse  12.3 M rows  4.1 M rows/s  48%  ETA
 * 3 s"), redrawn about four times a second and erased when the step ends.
 *
 * Nothing is ever drawn unless standard error is a terminal and -q was
 * not given (progress_enabled in tool.h); otherwise every call here is a
 * no-op apart from a relaxed atomic add, so a tool may call them
 * unconditionally.  Progress never touches standard output or any output
 * file.
 *
 * Use, one step at a time, from the main thread (progress_add and
 * progress_set from any thread):
 *
 *	progress_start("reading events.rse", "rows", 0, fd);
 *	for each block: progress_add(b.nrec);
 *	progress_end();		(before close_input(fd))
 *
 * A step shows what it knows: the count of its unit and its rate, the
 * percent and ETA from the count against a known total or, failing that,
 * from the read offset of fd against the size of the regular file behind
 * it (so a step whose reading happens inside lib/ still shows how far it
 * is), and else the elapsed time.  Messages printed through tool.c (die,
 * warnx, verbose) erase the line first; other writes to stderr while a
 * step runs go between progress_pause and progress_resume.
 */
#ifndef RS_PROGRESS_H
#define RS_PROGRESS_H

#include <stdint.h>

/*
 * Starts a step, ending the previous one.  label is copied.  unit names
 * what progress_add counts ("rows", "iterations", "B" for bytes); NULL
 * when nothing is counted (with fd >= 0 the line then shows bytes read).  total is the
 * count at the end, 0 if unknown.  fd (borrowed; -1 for none) is an
 * input whose offset gives the percent when it is a regular file; it must
 * stay open until progress_end.
 */
void progress_start(const char *label, const char *unit, uint64_t total,
	int fd);

/* Adds n to the step's count; safe and cheap from any thread. */
void progress_add(uint64_t n);
/* Sets the step's count. */
void progress_set(uint64_t n);

/* Extra text after the numbers ("loss 1.23e+05"), copied; NULL clears. */
void progress_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Erases the line and ends the step.  Fine without a step. */
void progress_end(void);

/*
 * Erase the line and hold it off while the caller writes to stderr;
 * every progress_pause needs its progress_resume.
 */
void progress_pause(void);
void progress_resume(void);

/* Erases the line for good: the process is about to exit (die). */
void progress_kill(void);

#endif
