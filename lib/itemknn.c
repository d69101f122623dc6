/*
 * itemknn.c - item-kNN training from sessions, its model stream, and
 * neighbour lookups (definitions and layout in itemknn.h).
 *
 * Training data layout:
 *   ev[]     struct kev (32 bytes) per used event, sorted by (visitor,
 *            time, input position); item is the dense row (items
 *            ascending by id, found by binary search in ids[]).
 *   norm[]   n_i in double, one per item.
 *   buf[]    (key = i << 32 | j with i < j, value) pair updates; when it
 *            fills up it is sorted and equal keys merged in place, so it
 *            holds at most the distinct pairs plus one chunk.
 * The model: ids[nitems] ascending; off[nitems + 1] into nbr[] / score[]
 * (CSR by item row).  A model being filled by rs_itemknn_add has final
 * lists for rows below `filled' only; off[] beyond filled is not set
 * yet, and every accessor reads those rows as empty (nnz_of).  Metadata
 * read from a stream is kept as key/value copies (rs_itemknn_meta).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "hugemem.h"
#include "idmap.h"
#include "itemknn.h"
#include "banned.h"

struct rs_itemknn {
	uint32_t nitems;
	uint32_t filled;	/* rows whose lists are final */
	uint64_t *ids;
	uint64_t *off;		/* nitems + 1 */
	uint32_t *nbr;
	float *score;
	uint64_t ncap, scap;	/* of nbr and score (rs_itemknn_add) */
	char **meta;		/* key, value, key, value, ... (read) */
	unsigned nmeta;
};

struct kev {
	uint64_t visitor;
	int64_t ts;
	uint64_t pos;
	uint32_t item;
	uint8_t type;
};

struct pair {
	uint64_t key;
	double v;
};

struct nb {
	uint32_t nbr;
	float s;
};

static const struct rs_column items_cols[] = {
	{ "itemid", RS_T_ID, 1, NULL, 0 }
};
static const struct rs_column nbr_cols[] = {
	{ "item", RS_T_U32, 1, NULL, 0 },
	{ "neighbor", RS_T_U32, 1, NULL, 0 },
	{ "score", RS_T_F32, 1, NULL, 0 }
};

void
rs_itemknn_params_init(struct rs_itemknn_params *p)
{
	memset(p, 0, sizeof(*p));
	p->session_gap = 30 * 60 * 1000;
	p->half_life = 0;
	p->until = INT64_MAX;
	p->neighbors = 50;
	p->window = 20;
	p->shrink = 0;
	p->weights[RS_EV_VIEW] = 1;
	p->weights[RS_EV_ADDTOCART] = 5;
	p->weights[RS_EV_TRANSACTION] = 3;
}

