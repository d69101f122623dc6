/*
 * rs-serve - the shop's live endpoint: answers a page view from the
 * served release plus the visitor's events so far (lib/session.c), by
 * the one engine (lib/engine.c) every other tool answers with; takes
 * events over HTTP into the session store and an event log
 * (lib/eventlog.c); exports its health in the Prometheus text format;
 * swaps releases without dropping a request.
 *
 * Threads: libmicrohttpd's pool answers requests; the main thread waits
 * for signals (SIGHUP reload, SIGTERM/SIGINT stop) and, once a poll
 * interval, looks whether current points elsewhere and syncs the event
 * log.  The served release is reference-counted: a request holds the
 * one it began with, a reload swaps the pointer, and the old release is
 * freed when its last request ends.  With --knn-every, a training
 * thread keeps the item-kNN model of the period of the newest event
 * held (its events before the period start), and each new model is
 * served by a reload with it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <jansson.h>
#include <microhttpd.h>

#include "tool.h"
#include "eventlog.h"
#include "release.h"
#include "replay.h"
#include "rstime.h"
#include "session.h"
#include "banned.h"

static const char usage_text[] =
    "usage: rs-serve [-qv] [-A props] [-b blend] [-H events] [-i items] "
    "[-k k]\n"
    "       [-l addr:port] [-m model] [-n knn] [-p popular] [-t threads]\n"
    "       [-w weights] [--access-log file] [--event-log dir] "
    "[--keep-bought]\n"
    "       [--knn-context n] [--knn-decay x] [--knn-every dur]\n"
    "       [--max-body bytes] [--max-k k] [--no-fold-in] [--poll seconds]\n"
    "       [--reload-nice n] [--rotate-size bytes] [--similar-table file]\n"
    "       [--sync mode] [--tree file]\n"
    "       [--release dir | --models dir]\n";

static void
help(void)
{
	printf("%s", usage_text);
	printf("Serve recommendations over HTTP from a release and each "
	    "visitor's events.\n\n"
	    "  -A, --availability FILE item property stream: never "
	    "recommend an item\n"
	    "                          unavailable at the request time "
	    "(repeatable)\n"
	    "      --access-log FILE   append one line per request to FILE\n"
	    "  -b, --blend SPEC        the blend served (default: the "
	    "release's)\n"
	    "      --event-log DIR     append every accepted event to "
	    "DIR/events-N.csv;\n"
	    "                          replayed into the sessions at start\n"
	    "  -H, --history FILE      event stream: the events before the "
	    "log\n"
	    "  -i, --items FILE        item table: never recommend items "
	    "unavailable in it\n"
	    "  -k, --k K               default rows per answer (10)\n"
	    "      --keep-bought       allow items the visitor already bought\n"
	    "      --knn-context N     recent items the itemknn source uses "
	    "(5)\n"
	    "      --knn-every DUR     train the itemknn source here, for each "
	    "UTC-aligned\n"
	    "                          period of DUR that events reach, on "
	    "the events\n"
	    "                          held before the period (-n's model "
	    "is not used)\n"
	    "      --knn-decay X       weight X^p of the p-th newest of them "
	    "(0.7)\n"
	    "  -l, --listen ADDR:PORT  address to listen on (default "
	    "127.0.0.1:8080;\n"
	    "                          port 0 picks a free port)\n"
	    "  -m, --model FILE        ALS model (the als and online sources, "
	    "/similar)\n"
	    "      --max-body BYTES    largest POST body accepted (1048576)\n"
	    "      --max-k K           largest k a request may ask (100)\n"
	    "      --models DIR        serve DIR/current, following it when "
	    "it changes\n"
	    "  -n, --knn FILE          item-kNN model (the itemknn source)\n"
	    "      --no-fold-in        als: the visitor's trained factors "
	    "only\n"
	    "  -p, --popular FILE      popular model (the popular source)\n"
	    "      --poll SECONDS      how often to look at current and sync "
	    "the log (1)\n"
	    "  -q, --quiet             log only errors\n"
	    "      --release DIR       serve the release in DIR\n"
	    "      --reload-nice N     nice increment of reloads and "
	    "--knn-every's\n"
	    "                          training, 0 to 19 (default 10)\n"
	    "      --rotate-size BYTES begin a new log file past this size "
	    "(64 MiB)\n"
	    "      --similar-table FILE\n"
	    "                          neighbours table of the ALS model "
	    "(rs-recommend\n"
	    "                          -f rsk): /similar without a scan\n"
	    "      --sync MODE         event log durability: always, "
	    "interval (default)\n"
	    "                          or never\n"
	    "  -t, --threads N         HTTP worker threads (default 2)\n"
	    "      --tree FILE         category tree: the category source "
	    "backs off\n"
	    "                          to parents\n"
	    "  -v, --verbose           also log every refused request\n"
	    "  -w, --weights LIST      weight per event type (default\n"
	    "                          view=1,addtocart=5,transaction=3)\n"
	    "  -h, --help              this help\n"
	    "      --version           print the version\n\n"
	    "Endpoints: GET /recommendations?visitor=ID[&k=K][&at=TIME]"
	    "[&blend=SPEC],\nGET /similar?item=ID[&k=K][&at=TIME], POST "
	    "/events, GET /metrics,\nGET /healthz.  See rs-serve(1).\n");
	close_stdout();
	exit(0);
}

#define SERVE_MAX_K 1000	/* longest answer (rows on the stack) */

enum {
	OPT_ACCESS_LOG = 256, OPT_EVENT_LOG, OPT_KEEP_BOUGHT, OPT_KNN_CONTEXT,
	OPT_KNN_DECAY, OPT_KNN_EVERY, OPT_MAX_BODY, OPT_MAX_K, OPT_MODELS,
	OPT_NO_FOLD_IN,
	OPT_POLL, OPT_RELEASE, OPT_RELOAD_NICE, OPT_ROTATE_SIZE, OPT_SIMILAR_TABLE, OPT_SYNC,
	OPT_TREE, OPT_VERSION
};

struct opts {
	const char *listen, *history, *event_log, *access_log;
	const char *release, *models, *blend;
	const char *als, *popular, *knn, *items, *similar, *tree;
	const char *avail[RS_RELEASE_MAX_AVAIL];
	unsigned navail;
	unsigned threads, k, max_k, knn_context;
	int reload_nice;		/* nice increment of reloads */
	double knn_decay, poll;
	int64_t knn_every;		/* ms; 0: the release's model */
	int keep_bought, no_fold_in;
	uint64_t max_body;
	struct rs_eventlog_params log;
	double weights[RS_EV_NTYPES];
};

/* ---- metrics ---- */

enum endpoint {
	EP_RECS, EP_SIMILAR, EP_EVENTS, EP_METRICS, EP_HEALTHZ, EP_OTHER, EP_N
};
static const char *const ep_name[EP_N] = {
	"recommendations", "similar", "events", "metrics", "healthz", "other"
};
static const unsigned codes[] = { 200, 400, 404, 405, 413, 415, 500, 503 };
#define NCODES (sizeof(codes) / sizeof(codes[0]))
static const double buckets[] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
	0.25, 0.5, 1
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

enum answer_how { HOW_BLENDED, HOW_OFFLINE, HOW_EMPTY, HOW_N };
static const char *const how_name[HOW_N] = { "blended", "offline", "empty" };

static struct {
	atomic_uint_fast64_t requests[EP_N][NCODES];
	atomic_uint_fast64_t latency[EP_N][NBUCKETS + 1];	/* + Inf */
	atomic_uint_fast64_t latency_us[EP_N];
	atomic_uint_fast64_t answers[HOW_N];
	atomic_uint_fast64_t events_accepted, events_rejected;
	atomic_uint_fast64_t reloads, reload_failures;
	atomic_uint_fast64_t knn_trains, knn_late;
} M;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
count_request(enum endpoint ep, unsigned code, double seconds)
{
	unsigned i;

	for (i = 0; i < NCODES && codes[i] != code; i++)
		;
	if (i < NCODES)
		atomic_fetch_add(&M.requests[ep][i], 1);
	for (i = 0; i < NBUCKETS && seconds > buckets[i]; i++)
		;
	atomic_fetch_add(&M.latency[ep][i], 1);
	atomic_fetch_add(&M.latency_us[ep], (uint64_t)(seconds * 1e6 + 0.5));
}

