# CSV where the history stream is expected
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-replay -r r.rsq -H $D/events.csv
