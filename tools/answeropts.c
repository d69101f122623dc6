/*
 * answeropts.c - the answering options of rs-answer and rs-replay.  See
 * answeropts.h.
 */
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "progress.h"
#include "answeropts.h"
#include "banned.h"

void
answer_opts_init(struct answer_opts *o, const char *usage)
{
	memset(o, 0, sizeof(*o));
	o->usage = usage;
	o->max_blends = 1;
	o->max_ks = 1;
	o->m_popular = 1;
	o->ks[0] = 10;
	o->nk = 1;
	o->threads = 1;
	rs_replay_params_init(&o->p);
}

static void
add_model(struct answer_opts *o, char opt, const char *path)
{
	if (opt == 'm') {
		/*
		 * Compatibility with rs-recommend -r, whose -m was
		 * repeatable (one als, one popular model, told apart by
		 * their kind): scripts written for it (scripts/rs-retrain)
		 * pass both with -m.  So where -m may name a popular model,
		 * it may come twice; answer_setup refuses two models of one
		 * kind.
		 */
		if (!o->m_popular && o->nm == 1)
			usage_error(o->usage, "-m given twice");
		if (o->nm == 2)
			usage_error(o->usage, "-m given more than twice");
		o->nm++;
	} else if (o->nmodel > o->nm) {
		usage_error(o->usage, "-p given twice");
	}
	o->model[o->nmodel] = path;
	o->model_opt[o->nmodel++] = opt;
}

int
answer_option(struct answer_opts *o, int c, const char *arg)
{
	struct rs_error err;
	int64_t ms;

	switch (c) {
	case 'A':
		if (o->navail == ANSWER_MAX_AVAIL)
			usage_error(o->usage, "too many -A");
		o->avail[o->navail++] = arg;
		break;
	case 'b':
		if (o->nblend == o->max_blends) {
			if (o->max_blends > 1)
				usage_error(o->usage, "too many --blend");
			o->nblend = 0;	/* one blend: the last -b is it */
		}
		if (rs_blend_parse(arg, &o->blend[o->nblend], &err) < 0)
			usage_error(o->usage, "invalid --blend: %s", err.msg);
		o->nblend++;
		break;
	case 'H':
		o->history = arg;
		break;
	case 'i':
		o->items = arg;
		break;
	case 'k':
		if (o->max_ks > 1) {
			parse_klist_opt("--k", arg, RS_REPLAY_MAX_K, o->ks,
			    o->max_ks, &o->nk, o->usage);
		} else {
			o->ks[0] = (unsigned)parse_u64("--k", arg, 1,
			    RS_REPLAY_MAX_K, o->usage);
			o->nk = 1;
		}
		break;
	case OPT_KEEP_BOUGHT:
		o->p.keep_bought = 1;
		break;
	case 'm':
	case 'p':
		add_model(o, (char)c, arg);
		break;
	case 'n':
		o->knn = arg;
		break;
	case OPT_KNN_CONTEXT:
		o->p.knn_context = (unsigned)parse_u64("--knn-context", arg, 1,
		    1000, o->usage);
		break;
	case OPT_KNN_DAILY:
		o->knn_every = RS_MS_PER_DAY;
		break;
	case OPT_KNN_DECAY:
		o->p.knn_decay = parse_double("--knn-decay", arg, 1e-6, 1,
		    o->usage);
		break;
	case OPT_KNN_EVERY:
	case OPT_KNN_HALF_LIFE:
		ms = parse_duration_opt(c == OPT_KNN_EVERY ? "--knn-every" :
		    "--knn-half-life", arg, o->usage);
		if (ms <= 0)
			usage_error(o->usage, "invalid %s '%s': must be "
			    "positive", c == OPT_KNN_EVERY ? "--knn-every" :
			    "--knn-half-life", arg);
		*(c == OPT_KNN_EVERY ? &o->knn_every : &o->knn_half_life) = ms;
		break;
	case OPT_NO_FOLD_IN:
		o->p.fold_in = 0;
		break;
	case OPT_POPULAR_WINDOW:
		o->p.popular_window = parse_duration_opt("--popular-window",
		    arg, o->usage);
		if (o->p.popular_window == 0)
			usage_error(o->usage, "invalid --popular-window '%s': "
			    "must be positive", arg);
		o->window = arg;
		break;
	case 'r':
		o->requests = arg;
		break;
	case 't':
		o->threads = (unsigned)parse_u64("--threads", arg, 1, 256,
		    o->usage);
		o->p.threads = o->threads;
		break;
	case OPT_TREE:
		o->tree = arg;
		break;
	case 'w':
		parse_weights_opt("--weights", arg, o->p.weights, o->usage);
		break;
	default:
		return 0;
	}
	return 1;
}