static int
cmp_kev(const void *a, const void *b)
{
	const struct kev *x = a, *y = b;

	if (x->visitor != y->visitor)
		return x->visitor < y->visitor ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static int
cmp_nb(const void *a, const void *b)
{
	const struct nb *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return x->nbr < y->nbr ? -1 : x->nbr > y->nbr;
}

/* Sorts buf[0..n) and merges equal keys; returns the new length. */
static size_t
merge_pairs(struct pair *buf, size_t n)
{
	size_t i, m = 0;

	qsort(buf, n, sizeof(*buf), cmp_pair);
	for (i = 0; i < n; i++) {
		if (m > 0 && buf[m - 1].key == buf[i].key)
			buf[m - 1].v += buf[i].v;
		else
			buf[m++] = buf[i];
	}
	return m;
}

struct pairbuf {
	struct pair *p;
	size_t n, cap, merged;
};

static int
pair_add(struct pairbuf *b, uint32_t i, uint32_t j, double v)
{
	struct pair *np;

	if (b->n == b->cap) {
		b->n = merge_pairs(b->p, b->n);
		if (b->n > b->cap / 2) {
			if ((np = realloc(b->p, 2 * b->cap * sizeof(*np))) ==
			    NULL)
				return RS_ENOMEM;
			b->p = np;
			b->cap *= 2;
		}
	}
	if (i > j) {
		uint32_t t = i;

		i = j;
		j = t;
	}
	b->p[b->n].key = (uint64_t)i << 32 | j;
	b->p[b->n++].v = v;
	return 0;
}

/* Rows of the "neighbors" table, lists not yet filled left out. */
static uint64_t
nnz_of(const struct rs_itemknn *m)
{
	return m->off[m->filled];
}

void
rs_itemknn_free(struct rs_itemknn *m)
{
	unsigned i;

	if (m == NULL)
		return;
	for (i = 0; i < 2 * m->nmeta; i++)
		free(m->meta[i]);
	free(m->meta);
	free(m->ids);
	free(m->off);
	free(m->nbr);
	free(m->score);
	free(m);
}

/* Builds the model's CSR from merged pairs and norms. */
static int
build(struct rs_itemknn *m, const struct pair *pr, size_t np,
    const double *norm, const struct rs_itemknn_params *p)
{
	struct nb *all;
	uint64_t *deg, k, out = 0;
	uint32_t i;
	size_t t;

	if ((deg = calloc((size_t)m->nitems + 1, sizeof(*deg))) == NULL)
		return RS_ENOMEM;
	for (t = 0; t < np; t++) {
		deg[(pr[t].key >> 32) + 1]++;
		deg[(uint32_t)pr[t].key + 1]++;
	}
	for (i = 0; i < m->nitems; i++)
		deg[i + 1] += deg[i];
	if ((all = malloc((2 * np + 1) * sizeof(*all))) == NULL) {
		free(deg);
		return RS_ENOMEM;
	}
	for (t = 0; t < np; t++) {
		const uint32_t a = (uint32_t)(pr[t].key >> 32);
		const uint32_t b = (uint32_t)pr[t].key;
		const double s = pr[t].v / (sqrt(norm[a] * norm[b]) +
		    p->shrink);

		all[deg[a]++] = (struct nb){ b, (float)s };
		all[deg[b]++] = (struct nb){ a, (float)s };
	}
	/* deg[i] now ends item i's run; rebuild starts by shifting */
	memmove(deg + 1, deg, (size_t)m->nitems * sizeof(*deg));
	deg[0] = 0;
	m->off = malloc(((size_t)m->nitems + 1) * sizeof(*m->off));
	m->nbr = malloc((2 * np + 1) * sizeof(*m->nbr));
	m->score = malloc((2 * np + 1) * sizeof(*m->score));
	if (m->off == NULL || m->nbr == NULL || m->score == NULL) {
		free(all);
		free(deg);
		return RS_ENOMEM;
	}
	for (i = 0; i < m->nitems; i++) {
		uint64_t n = deg[i + 1] - deg[i];

		qsort(all + deg[i], n, sizeof(*all), cmp_nb);
		if (n > p->neighbors)
			n = p->neighbors;
		m->off[i] = out;
		for (k = 0; k < n; k++) {
			const struct nb *e = &all[deg[i] + k];

			if (!(e->s > 0) || !isfinite(e->s))
				continue;
			m->nbr[out] = e->nbr;
			m->score[out++] = e->s;
		}
	}
	m->off[m->nitems] = out;
	m->filled = m->nitems;
	free(all);
	free(deg);
	return 0;
}

int
rs_itemknn_train(const struct rs_event *ev, size_t n,
    const struct rs_itemknn_params *p, struct rs_itemknn **out,
    struct rs_itemknn_stats *stats, struct rs_error *err)
{
	struct rs_itemknn_stats st;
	struct rs_itemknn *m = NULL;
	struct pairbuf pb = { NULL, 0, 0, 0 };
	struct kev *k = NULL;
	uint64_t *ids = NULL;
	uint32_t *stamp = NULL, *sitem = NULL, nitems = 0;
	double *norm = NULL, *sw = NULL;
	size_t i, j, ne = 0, nid;
	int64_t last = INT64_MIN;
	int rc = RS_ENOMEM;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	if (p->half_life == 0) {
		/* exact counts: one step of the incremental training */
		struct rs_itemknn_inc *t;

		if ((rc = rs_itemknn_inc_create(&t, p, err)) < 0)
			return rc;
		if ((rc = rs_itemknn_inc_add(t, ev, n, err)) == 0)
			rc = rs_itemknn_inc_train(t, p->until, out, stats, err);
		rs_itemknn_inc_free(t);
		return rc;
	}
	if (p->neighbors == 0 || p->window == 0 || p->session_gap < 0 ||
	    p->half_life < 0 || !(p->shrink >= 0))
		return rs_error_set(err, RS_EARG, "item-knn: bad parameters");
	for (i = 0; i < n; i++)
		if (ev[i].ts < p->until && ev[i].type < RS_EV_NTYPES &&
		    p->weights[ev[i].type] > 0)
			ne++;
	if ((k = malloc((ne + 1) * sizeof(*k))) == NULL ||
	    (ids = malloc((ne + 1) * sizeof(*ids))) == NULL ||
	    (m = calloc(1, sizeof(*m))) == NULL)
		goto nomem;
	for (i = 0, j = 0; i < n; i++)
		if (ev[i].ts < p->until && ev[i].type < RS_EV_NTYPES &&
		    p->weights[ev[i].type] > 0) {
			ids[j] = ev[i].item;
			k[j++] = (struct kev){ ev[i].visitor, ev[i].ts, i, 0,
			    ev[i].type };
			if (ev[i].ts > last)
				last = ev[i].ts;
		}
	qsort(ids, ne, sizeof(*ids), cmp_u64);
	for (i = 0, nid = 0; i < ne; i++)
		if (nid == 0 || ids[nid - 1] != ids[i])
			ids[nid++] = ids[i];
	if (nid >= UINT32_MAX) {
		free(k);
		free(ids);
		free(m);
		return rs_error_set(err, RS_EINPUT, "item-knn: too many items");
	}
	nitems = (uint32_t)nid;
	for (i = 0, j = 0; i < n; i++)
		if (ev[i].ts < p->until && ev[i].type < RS_EV_NTYPES &&
		    p->weights[ev[i].type] > 0)
			k[j++].item = (uint32_t)rs_ids_bsearch(ids, nitems,
			    ev[i].item);
	qsort(k, ne, sizeof(*k), cmp_kev);
	if ((norm = calloc((size_t)nitems + 1, sizeof(*norm))) == NULL ||
	    (stamp = calloc((size_t)nitems + 1, sizeof(*stamp))) == NULL ||
	    (sitem = malloc(((size_t)nitems + 1) * sizeof(*sitem))) == NULL ||
	    (sw = malloc(((size_t)nitems + 1) * sizeof(*sw))) == NULL)
		goto nomem;
	pb.cap = 1u << 20;
	if ((pb.p = malloc(pb.cap * sizeof(*pb.p))) == NULL)
		goto nomem;

	/*
	 * Walk sessions: [i, j) is one session.  stamp[item] = session
	 * number + 1 marks items already in it, and sitem/sw list its
	 * distinct items in order of first appearance with their weights.
	 * A repeated item is found by a linear search of sitem (sessions
	 * are short); the window
	 * bounds the pair count of long ones.
	 */
	for (i = 0; i < ne; i = j) {
		size_t L = 0, a, b;
		double d = 1;

		for (j = i + 1; j < ne && k[j].visitor == k[i].visitor &&
		    k[j].ts - k[j - 1].ts <= p->session_gap; j++)
			;
		st.sessions++;
		for (a = i; a < j; a++) {
			const double w = p->weights[k[a].type];
			const uint32_t it = k[a].item;

			if (stamp[it] != (uint32_t)st.sessions) {
				stamp[it] = (uint32_t)st.sessions;
				sitem[L] = it;
				sw[L++] = w;
			} else {
				for (b = 0; sitem[b] != it; b++)
					;
				if (w > sw[b])
					sw[b] = w;
			}
		}
		if (p->half_life > 0)
			d = exp2(-(double)(last - k[j - 1].ts) /
			    (double)p->half_life);
		for (a = 0; a < L; a++) {
			sw[a] *= d;
			norm[sitem[a]] += sw[a] * sw[a];
		}
		for (a = 0; a < L; a++)
			for (b = a + 1; b < L && b - a <= p->window; b++)
				if (pair_add(&pb, sitem[a], sitem[b],
				    sw[a] * sw[b]) < 0)
					goto nomem;
	}
	st.events = ne;
	pb.n = merge_pairs(pb.p, pb.n);
	st.pairs = pb.n;
	free(k);
	k = NULL;
	free(stamp);
	stamp = NULL;
	m->nitems = nitems;
	m->ids = ids;
	ids = NULL;
	if (build(m, pb.p, pb.n, norm, p) < 0)
		goto nomem;
	st.neighbors = m->off[nitems];
	free(pb.p);
	free(norm);
	free(sitem);
	free(sw);
	if (stats != NULL)
		*stats = st;
	*out = m;
	return 0;
nomem:
	free(k);
	free(ids);
	free(pb.p);
	free(norm);
	free(stamp);
	free(sitem);
	free(sw);
	rs_itemknn_free(m);
	return rs_error_set(err, rc, "item-knn: out of memory");
}

int
rs_itemknn_write(const struct rs_itemknn *m, int fd, const char *name,
    const struct rs_meta *meta, unsigned nmeta,
    const struct rs_writer_opts *opts, struct rs_error *err)
{
	struct rs_table_desc t[2];
	struct rs_stream_desc d;
	struct rs_writer *w;
	unsigned char rec[12];
	uint32_t i;
	uint64_t e;
	int rc;

	t[0] = (struct rs_table_desc){ "items", m->nitems, 1, items_cols };
	t[1] = (struct rs_table_desc){ "neighbors", nnz_of(m), 3,
	    nbr_cols };
	d = (struct rs_stream_desc){ RS_KIND_MODEL, 2, t, nmeta, meta };
	if ((rc = rs_writer_open(&w, fd, name, &d, opts, err)) < 0)
		return rc;
	for (i = 0; i < m->nitems; i++) {
		rs_put_le64(rec, m->ids[i]);
		if ((rc = rs_writer_put(w, rec, 8, err)) < 0)
			goto out;
	}
	if ((rc = rs_writer_end_table(w, err)) < 0)
		goto out;
	for (i = 0; i < m->filled; i++)
		for (e = m->off[i]; e < m->off[i + 1]; e++) {
			rs_put_le32(rec, i);
			rs_put_le32(rec + 4, m->nbr[e]);
			rs_put_f32(rec + 8, m->score[e]);
			if ((rc = rs_writer_put(w, rec, 12, err)) < 0)
				goto out;
		}
	rc = rs_writer_finish(w, err);
out:
	rs_writer_free(w);
	return rc;
}

/*
 * Room for need > *cap elements of size bytes in *p (doubling), of which
 * the first used are kept.  Huge pages (hugemem.h): first touching the
 * 96 MB of a scale-1 neighbours table in 4 KiB pages was a third of its
 * read.
 */
static int
grow_to(void **p, uint64_t *cap, uint64_t used, uint64_t need, size_t size)
{
	uint64_t c = *cap ? *cap : 1024;
	void *q;

	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / size || (q = rs_huge_realloc(*p, (size_t)used *
	    size, (size_t)c * size)) == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/*
 * The header's row counts are claims (stream.h, rs_reader_prealloc): the
 * arrays start at what the stream can hold and grow as blocks arrive;
 * off is sized once the items table is complete (tables come in header
 * order, and the reader checks each table's count at its trailer).
 */
/* Copies r's metadata into m (rs_itemknn_meta). */
static int
copy_meta(struct rs_itemknn *m, const struct rs_reader *r)
{
	const unsigned n = rs_reader_nmeta(r);
	const char *k, *v;
	unsigned i;

	if ((m->meta = calloc(2 * (size_t)n + 1, sizeof(*m->meta))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		rs_reader_meta_at(r, i, &k, &v);
		m->nmeta = i + 1;
		if ((m->meta[2 * i] = strdup(k)) == NULL ||
		    (m->meta[2 * i + 1] = strdup(v)) == NULL)
			return -1;
	}
	return 0;
}

int
rs_itemknn_read(struct rs_reader *r, struct rs_itemknn **out,
    struct rs_error *err)
{
	return rs_itemknn_read_as(r, "itemknn", out, err);
}

int
rs_itemknn_read_as(struct rs_reader *r, const char *model,
    struct rs_itemknn **out, struct rs_error *err)
{
	const char *name = rs_reader_name(r), *kind;
	const struct rs_table_desc *t0, *t1;
	struct rs_itemknn *m;
	struct rs_block blk;
	uint64_t ni = 0, nn = 0, nrow, icap, ncap, ncap2;
	uint32_t j, prev = 0;
	int rc;

	*out = NULL;
	if ((rc = rs_reader_expect(r, RS_KIND_MODEL, err)) < 0)
		return rc;
	kind = rs_reader_meta(r, "model");
	if (kind == NULL || strcmp(kind, model) != 0)
		return rs_error_set(err, RS_EFORMAT, "%s: is a '%s' model, "
		    "expected '%s'", name, kind ? kind : "unknown", model);
	if (rs_reader_ntables(r) != 2 ||
	    !rs_table_matches(t0 = rs_reader_table(r, 0), "items",
	    items_cols, 1) ||
	    !rs_table_matches(t1 = rs_reader_table(r, 1), "neighbors",
	    nbr_cols, 3))
		return rs_error_set(err, RS_EFORMAT, "%s: not the item-knn "
		    "schema of format 1.0", name);
	if (t0->nrows == RS_NROWS_UNKNOWN || t0->nrows >= UINT32_MAX ||
	    t1->nrows == RS_NROWS_UNKNOWN || t1->nrows >= (1ull << 40))
		return rs_error_set(err, RS_ECORRUPT, "%s: bad row counts",
		    name);
	if ((rc = rs_reader_prealloc(r, 0, &icap, err)) < 0 ||
	    (rc = rs_reader_prealloc(r, 1, &ncap, err)) < 0)
		return rc;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "%s: out of memory", name);
	m->nitems = (uint32_t)t0->nrows;
	nrow = t1->nrows;
	if (copy_meta(m, r) < 0)
		goto nomem;
	ncap2 = ++ncap;		/* nbr and score grow in step */
	icap++;
	m->ids = rs_huge_alloc((size_t)icap * sizeof(*m->ids));
	m->nbr = rs_huge_alloc((size_t)ncap * sizeof(*m->nbr));
	m->score = rs_huge_alloc((size_t)ncap * sizeof(*m->score));
	if (m->ids == NULL || m->nbr == NULL || m->score == NULL)
		goto nomem;
	for (;;) {
		if ((rc = rs_reader_next(r, &blk, err)) < 0)
			goto fail;
		if (rc == 0) {
			if (rs_reader_done(r))
				break;
			continue;
		}
		if (blk.table == 0 && ni + blk.nrec > icap &&
		    (ni + blk.nrec > m->nitems || grow_to((void **)&m->ids,
		    &icap, ni, ni + blk.nrec, sizeof(*m->ids)) < 0))
			goto grow_failed;
		if (blk.table == 1 && nn + blk.nrec > ncap &&
		    (nn + blk.nrec > nrow || grow_to((void **)&m->nbr,
		    &ncap, nn, nn + blk.nrec, sizeof(*m->nbr)) < 0 ||
		    grow_to((void **)&m->score, &ncap2, nn, nn + blk.nrec,
		    sizeof(*m->score)) < 0))
			goto grow_failed;
		if (blk.table == 1 && m->off == NULL &&
		    (m->off = calloc((size_t)ni + 1, sizeof(*m->off))) == NULL)
			goto nomem;
		for (j = 0; j < blk.nrec; j++) {
			if (blk.table == 0) {
				const uint64_t id = rs_get_le64(blk.data +
				    (size_t)j * 8);

				if (ni >= m->nitems || (ni > 0 &&
				    id <= m->ids[ni - 1]))
					goto corrupt;
				m->ids[ni++] = id;
			} else {
				const unsigned char *q = blk.data +
				    (size_t)j * 12;
				const uint32_t it = rs_get_le32(q);
				const uint32_t nb = rs_get_le32(q + 4);
				const float s = rs_get_f32(q + 8);

				if (nn >= nrow || it >= ni || nb >= ni ||
				    nb == it || it < prev || !isfinite(s))
					goto corrupt;
				prev = it;
				m->off[it + 1]++;
				m->nbr[nn] = nb;
				m->score[nn++] = s;
			}
		}
	}
	if (ni != m->nitems || nn != nrow)
		goto corrupt;
	if (m->off == NULL &&
	    (m->off = calloc((size_t)ni + 1, sizeof(*m->off))) == NULL)
		goto nomem;
	for (j = 0; j < m->nitems; j++)
		m->off[j + 1] += m->off[j];
	m->filled = m->nitems;
	*out = m;
	return 0;
grow_failed:
	/* More rows than claimed is corrupt; else memory ran out. */
	if ((blk.table == 0 && ni + blk.nrec > m->nitems) ||
	    (blk.table == 1 && nn + blk.nrec > nrow))
		goto corrupt;
nomem:
	rc = rs_error_set(err, RS_ENOMEM, "%s: out of memory", name);
	goto fail;
corrupt:
	rc = rs_error_set(err, RS_ECORRUPT, "%s: bad item-knn record",
	    name);
fail:
	rs_itemknn_free(m);
	return rc;
}

struct rs_itemknn *
rs_itemknn_copy(const struct rs_itemknn *m)
{
	const uint64_t nnz = nnz_of(m);
	struct rs_itemknn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->nitems = m->nitems;
	c->filled = m->filled;
	c->ncap = c->scap = nnz + 1;
	c->ids = malloc(((size_t)m->nitems + 1) * sizeof(*c->ids));
	c->off = calloc((size_t)m->nitems + 1, sizeof(*c->off));
	c->nbr = malloc((nnz + 1) * sizeof(*c->nbr));
	c->score = malloc((nnz + 1) * sizeof(*c->score));
	if (c->ids == NULL || c->off == NULL || c->nbr == NULL ||
	    c->score == NULL) {
		rs_itemknn_free(c);
		return NULL;
	}
	memcpy(c->ids, m->ids, (size_t)m->nitems * sizeof(*c->ids));
	memcpy(c->off, m->off, ((size_t)m->filled + 1) * sizeof(*c->off));
	memcpy(c->nbr, m->nbr, nnz * sizeof(*c->nbr));
	memcpy(c->score, m->score, nnz * sizeof(*c->score));
	return c;
}

uint32_t
rs_itemknn_nitems(const struct rs_itemknn *m)
{
	return m->nitems;
}

const uint64_t *
rs_itemknn_item_ids(const struct rs_itemknn *m)
{
	return m->ids;
}

int64_t
rs_itemknn_find(const struct rs_itemknn *m, uint64_t id)
{
	return rs_ids_bsearch(m->ids, m->nitems, id);
}

uint32_t
rs_itemknn_neighbors(const struct rs_itemknn *m, uint32_t row,
    const uint32_t **nbr, const float **score)
{
	if (row >= m->filled)
		return 0;
	if (nbr != NULL)
		*nbr = m->nbr + m->off[row];
	if (score != NULL)
		*score = m->score + m->off[row];
	return (uint32_t)(m->off[row + 1] - m->off[row]);
}

uint64_t
rs_itemknn_nnz(const struct rs_itemknn *m)
{
	return nnz_of(m);
}

const char *
rs_itemknn_meta(const struct rs_itemknn *m, const char *key)
{
	unsigned i;

	for (i = 0; i < m->nmeta; i++)
		if (strcmp(m->meta[2 * i], key) == 0)
			return m->meta[2 * i + 1];
	return NULL;
}

int
rs_itemknn_create(struct rs_itemknn **out, const uint64_t *ids,
    uint32_t nitems, struct rs_error *err)
{
	struct rs_itemknn *m;
	uint32_t i;

	*out = NULL;
	for (i = 1; i < nitems; i++)
		if (ids[i] <= ids[i - 1])
			return rs_error_set(err, RS_EARG, "item-knn: item ids "
			    "do not ascend");
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->ids = malloc(((size_t)nitems + 1) * sizeof(*m->ids))) ==
	    NULL ||
	    (m->off = calloc((size_t)nitems + 1, sizeof(*m->off))) == NULL) {
		rs_itemknn_free(m);
		return rs_error_set(err, RS_ENOMEM, "item-knn: out of memory");
	}
	memcpy(m->ids, ids, (size_t)nitems * sizeof(*ids));
	m->nitems = nitems;
	*out = m;
	return 0;
}

