/*
 * eda.h - exploratory data analysis of the raw kinds: the summary the
 * original project drew in a notebook, as a terminal report (rs-load
 * --stats).  Feed it the encoded records of one kind (the same bytes that
 * go into a stream's blocks), in any number of calls, then ask for the
 * report.  Memory grows with the distinct visitors, items and (visitor,
 * item, event) triples seen, never with the row count alone.
 *
 * Report contents by kind:
 *  events: rows per event type; distinct visitors and items; duplicate
 *    (visitor, item, event) rows and exact duplicate rows; share of
 *    visitors with a single event and of addtocart visitors with a single
 *    addtocart; share of items seen by one visitor only; events per
 *    visitor percentiles (50/90/99/max); time range and events per day.
 *  props: rows; items; properties; snapshots (distinct timestamps);
 *    available and categoryid rows; items never available; multi-token
 *    values.
 *  tree: categories; roots; depth; orphans (parent not in the tree);
 *    cycles.
 */
#ifndef RS_EDA_H
#define RS_EDA_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "textout.h"

struct rs_eda;

/* kind is RS_KIND_EVENTS, RS_KIND_PROPS or RS_KIND_TREE. */
int rs_eda_create(struct rs_eda **out, unsigned kind, struct rs_error *err);

/* Adds nrec encoded records (len bytes) of the kind given at creation. */
int rs_eda_add(struct rs_eda *e, const unsigned char *recs, size_t len,
	uint32_t nrec, struct rs_error *err);

/* Writes the report as aligned "label  value" lines to out. */
int rs_eda_report(struct rs_eda *e, struct rs_textout *out,
	struct rs_error *err);

void rs_eda_free(struct rs_eda *e);

#endif