/* The causal popular list has a window; a popular model has none. */
static void
refuse_window(const struct answer_opts *o, char opt, const char *path)
{
	if (o->window != NULL)
		usage_error(o->usage, "a popular model (-%c %s) and "
		    "--popular-window exclude each other", opt, path);
}

void
answer_check(const struct answer_opts *o, int argc, char **argv)
{
	unsigned i;

	if (argc > 0)
		usage_error(o->usage, "unexpected operand '%s'", argv[0]);
	if (o->requests == NULL || o->history == NULL)
		usage_error(o->usage, "both -H events and -r requests are "
		    "needed");
	if (strcmp(o->requests, "-") == 0 && strcmp(o->history, "-") == 0)
		usage_error(o->usage, "only one input can be standard input");
	if (o->knn != NULL && o->knn_every)
		usage_error(o->usage, "-n knn and --knn-every (or --knn-daily) "
		    "exclude each other");
	if (o->knn_half_life && !o->knn_every)
		usage_error(o->usage, "--knn-half-life needs --knn-every (or "
		    "--knn-daily)");
	/* -p is a popular model before it is read (a popular -m: setup) */
	for (i = 0; i < o->nmodel; i++)
		if (o->model_opt[i] == 'p')
			refuse_window(o, 'p', o->model[i]);
}

/*
 * At most one ALS and one popular model.  -p must be a popular model, -m
 * normally the ALS model; with m_popular a popular model given with -m
 * is taken as the popular source (add_model).
 */
static void
load_models(const struct answer_opts *o, struct answer_inputs *in)
{
	const char *als_path = NULL, *pop_path = NULL, *path;
	struct rs_model *m;
	unsigned i;

	for (i = 0; i < o->nmodel; i++) {
		path = o->model[i];
		m = in->model[i] = load_model(path);
		if (rs_model_kind(m) == RS_MODEL_ALS) {
			if (o->model_opt[i] == 'p')
				die("%s: an ALS model, not a popular model (-p "
				    "takes a popular model; give an ALS one with "
				    "-m)", path);
			if (in->als != NULL)
				die("%s and %s are both als models: give one "
				    "als and one popular", als_path, path);
			in->als = m;
			als_path = path;
		} else {
			if (o->model_opt[i] == 'm' && !o->m_popular)
				die("%s: a popular model, not an ALS model (-m "
				    "takes an ALS model; give a popular one with "
				    "-p)", path);
			if (in->pop != NULL)
				die("%s and %s are both popular models: give "
				    "one als and one popular", pop_path, path);
			in->pop = m;
			pop_path = path;
			refuse_window(o, o->model_opt[i], path);
		}
	}
}

void
answer_setup(struct answer_opts *o, struct answer_inputs *in)
{
	const int knn = o->knn != NULL || o->knn_every;
	struct rs_error err;
	unsigned a, s;

	memset(in, 0, sizeof(*in));
	load_models(o, in);
	if (o->nblend == 0) {
		/*
		 * The default blend (rs-replay(1)): the best found over the
		 * sources given.  Category and popular back-fill only.
		 */
		const int cat = o->navail > 0 || o->items != NULL;
		const char *def = knn && cat ?
		    "recent:5,itemknn:5,category:0,popular:0" :
		    knn ? "recent:5,itemknn:5,popular:0" :
		    in->als != NULL ? "recent:5,als:5,popular:0" :
		    "recent:5,popular:5";

		if (rs_blend_parse(def, &o->blend[o->nblend++], &err) < 0)
			die_err(&err);
	}
	for (a = 0; a < o->nblend; a++) {
		const struct rs_blend *b = &o->blend[a];

		for (s = 0; s < b->n; s++)
			if ((b->src[s] == RS_SRC_ITEMKNN && !knn) ||
			    ((b->src[s] == RS_SRC_ALS ||
			    b->src[s] == RS_SRC_ONLINE) && in->als == NULL))
				usage_error(o->usage, "blend '%s' uses '%s' but "
				    "no model for it is given", b->name,
				    rs_source_name(b->src[s]));
		if (rs_blend_has(b, RS_SRC_CATEGORY) && o->navail == 0 &&
		    o->items == NULL)
			usage_error(o->usage, "blend '%s' uses 'category' but "
			    "no category data is given (-A props or -i items)",
			    b->name);
		o->category |= rs_blend_has(b, RS_SRC_CATEGORY);
		o->p.similar |= rs_blend_has(b, RS_SRC_ONLINE);
	}
	o->p.kmax = o->ks[o->nk - 1];
}

