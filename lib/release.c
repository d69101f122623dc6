/*
 * release.c - one release loaded for serving (release.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avail.h"
#include "catline.h"
#include "itemknn.h"
#include "items.h"
#include "model.h"
#include "release.h"
#include "session.h"
#include "stream.h"
#include "tree.h"
#include "banned.h"

#define POOL_MAX 64

struct rs_release {
	char name[128];
	char dir[PATH_MAX];
	int64_t created;
	struct rs_model *als, *pop;
	struct rs_itemknn *knn, *similar;
	struct rs_items *items;
	struct rs_avail *avail;
	struct rs_catline *cats;	/* the category source's */
	struct rs_tree *tree;
	struct rs_engine *e;
	struct rs_blend blend;
	pthread_mutex_t lock;
	struct rs_engine_work *pool[POOL_MAX];
	unsigned npool;
};

/* Opens path as an rs stream for reader r; *fd to close after. */
static int
open_reader(const char *path, struct rs_reader **r, int *fd,
    struct rs_error *err)
{
	int rc;

	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s", path);
	if ((rc = rs_reader_open(r, *fd, path, err)) < 0) {
		close(*fd);
		return rc;
	}
	return 0;
}

static void
close_reader(struct rs_reader *r, int fd)
{
	rs_reader_free(r);
	close(fd);
}

static int
read_model(const char *path, unsigned threads, struct rs_model **m,
    struct rs_error *err)
{
	struct rs_reader *r;
	int fd, rc;

	if ((rc = open_reader(path, &r, &fd, err)) < 0)
		return rc;
	rs_reader_set_threads(r, threads);	/* the factor tables' CRC */
	rc = rs_model_read(r, m, err);
	close_reader(r, fd);
	return rc;
}

static int
read_knn(const char *path, struct rs_itemknn **m, struct rs_error *err)
{
	struct rs_reader *r;
	int fd, rc;

	if ((rc = open_reader(path, &r, &fd, err)) < 0)
		return rc;
	rc = rs_itemknn_read(r, m, err);
	close_reader(r, fd);
	return rc;
}

static int
read_similar(const char *path, struct rs_itemknn **m, struct rs_error *err)
{
	struct rs_reader *r;
	int fd, rc;

	if ((rc = open_reader(path, &r, &fd, err)) < 0)
		return rc;
	rc = rs_itemknn_read_as(r, "similar", m, err);
	close_reader(r, fd);
	return rc;
}

static int
read_items(const char *path, struct rs_items **t, struct rs_error *err)
{
	struct rs_reader *r;
	int fd, rc;

	if ((rc = open_reader(path, &r, &fd, err)) < 0)
		return rc;
	rc = rs_items_read(r, t, err);
	close_reader(r, fd);
	return rc;
}

static int
read_avail(const char *const *paths, unsigned n, struct rs_avail **a,
    struct rs_error *err)
{
	struct rs_reader *r;
	unsigned i;
	int fd, rc;

	if ((rc = rs_avail_create(a, err)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = open_reader(paths[i], &r, &fd, err)) < 0)
			break;
		rc = rs_avail_read(*a, r, err);
		close_reader(r, fd);
	}
	if (rc == 0)
		rc = rs_avail_finish(*a, err);
	return rc;
}

/*
 * The category source's timeline, as rs-replay makes it: the categoryid
 * snapshots of the property streams, else the item table's categories.
 */
static int
read_catline(const char *const *paths, unsigned n, const struct rs_items *t,
    struct rs_catline **c, struct rs_error *err)
{
	struct rs_reader *r;
	unsigned i;
	int fd, rc;

	if ((rc = rs_catline_create(c, err)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = open_reader(paths[i], &r, &fd, err)) < 0)
			break;
		rc = rs_catline_read(*c, r, err);
		close_reader(r, fd);
	}
	if (rc == 0 && n == 0 && t != NULL)
		rc = rs_catline_add_items(*c, t, err);
	if (rc == 0)
		rc = rs_catline_finish(*c, err);
	return rc;
}

static int
read_tree(const char *path, struct rs_tree **t, struct rs_error *err)
{
	struct rs_reader *r;
	int fd, rc;

	if ((rc = open_reader(path, &r, &fd, err)) < 0)
		return rc;
	rc = rs_tree_read(r, t, NULL, err);
	close_reader(r, fd);
	return rc;
}

/* What rs_release_load reads, and how each of its two groups ended. */
struct release_reads {
	struct rs_release *r;
	const struct rs_release_spec *s;
	const char *als, *pop, *knn, *sim, *items, *tree;
	int cats;			/* read the categories too */
	unsigned threads;
	int rc[2];
	struct rs_error err[2];
};

