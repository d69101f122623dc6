/*
 * rs-clean-items - build the clean item table from property streams and
 * the category tree.
 *
 * Reads the category tree stream (-t), reports its orphans and cycles,
 * then reads every property stream given (part1 and part2, any order, not
 * time-sorted) into an items builder (items.h) that keeps, per item, the
 * latest category and availability at or before the --as-of time and the
 * latest numeric property values.  Writes the item-table stream, or a CSV
 * for people with --csv, and a one-line summary on stderr.  Bad records
 * are reported and skipped; --strict makes the first one fatal.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "progress.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-clean-items [-qv] [--csv] [--keep-never-available] [--strict]\n"
    "       [-a time] [-n count] [-o file] -t tree props ...\n";

#define SHOW_BAD_MAX 50		/* bad-record messages shown, then counted */

static void
help(void)
{
	printf("%s", usage_text);
	printf("Build the clean item table from property streams and the "
	    "category tree.\n\n"
	    "  -a, --as-of TIME      the catalogue as it was at TIME (ms, "
	    "ISO date,\n"
	    "                        end or end-14d: before the last "
	    "snapshot);\n"
	    "                        default: the end of the data\n"
	    "      --csv             write CSV for people instead of the "
	    "stream\n"
	    "      --keep-never-available\n"
	    "                        keep items never available, flagged "
	    "(ever_available=0)\n"
	    "  -n, --top COUNT       numeric properties kept per category "
	    "(0-255, default 10)\n"
	    "  -o, --output FILE     write to FILE (atomically) instead of "
	    "stdout\n"
	    "  -q, --quiet           no warnings, summary or progress\n"
	    "      --strict          the first bad record is an error\n"
	    "  -t, --tree TREE       the category tree stream (required)\n"
	    "  -v, --verbose         say more on stderr\n"
	    "  -h, --help            this help\n"
	    "      --version         print the version\n\n"
	    "props are property streams from rs-load; - is standard input.\n");
	close_stdout();
	exit(0);
}

struct badctx {
	int strict;
	uint64_t shown;
};

/* Reports one bad record; stops the run under --strict. */
static int
on_bad(void *arg, const struct rs_error *e)
{
	struct badctx *c = arg;

	if (c->strict)
		return 1;
	if (c->shown < SHOW_BAD_MAX)
		warnx("%s", e->msg);
	else if (c->shown == SHOW_BAD_MAX)
		warnx("more bad records: counted, not shown");
	c->shown++;
	return 0;
}

/*
 * Reads the tree stream at path and builds the tree; reports orphans and
 * cut cycles with their record.  Returns the number of bad tree records.
 */
