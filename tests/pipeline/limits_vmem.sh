#!/bin/sh
# Under a virtual-memory limit (ulimit -v) OpenBLAS's worker thread cannot
# get its buffer and retries forever; its exit handler joins that thread,
# so every tool used to hang at exit, even `rs-cat --version`.  Each run
# here must end by itself, well inside the timeout: a clean exit 0 when
# the work fits, a named "out of memory" and exit 1 when it does not.
set -eu
# the test runner's OPENBLAS_NUM_THREADS=1 would keep the thread away
unset OPENBLAS_NUM_THREADS
lim() {	# lim KB cmd...: runs cmd under ulimit -v KB and a 30 s timeout
	kb=$1
	shift
	( ulimit -v "$kb" && exec timeout 30 "$@" )
}
lim 120000 rs-cat --version >v.out ||
    { echo "rs-cat --version under ulimit -v: exit $?"; exit 1; }
grep -q '^rs-cat ' v.out || { cat v.out; exit 1; }
lim 120000 rs-synth -q -s 0.001 -o csv ||
    { echo "rs-synth under ulimit -v: exit $?"; exit 1; }
lim 120000 rs-load -q -o events.rse csv/events.csv ||
    { echo "rs-load under ulimit -v: exit $?"; exit 1; }
# 40 MB of address space cannot hold the tool and OpenBLAS: an error,
# not a hang (timeout says 124)
set +e
lim 40000 rs-load -q -o e2.rse csv/events.csv 2>err
rc=$?
set -e
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] ||
    { echo "rs-load with 40 MB: exit $rc"; cat err; exit 1; }
[ ! -e e2.rse ] || { echo "a failed run left its output"; exit 1; }
