# min counts iterate to a fixed point: visitors 2 and 5 go, then item 30
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -v --min-user-events 2 --min-item-events 2 --csv $D/tiny.rse