/* ---- the served release ---- */

struct served {
	struct rs_release *rel;
	unsigned refs;
	double loaded;		/* wall clock */
	int64_t knn_until;	/* --knn-every: its model's period start */
};

static pthread_mutex_t cur_lock = PTHREAD_MUTEX_INITIALIZER;
static struct served *cur;

static struct served *
acquire(void)
{
	struct served *s;

	pthread_mutex_lock(&cur_lock);
	if ((s = cur) != NULL)
		s->refs++;
	pthread_mutex_unlock(&cur_lock);
	return s;
}

static void
put_served(struct served *s)
{
	int last;

	if (s == NULL)
		return;
	pthread_mutex_lock(&cur_lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&cur_lock);
	if (last) {
		rs_release_free(s->rel);
		free(s);
	}
}

/* ---- the server's state ---- */

static struct opts O;
static struct rs_session *sessions;
static struct rs_eventlog *evlog;
static FILE *access_log;
static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;
static int quiet, verbosity;
static double started;

static void
vlogline(const char *fmt, va_list ap)
{
	flockfile(stderr);
	fprintf(stderr, "rs-serve: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

/* A line worth a person's attention; not with -q. */
static void
logmsg(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vlogline(fmt, ap);
	va_end(ap);
}

/* An error: always. */
static void
errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogline(fmt, ap);
	va_end(ap);
}

/* ---- JSON text ---- */

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;	/* a 10-item answer */
		char *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Numbers by hand (numfmt.h): printf was a tenth of a request's CPU. */
static void
buf_u64(struct buf *b, uint64_t v)
{
	char tmp[RS_FMT_MAX];

	buf_add(b, tmp, rs_fmt_u64(tmp, v));
}

static void
buf_i64(struct buf *b, int64_t v)
{
	char tmp[RS_FMT_MAX];

	buf_add(b, tmp, rs_fmt_i64(tmp, v));
}

static void
buf_f32(struct buf *b, float v)
{
	char tmp[RS_FMT_MAX];

	buf_add(b, tmp, rs_fmt_f32(tmp, v));
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		buf_add(b, tmp, (size_t)n);
		return;
	}
	/* long: format again into the buffer itself */
	buf_add(b, "", 0);
	if (b->oom)
		return;
	{
		char *big = malloc((size_t)n + 1);

		if (big == NULL) {
			b->oom = 1;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		buf_add(b, big, (size_t)n);
		free(big);
	}
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void
buf_json_str(struct buf *b, const char *s)
{
	const unsigned char *p;
	char esc[8];

	buf_add(b, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		const unsigned char *q = p;

		while (*q >= 0x20 && *q != '"' && *q != '\\')
			q++;
		buf_add(b, (const char *)p, (size_t)(q - p));	/* as is */
		if (*(p = q) == '\0')
			break;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			buf_add(b, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			buf_add(b, esc, 6);
		}
	}
	buf_add(b, "\"", 1);
}

/* ---- responses ---- */

struct req {
	double t0;
	enum endpoint ep;
	unsigned code;
	int too_large;
	struct buf body;
};

static enum MHD_Result
respond(struct MHD_Connection *c, struct req *r, unsigned code,
    const char *type, struct buf *b, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t n = b->n;
	char *p = b->p;

	if (b->oom) {
		free(b->p);
		code = 500;
		p = NULL;
		n = 0;
	}
	b->p = NULL;
	b->n = b->cap = 0;
	static char empty[1];

	resp = MHD_create_response_from_buffer(n, p ? p : empty,
	    p ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(p);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, code, resp);
	MHD_destroy_response(resp);
	r->code = code;
	return ret;
}

static enum MHD_Result
respond_error(struct MHD_Connection *c, struct req *r, unsigned code,
    const char *allow, const char *fmt, ...)
{
	struct buf b = { NULL, 0, 0, 0 };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (verbosity > 0)
		logmsg("%s: %u: %s", ep_name[r->ep], code, msg);
	buf_str(&b, "{\"error\":");
	buf_json_str(&b, msg);
	buf_printf(&b, ",\"status\":%u}\n", code);
	return respond(c, r, code, "application/json", &b, allow);
}

/* ---- query strings ---- */

#define MAX_ARGS 8

struct args {
	const char *key[MAX_ARGS], *val[MAX_ARGS];
	unsigned n;
	int overflow;
};

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct args *a = cls;

	(void)kind;
	if (a->n == MAX_ARGS) {
		a->overflow = 1;
		return MHD_NO;
	}
	a->key[a->n] = key;
	a->val[a->n++] = value ? value : "";
	return MHD_YES;
}

/*
 * Checks the query string against the allowed keys (NULL-terminated):
 * no other key, none twice.  Returns NULL or the message.
 */
static const char *
check_args(const struct args *a, const char *const *allowed, char *msg,
    size_t n)
{
	unsigned i, j;

	if (a->overflow)
		return "too many query parameters";
	for (i = 0; i < a->n; i++) {
		for (j = 0; allowed[j] != NULL &&
		    strcmp(allowed[j], a->key[i]) != 0; j++)
			;
		if (allowed[j] == NULL) {
			snprintf(msg, n, "unknown query parameter '%.64s'",
			    a->key[i]);
			return msg;
		}
		for (j = 0; j < i; j++)
			if (strcmp(a->key[j], a->key[i]) == 0) {
				snprintf(msg, n, "query parameter '%.64s' "
				    "given twice", a->key[i]);
				return msg;
			}
	}
	return NULL;
}

static const char *
arg(const struct args *a, const char *key)
{
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->key[i], key) == 0)
			return a->val[i];
	return NULL;
}

/* A decimal id (0 .. 2^64 - 2); -1 if s is not one. */
static int
parse_id(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == '\0' || strlen(s) > 20)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (x == RS_ID_NONE)
		return -1;
	*v = x;
	return 0;
}

/*
 * The common parameters k and at; returns NULL or a message.  Without
 * at, every event held is visible and availability is as of the latest
 * snapshot.
 */
static const char *
parse_k_at(const struct args *a, unsigned *k, int64_t *t, char *msg,
    size_t n)
{
	const char *s;
	struct rs_error err;
	uint64_t v;

	*k = O.k;
	*t = INT64_MAX;
	if ((s = arg(a, "k")) != NULL) {
		if (parse_id(s, &v) < 0 || v < 1 || v > O.max_k) {
			snprintf(msg, n, "k '%.32s' is not a number from 1 to "
			    "%u", s, O.max_k);
			return msg;
		}
		*k = (unsigned)v;
	}
	if ((s = arg(a, "at")) != NULL &&
	    rs_time_parse(s, t, &err) < 0) {
		snprintf(msg, n, "at: %.400s", err.msg);
		return msg;
	}
	return NULL;
}

/*
 * The query of /recommendations and /similar: only the allowed keys,
 * the id named idkey (required), k and at.  NULL or the message.
 */
static const char *
parse_query(const struct args *a, const char *const *allowed,
    const char *idkey, const char *path, uint64_t *id, unsigned *k,
    int64_t *t, char *msg, size_t n)
{
	const char *m, *s;

	if ((m = check_args(a, allowed, msg, n)) != NULL ||
	    (m = parse_k_at(a, k, t, msg, n)) != NULL)
		return m;
	if ((s = arg(a, idkey)) == NULL) {
		snprintf(msg, n, "%s is missing (%s?%s=ID)", idkey, path,
		    idkey);
		return msg;
	}
	if (parse_id(s, id) < 0) {
		snprintf(msg, n, "%s '%.32s' is not a decimal id", idkey, s);
		return msg;
	}
	return NULL;
}

