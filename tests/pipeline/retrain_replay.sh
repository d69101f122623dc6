# replay = yes (the default): the gate replays the validation window with
# rs-knn-train, rs-requests and rs-replay; the release keeps the replay
# table, the kNN model, the blend and its hit rate, the metrics file has
# the replay hit rates; a blend that does not beat the recently-viewed
# baseline in the replay is refused.  Skips when the tools are not built.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
for t in rs-replay rs-requests rs-knn-train; do
	command -v $t >/dev/null 2>&1 || { echo "$t not built" >&2; exit 77; }
done
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none" "replay = yes"
"$R" -c c.conf || fail "the run exited $?"
check_current models
head -1 models/current/replay.csv | grep -q '^recommender,targets,' || fail "replay.csv"
grep -q '^replay_hit_at_10=[0-9.]*$' models/current/release.env || fail "release.env lacks the replay hit rate"
grep -qx 'blend=recent:5,itemknn:5,category:0,popular:0' models/current/release.env || fail "release.env lacks the blend"
rs-cat --info models/current/knn.rsk >/dev/null || fail "the release lacks a loadable knn.rsk"
for m in blend popular recent; do
	grep -q "^rs_retrain_gate_replay_hit{model=\"$m\",k=\"10\"} [0-9.]*\$" rs-retrain.prom ||
	    fail "prom lacks the replay hit rate of $m"
done
# A second run compares with the current release's replay hit rate.
sleep 1
"$R" -c c.conf || fail "the second run exited $?"
grep -q '^rs_retrain_gate_replay_hit{model="current_blend",k="10"}' rs-retrain.prom ||
    fail "prom lacks the current release's replay hit rate"
# Serving popular alone cannot beat recently viewed: refused, exit 3.
before=$(readlink models/current)
sleep 1
st=0
RS_RETRAIN_BLEND=popular:1 RS_RETRAIN_BASELINES=recent "$R" -c c.conf 2>err || st=$?
[ $st = 3 ] || fail "a blend of popular alone exited $st, not 3"
grep -q 'gate: replay hit@10 .* of the new blend does not beat the recent baseline' err ||
    fail "the refusal does not say why: $(cat err)"
[ "$(readlink models/current)" = "$before" ] || fail "current moved after a refusal"
echo "replay gate ok"
