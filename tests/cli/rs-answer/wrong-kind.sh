# events where requests are expected
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-answer -r ev.rse -H ev.rse