int
rs_itemknn_add(struct rs_itemknn *m, uint32_t row, const uint32_t *nbr,
    const float *score, uint32_t n, struct rs_error *err)
{
	const uint64_t at = nnz_of(m);
	uint32_t i;

	if (row >= m->nitems || row < m->filled)
		return rs_error_set(err, RS_EARG, "item-knn: list of row %u "
		    "out of order", row);
	for (i = 0; i < n; i++)
		if (nbr[i] >= m->nitems || nbr[i] == row || !isfinite(score[i]))
			return rs_error_set(err, RS_EARG, "item-knn: bad "
			    "neighbour of row %u", row);
	if ((at + n > m->ncap && grow_to((void **)&m->nbr, &m->ncap, at,
	    at + n, sizeof(*m->nbr)) < 0) || (at + n > m->scap &&
	    grow_to((void **)&m->score, &m->scap, at, at + n,
	    sizeof(*m->score)) < 0))
		return rs_error_set(err, RS_ENOMEM, "item-knn: out of memory");
	/* the rows skipped since the last list have none */
	for (i = m->filled; i < row; i++)
		m->off[i + 1] = at;
	memcpy(m->nbr + at, nbr, (size_t)n * sizeof(*nbr));
	memcpy(m->score + at, score, (size_t)n * sizeof(*score));
	m->off[row + 1] = at + n;
	m->filled = row + 1;
	return 0;
}

