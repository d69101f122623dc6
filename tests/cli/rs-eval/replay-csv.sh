# -r: CSV at two K, JSON Lines answers; the answer of 3 rows scored at 2 and 4 warns
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -k 3 -f jsonl -r r.rsq -H ev.rse -o ans.jsonl
rs-eval -f csv -k 2,4 -r r.rsq -H ev.rse ans.jsonl
