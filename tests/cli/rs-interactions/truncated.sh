# a truncated stream is an error, never a smaller matrix
set -eu
D=$ROOT/tests/data/interactions
head -c 400 $D/tiny.rse >t.rse
rs-interactions --csv t.rse
