/*
 * rs-eval - offline evaluation of recommendation files against a
 * ground-truth matrix.
 *
 * Reads the truth (a matrix stream: visitors x items, e.g. the addtocart
 * events after the cut-off), optionally the training matrix (popularity,
 * novelty, catalogue size) and the item table (catalogue size), then each
 * recommendation file (CSV, TSV or JSON Lines with user, item, rank), and
 * prints one row of metrics per file at every K: an aligned table, CSV or
 * JSON.  On request it writes per-visitor numbers and one MLflow run per
 * file.  The definitions live in lib/metrics.h and rs-eval(1).
 *
 * With --requests it is the scoring half of the replay protocol: the
 * files are answer rows (rs-answer, rs-replay -a), scored per request
 * by lib/replay.c's accumulators beside the baselines popular and
 * recent, which it answers itself, and printed as rs-replay prints them
 * (lib/replayout.c).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "progress.h"
#include "replayout.h"
#include "banned.h"

#define EXIT_BELOW 4	/* --min-recall not met */

static const char usage_text[] =
    "usage: rs-eval [-qv] [-f format] [-k list] [-l label] [-o file]\n"
    "       [--experiment name] [--items items] [--min-recall k:x]\n"
    "       [--mlflow dir] [--model file] [--param key=value]\n"
    "       [--per-user file] [--run-name name] [--train matrix]\n"
    "       {-t truth | -H events -r requests} recs ...\n";

static void
help(void)
{
	printf("%s", usage_text);
	printf("Score recommendation files against a ground-truth matrix, "
	    "or answer\nfiles against the requests of a replay (-r).\n\n"
	    "  -f, --format F        table (default), csv or json\n"
	    "  -H, --history EVENTS  -r: every visitor's events (rs-load)\n"
	    "  -k, --k LIST          cut-offs, comma-separated (default "
	    "5,10,20;\n"
	    "                        with -r 10)\n"
	    "  -l, --label NAME      name of the next recommendation file's "
	    "row\n"
	    "                        (repeat, one per file; default: file "
	    "name)\n"
	    "  -o, --output FILE     write the results to FILE (atomically)\n"
	    "  -q, --quiet           no warnings or progress\n"
	    "  -r, --requests FILE   request stream (rs-requests): score "
	    "answer files\n"
	    "  -t, --truth MATRIX    ground-truth matrix stream\n"
	    "  -v, --verbose         counts and timing on stderr\n"
	    "      --experiment NAME MLflow experiment (default: Default)\n"
	    "      --items ITEMS     item table: the catalogue for coverage "
	    "(with -r:\n"
	    "                        the baselines recommend only its "
	    "available items)\n"
	    "      --min-recall K:X  exit 4 if recall@K of the last file is "
	    "below X\n"
	    "      --mlflow DIR      log one MLflow run per file into the "
	    "file store DIR\n"
	    "      --model FILE      rs stream whose metadata become MLflow "
	    "params\n"
	    "                        (once for all files, or once per file)\n"
	    "      --param KEY=VAL   extra MLflow param (repeatable)\n"
	    "      --per-user FILE   per-visitor numbers as CSV\n"
	    "      --run-name NAME   MLflow run name (default: the label)\n"
	    "      --train MATRIX    training matrix: popularity, novelty, "
	    "catalogue\n"
	    "  -h, --help            this help\n"
	    "      --version         print the version\n\n"
	    "Recommendation files: CSV or TSV with a header naming user, "
	    "item and rank,\nor JSON Lines; - is standard input.  Answer "
	    "files (-r) name request instead\nof user.  Exit 0, "
	    "1 on errors, 2 on bad usage,\n4 when --min-recall is not met.\n");
	close_stdout();
	exit(0);
}

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

struct opts {
	enum fmt fmt;
	unsigned k[RS_METRICS_MAXK];
	unsigned nk;
	const char **labels;
	unsigned nlabels;
	const char **models;
	unsigned nmodels;
	const char **params;
	unsigned nparams;
	const char *output, *truth, *train, *items, *mlflow, *experiment,
	    *run_name, *per_user;
	const char *requests, *history;	/* replay mode */
	int k_set;
	unsigned min_k;
	double min_x;
	int min_set;
};

/* One evaluated file. */
struct result {
	const char *file;
	char *label;
	uint64_t rows;
	struct rs_eval_result r;
};

/* The metric columns, in output order. */
enum { M_PRECISION, M_RECALL, M_NDCG, M_MAP, M_HIT, M_MRR, M_COVERAGE,
    M_NOVELTY, M_POP, NMETRICS };
static const char *const mname[NMETRICS] = { "precision", "recall",
    "ndcg", "map", "hit_rate", "mrr", "coverage", "novelty", "avg_pop" };
static const char *const mshort[NMETRICS] = { "P", "R", "NDCG", "MAP",
    "HR", "MRR", "Cov", "Nov", "Pop" };

/* The counts of a result, in output order; the table leaves out rows. */
enum { C_ROWS, C_USERS, C_WITH, C_WITHOUT, C_IGNORED, NCOUNTS };
static const char *const cname[NCOUNTS] = { "rows", "users",
    "users_with_recs", "users_without_recs", "ignored" };

static void
counts(const struct result *res, uint64_t c[NCOUNTS])
{
	c[C_ROWS] = res->rows;
	c[C_USERS] = res->r.users;
	c[C_WITH] = res->r.with_recs;
	c[C_WITHOUT] = res->r.without_recs;
	c[C_IGNORED] = res->r.ignored;
}

