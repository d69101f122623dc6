/*
 * answeropts.h - the answering options of rs-answer and rs-replay, parsed,
 * checked and loaded in one place, so that each option means the same in
 * both tools: the history and requests (-H, -r), the models (-m, -p, -n,
 * --knn-every, --knn-daily, --knn-half-life), the filters (-i, -A,
 * --keep-bought), the categories (-A or -i, --tree), the blends (-b), K
 * (-k), the threads (-t) and the replay parameters (-w, --knn-context,
 * --knn-decay, --no-fold-in, --popular-window).
 *
 * A tool includes ANSWER_SHORTOPTS and ANSWER_LONGOPTS in its getopt_long
 * tables, numbers its own long-only options from OPT_ANSWER_END, and
 * passes every option character to answer_option before its own switch.
 * After parsing, answer_check; then answer_setup (models, blends,
 * parameters) and answer_load (the rest), with whatever the tool checks
 * about the blends in between, so usage errors come before the big
 * inputs are read.  answer_replay sets up a replay of them, and
 * answer_batch_run answers its requests on the worker threads.
 */
#ifndef RS_ANSWEROPTS_H
#define RS_ANSWEROPTS_H

#include <getopt.h>

#include "rs.h"

#define ANSWER_MAX_MODELS 3	/* -m twice and -p (answer_option) */
#define ANSWER_MAX_AVAIL 16	/* -A files */
#define ANSWER_MAX_BLENDS 19	/* -b: rs-replay's 24 rows less the sources */
#define ANSWER_MAX_KS 8		/* -k list lengths */

/* The long-only answering options; a tool's own start at OPT_ANSWER_END. */
enum {
	OPT_KEEP_BOUGHT = 256,
	OPT_KNN_CONTEXT,
	OPT_KNN_DAILY,
	OPT_KNN_DECAY,
	OPT_KNN_EVERY,
	OPT_KNN_HALF_LIFE,
	OPT_NO_FOLD_IN,
	OPT_POPULAR_WINDOW,
	OPT_TREE,
	OPT_ANSWER_END
};

#define ANSWER_SHORTOPTS "A:b:H:i:k:m:n:p:r:t:w:"
#define ANSWER_LONGOPTS \
	{ "availability", required_argument, NULL, 'A' }, \
	{ "blend", required_argument, NULL, 'b' }, \
	{ "history", required_argument, NULL, 'H' }, \
	{ "items", required_argument, NULL, 'i' }, \
	{ "k", required_argument, NULL, 'k' }, \
	{ "keep-bought", no_argument, NULL, OPT_KEEP_BOUGHT }, \
	{ "knn", required_argument, NULL, 'n' }, \
	{ "knn-context", required_argument, NULL, OPT_KNN_CONTEXT }, \
	{ "knn-daily", no_argument, NULL, OPT_KNN_DAILY }, \
	{ "knn-decay", required_argument, NULL, OPT_KNN_DECAY }, \
	{ "knn-every", required_argument, NULL, OPT_KNN_EVERY }, \
	{ "knn-half-life", required_argument, NULL, OPT_KNN_HALF_LIFE }, \
	{ "model", required_argument, NULL, 'm' }, \
	{ "no-fold-in", no_argument, NULL, OPT_NO_FOLD_IN }, \
	{ "popular", required_argument, NULL, 'p' }, \
	{ "popular-window", required_argument, NULL, OPT_POPULAR_WINDOW }, \
	{ "requests", required_argument, NULL, 'r' }, \
	{ "threads", required_argument, NULL, 't' }, \
	{ "tree", required_argument, NULL, OPT_TREE }, \
	{ "weights", required_argument, NULL, 'w' }

/* The help lines of the options both tools describe alike. */
#define ANSWER_HELP_AVAIL \
	"  -A, --availability FILE\n" \
	"                          item property stream (rs-load " \
	"item_properties*.csv);\n" \
	"                          never recommend an item whose latest " \
	"'available'\n" \
	"                          snapshot before the request says 0 " \
	"(repeatable)\n"
#define ANSWER_HELP_SOURCES \
	"      --keep-bought       allow items the visitor already bought\n" \
	"      --knn-context N     recent items the itemknn source uses " \
	"(5)\n" \
	"      --knn-daily         the same as --knn-every 1d\n" \
	"      --knn-decay X       weight X^p of the p-th newest of them " \
	"(0.7)\n" \
	"      --knn-every DUR     train the itemknn source here, for each " \
	"UTC-aligned\n" \
	"                          period of DUR (e.g. 1h, 15m, 1d) on " \
	"the events\n" \
	"                          before the period\n" \
	"      --knn-half-life DUR\n" \
	"                          with --knn-every: a session's weight " \
	"halves\n" \
	"                          every DUR of age (default: no decay)\n" \
	"  -m, --model FILE        ALS model: the als source\n" \
	"  -n, --knn FILE          item-kNN model (rs-knn-train): the " \
	"itemknn source\n" \
	"      --no-fold-in        als: the visitor's trained factors " \
	"only\n" \
	"      --tree FILE         category tree stream (rs-load " \
	"category_tree.csv):\n" \
	"                          the category source backs off to " \
	"parents\n"
