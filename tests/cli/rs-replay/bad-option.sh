# an unknown option is a usage error
set -eu
D=$ROOT/tests/data/replay
rs-replay --frobnicate -r r.rsq -H ev.rse
