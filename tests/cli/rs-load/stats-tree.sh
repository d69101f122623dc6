# --stats on a dirty category tree: an orphan (parent 999 is no category),
# a 2-cycle, a self-loop, a duplicate row giving another parent (the
# first row wins), and a chain of depth 2.
cat >t.csv <<'CSV'
categoryid,parentid
1,
2,1
3,2
4,999
5,6
6,5
2,4
7,7
CSV
rs-load --stats -o t.rse t.csv
