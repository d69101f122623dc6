# a bad --since is a usage error
set -eu
D=$ROOT/tests/data/replay
rs-requests --since yesterday x.rse
