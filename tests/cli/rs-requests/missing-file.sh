# a missing input is a runtime error
set -eu
D=$ROOT/tests/data/replay
rs-requests no-such.rse
