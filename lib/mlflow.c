/*
 * mlflow.c - an MLflow file-store run writer (layout in mlflow.h).
 *
 * Directory work only, no YAML library: the store's meta.yaml files are
 * flat "key: value" maps, written here with fixed key order (sorted, as
 * yaml.safe_dump writes them) and single-quoted strings, and read back
 * only for an experiment's name and lifecycle stage.  Files other than
 * meta.yaml are written in place: they belong to a run that MLflow does
 * not list until its meta.yaml appears, which is the last write.
 *
 * Experiment ids: "0" for Default; a new named experiment takes one more
 * than the largest numeric directory name (mkdir decides races: on EEXIST
 * the next id is tried).  MLflow itself now draws large random ids; any
 * decimal id reads the same.  Run ids: two FNV-1a-64 hashes of (seed,
 * time, pid, attempt, a per-process call count), as 32 hex digits; mkdir
 * decides collisions within an experiment.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "mlflow.h"
#include "outfile.h"
#include "banned.h"

#define KEY_MAX 250
#define META "meta.yaml"

struct rs_mlflow_run {
	char *root;		/* absolute */
	char exp_id[24];
	char run_id[33];
	char *dir;		/* root/exp/run */
	char *run_name;
	char *user;
	int64_t start_ms;
	int ended;
};

/* malloc'd printf; NULL on failure. */
static char *
xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Creates path (O_EXCL if excl, else truncating) holding n bytes. */
static int
put_file(const char *path, const void *data, size_t n, int excl,
    struct rs_error *err)
{
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | (excl ? O_EXCL : O_TRUNC), 0644);
	if (fd < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s", path);
	if (write_all(fd, data, n) < 0) {
		e = errno;
		close(fd);
		return rs_error_errno(err, RS_EIO, e, "%s: write", path);
	}
	if (close(fd) < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s: close", path);
	return 0;
}

/* Writes a meta.yaml atomically (temporary file, fsync, rename). */
static int
put_meta(const char *path, const char *text, struct rs_error *err)
{
	struct rs_outfile *o;
	int rc;

	if ((rc = rs_outfile_open(&o, path, err)) < 0)
		return rc;
	if (write_all(rs_outfile_fd(o), text, strlen(text)) < 0) {
		rc = rs_error_errno(err, RS_EIO, errno, "%s: write", path);
		rs_outfile_abort(o);
		return rc;
	}
	return rs_outfile_commit(o, err);
}

static int
make_dir(const char *path, struct rs_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return rs_error_errno(err, RS_EIO, errno, "%s: mkdir", path);
	return 0;
}

/* A YAML single-quoted scalar ('' for '); NULL on failure. */
static char *
yaml_quote(const char *s)
{
	size_t n = 3, i, j = 0;
	char *q;

	for (i = 0; s[i]; i++)
		n += s[i] == '\'' ? 2 : 1;
	if ((q = malloc(n)) == NULL)
		return NULL;
	q[j++] = '\'';
	for (i = 0; s[i]; i++) {
		if (s[i] == '\'')
			q[j++] = '\'';
		q[j++] = s[i];
	}
	q[j++] = '\'';
	q[j] = '\0';
	return q;
}

/* file:// URI of an absolute path, percent-encoding as Python's as_uri. */
static char *
file_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path), i, j = 0;
	unsigned char c;
	char *u;

	if ((u = malloc(7 + 3 * n + 1)) == NULL)
		return NULL;
	memcpy(u, "file://", 7);
	j = 7;
	for (i = 0; i < n; i++) {
		c = (unsigned char)path[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/-._~", c) != NULL) {
			u[j++] = (char)c;
		} else {
			u[j++] = '%';
			u[j++] = hex[c >> 4];
			u[j++] = hex[c & 15];
		}
	}
	u[j] = '\0';
	return u;
}

/*
 * The value of "key:" in a flat YAML map (quotes removed), or NULL.
 * Returns malloc'd text.
 */
