/*
 * eda.h - exploratory data analysis of the raw kinds: the summary the
 * original project drew in a notebook, as a terminal report or as TSV
 * with the series behind the figures (rs-load --stats).  Feed it the encoded records of one kind (the same bytes that
 * go into a stream's blocks), in any number of calls, then ask for the
 * report.  Memory grows with the distinct visitors, items, visitor-item
 * pairs, days and properties seen, plus, for events, one 64-bit hash per
 * row that is not the first of its visitor-item pair (for exact
 * duplicates); tree rows are kept as given (the tree is small).
 *
 * Report: one "label  value" line per figure, labels padded to a fixed
 * width (33 columns), counts with thousands separators, shares as
 * "69.9 % (3,495 of 5,000)" (one decimal, then the raw counts; "n/a" when
 * the whole is 0), times as rs_time_format prints them.  The text is
 * byte-for-byte stable: same input, same report.  Its first line is
 * "kind" and the kind's name.
 *
 * Definitions, by kind:
 *  events: rows per event type; distinct visitors, items and visitor-item
 *    pairs.  "repeated (visitor,item,event)" counts rows whose triple
 *    already occurred in an earlier row (rows minus distinct triples; so a
 *    triple seen 3 times adds 2), exact.  "exact duplicate rows" counts
 *    rows equal in every field to an earlier row (a triple of copies adds
 *    2).  It is decided on hashes of the whole record: a row whose
 *    triple repeats is compared with a 61-bit fingerprint of its pair's
 *    first row and with the 64-bit hashes of the pair's later rows, so a
 *    false duplicate needs a collision: odds about r / 2^61 + m^2 / 2^65
 *    (r repeated rows, m rows not first of their pair), under 1e-6 for
 *    the full 2.76 M-row events.csv.  On the 5,000-visitor sample this
 *    is 3 (three pairs of identical rows; PROVENANCE.md says 2, but
 *    `sort | uniq -d` on the file lists three).  Single-event visitors;
 *    addtocart visitors and those with exactly one addtocart; items seen
 *    by one visitor only (within the input).  Events per visitor at the
 *    50th/90th/99th percentile by nearest rank (the smallest count c such
 *    that at least ceil(p * n / 100) visitors have c or fewer), and the
 *    maximum.  First and last event time; days (UTC, floor of ms / 1 day)
 *    with at least one event, out of the days from first to last; mean,
 *    min and max events over the days with events.
 *  props: rows; items; distinct numeric properties and their rows;
 *    categoryid and available rows; snapshots (distinct timestamps) and
 *    the first and last; items with no available row (of all items);
 *    items never available: with available rows but none whose value is
 *    exactly "1" (of the items with available rows); among numeric-
 *    property values, those of several space-separated tokens, those with
 *    at least one number token (numtok.h: n<digits>.<digits>), and those
 *    with a malformed number token.
 *  tree: rows; categories; roots (empty parent); max depth (root = 0);
 *    duplicate rows and those giving another parent; orphans; cycles and
 *    the categories on them (tree.h says how each is repaired).
 *
 * Cost: an event takes three hash probes (visitor, item, pair), a fourth
 * when it is not the first row of its pair, a cached day lookup and two
 * increments for the TSV's series (its item's count, its hour); a
 * property row two (item, property) and a cached snapshot lookup; tree
 * rows are kept and the tree is built at report time.  Measured on the
 * full-size synthetic events (rs-synth -s 1: 2.74 M rows, 1.41 M
 * visitors, 2.17 M pairs) on a shared, loaded 2-core box: rs-load --stats
 * spends about 2.4 s of CPU more than rs-load alone (0.8 s), i.e. about
 * 0.6 us of user time per event, as the probes miss the cache; peak
 * memory 330 MB.  On 10.9 M property rows it adds about 15 %.  With the
 * series (December 2026, same box): rs-load -s 2.1 to 2.6 s of user time
 * on those events, alone 1.0 s; the TSV form costs what the table does.
 */
#ifndef RS_EDA_H
#define RS_EDA_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "textout.h"

struct rs_eda;

/*
 * kind is RS_KIND_EVENTS, RS_KIND_PROPS or RS_KIND_TREE (RS_EARG
 * otherwise); RS_ENOMEM.  On success *out is the analysis (rs_eda_free).
 */
int rs_eda_create(struct rs_eda **out, unsigned kind, struct rs_error *err);

/*
 * Adds nrec encoded records (len bytes) of the kind given at creation.
 * RS_ECORRUPT when the bytes do not hold exactly nrec records or a record
 * has an out-of-range enum; RS_ENOMEM.
 */
int rs_eda_add(struct rs_eda *e, const unsigned char *recs, size_t len,
	uint32_t nrec, struct rs_error *err);

/*
 * Writes the report as aligned "label  value" lines to out (the caller
 * flushes).  e is not changed, so a report may be taken at any point.
 * RS_ENOMEM; for a tree, what rs_tree_build returns.
 */
int rs_eda_report(struct rs_eda *e, struct rs_textout *out,
	struct rs_error *err);

/*
 * The same report as TSV for programs (rs-load --stats --format tsv,
 * rs-report): a header "section key series value", then one row per
 * figure.  Section "summary" holds every figure of the table, series
 * "-", the key a name (rows, rows_view, visitors, repeated_rows, ...,
 * first_event), the value unformatted: counts as plain integers, a share
 * as its part alone (its whole is another key), times as in the table;
 * a table line that is only arithmetic (the mean per day) is left out,
 * and "days with events" is two keys (days_with_events, days_in_range).
 * For events, series follow, in this order:
 *   funnel          key all, view, addtocart, transaction; series
 *                   visitors: all visitors, those with a view, of them
 *                   those with an addtocart, of these those with a
 *                   transaction
 *   day             key YYYY-MM-DD, each UTC day with events in order;
 *                   series view, addtocart, transaction: events
 *   hour            key 00..23, the UTC hour of day; series per type
 *   visitor_events  key c, each count of events some visitor has, in
 *                   order; series visitors: visitors with c events
 *   item_events     the same for items; series items
 * Byte-for-byte stable like the table.  RS_ENOMEM; for a tree, what
 * rs_tree_build returns.
 */
int rs_eda_report_tsv(struct rs_eda *e, struct rs_textout *out,
	struct rs_error *err);

void rs_eda_free(struct rs_eda *e);

#endif
