# an unknown source in --blend
set -eu
D=$ROOT/tests/data/replay
rs-replay -b recent:4,magic:2 -r r.rsq -H ev.rse
