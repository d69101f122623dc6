# the metric table as CSV: all and discovery targets
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-knn-train -q --until 5000 -o k.rsk ev.rse
rs-replay -q -k 1,5 -r r.rsq -H ev.rse -n k.rsk --format csv
