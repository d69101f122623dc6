# without -b: the best blend found over the sources given (rs-replay(1)):
# category back-fills when there is category data, popular always
set -eu
. "$ROOT/tests/data/replay/setup.sh"
printf 'timestamp,itemid,property,value\n1,100,categoryid,3\n1,104,categoryid,3\n' >p.csv
rs-load -q -o p.rse p.csv
rs-replay -q -k 5 -r r.rsq -H ev.rse --knn-daily | awk '{print $1, $2}'
rs-replay -q -k 5 -r r.rsq -H ev.rse --knn-daily -A p.rse | awk '{print $1, $2}'