/* ---- endpoints ---- */

/* The rows as the answer's JSON body. */
static void
rows_json(struct buf *b, const struct rs_row *rows, int n)
{
	int i;

	buf_str(b, ",\"items\":[");
	for (i = 0; i < n; i++) {
		buf_str(b, i ? ",{\"item\":" : "{\"item\":");
		buf_u64(b, rows[i].item);
		buf_str(b, ",\"rank\":");
		buf_u64(b, (uint64_t)i + 1);
		buf_str(b, ",\"score\":");
		buf_f32(b, rows[i].score);	/* as %.9g */
		buf_str(b, ",\"source\":\"");
		buf_str(b, rs_source_name(rows[i].source));
		buf_str(b, "\"}");
	}
	buf_str(b, "]}\n");
}

struct visible {
	struct rs_session_event *ev;
	size_t cap;
	uint32_t *item;
	uint8_t *type;
	size_t icap;
};

/*
 * Each worker thread's buffers, freed when the thread ends (MHD's pool
 * threads end at MHD_stop_daemon).
 */
static pthread_key_t visible_key;
static pthread_once_t visible_once = PTHREAD_ONCE_INIT;

static void
visible_free(void *p)
{
	struct visible *v = p;

	free(v->ev);
	free(v->item);
	free(v->type);
	free(v);
}

static void
visible_key_make(void)
{
	pthread_key_create(&visible_key, visible_free);
}

static struct visible *
visible_buffers(void)
{
	struct visible *v;

	pthread_once(&visible_once, visible_key_make);
	if ((v = pthread_getspecific(visible_key)) == NULL &&
	    (v = calloc(1, sizeof(*v))) != NULL &&
	    pthread_setspecific(visible_key, v) != 0) {
		free(v);
		v = NULL;
	}
	return v;
}

/*
 * v's visible events as engine indices into tv (items the engine does
 * not know skipped).
 */
static int64_t
visible_events(const struct rs_engine *e, struct visible *tv, uint64_t v,
    int64_t t)
{
	int64_t n, g;
	size_t i, m = 0;

	if (tv == NULL)
		return RS_ENOMEM;
	if ((n = rs_session_visible(sessions, v, t, &tv->ev, &tv->cap)) < 0)
		return n;
	if ((size_t)n > tv->icap) {
		uint32_t *it = realloc(tv->item, (size_t)n * sizeof(*it));
		uint8_t *ty;

		if (it == NULL)
			return RS_ENOMEM;
		tv->item = it;
		if ((ty = realloc(tv->type, (size_t)n)) == NULL)
			return RS_ENOMEM;
		tv->type = ty;
		tv->icap = (size_t)n;
	}
	for (i = 0; i < (size_t)n; i++)
		if ((g = rs_engine_find(e, tv->ev[i].item)) >= 0) {
			tv->item[m] = (uint32_t)g;
			tv->type[m++] = tv->ev[i].type;
		}
	return (int64_t)m;
}

static enum MHD_Result
get_recommendations(struct MHD_Connection *c, struct req *r,
    const struct args *a)
{
	static const char *const allowed[] = {
		"visitor", "k", "at", "blend", NULL
	};
	struct served *s;
	struct rs_engine_work *w;
	struct rs_engine_query q;
	struct visible *tv;
	struct rs_blend blend;
	struct rs_error err;
	struct rs_row rows[SERVE_MAX_K];
	struct buf b = { NULL, 0, 0, 0 };
	const struct rs_engine *e;
	const char *msg, *sv;
	char mbuf[RS_ERROR_MSG_MAX];
	uint64_t visitor;
	unsigned k, i;
	int64_t t, nvis;
	int n;
	enum answer_how how;

	if ((msg = parse_query(a, allowed, "visitor", "/recommendations",
	    &visitor, &k, &t, mbuf, sizeof(mbuf))) != NULL)
		return respond_error(c, r, 400, NULL, "%s", msg);
	if ((s = acquire()) == NULL)
		return respond_error(c, r, 503, NULL, "no release loaded");
	e = rs_release_engine(s->rel);
	blend = *rs_release_blend(s->rel);
	if ((sv = arg(a, "blend")) != NULL) {
		if (rs_blend_parse(sv, &blend, &err) < 0) {
			put_served(s);
			return respond_error(c, r, 400, NULL, "blend: %s",
			    err.msg);
		}
		for (i = 0; i < blend.n; i++)
			if (!rs_engine_has_source(e, blend.src[i])) {
				put_served(s);
				return respond_error(c, r, 400, NULL, "blend "
				    "'%.64s' uses '%s' but the release has no "
				    "model for it", sv,
				    rs_source_name(blend.src[i]));
			}
	}
	tv = visible_buffers();
	if ((nvis = visible_events(e, tv, visitor, t)) < 0 ||
	    (w = rs_release_work_get(s->rel, &err)) == NULL) {
		put_served(s);
		return respond_error(c, r, 500, NULL, "out of memory");
	}
	memset(&q, 0, sizeof(q));
	q.visitor = visitor;
	q.t = t;
	q.item = tv->item;
	q.type = tv->type;
	q.n = (size_t)nvis;
	n = rs_engine_answer(e, w, &q, &blend, k, rows, &err);
	rs_release_work_put(s->rel, w);
	if (n < 0) {
		put_served(s);
		errmsg("visitor %" PRIu64 ": %s", visitor, err.msg);
		return respond_error(c, r, 500, NULL, "%s", err.msg);
	}
	how = n == 0 ? HOW_EMPTY : nvis > 0 ? HOW_BLENDED : HOW_OFFLINE;
	atomic_fetch_add(&M.answers[how], 1);
	buf_str(&b, "{\"visitor\":");
	buf_u64(&b, visitor);
	buf_str(&b, ",\"k\":");
	buf_u64(&b, k);
	buf_str(&b, ",\"release\":");
	buf_json_str(&b, rs_release_name(s->rel));
	buf_str(&b, ",\"blend\":");
	buf_json_str(&b, blend.name);
	buf_str(&b, ",\"events\":");
	buf_i64(&b, nvis);
	buf_str(&b, ",\"answer\":\"");
	buf_str(&b, how_name[how]);
	buf_str(&b, "\"");
	put_served(s);
	rows_json(&b, rows, n);
	return respond(c, r, 200, "application/json", &b, NULL);
}

static enum MHD_Result
get_similar(struct MHD_Connection *c, struct req *r, const struct args *a)
{
	static const char *const allowed[] = { "item", "k", "at", NULL };
	struct served *s;
	struct rs_engine_work *w;
	struct rs_error err;
	struct rs_row rows[SERVE_MAX_K];
	struct buf b = { NULL, 0, 0, 0 };
	const struct rs_engine *e;
	const char *msg;
	char mbuf[RS_ERROR_MSG_MAX];
	uint64_t item;
	unsigned k;
	int64_t t;
	int n;

	if ((msg = parse_query(a, allowed, "item", "/similar", &item, &k, &t,
	    mbuf, sizeof(mbuf))) != NULL)
		return respond_error(c, r, 400, NULL, "%s", msg);
	if ((s = acquire()) == NULL)
		return respond_error(c, r, 503, NULL, "no release loaded");
	e = rs_release_engine(s->rel);
	if (!rs_engine_has_source(e, RS_SRC_ALS)) {
		put_served(s);
		return respond_error(c, r, 503, NULL, "the release has no als "
		    "model: no similar items");
	}
	if ((w = rs_release_work_get(s->rel, &err)) == NULL) {
		put_served(s);
		return respond_error(c, r, 500, NULL, "out of memory");
	}
	n = rs_engine_similar(e, w, item, t, k, rows, &err);
	rs_release_work_put(s->rel, w);
	if (n < 0) {
		put_served(s);
		return respond_error(c, r, 500, NULL, "%s", err.msg);
	}
	buf_str(&b, "{\"item\":");
	buf_u64(&b, item);
	buf_str(&b, ",\"k\":");
	buf_u64(&b, k);
	buf_str(&b, ",\"release\":");
	buf_json_str(&b, rs_release_name(s->rel));
	put_served(s);
	rows_json(&b, rows, n);
	return respond(c, r, 200, "application/json", &b, NULL);
}

