# the same events in another order give byte-identical output
set -eu
D=$ROOT/tests/data/interactions
cp $D/tiny.rse in.rse
rs-interactions -q in.rse >a.rsm
cp $D/tiny-shuffled.rse in.rse
rs-interactions -q in.rse >b.rsm
cmp a.rsm b.rsm && echo identical
