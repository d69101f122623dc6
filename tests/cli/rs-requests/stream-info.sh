# the request stream's schema
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-cat --info r.rsq | grep -v "argv\|version\|input"
