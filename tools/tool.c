/*
 * tool.c - helpers for the rs command-line tools.  See tool.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "progress.h"
#include "banned.h"

const char *progname = "rs";
int tool_verbose;
int tool_quiet;

static char *argv_joined;

/*
 * Every exit ends here, after the tool's own exit handlers: stdio
 * flushed, then _exit, so that no library's exit handler runs.
 * OpenBLAS's joins its worker thread, and under a memory limit (ulimit
 * -v below about 160 MB) that thread retries the allocation of its
 * buffer forever: every tool, even rs-cat --version, hung at exit.  The
 * libraries' handlers have nothing else to do at a process's end.
 */
static void
exit_now(int status, void *arg)
{
	(void)arg;
	fflush(NULL);
	_exit(status);
}

void
tool_init(int argc, char **argv)
{
	const char *slash, **w;
	int i;

	on_exit(exit_now, NULL);

	if (argc > 0 && argv[0] != NULL) {
		slash = strrchr(argv[0], '/');
		progname = slash ? slash + 1 : argv[0];
	}
	/* argv[0] as the program name only: paths differ by host. */
	w = xcalloc((size_t)argc + 1, sizeof(*w));
	w[0] = progname;
	for (i = 1; i < argc; i++)
		w[i] = argv[i];
	argv_joined = join_words(w, argc);
	free(w);
}

