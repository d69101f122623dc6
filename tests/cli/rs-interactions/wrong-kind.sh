# a matrix stream where events are expected
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -q -o m.rsm $D/tiny.rse
rs-interactions m.rsm
