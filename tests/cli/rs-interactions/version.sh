# --version
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --version
