/*
 * rs-knn-train - train the item-kNN model from an event stream: item-item
 * cosine similarity of co-occurrence within visitors' sessions, the top
 * M neighbours per item kept.  Definitions in lib/itemknn.h and
 * rs-knn-train(1).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "progress.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-knn-train [-qv] [-n neighbors] [-o file] [-w weights] "
    "[--csv]\n"
    "       [--half-life duration] [--session-gap duration] "
    "[--shrink x]\n"
    "       [--until time] [--window n] [stream]\n";

enum {
	OPT_CSV = 256,
	OPT_HALF_LIFE,
	OPT_SESSION_GAP,
	OPT_SHRINK,
	OPT_UNTIL,
	OPT_VERSION,
	OPT_WINDOW
};

static void
help(void)
{
	printf("%s", usage_text);
	printf("Train the item-kNN model (similar items from sessions).\n\n"
	    "      --csv               write item,neighbor,score CSV instead "
	    "of a\n"
	    "                          model stream\n"
	    "      --half-life D       decay a session's weight by half every "
	    "D\n"
	    "                          before the last event (default: none)\n"
	    "  -n, --neighbors N       neighbours kept per item (default 50)\n"
	    "  -o, --output FILE       write to FILE (atomically), not stdout\n"
	    "  -q, --quiet             no summary or progress\n"
	    "      --session-gap D     a gap longer than D ends a session "
	    "(30m)\n"
	    "      --shrink X          sim = c / (sqrt(n_i n_j) + X) "
	    "(default 0)\n"
	    "      --until TIME        train on events before TIME (ms, ISO "
	    "8601,\n"
	    "                          end or end-14d)\n"
	    "  -v, --verbose           say more on stderr\n"
	    "  -w, --weights LIST      weight per event type (default\n"
	    "                          view=1,addtocart=5,transaction=3)\n"
	    "      --window N          pairs at most N items apart in a "
	    "session (20)\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n\n"
	    "With no stream, or when stream is -, read standard input.\n");
	close_stdout();
	exit(0);
}

static void
write_csv(const struct rs_itemknn *m, struct rs_outfile *out)
{
	const uint64_t *ids = rs_itemknn_item_ids(m);
	const uint32_t *nb;
	const float *s;
	struct rs_textout t;
	uint32_t i, k, n;

	begin_text(&t, out);
	rs_textout_str(&t, "item,neighbor,score\n");
	for (i = 0; i < rs_itemknn_nitems(m); i++) {
		n = rs_itemknn_neighbors(m, i, &nb, &s);
		for (k = 0; k < n; k++) {
			rs_textout_u64(&t, ids[i]);
			rs_textout_char(&t, ',');
			rs_textout_u64(&t, ids[nb[k]]);
			rs_textout_char(&t, ',');
			rs_textout_f32(&t, s[k]);
			rs_textout_char(&t, '\n');
		}
	}
	end_text(&t, out);
}

/* Text for the metadata; strings live in a static pool. */
static const char *
fmt(int integer, double v)
{
	static char pool[16][40];
	static unsigned next;
	char *s = pool[next++ % 16];

	if (integer)
		snprintf(s, sizeof(pool[0]), "%.0f", v);
	else
		snprintf(s, sizeof(pool[0]), "%.9g", v);
	return s;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "half-life", required_argument, NULL, OPT_HALF_LIFE },
		{ "neighbors", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "session-gap", required_argument, NULL, OPT_SESSION_GAP },
		{ "shrink", required_argument, NULL, OPT_SHRINK },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "weights", required_argument, NULL, 'w' },
		{ "window", required_argument, NULL, OPT_WINDOW },
		COMMON_LONGOPTS(OPT_VERSION),
		{ NULL, 0, NULL, 0 }
	};
	struct rs_itemknn_params p;
	struct rs_itemknn_stats st;
	struct rs_bound until = { 0, 0, 0 };
	struct rs_itemknn *m;
	struct rs_event *ev;
	struct rs_outfile *out;
	struct rs_error err;
	struct rs_meta extra[16];
	const struct rs_meta *meta;
	double secs;
	char wbuf[128];
	const char *output = NULL, *input;
	int64_t end = 0;
	size_t n, i;
	unsigned nmeta, ne = 0;
	int c, csv = 0;

	tool_init(argc, argv);
	rs_itemknn_params_init(&p);
	while ((c = getopt_long(argc, argv, "hn:o:qvw:", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case OPT_CSV:
			csv = 1;
			break;
		case OPT_HALF_LIFE:
			p.half_life = parse_duration_opt("--half-life", optarg,
			    usage_text);
			break;
		case 'n':
			p.neighbors = (unsigned)parse_u64("--neighbors", optarg,
			    1, 100000, usage_text);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_SESSION_GAP:
			p.session_gap = parse_duration_opt("--session-gap",
			    optarg, usage_text);
			break;
		case OPT_SHRINK:
			p.shrink = parse_double("--shrink", optarg, 0, 1e9,
			    usage_text);
			break;
		case OPT_UNTIL:
			parse_bound_opt("--until", optarg, &until, usage_text);
			break;
		case 'w':
			parse_weights_opt("--weights", optarg, p.weights,
			    usage_text);
			break;
		case OPT_WINDOW:
			p.window = (unsigned)parse_u64("--window", optarg, 1,
			    100000, usage_text);
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	input = one_operand(argc - optind, argv + optind, "event stream",
	    usage_text);

	out = csv ? open_text_output(output) : open_binary_output(output);
	ev = read_events(input, &n, out);
	for (i = 0; i < n; i++)
		if (i == 0 || ev[i].ts > end)
			end = ev[i].ts;
	p.until = rs_bound_resolve(&until, end, p.until);
	secs = wall_seconds();
	progress_start("training", NULL, 0, -1);
	if (rs_itemknn_train(ev, n, &p, &m, &st, &err) < 0)
		die_abort(out, &err);
	secs = wall_seconds() - secs;
	free(ev);
	progress_start("writing the model", NULL, 0, -1);
	if (csv) {
		write_csv(m, out);
	} else {
		rs_interact_format_weights(p.weights, wbuf, sizeof(wbuf));
		extra[ne++] = (struct rs_meta){ "model", "itemknn" };
		extra[ne++] = (struct rs_meta){ "input", input_name(input) };
		extra[ne++] = (struct rs_meta){ "similarity", "cosine" };
		extra[ne++] = (struct rs_meta){ "session_gap",
		    fmt(1, (double)p.session_gap) };
		extra[ne++] = (struct rs_meta){ "half_life",
		    fmt(1, (double)p.half_life) };
		extra[ne++] = (struct rs_meta){ "window",
		    fmt(1, p.window) };
		extra[ne++] = (struct rs_meta){ "neighbors",
		    fmt(1, p.neighbors) };
		extra[ne++] = (struct rs_meta){ "shrink", fmt(0,
		    p.shrink) };
		extra[ne++] = (struct rs_meta){ "weights", wbuf };
		extra[ne++] = (struct rs_meta){ "until", until.set ?
		    fmt(1, (double)p.until) : "" };
		extra[ne++] = (struct rs_meta){ "events",
		    fmt(1, (double)st.events) };
		extra[ne++] = (struct rs_meta){ "sessions",
		    fmt(1, (double)st.sessions) };
		extra[ne++] = (struct rs_meta){ "pairs",
		    fmt(1, (double)st.pairs) };
		meta = tool_meta(extra, ne, &nmeta);
		if (rs_itemknn_write(m, rs_outfile_fd(out),
		    rs_outfile_name(out), meta, nmeta, NULL, &err) < 0)
			die_abort(out, &err);
	}
	commit_output(out);
	progress_end();
	verbose("training took %.3f s", secs);
	if (!tool_quiet)
		fprintf(stderr, "%s: %" PRIu64 " events, %" PRIu64 " sessions, "
		    "%" PRIu64 " pairs, %lu items, %" PRIu64 " neighbours\n",
		    progname, st.events, st.sessions, st.pairs,
		    (unsigned long)rs_itemknn_nitems(m), st.neighbors);
	rs_itemknn_free(m);
	return 0;
}