static double
metric(const struct rs_eval_at_k *a, int m)
{
	switch (m) {
	case M_PRECISION:
		return a->precision;
	case M_RECALL:
		return a->recall;
	case M_NDCG:
		return a->ndcg;
	case M_MAP:
		return a->map;
	case M_HIT:
		return a->hit_rate;
	case M_MRR:
		return a->mrr;
	case M_COVERAGE:
		return a->coverage;
	case M_NOVELTY:
		return a->novelty;
	default:
		return a->avg_pop;
	}
}

static void
parse_min_recall(struct opts *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	char tok[32];
	size_t len;

	if (colon == NULL || (len = (size_t)(colon - arg)) == 0 ||
	    len >= sizeof(tok))
		usage_error(usage_text, "invalid --min-recall '%s': expected "
		    "K:X, e.g. 10:0.05", arg);
	memcpy(tok, arg, len);
	tok[len] = '\0';
	o->min_k = (unsigned)parse_u64("--min-recall", tok, 1, 100000,
	    usage_text);
	o->min_x = parse_double("--min-recall", colon + 1, 0, 1, usage_text);
	o->min_set = 1;
}

static const char **
push(const char **v, unsigned *n, const char *s)
{
	v = xrealloc(v, (*n + 1) * sizeof(*v));
	v[(*n)++] = s;
	return v;
}

/* Default label: the base name without a known extension. */
static char *
default_label(const char *path)
{
	static const char *const ext[] = { ".csv", ".tsv", ".tab", ".jsonl",
	    ".ndjson", ".json" };
	const char *b = strrchr(path, '/');
	size_t n, m, i;
	char *s;

	if (strcmp(path, "-") == 0)
		return xstrdup("stdin");
	s = xstrdup(b ? b + 1 : path);
	n = strlen(s);
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		m = strlen(ext[i]);
		if (n > m && strcmp(s + n - m, ext[i]) == 0) {
			s[n - m] = '\0';
			break;
		}
	}
	return s;
}

/* The item ids of an item table (sorted, as the table is); *n of them. */
static uint64_t *
load_catalogue(const char *path, size_t *n)
{
	struct rs_items *t = load_items(path);
	uint64_t *ids;
	size_t i;

	*n = rs_items_count(t);
	ids = xmalloc((*n ? *n : 1) * sizeof(*ids));
	for (i = 0; i < *n; i++)
		ids[i] = rs_items_at(t, i)->item;
	rs_items_free(t);
	return ids;
}

/* A recommendation or answer file, rows grouped by key. */
static struct rs_recs *
load_recs(const char *path, enum rs_recs_key key)
{
	struct rs_recs *recs;
	struct rs_error err;
	const int fd = begin_input(path);

	if (rs_recs_read_by(&recs, fd, input_name(path), RS_RECS_AUTO, key,
	    &err) < 0)
		die_err(&err);
	end_input(fd);
	return recs;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
fmt_num(char *buf, size_t n, double v, int digits)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.*f", digits, v);
}

/* ---- per-visitor output ---- */

struct per_user {
	struct rs_textout t;
	const char *label;
	unsigned nk;
	int on;			/* --per-user given: write rows to t */
};

static void
csv_double(struct rs_textout *t, double v)
{
	char buf[40];

	if (!isnan(v)) {
		snprintf(buf, sizeof(buf), "%.9g", v);
		rs_textout_str(t, buf);
	}
}

static int
per_user_row(void *arg, uint64_t user, size_t ntruth, size_t nrecs,
    const struct rs_user_at_k *at)
{
	struct per_user *pu = arg;
	unsigned j, c;

	rs_textout_csv_field(&pu->t, pu->label, strlen(pu->label), ',');
	rs_textout_char(&pu->t, ',');
	rs_textout_u64(&pu->t, user);
	rs_textout_char(&pu->t, ',');
	rs_textout_u64(&pu->t, ntruth);
	rs_textout_char(&pu->t, ',');
	rs_textout_u64(&pu->t, nrecs);
	for (j = 0; j < pu->nk; j++) {
		/* the columns of per_user_header after hits */
		const double v[] = { at[j].precision, at[j].recall,
		    at[j].ndcg, at[j].ap, at[j].rr };

		rs_textout_char(&pu->t, ',');
		rs_textout_u64(&pu->t, at[j].hits);
		for (c = 0; c < sizeof(v) / sizeof(v[0]); c++) {
			rs_textout_char(&pu->t, ',');
			csv_double(&pu->t, v[c]);
		}
	}
	rs_textout_char(&pu->t, '\n');
	return 0;
}

/* rs_eval_run's visitor callback: one visitor scored, maybe a row. */
static int
score_user(void *arg, uint64_t user, size_t ntruth, size_t nrecs,
    const struct rs_user_at_k *at)
{
	const struct per_user *pu = arg;

	progress_add(1);
	return pu->on ? per_user_row(arg, user, ntruth, nrecs, at) : 0;
}

static void
per_user_header(struct per_user *pu, const unsigned *k)
{
	static const char *const col[] = { "hits", "precision", "recall",
	    "ndcg", "ap", "rr" };
	char buf[48];
	unsigned j, c;

	rs_textout_str(&pu->t, "label,user,truth,recs");
	for (j = 0; j < pu->nk; j++)
		for (c = 0; c < sizeof(col) / sizeof(col[0]); c++) {
			snprintf(buf, sizeof(buf), ",%s_at_%u", col[c], k[j]);
			rs_textout_str(&pu->t, buf);
		}
	rs_textout_char(&pu->t, '\n');
}

/* ---- MLflow ---- */

/* A metadata key as an MLflow name: other characters become '_'. */
static char *
mlflow_key(const char *key)
{
	char *s = xstrdup(key), *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.' || *p == ' '))
			*p = '_';
	return s;
}

