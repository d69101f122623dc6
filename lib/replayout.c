/*
 * replayout.c - answer and metric rows of the replay tools as text.
 *
 * Everything goes through textout (integers by hand, floats %.9g); the
 * metric numbers are rounded to 4 decimals with snprintf, so two tools
 * that computed the same doubles print the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "replayout.h"
#include "banned.h"

static const char *const target_name[2] = { "all", "discovery" };

void
rs_replayout_answers_header(struct rs_textout *t, enum rs_replayout_format f)
{
	if (f == RS_REPLAYOUT_TSV)
		rs_textout_str(t, "request\tvisitor\titem\trank\tscore\t"
		    "source\n");
	else if (f != RS_REPLAYOUT_JSON)
		rs_textout_str(t, "request,visitor,item,rank,score,source\n");
}

void
rs_replayout_row(struct rs_textout *t, enum rs_replayout_format f,
    const char *const *keys, const uint64_t *vals, unsigned nkeys,
    uint64_t item, size_t rank, float score, const char *source)
{
	const char d = f == RS_REPLAYOUT_TSV ? '\t' : ',';
	unsigned i;

	if (f == RS_REPLAYOUT_JSON) {
		for (i = 0; i < nkeys; i++) {
			rs_textout_str(t, i == 0 ? "{\"" : ",\"");
			rs_textout_str(t, keys[i]);
			rs_textout_str(t, "\":");
			rs_textout_u64(t, vals[i]);
		}
		rs_textout_str(t, ",\"item\":");
		rs_textout_u64(t, item);
		rs_textout_str(t, ",\"rank\":");
		rs_textout_u64(t, rank);
		rs_textout_str(t, ",\"score\":");
		rs_textout_f32(t, score);
		rs_textout_str(t, ",\"source\":\"");
		rs_textout_str(t, source);
		rs_textout_str(t, "\"}\n");
		return;
	}
	for (i = 0; i < nkeys; i++) {
		rs_textout_u64(t, vals[i]);
		rs_textout_char(t, d);
	}
	rs_textout_u64(t, item);
	rs_textout_char(t, d);
	rs_textout_u64(t, rank);
	rs_textout_char(t, d);
	rs_textout_f32(t, score);
	rs_textout_char(t, d);
	rs_textout_str(t, source);
	rs_textout_char(t, '\n');
}

void
rs_replayout_answers(struct rs_textout *t, enum rs_replayout_format f,
    const struct rs_request *q, const struct rs_row *rows, size_t n)
{
	static const char *const keys[2] = { "request", "visitor" };
	const uint64_t vals[2] = { q->id, q->visitor };
	size_t i;

	for (i = 0; i < n; i++)
		rs_replayout_row(t, f, keys, vals, 2, rows[i].item, i + 1,
		    rows[i].score, rs_source_name(rows[i].source));
}

void
rs_replayout_metrics_header(struct rs_textout *t, enum rs_replayout_format f,
    const unsigned *ks, unsigned nk)
{
	char line[128], h[5][24];
	unsigned j;

	if (f == RS_REPLAYOUT_CSV) {
		rs_textout_str(t, "recommender,targets,requests,k,hit,mrr,"
		    "ndcg,coverage,novelty\n");
		return;
	}
	if (f != RS_REPLAYOUT_TABLE)
		return;
	snprintf(line, sizeof(line), "%-28s %-9s %6s", "recommender",
	    "targets", "n");
	rs_textout_str(t, line);
	for (j = 0; j < nk; j++) {
		snprintf(h[0], sizeof(h[0]), "hit@%u", ks[j]);
		snprintf(h[1], sizeof(h[1]), "mrr@%u", ks[j]);
		snprintf(h[2], sizeof(h[2]), "ndcg@%u", ks[j]);
		snprintf(h[3], sizeof(h[3]), "cov@%u", ks[j]);
		snprintf(h[4], sizeof(h[4]), "nov@%u", ks[j]);
		snprintf(line, sizeof(line), " %8s %8s %8s %8s %8s", h[0],
		    h[1], h[2], h[3], h[4]);
		rs_textout_str(t, line);
	}
	rs_textout_char(t, '\n');
}

void
rs_replayout_metrics_note(struct rs_textout *t, enum rs_replayout_format f,
    const struct rs_replayout_filters *fl)
{
	if (f != RS_REPLAYOUT_TABLE)
		return;
	rs_textout_str(t, fl->keep_bought ? "\nnote: filters: bought items "
	    "kept (--keep-bought)" : "\nnote: filters: no bought items");
	if (fl->items)
		rs_textout_str(t, "; no items unavailable in the item table "
		    "(-i)");
	if (fl->navail > 0)
		rs_textout_str(t, "; no items unavailable at the request time "
		    "(-A)");
	if (!fl->items && fl->navail == 0)
		rs_textout_str(t, "; availability not filtered (no -i, -A)");
	rs_textout_str(t, "\nnote: a request knows only events before its "
	    "time, none at its own millisecond\n");
}

/* A metric in CSV or JSON: %.4f, undefined (NaN) as empty or null. */
static void
put_num(struct rs_textout *t, double v, int json)
{
	char buf[40];

	if (isnan(v)) {
		rs_textout_str(t, json ? "null" : "");
		return;
	}
	snprintf(buf, sizeof(buf), "%.4f", v);
	rs_textout_str(t, buf);
}

