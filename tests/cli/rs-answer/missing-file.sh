# a missing request stream
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-answer -r no-such.rsq -H ev.rse