char *
join_words(const char *const *w, int n)
{
	size_t len = 1, k;
	char *s;
	int i;

	for (i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	s = xmalloc(len);
	len = 0;
	for (i = 0; i < n; i++) {
		if (i > 0)
			s[len++] = ' ';
		k = strlen(w[i]);
		memcpy(s + len, w[i], k);
		len += k;
	}
	s[len] = '\0';
	return s;
}

/* A message starts on a clean line, never after a progress line. */
static void
vmsg(const char *fmt, va_list ap, int errnum)
{
	fflush(stdout);
	progress_pause();
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	progress_resume();
}

void
die(const char *fmt, ...)
{
	va_list ap;

	progress_kill();
	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void
die_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	progress_kill();
	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
	exit(1);
}

void
die_err(const struct rs_error *err)
{
	die("%s", err->msg[0] ? err->msg : rs_strerror(err->code));
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	if (tool_quiet)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

void
verbose(const char *fmt, ...)
{
	va_list ap;

	if (!tool_verbose || tool_quiet)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

void
usage_error(const char *usage_text, const char *fmt, ...)
{
	va_list ap;

	progress_kill();
	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	fputs(usage_text, stderr);
	exit(EXIT_USAGE);
}

void
usage_exit(const char *usage_text)
{
	fputs(usage_text, stderr);
	exit(EXIT_USAGE);
}

void
version_exit(void)
{
	printf("%s (rs) %s\n", progname, RS_VERSION);
	close_stdout();
	exit(0);
}

void
common_option(int c, int version_opt, void (*help)(void),
    const char *usage_text)
{
	if (c == 'h')
		help();
	else if (c == 'q')
		tool_quiet = 1;
	else if (c == 'v')
		tool_verbose++;
	else if (c == version_opt)
		version_exit();
	else
		usage_exit(usage_text);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		die("out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		die("out of memory");
	return p;
}

uint64_t
parse_u64(const char *opt, const char *arg, uint64_t min, uint64_t max,
    const char *usage_text)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (arg[0] == '\0' || arg[0] == '-' || arg[0] == '+' ||
	    (v = strtoull(arg, &end, 10), errno != 0) || *end != '\0')
		usage_error(usage_text, "invalid %s '%s': not a whole number",
		    opt, arg);
	if (v < min || v > max)
		usage_error(usage_text, "invalid %s '%s': must be from %llu to "
		    "%llu", opt, arg, (unsigned long long)min,
		    (unsigned long long)max);
	return v;
}

int64_t
parse_i64(const char *opt, const char *arg, int64_t min, int64_t max,
    const char *usage_text)
{
	long long v;
	char *end;

	errno = 0;
	if (arg[0] == '\0' || (v = strtoll(arg, &end, 10), errno != 0) ||
	    *end != '\0')
		usage_error(usage_text, "invalid %s '%s': not a whole number",
		    opt, arg);
	if (v < min || v > max)
		usage_error(usage_text, "invalid %s '%s': must be from %lld to "
		    "%lld", opt, arg, (long long)min, (long long)max);
	return v;
}

double
parse_double(const char *opt, const char *arg, double min, double max,
    const char *usage_text)
{
	char *end;
	double v;

	errno = 0;
	if (arg[0] == '\0' || (v = strtod(arg, &end), errno != 0) ||
	    *end != '\0' || !isfinite(v))
		usage_error(usage_text, "invalid %s '%s': not a number", opt,
		    arg);
	if (v < min || v > max)
		usage_error(usage_text, "invalid %s '%s': must be from %g to %g",
		    opt, arg, min, max);
	return v;
}

void
parse_bound_opt(const char *opt, const char *arg, struct rs_bound *b,
    const char *usage_text)
{
	struct rs_error err;

	if (rs_bound_parse(arg, b, &err) < 0)
		usage_error(usage_text, "invalid %s: %s", opt, err.msg);
}

void
parse_weights_opt(const char *opt, const char *arg, double w[RS_EV_NTYPES],
    const char *usage_text)
{
	struct rs_error err;

	if (rs_interact_parse_weights(arg, w, &err) < 0)
		usage_error(usage_text, "invalid %s: %s", opt, err.msg);
}

int64_t
parse_duration_opt(const char *opt, const char *arg, const char *usage_text)
{
	struct rs_error err;
	int64_t ms;

	if (rs_duration_parse(arg, &ms, &err) < 0)
		usage_error(usage_text, "invalid %s: %s", opt, err.msg);
	return ms;
}

void
parse_klist_opt(const char *opt, const char *arg, unsigned max_k,
    unsigned *ks, unsigned max_n, unsigned *n, const char *usage_text)
{
	struct rs_error err;

	if (rs_klist_parse(arg, max_k, ks, max_n, n, &err) < 0)
		usage_error(usage_text, "invalid %s '%s': %s", opt, arg,
		    err.msg);
}

const char *
one_operand(int argc, char **argv, const char *what, const char *usage_text)
{
	if (argc > 1)
		usage_error(usage_text, "one %s at most", what);
	return argc == 1 ? argv[0] : "-";
}

int
open_input(const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if ((fd = open(path, O_RDONLY)) < 0)
		die_errno("%s", path);
	return fd;
}

const char *
input_name(const char *path)
{
	return (path == NULL || strcmp(path, "-") == 0) ? "<stdin>" : path;
}

void
close_input(int fd)
{
	if (fd != STDIN_FILENO)
		close(fd);
}

int
begin_input(const char *path)
{
	char label[128];
	int fd = open_input(path);

	snprintf(label, sizeof(label), "reading %s", input_name(path));
	progress_start(label, NULL, 0, fd);
	return fd;
}

void
end_input(int fd)
{
	progress_end();
	close_input(fd);
}

struct rs_reader *
open_stream(const char *path, int *fd)
{
	struct rs_reader *r;
	struct rs_error err;

	*fd = begin_input(path);
	if (rs_reader_open(&r, *fd, input_name(path), &err) < 0)
		die_err(&err);
	return r;
}

void
close_stream(struct rs_reader *r, int fd)
{
	rs_reader_free(r);
	end_input(fd);
}

struct rs_outfile *
open_binary_output(const char *path)
{
	struct rs_outfile *o;
	struct rs_error err;

	if ((path == NULL || strcmp(path, "-") == 0) && isatty(STDOUT_FILENO))
		die("refusing to write a binary stream to a terminal "
		    "(use -o file, or pipe into rs-cat)");
	if (rs_outfile_open(&o, path, &err) < 0)
		die_err(&err);
	return o;
}

struct rs_outfile *
open_text_output(const char *path)
{
	struct rs_outfile *o;
	struct rs_error err;

	if (rs_outfile_open(&o, path, &err) < 0)
		die_err(&err);
	return o;
}

void
commit_output(struct rs_outfile *o)
{
	commit_outputs(&o, 1);
}

/*
 * Standard output is checked (stdio flushed, errors caught) before any
 * file is renamed: it cannot be taken back, so it goes first, and a
 * failure there keeps every file output as it was.
 */
void
commit_outputs(struct rs_outfile *const *o, size_t n)
{
	struct rs_error err;
	size_t i;
	int e;

	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		e = errno ? errno : EIO;
		for (i = 0; i < n; i++)
			rs_outfile_abort(o[i]);
		errno = e;
		die_errno("write error on standard output");
	}
	if (rs_outfile_commit_all(o, n, &err) < 0)
		die_err(&err);
}

void
abort_outputs(struct rs_outfile *const *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rs_outfile_abort(o[i]);
}

void
die_abort(struct rs_outfile *o, const struct rs_error *err)
{
	rs_outfile_abort(o);
	die_err(err);
}

void
begin_text(struct rs_textout *t, struct rs_outfile *o)
{
	if (rs_textout_init(t, rs_outfile_fd(o), rs_outfile_name(o)) < 0)
		die("out of memory");
}

void
end_text(struct rs_textout *t, struct rs_outfile *o)
{
	struct rs_error err;

	if (rs_textout_flush(t, &err) < 0)
		die_abort(o, &err);
	rs_textout_release(t);
}

struct rs_event *
read_events(const char *path, size_t *n, struct rs_outfile *o)
{
	struct rs_reader *r;
	struct rs_event *ev;
	struct rs_error err;
	int fd;

	fd = begin_input(path);
	if (rs_reader_open(&r, fd, input_name(path), &err) < 0 ||
	    rs_events_read_all(r, &ev, n, &err) < 0)
		die_abort(o, &err);
	close_stream(r, fd);
	return ev;
}

const struct rs_meta *
tool_meta(const struct rs_meta *extra, unsigned nextra, unsigned *n)
{
	static struct rs_meta *m;
	static unsigned cap;
	unsigned i;

	if (cap < nextra + 3) {
		cap = nextra + 3;
		m = xrealloc(m, cap * sizeof(*m));
	}
	m[0].key = "tool";
	m[0].value = progname;
	m[1].key = "version";
	m[1].value = RS_VERSION;
	m[2].key = "argv";
	m[2].value = argv_joined ? argv_joined : progname;
	for (i = 0; i < nextra; i++)
		m[3 + i] = extra[i];
	*n = nextra + 3;
	return m;
}

void
run_jobs(void *(*fn)(void *), void *jobs, size_t size, unsigned n)
{
	pthread_t *tid;
	unsigned i;

	if (n == 1) {
		fn(jobs);
		return;
	}
	tid = xcalloc(n, sizeof(*tid));
	for (i = 0; i < n; i++)
		if (pthread_create(&tid[i], NULL, fn, (char *)jobs + i * size)
		    != 0)
			die("cannot start a thread");
	for (i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	free(tid);
}

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
wall_seconds(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

double
cpu_seconds(void)
{
	return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

int
close_stdout(void)
{
	int bad = ferror(stdout);

	if (fflush(stdout) != 0 || bad) {
		if (errno == 0)
			errno = EIO;
		die_errno("write error on standard output");
	}
	if (fclose(stdout) != 0)
		die_errno("write error on standard output");
	return 0;
}

/*
 * Not when standard output is a pipe: what reads it (the next tool, a
 * pager, head) may share the terminal, and two lines fighting over one
 * row, or one drawn over a pager, help nobody.  zstd keeps quiet in pipe
 * mode for the same reason.
 */
int
progress_enabled(void)
{
	struct stat sb;

	if (tool_quiet || !isatty(STDERR_FILENO))
		return 0;
	return fstat(STDOUT_FILENO, &sb) < 0 ||
	    !(S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode));
}

struct rs_avail *
load_avail(const char *const *paths, unsigned n)
{
	struct rs_avail *a;
	struct rs_avail_stats st;
	struct rs_reader *r;
	struct rs_error err;
	unsigned i;
	int fd;

	if (rs_avail_create(&a, &err) < 0)
		die_err(&err);
	for (i = 0; i < n; i++) {
		r = open_stream(paths[i], &fd);
		if (rs_avail_read(a, r, &err) < 0)
			die_err(&err);
		close_stream(r, fd);
	}
	if (rs_avail_finish(a, &err) < 0)
		die_err(&err);
	rs_avail_stats(a, &st);
	verbose("availability: %llu snapshots of %llu items, %llu items ever "
	    "unavailable, %llu changes kept (%zu bytes)",
	    (unsigned long long)st.snapshots, (unsigned long long)st.items,
	    (unsigned long long)st.unavailable,
	    (unsigned long long)st.changes, st.bytes);
	return a;
}

struct rs_csr *
load_matrix(const char *path)
{
	struct rs_reader *r;
	struct rs_csr *m;
	struct rs_error err;
	int fd;

	r = open_stream(path, &fd);
	if (rs_csr_read(r, &m, &err) < 0)
		die_err(&err);
	close_stream(r, fd);
	return m;
}

struct rs_items *
load_items(const char *path)
{
	struct rs_reader *r;
	struct rs_items *t;
	struct rs_error err;
	int fd;

	r = open_stream(path, &fd);
	if (rs_items_read(r, &t, &err) < 0)
		die_err(&err);
	close_stream(r, fd);
	return t;
}

struct rs_model *
load_model(const char *path)
{
	return load_model_threads(path, 1);
}

struct rs_model *
load_model_threads(const char *path, unsigned threads)
{
	struct rs_reader *r;
	struct rs_model *m;
	struct rs_error err;
	int fd;

	r = open_stream(path, &fd);
	rs_reader_set_threads(r, threads);
	if (rs_model_read(r, &m, &err) < 0)
		die_err(&err);
	close_stream(r, fd);
	return m;
}

struct rs_request *
load_requests(const char *path, size_t *n)
{
	struct rs_reader *r;
	struct rs_request *q;
	struct rs_error err;
	int fd;

	r = open_stream(path, &fd);
	if (rs_requests_read(r, &q, n, &err) < 0)
		die_err(&err);
	close_stream(r, fd);
	return q;
}

struct rs_itemknn *
load_knn(const char *path)
{
	struct rs_reader *r;
	struct rs_itemknn *k;
	struct rs_error err;
	int fd;

	r = open_stream(path, &fd);
	if (rs_itemknn_read(r, &k, &err) < 0)
		die_err(&err);
	close_stream(r, fd);
	return k;
}