/*
 * ---- incremental training (rs_itemknn_inc) ----
 *
 * State between calls:
 *   pend[phead..npend)  added events not yet counted, sorted by (time,
 *                       add position) before a train takes its prefix.
 *   imap, iid[]         item id -> internal index (first-counted order).
 *   norm[i], pval[pid]  n_i and c_ij as exact fixed-point sums: a term
 *                       w_a w_b is rounded once to a multiple of 2^-20
 *                       (exact for the default weights), so a sum does
 *                       not depend on the order its terms came in, and
 *                       taking a term out again restores it bit for bit.
 *   pkey[pid], ptab[]   pair (a < b) by id, and an open-addressing table
 *                       of pid + 1 by key; adj[i] the pids of i's pairs.
 *   cur, rowof[i]       the model of the last train (rows by id), and
 *                       the row of internal item i in it (i < ncur).
 *   os[]                open sessions: each visitor's last session while
 *                       an event at or after `until' could still extend
 *                       it (its last event >= until - session_gap).
 * A train takes the pending events before its time, by visitor: a
 * visitor's first new event extends its open session when within the
 * gap (the session's terms are taken out and put back with the new
 * items and weights), else starts a new one.  Items whose n_i changed
 * are dirty.  sim(i, j) depends on c_ij, n_i and n_j only, so the lists
 * to rebuild are the dirty items' and those of their partners that
 * list a dirty item.  A clean partner j that lists none keeps its list:
 * c_jd is as before (a pair's count changes only when both items are in
 * a session counted), n_d only grew (sessions are only added or
 * extended, weights only rise), so sim(j, d) only fell, and a d outside
 * j's top list stays outside.  Every other list is the last build's.
 * So the model at time T depends only on the events before T, never on
 * the times trained before.
 */