static uint64_t
load_tree(const char *path, struct rs_tree **tree, struct badctx *bc)
{
	struct rs_tree_row *rows = NULL;
	struct rs_tree_report rep;
	struct rs_idmap *seen;
	struct rs_reader *r;
	struct rs_error err;
	struct rs_block b;
	size_t n = 0, cap = 0, i, before;
	uint64_t nbad = 0;
	int fd, rc;

	r = open_stream(path, &fd);
	if (rs_reader_expect(r, RS_KIND_TREE, &err) < 0 ||
	    rs_records_check(rs_reader_table(r, 0), RS_KIND_TREE,
	    input_name(path), &err) < 0)
		die_err(&err);
	for (;;) {
		if ((rc = rs_reader_next(r, &b, &err)) < 0)
			die_err(&err);
		if (rc == 0 && rs_reader_done(r))
			break;
		if (rc == 0)
			continue;
		if (n + b.nrec > cap) {
			cap = (n + b.nrec) * 2;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		for (i = 0; i < b.nrec; i++)
			rs_tree_decode(b.data + i * RS_TREE_WIDTH, &rows[n++]);
	}
	close_stream(r, fd);
	if (rs_tree_build(tree, rows, n, &rep, &err) < 0)
		die_err(&err);
	if (rs_idmap_create(&seen, n) < 0)
		die("out of memory");
	for (i = 0; i < n; i++) {
		/* Only the first row of a category counts (tree.h). */
		before = rs_idmap_size(seen);
		if (rs_idmap_intern(seen, rows[i].category) != (int64_t)before ||
		    rows[i].parent == RS_ID_NONE ||
		    rs_tree_parent(*tree, rows[i].category) != RS_ID_NONE)
			continue;
		/* A non-root row whose category ended a root: repaired. */
		if (!rs_tree_has(*tree, rows[i].parent))
			rs_error_set(&err, RS_EINPUT, "%s: record %zu: "
			    "category '%llu' has parent '%llu' not in the "
			    "tree (made a root)", input_name(path), i + 1,
			    (unsigned long long)rows[i].category,
			    (unsigned long long)rows[i].parent);
		else
			rs_error_set(&err, RS_EINPUT, "%s: record %zu: "
			    "category '%llu' is on a cycle (cut here, made a "
			    "root)", input_name(path), i + 1,
			    (unsigned long long)rows[i].category);
		nbad++;
		if (on_bad(bc, &err))
			die_err(&err);
	}
	verbose("%s: %llu categories, %llu roots, %llu orphans, %llu cycles, "
	    "%llu duplicate rows, max depth %llu", input_name(path),
	    (unsigned long long)rep.categories,
	    (unsigned long long)rep.roots, (unsigned long long)rep.orphans,
	    (unsigned long long)rep.cycles,
	    (unsigned long long)rep.duplicates,
	    (unsigned long long)rep.max_depth);
	rs_idmap_free(seen);
	free(rows);
	return nbad;
}

static void
read_props(struct rs_items_builder *bld, const char *path, struct badctx *bc)
{
	struct rs_reader *r;
	struct rs_error err;
	int fd;

	/* The builder reads the whole stream: the file offset tells how
	 * far it is. */
	r = open_stream(path, &fd);
	if (rs_items_builder_read(bld, r, on_bad, bc, &err) < 0)
		die_err(&err);
	close_stream(r, fd);
	verbose("%s: read", input_name(path));
}

/*
 * The latest snapshot time of the property files (a first pass over
 * them, for an "end"-relative --as-of); dies when they hold none.
 */
static int64_t
props_end(char **paths, int n)
{
	struct rs_reader *r;
	struct rs_error err;
	int64_t end = INT64_MIN, last;
	int i, fd;

	progress_start("finding the last snapshot", NULL, 0, -1);
	for (i = 0; i < n; i++) {
		fd = open_input(paths[i]);
		if (rs_reader_open(&r, fd, input_name(paths[i]), &err) < 0 ||
		    rs_items_last_time(r, &last, &err) < 0)
			die_err(&err);
		rs_reader_free(r);
		close_input(fd);
		if (last > end)
			end = last;
	}
	progress_end();
	if (end == INT64_MIN)
		die("--as-of counts from the last snapshot, and the property "
		    "streams hold none");
	return end;
}

int
main(int argc, char **argv)
{
	enum { OPT_CSV = 256, OPT_KEEP, OPT_STRICT };
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "keep-never-available", no_argument, NULL, OPT_KEEP },
		{ "output", required_argument, NULL, 'o' },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "top", required_argument, NULL, 'n' },
		{ "tree", required_argument, NULL, 't' },
		COMMON_LONGOPTS('V'),
		{ NULL, 0, NULL, 0 }
	};
	struct rs_items_params par;
	struct rs_items_builder *bld;
	struct rs_items_stats st;
	struct rs_items *tab;
	struct rs_tree *tree;
	struct rs_outfile *out;
	struct rs_textout t;
	struct rs_error err;
	struct badctx bc = { 0, 0 };
	const struct rs_meta *meta;
	struct rs_meta extra[2];
	const char *output = NULL, *treepath = NULL;
	uint64_t treebad;
	unsigned nmeta;
	struct rs_bound as_of = { 0, 0, 0 };
	const char *as_of_arg = NULL;
	int c, i, csv = 0, nstdin = 0;

	tool_init(argc, argv);
	rs_items_params_init(&par);
	while ((c = getopt_long(argc, argv, "a:hn:o:qt:v", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a':
			parse_bound_opt("--as-of", optarg, &as_of, usage_text);
			as_of_arg = optarg;
			break;
		case OPT_CSV:
			csv = 1;
			break;
		case OPT_KEEP:
			par.keep_never_available = 1;
			break;
		case 'n':
			par.top_n = (unsigned)parse_u64("top", optarg, 0, 255,
			    usage_text);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_STRICT:
			bc.strict = 1;
			break;
		case 't':
			treepath = optarg;
			break;
		default:
			common_option(c, 'V', help, usage_text);
		}
	}
	if (treepath == NULL)
		usage_error(usage_text, "no category tree: give -t tree");
	if (optind == argc)
		usage_error(usage_text, "no property stream given");
	for (i = optind; i < argc; i++)
		nstdin += strcmp(argv[i], "-") == 0;
	if (nstdin + (strcmp(treepath, "-") == 0) > 1)
		usage_error(usage_text, "standard input given more than once");

	if (as_of.relative) {
		for (i = optind; i < argc; i++)
			if (strcmp(argv[i], "-") == 0)
				usage_error(usage_text, "--as-of %s counts "
				    "from the streams' last snapshot: give "
				    "files, not standard input", as_of_arg);
		par.as_of = rs_bound_resolve(&as_of, props_end(argv + optind,
		    argc - optind), RS_ITEMS_AS_OF_END);
	} else if (as_of.set) {
		par.as_of = as_of.ms;
	}
	out = csv ? open_text_output(output) : open_binary_output(output);
	treebad = load_tree(treepath, &tree, &bc);
	if (rs_items_builder_create(&bld, &par, tree, &err) < 0)
		die_err(&err);
	for (i = optind; i < argc; i++)
		read_props(bld, argv[i], &bc);
	progress_start("building the item table", NULL, 0, -1);
	if (rs_items_builder_finish(bld, &tab, &st, &err) < 0)
		die_err(&err);
	rs_items_builder_free(bld);
	progress_start("writing the item table", NULL, 0, -1);

	if (csv) {
		begin_text(&t, out);
		rs_items_write_csv(tab, &t);
		end_text(&t, out);
	} else {
		extra[0].key = "keep_never_available";
		extra[0].value = par.keep_never_available ? "1" : "0";
		extra[1].key = "strict";
		extra[1].value = bc.strict ? "1" : "0";
		meta = tool_meta(extra, 2, &nmeta);
		if (rs_items_write(tab, rs_outfile_fd(out),
		    rs_outfile_name(out), meta, nmeta, NULL, &err) < 0)
			die_abort(out, &err);
	}
	commit_output(out);
	progress_end();
	verbose("%llu records, %llu after as-of, %llu (item, property) "
	    "pairs, %llu values kept, builder state %zu bytes",
	    (unsigned long long)st.records, (unsigned long long)st.after,
	    (unsigned long long)st.pairs, (unsigned long long)st.values,
	    st.peak_bytes);
	warnx("%llu items seen, %llu kept, %llu %s as never available, "
	    "%llu bad records", (unsigned long long)st.seen,
	    (unsigned long long)st.kept, (unsigned long long)st.never,
	    par.keep_never_available ? "kept" : "dropped",
	    (unsigned long long)(st.bad + treebad));
	rs_items_free(tab);
	rs_tree_free(tree);
	return 0;
}
