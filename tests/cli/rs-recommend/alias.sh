# rs-recommend -r requests -H events, the request mode before rs-answer,
# runs rs-answer with the same arguments (--blend, --knn and -k too): the
# same bytes as rs-answer, and messages in rs-answer's name
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-knn-train -q --until 5000 -o k.rsk ev.rse
rs-answer -k 4 -r r.rsq -H ev.rse -n k.rsk -b recent:1,itemknn:1 -o a.csv
rs-recommend -k 4 -r r.rsq -H ev.rse --knn k.rsk --blend recent:1,itemknn:1 \
    -o b.csv
cmp a.csv b.csv
cat b.csv
rs-recommend -k 4 -r r.rsq -H ev.rse --similar || echo "exit $?"
