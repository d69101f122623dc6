/*
 * progress.c - the progress line of the tools.  See progress.h.
 *
 * A reporter thread redraws the line every REDRAW_MS.  A thread, not a
 * clock check in progress_add, because the longest steps run inside lib/
 * (rs_items_builder_read, rs_interact_read, rs_als_half_step), where no
 * tool code runs for seconds at a time: only another thread can look at
 * the input's file offset then.  It also keeps progress_add down to one
 * relaxed atomic add, with no clock read on the hot path.
 *
 * The line is drawn with a carriage return and blanks over the previous
 * one, no escape sequences, so any terminal shows it right; it is cut to
 * the terminal's width, since a wrapped line could not be redrawn.  One
 * mutex orders the reporter's writes against progress_end/pause and the
 * messages of tool.c, so a message never lands in the middle of the line.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "progress.h"
#include "banned.h"

#define REDRAW_MS 250
#define LINE_MAX_BYTES 512

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_t reporter_thread;

static uint64_t count;		/* __atomic only: the reporter reads it */

/* The main thread's own: steps start and end there. */
static int active;		/* a step is running */
static int running;		/* its reporter thread exists */

/* Everything below is guarded by lock. */
static int stopping;		/* the reporter should return */
static int paused;		/* progress_pause depth */
static int dead;		/* progress_kill: never draw again */
static size_t shown;		/* columns of the line now on the screen */
static struct {
	char label[128];
	char unit[32];
	char note[64];
	uint64_t total;
	int fd;
	off_t start, size;	/* of the regular file behind fd, else 0 */
	double t0;
} step;

static void
init_once(void)
{
	pthread_condattr_t a;

	/* Timed waits on the monotonic clock: a clock step must not
	 * stall or hurry the redraws. */
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&wake, &a);
	pthread_condattr_destroy(&a);
}

static void
put(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDERR_FILENO, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return;		/* nothing sensible to do */
		}
		s += w;
		n -= (size_t)w;
	}
}

/* Writes line (n bytes, one column each) over the one on the screen. */
static void
show(const char *line, size_t n)
{
	char buf[1 + LINE_MAX_BYTES];
	size_t k = 0;

	buf[k++] = '\r';
	memcpy(buf + k, line, n);
	k += n;
	/* Blank what is left of a longer previous line. */
	if (shown > n) {
		memset(buf + k, ' ', shown - n);
		k += shown - n;
	}
	put(buf, k);
	shown = n;
}

static void
erase(void)
{
	char buf[LINE_MAX_BYTES + 2];

	if (shown == 0)
		return;
	buf[0] = '\r';
	memset(buf + 1, ' ', shown);
	buf[shown + 1] = '\r';
	put(buf, shown + 2);
	shown = 0;
}

static size_t
width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col < 20)
		return 80;
	/* The last column would make some terminals wrap. */
	return ws.ws_col - 1 < LINE_MAX_BYTES ? ws.ws_col - 1 :
	    LINE_MAX_BYTES;
}

/* "0.25", "950", "12.3 k", "4.1 M": two or three significant figures. */
static void
human(char *buf, size_t len, double v)
{
	static const char prefix[] = "kMGTP";
	int i = -1;

	if (v < 10) {
		snprintf(buf, len, "%.2g", v);
		return;
	}
	while (v >= 1e3 && i < 4) {
		v /= 1e3;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.*f %c", v < 100 ? 1 : 0, v, prefix[i]);
}

/*
 * The blank between number a and unit u: "12.3 M rows", "950 rows", but
 * "12.3 MB" (the unit "B" joins its prefix) and "950 B".
 */
#define SEP(a, u) (strcmp((u), "B") == 0 && \
	(a)[strlen(a) - 1] >= 'A' ? "" : " ")

static void
duration(char *buf, size_t len, double s)
{
	/* Early estimates can be wild: 99 h says "long" well enough. */
	unsigned long t = s < 0 ? 0 : s > 356400 ? 356400 :
	    (unsigned long)(s + 0.5);

	if (t < 60)
		snprintf(buf, len, "%lu s", t);
	else if (t < 3600)
		snprintf(buf, len, "%lu min %02lu s", t / 60, t % 60);
	else
		snprintf(buf, len, "%lu h %02lu min", t / 3600, t / 60 % 60);
}

