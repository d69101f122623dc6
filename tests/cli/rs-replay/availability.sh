# -A: availability as of each request, from two interleaved property files
set -eu
. "$ROOT/tests/data/replay/setup.sh"
# 100: gone at 1000, back at 4999 (available for the request at 5000);
# 101: gone at 4000; 104: 0 at exactly 5500, not yet seen at 5500;
# 200: gone at 5000, the most popular item for the later requests
cat >p1.csv <<'CSV'
timestamp,itemid,property,value
4999,100,available,1
4000,101,available,0
5500,104,available,0
100,104,categoryid,3
CSV
cat >p2.csv <<'CSV'
timestamp,itemid,property,value
1000,100,available,0
100,104,available,1
5000,200,available,0
CSV
rs-load -q -o p1.rse p1.csv
rs-load -q -o p2.rse p2.csv
rs-replay -q -k 5 -r r.rsq -H ev.rse -A p1.rse --availability p2.rse \
    -b recent:2,popular:3 -a a.csv
cat a.csv
