# a mixed window found empty once the end is known
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --since 6000 --until end-5000ms $D/tiny.rse
