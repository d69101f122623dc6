# -r: JSON Lines results, default K 10
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -k 3 -r r.rsq -H ev.rse -o ans.csv
rs-eval -q -f json -r r.rsq -H ev.rse ans.csv
