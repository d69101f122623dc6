# --at T answers as if the --recent stream ended at T: the same rows as a
# stream of only the events before T (visitor 100's view of item 4 at
# 2000 is not yet known at 1800), and end-1s counts from its last event.
. "$ROOT/tests/data/recommend/setup.sh"
awk -F, 'NR == 1 || $1 < 1800' "$ROOT/tests/data/recommend/recent.csv" >cut.csv
rs-load -q -o cut.rse cut.csv
printf '100\n777\n' >ids.txt
rs-recommend -k 4 -m m.rsa --fallback pop.rsa --recent cut.rse ids.txt >want.csv
rs-recommend -k 4 -m m.rsa --fallback pop.rsa --recent recent.rse --at 1800 ids.txt >got.csv
cmp want.csv got.csv && echo same
rs-recommend -k 4 -m m.rsa --fallback pop.rsa --recent recent.rse ids.txt >all.csv
cmp -s all.csv got.csv || echo "differs from no --at"
rs-recommend -k 4 -m m.rsa --fallback pop.rsa --recent recent.rse --at end-1200ms ids.txt >rel.csv
cmp rel.csv got.csv && echo "end-1200ms is 1800"
rs-recommend -k 4 -m m.rsa --at 1800 ids.txt
