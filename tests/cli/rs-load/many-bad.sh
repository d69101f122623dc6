# At most 20 per-row lines, then how many more there were.
awk 'BEGIN { print "categoryid,parentid"; for (i = 0; i < 30; i++) print "x" i "," }' >t.csv
rs-load -o x.rse t.csv
