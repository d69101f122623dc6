# the category source: categories as of each request from -A property
# streams (104 moves from 10 to 11 at 5200), back-off to the parent with
# --tree, ranked by the causal counts before the request
set -eu
. "$ROOT/tests/data/replay/setup.sh"
cat >p.csv <<'CSV'
timestamp,itemid,property,value
0,100,categoryid,10
0,101,categoryid,10
0,102,categoryid,10
0,103,categoryid,10
0,104,categoryid,10
5200,104,categoryid,11
0,200,categoryid,11
0,201,categoryid,11
0,300,categoryid,12
CSV
cat >t.csv <<'CSV'
categoryid,parentid
1,
10,1
11,1
12,
CSV
rs-load -q -o p.rse p.csv
rs-load -q -o t.rse t.csv
rs-replay -q -k 5 -r r.rsq -H ev.rse -A p.rse --tree t.rse \
    -b recent:1,category:2 -a a.csv
cat a.csv
echo "# without the tree: no back-off"
rs-replay -q -k 5 -r r.rsq -H ev.rse -A p.rse -b category:1 \
    --answers-of category:1 -a b.csv >/dev/null
cat b.csv