/* Appends to line at *n, keeping it terminated and within cap. */
static void __attribute__((format(printf, 4, 5)))
add(char *line, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= cap - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(line + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + (size_t)k < cap - 1 ? *n + (size_t)k : cap - 1;
}

/*
 * Draws the step's line: label, count and rate (or bytes read and their
 * rate), percent and ETA when the end is known, else the elapsed time.
 */
static void
draw(void)
{
	char line[LINE_MAX_BYTES + 1], a[32], b[32];
	double el = wall_seconds() - step.t0, frac = -1, pos = -1;
	uint64_t n = __atomic_load_n(&count, __ATOMIC_RELAXED);
	size_t len = 0, w = width();
	off_t off;

	if (step.total > 0)
		frac = (double)n / (double)step.total;
	else if (step.size > step.start &&
	    (off = lseek(step.fd, 0, SEEK_CUR)) >= step.start) {
		pos = (double)(off - step.start);
		frac = pos / (double)(step.size - step.start);
	}
	if (frac > 1)
		frac = 1;
	add(line, sizeof(line), &len, "%s: %s", progname, step.label);
	if (step.unit[0] != '\0') {
		human(a, sizeof(a), (double)n);
		if (step.total > 0) {
			human(b, sizeof(b), (double)step.total);
			add(line, sizeof(line), &len, "  %s/%s%s%s", a, b,
			    SEP(b, step.unit), step.unit);
		} else
			add(line, sizeof(line), &len, "  %s%s%s", a,
			    SEP(a, step.unit), step.unit);
		if (el >= 0.5 && n > 0) {
			human(a, sizeof(a), n / el);
			add(line, sizeof(line), &len, "  %s%s%s/s", a,
			    SEP(a, step.unit), step.unit);
		}
	} else if (pos >= 0) {
		human(a, sizeof(a), pos);
		add(line, sizeof(line), &len, "  %s%sB", a, SEP(a, "B"));
		if (el >= 0.5 && pos > 0) {
			human(a, sizeof(a), pos / el);
			add(line, sizeof(line), &len, "  %s%sB/s", a,
			    SEP(a, "B"));
		}
	}
	if (frac >= 0)
		add(line, sizeof(line), &len, "  %d%%", (int)(frac * 100));
	if (frac > 0 && frac < 1 && el >= 1) {
		duration(a, sizeof(a), el * (1 - frac) / frac);
		add(line, sizeof(line), &len, "  ETA %s", a);
	} else {
		duration(a, sizeof(a), el);
		add(line, sizeof(line), &len, "  %s", a);
	}
	if (step.note[0] != '\0')
		add(line, sizeof(line), &len, "  %s", step.note);
	show(line, len < w ? len : w);
}

static void *
reporter(void *arg)
{
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += REDRAW_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!stopping &&
		    pthread_cond_timedwait(&wake, &lock, &ts) != ETIMEDOUT)
			;
		if (!stopping && !paused && !dead)
			draw();
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

void
progress_start(const char *label, const char *unit, uint64_t total, int fd)
{
	sigset_t all, old;
	struct stat sb;

	progress_end();
	__atomic_store_n(&count, 0, __ATOMIC_RELAXED);
	if (!progress_enabled())
		return;
	pthread_once(&once, init_once);
	pthread_mutex_lock(&lock);
	snprintf(step.label, sizeof(step.label), "%s", label);
	snprintf(step.unit, sizeof(step.unit), "%s", unit ? unit : "");
	step.note[0] = '\0';
	step.total = total;
	step.fd = fd;
	step.start = step.size = 0;
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (step.start = lseek(fd, 0, SEEK_CUR)) >= 0)
		step.size = sb.st_size;
	else
		step.start = 0;
	step.t0 = wall_seconds();
	active = 1;
	stopping = 0;
	/* The first frame at once, so even a short step shows its name. */
	if (!paused && !dead)
		draw();
	pthread_mutex_unlock(&lock);

	/* Signals stay with the main thread, which the tools expect. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	running = pthread_create(&reporter_thread, NULL, reporter, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void
progress_add(uint64_t n)
{
	__atomic_fetch_add(&count, n, __ATOMIC_RELAXED);
}

void
progress_set(uint64_t n)
{
	__atomic_store_n(&count, n, __ATOMIC_RELAXED);
}

void
progress_note(const char *fmt, ...)
{
	va_list ap;

	if (!active)
		return;
	pthread_mutex_lock(&lock);
	if (fmt == NULL)
		step.note[0] = '\0';
	else {
		va_start(ap, fmt);
		vsnprintf(step.note, sizeof(step.note), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&lock);
}

void
progress_end(void)
{
	if (!active)
		return;
	if (running) {
		pthread_mutex_lock(&lock);
		stopping = 1;
		pthread_cond_signal(&wake);
		pthread_mutex_unlock(&lock);
		pthread_join(reporter_thread, NULL);
		running = 0;
	}
	pthread_mutex_lock(&lock);
	erase();
	active = 0;
	pthread_mutex_unlock(&lock);
}

void
progress_pause(void)
{
	pthread_mutex_lock(&lock);
	paused++;
	erase();
	pthread_mutex_unlock(&lock);
}

void
progress_resume(void)
{
	pthread_mutex_lock(&lock);
	paused--;
	pthread_mutex_unlock(&lock);
}

void
progress_kill(void)
{
	pthread_mutex_lock(&lock);
	dead = 1;
	erase();
	pthread_mutex_unlock(&lock);
}
