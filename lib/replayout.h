/*
 * replayout.h - the text the replay tools print: answer rows (one row
 * per recommended item of a request) and metric rows (one line per
 * recommender and target set), so that rs-replay, rs-answer and
 * rs-eval --requests print the same thing the same way.
 *
 * Answer rows, columns request,visitor,item,rank,score,source:
 *   CSV   header line, then one line a row
 *   TSV   the same with tabs
 *   JSON  JSON Lines: {"request":1,"visitor":2,"item":3,"rank":1,
 *         "score":0.5,"source":"als"}, no header
 * rank is 1-based in answer order; score is the row's float (%.9g, so it
 * reads back as the same float32); source the rs_replay_source name.
 * recsin.h reads all three back (RS_RECS_BY_REQUEST).
 *
 * Metric rows, per recommender and target set (all, discovery), at each
 * K of a list:
 *   TABLE aligned: name (28 wide), targets, n (requests), then per K
 *         hit@K mrr@K ndcg@K cov@K nov@K, %8.4f each, "-" if undefined;
 *         rs_replayout_metrics_note adds a blank line and two "note:"
 *         lines below the rows (filters, visibility)
 *   CSV   recommender,targets,requests,k,hit,mrr,ndcg,coverage,novelty,
 *         one line per K, numbers %.4f, empty if undefined
 *   JSON  JSON Lines with the CSV's names, null if undefined
 * The functions only append to a textout; write errors are the caller's
 * to collect with rs_textout_flush.
 */
#ifndef RS_REPLAYOUT_H
#define RS_REPLAYOUT_H

#include <stddef.h>

#include "replay.h"
#include "requests.h"
#include "textout.h"

enum rs_replayout_format {
	RS_REPLAYOUT_TABLE = 0,	/* metrics only */
	RS_REPLAYOUT_CSV,
	RS_REPLAYOUT_TSV,	/* answers only */
	RS_REPLAYOUT_JSON
};

/* The header line of answer rows (nothing for JSON). */
void rs_replayout_answers_header(struct rs_textout *t,
	enum rs_replayout_format f);

/* The n answer rows of request q, ranks 1..n. */
/*
 * One recommendation row: the nkeys key columns (keys[] their JSON
 * names, vals[] their values), then item, rank, score and source.  Every
 * answer printer of rs writes its rows through this one.
 */
void rs_replayout_row(struct rs_textout *t, enum rs_replayout_format f,
	const char *const *keys, const uint64_t *vals, unsigned nkeys,
	uint64_t item, size_t rank, float score, const char *source);

void rs_replayout_answers(struct rs_textout *t, enum rs_replayout_format f,
	const struct rs_request *q, const struct rs_row *rows,
	size_t n);

/* The header line of metric rows at ks[0..nk) (nothing for JSON). */
void rs_replayout_metrics_header(struct rs_textout *t,
	enum rs_replayout_format f, const unsigned *ks, unsigned nk);

/* The filters a replay answered with, for the table's note. */
struct rs_replayout_filters {
	int keep_bought;	/* --keep-bought: bought items may be listed */
	int items;		/* -i: an item table's availability */
	unsigned navail;	/* -A: property files (availability at t) */
};

/*
 * The note below a metric table (TABLE only; CSV and JSON rows are data
 * and get none): the filters in force and the rule that a request sees
 * only events before its time, those at its own millisecond not yet, so
 * that a table read alone says what it measured.
 */
void rs_replayout_metrics_note(struct rs_textout *t,
	enum rs_replayout_format f, const struct rs_replayout_filters *fl);

/*
 * The metric row(s) of recommender name over target set which (0 all,
 * 1 discovery): mt[j] holds the metrics at ks[j].
 */
void rs_replayout_metrics(struct rs_textout *t, enum rs_replayout_format f,
	const char *name, int which, const unsigned *ks, unsigned nk,
	const struct rs_replay_metrics *mt);

/*
 * The two metric rows of recommender name, over all requests and over
 * discovery requests, from its accumulators acc[j] at ks[j] over the
 * requests of r (nk <= RS_METRICS_MAXK).
 */
void rs_replayout_acc(struct rs_textout *t, enum rs_replayout_format f,
	const char *name, const struct rs_replay *r,
	const struct rs_replay_acc *acc, const unsigned *ks, unsigned nk);

/*
 * s as a JSON string, quotes included: '"' and '\\' escaped with a
 * backslash, control characters as \u00XX, other bytes as they are
 * (UTF-8 passes through).  The metric rows name recommenders with it;
 * rs-eval's JSON uses it too.
 */
void rs_replayout_json_str(struct rs_textout *t, const char *s);

#endif
