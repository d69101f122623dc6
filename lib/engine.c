/*
 * engine.c - the answering engine (definitions in engine.h).
 *
 * Data layout:
 *   gmap      idmap of every item the engine can name: the caller's
 *             items first (rs_engine_intern), then model items; g is the
 *             dense index used everywhere inside, gid[g] its external id.
 *   models    g2knn[g] / knn2g[row], g2als[g] / als2g[row], pop_order[]
 *             (g by popular-model score), G = Y^T Y + lambda I (f x f,
 *             row-major, double) for fold-in; for the early-stopping
 *             ALS scan mu (f floats, the mean item factor), als_ord[]
 *             (model rows by descending |y - mu|, ties by row),
 *             als_norm[] (those distances rounded up to float, same
 *             order) and Ys (nals x f, row-major, ld f: row j is Y's
 *             row als_ord[j]).
 *   filters   blocked[g] (item table), g2av[g] (availability timeline
 *             index, -1: always available).
 *   category  g2cl[g] (the item's category timeline, catline.h; every
 *             item of the timeline is an engine item, so a group lists
 *             the catalogue, not only what someone touched); the
 *             groups c: every category an engine item ever had, and
 *             with a tree their parents, named densely by cmap, cpar[c]
 *             the group of c's parent; cmem[coff[c] .. coff[c + 1]) the
 *             items ever in c or (c a parent) in one of its children,
 *             ascending g.  popsc[g], the popular model's score, ranks
 *             them when the query brings no list of its own.
 *   table     nbt, the similar-items table (rs_engine_set_neighbors):
 *             row i's list is model row i's best nbt_n items by the
 *             cosine scan without filters, as model rows.
 * Invariant: after rs_engine_prepare nothing in e changes, so threads
 * share it (one exception, between answers only: the item-kNN model,
 * rs_engine_replace_itemknn); all per-query scratch lives in struct
 * rs_engine_work, whose marks use a tick that grows with every answer,
 * so nothing is cleared per query.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "crc32c.h"
#include "dense.h"
#include "engine.h"
#include "catline.h"
#include "hugemem.h"
#include "idmap.h"
#include "qdot.h"
#include "space.h"
#include "tree.h"
#include "banned.h"

/*
 * A scan space (space.h) and what the engine adds to it: gpos[j], the
 * engine index of Ys row j, and blk[j] its blocked flag, so that the scan
 * reads what it checks for a candidate in order, not at random; spare and
 * chunk, the scan's settings for the kind.  v is the model's own space
 * when the model stream carries it (borrowed), else built at prepare.
 */
struct space {
	struct rs_space v;
	uint32_t *gpos;		/* als2g[v.ord[j]] */
	uint8_t *blk;		/* blocked[gpos[j]] */
	size_t spare;		/* ALS_SPARE or COS_SPARE */
	size_t chunk;		/* ALS_CHUNK or COS_CHUNK */
};

struct rs_engine {
	struct rs_engine_params p;
	struct rs_idmap *gmap;
	const uint64_t *gid;
	uint32_t ng;

	const struct rs_model *pop;
	uint32_t *pop_order, npop;
	float *pop_score;	/* the popular model's score of pop_order[j] */
	const struct rs_itemknn *knn;
	uint32_t *knn2g;
	uint64_t knn_gen;	/* rs_engine_replace_itemknn calls */
	int32_t *g2knn;
	const struct rs_model *als;
	uint32_t *als2g, nals, f;
	int32_t *g2als;
	double *G, alpha, lambda, eps;
	int logc;
	const struct rs_items *items;
	uint8_t *blocked;
	const struct rs_avail *avail;
	int32_t *g2av;
	uint64_t *only, *deny;	/* item lists, sorted (rs_engine_set_item_list) */
	size_t nonly, ndeny;
	int has_only;
	struct space als_sp;	/* x . y_i: the als source */
	struct space cos_sp;	/* unit y_i: similar items (params.similar) */
	const struct rs_itemknn *nbt;	/* similar-items table, or NULL */
	uint32_t nbt_n;		/* its N */
	/* the category source (layout at the top) */
	const struct rs_catline *cl;
	const struct rs_tree *tree;
	int32_t *g2cl;		/* catline index of g, -1: none */
	int32_t *g2c0;		/* g's one group if it never moved, else -1 */
	int64_t *cfirst;	/* then: the time of its first snapshot */
	struct rs_idmap *cmap;	/* category id -> group c */
	int32_t *cpar;		/* group of c's parent, -1: none */
	uint32_t ncat;		/* groups */
	uint32_t *coff, *cmem;	/* group c's items: cmem[coff[c]..) */
	/*
	 * The same with a popular model: group c's items by popsc, best
	 * first (float score, ties by lower id), in cpop[coff[c]..
	 * coff[c + 1]), the cpopn[c] touched ones (popsc > 0) first, so
	 * that a list ranked by the model stops at its L-th item, not after
	 * the whole group.
	 */
	uint32_t *cpop, *cpopn;
	double *popsc;		/* popular-model score of g, 0: none */
	int prepared;
};

struct cand {
	uint32_t g;
	float s;
};

/*
 * Items per sgemm of a scan (struct space's chunk).  The ALS scan stops
 * early on trained models, so short chunks (a 128 KB score tile for a
 * batch of 512) let it stop soon; the cosine scan of similar items
 * rarely stops, and longer chunks spare OpenBLAS part of its per-call
 * packing (128 and 256 were no faster at scale 1).  Measured at scale 1
 * (f = 64): 22 000 visitors/s, 1 650 similar-items queries/s (k 10) and
 * 1 300 (k 50) on one core; a neighbours table answers most similar
 * items without a scan.
 */
#define ALS_CHUNK 64
#define COS_CHUNK 512
/*
 * Heap room beyond L for the rescoring (struct space's spare): the ALS
 * scores of a trained model rarely tie near the cut, the cosines of
 * similar items often do (items whose factors point the same way), and
 * a tie beyond the room costs a second pass.
 */
#define ALS_SPARE 4
#define COS_SPARE 4
/* Items per step of a lone query's scan (scan_one): one stop test each. */
#define QSCAN_CHUNK 64

/*
 * What a query notes about item g, kept in one record so that a
 * candidate costs one cache miss, not one per array (the kNN source
 * reads acc, bought and taken of each neighbour in turn).  The marks
 * equal to the work's tick are set for the query being answered.
 */
struct mark {
	uint32_t bought;	/* bought, or excluded, by the visitor */
	uint32_t seen;		/* visited by the recent or category source */
	uint32_t taken;		/* in the kNN context, or in the answer */
	uint32_t accmark;	/* acc is this query's */
	uint32_t pos;		/* recent: its place in the list */
	float acc;		/* a score summed over events or neighbours */
	uint32_t pad[2];	/* 32 bytes: a record never spans two lines */
};

/*
 * Ticks one public call may use at most (a tick per query of a batch,
 * per recent item of a similar merge): the marks are cleared before the
 * tick could wrap within a call and meet a mark of 2^32 ticks ago.
 */
#define TICK_ROOM (1u << 20)

struct rs_engine_work {
	uint32_t tick;
	size_t nm;		/* records in m */
	int64_t t;		/* time of the query being answered */
	struct mark *m;		/* ng: the per-item state of a query */
	uint32_t *touched;
	struct cand *list[RS_SRC_N];
	size_t nlist[RS_SRC_N];
	double *A, *b;
	struct cand *cbuf;	/* ng candidates (itemknn) */
	uint64_t pf_key[RS_ENGINE_BATCH];	/* als lists prefetched */
	size_t pf_n;
	int pf_similar;		/* they are similar items (key: item + 1) */
	int64_t pf_t;		/* at this time */
	float *pf_sx;		/* similar: the query items' unit vectors */
	uint32_t pf_self[RS_ENGINE_BATCH];
	struct cand *pf_list;	/* RS_ENGINE_BATCH x 2 kmax */
	struct cand *pf_heap;	/* RS_ENGINE_BATCH x (2 kmax + COS_SPARE) */
	uint32_t *pf_cnt;	/* per prefetched query */
	float *pf_x, *pf_xa, *pf_s;	/* batch x f (twice), batch x chunk */
	uint64_t als_scored;	/* (query, item) scores of the ALS scan */
	uint64_t als_full;	/* queries rescored by a full exact scan */
	uint64_t nfolded, ntrained;	/* als vectors by fold-in, trained */
	uint64_t sim_table, sim_scan;	/* similar lists: table, scanned */
	int16_t *qp;		/* scan_one: the query as int16 (qdot.h) */
	uint32_t *exbuf;	/* online: q's exclusions and the item */
	uint32_t *rowg;		/* kmax: the items of the rows so far */
	size_t exbuf_cap;
	uint32_t *rec;		/* online: recent_n items */
	struct cand *onl;	/* online: one scan's list (2 kmax) */
	uint32_t *grp;		/* category: the query's groups */
	uint64_t cached;	/* key of the query whose lists are in list[] */
	uint64_t cached_gen;	/* the engine's knn_gen when they were made */
	unsigned have;		/* bit per source computed for it */
};

static void tick_room(struct rs_engine_work *w);

static const char *const src_names[RS_SRC_N] = {
	"popular", "recent", "itemknn", "als", "online", "category"
};

const char *
rs_source_name(int src)
{
	return src >= 0 && src < RS_SRC_N ? src_names[src] : "unknown";
}

void
rs_engine_params_init(struct rs_engine_params *p)
{
	memset(p, 0, sizeof(*p));
	p->weights[RS_EV_VIEW] = 1;
	p->weights[RS_EV_ADDTOCART] = 5;
	p->weights[RS_EV_TRANSACTION] = 3;
	p->kmax = 20;
	p->knn_context = 5;
	p->knn_decay = 0.7;
	p->fold_in = 1;
	p->recent_n = 5;
	p->threads = 1;
}

static int
source_of(const char *s, size_t n)
{
	int i;

	for (i = 0; i < RS_SRC_N; i++)
		if (strlen(src_names[i]) == n && memcmp(s, src_names[i], n) == 0)
			return i;
	return -1;
}

void
rs_blend_single(struct rs_blend *b, int src)
{
	memset(b, 0, sizeof(*b));
	b->n = 1;
	b->src[0] = src;
	b->quota[0] = 1;
	b->sum = 1;
	snprintf(b->name, sizeof(b->name), "%s", rs_source_name(src));
}

int
rs_blend_parse(const char *s, struct rs_blend *b,
    struct rs_error *err)
{
	const char *p = s, *end, *colon;
	unsigned i;
	int src;

	memset(b, 0, sizeof(*b));
	if (strlen(s) >= sizeof(b->name))
		return rs_error_set(err, RS_EARG, "blend '%s' is too long", s);
	snprintf(b->name, sizeof(b->name), "%s", s);
	for (;;) {
		unsigned long q = 1;

		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		colon = memchr(p, ':', (size_t)(end - p));
		if ((src = source_of(p, (size_t)((colon ? colon : end) - p))) <
		    0)
			return rs_error_set(err, RS_EARG, "unknown source '%.*s' "
			    "(expected popular, recent, itemknn, als, online or "
			    "category)",
			    (int)((colon ? colon : end) - p), p);
		if (colon != NULL) {
			const char *d;

			q = 0;
			for (d = colon + 1; d < end; d++) {
				if (*d < '0' || *d > '9' || q > 100000)
					break;
				q = q * 10 + (unsigned long)(*d - '0');
			}
			if (d == colon + 1 || d < end || q > 100000)
				return rs_error_set(err, RS_EARG, "bad quota "
				    "'%.*s' (expected a whole number 0..100000)",
				    (int)(end - colon - 1), colon + 1);
		}
		for (i = 0; i < b->n; i++)
			if (b->src[i] == src)
				return rs_error_set(err, RS_EARG, "source '%s' "
				    "appears twice", src_names[src]);
		if (b->n == RS_ENGINE_MAX_SOURCES)
			return rs_error_set(err, RS_EARG, "too many sources");
		b->src[b->n] = src;
		b->quota[b->n++] = (unsigned)q;
		b->sum += (unsigned)q;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	for (i = 0; i < b->n && b->quota[i] == 0; i++)
		;
	if (i == b->n)
		return rs_error_set(err, RS_EARG, "blend '%s' has no source "
		    "with a quota above 0", s);
	return 0;
}

int
rs_blend_has(const struct rs_blend *b, int src)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		if (b->src[i] == src)
			return 1;
	return 0;
}

