# --rollback checks the release it would go back to as publishing checks a
# new one: every stream (als.rsa, popular.rsa, knn.rsk, items.rse) must
# read to its end with its checksums right.  A damaged release is
# skipped, the bad file named; when every older release is damaged,
# current stays and the exit status is 1.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none"
for i in 1 2 3; do
	[ $i = 1 ] || sleep 1
	"$R" -c c.conf || fail "run $i exited $?"
done
set -- $(ls models/releases)
[ $# = 3 ] || fail "three runs made $# releases: $*"
first=$1 second=$2 third=$3
[ "$(readlink models/current)" = "releases/$third" ] || fail "current is not the newest release"

# The release before current has a truncated kNN model; the one before it
# a flipped byte in its popular model.
size=$(wc -c <"models/releases/$second/knn.rsk")
truncate -s $((size / 2)) "models/releases/$second/knn.rsk"
cp "models/releases/$first/popular.rsa" popular.rsa
printf 'X' | dd of="models/releases/$first/popular.rsa" bs=1 seek=300 conv=notrunc 2>/dev/null

# Both damaged: refused, current unchanged.
rc=0
"$R" -c c.conf --rollback 2>err || rc=$?
echo "both older releases damaged:"
sed 's/^/  /' err
[ $rc = 1 ] || fail "rollback over damaged releases exited $rc, expected 1"
[ "$(readlink models/current)" = "releases/$third" ] || fail "rollback moved current to $(readlink models/current)"
grep -q "^rs-retrain: $PWD/models/releases/$second/knn.rsk: truncated stream .*; skipping 'releases/$second'\$" err ||
    fail "the truncated knn.rsk is not named"
grep -q "^rs-retrain: $PWD/models/releases/$first/popular.rsa: corrupt stream .*; skipping 'releases/$first'\$" err ||
    fail "the corrupt popular.rsa is not named"
grep -q "^rs-retrain: rollback: every release older than '$third' is damaged; current unchanged\$" err ||
    fail "no final message"

# The oldest repaired: rollback skips the damaged one and goes there.
cp popular.rsa "models/releases/$first/popular.rsa"
rc=0
"$R" -c c.conf --rollback 2>err || rc=$?
echo "the release before current damaged:"
sed 's/^/  /' err
[ $rc = 0 ] || fail "rollback past a damaged release exited $rc"
[ "$(readlink models/current)" = "releases/$first" ] ||
    fail "rollback went to $(readlink models/current), not past the damaged release to $first"
check_current models
for s in als.rsa popular.rsa knn.rsk items.rse; do
	rs-cat --info "models/current/$s" >/dev/null || fail "current/$s does not load"
done
grep -q "^rs-retrain: $PWD/models/releases/$second/knn.rsk: truncated stream" err ||
    fail "the skipped release is not named"
grep -q "^rs-retrain: current is now 'releases/$first' (was 'releases/$third')\$" err ||
    fail "no message saying where current is"
echo "rollback over damaged releases ok"
