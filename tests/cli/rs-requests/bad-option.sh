# an unknown option is a usage error
set -eu
D=$ROOT/tests/data/replay
rs-requests --frobnicate x.rse
