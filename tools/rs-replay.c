/*
 * rs-replay - the replay protocol end to end: answer every request of a
 * request stream (rs-requests) from the models plus the visitor's events
 * strictly before the request time, for each recommender (the baselines
 * popular and recent always, itemknn and als when their models are
 * given, and each --blend), and print hit rate, MRR, NDCG, coverage and
 * novelty at each K, over all targets and over discovery targets.
 * Definitions in lib/replay.h and rs-replay(1).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "progress.h"
#include "replayout.h"
#include "answeropts.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-replay [-qv] [-A props] [-a file] [-b blend] [-i items] "
    "[-k list]\n"
    "       [-m model] [-n knn] [-o file] [-p popular] [-t threads] "
    "[-w weights]\n"
    "       [--answers-of name] [--format fmt] [--keep-bought]\n"
    "       [--knn-context n] [--knn-daily] [--knn-decay x] "
    "[--knn-every dur]\n"
    "       [--knn-half-life dur] [--no-fold-in] [--popular-window dur]\n"
    "       [--tree file] -H events -r requests\n";

/* The rows: the baselines and single sources, then the blends. */
#define MAX_REC (RS_SRC_N + ANSWER_MAX_BLENDS)

enum { OPT_ANSWERS_OF = OPT_ANSWER_END, OPT_FORMAT, OPT_VERSION };

static void
help(void)
{
	printf("%s", usage_text);
	printf("Replay requests against recommenders and score the answers."
	    "\n\n"
	    ANSWER_HELP_AVAIL
	    "  -a, --answers FILE      write the answer rows of one "
	    "recommender as\n"
	    "                          CSV request,visitor,item,rank,score,"
	    "source\n"
	    "      --answers-of NAME   which one, by row name (default: the "
	    "first\n"
	    "                          blend), at the largest K\n"
	    "  -b, --blend SPEC        add a blend row, e.g. "
	    "recent:4,itemknn:4,als:2\n"
	    "                          (repeatable; default: the blend of "
	    "rs-replay(1))\n"
	    "      --format FMT        table (default), csv or json\n"
	    "  -H, --history FILE      event stream: every visitor's events\n"
	    "  -i, --items FILE        never recommend items unavailable in "
	    "this table\n"
	    "  -k, --k LIST            list lengths, e.g. 10,20 (default)\n"
	    ANSWER_HELP_SOURCES
	    "  -o, --output FILE       write the table to FILE, not stdout\n"
	    ANSWER_HELP_POPULAR
	    "  -q, --quiet             no summary or progress\n"
	    "  -r, --requests FILE     request stream (rs-requests)\n"
	    "  -t, --threads N         worker threads (default 1)\n"
	    "  -v, --verbose           say more on stderr\n"
	    "  -w, --weights LIST      weight per event type (default\n"
	    "                          view=1,addtocart=5,transaction=3)\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n");
	close_stdout();
	exit(0);
}

/* What the requests are answered with. */
struct group {
	const struct answer_opts *o;
	const struct rs_blend *rec;
	unsigned nrec, nk, threads;
	const unsigned *ks;
	struct rs_row **rows;
	uint32_t **nrows;
};

/* CPU seconds of all threads spent answering (-v: steadier than wall). */
static double answer_cpu;

/*
 * Answers requests i0 .. i0 + n of rp for every recommender and K;
 * returns the answering time in seconds.  Dies on error.
 */
static double
run_group(const struct group *g, const struct rs_replay *rp, size_t i0,
    size_t n)
{
	struct rs_replay_work **w = xcalloc(g->threads, sizeof(*w));
	struct answer_batch b;
	struct rs_error err;
	double t0, secs, c0;
	unsigned t;

	t0 = wall_seconds();
	c0 = cpu_seconds();
	for (t = 0; t < g->threads; t++)
		if (rs_replay_work_create(&w[t], rp, &err) < 0)
			die_err(&err);
	b = (struct answer_batch){ rp, g->rec, g->nrec, g->nk, g->ks,
	    g->o->p.kmax, i0, n, i0, g->rows, g->nrows };
	answer_batch_run(&b, w, g->threads);
	for (t = 0; t < g->threads; t++)
		rs_replay_work_free(w[t]);
	free(w);
	secs = wall_seconds() - t0;
	answer_cpu += cpu_seconds() - c0;
	return secs;
}

