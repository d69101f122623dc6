# one stream at most
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --csv $D/tiny.rse $D/tiny.rse
