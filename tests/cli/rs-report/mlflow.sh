# --mlflow: recall@K of every live run against its start time, a series
# per run name, the newest --runs of each; deleted runs and the .trash are
# skipped, a metric's last value counts.  Runs of two experiments are
# named by experiment.
PATH=$ROOT/scripts:$PATH
run() { # DIR NAME START RECALL@10 [STAGE]
	mkdir -p "$1/metrics"
	printf "start_time: %s\nrun_name: '%s'\nlifecycle_stage: %s\n" "$3" "$2" "${5:-active}" >"$1/meta.yaml"
	printf '%s 0.01 0\n%s %s 0\n' "$3" "$3" "$4" >"$1/metrics/recall_at_10"
}
mkdir -p mlruns/0 mlruns/.trash/9
printf "name: 'Default'\n" >mlruns/0/meta.yaml
run mlruns/0/a1 als 1700000000000 0.2
run mlruns/0/a2 als 1700086400000 0.25
run mlruns/0/a3 als 1700172800000 0.3
run mlruns/0/p1 popular 1700000000000 0.1
run mlruns/0/p2 popular 1700086400000 0.12
run mlruns/0/d1 als 1700100000000 0.9 deleted
run mlruns/.trash/9/t1 als 1700100000000 0.8
rs-report --runs 2 --mlflow mlruns --svg-dir figs >page.html
echo "exit $?"
ls figs
cat figs/mlflow-recall-10.svg
mkdir -p mlruns/1
printf "name: 'rs-retrain'\n" >mlruns/1/meta.yaml
run mlruns/1/b1 blend 1700000000000 0.4
rs-report --mlflow mlruns | grep -o '<g class="series"><title>[^<]*' | sort -u
