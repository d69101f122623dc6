# an unknown aggregation is a usage error
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --aggregate mean $D/tiny.rse
