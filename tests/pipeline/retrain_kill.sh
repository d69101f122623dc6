# kill -9 of the whole rs-retrain process group at 22 different moments,
# spread over a run (seeded offsets) and over every step of publishing
# (the RS_RETRAIN_PAUSE_AT=publish test hook widens that window): after
# each kill, current is absent (nothing ever published) or points at a
# complete, loadable release, and the next run succeeds.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
command -v setsid >/dev/null 2>&1 || { echo "setsid (util-linux) not installed" >&2; exit 77; }
gen_data 0.002
# Streams as inputs keep each run short; the gate only checks that the
# run works here (no baselines, any tolerance).
rs-load -q -o ev.rse data/events.csv
rs-load -q -o props.rse data/item_properties_part1.csv data/item_properties_part2.csv
rs-load -q -o tree.rse data/category_tree.csv
write_conf c.conf "$PWD/models" "events = $PWD/ev.rse" "props = $PWD/props.rse" \
    "tree = $PWD/tree.rse" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none" "keep = 3"
kills=0

# killrun SECONDS [env...]: start a run in its own process group, kill -9
# the group after SECONDS, check current.
killrun() {
	at=$1
	shift
	env "$@" setsid "$R" -q -c c.conf >/dev/null 2>&1 &
	pid=$!
	sleep "$at"
	if kill -9 "-$pid" 2>/dev/null; then
		kills=$((kills + 1))
		wait "$pid" 2>/dev/null || :
	else
		# The run ended before the kill: it must have succeeded.
		wait "$pid" || fail "a run ended by itself with exit $?"
		echo "run finished before the kill at ${at}s"
	fi
	check_current models || fail "after kill $kills at ${at}s ($*)"
}
mustrun() {
	"$R" -q -c c.conf || fail "the run after kill $kills exited $?"
	check_current models || fail "after the run following kill $kills"
}

# Before any release exists (a run takes 0.6 s or more here).
for at in 0.05 0.2 0.4; do killrun $at; done
[ ! -e models/current ] || check_current models

# Two whole runs, timed: the kill offsets are spread over the shorter
# (a run's duration varies with the machine's load; an offset past the
# end of a run is a kill that did not happen).
dur=
for i in 1 2; do
	t0=$(date +%s.%N)
	mustrun
	t1=$(date +%s.%N)
	dur=$(awk -v a="$t0" -v b="$t1" -v d="$dur" 'BEGIN {
	    x = b - a; if (d != "" && d < x) x = d; printf "%.3f", x }')
done
echo "shorter run: ${dur}s"
# 14 offsets over the first 80 % of a run: the i-th fourteenth plus a
# seeded fraction of one.
offsets=$(awk -v d="$dur" 'BEGIN { s = 7; for (i = 0; i < 14; i++) {
	s = (s * 1103515245 + 12345) % 2147483648
	printf "%.3f\n", 0.8 * d * (i + s / 2147483648) / 14 } }')
for at in $offsets; do
	killrun "$at"
done
mustrun

# Publishing: pause 0.4 s after each of its steps (made the directory,
# moved the files, wrote and synced them, marked COMPLETE, renamed the
# release; then current is swapped) and kill inside each window.
for j in 0 1 2 3 4; do
	env RS_RETRAIN_PAUSE_AT=publish RS_RETRAIN_PAUSE_SECONDS=0.4 setsid "$R" -q -c c.conf >/dev/null 2>&1 &
	pid=$!
	n=0
	until ls -d models/releases/.tmp-* >/dev/null 2>&1; do
		sleep 0.05
		n=$((n + 1))
		[ $n -lt 400 ] || fail "publish never started"
	done
	sleep "$(awk -v j=$j 'BEGIN { print 0.2 + 0.4 * j }')"
	before=$(readlink models/current)
	kill -9 "-$pid" || fail "the run ended before the publish kill $j"
	wait "$pid" 2>/dev/null || :
	kills=$((kills + 1))
	check_current models || fail "after the publish kill $j"
	echo "publish kill $j at +$(awk -v j=$j 'BEGIN { print 0.2 + 0.4 * j }')s: current $before -> $(readlink models/current);" \
	    "left: $(ls -a models/releases | grep -c '^\.tmp-') .tmp, $(ls models/releases | wc -l) releases"
	[ $j != 2 ] || mustrun
done
mustrun
[ $kills -ge 20 ] || fail "only $kills kills"
echo "$kills kills survived"