static char *
yaml_get(const char *text, const char *key)
{
	const size_t kn = strlen(key);
	const char *p = text, *e, *v;
	char *out;
	size_t n, i, j;

	for (; *p; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) <= kn || strncmp(p, key, kn) != 0 ||
		    p[kn] != ':')
			continue;
		v = p + kn + 1;
		while (v < e && *v == ' ')
			v++;
		while (e > v && (e[-1] == ' ' || e[-1] == '\r'))
			e--;
		n = (size_t)(e - v);
		if ((out = malloc(n + 1)) == NULL)
			return NULL;
		if (n >= 2 && v[0] == '\'' && e[-1] == '\'') {
			for (i = 1, j = 0; i < n - 1; i++) {
				out[j++] = v[i];
				if (v[i] == '\'' && i + 1 < n - 1 &&
				    v[i + 1] == '\'')
					i++;
			}
			out[j] = '\0';
		} else if (n >= 2 && v[0] == '"' && e[-1] == '"') {
			for (i = 1, j = 0; i < n - 1; i++) {
				if (v[i] == '\\' && i + 1 < n - 1)
					i++;
				out[j++] = v[i];
			}
			out[j] = '\0';
		} else {
			memcpy(out, v, n);
			out[n] = '\0';
		}
		return out;
	}
	return NULL;
}

