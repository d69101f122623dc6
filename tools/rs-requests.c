/*
 * rs-requests - turn the test window of an event stream into a request
 * stream for replay: one request per target event (default addtocart),
 * with an id in time order, the visitor, the time and the true item.
 * Layout and definitions in lib/requests.h and rs-requests(1).
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
    "usage: rs-requests [-qv] [-e event] [-o file] [--at time] [--csv]\n"
    "       [--since time] [--until time] [--visitors] [stream]\n";

enum {
	OPT_AT = 256,
	OPT_CSV,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_VERSION,
	OPT_VISITORS
};

static void
help(void)
{
	printf("%s", usage_text);
	printf("Make replay requests from the target events of an event "
	    "stream.\n\n"
	    "      --at TIME           --visitors: the requests' time (default:\n"
	    "                          1 ms after the last event)\n"
	    "      --csv               write id,visitorid,timestamp,itemid CSV\n"
	    "                          instead of a request stream\n"
	    "  -e, --event TYPE        target event type: view, addtocart\n"
	    "                          (default) or transaction; exact "
	    "duplicate\n"
	    "                          rows (same visitor, item, time) are "
	    "one\n"
	    "  -o, --output FILE       write to FILE (atomically), not stdout\n"
	    "  -q, --quiet             no summary or progress\n"
	    "      --since TIME        targets at or after TIME\n"
	    "      --until TIME        targets before TIME\n"
	    "                          TIME: ms, ISO 8601 UTC, end or end-14d\n"
	    "                          (relative to the stream's last event)\n"
	    "  -v, --verbose           say more on stderr\n"
	    "      --visitors          one request per visitor with an event in\n"
	    "                          the window, at --at, with no true item:\n"
	    "                          what to serve them now\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n\n"
	    "With no stream, or when stream is -, read standard input.\n");
	close_stdout();
	exit(0);
}

static const char *
time_text(char *buf, size_t n, int64_t v, int64_t open)
{
	if (v == open)
		buf[0] = '\0';
	else
		snprintf(buf, n, "%" PRId64, v);
	return buf;
}

static void
write_csv(const struct rs_request *q, size_t n, struct rs_outfile *out)
{
	struct rs_textout t;
	size_t i;

	begin_text(&t, out);
	rs_textout_str(&t, "id,visitorid,timestamp,itemid\n");
	for (i = 0; i < n; i++) {
		rs_textout_u64(&t, q[i].id);
		rs_textout_char(&t, ',');
		rs_textout_u64(&t, q[i].visitor);
		rs_textout_char(&t, ',');
		rs_textout_i64(&t, q[i].ts);
		rs_textout_char(&t, ',');
		if (q[i].item != RS_ID_NONE)	/* empty, as rs-cat prints it */
			rs_textout_u64(&t, q[i].item);
		rs_textout_char(&t, '\n');
	}
	end_text(&t, out);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "at", required_argument, NULL, OPT_AT },
		{ "event", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "visitors", no_argument, NULL, OPT_VISITORS },
		COMMON_LONGOPTS(OPT_VERSION),
		{ NULL, 0, NULL, 0 }
	};
	struct rs_bound since = { 0, 0, 0 }, until = { 0, 0, 0 };
	struct rs_bound at = { 0, 0, 0 };
	struct rs_interact_params ip;
	struct rs_request *q;
	struct rs_event *ev;
	struct rs_outfile *out;
	struct rs_error err;
	const struct rs_meta *meta;
	struct rs_meta extra[5];
	char sbuf[32], ubuf[32], abuf[32], dbuf[32];
	const char *output = NULL, *input;
	int64_t s_ms, u_ms, a_ms;
	size_t n, nq, ndup = 0;
	unsigned nmeta;
	int c, csv = 0, type = RS_EV_ADDTOCART, visitors = 0, etype = 0;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "e:ho:qv", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_AT:
			parse_bound_opt("--at", optarg, &at, usage_text);
			break;
		case OPT_CSV:
			csv = 1;
			break;
		case 'e':
			etype = 1;
			if ((type = rs_event_parse(optarg, strlen(optarg))) < 0)
				usage_error(usage_text, "invalid --event '%s': "
				    "expected view, addtocart or transaction",
				    optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_SINCE:
			parse_bound_opt("--since", optarg, &since, usage_text);
			break;
		case OPT_UNTIL:
			parse_bound_opt("--until", optarg, &until, usage_text);
			break;
		case OPT_VISITORS:
			visitors = 1;
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	input = one_operand(argc - optind, argv + optind, "event stream",
	    usage_text);
	if (visitors && etype)
		usage_error(usage_text, "--visitors takes every event type: "
		    "no --event");
	if (at.set && !visitors)
		usage_error(usage_text, "--at goes with --visitors");
	rs_interact_params_init(&ip);
	ip.since = since;
	ip.until = until;
	if (rs_interact_check_window(&ip, &err) < 0)
		usage_error(usage_text, "invalid --since/--until: %s", err.msg);

	out = csv ? open_text_output(output) : open_binary_output(output);
	ev = read_events(input, &n, out);
	progress_start("making requests", NULL, 0, -1);
	if (visitors)
		c = rs_requests_visitors(ev, n, &since, &until, &at, &q, &nq,
		    &s_ms, &u_ms, &a_ms, &err);
	else
		c = rs_requests_make(ev, n, (unsigned)type, &since, &until,
		    &q, &nq, &ndup, &s_ms, &u_ms, &err);
	if (c < 0)
		die_abort(out, &err);
	progress_start("writing the requests", NULL, 0, -1);
	if (csv) {
		write_csv(q, nq, out);
	} else {
		extra[0] = (struct rs_meta){ "input", input_name(input) };
		extra[1] = (struct rs_meta){ "event", visitors ? "none" :
		    rs_event_name((unsigned)type) };
		extra[2] = (struct rs_meta){ "since", time_text(sbuf,
		    sizeof(sbuf), s_ms, INT64_MIN) };
		extra[3] = (struct rs_meta){ "until", time_text(ubuf,
		    sizeof(ubuf), u_ms, INT64_MAX) };
		/* the fifth: "at" of --visitors, else "duplicates" */
		snprintf(dbuf, sizeof(dbuf), "%zu", ndup);
		extra[4] = visitors ? (struct rs_meta){ "at", time_text(abuf,
		    sizeof(abuf), a_ms, INT64_MIN) } :
		    (struct rs_meta){ "duplicates", dbuf };
		meta = tool_meta(extra, 5, &nmeta);
		if (rs_requests_write(q, nq, rs_outfile_fd(out),
		    rs_outfile_name(out), meta, nmeta, NULL, &err) < 0)
			die_abort(out, &err);
	}
	commit_output(out);
	progress_end();
	if (nq == 0 && visitors)
		warnx("warning: no event in the window");
	else if (nq == 0)
		warnx("warning: no '%s' event in the window",
		    rs_event_name((unsigned)type));
	if (!tool_quiet && !visitors)
		fprintf(stderr, "%s: %zu events read, %zu requests, %zu "
		    "duplicate rows dropped\n", progname, n, nq, ndup);
	else if (!tool_quiet)
		fprintf(stderr, "%s: %zu events read, %zu requests\n",
		    progname, n, nq);
	free(q);
	free(ev);
	return 0;
}
