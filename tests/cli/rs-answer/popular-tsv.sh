# a popular model (-p) instead of causal counts, TSV
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -k 3 -f tsv -p pop.rsa -b popular -r r.rsq -H ev.rse
