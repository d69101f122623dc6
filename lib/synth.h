/*
 * synth.h - the built-in data generator behind rs-synth: the four
 * Retailrocket CSV files (events, two item-property parts, category tree)
 * in the original schema, at any scale, from a seed.  The generative model
 * (visitor segments, sessions on item clusters, returning visitors, carts
 * and purchases, weekly property snapshots) is described in synth.c.
 *
 * Output is byte-identical for a given (scale, seed) whatever the number
 * of threads: every visitor and every chunk of items draws from its own
 * random stream, and chunks are written in a fixed order.
 */
#ifndef RS_SYNTH_H
#define RS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum rs_synth_file {
	RS_SYNTH_EVENTS = 0,	/* events.csv */
	RS_SYNTH_PROPS1 = 1,	/* item_properties_part1.csv */
	RS_SYNTH_PROPS2 = 2,	/* item_properties_part2.csv */
	RS_SYNTH_TREE = 3,	/* category_tree.csv */
	RS_SYNTH_NFILES = 4
};

struct rs_synth_params {
	double scale;		/* 1 = the size of the real data set */
	uint64_t seed;
	unsigned threads;	/* worker threads; 0 or 1 = none */
};

/* Defaults: scale 0.01, seed 1, one thread. */
void rs_synth_params_init(struct rs_synth_params *p);

/* Largest accepted scale (memory grows linearly: about 120 MB at 1). */
#define RS_SYNTH_SCALE_MAX 64.0
/* Smallest accepted scale (a few dozen visitors). */
#define RS_SYNTH_SCALE_MIN 0.00001

/* The file name of an rs_synth_file ("events.csv"); static. */
const char *rs_synth_file_name(unsigned file);

/*
 * Receives the next n bytes of file (an rs_synth_file).  Returns 0, or a
 * negative RS_E* code (after filling err) to stop the run; rs_synth_run
 * then returns that code.  The bytes are borrowed for the call only.
 */
typedef int (*rs_synth_write_fn)(void *ctx, unsigned file, const void *p,
	size_t n, struct rs_error *err);

struct rs_synth_stats {
	uint64_t rows[RS_SYNTH_NFILES];		/* without header lines */
	uint64_t bytes[RS_SYNTH_NFILES];	/* with header lines */
	uint64_t visitors;
	uint64_t items;			/* in the catalogue */
	uint64_t prop_items;		/* items with property rows */
	uint64_t events[3];		/* view, addtocart, transaction */
};

/*
 * Generates everything and hands it to write in pieces, each file's
 * pieces in order (the files themselves interleave).  Each file starts
 * with its header line; write is only ever called from the calling
 * thread.  stats (may be NULL) is filled on
 * success.  Errors: RS_EARG (scale out of range), RS_ENOMEM, or what
 * write returned.
 */
int rs_synth_run(const struct rs_synth_params *p, rs_synth_write_fn write,
	void *ctx, struct rs_synth_stats *stats, struct rs_error *err);

#endif
