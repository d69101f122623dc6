# a weight that is not a number
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --weights view=-1 $D/tiny.rse
