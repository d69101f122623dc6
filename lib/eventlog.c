/*
 * eventlog.c - the event log of a server (eventlog.h).
 *
 * Reading back goes through the one CSV loader of the toolkit (load.h),
 * so a log row is valid exactly when rs-load would take it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eventlog.h"
#include "load.h"
#include "stream.h"
#include "banned.h"

#define HEADER "timestamp,visitorid,event,itemid,transactionid\n"
#define NAME_FMT "events-%08" PRIu32 ".csv"
#define MAX_SEQ 99999999u

struct rs_eventlog {
	pthread_mutex_t lock;
	char *dir;
	struct rs_eventlog_params p;
	int fd;			/* the newest file, or -1 */
	uint32_t seq;		/* its number */
	uint64_t size;		/* its size */
	int64_t day;		/* the UTC day it was begun (or opened) */
	int dirty;		/* appended since the last sync */
	struct rs_eventlog_stats st;
	char *buf;		/* lines of one append */
	size_t cap;
};

void
rs_eventlog_params_init(struct rs_eventlog_params *p)
{
	p->sync = RS_SYNC_INTERVAL;
	p->rotate_bytes = 64u << 20;
	p->rotate_daily = 1;
}

int
rs_sync_parse(const char *name, enum rs_sync *s, struct rs_error *err)
{
	if (strcmp(name, "always") == 0)
		*s = RS_SYNC_ALWAYS;
	else if (strcmp(name, "interval") == 0)
		*s = RS_SYNC_INTERVAL;
	else if (strcmp(name, "never") == 0)
		*s = RS_SYNC_NEVER;
	else
		return rs_error_set(err, RS_EARG, "unknown sync mode '%s': use "
		    "always, interval or never", name);
	return 0;
}

static int64_t
utc_day(void)
{
	return (int64_t)time(NULL) / 86400;
}

/* The sequence number of a log file name, or 0 if it is not one. */
static uint32_t
name_seq(const char *name)
{
	uint32_t v = 0;
	unsigned i;

	if (strncmp(name, "events-", 7) != 0 || strlen(name) != 19 ||
	    strcmp(name + 15, ".csv") != 0)
		return 0;
	for (i = 7; i < 15; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		v = v * 10 + (uint32_t)(name[i] - '0');
	}
	return v;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The sequence numbers of dir's log files, ascending, in *seq (malloc'd;
 * *n of them).  A missing dir has none.
 */
static int
list_files(const char *dir, uint32_t **seq, size_t *n, struct rs_error *err)
{
	DIR *d;
	struct dirent *de;
	uint32_t *v = NULL, *p, s;
	size_t cap = 0;

	*seq = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return rs_error_errno(err, RS_EIO, errno, "%s", dir);
	}
	while ((de = readdir(d)) != NULL) {
		if ((s = name_seq(de->d_name)) == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				closedir(d);
				return rs_error_set(err, RS_ENOMEM,
				    "out of memory");
			}
			v = p;
		}
		v[(*n)++] = s;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_u32);
	*seq = v;
	return 0;
}

static void
file_path(char *buf, size_t n, const char *dir, uint32_t seq)
{
	char name[32];

	snprintf(name, sizeof(name), NAME_FMT, seq);
	snprintf(buf, n, "%s/%s", dir, name);
}

