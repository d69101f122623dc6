# --count, rs-recommend -r's name for -k, still works: the same bytes
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -k 1 -r r.rsq -H ev.rse -o k.csv
rs-answer --count 1 -r r.rsq -H ev.rse -o count.csv
cmp k.csv count.csv
rs-answer --count=1 -r r.rsq -H ev.rse | cmp - k.csv
# and -k does cut: 2 rows differ from 1
rs-answer -k 2 -r r.rsq -H ev.rse | cmp -s - k.csv && exit 1
cat k.csv
