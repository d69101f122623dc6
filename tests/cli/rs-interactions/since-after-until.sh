# --since after --until is a usage error
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --since 2015-09-10 --until 2015-09-01 $D/tiny.rse