#define INC_SCALE 1048576.0	/* 2^20 */
#define INC_WMIN (1.0 / 1024)
#define INC_WMAX 1024.0

struct pev {
	uint64_t visitor;
	int64_t ts;
	uint64_t pos;
	uint64_t item;
	uint8_t type;
};

struct ises {
	uint64_t visitor;
	int64_t last;
	uint32_t n, cap;
	uint32_t *item;
	double *w;
};

struct ilist {
	uint32_t n, cap;
	uint32_t *v;
};

struct rs_itemknn_inc {
	struct rs_itemknn_params p;
	int64_t until;
	uint64_t pos;
	struct pev *pend;
	size_t phead, npend, pcap;
	int psorted;
	struct rs_idmap *imap;
	uint32_t ni, icap;
	int64_t *norm;
	struct ilist *adj;
	struct rs_itemknn *cur;
	uint32_t *rowof, ncur;
	uint8_t *dirty;
	struct ilist dlist;	/* dirty items */
	uint32_t *order, norder;	/* internal indices by id */
	uint64_t *pkey;
	int64_t *pval;
	size_t np, pvcap;
	uint32_t *ptab;
	size_t ptsize;		/* power of two */
	struct ises *os;
	size_t nos, oscap;
	uint64_t events, sessions;
	int overflow;
};