#define ANSWER_HELP_POPULAR \
	"  -p, --popular FILE      popular model (default: causal counts " \
	"of all\n" \
	"                          events before each request)\n" \
	"      --popular-window DUR\n" \
	"                          causal popular over the events in " \
	"[t - DUR, t)\n" \
	"                          only, e.g. 1h, 1d, 7d\n"

struct answer_opts {
	/* What the tool allows; answer_opts_init sets rs-answer's. */
	const char *usage;		/* the tool's usage text, for errors */
	unsigned max_blends;		/* 1: a later -b replaces the earlier */
	unsigned max_ks;		/* 1: -k is one K; more: a K list */
	int m_popular;			/* -m may also name the popular model */

	const char *history, *requests;	/* -H, -r */
	const char *model[ANSWER_MAX_MODELS];	/* -m and -p, in order */
	char model_opt[ANSWER_MAX_MODELS];	/* 'm' or 'p' */
	unsigned nmodel, nm;		/* files; of them, -m */
	const char *knn, *items;	/* -n, -i */
	const char *tree;		/* --tree */
	int category;			/* a blend uses category */
	int64_t knn_every;		/* ms; 0: no training here */
	int64_t knn_half_life;		/* ms; 0: none */
	const char *avail[ANSWER_MAX_AVAIL];	/* -A */
	unsigned navail;
	const char *window;		/* --popular-window as given */
	struct rs_blend blend[ANSWER_MAX_BLENDS];	/* -b */
	unsigned nblend;
	unsigned ks[ANSWER_MAX_KS], nk;	/* -k, ascending; default 10 */
	unsigned threads;		/* -t; 1 */
	/*
	 * -w, --keep-bought, --no-fold-in, --knn-context, --knn-decay and
	 * --popular-window; answer_setup adds kmax and similar.
	 */
	struct rs_replay_params p;
};

/* What answer_setup and answer_load read; answer_free frees it. */
struct answer_inputs {
	struct rs_model *model[ANSWER_MAX_MODELS];
	const struct rs_model *als, *pop;	/* among model[], or NULL */
	struct rs_itemknn *knn;		/* -n, or --knn-every's last */
	struct rs_itemknn_inc *knn_inc;	/* --knn-every's training */
	int64_t knn_t;			/* the time knn_inc trained last */
	struct rs_items *items;
	struct rs_avail *avail;
	struct rs_catline *cats;	/* the category source's, from -A or -i */
	struct rs_tree *tree;		/* --tree */
	struct rs_request *q;
	size_t nq;
	struct rs_event *ev;
	size_t nev;
};

/* The defaults, and rs-answer's rules: one -b, one K, -m of any kind. */
void answer_opts_init(struct answer_opts *o, const char *usage);

/*
 * Handles option c (getopt's result) with argument arg if it is an
 * answering option: returns 1, or 0 for the tool to handle it.  A bad
 * value is a usage error.
 */
int answer_option(struct answer_opts *o, int c, const char *arg);

/* After getopt: no operands, both -H and -r, and no contradiction. */
void answer_check(const struct answer_opts *o, int argc, char **argv);

/*
 * Reads the models (-m, -p; their kinds checked), chooses the default
 * blend when no -b was given, refuses a blend whose source has no
 * model, and sets o->p.kmax and o->p.similar.  Dies on error.
 */
void answer_setup(struct answer_opts *o, struct answer_inputs *in);

/* Reads the other inputs: -n, -i, -A, the requests and the history. */
void answer_load(const struct answer_opts *o, struct answer_inputs *in);

/*
 * A replay of requests q[0..n) over the inputs, with the item-kNN model
 * knn (in->knn, a period's model, or NULL); dies on error.
 */
struct rs_replay *answer_replay(const struct answer_opts *o,
	const struct answer_inputs *in, const struct rs_request *q, size_t n);

/*
 * The requests of rp from g0 to the return value are answered with one
 * item-kNN model: all of them with -n or without item-kNN; with
 * --knn-every, one period (rs_replay_period_group), and rp is given a
 * model trained on the events before it (in->knn, which replaces the
 * last period's).  Periods in time order train incrementally
 * (rs_itemknn_inc; with a half-life, from scratch each time).  Dies on
 * error.
 */
size_t answer_period_knn(const struct answer_opts *o,
	struct answer_inputs *in, struct rs_replay *rp, size_t g0);

void answer_free(struct answer_inputs *in);

/*
 * Answering with threads: the requests i0 .. i0 + n of rp, in batches of
 * RS_ENGINE_BATCH at fixed positions from i0, batch b to thread b mod
 * threads (so no answer depends on the thread count), each for every
 * recommender rec[0..nrec) at every K ks[0..nk).  Request i0 + i's answer
 * goes to rows[a * nk + k] + (out0 + i) * kmax, its row count to
 * nrows[a * nk + k][out0 + i].
 */
struct answer_batch {
	const struct rs_replay *rp;
	const struct rs_blend *rec;
	unsigned nrec, nk;
	const unsigned *ks;
	unsigned kmax;
	size_t i0, n, out0;
	struct rs_row **rows;
	uint32_t **nrows;
};

/*
 * Answers batch b with one thread per work area w[0..threads) (each of
 * rp), adding each batch of requests to the progress step; dies on
 * error.
 */
void answer_batch_run(const struct answer_batch *b,
	struct rs_replay_work *const *w, unsigned threads);

#endif
