# -k is a set, as in rs-eval: 5,1,5 gives the rows of 1,5
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -k 1,5 -r r.rsq -H ev.rse --format csv >a.csv
rs-replay -q -k 5,1,5 -r r.rsq -H ev.rse --format csv >b.csv
cmp a.csv b.csv
cat b.csv
