# --stats on a tiny events log with known answers: a repeated triple, an
# exact duplicate of a pair's first row and of a later row, a transaction
# repeated with another transactionid (repeat, not duplicate), a
# single-event visitor, an item seen by two visitors, three days of four.
cat >ev.csv <<'CSV'
timestamp,visitorid,event,itemid,transactionid
1000,10,view,1,
2000,10,view,1,
2000,10,view,1,
1000,10,view,1,
3000,10,addtocart,1,
86400005,20,view,2,
259200000,30,addtocart,1,
259200001,30,addtocart,3,
259200001,30,transaction,3,77
259200001,30,transaction,3,78
CSV
rs-load --stats -o ev.rse ev.csv
