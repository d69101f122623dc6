# a recommendation file (user, not request) given with -r
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
printf 'user,item,rank\n1,100,1\n' >recs.csv
rs-eval -r r.rsq -H ev.rse recs.csv
