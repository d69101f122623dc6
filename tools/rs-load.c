/*
 * rs-load - read Retailrocket CSV files into a typed rs stream.
 *
 * Reads events.csv, item_properties_part*.csv or category_tree.csv (plain
 * or zstd-compressed, from files or standard input), recognises the kind
 * by the header unless --kind says it, and writes one binary stream of
 * that kind: several inputs of one kind become one stream.  Bad rows are
 * reported as file:line: reason, counted and skipped (--strict: the first
 * one is fatal).  With --stats it also prints the data analysis report.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "tool.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-load [-qsv] [--format fmt] [--strict] [-k kind] [-o file]\n"
    "       [-t threads] [file ...]\n";

#define SHOW_BAD 20	/* bad-row lines printed before "... and N more" */

static void
help(void)
{
	printf("%s", usage_text);
	printf("Read Retailrocket CSV (events, item properties, category "
	    "tree) into a typed\nrs stream.\n\n"
	    "      --format FMT    of the --stats report: table (default) or "
	    "tsv\n"
	    "  -k, --kind KIND     events, props or tree (default: from the "
	    "header)\n"
	    "  -o, --output FILE   write to FILE (atomically) instead of "
	    "stdout\n"
	    "  -q, --quiet         no per-row messages or progress (the summary\n"
	    "                      stays)\n"
	    "  -s, --stats         print the data analysis report (to stdout "
	    "with -o,\n"
	    "                      else to stderr)\n"
	    "      --strict        the first bad row is an error\n"
	    "  -t, --threads N     parser threads, 0 to 8 (default 2; 0 "
	    "parses in the\n"
	    "                      main thread)\n"
	    "  -v, --verbose       say more on stderr\n"
	    "  -h, --help          this help\n"
	    "      --version       print the version\n\n"
	    "With no file, or when file is -, read standard input.  Input "
	    "may be\nzstd-compressed.  Bad rows are reported as "
	    "file:line: reason and skipped.\n");
	close_stdout();
	exit(0);
}

struct run {
	struct rs_writer *w;
	struct rs_eda *eda;
	uint64_t shown, hidden, hidden_odd;
	int quiet;
};

static int
on_block(void *ctx, const struct rs_load_block *b, struct rs_error *err)
{
	struct run *r = ctx;
	int rc;

	if ((rc = rs_writer_put_frame(r->w, b->recs, b->len, b->nrec,
	    b->frame, b->flen, err)) < 0)
		return rc;
	if (r->eda && (rc = rs_eda_add(r->eda, b->recs, b->len, b->nrec,
	    err)) < 0)
		return rc;
	progress_add(b->nrec);
	return 0;
}

/*
 * A bad or odd row: "file:line: [warning: ]why" while the shared budget of
 * SHOW_BAD lasts, else counted in *hidden for the summary.
 */
static void
report_row(struct run *r, uint64_t *hidden, const char *name, uint64_t line,
    const char *what, const char *why)
{
	if (r->quiet || r->shown >= SHOW_BAD) {
		(*hidden)++;
		return;
	}
	r->shown++;
	progress_pause();
	fprintf(stderr, "%s: %s:%llu: %s%s\n", progname, name,
	    (unsigned long long)line, what, why);
	progress_resume();
}

static void
on_bad(void *ctx, const char *name, uint64_t line, const char *why)
{
	struct run *r = ctx;

	report_row(r, &r->hidden, name, line, "", why);
}

/* An odd row is kept, but reported like a bad row. */
static void
on_odd(void *ctx, const char *name, uint64_t line, const char *why)
{
	struct run *r = ctx;

	report_row(r, &r->hidden_odd, name, line, "warning: ", why);
}

