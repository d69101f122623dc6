# recent answers: strictly before the request, bought items dropped
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-replay -q -k 5 -r r.rsq -H ev.rse -a a.csv --answers-of recent --format csv >/dev/null
cat a.csv
