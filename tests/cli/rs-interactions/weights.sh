# --weights sets some types, the others keep their default
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -w view=0.5,transaction=10 --csv $D/tiny.rse