static int
seen_key(char **keys, unsigned n, const char *k)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i], k) == 0)
			return 1;
	return 0;
}

/* A number to log; NaN (undefined) is left out. */
struct metric_val {
	char name[48];
	double v;
};

/*
 * One MLflow run for the file `file' labelled `label': the --param
 * pairs, the model's metadata, the tool's own params own[0..nown) (NULL
 * values left out) and the numbers mv[0..nmv).
 */
static void
log_run(const struct opts *o, const char *label, const char *file,
    unsigned nfiles, const char *model, const struct rs_meta *own,
    unsigned nown, const struct metric_val *mv, unsigned nmv)
{
	const char *against = o->truth != NULL ? o->truth : o->requests;
	struct rs_mlflow_run *run;
	struct rs_reader *mr = NULL;
	struct rs_error err;
	struct rs_textout mt;
	char *name, *seed, **keys = NULL, *key;
	const char *val;
	const char *user = getenv("USER"), *k, *v;
	unsigned nkeys = 0, i, j, m;
	int64_t t0 = now_ms();
	int fd = -1;

	if (user == NULL)
		user = getenv("LOGNAME");
	if (o->run_name == NULL)
		name = xstrdup(label);
	else if (nfiles == 1)
		name = xstrdup(o->run_name);
	else {
		size_t n = strlen(o->run_name) + strlen(label) + 2;

		name = xmalloc(n);
		snprintf(name, n, "%s-%s", o->run_name, label);
	}
	{
		size_t n = strlen(label) + strlen(file) + strlen(against) + 3;

		seed = xmalloc(n);
		snprintf(seed, n, "%s\n%s\n%s", label, file, against);
	}
	if (rs_mlflow_run_start(&run, o->mlflow, o->experiment, name, user,
	    seed, t0, &err) < 0)
		die_err(&err);
	/* --param first: it overrides the model's metadata. */
	for (i = 0; i < o->nparams; i++) {
		const char *eq = strchr(o->params[i], '=');
		size_t n = (size_t)(eq - o->params[i]);

		key = xmalloc(n + 1);
		memcpy(key, o->params[i], n);
		key[n] = '\0';
		if (!seen_key(keys, nkeys, key) &&
		    rs_mlflow_log_param(run, key, eq + 1, &err) < 0)
			die_err(&err);
		keys = xrealloc(keys, (nkeys + 1) * sizeof(*keys));
		keys[nkeys++] = key;
	}
	if (model != NULL) {
		fd = open_input(model);
		if (rs_reader_open(&mr, fd, input_name(model), &err) < 0)
			die_err(&err);
		for (m = 0; m < rs_reader_nmeta(mr); m++) {
			rs_reader_meta_at(mr, m, &k, &v);
			key = mlflow_key(k);
			if (seen_key(keys, nkeys, key)) {
				free(key);
				continue;
			}
			if (rs_mlflow_log_param(run, key, v, &err) < 0)
				die_err(&err);
			keys = xrealloc(keys, (nkeys + 1) * sizeof(*keys));
			keys[nkeys++] = key;
		}
	}
	for (i = 0; i < nown; i++)
		if (own[i].value != NULL && !seen_key(keys, nkeys, own[i].key) &&
		    rs_mlflow_log_param(run, own[i].key, own[i].value, &err) < 0)
			die_err(&err);
	for (j = 0; j < nmv; j++)
		if (!isnan(mv[j].v) && rs_mlflow_log_metric(run, mv[j].name,
		    mv[j].v, t0, 0, &err) < 0)
			die_err(&err);
	if (rs_mlflow_set_tag(run, "mlflow.source.name", "rs-eval",
	    &err) < 0 ||
	    rs_mlflow_set_tag(run, "mlflow.source.type", "LOCAL", &err) < 0 ||
	    rs_mlflow_set_tag(run, "mlflow.user", user ? user : "",
	    &err) < 0 ||
	    rs_mlflow_set_tag(run, "rs.label", label, &err) < 0)
		die_err(&err);
	if (strcmp(file, "-") == 0) {
		warnx("%s: standard input is not kept as an MLflow artifact",
		    label);
	} else {
		const char *b = strrchr(file, '/');

		if (rs_mlflow_log_artifact_file(run, b ? b + 1 : file, file,
		    &err) < 0)
			die_err(&err);
	}
	if (mr != NULL) {
		/* The model's metadata, one "key<TAB>value" line each. */
		char *path = NULL;
		size_t n = strlen(rs_mlflow_run_dir(run)) + 40;
		struct rs_outfile *out;

		path = xmalloc(n);
		snprintf(path, n, "%s/artifacts/model_meta.tsv",
		    rs_mlflow_run_dir(run));
		if (rs_outfile_open(&out, path, &err) < 0)
			die_err(&err);
		if (rs_textout_init(&mt, rs_outfile_fd(out), path) < 0)
			die("out of memory");
		for (m = 0; m < rs_reader_nmeta(mr); m++) {
			rs_reader_meta_at(mr, m, &k, &v);
			rs_textout_str(&mt, k);
			rs_textout_char(&mt, '\t');
			for (val = v; *val; val++)
				rs_textout_char(&mt, *val == '\n' ||
				    *val == '\t' ? ' ' : *val);
			rs_textout_char(&mt, '\n');
		}
		end_text(&mt, out);
		if (rs_outfile_commit(out, &err) < 0)
			die_err(&err);
		free(path);
		rs_reader_free(mr);
		close_input(fd);
	}
	if (rs_mlflow_run_end(run, now_ms(), &err) < 0)
		die_err(&err);
	verbose("%s: mlflow run %s in experiment %s", label,
	    rs_mlflow_run_id(run), rs_mlflow_experiment_id(run));
	rs_mlflow_run_free(run);
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(name);
	free(seed);
}

