# a full disk is an error (exit 1)
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-answer -r r.rsq -H ev.rse >/dev/full
