# CSV where the history stream is expected
set -eu
D=$ROOT/tests/data/replay
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -r r.rsq -H $D/events.csv
