/*
 * eventlog.h - the event log of a server: every accepted event appended,
 * in the events.csv schema of the Retailrocket data
 * (timestamp,visitorid,event,itemid,transactionid), to files a later
 * rs-load or rs-retrain (new_dir) reads as they are.
 *
 * The log is a directory of files named events-NNNNNNNN.csv (NNNNNNNN a
 * sequence number, so name order is write order), each starting with
 * the header line: a file is created with it under a temporary name and
 * renamed into place, so no crash leaves a file without it.  Appends go
 * to the newest file; a new file is begun
 * when the newest one has reached rotate_bytes, and (rotate_daily) when
 * the UTC day of the wall clock differs from the day the file was begun.
 *
 * Durability (sync):
 *   RS_SYNC_ALWAYS    each append returns after fdatasync(2): an event
 *                     acknowledged is on disk; a crash loses nothing
 *                     acknowledged.
 *   RS_SYNC_INTERVAL  rs_eventlog_sync (the caller's timer, e.g. every
 *                     second) syncs what was appended since: a power
 *                     failure loses at most that interval; a crash of the
 *                     process alone loses nothing (the data is in the
 *                     kernel).
 *   RS_SYNC_NEVER     the kernel writes back when it likes: a power
 *                     failure may lose the last ~30 s.
 * One append is one write(2) of whole lines, so a crash can tear only the
 * last line of the newest file; rs_eventlog_replay detects a last line
 * without its newline, warns, skips it and cuts it off the file, so the
 * next append starts on a line of its own.
 */
#ifndef RS_EVENTLOG_H
#define RS_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "records.h"

enum rs_sync { RS_SYNC_ALWAYS, RS_SYNC_INTERVAL, RS_SYNC_NEVER };

struct rs_eventlog_params {
	enum rs_sync sync;		/* RS_SYNC_INTERVAL */
	uint64_t rotate_bytes;		/* 64 MiB; 0: no size limit */
	int rotate_daily;		/* 1 */
};

void rs_eventlog_params_init(struct rs_eventlog_params *p);

/* "always", "interval", "never" -> *s; RS_EARG otherwise. */
int rs_sync_parse(const char *name, enum rs_sync *s, struct rs_error *err);

struct rs_eventlog;

/*
 * Reads every log file of dir in order, calling fn for each block of
 * events (in file order); a torn last line is skipped (and cut off the
 * file) and a bad row is skipped, each with a call of warn naming the
 * file and line.  A missing dir is an empty log.  *events gets the count
 * delivered.  Errors: RS_EIO, RS_ENOMEM, or fn's nonzero return.
 */
int rs_eventlog_replay(const char *dir,
	int (*fn)(void *ctx, const struct rs_event *ev, size_t n,
	    struct rs_error *err),
	void (*warn)(void *ctx, const char *msg), void *ctx,
	uint64_t *events, struct rs_error *err);

/*
 * Opens dir for appending (creating it), continuing its newest file.
 * Call after rs_eventlog_replay (which repairs a torn file).
 */
int rs_eventlog_open(struct rs_eventlog **out, const char *dir,
	const struct rs_eventlog_params *p, struct rs_error *err);

/*
 * Appends n events as one write, syncing as the mode says.  On failure
 * (RS_EIO, e.g. a full disk) nothing of them stays in the log.
 * Thread-safe.
 */
int rs_eventlog_append(struct rs_eventlog *l, const struct rs_event *ev,
	size_t n, struct rs_error *err);

/* Syncs what was appended since the last sync (any mode). */
int rs_eventlog_sync(struct rs_eventlog *l, struct rs_error *err);

struct rs_eventlog_stats {
	uint64_t bytes;			/* appended by this process */
	uint64_t events;
	uint64_t sync_failures;
	uint64_t write_failures;
	uint64_t files;			/* begun by this process */
};

void rs_eventlog_stats(struct rs_eventlog *l, struct rs_eventlog_stats *s);

/* Syncs and closes. */
int rs_eventlog_close(struct rs_eventlog *l, struct rs_error *err);

#endif
