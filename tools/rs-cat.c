/*
 * rs-cat - print rs binary streams as text.
 *
 * Any stream can be turned back into CSV (or TSV): every table of the
 * stream in order, a header line per table from the column names.  The raw
 * kinds (events, props, tree) come out in the original Retailrocket CSV
 * layout, so `rs-load f.csv | rs-cat` reproduces the file's rows.  With
 * --info it prints the stream's header instead: kind, version, tables,
 * columns, metadata, and the verified row counts.
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
    "usage: rs-cat [-Hiqv] [-d delim] [-m key] [-o file] [stream ...]\n";

static void
help(void)
{
	printf("%s", usage_text);
	printf("Print rs binary streams as CSV.\n\n"
	    "  -d, --delimiter C   field separator: ',' (default) or 'tab'\n"
	    "  -H, --no-header     omit the header line of each table\n"
	    "  -i, --info          print the header, schema, metadata and row\n"
	    "                      counts instead of the rows\n"
	    "  -m, --meta KEY      print only the value of metadata KEY (exit 1\n"
	    "                      if a stream lacks it); for scripts\n"
	    "  -o, --output FILE   write to FILE (atomically) instead of stdout\n"
	    "  -q, --quiet         no warnings or progress\n"
	    "  -v, --verbose       say more on stderr\n"
	    "  -h, --help          this help\n"
	    "      --version       print the version\n\n"
	    "With no stream, or when stream is -, read standard input.\n");
	close_stdout();
	exit(0);
}

struct opts {
	char delim;
	int header;
	int info;
	const char *meta;	/* --meta KEY */
	int progress;		/* the rows go elsewhere than the terminal */
};

static void
print_value(struct rs_textout *t, const struct rs_column *c,
    const unsigned char *p, char delim)
{
	uint64_t u;

	switch (c->type) {
	case RS_T_U8:
		rs_textout_u64(t, p[0]);
		break;
	case RS_T_U16:
		rs_textout_u64(t, rs_get_le16(p));
		break;
	case RS_T_U32:
		rs_textout_u64(t, rs_get_le32(p));
		break;
	case RS_T_U64:
		rs_textout_u64(t, rs_get_le64(p));
		break;
	case RS_T_I32:
		rs_textout_i64(t, (int32_t)rs_get_le32(p));
		break;
	case RS_T_I64:
	case RS_T_TIME:
		rs_textout_i64(t, (int64_t)rs_get_le64(p));
		break;
	case RS_T_F32:
		rs_textout_f32(t, rs_get_f32(p));
		break;
	case RS_T_F64:
		rs_textout_f64(t, rs_get_f64(p));
		break;
	case RS_T_ENUM:
		if (p[0] < c->nlabels)
			rs_textout_csv_field(t, c->labels[p[0]],
			    strlen(c->labels[p[0]]), delim);
		else
			rs_textout_u64(t, p[0]);
		break;
	case RS_T_ID:
		if ((u = rs_get_le64(p)) != RS_ID_NONE)
			rs_textout_u64(t, u);
		break;
	case RS_T_STR:
		rs_textout_csv_field(t, (const char *)p + 4, rs_get_le32(p),
		    delim);
		break;
	default:
		break;
	}
}

static void
print_header(struct rs_textout *t, const struct rs_table_desc *d,
    unsigned kind, char delim)
{
	unsigned i, j, n;
	char tmp[32];

	if (kind == RS_KIND_PROPS) {
		/* The original file's header. */
		rs_textout_str(t, "timestamp");
		rs_textout_char(t, delim);
		rs_textout_str(t, "itemid");
		rs_textout_char(t, delim);
		rs_textout_str(t, "property");
		rs_textout_char(t, delim);
		rs_textout_str(t, "value\n");
		return;
	}
	for (i = 0; i < d->ncols; i++) {
		n = d->cols[i].count ? d->cols[i].count : 1;
		for (j = 0; j < n; j++) {
			if (i + j > 0)
				rs_textout_char(t, delim);
			rs_textout_str(t, d->cols[i].name);
			if (n > 1) {
				snprintf(tmp, sizeof(tmp), ".%u", j);
				rs_textout_str(t, tmp);
			}
		}
	}
	rs_textout_char(t, '\n');
}

/* Props: property_kind and property fold back into one column. */
static void
print_prop(struct rs_textout *t, const unsigned char *p, char delim)
{
	struct rs_prop pr;

	rs_prop_decode(p, &pr);
	rs_textout_i64(t, pr.ts);
	rs_textout_char(t, delim);
	rs_textout_u64(t, pr.item);
	rs_textout_char(t, delim);
	if (pr.kind == RS_PROP_NUMBER)
		rs_textout_u64(t, pr.property);
	else
		rs_textout_str(t, rs_prop_kind_name(pr.kind) ?
		    rs_prop_kind_name(pr.kind) : "?");
	rs_textout_char(t, delim);
	rs_textout_csv_field(t, pr.value, pr.vlen, delim);
	rs_textout_char(t, '\n');
}

