# --help prints the full help to stdout
set -eu
D=$ROOT/tests/data/replay
rs-knn-train --help
