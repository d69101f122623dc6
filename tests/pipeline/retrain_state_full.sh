# A full disk does not empty .state: the failed run says it cannot write
# it and leaves the previous counters and last success time in place, so
# the next run's metrics count on from them.  The output directory is a
# 4 MB tmpfs filled to the last byte (mount(8) needs root; the test
# skips, saying why, when it cannot mount).
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
small_disk small 4m
gen_data 0.002
write_conf c.conf "$PWD/small/models" "baselines =" "tolerance = 1" \
    "iterations = 2" "factors = 8" "mlflow_dir = none"
P=rs-retrain.prom
"$R" -c c.conf || fail "the first run exited $?"
cp small/models/.state state.before
grep -q '^runs_published=1$' state.before || fail "first run's state: $(cat state.before)"
last=$(sed -n 's/^last_success=//p' state.before)
[ -n "$last" ] || fail "first run's state has no last success: $(cat state.before)"

# Every write in the output directory fails now.
fill small
sleep 1
rc=0
"$R" -c c.conf 2>err || rc=$?
echo "full disk:"
sed 's/^/  /' err
[ $rc = 1 ] || fail "full disk: exit $rc, expected 1"
cmp -s state.before small/models/.state ||
    fail ".state changed on a full disk; it holds: '$(cat small/models/.state)'"
grep -q "^rs-retrain: $PWD/small/models/.state: cannot write it: No space left on device; " err ||
    fail "no message saying .state could not be written"
for f in small/models/.state.*; do
	[ ! -e "$f" ] || fail "temporary file left: $f"
done
grep -q '^rs_retrain_runs_total{result="failed"} 1$' $P || fail "metrics: the failure is not counted"
grep -q "^rs_retrain_last_success_timestamp_seconds $last\$" $P || fail "metrics: last success lost"

# Space again: the next run counts on from the state the first run left.
rm small/filler
sleep 1
"$R" -c c.conf || fail "the run after the full disk exited $?"
grep -q '^rs_retrain_runs_total{result="published"} 2$' $P ||
    fail "metrics: the published counter restarted: $(grep runs_total $P)"
grep -q '^runs_published=2$' small/models/.state || fail "state: $(cat small/models/.state)"
echo "state on a full disk ok"
