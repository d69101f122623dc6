# The Prometheus text file that rs-retrain writes for node_exporter's
# textfile collector passes promtool check metrics after a successful and
# after a failed run, has one HELP and TYPE per family, no timestamps,
# and keeps the last success time across a failure.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
command -v promtool >/dev/null 2>&1 ||
    { echo "promtool not installed (Debian package prometheus)" >&2; exit 77; }
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none"
P=rs-retrain.prom

# check: promtool, one HELP/TYPE per family, two fields per sample.
check() {
	promtool check metrics <$P || fail "$1: promtool check metrics"
	d=$(grep '^# HELP ' $P | awk '{ print $3 }' | sort | uniq -d)
	[ -z "$d" ] || fail "$1: HELP repeated for $d"
	d=$(grep '^# TYPE ' $P | awk '{ print $3 }' | sort | uniq -d)
	[ -z "$d" ] || fail "$1: TYPE repeated for $d"
	grep -v '^#' $P | awk 'NF != 2 { bad = 1 } END { exit bad }' ||
	    fail "$1: a sample with a timestamp or spaces"
	grep -v '^#' $P | grep -v '^rs_retrain_' && fail "$1: a metric without the rs_retrain_ prefix"
	[ ! -e "$P".tmp.* ] 2>/dev/null || fail "$1: temporary file left"
	return 0
}
"$R" -c c.conf || fail "the run exited $?"
check success
for m in rs_retrain_last_run_timestamp_seconds rs_retrain_last_success_timestamp_seconds \
    'rs_retrain_success 1' rs_retrain_duration_seconds \
    'rs_retrain_stage_duration_seconds{stage="load"}' \
    'rs_retrain_stage_duration_seconds{stage="train-als"}' \
    'rs_retrain_stage_duration_seconds{stage="publish"}' \
    'rs_retrain_input_rows{stream="events"}' 'rs_retrain_visitors{matrix="train"}' \
    'rs_retrain_items{table="train"}' rs_retrain_nonzeros \
    'rs_retrain_gate_recall{model="als",k="10"}' 'rs_retrain_gate_recall{model="blend",k="10"}' \
    'rs_retrain_gate_passed 1' rs_retrain_model_age_seconds \
    'rs_retrain_runs_total{result="published"} 1'; do
	grep -qF "$m" $P || fail "no $m"
done
last=$(awk '$1 == "rs_retrain_last_success_timestamp_seconds" { print $2 }' $P)
ev=$(awk '$1 == "rs_retrain_input_rows{stream=\"events\"}" { print $2 }' $P)
[ "$ev" -eq "$(($(wc -l <data/events.csv) - 1))" ] || fail "events rows $ev"

# A failed run: success 0, the last success time kept, counters counted.
sleep 1
rc=0
RS_RETRAIN_EVENTS=$PWD/missing.csv "$R" -c c.conf 2>/dev/null || rc=$?
[ $rc = 1 ] || fail "the failing run exited $rc"
check failure
grep -q '^rs_retrain_success 0$' $P || fail "failure: success not 0"
grep -q '^rs_retrain_exit_status 1$' $P || fail "failure: exit status"
grep -q "^rs_retrain_last_success_timestamp_seconds $last\$" $P || fail "failure: last success lost"
grep -q '^rs_retrain_runs_total{result="failed"} 1$' $P || fail "failure: counter"
grep -q '^rs_retrain_model_age_seconds' $P || fail "failure: model age missing"
cat $P