/* Appends the number v called name to mv[0..*n). */
static void
push_metric(struct metric_val *mv, unsigned *n, const char *name, double v)
{
	snprintf(mv[*n].name, sizeof(mv[*n].name), "%s", name);
	mv[(*n)++].v = v;
}

/* log_run for one file of the offline protocol. */
static void
log_offline_run(const struct opts *o, const struct result *res,
    unsigned nfiles, const char *model, const char *kl)
{
	const struct rs_meta own[] = {
		{ "eval.k", kl }, { "eval.label", res->label },
		{ "eval.recs", res->file }, { "eval.truth", o->truth },
		{ "eval.train", o->train }, { "eval.items", o->items }
	};
	struct metric_val *mv;
	uint64_t cnt[NCOUNTS];
	unsigned j, m, c, n = 0;

	mv = xcalloc((size_t)res->r.nk * NMETRICS + NCOUNTS, sizeof(*mv));
	for (j = 0; j < res->r.nk; j++)
		for (m = 0; m < NMETRICS; m++) {
			snprintf(mv[n].name, sizeof(mv[n].name), "%s_at_%u",
			    mname[m], res->r.at[j].k);
			mv[n++].v = metric(&res->r.at[j], (int)m);
		}
	counts(res, cnt);
	for (c = C_USERS; c < NCOUNTS; c++)
		push_metric(mv, &n, cname[c], (double)cnt[c]);
	log_run(o, res->label, res->file, nfiles, model, own,
	    sizeof(own) / sizeof(own[0]), mv, n);
	free(mv);
}

/* ---- the results ---- */

static void
print_csv(struct rs_textout *t, const struct result *res, unsigned n,
    const struct opts *o)
{
	uint64_t cnt[NCOUNTS];
	char buf[48];
	unsigned i, j, m, c;

	rs_textout_str(t, "label,file");
	for (c = 0; c < NCOUNTS; c++) {
		rs_textout_char(t, ',');
		rs_textout_str(t, cname[c]);
	}
	for (m = 0; m < NMETRICS; m++)
		for (j = 0; j < o->nk; j++) {
			snprintf(buf, sizeof(buf), ",%s_at_%u", mname[m],
			    o->k[j]);
			rs_textout_str(t, buf);
		}
	rs_textout_char(t, '\n');
	for (i = 0; i < n; i++) {
		rs_textout_csv_field(t, res[i].label, strlen(res[i].label),
		    ',');
		rs_textout_char(t, ',');
		rs_textout_csv_field(t, res[i].file, strlen(res[i].file), ',');
		counts(&res[i], cnt);
		for (c = 0; c < NCOUNTS; c++) {
			rs_textout_char(t, ',');
			rs_textout_u64(t, cnt[c]);
		}
		for (m = 0; m < NMETRICS; m++)
			for (j = 0; j < o->nk; j++) {
				rs_textout_char(t, ',');
				csv_double(t, metric(&res[i].r.at[j],
				    (int)m));
			}
		rs_textout_char(t, '\n');
	}
}

static void
print_json(struct rs_textout *t, const struct result *res, unsigned n,
    const struct opts *o)
{
	uint64_t cnt[NCOUNTS];
	char buf[64];
	unsigned i, j, m, c;
	double x;

	rs_textout_str(t, "{\"truth\": ");
	rs_replayout_json_str(t, o->truth);
	rs_textout_str(t, ", \"k\": [");
	for (j = 0; j < o->nk; j++) {
		if (j)
			rs_textout_str(t, ", ");
		rs_textout_u64(t, o->k[j]);
	}
	rs_textout_str(t, "], \"results\": [");
	for (i = 0; i < n; i++) {
		rs_textout_str(t, i ? ",\n  {" : "\n  {");
		rs_textout_str(t, "\"label\": ");
		rs_replayout_json_str(t, res[i].label);
		rs_textout_str(t, ", \"file\": ");
		rs_replayout_json_str(t, res[i].file);
		counts(&res[i], cnt);
		for (c = 0; c < NCOUNTS; c++) {
			snprintf(buf, sizeof(buf), ", \"%s\": %llu", cname[c],
			    (unsigned long long)cnt[c]);
			rs_textout_str(t, buf);
		}
		for (m = 0; m < NMETRICS; m++)
			for (j = 0; j < o->nk; j++) {
				x = metric(&res[i].r.at[j], (int)m);
				snprintf(buf, sizeof(buf), ", \"%s_at_%u\": ",
				    mname[m], o->k[j]);
				rs_textout_str(t, buf);
				if (isnan(x))
					rs_textout_str(t, "null");
				else
					csv_double(t, x);
			}
		rs_textout_char(t, '}');
	}
	rs_textout_str(t, "\n]}\n");
}