/* ---- construction ---- */

/*
 * Each source's list is computed once per query at this length and
 * shared by every blend and K: 2 kmax, so a source keeps kmax items
 * after others took up to kmax of its best; kmax when params.one_list
 * says the blends never let another source take rows first.
 */
static size_t
list_len(const struct rs_engine *e)
{
	return (e->p.one_list ? 1 : 2) * (size_t)e->p.kmax;
}

static int
nomem(struct rs_error *err)
{
	return rs_error_set(err, RS_ENOMEM, "engine: out of memory");
}

int
rs_engine_create(struct rs_engine **out, const struct rs_engine_params *p,
    struct rs_error *err)
{
	struct rs_engine *e;

	*out = NULL;
	if (p->kmax == 0 || p->kmax > RS_ENGINE_MAX_K ||
	    p->knn_context == 0 || !(p->knn_decay > 0))
		return rs_error_set(err, RS_EARG, "engine: bad parameters");
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return nomem(err);
	e->p = *p;
	if (e->p.threads == 0)
		e->p.threads = 1;
	if (e->p.threads > RS_SPACE_MAX_THREADS)
		e->p.threads = RS_SPACE_MAX_THREADS;
	/*
	 * One question is answered on one thread; callers run questions side
	 * by side (rs-answer's jobs, rs-serve's pool).  OpenBLAS's own
	 * threads would only fight them (measured in rs-serve: a third of
	 * the time in exec_blas_async and sched_yield).
	 */
	rs_dense_init();
	if (rs_idmap_create(&e->gmap, 1024) < 0) {
		free(e);
		return nomem(err);
	}
	*out = e;
	return 0;
}

int64_t
rs_engine_intern(struct rs_engine *e, uint64_t id)
{
	if (e->prepared)
		return RS_EARG;
	return rs_idmap_intern(e->gmap, id);
}

int64_t
rs_engine_find(const struct rs_engine *e, uint64_t id)
{
	return rs_idmap_find(e->gmap, id);
}

uint32_t
rs_engine_nitems(const struct rs_engine *e)
{
	return (uint32_t)rs_idmap_size(e->gmap);
}

const uint64_t *
rs_engine_item_ids(const struct rs_engine *e)
{
	return rs_idmap_ids(e->gmap);
}

static int
intern_all(struct rs_engine *e, const uint64_t *ids, uint32_t n,
    uint32_t **to_g, struct rs_error *err)
{
	uint32_t i;
	int64_t g;

	if ((*to_g = malloc(((size_t)n + 1) * sizeof(**to_g))) == NULL)
		return nomem(err);
	for (i = 0; i < n; i++) {
		if ((g = rs_idmap_intern(e->gmap, ids[i])) < 0)
			return nomem(err);
		(*to_g)[i] = (uint32_t)g;
	}
	return 0;
}

int
rs_engine_set_popular(struct rs_engine *e, const struct rs_model *m,
    struct rs_error *err)
{
	if (e->prepared || rs_model_kind(m) != RS_MODEL_POPULAR)
		return rs_error_set(err, RS_EARG, "engine: not a popular model");
	e->pop = m;
	return 0;
}

int
rs_engine_set_itemknn(struct rs_engine *e, const struct rs_itemknn *m,
    struct rs_error *err)
{
	if (e->prepared)
		return rs_error_set(err, RS_EARG, "engine: already prepared");
	e->knn = m;
	return 0;
}

int
rs_engine_set_als(struct rs_engine *e, const struct rs_model *m,
    struct rs_error *err)
{
	struct rs_model_fold fp;
	int rc;

	if (e->prepared || rs_model_kind(m) != RS_MODEL_ALS)
		return rs_error_set(err, RS_EARG, "engine: not an ALS model");
	if ((rc = rs_model_fold_params(m, &fp, err)) < 0)
		return rc;
	e->als = m;
	e->alpha = fp.alpha;
	e->lambda = fp.regularization;
	e->eps = fp.epsilon;
	e->logc = fp.log_confidence;
	return 0;
}

int
rs_engine_set_items(struct rs_engine *e, const struct rs_items *t,
    struct rs_error *err)
{
	if (e->prepared)
		return rs_error_set(err, RS_EARG, "engine: already prepared");
	e->items = t;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
rs_engine_set_item_list(struct rs_engine *e, int only, const uint64_t *ids,
    size_t n, struct rs_error *err)
{
	uint64_t **v = only ? &e->only : &e->deny;
	size_t *nv = only ? &e->nonly : &e->ndeny;
	uint64_t *nw;

	if (e->prepared)
		return rs_error_set(err, RS_EARG, "engine: already prepared");
	if ((nw = realloc(*v, (*nv + n + 1) * sizeof(*nw))) == NULL)
		return nomem(err);
	memcpy(nw + *nv, ids, n * sizeof(*ids));
	*v = nw;
	*nv += n;
	qsort(*v, *nv, sizeof(**v), cmp_u64);
	if (only)
		e->has_only = 1;
	return 0;
}

uint32_t
rs_engine_eligible(const struct rs_engine *e, int src)
{
	const uint32_t *rows = src == RS_SRC_ALS ? e->als2g : e->pop_order;
	const uint32_t n = src == RS_SRC_ALS ? e->nals : e->npop;
	uint32_t i, c = 0;

	for (i = 0; rows != NULL && i < n; i++)
		c += !e->blocked[rows[i]];
	return c;
}

void
rs_engine_counts(const struct rs_engine_work *w, uint64_t *folded,
    uint64_t *trained, uint64_t *full)
{
	*folded = w->nfolded;
	*trained = w->ntrained;
	*full = w->als_full;
}

int
rs_engine_set_avail(struct rs_engine *e, const struct rs_avail *a,
    struct rs_error *err)
{
	if (e->prepared)
		return rs_error_set(err, RS_EARG, "engine: already prepared");
	e->avail = a;
	return 0;
}

int
rs_engine_set_categories(struct rs_engine *e, const struct rs_catline *c,
    const struct rs_tree *tree, struct rs_error *err)
{
	if (e->prepared)
		return rs_error_set(err, RS_EARG, "engine: already prepared");
	e->cl = c;
	e->tree = tree;
	return 0;
}

/*
 * CRC-32C of what the similar items of an ALS model depend on: the item
 * count and factor count (u32 each), the item ids (u64) and the item
 * factors (f32, row after row), all little-endian.
 */
uint32_t
rs_engine_similar_digest(const struct rs_model *m)
{
	const uint64_t *ids = rs_model_item_ids(m);
	const float *y = rs_model_item_factors(m);
	const size_t n = rs_model_nitems(m), ny = n * rs_model_factors(m);
	unsigned char buf[4096];
	uint32_t crc;
	size_t i, b;

	rs_put_le32(buf, (uint32_t)n);
	rs_put_le32(buf + 4, rs_model_factors(m));
	crc = rs_crc32c(0, buf, 8);
	for (i = 0; i < n; crc = rs_crc32c(crc, buf, b))
		for (b = 0; i < n && b + 8 <= sizeof(buf); i++, b += 8)
			rs_put_le64(buf + b, ids[i]);
	for (i = 0; i < ny; crc = rs_crc32c(crc, buf, b))
		for (b = 0; i < ny && b + 4 <= sizeof(buf); i++, b += 4)
			rs_put_f32(buf + b, y[i]);
	return crc;
}

int
rs_engine_set_neighbors(struct rs_engine *e, const struct rs_itemknn *t,
    struct rs_error *err)
{
	const char *kind = rs_itemknn_meta(t, "model");
	const char *nv = rs_itemknn_meta(t, "neighbors");
	const char *dv = rs_itemknn_meta(t, "als_digest");
	const uint32_t ni = rs_itemknn_nitems(t);
	const uint32_t *nb;
	const float *sc;
	unsigned long n;
	char want[16], *end;
	uint32_t i, j, c;

	if (e->prepared || e->als == NULL)
		return rs_error_set(err, RS_EARG, "engine: a neighbours table "
		    "goes after the ALS model, before prepare");
	if (kind == NULL || strcmp(kind, "similar") != 0)
		return rs_error_set(err, RS_EFORMAT, "not a similar-items "
		    "table (metadata model is '%s')", kind ? kind : "unset");
	if (nv == NULL || *nv < '1' || *nv > '9' ||
	    (n = strtoul(nv, &end, 10), *end != '\0') || n > RS_ENGINE_MAX_K)
		return rs_error_set(err, RS_EFORMAT, "bad or missing metadata "
		    "'neighbors' ('%s')", nv ? nv : "unset");
	snprintf(want, sizeof(want), "%08x", rs_engine_similar_digest(e->als));
	if (dv == NULL || strcmp(dv, want) != 0 ||
	    ni != rs_model_nitems(e->als))
		return rs_error_set(err, RS_EFORMAT, "built from another ALS "
		    "model (its als_digest %s, the model's %s)",
		    dv ? dv : "unset", want);
	/*
	 * The answers rely on each list being the scan's order; a list
	 * that is not cannot be from the scan.
	 */
	for (i = 0; i < ni; i++) {
		c = rs_itemknn_neighbors(t, i, &nb, &sc);
		for (j = 1; j < c; j++)
			if (!(sc[j - 1] > sc[j] || (sc[j - 1] == sc[j] &&
			    nb[j - 1] < nb[j])))
				break;
		if (c > n || j < c)
			return rs_error_set(err, RS_EFORMAT, "item %llu: more "
			    "than %lu neighbours, or not best first",
			    (unsigned long long)rs_itemknn_item_ids(t)[i], n);
	}
	e->nbt = t;
	e->nbt_n = (uint32_t)n;
	return 0;
}

unsigned
rs_engine_neighbors_n(const struct rs_engine *e)
{
	return e->nbt != NULL ? e->nbt_n : 0;
}

static int
cmp_pop(const void *a, const void *b, const float *sc, const uint64_t *id)
{
	const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (sc[x] != sc[y])
		return sc[x] > sc[y] ? -1 : 1;
	return id[x] < id[y] ? -1 : id[x] > id[y];
}

/* qsort has no context argument: the popular sort uses these. */
static _Thread_local const float *sort_sc;
static _Thread_local const uint64_t *sort_id;

static int
cmp_pop_q(const void *a, const void *b)
{
	return cmp_pop(a, b, sort_sc, sort_id);
}

/* 1 if the availability timeline says item g is out at time t. */
static inline int
timeline_out(const struct rs_engine *e, uint32_t g, int64_t t)
{
	return e->g2av != NULL && e->g2av[g] >= 0 &&
	    !rs_avail_at_index(e->avail, (size_t)e->g2av[g], t);
}

int
rs_engine_unavailable(const struct rs_engine *e, uint32_t g, int64_t t)
{
	return e->blocked[g] || timeline_out(e, g, t);
}

double
rs_engine_weight(const struct rs_engine *e, uint8_t t)
{
	return t < RS_EV_NTYPES ? e->p.weights[t] : 0;
}

#define unavailable rs_engine_unavailable
#define evw rs_engine_weight

/*
 * Space r of kind: the model's own when its stream carries it, else
 * built; then gpos[] and blk[], once blocked[] is known.
 */
static int
space_make(struct rs_engine *e, struct space *r, int kind,
    struct rs_error *err)
{
	const struct rs_space *kept = rs_model_space(e->als, kind);
	size_t j;
	int rc;

