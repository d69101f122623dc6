# --help prints the full help to stdout
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --help
