# threads do not change the output
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-knn-train -q -o k.rsk ev.rse
rs-replay -q -r r.rsq -H ev.rse -n k.rsk --format csv >1.csv
rs-replay -q -t 3 -r r.rsq -H ev.rse -n k.rsk --format csv >3.csv
cmp 1.csv 3.csv && echo same
