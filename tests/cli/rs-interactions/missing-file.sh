# a missing input
set -eu
D=$ROOT/tests/data/interactions
rs-interactions no-such.rse
