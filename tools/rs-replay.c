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
#include "banned.h"

static const char usage_text[] =
    "usage: rs-replay [-qv] [-A props] [-a file] [-b blend] [-i items] "
    "[-k list]\n"
    "       [-m model] [-n knn] [-o file] [-p popular] [-t threads] "
    "[-w weights]\n"
    "       [--answers-of name] [--format fmt] [--keep-bought]\n"
    "       [--knn-context n] [--knn-daily] [--knn-decay x] "
    "[--no-fold-in]\n"
    "       [--popular-window dur] -H events -r requests\n";

#define MAX_REC 24
#define MAX_KS 8
#define MAX_AVAIL 16

enum {
	OPT_ANSWERS_OF = 256,
	OPT_FORMAT,
	OPT_KEEP_BOUGHT,
	OPT_KNN_CONTEXT,
	OPT_KNN_DAILY,
	OPT_KNN_DECAY,
	OPT_NO_FOLD_IN,
	OPT_POPULAR_WINDOW,
	OPT_VERSION
};

static void
help(void)
{
	printf("%s", usage_text);
	printf("Replay requests against recommenders and score the answers."
	    "\n\n"
	    "  -A, --availability FILE\n"
	    "                          item property stream (rs-load "
	    "item_properties*.csv);\n"
	    "                          never recommend an item whose latest "
	    "'available'\n"
	    "                          snapshot before the request says 0 "
	    "(repeatable)\n"
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
	    "      --keep-bought       allow items the visitor already bought\n"
	    "      --knn-context N     recent items the itemknn source uses "
	    "(5)\n"
	    "      --knn-daily         train the itemknn source here, once "
	    "per UTC\n"
	    "                          day of requests, on the events before "
	    "that day\n"
	    "      --knn-decay X       weight X^p of the p-th newest of them "
	    "(0.7)\n"
	    "  -m, --model FILE        ALS model: the als source\n"
	    "  -n, --knn FILE          item-kNN model (rs-knn-train): the "
	    "itemknn source\n"
	    "      --no-fold-in        als: the visitor's trained factors "
	    "only\n"
	    "  -o, --output FILE       write the table to FILE, not stdout\n"
	    "  -p, --popular FILE      popular model (default: causal counts "
	    "of all\n"
	    "                          events before each request)\n"
	    "      --popular-window DUR\n"
	    "                          causal popular over the events in "
	    "[t - DUR, t)\n"
	    "                          only, e.g. 1h, 1d, 7d\n"
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

struct job {
	const struct rs_replay *r;
	const struct rs_blend *rec;
	unsigned nrec, nk;
	const unsigned *ks;
	unsigned kmax;
	struct rs_row **rows;	/* [rec * nk + ki] -> nq * kmax */
	uint32_t **nrows;		/* [rec * nk + ki] -> nq */
	size_t base;			/* index of the first request */
	unsigned tid, nthreads;
	int rc;
	struct rs_error err;
};

/* What one group of requests is answered with. */
struct group {
	const struct rs_event *ev;
	size_t nev;
	const struct rs_replay_params *p;
	const struct rs_model *pop, *als;
	struct rs_itemknn *knn;
	const struct rs_items *items;
	const struct rs_avail *avail;
	const struct rs_blend *rec;
	unsigned nrec, nk, threads;
	const unsigned *ks;
	struct rs_row **rows;
	uint32_t **nrows;
};

static void *
worker(void *arg)
{
	struct job *j = arg;
	struct rs_replay_work *w;
	const size_t nq = rs_replay_nrequests(j->r);
	size_t i, b0;
	unsigned a, k;
	int n, als = 0;

	if ((j->rc = rs_replay_work_create(&w, j->r, &j->err)) < 0)
		return NULL;
	/* Scoring ALS ahead pays only when some row draws from it. */
	for (a = 0; a < j->nrec; a++)
		als |= rs_blend_has(&j->rec[a], RS_SRC_ALS);
	/*
	 * Batches of RS_ENGINE_BATCH requests at fixed positions, batch b
	 * to thread b mod nthreads: the output never depends on threads.
	 */
	for (b0 = (size_t)j->tid * RS_ENGINE_BATCH; b0 < nq;
	    b0 += (size_t)j->nthreads * RS_ENGINE_BATCH) {
		const size_t b1 = nq - b0 < RS_ENGINE_BATCH ? nq :
		    b0 + RS_ENGINE_BATCH;

		if (als && (j->rc = rs_replay_prefetch(j->r, w, b0, b1 - b0,
		    &j->err)) < 0)
			goto out;
		for (i = b0; i < b1; i++)
			for (a = 0; a < j->nrec; a++)
				for (k = 0; k < j->nk; k++) {
					const size_t s = (size_t)a * j->nk + k;

					n = rs_replay_answer(j->r, w, i,
					    &j->rec[a], j->ks[k], j->rows[s] +
					    (j->base + i) * j->kmax, &j->err);
					if (n < 0) {
						j->rc = n;
						goto out;
					}
					j->nrows[s][j->base + i] = (uint32_t)n;
				}
		progress_add(b1 - b0);
	}
out:
	rs_replay_work_free(w);
	return NULL;
}

/* CPU seconds of all threads spent answering (-v: steadier than wall). */
static double answer_cpu;

/*
 * Answers requests q[0..n) (global indices base..) for every
 * recommender and K with one engine; returns the answering time in
 * seconds.  Dies on error.
 */
static double
run_group(const struct group *g, const struct rs_request *q, size_t n,
    size_t base, struct rs_replay **keep)
{
	struct job jobs[64];
	struct rs_replay *rp;
	struct rs_error err;
	unsigned a, kmax = g->p->kmax;
	double t0, secs, c0;

	if (rs_replay_create(&rp, g->ev, g->nev, g->p, &err) < 0 ||
	    (g->pop != NULL && rs_replay_set_popular(rp, g->pop, &err) < 0) ||
	    (g->als != NULL && rs_replay_set_als(rp, g->als, &err) < 0) ||
	    (g->knn != NULL && rs_replay_set_itemknn(rp, g->knn, &err) < 0) ||
	    (g->items != NULL && rs_replay_set_items(rp, g->items, &err) < 0) ||
	    (g->avail != NULL && rs_replay_set_avail(rp, g->avail, &err) < 0) ||
	    rs_replay_prepare(rp, q, n, &err) < 0)
		die_err(&err);
	t0 = wall_seconds();
	c0 = cpu_seconds();
	for (a = 0; a < g->threads; a++)
		jobs[a] = (struct job){ rp, g->rec, g->nrec, g->nk, g->ks,
		    kmax, g->rows, g->nrows, base, a, g->threads, 0,
		    { 0, "" } };
	run_jobs(worker, jobs, sizeof(jobs[0]), g->threads);
	for (a = 0; a < g->threads; a++)
		if (jobs[a].rc < 0)
			die_err(&jobs[a].err);
	secs = wall_seconds() - t0;
	answer_cpu += cpu_seconds() - c0;
	if (keep != NULL)
		*keep = rp;
	else
		rs_replay_free(rp);
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
	const unsigned kmax = g->p->kmax;
	struct rs_replay_metrics mt[MAX_KS];
	struct rs_replay_acc acc;
	struct rs_textout t;
	struct rs_error err;
	unsigned a, ki;
	size_t i, sl;
	int which;

	begin_text(&t, out);
	rs_replayout_metrics_header(&t, f, g->ks, g->nk);
	for (a = 0; a < g->nrec; a++)
		for (which = 0; which < 2; which++) {
			for (ki = 0; ki < g->nk; ki++) {
				sl = (size_t)a * g->nk + ki;
				if (rs_replay_acc_init(&acc, rp, g->ks[ki],
				    &err) < 0)
					die_err(&err);
				for (i = 0; i < nq; i++)
					rs_replay_acc_add(&acc, rp, i,
					    g->rows[sl] + i * kmax,
					    g->nrows[sl][i]);
				rs_replay_acc_result(&acc, rp, which, &mt[ki]);
				rs_replay_acc_free(&acc);
			}
			rs_replayout_metrics(&t, f, g->rec[a].name, which,
			    g->ks, g->nk, mt);
		}
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
		    rs_replay_request(rp, i), g->rows[sl] + i * g->p->kmax,
		    g->nrows[sl][i]);
	finish_text(&t);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "answers", required_argument, NULL, 'a' },
		{ "availability", required_argument, NULL, 'A' },
		{ "answers-of", required_argument, NULL, OPT_ANSWERS_OF },
		{ "blend", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "history", required_argument, NULL, 'H' },
		{ "items", required_argument, NULL, 'i' },
		{ "k", required_argument, NULL, 'k' },
		{ "keep-bought", no_argument, NULL, OPT_KEEP_BOUGHT },
		{ "knn", required_argument, NULL, 'n' },
		{ "knn-context", required_argument, NULL, OPT_KNN_CONTEXT },
		{ "knn-daily", no_argument, NULL, OPT_KNN_DAILY },
		{ "knn-decay", required_argument, NULL, OPT_KNN_DECAY },
		{ "model", required_argument, NULL, 'm' },
		{ "no-fold-in", no_argument, NULL, OPT_NO_FOLD_IN },
		{ "output", required_argument, NULL, 'o' },
		{ "popular", required_argument, NULL, 'p' },
		{ "popular-window", required_argument, NULL,
		    OPT_POPULAR_WINDOW },
		{ "quiet", no_argument, NULL, 'q' },
		{ "requests", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "weights", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct rs_replay_params p;
	struct rs_blend rec[MAX_REC], blends[MAX_REC];
	struct rs_replay *rp;
	struct rs_model *als = NULL, *pop = NULL;
	struct rs_itemknn *knn = NULL;
	struct rs_items *items = NULL;
	struct rs_avail *avail = NULL;
	struct rs_request *q;
	struct rs_event *ev;
	struct rs_error err;
	struct rs_outfile *out, *aout = NULL;
	struct rs_row *rows[MAX_REC * MAX_KS];
	uint32_t *nrows[MAX_REC * MAX_KS];
	struct group g;
	const char *output = NULL, *answers = NULL, *answers_of = NULL;
	const char *hist = NULL, *reqs = NULL, *als_path = NULL;
	const char *pop_path = NULL, *knn_path = NULL, *items_path = NULL;
	const char *window = NULL;
	const char *av_paths[MAX_AVAIL];
	unsigned nav = 0;
	unsigned ks[MAX_KS] = { 10, 20 }, nk = 2, nb = 0, nrec = 0, a, ki, s;
	unsigned threads = 1, kmax = 0, ans = 0;
	size_t nev, nq, i, ndisc = 0;
	enum rs_replayout_format fmt = RS_REPLAYOUT_TABLE;
	int c, knn_daily = 0;
	double secs;

	tool_init(argc, argv);
	rs_replay_params_init(&p);
	while ((c = getopt_long(argc, argv, "A:a:b:H:hi:k:m:n:o:p:qr:t:vw:",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'A':
			if (nav == MAX_AVAIL)
				usage_error(usage_text, "too many -A");
			av_paths[nav++] = optarg;
			break;
		case 'a':
			answers = optarg;
			break;
		case OPT_ANSWERS_OF:
			answers_of = optarg;
			break;
		case 'b':
			if (nb == MAX_REC - RS_SRC_N)
				usage_error(usage_text, "too many --blend");
			if (rs_blend_parse(optarg, &blends[nb], &err) < 0)
				usage_error(usage_text, "invalid --blend: %s",
				    err.msg);
			nb++;
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
		case 'H':
			hist = optarg;
			break;
		case 'i':
			items_path = optarg;
			break;
		case 'k':
			if (rs_klist_parse(optarg, RS_REPLAY_MAX_K, ks, MAX_KS,
			    &nk, &err) < 0)
				usage_error(usage_text, "invalid --k '%s': %s",
				    optarg, err.msg);
			break;
		case OPT_KEEP_BOUGHT:
			p.keep_bought = 1;
			break;
		case 'm':
			als_path = optarg;
			break;
		case 'n':
			knn_path = optarg;
			break;
		case OPT_KNN_CONTEXT:
			p.knn_context = (unsigned)parse_u64("--knn-context",
			    optarg, 1, 1000, usage_text);
			break;
		case OPT_KNN_DAILY:
			knn_daily = 1;
			break;
		case OPT_KNN_DECAY:
			p.knn_decay = parse_double("--knn-decay", optarg, 1e-6,
			    1, usage_text);
			break;
		case OPT_NO_FOLD_IN:
			p.fold_in = 0;
			break;
		case 'o':
			output = optarg;
			break;
		case 'p':
			pop_path = optarg;
			break;
		case OPT_POPULAR_WINDOW:
			p.popular_window = parse_duration_opt(
			    "--popular-window", optarg, usage_text);
			if (p.popular_window == 0)
				usage_error(usage_text, "invalid --popular-window "
				    "'%s': must be positive", optarg);
			window = optarg;
			break;
		case 'r':
			reqs = optarg;
			break;
		case 't':
			threads = (unsigned)parse_u64("--threads", optarg, 1, 64,
			    usage_text);
			break;
		case 'w':
			parse_weights_opt("--weights", optarg, p.weights,
			    usage_text);
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	if (optind < argc)
		usage_error(usage_text, "unexpected operand '%s'", argv[optind]);
	if (hist == NULL || reqs == NULL)
		usage_error(usage_text, "both -H events and -r requests are "
		    "needed");
	if (strcmp(hist, "-") == 0 && strcmp(reqs, "-") == 0)
		usage_error(usage_text, "only one input can be standard input");
	if (window != NULL && pop_path != NULL)
		usage_error(usage_text, "-p popular and --popular-window "
		    "exclude each other");
	for (ki = 0; ki < nk; ki++)
		if (ks[ki] > kmax)
			kmax = ks[ki];
	p.kmax = kmax;

	/* recommender rows: baselines, single models, blends */
	rs_blend_single(&rec[nrec++], RS_SRC_POPULAR);
	if (window != NULL && snprintf(rec[0].name, sizeof(rec[0].name),
	    "popular(%s)", window) >= (int)sizeof(rec[0].name))
		usage_error(usage_text, "invalid --popular-window '%s': too "
		    "long", window);
	rs_blend_single(&rec[nrec++], RS_SRC_RECENT);
	if (knn_path != NULL && knn_daily)
		usage_error(usage_text, "-n knn and --knn-daily exclude each "
		    "other");
	if (knn_daily)
		knn_path = "(daily)";
	if (knn_path != NULL)
		rs_blend_single(&rec[nrec++], RS_SRC_ITEMKNN);
	if (als_path != NULL)
		rs_blend_single(&rec[nrec++], RS_SRC_ALS);
	if (nb == 0) {
		/* the default blend (rs-replay(1)), over the sources given */
		const char *def = knn_path != NULL ? "recent:5,itemknn:5" :
		    als_path != NULL ? "recent:5,als:5" :
		    "recent:5,popular:5";

		if (rs_blend_parse(def, &blends[nb++], &err) < 0)
			die_err(&err);
	}
	for (a = 0; a < nb; a++) {
		for (s = 0; s < blends[a].n; s++)
			if ((blends[a].src[s] == RS_SRC_ITEMKNN &&
			    knn_path == NULL) ||
			    ((blends[a].src[s] == RS_SRC_ALS ||
			    blends[a].src[s] == RS_SRC_ONLINE) &&
			    als_path == NULL))
				usage_error(usage_text, "blend '%s' uses '%s' "
				    "but no model for it is given",
				    blends[a].name,
				    rs_source_name(blends[a].src[s]));
		p.similar |= rs_blend_has(&blends[a], RS_SRC_ONLINE);
		rec[nrec++] = blends[a];
	}
	if (answers != NULL) {
		ans = nrec - nb;
		if (answers_of != NULL) {
			for (ans = 0; ans < nrec; ans++)
				if (strcmp(rec[ans].name, answers_of) == 0)
					break;
			if (ans == nrec)
				usage_error(usage_text, "invalid --answers-of "
				    "'%s': no such recommender", answers_of);
		}
	}

	if (als_path != NULL && rs_model_kind(als = load_model(als_path)) !=
	    RS_MODEL_ALS)
		die("%s: a popular model, not an ALS model (-m takes an ALS "
		    "model; give a popular one with -p)", als_path);
	if (pop_path != NULL && rs_model_kind(pop = load_model(pop_path)) !=
	    RS_MODEL_POPULAR)
		die("%s: an ALS model, not a popular model (-p takes a popular "
		    "model; give an ALS one with -m)", pop_path);
	if (knn_path != NULL && !knn_daily)
		knn = load_knn(knn_path);
	if (items_path != NULL)
		items = load_items(items_path);
	if (nav > 0)
		avail = load_avail(av_paths, nav);
	q = load_requests(reqs, &nq);
	ev = read_events(hist, &nev, NULL);

	outs[0] = out = open_text_output(output);
	if (answers != NULL)
		outs[1] = aout = open_text_output(answers);
	for (s = 0; s < nrec * nk; s++) {
		rows[s] = xmalloc((nq * kmax + 1) * sizeof(*rows[s]));
		nrows[s] = xcalloc(nq + 1, sizeof(*nrows[s]));
	}
	g.ev = ev;
	g.nev = nev;
	g.p = &p;
	g.pop = pop;
	g.als = als;
	g.knn = knn;
	g.items = items;
	g.avail = avail;
	g.rec = rec;
	g.nrec = nrec;
	g.ks = ks;
	g.nk = nk;
	g.rows = rows;
	g.nrows = nrows;
	g.threads = threads;
	secs = 0;
	progress_start("replaying", "requests", nq, -1);
	if (knn_daily) {
		/* one group per UTC day; the model sees the days before */
		size_t g0, g1;

		for (g0 = 0; g0 < nq; g0 = g1) {
			struct rs_itemknn_params kp;
			int64_t day;

			g1 = rs_replay_day_group(q, nq, g0, &day);
			rs_itemknn_params_init(&kp);
			memcpy(kp.weights, p.weights, sizeof(kp.weights));
			kp.until = day;
			if (rs_itemknn_train(ev, nev, &kp, &g.knn, NULL,
			    &err) < 0)
				die_err(&err);
			secs += run_group(&g, q + g0, g1 - g0, g0, NULL);
			rs_itemknn_free(g.knn);
		}
		/* the scoring view: every request, no model needed */
		if (rs_replay_create(&rp, ev, nev, &p, &err) < 0 ||
		    rs_replay_prepare(rp, q, nq, &err) < 0)
			die_err(&err);
	} else {
		secs = run_group(&g, q, nq, 0, &rp);
	}
	progress_end();
	free(ev);
	for (i = 0; i < nq; i++)
		ndisc += (size_t)rs_replay_discovery(rp, i);

	write_metrics(out, fmt, &g, rp);
	if (aout != NULL)
		write_answers(aout, &g, ans, rp);
	commit_outputs(outs, 2);
	if (!tool_quiet)
		fprintf(stderr, "%s: %zu requests (%zu discovery), %u "
		    "recommenders x %u K answered in %.3f s (%.0f requests/s)"
		    "\n", progname, nq, ndisc, nrec, nk, secs,
		    secs > 0 ? (double)nq / secs : 0.0);
	if (tool_verbose)
		fprintf(stderr, "%s: answering took %.3f s of CPU (%.0f "
		    "requests per CPU second)\n", progname, answer_cpu,
		    answer_cpu > 0 ? (double)nq / answer_cpu : 0.0);
	for (s = 0; s < nrec * nk; s++) {
		free(rows[s]);
		free(nrows[s]);
	}
	free(q);
	rs_replay_free(rp);
	rs_model_free(als);
	rs_model_free(pop);
	rs_itemknn_free(knn);
	rs_items_free(items);
	rs_avail_free(avail);
	return close_stdout();
}
