/*
 * records.c - schemas and codecs of the raw kinds.  See records.h.
 */
#include <string.h>

#include "bytes.h"
#include "records.h"
#include "banned.h"

static const char *const event_labels[] = { "view", "addtocart",
	"transaction" };
static const char *const prop_labels[] = { "number", "categoryid",
	"available" };

static const struct rs_column event_cols[] = {
	{ "timestamp", RS_T_TIME, 1, NULL, 0 },
	{ "visitorid", RS_T_ID, 1, NULL, 0 },
	{ "event", RS_T_ENUM, 1, event_labels, 3 },
	{ "itemid", RS_T_ID, 1, NULL, 0 },
	{ "transactionid", RS_T_ID, 1, NULL, 0 },
};
static const struct rs_column prop_cols[] = {
	{ "timestamp", RS_T_TIME, 1, NULL, 0 },
	{ "itemid", RS_T_ID, 1, NULL, 0 },
	{ "property_kind", RS_T_ENUM, 1, prop_labels, 3 },
	{ "property", RS_T_ID, 1, NULL, 0 },
	{ "value", RS_T_STR, 1, NULL, 0 },
};
static const struct rs_column tree_cols[] = {
	{ "categoryid", RS_T_ID, 1, NULL, 0 },
	{ "parentid", RS_T_ID, 1, NULL, 0 },
};

static const struct rs_table_desc raw_tables[] = {
	{ "events", RS_NROWS_UNKNOWN, 5, event_cols },
	{ "props", RS_NROWS_UNKNOWN, 5, prop_cols },
	{ "tree", RS_NROWS_UNKNOWN, 2, tree_cols },
};

const char *
rs_event_name(unsigned type)
{
	return type < RS_EV_NTYPES ? event_labels[type] : NULL;
}

int
rs_event_parse(const char *s, size_t n)
{
	unsigned i;

	for (i = 0; i < RS_EV_NTYPES; i++)
		if (strlen(event_labels[i]) == n &&
		    memcmp(event_labels[i], s, n) == 0)
			return (int)i;
	return -1;
}

const char *
rs_prop_kind_name(unsigned kind)
{
	return kind < 3 ? prop_labels[kind] : NULL;
}

static const struct rs_table_desc *
raw_table(unsigned kind)
{
	switch (kind) {
	case RS_KIND_EVENTS:	return &raw_tables[0];
	case RS_KIND_PROPS:	return &raw_tables[1];
	case RS_KIND_TREE:	return &raw_tables[2];
	default:		return NULL;
	}
}

int
rs_records_desc(unsigned kind, const struct rs_meta *meta, unsigned nmeta,
    struct rs_stream_desc *out)
{
	const struct rs_table_desc *t = raw_table(kind);

	if (t == NULL)
		return -1;
	out->kind = (uint16_t)kind;
	out->ntables = 1;
	out->tables = t;
	out->nmeta = nmeta;
	out->meta = meta;
	return 0;
}

int
rs_records_check(const struct rs_table_desc *t, unsigned kind,
    const char *name, struct rs_error *err)
{
	const struct rs_table_desc *want = raw_table(kind);
	unsigned i, k;

	if (want == NULL || t->ncols != want->ncols)
		goto bad;
	for (i = 0; i < t->ncols; i++) {
		if (t->cols[i].type != want->cols[i].type ||
		    t->cols[i].count != 1 ||
		    strcmp(t->cols[i].name, want->cols[i].name) != 0)
			goto bad;
		if (t->cols[i].type != RS_T_ENUM)
			continue;
		if (t->cols[i].nlabels != want->cols[i].nlabels)
			goto bad;
		for (k = 0; k < t->cols[i].nlabels; k++)
			if (strcmp(t->cols[i].labels[k],
			    want->cols[i].labels[k]) != 0)
				goto bad;
	}
	return 0;
bad:
	return rs_error_set(err, RS_EFORMAT, "%s: '%s' table does not have "
	    "the schema of format 1.0", name, t->name);
}

void
rs_event_encode(unsigned char *p, const struct rs_event *e)
{
	rs_put_le64(p, (uint64_t)e->ts);
	rs_put_le64(p + 8, e->visitor);
	p[16] = e->type;
	rs_put_le64(p + 17, e->item);
	rs_put_le64(p + 25, e->txn);
}

void
rs_event_decode(const unsigned char *p, struct rs_event *e)
{
	e->ts = (int64_t)rs_get_le64(p);
	e->visitor = rs_get_le64(p + 8);
	e->type = p[16];
	e->item = rs_get_le64(p + 17);
	e->txn = rs_get_le64(p + 25);
}

size_t
rs_prop_encode(unsigned char *out, const struct rs_prop *p)
{
	rs_put_le64(out, (uint64_t)p->ts);
	rs_put_le64(out + 8, p->item);
	out[16] = p->kind;
	rs_put_le64(out + 17, p->property);
	rs_put_le32(out + 25, p->vlen);
	if (p->vlen)
		memcpy(out + RS_PROP_FIXED, p->value, p->vlen);
	return rs_prop_size(p);
}

size_t
rs_prop_decode(const unsigned char *in, struct rs_prop *p)
{
	p->ts = (int64_t)rs_get_le64(in);
	p->item = rs_get_le64(in + 8);
	p->kind = in[16];
	p->property = rs_get_le64(in + 17);
	p->vlen = rs_get_le32(in + 25);
	p->value = (const char *)in + RS_PROP_FIXED;
	return rs_prop_size(p);
}

void
rs_tree_encode(unsigned char *p, const struct rs_tree_row *t)
{
	rs_put_le64(p, t->category);
	rs_put_le64(p + 8, t->parent);
}

void
rs_tree_decode(const unsigned char *p, struct rs_tree_row *t)
{
	t->category = rs_get_le64(p);
	t->parent = rs_get_le64(p + 8);
}
