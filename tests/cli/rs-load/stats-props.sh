# --stats on tiny property logs (two files, one stream): items never
# available, items without an available row, numeric properties, two
# snapshots, multi-token values, number tokens and a malformed one.
cat >p1.csv <<'CSV'
timestamp,itemid,property,value
100,1,available,0
200,1,available,0
100,2,available,0
200,2,available,1
100,3,categoryid,1016
CSV
cat >p2.csv <<'CSV'
timestamp,itemid,property,value
100,4,888,1103801 n9420.000 969301
200,4,888,n552.000
200,4,6,424566
200,3,6,n1e5 77
CSV
rs-load --stats -o p.rse p1.csv p2.csv
