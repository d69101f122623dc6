# an empty result: a warning and a valid empty matrix
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --since 100000 -o m.rsm $D/tiny.rse
rs-cat -i m.rsm | grep "^table"
rs-interactions -q --since 100000 --csv $D/tiny.rse