/*
 * Ends a text output: flush it to its temporary file; dies on a write
 * error, removing every output of the run (outs[2]: the table and the
 * answers), which main commits together at the end.
 */
static struct rs_outfile *outs[2];

static void
finish_text(struct rs_textout *t)
{
	struct rs_error err;

	if (rs_textout_flush(t, &err) < 0) {
		abort_outputs(outs, 2);
		die_err(&err);
	}
	rs_textout_release(t);
}

/*
 * The metric rows of every recommender of g, over all targets and over
 * discovery targets, scored from the answers in g->rows.
 */
static void
write_metrics(struct rs_outfile *out, enum rs_replayout_format f,
    const struct group *g, const struct rs_replay *rp)
{
	const size_t nq = rs_replay_nrequests(rp);
	const unsigned kmax = g->o->p.kmax;
	const struct rs_replayout_filters fl = { g->o->p.keep_bought,
	    g->o->items != NULL, g->o->navail };
	struct rs_replay_acc acc[ANSWER_MAX_KS];
	struct rs_textout t;
	struct rs_error err;
	unsigned a, ki;
	size_t i, sl;

	begin_text(&t, out);
	rs_replayout_metrics_header(&t, f, g->ks, g->nk);
	for (a = 0; a < g->nrec; a++) {
		for (ki = 0; ki < g->nk; ki++) {
			sl = (size_t)a * g->nk + ki;
			if (rs_replay_acc_init(&acc[ki], rp, g->ks[ki],
			    &err) < 0)
				die_err(&err);
			for (i = 0; i < nq; i++)
				rs_replay_acc_add(&acc[ki], rp, i,
				    g->rows[sl] + i * kmax, g->nrows[sl][i]);
		}
		rs_replayout_acc(&t, f, g->rec[a].name, rp, acc, g->ks, g->nk);
		for (ki = 0; ki < g->nk; ki++)
			rs_replay_acc_free(&acc[ki]);
	}
	rs_replayout_metrics_note(&t, f, &fl);
	finish_text(&t);
}