static void
print_table(struct rs_textout *t, const struct result *res, unsigned n,
    const struct opts *o)
{
	const unsigned ncol = 5 + NMETRICS * o->nk;
	char **cell, buf[64];
	size_t *w, len;
	unsigned i, j, m, c, row;

	cell = xcalloc((size_t)(n + 1) * ncol, sizeof(*cell));
	w = xcalloc(ncol, sizeof(*w));
	cell[0] = xstrdup("label");
	cell[1] = xstrdup("users");
	cell[2] = xstrdup("with_recs");
	cell[3] = xstrdup("without_recs");
	cell[4] = xstrdup("ignored");
	for (m = 0, c = 5; m < NMETRICS; m++)
		for (j = 0; j < o->nk; j++, c++) {
			snprintf(buf, sizeof(buf), "%s@%u", mshort[m], o->k[j]);
			cell[c] = xstrdup(buf);
		}
	for (i = 0; i < n; i++) {
		char **r = cell + (size_t)(i + 1) * ncol;
		uint64_t cnt[NCOUNTS];

		r[0] = xstrdup(res[i].label);
		counts(&res[i], cnt);
		for (c = C_USERS; c < NCOUNTS; c++) {
			snprintf(buf, sizeof(buf), "%llu",
			    (unsigned long long)cnt[c]);
			r[c] = xstrdup(buf);
		}
		for (m = 0, c = 5; m < NMETRICS; m++)
			for (j = 0; j < o->nk; j++, c++) {
				fmt_num(buf, sizeof(buf),
				    metric(&res[i].r.at[j], (int)m),
				    m >= M_NOVELTY ? 2 : 4);
				r[c] = xstrdup(buf);
			}
	}
	for (row = 0; row <= n; row++)
		for (c = 0; c < ncol; c++)
			if ((len = strlen(cell[(size_t)row * ncol + c])) >
			    w[c])
				w[c] = len;
	for (row = 0; row <= n; row++) {
		for (c = 0; c < ncol; c++) {
			const char *s = cell[(size_t)row * ncol + c];

			len = strlen(s);
			if (c > 0)
				rs_textout_str(t, "  ");
			if (c == 0)
				rs_textout_str(t, s);
			for (; len < w[c]; len++)
				if (c > 0 || c + 1 < ncol)
					rs_textout_char(t, ' ');
			if (c > 0)
				rs_textout_str(t, s);
		}
		rs_textout_char(t, '\n');
	}
	for (i = 0; i < (n + 1) * ncol; i++)
		free(cell[i]);
	free(cell);
	free(w);
}

/* ---- replay mode (-r) ---- */

/* Metric sums of one row of the table at each K. */
struct racc {
	char *label;
	const char *file;		/* NULL for a baseline */
	struct rs_replay_acc acc[RS_METRICS_MAXK];
	uint64_t rows, answered;
	size_t longest;
};

static void
racc_init(struct racc *a, const struct rs_replay *rp, const struct opts *o)
{
	struct rs_error err;
	unsigned j;

	for (j = 0; j < o->nk; j++)
		if (rs_replay_acc_init(&a->acc[j], rp, o->k[j], &err) < 0)
			die_err(&err);
}

static void
racc_free(struct racc *a, const struct opts *o)
{
	unsigned j;

	for (j = 0; j < o->nk; j++)
		rs_replay_acc_free(&a->acc[j]);
	free(a->label);
}

/* Index of the request with id `id', or -1 (ids ascend: rs-requests). */
static int64_t
find_request(const struct rs_replay *rp, uint64_t id)
{
	size_t lo = 0, hi = rs_replay_nrequests(rp), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rs_replay_request(rp, mid)->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rs_replay_nrequests(rp) &&
	    rs_replay_request(rp, lo)->id == id ? (int64_t)lo : -1;
}

/*
 * The baselines popular (causal counts) and recent, answered here at
 * each K exactly as rs-replay answers them.
 */
static void
score_baselines(const struct rs_replay *rp, const struct opts *o,
    struct racc *base)
{
	const size_t nq = rs_replay_nrequests(rp);
	struct rs_replay_work *w;
	struct rs_blend b;
	struct rs_row *rows;
	struct rs_error err;
	char label[128];
	size_t i;
	unsigned s, j;
	int n;

	if (rs_replay_work_create(&w, rp, &err) < 0)
		die_err(&err);
	rows = xmalloc(o->k[o->nk - 1] * sizeof(*rows));
	for (s = 0; s < 2; s++) {
		rs_blend_single(&b, s == 0 ? RS_SRC_POPULAR :
		    RS_SRC_RECENT);
		base[s].label = xstrdup(b.name);
		racc_init(&base[s], rp, o);
		snprintf(label, sizeof(label), "scoring %s", base[s].label);
		progress_start(label, "requests", nq, -1);
		for (i = 0; i < nq; i++) {
			for (j = 0; j < o->nk; j++) {
				if ((n = rs_replay_answer(rp, w, i, &b, o->k[j],
				    rows, &err)) < 0)
					die_err(&err);
				rs_replay_acc_add(&base[s].acc[j], rp, i, rows,
				    (size_t)n);
			}
			progress_add(1);
		}
		progress_end();
	}
	free(rows);
	rs_replay_work_free(w);
}

/*
 * Scores one answer file: every request once, a request without rows a
 * miss.  An answer for a request the stream does not hold is an error
 * naming the line of its first row.
 */
