# -A wants item properties: an event stream is refused, naming the file
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-replay -q -r r.rsq -H ev.rse -A ev.rse
