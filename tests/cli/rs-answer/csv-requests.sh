# CSV where the request stream is expected
set -eu
D=$ROOT/tests/data/replay
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -r $D/events.csv -H ev.rse
