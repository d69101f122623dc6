# a blend naming a source without its model
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-answer -b recent:5,als:5 -r r.rsq -H ev.rse
