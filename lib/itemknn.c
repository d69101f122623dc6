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

/* Room for need > *cap elements of size bytes in *p (doubling). */
static int
grow_to(void **p, uint64_t *cap, uint64_t need, size_t size)
{
	uint64_t c = *cap ? *cap : 1024;
	void *q;

	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / size || (q = realloc(*p, (size_t)c * size)) ==
	    NULL)
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
	m->ids = malloc((size_t)icap * sizeof(*m->ids));
	m->nbr = malloc((size_t)ncap * sizeof(*m->nbr));
	m->score = malloc((size_t)ncap * sizeof(*m->score));
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
		    &icap, ni + blk.nrec, sizeof(*m->ids)) < 0))
			goto grow_failed;
		if (blk.table == 1 && nn + blk.nrec > ncap &&
		    (nn + blk.nrec > nrow || grow_to((void **)&m->nbr,
		    &ncap, nn + blk.nrec, sizeof(*m->nbr)) < 0 ||
		    grow_to((void **)&m->score, &ncap2, nn + blk.nrec,
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
	if ((at + n > m->ncap && grow_to((void **)&m->nbr, &m->ncap, at + n,
	    sizeof(*m->nbr)) < 0) || (at + n > m->scap &&
	    grow_to((void **)&m->score, &m->scap, at + n,
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
