# -r: a popular model (-m) instead of causal counts, TSV
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-recommend -k 3 -f tsv -m pop.rsa --blend popular -r r.rsq -H ev.rse
