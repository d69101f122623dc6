# ranks must be 1..n in file order
set -eu
. "$ROOT/tests/data/replay/setup.sh"
printf 'request,visitor,item,rank\n1,2,200,1\n2,1,100,1\n1,2,201,3\n' >a.csv
rs-eval -r r.rsq -H ev.rse a.csv
