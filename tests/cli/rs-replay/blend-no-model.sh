# a blend with a source whose model is missing
set -eu
D=$ROOT/tests/data/replay
rs-replay -b recent:4,als:2 -r r.rsq -H ev.rse
