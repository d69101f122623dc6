/*
 * requests.h - replay request streams: one request per target event of
 * an event stream's test window ("at this moment, this visitor added this
 * item to the cart: what would we have recommended just before?"), and
 * the event-array loading the replay tools share.
 *
 * Stream layout (kind RS_KIND_REQUESTS = 8; framing in stream.h):
 *   table "requests", 32 bytes a record, in id order:
 *     offset size column     type  meaning
 *     0      8    id         u64   1-based, in time order; equal times
 *                                  keep the order of the input stream
 *     8      8    visitorid  id    the visitor of the target event
 *     16     8    timestamp  time  the target event's time (ms, UTC)
 *     24     8    itemid     id    the true item (of the target event)
 * Metadata: "event" (the target type, or "none" for requests made by
 * rs_requests_visitors, which also record "at"), "since" and "until"
 * (resolved bounds in ms, empty when open), "duplicates" (target rows
 * dropped as exact duplicates; not with "none"), plus tool, version,
 * argv.
 *
 * Window: a target event at time t is a request when since <= t < until
 * (bounds as in interact.h: absolute, or relative to the stream's last
 * event, "end-14d").  A consumer answering request (v, t) may use only
 * v's events with time < t: the target event and everything at or after
 * it are invisible (replay.h).
 */
#ifndef RS_REQUESTS_H
#define RS_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "rstime.h"
#include "records.h"
#include "stream.h"

#define RS_REQUEST_WIDTH 32

struct rs_request {
	uint64_t id;
	uint64_t visitor;
	int64_t ts;
	uint64_t item;
};

/*
 * Reads every event of an event stream r (borrowed, read to its end)
 * into a new array *out (caller frees with free()), in stream order.
 */
int rs_events_read_all(struct rs_reader *r, struct rs_event **out,
	size_t *n, struct rs_error *err);

/*
 * Requests of the n events ev (borrowed): the events of type `type' in
 * the window [since, until), relative bounds resolved against the
 * largest timestamp of ev.  *out is a new array (free()) sorted by
 * (time, input position), ids 1..*nout.  Exact duplicate targets (same
 * visitor, item and time) are one request, the first in input order;
 * *ndup counts the others, dropped.  The resolved bounds go to
 * *since_ms / *until_ms (INT64_MIN / INT64_MAX when open); ndup,
 * since_ms and until_ms may be NULL.
 */
int rs_requests_make(const struct rs_event *ev, size_t n, unsigned type,
	const struct rs_bound *since, const struct rs_bound *until,
	struct rs_request **out, size_t *nout, size_t *ndup, int64_t *since_ms,
	int64_t *until_ms, struct rs_error *err);

/*
 * Requests for serving now rather than for scoring: one per distinct
 * visitor with an event of any type in [since, until), all at time at
 * (resolved like the bounds; unset: 1 ms after the last event, so that
 * every event is visible), with no true item (RS_ID_NONE), in visitor id
 * order, ids 1..*nout.  The resolved bounds and time go to *since_ms,
 * *until_ms and *at_ms (each may be NULL).
 */
int rs_requests_visitors(const struct rs_event *ev, size_t n,
	const struct rs_bound *since, const struct rs_bound *until,
	const struct rs_bound *at, struct rs_request **out, size_t *nout,
	int64_t *since_ms, int64_t *until_ms, int64_t *at_ms,
	struct rs_error *err);

/* The stream description of a request stream (meta borrowed). */
void rs_requests_desc(const struct rs_meta *meta, unsigned nmeta,
	uint64_t nrows, struct rs_table_desc *table,
	struct rs_stream_desc *out);

void rs_request_encode(unsigned char *p, const struct rs_request *q);
void rs_request_decode(const unsigned char *p, struct rs_request *q);

/* Writes n requests as a request stream to fd (borrowed). */
int rs_requests_write(const struct rs_request *q, size_t n, int fd,
	const char *name, const struct rs_meta *meta, unsigned nmeta,
	const struct rs_writer_opts *opts, struct rs_error *err);

/*
 * Reads a whole request stream from r (borrowed; the kind and schema are
 * checked) into a new array *out (free()).  RS_ECORRUPT when ids do not
 * ascend.
 */
int rs_requests_read(struct rs_reader *r, struct rs_request **out,
	size_t *n, struct rs_error *err);

#endif
