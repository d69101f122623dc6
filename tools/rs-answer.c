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
#include "banned.h"

static const char usage_text[] =
    "usage: rs-answer [-qv] [-A props] [-b blend] [-f format] [-i items] "
    "[-k k]\n"
    "       [-m model] [-n knn] [-o file] [-p popular] [-t threads] "
    "[-w weights]\n"
    "       [--keep-bought] [--knn-context n] [--knn-daily] "
    "[--knn-decay x]\n"
    "       [--no-fold-in] [--popular-window dur] -H events -r requests\n";

static void
help(void)
{
	printf("%s", usage_text);
	printf("Answer the requests of a replay: K items per request, from "
	    "the models\nand the visitor's events strictly before the "
	    "request time.\n\n"
	    "  -A, --availability FILE\n"
	    "                          item property stream (rs-load "
	    "item_properties*.csv);\n"
	    "                          never recommend an item whose latest "
	    "'available'\n"
	    "                          snapshot before the request says 0 "
	    "(repeatable)\n"
	    "  -b, --blend SPEC        the blend that answers, e.g. "
	    "recent:4,itemknn:3,als:3\n"
	    "                          (default: the blend of rs-replay(1))\n"
	    "  -f, --format FMT        csv (default), tsv or jsonl\n"
	    "  -H, --history FILE      event stream: every visitor's events\n"
	    "  -i, --items FILE        never recommend items unavailable in "
	    "this table\n"
	    "  -k, --k K               rows per request, 1 to 1000 "
	    "(default 10)\n"
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
	    "  -o, --output FILE       write to FILE (atomically), not "
	    "stdout\n"
	    "  -p, --popular FILE      popular model (default: causal counts "
	    "of all\n"
	    "                          events before each request)\n"
	    "      --popular-window DUR\n"
	    "                          causal popular over the events in "
	    "[t - DUR, t)\n"
	    "                          only, e.g. 1h, 1d, 7d\n"
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

enum {
	OPT_KEEP_BOUGHT = 256, OPT_KNN_CONTEXT, OPT_KNN_DAILY, OPT_KNN_DECAY,
	OPT_NO_FOLD_IN, OPT_POPULAR_WINDOW, OPT_VERSION
};

#define MAX_AVAIL 16		/* -A files, as rs-replay */

/*
 * The model files: -m (at most twice, see parse_args) and -p, each with
 * the option that named it, for messages.
 */
#define MAX_MODELS 3

struct opts {
	int keep_bought, no_fold_in, blend_set, knn_daily;
	enum fmt fmt;
	unsigned threads;
	const char *items, *output, *requests, *history, *knn;
	const char *model[MAX_MODELS];
	char model_opt[MAX_MODELS];	/* 'm' or 'p' */
	unsigned nmodel, nm;		/* files; of them, -m */
	const char *avail[MAX_AVAIL];
	unsigned navail;
	unsigned knn_context;		/* 0: the library's default */
	double knn_decay;		/* 0: the library's default */
	int64_t popular_window;		/* ms; 0: none */
	struct rs_blend blend;
	unsigned k;			/* rows per request; 10 */
	double weights[RS_EV_NTYPES];
};

static enum rs_replayout_format
out_format(const struct opts *o)
{
	return o->fmt == FMT_TSV ? RS_REPLAYOUT_TSV : o->fmt == FMT_JSONL ?
	    RS_REPLAYOUT_JSON : RS_REPLAYOUT_CSV;
}

/* ---- the run ---- */

struct rjob {
	const struct rs_replay *r;
	struct rs_replay_work *w;
	const struct rs_blend *b;
	unsigned k;
	size_t r0, n;			/* the round: requests r0 .. r0 + n */
	unsigned first, step;		/* batches first, first + step, ... */
	struct rs_row *rows;	/* n * k */
	uint32_t *counts;		/* n */
	int rc;
	struct rs_error err;
};

static void *
run_rjob(void *arg)
{
	struct rjob *j = arg;
	size_t b, i, nb;
	int n;

	j->rc = 0;
	for (b = (size_t)j->first * RS_ENGINE_BATCH; b < j->n;
	    b += (size_t)j->step * RS_ENGINE_BATCH) {
		nb = j->n - b < RS_ENGINE_BATCH ? j->n - b : RS_ENGINE_BATCH;
		/* Scoring ALS for a blend without it would be wasted. */
		if (rs_blend_has(j->b, RS_SRC_ALS) &&
		    (j->rc = rs_replay_prefetch(j->r, j->w, j->r0 + b, nb,
		    &j->err)) < 0)
			return NULL;
		for (i = b; i < b + nb; i++) {
			n = rs_replay_answer(j->r, j->w, j->r0 + i, j->b, j->k,
			    j->rows + i * j->k, &j->err);
			if (n < 0) {
				j->rc = n;
				return NULL;
			}
			j->counts[i] = (uint32_t)n;
		}
		progress_add(nb);
	}
	return NULL;
}

/*
 * Answers every request in rounds of threads x 16 batches of
 * RS_ENGINE_BATCH requests (an answer never depends on its batch:
 * replay.h); the main thread prints each round in request order.
 */
static void
answer_requests(const struct opts *o, const struct rs_replay *rp,
    const struct rs_blend *b, struct rs_textout *t)
{
	const size_t nq = rs_replay_nrequests(rp), k = o->k;
	const size_t round = (size_t)o->threads * 16 * RS_ENGINE_BATCH;
	const size_t cap = nq < round ? nq : round;
	const enum rs_replayout_format f = out_format(o);
	struct rs_row *rows = xmalloc((cap ? cap : 1) * k *
	    sizeof(*rows));
	uint32_t *counts = xmalloc((cap ? cap : 1) * sizeof(*counts));
	struct rjob *jobs = xcalloc(o->threads, sizeof(*jobs));
	struct rs_error err;
	size_t r0, n, i;
	unsigned j;

	for (j = 0; j < o->threads; j++)
		if (rs_replay_work_create(&jobs[j].w, rp, &err) < 0)
			die_err(&err);
	for (r0 = 0; r0 < nq; r0 += n) {
		n = nq - r0 < round ? nq - r0 : round;
		for (j = 0; j < o->threads; j++) {
			jobs[j].r = rp;
			jobs[j].b = b;
			jobs[j].k = (unsigned)k;
			jobs[j].r0 = r0;
			jobs[j].n = n;
			jobs[j].first = j;
			jobs[j].step = o->threads;
			jobs[j].rows = rows;
			jobs[j].counts = counts;
		}
		run_jobs(run_rjob, jobs, sizeof(*jobs), o->threads);
		for (j = 0; j < o->threads; j++)
			if (jobs[j].rc < 0)
				die_err(&jobs[j].err);
		for (i = 0; i < n; i++)
			rs_replayout_answers(t, f, rs_replay_request(rp, r0 + i),
			    rows + i * k, counts[i]);
		if (t->err == 0 && t->len > (1u << 20) &&
		    rs_textout_flush(t, &err) < 0)
			die_err(&err);
	}
	for (j = 0; j < o->threads; j++)
		rs_replay_work_free(jobs[j].w);
	free(rows);
	free(counts);
	free(jobs);
}

/*
 * Loads the model files: at most one ALS and one popular model.  -p must
 * be a popular model; -m is normally the ALS model, but a popular model
 * given with -m is taken as the popular source (see parse_args).
 */
static void
load_models(const struct opts *o, struct rs_model **m, struct rs_model **als,
    struct rs_model **pop, const char **pop_path, char *pop_opt)
{
	const char *als_path = NULL;
	unsigned i;

	*als = *pop = NULL;
	for (i = 0; i < o->nmodel; i++) {
		m[i] = load_model(o->model[i]);
		if (rs_model_kind(m[i]) == RS_MODEL_ALS) {
			if (o->model_opt[i] == 'p')
				die("%s: not a popular model (-p); give an "
				    "als model with -m", o->model[i]);
			if (*als != NULL)
				die("%s and %s are both als models: give one "
				    "als and one popular", als_path,
				    o->model[i]);
			*als = m[i];
			als_path = o->model[i];
		} else {
			if (*pop != NULL)
				die("%s and %s are both popular models: give "
				    "one als and one popular", *pop_path,
				    o->model[i]);
			*pop = m[i];
			*pop_path = o->model[i];
			*pop_opt = o->model_opt[i];
		}
	}
}

/*
 * The blend that answers: --blend, or the default blend of rs-replay(1)
 * over the sources given; a blend naming a source without its model is
 * a usage error.
 */
static void
choose_blend(const struct opts *o, const struct rs_model *als,
    struct rs_blend *b)
{
	struct rs_error err;
	unsigned s;

	if (o->blend_set) {
		*b = o->blend;
	} else {
		const char *def = o->knn != NULL || o->knn_daily ?
		    "recent:5,itemknn:5" :
		    als != NULL ? "recent:5,als:5" : "recent:5,popular:5";

		if (rs_blend_parse(def, b, &err) < 0)
			die_err(&err);
	}
	for (s = 0; s < b->n; s++)
		if ((b->src[s] == RS_SRC_ITEMKNN && o->knn == NULL &&
		    !o->knn_daily) ||
		    ((b->src[s] == RS_SRC_ALS || b->src[s] == RS_SRC_ONLINE) &&
		    als == NULL))
			usage_error(usage_text, "blend '%s' uses '%s' but no "
			    "model for it is given", b->name,
			    rs_source_name(b->src[s]));
}

/* The whole run; returns the exit status. */
static int
run(const struct opts *o)
{
	struct rs_model *m[MAX_MODELS] = { NULL, NULL, NULL }, *als, *pop;
	const char *pop_path = NULL;
	char pop_opt = 'p';
	struct rs_itemknn *knn = NULL;
	struct rs_items *items = NULL;
	struct rs_avail *avail = NULL;
	struct rs_replay_params p;
	struct rs_blend b;
	struct rs_replay *rp;
	struct rs_request *q;
	struct rs_event *ev;
	struct rs_error err;
	struct rs_outfile *out;
	struct rs_textout t;
	size_t nq, nev, g0, g1;
	unsigned i;
	double t0, t1, t2;

	t0 = wall_seconds();
	load_models(o, m, &als, &pop, &pop_path, &pop_opt);
	if (pop != NULL && o->popular_window != 0)
		usage_error(usage_text, "a popular model (-%c %s) and "
		    "--popular-window exclude each other", pop_opt, pop_path);
	choose_blend(o, als, &b);
	if (o->knn != NULL)
		knn = load_knn(o->knn);
	if (o->items != NULL)
		items = load_items(o->items);
	if (o->navail > 0)
		avail = load_avail(o->avail, o->navail);
	q = load_requests(o->requests, &nq);
	ev = read_events(o->history, &nev, NULL);

	rs_replay_params_init(&p);
	memcpy(p.weights, o->weights, sizeof(p.weights));
	p.kmax = o->k;
	p.keep_bought = o->keep_bought;
	p.fold_in = !o->no_fold_in;
	if (o->knn_context != 0)
		p.knn_context = o->knn_context;
	if (o->knn_decay != 0)
		p.knn_decay = o->knn_decay;
	p.popular_window = o->popular_window;
	p.similar = rs_blend_has(&b, RS_SRC_ONLINE);
	out = open_text_output(o->output);
	begin_text(&t, out);
	rs_replayout_answers_header(&t, out_format(o));
	t1 = wall_seconds();
	progress_start("answering", "requests", nq, -1);
	for (g0 = 0; g0 < nq; g0 = g1) {
		struct rs_itemknn *gknn = knn;
		int64_t day;

		/* --knn-daily: one group per UTC day, its model before it */
		g1 = nq;
		if (o->knn_daily) {
			struct rs_itemknn_params kp;

			g1 = rs_replay_day_group(q, nq, g0, &day);
			rs_itemknn_params_init(&kp);
			memcpy(kp.weights, p.weights, sizeof(kp.weights));
			kp.until = day;
			if (rs_itemknn_train(ev, nev, &kp, &gknn, NULL,
			    &err) < 0)
				die_err(&err);
		}
		if (rs_replay_create(&rp, ev, nev, &p, &err) < 0 ||
		    (pop != NULL && rs_replay_set_popular(rp, pop, &err) < 0) ||
		    (als != NULL && rs_replay_set_als(rp, als, &err) < 0) ||
		    (gknn != NULL && rs_replay_set_itemknn(rp, gknn,
		    &err) < 0) ||
		    (items != NULL && rs_replay_set_items(rp, items,
		    &err) < 0) ||
		    (avail != NULL && rs_replay_set_avail(rp, avail,
		    &err) < 0) ||
		    rs_replay_prepare(rp, q + g0, g1 - g0, &err) < 0)
			die_err(&err);
		answer_requests(o, rp, &b, &t);
		rs_replay_free(rp);
		if (gknn != knn)
			rs_itemknn_free(gknn);
	}
	progress_end();
	t2 = wall_seconds();
	free(ev);
	free(q);
	end_text(&t, out);
	commit_output(out);
	verbose("%zu requests answered with %s in %.3f s (%.0f requests/s); "
	    "load %.3f s", nq, b.name, t2 - t1, t2 > t1 ? (double)nq /
	    (t2 - t1) : 0.0, t1 - t0);
	rs_itemknn_free(knn);
	rs_items_free(items);
	rs_avail_free(avail);
	for (i = 0; i < MAX_MODELS; i++)
		rs_model_free(m[i]);
	return 0;
}

static void
add_model(struct opts *o, char opt, const char *path)
{
	if (opt == 'm') {
		/*
		 * Compatibility with rs-recommend -r, whose -m was
		 * repeatable (one als, one popular model, told apart by
		 * their kind): scripts written for it (scripts/rs-retrain)
		 * pass both with -m.  So -m may come twice; load_models
		 * refuses two models of one kind.
		 */
		if (o->nm == 2)
			usage_error(usage_text, "-m given more than twice");
		o->nm++;
	} else if (o->nmodel > o->nm) {
		usage_error(usage_text, "-p given twice");
	}
	o->model[o->nmodel] = path;
	o->model_opt[o->nmodel++] = opt;
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "availability", required_argument, NULL, 'A' },
		{ "blend", required_argument, NULL, 'b' },
		/*
		 * --count: rs-recommend -r's name for -k, kept so that its
		 * command lines (which rs-recommend passes here whole) still
		 * work; not documented.
		 */
		{ "count", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },
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
	struct rs_error err;
	int c;

	while ((c = getopt_long(argc, argv, "A:b:f:H:hi:k:m:n:o:p:qr:t:vw:",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'A':
			if (o->navail == MAX_AVAIL)
				usage_error(usage_text, "too many -A");
			o->avail[o->navail++] = optarg;
			break;
		case 'b':
			if (rs_blend_parse(optarg, &o->blend, &err) < 0)
				usage_error(usage_text, "invalid --blend: %s",
				    err.msg);
			o->blend_set = 1;
			break;
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
		case 'H':
			o->history = optarg;
			break;
		case 'i':
			o->items = optarg;
			break;
		case 'k':
			o->k = (unsigned)parse_u64("--k", optarg, 1,
			    RS_REPLAY_MAX_K, usage_text);
			break;
		case OPT_KEEP_BOUGHT:
			o->keep_bought = 1;
			break;
		case 'm':
		case 'p':
			add_model(o, (char)c, optarg);
			break;
		case 'n':
			o->knn = optarg;
			break;
		case OPT_KNN_CONTEXT:
			o->knn_context = (unsigned)parse_u64("--knn-context",
			    optarg, 1, 1000, usage_text);
			break;
		case OPT_KNN_DAILY:
			o->knn_daily = 1;
			break;
		case OPT_KNN_DECAY:
			o->knn_decay = parse_double("--knn-decay", optarg, 1e-6,
			    1, usage_text);
			break;
		case OPT_NO_FOLD_IN:
			o->no_fold_in = 1;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_POPULAR_WINDOW:
			o->popular_window = parse_duration_opt(
			    "--popular-window", optarg, usage_text);
			if (o->popular_window == 0)
				usage_error(usage_text, "invalid "
				    "--popular-window '%s': must be positive",
				    optarg);
			break;
		case 'r':
			o->requests = optarg;
			break;
		case 't':
			o->threads = (unsigned)parse_u64("--threads", optarg,
			    1, 256, usage_text);
			break;
		case 'w':
			parse_weights_opt("--weights", optarg, o->weights,
			    usage_text);
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	if (optind < argc)
		usage_error(usage_text, "unexpected operand '%s'",
		    argv[optind]);
	if (o->requests == NULL || o->history == NULL)
		usage_error(usage_text, "both -H events and -r requests are "
		    "needed");
	if (strcmp(o->requests, "-") == 0 && strcmp(o->history, "-") == 0)
		usage_error(usage_text, "only one input can be standard input");
	if (o->knn != NULL && o->knn_daily)
		usage_error(usage_text, "-n knn and --knn-daily exclude each "
		    "other");
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct rs_replay_params p;

	tool_init(argc, argv);
	memset(&o, 0, sizeof(o));
	o.threads = 1;
	o.k = 10;
	rs_replay_params_init(&p);
	memcpy(o.weights, p.weights, sizeof(o.weights));
	parse_args(argc, argv, &o);
	return run(&o);
}
