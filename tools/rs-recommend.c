/*
 * rs-recommend - top-K recommendations per visitor, or similar items per
 * item, from an ALS or popular model.
 *
 * Visitors come from an id file (or standard input), --all, or the rows of
 * a matrix (--users-from); --shard i/n keeps every n-th.  Every answer is
 * the engine's (lib/engine.c): a visitor is a query at the end of time
 * with its --recent events as visible events, its exclusion matrices'
 * rows as exclusion list and its --train row as fold-in history, answered
 * with the blend of the mode (the model's list; online:1 before it with
 * --recent; popular:0 after it with --fallback).  This file builds the
 * queries, runs batches on threads in rounds and prints the rows in input
 * order.
 *
 * --similar --all -f rsk writes the same lists, of every model item with
 * no filter, as the neighbours table (engine.h, rs_engine_set_neighbors)
 * that --similar-table gives the engine back.
 *
 * The requests of a replay are rs-answer's; for the command lines written
 * before it existed, rs-recommend -r/-H runs rs-answer (answer_alias).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "progress.h"
#include "replayout.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-recommend [-aqv] [--fold-in] [--similar] [-f format] "
    "[-k k]\n"
    "       [-o file] [-t threads] [-w weights] [--at time]\n"
    "       [--exclude-bought matrix] [--exclude-items file]\n"
    "       [--exclude-seen matrix] [--fallback model] [--items items]\n"
    "       [--only-items file] [--recent events] [--recent-n n] "
    "[--shard i/n]\n"
    "       [--similar-table table] [--train matrix] [--users-from matrix]\n"
    "       -m model [ids]\n";

static void
help(void)
{
	printf("%s", usage_text);
	printf("Recommend the top K items per visitor, or similar items.\n\n"
	    "  -a, --all                every visitor of the model (with "
	    "--similar:\n"
	    "                           every item)\n"
	    "      --at TIME            answer as of TIME: only --recent "
	    "events before\n"
	    "                           it count (ms, ISO date, end or "
	    "end-14d)\n"
	    "      --exclude-bought M   never recommend a visitor an item of "
	    "its row\n"
	    "                           of purchase matrix M\n"
	    "      --exclude-items FILE never recommend these item ids\n"
	    "      --exclude-seen M     never recommend an item of the "
	    "visitor's row of M\n"
	    "      --fallback MODEL     popular model for visitors unknown "
	    "to the model\n"
	    "      --fold-in            recompute a visitor's factors from "
	    "--train\n"
	    "                           history plus --recent events\n"
	    "  -f, --format FMT         csv (default), tsv or jsonl; rsk: "
	    "with --similar\n"
	    "                           --all, the neighbours table "
	    "(a stream)\n"
	    "      --items ITEMS        only items available in this item "
	    "table\n"
	    "  -k, --k K                rows per visitor, 1 to 10000 "
	    "(default 10;\n"
	    "                           50 with -f rsk)\n"
	    "  -m, --model MODEL        the model (als or popular)\n"
	    "      --only-items FILE    recommend only these item ids\n"
	    "  -o, --output FILE        write to FILE (atomically), not "
	    "stdout\n"
	    "  -q, --quiet              no warnings or progress\n"
	    "      --recent EVENTS      blend items similar to each visitor's "
	    "latest\n"
	    "                           events of this event stream\n"
	    "      --recent-n N         distinct recent items blended "
	    "(default 5)\n"
	    "      --shard I/N          only visitors I, I+N, I+2N, ... "
	    "(0 <= I < N)\n"
	    "      --similar            ids are items: print their most "
	    "similar items\n"
	    "      --similar-table T    answer --similar from the neighbours "
	    "table T\n"
	    "                           (-f rsk), scanning only where it "
	    "cannot\n"
	    "  -t, --threads N          worker threads (default 1)\n"
	    "      --train M            visitor history for --fold-in\n"
	    "      --users-from M       the visitors are the rows of matrix "
	    "M\n"
	    "  -v, --verbose            timings and counts on stderr\n"
	    "  -w, --weights LIST       event weights for --fold-in "
	    "(default\n"
	    "                           view=1,addtocart=5,transaction=3)\n"
	    "  -h, --help               this help\n"
	    "      --version            print the version\n\n"
	    "ids is a file of visitor (or item) ids, one per line; with no "
	    "ids,\n"
	    "--all or --users-from, or when ids is -, read standard input.\n"
	    "The requests of a replay are answered by rs-answer(1).\n");
	close_stdout();
	exit(0);
}

enum fmt { FMT_CSV, FMT_TSV, FMT_JSONL, FMT_RSK };

enum {
	OPT_AT = 256, OPT_EXCLUDE_BOUGHT, OPT_EXCLUDE_ITEMS, OPT_EXCLUDE_SEEN,
	OPT_FALLBACK, OPT_FOLD_IN, OPT_ITEMS, OPT_ONLY_ITEMS, OPT_RECENT,
	OPT_RECENT_N, OPT_SHARD, OPT_SIMILAR, OPT_SIMILAR_TABLE, OPT_TRAIN,
	OPT_USERS_FROM, OPT_VERSION
};

struct opts {
	int all, similar, fold_in;
	enum fmt fmt;
	unsigned threads;
	uint64_t shard_i, shard_n;
	const char *model, *fallback, *items, *only_items;
	const char *exclude_items, *bought, *seen, *recent, *train;
	const char *users_from, *ids, *output;
	const char *table;		/* --similar-table */
	unsigned k;			/* rows per visitor; 10 (rsk: 50) */
	unsigned recent_n;		/* --recent-n; 5 */
	double weights[RS_EV_NTYPES];
	struct rs_bound at;		/* --at; unset: the end of time */
};