static int
ilist_push(struct ilist *l, uint32_t v)
{
	uint32_t *nv;

	if (l->n == l->cap) {
		if ((nv = realloc(l->v, (l->cap ? 2 * (size_t)l->cap : 4) *
		    sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
		l->cap = l->cap ? 2 * l->cap : 4;
	}
	l->v[l->n++] = v;
	return 0;
}

void
rs_itemknn_inc_free(struct rs_itemknn_inc *t)
{
	size_t i;

	if (t == NULL)
		return;
	free(t->pend);
	rs_idmap_free(t->imap);
	for (i = 0; i < t->ni; i++) {
		free(t->adj[i].v);
	}
	free(t->norm);
	free(t->adj);
	rs_itemknn_free(t->cur);
	free(t->rowof);
	free(t->dirty);
	free(t->dlist.v);
	free(t->order);
	free(t->pkey);
	free(t->pval);
	free(t->ptab);
	for (i = 0; i < t->nos; i++) {
		free(t->os[i].item);
		free(t->os[i].w);
	}
	free(t->os);
	free(t);
}

int
rs_itemknn_inc_create(struct rs_itemknn_inc **out,
    const struct rs_itemknn_params *p, struct rs_error *err)
{
	struct rs_itemknn_inc *t;
	int e;

	*out = NULL;
	if (p->neighbors == 0 || p->window == 0 || p->session_gap < 0 ||
	    p->half_life != 0 || !(p->shrink >= 0))
		return rs_error_set(err, RS_EARG, "item-knn: bad parameters");
	for (e = 0; e < RS_EV_NTYPES; e++)
		if (p->weights[e] != 0 && !(p->weights[e] >= INC_WMIN &&
		    p->weights[e] <= INC_WMAX))
			return rs_error_set(err, RS_EARG, "item-knn: event "
			    "weights must be 0 or from 1/1024 to 1024");
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    rs_idmap_create(&t->imap, 0) < 0 ||
	    (t->ptab = calloc(t->ptsize = 1024, sizeof(*t->ptab))) == NULL) {
		rs_itemknn_inc_free(t);
		return rs_error_set(err, RS_ENOMEM, "item-knn: out of memory");
	}
	t->p = *p;
	t->until = INT64_MIN;
	*out = t;
	return 0;
}

int
rs_itemknn_inc_add(struct rs_itemknn_inc *t, const struct rs_event *ev,
    size_t n, struct rs_error *err)
{
	size_t i, need;
	struct pev *np;

	for (i = 0; i < n; i++)
		if (ev[i].ts < t->until)
			return rs_error_set(err, RS_EARG, "item-knn: event at "
			    "%lld is before the time already trained, %lld",
			    (long long)ev[i].ts, (long long)t->until);
	if (t->phead > 0) {
		if (t->npend > t->phead)
			memmove(t->pend, t->pend + t->phead, (t->npend -
			    t->phead) * sizeof(*t->pend));
		t->npend -= t->phead;
		t->phead = 0;
	}
	need = t->npend + n;
	if (need > t->pcap) {
		size_t c = t->pcap ? t->pcap : 1024;

		while (c < need)
			c *= 2;
		if ((np = realloc(t->pend, c * sizeof(*np))) == NULL)
			return rs_error_set(err, RS_ENOMEM, "item-knn: out of "
			    "memory");
		t->pend = np;
		t->pcap = c;
	}
	for (i = 0; i < n; i++, t->pos++) {
		if (ev[i].type >= RS_EV_NTYPES ||
		    !(t->p.weights[ev[i].type] > 0))
			continue;
		t->pend[t->npend++] = (struct pev){ ev[i].visitor, ev[i].ts,
		    t->pos, ev[i].item, ev[i].type };
	}
	if (n > 0)
		t->psorted = 0;
	return 0;
}

static int
cmp_pev_time(const void *a, const void *b)
{
	const struct pev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
cmp_pev_visitor(const void *a, const void *b)
{
	const struct pev *x = a, *y = b;

	if (x->visitor != y->visitor)
		return x->visitor < y->visitor ? -1 : 1;
	return cmp_pev_time(a, b);
}

static int64_t
fixed(double x)
{
	return (int64_t)llround(x * INC_SCALE);
}

static void
mark_dirty(struct rs_itemknn_inc *t, uint32_t i)
{
	if (!t->dirty[i]) {
		t->dirty[i] = 1;
		if (ilist_push(&t->dlist, i) < 0)
			t->overflow = RS_ENOMEM;
	}
}

/* Internal index of item id, new ones with empty state. */
static int64_t
inc_item(struct rs_itemknn_inc *t, uint64_t id)
{
	const int64_t i = rs_idmap_intern(t->imap, id);

	if (i < 0)
		return i;
	if ((uint32_t)i == t->ni) {
		if (t->ni == t->icap) {
			const uint32_t c = t->icap ? 2 * t->icap : 1024;
			int64_t *nn = realloc(t->norm, c * sizeof(*nn));
			struct ilist *na;
			uint8_t *nd;

			if (nn == NULL)
				return RS_ENOMEM;
			t->norm = nn;
			if ((na = realloc(t->adj, c * sizeof(*na))) == NULL)
				return RS_ENOMEM;
			t->adj = na;
			if ((nd = realloc(t->dirty, c)) == NULL)
				return RS_ENOMEM;
			t->dirty = nd;
			t->icap = c;
		}
		t->norm[i] = 0;
		t->adj[i] = (struct ilist){ 0, 0, NULL };
		t->dirty[i] = 0;
		t->ni++;
	}
	return i;
}

static int
pair_grow(struct rs_itemknn_inc *t)
{
	const size_t ns = 2 * t->ptsize;
	uint32_t *nt = calloc(ns, sizeof(*nt));
	size_t k, h;

	if (nt == NULL)
		return -1;
	for (k = 0; k < t->np; k++) {
		for (h = rs_mix64(t->pkey[k]) & (ns - 1); nt[h] != 0;
		    h = (h + 1) & (ns - 1))
			;
		nt[h] = (uint32_t)k + 1;
	}
	free(t->ptab);
	t->ptab = nt;
	t->ptsize = ns;
	return 0;
}

/* c_ab += v (a != b); a new pair joins both adjacency lists. */
static int
inc_pair(struct rs_itemknn_inc *t, uint32_t a, uint32_t b, int64_t v)
{
	uint64_t key;
	size_t h;
	uint32_t pid;

	if (a > b) {
		const uint32_t x = a;

		a = b;
		b = x;
	}
	key = (uint64_t)a << 32 | b;
	for (h = rs_mix64(key) & (t->ptsize - 1); t->ptab[h] != 0;
	    h = (h + 1) & (t->ptsize - 1))
		if (t->pkey[t->ptab[h] - 1] == key)
			break;
	if (t->ptab[h] == 0) {
		if (t->np >= UINT32_MAX - 1)
			return RS_EINPUT;
		if (t->np == t->pvcap) {
			const size_t c = t->pvcap ? 2 * t->pvcap : 4096;
			uint64_t *nk = realloc(t->pkey, c * sizeof(*nk));
			int64_t *nv;

			if (nk == NULL)
				return RS_ENOMEM;
			t->pkey = nk;
			if ((nv = realloc(t->pval, c * sizeof(*nv))) == NULL)
				return RS_ENOMEM;
			t->pval = nv;
			t->pvcap = c;
		}
		pid = (uint32_t)t->np++;
		t->pkey[pid] = key;
		t->pval[pid] = 0;
		t->ptab[h] = pid + 1;
		if (ilist_push(&t->adj[a], pid) < 0 ||
		    ilist_push(&t->adj[b], pid) < 0)
			return RS_ENOMEM;
		if (2 * t->np > t->ptsize && pair_grow(t) < 0)
			return RS_ENOMEM;
	} else {
		pid = t->ptab[h] - 1;
	}
	if (__builtin_add_overflow(t->pval[pid], v, &t->pval[pid]))
		return RS_EINPUT;
	return 0;
}

/* Adds (sign 1) or takes out (-1) the terms of session s. */
static int
contribute(struct rs_itemknn_inc *t, const struct ises *s, int sign)
{
	uint32_t a, b;
	int rc;

	for (a = 0; a < s->n; a++) {
		mark_dirty(t, s->item[a]);
		if (__builtin_add_overflow(t->norm[s->item[a]], sign *
		    fixed(s->w[a] * s->w[a]), &t->norm[s->item[a]]))
			return RS_EINPUT;
	}
	for (a = 0; a < s->n; a++)
		for (b = a + 1; b < s->n && b - a <= t->p.window; b++)
			if ((rc = inc_pair(t, s->item[a], s->item[b], sign *
			    fixed(s->w[a] * s->w[b]))) < 0)
				return rc;
	return t->overflow;
}

/* Event e joins session s (first appearance order, largest weight). */
static int
ses_add(struct rs_itemknn_inc *t, struct ises *s, const struct pev *e)
{
	const double w = t->p.weights[e->type];
	const int64_t g = inc_item(t, e->item);
	uint32_t a;

	if (g < 0)
		return (int)g;
	s->last = e->ts;
	for (a = 0; a < s->n; a++)
		if (s->item[a] == (uint32_t)g) {
			if (w > s->w[a])
				s->w[a] = w;
			return 0;
		}
	if (s->n == s->cap) {
		const uint32_t c = s->cap ? 2 * s->cap : 8;
		uint32_t *ni = realloc(s->item, c * sizeof(*ni));
		double *nw;

		if (ni == NULL)
			return RS_ENOMEM;
		s->item = ni;
		if ((nw = realloc(s->w, c * sizeof(*nw))) == NULL)
			return RS_ENOMEM;
		s->w = nw;
		s->cap = c;
	}
	s->item[s->n] = (uint32_t)g;
	s->w[s->n++] = w;
	return 0;
}

/* The open session of visitor v among os[0..n) (sorted), or NULL. */
static struct ises *
open_session(struct rs_itemknn_inc *t, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		const size_t mid = lo + (hi - lo) / 2;

		if (t->os[mid].visitor < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && t->os[lo].visitor == v ? &t->os[lo] : NULL;
}

static int
cmp_ises(const void *a, const void *b)
{
	const struct ises *x = a, *y = b;

	return x->visitor < y->visitor ? -1 : x->visitor > y->visitor;
}

/* Counts ev[0..n) (sorted by visitor, time, position). */
static int
inc_count(struct rs_itemknn_inc *t, const struct pev *ev, size_t n)
{
	size_t i, j, a, nos0 = t->nos;
	struct ises *s;
	int rc;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && ev[j].visitor == ev[i].visitor; j++)
			;
		/* a visitor comes once: the sessions appended need no search */
		s = open_session(t, nos0, ev[i].visitor);
		if (s != NULL && ev[i].ts - s->last <= t->p.session_gap) {
			if ((rc = contribute(t, s, -1)) < 0)
				return rc;
		} else {
			if (s == NULL) {
				if (t->nos == t->oscap) {
					const size_t c = t->oscap ?
					    2 * t->oscap : 256;
					struct ises *no = realloc(t->os,
					    c * sizeof(*no));

					if (no == NULL)
						return RS_ENOMEM;
					t->os = no;
					t->oscap = c;
				}
				s = &t->os[t->nos++];
				memset(s, 0, sizeof(*s));
				s->visitor = ev[i].visitor;
			}
			s->n = 0;
			t->sessions++;
		}
		for (a = i; a < j; a++) {
			if (a > i && ev[a].ts - ev[a - 1].ts >
			    t->p.session_gap) {
				if ((rc = contribute(t, s, 1)) < 0)
					return rc;
				s->n = 0;
				t->sessions++;
			}
			if ((rc = ses_add(t, s, &ev[a])) < 0)
				return rc;
		}
		if ((rc = contribute(t, s, 1)) < 0)
			return rc;
		t->events += j - i;
	}
	if (t->nos > nos0)
		qsort(t->os, t->nos, sizeof(*t->os), cmp_ises);
	return 0;
}

/* Drops the sessions no event at or after until can extend. */
static void
close_sessions(struct rs_itemknn_inc *t, int64_t until)
{
	size_t i, m = 0;

	for (i = 0; i < t->nos; i++) {
		if (until - t->os[i].last <= t->p.session_gap)
			t->os[m++] = t->os[i];
		else {
			free(t->os[i].item);
			free(t->os[i].w);
		}
	}
	t->nos = m;
}

/* A list entry while sorting: ties go to the lower neighbour id. */
struct inb {
	uint64_t id;
	uint32_t nbr;
	float s;
};

static int
cmp_inb(const void *a, const void *b)
{
	const struct inb *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * A heap of candidates whose root is the worst by cmp_inb (the one the
 * next better candidate replaces): so a list costs O(d log M) for d
 * partners, not a sort of all d.
 */
static void
heap_push(struct inb *h, size_t n, struct inb x)
{
	size_t k = n, p;

	while (k > 0 && cmp_inb(&h[p = (k - 1) / 2], &x) < 0) {
		h[k] = h[p];
		k = p;
	}
	h[k] = x;
}

static void
heap_down(struct inb *h, size_t n)
{
	const struct inb x = h[0];
	size_t k = 0, c;

	while ((c = 2 * k + 1) < n) {
		if (c + 1 < n && cmp_inb(&h[c], &h[c + 1]) < 0)
			c++;
		if (cmp_inb(&x, &h[c]) >= 0)
			break;
		h[k] = h[c];
		k = c;
	}
	h[k] = x;
}

/*
 * The top list of item i from its pairs into buf (room for min(degree,
 * M) entries), best first; returns its length.
 */
static uint32_t
inc_list(const struct rs_itemknn_inc *t, uint32_t i, struct inb *buf)
{
	const uint64_t *ids = rs_idmap_ids(t->imap);
	const struct ilist *l = &t->adj[i];
	const double ni = (double)t->norm[i] / INC_SCALE;
	const uint32_t M = t->p.neighbors;
	uint32_t k, n = 0, m = 0;
	struct inb x;

	for (k = 0; k < l->n; k++) {
		const uint32_t pid = l->v[k];
		const uint32_t a = (uint32_t)(t->pkey[pid] >> 32);
		const uint32_t b = (uint32_t)t->pkey[pid];
		const uint32_t j = a == i ? b : a;
		const double c = (double)t->pval[pid] / INC_SCALE;
		const double nj = (double)t->norm[j] / INC_SCALE;

		if (t->pval[pid] <= 0)
			continue;
		/* as build() computes it, in double, then rounded */
		x = (struct inb){ ids[j], j, (float)(c / (sqrt(ni * nj) +
		    t->p.shrink)) };
		if (n < M) {
			heap_push(buf, n++, x);
		} else if (cmp_inb(&x, &buf[0]) < 0) {
			buf[0] = x;
			heap_down(buf, n);
		}
	}
	/* the M best of the candidates (a total order), best first */
	qsort(buf, n, sizeof(*buf), cmp_inb);
	for (k = 0; k < n; k++)
		if (buf[k].s > 0 && isfinite(buf[k].s))
			buf[m++] = buf[k];
	return m;
}

/* 1 if the list of row r of m holds row x. */
static int
lists(const struct rs_itemknn *m, uint32_t r, uint32_t x)
{
	uint64_t e;

	for (e = m->off[r]; e < m->off[r + 1]; e++)
		if (m->nbr[e] == x)
			return 1;
	return 0;
}

/*
 * The new model: the lists to rebuild (see the top of this part) are
 * computed into an arena; every other row is the last model's, its
 * neighbour rows shifted past the items new since (remap[]).  Rows are
 * by ascending id: order[] is the last order merged with the new items.
 */
static int
inc_model(struct rs_itemknn_inc *t, struct rs_itemknn **out)
{
	const uint64_t *ids = rs_idmap_ids(t->imap);
	const struct rs_itemknn *cur = t->cur;
	struct rs_itemknn *m = NULL;
	struct ilist todo = { 0, 0, NULL };
	uint8_t *mark = NULL;
	uint32_t *row = NULL, *tix = NULL, *remap = NULL, i, k, maxdeg = 0;
	struct inb *buf = NULL;
	struct nb *arena = NULL;
	uint64_t *aoff = NULL, nnz = 0, o = 0, na = 0, acap = 0;
	int rc = RS_ENOMEM;

	if ((mark = calloc((size_t)t->ni + 1, 1)) == NULL)
		goto fail;
	for (k = 0; k < t->dlist.n; k++) {
		const uint32_t d = t->dlist.v[k];

		if (!mark[d] && (mark[d] = 1, ilist_push(&todo, d) < 0))
			goto fail;
	}
	for (k = 0; k < t->dlist.n; k++) {
		const uint32_t d = t->dlist.v[k];
		const struct ilist *l = &t->adj[d];
		uint32_t e;

		if (d >= t->ncur)
			continue;	/* new: its partners are dirty too */
		for (e = 0; e < l->n; e++) {
			const uint32_t a = (uint32_t)(t->pkey[l->v[e]] >> 32);
			const uint32_t j = a == d ? (uint32_t)t->pkey[l->v[e]]
			    : a;

			if (!mark[j] && lists(cur, t->rowof[j], t->rowof[d]) &&
			    (mark[j] = 1, ilist_push(&todo, j) < 0))
				goto fail;
		}
	}
	for (k = 0; k < t->dlist.n; k++)
		t->dirty[t->dlist.v[k]] = 0;
	t->dlist.n = 0;

	/* the new lists, todo item k's at arena[aoff[k] .. aoff[k + 1]) */
	for (k = 0; k < todo.n; k++)
		if (t->adj[todo.v[k]].n > maxdeg)
			maxdeg = t->adj[todo.v[k]].n;
	if ((buf = malloc(((size_t)maxdeg + 1) * sizeof(*buf))) == NULL ||
	    (aoff = malloc(((size_t)todo.n + 1) * sizeof(*aoff))) == NULL ||
	    (tix = malloc(((size_t)t->ni + 1) * sizeof(*tix))) == NULL)
		goto fail;
	memset(tix, 0xff, ((size_t)t->ni + 1) * sizeof(*tix));
	for (k = 0; k < todo.n; k++) {
		const uint32_t n = inc_list(t, todo.v[k], buf);
		uint32_t x;

		if (na + n > acap && grow_to((void **)&arena, &acap, na,
		    na + n, sizeof(*arena)) < 0)
			goto fail;
		aoff[k] = na;
		for (x = 0; x < n; x++)
			arena[na++] = (struct nb){ buf[x].nbr, buf[x].s };
		tix[todo.v[k]] = k;
	}
	aoff[todo.n] = na;

	/* the rows: order[] merged with the new items; remap[old row] */
	if ((remap = malloc(((size_t)t->ncur + 1) * sizeof(*remap))) == NULL)
		goto fail;
	for (i = 0; i < t->ncur; i++)
		remap[i] = i;
	if (t->norder < t->ni) {
		uint32_t *no = realloc(t->order, ((size_t)t->ni + 1) *
		    sizeof(*no)), x = t->norder, y = t->ni - t->norder, z;
		struct inb *fresh;

		if (no == NULL)
			goto fail;
		t->order = no;
		if ((fresh = malloc(((size_t)y + 1) * sizeof(*fresh))) == NULL)
			goto fail;
		for (i = t->norder; i < t->ni; i++)
			fresh[i - t->norder] = (struct inb){ ids[i], i, 0 };
		qsort(fresh, y, sizeof(*fresh), cmp_inb);
		/* merge from the back: both runs are ascending by id */
		for (z = t->ni; y > 0; )
			if (x > 0 && ids[no[x - 1]] > fresh[y - 1].id) {
				no[--z] = no[--x];
				if (x < t->ncur)
					remap[x] = z;
			} else {
				no[--z] = fresh[--y].nbr;
			}
		free(fresh);
		t->norder = t->ni;
	}
	if ((row = malloc(((size_t)t->ni + 1) * sizeof(*row))) == NULL ||
	    (m = calloc(1, sizeof(*m))) == NULL)
		goto fail;
	for (i = 0; i < t->ni; i++) {
		const uint32_t g = t->order[i];

		row[g] = i;
		nnz += tix[g] != UINT32_MAX ? aoff[tix[g] + 1] - aoff[tix[g]] :
		    g < t->ncur ? cur->off[t->rowof[g] + 1] -
		    cur->off[t->rowof[g]] : 0;
	}
	m->nitems = t->ni;
	m->ids = malloc(((size_t)t->ni + 1) * sizeof(*m->ids));
	m->off = malloc(((size_t)t->ni + 1) * sizeof(*m->off));
	m->nbr = malloc((nnz + 1) * sizeof(*m->nbr));
	m->score = malloc((nnz + 1) * sizeof(*m->score));
	if (m->ids == NULL || m->off == NULL || m->nbr == NULL ||
	    m->score == NULL)
		goto fail;
	for (i = 0; i < t->ni; i++) {
		const uint32_t g = t->order[i];
		uint64_t e, e0, e1;

		m->ids[i] = ids[g];
		m->off[i] = o;
		if (tix[g] != UINT32_MAX) {
			for (e = aoff[tix[g]]; e < aoff[tix[g] + 1]; e++, o++) {
				m->nbr[o] = row[arena[e].nbr];
				m->score[o] = arena[e].s;
			}
		} else if (g < t->ncur) {
			e0 = cur->off[t->rowof[g]];
			e1 = cur->off[t->rowof[g] + 1];
			for (e = e0; e < e1; e++)
				m->nbr[o + e - e0] = remap[cur->nbr[e]];
			memcpy(m->score + o, cur->score + e0, (e1 - e0) *
			    sizeof(*m->score));
			o += e1 - e0;
		}
	}
	m->off[t->ni] = o;
	m->filled = t->ni;
	m->ncap = m->scap = nnz + 1;
	if ((*out = rs_itemknn_copy(m)) == NULL)
		goto fail;
	rs_itemknn_free(t->cur);
	t->cur = m;
	m = NULL;
	free(t->rowof);
	t->rowof = row;
	row = NULL;
	t->ncur = t->ni;
	rc = 0;
fail:
	rs_itemknn_free(m);
	free(mark);
	free(todo.v);
	free(row);
	free(tix);
	free(remap);
	free(buf);
	free(arena);
	free(aoff);
	return rc;
}

int
rs_itemknn_inc_train(struct rs_itemknn_inc *t, int64_t until,
    struct rs_itemknn **out, struct rs_itemknn_stats *stats,
    struct rs_error *err)
{
	struct pev *tmp = NULL;
	size_t k;
	int rc;

	*out = NULL;
	if (until < t->until)
		return rs_error_set(err, RS_EARG, "item-knn: training time "
		    "%lld is before the last one, %lld", (long long)until,
		    (long long)t->until);
	if (!t->psorted && t->npend > t->phead)
		qsort(t->pend + t->phead, t->npend - t->phead,
		    sizeof(*t->pend), cmp_pev_time);
	t->psorted = 1;
	for (k = t->phead; k < t->npend && t->pend[k].ts < until; k++)
		;
	k -= t->phead;
	if ((tmp = malloc((k + 1) * sizeof(*tmp))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "item-knn: out of memory");
	if (k > 0) {
		memcpy(tmp, t->pend + t->phead, k * sizeof(*tmp));
		qsort(tmp, k, sizeof(*tmp), cmp_pev_visitor);
	}
	rc = inc_count(t, tmp, k);
	free(tmp);
	if (rc == RS_EINPUT)
		return rs_error_set(err, rc, "item-knn: co-occurrence counts "
		    "overflow (too many sessions for these weights)");
	if (rc < 0)
		return rs_error_set(err, rc, "item-knn: out of memory");
	t->phead += k;
	t->until = until;
	close_sessions(t, until);
	if (inc_model(t, out) < 0)
		return rs_error_set(err, RS_ENOMEM, "item-knn: out of memory");
	if (stats != NULL) {
		stats->events = t->events;
		stats->sessions = t->sessions;
		stats->pairs = t->np;
		stats->neighbors = rs_itemknn_nnz(*out);
	}
	return 0;
}
