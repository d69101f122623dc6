# an answer for a request the stream does not hold, named by its line
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
printf 'request,visitor,item,rank\n1,2,200,1\n9,1,100,1\n9,1,101,2\n' >a.csv
rs-eval -r r.rsq -H ev.rse a.csv
