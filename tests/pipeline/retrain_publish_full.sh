# The disk fills up while a run publishes: the run fails (exit 1), current
# and its release stay, and no temporary release (releases/.tmp-*) is left
# behind to keep the disk full.  A run stopped by SIGTERM while it
# publishes removes its temporary release too; a run started meanwhile
# does not touch it.  The output directory is a
# 4 MB tmpfs (mount(8) needs root; the test skips, saying why, when it
# cannot mount); the RS_RETRAIN_PAUSE_AT=publish hook holds the run inside
# publishing while the test fills the disk or sends the signal.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
small_disk small 4m
gen_data 0.002
write_conf c.conf "$PWD/small/models" "baselines =" "tolerance = 1" \
    "iterations = 2" "factors = 8" "mlflow_dir = none"
"$R" -c c.conf || fail "the first run exited $?"
good=$(readlink small/models/current)

# start_paused: starts a run in the background ($pid) and returns once it
# has made its temporary release and pauses.
start_paused() {
	sleep 1
	RS_RETRAIN_PAUSE_AT=publish RS_RETRAIN_PAUSE_SECONDS=2 "$R" -c c.conf 2>err &
	pid=$!
	i=0
	until ls -d small/models/releases/.tmp-* >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 600 ] || { kill "$pid"; fail "no temporary release appeared in 30 s"; }
		sleep 0.05
	done
}
# after WHAT: current, its release and the release count are unchanged,
# and no temporary release is left.
after() {
	echo "$1:"
	sed 's/^/  /' err
	[ "$(readlink small/models/current)" = "$good" ] || fail "$1: current changed"
	check_current small/models || fail "$1: current release damaged"
	for d in small/models/releases/.tmp-*; do
		[ ! -e "$d" ] || fail "$1: temporary release left: $d ($(du -sk "$d" | cut -f 1) KB)"
	done
	[ "$(ls small/models/releases | wc -l)" -eq 1 ] || fail "$1: a release appeared"
}

start_paused
fill small
rc=0
wait "$pid" || rc=$?
[ $rc = 1 ] || fail "full disk in publish: exit $rc, expected 1: $(cat err)"
grep -q '^rs-retrain: publish: failed (exit 1), nothing published$' err ||
    fail "full disk in publish: unclear message: $(cat err)"
after "full disk in publish"
rm small/filler

# Another run meanwhile exits 75 and leaves the temporary release alone:
# only a run holding the lock removes stale ones.
start_paused
tmp=$(ls -d small/models/releases/.tmp-*)
rc=0
"$R" -c c.conf 2>busy.err || rc=$?
[ $rc = 75 ] || fail "a second run during publish exited $rc, expected 75: $(cat busy.err)"
[ -d "$tmp" ] || fail "a second run removed the temporary release of the run publishing"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ $rc = 1 ] || fail "SIGTERM in publish: exit $rc, expected 1: $(cat err)"
after "SIGTERM in publish"

# The next run publishes.
sleep 1
"$R" -c c.conf || fail "the run after the failures exited $?"
[ "$(readlink small/models/current)" != "$good" ] || fail "nothing published after recovery"
check_current small/models
echo "publish on a full disk ok"
