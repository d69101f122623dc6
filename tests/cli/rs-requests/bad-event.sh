# an unknown event type is a usage error
set -eu
D=$ROOT/tests/data/replay
rs-requests -e click x.rse