/* Group 0: the models. */
static void *
read_models(void *arg)
{
	struct release_reads *d = arg;
	struct rs_release *r = d->r;
	struct rs_error *err = &d->err[0];
	int rc = 0;

	if ((d->als != NULL && (rc = read_model(d->als, d->threads, &r->als,
	    err)) < 0) ||
	    (d->pop != NULL && (rc = read_model(d->pop, d->threads, &r->pop,
	    err)) < 0) ||
	    (d->knn != NULL && (rc = read_knn(d->knn, &r->knn, err)) < 0) ||
	    (d->sim != NULL && (rc = read_similar(d->sim, &r->similar,
	    err)) < 0))
		d->rc[0] = rc;
	return NULL;
}

/* Group 1: the item table, availability and categories. */
static void *
read_item_data(void *arg)
{
	struct release_reads *d = arg;
	struct rs_release *r = d->r;
	const struct rs_release_spec *s = d->s;
	struct rs_error *err = &d->err[1];
	int rc = 0;

	if ((d->items != NULL && (rc = read_items(d->items, &r->items,
	    err)) < 0) ||
	    (s->navail > 0 && (rc = read_avail(s->avail, s->navail,
	    &r->avail, err)) < 0) ||
	    (d->cats && ((rc = read_catline(s->avail, s->navail, r->items,
	    &r->cats, err)) < 0 || (d->tree != NULL &&
	    (rc = read_tree(d->tree, &r->tree, err)) < 0))))
		d->rc[1] = rc;
	return NULL;
}

/*
 * Both groups, the second on a thread of its own when threads > 1 (on
 * the caller when one cannot start); the first error in group order is
 * the one reported.
 */
static int
read_files(struct release_reads *d, unsigned threads, struct rs_error *err)
{
	pthread_t tid;
	int started = threads > 1 &&
	    pthread_create(&tid, NULL, read_item_data, d) == 0;
	int g;

	read_models(d);
	if (started)
		pthread_join(tid, NULL);
	else
		read_item_data(d);
	for (g = 0; g < 2; g++)
		if (d->rc[g] < 0) {
			*err = d->err[g];
			return d->rc[g];
		}
	return 0;
}

/* 1 if blend spec s parses and draws from the category source. */
static int
wants_category(const char *s)
{
	struct rs_blend b;
	struct rs_error err;

	return rs_blend_parse(s, &b, &err) == 0 &&
	    rs_blend_has(&b, RS_SRC_CATEGORY);
}

/* 1 if dir/name is a file. */
static int
has_file(const char *dir, const char *name, char *path, size_t n)
{
	struct stat st;

	snprintf(path, n, "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * release.env: name=, created=, blend= (the blend only when spec gives
 * none: blend_out is then filled).  Unknown keys are for other readers.
 */
static int
read_env(struct rs_release *r, const char *path, char *blend, size_t nblend,
    struct rs_error *err)
{
	FILE *f;
	char line[1024], *eq, *end;
	unsigned lineno = 0;
	size_t len;

	if ((f = fopen(path, "re")) == NULL)
		return rs_error_errno(err, RS_EIO, errno, "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(line, "name") == 0 && *eq != '\0') {
			snprintf(r->name, sizeof(r->name), "%s", eq);
		} else if (strcmp(line, "created") == 0) {
			errno = 0;
			r->created = strtoll(eq, &end, 10);
			if (errno != 0 || end == eq || *end != '\0') {
				fclose(f);
				return rs_error_set(err, RS_EINPUT, "%s:%u: "
				    "created '%s' is not a number of seconds",
				    path, lineno, eq);
			}
		} else if (strcmp(line, "blend") == 0 && blend != NULL) {
			snprintf(blend, nblend, "%s", eq);
		}
	}
	if (ferror(f)) {
		fclose(f);
		return rs_error_errno(err, RS_EIO, EIO, "%s", path);
	}
	fclose(f);
	return 0;
}

static int
intern_item(void *e, uint64_t id)
{
	return rs_engine_intern(e, id) < 0 ? RS_ENOMEM : 0;
}

/*
 * Every item of the table, so that an item the shop lists is one the
 * recent source can name as soon as a visitor touches it live.
 */
static int
intern_table(struct rs_engine *e, const struct rs_items *t)
{
	size_t i, n = rs_items_count(t);

	for (i = 0; i < n; i++)
		if (rs_engine_intern(e, rs_items_at(t, i)->item) < 0)
			return RS_ENOMEM;
	return 0;
}