/*
 * The category source's timeline: the categoryid snapshots of the -A
 * streams (read a second time: availability keeps nothing else), else
 * the item table's categories.
 */
static struct rs_catline *
load_catline(const struct answer_opts *o, const struct rs_items *items)
{
	struct rs_catline *c;
	struct rs_catline_stats st;
	struct rs_reader *r;
	struct rs_error err;
	unsigned i;
	int fd;

	if (rs_catline_create(&c, &err) < 0)
		die_err(&err);
	for (i = 0; i < o->navail; i++) {
		r = open_stream(o->avail[i], &fd);
		if (rs_catline_read(c, r, &err) < 0)
			die_err(&err);
		close_stream(r, fd);
	}
	if (o->navail == 0 && rs_catline_add_items(c, items, &err) < 0)
		die_err(&err);
	if (rs_catline_finish(c, &err) < 0)
		die_err(&err);
	rs_catline_stats(c, &st);
	verbose("categories: %llu snapshots of %llu items, %llu items moved, "
	    "%llu changes kept", (unsigned long long)st.snapshots,
	    (unsigned long long)st.items, (unsigned long long)st.moved,
	    (unsigned long long)st.changes);
	return c;
}

static struct rs_tree *
load_cattree(const char *path)
{
	struct rs_tree *t;
	struct rs_reader *r;
	struct rs_error err;
	int fd;

	r = open_stream(path, &fd);
	if (rs_tree_read(r, &t, NULL, &err) < 0)
		die_err(&err);
	close_stream(r, fd);
	return t;
}

void
answer_load(const struct answer_opts *o, struct answer_inputs *in)
{
	if (o->knn != NULL)
		in->knn = load_knn(o->knn);
	if (o->items != NULL)
		in->items = load_items(o->items);
	if (o->navail > 0)
		in->avail = load_avail(o->avail, o->navail);
	if (o->category) {
		in->cats = load_catline(o, in->items);
		if (o->tree != NULL)
			in->tree = load_cattree(o->tree);
	}
	in->q = load_requests(o->requests, &in->nq);
	in->ev = read_events(o->history, &in->nev, NULL);
}

struct rs_replay *
answer_replay(const struct answer_opts *o, const struct answer_inputs *in,
    const struct rs_request *q, size_t n)
{
	struct rs_replay *rp;
	struct rs_error err;

	if (rs_replay_create(&rp, in->ev, in->nev, &o->p, &err) < 0 ||
	    (in->pop != NULL && rs_replay_set_popular(rp, in->pop, &err) < 0) ||
	    (in->als != NULL && rs_replay_set_als(rp, in->als, &err) < 0) ||
	    (in->knn != NULL && rs_replay_set_itemknn(rp, in->knn,
	    &err) < 0) ||
	    (in->items != NULL && rs_replay_set_items(rp, in->items,
	    &err) < 0) ||
	    (in->avail != NULL && rs_replay_set_avail(rp, in->avail,
	    &err) < 0) ||
	    (in->cats != NULL && rs_replay_set_categories(rp, in->cats,
	    in->tree, &err) < 0) ||
	    rs_replay_prepare(rp, q, n, &err) < 0)
		die_err(&err);
	return rp;
}

size_t
answer_period_knn(const struct answer_opts *o, struct answer_inputs *in,
    struct rs_replay *rp, size_t g0)
{
	struct rs_itemknn_params kp;
	struct rs_itemknn *knn;
	struct rs_error err;
	int64_t start;
	size_t g1;

