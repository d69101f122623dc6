/*
 * rs-als-train - train a recommendation model from a visitor x item
 * matrix: implicit-feedback ALS (Hu, Koren & Volinsky 2008) with a
 * conjugate-gradient or exact solver, or the popular baseline.  The model
 * stream records the factors (or scores), both id maps, every parameter,
 * and a digest of the input, so rs-recommend and rs-eval can use either
 * kind the same way.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "progress.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-als-train [-qv] [--compress] [--early-stop] [--loss] "
    "[--no-spaces]\n"
    "       [-a alpha] [-c confidence] [-f factors] [-i iterations] [-k k]\n"
    "       [-m model] [-o file] [-r lambda] [-s solver] [-t threads]\n"
    "       [--cg-steps n] [--epsilon eps] [--seed n] [--validate test]\n"
    "       [matrix]\n";

static void
help(void)
{
	printf("%s", usage_text);
	printf("Train implicit ALS or the popular baseline on a matrix stream.\n\n"
	    "  -a, --alpha A           confidence scale (default 40)\n"
	    "  -c, --confidence C      linear: c = 1 + alpha r (default);\n"
	    "                          log: c = 1 + alpha log(1 + r/eps)\n"
	    "      --cg-steps N        conjugate-gradient steps per solve (3)\n"
	    "      --compress          zstd-compress the model (an ALS model\n"
	    "                          shrinks a tenth but loads slower;\n"
	    "                          without the scan spaces)\n"
	    "      --early-stop        stop when NDCG@k on --validate stops\n"
	    "                          improving\n"
	    "      --epsilon EPS       eps of the log confidence (default 1)\n"
	    "  -f, --factors F         latent factors (default 64)\n"
	    "  -i, --iterations N      ALS iterations (default 15)\n"
	    "  -k, --k K               cut-off of the --validate metrics (10)\n"
	    "      --loss              print the objective after each\n"
	    "                          iteration on stderr\n"
	    "  -m, --model KIND        als (default) or popular\n"
	    "      --no-spaces         leave the scan spaces out of a raw ALS\n"
	    "                          model (40%% fewer bytes; loads build\n"
	    "                          them)\n"
	    "  -o, --output FILE       write to FILE (atomically), not stdout\n"
	    "  -r, --regularization L  L2 regularisation lambda (default 0.1)\n"
	    "      --seed N            seed of the initial factors (1)\n"
	    "  -s, --solver S          cg (default) or exact\n"
	    "  -t, --threads N         worker threads (default 1)\n"
	    "      --validate TEST     print recall@k and NDCG@k on the TEST\n"
	    "                          matrix after each iteration\n"
	    "  -q, --quiet             no warnings or progress\n"
	    "  -v, --verbose           timings and sizes on stderr\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n\n"
	    "With no matrix, or when matrix is -, read standard input.\n");
	close_stdout();
	exit(0);
}

enum {
	OPT_CG_STEPS = 256, OPT_COMPRESS, OPT_EARLY_STOP, OPT_EPSILON, OPT_LOSS,
	OPT_NO_SPACES, OPT_SEED, OPT_VALIDATE, OPT_VERSION
};

struct opts {
	struct rs_als_params p;
	int popular;
	int compress;
	int no_spaces;
	int loss;
	int early_stop;
	unsigned k;
	const char *validate;
	const char *output;
	const char *input;
};

/*
 * Raw by default: a raw model is mapped on load, not decompressed and
 * copied (rs-stream(5)), and zstd gains little on factors, which are
 * near-random floats (a tenth of the size).  --compress is for shipping
 * or keeping models, where bytes count more than loading.
 */
static void
write_model(const struct rs_model *model, const struct rs_meta *extra,
    unsigned nextra, const struct opts *o)
{
	struct rs_outfile *out = open_binary_output(o->output);
	const struct rs_meta *meta;
	struct rs_writer_opts wo;
	struct rs_error err;
	unsigned nmeta;

	rs_writer_opts_init(&wo);
	wo.raw = !o->compress;
	/* Level 1 packs factors as well as level 3, at twice the speed. */
	wo.level = 1;
	meta = tool_meta(extra, nextra, &nmeta);
	if (rs_model_write(model, rs_outfile_fd(out), rs_outfile_name(out),
	    meta, nmeta, &wo, &err) < 0)
		die_abort(out, &err);
	commit_output(out);
}

static void
train_popular(const struct rs_csr *m, const struct rs_csr *test,
    const struct opts *o)
{
	struct rs_model *model;
	struct rs_model_eval ev;
	struct rs_error err;
	struct rs_meta meta[3];
	char digest[16], nnz[24];
	float *scores = xcalloc(m->ncols ? m->ncols : 1, sizeof(float));

	if (rs_model_popular_scores(m, scores, &err) < 0)
		die_err(&err);
	if (rs_model_popular_view(&model, m->col_ids, m->ncols, scores,
	    &err) < 0)
		die_err(&err);
	if (test != NULL) {
		if (rs_model_validate(model, m, test, o->k, &ev, &err) < 0)
			die_err(&err);
		fprintf(stderr, "popular: recall@%u %.6f ndcg@%u %.6f "
		    "(%llu visitors)\n", o->k, ev.recall, o->k, ev.ndcg,
		    (unsigned long long)ev.visitors);
	}
	snprintf(digest, sizeof(digest), "%08x", rs_model_digest(m));
	snprintf(nnz, sizeof(nnz), "%llu", (unsigned long long)m->nnz);
	meta[0] = (struct rs_meta){ "model", "popular" };
	meta[1] = (struct rs_meta){ "input_digest", digest };
	meta[2] = (struct rs_meta){ "input_nnz", nnz };
	write_model(model, meta, 3, o);
	rs_model_free(model);
	free(scores);
}

