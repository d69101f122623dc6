# an unknown --format
set -eu
D=$ROOT/tests/data/replay
rs-replay --format xml -r r.rsq -H ev.rse