/* An id field: a JSON integer >= 0 or a string of decimal digits. */
static int
json_id(json_t *o, const char *key, uint64_t *v, int required)
{
	json_t *x = json_object_get(o, key);

	if (x == NULL)
		return required ? -1 : 1;
	if (json_is_integer(x) && json_integer_value(x) >= 0) {
		*v = (uint64_t)json_integer_value(x);
		return 0;
	}
	if (json_is_string(x))
		return parse_id(json_string_value(x), v);
	return -1;
}

static const char *
check_event(json_t *o, struct rs_event *ev, int64_t now, char *msg,
    size_t n)
{
	static const char *const keys[] = {
		"visitorid", "itemid", "event", "timestamp", "transactionid",
		NULL
	};
	const char *key, *name;
	json_t *x;
	unsigned j;
	int tp;

	if (!json_is_object(o))
		return "not an object";
	json_object_foreach(o, key, x) {
		for (j = 0; keys[j] != NULL && strcmp(keys[j], key) != 0; j++)
			;
		if (keys[j] == NULL) {
			snprintf(msg, n, "unknown field '%.64s'", key);
			return msg;
		}
	}
	if (json_id(o, "visitorid", &ev->visitor, 1) != 0)
		return "visitorid missing or not a decimal id";
	if (json_id(o, "itemid", &ev->item, 1) != 0)
		return "itemid missing or not a decimal id";
	if ((x = json_object_get(o, "event")) == NULL || !json_is_string(x))
		return "event missing or not a string";
	name = json_string_value(x);
	if ((tp = rs_event_parse(name, strlen(name))) < 0) {
		snprintf(msg, n, "unknown event type '%.32s' (view, addtocart "
		    "or transaction)", name);
		return msg;
	}
	ev->type = (uint8_t)tp;
	ev->ts = now;
	if ((x = json_object_get(o, "timestamp")) != NULL) {
		if (!json_is_integer(x))
			return "timestamp is not an integer (milliseconds)";
		ev->ts = (int64_t)json_integer_value(x);
	}
	ev->txn = RS_ID_NONE;
	if (json_id(o, "transactionid", &ev->txn, 0) < 0)
		return "transactionid is not a decimal id";
	return NULL;
}

/* ---- item-kNN trained here (--knn-every) ---- */

/*
 * The period clock is the events' own: when the newest event held
 * (history, event log, POST /events) is in the period [S, S + P), the
 * model served is the one of period S, trained on every event held
 * before S (rs_itemknn_inc: the new events' sessions only).  In a live
 * shop events arrive every second, so S follows the wall clock, and an
 * answer at a time t of that period (at= now) is the answer of
 * rs-replay --knn-every P at t.  Asked at a time of an earlier period,
 * the server still answers with its newest model.  An event older than
 * the last training's S (late) joins the sessions but never the counts.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct rs_event *ev;		/* held, not yet handed to training */
	size_t n, cap;
	int64_t want;			/* period of the newest event held */
	int64_t tried;			/* period trained last (or tried) */
	struct rs_itemknn *model;	/* the newest model, or NULL */
	int64_t model_until;		/* its period start */
	int stop;
	pthread_t thread;
	struct rs_itemknn_inc *inc;	/* the training's own */
} K = { .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER, .want = INT64_MIN,
    .tried = INT64_MIN, .model_until = INT64_MIN };

/* Hands n events (copied) to the training; wakes it at a new period. */
static int
knn_feed(const struct rs_event *ev, size_t n, struct rs_error *err)
{
	int64_t top = INT64_MIN;
	size_t i;

	if (!O.knn_every || n == 0)
		return 0;
	pthread_mutex_lock(&K.lock);
	if (K.n + n > K.cap) {
		size_t c = K.cap ? K.cap : 4096;
		struct rs_event *ne;

		while (c < K.n + n)
			c *= 2;
		if ((ne = realloc(K.ev, c * sizeof(*ne))) == NULL) {
			pthread_mutex_unlock(&K.lock);
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		}
		K.ev = ne;
		K.cap = c;
	}
	memcpy(K.ev + K.n, ev, n * sizeof(*ev));
	K.n += n;
	for (i = 0; i < n; i++)
		if (ev[i].ts > top)
			top = ev[i].ts;
	top = rs_replay_period_start(top, O.knn_every);
	if (top > K.want) {
		K.want = top;
		pthread_cond_signal(&K.wake);
	}
	pthread_mutex_unlock(&K.lock);
	return 0;
}

/* Trains the model of the newest period; -1 on failure (logged). */
static int
knn_train(void)
{
	struct rs_itemknn_params kp;
	struct rs_itemknn *m;
	struct rs_event *ev;
	struct rs_error err;
	size_t n, i, kept = 0;
	int64_t at;
	double t0 = mono_seconds();
	int rc = -1;

	pthread_mutex_lock(&K.lock);
	at = K.want;
	ev = K.ev;
	n = K.n;
	K.ev = NULL;
	K.n = K.cap = 0;
	pthread_mutex_unlock(&K.lock);
	for (i = 0; i < n; i++)
		if (ev[i].ts >= K.tried)
			ev[kept++] = ev[i];
	atomic_fetch_add(&M.knn_late, n - kept);
	if (K.inc == NULL) {
		rs_itemknn_params_init(&kp);
		memcpy(kp.weights, O.weights, sizeof(kp.weights));
		if (rs_itemknn_inc_create(&K.inc, &kp, &err) < 0)
			goto out;
	}
	if (rs_itemknn_inc_add(K.inc, ev, kept, &err) < 0 ||
	    rs_itemknn_inc_train(K.inc, at, &m, NULL, &err) < 0)
		goto out;
	pthread_mutex_lock(&K.lock);
	rs_itemknn_free(K.model);
	K.model = m;
	K.model_until = at;
	pthread_mutex_unlock(&K.lock);
	atomic_fetch_add(&M.knn_trains, 1);
	if (verbosity)
		logmsg("item-knn: the model of period %" PRId64 " (%zu new "
		    "events, %u items) trained in %.3f s", at, kept,
		    rs_itemknn_nitems(m), mono_seconds() - t0);
	rc = 0;
out:
	if (rc < 0)
		errmsg("item-knn: %s; the previous model keeps serving",
		    err.msg);
	K.tried = at;
	free(ev);
	return rc;
}

static int reload(int force);

/* The training thread: a model, then a reload, at each new period. */
static void *
knn_thread(void *arg)
{
	int stop;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&K.lock);
		while (!K.stop && K.want <= K.tried)
			pthread_cond_wait(&K.wake, &K.lock);
		stop = K.stop;
		pthread_mutex_unlock(&K.lock);
		if (stop)
			return NULL;
		if (knn_train() == 0)
			reload(1);
	}
}

