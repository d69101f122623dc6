# a bad --session-gap is a usage error
set -eu
D=$ROOT/tests/data/replay
rs-knn-train --session-gap soon x.rse
