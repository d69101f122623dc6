# --stats --format tsv: the figures of the table unformatted, then the
# series behind them (funnel, days, hours, events per visitor and per
# item), for the same log as stats-events plus events at other hours;
# the stream is the same as without --stats.
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
266400000,40,view,3,
349199999,40,transaction,3,79
CSV
rs-load --stats --format tsv -o ev.rse ev.csv
rs-load -q -o plain.rse ev.csv
rs-cat ev.rse >a.csv && rs-cat plain.rse >b.csv && cmp a.csv b.csv && echo same rows
