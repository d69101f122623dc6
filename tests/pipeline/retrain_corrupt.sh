# Corrupted or truncated input streams: the run fails in its load stage,
# naming the file; nothing is published and the current release stays.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
gen_data 0.002
rs-load -q -o ev.rse data/events.csv
rs-load -q -o props.rse data/item_properties_part1.csv data/item_properties_part2.csv
rs-load -q -o tree.rse data/category_tree.csv
write_conf c.conf "$PWD/models" "events = $PWD/in.rse" "props = $PWD/props.rse" \
    "tree = $PWD/tree.rse" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none"
cp ev.rse in.rse
"$R" -c c.conf || fail "the run on good streams exited $?"
check_current models
good=$(readlink models/current)

# expect_fail WHAT: the run fails at load naming in.rse, current kept.
expect_fail() {
	rc=0
	"$R" -c c.conf 2>err || rc=$?
	[ $rc = 1 ] || fail "$1: exit $rc, expected 1: $(cat err)"
	grep -q "$PWD/in.rse" err || fail "$1: the file is not named: $(cat err)"
	grep -q '^rs-retrain: load: failed (exit 1), nothing published$' err ||
	    fail "$1: the stage is not named: $(cat err)"
	[ "$(readlink models/current)" = "$good" ] || fail "$1: current changed"
	check_current models
	[ "$(ls models/releases | wc -l)" -eq 1 ] || fail "$1: a release appeared"
	grep -q '^rs_retrain_success 0$' rs-retrain.prom || fail "$1: prom says success"
	sed 's/^/  /' err
}
size=$(wc -c <ev.rse)
head -c $((size / 2)) ev.rse >in.rse
expect_fail truncated
cp ev.rse in.rse
printf 'X' | dd of=in.rse bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
expect_fail "flipped byte"
head -c 100 data/events.csv >in.rse
expect_fail "not a stream"

# The same flipped byte with new_dir files beside the stream: the stream
# is piped through rs-cat into rs-load with them, and rs-cat's failure
# must fail the run (sh has no pipefail), not hand rs-load a short input.
mkdir -p new
head -n 30 data/events.csv >new/events-1.csv
write_conf c.conf "$PWD/models" "events = $PWD/in.rse" "props = $PWD/props.rse" \
    "tree = $PWD/tree.rse" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none" "new_dir = $PWD/new"
cp ev.rse in.rse
printf 'X' | dd of=in.rse bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
expect_fail "flipped byte, with new_dir"

# A good stream again: the next run publishes.
cp ev.rse in.rse
sleep 1
"$R" -c c.conf || fail "the run after the failures exited $?"
[ "$(readlink models/current)" != "$good" ] || fail "nothing published after recovery"
check_current models
echo "corrupt inputs ok"
