# the answer rows of a blend: the same bytes as rs-replay -a
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-knn-train -q --until 5000 -o k.rsk ev.rse
rs-replay -q -k 4 -r r.rsq -H ev.rse -n k.rsk -b recent:1,itemknn:1 -a a.csv >/dev/null
rs-answer -k 4 -r r.rsq -H ev.rse -n k.rsk -b recent:1,itemknn:1 -o b.csv
cmp a.csv b.csv
cat b.csv
