# A full disk and an unwritable output directory: a clear error, nothing
# published, the old release intact, and the next run on a healthy disk
# succeeds.  The output directory is a 4 MB tmpfs (mount(8) needs root;
# the test skips, saying why, when it cannot mount).  "Unwritable" is
# the same tmpfs remounted read-only (as root, permission bits do not
# stop writes), and an output directory whose parent is a regular file.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
mkdir -p small
if ! mount -t tmpfs -o size=4m tmpfs small 2>mount.err; then
	echo "cannot mount a tmpfs (needs root): $(cat mount.err)" >&2
	exit 77
fi
trap 'umount small 2>/dev/null || umount -l small 2>/dev/null || :' EXIT
gen_data 0.002
write_conf c.conf "$PWD/small/models" "baselines =" "tolerance = 1" \
    "iterations = 2" "factors = 8" "mlflow_dir = none"
"$R" -c c.conf || fail "the first run exited $?"
check_current small/models
good=$(readlink small/models/current)

# expect_fail WHAT PATTERN: exit 1, one error line matching PATTERN,
# current unchanged and loadable, no new release, success 0 in metrics.
expect_fail() {
	rc=0
	"$R" -c c.conf 2>err || rc=$?
	[ $rc = 1 ] || fail "$1: exit $rc, expected 1: $(cat err)"
	grep -q "$2" err || fail "$1: unclear message: $(cat err)"
	[ "$(readlink small/models/current)" = "$good" ] || fail "$1: current changed"
	check_current small/models || fail "$1: old release damaged"
	[ "$(ls small/models/releases | wc -l)" -eq 1 ] || fail "$1: a release appeared"
	grep -q '^rs_retrain_success 0$' rs-retrain.prom || fail "$1: metrics say success"
	echo "$1:"
	sed 's/^/  /' err
}

# Full: fill the tmpfs, leaving a few kilobytes.
dd if=/dev/zero of=small/filler bs=64k 2>/dev/null || :
rm -f small/filler
avail=$(df -k small | awk 'NR == 2 { print $4 }')
dd if=/dev/zero of=small/filler bs=1k count=$((avail - 8)) 2>/dev/null || :
expect_fail "full disk" 'No space left on device'
rm -f small/filler

# Read-only.
mount -o remount,ro small
expect_fail "read-only output directory" "^rs-retrain: output directory '.*': not a writable directory$"
mount -o remount,rw small

# Parent is a regular file (ENOTDIR).
: >plainfile
rc=0
RS_RETRAIN_OUTPUT_DIR=$PWD/plainfile/models "$R" -c c.conf 2>err || rc=$?
[ $rc = 1 ] || fail "ENOTDIR: exit $rc: $(cat err)"
grep -q "^rs-retrain: output directory '.*/plainfile/models': cannot create it: Not a directory$" err ||
    fail "ENOTDIR: unclear message: $(cat err)"
echo "parent is a file:"
sed 's/^/  /' err

# Healthy again: the next run publishes.
sleep 1
"$R" -c c.conf || fail "the run after the faults exited $?"
[ "$(readlink small/models/current)" != "$good" ] || fail "nothing published after recovery"
check_current small/models
echo "disk faults ok"
