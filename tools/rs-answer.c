/*
 * rs-answer - the answering half of the replay protocol (rs-replay(1)):
 * every request of a request stream (rs-requests) is answered, in
 * request order, from the models plus the visitor's events strictly
 * before the request time, by lib/replay.c over the engine
 * (lib/engine.c), and printed as answer rows (lib/replayout.c) for
 * rs-eval --requests to score.  For the same blend and K the rows are
 * the bytes rs-replay -a writes.
 *
 * This was rs-recommend's second synopsis (rs-recommend -r); that form
 * still works, rs-recommend execs this program.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "progress.h"
#include "replayout.h"
#include "answeropts.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-answer [-qv] [-A props] [-b blend] [-f format] [-i items] "
    "[-k k]\n"
    "       [-m model] [-n knn] [-o file] [-p popular] [-t threads] "
    "[-w weights]\n"
    "       [--keep-bought] [--knn-context n] [--knn-daily] "
    "[--knn-decay x]\n"
    "       [--knn-every dur] [--knn-half-life dur] [--no-fold-in]\n"
    "       [--popular-window dur] [--tree file] -H events -r requests\n";

static void
help(void)
{
	printf("%s", usage_text);
	printf("Answer the requests of a replay: K items per request, from "
	    "the models\nand the visitor's events strictly before the "
	    "request time.\n\n"
	    ANSWER_HELP_AVAIL
	    "  -b, --blend SPEC        the blend that answers, e.g. "
	    "recent:4,itemknn:3,als:3\n"
	    "                          (default: the blend of rs-replay(1))\n"
	    "  -f, --format FMT        csv (default), tsv or jsonl\n"
	    "  -H, --history FILE      event stream: every visitor's events\n"
	    "  -i, --items FILE        never recommend items unavailable in "
	    "this table\n"
	    "  -k, --k K               rows per request, 1 to 1000 "
	    "(default 10)\n"
	    ANSWER_HELP_SOURCES
	    "  -o, --output FILE       write to FILE (atomically), not "
	    "stdout\n"
	    ANSWER_HELP_POPULAR
	    "  -q, --quiet             no warnings or progress\n"
	    "  -r, --requests FILE     request stream (rs-requests)\n"
	    "  -t, --threads N         worker threads (default 1)\n"
	    "  -v, --verbose           timings and counts on stderr\n"
	    "  -w, --weights LIST      weight per event type (default\n"
	    "                          view=1,addtocart=5,transaction=3)\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n\n"
	    "The rows are request,visitor,item,rank,score,source, the same "
	    "as\nrs-replay -a writes for the same blend and K.\n");
	close_stdout();
	exit(0);
}

enum fmt { FMT_CSV, FMT_TSV, FMT_JSONL };

enum { OPT_VERSION = OPT_ANSWER_END };

struct opts {
	struct answer_opts a;		/* what answers, and with what */
	enum fmt fmt;
	const char *output;
};

static enum rs_replayout_format
out_format(const struct opts *o)
{
	return o->fmt == FMT_TSV ? RS_REPLAYOUT_TSV : o->fmt == FMT_JSONL ?
	    RS_REPLAYOUT_JSON : RS_REPLAYOUT_CSV;
}

/* ---- the run ---- */

/*
 * Answers requests i0 .. nq of rp in rounds of threads x 16 batches (an
 * answer never depends on its batch: replay.h); the main thread prints
 * each round in request order.
 */