static enum MHD_Result
post_events(struct MHD_Connection *c, struct req *r)
{
	json_t *root, *list;
	json_error_t jerr;
	struct rs_event *ev;
	struct rs_error err;
	struct buf b = { NULL, 0, 0, 0 };
	const char *msg;
	char mbuf[256];
	size_t n, i;
	int64_t now = (int64_t)(now_seconds() * 1000);

	root = json_loadb(r->body.p ? r->body.p : "", r->body.n,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return respond_error(c, r, 400, NULL, "invalid JSON at line "
		    "%d column %d: %s", jerr.line, jerr.column, jerr.text);
	list = root;
	if (json_is_object(root) && json_object_get(root, "events") != NULL)
		list = json_object_get(root, "events");
	n = json_is_array(list) ? json_array_size(list) : 1;
	if (n == 0) {
		json_decref(root);
		return respond_error(c, r, 400, NULL, "no events");
	}
	if ((ev = calloc(n, sizeof(*ev))) == NULL) {
		json_decref(root);
		return respond_error(c, r, 500, NULL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		msg = check_event(json_is_array(list) ?
		    json_array_get(list, i) : list, &ev[i], now, mbuf,
		    sizeof(mbuf));
		if (msg != NULL) {
			json_decref(root);
			free(ev);
			atomic_fetch_add(&M.events_rejected, n);
			return respond_error(c, r, 400, NULL, "event %zu: %s; "
			    "no event of this request was taken", i, msg);
		}
	}
	json_decref(root);
	/* The log first: an event the sessions saw is one a restart sees. */
	if (evlog != NULL && rs_eventlog_append(evlog, ev, n, &err) < 0) {
		free(ev);
		atomic_fetch_add(&M.events_rejected, n);
		errmsg("%s", err.msg);
		return respond_error(c, r, 503, NULL, "event log: %s; no event "
		    "of this request was taken", err.msg);
	}
	if (rs_session_add(sessions, ev, n, &err) < 0 ||
	    knn_feed(ev, n, &err) < 0) {
		free(ev);
		atomic_fetch_add(&M.events_rejected, n);
		return respond_error(c, r, 500, NULL, "%s", err.msg);
	}
	free(ev);
	atomic_fetch_add(&M.events_accepted, n);
	buf_str(&b, "{\"accepted\":");
	buf_u64(&b, n);
	buf_str(&b, "}\n");
	return respond(c, r, 200, "application/json", &b, NULL);
}

static enum MHD_Result
get_healthz(struct MHD_Connection *c, struct req *r)
{
	struct served *s = acquire();
	struct buf b = { NULL, 0, 0, 0 };

	if (s == NULL)
		return respond_error(c, r, 503, NULL, "no release loaded");
	buf_str(&b, "{\"status\":\"ok\",\"release\":");
	buf_json_str(&b, rs_release_name(s->rel));
	buf_str(&b, "}\n");
	put_served(s);
	return respond(c, r, 200, "application/json", &b, NULL);
}

/* ---- /metrics: Prometheus text format 0.0.4 ---- */

static void
metric_head(struct buf *b, const char *name, const char *type,
    const char *help_text)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help_text, name,
	    type);
}

/* A metric without labels: its HELP, TYPE and one sample. */
static void
metric_u64(struct buf *b, const char *name, const char *type,
    const char *help_text, uint64_t v)
{
	metric_head(b, name, type, help_text);
	buf_printf(b, "%s %" PRIu64 "\n", name, v);
}

/* A label value: backslash, quote and newline escaped. */
static void
buf_label(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_add(b, "\\", 1);
		if (*s == '\n')
			buf_add(b, "\\n", 2);
		else
			buf_add(b, s, 1);
	}
}

static enum MHD_Result
get_metrics(struct MHD_Connection *c, struct req *r)
{
	struct buf b = { NULL, 0, 0, 0 };
	struct served *s;
	struct rs_eventlog_stats ls;
	uint64_t cum, visitors, events;
	unsigned ep, i;

	metric_head(&b, "rs_serve_requests_total", "counter",
	    "HTTP requests answered, by endpoint and status code.");
	for (ep = 0; ep < EP_N; ep++)
		for (i = 0; i < NCODES; i++)
			buf_printf(&b, "rs_serve_requests_total{endpoint=\"%s\","
			    "code=\"%u\"} %" PRIu64 "\n", ep_name[ep], codes[i],
			    (uint64_t)atomic_load(&M.requests[ep][i]));
	metric_head(&b, "rs_serve_request_duration_seconds", "histogram",
	    "Time from a request's arrival to its response, by endpoint.");
	for (ep = 0; ep < EP_N; ep++) {
		cum = 0;
		for (i = 0; i <= NBUCKETS; i++) {
			cum += atomic_load(&M.latency[ep][i]);
			if (i < NBUCKETS)
				buf_printf(&b, "rs_serve_request_duration_"
				    "seconds_bucket{endpoint=\"%s\",le=\"%g\"} "
				    "%" PRIu64 "\n", ep_name[ep], buckets[i],
				    cum);
			else
				buf_printf(&b, "rs_serve_request_duration_"
				    "seconds_bucket{endpoint=\"%s\",le=\"+Inf\"}"
				    " %" PRIu64 "\n", ep_name[ep], cum);
		}
		buf_printf(&b, "rs_serve_request_duration_seconds_sum{endpoint="
		    "\"%s\"} %.6f\n", ep_name[ep],
		    (double)atomic_load(&M.latency_us[ep]) / 1e6);
		buf_printf(&b, "rs_serve_request_duration_seconds_count{"
		    "endpoint=\"%s\"} %" PRIu64 "\n", ep_name[ep], cum);
	}
	metric_head(&b, "rs_serve_answers_total", "counter",
	    "Recommendation answers by how they were made: blended (the "
	    "visitor's session events with the models), offline (the models "
	    "only: no session events), empty (no item).");
	for (i = 0; i < HOW_N; i++)
		buf_printf(&b, "rs_serve_answers_total{how=\"%s\"} %" PRIu64
		    "\n", how_name[i], (uint64_t)atomic_load(&M.answers[i]));
	metric_head(&b, "rs_serve_events_total", "counter",
	    "Events posted, by result: accepted (logged and in the "
	    "sessions) or rejected.");
	buf_printf(&b, "rs_serve_events_total{result=\"accepted\"} %" PRIu64
	    "\nrs_serve_events_total{result=\"rejected\"} %" PRIu64 "\n",
	    (uint64_t)atomic_load(&M.events_accepted),
	    (uint64_t)atomic_load(&M.events_rejected));
	memset(&ls, 0, sizeof(ls));
	if (evlog != NULL)
		rs_eventlog_stats(evlog, &ls);
	metric_u64(&b, "rs_serve_event_log_written_bytes_total", "counter",
	    "Bytes appended to the event log by this process.", ls.bytes);
	metric_u64(&b, "rs_serve_event_log_sync_failures_total", "counter",
	    "Failed syncs of the event log.", ls.sync_failures);
	metric_u64(&b, "rs_serve_event_log_write_failures_total", "counter",
	    "Failed appends to the event log (their events were refused).",
	    ls.write_failures);
	rs_session_counts(sessions, &visitors, &events);
	metric_u64(&b, "rs_serve_session_visitors", "gauge",
	    "Visitors with events held in the session store.", visitors);
	metric_u64(&b, "rs_serve_session_events", "gauge",
	    "Events held in the session store.", events);
	metric_u64(&b, "rs_serve_reloads_total", "counter",
	    "Releases loaded and switched to after the first.",
	    (uint64_t)atomic_load(&M.reloads));
	metric_u64(&b, "rs_serve_reload_failures_total", "counter",
	    "Releases refused (damaged, incomplete or inconsistent); the "
	    "previous one kept serving.",
	    (uint64_t)atomic_load(&M.reload_failures));
	if (O.knn_every) {
		metric_u64(&b, "rs_serve_knn_trains_total", "counter",
		    "--knn-every: item-kNN models trained.",
		    (uint64_t)atomic_load(&M.knn_trains));
		metric_u64(&b, "rs_serve_knn_late_events_total", "counter",
		    "--knn-every: events older than the period last trained, "
		    "kept in the sessions but never in the item-kNN counts.",
		    (uint64_t)atomic_load(&M.knn_late));
	}
	metric_head(&b, "rs_serve_start_time_seconds", "gauge",
	    "When this process started, in seconds since the epoch.");
	buf_printf(&b, "rs_serve_start_time_seconds %.3f\n", started);
	if ((s = acquire()) != NULL) {
		double created = (double)rs_release_created(s->rel);

		metric_head(&b, "rs_serve_release_info", "gauge",
		    "The release served (value 1).");
		buf_str(&b, "rs_serve_release_info{release=\"");
		buf_label(&b, rs_release_name(s->rel));
		buf_str(&b, "\",blend=\"");
		buf_label(&b, rs_release_blend(s->rel)->name);
		buf_str(&b, "\"} 1\n");
		metric_head(&b, "rs_serve_release_age_seconds", "gauge",
		    "Age of the release served: now minus its created time "
		    "(release.env), or minus its load time without one.");
		buf_printf(&b, "rs_serve_release_age_seconds %.3f\n",
		    now_seconds() - (created > 0 ? created : s->loaded));
		metric_head(&b, "rs_serve_release_loaded_timestamp_seconds",
		    "gauge", "When the release served was loaded.");
		buf_printf(&b, "rs_serve_release_loaded_timestamp_seconds "
		    "%.3f\n", s->loaded);
		if (O.knn_every && s->knn_until != INT64_MIN) {
			metric_head(&b, "rs_serve_knn_until_seconds", "gauge",
			    "--knn-every: the start of the period whose "
			    "item-kNN model is served (trained on the events "
			    "before it).");
			buf_printf(&b, "rs_serve_knn_until_seconds %.3f\n",
			    (double)s->knn_until / 1000);
		}
		put_served(s);
	}
	return respond(c, r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    &b, NULL);
}

