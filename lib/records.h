/*
 * records.h - the record layouts of the raw Retailrocket kinds (events,
 * item properties, category tree) and their codecs.  Each kind is a
 * one-table stream whose schema is given here; encoders write exactly the
 * bytes the schema describes (see rs-stream(5)).
 *
 *   events (RS_KIND_EVENTS), table "events", 33 bytes a record:
 *     offset size column         type  meaning
 *     0      8    timestamp      time  ms since the epoch, UTC
 *     8      8    visitorid      id
 *     16     1    event          enum  0 view, 1 addtocart, 2 transaction
 *     17     8    itemid         id
 *     25     8    transactionid  id    RS_ID_NONE when empty
 *
 *   props (RS_KIND_PROPS), table "props", 29 bytes + value:
 *     0      8    timestamp      time
 *     8      8    itemid         id
 *     16     1    property_kind  enum  0 number, 1 categoryid, 2 available
 *     17     8    property       id    the numeric property id; RS_ID_NONE
 *                                      for categoryid and available
 *     25     4+n  value          str   the value text as given
 *
 *   tree (RS_KIND_TREE), table "tree", 16 bytes:
 *     0      8    categoryid     id
 *     8      8    parentid       id    RS_ID_NONE on a root
 */
#ifndef RS_RECORDS_H
#define RS_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "stream.h"

enum rs_event_type {
	RS_EV_VIEW = 0,
	RS_EV_ADDTOCART = 1,
	RS_EV_TRANSACTION = 2,
	RS_EV_NTYPES = 3
};

enum rs_prop_kind {
	RS_PROP_NUMBER = 0,
	RS_PROP_CATEGORYID = 1,
	RS_PROP_AVAILABLE = 2
};

#define RS_EVENT_WIDTH 33
#define RS_PROP_FIXED 29	/* record size without the value bytes */
#define RS_TREE_WIDTH 16

struct rs_event {
	int64_t ts;
	uint64_t visitor;
	uint64_t item;
	uint64_t txn;		/* RS_ID_NONE if none */
	uint8_t type;		/* enum rs_event_type */
};

struct rs_prop {
	int64_t ts;
	uint64_t item;
	uint64_t property;	/* RS_ID_NONE unless kind is RS_PROP_NUMBER */
	const char *value;	/* borrowed; not NUL-terminated */
	uint32_t vlen;
	uint8_t kind;		/* enum rs_prop_kind */
};

struct rs_tree_row {
	uint64_t category;
	uint64_t parent;	/* RS_ID_NONE on a root */
};

/* Name of an event type ("addtocart"), NULL if out of range. */
const char *rs_event_name(unsigned type);

/* Event type for a name, or -1. */
int rs_event_parse(const char *s, size_t n);

/* Name of a property kind ("available"), NULL if out of range. */
const char *rs_prop_kind_name(unsigned kind);

/*
 * The one-table stream description of a raw kind (RS_KIND_EVENTS,
 * RS_KIND_PROPS or RS_KIND_TREE), with the given metadata (borrowed; it
 * must outlive the call to rs_writer_open).  Returns -1 for another kind.
 */
int rs_records_desc(unsigned kind, const struct rs_meta *meta,
	unsigned nmeta, struct rs_stream_desc *out);

/*
 * Checks that a reader's first table has exactly the schema of its kind,
 * so decoders below may trust the layout.  RS_EFORMAT otherwise.
 */
int rs_records_check(const struct rs_table_desc *t, unsigned kind,
	const char *name, struct rs_error *err);

void rs_event_encode(unsigned char *p, const struct rs_event *e);
void rs_event_decode(const unsigned char *p, struct rs_event *e);

/* Bytes rs_prop_encode writes for p. */
static inline size_t
rs_prop_size(const struct rs_prop *p)
{
	return RS_PROP_FIXED + (size_t)p->vlen;
}
/* Writes rs_prop_size(p) bytes; returns that size. */
size_t rs_prop_encode(unsigned char *out, const struct rs_prop *p);
/* Decodes the record at in (already bounds-checked by the reader); the
 * value points into in.  Returns the record's size. */
size_t rs_prop_decode(const unsigned char *in, struct rs_prop *p);

void rs_tree_encode(unsigned char *p, const struct rs_tree_row *t);
void rs_tree_decode(const unsigned char *p, struct rs_tree_row *t);

#endif