/* Reads a small file into a malloc'd string; NULL if unreadable. */
static char *
slurp(const char *path)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t got;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > (1u << 20) ||
			    (nb = realloc(buf, cap)) == NULL) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = nb;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (got < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static int
write_experiment_meta(const char *root, const char *id, const char *name,
    int64_t now_ms, struct rs_error *err)
{
	char *dir = xfmt("%s/%s", root, id), *path = xfmt("%s/%s/%s", root,
	    id, META), *uri = NULL, *quri = NULL, *qname = NULL, *text = NULL;
	int rc;

	if (dir == NULL || path == NULL || (uri = file_uri(dir)) == NULL ||
	    (quri = yaml_quote(uri)) == NULL ||
	    (qname = yaml_quote(name)) == NULL ||
	    (text = xfmt("artifact_location: %s\ncreation_time: %lld\n"
	    "experiment_id: '%s'\nlast_update_time: %lld\n"
	    "lifecycle_stage: active\nname: %s\n", quri, (long long)now_ms,
	    id, (long long)now_ms, qname)) == NULL)
		rc = rs_error_set(err, RS_ENOMEM, "out of memory");
	else
		rc = put_meta(path, text, err);
	free(dir);
	free(path);
	free(uri);
	free(quri);
	free(qname);
	free(text);
	return rc;
}

static int
all_digits(const char *s)
{
	if (*s == '\0' || strlen(s) > 19)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Largest numeric entry name in dir (0 if none or unreadable). */
static unsigned long long
max_id(const char *dir)
{
	unsigned long long id, max = 0;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (all_digits(de->d_name) &&
		    (id = strtoull(de->d_name, NULL, 10)) > max)
			max = id;
	closedir(d);
	return max;
}

/*
 * Finds experiment name in root (id into idbuf), or creates it with an id
 * above every active and deleted (.trash) one.
 */
static int
find_experiment(const char *root, const char *name, char *idbuf,
    size_t idsize, int64_t now_ms, struct rs_error *err)
{
	unsigned long long id, max = 0;
	struct dirent *de;
	char *path, *text, *nm, *stage;
	int found = 0, rc;
	DIR *d;

	if ((d = opendir(root)) == NULL)
		return rs_error_errno(err, RS_EIO, errno, "%s", root);
	while (!found && (de = readdir(d)) != NULL) {
		if (!all_digits(de->d_name))
			continue;
		id = strtoull(de->d_name, NULL, 10);
		if (id > max)
			max = id;
		if ((path = xfmt("%s/%s/%s", root, de->d_name, META)) == NULL) {
			closedir(d);
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		}
		text = slurp(path);
		free(path);
		if (text == NULL)
			continue;
		nm = yaml_get(text, "name");
		stage = yaml_get(text, "lifecycle_stage");
		if (nm && strcmp(nm, name) == 0 &&
		    (stage == NULL || strcmp(stage, "active") == 0)) {
			snprintf(idbuf, idsize, "%s", de->d_name);
			found = 1;
		}
		free(nm);
		free(stage);
		free(text);
	}
	closedir(d);
	if (found)
		return 0;
	if ((path = xfmt("%s/.trash", root)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	if (max_id(path) > max)
		max = max_id(path);
	free(path);
	for (id = max + 1;; id++) {
		snprintf(idbuf, idsize, "%llu", id);
		if ((path = xfmt("%s/%s", root, idbuf)) == NULL)
			return rs_error_set(err, RS_ENOMEM, "out of memory");
		rc = mkdir(path, 0755);
		if (rc < 0 && errno == EEXIST) {
			free(path);
			continue;
		}
		if (rc < 0) {
			rc = rs_error_errno(err, RS_EIO, errno, "%s: mkdir",
			    path);
			free(path);
			return rc;
		}
		free(path);
		return write_experiment_meta(root, idbuf, name, now_ms, err);
	}
}

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
make_run_id(char out[33], const char *seed, int64_t now_ms,
    unsigned attempt)
{
	static unsigned calls;	/* distinct ids within one process */
	uint64_t h[2];
	long pid = (long)getpid();
	int i;

	calls++;

	for (i = 0; i < 2; i++) {
		h[i] = fnv1a(0xcbf29ce484222325ULL ^ (uint64_t)(i + 1) *
		    0x9e3779b97f4a7c15ULL, seed, strlen(seed));
		h[i] = fnv1a(h[i], &now_ms, sizeof(now_ms));
		h[i] = fnv1a(h[i], &pid, sizeof(pid));
		h[i] = fnv1a(h[i], &attempt, sizeof(attempt));
		h[i] = fnv1a(h[i], &calls, sizeof(calls));
		/* Final avalanche (splitmix64's). */
		h[i] ^= h[i] >> 30;
		h[i] *= 0xbf58476d1ce4e5b9ULL;
		h[i] ^= h[i] >> 27;
		h[i] *= 0x94d049bb133111ebULL;
		h[i] ^= h[i] >> 31;
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h[0],
	    (unsigned long long)h[1]);
}

int
rs_mlflow_key_ok(const char *key)
{
	const char *p;

	if (key == NULL || *key == '\0' || strlen(key) > KEY_MAX ||
	    strstr(key, "..") != NULL || strcmp(key, ".") == 0)
		return 0;
	for (p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.' || *p == ' '))
			return 0;
	return 1;
}

static int
bad_key(const char *what, const char *key, struct rs_error *err)
{
	return rs_error_set(err, RS_EARG, "invalid mlflow %s name '%s' "
	    "(letters, digits, '_', '-', '.', ' ' only)", what, key);
}

static void
run_free(struct rs_mlflow_run *r)
{
	if (r == NULL)
		return;
	free(r->root);
	free(r->dir);
	free(r->run_name);
	free(r->user);
	free(r);
}

int
rs_mlflow_run_start(struct rs_mlflow_run **out, const char *root,
    const char *experiment, const char *run_name, const char *user,
    const char *seed, int64_t now_ms, struct rs_error *err)
{
	struct rs_mlflow_run *r;
	char abs[PATH_MAX], *p = NULL, *s;
	static const char *const sub[] = { "metrics", "params", "tags",
	    "artifacts" };
	unsigned attempt, i;
	struct stat st;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	r->start_ms = now_ms;
	if ((rc = make_dir(root, err)) < 0)
		goto fail;
	if (realpath(root, abs) == NULL) {
		rc = rs_error_errno(err, RS_EIO, errno, "%s", root);
		goto fail;
	}
	if ((r->root = xfmt("%s", abs)) == NULL ||
	    (r->run_name = xfmt("%s", run_name ? run_name : "")) == NULL ||
	    (r->user = xfmt("%s", user ? user : "")) == NULL ||
	    (p = xfmt("%s/.trash", abs)) == NULL)
		goto nomem;
	if ((rc = make_dir(p, err)) < 0)
		goto fail;
	free(p);
	if ((p = xfmt("%s/0/%s", abs, META)) == NULL)
		goto nomem;
	if (stat(p, &st) < 0) {
		free(p);
		if ((p = xfmt("%s/.trash/0", abs)) == NULL)
			goto nomem;
		if (stat(p, &st) == 0) {
			/* Default was deleted: never make a second one. */
			rc = rs_error_set(err, RS_EINPUT, "%s: experiment 0 "
			    "('Default') is deleted (in .trash)", root);
			goto fail;
		}
		free(p);
		if ((p = xfmt("%s/0", abs)) == NULL)
			goto nomem;
		if ((rc = make_dir(p, err)) < 0 ||
		    (rc = write_experiment_meta(abs, "0", "Default", now_ms,
		    err)) < 0)
			goto fail;
	}
	free(p);
	p = NULL;
	if (experiment == NULL)
		snprintf(r->exp_id, sizeof(r->exp_id), "0");
	else if ((rc = find_experiment(abs, experiment, r->exp_id,
	    sizeof(r->exp_id), now_ms, err)) < 0)
		goto fail;
	for (attempt = 0;; attempt++) {
		make_run_id(r->run_id, seed ? seed : "", now_ms, attempt);
		free(r->dir);
		if ((r->dir = xfmt("%s/%s/%s", abs, r->exp_id,
		    r->run_id)) == NULL)
			goto nomem;
		if (mkdir(r->dir, 0755) == 0)
			break;
		if (errno != EEXIST || attempt > 100) {
			rc = rs_error_errno(err, RS_EIO, errno, "%s: mkdir",
			    r->dir);
			goto fail;
		}
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if ((s = xfmt("%s/%s", r->dir, sub[i])) == NULL)
			goto nomem;
		rc = make_dir(s, err);
		free(s);
		if (rc < 0)
			goto fail;
	}
	if (run_name != NULL &&
	    (rc = rs_mlflow_set_tag(r, "mlflow.runName", run_name, err)) < 0)
		goto fail;
	*out = r;
	return 0;
nomem:
	rc = rs_error_set(err, RS_ENOMEM, "out of memory");
fail:
	free(p);
	run_free(r);
	return rc;
}

const char *
rs_mlflow_run_id(const struct rs_mlflow_run *r)
{
	return r->run_id;
}

const char *
rs_mlflow_experiment_id(const struct rs_mlflow_run *r)
{
	return r->exp_id;
}

const char *
rs_mlflow_run_dir(const struct rs_mlflow_run *r)
{
	return r->dir;
}

int
rs_mlflow_log_param(struct rs_mlflow_run *r, const char *key,
    const char *value, struct rs_error *err)
{
	char *path;
	int rc;

	if (!rs_mlflow_key_ok(key))
		return bad_key("param", key, err);
	if ((path = xfmt("%s/params/%s", r->dir, key)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	rc = put_file(path, value, strlen(value), 1, err);
	if (rc < 0 && err != NULL && access(path, F_OK) == 0)
		rc = rs_error_set(err, RS_EARG, "mlflow param '%s' given "
		    "twice", key);
	free(path);
	return rc;
}

/* Shortest of %.15g, %.16g, %.17g that reads back as v. */
static void
fmt_double(char *buf, size_t n, double v)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, n, "%.17g", v);
}

int
rs_mlflow_log_metric(struct rs_mlflow_run *r, const char *key,
    double value, int64_t ts_ms, int64_t step, struct rs_error *err)
{
	char num[40], line[96], *path;
	int fd, rc = 0, e;

	if (!rs_mlflow_key_ok(key))
		return bad_key("metric", key, err);
	if (!isfinite(value))
		return rs_error_set(err, RS_EARG, "mlflow metric '%s' is not "
		    "finite", key);
	fmt_double(num, sizeof(num), value);
	snprintf(line, sizeof(line), "%lld %s %lld\n", (long long)ts_ms, num,
	    (long long)step);
	if ((path = xfmt("%s/metrics/%s", r->dir, key)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0) {
		rc = rs_error_errno(err, RS_EIO, errno, "%s", path);
	} else if (write_all(fd, line, strlen(line)) < 0) {
		e = errno;
		close(fd);
		rc = rs_error_errno(err, RS_EIO, e, "%s: write", path);
	} else if (close(fd) < 0) {
		rc = rs_error_errno(err, RS_EIO, errno, "%s: close", path);
	}
	free(path);
	return rc;
}

int
rs_mlflow_set_tag(struct rs_mlflow_run *r, const char *key,
    const char *value, struct rs_error *err)
{
	char *path;
	int rc;

	if (!rs_mlflow_key_ok(key))
		return bad_key("tag", key, err);
	if ((path = xfmt("%s/tags/%s", r->dir, key)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	rc = put_file(path, value, strlen(value), 0, err);
	free(path);
	return rc;
}

static int
artifact_name_ok(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int
rs_mlflow_log_artifact(struct rs_mlflow_run *r, const char *name,
    const void *data, size_t len, struct rs_error *err)
{
	char *path;
	int rc;

	if (!artifact_name_ok(name))
		return rs_error_set(err, RS_EARG, "invalid artifact name "
		    "'%s'", name);
	if ((path = xfmt("%s/artifacts/%s", r->dir, name)) == NULL)
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	rc = put_file(path, data, len, 0, err);
	free(path);
	return rc;
}

int
rs_mlflow_log_artifact_file(struct rs_mlflow_run *r, const char *name,
    const char *src, struct rs_error *err)
{
	char buf[65536], *path;
	int in, fd, rc = 0, e;
	ssize_t got;

	if (!artifact_name_ok(name))
		return rs_error_set(err, RS_EARG, "invalid artifact name "
		    "'%s'", name);
	if ((in = open(src, O_RDONLY)) < 0)
		return rs_error_errno(err, RS_EIO, errno, "%s", src);
	if ((path = xfmt("%s/artifacts/%s", r->dir, name)) == NULL) {
		close(in);
		return rs_error_set(err, RS_ENOMEM, "out of memory");
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		rc = rs_error_errno(err, RS_EIO, errno, "%s", path);
		goto out;
	}
	for (;;) {
		got = read(in, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = rs_error_errno(err, RS_EIO, errno, "%s: read",
			    src);
			break;
		}
		if (got == 0)
			break;
		if (write_all(fd, buf, (size_t)got) < 0) {
			rc = rs_error_errno(err, RS_EIO, errno, "%s: write",
			    path);
			break;
		}
	}
	e = errno;
	if (close(fd) < 0 && rc == 0)
		rc = rs_error_errno(err, RS_EIO, errno, "%s: close", path);
	errno = e;
out:
	close(in);
	free(path);
	return rc;
}

int
rs_mlflow_run_end(struct rs_mlflow_run *r, int64_t end_ms,
    struct rs_error *err)
{
	char *art = NULL, *uri = NULL, *quri = NULL, *qname = NULL,
	    *quser = NULL, *text = NULL, *path = NULL;
	int rc;

	if ((art = xfmt("%s/artifacts", r->dir)) == NULL ||
	    (uri = file_uri(art)) == NULL ||
	    (quri = yaml_quote(uri)) == NULL ||
	    (qname = yaml_quote(r->run_name)) == NULL ||
	    (quser = yaml_quote(r->user)) == NULL ||
	    (path = xfmt("%s/%s", r->dir, META)) == NULL ||
	    (text = xfmt("artifact_uri: %s\ndeleted_time: null\n"
	    "end_time: %lld\nentry_point_name: ''\nexperiment_id: '%s'\n"
	    "lifecycle_stage: active\nrun_id: %s\nrun_name: %s\n"
	    "run_uuid: %s\nsource_name: ''\nsource_type: 4\n"
	    "source_version: ''\nstart_time: %lld\nstatus: 3\ntags: []\n"
	    "user_id: %s\n", quri, (long long)end_ms, r->exp_id, r->run_id,
	    qname, r->run_id, (long long)r->start_ms, quser)) == NULL)
		rc = rs_error_set(err, RS_ENOMEM, "out of memory");
	else
		rc = put_meta(path, text, err);
	if (rc == 0)
		r->ended = 1;
	free(art);
	free(uri);
	free(quri);
	free(qname);
	free(quser);
	free(text);
	free(path);
	return rc;
}

void
rs_mlflow_run_free(struct rs_mlflow_run *r)
{
	run_free(r);
}