	if (kept != NULL) {
		r->v = *kept;
		r->v.borrowed = 1;
	} else if ((rc = rs_space_build(&r->v, kind,
	    rs_model_item_factors(e->als), e->nals, e->f, e->p.threads,
	    err)) < 0) {
		return rc;
	}
	r->gpos = malloc(((size_t)e->nals + 1) * sizeof(*r->gpos));
	r->blk = malloc((size_t)e->nals + 1);
	if (r->gpos == NULL || r->blk == NULL)
		return nomem(err);
	for (j = 0; j < e->nals; j++) {
		r->gpos[j] = e->als2g[r->v.ord[j]];
		r->blk[j] = e->blocked[r->gpos[j]];
	}
	return 0;
}

static void
space_free(struct space *s)
{
	free(s->gpos);
	free(s->blk);
	rs_space_free(&s->v);
}

/*
 * The cosine space of similar items: the unit item factors (a zero vector
 * stays zero), so x . y_i with x a unit query vector is the cosine, and
 * the same early-stopping scan applies.
 */
/* Model row i's unit vector (the cosine space's copy). */
static const float *
unit_of(const struct rs_engine *e, int32_t i)
{
	return e->cos_sp.v.Ys + (size_t)e->cos_sp.v.pos[i] * e->f;
}

static int
unit_space(struct rs_engine *e, struct rs_error *err)
{
	e->cos_sp.spare = COS_SPARE;
	e->cos_sp.chunk = COS_CHUNK;
	return space_make(e, &e->cos_sp, RS_SPACE_COS, err);
}

/* Candidates by score, ties by lower id (qsort has no context). */
static _Thread_local const uint64_t *cand_gid;

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return cand_gid[x->g] < cand_gid[y->g] ? -1 :
	    cand_gid[x->g] > cand_gid[y->g];
}

/* cmp_cand's order: a before b. */
static int
cand_before(const struct rs_engine *e, const struct cand *a,
    const struct cand *b)
{
	return a->s > b->s || (a->s == b->s && e->gid[a->g] < e->gid[b->g]);
}

/*
 * Min-heap of the best L in cmp_cand's order: h[0] is the worst kept, and
 * a candidate not before it is refused once the heap is full.  A source
 * keeps its best L this way instead of sorting all it touched.
 */
static void
cand_push(const struct rs_engine *e, struct cand *h, size_t *n, size_t L,
    struct cand c)
{
	size_t k, p, ch;

	if (*n < L) {
		for (k = (*n)++; k > 0 && cand_before(e, &h[p = (k - 1) / 2],
		    &c); k = p)
			h[k] = h[p];
		h[k] = c;
		return;
	}
	if (L == 0 || !cand_before(e, &c, &h[0]))
		return;
	for (k = 0; (ch = 2 * k + 1) < *n; k = ch) {
		if (ch + 1 < *n && cand_before(e, &h[ch], &h[ch + 1]))
			ch++;
		if (!cand_before(e, &c, &h[ch]))
			break;
		h[k] = h[ch];
	}
	h[k] = c;
}

/* cpop and cpopn of the category groups (layout at the top). */
static int
popular_groups(struct rs_engine *r, struct rs_error *err)
{
	struct cand *buf;
	uint32_t c, j, n, most = 0;

	r->cpop = malloc(((size_t)r->coff[r->ncat] + 1) * sizeof(*r->cpop));
	r->cpopn = malloc(((size_t)r->ncat + 1) * sizeof(*r->cpopn));
	for (c = 0; c < r->ncat; c++)
		if (r->coff[c + 1] - r->coff[c] > most)
			most = r->coff[c + 1] - r->coff[c];
	buf = malloc(((size_t)most + 1) * sizeof(*buf));
	if (r->cpop == NULL || r->cpopn == NULL || buf == NULL) {
		free(buf);
		return nomem(err);
	}
	cand_gid = r->gid;
	for (c = 0; c < r->ncat; c++) {
		uint32_t pos = 0;

		for (j = r->coff[c], n = 0; j < r->coff[c + 1]; j++) {
			/* a score below 0 (none in a popular model) is 0 */
			const double v = r->popsc[r->cmem[j]] > 0 ?
			    r->popsc[r->cmem[j]] : 0;

			buf[n++] = (struct cand){ r->cmem[j], (float)v };
			pos += v > 0;
		}
		qsort(buf, n, sizeof(*buf), cmp_cand);
		for (j = 0; j < n; j++)
			r->cpop[r->coff[c] + j] = buf[j].g;
		r->cpopn[c] = pos;
	}
	free(buf);
	return 0;
}

/*
 * The category groups (layout at the top): every category an engine
 * item ever had becomes a group, with its parent (tree) as a group too;
 * an item joins the groups of its categories and of their parents.
 */
static int
category_groups(struct rs_engine *r, struct rs_error *err)
{
	const uint64_t *cats;
	uint32_t *cnt = NULL, *mark = NULL, g;
	size_t nc, j, pass;
	int64_t ci, c;
	uint64_t pid;

	if (rs_idmap_create(&r->cmap, 1024) < 0)
		return nomem(err);
	if ((r->g2cl = malloc(((size_t)r->ng + 1) * sizeof(*r->g2cl))) ==
	    NULL)
		return nomem(err);
	for (g = 0; g < r->ng; g++) {
		r->g2cl[g] = (int32_t)(ci = rs_catline_find(r->cl, r->gid[g]));
		if (ci < 0)
			continue;
		nc = rs_catline_history(r->cl, (size_t)ci, &cats);
		for (j = 0; j < nc; j++)
			if (rs_idmap_intern(r->cmap, cats[j]) < 0)
				return nomem(err);
	}
	/* the parents of the items' categories, then every group's */
	nc = rs_idmap_size(r->cmap);
	for (j = 0; r->tree != NULL && j < nc; j++)
		if ((pid = rs_tree_parent(r->tree,
		    rs_idmap_ids(r->cmap)[j])) != RS_ID_NONE &&
		    rs_idmap_intern(r->cmap, pid) < 0)
			return nomem(err);
	r->ncat = (uint32_t)rs_idmap_size(r->cmap);
	if ((r->cpar = malloc(((size_t)r->ncat + 1) * sizeof(*r->cpar))) ==
	    NULL)
		return nomem(err);
	for (j = 0; j < r->ncat; j++)
		r->cpar[j] = r->tree == NULL ? -1 : (int32_t)rs_idmap_find(
		    r->cmap, rs_tree_parent(r->tree, rs_idmap_ids(r->cmap)[j]));
	cnt = calloc((size_t)r->ncat + 1, sizeof(*cnt));
	mark = malloc(((size_t)r->ncat + 1) * sizeof(*mark));
	r->coff = calloc((size_t)r->ncat + 2, sizeof(*r->coff));
	if (cnt == NULL || mark == NULL || r->coff == NULL) {
		free(cnt);
		free(mark);
		return nomem(err);
	}
	for (j = 0; j < r->ncat; j++)
		mark[j] = UINT32_MAX;
	/* pass 0 counts, pass 1 fills; mark[c] == g: g is in c already */
	for (pass = 0; pass < 2; pass++) {
		for (g = 0; g < r->ng; g++) {
			if (r->g2cl[g] < 0)
				continue;
			nc = rs_catline_history(r->cl, (size_t)r->g2cl[g],
			    &cats);
			for (j = 0; j < 2 * nc; j++) {
				c = rs_idmap_find(r->cmap, cats[j / 2]);
				if (j % 2 == 1 && (c = r->cpar[c]) < 0)
					continue;
				if (mark[c] == g)
					continue;
				mark[c] = g;
				if (pass == 0)
					r->coff[c + 1]++;
				else
					r->cmem[r->coff[c] + cnt[c]++] = g;
			}
		}
		if (pass == 0) {
			for (j = 0; j < r->ncat; j++) {
				r->coff[j + 1] += r->coff[j];
				mark[j] = UINT32_MAX;
			}
			if ((r->cmem = malloc(((size_t)r->coff[r->ncat] + 1) *
			    sizeof(*r->cmem))) == NULL)
				break;
		}
	}
	free(cnt);
	free(mark);
	if (r->cmem == NULL)
		return nomem(err);
	r->g2c0 = malloc(((size_t)r->ng + 1) * sizeof(*r->g2c0));
	r->cfirst = malloc(((size_t)r->ng + 1) * sizeof(*r->cfirst));
	if (r->g2c0 == NULL || r->cfirst == NULL)
		return nomem(err);
	for (g = 0; g < r->ng; g++) {
		r->g2c0[g] = -1;
		if (r->g2cl[g] < 0 || rs_catline_history(r->cl,
		    (size_t)r->g2cl[g], &cats) != 1)
			continue;
		r->g2c0[g] = (int32_t)rs_idmap_find(r->cmap, cats[0]);
		r->cfirst[g] = rs_catline_first(r->cl, (size_t)r->g2cl[g]);
	}
	if (r->pop != NULL) {
		if ((r->popsc = calloc((size_t)r->ng + 1, sizeof(*r->popsc))) ==
		    NULL)
			return nomem(err);
		for (j = 0; j < r->npop; j++)
			r->popsc[r->pop_order[j]] = r->pop_score[j];
		return popular_groups(r, err);
	}
	return 0;
}

int
rs_engine_replace_itemknn(struct rs_engine *e, const struct rs_itemknn *m,
    struct rs_error *err)
{
	const uint32_t n = m != NULL ? rs_itemknn_nitems(m) : 0;
	const uint64_t *ids = m != NULL ? rs_itemknn_item_ids(m) : NULL;
	uint32_t *to_g, i;
	int64_t g;

	if (!e->prepared)
		return rs_error_set(err, RS_EARG, "engine: not prepared");
	if ((to_g = malloc(((size_t)n + 1) * sizeof(*to_g))) == NULL)
		return nomem(err);
	for (i = 0; i < n; i++) {
		if ((g = rs_idmap_find(e->gmap, ids[i])) < 0) {
			free(to_g);
			return rs_error_set(err, RS_EARG, "engine: item-knn "
			    "item %llu is not an engine item",
			    (unsigned long long)ids[i]);
		}
		to_g[i] = (uint32_t)g;
	}
	for (i = 0; i < e->ng; i++)
		e->g2knn[i] = -1;
	for (i = 0; i < n; i++)
		e->g2knn[to_g[i]] = (int32_t)i;
	free(e->knn2g);
	e->knn2g = to_g;
	e->knn = m;
	e->knn_gen++;		/* lists cached by a work are stale */
	return 0;
}

