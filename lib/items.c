/*
 * items.c - building, encoding and looking up the clean item table
 * (definitions and the stream layout are in items.h).
 *
 * Builder state, all of it independent of the number of records:
 *  - items: an idmap from itemid to a dense index i (first-seen order) and
 *    structure-of-arrays state per i: cat_ts/cat (latest categoryid),
 *    av_ts/av (latest available), ever, first/last (snapshot range).
 *    cat_ts and av_ts start at INT64_MIN ("no record yet"), so the update
 *    rule "ts >= current ts: replace" gives the later record the win on
 *    equal timestamps.
 *  - props: an idmap from numeric property id to a dense index p.
 *  - pairs: an open-addressing table (linear probing, power-of-two
 *    capacity at most 5/8 full) whose key is i << 32 | p and whose slot
 *    holds the latest timestamp and numeric value of the pair; an empty
 *    slot has key PAIR_EMPTY (i < 2^32 - 1, so no real key is all ones).
 * Per record: one item probe, and for a numeric record one property probe
 * and one pair probe.
 *
 * Finishing: items seen, minus the never-available ones unless kept,
 * sorted by itemid, are the rows.  A second pair table counts, per
 * (category index, property index), the rows having a value; those counts
 * sorted by (categoryid, count descending, property id) give each
 * category's top_n.  Then, for each row in itemid order, the kept
 * properties of its category (sorted by property id) are probed in the
 * pair table, so "values" comes out in (itemid, property) order without
 * a sort; the probes of a row are prefetched together.
 *
 * The table in memory: rows[] sorted by itemid with an idmap whose dense
 * index equals the row (ids are interned in row order), values[] with
 * vstart[row] .. vstart[row + 1] holding each row's values, catprops[].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "hugemem.h"
#include "idmap.h"
#include "items.h"
#include "numtok.h"
#include "records.h"
#include "stream.h"
#include "tree.h"
#include "banned.h"

#define PAIR_EMPTY UINT64_MAX

struct pair_slot {
	uint64_t key;
	int64_t ts;
	double v;
};

struct pairtab {
	struct pair_slot *slots;
	size_t cap, n;
};

struct rs_items_builder {
	struct rs_items_params par;
	const struct rs_tree *tree;
	struct rs_idmap *items, *props;
	size_t cap;			/* allocated per-item entries */
	int64_t *cat_ts, *av_ts, *first, *last;
	uint64_t *cat;
	uint8_t *av, *ever;
	struct pairtab pairs;
	int64_t max_ts;			/* largest timestamp read */
	struct rs_items_stats st;
};

struct rs_items {
	int64_t as_of;
	unsigned top_n;
	size_t n, nvalues, ncatprops;
	struct rs_item *rows;
	struct rs_idmap *index;		/* itemid -> row */
	struct rs_item_value *values;
	size_t *vstart;			/* n + 1 entries */
	struct rs_catprop *catprops;
};

/* ---- the pair table ---- */

static int
pairtab_init(struct pairtab *t, size_t cap)
{
	const size_t bytes = cap * sizeof(struct pair_slot);
	void *mem;
	size_t i;

	t->cap = cap;
	t->n = 0;
	/* Touched at random once per record: huge pages (hugemem.h). */
	if ((mem = rs_huge_alloc(bytes)) == NULL)
		return RS_ENOMEM;
	t->slots = mem;
	for (i = 0; i < cap; i++)
		t->slots[i].key = PAIR_EMPTY;
	return 0;
}

static int
pairtab_grow(struct pairtab *t)
{
	struct pairtab nt;
	size_t i, j;

	if (pairtab_init(&nt, t->cap * 2) < 0)
		return RS_ENOMEM;
	for (i = 0; i < t->cap; i++) {
		if (t->slots[i].key == PAIR_EMPTY)
			continue;
		j = rs_mix64(t->slots[i].key) & (nt.cap - 1);
		while (nt.slots[j].key != PAIR_EMPTY)
			j = (j + 1) & (nt.cap - 1);
		nt.slots[j] = t->slots[i];
	}
	nt.n = t->n;
	free(t->slots);
	*t = nt;
	return 0;
}

/*
 * The slot of key, inserted with ts INT64_MIN and v 0 if new; NULL on
 * allocation failure.
 */
static struct pair_slot *
pairtab_get(struct pairtab *t, uint64_t key)
{
	size_t j = rs_mix64(key) & (t->cap - 1);

	while (t->slots[j].key != key) {
		if (t->slots[j].key == PAIR_EMPTY) {
			if ((t->n + 1) * 8 > t->cap * 5) {
				if (pairtab_grow(t) < 0)
					return NULL;
				return pairtab_get(t, key);
			}
			t->slots[j].key = key;
			t->slots[j].ts = INT64_MIN;
			t->slots[j].v = 0;
			t->n++;
			break;
		}
		j = (j + 1) & (t->cap - 1);
	}
	return &t->slots[j];
}

static const struct pair_slot *
pairtab_find(const struct pairtab *t, uint64_t key)
{
	size_t j = rs_mix64(key) & (t->cap - 1);

	while (t->slots[j].key != key) {
		if (t->slots[j].key == PAIR_EMPTY)
			return NULL;
		j = (j + 1) & (t->cap - 1);
	}
	return &t->slots[j];
}