/*
 * The default blend over the sources loaded: the best found in replay
 * (rs-replay(1)).  The category source only back-fills there: given
 * slots it lost at scale 1 what it won in samples of 5,000 visitors.
 */
static const char *
default_blend(const struct rs_release *r)
{
	if (r->knn != NULL)
		return r->cats != NULL ? "recent:5,itemknn:5,category:0" :
		    "recent:5,itemknn:5";
	if (r->als != NULL)
		return "recent:5,als:5";
	return "recent:5,popular:5";
}

/* The blend served: spec's, release.env's or the default; checked. */
static int
set_blend(struct rs_release *r, const char *spec, const char *env,
    struct rs_error *err)
{
	const char *s = spec ? spec : env[0] ? env : default_blend(r);
	struct rs_blend b;
	char buf[sizeof(b.name) + 16];
	unsigned i;
	int rc;

	if ((rc = rs_blend_parse(s, &b, err)) < 0)
		return rc;
	for (i = 0; i < b.n; i++)
		if (!rs_engine_has_source(r->e, b.src[i]))
			return rs_error_set(err, RS_EARG, "blend '%s' uses "
			    "'%s' but the release has no model for it", s,
			    rs_source_name(b.src[i]));
	/*
	 * Cold start: a visitor without events still gets the popular
	 * items, after whatever the blend finds (rows are added at the end
	 * only, so the blend's own rows are unchanged).
	 */
	if (r->pop != NULL && !rs_blend_has(&b, RS_SRC_POPULAR)) {
		snprintf(buf, sizeof(buf), "%s,popular:0", b.name);
		if ((rc = rs_blend_parse(buf, &b, err)) < 0)
			return rc;
	}
	r->blend = b;
	return 0;
}