static void
answer_requests(const struct opts *o, const struct rs_replay *rp,
    size_t i0, size_t nq, struct rs_textout *t)
{
	const unsigned threads = o->a.threads, k = o->a.ks[0];
	const size_t round = (size_t)threads * 16 * RS_ENGINE_BATCH;
	const size_t cap = nq < round ? nq : round;
	const enum rs_replayout_format f = out_format(o);
	struct rs_row *rows = xmalloc((cap ? cap : 1) * k * sizeof(*rows));
	uint32_t *counts = xmalloc((cap ? cap : 1) * sizeof(*counts));
	struct rs_replay_work **w = xcalloc(threads, sizeof(*w));
	struct answer_batch b;
	struct rs_error err;
	size_t i;
	unsigned j;

	for (j = 0; j < threads; j++)
		if (rs_replay_work_create(&w[j], rp, &err) < 0)
			die_err(&err);
	memset(&b, 0, sizeof(b));
	b.rp = rp;
	b.rec = &o->a.blend[0];
	b.nrec = b.nk = 1;
	b.ks = o->a.ks;
	b.kmax = k;
	b.rows = &rows;
	b.nrows = &counts;
	for (b.i0 = i0; b.i0 < nq; b.i0 += b.n) {
		b.n = nq - b.i0 < round ? nq - b.i0 : round;
		answer_batch_run(&b, w, threads);
		for (i = 0; i < b.n; i++)
			rs_replayout_answers(t, f, rs_replay_request(rp,
			    b.i0 + i), rows + i * k, counts[i]);
		if (t->err == 0 && t->len > (1u << 20) &&
		    rs_textout_flush(t, &err) < 0)
			die_err(&err);
	}
	for (j = 0; j < threads; j++)
		rs_replay_work_free(w[j]);
	free(w);
	free(rows);
	free(counts);
}

/* The whole run; returns the exit status. */
static int
run(struct opts *o)
{
	const struct answer_opts *a = &o->a;
	struct answer_inputs in;
	struct rs_replay *rp;
	struct rs_outfile *out;
	struct rs_textout t;
	size_t g0, g1;
	double t0, t1, t2;

	t0 = wall_seconds();
	answer_setup(&o->a, &in);
	answer_load(a, &in);
	out = open_text_output(o->output);
	begin_text(&t, out);
	rs_replayout_answers_header(&t, out_format(o));
	t1 = wall_seconds();
	progress_start("answering", "requests", in.nq, -1);
	rp = answer_replay(a, &in, in.q, in.nq);
	/* --knn-every: one group per period, its model before it */
	for (g0 = 0; g0 < in.nq; g0 = g1) {
		g1 = answer_period_knn(a, &in, rp, g0);
		answer_requests(o, rp, g0, g1, &t);
	}
	rs_replay_free(rp);
	progress_end();
	t2 = wall_seconds();
	end_text(&t, out);
	commit_output(out);
	verbose("%zu requests answered with %s in %.3f s (%.0f requests/s); "
	    "load %.3f s", in.nq, a->blend[0].name, t2 - t1, t2 > t1 ?
	    (double)in.nq / (t2 - t1) : 0.0, t1 - t0);
	answer_free(&in);
	return 0;
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		ANSWER_LONGOPTS,
		/*
		 * --count: rs-recommend -r's name for -k, kept so that its
		 * command lines (which rs-recommend passes here whole) still
		 * work; not documented.
		 */
		{ "count", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		COMMON_LONGOPTS(OPT_VERSION),
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, ANSWER_SHORTOPTS "f:ho:qv",
	    longopts, NULL)) != -1) {
		if (answer_option(&o->a, c, optarg))
			continue;
		switch (c) {
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				o->fmt = FMT_CSV;
			else if (strcmp(optarg, "tsv") == 0)
				o->fmt = FMT_TSV;
			else if (strcmp(optarg, "jsonl") == 0)
				o->fmt = FMT_JSONL;
			else
				usage_error(usage_text, "invalid --format "
				    "'%s': use csv, tsv or jsonl", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	answer_check(&o->a, argc - optind, argv + optind);
}

int
main(int argc, char **argv)
{
	struct opts o;

	tool_init(argc, argv);
	memset(&o, 0, sizeof(o));
	answer_opts_init(&o.a, usage_text);
	parse_args(argc, argv, &o);
	return run(&o);
}