/* After each input: what was hidden, then the summary lines. */
static void
summary(struct run *r, const struct rs_load *l, const char *name)
{
	uint64_t bad = rs_load_bad(l), odd = rs_load_odd(l);

	if (r->hidden > 0 && !r->quiet)
		fprintf(stderr, "%s: %s: ... and %llu more bad rows\n",
		    progname, name, (unsigned long long)r->hidden);
	if (r->hidden_odd > 0 && !r->quiet)
		fprintf(stderr, "%s: %s: ... and %llu more warnings\n",
		    progname, name, (unsigned long long)r->hidden_odd);
	r->hidden = r->hidden_odd = 0;
	if (bad > 0)
		fprintf(stderr, "%s: %s: %llu bad row%s skipped of %llu\n",
		    progname, name, (unsigned long long)bad,
		    bad == 1 ? "" : "s", (unsigned long long)rs_load_rows(l));
	else
		verbose("%s: %llu rows", name,
		    (unsigned long long)rs_load_rows(l));
	if (odd > 0)
		fprintf(stderr, "%s: %s: %llu transaction row%s without a "
		    "transactionid, kept\n", progname, name,
		    (unsigned long long)odd, odd == 1 ? "" : "s");
}

/*
 * The argv recorded in the metadata leaves out -t/--threads (and its old
 * spelling -j, see main): the thread count never changes the output, so
 * it must not change its bytes.
 */
static char **
argv_without_threads(int argc, char **argv, int *nargc)
{
	char **v = xcalloc((size_t)argc + 1, sizeof(*v));
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		if (i > 0 && strcmp(argv[i], "--") == 0) {
			while (i < argc)
				v[n++] = argv[i++];
			break;
		}
		if (i > 0 && (strcmp(argv[i], "-t") == 0 ||
		    strcmp(argv[i], "-j") == 0 ||
		    strcmp(argv[i], "--threads") == 0)) {
			i++;
			continue;
		}
		if (i > 0 && (strncmp(argv[i], "-t", 2) == 0 ||
		    strncmp(argv[i], "-j", 2) == 0 ||
		    strncmp(argv[i], "--threads=", 10) == 0))
			continue;
		v[n++] = argv[i];
	}
	*nargc = n;
	return v;
}

/* Opens an input and reads its header; on failure drops out (if any). */
static struct rs_load *
open_one(const char *path, int *fd, const struct rs_load_opts *lo,
    struct rs_outfile *out)
{
	struct rs_load *l;
	struct rs_error err;
	int rc;

	if (strcmp(path, "-") == 0)
		*fd = STDIN_FILENO;
	else if ((*fd = open(path, O_RDONLY)) < 0) {
		rs_outfile_abort(out);
		die_errno("%s", path);
	}
	if ((rc = rs_load_open(&l, *fd, input_name(path), lo, &err)) < 0) {
		rs_outfile_abort(out);
		if (rc == RS_EFORMAT && lo->kind == 0)
			die("%s (not events, props or tree; give the kind "
			    "with --kind)", err.msg);
		die_err(&err);
	}
	verbose("%s: %s%s", input_name(path), rs_kind_name(rs_load_kind(l)),
	    rs_load_is_zstd(l) ? ", zstd-compressed" : "");
	return l;
}