/* ---- dispatch ---- */

static int
is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum endpoint
endpoint_of(const char *url)
{
	if (strcmp(url, "/recommendations") == 0)
		return EP_RECS;
	if (strcmp(url, "/similar") == 0)
		return EP_SIMILAR;
	if (strcmp(url, "/events") == 0)
		return EP_EVENTS;
	if (strcmp(url, "/metrics") == 0)
		return EP_METRICS;
	if (strcmp(url, "/healthz") == 0)
		return EP_HEALTHZ;
	return EP_OTHER;
}

/* 1 if the request announces a body (a length above 0, or chunks). */
static int
has_body(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl != NULL && strtoull(cl, NULL, 10) > 0) ||
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;
	struct args a;
	const char *cl;
	int is_get, is_post;

	(void)cls;
	(void)version;
	is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		r->t0 = mono_seconds();
		r->ep = endpoint_of(url);
		*con_cls = r;
		/*
		 * The first call has the headers only.  A body is refused
		 * now or never: MHD takes a response only before the upload
		 * starts (and then sends no 100 Continue) or after its end.
		 */
		if (is_post && r->ep == EP_EVENTS) {
			cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			    MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (cl != NULL && strtoull(cl, NULL, 10) > O.max_body)
				return respond_error(c, r, 413, NULL, "body of "
				    "%.24s bytes is over the limit of %" PRIu64,
				    cl, O.max_body);
			if (!is_json_type(MHD_lookup_connection_value(c,
			    MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
				return respond_error(c, r, 415, NULL, "POST "
				    "/events takes Content-Type: "
				    "application/json");
			return MHD_YES;
		}
		if (is_post)
			goto method;
		/*
		 * Answer on the next call, once MHD has read the whole
		 * request: a response queued with the headers alone makes
		 * it close the connection after it (Connection: close),
		 * and a shop's front end then pays a TCP handshake and a
		 * connection set-up per page view (measured: the static
		 * server of bench/serve.sh did 9 000 requests/s that way,
		 * 52 000 with keep-alive).  A request with a body no
		 * endpoint takes is still answered now, unread, and its
		 * connection closed.
		 */
		if (!has_body(c))
			return MHD_YES;
	}
	if (is_post && *upload_size > 0) {
		if (r->body.n + *upload_size > O.max_body)
			r->too_large = 1;
		else
			buf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_large)
		return respond_error(c, r, 413, NULL, "body over the limit of "
		    "%" PRIu64 " bytes", O.max_body);
	if (r->ep == EP_OTHER)
		return respond_error(c, r, 404, NULL, "no such endpoint "
		    "'%.64s' (/recommendations, /similar, /events, /metrics, "
		    "/healthz)", url);
	if (r->ep == EP_EVENTS) {
		if (!is_post)
			goto method;
		if (r->body.oom)
			return respond_error(c, r, 500, NULL, "out of memory");
		return post_events(c, r);
	}
	if (!is_get)
		goto method;
	memset(&a, 0, sizeof(a));
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
	switch (r->ep) {
	case EP_RECS:
		return get_recommendations(c, r, &a);
	case EP_SIMILAR:
		return get_similar(c, r, &a);
	case EP_METRICS:
		return get_metrics(c, r);
	default:
		return get_healthz(c, r);
	}
method:
	return respond_error(c, r, 405, r->ep == EP_EVENTS ? "POST" :
	    "GET, HEAD", "method %s not allowed on %s", method, url);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	double dt;

	(void)cls;
	(void)c;
	(void)toe;
	if (r == NULL)
		return;
	dt = mono_seconds() - r->t0;
	if (r->code != 0)
		count_request(r->ep, r->code, dt);
	if (access_log != NULL && r->code != 0) {
		pthread_mutex_lock(&access_lock);
		fprintf(access_log, "%.3f %s %u %.6f\n", now_seconds(),
		    ep_name[r->ep], r->code, dt);
		fflush(access_log);
		pthread_mutex_unlock(&access_lock);
	}
	free(r->body.p);
	free(r);
	*con_cls = NULL;
}

/* ---- releases ---- */

static void
release_spec(struct rs_release_spec *sp, const char *dir)
{
	unsigned i;

	memset(sp, 0, sizeof(*sp));
	sp->dir = dir;
	sp->als = O.als;
	sp->popular = O.popular;
	sp->knn = O.knn;
	sp->items = O.items;
	sp->similar = O.similar;
	sp->tree = O.tree;
	for (i = 0; i < O.navail; i++)
		sp->avail[i] = O.avail[i];
	sp->navail = O.navail;
	sp->blend = O.blend;
	rs_engine_params_init(&sp->params);
	memcpy(sp->params.weights, O.weights, sizeof(O.weights));
	sp->params.kmax = O.max_k;
	sp->params.threads = O.threads;
	sp->params.keep_bought = O.keep_bought;
	sp->params.fold_in = !O.no_fold_in;
	if (O.knn_context)
		sp->params.knn_context = O.knn_context;
	if (O.knn_decay > 0)
		sp->params.knn_decay = O.knn_decay;
}

/* The directory to load: --release, current under --models, or NULL. */
static int
release_dir(char *buf, size_t n)
{
	char path[PATH_MAX];

	if (O.release != NULL) {
		snprintf(buf, n, "%s", O.release);
		return 0;
	}
	if (O.models == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/current", O.models);
	if (realpath(path, buf) == NULL)
		return -1;
	return 0;
}

static char failed_dir[PATH_MAX];	/* the last release refused */

/*
 * Loads the release (again) and switches to it.  force: even if it is
 * the one served or the one last refused (SIGHUP).  Returns 0, 1 when
 * nothing changed, -1 on failure (logged, counted).
 */
/*
 * From here on this thread (reloads, log syncs) and the item-kNN training
 * thread it starts run --reload-nice lower: a reload is seconds of CPU,
 * and on a machine with as many cores as request threads it would
 * otherwise take them from the requests (measured: rs-serve(1)).  Linux
 * sets the nice value per thread; the request threads, started before,
 * keep theirs.  Elsewhere, or when the call fails, everything runs at one
 * priority.
 */
static void
background_priority(void)
{
#if defined(__linux__) && defined(SYS_gettid)
	id_t tid = (id_t)syscall(SYS_gettid);
	int nice;

	if (O.reload_nice == 0)
		return;
	errno = 0;
	nice = getpriority(PRIO_PROCESS, tid);
	if ((nice == -1 && errno != 0) || setpriority(PRIO_PROCESS, tid,
	    nice + O.reload_nice) < 0)
		logmsg("cannot lower the priority of reloads: %s",
		    strerror(errno));
#endif
}

static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

static int reload_locked(int force);

/* Reloads (main thread, and the item-kNN training), one at a time. */
static int
reload(int force)
{
	int rc;

	pthread_mutex_lock(&reload_lock);
	rc = reload_locked(force);
	pthread_mutex_unlock(&reload_lock);
	return rc;
}

static int
reload_locked(int force)
{
	struct rs_release_spec sp;
	int64_t knn_until = INT64_MIN;
	struct rs_release *rel;
	struct rs_error err;
	struct served *s, *old;
	char dir[PATH_MAX];
	int rc;
	double t0 = mono_seconds();

	if ((rc = release_dir(dir, sizeof(dir))) < 0) {
		if (force || cur == NULL) {
			errmsg("%s/current: %s", O.models, strerror(errno));
			atomic_fetch_add(&M.reload_failures, 1);
		}
		return -1;
	}
	if (!force && rc == 0) {
		if (strcmp(dir, failed_dir) == 0)
			return 1;
		s = acquire();
		rc = s != NULL && strcmp(rs_release_dir(s->rel), dir) == 0;
		put_served(s);
		if (rc)
			return 1;
	}
	release_spec(&sp, O.release || O.models ? dir : NULL);
	if (O.knn_every) {
		/* the newest model trained here, not the release's */
		pthread_mutex_lock(&K.lock);
		if (K.model != NULL &&
		    (sp.knn_take = rs_itemknn_copy(K.model)) == NULL) {
			pthread_mutex_unlock(&K.lock);
			errmsg("out of memory");
			atomic_fetch_add(&M.reload_failures, 1);
			return -1;
		}
		knn_until = K.model_until;
		pthread_mutex_unlock(&K.lock);
	}
	if (rs_release_load(&rel, &sp, sessions, &err) < 0) {
		errmsg("release %s refused: %s%s", O.release || O.models ?
		    dir : "files", err.msg, cur ? "; the previous release "
		    "keeps serving" : "");
		snprintf(failed_dir, sizeof(failed_dir), "%s", dir);
		atomic_fetch_add(&M.reload_failures, 1);
		return -1;
	}
	failed_dir[0] = '\0';
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rs_release_free(rel);
		atomic_fetch_add(&M.reload_failures, 1);
		return -1;
	}
	s->rel = rel;
	s->refs = 1;
	s->loaded = now_seconds();
	s->knn_until = knn_until;
	pthread_mutex_lock(&cur_lock);
	old = cur;
	cur = s;
	pthread_mutex_unlock(&cur_lock);
	if (old != NULL)
		atomic_fetch_add(&M.reloads, 1);
	put_served(old);
	logmsg("serving release %s (blend %s, %u items) loaded in %.3f s",
	    rs_release_name(rel), rs_release_blend(rel)->name,
	    rs_engine_nitems(rs_release_engine(rel)), mono_seconds() - t0);
	return 0;
}

/* ---- start ---- */

static int
replay_block(void *ctx, const struct rs_event *ev, size_t n,
    struct rs_error *err)
{
	int rc;

	(void)ctx;
	if ((rc = rs_session_add(sessions, ev, n, err)) < 0)
		return rc;
	return knn_feed(ev, n, err);
}

static void
replay_warn(void *ctx, const char *msg)
{
	(void)ctx;
	errmsg("warning: %s", msg);
}

static void
load_sessions(void)
{
	struct rs_error err;
	struct rs_event *ev;
	uint64_t n = 0, v, e;
	size_t nev;

	if (rs_session_create(&sessions, &err) < 0)
		die_err(&err);
	if (O.history != NULL) {
		ev = read_events(O.history, &nev, NULL);
		if (rs_session_add(sessions, ev, nev, &err) < 0 ||
		    knn_feed(ev, nev, &err) < 0)
			die_err(&err);
		free(ev);
	}
	if (O.event_log != NULL) {
		if (rs_eventlog_replay(O.event_log, replay_block, replay_warn,
		    NULL, &n, &err) < 0)
			die_err(&err);
		if (rs_eventlog_open(&evlog, O.event_log, &O.log, &err) < 0)
			die_err(&err);
	}
	rs_session_counts(sessions, &v, &e);
	logmsg("sessions: %" PRIu64 " events of %" PRIu64 " visitors (%" PRIu64
	    " from the event log)", e, v, n);
}

/* ADDR:PORT, [ADDR6]:PORT or PORT into sa. */
static int
parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(s, ':'), *h = s;
	size_t hn;
	uint64_t port;
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;

	if (colon == NULL) {
		h = "127.0.0.1";
		hn = strlen(h);
		colon = s - 1;
	} else {
		hn = (size_t)(colon - s);
		if (hn >= 2 && s[0] == '[' && s[hn - 1] == ']') {
			h = s + 1;
			hn -= 2;
		}
	}
	if (hn == 0 || hn >= sizeof(host) || parse_id(colon + 1, &port) < 0 ||
	    port > 65535)
		return -1;
	memcpy(host, h, hn);
	host[hn] = '\0';
	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	if (quiet)
		return;
	flockfile(stderr);
	fprintf(stderr, "rs-serve: http: ");
	vfprintf(stderr, fmt, ap);
	funlockfile(stderr);
}

