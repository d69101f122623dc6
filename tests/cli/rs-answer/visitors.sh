# rs-requests --visitors requests (no true item): by default every
# event is visible (the requests are 1 ms after the last one); -A hides
# item 104, unavailable from 5999 on; with --at 5000 only the events
# before 5000 count (visitor 3 has none: popular only)
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
printf 'timestamp,itemid,property,value\n5999,104,available,0\n' >p.csv
rs-load -q -o p.rse p.csv
rs-knn-train -q -o k.rsk ev.rse
rs-requests -q --visitors -o now.rsq ev.rse
rs-answer -k 4 -r now.rsq -H ev.rse -n k.rsk -b recent:2,itemknn:2
rs-answer -k 4 -r now.rsq -H ev.rse -n k.rsk -b recent:2,itemknn:2 \
    -A p.rse
rs-requests -q --visitors --at 5000 -o at.rsq ev.rse
rs-answer -k 3 -r at.rsq -H ev.rse -b recent:2,popular:1