int
rs_engine_prepare(struct rs_engine *r, struct rs_error *err)
{
	uint32_t i;
	size_t k;
	int rc;

	if (r->prepared)
		return rs_error_set(err, RS_EARG, "engine: already prepared");
	if (r->knn != NULL && intern_all(r, rs_itemknn_item_ids(r->knn),
	    rs_itemknn_nitems(r->knn), &r->knn2g, err) < 0)
		return RS_ENOMEM;
	if (r->als != NULL) {
		r->nals = rs_model_nitems(r->als);
		r->f = rs_model_factors(r->als);
		if (intern_all(r, rs_model_item_ids(r->als), r->nals,
		    &r->als2g, err) < 0)
			return RS_ENOMEM;
	}
	if (r->pop != NULL) {
		r->npop = rs_model_nitems(r->pop);
		if (intern_all(r, rs_model_item_ids(r->pop), r->npop,
		    &r->pop_order, err) < 0)
			return RS_ENOMEM;
	}
	if (r->cl != NULL) {
		/* the catalogue: the category source lists untouched items */
		size_t nci;
		const uint64_t *ci = rs_catline_items(r->cl, &nci);

		for (k = 0; k < nci; k++)
			if (rs_idmap_intern(r->gmap, ci[k]) < 0)
				return nomem(err);
	}
	r->ng = (uint32_t)rs_idmap_size(r->gmap);
	r->gid = rs_idmap_ids(r->gmap);
	if (r->pop != NULL) {
		/* pop_order holds g by model row; sort rows by score */
		uint32_t *rows = malloc(((size_t)r->npop + 1) * sizeof(*rows));

		r->pop_score = malloc(((size_t)r->npop + 1) *
		    sizeof(*r->pop_score));
		if (rows == NULL || r->pop_score == NULL) {
			free(rows);
			return nomem(err);
		}
		for (i = 0; i < r->npop; i++)
			rows[i] = i;
		sort_sc = rs_model_item_scores(r->pop);
		sort_id = rs_model_item_ids(r->pop);
		qsort(rows, r->npop, sizeof(*rows), cmp_pop_q);
		for (i = 0; i < r->npop; i++) {
			r->pop_score[i] = sort_sc[rows[i]];
			rows[i] = r->pop_order[rows[i]];
		}
		free(r->pop_order);
		r->pop_order = rows;
	}
	r->blocked = calloc((size_t)r->ng + 1, 1);
	r->g2knn = malloc(((size_t)r->ng + 1) * sizeof(*r->g2knn));
	r->g2als = malloc(((size_t)r->ng + 1) * sizeof(*r->g2als));
	if (r->avail != NULL && (r->g2av = malloc(((size_t)r->ng + 1) *
	    sizeof(*r->g2av))) == NULL)
		return nomem(err);
	if (r->blocked == NULL || r->g2knn == NULL || r->g2als == NULL)
		return nomem(err);
	for (i = 0; i < r->ng; i++) {
		r->g2knn[i] = r->g2als[i] = -1;
		if ((r->items != NULL && !rs_items_available(r->items,
		    r->gid[i])) ||
		    (r->has_only && rs_ids_bsearch(r->only, r->nonly,
		    r->gid[i]) < 0) ||
		    rs_ids_bsearch(r->deny, r->ndeny, r->gid[i]) >= 0)
			r->blocked[i] = 1;
		if (r->avail != NULL)
			r->g2av[i] = (int32_t)rs_avail_find(r->avail, r->gid[i]);
	}
	if (r->knn != NULL)
		for (i = 0; i < rs_itemknn_nitems(r->knn); i++)
			r->g2knn[r->knn2g[i]] = (int32_t)i;
	if (r->als != NULL)
		for (i = 0; i < r->nals; i++)
			r->g2als[r->als2g[i]] = (int32_t)i;
	if (r->als != NULL && r->p.similar == 2 && (rc = unit_space(r,
	    err)) < 0)
		return rc;
	/* the als source: fold-in's G (only where fold-in is on: the Gram
	 * product of a scale-1 model is a tenth of a load) and the scan
	 * space */
	if (r->als != NULL && r->p.similar != 2 && r->p.fold_in) {
		float *tmp;
		size_t f = r->f;

		r->G = calloc(f * f + 1, sizeof(*r->G));
		tmp = malloc((f * f + 1) * sizeof(*tmp));
		if (r->G == NULL || tmp == NULL) {
			free(tmp);
			return nomem(err);
		}
		/* G = Y^T Y + lambda I; Y nals x f row-major, ld f */
		rs_dense_gram_acc(rs_model_item_factors(r->als), r->nals, f,
		    f, r->G, tmp);
		free(tmp);
		for (k = 0; k < f; k++)
			r->G[k * f + k] += r->lambda;
	}
	if (r->als != NULL && r->p.similar != 2) {
		r->als_sp.spare = ALS_SPARE;
		r->als_sp.chunk = ALS_CHUNK;
		if ((rc = space_make(r, &r->als_sp, RS_SPACE_DOT, err)) < 0)
			return rc;
		if (r->p.similar && (rc = unit_space(r, err)) < 0)
			return rc;
	}
	if (r->cl != NULL && (rc = category_groups(r, err)) < 0)
		return rc;
	r->prepared = 1;
	return 0;
}

int
rs_engine_has_source(const struct rs_engine *e, int src)
{
	return src == RS_SRC_POPULAR || src == RS_SRC_RECENT ||
	    (src == RS_SRC_ITEMKNN && e->knn != NULL) ||
	    (src == RS_SRC_ALS && e->als != NULL && e->p.similar != 2) ||
	    (src == RS_SRC_ONLINE && e->als != NULL && e->p.similar) ||
	    (src == RS_SRC_CATEGORY && e->cl != NULL);
}

/* ---- answering ---- */

void
rs_engine_work_free(struct rs_engine_work *w)
{
	int s;

	if (w == NULL)
		return;
	free(w->m);
	free(w->touched);
	for (s = 0; s < RS_SRC_N; s++)
		free(w->list[s]);
	free(w->A);
	free(w->b);
	free(w->cbuf);
	free(w->pf_list);
	free(w->pf_heap);
	free(w->exbuf);
	free(w->rowg);
	free(w->rec);
	free(w->pf_sx);
	free(w->onl);
	free(w->grp);
	free(w->pf_cnt);
	free(w->pf_x);
	free(w->pf_xa);
	free(w->pf_s);
	free(w->qp);
	free(w);
}

int
rs_engine_work_create(struct rs_engine_work **out, const struct rs_engine *r,
    struct rs_error *err)
{
	struct rs_engine_work *w;
	const size_t ng = (size_t)r->ng + 1, L = list_len(r) + 1;
	int s;

	*out = NULL;
	if (!r->prepared)
		return rs_error_set(err, RS_EARG, "engine: not prepared");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return nomem(err);
	w->m = rs_huge_zalloc(ng * sizeof(*w->m));	/* probed at random */
	w->nm = ng;
	w->touched = malloc(ng * sizeof(*w->touched));
	for (s = 0; s < RS_SRC_N; s++)
		if ((w->list[s] = malloc(L * sizeof(*w->list[s]))) == NULL)
			goto fail;
	w->A = malloc(((size_t)r->f * r->f + 1) * sizeof(*w->A));
	w->b = malloc(((size_t)r->f + 1) * sizeof(*w->b));
	w->cbuf = malloc(ng * sizeof(*w->cbuf));
	w->rec = malloc(((size_t)r->p.recent_n + 1) * sizeof(*w->rec));
	w->pf_sx = malloc((RS_ENGINE_BATCH * (size_t)r->f + 1) *
	    sizeof(*w->pf_sx));
	w->onl = malloc(L * sizeof(*w->onl));
	w->rowg = malloc(((size_t)r->p.kmax + 1) * sizeof(*w->rowg));
	w->grp = malloc((2 * (size_t)r->p.knn_context + 1) * sizeof(*w->grp));
	w->pf_list = malloc(RS_ENGINE_BATCH * L * sizeof(*w->pf_list));
	w->pf_heap = malloc(RS_ENGINE_BATCH * (L + COS_SPARE) *
	    sizeof(*w->pf_heap));
	w->pf_cnt = malloc(RS_ENGINE_BATCH * sizeof(*w->pf_cnt));
	w->pf_x = malloc((RS_ENGINE_BATCH * (size_t)r->f + 1) *
	    sizeof(*w->pf_x));
	w->pf_xa = malloc((RS_ENGINE_BATCH * (size_t)r->f + 1) *
	    sizeof(*w->pf_xa));
	w->pf_s = malloc((RS_ENGINE_BATCH * (size_t)COS_CHUNK + 1) *
	    sizeof(*w->pf_s));
	w->qp = malloc(rs_qdot_stride(r->f) * sizeof(*w->qp) + 1);
	if (w->m == NULL || w->touched == NULL || w->A == NULL || w->b == NULL ||
	    w->cbuf == NULL || w->pf_list == NULL || w->pf_heap == NULL ||
	    w->rec == NULL || w->onl == NULL || w->pf_sx == NULL ||
	    w->grp == NULL || w->rowg == NULL ||
	    w->pf_cnt == NULL ||
	    w->pf_x == NULL || w->pf_xa == NULL || w->pf_s == NULL ||
	    w->qp == NULL)
		goto fail;
	*out = w;
	return 0;
fail:
	rs_engine_work_free(w);
	return nomem(err);
}

static int
filtered(const struct rs_engine *e, const struct rs_engine_work *w,
    uint32_t g)
{
	return w->m[g].bought == w->tick || unavailable(e, g, w->t);
}

static size_t
src_recent(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, struct cand *out, size_t L)
{
	size_t i, n = 0;

	for (i = q->n; i > 0; i--) {
		const uint32_t g = q->item[i - 1];
		const double wt = evw(e, q->type[i - 1]);

		if (!(wt > 0))
			continue;
		if (w->m[g].seen != w->tick) {
			w->m[g].seen = w->tick;
			if (filtered(e, w, g) || n == L) {
				w->m[g].pos = UINT32_MAX;
				continue;
			}
			w->m[g].pos = (uint32_t)n;
			out[n++] = (struct cand){ g, 0 };
		}
		if (w->m[g].pos != UINT32_MAX)
			out[w->m[g].pos].s += (float)wt;
	}
	return n;
}


static size_t
src_itemknn(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, struct cand *out, size_t L)
{
	struct cand *all = w->cbuf;
	size_t i, nt = 0, nc = 0, j, m;
	double wp = 1;

	if (e->knn == NULL)
		return 0;
	/* context: distinct items newest first, marked in taken[] */
	for (i = q->n; i > 0 && nc < e->p.knn_context; i--) {
		const uint32_t g = q->item[i - 1];
		const uint32_t *nb;
		const float *s;
		uint32_t cnt, k;

		if (!(evw(e, q->type[i - 1]) > 0) || e->g2knn[g] < 0 ||
		    w->m[g].taken == w->tick)
			continue;
		/* "in context"; the blend re-ticks */
		w->m[g].taken = w->tick;
		cnt = rs_itemknn_neighbors(e->knn, (uint32_t)e->g2knn[g], &nb,
		    &s);
		/*
		 * Without a branch on "first time": whether a neighbour was
		 * met before is a coin toss the predictor loses, and each
		 * miss of it stalls the next neighbours' cache misses.
		 */
		for (k = 0; k < cnt; k++) {
			const uint32_t h = e->knn2g[nb[k]];
			struct mark *mk = &w->m[h];
			const int fresh = mk->accmark != w->tick;

			mk->acc = (fresh ? 0.0f : mk->acc) +
			    (float)(wp * s[k]);
			mk->accmark = w->tick;
			w->touched[nt] = h;
			nt += (size_t)fresh;
		}
		wp *= e->p.knn_decay;
		nc++;
	}
	if (nt == 0)
		return 0;
	for (j = 0, m = 0; j < nt; j++) {
		const struct cand c = { w->touched[j], w->m[w->touched[j]].acc };

		if (!(m == L && !cand_before(e, &c, &all[0])) &&
		    !filtered(e, w, c.g))
			cand_push(e, all, &m, L, c);
	}
	cand_gid = e->gid;
	qsort(all, m, sizeof(*all), cmp_cand);
	memcpy(out, all, m * sizeof(*all));
	return m;
}

/*
 * The visitor factors of query q into x (f floats): fold-in on the
 * visible events, else the trained factors, else none.  Returns 1 when
 * x is set, 0 when there is none, or a negative code.
 */
