# blend answers: dedup, quotas, back-fill, source per row
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-knn-train -q --until 5000 -o k.rsk ev.rse
rs-replay -q -k 4 -r r.rsq -H ev.rse -n k.rsk -b recent:1,itemknn:1 -a a.csv >/dev/null
cat a.csv