/* Metadata of an ALS model; the strings live in a static buffer. */
static unsigned
als_meta(struct rs_meta *meta, const struct opts *o, const struct rs_csr *m,
    unsigned iters, double loss)
{
	static char v[13][32];
	const struct rs_als_params *p = &o->p;
	unsigned n = 0;

#define PUT(key, ...) do { \
	snprintf(v[n], sizeof(v[n]), __VA_ARGS__); \
	meta[n] = (struct rs_meta){ key, v[n] }; \
	n++; \
} while (0)
	PUT("model", "als");
	PUT("factors", "%u", p->factors);
	PUT("iterations", "%u", iters);
	PUT("regularization", "%.9g", p->regularization);
	PUT("alpha", "%.9g", p->alpha);
	PUT("confidence", "%s", rs_als_confidence_name(p->confidence));
	PUT("epsilon", "%.9g", p->epsilon);
	PUT("solver", "%s", rs_als_solver_name(p->solver));
	PUT("cg_steps", "%u", p->cg_steps);
	PUT("seed", "%llu", (unsigned long long)p->seed);
	PUT("threads", "%u", p->threads);
	PUT("loss", "%.9g", loss);
	PUT("input_digest", "%08x", rs_model_digest(m));
#undef PUT
	return n;
}

static void
train_als(const struct rs_csr *m, const struct rs_csr *test,
    const struct opts *o)
{
	struct rs_als *a;
	struct rs_model *view;
	struct rs_model_eval ev;
	struct rs_error err;
	struct rs_meta meta[16];
	double t0, t1, c1, tu, cu, fl, loss = NAN, best = -1;
	unsigned it, done = 0, nmeta;

	t0 = wall_seconds();
	if (rs_als_create(&a, m, &o->p, &err) < 0)
		die("%s: %s", input_name(o->input), err.msg);
	verbose("%u x %u matrix, %llu nonzeros, %u factors, %s solver, "
	    "%u thread(s)", m->nrows, m->ncols, (unsigned long long)m->nnz,
	    o->p.factors, rs_als_solver_name(o->p.solver), o->p.threads);
	if (rs_model_als_view(&view, m->row_ids, m->nrows, m->col_ids,
	    m->ncols, o->p.factors, rs_als_user_factors(a),
	    rs_als_item_factors(a), &err) < 0)
		die_err(&err);
	/* Iterations take about the same time: their count gives the ETA. */
	progress_start("training", "iterations", o->p.iterations, -1);
	for (it = 1; it <= o->p.iterations; it++) {
		t1 = wall_seconds();
		c1 = cpu_seconds();
		fl = rs_als_flops(a);
		if (rs_als_half_step(a, 0, &err) < 0)
			die_err(&err);
		tu = wall_seconds() - t1;
		cu = cpu_seconds() - c1;
		if (rs_als_half_step(a, 1, &err) < 0)
			die_err(&err);
		done = it;
		progress_set(done);
		fl = (rs_als_flops(a) - fl) / 1e9;
		verbose("iteration %u: %.3f s wall, %.3f s cpu (visitors %.3f "
		    "s wall, %.3f s cpu), %.1f GFLOP/s, %.1f GFLOP per cpu-s",
		    it, wall_seconds() - t1, cpu_seconds() - c1, tu, cu,
		    fl / (wall_seconds() - t1), fl / (cpu_seconds() - c1));
		if (o->loss) {
			loss = rs_als_loss(a);
			progress_pause();
			fprintf(stderr, "iteration %u: loss %.9g\n", it, loss);
			progress_resume();
			progress_note("loss %.4g", loss);
		}
		if (test == NULL)
			continue;
		if (rs_model_validate(view, m, test, o->k, &ev, &err) < 0)
			die_err(&err);
		progress_pause();
		fprintf(stderr, "iteration %u: recall@%u %.6f ndcg@%u %.6f "
		    "(%llu visitors)\n", it, o->k, ev.recall, o->k, ev.ndcg,
		    (unsigned long long)ev.visitors);
		progress_resume();
		if (o->early_stop && it > 1 && !(ev.ndcg > best)) {
			verbose("ndcg@%u stopped improving: stopping",
			    o->k);
			break;
		}
		if (ev.ndcg > best)
			best = ev.ndcg;
	}
	progress_end();
	if (!o->loss || done != o->p.iterations)
		loss = rs_als_loss(a);
	verbose("trained in %.3f s, loss %.9g", wall_seconds() - t0, loss);
	nmeta = als_meta(meta, o, m, done, loss);
	/*
	 * A raw model carries the engine's scan spaces, so that a load maps
	 * them rather than building them (most of the rest of a load).
	 */
	if (!o->compress && !o->no_spaces) {
		t1 = wall_seconds();
		if (rs_model_build_spaces(view, o->p.threads, &err) < 0)
			die_err(&err);
		verbose("scan spaces built in %.3f s", wall_seconds() - t1);
	}
	progress_start("writing the model", NULL, 0, -1);
	write_model(view, meta, nmeta, o);
	progress_end();
	rs_model_free(view);
	rs_als_free(a);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "alpha", required_argument, NULL, 'a' },
		{ "confidence", required_argument, NULL, 'c' },
		{ "cg-steps", required_argument, NULL, OPT_CG_STEPS },
		{ "compress", no_argument, NULL, OPT_COMPRESS },
		{ "early-stop", no_argument, NULL, OPT_EARLY_STOP },
		{ "epsilon", required_argument, NULL, OPT_EPSILON },
		{ "factors", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "k", required_argument, NULL, 'k' },
		{ "loss", no_argument, NULL, OPT_LOSS },
		{ "model", required_argument, NULL, 'm' },
		{ "no-spaces", no_argument, NULL, OPT_NO_SPACES },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "regularization", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "solver", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "validate", required_argument, NULL, OPT_VALIDATE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct rs_csr *m, *test = NULL;
	const char *input = "-";
	int c;

	tool_init(argc, argv);
	memset(&o, 0, sizeof(o));
	rs_als_params_init(&o.p);
	o.k = 10;
	while ((c = getopt_long(argc, argv, "a:c:f:hi:k:m:o:qr:s:t:v", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a':
			o.p.alpha = parse_double("--alpha", optarg, 1e-30, 1e30,
			    usage_text);
			break;
		case 'c':
			if (strcmp(optarg, "linear") == 0)
				o.p.confidence = RS_ALS_LINEAR;
			else if (strcmp(optarg, "log") == 0)
				o.p.confidence = RS_ALS_LOG;
			else
				usage_error(usage_text, "invalid --confidence "
				    "'%s': use 'linear' or 'log'", optarg);
			break;
		case OPT_CG_STEPS:
			o.p.cg_steps = (uint32_t)parse_u64("--cg-steps", optarg,
			    1, 1000, usage_text);
			break;
		case OPT_COMPRESS:
			o.compress = 1;
			break;
		case OPT_EARLY_STOP:
			o.early_stop = 1;
			break;
		case OPT_NO_SPACES:
			o.no_spaces = 1;
			break;
		case OPT_EPSILON:
			o.p.epsilon = parse_double("--epsilon", optarg, 1e-30,
			    1e30, usage_text);
			break;
		case 'f':
			o.p.factors = (uint32_t)parse_u64("--factors", optarg,
			    1, 4096, usage_text);
			break;
		case 'i':
			o.p.iterations = (uint32_t)parse_u64("--iterations",
			    optarg, 1, 100000, usage_text);
			break;
		case 'k':
			o.k = (unsigned)parse_u64("--k", optarg, 1, 100000,
			    usage_text);
			break;
		case OPT_LOSS:
			o.loss = 1;
			break;
		case 'm':
			if (strcmp(optarg, "als") == 0)
				o.popular = 0;
			else if (strcmp(optarg, "popular") == 0)
				o.popular = 1;
			else
				usage_error(usage_text, "invalid --model '%s': "
				    "use 'als' or 'popular'", optarg);
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'r':
			o.p.regularization = parse_double("--regularization",
			    optarg, 0, 1e30, usage_text);
			break;
		case OPT_SEED:
			o.p.seed = parse_u64("--seed", optarg, 0, UINT64_MAX,
			    usage_text);
			break;
		case 's':
			if (strcmp(optarg, "cg") == 0)
				o.p.solver = RS_ALS_CG;
			else if (strcmp(optarg, "exact") == 0)
				o.p.solver = RS_ALS_EXACT;
			else
				usage_error(usage_text, "invalid --solver '%s': "
				    "use 'cg' or 'exact'", optarg);
			break;
		case 't':
			o.p.threads = (unsigned)parse_u64("--threads", optarg,
			    1, 64, usage_text);
			break;
		case OPT_VALIDATE:
			o.validate = optarg;
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	if (argc - optind > 1)
		usage_error(usage_text, "too many operands");
	if (optind < argc)
		input = argv[optind];
	o.input = input;
	if (o.early_stop && o.validate == NULL)
		usage_error(usage_text, "--early-stop needs --validate");
	if (o.validate != NULL && strcmp(o.validate, "-") == 0 &&
	    strcmp(input, "-") == 0)
		usage_error(usage_text, "the matrix and --validate cannot "
		    "both be standard input");
	m = load_matrix(input);
	if (o.validate != NULL)
		test = load_matrix(o.validate);
	if (o.popular)
		train_popular(m, test, &o);
	else
		train_als(m, test, &o);
	rs_csr_free(test);
	rs_csr_free(m);
	return 0;
}