/* The names of the inputs, for the metadata. */
static char *
join_inputs(char **paths, int n)
{
	const char **names = xcalloc((size_t)n + 1, sizeof(*names));
	char *s;
	int i;

	for (i = 0; i < n; i++)
		names[i] = input_name(paths[i]);
	s = join_words(names, n);
	free(names);
	return s;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "kind", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "stats", no_argument, NULL, 's' },
		{ "strict", no_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 't' },
		COMMON_LONGOPTS('V'),
		{ NULL, 0, NULL, 0 }
	};
	static char dash[] = "-";
	static char *stdin_only[] = { dash };
	struct rs_load_opts lo;
	struct rs_writer_opts wo;
	struct rs_stream_desc desc;
	struct rs_load_sink sink;
	struct rs_outfile *out;
	struct rs_textout t;
	struct rs_error err;
	struct rs_load *l;
	struct rs_meta extra;
	struct run r;
	const struct rs_meta *meta;
	const char *output = NULL, *first;
	char **paths, **mv, *inputs, label[300];
	unsigned nmeta, kind;
	int c, i, npaths, fd, stats = 0, tsv = 0, margc, to_stderr;
	const char *format = NULL;

	mv = argv_without_threads(argc, argv, &margc);
	tool_init(margc, mv);
	rs_load_opts_init(&lo);
	lo.zframes = 1;
	/*
	 * -j is the old spelling of -t/--threads, from before every tool
	 * said -t; it stays accepted, undocumented, so existing scripts and
	 * cron lines keep working.
	 */
	while ((c = getopt_long(argc, argv, "hj:k:o:qst:v", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'F':
			format = optarg;
			if (strcmp(optarg, "tsv") == 0)
				tsv = 1;
			else if (strcmp(optarg, "table") != 0)
				usage_error(usage_text, "invalid --format '%s': "
				    "expected table or tsv", optarg);
			break;
		case 'k':
			if ((lo.kind = rs_load_kind_parse(optarg)) == 0)
				usage_error(usage_text, "invalid --kind '%s': "
				    "use events, props or tree", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 's':
			stats = 1;
			break;
		case 'S':
			lo.strict = 1;
			break;
		case 'j':	/* the old -t, see above */
		case 't':
			lo.threads = (unsigned)parse_u64("--threads", optarg, 0,
			    8, usage_text);
			break;
		default:
			common_option(c, 'V', help, usage_text);
		}
	}
	if (format != NULL && !stats)
		usage_error(usage_text, "--format needs --stats");
	paths = argv + optind;
	npaths = argc - optind;
	if (npaths == 0) {
		paths = stdin_only;
		npaths = 1;
	}

	memset(&r, 0, sizeof(r));
	r.quiet = tool_quiet;
	sink.block = on_block;
	sink.bad = on_bad;
	sink.odd = on_odd;
	sink.ctx = &r;

	/* The first input decides the kind of the stream. */
	l = open_one(paths[0], &fd, &lo, NULL);
	kind = rs_load_kind(l);
	first = input_name(paths[0]);
	extra.key = "inputs";
	extra.value = inputs = join_inputs(paths, npaths);
	meta = tool_meta(&extra, 1, &nmeta);
	if (rs_records_desc(kind, meta, nmeta, &desc) < 0)
		die("internal error: no schema for kind %u", kind);
	if (stats && rs_eda_create(&r.eda, kind, &err) < 0)
		die_err(&err);
	out = open_binary_output(output);
	rs_writer_opts_init(&wo);
	/*
	 * The parsers compress their own blocks (load.h, zframes) at the
	 * level that suits the kind: that spreads zstd over every core,
	 * where a zstd worker thread was one more thread behind them and
	 * cost 20 % more CPU.  The writer itself only frames the header and
	 * the trailers.
	 */
	wo.level = rs_load_zlevel(kind);
	if (rs_writer_open(&r.w, rs_outfile_fd(out), rs_outfile_name(out),
	    &desc, &wo, &err) < 0)
		die_abort(out, &err);
	for (i = 0; i < npaths; i++) {
		if (i > 0) {
			l = open_one(paths[i], &fd, &lo, out);
			if (rs_load_kind(l) != kind) {
				rs_outfile_abort(out);
				die("%s: %s file, but '%s' is %s: load them "
				    "separately", input_name(paths[i]),
				    rs_kind_name(rs_load_kind(l)), first,
				    rs_kind_name(kind));
			}
		}
		snprintf(label, sizeof(label), "loading %s",
		    input_name(paths[i]));
		progress_start(label, "rows", 0, fd);
		if (rs_load_run(l, &sink, &err) < 0)
			die_abort(out, &err);
		progress_end();
		summary(&r, l, input_name(paths[i]));
		rs_load_free(l);
		close_input(fd);
	}
	if (rs_writer_finish(r.w, &err) < 0)
		die_abort(out, &err);
	rs_writer_free(r.w);
	if (r.eda) {
		/*
		 * The report goes where the stream does not, and before the
		 * stream is committed: if it cannot be written (stdout on a
		 * full disk), the -o file stays as it was (rs(7)).
		 */
		to_stderr = output == NULL || strcmp(output, "-") == 0;
		if (rs_textout_init(&t, to_stderr ? STDERR_FILENO :
		    STDOUT_FILENO, to_stderr ? "<stderr>" : "<stdout>") < 0)
			die("out of memory");
		if ((tsv ? rs_eda_report_tsv(r.eda, &t, &err) :
		    rs_eda_report(r.eda, &t, &err)) < 0 ||
		    rs_textout_flush(&t, &err) < 0)
			die_abort(out, &err);
		rs_textout_release(&t);
		rs_eda_free(r.eda);
	}
	commit_output(out);
	free(inputs);
	free(mv);
	return close_stdout();
}