static int
als_vector(const struct rs_engine *r, struct rs_engine_work *w,
    const struct rs_engine_query *q, float *x, struct rs_error *err)
{
	const float *Y = rs_model_item_factors(r->als);
	const size_t f = r->f;
	size_t i, a, bb, n = 0, j;
	const int64_t u = rs_model_find_user(r->als, q->visitor);

	if (r->p.fold_in && !(q->keep_trained && u >= 0)) {
		/* aggregate r_ui into acc[] over distinct model items */
		for (i = 0; i < q->n; i++) {
			const uint32_t g = q->item[i];
			const double wt = evw(r, q->type[i]);

			if (!(wt > 0) || r->g2als[g] < 0)
				continue;
			if (w->m[g].accmark != w->tick) {
				w->m[g].accmark = w->tick;
				w->m[g].acc = 0;
				w->touched[n++] = g;
			}
			w->m[g].acc += (float)wt;
		}
		/* the history's weights join a fold-in, never start one */
		for (i = 0; n > 0 && i < q->nhist; i++) {
			const uint32_t g = q->hist_item[i];

			if (r->g2als[g] < 0)
				continue;
			if (w->m[g].accmark != w->tick) {
				w->m[g].accmark = w->tick;
				w->m[g].acc = 0;
				w->touched[n++] = g;
			}
			w->m[g].acc += q->hist_w[i];
		}
	}
	if (n > 0) {
		double *A = w->A, *b = w->b;

		memcpy(A, r->G, f * f * sizeof(*A));
		memset(b, 0, f * sizeof(*b));
		for (j = 0; j < n; j++) {
			const float *y = Y + (size_t)r->g2als[w->touched[j]] * f;
			const double rv = w->m[w->touched[j]].acc;
			double c;

			if (!(rv > 0))
				continue;
			c = r->logc ? 1 + r->alpha * log(1 + rv / r->eps) :
			    1 + r->alpha * rv;

			for (a = 0; a < f; a++) {
				b[a] += c * y[a];
				for (bb = 0; bb <= a; bb++)
					A[a * f + bb] += (c - 1) * y[a] * y[bb];
			}
		}
		if (rs_dense_chol(A, f) < 0)
			return rs_error_set(err, RS_ENUM, "visitor %llu at %lld: "
			    "fold-in system is not positive definite",
			    (unsigned long long)q->visitor, (long long)q->t);
		rs_dense_chol_solve(A, f, b);
		for (a = 0; a < f; a++)
			x[a] = (float)b[a];
		w->nfolded++;
		return 1;
	}
	if (u >= 0) {
		memcpy(x, rs_model_user_factors(r->als) + (size_t)u * f,
		    f * sizeof(*x));
		w->ntrained++;
		return 1;
	}
	return 0;
}

/*
 * 1 if q excludes g: the visitor bought it before t (the bought filter)
 * or q's exclusion list holds it.
 */
static int
excluded(const struct rs_engine *r, const struct rs_engine_query *q,
    uint32_t g)
{
	size_t i;

	for (i = 0; i < q->nexclude; i++)
		if (q->exclude[i] == g)
			return 1;
	if (r->p.keep_bought)
		return 0;
	for (i = 0; i < q->n; i++)
		if (q->item[i] == g && q->type[i] == RS_EV_TRANSACTION)
			return 1;
	return 0;
}

/*
 * Heap order for the ALS scan's heaps, whose entries hold the model row in
 * g: a is worse than b when its score is lower, or equal and its row
 * later (rs_topk breaks ties by lower index too).
 */
static int
worse(const struct cand *a, const struct cand *b)
{
	return a->s < b->s || (a->s == b->s && a->g > b->g);
}

/* Min-heap of the best L entries: h[0] is the worst kept. */
static void
heap_push(struct cand *h, size_t *n, size_t L, struct cand c)
{
	size_t k, p, ch;

	if (*n < L) {
		k = (*n)++;
		while (k > 0 && worse(&c, &h[p = (k - 1) / 2])) {
			h[k] = h[p];
			k = p;
		}
		h[k] = c;
		return;
	}
	if (!worse(&h[0], &c))
		return;
	k = 0;
	for (;;) {
		ch = 2 * k + 1;
		if (ch >= *n)
			break;
		if (ch + 1 < *n && worse(&h[ch + 1], &h[ch]))
			ch++;
		if (!worse(&h[ch], &c))
			break;
		h[k] = h[ch];
		k = ch;
	}
	h[k] = c;
}

/*
 * The largest of p[0..64): eight lanes of eight, a fixed-length
 * elementwise loop the compiler turns into vector max instructions at
 * -O2, so the scan skips a block of scores below its threshold at once.
 */
static float
block_max(const float *p)
{
	float m8[8], mx;
	size_t t, u;

	for (t = 0; t < 8; t++)
		m8[t] = p[t];
	for (u = 8; u < 64; u += 8)
		for (t = 0; t < 8; t++)
			m8[t] = p[u + t] > m8[t] ? p[u + t] : m8[t];
	mx = m8[0];
	for (t = 1; t < 8; t++)
		mx = m8[t] > mx ? m8[t] : mx;
	return mx;
}

/*
 * The canonical score of an item: x . y summed in double in index order,
 * rounded once to float.  It depends on x and y alone, never on how a
 * BLAS kernel split the work, so a request's answer is the same whether
 * it was scored alone, in a batch of 64 or in a batch of another day.
 */
static float
canon_score(const float *x, const float *y, size_t f)
{
	double s = 0;
	size_t a;

	for (a = 0; a < f; a++)
		s += (double)x[a] * y[a];
	return (float)s;
}

/*
 * x . y in float with eight partial sums, which the compiler turns into
 * vector instructions (canon_score is one chain of dependent double
 * additions): a quick look at an item before its canonical score.  Its
 * error is below f FLT_EPSILON sum |x_a y_a| (each lane sums f / 8
 * products, then three additions join the lanes).
 */
static float
quick_score(const float *x, const float *y, size_t f)
{
	float p[8] = { 0 }, s;
	size_t a, k;

	for (a = 0; a + 8 <= f; a += 8)
		for (k = 0; k < 8; k++)
			p[k] += x[a + k] * y[a + k];
	s = ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));
	for (; a < f; a++)
		s += x[a] * y[a];
	return s;
}

static int
cmp_cand_desc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return worse(x, y) - worse(y, x);
}

/*
 * S (m x cn, row-major, ld cn) = X Yc^T for the scans, X m x f and Yc
 * cn x f (both row-major, ld f).  rs_dense_sgemm takes a single query
 * (a server's lone question, an online source's recent item) as a
 * matrix-vector product, without packing the chunk.  Any float order of
 * a length-f dot product keeps the scans' error bound.
 */
static void
chunk_scores(const float *X, size_t m, const float *Yc, size_t cn, size_t f,
    float *S)
{
	rs_dense_sgemm(0, 1, m, cn, f, 1, X, f, Yc, f, 0, S, cn);
}

/*
 * The rare case where the scan's candidates cannot prove their order
 * (more near-ties at the cut than the heap's spare room, e.g. items
 * whose factors point the same way, as items with the same few visitors
 * have): for each of the nf queries qs[fq[i]], whose factors are rows
 * xr[i] of w->pf_x, every unfiltered model item whose float score
 * reaches cut[i] is scored canonically, the best L into its list at
 * lists + fq[i] L (model rows) and its count into cnt.  Any float
 * computation of x . y keeps the error bound of als_lists, so no item of
 * the canonical top L falls below the cut there either.  The queries
 * are rescanned together, one sgemm per chunk (S, nf x cn, ld cn, =
 * Xa Ys_c^T with Xa = w->pf_xa their factors, nf x f, ld f): the items
 * stream from memory once for all of them, not once each.
 */
static void
als_full_scan(const struct rs_engine *r, struct rs_engine_work *w,
    const struct space *sp, const struct rs_engine_query *qs,
    const uint32_t *fq, const uint32_t *xr, const double *cut, size_t nf,
    struct cand *lists, uint32_t *cnt, size_t L)
{
	const size_t f = r->f;
	size_t hn[RS_ENGINE_BATCH], c0, t, i;

	for (i = 0; i < nf; i++) {
		memcpy(w->pf_xa + i * f, w->pf_x + (size_t)xr[i] * f,
		    f * sizeof(float));
		hn[i] = 0;
	}
	for (c0 = 0; c0 < r->nals; c0 += sp->chunk) {
		const size_t cn = r->nals - c0 < sp->chunk ? r->nals - c0 :
		    sp->chunk;

		chunk_scores(w->pf_xa, nf, sp->v.Ys + c0 * f, cn, f, w->pf_s);
		for (i = 0; i < nf; i++) {
			const struct rs_engine_query *q = &qs[fq[i]];
			const float *sc = w->pf_s + i * cn, *x = w->pf_xa + i * f;
			struct cand *out = lists + fq[i] * L;

			for (t = 0; t < cn; t++) {
				uint32_t g;

				if (t % 64 == 0 && t + 64 <= cn &&
				    (double)block_max(sc + t) < cut[i]) {
					t += 63;
					continue;
				}
				if ((double)sc[t] < cut[i])
					continue;
				g = sp->gpos[c0 + t];
				if (sp->blk[c0 + t] || timeline_out(r, g, q->t) ||
				    excluded(r, q, g))
					continue;
				heap_push(out, &hn[i], L, (struct cand){
				    sp->v.ord[c0 + t], canon_score(x,
				    sp->v.Ys + (c0 + t) * f, f) });
			}
		}
	}
	for (i = 0; i < nf; i++) {
		qsort(lists + fq[i] * L, hn[i], sizeof(struct cand),
		    cmp_cand_desc);
		cnt[fq[i]] = (uint32_t)hn[i];
	}
}

/*
 * The scan of a lone query (a server's question, one recent item of the
 * online source, similar items without a prefetch): the best L
 * unfiltered items of space sp by canonical score for the query vector x
 * (|x| = nx, x . mu = xmu), into out as model rows, best first; returns
 * their count.
 *
 * Items are visited as by als_lists, by descending d = |y - mu|, and the
 * scan stops at the same bound.  But no float product is computed for an
 * item unless it may enter the list: its 8-bit copy gives the upper bound
 * ub of qdot.h from one exact integer dot product, and only an item with
 * ub at or above the worst score kept (the heap's, once full) is scored,
 * first by quick_score (whose error is below f FLT_EPSILON |x| |y|, and
 * the canonical score's rounding below that again, so an item whose
 * quick score plus 2 f FLT_EPSILON |x| (|mu| + d) is below the worst kept
 * cannot enter), then canonically, and offered to the heap.  The 8-bit rows are a quarter of
 * the float ones, and at scale 1 (f = 64) about 100 of the 17 000 items
 * visited per query pass the test, so the scan reads 1.1 MB, not 4.3.
 * The heap holds canonical scores, so its list is the canonical top L
 * with ties to the lower row, the list als_lists makes for the query in
 * any batch.  The bounds of a chunk are computed in float, in a loop
 * without branches the compiler vectorises, and a chunk whose largest
 * bound is below the worst score kept is passed over at once (block_max).
 * The margin covers the canonical score's rounding (below
 * (2^-24 + f 2^-53) |x| |y|) and the bound's own (five float roundings
 * of terms below 1.1 |x| ymax, and the integer's conversion), both far
 * below 4e-6 |x| ymax.
 */
