/*
 * tool.h - helpers shared by the rs command-line tools only (they may print
 * and exit; the library may not): program name, messages, checked
 * allocation, option-argument parsing, input/output plumbing and the
 * metadata every output records.
 */
#ifndef RS_TOOL_H
#define RS_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rs.h"

/* Exit statuses (rs(7)): 0 success, 1 runtime failure, 2 usage error. */
#define EXIT_USAGE 2

extern const char *progname;
extern int tool_verbose;	/* -v count */
extern int tool_quiet;		/* -q */

/* Records the program name and argv (for metadata); call first in main. */
void tool_init(int argc, char **argv);

/* The strings w[0..n) joined with single spaces, malloc'd. */
char *join_words(const char *const *w, int n);

/* "progname: message\n" on stderr, then exit(1). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* As die, appending ": strerror(errno)". */
void die_errno(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* Prints err->msg and exits 1. */
void die_err(const struct rs_error *err) __attribute__((noreturn));
/* "progname: message\n" on stderr unless -q. */
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Wrong usage: prints "progname: message", then the usage lines, to stderr
 * and exits 2.  usage_text is the tool's synopsis ("usage: rs-x ...\n").
 */
void usage_error(const char *usage_text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* For getopt's own '?' result: usage only, exit 2 (getopt printed why). */
void usage_exit(const char *usage_text) __attribute__((noreturn));

/* Prints "progname (rs) VERSION" to stdout and exits 0. */
void version_exit(void) __attribute__((noreturn));

/*
 * The options every tool has, for the default: of its getopt_long
 * switch: 'h' calls help (full help on stdout, exit 0), 'q' and 'v' set
 * tool_quiet and tool_verbose, version_opt (the tool's code for
 * --version) calls version_exit; anything else is getopt's '?', which
 * already said why: usage_exit.
 */
void common_option(int c, int version_opt, void (*help)(void),
	const char *usage_text);
/*
 * The long names of those options, for the end of a tool's getopt_long
 * table (before its terminating entry); version is the tool's code for
 * --version.
 */
#define COMMON_LONGOPTS(version) \
	{ "help", no_argument, NULL, 'h' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "version", no_argument, NULL, (version) }

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/*
 * Parses an option argument as a number in [min, max]; on any problem
 * (empty, trailing garbage, out of range) prints "invalid --opt 'arg':
 * why" with the usage and exits 2.
 */
uint64_t parse_u64(const char *opt, const char *arg, uint64_t min,
	uint64_t max, const char *usage_text);
int64_t parse_i64(const char *opt, const char *arg, int64_t min, int64_t max,
	const char *usage_text);
double parse_double(const char *opt, const char *arg, double min, double max,
	const char *usage_text);

/*
 * Parses a time-window bound (ms, ISO date or end-14d; lib/interact.h) or
 * event weights (view=1,addtocart=5,...) given to option opt; on a bad
 * value prints "invalid opt: why" with the usage and exits 2.
 */
void parse_bound_opt(const char *opt, const char *arg, struct rs_bound *b,
	const char *usage_text);
void parse_weights_opt(const char *opt, const char *arg,
	double w[RS_EV_NTYPES], const char *usage_text);
/* A duration with its unit (14d, 36h, 500ms; rstime.h) in ms, the same way. */
int64_t parse_duration_opt(const char *opt, const char *arg,
	const char *usage_text);
/*
 * A K list (5,10,20; klist.h) into ks[0..*n), at most max_n values from 1
 * to max_k, the same way.
 */
void parse_klist_opt(const char *opt, const char *arg, unsigned max_k,
	unsigned *ks, unsigned max_n, unsigned *n, const char *usage_text);

/*
 * The one input operand argv[0..argc) may hold ("-" when none): after
 * getopt, pass argc - optind and argv + optind.  More is a usage error,
 * "one <what> at most".
 */
const char *one_operand(int argc, char **argv, const char *what,
	const char *usage_text);

/* Opens path for reading ("-" or NULL = stdin, not closed). Dies on error. */
int open_input(const char *path);
/* The name to use in messages for an input path. */
const char *input_name(const char *path);
/* Closes an fd from open_input unless it is stdin. */
void close_input(int fd);

/*
 * open_input as a progress step (progress.h), "reading <name>", whose
 * percent follows the read offset of the file; end_input ends the step
 * and closes the input.
 */
int begin_input(const char *path);
void end_input(int fd);
/* begin_input with an rs stream reader on it; dies on error. */
struct rs_reader *open_stream(const char *path, int *fd);
/* Frees a reader of open_stream and ends its input. */
void close_stream(struct rs_reader *r, int fd);

/*
 * The availability timeline (avail.h) of the property streams
 * paths[0..n), as -A of rs-replay and rs-answer builds it, with a
 * -v line of its size; dies on error.
 */
struct rs_avail *load_avail(const char *const *paths, unsigned n);

/*
 * A matrix (csr.h), item table (items.h), model (model.h) or item-kNN
 * model (itemknn.h) stream, read as a progress step; die on error.
 */
struct rs_csr *load_matrix(const char *path);
struct rs_items *load_items(const char *path);
struct rs_model *load_model(const char *path);
/* The same with threads for the CRC of large tables (rs_reader_set_threads). */
struct rs_model *load_model_threads(const char *path, unsigned threads);
struct rs_itemknn *load_knn(const char *path);
/* A request stream (requests.h): *n requests, malloc'd; dies on error. */
struct rs_request *load_requests(const char *path, size_t *n);

/*
 * Opens an atomic output (outfile.h) for a binary stream; refuses a
 * terminal on standard output (use -o, or pipe into a tool).  Dies on
 * error.
 */
struct rs_outfile *open_binary_output(const char *path);
/* The same for text output (a terminal is fine). */
struct rs_outfile *open_text_output(const char *path);
/* Commits o; dies with a message on failure (full disk, closed pipe). */
void commit_output(struct rs_outfile *o);
/*
 * Commits the outputs o[0..n) of a run all or none (rs_outfile_commit_all;
 * NULL entries skipped), after flushing stdio's standard output: if that
 * or any output fails, no file output is replaced, and it dies with a
 * message.  A run with several outputs writes every one first (standard
 * output included), then calls this once.
 */
void commit_outputs(struct rs_outfile *const *o, size_t n);
/* Removes the outputs o[0..n) unwritten (NULL entries skipped). */
void abort_outputs(struct rs_outfile *const *o, size_t n);
/* Removes the output o unwritten, then dies as die_err. */
void die_abort(struct rs_outfile *o, const struct rs_error *err)
	__attribute__((noreturn));

/*
 * Text written to the output o through t (textout.h): begin_text sets t
 * up ("out of memory" is fatal); end_text flushes and releases it, and
 * on a write error removes o and dies.  Commit o afterwards.
 */
void begin_text(struct rs_textout *t, struct rs_outfile *o);
void end_text(struct rs_textout *t, struct rs_outfile *o);

/*
 * Every event of the event stream at path (begin_input's progress step,
 * ended on return): *n events in a malloc'd array the caller frees.  On
 * a read error removes the output o (NULL for none) and dies.
 */
struct rs_event *read_events(const char *path, size_t *n,
	struct rs_outfile *o);

/*
 * Metadata every output records: tool, version, argv (space-joined), plus
 * the extra pairs given.  Returns a static array of *n entries, valid
 * until the next call.
 */
const struct rs_meta *tool_meta(const struct rs_meta *extra, unsigned nextra,
	unsigned *n);

/*
 * Runs fn on each of the n jobs in the array jobs (elements of size
 * bytes): in the calling thread when n is 1, else on a thread each,
 * all joined before it returns.  Dies if a thread cannot start.  The
 * jobs report their own errors (in their element) for the caller.
 */
void run_jobs(void *(*fn)(void *), void *jobs, size_t size, unsigned n);

/*
 * Seconds on the monotonic clock (for intervals: -v timings, rates,
 * ETAs) and of CPU time used by the process, all threads together.
 */
double wall_seconds(void);
double cpu_seconds(void);

/* Flushes and closes stdout, dying with a message on error (sbase fshut). */
int close_stdout(void);

/*
 * 1 if progress lines (progress.h) should be drawn on stderr: it is a
 * terminal, no -q, and standard output is no pipe.
 */
int progress_enabled(void);

#endif