void
rs_replayout_json_str(struct rs_textout *t, const char *s)
{
	char buf[8];

	rs_textout_char(t, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			rs_textout_char(t, '\\');
			rs_textout_char(t, *s);
		} else if ((unsigned char)*s < 0x20) {
			snprintf(buf, sizeof(buf), "\\u%04x", (unsigned)*s);
			rs_textout_str(t, buf);
		} else {
			rs_textout_char(t, *s);
		}
	}
	rs_textout_char(t, '"');
}

void
rs_replayout_metrics(struct rs_textout *t, enum rs_replayout_format f,
    const char *name, int which, const unsigned *ks, unsigned nk,
    const struct rs_replay_metrics *mt)
{
	const int js = f == RS_REPLAYOUT_JSON;
	char line[256];
	unsigned j, m;

	if (f == RS_REPLAYOUT_TABLE) {
		snprintf(line, sizeof(line), "%-28s %-9s %6llu", name,
		    target_name[which != 0], nk > 0 ?
		    (unsigned long long)mt[0].requests : 0ULL);
		rs_textout_str(t, line);
		for (j = 0; j < nk; j++) {
			const double v[5] = { mt[j].hit, mt[j].mrr,
			    mt[j].ndcg, mt[j].coverage, mt[j].novelty };

			for (m = 0; m < 5; m++) {
				if (isnan(v[m]))
					snprintf(line, sizeof(line), " %8s",
					    "-");
				else
					snprintf(line, sizeof(line), " %8.4f",
					    v[m]);
				rs_textout_str(t, line);
			}
		}
		rs_textout_char(t, '\n');
		return;
	}
	for (j = 0; j < nk; j++) {
		if (js) {
			rs_textout_str(t, "{\"recommender\":");
			rs_replayout_json_str(t, name);
			rs_textout_str(t, ",\"targets\":\"");
		} else {
			rs_textout_csv_field(t, name, strlen(name), ',');
			rs_textout_char(t, ',');
		}
		rs_textout_str(t, target_name[which != 0]);
		rs_textout_str(t, js ? "\",\"requests\":" : ",");
		rs_textout_u64(t, mt[j].requests);
		rs_textout_str(t, js ? ",\"k\":" : ",");
		rs_textout_u64(t, ks[j]);
		rs_textout_str(t, js ? ",\"hit\":" : ",");
		put_num(t, mt[j].hit, js);
		rs_textout_str(t, js ? ",\"mrr\":" : ",");
		put_num(t, mt[j].mrr, js);
		rs_textout_str(t, js ? ",\"ndcg\":" : ",");
		put_num(t, mt[j].ndcg, js);
		rs_textout_str(t, js ? ",\"coverage\":" : ",");
		put_num(t, mt[j].coverage, js);
		rs_textout_str(t, js ? ",\"novelty\":" : ",");
		put_num(t, mt[j].novelty, js);
		rs_textout_str(t, js ? "}\n" : "\n");
	}
}

void
rs_replayout_acc(struct rs_textout *t, enum rs_replayout_format f,
    const char *name, const struct rs_replay *r,
    const struct rs_replay_acc *acc, const unsigned *ks, unsigned nk)
{
	struct rs_replay_metrics mt[RS_METRICS_MAXK];
	unsigned j;
	int which;

	for (which = 0; which < 2; which++) {
		for (j = 0; j < nk; j++)
			rs_replay_acc_result(&acc[j], r, which, &mt[j]);
		rs_replayout_metrics(t, f, name, which, ks, nk, mt);
	}
}
