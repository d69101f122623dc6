# --binary: 1 for every pair
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -b --csv $D/tiny.rse
