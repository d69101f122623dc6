# count: number of events
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --aggregate count --csv $D/tiny.rse
