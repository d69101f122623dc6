# a cut request stream is an error, never fewer requests
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
n=$(wc -c <r.rsq)
head -c $((n - 5)) r.rsq >cut.rsq
rs-answer -r cut.rsq -H ev.rse
