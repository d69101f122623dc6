# an exact duplicate add-to-cart row is one request; the summary and the
# "duplicates" metadata say how many rows were dropped
set -eu
cat >ev.csv <<'CSV'
timestamp,visitorid,event,itemid,transactionid
1000,1,view,10,
2000,1,addtocart,10,
2000,2,addtocart,20,
2000,1,addtocart,10,
2000,1,view,10,
3000,1,addtocart,10,
3000,1,addtocart,11,
3000,1,addtocart,11,
3000,1,addtocart,11,
CSV
rs-load -q -o ev.rse ev.csv
rs-requests -o r.rsq ev.rse
rs-cat r.rsq
rs-cat -m duplicates r.rsq
