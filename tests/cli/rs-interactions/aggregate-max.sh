# max: largest single event weight
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -a max --csv $D/tiny.rse