/* ---- building ---- */

void
rs_items_params_init(struct rs_items_params *p)
{
	p->as_of = RS_ITEMS_AS_OF_END;
	p->top_n = 10;
	p->keep_never_available = 0;
}

void
rs_items_builder_free(struct rs_items_builder *b)
{
	if (b == NULL)
		return;
	rs_idmap_free(b->items);
	rs_idmap_free(b->props);
	free(b->cat_ts);
	free(b->av_ts);
	free(b->first);
	free(b->last);
	free(b->cat);
	free(b->av);
	free(b->ever);
	free(b->pairs.slots);
	free(b);
}

int
rs_items_builder_create(struct rs_items_builder **out,
    const struct rs_items_params *p, const struct rs_tree *tree,
    struct rs_error *err)
{
	struct rs_items_builder *b;

	*out = NULL;
	if (p->top_n > 255)
		return rs_error_set(err, RS_EARG, "top_n %u is over 255",
		    p->top_n);
	if ((b = calloc(1, sizeof(*b))) == NULL)
		goto nomem;
	b->par = *p;
	b->tree = tree;
	b->max_ts = INT64_MIN;
	if (rs_idmap_create(&b->items, 1024) < 0 ||
	    rs_idmap_create(&b->props, 256) < 0 ||
	    pairtab_init(&b->pairs, 1024) < 0)
		goto nomem;
	*out = b;
	return 0;
nomem:
	rs_items_builder_free(b);
	return rs_error_set(err, RS_ENOMEM, "out of memory");
}

#define GROW(field) do { \
	void *np_ = realloc(b->field, cap * sizeof(*b->field)); \
	if (np_ == NULL) \
		return RS_ENOMEM; \
	b->field = np_; \
} while (0)

/* Makes room for per-item state of index i. */
static int
ensure_item(struct rs_items_builder *b, size_t i)
{
	size_t cap, k;

	if (i < b->cap)
		return 0;
	cap = b->cap ? b->cap * 2 : 1024;
	GROW(cat_ts);
	GROW(av_ts);
	GROW(first);
	GROW(last);
	GROW(cat);
	GROW(av);
	GROW(ever);
	for (k = b->cap; k < cap; k++) {
		b->cat_ts[k] = INT64_MIN;
		b->av_ts[k] = INT64_MIN;
		b->first[k] = INT64_MAX;
		b->last[k] = INT64_MIN;
		b->cat[k] = RS_ID_NONE;
		b->av[k] = 0;
		b->ever[k] = 0;
	}
	b->cap = cap;
	return 0;
}

