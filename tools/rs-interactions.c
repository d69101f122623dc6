/*
 * rs-interactions - turn an event stream into a visitor x item matrix.
 *
 * Reads one event stream (rs-load), keeps the events that pass the type
 * filter, the item catalogue (--items) and the time window, weights them
 * per event type, aggregates the events of each (visitor, item) pair,
 * applies the min-count filters and writes the matrix as a matrix stream
 * (rows by visitor id, columns by item id, float32 values) or as CSV.
 * The definitions live in lib/interact.h and rs-interactions(1).
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
    "usage: rs-interactions [-bqv] [-a agg] [-e events] [-i items] "
    "[-o file]\n"
    "       [-w weights] [--csv] [--min-item-events n] "
    "[--min-user-events n]\n"
    "       [--since time] [--until time] [stream]\n";

enum {
	OPT_CSV = 256,
	OPT_MIN_ITEM,
	OPT_MIN_USER,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_VERSION
};

static void
help(void)
{
	printf("%s", usage_text);
	printf("Build the weighted visitor x item matrix of an event stream.\n\n"
	    "  -a, --aggregate AGG     combine a pair's events: sum (default),\n"
	    "                          max, count, or log (log1p of the sum)\n"
	    "  -b, --binary            store 1 for every pair\n"
	    "      --csv               write user,item,value CSV instead of a\n"
	    "                          matrix stream\n"
	    "  -e, --event LIST        keep these event types only, e.g.\n"
	    "                          addtocart,transaction (default: all)\n"
	    "  -i, --items FILE        drop events on items unknown to this item\n"
	    "                          table or never available\n"
	    "      --min-item-events N keep items with at least N events\n"
	    "      --min-user-events N keep visitors with at least N events\n"
	    "                          (both applied until nothing changes)\n"
	    "  -o, --output FILE       write to FILE (atomically), not stdout\n"
	    "  -q, --quiet             no summary, warnings or progress\n"
	    "      --since TIME        keep events at or after TIME\n"
	    "      --until TIME        keep events before TIME\n"
	    "                          TIME: ms, ISO 8601 UTC, end or end-14d\n"
	    "                          (relative to the stream's last event)\n"
	    "  -v, --verbose           say more on stderr\n"
	    "  -w, --weights LIST      weight per event type (default\n"
	    "                          view=1,addtocart=5,transaction=3)\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n\n"
	    "With no stream, or when stream is -, read standard input.\n");
	close_stdout();
	exit(0);
}

static int
keep_item(void *ctx, uint64_t item)
{
	return rs_items_ever_available(ctx, item);
}

static void
write_csv(const struct rs_csr *m, struct rs_outfile *out)
{
	struct rs_textout t;
	uint64_t k;
	uint32_t r;

	begin_text(&t, out);
	rs_textout_str(&t, "user,item,value\n");
	for (r = 0; r < m->nrows; r++)
		for (k = m->indptr[r]; k < m->indptr[r + 1]; k++) {
			rs_textout_u64(&t, m->row_ids[r]);
			rs_textout_char(&t, ',');
			rs_textout_u64(&t, m->col_ids[m->indices[k]]);
			rs_textout_char(&t, ',');
			rs_textout_f32(&t, m->values[k]);
			rs_textout_char(&t, '\n');
		}
	end_text(&t, out);
}

/* Text of a number for the metadata; strings live in a static pool. */
static const char *
num(uint64_t v)
{
	static char pool[32][24];
	static unsigned next;
	char *s = pool[next++ % 32];

	snprintf(s, sizeof(pool[0]), "%" PRIu64, v);
	return s;
}

static const char *
time_text(int64_t v, int bounded)
{
	static char pool[4][24];
	static unsigned next;
	char *s = pool[next++ % 4];

	if (!bounded)
		return "";
	snprintf(s, sizeof(pool[0]), "%" PRId64, v);
	return s;
}

static void
write_matrix(const struct rs_csr *m, const struct rs_interact_params *p,
    const struct rs_interact_stats *st, const char *input, const char *items,
    struct rs_outfile *out)
{
	char weights[128], events[64];
	struct rs_meta extra[24];
	struct rs_writer_opts wo;
	const struct rs_meta *meta;
	struct rs_error err;
	unsigned n = 0, nmeta, t;
	size_t len = 0;

