# a recommendation file (user, not request) given with -r
set -eu
. "$ROOT/tests/data/replay/setup.sh"
printf 'user,item,rank\n1,100,1\n' >recs.csv
rs-eval -r r.rsq -H ev.rse recs.csv
