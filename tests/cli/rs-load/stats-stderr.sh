# With the stream on standard output the report goes to standard error,
# and the stream stays intact.
printf 'categoryid,parentid\n1,\n2,1\n' >t.csv
rs-load -s t.csv >t.rse && rs-cat t.rse