/* Parses an unsigned decimal id of n bytes; -1 if it is not one. */
static int
parse_id(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (x > (UINT64_MAX - 9) / 10 &&
		    (x > UINT64_MAX / 10 ||
		    (uint64_t)(s[i] - '0') > UINT64_MAX - x * 10))
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

/* Quoted excerpt of a value for messages (at most 40 bytes shown). */
static int
shown(size_t n)
{
	return n > 40 ? 40 : (int)n;
}

/* A record checked by check_record and placed by locate_record. */
struct checked {
	struct rs_prop p;
	uint64_t cat;		/* categoryid value */
	double v;		/* first number token */
	int64_t i;		/* dense item index, -1 if not used */
	int64_t pi;		/* dense property index (numeric with a value) */
	int av;			/* available value */
	int num;		/* 1 if a numeric record holds a number */
};

/*
 * Validates one record; 0 or RS_EINPUT (counted, err = the reason).
 * Nothing is stored yet.
 */
static int
check_record(struct rs_items_builder *b, struct checked *c,
    struct rs_error *err)
{
	const struct rs_prop *p = &c->p;
	const char *bad;
	size_t badlen;

	b->st.records++;
	c->i = -1;
	c->num = 0;
	switch (p->kind) {
	case RS_PROP_CATEGORYID:
		if (parse_id(p->value, p->vlen, &c->cat) < 0 ||
		    c->cat == RS_ID_NONE)
			goto bad_cat;
		if (!rs_tree_has(b->tree, c->cat))
			goto bad_tree;
		break;
	case RS_PROP_AVAILABLE:
		if (p->vlen != 1 || (p->value[0] != '0' && p->value[0] != '1'))
			goto bad_av;
		c->av = p->value[0] == '1';
		break;
	case RS_PROP_NUMBER:
		c->num = rs_numtok_first(p->value, p->vlen, &c->v, &bad,
		    &badlen);
		if (c->num < 0)
			goto bad_num;
		break;
	default:
		b->st.bad++;
		return rs_error_set(err, RS_EINPUT, "unknown property kind %u",
		    (unsigned)p->kind);
	}
	return 0;
bad_cat:
	b->st.bad++;
	return rs_error_set(err, RS_EINPUT, "item '%llu': categoryid '%.*s' "
	    "is not an id", (unsigned long long)p->item, shown(p->vlen),
	    p->value);
bad_tree:
	b->st.bad++;
	return rs_error_set(err, RS_EINPUT, "item '%llu': categoryid '%llu' "
	    "is not in the category tree", (unsigned long long)p->item,
	    (unsigned long long)c->cat);
bad_av:
	b->st.bad++;
	return rs_error_set(err, RS_EINPUT, "item '%llu': available value "
	    "'%.*s' is not 0 or 1", (unsigned long long)p->item,
	    shown(p->vlen), p->value);
bad_num:
	b->st.bad++;
	return rs_error_set(err, RS_EINPUT, "item '%llu': property '%llu': "
	    "bad number token '%.*s'", (unsigned long long)p->item,
	    (unsigned long long)p->property, shown(badlen), bad);
}

/*
 * Interns the item (and property) of a good record at or before T and
 * prefetches its pair slot; leaves c->i = -1 for a record after T.
 */
static int
locate_record(struct rs_items_builder *b, struct checked *c)
{
	uint64_t key;

	if (c->p.ts > b->par.as_of) {
		b->st.after++;
		return 0;
	}
	if ((c->i = rs_idmap_intern(b->items, c->p.item)) < 0 ||
	    ensure_item(b, (size_t)c->i) < 0)
		return RS_ENOMEM;
	if (c->num > 0) {
		if ((c->pi = rs_idmap_intern(b->props, c->p.property)) < 0)
			return RS_ENOMEM;
		key = (uint64_t)c->i << 32 | (uint64_t)c->pi;
		__builtin_prefetch(&b->pairs.slots[rs_mix64(key) &
		    (b->pairs.cap - 1)], 1);
	}
	return 0;
}

/* Applies a located record: the "latest wins" updates of items.h. */
static int
apply_record(struct rs_items_builder *b, const struct checked *c)
{
	const int64_t ts = c->p.ts, i = c->i;
	struct pair_slot *s;

	if (i < 0)
		return 0;
	if (ts > b->max_ts)
		b->max_ts = ts;
	if (ts < b->first[i])
		b->first[i] = ts;
	if (ts > b->last[i])
		b->last[i] = ts;
	switch (c->p.kind) {
	case RS_PROP_CATEGORYID:
		if (ts >= b->cat_ts[i]) {
			b->cat_ts[i] = ts;
			b->cat[i] = c->cat;
		}
		break;
	case RS_PROP_AVAILABLE:
		if (ts >= b->av_ts[i]) {
			b->av_ts[i] = ts;
			b->av[i] = (uint8_t)c->av;
		}
		if (c->av)
			b->ever[i] = 1;
		break;
	default:
		if (c->num <= 0)
			break;
		s = pairtab_get(&b->pairs, (uint64_t)i << 32 |
		    (uint64_t)c->pi);
		if (s == NULL)
			return RS_ENOMEM;
		if (ts >= s->ts) {
			s->ts = ts;
			s->v = c->v;
		}
		break;
	}
	return 0;
}

int
rs_items_builder_add(struct rs_items_builder *b, const struct rs_prop *p,
    struct rs_error *err)
{
	struct checked c;
	int rc;

	c.p = *p;
	if ((rc = check_record(b, &c, err)) < 0)
		return rc;
	if (locate_record(b, &c) < 0 || apply_record(b, &c) < 0)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	return 0;
}

/*
 * Records are handled BATCH at a time: check and locate them all (which
 * issues a prefetch for each pair slot), then apply them in order, so the
 * cache misses of the pair table overlap instead of queueing.
 */
#define BATCH 32

int
rs_items_builder_read(struct rs_items_builder *b, struct rs_reader *r,
    rs_items_bad_fn bad, void *arg, struct rs_error *err)
{
	const struct rs_table_desc *d;
	const unsigned char *q, *end;
	struct checked c[BATCH];
	struct rs_error e;
	struct rs_block blk;
	char why[RS_ERROR_MSG_MAX];
	uint64_t recno = 0;
	unsigned n, k;
	int rc;

	if ((rc = rs_reader_expect(r, RS_KIND_PROPS, err)) < 0)
		return rc;
	d = rs_reader_table(r, 0);
	if (rs_reader_ntables(r) != 1)
		return rs_error_set(err, RS_EFORMAT, "%s: a props stream has "
		    "one table, not %u", rs_reader_name(r),
		    rs_reader_ntables(r));
	if ((rc = rs_records_check(d, RS_KIND_PROPS, rs_reader_name(r),
	    err)) < 0)
		return rc;
	for (;;) {
		rc = rs_reader_next(r, &blk, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (rs_reader_done(r))
				return 0;
			continue;
		}
		q = blk.data;
		end = blk.data + blk.len;
		while (q < end) {
			for (n = 0; n < BATCH && q < end; n++) {
				q += rs_prop_decode(q, &c[n].p);
				recno++;
				if (check_record(b, &c[n], &e) == 0) {
					if (locate_record(b, &c[n]) < 0)
						goto nomem;
					continue;
				}
				memcpy(why, e.msg, sizeof(why));
				rs_error_set(&e, RS_EINPUT, "%s: record %llu: "
				    "%s", rs_reader_name(r),
				    (unsigned long long)recno, why);
				if (bad != NULL && bad(arg, &e) != 0) {
					if (err != NULL)
						*err = e;
					return RS_EINPUT;
				}
			}
			for (k = 0; k < n; k++)
				if (apply_record(b, &c[k]) < 0)
					goto nomem;
		}
	}
nomem:
	return rs_error_set(err, RS_ENOMEM, "out of memory");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Count of one (category, property) pair, for choosing the top_n. */
struct catcount {
	uint64_t category;	/* external */
	uint64_t property;	/* external */
	uint32_t count;
	uint32_t ci, pi;	/* dense indices */
};

static int
cmp_catcount(const void *a, const void *b)
{
	const struct catcount *x = a, *y = b;

	if (x->category != y->category)
		return (x->category > y->category) - (x->category < y->category);
	if (x->count != y->count)
		return (x->count < y->count) - (x->count > y->count);
	return (x->property > y->property) - (x->property < y->property);
}

/* A kept property of a category: dense index and external id. */
struct catprop_ix {
	uint32_t pi;
	uint64_t property;
};

/* Insertion sort by property id: a category keeps at most 255. */
static void
sort_cp(struct catprop_ix *v, size_t n)
{
	struct catprop_ix x;
	size_t i, j;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1].property > x.property; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

int
rs_items_builder_finish(struct rs_items_builder *b, struct rs_items **out,
    struct rs_items_stats *st, struct rs_error *err)
{
	struct rs_items *t = NULL;
	struct rs_idmap *cats = NULL;
	struct pairtab counts = { NULL, 0, 0 };
	struct catprop_ix *cp = NULL;
	const struct pair_slot *cs;
	size_t *cp_start = NULL, ncats, vcap = 0;
	void *nvp;
	int64_t pi;
	struct catcount *cc = NULL;
	struct pair_slot *s;
	const uint64_t *ids;
	uint64_t *order = NULL;
	uint32_t *row_of = NULL, *cat_of_row = NULL;
	size_t nseen, i, j, k, ncc, r;
	int64_t ci;

	*out = NULL;
	nseen = rs_idmap_size(b->items);
	ids = rs_idmap_ids(b->items);
	b->st.seen = nseen;
	b->st.pairs = b->pairs.n;
	b->st.peak_bytes = sizeof(*b) + rs_idmap_bytes(b->items) +
	    rs_idmap_bytes(b->props) + b->cap * (5 * 8 + 2) +
	    b->pairs.cap * sizeof(struct pair_slot);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto nomem;
	t->top_n = b->par.top_n;
	t->as_of = b->par.as_of != RS_ITEMS_AS_OF_END ? b->par.as_of :
	    b->max_ts != INT64_MIN ? b->max_ts : RS_ITEMS_AS_OF_END;

	/* Rows: kept items sorted by itemid (id, then dense index). */
	if ((order = malloc((nseen + 1) * 2 * sizeof(*order))) == NULL ||
	    (row_of = malloc((nseen + 1) * sizeof(*row_of))) == NULL)
		goto nomem;
	for (i = 0, k = 0; i < nseen; i++) {
		row_of[i] = UINT32_MAX;
		if (!b->ever[i])
			b->st.never++;
		if (!b->ever[i] && !b->par.keep_never_available)
			continue;
		order[2 * k] = ids[i];
		order[2 * k + 1] = i;
		k++;
	}
	t->n = k;
	qsort(order, t->n, 2 * sizeof(*order), cmp_u64);
	if ((t->rows = calloc(t->n + 1, sizeof(*t->rows))) == NULL ||
	    (t->vstart = calloc(t->n + 1, sizeof(*t->vstart))) == NULL ||
	    (cat_of_row = malloc((t->n + 1) * sizeof(*cat_of_row))) == NULL ||
	    rs_idmap_create(&t->index, t->n) < 0 ||
	    rs_idmap_create(&cats, 256) < 0)
		goto nomem;
	for (r = 0; r < t->n; r++) {
		i = (size_t)order[2 * r + 1];
		row_of[i] = (uint32_t)r;
		t->rows[r].item = ids[i];
		t->rows[r].category = b->cat[i];
		t->rows[r].root = b->cat[i] == RS_ID_NONE ? RS_ID_NONE :
		    rs_tree_root(b->tree, b->cat[i]);
		t->rows[r].available = b->av[i];
		t->rows[r].ever_available = b->ever[i];
		t->rows[r].first_seen = b->first[i];
		t->rows[r].last_seen = b->last[i];
		if (b->cat[i] == RS_ID_NONE)
			b->st.no_category++;
		if (rs_idmap_intern(t->index, ids[i]) != (int64_t)r ||
		    (ci = rs_idmap_intern(cats, b->cat[i])) < 0)
			goto nomem;
		cat_of_row[r] = (uint32_t)ci;
	}
	b->st.kept = t->n;

	/* Frequencies per (category, property) over the rows. */
	if (pairtab_init(&counts, 1024) < 0)
		goto nomem;
	for (j = 0; j < b->pairs.cap; j++) {
		s = &b->pairs.slots[j];
		if (s->key == PAIR_EMPTY || row_of[s->key >> 32] == UINT32_MAX)
			continue;
		r = row_of[s->key >> 32];
		s = pairtab_get(&counts, (uint64_t)cat_of_row[r] << 32 |
		    (s->key & 0xffffffffu));
		if (s == NULL)
			goto nomem;
		if (s->ts == INT64_MIN)
			s->ts = 0;
		s->ts++;
	}
	if ((cc = malloc((counts.n + 1) * sizeof(*cc))) == NULL)
		goto nomem;
	for (j = 0, ncc = 0; j < counts.cap; j++) {
		s = &counts.slots[j];
		if (s->key == PAIR_EMPTY)
			continue;
		cc[ncc].ci = (uint32_t)(s->key >> 32);
		cc[ncc].pi = (uint32_t)(s->key & 0xffffffffu);
		cc[ncc].category = rs_idmap_ids(cats)[cc[ncc].ci];
		cc[ncc].property = rs_idmap_ids(b->props)[cc[ncc].pi];
		cc[ncc].count = (uint32_t)s->ts;
		ncc++;
	}
	qsort(cc, ncc, sizeof(*cc), cmp_catcount);
	ncats = rs_idmap_size(cats);
	if ((t->catprops = calloc(ncc + 1, sizeof(*t->catprops))) == NULL ||
	    (cp_start = calloc(ncats + 1, sizeof(*cp_start))) == NULL ||
	    (cp = malloc((ncc + 1) * sizeof(*cp))) == NULL)
		goto nomem;
	for (j = 0, k = 0; j < ncc; j++) {
		k = j > 0 && cc[j].category == cc[j - 1].category ? k + 1 : 0;
		if (k >= t->top_n)
			continue;
		t->catprops[t->ncatprops].category = cc[j].category;
		t->catprops[t->ncatprops].property = cc[j].property;
		t->catprops[t->ncatprops].nitems = cc[j].count;
		t->catprops[t->ncatprops].rank = (uint8_t)(k + 1);
		t->ncatprops++;
		cp_start[cc[j].ci + 1]++;
	}
	/* cp[cp_start[c] ..]: category c's kept properties by property id. */
	for (j = 0; j < ncats; j++)
		cp_start[j + 1] += cp_start[j];
	for (j = 0; j < t->ncatprops; j++) {
		ci = rs_idmap_find(cats, t->catprops[j].category);
		pi = rs_idmap_find(b->props, t->catprops[j].property);
		k = cp_start[ci]++;
		cp[k].pi = (uint32_t)pi;
		cp[k].property = t->catprops[j].property;
	}
	for (j = ncats; j > 0; j--)
		cp_start[j] = cp_start[j - 1];
	cp_start[0] = 0;
	for (j = 0; j < ncats; j++)
		sort_cp(cp + cp_start[j], cp_start[j + 1] - cp_start[j]);

	/*
	 * Values: rows in itemid order, and for each the kept properties of
	 * its category in property order, each one probe of the pair table
	 * (prefetched a row at a time), so "values" comes out sorted.
	 */
	for (r = 0; r < t->n; r++) {
		i = (size_t)order[2 * r + 1];
		ci = cat_of_row[r];
		for (k = cp_start[ci]; k < cp_start[ci + 1]; k++)
			__builtin_prefetch(&b->pairs.slots[rs_mix64((uint64_t)i <<
			    32 | cp[k].pi) & (b->pairs.cap - 1)]);
		if (t->nvalues + (cp_start[ci + 1] - cp_start[ci]) > vcap) {
			vcap = vcap ? vcap * 2 : 4096;
			vcap += cp_start[ci + 1] - cp_start[ci];
			if ((nvp = realloc(t->values, vcap *
			    sizeof(*t->values))) == NULL)
				goto nomem;
			t->values = nvp;
		}
		for (k = cp_start[ci]; k < cp_start[ci + 1]; k++) {
			cs = pairtab_find(&b->pairs, (uint64_t)i << 32 |
			    cp[k].pi);
			if (cs == NULL)
				continue;
			t->values[t->nvalues].item = t->rows[r].item;
			t->values[t->nvalues].property = cp[k].property;
			t->values[t->nvalues].value = cs->v;
			t->nvalues++;
		}
		t->vstart[r + 1] = t->nvalues;
	}
	b->st.values = t->nvalues;
	if (st != NULL)
		*st = b->st;
	free(order);
	free(row_of);
	free(cat_of_row);
	free(cc);
	free(counts.slots);
	free(cp);
	free(cp_start);
	rs_idmap_free(cats);
	*out = t;
	return 0;
nomem:
	free(order);
	free(row_of);
	free(cat_of_row);
	free(cc);
	free(counts.slots);
	free(cp);
	free(cp_start);
	rs_idmap_free(cats);
	rs_items_free(t);
	return rs_error_set(err, RS_ENOMEM, "out of memory");
}

/* ---- the stream codec ---- */

static const struct rs_column items_cols[] = {
	{ "itemid", RS_T_ID, 1, NULL, 0 },
	{ "categoryid", RS_T_ID, 1, NULL, 0 },
	{ "root", RS_T_ID, 1, NULL, 0 },
	{ "available", RS_T_U8, 1, NULL, 0 },
	{ "ever_available", RS_T_U8, 1, NULL, 0 },
	{ "first_seen", RS_T_TIME, 1, NULL, 0 },
	{ "last_seen", RS_T_TIME, 1, NULL, 0 }
};

static const struct rs_column catprops_cols[] = {
	{ "categoryid", RS_T_ID, 1, NULL, 0 },
	{ "rank", RS_T_U8, 1, NULL, 0 },
	{ "property", RS_T_ID, 1, NULL, 0 },
	{ "nitems", RS_T_U32, 1, NULL, 0 }
};

static const struct rs_column values_cols[] = {
	{ "itemid", RS_T_ID, 1, NULL, 0 },
	{ "property", RS_T_ID, 1, NULL, 0 },
	{ "value", RS_T_F64, 1, NULL, 0 }
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static void
desc_tables(struct rs_table_desc d[3], const struct rs_items *t)
{
	d[0].name = "items";
	d[0].nrows = t ? t->n : RS_NROWS_UNKNOWN;
	d[0].ncols = NCOLS(items_cols);
	d[0].cols = items_cols;
	d[1].name = "catprops";
	d[1].nrows = t ? t->ncatprops : RS_NROWS_UNKNOWN;
	d[1].ncols = NCOLS(catprops_cols);
	d[1].cols = catprops_cols;
	d[2].name = "values";
	d[2].nrows = t ? t->nvalues : RS_NROWS_UNKNOWN;
	d[2].ncols = NCOLS(values_cols);
	d[2].cols = values_cols;
}

int
rs_items_write(const struct rs_items *t, int fd, const char *name,
    const struct rs_meta *meta, unsigned nmeta,
    const struct rs_writer_opts *opts, struct rs_error *err)
{
	struct rs_table_desc tabs[3];
	struct rs_stream_desc sd;
	struct rs_meta *m;
	struct rs_writer *w = NULL;
	unsigned char rec[RS_ITEMS_WIDTH];
	char asof[32], topn[16];
	size_t i;
	int rc;

	if ((m = calloc(nmeta + 2, sizeof(*m))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	if (nmeta > 0)
		memcpy(m, meta, nmeta * sizeof(*m));
	snprintf(asof, sizeof(asof), "%lld", (long long)t->as_of);
	snprintf(topn, sizeof(topn), "%u", t->top_n);
	m[nmeta].key = "as_of";
	m[nmeta].value = asof;
	m[nmeta + 1].key = "top_n";
	m[nmeta + 1].value = topn;
	desc_tables(tabs, t);
	sd.kind = RS_KIND_ITEMS;
	sd.ntables = 3;
	sd.tables = tabs;
	sd.nmeta = nmeta + 2;
	sd.meta = m;
	rc = rs_writer_open(&w, fd, name, &sd, opts, err);
	free(m);
	if (rc < 0)
		return rc;
	for (i = 0; i < t->n; i++) {
		const struct rs_item *it = &t->rows[i];

		rs_put_le64(rec, it->item);
		rs_put_le64(rec + 8, it->category);
		rs_put_le64(rec + 16, it->root);
		rec[24] = it->available;
		rec[25] = it->ever_available;
		rs_put_le64(rec + 26, (uint64_t)it->first_seen);
		rs_put_le64(rec + 34, (uint64_t)it->last_seen);
		if ((rc = rs_writer_put(w, rec, RS_ITEMS_WIDTH, err)) < 0)
			goto out;
	}
	if ((rc = rs_writer_end_table(w, err)) < 0)
		goto out;
	for (i = 0; i < t->ncatprops; i++) {
		const struct rs_catprop *c = &t->catprops[i];

		rs_put_le64(rec, c->category);
		rec[8] = c->rank;
		rs_put_le64(rec + 9, c->property);
		rs_put_le32(rec + 17, c->nitems);
		if ((rc = rs_writer_put(w, rec, RS_CATPROP_WIDTH, err)) < 0)
			goto out;
	}
	if ((rc = rs_writer_end_table(w, err)) < 0)
		goto out;
	for (i = 0; i < t->nvalues; i++) {
		const struct rs_item_value *v = &t->values[i];

		rs_put_le64(rec, v->item);
		rs_put_le64(rec + 8, v->property);
		rs_put_f64(rec + 16, v->value);
		if ((rc = rs_writer_put(w, rec, RS_ITEMVAL_WIDTH, err)) < 0)
			goto out;
	}
	rc = rs_writer_finish(w, err);
out:
	rs_writer_free(w);
	return rc;
}

/* 0 if the reader's table i has exactly the columns of want. */
static int
check_table(const struct rs_reader *r, unsigned i,
    const struct rs_table_desc *want, struct rs_error *err)
{
	if (rs_table_matches(rs_reader_table(r, i), want->name, want->cols,
	    want->ncols))
		return 0;
	return rs_error_set(err, RS_EFORMAT, "%s: table %u is not the '%s' "
	    "table of an item table of format 1.0", rs_reader_name(r), i + 1,
	    want->name);
}

/* Appends n elements of size sz from p to a growing array. */
static int
append(void *arrp, size_t *n, size_t *cap, size_t sz, size_t add)
{
	void **arr = arrp, *np;
	size_t c = *cap;

	if (*n + add <= c)
		return 0;
	while (c < *n + add)
		c = c ? c * 2 : 1024;
	if ((np = realloc(*arr, c * sz)) == NULL)
		return RS_ENOMEM;
	*arr = np;
	*cap = c;
	return 0;
}

static int
corrupt(const struct rs_reader *r, const char *table, size_t recno,
    const char *why, struct rs_error *err)
{
	return rs_error_set(err, RS_ECORRUPT, "%s: %s record %zu: %s",
	    rs_reader_name(r), table, recno, why);
}

int
rs_items_read(struct rs_reader *r, struct rs_items **out,
    struct rs_error *err)
{
	struct rs_table_desc want[3];
	struct rs_items *t;
	struct rs_block blk;
	const unsigned char *q;
	const char *v;
	char *end;
	size_t cap[3] = { 0, 0, 0 }, i, row;
	long long ll;
	unsigned long ul;
	int rc;

	*out = NULL;
	if ((rc = rs_reader_expect(r, RS_KIND_ITEMS, err)) < 0)
		return rc;
	if (rs_reader_ntables(r) != 3)
		return rs_error_set(err, RS_EFORMAT, "%s: an item table has 3 "
		    "tables, not %u", rs_reader_name(r), rs_reader_ntables(r));
	desc_tables(want, NULL);
	for (i = 0; i < 3; i++)
		if ((rc = check_table(r, (unsigned)i, &want[i], err)) < 0)
			return rc;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	v = rs_reader_meta(r, "as_of");
	if (v == NULL || (ll = strtoll(v, &end, 10), *end != '\0' ||
	    end == v)) {
		rc = rs_error_set(err, RS_EFORMAT, "%s: no valid 'as_of' "
		    "metadata", rs_reader_name(r));
		goto fail;
	}
	t->as_of = ll;
	v = rs_reader_meta(r, "top_n");
	if (v != NULL && (ul = strtoul(v, &end, 10), *end == '\0' &&
	    end != v && ul <= 255))
		t->top_n = (unsigned)ul;
	for (;;) {
		rc = rs_reader_next(r, &blk, err);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			if (rs_reader_done(r))
				break;
			continue;
		}
		q = blk.data;
		switch (blk.table) {
		case 0:
			if (append(&t->rows, &t->n, &cap[0], sizeof(*t->rows),
			    blk.nrec) < 0)
				goto nomem;
			for (i = 0; i < blk.nrec; i++, q += RS_ITEMS_WIDTH) {
				struct rs_item *it = &t->rows[t->n++];

				it->item = rs_get_le64(q);
				it->category = rs_get_le64(q + 8);
				it->root = rs_get_le64(q + 16);
				it->available = q[24];
				it->ever_available = q[25];
				it->first_seen = (int64_t)rs_get_le64(q + 26);
				it->last_seen = (int64_t)rs_get_le64(q + 34);
				if (it->item == RS_ID_NONE ||
				    it->available > 1 ||
				    it->ever_available > 1 ||
				    (t->n > 1 && it[-1].item >= it->item)) {
					rc = corrupt(r, "items", t->n, "bad "
					    "itemid order or flag", err);
					goto fail;
				}
			}
			break;
		case 1:
			if (append(&t->catprops, &t->ncatprops, &cap[1],
			    sizeof(*t->catprops), blk.nrec) < 0)
				goto nomem;
			for (i = 0; i < blk.nrec; i++, q += RS_CATPROP_WIDTH) {
				struct rs_catprop *c =
				    &t->catprops[t->ncatprops++];

				c->category = rs_get_le64(q);
				c->rank = q[8];
				c->property = rs_get_le64(q + 9);
				c->nitems = rs_get_le32(q + 17);
			}
			break;
		default:
			if (append(&t->values, &t->nvalues, &cap[2],
			    sizeof(*t->values), blk.nrec) < 0)
				goto nomem;
			for (i = 0; i < blk.nrec; i++, q += RS_ITEMVAL_WIDTH) {
				struct rs_item_value *iv =
				    &t->values[t->nvalues++];

				iv->item = rs_get_le64(q);
				iv->property = rs_get_le64(q + 8);
				iv->value = rs_get_f64(q + 16);
			}
			break;
		}
	}
	if ((t->vstart = calloc(t->n + 1, sizeof(*t->vstart))) == NULL ||
	    rs_idmap_create(&t->index, t->n) < 0)
		goto nomem;
	for (row = 0; row < t->n; row++)
		if (rs_idmap_intern(t->index, t->rows[row].item) < 0)
			goto nomem;
	/* Values must follow the rows' order: one merge pass fills vstart. */
	for (i = 0, row = 0; i < t->nvalues; i++) {
		const struct rs_item_value *iv = &t->values[i];

		while (row < t->n && t->rows[row].item < iv->item)
			t->vstart[++row] = i;
		if (row == t->n || t->rows[row].item != iv->item ||
		    (i > 0 && iv[-1].item == iv->item &&
		    iv[-1].property >= iv->property)) {
			rc = corrupt(r, "values", i + 1, "item not in the "
			    "table or values out of order", err);
			goto fail;
		}
	}
	while (row < t->n)
		t->vstart[++row] = t->nvalues;
	*out = t;
	return 0;
nomem:
	rc = rs_error_set(err, RS_ENOMEM, "out of memory");
fail:
	rs_items_free(t);
	return rc;
}

/* Shortest %.Ng text that reads back as v. */
static void
put_double(struct rs_textout *o, double v)
{
	char tmp[40];
	int n = 0, prec;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	rs_textout_bytes(o, tmp, (size_t)n);
}

static void
put_id(struct rs_textout *o, uint64_t id)
{
	if (id != RS_ID_NONE)
		rs_textout_u64(o, id);
}

void
rs_items_write_csv(const struct rs_items *t, struct rs_textout *o)
{
	const struct rs_item *it;
	size_t r, k;

	rs_textout_str(o, "itemid,categoryid,root,available,ever_available,"
	    "first_seen,last_seen,properties\n");
	for (r = 0; r < t->n; r++) {
		it = &t->rows[r];
		rs_textout_u64(o, it->item);
		rs_textout_char(o, ',');
		put_id(o, it->category);
		rs_textout_char(o, ',');
		put_id(o, it->root);
		rs_textout_char(o, ',');
		rs_textout_u64(o, it->available);
		rs_textout_char(o, ',');
		rs_textout_u64(o, it->ever_available);
		rs_textout_char(o, ',');
		rs_textout_i64(o, it->first_seen);
		rs_textout_char(o, ',');
		rs_textout_i64(o, it->last_seen);
		rs_textout_char(o, ',');
		for (k = t->vstart[r]; k < t->vstart[r + 1]; k++) {
			if (k > t->vstart[r])
				rs_textout_char(o, ' ');
			rs_textout_u64(o, t->values[k].property);
			rs_textout_char(o, '=');
			put_double(o, t->values[k].value);
		}
		rs_textout_char(o, '\n');
	}
}

/* ---- lookups ---- */

size_t
rs_items_count(const struct rs_items *t)
{
	return t->n;
}

int64_t
rs_items_as_of(const struct rs_items *t)
{
	return t->as_of;
}

unsigned
rs_items_top_n(const struct rs_items *t)
{
	return t->top_n;
}

const struct rs_item *
rs_items_at(const struct rs_items *t, size_t i)
{
	return i < t->n ? &t->rows[i] : NULL;
}

int64_t
rs_items_find(const struct rs_items *t, uint64_t itemid)
{
	return rs_idmap_find(t->index, itemid);
}

const struct rs_item *
rs_items_get(const struct rs_items *t, uint64_t itemid)
{
	int64_t r = rs_idmap_find(t->index, itemid);

	return r < 0 ? NULL : &t->rows[r];
}

int
rs_items_available(const struct rs_items *t, uint64_t itemid)
{
	const struct rs_item *it = rs_items_get(t, itemid);

	return it != NULL && it->available;
}

int
rs_items_ever_available(const struct rs_items *t, uint64_t itemid)
{
	const struct rs_item *it = rs_items_get(t, itemid);

	return it != NULL && it->ever_available;
}

uint64_t
rs_items_category(const struct rs_items *t, uint64_t itemid)
{
	const struct rs_item *it = rs_items_get(t, itemid);

	return it != NULL ? it->category : RS_ID_NONE;
}

uint64_t
rs_items_root(const struct rs_items *t, uint64_t itemid)
{
	const struct rs_item *it = rs_items_get(t, itemid);

	return it != NULL ? it->root : RS_ID_NONE;
}

int
rs_items_value(const struct rs_items *t, uint64_t itemid, uint64_t property,
    double *v)
{
	int64_t r = rs_idmap_find(t->index, itemid);
	size_t k;

	if (r < 0)
		return 0;
	for (k = t->vstart[r]; k < t->vstart[r + 1]; k++) {
		if (t->values[k].property == property) {
			*v = t->values[k].value;
			return 1;
		}
	}
	return 0;
}

size_t
rs_items_row_values(const struct rs_items *t, size_t i,
    const struct rs_item_value **vals)
{
	if (i >= t->n) {
		*vals = NULL;
		return 0;
	}
	*vals = t->values + t->vstart[i];
	return t->vstart[i + 1] - t->vstart[i];
}

size_t
rs_items_catprops(const struct rs_items *t, const struct rs_catprop **cps)
{
	*cps = t->catprops;
	return t->ncatprops;
}

void
rs_items_free(struct rs_items *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	rs_idmap_free(t->index);
	free(t->values);
	free(t->vstart);
	free(t->catprops);
	free(t);
}

static int
last_time_block(void *ctx, const struct rs_block *b, struct rs_error *err)
{
	int64_t *last = ctx;
	const unsigned char *q = b->data;
	struct rs_prop p;
	uint32_t i;

	(void)err;
	for (i = 0; i < b->nrec; i++) {
		q += rs_prop_decode(q, &p);
		if (p.ts > *last)
			*last = p.ts;
	}
	return 0;
}

int
rs_items_last_time(struct rs_reader *r, int64_t *last, struct rs_error *err)
{
	int rc;

	*last = INT64_MIN;
	if ((rc = rs_reader_expect(r, RS_KIND_PROPS, err)) < 0 ||
	    (rc = rs_records_check(rs_reader_table(r, 0), RS_KIND_PROPS,
	    rs_reader_name(r), err)) < 0)
		return rc;
	return rs_reader_each(r, last_time_block, last, err);
}
