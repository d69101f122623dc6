/*
 * test_mlflow.c - unit tests for lib/mlflow.c: the file-store layout
 * checked file by file (experiment and run meta.yaml, params, metrics,
 * tags, artifacts), experiment lookup by name, meta.yaml written last,
 * and key validation.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs.h"
#include "tap.h"
#include "banned.h"

static char root[64];

/* Contents of dir/name as a static string ("" if unreadable). */
static const char *
file(const char *dir, const char *name)
{
	static char buf[4096];
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int
exists(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static void
test_mlflow__run(void)
{
	struct rs_mlflow_run *r = NULL;
	struct rs_error err;
	char want[1024], dir[512];
	const char *id;
	size_t i;

	CHECK(rs_mlflow_run_start(&r, root, "it's 42", "als run", "ann",
	    "seed", 1700000000123LL, &err) == 0);
	if (r == NULL) {
		printf("#   %s\n", err.msg);
		return;
	}
	id = rs_mlflow_run_id(r);
	CHECK_EQ_U64(strlen(id), 32);
	for (i = 0; i < strlen(id); i++)
		CHECK((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f'));
	CHECK_STR(rs_mlflow_experiment_id(r), "1");
	snprintf(dir, sizeof(dir), "%s", rs_mlflow_run_dir(r));

	/* The store: .trash, Default (0) and the new experiment (1). */
	CHECK(exists(root, ".trash"));
	snprintf(want, sizeof(want), "artifact_location: 'file://%s/0'\n"
	    "creation_time: 1700000000123\nexperiment_id: '0'\n"
	    "last_update_time: 1700000000123\nlifecycle_stage: active\n"
	    "name: 'Default'\n", root);
	CHECK_STR(file(root, "0/meta.yaml"), want);
	snprintf(want, sizeof(want), "artifact_location: 'file://%s/1'\n"
	    "creation_time: 1700000000123\nexperiment_id: '1'\n"
	    "last_update_time: 1700000000123\nlifecycle_stage: active\n"
	    "name: 'it''s 42'\n", root);
	CHECK_STR(file(root, "1/meta.yaml"), want);

	CHECK(rs_mlflow_log_param(r, "factors", "64", &err) == 0);
	CHECK(rs_mlflow_log_param(r, "factors", "65", &err) == RS_EARG);
	CHECK_STR(err.msg, "mlflow param 'factors' given twice");
	CHECK(rs_mlflow_log_param(r, "a/b", "1", &err) == RS_EARG);
	CHECK(rs_mlflow_log_param(r, "..x", "1", &err) == RS_EARG);
	CHECK(rs_mlflow_log_metric(r, "recall_at_10", 0.1, 5, 0, &err) == 0);
	CHECK(rs_mlflow_log_metric(r, "recall_at_10", 0.25, 6, 1, &err) == 0);
	CHECK(rs_mlflow_log_metric(r, "users", 1234, 5, 0, &err) == 0);
	CHECK(rs_mlflow_log_metric(r, "nan", 0.0 / 0.0, 5, 0, &err) ==
	    RS_EARG);
	CHECK(rs_mlflow_set_tag(r, "rs.label", "als", &err) == 0);
	CHECK(rs_mlflow_log_artifact(r, "recs.csv", "user,item,rank\n", 15,
	    &err) == 0);
	CHECK(rs_mlflow_log_artifact(r, "../x", "", 0, &err) == RS_EARG);

	/* No meta.yaml until the run ends: MLflow skips the directory. */
	CHECK(!exists(dir, "meta.yaml"));
	CHECK_STR(file(dir, "params/factors"), "64");
	CHECK_STR(file(dir, "metrics/recall_at_10"), "5 0.1 0\n6 0.25 1\n");
	CHECK_STR(file(dir, "metrics/users"), "5 1234 0\n");
	CHECK(!exists(dir, "metrics/nan"));
	CHECK_STR(file(dir, "tags/mlflow.runName"), "als run");
	CHECK_STR(file(dir, "tags/rs.label"), "als");
	CHECK_STR(file(dir, "artifacts/recs.csv"), "user,item,rank\n");
	CHECK(exists(dir, "params") && exists(dir, "metrics") &&
	    exists(dir, "tags"));

	CHECK(rs_mlflow_run_end(r, 1700000000999LL, &err) == 0);
	snprintf(want, sizeof(want), "artifact_uri: 'file://%s/artifacts'\n"
	    "deleted_time: null\nend_time: 1700000000999\n"
	    "entry_point_name: ''\nexperiment_id: '1'\n"
	    "lifecycle_stage: active\nrun_id: %s\nrun_name: 'als run'\n"
	    "run_uuid: %s\nsource_name: ''\nsource_type: 4\n"
	    "source_version: ''\nstart_time: 1700000000123\nstatus: 3\n"
	    "tags: []\nuser_id: 'ann'\n", dir, id, id);
	CHECK_STR(file(dir, "meta.yaml"), want);
	rs_mlflow_run_free(r);
}

/* A second run finds the experiment by name; Default by NULL. */
static void
test_mlflow__find_experiment(void)
{
	struct rs_mlflow_run *a = NULL, *b = NULL, *c = NULL;
	struct rs_error err;
	char path[128];

	CHECK(rs_mlflow_run_start(&a, root, "it's 42", NULL, NULL, "x",
	    1, &err) == 0);
	CHECK(rs_mlflow_run_start(&b, root, NULL, "r", NULL, "x", 1,
	    &err) == 0);
	CHECK(rs_mlflow_run_start(&c, root, "other", "r", NULL, "x", 1,
	    &err) == 0);
	if (a == NULL || b == NULL || c == NULL)
		return;
	CHECK_STR(rs_mlflow_experiment_id(a), "1");
	CHECK_STR(rs_mlflow_experiment_id(b), "0");
	CHECK_STR(rs_mlflow_experiment_id(c), "2");
	rs_mlflow_run_free(c);
	c = NULL;
	/* A deleted experiment's id (in .trash) is never reused. */
	snprintf(path, sizeof(path), "%s/.trash/7", root);
	CHECK(mkdir(path, 0755) == 0);
	CHECK(rs_mlflow_run_start(&c, root, "third", "r", NULL, "x", 1,
	    &err) == 0);
	CHECK(c != NULL && strcmp(rs_mlflow_experiment_id(c), "8") == 0);
	/* Same seed and time, still distinct run ids. */
	CHECK(strcmp(rs_mlflow_run_id(a), rs_mlflow_run_id(b)) != 0);
	CHECK(rs_mlflow_run_end(a, 2, &err) == 0);
	rs_mlflow_run_free(a);
	rs_mlflow_run_free(b);
	rs_mlflow_run_free(c);
}

/* A store whose Default experiment was deleted gets no second one. */
static void
test_mlflow__deleted_default(void)
{
	struct rs_mlflow_run *r = NULL;
	struct rs_error err;
	char store[128], path[256];

	snprintf(store, sizeof(store), "%s/deleted", root);
	snprintf(path, sizeof(path), "%s/.trash", store);
	CHECK(mkdir(store, 0755) == 0 && mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/.trash/0", store);
	CHECK(mkdir(path, 0755) == 0);
	CHECK(rs_mlflow_run_start(&r, store, NULL, "r", NULL, "x", 1,
	    &err) == RS_EINPUT);
	CHECK(r == NULL);
	snprintf(path, sizeof(path), "%s: experiment 0 ('Default') is "
	    "deleted (in .trash)", store);
	CHECK_STR(err.msg, path);
}

static void
test_mlflow__keys(void)
{
	CHECK(rs_mlflow_key_ok("recall_at_10"));
	CHECK(rs_mlflow_key_ok("eval.k"));
	CHECK(rs_mlflow_key_ok("a b-c"));
	CHECK(!rs_mlflow_key_ok(""));
	CHECK(!rs_mlflow_key_ok("a/b"));
	CHECK(!rs_mlflow_key_ok("a..b"));
	CHECK(!rs_mlflow_key_ok("x@10"));
}

int
main(void)
{
	char cmd[128];

	snprintf(root, sizeof(root), "/tmp/rs-test-mlflow.XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_mlflow__run);
	RUN(test_mlflow__find_experiment);
	RUN(test_mlflow__deleted_default);
	RUN(test_mlflow__keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	return tap_done();
}
