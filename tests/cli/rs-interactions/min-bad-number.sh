# a min count that is not a whole number
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --min-user-events -3 $D/tiny.rse