int
rs_release_load(struct rs_release **out, const struct rs_release_spec *s,
    struct rs_session *sess, struct rs_error *err)
{
	struct rs_release *r;
	char path[PATH_MAX + 32], fp[6][PATH_MAX + 32], envblend[256] = "";
	const char *dir = s->dir, *als = s->als, *pop = s->popular,
	    *knn = s->knn, *items = s->items, *sim = s->similar, *p;
	const char *tree = s->tree;
	struct rs_engine_params ep = s->params;
	struct release_reads rd;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		rs_itemknn_free(s->knn_take);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	r->knn = s->knn_take;
	pthread_mutex_init(&r->lock, NULL);
	snprintf(r->name, sizeof(r->name), "files");
	if (dir != NULL) {
		/* Resolved once: a later swap of current is a new release. */
		if (realpath(dir, r->dir) == NULL) {
			rc = rs_error_errno(err, RS_EIO, errno, "release '%s'",
			    dir);
			goto fail;
		}
		dir = r->dir;
		if (!has_file(dir, "COMPLETE", path, sizeof(path))) {
			rc = rs_error_set(err, RS_EINPUT, "release '%s' is "
			    "not complete (no COMPLETE marker)", dir);
			goto fail;
		}
		p = strrchr(dir, '/');
		snprintf(r->name, sizeof(r->name), "%.127s", p ? p + 1 : dir);
		if (has_file(dir, "release.env", path, sizeof(path)) &&
		    (rc = read_env(r, path, envblend, sizeof(envblend),
		    err)) < 0)
			goto fail;
	}
	if (dir != NULL) {
		als = has_file(dir, "als.rsa", fp[0], sizeof(fp[0])) ? fp[0] :
		    NULL;
		pop = has_file(dir, "popular.rsa", fp[1], sizeof(fp[1])) ?
		    fp[1] : NULL;
		knn = has_file(dir, "knn.rsk", fp[2], sizeof(fp[2])) ? fp[2] :
		    NULL;
		items = has_file(dir, "items.rse", fp[3], sizeof(fp[3])) ?
		    fp[3] : NULL;
		sim = has_file(dir, "similar.rsk", fp[4], sizeof(fp[4])) ?
		    fp[4] : NULL;
		tree = has_file(dir, "tree.rse", fp[5], sizeof(fp[5])) ?
		    fp[5] : NULL;
	}
	if (r->knn != NULL)
		knn = NULL;
	if (als == NULL && pop == NULL && knn == NULL && r->knn == NULL) {
		rc = rs_error_set(err, RS_EARG, "%s%s: no model (als.rsa, "
		    "popular.rsa or knn.rsk)", dir ? "release " : "",
		    dir ? dir : "no files");
		goto fail;
	}
	/*
	 * The files, in two groups that read side by side when the engine
	 * may use two threads: the models, and the item data.  (Each group
	 * is about half of a scale-1 release's reading.)
	 */
	p = s->blend != NULL ? s->blend : envblend[0] ? envblend : NULL;
	memset(&rd, 0, sizeof(rd));
	rd.r = r;
	rd.s = s;
	rd.als = als;
	rd.pop = pop;
	rd.knn = knn;
	rd.sim = sim;
	rd.items = items;
	rd.tree = tree;
	rd.threads = s->params.threads;
	/*
	 * The categories: from an item table always, so that a request's
	 * &blend= can name the source; from -A files (read a second time,
	 * seconds at scale 1) only for a served blend that asks, the
	 * default one included.
	 */
	rd.cats = (items != NULL || s->navail > 0) && (s->navail == 0 ||
	    (p != NULL ? wants_category(p) : r->knn != NULL || knn != NULL));
	if ((rc = read_files(&rd, s->params.threads, err)) < 0)
		goto fail;
	if (r->als != NULL && rs_model_kind(r->als) != RS_MODEL_ALS) {
		rc = rs_error_set(err, RS_EINPUT, "%s: not an als model", als);
		goto fail;
	}
	if (r->similar != NULL && r->als == NULL) {
		rc = rs_error_set(err, RS_EINPUT, "%s: a neighbours table "
		    "without the ALS model it was built from", sim);
		goto fail;
	}
	if (r->pop != NULL && rs_model_kind(r->pop) != RS_MODEL_POPULAR) {
		rc = rs_error_set(err, RS_EINPUT, "%s: not a popular model",
		    pop);
		goto fail;
	}
	ep.similar = r->als != NULL;
	if ((rc = rs_engine_create(&r->e, &ep, err)) < 0 ||
	    (sess != NULL && (rc = rs_session_each_item(sess, intern_item,
	    r->e)) < 0) ||
	    (r->items != NULL && (rc = intern_table(r->e, r->items)) < 0) ||
	    (r->pop != NULL && (rc = rs_engine_set_popular(r->e, r->pop,
	    err)) < 0) ||
	    (r->als != NULL && (rc = rs_engine_set_als(r->e, r->als,
	    err)) < 0) ||
	    (r->similar != NULL && (rc = rs_engine_set_neighbors(r->e,
	    r->similar, err)) < 0) ||
	    (r->knn != NULL && (rc = rs_engine_set_itemknn(r->e, r->knn,
	    err)) < 0) ||
	    (r->items != NULL && (rc = rs_engine_set_items(r->e, r->items,
	    err)) < 0) ||
	    (r->avail != NULL && (rc = rs_engine_set_avail(r->e, r->avail,
	    err)) < 0) ||
	    (r->cats != NULL && (rc = rs_engine_set_categories(r->e, r->cats,
	    r->tree, err)) < 0) ||
	    (rc = rs_engine_prepare(r->e, err)) < 0) {
		if (rc == RS_ENOMEM)
			rs_error_set(err, RS_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = set_blend(r, s->blend, envblend, err)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	rs_release_free(r);
	return rc;
}

const struct rs_engine *
rs_release_engine(const struct rs_release *r)
{
	return r->e;
}

const struct rs_blend *
rs_release_blend(const struct rs_release *r)
{
	return &r->blend;
}

const char *
rs_release_name(const struct rs_release *r)
{
	return r->name;
}

int64_t
rs_release_created(const struct rs_release *r)
{
	return r->created;
}

const char *
rs_release_dir(const struct rs_release *r)
{
	return r->dir;
}

struct rs_engine_work *
rs_release_work_get(struct rs_release *r, struct rs_error *err)
{
	struct rs_engine_work *w = NULL;

	pthread_mutex_lock(&r->lock);
	if (r->npool > 0)
		w = r->pool[--r->npool];
	pthread_mutex_unlock(&r->lock);
	if (w == NULL && rs_engine_work_create(&w, r->e, err) < 0)
		return NULL;
	return w;
}

void
rs_release_work_put(struct rs_release *r, struct rs_engine_work *w)
{
	pthread_mutex_lock(&r->lock);
	if (r->npool < POOL_MAX) {
		r->pool[r->npool++] = w;
		w = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	rs_engine_work_free(w);
}

void
rs_release_free(struct rs_release *r)
{
	unsigned i;

	if (r == NULL)
		return;
	for (i = 0; i < r->npool; i++)
		rs_engine_work_free(r->pool[i]);
	rs_engine_free(r->e);
	rs_model_free(r->als);
	rs_model_free(r->pop);
	rs_itemknn_free(r->knn);
	rs_itemknn_free(r->similar);
	rs_items_free(r->items);
	rs_avail_free(r->avail);
	rs_catline_free(r->cats);
	rs_tree_free(r->tree);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
