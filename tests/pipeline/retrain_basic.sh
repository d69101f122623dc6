# rs-retrain end to end on tiny generated data: a first run publishes,
# later runs publish beside it, old releases are pruned (never current),
# --precompute adds the lists, --rollback goes back one release, a worse
# model is refused by the gate (exit 3, current kept), success is quiet,
# the run is logged for MLflow, and --dry-run touches nothing.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
gen_data 0.01
write_conf c.conf "$PWD/models" "keep = 2"

# 1: first run, quiet on success when stderr is not a terminal.
"$R" -c c.conf >out1 2>&1 || fail "first run exited $?: $(cat out1)"
[ ! -s out1 ] || fail "a successful run printed: $(cat out1)"
check_current models || fail "first release"
first=$(readlink models/current)
for f in als.rsa popular.rsa similar.rsk items.rse metrics.csv release.env run.log COMPLETE; do
	[ -f "models/current/$f" ] || fail "release lacks $f"
done
grep -q '^rs_retrain_success 1$' rs-retrain.prom || fail "prom: no success"
find models/mlruns -name meta.yaml | grep -q . || fail "no MLflow run logged"
[ ! -e models/.work ] || fail "work directory left behind"

# 2 and 3: more releases; keep = 2 prunes the oldest; precompute from env.
sleep 1
"$R" -v -c c.conf 2>out2 || fail "second run exited $?"
grep -q 'train-als' out2 || fail "-v printed no stage lines"
second=$(readlink models/current)
[ "$second" != "$first" ] || fail "second run did not publish"
sleep 1
RS_RETRAIN_PRECOMPUTE=1 "$R" -c c.conf || fail "third run exited $?"
check_current models || fail "third release"
[ -s models/current/recs.csv ] || fail "precompute wrote no recs.csv"
head -1 models/current/recs.csv | grep -q '^request,visitor,item,rank,score,source$' || fail "recs.csv header"
# one list per visitor active in the last 30 days, at most k = 10 rows each
awk -F, 'NR > 1 { n[$2]++ } END { for (v in n) if (n[v] > 10) exit 1; exit NR < 2 }' models/current/recs.csv ||
    fail "recs.csv lists"
rs-cat --info models/current/knn.rsk >/dev/null ||
    fail "the release lacks knn.rsk"
# the neighbours table belongs to the release's model and answers as its scan
rs-recommend -q --similar -a -k 5 -m models/current/als.rsa >scan.csv
rs-recommend -q --similar -a -k 5 -m models/current/als.rsa \
    --similar-table models/current/similar.rsk >table.csv ||
    fail "the release's similar.rsk does not load with its als.rsa"
cmp -s scan.csv table.csv || fail "similar.rsk answers differ from the scan"
n=$(ls models/releases | wc -l)
[ "$n" -eq 2 ] || fail "keep = 2 left $n releases"
[ ! -d "models/$first" ] || fail "oldest release not pruned"

# Rollback: to the second release, then nothing older is left.
"$R" -q -c c.conf --rollback || fail "rollback exited $?"
[ "$(readlink models/current)" = "$second" ] || fail "rollback went to $(readlink models/current)"
check_current models
rc=0
"$R" -c c.conf --rollback 2>rb.err || rc=$?
[ $rc = 1 ] || fail "rollback past the oldest exited $rc"
grep -q '^rs-retrain: rollback: no complete release older than' rb.err || fail "rollback message: $(cat rb.err)"

# The gate: a much weaker model (1 iteration, 2 factors) is refused.
rc=0
RS_RETRAIN_ITERATIONS=1 RS_RETRAIN_FACTORS=2 RS_RETRAIN_TOLERANCE=0 "$R" -c c.conf 2>gate.err || rc=$?
[ $rc = 3 ] || fail "weaker model: exit $rc, expected 3: $(cat gate.err)"
[ "$(wc -l <gate.err)" -eq 1 ] || fail "gate message not one line: $(cat gate.err)"
grep -q "^rs-retrain: gate: recall@10 .*; keeping 'releases/" gate.err || fail "gate message: $(cat gate.err)"
[ "$(readlink models/current)" = "$second" ] || fail "refused model was published"
grep -q '^rs_retrain_success 0$' rs-retrain.prom || fail "prom: refused run counted as success"
grep -q '^rs_retrain_gate_passed 0$' rs-retrain.prom || fail "prom: gate_passed"
grep -q '^rs_retrain_runs_total{result="rejected"} 1$' rs-retrain.prom || fail "prom: rejected counter"

# --dry-run prints the steps and creates nothing.
"$R" -n -c c.conf >dry.out
grep -q '^\[1\] load' dry.out && grep -q 'rs-als-train' dry.out || fail "dry run: $(cat dry.out)"
RS_RETRAIN_OUTPUT_DIR=$PWD/none "$R" -n -c c.conf >/dev/null
[ ! -e none ] || fail "dry run created the output directory"
echo "retrain basic ok"