/* ---- the request mode, now rs-answer ---- */

/*
 * 1 if arg is one of rs-recommend's old request-mode options: -r,
 * --requests, -H, --history, alone or with the file attached (-rFILE,
 * --requests=FILE, ...).
 */
static int
is_request_opt(const char *arg)
{
	static const char *const longs[] = { "--requests", "--history" };
	size_t i, n;

	if ((arg[0] == '-' && (arg[1] == 'r' || arg[1] == 'H')))
		return 1;
	for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
		n = strlen(longs[i]);
		if (strncmp(arg, longs[i], n) == 0 &&
		    (arg[n] == '\0' || arg[n] == '='))
			return 1;
	}
	return 0;
}

/*
 * Until rs-answer existed, rs-recommend -r requests -H events was the
 * answering half of the replay; scripts (scripts/rs-retrain among them)
 * still say so.  When argv holds one of those options, run rs-answer
 * with the same arguments: its options take every name the old mode
 * took (--blend, --knn, -k and --count, -m twice).  rs-answer is looked
 * for beside this program first, so that a build tree or an install
 * runs its own copy, then on PATH.  Returns only if argv has no such
 * option.
 */
static void
answer_alias(char **argv)
{
	static char answer[] = "rs-answer";
	char self[4096], *slash;
	ssize_t n;
	int i;

	for (i = 1; argv[i] != NULL && strcmp(argv[i], "--") != 0; i++)
		if (is_request_opt(argv[i]))
			break;
	if (argv[i] == NULL || strcmp(argv[i], "--") == 0)
		return;
	/* The name alone, as a shell gives it: getopt's messages use it. */
	argv[0] = answer;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0 && (size_t)n + sizeof(answer) < sizeof(self)) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			memcpy(slash + 1, answer, sizeof(answer));
			execv(self, argv);
		}
	}
	execvp(answer, argv);
	die_errno("cannot run rs-answer, which answers -r requests now");
}

/* ---- inputs ---- */

/*
 * Reads ids, one per line (surrounding blanks and a CR allowed, empty
 * lines skipped, a UTF-8 byte order mark before the first line skipped:
 * editors on Windows write one); dies naming the line of one that is not
 * an integer or is out of range.  2^64 - 1 is out of range, as in
 * rs-load: it is RS_ID_NONE, "no id", in the streams.
 */
