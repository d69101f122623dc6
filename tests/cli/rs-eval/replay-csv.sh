# -r: CSV at two K, JSON Lines answers; the answer of 3 rows scored at 2 and 4 warns
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-answer -k 3 -f jsonl -r r.rsq -H ev.rse -o ans.jsonl
rs-eval -f csv -k 2,4 -r r.rsq -H ev.rse ans.jsonl
