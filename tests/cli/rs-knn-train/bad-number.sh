# --neighbors 0 is a usage error
set -eu
D=$ROOT/tests/data/replay
rs-knn-train -n 0 x.rse