	if (!o->knn_every)
		return in->nq;
	g1 = rs_replay_period_group(in->q, in->nq, g0, o->knn_every, &start);
	rs_itemknn_params_init(&kp);
	memcpy(kp.weights, o->p.weights, sizeof(kp.weights));
	kp.until = start;
	kp.half_life = o->knn_half_life;
	if (kp.half_life > 0) {
		if (rs_itemknn_train(in->ev, in->nev, &kp, &knn, NULL,
		    &err) < 0)
			die_err(&err);
	} else {
		/* requests out of time order: start the counts again */
		if (in->knn_inc != NULL && start < in->knn_t) {
			rs_itemknn_inc_free(in->knn_inc);
			in->knn_inc = NULL;
		}
		if (in->knn_inc == NULL && (rs_itemknn_inc_create(&in->knn_inc,
		    &kp, &err) < 0 || rs_itemknn_inc_add(in->knn_inc, in->ev,
		    in->nev, &err) < 0))
			die_err(&err);
		if (rs_itemknn_inc_train(in->knn_inc, start, &knn, NULL,
		    &err) < 0)
			die_err(&err);
		in->knn_t = start;
	}
	if (rs_replay_set_itemknn(rp, knn, &err) < 0)
		die_err(&err);
	rs_itemknn_free(in->knn);
	in->knn = knn;
	return g1;
}

void
answer_free(struct answer_inputs *in)
{
	unsigned i;

	for (i = 0; i < ANSWER_MAX_MODELS; i++)
		rs_model_free(in->model[i]);
	rs_itemknn_free(in->knn);
	rs_itemknn_inc_free(in->knn_inc);
	rs_items_free(in->items);
	rs_avail_free(in->avail);
	rs_catline_free(in->cats);
	rs_tree_free(in->tree);
	free(in->q);
	free(in->ev);
	memset(in, 0, sizeof(*in));
}

/* One thread's share of an answer_batch. */
struct answer_job {
	const struct answer_batch *b;
	struct rs_replay_work *w;
	unsigned tid, threads;
	int rc;
	struct rs_error err;
};

static void *
answer_job(void *arg)
{
	struct answer_job *j = arg;
	const struct answer_batch *b = j->b;
	size_t b0, b1, i, s;
	unsigned a, k;
	int n, als = 0;

	/* Scoring ALS ahead pays only when some recommender draws on it. */
	for (a = 0; a < b->nrec; a++)
		als |= rs_blend_has(&b->rec[a], RS_SRC_ALS);
	j->rc = 0;
	for (b0 = (size_t)j->tid * RS_ENGINE_BATCH; b0 < b->n;
	    b0 += (size_t)j->threads * RS_ENGINE_BATCH) {
		b1 = b->n - b0 < RS_ENGINE_BATCH ? b->n : b0 + RS_ENGINE_BATCH;
		if (als && (j->rc = rs_replay_prefetch(b->rp, j->w, b->i0 + b0,
		    b1 - b0, &j->err)) < 0)
			return NULL;
		for (i = b0; i < b1; i++)
			for (a = 0; a < b->nrec; a++)
				for (k = 0; k < b->nk; k++) {
					s = (size_t)a * b->nk + k;
					n = rs_replay_answer(b->rp, j->w,
					    b->i0 + i, &b->rec[a], b->ks[k],
					    b->rows[s] + (b->out0 + i) * b->kmax,
					    &j->err);
					if (n < 0) {
						j->rc = n;
						return NULL;
					}
					b->nrows[s][b->out0 + i] = (uint32_t)n;
				}
		progress_add(b1 - b0);
	}
	return NULL;
}

void
answer_batch_run(const struct answer_batch *b,
    struct rs_replay_work *const *w, unsigned threads)
{
	struct answer_job *jobs = xcalloc(threads, sizeof(*jobs));
	unsigned t;

	for (t = 0; t < threads; t++) {
		jobs[t].b = b;
		jobs[t].w = w[t];
		jobs[t].tid = t;
		jobs[t].threads = threads;
	}
	run_jobs(answer_job, jobs, sizeof(*jobs), threads);
	for (t = 0; t < threads; t++)
		if (jobs[t].rc < 0)
			die_err(&jobs[t].err);
	free(jobs);
}
