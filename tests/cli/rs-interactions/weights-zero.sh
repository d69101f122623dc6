# a weight of 0 drops the type
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --weights view=0 --csv $D/tiny.rse
