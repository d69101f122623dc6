# an answer for a request the stream does not hold, named by its line
set -eu
. "$ROOT/tests/data/replay/setup.sh"
printf 'request,visitor,item,rank\n1,2,200,1\n9,1,100,1\n9,1,101,2\n' >a.csv
rs-eval -r r.rsq -H ev.rse a.csv
