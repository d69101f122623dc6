# replay = yes: the gate replays the validation window with rs-requests
# and rs-replay; the release keeps the replay table and its hit rate,
# the metrics file has the replay hit rates.  Skips when the tools are
# not built.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
for t in rs-replay rs-requests; do
	command -v $t >/dev/null 2>&1 || { echo "$t not built" >&2; exit 77; }
done
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none" "replay = yes"
"$R" -c c.conf || fail "the run exited $?"
check_current models
head -1 models/current/replay.csv | grep -q '^recommender,targets,' || fail "replay.csv"
grep -q '^replay_hit_at_10=[0-9.]*$' models/current/release.env || fail "release.env lacks the replay hit rate"
for m in blend popular recent; do
	grep -q "^rs_retrain_gate_replay_hit{model=\"$m\",k=\"10\"} [0-9.]*\$" rs-retrain.prom ||
	    fail "prom lacks the replay hit rate of $m"
done
# A second run compares with the current release's replay hit rate.
sleep 1
"$R" -c c.conf || fail "the second run exited $?"
grep -q '^rs_retrain_gate_replay_hit{model="current_blend",k="10"}' rs-retrain.prom ||
    fail "prom lacks the current release's replay hit rate"
echo "replay gate ok"
