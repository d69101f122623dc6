# --keep-bought lets bought items back
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-replay -q -k 5 -r r.rsq -H ev.rse --keep-bought -a a.csv --answers-of recent >/dev/null
cat a.csv
