#!/bin/sh
# Under a virtual-memory limit (ulimit -v) OpenBLAS's worker thread cannot
# get its buffer and retries forever; its exit handler joins that thread,
# so every tool used to hang at exit, even `rs-cat --version`.  Each run
# here must end by itself, well inside the timeout: exit 0 when the work
# fits, or exit 1 with the tool's own message (out of memory, a thread it
# cannot start) when it does not -- which of the two depends on whether
# OpenBLAS or the tool takes the address space first -- never the
# timeout's 124 or a signal.
set -eu
# AddressSanitizer maps terabytes of shadow memory at start: no tool of a
# sanitizer build can run under ulimit -v
if [ -n "${RS_SANITIZE:-}" ]; then
	echo "skip: a sanitizer build ($RS_SANITIZE) cannot run under ulimit -v" >&2
	exit 77
fi
# the test runner's OPENBLAS_NUM_THREADS=1 would keep the thread away
unset OPENBLAS_NUM_THREADS
run() {	# run KB tool args...: under ulimit -v KB and a 30 s timeout
	kb=$1
	shift
	rc=0
	( ulimit -v "$kb" && exec timeout 30 "$@" ) 2>err || rc=$?
	case $rc in
	0) ;;
	1) grep -q "^$1: " err ||
	    { echo "$* (ulimit -v $kb): exit 1 without its message:"; cat err; exit 1; } ;;
	*) echo "$* under ulimit -v $kb: exit $rc (124: hung)"; cat err; exit 1 ;;
	esac
}
run 120000 rs-cat --version >v.out
[ "$rc" = 0 ] && grep -q '^rs-cat ' v.out || { echo "rs-cat --version: $rc"; exit 1; }
rs-synth -q -s 0.002 -o csv
for kb in 70000 100000 150000; do
	run $kb rs-load -q -o "e$kb.rse" csv/events.csv
	[ "$rc" = 0 ] || [ ! -e "e$kb.rse" ] || { echo "a failed run left its output"; exit 1; }
	run $kb rs-synth -q -s 0.001 -o "s$kb"
done