static void
score_answers(const struct rs_replay *rp, const struct opts *o,
    const char *path, struct racc *a)
{
	const size_t nq = rs_replay_nrequests(rp);
	struct rs_row *rows;
	struct rs_recs *recs;
	const uint64_t *items;
	int64_t *of = xmalloc((nq + 1) * sizeof(*of)), qi;
	size_t u, i, n, nrows = 0;
	unsigned j;
	char label[128];

	recs = load_recs(path, RS_RECS_BY_REQUEST);
	for (i = 0; i < nq; i++)
		of[i] = -1;
	for (u = 0; u < rs_recs_nusers(recs); u++) {
		if ((qi = find_request(rp, rs_recs_user(recs, u))) < 0)
			die("%s:%llu: request '%llu' is not in %s",
			    input_name(path),
			    (unsigned long long)rs_recs_line(recs, u),
			    (unsigned long long)rs_recs_user(recs, u),
			    input_name(o->requests));
		of[qi] = (int64_t)u;
		n = rs_recs_items(recs, u, &items);
		if (n > a->longest)
			a->longest = n;
		if (n > nrows)
			nrows = n;
	}
	rows = xcalloc(nrows + 1, sizeof(*rows));
	racc_init(a, rp, o);
	snprintf(label, sizeof(label), "scoring %s", a->label);
	progress_start(label, "requests", nq, -1);
	for (i = 0; i < nq; i++) {
		n = 0;
		if (of[i] >= 0) {
			n = rs_recs_items(recs, (size_t)of[i], &items);
			for (u = 0; u < n; u++)
				rows[u].item = items[u];
			a->answered++;
		}
		for (j = 0; j < o->nk; j++)
			rs_replay_acc_add(&a->acc[j], rp, i, rows, n);
		progress_add(1);
	}
	progress_end();
	a->rows = rs_recs_rows(recs);
	verbose("%s: %s, %llu rows, %llu of %zu requests answered, longest "
	    "answer %zu", a->label, rs_recs_format_name(rs_recs_format(recs)),
	    (unsigned long long)a->rows, (unsigned long long)a->answered, nq,
	    a->longest);
	if (a->longest < o->k[o->nk - 1] && a->longest > 0)
		warnx("%s: answers have at most %zu rows, fewer than K %u "
		    "(rs-answer -k)", input_name(path), a->longest,
		    o->k[o->nk - 1]);
	free(rows);
	free(of);
	rs_recs_free(recs);
}

static void
log_replay_run(const struct opts *o, const struct racc *a,
    const struct rs_replay *rp, unsigned nfiles, const char *model,
    const char *kl)
{
	static const char *const pre[2] = { "", "discovery_" };
	static const char *const nm[5] = { "hit_rate", "mrr", "ndcg",
	    "coverage", "novelty" };
	const struct rs_meta own[] = {
		{ "eval.k", kl }, { "eval.label", a->label },
		{ "eval.answers", a->file }, { "eval.requests", o->requests },
		{ "eval.history", o->history }, { "eval.items", o->items }
	};
	struct metric_val *mv;
	struct rs_replay_metrics mt;
	unsigned j, m, w, n = 0;

	mv = xcalloc((size_t)o->nk * 10 + 4, sizeof(*mv));
	for (j = 0; j < o->nk; j++)
		for (w = 0; w < 2; w++) {
			double v[5];

			rs_replay_acc_result(&a->acc[j], rp, (int)w, &mt);
			v[0] = mt.hit;
			v[1] = mt.mrr;
			v[2] = mt.ndcg;
			v[3] = mt.coverage;
			v[4] = mt.novelty;
			for (m = 0; m < 5; m++) {
				snprintf(mv[n].name, sizeof(mv[n].name),
				    "%s%s_at_%u", pre[w], nm[m], o->k[j]);
				mv[n++].v = v[m];
			}
		}
	push_metric(mv, &n, "requests", (double)a->acc[0].requests);
	push_metric(mv, &n, "discovery_requests",
	    (double)a->acc[0].discovery);
	push_metric(mv, &n, "answered", (double)a->answered);
	push_metric(mv, &n, "rows", (double)a->rows);
	log_run(o, a->label, a->file, nfiles, model, own,
	    sizeof(own) / sizeof(own[0]), mv, n);
	free(mv);
}

/* rs-eval -r: the whole run of the replay mode; returns the status. */
static int
run_replay(const struct opts *o, char **files, unsigned nfiles,
    const char *kl)
{
	struct rs_replay_params p;
	struct rs_replay *rp;
	struct rs_items *items = NULL;
	struct rs_request *q;
	struct rs_event *ev;
	struct rs_error err;
	struct rs_outfile *out;
	struct rs_textout t;
	struct racc *row;
	enum rs_replayout_format f;
	size_t nq, nev;
	unsigned i;

	q = load_requests(o->requests, &nq);
	ev = read_events(o->history, &nev, NULL);
	if (o->items != NULL)
		items = load_items(o->items);
	rs_replay_params_init(&p);
	p.kmax = o->k[o->nk - 1];
	if (rs_replay_create(&rp, ev, nev, &p, &err) < 0 ||
	    (items != NULL && rs_replay_set_items(rp, items, &err) < 0) ||
	    rs_replay_prepare(rp, q, nq, &err) < 0)
		die_err(&err);
	free(ev);
	free(q);

	row = xcalloc(nfiles + 2, sizeof(*row));
	score_baselines(rp, o, row);
	for (i = 0; i < nfiles; i++) {
		struct racc *a = &row[2 + i];

		a->file = files[i];
		a->label = o->nlabels ? xstrdup(o->labels[i]) :
		    default_label(files[i]);
		score_answers(rp, o, files[i], a);
	}

	f = o->fmt == FMT_CSV ? RS_REPLAYOUT_CSV : o->fmt == FMT_JSON ?
	    RS_REPLAYOUT_JSON : RS_REPLAYOUT_TABLE;
	out = open_text_output(o->output);
	begin_text(&t, out);
	rs_replayout_metrics_header(&t, f, o->k, o->nk);
	for (i = 0; i < nfiles + 2; i++)
		rs_replayout_acc(&t, f, row[i].label, rp, row[i].acc, o->k,
		    o->nk);
	end_text(&t, out);
	commit_output(out);
	/* MLflow runs last, once the results are in place (rs(7)). */
	for (i = 0; o->mlflow != NULL && i < nfiles; i++)
		log_replay_run(o, &row[2 + i], rp, nfiles, o->nmodels == 0 ?
		    NULL : o->models[o->nmodels == 1 ? 0 : i], kl);
	for (i = 0; i < nfiles + 2; i++)
		racc_free(&row[i], o);
	free(row);
	rs_replay_free(rp);
	rs_items_free(items);
	return 0;
}

