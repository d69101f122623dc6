# -k 0 is a usage error
set -eu
D=$ROOT/tests/data/replay
rs-replay -k 10,0 -r r.rsq -H ev.rse
