# an unknown option is a usage error
set -eu
D=$ROOT/tests/data/replay
rs-knn-train --frobnicate x.rse
