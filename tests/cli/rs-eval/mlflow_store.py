#!/usr/bin/env python3
# mlflow_store.py - reads an MLflow file store the way MLflow's FileStore
# does (mlflow/store/tracking/file_store.py: yaml.safe_load of every
# meta.yaml, the persisted run-info dict, "timestamp value step" metric
# lines, params and tags as whole files) and prints what `mlflow ui` would
# list, failing on anything FileStore would reject or skip.  Needs PyYAML
# (MLflow's own dependency); exits 77 without it.
#
#   python3 mlflow_store.py STORE
import os
import sys

try:
    import yaml
except ImportError:
    print("PyYAML not installed", file=sys.stderr)
    sys.exit(77)

EXPERIMENT_KEYS = {"artifact_location", "creation_time", "experiment_id",
                   "last_update_time", "lifecycle_stage", "name"}
RUN_KEYS = {"artifact_uri", "end_time", "entry_point_name", "experiment_id",
            "lifecycle_stage", "run_id", "run_name", "run_uuid",
            "source_name", "source_type", "source_version", "start_time",
            "status", "tags", "user_id"}
STATUS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED",
          5: "KILLED"}


def fail(msg):
    sys.exit("mlflow_store: " + msg)


def meta(path):
    with open(os.path.join(path, "meta.yaml")) as f:
        return yaml.safe_load(f)


def main():
    root = sys.argv[1]
    if not os.path.isdir(os.path.join(root, ".trash")):
        fail("no .trash")
    for exp in sorted(os.listdir(root)):
        path = os.path.join(root, exp)
        if exp == ".trash" or not os.path.isdir(path):
            continue
        m = meta(path)
        if set(m) != EXPERIMENT_KEYS:
            fail("%s: keys %s" % (exp, sorted(m)))
        if m["experiment_id"] != exp or not isinstance(m["name"], str):
            fail("%s: bad id or name" % exp)
        if not m["artifact_location"].startswith("file:///"):
            fail("%s: artifact_location" % exp)
        print("experiment %s %r %s" % (exp, m["name"], m["lifecycle_stage"]))
        runs = []
        for run in os.listdir(path):
            rp = os.path.join(path, run)
            if run in ("tags", "datasets", "traces") or not os.path.isdir(rp):
                continue
            r = meta(rp)
            if not RUN_KEYS <= set(r):
                fail("%s: missing %s" % (run, RUN_KEYS - set(r)))
            if r["run_id"] != run or r["run_uuid"] != run or \
                    r["experiment_id"] != exp or len(run) != 32:
                fail("%s: ids do not match its place" % run)
            if r["end_time"] < r["start_time"]:
                fail("%s: ends before it starts" % run)
            if r["artifact_uri"] != m["artifact_location"] + "/" + run + \
                    "/artifacts":
                fail("%s: artifact_uri %s" % (run, r["artifact_uri"]))
            metrics = {}
            for name in os.listdir(os.path.join(rp, "metrics")):
                with open(os.path.join(rp, "metrics", name)) as f:
                    for line in f:
                        parts = line.strip().split(" ")
                        if len(parts) not in (2, 3):
                            fail("%s: metric %s" % (run, name))
                        ts, val = int(parts[0]), float(parts[1])
                        if not r["start_time"] <= ts <= r["end_time"]:
                            fail("%s: metric %s time" % (run, name))
                        metrics[name] = val
            params = {}
            for name in os.listdir(os.path.join(rp, "params")):
                with open(os.path.join(rp, "params", name)) as f:
                    params[name] = f.read()
            tags = {}
            for name in os.listdir(os.path.join(rp, "tags")):
                with open(os.path.join(rp, "tags", name)) as f:
                    tags[name] = f.read()
            if tags.get("mlflow.runName") != r["run_name"]:
                fail("%s: run name tag" % run)
            arts = sorted(os.listdir(os.path.join(rp, "artifacts")))
            runs.append((r["run_name"], STATUS[r["status"]], r["user_id"],
                         r["source_type"], len(metrics),
                         metrics.get("recall_at_3"), sorted(params), arts))
        for x in sorted(runs):
            print("  run %r %s user %r source_type %d, %d metrics, "
                  "recall_at_3 %r\n    params %s\n    artifacts %s" % x)


if __name__ == "__main__":
    main()