static uint64_t *
read_ids(const char *path, const char *what, size_t *n)
{
	const char *name = input_name(path);
	char *buf = NULL, *p, *e, *end, *line, *stop;
	size_t len = 0, cap = 0, cnt = 0, idcap = 0, lineno = 0;
	uint64_t *ids = NULL, v;
	ssize_t got;
	int fd = begin_input(path);

	for (;;) {
		if (len + 65536 + 1 > cap) {
			cap = (len + 65536 + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		if ((got = read(fd, buf + len, cap - len - 1)) < 0)
			die_errno("%s", name);
		if (got == 0)
			break;
		len += (size_t)got;
	}
	end_input(fd);
	buf = xrealloc(buf, len + 1);
	buf[len] = '\0';
	p = buf;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (; p < buf + len; p = end + 1) {
		lineno++;
		if ((end = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			end = buf + len;
		*end = '\0';
		line = p;
		while (*line == ' ' || *line == '\t')
			line++;
		for (e = end; e > line && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\r'); e--)
			;
		*e = '\0';
		if (*line == '\0')
			continue;
		errno = 0;
		if (*line < '0' || *line > '9' ||
		    (v = strtoull(line, &stop, 10), stop != e))
			die("%s:%zu: %s id '%.40s' is not an integer", name,
			    lineno, what, line);
		if (errno == ERANGE || v == RS_ID_NONE)
			die("%s:%zu: %s id '%.40s' is out of range", name,
			    lineno, what, line);
		if (cnt == idcap) {
			idcap = idcap ? idcap * 2 : 1024;
			ids = xrealloc(ids, idcap * sizeof(*ids));
		}
		ids[cnt++] = v;
	}
	free(buf);
	*n = cnt;
	return ids;
}

struct recent {
	struct rs_event *ev;	/* sorted by visitor, then time, then order */
	size_t n;
};

static int
cmp_event(const void *a, const void *b)
{
	const struct rs_event *x = a, *y = b;

	if (x->visitor != y->visitor)
		return x->visitor < y->visitor ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* txn holds the stream position while sorting (stable). */
	return x->txn < y->txn ? -1 : x->txn > y->txn;
}

static void
read_recent(const char *path, struct recent *rc)
{
	struct rs_reader *r;
	struct rs_error err;
	struct rs_block b;
	size_t cap = 0, i;
	int fd, rv;

	r = open_stream(path, &fd);
	if (rs_reader_expect(r, RS_KIND_EVENTS, &err) < 0 ||
	    rs_records_check(rs_reader_table(r, 0), RS_KIND_EVENTS,
	    input_name(path), &err) < 0)
		die_err(&err);
	rc->ev = NULL;
	rc->n = 0;
	while ((rv = rs_reader_next(r, &b, &err)) != 0 || !rs_reader_done(r)) {
		if (rv < 0)
			die_err(&err);
		if (rv == 0)
			continue;
		if (rc->n + b.nrec > cap) {
			cap = (rc->n + b.nrec) * 2;
			rc->ev = xrealloc(rc->ev, cap * sizeof(*rc->ev));
		}
		for (i = 0; i < b.nrec; i++) {
			rs_event_decode(b.data + i * RS_EVENT_WIDTH,
			    &rc->ev[rc->n]);
			rc->ev[rc->n].txn = rc->n;
			rc->n++;
		}
	}
	close_stream(r, fd);
	qsort(rc->ev, rc->n, sizeof(*rc->ev), cmp_event);
}

/* The events of visitor v (time order), or none. */
static const struct rs_event *
recent_of(const struct recent *rc, uint64_t v, size_t *n)
{
	size_t lo = 0, hi = rc->n, mid, s;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rc->ev[mid].visitor < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (s = lo; s < rc->n && rc->ev[s].visitor == v; s++)
		;
	*n = s - lo;
	return *n ? rc->ev + lo : NULL;
}

/*
 * Interns matrix c's items into the engine (cmap[col] = their index) and
 * warns how well its ids match the model (als: visitors and items).
 */
static int64_t *
intern_matrix(struct rs_engine *e, const struct rs_model *m,
    const char *path, const struct rs_csr *c)
{
	int64_t *cmap = xmalloc((c->ncols + 1) * sizeof(*cmap));
	uint64_t i, cu = 0, ru = 0;

	for (i = 0; i < c->ncols; i++)
		if ((cmap[i] = rs_engine_intern(e, c->col_ids[i])) < 0)
			die("out of memory");
	cu = rs_ids_count_missing(c->col_ids, c->ncols, rs_model_item_ids(m),
	    rs_model_nitems(m));
	if (rs_model_kind(m) == RS_MODEL_ALS)
		ru = rs_ids_count_missing(c->row_ids, c->nrows,
		    rs_model_user_ids(m), rs_model_nusers(m));
	if (cu > 0)
		warnx("%s: %llu of %llu items are not in the model (ignored)",
		    path, (unsigned long long)cu,
		    (unsigned long long)c->ncols);
	if (ru > 0)
		warnx("%s: %llu of %llu visitors are not in the model",
		    path, (unsigned long long)ru,
		    (unsigned long long)c->nrows);
	return cmap;
}

/* The matrices of --exclude-bought, --exclude-seen and --train. */
struct matrices {
	const char *path[3];
	struct rs_csr *m[3];
};

static void *
load_matrices(void *arg)
{
	struct matrices *mt = arg;
	int i;

	for (i = 0; i < 3; i++)
		if (mt->path[i] != NULL)
			mt->m[i] = load_matrix(mt->path[i]);
	return NULL;
}

/* ---- the run ---- */

struct job {
	const struct rs_engine *e;
	struct rs_engine_work *w;
	const struct rs_blend *b;
	const struct rs_engine_query *q;	/* the round's queries */
	size_t nq, k, first, step;	/* batches first, first + step, ... */
	int similar, als;
	struct rs_row *rows;
	size_t *counts;
	struct rs_error err;
	int rc;
};

static void *
run_job(void *arg)
{
	struct job *j = arg;
	uint64_t ids[RS_ENGINE_BATCH];
	size_t b, s, n, i;
	int got;

	for (b = j->first; b * RS_ENGINE_BATCH < j->nq; b += j->step) {
		s = b * RS_ENGINE_BATCH;
		n = j->nq - s < RS_ENGINE_BATCH ? j->nq - s : RS_ENGINE_BATCH;
		if (j->similar) {
			for (i = 0; i < n; i++)
				ids[i] = j->q[s + i].visitor;
			if ((j->rc = rs_engine_similar_prefetch(j->e, j->w,
			    ids, n, INT64_MAX, &j->err)) < 0)
				return NULL;
		} else if (j->als &&
		    (j->rc = rs_engine_prefetch(j->e, j->w, j->q + s, n,
		    &j->err)) < 0) {
			return NULL;
		}
		for (i = s; i < s + n; i++) {
			got = j->similar ? rs_engine_similar(j->e, j->w,
			    j->q[i].visitor, INT64_MAX, (unsigned)j->k,
			    j->rows + i * j->k, &j->err) :
			    rs_engine_answer(j->e, j->w, &j->q[i], j->b,
			    (unsigned)j->k, j->rows + i * j->k, &j->err);
			if (got < 0) {
				j->rc = got;
				return NULL;
			}
			j->counts[i] = (size_t)got;
		}
		progress_add(n);
	}
	return NULL;
}

static void
print_header(struct rs_textout *t, const struct opts *o)
{
	const char *who = o->similar ? "query" : "user";

	if (o->fmt == FMT_JSONL)
		return;
	rs_textout_str(t, who);
	rs_textout_str(t, o->fmt == FMT_CSV ? ",item,rank,score,source\n" :
	    "\titem\trank\tscore\tsource\n");
}

static enum rs_replayout_format
out_format(const struct opts *o)
{
	return o->fmt == FMT_TSV ? RS_REPLAYOUT_TSV : o->fmt == FMT_JSONL ?
	    RS_REPLAYOUT_JSON : RS_REPLAYOUT_CSV;
}

static void
print_rows(struct rs_textout *t, const struct opts *o, uint64_t who,
    const struct rs_row *rows, size_t n)
{
	const char *const key = o->similar ? "query" : "user";
	size_t i;

	for (i = 0; i < n; i++)
		rs_replayout_row(t, out_format(o), &key, &who, 1, rows[i].item,
		    i + 1, rows[i].score, rs_source_name(rows[i].source));
}

/* What the visitors' answers were made of (verbose summary). */
struct vstats {
	uint64_t known, folded, cold, blended, empty, scored, full;
	uint64_t table, scanned;	/* similar lists */
};

/*
 * The rows r[0..n) of query item id as its list in the neighbours table
 * tab, as model rows (nb and sc: room for n).
 */
static void
add_list(struct rs_itemknn *tab, const struct rs_model *m, uint64_t id,
    const struct rs_row *r, size_t n, uint32_t *nb, float *sc)
{
	struct rs_error err;
	int64_t row = rs_model_find_item(m, id), nrow;
	size_t i;

	/* no filter, every query a model item: als rows only */
	for (i = 0; i < n; i++) {
		if (row < 0 || (nrow = rs_model_find_item(m, r[i].item)) < 0 ||
		    r[i].source != RS_SRC_ALS)
			die("item %llu: a list that is not the model's",
			    (unsigned long long)id);
		nb[i] = (uint32_t)nrow;
		sc[i] = r[i].score;
	}
	if (rs_itemknn_add(tab, (uint32_t)row, nb, sc, (uint32_t)n, &err) < 0)
		die_err(&err);
}

/*
 * Answers the queries in rounds of threads x 4 batches of
 * RS_ENGINE_BATCH: thread t takes batches t, t + threads, ...; the main
 * thread then prints the round in order (or, with tab, adds the lists
 * of model m's items to the neighbours table).  An answer never depends
 * on its batch (engine.h), so neither does the output on the thread
 * count.
 */
static void
run(const struct opts *o, const struct rs_engine *e, const struct rs_blend *b,
    const struct rs_engine_query *q, size_t nq, struct rs_textout *t,
    struct rs_itemknn *tab, const struct rs_model *m, struct vstats *st)
{
	uint32_t *nb = xmalloc(o->k * sizeof(*nb));
	float *sc = xmalloc(o->k * sizeof(*sc));
	const size_t k = o->k, round = RS_ENGINE_BATCH * o->threads * 4;
	size_t r0, n, i, c, cap = nq < round ? nq : round;
	struct rs_row *rows = xmalloc((cap ? cap : 1) * k * sizeof(*rows));
	size_t *counts = xmalloc((cap ? cap : 1) * sizeof(*counts));
	struct job *jobs = xcalloc(o->threads, sizeof(*jobs));
	struct rs_error err;
	uint64_t folded, trained, full, table, scanned;
	unsigned j;

	memset(st, 0, sizeof(*st));
	for (j = 0; j < o->threads; j++)
		if (rs_engine_work_create(&jobs[j].w, e, &err) < 0)
			die_err(&err);
	progress_start("recommending", o->similar ? "items" : "visitors", nq,
	    -1);
	if (tab == NULL)
		print_header(t, o);
	for (r0 = 0; r0 < nq; r0 += n) {
		n = nq - r0 < round ? nq - r0 : round;
		for (j = 0; j < o->threads; j++) {
			jobs[j].e = e;
			jobs[j].b = b;
			jobs[j].q = q + r0;
			jobs[j].nq = n;
			jobs[j].k = k;
			jobs[j].first = j;
			jobs[j].step = o->threads;
			jobs[j].similar = o->similar;
			jobs[j].als = rs_blend_has(b, RS_SRC_ALS);
			jobs[j].rows = rows;
			jobs[j].counts = counts;
			jobs[j].rc = 0;
		}
		run_jobs(run_job, jobs, sizeof(*jobs), o->threads);
		for (j = 0; j < o->threads; j++)
			if (jobs[j].rc < 0)
				die_err(&jobs[j].err);
		for (i = 0; i < n; i++) {
			const struct rs_row *r = rows + i * k;
			int on = 0, pop = 0;

			if (tab != NULL)
				add_list(tab, m, q[r0 + i].visitor, r,
				    counts[i], nb, sc);
			else
				print_rows(t, o, q[r0 + i].visitor, r,
				    counts[i]);
			for (c = 0; c < counts[i]; c++) {
				on |= r[c].source == RS_SRC_ONLINE;
				pop |= r[c].source == RS_SRC_POPULAR;
			}
			st->blended += (uint64_t)on;
			st->cold += (uint64_t)pop;
			st->empty += counts[i] == 0;
		}
		if (tab == NULL && t->err == 0 && t->len > (1u << 20) &&
		    rs_textout_flush(t, &err) < 0)
			die_err(&err);
	}
	progress_end();
	for (j = 0; j < o->threads; j++) {
		rs_engine_counts(jobs[j].w, &folded, &trained, &full);
		st->full += full;
		st->folded += folded;
		st->known += folded + trained;
		st->scored += rs_engine_als_scored(jobs[j].w);
		rs_engine_similar_counts(jobs[j].w, &table, &scanned);
		st->table += table;
		st->scanned += scanned;
		rs_engine_work_free(jobs[j].w);
	}
	free(nb);
	free(sc);
	free(rows);
	free(counts);
	free(jobs);
}

static void
parse_shard(struct opts *o, const char *arg)
{
	unsigned long long i, n;
	char *end;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9' ||
	    (i = strtoull(arg, &end, 10), errno != 0) || *end != '/' ||
	    end[1] < '0' || end[1] > '9' ||
	    (n = strtoull(end + 1, &end, 10), errno != 0) || *end != '\0')
		usage_error(usage_text, "invalid --shard '%s': use i/n, "
		    "e.g. 0/4", arg);
	if (n < 1 || i >= n || n > UINT32_MAX)
		usage_error(usage_text, "invalid --shard '%s': need "
		    "0 <= i < n", arg);
	o->shard_i = i;
	o->shard_n = n;
}

/* The visitor (or item) ids to answer, before sharding. */
static uint64_t *
query_ids(const struct opts *o, const struct rs_model *m, size_t *n)
{
	const uint64_t *src;
	struct rs_csr *u;
	uint64_t *ids;

	if (o->all) {
		if (o->similar) {
			*n = rs_model_nitems(m);
			src = rs_model_item_ids(m);
		} else {
			if (rs_model_kind(m) != RS_MODEL_ALS)
				die("%s: --all needs an als model (a popular "
				    "model has no visitors)", o->model);
			*n = rs_model_nusers(m);
			src = rs_model_user_ids(m);
		}
		ids = xmalloc((*n + 1) * sizeof(*ids));
		memcpy(ids, src, *n * sizeof(*ids));
		return ids;
	}
	if (o->users_from) {
		u = load_matrix(o->users_from);
		*n = u->nrows;
		ids = xmalloc((*n + 1) * sizeof(*ids));
		memcpy(ids, u->row_ids, *n * sizeof(*ids));
		rs_csr_free(u);
		return ids;
	}
	return read_ids(o->ids, o->similar ? "item" : "visitor", n);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "at", required_argument, NULL, OPT_AT },
		/* --count: the name of -k before every tool said --k */
		{ "count", required_argument, NULL, 'k' },
		{ "exclude-bought", required_argument, NULL,
		    OPT_EXCLUDE_BOUGHT },
		{ "exclude-items", required_argument, NULL, OPT_EXCLUDE_ITEMS },
		{ "exclude-seen", required_argument, NULL, OPT_EXCLUDE_SEEN },
		{ "fallback", required_argument, NULL, OPT_FALLBACK },
		{ "fold-in", no_argument, NULL, OPT_FOLD_IN },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "items", required_argument, NULL, OPT_ITEMS },
		{ "k", required_argument, NULL, 'k' },
		{ "model", required_argument, NULL, 'm' },
		{ "only-items", required_argument, NULL, OPT_ONLY_ITEMS },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "recent", required_argument, NULL, OPT_RECENT },
		{ "recent-n", required_argument, NULL, OPT_RECENT_N },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "similar", no_argument, NULL, OPT_SIMILAR },
		{ "similar-table", required_argument, NULL,
		    OPT_SIMILAR_TABLE },
		{ "threads", required_argument, NULL, 't' },
		{ "train", required_argument, NULL, OPT_TRAIN },
		{ "users-from", required_argument, NULL, OPT_USERS_FROM },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "weights", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	int c, sources, k_set = 0;

	while ((c = getopt_long(argc, argv, "af:hk:m:o:qt:vw:",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = 1;
			break;
		case OPT_AT:
			parse_bound_opt("--at", optarg, &o->at, usage_text);
			break;
		case OPT_EXCLUDE_BOUGHT:
			o->bought = optarg;
			break;
		case OPT_EXCLUDE_ITEMS:
			o->exclude_items = optarg;
			break;
		case OPT_EXCLUDE_SEEN:
			o->seen = optarg;
			break;
		case OPT_FALLBACK:
			o->fallback = optarg;
			break;
		case OPT_FOLD_IN:
			o->fold_in = 1;
			break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				o->fmt = FMT_CSV;
			else if (strcmp(optarg, "tsv") == 0)
				o->fmt = FMT_TSV;
			else if (strcmp(optarg, "jsonl") == 0)
				o->fmt = FMT_JSONL;
			else if (strcmp(optarg, "rsk") == 0)
				o->fmt = FMT_RSK;
			else
				usage_error(usage_text, "invalid --format "
				    "'%s': use csv, tsv, jsonl or rsk", optarg);
			break;
		case OPT_ITEMS:
			o->items = optarg;
			break;
		case 'k':
			o->k = (unsigned)parse_u64("--k", optarg, 1,
			    RS_ENGINE_MAX_K, usage_text);
			k_set = 1;
			break;
		case 'm':
			if (o->model != NULL)
				usage_error(usage_text, "-m given twice");
			o->model = optarg;
			break;
		case OPT_ONLY_ITEMS:
			o->only_items = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_RECENT:
			o->recent = optarg;
			break;
		case OPT_RECENT_N:
			o->recent_n = (unsigned)parse_u64("--recent-n",
			    optarg, 1, 1000, usage_text);
			break;
		case OPT_SHARD:
			parse_shard(o, optarg);
			break;
		case OPT_SIMILAR:
			o->similar = 1;
			break;
		case OPT_SIMILAR_TABLE:
			o->table = optarg;
			break;
		case 't':
			o->threads = (unsigned)parse_u64("--threads", optarg,
			    1, 256, usage_text);
			break;
		case OPT_TRAIN:
			o->train = optarg;
			break;
		case OPT_USERS_FROM:
			o->users_from = optarg;
			break;
		case 'w':
			parse_weights_opt("--weights", optarg, o->weights,
			    usage_text);
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	if (argc - optind > 1)
		usage_error(usage_text, "too many operands");
	o->ids = optind < argc ? argv[optind] : NULL;
	if (o->model == NULL)
		usage_error(usage_text, "no model: give -m model");
	sources = o->all + (o->users_from != NULL) + (o->ids != NULL);
	if (sources > 1)
		usage_error(usage_text, "give only one of ids, --all and "
		    "--users-from");
	if (o->similar && (o->users_from || o->recent || o->fold_in ||
	    o->bought || o->seen || o->train))
		usage_error(usage_text, "--similar takes item ids: no "
		    "--users-from, --recent, --fold-in, --train or "
		    "per-visitor exclusions");
	if (o->fold_in && o->recent == NULL)
		usage_error(usage_text, "--fold-in needs --recent events");
	if (o->at.set && o->recent == NULL)
		usage_error(usage_text, "--at selects --recent events: give "
		    "--recent");
	if (o->train && !o->fold_in)
		usage_error(usage_text, "--train is the history of --fold-in");
	if (o->table && !o->similar)
		usage_error(usage_text, "--similar-table answers --similar");
	if (o->fmt == FMT_RSK && !(o->similar && o->all))
		usage_error(usage_text, "-f rsk writes the neighbours table of "
		    "every model item: give --similar and --all");
	/* the table holds the lists with no filter, of every item */
	if (o->fmt == FMT_RSK && (o->items || o->only_items ||
	    o->exclude_items || o->shard_n > 1 || o->table))
		usage_error(usage_text, "-f rsk takes no --items, "
		    "--only-items, --exclude-items, --shard or --similar-table");
	if (o->fmt == FMT_RSK && !k_set)
		o->k = 50;
}

/*
 * The visitors' (or items') queries: visible events from --recent, the
 * exclusion matrices' rows and the --train row, as engine indices in
 * shared arrays that the queries slice.
 */
struct inputs {
	struct recent rc;
	const struct rs_csr *ex[2], *train;
	int64_t *exmap[2], *trmap;
	uint32_t *item, *excl, *hitem;
	uint8_t *type;
	float *hw;
};

static void
build_queries(const struct opts *o, struct rs_engine *e, struct inputs *in,
    const uint64_t *ids, size_t nq, struct rs_engine_query *q)
{
	size_t i, c, nev = 0, nex = 0, nh = 0, ne, x;
	const struct rs_event *ev;
	int64_t row, g, t = INT64_MAX, end = INT64_MIN;
	unsigned m;
	uint64_t p;

	/* --at: relative to the --recent stream's last event */
	if (o->at.set) {
		for (i = 0; i < in->rc.n; i++)
			if (in->rc.ev[i].ts > end)
				end = in->rc.ev[i].ts;
		if (o->at.relative && end == INT64_MIN)
			die("%s: no events, so a relative --at has no end "
			    "to count from", input_name(o->recent));
		t = rs_bound_resolve(&o->at, end, INT64_MAX);
	}
	/* sizes first, then fill: the slices never move */
	for (i = 0; i < nq; i++) {
		if (o->recent && (ev = recent_of(&in->rc, ids[i], &ne)) !=
		    NULL)
			for (c = 0; c < ne && ev[c].ts < t; c++)
				nev++;
		for (m = 0; m < 2; m++)
			if (in->ex[m] != NULL && (row = rs_csr_find_row(
			    in->ex[m], ids[i])) >= 0)
				nex += (size_t)(in->ex[m]->indptr[row + 1] -
				    in->ex[m]->indptr[row]);
		if (in->train != NULL && (row = rs_csr_find_row(in->train,
		    ids[i])) >= 0)
			nh += (size_t)(in->train->indptr[row + 1] -
			    in->train->indptr[row]);
	}
	in->item = xmalloc((nev + 1) * sizeof(*in->item));
	in->type = xmalloc(nev + 1);
	in->excl = xmalloc((nex + 1) * sizeof(*in->excl));
	in->hitem = xmalloc((nh + 1) * sizeof(*in->hitem));
	in->hw = xmalloc((nh + 1) * sizeof(*in->hw));
	nev = nex = nh = 0;
	for (i = 0; i < nq; i++) {
		struct rs_engine_query *qq = &q[i];

		memset(qq, 0, sizeof(*qq));
		qq->key = (uint64_t)i + 1;
		qq->visitor = ids[i];
		qq->t = t;
		qq->keep_trained = in->train == NULL;
		qq->item = in->item + nev;
		qq->type = in->type + nev;
		if (o->recent && (ev = recent_of(&in->rc, ids[i], &ne)) !=
		    NULL)
			for (c = 0; c < ne && ev[c].ts < t; c++) {
				if ((g = rs_engine_find(e, ev[c].item)) < 0)
					continue;
				in->item[nev] = (uint32_t)g;
				in->type[nev++] = ev[c].type;
				qq->n++;
			}
		qq->exclude = in->excl + nex;
		for (m = 0; m < 2; m++) {
			const struct rs_csr *x_ = in->ex[m];

			if (x_ == NULL || (row = rs_csr_find_row(x_, ids[i])) < 0)
				continue;
			for (p = x_->indptr[row]; p < x_->indptr[row + 1]; p++)
				in->excl[nex++] = (uint32_t)
				    in->exmap[m][x_->indices[p]];
		}
		qq->nexclude = (size_t)(in->excl + nex - qq->exclude);
		qq->hist_item = in->hitem + nh;
		qq->hist_w = in->hw + nh;
		if (in->train != NULL && (row = rs_csr_find_row(in->train,
		    ids[i])) >= 0)
			for (p = in->train->indptr[row];
			    p < in->train->indptr[row + 1]; p++) {
				x = in->train->indices[p];
				in->hitem[nh] = (uint32_t)in->trmap[x];
				in->hw[nh++] = in->train->values[p];
				qq->nhist++;
			}
	}
}

/* A neighbours table (-f rsk) from path; dies on error. */
static struct rs_itemknn *
load_table(const char *path)
{
	struct rs_reader *r;
	struct rs_itemknn *k;
	struct rs_error err;
	int fd;

	r = open_stream(path, &fd);
	if (rs_itemknn_read_as(r, "similar", &k, &err) < 0)
		die_err(&err);
	close_stream(r, fd);
	return k;
}

/*
 * Writes the neighbours table tab of model m to out (-f rsk), with the
 * metadata rs_engine_set_neighbors checks, and what made it.
 */
static void
write_table(const struct opts *o, const struct rs_itemknn *tab,
    const struct rs_model *m, struct rs_outfile *out)
{
	static const char *const copied[] = { "input_digest", "seed",
	    "factors" };
	char nbuf[32], dbuf[16], keys[3][32];
	struct rs_meta extra[8];
	const struct rs_meta *meta;
	struct rs_error err;
	unsigned ne = 0, nmeta, i;
	const char *v;

	snprintf(nbuf, sizeof(nbuf), "%u", o->k);
	snprintf(dbuf, sizeof(dbuf), "%08x", rs_engine_similar_digest(m));
	extra[ne++] = (struct rs_meta){ "model", "similar" };
	extra[ne++] = (struct rs_meta){ "input", input_name(o->model) };
	extra[ne++] = (struct rs_meta){ "similarity", "cosine" };
	extra[ne++] = (struct rs_meta){ "neighbors", nbuf };
	extra[ne++] = (struct rs_meta){ "als_digest", dbuf };
	/* for people: which training run the model came from */
	for (i = 0; i < 3; i++)
		if ((v = rs_model_meta(m, copied[i])) != NULL) {
			snprintf(keys[i], sizeof(keys[i]), "als_%s", copied[i]);
			extra[ne++] = (struct rs_meta){ keys[i], v };
		}
	meta = tool_meta(extra, ne, &nmeta);
	if (rs_itemknn_write(tab, rs_outfile_fd(out), rs_outfile_name(out),
	    meta, nmeta, NULL, &err) < 0)
		die_abort(out, &err);
}

/*
 * The blend of the visitor mode: the model's list (als, or popular for a
 * popular model); with --recent, online rows alternate with it; with
 * --fallback, popular rows back-fill (cold start).
 */
static void
visitor_blend(const struct opts *o, const struct rs_model *m,
    struct rs_blend *b)
{
	char spec[64];
	struct rs_error err;

	if (rs_model_kind(m) != RS_MODEL_ALS)
		snprintf(spec, sizeof(spec), "popular");
	else
		snprintf(spec, sizeof(spec), "%sals:1%s",
		    o->recent ? "online:1," : "",
		    o->fallback ? ",popular:0" : "");
	if (rs_blend_parse(spec, b, &err) < 0)
		die_err(&err);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct rs_engine_params ep;
	struct rs_model *m, *fb = NULL;
	struct rs_csr *bought = NULL, *seen = NULL, *train = NULL;
	struct rs_items *items = NULL;
	struct rs_itemknn *table = NULL, *tab = NULL;
	struct rs_engine *e;
	struct rs_blend b;
	struct rs_engine_query *q;
	struct vstats st;
	struct rs_outfile *out;
	struct rs_textout t;
	struct rs_error err;
	struct inputs in;
	uint64_t *ids, *list, missing = 0;
	size_t n, nl, i, nq;
	double t0, t1, t2, c1, c2;
	struct matrices mats;
	pthread_t mats_tid;
	int mats_started;

	tool_init(argc, argv);
	answer_alias(argv);
	memset(&o, 0, sizeof(o));
	memset(&in, 0, sizeof(in));
	memset(&mats, 0, sizeof(mats));
	o.threads = 1;
	o.shard_n = 1;
	rs_engine_params_init(&ep);
	o.k = 10;
	o.recent_n = ep.recent_n;
	memcpy(o.weights, ep.weights, sizeof(o.weights));
	parse_args(argc, argv, &o);

	t0 = wall_seconds();
	/*
	 * With two threads or more, the matrices are read beside the model
	 * and the engine's preparation (a scale-1 --exclude-bought matrix is
	 * a fifth of the load), unless a progress line is drawn: it shows
	 * one reading at a time.
	 */
	mats.path[0] = o.bought;
	mats.path[1] = o.seen;
	mats.path[2] = o.train;
	mats_started = o.threads > 1 && (o.bought || o.seen || o.train) &&
	    !progress_enabled() &&
	    pthread_create(&mats_tid, NULL, load_matrices, &mats) == 0;
	m = load_model_threads(o.model, o.threads);
	if (rs_model_kind(m) != RS_MODEL_ALS && (o.similar || o.recent))
		die("%s: %s needs an als model, not a popular one", o.model,
		    o.similar ? "--similar" : "--recent");
	memcpy(ep.weights, o.weights, sizeof(ep.weights));
	ep.kmax = o.k;
	ep.threads = o.threads;
	ep.keep_bought = 1;	/* exclusions come from the matrices */
	ep.fold_in = o.fold_in;
	ep.similar = o.similar ? 2 : o.recent != NULL;
	ep.recent_n = o.recent_n;
	/* without --recent the blend is one list (als:1,popular:0) */
	ep.one_list = o.recent == NULL;
	if (rs_engine_create(&e, &ep, &err) < 0)
		die_err(&err);
	if ((rs_model_kind(m) == RS_MODEL_ALS ? rs_engine_set_als(e, m, &err) :
	    rs_engine_set_popular(e, m, &err)) < 0)
		die("%s: %s", o.model, err.msg);
	if (o.table) {
		table = load_table(o.table);
		if (rs_engine_set_neighbors(e, table, &err) < 0)
			die("%s: %s", o.table, err.msg);
		if (o.k > rs_engine_neighbors_n(e))
			warnx("%s: lists of %u items, fewer than -k %u: every "
			    "item is scanned", o.table,
			    rs_engine_neighbors_n(e), o.k);
	}
	if (o.fallback) {
		fb = load_model(o.fallback);
		if (rs_model_kind(fb) != RS_MODEL_POPULAR ||
		    rs_model_kind(m) != RS_MODEL_ALS ||
		    rs_engine_set_popular(e, fb, &err) < 0)
			die("%s: not a popular model", o.fallback);
	}
	if (mats_started)
		pthread_join(mats_tid, NULL);
	else
		load_matrices(&mats);
	if (o.bought) {
		in.ex[0] = bought = mats.m[0];
		in.exmap[0] = intern_matrix(e, m, o.bought, bought);
	}
	if (o.seen) {
		in.ex[1] = seen = mats.m[1];
		in.exmap[1] = intern_matrix(e, m, o.seen, seen);
	}
	if (o.train) {
		in.train = train = mats.m[2];
		in.trmap = intern_matrix(e, m, o.train, train);
	}
	if (o.items) {
		const uint64_t *mid = rs_model_item_ids(m);

		items = load_items(o.items);
		if (rs_engine_set_items(e, items, &err) < 0)
			die_err(&err);
		for (i = 0; i < rs_model_nitems(m); i++)
			missing += rs_items_find(items, mid[i]) < 0;
		if (missing > 0)
			warnx("%s: %llu of %u model items are not in the item "
			    "table (never recommended)", o.items,
			    (unsigned long long)missing, rs_model_nitems(m));
	}
	if (o.only_items) {
		list = read_ids(o.only_items, "item", &nl);
		if (rs_engine_set_item_list(e, 1, list, nl, &err) < 0)
			die_err(&err);
		free(list);
	}
	if (o.exclude_items) {
		list = read_ids(o.exclude_items, "item", &nl);
		if (rs_engine_set_item_list(e, 0, list, nl, &err) < 0)
			die_err(&err);
		free(list);
	}
	if (o.recent) {
		read_recent(o.recent, &in.rc);
		for (i = 0; i < in.rc.n; i++)
			if (rs_engine_intern(e, in.rc.ev[i].item) < 0)
				die("out of memory");
	}
	if (rs_engine_prepare(e, &err) < 0)
		die_err(&err);
	verbose("%s: %s model, %u items, %u eligible%s", o.model,
	    rs_model_kind(m) == RS_MODEL_ALS ? "als" : "popular",
	    rs_model_nitems(m), rs_engine_eligible(e,
	    rs_model_kind(m) == RS_MODEL_ALS ? RS_SRC_ALS : RS_SRC_POPULAR),
	    rs_model_kind(m) != RS_MODEL_ALS ? "" :
	    rs_model_space(m, RS_SPACE_DOT) != NULL ? "; scan spaces stored" :
	    "; scan spaces built");
	visitor_blend(&o, m, &b);

	ids = query_ids(&o, m, &n);
	for (i = 0, nq = 0; i < n; i++)
		if (i % o.shard_n == o.shard_i)
			ids[nq++] = ids[i];
	q = xmalloc((nq + 1) * sizeof(*q));
	build_queries(&o, e, &in, ids, nq, q);
	free(ids);

	if (o.fmt == FMT_RSK) {
		out = open_binary_output(o.output);
		if (rs_itemknn_create(&tab, rs_model_item_ids(m),
		    rs_model_nitems(m), &err) < 0)
			die_abort(out, &err);
	} else {
		out = open_text_output(o.output);
		if (rs_textout_init(&t, rs_outfile_fd(out),
		    rs_outfile_name(out)) < 0)
			die("out of memory");
	}
	t1 = wall_seconds();
	c1 = cpu_seconds();
	run(&o, e, &b, q, nq, tab ? NULL : &t, tab, m, &st);
	t2 = wall_seconds();
	c2 = cpu_seconds();
	if (tab != NULL) {
		write_table(&o, tab, m, out);
	} else {
		if (rs_textout_flush(&t, &err) < 0) {
			rs_outfile_abort(out);
			die_err(&err);
		}
		rs_textout_release(&t);
	}
	commit_output(out);

	if (st.empty > 0 && !o.similar)
		warnx("%llu of %zu visitors got no rows (unknown to the model "
		    "and no popular list: give --fallback)",
		    (unsigned long long)st.empty, nq);
	else if (st.empty > 0)
		warnx("%llu of %zu items got no rows", (unsigned long long)
		    st.empty, nq);
	if (!o.similar)
		verbose("%zu visitors: %llu scored by the model (%llu folded "
		    "in), %llu with popular rows, %llu blended", nq,
		    (unsigned long long)st.known,
		    (unsigned long long)st.folded,
		    (unsigned long long)st.cold,
		    (unsigned long long)st.blended);
	verbose("load %.3f s; recommend %.3f s wall, %.3f s cpu, %.0f per "
	    "second", t1 - t0, t2 - t1, c2 - c1,
	    t2 > t1 ? (double)nq / (t2 - t1) : 0.0);
	verbose("score products: %llu (query, item) scores; %llu lists "
	    "settled by a full exact scan", (unsigned long long)st.scored,
	    (unsigned long long)st.full);
	if (o.similar)
		verbose("similar items: %llu lists from the table, %llu "
		    "scanned", (unsigned long long)st.table,
		    (unsigned long long)st.scanned);
	if (tab != NULL)
		verbose("table: %u items, %llu neighbours each at most %u",
		    rs_itemknn_nitems(tab),
		    (unsigned long long)rs_itemknn_nnz(tab), o.k);
	free(q);
	free(in.rc.ev);
	free(in.exmap[0]);
	free(in.exmap[1]);
	free(in.trmap);
	free(in.item);
	free(in.type);
	free(in.excl);
	free(in.hitem);
	free(in.hw);
	rs_engine_free(e);
	rs_itemknn_free(table);
	rs_itemknn_free(tab);
	rs_items_free(items);
	rs_csr_free(bought);
	rs_csr_free(seen);
	rs_csr_free(train);
	rs_model_free(fb);
	rs_model_free(m);
	return 0;
}