static struct MHD_Daemon *
start_http(void)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	char host[INET6_ADDRSTRLEN];

	if (parse_listen(O.listen, &sa, &salen) < 0)
		usage_error(usage_text, "invalid --listen '%s': use ADDR:PORT "
		    "with a numeric address", O.listen);
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/*
	 * MHD clears a connection's memory after every request: 32 KiB
	 * (its default) holds any sane request line and headers, and 64
	 * KiB spent 3 % of the server's time in that memset.
	 */
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)O.threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL)
		die("cannot listen on %s: %s", O.listen, strerror(errno));
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (sa.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr,
		    host, sizeof(host));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr,
		    host, sizeof(host));
	/* stdout: the one line a script reads to find the port */
	printf(sa.ss_family == AF_INET6 ? "http://[%s]:%u/\n" :
	    "http://%s:%u/\n", host, info ? (unsigned)info->port : 0);
	fflush(stdout);
	logmsg("listening on %s port %u with %u threads", host,
	    info ? (unsigned)info->port : 0, O.threads);
	return d;
}

/*
 * The signals are blocked in every thread rs-serve starts and taken by
 * sigtimedwait in the main thread; but a library may have started a
 * thread before main could block them (OpenBLAS starts its thread pool
 * when it is loaded), and a signal delivered there would take its
 * default action: SIGHUP would end the process.  So they also have a
 * handler, which only notes them for the main loop.
 */
static volatile sig_atomic_t got_hup, got_stop;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

static int
run(void)
{
	struct MHD_Daemon *d;
	struct rs_error err;
	struct timespec ts;
	struct sigaction sa;
	sigset_t set;
	double next_sync;
	int sig;

	started = now_seconds();
	if (O.access_log != NULL &&
	    (access_log = fopen(O.access_log, "ae")) == NULL)
		die_errno("%s", O.access_log);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* every thread started from here on inherits the mask */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	load_sessions();
	if (O.knn_every && knn_train() < 0)
		die("item-knn: no model to start with");
	if (reload(1) < 0)
		die("no release to serve");
	d = start_http();
	background_priority();
	if (O.knn_every && pthread_create(&K.thread, NULL, knn_thread,
	    NULL) != 0)
		die("cannot start the item-knn training thread");
	next_sync = mono_seconds() + O.poll;
	for (;;) {
		ts.tv_sec = (time_t)O.poll;
		ts.tv_nsec = (long)((O.poll - (double)ts.tv_sec) * 1e9);
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM)
			got_stop = 1;
		else if (sig == SIGHUP)
			got_hup = 1;
		if (got_stop)
			break;
		if (got_hup) {
			got_hup = 0;
			logmsg("SIGHUP: reloading");
			reload(1);
		} else if (O.models != NULL) {
			reload(0);
		}
		if (evlog != NULL && mono_seconds() >= next_sync) {
			if (O.log.sync == RS_SYNC_INTERVAL &&
			    rs_eventlog_sync(evlog, &err) < 0)
				errmsg("%s", err.msg);
			next_sync = mono_seconds() + O.poll;
		}
	}
	logmsg("stopping");
	MHD_stop_daemon(d);
	if (O.knn_every) {
		pthread_mutex_lock(&K.lock);
		K.stop = 1;
		pthread_cond_signal(&K.wake);
		pthread_mutex_unlock(&K.lock);
		pthread_join(K.thread, NULL);
		rs_itemknn_inc_free(K.inc);
		rs_itemknn_free(K.model);
		free(K.ev);
	}
	if (evlog != NULL && rs_eventlog_close(evlog, &err) < 0)
		errmsg("%s", err.msg);
	put_served(cur);
	cur = NULL;
	rs_session_free(sessions);
	if (access_log != NULL)
		fclose(access_log);
	return 0;
}

