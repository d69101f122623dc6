/*
 * rs-synth - write a synthetic Retailrocket-shaped data set.
 *
 * Writes events.csv, item_properties_part1.csv, item_properties_part2.csv
 * and category_tree.csv, in the original schema, into a directory (made if
 * missing), each file atomically.  The data are byte-identical for a given
 * scale and seed whatever the number of threads; the generative model is
 * described in lib/synth.c and rs-synth(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"
#include "progress.h"
#include "synth.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-synth [-qv] [-o dir] [-s scale] [-S seed] [-t threads]\n";

static void
help(void)
{
	printf("%s", usage_text);
	printf("Write a synthetic Retailrocket-shaped data set (four CSV "
	    "files).\n\n"
	    "  -o, --output DIR    directory to write into (default .),\n"
	    "                      made if missing\n"
	    "  -q, --quiet         no warnings or progress\n"
	    "  -s, --scale X       size relative to the real data set\n"
	    "                      (default 0.01; 1 = 2.76 M events)\n"
	    "  -S, --seed N        random seed (default 1)\n"
	    "  -t, --threads N     worker threads (default 1); the output\n"
	    "                      does not depend on it\n"
	    "  -v, --verbose       print counts and timing on stderr\n"
	    "  -h, --help          this help\n"
	    "      --version       print the version\n\n"
	    "Files: events.csv, item_properties_part1.csv,\n"
	    "item_properties_part2.csv, category_tree.csv.\n");
	close_stdout();
	exit(0);
}

/*
 * Bytes of the four files at scale 1, for the progress line's percent and
 * ETA only: the size grows linearly with the scale (measured 0.001 to
 * 0.3, seeds 1 to 7, within 1 %).
 */
#define SYNTH_BYTES_AT_1 8.9e8

struct sink {
	struct rs_outfile *out[RS_SYNTH_NFILES];
	struct rs_textout t[RS_SYNTH_NFILES];
};

static int
sink_write(void *ctx, unsigned file, const void *p, size_t n,
    struct rs_error *err)
{
	struct sink *s = ctx;

	/* Bytes, not rows: counting newlines would cost more than 1 %. */
	progress_add(n);
	rs_textout_bytes(&s->t[file], p, n);
	if (s->t[file].err)
		return rs_textout_flush(&s->t[file], err);
	return 0;
}

/* mkdir -p: makes dir and its missing parents. */
static void
make_dir(const char *dir)
{
	char *p = xstrdup(dir), *q;

	for (q = p + 1; ; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		if (q[-1] != '/') {
			char c = *q;

			*q = '\0';
			if (mkdir(p, 0777) < 0 && errno != EEXIST)
				die_errno("cannot make directory '%s'", p);
			*q = c;
		}
		if (*q == '\0')
			break;
	}
	free(p);
}

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "scale", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 't' },
		COMMON_LONGOPTS('V'),
		{ NULL, 0, NULL, 0 }
	};
	struct rs_synth_params p;
	struct rs_synth_stats st;
	struct rs_error err;
	struct sink s;
	const char *dir = ".";
	char *path;
	double t0, secs;
	uint64_t total = 0;
	unsigned f;
	int c, rc;

	tool_init(argc, argv);
	rs_synth_params_init(&p);
	/*
	 * -j is the old spelling of -t/--threads, from before every tool
	 * said -t; it stays accepted, undocumented, so existing scripts keep
	 * working.
	 */
	while ((c = getopt_long(argc, argv, "hj:o:qs:S:t:v", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 's':
			p.scale = parse_double("--scale", optarg,
			    RS_SYNTH_SCALE_MIN, RS_SYNTH_SCALE_MAX, usage_text);
			break;
		case 'S':
			p.seed = parse_u64("--seed", optarg, 0, UINT64_MAX,
			    usage_text);
			break;
		case 'j':	/* the old -t, see above */
		case 't':
			p.threads = (unsigned)parse_u64("--threads", optarg, 1,
			    256, usage_text);
			break;
		default:
			common_option(c, 'V', help, usage_text);
		}
	}
	if (optind != argc)
		usage_error(usage_text, "unexpected operand '%s'",
		    argv[optind]);
	if (dir[0] == '\0')
		usage_error(usage_text, "empty --output directory");

	t0 = wall_seconds();
	make_dir(dir);
	memset(&s, 0, sizeof(s));
	for (f = 0; f < RS_SYNTH_NFILES; f++) {
		path = join(dir, rs_synth_file_name(f));
		if (rs_outfile_open(&s.out[f], path, &err) < 0)
			die_err(&err);
		free(path);
		if (rs_textout_init(&s.t[f], rs_outfile_fd(s.out[f]),
		    rs_outfile_name(s.out[f])) < 0)
			die("out of memory");
	}
	progress_start("writing 4 files", "B",
	    (uint64_t)(p.scale * SYNTH_BYTES_AT_1), -1);
	rc = rs_synth_run(&p, sink_write, &s, &st, &err);
	for (f = 0; f < RS_SYNTH_NFILES && rc == 0; f++)
		rc = rs_textout_flush(&s.t[f], &err);
	if (rc < 0) {
		abort_outputs(s.out, RS_SYNTH_NFILES);
		die_err(&err);
	}
	/* The four files appear together or not at all. */
	for (f = 0; f < RS_SYNTH_NFILES; f++) {
		rs_textout_release(&s.t[f]);
		total += st.bytes[f];
	}
	commit_outputs(s.out, RS_SYNTH_NFILES);
	progress_end();
	secs = wall_seconds() - t0;
	verbose("scale %g, seed %llu: %llu visitors, %llu items "
	    "(%llu with properties)", p.scale, (unsigned long long)p.seed,
	    (unsigned long long)st.visitors, (unsigned long long)st.items,
	    (unsigned long long)st.prop_items);
	verbose("events: %llu rows (%llu view, %llu addtocart, "
	    "%llu transaction)", (unsigned long long)st.rows[RS_SYNTH_EVENTS],
	    (unsigned long long)st.events[0], (unsigned long long)st.events[1],
	    (unsigned long long)st.events[2]);
	verbose("properties: %llu + %llu rows; tree: %llu rows",
	    (unsigned long long)st.rows[RS_SYNTH_PROPS1],
	    (unsigned long long)st.rows[RS_SYNTH_PROPS2],
	    (unsigned long long)st.rows[RS_SYNTH_TREE]);
	verbose("wrote %.1f MB in %.2f s (%.0f MB/s)", total / 1e6, secs,
	    secs > 0 ? total / 1e6 / secs : 0.0);
	return 0;
}
