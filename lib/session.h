/*
 * session.h - the live event store of a server: every visitor's events
 * (the history a release was built from, the event log, what arrives
 * over HTTP), kept per visitor in (time, arrival) order, so that "v's
 * events strictly before t" is what the replay protocol calls the
 * visible events of a request (replay.h: history sorted by visitor,
 * time, input order).  Items are kept as external ids: the store
 * outlives the models it is queried with (a release reload changes the
 * engine, never the store).
 *
 * Any number of threads may add and read at once: the visitors are
 * spread over shards, each with its own lock, held only to copy one
 * visitor's events.
 */
#ifndef RS_SESSION_H
#define RS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "records.h"

struct rs_session;

/* One event of a visitor. */
struct rs_session_event {
	int64_t t;		/* ms since the epoch */
	uint64_t item;
	uint8_t type;		/* enum rs_event_type */
};

int rs_session_create(struct rs_session **out, struct rs_error *err);

/*
 * Adds n events.  Each goes after v's events with time <= its time (so
 * events of one millisecond keep their arrival order, as the history
 * index keeps input order).  RS_ENOMEM; an event type out of range is
 * RS_EARG.
 */
int rs_session_add(struct rs_session *s, const struct rs_event *ev, size_t n,
	struct rs_error *err);

/*
 * Copies visitor v's events with time < t, oldest first, into *buf
 * (grown with realloc as needed; *cap its capacity in events).  Returns
 * their count, or RS_ENOMEM (then *buf is still valid to free).
 */
int64_t rs_session_visible(struct rs_session *s, uint64_t v, int64_t t,
	struct rs_session_event **buf, size_t *cap);

/* Distinct visitors and events held. */
void rs_session_counts(struct rs_session *s, uint64_t *visitors,
	uint64_t *events);

/*
 * Calls fn for each distinct item held (any order), until fn returns
 * nonzero (which is returned).  Holds one shard's lock at a time.
 */
int rs_session_each_item(struct rs_session *s,
	int (*fn)(void *ctx, uint64_t item), void *ctx);

void rs_session_free(struct rs_session *s);

#endif
