# -r and -H are both needed
set -eu
D=$ROOT/tests/data/replay
rs-replay -H ev.rse
