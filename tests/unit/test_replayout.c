/*
 * test_replayout.c - the replay tools' text: answer rows in CSV, TSV and
 * JSON Lines, metric rows as table, CSV and JSON Lines (undefined
 * values, a blend name that needs quoting), JSON strings, byte for byte.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "replayout.h"
#include "tap.h"
#include "render.h"
#include "banned.h"

static const struct rs_request req = { 7, 42, 1000, 300 };
static const struct rs_row rows[] = {
	{ 300, 0.5f, RS_SRC_RECENT }, { 12, 0.1f, RS_SRC_ALS }
};
static const unsigned ks[] = { 5, 10 };
static struct rs_replay_metrics mt[2];

static enum rs_replayout_format fmt;

static void
answers(struct rs_textout *t)
{
	rs_replayout_answers_header(t, fmt);
	rs_replayout_answers(t, fmt, &req, rows, 2);
}

static void
metrics(struct rs_textout *t)
{
	rs_replayout_metrics_header(t, fmt, ks, 2);
	rs_replayout_metrics(t, fmt, "recent:5,als:5", 1, ks, 2, mt);
}

static void
test_replayout__answers(void)
{
	char buf[1024];

	fmt = RS_REPLAYOUT_CSV;
	render(answers, buf, sizeof(buf));
	CHECK_STR(buf, "request,visitor,item,rank,score,source\n"
	    "7,42,300,1,0.5,recent\n7,42,12,2,0.100000001,als\n");
	fmt = RS_REPLAYOUT_TSV;
	render(answers, buf, sizeof(buf));
	CHECK_STR(buf, "request\tvisitor\titem\trank\tscore\tsource\n"
	    "7\t42\t300\t1\t0.5\trecent\n7\t42\t12\t2\t0.100000001\tals\n");
	fmt = RS_REPLAYOUT_JSON;
	render(answers, buf, sizeof(buf));
	CHECK_STR(buf, "{\"request\":7,\"visitor\":42,\"item\":300,"
	    "\"rank\":1,\"score\":0.5,\"source\":\"recent\"}\n"
	    "{\"request\":7,\"visitor\":42,\"item\":12,\"rank\":2,"
	    "\"score\":0.100000001,\"source\":\"als\"}\n");
}

static void
test_replayout__metrics(void)
{
	char buf[2048];

	mt[0] = (struct rs_replay_metrics){ 3, 1.0 / 3, 0.25, 0.125, 0.5,
	    2.25 };
	mt[1] = (struct rs_replay_metrics){ 3, 2.0 / 3, 0.5, NAN, 0.75,
	    NAN };
	fmt = RS_REPLAYOUT_TABLE;
	render(metrics, buf, sizeof(buf));
	CHECK_STR(buf, "recommender                  targets        n"
	    "    hit@5    mrr@5   ndcg@5    cov@5    nov@5"
	    "   hit@10   mrr@10  ndcg@10   cov@10   nov@10\n"
	    "recent:5,als:5               discovery      3"
	    "   0.3333   0.2500   0.1250   0.5000   2.2500"
	    "   0.6667   0.5000        -   0.7500        -\n");
	fmt = RS_REPLAYOUT_CSV;
	render(metrics, buf, sizeof(buf));
	CHECK_STR(buf, "recommender,targets,requests,k,hit,mrr,ndcg,"
	    "coverage,novelty\n"
	    "\"recent:5,als:5\",discovery,3,5,0.3333,0.2500,0.1250,0.5000,"
	    "2.2500\n"
	    "\"recent:5,als:5\",discovery,3,10,0.6667,0.5000,,0.7500,\n");
	fmt = RS_REPLAYOUT_JSON;
	render(metrics, buf, sizeof(buf));
	CHECK_STR(buf, "{\"recommender\":\"recent:5,als:5\",\"targets\":"
	    "\"discovery\",\"requests\":3,\"k\":5,\"hit\":0.3333,\"mrr\":"
	    "0.2500,\"ndcg\":0.1250,\"coverage\":0.5000,\"novelty\":2.2500}\n"
	    "{\"recommender\":\"recent:5,als:5\",\"targets\":\"discovery\","
	    "\"requests\":3,\"k\":10,\"hit\":0.6667,\"mrr\":0.5000,\"ndcg\":"
	    "null,\"coverage\":0.7500,\"novelty\":null}\n");
}

static void
json_str(struct rs_textout *t)
{
	rs_replayout_json_str(t, "a\"b\\c\nd\001\x1f \xc3\xa9");
	rs_textout_char(t, '\n');
	rs_replayout_json_str(t, "");
}

static void
test_replayout__json_str(void)
{
	char buf[256];

	render(json_str, buf, sizeof(buf));
	CHECK_STR(buf, "\"a\\\"b\\\\c\\u000ad\\u0001\\u001f \xc3\xa9\"\n"
	    "\"\"");
}

int
main(void)
{
	RUN(test_replayout__answers);
	RUN(test_replayout__metrics);
	RUN(test_replayout__json_str);
	return tap_done();
}
