# an 'available' value other than 0 or 1 is an error naming the record
set -eu
. "$ROOT/tests/data/replay/setup.sh"
printf 'timestamp,itemid,property,value\n1,100,available,1\n2,100,available,maybe\n' >p.csv
rs-load -q -o p.rse p.csv
rs-replay -q -r r.rsq -H ev.rse -A p.rse
