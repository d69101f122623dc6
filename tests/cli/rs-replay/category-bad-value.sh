# a categoryid value that is not an integer names the stream and record
set -eu
. "$ROOT/tests/data/replay/setup.sh"
printf 'timestamp,itemid,property,value\n1,100,available,1\n2,100,categoryid,x7\n' >p.csv
rs-load -q -o p.rse p.csv
rs-replay -q -r r.rsq -H ev.rse -A p.rse -b category
