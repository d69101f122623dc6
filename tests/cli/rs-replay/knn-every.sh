# --knn-every 2s trains item-kNN for each 2 s on the events before them;
# --knn-every 1d is --knn-daily
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -k 5 -r r.rsq -H ev.rse --knn-every 2s -a a.csv --answers-of itemknn --format csv
cat a.csv
rs-replay -q -k 5 -r r.rsq -H ev.rse --knn-every 1d -a d.csv --answers-of itemknn --format csv >d.txt
rs-replay -q -k 5 -r r.rsq -H ev.rse --knn-daily -a daily.csv --answers-of itemknn --format csv >daily.txt
cmp d.csv daily.csv
cmp d.txt daily.txt