static void
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "access-log", required_argument, NULL, OPT_ACCESS_LOG },
		{ "availability", required_argument, NULL, 'A' },
		{ "blend", required_argument, NULL, 'b' },
		{ "event-log", required_argument, NULL, OPT_EVENT_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ "history", required_argument, NULL, 'H' },
		{ "items", required_argument, NULL, 'i' },
		{ "k", required_argument, NULL, 'k' },
		{ "keep-bought", no_argument, NULL, OPT_KEEP_BOUGHT },
		{ "knn", required_argument, NULL, 'n' },
		{ "knn-context", required_argument, NULL, OPT_KNN_CONTEXT },
		{ "knn-decay", required_argument, NULL, OPT_KNN_DECAY },
		{ "knn-every", required_argument, NULL, OPT_KNN_EVERY },
		{ "listen", required_argument, NULL, 'l' },
		{ "max-body", required_argument, NULL, OPT_MAX_BODY },
		{ "max-k", required_argument, NULL, OPT_MAX_K },
		{ "model", required_argument, NULL, 'm' },
		{ "models", required_argument, NULL, OPT_MODELS },
		{ "no-fold-in", no_argument, NULL, OPT_NO_FOLD_IN },
		{ "poll", required_argument, NULL, OPT_POLL },
		{ "popular", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "reload-nice", required_argument, NULL, OPT_RELOAD_NICE },
		{ "rotate-size", required_argument, NULL, OPT_ROTATE_SIZE },
		{ "similar-table", required_argument, NULL,
		    OPT_SIMILAR_TABLE },
		{ "sync", required_argument, NULL, OPT_SYNC },
		{ "threads", required_argument, NULL, 't' },
		{ "tree", required_argument, NULL, OPT_TREE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "weights", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct rs_error err;
	struct rs_blend b;
	int c;

	while ((c = getopt_long(argc, argv, "A:b:H:hi:k:l:m:n:p:qt:vw:",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'A':
			if (O.navail == RS_RELEASE_MAX_AVAIL)
				usage_error(usage_text, "too many -A");
			O.avail[O.navail++] = optarg;
			break;
		case OPT_ACCESS_LOG:
			O.access_log = optarg;
			break;
		case 'b':
			if (rs_blend_parse(optarg, &b, &err) < 0)
				usage_error(usage_text, "invalid --blend: %s",
				    err.msg);
			O.blend = optarg;
			break;
		case OPT_EVENT_LOG:
			O.event_log = optarg;
			break;
		case 'H':
			O.history = optarg;
			break;
		case 'i':
			O.items = optarg;
			break;
		case 'k':
			O.k = (unsigned)parse_u64("--k", optarg, 1,
			    SERVE_MAX_K, usage_text);
			break;
		case OPT_KEEP_BOUGHT:
			O.keep_bought = 1;
			break;
		case OPT_KNN_CONTEXT:
			O.knn_context = (unsigned)parse_u64("--knn-context",
			    optarg, 1, 1000, usage_text);
			break;
		case OPT_KNN_EVERY:
			if ((O.knn_every = parse_duration_opt("--knn-every",
			    optarg, usage_text)) <= 0)
				usage_error(usage_text, "invalid --knn-every "
				    "'%s': must be positive", optarg);
			break;
		case OPT_KNN_DECAY:
			O.knn_decay = parse_double("--knn-decay", optarg, 1e-6,
			    1, usage_text);
			break;
		case 'l':
			O.listen = optarg;
			break;
		case 'm':
			O.als = optarg;
			break;
		case OPT_MAX_BODY:
			O.max_body = parse_u64("--max-body", optarg, 64,
			    1u << 30, usage_text);
			break;
		case OPT_RELOAD_NICE:
			O.reload_nice = (int)parse_u64("--reload-nice", optarg,
			    0, 19, usage_text);
			break;
		case OPT_MAX_K:
			O.max_k = (unsigned)parse_u64("--max-k", optarg, 1,
			    SERVE_MAX_K, usage_text);
			break;
		case OPT_MODELS:
			O.models = optarg;
			break;
		case 'n':
			O.knn = optarg;
			break;
		case OPT_NO_FOLD_IN:
			O.no_fold_in = 1;
			break;
		case 'p':
			O.popular = optarg;
			break;
		case OPT_POLL:
			O.poll = parse_double("--poll", optarg, 0.01, 3600,
			    usage_text);
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_RELEASE:
			O.release = optarg;
			break;
		case OPT_ROTATE_SIZE:
			O.log.rotate_bytes = parse_u64("--rotate-size", optarg,
			    0, UINT64_MAX, usage_text);
			break;
		case OPT_SIMILAR_TABLE:
			O.similar = optarg;
			break;
		case OPT_SYNC:
			if (rs_sync_parse(optarg, &O.log.sync, &err) < 0)
				usage_error(usage_text, "invalid --sync: %s",
				    err.msg);
			break;
		case 't':
			O.threads = (unsigned)parse_u64("--threads", optarg, 1,
			    256, usage_text);
			break;
		case OPT_TREE:
			O.tree = optarg;
			break;
		case 'v':
			verbosity++;
			break;
		case 'w':
			parse_weights_opt("--weights", optarg, O.weights,
			    usage_text);
			break;
		default:
			common_option(c, OPT_VERSION, help, usage_text);
		}
	}
	if (optind < argc)
		usage_error(usage_text, "unexpected operand '%s'",
		    argv[optind]);
	if (O.release != NULL && O.models != NULL)
		usage_error(usage_text, "--release and --models exclude each "
		    "other");
	if ((O.release != NULL || O.models != NULL) &&
	    (O.als || O.popular || O.knn || O.items || O.similar || O.tree))
		usage_error(usage_text, "model files (-m, -p, -n, -i, "
		    "--similar-table, --tree) come "
		    "from the release with --%s", O.release ? "release" :
		    "models");
	if (O.knn_every && O.knn)
		usage_error(usage_text, "-n knn and --knn-every exclude each "
		    "other");
	if (O.release == NULL && O.models == NULL && O.als == NULL &&
	    O.popular == NULL && O.knn == NULL && !O.knn_every)
		usage_error(usage_text, "nothing to serve: give --models DIR, "
		    "--release DIR or model files (-m, -p, -n)");
	if (O.k > O.max_k)
		usage_error(usage_text, "-k %u is above --max-k %u", O.k,
		    O.max_k);
}

int
main(int argc, char **argv)
{
	struct rs_engine_params p;

	tool_init(argc, argv);
	O.listen = "127.0.0.1:8080";
	O.threads = 2;
	O.k = 10;
	O.max_k = 100;
	O.reload_nice = 10;
	O.max_body = 1u << 20;
	O.poll = 1;
	rs_eventlog_params_init(&O.log);
	rs_engine_params_init(&p);
	memcpy(O.weights, p.weights, sizeof(O.weights));
	parse_args(argc, argv);
	return run();
}
