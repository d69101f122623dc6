# A value of the current release's release.env that the gate compares
# with and that is not a number (or is given twice) stops the run: exit 1,
# the file, line and key named, nothing published, and the metrics file
# still holds only valid samples, the value not among them.  A bad
# created time only leaves the release's age out of the metrics.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none"
P=rs-retrain.prom
"$R" -c c.conf || fail "the first run exited $?"
good=$(readlink models/current)
env=$PWD/models/current/release.env
cp "$env" release.env.good
resolved=$PWD/models/$good/release.env

# prom_ok WHAT: every sample is a name and a finite number; promtool
# agrees when it is installed.
prom_ok() {
	grep -v '^#' $P | awk '$2 !~ /^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/ || NF != 2 { print; bad = 1 }
	    END { exit bad }' || fail "$1: invalid samples in the metrics"
	if command -v promtool >/dev/null 2>&1; then
		promtool check metrics <$P || fail "$1: promtool check metrics"
	fi
}

# bad KEY VALUE PATTERN: KEY=VALUE in current's release.env makes the run
# fail with a message matching PATTERN.
bad() {
	sed "s/^$1=.*/$1=$2/" release.env.good >"$env"
	grep -qx "$1=$2" "$env" || fail "cannot set $1"
	sleep 1
	rc=0
	"$R" -c c.conf 2>err || rc=$?
	echo "$1=$2:"
	sed 's/^/  /' err
	[ $rc = 1 ] || fail "$1=$2: exit $rc, expected 1"
	grep -q "$3" err || fail "$1=$2: the file, line and key are not named"
	grep -q "^rs-retrain: gate: cannot compare with the current release '$good'; nothing published\$" err ||
	    fail "$1=$2: no message saying the gate could not compare"
	[ "$(readlink models/current)" = "$good" ] || fail "$1=$2: current changed"
	[ "$(ls models/releases | wc -l)" -eq 1 ] || fail "$1=$2: a release appeared"
	grep -q '^rs_retrain_success 0$' $P || fail "$1=$2: metrics say success"
	grep -q '^rs_retrain_gate_passed 0$' $P || fail "$1=$2: metrics say the gate passed"
	grep -v "^#" $P | awk -v v="$2" '$2 == v { exit 1 }' || fail "$1=$2: the value is in the metrics"
	prom_ok "$1=$2"
}
line=$(grep -n '^recall_at_10=' release.env.good | cut -d: -f1)
bad recall_at_10 abc "^rs-retrain: $resolved:$line: recall_at_10 'abc' is not a number\$"
line=$(grep -n '^blend_recall_at_10=' release.env.good | cut -d: -f1)
bad blend_recall_at_10 0.2x "^rs-retrain: $resolved:$line: blend_recall_at_10 '0.2x' is not a number\$"
line=$(grep -n '^replay_hit_at_10=' release.env.good | cut -d: -f1)
bad replay_hit_at_10 nan "^rs-retrain: $resolved:$line: replay_hit_at_10 'nan' is not a number\$"
bad recall_at_10 '1e400x' "recall_at_10 '1e400x' is not a number"

# A key given twice.
{ cat release.env.good; echo "recall_at_10=0.9"; } >"$env"
rc=0
"$R" -c c.conf 2>err || rc=$?
[ $rc = 1 ] || fail "duplicate key: exit $rc: $(cat err)"
grep -q "^rs-retrain: $resolved:[0-9]*: recall_at_10 given again (first on line [0-9]*)\$" err ||
    fail "duplicate key: $(cat err)"
prom_ok "duplicate key"

# A bad created time with a failing run: the metrics leave the age out.
sed 's/^created=.*/created=yesterday/' release.env.good >"$env"
rc=0
RS_RETRAIN_EVENTS=$PWD/missing.csv "$R" -c c.conf 2>err || rc=$?
[ $rc = 1 ] || fail "bad created: exit $rc: $(cat err)"
grep -q "^rs-retrain: $resolved:[0-9]*: created 'yesterday' is not an integer; " err ||
    fail "bad created: not named: $(cat err)"
! grep -q '^rs_retrain_model_age_seconds' $P || fail "bad created: an age in the metrics"
prom_ok "bad created"

# The good values back: the next run compares and publishes.
cp release.env.good "$env"
sleep 1
"$R" -c c.conf || fail "the run after the repair exited $?"
[ "$(readlink models/current)" != "$good" ] || fail "nothing published after the repair"
grep -q '^rs_retrain_gate_recall{model="current_als",k="10"} [0-9.]*$' $P || fail "no current recall in the metrics"
prom_ok "repaired"
echo "release.env values ok"
