# --knn-daily trains on the days before each request
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -k 5 -r r.rsq -H ev.rse --knn-daily -a a.csv --answers-of itemknn --format csv
cat a.csv