int
main(int argc, char **argv)
{
	enum { OPT_EXPERIMENT = 256, OPT_ITEMS, OPT_MIN_RECALL, OPT_MLFLOW,
	    OPT_MODEL, OPT_PARAM, OPT_PER_USER, OPT_RUN_NAME, OPT_TRAIN,
	    OPT_VERSION };
	static const struct option longopts[] = {
		{ "experiment", required_argument, NULL, OPT_EXPERIMENT },
		{ "format", required_argument, NULL, 'f' },
		{ "history", required_argument, NULL, 'H' },
		{ "items", required_argument, NULL, OPT_ITEMS },
		{ "k", required_argument, NULL, 'k' },
		{ "label", required_argument, NULL, 'l' },
		{ "min-recall", required_argument, NULL, OPT_MIN_RECALL },
		{ "mlflow", required_argument, NULL, OPT_MLFLOW },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "output", required_argument, NULL, 'o' },
		{ "param", required_argument, NULL, OPT_PARAM },
		{ "per-user", required_argument, NULL, OPT_PER_USER },
		{ "requests", required_argument, NULL, 'r' },
		{ "run-name", required_argument, NULL, OPT_RUN_NAME },
		{ "train", required_argument, NULL, OPT_TRAIN },
		{ "truth", required_argument, NULL, 't' },
		COMMON_LONGOPTS(OPT_VERSION),
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct rs_csr *truth, *train = NULL;
	struct rs_eval *ev;
	struct rs_recs *recs;
	struct rs_outfile *out, *puout = NULL, *outs[2];
	struct per_user pu;
	struct rs_textout t;
	struct rs_error err;
	struct result *res;
	uint64_t *items = NULL;
	const uint64_t *catalogue = NULL;
	size_t ncat = 0;
	unsigned nfiles, i, j;
	uint64_t nvis = 0;
	char kl[RS_METRICS_MAXK * 8], label[128], *eq;
	int c, status = 0;
	clock_t cpu0 = clock();

	tool_init(argc, argv);
	memset(&o, 0, sizeof(o));
	o.nk = 3;
	o.k[0] = 5;
	o.k[1] = 10;
	o.k[2] = 20;
	while ((c = getopt_long(argc, argv, "f:H:hk:l:o:qr:t:v", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "table") == 0)
				o.fmt = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o.fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o.fmt = FMT_JSON;
			else
				usage_error(usage_text, "invalid --format "
				    "'%s': use table, csv or json", optarg);
			break;
		case 'H':
			o.history = optarg;
			break;
		case 'k':
			parse_klist_opt("--k", optarg, 100000, o.k,
			    RS_METRICS_MAXK, &o.nk, usage_text);
			o.k_set = 1;
			break;
		case 'l':
			o.labels = push(o.labels, &o.nlabels, optarg);
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'r':
			o.requests = optarg;
			break;
		case 't':
			o.truth = optarg;
			break;
		case OPT_EXPERIMENT:
			o.experiment = optarg;
			break;
		case OPT_ITEMS:
			o.items = optarg;
			break;
		case OPT_MIN_RECALL:
			parse_min_recall(&o, optarg);
			break;
		case OPT_MLFLOW:
			o.mlflow = optarg;
			break;
		case OPT_MODEL:
			o.models = push(o.models, &o.nmodels, optarg);
			break;
		case OPT_PARAM:
			eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg)
				usage_error(usage_text, "invalid --param '%s': "
				    "expected key=value", optarg);
			*eq = '\0';
			if (!rs_mlflow_key_ok(optarg))
				usage_error(usage_text, "invalid --param key "
				    "'%s': letters, digits, '_', '-', '.', "
				    "' ' only", optarg);
			*eq = '=';
			o.params = push(o.params, &o.nparams, optarg);
			break;
		case OPT_PER_USER:
			o.per_user = optarg;
			break;
		case OPT_RUN_NAME:
			o.run_name = optarg;
			break;
		case OPT_TRAIN:
			o.train = optarg;
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	nfiles = (unsigned)(argc - optind);
	if (o.requests != NULL || o.history != NULL) {
		if (o.requests == NULL || o.history == NULL)
			usage_error(usage_text, "-r requests and -H events go "
			    "together");
		if (o.truth != NULL || o.train != NULL || o.per_user != NULL ||
		    o.min_set)
			usage_error(usage_text, "%s does not go with -r "
			    "requests", o.truth ? "-t" : o.train ? "--train" :
			    o.per_user ? "--per-user" : "--min-recall");
		if (!o.k_set) {
			/* the default list length of rs-answer */
			o.nk = 1;
			o.k[0] = 10;
		} else if (o.k[o.nk - 1] > RS_REPLAY_MAX_K) {
			usage_error(usage_text, "invalid --k: %u is more than "
			    "%d with -r", o.k[o.nk - 1], RS_REPLAY_MAX_K);
		}
		if (nfiles == 0)
			usage_error(usage_text, "no answer file given");
	} else if (o.truth == NULL) {
		usage_error(usage_text, "no ground truth: give -t matrix");
	}
	if (nfiles == 0)
		usage_error(usage_text, "no recommendation file given");
	if (o.nlabels > 0 && o.nlabels != nfiles)
		usage_error(usage_text, "%u label(s) for %u recommendation "
		    "file(s)", o.nlabels, nfiles);
	if (o.nmodels > 1 && o.nmodels != nfiles)
		usage_error(usage_text, "%u --model file(s) for %u "
		    "recommendation file(s): give one, or one per file",
		    o.nmodels, nfiles);
	if (o.mlflow == NULL && (o.experiment || o.run_name || o.nmodels ||
	    o.nparams))
		usage_error(usage_text, "--experiment, --run-name, --model and "
		    "--param need --mlflow");
	if (o.min_set) {
		for (j = 0; j < o.nk && o.k[j] != o.min_k; j++)
			;
		if (j == o.nk)
			usage_error(usage_text, "--min-recall K %u is not one "
			    "of the cut-offs (-k)", o.min_k);
	}
	for (j = 0, c = 0; j < nfiles; j++)
		c += strcmp(argv[optind + (int)j], "-") == 0;
	if (o.truth != NULL)
		c += strcmp(o.truth, "-") == 0;
	else
		c += (strcmp(o.requests, "-") == 0) +
		    (strcmp(o.history, "-") == 0);
	if (c > 1)
		usage_error(usage_text, "standard input can be read once only");
	kl[0] = '\0';
	for (j = 0; j < o.nk; j++)
		snprintf(kl + strlen(kl), sizeof(kl) - strlen(kl), "%s%u",
		    j ? "," : "", o.k[j]);
	if (o.requests != NULL) {
		status = run_replay(&o, argv + optind, nfiles, kl);
		free(o.labels);
		free(o.models);
		free(o.params);
		return status;
	}

	truth = load_matrix(o.truth);
	if (o.train != NULL) {
		train = load_matrix(o.train);
		catalogue = train->col_ids;
		ncat = train->ncols;
	}
	if (o.items != NULL)
		catalogue = items = load_catalogue(o.items, &ncat);
	verbose("truth: %u visitors, %llu entries; catalogue %zu items",
	    truth->nrows, (unsigned long long)truth->nnz, ncat);
	/* the visitors rs_eval_run scores: those with a truth entry */
	for (i = 0; i < truth->nrows; i++)
		nvis += truth->indptr[i + 1] > truth->indptr[i];
	if (rs_eval_create(&ev, truth, train, catalogue, ncat, o.k, o.nk,
	    &err) < 0)
		die_err(&err);

	out = open_text_output(o.output);
	begin_text(&t, out);
	memset(&pu, 0, sizeof(pu));
	if (o.per_user != NULL) {
		puout = open_text_output(o.per_user);
		pu.on = 1;
		begin_text(&pu.t, puout);
		pu.nk = o.nk;
		per_user_header(&pu, o.k);
	}
	res = xcalloc(nfiles, sizeof(*res));
	for (i = 0; i < nfiles; i++) {
		const char *path = argv[optind + (int)i];

		res[i].file = path;
		res[i].label = o.nlabels ? xstrdup(o.labels[i]) :
		    default_label(path);
		recs = load_recs(path, RS_RECS_BY_USER);
		res[i].rows = rs_recs_rows(recs);
		pu.label = res[i].label;
		snprintf(label, sizeof(label), "scoring %s", res[i].label);
		progress_start(label, "visitors", nvis, -1);
		if (rs_eval_run(ev, recs, score_user, &pu, &res[i].r,
		    &err) < 0)
			die_err(&err);
		progress_end();
		verbose("%s: %s, %llu rows, %zu users; %llu in the truth, "
		    "%llu without recommendations, %llu ignored",
		    res[i].label, rs_recs_format_name(rs_recs_format(recs)),
		    (unsigned long long)res[i].rows, rs_recs_nusers(recs),
		    (unsigned long long)res[i].r.users,
		    (unsigned long long)res[i].r.without_recs,
		    (unsigned long long)res[i].r.ignored);
		rs_recs_free(recs);
	}
	switch (o.fmt) {
	case FMT_CSV:
		print_csv(&t, res, nfiles, &o);
		break;
	case FMT_JSON:
		print_json(&t, res, nfiles, &o);
		break;
	default:
		print_table(&t, res, nfiles, &o);
	}
	/*
	 * Both outputs are written in full before either is committed, and
	 * the MLflow runs come after both: a run that fails anywhere
	 * replaces no file and logs no run (rs(7)).
	 */
	outs[0] = out;
	outs[1] = puout;
	if (rs_textout_flush(&t, &err) < 0 || (puout != NULL &&
	    rs_textout_flush(&pu.t, &err) < 0)) {
		abort_outputs(outs, 2);
		die_err(&err);
	}
	rs_textout_release(&t);
	if (puout != NULL)
		rs_textout_release(&pu.t);
	commit_outputs(outs, 2);
	for (i = 0; o.mlflow != NULL && i < nfiles; i++)
		log_offline_run(&o, &res[i], nfiles, o.nmodels == 0 ?
		    NULL : o.models[o.nmodels == 1 ? 0 : i], kl);
	if (o.min_set) {
		const struct result *last = &res[nfiles - 1];

		for (j = 0; o.k[j] != o.min_k; j++)
			;
		if (!(last->r.at[j].recall >= o.min_x)) {
			fprintf(stderr, "%s: recall@%u of '%s' is %.6f, below "
			    "%g\n", progname, o.min_k, last->label,
			    last->r.at[j].recall, o.min_x);
			status = EXIT_BELOW;
		}
	}
	verbose("%.2f s CPU", (double)(clock() - cpu0) / CLOCKS_PER_SEC);
	for (i = 0; i < nfiles; i++)
		free(res[i].label);
	free(res);
	rs_eval_free(ev);
	rs_csr_free(truth);
	rs_csr_free(train);
	free(items);
	free(o.labels);
	free(o.models);
	free(o.params);
	return status;
}