static uint32_t
scan_one(const struct rs_engine *r, struct rs_engine_work *w,
    const struct space *sp, const float *x, double nx, double xmu,
    const struct rs_engine_query *q, size_t L, struct cand *out)
{
	const size_t f = r->f, st = sp->v.qst;
	const double eps = 2.0 * (double)f * FLT_EPSILON;
	const float margin = (float)(4e-6 * nx * sp->v.ymax);
	const double qeps = 2.0 * (double)f * FLT_EPSILON;
	struct cand *h = w->pf_heap;
	float ub[QSCAN_CHUNK], ft, frx, fnx = (float)nx;
	size_t hn = 0, c0, i;
	double t, rx;

	rs_qdot_query(x, f, w->qp, &t, &rx);
	ft = (float)t;
	frx = (float)rx;
	for (c0 = 0; c0 < r->nals; c0 += QSCAN_CHUNK) {
		const size_t cn = r->nals - c0 < QSCAN_CHUNK ? r->nals - c0 :
		    QSCAN_CHUNK;
		const double dmax = sp->v.norm[c0];
		float thr;

		if (hn == L && xmu + nx * dmax + eps * nx * (sp->v.mu_norm +
		    dmax) < h[0].s)
			break;
		w->als_scored += cn;
		thr = hn == L ? h[0].s : -INFINITY;
		if (rs_qdot_bounds(sp->v.Q8 + c0 * st, st, cn, w->qp,
		    sp->v.qs + c0, sp->v.qn + c0, sp->v.qe + c0, ft, frx, fnx,
		    margin, ub) < thr)
			continue;
		for (i = 0; i < cn; i++) {
			const size_t j = c0 + i;
			struct cand c;
			uint32_t g;

			if (ub[i] < thr || (hn == L &&
			    quick_score(x, sp->v.Ys + j * f, f) + qeps * nx *
			    (sp->v.mu_norm + sp->v.norm[j]) < thr))
				continue;
			c = (struct cand){ sp->v.ord[j],
			    canon_score(x, sp->v.Ys + j * f, f) };
			if (hn == L && !worse(&h[0], &c))
				continue;
			g = sp->gpos[j];
			if (sp->blk[j] || timeline_out(r, g, q->t) ||
			    excluded(r, q, g))
				continue;
			heap_push(h, &hn, L, c);
			if (hn == L)
				thr = h[0].s;
		}
	}
	qsort(h, hn, sizeof(*h), cmp_cand_desc);
	memcpy(out, h, hn * sizeof(*out));
	return (uint32_t)hn;
}

/* The list of a zero query vector (als_lists): rows in order, score 0. */
static uint32_t
zero_list(const struct rs_engine *r, const struct rs_engine_query *q,
    struct cand *out, size_t L)
{
	uint32_t row, n = 0;

	for (row = 0; row < r->nals && n < L; row++) {
		const uint32_t g = r->als2g[row];

		if (!unavailable(r, g, q->t) && !excluded(r, q, g))
			out[n++] = (struct cand){ g, 0 };
	}
	return n;
}

/*
 * The als lists of queries qs[0..n) into lists (entry j's list
 * at lists + j L, L = 2 kmax) and cnt[n]: the best L unfiltered model
 * items by the canonical score (canon_score), found by the
 * early-stopping scan of replay.h on float scores and then rescored.
 *
 * Layout: X = w->pf_x (m x f, row-major, ld f) holds the factors of the
 * m requests that have any, idx[] their positions in the batch, nx[]
 * their norms, xmu[] = x . mu.  Items are visited in chunks of
 * sp->chunk rows of Ys (descending d = ||y - mu||).  Before each chunk
 * starting at c0, with dmax = d of row c0, a request whose heap is full
 * and whose bound xmu + nx dmax + 2 f FLT_EPSILON nx (||mu|| + dmax) is
 * below its worst kept score h[0] stops: every later item has
 * d <= dmax, so its exact score x . mu + x . (y - mu) is at most
 * xmu + nx dmax (Cauchy-Schwarz), and the rounding of a length-f float
 * dot product adds less than f FLT_EPSILON / 2 times
 * sum |x_a y_a| <= nx ||y|| <= nx (||mu|| + dmax); a computed score
 * below h[0] cannot enter the heap, so stopping changes nothing.  The
 * rows of the requests still going are gathered into Xa = w->pf_xa
 * (na x f, ld f), and S (na x cn, ld cn) = Xa * Ys_c^T, Ys_c the rows
 * c0 .. c0 + cn - 1 of Ys (row-major, ld f), is one sgemm; the first
 * test against thr = h[0] skips most scores with one compare.  Each
 * request's min-heap (H = L + sp->spare entries holding the model row in
 * g, so ties go to the lower row as in a full scan) takes the chunk's
 * scores; the filters are checked only for a score that would enter it,
 * so a filtered item never takes a place.
 *
 * The sgemm scores s~ depend on the batch (kernel blocking), so they only
 * choose candidates.  With D = (2 eps + 2 FLT_EPSILON) nx ymax bounding
 * twice the error of s~ plus that of the canonical score, and tau the
 * L-th best s~: the L items at or above tau have canonical scores of at
 * least tau - D / 2, so every item of the canonical top L has
 * s~ >= tau - D.  The heap holds every such item when its worst entry is
 * below tau - D (or it is not full: then the scan saw every item); the
 * candidates at or above tau - D are rescored canonically and the best L
 * kept.  Otherwise the request is rescored by a full exact scan, with the
 * batch's other such requests (als_full_scan; w->als_full counts them).
 * So the list depends on the query alone.
 */
static int
als_lists(const struct rs_engine *r, struct rs_engine_work *w,
    const struct space *sp, const float *xin,
    const struct rs_engine_query *qs, size_t n, size_t L, struct cand *lists,
    uint32_t *cnt, struct rs_error *err)
{
	const size_t f = r->f, H = L + sp->spare;
	const double eps = 2.0 * (double)f * FLT_EPSILON;
	uint32_t idx[RS_ENGINE_BATCH], act[RS_ENGINE_BATCH], m = 0, na, jj;
	uint32_t fq[RS_ENGINE_BATCH], xr[RS_ENGINE_BATCH], nf = 0;
	int32_t row_of[RS_ENGINE_BATCH];
	double nx[RS_ENGINE_BATCH], xmu[RS_ENGINE_BATCH];
	double fcut[RS_ENGINE_BATCH];
	size_t hn[RS_ENGINE_BATCH], j, c0, t, a;
	int rc;

	for (j = 0; j < n; j++) {
		float *x = w->pf_x + (size_t)m * f;
		double s2 = 0, sm = 0;

		w->tick++;
		hn[j] = 0;
		row_of[j] = -1;
		if (xin != NULL) {
			memcpy(x, xin + j * f, f * sizeof(*x));
			rc = 1;
		} else if ((rc = als_vector(r, w, &qs[j], x, err)) < 0) {
			return rc;
		}
		if (rc == 0)
			continue;
		for (a = 0; a < f; a++) {
			s2 += (double)x[a] * x[a];
			sm += (double)x[a] * sp->v.mu[a];
		}
		if (s2 == 0) {
			/*
			 * A zero vector (an item or visitor the model learnt
			 * nothing of) scores every item exactly 0: the list
			 * is the first unfiltered items by model row, the
			 * tie order, without a scan.
			 */
			cnt[j] = zero_list(r, &qs[j], lists + j * L, L);
			row_of[j] = -2;
			continue;
		}
		nx[m] = sqrt(s2);
		xmu[m] = sm;
		row_of[j] = (int32_t)m;
		idx[m++] = (uint32_t)j;
	}
	if (n == 1 && m == 1) {
		cnt[0] = scan_one(r, w, sp, w->pf_x, nx[0], xmu[0], &qs[0], L,
		    lists);
		goto rows;
	}
	for (c0 = 0; c0 < r->nals && m > 0; c0 += sp->chunk) {
		const size_t cn = r->nals - c0 < sp->chunk ? r->nals - c0 :
		    sp->chunk;
		const double dmax = sp->v.norm[c0];
		const float *X = w->pf_x;

		for (jj = 0, na = 0; jj < m; jj++) {
			const size_t q = idx[jj];

			if (hn[q] == H && xmu[jj] + nx[jj] * dmax +
			    eps * nx[jj] * (sp->v.mu_norm + dmax) <
			    w->pf_heap[q * H].s)
				continue;
			act[na++] = jj;
		}
		if (na == 0)
			break;
		if (na < m) {
			for (jj = 0; jj < na; jj++)
				memcpy(w->pf_xa + (size_t)jj * f,
				    w->pf_x + (size_t)act[jj] * f,
				    f * sizeof(*X));
			X = w->pf_xa;
		}
		chunk_scores(X, na, sp->v.Ys + c0 * f, cn, f, w->pf_s);
		w->als_scored += (uint64_t)na * cn;
		for (jj = 0; jj < na; jj++) {
			const size_t q = idx[act[jj]];
			const int64_t tq = qs[q].t;
			struct cand *h = w->pf_heap + q * H;
			const float *sc = w->pf_s + (size_t)jj * cn;

			/* below thr nothing can enter: a cheap first test */
			float thr = hn[q] == H ? h[0].s : -INFINITY;

			for (t = 0; t < cn; t++) {
				struct cand c;
				uint32_t g;

				/* a block of 64 below thr costs ~10 instructions */
				if (t % 64 == 0 && t + 64 <= cn &&
				    block_max(sc + t) < thr) {
					t += 63;
					continue;
				}
				if (sc[t] < thr)
					continue;
				c = (struct cand){ sp->v.ord[c0 + t], sc[t] };
				if (hn[q] == H && !worse(&h[0], &c))
					continue;
				g = sp->gpos[c0 + t];
				if (sp->blk[c0 + t] || timeline_out(r, g, tq) ||
				    excluded(r, &qs[q], g))
					continue;
				heap_push(h, &hn[q], H, c);
				if (hn[q] == H)
					thr = h[0].s;
			}
		}
	}
	for (j = 0; j < n; j++) {
		struct cand *h = w->pf_heap + j * H, *out = lists + j * L;
		const float *x;
		size_t nc;

		if (row_of[j] == -2)
			continue;
		cnt[j] = 0;
		if (row_of[j] < 0)
			continue;
		x = w->pf_x + (size_t)row_of[j] * f;
		qsort(h, hn[j], sizeof(*h), cmp_cand_desc);
		nc = hn[j];
		if (hn[j] > L) {
			const double D = (2 * eps + 2 * FLT_EPSILON) *
			    nx[row_of[j]] * sp->v.ymax;
			const double cut = (double)h[L - 1].s - D;

			if (hn[j] == H && (double)h[H - 1].s >= cut) {
				/* rescanned below, with the others */
				w->als_full++;
				fq[nf] = (uint32_t)j;
				xr[nf] = (uint32_t)row_of[j];
				fcut[nf++] = cut;
				continue;
			}
			while (nc > L && (double)h[nc - 1].s < cut)
				nc--;
		}
		/* the model rows of Ys order: rescore from the model's Y */
		for (t = 0; t < nc; t++)
			h[t].s = canon_score(x, sp->v.Ys + (size_t)sp->v.pos[h[t].g] *
			    f, f);
		qsort(h, nc, sizeof(*h), cmp_cand_desc);
		cnt[j] = (uint32_t)(nc < L ? nc : L);
		memcpy(out, h, cnt[j] * sizeof(*out));
	}
	if (nf > 0)
		als_full_scan(r, w, sp, qs, fq, xr, fcut, nf, lists, cnt, L);
rows:
	for (j = 0; j < n; j++) {
		struct cand *out = lists + j * L;

		if (row_of[j] < 0)
			continue;
		for (t = 0; t < cnt[j]; t++)
			out[t].g = r->als2g[out[t].g];
	}
	return 0;
}

