/*
 * release.h - one release loaded for serving: its models, item table
 * and availability in an engine (engine.h) that is ready to answer, with
 * the blend it serves and a pool of work areas.  A server keeps one
 * current release and loads the next one beside it (release reloads).
 *
 * A release is either a directory as rs-retrain(1) publishes one:
 *   als.rsa      ALS model (the als and online sources, similar items)
 *   popular.rsa  popular model (the popular source)
 *   knn.rsk      item-kNN model (the itemknn source)
 *   similar.rsk  the neighbours table of als.rsa (rs-recommend -f rsk):
 *                similar items without a scan
 *   items.rse    item table (never recommend an item unavailable in it;
 *                its categories are the category source's unless
 *                property streams are given)
 *   tree.rse     category tree: the category source's back-off
 *   release.env  key=value lines; name= and blend= are used, created=
 *                (seconds since the epoch) gives the release's age
 *   COMPLETE     written last by rs-retrain: a directory without it is
 *                refused
 * (each stream optional, at least one model), or the same files named
 * one by one (struct rs_release_spec).
 */
#ifndef RS_RELEASE_H
#define RS_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "itemknn.h"
#include "error.h"
#include "session.h"

#define RS_RELEASE_MAX_AVAIL 16

struct rs_release_spec {
	const char *dir;		/* a release directory, or NULL: */
	const char *als, *popular, *knn, *items;	/* files; any NULL */
	const char *similar;		/* neighbours table of als, or NULL */
	const char *tree;		/* category tree, or NULL */
	const char *avail[RS_RELEASE_MAX_AVAIL];	/* property streams */
	unsigned navail;
	const char *blend;		/* NULL: release.env's, else default */
	struct rs_itemknn *knn_take;	/* or NULL: an item-kNN model in
					 * memory that replaces knn / knn.rsk,
					 * taken (freed with the release, or
					 * at once when the load fails) */
	struct rs_engine_params params;	/* kmax, weights, knn_*, fold_in */
};

struct rs_release;

/*
 * Loads the release spec names.  Every item of sess (may be NULL) is
 * made known to the engine too, so that the recent source can name an
 * item no model or table knows.  Errors name the file; nothing is left
 * allocated.
 */
int rs_release_load(struct rs_release **out, const struct rs_release_spec *s,
	struct rs_session *sess, struct rs_error *err);

const struct rs_engine *rs_release_engine(const struct rs_release *r);
const struct rs_blend *rs_release_blend(const struct rs_release *r);
/* release.env's name (or the directory's last part, or "files"). */
const char *rs_release_name(const struct rs_release *r);
/* release.env's created (seconds since the epoch), or 0. */
int64_t rs_release_created(const struct rs_release *r);
/* The directory the release was read from (resolved), or "". */
const char *rs_release_dir(const struct rs_release *r);

/* A work area for one question at a time (from a pool; thread-safe). */
struct rs_engine_work *rs_release_work_get(struct rs_release *r,
	struct rs_error *err);
void rs_release_work_put(struct rs_release *r, struct rs_engine_work *w);

void rs_release_free(struct rs_release *r);

#endif