/* Reads all of path into *p (malloc'd), *n bytes. */
static int
slurp(const char *path, int fd, char **p, size_t *n, struct rs_error *err)
{
	struct stat st;
	char *b;
	size_t got = 0;
	ssize_t r;

	if (fstat(fd, &st) < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s", path);
	if ((b = malloc((size_t)st.st_size + 1)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "%s: out of memory", path);
	while (got < (size_t)st.st_size) {
		r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(b);
			return rs_error_errno(err, RS_EIO, r < 0 ? errno : EIO,
			    "%s: read", path);
		}
		got += (size_t)r;
	}
	*p = b;
	*n = got;
	return 0;
}

struct replay_sink {
	int (*fn)(void *, const struct rs_event *, size_t, struct rs_error *);
	void (*warn)(void *, const char *);
	void *ctx;
	struct rs_event *ev;
	size_t cap;
	uint64_t n;
};

static int
sink_block(void *ctx, const struct rs_load_block *b, struct rs_error *err)
{
	struct replay_sink *s = ctx;
	uint32_t i;

	if (b->nrec > s->cap) {
		struct rs_event *p = realloc(s->ev, b->nrec * sizeof(*p));

		if (p == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		s->ev = p;
		s->cap = b->nrec;
	}
	for (i = 0; i < b->nrec; i++)
		rs_event_decode(b->recs + (size_t)i * RS_EVENT_WIDTH, &s->ev[i]);
	s->n += b->nrec;
	return s->fn(s->ctx, s->ev, b->nrec, err);
}

static void
sink_bad(void *ctx, const char *name, uint64_t line, const char *reason)
{
	struct replay_sink *s = ctx;
	char msg[RS_ERROR_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s:%" PRIu64 ": %s: skipped", name, line,
	    reason);
	s->warn(s->ctx, msg);
}

/* One file: cut a torn last line, then load its rows. */
static int
replay_file(const char *path, struct replay_sink *s, struct rs_error *err)
{
	struct rs_load_opts o;
	struct rs_load_sink sink = { sink_block, sink_bad, s, NULL };
	struct rs_load *l;
	char *p = NULL, msg[RS_ERROR_MSG_MAX];
	size_t n = 0, keep;
	int fd, rc;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s", path);
	if ((rc = slurp(path, fd, &p, &n, err)) < 0) {
		close(fd);
		return rc;
	}
	for (keep = n; keep > 0 && p[keep - 1] != '\n'; keep--)
		;
	if (keep < n) {
		snprintf(msg, sizeof(msg), "%.400s: torn last line (%zu bytes "
		    "without a newline, from an interrupted write): skipped "
		    "and cut off", path, n - keep);
		s->warn(s->ctx, msg);
		if (ftruncate(fd, (off_t)keep) < 0 || fsync(fd) < 0) {
			rc = rs_error_errno(err, RS_EIO, errno, "%s: cannot cut "
			    "the torn line", path);
			goto out;
		}
	}
	if (keep == 0)
		goto out;	/* nothing but a torn header */
	rs_load_opts_init(&o);
	o.kind = RS_KIND_EVENTS;
	if ((rc = rs_load_open_mem(&l, p, keep, path, &o, err)) == 0) {
		rc = rs_load_run(l, &sink, err);
		rs_load_free(l);
	}
out:
	free(p);
	close(fd);
	return rc;
}

int
rs_eventlog_replay(const char *dir,
    int (*fn)(void *, const struct rs_event *, size_t, struct rs_error *),
    void (*warn)(void *, const char *), void *ctx, uint64_t *events,
    struct rs_error *err)
{
	struct replay_sink s = { fn, warn, ctx, NULL, 0, 0 };
	char path[4096];
	uint32_t *seq;
	size_t n, i;
	int rc;

	*events = 0;
	if ((rc = list_files(dir, &seq, &n, err)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		file_path(path, sizeof(path), dir, seq[i]);
		rc = replay_file(path, &s, err);
	}
	free(seq);
	free(s.ev);
	*events = s.n;
	return rc;
}

/*
 * Creates file path holding the header only, all at once: the header is
 * written and synced under a temporary name (".events-N.csv.tmp", which
 * list_files never reads) and renamed into place, the directory synced.
 * A crash never leaves a log file without its header, which rs-load and
 * rs-retrain would refuse.
 */
static int
create_file(const char *dir, const char *path, struct rs_error *err)
{
	char tmp[4096 + 8];
	const char *base = strrchr(path, '/');
	int fd, dfd, e;

	base = base != NULL ? base + 1 : path;
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, base);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s", tmp);
	if (write(fd, HEADER, sizeof(HEADER) - 1) !=
	    (ssize_t)(sizeof(HEADER) - 1) || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		return rs_error_errno(err, RS_EIO, e, "%s", path);
	}
	close(fd);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* Begins file seq (closing the current one). */
static int
begin_file(struct rs_eventlog *l, uint32_t seq, struct rs_error *err)
{
	char path[4096];
	struct stat st;
	int fd, rc;

	file_path(path, sizeof(path), l->dir, seq);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			return rs_error_errno(err, RS_EIO, errno, "%s", path);
		if ((rc = create_file(l->dir, path, err)) < 0)
			return rc;
		l->st.files++;
		if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
			return rs_error_errno(err, RS_EIO, errno, "%s", path);
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return rs_error_errno(err, RS_EIO, errno, "%s", path);
	}
	if (st.st_size == 0) {	/* empty, as a crash of rs 0.x left it */
		if (write(fd, HEADER, sizeof(HEADER) - 1) !=
		    (ssize_t)(sizeof(HEADER) - 1) || fsync(fd) < 0) {
			int e = errno ? errno : EIO;

			close(fd);
			unlink(path);
			return rs_error_errno(err, RS_EIO, e, "%s", path);
		}
		st.st_size = sizeof(HEADER) - 1;
		l->st.files++;
	}
	if (l->fd >= 0) {
		if (l->dirty && fdatasync(l->fd) < 0)
			l->st.sync_failures++;
		close(l->fd);
	}
	l->fd = fd;
	l->seq = seq;
	l->size = (uint64_t)st.st_size;
	l->day = utc_day();
	l->dirty = 0;
	return 0;
}

int
rs_eventlog_open(struct rs_eventlog **out, const char *dir,
    const struct rs_eventlog_params *p, struct rs_error *err)
{
	struct rs_eventlog *l;
	uint32_t *seq;
	size_t n;
	int rc;

	*out = NULL;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return rs_error_errno(err, RS_EIO, errno, "event log '%s'",
		    dir);
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->dir = strdup(dir)) == NULL) {
		free(l);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&l->lock, NULL);
	l->p = *p;
	l->fd = -1;
	if ((rc = list_files(dir, &seq, &n, err)) == 0) {
		rc = begin_file(l, n > 0 ? seq[n - 1] : 1, err);
		free(seq);
	}
	if (rc < 0) {
		rs_eventlog_close(l, NULL);
		return rc;
	}
	*out = l;
	return 0;
}