/*
 * The online source: one cosine scan per recent item j (query vector the
 * unit y_j, j itself excluded), merged by the largest score.  An item of
 * the true top L is in the list of the recent item that gives its
 * largest cosine (whatever beats it there beats it overall), so the
 * merge of the per-item top L lists is exact.
 */
static int
src_online(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, struct cand *out, size_t L,
    struct rs_error *err)
{
	struct cand *part = w->onl, *all = w->cbuf;
	uint32_t *rec = w->rec, nr = 0, cnt, t;
	struct rs_engine_query sub;
	size_t i, j, nt = 0;
	uint32_t mark;
	int rc;

	if (e->als == NULL || !e->p.similar)
		return 0;
	for (i = q->n; i > 0 && nr < e->p.recent_n; i--) {
		const uint32_t g = q->item[i - 1];

		if (e->g2als[g] < 0)
			continue;
		for (j = 0; j < nr && rec[j] != g; j++)
			;
		if (j == nr)
			rec[nr++] = g;
	}
	if (nr == 0)
		return 0;
	if (q->nexclude + 1 > w->exbuf_cap) {
		uint32_t *nb = realloc(w->exbuf, (q->nexclude + 1) * 2 *
		    sizeof(*nb));

		if (nb == NULL)
			return nomem(err);
		w->exbuf = nb;
		w->exbuf_cap = (q->nexclude + 1) * 2;
	}
	if (q->nexclude > 0)
		memcpy(w->exbuf, q->exclude, q->nexclude * sizeof(*q->exclude));
	sub = *q;
	sub.exclude = w->exbuf;
	sub.nexclude = q->nexclude + 1;
	for (j = 0; j < nr; j++) {
		w->exbuf[q->nexclude] = rec[j];
		if ((rc = als_lists(e, w, &e->cos_sp,
		    unit_of(e, e->g2als[rec[j]]), &sub, 1, L, part, &cnt,
		    err)) < 0)
			return rc;
		/* als_lists ticks; one mark for the whole merge */
		if (j == 0)
			mark = ++w->tick;
		for (t = 0; t < cnt; t++) {
			const uint32_t g = part[t].g;

			if (w->m[g].accmark != mark) {
				w->m[g].accmark = mark;
				w->m[g].acc = part[t].s;
				w->touched[nt++] = g;
			} else if (part[t].s > w->m[g].acc) {
				w->m[g].acc = part[t].s;
			}
		}
	}
	for (i = 0; i < nt; i++)
		all[i] = (struct cand){ w->touched[i], w->m[w->touched[i]].acc };
	cand_gid = e->gid;
	qsort(all, nt, sizeof(*all), cmp_cand);
	if (nt > L)
		nt = L;
	memcpy(out, all, nt * sizeof(*out));
	return (int)nt;
}

int
rs_engine_prefetch(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, size_t n, struct rs_error *err)
{
	size_t j;
	int rc;

	tick_room(w);
	w->pf_n = 0;
	if (e->als == NULL || n == 0)
		return 0;
	if (n > RS_ENGINE_BATCH)
		return rs_error_set(err, RS_EARG, "engine: bad prefetch");
	for (j = 0; j < n; j++)
		if (q[j].key == 0)
			return rs_error_set(err, RS_EARG, "engine: prefetch "
			    "without a key");
	if ((rc = als_lists(e, w, &e->als_sp, NULL, q, n, list_len(e),
	    w->pf_list,
	    w->pf_cnt, err)) < 0)
		return rc;
	for (j = 0; j < n; j++)
		w->pf_key[j] = q[j].key;
	w->pf_n = n;
	w->pf_similar = 0;
	w->cached = 0;
	return 0;
}

static int
src_als(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, struct cand *out, size_t L,
    struct rs_error *err)
{
	uint32_t n;
	size_t j;
	int rc;

	if (e->als == NULL || e->p.similar == 2)
		return 0;
	for (j = 0; q->key != 0 && !w->pf_similar && j < w->pf_n; j++)
		if (w->pf_key[j] == q->key) {
			n = w->pf_cnt[j];
			memcpy(out, w->pf_list + j * L, n * sizeof(*out));
			return (int)n;
		}
	if ((rc = als_lists(e, w, &e->als_sp, NULL, q, 1, L, out, &n,
	    err)) < 0)
		return rc;
	return (int)n;
}

static size_t
src_popular(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, struct cand *out, size_t L)
{
	size_t j, n = 0;

	if (e->pop != NULL) {
		for (j = 0; j < e->npop && n < L; j++) {
			const uint32_t g = e->pop_order[j];

			if (!filtered(e, w, g))
				out[n++] = (struct cand){ g, e->pop_score[j] };
		}
		return n;
	}
	for (j = 0; j < q->npop && n < L; j++) {
		const uint32_t g = q->pop[j];

		if (!filtered(e, w, g))
			out[n++] = (struct cand){ g, q->pops[j] };
	}
	return n;
}

static void next_tick(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q);

/*
 * Group of item g's category at t, or -1.  Most items never change
 * category: for them g2c0[g] is the group and cfirst[g] the time of the
 * first snapshot, so no timeline search is needed.
 */
static int64_t
group_at(const struct rs_engine *e, uint32_t g, int64_t t)
{
	if (e->g2c0[g] >= 0)
		return t > e->cfirst[g] ? e->g2c0[g] : -1;
	if (e->g2cl[g] < 0)
		return -1;
	return rs_idmap_find(e->cmap, rs_catline_at_index(e->cl,
	    (size_t)e->g2cl[g], t));
}

/*
 * The category source's groups for q into w->grp: the categories at t
 * of the last knn_context distinct visible items (positive weight),
 * newest first, each once; then the parents of those, in the same
 * order, each once.  Returns how many.
 */
static size_t
category_context(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q)
{
	size_t i, j, n = 0, nleaf, ni = 0;
	int64_t c;

	for (i = q->n; i > 0 && ni < e->p.knn_context; i--) {
		const uint32_t g = q->item[i - 1];

		if (!(evw(e, q->type[i - 1]) > 0) || w->m[g].seen == w->tick)
			continue;
		w->m[g].seen = w->tick;
		ni++;
		if ((c = group_at(e, g, q->t)) < 0)
			continue;
		for (j = 0; j < n && w->grp[j] != (uint32_t)c; j++)
			;
		if (j == n)
			w->grp[n++] = (uint32_t)c;
	}
	nleaf = n;
	for (i = 0; i < nleaf; i++) {
		if ((c = e->cpar[w->grp[i]]) < 0)
			continue;
		for (j = 0; j < n && w->grp[j] != (uint32_t)c; j++)
			;
		if (j == n)
			w->grp[n++] = (uint32_t)c;
	}
	return n;
}

/* 1 if item g is in group c at t: its category then is c or a child. */
static int
in_group(const struct rs_engine *e, uint32_t g, uint32_t c, int64_t t)
{
	const int64_t d = group_at(e, g, t);

	return d >= 0 && ((uint32_t)d == c || e->cpar[d] == (int32_t)c);
}

/*
 * One group c's part of category_list: its items of score sc[g] > 0
 * (untouched = 0) or of score 0 (untouched = 1) that are in c at t, not
 * yet seen and not filtered, best first, ties by lower id, appended to
 * out[0..n) up to L.  Returns the new n.
 */
static size_t
category_group(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, const double *sc, uint32_t c,
    int untouched, struct cand *out, size_t n, size_t L)
{
	struct cand *all = w->cbuf;
	const size_t need = L - n;
	size_t i, m;
	uint32_t j, lo, hi;

	/*
	 * Ranked by the popular model: the group's items come best first,
	 * the touched ones before cpopn[c], so the first need that pass
	 * are the list.
	 */
	if (sc == e->popsc && e->cpop != NULL) {
		const uint32_t *mem = e->cpop + e->coff[c];

		lo = untouched ? e->cpopn[c] : 0;
		hi = untouched ? e->coff[c + 1] - e->coff[c] : e->cpopn[c];
		for (j = lo; j < hi && n < L; j++) {
			const uint32_t g = mem[j];

			if (w->m[g].seen == w->tick ||
			    !in_group(e, g, c, q->t) || filtered(e, w, g))
				continue;
			w->m[g].seen = w->tick;
			out[n++] = (struct cand){ g, (float)sc[g] };
		}
		return n;
	}
	/*
	 * The best need items of the group in a heap; the cheap tests
	 * first, so that an item the heap would refuse anyway costs no
	 * timeline search.
	 */
	for (j = e->coff[c], m = 0; j < e->coff[c + 1]; j++) {
		const uint32_t g = e->cmem[j];
		const struct cand x = { g, (float)sc[g] };

		if (!(untouched ? sc[g] == 0 : sc[g] > 0) ||
		    w->m[g].seen == w->tick ||
		    (m == need && !cand_before(e, &x, &all[0])) ||
		    !in_group(e, g, c, q->t) || filtered(e, w, g))
			continue;
		cand_push(e, all, &m, need, x);
	}
	qsort(all, m, sizeof(*all), cmp_cand);
	for (i = 0; i < m; i++) {
		w->m[all[i].g].seen = w->tick;
		out[n++] = all[i];
	}
	return n;
}

/*
 * The category list of q (engine.h): group after group, the group's
 * items of score sc[g] > 0 that are in the group at t, not touched by
 * the visitor and not filtered, best first, ties by lower id; then the
 * same over the items of score 0 (the untouched catalogue), by lower
 * id; each item once; at most L.  Needs a fresh tick (next_tick).
 */
static size_t
category_list(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, const double *sc, struct cand *out,
    size_t L)
{
	size_t i, n = 0, ng, k;
	int untouched;

	if (e->cl == NULL)
		return 0;
	ng = category_context(e, w, q);
	/* every visible item is touched, whatever its event weight */
	for (i = 0; i < q->n; i++)
		w->m[q->item[i]].seen = w->tick;
	cand_gid = e->gid;
	for (untouched = 0; untouched <= 1; untouched++)
		for (k = 0; k < ng && n < L; k++)
			n = category_group(e, w, q, sc, w->grp[k], untouched,
			    out, n, L);
	return n;
}

size_t
rs_engine_category_list(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, const double *score, uint32_t *item,
    float *sc, size_t L)
{
	struct cand *l = w->list[RS_SRC_CATEGORY];
	size_t i, n;

	tick_room(w);
	if (L > list_len(e))
		L = list_len(e);
	w->cached = 0;		/* list[] is borrowed */
	next_tick(e, w, q);
	n = category_list(e, w, q, score, l, L);
	for (i = 0; i < n; i++) {
		item[i] = l[i].g;
		sc[i] = l[i].s;
	}
	return n;
}

/*
 * The category source: the query's own list when it brings one (replay's
 * causal counts), filtered again for what it cannot know (exclusions);
 * else the list ranked by the popular model; else none.
 */
static size_t
src_category(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q, struct cand *out, size_t L)
{
	size_t i, n = 0;

	if (e->cl == NULL)
		return 0;
	if (q->cat == NULL)
		return e->popsc != NULL ? category_list(e, w, q, e->popsc, out,
		    L) : 0;
	for (i = 0; i < q->n; i++)
		w->m[q->item[i]].seen = w->tick;
	for (i = 0; i < q->ncat && n < L; i++)
		if (w->m[q->cat[i]].seen != w->tick &&
		    !filtered(e, w, q->cat[i]))
			out[n++] = (struct cand){ q->cat[i], q->cats[i] };
	return n;
}

/*
 * Called first by each public call that ticks: a server answers 2^32
 * queries in a day or two, and a mark left from 2^32 ticks ago would
 * read as this query's (an item "bought", "taken").
 */
