# --version prints the version
set -eu
D=$ROOT/tests/data/replay
rs-knn-train --version
