/*
 * mlflow.h - writing runs into an MLflow file store (the directory that
 * `mlflow ui --backend-store-uri DIR` reads), without MLflow.
 *
 * Layout (as mlflow/store/tracking/file_store.py reads it):
 *   DIR/.trash/                       deleted experiments (made if missing)
 *   DIR/<exp>/meta.yaml               artifact_location, creation_time,
 *                                     experiment_id, last_update_time,
 *                                     lifecycle_stage: active, name
 *   DIR/<exp>/<run>/meta.yaml         artifact_uri, deleted_time: null,
 *                                     end_time, entry_point_name: '',
 *                                     experiment_id, lifecycle_stage,
 *                                     run_id, run_name, run_uuid,
 *                                     source_name: '', source_type: 4
 *                                     (LOCAL), source_version: '',
 *                                     start_time, status: 3 (FINISHED),
 *                                     tags: [], user_id
 *   DIR/<exp>/<run>/params/<key>      the value, no newline
 *   DIR/<exp>/<run>/metrics/<key>     lines "timestamp_ms value step"
 *   DIR/<exp>/<run>/tags/<key>        the value (mlflow.runName, ...)
 *   DIR/<exp>/<run>/artifacts/<name>  files
 * <exp> is a decimal experiment id (0 is "Default"); <run> 32 lowercase
 * hex digits.  Times are milliseconds since 1970.  Every meta.yaml is
 * written to a temporary file and renamed into place; a run's meta.yaml
 * is written last, by rs_mlflow_run_end, so MLflow (which skips run
 * directories without one) never shows half a run.  YAML strings are
 * always single-quoted, so a name such as 123 stays a string.
 *
 * Keys (params, metrics, tags) must be what MLflow accepts, less '/'
 * (which MLflow stores as subdirectories): letters, digits, '_', '-',
 * '.', ' ', at most 250 bytes, without "..": RS_EARG otherwise.  Values
 * of params and tags are written as given.  Not thread-safe: one
 * thread writes a store.
 *
 * This is the one rs output that records wall-clock time: MLflow needs
 * start and end times, and run ids must differ between runs, so they are
 * derived from a hash of the time, the process id and the caller's seed.
 */
#ifndef RS_MLFLOW_H
#define RS_MLFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct rs_mlflow_run;

/*
 * Starts a run in store root (made if missing, with experiment 0
 * "Default"; RS_EINPUT if Default was deleted into .trash).  experiment:
 * a name, found among the store's active experiments or created with an
 * id above every active and deleted one; NULL means "Default".  run_name: shown
 * by MLflow (also written as tag mlflow.runName).  user: user_id (may be
 * NULL: "").  seed: any text mixed into the run id.  now_ms: start time.
 */
int rs_mlflow_run_start(struct rs_mlflow_run **out, const char *root,
	const char *experiment, const char *run_name, const char *user,
	const char *seed, int64_t now_ms, struct rs_error *err);

/* The 32-hex-digit run id, the experiment id, the run's directory. */
const char *rs_mlflow_run_id(const struct rs_mlflow_run *r);
const char *rs_mlflow_experiment_id(const struct rs_mlflow_run *r);
const char *rs_mlflow_run_dir(const struct rs_mlflow_run *r);

/* 1 if key is a valid MLflow param, metric or tag name. */
int rs_mlflow_key_ok(const char *key);

/* Writes params/<key>; a key logged twice is RS_EARG (MLflow's rule). */
int rs_mlflow_log_param(struct rs_mlflow_run *r, const char *key,
	const char *value, struct rs_error *err);

/* Appends "ts value step" to metrics/<key>; value must be finite. */
int rs_mlflow_log_metric(struct rs_mlflow_run *r, const char *key,
	double value, int64_t ts_ms, int64_t step, struct rs_error *err);

/* Writes (replaces) tags/<key>. */
int rs_mlflow_set_tag(struct rs_mlflow_run *r, const char *key,
	const char *value, struct rs_error *err);

/* Writes artifacts/<name> (a plain file name, no '/') from memory. */
int rs_mlflow_log_artifact(struct rs_mlflow_run *r, const char *name,
	const void *data, size_t len, struct rs_error *err);

/* Copies the file at path to artifacts/<name>. */
int rs_mlflow_log_artifact_file(struct rs_mlflow_run *r, const char *name,
	const char *path, struct rs_error *err);

/* Marks the run FINISHED at end_ms: writes its meta.yaml (last). */
int rs_mlflow_run_end(struct rs_mlflow_run *r, int64_t end_ms,
	struct rs_error *err);

/* Frees r (NULL is fine).  A run never ended keeps no meta.yaml. */
void rs_mlflow_run_free(struct rs_mlflow_run *r);

#endif