/* The answer rows of recommender a of g at its largest K, as CSV. */
static void
write_answers(struct rs_outfile *out, const struct group *g, unsigned a,
    const struct rs_replay *rp)
{
	const size_t nq = rs_replay_nrequests(rp);
	struct rs_textout t;
	unsigned ki, kb = 0;
	size_t i, sl;

	for (ki = 1; ki < g->nk; ki++)
		if (g->ks[ki] > g->ks[kb])
			kb = ki;
	sl = (size_t)a * g->nk + kb;
	begin_text(&t, out);
	rs_replayout_answers_header(&t, RS_REPLAYOUT_CSV);
	for (i = 0; i < nq; i++)
		rs_replayout_answers(&t, RS_REPLAYOUT_CSV,
		    rs_replay_request(rp, i), g->rows[sl] + i * g->o->p.kmax,
		    g->nrows[sl][i]);
	finish_text(&t);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		ANSWER_LONGOPTS,
		{ "answers", required_argument, NULL, 'a' },
		{ "answers-of", required_argument, NULL, OPT_ANSWERS_OF },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		COMMON_LONGOPTS(OPT_VERSION),
		{ NULL, 0, NULL, 0 }
	};
	struct answer_opts o;
	struct answer_inputs in;
	struct rs_blend rec[MAX_REC];
	struct rs_replay *rp;
	struct rs_outfile *out, *aout = NULL;
	struct rs_row *rows[MAX_REC * ANSWER_MAX_KS];
	uint32_t *nrows[MAX_REC * ANSWER_MAX_KS];
	struct group g;
	const char *output = NULL, *answers = NULL, *answers_of = NULL;
	unsigned nrec = 0, a, s, ans = 0;
	size_t g0, g1;
	size_t i, nq, ndisc = 0;
	enum rs_replayout_format fmt = RS_REPLAYOUT_TABLE;
	int c;
	double secs;

	tool_init(argc, argv);
	answer_opts_init(&o, usage_text);
	o.max_blends = ANSWER_MAX_BLENDS;
	o.max_ks = ANSWER_MAX_KS;
	o.ks[1] = 20;
	o.nk = 2;
	o.m_popular = 0;
	while ((c = getopt_long(argc, argv, ANSWER_SHORTOPTS "a:ho:qv",
	    longopts, NULL)) != -1) {
		if (answer_option(&o, c, optarg))
			continue;
		switch (c) {
		case 'a':
			answers = optarg;
			break;
		case OPT_ANSWERS_OF:
			answers_of = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0)
				fmt = RS_REPLAYOUT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				fmt = RS_REPLAYOUT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = RS_REPLAYOUT_JSON;
			else
				usage_error(usage_text, "invalid --format '%s': "
				    "expected table, csv or json", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	answer_check(&o, argc - optind, argv + optind);
	answer_setup(&o, &in);

	/* recommender rows: baselines, single models, blends */
	rs_blend_single(&rec[nrec++], RS_SRC_POPULAR);
	if (o.window != NULL && snprintf(rec[0].name, sizeof(rec[0].name),
	    "popular(%s)", o.window) >= (int)sizeof(rec[0].name))
		usage_error(usage_text, "invalid --popular-window '%s': too "
		    "long", o.window);
	rs_blend_single(&rec[nrec++], RS_SRC_RECENT);
	if (o.knn != NULL || o.knn_every)
		rs_blend_single(&rec[nrec++], RS_SRC_ITEMKNN);
	if (in.als != NULL)
		rs_blend_single(&rec[nrec++], RS_SRC_ALS);
	if (o.category)
		rs_blend_single(&rec[nrec++], RS_SRC_CATEGORY);
	for (a = 0; a < o.nblend; a++)
		rec[nrec++] = o.blend[a];
	if (answers != NULL) {
		ans = nrec - o.nblend;
		if (answers_of != NULL) {
			for (ans = 0; ans < nrec; ans++)
				if (strcmp(rec[ans].name, answers_of) == 0)
					break;
			if (ans == nrec)
				usage_error(usage_text, "invalid --answers-of "
				    "'%s': no such recommender", answers_of);
		}
	}

	answer_load(&o, &in);
	nq = in.nq;
	outs[0] = out = open_text_output(output);
	if (answers != NULL)
		outs[1] = aout = open_text_output(answers);
	for (s = 0; s < nrec * o.nk; s++) {
		rows[s] = xmalloc((nq * o.p.kmax + 1) * sizeof(*rows[s]));
		nrows[s] = xcalloc(nq + 1, sizeof(*nrows[s]));
	}
	g.o = &o;
	g.rec = rec;
	g.nrec = nrec;
	g.ks = o.ks;
	g.nk = o.nk;
	g.rows = rows;
	g.nrows = nrows;
	g.threads = o.threads;
	secs = 0;
	progress_start("replaying", "requests", nq, -1);
	rp = answer_replay(&o, &in, in.q, nq);
	/* --knn-every: a group per period, its model trained before it */
	for (g0 = 0; g0 < nq; g0 = g1) {
		g1 = answer_period_knn(&o, &in, rp, g0);
		secs += run_group(&g, rp, g0, g1 - g0);
	}
	progress_end();
	free(in.ev);
	in.ev = NULL;
	for (i = 0; i < nq; i++)
		ndisc += (size_t)rs_replay_discovery(rp, i);

	write_metrics(out, fmt, &g, rp);
	if (aout != NULL)
		write_answers(aout, &g, ans, rp);
	commit_outputs(outs, 2);
	if (!tool_quiet)
		fprintf(stderr, "%s: %zu requests (%zu discovery), %u "
		    "recommenders x %u K answered in %.3f s (%.0f requests/s)"
		    "\n", progname, nq, ndisc, nrec, o.nk, secs,
		    secs > 0 ? (double)nq / secs : 0.0);
	if (tool_verbose)
		fprintf(stderr, "%s: answering took %.3f s of CPU (%.0f "
		    "requests per CPU second)\n", progname, answer_cpu,
		    answer_cpu > 0 ? (double)nq / answer_cpu : 0.0);
	for (s = 0; s < nrec * o.nk; s++) {
		free(rows[s]);
		free(nrows[s]);
	}
	rs_replay_free(rp);
	answer_free(&in);
	return close_stdout();
}
