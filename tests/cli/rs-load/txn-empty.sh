# A transaction row with an empty transactionid is kept, but warned about
# one by one, in the summary line and in the --stats report; a
# transactionid on a view is kept silently, as before.
cat >ev.csv <<'CSV'
timestamp,visitorid,event,itemid,transactionid
1000,10,transaction,1,
2000,10,view,1,5
3000,20,transaction,2,7
4000,20,transaction,3,
CSV
rs-load -s -o ev.rse ev.csv | sed -n '1,6p'
rs-cat ev.rse
rs-load -q ev.csv | rs-cat >/dev/null
