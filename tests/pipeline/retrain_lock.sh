# One run at a time: a run started while another holds the lock exits 75
# (EX_TEMPFAIL) with a one-line message and touches nothing; two runs
# started at once end one with 0 and one with 75.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none"

# A run held in its first stage by the test hook; a second one meanwhile.
RS_RETRAIN_PAUSE_AT=load RS_RETRAIN_PAUSE_SECONDS=3 "$R" -c c.conf 2>first.err &
first=$!
n=0
until [ -f models/.work/run.log ]; do
	sleep 0.05
	n=$((n + 1))
	[ $n -lt 200 ] || fail "the first run never started"
done
rc=0
"$R" -c c.conf >second.out 2>second.err || rc=$?
[ $rc = 75 ] || fail "second run exited $rc, expected 75: $(cat second.err)"
[ ! -s second.out ] || fail "second run wrote to stdout"
[ "$(wc -l <second.err)" -eq 1 ] || fail "message is not one line: $(cat second.err)"
grep -q "^rs-retrain: another run holds the lock '.*/models/.lock'$" second.err ||
    fail "message: $(cat second.err)"
rc=0
wait $first || rc=$?
[ $rc = 0 ] || fail "the first run exited $rc: $(cat first.err)"
check_current models
grep -q '^rs_retrain_success 1$' rs-retrain.prom || fail "the busy run overwrote the metrics"

# Started together: exactly one runs.
"$R" -c c.conf 2>a.err &
a=$!
"$R" -c c.conf 2>b.err &
b=$!
ra=0 rb=0
wait $a || ra=$?
wait $b || rb=$?
codes=$(printf '%s\n%s\n' $ra $rb | sort -n | tr '\n' ' ')
[ "$codes" = "0 75 " ] || fail "exit codes $codes, expected 0 and 75: $(cat a.err b.err)"
check_current models
echo "lock ok"