	rs_interact_format_weights(p->weights, weights, sizeof(weights));
	events[0] = '\0';
	for (t = 0; t < RS_EV_NTYPES; t++)
		if (p->events & (1u << t))
			len += (size_t)snprintf(events + len,
			    sizeof(events) - len, "%s%s", len ? "," : "",
			    rs_event_name(t));
	extra[n++] = (struct rs_meta){ "row_name", "visitorid" };
	extra[n++] = (struct rs_meta){ "col_name", "itemid" };
	extra[n++] = (struct rs_meta){ "input", input };
	extra[n++] = (struct rs_meta){ "items", items ? items : "" };
	extra[n++] = (struct rs_meta){ "weights", weights };
	extra[n++] = (struct rs_meta){ "aggregate",
	    rs_interact_agg_name(p->agg) };
	extra[n++] = (struct rs_meta){ "binary", p->binary ? "1" : "0" };
	extra[n++] = (struct rs_meta){ "events", events };
	extra[n++] = (struct rs_meta){ "since",
	    time_text(st->since, p->since.set) };
	extra[n++] = (struct rs_meta){ "until",
	    time_text(st->until, p->until.set) };
	extra[n++] = (struct rs_meta){ "min_user_events",
	    num(p->min_user_events) };
	extra[n++] = (struct rs_meta){ "min_item_events",
	    num(p->min_item_events) };
	extra[n++] = (struct rs_meta){ "min_count_rounds", num(st->rounds) };
	extra[n++] = (struct rs_meta){ "events_read", num(st->events_read) };
	extra[n++] = (struct rs_meta){ "events_kept", num(st->kept) };
	extra[n++] = (struct rs_meta){ "dropped_event_type",
	    num(st->dropped_type) };
	extra[n++] = (struct rs_meta){ "dropped_catalogue",
	    num(st->dropped_catalogue) };
	extra[n++] = (struct rs_meta){ "dropped_window",
	    num(st->dropped_window) };
	extra[n++] = (struct rs_meta){ "dropped_min_count",
	    num(st->dropped_min_count) };
	extra[n++] = (struct rs_meta){ "first_ts",
	    time_text(st->first_ts, st->events_read > 0) };
	extra[n++] = (struct rs_meta){ "last_ts",
	    time_text(st->last_ts, st->events_read > 0) };
	meta = tool_meta(extra, n, &nmeta);
	/*
	 * zstd level 1: the matrix is an intermediate that the next tool
	 * reads at once; level 3 doubles the time of this step for a file
	 * about 10 % smaller.
	 */
	rs_writer_opts_init(&wo);
	wo.level = 1;
	if (rs_csr_write(m, rs_outfile_fd(out), rs_outfile_name(out), meta,
	    nmeta, &wo, &err) < 0)
		die_abort(out, &err);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "aggregate", required_argument, NULL, 'a' },
		{ "binary", no_argument, NULL, 'b' },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "event", required_argument, NULL, 'e' },
		{ "items", required_argument, NULL, 'i' },
		{ "min-item-events", required_argument, NULL, OPT_MIN_ITEM },
		{ "min-user-events", required_argument, NULL, OPT_MIN_USER },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "weights", required_argument, NULL, 'w' },
		COMMON_LONGOPTS(OPT_VERSION),
		{ NULL, 0, NULL, 0 }
	};
	struct rs_interact_params p;
	struct rs_interact_stats st;
	struct rs_interact *b;
	struct rs_items *items = NULL;
	struct rs_outfile *out;
	struct rs_reader *r;
	struct rs_error err;
	struct rs_csr *m;
	const char *output = NULL, *items_path = NULL, *input;
	int c, csv = 0, fd;

	tool_init(argc, argv);
	rs_interact_params_init(&p);
	while ((c = getopt_long(argc, argv, "a:be:hi:o:qvw:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a':
			if (rs_interact_parse_agg(optarg, &p.agg, &err) < 0)
				usage_error(usage_text, "invalid --aggregate: %s",
				    err.msg);
			break;
		case 'b':
			p.binary = 1;
			break;
		case OPT_CSV:
			csv = 1;
			break;
		case 'e':
			if (rs_interact_parse_events(optarg, &p.events,
			    &err) < 0)
				usage_error(usage_text, "invalid --event: %s",
				    err.msg);
			break;
		case 'i':
			items_path = optarg;
			break;
		case OPT_MIN_ITEM:
			p.min_item_events = parse_u64("--min-item-events",
			    optarg, 0, UINT32_MAX, usage_text);
			break;
		case OPT_MIN_USER:
			p.min_user_events = parse_u64("--min-user-events",
			    optarg, 0, UINT32_MAX, usage_text);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_SINCE:
			parse_bound_opt("--since", optarg, &p.since,
			    usage_text);
			break;
		case OPT_UNTIL:
			parse_bound_opt("--until", optarg, &p.until,
			    usage_text);
			break;
		case 'w':
			parse_weights_opt("--weights", optarg, p.weights,
			    usage_text);
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	input = one_operand(argc - optind, argv + optind, "event stream",
	    usage_text);
	if (rs_interact_check_window(&p, &err) < 0)
		usage_error(usage_text, "invalid --since/--until: %s", err.msg);

	if (items_path != NULL) {
		items = load_items(items_path);
		p.keep_item = keep_item;
		p.keep_ctx = items;
	}
	out = csv ? open_text_output(output) : open_binary_output(output);
	fd = begin_input(input);
	if (rs_interact_create(&b, &p, &err) < 0 ||
	    rs_reader_open(&r, fd, input_name(input), &err) < 0 ||
	    rs_interact_read(b, r, &err) < 0)
		die_abort(out, &err);
	progress_start("building the matrix", NULL, 0, -1);
	if (rs_interact_finish(b, &m, &st, &err) < 0)
		die_abort(out, &err);
	progress_end();
	rs_reader_free(r);
	close_input(fd);
	rs_interact_free(b);

	if (m->nnz == 0)
		warnx("warning: empty matrix: none of %" PRIu64 " events "
		    "passed the filters", st.events_read);
	progress_start("writing the matrix", NULL, 0, -1);
	if (csv)
		write_csv(m, out);
	else
		write_matrix(m, &p, &st, input_name(input), items_path, out);
	commit_output(out);
	progress_end();
	verbose("dropped: %" PRIu64 " by event type, %" PRIu64 " by "
	    "catalogue, %" PRIu64 " by window, %" PRIu64 " by min counts "
	    "(%" PRIu64 " rounds)", st.dropped_type, st.dropped_catalogue,
	    st.dropped_window, st.dropped_min_count, st.rounds);
	if (!tool_quiet)
		fprintf(stderr, "%s: %" PRIu64 " events read, %" PRIu64
		    " kept, %lu rows, %lu cols, %" PRIu64 " nonzeros\n",
		    progname, st.events_read, st.kept, (unsigned long)st.rows,
		    (unsigned long)st.cols, st.nnz);
	rs_csr_free(m);
	rs_items_free(items);
	return 0;
}