static void
print_block(struct rs_textout *t, const struct rs_table_desc *d,
    unsigned kind, const struct rs_block *b, char delim)
{
	const unsigned char *p = b->data, *end = b->data + b->len;
	size_t w;
	unsigned i, j, n;

	while (p < end) {
		if (kind == RS_KIND_PROPS) {
			print_prop(t, p, delim);
			p += rs_record_size(d, p, (size_t)(end - p));
			continue;
		}
		for (i = 0; i < d->ncols; i++) {
			n = d->cols[i].count ? d->cols[i].count : 1;
			w = rs_type_width(d->cols[i].type);
			for (j = 0; j < n; j++) {
				if (i + j > 0)
					rs_textout_char(t, delim);
				print_value(t, &d->cols[i], p, delim);
				p += w ? w : 4 + rs_get_le32(p);
			}
		}
		rs_textout_char(t, '\n');
	}
}

static void
print_info(struct rs_textout *t, struct rs_reader *r)
{
	const struct rs_table_desc *d;
	const char *k, *v;
	char line[256];
	unsigned i, j;

	snprintf(line, sizeof(line), "kind\t%s\nformat\t%u.%u\n",
	    rs_kind_name(rs_reader_kind(r)), rs_reader_major(r),
	    rs_reader_minor(r));
	rs_textout_str(t, line);
	for (i = 0; i < rs_reader_ntables(r); i++) {
		d = rs_reader_table(r, i);
		/* Only 2.0 has extents, so 1.0 streams print as they did. */
		snprintf(line, sizeof(line), "table\t%s\t%llu rows%s\n",
		    d->name, (unsigned long long)rs_reader_rows(r, i),
		    rs_reader_layout(r, i) == RS_LAYOUT_EXTENT ? "\textent" :
		    "");
		rs_textout_str(t, line);
		for (j = 0; j < d->ncols; j++) {
			snprintf(line, sizeof(line), "column\t%s\t%s",
			    d->cols[j].name, rs_type_name(d->cols[j].type));
			rs_textout_str(t, line);
			if (d->cols[j].count > 1) {
				snprintf(line, sizeof(line), "[%u]",
				    d->cols[j].count);
				rs_textout_str(t, line);
			}
			rs_textout_char(t, '\n');
		}
	}
	for (i = 0; i < rs_reader_nmeta(r); i++) {
		rs_reader_meta_at(r, i, &k, &v);
		rs_textout_str(t, "meta\t");
		rs_textout_str(t, k);
		rs_textout_char(t, '\t');
		rs_textout_str(t, v);
		rs_textout_char(t, '\n');
	}
}

static void
cat_one(struct rs_textout *t, const char *path, const struct opts *o)
{
	const struct rs_table_desc *d;
	struct rs_reader *r;
	struct rs_error err;
	struct rs_block b;
	char label[128];
	unsigned kind, started = (unsigned)-1;
	int fd, rc;

	fd = open_input(path);
	if (o->progress && o->meta == NULL) {
		snprintf(label, sizeof(label), "printing %s",
		    input_name(path));
		progress_start(label, "rows", 0, fd);
	}
	if (rs_reader_open(&r, fd, input_name(path), &err) < 0)
		die_err(&err);
	if (o->meta != NULL) {
		/* The header alone answers; no need to read the rows. */
		const char *v = rs_reader_meta(r, o->meta);

		if (v == NULL)
			die("%s: no metadata key '%s'", input_name(path),
			    o->meta);
		rs_textout_str(t, v);
		rs_textout_char(t, '\n');
		rs_reader_free(r);
		close_input(fd);
		return;
	}
	kind = rs_reader_kind(r);
	if (kind == RS_KIND_PROPS &&
	    rs_records_check(rs_reader_table(r, 0), kind, input_name(path),
	    &err) < 0)
		die_err(&err);
	for (;;) {
		rc = rs_reader_next(r, &b, &err);
		if (rc < 0)
			die_err(&err);
		if (rc == 0 && rs_reader_done(r))
			break;
		d = rs_reader_table(r, b.table);
		if (!o->info && o->header && started != b.table) {
			print_header(t, d, kind, o->delim);
			started = b.table;
		}
		if (rc == 1 && !o->info)
			print_block(t, d, kind, &b, o->delim);
		if (rc == 1)
			progress_add(b.nrec);
	}
	progress_end();
	if (o->info)
		print_info(t, r);
	verbose("%s: %s stream, %u table(s), verified",
	    input_name(path), rs_kind_name(kind), rs_reader_ntables(r));
	rs_reader_free(r);
	close_input(fd);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "delimiter", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "info", no_argument, NULL, 'i' },
		{ "meta", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { ',', 1, 0, NULL, 0 };
	struct rs_outfile *out;
	struct rs_textout t;
	const char *output = NULL;
	int c, i;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "d:hHim:o:qv", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (strcmp(optarg, "tab") == 0 ||
			    strcmp(optarg, "\t") == 0)
				o.delim = '\t';
			else if (strcmp(optarg, ",") == 0)
				o.delim = ',';
			else
				usage_error(usage_text, "invalid --delimiter "
				    "'%s': use ',' or 'tab'", optarg);
			break;
		case 'H':
			o.header = 0;
			break;
		case 'i':
			o.info = 1;
			break;
		case 'm':
			o.meta = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		default:
			common_option(c, 'V', help, usage_text);
		}
	}
	/* A progress line would mix with rows printed on the terminal. */
	o.progress = (output != NULL && strcmp(output, "-") != 0) ||
	    !isatty(STDOUT_FILENO);
	out = open_text_output(output);
	begin_text(&t, out);
	if (optind == argc)
		cat_one(&t, "-", &o);
	for (i = optind; i < argc; i++)
		cat_one(&t, argv[i], &o);
	end_text(&t, out);
	commit_output(out);
	return 0;
}
