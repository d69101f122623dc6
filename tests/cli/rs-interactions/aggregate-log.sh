# log: log1p of the summed weights
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --aggregate log --csv $D/tiny.rse
