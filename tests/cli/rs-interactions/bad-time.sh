# a time that does not parse
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --until yesterday $D/tiny.rse
