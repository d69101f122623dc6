# a stream of another kind
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-interactions -q -o m.rsm ev.rse
rs-requests m.rsm
