# -r: JSON Lines results, default K 10
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-answer -k 3 -r r.rsq -H ev.rse -o ans.csv
rs-eval -q -f json -r r.rsq -H ev.rse ans.csv
