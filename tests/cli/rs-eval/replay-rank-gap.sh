# ranks must be 1..n in file order
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
printf 'request,visitor,item,rank\n1,2,200,1\n2,1,100,1\n1,2,201,3\n' >a.csv
rs-eval -r r.rsq -H ev.rse a.csv