static void
tick_room(struct rs_engine_work *w)
{
	if (w->tick > UINT32_MAX - TICK_ROOM) {
		memset(w->m, 0, w->nm * sizeof(*w->m));
		w->tick = 0;
	}
}

void
rs_engine_work_set_tick(struct rs_engine_work *w, uint32_t tick)
{
	w->tick = tick;
}

/* Starts a new tick and marks the items q excludes with it. */
static void
next_tick(const struct rs_engine *e, struct rs_engine_work *w,
    const struct rs_engine_query *q)
{
	size_t i;

	w->tick++;
	w->t = q->t;
	for (i = 0; i < q->nexclude; i++)
		w->m[q->exclude[i]].bought = w->tick;
	if (!e->p.keep_bought)
		for (i = 0; i < q->n; i++)
			if (q->type[i] == RS_EV_TRANSACTION)
				w->m[q->item[i]].bought = w->tick;
}

/*
 * Source src's list of q at length L into w->list[src], once per cached
 * query (w->have); then a fresh tick with the n rows' items marked
 * taken again, as the blend had them: the list's own tick made the
 * blend's marks stale.  0, or a negative code.
 */
static int
source_list(const struct rs_engine *r, struct rs_engine_work *w,
    const struct rs_engine_query *q, int src, size_t L, unsigned n,
    struct rs_error *err)
{
	struct cand *l = w->list[src];
	unsigned i;
	int rc;

	w->have |= 1u << src;
	/* a fresh tick per source: marks of another are stale */
	next_tick(r, w, q);
	switch (src) {
	case RS_SRC_RECENT:
		w->nlist[src] = src_recent(r, w, q, l, L);
		break;
	case RS_SRC_ITEMKNN:
		w->nlist[src] = src_itemknn(r, w, q, l, L);
		break;
	case RS_SRC_ALS:
		if ((rc = src_als(r, w, q, l, L, err)) < 0)
			return rc;
		w->nlist[src] = (size_t)rc;
		break;
	case RS_SRC_ONLINE:
		if ((rc = src_online(r, w, q, l, L, err)) < 0)
			return rc;
		w->nlist[src] = (size_t)rc;
		break;
	case RS_SRC_CATEGORY:
		w->nlist[src] = src_category(r, w, q, l, L);
		break;
	default:
		w->nlist[src] = src_popular(r, w, q, l, L);
		break;
	}
	next_tick(r, w, q);
	for (i = 0; i < n; i++)
		w->m[w->rowg[i]].taken = w->tick;
	return 0;
}

int
rs_engine_answer(const struct rs_engine *r, struct rs_engine_work *w,
    const struct rs_engine_query *q, const struct rs_blend *b, unsigned k,
    struct rs_row *rows, struct rs_error *err)
{
	unsigned s, pass, n = 0;
	/*
	 * Each source's list is computed once per query key at length
	 * 2 kmax and reused by every blend and K (a shorter list would be
	 * its prefix).  A query without a key caches nothing, so its lists
	 * need only the length this k needs: the first k rows take at most
	 * k items of any source, and skip at most k of its items that other
	 * sources took first (2 k, or k when one_list).  The lists are exact
	 * top-L lists, so the rows are the same (live requests of rs-serve:
	 * measured 2.3x faster at k = 10 than lists of kmax = 100).
	 */
	const size_t L = q->key != 0 ? list_len(r) :
	    (r->p.one_list ? 1 : 2) * (size_t)k;
	size_t at[RS_ENGINE_MAX_SOURCES];
	int rc;

	tick_room(w);
	if (k == 0 || k > r->p.kmax)
		return rs_error_set(err, RS_EARG, "engine: bad k");
	if (q->key == 0 || w->cached != q->key ||
	    w->cached_gen != r->knn_gen) {
		w->cached = q->key;
		w->cached_gen = r->knn_gen;
		w->have = 0;
	}
	next_tick(r, w, q);
	for (s = 0; s < b->n; s++)
		at[s] = 0;
	/*
	 * One ranked order, built in rounds of Q = sum of quotas slots, and
	 * cut at k: so the first k rows never depend on k (a list is
	 * prefix-consistent).  Each round: pass 0 takes, source by source,
	 * up to its quota of its best items not taken yet; pass 1 fills the
	 * round's slots left over from the sources in the same order (the
	 * back-fill, where a quota of 0 takes part).
	 */
	for (;;) {
		unsigned round = 0, before = n;

		for (pass = 0; pass < 2; pass++)
			for (s = 0; s < b->n && n < k && round < b->sum; s++) {
				const int src = b->src[s];
				unsigned took = 0;

				/*
				 * A list is made when the blend first reads
				 * it: a back-fill source (quota 0) behind full
				 * rows costs nothing.
				 */
				if (!(w->have & (1u << src)) && n < k &&
				    round < b->sum &&
				    (pass == 1 || b->quota[s] > 0) &&
				    (rc = source_list(r, w, q, src, L, n,
				    err)) < 0)
					return rc;
				while (at[s] < w->nlist[src] && n < k &&
				    round < b->sum &&
				    (pass == 1 || took < b->quota[s])) {
					const struct cand *c =
					    &w->list[src][at[s]++];

					if (w->m[c->g].taken == w->tick)
						continue;
					w->m[c->g].taken = w->tick;
					w->rowg[n] = c->g;
					rows[n++] = (struct rs_row){
					    r->gid[c->g], c->s, (uint8_t)src };
					took++;
					round++;
				}
			}
		if (n == k || n == before)
			break;
	}
	return (int)n;
}

/*
 * Similar items of model row `row' at time t from the neighbours table:
 * its list without the items unavailable at t, cut at k, into rows
 * (unless NULL).  The list is the scan's best N items with no filter, in
 * the scan's order with its scores, and a filter only removes items, so
 * the first k items left are the scan's answer when there are k of
 * them, or when the list holds every other model item.  Returns their
 * count, or -1 when the table cannot tell (no table, k > N, too few
 * left).
 */
static int
table_take(const struct rs_engine *e, int32_t row, int64_t t, unsigned k,
    struct rs_row *rows)
{
	const uint32_t *nb;
	const float *sc;
	uint32_t c, i, n = 0;

	if (e->nbt == NULL || k > e->nbt_n)
		return -1;
	c = rs_itemknn_neighbors(e->nbt, (uint32_t)row, &nb, &sc);
	for (i = 0; i < c && n < k; i++) {
		const uint32_t g = e->als2g[nb[i]];

		if (unavailable(e, g, t))
			continue;
		if (rows != NULL)
			rows[n] = (struct rs_row){ e->gid[g], sc[i],
			    RS_SRC_ALS };
		n++;
	}
	return n == k || c == e->nals - 1 ? (int)n : -1;
}

void
rs_engine_similar_counts(const struct rs_engine_work *w, uint64_t *table,
    uint64_t *scanned)
{
	*table = w->sim_table;
	*scanned = w->sim_scan;
}

int
rs_engine_similar(const struct rs_engine *e, struct rs_engine_work *w,
    uint64_t item, int64_t t, unsigned k, struct rs_row *rows,
    struct rs_error *err)
{
	/* similar items are one list: kmax long (the popular one: L) */
	const size_t L = list_len(e), Ls = e->p.kmax;
	struct rs_engine_query q;
	struct cand *l = w->list[RS_SRC_ALS];
	const int64_t g = rs_engine_find(e, item);
	int32_t row = -1;
	uint32_t self, n, j;
	int rc;

	tick_room(w);
	if (e->als == NULL || !e->p.similar)
		return rs_error_set(err, RS_EARG, "engine: not prepared for "
		    "similar items");
	if (k == 0 || k > e->p.kmax)
		return rs_error_set(err, RS_EARG, "engine: bad k");
	memset(&q, 0, sizeof(q));
	q.t = t;
	w->cached = 0;		/* list[] is reused below */
	if (g >= 0)
		row = e->g2als[g];
	if (row < 0) {
		next_tick(e, w, &q);
		n = e->pop != NULL ? (uint32_t)src_popular(e, w, &q, l, L) : 0;
		for (j = 0; j < n && j < k; j++)
			rows[j] = (struct rs_row){ e->gid[l[j].g], l[j].s,
			    RS_SRC_POPULAR };
		return (int)j;
	}
	if ((rc = table_take(e, row, t, k, rows)) >= 0) {
		w->sim_table++;
		return rc;
	}
	w->sim_scan++;
	for (j = 0; w->pf_similar && j < w->pf_n; j++)
		if (w->pf_key[j] == item + 1 && w->pf_t == t) {
			l = w->pf_list + j * Ls;
			n = w->pf_cnt[j];
			goto rows;
		}
	self = (uint32_t)g;
	q.exclude = &self;
	q.nexclude = 1;
	if ((rc = als_lists(e, w, &e->cos_sp, unit_of(e, row),
	    &q, 1, Ls, l, &n, err)) < 0)
		return rc;
rows:
	for (j = 0; j < n && j < k; j++)
		rows[j] = (struct rs_row){ e->gid[l[j].g], l[j].s, RS_SRC_ALS };
	return (int)j;
}

int
rs_engine_similar_prefetch(const struct rs_engine *e,
    struct rs_engine_work *w, const uint64_t *items, size_t n, int64_t t,
    struct rs_error *err)
{
	struct rs_engine_query q[RS_ENGINE_BATCH];
	size_t j, m = 0;
	int64_t g;
	int rc;

	tick_room(w);
	w->pf_n = 0;
	if (e->als == NULL || !e->p.similar)
		return rs_error_set(err, RS_EARG, "engine: not prepared for "
		    "similar items");
	if (n > RS_ENGINE_BATCH)
		return rs_error_set(err, RS_EARG, "engine: bad prefetch");
	/*
	 * The items the model knows and the table (if any) cannot answer
	 * for kmax rows; the others get the popular list or the table's.
	 */
	for (j = 0; j < n; j++) {
		if ((g = rs_engine_find(e, items[j])) < 0 ||
		    e->g2als[g] < 0 ||
		    table_take(e, e->g2als[g], t, e->p.kmax, NULL) >= 0)
			continue;
		memset(&q[m], 0, sizeof(q[m]));
		q[m].key = items[j] + 1;
		q[m].t = t;
		w->pf_self[m] = (uint32_t)g;
		q[m].exclude = &w->pf_self[m];
		q[m].nexclude = 1;
		memcpy(w->pf_sx + m * e->f, unit_of(e, e->g2als[g]),
		    e->f * sizeof(float));
		m++;
	}
	if (m > 0 && (rc = als_lists(e, w, &e->cos_sp, w->pf_sx, q, m,
	    e->p.kmax,
	    w->pf_list, w->pf_cnt, err)) < 0)
		return rc;
	for (j = 0; j < m; j++)
		w->pf_key[j] = q[j].key;
	w->pf_n = m;
	w->pf_t = t;
	w->pf_similar = 1;
	w->cached = 0;
	return 0;
}

uint64_t
rs_engine_als_scored(const struct rs_engine_work *w)
{
	return w->als_scored;
}

void
rs_engine_free(struct rs_engine *e)
{
	if (e == NULL)
		return;
	rs_idmap_free(e->gmap);
	free(e->pop_order);
	free(e->pop_score);
	free(e->knn2g);
	free(e->g2knn);
	free(e->als2g);
	free(e->g2als);
	free(e->G);
	free(e->only);
	free(e->deny);
	free(e->blocked);
	free(e->g2av);
	free(e->g2cl);
	free(e->g2c0);
	free(e->cfirst);
	rs_idmap_free(e->cmap);
	free(e->cpar);
	free(e->coff);
	free(e->cmem);
	free(e->cpop);
	free(e->cpopn);
	free(e->popsc);
	space_free(&e->als_sp);
	space_free(&e->cos_sp);
	free(e);
}