static void
put_u64(char **q, uint64_t v)
{
	char tmp[24];
	int i = 0;

	do
		tmp[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0)
		*(*q)++ = tmp[--i];
}

/* The lines of n events in l->buf; returns their length. */
static size_t
format_lines(struct rs_eventlog *l, const struct rs_event *ev, size_t n)
{
	char *q = l->buf;
	const char *name;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ev[i].ts < 0) {
			*q++ = '-';
			put_u64(&q, (uint64_t)0 - (uint64_t)ev[i].ts);
		} else {
			put_u64(&q, (uint64_t)ev[i].ts);
		}
		*q++ = ',';
		put_u64(&q, ev[i].visitor);
		*q++ = ',';
		name = rs_event_name(ev[i].type);
		memcpy(q, name, strlen(name));
		q += strlen(name);
		*q++ = ',';
		put_u64(&q, ev[i].item);
		*q++ = ',';
		if (ev[i].txn != RS_ID_NONE)
			put_u64(&q, ev[i].txn);
		*q++ = '\n';
	}
	return (size_t)(q - l->buf);
}

/* Writes all of p; on failure cuts the file back to where it was. */
static int
write_all(struct rs_eventlog *l, const char *p, size_t n,
    struct rs_error *err)
{
	size_t done = 0;
	ssize_t w;
	int e;

	while (done < n) {
		w = write(l->fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : ENOSPC;
			/* Never leave a part of a line for the next append. */
			if (done > 0 && ftruncate(l->fd, (off_t)l->size) < 0)
				l->st.write_failures++;
			l->st.write_failures++;
			return rs_error_errno(err, RS_EIO, e, "event log %s/"
			    NAME_FMT, l->dir, l->seq);
		}
		done += (size_t)w;
	}
	l->size += n;
	return 0;
}

int
rs_eventlog_append(struct rs_eventlog *l, const struct rs_event *ev,
    size_t n, struct rs_error *err)
{
	size_t need = n * 96, len;	/* 20 + 20 + 11 + 20 + 20 + 5 */
	int rc = 0;

	if (n == 0)
		return 0;
	pthread_mutex_lock(&l->lock);
	if (need > l->cap) {
		char *p = realloc(l->buf, need);

		if (p == NULL) {
			rc = rs_error_set(err, RS_ENOMEM, "out of memory");
			goto out;
		}
		l->buf = p;
		l->cap = need;
	}
	if (((l->p.rotate_bytes > 0 && l->size >= l->p.rotate_bytes) ||
	    (l->p.rotate_daily && utc_day() != l->day)) && l->seq < MAX_SEQ &&
	    (rc = begin_file(l, l->seq + 1, err)) < 0)
		goto out;
	len = format_lines(l, ev, n);
	if ((rc = write_all(l, l->buf, len, err)) < 0)
		goto out;
	l->st.bytes += len;
	l->st.events += n;
	l->dirty = 1;
	if (l->p.sync == RS_SYNC_ALWAYS) {
		if (fdatasync(l->fd) < 0) {
			l->st.sync_failures++;
			rc = rs_error_errno(err, RS_EIO, errno, "event log %s/"
			    NAME_FMT ": sync", l->dir, l->seq);
			goto out;
		}
		l->dirty = 0;
	}
out:
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int
rs_eventlog_sync(struct rs_eventlog *l, struct rs_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (l->dirty && l->fd >= 0) {
		if (fdatasync(l->fd) < 0) {
			l->st.sync_failures++;
			rc = rs_error_errno(err, RS_EIO, errno, "event log %s/"
			    NAME_FMT ": sync", l->dir, l->seq);
		} else {
			l->dirty = 0;
		}
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void
rs_eventlog_stats(struct rs_eventlog *l, struct rs_eventlog_stats *s)
{
	pthread_mutex_lock(&l->lock);
	*s = l->st;
	pthread_mutex_unlock(&l->lock);
}

int
rs_eventlog_close(struct rs_eventlog *l, struct rs_error *err)
{
	int rc = 0;

	if (l == NULL)
		return 0;
	if (l->fd >= 0) {
		if (fdatasync(l->fd) < 0)
			rc = rs_error_errno(err, RS_EIO, errno, "event log %s: "
			    "sync", l->dir);
		if (close(l->fd) < 0 && rc == 0)
			rc = rs_error_errno(err, RS_EIO, errno, "event log %s: "
			    "close", l->dir);
	}
	pthread_mutex_destroy(&l->lock);
	free(l->buf);
	free(l->dir);
	free(l);
	return rc;
}
