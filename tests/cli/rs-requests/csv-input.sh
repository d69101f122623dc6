# CSV where a stream is expected
set -eu
D=$ROOT/tests/data/replay
rs-requests $D/events.csv
